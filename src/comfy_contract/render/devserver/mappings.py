"""Writing a request's values into an output chunk's workflow, as the DevServer's router does.

``input_mappings`` (devserver-today.md §4.5, the same since November 2025): each key takes the request
parameter of exactly that name, else the first mapping's ``default``, else - only for a ``source`` of exactly
``{{PREVIOUS_OUTPUT}}`` - the prompt. A key whose value is still ``None`` is skipped, so the chunk's own literal
stays. ``"random"`` under the key ``seed`` becomes a drawn integer. A list of mappings writes one value to
every target. Mappings without ``node_id`` are the template form: ``{{KEY}}`` (or the mapping's ``template``)
is replaced in the workflow's JSON text. LoRA nodes are chained after the checkpoint loader.

Every write is an :class:`~comfy_contract.render.model.Injection`, and every hazard a finding located in the
chunk file (and JSON pointer) where it can be fixed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.jsonio import json_pointer
from comfy_contract.render.devserver.placeholders import names_in
from comfy_contract.render.devserver.tree import Doc
from comfy_contract.render.model import Injection

__all__ = ["Origin", "Writer", "inject_loras"]

_SEED_FIELDS = frozenset({"seed", "noise_seed"})


@dataclass(frozen=True)
class Origin:
    """Where a request parameter came from: its role and the file/pointer where it can be fixed."""

    role: str  # prompt | seed | parameter | unresolved
    file: str | None = None
    pointer: str | None = None


@dataclass
class Writer:
    """Applies one chunk's mappings to its (already copied) workflow and collects injections and findings."""

    doc: Doc
    workflow: dict[str, Any]
    rng: random.Random
    seed_label: int
    stub_missing_nodes: bool
    origins: Mapping[str, Origin] = field(default_factory=dict)
    injections: list[Injection] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    causes: dict[tuple[str, str], tuple[str | None, str | None]] = field(default_factory=dict)

    def add(self, finding: Finding) -> None:
        if finding not in self.findings:
            self.findings.append(finding)

    # -- node-based mappings ----------------------------------------------------------------------
    def apply(self, mappings: Mapping[str, Any], data: Mapping[str, Any]) -> None:
        """``_apply_input_mappings``: ``data`` is ``{'prompt': text, **parameters}``."""
        for key, spec in mappings.items():
            items = list(spec) if isinstance(spec, list) else [spec]
            base = json_pointer("input_mappings", key)
            first = items[0] if items and isinstance(items[0], Mapping) else {}
            value, role = self._value(str(key), first, data, base)
            if value is None:
                continue
            for index, item in enumerate(items):
                pointer = base if not isinstance(spec, list) else f"{base}/{index}"
                self._write_one(str(key), item, value, role, pointer)

    def _value(self, key: str, first: Mapping[str, Any], data: Mapping[str, Any], pointer: str) -> tuple[Any, str]:
        if data.get(key) is not None:
            origin = self.origins.get(key)
            role = origin.role if origin else ("prompt" if key == "prompt" else "parameter")
            value = data[key]
        elif first.get("default") is not None:
            value, role = first["default"], "default"
        elif first.get("source") == "{{PREVIOUS_OUTPUT}}":
            value, role = data.get("prompt", ""), "prompt"
        else:
            source = first.get("source")
            if isinstance(source, str) and names_in(source):
                self.add(Finding(
                    "R004", f"input mapping {key!r} of {self.doc.rel!r} has source {source!r}, which the app never "
                    "resolves (only exactly '{{PREVIOUS_OUTPUT}}' is) and no parameter named "
                    f"{key!r} arrives, so the app skips it and the workflow keeps the chunk's literal. Send a "
                    f"parameter {key!r} from the proxy chunk or config, or use {{{{PREVIOUS_OUTPUT}}}}.",
                    file=self.doc.file, path=pointer + "/source", node_id=str(first.get("node_id")), actual=source))
            return None, ""
        if value == "random" and key == "seed":
            value, role = self.rng.randrange(2**32), "seed"
            self.add(Finding("R012", f"{self.doc.rel}: 'seed' is 'random', drawn per request by the app; rendered "
                             f"from seed {self.seed_label}.", severity=Severity.INFO, file=self.doc.file,
                             path=pointer))
        elif key in _SEED_FIELDS and role in ("default", "parameter"):
            role = "seed"
        return value, role

    def _write_one(self, key: str, item: Any, value: Any, role: str, pointer: str) -> None:
        if not isinstance(item, Mapping) or not item.get("node_id") or not isinstance(item.get("field"), str):
            self.add(Finding("R008", f"{self.doc.rel}: input mapping {key!r} needs `node_id` and a string `field`, "
                             f"got {item!r}; the app skips it.", severity=Severity.WARNING, file=self.doc.file,
                             path=pointer))
            return
        node_id, field_path = str(item["node_id"]), str(item["field"])
        if not self.write(node_id, field_path, value, pointer, key):
            return
        origin = self.origins.get(key)
        if origin is not None and origin.role in ("unresolved", "prompt"):
            self.causes[(node_id, field_path)] = (origin.file, origin.pointer)
        self.injections.append(Injection(key, node_id, field_path, role, value, item.get("source"),
                                         self.doc.file, pointer))

    def write(self, node_id: str, field_path: str, value: Any, pointer: str, key: str) -> bool:
        if node_id not in self.workflow:
            action = "created a node without class_type" if self.stub_missing_nodes else "dropped the value"
            self.add(Finding("R003", f"input mapping {key!r} of {self.doc.rel!r} targets node {node_id!r}, which is "
                             f"not in the chunk's workflow; the app {action}. Fix `node_id` (nodes: "
                             f"{', '.join(sorted(self.workflow, key=str))}).", file=self.doc.file,
                             path=pointer + "/node_id", node_id=node_id, actual=node_id))
            if not self.stub_missing_nodes:
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

    # -- template-based mappings ------------------------------------------------------------------
    def apply_templates(self, mappings: Mapping[str, Any], data: Mapping[str, Any]) -> dict[str, Any]:
        """Mappings without ``node_id``: replace ``{{KEY}}`` in the workflow's JSON text; returns the new workflow."""
        text = json.dumps(self.workflow)
        for key, spec in mappings.items():
            spec = spec if isinstance(spec, Mapping) else {}
            value = data.get(key)
            if value is None:
                value = spec.get("default", "")
            if value == "random" and key == "seed":
                value = self.rng.randrange(2**32)
            token = spec.get("template", "{{" + str(key).upper() + "}}")
            text = text.replace(str(token), str(value))
        try:
            workflow: dict[str, Any] = json.loads(text)
        except ValueError:
            self.add(Finding("R008", f"{self.doc.rel}: a template mapping's value broke the workflow's JSON; the app "
                             "fails with a decode error.", file=self.doc.file, path="/input_mappings"))
            return self.workflow
        self.workflow = workflow
        return workflow

    # -- prompt injection (legacy workflows) ------------------------------------------------------
    def inject_by_title(self, title: str, prompt: Any, fallback: tuple[str | None, str] | None = None) -> bool:
        """The node whose ``_meta.title`` is ``title`` gets ``prompt`` in ``inputs.value`` or ``inputs.text``."""
        for node_id, node in self.workflow.items():
            if not isinstance(node, dict) or _mapping(node.get("_meta")).get("title") != title:
                continue
            inputs = _mapping(node.get("inputs"))
            for name in ("value", "text"):
                if name in inputs:
                    node["inputs"][name] = prompt
                    self.injections.append(Injection("prompt", str(node_id), f"inputs.{name}", "prompt", prompt,
                                                     None, self.doc.file, "/prompt_injection"))
                    return True
        if fallback is not None and fallback[0] is not None and fallback[0] in self.workflow:
            node_id, field_name = fallback[0], fallback[1]
            inputs = _mapping(_mapping(self.workflow[node_id]).get("inputs"))
            if field_name in inputs:
                self.workflow[node_id]["inputs"][field_name] = prompt
                self.injections.append(Injection("prompt", node_id, f"inputs.{field_name}", "prompt", prompt, None,
                                                 self.doc.file, "/prompt_injection"))
                return True
        return False

    # -- what is left unfilled --------------------------------------------------------------------
    def scan_unresolved(self) -> None:
        for node_id, node in self.workflow.items():
            inputs = node.get("inputs") if isinstance(node, dict) else None
            if not isinstance(inputs, dict):
                continue
            for name, value in inputs.items():
                for text in _strings(value):
                    if names_in(text):
                        self._unresolved(str(node_id), node, str(name), text)

    def _unresolved(self, node_id: str, node: Mapping[str, Any], name: str, text: str) -> None:
        file, pointer = self.causes.get(
            (node_id, f"inputs.{name}"), (self.doc.file, json_pointer("workflow", node_id, "inputs", name)))
        class_type = node.get("class_type")
        names = ", ".join(names_in(text))
        self.add(Finding(
            "R002", f"{class_type or 'node'} {node_id!r} input {name!r} is submitted as {text!r} "
            f"(workflow {json_pointer(node_id, 'inputs', name)}): no value for {names}. Provide the parameter or fix "
            "its name.", node_id=node_id, class_type=class_type if isinstance(class_type, str) else None,
            input=name, file=file, path=pointer, actual=text))


