"""The campaign finds the sample app's input-dependent defect, stays quiet on clean configs, and its
reproducers replay: still fails -> fix the config on disk -> fixed -> pruned."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from comfy_contract.fuzz import HuntOptions, Reproducer, export_pytest, hunt, load_target, replay, run_config
from comfy_contract.fuzz.campaign import ConfigFinished, Event, FailureFound, HuntFinished, HuntStarted
from comfy_contract.fuzz.reproducer import reproducer_files


def _options(tmp: Path, **kw: object) -> HuntOptions:
    base: dict[str, object] = {"seconds": None, "examples": 300, "seed": 3, "derandomize": True,
                               "crash_dir": str(tmp / "crashes"), "database": None}
    base.update(kw)
    return HuntOptions(**base)  # type: ignore[arg-type]


def test_hunt_finds_the_placeholder_resubstitution_of_lueckentext(project_copy: Path) -> None:
    target = load_target(project_copy)
    result = run_config(target, "lueckentext", _options(project_copy.parent), deadline=None, max_examples=300)
    assert len(result.found) == 1
    rep = Reproducer.load(result.found[0])
    assert rep.failure.code == "R002"
    assert (rep.failure.node_id, rep.failure.input) == ("6", "text")
    # shrunk: one LLM answer that is nothing but one placeholder the config's context asks for
    answer = rep.inputs.llm_outputs["manipulate"]
    assert answer.startswith("{{")
    assert answer.endswith("}}")
    assert answer[2:-2] in {"NOMEN", "FARBE", "ORT", "NOUN", "COLOUR", "PLACE"}
    assert rep.workflow is not None
    assert rep.workflow["6"]["inputs"]["text"] == answer
    data = json.loads(Path(result.found[0]).read_text(encoding="utf-8"))
    assert data["replay"].startswith("comfy-contract replay ")
    assert data["seed"] == 3
    assert data["comfy_contract_version"]


@pytest.mark.parametrize("config", ["sd35_large", "vector_fusion_spherical", "dual_encoder_fusion_image", "dada"])
def test_clean_configs_have_no_input_dependent_failure(project_copy: Path, config: str) -> None:
    target = load_target(project_copy)
    result = run_config(target, config, _options(project_copy.parent), deadline=None, max_examples=150)
    assert result.examples >= 100
    assert result.found == ()


def test_include_static_reports_a_failure_every_input_has(project_copy: Path) -> None:
    target = load_target(project_copy)
    quiet = run_config(target, "sdxl_base", _options(project_copy.parent), deadline=None, max_examples=50)
    assert quiet.found == ()
    assert any(s[2] == "V016" for s in quiet.static)
    loud = run_config(target, "sdxl_base", _options(project_copy.parent, include_static=True), deadline=None,
                      max_examples=50)
    codes = {Reproducer.load(p).failure.code for p in loud.found}
    assert "V016" in codes or "V004" in codes


def test_reproducer_round_trip_still_fails_then_fixed_then_pruned(project_copy: Path) -> None:
    tmp = project_copy.parent
    events: list[Event] = []
    final = hunt(load_target(project_copy), _options(tmp, configs=("lueckentext",)), events.append)
    assert isinstance(events[0], HuntStarted)
    assert isinstance(events[-1], HuntFinished)
    assert any(isinstance(e, FailureFound) for e in events)
    assert any(isinstance(e, ConfigFinished) and e.config == "lueckentext" for e in events)
    (path,) = final.reproducers
    rep = Reproducer.load(path)
    assert replay(rep, load_target(project_copy)).status == "still-fails"

    # fix the config on disk: lueckentext's text no longer goes to an image workflow
    config_file = tmp / "schemas" / "configs" / "interception" / "lueckentext.json"
    config = json.loads(config_file.read_text(encoding="utf-8"))
    config["media_preferences"]["output_configs"] = ["text_only"]
    config_file.write_text(json.dumps(config), encoding="utf-8")
    assert replay(rep, load_target(project_copy)).status == "fixed"

    import io

    from comfy_contract.cli import main

    out, err = io.StringIO(), io.StringIO()
    assert main(["replay", str(tmp / "crashes"), "--prune", "--project", str(project_copy)], out, err) == 0
    assert "fixed:" in out.getvalue()
    assert reproducer_files([tmp / "crashes"]) == []


def test_exported_pytest_test_fails_on_the_reproducer(project_copy: Path, pytester: pytest.Pytester) -> None:
    target = load_target(project_copy)
    result = run_config(target, "lueckentext", _options(project_copy.parent), deadline=None, max_examples=300)
    source = export_pytest(Reproducer.load(result.found[0]))
    compile(source, "exported", "exec")
    assert "@example(" in source
    assert "@given(" in source
    pytester.makepyfile(test_exported=source)
    run = pytester.runpytest("-p", "no:comfy_contract", "-p", "no:cacheprovider",
                             "--hypothesis-seed=0", "-x", "-q")
    run.assert_outcomes(failed=1)
    assert "R002" in run.stdout.str()
