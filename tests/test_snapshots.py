"""The snapshot store on real files: naming, format header, lifecycle, atomic writes, legacy import."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.snapshot.canonical import VOLATILE
from comfy_contract.snapshot.store import (
    FORMAT,
    Snapshot,
    SnapshotStore,
    legacy_normalise,
    snapshot_filename,
)
from graph_samples import BASES, legacy, sdxl


@pytest.fixture
def store(tmp_path: Path) -> SnapshotStore:
    return SnapshotStore(tmp_path / "legacy_snapshots")


def codes(findings: tuple) -> list[str]:
    return [f.code for f in findings]


# --- file names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("config", "mode", "name"), [
    ("sd35_large", "eco", "sd35_large.eco.json"),
    ("pre_interception/gpt_oss_unified", "fast", "pre_interception%2Fgpt_oss_unified.fast.json"),
    ("../../etc/passwd", "eco", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd.eco.json"),
    ("u_anna_märchen", "eco", "u_anna_m%C3%A4rchen.eco.json"),
])
def test_file_names_are_sanitised_against_traversal(config: str, mode: str, name: str) -> None:
    assert snapshot_filename(config, mode) == name
    assert "/" not in snapshot_filename(config, mode)


def test_an_empty_name_is_a_usage_error() -> None:
    with pytest.raises(ComfyContractError, match="invalid snapshot config name"):
        snapshot_filename("", "eco")


# --- lifecycle --------------------------------------------------------------------------------------


def test_missing_then_match_then_drift_then_update(store: SnapshotStore) -> None:
    (missing,) = store.check("sdxl_base", "eco", sdxl())
    assert missing.code == "S001"
    assert "comfy-contract snapshot update --config sdxl_base --mode eco" in missing.message

    report = store.update([("sdxl_base", "eco", sdxl())])
    assert report.new == (("sdxl_base", "eco"),)
    assert store.check("sdxl_base", "eco", sdxl(prompt="any text, seeds vary")) == ()

    (drift,) = store.check("sdxl_base", "eco", sdxl(steps=12))
    assert drift.code == "S002"
    assert "KSampler.steps" in drift.message
    assert "30  →  b:/3/inputs/steps 12" in drift.message
    assert drift.actual["summary"] == {"changes": 1, "structural": 0, "literal": 1, "ignored": 0}

    again = store.update([("sdxl_base", "eco", sdxl(steps=12)), ("sdxl_base", "fast", sdxl())])
    assert (again.new, again.updated, again.unchanged) == ((("sdxl_base", "fast"),), (("sdxl_base", "eco"),), ())
    assert store.check("sdxl_base", "eco", sdxl(steps=12)) == ()
    assert store.update([("sdxl_base", "eco", sdxl(steps=12))]).unchanged == (("sdxl_base", "eco"),)


def test_the_file_has_a_versioned_header(store: SnapshotStore) -> None:
    store.update([("sdxl_base", "eco", sdxl())])
    data = json.loads(store.path_for("sdxl_base", "eco").read_text(encoding="utf-8"))
    assert {k: data[k] for k in ("format", "version", "config", "mode", "source", "approved_drift")} == {
        "format": FORMAT, "version": 1, "config": "sdxl_base", "mode": "eco", "source": "approved",
        "approved_drift": None,
    }
    assert data["workflow"] == sdxl()
    assert data["normalisation"]["float_digits"] == 6


def test_a_drifted_legacy_snapshot_keeps_the_legacy_graph_and_stores_the_approved_drift(store: SnapshotStore) -> None:
    store.import_legacy(legacy("vector_fusion_linear_clip"), "vector_fusion_linear_clip", "eco")
    plain = BASES["sd35_chunk"]
    assert codes(store.check("vector_fusion_linear_clip", "eco", plain)) == ["S002"]

    report = store.update([("vector_fusion_linear_clip", "eco", plain)])
    assert report.updated == (("vector_fusion_linear_clip", "eco"),)
    snap = store.load("vector_fusion_linear_clip", "eco")
    assert snap is not None
    assert snap.source == "legacy"
    assert snap.workflow == legacy_normalise(legacy("vector_fusion_linear_clip"))
    assert snap.approved_drift
    assert store.check("vector_fusion_linear_clip", "eco", plain) == ()
    # the legacy graph itself still passes; a third graph does not
    assert store.check("vector_fusion_linear_clip", "eco", legacy("vector_fusion_linear_clip")) == ()
    assert codes(store.check("vector_fusion_linear_clip", "eco", sdxl())) == ["S002"]


def test_unused_snapshots_are_reported_and_only_pruned_when_asked(store: SnapshotStore) -> None:
    store.update([("a", "eco", sdxl()), ("b", "eco", sdxl())])
    (unused,) = store.unused({("a", "eco")})
    assert unused.code == "S003"
    assert "'b' [eco]" in unused.message
    assert store.path_for("b", "eco").exists()
    report = store.prune({("a", "eco")})
    assert report.pruned == (store.path_for("b", "eco"),)
    assert not store.path_for("b", "eco").exists()
    assert store.path_for("a", "eco").exists()


def test_unreadable_files_are_s004_and_never_pruned(store: SnapshotStore) -> None:
    store.directory.mkdir(parents=True)
    broken = store.path_for("broken", "eco")
    broken.write_text("{not json", encoding="utf-8")
    old = store.path_for("old", "eco")
    old.write_text(json.dumps({"format": FORMAT, "version": 99}), encoding="utf-8")
    assert codes(store.check("broken", "eco", sdxl())) == ["S004"]
    assert sorted(codes(store.unused(set()))) == ["S004", "S004"]
    store.prune(set())
    assert broken.exists()
    assert old.exists()
    with pytest.raises(InputError, match="unsupported snapshot version 99"):
        store.load("old", "eco")


def test_a_file_under_the_wrong_name_is_unreadable(store: SnapshotStore) -> None:
    store.update([("a", "eco", sdxl())])
    store.path_for("a", "eco").rename(store.path_for("b", "eco"))
    (finding,) = store.check("b", "eco", sdxl())
    assert finding.code == "S004"
    assert "belongs in 'a.eco.json'" in finding.message


def test_writes_are_atomic_and_leave_no_temporary_files(store: SnapshotStore) -> None:
    store.update([(f"c{i}", "eco", sdxl(steps=i + 1)) for i in range(5)])
    assert sorted(p.name for p in store.directory.iterdir()) == [f"c{i}.eco.json" for i in range(5)]


def test_snapshots_round_trip_through_their_dict() -> None:
    snap = Snapshot("x", "eco", sdxl(), "legacy", legacy_file="legacy/x.json")
    assert Snapshot.from_dict(snap.to_dict(), source="x.json") == snap


# --- legacy import and parallel updates ---------------------------------------------------------------


def test_legacy_normalisation_applies_the_legacy_servers_rules() -> None:
    wf = legacy("sdxl_dualclip")
    wf["20"] = {"class_type": "ai4artsed_ollama", "inputs": {"model": "llama3:8b", "prompt": "x"}}
    out = legacy_normalise(wf)
    assert all(n["class_type"] != "Note" for n in out.values())
    assert out["2"]["inputs"]["value"] == VOLATILE  # the node titled ai4artsed_text_prompt
    assert out["3"]["inputs"]["value"] == wf["3"]["inputs"]["value"]  # the negative prompt stays
    assert out["9"]["inputs"]["seed"] == VOLATILE
    assert out["8"]["inputs"]["width"] == 1024  # sizes are the family's own values
    assert out["20"]["inputs"]["model"] == VOLATILE


def test_import_refuses_to_replace_a_different_snapshot_without_force(store: SnapshotStore) -> None:
    assert store.import_legacy(legacy("sd35_large"), "sd35_large", "eco").new == (("sd35_large", "eco"),)
    assert store.import_legacy(legacy("sd35_large"), "sd35_large", "eco").unchanged == (("sd35_large", "eco"),)
    with pytest.raises(ComfyContractError, match="already exists"):
        store.import_legacy(legacy("sdxl_dualclip"), "sd35_large", "eco")
    assert store.import_legacy(legacy("sdxl_dualclip"), "sd35_large", "eco", force=True).updated


