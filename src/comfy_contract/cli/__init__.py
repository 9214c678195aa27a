"""The ``comfy-contract`` command line: a thin front end over the engine.

Each sub-command is a module in this package with ``add_parser(subparsers)`` and
``run(args, out, err) -> int``; :data:`COMMANDS` lists them in help order. Exit codes: 0 clean,
1 findings, 2 usage or input error (the message says what to do; never a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TextIO

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.safetext import printable
from comfy_contract.core.version import __version__

__all__ = ["main"]

COMMANDS: tuple[str, ...] = ("check", "init", "validate", "catalog", "explain", "render", "diff", "snapshot", "hunt",
                             "replay", "serve")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so streams stay ours and tests see exit codes."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message}\n{self.format_usage().rstrip()}")


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="comfy-contract",
        description="Contract tests for the ComfyUI workflows your app generates.",
    )
    parser.add_argument("--version", action="version", version=f"comfy-contract {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = importlib.import_module(f"comfy_contract.cli.{name}_cmd")
        module.add_parser(sub)
    return parser


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
    parser = build_parser()
    try:
        with contextlib.redirect_stdout(out):  # --help and --version print to our stream
            args = parser.parse_args(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as exc:
        print(str(exc), file=err)
        return 2
    except SystemExit as exc:  # --help / --version
        return int(exc.code or 0)
    if not getattr(args, "command", None):
        parser.print_help(out)
        return 2
    try:
        code: int = args.run(args, out, err)
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
