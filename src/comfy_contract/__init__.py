"""comfy-contract: contract tests for the ComfyUI workflows an application generates.

The public API is what ``__all__`` lists; everything else is private and may change.
"""

from __future__ import annotations

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
