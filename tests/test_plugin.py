"""The pytest plugin, driven from outside with pytester (in-process and in a subprocess with xdist)."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from adapterproject import CONFIGS, MODES, make_adapter_project, renders
from adapterproject import MODULE as ADAPTER_MODULE
from checkproject import make_project

ID = "comfy-contract.yaml::test_contract[{}]"

SAMPLE_CONFIGS = 39  # configs in fixtures/sample_app (tests/devserver/test_sample_app.py lists them)


@pytest.fixture
def app(pytester: pytest.Pytester) -> Path:
    return make_project(pytester.path, snapshots=False, baseline=False)


def test_does_nothing_unless_enabled(pytester: pytest.Pytester, app: Path) -> None:
    pytester.makepyfile(test_mine="def test_one():\n    assert True\n")
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)
    assert "comfy-contract:" not in result.stdout.str()


def test_collects_one_item_per_config_mode_backend_check(pytester: pytest.Pytester, app: Path) -> None:
    result = pytester.runpytest("--comfy-contract", "--collect-only", "-q")
    out = result.stdout.str()
    for key in ("vector_fusion_linear_clip-eco-production-validate", "vector_fusion_linear_clip-eco-any-render",
                "sd35_large-fast-standalone-lint", "haiku-eco-standalone-validate"):
        assert ID.format(key) in out, key
    assert "test_contract[sd35_large-eco-any-snapshot]" not in out  # the project has no snapshots
    collected = [line for line in out.splitlines() if "::test_contract[" in line]
    assert len(collected) == len(set(collected)) == SAMPLE_CONFIGS * 2 * (1 + 2 + 2)


def test_failures_show_the_fixed_block(pytester: pytest.Pytester, app: Path) -> None:
    result = pytester.runpytest("--comfy-contract", "--comfy-contract-config", "sd35_large",
                                "--comfy-contract-backend", "standalone", "-m", "comfy_check(name='validate')")
    result.assert_outcomes(passed=0, failed=2, deselected=4)
    out = result.stdout.str()
    assert "V018 value-not-in-list [error] A value is not one of the allowed options" in out
    assert "in:       config 'sd35_large', mode 'eco', backend 'standalone', check 'validate'" in out
    assert "Reproduce with: comfy-contract check --config sd35_large --mode eco --backend standalone" in out
    assert "Traceback" not in out


def test_markers_keywords_and_outcomes(pytester: pytest.Pytester, app: Path) -> None:
    result = pytester.runpytest("--comfy-contract", "-k", "sdxl_dualclip or haiku", "-m",
                                "comfy_backend(name='production') or comfy_check(name='render')")
    # sdxl_dualclip passes everything; haiku renders text only: its validate/lint items are skipped
    result.assert_outcomes(passed=8, skipped=4, deselected=len_all() - 12)


def len_all() -> int:
    return SAMPLE_CONFIGS * 2 * 5


def test_ini_enables_and_fail_on(pytester: pytest.Pytester, app: Path) -> None:
    pytester.makeini("[pytest]\ncomfy_contract = true\ncomfy_contract_fail_on = never\n")
    result = pytester.runpytest("--comfy-contract-config", "sd35_large_turbo")
    result.assert_outcomes(passed=len_all() // SAMPLE_CONFIGS)
    assert "fail on never" in result.stdout.str()


def test_bad_options_are_usage_errors(pytester: pytest.Pytester, app: Path) -> None:
    result = pytester.runpytest("--comfy-contract", "--comfy-contract-backend", "nope")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*unknown backend 'nope'*"])
    missing = pytester.runpytest("--comfy-contract", "--comfy-contract-project", "elsewhere.yaml")
    assert missing.ret == pytest.ExitCode.USAGE_ERROR


def test_fixtures_for_users_own_tests(pytester: pytest.Pytester, app: Path) -> None:
    pytester.makepyfile(test_own="""
        def test_validate_a_render(render_config, comfy_validate, comfy_catalog, comfy_catalogs):
            assert set(comfy_catalogs) == {"production", "standalone"}
            assert "ai4artsed_conditioning_fusion" in comfy_catalog
            rendered = render_config("vector_fusion_spherical", "eco")
            assert comfy_validate(rendered).accepted
            verdict = comfy_validate(rendered, backend="standalone")
            assert verdict.status == 400
            assert verdict.error["type"] == "invalid_prompt"
            assert comfy_validate(rendered.submissions[0].workflow).accepted
    """)
    result = pytester.runpytest("-q")
    result.assert_outcomes(passed=1)


def test_xdist_and_junitxml(pytester: pytest.Pytester, app: Path) -> None:
    junit = pytester.path / "junit.xml"
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "--comfy-contract",
                                           "--comfy-contract-config", "sd35_large*", f"--junitxml={junit}")
    outcomes = result.parseoutcomes()
    assert outcomes["passed"] > 0
    assert outcomes["failed"] > 0
    root = ET.parse(junit).getroot()
    cases = list(root.iter("testcase"))
    assert len(cases) == 7 * 2 * 5
    failing = [c for c in cases if c.find("failure") is not None]
    assert len(failing) == outcomes["failed"]
    standalone = next(c for c in failing if c.attrib["name"] == "test_contract[sd35_large-eco-standalone-validate]")
    failure = standalone.find("failure")
    assert failure is not None
    assert "V018 value-not-in-list" in (failure.text or "") + failure.attrib.get("message", "")
    props = {p.attrib["name"]: p.attrib["value"] for p in standalone.iter("property")}
    assert props == {"config": "sd35_large", "mode": "eco", "backend": "standalone", "check": "validate"}


def test_hypothesis_profiles(pytester: pytest.Pytester, app: Path) -> None:
    pytester.makepyfile(test_profile="""
        from hypothesis import settings

        def test_profile():
            assert settings.default.derandomize is True
            assert settings.default.max_examples == 50
    """)
    result = pytester.runpytest("--comfy-contract-profile", "ci", "-q", "test_profile.py")
    result.assert_outcomes(passed=1)
    again = pytester.runpytest("-p", "hypothesis", "--hypothesis-profile", "comfy-contract-ci", "-q",
                               "test_profile.py")
    again.assert_outcomes(passed=1)


def test_hypothesis_profiles_have_one_definition(pytester: pytest.Pytester, app: Path) -> None:
    """The plugin registers the profiles of comfy_contract.fuzz.profiles, not settings of its own."""
    pytester.makepyfile(test_profile="""
        from hypothesis import settings

        from comfy_contract.fuzz import profile_settings

        def test_dev():
            expected = profile_settings("comfy-contract-dev")
            assert settings.default.max_examples == expected.max_examples == 200
            assert settings.default.database is not None

        def test_hunt_is_registered():
            assert settings.get_profile("comfy-contract-hunt").max_examples == 10_000
    """)
    result = pytester.runpytest("--comfy-contract-profile", "dev", "-q", "test_profile.py")
    result.assert_outcomes(passed=2)
    hunt = pytester.runpytest("-p", "hypothesis", "--hypothesis-profile", "comfy-contract-hunt", "-q",
                              "test_profile.py", "-k", "hunt")
    hunt.assert_outcomes(passed=1, deselected=1)


# -- the snapshot lifecycle, through the plugin ----------------------------------------------------------

@pytest.fixture
def snap_app(pytester: pytest.Pytester) -> Path:
    return make_project(pytester.path, snapshots=True, baseline=False)


def _snap(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest("--comfy-contract", "--comfy-contract-config", "sdxl_dualclip",
                              "-m", "comfy_check(name='snapshot')", *args)


def test_snapshot_lifecycle(pytester: pytest.Pytester, snap_app: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTEST_XDIST_WORKER", raising=False)  # this test may itself run in an xdist worker
    snapshots = pytester.path / "snapshots"
    missing = _snap(pytester)
    missing.assert_outcomes(failed=2, deselected=10)
    assert "S001 snapshot-missing" in missing.stdout.str()

    updated = _snap(pytester, "--comfy-contract-snapshot-update")
    updated.assert_outcomes(passed=2, deselected=10)
    written = sorted(p.name for p in snapshots.iterdir())
    assert len(written) == 2
    assert json.loads((snapshots / written[0]).read_text("utf-8"))["config"] == "sdxl_dualclip"

    _snap(pytester).assert_outcomes(passed=2, deselected=10)

    chunk = pytester.path / "schemas" / "chunks" / "output_image_sdxl_dualclip.json"
    data = json.loads(chunk.read_text("utf-8"))
    sampler = next(n for n in data["workflow"].values() if n["class_type"] == "KSampler")
    sampler["inputs"]["denoise"] = 0.55  # a literal no input mapping overwrites
    chunk.write_text(json.dumps(data, indent=2), encoding="utf-8")
    drift = _snap(pytester)
    drift.assert_outcomes(failed=2, deselected=10)
    assert "S002 snapshot-drift" in drift.stdout.str()
    assert "0.55" in drift.stdout.str()

    _snap(pytester, "--snapshot-update").assert_outcomes(passed=2, deselected=10)
    _snap(pytester).assert_outcomes(passed=2, deselected=10)

    (snapshots / "gone_config.eco.json").write_text((snapshots / written[0]).read_text("utf-8").replace(
        '"sdxl_dualclip"', '"gone_config"'), encoding="utf-8")
    project_only = pytester.runpytest("--comfy-contract", "-k", "test_project")
    project_only.assert_outcomes(passed=1, deselected=SAMPLE_CONFIGS * 12)
    unused = pytester.runpytest("--comfy-contract", "-k", "test_project", "--comfy-contract-fail-on", "warning")
    unused.assert_outcomes(failed=1, deselected=SAMPLE_CONFIGS * 12)  # S003 is a warning
    assert "S003 snapshot-unused" in unused.stdout.str()
    assert "gone_config" in unused.stdout.str()


def test_snapshot_update_refuses_xdist(pytester: pytest.Pytester, snap_app: Path) -> None:
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "--comfy-contract",
                                           "--comfy-contract-snapshot-update")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*refuses to run under pytest-xdist*"])
    assert not any((pytester.path / "snapshots").iterdir())


# -- one full run per session ------------------------------------------------------------------------------

@pytest.fixture
def adapter_app(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> Path:
    pytester.makeini("[pytest]\npythonpath = .\n")  # the adapter module, in every xdist worker too
    monkeypatch.delitem(sys.modules, ADAPTER_MODULE, raising=False)  # not another test's copy
    return make_adapter_project(pytester.path)


def _per_render(where: Path) -> Counter[str]:
    return Counter(renders(where))


def test_the_matrix_runs_once_per_session(pytester: pytest.Pytester, adapter_app: Path) -> None:
    """Contract items and both project items share one engine: every (config, mode) is rendered once."""
    result = pytester.runpytest("--comfy-contract")
    # 24 contract items (text_only's validate/lint/snapshot are skipped; 4 S001, 1 V015) + 2 project items
    result.assert_outcomes(passed=15, failed=5, skipped=6)
    counts = _per_render(pytester.path)
    assert sorted(counts) == sorted(f"{c} {m}" for c in CONFIGS for m in MODES)
    assert set(counts.values()) == {1}


def test_project_items_share_one_full_run(pytester: pytest.Pytester, adapter_app: Path) -> None:
    """Before, each project item built its own engine and re-ran the whole matrix."""
    result = pytester.runpytest("--comfy-contract", "-k", "test_project", "--comfy-contract-fail-on", "warning")
    result.assert_outcomes(passed=1, failed=1, deselected=24)
    assert "B001 baseline-stale" in result.stdout.str()
    assert set(_per_render(pytester.path).values()) == {1}


@pytest.mark.parametrize("selection", [(), ("-k", "test_project")], ids=["all", "project-items"])
def test_the_full_run_happens_once_under_xdist(pytester: pytest.Pytester, adapter_app: Path,
                                               selection: tuple[str, ...]) -> None:
    """Under -n 2 the project items' full run happens once for all workers; each worker renders a
    (config, mode) at most once for the contract items it runs."""
    result = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "--comfy-contract", *selection)
    outcomes = result.parseoutcomes()
    assert outcomes.get("passed", 0) + outcomes.get("failed", 0) > 0
    counts = _per_render(pytester.path)
    assert sorted(counts) == sorted(f"{c} {m}" for c in CONFIGS for m in MODES)
    if selection:
        assert set(counts.values()) == {1}, counts
    else:
        assert max(counts.values()) <= 2, counts


def test_path_arguments_narrow_the_contract_items(pytester: pytest.Pytester, app: Path) -> None:
    """A node id of the project file runs that item only; the project file as a path runs its items (``-k``
    narrows further); path arguments that do not reach the project file run no contract item."""
    pytester.makepyfile(test_mine="def test_one():\n    assert True\n")
    one = pytester.runpytest("--comfy-contract", ID.format("haiku-eco-any-render"))
    one.assert_outcomes(passed=1)
    by_file = pytester.runpytest("--comfy-contract", "comfy-contract.yaml", "-k", "haiku and eco")
    by_file.assert_outcomes(passed=1, skipped=4, deselected=len_all() - 5)  # haiku submits no workflow
    mine = pytester.runpytest("--comfy-contract", "test_mine.py")
    mine.assert_outcomes(passed=1)
    both = pytester.runpytest("--comfy-contract", "test_mine.py", ID.format("sdxl_dualclip-eco-production-lint"))
    both.assert_outcomes(passed=2)
    folder = pytester.runpytest("--comfy-contract", "--collect-only", "-q", ".")  # the folder holds the file
    collected = [line for line in folder.stdout.lines if "::test_contract[" in line]
    assert len(collected) == len(set(collected)) == len_all()


def _collected(result: pytest.RunResult) -> list[str]:
    return [line.split("::")[-1] for line in result.stdout.lines if "::test_" in line]


def test_shards_split_the_items_and_shard_1_has_the_project_items(pytester: pytest.Pytester,
                                                                    adapter_app: Path) -> None:
    """--comfy-contract-shard I/N: the same split as `check --shard`, disjoint, adding up to the unsharded items;
    the baseline's stale entry (a config that exists nowhere; B001 is a warning) fails in shard 1 only, under
    xdist too."""
    whole = _collected(pytester.runpytest("--comfy-contract", "--collect-only", "-q"))
    shards = [_collected(pytester.runpytest("--comfy-contract", "--comfy-contract-shard", f"{i}/2",
                                            "--collect-only", "-q")) for i in (1, 2)]
    contract = [[n for n in s if n.startswith("test_contract[")] for s in shards]
    assert not set(contract[0]) & set(contract[1])
    assert sorted(contract[0] + contract[1]) == sorted(n for n in whole if n.startswith("test_contract["))
    assert "test_project[unused-snapshots]" in shards[0]
    assert "test_project[unused-snapshots]" not in shards[1]
    assert all("test_project[baseline]" in s for s in shards)
    first = pytester.runpytest_subprocess("-p", "xdist", "-n", "2", "--comfy-contract", "--comfy-contract-fail-on",
                                          "warning", "--comfy-contract-shard", "1/2", "-q", "-k", "test_project")
    first.assert_outcomes(passed=1, failed=1)
    first.stdout.fnmatch_lines(["*FAILED*test_project[[]baseline[]]*"])
    second = pytester.runpytest("--comfy-contract", "--comfy-contract-fail-on", "warning",
                                "--comfy-contract-shard", "2/2", "-q", "-k", "test_project")
    second.assert_outcomes(passed=1)
    bad = pytester.runpytest("--comfy-contract", "--comfy-contract-shard", "3/2")
    assert bad.ret == pytest.ExitCode.USAGE_ERROR
    bad.stderr.fnmatch_lines(["*--comfy-contract-shard '3/2'*"])
