"""What every report format shares: grouping a report's findings and the config × backend table.

A lint finding that is the same on every backend, or in both modes, is one problem, not one per result:
:func:`problems` groups identical findings of one (config, check) and lists the modes and backends they
occur in.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from comfy_contract.check.results import ANY_BACKEND, PROJECT, CheckResult, Location, Report
from comfy_contract.core.codes import lookup
from comfy_contract.core.findings import Finding, Severity

__all__ = ["Cell", "Problem", "cell", "context", "era_line", "era_lines", "problems", "redundant", "rows"]


@dataclass(frozen=True)
class Problem:
    """One finding, with every result it occurs in (same config, mode and check; several backends)."""

    finding: Finding
    location: Location | None
    results: tuple[CheckResult, ...]

    @property
    def first(self) -> CheckResult:
        return self.results[0]

    @property
    def backends(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.backend for r in self.results))

    @property
    def modes(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(r.mode for r in self.results))

    def where(self) -> str:
        r = self.first
        if r.config == PROJECT:
            return "project"
        return (f"config {r.config!r}, mode {', '.join(self.modes)}, backend {', '.join(self.backends)}, "
                f"check {r.check!r}")

    @property
    def reproduce(self) -> str | None:
        """The first result's command, without --mode/--backend when the finding occurs in several."""
        command = self.first.reproduce
        if len(self.modes) > 1:
            command = _without(command, "--mode")
        if len(self.backends) > 1:
            command = _without(command, "--backend")
        return command

    @property
    def title(self) -> str:
        return lookup(self.finding.code).title


def _without(command: str | None, flag: str) -> str | None:
    if command is None:
        return None
    parts = shlex.split(command)
    while flag in parts:
        i = parts.index(flag)
        del parts[i:i + 2]
    return shlex.join(parts)


def _key(result: CheckResult, finding: Finding) -> tuple[object, ...]:
    return (result.config, result.check, finding.code, finding.message, finding.node_id,
            finding.input, finding.path, finding.file, repr(finding.expected), repr(finding.actual))


def redundant(result: CheckResult, finding: Finding) -> bool:
    """V004 ("every output failed validation") restates the node errors listed with it: shown through
    them (their ``comfyui:`` line names the prompt-level error), not as a block of its own."""
    return finding.code == "V004" and any(f.code != "V004" and f.code.startswith("V") and f.node_id is not None
                                          for f in result.findings)


def problems(report: Report, *, only_failing: bool = False) -> tuple[Problem, ...]:
    """Every finding of ``report``, identical ones grouped across modes and backends, in report order."""
    groups: dict[tuple[object, ...], tuple[Finding, Location | None, list[CheckResult]]] = {}
    for result in report.results:
        if only_failing and result.status != "fail":
            continue
        for i, finding in enumerate(result.findings):
            if redundant(result, finding):
                continue
            key = _key(result, finding)
            if key in groups:
                if result not in groups[key][2]:
                    groups[key][2].append(result)
            else:
                groups[key] = (finding, result.location(i), [result])
    return tuple(Problem(f, loc, tuple(rs)) for f, loc, rs in groups.values())


def context(result: CheckResult) -> str:
    if result.config == PROJECT:
        return f"project, check {result.check!r}"
    return f"config {result.config!r}, mode {result.mode!r}, backend {result.backend!r}, check {result.check!r}"


@dataclass(frozen=True)
class Cell:
    status: str  # "pass" | "fail" | "error" | "n/a"
    codes: tuple[str, ...]

    def text(self, limit: int = 3) -> str:
        if self.status in ("pass", "n/a"):
            return self.status
        word = "FAIL" if self.status == "fail" else "ERROR"
        if not self.codes:
            return word
        shown = list(self.codes[:limit]) + (["..."] if len(self.codes) > limit else [])
        return f"{word} {','.join(shown)}"


def cell(results: Sequence[CheckResult], fail_on: Severity | None) -> Cell:
    """The state of one (config, mode, backend) from its results (backend-independent ones included)."""
    if not results:
        return Cell("n/a", ())
    statuses = {r.status for r in results}
    codes = tuple(sorted({f.code for r in results for f in r.findings
                          if fail_on is not None and f.severity.at_least(fail_on) and not redundant(r, f)}))
    if "error" in statuses:
        return Cell("error", codes)
    if "fail" in statuses:
        return Cell("fail", codes)
    no_workflow = not any(r.check in ("validate", "lint", "snapshot") for r in results)
    if no_workflow and any(f.code in ("R010", "R015") for r in results for f in r.findings):
        return Cell("n/a", ())
    return Cell("pass", ())


def rows(report: Report) -> list[tuple[str, str, dict[str, Cell]]]:
    """(config, mode, {backend: cell}) for every checked (config, mode), in report order."""
    index: dict[tuple[str, str], dict[str, list[CheckResult]]] = {}
    for r in report.results:
        if r.config == PROJECT:
            continue
        per = index.setdefault((r.config, r.mode), {})
        targets = report.backends if r.backend == ANY_BACKEND else (r.backend,)
        for b in targets or (ANY_BACKEND,):
            per.setdefault(b, []).append(r)
    out = []
    for (config, mode), per in index.items():
        cells = {b: cell(per.get(b, []), report.fail_on) for b in (report.backends or (ANY_BACKEND,))}
        out.append((config, mode, cells))
    return out


def era_lines(report: Report) -> list[str]:
    """One line per ComfyUI era the report's backends validated with (backends sharing one are listed
    together), e.g. ``ComfyUI era 0.3.75 for production, standalone: ComfyUI 0.3.48 - 0.3.75 (...), checked
    against a real server; selected by: ComfyUI 0.3.75, recorded in the catalog``."""
    groups: dict[tuple[str, str, str, str], list[str]] = {}
    for backend in report.backends:
        info = report.comfyui.get(backend)
        if info is not None:
            key = (str(info["era"]), str(info["label"]), str(info["evidence"]), str(info["reason"]))
            groups.setdefault(key, []).append(backend)
    return [era_line({"era": era, "label": label, "evidence": evidence, "reason": reason}, backends)
            for (era, label, evidence, reason), backends in groups.items()]


def era_line(info: Mapping[str, Any], backends: Sequence[str] | None) -> str:
    """``ComfyUI era <id> [for <backends>]: <label>, <evidence>; selected by: <reason>``."""
    how = "checked against a real server" if info["evidence"] == "server" else "modelled from source, no server run"
    where = f" for {', '.join(backends)}" if backends else ""
    return f"ComfyUI era {info['era']}{where}: {info['label']}, {how}; selected by: {info['reason']}"

