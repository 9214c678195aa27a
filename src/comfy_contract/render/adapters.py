"""Adapters: render through an app's own code instead of the built-in DevServer renderer.

Three kinds, all implementing :class:`comfy_contract.render.model.Generator`:

* :class:`CallableGenerator` - a Python function ``module:function`` called as
  ``function(config_id, mode, inputs_dict)``;
* :class:`CommandGenerator` - a command that reads ``{"config", "mode", "inputs"}`` as JSON on stdin and
  prints the workflow JSON on stdout;
* :class:`HttpGenerator` - an HTTP endpoint that receives the same JSON in a ``POST`` and answers with
  the workflow JSON.

Each may return one workflow, a ``/prompt`` body (``{"prompt": ..., "client_id": ...}``), an
:class:`~comfy_contract.render.model.AdapterAnswer` (``{"workflow": ..., "injections": [...], "sources": [...]}``:
the workflow plus where the user text, seed and other inputs went and which files the config depends on), a
list of any of these, or ``null`` (the config produces no ComfyUI workflow). Anything else - an exception, a
non-zero exit, a non-JSON answer, an HTTP error status - becomes an ``R011`` finding for that config, never a
crash.

Without ``injections`` the adapter renders the config a second time with another user text and seed (a
*probe*, ``client_id`` ``"comfy-contract-probe"``) and traces where they went (:func:`trace_injections`);
``R022`` says when it could not. Without ``sources`` a callable's dependencies are the app's own modules and
the files it opened under the project folder while rendering.
"""

from __future__ import annotations

import contextvars
import dataclasses
import importlib
import inspect
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from shlex import join as shlex_join
from typing import Any

import httpx

from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.httpio import MAX_BYTES, HttpLimitError, fetch
from comfy_contract.core.jsonio import loads
from comfy_contract.render.model import Injection, Rendered, RenderInputs, Submission

__all__ = [
    "CallableGenerator",
    "CommandGenerator",
    "HttpGenerator",
    "guarded_render",
    "load_callable",
    "rendered_from_answer",
    "trace_injections",
]

#: the user text of the probe render that traces where an adapter puts the user's text
PROBE_TEXT = "comfy-contract probe 5b1e"
PROBE_CLIENT = "comfy-contract-probe"
_PROBE_SEED_STEP = 1_000_003
SEED_NAMES = frozenset({"seed", "noise_seed"})
#: folders whose files are never an app's own dependencies
_NOT_APP = frozenset({".venv", "venv", ".git", "__pycache__", "site-packages", "dist-packages", ".tox", ".nox",
                      ".comfy-contract", ".hypothesis", ".mypy_cache", ".ruff_cache", ".pytest_cache", "node_modules"})


class _TooLarge(Exception):
    """A generator command printed more than this tool reads."""


class AdapterFailure(Exception):
    """The app's generator failed for one config (becomes an R011 finding)."""


def load_callable(spec: str, *, base: str | Path | None = None) -> Callable[..., Any]:
    """Import ``"package.module:function"`` (dots after the colon walk attributes).

    ``base`` (the project file's folder) is put on ``sys.path`` first, so an app's module that sits beside
    ``comfy-contract.yaml`` imports without installing the app (as ``python -m`` from that folder would).
    """
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise ComfyContractError(f"bad callable {spec!r}: expected 'package.module:function'")
    if base is not None:
        folder = str(Path(base).resolve())
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        target: Any = importlib.import_module(module_name)
    except ImportError as exc:
        where = f" (searched the project folder {str(base)!r} and the installed packages)" if base else ""
        raise ComfyContractError(f"cannot import {module_name!r} for generator {spec!r}: {exc}{where}",
                                 hint="install the app in this environment (pre-commit: `language: system` or "
                                 "`additional_dependencies`, docs/pre-commit.md), or fix the module path") from None
    for part in attr.split("."):
        if not hasattr(target, part):
            raise ComfyContractError(f"module {module_name!r} has no attribute {attr!r} (generator {spec!r})")
        target = getattr(target, part)
    if not callable(target):
        raise ComfyContractError(f"generator {spec!r} is a {type(target).__name__}, not a function")
    return target  # type: ignore[no-any-return]


