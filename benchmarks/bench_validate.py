"""Benchmark: offline validations per second, beside the peers (issue 2 target: <= 100 us per 20-node workflow).

Prints figures, ratios and peak memory; no assertions. Run: ``python benchmarks/bench_validate.py``. For the
same 20-node workflow and catalog it times, each as the best of repeats:

- ours: ``comfy_contract.validate`` (peak: tracemalloc's peak of one call);
- comfy-lint 0.1.0 (``lint_workflow``), the closest peer, when it is importable - it is a benchmark-only
  package, not a dependency: ``.venv/bin/pip install comfy-lint==0.1.0``;
- ComfyUI 0.3.75's own ``execution.validate_prompt`` in-process, run by the reference ComfyUI's python
  (``benchmarks/comfyui_inprocess.py``) when ``scripts/reference-comfyui install`` has been run
  (``.reference-comfyui/.installed``); its peak is that process's max RSS (ComfyUI's imports and nodes);
- with ``--url URL``, a real ComfyUI's ``POST /prompt`` round trip (an invalid variant, so nothing runs).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import time
import tracemalloc
from pathlib import Path
from typing import Any

from comfy_contract import load_catalog, validate

ROOT = Path(__file__).resolve().parent.parent
TARGET_US = 100.0


def txt2img_20() -> dict[str, Any]:
    """A 20-node SD txt2img workflow: base graph, a LoRA-free hires pass, and two outputs."""
    wf: dict[str, Any] = {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "2": {"class_type": "CLIPSetLastLayer", "inputs": {"clip": ["1", 1], "stop_at_clip_layer": -1}},
        "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse at dawn", "clip": ["2", 0]}},
        "4": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["2", 0]}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "6": {"class_type": "KSampler", "inputs": {
            "model": ["1", 0], "seed": 42, "steps": 25, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal",
            "positive": ["3", 0], "negative": ["4", 0], "latent_image": ["5", 0], "denoise": 1.0}},
        "7": {"class_type": "VAEDecode", "inputs": {"samples": ["6", 0], "vae": ["1", 2]}},
        "8": {"class_type": "SaveImage", "inputs": {"images": ["7", 0], "filename_prefix": "base"}},
        "9": {"class_type": "LatentUpscaleBy", "inputs": {"samples": ["6", 0], "upscale_method": "nearest-exact",
                                                         "scale_by": 1.5}},
        "10": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["3", 0], "conditioning_2": ["3", 0]}},
        "11": {"class_type": "KSampler", "inputs": {
            "model": ["1", 0], "seed": 43, "steps": 15, "cfg": 6.5, "sampler_name": "dpmpp_2m", "scheduler": "karras",
            "positive": ["10", 0], "negative": ["4", 0], "latent_image": ["9", 0], "denoise": 0.5}},
        "12": {"class_type": "VAEDecode", "inputs": {"samples": ["11", 0], "vae": ["1", 2]}},
        "13": {"class_type": "ImageScaleBy", "inputs": {"image": ["12", 0], "upscale_method": "lanczos",
                                                        "scale_by": 0.5}},
        "14": {"class_type": "ImageInvert", "inputs": {"image": ["13", 0]}},
        "15": {"class_type": "ImageBlend", "inputs": {"image1": ["13", 0], "image2": ["14", 0], "blend_factor": 0.2,
                                                     "blend_mode": "normal"}},
        "16": {"class_type": "ImageSharpen", "inputs": {"image": ["15", 0], "sharpen_radius": 1, "sigma": 1.0,
                                                       "alpha": 0.5}},
        "17": {"class_type": "SaveImage", "inputs": {"images": ["16", 0], "filename_prefix": "hires"}},
        "18": {"class_type": "PreviewImage", "inputs": {"images": ["13", 0]}},
        "19": {"class_type": "EmptyLatentImage", "inputs": {"width": 512, "height": 512, "batch_size": 2}},
        "20": {"class_type": "SaveLatent", "inputs": {"samples": ["19", 0], "filename_prefix": "latents/x"}},
    }
    return wf


def chain(n: int) -> dict[str, Any]:
    wf: dict[str, Any] = {"0": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64,
                                                                             "batch_size": 1}}}
    for i in range(1, n):
        wf[str(i)] = {"class_type": "LatentUpscaleBy",
                      "inputs": {"samples": [str(i - 1), 0], "upscale_method": "nearest-exact", "scale_by": 1.0}}
    wf["out"] = {"class_type": "SaveLatent", "inputs": {"samples": [str(n - 1), 0], "filename_prefix": "x"}}
    return wf


def bare_walk(prompt: dict[str, Any], nodes: Any) -> bool:
    """The floor issue 19 measures against: look every node's class up, read each declared input, follow
    links by id (no conversions, bounds, combos, types or error reasons)."""
    seen: dict[str, bool] = {}

    def visit(uid: str) -> bool:
        if uid in seen:
            return seen[uid]
        node = prompt[uid]
        inputs = node["inputs"]
        ok = True
        for name, spec in nodes[node["class_type"]].inputs.items():
            value = inputs.get(name)
            if isinstance(value, list):
                ok = visit(value[0]) and ok
            elif value is None and spec.category == "required":
                ok = False
        seen[uid] = ok
        return ok

    results = [visit(o) for o, n in prompt.items() if nodes[n["class_type"]].output_node]  # every output, as ComfyUI
    return all(results)


def per_call_us(fn: Any, repeat: int, number: int) -> float:
    best = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        best.append((time.perf_counter() - start) / number * 1e6)
    return min(best)


def peak_kib(fn: Any) -> float:
    """tracemalloc's peak (KiB) of one call of ``fn`` (after a warm-up call)."""
    fn()
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1024
    finally:
        tracemalloc.stop()


