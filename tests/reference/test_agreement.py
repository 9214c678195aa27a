"""Differential suite: every corpus case is POSTed to a real ComfyUI of each era and validated offline with
that era's catalog and table (eras: ``COMFY_REFERENCE_URLS``, see conftest).

Agreement is :func:`comfy_contract.live.agreement.differences` (status, ``error.type``, ``error.details``,
``node_errors`` ids, per-node reason multisets, ``dependent_outputs`` as a subset). An answer that
differs from the primary server (``PYTHONHASHSEED=0``) is re-asked of servers with other hash seeds,
and a match with any of them counts (reference §2.x). Cases the validator marks undecidable (``V090``)
that differ are counted apart and do not fail the suite; anything else that differs fails it, with a
reduced reproducer in ``reports/reference-disagreements/``.

``COMFY_REFERENCE_EXAMPLES`` sets the cases drawn per kind and era (default 135: 21 kinds, >= 2,000 cases).
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from comfy_contract import Catalog

from .corpus import KINDS, Case, cases
from .harness import Oracle, Recorder, Result, judge, reduce_case

pytestmark = pytest.mark.reference

EXAMPLES = int(os.environ.get("COMFY_REFERENCE_EXAMPLES", "135"))
MIN_CORPUS = 2000


@pytest.mark.parametrize("kind", KINDS)
def test_offline_verdict_agrees_with_real_comfyui(
    era: str, kind: str, oracle: Oracle, recorder: Recorder, era_reference_catalog: Catalog
) -> None:
    catalog = era_reference_catalog
    differing: list[Result] = []

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(cases(kind, catalog))
    def ask(case: Case) -> None:
        if not recorder.new(case):
            return
        result = judge(oracle, catalog, case)
        recorder.record(result)
        if result.outcome in ("disagree", "undecidable"):
            differing.append(result)

    ask()
    files = [recorder.write_reproducer(reduce_case(oracle, catalog, r, budget=60 if len(differing) < 10 else 0))
             for r in differing]
    wrong = [f"{path}: {'; '.join(r.diffs['seed 0'])}" for path, r in zip(files, differing, strict=True)
             if r.outcome == "disagree"]
    assert not wrong, f"{len(wrong)} {kind} case(s) disagree with the real ComfyUI of era {era}:\n" + "\n".join(wrong)


def test_corpus_size(era: str, recorder: Recorder) -> None:
    if set(recorder.kinds) != set(KINDS):
        pytest.skip("only part of the corpus ran")
    assert recorder.totals().cases >= MIN_CORPUS
