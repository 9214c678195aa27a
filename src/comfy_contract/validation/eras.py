"""ComfyUI validation behaviour by era, as data.

Each :class:`Era` is a table of small rules the validator looks up instead of branching on versions
(jsonschema's per-draft keyword tables). Only eras that were checked against a real server are listed;
adding one is adding a table, not editing the validator.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from comfy_contract.core.errors import UnsupportedEraError

__all__ = ["ERAS", "Era", "era_for_fields", "era_for_version", "get_era"]

Reason = dict[str, Any]


def _union_match(received: Any, expected: Any) -> bool:
    """Link type check of ComfyUI Nov 2024 - Nov 2025 (union types, PR #5806).

    Equal types match; two strings match if their comma-separated parts intersect. ``*`` is treated
    as a wildcard on either side: true for AnyType/`IO.ANY`/v3 sockets, which `/object_info` cannot
    tell from a plain ``"*"`` string (the validator reports that ambiguity as ``V090``).
    """
    if received == expected or received == "*" or expected == "*":
        return True
    if not isinstance(received, str) or not isinstance(expected, str):
        return False
    got = {t.strip() for t in received.split(",")}
    return any(t.strip() in got for t in expected.split(","))


def _is_wildcard_match(received: Any, expected: Any) -> bool:
    """True when a link matched only because one side is ``*`` (offline-ambiguous in this era)."""
    if received == expected or (received != "*" and expected != "*"):
        return False
    if not isinstance(received, str) or not isinstance(expected, str):
        return True
    got = {t.strip() for t in received.split(",")}
    return not any(t.strip() in got for t in expected.split(","))


def _missing_class_type_0_3(node_id: str, node: Any) -> Reason:
    return {
        "type": "invalid_prompt",
        "message": "Cannot execute because a node is missing the class_type property.",
        "details": f"Node ID '#{node_id}'",
        "extra_info": {},
    }


def _unknown_class_type_0_3(node_id: str, class_type: Any, node: Any) -> Reason:
    return {
        "type": "invalid_prompt",
        "message": f"Cannot execute because node {class_type} does not exist.",
        "details": f"Node ID '#{node_id}'",
        "extra_info": {},
    }


def _combo_options_0_3(input_type: Any, options: Mapping[str, Any]) -> Any:
    """Options a literal must be in, or None. In 0.3.75 only legacy list-typed combos are checked
    (v3 ``"COMBO"`` inputs were not validated: observed ``StringCompare.mode = "NOPE"`` -> 200)."""
    return input_type if isinstance(input_type, list) else None


def _return_types_0_3(entry: Mapping[str, Any]) -> Callable[[Any], Any]:
    """The container of a class's ``RETURN_TYPES`` in 0.3.75, which shows in link-index error messages
    ("list index out of range" vs "tuple index out of range").

    v3-schema nodes build a ``list``; v1 nodes declare a ``tuple``. ``/object_info`` tells them apart:
    a v3 entry is serialised from a dataclass and always carries ``deprecated``, ``experimental`` and
    ``api_node``, while a v1 entry has ``deprecated``/``experimental`` only when true and ``api_node``
    only if the class defines it (measured on all 505 classes with outputs of a 0.3.75 server).
    """
    return list if {"deprecated", "experimental", "api_node"} <= entry.keys() else tuple


@dataclass(frozen=True)
class Era:
    """One period of ComfyUI ``/prompt`` validation behaviour."""

    id: str
    label: str
    #: literal conversions by exact declared type (Python builtins: exact messages for free)
    conversions: Mapping[str, Callable[[Any], Any]]
    link_match: Callable[[Any, Any], bool]
    link_is_wildcard_only: Callable[[Any, Any], bool]
    combo_options: Callable[[Any, Mapping[str, Any]], Any]
    missing_class_type: Callable[[str, Any], Reason]
    unknown_class_type: Callable[[str, Any, Any], Reason]
    #: ``{"__value__": v}`` literals are unwrapped (PR #7197, Mar 2025)
    unwraps_value: bool
    #: optional inputs are validated when present (since the Aug 2024 execution inversion)
    validates_optional: bool
    #: ``node_errors`` of prompt-level errors: ``{}`` (mid 2025 on) or ``[]`` (before)
    prompt_error_node_errors: Callable[[], Any]
    #: how many nested ``validate_inputs`` calls the server survives before RecursionError
    max_depth: int
    #: core classes whose VALIDATE_INPUTS takes these inputs (they skip min/max/combo checks and the
    #: function itself is unknowable offline)
    validate_inputs_args: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: the container type of a class's RETURN_TYPES, from its ``/object_info`` entry
    return_types: Callable[[Mapping[str, Any]], Callable[[Any], Any]] = lambda _entry: tuple
    #: version range this era covers, inclusive, as tuples
    versions: tuple[tuple[int, ...], tuple[int, ...]] = ((0,), (0,))
    #: nesting depths at which a real server may or may not hit its RecursionError (its stack depth varies
    #: with the request: a cold first request fails earlier); a graph reaching this band is V090
    uncertain_depths: tuple[int, int] = (0, 0)


ERA_0_3_75 = Era(
    id="0.3.75",
    label="ComfyUI 0.3.48 - 0.3.75 (Jul 2025 - Nov 2025)",
    conversions=MappingProxyType({"INT": int, "FLOAT": float, "STRING": str, "BOOLEAN": bool}),
    link_match=_union_match,
    link_is_wildcard_only=_is_wildcard_match,
    combo_options=_combo_options_0_3,
    missing_class_type=_missing_class_type_0_3,
    unknown_class_type=_unknown_class_type_0_3,
    unwraps_value=True,
    validates_optional=True,
    prompt_error_node_errors=dict,
    max_depth=978,  # measured on 0.3.75 (Python 3.11, aiohttp): a 2,000-node chain fails at depth 979
    uncertain_depths=(971, 982),  # measured: warm servers fail at 981-982, a cold first request at about 971
    validate_inputs_args=MappingProxyType(
        {
            "LoadImage": ("image",),
            "LoadImageMask": ("image",),
            "LoadImageOutput": ("image",),
            "LoadLatent": ("latent",),
            "LoadAudio": ("audio",),
            "LoadVideo": ("file",),
        }
    ),
    return_types=_return_types_0_3,
    versions=((0, 3, 48), (0, 3, 999)),
)

ERAS: Mapping[str, Era] = MappingProxyType({ERA_0_3_75.id: ERA_0_3_75})
DEFAULT_ERA = ERA_0_3_75

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


def _supported() -> str:
    return ", ".join(f"{e.id} ({e.label})" for e in ERAS.values())


def get_era(era_id: str) -> Era:
    """The era with this id, or the era covering this ComfyUI version."""
    if era_id in ERAS:
        return ERAS[era_id]
    return era_for_version(era_id)


def era_for_version(version: str) -> Era:
    match = _VERSION.match(version.strip())
    if not match:
        raise UnsupportedEraError(
            f"cannot read ComfyUI version {version!r}", hint=f"use a version like 0.3.75; supported: {_supported()}"
        )
    parts = tuple(int(p or 0) for p in match.groups())
    for era in ERAS.values():
        low, high = era.versions
        if low <= parts <= high:
            return era
    raise UnsupportedEraError(
        f"ComfyUI {version} is outside every validation era this release models (supported: {_supported()})",
        hint="pass --comfyui-version 0.3.75 to validate with the 0.3.75 rules anyway",
    )


#: fields that only appear in `/object_info` from Dec 2025 on
_NEWER_FIELDS = frozenset(
    {"is_input_list", "has_intermediate_output", "search_aliases", "essentials_category", "price_badge",
     "dev_only", "output_matchtypes"}
)


def era_for_fields(object_info: Mapping[str, Any]) -> Era:
    """Guess the era from the field set of an ``/object_info`` dump (§3.1 of the reference)."""
    seen: set[str] = set()
    for entry in object_info.values():
        if isinstance(entry, Mapping):
            seen.update(entry)
    if seen & _NEWER_FIELDS:
        raise UnsupportedEraError(
            "the catalog has fields of a ComfyUI newer than Nov 2025 "
            f"({', '.join(sorted(seen & _NEWER_FIELDS))}); this release models {_supported()}",
            hint="pass --comfyui-version 0.3.75 to validate with the 0.3.75 rules anyway",
        )
    if seen and not {"input_order", "python_module"} <= seen:
        raise UnsupportedEraError(
            "the catalog lacks `input_order`/`python_module`: a ComfyUI from before mid 2024, which this "
            f"release does not model (supported: {_supported()})",
            hint="pass --comfyui-version 0.3.75 to validate with the 0.3.75 rules anyway",
        )
    return DEFAULT_ERA
