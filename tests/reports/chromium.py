"""A headless Chromium driven over the DevTools protocol (aiohttp websocket), for the HTML report test.

Debian's ``chromium`` is started with a fresh ``--user-data-dir`` and ``--remote-debugging-port=0``; the port
is read from the ``DevToolsActivePort`` file it writes. The page's console errors, uncaught exceptions and
every network request are collected while it loads. Nothing is downloaded, ever.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import os
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run")


def chromium_path() -> str | None:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageRun:
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""


class _Session:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse, run: PageRun) -> None:
        self.ws, self.run = ws, run
        self.ids = itertools.count(1)
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.loaded = asyncio.Event()

    async def pump(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
                continue
            method, params = data.get("method"), data.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                self.run.console_errors.append(" ".join(str(a.get("value", a.get("description")))
                                                        for a in params.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                self.run.console_errors.append(str(params.get("exceptionDetails", {}).get("text")))
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                self.run.console_errors.append(str(params["entry"].get("text")))
            elif method == "Network.requestWillBeSent":
                self.run.requests.append(str(params.get("request", {}).get("url")))
            elif method == "Page.loadEventFired":
                self.loaded.set()

    async def send(self, method: str, **params: Any) -> Any:
        msg_id = next(self.ids)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[msg_id] = future
        await self.ws.send_str(json.dumps({"id": msg_id, "method": method, "params": params}))
        reply = await asyncio.wait_for(future, 30)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})


async def _drive(port: int, url: str, checks: dict[str, str], width: int, height: int,
                 scroll_to: str | None) -> PageRun:
    run = PageRun()
    async with aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/json/list") as resp:
            targets = await resp.json(content_type=None)
        page = next(t for t in targets if t.get("type") == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            session = _Session(ws, run)
            pump = asyncio.create_task(session.pump())
            for domain in ("Runtime", "Log", "Network", "Page"):
                await session.send(f"{domain}.enable")
            await session.send("Emulation.setDeviceMetricsOverride", width=width, height=height,
                               deviceScaleFactor=1, mobile=False)
            session.loaded.clear()
            await session.send("Page.navigate", url=url)
            await asyncio.wait_for(session.loaded.wait(), 30)
            for name, expression in checks.items():
                result = await session.send("Runtime.evaluate", expression=expression, returnByValue=True)
                run.values[name] = result.get("result", {}).get("value")
            if scroll_to:
                await session.send("Runtime.evaluate", expression=f"document.querySelector({scroll_to!r})"
                                   ".scrollIntoView({block: 'start'})")
            await asyncio.sleep(0.2)
            shot = await session.send("Page.captureScreenshot", format="png")
            run.screenshot = base64.b64decode(shot["data"])
            pump.cancel()
    return run


def open_page(path: Path, checks: dict[str, str], *, width: int = 1280, height: int = 860,
              scroll_to: str | None = None) -> PageRun:
    """Load ``path`` in headless Chromium; evaluate each JS expression of ``checks``; take a screenshot."""
    binary = chromium_path()
    assert binary is not None, "chromium is not installed"
    with tempfile.TemporaryDirectory(prefix="cc-chromium-") as profile:
        proc = subprocess.Popen([binary, *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}",
                                 "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, "HOME": profile})
        try:
            port_file = Path(profile) / "DevToolsActivePort"
            deadline = time.monotonic() + 30
            while not (port_file.exists() and port_file.read_text().strip()):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"chromium did not start (exit {proc.poll()})")
                time.sleep(0.05)
            port = int(port_file.read_text().splitlines()[0])
            return asyncio.run(_drive(port, path.resolve().as_uri(), checks, width, height, scroll_to))
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit non-interlaced PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, channels = 8, b"", 0, 0, 0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8, depth
            channels = {2: 3, 6: 4, 0: 1, 4: 2}[colour]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, rows
