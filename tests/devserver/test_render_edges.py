from __future__ import annotations

from pathlib import Path

import pytest

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.render.devserver import DevserverGenerator, DevserverOptions
from comfy_contract.render.model import RenderInputs

from .helpers import OUTPUT_KEYS, make_tree, write


def codes(root: Path, config: str = "out", mode: str = "eco", options: DevserverOptions | None = None,
          inputs: RenderInputs | None = None) -> list[str]:
    return [f.code for f in DevserverGenerator(root, options).render(config, mode, inputs).findings]


def test_plain_render_fills_prompt_steps_and_seed(tmp_path: Path) -> None:
    rendered = DevserverGenerator(make_tree(tmp_path)).render("out", "eco", RenderInputs(user_text="a cat"))
    workflow = rendered.submissions[0].workflow
    assert workflow["6"]["inputs"]["text"] == "a cat"
    assert workflow["3"]["inputs"]["steps"] == "20"  # the app's str(value)
    assert isinstance(workflow["3"]["inputs"]["seed"], int)
    assert [f.code for f in rendered.findings] == ["R005", "R012"]
    assert rendered.submissions[0].body == {"prompt": workflow, "client_id": "comfy-contract"}


def test_typed_templates_keep_numbers(tmp_path: Path) -> None:
    generator = DevserverGenerator(make_tree(tmp_path), DevserverOptions(typed_templates=True))
    rendered = generator.render("out", "eco")
    assert rendered.submissions[0].workflow["3"]["inputs"]["steps"] == 20
    assert "R005" not in [f.code for f in rendered.findings]


def test_list_form_mapping_writes_every_node(tmp_path: Path) -> None:
    root = make_tree(tmp_path, mappings={"steps": [{"node_id": "3", "field": "inputs.steps"},
                                                   {"node_id": "6", "field": "inputs.steps"}]})
    submission = DevserverGenerator(root).render("out", "eco").submissions[0]
    assert submission.workflow["3"]["inputs"]["steps"] == submission.workflow["6"]["inputs"]["steps"] == "20"
    assert [i.pointer for i in submission.injections] == ["/input_mappings/steps/0", "/input_mappings/steps/1"]


def test_prompt_injection_by_title_and_fallback(tmp_path: Path) -> None:
    root = make_tree(tmp_path, mappings={}, extra={"chunks/wf2.json": {
        **OUTPUT_KEYS, "input_mappings": {},
        "name": "wf2", "workflow": {"6": {"class_type": "X", "inputs": {"value": ""},
                                                                 "_meta": {"title": "ai4artsed_text_prompt"}}},
        "prompt_injection": {"search_by_title": "ai4artsed_text_prompt", "fallback_node": "9"}}})
    write(root, "chunks/wf.json", {**OUTPUT_KEYS, "input_mappings": {}, "name": "wf", "workflow": {"6": {
        "class_type": "X", "inputs": {"text": ""}}}, "prompt_injection": {
        "search_by_title": "nothing", "fallback_node": "6", "fallback_field": "inputs.text"}})
    write(root, "configs/output/out2.json", {"pipeline": "gen", "meta": {"stage": "output"},
                                             "parameters": {"OUTPUT_CHUNK": "wf2", "STEPS": 1, "SEED": 1}})
    text = RenderInputs(user_text="hi")
    assert DevserverGenerator(root).render("out", "eco", text).submissions[0].workflow["6"]["inputs"]["text"] == "hi"
    second = DevserverGenerator(root).render("out2", "eco", text).submissions[0]
    assert second.workflow["6"]["inputs"]["value"] == "hi"
    assert [(i.role, i.pointer) for i in second.injections] == [("prompt", "/prompt_injection")]


def test_placeholder_cycle_is_an_error_finding_and_stays_literal(tmp_path: Path) -> None:
    root = make_tree(tmp_path, params={"STEPS": "{{A}}", "A": "{{STEPS}}"})
    rendered = DevserverGenerator(root).render("out", "eco")
    (cycle,) = [f for f in rendered.findings if f.code == "R014"]
    assert "STEPS -> A -> STEPS" in cycle.message
    assert cycle.path == "/parameters/STEPS"
    assert "{{" in rendered.submissions[0].workflow["3"]["inputs"]["steps"]
    assert "R002" in [f.code for f in rendered.findings]


def test_literal_placeholder_in_chunk_points_into_the_chunk(tmp_path: Path) -> None:
    root = make_tree(tmp_path, mappings={})
    write(root, "chunks/wf.json", {**OUTPUT_KEYS, "input_mappings": {}, "name": "wf", "workflow": {
        "3": {"class_type": "KSampler", "inputs": {"cfg": "{{CFG}}"}}}})
    (finding,) = [f for f in DevserverGenerator(root).render("out", "eco").findings if f.code == "R002"]
    assert finding.file is not None
    assert finding.file.endswith("chunks/wf.json")
    assert finding.path == "/workflow/3/inputs/cfg"


