"""``comfy-contract init``: a starter project that loads, checks, and is never overwritten by accident."""

from __future__ import annotations

import shutil
from pathlib import Path

from clirun import run
from comfy_contract.check.project import load_project

REPO = Path(__file__).resolve().parents[2]



def test_init_writes_a_project_that_checks(tmp_path: Path) -> None:
    shutil.copytree(REPO / "fixtures" / "sample_app" / "schemas", tmp_path / "app" / "schemas")
    code, out, err = run("init", str(tmp_path / "app"))
    assert code == 0, err
    for rel in ("comfy-contract.yaml", "comfy-contract-baseline.yaml", "contracts/configs/README.md",
                "legacy_snapshots/README.md", "comfy-contract/catalogs/comfyui-0.3.75.json"):
        assert (tmp_path / "app" / rel).is_file(), rel
        assert rel.split("/")[-1] in out
    project = load_project(tmp_path / "app" / "comfy-contract.yaml")
    assert list(project.backends()) == ["default"]
    code, out, err = run("check", str(tmp_path / "app" / "comfy-contract.yaml"), "--config", "sdxl_dualclip",
                         "--check", "validate")
    assert code == 0, out + err


def test_init_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    assert run("init", str(tmp_path))[0] == 0
    (tmp_path / "comfy-contract.yaml").write_text("# mine\n", encoding="utf-8")
    code, _, err = run("init", str(tmp_path))
    assert code == 2
    assert "not overwriting" in err
    assert "--force" in err
    assert (tmp_path / "comfy-contract.yaml").read_text("utf-8") == "# mine\n"
    assert run("init", str(tmp_path), "--force")[0] == 0
    assert "layout: devserver" in (tmp_path / "comfy-contract.yaml").read_text("utf-8")


def test_init_into_a_file_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("", encoding="utf-8")
    code, _, err = run("init", str(tmp_path / "f"))
    assert code == 2
    assert "is not a folder" in err
