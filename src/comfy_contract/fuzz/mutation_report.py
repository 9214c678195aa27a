"""``hunt --mutate`` reports in every format ``check`` has: text, JSON, JUnit, SARIF, Markdown, GitHub, HTML.

Each writer renders one :class:`~comfy_contract.fuzz.mutate.MutationReport` - the mutation score overall and
per config, and each survivor (code ``F003``) with its edit located in the project (file and line), the graph
diff, the suggested fix and the command that replays it. The writers are pure functions of the report
(:data:`MUTATION_WRITERS`), chosen by ``--format`` / ``--write FORMAT=FILE`` as for ``check``.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections.abc import Callable, Iterator
from typing import Any
from xml.etree import ElementTree as ET

from comfy_contract.core.codes import lookup
from comfy_contract.core.version import __version__
from comfy_contract.fuzz.mutate import ConfigOutcome, MutantResult, MutationReport, mutation_json, mutation_text
from comfy_contract.report.github import escape_data, escape_property
from comfy_contract.report.sarif import SARIF_SCHEMA

__all__ = ["MUTATION_FORMATS", "MUTATION_WRITERS", "render_mutation"]

CODE = "F003"


def _pct(score: float | None) -> str:
    return f"{score:.0%}" if score is not None else "-"


def _summary(report: MutationReport) -> str:
    return (f"{len(report.results)} mutants in {report.seconds:.1f}s ({report.rate:.1f}/s): "
            f"{report.count('killed')} killed, {report.count('survived')} survived, "
            f"{report.count('equivalent')} equivalent; mutation score {_pct(report.score)}, seed {report.seed}")


def _survived(report: MutationReport) -> Iterator[tuple[MutantResult, ConfigOutcome]]:
    for r in report.survivors:
        for o in r.outcomes:
            if o.verdict == "survived":
                yield r, o


def _where(report: MutationReport, r: MutantResult) -> tuple[str, int | None]:
    edit = report.edit(r)
    return (edit.file, edit.line) if edit is not None else (r.mutant.file, None)


def _message(report: MutationReport, r: MutantResult, o: ConfigOutcome) -> str:
    m = r.mutant
    text = (f"Edit {m.description!r} ({m.operator}) at {m.path} changes what {o.config!r} submits and the gate "
            f"(--fail-on {report.fail_on}) reports nothing new.\n{o.diff}\nSuggested fix: {o.fix}")
    command = report.replay(r)
    return text + (f"\nReplay with: {command}" if command else "")


# --- JUnit ---------------------------------------------------------------------------------------------
def mutation_junit(report: MutationReport) -> str:
    """One test case per config (``mutation.<config>``), failing while an edit of it survives."""
    by_config: dict[str, list[tuple[MutantResult, ConfigOutcome]]] = {}
    for r, o in _survived(report):
        by_config.setdefault(o.config, []).append((r, o))
    scores = [c for c in report.per_config() if c.killed + c.survived]
    failures = sum(1 for c in scores if c.survived)
    root = ET.Element("testsuites", name="comfy-contract hunt --mutate", tests=str(len(scores)),
                      failures=str(failures), errors="0", time=f"{report.seconds:.3f}")
    suite = ET.SubElement(root, "testsuite", name="comfy-contract.mutation", tests=str(len(scores)),
                          failures=str(failures), errors="0", skipped="0", time=f"{report.seconds:.3f}")
    props = ET.SubElement(suite, "properties")
    for name, value in (("mutation_score", _pct(report.score)), ("mutants", len(report.results)),
                        ("killed", report.count("killed")), ("survived", report.count("survived")),
                        ("equivalent", report.count("equivalent")), ("seed", report.seed),
                        ("fail_on", report.fail_on)):
        ET.SubElement(props, "property", name=name, value=str(value))
    for c in scores:
        case = ET.SubElement(suite, "testcase", classname="mutation", name=c.config, time="0")
        found = by_config.get(c.config, [])
        if found:
            failure = ET.SubElement(case, "failure", type=CODE,
                                    message=f"{len(found)} edit(s) survive: mutation score {_pct(c.score)}")
            failure.text = "\n\n".join(f"{_where(report, r)[0]}: " + _message(report, r, o) for r, o in found)
        out = ET.SubElement(case, "system-out")
        out.text = (f"mutation score {_pct(c.score)}: {c.killed} killed / {c.killed + c.survived} non-equivalent, "
                    f"{c.equivalent} equivalent")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# --- SARIF ---------------------------------------------------------------------------------------------
def mutation_sarif(report: MutationReport) -> str:
    """SARIF 2.1.0: one result (rule F003) per surviving (edit, config), located at the edited line; the
    scores are the run's ``properties``."""
    code = lookup(CODE)
    results: list[dict[str, Any]] = []
    for r, o in _survived(report):
        file, line = _where(report, r)
        physical: dict[str, Any] = {"artifactLocation": {"uri": file, "uriBaseId": "PROJECTROOT"}}
        if line:
            physical["region"] = {"startLine": line}
        print_ = hashlib.sha256("\0".join((*r.mutant.key, o.config)).encode("utf-8")).hexdigest()[:32]
        results.append({
            "ruleId": CODE, "ruleIndex": 0, "level": "error",
            "message": {"text": _message(report, r, o)},
            "locations": [{"physicalLocation": physical,
                           "logicalLocations": [{"name": o.config, "kind": "module"}]}],
            "partialFingerprints": {"comfyContractMutant/v1": print_},
            "properties": {"operator": r.mutant.operator, "pointer": r.mutant.path, "config": o.config,
                           "suggestedFix": o.fix, "replay": report.replay(r)},
        })
    data = {
        "$schema": SARIF_SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "comfy-contract", "version": __version__,
                "informationUri": "https://pypi.org/project/comfy-contract/",
                "rules": [{"id": code.code, "name": code.name, "shortDescription": {"text": code.title},
                           "fullDescription": {"text": code.explanation},
                           "defaultConfiguration": {"level": "error"}}]}},
            "automationDetails": {"id": f"comfy-contract/hunt-mutate/seed-{report.seed}"},
            "results": results,
            "properties": {"mutationScore": report.score, "mutants": len(report.results),
                           "killed": report.count("killed"), "survived": report.count("survived"),
                           "equivalent": report.count("equivalent"), "seed": report.seed,
                           "configs": [c.to_dict() for c in report.per_config()]},
        }],
    }
    return json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n"


