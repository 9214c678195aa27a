"""``comfy-contract validate FILE --url URL [--compare]``: a server's answer, and disagreements as D020."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from clirun import run
from comfy_contract import Catalog
from comfy_contract.live.standin import StandinOptions, StandinServer

from .servers import STOCK

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded-0.3.75"


@pytest.fixture
def server(stock_catalog: Catalog, tmp_path: Path) -> Iterator[StandinServer]:
    with StandinServer(stock_catalog, StandinOptions(files=tmp_path / "files")) as s:
        yield s


def test_posts_and_prints_the_answer(server: StandinServer, tmp_path: Path) -> None:
    ok, bad = _body(tmp_path, "valid_emptylatent_savelatent"), _body(tmp_path, "int_conversion_failure")
    code, out, _err = run("validate", str(ok), "--url", server.url)
    assert code == 0
    assert "answered HTTP 200 (accepted)" in out
    code, out, _err = run("validate", str(bad), "--url", server.url, "--compare", "--format", "json")
    assert code == 1
    line = json.loads(out)
    assert (line["status"], line["offline"]["status"], line["findings"]) == (400, 400, [])
    assert len(server.recorded()) == 2


def test_compare_reports_a_disagreement(server: StandinServer, stock_catalog: Catalog, tmp_path: Path) -> None:
    """Offline with a catalog that lacks the checkpoint, the server has it: D020."""
    stale = tmp_path / "stale.json"
    info = stock_catalog.object_info()
    info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0] = []
    stale.write_text(json.dumps({"comfyui_version": "0.3.75", "object_info": info}))
    workflow = tmp_path / "wf.json"
    workflow.write_text(json.dumps({
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["5", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "x"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
    }))
    code, out, _err = run("validate", str(workflow), "--url", server.url, "--compare")
    assert code == 0  # nothing is wrong with the server's answer, or the catalog that is the server's own
    assert "offline verdict agrees" in out
    code, out, _err = run("validate", str(workflow), "--url", server.url, "--compare", "--catalog", str(stale))
    assert code == 1
    assert "D020" in out


def test_unreachable_is_exit_2() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        code, out, err = run("validate", str(RECORDED / "no_outputs.json"), "--url", url)
    assert code == 2
    assert f"cannot reach ComfyUI at {url}" in err
    assert "Traceback" not in out + err


def test_usage_errors() -> None:
    assert run("validate", "x.json")[0] == 2
    assert "--compare needs --url" in run("validate", "x.json", "--catalog", str(STOCK), "--compare")[2]


def _body(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(json.loads((RECORDED / f"{name}.json").read_text())["body"]))
    return path
