"""ComfyUI 0.4 and later (Dec 2025 - Sept 2026): modelled from source, never run here.

No ComfyUI of this era can be installed offline (nothing on PyPI vendors one; reference §5), so every
rule below is read from the source and linked to it; tests are built from the source's own examples.
Where the rules differ from :mod:`~comfy_contract.validation.eras.era_0_3_75`:

=====================================  ==========================================================
rule                                   source (Comfy-Org/ComfyUI)
=====================================  ==========================================================
``missing_node_type`` with the node's  ``execution.py`` @ 04e2a91 ``validate_prompt``: the two
``_meta.title`` (PR #12194, Feb 2026)  ``'class_type' not in prompt[x]`` / ``NODE_CLASS_MAPPINGS.get``
                                       branches build ``"Node '{title}' ..."`` from
                                       ``node_data.get('_meta', {}).get('title')``
``dependency_cycle`` (PR #13169,       ``execution.py`` @ 04e2a91 ``validate_inputs``: ``if unique_id
Apr 2026)                              in visiting`` marks every node of ``visiting[index:] + [id]``
                                       with the path ``"a (A) -> b (B) -> a (A)"``; the node's own
                                       errors are joined after (``ret[1] + [error ...]``)
``COMBO`` inputs checked against       ``execution.py`` @ 04e2a91 ``validate_inputs``: ``input_type ==
``options`` (PR #11345, Dec 2025),     io.Combo.io_type`` -> ``extra_info.get("options", [])``,
skipped with ``remote_combo``,         ``if extra_info.get("remote_combo"): continue``, ``is_multiselect
``multiselect`` lists element-wise     and isinstance(val, list)``; details ``', '.join(repr(v) ...)``
(PR #13484, Apr 2026)
explicit ``*``, ``COMFY_MATCHTYPE_V3``  ``comfy_execution/validation.py`` @ 503745c
and list-to-``COMBO`` link matches     ``validate_node_input``
v3 dynamic inputs (autogrow, dynamic    ``comfy_api/latest/_io.py`` @ 04e2a91 ``get_finalized_class_inputs``,
combo / slot / group)                  ``parse_class_inputs``, ``Autogrow/DynamicCombo/DynamicSlot/
                                       _DynamicGroup._expand_schema_for_dynamic``; ``execution.py``
                                       ``invalid_dynamic_input`` on ``DynamicInputError``
node replacements before validation    ``app/node_replace_manager.py`` @ b5d74cc ``apply_replacements``;
                                       ``server.py`` @ 002c3fb ``post_prompt``; ``GET /node_replacements``
``invalid_prompt_id`` (PR #13998,      ``server.py`` @ 002c3fb ``post_prompt``;
June 2026)                             ``comfy_execution/jobs.py`` @ 172be43 ``validate_job_id``
=====================================  ==========================================================

Not modelled (the catalog cannot tell): ``validate_loops`` (Sept 2026) needs each class's
``loop_boundary``, which ``/object_info`` does not expose; on-prompt handlers; VALIDATE_INPUTS bodies.
The recursion limit is carried over from 0.3.75 (the validator is async in both; not measured).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from comfy_contract.validation.eras.base import Reason
from comfy_contract.validation.eras.era_0_3_75 import ERA_0_3_75

__all__ = ["ERA_2026", "NEWER_FIELDS"]

_SRC = "https://github.com/Comfy-Org/ComfyUI/blob"
EXECUTION = f"{_SRC}/04e2a914334246661a77665aa14068a0670e3321/execution.py"
VALIDATION = f"{_SRC}/503745c94c75896cfac4419f651a6993098fecc5/comfy_execution/validation.py"
IO = f"{_SRC}/04e2a914334246661a77665aa14068a0670e3321/comfy_api/latest/_io.py"
REPLACE = f"{_SRC}/b5d74ccb0d8a5ac3b444c9d352b95638d9d7767c/app/node_replace_manager.py"
SERVER = f"{_SRC}/002c3fb9a504255ccb3edb668c08b8f56e63d14a/server.py"
JOBS = f"{_SRC}/172be438576532bd3d7243c5608ddde8a31e2944/comfy_execution/jobs.py"

#: ``/object_info`` fields that first appear in Dec 2025 - 2026 (reference §3.1)
NEWER_FIELDS = frozenset(
    {"is_input_list", "has_intermediate_output", "search_aliases", "essentials_category", "price_badge",
     "dev_only", "output_matchtypes"}
)

MATCHTYPE = "COMFY_MATCHTYPE_V3"


def _link_match(received: Any, expected: Any) -> bool:
    """``validate_node_input`` (VALIDATION): equal, an explicit ``*`` on either side (also as a member of
    a comma list), ``COMFY_MATCHTYPE_V3`` on either side, or a list of options into a ``COMBO`` input
    match; two strings match if their comma-separated parts intersect."""
    if received == expected or received == "*" or expected == "*":
        return True
    if received == MATCHTYPE or expected == MATCHTYPE:
        return True
    if isinstance(received, list) and expected == "COMBO":
        return True
    if not isinstance(received, str) or not isinstance(expected, str):
        return False
    got = {t.strip() for t in received.split(",")}
    want = {t.strip() for t in expected.split(",")}
    return "*" in got or "*" in want or bool(got & want)


def _never_ambiguous(received: Any, expected: Any) -> bool:
    """``*`` is an explicit wildcard in this era: a ``*`` match is never undecidable."""
    return False


def _combo_options(input_type: Any, options: Mapping[str, Any]) -> Any:
    """EXECUTION ``validate_inputs``: a list type is its own options; ``"COMBO"`` takes
    ``options.get("options", [])`` (so a COMBO without options rejects every value) unless the input
    has ``remote_combo`` (options fetched by the browser: not checked)."""
    if isinstance(input_type, list):
        return input_type
    if input_type == "COMBO":
        return None if options.get("remote_combo") else options.get("options", [])
    return None


def _title(node: Any, default: Any) -> Any:
    # ``node_data.get('_meta', {}).get('title', ...)``: raises (HTTP 500) when the node or its _meta
    # is not a mapping, as on the server
    return node.get("_meta", {}).get("title", default)


def _missing_class_type(node_id: str, node: Any) -> Reason:
    title = _title(node, None)
    return {
        "type": "missing_node_type",
        "message": f"Node '{title or f'ID #{node_id}'}' has no class_type. The workflow may be corrupted or a "
                   "custom node is missing.",
        "details": f"Node ID '#{node_id}'",
        "extra_info": {"node_id": node_id, "class_type": None, "node_title": title},
    }


def _unknown_class_type(node_id: str, class_type: Any, node: Any) -> Reason:
    title = _title(node, class_type)
    return {
        "type": "missing_node_type",
        "message": f"Node '{title}' not found. The custom node may not be installed.",
        "details": f"Node ID '#{node_id}'",
        "extra_info": {"node_id": node_id, "class_type": class_type, "node_title": title},
    }


def _not_in_list(name: str, value: Any, invalid: list[Any], options: str) -> str:
    return f"{name}: {', '.join(repr(v) for v in invalid)} not in {options}"


def _check_prompt_id(body: Mapping[str, Any]) -> Reason | None:
    """SERVER ``post_prompt`` + JOBS ``validate_job_id``: an absent or ``null`` ``prompt_id`` is minted by
    the server; anything else must be a string equal to ``str(uuid.UUID(value))``."""
    value = body.get("prompt_id")
    if value is None:
        return None
    try:
        if isinstance(value, str) and str(uuid.UUID(value)) == value:
            return None
    except ValueError:
        pass
    return {
        "type": "invalid_prompt_id",
        "message": "prompt_id must be a valid UUID",
        "details": "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let the "
                   "server generate one",
        "extra_info": {},
    }


def _fingerprint(fields: frozenset[str]) -> bool:
    return bool(fields & NEWER_FIELDS)


ERA_2026 = replace(
    ERA_0_3_75,
    id="2026",
    label="ComfyUI 0.4 - 0.38 (Dec 2025 - Sept 2026)",
    link_match=_link_match,
    link_is_wildcard_only=_never_ambiguous,
    combo_options=_combo_options,
    missing_class_type=_missing_class_type,
    unknown_class_type=_unknown_class_type,
    versions=((0, 4, 0), (0, 38, 999)),
    detects_cycles=True,
    multiselect=True,
    not_in_list_details=_not_in_list,
    dynamic_inputs=True,
    replaces_nodes=True,
    check_prompt_id=_check_prompt_id,
    fingerprint=_fingerprint,
    evidence="source",
)
