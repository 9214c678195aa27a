"""Fixtures of the fuzz tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from fuzzproject import make_project


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """The project file of a fresh copy of the sample app (schemas/ and generators/ next to it)."""
    return make_project(tmp_path)
