"""What a check run produces: one :class:`CheckResult` per (config, mode, backend, check), in a :class:`Report`.

These are the values every front end renders (text, JSON, JUnit, SARIF, Markdown, GitHub annotations, the
pytest plugin). They are computed by :mod:`comfy_contract.check.engine` and never by a front end.

Checks that do not depend on a ComfyUI install (``render``, ``contract``, ``snapshot``) carry the backend
:data:`ANY_BACKEND` (``"any"``). Results about the project as a whole (stale baseline entries, unused
snapshots) carry config and mode :data:`PROJECT` (``"*"``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from comfy_contract.core.findings import Finding, Severity
from comfy_contract.validation.verdict import Verdict

__all__ = [
    "ANY_BACKEND",
    "FAIL_ON",
    "PROJECT",
    "CheckResult",
    "Graphs",
    "Location",
    "Report",
    "Status",
    "fails",
    "parse_fail_on",
    "plain",
]

Status = Literal["pass", "fail", "error"]

#: the backend of checks that do not depend on a ComfyUI install (the check table is ``check.engine.CHECKS``)
ANY_BACKEND = "any"
PROJECT = "*"
#: ``--fail-on`` values: the lowest severity that fails a result; ``never`` reports without failing
FAIL_ON: tuple[str, ...] = ("info", "warning", "error", "never")


def parse_fail_on(value: str) -> Severity | None:
    """``--fail-on`` as a severity (``None`` for ``never``); a usage error names the choices."""
    from comfy_contract.core.errors import ComfyContractError

    if value == "never":
        return None
    try:
        return Severity(value)
    except ValueError:
        raise ComfyContractError(
            f"unknown --fail-on value {value!r}", hint=f"use one of {', '.join(FAIL_ON)}"
        ) from None


def fails(findings: Iterable[Finding], fail_on: Severity | None) -> bool:
    """True if any finding is at or above ``fail_on``."""
    return fail_on is not None and any(f.severity.at_least(fail_on) for f in findings)


@dataclass(frozen=True, slots=True)
class Location:
    """Where in the app a finding comes from: a file (relative to the report's root) and a place in it.

    ``pointer`` is the JSON pointer that caused the finding; ``line``/``column`` (1-based) are where that
    pointer (or its deepest existing parent) starts in the file's text, when the file could be read.
    """

    file: str
    pointer: str | None = None
    line: int | None = None
    column: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "pointer": self.pointer, "line": self.line, "column": self.column}

    def __str__(self) -> str:
        text = self.file
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.pointer:
            text += f" ({self.pointer})"
        return text


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check of one config in one mode against one backend.

    ``findings`` are the findings that count (after the baseline); ``accepted`` those the baseline accepted.
    ``locations`` is parallel to ``findings`` (``None`` where no app file is known). ``status`` is ``fail``
    when a counted finding is at or above the run's ``--fail-on``, ``error`` when the check could not be
    carried out (``error`` says why), else ``pass``.
    """

    config: str
    mode: str
    backend: str
    check: str
    status: Status
    findings: tuple[Finding, ...] = ()
    locations: tuple[Location | None, ...] = ()
    accepted: tuple[Finding, ...] = ()
    verdicts: tuple[Verdict, ...] = ()
    reproduce: str | None = None
    config_file: str | None = None
    error: str | None = None
    duration_s: float = 0.0
    #: submissions that were checked, as (label, HTTP status) — e.g. ("output_image_sd35_large", 400)
    responses: tuple[tuple[str, int], ...] = field(default=())

    @property
    def id(self) -> str:
        """The readable id: ``config-mode-backend-check`` (the pytest parameter id)."""
        return f"{self.config}-{self.mode}-{self.backend}-{self.check}"

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.config, self.mode, self.backend, self.check)

    @property
    def is_project(self) -> bool:
        return self.config == PROJECT

    def location(self, index: int) -> Location | None:
        return self.locations[index] if index < len(self.locations) else None

    def to_dict(self) -> dict[str, Any]:
        findings = []
        for i, finding in enumerate(self.findings):
            data = finding.to_dict()
            loc = self.location(i)
            data["location"] = loc.to_dict() if loc is not None else None
            findings.append(data)
        out: dict[str, Any] = {
            "id": self.id,
            "config": self.config,
            "mode": self.mode,
            "backend": self.backend,
            "check": self.check,
            "status": self.status,
            "findings": findings,
            "accepted": [f.to_dict() for f in self.accepted],
            "reproduce": self.reproduce,
            "config_file": self.config_file,
            "duration_s": round(self.duration_s, 6),
        }
        if self.error is not None:
            out["error"] = self.error
        if self.verdicts:
            out["responses"] = [
                {"submission": label, "status": status} for label, status in self.responses
            ]
        return out


