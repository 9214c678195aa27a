"""Throughput of fuzzing one typical config (issue 19's target: ``hunt`` >= 1,000 examples/s end to end).

Run: ``.venv/bin/python benchmarks/bench_fuzz.py [CONFIG] [SECONDS] [--repeat N]`` from the repository root.
Prints examples/s (an example is one request - a mode and render inputs - rendered, validated against every
backend and linted) for (a) render + validate on pre-drawn requests, (b) the same plus the error lints, (c)
Hypothesis drawing the render inputs alone (no check), and (d) the loop ``hunt`` runs (``run_config``: drawing,
every mode per drawn request, the static baseline, shrinking, an example database in a temporary folder) -
with the ratio to the target, medians over ``--repeat`` runs (the machine may be shared). Figures only.

Then the cost per mutant of ``hunt --mutate`` (issue 16): every mutant of the files CONFIG reads, each edited,
re-rendered and judged by the gate, on the sample app (in memory) and on the SDXL adapter app of
``tests/sdxlapp.py`` (a temporary copy, the app's module imported afresh per mutant). ``--no-mutate`` skips it.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import statistics
import tempfile
import time

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.errors import NoSuchExample

from comfy_contract.check.engine import Suite
from comfy_contract.fuzz import load_target
from comfy_contract.fuzz.campaign import HuntOptions, run_config
from comfy_contract.fuzz.target import Target
from comfy_contract.render.model import RenderInputs

TARGET_RATE = 1000.0


def _draw(target: Target, config: str, n: int) -> list[RenderInputs]:
    drawn: list[RenderInputs] = []

    def keep(inputs: RenderInputs) -> bool:
        drawn.append(inputs)
        return False

    with contextlib.suppress(NoSuchExample):
        find(target.inputs_strategy(config), keep, settings=settings(
            max_examples=n, database=None, deadline=None, phases=[Phase.generate],
            suppress_health_check=list(HealthCheck)))
    return drawn


def _check_rate(target: Target, config: str, drawn: list[RenderInputs], seconds: float) -> float:
    modes = target.fuzz_modes(config)
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for inputs in drawn:
            for mode in modes:
                target.check(config, mode, inputs)
                done += 1
    return done / (time.perf_counter() - start)


def _draw_rate(target: Target, config: str, n: int) -> float:
    """Requests/s Hypothesis draws as ``hunt`` draws them: lists of ``_BATCH`` per test case, no check."""
    from hypothesis import strategies as st

    from comfy_contract.fuzz.campaign import _BATCH

    cases = [0]

    def count(batch: list[RenderInputs]) -> bool:
        cases[0] += 1
        return False

    start = time.perf_counter()
    with contextlib.suppress(NoSuchExample):
        find(st.lists(target.inputs_strategy(config), min_size=_BATCH, max_size=_BATCH), count,
             settings=settings(max_examples=max(1, n // _BATCH), database=None, deadline=None,
                               suppress_health_check=list(HealthCheck)))
    return cases[0] * _BATCH / (time.perf_counter() - start)


def _hunt_rate(target: Target, config: str, examples: int) -> tuple[float, int]:
    with tempfile.TemporaryDirectory(prefix="bench-fuzz-") as folder:
        options = HuntOptions(seconds=None, examples=examples, seed=1, crash_dir=f"{folder}/crashes",
                              database=f"{folder}/db")
        start = time.perf_counter()
        done = run_config(target, config, options, deadline=None, max_examples=examples,
                          database=DirectoryBasedExampleDatabase(f"{folder}/db"))
        return done.examples / (time.perf_counter() - start), len(done.found)


def _mutation_cost(suite: Suite, configs: tuple[str, ...]) -> tuple[float, int, float | None]:
    """(ms per mutant, mutants, score) of a whole ``hunt --mutate`` over ``configs`` (every mutant classified)."""
    from comfy_contract.fuzz.mutate import MutationOptions, mutation_campaign

    report = mutation_campaign(suite, MutationOptions(seconds=None, examples=100_000, seed=1,
                                                      configs=configs))
    return 1000 * report.seconds / max(1, len(report.results)), len(report.results), report.score


def _sdxl_suite(folder: str) -> Suite:
    import sys
    from pathlib import Path

    import yaml

    from comfy_contract.check.engine import suite_from_project
    from comfy_contract.check.project import load_project

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from sdxlapp import write_app  # type: ignore[import-not-found]  # the second app shape of the tests

    where = Path(folder)
    write_app(where)
    project = where / "comfy-contract.yaml"
    project.write_text(yaml.safe_dump({
        "generator": {"callable": "imagegen.build:workflow", "enumerate": "imagegen.build:configs"},
        "modes": ["draft", "final"], "backends": {"server": {"catalogs": ["server-catalog.json"]}}}), "utf-8")
    return suite_from_project(load_project(project), root=where)


def _mutation_lines(config: str, repeat: int) -> list[str]:
    from comfy_contract.check.engine import suite_from_project
    from comfy_contract.check.project import load_project

    sample = suite_from_project(load_project())
    runs = [_mutation_cost(sample, (config,)) for _ in range(repeat)]
    lines = [f"hunt --mutate, sample app  {statistics.median(r[0] for r in runs):8.1f} ms/mutant  "
             f"({runs[0][1]} mutants of the files {config!r} reads, score {runs[0][2]:.0%}; in memory)"]
    with tempfile.TemporaryDirectory(prefix="bench-mutate-") as folder:
        sdxl = _sdxl_suite(folder)
        runs = [_mutation_cost(sdxl, ()) for _ in range(repeat)]
    lines.append(f"hunt --mutate, SDXL adapter {statistics.median(r[0] for r in runs):7.1f} ms/mutant  "
                 f"({runs[0][1]} mutants, 5 configs, score {runs[0][2]:.0%}; a temporary copy, the callable "
                 "re-imported per mutant)")
    return lines


def _ratio(rate: float) -> str:
    return f"({rate / TARGET_RATE:.2f}x the {TARGET_RATE:.0f}/s target)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config", nargs="?", default="sd35_large")
    parser.add_argument("seconds", nargs="?", type=float, default=3.0, help="per check-rate measurement")
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure; the median is printed")
    parser.add_argument("--examples", type=int, default=2000, help="examples per hunt-loop run")
    parser.add_argument("--no-mutate", action="store_true", help="skip the hunt --mutate cost per mutant")
    args = parser.parse_args()
    config = args.config
    plain = load_target(lints=False)
    linted = load_target(lints=True)
    plain.facts(config), linted.facts(config)
    drawn = _draw(plain, config, 300)
    a = statistics.median(_check_rate(plain, config, drawn, args.seconds) for _ in range(args.repeat))
    b = statistics.median(_check_rate(linted, config, drawn, args.seconds) for _ in range(args.repeat))
    c = statistics.median(_draw_rate(linted, config, 1500) for _ in range(args.repeat))
    hunts = [_hunt_rate(linted, config, args.examples) for _ in range(args.repeat)]
    d = statistics.median(rate for rate, _ in hunts)
    modes = linted.fuzz_modes(config)
    print(f"config {config!r}, backends {', '.join(plain.backends)}, modes {', '.join(modes)} "
          f"(hunt checks each drawn request in every mode); medians of {args.repeat}")
    print(f"render + validate             {a:8.0f} examples/s  {_ratio(a)}")
    print(f"render + validate + lints     {b:8.0f} examples/s  {_ratio(b)}")
    print(f"drawing inputs alone          {c:8.0f} requests/s  (Hypothesis, as hunt draws them, no check)")
    print(f"hunt loop (run_config)        {d:8.0f} examples/s  {_ratio(d)}; {args.examples} examples per run, "
          f"failures found: {[n for _, n in hunts]}")
    if not args.no_mutate:
        for line in _mutation_lines(config, args.repeat):
            print(line)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process      {peak:8.0f} MiB")


if __name__ == "__main__":
    main()
