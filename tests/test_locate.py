"""JSON pointer → line/column, the basis of SARIF regions and GitHub annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comfy_contract.check.locate import Locator, pointer_position, pointer_tokens

TEXT = """{
  "name": "x",
  "workflow": {
    "3": {"class_type": "KSampler", "inputs": {"seed": -1, "steps": 4}},
    "a/b": {"inputs": {"list": [10, {"deep": true}, 30]}}
  },
  "dup": 1,
  "dup": 2
}"""


@pytest.mark.parametrize(("pointer", "starts_with"), [
    ("", "{"),
    ("/name", '"name"'),
    ("/workflow", '"workflow"'),
    ("/workflow/3/inputs/steps", '"steps": 4'),
    ("/workflow/a~1b/inputs/list/1/deep", '"deep"'),
    ("/workflow/a~1b/inputs/list/2", "30]"),
    ("/dup", '"dup": 2'),  # the last of repeated keys wins, as in json.loads
    ("/workflow/3/inputs/missing", '"inputs": {"seed"'),  # the deepest existing parent
    ("/workflow/a~1b/inputs/list/9", '"list"'),
    ("/name/0", '"name"'),  # a string has no members
])
def test_pointer_position_points_at_the_member(pointer: str, starts_with: str) -> None:
    pos = pointer_position(TEXT, pointer)
    assert pos is not None
    line, col = pos
    assert TEXT.splitlines()[line - 1][col - 1:].startswith(starts_with)


def test_not_a_pointer() -> None:
    assert pointer_tokens("a/b") is None
    assert pointer_position(TEXT, "name") is None
    assert pointer_tokens("/a~1b/c~0d") == ["a/b", "c~d"]


def test_locator_relative_paths_and_hints(tmp_path: Path) -> None:
    good = tmp_path / "chunks" / "c.json"
    good.parent.mkdir()
    good.write_text(json.dumps({"workflow": {"4": {"inputs": {"ckpt_name": "x"}}}}, indent=2), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"a": 1\n  "b": 2}', encoding="utf-8")
    locator = Locator(tmp_path)
    loc = locator.locate(good, "/workflow/4/inputs/ckpt_name")
    assert (loc.file, loc.line, loc.column) == ("chunks/c.json", 5, 9)
    assert str(loc) == "chunks/c.json:5:9 (/workflow/4/inputs/ckpt_name)"
    hinted = locator.locate("bad.json", None, hint="invalid JSON at line 2, column 3: Expecting ','")
    assert (hinted.line, hinted.column) == (2, 3)
    missing = locator.locate(tmp_path / "nope.json", "/x")
    assert missing.line is None
    assert missing.file == "nope.json"
