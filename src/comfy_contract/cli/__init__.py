"""The ``comfy-contract`` command line: a thin front end over the engine.

Each sub-command is a module in this package with ``add_parser(subparsers)`` and
``run(args, out, err) -> int``; :data:`COMMANDS` lists them in help order with their one-line help.
Only the module of the command being run is imported (``--help`` imports none), so start-up stays
fast: a command module may import the heavy stages it needs. Exit codes: 0 clean, 1 findings, 2 usage
or input error (the message says what to do; never a traceback).

Conventions every command shares: ``--quiet``/``-q`` (before or after the command's own words) leaves only
errors on stderr - no progress, notes or summary chatter; results on stdout and in files are unchanged. No
command writes colour (ANSI SGR) anywhere, so ``NO_COLOR`` holds as is; a live progress line on a terminal
only erases itself (``ESC[K``), and never with ``--quiet``.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.safetext import printable
from comfy_contract.core.version import __version__

__all__ = ["main"]

#: command name -> its one-line help (the same text as its module's ``add_parser``; a test keeps them equal),
#: in help order. The module is ``comfy_contract.cli.<name>_cmd``, imported only when the command runs.
COMMANDS: dict[str, str] = {
    "check": "the pre-merge gate: render, validate, lint, contracts, snapshots, baseline",
    "init": "write a starter comfy-contract.yaml and folders into an app repository",
    "validate": "answer as ComfyUI's POST /prompt would, offline",
    "catalog": "pull, merge and inspect node catalogs (/object_info snapshots)",
    "explain": "explain a finding code (e.g. V018, R001, L003)",
    "render": "write the workflows the app would submit, per config and mode",
    "diff": "graph-aware diff of two workflows (node ids may differ)",
    "snapshot": "record, check, import and prune legacy/approved workflow snapshots",
    "hunt": "fuzz every config's inputs with Hypothesis; write each failure as a reproducer",
    "replay": "re-run reproducers written by `hunt` and say whether they still fail",
    "serve": "run a stand-in ComfyUI that validates /prompt offline and completes prompts with stub results",
}


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so streams stay ours and tests see exit codes."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}\n{self.format_usage().rstrip()}")


class _UsageError(Exception):
    pass


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser: every command is listed with its help, but only ``command``'s module is imported and
    gets its full sub-parser (``None``: none; enough for ``--help``, ``--version`` and usage errors)."""
    parser = _Parser(
        prog="comfy-contract",
        description="Contract tests for the ComfyUI workflows your app generates.",
    )
    parser.add_argument("--version", action="version", version=f"comfy-contract {__version__}")
    _add_quiet(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name, help_text in COMMANDS.items():
        if name == command:
            importlib.import_module(f"comfy_contract.cli.{name}_cmd").add_parser(sub)
            _add_quiet(sub.choices[name])
        else:
            sub.add_parser(name, help=help_text)
    return parser


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    """``--quiet``/``-q`` on ``parser`` and every sub-command parser below it (``snapshot update -q``), unless
    a command defines it itself. ``SUPPRESS``: a nested parser's default never resets a ``-q`` given earlier."""
    if "--quiet" not in parser._option_string_actions:
        flags = ["--quiet"] + ([] if "-q" in parser._option_string_actions else ["-q"])
        parser.add_argument(*flags, action="store_true", default=argparse.SUPPRESS,
                            help="only errors on stderr: no progress, notes or summary")
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _add_quiet(child)


class _Quiet:
    """stderr under ``--quiet``: passes on only lines that are errors (``comfy-contract: error: ...``, as
    ``validate`` prints a bad input before going on); everything else is dropped."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._line = ""

    def write(self, text: str) -> int:
        self._line += text
        *lines, self._line = self._line.split("\n")
        for line in lines:
            if "error:" in line.split("\r")[-1][:40]:
                self.stream.write(line.split("\r")[-1] + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


def _command_of(argv: Sequence[str]) -> str | None:
    """The command argv names: its first word that is not an option (the top level has no option with a value)."""
    for word in argv:
        if word == "--":
            return None
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def _never_fails_to_encode(stream: TextIO) -> TextIO:
    """The process's own stream, set to write what its encoding cannot carry (a lone surrogate from valid
    JSON such as ``"\\ud800"``) as a backslash escape instead of raising ``UnicodeEncodeError``."""
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        with contextlib.suppress(ValueError, OSError):
            reconfigure(errors="backslashreplace")
    return stream


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    out = stdout if stdout is not None else _never_fails_to_encode(sys.stdout)
    err = stderr if stderr is not None else _never_fails_to_encode(sys.stderr)
    words = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_of(words))
    try:
        with contextlib.redirect_stdout(out):  # --help and --version print to our stream
            args = parser.parse_args(words)
    except _UsageError as exc:
        print(str(exc), file=err)
        return 2
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(out)
        return 2
    command_err: Any = _Quiet(err) if getattr(args, "quiet", False) else err
    try:
        code: int = args.run(args, out, command_err)
    except ComfyContractError as exc:
        print(printable(f"comfy-contract: error: {exc}"), file=err)
        return 2
    except BrokenPipeError:  # `comfy-contract explain --list | head`: the reader has gone, quietly stop
        if stdout is None:
            _silence_stdout()
        return 141  # 128 + SIGPIPE, as a shell tool killed by the signal
    except OSError as exc:  # a file system refusal (permissions, read-only, missing parent): not a bug of ours
        where = f" {exc.filename!r}" if exc.filename else ""
        print(f"comfy-contract: error: cannot access{where}: {exc.strerror or exc}", file=err)
        return 2
    except KeyboardInterrupt:
        print("comfy-contract: interrupted", file=err)
        return 130
    return code


def _silence_stdout() -> None:
    """Point the process's stdout at /dev/null, so flushing what is left at exit raises no second BrokenPipeError."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def entry() -> None:  # pragma: no cover - console script
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = 141
    sys.exit(code)
