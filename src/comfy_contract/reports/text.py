"""Plain-text rendering of findings and verdicts: the fixed block every front end prints."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from comfy_contract.codes import lookup
from comfy_contract.findings import Finding
from comfy_contract.verdict import Verdict

__all__ = ["finding_block", "verdict_text"]


def _short(value: Any, limit: int = 160) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def finding_block(finding: Finding, *, context: str | None = None, reproduce: str | None = None,
                  indent: str = "  ") -> str:
    """The fixed block for one finding: code and title, where, expected vs actual, next step."""
    entry = lookup(finding.code)
    lines = [f"{finding.code} {entry.name} [{finding.severity}] {entry.title}"]
    if context:
        lines.append(f"{indent}in:       {context}")
    where = []
    if finding.node_id is not None:
        where.append(f"node {finding.node_id!r}" + (f" ({finding.class_type})" if finding.class_type else ""))
    if finding.input:
        where.append(f"input {finding.input!r}")
    if finding.file:
        where.append(f"file {finding.file}")
    if finding.path:
        where.append(f"at {finding.path}")
    if where:
        lines.append(f"{indent}where:    {', '.join(where)}")
    lines.append(f"{indent}message:  {finding.message}")
    if finding.expected is not None or finding.actual is not None:
        lines.append(f"{indent}expected: {_short(finding.expected)}")
        lines.append(f"{indent}actual:   {_short(finding.actual)}")
    if finding.comfyui is not None and finding.code.startswith("V"):
        c = finding.comfyui
        lines.append(f"{indent}comfyui:  type={c.get('type')!r} details={_short(c.get('details'), 200)}")
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
    return "\n".join(blocks)


def _indent(text: str, prefix: str = "  ") -> str:
    return "\n".join(prefix + line for line in text.splitlines())


def findings_text(findings: Iterable[Finding]) -> str:
    return "\n".join(finding_block(f) for f in findings)
