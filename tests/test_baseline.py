"""Baselines: accept → pass → defect fixed → stale entry reported; expiry; matching; file errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from comfy_contract import ComfyContractError, ConfigError, Finding
from comfy_contract.check.baseline import Baseline, BaselineEntry

TODAY = dt.date(2026, 6, 1)
SEED = Finding("L006", "fixed seed", node_id="3", input="seed")
PROMPT = Finding("L001", "empty prompt", node_id="6", input="text")


def test_round_trip_accept_pass_fix_stale(tmp_path: Path) -> None:
    path = tmp_path / "comfy-contract-baseline.yaml"
    found = {("sd35_large_poster", "eco"): (SEED,), ("sd35_large_poster", "fast"): (SEED,), ("dada", "eco"): ()}
    # accept the current findings
    Baseline.from_findings(found, reason="poster keeps its seed until the redesign",
                           expires=dt.date(2026, 12, 31)).write(path)
    text = path.read_text(encoding="utf-8")
    assert "reason: poster keeps its seed until the redesign" in text
    assert "expires: '2026-12-31'" in text
    # the gate passes
    baseline = Baseline.load(path, label="comfy-contract-baseline.yaml")
    assert len(baseline.entries) == 2
    kept, accepted, meta = baseline.apply(found, today=TODAY)
    assert kept == {}
    assert accepted == {("sd35_large_poster", "eco"): (SEED,), ("sd35_large_poster", "fast"): (SEED,)}
    assert meta == ()
    # the defect is fixed: its entries are stale
    fixed = {("sd35_large_poster", "eco"): (), ("sd35_large_poster", "fast"): (), ("dada", "eco"): ()}
    kept, accepted, meta = baseline.apply(fixed, today=TODAY)
    assert (kept, accepted) == ({}, {})
    assert [(m.code, m.severity, m.path) for m in meta] == [
        ("B001", "warning", "/entries/0"), ("B001", "warning", "/entries/1")]
    assert meta[0].message.startswith("comfy-contract-baseline.yaml:5: baseline entry L006")
    assert "delete it" in meta[0].message


def test_new_findings_are_kept(tmp_path: Path) -> None:
    baseline = Baseline((BaselineEntry("L006", "sd35_*", "fixed seeds accepted"),))
    kept, accepted, meta = baseline.apply({("sd35_large_poster", "eco"): (SEED, PROMPT)}, today=TODAY)
    assert kept == {("sd35_large_poster", "eco"): (PROMPT,)}
    assert accepted == {("sd35_large_poster", "eco"): (SEED,)}
    assert meta == ()


def test_expired_entry_stops_accepting_and_is_reported() -> None:
    entry = BaselineEntry("L006", "sd35_large_poster", "temporary", expires=dt.date(2026, 5, 31), line=3)
    baseline = Baseline((entry,), "b.yaml")
    found = {("sd35_large_poster", "eco"): (SEED,)}
    assert baseline.apply(found, today=dt.date(2026, 5, 31)).kept == {}  # valid through its day
    kept, accepted, meta = baseline.apply(found, today=TODAY)
    assert kept == found
    assert accepted == {}
    assert [(m.code, m.severity) for m in meta] == [("B002", "error")]
    assert "expired on 2026-05-31" in meta[0].message


@pytest.mark.parametrize(
    ("entry", "key", "hit"),
    [
        (BaselineEntry("l006", "sd35_*", "r"), ("sd35_large_poster", "eco"), True),
        (BaselineEntry("L006", "SD35_*", "r"), ("sd35_large_poster", "eco"), False),
        (BaselineEntry("L006", "sd35_large_poster", "r", mode="fast"), ("sd35_large_poster", "eco"), False),
        (BaselineEntry("L006", "sd35_large_poster", "r", backend="standalone"), ("sd35_large_poster", "eco"), False),
        (BaselineEntry("L006", "sd35_large_poster", "r", backend="standalone"),
         ("sd35_large_poster", "eco", "standalone"), True),
        (BaselineEntry("L006", "sd35_large_poster", "r", node_id="4"), ("sd35_large_poster", "eco"), False),
        (BaselineEntry("L001", "sd35_large_poster", "r"), ("sd35_large_poster", "eco"), False),
    ],
)
def test_matching_rules(entry: BaselineEntry, key: tuple[str, ...], hit: bool) -> None:
    assert entry.matches(key, SEED) is hit


def test_partial_run_does_not_call_unrendered_entries_stale() -> None:
    baseline = Baseline((BaselineEntry("L006", "sd35_large_poster", "r"), BaselineEntry("L001", "dada", "r")))
    applied = baseline.apply({("dada", "eco"): ()}, today=TODAY, partial=True)
    assert [m.expected["config"] for m in applied.meta] == ["dada"]


def test_tracker_for_the_engine() -> None:
    class Result:
        config, mode, backend = "sd35_large_poster", "eco", "production"

    tracker = Baseline((BaselineEntry("L006", "sd35_*", "r", backend="production"),
                        BaselineEntry("L003", "x", "r"))).tracker(today=TODAY)
    assert tracker.accepts(Result(), SEED)
    assert not tracker.accepts(Result(), PROMPT)
    assert [m.code for m in tracker.leftovers()] == ["B001"]


def test_missing_file(tmp_path: Path) -> None:
    assert Baseline.load(tmp_path / "none.yaml", missing_ok=True).entries == ()
    with pytest.raises(ComfyContractError, match="no such file"):
        Baseline.load(tmp_path / "none.yaml")


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("entries:\n  - code: L006\n    config: x\n", "b.yaml:2: /entries/0: 'reason' is a required property"),
        ("entries:\n  - code: L006\n    config: x\n    reason: r\n    expires: 2026-02-30\n", "b.yaml:5:"),
        ("entries:\n  - code: L006\n    config: x\n    reason: r\n    expire: 2026-01-01\n",
         "b.yaml:5: /entries/0/expire: unknown key 'expire'"),
        ("entries: [\n", "b.yaml:2: not valid YAML"),
    ],
)
def test_invalid_baseline_names_file_and_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "b.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        Baseline.load(path, label="b.yaml")
    assert where in str(info.value)


def test_reason_is_required_when_accepting() -> None:
    with pytest.raises(ConfigError, match="reason"):
        Baseline.from_findings({("a", "eco"): (SEED,)}, reason="  ")


def test_accepting_again_keeps_existing_reasons() -> None:
    old = Baseline((BaselineEntry("L006", "sd35_*", "the team decided so"),))
    found = {("sd35_large_poster", "eco"): (SEED,), ("dada", "eco"): (PROMPT,)}
    new = Baseline.from_findings(found, reason="new", keep=old)
    assert [(e.code, e.config, e.reason) for e in new.entries] == [
        ("L001", "dada", "new"), ("L006", "sd35_*", "the team decided so")]
