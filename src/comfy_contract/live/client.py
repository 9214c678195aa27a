"""An HTTP client for a real ComfyUI (or the stand-in server), over httpx.

Takes an optional httpx transport so tests can route it without mocks. Connect errors are retried a bounded
number of times (the request never left); nothing else is retried, so a prompt is never submitted twice.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import httpx

from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.core.httpio import MAX_BYTES, Answer, HttpLimitError, fetch
from comfy_contract.validation.catalog import Catalog, catalog_from_data

__all__ = ["ComfyClient", "PromptResponse"]


@dataclass(frozen=True, slots=True)
class PromptResponse:
    """What ``POST /prompt`` answered: the status and the body (JSON, or text when it is not JSON)."""

    status: int
    body: Any
    elapsed_s: float


class ComfyClient:
    """Minimal ComfyUI API client: ``/object_info``, ``/system_stats``, ``/prompt``, ``/queue``."""

    def __init__(self, url: str, *, timeout: float = 30.0, transport: httpx.BaseTransport | None = None,
                 retries: int = 2, backoff: float = 0.25, max_bytes: int = MAX_BYTES) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout  # for a whole exchange, not per network read
        self.max_bytes = max_bytes
        self.retries = retries  # on connect errors only: the request was never sent
        self.backoff = backoff
        self._http = httpx.Client(base_url=self.url, timeout=timeout, transport=transport)

    def _send(self, method: str, path: str, **kwargs: Any) -> Answer:
        """One request; connect errors are retried (bounded), nothing else is: a POST that may have reached
        the server is never sent twice. The whole exchange is bounded by ``timeout`` and the answer by
        ``max_bytes`` (core/httpio.py). Every failure is a :class:`ComfyContractError` naming the URL."""
        attempt = 0
        while True:
            try:
                return fetch(self._http, method, path, deadline_s=self.timeout, max_bytes=self.max_bytes, **kwargs)
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
                if attempt >= self.retries:
                    raise ComfyContractError(
                        f"cannot reach ComfyUI at {self.url} ({method} {path}, {attempt + 1} attempt(s)): {exc}",
                        hint="is the server running? check --url (`comfy-contract serve` starts a stand-in)",
                    ) from None
                time.sleep(self.backoff * 2**attempt)
                attempt += 1
            except HttpLimitError as exc:
                raise ComfyContractError(f"ComfyUI at {self.url}: {exc.message}", hint=exc.hint) from None
            except httpx.TimeoutException:
                raise ComfyContractError(
                    f"ComfyUI at {self.url} did not answer {method} {path} within {self.timeout:g}s",
                    hint="the server may be busy; it may still have accepted the request (not re-sent)",
                ) from None
            except httpx.HTTPError as exc:
                raise ComfyContractError(f"{method} {self.url}{path} failed: {exc}") from None

    def __enter__(self) -> ComfyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def _get_json(self, path: str) -> Any:
        response = self._send("GET", path)
        if response.status != 200:
            raise ComfyContractError(f"GET {self.url}{path} answered HTTP {response.status}")
        try:
            return response.json(source=f"GET {self.url}{path}")
        except InputError as exc:
            raise ComfyContractError(f"GET {self.url}{path} did not return usable JSON: {exc.problem}") from None

    def object_info(self) -> dict[str, Any]:
        data = self._get_json("/object_info")
        if not isinstance(data, dict):
            raise ComfyContractError(f"GET {self.url}/object_info did not return an object")
        return data

    def system_stats(self) -> dict[str, Any]:
        data = self._get_json("/system_stats")
        return data if isinstance(data, dict) else {}

    def comfyui_version(self) -> str | None:
        system = self.system_stats().get("system", {})
        version = system.get("comfyui_version") if isinstance(system, dict) else None
        return str(version) if version else None

    def node_replacements(self) -> dict[str, Any]:
        """``GET /node_replacements`` of a 2026 server; ``{}`` for servers without the route (HTTP 404)."""
        response = self._send("GET", "/node_replacements")
        if response.status == 404:
            return {}
        if response.status != 200:
            raise ComfyContractError(f"GET {self.url}/node_replacements answered HTTP {response.status}")
        try:
            data = response.json(source=f"GET {self.url}/node_replacements")
        except InputError:
            return {}  # an HTML page (a front end's catch-all route): no table
        return data if isinstance(data, dict) else {}

    def catalog_envelope(self) -> dict[str, Any]:
        """The catalog file contents for this install: version metadata plus ``/object_info``, checked to be a
        node catalog (an empty or foreign answer is an error, never written as a catalog)."""
        stats = self.system_stats()
        system = stats.get("system", {}) if isinstance(stats.get("system"), dict) else {}
        envelope = {
            "format": "comfy-contract/catalog",
            "comfyui_version": system.get("comfyui_version"),
            "python_version": system.get("python_version"),
            "pytorch_version": system.get("pytorch_version"),
            "source_url": self.url,
            "object_info": self.object_info(),
        }
        replacements = self.node_replacements()
        if replacements:  # 2026 servers rewrite such nodes before validating: the catalog must know them
            envelope["node_replacements"] = replacements
        if not envelope["object_info"]:
            raise ComfyContractError(f"GET {self.url}/object_info answered no node classes: not a ComfyUI, or one "
                                     "that has not loaded its nodes", hint="check --url; wait until the server is up")
        catalog_from_data(envelope, source=f"{self.url}/object_info")  # raises CatalogError if it is not one
        return envelope

    def catalog(self) -> Catalog:
        env = self.catalog_envelope()
        return catalog_from_data(env, source=f"{self.url}/object_info")

    def post_prompt(self, body: Any) -> PromptResponse:
        """POST a body to ``/prompt`` and return status and body exactly as received."""
        content = json.dumps(body).encode() if not isinstance(body, bytes) else body
        response = self._send("POST", "/prompt", content=content, headers={"Content-Type": "application/json"})
        try:
            parsed: Any = response.json(source=f"POST {self.url}/prompt")
        except InputError:
            parsed = response.text
        return PromptResponse(response.status, parsed, response.elapsed_s)

    def queue(self) -> Any:
        return self._get_json("/queue")
