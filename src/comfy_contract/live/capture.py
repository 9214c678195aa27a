"""Capture: the app's own code as the referee.

:class:`CaptureGenerator` is a :class:`~comfy_contract.render.model.Generator` that renders a (config, mode) by
*running the app*: a driver calls the app's real code for the config while :class:`~comfy_contract.live.intercept.
Interceptor` stubs only its transports (ComfyUI is the stand-in on loopback, LLMs answer with chosen text,
anything else is refused), and the ``POST /prompt`` bodies the app sent become the :class:`Rendered`'s
submissions. Drivers:

* ``callable`` - ``"module:function"`` called as ``function(config, mode, inputs_dict)``;
* ``wsgi`` - a WSGI app (``"module:app"`` or a factory ``"module:create_app()"``) called in-process with a
  request template (method, path, JSON body; ``{config}``, ``{mode}``, ``{text}`` and ``{output_config}`` in
  its strings are replaced);
* ``devserver`` - the DevServer: its ``devserver/`` folder goes on ``sys.path``, ``my_app:create_app()`` is
  imported and ``POST /api/schema/pipeline/execute`` gets ``{"schema", "input_text", "execution_mode"}``.

The driver's failure (an exception, an HTTP error status, ``{"status": "error"}``) is an ``R011`` finding with
the app's message; each refused call an ``R020`` finding. In ``check`` (:func:`captured_suite`) the capture is
what is validated and linted, and the ``capture`` check compares it with the static rendering (``R019``).
See docs/capture.md.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from comfy_contract.core.errors import ComfyContractError, ConfigError
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.live.intercept import Interceptor, LlmResponder, Session
from comfy_contract.render.adapters import load_callable
from comfy_contract.render.model import MODES, Generator, Outcome, Rendered, RenderInputs, Submission
from comfy_contract.validation.catalog import Catalog

__all__ = [
    "DEVSERVER_APP",
    "DEVSERVER_REQUEST",
    "CallableDriver",
    "CaptureGenerator",
    "Driver",
    "DriverFailure",
    "RequestTemplate",
    "WsgiDriver",
    "capture_from_project",
    "capture_generator",
    "captured_suite",
    "devserver_driver",
    "load_app",
    "rendered_from_session",
]

DEVSERVER_APP = "my_app:create_app()"


class NoSuchRoute(ComfyContractError):
    """The app has no route for the driver's request (405, or a 404 that is not the app's own JSON answer):
    the driver does not fit this version of the app - a usage error for the whole run, not one per config."""


class DriverFailure(Exception):
    """The app failed for one config (an R011 finding quoting the app's message)."""


class Driver(Protocol):
    """Runs the app's real code for one (config, mode, inputs); raises when the app fails."""

    def run(self, config: str, mode: str, inputs: RenderInputs) -> None: ...


class CallableDriver:
    """``function(config, mode, inputs_dict)`` from ``"module:function"``; its return value is ignored."""

    def __init__(self, spec: str) -> None:
        self.spec = spec
        self.function = load_callable(spec)

    def run(self, config: str, mode: str, inputs: RenderInputs) -> None:
        self.function(config, mode, inputs.to_dict())


@dataclass(frozen=True)
class RequestTemplate:
    """The request a :class:`WsgiDriver` sends per render. In every string of ``path`` and ``json``,
    ``{config}``, ``{mode}``, ``{text}`` (the user's text) and ``{output_config}`` are replaced; a string that
    is exactly ``"{output_config}"`` becomes ``null`` when the inputs name none. ``extra`` adds the inputs'
    ``custom_placeholders`` as top-level JSON keys (request values an app's UI sends)."""

    path: str
    method: str = "POST"
    json: Any = None
    extra: bool = False

    def fill(self, config: str, mode: str, inputs: RenderInputs) -> tuple[str, str, Any]:
        values = {"{config}": config, "{mode}": mode, "{text}": inputs.user_text,
                  "{output_config}": inputs.output_config or ""}

        def sub(value: Any) -> Any:
            if isinstance(value, str):
                if value == "{output_config}" and inputs.output_config is None:
                    return None
                for key, text in values.items():
                    value = value.replace(key, text)
                return value
            if isinstance(value, Mapping):
                return {k: sub(v) for k, v in value.items()}
            if isinstance(value, list):
                return [sub(v) for v in value]
            return value

        body = sub(self.json)
        if self.extra and isinstance(body, dict):
            body.update(inputs.custom_placeholders)
            if inputs.output_config is not None:
                body.setdefault("output_config", inputs.output_config)
        return self.method.upper(), sub(self.path), body


DEVSERVER_REQUEST = RequestTemplate(
    "/api/schema/pipeline/execute",
    json={"schema": "{config}", "input_text": "{text}", "execution_mode": "{mode}"},
    extra=True,
)


def load_app(spec: str) -> Any:
    """``"module:app"`` (an attribute) or ``"module:create_app()"`` (a factory, called without arguments)."""
    factory = spec.endswith("()")
    target = load_callable(spec[:-2]) if factory else _attribute(spec)
    if not factory:
        return target
    try:
        return target()
    except Exception as exc:
        raise ComfyContractError(f"capture: {spec} raised {type(exc).__name__}: {exc}",
                                 hint="the app factory must build the app without a running service") from None


def _attribute(spec: str) -> Any:
    module_name, sep, attr = spec.partition(":")
    if not sep:
        raise ComfyContractError(f"bad app {spec!r}: expected 'package.module:app' or 'package.module:create_app()'")
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        raise ComfyContractError(f"capture: cannot import {module_name!r} for app {spec!r}: {exc}",
                                 hint="install the app in this environment or set capture.python_path") from None
    for part in attr.split("."):
        if not hasattr(target, part):
            raise ComfyContractError(f"capture: module {module_name!r} has no attribute {attr!r} (app {spec!r})")
        target = getattr(target, part)
    return target


class WsgiDriver:
    """Call a WSGI app in-process (``httpx.WSGITransport``, no server) with a :class:`RequestTemplate`.

    An HTTP status >= 400, or a JSON answer with ``"status": "error"`` or ``"success": false``, is the app
    failing; its ``error``/``message`` is quoted. A Flask app's exceptions propagate (``PROPAGATE_EXCEPTIONS``)
    so the app's own message is reported, not a logged traceback.
    """

    def __init__(self, app: Any, request: RequestTemplate, *, name: str = "app") -> None:
        import httpx

        if not callable(app):
            raise ComfyContractError(f"capture: {name} is a {type(app).__name__}, not a WSGI app")
        config = getattr(app, "config", None)
        if isinstance(config, dict):
            config["PROPAGATE_EXCEPTIONS"] = True
        self.app, self.request, self.name = app, request, name
        self.client = httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://capture.invalid",
                                   timeout=None)

    def close(self) -> None:
        self.client.close()

    def run(self, config: str, mode: str, inputs: RenderInputs) -> None:
        method, path, body = self.request.fill(config, mode, inputs)
        response = self.client.request(method, path, json=body) if body is not None else \
            self.client.request(method, path)
        try:
            answer: Any = response.json()
        except ValueError:
            answer = None
        said = _app_message(answer) if isinstance(answer, Mapping) else None
        if response.status_code == 405 or (response.status_code == 404 and answer is None):
            raise NoSuchRoute(f"capture: the app ({self.name}) has no route {method} {path} (HTTP "
                              f"{response.status_code})",
                              hint="the driver does not match this version of the app: give capture a `request:` "
                              "for its route, or a `callable` driver (docs/capture.md)")
        if response.status_code >= 400:
            raise DriverFailure(f"{method} {path} answered HTTP {response.status_code}: "
                                f"{said or response.text.strip()[:300]!r}")
        if isinstance(answer, Mapping) and (answer.get("status") == "error" or answer.get("success") is False):
            raise DriverFailure(f"{method} {path} answered an error: {said or answer!r}")


