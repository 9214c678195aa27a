"""Outgoing HTTP of an app under test, intercepted in-process and answered as its services would.

:class:`Interceptor` patches the four HTTP clients Python apps use - ``requests`` (``HTTPAdapter.send``),
``httpx`` (``HTTPTransport``/``AsyncHTTPTransport``), ``aiohttp`` (``ClientSession._request``, websockets
included) and ``urllib`` (``OpenerDirector.open``, behind ``urlopen``) - while a :meth:`Interceptor.session`
is open. Every request is classified by its path alone (:func:`classify`; the host is never contacted):

* **ComfyUI** (``/prompt``, ``/object_info``, ``/history``, ``/queue``, ``/view``, ``/upload/image``,
  ``/system_stats``, ``/interrupt``, ``/ws``; also under ``/api`` and any prefix such as
  ``/ComfyBackendDirect``) goes to a stand-in ComfyUI (:mod:`comfy_contract.live.standin`) on a loopback
  port, so the app gets exactly the stand-in's answers; every ``POST /prompt`` body is recorded;
* **LLM** endpoints (Ollama ``/api/generate``, ``/api/chat``; OpenAI-compatible ``/chat/completions``)
  are answered with the session's text (streamed when the request asks for it);
* **SwarmUI**'s simple API (``/API/GetNewSession``, ``/API/GenerateText2Image``) is recorded as a call to a
  non-ComfyUI backend and answered with a made-up image path;
* anything else is **refused**: the library's own connection error is raised and the call is recorded,
  unless its URL starts with one of ``allow`` (loopback URLs only), which are really contacted.

As a last guard, ``socket.connect`` to a non-loopback address is refused while a session is open, whatever
library makes it. Only one session may be open at a time in a process.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.validation.catalog import Catalog

__all__ = ["Call", "Interceptor", "Route", "Session", "classify", "is_loopback_url"]

#: the ComfyUI routes the stand-in serves (after an optional ``/api``)
_COMFY = re.compile(
    r"^(?P<prefix>.*?)(?P<api>/api)?(?P<route>/(?:prompt|object_info(?:/[^/]+)?|history(?:/[^/]+)?|queue|view"
    r"|upload/image|system_stats|interrupt|ws))/?$")
_LLM: tuple[tuple[str, str], ...] = (
    ("/api/generate", "ollama-generate"),
    ("/api/chat", "ollama-chat"),
    ("/api/tags", "ollama-tags"),
    ("/chat/completions", "openai-chat"),
)
_SWARM: tuple[tuple[str, str], ...] = (
    ("/API/GetNewSession", "swarmui-session"),
    ("/API/GenerateText2Image", "swarmui-text2image"),
)
_CAPTURE = "/__comfy_contract_capture"


@dataclass(frozen=True)
class Route:
    """Where an intercepted request goes: ``kind`` is ``comfyui``, ``llm``, ``swarmui`` or ``refused``."""

    kind: str
    name: str = ""  # comfyui: the route (/prompt, /history/x); llm / swarmui: the endpoint kind
    transport: str = "comfyui"  # comfyui: "swarmui" when reached through SwarmUI's /ComfyBackendDirect


def classify(url: str) -> Route:
    """Where a request to ``url`` goes, decided by its path (see the module docstring)."""
    path = urlsplit(url).path or "/"
    for suffix, name in _SWARM:
        if path.endswith(suffix):
            return Route("swarmui", name)
    for suffix, name in _LLM:
        if path.endswith(suffix):
            return Route("llm", name)
    m = _COMFY.match(path)
    if m:
        transport = "swarmui" if "ComfyBackendDirect" in m["prefix"] else "comfyui"
        return Route("comfyui", (m["api"] or "") + m["route"], transport)
    return Route("refused")


def is_loopback_url(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "localhost" or _loopback_ip(host)


def _loopback_ip(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Call:
    """One intercepted request. ``body`` is the decoded JSON body for ``POST /prompt``, LLM and SwarmUI calls;
    ``status`` the answer's HTTP status (``None`` when refused); ``answer`` what the stand-in answered."""

    library: str
    method: str
    url: str
    route: Route
    body: Any = None
    status: int | None = None
    answer: Any = None

    @property
    def refused(self) -> bool:
        return self.route.kind == "refused"


LlmResponder = Callable[[str, Mapping[str, Any]], str]
"""``responder(endpoint kind, request body) -> text`` answers an LLM call."""


