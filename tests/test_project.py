from __future__ import annotations

from pathlib import Path

import pytest

from comfy_contract.check.project import find_project_file, load_project
from comfy_contract.core.errors import ConfigError, UnsupportedEraError
from comfy_contract.render.devserver import DevserverGenerator

REPO = Path(__file__).resolve().parent.parent


def test_the_repos_own_project_file(repo_root: Path) -> None:
    project = load_project(repo_root / "comfy-contract.yaml")
    assert project.root == repo_root / "fixtures/sample_app/schemas"
    assert project.modes == ("eco", "fast")
    assert isinstance(project.generator(), DevserverGenerator)
    backends = project.backends()
    assert list(backends) == ["production", "standalone"]
    assert "ai4artsed_conditioning_fusion" in backends["production"]
    assert "ai4artsed_conditioning_fusion" not in backends["standalone"]
    standalone_ckpts = backends["standalone"].nodes["CheckpointLoaderSimple"].inputs["ckpt_name"].choices
    assert "OfficialStableDiffusion/sd3.5_large.safetensors" not in standalone_ckpts
    assert "sd3.5_large_turbo.safetensors" in standalone_ckpts
    production_ckpts = backends["production"].nodes["CheckpointLoaderSimple"].inputs["ckpt_name"].choices
    assert "OfficialStableDiffusion/sd3.5_large.safetensors" in production_ckpts


def test_pyproject_section_is_found_upwards(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.comfy-contract]\ngenerator = {command = "python gen.py", '
        'list_command = ["python", "gen.py", "--list"]}\nmodes = ["eco"]\n', encoding="utf-8")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    found = find_project_file(tmp_path / "sub" / "deeper")
    assert found == tmp_path / "pyproject.toml"
    project = load_project(start=tmp_path / "sub" / "deeper")
    assert project.modes == ("eco",)
    assert project.generator_spec is not None
    assert project.generator_spec["command"] == "python gen.py"


def test_yaml_wins_over_pyproject_and_pyproject_without_section_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n', encoding="utf-8")
    assert find_project_file(tmp_path) != tmp_path / "pyproject.toml"
    (tmp_path / "comfy-contract.yaml").write_text("generator: {url: 'http://localhost:5000/render'}\n", "utf-8")
    assert find_project_file(tmp_path) == tmp_path / "comfy-contract.yaml"


@pytest.mark.parametrize(("text", "message"), [
    ("layout: devserver\n", "key (top level): 'root' is a dependency of 'layout'"),
    ("layout: devserver\nroot: s\nmodes: [eco, turbo]\n", "key modes.1: 'turbo' is not one of"),
    ("modes: [eco, 'bad mode']\n", "key modes.1: 'bad mode' does not match"),
    ("backends: {prod: {catalog: x.json}}\n", "key backends.prod:"),
    ("snapshot: x\n", "Additional properties are not allowed ('snapshot' was unexpected)"),
    ("layout: devserver\nroot: s\ngenerator: {url: 'http://x'}\n", "key (top level):"),
    ("- a\n", "expected a mapping of keys, got list"),
    ("a: [\n", "not valid YAML"),
])
def test_invalid_project_files_name_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "comfy-contract.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_project(path)
    assert str(path) in str(info.value)
    assert message in str(info.value)


def test_no_project_file_anywhere(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"no comfy-contract\.yaml"):
        load_project(start=tmp_path)


def test_a_backend_can_name_the_comfyui_version_whose_rules_it_validates_with(tmp_path: Path, repo_root: Path) -> None:
    catalog = repo_root / "contracts" / "catalogs" / "comfyui-0.3.75.json"
    (tmp_path / "comfy-contract.yaml").write_text(
        "generator: {command: python gen.py}\nbackends:\n"
        f"  new: {{catalogs: ['{catalog}'], comfyui_version: '0.30.0'}}\n"
        f"  old: {{catalogs: ['{catalog}']}}\n"
        f"  bad: {{catalogs: ['{catalog}'], comfyui_version: latest}}\n",
        encoding="utf-8")
    project = load_project(start=tmp_path)
    new = project.backend_specs["new"].catalog()
    assert new.era.id == "2026"
    assert new.era_reason == "ComfyUI 0.30.0, set by backend 'new' of the project"
    assert project.backend_specs["old"].catalog().era.id == "0.3.75"
    with pytest.raises(UnsupportedEraError, match="cannot read ComfyUI version 'latest'"):
        project.backend_specs["bad"].catalog()