def _is_node(value: Any) -> bool:
    return isinstance(value, Mapping) and "class_type" in value


def _injection(item: Any, base: Path | None) -> Injection:
    if isinstance(item, Injection):
        return item
    if not isinstance(item, Mapping) or not all(isinstance(item.get(k), str | int) for k in ("node_id", "input")) \
            or not isinstance(item.get("role"), str):
        raise AdapterFailure(f"each of `injections` must be {{\"node_id\", \"input\", \"role\", ...}}, got "
                             f"{repr(item)[:120]}")
    file = item.get("file")
    line = item.get("line")
    return Injection(
        key=str(item.get("key", item["role"])), node_id=str(item["node_id"]), field=f"inputs.{item['input']}",
        role=str(item["role"]), value=item.get("value"),
        file=_abs_file(file, base) if isinstance(file, str) else None,
        line=line if isinstance(line, int) and not isinstance(line, bool) and line > 0 else None)


def _abs_file(file: str, base: Path | None) -> str:
    path = Path(file)
    return (path if path.is_absolute() or base is None else base / path).as_posix()


@dataclasses.dataclass
class _Meta:
    sources: list[str] = dataclasses.field(default_factory=list)
    config_file: str | None = None
    media_type: str | None = None
    declared_injections: bool = False


def _collect(answer: Any, base: Path | None, meta: _Meta) -> list[Submission]:
    items = answer if isinstance(answer, list) else [answer]
    out: list[Submission] = []
    for item in items:
        if isinstance(item, Mapping) and not _is_node(item):
            _meta(item, base, meta)
        if isinstance(item, Mapping) and isinstance(item.get("submissions"), list) and not _is_node(
                item["submissions"]):
            out += _collect(item["submissions"], base, meta)
            continue
        workflow: Any = None
        if isinstance(item, Mapping) and isinstance(item.get("workflow"), Mapping) and not _is_node(item["workflow"]):
            workflow = item["workflow"]
        elif isinstance(item, Mapping) and isinstance(item.get("prompt"), Mapping):
            workflow = item["prompt"]
        elif isinstance(item, Mapping) and item and all(isinstance(n, Mapping) for n in item.values()):
            out.append(Submission(dict(item)))
            continue
        if workflow is None:
            shown = repr(item)[:120]
            raise AdapterFailure("expected an API-format workflow (node id -> node), a /prompt body or "
                                 f"{{\"workflow\": ..., \"injections\": [...]}} (docs/adapters.md), got {shown}")
        raw_injections = item.get("injections", ())
        if not isinstance(raw_injections, list | tuple):
            raise AdapterFailure(f"`injections` must be a list, got {type(raw_injections).__name__}")
        if "injections" in item:
            meta.declared_injections = True
        client = item.get("client_id")
        out.append(Submission(dict(workflow), client if isinstance(client, str) else "",
                              injections=tuple(_injection(i, base) for i in raw_injections),
                              media_type=item.get("media_type") if isinstance(item.get("media_type"), str) else None))
    return out


def _meta(item: Mapping[str, Any], base: Path | None, meta: _Meta) -> None:
    sources = item.get("sources", ())
    if not isinstance(sources, list | tuple) or not all(isinstance(f, str) for f in sources):
        raise AdapterFailure("`sources` must be a list of file names")
    meta.sources += [_abs_file(f, base) for f in sources]
    if isinstance(item.get("config_file"), str):
        meta.config_file = _abs_file(item["config_file"], base)
    if isinstance(item.get("media_type"), str):
        meta.media_type = item["media_type"]


def rendered_from_answer(config: str, mode: str, inputs: RenderInputs, answer: Any, *, origin: str,
                         base: str | Path | None = None) -> Rendered:
    """Turn what an app's generator returned into a :class:`Rendered` (R011 if it is not a workflow).

    Relative ``file``/``sources``/``config_file`` in the answer are relative to ``base`` (the project folder).
    """
    return _from_answer(config, mode, inputs, answer, origin=origin, base=base)[0]


