"""Shared fixtures: the real ComfyUI 0.3.75 catalog and the bundled sample app."""

from __future__ import annotations

from pathlib import Path

import pytest

from comfy_contract import Catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent
CATALOGS = REPO / "contracts" / "catalogs"
SAMPLE_APP = REPO / "fixtures" / "sample_app"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def stock_catalog() -> Catalog:
    """``/object_info`` of a real ComfyUI 0.3.75 (CPU, placeholder model files), pulled by our own code."""
    return load_catalog(CATALOGS / "comfyui-0.3.75.json")


@pytest.fixture(scope="session")
def sample_app() -> Path:
    return SAMPLE_APP