REFERENCE = ROOT / ".reference-comfyui"


def comfyui_in_process(workflows: dict[str, Any]) -> dict[str, Any] | str:
    """ComfyUI 0.3.75's ``execution.validate_prompt`` timings from its own venv, or why it was skipped."""
    python, comfy = REFERENCE / "venv" / "bin" / "python", REFERENCE / "comfyui"
    if not (REFERENCE / ".installed").exists() or not python.exists():
        return ("skipped: no reference ComfyUI (.reference-comfyui/.installed missing); "
                "`scripts/reference-comfyui install` installs it (offline, ~2 GB)")
    request = json.dumps({"workflows": workflows, "number": 200, "repeat": 5})
    env = {**os.environ, "PYTHONHASHSEED": "0", "HF_HUB_OFFLINE": "1", "DO_NOT_TRACK": "1"}
    proc = subprocess.run([str(python), str(ROOT / "benchmarks" / "comfyui_inprocess.py"), str(comfy)],
                          input=request, capture_output=True, text=True, env=env, timeout=600, check=False)
    if proc.returncode != 0:
        return f"skipped: the reference ComfyUI failed ({proc.stderr.strip().splitlines()[-1:]})"
    answer: dict[str, Any] = json.loads(proc.stdout)
    return answer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", help="also time a real ComfyUI's POST /prompt, e.g. http://127.0.0.1:8199")
    args = parser.parse_args()
    catalog_file = ROOT / "contracts" / "catalogs" / "comfyui-0.3.75.json"
    catalog = load_catalog(catalog_file)
    wf = txt2img_20()
    verdict = validate(wf, catalog)
    assert verdict.accepted, verdict.body
    validate(wf, catalog)  # warm the compiled tables
    us = per_call_us(lambda: validate(wf, catalog), repeat=5, number=2000)
    ours_kib = peak_kib(lambda: validate(wf, catalog))
    print(f"20-node txt2img (valid):     {us:8.1f} us/validation  {1e6 / us:9.0f}/s  "
          f"target {TARGET_US:.0f} us -> {us / TARGET_US:.2f}x of budget; peak {ours_kib:.0f} KiB per call")
    assert bare_walk(wf, catalog.nodes)
    walk_us = per_call_us(lambda: bare_walk(wf, catalog.nodes), repeat=5, number=2000)
    print(f"bare structural walk:        {walk_us:8.1f} us/walk        validation = {us / walk_us:.2f}x the walk "
          "(issue 19 target: <= 1.5x)")
    bad = txt2img_20()
    bad["6"]["inputs"]["steps"] = "{{STEPS}}"
    bad["11"]["inputs"]["sampler_name"] = "nope"
    us_bad = per_call_us(lambda: validate(bad, catalog), repeat=5, number=2000)
    print(f"20-node txt2img (2 errors):  {us_bad:8.1f} us/validation  {1e6 / us_bad:9.0f}/s")
    long = chain(2000)
    ms = per_call_us(lambda: validate(long, catalog), repeat=3, number=20) / 1000
    print(f"2,000-node chain:            {ms:8.2f} ms/validation  {1000 / ms:9.1f}/s")
    print("peers on the same valid 20-node workflow and catalog:")
    try:
        from comfy_lint import lint_workflow  # type: ignore[import-untyped,import-not-found,unused-ignore]
        from comfy_lint.schema import normalize  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError:
        print("  comfy-lint:                 skipped: not installed (benchmark only, not a dependency): "
              ".venv/bin/pip install comfy-lint==0.1.0")
    else:
        schema = normalize(json.loads(catalog_file.read_text("utf-8"))["object_info"])
        assert not [d for d in lint_workflow(wf, schema) if getattr(d, "severity", "error") == "error"]
        lint_us = per_call_us(lambda: lint_workflow(wf, schema), repeat=5, number=2000)
        lint_kib = peak_kib(lambda: lint_workflow(wf, schema))
        print(f"  comfy-lint 0.1.0 lint_workflow: {lint_us:8.1f} us  ({lint_us / us:.1f}x ours); "
              f"peak {lint_kib:.0f} KiB per call")
    reference = comfyui_in_process({"valid": wf})
    if isinstance(reference, str):
        print(f"  ComfyUI validate_prompt:    {reference}")
    else:
        ref_us = reference["valid"]["us"]
        print(f"  ComfyUI 0.3.75 execution.validate_prompt (in-process, its venv): {ref_us:8.1f} us  "
              f"({ref_us / us:.1f}x ours; accepted: {reference['valid']['valid']}); "
              f"peak RSS of that process {reference['maxrss_kib'] / 1024:.0f} MiB (ComfyUI and its nodes loaded)")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of this process (ours and comfy-lint, catalogs loaded): {rss:.0f} MiB")
    if args.url:
        from comfy_contract.live.client import ComfyClient

        body = {"prompt": bad, "client_id": "bench"}
        with ComfyClient(args.url) as client:
            times = []
            for _ in range(50):
                start = time.perf_counter()
                client.post_prompt(body)
                times.append((time.perf_counter() - start) * 1e6)
        server_us = statistics.median(times)
        print(f"real ComfyUI POST /prompt:   {server_us:8.1f} us/round trip (median of 50, rejected prompt)")
        print(f"offline is {server_us / us_bad:.0f}x faster than asking the server")


if __name__ == "__main__":
    main()
