"""comfy-contract: contract tests for the ComfyUI workflows an application generates.

The public API is what ``__all__`` lists; everything else is private and may change. Names are imported
on first use (PEP 562), so ``import comfy_contract`` - and the pytest plugin, which pytest loads in every
session of anyone who installs the package - stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comfy_contract.baseline import Baseline, BaselineEntry
    from comfy_contract.canonical import CanonicalGraph, Normalisation, canonicalize
    from comfy_contract.catalog import Catalog, InputSpec, NodeSpec, load_catalog, merge_catalogs
    from comfy_contract.codes import CODES, Code
    from comfy_contract.contracts import ContractSet
    from comfy_contract.devserver import DevserverGenerator, DevserverOptions
    from comfy_contract.diff import Change, ChangeKind, GraphDiff
    from comfy_contract.engine import Engine, Selection, Suite, suite_from_project
    from comfy_contract.eras import ERAS, Era
    from comfy_contract.errors import CatalogError, ComfyContractError, ConfigError, InputError, UnsupportedEraError
    from comfy_contract.findings import Finding, Severity
    from comfy_contract.lints import LINTS, Lint, LintContext, run_lints, run_project_lints
    from comfy_contract.project import Project, load_project
    from comfy_contract.rendering import Generator, Injection, Rendered, RenderInputs, Submission
    from comfy_contract.results import CheckResult, Location, Report
    from comfy_contract.snapshots import Snapshot, SnapshotStore, UpdateReport
    from comfy_contract.validator import validate, validate_request
    from comfy_contract.verdict import Verdict

__version__ = "0.1.0"

__all__ = [
    "CODES",
    "ERAS",
    "LINTS",
    "Baseline",
    "BaselineEntry",
    "CanonicalGraph",
    "Catalog",
    "CatalogError",
    "Change",
    "ChangeKind",
    "CheckResult",
    "Code",
    "ComfyContractError",
    "ConfigError",
    "ContractSet",
    "DevserverGenerator",
    "DevserverOptions",
    "Engine",
    "Era",
    "Finding",
    "Generator",
    "GraphDiff",
    "Injection",
    "InputError",
    "InputSpec",
    "Lint",
    "LintContext",
    "Location",
    "NodeSpec",
    "Normalisation",
    "Project",
    "RenderInputs",
    "Rendered",
    "Report",
    "Selection",
    "Severity",
    "Snapshot",
    "SnapshotStore",
    "Submission",
    "Suite",
    "UnsupportedEraError",
    "UpdateReport",
    "Verdict",
    "__version__",
    "canonicalize",
    "load_catalog",
    "load_project",
    "merge_catalogs",
    "run_lints",
    "run_project_lints",
    "suite_from_project",
    "validate",
    "validate_request",
]


#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Baseline": "comfy_contract.baseline",
    "BaselineEntry": "comfy_contract.baseline",
    "CODES": "comfy_contract.codes",
    "CanonicalGraph": "comfy_contract.canonical",
    "Catalog": "comfy_contract.catalog",
    "CatalogError": "comfy_contract.errors",
    "Change": "comfy_contract.diff",
    "ChangeKind": "comfy_contract.diff",
    "CheckResult": "comfy_contract.results",
    "Code": "comfy_contract.codes",
    "ComfyContractError": "comfy_contract.errors",
    "ConfigError": "comfy_contract.errors",
    "ContractSet": "comfy_contract.contracts",
    "DevserverGenerator": "comfy_contract.devserver",
    "DevserverOptions": "comfy_contract.devserver",
    "ERAS": "comfy_contract.eras",
    "Engine": "comfy_contract.engine",
    "Era": "comfy_contract.eras",
    "Finding": "comfy_contract.findings",
    "Generator": "comfy_contract.rendering",
    "GraphDiff": "comfy_contract.diff",
    "Injection": "comfy_contract.rendering",
    "InputError": "comfy_contract.errors",
    "InputSpec": "comfy_contract.catalog",
    "LINTS": "comfy_contract.lints",
    "Lint": "comfy_contract.lints",
    "LintContext": "comfy_contract.lints",
    "Location": "comfy_contract.results",
    "NodeSpec": "comfy_contract.catalog",
    "Normalisation": "comfy_contract.canonical",
    "Project": "comfy_contract.project",
    "RenderInputs": "comfy_contract.rendering",
    "Rendered": "comfy_contract.rendering",
    "Report": "comfy_contract.results",
    "Selection": "comfy_contract.engine",
    "Severity": "comfy_contract.findings",
    "Snapshot": "comfy_contract.snapshots",
    "SnapshotStore": "comfy_contract.snapshots",
    "Submission": "comfy_contract.rendering",
    "Suite": "comfy_contract.engine",
    "UnsupportedEraError": "comfy_contract.errors",
    "UpdateReport": "comfy_contract.snapshots",
    "Verdict": "comfy_contract.verdict",
    "canonicalize": "comfy_contract.canonical",
    "load_catalog": "comfy_contract.catalog",
    "load_project": "comfy_contract.project",
    "merge_catalogs": "comfy_contract.catalog",
    "run_lints": "comfy_contract.lints",
    "run_project_lints": "comfy_contract.lints",
    "suite_from_project": "comfy_contract.engine",
    "validate": "comfy_contract.validator",
    "validate_request": "comfy_contract.validator",
}


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'comfy_contract' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
