"""Drift between a committed catalog and a running ComfyUI's ``/object_info`` (``D`` codes).

:func:`catalog_drift` compares two catalogs class by class and input by input: classes and inputs that
are missing or extra, required/optional changes, input types, ``min``/``max``, combo options (model files
among them), outputs and the output-node flag, and the ComfyUI version. Each difference is a finding whose
severity says what it does to offline validation: ``error`` when the server would reject what the catalog
lets pass (a missing class, a model file the server lacks, a narrower range, a new required input),
``warning``/``info`` when the catalog is only stale in the permissive direction.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.jsonio import escape_token
from comfy_contract.validation.catalog import Catalog, InputSpec, NodeSpec

__all__ = ["catalog_drift"]

_SHOWN = 5


def _where(class_type: str, category: str | None = None, name: str | None = None) -> str:
    path = f"/{escape_token(class_type)}"
    if category is not None and name is not None:
        path += f"/input/{category}/{escape_token(name)}"
    return path


def _type_of(spec: InputSpec) -> Any:
    return "COMBO" if spec.is_combo else spec.type


def _sample(values: list[Any]) -> str:
    shown = ", ".join(repr(v) for v in values[:_SHOWN])
    return shown + (f" and {len(values) - _SHOWN} more" if len(values) > _SHOWN else "")


def _finding(code: str, message: str, severity: Severity, class_type: str, *, category: str | None = None,
             name: str | None = None, expected: Any = None, actual: Any = None) -> Finding:
    return Finding(code, message, severity, class_type=class_type, input=name,
                   path=_where(class_type, category, name), expected=expected, actual=actual)


def _input_drift(class_type: str, old: InputSpec, new: InputSpec) -> list[Finding]:
    out: list[Finding] = []
    where = f"{class_type}.{old.name}"
    if old.category != new.category:
        severity = Severity.ERROR if new.category == "required" else Severity.WARNING
        out.append(_finding("D006", f"{where} is {new.category} on the server, {old.category} in the catalog",
                            severity, class_type, category=new.category, name=old.name,
                            expected=old.category, actual=new.category))
    if _type_of(old) != _type_of(new):
        out.append(_finding("D007", f"{where} has type {_type_of(new)!r} on the server, {_type_of(old)!r} in the "
                            "catalog", Severity.ERROR, class_type, category=new.category, name=old.name,
                            expected=_type_of(old), actual=_type_of(new)))
        return out
    for bound in ("min", "max"):
        a, b = old.options.get(bound), new.options.get(bound)
        if a != b:
            narrower = b is not None and (a is None or (b > a if bound == "min" else b < a))
            out.append(_finding("D008", f"{where}: {bound} is {b!r} on the server, {a!r} in the catalog",
                                Severity.ERROR if narrower else Severity.WARNING, class_type,
                                category=new.category, name=old.name, expected={bound: a}, actual={bound: b}))
    if old.is_combo:
        have = set(_hashable(new.choices))
        missing = [c for c in old.choices if _key(c) not in have]
        known = set(_hashable(old.choices))
        extra = [c for c in new.choices if _key(c) not in known]
        if missing:
            out.append(_finding("D009", f"{where}: the server does not offer {_sample(missing)}", Severity.ERROR,
                                class_type, category=new.category, name=old.name, expected=missing, actual=None))
        if extra:
            out.append(_finding("D010", f"{where}: the server also offers {_sample(extra)}", Severity.INFO,
                                class_type, category=new.category, name=old.name, expected=None, actual=extra))
    return out


def _key(value: Any) -> Any:
    return value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)


def _hashable(values: tuple[Any, ...]) -> list[Any]:
    return [_key(v) for v in values]


def _node_drift(old: NodeSpec, new: NodeSpec) -> list[Finding]:
    out: list[Finding] = []
    name = old.name
    for input_name, spec in old.inputs.items():
        other = new.inputs.get(input_name)
        if other is None:
            out.append(_finding("D003", f"{name}.{input_name} is not an input on the server (the catalog declares "
                                "it; ComfyUI ignores undeclared inputs)", Severity.WARNING, name,
                                category=spec.category, name=input_name, expected=spec.category, actual=None))
        else:
            out.extend(_input_drift(name, spec, other))
    for input_name, spec in new.inputs.items():
        if input_name in old.inputs:
            continue
        if spec.category == "required":
            out.append(_finding("D004", f"{name}.{input_name} is a required input on the server, unknown to the "
                                "catalog (workflows without it are rejected)", Severity.ERROR, name,
                                category="required", name=input_name, expected=None, actual=_type_of(spec)))
        else:
            out.append(_finding("D005", f"{name}.{input_name} is a new optional input on the server",
                                Severity.INFO, name, category=spec.category, name=input_name, expected=None,
                                actual=_type_of(spec)))
    if tuple(old.outputs) != tuple(new.outputs) or old.output_node != new.output_node:
        out.append(_finding("D011", f"{name}: outputs {list(new.outputs)!r} (output node: {new.output_node}) on the "
                            f"server, {list(old.outputs)!r} (output node: {old.output_node}) in the catalog",
                            Severity.ERROR, name,
                            expected={"output": list(old.outputs), "output_node": old.output_node},
                            actual={"output": list(new.outputs), "output_node": new.output_node}))
    return out


def catalog_drift(expected: Catalog, actual: Catalog) -> tuple[Finding, ...]:
    """How ``actual`` (e.g. a live server's ``/object_info``) differs from ``expected`` (the committed catalog).

    Findings come in the catalog's class order, then the server's extra classes; empty means no drift.
    """
    out: list[Finding] = []
    if expected.comfyui_version and actual.comfyui_version and expected.comfyui_version != actual.comfyui_version:
        out.append(Finding("D012", f"the server runs ComfyUI {actual.comfyui_version}, the catalog is of "
                           f"{expected.comfyui_version}", Severity.WARNING, expected=expected.comfyui_version,
                           actual=actual.comfyui_version))
    for name, spec in expected.nodes.items():
        other = actual.nodes.get(name)
        if other is None:
            out.append(_finding("D001", f"node class {name!r} is in the catalog but not on the server (workflows "
                                "using it are rejected)", Severity.ERROR, name, expected=name, actual=None))
        else:
            out.extend(_node_drift(spec, other))
    extra = [name for name in actual.nodes if name not in expected.nodes]
    for name in extra:
        out.append(_finding("D002", f"node class {name!r} is on the server but not in the catalog",
                            Severity.WARNING, name, expected=None, actual=name))
    return tuple(out)


def drift_summary(findings: tuple[Finding, ...]) -> Mapping[str, int]:
    """Findings per code, for one-line summaries."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    return counts
