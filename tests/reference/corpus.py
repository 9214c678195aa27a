"""The differential corpus: valid base workflows and named mutation operators, as Hypothesis strategies.

``cases(kind)`` draws one :class:`Case` of a mutation kind. Base workflows are valid on the stock
catalog ``contracts/catalogs/comfyui-0.3.75.json`` and cheap to execute on a CPU ComfyUI without
models: loaders point at empty placeholder files (execution fails at load), image/latent sizes are
tiny. Mutations never link an *undeclared* input to a missing node in a prompt that would validate:
ComfyUI 0.3.75 accepts that and its prompt worker thread then dies at execution (reference §5.2).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from comfy_contract import Catalog, InputSpec, load_catalog

CATALOG_PATH = Path(__file__).resolve().parents[2] / "contracts" / "catalogs" / "comfyui-0.3.75.json"
CATALOG: Catalog = load_catalog(CATALOG_PATH)

Workflow = dict[str, Any]
Draw = Callable[[st.SearchStrategy[Any]], Any]


@dataclass(frozen=True)
class Case:
    """One corpus entry: the mutation kind, the base it started from, what was done, the workflow."""

    kind: str
    base: str
    steps: tuple[str, ...]
    workflow: Workflow

    def body(self) -> dict[str, Any]:
        return {"prompt": self.workflow, "client_id": "comfy-contract-reference"}


def _choices(class_type: str, name: str) -> list[Any]:
    spec = CATALOG.nodes[class_type].inputs[name]
    return list(spec.choices)


def _text() -> st.SearchStrategy[str]:
    return st.text(alphabet="abcdefghij ,.()", max_size=24)


# -- base workflows (valid) ---------------------------------------------------------------------------


@st.composite
def _txt2img(draw: Draw) -> Workflow:
    return {
        "4": {"class_type": "CheckpointLoaderSimple",
              "inputs": {"ckpt_name": draw(st.sampled_from(_choices("CheckpointLoaderSimple", "ckpt_name")))}},
        "5": {"class_type": "EmptyLatentImage",
              "inputs": {"width": draw(st.sampled_from([64, 128, 512])), "height": draw(st.sampled_from([64, 512])),
                         "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": draw(_text()), "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": draw(_text()), "clip": ["4", 1]}},
        "3": {"class_type": "KSampler", "inputs": {
            "seed": draw(st.integers(0, 2**64 - 1)), "steps": draw(st.integers(1, 40)),
            "cfg": draw(st.sampled_from([1.0, 6.5, 7.0, 8])),
            "sampler_name": draw(st.sampled_from(_choices("KSampler", "sampler_name"))),
            "scheduler": draw(st.sampled_from(_choices("KSampler", "scheduler"))),
            "denoise": draw(st.sampled_from([1.0, 0.5, 1])),
            "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"images": ["8", 0], "filename_prefix": draw(_text())}},
    }


@st.composite
def _sd3_dual_clip(draw: Draw) -> Workflow:
    """SD3 with a separate UNet, dual CLIP and PrimitiveString prompts."""
    clips = _choices("DualCLIPLoader", "clip_name1")
    wf: Workflow = {
        "1": {"class_type": "UNETLoader", "inputs": {
            "unet_name": draw(st.sampled_from(_choices("UNETLoader", "unet_name"))),
            "weight_dtype": draw(st.sampled_from(_choices("UNETLoader", "weight_dtype")))}},
        "2": {"class_type": "ModelSamplingSD3",
              "inputs": {"model": ["1", 0], "shift": draw(st.sampled_from([3.0, 1]))}},
        "3": {"class_type": "DualCLIPLoader", "inputs": {
            "clip_name1": draw(st.sampled_from(clips)), "clip_name2": draw(st.sampled_from(clips)), "type": "sd3"}},
        "10": {"class_type": "PrimitiveString", "inputs": {"value": draw(_text())}},
        "11": {"class_type": "PrimitiveString", "inputs": {"value": draw(_text())}},
        "12": {"class_type": "CLIPTextEncode", "inputs": {"text": ["10", 0], "clip": ["3", 0]}},
        "13": {"class_type": "CLIPTextEncode", "inputs": {"text": ["11", 0], "clip": ["3", 0]}},
        "14": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "15": {"class_type": "KSampler", "inputs": {
            "seed": draw(st.integers(0, 2**32)), "steps": draw(st.integers(1, 30)), "cfg": 4.5,
            "sampler_name": "euler", "scheduler": draw(st.sampled_from(_choices("KSampler", "scheduler"))),
            "denoise": 1.0, "model": ["2", 0], "positive": ["12", 0], "negative": ["13", 0],
            "latent_image": ["14", 0]}},
        "16": {"class_type": "VAELoader", "inputs": {"vae_name": "sd35_vae.safetensors"}},
        "17": {"class_type": "VAEDecode", "inputs": {"samples": ["15", 0], "vae": ["16", 0]}},
        "18": {"class_type": "SaveImage", "inputs": {"images": ["17", 0], "filename_prefix": "sd3"}},
    }
    if draw(st.booleans()):
        wf["3"]["inputs"]["device"] = draw(st.sampled_from(_choices("DualCLIPLoader", "device")))
    return wf


@st.composite
def _multi_output(draw: Draw) -> Workflow:
    """Three independent cheap outputs (two latent saves, one image preview)."""
    return {
        "1": {"class_type": "EmptyLatentImage", "inputs": {
            "width": draw(st.sampled_from([16, 64])), "height": 64, "batch_size": draw(st.integers(1, 2))}},
        "2": {"class_type": "SaveLatent", "inputs": {"samples": ["1", 0], "filename_prefix": "ref/a"}},
        "3": {"class_type": "LatentUpscaleBy", "inputs": {
            "samples": ["1", 0], "upscale_method": draw(st.sampled_from(_choices("LatentUpscaleBy", "upscale_method"))),
            "scale_by": draw(st.sampled_from([0.5, 1.0, 1.5]))}},
        "4": {"class_type": "SaveLatent", "inputs": {"samples": ["3", 0], "filename_prefix": "ref/b"}},
        "5": {"class_type": "EmptyImage", "inputs": {
            "width": draw(st.integers(1, 32)), "height": 8, "batch_size": 1, "color": draw(st.integers(0, 16777215))}},
        "6": {"class_type": "ImageInvert", "inputs": {"image": ["5", 0]}},
        "7": {"class_type": "PreviewImage", "inputs": {"images": ["6", 0]}},
    }


@st.composite
def _core_nodes(draw: Draw) -> Workflow:
    """Custom-node-free image and string utilities (no models at all), incl. a wildcard output."""
    return {
        "1": {"class_type": "EmptyImage", "inputs": {"width": 16, "height": 16, "batch_size": 1, "color": 255}},
        "2": {"class_type": "ImageScaleBy", "inputs": {
            "image": ["1", 0], "upscale_method": draw(st.sampled_from(_choices("ImageScaleBy", "upscale_method"))),
            "scale_by": draw(st.sampled_from([0.5, 1.0, 2]))}},
        "3": {"class_type": "SolidMask", "inputs": {"value": draw(st.sampled_from([0.0, 0.5, 1])), "width": 16,
                                                    "height": 16}},
        "4": {"class_type": "MaskToImage", "inputs": {"mask": ["3", 0]}},
        "5": {"class_type": "ImageCompositeMasked", "inputs": {
            "destination": ["2", 0], "source": ["4", 0], "x": draw(st.integers(0, 8)), "y": 0,
            "resize_source": draw(st.booleans())}},
        "6": {"class_type": "ImageCrop", "inputs": {"image": ["5", 0], "width": 8, "height": 8, "x": 0, "y": 0}},
        "7": {"class_type": "PreviewImage", "inputs": {"images": ["6", 0]}},
        "8": {"class_type": "PrimitiveString", "inputs": {"value": draw(_text())}},
        "9": {"class_type": "StringConcatenate", "inputs": {"string_a": ["8", 0], "string_b": draw(_text()),
                                                           "delimiter": draw(st.sampled_from(["", ", "]))}},
        "10": {"class_type": "StringLength", "inputs": {"string": ["9", 0]}},
        "11": {"class_type": "PreviewAny", "inputs": {"source": ["10", 0]}},
    }


@st.composite
def _latent_chain(draw: Draw) -> Workflow:
    return {
        "1": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "2": {"class_type": "LatentUpscaleBy", "inputs": {"samples": ["1", 0], "upscale_method": "nearest-exact",
                                                          "scale_by": draw(st.sampled_from([0.5, 1.0, 2.0]))}},
        "3": {"class_type": "LatentFlip", "inputs": {
            "samples": ["2", 0], "flip_method": draw(st.sampled_from(_choices("LatentFlip", "flip_method")))}},
        "4": {"class_type": "RepeatLatentBatch", "inputs": {"samples": ["3", 0], "amount": draw(st.integers(1, 2))}},
        "5": {"class_type": "LatentBlend", "inputs": {"samples1": ["4", 0], "samples2": ["4", 0],
                                                      "blend_factor": draw(st.sampled_from([0, 0.5, 1.0]))}},
        "6": {"class_type": "SaveLatent", "inputs": {"samples": ["5", 0], "filename_prefix": "ref/chain"}},
    }


BASES: dict[str, st.SearchStrategy[Workflow]] = {
    "txt2img": _txt2img(),
    "sd3_dual_clip": _sd3_dual_clip(),
    "multi_output": _multi_output(),
    "core_nodes": _core_nodes(),
    "latent_chain": _latent_chain(),
}


# -- looking at a (possibly already mutated) workflow ----------------------------------------------------


def _order(node_id: Any) -> tuple[int, str]:
    return (len(str(node_id)), str(node_id))


def _spec(wf: Workflow, node_id: str) -> Any:
    node = wf.get(node_id)
    if not isinstance(node, dict) or not isinstance(node.get("inputs"), dict):
        return None
    class_type = node.get("class_type")
    return CATALOG.nodes.get(class_type) if isinstance(class_type, str) else None


def _inputs(wf: Workflow, pred: Callable[[InputSpec, Any], bool]) -> list[tuple[str, str]]:
    """(node id, input name) of declared inputs present in the workflow whose spec and value match."""
    found = []
    for node_id in sorted(wf, key=_order):
        spec = _spec(wf, node_id)
        if spec is None:
            continue
        inputs = wf[node_id]["inputs"]
        for name, inp in spec.inputs.items():
            if name in inputs and pred(inp, inputs[name]):
                found.append((node_id, name))
    return found


def _is_link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _links(wf: Workflow) -> list[tuple[str, str]]:
    return _inputs(wf, lambda _inp, v: _is_link(v))


def _literals(wf: Workflow, types: tuple[str, ...] | None = None) -> list[tuple[str, str]]:
    def pred(inp: InputSpec, value: Any) -> bool:
        if isinstance(value, list):
            return False
        return types is None or (isinstance(inp.type, str) and inp.type in types)
    return _inputs(wf, pred)


def _outputs_of(wf: Workflow) -> list[tuple[str, int, Any]]:
    """(node id, slot, type) of every output slot in the workflow."""
    slots = []
    for node_id in sorted(wf, key=_order):
        node = wf[node_id]
        class_type = node.get("class_type") if isinstance(node, dict) else None
        spec = CATALOG.nodes.get(class_type) if isinstance(class_type, str) else None
        if spec is not None:
            slots.extend((node_id, i, t) for i, t in enumerate(spec.outputs))
    return slots


def _downstream(wf: Workflow, node_id: str) -> set[str]:
    """Nodes that (transitively) take an input from ``node_id``."""
    users: dict[str, set[str]] = {}
    for nid, node in wf.items():
        if isinstance(node, dict) and isinstance(node.get("inputs"), dict):
            for value in node["inputs"].values():
                if _is_link(value) and isinstance(value[0], str):
                    users.setdefault(value[0], set()).add(nid)
    seen: set[str] = set()
    todo = [node_id]
    while todo:
        for user in users.get(todo.pop(), ()):
            if user not in seen:
                seen.add(user)
                todo.append(user)
    return seen


def _fresh_id(wf: Workflow) -> str:
    n = 100
    while str(n) in wf:
        n += 1
    return str(n)


def _pick(draw: Draw, items: list[Any]) -> Any:
    return draw(st.sampled_from(items)) if items else None


# -- mutation operators: (draw, workflow) -> description, mutating the workflow in place ----------------

Mutation = Callable[[Draw, Workflow], str | None]


def _delete_input(draw: Draw, wf: Workflow) -> str | None:
    variant = draw(st.sampled_from(["declared", "declared", "declared", "all_inputs", "inputs_not_dict"]))
    if variant == "declared":
        target = _pick(draw, _inputs(wf, lambda _i, _v: True))
        if target is None:
            return None
        del wf[target[0]]["inputs"][target[1]]
        return f"delete input {target[0]}.{target[1]}"
    node_id = _pick(draw, sorted((k for k, v in wf.items() if isinstance(v, dict)), key=_order))
    if node_id is None:
        return None
    if variant == "all_inputs":
        wf[node_id].pop("inputs", None)
        return f"delete the inputs object of {node_id}"
    wf[node_id]["inputs"] = draw(st.sampled_from([[], None, "inputs"]))
    return f"inputs of {node_id} = {wf[node_id]['inputs']!r}"


def _rename_input(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _inputs(wf, lambda _i, _v: True))
    if target is None:
        return None
    node_id, name = target
    inputs = wf[node_id]["inputs"]
    new = draw(st.sampled_from([name.upper(), name + "_", " " + name, name.replace("_", ""), "bogus"]))
    if new == name or new in inputs:
        new = name + "_renamed"
    inputs[new] = inputs.pop(name)
    return f"rename input {node_id}.{name} -> {new!r}"


def _link_missing_node(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _links(wf))
    if target is None:
        return None
    node_id, name = target
    missing = draw(st.sampled_from(["99", "0", "", "1000", " 1", 5, "3.0", None]))
    if missing in wf:
        missing = "999"
    wf[node_id]["inputs"][name] = [missing, wf[node_id]["inputs"][name][1]]
    return f"link {node_id}.{name} -> missing node {missing!r}"


def _link_bad_index(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _links(wf))
    if target is None:
        return None
    node_id, name = target
    index = draw(st.sampled_from([-1, -2, -4, 1, 2, 3, 7, True, False, 1.0, 0.0, "0", None, [0]]))
    wf[node_id]["inputs"][name] = [wf[node_id]["inputs"][name][0], index]
    return f"link {node_id}.{name} index -> {index!r}"


def _link_bad_shape(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _inputs(wf, lambda _i, _v: True))
    if target is None:
        return None
    node_id, name = target
    old = wf[node_id]["inputs"][name]
    src = old[0] if _is_link(old) else "1"
    value = draw(st.sampled_from([[], [src], [src, 0, 0], [[src, 0]], [src, 0, "x"], ["a", "b", "c"]]))
    wf[node_id]["inputs"][name] = value
    return f"{node_id}.{name} = {value!r}"


def _link_wrong_type(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _links(wf))
    slots = _outputs_of(wf)
    if target is None or not slots:
        return None
    node_id, name = target
    src, slot, rtype = draw(st.sampled_from(slots))
    wf[node_id]["inputs"][name] = [src, slot]
    return f"link {node_id}.{name} -> [{src!r}, {slot}] ({rtype})"


_WRONG_TYPE_VALUES: list[Any] = [None, [], {}, True, False, 1.5, "text", 0, -7, {"a": 1}, [1, 2, 3], ["x", 1], "",
                                 {"__value__": None}]


def _literal_wrong_type(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _literals(wf))
    if target is None:
        return None
    node_id, name = target
    value = draw(st.sampled_from(_WRONG_TYPE_VALUES))
    wf[node_id]["inputs"][name] = copy.deepcopy(value)
    return f"{node_id}.{name} = {value!r}"


def _out_of_range(draw: Draw, wf: Workflow) -> str | None:
    def bounded(inp: InputSpec, value: Any) -> bool:
        return not isinstance(value, list) and ("min" in inp.options or "max" in inp.options)
    target = _pick(draw, _inputs(wf, bounded))
    if target is None:
        return None
    node_id, name = target
    spec = CATALOG.nodes[wf[node_id]["class_type"]].inputs[name]
    lo, hi = spec.options.get("min"), spec.options.get("max")
    candidates: list[Any] = [2**64, -(2**63) - 1, "inf", "-inf", "1e309", 10**30]
    if lo is not None:
        candidates += [lo - 1, lo - 0.5, str(lo - 1), -1]
    if hi is not None:
        candidates += [hi + 1, hi + 0.25, str(hi + 1)]
    value = draw(st.sampled_from(candidates))
    wf[node_id]["inputs"][name] = value
    return f"{node_id}.{name} = {value!r} (min {lo!r}, max {hi!r})"


def _non_numeric(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _literals(wf, ("INT", "FLOAT")))
    if target is None:
        return None
    node_id, name = target
    value = draw(st.sampled_from(
        ["abc", "", " ", "12.5", "1e3", "0x10", "{{STEPS}}", "1_0", "nan", "NaN", "-0", " 8 ", "\u0661\u0662", "8px",
         "None", "true", "1/2", "٣"]))
    wf[node_id]["inputs"][name] = value
    return f"{node_id}.{name} = {value!r}"


def _combo_value(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _inputs(wf, lambda inp, v: inp.is_combo and not isinstance(v, list)))
    if target is None:
        return None
    node_id, name = target
    old = wf[node_id]["inputs"][name]
    choices = list(CATALOG.nodes[wf[node_id]["class_type"]].inputs[name].choices)
    candidates: list[Any] = ["nope", "", None, 0, 1, True, f" {old}", str(old).upper(), f"sub/{old}", [old],
                             {"__value__": old}, {"__value__": "nope"}]
    if choices:
        candidates.append(choices[-1])
    value = draw(st.sampled_from(candidates))
    wf[node_id]["inputs"][name] = copy.deepcopy(value)
    return f"{node_id}.{name} = {value!r}"


def _unknown_class(draw: Draw, wf: Workflow) -> str | None:
    node_id = _pick(draw, sorted(wf, key=_order))
    if node_id is None:
        return None
    node = wf[node_id]
    variant = draw(st.sampled_from(["NopeNode", "lower", "space", "", "missing", None, 5, "not_a_dict"]))
    if variant == "not_a_dict":
        wf[node_id] = draw(st.sampled_from(["abc", "class_type", 5, None, [], True]))
        return f"node {node_id} = {wf[node_id]!r}"
    if not isinstance(node, dict):
        return None
    if variant == "missing":
        node.pop("class_type", None)
        return f"delete {node_id}.class_type"
    old = node.get("class_type")
    new = {"lower": str(old).lower(), "space": f"{old} "}.get(variant, variant)  # type: ignore[arg-type]
    node["class_type"] = new
    return f"{node_id}.class_type = {new!r}"


def _cycle(draw: Draw, wf: Workflow) -> str | None:
    producers = {nid for nid, _, _ in _outputs_of(wf)}
    target = _pick(draw, [t for t in _links(wf) if t[0] in producers])
    if target is None:
        return None
    node_id, name = target
    want = CATALOG.nodes[wf[node_id]["class_type"]].inputs[name].type
    around = sorted(_downstream(wf, node_id) | {node_id}, key=_order)
    slots = [(nid, i, t) for nid, i, t in _outputs_of(wf) if nid in around]
    matching = [s for s in slots if s[2] == want]
    pool = matching or slots
    if not pool:
        return None
    src, slot, rtype = draw(st.sampled_from(pool))
    wf[node_id]["inputs"][name] = [src, slot]
    return f"cycle: {node_id}.{name} -> [{src!r}, {slot}] ({rtype}, {'self' if src == node_id else 'downstream'})"


_ORPHANS: list[Workflow] = [
    {"class_type": "EmptyLatentImage", "inputs": {"width": "abc", "height": 64, "batch_size": 1}},
    {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
    {"class_type": "LatentUpscaleBy", "inputs": {"samples": ["99", 0], "upscale_method": "x", "scale_by": 99}},
    {"class_type": "CLIPTextEncode", "inputs": {"text": 5}},
    {"class_type": "ImageInvert", "inputs": {"image": ["1", 7]}},
    {"class_type": "PrimitiveInt", "inputs": {"value": "NaN"}},
    {"class_type": "KSampler", "inputs": {}},
]


def _orphan_node(draw: Draw, wf: Workflow) -> str | None:
    orphan = copy.deepcopy(draw(st.sampled_from(_ORPHANS)))
    node_id = _fresh_id(wf)
    if draw(st.booleans()):  # link the orphan to a real node: still unreachable from any output
        slots = _outputs_of(wf)
        if slots and orphan["inputs"]:
            src, slot, _ = draw(st.sampled_from(slots))
            orphan["inputs"][sorted(orphan["inputs"])[0]] = [src, slot]
    wf[node_id] = orphan
    return f"orphan node {node_id} = {orphan!r}"


def _wrapped_value(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _literals(wf))
    if target is None:
        return None
    node_id, name = target
    old = wf[node_id]["inputs"][name]
    value = draw(st.sampled_from([
        {"__value__": old}, {"__value__": old, "extra": 1}, {"value": old}, {"__value__": str(old)},
        {"__value__": {"__value__": old}}, {"__value__": [old]}, {"__value__": "bad"}, {"__value__": None},
        {"__VALUE__": old},
    ]))
    wf[node_id]["inputs"][name] = value
    return f"{node_id}.{name} = {value!r}"


def _coercion(draw: Draw, wf: Workflow) -> str | None:
    target = _pick(draw, _literals(wf, ("INT", "FLOAT", "BOOLEAN", "STRING")))
    if target is None:
        return None
    node_id, name = target
    old = wf[node_id]["inputs"][name]
    kind = CATALOG.nodes[wf[node_id]["class_type"]].inputs[name].type
    candidates: list[Any]
    if kind in ("INT", "FLOAT") and isinstance(old, int | float) and not isinstance(old, bool):
        candidates = [str(old), f" {old} ", float(old), float(old) + 0.9, True, False, str(float(old)), int(old),
                      f"{old}.0", f"+{old}", -0.0]
    elif kind == "BOOLEAN":
        candidates = ["false", "False", "", "0", 0, 1, 1.0, 0.0, None, "no", "true"]
    else:
        candidates = [5, 0, 1.5, True, None, {"k": "v"}, "", "\u00e9\u00e8", "x" * 300]
    value = draw(st.sampled_from(candidates))
    wf[node_id]["inputs"][name] = value
    return f"{node_id}.{name} ({kind}) = {value!r}"


MUTATIONS: dict[str, Mutation] = {
    "delete_input": _delete_input,
    "rename_input": _rename_input,
    "link_missing_node": _link_missing_node,
    "link_bad_index": _link_bad_index,
    "link_bad_shape": _link_bad_shape,
    "link_wrong_type": _link_wrong_type,
    "literal_wrong_type": _literal_wrong_type,
    "out_of_range": _out_of_range,
    "non_numeric": _non_numeric,
    "combo_value": _combo_value,
    "unknown_class": _unknown_class,
    "cycle": _cycle,
    "orphan_node": _orphan_node,
    "wrapped_value": _wrapped_value,
    "coercion": _coercion,
}
KINDS: tuple[str, ...] = ("valid", *MUTATIONS, "stacked")


@st.composite
def cases(draw: Draw, kind: str) -> Case:
    """One corpus case of ``kind``: a base workflow, then that mutation ("stacked": 2-4 random ones)."""
    base = draw(st.sampled_from(sorted(BASES)))
    wf = draw(BASES[base])
    steps: list[str] = []
    if kind == "stacked":
        plan = draw(st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=2, max_size=4))
    elif kind == "valid":
        plan = []
    else:
        plan = [kind]
    for name in plan:
        done = MUTATIONS[name](draw, wf)
        if done is not None:
            steps.append(f"{name}: {done}")
    return Case(kind, base, tuple(steps), wf)
