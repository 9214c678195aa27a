"""The JSON Schemas comfy-contract ships (``contracts/schemas/``), for users and for our own tests."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema and referencing are imported when a schema is first used (~45 ms at start-up)
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.findings import Finding, Severity

__all__ = ["data_dir", "load_schema", "schema_errors", "schema_validator", "structure_findings"]

_REPO_DATA = Path(__file__).resolve().parents[3] / "contracts"


def data_dir(kind: str) -> Path:
    """The folder of shipped data ``kind`` (``schemas`` or ``catalogs``), in a wheel or a checkout."""
    packaged = resources.files("comfy_contract").joinpath("_data", kind)
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = _REPO_DATA / kind
    if checkout.is_dir():
        return checkout
    raise ComfyContractError(f"comfy-contract's {kind} folder is missing from this installation; reinstall it")


@cache
def _registry() -> Registry:
    from referencing import Registry, Resource

    resources_: list[tuple[str, Resource[Any]]] = []
    for path in sorted(data_dir("schemas").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resource = Resource.from_contents(contents)
        resources_.append((path.name, resource))
        if "$id" in contents:
            resources_.append((contents["$id"], resource))
    return Registry().with_resources(resources_)


@cache
def load_schema(name: str) -> dict[str, Any]:
    """A shipped schema by file name, e.g. ``"api-workflow.schema.json"``."""
    path = data_dir("schemas") / name
    if not path.is_file():
        known = ", ".join(p.name for p in sorted(data_dir("schemas").glob("*.json")))
        raise ComfyContractError(f"no schema named {name!r}", hint=f"shipped schemas: {known}")
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return schema


@cache
def schema_validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry())


def structure_findings(body: Any) -> tuple[Finding, ...]:
    """``V007`` findings where a ``/prompt`` body leaves the API-format schema (information only:
    ComfyUI's verdict does not depend on it). Costs a full JSON Schema pass: for front ends, not hot loops."""
    out = []
    for problem in schema_errors(body, "prompt-request.schema.json"):
        pointer, _, what = problem.partition(": ")
        path = pointer.removeprefix("/prompt") or "/"
        out.append(Finding("V007", f"not well-formed API format at {path}: {what}", Severity.INFO, path=path))
    return tuple(out)


def schema_errors(instance: Any, name: str) -> list[str]:
    """Human-readable schema violations of ``instance`` (``"/3/inputs/seed: ..."``), empty if valid."""
    out = []
    for err in sorted(schema_validator(name).iter_errors(instance), key=lambda e: list(map(str, e.absolute_path))):
        pointer = "".join(f"/{p}" for p in err.absolute_path) or "/"
        out.append(f"{pointer}: {err.message}")
    return out