# --- Markdown ------------------------------------------------------------------------------------------
def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def mutation_markdown(report: MutationReport) -> str:
    lines = ["## comfy-contract hunt --mutate", "", f"**Mutation score {_pct(report.score)}** - {_summary(report)}.",
             "", "| config | score | killed | survived | equivalent |", "|---|---:|---:|---:|---:|"]
    for c in report.per_config():
        lines.append(f"| `{_md(c.config)}` | {_pct(c.score)} | {c.killed} | {c.survived} | {c.equivalent} |")
    survived = list(_survived(report))
    if survived:
        lines += ["", f"### {len(report.survivors)} surviving edit(s) ({CODE})", ""]
    for r, o in survived:
        file, line = _where(report, r)
        at = f"{file}:{line}" if line else file
        lines.append(f"- **`{_md(o.config)}`**: `{_md(at)}` `{_md(r.mutant.path)}` - {_md(r.mutant.description)} "
                     f"({r.mutant.operator})")
        lines.append(f"  - suggested fix: {_md(o.fix)}")
        if (command := report.replay(r)) is not None:
            lines.append(f"  - replay: `{command}`")
        if o.diff:
            lines += ["", "  <details><summary>graph diff</summary>", "", "  ```text",
                      *(f"  {d}" for d in o.diff.splitlines()), "  ```", "  </details>", ""]
    return "\n".join(lines) + "\n"


