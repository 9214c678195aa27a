"""Lints: each rule with one case it must flag and one it must leave alone (real catalogs, no mocks)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from comfy_contract import Catalog, Finding, load_catalog, validate
from comfy_contract.check.lints import LINTS, PROJECT_LINTS, output_media, run_lints, run_project_lints
from comfy_contract.core.codes import lookup
from comfy_contract.render.model import Injection, Rendered, Submission

REPO = Path(__file__).resolve().parent.parent
OFFICIAL = "OfficialStableDiffusion/sd3.5_large.safetensors"


def _without_file(catalog: Catalog, missing: str, name: str) -> Catalog:
    info = catalog.object_info()
    for entry in info.values():
        for group in entry["input"].values():
            for spec in group.values():
                if isinstance(spec, list) and spec and isinstance(spec[0], list):
                    spec[0] = [c for c in spec[0] if c != missing]
    return Catalog.from_object_info(info, comfyui_version=catalog.comfyui_version, name=name)


@pytest.fixture(scope="module")
def backends(stock_catalog: Catalog) -> dict[str, Catalog]:
    packs = REPO / "contracts" / "catalogs" / "packs"
    production = stock_catalog.merge(load_catalog(packs / "ai4artsed-nodes.json"), name="production")
    standalone = _without_file(stock_catalog, OFFICIAL, "standalone")
    return {"production": production, "standalone": standalone}


def txt2img(**changes: Any) -> dict[str, Any]:
    """A clean SD3.5 text-to-image workflow; ``changes`` maps "node.input" to a new value."""
    wf: dict[str, Any] = {
        "3": {"class_type": "KSampler", "inputs": {
            "seed": 7, "steps": 25, "cfg": 5.5, "sampler_name": "euler", "scheduler": "sgm_uniform",
            "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
            "latent_image": ["5", 0]}},
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": OFFICIAL}},
        "5": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse", "clip": ["4", 1]},
              "_meta": {"title": "Positive"}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "sd35", "images": ["8", 0]}},
    }
    for where, value in changes.items():
        node_id, name = where.split(".")
        if name == "class_type":
            wf[node_id]["class_type"] = value
        elif value is None:
            del wf[node_id]["inputs"][name]
        else:
            wf[node_id]["inputs"][name] = value
    return wf


PROMPT = Injection("prompt", "6", "inputs.text", "prompt", "a lighthouse", "{{PREVIOUS_OUTPUT}}",
                   "schemas/chunks/out.json", "/input_mappings/prompt")
SEED = Injection("seed", "3", "inputs.seed", "seed", 7, None, "schemas/chunks/out.json", "/input_mappings/seed")


def sub(workflow: Mapping[str, Any], injections: tuple[Injection, ...] = (PROMPT, SEED), *,
        chunk: str = "out", media: str | None = "image") -> Submission:
    return Submission(workflow, chunk=chunk, chunk_file=f"schemas/chunks/{chunk}.json", media_type=media,
                      injections=injections)


def rendered(*subs: Submission, config: str = "cfg", mode: str = "eco", media: str | None = "image",
             findings: tuple[Finding, ...] = ()) -> Rendered:
    return Rendered(config, mode, "workflow", subs, findings=findings, media_type=media)


def lint(backends: dict[str, Catalog], s: Submission, *, backend: str = "production",
         r: Rendered | None = None) -> list[Finding]:
    return list(run_lints(s, r or rendered(s), backends[backend], backend=backend, backends=backends))


def codes(found: list[Finding]) -> list[str]:
    return [f.code for f in found]


# --- the clean baseline ---------------------------------------------------------------------------
def test_clean_workflow_has_no_findings(backends: dict[str, Catalog]) -> None:
    assert lint(backends, sub(txt2img())) == []


def test_table_codes_are_lint_codes_with_severity() -> None:
    for entry in (*LINTS, *PROJECT_LINTS):
        assert entry.code.startswith("L")
        assert lookup(entry.code).check == "lint"
    assert len({e.code for e in (*LINTS, *PROJECT_LINTS)}) == len(LINTS) + len(PROJECT_LINTS)


# --- L001 empty prompt ----------------------------------------------------------------------------
def test_l001_empty_positive_prompt(backends: dict[str, Catalog]) -> None:
    found = lint(backends, sub(txt2img(**{"6.text": "  "}), (SEED,)))
    assert codes(found) == ["L001"]
    f = found[0]
    assert (f.node_id, f.input, f.class_type) == ("6", "text", "CLIPTextEncode")
    assert f.severity == "error"
    assert f.file == "schemas/chunks/out.json"
    assert f.path == "/workflow/6/inputs/text"
    assert "'  '" in f.message


def test_l001_injected_empty_prompt_points_at_the_mapping(backends: dict[str, Catalog]) -> None:
    empty = Injection("prompt", "6", "inputs.text", "prompt", "", None, "schemas/chunks/out.json",
                      "/input_mappings/prompt")
    found = lint(backends, sub(txt2img(**{"6.text": ""}), (empty, SEED)))
    assert [(f.code, f.file, f.path) for f in found] == [("L001", "schemas/chunks/out.json", "/input_mappings/prompt")]


def test_l001_passes_on_an_empty_negative_prompt(backends: dict[str, Catalog]) -> None:
    assert lint(backends, sub(txt2img(**{"7.text": ""}))) == []


def test_l001_follows_a_primitive_string(backends: dict[str, Catalog]) -> None:
    wf = txt2img(**{"6.text": ["12", 0]})
    wf["12"] = {"class_type": "PrimitiveString", "inputs": {"value": ""}}
    found = lint(backends, sub(wf, (SEED,)))
    assert [(f.code, f.node_id, f.input) for f in found] == [("L001", "12", "value")]
    wf["12"]["inputs"]["value"] = "a lighthouse"
    assert lint(backends, sub(wf, (SEED,))) == []


def test_l001_is_silent_where_rendering_already_reported(backends: dict[str, Catalog]) -> None:
    s = sub(txt2img(**{"6.text": ""}), (SEED,))
    r4 = Finding("R004", "source never resolved", node_id="6")
    assert lint(backends, s, r=rendered(s, findings=(r4,))) == []


# --- L002 placeholder in text -------------------------------------------------------------------
def test_l002_placeholder_in_a_live_text(backends: dict[str, Catalog]) -> None:
    found = lint(backends, sub(txt2img(**{"6.text": "ein {{NOMEN}} am Meer"})))
    assert [(f.code, f.node_id, f.input) for f in found] == [("L002", "6", "text")]
    assert "'{{NOMEN}}'" in found[0].message


def test_l002_passes_on_braces_that_are_not_placeholders(backends: dict[str, Catalog]) -> None:
    assert lint(backends, sub(txt2img(**{"6.text": "a {curly} lighthouse"}))) == []


def test_l002_defers_to_r002(backends: dict[str, Catalog]) -> None:
    s = sub(txt2img(**{"6.text": "{{X}}"}))
    r2 = Finding("R002", "unresolved", node_id="6", input="text")
    assert lint(backends, s, r=rendered(s, findings=(r2,))) == []


# --- L003 orphan injection / L004 dangling node ----------------------------------------------------
def _styled() -> dict[str, Any]:
    wf = txt2img(**{"3.positive": ["16", 0]})
    wf["16"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "style preset", "clip": ["4", 1]}}
    return wf


def test_l003_prompt_injected_into_an_orphan(backends: dict[str, Catalog]) -> None:
    found = lint(backends, sub(_styled()))
    assert [(f.code, f.node_id, f.input) for f in found] == [("L003", "6", "text")]
    assert found[0].path == "/input_mappings/prompt"


def test_l003_passes_when_the_injected_node_feeds_the_output(backends: dict[str, Catalog]) -> None:
    wf = _styled()
    injection = Injection("prompt", "16", "inputs.text", "prompt", "style preset")
    wf["16"]["inputs"]["text"] = "a lighthouse"
    del wf["6"]
    assert lint(backends, sub(wf, (injection, SEED))) == []


def test_l004_dangling_node_without_injection(backends: dict[str, Catalog]) -> None:
    wf = txt2img()
    wf["20"] = {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 1}}
    found = lint(backends, sub(wf))
    assert [(f.code, f.node_id, f.severity) for f in found] == [("L004", "20", "warning")]
    assert found[0].path == "/workflow/20"


def test_l004_not_reported_without_any_output(backends: dict[str, Catalog]) -> None:
    wf = txt2img()
    del wf["9"]  # V003 reports this; every node being "dangling" would be noise
    assert lint(backends, sub(wf)) == []


# --- L005 shared filename_prefix ----------------------------------------------------------------
def test_l005_prefix_shared_by_two_chunks() -> None:
    a = rendered(sub(txt2img(**{"9.filename_prefix": "AI4ArtsEd_sd35"}), chunk="portrait"), config="portrait")
    b = rendered(sub(txt2img(**{"9.filename_prefix": "AI4ArtsEd_sd35"}), chunk="turbo"), config="turbo")
    found = run_project_lints([a, b])
    assert sorted(found) == [("portrait", "eco"), ("turbo", "eco")]
    f = found[("turbo", "eco")][0]
    assert (f.code, f.node_id, f.input, f.actual) == ("L005", "9", "filename_prefix", "AI4ArtsEd_sd35")
    assert f.file == "schemas/chunks/turbo.json"
    assert "'portrait'" in f.message


def test_l005_same_chunk_in_several_configs_is_fine() -> None:
    a = rendered(sub(txt2img(), chunk="sd35"), config="dada")
    b = rendered(sub(txt2img(), chunk="sd35"), config="bauhaus")
    c = rendered(sub(txt2img(**{"9.filename_prefix": "other"}), chunk="other"), config="other")
    assert run_project_lints([a, b, c]) == {}


def test_l005_chunkless_submissions_of_one_shape_share_an_owner() -> None:
    def adapter(config: str, prefix: str, seed: int) -> Rendered:
        s = Submission(txt2img(**{"9.filename_prefix": prefix, "3.seed": seed}))
        return rendered(s, config=config)

    assert run_project_lints([adapter("a", "ComfyUI", 1), adapter("b", "ComfyUI", 2)]) == {}
    other = Submission({"1": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI"}}})
    assert set(run_project_lints([adapter("a", "ComfyUI", 1), rendered(other, config="c")])) == {
        ("a", "eco"), ("c", "eco")}


# --- L006 seed never varied ---------------------------------------------------------------------
def test_l006_fixed_seed_without_mapping(backends: dict[str, Catalog]) -> None:
    found = lint(backends, sub(txt2img(**{"3.seed": 42}), (PROMPT,)))
    assert [(f.code, f.node_id, f.input, f.actual) for f in found] == [("L006", "3", "seed", 42)]


def test_l006_passes_with_a_seed_mapping_on_a_linked_primitive(backends: dict[str, Catalog]) -> None:
    wf = txt2img(**{"3.seed": ["30", 0]})
    wf["30"] = {"class_type": "PrimitiveInt", "inputs": {"value": 1}}
    mapped = Injection("seed", "30", "inputs.value", "seed", 1)
    assert lint(backends, sub(wf, (PROMPT, mapped))) == []
    assert codes(lint(backends, sub(wf, (PROMPT,)))) == ["L006"]


# --- L007 custom node / L008 model file missing on a backend ----------------------------------------
def _fusion() -> dict[str, Any]:
    wf = txt2img(**{"3.positive": ["15", 0]})
    wf["14"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "a whale", "clip": ["4", 1]}}
    wf["15"] = {"class_type": "ai4artsed_conditioning_fusion", "inputs": {
        "conditioning_a": ["6", 0], "conditioning_b": ["14", 0], "alpha": 0.5,
        "interpolation_method": "spherical", "steps": 4}}
    wf["4"]["inputs"]["ckpt_name"] = "sd3.5_large_turbo.safetensors"
    return wf


def test_l007_custom_node_missing_on_standalone(backends: dict[str, Catalog]) -> None:
    found = lint(backends, sub(_fusion()), backend="standalone")
    assert [(f.code, f.node_id, f.expected) for f in found] == [("L007", "15", ["production"])]
    assert "'standalone'" in found[0].message
    assert "'production'" in found[0].message


def test_l007_passes_where_the_pack_is_installed(backends: dict[str, Catalog]) -> None:
    assert lint(backends, sub(_fusion()), backend="production") == []


def test_l007_silent_for_a_class_no_backend_has(backends: dict[str, Catalog]) -> None:
    wf = txt2img(**{"8.class_type": "VAEDecodeTypo", "4.ckpt_name": "sd3.5_large_turbo.safetensors"})
    assert lint(backends, sub(wf), backend="standalone") == []


def test_l008_model_file_missing_on_standalone(backends: dict[str, Catalog]) -> None:
    found = lint(backends, sub(txt2img()), backend="standalone")
    assert [(f.code, f.node_id, f.input, f.actual, f.expected) for f in found] == [
        ("L008", "4", "ckpt_name", OFFICIAL, ["production"])]


def test_l008_passes_for_a_file_both_have(backends: dict[str, Catalog]) -> None:
    s = sub(txt2img(**{"4.ckpt_name": "sd3.5_large_turbo.safetensors"}))
    assert lint(backends, s, backend="standalone") == []


# --- L009 deprecated / experimental ---------------------------------------------------------------
def test_l009_deprecated_class(backends: dict[str, Catalog]) -> None:
    wf = txt2img(**{"4.class_type": "CheckpointLoader", "4.config_name": "v1-inference.yaml"})
    found = lint(backends, sub(wf))
    assert [(f.code, f.node_id, f.actual, f.severity) for f in found] == [("L009", "4", "deprecated", "warning")]


def test_l009_passes_on_stable_classes(backends: dict[str, Catalog]) -> None:
    assert "L009" not in codes(lint(backends, sub(txt2img())))


# --- L010 declared media type without output ---------------------------------------------------------
def test_l010_audio_config_renders_an_image_graph(backends: dict[str, Catalog]) -> None:
    s = sub(txt2img(), media="image")
    found = lint(backends, s, r=rendered(s, media="audio"))
    assert [(f.code, f.expected, f.actual) for f in found] == [("L010", "audio", ["image"])]


def test_l010_passes_when_the_media_matches(backends: dict[str, Catalog]) -> None:
    s = sub(txt2img(), media="image")
    assert lint(backends, s, r=rendered(s, media="image")) == []


def test_output_media_of_real_save_nodes(backends: dict[str, Catalog]) -> None:
    cat = backends["production"]
    media = {n: output_media(cat.nodes[n]) for n in ("SaveImage", "PreviewImage", "SaveAudio", "SaveWEBM", "SaveVideo")}
    assert media == {"SaveImage": {"image"}, "PreviewImage": {"image"}, "SaveAudio": {"audio"},
                     "SaveWEBM": {"video"}, "SaveVideo": {"video"}}


# --- L011 mapping source the app cannot resolve --------------------------------------------------------
def test_l011_source_that_is_not_a_builtin(backends: dict[str, Catalog]) -> None:
    part = Injection("clip_prompt", "6", "inputs.text", "prompt", "a lighthouse", "{{PART_A}}",
                     "schemas/chunks/split.json", "/input_mappings/clip_prompt")
    found = lint(backends, sub(txt2img(), (part, SEED)))
    assert [(f.code, f.node_id, f.path, f.actual) for f in found] == [
        ("L011", "6", "/input_mappings/clip_prompt", "{{PART_A}}")]


def test_l011_passes_on_previous_output(backends: dict[str, Catalog]) -> None:
    assert lint(backends, sub(txt2img(), (PROMPT, SEED))) == []


# --- L012 accepted, then the prompt worker dies ----------------------------------------------------------
def test_l012_node_without_inputs_anywhere(backends: dict[str, Catalog], stock_catalog: Catalog) -> None:
    wf = txt2img()
    wf["50"] = {"class_type": "EmptyLatentImage"}  # unreachable: ComfyUI never validates it
    assert validate(wf, stock_catalog).accepted  # ... so it answers 200, then the worker dies executing
    found = lint(backends, sub(wf))
    assert [(f.code, f.node_id) for f in found if f.code == "L012"] == [("L012", "50")]


def test_l012_undeclared_link_to_a_missing_node(backends: dict[str, Catalog], stock_catalog: Catalog) -> None:
    wf = txt2img(**{"9.bogus": ["99", 0]})
    assert validate(wf, stock_catalog).accepted
    found = lint(backends, sub(wf))
    assert [(f.code, f.node_id, f.input, f.actual) for f in found] == [("L012", "9", "bogus", ["99", 0])]


def test_l012_passes_on_declared_links_and_inputs_objects(backends: dict[str, Catalog]) -> None:
    wf = txt2img(**{"9.bogus": ["8", 0]})  # undeclared but links to an existing node: harmless
    wf["50"] = {"class_type": "EmptyLatentImage", "inputs": {}}
    assert "L012" not in codes(lint(backends, sub(wf)))


# --- robustness -----------------------------------------------------------------------------------
MALFORMED: list[Any] = [
    [],
    "not a workflow",
    {"1": "not a node"},
    {"1": {"inputs": {"text": ""}}},
    {"1": {"class_type": 5, "inputs": []}},
    {"9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0, 1], "filename_prefix": 3}}},
    {"9": {"class_type": "SaveImage", "inputs": {"images": [["x"], 0], "filename_prefix": None}}},
    {"1": {"class_type": "CLIPTextEncode", "inputs": {"text": ["1", 0], "clip": ["1", 0]}},
     "9": {"class_type": "SaveImage", "inputs": {"images": ["1", 0]}}},
    {"6": {"class_type": "KSampler", "inputs": {"seed": ["6", 0]}},
     "9": {"class_type": "SaveImage", "inputs": {"images": ["6", 0]}}},
]


@pytest.mark.parametrize("workflow", MALFORMED)
def test_lints_never_raise_on_malformed_workflows(backends: dict[str, Catalog], workflow: Any) -> None:
    odd = Injection("prompt", "77", "text", "prompt", None)
    s = Submission(workflow, injections=(odd, PROMPT), media_type="image")
    for backend in backends:
        run_lints(s, rendered(s), backends[backend], backend=backend, backends=backends)
    run_project_lints([rendered(s), rendered(s, config="other")])


def test_lints_do_not_mutate_the_workflow(backends: dict[str, Catalog]) -> None:
    wf = _styled()
    before = copy.deepcopy(wf)
    lint(backends, sub(wf), backend="standalone")
    assert wf == before
