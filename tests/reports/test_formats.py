"""Every report format of one real check run, each validated against its own schema or a strict parser."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema

from comfy_contract.check.results import PROJECT, Report
from comfy_contract.core.codes import CODES
from comfy_contract.report.formats import FORMATS, render_report
from comfy_contract.report.github import escape_data, escape_property, report_github
from comfy_contract.report.json import report_data
from comfy_contract.report.junit import report_junit, xml_safe
from comfy_contract.report.markdown import report_markdown
from comfy_contract.report.sarif import sarif_data
from comfy_contract.report.text import report_text
from comfy_contract.validation.eras import ERAS
from junitxml import assert_strict_junit

REPO = Path(__file__).resolve().parents[2]


def _result(report: Report, config: str, mode: str, backend: str, check: str) -> Any:
    return next(r for r in report.results if r.key == (config, mode, backend, check))


def test_one_result_per_config_mode_backend_check(sample_report: Report) -> None:
    keys = [r.key for r in sample_report.results]
    assert len(keys) == len(set(keys))
    assert sample_report.backends == ("production", "standalone")
    assert sample_report.exit_code == 1
    # seeded defects land on the right backend
    assert _result(sample_report, "sd35_large", "eco", "production", "validate").status == "pass"
    standalone = _result(sample_report, "sd35_large", "eco", "standalone", "validate")
    assert standalone.status == "fail"
    assert {f.code for f in standalone.findings} >= {"V018"}
    fusion = _result(sample_report, "vector_fusion_spherical", "eco", "standalone", "validate")
    assert [f.code for f in fusion.findings] == ["V002"]
    assert _result(sample_report, "sd35_large_turbo", "eco", "any", "render").status == "fail"
    assert not any(r.config == "haiku" and r.check == "validate" for r in sample_report.results)


def test_the_baseline_accepts_and_reports_stale_entries(sample_report: Report) -> None:
    sdxl = _result(sample_report, "sdxl_base", "eco", "production", "validate")
    assert [f.code for f in sdxl.accepted] == ["V004", "V016"]  # V004 only restated the node error
    assert sdxl.status == "pass"
    assert not sdxl.findings
    other = _result(sample_report, "sdxl_base", "eco", "standalone", "validate")
    assert "V016" in {f.code for f in other.findings}  # the entry names production only
    baseline = _result(sample_report, PROJECT, PROJECT, "any", "baseline")
    assert [f.code for f in baseline.findings] == ["B001"]
    assert baseline.locations[0] is not None
    assert baseline.locations[0].file == "comfy-contract-baseline.yaml"


def test_json_report_matches_its_schema(sample_report: Report) -> None:
    schema = json.loads((REPO / "contracts" / "schemas" / "check-report.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    data = json.loads(render_report(sample_report, "json"))
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data == json.loads(json.dumps(report_data(sample_report)))
    assert data["summary"]["exit_code"] == 1
    v018 = next(f for r in data["results"] for f in r["findings"] if f["code"] == "V018")
    assert v018["comfyui"]["type"] == "value_not_in_list"
    assert v018["location"]["file"] == "schemas/chunks/output_image_sd35_large.json"
    assert v018["location"]["pointer"] == "/workflow/4/inputs/ckpt_name"


def test_sarif_is_valid_sarif_2_1_0(sample_report: Report, sarif_schema: dict[str, Any]) -> None:
    text = render_report(sample_report, "sarif")
    data = json.loads(text)
    jsonschema.Draft4Validator(sarif_schema).validate(data)
    run = data["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == list(CODES)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    fingerprints = [r["partialFingerprints"]["comfyContract/v1"] for r in run["results"] if "suppressions" not in r]
    assert len(fingerprints) == len(set(fingerprints))


def test_sarif_points_at_the_file_and_line_that_caused_the_finding(sample_report: Report,
                                                                   sample_app: Path) -> None:
    data = sarif_data(sample_report)
    results = data["runs"][0]["results"]
    steps = next(r for r in results if r["ruleId"] == "V015")
    loc = steps["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "schemas/chunks/output_image_sd35_turbo.json"
    line = (sample_app / "schemas/chunks/output_image_sd35_turbo.json").read_text("utf-8").splitlines()[
        loc["region"]["startLine"] - 1]
    assert '"steps"' in line
    pop = next(r for r in results if r["ruleId"] == "R008" and "pop_art" in r["message"]["text"])
    assert pop["locations"][0]["physicalLocation"]["region"]["startLine"] == 25
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["V004", "V016"]
    assert all(r["level"] in ("error", "warning", "note") for r in results)


def test_junit_is_strict_junit_xml(sample_report: Report) -> None:
    text = report_junit(sample_report)
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert_strict_junit(root)
    suites = list(root)
    assert int(root.attrib["tests"]) == sum(int(s.attrib["tests"]) for s in suites) == len(sample_report.results)
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.attrib["tests"]) == len(cases)
        assert int(suite.attrib["failures"]) == sum(c.find("failure") is not None for c in cases)
        assert int(suite.attrib["errors"]) == sum(c.find("error") is not None for c in cases)
    names = [c.attrib["name"] for c in root.iter("testcase")]
    assert "test_contract[sd35_large-eco-standalone-validate]" in names
    failure = next(c for c in root.iter("testcase")
                   if c.attrib["name"] == "test_contract[sd35_large-eco-standalone-validate]").find("failure")
    assert failure is not None
    assert failure.attrib["type"] == "V018"
    assert "Reproduce with: comfy-contract check --config sd35_large --mode eco --backend standalone" in (
        failure.text or "")


def test_xml_safe_escapes_what_xml_cannot_carry() -> None:
    assert xml_safe("a\x00b\x1bc é\n") == "a\\x00b\\x1bc é\n"
    ET.fromstring(f"<a>{xml_safe(chr(0) + chr(8))}</a>")


def test_text_report_has_the_table_and_fixed_blocks(sample_report: Report) -> None:
    text = report_text(sample_report)
    lines = text.splitlines()
    header = next(line for line in lines if line.startswith("config"))
    assert header.split() == ["config", "mode", "production", "standalone"]
    row = next(line for line in lines if line.startswith("sd35_large ") and " eco " in line)
    assert row.split()[2:4] == ["FAIL", "S001"] or "pass" in row
    assert "V018 value-not-in-list [error]" in text
    block = text[text.index("V018 value-not-in-list"):].split("\n\n")[0]
    assert "in:       config 'bauhaus', mode eco, backend standalone, check 'validate'" in block
    assert "where:    node '4' (CheckpointLoaderSimple), input 'ckpt_name'" in block
    assert "file:     schemas/chunks/output_image_sd35_large.json:" in block
    assert "expected:" in block
    assert "actual:   'OfficialStableDiffusion/sd3.5_large.safetensors'" in block
    assert "comfyui:  HTTP 400 prompt_outputs_failed_validation, type='value_not_in_list'" in block
    assert "Reproduce with: comfy-contract check --config bauhaus --mode eco --backend standalone" in block
    assert lines[-1] == "exit 1: findings at or above 'error' (--fail-on)"


def test_markdown_lists_failing_rows_and_findings(sample_report: Report) -> None:
    md = report_markdown(sample_report)
    assert md.startswith("### ❌ **comfy-contract**:")
    assert "| config | mode | production | standalone |" in md
    assert "| `sdxl_dualclip` |" not in md  # passing rows stay out of the PR comment
    assert "<details><summary>" in md
    assert md.rstrip().endswith("</details>")


def test_github_annotations_are_escaped_workflow_commands(sample_report: Report) -> None:
    lines = report_github(sample_report).splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    v018 = next(line for line in lines if "title=V018" in line)
    assert v018.startswith("::error file=schemas/chunks/output_image_sd35_large.json,line=")
    assert "\n" not in v018
    assert "%0AReproduce with: comfy-contract check" in v018
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert escape_data("50%\r\n") == "50%25%0D%0A"


def test_every_format_renders(sample_report: Report) -> None:
    assert set(FORMATS) == {"text", "json", "junit", "sarif", "markdown", "github", "html"}
    for fmt in FORMATS:
        assert render_report(sample_report, fmt).endswith("\n")


def test_every_format_names_the_comfyui_era_of_each_backend(sample_report: Report) -> None:
    label = ERAS["0.3.75"].label
    era = f"ComfyUI era 0.3.75 for production, standalone: {label}, checked against a real server; selected by: " \
          "ComfyUI 0.3.75, recorded in the catalog"
    assert report_text(sample_report).splitlines()[1] == era
    assert f"{era}." in report_markdown(sample_report)
    assert f"::notice title=comfy-contract ComfyUI era::{escape_data(era)}" in report_github(sample_report)
    recorded = {"era": "0.3.75", "label": label, "evidence": "server",
                "comfyui_version": "0.3.75", "reason": "ComfyUI 0.3.75, recorded in the catalog", "exact": True}
    assert report_data(sample_report)["summary"]["comfyui"] == {"production": recorded, "standalone": recorded}
    assert sarif_data(sample_report)["runs"][0]["properties"]["summary"]["comfyui"]["standalone"] == recorded
    suites = ET.fromstring(report_junit(sample_report))
    for suite in suites:
        props = {p.get("name"): p.get("value") for p in suite.find("properties") or ()}
        assert props["comfyui.era.production"] == "0.3.75 (ComfyUI 0.3.75, recorded in the catalog)"
    assert era in render_report(sample_report, "html")
