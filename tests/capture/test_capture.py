"""Capture end to end: the DevServer-shaped Flask app of tests/capture/fakeapp, run by each driver, and
``check``/``render`` with a ``capture:`` section (drift R019, refused calls R020, app failures R011, exit 2)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask

from clirun import run
from comfy_contract import Catalog, DevserverGenerator, RenderInputs
from comfy_contract.check.capturediff import capture_drift, merged, same_outcome
from comfy_contract.live.capture import CaptureGenerator, RequestTemplate, capture_generator, devserver_driver, load_app

HERE = Path(__file__).resolve().parent
FAKEAPP = HERE / "fakeapp"
SCHEMAS = FAKEAPP / "schemas"
DEVSERVER = FAKEAPP / "devserver"
REPO = HERE.parents[1]
CATALOG = REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json"
AGREEING = ("img_aiohttp", "img_httpx", "img_requests", "img_swarm", "img_telemetry", "img_urllib")


@pytest.fixture(scope="module")
def static() -> DevserverGenerator:
    return DevserverGenerator(SCHEMAS)


@pytest.fixture(scope="module")
def capture(stock_catalog: Catalog, static: DevserverGenerator) -> Iterator[CaptureGenerator]:
    with CaptureGenerator(devserver_driver(DEVSERVER), stock_catalog, configs_from=static) as gen:
        yield gen


def test_capture_lists_the_static_configs(capture: CaptureGenerator, static: DevserverGenerator) -> None:
    assert capture.configs() == list(static.configs())
    assert set(AGREEING) < set(capture.configs())


@pytest.mark.parametrize("config", AGREEING)
@pytest.mark.parametrize("mode", ["eco", "fast"])
def test_where_the_app_agrees_the_capture_equals_the_static_rendering(
        capture: CaptureGenerator, static: DevserverGenerator, config: str, mode: str) -> None:
    captured = capture.render(config, mode)
    expected = static.render(config, mode)
    assert captured.outcome == "workflow"
    assert len(captured.submissions) == 1
    assert capture_drift(expected, captured) == ()
    assert same_outcome(expected, captured)
    sub = captured.submissions[0]
    assert sub.client_id == "devserver"  # the app's own body, as it sent it
    assert sub.transport == ("swarmui" if config == "img_swarm" else "comfyui")
    assert sub.workflow["6"]["inputs"]["text"] == RenderInputs().user_text  # the LLM echoed the user's text
    # merged with the static render: its file metadata and its own findings (R005, R012) carry over
    both = merged(captured, expected)
    assert both.config_file == expected.config_file
    assert both.sources == expected.sources
    assert both.submissions[0].injections == expected.submissions[0].injections
    assert {"R005", "R012"} <= {f.code for f in both.findings}


def test_the_llm_answers_with_the_chosen_text(capture: CaptureGenerator) -> None:
    fox = capture.render("img_requests", "eco", RenderInputs(llm_outputs={"*": "a red fox"}))
    assert fox.submissions[0].workflow["6"]["inputs"]["text"] == "a red fox"
    by_model = capture.render("img_httpx", "eco", RenderInputs(llm_outputs={"translator": "ein Fuchs"}))
    assert by_model.submissions[0].workflow["6"]["inputs"]["text"] == "ein Fuchs"


def test_a_deviation_in_the_app_is_drift_with_the_graph_diff(capture: CaptureGenerator,
                                                             static: DevserverGenerator) -> None:
    captured = capture.render("img_drift", "eco")
    (finding,) = capture_drift(static.render("img_drift", "eco"), captured)
    assert finding.code == "R019"
    assert finding.severity == "error"
    where = (finding.node_id, finding.class_type, finding.input, finding.path)
    assert where == ("3", "KSampler", "cfg", "/3/inputs/cfg")
    assert (finding.expected, finding.actual) == (7, 4.5)
    assert "literal-changed  KSampler.cfg" in finding.message
    assert "comfy-contract render --capture" in finding.message


def test_a_refused_call_is_reported_and_the_app_goes_on(capture: CaptureGenerator) -> None:
    captured = capture.render("img_telemetry", "eco")
    assert captured.outcome == "workflow"
    (refused,) = [f for f in captured.findings if f.code == "R020"]
    assert refused.severity == "warning"
    assert refused.actual == "https://telemetry.example.com/v1/event"
    assert "(requests)" in refused.message


def test_an_app_failure_is_a_finding_with_the_apps_message(capture: CaptureGenerator,
                                                           static: DevserverGenerator) -> None:
    captured = capture.render("img_broken", "eco")
    assert captured.outcome == "error"
    assert captured.submissions == ()
    (failure,) = captured.findings
    assert failure.code == "R011"
    assert "KeyError: 'SCHEDULER_OVERRIDE'" in failure.message
    (drift,) = capture_drift(static.render("img_broken", "eco"), captured)
    assert drift.expected == "1 ComfyUI workflow"
    assert drift.actual.startswith("an error")


def test_an_unknown_config_is_the_apps_error_answer(capture: CaptureGenerator) -> None:
    captured = capture.render("no_such_config", "eco")
    assert captured.outcome == "error"
    assert "HTTP 404: \"Config 'no_such_config' not found\"" in captured.findings[0].message


def test_the_wsgi_driver_with_a_request_template(stock_catalog: Catalog) -> None:
    spec = {"driver": "wsgi", "app": "my_app:create_app()", "python_path": ["fakeapp/devserver"],
            "request": {"path": "/api/schema/pipeline/execute",
                        "json": {"schema": "{config}", "input_text": "{text}", "execution_mode": "{mode}"}}}
    with capture_generator(spec, base=HERE, catalog=stock_catalog) as gen:
        captured = gen.render("img_urllib", "fast", RenderInputs(user_text="a boat"))
        missing = gen.render("nope", "eco")
    assert captured.submissions[0].workflow["6"]["inputs"]["text"] == "a boat"
    assert missing.outcome == "error"
    assert "Config 'nope' not found" in missing.findings[0].message
    assert isinstance(load_app("my_app:create_app()"), Flask)
    filled = RequestTemplate("/x/{config}", json={"o": "{output_config}", "n": [1, "{mode}"]}, extra=True).fill(
        "c", "eco", RenderInputs(custom_placeholders={"alpha": 0}))
    assert filled == ("POST", "/x/c", {"o": None, "n": [1, "eco"], "alpha": 0})


def drive(config: str, mode: str, inputs: dict[str, Any]) -> None:
    """A callable driver: runs the app's code directly, without its web layer."""
    from my_app import COMFYUI, build, submit

    submit("requests", COMFYUI, {"prompt": build(config, inputs["user_text"]), "client_id": "fn"})
    if config == "img_drift":
        raise RuntimeError("the callable gave up")


