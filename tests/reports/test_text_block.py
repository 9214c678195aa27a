"""The fixed text block: a multi-line message stays indented, and no ``expected: None`` line."""

from __future__ import annotations

from comfy_contract.core.findings import Finding, Severity
from comfy_contract.report.text import finding_block


def test_a_multiline_message_keeps_the_block_indentation_and_no_expected_none() -> None:
    finding = Finding(code="S002", message="drift: 1 change\n  * literal-changed  KSampler.steps\nIf intended, update.",
                      severity=Severity.ERROR, actual={"equal": False})
    block = finding_block(finding, context="config 'x', mode eco")
    lines = block.splitlines()
    assert all(line.startswith("  ") for line in lines[1:]), block
    assert "expected: None" not in block
    assert "  actual:   {'equal': False}" in lines
    assert "              * literal-changed  KSampler.steps" in lines
