"""The check report formats by name: ``--format NAME`` picks one of :data:`WRITERS`."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from pathlib import Path

from comfy_contract.check.results import Report
from comfy_contract.core.errors import ComfyContractError
from comfy_contract.report.text import report_text

__all__ = ["FORMATS", "WRITERS", "parse_writes", "render_report"]


def _lazy(name: str) -> Callable[[Report], str]:
    """``report_<name>`` of ``comfy_contract.report.<name>``, imported on the first call: a ``check`` that
    writes text does not pay for the other formats (the HTML report alone imports deepdiff)."""

    def write(report: Report) -> str:
        writer: Callable[[Report], str] = getattr(importlib.import_module(f"comfy_contract.report.{name}"),
                                                  f"report_{name}")
        return writer(report)

    write.__name__ = write.__qualname__ = f"report_{name}"
    return write


WRITERS: dict[str, Callable[[Report], str]] = {
    "text": report_text,
    "json": _lazy("json"),
    "junit": _lazy("junit"),
    "sarif": _lazy("sarif"),
    "markdown": _lazy("markdown"),
    "github": _lazy("github"),
    "html": _lazy("html"),
}
FORMATS: tuple[str, ...] = tuple(WRITERS)


def render_report(report: Report, fmt: str) -> str:
    return WRITERS[fmt](report)


def parse_writes(specs: Sequence[str], *, example: str) -> list[tuple[str, Path]]:
    """``--write FORMAT=FILE`` options as (format, path) pairs; a usage error names the formats (``example`` is
    the file name the hint shows, e.g. ``check.sarif``)."""
    out = []
    for spec in specs:
        fmt, sep, file = spec.partition("=")
        if not sep or fmt not in FORMATS or not file:
            raise ComfyContractError(f"--write {spec!r} is not FORMAT=FILE",
                                     hint=f"FORMAT is one of {', '.join(FORMATS)}, e.g. --write sarif={example}")
        out.append((fmt, Path(file)))
    return out
