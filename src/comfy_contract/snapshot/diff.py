"""Graph-aware diffs between two workflows.

:func:`diff` canonicalises both workflows (:mod:`comfy_contract.snapshot.canonical`); equal canonical forms
are decided by one ``==`` and give an empty :class:`GraphDiff`. Otherwise the nodes are matched and
every difference becomes a :class:`Change` with the node ids on both sides and a path:

- structural: ``node-added``/``node-removed``/``node-replaced``, ``output-added``/``output-removed``,
  ``link-rewired`` (a link to another node or slot, a link that became a literal or the reverse);
- literal: ``literal-changed``, ``input-added``/``input-removed`` (models, CLIP type, steps, cfg,
  sampler, size, custom-node parameters ...).

Nodes are matched one to one (:mod:`comfy_contract.snapshot.graphmatch`) so that the changes are as few as
possible: a literal changed in one of several identical branches is one ``literal-changed``, not the branch
removed and added. Differences that a normalisation rule hides (a volatile seed, a prompt text, an LLM
node) are still listed, in :attr:`GraphDiff.ignored`, each with the rule that hid it; they never make two
graphs different. The diff (:attr:`GraphDiff.changes`) is empty exactly when the canonical forms are equal.

:meth:`GraphDiff.delta_rows` gives a JSON-safe deepdiff ``Delta`` from form A to form B (computed lazily:
deepdiff is slow), storable as "approved drift"; :func:`apply_delta` replays it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff, Delta

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import dumps, escape_token
from comfy_contract.snapshot.canonical import (
    MISSING,
    CanonicalGraph,
    GraphNode,
    NodeGraph,
    Normalisation,
    Ref,
    Value,
    _is_link,
    canonicalize,
)
from comfy_contract.snapshot.graphmatch import best_mapping, input_weight

__all__ = ["Change", "ChangeKind", "GraphDiff", "apply_delta", "diff", "diff_canonical"]


class ChangeKind(enum.StrEnum):
    NODE_REPLACED = "node-replaced"
    NODE_REMOVED = "node-removed"
    NODE_ADDED = "node-added"
    OUTPUT_REMOVED = "output-removed"
    OUTPUT_ADDED = "output-added"
    LINK_REWIRED = "link-rewired"
    LITERAL_CHANGED = "literal-changed"
    INPUT_REMOVED = "input-removed"
    INPUT_ADDED = "input-added"

    @property
    def structural(self) -> bool:
        return self not in _LITERAL_KINDS


_LITERAL_KINDS = frozenset({ChangeKind.LITERAL_CHANGED, ChangeKind.INPUT_REMOVED, ChangeKind.INPUT_ADDED})
_ORDER = {kind: i for i, kind in enumerate(ChangeKind)}



@dataclass(frozen=True, slots=True)
class Change:
    """One difference. ``a``/``b`` are the node ids in workflow A / B (empty on the side that lacks it);
    ``input`` is the input name for input-level changes. Link values are shown as
    ``{"link": [node_id, slot], "class_type": ...}`` in the ids of their own side."""

    kind: ChangeKind
    class_type: str
    a: tuple[str, ...] = ()
    b: tuple[str, ...] = ()
    input: str | None = None
    old: Any = None
    new: Any = None
    #: the normalisation rule that hides this difference (``None``: the difference counts)
    ignored_by: str | None = None

    @property
    def structural(self) -> bool:
        return self.kind.structural

    @property
    def path(self) -> str:
        """The JSON pointer inside the node (``/inputs/steps``), ``""`` for a whole node."""
        return "" if self.input is None else f"/inputs/{escape_token(self.input)}"

    def pointer(self, side: str) -> str | None:
        """The JSON pointer in workflow ``"a"`` or ``"b"``, or ``None`` if that side lacks the node."""
        ids = self.a if side == "a" else self.b
        return f"/{escape_token(ids[0])}{self.path}" if ids else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "structural": self.structural,
            "class_type": self.class_type,
            "a": list(self.a),
            "b": list(self.b),
            "input": self.input,
            "path_a": self.pointer("a"),
            "path_b": self.pointer("b"),
            "old": self.old,
            "new": self.new,
            "ignored_by": self.ignored_by,
        }

    def describe(self) -> str:
        """One line: what changed, where in A and B, old → new."""
        where = self.class_type if self.input is None else f"{self.class_type}.{self.input}"
        head = f"{self.kind:<16} {where}"
        if self.kind in (ChangeKind.NODE_REMOVED, ChangeKind.OUTPUT_REMOVED):
            return f"{head}  a:{_ids(self.a)}"
        if self.kind in (ChangeKind.NODE_ADDED, ChangeKind.OUTPUT_ADDED):
            return f"{head}  b:{_ids(self.b)}"
        if self.kind is ChangeKind.NODE_REPLACED:
            return f"{self.kind:<16} {self.old} a:{_ids(self.a)} → {self.new} b:{_ids(self.b)}"
        return (f"{head}  a:{self.pointer('a')} {_show(self.old, 'a')}  →  "
                f"b:{self.pointer('b')} {_show(self.new, 'b')}")

    def word(self) -> str:
        """The change inside its node's line of :meth:`GraphDiff.to_text` ``view="nodes"``:
        ``steps [-20-]{+7+}`` (what ``git diff --word-diff`` shows for a word)."""
        if self.kind is ChangeKind.NODE_REPLACED:
            return f"class [-{self.old}-]{{+{self.new}+}}"
        if self.kind in (ChangeKind.NODE_ADDED, ChangeKind.NODE_REMOVED, ChangeKind.OUTPUT_ADDED,
                         ChangeKind.OUTPUT_REMOVED):
            return ""
        old = "" if self.old is None else f"[-{_show(self.old, 'a')}-]"
        new = "" if self.new is None else f"{{+{_show(self.new, 'b')}+}}"
        return f"{self.input} {old}{new}"


def _ids(ids: Sequence[str]) -> str:
    return ",".join(ids) if ids else "-"


def _show(value: Any, side: str) -> str:
    if isinstance(value, Mapping) and "link" in value:
        node, slot = value["link"]
        return f"← {value.get('class_type') or MISSING} {side}:{node}[{slot}]"
    if value is None:
        return "(absent)"
    text = repr(value)
    return text if len(text) <= 72 else text[:60] + "…" + text[-8:]


@dataclass(frozen=True)
class GraphDiff:
    """The differences between canonical graphs ``a`` and ``b`` (empty iff their forms are equal)."""

    a: CanonicalGraph
    b: CanonicalGraph
    changes: tuple[Change, ...] = ()
    #: differences a normalisation rule hides (listed, never counted): each has ``ignored_by``
    ignored: tuple[Change, ...] = ()

    @property
    def equal(self) -> bool:
        return not self.changes

    def __bool__(self) -> bool:
        return bool(self.changes)

    @property
    def structural(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.structural)

    @property
    def literal(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if not c.structural)

    def summary(self) -> str:
        k = len(self.ignored)
        ignored = f"; {k} ignored difference{'s' if k != 1 else ''} (normalisation rules)" if k else ""
        if self.equal:
            return ("equal: the canonical graphs are identical" if not k
                    else f"equal after normalisation{ignored}")
        n = len(self.changes)
        return (f"{n} change{'s' if n != 1 else ''} "
                f"({len(self.structural)} structural, {len(self.literal)} literal){ignored}")

    def to_text(self, *, indent: str = "  ", view: str = "changes") -> str:
        """``view="changes"``: one line per change; ``"nodes"``: one line per node with its changes as
        ``input [-old-]{+new+}`` words. Ignored differences are marked ``·`` and name their rule."""
        if view == "nodes":
            return "\n".join([self.summary(), *(indent + line for line in self.node_lines())])
        lines = [self.summary()]
        lines += [f"{indent}{'~' if c.structural else '*'} {c.describe()}" for c in self.changes]
        lines += [f"{indent}· {c.describe()}  (ignored: {c.ignored_by})" for c in self.ignored]
        return "\n".join(lines)

    def node_lines(self) -> list[str]:
        """The per-node view: ``KSampler a:3 b:103  steps [-30-]{+20+}``; a removed node is ``[-...-]``,
        an added one ``{+...+}``; ignored words are followed by ``(ignored: RULE)``."""
        groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Change]] = {}
        for c in (*self.changes, *self.ignored):
            groups.setdefault((c.a, c.b), []).append(c)
        lines = []
        for (ids_a, ids_b), group in sorted(groups.items(), key=lambda g: (g[0][0] or g[0][1], g[0][1])):
            head = group[0]
            cls = head.new if head.kind is ChangeKind.NODE_REPLACED else head.class_type
            where = " ".join(x for x in (f"a:{_ids(ids_a)}" if ids_a else "", f"b:{_ids(ids_b)}" if ids_b else "")
                             if x)
            if not ids_b:
                words = [f"[-{cls} {where}-]"]
            elif not ids_a:
                words = [f"{{+{cls} {where}+}}"]
            else:
                words = [f"{cls} {where} "]
            for c in group:
                word = c.word()
                if word:
                    words.append(word + (f" (ignored: {c.ignored_by})" if c.ignored_by else ""))
                elif c.ignored_by:
                    words.append(f"(ignored: {c.ignored_by})")
            lines.append(" ".join(w.strip() for w in words if w.strip()).replace(f"{where} ", f"{where}  ", 1))
        return lines

    def to_dict(self, *, with_delta: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "equal": self.equal,
            "summary": {"changes": len(self.changes), "structural": len(self.structural),
                        "literal": len(self.literal), "ignored": len(self.ignored)},
            "changes": [c.to_dict() for c in self.changes],
            "ignored": [c.to_dict() for c in self.ignored],
        }
        if with_delta:
            out["delta"] = self.delta_rows()
        return out

    def to_json(self, *, with_delta: bool = False, indent: int | None = 2) -> str:
        return dumps(self.to_dict(with_delta=with_delta), indent=indent)

    def to_delta(self) -> Delta:
        """A deepdiff ``Delta`` turning form A into form B."""
        return Delta(DeepDiff(dict(self.a.form), dict(self.b.form), threshold_to_diff_deeper=0),
                     log_errors=False, raise_errors=True)

    def delta_rows(self) -> list[dict[str, Any]]:
        """:meth:`to_delta` as JSON-safe flat rows (what snapshots store as approved drift)."""
        if self.equal:
            return []
        return [_json_row(row) for row in self.to_delta().to_flat_dicts()]


_ROW_KEYS = ("path", "action", "value", "old_value", "new_path",
             "t1_from_index", "t1_to_index", "t2_from_index", "t2_to_index")


def _json_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in _ROW_KEYS:
        value = row.get(key)
        if value is None or value == "unknown___":
            continue
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def apply_delta(form: Mapping[str, Any], rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Apply stored delta ``rows`` to a canonical ``form``; raises ComfyContractError if they do not fit."""
    if not rows:
        return dict(form)
    for row in rows:
        if not str(row.get("action", "")).endswith("_added") and not _has_path(form, row.get("path", [])):
            raise ComfyContractError(
                f"the stored delta does not apply to this graph: it changes {row.get('path')!r}, which is not there",
                hint="the base graph changed; review the diff and re-approve it with `comfy-contract snapshot update`",
            )
    try:
        delta = Delta(flat_dict_list=[dict(r) for r in rows], log_errors=False, raise_errors=True)
        result = dict(form) + delta
    except Exception as exc:  # deepdiff raises many kinds for a delta that does not fit
        raise ComfyContractError(
            f"the stored delta does not apply to this graph: {exc}",
            hint="the base graph changed; review the diff and re-approve it with `comfy-contract snapshot update`",
        ) from None
    return dict(result)


