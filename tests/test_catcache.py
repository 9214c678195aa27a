"""The start-up caches of ``check`` (check/catcache.py): parsed catalogs and project files that passed their
schema. Real files in a temporary cache folder; what is cached must equal what is built, and a changed,
corrupt, foreign or unsafe entry is never used."""

from __future__ import annotations

import base64
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from checkproject import make_project
from comfy_contract.check import catcache
from comfy_contract.check.project import load_project
from comfy_contract.validation.catalog import merge_catalogs
from comfy_contract.validation.validator import validate

REPO = Path(__file__).resolve().parent.parent
STOCK = REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json"
PACK = REPO / "contracts" / "catalogs" / "packs" / "ai4artsed-nodes.json"
WITHOUT = ("OfficialStableDiffusion/sd3.5_large.safetensors",)


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv(catcache.ENV_CACHE_DIR, str(folder))
    return folder


def _build(files: list[Path], calls: list[int]):  # type: ignore[no-untyped-def]
    def build():  # type: ignore[no-untyped-def]
        calls.append(1)
        return merge_catalogs(files, name="standalone").without_choices(WITHOUT)
    return build


def _workflow() -> dict[str, object]:
    return {"1": {"class_type": "CheckpointLoaderSimple",
                  "inputs": {"ckpt_name": "OfficialStableDiffusion/sd3.5_large.safetensors"}},
            "2": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
            "3": {"class_type": "VAEDecode", "inputs": {"samples": ["2", 0], "vae": ["1", 2]}},
            "4": {"class_type": "PreviewImage", "inputs": {"images": ["3", 0]}}}


def test_a_cached_catalog_equals_the_built_one_and_validates_alike(cache: Path, tmp_path: Path) -> None:
    files = [tmp_path / "stock.json", tmp_path / "pack.json"]
    shutil.copy(STOCK, files[0])
    shutil.copy(PACK, files[1])
    calls: list[int] = []
    built = catcache.cached_catalog(files, WITHOUT, "standalone", _build(files, calls))
    again = catcache.cached_catalog(files, WITHOUT, "standalone", _build(files, calls))
    assert calls == [1]  # the second came from the cache
    assert again == built
    assert again.era is built.era
    assert again.name == "standalone"
    assert len(list((cache / "catalogs").iterdir())) == 1
    assert validate(_workflow(), again).body == validate(_workflow(), built).body
    assert not validate(_workflow(), again).accepted  # the model the backend lacks stays removed
    # a changed catalog file (or other models removed) is a different entry
    files[1].write_text(PACK.read_text("utf-8").replace("}", "} ", 1), "utf-8")
    catcache.cached_catalog(files, WITHOUT, "standalone", _build(files, calls))
    catcache.cached_catalog(files, (), "standalone", _build(files, calls))
    assert calls == [1, 1, 1]


def test_a_corrupt_or_foreign_entry_is_ignored_and_rewritten(cache: Path, tmp_path: Path) -> None:
    files = [STOCK]
    calls: list[int] = []
    catcache.cached_catalog(files, WITHOUT, "x", _build(files, calls))
    (entry,) = (cache / "catalogs").iterdir()
    entry.write_text("not base64 at all", "ascii")
    assert catcache.cached_catalog(files, WITHOUT, "x", _build(files, calls)) is not None
    assert calls == [1, 1]
    # a pickle that would run a command: the unpickler refuses every global but the catalog's own
    marker = tmp_path / "pwned"
    evil = pickle.dumps(_Evil(str(marker)))
    entry.write_text(base64.b64encode(evil).decode("ascii"), "ascii")
    catalog = catcache.cached_catalog(files, WITHOUT, "x", _build(files, calls))
    assert calls == [1, 1, 1]
    assert not marker.exists()
    assert "KSampler" in catalog


class _Evil:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.system, (f"touch {self.path}",)


def test_no_cache_when_turned_off_or_the_folder_is_unsafe(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(catcache.ENV_CACHE_DIR, "none")
    assert catcache.cache_dir() is None
    shared = tmp_path / "shared"
    (shared / "catalogs").mkdir(parents=True)
    (shared / "catalogs").chmod(0o777)
    monkeypatch.setenv(catcache.ENV_CACHE_DIR, str(shared))
    assert catcache.cache_dir() is None  # others could write entries: not used
    calls: list[int] = []
    catcache.cached_catalog([STOCK], (), "x", _build([STOCK], calls))
    catcache.cached_catalog([STOCK], (), "x", _build([STOCK], calls))
    assert calls == [1, 1]
    assert list((shared / "catalogs").iterdir()) == []


def test_a_project_file_checked_before_is_not_checked_again_but_a_changed_one_is(cache: Path, tmp_path: Path) -> None:
    project = tmp_path / "comfy-contract.yaml"
    text = f"layout: devserver\nroot: app\nbackends:\n  stock:\n    catalogs: [{STOCK}]\n"
    (tmp_path / "app").mkdir()
    project.write_text(text, "utf-8")
    load_project(project)
    assert len(list((cache / "checked").iterdir())) == 1
    load_project(project)  # from the marker
    assert len(list((cache / "checked").iterdir())) == 1
    project.write_text(text + "modes: 3\n", "utf-8")  # invalid now: checked again, and refused
    with pytest.raises(Exception, match="modes"):
        load_project(project)
    assert len(list((cache / "checked").iterdir())) == 1


def test_check_does_not_import_jsonschema_for_a_project_checked_before(cache: Path, tmp_path: Path) -> None:
    """The start-up saving itself, in a fresh interpreter: the second run of an unchanged project (without
    contracts or a baseline, whose YAML files are checked with jsonschema on every run)."""
    project = make_project(tmp_path, snapshots=False, baseline=False)
    code = ("import io, sys; from comfy_contract.cli import main; "
            f"main(['check', {str(project)!r}, '--no-progress', '--config', 'sdxl_base'], io.StringIO(), "
            "io.StringIO()); print('jsonschema' in sys.modules)")
    env = {**os.environ, catcache.ENV_CACHE_DIR: str(cache)}
    runs = [subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                           timeout=300, check=False) for _ in range(2)]
    assert [r.stdout.strip().splitlines()[-1] for r in runs] == ["True", "False"], [r.stderr for r in runs]
