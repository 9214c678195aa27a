"""``comfy-contract diff A.json B.json``: exit codes, text and JSON output, the Delta file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from clirun import run
from comfy_contract.snapshot.canonical import Normalisation, canonicalize
from comfy_contract.snapshot.diff import apply_delta
from comfy_contract.snapshot.store import legacy_normalise
from graph_samples import BASES, legacy, renumber, sdxl, split_and_combine


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
    a = write(tmp_path, "legacy.json", legacy_normalise(legacy("vector_fusion_linear_clip")))
    b = write(tmp_path, "rendered.json", {"prompt": BASES["sd35_chunk"], "client_id": "x"})
    code, out, _ = run("diff", a, b, "--default-volatile")
    assert code == 1
    assert "node-removed     ai4artsed_conditioning_fusion  a:6" in out
    assert "CLIPTextEncode.text  a:/4/inputs/text '<volatile>'  →  b:/6/inputs/text ''" in out
    assert "(ignored: *.filename_prefix)" in out


def test_without_a_project_everything_is_compared(tmp_path: Path) -> None:
    """Two graphs whose LLM models and prompt wiring differ are not equal unless a rule says so; with the
    rules, the differences are still listed as ignored, each with its rule."""
    def llm_graph(model: str, prompt_into: str) -> dict[str, Any]:
        wf = sdxl()
        wf["20"] = {"class_type": "ai4artsed_ollama", "inputs": {"model": model, "prompt": "hello"}}
        wf[prompt_into]["inputs"]["text"] = ["20", 0]
        return wf

    a = write(tmp_path, "a.json", llm_graph("local/sailor2:20b", "6"))
    b = write(tmp_path, "b.json", llm_graph("openrouter/anthropic/claude-haiku-4.5", "7"))
    code, out, _ = run("diff", a, b)
    assert code == 1
    assert "'local/sailor2:20b'  →  b:/20/inputs/model 'openrouter/anthropic/claude-haiku-4.5'" in out
    code, out, _ = run("diff", a, b, "--default-volatile")
    assert code == 0
    assert "equal after normalisation" in out
    assert "(ignored: text_sources: *ollama*)" in out


def test_a_snapshot_file_brings_its_own_rules(tmp_path: Path) -> None:
    snap = {"format": "comfy-contract/snapshot", "version": 1, "config": "x", "mode": "eco", "source": "approved",
            "normalisation": {"volatile": ["*.seed"]}, "workflow": sdxl(), "approved_drift": None}
    wf = sdxl()
    wf["3"]["inputs"]["seed"] = 1
    a, b = write(tmp_path, "x.eco.json", snap), write(tmp_path, "b.json", wf)
    code, out, _ = run("diff", a, b)
    assert code == 0
    assert "(ignored: *.seed)" in out
    assert run("diff", a, b, "--no-default-volatile")[0] == 1


def test_the_symmetric_branch_case_is_one_change_in_both_views(tmp_path: Path) -> None:
    a = split_and_combine()
    b = renumber(a, {k: str(900 - int(k)) for k in a}, sorted(a, reverse=True), reverse_inputs=True)
    b["779"]["inputs"]["steps"] = 7  # one of the four identical KSamplers (121)
    code, out, _ = run("diff", write(tmp_path, "a.json", a), write(tmp_path, "b.json", b))
    assert code == 1
    assert out.splitlines()[2:] == [
        "1 change (0 structural, 1 literal)",
        "  * literal-changed  KSampler.steps  a:/121/inputs/steps 20  →  b:/779/inputs/steps 7",
    ]
    code, out, _ = run("diff", write(tmp_path, "a.json", a), write(tmp_path, "b.json", b), "--view", "nodes")
    assert out.splitlines()[3] == "  KSampler a:121 b:779  steps [-20-]{+7+}"


def test_json_output_and_the_delta_file(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.json", sdxl(steps=30)), write(tmp_path, "b.json", sdxl(steps=20))
    delta = tmp_path / "approved" / "drift.json"
    code, out, _ = run("diff", a, b, "--format", "json", "--delta", str(delta))
    assert code == 1
    data = json.loads(out)
    assert data["summary"] == {"changes": 1, "structural": 0, "literal": 1, "ignored": 0}
    assert data["changes"][0]["path_a"] == "/3/inputs/steps"
    rows = json.loads(delta.read_text(encoding="utf-8"))
    everything = Normalisation(volatile=(), text_sources=())  # what diff compares without flags
    assert apply_delta(canonicalize(sdxl(steps=30), everything).form, rows) == dict(
        canonicalize(sdxl(steps=20), everything).form)


def test_normalisation_flags(tmp_path: Path) -> None:
    a, b = write(tmp_path, "a.json", sdxl(prompt="x")), write(tmp_path, "b.json", sdxl(prompt="y"))
    assert run("diff", a, b)[0] == 1
    assert run("diff", a, b, "--default-volatile")[0] == 0
    assert run("diff", a, b, "--volatile", "CLIPTextEncode.text")[0] == 0
    c = write(tmp_path, "c.json", sdxl(steps=31))
    assert run("diff", a, c, "--volatile", "KSampler.steps", "--default-volatile")[0] == 0


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
