"""GitHub Actions workflow commands (``--format github``): one ``::error``/``::warning``/``::notice`` line per
finding, located at the app file and line, so the finding shows on the pull request's diff.

A final ``::notice`` carries the summary. Values are escaped as the runner expects (``%``, CR, LF; and
``:`` ``,`` in properties).
"""

from __future__ import annotations

from comfy_contract.check.results import Location, Report
from comfy_contract.core.findings import Severity
from comfy_contract.core.safetext import printable
from comfy_contract.report.common import era_lines, problems

__all__ = ["escape_data", "escape_property", "report_github"]

_COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _props(location: Location | None, title: str) -> str:
    props = []
    if location is not None:
        props.append(f"file={escape_property(location.file)}")
        if location.line is not None:
            props.append(f"line={location.line}")
            if location.column is not None:
                props.append(f"col={location.column}")
    props.append(f"title={escape_property(title)}")
    return ",".join(props)


def report_github(report: Report) -> str:
    lines = []
    threshold = report.fail_on or Severity.WARNING
    for p in problems(report):
        f = p.finding
        if not f.severity.at_least(threshold) and f.severity is Severity.INFO:
            continue
        location = p.location
        if location is None and p.first.config_file:
            location = Location(p.first.config_file, None, 1, 1)
        title = f"{f.code} {p.title} ({p.where()})"
        body = f.message
        if f.expected is not None:  # "expected: None" says nothing (as in the text report)
            body += f"\nexpected: {f.expected!r}"
        if f.actual is not None:
            body += f"\nactual:   {f.actual!r}"
        if p.reproduce:
            body += f"\nReproduce with: {p.reproduce}"
        lines.append(f"::{_COMMAND[f.severity]} {_props(location, title)}::{escape_data(body)}")
    for r in report.errored:
        lines.append(f"::error title={escape_property(f'comfy-contract could not run {r.id}')}::"
                     f"{escape_data(r.error or '')}")
    s = report.summary()
    selected = escape_data(f"selected {report.selection_note}; ") if report.selection_note else ""
    lines.extend(f"::notice title=comfy-contract ComfyUI era::{escape_data(line)}" for line in era_lines(report))
    lines.append(
        f"::notice title=comfy-contract::{selected}{s['results']} results: {s['passed']} passed, {s['failed']} failed, "
        f"{s['errors']} errors; exit {s['exit_code']}"
    )
    return "\n".join(lines) + "\n"
