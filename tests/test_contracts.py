"""Per-config contracts: loading (with file:line errors), each check failing and passing, the repo's own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from comfy_contract import Catalog, ConfigError, load_catalog
from comfy_contract.check.contracts import ContractSet
from comfy_contract.render.model import Injection, Rendered, RenderInputs, Submission

REPO = Path(__file__).resolve().parent.parent
PROMPT = Injection("prompt", "6", "inputs.text", "prompt", "a lighthouse", "{{PREVIOUS_OUTPUT}}")


@pytest.fixture(scope="module")
def production(stock_catalog: Catalog) -> Catalog:
    return stock_catalog.merge(load_catalog(REPO / "contracts/catalogs/packs/ai4artsed-nodes.json"))


def txt2img() -> dict[str, Any]:
    return {
        "3": {"class_type": "KSampler", "inputs": {
            "seed": 7, "steps": 25, "cfg": 5.5, "sampler_name": "euler", "scheduler": "sgm_uniform",
            "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
            "latent_image": ["5", 0]}},
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd3.5_large_turbo.safetensors"}},
        "5": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse", "clip": ["4", 1]},
              "_meta": {"title": "Positive"}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "x", "images": ["8", 0]}},
    }


def outcome(workflow: dict[str, Any], *, config: str = "fam_a", injections: tuple[Injection, ...] = (PROMPT,),
            inputs: RenderInputs | None = None) -> tuple[Submission, Rendered]:
    s = Submission(workflow, chunk="out", chunk_file="schemas/chunks/out.json", injections=injections)
    return s, Rendered(config, "eco", "workflow", (s,), config_file="schemas/configs/x.json",
                       inputs=inputs or RenderInputs())


def write(tmp_path: Path, text: str, name: str = "c.yaml") -> Path:
    folder = tmp_path / "contracts"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


CONTRACT = """\
version: 1
contracts:
  - match: "fam_*"
    modes: [eco]
    require_classes: [KSampler]
    forbid_classes: [PreviewImage]
    outputs: {image: 1}
    user_text_inputs:
      - {class_type: KSampler, input: positive}
    ranges:
      KSampler.steps: {min: 10, max: 40}
