"""Hostile files through every file-reading entry point: each probe exits 2 (or yields a finding), names the
file, stays within the time ceiling and never prints a traceback (issue 13)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from hostile.harness import STOCK, WALL_S, limited, run, write_json

REPO = Path(__file__).resolve().parents[2]


def alias_bomb(levels: int = 9) -> str:
    """The 431-byte "billion laughs": each level names the previous one nine times."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def deep_yaml(depth: int = 20_000) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


# --- JSON inputs: workflows, /prompt bodies, catalogs ------------------------------------------------

JSON_PROBES = {
    "lone surrogate in a class_type": ('{"1": {"class_type": "KSampler\\ud800", "inputs": {}}}', (1,), "ud800"),
    "lone surrogate in an input": ('{"1": {"class_type": "SaveImage", "inputs": {"filename_prefix": "\\udfff",'
                                   ' "images": ["1", 0]}}}', (1,), None),
    "nested 50,000 deep": ("[" * 50_000 + "]" * 50_000, (2,), "nested"),
    "nested 300 deep (parses, deeper than the cap)": ('{"1": ' + "[" * 300 + "]" * 300 + "}", (2,), "nested"),
    "not UTF-8": (b"\xff\xfe{}".decode("latin-1"), (2,), None),
    "NUL and escapes in a class_type": ('{"1": {"class_type": "\\u001b[2J\\u0000", "inputs": {}}}', (1,), None),
    "a JSON string, not an object": ('"hello"', (1, 2), None),
    "a /prompt body whose prompt is a list": ('{"prompt": [1, 2]}', (1,), None),
    "a /prompt body with a huge number": ('{"prompt": {"1": {"class_type": "EmptyLatentImage", "inputs": '
                                          '{"width": 1e400, "height": -1e999, "batch_size": 9999999999999999999999}}}}',
                                          (1,), None),
    "empty file": ("", (2,), None),
}


@pytest.mark.parametrize("name", list(JSON_PROBES))
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_validate_survives_hostile_workflows(tmp_path: Path, name: str, fmt: str) -> None:
    text, codes, needle = JSON_PROBES[name]
    wf = tmp_path / "wf.json"
    wf.write_bytes(text.encode("utf-8", "surrogatepass") if "not UTF-8" not in name else b"\xff\xfe{}")
    result = run("validate", str(wf), "--catalog", str(STOCK), "--format", fmt)
    result.assert_clean(*codes)
    assert result.seconds < WALL_S
    if result.code == 2:
        assert "wf.json" in result.err  # the message names the file
    if needle:
        assert needle in ascii(result.out + result.err)
    if fmt == "json" and result.code != 2:
        json.loads(result.out.splitlines()[0])  # still one valid JSON line
    assert "\x1b" not in result.out
    assert "\x00" not in result.out


def test_validate_prints_surrogates_to_a_real_stdout(tmp_path: Path) -> None:
    """On a real UTF-8 stdout (not a StringIO), a lone surrogate used to raise UnicodeEncodeError."""
    wf = write_json(tmp_path / "wf.json", {})
    wf.write_text('{"1": {"class_type": "KSampler\\ud800", "inputs": {}}}', encoding="utf-8")
    for fmt in ("text", "json"):
        result = limited("validate", str(wf), "--catalog", str(STOCK), "--format", fmt, cwd=tmp_path,
                         env={"PYTHONIOENCODING": "utf-8"})
        result.assert_clean(1)
        assert "\\ud800" in result.out


CATALOG_PROBES = {
    "output_name is a number": {"KSampler": {"input": {"required": {}}, "output": ["LATENT"], "output_name": 1.5}},
    "input spec is a string": {"KSampler": {"input": {"required": {"seed": "INT"}}, "output": []}},
    "node is a list": {"KSampler": [1, 2]},
    "a list, not an object": [1, 2],
    "object_info is a string": {"object_info": "x"},
}


