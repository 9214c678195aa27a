"""``--shard I/N`` on ``check`` and ``hunt``, through the CLI: the shards are disjoint, add up to the unsharded
run, say which shard ran, do not depend on the process (Python's salted ``hash()``), and bad values are exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from adapterproject import make_adapter_project
from checkproject import make_project
from clirun import run
from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.shard import Shard, parse_shard, shard_of
from fuzzproject import make_project as make_fuzz_project

REPO = Path(__file__).resolve().parents[2]


def test_a_config_belongs_to_the_shard_its_sha256_names() -> None:
    # pinned: the split must be the same on every machine and Python version (CI matrix jobs rely on it)
    names = ("sd35_large", "sdxl_base", "bauhaus", "clean", "")
    assert [shard_of(n, 4) for n in names] == [3, 1, 1, 4, 1]
    assert [shard_of(n, 7) for n in names] == [7, 2, 3, 3, 2]
    import hashlib

    for name in ("sd35_large", "sdxl_base", "Möwe/über", "\udcff"):
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()
        assert shard_of(name, 7) == 1 + int.from_bytes(digest[:8], "big") % 7
    many = [f"config_{i}" for i in range(400)]
    sizes = Counter(shard_of(n, 4) for n in many)
    assert set(sizes) == {1, 2, 3, 4}
    assert min(sizes.values()) > 60
    assert Shard(1, 1).pick(many) == tuple(many)


@pytest.mark.parametrize("text", ["0/2", "3/2", "x", "1/0", "-1/2", "1/2/3", "", "1.5/2"])
def test_bad_shards_are_usage_errors(text: str) -> None:
    with pytest.raises(ComfyContractError) as info:
        parse_shard(text)
    assert "hint: pass --shard I/N" in str(info.value)
    assert parse_shard(" 2 / 3 ") == Shard(2, 3)


def _check_json(project: Path, tmp: Path, *extra: str) -> dict[str, Any]:
    report = tmp / f"check{'_'.join(e.replace('/', 'of') for e in extra)}.json"
    code, _, err = run("check", str(project), "--format", "json", "-o", str(report), *extra, cwd=project.parent)
    assert code in (0, 1), err
    data: dict[str, Any] = json.loads(report.read_text("utf-8"))
    return data


def _keyed(results: list[dict[str, Any]]) -> Counter[str]:
    out: Counter[str] = Counter()
    for r in results:
        r = {k: v for k, v in r.items() if k != "duration_s"}
        out[json.dumps(r, sort_keys=True)] += 1
    return out


def _assert_shards_add_up(project: Path, tmp: Path, n: int, *extra: str) -> None:
    whole = _check_json(project, tmp, *extra)
    shards = [_check_json(project, tmp, *extra, "--shard", f"{i}/{n}") for i in range(1, n + 1)]
    configs = [{r["config"] for r in s["results"] if r["config"] != "*"} for s in shards]
    for i, a in enumerate(configs):  # disjoint
        for b in configs[i + 1:]:
            assert not a & b
    assert set().union(*configs) == {r["config"] for r in whole["results"] if r["config"] != "*"}
    total: Counter[str] = Counter()
    for s in shards:
        total += _keyed(s["results"])
    assert total == _keyed(whole["results"])  # every result, project results included, exactly once
    for i, s in enumerate(shards, 1):
        assert s["summary"]["selection"].startswith(f"shard {i}/{n}: {len(configs[i - 1])} of ")


def test_check_shards_of_the_devserver_sample_app_add_up_to_the_whole_run(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", snapshots=True, contracts=True, baseline=True)
    _assert_shards_add_up(project, tmp_path, 3)


def test_sharding_applies_after_changed_files(tmp_path: Path) -> None:
    project = make_project(tmp_path / "app", snapshots=False)
    chunk = project.parent / "schemas" / "chunks" / "output_image.json"
    _assert_shards_add_up(project, tmp_path, 3, "--changed-files", str(chunk))
    first = _check_json(project, tmp_path, "--changed-files", str(chunk), "--shard", "1/3")
    touched = _check_json(project, tmp_path, "--changed-files", str(chunk))["summary"]["selection"]
    assert first["summary"]["selection"].endswith(f"; {touched}")  # "shard 1/3: 8 of 23 configs; 23 of 39 ..."


def test_check_shards_of_an_adapter_app_add_up_to_the_whole_run(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    where = tmp_path / "app"
    where.mkdir()
    project = make_adapter_project(where)  # its baseline has a stale entry: B001 comes once, from shard 1
    monkeypatch.syspath_prepend(str(where))
    whole = _check_json(project, tmp_path)
    assert any(f["code"] == "B001" for r in whole["results"] for f in r["findings"])
    _assert_shards_add_up(project, tmp_path, 2)


def test_the_text_report_says_which_shard_ran(tmp_path: Path) -> None:
    project = make_project(tmp_path, snapshots=False)
    code, out, err = run("check", str(project), "--shard", "2/3")
    assert code in (0, 1), err
    assert "selected: shard 2/3: " in out
    code, out, _ = run("check", str(project), "--shard", "2/3", "--format", "github")
    assert "::notice title=comfy-contract::selected shard 2/3: " in out.splitlines()[-1]
    code, out, _ = run("check", str(project), "--shard", "2/3", "--format", "junit")
    assert '<property name="comfy-contract.selection" value="shard 2/3: ' in out
    code, out, _ = run("check", str(project), "--shard", "2/3", "--list")
    assert code == 0
    first, configs = out.splitlines()[:2]
    assert first.startswith("shard 2/3: ")
    assert configs.startswith("configs:  ")
    assert all(shard_of(c, 3) == 2 for c in configs.split()[1:])


@pytest.mark.parametrize("command", ["check", "hunt"])
@pytest.mark.parametrize("value", ["0/2", "3/2", "x"])
def test_bad_shard_values_exit_2_with_a_hint(tmp_path: Path, command: str, value: str) -> None:
    project = make_project(tmp_path, snapshots=False)
    code, out, err = run(command, "--project", str(project), "--shard", value)
    assert code == 2
    assert "--shard" in err
    assert "hint: pass --shard I/N with 1 <= I <= N" in err
    assert "Traceback" not in err
    assert out == ""


def _hunt_list(project: Path, *extra: str) -> list[str]:
    code, out, err = run("hunt", "--project", str(project), "--list", *extra, cwd=project.parent)
    assert code == 0, err
    return [line for line in out.splitlines() if not line.startswith("shard ")]


@pytest.mark.parametrize("app", ["devserver", "adapter"])
def test_hunt_shards_are_disjoint_and_cover_every_config(tmp_path: Path, app: str,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    if app == "devserver":
        project = make_fuzz_project(tmp_path)
    else:
        project = make_adapter_project(tmp_path)
        monkeypatch.syspath_prepend(str(tmp_path))
    whole = _hunt_list(project)
    parts = [_hunt_list(project, "--shard", f"{i}/3") for i in (1, 2, 3)]
    assert sorted(c for p in parts for c in p) == sorted(whole)
    assert len({c for p in parts for c in p}) == len(whole)
    check_parts = [run("check", str(project), "--list", "--shard", f"{i}/3", cwd=tmp_path)[1].splitlines()[1]
                   for i in (1, 2, 3)]
    assert [sorted(p) for p in parts] == [sorted(line.split()[1:]) for line in check_parts]  # the same split


def test_hunt_says_which_shard_ran(tmp_path: Path) -> None:
    project = make_fuzz_project(tmp_path)
    code, out, err = run("hunt", "--project", str(project), "--shard", "1/2", "--config", "sd35_large*",
                         "--budget", "20", "--seed", "3", "--database", "none",
                         "--crash-dir", str(tmp_path / "crashes"))
    assert code in (0, 1), err
    picked = _hunt_list(project, "--config", "sd35_large*", "--shard", "1/2")
    assert f"shard 1/2: {len(picked)} of " in err
    assert "(shard 1/2)" in out.splitlines()[-2] + out.splitlines()[-1]
    code, _, err = run("hunt", "--project", str(project), "--mutate", "--shard", "1/2")
    assert code == 2
    assert "--shard and --list do not go with --mutate" in err


def test_the_split_does_not_depend_on_the_process(tmp_path: Path) -> None:
    """Two processes with different hash seeds (Python's str hash is salted) pick the same configs."""
    project = make_fuzz_project(tmp_path)
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-m", "comfy_contract", "hunt", "--project", str(project), "--list",
                               "--shard", "2/3"], cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=120, check=False)
        assert proc.returncode == 0, proc.stderr
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    assert outs[0].startswith("shard 2/3: ")
