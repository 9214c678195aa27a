"""Graph-aware diff speed on 20-node workflows (the issue's targets: equal pairs <= 1 ms, differing <= 5 ms).

Run: ``.venv/bin/python benchmarks/bench_diff.py [REPEATS]`` from the repository root.
Prints per-pair times for (a) equal pairs (renumbered and reordered copies), (b) differing pairs (a literal
change, a removed node), (c) the Delta a snapshot stores for approved drift, and (d) deepdiff alone on the
raw workflows for comparison, with the ratio of each to its target.
"""

from __future__ import annotations

import copy
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from deepdiff import DeepDiff

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from comfy_contract.snapshot.canonical import canonicalize
from comfy_contract.snapshot.diff import diff
from graph_samples import renumber, twenty_nodes

EQUAL_TARGET_MS = 1.0
DIFFERENT_TARGET_MS = 5.0


def per_call_ms(fn: Callable[[], Any], repeats: int) -> float:
    fn()  # warm up (regex compilation, caches)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeats):
            fn()
        best = min(best, (time.perf_counter() - start) / repeats * 1e3)
    return best


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    a = twenty_nodes()
    ids = list(a)
    moved = renumber(a, {k: str(int(k) * 7 + 3) for k in ids}, list(reversed(ids)), reverse_inputs=True)
    same = copy.deepcopy(a)
    literal = copy.deepcopy(a)
    literal["9"]["inputs"]["steps"] = 40
    removed = copy.deepcopy(a)
    removed["9"]["inputs"]["positive"] = ["4", 0]
    del removed["6"]
    cached = canonicalize(a)
    print(f"workflow: {len(a)} nodes ({len(canonicalize(a).form)} in canonical form after dropping Notes)")
    rows = [
        ("equal (identical copy)", lambda: diff(a, same), EQUAL_TARGET_MS),
        ("equal (renumbered, reordered)", lambda: diff(a, moved), EQUAL_TARGET_MS),
        ("different (one literal)", lambda: diff(a, literal), DIFFERENT_TARGET_MS),
        ("different (fusion node removed)", lambda: diff(a, removed), DIFFERENT_TARGET_MS),
        ("different + Delta rows", lambda: diff(a, removed).delta_rows(), None),
        ("snapshot check (cached snapshot form)", lambda: canonicalize(moved) == cached, EQUAL_TARGET_MS),
        ("deepdiff only (raw workflows)", lambda: DeepDiff(a, removed), None),
    ]
    for name, fn, target in rows:
        ms = per_call_ms(fn, repeats)
        ratio = f"{ms / target:5.2f} x target ({target:g} ms)" if target else ""
        print(f"{name:34s} {ms * 1000:9.1f} µs/pair  {ratio}")


if __name__ == "__main__":
    main()