def test_the_callable_driver(stock_catalog: Catalog) -> None:
    spec = {"driver": "callable", "callable": f"{__name__}:drive", "python_path": [str(DEVSERVER)]}
    with capture_generator(spec, base=HERE, catalog=stock_catalog, configs_from=["img_requests"]) as gen:
        assert gen.configs() == ["img_requests"]
        ok = gen.render("img_requests", "eco")
        failed = gen.render("img_drift", "eco")
    assert ok.outcome == "workflow"
    assert ok.submissions[0].client_id == "fn"
    # the app failed after submitting: the workflow is still what is validated, the failure a warning
    assert failed.outcome == "workflow"
    (warning,) = failed.findings
    assert warning.code == "R011"
    assert warning.severity == "warning"
    assert "the callable gave up" in warning.message


# -- check and render with a capture: section -------------------------------------------------------------------


def project(tmp_path: Path, capture: dict[str, Any] | None = None, **extra: Any) -> Path:
    data: dict[str, Any] = {
        "layout": "devserver", "root": str(SCHEMAS), "modes": ["eco"],
        "backends": {"production": {"catalogs": [str(CATALOG)]}},
        **extra,
    }
    if capture is not None:
        data["capture"] = capture
    path = tmp_path / "comfy-contract.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


DEVSERVER_CAPTURE = {"driver": "devserver", "devserver": str(DEVSERVER)}


def test_check_validates_the_capture_and_reports_drift(tmp_path: Path) -> None:
    file = project(tmp_path, DEVSERVER_CAPTURE)
    code, out, err = run("check", str(file))
    assert code == 1, err
    assert "checks: render, validate, lint, capture" in out
    rows = {line.split()[0]: line.split(None, 2)[2] for line in out.splitlines() if line.startswith("img_")}
    assert rows["img_drift"] == "FAIL R019"
    assert rows["img_broken"] == "FAIL R011,R019"
    assert all(rows[c] == "pass" for c in AGREEING)
    assert "literal-changed  KSampler.cfg  a:/3/inputs/cfg 7  →  b:/3/inputs/cfg 4.5" in out
    assert "Reproduce with: comfy-contract check" in out

    code, out, err = run("check", str(file), "--format", "json", "--verbose")
    assert code == 1
    report = json.loads(out)
    found = [(r["config"], r["check"], f["code"]) for r in report["results"] for f in r["findings"]]
    assert ("img_drift", "capture", "R019") in found
    assert ("img_telemetry", "render", "R020") in found
    (drift,) = [f for r in report["results"] if r["config"] == "img_drift"
                for f in r["findings"] if f["code"] == "R019"]
    assert drift["node_id"] == "3"
    assert drift["input"] == "cfg"
    assert drift["expected"] == 7
    assert drift["actual"] == 4.5

    code, out, _err = run("check", str(file), "--no-capture")
    assert "capture" not in out.splitlines()[0]
    assert "img_drift" in out


