"""Build small DevServer trees on disk for edge cases."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WORKFLOW: dict[str, Any] = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 0, "steps": 20, "model": ["4", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "m.safetensors"}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}, "_meta": {"title": "prompt"}},
}


#: what the app requires of every ComfyUI output chunk besides workflow and input_mappings
OUTPUT_KEYS: dict[str, Any] = {"type": "output_chunk", "backend_type": "comfyui", "output_mapping": {"node_id": "9"}}


def write(root: Path, rel: str, data: Any) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return path


def make_tree(root: Path, *, params: dict[str, Any] | None = None, mappings: dict[str, Any] | None = None,
              proxy: dict[str, Any] | None = None, extra: dict[str, Any] | None = None) -> Path:
    """One output config ``out`` -> pipeline ``gen`` -> proxy ``route`` -> output chunk ``wf``."""
    write(root, "configs/output/out.json", {
        "pipeline": "gen", "meta": {"stage": "output"},
        "parameters": {"OUTPUT_CHUNK": "wf", "STEPS": 20, "SEED": "random", **(params or {})}})
    write(root, "pipelines/gen.json", {"name": "gen", "chunks": ["route"], "defaults": {"parameters": {}}})
    write(root, "chunks/route.json", {"name": "route", "type": "proxy_chunk", "backend_type": "comfyui",
                                      "template": "", "model": "", "parameters": proxy or {
        "output_chunk": "{{OUTPUT_CHUNK}}", "prompt": "{{PREVIOUS_OUTPUT}}", "steps": "{{STEPS}}",
        "seed": "{{SEED}}"}})
    write(root, "chunks/wf.json", {**OUTPUT_KEYS, "name": "wf", "media_type": "image", "workflow": WORKFLOW,
                                   "input_mappings": mappings if mappings is not None else {
                                       "prompt": {"node_id": "6", "field": "inputs.text"},
                                       "steps": {"node_id": "3", "field": "inputs.steps", "default": 1},
                                       "seed": {"node_id": "3", "field": "inputs.seed", "default": "random"}}})
    for rel, data in (extra or {}).items():
        write(root, rel, data)
    return root