@dataclass
class Session:
    """What one intercepted run recorded, in order. Read it after the run."""

    responder: LlmResponder
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    @property
    def prompts(self) -> list[Call]:
        """The ``POST /prompt`` calls (ComfyUI submissions), in order."""
        return [c for c in self.calls if c.route.kind == "comfyui" and c.route.name.endswith("/prompt")
                and c.method == "POST"]

    @property
    def refused(self) -> list[Call]:
        return [c for c in self.calls if c.refused]

    def of_kind(self, kind: str) -> list[Call]:
        return [c for c in self.calls if c.route.kind == kind]


def echo(text: str) -> LlmResponder:
    """A responder that answers every LLM call with ``text``."""
    return lambda _kind, _body: text


# -- the loopback server: the stand-in plus the capture routes --------------------------------------------


class _Server:
    """A stand-in ComfyUI on loopback with three extra routes the rewritten requests reach."""

    def __init__(self, catalog: Catalog) -> None:
        from aiohttp import web

        from comfy_contract.live.standin import StandinOptions, StandinServer

        self.session: Session | None = None
        self.server = StandinServer(catalog, StandinOptions(max_history=200, max_recorded=200))
        app = self.server.app
        app.router.add_post(f"{_CAPTURE}/prompt", self._prompt)
        app.router.add_route("*", f"{_CAPTURE}/llm/{{kind}}", self._llm)
        app.router.add_route("*", f"{_CAPTURE}/swarmui/{{kind}}", self._swarm)
        self._web = web

    def start(self) -> None:
        self.server.start()

    def stop(self) -> None:
        self.server.stop()

    @property
    def url(self) -> str:
        return self.server.url

    def _record(self, request: Any, route: Route, body: Any, status: int, answer: Any) -> None:
        if self.session is not None:
            library, _, url = request.query.get("u", "?:").partition(":")
            self.session.add(Call(library, request.method, url, route, body, status, answer))

    async def _prompt(self, request: Any) -> Any:
        from comfy_contract.live.standin import _post_prompt

        raw = await request.read()  # cached: the stand-in's handler reads it again
        try:
            body: Any = json.loads(raw)
        except ValueError:
            body = raw.decode("utf-8", "replace")
        response = await _post_prompt(request)
        try:
            answer: Any = json.loads(response.text or "")
        except ValueError:
            answer = response.text
        route = Route("comfyui", "/prompt", request.query.get("t", "comfyui"))
        self._record(request, route, body, response.status, answer)
        return response

    async def _body(self, request: Any) -> Any:
        raw = await request.read()
        if not raw:
            return dict(request.query)
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    async def _llm(self, request: Any) -> Any:
        web = self._web
        kind = request.match_info["kind"]
        body = await self._body(request)
        data = body if isinstance(body, Mapping) else {}
        session = self.session
        if kind == "ollama-tags":  # the model list: every model the app asked for so far, so lookups succeed
            asked = sorted({str(c.body.get("model")) for c in (session.calls if session else ())
                            if c.route.kind == "llm" and isinstance(c.body, Mapping) and c.body.get("model")})
            self._record(request, Route("llm", kind), body, 200, asked)
            return web.json_response({"models": [{"name": m, "model": m} for m in asked]})
        try:
            text = session.responder(kind, data) if session is not None else ""
        except Exception as exc:  # the user's responder: the app sees a 500, the run reports it
            self._record(request, Route("llm", kind), body, 500, f"responder raised {type(exc).__name__}: {exc}")
            return web.Response(status=500, text=f"comfy-contract capture: LLM responder raised {exc!r}")
        self._record(request, Route("llm", kind), body, 200, text)
        model = str(data.get("model") or "capture")
        stream = bool(data.get("stream", kind.startswith("ollama")))  # Ollama streams unless told not to
        if kind.startswith("ollama"):
            done = {"model": model, "created_at": _iso_now(), "done": True, "done_reason": "stop"}
            part: dict[str, Any] = ({"response": text} if kind == "ollama-generate"
                                    else {"message": {"role": "assistant", "content": text}})
            if not stream:
                return web.json_response({**done, **part})
            empty = {"response": ""} if kind == "ollama-generate" else {"message": {"role": "assistant", "content": ""}}
            lines = [{"model": model, "created_at": _iso_now(), "done": False, **part}, {**done, **empty}]
            return web.Response(text="".join(json.dumps(line) + "\n" for line in lines),
                                content_type="application/x-ndjson")
        created = int(time.time())
        if not stream:
            return web.json_response({
                "id": "chatcmpl-capture", "object": "chat.completion", "created": created, "model": model,
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}})
        chunk = {"id": "chatcmpl-capture", "object": "chat.completion.chunk", "created": created, "model": model,
                 "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": None}]}
        last = {**chunk, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
        events = f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(last)}\n\ndata: [DONE]\n\n"
        return web.Response(text=events, content_type="text/event-stream")

    async def _swarm(self, request: Any) -> Any:
        web = self._web
        kind = request.match_info["kind"]
        body = await self._body(request)
        if kind == "swarmui-session":
            answer: dict[str, Any] = {"session_id": "comfy-contract-capture", "user_id": "local",
                                      "output_append_user": True, "version": "capture"}
        else:
            answer = {"images": ["View/local/raw/comfy-contract-capture.png"]}
        self._record(request, Route("swarmui", kind), body, 200, answer)
        return web.json_response(answer)


