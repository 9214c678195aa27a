"""The answer ComfyUI's ``POST /prompt`` would give, as an immutable value."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from comfy_contract.core.findings import Finding

__all__ = ["SERVER_ERROR_BODY", "Verdict"]

#: what aiohttp sends when the handler raises (text/plain, no JSON)
SERVER_ERROR_BODY = "500 Internal Server Error\n\nServer got itself in trouble"


@dataclass(frozen=True, slots=True)
class Verdict:
    """ComfyUI's answer to one submission, computed offline.

    ``status`` is 200 (queued; ``node_errors`` may still list failed outputs), 400 (rejected) or 500
    (ComfyUI's handler would raise). ``body`` is the JSON body ComfyUI would send (a string for 500).
    ``findings`` restate every error of the body with stable codes; ``V090`` findings mark what cannot
    be decided offline, and then ``decidable`` is false.
    """

    status: int
    body: Mapping[str, Any] | str
    findings: tuple[Finding, ...]
    era: str
    exception: str | None = None  # for 500: the exception ComfyUI's handler would raise

    @property
    def accepted(self) -> bool:
        return self.status == 200

    @property
    def decidable(self) -> bool:
        return not any(f.code == "V090" for f in self.findings)

    @property
    def error(self) -> Mapping[str, Any] | None:
        if isinstance(self.body, Mapping):
            err = self.body.get("error")
            return err if isinstance(err, Mapping) else None
        return None

    @property
    def node_errors(self) -> Mapping[str, Any]:
        if isinstance(self.body, Mapping):
            errs = self.body.get("node_errors")
            if isinstance(errs, Mapping):
                return errs
        return {}

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "body": self.body,
            "era": self.era,
            "decidable": self.decidable,
            "findings": [f.to_dict() for f in self.findings],
        }
