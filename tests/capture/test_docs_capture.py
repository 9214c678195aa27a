"""Every ```yaml block of docs/capture.md with a ``capture:`` section is a valid project file (its ```python
blocks run with every other example: tests/test_docs_examples.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from comfy_contract.core.schemas import schema_validator

REPO = Path(__file__).resolve().parents[2]
TEXT = (REPO / "docs" / "capture.md").read_text("utf-8")
YAML = re.findall(r"```yaml\n(.*?)```", TEXT, re.S)


def test_docs_have_examples() -> None:
    assert len(YAML) >= 3


@pytest.mark.parametrize("index", range(len(YAML)))
def test_docs_yaml_example_is_a_valid_project_section(index: int) -> None:
    data = yaml.safe_load(YAML[index])
    assert "capture" in data
    errors = [e.message for e in schema_validator("project-config.schema.json").iter_errors(data)]
    assert errors == []
