"""Render what the DevServer submits for one (config, mode, inputs): devserver-today.md §2-§4.

The run follows the app's own structure: the config's pipeline runs chunk by chunk; each chunk becomes a
request (``chunk_builder``: the chunk's ``parameters`` merged with the config's, config winning by key, every
string filled from the placeholder table with ``str(value)``); the request goes to an LLM step, or to the
ComfyUI router (:class:`_Router`), which picks the output chunk, routes it by the app's version
(:class:`~comfy_contract.render.devserver.behaviour.Behaviour`, read from the tree) and writes the request
into its workflow. Hazards stay what the app does with them (an unresolved ``{{X}}`` stays literal, a proxy
with no output chunk gets the deprecated generator's SD3.5 graph), each reported as a finding with a stable
``R`` code, located in the app file (and JSON pointer) where its cause lives.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.jsonio import json_pointer
from comfy_contract.render.devserver.behaviour import Behaviour, detect_behaviour
from comfy_contract.render.devserver.generator import GeneratorError, Template, load_template
from comfy_contract.render.devserver.mappings import Origin, Writer, inject_loras
from comfy_contract.render.devserver.placeholders import fill, find_cycles, names_in, sole_placeholder
from comfy_contract.render.devserver.tree import Doc, load_tree
from comfy_contract.render.model import MODES, Injection, Outcome, Rendered, RenderInputs, Submission, Transport

__all__ = ["DevserverGenerator", "DevserverOptions"]

BUILTINS = ("PREVIOUS_OUTPUT", "INPUT_TEXT", "USER_INPUT")
_LLM_BACKENDS = frozenset({"ollama", "openrouter", "anthropic", "openai", "mistral", "aws_bedrock", "bedrock"})
_SEED_FIELDS = frozenset({"seed", "noise_seed"})
_OUTPUT_TYPES = frozenset({"output_chunk", "api_output_chunk"})
#: request values the UI sends that replace a config's parameter of the same name (later versions)
_GENERATION_OVERRIDES = frozenset({"width", "height", "steps", "cfg", "negative_prompt", "sampler_name", "scheduler",
                                   "denoise", "seed"})


@dataclass(frozen=True)
class DevserverOptions:
    """How to render, beyond what the tree says.

    ``behaviour``: switches pinned by the project (``devserver: {behaviour: {...}}``), over what is detected
    from the tree - see :class:`~comfy_contract.render.devserver.behaviour.Behaviour` and its ``Settings``.
    ``stub_missing_nodes``: force the later app's stub node for a mapping to a missing node id.
    ``typed_templates``: a proxy template that is exactly one placeholder keeps the value's type (the
    corrected semantics) instead of the app's ``str(value)``.
    ``resolve_sources``: a mapping ``source`` such as ``{{PART_A}}`` is resolved from the placeholders (the
    corrected semantics) instead of being skipped as the app does.
    """

    stub_missing_nodes: bool = False
    typed_templates: bool = False
    resolve_sources: bool = False
    behaviour: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


class _Stop(Exception):
    """Rendering this path cannot go on (the app fails before ComfyUI)."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(finding.message)


@dataclass
class _Stage:
    """Mutable state of one pipeline run (text flowing between steps, what was produced)."""

    text: str
    placeholders: dict[str, Any] = field(default_factory=dict)  # from LLM JSON answers
    submissions: list[Submission] = field(default_factory=list)
    kinds: list[Outcome] = field(default_factory=list)  # non-workflow outcomes met (api, backend, text)
    routes: list[str] = field(default_factory=list)
    loras: list[Any] = field(default_factory=list)  # the interception config's meta.loras, sent with the request
    #: what the last generation step answered as its text (the app passes it on as the step's output)
    answer: str | None = None


@dataclass(frozen=True)
class _Request:
    """What ``chunk_builder`` hands the router for one chunk: the filled prompt and parameters."""

    chunk: Doc
    config: Doc
    prompt: Any  # the filled template text, or (for output chunks in later versions) the filled workflow
    parameters: Mapping[str, Any]
    origins: Mapping[str, Origin]
    output_config: str | None
    step: tuple[Doc, int] | None = None  # the pipeline file and index that named the chunk


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _fill_deep(value: Any, table: Mapping[str, Any], typed: bool) -> tuple[Any, list[str]]:
    """Fill every string in ``value`` (dicts and lists walked); returns the result and the names left over."""
    if isinstance(value, str):
        filled = fill(value, table, typed=typed)
        return filled.value, filled.unresolved
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        left: list[str] = []
        for k, v in value.items():
            out[k], more = _fill_deep(v, table, typed)
            left += more
        return out, left
    if isinstance(value, list):
        items = [_fill_deep(v, table, typed) for v in value]
        return [v for v, _ in items], [n for _, ns in items for n in ns]
    return value, []


def _drop_missing_images(workflow: dict[str, Any], mappings: Mapping[str, Any], params: Mapping[str, Any]) -> None:
    """A multi-image legacy workflow sent with fewer images: the app removes the ``LoadImage`` of each image 2/3
    the request lacks, the nodes fed only by it, and the inputs that linked to them (devserver-today.md §4)."""
    gone: set[str] = set()
    for index in (2, 3):
        key = f"input_image{index}"
        target = _mapping(mappings.get(key)).get("node_id")
        if not params.get(key) and target is not None and str(target) in workflow:
            gone.add(str(target))
    changed = bool(gone)
    while changed:
        changed = False
        for node_id, node in list(workflow.items()):
            inputs = _mapping(_mapping(node).get("inputs"))
            links = [v for v in inputs.values() if isinstance(v, list) and len(v) == 2 and isinstance(v[0], str)]
            if node_id not in gone and links and all(v[0] in gone for v in links):
                gone.add(node_id)
                changed = True
    for node_id in gone:
        workflow.pop(node_id, None)
    for node in workflow.values():
        fed = node.get("inputs") if isinstance(node, dict) else None
        if isinstance(fed, dict):
            for name in [k for k, v in fed.items() if isinstance(v, list) and len(v) == 2 and v[0] in gone]:
                del fed[name]


