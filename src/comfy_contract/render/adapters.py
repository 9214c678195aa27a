"""Adapters: render through an app's own code instead of the built-in DevServer renderer.

Three kinds, all implementing :class:`comfy_contract.render.model.Generator`:

* :class:`CallableGenerator` - a Python function ``module:function`` called as
  ``function(config_id, mode, inputs_dict)``;
* :class:`CommandGenerator` - a command that reads ``{"config", "mode", "inputs"}`` as JSON on stdin and
  prints the workflow JSON on stdout;
* :class:`HttpGenerator` - an HTTP endpoint that receives the same JSON in a ``POST`` and answers with
  the workflow JSON.

Each may return one workflow, a ``/prompt`` body (``{"prompt": ..., "client_id": ...}``), a list of
either, or ``null`` (the config produces no ComfyUI workflow). Anything else - an exception, a non-zero
exit, a non-JSON answer, an HTTP error status - becomes an ``R011`` finding for that config, never a crash.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import httpx

from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.httpio import MAX_BYTES, HttpLimitError, fetch
from comfy_contract.core.jsonio import loads
from comfy_contract.render.model import MODES, Rendered, RenderInputs, Submission

__all__ = [
    "CallableGenerator",
    "CommandGenerator",
    "HttpGenerator",
    "guarded_render",
    "load_callable",
    "rendered_from_answer",
]


class _TooLarge(Exception):
    """A generator command printed more than this tool reads."""


class AdapterFailure(Exception):
    """The app's generator failed for one config (becomes an R011 finding)."""


def load_callable(spec: str) -> Callable[..., Any]:
    """Import ``"package.module:function"`` (dots after the colon walk attributes)."""
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ComfyContractError(f"bad callable {spec!r}: expected 'package.module:function'")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ComfyContractError(f"cannot import {module_name!r} for generator {spec!r}: {exc}",
                                 hint="install the app in this environment or fix the module path") from None
    for part in attr.split("."):
        if not hasattr(target, part):
            raise ComfyContractError(f"module {module_name!r} has no attribute {attr!r} (generator {spec!r})")
        target = getattr(target, part)
    if not callable(target):
        raise ComfyContractError(f"generator {spec!r} is a {type(target).__name__}, not a function")
    return target  # type: ignore[no-any-return]


def _workflows(answer: Any) -> list[tuple[Mapping[str, Any], str | None]]:
    items = answer if isinstance(answer, list) else [answer]
    out: list[tuple[Mapping[str, Any], str | None]] = []
    for item in items:
        if isinstance(item, Mapping) and isinstance(item.get("prompt"), Mapping):
            client = item.get("client_id")
            out.append((item["prompt"], client if isinstance(client, str) else None))
        elif isinstance(item, Mapping) and item and all(isinstance(n, Mapping) for n in item.values()):
            out.append((item, None))
        else:
            shown = repr(item)[:120]
            raise AdapterFailure(f"expected an API-format workflow (node id -> node) or a /prompt body, got {shown}")
    return out


def rendered_from_answer(config: str, mode: str, inputs: RenderInputs, answer: Any, *, origin: str) -> Rendered:
    """Turn what an app's generator returned into a :class:`Rendered` (R011 if it is not a workflow)."""
    if isinstance(answer, Rendered):
        return answer
    if answer is None:
        finding = Finding("R010", f"{origin} returned null for {config!r}: no ComfyUI workflow.",
                          severity=Severity.INFO)
        return Rendered(config, mode, "text", findings=(finding,), inputs=inputs)
    try:
        pairs = _workflows(answer)
    except AdapterFailure as exc:
        return failed(config, mode, inputs, f"{origin}: {exc}")
    subs = tuple(Submission(dict(wf), client or inputs.client_id) for wf, client in pairs)
    return Rendered(config, mode, "workflow", submissions=subs, inputs=inputs)


def failed(config: str, mode: str, inputs: RenderInputs, message: str) -> Rendered:
    finding = Finding("R011", f"{message}. Fix the app's generator for config {config!r}; other configs go on.")
    return Rendered(config, mode, "error", findings=(finding,), inputs=inputs)


