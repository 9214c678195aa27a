"""The stand-in ComfyUI in-process (a loopback port in a background thread): HTTP, websocket, history, files."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import pytest

from clirun import run
from comfy_contract import Catalog, load_catalog, validate_request
from comfy_contract.live.agreement import differences
from comfy_contract.live.standin import StandinOptions, StandinServer
from comfy_contract.validation.catalog import catalog_from_data
from comfy_contract.validation.verdict import SERVER_ERROR_BODY

RECORDED = Path(__file__).resolve().parents[1] / "data" / "recorded-0.3.75"


def image_graph(prefix: str = "live/ex") -> dict[str, Any]:
    return {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
        "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": prefix}},
    }


@pytest.fixture
def server(stock_catalog: Catalog, tmp_path: Path) -> Any:
    with StandinServer(stock_catalog, StandinOptions(files=tmp_path / "files", record=tmp_path / "rec.jsonl")) as s:
        yield s


@pytest.fixture
def http(server: StandinServer) -> Any:
    with httpx.Client(base_url=server.url, timeout=10) as client:
        yield client


@pytest.mark.parametrize("path", sorted(RECORDED.glob("*.json")), ids=lambda p: p.stem)
def test_answers_the_recorded_bodies_like_the_real_comfyui(http: httpx.Client, path: Path) -> None:
    recorded = json.loads(path.read_text())
    response = http.post("/prompt", content=json.dumps(recorded["body"]).encode())
    body = response.json() if response.headers["content-type"].startswith("application/json") else response.text
    assert differences(response.status_code, body, recorded["status"], recorded["response"]) == []
    if response.status_code == 200:
        assert isinstance(body["number"], int)
        assert isinstance(body["prompt_id"], str)


def test_number_and_prompt_id_follow_comfyui(server: StandinServer, http: httpx.Client) -> None:
    first = http.post("/prompt", json={"prompt": image_graph()}).json()
    assert first["number"] == 0
    assert len(first["prompt_id"]) == 36
    assert http.post("/prompt", json={"prompt": {}}).status_code == 400  # a rejected body takes a number too
    assert http.post("/prompt", json={"prompt": image_graph(), "prompt_id": 5}).json()["number"] == 2
    explicit = http.post("/prompt", json={"prompt": image_graph(), "number": "7", "prompt_id": "mine"}).json()
    assert (explicit["number"], explicit["prompt_id"]) == (7.0, "mine")
    assert '"number": 7.0' in http.post("/prompt", json={"prompt": image_graph(), "number": 7}).text
    assert http.post("/prompt", json={"prompt": image_graph(), "front": True}).json()["number"] == -3
    server.wait_idle()
    assert http.get("/history/5").json()["5"]["prompt"][:2] == [2, "5"]


def test_invalid_json_and_unreadable_bodies_get_the_500_text(http: httpx.Client) -> None:
    for content in (b"not json", b'{"prompt": {}, "number": "x"}', b"5", b"\xff\xfe"):
        response = http.post("/prompt", content=content)
        assert (response.status_code, response.text) == (500, SERVER_ERROR_BODY)
        assert response.headers["content-type"] == "text/plain; charset=utf-8"


def test_an_accepted_prompt_completes_with_comfyui_history_and_files(server: StandinServer, http: httpx.Client) -> None:
    answer = http.post("/prompt", json={"prompt": image_graph(), "client_id": "t"}).json()
    server.wait_idle()
    entry = http.get(f"/history/{answer['prompt_id']}").json()[answer["prompt_id"]]
    assert entry["outputs"] == {"2": {"images": [{"filename": "ex_00001_.png", "subfolder": "live", "type": "output"}]}}
    assert entry["status"]["status_str"] == "success"
    assert entry["status"]["completed"] is True
    assert [m[0] for m in entry["status"]["messages"]] == ["execution_start", "execution_cached", "execution_success"]
    assert entry["prompt"][:2] == [0, answer["prompt_id"]]
    assert entry["prompt"][4] == ["2"]
    assert entry["prompt"][3]["client_id"] == "t"
    view = http.get("/view", params={"filename": "ex_00001_.png", "subfolder": "live", "type": "output"})
    assert view.status_code == 200
    assert view.content.startswith(b"\x89PNG")
    assert view.headers["content-type"] == "image/png"
    http.post("/prompt", json={"prompt": image_graph()})
    server.wait_idle()
    assert "ex_00002_.png" in json.dumps(http.get("/history").json())
    assert http.get("/view", params={"filename": "../x.png"}).status_code == 400
    assert http.get("/view", params={"filename": "nope.png"}).status_code == 404


@pytest.mark.parametrize(("result", "key", "ext"), [("audio", "audio", ".wav"), ("video", "images", ".mp4")])
def test_the_result_kind_is_configurable(stock_catalog: Catalog, tmp_path: Path, result: str, key: str,
                                         ext: str) -> None:
    with StandinServer(stock_catalog, StandinOptions(result=result, files=tmp_path)) as server:
        pid = httpx.post(f"{server.url}/prompt", json={"prompt": image_graph("clip")}).json()["prompt_id"]
        server.wait_idle()
        outputs = httpx.get(f"{server.url}/history/{pid}").json()[pid]["outputs"]["2"]
        assert outputs[key][0]["filename"] == f"clip_00001_{ext}"
        content = httpx.get(f"{server.url}/view", params={"filename": f"clip_00001_{ext}"}).content
        assert content[:4] == b"RIFF" if ext == ".wav" else content[4:8] == b"ftyp"


async def _ws_session(url: str, body: dict[str, Any], client_id: str) -> tuple[list[dict[str, Any]], Any]:
    messages: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as session, session.ws_connect(f"{url}/ws?clientId={client_id}") as ws:
        messages.append(json.loads((await ws.receive(timeout=5)).data))
        async with session.post(f"{url}/prompt", json={**body, "client_id": client_id}) as response:
            answer = await response.json()
        while True:
            message = json.loads((await ws.receive(timeout=5)).data)
            messages.append(message)
            if message["type"] == "executing" and message["data"]["node"] is None:
                break
    return messages, answer


def test_the_websocket_carries_comfyui_messages_to_the_end(server: StandinServer) -> None:
    messages, answer = asyncio.run(_ws_session(server.url, {"prompt": image_graph()}, "ws-1"))
    kinds = [m["type"] for m in messages if m["type"] != "progress_state"]
    assert messages[0] == {"type": "status", "data": {"status": {"exec_info": {"queue_remaining": 0}}, "sid": "ws-1"}}
    assert kinds == ["status", "status", "status", "execution_start", "execution_cached", "executing", "executing",
                     "executed", "execution_success", "status", "executing"]
    executed = next(m for m in messages if m["type"] == "executed")["data"]
    assert executed["node"] == "2"
    assert executed["prompt_id"] == answer["prompt_id"]
    assert executed["output"]["images"][0]["filename"] == "ex_00001_.png"


def test_a_configured_execution_error(stock_catalog: Catalog, tmp_path: Path) -> None:
    options = StandinOptions(result="error", error_node="SaveImage", error_message="boom", files=tmp_path)
    with StandinServer(stock_catalog, options) as server:
        messages, answer = asyncio.run(_ws_session(server.url, {"prompt": image_graph()}, "ws-err"))
        error = next(m for m in messages if m["type"] == "execution_error")["data"]
        assert (error["node_id"], error["node_type"], error["exception_message"]) == ("2", "SaveImage", "boom")
        assert error["executed"] == ["1"]
        assert "execution_success" not in [m["type"] for m in messages]
        entry = httpx.get(f"{server.url}/history/{answer['prompt_id']}").json()[answer["prompt_id"]]
        assert entry["status"]["status_str"] == "error"
        assert entry["outputs"] == {}


def test_bodies_over_the_cap_get_413(stock_catalog: Catalog, tmp_path: Path) -> None:
    with StandinServer(stock_catalog, StandinOptions(max_body=1024, files=tmp_path)) as server:
        response = httpx.post(f"{server.url}/prompt", content=b"x" * 4096)
        assert response.status_code == 413
        assert httpx.get(f"{server.url}/prompt").json() == {"exec_info": {"queue_remaining": 0}}


def test_malformed_http_is_survived(server: StandinServer, http: httpx.Client) -> None:
    for garbage in (b"\x00\x01\x02 nonsense\r\n\r\n", b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", b"POST /prompt HTTP/1.1\r\n"
                    b"Content-Length: -5\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(garbage)
            sock.shutdown(socket.SHUT_WR)
            reply = sock.recv(1024)
            assert reply == b"" or reply.startswith(b"HTTP/1.")
    assert http.get("/system_stats").json()["system"]["comfyui_version"] == "0.3.75"


def test_history_and_recordings_are_capped(stock_catalog: Catalog, tmp_path: Path) -> None:
    options = StandinOptions(max_history=3, max_recorded=4, files=tmp_path, record=tmp_path / "r.jsonl")
    with StandinServer(stock_catalog, options) as server, httpx.Client(base_url=server.url) as http:
        ids = [http.post("/prompt", json={"prompt": image_graph()}).json()["prompt_id"] for _ in range(6)]
        server.wait_idle()
        assert list(http.get("/history").json()) == ids[-3:]
        assert list(http.get("/history", params={"max_items": 1}).json()) == ids[-1:]
        recorded = http.get("/standin/recorded").json()
        assert (recorded["total"], recorded["kept"]) == (6, 4)
        assert [r["response"]["prompt_id"] for r in recorded["prompts"]] == ids[-4:]
    lines = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert [line["response"]["prompt_id"] for line in lines] == ids


def test_api_alias_prefix_and_object_info(stock_catalog: Catalog, tmp_path: Path) -> None:
    options = StandinOptions(prefix="/ComfyBackendDirect", files=tmp_path)
    with StandinServer(stock_catalog, options) as server, httpx.Client(base_url=server.url) as http:
        assert server.url.endswith("/ComfyBackendDirect")
        assert list(http.get("/api/object_info/KSampler").json()) == ["KSampler"]
        assert http.get("/object_info/Nope").json() == {}
        assert len(http.get("/object_info").json()) == len(stock_catalog)
        assert httpx.get(server.url.removesuffix("/ComfyBackendDirect") + "/object_info").status_code == 404
        assert http.post("/api/prompt", json={"prompt": image_graph()}).status_code == 200


def test_upload_then_view(http: httpx.Client) -> None:
    first = http.post("/upload/image", files={"image": ("in.png", b"a")}, data={"subfolder": "up"}).json()
    again = http.post("/upload/image", files={"image": ("in.png", b"a")}, data={"subfolder": "up"}).json()
    other = http.post("/upload/image", files={"image": ("in.png", b"b")}, data={"subfolder": "up"}).json()
    assert first == again == {"name": "in.png", "subfolder": "up", "type": "input"}
    assert other["name"] == "in (1).png"
    assert http.get("/view", params={"filename": "in (1).png", "subfolder": "up", "type": "input"}).content == b"b"
    assert http.post("/upload/image", data={"subfolder": "up"}).status_code == 400


def test_queue_clear_and_history_delete(server: StandinServer, http: httpx.Client) -> None:
    pid = http.post("/prompt", json={"prompt": image_graph()}).json()["prompt_id"]
    server.wait_idle()
    assert http.post("/queue", json={"clear": True}).status_code == 200
    assert http.post("/history", json={"delete": [pid]}).status_code == 200
    assert http.get(f"/history/{pid}").json() == {}
    assert http.get("/queue").json() == {"queue_running": [], "queue_pending": []}


def test_the_pytest_fixture(comfy_standin: StandinServer) -> None:
    answer = httpx.post(f"{comfy_standin.url}/prompt", json={"prompt": image_graph()})
    assert answer.status_code == 200
    assert comfy_standin.recorded()[0]["response"] == answer.json()


def test_a_2026_install_is_pulled_with_its_node_replacements_and_validated_as_one(
        stock_catalog: Catalog, tmp_path: Path) -> None:
    """`catalog pull` records /system_stats' version and /node_replacements; the stand-in serves a 2026
    catalog's table and answers /prompt with the 2026 rules (a node replacement and missing_node_type)."""
    replacements = {"OldLatent": [{"old_node_id": "OldLatent", "new_node_id": "EmptyLatentImage",
                                   "input_mapping": [{"new_id": "width", "old_id": "w"},
                                                     {"new_id": "height", "set_value": 64},
                                                     {"new_id": "batch_size", "set_value": 1}]}]}
    catalog = catalog_from_data({"comfyui_version": "0.30.0", "node_replacements": replacements,
                                 "object_info": stock_catalog.object_info()}, source="2026")
    assert catalog.era.id == "2026"
    out = tmp_path / "pulled.json"
    with StandinServer(catalog, StandinOptions(files=tmp_path / "files")) as server:
        code, _, err = run("catalog", "pull", "--url", server.url, "-o", str(out))
        assert code == 0, err
        body = {"prompt": {"1": {"class_type": "OldLatent", "inputs": {"w": 64}},
                           "2": {"class_type": "SaveLatent", "inputs": {"samples": ["1", 0], "filename_prefix": "t"}},
                           "3": {"class_type": "Nope", "inputs": {}, "_meta": {"title": "My node"}}}}
        answer = httpx.post(f"{server.url}/prompt", json=body, timeout=30)
    pulled = load_catalog(out)
    assert (pulled.comfyui_version, pulled.era.id) == ("0.30.0", "2026")
    assert dict(pulled.node_replacements) == replacements
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == "Node 'My node' not found. The custom node may not be installed."
    del body["prompt"]["3"]
    assert validate_request(body, pulled).status == 200  # OldLatent became an EmptyLatentImage
    assert validate_request(body, stock_catalog).status == 400  # 0.3.75 has no replacements
