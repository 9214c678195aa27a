"""Comparing an offline verdict with a real ComfyUI answer, on the parts ComfyUI keeps stable.

ComfyUI iterates Python sets while validating, so the order of reasons and of ``node_errors``, and the
membership of ``dependent_outputs``, vary with ``PYTHONHASHSEED``. Two answers *agree* when they have
the same HTTP status, the same ``error.type``, the same lines of ``error.details`` (as a set), the same
set of node ids in ``node_errors`` and, per node, the same multiset of (``type``, ``message``,
``details``); offline ``dependent_outputs`` must be a subset of the failed outputs the server names
anywhere in its answer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["Signature", "differences", "signature"]


@dataclass(frozen=True)
class Signature:
    status: int
    error_type: Any
    error_details: frozenset[str]
    nodes: frozenset[str]
    reasons: Mapping[str, Counter[tuple[str, str, str]]]
    dependents: frozenset[str]


def signature(status: int, body: Any) -> Signature:
    """The hash-seed-independent parts of a ``/prompt`` answer."""
    error_type: Any = None
    details: frozenset[str] = frozenset()
    nodes: dict[str, Counter[tuple[str, str, str]]] = {}
    dependents: set[str] = set()
    if isinstance(body, Mapping):
        err = body.get("error")
        if isinstance(err, Mapping):
            error_type = err.get("type")
            details = frozenset(str(err.get("details", "")).split("\n"))
        elif err is not None:
            error_type = err
        node_errors = body.get("node_errors")
        if isinstance(node_errors, Mapping):
            for node_id, entry in node_errors.items():
                nodes[str(node_id)] = Counter(
                    (str(r.get("type")), str(r.get("message")), str(r.get("details"))) for r in entry.get("errors", [])
                )
                dependents.update(str(o) for o in entry.get("dependent_outputs", []))
    elif status == 500:
        error_type = "http_500"
    return Signature(status, error_type, details, frozenset(nodes), nodes, frozenset(dependents))


def differences(offline_status: int, offline_body: Any, server_status: int, server_body: Any) -> list[str]:
    """What differs between an offline answer and the server's, empty if they agree."""
    a, b = signature(offline_status, offline_body), signature(server_status, server_body)
    out: list[str] = []
    if a.status != b.status:
        out.append(f"status: offline {a.status}, server {b.status}")
    if a.error_type != b.error_type:
        out.append(f"error.type: offline {a.error_type!r}, server {b.error_type!r}")
    if a.error_details != b.error_details:
        out.append(f"error.details lines: offline {sorted(a.error_details)!r}, server {sorted(b.error_details)!r}")
    if a.nodes != b.nodes:
        out.append(f"node_errors ids: offline {sorted(a.nodes)!r}, server {sorted(b.nodes)!r}")
    for node_id in sorted(a.nodes & b.nodes):
        if a.reasons[node_id] != b.reasons[node_id]:
            out.append(
                f"node {node_id!r} reasons: offline {sorted(a.reasons[node_id].elements())!r}, "
                f"server {sorted(b.reasons[node_id].elements())!r}"
            )
    if not a.dependents <= (b.dependents | b.nodes | a.nodes):
        out.append(f"dependent_outputs: offline names {sorted(a.dependents - b.dependents)!r} the server does not")
    return out
