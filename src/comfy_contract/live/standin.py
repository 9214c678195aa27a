"""The stand-in ComfyUI: an HTTP + websocket server that answers like ComfyUI 0.3.75, without ComfyUI.

``POST /prompt`` is answered by the offline validator (:func:`comfy_contract.validation.validator.validate_request`)
with the status and body the real server of the catalog's era would send, including the ``number`` counter
(it counts every JSON body without ``number``, accepted or not; ``front`` negates it), ``prompt_id`` (the body's,
stringified, else a uuid4) and the ``500 Internal Server Error`` text for bodies ComfyUI's handler cannot read.
Accepted prompts are queued (lowest ``number`` first, as ComfyUI's heap does), recorded, and "executed": the
websocket clients get ComfyUI's messages (``status``, ``execution_start``, ``execution_cached``, ``executing``,
``progress``, ``executed``, ``execution_success`` or ``execution_error``, then ``executing`` with ``node: null``)
and ``/history`` gets ComfyUI's entry, with a small generated PNG / WAV / MP4 per output node named like
ComfyUI names files (``{filename_prefix}_{counter:05}_.png``), or the configured execution error.

Built on aiohttp, the server ComfyUI itself runs on, so transport-level answers (the 500 text, 404/405,
413 for bodies over the cap, malformed requests) are the same as the real server's. Memory is bounded: the
history and the recorded prompts kept in RAM are capped (oldest dropped); recordings also go to a JSONL file.

Use it as ``comfy-contract serve``, in-process with :class:`StandinServer` (a background thread on a
loopback port), or as the pytest fixture ``comfy_standin``.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import random
import string
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from aiohttp import web

from comfy_contract.core.jsonio import thaw
from comfy_contract.live.stubs import EXTENSIONS, MEDIA_TYPES, stub_for
from comfy_contract.validation.catalog import Catalog
from comfy_contract.validation.validator import validate_request
from comfy_contract.validation.verdict import SERVER_ERROR_BODY

__all__ = ["RESULTS", "Standin", "StandinOptions", "StandinServer", "standin_app"]

#: what an executed prompt produces: ``auto`` picks per output node class (image, audio, video, latent, text)
RESULTS = ("auto", "image", "audio", "video", "error")
#: ComfyUI's default ``--max-upload-size`` (MB): the request-body cap
DEFAULT_MAX_BODY = 100 * 1024 * 1024
STATE: web.AppKey[Standin] = web.AppKey("standin")


@dataclass(frozen=True)
class StandinOptions:
    """How the stand-in behaves. Every field has a command-line flag of ``comfy-contract serve``."""

    result: str = "auto"
    error_message: str = "stand-in: configured execution error"
    error_type: str = "RuntimeError"
    error_node: str | None = None  # node id or class_type that fails (default: the first node run)
    delay: float = 0.0  # seconds each prompt takes to "run"
    max_body: int = DEFAULT_MAX_BODY
    max_history: int = 1000
    max_recorded: int = 1000
    record: Path | None = None  # JSONL file: one line per POST /prompt
    files: Path | None = None  # where output/, input/, temp/ go (default: a temporary folder)
    prefix: str = ""  # serve every route under this path, e.g. /ComfyBackendDirect

    def __post_init__(self) -> None:
        if self.result not in RESULTS:
            raise ValueError(f"result must be one of {', '.join(RESULTS)}, not {self.result!r}")
        if self.prefix and (not self.prefix.startswith("/") or self.prefix.endswith("/")):
            raise ValueError(f"prefix must start with '/' and not end with one, got {self.prefix!r}")


def _now_ms() -> int:
    return int(time.time() * 1000)


def _kind_for(class_type: str, result: str) -> str:
    if result in ("image", "audio", "video"):
        return result
    if class_type == "SaveLatent":
        return "latent"
    if class_type == "PreviewAny":
        return "text"
    lowered = class_type.lower()
    if "audio" in lowered:
        return "audio"
    if any(k in lowered for k in ("video", "webm", "animated", "webp")):
        return "video"
    return "image"


_OUTPUT_KEY = {"image": "images", "video": "images", "audio": "audio", "latent": "latents"}


@dataclass(order=True)
class _Job:
    number: float
    seq: int
    prompt_id: str = field(compare=False)
    prompt: Any = field(compare=False)
    extra_data: dict[str, Any] = field(compare=False)
    outputs: list[str] = field(compare=False)

    def queue_item(self) -> list[Any]:
        return [self.number, self.prompt_id, self.prompt, self.extra_data, self.outputs]


class Standin:
    """The state of one stand-in server: catalog, counters, queue, history, recordings, websockets."""

    def __init__(self, catalog: Catalog, options: StandinOptions = StandinOptions()) -> None:
        self.catalog = catalog
        self.options = options
        self.number = 0
        self._seq = itertools.count()
        self._pending: list[_Job] = []
        self._running: _Job | None = None
        self._wake = asyncio.Event()
        self.history: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self.recorded: deque[dict[str, Any]] = deque(maxlen=options.max_recorded)
        self.recorded_total = 0
        self.executed_total = 0
        self.sockets: dict[str, web.WebSocketResponse] = {}
        self._counters: dict[tuple[str, str, str], int] = {}
        self._tmp: Any = None
        if options.files is None:
            import tempfile

            self._tmp = tempfile.TemporaryDirectory(prefix="comfy-standin-")
            self.files = Path(self._tmp.name)
        else:
            self.files = options.files
        for folder in ("output", "input", "temp"):
            (self.files / folder).mkdir(parents=True, exist_ok=True)
        self._record_file = options.record.open("a", encoding="utf-8") if options.record else None
        self._worker: asyncio.Task[None] | None = None
        self._object_info_text: str | None = None

    # -- lifecycle ----------------------------------------------------------------------------------
    async def start(self, _app: web.Application | None = None) -> None:
        self._wake = asyncio.Event()
        self._worker = asyncio.get_running_loop().create_task(self._work())

    async def stop(self, _app: web.Application | None = None) -> None:
        if self._worker is not None:
            self._worker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
        for ws in list(self.sockets.values()):
            await ws.close()
        if self._record_file is not None:
            self._record_file.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    def object_info_text(self) -> str:
        if self._object_info_text is None:
            self._object_info_text = json.dumps(self.catalog.object_info())
        return self._object_info_text

    # -- the /prompt handler --------------------------------------------------------------------------
    def submit(self, body: Any) -> tuple[int, Any]:
        """Answer one decoded ``/prompt`` body as ComfyUI would, queueing it if accepted."""
        try:
            if "number" in body:
                number: float = float(body["number"])
            else:
                number = self.number
                if "front" in body and body["front"]:  # noqa: RUF019 - the body may be a list or a string
                    number = -number
                self.number += 1
        except (TypeError, ValueError, KeyError):
            return 500, SERVER_ERROR_BODY
        verdict = validate_request(body, self.catalog)
        if verdict.status != 200:
            self._record(body, verdict.status, verdict.body)
            return verdict.status, verdict.body
        prompt_id = str(body.get("prompt_id", uuid.uuid4()))
        extra = body.get("extra_data", {})
        extra_data: dict[str, Any] = dict(extra) if isinstance(extra, dict) else {}
        if "client_id" in body:
            extra_data["client_id"] = body["client_id"]
        extra_data["create_time"] = _now_ms()
        response = {"prompt_id": prompt_id, "number": number, "node_errors": verdict.node_errors}
        outputs = self._outputs(body, verdict.node_errors)
        job = _Job(number, next(self._seq), prompt_id, body["prompt"], extra_data, outputs)
        heapq.heappush(self._pending, job)
        self._wake.set()
        self._record(body, 200, response)
        self._broadcast_status()
        return 200, response

    def _outputs(self, body: Mapping[str, Any], node_errors: Mapping[str, Any]) -> list[str]:
        prompt = body["prompt"]
        targets = body.get("partial_execution_targets")
        failed = {str(o) for entry in node_errors.values() for o in entry.get("dependent_outputs", [])}
        out = []
        for node_id, node in prompt.items():
            class_type = node.get("class_type") if isinstance(node, Mapping) else None
            spec = self.catalog.get(class_type) if isinstance(class_type, str) else None
            if spec is None or not spec.output_node or node_id in failed:
                continue
            if targets is not None and node_id not in targets:
                continue
            out.append(node_id)
        return out

    def _record(self, body: Any, status: int, response: Any) -> None:
        self.recorded_total += 1
        entry = {"seq": self.recorded_total, "time": time.time(), "status": status, "body": body,
                 "response": response}
        self.recorded.append(entry)
        if self._record_file is not None:
            self._record_file.write(json.dumps(entry) + "\n")
            self._record_file.flush()

    # -- websockets ---------------------------------------------------------------------------------
    def queue_remaining(self) -> int:
        return len(self._pending) + (1 if self._running else 0)

    def _send(self, kind: str, data: Any, sid: str | None) -> None:
        """Like ComfyUI's ``send_sync``: to one client id, or to every socket when ``sid`` is None."""
        text = json.dumps({"type": kind, "data": data})
        targets = list(self.sockets.values()) if sid is None else [self.sockets[sid]] if sid in self.sockets else []
        for ws in targets:
            if not ws.closed:
                task = asyncio.get_running_loop().create_task(ws.send_str(text))
                task.add_done_callback(_ignore_result)

    def _broadcast_status(self) -> None:
        self._send("status", {"status": {"exec_info": {"queue_remaining": self.queue_remaining()}}}, None)

    # -- execution ----------------------------------------------------------------------------------
    async def _work(self) -> None:
        while True:
            while not self._pending:
                self._wake.clear()
                await self._wake.wait()
            job = heapq.heappop(self._pending)
            self._running = job
            self._broadcast_status()
            try:
                await self._execute(job)
            finally:
                self._running = None
                self.executed_total += 1
            self._broadcast_status()
            self._send("executing", {"node": None, "prompt_id": job.prompt_id}, job.extra_data.get("client_id"))

    def _order(self, job: _Job) -> list[str]:
        """The nodes the outputs need, upstream first (a depth-first post-order over links)."""
        prompt = job.prompt
        seen: set[str] = set()
        order: list[str] = []

        def visit(node_id: str) -> None:
            stack: list[tuple[str, Iterator[Any]]] = [(node_id, iter(_inputs(prompt, node_id)))]
            seen.add(node_id)
            while stack:
                current, it = stack[-1]
                for value in it:
                    if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
                            and value[0] in prompt and value[0] not in seen):
                        seen.add(value[0])
                        stack.append((value[0], iter(_inputs(prompt, value[0]))))
                        break
                else:
                    stack.pop()
                    order.append(current)

        for output in job.outputs:
            if output not in seen:
                visit(output)
        return order

    async def _execute(self, job: _Job) -> None:
        sid = job.extra_data.get("client_id")
        pid = job.prompt_id
        messages: list[list[Any]] = []

        def message(kind: str, data: dict[str, Any], *, keep: bool = False) -> None:
            self._send(kind, data, sid)
            if keep:
                messages.append([kind, data])

        message("execution_start", {"prompt_id": pid, "timestamp": _now_ms()}, keep=True)
        message("execution_cached", {"nodes": [], "prompt_id": pid, "timestamp": _now_ms()}, keep=True)
        order = self._order(job)
        failing = self._failing_node(job, order)
        outputs: dict[str, Any] = {}
        meta: dict[str, Any] = {}
        executed: list[str] = []
        if self.options.delay:
            await asyncio.sleep(self.options.delay)
        states: dict[str, dict[str, Any]] = {}

        def progress_state(node_id: str, state: str) -> None:
            states[node_id] = {"value": 1.0 if state == "finished" else 0.0, "max": 1.0, "state": state,
                               "node_id": node_id, "prompt_id": pid, "display_node_id": node_id,
                               "parent_node_id": None, "real_node_id": node_id}
            message("progress_state", {"prompt_id": pid, "nodes": {k: dict(v) for k, v in states.items()}})

        for node_id in order:
            node = job.prompt[node_id]
            class_type = str(node.get("class_type"))
            progress_state(node_id, "running")
            message("executing", {"node": node_id, "display_node": node_id, "prompt_id": pid})
            if node_id == failing:
                error = {
                    "prompt_id": pid, "node_id": node_id, "node_type": class_type, "executed": executed,
                    "exception_message": self.options.error_message, "exception_type": self.options.error_type,
                    "traceback": [], "current_inputs": {}, "current_outputs": list(job.prompt),
                    "timestamp": _now_ms(),
                }
                message("execution_error", error, keep=True)
                self._store(job, outputs, meta, "error", messages)
                return
            steps = node.get("inputs", {}).get("steps") if isinstance(node.get("inputs"), dict) else None
            if isinstance(steps, int) and not isinstance(steps, bool) and steps > 0:
                message("progress", {"value": steps, "max": steps, "prompt_id": pid, "node": node_id})
            if node_id in job.outputs:
                ui = self._produce(node_id, node, class_type)
                if ui:
                    outputs[node_id] = ui
                    meta[node_id] = {"node_id": node_id, "display_node": node_id, "parent_node": None,
                                     "real_node_id": node_id}
                    message("executed", {"node": node_id, "display_node": node_id, "output": ui, "prompt_id": pid})
            executed.append(node_id)
            progress_state(node_id, "finished")
            await asyncio.sleep(0)
        message("execution_success", {"prompt_id": pid, "timestamp": _now_ms()}, keep=True)
        self._store(job, outputs, meta, "success", messages)

    def _failing_node(self, job: _Job, order: list[str]) -> str | None:
        if self.options.result != "error" or not order:
            return None
        wanted = self.options.error_node
        if wanted is None:
            return order[0]
        for node_id in order:
            if wanted in (node_id, job.prompt[node_id].get("class_type")):
                return node_id
        return None

    def _store(self, job: _Job, outputs: dict[str, Any], meta: dict[str, Any], status: str,
               messages: list[list[Any]]) -> None:
        self.history[job.prompt_id] = {
            "prompt": job.queue_item(),
            "outputs": outputs,
            "status": {"status_str": status, "completed": status == "success", "messages": messages},
            "meta": meta,
        }
        self.history.move_to_end(job.prompt_id)
        while len(self.history) > self.options.max_history:
            self.history.popitem(last=False)

    def _produce(self, node_id: str, node: Mapping[str, Any], class_type: str) -> dict[str, Any]:
        kind = _kind_for(class_type, self.options.result)
        if kind == "text":
            return {"text": [""]}
        inputs = node.get("inputs") if isinstance(node.get("inputs"), Mapping) else {}
        assert isinstance(inputs, Mapping)
        prefix = inputs.get("filename_prefix")
        folder = "output"
        if class_type.startswith("Preview") or not isinstance(prefix, str):
            if class_type.startswith("Preview"):
                folder = "temp"
                prefix = "ComfyUI_temp_" + "".join(random.choice(string.ascii_lowercase) for _ in range(5))
            else:
                prefix = "ComfyUI"
        subfolder, base = _split_prefix(prefix)
        key = (folder, subfolder, base)
        counter = self._counters.get(key, 0) + 1
        self._counters[key] = counter
        filename = f"{base}_{counter:05}_.{EXTENSIONS[kind]}"
        target = self.files / folder / subfolder / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(stub_for(kind))
        ui: dict[str, Any] = {_OUTPUT_KEY[kind]: [{"filename": filename, "subfolder": subfolder, "type": folder}]}
        if kind == "video":
            ui["animated"] = [True]
        return ui

    # -- files --------------------------------------------------------------------------------------
    def resolve(self, folder: str, subfolder: str, filename: str) -> Path | None:
        """The file ``/view`` should serve, or None when the name escapes its folder."""
        if folder not in ("output", "input", "temp"):
            return None
        base = (self.files / folder).resolve()
        target = (base / subfolder / filename).resolve()
        if base != target and base not in target.parents:
            return None
        return target