def inject_loras(workflow: dict[str, Any], loras: Iterable[Any]) -> dict[str, Any]:
    """Chain a ``LoraLoader`` per LoRA after the first ``CheckpointLoaderSimple`` (new ids after the largest).

    Nodes that took ``model`` from the checkpoint then take it from the last LoRA; CLIP comes from a
    ``DualCLIPLoader`` if the workflow has one, else from the checkpoint. A workflow without a checkpoint
    loader, or with no node consuming its model, is left as it is.
    """
    loras = [lora for lora in loras if isinstance(lora, Mapping) and "name" in lora]
    checkpoint = next((k for k, n in workflow.items()
                       if isinstance(n, dict) and n.get("class_type") == "CheckpointLoaderSimple"), None)
    if checkpoint is None or not loras:
        return workflow
    consumers = [k for k, n in workflow.items()
                 if isinstance(n, dict) and _mapping(n.get("inputs")).get("model") == [checkpoint, 0]]
    clip = next(([k, 0] for k, n in workflow.items()
                 if isinstance(n, dict) and n.get("class_type") == "DualCLIPLoader"), None)
    if not consumers:
        return workflow
    numeric = [int(k) for k in workflow if str(k).isdigit()]
    next_id = max(numeric) + 1 if numeric else 100
    model: list[Any] = [checkpoint, 0]
    clip_src: list[Any] = clip or [checkpoint, 1]
    for offset, lora in enumerate(loras):
        node_id = str(next_id + offset)
        strength = lora.get("strength", 1.0)
        workflow[node_id] = {"inputs": {"lora_name": lora["name"], "strength_model": strength,
                                        "strength_clip": strength, "model": model, "clip": clip_src},
                             "class_type": "LoraLoader", "_meta": {"title": f"LoRA: {lora['name']}"}}
        model, clip_src = [node_id, 0], [node_id, 1]
    for consumer in consumers:
        workflow[consumer]["inputs"]["model"] = model
    return workflow


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
