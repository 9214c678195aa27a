"""One check report of the bundled sample app, shared by the report-format tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from checkproject import make_project
from comfy_contract.check.engine import Engine, suite_from_project
from comfy_contract.check.project import load_project
from comfy_contract.check.results import Report

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def sample_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    where = tmp_path_factory.mktemp("project")
    project_file = make_project(where, contracts=True, snapshots=False)
    # accept one finding through the baseline, so accepted findings appear in every format
    (where / "comfy-contract-baseline.yaml").write_text(
        "version: 1\nentries:\n"
        "  - {code: V016, config: sdxl_base, mode: eco, backend: production, reason: known seed -1}\n"
        "  - {code: L009, config: no_such_config, reason: stale on purpose}\n", encoding="utf-8")
    suite = suite_from_project(load_project(project_file), root=where)
    return Engine(suite).report()


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, object]:
    data: dict[str, object] = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    return data
