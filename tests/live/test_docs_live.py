"""Every ```python block of docs/live.md runs (from the repository root); the fixture example is collected."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```python\n(.*?)```", (REPO / "docs" / "live.md").read_text("utf-8"), re.S)


def test_docs_have_python_examples() -> None:
    assert len(BLOCKS) >= 3


@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_docs_python_example_runs(index: int, tmp_path: Path) -> None:
    old = Path.cwd()
    os.chdir(REPO)
    try:
        namespace: dict[str, object] = {"__name__": f"docs_live_{index}"}
        exec(compile(BLOCKS[index], f"docs/live.md[python {index}]", "exec"), namespace)
    finally:
        os.chdir(old)
