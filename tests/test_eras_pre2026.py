"""The runnable pre-2026 eras (0.3.52, early-2025, late-2024, early-2024) answer as their real servers did.

Every expectation below is what the real ComfyUI of that era answered (``scripts/reference-comfyui start
--version ERA``, PYTHONHASHSEED=0, 2026-11-30); the differential suite in ``tests/reference`` checks the
same eras on thousands of generated workflows when their servers run. Validated offline with each era's
committed catalog (``tests/data/catalogs``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from comfy_contract import Catalog, load_catalog, validate_request
from comfy_contract.validation.eras import ERAS, choose_era

DATA = Path(__file__).parent / "data" / "catalogs"
CATALOGS = {
    "0.3.75": Path(__file__).parents[1] / "contracts" / "catalogs" / "comfyui-0.3.75.json",
    "0.3.52": DATA / "comfyui-0.3.52.json",
    "early-2025": DATA / "comfyui-73e04987.json",
    "late-2024": DATA / "comfyui-ca085976.json",
    "early-2024": DATA / "comfyui-16eabdf7.json",
}
PRE_MID_2025 = ("early-2025", "late-2024", "early-2024")

LATENT = {"1": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}}}
SAVE = {"2": {"class_type": "SaveLatent", "inputs": {"samples": ["1", 0], "filename_prefix": "x"}}}


def _catalog(era: str) -> Catalog:
    return load_catalog(CATALOGS[era]).with_era(era)


def _answer(era: str, body: dict[str, Any]) -> tuple[int, Any]:
    verdict = validate_request(body, _catalog(era))
    return verdict.status, verdict.body


def test_every_runnable_era_is_listed_as_checked_against_a_server() -> None:
    for era in CATALOGS:
        assert ERAS[era].evidence == "server"


@pytest.mark.parametrize("era", list(CATALOGS))
def test_a_body_without_prompt(era: str) -> None:
    status, body = _answer(era, {"client_id": "x"})
    assert status == 400
    if era in PRE_MID_2025:
        assert body == {"error": "no prompt", "node_errors": []}
    else:
        assert body["error"]["type"] == "no_prompt"
        assert body["node_errors"] == {}


@pytest.mark.parametrize("era", list(CATALOGS))
def test_an_unknown_class(era: str) -> None:
    status, body = _answer(era, {"prompt": {"1": {"class_type": "Nope", "inputs": {}}}})
    if era == "early-2024":  # NODE_CLASS_MAPPINGS[...] unchecked: KeyError in the handler
        assert status == 500
        return
    assert status == 400
    assert body["error"]["message"] == "Cannot execute because node Nope does not exist."
    assert body["node_errors"] == ([] if era in PRE_MID_2025 else {})


@pytest.mark.parametrize("era", list(CATALOGS))
def test_partial_execution_targets_only_from_0_3_48(era: str) -> None:
    status, body = _answer(era, {"prompt": {**LATENT, **SAVE}, "partial_execution_targets": []})
    if era in PRE_MID_2025:
        assert status == 200
    else:
        assert (status, body["error"]["type"]) == (400, "prompt_no_outputs")


@pytest.mark.parametrize("era", list(CATALOGS))
def test_extra_data_that_is_no_object_fails_only_where_create_time_is_stamped(era: str) -> None:
    status, _ = _answer(era, {"prompt": {**LATENT, **SAVE}, "extra_data": 5})
    assert status == (500 if era == "0.3.75" else 200)
    status, _ = _answer(era, {"prompt": {**LATENT, **SAVE}, "extra_data": 5, "client_id": "c"})
    assert status == 500  # client_id is copied into it in every era


@pytest.mark.parametrize("era", list(CATALOGS))
def test_return_type_mismatch_details(era: str) -> None:
    prompt = {**LATENT, "2": {"class_type": "ImageInvert", "inputs": {"image": ["1", 0]}},
              "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}
    status, body = _answer(era, {"prompt": prompt})
    assert status == 400
    details = body["node_errors"]["2"]["errors"][0]["details"]
    if era in ("late-2024", "early-2024"):
        assert details == "image, LATENT != IMAGE"
    else:
        assert details == "image, received_type(LATENT) mismatch input_type(IMAGE)"


@pytest.mark.parametrize("era", list(CATALOGS))
def test_value_wrapped_in___value__(era: str) -> None:
    prompt = {"1": {"class_type": "EmptyLatentImage", "inputs": {"width": {"__value__": 64}, "height": 64,
                                                                 "batch_size": 1}}, **SAVE}
    status, body = _answer(era, {"prompt": prompt})
    if era in PRE_MID_2025:
        assert status == 400
        assert body["node_errors"]["1"]["errors"][0]["details"] == (
            "width, {'__value__': 64}, int() argument must be a string, a bytes-like object or a real number, "
            "not 'dict'")
    else:
        assert status == 200


@pytest.mark.parametrize("era", list(CATALOGS))
def test_boolean_conversion_and_optional_inputs_from_the_execution_inversion(era: str) -> None:
    prompt = {"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
              "2": {"class_type": "ImageCompositeMasked", "inputs": {
                  "destination": ["1", 0], "source": ["1", 0], "x": 0, "y": 0, "resize_source": "nope",
                  "mask": ["1", 0]}},
              "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}
    status, body = _answer(era, {"prompt": prompt})
    if era == "early-2024":  # optional `mask` never validated; no BOOLEAN conversion
        assert status == 200
        return
    assert status == 400
    assert [r["type"] for r in body["node_errors"]["2"]["errors"]] == ["return_type_mismatch"]


@pytest.mark.parametrize("era", list(CATALOGS))
def test_a_validate_inputs_argument_the_node_lacks_raises(era: str) -> None:
    prompt = {"1": {"class_type": "LoadLatent", "inputs": {}}, **SAVE}
    status, body = _answer(era, {"prompt": prompt})
    assert status == 400
    [reason] = body["node_errors"]["1"]["errors"]
    assert reason["type"] == "exception_during_inner_validation"
    assert reason["details"] == "LoadLatent.VALIDATE_INPUTS() missing 1 required positional argument: 'latent'"


@pytest.mark.parametrize(("era", "function"), [("0.3.75", "LoadImage"), ("early-2025", "LoadImage")])
def test_an_inherited_validate_inputs_is_named_by_its_owner(era: str, function: str) -> None:
    prompt = {"1": {"class_type": "WebcamCapture", "inputs": {"width": 8, "height": 8, "capture_on_queue": True}},
              "2": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
    _, body = _answer(era, {"prompt": prompt})
    assert body["node_errors"]["1"]["errors"][0]["details"] == (
        f"{function}.VALIDATE_INPUTS() missing 1 required positional argument: 'image'")


def test_a_server_that_reports_version_unknown_gets_the_field_guess(tmp_path: Path) -> None:
    data = json.loads(CATALOGS["early-2024"].read_text())
    data["comfyui_version"] = "unknown"
    path = tmp_path / "c.json"
    path.write_text(json.dumps(data))
    catalog = load_catalog(path)
    assert catalog.era.id == "early-2024"
    assert "'unknown'" in catalog.era_reason


@pytest.mark.parametrize(("version", "era"), [("0.3.52", "0.3.52"), ("0.3.68", "0.3.52"), ("0.3.69", "0.3.75"),
                                              ("v0.3.10-5-g73e0498", "early-2025"), ("0.3.4", "late-2024"),
                                              ("0.2.3", "late-2024"), ("0.0.4", "early-2024")])
def test_versions_pick_the_runnable_eras(version: str, era: str) -> None:
    assert choose_era(comfyui_version=version).era.id == era


@pytest.mark.parametrize(("era", "value", "details"), [
    ("0.3.75", ["1", 0], "'NoneType' object has no attribute 'endswith'"),  # a link arrives as None
    ("0.3.75", ["1"], "'list' object has no attribute 'endswith'"),
    ("0.3.75", ["1", 0, 0], "'list' object has no attribute 'endswith'"),
    ("0.3.75", 5, "'int' object has no attribute 'endswith'"),
    ("early-2025", {"__value__": "example.png"}, "'dict' object has no attribute 'endswith'"),
    ("early-2024", ["1"], "list index out of range"),  # get_input_data reads value[1] of any list
    ("early-2024", ["1", 0, 0], "'NoneType' object has no attribute 'endswith'"),
    ("early-2024", 5, "'int' object has no attribute 'endswith'"),
])
def test_a_file_loader_gets_no_string_to_check(era: str, value: Any, details: str) -> None:
    # LoadImage.VALIDATE_INPUTS -> folder_paths.exists_annotated_filepath(image) -> image.endswith(...)
    prompt = {"1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
              "2": {"class_type": "LoadImage", "inputs": {"image": value}},
              "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}
    _, body = _answer(era, {"prompt": prompt})
    assert [(r["type"], r["details"]) for r in body["node_errors"]["2"]["errors"]] == [
        ("exception_during_inner_validation", details)]


@pytest.mark.parametrize("era", list(CATALOGS))
def test_a_listed_file_passes_its_loader(era: str) -> None:
    prompt = {"2": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
              "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}
    assert _answer(era, {"prompt": prompt})[0] == 200


@pytest.mark.parametrize("era", list(CATALOGS))
def test_inputs_that_are_a_string_fail_in_get_input_data(era: str) -> None:
    # get_input_data runs ``inputs[x] for x in inputs`` before VALIDATE_INPUTS is called
    prompt = {"2": {"class_type": "LoadImage", "inputs": "inputs"},
              "3": {"class_type": "PreviewImage", "inputs": {"images": ["2", 0]}}}
    _, body = _answer(era, {"prompt": prompt})
    assert [r["details"] for r in body["node_errors"]["2"]["errors"]] == ["string indices must be integers, not 'str'"]


@pytest.mark.parametrize(("era", "function"), [("0.3.75", "FluxProUltraImageNode.validate_inputs"),
                                               ("0.3.52", "FluxProUltraImageNode.VALIDATE_INPUTS")])
def test_an_api_node_without_its_validate_inputs_argument(era: str, function: str) -> None:
    prompt = {"1": {"class_type": "FluxProUltraImageNode", "inputs": {"prompt": "x"}},
              "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
    _, body = _answer(era, {"prompt": prompt})
    assert [r["details"] for r in body["node_errors"]["1"]["errors"]] == [
        f"{function}() missing 1 required positional argument: 'aspect_ratio'"]


def test_an_api_nodes_own_validate_inputs_is_undecidable_offline() -> None:
    # the real servers: 0.3.75 raises "'NoneType' object has no attribute 'split'", 0.3.52 returns it as
    # custom_validation_failed - the function's body, which /object_info cannot show
    prompt = {"0": {"class_type": "PrimitiveString", "inputs": {"value": "1:1"}},
              "1": {"class_type": "FluxProUltraImageNode", "inputs": {"prompt": "x", "aspect_ratio": ["0", 0]}},
              "3": {"class_type": "PreviewImage", "inputs": {"images": ["1", 0]}}}
    verdict = validate_request({"prompt": prompt}, _catalog("0.3.52"))
    assert not verdict.decidable
    assert any(f.code == "V090" and "VALIDATE_INPUTS" in f.message for f in verdict.findings)
