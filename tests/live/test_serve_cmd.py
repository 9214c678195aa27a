"""``comfy-contract serve`` as a real subprocess on loopback, and its usage errors in-process."""

from __future__ import annotations

import httpx

from clirun import run

from .servers import STOCK, serve_subprocess


def test_serve_on_a_free_port_answers_and_stops_cleanly() -> None:
    with serve_subprocess("--catalog", str(STOCK), "--prefix", "/ComfyBackendDirect") as (url, proc):
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/ComfyBackendDirect")
        stats = httpx.get(f"{url}/system_stats", timeout=10).json()
        assert stats["system"]["comfyui_version"] == "0.3.75"
        assert httpx.post(f"{url}/prompt", json={"prompt": {}}, timeout=10).status_code == 400
        proc.terminate()
        assert proc.wait(timeout=30) == 0
        assert proc.stdout is not None
        assert "stopped" in proc.stdout.read()


def test_serve_uses_the_project_backend() -> None:
    with serve_subprocess("--backend", "standalone") as (url, _proc):
        info = httpx.get(f"{url}/object_info", timeout=30).json()
        assert "KSampler" in info


def test_serve_usage_errors_exit_2() -> None:
    code, _out, err = run("serve", "--backend", "nope", "--port", "0")
    assert code == 2
    assert "no backend 'nope'" in err
    code, _out, err = run("serve", "--catalog", str(STOCK), "--port", "70000")
    assert code == 2
    assert "not a port number" in err
    code, _out, err = run("serve", "--catalog", str(STOCK), "--prefix", "nope", "--port", "0")
    assert code == 2
    assert "prefix" in err
