"""``comfy-contract snapshot update|check|import|list|prune``: the snapshot lifecycle.

- ``update`` renders every config (or ``--config``) per mode and writes new and drifted snapshots; a full
  update (no ``--config``/``--mode``) also removes the unused ones (``--allow-unused-snapshots`` keeps them).
  It prints the counts (new, updated, unchanged, removed), then one line per snapshot written or removed.
- ``check`` renders and compares: exit 1 on a missing snapshot (S001), drift (S002, with the diff),
  an unreadable file (S004) or an unused snapshot (S003, unless allowed).
- ``import LEGACY.json --config NAME`` stores a legacy workflow after the legacy server's normalisation.
- ``list`` prints the stored snapshots; ``prune`` deletes the unused ones (the only command that deletes).

Workflows come from the project (``comfy-contract.yaml``) or from ``--root DIR`` (a DevServer tree).
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.jsonio import dumps, read_json
from comfy_contract.core.safetext import PrintableStream
from comfy_contract.render.adapters import guarded_render
from comfy_contract.render.model import MODES, Generator
from comfy_contract.snapshot.store import SnapshotStore, UpdateReport

__all__ = ["add_parser", "run"]

DEFAULT_DIR = "legacy_snapshots"
Item = tuple[str, str, Mapping[str, Any]]


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "snapshot",
        help="record, check, import and prune legacy/approved workflow snapshots",
        description="Manage the snapshots in legacy_snapshots/ (one file per config and mode). Exit 0 when "
        "everything is in order, 1 on missing, drifted, unreadable or unused snapshots, 2 on usage errors.",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True, parser_class=type(p))
    update = actions.add_parser("update", help="write new and drifted snapshots from the current rendering")
    check = actions.add_parser("check", help="compare the current rendering with the snapshots")
    prune = actions.add_parser("prune", help="delete snapshots no rendered config uses")
    for q in (update, check, prune):
        _source_options(q)
    for q in (update, check):
        q.add_argument("--config", action="append", metavar="NAME", help="only this config (repeatable)")
        q.add_argument("--mode", action="append", choices=MODES, help="only this mode (repeatable)")
        q.add_argument("--allow-unused-snapshots", action="store_true",
                       help="report unused snapshots without failing (update: keep them instead of removing them)")
    imp = actions.add_parser("import", help="store a legacy workflow as the snapshot of a config")
    imp.add_argument("legacy", metavar="LEGACY.json", help="the legacy server's API-format workflow")
    imp.add_argument("--config", required=True, metavar="NAME", help="the config this workflow is the reference of")
    imp.add_argument("--mode", action="append", choices=MODES, help="mode(s) to store it for (default: all)")
    imp.add_argument("--force", action="store_true", help="replace an existing, different snapshot")
    lst = actions.add_parser("list", help="print the stored snapshots")
    lst.add_argument("--format", choices=("text", "json"), default="text")
    for q in (imp, lst):
        q.add_argument("--dir", metavar="DIR", help="snapshot folder (default: the project's, else legacy_snapshots)")
        q.add_argument("--project", metavar="FILE", help="project file (default: searched upwards from the cwd)")
    for q in (update, check, prune, imp, lst):
        q.set_defaults(run=run)


def _source_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", metavar="DIR", help="snapshot folder (default: the project's, else legacy_snapshots)")
    p.add_argument("--project", metavar="FILE", help="project file (default: searched upwards from the cwd)")
    p.add_argument("--root", metavar="DIR", help="render a DevServer tree (its schemas/ folder) instead of the project")


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    handler = {"update": _update, "check": _check, "import": _import, "list": _list, "prune": _prune}[args.action]
    # config names come from the repository: never raw escape sequences on the terminal
    return handler(args, PrintableStream(out), PrintableStream(err))  # type: ignore[arg-type]


# --- where things come from -------------------------------------------------------------------------


def _project(args: argparse.Namespace, *, required: bool) -> Any:
    from comfy_contract.check.project import find_project_file, load_project

    if args.project or required or find_project_file() is not None:
        return load_project(args.project)
    return None


def _store(args: argparse.Namespace, project: Any) -> SnapshotStore:
    if args.dir:
        return SnapshotStore(args.dir)
    if project is not None and project.snapshots is not None:
        store: SnapshotStore | None = project.snapshot_store()  # with the project's normalisation settings
        if store is not None:
            return store
    return SnapshotStore(DEFAULT_DIR)


def _generator(args: argparse.Namespace) -> tuple[Generator, tuple[str, ...], Any]:
    if args.root:
        from comfy_contract.render.devserver import DevserverGenerator

        project = _project(args, required=False) if args.project else None
        return DevserverGenerator(args.root), MODES, project
    project = _project(args, required=True)
    return project.generator(), tuple(project.modes), project


def _selection(args: argparse.Namespace, gen: Generator, modes: Sequence[str]) -> tuple[list[str], list[str], bool]:
    configs = list(args.config or gen.configs())
    chosen = list(args.mode or modes)
    return configs, chosen, not (args.config or args.mode)


def _rendered(gen: Generator, configs: Sequence[str], modes: Sequence[str], err: TextIO,
              failed: set[tuple[str, str]] | None = None) -> Iterator[Item]:
    """The first workflow of every (config, mode) that submits one; ``failed`` collects those whose
    rendering failed (a broken config keeps its snapshot: it is not unused, it is broken)."""
    for config in configs:
        for mode in modes:
            rendered = guarded_render(gen, config, mode)
            if rendered.outcome == "error" and failed is not None:
                failed.add((config, mode))
            if rendered.outcome != "workflow" or not rendered.submissions:
                continue
            if len(rendered.submissions) > 1:
                print(f"note: {config!r} [{mode}] submits {len(rendered.submissions)} workflows; "
                      "the snapshot holds the first", file=err)
            yield config, mode, rendered.submissions[0].workflow


# --- actions ---------------------------------------------------------------------------------------


def _update(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    gen, modes, project = _generator(args)
    store = _store(args, project)
    configs, chosen, everything = _selection(args, gen, modes)
    seen: set[tuple[str, str]] = set()
    failed: set[tuple[str, str]] = set()

    def items() -> Iterator[Item]:
        for item in _rendered(gen, configs, chosen, err, failed):
            seen.add((item[0], item[1]))
            yield item

    report = store.update(items())
    problems: tuple[Finding, ...] = ()
    if everything:
        # a full update removes the snapshots no config uses any more (prune: only readable snapshot files of
        # the store, never unreadable ones, never those of a config whose rendering failed this time);
        # --allow-unused-snapshots keeps them
        if args.allow_unused_snapshots:
            problems = store.unused(seen | failed)
        else:
            report = report.merge(store.prune(seen | failed))
            problems = tuple(f for f in store.unused(seen | failed) if f.code != "S003")
    out.write("\n".join(report.lines()) + "\n")
    return _finish(problems, args.allow_unused_snapshots, out)


def _check(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    gen, modes, project = _generator(args)
    store = _store(args, project)
    configs, chosen, everything = _selection(args, gen, modes)
    seen: set[tuple[str, str]] = set()
    findings: list[Finding] = []
    for config, mode, workflow in _rendered(gen, configs, chosen, err):
        seen.add((config, mode))
        findings.extend(store.check(config, mode, workflow))
    if everything:
        findings.extend(store.unused(seen))
    matched = len(seen) - len({f.file for f in findings if f.code in ("S001", "S002", "S004")})
    out.write(f"snapshots: {len(seen)} checked, {matched} matching, {len(findings)} finding(s)\n")
    return _finish(findings, args.allow_unused_snapshots, out)


def _finish(findings: Sequence[Finding], allow_unused: bool, out: TextIO) -> int:
    failed = False
    for f in findings:
        out.write(f"{f.code} {f.severity}: {f.message}\n")
        failed = failed or f.severity is Severity.ERROR or (f.code == "S003" and not allow_unused)
    return 1 if failed else 0


def _import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    store = _store(args, _project(args, required=False))
    data = read_json(args.legacy)
    if not isinstance(data, dict):
        raise InputError(args.legacy, f"expected an API-format workflow (a JSON object), got {type(data).__name__}")
    report = UpdateReport()
    for mode in args.mode or MODES:
        report = report.merge(store.import_legacy(data, args.config, mode, legacy_file=Path(args.legacy).as_posix(),
                                                  force=args.force))
    out.write("\n".join(report.lines()) + "\n")
    return 0


def _list(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    store = _store(args, _project(args, required=False))
    rows: list[dict[str, Any]] = []
    bad = 0
    for path, snap, problem in store.entries():
        if snap is None:
            bad += 1
            rows.append({"file": str(path), "error": problem.message if problem else "unreadable"})
            continue
        rows.append({"file": str(path), "config": snap.config, "mode": snap.mode, "source": snap.source,
                     "approved_drift": snap.approved_drift is not None, "legacy_file": snap.legacy_file})
    if args.format == "json":
        out.write(dumps(rows, indent=2) + "\n")
    else:
        for row in rows:
            if "error" in row:
                out.write(f"{row['file']}: unreadable: {row['error']}\n")
            else:
                drift = " (approved drift)" if row["approved_drift"] else ""
                out.write(f"{row['config']} [{row['mode']}]  {row['source']}{drift}  {row['file']}\n")
        out.write(f"{len(rows)} snapshot file(s) in {str(store.directory)!r}\n")
    return 1 if bad else 0


def _prune(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    gen, modes, project = _generator(args)
    store = _store(args, project)
    if not store.directory.is_dir():
        raise ComfyContractError(f"no snapshot folder {str(store.directory)!r}", hint="pass --dir DIR")
    seen = {(c, m) for c, m, _ in _rendered(gen, list(gen.configs()), list(modes), err)}
    report = store.prune(seen)
    out.write("\n".join(report.lines()) + "\n")
    return 0
