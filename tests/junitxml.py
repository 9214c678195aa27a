"""The Jenkins junit-10.xsd model, checked strictly (elements, attributes, types, counts): what every JUnit
writer of comfy-contract must produce (check reports and mutation reports)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

ALLOWED = {
    "testsuites": ({"name", "tests", "failures", "errors", "time", "disabled"}, {"testsuite"}),
    "testsuite": ({"name", "tests", "failures", "errors", "skipped", "time", "timestamp", "hostname", "id",
                   "package", "disabled"}, {"properties", "testcase", "system-out", "system-err"}),
    "testcase": ({"name", "classname", "time", "assertions", "status"},
                 {"skipped", "error", "failure", "system-out", "system-err"}),
    "failure": ({"message", "type"}, set()),
    "error": ({"message", "type"}, set()),
    "system-out": (set(), set()),
    "properties": (set(), {"property"}),
    "property": ({"name", "value"}, set()),
}


def assert_strict_junit(element: ET.Element) -> None:
    """Fail unless ``element`` and everything under it fit the model."""
    attrs, children = ALLOWED[element.tag]
    assert set(element.attrib) <= attrs, (element.tag, element.attrib)
    for child in element:
        assert child.tag in children, (element.tag, child.tag)
        assert_strict_junit(child)
    for key in ("tests", "failures", "errors", "skipped"):
        if key in element.attrib:
            assert int(element.attrib[key]) >= 0
    if "time" in element.attrib:
        assert float(element.attrib["time"]) >= 0