def _has_path(form: Mapping[str, Any], path: Sequence[Any]) -> bool:
    node: Any = form
    for step in path:
        in_map = isinstance(node, Mapping) and step in node
        in_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if not (in_map or in_list):
            return False
        node = node[step]
    return True


# --- computing the changes ----------------------------------------------------------------------


def diff(a: Mapping[str, Any], b: Mapping[str, Any], normalisation: Normalisation | None = None) -> GraphDiff:
    """The graph-aware diff of two API-format workflows (or ``/prompt`` bodies)."""
    norm = normalisation or Normalisation()
    return diff_canonical(canonicalize(a, norm), canonicalize(b, norm))


def diff_canonical(a: CanonicalGraph, b: CanonicalGraph, *, explain_ignored: bool = True) -> GraphDiff:
    """The diff of two canonical graphs. With ``explain_ignored=False`` equal forms give an empty diff at
    once (no matching; what a snapshot check that passes needs)."""
    if a.form == b.form and not explain_ignored:
        return GraphDiff(a, b)
    ga, gb = _graph_of(a), _graph_of(b)
    changes = _changes(ga, gb, best_mapping(ga, gb))
    counted = tuple(sorted((c for c in changes if c.ignored_by is None), key=_sort_key))
    ignored = tuple(sorted((c for c in changes if c.ignored_by is not None), key=_sort_key))
    if a.form == b.form:
        counted = ()  # by construction; a budget-limited matching must not invent a change
    return GraphDiff(a, b, counted, ignored)


