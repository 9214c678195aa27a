"""``comfy-contract diff A.json B.json``: a graph-aware diff of two workflows.

Everything is compared unless a flag (``--volatile``, ``--default-volatile``) or a snapshot file's own
normalisation says otherwise; what a rule hides is still listed, marked ignored with the rule. Exit 0 when
the canonical graphs are equal, 1 when they differ, 2 on usage or input errors.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.errors import InputError
from comfy_contract.core.jsonio import read_json, write_json_atomic
from comfy_contract.snapshot.canonical import DEFAULT_TEXT_SOURCES, DEFAULT_VOLATILE, Normalisation
from comfy_contract.snapshot.diff import diff

__all__ = ["add_parser", "normalisation_from_args", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "diff",
        help="graph-aware diff of two workflows (node ids may differ)",
        description="Compare two API-format workflows (or /prompt bodies, or snapshot files) as graphs: nodes "
        "are matched one to one so that the changes are as few as possible, so renumbered or reordered "
        "workflows are equal. Everything is compared unless --volatile/--default-volatile or a snapshot "
        "file's normalisation hides a value; hidden differences are listed as ignored. Exit 0 if equal, "
        "1 if different, 2 on usage errors.",
    )
    p.add_argument("a", metavar="A.json", help="the reference workflow (e.g. the legacy one, or a snapshot file)")
    p.add_argument("b", metavar="B.json", help="the workflow to compare with it")
    p.add_argument("--format", choices=("text", "json", "html"), default="text",
                   help="html: one self-contained page with both graphs and the changes in colour")
    p.add_argument("--view", choices=("changes", "nodes"), default="changes",
                   help="text: one line per change, or one line per node with [-old-]{+new+} words")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--delta", metavar="FILE", help="also write the deepdiff Delta (JSON flat rows) A -> B to FILE")
    add_normalisation_options(p)
    p.set_defaults(run=run)


def add_normalisation_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--volatile", action="append", default=[], metavar="RULE",
                   help="also treat inputs matching RULE as volatile: 'Class.input' or '@Title.input' (repeatable)")
    p.add_argument("--default-volatile", action="store_true",
                   help="hide seeds, filename prefixes, prompt texts and LLM nodes (the snapshot defaults)")
    p.add_argument("--no-default-volatile", action="store_true",
                   help="compare everything, even against a snapshot file's own rules")
    p.add_argument("--keep-meta", action="store_true", help="compare node _meta (titles) too")
    p.add_argument("--all-nodes", action="store_true", help="keep nodes that feed no output")
    p.add_argument("--float-digits", type=int, default=6, metavar="N",
                   help="compare floats to N significant digits (default 6)")


def normalisation_from_args(args: argparse.Namespace, base: Normalisation | None = None) -> Normalisation:
    """The flags' normalisation; ``base`` (a snapshot file's rules) applies unless --no-default-volatile.
    Without either, nothing is volatile: the diff compares everything."""
    use_defaults = getattr(args, "default_volatile", False)
    if base is not None and not args.no_default_volatile and not use_defaults:
        volatile, sources = base.volatile, base.text_sources
    elif use_defaults and not args.no_default_volatile:
        volatile, sources = DEFAULT_VOLATILE, DEFAULT_TEXT_SOURCES
    else:
        volatile, sources = (), ()
    norm = Normalisation(
        volatile=volatile,
        text_sources=sources,
        keep_meta=args.keep_meta,
        outputs_only=not args.all_nodes,
        float_digits=args.float_digits,
    )
    return norm.with_volatile(*args.volatile)


def _read_workflow(path: str) -> tuple[dict[str, Any], Normalisation | None]:
    """The workflow in ``path`` and, for a snapshot file, the snapshot's normalisation."""
    data = read_json(path)
    if not isinstance(data, dict):
        raise InputError(path, f"expected a JSON object (a workflow or a /prompt body), got {type(data).__name__}")
    if data.get("format") == "comfy-contract/snapshot":
        from comfy_contract.snapshot.store import Snapshot

        snap = Snapshot.from_dict(data, source=path)
        return dict(snap.workflow), snap.normalisation
    return data, None


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    (a, norm_a), (b, norm_b) = _read_workflow(args.a), _read_workflow(args.b)
    norm = normalisation_from_args(args, norm_a or norm_b)
    result = diff(a, b, norm)
    if args.delta:
        write_json_atomic(Path(args.delta), result.delta_rows())
    if args.format == "json":
        text = result.to_json(with_delta=False) + "\n"
    elif args.format == "html":
        from comfy_contract.report.html import diff_html

        text = diff_html(result, a, b, names=(args.a, args.b))
    else:
        text = f"a = {args.a}\nb = {args.b}\n{result.to_text(view=args.view)}\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        err.write(f"{result.summary()}\nwrote {args.output}\n")
    else:
        out.write(text)
    return 0 if result.equal else 1