def _from_answer(config: str, mode: str, inputs: RenderInputs, answer: Any, *, origin: str,
                 base: str | Path | None = None) -> tuple[Rendered, bool]:
    """The render, and whether the answer said where its inputs went (``injections``, even an empty list)."""
    if isinstance(answer, Rendered):
        return answer, True
    if answer is None:
        finding = Finding("R010", f"{origin} returned null for {config!r}: no ComfyUI workflow.",
                          severity=Severity.INFO)
        return Rendered(config, mode, "text", findings=(finding,), inputs=inputs, adapter=origin), True
    meta = _Meta()
    try:
        subs = _collect(answer, Path(base) if base is not None else None, meta)
    except AdapterFailure as exc:
        return failed(config, mode, inputs, f"{origin}: {exc}", adapter=origin), True
    subs = [dataclasses.replace(s, client_id=s.client_id or inputs.client_id) for s in subs]
    return Rendered(config, mode, "workflow", submissions=tuple(subs), inputs=inputs, adapter=origin,
                    sources=tuple(dict.fromkeys(meta.sources)), config_file=meta.config_file,
                    media_type=meta.media_type), meta.declared_injections


def _source_of(function: Any) -> tuple[str | None, int | None]:
    """The file and line where ``function`` is defined (``None`` for builtins and the like)."""
    try:
        target = inspect.unwrap(function)
        file = inspect.getsourcefile(target)
        line = inspect.getsourcelines(target)[1]
    except (TypeError, OSError):
        return None, None
    return (Path(file).resolve().as_posix() if file else None), (line or None)


def _finish(rendered: Rendered, *, entry: tuple[str | None, int | None], sources: Sequence[str],
            config_file: str | None = None) -> Rendered:
    """The adapter's entry point, its dependencies and (if the answer did not say) the config's file."""
    return dataclasses.replace(
        rendered, entry_file=rendered.entry_file or entry[0], entry_line=rendered.entry_line or entry[1],
        sources=tuple(dict.fromkeys((*rendered.sources, *sources))),
        config_file=rendered.config_file or config_file)


# -- tracing where the inputs went ------------------------------------------------------------------


def _seed_like(name: str) -> bool:
    return name in SEED_NAMES or name.endswith("_seed")


def trace_injections(workflow: Mapping[str, Any], inputs: RenderInputs, probe: Mapping[str, Any] | None, *,
                     file: str | None = None, line: int | None = None) -> tuple[Injection, ...]:
    """Where the request's user text and seed went in ``workflow``, traced (``inferred=True``).

    An input holds the user's text (role ``prompt``) when its literal contains the user text or an LLM
    output, or when in ``probe`` (the same config rendered with :data:`PROBE_TEXT` and another seed) it
    contains the probe text; a seed-like INT input (``seed``, ``noise_seed``, ``*_seed``) is role ``seed``
    when its value differs in ``probe``. ``file``/``line`` (the adapter's entry point) are recorded on each.
    """
    texts = [t for t in (inputs.user_text, *inputs.llm_outputs.values()) if isinstance(t, str) and t.strip()]
    out: list[Injection] = []
    for node_id, node in workflow.items():
        if not isinstance(node, Mapping) or not isinstance(node.get("inputs"), Mapping):
            continue
        other = probe.get(node_id) if probe is not None else None
        other_inputs = other.get("inputs") if isinstance(other, Mapping) else None
        for name, value in node["inputs"].items():
            if isinstance(value, list):
                continue
            probed = other_inputs.get(name) if isinstance(other_inputs, Mapping) else None
            role = None
            texted = isinstance(value, str) and any(t in value for t in texts)
            if texted or (isinstance(probed, str) and PROBE_TEXT in probed and probed != value):
                role = "prompt"
            elif (_seed_like(str(name)) and isinstance(value, int) and isinstance(probed, int)
                  and probed != value):
                role = "seed"
            if role is not None:
                out.append(Injection("user_text" if role == "prompt" else "seed", str(node_id), f"inputs.{name}",
                                     role, value, file=file, line=line, inferred=True))
    return tuple(out)