def guarded_render(generator: Any, config: str, mode: str, inputs: RenderInputs | None = None) -> Rendered:
    """``generator.render(...)``, with a crash of the renderer turned into an R011 finding for this one config
    (the other configs are still rendered and the run still writes its manifest). Usage errors propagate."""
    try:
        rendered: Rendered = generator.render(config, mode, inputs)
    except ComfyContractError:
        raise
    except Exception as exc:
        return failed(config, mode, inputs or RenderInputs(),
                      f"rendering raised {type(exc).__name__}: {exc} (a bug in the renderer or the app's generator, "
                      "not in the config's data; please report it)")
    return rendered


def _check_mode(mode: str) -> None:
    if mode not in MODES:
        raise ComfyContractError(f"unknown execution mode {mode!r}", hint=f"use one of {', '.join(MODES)}")


def _request(config: str, mode: str, inputs: RenderInputs) -> dict[str, Any]:
    return {"config": config, "mode": mode, "inputs": inputs.to_dict()}


def _names(value: Any, origin: str) -> list[str]:
    if isinstance(value, str):
        value = [line.strip() for line in value.splitlines() if line.strip()]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise ComfyContractError(f"{origin} must list config names, got {type(value).__name__}")
    return [str(v) for v in value]


class CallableGenerator:
    """Call ``function(config_id, mode, inputs)`` in this process; ``enumerate`` lists config ids."""

    def __init__(self, spec: str, enumerate: str | None = None) -> None:
        self.spec = spec
        self.function = load_callable(spec)
        self.enumerator = load_callable(enumerate) if enumerate else None

    def configs(self) -> list[str]:
        if self.enumerator is None:
            raise ComfyContractError(f"generator {self.spec!r} cannot list its configs",
                                     hint="pass --config NAME, or set generator.enumerate to 'module:function'")
        return _names(self.enumerator(), f"enumerator of {self.spec!r}")

    def render(self, config: str, mode: str, inputs: RenderInputs | None = None) -> Rendered:
        _check_mode(mode)
        inputs = inputs or RenderInputs()
        try:
            answer = self.function(config, mode, inputs.to_dict())
        except Exception as exc:
            return failed(config, mode, inputs, f"{self.spec} raised {type(exc).__name__}: {exc}")
        return rendered_from_answer(config, mode, inputs, answer, origin=self.spec)


class CommandGenerator:
    """Run a command per render: the request JSON on stdin, the workflow JSON expected on stdout.

    ``{config}`` and ``{mode}`` in the arguments are replaced too, for commands that take flags.
    ``list_command`` prints the config names (a JSON list or one per line).
    """

    def __init__(self, command: Sequence[str], *, list_command: Sequence[str] | None = None,
                 timeout: float = 60.0, cwd: str | None = None) -> None:
        if not command:
            raise ComfyContractError("generator command is empty")
        self.command, self.list_command = list(command), list(list_command) if list_command else None
        self.timeout, self.cwd = timeout, cwd

    def _run(self, argv: list[str], stdin: str) -> subprocess.CompletedProcess[str]:
        """Run ``argv`` with ``stdin``; its output goes to temporary files (not memory) and at most
        :data:`MAX_BYTES` of it is read. Past ``timeout`` the command is killed (``TimeoutExpired``)."""
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            ran = subprocess.run(argv, input=stdin.encode("utf-8", "backslashreplace"), stdout=out, stderr=err,
                                 timeout=self.timeout, cwd=self.cwd, check=False)
            done: subprocess.CompletedProcess[str] = subprocess.CompletedProcess(argv, ran.returncode)
            for name, fh in (("stdout", out), ("stderr", err)):
                size = fh.seek(0, 2)
                if name == "stdout" and size > MAX_BYTES:
                    raise _TooLarge(f"command {argv!r} printed {size:,} bytes, more than the {MAX_BYTES:,} "
                                    "this tool reads")
                fh.seek(max(0, size - 4096) if name == "stderr" else 0)
                setattr(done, name, fh.read().decode("utf-8", "replace"))
        return done

    def configs(self) -> list[str]:
        if self.list_command is None:
            raise ComfyContractError("the generator command cannot list its configs",
                                     hint="pass --config NAME, or set generator.list_command")
        try:
            done = self._run(self.list_command, "")
        except (OSError, subprocess.TimeoutExpired, _TooLarge) as exc:
            raise ComfyContractError(f"list command {self.list_command!r} failed: {exc}") from None
        if done.returncode != 0:
            raise ComfyContractError(f"list command {self.list_command!r} exited {done.returncode}: "
                                     f"{done.stderr.strip()[-300:]!r}")
        try:
            return _names(loads(done.stdout, source="the list command"), "the list command")
        except InputError:
            return _names(done.stdout, "the list command")

    def render(self, config: str, mode: str, inputs: RenderInputs | None = None) -> Rendered:
        _check_mode(mode)
        inputs = inputs or RenderInputs()
        argv = [a.replace("{config}", config).replace("{mode}", mode) for a in self.command]
        try:
            done = self._run(argv, json.dumps(_request(config, mode, inputs), ensure_ascii=False))
        except subprocess.TimeoutExpired:
            return failed(config, mode, inputs, f"command {argv!r} timed out after {self.timeout:g} s")
        except _TooLarge as exc:
            return failed(config, mode, inputs, str(exc))
        except OSError as exc:
            raise ComfyContractError(f"cannot run generator command {argv!r}: {exc.strerror}",
                                     hint="check generator.command in the project config") from None
        if done.returncode != 0:
            tail = done.stderr.strip()[-300:]
            return failed(config, mode, inputs, f"command {argv!r} exited {done.returncode}: {tail!r}")
        try:
            answer = loads(done.stdout, source=f"the output of {argv[0]!r}")
        except InputError as exc:
            return failed(config, mode, inputs, f"command {argv!r} printed no JSON ({exc.problem}): "
                          f"{done.stdout[:120]!r}")
        return rendered_from_answer(config, mode, inputs, answer, origin=f"command {argv[0]!r}")


