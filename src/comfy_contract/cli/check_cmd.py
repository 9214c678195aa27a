"""``comfy-contract check [PATH]``: the pre-merge gate.

Renders every config of the project in every mode, validates each workflow against every backend's
catalog, lints it, applies the per-config contracts, diffs it against its snapshot and applies the
baseline; then prints one report. Exit 0 clean, 1 findings at or above ``--fail-on``, 2 usage/input
errors or checks that could not run. See docs/check.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.check.engine import (
    CHECK_NAMES,
    ConfigChecked,
    Engine,
    Event,
    RunStarted,
    Selection,
    suite_from_project,
)
from comfy_contract.check.results import FAIL_ON, PROJECT, CheckResult, Report, fails, parse_fail_on
from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.core.jsonio import write_text_atomic
from comfy_contract.core.safetext import printable
from comfy_contract.core.shard import Shard, parse_shard
from comfy_contract.report.formats import FORMATS, parse_writes, render_report
from comfy_contract.report.text import report_text, summary_line


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="the pre-merge gate: render, validate, lint, contracts, snapshots, baseline",
        description="Check every config of the project against every backend and print one report. "
        "Exit 0 clean, 1 findings at or above --fail-on, 2 usage or input errors.",
    )
    p.add_argument("path", nargs="?", metavar="PATH",
                   help="project file, or a folder to search upwards from (default: the current folder)")
    p.add_argument("--project", metavar="FILE",
                   help="the project file, as for the other commands (the same as PATH)")
    p.add_argument("--config", action="append", default=[], metavar="NAME",
                   help="only configs with this name or glob (repeatable)")
    p.add_argument("--shard", metavar="I/N",
                   help="only shard I of N (1-based): the configs whose name hashes (SHA-256) to it; the same on "
                   "every machine, so N CI jobs with --shard 1/N ... N/N check every config once (docs/ci.md)")
    p.add_argument("--mode", action="append", default=[], metavar="MODE", help="only this execution mode (repeatable)")
    p.add_argument("--backend", action="append", default=[], metavar="NAME",
                   help="only this backend of the project (repeatable)")
    p.add_argument("--check", action="append", default=[], choices=CHECK_NAMES, dest="checks",
                   help="only this check (repeatable)")
    p.add_argument("--format", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--write", action="append", default=[], metavar="FORMAT=FILE",
                   help="also write a report in FORMAT to FILE (repeatable), e.g. --write sarif=check.sarif")
    p.add_argument("--fail-on", choices=FAIL_ON, default="error",
                   help="lowest severity that fails the check (default: error; never: report only)")
    changed = p.add_mutually_exclusive_group()
    changed.add_argument("--changed-since", metavar="REF",
                         help="only configs rendered from files changed since git REF (e.g. origin/main)")
    changed.add_argument("--changed-files", nargs="*", metavar="FILE",
                         help="only configs rendered from these files (what pre-commit passes)")
    p.add_argument("--no-baseline", action="store_true", help="ignore the project's baseline file")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="show configs done/total on stderr (default: when stderr is a terminal)")
    p.add_argument("--verbose", "-v", action="store_true", help="also show findings below --fail-on")
    p.add_argument("--list", action="store_true", help="list the project's configs, modes, backends and exit")
    p.add_argument("--live", action="store_true",
                   help="also pull /object_info from every backend with a `url` and report drift (D codes)")
    p.add_argument("--submit", action="store_true",
                   help="with --live: also POST every rendered submission to the server (it RUNS them) and "
                   "report answers that differ from the offline verdict (D020)")
    p.add_argument("--capture", action=argparse.BooleanOptionalAction, default=None,
                   help="run the app's own code (the project's `capture:` section) and check what it really submits, "
                   "with drift from the static rendering as R019 (default: when the project configures capture)")
    p.set_defaults(run=run)


def _load(path: str | None) -> Any:
    from comfy_contract.check.project import load_project

    if path is None:
        return load_project()
    target = Path(path)
    if target.is_dir():
        return load_project(start=target)
    if not target.exists():
        raise InputError(path, "no such file or folder",
                         hint="pass a comfy-contract.yaml, a pyproject.toml, or a folder containing one")
    return load_project(target)


class _Progress:
    def __init__(self, err: TextIO, tty: bool) -> None:
        self.err = err
        self.tty = tty

    def __call__(self, event: Event) -> None:
        if isinstance(event, RunStarted):
            if event.note:
                self.err.write(f"comfy-contract: {event.note}\n")
        elif isinstance(event, ConfigChecked):
            text = printable(f"[{event.done}/{event.total}] {event.config} ({event.mode})", newlines=False)
            if self.tty:
                self.err.write("\r\x1b[K" + text + ("\n" if event.done == event.total else ""))
            else:
                self.err.write(text + "\n")
            self.err.flush()


def _write_file(path: Path, text: str) -> None:
    write_text_atomic(path, text)  # never an empty or half-written report; devices and links are refused


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    fail_on = parse_fail_on(args.fail_on)
    writes = parse_writes(args.write, example="check.sarif")
    shard = parse_shard(args.shard) if args.shard is not None else None  # before loading anything: exit 2 fast
    if args.project is not None:
        if args.path is not None and args.path != args.project:
            raise ComfyContractError(f"check got two projects: PATH {args.path!r} and --project {args.project!r}",
                                     hint="pass one of them")
        args.path = args.project
    project = _load(args.path)
    suite = suite_from_project(project, project_arg=args.path, use_baseline=not args.no_baseline)
    if args.capture or (args.capture is None and project.capture_spec):
        from comfy_contract.live.capture import captured_suite

        suite = captured_suite(suite, project)
    restore = _tune_gc()
    try:
        return _run(args, out, err, project, suite, fail_on, writes, shard)
    finally:
        restore()
        close = getattr(suite.generator, "close", None)
        if callable(close):
            close()


#: (config, mode) pairs between two ``gc.freeze()`` calls during a run
_FREEZE_EVERY = 500


def _tune_gc() -> Callable[[], None]:
    """A run keeps every render, result and the catalogs alive to the end: Python's cyclic collector would
    walk all of them again and again (a full collection costs O(heap) and their number grows with the run:
    12% of the CPU time at 1,000 configs, 15% at 4,000 - what made 10,000 superlinear; 4-6% with this). What is
    loaded so far (the project, the catalogs) is frozen out of collection - and again every _FREEZE_EVERY checked
    (config, mode) pairs, whose renders and results live to the report - and young collections run less often; the
    check creates little cyclic garbage (reference counting frees the rest at once). Returns the function that
    undoes it (``check`` also runs in-process: tests, other tools). ``COMFY_CONTRACT_GC=default`` leaves the
    collector alone (to compare)."""
    import gc
    import os

    if os.environ.get("COMFY_CONTRACT_GC") == "default":
        return lambda: None
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 7000), *threshold[1:])

    def restore() -> None:
        gc.set_threshold(*threshold)
        gc.unfreeze()

    return restore


def _run(args: argparse.Namespace, out: TextIO, err: TextIO, project: Any, suite: Any, fail_on: Any,
         writes: list[tuple[str, Path]], shard: Shard | None = None) -> int:
    engine = Engine(suite, fail_on=fail_on)
    if args.list:
        configs = engine.configs() if shard is None else shard.pick(engine.configs())
        if shard is not None:
            out.write(shard.describe(len(configs), len(engine.configs())) + "\n")
        out.write("configs:  " + " ".join(configs) + "\n")
        out.write("modes:    " + " ".join(suite.modes) + "\n")
        out.write("backends: " + " ".join(suite.backends) + "\n")
        out.write("checks:   " + " ".join(suite.checks) + "\n")
        return 0
    changed: tuple[str, ...] | None = None
    if args.changed_since is not None:
        from comfy_contract.check.gitchanges import changed_since

        changed = changed_since(args.changed_since)
    elif args.changed_files is not None:
        changed = tuple(args.changed_files)
    selection = Selection(configs=tuple(args.config), modes=tuple(args.mode), backends=tuple(args.backend),
                          checks=tuple(args.checks), changed_files=changed, shard=shard)
    is_tty = bool(getattr(err, "isatty", lambda: False)())
    show = args.progress if args.progress is not None else is_tty and err is sys.stderr
    progress = _Progress(err, is_tty) if show else None

    def on_event(event: Event) -> None:
        if isinstance(event, ConfigChecked) and event.done % _FREEZE_EVERY == 0:
            import gc

            gc.freeze()  # what was checked so far lives to the report: out of the collector's way (_tune_gc)
        if progress is not None:
            progress(event)

    report: Report = engine.report(selection, on_event=on_event)
    live_text_block = ""
    if args.live or args.submit:  # drift and server answers are results of the report, in every format
        live_results, live_text_block = _live(args, project, engine, suite, fail_on)
        report = replace(report, results=report.results + live_results)
    text = render_report(report, args.format) if args.format != "text" else _text(report, args.verbose)
    if args.output:
        _write_file(Path(args.output), text)
    else:
        out.write(text)
    for fmt, path in writes:
        _write_file(path, render_report(report, fmt))
    if live_text_block:
        (out if args.format == "text" and not args.output else err).write(live_text_block)
    if args.output or args.format != "text":
        err.write(summary_line(report) + "\n")
    return report.exit_code


def _live(args: argparse.Namespace, project: Any, engine: Engine, suite: Any,
          fail_on: Any) -> tuple[tuple[CheckResult, ...], str]:
    """``--live`` / ``--submit`` (live/checklive.py): drift and server answers per backend with a URL, as
    project results (config and mode ``*``, check ``live``) and the text block the text report shows."""
    from comfy_contract.live.checklive import live_check, live_text

    if args.submit and not args.live:
        raise ComfyContractError("--submit needs --live", hint="comfy-contract check --live --submit")
    wanted = args.backend or list(project.backend_specs)
    backends = {name: (suite.backends[name], project.backend_specs[name].url) for name in wanted}
    if not any(url for _catalog, url in backends.values()):
        raise ComfyContractError("--live: no selected backend has a `url` in the project file",
                                 hint="add `url: http://127.0.0.1:8188` to a backend (docs/live.md)")

    def bodies() -> Any:
        configs, modes, _backends, _checks = engine.resolve(Selection(configs=tuple(args.config),
                                                                      modes=tuple(args.mode)))
        for config in configs:
            for mode in modes:
                rendered = engine.rendered(config, mode)
                for sub in getattr(rendered, "submissions", ()):
                    if getattr(sub, "transport", "comfyui") == "comfyui":
                        yield config, mode, sub.body

    results = live_check(backends, submit=args.submit, bodies=bodies)
    checked = tuple(
        CheckResult(PROJECT, PROJECT, r.backend, "live", "fail" if fails(r.findings, fail_on) else "pass",
                    r.findings, reproduce=f"comfy-contract check --live --backend {r.backend}"
                    + (" --submit" if args.submit else ""))
        for r in results)
    return checked, live_text(results, verbose=args.verbose)


def _text(report: Report, verbose: bool) -> str:
    return report_text(report, verbose=verbose)
