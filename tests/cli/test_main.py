"""The command line's shared contract: exit codes and messages, never a traceback."""

from __future__ import annotations

from pathlib import Path

from clirun import run
from comfy_contract.cli import COMMANDS


def test_file_system_errors_exit_2_without_a_traceback(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, _, err = run("init", str(blocker / "app"))  # a folder under a file cannot be created
    assert code == 2
    assert "comfy-contract: error:" in err
    assert "Not a directory" in err
    assert "Traceback" not in err


def test_no_command_prints_help_and_exits_2() -> None:
    code, out, _ = run()
    assert code == 2
    for name in COMMANDS:
        assert name in out


def test_every_command_has_help() -> None:
    for name in COMMANDS:
        code, out, _ = run(name, "--help")
        assert code == 0, name
        assert f"comfy-contract {name}" in out