def test_check_capture_flag_without_a_section_is_a_usage_error(tmp_path: Path) -> None:
    code, _out, err = run("check", str(project(tmp_path)), "--capture")
    assert code == 2
    assert "has no `capture:` section" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("capture", "message"), [
    ({"driver": "devserver"}, "key capture: 'devserver' is a required property"),
    ({"driver": "wsgi", "app": "my_app:create_app()"}, "'request' is a required property"),
    ({"driver": "telepathy"}, "key capture.driver: 'telepathy' is not one of"),
    ({**DEVSERVER_CAPTURE, "allow": ["http://10.0.0.1:80/"]}, "key capture.allow.0"),
    ({"driver": "devserver", "devserver": "missing/"}, "devserver folder"),
    ({"driver": "callable", "callable": "no_such_module_x:f"}, "cannot import 'no_such_module_x'"),
    ({"driver": "wsgi", "app": "my_app:nothing", "request": {"path": "/"}}, "has no attribute 'nothing'"),
    ({**DEVSERVER_CAPTURE, "backend": "nowhere"}, "capture.backend 'nowhere' is not a backend"),
])
def test_bad_capture_config_exits_2_with_a_clear_message(tmp_path: Path, capture: dict[str, Any],
                                                         message: str) -> None:
    code, _out, err = run("check", str(project(tmp_path, capture)))
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err


def test_render_capture_writes_what_the_app_submitted(tmp_path: Path) -> None:
    file = project(tmp_path, DEVSERVER_CAPTURE)
    code, out, err = run("render", "--project", str(file), "--capture", "--config", "img_swarm",
                         "--config", "img_broken", "--out", str(tmp_path / "captured"))
    assert code == 0, err
    assert "2 renders (1 error, 1 workflow)" in out
    body = json.loads((tmp_path / "captured" / "img_swarm.eco.json").read_text("utf-8"))
    assert body["client_id"] == "devserver"
    assert body["prompt"]["3"]["inputs"]["cfg"] == 7.0
    manifest = json.loads((tmp_path / "captured" / "manifest.json").read_text("utf-8"))
    assert [e["outcome"] for e in manifest["configs"]] == ["workflow", "error"]
    code, _out, err = run("render", "--generator", "x:y", "--capture", "--out", str(tmp_path / "o"))
    assert code == 2
    assert "--capture uses the project file" in err


def test_the_pytest_plugin_checks_the_capture_too(pytester: pytest.Pytester) -> None:
    project(pytester.path, DEVSERVER_CAPTURE)
    result = pytester.runpytest("--comfy-contract", "-k", "img_drift or img_requests", "-q")
    result.assert_outcomes(passed=7, failed=1)  # 2 configs x (render, validate, lint, capture)
    out = result.stdout.str()
    assert "test_contract[img_drift-eco-any-capture]" in out
    assert "R019 capture-drift [error]" in out
    assert "literal-changed  KSampler.cfg" in out


def test_changed_files_select_by_the_static_sources_and_the_apps_code(tmp_path: Path) -> None:
    file = project(tmp_path, DEVSERVER_CAPTURE)
    code, out, _err = run("check", str(file), "--changed-files", str(SCHEMAS / "configs/output/img_drift.json"))
    assert code == 1
    assert "selected: 1 of 8 configs touched" in out
    code, out, _err = run("check", str(file), "--changed-files", str(DEVSERVER / "my_app" / "__init__.py"))
    assert "selected: 8 of 8 configs touched" in out


def test_a_driver_that_does_not_fit_the_apps_routes_is_a_usage_error(stock_catalog: Catalog,
                                                                      static: DevserverGenerator) -> None:
    # the real DevServer removed POST /api/schema/pipeline/execute in 2026 (405): one clear error, not one
    # drift finding per config
    from comfy_contract.core.errors import ComfyContractError
    from comfy_contract.live.capture import NoSuchRoute

    wrong = RequestTemplate(method="POST", path="/api/schema/pipeline/run", json={"schema": "{config}"})
    with CaptureGenerator(devserver_driver(DEVSERVER, request=wrong), stock_catalog, configs_from=static) as gen:
        config = static.configs()[0]
        with pytest.raises(NoSuchRoute, match="has no route POST /api/schema/pipeline/run") as caught:
            gen.render(config, "eco")
    assert isinstance(caught.value, ComfyContractError)
