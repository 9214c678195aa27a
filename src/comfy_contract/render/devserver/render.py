"""Render what the DevServer would submit for one (config, mode, inputs): devserver-layout.md §2.

The rendered workflow is what the app *really* sends, hazards included (an unresolved ``{{X}}`` stays
literal, a missing ``OUTPUT_CHUNK`` yields the hard-coded SD3.5 fallback). Every hazard met on the way
is a finding with a stable ``R`` code, located in the app file (and JSON pointer) where its cause lives.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.jsonio import json_pointer
from comfy_contract.render.devserver.placeholders import fill, find_cycles, names_in, sole_placeholder
from comfy_contract.render.devserver.tree import Doc, Tree, load_tree
from comfy_contract.render.model import MODES, Injection, Outcome, Rendered, RenderInputs, Submission

__all__ = ["DevserverGenerator", "DevserverOptions"]

BUILTINS = ("PREVIOUS_OUTPUT", "INPUT_TEXT", "USER_INPUT")
_PROMPT_SOURCES = frozenset(BUILTINS)
_SEED_FIELDS = frozenset({"seed", "noise_seed"})
_MISSING = object()


@dataclass(frozen=True)
class DevserverOptions:
    """Which version of the app to reproduce.

    ``stub_missing_nodes``: a mapping to a node id that is not in the workflow creates a stub node
    without ``class_type`` (later app versions) instead of being dropped (the documented default).
    ``typed_templates``: a proxy template that is exactly one placeholder keeps the value's type
    (the corrected semantics) instead of the app's ``str(value)``.
    ``resolve_sources``: mapping ``source`` placeholders are resolved from every placeholder (corrected)
    instead of only ``{{PREVIOUS_OUTPUT}}``-style built-ins (the app).
    """

    stub_missing_nodes: bool = False
    typed_templates: bool = False
    resolve_sources: bool = False


class _Stop(Exception):
    """Rendering this output path cannot go on (the app would have failed before ComfyUI)."""

    def __init__(self, finding: Finding) -> None:
        self.finding = finding
        super().__init__(finding.message)


@dataclass(frozen=True)
class _Value:
    """A value the proxy chunk hands to the output chunk, with where it came from."""

    value: Any
    role: str
    file: str | None = None  # where to fix it when it is wrong
    pointer: str | None = None


@dataclass
class _Stage:
    """Mutable state of one pipeline run (text flowing between steps)."""

    text: str
    placeholders: dict[str, Any] = field(default_factory=dict)  # from LLM JSON answers
    submissions: list[Submission] = field(default_factory=list)
    api: bool = False


@cache
def fallback_workflow() -> dict[str, Any]:
    """The hard-coded SD3.5 Large workflow (empty prompt) the app fell back to."""
    data = resources.files("comfy_contract.render.devserver").joinpath("fallback_sd35.json").read_text("utf-8")
    workflow: dict[str, Any] = json.loads(data)["workflow"]
    return workflow



def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


class _Run:
    """One render: collects findings, sources and the random stream."""

    def __init__(self, tree: Tree, config: str, mode: str, inputs: RenderInputs, options: DevserverOptions) -> None:
        self.tree, self.config, self.mode, self.inputs, self.options = tree, config, mode, inputs, options
        self.rng = random.Random(f"{inputs.seed}:{config}:{mode}")
        self.findings: list[Finding] = []
        self.sources: list[str] = []

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
    def top(self, doc: Doc) -> tuple[Outcome, list[Submission]]:
        config = self.use(doc)
        pipeline_doc = self.pipeline(config, doc)
        if _mapping(config.get("meta")).get("stage") == "output":
            return self.output_stage(self.config, doc, _Stage(self.inputs.user_text))
        params = self.parameters(config, pipeline_doc)
        stage = self.run_pipeline(doc, pipeline_doc, params, _Stage(self.inputs.user_text))
        if stage.submissions or stage.api:
            return ("workflow" if stage.submissions else "api"), stage.submissions
        return self.choose_outputs(doc, stage)

    def choose_outputs(self, doc: Doc, stage: _Stage) -> tuple[Outcome, list[Submission]]:
        choices = self.choices(doc)
        if not choices:
            self.add(Finding("R010", f"config {self.config!r} chooses no output config in {self.mode!r} mode: "
                             "the run is text-only, nothing is submitted to ComfyUI.",
                             severity=Severity.INFO, file=doc.file, path="/media_preferences"))
            return "text", []
        outcomes: list[Outcome] = []
        submissions: list[Submission] = []
        for name, file, pointer in choices:
            try:
                outcome, subs = self.output_config(name, file, pointer, stage)
            except _Stop as stop:
                self.add(stop.finding)
                outcome, subs = "error", []
            outcomes.append(outcome)
            submissions.extend(subs)
        order: tuple[Outcome, ...] = ("workflow", "api", "text")
        return next((kind for kind in order if kind in outcomes), "error"), submissions

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
            raise_missing = Finding("R009", f"config {self.config!r} needs the default {media!r} output config, but "
                                    "the tree has no output_config_defaults.json. Add it, or list "
                                    "`media_preferences.output_configs`.", file=doc.file,
                                    path="/media_preferences/default_output")
            raise _Stop(raise_missing)
        name = _mapping(self.use(defaults_doc).get(media)).get(self.mode)
        if not isinstance(name, str) or not name:
            return []
        return [(name, defaults_doc.file, json_pointer(media, self.mode))]

    def output_config(self, name: str, file: str | None, pointer: str | None,
                      stage: _Stage) -> tuple[Outcome, list[Submission]]:
        doc = self.tree.configs.get(name)
        if doc is None:
            where = f" ({file} {pointer})" if file else ""
            raise _Stop(Finding(
                "R009", f"output config {name!r} chosen by config {self.config!r}{where} is not in the tree; the app "
                "fails with 'config not found' before reaching ComfyUI. Add configs/output/"
                f"{name}.json or remove the name.", file=file, path=pointer, actual=name))
        return self.output_stage(name, doc, _Stage(stage.text, dict(stage.placeholders)))

    def output_stage(self, name: str, doc: Doc, stage: _Stage) -> tuple[Outcome, list[Submission]]:
        config = self.use(doc)
        pipeline_doc = self.pipeline(config, doc)
        params = self.parameters(config, pipeline_doc)
        self.check_cycles(params, doc)
        result = self.run_pipeline(doc, pipeline_doc, params, stage, output_config=name)
        if result.submissions:
            return "workflow", result.submissions
        kind: Outcome = "api" if result.api else "text"
        what = "a hosted API (api_output_chunk)" if result.api else "text only"
        self.add(Finding("R010", f"output config {name!r} produces {what}: nothing is submitted to ComfyUI.",
                         severity=Severity.INFO, file=doc.file))
        return kind, []

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

    def table(self, stage: _Stage, params: Mapping[str, Any]) -> dict[str, Any]:
        """The placeholder table in the app's order: built-ins, LLM answers, custom, parameters."""
        out: dict[str, Any] = {"PREVIOUS_OUTPUT": stage.text, "INPUT_TEXT": stage.text,
                               "USER_INPUT": self.inputs.user_text}
        for source in (stage.placeholders, self.inputs.custom_placeholders, params):
            for key, value in source.items():
                out.setdefault(str(key), value)
        return out

    # -- chunks -------------------------------------------------------------------------------
    def run_pipeline(self, config_doc: Doc, pipeline_doc: Doc, params: dict[str, Any], stage: _Stage,
                     output_config: str | None = None) -> _Stage:
        chunks = _mapping(pipeline_doc.data).get("chunks")
        if not isinstance(chunks, list):
            raise _Stop(Finding("R008", f"{pipeline_doc.rel}: `chunks` must be a list of chunk names, got "
                                f"{chunks!r}.", file=pipeline_doc.file, path="/chunks"))
        for index, raw in enumerate(chunks):
            chunk_doc = self.chunk(raw, params, pipeline_doc, index)
            chunk = self.use(chunk_doc)
            kind = chunk.get("type")
            if kind == "proxy_chunk":
                self.proxy(chunk_doc, config_doc, params, stage, output_config)
            elif kind == "output_chunk":
                values = {"prompt": _Value(stage.text, "prompt")}
                stage.submissions.append(self.output_chunk(chunk_doc, values, output_config, stage.text))
            elif kind == "api_output_chunk":
                stage.api = True
            elif kind in (None, "llm", "processing"):
                self.llm(chunk_doc, pipeline_doc, config_doc, stage)
            else:
                raise _Stop(Finding("R008", f"{chunk_doc.rel}: unknown chunk type {kind!r}; expected proxy_chunk, "
                                    "output_chunk, api_output_chunk or an LLM chunk.", file=chunk_doc.file,
                                    path="/type"))
        return stage

    def chunk(self, raw: Any, params: Mapping[str, Any], pipeline_doc: Doc, index: int) -> Doc:
        name = fill(raw, params).value if isinstance(raw, str) else raw
        doc = self.tree.chunks.get(name) if isinstance(name, str) else None
        if doc is None:
            shown = f"{raw!r}" if raw == name else f"{raw!r} (= {name!r})"
            raise _Stop(Finding("R006", f"pipeline chunk {shown} is not under chunks/; the app fails before "
                                "ComfyUI. Add the chunk or fix the name.", file=pipeline_doc.file,
                                path=json_pointer("chunks", index), actual=name))
        return doc

    def llm(self, chunk_doc: Doc, pipeline_doc: Doc, config_doc: Doc, stage: _Stage) -> None:
        chunk = _mapping(chunk_doc.data)
        template = chunk.get("template")
        if not isinstance(template, str):
            raise _Stop(Finding("R008", f"{chunk_doc.rel}: LLM chunk `template` is a {type(template).__name__}, not "
                                "a string; the app's placeholder substitution crashes on it and nothing is "
                                "submitted. Make `template` one string.", file=chunk_doc.file, path="/template"))
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

    # -- proxy and output chunks --------------------------------------------------------------
    def proxy(self, chunk_doc: Doc, config_doc: Doc, params: Mapping[str, Any], stage: _Stage,
              output_config: str | None) -> None:
        templates = _mapping(chunk_doc.data).get("parameters")
        if not isinstance(templates, Mapping):
            raise _Stop(Finding("R008", f"{chunk_doc.rel}: proxy chunk `parameters` must be an object.",
                                file=chunk_doc.file, path="/parameters"))
        table = self.table(stage, params)
        llm_names = set(stage.placeholders)
        values: dict[str, _Value] = {}
        stringified: list[str] = []
        for key, template in templates.items():
            filled = fill(template, table, typed=self.options.typed_templates)
            if filled.stringified:
                stringified.append(f"{key!r} = {filled.value!r}")
            if filled.resubstituted:
                self.add(Finding("R013", f"proxy parameter {key!r}: the text inserted for "
                                 f"{', '.join(filled.used)} contained {{{{{'}}, {{'.join(filled.resubstituted)}}}}}, "
                                 "which the app substituted again.", severity=Severity.WARNING,
                                 file=chunk_doc.file, path=json_pointer("parameters", key)))
            role = self.role(key, filled.used, filled.unresolved, llm_names)
            fix_file, fix_ptr = (config_doc.file, "/parameters") if filled.unresolved else (chunk_doc.file, None)
            if role == "prompt" and filled.unresolved:
                fix_file, fix_ptr = config_doc.file, "/context"
            values[str(key)] = _Value(filled.value, role, fix_file, fix_ptr or json_pointer("parameters", key))
        if stringified:
            self.add(Finding("R005", f"proxy chunk {chunk_doc.rel!r} turned numbers into strings (the app uses "
                             f"str(value)): {', '.join(stringified)}.", severity=Severity.INFO,
                             file=chunk_doc.file, path="/parameters"))
        target = values.pop("output_chunk", None)
        name = target.value if target is not None else None
        if not isinstance(name, str) or not name or names_in(name):
            stage.submissions.append(self.fallback(chunk_doc, config_doc, params, name, output_config))
            return
        out_doc = self.tree.chunks.get(name)
        if out_doc is None:
            raise _Stop(Finding("R006", f"proxy chunk {chunk_doc.rel!r} names output chunk {name!r}, which is not "
                                "under chunks/. Fix OUTPUT_CHUNK in the output config.", file=config_doc.file,
                                path="/parameters/OUTPUT_CHUNK", actual=name))
        out_chunk = self.use(out_doc)
        if out_chunk.get("type") == "api_output_chunk":
            stage.api = True
            return
        if out_chunk.get("type") != "output_chunk":
            raise _Stop(Finding("R008", f"{out_doc.rel}: named as output chunk by {chunk_doc.rel!r} but its type "
                                f"is {out_chunk.get('type')!r}, not 'output_chunk'.", file=out_doc.file, path="/type"))
        stage.submissions.append(self.output_chunk(out_doc, values, output_config, stage.text))

    @staticmethod
    def role(key: str, used: Iterable[str], unresolved: list[str], llm_names: set[str]) -> str:
        if any(n in _PROMPT_SOURCES or n in llm_names for n in used):
            return "prompt"
        if key in _SEED_FIELDS:
            return "seed"
        return "unresolved" if unresolved else "parameter"

    def fallback(self, chunk_doc: Doc, config_doc: Doc, params: Mapping[str, Any], name: Any,
                 output_config: str | None) -> Submission:
        lower = [k for k in params if k != "OUTPUT_CHUNK" and k.upper() == "OUTPUT_CHUNK"]
        why = "has no 'OUTPUT_CHUNK' parameter"
        if lower:
            why += f" (it has {lower[0]!r}; placeholder names are case-sensitive)"
        path = json_pointer("parameters", lower[0]) if lower else "/parameters"
        self.add(Finding("R001", f"output config {output_config!r} {why}, so proxy chunk {chunk_doc.rel!r} sent "
                         f"output_chunk={name!r} and the app silently fell back to its hard-coded SD3.5 workflow "
                         "with an empty prompt. Add OUTPUT_CHUNK to the config's parameters.",
                         file=config_doc.file, path=path, actual=name))
        workflow = copy.deepcopy(fallback_workflow())
        seed = self.rng.randrange(2**32)
        workflow["3"]["inputs"]["seed"] = seed
        injection = Injection("seed", "3", "inputs.seed", "seed", seed)
        return Submission(workflow, self.inputs.client_id, output_config, None, None, "image", (injection,))

    def output_chunk(self, doc: Doc, values: Mapping[str, _Value], output_config: str | None,
                     text: str) -> Submission:
        chunk = _mapping(doc.data)
        source_workflow = chunk.get("workflow")
        if not isinstance(source_workflow, Mapping) or not source_workflow:
            raise _Stop(Finding("R008", f"{doc.rel}: output chunk has no `workflow` object.", file=doc.file,
                                path="/workflow"))
        workflow: dict[str, Any] = copy.deepcopy(dict(source_workflow))
        mappings = chunk.get("input_mappings") or {}
        if not isinstance(mappings, Mapping):
            raise _Stop(Finding("R008", f"{doc.rel}: `input_mappings` must be an object.", file=doc.file,
                                path="/input_mappings"))
        writer = _Writer(self, doc, workflow, text)
        for key, spec in mappings.items():
            items = list(enumerate(spec)) if isinstance(spec, list) else [(None, spec)]
            for index, item in items:
                pointer = json_pointer("input_mappings", key) + ("" if index is None else f"/{index}")
                writer.apply(str(key), item, pointer, values)
        writer.prompt_injection(chunk.get("prompt_injection"), values)
        writer.scan_unresolved()
        media = chunk.get("media_type")
        return Submission(workflow, self.inputs.client_id, output_config, str(chunk.get("name") or doc.rel),
                          doc.file, media if isinstance(media, str) else None, tuple(writer.injections))