def _probe_inputs(inputs: RenderInputs) -> RenderInputs:
    return dataclasses.replace(inputs, user_text=PROBE_TEXT, seed=inputs.seed + _PROBE_SEED_STEP,
                               client_id=PROBE_CLIENT)


def _traced(rendered: Rendered, probe: Callable[[], Rendered | None], *, declared: bool) -> Rendered:
    """``rendered`` with traced injections for submissions the adapter said nothing about, and R022 when the
    user text could be traced nowhere."""
    if rendered.outcome != "workflow" or declared or any(s.injections for s in rendered.submissions):
        return rendered
    try:
        other = probe()
    except Exception:  # the probe is best effort: the real render already succeeded
        other = None
    probes = other.submissions if other is not None and other.outcome == "workflow" else ()
    subs = []
    for i, sub in enumerate(rendered.submissions):
        probed = probes[i].workflow if len(probes) == len(rendered.submissions) else None
        injections = trace_injections(sub.workflow, rendered.inputs, probed, file=rendered.entry_file,
                                      line=rendered.entry_line)
        subs.append(dataclasses.replace(sub, injections=injections))
    findings = rendered.findings
    if not any(i.role == "prompt" for s in subs for i in s.injections):
        findings += (Finding(
            "R022", f"{rendered.adapter or 'the adapter'} returned no `injections` for {rendered.config!r} and the "
            f"user text {_short(rendered.inputs.user_text)!r} was found in no input of the workflow (nor the "
            "probe's text in a second render); lints and contracts judge its prompts from the graph alone. Return "
            "`injections` (docs/adapters.md) to say where the user's text goes", severity=Severity.INFO),)
    return dataclasses.replace(rendered, submissions=tuple(subs), findings=findings)


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


# -- dependencies: which files a config was rendered from -------------------------------------------

_RECORDING: contextvars.ContextVar[set[str] | None] = contextvars.ContextVar("comfy_contract_opened", default=None)
_HOOKED: list[bool] = []


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open":
        return
    record = _RECORDING.get()
    if record is None or not args or not isinstance(args[0], str | bytes | os.PathLike):
        return
    with suppress(TypeError, ValueError):  # an odd path is no dependency
        record.add(os.path.abspath(os.fsdecode(args[0])))


@contextmanager
def _recording_opens() -> Iterator[set[str]]:
    """The files opened (by this thread/context) inside the block, through an audit hook installed once."""
    if not _HOOKED:
        sys.addaudithook(_audit)
        _HOOKED.append(True)
    opened: set[str] = set()
    token = _RECORDING.set(opened)
    try:
        yield opened
    finally:
        _RECORDING.reset(token)


def _app_file(path: str | Path, base: Path) -> str | None:
    """``path`` resolved, if it is a file of the app under ``base`` (not a venv, cache or VCS folder)."""
    try:
        resolved = Path(path).resolve()
        rel = resolved.relative_to(base)
    except (OSError, ValueError):
        return None
    if any(part in _NOT_APP for part in rel.parts) or not resolved.is_file():
        return None
    return resolved.as_posix()


def failed(config: str, mode: str, inputs: RenderInputs, message: str, *, adapter: str | None = None) -> Rendered:
    finding = Finding("R011", f"{message}. Fix the app's generator for config {config!r}; other configs go on.")
    return Rendered(config, mode, "error", findings=(finding,), inputs=inputs, adapter=adapter)


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
    """Modes are the app's own names (``eco``, ``fast``, ``draft``, ``hq`` ...): any non-empty name goes."""
    if not isinstance(mode, str) or not mode.strip():
        raise ComfyContractError(f"bad execution mode {mode!r}", hint="name a mode of the app, e.g. --mode default")


def _request(config: str, mode: str, inputs: RenderInputs) -> dict[str, Any]:
    return {"config": config, "mode": mode, "inputs": inputs.to_dict()}


def _names(value: Any, origin: str) -> list[str]:
    if isinstance(value, str):
        value = [line.strip() for line in value.splitlines() if line.strip()]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise ComfyContractError(f"{origin} must list config names, got {type(value).__name__}")
    return [str(v) for v in value]


