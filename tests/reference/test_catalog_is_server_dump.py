"""The committed stock catalog is exactly what the reference server's ``/object_info`` returns."""

from __future__ import annotations

import json

import pytest

from comfy_contract.live.client import ComfyClient

from .corpus import CATALOG_PATH

pytestmark = pytest.mark.reference

REPULL = f".venv/bin/comfy-contract catalog pull --url URL -o {CATALOG_PATH.relative_to(CATALOG_PATH.parents[2])}"


def test_committed_catalog_is_the_server_dump(reference_client: ComfyClient) -> None:
    committed = json.loads(CATALOG_PATH.read_text())
    live = reference_client.catalog_envelope()
    assert committed["format"] == live["format"]
    assert committed["comfyui_version"] == live["comfyui_version"]
    ours, theirs = committed["object_info"], live["object_info"]
    added = sorted(set(theirs) - set(ours))
    removed = sorted(set(ours) - set(theirs))
    changed = sorted(k for k in set(ours) & set(theirs) if ours[k] != theirs[k])
    stale = bool(added or removed or changed)
    assert not stale, (
        f"stale catalog: server adds {added[:10]}, lacks {removed[:10]}, differs in {changed[:10]}; "
        f"re-pull with {REPULL}"
    )
    assert list(ours) == list(theirs), f"node order differs from the server's; re-pull with {REPULL}"
