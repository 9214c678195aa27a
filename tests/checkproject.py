"""A copy of the sample app as a project in a temporary folder, for tests that run `check` from outside.

The backends are those of the repository's own ``comfy-contract.yaml`` (catalog paths made absolute), so the
copy checks against exactly what the README's command checks against.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parent.parent
SAMPLE_SCHEMAS = REPO / "fixtures" / "sample_app" / "schemas"


def backends() -> dict[str, Any]:
    data = yaml.safe_load((REPO / "comfy-contract.yaml").read_text("utf-8"))
    out: dict[str, Any] = {}
    for name, spec in data["backends"].items():
        entry = {k: v for k, v in spec.items() if k not in ("catalogs", "url")}
        entry["catalogs"] = [(REPO / c).as_posix() for c in spec["catalogs"]]
        out[name] = entry
    return out


def project_yaml(*, snapshots: bool = True, contracts: bool = False, baseline: bool = True) -> str:
    data: dict[str, Any] = {"layout": "devserver", "root": "schemas", "modes": ["eco", "fast"],
                            "backends": backends()}
    if snapshots:
        data["snapshots"] = "snapshots"
    if contracts:
        data["contracts"] = "contracts"
    if baseline:
        data["baseline"] = "comfy-contract-baseline.yaml"
    return yaml.safe_dump(data, sort_keys=False)


def make_project(where: Path, **kwargs: bool) -> Path:
    """Copy the sample app's schemas/ into ``where`` and write ``comfy-contract.yaml``; returns the file."""
    shutil.copytree(SAMPLE_SCHEMAS, where / "schemas")
    if kwargs.get("contracts"):
        shutil.copytree(REPO / "contracts" / "configs", where / "contracts")
    (where / "snapshots").mkdir()
    project = where / "comfy-contract.yaml"
    project.write_text(project_yaml(**kwargs), encoding="utf-8")
    return project
