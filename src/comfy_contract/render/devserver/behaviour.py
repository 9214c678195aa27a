"""Which version of the DevServer's behaviour a tree needs, read from the tree itself.

The app changed how it routes a request between November 2025 and February 2026 (devserver-today.md §2-§4):
image chunks moved from ComfyUI workflows to SwarmUI's simple Text2Image API, then to Diffusers; output
chunks gained ``backend_type`` routing with ``meta.fallback_chunk``, Python chunks, ``text_passthrough``.
A user should not have to know which commit they are on, so each behaviour is a row of :data:`FEATURES`:
how the app's own engine files show it (a marker read as text, never imported or run) and, for a tree
without an ``engine/`` folder (a fixture, another app in the same layout), which keys or files imply it.
A project can still pin any flag: ``render: {behaviour: {...}}`` in ``comfy-contract.yaml``, or
``render --behaviour KEY=VALUE``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

from comfy_contract.core.errors import ConfigError

__all__ = ["FEATURES", "Behaviour", "Feature", "Settings", "detect_behaviour"]

GpuService = Literal["down", "up"]


@dataclass(frozen=True)
class Settings:
    """The app's run-time switches that decide a route, as project settings (defaults as the app ships).

    ``gpu_service``: whether the GPU service behind the Diffusers / HeartMuLa / Stable Audio backends answers.
    ``"down"`` (the default) renders the ComfyUI fallback chunks production submits when it does not, so
    those workflows are validated; ``"up"`` renders the direct backends (nothing is sent to ComfyUI).
    """

    diffusers_enabled: bool = True
    heartmula_enabled: bool = True
    stable_audio_enabled: bool = True
    triton_enabled: bool = False
    gpu_service: GpuService = "down"
    legacy_llm_model: str | None = None  # what legacy workflows' LLM nodes are switched to (config.py)


@dataclass(frozen=True)
class Behaviour:
    """What the app's engine does, flag by flag (see :data:`FEATURES` for each flag's meaning)."""

    stub_missing_nodes: bool = False
    direct_output_chunks: bool = False
    workflow_as_prompt: bool = False
    simple_image_api: bool = False
    requires_workflow: bool = False
    diffusers_auto: bool = False
    backend_types: bool = False
    fallback_chunks: bool = False
    python_chunks: bool = False
    text_passthrough: bool = False
    legacy_workflows: bool = False
    dict_templates: bool = False
    loras: bool = False
    swarmui_transport: bool = False
    custom_parameters: bool = False
    two_phase: bool = False
    legacy_mappings: bool = False
    template_mappings: bool = False
    mode_models: bool = False
    settings: Settings = Settings()

    def overridden(self, values: Mapping[str, Any], *, where: str) -> Behaviour:
        """A copy with the project's pinned flags and settings (``where`` names the project file)."""
        flags = {f.name for f in fields(self)} - {"settings"}
        knobs = {f.name: f.type for f in fields(Settings)}
        changes: dict[str, Any] = {}
        settings: dict[str, Any] = {}
        for key, value in values.items():
            if key in flags and isinstance(value, bool):
                changes[key] = value
            elif (key == "gpu_service" and value in ("down", "up")) or (
                    key == "legacy_llm_model" and isinstance(value, str)) or (
                    key in knobs and key != "gpu_service" and isinstance(value, bool)):
                settings[key] = value
            else:
                known = ", ".join(sorted(flags | set(knobs)))
                raise ConfigError(f"{where}: {key} = {value!r} is not a known switch or setting",
                                  hint=f"use true/false for one of: {known} (gpu_service: down|up)")
        return replace(self, **changes, settings=replace(self.settings, **settings))

    def describe(self) -> list[str]:
        """One line per flag that is on, for ``render --explain-behaviour`` and docs."""
        return [f"{f.name}: {f.summary}" for f in FEATURES if getattr(self, f.name)]


@dataclass(frozen=True)
class Feature:
    """One behaviour: how the app's engine shows it, and what a tree without an engine implies."""

    name: str
    summary: str
    marker: tuple[str, str] | None  # (app file relative to schemas/, text it contains when the app behaves so)
    implied: Callable[[_Facts], bool] = lambda facts: False


