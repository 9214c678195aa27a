"""The hostile suite's tools: run the CLI under resource limits, and a hostile HTTP server on loopback.

:func:`limited` runs ``python -m comfy_contract ARGS`` in a subprocess with ``resource.setrlimit`` (address
space and CPU time) and a wall-clock timeout, and reports exit code, output, wall time and peak RSS (from
``wait4``). :class:`HostileServer` answers on 127.0.0.1 with the bad behaviour a path names: slow, huge,
deep, wrong type, redirects.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from comfy_contract.cli import main

REPO = Path(__file__).resolve().parents[2]
STOCK = REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json"

#: the ceilings every hostile probe is held to (the closing table quotes them)
WALL_S = 20.0
MEMORY_MB = 1024  # address space of the subprocess (RLIMIT_AS)
CPU_S = 30


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    seconds: float
    peak_rss_mb: float = 0.0

    def assert_clean(self, *codes: int) -> None:
        """Exit code among ``codes`` and never a traceback."""
        assert "Traceback" not in self.err, self.err[-3000:]
        assert "Traceback" not in self.out, self.out[-3000:]
        assert self.code in codes, (self.code, self.out[-1500:], self.err[-1500:])


def run(*argv: str, cwd: Path | None = None) -> Outcome:
    """The CLI in-process (fast), timed."""
    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    started = time.perf_counter()
    if cwd is not None:
        os.chdir(cwd)
    try:
        code = main(list(argv), stdout=out, stderr=err)
    finally:
        os.chdir(old)
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - started)


def _limits(memory_mb: int, cpu_s: int) -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def limited(*argv: str, cwd: Path, wall_s: float = WALL_S, memory_mb: int = MEMORY_MB, cpu_s: int = CPU_S,
            env: dict[str, str] | None = None) -> Outcome:
    """``comfy-contract ARGV`` in a subprocess under an address-space and CPU limit and a wall-clock timeout."""
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "comfy_contract", *argv], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env={**os.environ, **(env or {})},
                            preexec_fn=lambda: _limits(memory_mb, cpu_s))
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=lambda s=s, b=b: b.append(s.read()), daemon=True)  # type: ignore[misc]
               for s, b in ((proc.stdout, out), (proc.stderr, err))]
    for r in readers:
        r.start()
    deadline = started + wall_s
    status = rusage = None
    while time.perf_counter() < deadline:
        pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.02)
    else:
        proc.kill()
        _pid, status, rusage = os.wait4(proc.pid, 0)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
        raise AssertionError(f"{argv!r} did not finish within {wall_s} s")
    proc.returncode = os.waitstatus_to_exitcode(status)
    for r in readers:
        r.join(5)
    for stream in (proc.stdout, proc.stderr):
        if stream is not None:
            stream.close()
    seconds = time.perf_counter() - started
    return Outcome(proc.returncode, "".join(out), "".join(err), seconds, rusage.ru_maxrss / 1024)


# --- a hostile HTTP server -------------------------------------------------------------------------------

def deep_json(depth: int) -> bytes:
    return ("[" * depth + "]" * depth).encode()


def _catalog_bytes() -> bytes:
    return json.dumps(json.loads(STOCK.read_text("utf-8"))["object_info"]).encode()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, *, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _chunked_forever(self, chunk: bytes, limit: int) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        sent = 0
        with contextlib.suppress(OSError):
            self.wfile.write(b"%x\r\n[\r\n" % 1)
            while sent < limit:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)

    def _trickle(self, *, headers_too: bool) -> None:
        body = b'{"KSampler": {"input": {}, "output": []}}'
        with contextlib.suppress(OSError):
            head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
            for part in ([head[i:i + 1] for i in range(len(head))] if headers_too else [head]):
                self.wfile.write(part)
                self.wfile.flush()
                if headers_too:
                    time.sleep(0.2)
            for i in range(len(body)):
                self.wfile.write(body[i:i + 1])
                self.wfile.flush()
                time.sleep(0.2)

    def _answer(self) -> None:
        mode = self.path.strip("/").split("/")[0]
        if self.command == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
        tail = self.path.rsplit("/", 1)[-1]
        if tail == "system_stats":
            return self._send(200, b'{"system": {"comfyui_version": "0.3.75"}}')
        if mode == "slow":
            return self._trickle(headers_too=False)
        if mode == "slowheaders":
            return self._trickle(headers_too=True)
        if mode == "huge":  # "2 GB" chunked: stopped by the reader's cap long before
            return self._chunked_forever(b"0," * 32768, 2 * 1024 ** 3)
        if mode == "hugelength":
            self.send_response(200)
            self.send_header("Content-Length", str(2 * 1024 ** 3))
            self.end_headers()
            return None
        if mode == "deep":
            return self._send(200, deep_json(50_000))
        if mode == "deep300":
            return self._send(200, deep_json(300))
        if mode == "list":
            return self._send(200, b"[1, 2, 3]")
        if mode == "empty":
            return self._send(200, b"{}")
        if mode == "foreign":
            return self._send(200, b'{"hello": "world"}')
        if mode == "notjson":
            return self._send(200, b"<html>hello</html>", ctype="text/html")
        if mode == "redirect":
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if mode == "surrogate":
            return self._send(200, b'{"1": {"class_type": "X\\ud800", "inputs": {}}}')
        if mode == "ok":
            return self._send(200, _catalog_bytes())
        return self._send(404, b"{}")

    do_GET = _answer
    do_POST = _answer


class HostileServer:
    """``with HostileServer() as url:`` - ``url + "/slow"``, ``"/huge"``, ``"/deep"``, ... (loopback only)."""

    def __enter__(self) -> str:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_json(path: Path, value: object) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


@contextlib.contextmanager
def env(**values: str) -> Iterator[None]:
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
