"""Every command of docs/render.md's ```sh blocks runs against the bundled sample app and exits 0."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from clirun import run

REPO = Path(__file__).resolve().parent.parent
TEXT = (REPO / "docs" / "render.md").read_text("utf-8")
COMMANDS = [" ".join(shlex.split(line, comments=True)) for block in re.findall(r"```sh\n(.*?)```", TEXT, re.S)
            for line in block.replace("\\\n", " ").splitlines() if line.strip()]


def test_docs_have_render_commands() -> None:
    assert len(COMMANDS) >= 5
    assert all(command.startswith("comfy-contract render") for command in COMMANDS)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name in ("comfy-contract.yaml", "fixtures", "contracts", "legacy_snapshots"):
        (tmp_path / name).symlink_to(REPO / name)
    return tmp_path


@pytest.mark.parametrize("command", COMMANDS)
def test_docs_render_command_runs(command: str, workdir: Path) -> None:
    code, out, err = run(*shlex.split(command)[1:], cwd=workdir)
    assert code == 0, err
    if "--out" in command:
        manifest = json.loads((workdir / "rendered" / "manifest.json").read_text("utf-8"))
        assert manifest["configs"]
    if "--behaviour gpu_service=up" in command:
        diffusers = [c for c in manifest["configs"] if c["config"] == "sd35_diffusers"]
        assert {c["route"] for c in diffusers} == {"diffusers"}
    if "--show-behaviour" in command:
        assert "backend_types" in out
        assert "gpu_service='down'" in out
