"""The canonical form: what normalisation keeps, drops and masks, and that ids and order never matter."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.snapshot.canonical import VOLATILE, Normalisation, canonicalize, match
from graph_samples import BASES, base_workflows, legacy, renumber, renumberings, sdxl, twenty_nodes


def _node(graph_form: dict, class_type: str) -> list[dict]:
    return [n for n in graph_form.values() if n["class_type"] == class_type]


# --- invariant: a workflow equals any renumbering/reordering of itself -------------------------------


@settings(max_examples=60, deadline=None)
@given(data=st.data(), wf=base_workflows)
def test_renumbering_and_reordering_do_not_change_the_canonical_form(data: st.DataObject, wf: dict) -> None:
    other = data.draw(renumberings(wf))
    assert canonicalize(other) == canonicalize(wf)
    assert canonicalize(other).form == canonicalize(wf).form


def test_ids_map_labels_back_to_the_original_node_ids() -> None:
    wf = sdxl()
    moved = renumber(wf, {k: str(int(k) * 10) for k in wf}, list(wf), reverse_inputs=False)
    a, b = canonicalize(wf), canonicalize(moved)
    assert a == b
    for label, ids in a.ids.items():
        assert b.ids[label] == tuple(str(int(i) * 10) for i in ids)


# --- normalisation ---------------------------------------------------------------------------------------


def test_notes_and_meta_are_dropped_unless_asked() -> None:
    wf = legacy("vector_fusion_linear_clip")
    graph = canonicalize(wf)
    assert not _node(dict(graph.form), "Note")
    assert all("_meta" not in n for n in graph.form.values())
    titled = canonicalize(wf, Normalisation(keep_meta=True))
    assert {n["_meta"]["title"] for n in titled.form.values()} >= {"ai4artsed_text_prompt", "Teil B"}


def test_seeds_prefixes_and_prompt_texts_are_volatile_but_an_empty_prompt_is_not() -> None:
    graph = canonicalize(sdxl(prompt=""))
    (sampler,) = _node(dict(graph.form), "KSampler")
    (save,) = _node(dict(graph.form), "SaveImage")
    texts = sorted(n["inputs"]["text"] for n in _node(dict(graph.form), "CLIPTextEncode"))
    assert sampler["inputs"]["seed"] == VOLATILE
    assert save["inputs"]["filename_prefix"] == VOLATILE
    assert texts == ["", VOLATILE]
    assert canonicalize(sdxl(prompt="a")) == canonicalize(sdxl(prompt="b"))
    assert canonicalize(sdxl(prompt="a")) != canonicalize(sdxl(prompt=""))


def test_volatile_rules_are_configurable_by_class_and_by_title() -> None:
    strict = Normalisation(volatile=())
    assert canonicalize(sdxl(prompt="a"), strict) != canonicalize(sdxl(prompt="b"), strict)
    by_title = Normalisation(volatile=("@Positive.text",))
    assert canonicalize(sdxl(prompt="a"), by_title) == canonicalize(sdxl(prompt="b"), by_title)
    with pytest.raises(ComfyContractError, match="no input part"):
        Normalisation(volatile=("KSampler",))


def test_floats_compare_to_the_configured_significant_digits_and_numeric_strings_as_numbers() -> None:
    assert canonicalize(sdxl(cfg=7.0)) == canonicalize(sdxl(cfg=7.0000001))
    assert canonicalize(sdxl(cfg=7.0), Normalisation(float_digits=12)) != canonicalize(
        sdxl(cfg=7.0000001), Normalisation(float_digits=12))
    assert canonicalize(sdxl(cfg=7.0)) == canonicalize(sdxl(cfg=7))
    stringified = sdxl()
    stringified["5"]["inputs"]["width"] = "1024"
    assert canonicalize(stringified) == canonicalize(sdxl())
    assert canonicalize(stringified, Normalisation(numeric_strings=False)) != canonicalize(sdxl())


def test_only_nodes_that_feed_an_output_are_kept() -> None:
    wf = sdxl()
    wf["50"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "orphan", "clip": ["4", 1]}}
    assert canonicalize(wf) == canonicalize(sdxl())
    every_node = Normalisation(outputs_only=False)
    assert canonicalize(wf, every_node) != canonicalize(sdxl(), every_node)


def test_llm_nodes_are_opaque_text_sources() -> None:
    with_llm = sdxl()
    with_llm["20"] = {"class_type": "ai4artsed_ollama", "inputs": {"model": "llama3:8b", "prompt": "x"}}
    with_llm["6"]["inputs"]["text"] = ["20", 0]
    graph = canonicalize(with_llm)
    assert not _node(dict(graph.form), "ai4artsed_ollama")
    assert graph == canonicalize(sdxl(prompt="whatever the LLM said"))
    no_sources = Normalisation(text_sources=())
    assert _node(dict(canonicalize(with_llm, no_sources).form), "ai4artsed_ollama")


def test_a_prompt_body_is_compared_by_its_workflow() -> None:
    body = {"prompt": sdxl(), "client_id": "3f2a9c"}
    assert canonicalize(body) == canonicalize(sdxl())


def test_masked_look_alike_nodes_stay_apart_by_where_they_go() -> None:
    graph = canonicalize(legacy("vector_fusion_linear_clip"))
    encoders = [k for k in graph.form if k.startswith("CLIPTextEncode")]
    assert len(encoders) == 3  # part A, part B and negative: same inputs after masking, different roles


def test_identical_duplicates_collapse_with_a_count() -> None:
    wf = sdxl()
    wf["10"] = copy.deepcopy(wf["9"])
    graph = canonicalize(wf)
    (save,) = _node(dict(graph.form), "SaveImage")
    assert save["count"] == 2
    assert graph != canonicalize(sdxl())


def test_a_non_object_is_a_usage_error() -> None:
    with pytest.raises(ComfyContractError, match="API-format workflow"):
        canonicalize([1, 2])  # type: ignore[arg-type]


def test_normalisation_round_trips_through_its_dict_and_rejects_unknown_keys() -> None:
    norm = Normalisation(volatile=("*.seed",), float_digits=4)
    assert Normalisation.from_dict(norm.to_dict()) == norm
    with pytest.raises(ComfyContractError, match="unknown normalisation option"):
        Normalisation.from_dict({"volatil": []})


# --- matching ------------------------------------------------------------------------------------


def test_matching_pairs_every_node_of_equal_graphs() -> None:
    a = canonicalize(twenty_nodes())
    m = match(a, a)
    assert not m.only_a
    assert not m.only_b
    assert all(la == lb for la, lb in m.pairs)


def test_matching_sees_through_a_removed_fusion_node() -> None:
    fusion = canonicalize(BASES["vector_fusion"])
    plain = canonicalize(BASES["sd35_chunk"])
    m = match(fusion, plain)
    removed = sorted(fusion.class_type(label) for label in m.only_a)
    assert removed == ["CLIPTextEncode", "ai4artsed_conditioning_fusion"]
    assert not m.only_b
