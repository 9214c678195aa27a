"""``comfy-contract diff A.json B.json``: a graph-aware diff of two workflows.

Exit 0 when the canonical graphs are equal, 1 when they differ, 2 on usage or input errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.errors import InputError
from comfy_contract.core.jsonio import read_json, write_json_atomic
from comfy_contract.snapshot.canonical import Normalisation
from comfy_contract.snapshot.diff import diff

__all__ = ["add_parser", "normalisation_from_args", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "diff",
        help="graph-aware diff of two workflows (node ids may differ)",
        description="Compare two API-format workflows (or /prompt bodies) as graphs: nodes are matched by "
        "class_type and topology, so renumbered or reordered workflows are equal. Seeds, filename prefixes "
        "and prompt texts are volatile by default. Exit 0 if equal, 1 if different, 2 on usage errors.",
    )
    p.add_argument("a", metavar="A.json", help="the reference workflow (e.g. the legacy one)")
    p.add_argument("b", metavar="B.json", help="the workflow to compare with it")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--delta", metavar="FILE", help="also write the deepdiff Delta (JSON flat rows) A -> B to FILE")
    add_normalisation_options(p)
    p.set_defaults(run=run)


def add_normalisation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--volatile", action="append", default=[], metavar="RULE",
                   help="also treat inputs matching RULE as volatile: 'Class.input' or '@Title.input' (repeatable)")
    p.add_argument("--no-default-volatile", action="store_true",
                   help="compare seeds, filename prefixes and prompt texts too")
    p.add_argument("--keep-meta", action="store_true", help="compare node _meta (titles) too")
    p.add_argument("--all-nodes", action="store_true", help="keep nodes that feed no output")
    p.add_argument("--float-digits", type=int, default=6, metavar="N",
                   help="compare floats to N significant digits (default 6)")


def normalisation_from_args(args: argparse.Namespace) -> Normalisation:
    base = Normalisation(
        volatile=() if args.no_default_volatile else Normalisation().volatile,
        keep_meta=args.keep_meta,
        outputs_only=not args.all_nodes,
        float_digits=args.float_digits,
    )
    return base.with_volatile(*args.volatile)


def _read_workflow(path: str) -> dict[str, Any]:
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(path, f"expected a JSON object (a workflow or a /prompt body), got {type(data).__name__}")
    return data


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    norm = normalisation_from_args(args)
    a, b = _read_workflow(args.a), _read_workflow(args.b)
    result = diff(a, b, norm)
    if args.delta:
        write_json_atomic(Path(args.delta), result.delta_rows())
    if args.format == "json":
        out.write(result.to_json(with_delta=False) + "\n")
    else:
        out.write(f"a = {args.a}\nb = {args.b}\n{result.to_text()}\n")
    return 0 if result.equal else 1
