"""Start ``comfy-contract serve --port 0`` as a subprocess and read the URL it prints."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STOCK = REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json"


@contextlib.contextmanager
def serve_subprocess(*args: str, timeout: float = 60.0) -> Iterator[tuple[str, subprocess.Popen[str]]]:
    """``(url, process)`` of a stand-in started with ``comfy-contract serve --port 0 ARGS``; stopped with SIGTERM."""
    cmd = [sys.executable, "-m", "comfy_contract", "serve", "--port", "0", *args]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=REPO) as proc:
        assert proc.stdout is not None
        try:
            line = proc.stdout.readline()
            found = re.search(r"listening on (http://\S+)", line)
            if not found:
                proc.kill()
                raise AssertionError(f"serve printed {line!r}{proc.stdout.read()}")
            yield found.group(1), proc
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
