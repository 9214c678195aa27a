"""The properties every generated request must satisfy, checked for one (config, mode, inputs).

1. rendering succeeds (no error-level ``R`` finding, the generator does not raise);
2. ComfyUI would accept every submission on every backend (offline validator: HTTP 200, no
   ``node_errors``);
3. no error-level lint fires;
4. optionally, the graph still equals its snapshot modulo the volatile paths.

Each violation is a :class:`PropertyFailure` with a *signature* (check, backend, code, node, input) that
stays the same when only the text or the numbers of the inputs change, so failures can be compared
with the static baseline (the default inputs) and deduplicated across examples.
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from comfy_contract.core.findings import Finding, Severity
from comfy_contract.render.model import Generator, Rendered, RenderInputs
from comfy_contract.validation.catalog import Catalog
from comfy_contract.validation.validator import validate

__all__ = ["PropertyFailure", "PropertyResult", "Signature", "check_inputs"]

Signature = tuple[str, str, str, str, str]


@dataclass(frozen=True)
class PropertyFailure:
    """One property violation for one request."""

    check: str  # "render" | "validate" | "lint" | "snapshot" | "crash"
    code: str
    message: str
    backend: str | None = None
    node_id: str | None = None
    input: str | None = None
    submission: int | None = None  # index into Rendered.submissions
    finding: Finding | None = field(default=None, compare=False)
    comfyui: Any = field(default=None, compare=False)  # ComfyUI's response body, for "validate"

    @property
    def signature(self) -> Signature:
        return (self.check, self.backend or "", self.code, self.node_id or "", self.input or "")

    def describe(self) -> str:
        where = "".join([
            f" on {self.backend}" if self.backend else "",
            f" node {self.node_id!r}" if self.node_id else "",
            f" input {self.input!r}" if self.input else "",
        ])
        return f"{self.code} ({self.check}{where}): {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.check, "code": self.code, "message": self.message, "backend": self.backend,
            "node_id": self.node_id, "input": self.input, "submission": self.submission,
            "signature": list(self.signature),
            "finding": self.finding.to_dict() if self.finding is not None else None,
            "comfyui": self.comfyui,
        }


@dataclass(frozen=True)
class PropertyResult:
    """The outcome of checking one request: what was rendered and what failed."""

    config: str
    mode: str
    inputs: RenderInputs
    rendered: Rendered | None
    failures: tuple[PropertyFailure, ...]

    @property
    def signatures(self) -> frozenset[Signature]:
        return frozenset(f.signature for f in self.failures)

    def new_failures(self, known: frozenset[Signature] | set[Signature]) -> tuple[PropertyFailure, ...]:
        return tuple(f for f in self.failures if f.signature not in known)


def _lint_runner() -> Any:
    try:
        from comfy_contract.check.lints import run_lints
    except ImportError:  # pragma: no cover - lints ship with the package; kept for partial installs
        return None
    return run_lints


def check_inputs(
    generator: Generator,
    config: str,
    mode: str,
    inputs: RenderInputs,
    backends: Mapping[str, Catalog],
    *,
    lints: bool = True,
    snapshots: Any = None,
) -> PropertyResult:
    """Render ``config`` in ``mode`` with ``inputs`` and check every property against ``backends``.

    ``snapshots`` is a :class:`~comfy_contract.snapshot.store.SnapshotStore` (or ``None`` to skip the
    snapshot property).
    """
    try:
        rendered = generator.render(config, mode, inputs)
    except Exception as exc:  # the generator crashed on these inputs: that is the finding
        frame = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        at = f" at {frame.filename}:{frame.lineno}" if frame is not None else ""
        message = f"rendering raised {type(exc).__name__}: {exc}{at}"
        crash = PropertyFailure("crash", "F002", message, input=type(exc).__name__)
        return PropertyResult(config, mode, inputs, None, (crash,))
    failures: list[PropertyFailure] = [
        PropertyFailure("render", f.code, f.message, node_id=f.node_id, input=f.input, finding=f)
        for f in rendered.findings if f.severity is Severity.ERROR
    ]
    run_lints = _lint_runner() if lints else None
    for index, submission in enumerate(rendered.submissions):
        for name, catalog in backends.items():
            verdict = validate(submission.workflow, catalog)
            if verdict.status != 200 or verdict.node_errors:
                body = verdict.body if isinstance(verdict.body, Mapping) else {"text": verdict.body}
                for f in verdict.findings:
                    if f.severity is Severity.ERROR:
                        failures.append(PropertyFailure("validate", f.code, f.message, name, f.node_id, f.input, index,
                                                f, body))
            if run_lints is not None:
                for f in run_lints(submission, rendered, catalog, backend=name, backends=backends):
                    if f.severity is Severity.ERROR:
                        failures.append(PropertyFailure("lint", f.code, f.message, name, f.node_id, f.input, index, f))
        if snapshots is not None:
            for f in snapshots.check(config, mode, submission.workflow):
                if f.severity is Severity.ERROR:
                    failures.append(PropertyFailure("snapshot", f.code, f.message, submission=index, finding=f))
    unique: dict[Signature, PropertyFailure] = {}
    for failure in failures:
        unique.setdefault(failure.signature, failure)
    return PropertyResult(config, mode, inputs, rendered, tuple(unique.values()))
