from __future__ import annotations

from pathlib import Path

import pytest

from comfy_contract.core.errors import InputError
from comfy_contract.render.devserver import config_name, load_tree

from .helpers import make_tree, write


@pytest.mark.parametrize(("rel", "data", "name"), [
    ("user_configs/lena/x.json", {}, "u_lena_x"),
    ("interception/dada.json", {}, "dada"),
    ("interception/deactivated/kubismus.json", {}, "kubismus"),
    ("output/deep/er/sd.json", {}, "sd"),
    ("pre_interception/gpt_oss_unified.json", {}, "pre_interception/gpt_oss_unified"),
    ("vector_fusion_linear_clip.json", {}, "vector_fusion_linear_clip"),
    ("interception/jugendstil_v2.json", {"name": "jugendstil"}, "jugendstil"),
    ("interception/dada.json", {"name": {"de": "Dada", "en": "Dada"}}, "dada"),
])
def test_config_names_follow_the_app(rel: str, data: dict[str, object], name: str) -> None:
    assert config_name(Path(rel), data) == name


def test_only_json_files_are_loaded(tmp_path: Path) -> None:
    make_tree(tmp_path, extra={"configs/interception/a.json.backup": "{", "configs/output/b.json.deprecated": "{}",
                               "chunks/tool.py": "print()", "configs/top.json": {"pipeline": "gen"}})
    tree = load_tree(tmp_path)
    assert list(tree.configs) == ["out", "top"]
    assert set(tree.chunks) == {"route", "wf"}


def test_malformed_json_becomes_a_finding_with_file_and_line(tmp_path: Path) -> None:
    make_tree(tmp_path, extra={"configs/interception/bad.json": '{\n  "pipeline": "gen"\n  "x": 1\n}\n',
                               "chunks/broken.json": "[1, 2]"})
    tree = load_tree(tmp_path)
    bad = tree.configs["bad"]
    assert bad.data is None
    assert bad.error is not None
    assert bad.error.code == "R008"
    assert "configs/interception/bad.json:3:3: invalid JSON" in bad.error.message
    assert tree.chunks["broken"].error is not None
    assert "expected a JSON object, got list" in tree.chunks["broken"].error.message
    assert tree.configs["out"].error is None  # the others still load


def test_pipelines_are_keyed_by_their_name_field(tmp_path: Path) -> None:
    make_tree(tmp_path, extra={"pipelines/file_name.json": {"name": "real_name", "chunks": []}})
    assert set(load_tree(tmp_path).pipelines) == {"gen", "real_name"}


def test_missing_root_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such folder"):
        load_tree(tmp_path / "nope")


def test_a_folder_that_is_not_a_devserver_tree(tmp_path: Path) -> None:
    write(tmp_path, "readme.txt", "hello")
    with pytest.raises(InputError, match=r"not a DevServer tree: no configs/, pipelines/ or chunks/"):
        load_tree(tmp_path)


def test_parent_of_schemas_gets_a_hint(tmp_path: Path) -> None:
    make_tree(tmp_path / "schemas")
    with pytest.raises(InputError) as info:
        load_tree(tmp_path)
    assert info.value.hint is not None
    assert "schemas" in info.value.hint


def test_missing_folder_is_named(tmp_path: Path) -> None:
    make_tree(tmp_path)
    (tmp_path / "chunks" / "route.json").unlink()
    (tmp_path / "chunks" / "wf.json").unlink()
    (tmp_path / "chunks").rmdir()
    with pytest.raises(InputError, match=r"missing the folder\(s\) chunks/"):
        load_tree(tmp_path)
