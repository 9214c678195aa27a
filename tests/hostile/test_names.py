"""Config names from a pull request: a lone surrogate, escape codes and NUL, 300 characters, 200 non-ASCII
characters, and two configs with one name. Every command and report format survives them; terminals and XML
see escapes; one bad name is one finding, never an aborted run (issue 13)."""

from __future__ import annotations

import json
import xml.dom.minidom
from pathlib import Path

import pytest

from hostile.harness import run

REPO = Path(__file__).resolve().parents[2]
NAMES = {"sur": "bad\ud800name", "esc": "x\x1b[31mRED\x00nul\u202e", "long": "L" * 300, "uni": "ä" * 200,
         "dup1": "twin", "dup2": "twin"}
SELECT = ("--config", "bad*", "--config", "x*", "--config", "LLL*", "--config", "ää*", "--config", "twin",
          "--mode", "eco")
EXACT = (*(a for name in sorted(set(NAMES.values())) for a in ("--config", name)), "--mode", "eco")


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from checkproject import make_project

    where = tmp_path_factory.mktemp("names")
    make_project(where)
    base = json.loads((where / "schemas/configs/dual_encoder_fusion_image.json").read_text("utf-8"))
    for stem, name in NAMES.items():
        (where / f"schemas/configs/{stem}.json").write_text(json.dumps({**base, "name": name}), encoding="utf-8")
    return where


@pytest.mark.parametrize("fmt", ["text", "json", "junit", "sarif", "markdown", "github"])
def test_check_in_every_format(project: Path, fmt: str, tmp_path: Path) -> None:
    report = tmp_path / f"report.{fmt}"
    result = run("check", *SELECT, "--format", fmt, "--output", str(report), cwd=project)
    result.assert_clean(1, 2)
    text = report.read_text("utf-8")
    assert text  # written completely, never an empty report
    for raw in ("\x1b", "\x00", "\u202e"):  # JSON carries the bidi character as data; displays escape it
        assert (raw not in text or (raw == "\u202e" and fmt in ("json", "sarif")))
        assert raw not in result.err
    if fmt == "junit":
        xml.dom.minidom.parseString(text.encode())
    if fmt in ("json", "sarif"):
        json.loads(text)
    assert "R021" in text or (fmt == "junit" and "R021" in text.replace("&quot;", '"'))


def test_text_report_on_stdout_escapes_names(project: Path) -> None:
    result = run("check", *SELECT, cwd=project)
    result.assert_clean(1, 2)
    assert "x\\x1b[31mRED\\x00nul\\u202e" in result.out
    assert "bad\\ud800name" in result.out
    assert "2 config files are named 'twin'" in result.out


def test_render_writes_every_file_and_the_manifest(project: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run("render", *EXACT, "--out", str(out), cwd=project)
    result.assert_clean(0)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert {e["config"] for e in manifest["configs"]} == set(NAMES.values())
    assert all(len(p.name.encode()) < 200 for p in out.iterdir())


def test_snapshot_update_and_check(project: Path) -> None:
    update = run("snapshot", "update", *EXACT, cwd=project)
    update.assert_clean(0)
    assert "\x1b" not in update.out
    assert "x\\x1b[31m" in update.out
    assert all(len(p.name.encode()) < 220 for p in (project / "snapshots").iterdir())
    check = run("snapshot", "check", *EXACT, cwd=project)
    check.assert_clean(0)


def test_list_prints_names_escaped(project: Path) -> None:
    result = run("render", "--list", cwd=project)
    result.assert_clean(0)
    assert "\x1b" not in result.out
    assert "x\\x1b[31mRED" in result.out