class CallableGenerator:
    """Call ``function(config_id, mode, inputs)`` in this process; ``enumerate`` lists config ids.

    ``base`` (default: the cwd) is the project folder: it is put on ``sys.path`` so the app's module imports
    from there, relative file names in the answer are relative to it, and the files under it that the app
    imports or opens while rendering a config are that config's dependencies (``check --changed-since``).
    ``trace`` renders a second time to trace the user text and seed when the answer has no ``injections``.
    """

    def __init__(self, spec: str, enumerate: str | None = None, *, base: str | Path | None = None,
                 trace: bool = True) -> None:
        self.spec = spec
        self.base = Path(base if base is not None else Path.cwd()).resolve()
        self.function = load_callable(spec, base=self.base)
        self.enumerator = load_callable(enumerate, base=self.base) if enumerate else None
        self.trace = trace
        self.entry = _source_of(self.function)
        self._code: tuple[int, tuple[str, ...]] = (-1, ())

    def configs(self) -> list[str]:
        if self.enumerator is None:
            raise ComfyContractError(f"generator {self.spec!r} cannot list its configs",
                                     hint="pass --config NAME, or set generator.enumerate to 'module:function'")
        return _names(self.enumerator(), f"enumerator of {self.spec!r}")

    def code_files(self) -> tuple[str, ...]:
        """The app's own modules: every imported module whose file lies under ``base``."""
        if self._code[0] != len(sys.modules):
            files = {f for mod in list(sys.modules.values())
                     if isinstance(name := getattr(mod, "__file__", None), str)
                     and (f := _app_file(name, self.base)) is not None}
            self._code = (len(sys.modules), tuple(sorted(files)))
        return self._code[1]

    def _answer(self, config: str, mode: str, inputs: RenderInputs) -> tuple[Rendered, bool, set[str]]:
        with _recording_opens() as opened:
            answer = self.function(config, mode, inputs.to_dict())
        rendered, declared = _from_answer(config, mode, inputs, answer, origin=self.spec, base=self.base)
        return rendered, declared, opened

    def render(self, config: str, mode: str, inputs: RenderInputs | None = None) -> Rendered:
        _check_mode(mode)
        inputs = inputs or RenderInputs()
        try:
            rendered, declared, opened = self._answer(config, mode, inputs)
        except Exception as exc:
            frame = self._app_frame(exc)
            return _finish(failed(config, mode, inputs, f"{self.spec} raised {type(exc).__name__}: {exc}",
                                  adapter=self.spec), entry=frame or self.entry, sources=self.code_files())
        read = sorted({f for path in opened if (f := _app_file(path, self.base)) is not None})
        own = next((f for f in read if Path(f).stem == config), None)
        rendered = _finish(rendered, entry=self.entry, sources=(*read, *self.code_files()), config_file=own)
        if not self.trace:
            return rendered
        return _traced(rendered, lambda: self._answer(config, mode, _probe_inputs(inputs))[0], declared=declared)

    def _app_frame(self, exc: BaseException) -> tuple[str | None, int | None] | None:
        """The deepest frame of the traceback in the app's own code (where it failed)."""
        import traceback

        frames = [f for f in traceback.extract_tb(exc.__traceback__) if _app_file(f.filename, self.base)]
        return (Path(frames[-1].filename).resolve().as_posix(), frames[-1].lineno) if frames else None


