"""The canonical form of a workflow graph, and matching nodes between two graphs.

Two API-format workflows that do the same thing rarely look the same: node ids are renumbered
(hand-built legacy graphs vs chunk-built ones), inputs come in another order, seeds and file-name
prefixes vary per run. :func:`canonicalize` reduces a workflow to a form in which all of that is gone:

1. **Normalise.** Frontend-only nodes (``Note``, ``MarkdownNote``) are dropped, ``_meta`` too unless
   asked. Inputs matched by a *volatile* rule (``"*.seed"``, ``"CLIPTextEncode*.text"``,
   ``"@ai4artsed_text_prompt.text"`` for a node title) become :data:`VOLATILE`, except empty strings,
   which stay ``""`` (an empty prompt is a bug worth seeing). A link to an LLM/text-producing node
   (a *text source*) becomes the literal :data:`VOLATILE`: the node is an opaque source of text.
   Floats are rounded to ``float_digits`` significant digits (the float tolerance); integral floats
   become ints, so ``7`` and ``7.0`` are equal, and numeric strings (``"1024"``) compare as numbers.
2. **Reduce** to the nodes that feed an output node (``Save*``/``Preview*`` by default).
3. **Label** every node by its class_type and a hash of its inputs by name, where a link contributes
   the label of the node it comes from (a Weisfeiler-Lehman-style upstream signature). The label does
   not depend on node ids or key order, so renumbered or reordered workflows get identical forms.

The form is plain JSON: ``{label: {"class_type": ..., "inputs": {name: literal | [label, slot]}}}``.
Nodes with identical labels compute the same thing and collapse into one entry.

:func:`match` pairs the nodes of two canonical graphs for explaining a difference: equal labels
first, then top-down from the outputs along inputs of the same name (seeing through a node inserted
or removed in between), then leftovers by class_type.
"""

from __future__ import annotations

import fnmatch
import hashlib
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from functools import lru_cache
from typing import Any

from comfy_contract.core.errors import ComfyContractError

__all__ = [
    "DEFAULT_VOLATILE",
    "VOLATILE",
    "CanonicalGraph",
    "GraphNode",
    "Matching",
    "NodeGraph",
    "Normalisation",
    "Ref",
    "Value",
    "canonicalize",
    "match",
]

#: What a volatile value (and an opaque text source) is replaced by in the canonical form.
VOLATILE = "<volatile>"
#: What a link to a node id that does not exist becomes.
MISSING = "<missing>"
_CYCLE = "<cycle>"

DEFAULT_VOLATILE: tuple[str, ...] = (
    "*.seed",
    "*.noise_seed",
    "*.filename_prefix",
    "*.client_id",
    "CLIPTextEncode*.text",
    "CLIPTextEncode*.text_g",
    "CLIPTextEncode*.text_l",
    "CLIPTextEncode*.clip_l",
    "CLIPTextEncode*.clip_g",
    "CLIPTextEncode*.t5xxl",
    "PrimitiveString*.value",
    "@ai4artsed_text_prompt.text",
    "@ai4artsed_text_prompt.value",
)
DEFAULT_TEXT_SOURCES: tuple[str, ...] = ("*ollama*", "*openrouter*", "*llm*", "*prompt_interception*")


