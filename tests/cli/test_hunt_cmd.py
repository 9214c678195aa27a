"""``comfy-contract hunt`` and ``replay`` from outside: streams as arguments, and once as a subprocess."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from comfy_contract.cli import main
from comfy_contract.cli.hunt_cmd import parse_budget
from fuzzproject import make_project


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path)


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, err)
    return code, out.getvalue(), err.getvalue()


def test_hunt_reports_the_minimal_failure_with_seed_and_replay_command(project: Path) -> None:
    crashes = project.parent / "crashes"
    tests_dir = project.parent / "exported"
    code, out, err = _run("hunt", "--project", str(project), "--config", "lueck*", "--budget", "200",
                          "--seed", "11", "--derandomize", "--database", "none", "--crash-dir", str(crashes),
                          "--export-tests", str(tests_dir))
    assert code == 1
    assert "seed 11 (rerun with --seed 11)" in err
    assert "FAIL lueckentext" in out
    assert "R002" in out
    assert "Reproduce with: comfy-contract replay " in out
    assert len(list(crashes.glob("*.json"))) == 1
    assert len(list(tests_dir.glob("test_fuzz_*.py"))) == 1
    code, out, _ = _run("replay", str(crashes))
    assert code == 1
    assert out.startswith("still fails:")


def test_hunt_on_a_clean_config_exits_0(project: Path) -> None:
    code, out, err = _run("hunt", "--project", str(project), "--config", "sdxl_dualclip", "--budget", "120",
                          "--seed", "1", "--database", "none", "--crash-dir", str(project.parent / "c"))
    assert code == 0, out
    assert "0 input-dependent failure(s)" in out
    assert "configs 1/1" in err


@pytest.mark.parametrize(("argv", "needle"), [
    (["--budget", "soon"], "--budget 'soon' is neither"),
    (["--config", "no_such_*"], "matches no config"),
    (["--jobs", "0"], "--jobs 0"),
    (["--database", "ftp://x"], "unknown scheme"),
])
def test_usage_errors_exit_2_and_say_what_to_do(project: Path, argv: list[str], needle: str) -> None:
    code, _, err = _run("hunt", "--project", str(project), "--budget", "10", *argv)
    assert code == 2
    assert needle in err


def test_replay_rejects_a_file_that_is_not_a_reproducer(tmp_path: Path) -> None:
    bogus = tmp_path / "x.json"
    bogus.write_text("{}", encoding="utf-8")
    code, _, err = _run("replay", str(bogus))
    assert code == 2
    assert "not a comfy-contract reproducer" in err


def test_budget_parsing() -> None:
    assert parse_budget("60s") == (60.0, None)
    assert parse_budget("2m") == (120.0, None)
    assert parse_budget("500") == (None, 500)


def test_hunt_and_replay_as_subprocesses_with_two_jobs(project: Path) -> None:
    crashes = project.parent / "crashes"
    cmd = [sys.executable, "-m", "comfy_contract", "hunt", "--project", str(project), "--config", "lueckentext",
           "--config", "sd35_large", "--budget", "300", "--jobs", "2", "--seed", "5", "--derandomize",
           "--database", "none", "--crash-dir", str(crashes)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "FAIL lueckentext" in done.stdout
    assert "configs 2/2" in done.stderr
    replayed = subprocess.run([sys.executable, "-m", "comfy_contract", "replay", str(crashes)],
                              capture_output=True, text=True, timeout=60, check=False)
    assert replayed.returncode == 1
    assert "still fails" in replayed.stdout
