"""The public strategies keep the invariants the campaign relies on (each test names one)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from comfy_contract.fuzz import strategies as cst
from comfy_contract.render.model import RenderInputs
from comfy_contract.validation.catalog import InputSpec

FEW = settings(max_examples=60, database=None, deadline=None)
STEPS = InputSpec("steps", "required", "INT", {"min": 1, "max": 10000}, ["INT", {"min": 1, "max": 10000}])
CFG = InputSpec("cfg", "required", "FLOAT", {"min": 0.0, "max": 100.0, "step": 0.1}, ["FLOAT", {}])
SAMPLER = InputSpec("sampler_name", "required", ["euler", "dpmpp_2m"], {}, [["euler", "dpmpp_2m"]])


@FEW
@given(cst.user_texts())
def test_default_text_is_never_blank_and_never_forms_a_placeholder(text: str) -> None:
    # realistic text must not trip the app's {{...}} substitution on every config (false positives)
    assert text.strip()
    assert "{" not in text
    assert "}" not in text


@FEW
@given(cst.llm_texts(placeholders=("NOMEN", "ORT")))
def test_llm_text_braces_come_only_from_the_given_placeholders(text: str) -> None:
    stripped = text.replace("{{NOMEN}}", "").replace("{{ORT}}", "")
    assert "{" not in stripped
    assert "}" not in stripped


@FEW
@given(cst.split_outputs(("part_a", "part_b")))
def test_split_outputs_are_json_objects_with_exactly_the_required_non_blank_keys(text: str) -> None:
    answer = json.loads(text)
    assert sorted(answer) == ["part_a", "part_b"]
    assert all(isinstance(v, str) and v.strip() for v in answer.values())


@FEW
@given(st.data())
def test_parameter_values_inside_stay_in_range_and_outside_leave_it(data: st.DataObject) -> None:
    inside = data.draw(cst.parameter_values(STEPS))
    assert 1 <= inside <= 10000
    cfg = data.draw(cst.parameter_values(CFG))
    assert 0.0 <= cfg <= 100.0
    assert data.draw(cst.parameter_values(SAMPLER)) in ("euler", "dpmpp_2m")
    outside = data.draw(cst.parameter_values(STEPS, inside=False, outside=True))
    assert not (isinstance(outside, int) and 1 <= outside <= 10000)
    assert data.draw(cst.parameter_values(SAMPLER, inside=False, outside=True)) not in ("euler", "dpmpp_2m")


@FEW
@given(cst.seeds())
def test_seeds_are_random_or_in_comfyui_range(seed: object) -> None:
    assert seed == "random" or (isinstance(seed, int) and 0 <= seed <= cst.SEED_MAX)


@FEW
@given(cst.custom_placeholders(names=("STIL",), avoid=("WIDTH", "STIL")))
def test_custom_placeholders_never_collide_with_avoided_names(custom: dict[str, object]) -> None:
    assert "WIDTH" not in custom
    assert "STIL" not in custom


@FEW
@given(cst.render_inputs(llm_outputs={"manipulate": cst.llm_texts()}, parameters={"STEPS": st.just(4)}))
def test_render_inputs_round_trip_through_their_json_form(inputs: RenderInputs) -> None:
    # reproducers store inputs as JSON: what is drawn must come back unchanged
    assert RenderInputs.from_dict(json.loads(json.dumps(inputs.to_dict()))) == inputs