def _app_message(answer: Mapping[str, Any]) -> str | None:
    for key in ("error", "message", "detail"):
        value = answer.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping) and isinstance(value.get("message"), str):
            return str(value["message"])
    return None


def devserver_driver(folder: str | Path, *, app: str = DEVSERVER_APP,
                     request: RequestTemplate = DEVSERVER_REQUEST) -> WsgiDriver:
    """The DevServer as the app runs it: ``folder`` (its ``devserver/``) on ``sys.path``, ``my_app:create_app()``
    imported, ``POST /api/schema/pipeline/execute`` per render."""
    path = Path(folder)
    if not path.is_dir():
        raise ComfyContractError(f"capture: devserver folder {str(path)!r} does not exist",
                                 hint="set capture.devserver to the app's devserver/ folder")
    _on_path([path])
    return WsgiDriver(load_app(app), request, name=app)


def _on_path(folders: Iterable[Path]) -> None:
    for folder in folders:
        text = str(Path(folder).resolve())
        if text not in sys.path:
            sys.path.insert(0, text)


# -- the generator ------------------------------------------------------------------------------------------


def _responder(inputs: RenderInputs, fixed: str | None) -> LlmResponder:
    """LLM answers: ``inputs.llm_outputs[model]``, else ``[*]``, else ``fixed``, else the user's text (echo)."""

    def answer(kind: str, body: Mapping[str, Any]) -> str:
        model = str(body.get("model") or "")
        for key in (model, "*"):
            if key and key in inputs.llm_outputs:
                return str(inputs.llm_outputs[key])
        return fixed if fixed is not None else inputs.user_text

    return answer