def _sort_key(c: Change) -> tuple[Any, ...]:
    return (_ORDER[c.kind], c.class_type, c.input or "", [_id_key(i) for i in c.a], [_id_key(i) for i in c.b])


def _id_key(nid: str) -> tuple[int, str]:
    return (len(nid), nid) if nid.isdigit() else (10**9, nid)


def _changes(ga: NodeGraph, gb: NodeGraph, m: Mapping[str, str]) -> list[Change]:
    out: list[Change] = []
    used = set(m.values())
    for x, node in ga.nodes.items():
        if x not in m:
            kind = ChangeKind.OUTPUT_REMOVED if node.output else ChangeKind.NODE_REMOVED
            out.append(Change(kind, node.class_type, a=(x,), ignored_by=node.opaque))
    for y, node in gb.nodes.items():
        if y not in used:
            kind = ChangeKind.OUTPUT_ADDED if node.output else ChangeKind.NODE_ADDED
            out.append(Change(kind, node.class_type, b=(y,), ignored_by=node.opaque))
    for x, y in m.items():
        out.extend(_pair_changes(ga, gb, ga.nodes[x], gb.nodes[y], m))
    return out


def _pair_changes(ga: NodeGraph, gb: NodeGraph, na: GraphNode, nb: GraphNode,
                  m: Mapping[str, str]) -> list[Change]:
    ids_a, ids_b = (na.id,), (nb.id,)
    opaque = na.opaque or nb.opaque
    out: list[Change] = []
    if na.class_type != nb.class_type:
        out.append(Change(ChangeKind.NODE_REPLACED, nb.class_type, ids_a, ids_b, old=na.class_type,
                          new=nb.class_type, ignored_by=opaque))
    for name in sorted(na.inputs.keys() | nb.inputs.keys()):
        va, vb = na.inputs.get(name), nb.inputs.get(name)
        weight = input_weight(va, vb, m, opaque is not None)
        if not weight:
            continue
        rule = opaque or (_rule(va, vb) if weight == 1 else None)
        if (va is not None and isinstance(va.raw, Ref)) or (vb is not None and isinstance(vb.raw, Ref)):
            kind = ChangeKind.LINK_REWIRED
        elif va is None:
            kind = ChangeKind.INPUT_ADDED
        elif vb is None:
            kind = ChangeKind.INPUT_REMOVED
        else:
            kind = ChangeKind.LITERAL_CHANGED
        out.append(Change(kind, nb.class_type, ids_a, ids_b, name, _side_value(ga, va), _side_value(gb, vb),
                          ignored_by=rule))
    return out


