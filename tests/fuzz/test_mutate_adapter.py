"""``hunt --mutate`` on apps of another shape (issue 16): the SDXL app of tests/sdxlapp.py behind a Python
callable, a command adapter reading configs from a folder, and an HTTP generator (refused)."""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from clirun import run
from comfy_contract.check.engine import suite_from_project
from comfy_contract.check.project import load_project
from comfy_contract.fuzz.mutate import Mutator, enumerate_mutants
from sdxlapp import CONFIGS, write_app


def _forget_app() -> None:
    for name in [m for m in sys.modules if m == "imagegen" or m.startswith("imagegen.")]:
        del sys.modules[name]


@pytest.fixture
def sdxl(tmp_path: Path) -> Iterator[Path]:
    """The SDXL app (five JSON configs read by a Python package) with a project file: no snapshots, no
    contracts - the gate is render, validate and lints."""
    _forget_app()
    write_app(tmp_path)
    project = tmp_path / "comfy-contract.yaml"
    project.write_text(yaml.safe_dump({
        "generator": {"callable": "imagegen.build:workflow", "enumerate": "imagegen.build:configs"},
        "modes": ["draft", "final"], "backends": {"server": {"catalogs": ["server-catalog.json"]}}}), "utf-8")
    yield project
    _forget_app()


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".comfy-contract" not in p.parts
            and "__pycache__" not in p.parts}


def test_a_callable_app_gets_a_score_per_config_and_its_survivors(sdxl: Path) -> None:
    before = _digest(sdxl.parent)
    code, out, err = run("hunt", "--mutate", "--budget", "3000", "--seed", "1", "--format", "json",
                         cwd=sdxl.parent)
    assert code == 1, err
    data = json.loads(out)
    assert data["kind"] == "adapter"
    assert {c["config"] for c in data["configs"]} == set(CONFIGS)
    assert 0 < data["score"] < 1
    assert data["mutants"] == data["total_mutants"]  # every mutant classified within the budget
    survivors = {(s["file"], s["path"], s["operator"]) for s in data["survivors"]}
    # dropping the LoRA of portrait: the graph loses its LoraLoader and nothing in the gate notices
    assert any(s["config"] == "portrait" and "require_classes: [LoraLoader]" in s["suggested_fix"]
               for r in data["survivors"] for s in r["configs"] if r["path"] == "/lora")
    assert (".comfy-contract/mutants/" + "configs__portrait.json.drop-key-"
            in " ".join(r["replay"] for r in data["survivors"]))
    assert survivors
    assert _digest(sdxl.parent) == before  # the app's own files were never touched: the copy was edited
    assert not [m for m in sys.modules if m.startswith("imagegen") and "comfy-contract-mutate-" in
                str(getattr(sys.modules[m], "__file__", ""))]  # the copy's modules were set aside again


def test_the_gate_kills_an_adapter_edit_that_breaks_the_app_and_a_contract_kills_another(sdxl: Path) -> None:
    suite = suite_from_project(load_project(sdxl), root=sdxl.parent)
    with Mutator(suite) as mutator:
        found = enumerate_mutants(mutator.workspace, ("drop-key",), ("configs/landscape.json",))
        (steps,) = [m for m in found["drop-key"]["configs/landscape.json"] if m.path == "/steps"]
        killed = mutator.classify(steps)  # the app raises KeyError: R011
        assert killed.verdict == "killed"
        assert any(f.startswith("R011") for f in killed.outcomes[0].new_findings)
        lora = next(m for m in enumerate_mutants(mutator.workspace, ("drop-key",), ("configs/portrait.json",))
                ["drop-key"]["configs/portrait.json"] if m.path == "/lora")
        assert mutator.classify(lora).verdict == "survived"
    # with a contract that requires the LoRA, the same edit is killed (C001)
    (sdxl.parent / "contracts").mkdir()
    (sdxl.parent / "contracts" / "lora.yaml").write_text(
        "contracts:\n  - match: portrait\n    require_classes: [LoraLoader]\n", "utf-8")
    data = yaml.safe_load(sdxl.read_text("utf-8"))
    sdxl.write_text(yaml.safe_dump({**data, "contracts": "contracts"}), "utf-8")
    suite = suite_from_project(load_project(sdxl), root=sdxl.parent)
    with Mutator(suite) as mutator:
        lora = next(m for m in enumerate_mutants(mutator.workspace, ("drop-key",), ("configs/portrait.json",))
                ["drop-key"]["configs/portrait.json"] if m.path == "/lora")
        result = mutator.classify(lora)
        assert result.verdict == "killed"
        assert any(f.startswith("C001") for f in result.outcomes[0].new_findings)
        assert "contracts/lora.yaml" not in {rel for rel, _ in mutator.workspace.documents()}  # ours, not the app's


