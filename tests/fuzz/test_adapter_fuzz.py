"""Fuzzing an adapter app (issue 12): a built-in input space when the project has none, portable
reproducers and exported tests (paths relative to the project root), and a readable `replay` summary."""

from __future__ import annotations

import io
import json
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapterproject import MODULE, make_adapter_project
from comfy_contract.cli import main
from comfy_contract.fuzz import HuntOptions, Reproducer, load_target, run_config


@pytest.fixture
def adapter_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "app"
    root.mkdir()
    project = make_adapter_project(root, baseline=False, snapshots=False)
    monkeypatch.chdir(root)
    monkeypatch.syspath_prepend(str(root))
    yield project
    sys.modules.pop(MODULE, None)


def _options(root: Path, **kw: object) -> HuntOptions:
    base: dict[str, object] = {"seconds": None, "examples": 200, "seed": 1, "derandomize": True,
                               "crash_dir": str(root / ".comfy-contract" / "crashes"), "database": None}
    base.update(kw)
    return HuntOptions(**base)  # type: ignore[arg-type]


def test_an_adapter_project_without_an_input_space_gets_the_built_in_one(adapter_project: Path) -> None:
    target = load_target(adapter_project)
    options = target.options("clean").user_text
    assert (options.blank, options.braces, options.long, options.unicode) == (True, True, True, True)
    # and a first hunt tries it: an empty user text is an empty prompt (L001) the default inputs do not have
    result = run_config(target, "clean", _options(adapter_project.parent), deadline=None, max_examples=200)
    codes = {Reproducer.load(p).failure.code for p in result.found}
    assert codes, "the built-in space found nothing on the adapter app"


def test_reproducers_and_exported_tests_are_portable_and_replay_prints_text(adapter_project: Path,
                                                                             tmp_path: Path) -> None:
    root = adapter_project.parent
    result = run_config(load_target(adapter_project), "clean", _options(root), deadline=None, max_examples=200)
    path = Path(result.found[0])
    data = json.loads(path.read_text("utf-8"))
    assert data["project"] == "comfy-contract.yaml"
    assert data["replay"] == f"comfy-contract replay .comfy-contract/crashes/{path.name} --project comfy-contract.yaml"
    assert str(tmp_path) not in path.read_text("utf-8")

    # the checkout moves: the reproducer still finds its project (relative to the project root)
    moved = tmp_path / "elsewhere"
    shutil.copytree(root, moved)
    os.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    copy = moved / ".comfy-contract" / "crashes" / path.name
    sys.modules.pop(MODULE, None)
    code = main(["replay", str(copy), "--export-test", str(moved / "tests")], out, err)
    text = out.getvalue()
    assert code == 1, err.getvalue()
    assert text.startswith("still fails: ")
    assert "replay: 1 reproducer(s) replayed, 1 still failing, 0 fixed" in text
    assert "{" not in text.splitlines()[-1]  # a readable line, not raw JSON
    (test,) = (moved / "tests").glob("test_fuzz_*.py")
    source = test.read_text("utf-8")
    assert "load_target(Path(__file__).resolve().parent / '../comfy-contract.yaml')" in source
    assert str(tmp_path) not in source

    out = io.StringIO()
    assert main(["replay", str(copy), "--format", "json"], out, io.StringIO()) == 1
    doc = json.loads(out.getvalue())
    assert (doc["replayed"], doc["failing"], doc["results"][0]["status"]) == (1, 1, "still-fails")