@dataclass(frozen=True)
class _Facts:
    """What detection needs to know about a tree's chunks."""

    chunk_keys: frozenset[str]  # top-level keys used by any chunk
    chunk_types: frozenset[str]
    backend_types: frozenset[str]
    meta_keys: frozenset[str]  # keys of any chunk's ``meta``
    python_chunks: bool
    execution_modes: frozenset[str]


_DIRECT_BACKENDS = frozenset({"diffusers", "heartmula", "stable_audio", "triton"})

FEATURES: tuple[Feature, ...] = (
    Feature("stub_missing_nodes", "a mapping to a node id not in the workflow creates a node without class_type",
            ("engine/backend_router.py", "workflow.setdefault(node_id")),
    Feature("direct_output_chunks", "an output chunk named directly by a pipeline is routed like a proxy's",
            ("engine/backend_router.py", "isinstance(request.prompt, dict)")),
    Feature("workflow_as_prompt", "an output chunk named directly by a pipeline hands its workflow to the "
            "deprecated generator as the prompt", ("engine/chunk_builder.py", "bool(template.workflow)")),
    Feature("simple_image_api", "image chunks go to SwarmUI's /API/GenerateText2Image, not as a workflow",
            ("engine/backend_router.py", "_process_image_chunk_simple"),
            lambda f: "requires_workflow" in f.chunk_keys),
    Feature("requires_workflow", "`requires_workflow` (or LoRAs) keeps an image chunk on the workflow path",
            ("engine/backend_router.py", "requires_workflow"), lambda f: "requires_workflow" in f.chunk_keys),
    Feature("diffusers_auto", "image chunks whose name contains 'sd35' go to Diffusers when it is enabled",
            ("engine/backend_router.py", "_get_diffusers_compatible_chunk")),
    Feature("backend_types", "`backend_type` diffusers/heartmula/stable_audio/triton routes to a direct backend",
            ("engine/backend_router.py", "elif backend_type == 'diffusers'"),
            lambda f: bool(f.backend_types & _DIRECT_BACKENDS)),
    Feature("fallback_chunks", "a direct backend that is disabled or down falls back to `meta.fallback_chunk`",
            ("engine/backend_router.py", "_fallback_to_comfyui"), lambda f: "fallback_chunk" in f.meta_keys),
    Feature("python_chunks", "chunks/NAME.py is executed instead of chunks/NAME.json",
            ("engine/backend_router.py", "_execute_python_chunk"), lambda f: f.python_chunks),
    Feature("text_passthrough", "`text_passthrough` output chunks return the text (no media)",
            ("engine/backend_router.py", "'text_passthrough'"), lambda f: "text_passthrough" in f.chunk_types),
    Feature("legacy_workflows", "`execution_mode: legacy_workflow` chunks pass their whole workflow through",
            ("engine/backend_router.py", "'legacy_workflow'"), lambda f: "legacy_workflow" in f.execution_modes),
    Feature("dict_templates", "an LLM chunk's `template` may be an object", (
        "engine/chunk_builder.py", "isinstance(template.template, dict)")),
    Feature("loras", "`meta.loras` of the interception config inject LoraLoader nodes",
            ("engine/backend_router.py", "_inject_lora_nodes")),
    Feature("custom_parameters", "the request's values (seed, size, steps ...) are copied into every chunk's "
            "parameters, replacing the config's", ("engine/pipeline_executor.py", "GENERATION_OVERRIDE_PARAMS")),
    Feature("mode_models", "a chunk with a template or a model is an LLM step: its model gets the mode's "
            "local/ or openrouter/ prefix, whatever its backend_type",
            ("engine/chunk_builder.py", "select_model_for_mode"), lambda f: True),
    Feature("legacy_mappings", "legacy workflow chunks get all their input mappings (before: only the seed)",
            ("engine/backend_router.py", "# Apply ALL input_mappings"), lambda f: True),
    Feature("template_mappings", "input mappings without node_id replace {{KEY}} in the workflow's text",
            ("engine/backend_router.py", "if 'node_id' in first_mapping"),
            lambda f: bool(f.backend_types & _DIRECT_BACKENDS)),
    Feature("two_phase", "the execute route runs a config's pipeline a second time when the target output "
            "chunk has `meta.optimization_instruction`", (
                "../my_app/routes/schema_pipeline_routes.py", "result2 = await pipeline_executor.execute_pipeline")),
    Feature("swarmui_transport", "workflows are POSTed through SwarmUI's /ComfyBackendDirect/prompt",
            ("engine/backend_router.py", "get_swarmui_client")),
)


