"""``hunt --mutate --jobs N``: the selected configs split over N worker processes, one report.

Each worker is a spawned process that loads the project itself and runs :func:`~comfy_contract.fuzz.mutate.
mutation_campaign` over its share of the configs (round-robin over the sorted names, so the split depends only
on the names and N), with the seed ``seed + i`` and its share of an example budget (a time budget is each
worker's). A mutant of a file that configs of two workers read is classified in both, each for its own configs;
the parts are merged into one :class:`~comfy_contract.fuzz.mutate.MutationReport` whose per-config scores are
those of a one-process run that classified the same mutants. Workers share nothing: an adapter app gets one
temporary copy per worker, and imports stay in the worker.
"""

from __future__ import annotations

import concurrent.futures as cf
import glob
import multiprocessing
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from comfy_contract.fuzz.mutate import MutantResult, MutationOptions, MutationReport, Verdict, mutation_campaign

__all__ = ["mutation_campaign_jobs", "split_configs"]


def split_configs(configs: Sequence[str], jobs: int) -> list[tuple[str, ...]]:
    """The configs of each worker: round-robin over the sorted names (empty shares dropped)."""
    ordered = sorted(configs)
    return [tuple(ordered[i::jobs]) for i in range(jobs) if ordered[i::jobs]]


def _share(total: int | None, index: int, parts: int) -> int | None:
    if total is None:
        return None
    return max(1, total // parts + (1 if index < total % parts else 0))


def _job(project: str, project_arg: str | None, root: str, options: MutationOptions) -> MutationReport:
    from comfy_contract.check.engine import suite_from_project
    from comfy_contract.check.project import load_project

    loaded = load_project(project)
    suite = suite_from_project(loaded, project_arg=project_arg, root=Path(root))
    report = mutation_campaign(suite, options)
    # the mutated documents stay here: they are large, and a read-only mapping does not pickle
    results = tuple(replace(r, mutant=replace(r.mutant, data={})) for r in report.results)
    return replace(report, results=results)


def _merge(reports: Sequence[MutationReport], options: MutationOptions, seconds: float) -> MutationReport:
    parts: dict[tuple[str, str, str, str], list[MutantResult]] = {}
    for report in reports:
        for r in report.results:
            parts.setdefault(r.mutant.key, []).append(r)
    results: list[MutantResult] = []
    for rs in parts.values():
        outcomes = tuple(sorted((o for r in rs for o in r.outcomes), key=lambda o: o.config))
        verdicts = {o.verdict for o in outcomes}
        verdict: Verdict = ("survived" if "survived" in verdicts else "killed" if "killed" in verdicts
                            else "equivalent")
        results.append(MutantResult(rs[0].mutant, verdict, outcomes))
    first = reports[0]
    return MutationReport(
        tuple(results), seconds, sum(r.examples for r in reports), options.seed, first.fail_on,
        {k: v for r in reports for k, v in r.edits.items()}, first.project, first.kind,
        len({k for r in reports for k in r.keys}), shrunk=tuple(dict.fromkeys(k for r in reports for k in r.shrunk)),
        keys=tuple(dict.fromkeys(k for r in reports for k in r.keys)))


def mutation_campaign_jobs(project: str, project_arg: str | None, root: Path, configs: Sequence[str],
                           options: MutationOptions, jobs: int,
                           progress: Callable[[str], None] | None = None) -> MutationReport:
    """Run ``options`` over ``configs`` (the selection, already resolved) in ``jobs`` worker processes."""
    started = time.monotonic()
    shares = split_configs(configs, jobs)
    ctx = multiprocessing.get_context("spawn")
    reports: list[MutationReport | None] = [None] * len(shares)
    with cf.ProcessPoolExecutor(len(shares), mp_context=ctx) as pool:
        futures = {}
        for i, share in enumerate(shares):
            opts = replace(options, configs=tuple(glob.escape(c) for c in share), seed=options.seed + i,
                           examples=_share(options.examples, i, len(shares)),
                           max_mutants=_share(options.max_mutants, i, len(shares)))
            futures[pool.submit(_job, project, project_arg, str(root), opts)] = i
        for future in cf.as_completed(futures):
            i = futures[future]
            report = future.result()
            reports[i] = report
            if progress is not None:
                score = f"{report.score:.0%}" if report.score is not None else "-"
                progress(f"job {i + 1}/{len(shares)} ({len(shares[i])} configs, seed {options.seed + i}): "
                         f"{len(report.results)} mutants, {report.count('survived')} survived, score {score}")
    done = [r for r in reports if r is not None]
    return _merge(done, options, time.monotonic() - started)
