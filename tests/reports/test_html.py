"""The HTML report: one self-contained page (no network), readable without JavaScript, opened in headless
Chromium (Debian's ``chromium``; required under CI=true, skipped with the reason elsewhere when absent)."""

from __future__ import annotations

import itertools
import os
import re
import time
from pathlib import Path

import pytest

from comfy_contract.check.engine import Engine, suite_from_project
from comfy_contract.check.project import load_project
from comfy_contract.check.results import Report
from comfy_contract.report.formats import render_report
from comfy_contract.report.graphlayout import layout
from comfy_contract.report.html import diff_html, report_html
from comfy_contract.snapshot.diff import diff
from graph_samples import renumber, split_and_combine

from .chromium import chromium_path, open_page, png_pixels

REPO = Path(__file__).resolve().parents[2]
SCREENSHOT = REPO / "docs" / "images" / "check-report.png"
WIDTH, HEIGHT = 1100, 760


@pytest.fixture(scope="module")
def repo_report() -> Report:
    """The README's main job: the sample app with its legacy snapshots (so snapshot drift is drawn)."""
    return Engine(suite_from_project(load_project(REPO / "comfy-contract.yaml"))).report()


def external_references(page: str) -> list[str]:
    """Every URL the page could fetch (the SVG namespace is a name, not a request)."""
    urls = re.findall(r"""(?:src|href|action|url\()\s*=?\s*["']?((?:https?:)?//[^"' )>]+)""", page)
    return [u for u in urls if u != "http://www.w3.org/2000/svg"] + re.findall(r"<link\b|@import|<iframe\b", page)


def test_the_report_is_one_self_contained_page(repo_report: Report) -> None:
    started = time.perf_counter()
    page = render_report(repo_report, "html")
    elapsed = time.perf_counter() - started
    assert page.startswith("<!doctype html>")
    assert external_references(page) == []
    assert "default-src 'none'" in page  # the CSP forbids any fetch, should one slip in
    assert elapsed < 2.0, f"the HTML report took {elapsed:.2f}s"
    assert len(page) < 1_500_000
    # the essentials are in the markup, not built by the script
    failing = repo_report.summary()["failing_configs"]
    for config in failing:
        assert f'data-config="{config}"' in page
    assert 'id="cfg-bauhaus-fast"' in page
    assert '<g class="n n-fail"' in page
    assert "V015 steps" in page
    assert 'id="code-V015"' in page
    assert "body:has(#code-V015:checked)" in page


def test_snapshot_drift_draws_both_graphs_with_the_changes(repo_report: Report) -> None:
    page = report_html(repo_report)
    section = page[page.index('id="cfg-vector_fusion_linear_clip-eco"'):]
    section = section[:section.index("</section>")]
    assert "snapshot drift" in section
    assert section.count('<svg xmlns="http://www.w3.org/2000/svg" class="wf"') == 3  # rendered, a, b
    assert 'class="n n-removed"' in section  # the fusion node the fallback lost
    assert "e-added" in section
    assert "legend" in section


def test_diff_html_marks_the_one_changed_node() -> None:
    a = split_and_combine()
    mapping = {k: str(5000 - int(k)) for k in a}
    b = renumber(a, mapping, sorted(a), reverse_inputs=False)
    b[mapping["121"]]["inputs"]["steps"] = 7
    page = diff_html(diff(a, b), a, b, names=("a.json", "b.json"))
    assert external_references(page) == []
    assert page.count('class="n n-changed"') == 2  # the KSampler, once on each side
    assert "steps: 20→7" in page
    assert "n-added" not in page.replace(".n-added", "").replace("lg n-added", "")


def test_large_graphs_lay_out_quickly_and_without_overlap() -> None:
    nodes = {str(i): [f"#{i} KSampler"] for i in range(200)}
    edges = [(str(i), str(i + 1)) for i in range(199)] + [(str(i), str(i + 7)) for i in range(0, 190, 3)]
    started = time.perf_counter()
    lay = layout(nodes, edges)
    assert time.perf_counter() - started < 1.0
    columns: dict[float, list[tuple[float, float]]] = {}
    for box in lay.boxes.values():
        columns.setdefault(box.x, []).append((box.y, box.y + box.height))
    for spans in columns.values():
        spans.sort()
        assert all(prev[1] <= nxt[0] for prev, nxt in itertools.pairwise(spans))
    for src, dst in edges:
        assert lay.boxes[src].x < lay.boxes[dst].x  # left to right


# --- in a real browser ---------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(
    chromium_path() is None and os.environ.get("CI") != "true",
    reason="Debian's chromium is not installed (apt-get install chromium; .ci/run installs it, and CI requires it)")


@needs_chromium
def test_the_report_opens_in_headless_chromium(repo_report: Report, tmp_path: Path) -> None:
    assert chromium_path() is not None, "CI=true: chromium must be installed (.ci/run installs it)"
    page = tmp_path / "check.html"
    page.write_text(report_html(repo_report), encoding="utf-8")
    failing = repo_report.summary()["failing_configs"]
    run = open_page(page, {
        "sections": "[...document.querySelectorAll('section.config[data-config]')].map(s => s.dataset.config)",
        "failing_rows": "document.querySelectorAll('tr.row.st-fail').length",
        "highlighted": "[...document.querySelectorAll('#cfg-bauhaus-fast g.n-fail')].map(g => g.dataset.node)",
        "zoom_buttons": "document.querySelectorAll('.graph .zoom button').length",
        "hidden_after_filter": "(document.getElementById('f-pass').click(),"
                               " [...document.querySelectorAll('tr.row.st-pass')]"
                               ".every(r => getComputedStyle(r).display === 'none'))",
        "shown_again": "(document.getElementById('f-pass').click(),"
                       " getComputedStyle(document.querySelector('tr.row.st-pass')).display !== 'none')",
    }, width=WIDTH, height=HEIGHT, scroll_to="#cfg-vector_fusion_linear_clip-eco figure.graph")
    assert run.console_errors == []
    assert [u for u in run.requests if not u.startswith(("file:", "data:"))] == []
    assert set(failing) <= set(run.values["sections"])
    assert run.values["failing_rows"] > 0
    assert run.values["highlighted"] == ["3"]  # the KSampler whose steps is '{{STEPS}}'
    assert run.values["zoom_buttons"] > 0
    assert run.values["hidden_after_filter"] is True
    assert run.values["shown_again"] is True
    width, height, rows = png_pixels(run.screenshot)
    assert (width, height) == (WIDTH, HEIGHT)
    colours = {row[i:i + 3] for row in rows[::7] for i in range(0, len(row), 4 * 11)}
    assert len(colours) > 8, "the screenshot is blank"
    if os.environ.get("COMFY_CONTRACT_SCREENSHOT"):  # refresh the README's picture
        SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
        SCREENSHOT.write_bytes(run.screenshot)
