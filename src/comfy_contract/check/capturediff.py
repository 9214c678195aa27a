"""Capture vs static rendering: the ``capture`` check (R019) and how the two renders are merged.

When a project captures what the app really submits (``capture:`` in the project file, see docs/capture.md),
the captured :class:`Rendered` is the truth the engine validates and lints, and the static rendering is the
model it is compared with. :func:`capture_drift` reports each difference as an ``R019`` finding with a short
graph diff (:mod:`comfy_contract.snapshot.diff`; seeds, prompt texts and filename prefixes are normalised
away). :func:`merged` gives the captured render the static one's metadata where they agree (chunk files and
injections, so validation findings point at the app's files) and the files it was rendered from (so
``--changed-since`` works).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from comfy_contract.core.findings import Finding, Severity
from comfy_contract.render.model import Rendered, Submission

__all__ = ["capture_drift", "merged", "same_outcome"]

#: how many graph-diff lines a finding quotes
MAX_LINES = 12
_INDENT = "\n            "  # continuation lines line up under the text report's "message:  "


def _kind(rendered: Rendered) -> str:
    if rendered.outcome == "workflow" and rendered.submissions:
        return "workflow"
    return rendered.outcome if rendered.outcome != "workflow" else "text"


def _describe(rendered: Rendered) -> str:
    kind = _kind(rendered)
    if kind == "workflow":
        n = len(rendered.submissions)
        return f"{n} ComfyUI workflow{'s' if n != 1 else ''}"
    if kind in ("backend", "api"):
        return f"a {kind} call ({rendered.route or 'not ComfyUI'})"
    if kind == "error":
        failures = [f.message for f in rendered.findings if f.severity is Severity.ERROR]
        return "an error" + (f" ({_short(failures[0])})" if failures else "")
    return "no ComfyUI workflow (text only)"


def _short(text: str, n: int = 160) -> str:
    line = text.strip().splitlines()[0] if text.strip() else ""
    return line if len(line) <= n else line[: n - 1] + "…"


def _diffs(static: Rendered, captured: Rendered) -> list[tuple[int, Any]]:
    from comfy_contract.snapshot.diff import diff

    out = []
    for i, (a, b) in enumerate(zip(static.submissions, captured.submissions, strict=False)):
        if a.workflow == b.workflow:
            continue
        d = diff(a.workflow, b.workflow)
        if d:
            out.append((i, d))
    return out


def same_outcome(static: Rendered, captured: Rendered) -> bool:
    """Whether the app did what the static rendering says (after normalising seeds and prompt texts)."""
    if _kind(static) != _kind(captured):
        return False
    if _kind(static) == "workflow":
        return len(static.submissions) == len(captured.submissions) and not _diffs(static, captured)
    if _kind(static) in ("backend", "api"):
        return (static.route or "") == (captured.route or "") or not static.route or not captured.route
    return True


def _next_step(config: str, mode: str) -> str:
    return ("What the app really submitted is what was validated and linted. If the app is right, fix the "
            "static model (render.behaviour in the project file, or the generator); if the static rendering is "
            f"right, the app drifted from its configs. See both: comfy-contract render --config {config} --mode "
            f"{mode} --out static/ && comfy-contract render --capture --config {config} --mode {mode} --out "
            "captured/, then comfy-contract diff on the two files.")


def capture_drift(static: Rendered | BaseException, captured: Rendered) -> tuple[Finding, ...]:
    """``R019`` findings for each way ``captured`` differs from ``static`` (none when they agree)."""
    config, mode = captured.config, captured.mode
    if isinstance(static, BaseException):
        return (Finding("R019", f"The static rendering raised {type(static).__name__}: {static}; the capture "
                        "cannot be compared with it.", severity=Severity.WARNING),)
    if same_outcome(static, captured):
        return ()
    expected, actual = _describe(static), _describe(captured)
    if _kind(static) != "workflow" or _kind(captured) != "workflow":
        return (Finding("R019", f"The app did something else than the static rendering: it produced {actual}, "
                        f"the static rendering {expected}. {_next_step(config, mode)}",
                        expected=expected, actual=actual),)
    if len(static.submissions) != len(captured.submissions):
        return (Finding("R019", f"The app submitted {actual}, the static rendering has {expected}. "
                        f"{_next_step(config, mode)}", expected=expected, actual=actual),)
    out = []
    for index, d in _diffs(static, captured):
        lines = d.to_text().splitlines()
        shown = lines[: MAX_LINES + 1]
        if len(lines) > len(shown):
            shown.append(f"... {len(lines) - len(shown)} more (comfy-contract diff shows them all)")
        which = f" (submission {index + 1})" if len(captured.submissions) > 1 else ""
        first = d.changes[0]
        node = first.b[0] if first.b else None
        message = (f"The workflow the app submitted{which} differs from the static rendering (a: static, b: "
                   f"captured): {_INDENT.join(shown)}{_INDENT}{_next_step(config, mode)}")
        out.append(Finding("R019", message, node_id=node, class_type=first.class_type, input=first.input,
                           path=first.pointer("b"), expected=first.old, actual=first.new))
    return tuple(out)


def _same_ids(a: Any, b: Any) -> bool:
    """The node ids (and their classes) agree, so node-id based metadata (injections) carries over."""
    return {k: v.get("class_type") if isinstance(v, Mapping) else None for k, v in a.items()} == {
        k: v.get("class_type") if isinstance(v, Mapping) else None for k, v in b.items()}


def _carry(sub: Submission, ref: Submission) -> Submission:
    out = replace(sub, output_config=sub.output_config or ref.output_config, chunk=sub.chunk or ref.chunk,
                  media_type=sub.media_type or ref.media_type)
    if _same_ids(sub.workflow, ref.workflow):
        out = replace(out, chunk_file=sub.chunk_file or ref.chunk_file, injections=sub.injections or ref.injections)
    return out


def merged(captured: Rendered, static: Rendered | BaseException) -> Rendered:
    """``captured`` with what the static rendering knows about the files: the config file and sources always;
    where the two agree also each submission's chunk, chunk file and injections and the static render's own
    findings (R codes that explain the workflow, with file locations)."""
    if isinstance(static, BaseException):
        return captured
    out = replace(captured, config_file=captured.config_file or static.config_file,
                  sources=captured.sources or static.sources, media_type=captured.media_type or static.media_type,
                  legacy_source=captured.legacy_source or static.legacy_source)
    if not same_outcome(static, captured):
        return out
    subs = tuple(_carry(sub, ref) for sub, ref in zip(captured.submissions, static.submissions, strict=False))
    seen = set(captured.findings)
    findings = captured.findings + tuple(f for f in static.findings if f not in seen and f.code != "R010")
    return replace(out, submissions=subs, findings=findings, route=captured.route or static.route)
