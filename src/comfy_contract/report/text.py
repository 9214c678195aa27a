"""Plain-text rendering of findings and verdicts: the fixed block every front end prints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from comfy_contract.check.results import ANY_BACKEND, CheckResult, Location, Report
from comfy_contract.core.codes import lookup
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.safetext import printable
from comfy_contract.report.common import context, era_lines, problems, rows
from comfy_contract.validation.verdict import Verdict

__all__ = ["finding_block", "findings_text", "report_text", "response_line", "summary_line", "verdict_text"]


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def finding_block(finding: Finding, *, context: str | None = None, reproduce: str | None = None,
                  indent: str = "  ", location: Location | None = None, response: str | None = None) -> str:
    """The fixed block for one finding: code and title, where, expected vs actual, next step.

    ``context`` names config/mode/backend/check, ``location`` the app file and line that caused the finding,
    ``response`` the HTTP answer ComfyUI gives to the submission (for validation findings).
    """
    entry = lookup(finding.code)
    lines = [f"{finding.code} {entry.name} [{finding.severity}] {entry.title}"]
    if context:
        lines.append(f"{indent}in:       {context}")
    where = []
    if finding.node_id is not None:
        where.append(f"node {finding.node_id!r}" + (f" ({finding.class_type})" if finding.class_type else ""))
    if finding.input:
        where.append(f"input {finding.input!r}")
    if finding.file and location is None:
        where.append(f"file {finding.file}")
    if finding.path and not (finding.file and location is not None):
        where.append(f"at {finding.path}")
    if where:
        lines.append(f"{indent}where:    {', '.join(where)}")
    if location is not None:
        lines.append(f"{indent}file:     {location}")
    # a multi-line message (S002's graph diff) stays inside the block: continuation lines are indented
    lines.append(f"{indent}message:  " + f"\n{indent}          ".join(str(finding.message).splitlines() or [""]))
    if finding.expected is not None:  # "expected: None" says nothing
        lines.append(f"{indent}expected: {_short(finding.expected)}")
    if finding.actual is not None:
        lines.append(f"{indent}actual:   {_short(finding.actual)}")
    if finding.comfyui is not None and finding.code.startswith("V"):
        c = finding.comfyui
        head = f"{response}, " if response else ""
        lines.append(f"{indent}comfyui:  {head}type={c.get('type')!r} message={c.get('message')!r}")
        if c.get("details"):
            lines.append(f"{indent}          details={_short(c.get('details'), 200)}")
    if reproduce:
        lines.append(f"{indent}Reproduce with: {reproduce}")
    return "\n".join(lines)


def verdict_text(label: str, verdict: Verdict, *, reproduce: str | None = None) -> str:
    """A readable summary of one verdict, one block per finding."""
    if verdict.status == 200:
        head = f"{label}: accepted (HTTP 200)"
        if verdict.node_errors:
            head += f" - but {len(verdict.node_errors)} node(s) failed; their outputs will not run"
    elif verdict.status == 500:
        head = f"{label}: ComfyUI would fail with HTTP 500 (its handler raises {verdict.exception})"
    else:
        err = verdict.error or {}
        head = f"{label}: rejected (HTTP 400) {err.get('type')}: {err.get('message')}"
    blocks = [head]
    blocks.extend(_indent(finding_block(f, reproduce=reproduce)) for f in verdict.findings)
    return printable("\n".join(blocks))


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def findings_text(findings: Iterable[Finding]) -> str:
    return "\n".join(finding_block(f) for f in findings)


# -- the check report: a config × backend table, then one fixed block per failure -----------------------


def response_line(result: CheckResult, finding: Finding) -> str | None:
    """``HTTP 400`` (and which submission) for a validation finding of ``result``."""
    if result.check != "validate" or not result.responses:
        return None
    statuses = sorted({status for _label, status in result.responses})
    errors = [v.error.get("type") for v in result.verdicts if v.error is not None]
    kind = f" {errors[0]}" if len(set(errors)) == 1 else ""
    if len(result.responses) == 1:
        return f"HTTP {statuses[0]}{kind}"
    return "HTTP " + ", ".join(f"{status} ({label})" for label, status in result.responses) + kind


def report_text(report: Report, *, verbose: bool = False, width: int = 28) -> str:
    """The text report: header, table, failure blocks, summary line."""
    s = report.summary()
    out: list[str] = []
    backends = list(report.backends) or [ANY_BACKEND]
    out.append(
        f"comfy-contract check: {s['configs']} config(s) x {len(report.modes)} mode(s) x "
        f"{len(report.backends)} backend(s) ({', '.join(report.backends) or 'none'}); "
        f"checks: {', '.join(report.checks)}"
    )
    out.extend(era_lines(report))
    if report.selection_note:
        out.append(f"selected: {report.selection_note}")
    table = [(printable(c, newlines=False), printable(m, newlines=False), cells) for c, m, cells in rows(report)]
    if table:
        name_w = max(width, *(len(c) for c, _m, _cells in table)) + 2
        mode_w = max(4, *(len(m) for _c, m, _cells in table)) + 2
        col_w = {b: max(len(b), *(len(cells[b].text()) for _c, _m, cells in table)) + 2 for b in backends}
        out.append("")
        header = "config".ljust(name_w) + "mode".ljust(mode_w) + "".join(b.ljust(col_w[b]) for b in backends)
        out.append(header.rstrip())
        for config, mode, cells in table:
            out.append(config.ljust(name_w) + mode.ljust(mode_w)
                       + "".join(cells[b].text().ljust(col_w[b]) for b in backends).rstrip())
    threshold = report.fail_on or Severity.WARNING  # with --fail-on never, show warnings and errors
    shown = [p for p in problems(report) if verbose or p.finding.severity.at_least(threshold)]
    errored = report.errored
    hidden = len(problems(report)) - len(shown)
    if shown or errored:
        out.append("")
        out.append(f"Failures ({len(shown)} finding(s){f', {len(errored)} error(s)' if errored else ''})")
        out.append("-" * 40)
    for result in errored:
        out.append(f"ERROR {result.id}")
        out.append(f"  in:       {context(result)}")
        out.append(f"  error:    {result.error}")
        if result.reproduce:
            out.append(f"  Reproduce with: {result.reproduce}")
        out.append("")
    for problem in shown:
        first = problem.first
        out.append(finding_block(
            problem.finding, context=problem.where(), reproduce=problem.reproduce, location=problem.location,
            response=response_line(first, problem.finding),
        ))
        if first.accepted and verbose:
            out.append(f"  ({len(first.accepted)} finding(s) of this result accepted by the baseline)")
        out.append("")
    out.append(summary_line(report, hidden if not verbose else 0))
    return printable("\n".join(out).rstrip() + "\n")  # names and values from the repository: never raw escapes


def summary_line(report: Report, hidden: int = 0) -> str:
    """The closing lines of the text report: counts, then the exit code and why."""
    s = report.summary()
    parts = [f"{s['results']} results: {s['passed']} passed, {s['failed']} failed, {s['errors']} errors"]
    if report.selection_note:
        parts.insert(0, f"selected {report.selection_note}")
    if s["failing_configs"]:
        parts.append(f"{len(s['failing_configs'])} of {s['configs']} configs fail")
    if s["accepted_by_baseline"]:
        parts.append(f"{s['accepted_by_baseline']} finding(s) accepted by the baseline")
    if hidden > 0:
        parts.append(f"{hidden} finding(s) below --fail-on not shown (--verbose shows them)")
    code = report.exit_code
    why = {0: "clean", 1: f"findings at or above {s['fail_on']!r} (--fail-on)",
           2: "some checks could not run (see ERROR blocks)"}[code]
    return "; ".join(parts) + f"\nexit {code}: {why}"
