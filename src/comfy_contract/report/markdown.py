"""A Markdown summary for pull-request comments (``--format markdown``).

A headline, the table of failing (config, mode) rows × backends, then the failures in a collapsed
``<details>`` block: one bullet per finding with where it is, what was expected and how to reproduce it.
"""

from __future__ import annotations

from comfy_contract.check.results import Report
from comfy_contract.core.findings import Severity
from comfy_contract.core.safetext import printable
from comfy_contract.report.common import era_lines, problems, rows

__all__ = ["report_markdown"]

_MAX_FINDINGS = 200


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _code(text: str) -> str:
    return "`" + text.replace("`", "'") + "`"


def report_markdown(report: Report) -> str:
    s = report.summary()
    icon = {0: "✅", 1: "❌", 2: "⚠️"}[report.exit_code]
    failing = s["failing_configs"]
    if report.exit_code == 0:
        head = f"{icon} **comfy-contract**: all {s['configs']} configs pass on {', '.join(report.backends)}"
    elif report.exit_code == 1:
        head = f"{icon} **comfy-contract**: {len(failing)} of {s['configs']} configs fail"
    else:
        head = f"{icon} **comfy-contract**: {s['errors']} checks could not run"
    out = [f"### {head}", ""]
    out.append(f"{s['results']} results: {s['passed']} passed, {s['failed']} failed, {s['errors']} errors "
               f"(modes {', '.join(report.modes)}; fail on {s['fail_on']})"
               + (f"; {report.selection_note}" if report.selection_note else ""))
    out.extend(f"{_esc(line)}." for line in era_lines(report))
    if s["accepted_by_baseline"]:
        out.append(f"{s['accepted_by_baseline']} finding(s) accepted by the baseline.")
    bad_rows = [(c, m, cells) for c, m, cells in rows(report)
                if any(cell.status in ("fail", "error") for cell in cells.values())]
    if bad_rows:
        backends = list(next(iter(bad_rows))[2])
        out += ["", "| config | mode | " + " | ".join(backends) + " |",
                "|---|---|" + "---|" * len(backends)]
        for config, mode, cells in bad_rows:
            marks = []
            for b in backends:
                c = cells[b]
                mark = {"pass": "✅", "n/a": "—", "fail": "❌", "error": "⚠️"}[c.status]
                marks.append(mark + (" " + ", ".join(c.codes) if c.codes and c.status != "pass" else ""))
            out.append(f"| {_code(config)} | {mode} | " + " | ".join(marks) + " |")
    threshold = report.fail_on or Severity.WARNING
    shown = [p for p in problems(report) if p.finding.severity.at_least(threshold)]
    if shown or report.errored:
        out += ["", f"<details><summary>{len(shown)} finding(s)</summary>", ""]
        for r in report.errored:
            out.append(f"- ⚠️ {_code(r.id)} could not run: {_esc(r.error or '')}")
        for p in shown[:_MAX_FINDINGS]:
            f = p.finding
            where = p.where()
            loc = f" at {_code(str(p.location))}" if p.location else ""
            out.append(f"- **{f.code}** {_esc(p.title)} — {_esc(where)}{loc}: {_esc(f.message)}")
            if f.expected is not None or f.actual is not None:
                out.append(f"  expected {_code(repr(f.expected))}, got {_code(repr(f.actual))}")
            if p.reproduce:
                out.append(f"  reproduce: {_code(p.reproduce)}")
        if len(shown) > _MAX_FINDINGS:
            out.append(f"- … and {len(shown) - _MAX_FINDINGS} more (see the JSON or SARIF report)")
        out += ["", "</details>"]
    return printable("\n".join(out) + "\n")
