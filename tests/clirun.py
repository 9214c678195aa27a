"""Run the ``comfy-contract`` command line in-process, with its streams (and optionally cwd) as arguments."""

from __future__ import annotations

import io
import os
from pathlib import Path

from comfy_contract.cli import main


def run(*argv: str, cwd: Path | None = None) -> tuple[int, str, str]:
    """``(exit code, stdout, stderr)`` of ``comfy-contract ARGV...``."""
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = main(list(argv), stdout=out, stderr=err)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()