# --- GitHub Actions ------------------------------------------------------------------------------------
def mutation_github(report: MutationReport) -> str:
    """``::error`` per surviving (edit, config) at the edited file and line; ``::notice`` with the scores."""
    lines = []
    for r, o in _survived(report):
        file, line = _where(report, r)
        props = [f"file={escape_property(file)}"] + ([f"line={line}"] if line else [])
        props.append(f"title={escape_property(f'{CODE} mutant survived ({o.config})')}")
        lines.append(f"::error {','.join(props)}::{escape_data(_message(report, r, o))}")
    per = "\n".join(f"{c.config}: {_pct(c.score)} ({c.killed} killed / {c.killed + c.survived}, "
                    f"{c.equivalent} equivalent)" for c in report.per_config() if c.killed + c.survived)
    lines.append(f"::notice title=comfy-contract mutation score per config::{escape_data(per or 'no mutants')}")
    lines.append(f"::notice title=comfy-contract hunt --mutate::{escape_data(_summary(report))}")
    return "\n".join(lines) + "\n"


# --- HTML ----------------------------------------------------------------------------------------------
_STYLE = ("body{font-family:system-ui,sans-serif;margin:2em;max-width:70em}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}td:first-child{text-align:left}"
          "pre{background:#f6f6f6;padding:.6em;overflow-x:auto}.survived{color:#a00}")


def mutation_html(report: MutationReport) -> str:
    e = html.escape
    rows = "".join(f"<tr><td><code>{e(c.config)}</code></td><td>{_pct(c.score)}</td><td>{c.killed}</td>"
                   f"<td class=\"survived\">{c.survived}</td><td>{c.equivalent}</td></tr>"
                   for c in report.per_config())
    items = []
    for r, o in _survived(report):
        file, line = _where(report, r)
        at = f"{file}:{line}" if line else file
        command = report.replay(r)
        edit = report.edit(r)
        items.append(
            f"<li><p><strong>{e(o.config)}</strong>: <code>{e(at)}</code> <code>{e(r.mutant.path)}</code> - "
            f"{e(r.mutant.description)} ({e(r.mutant.operator)})</p>"
            f"<p>Suggested fix: {e(o.fix)}</p>"
            + (f"<p>Replay with: <code>{e(command)}</code></p>" if command else "")
            + (f"<pre>{e(o.diff)}</pre>" if o.diff else "")
            + (f"<details><summary>file diff</summary><pre>{e(edit.file_diff)}</pre></details>"
               if edit is not None and edit.file_diff else "")
            + "</li>")
    survivors = (f"<h2>{len(report.survivors)} surviving edit(s) ({CODE})</h2><ol>{''.join(items)}</ol>"
                 if items else "<p>No edit survived.</p>")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>comfy-contract hunt --mutate: {_pct(report.score)}</title><style>{_STYLE}</style></head><body>"
            f"<h1>comfy-contract hunt --mutate</h1><p><strong>Mutation score {_pct(report.score)}</strong> - "
            f"{e(_summary(report))}</p><table><thead><tr><th>config</th><th>score</th><th>killed</th>"
            f"<th>survived</th><th>equivalent</th></tr></thead><tbody>{rows}</tbody></table>{survivors}"
            "</body></html>\n")


MUTATION_WRITERS: dict[str, Callable[[MutationReport], str]] = {
    "text": mutation_text,
    "json": mutation_json,
    "junit": mutation_junit,
    "sarif": mutation_sarif,
    "markdown": mutation_markdown,
    "github": mutation_github,
    "html": mutation_html,
}
MUTATION_FORMATS: tuple[str, ...] = tuple(MUTATION_WRITERS)


def render_mutation(report: MutationReport, fmt: str) -> str:
    return MUTATION_WRITERS[fmt](report)
