"""(b) The example app end to end: stand-in as a subprocess and in-process, and the real ComfyUI, alike.

Each server runs the same three workflows (one that makes a PNG, one that fails at execution, one that is
rejected) through every HTTP client and both ways of waiting; the app's outcome must be the expected one
everywhere. The stand-in is told to fail where the reference server fails (its checkpoint files are empty
placeholders): ``--result error --error-node CheckpointLoaderSimple``.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from comfy_contract import Catalog
from comfy_contract.live.standin import StandinOptions, StandinServer

from . import example_app
from .servers import STOCK, serve_subprocess

CASES = list(itertools.product(sorted(example_app.WORKFLOWS), example_app.CLIENTS, example_app.WAITS))
STANDIN_FLAGS = ("--result", "error", "--error-node", "CheckpointLoaderSimple")


@pytest.fixture(scope="module")
def subprocess_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    files = tmp_path_factory.mktemp("serve-files")
    with serve_subprocess("--catalog", str(STOCK), *STANDIN_FLAGS, "--files", str(files)) as (url, _proc):
        yield url


@pytest.fixture(scope="module")
def in_process_url(stock_catalog: Catalog, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    options = StandinOptions(result="error", error_node="CheckpointLoaderSimple",
                             files=Path(tmp_path_factory.mktemp("standin-files")))
    with StandinServer(stock_catalog, options) as server:
        yield server.url


def _check(url: str, workflow: str, client: str, wait: str) -> None:
    outcome = example_app.run(url, example_app.WORKFLOWS[workflow], client=client, wait=wait)
    assert outcome == example_app.EXPECTED[workflow]


@pytest.mark.parametrize(("workflow", "client", "wait"), CASES)
def test_against_serve_subprocess(subprocess_url: str, workflow: str, client: str, wait: str) -> None:
    _check(subprocess_url, workflow, client, wait)


@pytest.mark.parametrize(("workflow", "client", "wait"), CASES)
def test_against_the_in_process_stand_in(in_process_url: str, workflow: str, client: str, wait: str) -> None:
    _check(in_process_url, workflow, client, wait)


@pytest.mark.reference
@pytest.mark.parametrize(("workflow", "client", "wait"), CASES)
def test_against_the_real_comfyui(reference_url: str, workflow: str, client: str, wait: str) -> None:
    _check(reference_url, workflow, client, wait)
