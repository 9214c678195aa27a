"""The 2026 era (ComfyUI 0.4 - 0.38), modelled from source: each test is a case the source states or
one of its own tests (``tests-unit/execution_test/dynamic_inputs_test.py``, ``tests/execution/
test_execution.py::test_cycle_error``) turned into ``/object_info`` entries. No server of this era can be
run offline (reference §5), so these cases are the evidence; links to the source lines are in
``comfy_contract.validation.eras.era_2026``.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from comfy_contract import Catalog, validate, validate_request
from comfy_contract.validation.eras import ERAS
from conftest import CATALOGS

FLOAT_X = {"required": {"x": ["FLOAT", {}]}}
V3 = {"deprecated": False, "experimental": False, "api_node": False, "is_input_list": False,
      "output_matchtypes": None, "price_badge": None}


def _node(inputs: dict[str, Any], outputs: list[Any], *, output_node: bool = False) -> dict[str, Any]:
    return {"input": inputs, "output": outputs, "output_is_list": [False] * len(outputs),
            "output_name": [str(o) for o in outputs], "output_node": output_node, "python_module": "custom",
            "category": "test", "input_order": {k: list(v) for k, v in inputs.items()}, **V3}


CUSTOM: dict[str, Any] = {
    # dynamic_inputs_test.py's shapes, as get_v1_info serialises them
    "Group": _node({"required": {"rows": ["COMFY_DYNAMICGROUP_V3", {"template": FLOAT_X, "min": 0, "max": 20,
                                                                      "group_name": "Group"}],
                                 "ignored": ["FLOAT", {}]}}, [], output_node=True),
    "Grow": _node({"required": {"rows": ["COMFY_AUTOGROW_V3", {"template": {
        "input": {"required": {"x": ["FLOAT", {"forceInput": True}]}}, "prefix": "item", "min": 1, "max": 3}}]}},
        [], output_node=True),
    "Pick": _node({"required": {"rows": ["COMFY_DYNAMICCOMBO_V3", {"options": [
        {"key": "on", "inputs": FLOAT_X},
        {"key": "nested", "inputs": {"required": {"items": ["COMFY_DYNAMICGROUP_V3", {"template": FLOAT_X}]}}},
    ]}]}}, [], output_node=True),
    "Source": _node({"required": {"value": ["FLOAT", {}]}}, ["FLOAT"]),
    "Match": _node({"required": {"a": ["COMFY_MATCHTYPE_V3", {"template": {"template_id": "T"}}]}}, [],
                   output_node=True),
    "Remote": _node({"required": {"voice": ["COMBO", {"remote_combo": {"route": "/voices"}}]}}, [],
                    output_node=True),
    "Multi": _node({"required": {"tags": ["COMBO", {"multiselect": True, "options": ["a", "b"]}]}}, [],
                   output_node=True),
    "Bare": _node({"required": {"choice": ["COMBO", {}]}}, [], output_node=True),
}


@pytest.fixture(scope="module")
def catalog_2026() -> Catalog:
    """The stock 0.3.75 classes in the 2026 ``/object_info`` format, plus v3 nodes of 2026."""
    info = json.loads((CATALOGS / "comfyui-0.3.75.json").read_text())["object_info"]
    for entry in info.values():
        entry.setdefault("is_input_list", False)
        entry.setdefault("has_intermediate_output", False)
    info.update(copy.deepcopy(CUSTOM))
    replacements = {
        "OldLatent": [{"old_node_id": "OldLatent", "new_node_id": "EmptyLatentImage",
                       "input_mapping": [{"new_id": "width", "old_id": "w"}, {"new_id": "height", "set_value": 64},
                                         {"new_id": "batch_size", "set_value": 1}],
                       "output_mapping": [{"old_idx": 3, "new_idx": 0}]}],
        "Gone": [{"old_node_id": "Gone", "new_node_id": "NotInstalledEither"}],
    }
    return Catalog.from_object_info(info, node_replacements=replacements)


def latent(**width: Any) -> dict[str, Any]:
    return {
        "1": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1, **width}},
        "2": {"class_type": "SaveLatent", "inputs": {"samples": ["1", 0], "filename_prefix": "t"}},
    }


def errors(verdict: Any, node: str) -> list[dict[str, Any]]:
    return [dict(e) for e in verdict.node_errors[node]["errors"]]


def test_a_2026_format_catalog_is_validated_with_the_2026_table(catalog_2026: Catalog) -> None:
    assert catalog_2026.era is ERAS["2026"]
    assert catalog_2026.era.evidence == "source"
    assert validate(latent(), catalog_2026).status == 200


# -- missing_node_type (PR #12194) ------------------------------------------------------------------

@pytest.mark.parametrize(
    ("node", "message", "extra"),
    [
        ({"inputs": {}, "_meta": {"title": "My loader"}},
         "Node 'My loader' has no class_type. The workflow may be corrupted or a custom node is missing.",
         {"node_id": "9", "class_type": None, "node_title": "My loader"}),
        ({"inputs": {}}, "Node 'ID #9' has no class_type. The workflow may be corrupted or a custom node is missing.",
         {"node_id": "9", "class_type": None, "node_title": None}),
        ({"class_type": "Nope", "inputs": {}, "_meta": {"title": "Upscaler"}},
         "Node 'Upscaler' not found. The custom node may not be installed.",
         {"node_id": "9", "class_type": "Nope", "node_title": "Upscaler"}),
        ({"class_type": "Nope", "inputs": {}}, "Node 'Nope' not found. The custom node may not be installed.",
         {"node_id": "9", "class_type": "Nope", "node_title": "Nope"}),
    ],
)
def test_missing_node_type_names_the_node(catalog_2026: Catalog, node: dict[str, Any], message: str,
                                          extra: dict[str, Any]) -> None:
    verdict = validate({**latent(), "9": node}, catalog_2026)
    assert verdict.status == 400
    assert verdict.body["error"] == {"type": "missing_node_type", "message": message, "details": "Node ID '#9'",
                                     "extra_info": extra}
    assert verdict.body["node_errors"] == {}
    assert verdict.findings[0].code == ("V001" if extra["class_type"] is None else "V002")
    assert verdict.findings[0].node_id == "9"


def test_a_meta_that_is_not_an_object_is_a_server_error(catalog_2026: Catalog) -> None:
    verdict = validate({**latent(), "9": {"inputs": {}, "_meta": "x"}}, catalog_2026)
    assert verdict.status == 500
    assert verdict.findings[0].code == "V006"


# -- dependency_cycle (PR #13169) ---------------------------------------------------------------------

def test_a_cycle_is_reported_on_every_node_of_it(catalog_2026: Catalog, stock_catalog: Catalog) -> None:
    wf = {
        "1": {"class_type": "LatentUpscaleBy", "inputs": {"samples": ["2", 0], "upscale_method": "nearest-exact",
                                                          "scale_by": 1.5}},
        "2": {"class_type": "LatentUpscaleBy", "inputs": {"samples": ["1", 0], "upscale_method": "nearest-exact",
                                                          "scale_by": 1.5}},
        "3": {"class_type": "SaveLatent", "inputs": {"samples": ["2", 0], "filename_prefix": "t"}},
    }
    verdict = validate(wf, catalog_2026)
    assert verdict.status == 400
    path = "2 (LatentUpscaleBy) -> 1 (LatentUpscaleBy) -> 2 (LatentUpscaleBy)"
    assert set(verdict.node_errors) == {"1", "2"}
    for node in ("1", "2"):
        assert errors(verdict, node) == [{"type": "dependency_cycle", "message": "Dependency cycle detected",
                                          "details": path, "extra_info": {"node_id": node, "cycle_nodes": ["2", "1"]}}]
    assert verdict.body["error"]["details"] == ""  # the output itself (3) carries no reason
    assert {f.code for f in verdict.findings} == {"V004", "V020"}
    # before April 2026 the same graph failed with no node errors at all (measured on 0.3.75)
    old = validate(wf, stock_catalog)
    assert (old.status, old.body["node_errors"], old.body["error"]["details"]) == (400, {}, "")


def test_a_self_loop_keeps_the_nodes_own_errors(catalog_2026: Catalog) -> None:
    wf = {"1": {"class_type": "LatentUpscaleBy", "inputs": {"samples": ["1", 0], "upscale_method": "nope",
                                                            "scale_by": 1.5}},
          "2": {"class_type": "SaveLatent", "inputs": {"samples": ["1", 0], "filename_prefix": "t"}}}
    reasons = errors(validate(wf, catalog_2026), "1")
    assert [r["type"] for r in reasons] == ["dependency_cycle", "value_not_in_list"]
    assert reasons[0]["details"] == "1 (LatentUpscaleBy) -> 1 (LatentUpscaleBy)"


# -- combos (PR #11345, #13484) -----------------------------------------------------------------------

def _compare(mode: Any) -> dict[str, Any]:
    return {"1": {"class_type": "StringCompare", "inputs": {"string_a": "a", "string_b": "b", "mode": mode,
                                                            "case_sensitive": True}},
            "2": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}


def test_v3_combo_values_are_checked_against_their_options(catalog_2026: Catalog, stock_catalog: Catalog) -> None:
    verdict = validate(_compare("NOPE"), catalog_2026)
    reason = errors(verdict, "1")[0]
    assert reason["type"] == "value_not_in_list"
    assert reason["details"] == "mode: 'NOPE' not in ['Starts With', 'Ends With', 'Equal']"
    assert validate(_compare("Equal"), catalog_2026).status == 200
    assert validate(_compare("NOPE"), stock_catalog).status == 200  # 0.3.75 did not check COMBO inputs


def test_not_in_list_details_use_repr(catalog_2026: Catalog) -> None:
    reason = errors(validate(_compare(5), catalog_2026), "1")[0]
    assert reason["details"] == "mode: 5 not in ['Starts With', 'Ends With', 'Equal']"


def test_multiselect_checks_each_element_and_remote_combos_are_skipped(catalog_2026: Catalog) -> None:
    verdict = validate({"1": {"class_type": "Multi", "inputs": {"tags": {"__value__": ["a", "zz", "b", 7]}}}},
                       catalog_2026)
    assert errors(verdict, "1")[0]["details"] == "tags: 'zz', 7 not in ['a', 'b']"
    assert validate({"1": {"class_type": "Multi", "inputs": {"tags": {"__value__": ["b"]}}}}, catalog_2026).accepted
    assert validate({"1": {"class_type": "Remote", "inputs": {"voice": "anything"}}}, catalog_2026).accepted
    # a COMBO declared without options rejects every value (issue #11608 upstream)
    assert errors(validate({"1": {"class_type": "Bare", "inputs": {"choice": "x"}}}, catalog_2026),
                  "1")[0]["details"] == "choice: 'x' not in []"


# -- link matching (comfy_execution/validation.py) -----------------------------------------------------

def test_matchtype_and_explicit_star_match_anything(catalog_2026: Catalog) -> None:
    wf = {"1": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
          "2": {"class_type": "Match", "inputs": {"a": ["1", 0]}},
          "3": {"class_type": "PreviewAny", "inputs": {"source": ["1", 0]}}}
    verdict = validate(wf, catalog_2026)
    assert verdict.accepted
    assert not [f for f in verdict.findings if f.code == "V090"]  # `*` is explicit: nothing undecidable


# -- dynamic inputs (dynamic_inputs_test.py shapes) --------------------------------------------------------

@pytest.mark.parametrize(
    ("node", "inputs"),
    [
        ("Group", {"ignored": 4.0, "rows.2.x": 0.5}),  # sparse-group
        ("Group", {"ignored": 4.0}),  # empty-group
        ("Grow", {"rows.item0": ["s", 0]}),  # a linked autogrow slot (test_dynamic_lazy_inputs...)
        ("Pick", {"rows": "on", "rows.x": 0.5}),  # combo
        ("Pick", {"rows": "nested", "rows.items.0.x": 0.5}),  # nested-group
        ("Pick", {}),  # no selector: nothing is added, nothing fails at validation
    ],
)
def test_dynamic_inputs_the_source_accepts(catalog_2026: Catalog, node: str, inputs: dict[str, Any]) -> None:
    wf = {"s": {"class_type": "Source", "inputs": {"value": 1.0}}, "p": {"class_type": node, "inputs": inputs}}
    verdict = validate(wf, catalog_2026)
    assert verdict.accepted, verdict.body


@pytest.mark.parametrize(
    ("node", "inputs", "reason"),
    [
        ("Group", {"ignored": 1.0, "rows.02.x": 0.5},
         {"type": "invalid_dynamic_input", "message": "Invalid dynamic input",
          "details": "Invalid DynamicGroup input key 'rows.02.x'; expected 'rows.<index>.<template field>'.",
          "extra_info": {"input_name": "rows.02.x"}}),
        ("Group", {"ignored": 1.0, "rows.20.x": 0.5},
         {"type": "invalid_dynamic_input", "message": "Invalid dynamic input",
          "details": "DynamicGroup input 'rows.20.x' exceeds the index limit of 19 (max=20).",
          "extra_info": {"input_name": "rows.20.x"}}),
        ("Grow", {"rows.item1": ["s", 0]},  # min=1: item0 is required; details name only the last segment
         {"type": "required_input_missing", "message": "Required input is missing", "details": "item0",
          "extra_info": {"input_name": "rows.item0"}}),
        ("Pick", {"rows": "on"},
         {"type": "required_input_missing", "message": "Required input is missing", "details": "x",
          "extra_info": {"input_name": "rows.x"}}),
    ],
)
def test_dynamic_inputs_the_source_rejects(catalog_2026: Catalog, node: str, inputs: dict[str, Any],
                                           reason: dict[str, Any]) -> None:
    wf = {"s": {"class_type": "Source", "inputs": {"value": 1.0}}, "p": {"class_type": node, "inputs": inputs}}
    verdict = validate(wf, catalog_2026)
    assert verdict.status == 400
    assert errors(verdict, "p") == [reason]


def test_a_dynamic_slot_value_is_converted_like_any_float(catalog_2026: Catalog) -> None:
    wf = {"p": {"class_type": "Pick", "inputs": {"rows": "on", "rows.x": "abc"}}}
    assert errors(validate(wf, catalog_2026), "p")[0]["type"] == "invalid_input_type"


# -- node replacements (app/node_replace_manager.py) -----------------------------------------------------

def test_an_unknown_class_with_a_replacement_is_validated_as_its_replacement(catalog_2026: Catalog) -> None:
    wf = {"1": {"class_type": "OldLatent", "inputs": {"w": 64}},
          "2": {"class_type": "SaveLatent", "inputs": {"samples": ["1", 3], "filename_prefix": "t"}}}
    verdict = validate(wf, catalog_2026)
    assert verdict.accepted, verdict.body
    assert wf["2"]["inputs"]["samples"] == ["1", 3]  # the caller's workflow is not modified
    bad = {**wf, "1": {"class_type": "OldLatent", "inputs": {"w": 3}}}
    assert errors(validate(bad, catalog_2026), "1")[0]["type"] == "value_smaller_than_min"


def test_a_replacement_whose_target_is_missing_leaves_the_node_alone(catalog_2026: Catalog) -> None:
    verdict = validate({**latent(), "9": {"class_type": "Gone", "inputs": {}}}, catalog_2026)
    assert verdict.body["error"]["type"] == "missing_node_type"


def test_replacements_scan_every_node_so_inputs_that_are_not_an_object_fail(catalog_2026: Catalog) -> None:
    verdict = validate({**latent(), "9": {"class_type": "EmptyLatentImage", "inputs": [1, 2]}}, catalog_2026)
    assert verdict.status == 500


# -- invalid_prompt_id (PR #13998) ------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("prompt_id", "status"),
    [(None, 200), ("0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9", 200), ("my-id-1", 400),
     ("0F1E2D3C-4B5A-4978-8695-A4B3C2D1E0F9", 400), ("{0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9}", 400), (5, 400)],
)
def test_prompt_id_must_be_a_canonical_uuid(catalog_2026: Catalog, stock_catalog: Catalog, prompt_id: Any,
                                            status: int) -> None:
    body = {"prompt": latent(), "prompt_id": prompt_id}
    verdict = validate_request(body, catalog_2026)
    assert verdict.status == status
    if status == 400:
        assert verdict.body == {"error": {
            "type": "invalid_prompt_id", "message": "prompt_id must be a valid UUID",
            "details": "prompt_id must be a UUID string in canonical lowercase hyphenated form; omit it to let "
                       "the server generate one", "extra_info": {}}, "node_errors": {}}
        assert verdict.findings[0].code == "V008"
    assert validate_request(body, stock_catalog).status == 200  # 0.3.75 took any prompt_id
