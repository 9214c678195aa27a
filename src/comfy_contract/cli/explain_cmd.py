"""``comfy-contract explain CODE``: what a finding code means and what to do about it, and where its entry is
in the documentation that ships with comfy-contract (``docs/`` of a checkout, ``comfy_contract/_data/docs``
of a wheel: pyproject's ``force-include``)."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.codes import CODES, lookup


def add_parser(sub: Any) -> None:
    p = sub.add_parser("explain", help="explain a finding code (e.g. V018, R001, L003)")
    p.add_argument("code", nargs="?", help="the code; omit with --list")
    p.add_argument("--list", action="store_true", help="list every code")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.list or not args.code:
        for c in CODES.values():
            out.write(f"{c.code}  {c.severity:<7}  {c.check:<8}  {c.name}: {c.title}\n")
        return 0
    c = lookup(args.code)
    out.write(f"{c.code} {c.name}\n{c.title}\n\n")
    out.write(f"severity: {c.severity}\ncheck:    {c.check}\n")
    if c.comfyui_type:
        out.write(f"ComfyUI error type: {c.comfyui_type}\n")
    out.write(f"\n{c.explanation}\n")
    out.write(f"\nsee {c.code} in {docs_file('codes.md')}\n")
    return 0


def docs_file(name: str) -> str:
    """The shipped documentation page ``name``: the installed copy of a wheel, else the checkout's ``docs/``;
    ``docs/NAME`` of comfy-contract's repository when neither is there."""
    packaged = resources.files("comfy_contract").joinpath("_data", "docs", name)
    if packaged.is_file():
        return str(packaged)
    checkout = Path(__file__).resolve().parents[3] / "docs" / name
    return str(checkout) if checkout.is_file() else f"docs/{name} of comfy-contract's repository"
