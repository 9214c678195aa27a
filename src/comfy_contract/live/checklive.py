"""``comfy-contract check --live``: drift of each backend's catalog from its running server, and ``--submit``.

For every backend of the project with a ``url``, :func:`live_check` pulls ``/object_info`` (and the version)
and reports :func:`~comfy_contract.live.drift.catalog_drift` findings; with ``submit`` it also POSTs each
rendered ComfyUI submission to the server and reports a ``D020`` finding wherever the server's answer differs
from the offline verdict (the server RUNS what it accepts: ask for it explicitly). The offline check itself
is the engine's, unchanged; the CLI prints these findings before it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from comfy_contract.core.findings import Finding, Severity
from comfy_contract.live.agreement import differences
from comfy_contract.live.client import ComfyClient
from comfy_contract.live.drift import catalog_drift
from comfy_contract.validation.catalog import Catalog
from comfy_contract.validation.validator import validate_request

__all__ = ["LiveResult", "live_check"]

#: (config, mode, body) of each ComfyUI submission to post with ``submit``
Bodies = Callable[[], Iterable[tuple[str, str, Mapping[str, Any]]]]


@dataclass(frozen=True)
class LiveResult:
    backend: str
    url: str
    findings: tuple[Finding, ...]
    submitted: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == Severity.ERROR)


def live_check(backends: Mapping[str, tuple[Catalog, str | None]], *, submit: bool = False,
               bodies: Bodies | None = None, timeout: float = 60.0) -> list[LiveResult]:
    """One :class:`LiveResult` per backend that has a URL (``backends``: name -> (catalog, url))."""
    results = []
    for name, (catalog, url) in backends.items():
        if not url:
            continue
        with ComfyClient(url, timeout=timeout) as client:
            live = client.catalog()
            findings = list(catalog_drift(catalog, live))
            submitted = 0
            if submit and bodies is not None:
                for config, mode, body in bodies():
                    answer = client.post_prompt(body)
                    submitted += 1
                    verdict = validate_request(body, catalog)
                    diffs = differences(verdict.status, verdict.body, answer.status, answer.body)
                    if diffs:
                        findings.append(Finding(
                            "D020", f"config {config!r} ({mode}): {client.url} answered HTTP {answer.status}, "
                            f"offline {verdict.status}: {'; '.join(diffs)}", Severity.ERROR, actual=answer.body,
                            expected=verdict.body))
        results.append(LiveResult(name, client.url, tuple(findings), submitted))
    return results


def live_text(results: Sequence[LiveResult], *, verbose: bool = False) -> str:
    """The text block ``check --live`` prints before the offline report."""
    lines = []
    for r in results:
        shown = [f for f in r.findings if verbose or f.severity != Severity.INFO]
        head = f"live: backend {r.backend!r} at {r.url}: "
        head += f"{len(r.findings)} drift finding(s), {r.errors} error(s)" if r.findings else "no drift"
        if r.submitted:
            head += f"; {r.submitted} submission(s) posted"
        lines.append(head)
        lines += [f"  {f.code} {f.severity}: {f.message}" for f in shown]
        if len(shown) < len(r.findings):
            lines.append(f"  ({len(r.findings) - len(shown)} info finding(s) not shown; --verbose shows them)")
    return "\n".join(lines) + "\n" if lines else ""