def test_survivor_files_replay_until_a_snapshot_catches_them(sdxl: Path) -> None:
    where = sdxl.parent
    code, out, err = run("hunt", "--mutate", "--config", "landscape", "--operator", "drop-key", "--budget", "100",
                         "--seed", "2", cwd=where)
    assert code == 1, err
    files = sorted((where / ".comfy-contract" / "mutants").glob("*.json"))
    assert files
    recorded = json.loads(files[0].read_text("utf-8"))
    assert recorded["format"] == "comfy-contract/mutant"
    assert recorded["code"] == "F003"
    assert recorded["edit"]["removed"] is True
    assert recorded["edit"]["file_diff"].count("\n-  ") == 1  # one key removed
    assert recorded["replay"] in out
    command = recorded["replay"].split()
    assert command[:2] == ["comfy-contract", "replay"]
    code, out, err = run(*command[1:], cwd=where)
    assert code == 1, err
    assert out.startswith("still survives: ")
    # approve snapshots: the survivor is killed now (S002), and --prune deletes its file
    data = yaml.safe_load(sdxl.read_text("utf-8"))
    sdxl.write_text(yaml.safe_dump({**data, "snapshots": "snapshots"}), "utf-8")
    (where / "snapshots").mkdir()
    assert run("snapshot", "update", cwd=where)[0] == 0
    code, out, err = run("replay", str(files[0]), "--prune", "--format", "json", cwd=where)
    assert code == 0, err
    (row,) = json.loads(out)["results"]
    assert row["status"] == "killed"
    assert row["pruned"] is True
    assert not files[0].exists()


def test_a_command_adapter_needs_its_config_files_named(tmp_path: Path) -> None:
    (tmp_path / "configs").mkdir()
    for name, steps in (("alpha", 20), ("beta", 30)):
        (tmp_path / "configs" / f"{name}.json").write_text(json.dumps({"steps": steps, "prompt": "{prompt}"}), "utf-8")
    (tmp_path / "render.py").write_text(
        "import json, sys\n"
        "req = json.load(sys.stdin)\n"
        "cfg = json.load(open(f\"configs/{req['config']}.json\"))\n"
        "text = cfg['prompt'].replace('{prompt}', req['inputs']['user_text'])\n"
        "print(json.dumps({\n"
        " '3': {'class_type': 'KSampler', 'inputs': {'seed': req['inputs']['seed'], 'steps': cfg['steps'],\n"
        "  'cfg': 7.0, 'sampler_name': 'euler', 'scheduler': 'normal', 'denoise': 1.0, 'model': ['4', 0],\n"
        "  'positive': ['6', 0], 'negative': ['7', 0], 'latent_image': ['5', 0]}},\n"
        " '4': {'class_type': 'CheckpointLoaderSimple', 'inputs': {'ckpt_name': 'sd_xl_base_1.0.safetensors'}},\n"
        " '5': {'class_type': 'EmptyLatentImage', 'inputs': {'width': 1024, 'height': 1024, 'batch_size': 1}},\n"
        " '6': {'class_type': 'CLIPTextEncode', 'inputs': {'text': text, 'clip': ['4', 1]}},\n"
        " '7': {'class_type': 'CLIPTextEncode', 'inputs': {'text': '', 'clip': ['4', 1]}},\n"
        " '8': {'class_type': 'VAEDecode', 'inputs': {'samples': ['3', 0], 'vae': ['4', 2]}},\n"
        " '9': {'class_type': 'SaveImage', 'inputs': {'filename_prefix': req['config'], 'images': ['8', 0]}}}))\n",
        "utf-8")
    stock = Path(__file__).resolve().parents[2] / "contracts" / "catalogs" / "comfyui-0.3.75.json"
    (tmp_path / "comfy-contract.yaml").write_text(yaml.safe_dump({
        "generator": {"command": [sys.executable, "render.py"], "list_command": ["echo", "alpha\nbeta"]},
        "modes": ["default"], "backends": {"stock": {"catalogs": [str(stock)]}}}), "utf-8")
    code, _out, err = run("hunt", "--mutate", "--budget", "50", "--seed", "1", cwd=tmp_path)
    assert code == 2
    assert "--mutate-files" in err
    assert "Traceback" not in err
    code, out, err = run("hunt", "--mutate", "--budget", "50", "--seed", "1", "--mutate-files", "configs/*.json",
                         "--format", "json", cwd=tmp_path)
    assert code == 1, err
    data = json.loads(out)
    assert {c["config"] for c in data["configs"]} == {"alpha", "beta"}
    dropped = [r for r in data["results"] if r["operator"] == "drop-key" and r["path"] == "/steps"]
    assert {r["verdict"] for r in dropped} == {"killed"}  # the command fails: R011
    assert json.loads((tmp_path / "configs" / "alpha.json").read_text("utf-8"))["steps"] == 20  # untouched


