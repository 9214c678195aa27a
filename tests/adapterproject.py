"""A small project whose generator is an adapter (a Python callable), for the plugin and golden tests.

Three configs: ``clean`` (a valid SDXL graph), ``leftover_steps`` (``{{STEPS}}`` left in the KSampler in
``fast`` mode only) and ``text_only`` (no ComfyUI workflow). Every render appends ``config mode`` to
``renders.log`` beside the module, so a test can count how often the matrix was rendered, in any process
(the probe render that traces the user text, ``client_id`` ``comfy-contract-probe``, is not logged).
"""

from __future__ import annotations

from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
STOCK = REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json"
MODULE = "app_adapter"
CONFIGS = ("clean", "leftover_steps", "text_only")
MODES = ("eco", "fast")

ADAPTER = '''\
"""The app's own renderer, as comfy-contract calls it (module:function)."""

from pathlib import Path

LOG = Path(__file__).with_name("renders.log")


def configs():
    return ["clean", "leftover_steps", "text_only"]


def workflow(config, mode, inputs):
    if inputs["client_id"] != "comfy-contract-probe":
        with LOG.open("a", encoding="utf-8") as log:
            log.write(f"{config} {mode}\\n")
    if config == "text_only":
        return None
    steps = "{{STEPS}}" if config == "leftover_steps" and mode == "fast" else 20
    return {
        "3": {"class_type": "KSampler", "inputs": {
            "seed": 7, "steps": steps, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal",
            "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
            "latent_image": ["5", 0]}},
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": inputs["user_text"], "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": config, "images": ["8", 0]}},
    }
'''

BASELINE = """\
version: 1
entries:
  - {code: L006, config: clean, reason: "the seed is fixed on purpose: a reference image"}
  - {code: L001, config: retired_config, reason: stale on purpose}
"""


def make_adapter_project(where: Path, *, baseline: bool = True, snapshots: bool = True) -> Path:
    """Write the adapter module, ``comfy-contract.yaml`` (and a baseline) into ``where``; returns the file.

    The module must be importable: run from ``where`` with ``where`` on ``sys.path`` (pytest's
    ``pythonpath = .`` ini option does that for every xdist worker too).
    """
    (where / f"{MODULE}.py").write_text(ADAPTER, encoding="utf-8")
    data: dict[str, object] = {
        "generator": {"callable": f"{MODULE}:workflow", "enumerate": f"{MODULE}:configs"},
        "modes": list(MODES),
        "backends": {"stock": {"catalogs": [STOCK.as_posix()]}},
    }
    if snapshots:
        (where / "snapshots").mkdir(exist_ok=True)
        data["snapshots"] = "snapshots"
    if baseline:
        (where / "comfy-contract-baseline.yaml").write_text(BASELINE, encoding="utf-8")
        data["baseline"] = "comfy-contract-baseline.yaml"
    project = where / "comfy-contract.yaml"
    project.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return project


def renders(where: Path) -> list[str]:
    """The ``config mode`` lines the adapter logged, in order."""
    log = where / "renders.log"
    return log.read_text("utf-8").splitlines() if log.exists() else []
