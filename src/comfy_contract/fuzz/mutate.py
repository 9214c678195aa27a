"""Mutation testing of the gate: realistic edits to the app's files, and whether ``check`` notices them.

``hunt`` asks "which *request* breaks a config?"; this module asks the converse question of issue 16:
"if someone edits a config, pipeline or chunk, does the gate notice?". Each :class:`Mutant` is one small
edit to one JSON (or, for an adapter app, YAML) file of the app (drop or re-case a key, point a mapping
elsewhere, swap a chunk name, delete a node or a link, change a model file or a sampler ...). For each mutant
the configs that read the file are re-rendered and classified:

- ``equivalent``: every submission is unchanged after the snapshot normalisation (same outcome, same route,
  the same canonical graphs, the user's text reaching the same inputs) — nothing to catch;
- ``killed``: the project's gate (the same :class:`~comfy_contract.check.engine.Engine` and
  :class:`~comfy_contract.check.engine.Suite` as ``check``: render, validate per backend, lints, contracts,
  snapshots) reports a finding at or above ``fail_on`` that the unmutated config did not have;
- ``survived``: what the app submits changed and nothing new is reported — a blind spot of the contracts
  and snapshots (code ``F003``). Survivors carry the graph diff and a suggested fix.

Where an edit is applied is a :mod:`~comfy_contract.fuzz.workspace`: in memory for a DevServer tree (the one
mutated document overlaid on the loaded tree), a temporary copy of the project for an adapter app.
Hypothesis draws (operator, file, target) with :func:`mutant_strategy`; each survivor is shrunk to the
simplest edit (operators are ordered from simplest, and so are files and targets) by :func:`hypothesis.find`.

Reports in every format: :mod:`~comfy_contract.fuzz.mutation_report`; survivor files and their replay:
:mod:`~comfy_contract.fuzz.survivors`. Cross-config project lints and the baseline are not part of the per-mutant gate.
"""

from __future__ import annotations

import copy
import fnmatch
import glob
import json
import random
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import NoSuchExample, Unsatisfiable

from comfy_contract.check.engine import ConfigChecked, Engine, Selection, Suite
from comfy_contract.check.results import CheckResult
from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.findings import Severity
from comfy_contract.fuzz.workspace import (  # noqa: F401 - overlay: kept importable from here
    Names,
    Workspace,
    overlay,
    tree_documents,
    tree_names,
    workspace_for,
)
from comfy_contract.render.devserver.tree import Tree
from comfy_contract.render.model import Rendered
from comfy_contract.snapshot.canonical import Normalisation, canonicalize
from comfy_contract.snapshot.diff import ChangeKind, GraphDiff, diff

__all__ = [
    "OPERATORS",
    "ConfigScore",
    "Mutant",
    "MutantResult",
    "MutationOptions",
    "MutationReport",
    "Operator",
    "enumerate_mutants",
    "mutant_strategy",
    "mutation_campaign",
]

Verdict = Literal["equivalent", "killed", "survived"]

#: keys whose absence or case the app is sensitive to (issue 16's list)
KEYS = ("OUTPUT_CHUNK", "output_chunk", "pipeline", "media_type", "requires_workflow", "backend_type",
        "fallback_chunk")
#: keys whose string value names another file of the tree
_REFERENCES = {"OUTPUT_CHUNK": "chunk", "output_chunk": "chunk", "fallback_chunk": "chunk", "pipeline": "pipeline",
               "chunk": "chunk", "default_output_config": "config", "output_config": "config"}
#: workflow inputs that are literals worth changing, and the replacement values tried
_LITERALS: dict[str, tuple[Any, ...]] = {
    "sampler_name": ("euler_ancestral", "dpmpp_2m"),
    "scheduler": ("karras", "normal"),
    "width": (768, 1536),
    "height": (768, 1536),
    "steps": (4, 50),
    "cfg": (1.0, 9.0),
    "denoise": (0.5,),
    "batch_size": (4,),
}
_MODEL_SUFFIXES = (".safetensors", ".ckpt", ".pt", ".pth", ".gguf", ".sft")


# --- mutants and operators --------------------------------------------------------------------------
@dataclass(frozen=True)
class Mutant:
    """One edit: ``operator`` applied to ``file`` (relative to the tree root) at ``path`` (a JSON pointer)."""

    operator: str
    file: str
    path: str
    description: str
    data: Mapping[str, Any] = field(compare=False, repr=False, hash=False)

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.operator, self.file, self.path, self.description)

    def to_dict(self) -> dict[str, Any]:
        return {"operator": self.operator, "file": self.file, "path": self.path, "description": self.description}


Finder = Callable[[str, Mapping[str, Any], "Names"], Iterator[tuple[str, str, Callable[[Any], None]]]]


@dataclass(frozen=True)
class Operator:
    """A mutation operator: ``find(rel, data, names)`` yields (JSON pointer, description, edit), where
    ``edit(copy)`` changes a deep copy of the document in place."""

    name: str
    summary: str
    find: Finder


def _tok(key: Any) -> str:
    return str(key).replace("~", "~0").replace("/", "~1")


