"""Offline checks of the corpus itself (no server needed): base workflows are valid and cheap, per era."""

from __future__ import annotations

import pytest
from hypothesis import given, settings

from comfy_contract import validate

from .corpus import BASES, ERA_CATALOGS, KINDS, MUTATIONS, STACKED_KINDS, Case, bases_for, cases, era_catalog


@pytest.mark.parametrize("era_id", sorted(ERA_CATALOGS))
def test_base_workflows_are_valid_on_each_eras_catalog(era_id: str) -> None:
    catalog = era_catalog(era_id)
    assert catalog.era.id == era_id
    names = bases_for(catalog)
    assert len(names) >= 4, names  # early 2024 has no UNet loader files: no SD3 base
    for base in names:
        @settings(max_examples=20, derandomize=True, database=None, deadline=None)
        @given(BASES[base][0](catalog))
        def check(workflow: dict[str, object]) -> None:
            verdict = validate(workflow, catalog)
            assert verdict.accepted, verdict.body
            assert not verdict.node_errors

        check()


def test_every_mutation_kind_has_a_strategy() -> None:
    assert set(KINDS) == {"valid", "stacked", *MUTATIONS, *STACKED_KINDS}


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "valid"])
def test_mutations_change_the_workflow(kind: str) -> None:
    @settings(max_examples=10, derandomize=True, database=None, deadline=None)
    @given(cases(kind))
    def check(case: Case) -> None:
        assert case.steps, case

    check()


@pytest.mark.parametrize("kind", sorted(STACKED_KINDS))
def test_stacked_kinds_link_to_a_missing_node_on_every_base(kind: str) -> None:
    seen: set[str] = set()

    @settings(max_examples=60, derandomize=True, database=None, deadline=None)
    @given(cases(kind))
    def check(case: Case) -> None:
        seen.add(case.base)
        assert any(s.startswith("missing_link: ") for s in case.steps), case.steps
        want = STACKED_KINDS[kind]
        assert all(any(s.startswith(f"{part}: ") for s in case.steps) for part in want) or len(case.steps) < 2

    check()
    assert seen == set(BASES)
