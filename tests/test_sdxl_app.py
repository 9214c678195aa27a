"""Issue 12: an app of another shape (tests/sdxlapp.py: a Python package building SDXL + LoRA workflows from
five JSON configs) adopted with ``init --generator``; check, the changed-files gate, the pre-commit hook's
file filter, SARIF, the pytest plugin and snapshots find each of its three defects at a useful place."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from clirun import run
from sdxlapp import CONFIGS, write_app

REPO = Path(__file__).resolve().parent.parent
GIT = ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", "-c", "commit.gpgsign=false"]


def _forget_app() -> None:
    for name in [m for m in sys.modules if m == "imagegen" or m.startswith("imagegen.")]:
        del sys.modules[name]  # another test's copy of the app (another folder) must not be reused


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Path]:
    """The app adopted as a new user would: ``init --generator``, then the server's catalog pulled."""
    _forget_app()
    write_app(tmp_path)
    code, _out, err = run("init", str(tmp_path), "--generator", "imagegen.build:workflow", "--modes", "draft,final")
    assert code == 0, err
    (tmp_path / "comfy-contract" / "catalogs" / "comfyui-0.3.75.json").write_bytes(
        (tmp_path / "server-catalog.json").read_bytes())
    yield tmp_path
    _forget_app()


def _git(where: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=where, check=True, capture_output=True)


def test_init_writes_an_adapter_project_with_its_modes_and_a_gitignore(app: Path) -> None:
    data = yaml.safe_load((app / "comfy-contract.yaml").read_text("utf-8"))
    assert data["generator"] == {"callable": "imagegen.build:workflow", "enumerate": "imagegen.build:configs"}
    assert data["modes"] == ["draft", "final"]
    assert ".comfy-contract/" in (app / ".gitignore").read_text("utf-8").splitlines()
    code, out, err = run("check", "--list", cwd=app)  # imports from the project root, installed or not
    assert code == 0, err
    assert out.splitlines()[0] == "configs:  " + " ".join(CONFIGS)


def test_init_finds_the_devserver_schemas_folder(tmp_path: Path) -> None:
    (tmp_path / "devserver" / "schemas").mkdir(parents=True)
    code, _out, err = run("init", str(tmp_path))
    assert code == 0, err
    assert "root: devserver/schemas" in (tmp_path / "comfy-contract.yaml").read_text("utf-8")
    assert "does not exist" not in err


def test_check_finds_each_defect_where_it_is(app: Path) -> None:
    code, out, err = run("check", "--check", "render", "--check", "validate", "--check", "lint", cwd=app)
    assert code == 1, err
    blocks = re.split(r"\n(?=[A-Z]\d{3} )", out)  # one block per finding

    def block(code_: str, config: str) -> str:
        return next(b for b in blocks if b.startswith(code_) and f"config {config!r}" in b)

    assert "file:     configs/photo.json:4" in block("V015", "photo")  # the config line holding {{STEPS}}
    poster = block("L003", "poster")  # the user's text goes into a style encoder nothing uses
    assert "file:     imagegen/build.py:13" in poster
    assert "make imagegen.build:workflow write it" in poster
    assert "input_mappings" not in out
    assert "chunk" not in out
    assert "file:     imagegen/build.py:13" in block("L001", "sketch")
    assert "L006" not in out  # the adapter writes inputs["seed"]: traced, not a fixed seed
    assert "comfy-contract.yaml" not in out
    for clean in ("portrait", "landscape"):
        assert re.search(rf"^{clean}\s+draft\s+pass", out, re.M), out


def test_a_templated_prompt_satisfies_user_text_inputs(app: Path) -> None:
    (app / "contracts" / "configs" / "prompts.yaml").write_text(
        "contracts:\n  - match: '*'\n    user_text_inputs: [{node_id: '6', input: text}]\n", encoding="utf-8")
    code, out, _err = run("check", "--check", "contract", cwd=app)
    assert code == 1
    c003 = {line.split()[0] for line in out.splitlines() if re.match(r"^\w+\s+(draft|final)\s+FAIL C003", line)}
    assert c003 == {"poster", "sketch"}, out  # portrait's "a portrait of {prompt}, ..." receives the user's text


def test_the_changed_files_gate_never_passes_silently(app: Path) -> None:
    _git(app, "init", "-q")
    _git(app, "add", ".")
    _git(app, "commit", "-qm", "app")
    land = app / "configs" / "landscape.json"
    land.write_text(land.read_text("utf-8").replace('"steps": 25', '"steps": "{{STEPS}}"'), encoding="utf-8")
    code, out, _err = run("check", "--changed-since", "HEAD", "--check", "validate", cwd=app)
    assert code == 1
    assert "selected: 1 of 5 configs touched by 1 changed file(s)" in out
    assert "V015" in out
    _git(app, "checkout", "-q", "configs/landscape.json")
    (app / "README.md").write_text("# the app\n", encoding="utf-8")
    code, out, _err = run("check", "--changed-since", "HEAD", cwd=app)
    assert code == 0
    assert "selected: 0 of 5 configs touched by 1 changed file(s); not read by any config: 'README.md'" in out
    # the app's code: every config (the pre-commit hook passes .py files now)
    code, out, _err = run("check", "--changed-files", "imagegen/build.py", "--check", "validate", cwd=app)
    assert code == 1
    assert "selected: 5 of 5 configs touched" in out
    # a file no config is known to read: every config, and why
    (app / "styles.txt").write_text("bold\n", encoding="utf-8")
    code, out, _err = run("check", "--changed-files", "styles.txt", "--check", "validate", cwd=app)
    assert code == 1
    assert "no config is known to read 'styles.txt', so every config is checked" in out