def _ignore_result(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()  # a closed socket: nothing to do


def _inputs(prompt: Mapping[str, Any], node_id: str) -> list[Any]:
    node = prompt.get(node_id)
    inputs = node.get("inputs") if isinstance(node, Mapping) else None
    return list(inputs.values()) if isinstance(inputs, Mapping) else []


def _split_prefix(prefix: str) -> tuple[str, str]:
    parts = [p for p in PurePosixPath(prefix.replace("\\", "/")).parts if p not in ("", "/", ".", "..")]
    if not parts:
        return "", "ComfyUI"
    return "/".join(parts[:-1]), parts[-1]


# -- HTTP handlers --------------------------------------------------------------------------------------

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _state(request: web.Request) -> Standin:
    return request.app[STATE]


def _json(data: Any, status: int = 200) -> web.Response:
    return web.json_response(data, status=status, dumps=json.dumps)


async def _post_prompt(request: web.Request) -> web.Response:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        return web.Response(status=500, text=SERVER_ERROR_BODY)
    status, answer = _state(request).submit(body)
    if status == 500:
        return web.Response(status=500, text=SERVER_ERROR_BODY)
    return _json(answer, status)


async def _get_prompt(request: web.Request) -> web.Response:
    return _json({"exec_info": {"queue_remaining": _state(request).queue_remaining()}})


async def _object_info(request: web.Request) -> web.Response:
    return web.Response(text=_state(request).object_info_text(), content_type="application/json")


async def _object_info_one(request: web.Request) -> web.Response:
    catalog = _state(request).catalog
    name = request.match_info["node_class"]
    spec = catalog.get(name)
    return _json({name: thaw(spec.raw)} if spec is not None else {})


async def _node_replacements(request: web.Request) -> web.Response:
    """``GET /node_replacements`` (2026 servers): the catalog's recorded table; 404 like an older ComfyUI
    when the catalog's era has none."""
    state = _state(request)
    if not state.catalog.era.replaces_nodes:
        raise web.HTTPNotFound()
    return _json(thaw(state.catalog.node_replacements))


async def _system_stats(request: web.Request) -> web.Response:
    state = _state(request)
    meta = state.catalog.metadata
    system = {
        "os": "posix", "ram_total": 0, "ram_free": 0,
        "comfyui_version": state.catalog.comfyui_version or "0.3.75",
        "required_frontend_version": None, "installed_templates_version": None, "required_templates_version": None,
        "python_version": str(meta.get("python_version") or "stand-in"),
        "pytorch_version": str(meta.get("pytorch_version") or "stand-in"),
        "embedded_python": False, "argv": ["comfy-contract", "serve"],
    }
    device = {"name": "cpu", "type": "cpu", "index": None, "vram_total": 0, "vram_free": 0,
              "torch_vram_total": 0, "torch_vram_free": 0}
    return _json({"system": system, "devices": [device]})


async def _get_queue(request: web.Request) -> web.Response:
    state = _state(request)
    running = [state._running.queue_item()] if state._running else []
    return _json({"queue_running": running, "queue_pending": [j.queue_item() for j in sorted(state._pending)]})


async def _post_queue(request: web.Request) -> web.Response:
    state = _state(request)
    data = await request.json()
    if isinstance(data, dict):
        if data.get("clear"):
            state._pending.clear()
        delete = data.get("delete")
        if isinstance(delete, list):
            state._pending = [j for j in state._pending if j.prompt_id not in delete]
            heapq.heapify(state._pending)
    state._broadcast_status()
    return web.Response(status=200)


async def _get_history(request: web.Request) -> web.Response:
    history = _state(request).history
    max_items = request.rel_url.query.get("max_items")
    items = list(history.items())
    if max_items is not None:
        try:
            n = int(max_items)
        except ValueError:
            n = len(items)
        items = items[-n:] if n > 0 else []
    return _json(dict(items))


async def _get_history_one(request: web.Request) -> web.Response:
    history = _state(request).history
    prompt_id = request.match_info["prompt_id"]
    return _json({prompt_id: history[prompt_id]} if prompt_id in history else {})


async def _post_history(request: web.Request) -> web.Response:
    history = _state(request).history
    data = await request.json()
    if isinstance(data, dict):
        if data.get("clear"):
            history.clear()
        for prompt_id in data.get("delete", []) if isinstance(data.get("delete"), list) else []:
            history.pop(str(prompt_id), None)
    return web.Response(status=200)


async def _interrupt(request: web.Request) -> web.Response:
    return web.Response(status=200)


async def _view(request: web.Request) -> web.StreamResponse:
    query = request.rel_url.query
    filename = query.get("filename")
    if not filename:
        return web.Response(status=404)
    if filename.startswith("/") or ".." in filename:
        return web.Response(status=400)
    target = _state(request).resolve(query.get("type", "output"), query.get("subfolder", ""), filename)
    if target is None:
        return web.Response(status=403)
    if not target.is_file():
        return web.Response(status=404)
    return web.FileResponse(
        target,
        headers={"Content-Disposition": f'filename="{target.name}"',
                 "Content-Type": MEDIA_TYPES.get(target.suffix.lower(), "application/octet-stream")},
    )


async def _upload_image(request: web.Request) -> web.Response:
    state = _state(request)
    post = await request.post()
    image = post.get("image")
    if not isinstance(image, web.FileField) or not image.filename:
        return web.Response(status=400)
    folder = str(post.get("type") or "input")
    subfolder = str(post.get("subfolder") or "")
    overwrite = str(post.get("overwrite", "")).lower() in ("true", "1")
    filename = PurePosixPath(image.filename.replace("\\", "/")).name
    folder_path = state.resolve(folder, subfolder, "")
    if folder_path is None or not filename or filename in (".", ".."):
        return web.Response(status=400)
    content = image.file.read()
    folder_path.mkdir(parents=True, exist_ok=True)
    target = folder_path / filename
    if not overwrite:
        stem, suffix = target.stem, target.suffix
        n = 1
        while target.exists() and target.read_bytes() != content:
            target = folder_path / f"{stem} ({n}){suffix}"
            n += 1
    target.write_bytes(content)
    return _json({"name": target.name, "subfolder": subfolder, "type": folder})


async def _ws(request: web.Request) -> web.WebSocketResponse:
    state = _state(request)
    ws = web.WebSocketResponse(max_msg_size=1024 * 1024)
    await ws.prepare(request)
    sid = request.rel_url.query.get("clientId") or uuid.uuid4().hex
    state.sockets[sid] = ws
    try:
        status = {"status": {"exec_info": {"queue_remaining": state.queue_remaining()}}, "sid": sid}
        await ws.send_str(json.dumps({"type": "status", "data": status}))
        async for msg in ws:
            del msg  # ComfyUI ignores what clients send, except feature flags
    finally:
        if state.sockets.get(sid) is ws:
            del state.sockets[sid]
    return ws


async def _recorded(request: web.Request) -> web.Response:
    state = _state(request)
    return _json({"total": state.recorded_total, "kept": len(state.recorded), "prompts": list(state.recorded)})


ROUTES: tuple[tuple[str, str, Handler], ...] = (
    ("GET", "/ws", _ws),
    ("POST", "/prompt", _post_prompt),
    ("GET", "/prompt", _get_prompt),
    ("GET", "/object_info", _object_info),
    ("GET", "/object_info/{node_class}", _object_info_one),
    ("GET", "/system_stats", _system_stats),
    ("GET", "/node_replacements", _node_replacements),
    ("GET", "/queue", _get_queue),
    ("POST", "/queue", _post_queue),
    ("GET", "/history", _get_history),
    ("GET", "/history/{prompt_id}", _get_history_one),
    ("POST", "/history", _post_history),
    ("POST", "/interrupt", _interrupt),
    ("GET", "/view", _view),
    ("POST", "/upload/image", _upload_image),
)


def standin_app(catalog: Catalog, options: StandinOptions = StandinOptions()) -> web.Application:
    """The aiohttp application (for ``aiohttp.test_utils`` or your own runner)."""
    app = web.Application(client_max_size=options.max_body)
    state = Standin(catalog, options)
    app[STATE] = state
    app.on_startup.append(state.start)
    app.on_cleanup.append(state.stop)
    for base in ("", "/api"):  # ComfyUI serves every route also under /api
        for method, path, handler in ROUTES:
            app.router.add_route(method, f"{options.prefix}{base}{path}", handler)
    app.router.add_get(f"{options.prefix}/standin/recorded", _recorded)
    return app


class StandinServer:
    """The stand-in on a loopback port, served from a background thread (in-process use and the fixture).

    ``with StandinServer(catalog) as server: server.url`` -- ``port=0`` picks a free port.
    """

    def __init__(self, catalog: Catalog, options: StandinOptions = StandinOptions(), *,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.catalog = catalog
        self.options = options
        self.host = host
        self.port = port
        self.app = standin_app(catalog, options)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._runner: web.AppRunner | None = None

    @property
    def state(self) -> Standin:
        return self.app[STATE]

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}{self.options.prefix}"

    def start(self) -> StandinServer:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            try:
                loop.run_until_complete(self._start())
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.run_until_complete(self._stop())
            loop.close()

        self._thread = threading.Thread(target=run, name="comfy-standin", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self

    async def _start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        self.port = _bound_port(self._runner)

    async def _stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def stop(self) -> None:
        if self._loop is not None and self._thread is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def call(self, fn: Callable[[Standin], Any]) -> Any:
        """Run ``fn(state)`` on the server's loop and return its result (thread-safe reads)."""
        assert self._loop is not None

        async def run() -> Any:
            return fn(self.state)

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout=10)

    def recorded(self) -> list[dict[str, Any]]:
        """The ``/prompt`` submissions kept in memory, oldest first."""
        return list(self.call(lambda s: list(s.recorded)))

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait until every accepted prompt has been executed."""
        deadline = time.monotonic() + timeout
        while self.call(lambda s: s.queue_remaining()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"stand-in at {self.url}: queue not empty after {timeout}s")
            time.sleep(0.01)

    def __enter__(self) -> StandinServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def with_options(self, **changes: Any) -> StandinOptions:
        return replace(self.options, **changes)


def _bound_port(runner: web.AppRunner) -> int:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    raise RuntimeError("the stand-in bound no TCP port")


async def serve(catalog: Catalog, options: StandinOptions, *, host: str, port: int,
                ready: Callable[[str], None]) -> None:
    """Run until cancelled (``comfy-contract serve``); ``ready(url)`` is called once listening."""
    server = StandinServer(catalog, options, host=host, port=port)
    await server._start()
    try:
        ready(server.url)
        await asyncio.Event().wait()
    finally:
        await server._stop()