@dataclass(frozen=True)
class Normalisation:
    """How a workflow is normalised before it is compared. Every field is data, stored in snapshots.

    Patterns are :mod:`fnmatch` patterns. A volatile rule is ``"<class_type>.<input>"`` or
    ``"@<node title>.<input>"``; text-source patterns match class_types case-insensitively.
    ``numeric_strings``: a literal string that is a plain number (``"1024"``) compares as that number,
    as ComfyUI converts INT/FLOAT inputs with ``int()``/``float()`` (R005 reports the stringification).
    """

    drop_classes: tuple[str, ...] = ("Note", "MarkdownNote")
    keep_meta: bool = False
    volatile: tuple[str, ...] = DEFAULT_VOLATILE
    text_sources: tuple[str, ...] = DEFAULT_TEXT_SOURCES
    output_classes: tuple[str, ...] = ("Save*", "Preview*")
    outputs_only: bool = True
    float_digits: int = 6
    numeric_strings: bool = True

    def __post_init__(self) -> None:
        for rule in self.volatile:
            if "." not in rule.lstrip("@"):
                raise ComfyContractError(
                    f"volatile rule {rule!r} has no input part",
                    hint="write rules as 'ClassType.input' or '@Title.input', e.g. '*.seed'",
                )
        if not 1 <= self.float_digits <= 17:
            raise ComfyContractError(
                f"float_digits must be between 1 and 17, got {self.float_digits!r}",
                hint="it is the number of significant digits floats are compared with (default 6)",
            )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Normalisation:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ComfyContractError(
                f"unknown normalisation option(s) {unknown!r}", hint=f"known options: {sorted(known)!r}"
            )
        kwargs: dict[str, Any] = {}
        for name, value in data.items():
            kwargs[name] = tuple(str(v) for v in value) if isinstance(value, list | tuple) else value
        return cls(**kwargs)

    def with_volatile(self, *rules: str) -> Normalisation:
        """A copy with extra volatile rules (duplicates ignored)."""
        merged = self.volatile + tuple(r for r in rules if r not in self.volatile)
        return Normalisation(**{**self._fields(), "volatile": merged})

    def _fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Ref:
    """A link in a :class:`NodeGraph`: output ``slot`` of node ``node`` (which may not exist)."""

    node: str
    slot: int


@dataclass(frozen=True, slots=True)
class Value:
    """One input of a node in a :class:`NodeGraph`.

    ``raw`` is the normalised value (rounded floats, numbers for numeric strings) or a :class:`Ref`;
    ``masked`` is what the canonical form compares: :data:`VOLATILE` where ``rule`` (a volatile rule or
    ``text_sources: <pattern>``) hid the value, else ``raw``.
    """

    raw: Any
    masked: Any
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class GraphNode:
    """A node of a :class:`NodeGraph`. ``opaque`` names the text-source rule when the node is only there
    as (part of) an opaque source of text: the canonical form leaves it out, a diff lists it as ignored."""

    id: str
    class_type: str
    inputs: Mapping[str, Value]
    output: bool = False
    opaque: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class NodeGraph:
    """A workflow's nodes after normalisation, one entry per node (no labels, no collapsing): what a diff
    matches and explains. Holds the nodes that feed an output (through any link) unless ``outputs_only``
    was off."""

    nodes: Mapping[str, GraphNode]


@dataclass(frozen=True, eq=False)
class CanonicalGraph:
    """A workflow in canonical form. Equality compares :attr:`form` only (ids do not matter)."""

    form: Mapping[str, Any]
    #: canonical label -> the original node ids it stands for (sorted)
    ids: Mapping[str, tuple[str, ...]] = field(repr=False)
    #: labels of the output nodes, sorted
    outputs: tuple[str, ...] = ()
    #: the node-level graph a diff works on (``None`` for a form built by hand)
    graph: NodeGraph | None = field(default=None, repr=False)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CanonicalGraph):
            return NotImplemented
        return self.form == other.form

    __hash__ = None  # type: ignore[assignment]

    def node(self, label: str) -> Mapping[str, Any]:
        node: Mapping[str, Any] = self.form[label]
        return node

    def class_type(self, label: str) -> str:
        return str(self.form[label]["class_type"])

    def links(self, label: str) -> dict[str, tuple[str, int]]:
        """The node's linked inputs: input name -> (upstream label, slot)."""
        return {name: (v[0], v[1]) for name, v in self.form[label]["inputs"].items() if _is_link(v)}

    def id_of(self, label: str) -> str:
        """The first original node id of ``label`` (for messages)."""
        ids = self.ids.get(label, ())
        return ids[0] if ids else MISSING


# --- normalisation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Compiled:
    drop: re.Pattern[str] | None
    volatile_class: re.Pattern[str] | None  # matched against "class\x00input"
    volatile_title: re.Pattern[str] | None  # matched against "title\x00input"
    text_source: re.Pattern[str] | None
    output: re.Pattern[str] | None
    #: memoised decisions: (class_type, title, input) -> volatile?, and class_type -> text source?
    volatile_memo: dict[tuple[str, str | None, str], bool] = field(default_factory=dict, compare=False)
    source_memo: dict[str, bool] = field(default_factory=dict, compare=False)


