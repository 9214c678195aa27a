"""The check report formats by name: ``--format NAME`` picks one of :data:`WRITERS`."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from comfy_contract.check.results import Report
from comfy_contract.report.text import report_text

__all__ = ["FORMATS", "WRITERS", "render_report"]


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
