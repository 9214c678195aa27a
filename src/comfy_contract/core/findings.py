"""Findings: what comfy-contract found wrong, as plain immutable data.

A :class:`Finding` always carries a stable code from :mod:`comfy_contract.core.codes`. Validation findings
also carry ComfyUI's own reason object (``comfyui``: ``type``, ``message``, ``details``,
``extra_info``) exactly as the server would write it.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from comfy_contract.core.jsonio import thaw

__all__ = ["Finding", "Severity"]


class Severity(enum.StrEnum):
    """How bad a finding is. Ordered: ``INFO < WARNING < ERROR``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return _RANK[self] >= _RANK[other]


_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem, located as precisely as it can be.

    ``path`` is a JSON pointer into the workflow (``/4/inputs/ckpt_name``) unless ``file`` is set, in
    which case it points into that file (a config or chunk of the app).
    """

    code: str
    message: str
    severity: Severity = Severity.ERROR
    node_id: str | None = None
    class_type: str | None = None
    input: str | None = None
    path: str | None = None
    expected: Any = None
    actual: Any = None
    file: str | None = None
    comfyui: Mapping[str, Any] | None = field(default=None, compare=False)

    @property
    def title(self) -> str:
        from comfy_contract.core.codes import lookup

        return lookup(self.code).title

    def with_(self, **changes: Any) -> Finding:
        """A copy with some fields changed (findings are immutable)."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON-ready data (keys with ``None`` values are kept for a stable shape)."""
        out: dict[str, Any] = {
            "code": self.code,
            "severity": str(self.severity),
            "message": self.message,
            "node_id": self.node_id,
            "class_type": self.class_type,
            "input": self.input,
            "path": self.path,
            "expected": self.expected,
            "actual": self.actual,
            "file": self.file,
        }
        if self.comfyui is not None:
            out["comfyui"] = thaw(self.comfyui)
        return out

