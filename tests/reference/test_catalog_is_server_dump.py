"""Each era's committed catalog is exactly what that era's reference server's ``/object_info`` returns."""

from __future__ import annotations

import json

import pytest

from comfy_contract.live.client import ComfyClient

from .corpus import ERA_CATALOGS, REPO

pytestmark = pytest.mark.reference


def test_committed_catalog_is_the_server_dump(era: str, era_url: str, reference_client: ComfyClient) -> None:
    path = ERA_CATALOGS[era]
    repull = f".venv/bin/comfy-contract catalog pull --url {era_url} -o {path.relative_to(REPO)}"
    committed = json.loads(path.read_text())
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
        f"re-pull with {repull}"
    )
    assert list(ours) == list(theirs), f"node order differs from the server's; re-pull with {repull}"
