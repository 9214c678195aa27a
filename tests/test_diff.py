"""Graph-aware diffs: what each kind of change looks like, and the invariants that tie diff, canonical
form and the stored Delta together."""

from __future__ import annotations

import copy
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.snapshot.canonical import canonicalize
from comfy_contract.snapshot.diff import ChangeKind, apply_delta, diff
from comfy_contract.snapshot.store import legacy_normalise
from graph_samples import BASES, base_workflows, legacy, mutated, renumberings, sdxl

# --- invariants --------------------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(data=st.data(), wf=base_workflows)
def test_diff_is_empty_iff_the_canonical_forms_are_equal(data: st.DataObject, wf: dict) -> None:
    a = data.draw(mutated(wf))
    b = data.draw(renumberings(data.draw(mutated(wf))))
    result = diff(a, b)
    assert result.equal == (canonicalize(a) == canonicalize(b))
    assert result.equal == (not result.changes)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), wf=base_workflows)
def test_applying_the_stored_delta_reproduces_the_new_form(data: st.DataObject, wf: dict) -> None:
    a = data.draw(mutated(wf))
    b = data.draw(renumberings(data.draw(mutated(wf))))
    rows = json.loads(json.dumps(diff(a, b).delta_rows()))  # stored as JSON, read back
    assert apply_delta(canonicalize(a).form, rows) == dict(canonicalize(b).form)


# --- what changes look like ----------------------------------------------------------------------


def test_vector_fusion_fallback_shows_the_missing_fusion_and_the_empty_prompt() -> None:
    result = diff(legacy_normalise(legacy("vector_fusion_linear_clip")), BASES["sd35_chunk"])
    kinds = [(c.kind, c.class_type, c.input) for c in result.changes]
    assert (ChangeKind.NODE_REMOVED, "ai4artsed_conditioning_fusion", None) in kinds
    assert (ChangeKind.NODE_REMOVED, "CLIPTextEncode", None) in kinds
    rewired = next(c for c in result.changes if c.kind is ChangeKind.LINK_REWIRED)
    assert (rewired.class_type, rewired.input, rewired.a, rewired.b) == ("KSampler", "positive", ("9",), ("3",))
    assert rewired.old == {"link": ["6", 0], "class_type": "ai4artsed_conditioning_fusion"}
    assert rewired.new == {"link": ["6", 0], "class_type": "CLIPTextEncode"}
    text = next(c for c in result.changes if c.kind is ChangeKind.LITERAL_CHANGED and c.a == ("4",))
    assert (text.old, text.new, text.pointer("a"), text.pointer("b")) == ("<volatile>", "", "/4/inputs/text",
                                                                           "/6/inputs/text")
    rendered = result.to_text()
    assert "node-removed     ai4artsed_conditioning_fusion  a:6" in rendered
    assert "KSampler.positive  a:/9/inputs/positive ← ai4artsed_conditioning_fusion a:6[0]" in rendered


def test_literal_changes_name_both_node_ids_and_paths() -> None:
    a = sdxl(steps=30)
    b = {str(int(k) + 100): v for k, v in copy.deepcopy(sdxl(steps=20)).items()}
    for node in b.values():
        node["inputs"] = {k: [str(int(v[0]) + 100), v[1]] if isinstance(v, list) else v
                          for k, v in node["inputs"].items()}
    (change,) = diff(a, b).changes
    assert change.to_dict() == {
        "kind": "literal-changed", "structural": False, "class_type": "KSampler", "a": ["3"], "b": ["103"],
        "input": "steps", "path_a": "/3/inputs/steps", "path_b": "/103/inputs/steps", "old": 30, "new": 20,
        "ignored_by": None,
    }


def test_a_replaced_node_and_an_added_output() -> None:
    b = sdxl()
    b["5"]["class_type"] = "EmptySD3LatentImage"
    b["10"] = {"class_type": "PreviewImage", "inputs": {"images": ["8", 0]}}
    kinds = {c.kind for c in diff(sdxl(), b).changes}
    assert kinds == {ChangeKind.NODE_REPLACED, ChangeKind.OUTPUT_ADDED}


def test_inputs_added_and_removed_and_links_that_became_literals() -> None:
    b = sdxl()
    b["3"]["inputs"]["denoise_extra"] = 0.5
    del b["5"]["inputs"]["batch_size"]
    b["7"]["inputs"]["clip"] = "not a link"
    kinds = sorted(str(c.kind) for c in diff(sdxl(), b).changes)
    assert kinds == ["input-added", "input-removed", "link-rewired"]


def test_equal_graphs_give_an_empty_diff_with_no_delta() -> None:
    result = diff(sdxl(), sdxl())
    assert result.equal
    assert not result
    assert result.delta_rows() == []
    assert result.to_text() == "equal: the canonical graphs are identical"
    assert json.loads(result.to_json()) == {
        "equal": True, "summary": {"changes": 0, "structural": 0, "literal": 0, "ignored": 0},
        "changes": [], "ignored": []}


def test_volatile_differences_are_listed_as_ignored_with_their_rule() -> None:
    result = diff(sdxl(), sdxl(prompt="other text"))
    assert result.equal
    (ignored,) = result.ignored
    assert (ignored.kind, ignored.input, ignored.old, ignored.new, ignored.ignored_by) == (
        ChangeKind.LITERAL_CHANGED, "text", "a lighthouse", "other text", "CLIPTextEncode*.text")
    assert result.to_text().splitlines() == [
        "equal after normalisation; 1 ignored difference (normalisation rules)",
        "  · literal-changed  CLIPTextEncode.text  a:/6/inputs/text 'a lighthouse'  →  "
        "b:/6/inputs/text 'other text'  (ignored: CLIPTextEncode*.text)",
    ]


def test_json_output_carries_the_delta_when_asked() -> None:
    result = diff(sdxl(steps=30), sdxl(steps=31))
    data = json.loads(result.to_json(with_delta=True))
    assert data["summary"] == {"changes": 1, "structural": 0, "literal": 1, "ignored": 0}
    assert apply_delta(result.a.form, data["delta"]) == dict(result.b.form)


def test_a_delta_that_does_not_fit_is_a_usage_error() -> None:
    rows = diff(sdxl(steps=30), sdxl(steps=31)).delta_rows()
    with pytest.raises(ComfyContractError, match="does not apply"):
        apply_delta(canonicalize(BASES["stable_audio"]).form, rows)
