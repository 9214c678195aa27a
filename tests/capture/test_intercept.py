"""The interceptor through the real HTTP clients: requests, httpx, aiohttp, urllib (no mocks of our code)."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import aiohttp
import httpx
import pytest
import requests
import requests.adapters

from comfy_contract import Catalog, ComfyContractError
from comfy_contract.live.intercept import Interceptor, Route, classify, is_loopback_url
from comfy_contract.live.standin import StandinServer

WORKFLOW: dict[str, Any] = {
    "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "capture/t"}},
}
BODY = {"prompt": WORKFLOW, "client_id": "t"}
COMFY = "http://gpu-box.invalid:8188"


@pytest.fixture(scope="module")
def interceptor(stock_catalog: Catalog) -> Iterator[Interceptor]:
    with Interceptor(stock_catalog) as icp:
        yield icp


@pytest.mark.parametrize(("url", "route"), [
    ("http://h:8188/prompt", Route("comfyui", "/prompt")),
    ("http://h/api/prompt", Route("comfyui", "/api/prompt")),
    ("https://swarm/ComfyBackendDirect/prompt", Route("comfyui", "/prompt", "swarmui")),
    ("http://h/ComfyBackendDirect/api/history/abc?max_items=2", Route("comfyui", "/api/history/abc", "swarmui")),
    ("ws://h:8188/ws?clientId=x", Route("comfyui", "/ws")),
    ("http://h/object_info/KSampler", Route("comfyui", "/object_info/KSampler")),
    ("http://h/upload/image", Route("comfyui", "/upload/image")),
    ("http://ollama:11434/api/generate", Route("llm", "ollama-generate")),
    ("http://ollama:11434/api/chat", Route("llm", "ollama-chat")),
    ("https://openrouter.ai/api/v1/chat/completions", Route("llm", "openai-chat")),
    ("http://swarm:7801/API/GetNewSession", Route("swarmui", "swarmui-session")),
    ("http://swarm:7801/API/GenerateText2Image", Route("swarmui", "swarmui-text2image")),
    ("https://telemetry.example.com/v1/event", Route("refused")),
    ("http://h/prompts", Route("refused")),
    ("http://h/", Route("refused")),
])
def test_requests_are_classified_by_path(url: str, route: Route) -> None:
    assert classify(url) == route


def test_loopback_urls() -> None:
    assert is_loopback_url("http://127.0.0.1:9/x")
    assert is_loopback_url("http://localhost/")
    assert is_loopback_url("http://[::1]:80/")
    assert not is_loopback_url("http://10.0.0.1/")
    assert not is_loopback_url("http://example.com/")


def _post(client: str, url: str, body: Any) -> tuple[int, Any]:
    if client == "requests":
        r = requests.post(url, json=body, timeout=10)
        return r.status_code, r.json()
    if client == "httpx":
        rx = httpx.post(url, json=body, timeout=10)
        return rx.status_code, rx.json()
    if client == "aiohttp":
        async def run() -> tuple[int, Any]:
            async with aiohttp.ClientSession() as s, s.post(url, json=body) as r:
                return r.status, await r.json()

        return asyncio.run(run())
    req = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.mark.parametrize("client", ["requests", "httpx", "aiohttp", "urllib"])
def test_prompt_bodies_are_answered_by_the_standin_and_recorded(interceptor: Interceptor, client: str) -> None:
    bad = {"prompt": {"1": WORKFLOW["1"]}}
    with interceptor.session() as session:
        ok_status, ok = _post(client, f"{COMFY}/prompt", BODY)
        bad_status, rejected = _post(client, "https://swarm.invalid/ComfyBackendDirect/api/prompt", bad)
    assert ok_status == 200
    assert set(ok) == {"prompt_id", "number", "node_errors"}
    assert bad_status == 400
    assert rejected["error"]["type"] == "prompt_no_outputs"
    prompts = session.prompts
    assert [(c.library, c.status, c.route.transport) for c in prompts] == [
        (client, 200, "comfyui"), (client, 400, "swarmui")]
    assert prompts[0].body == BODY
    assert prompts[0].url == f"{COMFY}/prompt"
    assert session.refused == []


def test_history_and_websocket_work_as_on_the_standin(interceptor: Interceptor) -> None:
    async def run() -> tuple[Any, list[str]]:
        kinds: list[str] = []
        async with aiohttp.ClientSession(base_url=COMFY) as s, s.ws_connect("/ws?clientId=t") as ws:
            async with s.post("/prompt", json=BODY) as r:
                answer = await r.json()
            async for msg in ws:
                data = json.loads(msg.data)
                kinds.append(data["type"])
                if data["type"] == "executing" and data["data"]["node"] is None:
                    break
            async with s.get(f"/history/{answer['prompt_id']}") as r:
                return await r.json(), kinds

    with interceptor.session() as session:
        history, kinds = asyncio.run(run())
        files = requests.get(f"{COMFY}/api/object_info/SaveImage", timeout=10).json()
    assert kinds[0] == "status"
    assert "execution_success" in kinds
    (entry,) = history.values()
    assert re.fullmatch(r"t_\d{5}_\.png", entry["outputs"]["2"]["images"][0]["filename"])  # ComfyUI's naming
    assert "SaveImage" in files
    assert [c.route.name for c in session.calls] == ["/ws", "/prompt", "/history/" + next(iter(history)),
                                                     "/api/object_info/SaveImage"]


def test_llm_endpoints_answer_with_the_session_text(interceptor: Interceptor) -> None:
    with interceptor.session("a red fox") as session:
        generate = requests.post("http://ollama.invalid:11434/api/generate",
                                 json={"model": "llama3", "prompt": "x", "stream": False}, timeout=10).json()
        streamed = requests.post("http://ollama.invalid:11434/api/generate", json={"model": "m", "prompt": "x"},
                                 timeout=10).text.splitlines()
        chat = httpx.post("http://ollama.invalid:11434/api/chat", json={"model": "m", "stream": False,
                                                                          "messages": []}).json()
        openai = httpx.post("https://api.invalid/v1/chat/completions", json={"model": "gpt", "messages": []}).json()
        sse = httpx.post("https://api.invalid/v1/chat/completions", json={"model": "gpt", "stream": True}).text
    assert generate["response"] == "a red fox"
    assert generate["done"] is True
    assert json.loads(streamed[0])["response"] == "a red fox"
    assert json.loads(streamed[-1])["done"] is True
    assert chat["message"] == {"role": "assistant", "content": "a red fox"}
    assert openai["choices"][0]["message"]["content"] == "a red fox"
    assert '"content": "a red fox"' in sse
    assert sse.rstrip().endswith("data: [DONE]")
    assert [c.route.name for c in session.of_kind("llm")] == ["ollama-generate", "ollama-generate", "ollama-chat",
                                                                 "openai-chat", "openai-chat"]
    assert session.of_kind("llm")[0].body == {"model": "llama3", "prompt": "x", "stream": False}


def test_ollama_model_list_names_the_models_asked_for(interceptor: Interceptor) -> None:
    # the real DevServer lists /api/tags before choosing a model; an empty or refused list changes its route
    with interceptor.session("x") as session:
        before = requests.get("http://localhost:11434/api/tags", timeout=10).json()
        requests.post("http://localhost:11434/api/generate", json={"model": "gpt-OSS:20b", "stream": False},
                      timeout=10)
        after = requests.get("http://localhost:11434/api/tags", timeout=10).json()
    assert before == {"models": []}
    assert after == {"models": [{"name": "gpt-OSS:20b", "model": "gpt-OSS:20b"}]}
    assert not session.refused


def test_swarmui_simple_api_is_recorded_as_another_backend(interceptor: Interceptor) -> None:
    with interceptor.session() as session:
        sid = requests.post("http://swarm.invalid:7801/API/GetNewSession", json={}, timeout=10).json()["session_id"]
        images = requests.post("http://swarm.invalid:7801/API/GenerateText2Image",
                               json={"session_id": sid, "prompt": "p", "images": 1}, timeout=10).json()["images"]
    assert images
    assert [c.route.name for c in session.of_kind("swarmui")] == ["swarmui-session", "swarmui-text2image"]
    assert session.prompts == []


def test_anything_else_is_refused_with_each_librarys_own_error(interceptor: Interceptor) -> None:
    url = "https://telemetry.example.com/v1/event"

    async def with_aiohttp() -> None:
        async with aiohttp.ClientSession() as s, s.get(url):
            pass

    with interceptor.session() as session:
        with pytest.raises(requests.ConnectionError, match="refused"):
            requests.get(url, timeout=10)
        with pytest.raises(httpx.ConnectError, match="refused"):
            httpx.get(url)
        with pytest.raises(aiohttp.ClientConnectionError, match="refused"):
            asyncio.run(with_aiohttp())
        with pytest.raises(urllib.error.URLError, match="refused"):
            urllib.request.urlopen(url, timeout=10)
        # the last guard: a raw connection to a non-loopback address (0.0.0.0: never leaves the machine)
        with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match="only loopback"):
            sock.connect(("0.0.0.0", 9))
    assert [(c.library, c.method) for c in session.refused] == [
        ("requests", "GET"), ("httpx", "GET"), ("aiohttp", "GET"), ("urllib", "GET"), ("socket", "CONNECT")]


def test_allowed_loopback_urls_are_really_contacted(stock_catalog: Catalog) -> None:
    with StandinServer(stock_catalog) as other:
        with pytest.raises(ComfyContractError, match="not a loopback URL"):
            Interceptor(stock_catalog, allow=["http://10.1.2.3:80/"])
        with Interceptor(stock_catalog, allow=[other.url + "/system_stats"]) as icp, icp.session() as session:
            stats = requests.get(other.url + "/system_stats", timeout=10).json()
        assert stats["system"]["argv"] == ["comfy-contract", "serve"]
        assert session.calls == []  # passed through, not intercepted
        assert other.recorded() == []


def test_the_patches_are_removed_and_sessions_do_not_nest(interceptor: Interceptor) -> None:
    send = requests.adapters.HTTPAdapter.send
    with interceptor.session():
        assert requests.adapters.HTTPAdapter.send is not send
        assert "connect" in socket.socket.__dict__
        with pytest.raises(ComfyContractError, match="already running"), interceptor.session():
            pass
    assert requests.adapters.HTTPAdapter.send is send
    assert "connect" not in socket.socket.__dict__
    assert httpx.HTTPTransport.handle_request.__qualname__ == "HTTPTransport.handle_request"
