from __future__ import annotations

import json
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

import httpx
import pytest

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.render.adapters import CallableGenerator, CommandGenerator, HttpGenerator
from comfy_contract.render.model import Generator, RenderInputs

APP = '''
import json, sys

def workflow(config, mode, inputs):
    if config == "boom":
        raise RuntimeError("no such style")
    if config == "text":
        return None
    if config == "two":
        return [{"1": {"class_type": "A", "inputs": {}}}, {"prompt": {"2": {"class_type": "B", "inputs": {}}},
                                                           "client_id": "c"}]
    if config == "junk":
        return 42
    return {"1": {"class_type": "SaveImage", "inputs": {"text": inputs["user_text"], "mode": mode}}}

def configs():
    return ["a", "two"]

if __name__ == "__main__":
    if sys.argv[1:] == ["--list"]:
        print("a\\ntwo")
        sys.exit(0)
    request = json.load(sys.stdin)
    if request["config"] == "crash":
        print("Traceback: KeyError", file=sys.stderr)
        sys.exit(3)
    if request["config"] == "noise":
        print("not json")
        sys.exit(0)
    print(json.dumps(workflow(request["config"], request["mode"], request["inputs"])))
'''


@pytest.fixture
def app_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "my_app_gen.py"
    path.write_text(APP, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    return path


def test_callable_generator(app_module: Path) -> None:
    generator = CallableGenerator("my_app_gen:workflow", enumerate="my_app_gen:configs")
    assert isinstance(generator, Generator)
    assert generator.configs() == ["a", "two"]
    rendered = generator.render("a", "fast", RenderInputs(user_text="hi"))
    assert rendered.outcome == "workflow"
    assert rendered.submissions[0].workflow == {"1": {"class_type": "SaveImage", "inputs": {"text": "hi",
                                                                                              "mode": "fast"}}}
    two = generator.render("two", "eco")
    assert [s.client_id for s in two.submissions] == ["comfy-contract", "c"]
    assert generator.render("text", "eco").outcome == "text"


@pytest.mark.parametrize(("config", "message"), [("boom", "raised RuntimeError: no such style"),
                                                 ("junk", "expected an API-format workflow")])
def test_callable_failure_is_an_r011_finding(app_module: Path, config: str, message: str) -> None:
    rendered = CallableGenerator("my_app_gen:workflow").render(config, "eco")
    assert rendered.outcome == "error"
    (finding,) = rendered.findings
    assert finding.code == "R011"
    assert message in finding.message


def test_callable_spec_errors(app_module: Path) -> None:
    with pytest.raises(ComfyContractError, match=r"expected 'package\.module:function'"):
        CallableGenerator("my_app_gen")
    with pytest.raises(ComfyContractError, match="cannot import 'no_such_mod'"):
        CallableGenerator("no_such_mod:f")
    with pytest.raises(ComfyContractError, match="has no attribute 'nope'"):
        CallableGenerator("my_app_gen:nope")
    with pytest.raises(ComfyContractError, match="cannot list its configs"):
        CallableGenerator("my_app_gen:workflow").configs()


def test_command_generator(app_module: Path) -> None:
    generator = CommandGenerator([sys.executable, str(app_module)],
                                 list_command=[sys.executable, str(app_module), "--list"])
    assert generator.configs() == ["a", "two"]
    rendered = generator.render("a", "eco", RenderInputs(user_text="über"))
    assert rendered.submissions[0].workflow["1"]["inputs"]["text"] == "über"
    crash = generator.render("crash", "eco")
    assert (crash.outcome, crash.findings[0].code) == ("error", "R011")
    assert "exited 3" in crash.findings[0].message
    assert "KeyError" in crash.findings[0].message
    noise = generator.render("noise", "eco")
    assert "printed no JSON" in noise.findings[0].message


def test_command_timeout_is_a_finding(tmp_path: Path) -> None:
    slow = CommandGenerator([sys.executable, "-c", "import time; time.sleep(5)"], timeout=0.3)
    assert "timed out after 0.3 s" in slow.render("a", "eco").findings[0].message


def test_command_that_cannot_start_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(ComfyContractError, match="cannot run generator command"):
        CommandGenerator([str(tmp_path / "missing-binary")]).render("a", "eco")


def _wsgi_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    if environ["REQUEST_METHOD"] == "GET":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(["a"]).encode()]
    size = int(environ.get("CONTENT_LENGTH") or 0)
    request = json.loads(environ["wsgi.input"].read(size))
    if request["config"] == "bad":
        start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
        return [b"KeyError: 'bad'"]
    start_response("200 OK", [("Content-Type", "application/json")])
    body = {"prompt": {"1": {"class_type": "X", "inputs": {"seed": request["inputs"]["seed"]}}}, "client_id": "z"}
    return [json.dumps(body).encode()]


def test_http_generator_through_a_wsgi_transport() -> None:
    generator = HttpGenerator("http://app/render", configs_url="http://app/configs",
                              transport=httpx.WSGITransport(app=_wsgi_app))
    assert generator.configs() == ["a"]
    rendered = generator.render("a", "eco", RenderInputs(seed=7))
    assert rendered.submissions[0].workflow == {"1": {"class_type": "X", "inputs": {"seed": 7}}}
    assert rendered.submissions[0].client_id == "z"
    bad = generator.render("bad", "eco")
    assert (bad.outcome, bad.findings[0].code) == ("error", "R011")
    assert "HTTP 500" in bad.findings[0].message
    generator.close()


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def loopback_server() -> Iterator[str]:
    server = make_server("127.0.0.1", 0, _wsgi_app, handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_http_generator_against_a_real_loopback_server(loopback_server: str) -> None:
    generator = HttpGenerator(loopback_server + "/render")
    assert generator.render("a", "eco").outcome == "workflow"
    generator.close()


def test_http_generator_unreachable_is_a_usage_error() -> None:
    generator = HttpGenerator("http://127.0.0.1:9/render", timeout=2)
    with pytest.raises(ComfyContractError, match="cannot reach the generator endpoint"):
        generator.render("a", "eco")
    generator.close()