def test_the_pre_commit_hook_passes_the_apps_code() -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text("utf-8"))
    files = re.compile(hooks[0]["files"])
    for name in ("imagegen/build.py", "configs/photo.json", "comfy-contract.yaml", "prompts/style.txt"):
        assert files.search(name), name
    assert not files.search("docs/logo.png")


def test_sarif_points_at_the_apps_files(app: Path) -> None:
    code, out, _err = run("check", "--format", "sarif", "--check", "validate", "--check", "lint", cwd=app)
    assert code == 1
    where = {}
    for result in json.loads(out)["runs"][0]["results"]:
        loc = result["locations"][0]["physicalLocation"]
        where.setdefault(result["ruleId"], set()).add((loc["artifactLocation"]["uri"], loc["region"]["startLine"]))
    assert where["V015"] == {("configs/photo.json", 4)}
    assert where["L003"] == where["L001"] == {("imagegen/build.py", 13)}
    assert not any(uri == "comfy-contract.yaml" for places in where.values() for uri, _ in places)


def test_snapshots_record_and_catch_a_changed_graph(app: Path) -> None:
    code, _out, err = run("snapshot", "update", cwd=app)
    assert code == 0, err
    assert len(list((app / "legacy_snapshots").glob("*.json"))) == 10
    portrait = app / "configs" / "portrait.json"
    portrait.write_text(portrait.read_text("utf-8").replace('"cfg": 6.5', '"cfg": 9'), encoding="utf-8")
    code, out, _err = run("check", "--check", "snapshot", cwd=app)
    assert code == 1
    assert re.search(r"^portrait\s+draft\s+FAIL S002", out, re.M), out


def test_the_pytest_plugin_reports_each_defect(app: Path, pytester: pytest.Pytester) -> None:
    for item in app.iterdir():
        target = pytester.path / item.name
        if item.is_dir():
            import shutil

            shutil.copytree(item, target)
        else:
            target.write_bytes(item.read_bytes())
    _forget_app()
    result = pytester.runpytest("--comfy-contract", "-p", "no:cacheprovider", "-k", "validate or lint")
    text = result.stdout.str()
    for expected in ("V015", "configs/photo.json:4", "L003", "L001", "imagegen/build.py:13"):
        assert expected in text, expected
    failed = {m.group(1) for m in re.finditer(r"FAILED \S*::test_contract\[(\w+)-", text)}
    assert failed == {"photo", "poster", "sketch"}


def test_a_closed_pipe_is_no_error() -> None:
    """`comfy-contract explain --list | head -1`: no "Broken pipe" error, whichever write meets the closed pipe."""
    script = "comfy-contract explain --list | head -1 >/dev/null; echo ${PIPESTATUS[0]}"
    env_bin = str(Path(sys.executable).parent)
    for _ in range(3):
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True,
                              env={"PATH": env_bin + ":/usr/bin:/bin"})
        assert done.stderr == ""
        assert done.stdout.strip() in ("0", "141")


NO_VOLATILE_TEXT = "normalisation:\n  volatile: ['*.seed', '*.noise_seed', '*.filename_prefix', '*.client_id']\n"


def test_a_project_can_compare_prompt_texts_in_snapshots(app: Path) -> None:
    """Prompt texts are volatile by default; a project `normalisation:` without them makes a changed template show."""
    code, _out, err = run("snapshot", "update", cwd=app)
    assert code == 0, err
    land = app / "configs" / "landscape.json"
    land.write_text(land.read_text("utf-8").replace("golden hour", "blue hour"), encoding="utf-8")
    code, out, _err = run("check", "--check", "snapshot", "--config", "landscape", cwd=app)
    assert code == 0, out  # the default: prompt text is volatile
    project = app / "comfy-contract.yaml"
    project.write_text(project.read_text("utf-8") + NO_VOLATILE_TEXT, encoding="utf-8")
    code, out, _err = run("check", "--check", "snapshot", "--config", "landscape", cwd=app)
    assert code == 1
    assert re.search(r"^landscape\s+draft\s+FAIL S002", out, re.M), out
    assert "CLIPTextEncode" in out
    project.write_text(project.read_text("utf-8") + "  nonsense: 1\n", encoding="utf-8")
    code, _out, err = run("check", cwd=app)
    assert code == 2
    assert "key normalisation: unknown normalisation option(s) ['nonsense']" in err


def test_hunt_finds_each_defect_with_the_built_in_input_space(app: Path) -> None:
    # the adapter app has no generators/*.yaml: hunt draws from its built-in space; the defects do not depend on
    # the input (they are static), so --include-static reports them, each with a reproducer
    argv = ("hunt", "--budget", "40", "--seed", "1", "--database", "none", "--include-static",
            "--crash-dir", str(app / "crashes"))
    code, out, err = run(*argv, cwd=app)
    assert code == 1, err
    assert "the built-in one for adapter apps" in err
    reproducers = [json.loads(p.read_text("utf-8")) for p in (app / "crashes").glob("*.json")
                   if not p.name.endswith(".prompt.json")]
    assert len(reproducers) == 3, out
    for config, code_ in (("photo", "V004"), ("poster", "L003"), ("sketch", "L001")):
        assert re.search(rf"^FAIL {config} \[draft\] .*: {code_} ", out, re.M), out
    assert "make imagegen.build:workflow write" in out  # advice in the adapter's terms
