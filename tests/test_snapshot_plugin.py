"""Legacy snapshots through the pytest plugin (pytester): an imported legacy graph shows the vector-fusion
drift as a readable graph diff; ``--snapshot-update`` approves it as drift and keeps the legacy graph."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from checkproject import REPO, make_project
from comfy_contract.cli import main

CONFIG = "vector_fusion_linear_clip"


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    make_project(pytester.path, snapshots=True, baseline=False)
    legacy = REPO / "fixtures" / "sample_app" / "legacy" / f"{CONFIG}.json"
    out, err = io.StringIO(), io.StringIO()
    code = main(["snapshot", "import", str(legacy), "--config", CONFIG, "--dir", str(pytester.path / "snapshots")],
                stdout=out, stderr=err)
    assert (code, err.getvalue()) == (0, "")
    return pytester.path / "snapshots"


def _run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("--comfy-contract", "--comfy-contract-config", CONFIG,
                              "-m", "comfy_check(name='snapshot')", *args)


def test_legacy_drift_fails_with_a_graph_diff_until_approved(pytester: pytest.Pytester, project: Path) -> None:
    drift = _run(pytester)
    drift.assert_outcomes(failed=2, deselected=10)
    out = drift.stdout.str()
    assert "S002 snapshot-drift" in out
    assert "node-removed     ai4artsed_conditioning_fusion  a:6" in out
    assert "KSampler.positive  a:/9/inputs/positive ← ai4artsed_conditioning_fusion a:6[0]" in out

    _run(pytester, "--snapshot-update").assert_outcomes(passed=2, deselected=10)
    stored = json.loads((project / f"{CONFIG}.eco.json").read_text("utf-8"))
    assert stored["source"] == "legacy"
    assert any(n["class_type"] == "ai4artsed_conditioning_fusion" for n in stored["workflow"].values())
    assert stored["approved_drift"]

    _run(pytester).assert_outcomes(passed=2, deselected=10)
