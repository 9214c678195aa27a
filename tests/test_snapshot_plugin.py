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


def test_a_full_snapshot_update_prints_a_summary_and_removes_unused_snapshots(pytester: pytest.Pytester,
                                                                                project: Path) -> None:
    retired = project / "retired.eco.json"
    data = json.loads((project / f"{CONFIG}.eco.json").read_text("utf-8"))
    data["config"] = "retired"
    retired.write_text(json.dumps(data), encoding="utf-8")
    (project / "README.txt").write_text("not a snapshot", encoding="utf-8")

    # a selection never removes anything
    partial = _run(pytester, "--snapshot-update")
    assert retired.exists()
    assert "snapshots: 0 new, 2 updated, 0 unchanged, 0 removed" in partial.stdout.str()
    assert f"  updated  {CONFIG} [eco]" in partial.stdout.lines

    full = pytester.runpytest("--comfy-contract", "-m", "comfy_check(name='snapshot')", "--snapshot-update")
    out = full.stdout.str()
    assert not retired.exists()
    assert (project / "README.txt").exists()
    head = next(line for line in full.stdout.lines if line.startswith("snapshots: "))
    assert head.endswith(", 2 unchanged, 1 removed"), head
    assert any(line.startswith("  removed  ") and line.endswith("retired.eco.json") for line in full.stdout.lines)
    assert "  new      sd35_large [eco]" in full.stdout.lines, out


USER_TEST = '''
WORKFLOW = {"3": {"class_type": "KSampler", "inputs": {"steps": STEPS, "seed": SEED, "model": ["4", 0]}},
            "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "a.safetensors"}}}


def test_workflow(snapshot):
    assert snapshot == WORKFLOW


def test_renumbered(comfy_snapshot):
    renumbered = {"10": {**WORKFLOW["3"], "inputs": {**WORKFLOW["3"]["inputs"], "model": ["11", 0]}},
                  "11": WORKFLOW["4"]}
    assert comfy_snapshot == renumbered
'''


def test_the_snapshot_fixture_records_and_compares_a_workflow_graph_aware(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_user=USER_TEST.replace("STEPS", "20").replace("SEED", "1"))
    missing = pytester.runpytest("test_user.py")
    missing.assert_outcomes(failed=2)
    assert "no snapshot at" in missing.stdout.str()

    written = pytester.runpytest("test_user.py", "--snapshot-update")
    written.assert_outcomes(passed=2)
    assert "snapshots: 2 new, 0 updated, 0 unchanged, 0 removed" in written.stdout.str()
    stored = pytester.path / "__snapshots__" / "test_user" / "test_workflow.json"
    assert json.loads(stored.read_text("utf-8"))["workflow"]["3"]["inputs"]["steps"] == 20
    assert (pytester.path / "__snapshots__" / "test_user" / "test_renumbered.json").is_file()

    # node ids and seeds may differ (graph-aware, seeds volatile); a changed literal fails with the graph diff
    pytester.makepyfile(test_user=USER_TEST.replace("STEPS", "20").replace("SEED", "99"))
    pytester.runpytest("test_user.py").assert_outcomes(passed=2)
    pytester.makepyfile(test_user=USER_TEST.replace("STEPS", "30").replace("SEED", "1"))
    drift = pytester.runpytest("test_user.py")
    drift.assert_outcomes(failed=2)
    assert "literal-changed  KSampler.steps" in drift.stdout.str()
    assert "pytest --snapshot-update" in drift.stdout.str()
    pytester.runpytest("test_user.py", "--snapshot-update").assert_outcomes(passed=2)
    pytester.runpytest("test_user.py").assert_outcomes(passed=2)
