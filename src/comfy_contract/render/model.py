"""What rendering produces: the submissions an app would make for one (config, mode, inputs).

Every generator (the built-in devserver renderer, or an adapter around an app's own code) yields
:class:`Rendered` values; every check (validate, lint, contract, diff, fuzz) consumes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal, Protocol, Required, TypedDict, runtime_checkable

from comfy_contract.core.findings import Finding

__all__ = [
    "MODES",
    "AdapterAnswer",
    "AdapterInjection",
    "Generator",
    "Injection",
    "Outcome",
    "RenderInputs",
    "Rendered",
    "Submission",
    "Transport",
]

MODES: tuple[str, ...] = ("eco", "fast")
Outcome = Literal["workflow", "text", "api", "backend", "error"]
"""``workflow``: ComfyUI workflows are submitted; ``text``: text only; ``api``: a hosted API; ``backend``: another
generation backend of the app (SwarmUI's simple API, Diffusers, a Python chunk ...), not ComfyUI; ``error``: the
app fails before submitting anything."""
Transport = Literal["comfyui", "swarmui"]
"""How a workflow reaches ComfyUI: ``POST /prompt`` directly, or through SwarmUI's ``/ComfyBackendDirect/prompt``."""


def _frozen(mapping: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class RenderInputs:
    """The request-time inputs of one render. Defaults give a plain, reproducible run.

    ``llm_outputs`` maps an LLM step (chunk name, or ``"*"`` for every step) to the text it returns;
    when absent the step "returns" ``user_text``. ``seed`` drives ``"random"`` seeds reproducibly.
    """

    user_text: str = "A lighthouse on a cliff at dawn, painted in watercolour"
    llm_outputs: Mapping[str, str] = field(default_factory=lambda: _frozen(None))
    custom_placeholders: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    parameters: Mapping[str, Any] = field(default_factory=lambda: _frozen(None))
    output_config: str | None = None
    seed: int = 0
    client_id: str = "comfy-contract"

    def to_dict(self) -> dict[str, Any]:
        return {
            "user_text": self.user_text,
            "llm_outputs": dict(self.llm_outputs),
            "custom_placeholders": dict(self.custom_placeholders),
            "parameters": dict(self.parameters),
            "output_config": self.output_config,
            "seed": self.seed,
            "client_id": self.client_id,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RenderInputs:
        return cls(
            user_text=str(data.get("user_text", cls.user_text)),
            llm_outputs=_frozen(data.get("llm_outputs")),
            custom_placeholders=_frozen(data.get("custom_placeholders")),
            parameters=_frozen(data.get("parameters")),
            output_config=data.get("output_config"),
            seed=int(data.get("seed", 0)),
            client_id=str(data.get("client_id", "comfy-contract")),
        )


@dataclass(frozen=True, slots=True)
class Injection:
    """A value the app wrote into the workflow (an input mapping or prompt injection).

    ``role`` says what the value is: ``"prompt"`` (the user's / LLM step's text), ``"seed"``,
    ``"parameter"`` (a config parameter), ``"default"`` (the mapping's default), ``"unresolved"``.
    """

    key: str
    node_id: str
    field: str
    role: str
    value: Any
    source: str | None = None
    file: str | None = None  # the chunk file that declares the mapping (or the app's source file)
    pointer: str | None = None  # JSON pointer of the mapping inside that file
    line: int | None = None  # the line in ``file`` that writes the value, when the app says so
    #: ``True`` when the adapter did not say where the value went and comfy-contract traced it (docs/adapters.md)
    inferred: bool = False


class AdapterInjection(TypedDict, total=False):
    """Where an adapter wrote one request input into the workflow (docs/adapters.md, "What went where").

    ``role``: ``"prompt"`` (the user's text or an LLM step's text, maybe inside a template), ``"seed"``,
    ``"parameter"`` (another input or config value). ``file``/``line``: the app's code or data that wrote it,
    so findings about this input point there.
    """

    node_id: Required[str]
    input: Required[str]
    role: Required[str]
    key: str
    value: Any
    file: str
    line: int


class AdapterAnswer(TypedDict, total=False):
    """What an adapter may return instead of a bare workflow: the workflow plus what went where.

    The same shape is the JSON answer of a ``cmd:`` or HTTP adapter. ``workflow`` is an API-format workflow
    (or ``prompt`` a ``/prompt`` body's workflow); ``injections`` says where the user text, seed and other
    inputs went; ``sources`` lists the files (relative to the project file's folder, or absolute) this
    config depends on, for ``check --changed-since``; ``config_file`` is the config's own file (findings
    about the config point there); ``submissions`` holds several answers when the config posts several
    workflows (``sources``/``config_file`` may then sit on the outer answer).
    """

    workflow: dict[str, Any]
    prompt: dict[str, Any]
    client_id: str
    injections: list[AdapterInjection]
    sources: list[str]
    config_file: str
    media_type: str
    submissions: list[AdapterAnswer]


@dataclass(frozen=True)
class Submission:
    """One ``POST /prompt`` the app would make."""

    workflow: Mapping[str, Any]
    client_id: str = "comfy-contract"
    output_config: str | None = None
    chunk: str | None = None
    chunk_file: str | None = None
    media_type: str | None = None
    injections: tuple[Injection, ...] = ()
    transport: Transport = "comfyui"

    @property
    def body(self) -> dict[str, Any]:
        return {"prompt": self.workflow, "client_id": self.client_id}


@dataclass(frozen=True)
class Rendered:
    """The outcome of rendering one config in one execution mode."""

    config: str
    mode: str
    outcome: Outcome
    submissions: tuple[Submission, ...] = ()
    findings: tuple[Finding, ...] = ()
    config_file: str | None = None
    media_type: str | None = None  # what the config declares it produces (image, audio, ...)
    legacy_source: str | None = None
    inputs: RenderInputs = field(default_factory=RenderInputs)
    #: files this outcome was rendered from (config, pipelines, chunks), for --changed-since
    sources: tuple[str, ...] = ()
    #: where the app sends the request when it is not ComfyUI (``outcome == "backend"``/``"api"``), e.g.
    #: ``"swarmui-text2image"``, ``"diffusers"``, ``"python:output_music_heartmula"``
    route: str | None = None
    #: the adapter's entry point (a function's file and line, a command's script), where findings point when
    #: nothing more precise is known; ``adapter`` names the adapter in messages (``"imagegen:workflow"``)
    entry_file: str | None = None
    entry_line: int | None = None
    adapter: str | None = None


@runtime_checkable
class Generator(Protocol):
    """Anything that can list an app's configs and render one of them."""

    def configs(self) -> Iterable[str]: ...

    def render(self, config: str, mode: str, inputs: RenderInputs | None = None) -> Rendered: ...
