"""Offline checks of the corpus itself (no server needed): base workflows are valid and cheap."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from comfy_contract import Catalog, validate

from .corpus import BASES, KINDS, MUTATIONS, Case, cases


@pytest.mark.parametrize("base", sorted(BASES))
def test_base_workflows_are_valid_on_the_stock_catalog(base: str, stock_catalog: Catalog) -> None:
    @settings(max_examples=20, derandomize=True, database=None, deadline=None)
    @given(BASES[base])
    def check(workflow: dict[str, object]) -> None:
        verdict = validate(workflow, stock_catalog)
        assert verdict.accepted, verdict.body
        assert not verdict.node_errors

    check()


def test_every_mutation_kind_has_a_strategy() -> None:
    assert set(KINDS) == {"valid", "stacked", *MUTATIONS}


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "valid"])
def test_mutations_change_the_workflow(kind: str) -> None:
    @settings(max_examples=10, derandomize=True, database=None, deadline=None)
    @given(cases(kind))
    def check(case: Case) -> None:
        assert case.steps, case

    check()
