"""An example app, as apps talk to ComfyUI: submit a workflow, wait for it, fetch what it made.

Three HTTP clients (``httpx``, ``requests``, ``aiohttp``) and two ways to wait (polling ``/history/{id}``,
or the ``/ws?clientId=`` websocket until ``executing`` with ``node: null``). :func:`run` returns the
:class:`Outcome` the app would act on; tests/live/test_example_app.py runs it against the stand-in
(``comfy-contract serve`` as a subprocess and in-process) and against the real ComfyUI and requires the
same outcome from each.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from dataclasses import dataclass
from typing import Any

import aiohttp
import httpx
import requests

CLIENTS = ("httpx", "requests", "aiohttp")
WAITS = ("history", "ws")
TIMEOUT = 60.0

#: EmptyImage -> SaveImage: runs on a CPU ComfyUI without models, writes one PNG
IMAGE_WORKFLOW: dict[str, Any] = {
    "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 255}},
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "example/app"}},
}
#: a checkpoint loader: on the reference server its placeholder file fails to load at execution
FAILING_WORKFLOW: dict[str, Any] = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
    "8": {"class_type": "VAEDecode", "inputs": {"samples": ["5", 0], "vae": ["4", 2]}},
    "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": "example/fail"}},
}


@dataclass(frozen=True)
class Outcome:
    """What the app ends up with: rejected (HTTP status + error type), failed at a node, or files."""

    status: str  # "rejected" | "error" | "success"
    detail: Any = None  # rejected: (HTTP status, error type); error: (node id, node type); success: files

    @staticmethod
    def normalised_files(outputs: dict[str, Any], fetched: dict[str, bytes]) -> tuple[Any, ...]:
        """Files as (node, key, filename with the counter masked, subfolder, type, magic bytes)."""
        out = []
        for node_id in sorted(outputs):
            for key, items in sorted(outputs[node_id].items()):
                for item in items if isinstance(items, list) else []:
                    if isinstance(item, dict) and "filename" in item:
                        name = re.sub(r"_\d{5}_", "_NNNNN_", item["filename"])
                        out.append((node_id, key, name, item["subfolder"], item["type"],
                                    fetched[item["filename"]][:8]))
        return tuple(out)


# -- submitting and fetching, per HTTP client ------------------------------------------------------------------


def _post(client: str, url: str, body: dict[str, Any]) -> tuple[int, Any]:
    if client == "httpx":
        r = httpx.post(f"{url}/prompt", json=body, timeout=TIMEOUT)
        return r.status_code, _json_or_text(r.text)
    if client == "requests":
        rr = requests.post(f"{url}/prompt", json=body, timeout=TIMEOUT)
        return rr.status_code, _json_or_text(rr.text)

    async def post() -> tuple[int, Any]:
        async with aiohttp.ClientSession() as s, s.post(f"{url}/prompt", json=body) as r:
            return r.status, _json_or_text(await r.text())

    return asyncio.run(post())


def _get(client: str, url: str, path: str, params: dict[str, str] | None = None) -> bytes:
    if client == "httpx":
        r = httpx.get(f"{url}{path}", params=params, timeout=TIMEOUT)
        r.raise_for_status()
        return r.content
    if client == "requests":
        rr = requests.get(f"{url}{path}", params=params, timeout=TIMEOUT)
        rr.raise_for_status()
        return rr.content

    async def get() -> bytes:
        async with aiohttp.ClientSession() as s, s.get(f"{url}{path}", params=params) as r:
            r.raise_for_status()
            return await r.read()

    return asyncio.run(get())


def _json_or_text(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


# -- waiting ------------------------------------------------------------------------------------------------------


def _wait_history(client: str, url: str, prompt_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        history = json.loads(_get(client, url, f"/history/{prompt_id}"))
        if prompt_id in history:
            entry: dict[str, Any] = history[prompt_id]
            return entry
        time.sleep(0.05)
    raise TimeoutError(f"{url}: prompt {prompt_id} not in /history after {TIMEOUT}s")


async def _submit_over_ws(url: str, body: dict[str, Any], client: str) -> tuple[int, Any, list[dict[str, Any]]]:
    """Connect the websocket first (as ComfyUI's own example does), then submit, then read to the end."""
    client_id = body["client_id"]
    ws_url = url.replace("http://", "ws://", 1) + f"/ws?clientId={client_id}"
    messages: list[dict[str, Any]] = []
    async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
        status, answer = await asyncio.to_thread(_post, client, url, body)
        if status != 200:
            return status, answer, messages
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            msg = await ws.receive(timeout=TIMEOUT)
            if msg.type != aiohttp.WSMsgType.TEXT:
                continue  # previews are binary
            message = json.loads(msg.data)
            data = message.get("data", {})
            if data.get("prompt_id") != answer["prompt_id"]:
                continue
            messages.append(message)
            if message["type"] == "executing" and data.get("node") is None:
                return status, answer, messages
        raise TimeoutError(f"{url}: no final 'executing' message for {answer['prompt_id']}")


# -- the app --------------------------------------------------------------------------------------------------------


def run(url: str, workflow: dict[str, Any], *, client: str = "httpx", wait: str = "history") -> Outcome:
    """Submit ``workflow`` to the ComfyUI at ``url``, wait for it, fetch its files; the app's outcome."""
    body = {"prompt": workflow, "client_id": f"example-app-{uuid.uuid4().hex[:8]}"}
    if wait == "ws":
        status, answer, messages = asyncio.run(_submit_over_ws(url, body, client))
    else:
        status, answer = _post(client, url, body)
        messages = []
    if status != 200:
        kind = answer.get("error", {}).get("type") if isinstance(answer, dict) else None
        return Outcome("rejected", (status, kind))
    entry = _wait_history(client, url, answer["prompt_id"])
    if wait == "ws":
        errors = [m["data"] for m in messages if m["type"] == "execution_error"]
        executed = {m["data"]["node"]: m["data"]["output"] for m in messages if m["type"] == "executed"}
        if not errors and executed != entry["outputs"]:
            raise AssertionError(f"websocket 'executed' outputs {executed} differ from /history {entry['outputs']}")
    if entry["status"]["status_str"] != "success":
        error = next(m[1] for m in entry["status"]["messages"] if m[0] == "execution_error")
        return Outcome("error", (error["node_id"], error["node_type"]))
    fetched = {}
    for node_output in entry["outputs"].values():
        for items in node_output.values():
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict) and "filename" in item:
                    params = {"filename": item["filename"], "subfolder": item["subfolder"], "type": item["type"]}
                    fetched[item["filename"]] = _get(client, url, "/view", params)
    return Outcome("success", Outcome.normalised_files(entry["outputs"], fetched))


#: what the app must end up with, on any faithful server
EXPECTED = {
    "image": Outcome("success", (("2", "images", "app_NNNNN_.png", "example", "output", b"\x89PNG\r\n\x1a\n"),)),
    "failing": Outcome("error", ("4", "CheckpointLoaderSimple")),
    "rejected": Outcome("rejected", (400, "prompt_outputs_failed_validation")),
}
WORKFLOWS = {
    "image": IMAGE_WORKFLOW,
    "failing": FAILING_WORKFLOW,
    "rejected": {**IMAGE_WORKFLOW, "1": {"class_type": "EmptyImage", "inputs": {
        "width": "wide", "height": 8, "batch_size": 1, "color": 255}}},
}
