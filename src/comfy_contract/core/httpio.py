"""One bounded HTTP exchange: an overall deadline and a size cap on the answer, whoever the server is.

httpx's ``timeout`` bounds each network operation, not the exchange: a server that trickles one byte every
few seconds, or streams gigabytes, keeps a plain ``client.get`` busy forever or fills the memory. Every HTTP
answer this tool reads (a ComfyUI's ``/object_info`` and ``/prompt``, an app's generator endpoint) goes
through :func:`fetch`, which reads it in a worker thread against a deadline, stops at :data:`MAX_BYTES`
(after decompression) and decodes JSON with :func:`comfy_contract.core.jsonio.loads` (nesting capped).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import loads

__all__ = ["MAX_BYTES", "Answer", "HttpLimitError", "fetch"]

#: the largest HTTP answer read (a stock ComfyUI's /object_info is about 1 MB; with many packs, tens of MB)
MAX_BYTES = 64 * 1024 * 1024


class HttpLimitError(ComfyContractError):
    """The answer took longer than the deadline or was larger than the cap."""


@dataclass(frozen=True, slots=True)
class Answer:
    """A complete HTTP answer, read within the limits."""

    status: int
    headers: httpx.Headers
    content: bytes
    elapsed_s: float
    url: str

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self, *, source: str | None = None) -> Any:
        """The body as JSON (nesting capped); an :class:`~comfy_contract.core.errors.InputError` otherwise."""
        return loads(self.content, source=source or self.url)


def fetch(client: httpx.Client, method: str, url: str, *, deadline_s: float, max_bytes: int = MAX_BYTES,
          **kwargs: Any) -> Answer:
    """``method url`` on ``client``, with the whole exchange (connect, headers, body) bounded by ``deadline_s``
    and the body by ``max_bytes``. httpx errors propagate as they are (callers know which ones to retry);
    going past a limit is :class:`HttpLimitError`."""
    started = time.monotonic()
    end = started + deadline_s
    outcome: dict[str, Any] = {}

    def exchange() -> None:
        try:
            with client.stream(method, url, timeout=httpx.Timeout(max(deadline_s, 0.001)), **kwargs) as response:
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise HttpLimitError(f"{method} {url} answered {int(declared):,} bytes, more than the "
                                         f"{max_bytes:,} this tool reads")
                chunks: list[bytes] = []
                size = 0
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise HttpLimitError(f"{method} {url} answered more than {max_bytes:,} bytes; "
                                             "stopped reading")
                    if time.monotonic() > end:
                        raise TimeoutError
                    chunks.append(chunk)
                outcome["answer"] = Answer(response.status_code, response.headers, b"".join(chunks),
                                           time.monotonic() - started, str(response.url))
        except BaseException as exc:  # handed to the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=exchange, name=f"comfy-contract {method} {url}", daemon=True)
    worker.start()
    worker.join(deadline_s)
    if worker.is_alive() or isinstance(outcome.get("error"), TimeoutError):
        # the worker stops at its next chunk (or its read timeout); its late answer is dropped
        raise HttpLimitError(f"{method} {url} did not answer completely within {deadline_s:g} s",
                             hint="the server is slow or stalled; it may still have acted on the request")
    if "error" in outcome:
        raise outcome["error"]
    answer: Answer = outcome["answer"]
    return answer