def test_resolve_sources_option(tmp_path: Path) -> None:
    root = make_tree(tmp_path, mappings={"clip": {"node_id": "6", "field": "inputs.text", "source": "{{PART_A}}"}},
                     proxy={"output_chunk": "{{OUTPUT_CHUNK}}", "part_a": "{{PREVIOUS_OUTPUT}}"})
    assert "R004" in codes(root)
    fixed = DevserverGenerator(root, DevserverOptions(resolve_sources=True)).render(
        "out", "eco", RenderInputs(user_text="x"))
    assert fixed.submissions[0].workflow["6"]["inputs"]["text"] == "x"
    assert "R004" not in [f.code for f in fixed.findings]


def test_missing_pipeline_and_chunk_are_error_outcomes(tmp_path: Path) -> None:
    root = make_tree(tmp_path, extra={
        "configs/a.json": {"pipeline": "nope"},
        "configs/b.json": {"pipeline": "broken"},
        "pipelines/broken.json": {"name": "broken", "chunks": ["ghost"]},
        "configs/c.json": {"parameters": {}},
    })
    generator = DevserverGenerator(root)
    assert [(r.outcome, [f.code for f in r.findings]) for r in (generator.render(c, "eco") for c in "abc")] == [
        ("error", ["R007"]), ("error", ["R006"]), ("error", ["R008"])]


def test_output_chunk_that_does_not_exist(tmp_path: Path) -> None:
    root = make_tree(tmp_path, params={"OUTPUT_CHUNK": "ghost"})
    rendered = DevserverGenerator(root).render("out", "eco")
    assert (rendered.outcome, [f.code for f in rendered.findings]) == ("error", ["R005", "R006"])


def test_interception_mode_defaults_and_text_only(tmp_path: Path) -> None:
    root = make_tree(tmp_path, extra={
        "configs/interception/i.json": {"pipeline": "llm", "media_preferences": {"default_output": "image"}},
        "pipelines/llm.json": {"name": "llm", "chunks": ["say"]},
        "chunks/say.json": {"name": "say", "template": "{{INPUT_TEXT}}"},
        "output_config_defaults.json": {"_c": "x", "image": {"eco": "out", "fast": None}},
    })
    generator = DevserverGenerator(root)
    eco = generator.render("i", "eco", RenderInputs(llm_outputs={"say": "stage two"}))
    assert eco.outcome == "workflow"
    assert eco.submissions[0].workflow["6"]["inputs"]["text"] == "stage two"
    assert eco.submissions[0].output_config == "out"
    fast = generator.render("i", "fast")
    assert (fast.outcome, [f.code for f in fast.findings]) == ("text", ["R010"])
    chosen = generator.render("i", "fast", RenderInputs(output_config="missing"))
    assert (chosen.outcome, [f.code for f in chosen.findings]) == ("error", ["R009"])


def test_llm_json_keys_become_placeholders(tmp_path: Path) -> None:
    root = make_tree(tmp_path, proxy={"output_chunk": "{{OUTPUT_CHUNK}}", "prompt": "{{PART_A}} / {{PART_B}}"},
                     extra={"pipelines/gen.json": {"name": "gen", "chunks": ["split", "route"],
                                                   "input_requirements": {"split_text": {"part_a": "string",
                                                                                         "part_b": "string"}}},
                            "chunks/split.json": {"name": "split", "template": "{{INPUT_TEXT}}"}})
    workflow = DevserverGenerator(root).render("out", "eco", RenderInputs(user_text="u")).submissions[0].workflow
    assert workflow["6"]["inputs"]["text"] == "u (part_a) / u (part_b)"


def test_stub_node_for_a_missing_mapping_target(tmp_path: Path) -> None:
    root = make_tree(tmp_path, mappings={"prompt": {"node_id": 99, "field": "inputs.text"}})
    dropped = DevserverGenerator(root).render("out", "eco")
    assert "99" not in dropped.submissions[0].workflow
    (r003,) = [f for f in dropped.findings if f.code == "R003"]
    assert (r003.node_id, r003.path) == ("99", "/input_mappings/prompt/node_id")
    stubbed = DevserverGenerator(root, DevserverOptions(stub_missing_nodes=True)).render("out", "eco")
    assert stubbed.submissions[0].workflow["99"] == {"inputs": {"text": RenderInputs().user_text}}


def test_unknown_config_and_mode_are_usage_errors(tmp_path: Path) -> None:
    generator = DevserverGenerator(make_tree(tmp_path))
    with pytest.raises(ComfyContractError, match="no config named 'nope'"):
        generator.render("nope", "eco")
    with pytest.raises(ComfyContractError, match="unknown execution mode 'turbo'"):
        generator.render("out", "turbo")


def _diffusers_tree(tmp_path: Path, meta: dict[str, object]) -> Path:
    root = make_tree(tmp_path, params={"OUTPUT_CHUNK": "dx"})
    write(root, "chunks/dx.json", {"name": "dx", "type": "output_chunk", "backend_type": "diffusers",
                                   "media_type": "image", "input_mappings": {}, "meta": meta})
    return root


