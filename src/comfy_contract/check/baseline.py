"""Baselines: accepted findings, so a gate can be introduced on a tree that already has defects.

A baseline file (``comfy-contract-baseline.yaml``, schema ``contracts/schemas/baseline.schema.json``)
lists entries ``{code, config, mode?, backend?, node_id?, reason, expires?}``. An entry *matches* a
finding reported for key ``(config, mode[, backend])`` when the codes are equal (case-insensitive),
``config`` matches the key's config as an fnmatch glob (case-sensitive), and each of ``mode``,
``backend`` and ``node_id`` that the entry gives equals the key's mode, the key's backend and the
finding's node id. A key without a backend is matched only by entries without ``backend``.

Applying a baseline splits findings into *kept* (still reported) and *accepted*, and reports entries
that need attention: ``B002`` (error) for an entry past its ``expires`` day that still matches - its
findings are kept, so the gate fails until the defect is fixed or the entry renewed - and ``B001``
(warning) for an entry that matches nothing (the defect was fixed: delete the entry).

An unreadable or invalid baseline is a usage error (:class:`ConfigError`, exit 2) naming file:line:
the gate cannot tell what is accepted, so it must not guess.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from comfy_contract.core.codes import lookup
from comfy_contract.core.errors import ConfigError
from comfy_contract.core.findings import Finding
from comfy_contract.core.jsonio import write_text_atomic
from comfy_contract.core.lock import folder_lock
from comfy_contract.core.schemas import schema_validator
from comfy_contract.core.yamlio import load_yaml, schema_problems

__all__ = ["DEFAULT_BASELINE", "Applied", "Baseline", "BaselineEntry", "BaselineTracker"]

DEFAULT_BASELINE = "comfy-contract-baseline.yaml"
SCHEMA = "baseline.schema.json"
#: ``(config, mode)`` or ``(config, mode, backend)``
Key = tuple[str, ...]
_HEADER = (
    "# comfy-contract baseline: findings accepted on purpose. Each entry needs a reason; `expires`\n"
    "# (YYYY-MM-DD) makes the gate fail again after that day. Format: docs/baseline.md\n"
)


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    """One accepted finding pattern."""

    code: str
    config: str
    reason: str
    mode: str | None = None
    backend: str | None = None
    node_id: str | None = None
    expires: dt.date | None = None
    line: int = field(default=0, compare=False)

    def matches(self, key: Key, finding: Finding) -> bool:
        return (
            finding.code.upper() == self.code.upper()
            and bool(key) and fnmatch.fnmatchcase(key[0], self.config)
            and (self.mode is None or (len(key) > 1 and key[1] == self.mode))
            and (self.backend is None or (len(key) > 2 and key[2] == self.backend))
            and (self.node_id is None or finding.node_id == self.node_id)
        )

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and today > self.expires

    def describe(self) -> str:
        parts = [f"{self.code} for config {self.config!r}"]
        parts += [f"{k} {v!r}" for k, v in (("mode", self.mode), ("backend", self.backend),
                                              ("node", self.node_id)) if v is not None]
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "config": self.config}
        for name in ("mode", "backend", "node_id"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        out["reason"] = self.reason
        if self.expires is not None:
            out["expires"] = self.expires.isoformat()
        return out


class Applied(NamedTuple):
    """The result of :meth:`Baseline.apply`."""

    kept: dict[Key, tuple[Finding, ...]]
    accepted: dict[Key, tuple[Finding, ...]]
    meta: tuple[Finding, ...]


@dataclass(frozen=True)
class Baseline:
    """The entries of one baseline file (``path`` is used in messages)."""

    entries: tuple[BaselineEntry, ...] = ()
    path: str = DEFAULT_BASELINE

    @classmethod
    def load(cls, path: str | Path, *, missing_ok: bool = False, label: str | None = None) -> Baseline:
        """Read a baseline; a missing file is an empty baseline only with ``missing_ok``."""
        name = label or Path(path).as_posix()
        if missing_ok and not Path(path).exists():
            return cls((), name)
        doc, problems = load_yaml(path, label=name)
        if doc is not None and not problems:
            problems = schema_problems(doc, schema_validator(SCHEMA), schema_name=SCHEMA)
        entries: list[BaselineEntry] = []
        if doc is not None and not problems:
            for i, raw in enumerate(doc.data["entries"]):
                expires = None
                if "expires" in raw:
                    try:
                        expires = dt.date.fromisoformat(raw["expires"])
                    except ValueError:
                        problems.append(doc.problem(["entries", i, "expires"], f"{raw['expires']!r} is not a date"))
                        continue
                entries.append(BaselineEntry(
                    code=raw["code"].upper(), config=raw["config"], reason=raw["reason"], mode=raw.get("mode"),
                    backend=raw.get("backend"), node_id=raw.get("node_id"), expires=expires,
                    line=doc.line_of(["entries", i]),
                ))
        if problems:
            listed = "\n  ".join(str(p) for p in problems)
            raise ConfigError(f"invalid baseline file:\n  {listed}",
                              hint="fix the file (format: docs/baseline.md), or delete it and accept the "
                                   "current findings again")
        return cls(tuple(entries), name)

    def apply(self, findings_by_key: Mapping[Key, Sequence[Finding]], *, today: dt.date | None = None,
              partial: bool = False) -> Applied:
        """Split findings into kept and accepted; report stale (``B001``) and expired (``B002``) entries.

        Pass every key that was checked, with an empty sequence when it had no findings. With
        ``partial`` (only some configs were rendered) an entry is judged stale only when its config
        glob matches a key given here.
        """
        day = today or dt.date.today()
        kept: dict[Key, tuple[Finding, ...]] = {}
        accepted: dict[Key, tuple[Finding, ...]] = {}
        used: dict[int, int] = {}
        for key, findings in findings_by_key.items():
            keep: list[Finding] = []
            take: list[Finding] = []
            for finding in findings:
                hits = [i for i, e in enumerate(self.entries) if e.matches(key, finding)]
                for i in hits:
                    used[i] = used.get(i, 0) + 1
                live = [i for i in hits if not self.entries[i].expired(day)]
                (take if live and not finding.code.startswith("B") else keep).append(finding)
            if keep:
                kept[key] = tuple(keep)
            if take:
                accepted[key] = tuple(take)
        configs = [k[0] for k in findings_by_key if k]

        def judge(entry: BaselineEntry) -> bool:
            return not partial or any(fnmatch.fnmatchcase(c, entry.config) for c in configs)

        meta = self.meta(used, day, judge_stale=judge)
        return Applied(kept, accepted, meta)

    def tracker(self, *, today: dt.date | None = None) -> BaselineTracker:
        """A per-run filter for an engine that checks findings one result at a time."""
        return BaselineTracker(self, today or dt.date.today())

    def meta(self, used: Mapping[int, int], today: dt.date, *, judge_stale: Callable[[BaselineEntry], bool]
             | None = None) -> tuple[Finding, ...]:
        """``B002`` for expired entries that matched (``used``: entry index → matches), ``B001`` for
        entries that matched nothing (and that ``judge_stale`` accepts, if given)."""
        out = []
        for i, entry in enumerate(self.entries):
            if i in used and entry.expired(today):
                out.append(self._meta("B002", i, f"baseline entry {entry.describe()} expired on "
                                      f"{entry.expires}; its {used[i]} finding(s) count again. Fix them, or "
                                      "renew the entry with a new `expires` and reason", used[i]))
            elif i not in used and (judge_stale is None or judge_stale(entry)):
                out.append(self._meta("B001", i, f"baseline entry {entry.describe()} matches no finding "
                                      "(fixed?); delete it from the baseline", 0))
        return tuple(out)

    def _meta(self, code: str, index: int, message: str, count: int) -> Finding:
        entry = self.entries[index]
        return Finding(code, f"{self.path}:{entry.line}: {message}", lookup(code).severity,
                       node_id=entry.node_id, path=f"/entries/{index}", file=self.path,
                       expected=entry.to_dict(), actual=count)

    @classmethod
    def from_findings(cls, findings_by_key: Mapping[Key, Iterable[Finding]], *, reason: str,
                      expires: dt.date | None = None, path: str = DEFAULT_BASELINE,
                      keep: Baseline | None = None) -> Baseline:
        """A baseline accepting exactly the given findings (one entry per code, config, mode, backend
        and node); entries of ``keep`` that still match are kept with their own reason."""
        if not reason.strip():
            raise ConfigError("a baseline entry needs a reason", hint="pass --reason TEXT")
        entries: dict[tuple[str, ...], BaselineEntry] = {}
        for key, findings in findings_by_key.items():
            for f in findings:
                if f.code.startswith("B"):
                    continue
                old = next((e for e in (keep.entries if keep else ()) if e.matches(key, f)), None)
                entry = old or BaselineEntry(
                    code=f.code, config=key[0], reason=reason, mode=key[1] if len(key) > 1 else None,
                    backend=key[2] if len(key) > 2 else None, node_id=f.node_id, expires=expires)
                ident = (entry.code, entry.config, entry.mode or "", entry.backend or "", entry.node_id or "")
                entries.setdefault(ident, entry)
        return cls(tuple(entries[k] for k in sorted(entries, key=lambda k: (k[1], k[2], k[3], k[0], k[4]))), path)

    def dumps(self) -> str:
        body = yaml.safe_dump({"version": 1, "entries": [e.to_dict() for e in self.entries]},
                              sort_keys=False, allow_unicode=True, width=100)
        return _HEADER + body

    def write(self, path: str | Path | None = None) -> Path:
        """Write the baseline (to ``path``, else to :attr:`path`) and return where."""
        target = Path(path if path is not None else self.path)
        with folder_lock(target.parent, what=f"the baseline {str(target)!r}"):
            write_text_atomic(target, self.dumps())
        return target


class BaselineTracker:
    """A baseline applied incrementally (the engine's ``BaselineFilter``): :meth:`accepts` is asked per
    finding of each check result, :meth:`leftovers` at the end of a full run gives ``B001``/``B002``.

    Results with backend ``"any"`` (or none) are keyed ``(config, mode)``, others
    ``(config, mode, backend)``. This object accumulates state for one run; make a new one per run.
    """

    def __init__(self, baseline: Baseline, today: dt.date) -> None:
        self.baseline = baseline
        self.today = today
        self.used: dict[int, int] = {}

    def accepts(self, result: Any, finding: Finding) -> bool:
        backend = getattr(result, "backend", None)
        key: Key = (str(result.config), str(result.mode))
        if backend not in (None, "any"):
            key = (*key, str(backend))
        if finding.code.startswith("B"):
            return False
        hit = False
        for i, entry in enumerate(self.baseline.entries):
            if entry.matches(key, finding):
                self.used[i] = self.used.get(i, 0) + 1
                hit = hit or not entry.expired(self.today)
        return hit

    def leftovers(self) -> tuple[Finding, ...]:
        return self.baseline.meta(self.used, self.today)
