"""``comfy-contract replay PATH...``: re-run reproducers written by ``hunt``; say which still fail.

Exit 0 when every reproducer is fixed, 1 when any still fails (or fails differently), 2 on usage
errors. ``--prune`` deletes the fixed ones.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.jsonio import write_text_atomic
from comfy_contract.fuzz.reproducer import Reproducer, export_pytest, replay, reproducer_files
from comfy_contract.fuzz.target import Target, load_target

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "replay",
        help="re-run reproducers written by `hunt` and say whether they still fail",
        description="Re-render each reproducer's config with its recorded inputs and check it again. A folder "
        "stands for its *.json files. Exit 0 if every reproducer is fixed, 1 if any still fails, 2 on usage "
        "errors.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="reproducer files or folders")
    p.add_argument("--project", metavar="FILE", help="project file (default: the one recorded, else searched)")
    p.add_argument("--prune", action="store_true", help="delete reproducers that no longer fail")
    p.add_argument("--export-test", metavar="DIR", help="write each still-failing reproducer as a pytest test")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default): one line per reproducer and a summary; json: one JSON document")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    from comfy_contract.fuzz.survivors import is_survivor_file

    listed = reproducer_files(args.paths)
    mutants = [f for f in listed if is_survivor_file(f)]  # `hunt --mutate` survivor files (fuzz/survivors.py)
    files = [f for f in listed if f not in mutants]
    if mutants:
        return _run_mutants(args, out, mutants, files)
    as_json = args.format == "json"
    if not files:
        print("comfy-contract replay: no reproducers found", file=err)
        if as_json:
            out.write(json.dumps({"replayed": 0, "failing": 0, "fixed": 0, "pruned": 0, "results": []}) + "\n")
        return 0
    targets: dict[str | None, Target] = {}
    failing = 0
    pruned = 0
    rows: list[dict[str, Any]] = []
    for path in files:
        rep = Reproducer.load(path)
        found = Path(args.project) if args.project else rep.project_file()  # None: searched from the cwd
        project = str(found) if found is not None else None
        if project not in targets:
            targets[project] = load_target(project)
        result = replay(rep, targets[project])
        row: dict[str, Any] = {"file": str(path), "config": rep.config, "mode": rep.mode, "status": result.status,
                               "recorded": rep.failure.code,
                               "failures": [f.describe() for f in result.failures]}
        if result.failing:
            failing += 1
            label = "still fails" if result.status == "still-fails" else "fails differently"
            lines = [f"{label}: {path} ({rep.config} [{rep.mode}])",
                     *(f"  - {failure.describe()}" for failure in result.failures)]
            if args.export_test:
                folder = Path(args.export_test)
                folder.mkdir(parents=True, exist_ok=True)
                test = folder / f"test_fuzz_{rep.stem.replace('.', '_').replace('-', '_')}.py"
                write_text_atomic(test, export_pytest(rep, test.parent))
                lines.append(f"  pytest test: {test}")
                row["pytest_test"] = str(test)
        else:
            lines = [f"fixed: {path} ({rep.config} [{rep.mode}]: {rep.failure.code} no longer occurs)"]
            if args.prune:
                path.unlink()
                pruned += 1
                row["pruned"] = True
                lines[0] += " - deleted"
        rows.append(row)
        if not as_json:
            out.write("\n".join(lines) + "\n")
    fixed = len(files) - failing
    if as_json:
        summary = {"replayed": len(files), "failing": failing, "fixed": fixed, "pruned": pruned, "results": rows}
        out.write(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
        return 1 if failing else 0
    parts = [f"{len(files)} reproducer(s) replayed", f"{failing} still failing", f"{fixed} fixed"]
    if args.prune:
        parts.append(f"{pruned} deleted")
    out.write(f"replay: {', '.join(parts)}\n")
    if failing and fixed and not args.prune:
        out.write("(fixed ones can be deleted with --prune)\n")
    return 1 if failing else 0


def _run_mutants(args: argparse.Namespace, out: TextIO, mutants: list[Path], others: list[Path]) -> int:
    """Replay ``hunt --mutate`` survivor files: make each edit again and classify it with the current gate."""
    from comfy_contract.core.errors import ComfyContractError
    from comfy_contract.fuzz.survivors import replay_survivors

    if others:
        raise ComfyContractError("replay got both survivor files of `hunt --mutate` and `hunt` reproducers",
                                 hint="replay them in two commands (e.g. .comfy-contract/mutants and "
                                 ".comfy-contract/crashes)")
    if args.export_test:
        raise ComfyContractError("--export-test is for `hunt` reproducers, not survivor files of `hunt --mutate`")
    rows, lines, failing = replay_survivors(mutants, project=args.project, prune=args.prune)
    fixed = len(mutants) - failing
    if args.format == "json":
        out.write(json.dumps({"replayed": len(mutants), "failing": failing, "fixed": fixed,
                              "pruned": sum(1 for r in rows if r.get("pruned")), "results": rows},
                             indent=2, ensure_ascii=False) + "\n")
        return 1 if failing else 0
    out.write("\n".join(lines) + "\n")
    out.write(f"replay: {len(mutants)} surviving edit(s) replayed, {failing} still survive, {fixed} no longer"
              + (" - deleted" if args.prune and fixed else "") + "\n")
    return 1 if failing else 0
