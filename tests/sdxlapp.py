"""An app of another shape than the DevServer layout, as a new user brings it (issue 12).

``imagegen`` is a Python package that builds SDXL (+ LoRA) workflows from the JSON files in ``configs/``;
its modes are ``draft`` and ``final``. Five configs, three of them with a defect:

========== =====================================================================================
config     what is wrong
========== =====================================================================================
portrait   nothing (SDXL + a LoRA; the prompt is a template around the user's text)
landscape  nothing (SDXL without LoRA)
photo      ``"steps": "{{STEPS}}"`` left in the config: ComfyUI rejects it (V015)
sketch     ``"prompt": ""``: the positive prompt is empty, the user's text is dropped (L001)
poster     the app writes the user's prompt into a style encoder that feeds nothing (L003)
========== =====================================================================================

The app says nothing about where the user text and seed go: comfy-contract traces them.
"""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STOCK = REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json"
CONFIGS = ("landscape", "photo", "portrait", "poster", "sketch")
MODES = ("draft", "final")
LORA = "detail_xl.safetensors"

BUILD = '''\
"""Builds the ComfyUI workflow for one config (what the app POSTs to /prompt)."""

import json
from pathlib import Path

CONFIGS = Path(__file__).resolve().parent.parent / "configs"


def configs():
    return sorted(p.stem for p in CONFIGS.glob("*.json"))


def workflow(config, mode, inputs):
    cfg = json.loads((CONFIGS / f"{config}.json").read_text(encoding="utf-8"))
    size = 1024 if mode == "final" else 768
    prompt = cfg["prompt"].replace("{prompt}", inputs["user_text"])
    model = "4"
    wf = {
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": size, "height": size, "batch_size": 1}},
    }
    if cfg.get("lora"):
        wf["10"] = {"class_type": "LoraLoader", "inputs": {
            "model": ["4", 0], "clip": ["4", 1], "lora_name": cfg["lora"],
            "strength_model": cfg.get("lora_strength", 1.0), "strength_clip": cfg.get("lora_strength", 1.0)}}
        model = "10"
    wf["6"] = {"class_type": "CLIPTextEncode", "inputs": {"text": prompt, "clip": [model, 1]}}
    wf["7"] = {"class_type": "CLIPTextEncode", "inputs": {"text": cfg.get("negative", ""), "clip": [model, 1]}}
    if cfg.get("style"):
        wf["11"] = {"class_type": "CLIPTextEncode", "inputs": {"text": prompt, "clip": [model, 1]}}
        wf["6"]["inputs"]["text"] = cfg["style"]
    wf["3"] = {"class_type": "KSampler", "inputs": {
        "seed": inputs["seed"], "steps": cfg["steps"], "cfg": cfg.get("cfg", 7.0), "sampler_name": "euler",
        "scheduler": "normal", "denoise": 1.0, "model": [model, 0], "positive": ["6", 0], "negative": ["7", 0],
        "latent_image": ["5", 0]}}
    wf["8"] = {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}}
    wf["9"] = {"class_type": "SaveImage", "inputs": {"filename_prefix": f"imagegen/{config}", "images": ["8", 0]}}
    return wf
'''

CONFIG_DATA: dict[str, dict[str, object]] = {
    "portrait": {"prompt": "a portrait of {prompt}, soft window light", "negative": "blurry", "steps": 30,
                 "cfg": 6.5, "lora": LORA, "lora_strength": 0.7},
    "landscape": {"prompt": "{prompt}, wide angle landscape, golden hour", "negative": "text, watermark",
                  "steps": 25},
    "photo": {"prompt": "a photo of {prompt}, 35mm", "negative": "cartoon", "steps": "{{STEPS}}"},
    "sketch": {"prompt": "", "negative": "colour", "steps": 20, "lora": LORA},
    "poster": {"prompt": "a poster of {prompt}", "style": "bold flat colours, screen print", "negative": "photo",
               "steps": 28},
}


def write_app(where: Path) -> None:
    """The app itself: ``imagegen/`` and ``configs/`` (no comfy-contract files), plus its ComfyUI's catalog at
    ``server-catalog.json`` (stock nodes, with the LoRA file installed) as `catalog pull` would write it."""
    (where / "imagegen").mkdir(parents=True, exist_ok=True)
    (where / "imagegen" / "__init__.py").write_text('"""The app\'s image generation."""\n', encoding="utf-8")
    (where / "imagegen" / "build.py").write_text(BUILD, encoding="utf-8")
    (where / "configs").mkdir(exist_ok=True)
    for name, data in CONFIG_DATA.items():
        (where / "configs" / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    catalog = json.loads(STOCK.read_text(encoding="utf-8"))
    catalog["object_info"]["LoraLoader"]["input"]["required"]["lora_name"][0] = [LORA]
    (where / "server-catalog.json").write_text(json.dumps(catalog), encoding="utf-8")
