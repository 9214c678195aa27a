"""SARIF 2.1.0 (``--format sarif``) for code scanning: each finding located at the app file and line that
caused it, so code hosts annotate the pull request's diff.

``tool.driver.rules`` is the whole code table (:mod:`comfy_contract.core.codes`); a result's ``ruleIndex`` points
into it. A finding that is identical on several backends is one SARIF result listing the backends.
Findings the baseline accepted are included with an ``external`` suppression, so code hosts show them as
dismissed rather than new. ``partialFingerprints`` stay stable across runs and line moves. File URIs are
relative to the directory the check ran in (the repository root in CI), as code scanning expects.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from comfy_contract.check.results import PROJECT, CheckResult, Location, Report, plain
from comfy_contract.core.codes import CODES
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.version import __version__
from comfy_contract.report.common import problems

__all__ = ["SARIF_SCHEMA", "report_sarif", "sarif_data"]

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_RULE_INDEX = {code: i for i, code in enumerate(CODES)}


def _rules() -> list[dict[str, Any]]:
    return [
        {
            "id": c.code,
            "name": c.name,
            "shortDescription": {"text": c.title},
            "fullDescription": {"text": c.explanation},
            "help": {"text": f"{c.explanation}\n\nMore: comfy-contract explain {c.code}"},
            "defaultConfiguration": {"level": _LEVEL[c.severity]},
            "properties": {"tags": ["comfy-contract", c.check], "check": c.check},
        }
        for c in CODES.values()
    ]


def _uri(file: str) -> str:
    path = PurePosixPath(file)
    return path.as_uri() if path.is_absolute() else quote(file)


def _physical(location: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(location.file)}}
    if location.line is not None:
        region: dict[str, Any] = {"startLine": location.line}
        if location.column is not None:
            region["startColumn"] = location.column
        physical["region"] = region
    return physical


def _fallback(result: CheckResult, report: Report) -> Location | None:
    if result.config_file:
        return Location(result.config_file, None, 1, 1)
    if report.project_file:
        return Location(report.project_file, None, 1, 1)
    return None


def _fingerprint(finding: Finding, result: CheckResult, location: Location | None) -> str:
    parts = [finding.code, result.config, result.mode, result.check, finding.node_id or "", finding.input or "",
             location.file if location else "", (location.pointer or "") if location else "", finding.message]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _message(finding: Finding, result: CheckResult, backends: tuple[str, ...], reproduce: str | None) -> str:
    if result.config == PROJECT:
        where = f"[project, {result.check}]"
    else:
        where = f"[{result.config} / {result.mode} / {', '.join(backends)} / {result.check}]"
    text = f"{finding.code} {finding.message} {where}"
    if finding.expected is not None or finding.actual is not None:
        text += f"\nexpected: {finding.expected!r}\nactual: {finding.actual!r}"
    if reproduce:
        text += f"\nReproduce with: {reproduce}"
    return text


def _result(finding: Finding, location: Location | None, result: CheckResult, backends: tuple[str, ...],
            reproduce: str | None, report: Report) -> dict[str, Any]:
    where = location if location is not None else _fallback(result, report)
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": _RULE_INDEX.get(finding.code, -1),
        "level": _LEVEL[finding.severity],
        "message": {"text": _message(finding, result, backends, reproduce)},
        "partialFingerprints": {"comfyContract/v1": _fingerprint(finding, result, location)},
        "properties": plain({
            "config": result.config,
            "mode": result.mode,
            "backends": list(backends),
            "check": result.check,
            "node_id": finding.node_id,
            "class_type": finding.class_type,
            "input": finding.input,
            "pointer": where.pointer if where else None,
            "workflow_path": None if finding.file else finding.path,
            "comfyui": finding.comfyui,
        }),
    }
    located: dict[str, Any] = {}
    if where is not None:
        located["physicalLocation"] = _physical(where)
    if finding.node_id is not None and result.config != PROJECT:
        located["logicalLocations"] = [{
            "name": finding.node_id,
            "fullyQualifiedName": f"{result.config}/{result.mode}/{finding.node_id}"
            + (f"/inputs/{finding.input}" if finding.input else ""),
            "kind": "object",
        }]
    if located:
        out["locations"] = [located]
    return out


def sarif_data(report: Report) -> dict[str, Any]:
    results = []
    for p in problems(report):
        results.append(_result(p.finding, p.location, p.first, p.backends, p.reproduce, report))
    for r in report.results:  # findings the baseline accepted: suppressed, not new
        for finding in r.accepted:
            entry = _result(finding, None, r, (r.backend,), r.reproduce, report)
            entry["suppressions"] = [{"kind": "external", "justification": "accepted by the baseline"}]
            results.append(entry)
    invocation: dict[str, Any] = {
        "executionSuccessful": report.exit_code != 2,
        "exitCode": report.exit_code,
    }
    notifications = [
        {"level": "error", "message": {"text": f"{r.id}: {r.error}"}} for r in report.errored
    ]
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "comfy-contract",
                "version": __version__,
                "semanticVersion": __version__,
                "informationUri": "https://pypi.org/project/comfy-contract/",
                "rules": _rules(),
            }},
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
            "properties": {"summary": plain(report.summary())},
        }],
    }


def report_sarif(report: Report) -> str:
    return json.dumps(sarif_data(report), indent=2, ensure_ascii=False) + "\n"
