"""The ``hunt`` engine: a time- or example-boxed Hypothesis campaign over every config of a project.

Per config it computes the baseline (the static failures of the default inputs), then repeatedly asks
:func:`hypothesis.find` for a request with a failure that is neither static nor already found, shrinks
it to a minimal request and writes a reproducer. The engine yields :mod:`events <comfy_contract.fuzz.campaign>`
(``HuntStarted`` ... ``HuntFinished``); front ends only render them. With ``jobs > 1`` configs run in
worker processes.
"""

from __future__ import annotations

import concurrent.futures as cf
import fnmatch
import multiprocessing
import random
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.database import ExampleDatabase
from hypothesis.errors import NoSuchExample, Unsatisfiable

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.shard import Shard
from comfy_contract.fuzz.profiles import database_from_spec
from comfy_contract.fuzz.properties import PropertyFailure, PropertyResult, Signature
from comfy_contract.fuzz.reproducer import Reproducer, write_reproducer
from comfy_contract.fuzz.target import Target, load_target
from comfy_contract.render.model import RenderInputs

__all__ = [
    "ConfigFinished",
    "Event",
    "FailureFound",
    "HuntFinished",
    "HuntOptions",
    "HuntStarted",
    "Progress",
    "hunt",
    "run_config",
    "select_configs",
]

_ROUND = 2_000  # examples per find() round when the budget is time
#: requests per Hypothesis test case: drawing several at once spreads the engine's cost per test case (a list
#: of 4 draws ~35% more requests per second than one at a time); shrinking still ends at one failing request
_BATCH = 4


@dataclass(frozen=True)
class HuntOptions:
    """How to run a campaign. Exactly one of ``seconds`` / ``examples`` bounds it."""

    seconds: float | None = 60.0
    examples: int | None = None
    seed: int = 0
    jobs: int = 1
    configs: tuple[str, ...] = ()  # globs; empty: every config
    include_static: bool = False
    crash_dir: str = ".comfy-contract/crashes"
    database: str | None = None  # a directory, "redis://host:port/db", or None (no database)
    derandomize: bool = False
    project: str | None = None  # for workers and reproducers
    space_files: tuple[str, ...] | None = None
    snapshots: bool = False
    lints: bool = True
    shard: Shard | None = None  # only this shard's configs (--shard i/n), after ``configs``


# --- events ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HuntStarted:
    seed: int
    configs: tuple[str, ...]
    seconds: float | None
    examples: int | None
    jobs: int
    shard: Shard | None = None
    selected: int = 0  # configs before sharding (with a shard)


@dataclass(frozen=True)
class Progress:
    configs_done: int
    configs_total: int
    examples: int
    failures: int
    elapsed: float
    current: str | None = None

    @property
    def rate(self) -> float:
        return self.examples / self.elapsed if self.elapsed > 0 else 0.0


@dataclass(frozen=True)
class FailureFound:
    config: str
    mode: str
    failure: PropertyFailure
    path: str
    shrunk_from: int  # examples tried before this one was found
    elapsed: float  # seconds since the campaign started


@dataclass(frozen=True)
class ConfigFinished:
    config: str
    examples: int
    found: tuple[str, ...]  # reproducer paths
    static: tuple[Signature, ...]
    skipped: str | None = None  # why the config was not fuzzed
    seconds: float = 0.0