def _rule(va: Value | None, vb: Value | None) -> str:
    rules = [v.rule for v in (va, vb) if v is not None and v.rule]
    return "; ".join(dict.fromkeys(rules)) or "normalisation"


def _side_value(g: NodeGraph, value: Value | None) -> Any:
    if value is None:
        return None
    raw = value.raw
    if not isinstance(raw, Ref):
        return raw
    node = g.nodes.get(raw.node)
    if node is None:
        return {"link": [raw.node if raw.node != MISSING else MISSING, raw.slot], "class_type": None}
    return {"link": [raw.node, raw.slot], "class_type": node.class_type}


def _graph_of(g: CanonicalGraph) -> NodeGraph:
    """The node graph of ``g``; for a hand-built form, one node per copy with the labels' ids."""
    if g.graph is not None:
        return g.graph
    first = {label: (g.ids.get(label) or (label,))[0] for label in g.form}
    nodes: dict[str, GraphNode] = {}
    outputs = set(g.outputs)
    for label, entry in g.form.items():
        ids = g.ids.get(label) or (label,)
        for n in range(int(entry.get("count", 1))):
            nid = ids[n] if n < len(ids) else f"{ids[0]}~{n}"
            inputs: dict[str, Value] = {}
            for name, v in entry["inputs"].items():
                if _is_link(v):
                    ref = Ref(first.get(v[0], MISSING), v[1])
                    inputs[name] = Value(ref, ref)
                else:
                    inputs[name] = Value(v, v)
            nodes[nid] = GraphNode(nid, str(entry["class_type"]), inputs, output=label in outputs)
    return NodeGraph(nodes)


def check_rows(rows: Any, source: str) -> list[dict[str, Any]]:
    """Validate the shape of stored delta rows (a list of objects with ``path`` and ``action``)."""
    if not isinstance(rows, list) or not all(
        isinstance(r, Mapping) and isinstance(r.get("path"), list) and isinstance(r.get("action"), str)
        for r in rows
    ):
        raise ComfyContractError(
            f"{source}: approved_drift must be a list of deepdiff flat rows ({{'path': [...], 'action': ...}})",
            hint="re-create it with `comfy-contract snapshot update`",
        )
    return [dict(r) for r in rows]