"""


@pytest.fixture
def contracts(tmp_path: Path) -> ContractSet:
    cs = ContractSet.load(write(tmp_path, CONTRACT), root=tmp_path)
    assert cs.problems == ()
    return cs


def codes(found: tuple[Any, ...]) -> list[str]:
    return [f.code for f in found]


def test_clean_workflow_meets_the_contract(contracts: ContractSet, production: Catalog) -> None:
    assert contracts.check(*outcome(txt2img()), catalog=production) == ()
    assert contracts.contracts[0].where == "contracts/c.yaml:3"


def test_contract_applies_by_glob_and_mode(contracts: ContractSet) -> None:
    assert contracts.for_config("fam_b", "eco")
    assert not contracts.for_config("fam_b", "fast")
    assert not contracts.for_config("other", "eco")


def test_c001_required_class_absent(contracts: ContractSet, production: Catalog) -> None:
    wf = txt2img()
    wf["3"]["class_type"] = "KSamplerAdvanced"
    found = contracts.check(*outcome(wf), catalog=production)
    assert "C001" in codes(found)
    c001 = next(f for f in found if f.code == "C001")
    assert c001.expected == "KSampler"
    assert c001.file == "schemas/configs/x.json"
    assert "contracts/c.yaml:3" in c001.message


def test_c002_output_count(contracts: ContractSet, production: Catalog) -> None:
    wf = txt2img()
    wf["10"] = {"class_type": "SaveImage", "inputs": {"filename_prefix": "y", "images": ["8", 0]}}
    found = contracts.check(*outcome(wf), catalog=production)
    assert [(f.code, f.actual, f.expected) for f in found] == [("C002", 2, "exactly 1")]


def test_c002_for_an_outcome_without_workflow(contracts: ContractSet) -> None:
    text = Rendered("fam_a", "eco", "text", config_file="schemas/configs/x.json")
    assert codes(contracts.check_rendered(text)) == ["C002"]
    assert contracts.check_rendered(Rendered("fam_a", "eco", "error")) == ()


def test_c003_sampler_not_conditioned_on_user_text(contracts: ContractSet, production: Catalog) -> None:
    wf = txt2img()
    wf["16"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "style preset", "clip": ["4", 1]}}
    wf["3"]["inputs"]["positive"] = ["16", 0]
    found = contracts.check(*outcome(wf), catalog=production)
    assert [(f.code, f.node_id, f.input, f.path) for f in found] == [
        ("C003", "3", "positive", "/workflow/3/inputs/positive")]


def test_c003_adapter_without_injections_matches_user_text(contracts: ContractSet, production: Catalog) -> None:
    inputs = RenderInputs(user_text="a lighthouse")
    assert contracts.check(*outcome(txt2img(), injections=(), inputs=inputs), catalog=production) == ()
    other = RenderInputs(user_text="something else")
    assert codes(contracts.check(*outcome(txt2img(), injections=(), inputs=other), catalog=production)) == ["C003"]


def test_c004_value_outside_the_contract_range(contracts: ContractSet, production: Catalog) -> None:
    wf = txt2img()
    wf["3"]["inputs"]["steps"] = 80  # ComfyUI allows up to 10000
    found = contracts.check(*outcome(wf), catalog=production)
    assert [(f.code, f.node_id, f.input, f.actual, f.expected) for f in found] == [
        ("C004", "3", "steps", 80, "10..40")]


def test_c005_forbidden_class(contracts: ContractSet, production: Catalog) -> None:
    wf = txt2img()
    wf["11"] = {"class_type": "PreviewImage", "inputs": {"images": ["8", 0]}}
    found = contracts.check(*outcome(wf), catalog=production)
    assert ("C005", "11") in [(f.code, f.node_id) for f in found]


def test_c007_contract_matching_no_config(contracts: ContractSet) -> None:
    assert codes(contracts.unused(["dada", "sd35_large"])) == ["C007"]
    assert contracts.unused(["fam_x"]) == ()


# --- invalid files: C006 with file:line ------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("contracts:\n  - match: x\n    outputs: {image: -1}\n", 3, "-1 is less than the minimum of 0"),
        ("contracts:\n  - match: x\n    requires_classes: [A]\n", 3, "unknown key 'requires_classes'"),
        ("contracts:\n  - match: x\n    outputs:\n      images: 1\n", 4, "key 'images'"),
        ("contracts:\n  - match: x\n    ranges:\n      steps: {min: 1}\n", 4, "key 'steps'"),
        ("contracts:\n  - modes: [eco]\n", 2, "'match' is a required property"),
        ("contracts:\n  - match: x\n    user_text_inputs:\n      - {input: text}\n", 4, "user_text_inputs/0"),
        ("contracts:\n  - match: x\n    ranges:\n      K.steps: {min: 9, max: 1}\n", 4, "min 9 is greater than max 1"),
        ("contracts:\n  - match: x\n    match: y\n", 3, "duplicate key 'match'"),
        ("contracts:\n  - match: [x\n    modes: eco\n", 3, "not valid YAML"),
        ("contracts:\n  - match: x\n\tmodes: [eco]\n", 3, "not valid YAML"),
    ],
)
def test_c006_invalid_file_points_to_file_and_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    cs = ContractSet.load(write(tmp_path, text, "bad.yaml"), root=tmp_path)
    assert cs.problems, "expected a C006 finding"
    first = cs.problems[0]
    assert first.code == "C006"
    assert first.file == "contracts/bad.yaml"
    assert first.message.startswith(f"contracts/bad.yaml:{line}:"), first.message
    assert needle in first.message


def test_invalid_file_does_not_hide_valid_ones(tmp_path: Path) -> None:
    folder = write(tmp_path, CONTRACT, "good.yaml")
    write(tmp_path, "contracts: 5\n", "bad.yaml")
    cs = ContractSet.load(folder, root=tmp_path)
    assert len(cs.contracts) == 1
    assert [p.file for p in cs.problems] == ["contracts/bad.yaml"]
    with pytest.raises(ConfigError, match=r"contracts/bad.yaml:1"):
        cs.raise_for_problems()


def test_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        ContractSet.load(tmp_path / "nope")


def test_yaml_tags_are_not_executed(tmp_path: Path) -> None:
    cs = ContractSet.load(write(tmp_path, "contracts: !!python/object/apply:os.system ['true']\n"))
    assert codes(cs.problems) == ["C006"]


# --- the schema and the repo's own contracts -------------------------------------------------------
def test_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads((REPO / "contracts/schemas/config-contract.schema.json").read_text())
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")


def test_repo_contracts_load_cleanly() -> None:
    cs = ContractSet.load(REPO / "contracts" / "configs", root=REPO)
    assert cs.problems == ()
    assert cs.for_config("vector_fusion_spherical", "eco")
    families = {c.file for c in cs.contracts}
    assert "contracts/configs/vector_fusion.yaml" in families
