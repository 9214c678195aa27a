"""``comfy-contract hunt``: a time- or example-boxed Hypothesis campaign over every config.

Failures go to stdout (config, mode, minimal inputs, the replay command) and to one reproducer file
each in the crash folder; progress goes to stderr. Exit 0 when nothing input-dependent was found,
1 when something was, 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import ensure_writable_folder, write_text_atomic
from comfy_contract.core.safetext import PrintableStream
from comfy_contract.core.shard import parse_shard
from comfy_contract.fuzz.campaign import (
    ConfigFinished,
    Event,
    FailureFound,
    HuntFinished,
    HuntOptions,
    HuntStarted,
    Progress,
    hunt,
    select_configs,
)
from comfy_contract.fuzz.profiles import DEFAULT_DATABASE, ENV_DATABASE, database_from_spec
from comfy_contract.fuzz.reproducer import Reproducer, export_pytest
from comfy_contract.fuzz.space import default_adapter_space
from comfy_contract.fuzz.target import load_target
from comfy_contract.report.formats import FORMATS, parse_writes

__all__ = ["add_parser", "parse_budget", "run"]

_TIME = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h)$")
_UNITS = {"s": 1.0, "m": 60.0, "h": 3600.0}


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "hunt",
        help="fuzz every config's inputs with Hypothesis; write each failure as a reproducer",
        description="Draw requests (user text, LLM answers, custom placeholders, parameters, modes, output "
        "configs, seeds) from the input space in generators/*.yaml, render, validate against every backend "
        "and lint; shrink each input-dependent failure to a minimal request and write it to the crash folder. "
        "Failures that the default inputs already have are static (`comfy-contract check` reports them) and "
        "are skipped unless --include-static. Exit 0 if nothing was found, 1 if something was, 2 on usage "
        "errors.",
    )
    p.add_argument("--project", metavar="FILE", help="project file (default: searched upwards from the cwd)")
    p.add_argument("--config", action="append", default=[], metavar="GLOB", help="only configs matching GLOB "
                   "(repeatable)")
    p.add_argument("--shard", metavar="I/N",
                   help="only shard I of N (1-based) of the configs, chosen by the SHA-256 of each name - the same "
                   "split as `check --shard`, on every machine (docs/ci.md); the budget is this shard's")
    p.add_argument("--list", action="store_true", help="print the configs this run would hunt (after --config "
                   "and --shard) and exit")
    p.add_argument("--budget", default="60s", metavar="60s|N",
                   help="time (60s, 5m, 1h) or number of examples for the whole campaign (default 60s)")
    p.add_argument("--seed", type=int, default=None, help="campaign seed (default: random, printed)")
    p.add_argument("--jobs", type=int, default=1, metavar="N", help="worker processes (default 1)")
    p.add_argument("--crash-dir", default=".comfy-contract/crashes", metavar="DIR",
                   help="where reproducers are written (default .comfy-contract/crashes)")
    p.add_argument("--database", metavar="DIR|redis://HOST:PORT/DB|none", default=None,
                   help=f"Hypothesis example database (default: ${ENV_DATABASE} or {DEFAULT_DATABASE})")
    p.add_argument("--space", action="append", metavar="FILE", help="input-space YAML (default generators/*.yaml)")
    p.add_argument("--include-static", action="store_true",
                   help="also report failures the default inputs have")
    p.add_argument("--snapshots", action="store_true", help="also check each graph against its snapshot")
    p.add_argument("--no-lints", action="store_true", help="skip the error-lint property")
    p.add_argument("--derandomize", action="store_true", help="same examples on every run (for CI)")
    p.add_argument("--export-tests", metavar="DIR", help="also write each failure as a pytest test into DIR")
    m = p.add_argument_group("mutation testing of the gate (--mutate; docs/fuzzing.md)")
    m.add_argument("--mutate", action="store_true",
                   help="edit the app's configs, pipelines and chunks instead of its requests: does `check` "
                   "notice each edit that changes what is submitted? Exit 1 when an edit survives")
    m.add_argument("--max-mutants", type=int, default=None, metavar="N", help="classify at most N mutants")
    m.add_argument("--operator", action="append", default=[], metavar="NAME",
                   help="only this mutation operator (repeatable)")
    m.add_argument("--fail-on", choices=("info", "warning", "error"), default="error",
                   help="the gate's --fail-on: a mutant is killed by a new finding at or above it (default error)")
    m.add_argument("--format", choices=FORMATS, default="text", help="--mutate report format (default text)")
    m.add_argument("--output", "-o", metavar="FILE", help="--mutate: write the report to FILE, not standard output")
    m.add_argument("--write", action="append", default=[], metavar="FORMAT=FILE",
                   help="--mutate: also write a report in FORMAT to FILE (repeatable), e.g. --write sarif=mut.sarif")
    m.add_argument("--survivor-dir", default=".comfy-contract/mutants", metavar="DIR",
                   help="--mutate: where each surviving edit is written with its replay command "
                   "(default .comfy-contract/mutants)")
    m.add_argument("--mutate-files", action="append", default=[], metavar="GLOB",
                   help="--mutate, adapter apps: also edit these data files (relative to the project folder; "
                   "for a command adapter, whose reads are not seen)")
    p.set_defaults(run=run)


def parse_budget(text: str) -> tuple[float | None, int | None]:
    """``"60s"`` -> (60.0, None); ``"2m"`` -> (120.0, None); ``"500"`` -> (None, 500)."""
    value = text.strip().lower()
    match = _TIME.match(value)
    if match:
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
        if seconds > 0:
            return seconds, None
    elif value.isdigit() and int(value) > 0:
        return None, int(value)
    raise ComfyContractError(f"--budget {text!r} is neither a duration nor a number of examples",
                             hint="use e.g. --budget 60s, --budget 5m or --budget 2000")


class _Display:
    """Renders campaign events: failures to ``out``, progress to ``err``."""

    def __init__(self, out: TextIO, err: TextIO, export: Path | None, include_static: bool = False) -> None:
        self.out, self.err, self.export = out, err, export
        self.kind = "" if include_static else "input-dependent "
        self.tty = bool(getattr(err, "isatty", lambda: False)())
        self.dirty = False
        self.shard = ""

    def _progress(self, text: str) -> None:
        if self.tty:
            self.err.write("\r\x1b[2K" + text)
            self.dirty = True
        else:
            self.err.write(text + "\n")
        self.err.flush()

    def _clear(self) -> None:
        if self.dirty:
            self.err.write("\r\x1b[2K")
            self.dirty = False

    def __call__(self, event: Event) -> None:
        if isinstance(event, HuntStarted):
            budget = f"{event.seconds:g}s" if event.seconds is not None else f"{event.examples} examples"
            which = (f"{len(event.configs)} configs" if event.shard is None
                     else event.shard.describe(len(event.configs), event.selected))
            self.shard = "" if event.shard is None else f" (shard {event.shard})"
            self.err.write(f"comfy-contract hunt: seed {event.seed} (rerun with --seed {event.seed}); "
                           f"{which}, budget {budget}, {event.jobs} job(s)\n")
        elif isinstance(event, Progress):
            if event.current is not None and not self.tty:
                return  # mid-config ticks only on a terminal
            where = f", now {event.current}" if event.current else ""
            self._progress(f"configs {event.configs_done}/{event.configs_total}, {event.examples} examples "
                           f"({event.rate:.0f}/s), {event.failures} failure(s){where}")
        elif isinstance(event, FailureFound):
            self._clear()
            rep = Reproducer.load(event.path)
            self.out.write(f"FAIL {event.config} [{event.mode}] after {event.elapsed:.1f}s: "
                           f"{event.failure.describe()}\n")
            self.out.write(f"  minimal inputs: {json.dumps(_short_inputs(rep), ensure_ascii=False)}\n")
            if rep.comfyui is not None:
                self.out.write(f"  ComfyUI would answer: {json.dumps(rep.comfyui, ensure_ascii=False)[:400]}\n")
            self.out.write(f"  reproducer: {event.path}\n  Reproduce with: {rep.replay_command(event.path)}\n")
            if self.export is not None:
                self.export.mkdir(parents=True, exist_ok=True)
                test = self.export / f"test_fuzz_{rep.stem.replace('.', '_').replace('-', '_')}.py"
                write_text_atomic(test, export_pytest(rep, test.parent))
                self.out.write(f"  pytest test: {test}\n")
            self.out.flush()
        elif isinstance(event, ConfigFinished) and event.skipped and not self.tty:
            self.err.write(f"  {event.config}: skipped ({event.skipped})\n")
        elif isinstance(event, HuntFinished):
            self._clear()
            self.out.write(f"hunt: {event.configs} configs{self.shard}, {event.examples} examples in "
                           f"{event.seconds:.1f}s ({event.rate:.0f}/s), {len(event.reproducers)} "
                           f"{self.kind}failure(s), seed {event.seed}\n")
            if event.static and self.kind:
                names = ", ".join(sorted(event.static))
                self.out.write(f"static: {len(event.static)} config(s) already fail with the default inputs "
                               f"({names}); `comfy-contract check` reports them, --include-static hunts them "
                               "too\n")


def _short_inputs(rep: Reproducer) -> dict[str, Any]:
    data = rep.inputs.to_dict()
    keep: dict[str, Any] = {"mode": rep.mode}
    for key, value in data.items():
        if key == "client_id" or value in ({}, None):
            continue
        keep[key] = value
    return keep


def run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    seconds, examples = parse_budget(args.budget)
    if args.mutate:
        if args.shard is not None or args.list:
            raise ComfyContractError("--shard and --list do not go with --mutate",
                                     hint="drop them, or narrow the mutants with --config")
        if args.jobs < 1:
            raise ComfyContractError(f"--jobs {args.jobs!r} must be at least 1")
        return _mutate(args, out, err, seconds, examples)
    if (args.max_mutants is not None or args.operator or args.format != "text" or args.output or args.write
            or args.mutate_files or args.survivor_dir != ".comfy-contract/mutants"):
        raise ComfyContractError("--max-mutants, --operator, --format, --output, --write, --survivor-dir and "
                                 "--mutate-files go with --mutate", hint="add --mutate, or drop them")
    if args.jobs < 1:
        raise ComfyContractError(f"--jobs {args.jobs!r} must be at least 1")
    shard = parse_shard(args.shard) if args.shard is not None else None
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    target = load_target(args.project, space_files=args.space, snapshots=args.snapshots, lints=not args.no_lints)
    if args.list:
        selected = select_configs(target.configs(), args.config)
        picked = selected if shard is None else shard.pick(selected)
        if shard is not None:
            out.write(shard.describe(len(picked), len(selected)) + "\n")
        PrintableStream(out).write("".join(f"{name}\n" for name in picked))
        return 0
    if target.space.files == default_adapter_space().files:
        err.write("input space: none in generators/, so the built-in one for adapter apps (user text with blank "
                  "text, braces and {{X}}, long and non-ASCII text; a seed); add generators/*.yaml to change it\n")
    import os

    database = args.database if args.database is not None else os.environ.get(ENV_DATABASE, DEFAULT_DATABASE)
    database_from_spec(database)  # a bad database or an unwritable folder: exit 2 now, not after the budget
    ensure_writable_folder(args.crash_dir, what="crash folder (--crash-dir)")
    if args.export_tests:
        ensure_writable_folder(args.export_tests, what="--export-tests folder")
    options = HuntOptions(
        seconds=seconds, examples=examples, seed=seed, jobs=args.jobs, configs=tuple(args.config),
        include_static=args.include_static, crash_dir=args.crash_dir, database=database,
        derandomize=args.derandomize, project=target.project_file,
        space_files=tuple(args.space) if args.space else None, snapshots=args.snapshots, lints=not args.no_lints,
        shard=shard,
    )
    shown: Any = PrintableStream(out)  # config names and inputs from the repository: escapes shown, not run
    result = hunt(target, options, _Display(shown, err, Path(args.export_tests) if args.export_tests else None,
                                           args.include_static))
    return 1 if result.reproducers else 0


def _mutate(args: argparse.Namespace, out: TextIO, err: TextIO, seconds: float | None, examples: int | None) -> int:
    from comfy_contract.check.engine import suite_from_project
    from comfy_contract.check.project import load_project
    from comfy_contract.check.results import parse_fail_on
    from comfy_contract.fuzz.mutate import MutationOptions, mutation_campaign
    from comfy_contract.fuzz.mutation_report import render_mutation
    from comfy_contract.fuzz.survivors import write_survivors

    if args.max_mutants is not None and args.max_mutants < 1:
        raise ComfyContractError(f"--max-mutants {args.max_mutants!r} must be at least 1")
    writes = parse_writes(args.write, example="mutants.sarif")
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    project = load_project(args.project)
    root = project.file.resolve().parent
    suite = suite_from_project(project, project_arg=args.project, root=root)
    ensure_writable_folder(args.survivor_dir, what="survivor folder (--survivor-dir)")
    options = MutationOptions(seconds=seconds, examples=examples, max_mutants=args.max_mutants, seed=seed,
                              configs=tuple(args.config), operators=tuple(args.operator),
                              fail_on=parse_fail_on(args.fail_on), files=tuple(args.mutate_files))
    budget = f"{seconds:g}s" if seconds is not None else f"{examples} examples"
    err.write(f"comfy-contract hunt --mutate: seed {seed} (rerun with --seed {seed}); budget {budget}\n")

    def progress(text: str) -> None:
        err.write(text + "\n")
        err.flush()

    if args.jobs > 1:
        from comfy_contract.fuzz.mutate import select_configs
        from comfy_contract.fuzz.mutate_jobs import mutation_campaign_jobs

        configs = select_configs(suite, options.configs)
        report = mutation_campaign_jobs(str(project.file), args.project, root, configs, options, args.jobs, progress)
    else:
        report = mutation_campaign(suite, options, progress)
    if report.survivors:
        report = replace(report, files=write_survivors(report, args.survivor_dir, root=root))
    text = render_mutation(report, args.format)
    if args.output:
        write_text_atomic(Path(args.output), text)
    else:
        shown: Any = PrintableStream(out)
        shown.write(text)
    for fmt, path in writes:
        write_text_atomic(path, render_mutation(report, fmt))
    if args.output or args.format != "text":
        score = f"{report.score:.0%}" if report.score is not None else "-"
        err.write(f"mutate: {len(report.results)} mutants, {report.count('survived')} survived, mutation score "
                  f"{score}" + (f"; survivor files in {args.survivor_dir}" if report.survivors else "") + "\n")
    return 1 if report.survivors else 0
