"""The check report formats by name: ``--format NAME`` picks one of :data:`WRITERS`."""

from __future__ import annotations

from collections.abc import Callable

from comfy_contract.check.results import Report
from comfy_contract.report.github import report_github
from comfy_contract.report.html import report_html
from comfy_contract.report.json import report_json
from comfy_contract.report.junit import report_junit
from comfy_contract.report.markdown import report_markdown
from comfy_contract.report.sarif import report_sarif
from comfy_contract.report.text import report_text

__all__ = ["FORMATS", "WRITERS", "render_report"]

WRITERS: dict[str, Callable[[Report], str]] = {
    "text": report_text,
    "json": report_json,
    "junit": report_junit,
    "sarif": report_sarif,
    "markdown": report_markdown,
    "github": report_github,
    "html": report_html,
}
FORMATS: tuple[str, ...] = tuple(WRITERS)


def render_report(report: Report, fmt: str) -> str:
    return WRITERS[fmt](report)
