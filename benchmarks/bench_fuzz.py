"""Throughput of fuzzing one typical config: render + validate (the issue's target: >= 500 examples/s).

Run: ``.venv/bin/python benchmarks/bench_fuzz.py [CONFIG] [SECONDS]`` from the repository root.
Prints examples/s for (a) render + validate against every backend on pre-drawn requests, (b) the same
plus the error lints, (c) the whole Hypothesis loop as ``hunt`` runs it, and the ratio to the target.
"""

from __future__ import annotations

import contextlib
import sys
import time

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import NoSuchExample

from comfy_contract.fuzz import load_target
from comfy_contract.fuzz.target import Example

TARGET_RATE = 500.0


def _draw(target, config: str, n: int) -> list[Example]:  # type: ignore[no-untyped-def]
    drawn: list[Example] = []
    strategy = target.strategy(config)

    def keep(ex: Example) -> bool:
        drawn.append(ex)
        return False

    with contextlib.suppress(NoSuchExample):
        find(strategy, keep, settings=settings(max_examples=n, database=None, deadline=None, phases=[Phase.generate],
                                               suppress_health_check=list(HealthCheck)))
    return drawn


def _rate(target, config: str, examples: list[Example], seconds: float) -> float:  # type: ignore[no-untyped-def]
    done = 0
    start = time.perf_counter()
    while time.perf_counter() - start < seconds:
        for ex in examples:
            target.check(config, ex.mode, ex.inputs)
            done += 1
    return done / (time.perf_counter() - start)


def main() -> None:
    config = sys.argv[1] if len(sys.argv) > 1 else "sd35_large"
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
    plain = load_target(lints=False)
    linted = load_target(lints=True)
    examples = _draw(plain, config, 300)
    plain.facts(config), linted.facts(config)
    a = _rate(plain, config, examples, seconds)
    b = _rate(linted, config, examples, seconds)
    count = [0]

    def never(ex: Example) -> bool:
        count[0] += 1
        linted.check(config, ex.mode, ex.inputs)
        return False

    start = time.perf_counter()
    with contextlib.suppress(NoSuchExample):
        find(linted.strategy(config), never, settings=settings(max_examples=1500, database=None, deadline=None,
                                                              suppress_health_check=list(HealthCheck)))
    c = count[0] / (time.perf_counter() - start)
    backends = ", ".join(plain.backends)
    print(f"config {config!r}, backends {backends}, {len(examples)} distinct requests")
    print(f"render + validate            {a:8.0f} examples/s  ({a / TARGET_RATE:.2f}x the {TARGET_RATE:.0f}/s target)")
    print(f"render + validate + lints    {b:8.0f} examples/s  ({b / TARGET_RATE:.2f}x)")
    print(f"hypothesis loop (as hunt)    {c:8.0f} examples/s  ({c / TARGET_RATE:.2f}x)")


if __name__ == "__main__":
    main()
