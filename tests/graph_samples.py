"""Realistic workflows (nodes of ComfyUI 0.3.75 and the AI4ArtsEd custom nodes) and Hypothesis
strategies that renumber, reorder and mutate them. Shared by the canonical-form and diff tests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent
LEGACY = REPO / "fixtures" / "sample_app" / "legacy"
CHUNKS = REPO / "fixtures" / "sample_app" / "schemas" / "chunks"

Workflow = dict[str, Any]


def legacy(name: str) -> Workflow:
    data: Workflow = json.loads((LEGACY / f"{name}.json").read_text(encoding="utf-8"))
    return data


def split_and_combine() -> Workflow:
    """The legacy server's split-and-combine workflow (28 nodes): four KSampler branches that share their
    loaders, latent and seed and differ only in which conditioning they get."""
    data: Workflow = json.loads((REPO / "tests" / "data" / "split_and_combine.json").read_text(encoding="utf-8"))
    return data


def chunk_workflow(name: str) -> Workflow:
    data: Workflow = json.loads((CHUNKS / f"{name}.json").read_text(encoding="utf-8"))["workflow"]
    return data


def sdxl(prompt: str = "a lighthouse", steps: int = 30, cfg: float = 7.0) -> Workflow:
    """The classic SDXL text-to-image graph, hand-built with ComfyUI's default ids."""
    return {
        "3": {"class_type": "KSampler", "inputs": {
            "seed": 156680208700286, "steps": steps, "cfg": cfg, "sampler_name": "euler", "scheduler": "normal",
            "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0], "latent_image": ["5", 0]}},
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": prompt, "clip": ["4", 1]},
              "_meta": {"title": "Positive"}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]},
              "_meta": {"title": "Negative"}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}},
    }


def twenty_nodes() -> Workflow:
    """A 20-node graph: two SD3.5 branches (fusion + plain) sharing loaders, plus a Note."""
    wf = copy.deepcopy(legacy("vector_fusion_linear_clip"))  # 12 nodes incl. 2 Notes
    wf["13"] = {"class_type": "CLIPTextEncode", "inputs": {"text": "second prompt", "clip": ["3", 0]}}
    wf["14"] = {"class_type": "EmptySD3LatentImage", "inputs": {"width": 768, "height": 1344, "batch_size": 1}}
    wf["15"] = {"class_type": "KSampler", "inputs": {
        "seed": 99, "steps": 20, "cfg": 4.0, "sampler_name": "dpmpp_2m", "scheduler": "karras", "denoise": 1.0,
        "model": ["2", 0], "positive": ["13", 0], "negative": ["7", 0], "latent_image": ["14", 0]}}
    wf["16"] = {"class_type": "VAEDecode", "inputs": {"samples": ["15", 0], "vae": ["2", 2]}}
    wf["17"] = {"class_type": "SaveImage", "inputs": {"filename_prefix": "second", "images": ["16", 0]}}
    wf["18"] = {"class_type": "PreviewImage", "inputs": {"images": ["10", 0]}}
    wf["19"] = {"class_type": "ImageScale", "inputs": {
        "upscale_method": "bilinear", "width": 512, "height": 512, "crop": "disabled", "image": ["16", 0]}}
    wf["20"] = {"class_type": "SaveImage", "inputs": {"filename_prefix": "small", "images": ["19", 0]}}
    return wf


BASES: dict[str, Workflow] = {
    "sdxl": sdxl(),
    "vector_fusion": legacy("vector_fusion_linear_clip"),
    "dual_encoder": legacy("dual_encoder_fusion"),
    "stable_audio": legacy("stable_audio_open"),
    "sd35_chunk": chunk_workflow("output_image_sd35_large"),
    "twenty": twenty_nodes(),
}


def renumber(wf: Workflow, mapping: dict[str, str], order: list[str], reverse_inputs: bool) -> Workflow:
    """``wf`` with node ids renamed by ``mapping``, nodes in ``order`` and (optionally) inputs reversed."""
    out: Workflow = {}
    for old in order:
        node = copy.deepcopy(wf[old])
        items = list(node.get("inputs", {}).items())
        if reverse_inputs:
            items.reverse()
        node["inputs"] = {k: ([mapping.get(v[0], f"gone-{v[0]}"), v[1]] if _link(v) else v) for k, v in items}
        out[mapping[old]] = dict(reversed(list(node.items()))) if reverse_inputs else node
    return out


def _link(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], str) and isinstance(value[1], int)


@st.composite
def renumberings(draw: st.DrawFn, wf: Workflow) -> Workflow:
    ids = list(wf)
    new_ids = draw(st.lists(st.integers(1, 10_000).map(str), min_size=len(ids), max_size=len(ids), unique=True))
    order = draw(st.permutations(ids))
    return renumber(wf, dict(zip(ids, new_ids, strict=True)), list(order), draw(st.booleans()))


LITERAL_EDITS = st.sampled_from([
    ("steps", 1), ("steps", 50), ("cfg", 1.5), ("cfg", 7.0000001), ("sampler_name", "dpmpp_2m"),
    ("width", 512), ("ckpt_name", "other.safetensors"), ("alpha", 0.9), ("type", "sd3"), ("seed", 7),
    ("text", ""), ("text", "another prompt"), ("filename_prefix", "x"), ("denoise", 0.5),
])


@st.composite
def mutated(draw: st.DrawFn, wf: Workflow) -> Workflow:
    """``wf`` with 0-2 realistic edits: a literal changed, a link rewired, a node removed or added."""
    out = copy.deepcopy(wf)
    for _ in range(draw(st.integers(0, 2))):
        kind = draw(st.sampled_from(["literal", "rewire", "remove", "add"]))
        ids = sorted(out)
        nid = draw(st.sampled_from(ids))
        inputs = out[nid].setdefault("inputs", {})
        if kind == "literal":
            name, value = draw(LITERAL_EDITS)
            if name in inputs and not _link(inputs[name]):
                inputs[name] = value
        elif kind == "rewire":
            links = sorted(k for k, v in inputs.items() if _link(v))
            if links:
                name = draw(st.sampled_from(links))
                inputs[name] = [draw(st.sampled_from(ids)), draw(st.integers(0, 2))]
        elif kind == "remove" and len(out) > 2:
            del out[nid]
        elif kind == "add":
            out[f"{len(out) + 100}"] = {"class_type": "PreviewImage", "inputs": {"images": [nid, 0]}}
    return out


base_workflows = st.sampled_from(sorted(BASES)).map(lambda k: BASES[k])
