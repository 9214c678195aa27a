"""The JSON check report (``--format json``), described by ``contracts/schemas/check-report.schema.json``.

Shape: ``{"format": "comfy-contract/check-report", "version": 1, "tool": {...}, "summary": {...},
"results": [{"config", "mode", "backend", "check", "status", "findings": [...], ...}]}``.
"""

from __future__ import annotations

import json
from typing import Any

from comfy_contract.check.results import Report, plain
from comfy_contract.core.version import __version__

__all__ = ["FORMAT", "VERSION", "report_data", "report_json"]

FORMAT = "comfy-contract/check-report"
VERSION = 1


def report_data(report: Report) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "tool": {"name": "comfy-contract", "version": __version__},
        "project_file": report.project_file,
        "summary": report.summary(),
        "results": [plain(r.to_dict()) for r in report.results],
    }


def report_json(report: Report) -> str:
    return json.dumps(report_data(report), indent=2, ensure_ascii=False) + "\n"