@dataclass(frozen=True)
class Graphs:
    """What the HTML report draws for one (config, mode): the workflow the app submits first and, when the
    (config, mode) has a snapshot, the snapshot's workflow and its stored normalisation."""

    workflow: Mapping[str, Any]
    snapshot: Mapping[str, Any] | None = None
    normalisation: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class Report:
    """Every result of one run, with what the run was asked."""

    results: tuple[CheckResult, ...]
    fail_on: Severity | None = Severity.ERROR
    backends: tuple[str, ...] = ()
    modes: tuple[str, ...] = ()
    checks: tuple[str, ...] = ()  # the checks that were run, in the order of the engine's check table
    root: str = "."
    project_file: str | None = None
    selection_note: str | None = None  # e.g. "3 configs touched by 2 changed files"
    command: str = "comfy-contract check"
    #: per backend: the ComfyUI era its catalog validates with (``Catalog.era_summary``)
    comfyui: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: per (config, mode) that rendered a workflow: what the HTML report draws (not in the JSON report)
    graphs: Mapping[tuple[str, str], Graphs] = field(default_factory=dict, compare=False, repr=False)

    @property
    def configs(self) -> tuple[str, ...]:
        seen: dict[str, None] = {}
        for r in self.results:
            if not r.is_project:
                seen.setdefault(r.config, None)
        return tuple(seen)

    @property
    def failed(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.status == "fail")

    @property
    def errored(self) -> tuple[CheckResult, ...]:
        return tuple(r for r in self.results if r.status == "error")

    @property
    def exit_code(self) -> int:
        """0 clean, 1 a result failed, 2 a check could not be carried out (the report says why)."""
        if self.errored:
            return 2
        return 1 if self.failed else 0

    def summary(self) -> dict[str, Any]:
        by_status = {"pass": 0, "fail": 0, "error": 0}
        by_backend: dict[str, dict[str, int]] = {}
        by_code: dict[str, int] = {}
        for r in self.results:
            by_status[r.status] += 1
            counts = by_backend.setdefault(r.backend, {"pass": 0, "fail": 0, "error": 0})
            counts[r.status] += 1
            for f in r.findings:
                by_code[f.code] = by_code.get(f.code, 0) + 1
        failing_configs = sorted({r.config for r in self.failed if not r.is_project})
        return {
            "results": len(self.results),
            "passed": by_status["pass"],
            "failed": by_status["fail"],
            "errors": by_status["error"],
            "configs": len(self.configs),
            "failing_configs": failing_configs,
            "modes": list(self.modes),
            "backends": list(self.backends),
            "checks": list(self.checks),
            "by_backend": {k: by_backend[k] for k in sorted(by_backend)},
            "by_code": {k: by_code[k] for k in sorted(by_code)},
            "accepted_by_baseline": sum(len(r.accepted) for r in self.results),
            "fail_on": "never" if self.fail_on is None else str(self.fail_on),
            "exit_code": self.exit_code,
            "selection": self.selection_note,
            "comfyui": {b: dict(self.comfyui[b]) for b in self.backends if b in self.comfyui},
        }


def plain(value: Any) -> Any:
    """``value`` as JSON-ready data (mappings, sequences, scalars; anything else as its repr)."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value, key=repr) if isinstance(value, set | frozenset) else value
        return [plain(v) for v in items]
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)  # NaN/Infinity are not JSON
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return repr(value)