class CommandGenerator:
    """Run a command per render: the request JSON on stdin, the workflow JSON expected on stdout.

    ``{config}`` and ``{mode}`` in the arguments are replaced too, for commands that take flags.
    ``list_command`` prints the config names (a JSON list or one per line).
    """

    def __init__(self, command: Sequence[str], *, list_command: Sequence[str] | None = None,
                 timeout: float = 60.0, cwd: str | None = None, trace: bool = True) -> None:
        if not command:
            raise ComfyContractError("generator command is empty")
        self.command, self.list_command = list(command), list(list_command) if list_command else None
        self.timeout, self.cwd, self.trace = timeout, cwd, trace
        here = Path(cwd or Path.cwd()).resolve()
        #: the command's script (the first argument naming a file of the app): its entry point and a dependency
        #: of every config
        self.script = next((f for a in self.command if "{" not in a
                            and (f := _app_file(here / a, here)) is not None), None)

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
        rendered, declared = self._render(config, mode, inputs)
        rendered = _finish(rendered, entry=(self.script, 1 if self.script else None),
                           sources=(self.script,) if self.script else ())
        if not self.trace:
            return rendered
        return _traced(rendered, lambda: self._render(config, mode, _probe_inputs(inputs))[0], declared=declared)

    def _render(self, config: str, mode: str, inputs: RenderInputs) -> tuple[Rendered, bool]:
        argv = [a.replace("{config}", config).replace("{mode}", mode) for a in self.command]
        origin = f"command {shlex_join(self.command)!r}"
        try:
            done = self._run(argv, json.dumps(_request(config, mode, inputs), ensure_ascii=False))
        except subprocess.TimeoutExpired:
            return failed(config, mode, inputs, f"command {argv!r} timed out after {self.timeout:g} s",
                          adapter=origin), True
        except _TooLarge as exc:
            return failed(config, mode, inputs, str(exc), adapter=origin), True
        except OSError as exc:
            raise ComfyContractError(f"cannot run generator command {argv!r}: {exc.strerror}",
                                     hint="check generator.command in the project config") from None
        if done.returncode != 0:
            tail = done.stderr.strip()[-300:]
            return failed(config, mode, inputs, f"command {argv!r} exited {done.returncode}: {tail!r}",
                          adapter=origin), True
        try:
            answer = loads(done.stdout, source=f"the output of {argv[0]!r}")
        except InputError as exc:
            return failed(config, mode, inputs, f"command {argv!r} printed no JSON ({exc.problem}): "
                          f"{done.stdout[:120]!r}", adapter=origin), True
        return _from_answer(config, mode, inputs, answer, origin=origin, base=self.cwd)


class HttpGenerator:
    """``POST url`` with ``{"config", "mode", "inputs"}``; the answer is the workflow JSON.

    ``configs_url`` answers ``GET`` with a JSON list of config names. ``transport`` is any httpx
    transport (e.g. ``httpx.WSGITransport(app=...)`` to call an app in-process).
    """

    def __init__(self, url: str, *, configs_url: str | None = None, timeout: float = 60.0,
                 transport: httpx.BaseTransport | None = None, base: str | None = None, trace: bool = True) -> None:
        self.url, self.configs_url = url, configs_url
        self.base, self.trace = base, trace  # relative file names in answers are relative to ``base``
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
        rendered, declared = self._render(config, mode, inputs)
        if not self.trace:
            return rendered
        return _traced(rendered, lambda: self._render(config, mode, _probe_inputs(inputs))[0], declared=declared)

    def _render(self, config: str, mode: str, inputs: RenderInputs) -> tuple[Rendered, bool]:
        origin = f"POST {self.url}"
        body = json.dumps(_request(config, mode, inputs), ensure_ascii=False).encode("utf-8", "backslashreplace")
        try:
            response = fetch(self.client, "POST", self.url, deadline_s=self.timeout, content=body,
                             headers={"Content-Type": "application/json"})
        except HttpLimitError as exc:
            return failed(config, mode, inputs, exc.message, adapter=origin), True
        except httpx.TimeoutException:
            return failed(config, mode, inputs, f"POST {self.url} did not answer within {self.timeout:g} s",
                          adapter=origin), True
        except httpx.HTTPError as exc:
            raise ComfyContractError(f"cannot reach the generator endpoint {self.url!r}: {exc}",
                                     hint="start the app's server, or fix generator.url") from None
        if response.status >= 400:
            return failed(config, mode, inputs, f"POST {self.url} answered HTTP {response.status}: "
                          f"{response.text[:200]!r}", adapter=origin), True
        try:
            answer = response.json(source=f"POST {self.url}")
        except InputError as exc:
            return failed(config, mode, inputs, f"POST {self.url} answered no JSON ({exc.problem}): "
                          f"{response.text[:120]!r}", adapter=origin), True
        return _from_answer(config, mode, inputs, answer, origin=origin, base=self.base)
