"""Minimal diffs: the reported change count equals the minimal edit count (brute force) on generated graphs
with duplicated branches, and renumbered legacy workflows with one literal changed give exactly one change."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comfy_contract.snapshot.canonical import MISSING, NodeGraph, Normalisation, Ref, canonicalize
from comfy_contract.snapshot.diff import ChangeKind, diff
from comfy_contract.snapshot.store import Snapshot
from graph_samples import REPO, Workflow, renumber, renumberings, split_and_combine

EVERYTHING = Normalisation(volatile=(), text_sources=())


# --- an independent definition of the minimal edit count ------------------------------------------


def edit_cost(ga: NodeGraph, gb: NodeGraph, m: Mapping[str, str]) -> int:
    """Unpaired nodes count 1; a pair counts 1 for another class plus 1 per input that differs (absent on one
    side, another literal, a link that is not to the partner of the other side's source or not the same slot)."""
    cost = len(ga.nodes) - len(m) + len(gb.nodes) - len(m)
    for x, y in m.items():
        na, nb = ga.nodes[x], gb.nodes[y]
        cost += na.class_type != nb.class_type
        for name in na.inputs.keys() | nb.inputs.keys():
            va, vb = na.inputs.get(name), nb.inputs.get(name)
            if va is None or vb is None:
                cost += 1
            elif isinstance(va.raw, Ref) and isinstance(vb.raw, Ref):
                same_source = m.get(va.raw.node) == vb.raw.node or va.raw.node == vb.raw.node == MISSING
                cost += not (va.raw.slot == vb.raw.slot and same_source)
            elif isinstance(va.raw, Ref) or isinstance(vb.raw, Ref):
                cost += 1
            else:
                cost += repr(va.raw) != repr(vb.raw)
    return cost


def minimal_edit_count(ga: NodeGraph, gb: NodeGraph) -> int:
    """Brute force over every one-to-one partial mapping, pruned only by the cost so far (which never goes
    down as more nodes are decided: each input is counted once both its node and its source are decided)."""
    xs, ys = list(ga.nodes), list(gb.nodes)
    pos = {x: i for i, x in enumerate(xs)}
    best = len(xs) + len(ys)  # nothing paired

    def input_cost(x: str, y: str, name: str, m: Mapping[str, str], i: int) -> int | None:
        va, vb = ga.nodes[x].inputs.get(name), gb.nodes[y].inputs.get(name)
        if va is None or vb is None:
            return 1
        if isinstance(va.raw, Ref) and isinstance(vb.raw, Ref):
            if va.raw.node != MISSING and pos.get(va.raw.node, i + 1) > i:
                return None  # the source is not decided yet
            same = m.get(va.raw.node) == vb.raw.node or va.raw.node == vb.raw.node == MISSING
            return int(not (va.raw.slot == vb.raw.slot and same))
        if isinstance(va.raw, Ref) or isinstance(vb.raw, Ref):
            return 1
        return int(repr(va.raw) != repr(vb.raw))

    def added(i: int, m: dict[str, str]) -> int:
        """The cost that becomes known when xs[i] is decided (already in m, or absent: unpaired)."""
        x = xs[i]
        if x not in m:
            cost = 1
        else:
            y = m[x]
            cost = int(ga.nodes[x].class_type != gb.nodes[y].class_type)
            for name in ga.nodes[x].inputs.keys() | gb.nodes[y].inputs.keys():
                cost += input_cost(x, y, name, m, i) or 0
        for c_id, c_node in ga.nodes.items():  # links from decided consumers to x
            if pos[c_id] < i and c_id in m:
                for name, va in c_node.inputs.items():
                    if isinstance(va.raw, Ref) and va.raw.node == x:
                        cost += input_cost(c_id, m[c_id], name, m, i) or 0
        return cost

    def visit(i: int, cost: int, m: dict[str, str], used: set[str]) -> None:
        nonlocal best
        if cost >= best:
            return
        if i == len(xs):
            best = min(best, cost + len(ys) - len(used))
            return
        same_class = sorted(ys, key=lambda y: gb.nodes[y].class_type != ga.nodes[xs[i]].class_type)
        for y in [*same_class, None]:  # likely pairs first: the bound prunes sooner (the result is the same)
            if y is not None and y in used:
                continue
            if y is not None:
                m[xs[i]] = y
                used.add(y)
            visit(i + 1, cost + added(i, m), m, used)
            if y is not None:
                del m[xs[i]]
                used.discard(y)

    visit(0, 0, {}, set())
    return best


# --- generated graphs with duplicated branches ----------------------------------------------------


@st.composite
def branched(draw: st.DrawFn) -> Workflow:
    """Shared loader and latent, then 2-3 sampler branches drawn from few values (so often identical)."""
    wf: Workflow = {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd.safetensors"}},
        "2": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
    }
    for i in range(draw(st.integers(2, 3))):
        enc, smp, out = (str(10 * (i + 1) + k) for k in range(3))
        wf[enc] = {"class_type": "CLIPTextEncode", "inputs": {"text": draw(st.sampled_from(["cat", "dog"])),
                                                              "clip": ["1", 1]}}
        wf[smp] = {"class_type": "KSampler", "inputs": {"steps": draw(st.sampled_from([20, 30])), "model": ["1", 0],
                                                        "positive": [enc, 0], "latent_image": ["2", 0]}}
        wf[out] = {"class_type": "SaveImage", "inputs": {"images": [smp, 0]}}
    return wf


@st.composite
def edited(draw: st.DrawFn, wf: Workflow) -> Workflow:
    out = copy.deepcopy(wf)
    for _ in range(draw(st.integers(0, 3))):
        ids = sorted(out)
        nid = draw(st.sampled_from(ids))
        inputs = out[nid]["inputs"]
        kind = draw(st.sampled_from(["literal", "rewire", "remove", "add", "retype"]))
        if kind == "literal":
            name = draw(st.sampled_from(sorted(inputs)))
            if not isinstance(inputs[name], list):
                inputs[name] = draw(st.sampled_from([7, "bird", 512]))
        elif kind == "rewire":
            links = sorted(k for k, v in inputs.items() if isinstance(v, list))
            if links:
                inputs[draw(st.sampled_from(links))] = [draw(st.sampled_from(ids)), 0]
        elif kind == "remove" and len(out) > 3:
            del out[nid]
        elif kind == "add":
            out[str(100 + len(out))] = {"class_type": draw(st.sampled_from(["PreviewImage", "SaveImage"])),
                                        "inputs": {"images": [nid, 0]}}
        elif kind == "retype":
            out[nid]["class_type"] = draw(st.sampled_from(["KSampler", "CLIPTextEncode", "VAEDecode"]))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), wf=branched())
