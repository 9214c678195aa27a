"""live/drift.py and ``comfy-contract catalog diff``: what changed between a catalog and a server."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

from clirun import run
from comfy_contract import Catalog
from comfy_contract.live.drift import catalog_drift
from comfy_contract.live.standin import StandinOptions, StandinServer
from comfy_contract.validation.catalog import catalog_from_data

from .servers import STOCK


def _changed(stock: Catalog) -> Catalog:
    """The stock catalog as a drifted server would show it."""
    info: dict[str, Any] = stock.object_info()
    del info["PreviewAny"]
    info["MyCustomNode"] = {"input": {"required": {}}, "output": [], "output_node": True, "name": "MyCustomNode"}
    ks = info["KSampler"]["input"]["required"]
    ks["steps"][1]["max"] = 100  # narrower
    ks["cfg"][1]["min"] = -1.0  # wider
    del ks["denoise"]
    ks["new_required"] = ["INT", {}]
    info["KSampler"]["input"].setdefault("optional", {})["new_optional"] = ["FLOAT", {}]
    ckpt = info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"]
    ckpt[0] = [c for c in ckpt[0] if c != "sd_xl_base_1.0.safetensors"] + ["new_model.safetensors"]
    info["EmptyLatentImage"]["input"]["required"]["width"] = ["FLOAT", {}]
    info["VAEDecode"]["output"] = ["LATENT"]
    return catalog_from_data({"comfyui_version": "0.3.76", "object_info": info}, source="drifted")


def test_no_drift_against_itself(stock_catalog: Catalog) -> None:
    assert catalog_drift(stock_catalog, stock_catalog) == ()


def test_every_kind_of_drift_has_its_code(stock_catalog: Catalog) -> None:
    drift = catalog_drift(stock_catalog, _changed(stock_catalog))
    found = {(f.code, f.class_type, f.input, str(f.severity)) for f in drift}
    assert found == {
        ("D012", None, None, "warning"),
        ("D001", "PreviewAny", None, "error"),
        ("D002", "MyCustomNode", None, "warning"),
        ("D008", "KSampler", "steps", "error"),
        ("D008", "KSampler", "cfg", "warning"),
        ("D003", "KSampler", "denoise", "warning"),
        ("D004", "KSampler", "new_required", "error"),
        ("D005", "KSampler", "new_optional", "info"),
        ("D009", "CheckpointLoaderSimple", "ckpt_name", "error"),
        ("D010", "CheckpointLoaderSimple", "ckpt_name", "info"),
        ("D007", "EmptyLatentImage", "width", "error"),
        ("D011", "VAEDecode", None, "error"),
    }
    missing = next(f for f in catalog_drift(stock_catalog, _changed(stock_catalog)) if f.code == "D009")
    assert missing.expected == ["sd_xl_base_1.0.safetensors"]
    assert missing.path == "/CheckpointLoaderSimple/input/required/ckpt_name"


def test_catalog_diff_cli(stock_catalog: Catalog, tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    new.write_text(json.dumps(_changed(stock_catalog).to_envelope()))
    code, out, _err = run("catalog", "diff", str(STOCK), str(new))
    assert code == 1
    assert "D009 error: CheckpointLoaderSimple.ckpt_name: the server does not offer 'sd_xl_base_1.0.safetensors'" in out
    assert out.rstrip().endswith("12 drift finding(s) (6 error, 4 warning, 2 info)")
    assert run("catalog", "diff", str(STOCK), str(STOCK))[:2] == (0, f"{STOCK} -> {STOCK}: no drift\n")
    code, out, _err = run("catalog", "diff", str(STOCK), str(new), "--format", "json")
    assert len(json.loads(out)["findings"]) == 12


def test_catalog_diff_against_a_server(stock_catalog: Catalog, tmp_path: Path) -> None:
    with StandinServer(_changed(stock_catalog), StandinOptions(files=tmp_path)) as server:
        code, out, _err = run("catalog", "diff", str(STOCK), server.url)
    assert code == 1
    assert "D001 error: node class 'PreviewAny'" in out


def test_an_unreachable_server_is_exit_2_with_the_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, not listening: connections are refused
        code, out, err = run("catalog", "diff", str(STOCK), f"http://127.0.0.1:{port}")
    assert code == 2
    assert f"cannot reach ComfyUI at http://127.0.0.1:{port}" in err
    assert "3 attempt(s)" in err
    assert "Traceback" not in out + err
