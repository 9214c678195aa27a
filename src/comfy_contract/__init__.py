"""comfy-contract: contract tests for the ComfyUI workflows an application generates.

The public API is what ``__all__`` lists; everything else is private and may change. Names are imported
on first use (PEP 562), so ``import comfy_contract`` - and the pytest plugin, which pytest loads in every
session of anyone who installs the package - stays cheap.
"""

from __future__ import annotations

import typing

from comfy_contract.core.lazy import lazy_exports as _lazy_exports
from comfy_contract.core.version import __version__

if typing.TYPE_CHECKING:
    from comfy_contract.check.baseline import Baseline, BaselineEntry
    from comfy_contract.check.contracts import ContractSet
    from comfy_contract.check.engine import Engine, Selection, Suite, suite_from_project
    from comfy_contract.check.lints import LINTS, Lint, LintContext, run_lints, run_project_lints
    from comfy_contract.check.project import Project, load_project
    from comfy_contract.check.results import CheckResult, Location, Report
    from comfy_contract.core.codes import CODES, Code
    from comfy_contract.core.errors import (
        CatalogError,
        ComfyContractError,
        ConfigError,
        InputError,
        UnsupportedEraError,
    )
    from comfy_contract.core.findings import Finding, Severity
    from comfy_contract.render.adapters import CallableGenerator, CommandGenerator, HttpGenerator
    from comfy_contract.render.devserver import DevserverGenerator, DevserverOptions
    from comfy_contract.render.model import (
        AdapterAnswer,
        AdapterInjection,
        Generator,
        Injection,
        Rendered,
        RenderInputs,
        Submission,
    )
    from comfy_contract.snapshot.canonical import CanonicalGraph, Normalisation, canonicalize
    from comfy_contract.snapshot.diff import Change, ChangeKind, GraphDiff
    from comfy_contract.snapshot.store import Snapshot, SnapshotStore, UpdateReport
    from comfy_contract.validation.catalog import Catalog, InputSpec, NodeSpec, load_catalog, merge_catalogs
    from comfy_contract.validation.eras import ERAS, Era
    from comfy_contract.validation.validator import validate, validate_request
    from comfy_contract.validation.verdict import Verdict

__all__ = [
    "CODES",
    "ERAS",
    "LINTS",
    "AdapterAnswer",
    "AdapterInjection",
    "Baseline",
    "BaselineEntry",
    "CallableGenerator",
    "CanonicalGraph",
    "Catalog",
    "CatalogError",
    "Change",
    "ChangeKind",
    "CheckResult",
    "Code",
    "ComfyContractError",
    "CommandGenerator",
    "ConfigError",
    "ContractSet",
    "DevserverGenerator",
    "DevserverOptions",
    "Engine",
    "Era",
    "Finding",
    "Generator",
    "GraphDiff",
    "HttpGenerator",
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
    "AdapterAnswer": "comfy_contract.render.model",
    "AdapterInjection": "comfy_contract.render.model",
    "CallableGenerator": "comfy_contract.render.adapters",
    "CommandGenerator": "comfy_contract.render.adapters",
    "HttpGenerator": "comfy_contract.render.adapters",
    "Baseline": "comfy_contract.check.baseline",
    "BaselineEntry": "comfy_contract.check.baseline",
    "CODES": "comfy_contract.core.codes",
    "CanonicalGraph": "comfy_contract.snapshot.canonical",
    "Catalog": "comfy_contract.validation.catalog",
    "CatalogError": "comfy_contract.core.errors",
    "Change": "comfy_contract.snapshot.diff",
    "ChangeKind": "comfy_contract.snapshot.diff",
    "CheckResult": "comfy_contract.check.results",
    "Code": "comfy_contract.core.codes",
    "ComfyContractError": "comfy_contract.core.errors",
    "ConfigError": "comfy_contract.core.errors",
    "ContractSet": "comfy_contract.check.contracts",
    "DevserverGenerator": "comfy_contract.render.devserver",
    "DevserverOptions": "comfy_contract.render.devserver",
    "ERAS": "comfy_contract.validation.eras",
    "Engine": "comfy_contract.check.engine",
    "Era": "comfy_contract.validation.eras",
    "Finding": "comfy_contract.core.findings",
    "Generator": "comfy_contract.render.model",
    "GraphDiff": "comfy_contract.snapshot.diff",
    "Injection": "comfy_contract.render.model",
    "InputError": "comfy_contract.core.errors",
    "InputSpec": "comfy_contract.validation.catalog",
    "LINTS": "comfy_contract.check.lints",
    "Lint": "comfy_contract.check.lints",
    "LintContext": "comfy_contract.check.lints",
    "Location": "comfy_contract.check.results",
    "NodeSpec": "comfy_contract.validation.catalog",
    "Normalisation": "comfy_contract.snapshot.canonical",
    "Project": "comfy_contract.check.project",
    "RenderInputs": "comfy_contract.render.model",
    "Rendered": "comfy_contract.render.model",
    "Report": "comfy_contract.check.results",
    "Selection": "comfy_contract.check.engine",
    "Severity": "comfy_contract.core.findings",
    "Snapshot": "comfy_contract.snapshot.store",
    "SnapshotStore": "comfy_contract.snapshot.store",
    "Submission": "comfy_contract.render.model",
    "Suite": "comfy_contract.check.engine",
    "UnsupportedEraError": "comfy_contract.core.errors",
    "UpdateReport": "comfy_contract.snapshot.store",
    "Verdict": "comfy_contract.validation.verdict",
    "canonicalize": "comfy_contract.snapshot.canonical",
    "load_catalog": "comfy_contract.validation.catalog",
    "load_project": "comfy_contract.check.project",
    "merge_catalogs": "comfy_contract.validation.catalog",
    "run_lints": "comfy_contract.check.lints",
    "run_project_lints": "comfy_contract.check.lints",
    "suite_from_project": "comfy_contract.check.engine",
    "validate": "comfy_contract.validation.validator",
    "validate_request": "comfy_contract.validation.validator",
}


__getattr__, __dir__ = _lazy_exports(__name__, globals(), _EXPORTS, __all__)
