"""JUnit XML (``--format junit``): one ``<testsuite>`` per check, one ``<testcase>`` per result.

The document follows the schema CI systems read (Jenkins' ``junit-10.xsd``, which GitLab, Azure Pipelines
and the common GitHub actions accept): ``testsuites > testsuite > testcase > failure|error``. A failing
result's ``<failure>`` carries the same fixed blocks as the text report.
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

from comfy_contract.check.engine import CHECK_NAMES
from comfy_contract.check.results import PROJECT, CheckResult, Report
from comfy_contract.core.findings import Severity
from comfy_contract.core.safetext import printable
from comfy_contract.report.common import redundant
from comfy_contract.report.text import finding_block, response_line

__all__ = ["report_junit", "xml_safe"]

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry, control characters and bidi overrides (shown as
    ``\\xNN`` escapes instead): CI pages show test names from the repository."""
    return _NOT_XML.sub(lambda m: m.group(0).encode("unicode_escape").decode("ascii"), printable(text))


def _classname(result: CheckResult) -> str:
    if result.config == PROJECT:
        return "comfy_contract.project"
    return xml_safe(f"comfy_contract.{result.config}.{result.mode}")


def _body(result: CheckResult, threshold: Severity) -> str:
    blocks = []
    for i, finding in enumerate(result.findings):
        if finding.severity.at_least(threshold):
            blocks.append(finding_block(finding, reproduce=result.reproduce, location=result.location(i),
                                        response=response_line(result, finding)))
    return "\n\n".join(blocks)


def report_junit(report: Report) -> str:
    threshold = report.fail_on or Severity.WARNING
    root = ET.Element("testsuites", name="comfy-contract")
    totals = {"tests": 0, "failures": 0, "errors": 0}
    total_time = 0.0
    order = [c for c in CHECK_NAMES if any(r.check == c for r in report.results)]
    order += sorted({r.check for r in report.results} - set(order))
    for check in order:
        results = [r for r in report.results if r.check == check]
        suite_time = sum(r.duration_s for r in results)
        suite = ET.SubElement(root, "testsuite", {
            "name": f"comfy-contract.{check}",
            "tests": str(len(results)),
            "failures": str(sum(r.status == "fail" for r in results)),
            "errors": str(sum(r.status == "error" for r in results)),
            "skipped": "0",
            "time": f"{suite_time:.6f}",
        })
        for result in results:
            case = ET.SubElement(suite, "testcase", {
                "name": xml_safe(f"test_contract[{result.id}]"),
                "classname": _classname(result),
                "time": f"{result.duration_s:.6f}",
            })
            if result.status == "fail":
                counted = [f for f in result.findings if f.severity.at_least(threshold) and not redundant(result, f)]
                head = counted[0] if counted else result.findings[0]
                failure = ET.SubElement(case, "failure", {
                    "message": xml_safe(f"{head.code} {head.message}"
                                        + (f" (+{len(counted) - 1} more)" if len(counted) > 1 else "")),
                    "type": head.code,
                })
                failure.text = xml_safe(_body(result, threshold))
            elif result.status == "error":
                error = ET.SubElement(case, "error", {"message": xml_safe(result.error or "check could not run"),
                                                      "type": "comfy-contract-error"})
                error.text = xml_safe(f"{result.error}\nReproduce with: {result.reproduce}")
            elif result.findings:
                out = ET.SubElement(case, "system-out")
                out.text = xml_safe(_body(result, Severity.INFO))
        totals["tests"] += len(results)
        totals["failures"] += int(suite.get("failures", "0"))
        totals["errors"] += int(suite.get("errors", "0"))
        total_time += suite_time
    if report.comfyui or report.selection_note:  # JUnit has properties per testsuite only: these go first
        props = ET.Element("properties")
        if report.selection_note:  # e.g. the shard of a CI matrix job
            ET.SubElement(props, "property", {"name": "comfy-contract.selection",
                                               "value": xml_safe(report.selection_note)})
        for backend, info in report.comfyui.items():
            ET.SubElement(props, "property", {"name": f"comfyui.era.{xml_safe(backend)}",
                                               "value": xml_safe(f"{info['era']} ({info['reason']})")})
        for suite in root:
            suite.insert(0, copy.deepcopy(props))
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{total_time:.6f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