def _iso_now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


# -- the patches ------------------------------------------------------------------------------------------

_ACTIVE: Interceptor | None = None
_ACTIVE_LOCK = threading.Lock()


class _Refused(Exception):
    """Raised by :meth:`Interceptor.target` for a request that is refused (turned into the library's error)."""


class Interceptor:
    """Routes the outgoing HTTP of code run inside :meth:`session` (see the module docstring).

    ``catalog`` is what the stand-in answers ``/prompt`` with; ``allow`` lists URL prefixes (loopback only)
    that are really contacted. Start it once (``with Interceptor(catalog) as icp:``), open one session per run.
    """

    def __init__(self, catalog: Catalog, *, allow: Sequence[str] = ()) -> None:
        for prefix in allow:
            if not is_loopback_url(prefix):
                raise ComfyContractError(f"capture allow {prefix!r} is not a loopback URL",
                                         hint="only 127.0.0.0/8, [::1] and localhost may really be contacted")
        self.catalog = catalog
        self.allow = tuple(allow)
        self._server: _Server | None = None
        self._undo: list[Callable[[], None]] = []

    # -- lifecycle
    def start(self) -> Interceptor:
        if self._server is None:
            self._server = _Server(self.catalog)
            self._server.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> Interceptor:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The loopback stand-in's base URL (the interceptor must be started)."""
        assert self._server is not None, "Interceptor.start() first"
        return self._server.url

    @contextlib.contextmanager
    def session(self, responder: LlmResponder | str = "") -> Iterator[Session]:
        """Intercept every outgoing request until the block ends; the :class:`Session` records them."""
        global _ACTIVE
        server = self.start()._server
        assert server is not None
        session = Session(echo(responder) if isinstance(responder, str) else responder)
        with _ACTIVE_LOCK:
            if _ACTIVE is not None:
                raise ComfyContractError("a capture session is already running in this process",
                                         hint="capture runs one driver at a time")
            _ACTIVE = self
        server.session = session
        self._install()
        try:
            yield session
        finally:
            self._uninstall()
            server.session = None
            with _ACTIVE_LOCK:
                _ACTIVE = None

    # -- where a request goes
    def target(self, library: str, method: str, url: str) -> tuple[str | None, Route]:
        """``(new URL, route)`` for a request; ``None`` as the URL: pass it through unchanged (an allowed
        loopback URL, or our own stand-in). Raises :class:`_Refused` (after recording) for refused ones."""
        base = self.url
        if url.startswith(base.rstrip("/") + "/") or any(url.startswith(a) for a in self.allow):
            return None, Route("passthrough")
        route = classify(url)
        tag = quote(f"{library}:{url}", safe="")
        if route.kind == "refused":
            session = self._server.session if self._server else None
            if session is not None:
                session.add(Call(library, method.upper(), url, route))
            raise _Refused(f"comfy-contract capture refused {method.upper()} {url}: not ComfyUI, an LLM or "
                           "SwarmUI (add it to capture.allow if it is a loopback service the app needs)")
        split = urlsplit(url)
        ws = split.scheme in ("ws", "wss")
        root = ("ws" + base[4:]) if ws else base
        if route.kind == "comfyui" and route.name.endswith("/prompt") and method.upper() == "POST":
            return f"{root}{_CAPTURE}/prompt?u={tag}&t={route.transport}", route
        if route.kind in ("llm", "swarmui"):
            query = urlencode([*parse_qsl(split.query, keep_blank_values=True), ("u", f"{library}:{url}")])
            return f"{root}{_CAPTURE}/{route.kind}/{route.name}?{query}", route
        session = self._server.session if self._server else None
        if session is not None:
            session.add(Call(library, method.upper(), url, route))
        return f"{root}{route.name}" + (f"?{split.query}" if split.query else ""), route

    # -- installing the patches
    def _patch(self, owner: Any, name: str, new: Any) -> None:
        if name in owner.__dict__:
            old = owner.__dict__[name]
            self._undo.append(lambda: setattr(owner, name, old))
        else:  # inherited (socket.socket.connect comes from _socket.socket): remove ours again
            self._undo.append(lambda: delattr(owner, name))
        setattr(owner, name, new)

    def _uninstall(self) -> None:
        while self._undo:
            self._undo.pop()()

    def _install(self) -> None:
        self._patch_socket()
        self._patch_urllib()
        with contextlib.suppress(ImportError):
            self._patch_requests()
        with contextlib.suppress(ImportError):
            self._patch_httpx()
        with contextlib.suppress(ImportError):
            self._patch_aiohttp()

    def _patch_socket(self) -> None:
        icp = self
        original = socket.socket.connect
        original_ex = socket.socket.connect_ex

        def allowed(sock: socket.socket, address: Any) -> bool:
            if sock.family not in (socket.AF_INET, socket.AF_INET6):
                return True
            host = address[0] if isinstance(address, tuple) and address else ""
            return host == "localhost" or _loopback_ip(str(host).split("%")[0])

        def record(address: Any) -> None:
            session = icp._server.session if icp._server else None
            if session is not None:
                session.add(Call("socket", "CONNECT", f"tcp://{address[0]}:{address[1]}", Route("refused")))

        def connect(sock: socket.socket, address: Any) -> None:
            if not allowed(sock, address):
                record(address)
                raise ConnectionRefusedError(f"comfy-contract capture refused a connection to {address!r}: "
                                             "only loopback addresses may be contacted")
            original(sock, address)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            if not allowed(sock, address):
                record(address)
                return errno.ECONNREFUSED
            return original_ex(sock, address)

        self._patch(socket.socket, "connect", connect)
        self._patch(socket.socket, "connect_ex", connect_ex)

    def _patch_urllib(self) -> None:
        icp = self
        original = urllib.request.OpenerDirector.open

        def open_(opener: Any, fullurl: Any, data: Any = None, *args: Any, **kwargs: Any) -> Any:
            request = fullurl if isinstance(fullurl, urllib.request.Request) else urllib.request.Request(fullurl)
            if data is not None:
                request.data = data
            try:
                new, _route = icp.target("urllib", request.get_method(), request.full_url)
            except _Refused as exc:
                raise urllib.error.URLError(ConnectionRefusedError(str(exc))) from None
            if new is not None:
                request.full_url = new
            return original(opener, request, None, *args, **kwargs)

        self._patch(urllib.request.OpenerDirector, "open", open_)

    def _patch_requests(self) -> None:
        import requests
        import requests.adapters

        icp = self
        original = requests.adapters.HTTPAdapter.send

        def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                new, _route = icp.target("requests", request.method or "GET", request.url or "")
            except _Refused as exc:
                raise requests.exceptions.ConnectionError(str(exc), request=request) from None
            if new is not None:
                request.url = new
                kwargs["proxies"] = {}
            return original(adapter, request, *args, **kwargs)

        self._patch(requests.adapters.HTTPAdapter, "send", send)

    def _patch_httpx(self) -> None:
        import httpx

        icp = self
        original = httpx.HTTPTransport.handle_request
        original_async = httpx.AsyncHTTPTransport.handle_async_request

        def rewrite(request: httpx.Request) -> None:
            try:
                new, _route = icp.target("httpx", request.method, str(request.url))
            except _Refused as exc:
                raise httpx.ConnectError(str(exc), request=request) from None
            if new is not None:
                request.url = httpx.URL(new)

        def handle(transport: Any, request: httpx.Request) -> httpx.Response:
            rewrite(request)
            return original(transport, request)

        async def handle_async(transport: Any, request: httpx.Request) -> httpx.Response:
            rewrite(request)
            return await original_async(transport, request)

        self._patch(httpx.HTTPTransport, "handle_request", handle)
        self._patch(httpx.AsyncHTTPTransport, "handle_async_request", handle_async)

    def _patch_aiohttp(self) -> None:
        import aiohttp

        icp = self
        original = aiohttp.ClientSession._request

        async def request(session: Any, method: str, str_or_url: Any, **kwargs: Any) -> Any:
            url = str(session._build_url(str_or_url))
            try:
                new, _route = icp.target("aiohttp", method, url)
            except _Refused as exc:
                raise aiohttp.ClientConnectionError(str(exc)) from None
            if new is not None:
                url = new
                kwargs.pop("proxy", None)
            return await original(session, method, url, **kwargs)

        self._patch(aiohttp.ClientSession, "_request", request)
