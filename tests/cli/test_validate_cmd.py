"""``comfy-contract validate`` driven from outside: streams as arguments, real files, and one subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from clirun import run

CATALOG = str(Path(__file__).resolve().parents[2] / "contracts" / "catalogs" / "comfyui-0.3.75.json")

GOOD = {
    "1": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
    "2": {"class_type": "SaveLatent", "inputs": {"samples": ["1", 0], "filename_prefix": "t"}},
}



def write(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data) if not isinstance(data, str) else data)
    return str(path)


def bad_workflow() -> dict[str, Any]:
    wf = json.loads(json.dumps(GOOD))
    wf["1"]["inputs"]["width"] = "{{WIDTH}}"
    return wf


def test_accepted_file_exits_0(tmp_path: Path) -> None:
    code, out, err = run("validate", write(tmp_path, "good.json", GOOD), "--catalog", CATALOG)
    assert code == 0, err
    assert "accepted (HTTP 200)" in out


def test_rejected_file_exits_1_with_a_readable_block(tmp_path: Path) -> None:
    code, out, _ = run("validate", write(tmp_path, "bad.json", bad_workflow()), "--catalog", CATALOG)
    assert code == 1
    assert "rejected (HTTP 400) prompt_outputs_failed_validation" in out
    assert "V015 invalid-input-type" in out
    assert "node '1' (EmptyLatentImage), input 'width'" in out
    assert "actual:   '{{WIDTH}}'" in out


def test_json_format_one_line_per_file_with_the_comfyui_body(tmp_path: Path) -> None:
    good = write(tmp_path, "good.json", {"prompt": GOOD, "client_id": "x"})
    bad = write(tmp_path, "bad.json", bad_workflow())
    code, out, _ = run("validate", good, bad, "--catalog", CATALOG, "--format", "json")
    assert code == 1
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines[0] == {"file": good, "status": 200, "body": {"prompt_id": None, "number": None, "node_errors": {}},
                        "era": "0.3.75"}
    assert lines[1]["file"] == bad
    assert lines[1]["status"] == 400
    assert lines[1]["body"]["error"]["type"] == "prompt_outputs_failed_validation"
    assert lines[1]["body"]["node_errors"]["1"]["errors"][0]["type"] == "invalid_input_type"


def test_the_text_output_says_which_era_validated_and_why(tmp_path: Path) -> None:
    path = write(tmp_path, "b.json", {"prompt": GOOD, "prompt_id": "my-id"})
    code, out, _ = run("validate", path, "--catalog", CATALOG)
    assert code == 0
    assert out.startswith("ComfyUI era 0.3.75: ")
    assert out.splitlines()[0].endswith("selected by: ComfyUI 0.3.75, recorded in the catalog")
    code, out, _ = run("validate", path, "--catalog", CATALOG, "--comfyui-version", "0.50.0")
    assert code == 1  # the 2026 rules: prompt_id must be a UUID
    assert out.startswith("ComfyUI era 2026: ")
    assert "newer than every era this release models" in out.splitlines()[0]
    assert "V008 invalid-prompt-id" in out
    for era in ("2026", "early-2024"):  # an era id works where a version does
        code, out, err = run("validate", path, "--catalog", CATALOG, "--comfyui-version", era)
        assert code in (0, 1), err
        assert out.startswith(f"ComfyUI era {era}: ")
        assert out.splitlines()[0].endswith(f"selected by: era {era}, chosen explicitly")


def test_http_500_body_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "b.json", {"prompt": {"1": 5}})
    code, out, _ = run("validate", path, "--catalog", CATALOG)
    assert code == 1
    assert "HTTP 500" in out
    assert "TypeError" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON at line 1, column 2"),
        ("[1, 2]", "expected a JSON object (a workflow or a /prompt body), got list"),
        (b"\xff\xfe{}", "not UTF-8 text"),
    ],
)
def test_bad_input_exits_2_naming_the_file(tmp_path: Path, content: str | bytes, message: str) -> None:
    path = tmp_path / "in.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    good = write(tmp_path, "good.json", GOOD)
    code, out, err = run("validate", str(path), good, "--catalog", CATALOG)
    assert code == 2
    assert f"{path}: {message}" in err
    assert "Traceback" not in err
    assert "good.json: accepted" in out  # the other files are still validated


def test_missing_file_and_bad_catalog_exit_2(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "nope.json"), "--catalog", CATALOG)
    assert code == 2
    assert "no such file" in err
    not_catalog = write(tmp_path, "cat.json", {"hello": 1})
    code, _, err = run("validate", write(tmp_path, "g.json", GOOD), "--catalog", not_catalog)
    assert code == 2
    assert "not a node catalog" in err


def test_nan_and_infinity_tokens_are_read_like_comfyui(tmp_path: Path) -> None:
    text = json.dumps(GOOD).replace('"width": 64', '"width": NaN')
    code, out, _ = run("validate", write(tmp_path, "nan.json", text), "--catalog", CATALOG, "--format", "json")
    assert code == 1
    assert json.loads(out)["body"]["node_errors"]["1"]["errors"][0]["details"] == (
        "width, nan, cannot convert float NaN to integer")


def test_unknown_flag_is_a_usage_error() -> None:
    code, _, err = run("validate", "--frobnicate")
    assert code == 2
    assert "usage:" in err


def test_console_script_subprocess(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "comfy_contract", "validate", write(tmp_path, "bad.json", bad_workflow()),
         "--catalog", CATALOG, "--format", "json"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["status"] == 400


def test_accepted_by_accident_gets_a_structure_note(tmp_path: Path) -> None:
    wf = json.loads(json.dumps(GOOD))
    wf["2"]["inputs"]["samples"] = ["1", -1]  # ComfyUI indexes like Python: the last output
    code, out, _ = run("validate", write(tmp_path, "neg.json", wf), "--catalog", CATALOG)
    assert code == 0
    assert "accepted (HTTP 200)" in out
    assert "note: V007 not well-formed API format at /2/inputs/samples:" in out


def test_well_formed_workflow_has_no_structure_note(tmp_path: Path) -> None:
    code, out, _ = run("validate", write(tmp_path, "good.json", GOOD), "--catalog", CATALOG)
    assert code == 0
    assert "note:" not in out


PROJECT = str(Path(__file__).resolve().parents[2] / "comfy-contract.yaml")


def test_without_catalog_each_backend_of_the_project_answers(tmp_path: Path) -> None:
    code, out, err = run("validate", write(tmp_path, "good.json", GOOD), "--project", PROJECT)
    assert code == 0, err
    assert "good.json [backend production]: accepted (HTTP 200)" in out
    assert "good.json [backend standalone]: accepted (HTTP 200)" in out
    code, out, _ = run("validate", write(tmp_path, "bad.json", bad_workflow()), "--project", PROJECT, "--format",
                       "json")
    assert code == 1
    assert [json.loads(line)["backend"] for line in out.splitlines()] == ["production", "standalone"]


def test_without_catalog_or_project_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run("validate", write(tmp_path, "good.json", GOOD))
    assert code == 2
    assert "--catalog" in err


def test_a_render_manifest_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    manifest = write(tmp_path, "manifest.json", {"configs": [{"config": "a", "mode": "eco", "outcome": "workflow",
                                                               "files": ["a.eco.json"], "findings": []}]})
    code, out, err = run("validate", manifest, "--catalog", CATALOG)
    assert code == 2
    assert "V001" not in out
    assert "manifest.json of `comfy-contract render`" in err
    assert "not a workflow" in err
