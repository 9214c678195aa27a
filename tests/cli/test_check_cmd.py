"""``comfy-contract check`` driven from outside: streams as arguments, real project files, one subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from checkproject import make_project
from clirun import run

REPO = Path(__file__).resolve().parents[2]



@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path, snapshots=False)


def test_the_readme_command_reports_the_seeded_defects() -> None:
    """`comfy-contract check` with no arguments in this repository: the bundled sample app (subprocess)."""
    proc = subprocess.run([sys.executable, "-m", "comfy_contract", "check"], cwd=REPO, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert out.startswith("comfy-contract check: ")
    for code in ("V018", "V002", "V015", "V016", "V010", "R001", "R003", "R008", "R009", "L003"):
        assert code in out, code
    assert "Reproduce with: comfy-contract check --config " in out
    assert "Traceback" not in proc.stderr


def test_exit_0_when_clean(project: Path) -> None:
    code, out, err = run("check", str(project), "--config", "sdxl_dualclip")
    assert code == 0, out + err
    assert "exit 0: clean" in out


def test_exit_1_on_findings_and_fail_on(project: Path) -> None:
    code, out, _ = run("check", str(project), "--config", "sd35_large", "--backend", "standalone")
    assert code == 1
    assert "V018 value-not-in-list" in out
    assert "Reproduce with: comfy-contract check" in out
    assert "--backend standalone" in out
    assert run("check", str(project), "--config", "sd35_large", "--fail-on", "never")[0] == 0
    # warnings fail only with --fail-on warning
    assert run("check", str(project), "--config", "sdxl_dualclip", "--fail-on", "info")[0] == 1


@pytest.mark.parametrize(("argv", "message"), [
    (["--backend", "nope"], "unknown backend 'nope'"),
    (["--mode", "turbo"], "unknown mode 'turbo'"),
    (["--config", "zzz*"], "no config matches 'zzz*'"),
    (["--format", "pdf"], "invalid choice"),
    (["--write", "pdf=x.pdf"], "is not FORMAT=FILE"),
])
def test_usage_errors_exit_2_without_traceback(project: Path, argv: list[str], message: str) -> None:
    code, _, err = run("check", str(project), *argv)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_no_project_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = run("check", str(tmp_path / "missing.yaml"))
    assert code == 2
    assert "no such file" in err
    code, _, err = run("check", cwd=tmp_path)
    assert code == 2
    assert "no comfy-contract.yaml" in err


def test_output_and_extra_reports(project: Path, tmp_path: Path) -> None:
    report = tmp_path / "out" / "check.json"
    code, out, err = run("check", str(project), "--config", "sd35_large*", "--format", "json", "-o", str(report),
                         "--write", f"sarif={tmp_path / 'check.sarif'}", "--write", f"junit={tmp_path / 'j.xml'}")
    assert code == 1
    assert out == ""
    assert "exit 1" in err
    data = json.loads(report.read_text("utf-8"))
    assert {r["config"] for r in data["results"]} == {
        "sd35_large", "sd35_large_landscape", "sd35_large_lowvram", "sd35_large_portrait", "sd35_large_poster",
        "sd35_large_styled", "sd35_large_turbo"}
    assert json.loads((tmp_path / "check.sarif").read_text("utf-8"))["version"] == "2.1.0"
    assert (tmp_path / "j.xml").read_text("utf-8").startswith("<?xml")


def test_results_have_the_json_shape(project: Path) -> None:
    code, out, _ = run("check", str(project), "--config", "vector_fusion_spherical", "--format", "json")
    assert code == 1
    data = json.loads(out)
    keys = {(r["config"], r["mode"], r["backend"], r["check"]) for r in data["results"]}
    assert ("vector_fusion_spherical", "eco", "standalone", "validate") in keys
    assert ("vector_fusion_spherical", "eco", "any", "render") in keys
    failed = next(r for r in data["results"] if r["id"] == "vector_fusion_spherical-eco-standalone-validate")
    assert failed["status"] == "fail"
    finding = failed["findings"][0]
    assert finding["code"] == "V002"
    assert finding["comfyui"]["type"] == "invalid_prompt"
    assert data["summary"]["by_backend"]["production"]["fail"] == 0


def test_the_baseline_is_honoured(project: Path) -> None:
    args = ("check", str(project), "--config", "sdxl_base", "--backend", "production", "--check", "validate")
    assert run(*args)[0] == 1
    (project.parent / "comfy-contract-baseline.yaml").write_text(
        "version: 1\nentries:\n  - {code: V016, config: sdxl_base, reason: '-1 means random in our UI'}\n",
        encoding="utf-8")
    code, out, _ = run(*args)
    assert code == 0, out
    assert "finding(s) accepted by the baseline" in out
    assert run(*args, "--no-baseline")[0] == 1
    (project.parent / "comfy-contract-baseline.yaml").write_text(
        "version: 1\nentries:\n  - {code: V016, config: sdxl_base, reason: r, expires: '2000-01-01'}\n",
        encoding="utf-8")
    code, out, _ = run(*args)
    assert code == 1
    assert "B002" in out
    (project.parent / "comfy-contract-baseline.yaml").write_text("entries: [{code: 12}]\n", encoding="utf-8")
    code, _, err = run(*args)
    assert code == 2
    assert "invalid baseline" in err


def test_list_and_progress(project: Path) -> None:
    code, out, _ = run("check", str(project), "--list")
    assert code == 0
    assert "backends: production standalone" in out
    code, _, err = run("check", str(project), "--config", "dada", "--progress")
    assert "[1/2] dada (eco)" in err
    assert "[2/2] dada (fast)" in err


def test_a_crashing_generator_is_a_finding_not_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "gen.py").write_text(
        "def configs():\n    return ['ok', 'boom']\n\n"
        "def render(config, mode, inputs=None):\n"
        "    if config == 'boom':\n        raise RuntimeError('kaput')\n"
        "    return {'9': {'class_type': 'SaveImage', 'inputs': {}}}\n", encoding="utf-8")
    stock = (REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json").as_posix()
    (tmp_path / "comfy-contract.yaml").write_text(
        f"generator: {{callable: 'gen:render', enumerate: 'gen:configs'}}\nbackends:\n  b: {{catalogs: [{stock}]}}\n",
        encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        code, out, err = run("check", str(tmp_path / "comfy-contract.yaml"), "--format", "json")
    finally:
        sys.path.remove(str(tmp_path))
    assert "Traceback" not in err
    data = json.loads(out)
    statuses = {r["id"]: r["status"] for r in data["results"]}
    assert code == 1, (statuses, err)
    assert statuses["boom-eco-any-render"] == "fail"
    assert statuses["ok-eco-any-render"] == "pass"
    boom = next(r for r in data["results"] if r["id"] == "boom-eco-any-render")
    assert boom["findings"][0]["code"] == "R011"
    assert "kaput" in boom["findings"][0]["message"]