class _Run:
    """One render: the app's pipeline executor and chunk builder; collects findings and sources."""

    def __init__(self, gen: DevserverGenerator, config: str, mode: str, inputs: RenderInputs) -> None:
        self.tree, self.options, self.behaviour = gen.tree, gen.options, gen.behaviour
        self.config, self.mode, self.inputs = config, mode, inputs
        self.template = gen.template
        # bytes, so that a config name with a lone surrogate still seeds (the same stream as str for the rest)
        self.rng = random.Random(f"{inputs.seed}:{config}:{mode}".encode("utf-8", "surrogatepass"))
        self.findings: list[Finding] = []
        self.sources: list[str] = []
        self.router = _Router(self)

    # -- bookkeeping --------------------------------------------------------------------------
    def add(self, finding: Finding) -> None:
        if finding not in self.findings:
            self.findings.append(finding)

    def use(self, doc: Doc) -> Mapping[str, Any]:
        if doc.file not in self.sources:
            self.sources.append(doc.file)
        if doc.error is not None or doc.data is None:
            raise _Stop(doc.error or Finding("R008", f"{doc.rel}: unreadable", file=doc.file))
        return doc.data

    # -- entry --------------------------------------------------------------------------------
    def top(self, doc: Doc) -> tuple[Outcome, list[Submission], list[str]]:
        config = self.use(doc)
        pipeline_doc = self.pipeline(config, doc)
        stage = _Stage(self.inputs.user_text)
        if _mapping(config.get("meta")).get("stage") == "output":
            return self.output_stage(self.config, doc, stage)
        params = self.parameters(config, pipeline_doc)
        stage = self.run_pipeline(doc, pipeline_doc, params, stage)
        self.second_phase(doc, pipeline_doc, params, stage, None)
        if stage.submissions or stage.kinds:
            return self.outcome(stage), stage.submissions, stage.routes
        return self.choose_outputs(doc, stage)

    @staticmethod
    def outcome(stage: _Stage) -> Outcome:
        if stage.submissions:
            return "workflow"
        order: tuple[Outcome, ...] = ("api", "backend", "text")
        return next((kind for kind in order if kind in stage.kinds), "text")

    def choose_outputs(self, doc: Doc, stage: _Stage) -> tuple[Outcome, list[Submission], list[str]]:
        choices = self.choices(doc)
        if not choices:
            self.add(Finding("R010", f"config {self.config!r} chooses no output config in {self.mode!r} mode: "
                             "the run is text-only, nothing is submitted to ComfyUI.",
                             severity=Severity.INFO, file=doc.file, path="/media_preferences"))
            return "text", [], []
        outcomes: list[Outcome] = []
        submissions: list[Submission] = []
        routes: list[str] = []
        for name, file, pointer in choices:
            try:
                outcome, subs, more = self.output_config(name, file, pointer, stage)
            except _Stop as stop:
                self.add(stop.finding)
                outcome, subs, more = "error", [], []
            outcomes.append(outcome)
            submissions.extend(subs)
            routes.extend(more)
        order: tuple[Outcome, ...] = ("workflow", "api", "backend", "text")
        return next((kind for kind in order if kind in outcomes), "error"), submissions, routes

    def choices(self, doc: Doc) -> list[tuple[str, str | None, str | None]]:
        if self.inputs.output_config:
            return [(self.inputs.output_config, None, None)]
        prefs = _mapping(_mapping(doc.data).get("media_preferences"))
        listed = prefs.get("output_configs")
        if isinstance(listed, list) and listed:
            return [(str(n), doc.file, json_pointer("media_preferences", "output_configs", i))
                    for i, n in enumerate(listed)]
        media = prefs.get("default_output")
        if not isinstance(media, str):
            return []
        defaults_doc = self.tree.defaults
        if defaults_doc is None:
            raise _Stop(Finding("R009", f"config {self.config!r} needs the default {media!r} output config, but "
                                "the tree has no output_config_defaults.json. Add it, or list "
                                "`media_preferences.output_configs`.", file=doc.file,
                                path="/media_preferences/default_output"))
        name = _mapping(self.use(defaults_doc).get(media)).get(self.mode)
        if isinstance(name, Mapping):  # VRAM tiers: {"vram_96": ..., "vram_8": null}; the largest tier
            name = next((v for v in name.values() if isinstance(v, str) and v), None)
        if not isinstance(name, str) or not name:
            return []
        return [(name, defaults_doc.file, json_pointer(media, self.mode))]

    def output_config(self, name: str, file: str | None, pointer: str | None,
                      stage: _Stage) -> tuple[Outcome, list[Submission], list[str]]:
        doc = self.tree.configs.get(name)
        if doc is None:
            where = f" ({file} {pointer})" if file else ""
            raise _Stop(Finding(
                "R009", f"output config {name!r} chosen by config {self.config!r}{where} is not in the tree; the app "
                "fails with 'Config not found' before reaching ComfyUI. Add configs/output/"
                f"{name}.json or remove the name.", file=file, path=pointer, actual=name))
        loras = _mapping(_mapping(self.tree.configs[self.config].data).get("meta")).get("loras")
        carried = list(loras) if self.behaviour.loras and isinstance(loras, list) else []
        return self.output_stage(name, doc, _Stage(stage.text, dict(stage.placeholders), loras=carried))

    def output_stage(self, name: str, doc: Doc, stage: _Stage) -> tuple[Outcome, list[Submission], list[str]]:
        config = self.use(doc)
        pipeline_doc = self.pipeline(config, doc)
        params = self.parameters(config, pipeline_doc)
        self.check_cycles(params, doc)
        result = self.run_pipeline(doc, pipeline_doc, params, stage, output_config=name)
        if name == self.config:
            self.second_phase(doc, pipeline_doc, params, result, name)
        if result.submissions:
            return "workflow", result.submissions, result.routes
        kind = self.outcome(result)
        if kind == "text" and not result.routes:
            self.add(Finding("R010", f"output config {name!r} produces text only: nothing is submitted to ComfyUI.",
                             severity=Severity.INFO, file=doc.file))
        return kind, [], result.routes

    def second_phase(self, doc: Doc, pipeline_doc: Doc, params: dict[str, Any], stage: _Stage,
                     output_config: str | None) -> None:
        """Versions with a two-call Stage 2 run the config's pipeline again to optimise the prompt for the
        target output chunk, when that chunk has ``meta.optimization_instruction``: whatever the pipeline
        submits, it submits twice."""
        pipeline = _mapping(pipeline_doc.data)
        if not self.behaviour.two_phase or pipeline.get("skip_stage2"):
            return
        target = self.target_output_config(doc)
        target_doc = self.tree.configs.get(target) if target else None
        chunk_name = _mapping(_mapping(target_doc.data if target_doc else None).get("parameters")).get("OUTPUT_CHUNK")
        chunk_doc = self.tree.chunk_files.get(chunk_name) if isinstance(chunk_name, str) else None
        chunk = _mapping(chunk_doc.data if chunk_doc else None)
        if not _mapping(chunk.get("meta")).get("optimization_instruction"):
            return
        before = len(stage.submissions)
        # the second call's input is the first call's output: for a pipeline that generated, the step's answer
        text = stage.answer if stage.answer is not None else stage.text
        again = self.run_pipeline(doc, pipeline_doc, params, _Stage(text, dict(stage.placeholders)),
                                  output_config=output_config)
        stage.submissions.extend(again.submissions)
        stage.kinds.extend(again.kinds)
        if len(stage.submissions) > before and chunk_doc is not None:
            self.add(Finding("R015", f"the app runs pipeline {pipeline.get('name')!r} a second time to optimise the "
                             f"prompt for {chunk_doc.rel!r} (it has meta.optimization_instruction), so what the "
                             "pipeline submits is submitted twice.", severity=Severity.INFO, file=chunk_doc.file,
                             path="/meta/optimization_instruction"))

    def target_output_config(self, doc: Doc) -> str | None:
        """The output config Stage 2 optimises for: the request's, the first listed, or the mode's default."""
        if self.inputs.output_config:
            return self.inputs.output_config
        prefs = _mapping(_mapping(doc.data).get("media_preferences"))
        listed = prefs.get("output_configs")
        if isinstance(listed, list) and listed:
            return str(listed[0])
        media = prefs.get("default_output")
        if not isinstance(media, str) or media == "text" or self.tree.defaults is None:
            return None
        name = _mapping(_mapping(self.tree.defaults.data).get(media)).get(self.mode)
        return name if isinstance(name, str) and name else None

    # -- configs and pipelines ----------------------------------------------------------------
    def pipeline(self, config: Mapping[str, Any], doc: Doc) -> Doc:
        key = "pipeline" if "pipeline" in config else "workflow_type"
        name = config.get(key)
        if not isinstance(name, str) or not name:
            raise _Stop(Finding("R008", f"{doc.rel}: the config has no string `pipeline` (got {name!r}); the app "
                                "cannot run it. Add the pipeline's name.", file=doc.file, path="/pipeline"))
        found = self.tree.pipelines.get(name)
        if found is None:
            broken = ", ".join(d.rel for d in self.tree.broken_pipelines)
            extra = f" (unreadable pipeline files that may define it: {broken})" if broken else ""
            raise _Stop(Finding("R007", f"config uses pipeline {name!r}, which no file under pipelines/ names"
                                f"{extra}. Add it or fix the config's `{key}`.", file=doc.file, path=json_pointer(key),
                                actual=name))
        self.use(found)
        return found

    def parameters(self, config: Mapping[str, Any], pipeline_doc: Doc) -> dict[str, Any]:
        defaults = _mapping(_mapping(_mapping(pipeline_doc.data).get("defaults")).get("parameters"))
        return {**defaults, **_mapping(config.get("parameters")), **self.inputs.parameters}

    def check_cycles(self, params: Mapping[str, Any], doc: Doc) -> None:
        for cycle in find_cycles(params):
            self.add(Finding("R014", f"placeholders refer to each other in a cycle: {' -> '.join(cycle)}; the app "
                             "substitutes once and sends a literal '{{...}}'. Give them literal values.",
                             file=doc.file, path=json_pointer("parameters", cycle[0]), actual=cycle))

    def table(self, stage: _Stage, config: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        """The placeholder table in the app's order (a later source replaces an earlier value in place)."""
        context = config.get("context")
        if isinstance(context, Mapping):
            context = next((v for v in context.values() if isinstance(v, str)), "")
        instruction = context if isinstance(context, str) else ""
        out: dict[str, Any] = {"INSTRUCTION": instruction, "INSTRUCTIONS": instruction, "CONTEXT": instruction,
                               "INPUT_TEXT": stage.text, "PREVIOUS_OUTPUT": stage.text,
                               "USER_INPUT": self.inputs.user_text}
        for source in (stage.placeholders, self.inputs.custom_placeholders, params):
            for key, value in source.items():
                out[str(key)] = value
        return out

    # -- chunks -------------------------------------------------------------------------------
    def run_pipeline(self, config_doc: Doc, pipeline_doc: Doc, params: dict[str, Any], stage: _Stage,
                     output_config: str | None = None) -> _Stage:
        chunks = _mapping(pipeline_doc.data).get("chunks")
        if not isinstance(chunks, list):
            raise _Stop(Finding("R008", f"{pipeline_doc.rel}: `chunks` must be a list of chunk names, got "
                                f"{chunks!r}.", file=pipeline_doc.file, path="/chunks"))
        for index, raw in enumerate(chunks):
            name = fill(raw, params).value if isinstance(raw, str) else raw
            if self.behaviour.python_chunks and isinstance(name, str) and name in self.tree.python_chunks:
                self.router.python(name, "named by the pipeline")
                stage.kinds.append("backend")
                stage.routes.append(f"python:{name}")
                continue
            chunk_doc = self.chunk(raw, name, pipeline_doc, index)
            request = replace(self.build(chunk_doc, config_doc, params, stage, output_config),
                              step=(pipeline_doc, index))
            self.dispatch(request, pipeline_doc, stage)
        return stage

    def chunk(self, raw: Any, name: Any, pipeline_doc: Doc, index: int) -> Doc:
        doc = self.tree.chunks.get(name) if isinstance(name, str) else None
        if doc is None:
            shown = f"{raw!r}" if raw == name else f"{raw!r} (= {name!r})"
            raise _Stop(Finding("R006", f"pipeline chunk {shown} is not under chunks/; the app fails before "
                                f"ComfyUI ('Template {name!r} nicht gefunden'). Add the chunk or fix the name.",
                                file=pipeline_doc.file, path=json_pointer("chunks", index), actual=name))
        return doc

    def build(self, chunk_doc: Doc, config_doc: Doc, params: Mapping[str, Any], stage: _Stage,
              output_config: str | None) -> _Request:
        """``chunk_builder.build_chunk``: merge and fill the chunk's parameters, fill its template."""
        chunk = self.use(chunk_doc)
        template = chunk.get("template", "")
        if isinstance(template, Mapping) and not self.behaviour.dict_templates:
            raise _Stop(Finding("R008", f"{chunk_doc.rel}: `template` is an object; this version of the app cannot "
                                f"load the chunk and fails with 'Template {chunk.get('name')!r} nicht gefunden'. Make "
                                "`template` one string.", file=chunk_doc.file, path="/template"))
        if not isinstance(template, str | Mapping):
            template = ""
        own = _mapping(chunk.get("parameters"))
        if "parameters" in chunk and not isinstance(chunk.get("parameters"), Mapping):
            raise _Stop(Finding("R008", f"{chunk_doc.rel}: `parameters` must be an object.", file=chunk_doc.file,
                                path="/parameters"))
        config = _mapping(config_doc.data)
        table = self.table(stage, config, params)
        merged = {**own, **params}
        filled: dict[str, Any] = {}
        origins: dict[str, Origin] = {}
        stringified: list[str] = []
        llm_names = set(stage.placeholders)
        for key, value in merged.items():
            result = fill(value, table, typed=self.options.typed_templates) if isinstance(value, str) else None
            if result is None:
                filled[str(key)], left = _fill_deep(value, table, self.options.typed_templates)
                used: tuple[str, ...] = ()
            else:
                filled[str(key)], left, used = result.value, result.unresolved, result.used
                if result.stringified:
                    stringified.append(f"{key!r} = {result.value!r}")
                if result.resubstituted:
                    self.add(Finding(
                        "R013", f"parameter {key!r}: the text inserted for {', '.join(result.used)} contained "
                        f"{{{{{'}}, {{'.join(result.resubstituted)}}}}}, which the app substituted again.",
                        severity=Severity.WARNING, file=chunk_doc.file if key in own else config_doc.file,
                        path=json_pointer("parameters", key)))
            from_config = key in params and key not in own
            filled_from = [n for n in used if n in params and n not in BUILTINS]
            role = "prompt" if any(n in BUILTINS or n in llm_names for n in used) else (
                "seed" if key in _SEED_FIELDS else "unresolved" if left else "parameter")
            if role == "prompt" and left:
                origins[str(key)] = Origin(role, config_doc.file, "/context")
            elif left:
                origins[str(key)] = Origin(role, config_doc.file, "/parameters")
            elif from_config or filled_from:
                name = key if from_config else filled_from[0]
                origins[str(key)] = Origin(role, config_doc.file, json_pointer("parameters", name))
            else:
                origins[str(key)] = Origin(role, chunk_doc.file, json_pointer("parameters", key))
        if stringified and _mapping(chunk).get("type") == "proxy_chunk":
            self.add(Finding("R005", f"proxy chunk {chunk_doc.rel!r} turned numbers into strings (the app uses "
                             f"str(value)): {', '.join(stringified)}.", severity=Severity.INFO,
                             file=chunk_doc.file, path="/parameters"))
        prompt: Any = fill(template, table).value if isinstance(template, str) else template
        workflow = chunk.get("workflow") or chunk.get("workflow_api")
        if self.behaviour.workflow_as_prompt and isinstance(workflow, Mapping) and workflow:
            prompt, _ = _fill_deep(workflow, table, False)
            filled["_chunk_name"] = str(chunk.get("name") or Path(chunk_doc.rel).stem)
        if stage.loras and "loras" not in filled:
            filled["loras"] = stage.loras
        if self.behaviour.custom_parameters:
            for key, value in self.inputs.custom_placeholders.items():
                if key in _GENERATION_OVERRIDES or key not in filled:
                    filled[str(key)] = value
        return _Request(chunk_doc, config_doc, prompt, filled, origins, output_config)

    def dispatch(self, request: _Request, pipeline_doc: Doc, stage: _Stage) -> None:
        """``backend_router.process_request``: an LLM step, the ComfyUI router, or an output chunk directly."""
        chunk = _mapping(request.chunk.data)
        backend = str(chunk.get("backend_type") or "ollama")
        model = chunk.get("model")
        if isinstance(model, str) and model.startswith("local/") and model != "local/":
            backend = "ollama"
        elif isinstance(model, str) and model.startswith("openrouter/") and model != "openrouter/":
            backend = "openrouter"
        known = _LLM_BACKENDS | {"comfyui"}
        template = chunk.get("template", "")
        proxy = not (isinstance(template, str) and template.strip()) and not (isinstance(model, str) and model.strip())
        if self.behaviour.mode_models and not proxy and not isinstance(template, Mapping):
            backend = "ollama" if self.mode == "eco" else "openrouter"  # the mode's model prefix decides
        if self.behaviour.direct_output_chunks and (isinstance(request.prompt, Mapping) or backend not in known):
            name = str(request.parameters.get("_chunk_name") or request.parameters.get("chunk_name") or "unknown")
            self.router.output_chunk(name, request, stage)
        elif backend in _LLM_BACKENDS:
            self.llm(request.chunk, pipeline_doc, stage)
        elif backend == "comfyui":
            self.router.comfyui(request, stage)
        else:
            raise _Stop(Finding("R017", f"chunk {request.chunk.rel!r} has backend_type {backend!r}, which this "
                                f"version of the app does not route: it fails with 'Backend-Typ {backend} nicht "
                                "implementiert'. Use comfyui or an LLM backend.", file=request.chunk.file,
                                path="/backend_type", actual=backend))

    def llm(self, chunk_doc: Doc, pipeline_doc: Doc, stage: _Stage) -> None:
        chunk = _mapping(chunk_doc.data)
        name = str(chunk.get("name") or Path(chunk_doc.rel).stem)
        text = self.inputs.llm_outputs.get(name, self.inputs.llm_outputs.get("*"))
        if text is None:
            text = self.default_llm_text(pipeline_doc)
        stage.text = str(text)
        try:
            answer = json.loads(stage.text)
        except ValueError:
            return
        if isinstance(answer, dict):
            stage.placeholders.update({str(k).upper(): v for k, v in answer.items()})

    def default_llm_text(self, pipeline_doc: Doc) -> str:
        needs = _mapping(_mapping(pipeline_doc.data).get("input_requirements")).get("split_text")
        if isinstance(needs, Mapping) and needs:
            return json.dumps({k: f"{self.inputs.user_text} ({k})" for k in needs}, ensure_ascii=False)
        return self.inputs.user_text


class _Router:
    """The app's ``backend_router`` for one ComfyUI-bound request, in the version the tree shows."""

    def __init__(self, run: _Run) -> None:
        self.run = run
        self.b: Behaviour = run.behaviour

    @property
    def transport(self) -> Transport:
        return "swarmui" if self.b.swarmui_transport else "comfyui"

    # -- loading ------------------------------------------------------------------------------
    def load(self, name: str) -> tuple[Doc, Mapping[str, Any]] | None:
        """``_load_output_chunk``: ``chunks/NAME.json`` by file name, of an output type, with its required keys."""
        doc = self.run.tree.chunk_files.get(name)
        if doc is None or doc.data is None:
            if doc is not None:
                self.run.use(doc)  # raises with the parse error
            return None
        chunk = self.run.use(doc)
        kind = chunk.get("type")
        allowed = _OUTPUT_TYPES | ({"text_passthrough"} if self.b.text_passthrough else set())
        if kind not in allowed:
            return None
        if kind == "text_passthrough":
            required: tuple[str, ...] = ("backend_type", "media_type")
        elif kind == "api_output_chunk":
            required = ("api_config", "input_mappings", "output_mapping", "backend_type")
        elif self.b.legacy_workflows and chunk.get("execution_mode") == "legacy_workflow":
            required = ("workflow", "backend_type")
        elif self.b.backend_types:
            required = ()
        else:
            required = ("workflow", "input_mappings", "output_mapping", "backend_type")
        if any(key not in chunk for key in required):
            return None
        return doc, chunk

    def fail(self, message: str, doc: Doc | None = None, path: str | None = None, code: str = "R017") -> _Stop:
        return _Stop(Finding(code, message, file=doc.file if doc else None, path=path))

    # -- the ComfyUI request ------------------------------------------------------------------
    def comfyui(self, request: _Request, stage: _Stage) -> None:
        """``_process_comfyui_request``: the request's ``output_chunk`` parameter decides."""
        name = request.parameters.get("output_chunk")
        if not name:
            self.generator(request, stage)
            return
        name = str(name)
        if self.b.python_chunks and name in self.run.tree.python_chunks:
            self.output_chunk(name, request, stage)
            return
        loaded = self.load(name)
        if loaded is None:
            raise self.not_found(name, request)
        doc, chunk = loaded
        if chunk.get("type") == "text_passthrough":
            self.note(f"output chunk {name!r} is text_passthrough: the app returns the text itself (media type "
                      f"{chunk.get('media_type')!r}, for the frontend), nothing is submitted to ComfyUI", doc,
                      code="R010")
            stage.kinds.append("text")
            stage.routes.append("text_passthrough")
            return
        if chunk.get("type") == "api_output_chunk":
            endpoint = _mapping(chunk.get("api_config")).get("endpoint")
            self.note(f"output chunk {name!r} calls a hosted API ({endpoint!r}), not ComfyUI", doc, code="R010")
            stage.kinds.append("api")
            stage.routes.append("api")
            return
        self.output_chunk(name, request, stage)

    def not_found(self, name: str, request: _Request) -> _Stop:
        unresolved = names_in(name)
        origin = request.origins.get("output_chunk")
        if unresolved:
            why = (f"the placeholder {', '.join(unresolved)} has no value (placeholder names are case-sensitive; "
                   "the config needs `OUTPUT_CHUNK` in its parameters)")
        else:
            why = "there is no chunks/" + name + ".json of an output type with the keys the app requires"
        file, path = (origin.file, origin.pointer) if origin else (request.config.file, "/parameters")
        return _Stop(Finding("R006", f"the app fails with \"Output-Chunk '{name}' not found\": {why}.", file=file,
                             path=path, actual=name))

    def note(self, message: str, doc: Doc | None, code: str = "R015") -> None:
        self.run.add(Finding(code, message + ".", severity=Severity.INFO, file=doc.file if doc else None))

    # -- output chunks ------------------------------------------------------------------------
    def output_chunk(self, name: str, request: _Request, stage: _Stage) -> None:
        """``_process_output_chunk``: route one output chunk the way this version of the app does."""
        if self.b.python_chunks and name in self.run.tree.python_chunks:
            self.python(name, "named as the output chunk")
            stage.kinds.append("backend")
            stage.routes.append(f"python:{name}")
            return
        loaded = self.load(name)
        if loaded is None:
            raise self.not_found(name, request)
        doc, chunk = loaded
        params = request.parameters
        text = params.get("prompt") or params.get("PREVIOUS_OUTPUT") or ""
        backend = str(chunk.get("backend_type") or "comfyui")
        if self.b.backend_types and backend in ("triton", "diffusers", "heartmula", "stable_audio"):
            self.direct(backend, name, doc, chunk, text, request, stage)
        elif self.b.legacy_workflows and chunk.get("execution_mode") == "legacy_workflow":
            self.legacy(doc, chunk, text, request, stage)
        elif self.b.simple_image_api and str(chunk.get("media_type") or "image") == "image":
            self.image(name, doc, chunk, text, request, stage)
        elif self.b.simple_image_api or self.b.backend_types:
            self.submit(doc, chunk, text, request, stage)
        else:  # the first version: the request's own prompt value, straight to ComfyUI
            prompt = params.get("prompt", request.prompt) if isinstance(request.prompt, str) else text
            self.submit(doc, chunk, prompt, request, stage)

    def image(self, name: str, doc: Doc, chunk: Mapping[str, Any], text: str, request: _Request,
              stage: _Stage) -> None:
        loras = self.b.loras and bool(request.parameters.get("loras"))
        if (self.b.requires_workflow and chunk.get("requires_workflow")) or loras:
            self.submit(doc, chunk, text, request, stage)
            return
        settings = self.b.settings
        if self.b.diffusers_auto and settings.diffusers_enabled and (
                chunk.get("diffusers_config") or "sd35" in name.lower()):
            self.direct("diffusers", name, doc, chunk, text, request, stage)
            return
        self.backend(stage, "swarmui-text2image", doc, chunk,
                     "SwarmUI's /API/GenerateText2Image (prompt, model, size, steps, cfg, seed)",
                     "an image chunk without `requires_workflow`" if self.b.requires_workflow else "an image chunk")

    def backend(self, stage: _Stage, route: str, doc: Doc, chunk: Mapping[str, Any], what: str, why: str) -> None:
        stage.kinds.append("backend")
        stage.routes.append(route)
        stage.answer = "swarmui_generated" if route == "swarmui-text2image" else None
        self.note(f"{doc.rel}: {why}, so the app sends it to {what}, not to ComfyUI's /prompt", doc)
        workflow = chunk.get("workflow")
        if isinstance(workflow, Mapping) and workflow:
            classes = sorted({str(n.get("class_type")) for n in workflow.values()
                              if isinstance(n, Mapping) and n.get("class_type")})
            self.run.add(Finding(
                "R016", f"{doc.rel} embeds a ComfyUI workflow ({', '.join(classes)}), but the app routes the chunk "
                f"to {what}: the workflow is never used. Set `requires_workflow: true` on the chunk if it matters.",
                severity=Severity.WARNING, file=doc.file, path="/workflow"))

    def python(self, name: str, why: str) -> None:
        file = self.run.tree.python_chunks[name]
        if file not in self.run.sources:
            self.run.sources.append(file)
        self.run.add(Finding("R015", f"chunk {name!r} ({why}) is a Python chunk: the app runs "
                             f"chunks/{name}.py's execute() (its own backend), not a ComfyUI workflow.",
                             severity=Severity.INFO, file=file))

    def direct(self, backend: str, name: str, doc: Doc, chunk: Mapping[str, Any], text: str, request: _Request,
               stage: _Stage) -> None:
        """A direct backend: used when enabled and its GPU service answers; else the app's fallback for it."""
        s = self.b.settings
        enabled = {"diffusers": s.diffusers_enabled, "heartmula": s.heartmula_enabled,
                   "stable_audio": s.stable_audio_enabled, "triton": s.triton_enabled}[backend]
        if enabled and s.gpu_service == "up":
            self.backend(stage, backend, doc, chunk, f"its {backend} backend", f"backend_type {backend!r}"
                         if chunk.get("backend_type") == backend else "an SD3.5 image chunk with Diffusers enabled")
            return
        why = "is disabled in the app's config" if not enabled else "has no GPU service (gpu_service: down)"
        fallback = _mapping(chunk.get("meta")).get("fallback_chunk")
        if backend in ("diffusers", "stable_audio") and fallback:
            target = self.load(str(fallback))
            if target is None:
                raise self.fail(f"{doc.rel}: the {backend} backend {why} and its meta.fallback_chunk {fallback!r} "
                                f"does not exist; the app fails (\"Fallback chunk '{fallback}' not found\").", doc,
                                "/meta/fallback_chunk", code="R006")
            fdoc, fchunk = target
            if not (isinstance(fchunk.get("workflow"), Mapping) and fchunk.get("workflow")):
                raise self.fail(f"{doc.rel}: the {backend} backend {why}, and its meta.fallback_chunk {fallback!r} "
                                f"has no `workflow` (it is not a ComfyUI chunk); the app fails (\"No workflow found "
                                f"in chunk '{fallback}'\"). Point the fallback at a ComfyUI chunk.", doc,
                                "/meta/fallback_chunk")
            self.run.add(Finding("R018", f"{doc.rel}: the {backend} backend {why}, so the app submits its "
                                 f"meta.fallback_chunk {fallback!r} to ComfyUI.", severity=Severity.INFO,
                                 file=doc.file, path="/meta/fallback_chunk"))
            self.submit(fdoc, fchunk, text, request, stage)
            return
        workflow = chunk.get("workflow")
        if backend in ("diffusers", "triton") and isinstance(workflow, Mapping) and workflow:
            self.submit(doc, chunk, text, request, stage)  # the chunk's own workflow is the fallback
            return
        message = {"heartmula": "'HeartMuLa backend not available'", "stable_audio": "'no fallback_chunk defined'"}.get(
            backend, f"\"No workflow found in chunk '{Path(doc.rel).stem}'\"")
        if enabled:  # only while the GPU service is down: a robustness gap, not a broken config
            stage.kinds.append("backend")
            stage.routes.append(f"{backend} (none while down)")
            self.run.add(Finding(
                "R018", f"{doc.rel}: the {backend} backend {why}, and the chunk has neither meta.fallback_chunk nor a "
                f"workflow, so the app fails ({message}) until the service is back. Add a fallback chunk if it must "
                "keep working; `render.behaviour.gpu_service: up` renders the direct backend.",
                severity=Severity.WARNING, file=doc.file, path="/meta"))
            return
        raise self.fail(f"{doc.rel}: the {backend} backend {why} and the chunk has no fallback; the app always fails "
                        f"({message}). Enable the backend or give the chunk a meta.fallback_chunk.", doc,
                        "/backend_type")

    def legacy(self, doc: Doc, chunk: Mapping[str, Any], text: str, request: _Request, stage: _Stage) -> None:
        """``_process_legacy_workflow``: the whole workflow, mappings applied, the prompt injected by title."""
        workflow = chunk.get("workflow")
        if not isinstance(workflow, Mapping) or not workflow:
            raise self.fail(f"{doc.rel}: legacy workflow chunk without `workflow`; the app fails ('No workflow "
                            "definition in legacy chunk').", doc, "/workflow")
        copied: dict[str, Any] = copy.deepcopy(dict(workflow))
        model = self.b.settings.legacy_llm_model
        for node in copied.values():  # the legacy service switches every LLM node to one configured model
            if model and isinstance(node, dict) and node.get("class_type") == "ai4artsed_prompt_interception" \
                    and isinstance(node.get("inputs"), dict):
                node["inputs"]["model"] = model
        writer = self.writer(doc, copied, request)
        mappings = _mapping(chunk.get("input_mappings"))
        data = {"prompt": text, **request.parameters}
        if mappings and self.b.legacy_mappings:
            writer.apply({k: v for k, v in mappings.items() if not str(k).startswith("input_image")}, data)
        elif isinstance(mappings.get("seed"), Mapping):  # earlier: only the seed, 'random'/-1 drawn
            seed_map = mappings["seed"]
            value = request.parameters.get("seed", seed_map.get("default", "random"))
            if value in ("random", -1):
                value = self.run.rng.randrange(2**32)
            if seed_map.get("node_id") and str(seed_map["node_id"]) in writer.workflow:
                writer.write(str(seed_map["node_id"]), str(seed_map.get("field") or "inputs.noise_seed"), value,
                             "/input_mappings/seed", "seed")
        params = request.parameters
        alpha = _mapping(mappings.get("alpha"))
        if "alpha_factor" in params and alpha.get("node_id") and str(alpha["node_id"]) in writer.workflow:
            writer.write(str(alpha["node_id"]), str(alpha.get("field") or "inputs.value"), params["alpha_factor"],
                         "/input_mappings/alpha", "alpha")
        combos = mappings.get("combination_type")
        if "combination_type" in params and combos:
            for item in combos if isinstance(combos, list) else [combos]:
                item = _mapping(item)
                if item.get("node_id") and str(item["node_id"]) in writer.workflow:
                    writer.write(str(item["node_id"]), str(item.get("field") or "inputs.interpolation_method"),
                                 params["combination_type"], "/input_mappings/combination_type", "combination_type")
        if any(f"input_image{i}" in mappings for i in (1, 2, 3)):
            _drop_missing_images(writer.workflow, mappings, params)
        prompt_map = _mapping(mappings.get("prompt"))
        if prompt_map.get("node_id") and str(prompt_map["node_id"]) in writer.workflow:
            field_path = str(prompt_map.get("field") or "inputs.prompt")
            writer.write(str(prompt_map["node_id"]), field_path, text, "/input_mappings/prompt", "prompt")
        else:
            inj = _mapping(_mapping(chunk.get("legacy_config")).get("prompt_injection"))
            fallback_node = inj.get("fallback_node_id")
            writer.inject_by_title(str(inj.get("target_title") or "ai4artsed_text_prompt"), text,
                                   (str(fallback_node) if fallback_node else None,
                                    str(inj.get("fallback_field") or "value")))
        self.finish(doc, chunk, writer, request, stage)

    def submit(self, doc: Doc, chunk: Mapping[str, Any], text: Any, request: _Request, stage: _Stage) -> None:
        """A workflow submission: copy the chunk's workflow, inject LoRAs, apply the mappings."""
        workflow = chunk.get("workflow")
        if not isinstance(workflow, Mapping) or not workflow:
            raise self.fail(f"{doc.rel}: the app routes this chunk to a ComfyUI workflow, but it has no `workflow`; "
                            f"the app fails (\"No workflow found in chunk '{Path(doc.rel).stem}'\").", doc, "/workflow")
        copied: dict[str, Any] = copy.deepcopy(dict(workflow))
        if self.b.loras and request.parameters.get("loras"):
            copied = inject_loras(copied, request.parameters["loras"])
        writer = self.writer(doc, copied, request)
        mappings = chunk.get("input_mappings") or {}
        if not isinstance(mappings, Mapping):
            raise self.fail(f"{doc.rel}: `input_mappings` must be an object.", doc, "/input_mappings", code="R008")
        data = {"prompt": text, **request.parameters}
        if self.run.options.resolve_sources:  # the corrected semantics: a source placeholder names a value
            data = {**self.resolved_sources(mappings, data), **data}
        first: Any = next(iter(mappings.values()), {})
        if self.b.template_mappings and isinstance(first, Mapping) and "node_id" not in first:
            writer.apply_templates(mappings, data)
        else:
            writer.apply(mappings, data)
        injection = _mapping(chunk.get("prompt_injection"))
        if injection:
            fallback = injection.get("fallback_node")
            field_name = str(injection.get("fallback_field") or "inputs.text").removeprefix("inputs.")
            writer.inject_by_title(str(injection.get("search_by_title") or ""), text,
                                   (str(fallback) if fallback else None, field_name))
        self.finish(doc, chunk, writer, request, stage)

    def resolved_sources(self, mappings: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
        by_name = {str(k).upper(): v for k, v in data.items()}
        by_name.update({"PREVIOUS_OUTPUT": data.get("prompt"), "USER_INPUT": self.run.inputs.user_text})
        out: dict[str, Any] = {}
        for key, spec in mappings.items():
            first = spec[0] if isinstance(spec, list) and spec else spec
            name = sole_placeholder(_mapping(first).get("source"))
            if name is not None and by_name.get(name) is not None:
                out[str(key)] = by_name[name]
        return out

    def writer(self, doc: Doc, workflow: dict[str, Any], request: _Request) -> Writer:
        stub = self.b.stub_missing_nodes or self.run.options.stub_missing_nodes
        return Writer(doc, workflow, self.run.rng, self.run.inputs.seed, stub, request.origins)

    def finish(self, doc: Doc, chunk: Mapping[str, Any], writer: Writer, request: _Request, stage: _Stage) -> None:
        writer.scan_unresolved()
        for finding in writer.findings:
            self.run.add(finding)
        media = chunk.get("media_type")
        name = str(chunk.get("name") or Path(doc.rel).stem)
        stage.submissions.append(Submission(
            writer.workflow, self.run.inputs.client_id, request.output_config, name, doc.file,
            media if isinstance(media, str) else None, tuple(writer.injections), self.transport))
        # later versions answer a workflow step with a marker, earlier ones with ComfyUI's prompt id
        stage.answer = "workflow_generated" if self.b.simple_image_api or self.b.backend_types else None

    # -- the deprecated generator ---------------------------------------------------------------
    def generator(self, request: _Request, stage: _Stage) -> None:
        """No ``output_chunk``: the app's deprecated generator builds its ``sd35_standard`` workflow."""
        params = request.parameters
        name = str(params.get("workflow_template") or "sd35_standard")
        template: Template | None = self.run.template if name == "sd35_standard" else load_template(
            self.run.tree.root, name)
        if template is None:
            raise self.fail(f"the app's deprecated generator has no template {name!r}; it fails "
                            f"(\"Workflow-Template '{name}' nicht verfügbar\").", request.chunk, "/parameters")
        seed = self.run.rng.randrange(1, 2**32)
        try:
            workflow = template.generate(request.prompt, params, seed)
        except GeneratorError as exc:
            raise self.fail(f"{request.chunk.rel}: no output chunk, so the app's deprecated generator builds "
                            f"'{name}', and it raises on {exc}; the app fails ('ComfyUI-Legacy-Service-Fehler').",
                            request.config, "/parameters") from None
        self.r001(request, workflow)
        injections = [Injection("seed", node_id, "inputs.seed", "seed", seed) for node_id, node in workflow.items()
                      if isinstance(node, Mapping) and _mapping(node.get("inputs")).get("seed") == seed]
        stage.submissions.append(Submission(workflow, self.run.inputs.client_id, request.output_config, None, None,
                                            "image", tuple(injections), self.transport))

    def r001(self, request: _Request, workflow: Mapping[str, Any]) -> None:
        chunk = _mapping(request.chunk.data)
        config = _mapping(request.config.data)
        prompt = request.prompt
        shown = "its workflow object" if isinstance(prompt, Mapping) else repr(prompt)
        graph = ", ".join(sorted({str(n.get("class_type")) for n in workflow.values() if isinstance(n, Mapping)}))
        if chunk.get("workflow"):
            why = (f"pipeline names output chunk {request.chunk.rel!r} directly (no proxy chunk), so no "
                   "`output_chunk` parameter reaches the router")
            file, path = ((request.step[0].file, json_pointer("chunks", request.step[1])) if request.step
                          else (request.chunk.file, "/workflow"))
            fix = "List a proxy chunk (e.g. output_image) in the pipeline and name this chunk in OUTPUT_CHUNK."
        else:
            params = _mapping(config.get("parameters"))
            lower = [k for k in params if k != "OUTPUT_CHUNK" and str(k).upper() == "OUTPUT_CHUNK"]
            why = f"output config {request.output_config or self.run.config!r} sends no `output_chunk`"
            if lower:
                why += f" (it has {lower[0]!r} with an empty value)"
            file, path = request.config.file, "/parameters"
            fix = "Add OUTPUT_CHUNK to the config's parameters."
        self.run.add(Finding(
            "R001", f"{why}; the app silently submits its deprecated generator's 'sd35_standard' graph ({graph}) "
            f"with the prompt {shown} instead of the intended workflow. {fix}", file=file, path=path,
            actual=request.parameters.get("output_chunk")))


class DevserverGenerator:
    """The built-in generator for apps in the DevServer layout (a ``schemas/`` folder)."""

    def __init__(self, root: str | Path, options: DevserverOptions | None = None) -> None:
        self.root = Path(root)
        self.options = options or DevserverOptions()
        self.tree = load_tree(self.root)
        chunks = {name: doc.data for name, doc in self.tree.chunks.items()}
        detected = detect_behaviour(self.root, chunks, python_chunks=bool(self.tree.python_chunks))
        self.behaviour = detected.overridden(self.options.behaviour,
                                             where="render.behaviour (project file) / --behaviour")
        self.template = load_template(self.root)

    def configs(self) -> list[str]:
        return list(self.tree.configs)

    def render(self, config: str, mode: str, inputs: RenderInputs | None = None) -> Rendered:
        if mode not in MODES:
            raise ComfyContractError(f"unknown execution mode {mode!r}", hint=f"use one of {', '.join(MODES)}")
        doc = self.tree.configs.get(config)
        if doc is None:
            raise ComfyContractError(f"no config named {config!r} in {self.root.as_posix()!r}",
                                     hint="`comfy-contract render --list` prints the config names")
        inputs = inputs or RenderInputs()
        run = _Run(self, config, mode, inputs)
        routes: list[str] = []
        try:
            outcome, submissions, routes = run.top(doc)
        except _Stop as stop:
            run.add(stop.finding)
            outcome, submissions = "error", []
        data = _mapping(doc.data)
        media = _mapping(data.get("media_preferences")).get("default_output")
        legacy = _mapping(data.get("meta")).get("legacy_source")
        return Rendered(
            config=config, mode=mode, outcome=outcome, submissions=tuple(submissions),
            findings=tuple(run.findings), config_file=doc.file,
            media_type=media if isinstance(media, str) else None,
            legacy_source=legacy if isinstance(legacy, str) else None, inputs=inputs, sources=tuple(run.sources),
            route=", ".join(dict.fromkeys(routes)) or None,
        )
