"""Contract rule ``submits_workflow`` (C008): a config that must submit a ComfyUI workflow and submits none
(issue 16: the edit that makes 14 configs silently submit nothing)."""

from __future__ import annotations

from pathlib import Path

from comfy_contract.check.contracts import ContractSet
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.render.model import Rendered, Submission


def _contracts(tmp_path: Path, body: str) -> ContractSet:
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "c.yaml").write_text(body, encoding="utf-8")
    contracts = ContractSet.load(folder, root=tmp_path)
    assert not contracts.problems, contracts.problems
    return contracts


def test_a_config_that_stops_submitting_breaks_submits_workflow(tmp_path: Path) -> None:
    contracts = _contracts(tmp_path, "contracts:\n  - match: 'bau*'\n    submits_workflow: true\n")
    route = Finding("R010", "chunk 'output_image' has no backend_type: text only", severity=Severity.INFO)
    text = Rendered("bauhaus", "eco", "text", findings=(route,), config_file="configs/bauhaus.json")
    (found,) = contracts.check_rendered(text)
    assert (found.code, found.severity, found.expected, found.actual) == ("C008", Severity.ERROR,
                                                                         "a ComfyUI workflow", "text")
    assert "submits no ComfyUI workflow" in found.message
    assert "no backend_type" in found.message  # the route's reason is quoted
    assert "narrow the contract's `match`" in found.message  # what to do
    assert found.file == "configs/bauhaus.json"
    # other configs, a workflow outcome and an error outcome (left to its R finding) are not C008
    assert contracts.check_rendered(Rendered("dada", "eco", "text")) == ()
    sub = Submission({"9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x", "images": ["8", 0]}}})
    assert [f.code for f in contracts.check_rendered(Rendered("bauhaus", "eco", "workflow", (sub,)))] == []
    assert contracts.check_rendered(Rendered("bauhaus", "eco", "error")) == ()


def test_without_the_rule_a_contract_that_expects_no_workflow_says_nothing(tmp_path: Path) -> None:
    contracts = _contracts(tmp_path, "contracts:\n  - match: '*'\n    forbid_classes: [PreviewImage]\n")
    assert contracts.check_rendered(Rendered("bauhaus", "eco", "text")) == ()
    # and the older way (required classes) stays C002
    (tmp_path / "b").mkdir()
    required = _contracts(tmp_path / "b", "contracts:\n  - match: '*'\n    require_classes: [SaveImage]\n")
    assert [f.code for f in required.check_rendered(Rendered("bauhaus", "eco", "api"))] == ["C002"]


def test_submits_workflow_must_be_a_boolean(tmp_path: Path) -> None:
    folder = tmp_path / "contracts"
    folder.mkdir()
    (folder / "c.yaml").write_text("contracts:\n  - match: '*'\n    submits_workflow: yes please\n", encoding="utf-8")
    problems = ContractSet.load(folder, root=tmp_path).problems
    assert [p.code for p in problems] == ["C006"]
