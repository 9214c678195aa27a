"""Start-up stays light: ``--help`` imports no command module and none of the heavy libraries (issue 19)."""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys

import pytest

from comfy_contract.cli import COMMANDS, build_parser

HEAVY = ("jsonschema", "deepdiff", "httpx", "hypothesis", "aiohttp")


def _modules_after(argv: list[str]) -> set[str]:
    code = ("import contextlib, io, json, sys\n"
            "from comfy_contract.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            f"    main({argv!r}, io.StringIO(), io.StringIO())\n"
            "sys.__stdout__.write(json.dumps(sorted(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    return set(json.loads(done.stdout))


@pytest.mark.parametrize("argv", [["--help"], ["--version"], []])
def test_help_imports_no_heavy_module_and_no_command(argv: list[str]) -> None:
    loaded = _modules_after(argv)
    heavy = sorted(m for m in loaded if m.split(".")[0] in HEAVY)
    assert heavy == []
    commands = sorted(m for m in loaded if m.startswith("comfy_contract.cli.") and m.endswith("_cmd"))
    assert commands == []


def test_a_command_imports_only_its_own_module() -> None:
    loaded = _modules_after(["explain", "V018"])
    commands = sorted(m for m in loaded if m.startswith("comfy_contract.cli.") and m.endswith("_cmd"))
    assert commands == ["comfy_contract.cli.explain_cmd"]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_the_help_table_says_what_each_command_module_says(name: str) -> None:
    """COMMANDS carries each command's help so that ``--help`` needs no module; it must not drift from it."""
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    importlib.import_module(f"comfy_contract.cli.{name}_cmd").add_parser(sub)
    (action,) = sub._choices_actions
    assert action.dest == name
    assert action.help == COMMANDS[name]


def test_full_and_lazy_parsers_list_the_same_commands() -> None:
    lazy = build_parser().format_help()
    for name in COMMANDS:
        assert build_parser(name).format_help() == lazy
