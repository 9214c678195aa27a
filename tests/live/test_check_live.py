"""``comfy-contract check --live [--submit]``: drift of each backend with a ``url``, and the server's answers."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import yaml

from checkproject import backends
from clirun import run
from comfy_contract import Catalog
from comfy_contract.live.standin import StandinOptions, StandinServer

REPO = Path(__file__).resolve().parents[2]


def _project(tmp_path: Path, url: str) -> Path:
    data = yaml.safe_load((REPO / "comfy-contract.yaml").read_text("utf-8"))
    data["root"] = str(REPO / data["root"])
    data["backends"] = backends()
    data["backends"]["production"]["url"] = url
    for key in ("snapshots", "contracts", "baseline"):
        data.pop(key, None)
    path = tmp_path / "comfy-contract.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_live_reports_drift_and_submit_posts(stock_catalog: Catalog, tmp_path: Path) -> None:
    """The 'production' backend's URL serves the stock catalog: its custom nodes are missing there."""
    with StandinServer(stock_catalog, StandinOptions(files=tmp_path / "files")) as server:
        project = _project(tmp_path, server.url)
        args = ("check", str(project), "--config", "sdxl_base", "--mode", "eco", "--check", "validate", "--live")
        code, out, _err = run(*args, cwd=tmp_path)
        assert code == 1
        assert f"live: backend 'production' at {server.url}: " in out
        assert "D001 error: node class 'AI4ArtsEd" in out or "D001 error" in out
        assert "standalone" not in out.split("live:")[-1]  # no url: not asked
        assert server.recorded() == []
        code, out, _err = run(*args, "--submit", cwd=tmp_path)
        assert "submission(s) posted" in out
        assert len(server.recorded()) >= 1
        code, out, err = run(*args, "--format", "json", cwd=tmp_path)  # the drift is in the report itself
        assert code == 1
        live = [r for r in json.loads(out)["results"] if r["check"] == "live"]
        assert [(r["config"], r["backend"], r["status"]) for r in live] == [("*", "production", "fail")]
        assert "D001" in {f["code"] for f in live[0]["findings"]}
        assert f"live: backend 'production' at {server.url}: " in err


def test_live_without_urls_or_server_is_exit_2(tmp_path: Path) -> None:
    code, _out, err = run("check", str(REPO / "comfy-contract.yaml"), "--live", "--config", "sdxl_base")
    assert code == 2
    assert "no selected backend has a `url`" in err
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
        project = _project(tmp_path, url)
        code, out, err = run("check", str(project), "--live", "--config", "sdxl_base", "--check", "validate",
                             cwd=tmp_path)
    assert code == 2
    assert f"cannot reach ComfyUI at {url}" in err
    assert "Traceback" not in out + err
