"""Every shell and Python example of README.md and docs/*.md runs, so a wrong example fails CI.

The convention (docs/architecture.md, "Examples that run"):

- ```` ```sh ```` / ```` ```console ````: each command runs - ``comfy-contract ...`` in-process (tests/clirun.py),
  ``pytest ...`` in a subprocess - from a temporary folder that links the repository's project file,
  ``fixtures/``, ``contracts/`` and ``legacy_snapshots/``; the commands of one block share that folder. A
  command must exit 0 unless it ends with ``# exit N``. In ```` ```console ```` blocks commands start with
  ``$ ``; the lines after one are its expected output: each must appear, in order and with runs of blanks
  compared as one, in what it printed (stdout, then stderr); ``...`` stands for lines left out.
- ```` ```python ````: the block is ``exec``'d from the repository root in a fresh namespace.
- ```` ```sh no-run ```` / ```` ```python no-run ```` (any of the three): the example cannot run offline here (it
  installs packages, needs a user's server, runs forever, or is a fragment); it is not run but counted, and
  the count is pinned below, so a new one is a deliberate change. A command that is neither ``comfy-contract``
  nor ``pytest`` in a block without ``no-run`` fails the test, as does an untagged block that starts with a
  command (tag synopses ```` ```text ````).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from clirun import run

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LANGUAGES = {"sh": "sh", "console": "console", "python": "python"}
FENCE = re.compile(r"^(?P<indent> *)```(?P<info>[^\n`]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.S | re.M)
EXIT = re.compile(r"#\s*exit\s+(\d+)\b")
#: examples marked ``no-run``: pinned, so that marking one more is a visible decision (the test lists them)
NO_RUN = 13


@dataclass(frozen=True)
class Block:
    page: str
    line: int
    language: str
    info: str
    body: str

    @property
    def runs(self) -> bool:
        return "no-run" not in self.info.split()[1:]

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


def _blocks() -> list[Block]:
    found = []
    for page in PAGES:
        text = page.read_text("utf-8")
        for m in FENCE.finditer(text):
            info = m.group("info").strip()
            body = "\n".join(line[len(m.group("indent")):] for line in m.group("body").splitlines())
            found.append(Block(page.relative_to(REPO).as_posix(), text.count("\n", 0, m.start()) + 1,
                               info.split()[0] if info else "", info, body))
    return found


BLOCKS = _blocks()
EXAMPLES = [b for b in BLOCKS if b.language in LANGUAGES]
RUNNABLE = [b for b in EXAMPLES if b.runs]


def test_examples_are_found() -> None:
    assert sum(b.language == "python" for b in RUNNABLE) >= 10
    assert sum(b.language in ("sh", "console") for b in RUNNABLE) >= 6


def test_no_run_examples_are_counted() -> None:
    skipped = [f"{b.id} ({b.language})" for b in EXAMPLES if not b.runs]
    assert len(skipped) == NO_RUN, "examples marked no-run (update NO_RUN if intended):\n" + "\n".join(skipped)


def test_untagged_blocks_are_not_commands() -> None:
    """A command in an untagged block would silently never run: tag it sh/console, or text for a synopsis."""
    untagged = [b.id for b in BLOCKS if not b.language
                and re.match(r"\s*(\$ |comfy-contract |pytest |python |\.venv/)", b.body)]
    assert untagged == []


@dataclass
class Command:
    words: list[str]
    exit_code: int
    expected: list[str]


def _commands(block: Block) -> list[Command]:
    commands: list[Command] = []
    if block.language == "sh":
        for line in block.body.replace("\\\n", " ").splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                code = EXIT.search(line)
                commands.append(Command(shlex.split(line, comments=True), int(code.group(1)) if code else 0, []))
        return commands
    for line in block.body.replace("\\\n", " ").splitlines():  # console
        if line.startswith("$ "):
            code = EXIT.search(line)
            commands.append(Command(shlex.split(line[2:], comments=True), int(code.group(1)) if code else 0, []))
        elif commands:
            commands[-1].expected.append(line)
        elif line.strip():
            raise AssertionError(f"{block.id}: output before the first `$ ` command: {line!r}")
    return commands


def _squash(line: str) -> str:
    return " ".join(line.split())


def _assert_output(block: Block, command: Command, printed: str) -> None:
    actual = [_squash(line) for line in printed.splitlines()]
    at = 0
    for want in (_squash(line) for line in command.expected):
        if not want or want == "...":
            continue
        try:
            at = actual.index(want, at) + 1
        except ValueError:
            raise AssertionError(f"{block.id}: `{shlex.join(command.words)}` did not print {want!r} "
                                 f"(in order); it printed:\n{printed}") from None


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    for name in ("comfy-contract.yaml", "fixtures", "contracts", "legacy_snapshots"):
        (tmp_path / name).symlink_to(REPO / name)
    return tmp_path


@pytest.mark.parametrize("block", [b for b in RUNNABLE if b.language != "python"], ids=lambda b: b.id)
def test_shell_example_runs(block: Block, workdir: Path) -> None:
    commands = _commands(block)
    assert commands, f"{block.id}: no command"
    for command in commands:
        program, *argv = command.words
        if program == "comfy-contract":
            code, out, err = run(*argv, cwd=workdir)
        elif program == "pytest":
            done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *argv], cwd=workdir,
                                  capture_output=True, text=True, timeout=300, check=False,
                                  env={**os.environ, "PYTEST_ADDOPTS": ""})
            code, out, err = done.returncode, done.stdout, done.stderr
        else:
            raise AssertionError(f"{block.id}: cannot run {program!r} offline here: mark the block no-run")
        shown = shlex.join(command.words)
        tail = (out + err)[-800:]
        assert code == command.exit_code, f"{block.id}: `{shown}` exited {code}, not {command.exit_code}:\n{tail}"
        # the linked folders resolve to the checkout: paths in the output are shown relative to it, as in a checkout
        _assert_output(block, command, (out + err).replace(f"{REPO.as_posix()}/", ""))


@pytest.mark.parametrize("block", [b for b in RUNNABLE if b.language == "python"], ids=lambda b: b.id)
def test_python_example_runs(block: Block, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    namespace: dict[str, object] = {"__name__": f"docs_example_{block.line}"}
    exec(compile(block.body, block.id, "exec"), namespace)


def test_the_convention_itself() -> None:
    """``# exit N``, console output in order, ``...`` and continuation lines are read as documented."""
    body = "$ comfy-contract check \\\n  --verbose   # exit 1\nA  b\n...\nC\n"
    console = Block("x.md", 1, "console", "console", body)
    (command,) = _commands(console)
    assert (command.words, command.exit_code, command.expected) == (["comfy-contract", "check", "--verbose"], 1,
                                                                     ["A  b", "...", "C"])
    _assert_output(console, command, "A b\nx\nC\n")
    with pytest.raises(AssertionError, match="did not print 'C'"):
        _assert_output(console, command, "C\nA b\n")
    sh = Block("x.md", 1, "sh", "sh no-run", "comfy-contract render --list   # config names only\n")
    assert not sh.runs
    assert _commands(sh)[0].exit_code == 0