@dataclass
class CaptureGenerator:
    """Render by running the app under :class:`Interceptor` (see the module docstring).

    ``catalog`` is what the stand-in answers ``/prompt`` with; ``configs`` lists the configs (a generator, e.g.
    the static one, or a list); ``llm_text`` fixes what LLMs answer (default: the user's text); ``allow`` lists
    loopback URL prefixes the app may really contact.
    """

    driver: Driver
    catalog: Catalog
    configs_from: Generator | Iterable[str] | None = None
    llm_text: str | None = None
    allow: tuple[str, ...] = ()
    name: str = "capture"
    interceptor: Interceptor = field(init=False)

    def __post_init__(self) -> None:
        self.interceptor = Interceptor(self.catalog, allow=self.allow)

    def close(self) -> None:
        self.interceptor.stop()
        closer = getattr(self.driver, "close", None)
        if callable(closer):
            closer()

    def __enter__(self) -> CaptureGenerator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def configs(self) -> list[str]:
        source = self.configs_from
        if source is None:
            raise ComfyContractError("the capture generator cannot list configs by itself",
                                     hint="pass --config NAME, or give it the static generator")
        if isinstance(source, Generator):
            return list(source.configs())
        return list(source)

    def render(self, config: str, mode: str, inputs: RenderInputs | None = None) -> Rendered:
        if mode not in MODES:
            raise ComfyContractError(f"unknown execution mode {mode!r}", hint=f"use one of {', '.join(MODES)}")
        inputs = inputs or RenderInputs()
        failure: str | None = None
        with self.interceptor.session(_responder(inputs, self.llm_text)) as session:
            try:
                self.driver.run(config, mode, inputs)
            except DriverFailure as exc:
                failure = str(exc)
            except NoSuchRoute:
                raise
            except Exception as exc:
                failure = f"the app raised {type(exc).__name__}: {exc}"
        return rendered_from_session(config, mode, inputs, session, failure, origin=self.name)


def rendered_from_session(config: str, mode: str, inputs: RenderInputs, session: Session, failure: str | None,
                          *, origin: str = "capture") -> Rendered:
    """What one captured run amounts to: its ``/prompt`` bodies as submissions, and its findings."""
    findings: list[Finding] = []
    submissions: list[Submission] = []
    for call in session.prompts:
        body = call.body
        if isinstance(body, Mapping) and isinstance(body.get("prompt"), Mapping):
            client = body.get("client_id")
            submissions.append(Submission(dict(body["prompt"]), client if isinstance(client, str) else "",
                                          transport="swarmui" if call.route.transport == "swarmui" else "comfyui"))
        else:
            findings.append(Finding("R011", f"{origin}: the app POSTed a /prompt body without a workflow to "
                                    f"{call.url}: {str(body)[:160]!r}; the stand-in answered HTTP {call.status}."))
    seen: set[str] = set()
    for call in session.refused:
        if call.url in seen:
            continue
        seen.add(call.url)
        findings.append(Finding("R020", f"{origin}: the app called {call.method} {call.url} ({call.library}); it was "
                                "refused with a connection error. Stub it in the app's test settings or add its "
                                "loopback URL to capture.allow.", severity=Severity.WARNING, actual=call.url))
    backend = [c for c in session.of_kind("swarmui") if c.route.name == "swarmui-text2image"]
    for call in backend:
        findings.append(Finding("R015", f"{origin}: the app sent SwarmUI's GenerateText2Image ({call.url}), not a "
                                "ComfyUI workflow.", severity=Severity.INFO))
    if failure is not None:
        severity = Severity.WARNING if submissions else Severity.ERROR
        after = f" after submitting {len(submissions)} workflow(s)" if submissions else ""
        findings.append(Finding("R011", f"{origin}: the app failed{after} for config {config!r}: {failure}",
                                severity=severity))
    outcome: Outcome
    if submissions:
        outcome = "workflow"
    elif backend:
        outcome = "backend"
    elif failure is not None or any(f.code == "R011" for f in findings):
        outcome = "error"
    else:
        outcome = "text"
        findings.append(Finding("R010", f"{origin}: the app sent nothing to ComfyUI for {config!r}.",
                                severity=Severity.INFO))
    route = "swarmui-text2image" if outcome == "backend" else None
    client = inputs.client_id
    subs = tuple(s if s.client_id else replace(s, client_id=client) for s in submissions)
    return Rendered(config, mode, outcome, submissions=subs, findings=tuple(findings), inputs=inputs, route=route)


