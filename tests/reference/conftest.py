"""Fixtures for the differential suite against a real ComfyUI 0.3.75 (``scripts/reference-comfyui``).

The server's base URL comes from ``COMFY_REFERENCE_URL``. Without a reachable server these tests skip
locally and fail under ``CI=true``. At the end of the session the agreement report is written to
``COMFY_REFERENCE_REPORT`` (default ``reports/reference-agreement.json``) and summarised.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from comfy_contract.live.client import ComfyClient

from .harness import REPO, Oracle, Recorder

SKIP_MESSAGE = (
    "no reference ComfyUI: run scripts/reference-comfyui start and "
    "export COMFY_REFERENCE_URL=$(scripts/reference-comfyui url)"
)
_REPORT = pytest.StashKey[dict[str, Any]]()
_RECORDER = pytest.StashKey[Recorder]()


def _unavailable(why: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {why}; .ci/run starts it with scripts/reference-comfyui start", pytrace=False)
    pytest.skip(f"{SKIP_MESSAGE} ({why})")


@pytest.fixture(scope="session")
def reference_url() -> str:
    """Base URL of the reference ComfyUI (PYTHONHASHSEED=0), checked to answer."""
    url = os.environ.get("COMFY_REFERENCE_URL", "").strip()
    if not url:
        _unavailable("COMFY_REFERENCE_URL is not set")
    try:
        response = httpx.get(f"{url.rstrip('/')}/system_stats", timeout=10.0)
    except httpx.HTTPError as exc:
        _unavailable(f"{url} does not answer ({exc})")
    else:
        if response.status_code != 200:
            _unavailable(f"{url}/system_stats answered HTTP {response.status_code}")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def reference_client(reference_url: str) -> Iterator[ComfyClient]:
    with ComfyClient(reference_url, timeout=120.0) as client:
        yield client


@pytest.fixture(scope="session")
def oracle(reference_url: str) -> Iterator[Oracle]:
    oracle = Oracle(reference_url)
    try:
        yield oracle
    finally:
        oracle.close(restart_dead=os.environ.get("CI", "").lower() != "true")


@pytest.fixture(scope="session")
def recorder(request: pytest.FixtureRequest, oracle: Oracle, reference_client: ComfyClient) -> Iterator[Recorder]:
    path = Path(os.environ.get("COMFY_REFERENCE_REPORT", REPO / "reports" / "reference-agreement.json"))
    rec = Recorder(path, oracle.primary.url)
    rec.version = reference_client.comfyui_version()
    request.config.stash[_RECORDER] = rec
    yield rec
    if rec.kinds:
        for server in oracle.servers:
            server.tend()
        dead = [{"server": s.url, **s.dead_worker} for s in oracle.servers if s.dead_worker]
        report = rec.report(sum(s.restarts for s in oracle.servers), [s.seed for s in oracle.servers], dead)
        rec.write(report)
        request.config.stash[_REPORT] = report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is None:
        return
    terminalreporter.section("agreement with the real ComfyUI (per mutation kind)")
    for line in config.stash[_RECORDER].summary_lines(report):
        terminalreporter.write_line(line)
