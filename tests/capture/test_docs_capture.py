"""Every ```python block of docs/capture.md runs (from the repository root); every ```yaml block with a
``capture:`` section is a valid project file."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from comfy_contract.core.schemas import schema_validator

REPO = Path(__file__).resolve().parents[2]
TEXT = (REPO / "docs" / "capture.md").read_text("utf-8")
PYTHON = re.findall(r"```python\n(.*?)```", TEXT, re.S)
YAML = re.findall(r"```yaml\n(.*?)```", TEXT, re.S)


def test_docs_have_examples() -> None:
    assert len(PYTHON) >= 2
    assert len(YAML) >= 3


@pytest.mark.parametrize("index", range(len(PYTHON)))
def test_docs_python_example_runs(index: int) -> None:
    old = Path.cwd()
    os.chdir(REPO)
    try:
        namespace: dict[str, object] = {"__name__": f"docs_capture_{index}"}
        exec(compile(PYTHON[index], f"docs/capture.md[python {index}]", "exec"), namespace)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("index", range(len(YAML)))
def test_docs_yaml_example_is_a_valid_project_section(index: int) -> None:
    data = yaml.safe_load(YAML[index])
    assert "capture" in data
    errors = [e.message for e in schema_validator("project-config.schema.json").iter_errors(data)]
    assert errors == []
