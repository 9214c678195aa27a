"""``comfy-contract explain CODE``: what a finding code means and what to do about it."""

from __future__ import annotations

import argparse
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
    out.write(f"\nsee docs/codes.md#{c.code.lower()}\n")
    return 0