class _Writer:
    """Applies one output chunk's input mappings to its deep-copied workflow."""

    def __init__(self, run: _Run, doc: Doc, workflow: dict[str, Any], text: str) -> None:
        self.run, self.doc, self.workflow, self.text = run, doc, workflow, text
        self.injections: list[Injection] = []
        self.causes: dict[tuple[str, str], tuple[str | None, str | None]] = {}

    def resolve(self, key: str, item: Mapping[str, Any], pointer: str,
                values: Mapping[str, _Value]) -> tuple[Any, str, str | None]:
        if key in values:
            return values[key].value, values[key].role, None
        if "default" in item:
            return item["default"], "default", None
        source = item.get("source")
        if not isinstance(source, str):
            return _MISSING, "", None
        name = sole_placeholder(source)
        if name in BUILTINS:
            return (self.run.inputs.user_text if name == "USER_INPUT" else self.text), "prompt", source
        known = {k.upper(): v.value for k, v in values.items()}
        if self.run.options.resolve_sources and name is not None and name in known:
            return known[name], "prompt", source
        self.run.add(Finding("R004", f"input mapping {key!r} of {self.doc.rel!r} has source {source!r}, which the "
                             "app never resolves (it knows only {{PREVIOUS_OUTPUT}}-style built-ins) and no value "
                             "arrives under that key, so the input gets ''. Send the value under this key from "
                             "the proxy chunk, or use {{PREVIOUS_OUTPUT}}.", file=self.doc.file,
                             path=pointer + "/source", node_id=str(item.get("node_id")), actual=source))
        return "", "unresolved", source

    def apply(self, key: str, item: Any, pointer: str, values: Mapping[str, _Value]) -> None:
        if not isinstance(item, Mapping) or not isinstance(item.get("field"), str) or "node_id" not in item:
            self.run.add(Finding("R008", f"{self.doc.rel}: input mapping {key!r} needs `node_id` and a string "
                                 f"`field`, got {item!r}.", file=self.doc.file, path=pointer))
            return
        value, role, source = self.resolve(key, item, pointer, values)
        if value is _MISSING:
            return
        node_id, field_path = str(item["node_id"]), str(item["field"])
        if role in ("seed", "default", "parameter") and value == "random" and (
                key in _SEED_FIELDS or field_path.rsplit(".", 1)[-1] in _SEED_FIELDS):
            value, role = self.run.rng.randrange(2**32), "seed"
            self.run.add(Finding("R012", f"{self.doc.rel}: {key!r} is 'random', drawn per request by the app; "
                                 f"rendered from seed {self.run.inputs.seed}.", severity=Severity.INFO,
                                 file=self.doc.file, path=pointer))
        elif key in _SEED_FIELDS and role in ("default", "parameter"):
            role = "seed"
        if not self.write(node_id, field_path, value, pointer, key):
            return
        origin = values.get(key)
        if origin is not None and origin.role in ("unresolved", "prompt"):
            self.causes[(node_id, field_path)] = (origin.file, origin.pointer)
        self.injections.append(Injection(key, node_id, field_path, role, value, source, self.doc.file, pointer))

    def write(self, node_id: str, field_path: str, value: Any, pointer: str, key: str) -> bool:
        if node_id not in self.workflow:
            action = ("created a stub node without class_type" if self.run.options.stub_missing_nodes
                      else "dropped the value")
            self.run.add(Finding("R003", f"input mapping {key!r} of {self.doc.rel!r} targets node {node_id!r}, which "
                                 f"is not in the chunk's workflow; the app {action}. Fix `node_id` (nodes: "
                                 f"{', '.join(sorted(self.workflow, key=str))}).", file=self.doc.file,
                                 path=pointer + "/node_id", node_id=node_id, actual=node_id))
            if not self.run.options.stub_missing_nodes:
                return False
            self.workflow[node_id] = {}
        target = self.workflow[node_id]
        if not isinstance(target, dict):
            return False
        *parents, leaf = field_path.split(".")
        for part in parents:
            nxt = target.get(part)
            if not isinstance(nxt, dict):
                nxt = target[part] = {}
            target = nxt
        target[leaf] = value
        return True

    def prompt_injection(self, spec: Any, values: Mapping[str, _Value]) -> None:
        if not isinstance(spec, Mapping):
            return
        prompt = values["prompt"].value if "prompt" in values else self.text
        title = spec.get("search_by_title")
        titled = [k for k, n in self.workflow.items()
                  if isinstance(n, dict) and title and _mapping(n.get("_meta")).get("title") == title]
        if titled:
            node_id = str(titled[0])
            field_path = "inputs.value" if "value" in _mapping(self.workflow[node_id].get("inputs")) else "inputs.text"
        else:
            node_id, field_path = str(spec.get("fallback_node")), str(spec.get("fallback_field") or "inputs.text")
        if self.write(str(node_id), field_path, prompt, "/prompt_injection", "prompt_injection"):
            self.injections.append(Injection("prompt", str(node_id), field_path, "prompt", prompt, None,
                                             self.doc.file, "/prompt_injection"))

    def scan_unresolved(self) -> None:
        for node_id, node in self.workflow.items():
            inputs = node.get("inputs") if isinstance(node, dict) else None
            if not isinstance(inputs, dict):
                continue
            for name, value in inputs.items():
                for text in _strings(value):
                    if names_in(text):
                        self.unresolved(str(node_id), node, str(name), text)

    def unresolved(self, node_id: str, node: Mapping[str, Any], name: str, text: str) -> None:
        file, pointer = self.causes.get(
            (node_id, f"inputs.{name}"), (self.doc.file, json_pointer("workflow", node_id, "inputs", name)))
        class_type = node.get("class_type")
        names = ", ".join(names_in(text))
        self.run.add(Finding(
            "R002", f"{class_type or 'node'} {node_id!r} input {name!r} is submitted as {text!r} "
            f"(workflow {json_pointer(node_id, 'inputs', name)}): no value for {names}. Provide the parameter or fix "
            "its name.", node_id=node_id, class_type=class_type if isinstance(class_type, str) else None,
            input=name, file=file, path=pointer, actual=text))


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)


class DevserverGenerator:
    """The built-in generator for apps in the DevServer layout (a ``schemas/`` folder)."""

    def __init__(self, root: str | Path, options: DevserverOptions | None = None) -> None:
        self.root = Path(root)
        self.options = options or DevserverOptions()
        self.tree = load_tree(self.root)

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
        run = _Run(self.tree, config, mode, inputs, self.options)
        try:
            outcome, submissions = run.top(doc)
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
        )