class HttpGenerator:
    """``POST url`` with ``{"config", "mode", "inputs"}``; the answer is the workflow JSON.

    ``configs_url`` answers ``GET`` with a JSON list of config names. ``transport`` is any httpx
    transport (e.g. ``httpx.WSGITransport(app=...)`` to call an app in-process).
    """

    def __init__(self, url: str, *, configs_url: str | None = None, timeout: float = 60.0,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.url, self.configs_url = url, configs_url
        self.timeout = timeout  # for a whole exchange (a trickling server cannot stretch it)
        self.client = httpx.Client(timeout=timeout, transport=transport)

    def close(self) -> None:
        self.client.close()

    def configs(self) -> list[str]:
        if self.configs_url is None:
            raise ComfyContractError(f"the generator endpoint {self.url!r} cannot list its configs",
                                     hint="pass --config NAME, or set generator.configs_url")
        try:
            response = fetch(self.client, "GET", self.configs_url, deadline_s=self.timeout)
            if response.status >= 400:
                raise ComfyContractError(f"answered HTTP {response.status}")
            return _names(response.json(source=f"GET {self.configs_url}"), f"GET {self.configs_url}")
        except (httpx.HTTPError, ComfyContractError) as exc:
            raise ComfyContractError(f"cannot list configs from {self.configs_url!r}: {exc}") from None

    def render(self, config: str, mode: str, inputs: RenderInputs | None = None) -> Rendered:
        _check_mode(mode)
        inputs = inputs or RenderInputs()
        body = json.dumps(_request(config, mode, inputs), ensure_ascii=False).encode("utf-8", "backslashreplace")
        try:
            response = fetch(self.client, "POST", self.url, deadline_s=self.timeout, content=body,
                             headers={"Content-Type": "application/json"})
        except HttpLimitError as exc:
            return failed(config, mode, inputs, exc.message)
        except httpx.TimeoutException:
            return failed(config, mode, inputs, f"POST {self.url} did not answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            raise ComfyContractError(f"cannot reach the generator endpoint {self.url!r}: {exc}",
                                     hint="start the app's server, or fix generator.url") from None
        if response.status >= 400:
            return failed(config, mode, inputs, f"POST {self.url} answered HTTP {response.status}: "
                          f"{response.text[:200]!r}")
        try:
            answer = response.json(source=f"POST {self.url}")
        except InputError as exc:
            return failed(config, mode, inputs, f"POST {self.url} answered no JSON ({exc.problem}): "
                          f"{response.text[:120]!r}")
        return rendered_from_answer(config, mode, inputs, answer, origin=f"POST {self.url}")