def test_an_http_generator_is_refused(tmp_path: Path) -> None:
    stock = Path(__file__).resolve().parents[2] / "contracts" / "catalogs" / "comfyui-0.3.75.json"
    (tmp_path / "comfy-contract.yaml").write_text(yaml.safe_dump({
        "generator": {"url": "http://127.0.0.1:9/render", "configs_url": "http://127.0.0.1:9/configs"},
        "backends": {"stock": {"catalogs": [str(stock)]}}}), "utf-8")
    code, _out, err = run("hunt", "--mutate", "--budget", "5", cwd=tmp_path)
    assert code == 2
    assert "cannot edit the files behind the HTTP generator" in err
    assert "callable" in err


YAML_APP = '''\
"""Renders from YAML configs read relative to the working folder (as many apps do)."""

import yaml


def configs():
    return ["night", "day"]


def workflow(config, mode, inputs):
    with open(f"presets/{config}.yaml", encoding="utf-8") as fh:
        cfg = yaml.safe_load(fh)
    text = cfg["template"].replace("{prompt}", inputs["user_text"])
    return {
        "3": {"class_type": "KSampler", "inputs": {
            "seed": inputs["seed"], "steps": cfg["steps"], "cfg": 7.0, "sampler_name": cfg.get("sampler", "euler"),
            "scheduler": "normal", "denoise": 1.0, "model": ["4", 0], "positive": ["6", 0], "negative": ["7", 0],
            "latent_image": ["5", 0]}},
        "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "sd_xl_base_1.0.safetensors"}},
        "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 1024, "height": 1024, "batch_size": 1}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": text, "clip": ["4", 1]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "", "clip": ["4", 1]}},
        "8": {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}},
        "9": {"class_type": "SaveImage", "inputs": {"filename_prefix": config, "images": ["8", 0]}},
    }
'''


def test_yaml_configs_read_relative_to_the_working_folder(tmp_path: Path) -> None:
    (tmp_path / "yaml_app.py").write_text(YAML_APP, "utf-8")
    (tmp_path / "presets").mkdir()
    originals = {"night": "template: '{prompt}, at night'\nsteps: 30\nsampler: euler\n",
                 "day": "template: '{prompt}, by day'\nsteps: 20\n"}
    for name, text in originals.items():
        (tmp_path / "presets" / f"{name}.yaml").write_text(text, "utf-8")
    stock = Path(__file__).resolve().parents[2] / "contracts" / "catalogs" / "comfyui-0.3.75.json"
    (tmp_path / "comfy-contract.yaml").write_text(yaml.safe_dump({
        "generator": {"callable": "yaml_app:workflow", "enumerate": "yaml_app:configs"},
        "modes": ["default"], "backends": {"stock": {"catalogs": [str(stock)]}}}), "utf-8")
    try:
        code, out, err = run("hunt", "--mutate", "--budget", "500", "--seed", "1", "--format", "json", cwd=tmp_path)
    finally:
        sys.modules.pop("yaml_app", None)
    assert code == 1, err
    data = json.loads(out)
    assert {c["config"] for c in data["configs"]} == {"night", "day"}
    files = {r["file"] for r in data["results"]}
    assert files == {"presets/night.yaml", "presets/day.yaml"}
    verdicts = {(r["file"], r["operator"], r["path"]): r["verdict"] for r in data["results"]}
    assert verdicts[("presets/night.yaml", "drop-key", "/steps")] == "killed"  # KeyError in the app: R011
    assert verdicts[("presets/night.yaml", "change-literal", "/sampler")] == "survived"
    (lost,) = [r for r in data["survivors"] if r["operator"] == "drop-placeholder" and r["file"] == "presets/day.yaml"]
    assert "no longer reaches CLIPTextEncode '6'.text" in lost["configs"][0]["diff"]
    assert lost["edit"]["line"] is None  # YAML: no line from a JSON pointer
    assert "-template: '{prompt}, by day'" in lost["edit"]["file_diff"]
    for name, text in originals.items():  # the app's own files are untouched
        assert (tmp_path / "presets" / f"{name}.yaml").read_text("utf-8") == text


def test_a_survivor_whose_edit_no_longer_applies_is_gone(sdxl: Path) -> None:
    where = sdxl.parent
    assert run("hunt", "--mutate", "--config", "portrait", "--operator", "drop-key", "--budget", "100", "--seed",
               "1", cwd=where)[0] == 1
    (lora,) = [p for p in (where / ".comfy-contract" / "mutants").glob("*.json")
               if json.loads(p.read_text("utf-8"))["path"] == "/lora"]
    config = json.loads((where / "configs" / "portrait.json").read_text("utf-8"))
    del config["lora"]  # the team removed the LoRA on purpose: the recorded edit cannot be made any more
    (where / "configs" / "portrait.json").write_text(json.dumps(config), "utf-8")
    code, out, err = run("replay", str(lora), "--prune", cwd=where)
    assert code == 0, err
    assert out.startswith("gone (the edit cannot be made any more: the file or its target changed): ")
    assert "deleted" in out
    assert not lora.exists()
