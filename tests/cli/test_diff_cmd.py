"""``comfy-contract diff A.json B.json``: exit codes, text and JSON output, the Delta file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clirun import run
from comfy_contract.snapshot.canonical import canonicalize
from comfy_contract.snapshot.diff import apply_delta
from graph_samples import BASES, legacy, renumber, sdxl


def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def test_a_renumbered_workflow_is_equal(tmp_path: Path) -> None:
    wf = sdxl()
    moved = renumber(wf, {k: str(int(k) + 40) for k in wf}, list(reversed(list(wf))), reverse_inputs=True)
    code, out, err = run("diff", write(tmp_path, "a.json", wf), write(tmp_path, "b.json", moved))
    assert (code, err) == (0, "")
    assert "equal: the canonical graphs are identical" in out


def test_the_vector_fusion_fallback_is_different(tmp_path: Path) -> None:
    a = write(tmp_path, "legacy.json", legacy("vector_fusion_linear_clip"))
    b = write(tmp_path, "rendered.json", {"prompt": BASES["sd35_chunk"], "client_id": "x"})
    code, out, _ = run("diff", a, b)
    assert code == 1
    assert "node-removed     ai4artsed_conditioning_fusion  a:6" in out
    assert "CLIPTextEncode.text  a:/4/inputs/text '<volatile>'  →  b:/6/inputs/text ''" in out


def test_json_output_and_the_delta_file(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.json", sdxl(steps=30)), write(tmp_path, "b.json", sdxl(steps=20))
    delta = tmp_path / "approved" / "drift.json"
    code, out, _ = run("diff", a, b, "--format", "json", "--delta", str(delta))
    assert code == 1
    data = json.loads(out)
    assert data["summary"] == {"changes": 1, "structural": 0, "literal": 1}
    assert data["changes"][0]["path_a"] == "/3/inputs/steps"
    rows = json.loads(delta.read_text(encoding="utf-8"))
    assert apply_delta(canonicalize(sdxl(steps=30)).form, rows) == dict(canonicalize(sdxl(steps=20)).form)


def test_normalisation_flags(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.json", sdxl(prompt="x")), write(tmp_path, "b.json", sdxl(prompt="y"))
    assert run("diff", a, b)[0] == 0
    assert run("diff", a, b, "--no-default-volatile")[0] == 1
    c = write(tmp_path, "c.json", sdxl(steps=31))
    assert run("diff", a, c, "--volatile", "KSampler.steps")[0] == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    good = write(tmp_path, "a.json", sdxl())
    code, _, err = run("diff", good, str(tmp_path / "missing.json"))
    assert code == 2
    assert "missing.json: no such file" in err
    code, _, err = run("diff", good, write(tmp_path, "list.json", [1, 2]))
    assert code == 2
    assert "expected a JSON object" in err
    code, _, err = run("diff", good, good, "--volatile", "nodot")
    assert code == 2
    assert "volatile rule 'nodot' has no input part" in err
    assert run("diff", good)[0] == 2
