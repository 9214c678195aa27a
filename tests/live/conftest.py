"""tests/live: the stand-in in-process and as ``comfy-contract serve``, and its parity with the real ComfyUI.

Tests marked ``reference`` need the reference ComfyUI 0.3.75 (``COMFY_REFERENCE_URL``) and skip without
it locally, fail without it under ``CI=true`` -- the same fixture as tests/reference.
"""

from __future__ import annotations

from reference.conftest import reference_url

__all__ = ["reference_url"]