def _facts(chunks: Mapping[str, Mapping[str, Any] | None], python_chunks: bool) -> _Facts:
    keys: set[str] = set()
    types: set[str] = set()
    backends: set[str] = set()
    meta_keys: set[str] = set()
    modes: set[str] = set()
    for chunk in chunks.values():
        if chunk is None:
            continue
        keys.update(str(k) for k in chunk)
        for key, into in (("type", types), ("backend_type", backends), ("execution_mode", modes)):
            if isinstance(chunk.get(key), str):
                into.add(chunk[key])
        if isinstance(chunk.get("meta"), Mapping):
            meta_keys.update(str(k) for k in chunk["meta"])
    return _Facts(frozenset(keys), frozenset(types), frozenset(backends), frozenset(meta_keys), python_chunks,
                  frozenset(modes))


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8", errors="replace")
    except OSError:
        return None


def _assignments(config_py: str | None) -> dict[str, ast.expr]:
    if config_py is None:
        return {}
    try:
        module = ast.parse(config_py)
    except (SyntaxError, ValueError, RecursionError):
        return {}
    return {t.id: node.value for node in module.body if isinstance(node, ast.Assign)
            for t in node.targets if isinstance(t, ast.Name)}


def _config_text(config_py: str | None, name: str, depth: int = 0) -> str | None:
    """A string setting of the app's config.py: a literal, another setting's name, or an env default."""
    value = _assignments(config_py).get(name)
    if value is None or depth > 8:
        return None
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return value.value
    if isinstance(value, ast.Name):
        return _config_text(config_py, value.id, depth + 1)
    if isinstance(value, ast.Call) and len(value.args) == 2 and isinstance(value.args[1], ast.Constant) and \
            isinstance(value.args[1].value, str):  # os.environ.get("NAME", "default")
        return value.args[1].value
    return None


def _config_flag(config_py: str | None, name: str, default: bool) -> bool:
    """``NAME = True`` or ``NAME = os.environ.get("NAME", "true").lower() == "true"`` in the app's config.py."""
    value = _assignments(config_py).get(name)
    if isinstance(value, ast.Constant) and isinstance(value.value, bool):
        return value.value
    if isinstance(value, ast.Compare) and len(value.comparators) == 1 and isinstance(value.ops[0], ast.Eq):
        expected = value.comparators[0]
        calls = [n for n in ast.walk(value.left) if isinstance(n, ast.Call) and len(n.args) == 2]
        for call in calls:
            first, fallback = call.args
            if (isinstance(first, ast.Constant) and first.value == name and isinstance(fallback, ast.Constant)
                    and isinstance(fallback.value, str) and isinstance(expected, ast.Constant)
                    and isinstance(expected.value, str)):
                return fallback.value.lower() == expected.value.lower()
    return default


def detect_behaviour(root: Path, chunks: Mapping[str, Mapping[str, Any] | None], *, python_chunks: bool) -> Behaviour:
    """The behaviour of the app whose ``schemas/`` folder is ``root``.

    With an ``engine/`` folder beside the configs (the app's own code), each flag is on when its marker is
    in the engine file; without one, when the tree's keys imply it. The app's ``config.py`` (one level up)
    gives the shipped enable flags.
    """
    sources: dict[str, str | None] = {}
    has_engine = (root / "engine" / "backend_router.py").is_file()
    facts = _facts(chunks, python_chunks)
    flags: dict[str, bool] = {}
    for feature in FEATURES:
        if has_engine and feature.marker is not None:
            file, marker = feature.marker
            if file not in sources:
                sources[file] = _read(root / file)
            flags[feature.name] = marker in (sources[file] or "")
        else:
            flags[feature.name] = feature.implied(facts)
    config_py = _read(root.parent / "config.py") if has_engine else None
    settings = Settings(
        diffusers_enabled=_config_flag(config_py, "DIFFUSERS_ENABLED", True),
        heartmula_enabled=_config_flag(config_py, "HEARTMULA_ENABLED", True),
        stable_audio_enabled=_config_flag(config_py, "STABLE_AUDIO_ENABLED", True),
        triton_enabled=_config_flag(config_py, "TRITON_ENABLED", False),
        legacy_llm_model=_config_text(config_py, "STAGE4_LEGACY_MODEL"),
    )
    return Behaviour(**flags, settings=settings)
