"""Fixtures for the differential suite against real ComfyUIs of several eras (``scripts/reference-comfyui``).

The servers' base URLs come from ``COMFY_REFERENCE_URLS`` (``era=url`` pairs, comma-separated, e.g.
``0.3.75=http://127.0.0.1:8199,0.3.52=http://127.0.0.1:8210,early-2024=http://127.0.0.1:8240``) and, for
0.3.75, also from ``COMFY_REFERENCE_URL``. Tests that take ``era`` run once per era named there. A named
server that does not answer (or none named at all) skips those tests locally and fails them under
``CI=true``. At the end of the session each era's agreement report is written to
``reports/reference-agreement-<era>.json`` (folder: ``COMFY_REFERENCE_REPORT_DIR``) and summarised.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from comfy_contract import Catalog
from comfy_contract.live.client import ComfyClient

from .corpus import ERA_CATALOGS, era_catalog
from .harness import REPO, Oracle, Recorder, summary_table

SKIP_MESSAGE = (
    "no reference ComfyUI: run scripts/reference-comfyui start [--version ERA] and "
    "export COMFY_REFERENCE_URLS=ERA=$(scripts/reference-comfyui url [--version ERA]),..."
)
BASE_ERA = "0.3.75"
_REPORTS = pytest.StashKey[dict[str, dict[str, Any]]]()
_RECORDERS = pytest.StashKey[dict[str, Recorder]]()


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def era_urls() -> dict[str, str]:
    """era -> base URL, from ``COMFY_REFERENCE_URLS`` then ``COMFY_REFERENCE_URL`` (0.3.75), in that order."""
    urls: dict[str, str] = {}
    for item in os.environ.get("COMFY_REFERENCE_URLS", "").split(","):
        if not item.strip():
            continue
        era, sep, url = item.partition("=")
        if not sep or not url.strip():
            raise pytest.UsageError(f"COMFY_REFERENCE_URLS: {item!r} is not ERA=URL")
        if era.strip() not in ERA_CATALOGS:
            raise pytest.UsageError(f"COMFY_REFERENCE_URLS: unknown era {era.strip()!r}; runnable eras: "
                                    f"{', '.join(ERA_CATALOGS)}")
        urls[era.strip()] = url.strip().rstrip("/")
    single = os.environ.get("COMFY_REFERENCE_URL", "").strip().rstrip("/")
    if single and BASE_ERA not in urls:
        urls = {BASE_ERA: single, **urls}
    return urls


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "era" in metafunc.fixturenames:
        eras = list(era_urls()) or [BASE_ERA]
        metafunc.parametrize("era", eras, scope="session")


def _unavailable(why: str) -> None:
    if _in_ci():
        pytest.fail(f"CI=true but {why}; .ci/run starts it with scripts/reference-comfyui start", pytrace=False)
    pytest.skip(f"{SKIP_MESSAGE} ({why})")


def _checked(era: str, url: str | None) -> str:
    if not url:
        _unavailable(f"no server for era {era} (COMFY_REFERENCE_URLS / COMFY_REFERENCE_URL not set)")
        raise AssertionError("unreachable")
    try:
        response = httpx.get(f"{url}/system_stats", timeout=10.0)
    except httpx.HTTPError as exc:
        _unavailable(f"{url} (era {era}) does not answer ({exc})")
    else:
        if response.status_code != 200:
            _unavailable(f"{url}/system_stats (era {era}) answered HTTP {response.status_code}")
    return url


@pytest.fixture(scope="session")
def reference_url() -> str:
    """Base URL of the reference ComfyUI 0.3.75 (PYTHONHASHSEED=0), checked to answer."""
    return _checked(BASE_ERA, era_urls().get(BASE_ERA))


@pytest.fixture(scope="session")
def era_url(era: str) -> str:
    """Base URL of the reference ComfyUI of ``era`` (PYTHONHASHSEED=0), checked to answer."""
    return _checked(era, era_urls().get(era))


@pytest.fixture(scope="session")
def reference_client(era_url: str) -> Iterator[ComfyClient]:
    with ComfyClient(era_url, timeout=120.0) as client:
        yield client


@pytest.fixture(scope="session")
def era_reference_catalog(era: str) -> Catalog:
    """The era's committed catalog, validated with the era's table."""
    return era_catalog(era)


@pytest.fixture(scope="session")
def oracle(era: str, era_url: str) -> Iterator[Oracle]:
    oracle = Oracle(era_url, version=era)
    try:
        yield oracle
    finally:
        oracle.close(restart_dead=not _in_ci())


@pytest.fixture(scope="session")
def recorder(
    request: pytest.FixtureRequest, era: str, oracle: Oracle, reference_client: ComfyClient
) -> Iterator[Recorder]:
    folder = Path(os.environ.get("COMFY_REFERENCE_REPORT_DIR", REPO / "reports"))
    rec = Recorder(folder / f"reference-agreement-{era}.json", oracle.primary.url, era=era,
                   catalog_path=ERA_CATALOGS[era])
    rec.version = reference_client.comfyui_version()
    request.config.stash.setdefault(_RECORDERS, {})[era] = rec
    yield rec
    if rec.kinds:
        for server in oracle.servers:
            server.tend()
        dead = [{"server": s.url, **s.dead_worker} for s in oracle.servers if s.dead_worker]
        report = rec.report(sum(s.restarts for s in oracle.servers), [s.seed for s in oracle.servers], dead)
        rec.write(report)
        request.config.stash.setdefault(_REPORTS, {})[era] = report


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    reports = config.stash.get(_REPORTS, {})
    recorders = config.stash.get(_RECORDERS, {})
    for era, report in reports.items():
        terminalreporter.section(f"agreement with the real ComfyUI, era {era} (per mutation kind)")
        for line in recorders[era].summary_lines(report):
            terminalreporter.write_line(line)
    if reports:
        terminalreporter.section("agreement with the real ComfyUI per era")
        for line in summary_table(reports):
            terminalreporter.write_line(line)