@pytest.mark.parametrize("name", list(CATALOG_PROBES))
def test_catalog_commands_reject_hostile_catalogs(tmp_path: Path, name: str) -> None:
    cat = write_json(tmp_path / "cat.json", CATALOG_PROBES[name])
    wf = write_json(tmp_path / "wf.json", {"1": {"class_type": "KSampler", "inputs": {}}})
    for argv in (("validate", str(wf), "--catalog", str(cat)), ("catalog", "show", str(cat)),
                 ("catalog", "merge", str(STOCK), str(cat), "-o", str(tmp_path / "m.json")),
                 ("catalog", "diff", str(STOCK), str(cat))):
        result = run(*argv)
        result.assert_clean(2)
        assert "cat.json" in result.err, argv
    assert not (tmp_path / "m.json").exists()


# --- YAML inputs: project, contracts, baseline, input space --------------------------------------------

def sample_project(where: Path, **extra: object) -> Path:
    from checkproject import make_project

    return make_project(where, contracts=True)


YAML_PROBES = {
    "alias bomb": (alias_bomb(), "alias"),
    "alias bomb, one level more": (alias_bomb(10), "alias"),
    "recursive alias": ("a: &x [1, *x]\n", "alias"),
    "nested 20,000 deep": (deep_yaml(), "nested"),
    "duplicate keys": ("version: 1\nversion: 1\nentries: []\n", "duplicate"),
    "tab indentation": ("a:\n\tb: 1\n", "not valid YAML"),
    "not UTF-8": (None, "UTF-8"),
}


def _write_yaml(path: Path, text: str | None) -> None:
    if text is None:
        path.write_bytes(b"a: \xff\xfe\n")
    else:
        path.write_text(text, encoding="utf-8")


@pytest.mark.parametrize("name", list(YAML_PROBES))
def test_project_file(tmp_path: Path, name: str) -> None:
    text, needle = YAML_PROBES[name]
    _write_yaml(tmp_path / "comfy-contract.yaml", text)
    result = run("check", cwd=tmp_path)
    result.assert_clean(2)
    assert "comfy-contract.yaml" in result.err
    assert (needle in result.err or "mapping" in result.err)
    assert result.seconds < 5


@pytest.mark.parametrize("name", list(YAML_PROBES))
def test_contract_file(tmp_path: Path, name: str) -> None:
    """A hostile contract file is a C006 finding naming it (full runs report it; other files still load)."""
    import time

    from comfy_contract.check.contracts import ContractSet

    text, _needle = YAML_PROBES[name]
    shutil.copytree(REPO / "contracts" / "configs", tmp_path / "contracts")
    _write_yaml(tmp_path / "contracts" / "hostile.yaml", text)
    started = time.perf_counter()
    try:
        contracts = ContractSet.load(tmp_path / "contracts")
    except Exception as exc:  # a usage error is fine too, as long as it names the file
        problem = str(exc)
        assert "hostile.yaml" in problem
        return
    assert time.perf_counter() - started < 5
    assert [p.code for p in contracts.problems]
    assert all(p.code == "C006" for p in contracts.problems)
    assert any("hostile.yaml" in p.message for p in contracts.problems)


@pytest.mark.parametrize("name", list(YAML_PROBES))
def test_baseline_file(tmp_path: Path, name: str) -> None:
    text, _needle = YAML_PROBES[name]
    sample_project(tmp_path)
    _write_yaml(tmp_path / "comfy-contract-baseline.yaml", text)
    result = run("check", "--config", "bauhaus", "--mode", "eco", "--check", "render", cwd=tmp_path)
    result.assert_clean(1, 2)
    assert "comfy-contract-baseline.yaml" in result.out + result.err
    assert result.seconds < WALL_S


@pytest.mark.parametrize("name", [*YAML_PROBES, "no kind"])
def test_hunt_space_file(tmp_path: Path, name: str) -> None:
    text = "defaults: {modes: [eco]}\n" if name == "no kind" else YAML_PROBES[name][0]
    sample_project(tmp_path)
    _write_yaml(tmp_path / "space.yaml", text)
    result = run("hunt", "--space", "space.yaml", "--budget", "1", "--database", "none", cwd=tmp_path)
    result.assert_clean(2)
    assert "space.yaml" in result.err
    assert result.seconds < 10


def test_alias_bomb_in_a_subprocess_is_bounded(tmp_path: Path) -> None:
    """The 431-byte bomb took 14 s (one level more: minutes); with limits set, well under a second of work."""
    sample_project(tmp_path)
    (tmp_path / "comfy-contract-baseline.yaml").write_text(alias_bomb(10), encoding="utf-8")
    result = limited("check", "--config", "bauhaus", "--mode", "eco", "--check", "render", cwd=tmp_path,
                     memory_mb=1024, wall_s=20)
    result.assert_clean(2)
    assert "alias" in result.err
    assert result.peak_rss_mb < 400


