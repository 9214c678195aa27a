"""The DevServer's deprecated workflow generator: what it submits when a request names no output chunk.

When the proxy's ``output_chunk`` is empty or absent (or, in some versions, when a pipeline names an output
chunk directly), the app's router builds the workflow template ``sd35_standard`` instead (devserver-today.md
§2.1, §4.10): defaults (``PROMPT`` = the step's prompt text, a drawn ``SEED``, ``CHECKPOINT`` ...) overridden by
every request parameter - ``int()`` / ``float()`` for the numeric keys, which raises on a value such as
``"random"`` - then each ``{{NAME}}`` in the template filled: a value that is exactly one placeholder takes the
parameter with its type, others get ``str(value)``.

The template is read from the app's own ``engine/comfyui_workflow_generator.py`` when the tree has it (parsed
as data with :mod:`ast`; never imported or run), since its checkpoint name changed between versions; otherwise
the shipped ``sd35_standard.json``.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

__all__ = ["GeneratorError", "Template", "load_template"]

_ENGINE_FILE = Path("engine") / "comfyui_workflow_generator.py"
_DRAWN = object()  # a default the app computes per request (the prompt, a random seed)


class GeneratorError(Exception):
    """The app's generator raised: it answers the request with an error instead of submitting."""


@dataclass(frozen=True)
class Template:
    """One template of the generator: its nodes, defaults and which keys it converts to numbers."""

    name: str
    nodes: Mapping[str, Any]
    defaults: Mapping[str, Any]  # None = drawn per request (PROMPT, SEED)
    int_keys: frozenset[str]
    float_keys: frozenset[str]
    source: str  # where the template came from (the app's engine file, or the shipped one)

    def generate(self, prompt: Any, parameters: Mapping[str, Any], seed: int) -> dict[str, Any]:
        """The workflow the app builds for ``prompt`` and the request's ``parameters``."""
        final: dict[str, Any] = {}
        for key, value in self.defaults.items():
            if key == "PROMPT":
                final[key] = prompt
            elif value is None:
                final[key] = seed
            else:
                final[key] = value
        for key, value in parameters.items():
            final[key] = self._convert(key, value)
        return {str(node_id): _fill(node, final) for node_id, node in self.nodes.items()}

    def _convert(self, key: str, value: Any) -> Any:
        try:
            if key in self.int_keys and not isinstance(value, int):
                return int(value)
            if key in self.float_keys and not isinstance(value, float):
                return float(value)
        except (TypeError, ValueError) as exc:
            raise GeneratorError(f"{key}={value!r}: {exc}") from exc
        return value


def _fill(value: Any, params: Mapping[str, Any]) -> Any:
    if isinstance(value, Mapping):
        return {k: _fill(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, params) for v in value]
    if not isinstance(value, str):
        return value
    text = value
    for name, param in params.items():
        token = "{{" + str(name) + "}}"
        if text == token:
            return param
        if token in text:
            text = text.replace(token, str(param))
    return text


@cache
def _shipped() -> Template:
    data = resources.files("comfy_contract.render.devserver").joinpath("sd35_standard.json").read_text("utf-8")
    raw = json.loads(data)
    return Template("sd35_standard", raw["nodes"], raw["defaults"], frozenset(raw["int_keys"]),
                    frozenset(raw["float_keys"]), "comfy_contract/render/devserver/sd35_standard.json")


def _literal(node: ast.expr) -> Any:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _DRAWN


def _from_engine(text: str, name: str, source: str) -> Template | None:
    """The template ``name`` as the app's generator file defines it, or None when it cannot be read as data."""
    try:
        module = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return None
    nodes: Any = None
    defaults: dict[str, Any] | None = None
    int_keys: frozenset[str] = _shipped().int_keys
    float_keys: frozenset[str] = _shipped().float_keys
    for node in ast.walk(module):
        if isinstance(node, ast.Call):
            kw = {k.arg: k.value for k in node.keywords if k.arg}
            if "base_nodes" in kw and "name" in kw and _literal(kw["name"]) == name:
                nodes = _literal(kw["base_nodes"])
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Dict) and any(
                isinstance(t, ast.Name) and t.id == "default_params" for t in node.targets):
            keys = [_literal(k) if k is not None else None for k in node.value.keys]
            if "CHECKPOINT" in keys:
                values = [_literal(v) for v in node.value.values]
                defaults = {str(k): (None if v is _DRAWN else v) for k, v in zip(keys, values, strict=True)}
        elif isinstance(node, ast.Compare) and len(node.ops) == 1 and isinstance(node.ops[0], ast.In):
            listed = _literal(node.comparators[0])
            if isinstance(listed, list) and "WIDTH" in listed:
                int_keys = frozenset(map(str, listed))
            elif isinstance(listed, list) and "CFG" in listed:
                float_keys = frozenset(map(str, listed))
    if not isinstance(nodes, dict) or defaults is None:
        return None
    return Template(name, nodes, defaults, int_keys, float_keys, source)


def load_template(root: Path, name: str = "sd35_standard") -> Template | None:
    """The generator template ``name`` for the app at ``root`` (its ``schemas/`` folder); None if it has none.

    An app tree with its own generator file is read from it; a tree without one gets the shipped
    ``sd35_standard`` (the only template this layout documents).
    """
    path = root / _ENGINE_FILE
    try:
        text = path.read_text("utf-8", errors="replace")
    except OSError:
        return _shipped() if name == "sd35_standard" else None
    return _from_engine(text, name, path.as_posix()) or (_shipped() if name == "sd35_standard" else None)
