"""The snapshot lifecycle through the CLI, on a copy of the sample app and a real snapshot folder:
missing -> fail; import -> match -> pass; drift -> fail with a readable diff; update -> pass;
unused -> reported (fails unless allowed); prune deletes only when asked."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from clirun import run

APP = Path(__file__).resolve().parents[2] / "fixtures" / "sample_app"



@pytest.fixture
def app(tmp_path: Path) -> Path:
    shutil.copytree(APP, tmp_path / "app")
    return tmp_path / "app"


def set_steps(app: Path, steps: int) -> None:
    path = app / "schemas" / "configs" / "output" / "sd35_large.json"
    config = json.loads(path.read_text(encoding="utf-8"))
    config["parameters"]["STEPS"] = steps
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")


def test_lifecycle_missing_match_drift_update(app: Path, tmp_path: Path) -> None:
    snaps = str(tmp_path / "legacy_snapshots")
    src = ("--root", str(app / "schemas"), "--dir", snaps)
    one = ("--config", "sd35_large", "--mode", "eco")

    code, out, _ = run("snapshot", "check", *src, *one)
    assert code == 1
    assert "S001" in out
    assert "comfy-contract snapshot update --config sd35_large --mode eco" in out

    code, out, _ = run("snapshot", "import", str(app / "legacy" / "sd35_large.json"), "--config", "sd35_large",
                       "--dir", snaps)
    assert (code, out.splitlines()[0]) == (0, "snapshots: 2 new, 0 updated, 0 unchanged, 0 removed")
    assert run("snapshot", "check", *src, *one)[:2] == (0, "snapshots: 1 checked, 1 matching, 0 finding(s)\n")

    set_steps(app, 40)
    code, out, _ = run("snapshot", "check", *src, *one)
    assert code == 1
    assert "S002 error: 'sd35_large' [eco]: the rendered workflow differs from its legacy snapshot" in out
    assert "literal-changed  KSampler.steps  a:/7/inputs/steps 25  →  b:/3/inputs/steps 40" in out

    code, out, _ = run("snapshot", "update", *src, *one)
    assert (code, out.splitlines()[0]) == (0, "snapshots: 0 new, 1 updated, 0 unchanged, 0 removed")
    assert run("snapshot", "check", *src, *one)[0] == 0
    assert run("snapshot", "update", *src, *one)[1].startswith("snapshots: 0 new, 0 updated, 1 unchanged")

    code, out, _ = run("snapshot", "list", "--dir", snaps, "--format", "json")
    rows = {(r["config"], r["mode"]): r for r in json.loads(out)}
    assert rows[("sd35_large", "eco")]["approved_drift"] is True
    assert rows[("sd35_large", "fast")]["approved_drift"] is False
    assert {r["source"] for r in rows.values()} == {"legacy"}


def test_unused_snapshots_fail_unless_allowed_and_are_pruned_on_request(app: Path, tmp_path: Path) -> None:
    snaps = tmp_path / "legacy_snapshots"
    src = ("--root", str(app / "schemas"), "--dir", str(snaps))
    code, out, _ = run("snapshot", "update", *src)
    assert code == 0
    assert out.startswith("snapshots: 52 new, 0 updated, 0 unchanged")
    run("snapshot", "import", str(app / "legacy" / "sd35_large.json"), "--config", "retired", "--mode", "eco",
        "--dir", str(snaps))

    code, out, _ = run("snapshot", "check", *src)
    assert code == 1
    assert "S003 warning: snapshot" in out
    assert "('retired' [eco]) belongs to no rendered config" in out
    assert run("snapshot", "check", *src, "--allow-unused-snapshots")[0] == 0
    assert run("snapshot", "update", *src, "--allow-unused-snapshots")[0] == 0  # kept when allowed
    assert run("snapshot", "update", *src, "--config", "sd35_large")[0] == 0  # a selection never removes
    assert (snaps / "retired.eco.json").exists()

    code, out, _ = run("snapshot", "prune", *src)
    assert code == 0
    assert "removed" in out
    assert not (snaps / "retired.eco.json").exists()
    assert run("snapshot", "check", *src)[0] == 0


def test_a_full_update_prints_a_summary_and_removes_unused_snapshots_only(app: Path, tmp_path: Path) -> None:
    snaps = tmp_path / "legacy_snapshots"
    src = ("--root", str(app / "schemas"), "--dir", str(snaps))
    assert run("snapshot", "update", *src)[0] == 0
    run("snapshot", "import", str(app / "legacy" / "sd35_large.json"), "--config", "retired", "--mode", "eco",
        "--dir", str(snaps))
    (snaps / "notes.txt").write_text("not a snapshot", encoding="utf-8")
    (snaps / "zz_broken.eco.json").write_text("{broken", encoding="utf-8")  # unreadable: never removed
    set_steps(app, 40)
    # a config whose rendering fails keeps its snapshot (broken, not unused)
    pop = snaps / "pop_art.eco.json"
    shutil.copy(snaps / "sd35_large.fast.json", pop)
    data = json.loads(pop.read_text(encoding="utf-8"))
    data["config"], data["mode"] = "pop_art", "eco"
    pop.write_text(json.dumps(data), encoding="utf-8")

    code, out, _ = run("snapshot", "update", *src)
    lines = out.splitlines()
    assert re.fullmatch(r"snapshots: 0 new, (\d+) updated, (\d+) unchanged, 1 removed", lines[0]), out
    assert sum(int(n) for n in re.findall(r"(\d+) (?:updated|unchanged)", lines[0])) == 52
    assert "  updated  sd35_large [eco]" in lines
    assert "  updated  sd35_large [fast]" in lines
    assert any(line.startswith("  removed  ") and line.endswith("retired.eco.json") for line in lines)
    assert code == 1  # the unreadable file is still an S004 error
    assert "S004" in out
    assert not (snaps / "retired.eco.json").exists()
    assert pop.exists()
    assert (snaps / "notes.txt").exists()
    assert (snaps / "zz_broken.eco.json").exists()


def test_import_refuses_to_overwrite_and_reports_usage_errors(app: Path, tmp_path: Path) -> None:
    snaps = str(tmp_path / "s")
    legacy = str(app / "legacy" / "sd35_large.json")
    other = str(app / "legacy" / "sdxl_dualclip.json")
    assert run("snapshot", "import", legacy, "--config", "sd35_large", "--dir", snaps)[0] == 0
    code, _, err = run("snapshot", "import", other, "--config", "sd35_large", "--dir", snaps)
    assert code == 2
    assert "already exists" in err
    assert "--force" in err
    assert run("snapshot", "import", other, "--config", "sd35_large", "--dir", snaps, "--force")[0] == 0
    code, _, err = run("snapshot", "import", str(tmp_path / "nope.json"), "--config", "x", "--dir", snaps)
    assert code == 2
    assert "no such file" in err
    assert run("snapshot")[0] == 2


def test_an_unreadable_snapshot_fails_check_and_list(app: Path, tmp_path: Path) -> None:
    snaps = tmp_path / "s"
    snaps.mkdir()
    (snaps / "sd35_large.eco.json").write_text("{broken", encoding="utf-8")
    code, out, _ = run("snapshot", "check", "--root", str(app / "schemas"), "--dir", str(snaps),
                       "--config", "sd35_large", "--mode", "eco")
    assert code == 1
    assert "S004" in out
    code, out, _ = run("snapshot", "list", "--dir", str(snaps))
    assert code == 1
    assert "unreadable" in out


