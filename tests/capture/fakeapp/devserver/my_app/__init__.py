"""A small DevServer-shaped Flask app: what ``comfy-contract`` capture runs in CI (tests/capture).

It reads the tiny DevServer tree beside it (``../../schemas``) the way the DevServer does for output configs
(config -> pipeline -> proxy chunk -> output chunk, templates filled with ``str(value)``, input mappings,
``"random"`` seeds), asks an Ollama-style LLM to "translate" the user's text, and submits the workflow to
ComfyUI. Each config exercises another HTTP client; three deviate on purpose:

* ``img_drift`` - a hot-fix in the app code sets the sampler's ``cfg`` to 4.5 (the static rendering says 7.0);
* ``img_telemetry`` - the app first posts telemetry to a public host (refused during capture; the app ignores
  the failure, as apps do);
* ``img_broken`` - the app raises ``KeyError`` for a parameter it expects and the tree lacks.

The route and its JSON are the DevServer's: ``POST /api/schema/pipeline/execute`` with ``schema``,
``input_text`` and ``execution_mode``.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import random
import re
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import requests
from flask import Flask, jsonify, request

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
COMFYUI = "http://comfyui.internal:8188"  # never contacted in tests: capture answers for it
SWARMUI_COMFY = "http://127.0.0.1:7801/ComfyBackendDirect"  # SwarmUI's ComfyUI proxy path
OLLAMA = "http://ollama.internal:11434"
OPENAI = "https://llm.example.com/v1"
TELEMETRY = "https://telemetry.example.com/v1/event"
CLIENT = {"img_httpx": "httpx", "img_aiohttp": "aiohttp", "img_urllib": "urllib"}  # else requests


def _load(rel: str) -> Any:
    return json.loads((SCHEMAS / rel).read_text(encoding="utf-8"))


def _fill(template: str, params: dict[str, Any]) -> str:
    for key, value in params.items():
        template = template.replace("{{" + key + "}}", str(value))
    return template


def _llm(schema: str, text: str) -> str:
    if schema == "img_httpx":  # an OpenAI-compatible endpoint, through httpx
        r = httpx.post(f"{OPENAI}/chat/completions", json={
            "model": "translator", "messages": [{"role": "system", "content": "Translate to English."},
                                                {"role": "user", "content": text}]}, timeout=30)
        r.raise_for_status()
        return str(r.json()["choices"][0]["message"]["content"])
    rr = requests.post(f"{OLLAMA}/api/generate", json={"model": "llama3", "prompt": text, "stream": False},
                       timeout=30)
    rr.raise_for_status()
    return str(rr.json()["response"])


def build(schema: str, text: str) -> dict[str, Any]:
    config = _load(f"configs/output/{schema}.json")
    pipeline = _load(f"pipelines/{config['pipeline']}.json")
    proxy = _load(f"chunks/{pipeline['chunks'][0]}.json")
    params = {**pipeline.get("defaults", {}).get("parameters", {}), **config["parameters"]}
    if schema == "img_broken":
        params["SCHEDULER"] = params["SCHEDULER_OVERRIDE"]  # the tree has no such parameter: KeyError
    params["PREVIOUS_OUTPUT"] = _llm(schema, text)
    values = {k: _fill(v, params) for k, v in proxy["parameters"].items()}
    chunk = _load(f"chunks/{values.pop('output_chunk')}.json")
    workflow = copy.deepcopy(chunk["workflow"])
    for key, mapping in chunk["input_mappings"].items():
        value = values.get(key, mapping.get("default"))
        if value == "random":
            value = random.randint(0, 2**32 - 1)
        node, field = mapping["node_id"], mapping["field"].split(".", 1)[1]
        workflow[node]["inputs"][field] = value
    if schema == "img_drift":
        workflow["3"]["inputs"]["cfg"] = 4.5  # the hot-fix the static model does not know
    return workflow


def submit(client: str, base: str, body: dict[str, Any]) -> dict[str, Any]:
    """POST /prompt, then wait for the result (history polling, or the websocket for aiohttp)."""
    if client == "httpx":
        with httpx.Client(base_url=base, timeout=30) as c:
            r = c.post("/prompt", json=body)
            r.raise_for_status()
            answer: dict[str, Any] = r.json()
            for _ in range(200):
                entry = c.get(f"/history/{answer['prompt_id']}").json()
                if entry:
                    return answer
                time.sleep(0.01)
            return answer
    if client == "urllib":
        req = urllib.request.Request(f"{base}/prompt", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=30) as resp:
            out: dict[str, Any] = json.loads(resp.read())
            return out
    if client == "aiohttp":
        async def run() -> dict[str, Any]:
            async with aiohttp.ClientSession() as session, \
                    session.ws_connect(f"{base}/ws?clientId={body['client_id']}") as ws:
                async with session.post(f"{base}/prompt", json=body) as r:
                    r.raise_for_status()
                    answer = await r.json()
                async for msg in ws:
                    data = json.loads(msg.data)
                    if data["type"] == "executing" and data["data"]["node"] is None:
                        break
                return dict(answer)

        return asyncio.run(run())
    rr = requests.post(f"{base}/prompt", json=body, timeout=30)
    rr.raise_for_status()
    answer = rr.json()
    for _ in range(200):
        if requests.get(f"{base}/history/{answer['prompt_id']}", timeout=30).json():
            break
        time.sleep(0.01)
    return dict(answer)


def create_app() -> Flask:
    app = Flask(__name__)

    @app.post("/api/schema/pipeline/execute")
    def execute() -> Any:
        data = request.get_json()
        schema, text = data["schema"], data["input_text"]
        if not re.fullmatch(r"[\w-]+", schema) or not (SCHEMAS / f"configs/output/{schema}.json").is_file():
            return jsonify({"status": "error", "error": f"Config '{schema}' not found"}), 404
        if schema == "img_telemetry":
            with contextlib.suppress(requests.ConnectionError):  # telemetry is best effort
                requests.post(TELEMETRY, json={"event": "execute", "schema": schema}, timeout=2)
        workflow = build(schema, text)
        base = SWARMUI_COMFY if schema == "img_swarm" else COMFYUI
        answer = submit(CLIENT.get(schema, "requests"), base, {"prompt": workflow, "client_id": "devserver"})
        return jsonify({"status": "success", "prompt_id": answer["prompt_id"]})

    return app
