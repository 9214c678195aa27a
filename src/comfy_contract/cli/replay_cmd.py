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
    p.set_defaults(run=run)


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    files = reproducer_files(args.paths)
    if not files:
        print("comfy-contract replay: no reproducers found", file=err)
        return 0
    targets: dict[str | None, Target] = {}
    failing = 0
    pruned = 0
    for path in files:
        rep = Reproducer.load(path)
        project = args.project or rep.project
        if project is not None and not Path(project).is_file():
            project = None  # recorded on another machine: search from the cwd
        if project not in targets:
            targets[project] = load_target(project)
        result = replay(rep, targets[project])
        if result.failing:
            failing += 1
            label = "still fails" if result.status == "still-fails" else "fails differently"
            out.write(f"{label}: {path} ({rep.config} [{rep.mode}])\n")
            for failure in result.failures:
                out.write(f"  - {failure.describe()}\n")
            if args.export_test:
                folder = Path(args.export_test)
                folder.mkdir(parents=True, exist_ok=True)
                test = folder / f"test_fuzz_{rep.stem.replace('.', '_').replace('-', '_')}.py"
                write_text_atomic(test, export_pytest(rep))
                out.write(f"  pytest test: {test}\n")
        else:
            out.write(f"fixed: {path} ({rep.config} [{rep.mode}]: {rep.failure.code} no longer occurs)\n")
            if args.prune:
                path.unlink()
                pruned += 1
    summary = {"replayed": len(files), "failing": failing, "fixed": len(files) - failing, "pruned": pruned}
    out.write(f"replay: {json.dumps(summary)}\n")
    if failing and not args.prune:
        out.write("(fixed ones can be deleted with --prune)\n" if len(files) > failing else "")
    return 1 if failing else 0