@pytest.mark.parametrize(("pins", "outcome", "code", "severity"), [
    ({}, "backend", "R018", "warning"),  # GPU service down: a gap while it is down, not a broken config
    ({"gpu_service": "up"}, "backend", "R015", "info"),
    ({"diffusers_enabled": False}, "error", "R017", "error"),  # disabled: the app always fails
])
def test_direct_backend_without_fallback(tmp_path: Path, pins: dict[str, object], outcome: str, code: str,
                                         severity: str) -> None:
    rendered = DevserverGenerator(_diffusers_tree(tmp_path, {}), DevserverOptions(behaviour=pins)).render("out", "eco")
    assert rendered.outcome == outcome
    (finding,) = [f for f in rendered.findings if f.code == code]
    assert finding.severity.value == severity


def test_direct_backend_falls_back_to_its_fallback_chunk(tmp_path: Path) -> None:
    rendered = DevserverGenerator(_diffusers_tree(tmp_path, {"fallback_chunk": "wf"})).render("out", "eco")
    assert [s.chunk for s in rendered.submissions] == ["wf"]
    assert "R018" in [f.code for f in rendered.findings]


def test_unknown_behaviour_pin_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ComfyContractError, match="not a known switch"):
        DevserverGenerator(make_tree(tmp_path), DevserverOptions(behaviour={"gpu": "up"}))


def test_behaviour_is_read_from_the_apps_engine_files(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    write(root, "engine/backend_router.py", "def _process_image_chunk_simple(): ...\n")
    generator = DevserverGenerator(root)
    assert generator.behaviour.simple_image_api
    assert not generator.behaviour.mode_models  # with an engine, only its markers count
    rendered = generator.render("out", "eco")  # an image chunk now goes to SwarmUI's simple API
    assert (rendered.outcome, rendered.route) == ("backend", "swarmui-text2image")
    assert {"R015", "R016"} <= {f.code for f in rendered.findings}


def test_two_call_stage_two_submits_twice_and_feeds_the_first_answer_back(tmp_path: Path) -> None:
    # 48b6cbb^..65ebe44: the execute route reruns the pipeline to optimise for the target output chunk, and the
    # second run's input is the first run's answer - for a workflow step the marker 'workflow_generated'
    root = make_tree(tmp_path / "devserver" / "schemas", params={"SEED": 7}, extra={
        "engine/backend_router.py": "_process_image_chunk_simple requires_workflow get_swarmui_client\n",
        "../my_app/routes/schema_pipeline_routes.py": "result2 = await pipeline_executor.execute_pipeline(\n",
        "output_config_defaults.json": {"image": {"eco": "out", "fast": "out"}}})
    write(root, "chunks/wf.json", {**OUTPUT_KEYS, "name": "wf", "media_type": "image", "requires_workflow": True,
                                   "workflow": {"6": {"class_type": "CLIPTextEncode", "inputs": {"text": ""}}},
                                   "input_mappings": {"prompt": {"node_id": "6", "field": "inputs.text"}},
                                   "meta": {"optimization_instruction": "describe it as one frozen frame"}})
    config = {"pipeline": "gen", "meta": {"stage": "output"}, "media_preferences": {"default_output": "image"},
              "parameters": {"OUTPUT_CHUNK": "wf", "STEPS": 20, "SEED": 7}}
    write(root, "configs/output/out.json", config)
    rendered = DevserverGenerator(root).render("out", "eco", RenderInputs(user_text="a fox"))
    texts = [s.workflow["6"]["inputs"]["text"] for s in rendered.submissions]
    assert texts == ["a fox", "workflow_generated"]
    assert {s.transport for s in rendered.submissions} == {"swarmui"}
    assert any(f.code == "R015" and "second time" in f.message for f in rendered.findings)


def test_a_config_name_with_a_lone_surrogate_still_renders(tmp_path: Path) -> None:
    root = make_tree(tmp_path, extra={"configs/output/odd.json": {
        "name": "odd\ud800", "pipeline": "gen", "meta": {"stage": "output"},
        "parameters": {"OUTPUT_CHUNK": "wf", "STEPS": 20, "SEED": "random"}}})
    rendered = DevserverGenerator(root).render("odd\ud800", "eco")
    assert rendered.outcome == "workflow"


def test_a_fallback_chunk_without_a_workflow_fails_where_the_fallback_is_declared(tmp_path: Path) -> None:
    # 08a54d7: sd35_large_turbo's Diffusers chunk falls back to another Diffusers chunk (an app bug)
    root = _diffusers_tree(tmp_path, {"fallback_chunk": "dy"})
    write(root, "chunks/dy.json", {"name": "dy", "type": "output_chunk", "backend_type": "diffusers",
                                   "media_type": "image", "input_mappings": {}})
    rendered = DevserverGenerator(root).render("out", "eco")
    (finding,) = [f for f in rendered.findings if f.code == "R017"]
    assert finding.file is not None
    assert finding.file.endswith("chunks/dx.json")
    assert finding.path == "/meta/fallback_chunk"
    assert "No workflow found in chunk 'dy'" in finding.message
