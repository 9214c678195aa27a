"""Hypothesis over every parser: whatever the bytes, each returns a value or raises the tool's own usage error
(exit 2 with a message), never anything else, within a bounded time (issue 13)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import loads
from comfy_contract.core.safetext import bounded_stem, printable
from comfy_contract.core.yamlio import load_yaml
from comfy_contract.validation.catalog import catalog_from_data, load_catalog
from comfy_contract.validation.validator import validate, validate_request
from hostile.harness import STOCK, run

FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck), database=None)
CATALOG = load_catalog(STOCK)
CLASSES = ["KSampler", "SaveImage", "EmptyLatentImage", "CheckpointLoaderSimple", "CLIPTextEncode", "Nope\ud800"]

scalars = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8)
           | st.sampled_from(["\ud800", "\x00", "\x1b[2J", "{{X}}", "1e999", "-1"]))
json_values = st.recursive(scalars, lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(max_size=6), c,
                                                                                       max_size=4), max_leaves=20)
links = st.tuples(st.sampled_from(["1", "2", "3", 1, "x"]), st.integers(-2, 3)).map(list)
nodes = st.fixed_dictionaries({"class_type": st.sampled_from(CLASSES) | scalars},
                              optional={"inputs": st.dictionaries(st.sampled_from(
                                  ["seed", "steps", "model", "images", "width", "ckpt_name", "text", "clip"]),
                                  links | scalars, max_size=5) | scalars})
workflows = st.dictionaries(st.sampled_from(["1", "2", "3", "x", ""]), nodes | scalars, max_size=4)


@FAST
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_json_reader_returns_or_raises_input_error(data: bytes) -> None:
    try:
        loads(data, source="x.json")
    except ComfyContractError as exc:
        assert str(exc).startswith("x.json")  # noqa: PT017


@FAST
@given(workflows)
def test_validator_never_raises(workflow: dict[str, Any]) -> None:
    verdict = validate(workflow, CATALOG)
    assert verdict.status in (200, 400, 500)


@FAST
@given(st.dictionaries(st.sampled_from(["prompt", "client_id", "extra_data", "number", "front",
                                        "partial_execution_targets"]), workflows | json_values, max_size=4))
def test_prompt_bodies_never_raise(body: dict[str, Any]) -> None:
    verdict = validate_request(body, CATALOG)
    assert verdict.status in (200, 400, 500)


@FAST
@given(st.sampled_from(["input", "output", "output_name", "output_node", "name", "category", "python_module"]),
       json_values, st.sampled_from(["KSampler", "SaveImage"]))
def test_catalog_entries_are_read_or_refused(key: str, value: Any, cls: str) -> None:
    info = {cls: {**dict(CATALOG.nodes[cls].raw), key: value}}
    try:
        catalog = catalog_from_data(info, source="c.json", comfyui_version="0.3.75")
    except ComfyContractError as exc:
        assert "c.json" in str(exc)  # noqa: PT017
        return
    assert validate({"1": {"class_type": cls, "inputs": {}}}, catalog).status in (200, 400, 500)


YAML_BITS = ["a: ", "&x ", "*x", "[", "]", "{", "}", "- ", "\n", "  ", "b", ": ", "!!python/object:os.system ",
             "<<: *x", "? ", "'", '"', "\t", "\ud800", "%YAML 1.2\n", "---\n", "0x1F", "2026-02-30"]


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(st.sampled_from(YAML_BITS) | st.text(max_size=4), max_size=40))
def test_yaml_loader_is_bounded_and_never_raises(tmp_path_factory: pytest.TempPathFactory, bits: list[str]) -> None:
    path = tmp_path_factory.mktemp("y") / "f.yaml"
    path.write_bytes("".join(bits).encode("utf-8", "surrogatepass"))
    started = time.perf_counter()
    try:
        load_yaml(path)
    except ComfyContractError as exc:
        assert "f.yaml" in str(exc)  # noqa: PT017
    assert time.perf_counter() - started < 2


@FAST
@given(st.text(max_size=300))
def test_shown_text_has_no_control_characters_and_stems_are_bounded(name: str) -> None:
    shown = printable(name, newlines=False)
    assert not any((ord(c) < 32 and c != "\t") or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000 for c in shown)
    shown.encode("utf-8")  # always encodable
    assert len(bounded_stem("x" * len(name.encode("utf-8", "surrogatepass")), name).encode()) <= 120


@FAST
@given(json_values)
def test_snapshot_files_are_read_or_refused(value: Any) -> None:
    from comfy_contract.snapshot.store import Snapshot

    try:
        Snapshot.from_dict(value, source="s.json")
    except ComfyContractError as exc:
        assert "s.json" in str(exc)  # noqa: PT017


ARGS = ["validate", "catalog", "show", "diff", "explain", "snapshot", "list", "check", "--list", "--format", "json",
        "junit", "--config", "\ud800", "--mode", "eco", "--catalog", str(STOCK), "-o", "/dev/full", "--output",
        "x\x00y", "--fail-on", "V002", "--budget", "0", "--jobs", "-1", "render", "--generator", "cmd:'", "--out"]


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(st.lists(st.sampled_from(ARGS) | st.text(max_size=5), min_size=1, max_size=6))
def test_cli_arguments_never_raise(tmp_path_factory: pytest.TempPathFactory, argv: list[str]) -> None:
    if argv[0] in ("serve", "hunt", "init") or "serve" in argv[:1]:
        return
    where = tmp_path_factory.mktemp("cli")
    result = run(*argv, cwd=where)
    assert result.code in (0, 1, 2), (argv, result.err)
    assert not Path("/dev/full").exists() or not Path("/dev/full").is_file()


@FAST
@given(st.dictionaries(st.sampled_from(["name", "pipeline", "parameters", "meta", "context", "media_preferences"]),
                       json_values, max_size=5))
def test_devserver_configs_render_or_report(tmp_path_factory: pytest.TempPathFactory, data: dict[str, Any]) -> None:
    """A hostile config in a DevServer tree: the renderer gives findings (R...), the CLI never a traceback."""
    from comfy_contract.render.adapters import guarded_render
    from comfy_contract.render.devserver import DevserverGenerator

    root = tmp_path_factory.mktemp("tree")
    for folder in ("configs", "pipelines", "chunks"):
        (root / folder).mkdir()
    (root / "configs" / "c.json").write_text(json.dumps(data), encoding="utf-8")
    generator = DevserverGenerator(root)
    for name in generator.configs():
        rendered = guarded_render(generator, name, "eco")
        assert rendered.outcome in ("workflow", "error", "text", "backend", "api", "none")
