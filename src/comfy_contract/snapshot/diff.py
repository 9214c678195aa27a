"""Graph-aware diffs between two workflows.

:func:`diff` canonicalises both workflows (:mod:`comfy_contract.snapshot.canonical`); equal canonical forms
are decided by one ``==`` and give an empty :class:`GraphDiff`. Otherwise the nodes are matched and
every difference becomes a :class:`Change` with the node ids on both sides and a path:

- structural: ``node-added``/``node-removed``/``node-replaced``, ``output-added``/``output-removed``,
  ``link-rewired`` (a link to another node or slot, a link that became a literal or the reverse);
- literal: ``literal-changed``, ``input-added``/``input-removed`` (models, CLIP type, steps, cfg,
  sampler, size, custom-node parameters ...).

The diff is empty exactly when the canonical forms are equal. :meth:`GraphDiff.delta_rows` gives a
JSON-safe deepdiff ``Delta`` from form A to form B (computed lazily: deepdiff is slow), storable as
"approved drift"; :func:`apply_delta` replays it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from deepdiff import DeepDiff, Delta

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import dumps, escape_token
from comfy_contract.snapshot.canonical import MISSING, CanonicalGraph, Normalisation, _is_link, canonicalize, match

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


def _ids(ids: Sequence[str]) -> str:
    return ",".join(ids) if ids else "-"


def _show(value: Any, side: str) -> str:
    if isinstance(value, Mapping) and "link" in value:
        node, slot = value["link"]
        return f"← {value.get('class_type') or MISSING} {side}:{node}[{slot}]"
    if value is None:
        return "(absent)"
    return repr(value)


@dataclass(frozen=True)
class GraphDiff:
    """The differences between canonical graphs ``a`` and ``b`` (empty iff their forms are equal)."""

    a: CanonicalGraph
    b: CanonicalGraph
    changes: tuple[Change, ...] = ()

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
        if self.equal:
            return "equal: the canonical graphs are identical"
        n = len(self.changes)
        return (f"{n} change{'s' if n != 1 else ''} "
                f"({len(self.structural)} structural, {len(self.literal)} literal)")

    def to_text(self, *, indent: str = "  ") -> str:
        lines = [self.summary()]
        lines += [f"{indent}{'~' if c.structural else '*'} {c.describe()}" for c in self.changes]
        return "\n".join(lines)

    def to_dict(self, *, with_delta: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "equal": self.equal,
            "summary": {"changes": len(self.changes), "structural": len(self.structural),
                        "literal": len(self.literal)},
            "changes": [c.to_dict() for c in self.changes],
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


def diff_canonical(a: CanonicalGraph, b: CanonicalGraph) -> GraphDiff:
    if a.form == b.form:
        return GraphDiff(a, b)
    m = match(a, b)
    changes: list[Change] = []
    outputs_a, outputs_b = set(a.outputs), set(b.outputs)
    for la in m.only_a:
        kind = ChangeKind.OUTPUT_REMOVED if la in outputs_a else ChangeKind.NODE_REMOVED
        changes.append(Change(kind, a.class_type(la), a=a.ids.get(la, ())))
    for lb in m.only_b:
        kind = ChangeKind.OUTPUT_ADDED if lb in outputs_b else ChangeKind.NODE_ADDED
        changes.append(Change(kind, b.class_type(lb), b=b.ids.get(lb, ())))
    b_to_a = {lb: la for la, lb in m.pairs}
    for la, lb in m.pairs:
        if a.form[la] != b.form[lb]:
            changes.extend(_node_changes(a, b, la, lb, b_to_a))
    changes.sort(key=_sort_key)
    return GraphDiff(a, b, tuple(changes))


def _sort_key(c: Change) -> tuple[Any, ...]:
    return (_ORDER[c.kind], c.class_type, c.input or "", c.a, c.b)


def _node_changes(a: CanonicalGraph, b: CanonicalGraph, la: str, lb: str,
                  b_to_a: Mapping[str, str]) -> list[Change]:
    ids_a, ids_b = a.ids.get(la, ()), b.ids.get(lb, ())
    cls_a, cls_b = a.class_type(la), b.class_type(lb)
    if cls_a != cls_b:
        return [Change(ChangeKind.NODE_REPLACED, cls_b, ids_a, ids_b, old=cls_a, new=cls_b)]
    node_a, node_b = a.node(la), b.node(lb)
    inputs_a, inputs_b = node_a["inputs"], node_b["inputs"]
    out: list[Change] = []
    count_a, count_b = node_a.get("count", 1), node_b.get("count", 1)
    if count_a != count_b:  # identical copies of a node were added or removed
        kind = ChangeKind.NODE_ADDED if count_b > count_a else ChangeKind.NODE_REMOVED
        out.append(Change(kind, cls_b, ids_a, ids_b, old=count_a, new=count_b))
    for name in sorted(set(inputs_a) | set(inputs_b)):
        va, vb = inputs_a.get(name, _NONE), inputs_b.get(name, _NONE)
        link_a, link_b = _is_link(va), _is_link(vb)
        if link_a or link_b:
            if not (link_a and link_b and _same_link(va, vb, b_to_a)):
                out.append(Change(ChangeKind.LINK_REWIRED, cls_b, ids_a, ids_b, name,
                                  _side_value(a, va), _side_value(b, vb)))
        elif va is _NONE:
            out.append(Change(ChangeKind.INPUT_ADDED, cls_b, ids_a, ids_b, name, None, vb))
        elif vb is _NONE:
            out.append(Change(ChangeKind.INPUT_REMOVED, cls_b, ids_a, ids_b, name, va, None))
        elif repr(va) != repr(vb):  # the canonical label hashes repr, so compare the same way
            out.append(Change(ChangeKind.LITERAL_CHANGED, cls_b, ids_a, ids_b, name, va, vb))
    if repr(node_a.get("_meta")) != repr(node_b.get("_meta")):
        out.append(Change(ChangeKind.LITERAL_CHANGED, cls_b, ids_a, ids_b, "_meta",
                          node_a.get("_meta"), node_b.get("_meta")))
    return out


_NONE: Any = object()


def _same_link(va: list[Any], vb: list[Any], b_to_a: Mapping[str, str]) -> bool:
    if va[1] != vb[1]:
        return False
    return b_to_a.get(vb[0]) == va[0] or (va[0] == vb[0] and "#" not in va[0])  # both <missing>/<cycle>


def _side_value(g: CanonicalGraph, value: Any) -> Any:
    if value is _NONE:
        return None
    if not _is_link(value):
        return value
    label, slot = value
    if label not in g.form:
        return {"link": [MISSING, slot], "class_type": None}
    return {"link": [g.id_of(label), slot], "class_type": g.class_type(label)}


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