def test_the_reported_change_count_is_the_minimal_edit_count(data: st.DataObject, wf: Workflow) -> None:
    a = data.draw(edited(wf))
    b = data.draw(renumberings(data.draw(edited(wf))))
    ga, gb = canonicalize(a, EVERYTHING).graph, canonicalize(b, EVERYTHING).graph
    assert ga is not None
    assert gb is not None
    result = diff(a, b, EVERYTHING)
    assert not result.ignored
    minimal = minimal_edit_count(ga, gb)
    assert len(result.changes) == minimal


def test_the_brute_force_counts_what_it_should() -> None:
    a = {"1": {"class_type": "A", "inputs": {"x": 1}}, "2": {"class_type": "SaveImage", "inputs": {"i": ["1", 0]}}}
    b = copy.deepcopy(a)
    b["1"]["inputs"]["x"] = 2
    ga, gb = canonicalize(a, EVERYTHING).graph, canonicalize(b, EVERYTHING).graph
    assert ga is not None
    assert gb is not None
    assert minimal_edit_count(ga, ga) == 0
    assert minimal_edit_count(ga, gb) == 1
    b["1"]["class_type"] = "B"
    gb = canonicalize(b, EVERYTHING).graph
    assert gb is not None
    assert minimal_edit_count(ga, gb) == 2  # replaced + its literal (vs removed + added + the link: 3)


# --- the measured cases ------------------------------------------------------------------------------


@pytest.mark.parametrize("branch", ["3", "114", "121", "128"])
def test_one_literal_in_one_of_four_sampler_branches_is_one_change(branch: str) -> None:
    a = split_and_combine()
    mapping = {k: str(5000 - int(k)) for k in a}
    b = renumber(a, mapping, sorted(a, reverse=True), reverse_inputs=True)
    b[mapping[branch]]["inputs"]["steps"] = 7
    for norm in (EVERYTHING, Normalisation()):
        (change,) = diff(a, b, norm).changes
        assert (change.kind, change.input, change.a, change.b, change.old, change.new) == (
            ChangeKind.LITERAL_CHANGED, "steps", (branch,), (mapping[branch],), 20, 7)


def _snapshots() -> list[Path]:
    return sorted((REPO / "legacy_snapshots").glob("*.json"))


def _first_literal(wf: Workflow, norm: Normalisation) -> tuple[str, str, Any]:
    """A literal of a node that feeds an output and that no rule hides: a number, else a string."""
    graph = canonicalize(wf, norm).graph
    assert graph is not None
    for kind in (int, str):
        for nid, node in sorted(graph.nodes.items()):
            for name, value in sorted(node.inputs.items()):
                if value.rule is None and type(value.raw) is kind and name != "_meta":
                    new = value.raw + 1 if kind is int else f"{value.raw}-changed"
                    return nid, name, new
    raise AssertionError("no literal to change")


@pytest.mark.parametrize("path", _snapshots(), ids=lambda p: p.name)
def test_every_bundled_snapshot_round_trips(path: Path) -> None:
    snap = Snapshot.from_dict(json.loads(path.read_text(encoding="utf-8")), source=str(path))
    wf = dict(snap.workflow)
    mapping = {k: f"n{i}" for i, k in enumerate(sorted(wf, reverse=True))}
    moved = renumber(wf, mapping, sorted(wf), reverse_inputs=True)
    assert diff(wf, moved, snap.normalisation).equal
    nid, name, new = _first_literal(wf, snap.normalisation)
    moved[mapping[nid]]["inputs"][name] = new
    result = diff(wf, moved, snap.normalisation)
    (change,) = result.changes
    assert (change.kind, change.a, change.b, change.input) == (ChangeKind.LITERAL_CHANGED, (nid,), (mapping[nid],),
                                                                name)