def _union(patterns: Iterable[str], *, ignore_case: bool = False) -> re.Pattern[str] | None:
    parts = [fnmatch.translate(p) for p in patterns]
    if not parts:
        return None
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE if ignore_case else 0)


def _rule_pattern(rule: str) -> str:
    owner, _, name = rule.lstrip("@").rpartition(".")
    return f"{owner}\x00{name}"


@lru_cache(maxsize=64)
def _compile(norm: Normalisation) -> _Compiled:
    by_class = [_rule_pattern(r) for r in norm.volatile if not r.startswith("@")]
    by_title = [_rule_pattern(r) for r in norm.volatile if r.startswith("@")]
    return _Compiled(
        drop=_union(norm.drop_classes),
        volatile_class=_union(by_class),
        volatile_title=_union(by_title),
        text_source=_union(norm.text_sources, ignore_case=True),
        output=_union(norm.output_classes),
    )


def _matches(pattern: re.Pattern[str] | None, text: str) -> bool:
    return pattern is not None and pattern.match(text) is not None


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and _is_slot(value[1])


def _is_slot(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _literal(value: Any, digits: int) -> Any:
    """A literal in comparable form: rounded floats, key-sorted dicts, lists for tuples."""
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return repr(value)
        rounded = float(f"{value:.{digits}g}")
        return int(rounded) if rounded.is_integer() and abs(rounded) < 2**53 else rounded
    if isinstance(value, Mapping):
        return {str(k): _literal(value[k], digits) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_literal(v, digits) for v in value]
    return value


_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def _mask(value: Any) -> Any:
    if value is None or value == "":
        return value
    return VOLATILE


def _unwrap(data: Mapping[str, Any]) -> Mapping[str, Any]:
    """The workflow of a ``/prompt`` body (``client_id`` and ``extra_data`` are volatile), else ``data``."""
    prompt = data.get("prompt")
    if isinstance(prompt, Mapping) and "class_type" not in prompt:
        return prompt
    return data


@dataclass
class _Node:
    class_type: str
    title: str | None
    meta: Any
    literals: dict[str, Any]
    links: dict[str, tuple[str, int]]
    #: inputs whose value a rule hid: name -> (the value before masking, the rule); a masked link to a
    #: text source keeps its Ref here
    hidden: dict[str, tuple[Any, str]] = field(default_factory=dict)


class _Builder:
    """Turns one workflow into a :class:`CanonicalGraph` (single use)."""

    def __init__(self, workflow: Mapping[str, Any], norm: Normalisation) -> None:
        self.norm = norm
        self.c = _compile(norm)
        self.raw = {str(k): v for k, v in workflow.items() if isinstance(v, Mapping)}
        self.nodes: dict[str, _Node] = {}
        self.labels: dict[str, str] = {}
        self.form: dict[str, Any] = {}
        self.cyclic: set[tuple[str, str]] | None = None  # (node, input) links that close a cycle

    def build(self) -> CanonicalGraph:
        for nid, node in self.raw.items():
            class_type = node.get("class_type")
            if isinstance(class_type, str) and _matches(self.c.drop, class_type):
                continue
            self.nodes[nid] = self._normalise(node)
        outputs = self._outputs()
        keep = self._upstream(outputs) if self.norm.outputs_only else set(self.nodes)
        try:
            for nid in sorted(keep):
                self._label(nid)
        except _CycleFound:  # invalid for ComfyUI, but it must still canonicalise deterministically
            self.labels, self.form = {}, {}
            self.cyclic = self._cyclic_edges(keep)
            for nid in sorted(keep):
                self._label(nid)
        keys = self._keys(keep)
        ids: dict[str, list[str]] = {}
        entries: dict[str, list[dict[str, Any]]] = {}
        for nid in sorted(keep, key=_id_order):
            ids.setdefault(keys[nid], []).append(nid)
            entries.setdefault(keys[nid], []).append(self._entry(nid, keys))
        form: dict[str, Any] = {}
        for key in sorted(entries):
            group = entries[key]
            entry = group[0] if len(group) == 1 else min(group, key=repr) | {"count": len(group)}
            form[key] = entry
        out_keys = tuple(sorted({keys[n] for n in outputs if n in keep}))
        return CanonicalGraph(form=form, ids={k: tuple(v) for k, v in ids.items()}, outputs=out_keys,
                              graph=self._node_graph(keep, outputs))

    def _node_graph(self, keep: set[str], outputs: list[str]) -> NodeGraph:
        """Every node that feeds an output through any link, text sources included (marked opaque)."""
        if self.norm.outputs_only:
            full: set[str] = set()
            stack = [n for n in outputs if n in self.nodes]
            while stack:
                nid = stack.pop()
                if nid in full:
                    continue
                full.add(nid)
                node = self.nodes[nid]
                stack.extend(src for src, _ in node.links.values() if src in self.nodes)
                stack.extend(v.node for v, _ in node.hidden.values() if isinstance(v, Ref) and v.node in self.nodes)
        else:
            full = set(self.nodes)
        opaque_rule: dict[str, str] = {}
        for nid in sorted(full - keep):  # a text source, and what feeds only text sources, is opaque
            pattern = self._source_rule(self.nodes[nid].class_type)
            if pattern is not None:
                for up in sorted(self._upstream([nid]) - keep):
                    opaque_rule.setdefault(up, f"text_sources: {pattern}")
        for nid in full - keep:
            opaque_rule.setdefault(nid, "text_sources")
        out_set = set(outputs)
        nodes: dict[str, GraphNode] = {}
        for nid in sorted(full, key=_id_order):
            node = self.nodes[nid]
            inputs: dict[str, Value] = {}
            for name, lit in node.literals.items():
                raw, rule = node.hidden.get(name, (lit, None))
                inputs[name] = Value(raw, lit, rule)
            for name, (src, slot) in node.links.items():
                ref = Ref(src if src in self.nodes else MISSING, slot)
                inputs[name] = Value(ref, ref)
            if node.meta is not None:
                inputs["_meta"] = Value(node.meta, node.meta)
            nodes[nid] = GraphNode(nid, node.class_type, {k: inputs[k] for k in sorted(inputs)},
                                   output=nid in out_set, opaque=opaque_rule.get(nid), title=node.title)
        return NodeGraph(nodes)

    def _keys(self, keep: set[str]) -> dict[str, str]:
        """Form keys: the label, plus a hash of the node's consumers when several nodes share a label
        (a masked positive and negative prompt look alike until one sees where they go)."""
        by_label: dict[str, list[str]] = {}
        for nid in keep:
            by_label.setdefault(self.labels[nid], []).append(nid)
        consumers: dict[str, list[tuple[str, str, int]]] = {}
        for nid in keep:
            for name, (src, slot) in self.nodes[nid].links.items():
                consumers.setdefault(src, []).append((self.labels[nid], name, slot))
        keys: dict[str, str] = {}
        for label, nids in by_label.items():
            for nid in nids:
                if len(nids) == 1:
                    keys[nid] = label
                else:
                    role = repr(sorted(consumers.get(nid, [])))
                    keys[nid] = f"{label}~{hashlib.blake2b(role.encode(), digest_size=3).hexdigest()}"
        return keys

    def _entry(self, nid: str, keys: Mapping[str, str]) -> dict[str, Any]:
        entry: dict[str, Any] = self.form[self.labels[nid]]
        links = self.nodes[nid].links
        if not links:
            return entry
        inputs = dict(entry["inputs"])
        for name, (src, slot) in links.items():
            inputs[name] = [keys.get(src, inputs[name][0]), slot]
        return {**entry, "inputs": inputs}

    def _normalise(self, node: Mapping[str, Any]) -> _Node:
        class_type = node.get("class_type")
        ct = class_type if isinstance(class_type, str) else "<no class_type>"
        meta = node.get("_meta")
        title = meta.get("title") if isinstance(meta, Mapping) else None
        title = title if isinstance(title, str) else None
        literals: dict[str, Any] = {}
        links: dict[str, tuple[str, int]] = {}
        hidden: dict[str, tuple[Any, str]] = {}
        inputs = node.get("inputs")
        for name, value in (inputs.items() if isinstance(inputs, Mapping) else ()):
            name = str(name)
            if type(value) is list and _is_link(value):
                src = self.raw.get(value[0])
                src_class = src.get("class_type") if src is not None else None
                if isinstance(src_class, str) and self._text_source(src_class):
                    literals[name] = VOLATILE
                    hidden[name] = (Ref(value[0], value[1]), f"text_sources: {self._source_rule(src_class)}")
                else:
                    links[name] = (value[0], value[1])
                continue
            if self.norm.numeric_strings and isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
                value = float(value) if any(c in value for c in ".eE") else int(value)
            if self._volatile(ct, title, name):
                masked = _mask(value)
                if masked is VOLATILE:
                    hidden[name] = (_literal(value, self.norm.float_digits), self._volatile_rule(ct, title, name))
                literals[name] = masked
            else:
                literals[name] = _literal(value, self.norm.float_digits)
        return _Node(ct, title, _literal(meta, self.norm.float_digits) if self.norm.keep_meta else None,
                     literals, links, hidden)

    def _volatile(self, class_type: str, title: str | None, name: str) -> bool:
        key = (class_type, title, name)
        known = self.c.volatile_memo.get(key)
        if known is None:
            known = _matches(self.c.volatile_class, f"{class_type}\x00{name}") or (
                title is not None and _matches(self.c.volatile_title, f"{title}\x00{name}"))
            self.c.volatile_memo[key] = known
        return known

    def _volatile_rule(self, class_type: str, title: str | None, name: str) -> str:
        """The first volatile rule that matches (for messages; only asked when one does)."""
        for rule in self.norm.volatile:
            owner, _, input_name = rule.lstrip("@").rpartition(".")
            subject = title if rule.startswith("@") else class_type
            if subject is not None and fnmatch.fnmatchcase(subject, owner) and fnmatch.fnmatchcase(name, input_name):
                return rule
        return "volatile"

    def _source_rule(self, class_type: str) -> str | None:
        lowered = class_type.lower()
        return next((p for p in self.norm.text_sources if fnmatch.fnmatchcase(lowered, p.lower())), None)

    def _text_source(self, class_type: str) -> bool:
        known = self.c.source_memo.get(class_type)
        if known is None:
            known = self.c.source_memo[class_type] = _matches(self.c.text_source, class_type)
        return known

    def _outputs(self) -> list[str]:
        found = [nid for nid, n in self.nodes.items() if _matches(self.c.output, n.class_type)]
        if found:
            return found
        fed = {src for n in self.nodes.values() for src, _ in n.links.values()}
        return [nid for nid in self.nodes if nid not in fed]  # no output class: every sink is an output

    def _upstream(self, starts: Iterable[str]) -> set[str]:
        seen: set[str] = set()
        stack = [s for s in starts if s in self.nodes]
        while stack:
            nid = stack.pop()
            if nid in seen:
                continue
            seen.add(nid)
            stack.extend(src for src, _ in self.nodes[nid].links.values() if src in self.nodes)
        return seen

    def _cyclic_edges(self, keep: set[str]) -> set[tuple[str, str]]:
        """Links u.name -> v where u is upstream of v as well: labelled by v's class, not v's label."""
        closure = {nid: self._upstream(src for src, _ in self.nodes[nid].links.values()) for nid in keep}
        return {(u, name) for u in keep for name, (v, _) in self.nodes[u].links.items()
                if v in closure and (u in closure[v] or u == v)}

    def _label(self, nid: str) -> str:
        label = self.labels.get(nid)
        if label is not None:
            if label is _CYCLE:
                raise _CycleFound
            return label
        self.labels[nid] = _CYCLE
        node = self.nodes[nid]
        inputs: dict[str, Any] = dict(node.literals)
        for name, (src, slot) in node.links.items():
            if src not in self.nodes:
                inputs[name] = [MISSING, slot]
            elif self.cyclic is not None and (nid, name) in self.cyclic:
                inputs[name] = [f"{_CYCLE}{self.nodes[src].class_type}", slot]
            else:
                inputs[name] = [self._label(src), slot]
        entry: dict[str, Any] = {"class_type": node.class_type, "inputs": {k: inputs[k] for k in sorted(inputs)}}
        if node.meta is not None:
            entry["_meta"] = node.meta
        digest = hashlib.blake2b(repr(entry).encode(), digest_size=5).hexdigest()
        label = f"{node.class_type}#{digest}"
        self.labels[nid] = label
        self.form[label] = entry
        return label


class _CycleFound(Exception):
    pass


def _id_order(nid: str) -> tuple[int, str]:
    return (len(nid), nid) if nid.isdigit() else (10**9, nid)


def canonicalize(workflow: Mapping[str, Any], normalisation: Normalisation | None = None) -> CanonicalGraph:
    """The canonical form of an API-format workflow (or of a ``/prompt`` body's workflow)."""
    if not isinstance(workflow, Mapping):
        raise ComfyContractError(
            f"expected an API-format workflow (a JSON object of nodes), got {type(workflow).__name__}",
            hint="export the workflow with 'Save (API)' in ComfyUI",
        )
    return _Builder(_unwrap(workflow), normalisation or Normalisation()).build()


# --- matching -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Matching:
    """Which node of graph A corresponds to which node of graph B (by canonical label)."""

    pairs: tuple[tuple[str, str], ...]
    only_a: tuple[str, ...]
    only_b: tuple[str, ...]


class _Matcher:
    def __init__(self, a: CanonicalGraph, b: CanonicalGraph) -> None:
        self.a, self.b = a, b
        self.a_to_b: dict[str, str] = {}
        self.b_to_a: dict[str, str] = {}
        self.queue: list[tuple[str, str]] = []

    def pair(self, la: str, lb: str) -> None:
        self.a_to_b[la] = lb
        self.b_to_a[lb] = la
        self.queue.append((la, lb))

    def run(self) -> Matching:
        for label in self.a.form:
            if label in self.b.form:  # same upstream; the links may still point to other look-alikes
                self.a_to_b[label] = label
                self.b_to_a[label] = label
                if self.a.form[label] != self.b.form[label]:
                    self.queue.append((label, label))
        self._pair_by_class(self.a.outputs, self.b.outputs)
        self._propagate()
        self._pair_by_class(self.a.form, self.b.form)
        self._propagate()
        pairs = tuple(sorted(self.a_to_b.items()))
        return Matching(
            pairs=pairs,
            only_a=tuple(sorted(set(self.a.form) - set(self.a_to_b))),
            only_b=tuple(sorted(set(self.b.form) - set(self.b_to_a))),
        )

    def _pair_by_class(self, labels_a: Iterable[str], labels_b: Iterable[str]) -> None:
        free_b: dict[str, list[str]] = {}
        for lb in sorted(labels_b):
            if lb not in self.b_to_a:
                free_b.setdefault(self.b.class_type(lb), []).append(lb)
        for la in sorted(labels_a):
            if la in self.a_to_b:
                continue
            candidates = free_b.get(self.a.class_type(la))
            if candidates:
                self.pair(la, candidates.pop(0))

    def _propagate(self) -> None:
        while self.queue:
            la, lb = self.queue.pop(0)
            links_a, links_b = self.a.links(la), self.b.links(lb)
            for name in sorted(set(links_a) & set(links_b)):
                ta, tb = links_a[name][0], links_b[name][0]
                if ta in self.a.form and tb in self.b.form and ta not in self.a_to_b and tb not in self.b_to_a:
                    self._pair_upstream(ta, tb)

    def _pair_upstream(self, ta: str, tb: str) -> None:
        cls_a, cls_b = self.a.class_type(ta), self.b.class_type(tb)
        if cls_a == cls_b:
            self.pair(ta, tb)
            return
        # a node removed in between: ta's own input has tb's class (and the reverse for an insertion)
        for _, (up, _) in sorted(self.a.links(ta).items()):
            if up in self.a.form and up not in self.a_to_b and self.a.class_type(up) == cls_b:
                self.pair(up, tb)
                return
        for _, (up, _) in sorted(self.b.links(tb).items()):
            if up in self.b.form and up not in self.b_to_a and self.b.class_type(up) == cls_a:
                self.pair(ta, up)
                return
        self.pair(ta, tb)  # replaced


def match(a: CanonicalGraph, b: CanonicalGraph) -> Matching:
    """Pair the nodes of ``a`` and ``b``; deterministic, independent of node ids."""
    return _Matcher(a, b).run()
