"""What every command shares: ``--quiet``/``-q`` leaves only errors on stderr (results unchanged), and no
command writes colour, so ``NO_COLOR`` holds (cli/__init__.py, docs/check.md "Conventions")."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from clirun import run
from comfy_contract.cli import main
from fuzzproject import make_project

REPO = Path(__file__).resolve().parents[2]
SGR = re.compile(r"\x1b\[[0-9;]*m")  # a colour or style escape


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name in ("comfy-contract.yaml", "fixtures", "contracts", "legacy_snapshots"):
        (tmp_path / name).symlink_to(REPO / name)
    return tmp_path


@pytest.mark.parametrize("argv", [
    ["check", "--format", "github", "--config", "bauhaus"],      # summary line on stderr
    ["check", "--progress", "--config", "bauhaus"],               # progress on stderr
    ["render", "--config", "bauhaus", "--out", "rendered"],       # rendered n/total
    ["snapshot", "check", "--config", "expressionismus"],         # a note per multi-workflow config
])
@pytest.mark.parametrize("where", ["after", "before"])
def test_quiet_leaves_stdout_and_the_exit_code_alone(workdir: Path, argv: list[str], where: str) -> None:
    code, out, err = run(*argv, cwd=workdir)
    assert err, "the command should say something on stderr without --quiet"
    quiet = [*argv, "--quiet"] if where == "after" else ["-q", *argv]
    quiet_code, quiet_out, quiet_err = run(*quiet, cwd=workdir)
    timing = re.compile(r"in [0-9.]+ ?s\b")  # render's summary says how long it took
    assert (quiet_code, timing.sub("", quiet_out), quiet_err) == (code, timing.sub("", out), "")


def test_quiet_hunt(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    argv = ["hunt", "--project", str(project), "--config", "sdxl_dualclip", "--budget", "20", "--seed", "1",
            "--database", "none", "--crash-dir", str(tmp_path / "c")]
    code, out, err = run(*argv)
    assert "configs 1/1" in err
    timing = re.compile(r"in [0-9.]+s \([0-9]+/s\)")
    quiet_code, quiet_out, quiet_err = run(*argv, "-q")
    assert (quiet_code, timing.sub("", quiet_out), quiet_err) == (code, timing.sub("", out), "")


def test_quiet_keeps_errors(workdir: Path) -> None:
    code, _, err = run("check", "-q", "--config", "no_such_config", cwd=workdir)
    assert code == 2
    assert err.startswith("comfy-contract: error:")
    (workdir / "bad.json").write_text("{", "utf-8")
    code, _, err = run("validate", "-q", "bad.json", "--catalog", "contracts/catalogs/comfyui-0.3.75.json",
                       cwd=workdir)
    assert code == 2
    assert "error:" in err


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("argv", [
    ["check", "--progress", "--verbose", "--config", "bauhaus"],
    ["check", "--format", "markdown", "--config", "bauhaus"],
    ["explain", "V018"],
    ["diff", "legacy_snapshots/dual_encoder_fusion_split.eco.json",
     "legacy_snapshots/dual_encoder_fusion_split.fast.json"],
    ["render", "--config", "bauhaus", "--out", "rendered"],
    ["snapshot", "check", "--config", "bauhaus"],
])
def test_no_colour_even_on_a_terminal(workdir: Path, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing prints colour, with or without NO_COLOR (so NO_COLOR is respected wherever output goes)."""
    for no_color in (None, "1"):
        if no_color is None:
            monkeypatch.delenv("NO_COLOR", raising=False)
        else:
            monkeypatch.setenv("NO_COLOR", no_color)
        out, err = _Terminal(), _Terminal()
        monkeypatch.chdir(workdir)
        main(argv, stdout=out, stderr=err)
        assert not SGR.search(out.getvalue() + err.getvalue()), argv