@dataclass(frozen=True)
class HuntFinished:
    seed: int
    configs: int
    examples: int
    seconds: float
    reproducers: tuple[str, ...]
    static: dict[str, tuple[Signature, ...]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.examples / self.seconds if self.seconds > 0 else 0.0


Event = HuntStarted | Progress | FailureFound | ConfigFinished | HuntFinished


class _OutOfBudget(BaseException):
    """Raised inside the property to stop Hypothesis when the budget is spent (not a failure)."""


def select_configs(names: Sequence[str], patterns: Sequence[str]) -> list[str]:
    if not patterns:
        return list(names)
    chosen = [n for n in names if any(fnmatch.fnmatchcase(n, p) for p in patterns)]
    if not chosen:
        raise ComfyContractError(f"--config {', '.join(map(repr, patterns))} matches no config",
                                 hint="`comfy-contract render --list` prints the config names")
    return chosen


def config_seed(seed: int, config: str) -> int:
    return zlib.crc32(f"{seed}:{config}".encode()) ^ seed


# --- one config --------------------------------------------------------------------------------------
@dataclass
class _Counter:
    examples: int = 0


def run_config(
    target: Target,
    config: str,
    options: HuntOptions,
    *,
    deadline: float | None,
    max_examples: int | None,
    database: ExampleDatabase | None = None,
    started: float | None = None,
    emit: Callable[[Event], None] | None = None,
    counter: _Counter | None = None,
) -> ConfigFinished:
    """Fuzz one config until ``deadline`` (``time.monotonic()``) or ``max_examples``."""
    t0 = time.monotonic()
    began = started if started is not None else t0
    facts = target.facts(config)
    static = tuple(sorted({s for sigs in facts.baseline.values() for s in sigs}))
    if facts.render_fails:
        return ConfigFinished(config, 0, (), static, "rendering fails for every input (see `comfy-contract check`)")
    if not facts.renders_workflow and not facts.offered_output_configs:
        return ConfigFinished(config, 0, (), static, "no ComfyUI workflow")
    # one drawn request is checked in every mode (each a render + validate + lint of its own): the drawing is
    # what costs (benchmarks/RESULTS.md), and every mode of a request is worth checking
    strategy = st.lists(target.inputs_strategy(config), min_size=_BATCH, max_size=_BATCH)
    modes = target.fuzz_modes(config)
    count = counter or _Counter()
    start_count = count.examples
    known: set[Signature] = set()  # across modes: one reproducer per failure
    found: list[str] = []
    rng = random.Random(config_seed(options.seed, config))

    def ignored(mode: str) -> frozenset[Signature]:
        return frozenset() if options.include_static else target.static(config, mode)

    def spent() -> bool:
        if deadline is not None and time.monotonic() >= deadline:
            return True
        return max_examples is not None and count.examples - start_count >= max_examples

    round_no = 0
    while not spent():
        failing_seen = [False]
        grace: list[float | None] = [None if deadline is None else deadline + max(5.0, (deadline - t0) * 0.5)]

        def condition(batch: list[RenderInputs], failing_seen: list[bool] = failing_seen,
                      grace: list[float | None] = grace) -> bool:
            now = time.monotonic()
            if not failing_seen[0] and spent():
                raise _OutOfBudget
            if failing_seen[0] and grace[0] is not None and now > grace[0]:
                raise _OutOfBudget
            for inputs in batch:
                for mode in modes:
                    if not failing_seen[0] and spent():
                        return False  # the budget ends inside a batch: the next test case stops the round
                    count.examples += 1
                    if emit is not None and count.examples % 250 == 0:
                        emit(Progress(0, 0, count.examples, len(found), now - began, config))
                    if _new_failures(target.check(config, mode, inputs), ignored(mode), known):
                        failing_seen[0] = True
                        return True
            return False

        per_case = _BATCH * len(modes)  # examples per Hypothesis test case
        left = None if max_examples is None else max(1, max_examples - (count.examples - start_count))
        budget = max(1, -(-(_ROUND if left is None else left) // per_case))
        hsettings = settings(
            max_examples=budget, database=database, derandomize=options.derandomize, deadline=None,
            suppress_health_check=list(HealthCheck), phases=(Phase.reuse, Phase.generate, Phase.shrink),
        )
        key = f"comfy-contract:{target.project_file}:{config}:{round_no}".encode()
        round_no += 1
        try:
            shrunk: list[RenderInputs] = find(strategy, condition, settings=hsettings,
                                              random=None if options.derandomize else random.Random(rng.random()),
                                              database_key=key if database is not None else None)
        except _OutOfBudget:
            break
        except (NoSuchExample, Unsatisfiable):
            if options.derandomize or max_examples is not None:
                break
            continue
        new: list[PropertyFailure] = []
        for minimal, mode in ((i, m) for i in shrunk for m in modes):  # the first request that fails anew
            result = target.check(config, mode, minimal)
            new = _new_failures(result, ignored(mode), known)
            if new:
                break
        if not new:  # flaky: the shrunk example no longer fails the same way; stop rather than loop
            break
        for f in new:
            known.add(f.signature)
        path = write_reproducer(Path(options.crash_dir), _reproducer(target, result, new, options))
        found.append(str(path))
        if emit is not None:
            emit(FailureFound(config, result.mode, new[0], str(path), count.examples - start_count,
                              time.monotonic() - began))
    return ConfigFinished(config, count.examples - start_count, tuple(found), static, None, time.monotonic() - t0)


def _new_failures(result: PropertyResult, static: frozenset[Signature], known: set[Signature]
                  ) -> list[PropertyFailure]:
    return [f for f in result.failures if f.signature not in static and f.signature not in known]


def _reproducer(target: Target, result: PropertyResult, new: list[PropertyFailure], options: HuntOptions) -> Reproducer:
    primary = new[0]
    rendered = result.rendered
    workflow = None
    if rendered is not None and rendered.submissions:
        workflow = dict(rendered.submissions[primary.submission or 0].workflow)
    comfyui = next((f.comfyui for f in new if f.comfyui is not None), None)
    return Reproducer(
        config=result.config, mode=result.mode, inputs=result.inputs, failure=primary, failures=tuple(new),
        workflow=workflow, comfyui=comfyui, seed=options.seed,
        project=options.project or target.project_file,
        static=tuple(sorted(target.static(result.config, result.mode))),
    )


# --- the campaign ------------------------------------------------------------------------------------
_WORKER: dict[str, Any] = {}


def _worker_init(project: str | None, space_files: tuple[str, ...] | None, snapshots: bool, lints: bool) -> None:
    _WORKER["target"] = load_target(project, space_files=space_files, snapshots=snapshots, lints=lints)


def _worker_run(config: str, options: HuntOptions, seconds: float | None, examples: int | None) -> ConfigFinished:
    deadline = time.monotonic() + seconds if seconds is not None else None
    database = database_from_spec(options.database)
    return run_config(_WORKER["target"], config, options, deadline=deadline, max_examples=examples,
                      database=database)


def hunt(target: Target, options: HuntOptions, emit: Callable[[Event], None] | None = None) -> HuntFinished:
    """Run a campaign, passing every event to ``emit``; returns the final :class:`HuntFinished`."""
    if (options.seconds is None) == (options.examples is None):
        raise ComfyContractError("a hunt needs exactly one budget: seconds or examples",
                                 hint="pass --budget 60s or --budget 2000")
    send = emit or (lambda event: None)
    configs = select_configs(target.configs(), options.configs)
    selected = len(configs)
    if options.shard is not None:
        configs = list(options.shard.pick(configs))
    started = time.monotonic()
    send(HuntStarted(options.seed, tuple(configs), options.seconds, options.examples, options.jobs, options.shard,
                     selected))
    reproducers: list[str] = []
    static: dict[str, tuple[Signature, ...]] = {}
    state = {"total": 0, "done": 0}

    def finish(result: ConfigFinished) -> None:
        state["total"] += result.examples
        state["done"] += 1
        reproducers.extend(result.found)
        if result.static:
            static[result.config] = result.static
        send(result)
        send(Progress(state["done"], len(configs), state["total"], len(reproducers), time.monotonic() - started))

    if options.jobs <= 1:
        database = database_from_spec(options.database)
        counter = _Counter()

        def relay(event: Event) -> None:
            if isinstance(event, Progress):
                event = Progress(state["done"], len(configs), event.examples, len(reproducers) + event.failures,
                                 event.elapsed, event.current)
            send(event)

        for index, config in enumerate(configs):
            deadline, examples = _share(options, started, state["total"], len(configs) - index, 1)
            finish(run_config(target, config, options, deadline=deadline, max_examples=examples,
                              database=database, started=started, emit=relay, counter=counter))
    else:
        ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(options.jobs, mp_context=ctx, initializer=_worker_init,
                                    initargs=(options.project or target.project_file, options.space_files,
                                              options.snapshots, options.lints)) as pool:
            pending = list(configs)
            running: dict[cf.Future[ConfigFinished], str] = {}
            while pending or running:
                while pending and len(running) < options.jobs:
                    config = pending.pop(0)
                    deadline, examples = _share(options, started, state["total"],
                                                len(pending) + len(running) + 1, options.jobs)
                    seconds = None if deadline is None else max(0.0, deadline - time.monotonic())
                    running[pool.submit(_worker_run, config, options, seconds, examples)] = config
                finished, _ = cf.wait(running, return_when=cf.FIRST_COMPLETED)
                for future in finished:
                    running.pop(future)
                    result = future.result()
                    for path in result.found:
                        rep = Reproducer.load(path)
                        send(FailureFound(rep.config, rep.mode, rep.failure, path, result.examples,
                                          time.monotonic() - started))
                    finish(result)
    final = HuntFinished(options.seed, len(configs), state["total"], time.monotonic() - started,
                         tuple(reproducers), static)
    send(final)
    return final


def _share(
    options: HuntOptions, started: float, used: int, remaining: int, jobs: int
) -> tuple[float | None, int | None]:
    """This config's share of what is left of the budget."""
    if options.seconds is not None:
        left = max(0.0, started + options.seconds - time.monotonic())
        return time.monotonic() + left * min(jobs, remaining) / max(1, remaining), None
    assert options.examples is not None
    return None, max(1, (options.examples - used) // max(1, remaining))


def _with_totals(event: Event, done: int, total: int) -> Event:
    if isinstance(event, Progress):
        return Progress(done, total, event.examples, event.failures, event.elapsed, event.current)
    return event