def _walk(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, value
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _walk(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _walk(v, (*path, i))


def _get(doc: Any, path: Sequence[Any]) -> Any:
    for p in path:
        doc = doc[p]
    return doc


def _pointer(path: Sequence[Any]) -> str:
    return "".join(f"/{_tok(p)}" for p in path)


def _workflows(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    """Embedded API-format workflows (``workflow`` of a chunk): node id -> {class_type, inputs}."""
    wf = data.get("workflow")
    if isinstance(wf, Mapping) and wf and all(isinstance(n, Mapping) and "class_type" in n for n in wf.values()):
        yield ("workflow",), wf


def _keyed(key: Any, path: tuple[Any, ...], names: Names) -> bool:
    """Whether ``drop-key``/``recase-key`` edit ``key`` at ``path``: the keys the DevServer reads, or (an adapter
    app, ``names.keys is None``) any key outside an embedded workflow's nodes."""
    if names.keys is not None:
        return key in names.keys
    return isinstance(key, str) and "workflow" not in path and not any(isinstance(p, int) for p in path)


def _drop_key(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    for path, value in _walk(data):
        if isinstance(value, Mapping):
            for key in value:
                if _keyed(key, path, names):
                    def edit(doc: Any, path: tuple[Any, ...] = path, key: str = key) -> None:
                        del _get(doc, path)[key]
                    yield _pointer((*path, key)), f"drop {key!r}", edit


def _recase_key(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    for path, value in _walk(data):
        if isinstance(value, Mapping):
            for key in value:
                if _keyed(key, path, names):
                    new = key.lower() if key != key.lower() else key.upper()
                    if new in value:
                        continue

                    def edit(doc: Any, path: tuple[Any, ...] = path, key: str = key, new: str = new) -> None:
                        parent = _get(doc, path)
                        parent[new] = parent.pop(key)
                    yield _pointer((*path, key)), f"rename key {key!r} -> {new!r}", edit


def _references(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    for path, value in _walk(data):
        if path and isinstance(value, str) and value and isinstance(path[-1], str) and path[-1] in _REFERENCES:
            yield path, path[-1], value
    chunks = data.get("chunks")  # a pipeline's chunk list
    if isinstance(chunks, list):
        for i, name in enumerate(chunks):
            if isinstance(name, str):
                yield ("chunks", i), "chunk", name


def _set(path: tuple[Any, ...], new: Any) -> Callable[[Any], None]:
    def edit(doc: Any) -> None:
        _get(doc, path[:-1])[path[-1]] = new
    return edit


def _swap_name(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    for path, key, value in _references(data):
        kind = _REFERENCES.get(key, "chunk")
        others = [n for n in names.of(kind) if n != value]
        other = _nearest(value, others)
        if other is not None:
            yield _pointer(path), f"{key} {value!r} -> {other!r} (another {kind})", _set(path, other)
        yield _pointer(path), f"{key} {value!r} -> {value + '_missing'!r} (no such {kind})", \
            _set(path, value + "_missing")


def _recase_value(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    for path, key, value in _references(data):
        new = value.upper() if value != value.upper() else value.lower()
        if new != value:
            yield _pointer(path), f"{key} {value!r} -> {new!r} (case)", _set(path, new)


def _nearest(value: str, others: Sequence[str]) -> str | None:
    """The other name sharing the longest prefix with ``value`` (a plausible slip), ties by name."""
    if not others:
        return None

    def common(o: str) -> int:
        n = 0
        for a, b in zip(value, o, strict=False):
            if a != b:
                break
            n += 1
        return n
    return sorted(others, key=lambda o: (-common(o), o))[0]


def _mappings(data: Mapping[str, Any]) -> Iterator[tuple[tuple[Any, ...], Mapping[str, Any]]]:
    raw = data.get("input_mappings")
    if isinstance(raw, Mapping):
        for name, m in raw.items():
            if isinstance(m, Mapping):
                yield ("input_mappings", name), m


def _mapping_node(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    ids = [str(k) for _, wf in _workflows(data) for k in wf]
    for path, m in _mappings(data):
        node = m.get("node_id")
        if node is None:
            continue
        other = next((i for i in ids if i != str(node)), None)
        if other is not None:
            yield _pointer((*path, "node_id")), f"mapping {path[-1]!r}: node_id {node!r} -> {other!r}", \
                _set((*path, "node_id"), other)
        yield _pointer((*path, "node_id")), f"mapping {path[-1]!r}: node_id {node!r} -> '999' (missing)", \
            _set((*path, "node_id"), "999")


def _mapping_field(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    wfs = [wf for _, wf in _workflows(data)]
    for path, m in _mappings(data):
        fld, node = m.get("field"), m.get("node_id")
        if not isinstance(fld, str):
            continue
        inputs: list[str] = []
        for wf in wfs:
            n = wf.get(str(node))
            if isinstance(n, Mapping) and isinstance(n.get("inputs"), Mapping):
                inputs = [str(i) for i in n["inputs"] if f"inputs.{i}" != fld]
        new = f"inputs.{inputs[0]}" if inputs else fld + "_x"
        yield _pointer((*path, "field")), f"mapping {path[-1]!r}: field {fld!r} -> {new!r}", \
            _set((*path, "field"), new)
    for path, m in _mappings(data):
        src = m.get("source")
        if isinstance(src, str) and "{{" in src:
            new = "{{USER_INPUT}}" if src != "{{USER_INPUT}}" else "{{PREVIOUS_OUTPUT}}"
            yield _pointer((*path, "source")), f"mapping {path[-1]!r}: source {src!r} -> {new!r}", \
                _set((*path, "source"), new)


def _delete_node(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    for path, wf in _workflows(data):
        for nid, node in wf.items():
            def edit(doc: Any, path: tuple[Any, ...] = path, nid: str = nid) -> None:
                del _get(doc, path)[nid]
            yield _pointer((*path, nid)), f"delete node {nid!r} ({node.get('class_type')})", edit


def _delete_link(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    for path, wf in _workflows(data):
        for nid, node in wf.items():
            inputs = node.get("inputs")
            if not isinstance(inputs, Mapping):
                continue
            for name, value in inputs.items():
                if isinstance(value, list) and len(value) == 2 and isinstance(value[1], int):
                    def edit(doc: Any, p: tuple[Any, ...] = (*path, nid, "inputs"), name: str = name) -> None:
                        del _get(doc, p)[name]
                    yield (_pointer((*path, nid, "inputs", name)),
                           f"delete link {node.get('class_type')} {nid!r}.{name} <- {value[0]!r}", edit)


def _change_literal(rel: str, data: Mapping[str, Any], names: Names
                    ) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    for path, value in _walk(data):
        if not path or isinstance(value, Mapping | list | bool):
            continue
        key = str(path[-1])
        new: Any = None
        if isinstance(value, str) and value.lower().endswith(_MODEL_SUFFIXES):
            stem, _dot, ext = value.rpartition(".")
            new = f"{stem}_v2.{ext}"
        elif key in _LITERALS and isinstance(value, int | float | str):
            new = next((v for v in _LITERALS[key] if v != value and type(v) is type(value)), None)
        elif key.upper() in ("SAMPLER", "SCHEDULER", "WIDTH", "HEIGHT", "STEPS", "CFG"):
            alias = {"SAMPLER": "sampler_name"}.get(key.upper(), key.lower())
            new = next((v for v in _LITERALS.get(alias, ()) if v != value and type(v) is type(value)), None)
        if new is not None:
            yield _pointer(path), f"{key}: {value!r} -> {new!r}", _set(path, new)


_PLACEHOLDER = re.compile(r"\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}")


def _drop_placeholder(rel: str, data: Mapping[str, Any], names: Names
                      ) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    """Remove a ``{{NAME}}`` or ``{name}`` token from a template text (the user's text or a parameter is no
    longer inserted), or empty a text that is only that token."""
    for path, value in _walk(data):
        if not path or not isinstance(value, str) or path[-1] in ("source", "description"):
            continue
        match = _PLACEHOLDER.search(value)
        if match is None:
            continue
        new = (value[:match.start()] + value[match.end():]).strip(" ,")
        yield _pointer(path), f"{path[-1]}: drop {match.group(0)!r} from {_short(value)!r}", _set(path, new)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n - 3] + "..."


def _edit_text(rel: str, data: Mapping[str, Any], names: Names) -> Iterator[tuple[str, str, Callable[[Any], None]]]:
    for path, value in _walk(data):
        if path and path[0] == "description" and isinstance(value, str):
            yield _pointer(path), "edit the description text", _set(path, value + " (edited)")
            return


#: the operators, simplest first (Hypothesis shrinks towards the first)
OPERATORS: tuple[Operator, ...] = (
    Operator("drop-key", "drop a key the app reads (OUTPUT_CHUNK, pipeline, media_type, ...)", _drop_key),
    Operator("recase-key", "change the case of such a key (OUTPUT_CHUNK -> output_chunk)", _recase_key),
    Operator("recase-name", "change the case of a chunk, pipeline or output-config name", _recase_value),
    Operator("swap-name", "name another chunk, pipeline or output config, or a missing one", _swap_name),
    Operator("mapping-node", "point an input mapping at another or a missing node id", _mapping_node),
    Operator("mapping-field", "change a mapping's field or source placeholder", _mapping_field),
    Operator("delete-node", "delete a node (a custom node too) of an embedded workflow", _delete_node),
    Operator("delete-link", "delete a link of an embedded workflow", _delete_link),
    Operator("change-literal", "change a literal: model file, sampler, scheduler, size, steps, cfg", _change_literal),
    Operator("drop-placeholder", "drop a {{NAME}} / {name} placeholder from a template text", _drop_placeholder),
    Operator("edit-text", "edit a description text (should be equivalent)", _edit_text),
)
_BY_NAME = {op.name: op for op in OPERATORS}


def enumerate_mutants(source: Tree | Workspace, operators: Sequence[str] = (), files: Sequence[str] = ()
                      ) -> dict[str, dict[str, list[Mutant]]]:
    """operator -> file -> its mutants (in document order), for the documents of ``source`` (a DevServer tree
    or a :class:`~comfy_contract.fuzz.workspace.Workspace`; ``files``: only those relative paths)."""
    if isinstance(source, Tree):
        docs, names = tree_documents(source), tree_names(source, KEYS)
    else:
        docs, names = source.documents(), source.names(KEYS)
    out: dict[str, dict[str, list[Mutant]]] = {}
    for op in OPERATORS:
        if operators and op.name not in operators:
            continue
        for rel, doc in docs:
            if files and rel not in files:
                continue
            for pointer, text, edit in op.find(rel, doc, names):
                data = _thaw(doc)
                edit(data)
                out.setdefault(op.name, {}).setdefault(rel, []).append(
                    Mutant(op.name, rel, pointer, text, MappingProxyType(data)))
    return out


def _thaw(data: Mapping[str, Any]) -> dict[str, Any]:
    return copy.deepcopy(dict(data))


def mutant_strategy(mutants: Mapping[str, Mapping[str, Sequence[Mutant]]]) -> st.SearchStrategy[Mutant]:
    """Draw (operator, file, target); shrinks to the first operator, file and target."""
    ops = [op for op in mutants if mutants[op]]
    if not ops:
        return st.nothing()

    @st.composite
    def draw(d: st.DrawFn) -> Mutant:
        op = d(st.sampled_from(ops))
        files = sorted(mutants[op])
        rel = d(st.sampled_from(files))
        return d(st.sampled_from(list(mutants[op][rel])))
    return draw()


# --- results ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConfigOutcome:
    config: str
    verdict: Verdict
    new_findings: tuple[str, ...] = ()  # "check/backend: CODE node.input" of the kill
    diff: str = ""  # the graph diff (survivors and kills)
    fix: str = ""  # survivors: what would have caught it


@dataclass(frozen=True)
class MutantResult:
    mutant: Mutant
    verdict: Verdict
    outcomes: tuple[ConfigOutcome, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.mutant.to_dict(), "verdict": self.verdict,
                "configs": [{"config": o.config, "verdict": o.verdict, "new_findings": list(o.new_findings),
                             "diff": o.diff, "suggested_fix": o.fix} for o in self.outcomes]}


@dataclass(frozen=True)
class ConfigScore:
    config: str
    killed: int = 0
    survived: int = 0
    equivalent: int = 0

    @property
    def score(self) -> float | None:
        n = self.killed + self.survived
        return self.killed / n if n else None

    def to_dict(self) -> dict[str, Any]:
        return {"config": self.config, "killed": self.killed, "survived": self.survived,
                "equivalent": self.equivalent, "score": self.score}


@dataclass(frozen=True)
class Edit:
    """Where a survivor's edit is in the project, and what it changed (for reports and survivor files)."""

    file: str  # relative to the project root
    line: int | None
    before: Any  # the value at the pointer before the edit (``None`` with ``added``)
    after: Any  # and after it (``None`` with ``removed``)
    removed: bool
    added: bool
    file_diff: str  # a unified diff of the (normalised) document

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "before": self.before, "after": self.after,
                "removed": self.removed, "added": self.added, "file_diff": self.file_diff}


@dataclass(frozen=True)
class MutationReport:
    results: tuple[MutantResult, ...]
    seconds: float
    examples: int
    seed: int
    fail_on: str
    #: survivors' edits located in the project (``Mutant.key`` -> :class:`Edit`)
    edits: Mapping[tuple[str, str, str, str], Edit] = field(default_factory=dict)
    #: the project file relative to the project root (for replay commands), and the app's shape
    project: str | None = None
    kind: str = "devserver"
    #: mutants the selection has in all (the run ends early when all were classified)
    total: int = 0
    #: survivor files written (``Mutant.key`` -> path as shown in replay commands; see fuzz/survivors.py)
    files: Mapping[tuple[str, str, str, str], str] = field(default_factory=dict)
    #: the survivors Hypothesis found and shrank, in order: per (operator, file, config) the simplest edit
    #: that still survives (the others were classified along the way)
    shrunk: tuple[tuple[str, str, str, str], ...] = ()
    #: every mutant of the selection (``Mutant.key``), classified or not (``--jobs`` merges them)
    keys: tuple[tuple[str, str, str, str], ...] = ()

    def replay(self, result: MutantResult) -> str | None:
        """The command that replays a survivor, once its file is written."""
        path = self.files.get(result.mutant.key)
        if path is None:
            return None
        return f"comfy-contract replay {path}" + (f" --project {self.project}" if self.project else "")

    def edit(self, result: MutantResult) -> Edit | None:
        return self.edits.get(result.mutant.key)

    @property
    def survivors(self) -> tuple[MutantResult, ...]:
        """The surviving mutants: those Hypothesis shrank first (the simplest edit per operator, file and
        config), then the others in the order they were classified."""
        found = [r for r in self.results if r.verdict == "survived"]
        rank = {k: i for i, k in enumerate(self.shrunk)}
        return tuple(sorted(found, key=lambda r: rank.get(r.mutant.key, len(rank))))

    def count(self, verdict: Verdict) -> int:
        return sum(1 for r in self.results if r.verdict == verdict)

    @property
    def score(self) -> float | None:
        n = self.count("killed") + self.count("survived")
        return self.count("killed") / n if n else None

    @property
    def rate(self) -> float:
        return len(self.results) / self.seconds if self.seconds > 0 else 0.0

    def per_config(self) -> list[ConfigScore]:
        tally: dict[str, dict[str, int]] = {}
        for r in self.results:
            for o in r.outcomes:
                t = tally.setdefault(o.config, {"killed": 0, "survived": 0, "equivalent": 0})
                t[o.verdict] += 1
        return [ConfigScore(c, **t) for c, t in sorted(tally.items())]

    def to_dict(self) -> dict[str, Any]:
        return {
            "mutants": len(self.results), "killed": self.count("killed"), "survived": self.count("survived"),
            "equivalent": self.count("equivalent"), "score": self.score, "seconds": round(self.seconds, 3),
            "mutants_per_second": round(self.rate, 2), "examples": self.examples, "seed": self.seed,
            "fail_on": self.fail_on, "configs": [c.to_dict() for c in self.per_config()],
            "survivors": [{**r.to_dict(), **({"edit": e.to_dict()} if (e := self.edit(r)) else {}),
                           **({"survivor_file": self.files[r.mutant.key], "replay": self.replay(r)}
                              if r.mutant.key in self.files else {}),
                           "shrunk": r.mutant.key in self.shrunk}
                          for r in self.survivors],
            "kind": self.kind, "project": self.project, "total_mutants": self.total,
            "results": [r.to_dict() for r in self.results],
        }


# --- the runner ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MutationOptions:
    seconds: float | None = 30.0
    examples: int | None = None
    max_mutants: int | None = None
    seed: int = 0
    configs: tuple[str, ...] = ()  # globs: only mutants of files these configs read; scores of these only
    operators: tuple[str, ...] = ()
    fail_on: Severity | None = Severity.ERROR
    #: adapter apps: globs (relative to the project folder) of data files to edit besides those seen read
    files: tuple[str, ...] = ()


Signature = tuple[str, ...]


def _signatures(results: Sequence[CheckResult], fail_on: Severity | None) -> dict[Signature, str]:
    out: dict[Signature, str] = {}
    for r in results:
        if r.status == "error":
            out[("error", r.mode, r.check, r.backend)] = f"{r.check}/{r.backend} [{r.mode}]: check error"
        for f in r.findings:
            if fail_on is None or not f.severity.at_least(fail_on):
                continue
            sig = (r.mode, r.check, r.backend, f.code, f.node_id or "", f.input or "")
            where = f" at {f.class_type or ''} {f.node_id!r}.{f.input}" if f.node_id else ""
            out[sig] = f"{f.code} ({r.check}/{r.backend} [{r.mode}]){where}: {f.message.splitlines()[0][:160]}"
    return out


class Mutator:
    """The unmutated project and its gate, and :meth:`classify` for one mutant (memoised)."""

    def __init__(self, suite: Suite, *, fail_on: Severity | None = Severity.ERROR,
                 workspace: Workspace | None = None, files: Sequence[str] = ()) -> None:
        self.workspace = workspace if workspace is not None else workspace_for(suite, files)
        self.suite = replace(self.workspace.suite, baseline=None)
        tree = getattr(self.suite.generator, "tree", None)
        #: the DevServer tree (``None`` for an adapter app, whose files are in ``workspace.root``)
        self.tree: Tree | None = tree if isinstance(tree, Tree) else None
        self.fail_on = fail_on
        self.base = Engine(self.suite, fail_on=fail_on)
        self._base_sigs: dict[str, dict[Signature, str]] = {}
        self._readers: dict[str, tuple[str, ...]] | None = None
        self.cache: dict[tuple[str, str, str, str], MutantResult] = {}

    def project_path(self, rel: str) -> str:
        """``rel`` (relative to the workspace) relative to the project root (``suite.root``)."""
        origin = Path(getattr(self.workspace, "origin", self.workspace.root)).resolve()
        try:
            return (origin / rel).relative_to(Path(self.suite.root).resolve()).as_posix()
        except ValueError:
            return (origin / rel).as_posix()

    def project_rel(self) -> str | None:
        """The project file relative to the project root, if the suite names one."""
        if not self.suite.project_file:
            return None
        try:
            return Path(self.suite.project_file).resolve().relative_to(Path(self.suite.root).resolve()).as_posix()
        except ValueError:
            return Path(self.suite.project_file).as_posix()

    def close(self) -> None:
        """Remove the workspace's temporary copy (adapter apps)."""
        self.workspace.close()

    def __enter__(self) -> Mutator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def readers(self) -> dict[str, tuple[str, ...]]:
        """File (relative to the workspace root) -> the configs whose rendering read it. For an adapter app,
        a data file named by ``--mutate-files`` that no render was seen to read is read by every config."""
        if self._readers is None:
            root = self.workspace.root.resolve()
            out: dict[str, list[str]] = {}
            configs = self.base.configs()
            for config in configs:
                files: set[str] = set()
                for mode in self.suite.modes:
                    r = self.base.rendered(config, mode)
                    if isinstance(r, Rendered):
                        files.update(r.sources)
                        if r.config_file:
                            files.add(r.config_file)
                for f in files:
                    try:
                        rel = Path(f).resolve().relative_to(root).as_posix()
                    except ValueError:
                        continue
                    out.setdefault(rel, []).append(config)
            matches = getattr(self.workspace, "matches", None)
            if matches is not None:
                docs = {rel for rel, _data in self.workspace.documents()}
                out = {rel: cs for rel, cs in out.items() if rel in docs}
                for rel in sorted(docs):
                    if matches(rel) and rel not in out:
                        out[rel] = list(configs)
            self._readers = {k: tuple(v) for k, v in out.items()}
        return self._readers

    def _gate(self, engine: Engine, config: str) -> dict[Signature, str]:
        results: list[CheckResult] = []
        for event in engine.run(Selection(configs=(glob.escape(config),))):
            if isinstance(event, ConfigChecked):
                results.extend(event.results)
                if event.done == event.total:
                    break
        return _signatures(results, self.fail_on)

    def _base_gate(self, config: str) -> dict[Signature, str]:
        if config not in self._base_sigs:
            self._base_sigs[config] = self._gate(self.base, config)
        return self._base_sigs[config]

    def _normalisation(self, config: str, mode: str) -> Normalisation:
        load = getattr(self.suite.snapshots, "load", None)
        if load is not None:
            try:
                snap = load(config, mode)
            except ComfyContractError:
                snap = None
            if snap is not None:
                return snap.normalisation  # type: ignore[no-any-return]
        return Normalisation()

    def _changes(self, engine: Engine, config: str) -> tuple[bool, str]:
        """(changed, short graph diff text) between the unmutated and the mutated renders of ``config``."""
        lines: list[str] = []
        changed = False
        for mode in self.suite.modes:
            a, b = self.base.rendered(config, mode), engine.rendered(config, mode)
            if isinstance(a, BaseException) or isinstance(b, BaseException):
                if type(a) is not type(b) or str(a) != str(b):
                    changed = True
                    lines.append(f"[{mode}] the generator raised: {b}" if isinstance(b, BaseException) else
                                 f"[{mode}] renders again")
                continue
            if (a.outcome, a.route, len(a.submissions)) != (b.outcome, b.route, len(b.submissions)):
                changed = True
                lines.append(f"[{mode}] outcome {_describe(a)} -> {_describe(b)}")
                lines.append(f"    fix: {_outcome_fix(config, a.outcome, b.outcome)}")
                continue
            norm = self._normalisation(config, mode)
            texts = [t for t in (a.inputs.user_text, *a.inputs.llm_outputs.values()) if isinstance(t, str) and t]
            for sa, sb in zip(a.submissions, b.submissions, strict=True):
                if sa.workflow == sb.workflow:
                    continue
                if canonicalize(sa.workflow, norm) == canonicalize(sb.workflow, norm):
                    # the normalisation hides prompt texts: the edit still matters if the user's text stops (or
                    # starts) reaching an input
                    lost, gained = _text_sinks(sa.workflow, texts), _text_sinks(sb.workflow, texts)
                    if lost == gained:
                        continue
                    changed = True
                    gone = sorted(lost - gained)
                    where = ", ".join(f"{cls} {nid!r}.{name}" for nid, name, cls in (gone or sorted(gained - lost)))
                    lines.append(f"[{mode}] the user's text {'no longer reaches' if gone else 'now reaches'} {where} "
                                 "(prompt texts are normalised, so only this shows it)")
                    example = (gone or sorted(gained))[0]
                    lines.append(f"    fix: a contract `user_text_inputs: [{{class_type: {example[2]}, input: "
                                 f"{example[1]}}}]` matching {config!r} (C003) would catch this")
                    continue
                changed = True
                d = diff(sa.workflow, sb.workflow, norm)
                lines.append(f"[{mode}] " + d.to_text(indent="    "))
                lines.append(f"    fix: {_suggest(config, mode, d, self, sa.workflow, texts)}")
        return changed, "\n".join(lines)

    def classify(self, mutant: Mutant, configs: Sequence[str] | None = None) -> MutantResult:
        cached = self.cache.get(mutant.key)
        if cached is not None:
            return cached
        readers = [c for c in self.readers().get(mutant.file, ()) if configs is None or c in configs]
        for config in readers:  # the unmutated verdicts first: an adapter's copy is edited in the block below
            self._base_gate(config)
        outcomes: list[ConfigOutcome] = []
        with self.workspace.applied(mutant.file, mutant.data) as suite:
            engine = Engine(replace(suite, baseline=None), fail_on=self.fail_on)
            for config in readers:
                changed, text = self._changes(engine, config)
                if not changed:
                    outcomes.append(ConfigOutcome(config, "equivalent"))
                    continue
                base = self._base_gate(config)
                new = [msg for sig, msg in self._gate(engine, config).items() if sig not in base]
                if new:
                    outcomes.append(ConfigOutcome(config, "killed", tuple(new[:5]), text))
                else:
                    fixes = [line.split("fix: ", 1)[1] for line in text.splitlines() if "fix: " in line]
                    diff_text = "\n".join(line for line in text.splitlines() if "fix: " not in line)
                    fix = fixes[0] if fixes else _generic_fix(config)
                    failing = {sig[4] for sig in base if len(sig) > 4 and sig[4]}
                    hidden = failing & set(_DIFF_NODE.findall(diff_text))
                    prompt_level = [sig for sig in base if len(sig) > 3 and sig[3] in _PROMPT_LEVEL]
                    rejected = sorted({sig[3] for sig in prompt_level})
                    if rejected and {sig[2] for sig in prompt_level} >= set(self.suite.backends):
                        fix += (f" (note: {config!r} is already rejected as a whole by ComfyUI - "
                                f"{', '.join(rejected)} - so no node-level finding can report this edit: fix that "
                                "first; the survivor may be an artefact of it)")
                    elif hidden:
                        codes = sorted({sig[3] for sig in base if len(sig) > 4 and sig[4] in hidden})
                        fix += (f" (note: {config!r} already fails the gate at node(s) {', '.join(sorted(hidden))} - "
                                f"{', '.join(codes)} - and a finding already there cannot report this edit: fix it "
                                "first)")
                    outcomes.append(ConfigOutcome(config, "survived", (), diff_text, fix))
            close = getattr(suite.generator, "close", None)
            if callable(close) and suite.generator is not self.suite.generator:
                close()
        verdicts = {o.verdict for o in outcomes}
        verdict: Verdict = ("survived" if "survived" in verdicts else "killed" if "killed" in verdicts
                            else "equivalent")
        result = MutantResult(mutant, verdict, tuple(outcomes))
        self.cache[mutant.key] = result
        return result


def _describe(rendered: Rendered) -> str:
    """``workflow (1 submission(s), route ...)``, the route left out when the generator names none."""
    route = f", route {rendered.route}" if rendered.route else ""
    return f"{rendered.outcome} ({len(rendered.submissions)} submission(s){route})"


def _text_sinks(workflow: Mapping[str, Any], texts: Sequence[str]) -> set[tuple[str, str, str]]:
    """(node id, input, class) of every literal that contains one of ``texts`` (the user's or an LLM's)."""
    out: set[tuple[str, str, str]] = set()
    for nid, node in workflow.items():
        inputs = node.get("inputs") if isinstance(node, Mapping) else None
        if isinstance(inputs, Mapping):
            for name, value in inputs.items():
                if isinstance(value, str) and any(t in value for t in texts):
                    out.add((str(nid), str(name), str(node.get("class_type", "?"))))
    return out


def _outcome_fix(config: str, before: str, after: str) -> str:
    """What would catch a change of outcome (``workflow`` -> ``text`` ...), which no workflow check sees."""
    if before == "workflow":
        return (f"a contract `submits_workflow: true` matching {config!r} (C008) would catch this: snapshots and "
                "the other rules only look at workflows, and a config that submits nothing has none "
                "(`--fail-on info` also shows the route's R010/R015/R018)")
    if before == "error":
        return (f"{config!r} already fails the gate (outcome error, see `comfy-contract check --config {config}`); "
                f"the edit turns it into {after!r}. Fix the config first: a failing config hides further edits")
    return (f"no ComfyUI workflow before or after (outcome {before} -> {after}): outside what comfy-contract checks; "
            "`check --fail-on info` shows the route's R010/R015/R018, the app's own tests must pin this route")


def _generic_fix(config: str) -> str:
    return (f"an approved snapshot of {config!r} (`comfy-contract snapshot update --config {config}`) or a contract "
            "would catch this")


def _carries_text(workflow: Mapping[str, Any], node_ids: Sequence[str], input_name: str | None,
                  texts: Sequence[str]) -> bool:
    """True when ``input_name`` of one of ``node_ids`` receives the user's (or an LLM's) text in ``workflow``:
    its literal contains it, or a node upstream of its link has a literal that does (C003's rule)."""
    sinks = {nid for nid, _name, _cls in _text_sinks(workflow, texts)}
    for nid in node_ids:
        node = workflow.get(nid)
        inputs = node.get("inputs") if isinstance(node, Mapping) else None
        value = inputs.get(input_name) if isinstance(inputs, Mapping) and input_name is not None else None
        if isinstance(value, str):
            if any(t in value for t in texts):
                return True
            continue
        todo = [value[0]] if isinstance(value, list) and value and isinstance(value[0], str) else []
        seen: set[str] = set()
        while todo:
            up = todo.pop()
            if up in seen:
                continue
            seen.add(up)
            if up in sinks:
                return True
            upstream = workflow.get(up)
            up_inputs = upstream.get("inputs") if isinstance(upstream, Mapping) else None
            if isinstance(up_inputs, Mapping):
                todo.extend(v[0] for v in up_inputs.values() if isinstance(v, list) and v and isinstance(v[0], str))
    return False


def _suggest(config: str, mode: str, d: GraphDiff, mutator: Mutator, before: Mapping[str, Any] | None = None,
             texts: Sequence[str] = ()) -> str:
    """The contract rule or snapshot that would have caught the diff ``d`` of (config, mode); ``before`` is the
    unmutated workflow and ``texts`` the user's and LLMs' texts (a rewired link is pinned by `user_text_inputs`
    only where the input carried them)."""
    snapshots = mutator.suite.snapshots
    has_snapshot = False
    if snapshots is not None:
        try:
            has_snapshot = snapshots.path_for(config, mode).is_file()
        except (OSError, ComfyContractError):
            has_snapshot = False
    change = d.changes[0]
    if change.kind in (ChangeKind.NODE_REMOVED, ChangeKind.NODE_REPLACED, ChangeKind.OUTPUT_REMOVED):
        rule: str | None = f"a contract `require_classes: [{change.class_type}]`"
    elif change.kind is ChangeKind.LITERAL_CHANGED and isinstance(change.new, int | float) \
            and not isinstance(change.new, bool):
        rule = f"a contract `ranges: {{{change.class_type}.{change.input}: {{min: {change.old}, max: {change.old}}}}}`"
    elif change.kind is ChangeKind.LITERAL_CHANGED:
        rule = None  # no contract rule pins a text literal (a model file, a sampler): only a snapshot does
    elif change.kind is ChangeKind.LINK_REWIRED and before is not None \
            and _carries_text(before, change.a, change.input, texts):
        rule = f"a contract `user_text_inputs: [{{class_type: {change.class_type}, input: {change.input}}}]`"
    else:
        rule = None
    if has_snapshot:
        snap = (f"re-approving the drifting snapshot of {config!r} [{mode}] (its S002 already fires, hiding this "
                f"change: `comfy-contract snapshot update --config {config} --mode {mode}`)")
    else:
        snap = f"an approved snapshot (`comfy-contract snapshot update --config {config} --mode {mode}`)"
    return f"{rule} or {snap} would catch this" if rule else f"{snap} would catch this"


# --- the campaign -------------------------------------------------------------------------------------
class _Stop(BaseException):
    """Budget spent (not a failure)."""


def select_configs(suite: Suite, globs: Sequence[str]) -> list[str]:
    """The configs of ``suite`` matching ``globs`` (all without globs); a usage error when none does."""
    known = list(suite.generator.configs())
    if not globs:
        return known
    configs = [c for c in known if any(fnmatch.fnmatchcase(c, p) for p in globs)]
    if not configs:
        raise ComfyContractError(f"--config {', '.join(map(repr, globs))} matches no config",
                                 hint="`comfy-contract render --list` prints the config names")
    return configs


def mutation_campaign(suite: Suite, options: MutationOptions,
                      progress: Callable[[str], None] | None = None) -> MutationReport:
    """Draw mutants with Hypothesis until the budget is spent; shrink each survivor to the simplest edit.

    Every distinct mutant drawn is classified once (and counted in the score); ``find`` looks for a survivor
    not yet reported, and its shrinking leaves the simplest edit (first operator, file, target) that survives.
    """
    t0 = time.monotonic()
    with Mutator(suite, fail_on=options.fail_on, files=options.files) as mutator:
        return _campaign(mutator, options, progress, t0)


def _campaign(mutator: Mutator, options: MutationOptions, progress: Callable[[str], None] | None,
              t0: float) -> MutationReport:
    configs = select_configs(mutator.suite, options.configs) if options.configs else None
    readers = mutator.readers()
    files = [f for f, cs in readers.items() if configs is None or any(c in configs for c in cs)]
    unknown = [o for o in options.operators if o not in _BY_NAME]
    if unknown:
        raise ComfyContractError(f"unknown mutation operator(s) {', '.join(map(repr, unknown))}",
                                 hint=f"known: {', '.join(_BY_NAME)}")
    mutants = enumerate_mutants(mutator.workspace, options.operators, files) if files else {}
    total = sum(len(m) for per in mutants.values() for m in per.values())
    if not total and mutator.workspace.kind == "adapter":
        raise ComfyContractError(
            "hunt --mutate found no JSON or YAML file to edit: no config was seen reading one under the project "
            "folder" + (" (a command adapter's reads are not seen)" if not options.files else ""),
            hint="name the app's config files with --mutate-files GLOB (relative to the project folder), e.g. "
            "--mutate-files 'configs/*.json'")
    strategy = mutant_strategy(mutants)
    order: list[tuple[str, str, str, str]] = []
    reported: set[tuple[str, str, str]] = set()  # (operator, file, config) of survivors already shrunk
    shrunk: list[tuple[str, str, str, str]] = []  # what each `find` returned: the simplest surviving edit
    counter = [0]
    rng = random.Random(options.seed)
    deadline = None if options.seconds is None else t0 + options.seconds

    def spent() -> bool:
        if deadline is not None and time.monotonic() >= deadline:
            return True
        if options.examples is not None and counter[0] >= options.examples:
            return True
        if options.max_mutants is not None and len(order) >= options.max_mutants:
            return True
        return len(order) >= total

    def classify(m: Mutant) -> MutantResult:
        fresh = m.key not in mutator.cache
        if fresh and spent():
            raise _Stop
        result = mutator.classify(m, configs)
        if fresh:
            order.append(m.key)
            if progress is not None and len(order) % 25 == 0:
                rate = len(order) / max(1e-9, time.monotonic() - t0)
                progress(f"mutants {len(order)}/{total} ({rate:.1f}/s), "
                         f"{sum(1 for k in order if mutator.cache[k].verdict == 'survived')} survived")
        return result

    def survives(m: Mutant) -> bool:
        counter[0] += 1
        if counter[0] % 10 == 0 and spent():
            raise _Stop
        r = classify(m)
        return any(o.verdict == "survived" and (m.operator, m.file, o.config) not in reported for o in r.outcomes)

    while total and not spent():
        hs = settings(max_examples=200, database=None, deadline=None, suppress_health_check=list(HealthCheck),
                      phases=(Phase.generate, Phase.shrink))
        try:
            found = find(strategy, survives, settings=hs, random=random.Random(rng.random()))
        except _Stop:
            break
        except (NoSuchExample, Unsatisfiable):
            continue
        shrunk.append(found.key)
        for o in mutator.cache[found.key].outcomes:
            if o.verdict == "survived":
                reported.add((found.operator, found.file, o.config))
    # report the survivors that remain after shrinking: per (operator, file, config) the simplest edit
    results = [mutator.cache[k] for k in order]
    edits = {r.mutant.key: locate_edit(mutator, r.mutant) for r in results if r.verdict == "survived"}
    return MutationReport(tuple(results), time.monotonic() - t0, counter[0], options.seed,
                          "never" if options.fail_on is None else str(options.fail_on), edits,
                          mutator.project_rel(), mutator.workspace.kind, total, shrunk=tuple(shrunk),
                          keys=tuple(m.key for per in mutants.values() for ms in per.values() for m in ms))


_MISSING = object()
#: node ids in a graph diff's text (``a:/7/inputs/text``, ``a:10``)
_DIFF_NODE = re.compile(r"\b[ab]:/?([^/\s\[]+)")
#: codes of a workflow ComfyUI rejects as a whole (no node-level finding can appear beside them)
_PROMPT_LEVEL = frozenset({"V001", "V002", "V003", "V005", "V006", "V008"})


def _resolve(doc: Any, pointer: str) -> Any:
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(doc, Mapping) and token in doc:
            doc = doc[token]
        elif isinstance(doc, list) and token.isdigit() and int(token) < len(doc):
            doc = doc[int(token)]
        else:
            return _MISSING
    return doc


def locate_edit(mutator: Mutator, mutant: Mutant) -> Edit:
    """The survivor's :class:`Edit`: file relative to the project root, line of the pointer (JSON files),
    the value before and after, and a unified diff of the normalised document."""
    import difflib

    from comfy_contract.check.locate import pointer_position
    from comfy_contract.fuzz.workspace import dump_document

    original = dict(mutator.workspace.documents()).get(mutant.file, {})
    before, after = _resolve(original, mutant.path), _resolve(mutant.data, mutant.path)
    a, b = dump_document(mutant.file, original), dump_document(mutant.file, mutant.data)
    where = mutator.project_path(mutant.file)
    diff_text = "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                             f"a/{where}", f"b/{where}", n=2))
    line = None
    if mutant.file.endswith(".json"):
        position = pointer_position(mutator.workspace.text(mutant.file), mutant.path)
        line = position[0] if position else None
    return Edit(where, line, None if before is _MISSING else before, None if after is _MISSING else after,
                after is _MISSING, before is _MISSING, diff_text)


def mutation_text(report: MutationReport, *, verbose: bool = False) -> str:
    lines: list[str] = []
    for c in report.per_config():
        if c.killed + c.survived == 0:
            continue
        score = f"{c.score:.0%}" if c.score is not None else "-"
        lines.append(f"{c.config}: {score} ({c.killed} killed / {c.killed + c.survived} non-equivalent, "
                     f"{c.equivalent} equivalent)")
    for r in report.survivors:
        edit = report.edit(r)
        where = f"{edit.file}:{edit.line}" if edit is not None and edit.line else \
            (edit.file if edit is not None else r.mutant.file)
        lines.append("")
        simplest = ", shrunk" if r.mutant.key in report.shrunk else ""
        lines.append(f"SURVIVED F003 {where} {r.mutant.path}: {r.mutant.description} ({r.mutant.operator}{simplest})")
        for o in r.outcomes:
            if o.verdict != "survived":
                continue
            lines.append(f"  {o.config}: submitted graph changed, the gate reports nothing new")
            lines.extend("    " + line for line in o.diff.splitlines()[:8])
            lines.append(f"    suggested fix: {o.fix}")
        if (command := report.replay(r)) is not None:
            lines.append(f"  survivor file: {report.files[r.mutant.key]}")
            lines.append(f"  Replay with: {command}")
    score = f"{report.score:.0%}" if report.score is not None else "-"
    lines.append("")
    lines.append(f"mutate: {len(report.results)} mutants in {report.seconds:.1f}s ({report.rate:.1f}/s): "
                 f"{report.count('killed')} killed, {report.count('survived')} survived, "
                 f"{report.count('equivalent')} equivalent; mutation score {score}, seed {report.seed}")
    return "\n".join(lines) + "\n"


def mutation_json(report: MutationReport) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n"
