"""A private copy of the sample app with its own project file, so fuzz tests can edit configs on disk."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]


def make_project(tmp: Path) -> Path:
    shutil.copytree(REPO / "fixtures" / "sample_app" / "schemas", tmp / "schemas")
    shutil.copytree(REPO / "generators", tmp / "generators")
    project = yaml.safe_load((REPO / "comfy-contract.yaml").read_text(encoding="utf-8"))
    project["root"] = "schemas"
    for backend in project["backends"].values():
        backend["catalogs"] = [str(REPO / c) for c in backend["catalogs"]]
    for key in ("snapshots", "contracts", "baseline"):
        project.pop(key, None)
    path = tmp / "comfy-contract.yaml"
    path.write_text(yaml.safe_dump(project), encoding="utf-8")
    return path
