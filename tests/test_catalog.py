"""Catalog loading: raw dumps, envelopes, packs, merging, era detection and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comfy_contract import Catalog, CatalogError, UnsupportedEraError, load_catalog, merge_catalogs, validate
from comfy_contract.core.errors import InputError
from comfy_contract.validation.eras import choose_era

REPO = Path(__file__).resolve().parents[1]
STOCK = REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json"
PACK = REPO / "contracts" / "catalogs" / "packs" / "ai4artsed-nodes.json"


def test_envelope_has_version_and_era(stock_catalog: Catalog) -> None:
    assert stock_catalog.comfyui_version == "0.3.75"
    assert stock_catalog.era.id == "0.3.75"
    assert "KSampler" in stock_catalog
    ks = stock_catalog.nodes["KSampler"]
    assert ks.outputs == ("LATENT",)
    assert ks.required[:2] == ("model", "seed")
    assert stock_catalog.nodes["SaveImage"].output_node


def test_raw_dump_detects_era_from_fields(tmp_path: Path) -> None:
    raw = json.loads(STOCK.read_text())["object_info"]
    path = tmp_path / "object_info.json"
    path.write_text(json.dumps(raw))
    catalog = load_catalog(path)
    assert catalog.comfyui_version is None
    assert catalog.era.id == "0.3.75"


def test_newer_fields_choose_the_2026_era(tmp_path: Path) -> None:
    raw = {"X": {"input": {}, "output": [], "output_node": True, "is_input_list": False}}
    path = tmp_path / "new.json"
    path.write_text(json.dumps(raw))
    catalog = load_catalog(path)
    assert catalog.era.id == "2026"
    assert "guessed from the catalog's /object_info fields" in catalog.era_reason
    assert load_catalog(path, comfyui_version="0.3.75").era.id == "0.3.75"


@pytest.mark.parametrize(
    ("version", "era", "exact", "reason"),
    [
        ("0.3.75", "0.3.75", True, "ComfyUI 0.3.75"),
        ("0.7.0", "2026", True, "ComfyUI 0.7.0"),
        ("v0.38.1", "2026", True, "ComfyUI v0.38.1"),
        ("0.41.0", "2026", False, "newer than every era this release models: the newest table (2026) is used"),
        ("2.0", "2026", False, "newer than every era"),
    ],
)
def test_a_version_picks_an_era_and_never_refuses(version: str, era: str, exact: bool, reason: str,
                                                  tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"comfyui_version": version, "object_info": {}}))
    catalog = load_catalog(path)
    assert catalog.era.id == era
    assert reason in catalog.era_reason
    assert choose_era(comfyui_version=version).exact is exact


def test_text_that_is_no_version_is_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"comfyui_version": "latest", "object_info": {}}))
    with pytest.raises(UnsupportedEraError, match=r"cannot read ComfyUI version 'latest'"):
        load_catalog(path)


def test_node_replacements_round_trip_through_the_envelope(tmp_path: Path) -> None:
    replacements = {"OldNode": [{"old_node_id": "OldNode", "new_node_id": "X"}]}
    raw = {"comfyui_version": "0.30.0", "node_replacements": replacements,
           "object_info": {"X": {"input": {}, "output": [], "output_node": True}}}
    path = tmp_path / "c.json"
    path.write_text(json.dumps(raw))
    catalog = load_catalog(path)
    assert dict(catalog.node_replacements) == replacements
    assert catalog.to_envelope()["node_replacements"] == replacements
    assert "node_replacements" not in catalog.metadata


def test_merge_pack_into_stock(stock_catalog: Catalog) -> None:
    merged = merge_catalogs([STOCK, PACK])
    assert "ai4artsed_conditioning_fusion" in merged
    assert "ai4artsed_conditioning_fusion" not in stock_catalog  # immutable: the original is unchanged
    assert merged.comfyui_version == "0.3.75"
    assert len(merged) == len(stock_catalog) + 2
    wf = {"1": {"class_type": "ai4artsed_conditioning_fusion", "inputs": {}}}
    assert validate(wf, stock_catalog).findings[0].code == "V002"
    assert validate(wf, merged).findings[0].code == "V003"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"a": 1}', "not a node catalog"),
        ("[]", "not a node catalog: expected a JSON object, got list"),
        ('{"object_info": {"X": 5}}', "`object_info` must map class names"),
        ('{"X": {"input": {"required": {"a": "INT"}}, "output": []}}', "spec must be [type, {options}]"),
        ("{", "invalid JSON"),
    ],
)
def test_not_a_catalog(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(content)
    with pytest.raises(InputError, match=None) as raised:
        load_catalog(path)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)
    if content != "{":
        assert isinstance(raised.value, CatalogError)


def test_choices_and_model_files(stock_catalog: Catalog) -> None:
    ckpt = stock_catalog.nodes["CheckpointLoaderSimple"].inputs["ckpt_name"]
    assert ckpt.is_combo
    assert ckpt.lists_model_files
    assert "sd_xl_base_1.0.safetensors" in ckpt.choices
    assert not stock_catalog.nodes["KSampler"].inputs["sampler_name"].lists_model_files
