"""The whole sample app, config by config: outcome, what is submitted, findings; plus the seeded defects."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from comfy_contract import Catalog, load_catalog, merge_catalogs, validate
from comfy_contract.render.devserver import DevserverGenerator, DevserverOptions
from comfy_contract.render.model import MODES, Rendered, RenderInputs

CATALOGS = Path(__file__).resolve().parents[2] / "contracts" / "catalogs"
SD35_PROMPT_CHAIN = ("R005", "R012")  # every proxy-routed render: numbers stringified, a random seed drawn

# config -> (outcome, chunks submitted, finding codes) for both modes unless split by mode
EXPECTED: dict[str, tuple[str, tuple[str | None, ...], tuple[str, ...]]] = {
    "bauhaus": ("workflow", ("output_image_sd35_large",), SD35_PROMPT_CHAIN),  # eco; fast below
    "dada": ("workflow", ("output_image_sd35_large",), SD35_PROMPT_CHAIN),
    "dual_encoder_fusion_image": ("workflow", ("output_image_t5_clip_fusion",), SD35_PROMPT_CHAIN),
    "dual_encoder_fusion_split": ("workflow", ("output_image_t5_clip_fusion_split",), ("R005", "R004", "R004", "R012")),
    "acestep_instrumental": ("error", (), ("R005", "R006")),
    "flux2_diffusers": ("error", (), ("R005", "R006")),
    "heartmula_song": ("backend", (), ("R005", "R015")),
    "p5js_code": ("text", (), ("R005", "R010")),
    "sd35_diffusers": ("workflow", ("output_image_sd35_large",), ("R005", "R018", "R012")),
    "stableaudio_legacy": ("workflow", (None,), ("R005", "R001")),
    "expressionismus": ("workflow", ("output_image_sdxl_dualclip", "output_image_sd35_large"),
                        ("R005", "R012", "R005", "R012")),
    "gpt_image_1": ("api", (), ("R010",)),
    "haiku": ("text", (), ("R010",)),
    "jugendstil": ("workflow", ("output_image_sdxl_dualclip",), SD35_PROMPT_CHAIN),
    "klangbild": ("workflow", ("output_audio_stable_audio",), SD35_PROMPT_CHAIN),
    "kubismus": ("workflow", ("output_image_sd35_large",), SD35_PROMPT_CHAIN),
    "lueckentext": ("workflow", ("output_image_sd35_large",), SD35_PROMPT_CHAIN),
    "maerchen": ("error", (), ("R008",)),
    "pixel_art": ("workflow", ("output_image_sdxl_dualclip",), SD35_PROMPT_CHAIN),
    "pop_art": ("error", (), ("R008",)),
    "pre_interception/safety_youth": ("text", (), ("R010",)),
    "pre_output/translation_en": ("text", (), ("R010",)),
    "renaissance": ("workflow", ("output_image_sd35_large",), ("R005", "R012", "R009")),
    "sd35_large": ("workflow", ("output_image_sd35_large",), SD35_PROMPT_CHAIN),
    "sd35_large_landscape": ("workflow", ("output_image_sd35_landscape",), ("R005", "R003", "R012")),
    "sd35_large_lowvram": ("workflow", ("output_image_sd35_lowvram",), SD35_PROMPT_CHAIN),
    "sd35_large_portrait": ("workflow", ("output_image_sd35_portrait",), SD35_PROMPT_CHAIN),
    "sd35_large_poster": ("workflow", ("output_image_sd35_poster",), ("R005",)),
    "sd35_large_styled": ("workflow", ("output_image_sd35_styled",), SD35_PROMPT_CHAIN),
    "sd35_large_turbo": ("workflow", ("output_image_sd35_turbo",), ("R005", "R012", "R002")),
    "sdxl_base": ("workflow", ("output_image_sdxl_base",), ("R005",)),
    "sdxl_dualclip": ("workflow", ("output_image_sdxl_dualclip",), SD35_PROMPT_CHAIN),
    "stable_audio_open": ("workflow", ("output_audio_stable_audio",), SD35_PROMPT_CHAIN),
    "text_only": ("text", (), ("R010",)),
    "u_lena_meine_collage": ("workflow", ("output_image_sd35_large",), SD35_PROMPT_CHAIN),
    "u_mr_schmidt_klimawandel_poster": ("api", (), ("R010",)),
    "vector_fusion_latent_aware": ("error", (), ("R005", "R006")),
    "vector_fusion_linear_clip": ("workflow", (None,), ("R001",)),
    "vector_fusion_spherical": ("workflow", ("output_image_vector_fusion",), SD35_PROMPT_CHAIN),
}
BY_MODE = {("bauhaus", "fast"): ("workflow", ("output_image_sd35_turbo",), ("R005", "R012", "R002"))}
CLEAN = ("sd35_large", "sd35_diffusers", "sdxl_dualclip", "stable_audio_open", "vector_fusion_spherical",
         "dual_encoder_fusion_image", "dada", "expressionismus", "jugendstil", "klangbild", "kubismus", "pixel_art",
         "u_lena_meine_collage")


@pytest.fixture(scope="module")
def generator(sample_app: Path) -> DevserverGenerator:
    return DevserverGenerator(sample_app / "schemas")


@pytest.fixture(scope="module")
def production() -> Catalog:
    return merge_catalogs([CATALOGS / "comfyui-0.3.75.json", CATALOGS / "packs/ai4artsed-nodes.json"])


@pytest.fixture(scope="module")
def standalone() -> Catalog:
    stock = load_catalog(CATALOGS / "comfyui-0.3.75.json")
    return stock.without_choices(["OfficialStableDiffusion/sd3.5_large.safetensors"])


def test_every_config_is_enumerated_with_the_apps_names(generator: DevserverGenerator) -> None:
    # .backup / .deprecated / .py files are not loaded; deactivated/ and user_configs/ are
    assert generator.configs() == sorted(EXPECTED)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("config", sorted(EXPECTED))
def test_config_renders_exactly_as_expected(generator: DevserverGenerator, config: str, mode: str) -> None:
    outcome, chunks, codes = BY_MODE.get((config, mode), EXPECTED[config])
    rendered = generator.render(config, mode)
    assert (rendered.outcome, tuple(s.chunk for s in rendered.submissions),
            tuple(f.code for f in rendered.findings)) == (outcome, chunks, codes)


def _render(generator: DevserverGenerator, config: str, mode: str = "eco") -> Rendered:
    return generator.render(config, mode)


def test_output_chunk_named_by_the_pipeline_submits_the_generators_sd35_graph(generator: DevserverGenerator) -> None:
    # defect 1, the historic vector-fusion failure: no proxy, so no output_chunk reaches the router
    rendered = _render(generator, "vector_fusion_linear_clip")
    (r001,) = [f for f in rendered.findings if f.code == "R001"]
    assert r001.file is not None
    assert r001.file.endswith("pipelines/vector_fusion_direct.json")
    assert r001.path == "/chunks/1"
    assert "sd35_standard" in r001.message
    workflow = rendered.submissions[0].workflow
    classes = {n["class_type"] for n in workflow.values()}
    assert "ai4artsed_conditioning_fusion" not in classes
    assert workflow["6"]["inputs"]["text"] == ""
    assert workflow["7"]["inputs"]["text"] == "watermark, text, bad quality"
    assert workflow["9"]["inputs"]["filename_prefix"] == "AI4ArtsEd_Schema"
    assert workflow["4"]["inputs"]["ckpt_name"] == "OfficialStableDiffusion/sd3.5_large.safetensors"


def test_unresolved_output_chunk_fails_in_the_app_instead_of_falling_back(generator: DevserverGenerator) -> None:
    # defect 2: a proxy whose {{OUTPUT_CHUNK}} stays unresolved -> "Output-Chunk '{{OUTPUT_CHUNK}}' not found"
    rendered = _render(generator, "vector_fusion_latent_aware")
    assert (rendered.outcome, rendered.submissions) == ("error", ())
    (r006,) = [f for f in rendered.findings if f.code == "R006"]
    assert "Output-Chunk '{{OUTPUT_CHUNK}}' not found" in r006.message
    assert r006.file is not None
    assert r006.file.endswith("configs/vector_fusion_latent_aware.json")


def test_lower_case_output_chunk_in_the_config_overrides_the_proxy(tmp_path: Path, sample_app: Path) -> None:
    # config parameters override the proxy's by key, lower case included: not a defect
    config = json.loads((sample_app / "schemas/configs/vector_fusion_latent_aware.json").read_text("utf-8"))
    config["parameters"]["output_chunk"] = "output_image_vector_fusion"
    shutil.copytree(sample_app / "schemas", tmp_path / "schemas")
    (tmp_path / "schemas/configs/vector_fusion_latent_aware.json").write_text(json.dumps(config), "utf-8")
    rendered = DevserverGenerator(tmp_path / "schemas").render("vector_fusion_latent_aware", "eco")
    assert [s.chunk for s in rendered.submissions] == ["output_image_vector_fusion"]


def test_generator_fallback_for_an_audio_config_is_an_image_graph(generator: DevserverGenerator) -> None:
    # defect 20: a proxy that names no output chunk -> the deprecated generator's SD3.5 *image* workflow
    rendered = _render(generator, "stableaudio_legacy")
    classes = {n["class_type"] for n in rendered.submissions[0].workflow.values()}
    assert {"SaveImage", "EmptyLatentImage"} <= classes
    assert "SaveAudio" not in classes
    (r001,) = [f for f in rendered.findings if f.code == "R001"]
    assert "sends no `output_chunk`" in r001.message


def test_gpu_backend_down_submits_the_fallback_chunk(sample_app: Path) -> None:
    down = DevserverGenerator(sample_app / "schemas").render("sd35_diffusers", "eco")
    assert [s.chunk for s in down.submissions] == ["output_image_sd35_large"]
    (r018,) = [f for f in down.findings if f.code == "R018"]
    assert "output_image_sd35_large" in r018.message
    up = DevserverGenerator(sample_app / "schemas", DevserverOptions(behaviour={"gpu_service": "up"}))
    rendered = up.render("sd35_diffusers", "eco")
    assert (rendered.outcome, rendered.route, rendered.submissions) == ("backend", "diffusers", ())
    assert "R015" in {f.code for f in rendered.findings}
    # defect 18: a fallback chunk that does not exist -> the app fails when the GPU service is down
    (r006,) = [f for f in _render(DevserverGenerator(sample_app / "schemas"), "flux2_diffusers").findings
               if f.code == "R006"]
    assert "Fallback chunk 'output_image_flux2' not found" in r006.message


def test_python_chunks_are_routed_not_rendered(generator: DevserverGenerator) -> None:
    song = _render(generator, "heartmula_song")
    assert (song.outcome, song.route) == ("backend", "python:output_music_heartmula")
    assert any(s.endswith("chunks/output_music_heartmula.py") for s in song.sources)
    # defect 19: neither chunks/output_audio_acestep.json nor .py exists
    (r006,) = [f for f in _render(generator, "acestep_instrumental").findings if f.code == "R006"]
    assert "Output-Chunk 'output_audio_acestep' not found" in r006.message
    assert _render(generator, "p5js_code").route == "text_passthrough"


def test_unresolved_placeholder_stays_literal_and_points_at_the_config(generator: DevserverGenerator) -> None:
    rendered = _render(generator, "sd35_large_turbo")
    assert rendered.submissions[0].workflow["3"]["inputs"]["steps"] == "{{STEPS}}"
    (r002,) = [f for f in rendered.findings if f.code == "R002"]
    assert (r002.node_id, r002.input, r002.path, r002.actual) == ("3", "steps", "/parameters", "{{STEPS}}")
    assert r002.file is not None
    assert r002.file.endswith("configs/output/sd35_large_turbo.json")


def test_malformed_config_is_reported_with_file_and_line(generator: DevserverGenerator) -> None:
    (finding,) = _render(generator, "pop_art").findings
    assert "configs/interception/pop_art.json:25:3: invalid JSON: Expecting ',' delimiter" in finding.message


def test_dict_template_is_an_unparseable_chunk(generator: DevserverGenerator) -> None:
    (finding,) = _render(generator, "maerchen").findings
    assert finding.file is not None
    assert (finding.code, finding.path) == ("R008", "/template")
    assert finding.file.endswith("chunks/manipulate_bilingual.json")


def test_mapping_to_a_missing_node_is_dropped_or_stubbed(sample_app: Path) -> None:
    dropped = DevserverGenerator(sample_app / "schemas").render("sd35_large_landscape", "eco")
    assert "6" not in dropped.submissions[0].workflow
    assert dropped.submissions[0].workflow["16"]["inputs"]["text"] == ""
    stub = DevserverGenerator(sample_app / "schemas", DevserverOptions(stub_missing_nodes=True))
    workflow = stub.render("sd35_large_landscape", "eco").submissions[0].workflow
    assert workflow["6"] == {"inputs": {"text": RenderInputs().user_text}}


def test_unresolved_mapping_sources_keep_the_chunks_literals(generator: DevserverGenerator, sample_app: Path) -> None:
    rendered = _render(generator, "dual_encoder_fusion_split")
    workflow = rendered.submissions[0].workflow
    chunk = json.loads((sample_app / "schemas/chunks/output_image_t5_clip_fusion_split.json").read_text("utf-8"))
    literals = (chunk["workflow"]["6"]["inputs"]["text"], chunk["workflow"]["14"]["inputs"]["text"])
    assert (workflow["6"]["inputs"]["text"], workflow["14"]["inputs"]["text"]) == literals
    assert [f.path for f in rendered.findings if f.code == "R004"] == [
        "/input_mappings/clip_prompt/source", "/input_mappings/t5_prompt/source"]
    keys = {i.key for i in rendered.submissions[0].injections}
    assert not keys & {"clip_prompt", "t5_prompt"}  # the app skips a mapping whose value is None


def test_split_llm_output_reaches_the_fusion_graph(generator: DevserverGenerator) -> None:
    inputs = RenderInputs(llm_outputs={"split_concepts": json.dumps({"part_a": "a forest", "part_b": "a city"})})
    submission = generator.render("vector_fusion_spherical", "eco", inputs).submissions[0]
    workflow = submission.workflow
    assert (workflow["6"]["inputs"]["text"], workflow["14"]["inputs"]["text"]) == ("a forest", "a city")
    assert workflow["15"]["inputs"]["interpolation_method"] == "spherical"
    roles = {i.key: i.role for i in submission.injections}
    assert (roles["part_a"], roles["seed"], roles["steps"]) == ("prompt", "seed", "parameter")


def test_injections_locate_the_prompt_mapping(generator: DevserverGenerator) -> None:
    (prompt,) = [i for i in _render(generator, "dada").submissions[0].injections if i.role == "prompt"]
    assert (prompt.node_id, prompt.field, prompt.pointer) == ("6", "inputs.text", "/input_mappings/prompt")
    assert prompt.file is not None
    assert prompt.file.endswith("chunks/output_image_sd35_large.json")


def test_sources_list_the_files_rendered_from(generator: DevserverGenerator) -> None:
    sources = [Path(s).relative_to(generator.root).as_posix() for s in _render(generator, "dada").sources]
    assert sources == [
        "configs/interception/dada.json", "pipelines/text_transformation.json", "chunks/manipulate.json",
        "configs/output/sd35_large.json", "pipelines/single_text_media_generation.json", "chunks/output_image.json",
        "chunks/output_image_sd35_large.json"]


def test_rendering_is_byte_stable_and_seeded(sample_app: Path) -> None:
    def body(seed: int) -> str:
        rendered = DevserverGenerator(sample_app / "schemas").render("dada", "eco", RenderInputs(seed=seed))
        return json.dumps(rendered.submissions[0].body, sort_keys=False)

    assert body(0) == body(0)
    assert body(0) != body(1)  # only the seed differs
    seed = json.loads(body(0))["prompt"]["3"]["inputs"]["seed"]
    assert isinstance(seed, int)
    assert 0 <= seed <= 2**32 - 1


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("config", CLEAN)
def test_clean_configs_validate_against_production(generator: DevserverGenerator, production: Catalog,
                                                   config: str, mode: str) -> None:
    rendered = generator.render(config, mode)
    assert rendered.submissions
    for submission in rendered.submissions:
        verdict = validate(dict(submission.workflow), production)
        assert verdict.accepted, [f.message for f in verdict.findings]
        assert not dict(verdict.body).get("node_errors")


# DEFECTS.md row -> (config, mode, how it is caught): a render code, or (backend, validator code, node id)
DEFECTS: dict[int, tuple[str, str, tuple[str, ...]]] = {
    1: ("vector_fusion_linear_clip", "eco", ("render", "R001")),
    2: ("vector_fusion_latent_aware", "eco", ("render", "R006")),
    3: ("sd35_large_turbo", "eco", ("production", "V015", "3")),
    4: ("bauhaus", "fast", ("production", "V015", "3")),
    5: ("sdxl_base", "eco", ("production", "V016", "3")),
    6: ("sd35_large_lowvram", "eco", ("production", "V010", "11")),
    7: ("vector_fusion_spherical", "eco", ("standalone", "V002", "15")),
    8: ("sd35_large", "eco", ("standalone", "V018", "4")),
    9: ("sd35_large_landscape", "eco", ("render", "R003")),
    11: ("dual_encoder_fusion_split", "eco", ("render", "R004")),
    15: ("renaissance", "eco", ("render", "R009")),
    16: ("pop_art", "eco", ("render", "R008")),
    17: ("maerchen", "eco", ("render", "R008")),
    18: ("flux2_diffusers", "eco", ("render", "R006")),
    19: ("acestep_instrumental", "eco", ("render", "R006")),
    20: ("stableaudio_legacy", "eco", ("render", "R001")),
}
# 10 (orphan prompt), 12 (fixed seed), 13 (shared filename_prefix) are lints; 14 is input-dependent:
LINT_ONLY = (10, 12, 13)


def _validator_codes(workflow: dict[str, object], catalog: Catalog) -> set[tuple[str, str | None]]:
    return {(f.code, f.node_id) for f in validate(workflow, catalog).findings}


@pytest.mark.parametrize("row", sorted(DEFECTS))
def test_seeded_defect_is_caught(generator: DevserverGenerator, production: Catalog, standalone: Catalog,
                                 row: int) -> None:
    config, mode, how = DEFECTS[row]
    rendered = generator.render(config, mode)
    if how[0] == "render":
        assert how[1] in {f.code for f in rendered.findings}
        return
    catalog = production if how[0] == "production" else standalone
    found = set().union(*(_validator_codes(dict(s.workflow), catalog) for s in rendered.submissions))
    assert (how[1], how[2]) in found


def test_every_defect_row_is_accounted_for(sample_app: Path) -> None:
    rows = {int(line.split("|")[1]) for line in (sample_app / "DEFECTS.md").read_text("utf-8").splitlines()
            if line.startswith("| ") and line.split("|")[1].strip().isdigit()}
    assert rows == set(DEFECTS) | set(LINT_ONLY) | {14}


def test_injections_expose_the_lint_only_defects(generator: DevserverGenerator) -> None:
    # 10: the prompt lands in node 6, which the styled chunk's KSampler does not consume
    styled = _render(generator, "sd35_large_styled").submissions[0]
    assert styled.workflow["3"]["inputs"]["positive"] == ["16", 0]
    assert [i.node_id for i in styled.injections if i.role == "prompt"] == ["6"]
    # 12: no seed injection at all
    poster = _render(generator, "sd35_large_poster").submissions[0]
    assert not [i for i in poster.injections if i.role == "seed"]
    assert poster.workflow["3"]["inputs"]["seed"] == 42


def test_llm_text_with_placeholders_is_substituted_a_second_time(generator: DevserverGenerator) -> None:
    # defect 14: the Stage-2 text names {{WIDTH}} and {{NOMEN}}; the app replaces the known one
    inputs = RenderInputs(llm_outputs={"manipulate": "ein {{NOMEN}} mit {{WIDTH}} Punkten"})
    rendered = generator.render("lueckentext", "eco", inputs)
    assert rendered.submissions[0].workflow["6"]["inputs"]["text"] == "ein {{NOMEN}} mit 1024 Punkten"
    codes = [f.code for f in rendered.findings]
    assert "R013" in codes
    assert "R002" in codes
