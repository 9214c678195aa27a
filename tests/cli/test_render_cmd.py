from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clirun import run
from comfy_contract.cli.render_cmd import file_stem
from devserver.helpers import make_tree, write


def test_render_the_sample_app(sample_app: Path, tmp_path: Path) -> None:
    code, out, err = run("render", "--layout", "devserver", "--root", str(sample_app / "schemas"),
                         "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert "78 renders (4 api, 2 backend, 10 error, 10 text, 52 workflow)" in out
    assert "rendered 78/78" in err
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    entries = {(e["config"], e["mode"]): e for e in manifest["configs"]}
    pop = entries[("pop_art", "eco")]
    assert (pop["outcome"], pop["files"], [f["code"] for f in pop["findings"]]) == ("error", [], ["R008"])
    assert "pop_art.json:25:3" in pop["findings"][0]["message"]
    expr = entries[("expressionismus", "fast")]
    assert expr["files"] == ["expressionismus.fast.1.json", "expressionismus.fast.2.json"]
    assert entries[("pre_interception/safety_youth", "eco")]["files"] == []  # text-only: nothing submitted
    assert not list((tmp_path / "out").glob("pre_interception*"))
    dada = json.loads((tmp_path / "out" / "dada.eco.json").read_text("utf-8"))
    assert set(dada) == {"prompt", "client_id"}
    turbo = entries[("sd35_large_turbo", "eco")]["findings"][-1]
    assert {k: turbo[k] for k in ("code", "node_id", "path")} == {"code": "R002", "node_id": "3",
                                                                  "path": "/parameters"}


def test_render_is_byte_stable(sample_app: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert run("render", "--layout", "devserver", "--root", str(sample_app / "schemas"), "--config", "dada",
                   "--config", "vector_fusion_spherical", "--mode", "eco", "--out", str(tmp_path / name))[0] == 0
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["dada.eco.json", "manifest.json", "vector_fusion_spherical.eco.json"]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_config_names_are_sanitised(tmp_path: Path) -> None:
    root = make_tree(tmp_path / "schemas", extra={
        "configs/evil.json": {"name": "../x", "pipeline": "gen", "meta": {"stage": "output"},
                              "parameters": {"OUTPUT_CHUNK": "wf", "STEPS": 1, "SEED": 1}}})
    code, _, err = run("render", "--layout", "devserver", "--root", str(root), "--config", "../x",
                       "--out", str(tmp_path / "out"))
    assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["manifest.json", "x.eco.json", "x.fast.json"]
    assert not (tmp_path / "x.eco.json").exists()
    assert file_stem("pre_output/translation_en", "eco") == "pre_output__translation_en.eco"


@pytest.mark.parametrize(("argv", "message"), [
    (["--layout", "devserver", "--root", "{tmp}/missing"], "no such folder"),
    (["--layout", "devserver", "--root", "{tmp}"], "not a DevServer tree"),
    (["--layout", "devserver"], "needs --root"),
    (["--generator", "no_such_module_xyz:f", "--config", "a"], "cannot import"),
    (["--project", "{tmp}/none.yaml"], "no such project file"),
])
def test_usage_errors_exit_2(tmp_path: Path, argv: list[str], message: str) -> None:
    code, _, err = run("render", *[a.replace("{tmp}", str(tmp_path)) for a in argv], "--out", str(tmp_path / "o"))
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_unknown_config_exits_2(tmp_path: Path) -> None:
    code, _, err = run("render", "--layout", "devserver", "--root", str(make_tree(tmp_path)), "--config", "zzz",
                       "--out", str(tmp_path / "o"))
    assert (code, "no config named 'zzz'" in err) == (2, True)


def test_list_uses_the_project_file(tmp_path: Path) -> None:
    make_tree(tmp_path / "schemas")
    write(tmp_path, "comfy-contract.yaml", "layout: devserver\nroot: schemas\nmodes: [fast]\n")
    code, out, _ = run("render", "--project", str(tmp_path / "comfy-contract.yaml"), "--list")
    assert (code, out) == (0, "out\n")
    code, _, _ = run("render", "--project", str(tmp_path / "comfy-contract.yaml"), "--out", str(tmp_path / "o"))
    manifest = json.loads((tmp_path / "o" / "manifest.json").read_text("utf-8"))
    assert [(e["config"], e["mode"]) for e in manifest["configs"]] == [("out", "fast")]


def test_generator_command_flag(tmp_path: Path) -> None:
    script = write(tmp_path, "gen.py", "import json,sys; r=json.load(sys.stdin); "
                   "print(json.dumps({'1': {'class_type': 'X', 'inputs': {'c': r['config']}}}))")
    code, _, err = run("render", "--generator", f"cmd:{sys.executable} {script}", "--config", "k", "--mode", "eco",
                       "--out", str(tmp_path / "o"))
    assert code == 0, err
    body = json.loads((tmp_path / "o" / "k.eco.json").read_text("utf-8"))
    assert body["prompt"]["1"]["inputs"]["c"] == "k"


def test_render_via_subprocess(repo_root: Path, tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "comfy_contract", "render", "--config", "sd35_large", "--mode", "eco",
                           "--out", str(tmp_path)], cwd=repo_root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text("utf-8"))
    (entry,) = manifest["configs"]
    assert entry["sources"][0] == "fixtures/sample_app/schemas/configs/output/sd35_large.json"


def test_manifest_names_each_files_transport_and_other_routes(sample_app: Path, tmp_path: Path) -> None:
    code, _, err = run("render", "--layout", "devserver", "--root", str(sample_app / "schemas"),
                       "--config", "sd35_large", "--config", "heartmula_song", "--mode", "eco",
                       "--out", str(tmp_path / "out"))
    assert code == 0, err
    entries = {e["config"]: e for e in json.loads((tmp_path / "out" / "manifest.json").read_text())["configs"]}
    assert entries["sd35_large"]["transports"] == ["comfyui"]
    assert "route" not in entries["sd35_large"]
    assert (entries["heartmula_song"]["outcome"], entries["heartmula_song"]["route"]) == (
        "backend", "python:output_music_heartmula")


def test_bad_behaviour_pins_are_usage_errors(sample_app: Path, tmp_path: Path) -> None:
    for pin, message in (("gpu", "not KEY=VALUE"), ("gpu_service=sideways", "not a known switch")):
        code, _, err = run("render", "--layout", "devserver", "--root", str(sample_app / "schemas"),
                           "--behaviour", pin, "--out", str(tmp_path / "out"))
        assert code == 2, err
        assert message in err
        assert "Traceback" not in err


def test_behaviour_pin_on_the_command_line_routes_to_the_direct_backend(sample_app: Path, tmp_path: Path) -> None:
    args = ("render", "--layout", "devserver", "--root", str(sample_app / "schemas"), "--config", "sd35_diffusers",
            "--mode", "eco")
    for pins, outcome, route in (((), "workflow", None), (("--behaviour", "gpu_service=up"), "backend", "diffusers")):
        code, _, err = run(*args, *pins, "--out", str(tmp_path / route_dir(route)))
        assert code == 0, err
        (entry,) = json.loads((tmp_path / route_dir(route) / "manifest.json").read_text())["configs"]
        assert (entry["outcome"], entry.get("route")) == (outcome, route)


def route_dir(route: str | None) -> str:
    return f"out-{route or 'comfyui'}"