# --- CLI arguments and adapters ---------------------------------------------------------------------------

def test_render_cmd_generator_with_an_unbalanced_quote(tmp_path: Path) -> None:
    result = run("render", "--generator", 'cmd:python -c "print(1)', "--out", str(tmp_path / "o"), "--config", "x")
    result.assert_clean(2)
    assert "quotation" in result.err


def test_project_generator_command_with_an_unbalanced_quote(tmp_path: Path) -> None:
    (tmp_path / "comfy-contract.yaml").write_text("generator:\n  command: \"python -c 'x\"\n  list_command: x\n",
                                                  encoding="utf-8")
    result = run("check", cwd=tmp_path)
    result.assert_clean(2)
    assert "quotation" in result.err


def test_hunt_database_that_is_a_file(tmp_path: Path) -> None:
    sample_project(tmp_path)
    (tmp_path / "db").write_text("x", encoding="utf-8")
    result = run("hunt", "--database", "db", "--budget", "1", cwd=tmp_path)
    result.assert_clean(2)
    assert "is a file" in result.err


def test_hunt_unwritable_crash_folder_fails_before_the_budget(tmp_path: Path) -> None:
    sample_project(tmp_path)
    (tmp_path / "blocker").write_text("x", encoding="utf-8")  # a file where a folder must go (also as root)
    result = run("hunt", "--crash-dir", "blocker/crashes", "--budget", "60s", "--database", "none", cwd=tmp_path)
    result.assert_clean(2)
    assert "crash folder" in result.err
    assert result.seconds < 5  # the 60 s budget was never spent


def test_cmd_generator_answers(tmp_path: Path) -> None:
    """A ``cmd:`` generator that prints deeply nested JSON, a huge answer or garbage: R011 per config."""
    script = tmp_path / "gen.py"
    script.write_text(
        "import sys, json\nreq = json.load(sys.stdin)\nc = req['config']\n"
        "if c == 'deep': print('[' * 100000 + ']' * 100000)\n"
        "elif c == 'huge': sys.stdout.write(' ' * (70 * 1024 * 1024))\n"
        "elif c == 'garbage': print('\\x00\\x1b[2J not json')\n",
        encoding="utf-8")
    out = tmp_path / "out"
    result = limited("render", "--generator", f"cmd:{shutil.which('python3') or 'python3'} {script}",
                     "--config", "deep", "--config", "huge", "--config", "garbage", "--out", str(out), "--mode", "eco",
                     cwd=tmp_path)
    result.assert_clean(0)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    codes = {e["config"]: [f["code"] for f in e["findings"]] for e in manifest["configs"]}
    assert codes == {"deep": ["R011"], "huge": ["R011"], "garbage": ["R011"]}
    assert result.peak_rss_mb < 400


def _chain(n: int) -> dict[str, object]:
    wf: dict[str, object] = {"0": {"class_type": "EmptyLatentImage",
                                   "inputs": {"width": 64, "height": 64, "batch_size": 1}}}
    for i in range(1, n):
        wf[str(i)] = {"class_type": "LatentUpscaleBy",
                      "inputs": {"samples": [str(i - 1), 0], "upscale_method": "nearest-exact", "scale_by": 1.0}}
    wf["out"] = {"class_type": "SaveLatent", "inputs": {"samples": [str(n - 1), 0], "filename_prefix": "x"}}
    return wf


@pytest.mark.parametrize(("nodes", "status", "decidable"), [
    (960, 200, True), (971, 200, False), (978, 200, False), (981, 400, False), (1500, 400, False)])
def test_recursion_band_is_undecidable(nodes: int, status: int, decidable: bool) -> None:
    """A real 0.3.75 fails at depth 981-982 when warm and about 971 on a cold first request: that band is V090."""
    from comfy_contract import load_catalog, validate

    verdict = validate(_chain(nodes), load_catalog(STOCK))
    assert verdict.status == status
    assert verdict.decidable is decidable
    assert ("V090" in [f.code for f in verdict.findings]) is not decidable