# -- from the project file ------------------------------------------------------------------------------------


def capture_generator(spec: Mapping[str, Any], *, base: Path, catalog: Catalog,
                      configs_from: Generator | Iterable[str] | None = None) -> CaptureGenerator:
    """The :class:`CaptureGenerator` a project's ``capture:`` section describes (paths relative to ``base``)."""
    _on_path(base / p for p in spec.get("python_path", ()))
    driver_kind = spec.get("driver")
    driver: Driver
    if driver_kind == "callable":
        driver = CallableDriver(str(spec["callable"]))
        name = str(spec["callable"])
    elif driver_kind == "wsgi":
        request = spec["request"]
        template = RequestTemplate(str(request["path"]), str(request.get("method", "POST")), request.get("json"),
                                   bool(request.get("extra", False)))
        name = str(spec["app"])
        driver = WsgiDriver(load_app(name), template, name=name)
    elif driver_kind == "devserver":
        name = str(spec.get("app", DEVSERVER_APP))
        driver = devserver_driver(base / str(spec["devserver"]), app=name)
    else:
        raise ConfigError(f"capture: unknown driver {driver_kind!r}", hint="use callable, wsgi or devserver")
    return CaptureGenerator(driver, catalog, configs_from=configs_from, llm_text=spec.get("llm_text"),
                            allow=tuple(spec.get("allow", ())), name=f"capture ({driver_kind} {name})")


def capture_from_project(project: Any, *, static: Generator, backends: Mapping[str, Catalog]) -> CaptureGenerator:
    """The capture a project's ``capture:`` section describes, listing the static generator's configs and
    answering ``/prompt`` with ``capture.backend``'s catalog (default: the first backend). A usage error when the
    project has no ``capture:`` section."""
    spec = getattr(project, "capture_spec", None)
    if not spec:
        raise ConfigError(f"{project.file}: has no `capture:` section",
                          hint="add one (docs/capture.md), or run without --capture")
    backend = spec.get("backend") or next(iter(backends), None)
    if backend is None or backend not in backends:
        raise ConfigError(f"{project.file}: capture.backend {backend!r} is not a backend of the project",
                          hint=f"use one of {', '.join(backends) or '(none: add a backend)'}")
    return capture_generator(spec, base=Path(project.file).resolve().parent, catalog=backends[backend],
                             configs_from=static)


def captured_suite(suite: Any, project: Any) -> Any:
    """``suite`` with capture: the app's real submissions are what is checked, the static generator is what
    they are compared with (the ``capture`` check)."""
    generator = capture_from_project(project, static=suite.generator, backends=suite.backends)
    spec, base = project.capture_spec, Path(project.file).resolve().parent
    app_files = [str(base / p) for p in (*spec.get("python_path", ()), *([spec["devserver"]] if "devserver" in spec
                                                                        else []))]
    # a change to the app's code may change any config's capture (--changed-since selects them all)
    return replace(suite, generator=generator, static=suite.generator,
                   global_files=(*suite.global_files, *app_files))
