"""HTTP answers from a hostile local server (127.0.0.1): slow, trickling, huge, deep, wrong type, redirects.
Every exchange ends within its deadline and the memory cap; bad answers are exit 2 or an R011 finding,
never a traceback and never a written catalog (issue 13)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.live.client import ComfyClient
from comfy_contract.render.adapters import HttpGenerator
from hostile.harness import HostileServer, limited, run


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with HostileServer() as url:
        yield url


@pytest.mark.parametrize(("path", "needle"), [
    ("empty", "no node classes"),
    ("foreign", "not a node catalog"),
    ("list", "did not return an object"),
    ("notjson", "usable JSON"),
    ("deep", "nested"),
    ("deep300", "nested"),
    ("redirect", "HTTP 302"),
    ("missing", "HTTP 404"),
])
def test_catalog_pull_refuses_bad_answers(server: str, tmp_path: Path, path: str, needle: str) -> None:
    target = tmp_path / "catalog.json"
    result = run("catalog", "pull", "--url", f"{server}/{path}", "-o", str(target))
    result.assert_clean(2)
    assert needle in result.err
    assert server in result.err
    assert not target.exists()  # nothing written for an answer that is not a catalog


def test_catalog_pull_from_a_good_server_still_works(server: str, tmp_path: Path) -> None:
    target = tmp_path / "catalog.json"
    run("catalog", "pull", "--url", f"{server}/ok", "-o", str(target)).assert_clean(0)
    assert json.loads(target.read_text("utf-8"))["object_info"]


def test_a_huge_chunked_answer_is_capped_in_a_memory_limited_process(server: str, tmp_path: Path) -> None:
    """A 2 GB chunked /object_info once reached 6.2 GB RSS; now the read stops at 64 MiB."""
    result = limited("catalog", "pull", "--url", f"{server}/huge", "-o", str(tmp_path / "c.json"), cwd=tmp_path,
                     memory_mb=1024, wall_s=30)
    result.assert_clean(2)
    assert "more than" in result.err
    assert result.peak_rss_mb < 600
    assert not (tmp_path / "c.json").exists()


def test_a_declared_huge_length_is_refused_before_reading(server: str) -> None:
    with ComfyClient(f"{server}/hugelength", timeout=5) as client, pytest.raises(ComfyContractError,
                                                                                match="more than"):
        client.object_info()


@pytest.mark.parametrize("path", ["slow", "slowheaders"])
def test_a_trickling_server_cannot_stretch_the_deadline(server: str, path: str) -> None:
    """One byte every 0.2 s: each read is quick, so httpx's per-read timeout never fires; the deadline does."""
    started = time.perf_counter()
    with ComfyClient(f"{server}/{path}", timeout=1.5, retries=0) as client, pytest.raises(
            ComfyContractError, match=r"within 1\.5 s"):
        client.object_info()
    assert time.perf_counter() - started < 4


@pytest.mark.parametrize(("path", "needle"), [
    ("slow", "within 1.5 s"),
    ("huge", "more than"),
    ("deep", "nested"),
    ("list", "expected an API-format workflow"),
    ("notjson", "no JSON"),
    ("missing", "HTTP 404"),
    ("surrogate", None),
])
def test_http_generator_answers_are_findings(server: str, path: str, needle: str | None) -> None:
    generator = HttpGenerator(f"{server}/{path}", timeout=1.5)
    try:
        started = time.perf_counter()
        rendered = generator.render("cfg", "eco")
        assert time.perf_counter() - started < 6
    finally:
        generator.close()
    if needle is None:
        assert rendered.outcome == "workflow"  # a lone surrogate is data: validated, not a crash
        return
    assert rendered.outcome == "error"
    assert [f.code for f in rendered.findings] == ["R011"]
    assert needle in rendered.findings[0].message


def test_http_generator_project_timeout_is_a_deadline(server: str, tmp_path: Path) -> None:
    """The documented ``timeout`` (60 s default) bounds the whole answer of a generator endpoint."""
    (tmp_path / "comfy-contract.yaml").write_text(
        f"generator:\n  url: {server}/slow\n  timeout: 1\nmodes: [eco]\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run("render", "--config", "a", "--out", str(out), cwd=tmp_path)
    result.assert_clean(0)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert [f["code"] for f in manifest["configs"][0]["findings"]] == ["R011"]
    assert result.seconds < 6


def test_validate_url_with_a_hostile_server(server: str, tmp_path: Path) -> None:
    wf = tmp_path / "wf.json"
    wf.write_text('{"1": {"class_type": "EmptyLatentImage", "inputs": {}}}', encoding="utf-8")
    for path in ("deep", "notjson", "redirect"):
        result = run("validate", str(wf), "--url", f"{server}/{path}")
        assert "Traceback" not in result.err
        assert result.code in (0, 1, 2)
