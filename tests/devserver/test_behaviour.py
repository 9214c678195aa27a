"""Behaviour detection: every feature follows its marker in the app's files, or the tree's keys without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from comfy_contract.render.devserver.behaviour import FEATURES, Behaviour, Settings, detect_behaviour

from .helpers import write

MARKED = [f for f in FEATURES if f.marker is not None]


def _tree(root: Path, files: dict[str, str]) -> Path:
    write(root, "engine/backend_router.py", "# the app's router\n")
    for rel, text in files.items():
        write(root, rel, text)
    return root


@pytest.mark.parametrize("feature", MARKED, ids=[f.name for f in MARKED])
def test_a_feature_is_on_exactly_when_its_marker_is_in_the_apps_file(tmp_path: Path, feature: object) -> None:
    assert feature.marker is not None  # type: ignore[attr-defined]
    rel, marker = feature.marker  # type: ignore[attr-defined]
    on = detect_behaviour(_tree(tmp_path / "on", {rel: f"x = 1\n{marker}\n"}), {}, python_chunks=False)
    off = detect_behaviour(_tree(tmp_path / "off", {rel: "x = 1\n"}), {}, python_chunks=False)
    assert getattr(on, feature.name)  # type: ignore[attr-defined]
    assert not getattr(off, feature.name)  # type: ignore[attr-defined]
    others = {f.name for f in MARKED} - {feature.name}  # type: ignore[attr-defined]
    assert not [name for name in others if getattr(on, name) and (f := next(
        g for g in MARKED if g.name == name)).marker and f.marker[1] not in marker]


def test_without_an_engine_the_trees_keys_imply_the_features(tmp_path: Path) -> None:
    chunks = {"a": {"backend_type": "diffusers", "meta": {"fallback_chunk": "b"}},
              "b": {"type": "text_passthrough"}, "c": {"requires_workflow": True}}
    found = detect_behaviour(tmp_path, chunks, python_chunks=True)
    assert (found.backend_types, found.fallback_chunks, found.text_passthrough, found.python_chunks,
            found.simple_image_api, found.requires_workflow, found.mode_models) == (True,) * 7
    assert not found.stub_missing_nodes
    plain = detect_behaviour(tmp_path, {"a": {"type": "output_chunk", "backend_type": "comfyui"}}, python_chunks=False)
    assert plain == Behaviour(mode_models=True, legacy_mappings=True)


def test_shipped_switches_are_read_from_the_apps_config_py(tmp_path: Path) -> None:
    root = _tree(tmp_path / "devserver" / "schemas", {})
    write(tmp_path / "devserver", "config.py",
          'import os\nDIFFUSERS_ENABLED = os.environ.get("DIFFUSERS_ENABLED", "false").lower() == "true"\n'
          'HEARTMULA_ENABLED = True\nREMOTE = "openrouter/x"\nSTAGE4_LEGACY_MODEL = REMOTE\n')
    settings = detect_behaviour(root, {}, python_chunks=False).settings
    assert settings == Settings(diffusers_enabled=False, heartmula_enabled=True, legacy_llm_model="openrouter/x")


def test_pins_override_detection_and_reject_unknown_values(tmp_path: Path) -> None:
    pinned = Behaviour().overridden({"simple_image_api": True, "gpu_service": "up", "triton_enabled": True},
                                    where="test")
    assert (pinned.simple_image_api, pinned.settings.gpu_service, pinned.settings.triton_enabled) == ("up" != "", "up",
                                                                                                       True)
    for bad in ({"simple_image_api": "yes"}, {"gpu_service": "maybe"}, {"nonsense": True}):
        with pytest.raises(Exception, match="not a known switch or setting"):
            Behaviour().overridden(bad, where="test")
