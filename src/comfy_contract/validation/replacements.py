"""Node replacements (ComfyUI 2026): the server rewrites nodes of unknown classes before validating.

A ComfyUI of 2026 keeps a table of replacements registered by its node packs (``GET /node_replacements``:
``{old class: [{"new_node_id", "input_mapping", "output_mapping", ...}, ...]}``). ``POST /prompt`` applies
it to the prompt before validation: a node whose class is not installed but has a replacement whose new
class is installed becomes that class, its inputs rebuilt from ``input_mapping`` (``set_value`` or a copy
of ``old_id``), and links into it re-pointed by ``output_mapping``. Re-implemented from
``app/node_replace_manager.py`` (linked in :mod:`~comfy_contract.validation.eras.era_2026`).
"""

from __future__ import annotations

import copy
from collections.abc import Container, Mapping
from typing import Any

__all__ = ["apply_replacements", "is_link"]


def is_link(value: Any) -> bool:
    """ComfyUI's ``graph_utils.is_link``: ``[str, int | float]``."""
    return (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], (int, float)))


def apply_replacements(prompt: Any, replacements: Mapping[str, Any], installed: Container[Any]) -> Any:
    """The prompt as the server validates it: ``prompt`` itself when nothing is replaced, else a rewritten
    copy. Raises what the server's code raises on malformed prompts (the server answers HTTP 500)."""
    connections: dict[Any, list[tuple[Any, Any, Any]]] = {}
    need: list[Any] = []
    for number, node in prompt.items():
        if not isinstance(node, dict) or "class_type" not in node or "inputs" not in node:
            continue
        class_type = node["class_type"]
        if class_type not in installed and class_type in replacements:
            need.append(number)
        for input_id, value in node["inputs"].items():
            if is_link(value):
                connections.setdefault(value[0], []).append((number, input_id, value[1]))
    if not need:
        return prompt
    prompt = copy.deepcopy(prompt)
    for number in need:
        node = prompt[number]
        choices = replacements.get(node["class_type"])
        if not choices:
            continue
        replacement = choices[0]
        new_class = replacement["new_node_id"]
        if new_class not in installed:
            continue
        new_node = dict(node)
        new_node["inputs"] = {}
        new_node["_meta"] = node.get("_meta", {}).copy()
        new_node["class_type"] = new_class
        for mapping in replacement.get("input_mapping") or ():
            if "set_value" in mapping:
                new_node["inputs"][mapping["new_id"]] = mapping["set_value"]
            elif "old_id" in mapping:
                new_node["inputs"][mapping["new_id"]] = node["inputs"][mapping["old_id"]]
        prompt[number] = new_node
        for target, input_id, old_index in connections.get(number, ()):
            for output_map in replacement.get("output_mapping") or ():
                if output_map["old_idx"] == old_index:
                    prompt[target]["inputs"][input_id][1] = output_map["new_idx"]
    return prompt
