"""Small, total helpers over an API-format workflow: nodes, links, outputs and what feeds them.

Lints and contracts run next to validation, so they meet malformed workflows. Every helper here is
total: a workflow that is not an object has no nodes, a node that is not an object has no inputs, a
list input that is not a ``[node_id, slot]`` pair to an existing node is not a link. Node ids are
the workflow's keys as strings; a link's node id is matched by ``str(link[0])``.

ComfyUI executes exactly the nodes an output node depends on (``output_node: true`` in
``/object_info``); "live" below means that set.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from comfy_contract.core.jsonio import escape_token
from comfy_contract.validation.catalog import Catalog, NodeSpec

__all__ = [
    "Link",
    "class_type",
    "input_pointer",
    "inputs_of",
    "links_of",
    "live_nodes",
    "nodes",
    "output_nodes",
    "title_of",
    "upstream",
]


@dataclass(frozen=True, slots=True)
class Link:
    """One link ``target.inputs[input] = [source, slot]``."""

    target: str
    input: str
    source: str
    slot: Any


def nodes(workflow: Any) -> dict[str, Mapping[str, Any]]:
    """The workflow's nodes by string id; entries that are not objects are left out."""
    if not isinstance(workflow, Mapping):
        return {}
    return {str(k): v for k, v in workflow.items() if isinstance(v, Mapping)}


def inputs_of(node: Any) -> Mapping[str, Any]:
    """The node's ``inputs`` object, or an empty one."""
    if not isinstance(node, Mapping):
        return {}
    inputs = node.get("inputs")
    return inputs if isinstance(inputs, Mapping) else {}


def class_type(node: Any) -> str | None:
    """The node's ``class_type`` if it is a string."""
    if not isinstance(node, Mapping):
        return None
    ct = node.get("class_type")
    return ct if isinstance(ct, str) else None


def title_of(node: Any) -> str | None:
    """The node's ``_meta.title`` if it is a string."""
    if not isinstance(node, Mapping):
        return None
    meta = node.get("_meta")
    title = meta.get("title") if isinstance(meta, Mapping) else None
    return title if isinstance(title, str) else None


def input_pointer(node_id: str, input_name: str) -> str:
    """The JSON pointer (RFC 6901) of ``workflow[node_id].inputs[input_name]``."""
    return f"/{escape_token(node_id)}/inputs/{escape_token(input_name)}"



def links_of(node_id: str, node: Any, known: Mapping[str, Any]) -> Iterator[Link]:
    """The links of one node to nodes in ``known`` (inputs holding a ``[node_id, slot]`` pair)."""
    for name, value in inputs_of(node).items():
        if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str | int):
            source = str(value[0])
            if source in known:
                yield Link(node_id, str(name), source, value[1])


def output_nodes(workflow: Any, catalog: Catalog) -> tuple[str, ...]:
    """Ids of the nodes whose class the catalog marks ``output_node``, in workflow order."""
    out = []
    for node_id, node in nodes(workflow).items():
        spec = _spec(catalog, node)
        if spec is not None and spec.output_node:
            out.append(node_id)
    return tuple(out)


def upstream(
    workflow: Any, roots: Iterable[str], *, follow: Callable[[Link], bool] | None = None
) -> frozenset[str]:
    """``roots`` and every node they depend on through links (``follow`` may prune links)."""
    graph = nodes(workflow)
    seen: set[str] = set()
    stack = [r for r in roots if r in graph]
    while stack:
        node_id = stack.pop()
        if node_id in seen:
            continue
        seen.add(node_id)
        for link in links_of(node_id, graph[node_id], graph):
            if link.source not in seen and (follow is None or follow(link)):
                stack.append(link.source)
    return frozenset(seen)


def live_nodes(workflow: Any, catalog: Catalog) -> frozenset[str]:
    """The nodes ComfyUI would execute: the output nodes and everything upstream of them."""
    return upstream(workflow, output_nodes(workflow, catalog))


def _spec(catalog: Catalog, node: Any) -> NodeSpec | None:
    ct = class_type(node)
    return catalog.get(ct) if ct is not None else None
