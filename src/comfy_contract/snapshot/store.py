"""Snapshots: the reference graph each (config, mode) must produce, in ``legacy_snapshots/``.

One JSON file per (config, mode) with a versioned header::

    {"format": "comfy-contract/snapshot", "version": 1, "config": "sd35_large", "mode": "eco",
     "source": "legacy" | "approved", "normalisation": {...}, "workflow": {...},
     "approved_drift": null | [deepdiff flat rows]}

The lifecycle: :meth:`SnapshotStore.check` reports S001 (missing), S004 (unreadable) or S002 (drift,
with the readable diff) and nothing on a match; :meth:`SnapshotStore.update` writes new and changed
snapshots (for a legacy snapshot the change is stored as ``approved_drift``, so the legacy graph stays
the reference); :meth:`SnapshotStore.unused` reports snapshots no rendered config used (S003).
Files are written atomically and never deleted unless :meth:`SnapshotStore.prune` is called.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from comfy_contract.core.codes import lookup
from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.core.findings import Finding
from comfy_contract.core.jsonio import read_json, write_json_atomic
from comfy_contract.core.lock import folder_lock
from comfy_contract.core.safetext import bounded_stem
from comfy_contract.snapshot.canonical import VOLATILE, CanonicalGraph, Normalisation, canonicalize
from comfy_contract.snapshot.diff import GraphDiff, apply_delta, check_rows, diff_canonical

__all__ = [
    "FORMAT",
    "VERSION",
    "Snapshot",
    "SnapshotStore",
    "UpdateReport",
    "legacy_normalise",
    "snapshot_filename",
]

FORMAT = "comfy-contract/snapshot"
VERSION = 1
SUFFIX = ".json"
Source = Literal["legacy", "approved"]
Key = tuple[str, str]

#: The node title the legacy server put the prompt into (devserver layout §3).
LEGACY_PROMPT_TITLE = "ai4artsed_text_prompt"
_SAMPLERS = ("KSampler", "KSamplerAdvanced", "SamplerCustom")
_SAFE = re.compile(r"[A-Za-z0-9_\-]")


def snapshot_filename(config: str, mode: str) -> str:
    """``<config>.<mode>.json`` with every character outside ``[A-Za-z0-9_-]`` percent-encoded,
    so a name can neither leave the directory (``../``, ``/``) nor collide with another."""
    for what, value in (("config", config), ("mode", mode)):
        if not value:
            raise ComfyContractError(
                f"invalid snapshot {what} name {value!r}: must not be empty",
                hint="snapshots are named after the config and the execution mode (eco|fast)",
            )
    # a long (or long non-ASCII) name is cut and ends in a hash of the whole name: never "File name too long"
    return f"{bounded_stem(_encode(config), config, limit=160)}.{bounded_stem(_encode(mode), mode, limit=40)}{SUFFIX}"


def _encode(name: str) -> str:
    return "".join(ch if _SAFE.fullmatch(ch) else "".join(f"%{b:02X}" for b in ch.encode("utf-8", "surrogatepass"))
                   for ch in name)


@dataclass(frozen=True)
class Snapshot:
    """One stored snapshot (immutable)."""

    config: str
    mode: str
    workflow: Mapping[str, Any]
    source: Source = "approved"
    normalisation: Normalisation = field(default_factory=Normalisation)
    approved_drift: tuple[Mapping[str, Any], ...] | None = None
    legacy_file: str | None = None

    @property
    def key(self) -> Key:
        return (self.config, self.mode)

    def canonical(self) -> CanonicalGraph:
        return canonicalize(self.workflow, self.normalisation)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "format": FORMAT,
            "version": VERSION,
            "config": self.config,
            "mode": self.mode,
            "source": self.source,
            "normalisation": self.normalisation.to_dict(),
            "workflow": dict(self.workflow),
            "approved_drift": None if self.approved_drift is None else [dict(r) for r in self.approved_drift],
        }
        if self.legacy_file is not None:
            out["legacy_file"] = self.legacy_file
        return out

    @classmethod
    def from_dict(cls, data: Any, *, source: str) -> Snapshot:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise InputError(source, f"not a comfy-contract snapshot (expected \"format\": {FORMAT!r})",
                             hint="snapshot files are written by `comfy-contract snapshot update|import`")
        if data.get("version") != VERSION:
            raise InputError(source, f"unsupported snapshot version {data.get('version')!r} (this release reads "
                             f"version {VERSION})", hint="upgrade comfy-contract or re-import the snapshot")
        config, mode, workflow = data.get("config"), data.get("mode"), data.get("workflow")
        if not isinstance(config, str) or not isinstance(mode, str) or not isinstance(workflow, Mapping):
            raise InputError(source, "snapshot header needs string `config` and `mode` and an object `workflow`")
        if data.get("source") not in ("legacy", "approved"):
            raise InputError(source, f"snapshot `source` must be 'legacy' or 'approved', got {data.get('source')!r}")
        norm = data.get("normalisation") or {}
        if not isinstance(norm, Mapping):
            raise InputError(source, "snapshot `normalisation` must be an object")
        drift = data.get("approved_drift")
        legacy_file = data.get("legacy_file")
        return cls(
            config=config,
            mode=mode,
            workflow=workflow,
            source=data["source"],
            normalisation=Normalisation.from_dict(norm),
            approved_drift=None if drift is None else tuple(check_rows(drift, source)),
            legacy_file=legacy_file if isinstance(legacy_file, str) else None,
        )


@dataclass(frozen=True)
class UpdateReport:
    """What :meth:`SnapshotStore.update` did, per (config, mode)."""

    new: tuple[Key, ...] = ()
    updated: tuple[Key, ...] = ()
    unchanged: tuple[Key, ...] = ()
    pruned: tuple[Path, ...] = ()

    @property
    def written(self) -> tuple[Key, ...]:
        return self.new + self.updated

    def merge(self, other: UpdateReport) -> UpdateReport:
        return UpdateReport(self.new + other.new, self.updated + other.updated,
                            self.unchanged + other.unchanged, self.pruned + other.pruned)

    @property
    def removed(self) -> tuple[Path, ...]:
        """The snapshot files deleted (by :meth:`SnapshotStore.prune`, or a full update)."""
        return self.pruned

    def summary(self) -> str:
        return (f"snapshots: {len(self.new)} new, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
                f"{len(self.pruned)} removed")

    def lines(self) -> list[str]:
        """The summary line, then one line per snapshot written or removed (unchanged ones are only counted)."""
        out = [f"  new      {c} [{m}]" for c, m in self.new]
        out += [f"  updated  {c} [{m}]" for c, m in self.updated]
        out += [f"  removed  {_shown(p)}" for p in self.pruned]
        return [self.summary(), *out]


class SnapshotStore:
    """The snapshot directory. Reading is cached per file (by mtime); writing is atomic."""

    def __init__(self, directory: str | Path, *, normalisation: Normalisation | None = None) -> None:
        self.directory = Path(directory)
        self.normalisation = normalisation or Normalisation()
        #: a normalisation given here (the project's `normalisation:` setting) also decides how existing
        #: snapshots are compared, over the one each snapshot stored
        self.override = normalisation is not None
        self._cache: dict[Path, tuple[int, Snapshot, CanonicalGraph]] = {}

    def path_for(self, config: str, mode: str) -> Path:
        return self.directory / snapshot_filename(config, mode)

    # --- reading ----------------------------------------------------------------------------

    def load(self, config: str, mode: str) -> Snapshot | None:
        """The snapshot for (config, mode), ``None`` if there is none; InputError if unreadable."""
        loaded = self._load(self.path_for(config, mode))
        return None if loaded is None else loaded[0]

    def _load(self, path: Path) -> tuple[Snapshot, CanonicalGraph] | None:
        try:
            mtime = path.stat().st_mtime_ns
        except FileNotFoundError:
            return None
        cached = self._cache.get(path)
        if cached is not None and cached[0] == mtime:
            return cached[1], cached[2]
        snap = Snapshot.from_dict(read_json(path), source=str(path))
        expected = snapshot_filename(snap.config, snap.mode)
        if path.name != expected:
            raise InputError(
                str(path), f"holds the snapshot of {snap.config!r} [{snap.mode}], which belongs in {expected!r}",
                hint="rename the file or re-create it with `comfy-contract snapshot update`",
            )
        canon = snap.canonical()
        self._cache[path] = (mtime, snap, canon)
        return snap, canon

    def __iter__(self) -> Iterator[Path]:
        """The snapshot files in the directory, sorted (temporary files are skipped)."""
        if not self.directory.is_dir():
            return iter(())
        return iter(sorted(p for p in self.directory.glob(f"*{SUFFIX}") if not p.name.startswith(".")))

    def entries(self) -> list[tuple[Path, Snapshot | None, Finding | None]]:
        """Every snapshot file with its snapshot, or an S004 finding if it cannot be read."""
        out: list[tuple[Path, Snapshot | None, Finding | None]] = []
        for path in self:
            try:
                loaded = self._load(path)
            except ComfyContractError as exc:
                out.append((path, None, _finding("S004", f"{exc}", file=str(path))))
                continue
            out.append((path, None if loaded is None else loaded[0], None))
        return out

    # --- the lifecycle ------------------------------------------------------------------------

    def compare(self, config: str, mode: str, workflow: Mapping[str, Any]) -> GraphDiff | None:
        """The diff between the snapshot and ``workflow`` (with approved drift applied), ``None`` if missing."""
        loaded = self._load(self.path_for(config, mode))
        if loaded is None:
            return None
        snap, canon = loaded
        if self.override and snap.normalisation != self.normalisation:
            canon = canonicalize(snap.workflow, self.normalisation)
        new = canonicalize(workflow, self.normalisation if self.override else snap.normalisation)
        if canon.form == new.form:
            return diff_canonical(canon, new, explain_ignored=False)
        if snap.approved_drift is not None:
            try:
                drifted = apply_delta(canon.form, snap.approved_drift)
            except ComfyContractError:
                drifted = None
            if drifted == new.form:
                return diff_canonical(new, new, explain_ignored=False)
        return diff_canonical(canon, new)

    def check(self, config: str, mode: str, workflow: Mapping[str, Any]) -> tuple[Finding, ...]:
        """S001 if there is no snapshot, S004 if it is unreadable, S002 with the diff on drift, else ``()``."""
        path = self.path_for(config, mode)
        try:
            result = self.compare(config, mode, workflow)
        except ComfyContractError as exc:
            return (_finding("S004", f"{config!r} [{mode}]: {exc}", file=str(path)),)
        if result is None:
            return (_finding(
                "S001",
                f"{config!r} [{mode}]: no snapshot at {_shown(path)!r}. Record it with "
                f"`comfy-contract snapshot update --config {config} --mode {mode}` (or pytest --snapshot-update).",
                file=str(path),
            ),)
        if result.equal:
            return ()
        snap = self.load(config, mode)
        kind = "legacy" if snap is not None and snap.source == "legacy" else "approved"
        return (_finding(
            "S002",
            f"{config!r} [{mode}]: the rendered workflow differs from its {kind} snapshot {_shown(path)!r} "
            f"(a = snapshot, b = rendered): {result.to_text()}\nIf the change is intended, run "
            f"`comfy-contract snapshot update --config {config} --mode {mode}` (or pytest --snapshot-update).",
            file=str(path),
            actual=result.to_dict(),
        ),)

    def update(self, items: Iterable[tuple[str, str, Mapping[str, Any]]]) -> UpdateReport:
        """Write snapshots for ``(config, mode, workflow)`` items that are new or have drifted.

        A drifted *legacy* snapshot keeps its legacy workflow and stores the drift as
        ``approved_drift``; an *approved* snapshot is rewritten with the new workflow.
        """
        new: list[Key] = []
        updated: list[Key] = []
        unchanged: list[Key] = []
        for config, mode, workflow in items:
            with self.lock():  # read-compare-write as one step: a concurrent update waits, then sees this one
                snap = self._readable(config, mode)
                if snap is not None and _is_equal(self.compare(config, mode, workflow)):
                    unchanged.append((config, mode))
                    continue
                existed = self.path_for(config, mode).exists()
                self._write(self._updated(config, mode, workflow, snap))
            (updated if existed else new).append((config, mode))
        return UpdateReport(tuple(new), tuple(updated), tuple(unchanged))

    def _readable(self, config: str, mode: str) -> Snapshot | None:
        """The snapshot, or ``None`` if it is missing or unreadable (an update replaces it)."""
        try:
            return self.load(config, mode)
        except ComfyContractError:
            return None

    def _updated(self, config: str, mode: str, workflow: Mapping[str, Any], snap: Snapshot | None) -> Snapshot:
        if snap is None or snap.source != "legacy":
            norm = snap.normalisation if snap is not None and not self.override else self.normalisation
            return Snapshot(config, mode, workflow, "approved", norm)
        base = snap.canonical()
        rows = diff_canonical(base, canonicalize(workflow, snap.normalisation)).delta_rows()
        return Snapshot(config, mode, snap.workflow, "legacy", snap.normalisation, tuple(rows), snap.legacy_file)

    def lock(self) -> AbstractContextManager[None]:
        """The lock every writer of this folder holds (core/lock.py): one writer at a time, across processes."""
        return folder_lock(self.directory, what=f"the snapshots in {str(self.directory)!r}")

    def write(self, snapshot: Snapshot) -> Path:
        """Write one snapshot atomically (temporary file + rename), under the folder's lock."""
        with self.lock():
            return self._write(snapshot)

    def _write(self, snapshot: Snapshot) -> Path:
        path = self.path_for(snapshot.config, snapshot.mode)
        write_json_atomic(path, snapshot.to_dict())
        self._cache.pop(path, None)
        return path

    def import_legacy(self, workflow: Mapping[str, Any], config: str, mode: str, *,
                      legacy_file: str | None = None, force: bool = False) -> UpdateReport:
        """Store a legacy workflow (after :func:`legacy_normalise`) as the snapshot of (config, mode).

        An existing snapshot is only replaced with ``force=True``; an identical one is left alone.
        """
        snap = Snapshot(config, mode, legacy_normalise(workflow), "legacy", self.normalisation,
                        None, legacy_file)
        with self.lock():
            return self._import(snap, force)

    def _import(self, snap: Snapshot, force: bool) -> UpdateReport:
        config, mode = snap.config, snap.mode
        path = self.path_for(config, mode)
        if path.exists():
            old = self._readable(config, mode)
            if old is not None and old.to_dict() == snap.to_dict():
                return UpdateReport(unchanged=((config, mode),))
            if not force:
                raise ComfyContractError(
                    f"a snapshot for {config!r} [{mode}] already exists at {str(path)!r}",
                    hint="pass --force to replace it with the legacy workflow",
                )
            self._write(snap)
            return UpdateReport(updated=((config, mode),))
        self._write(snap)
        return UpdateReport(new=((config, mode),))

    def unused(self, seen: Iterable[Key]) -> tuple[Finding, ...]:
        """S003 for every snapshot whose (config, mode) is not in ``seen``; S004 for unreadable files."""
        seen_set = set(seen)
        out: list[Finding] = []
        for path, snap, problem in self.entries():
            if problem is not None:
                out.append(problem)
            elif snap is not None and snap.key not in seen_set:
                out.append(_finding(
                    "S003",
                    f"snapshot {_shown(path)!r} ({snap.config!r} [{snap.mode}]) belongs to no rendered config. "
                    "Delete it with `comfy-contract snapshot prune`, or allow it with --allow-unused-snapshots.",
                    file=str(path),
                ))
        return tuple(out)

    def prune(self, seen: Iterable[Key]) -> UpdateReport:
        """Delete the snapshots :meth:`unused` reports as S003 (never unreadable files)."""
        with self.lock():
            deleted = tuple(Path(f.file) for f in self.unused(seen) if f.code == "S003" and f.file)
            for path in deleted:
                path.unlink(missing_ok=True)
                self._cache.pop(path, None)
        return UpdateReport(pruned=deleted)


def _shown(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it (shorter messages)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return str(path)


def _is_equal(result: GraphDiff | None) -> bool:
    return result is not None and result.equal


def _finding(code: str, message: str, **kw: Any) -> Finding:
    return Finding(code=code, message=message, severity=lookup(code).severity, **kw)


# --- the legacy server's normalisation (devserver layout §3) ---------------------------------------


def legacy_normalise(workflow: Mapping[str, Any], *, prompt_title: str = LEGACY_PROMPT_TITLE) -> dict[str, Any]:
    """What the legacy server did before submitting, with per-request values made volatile.

    ``Note`` nodes are removed; the prompt input of the node titled ``prompt_title`` (``value`` or
    ``text``), every sampler's seed and the LLM model names (swapped by execution mode) become
    :data:`~comfy_contract.snapshot.canonical.VOLATILE`. Latent sizes stay: they are the family's own values.
    """
    if not isinstance(workflow, Mapping) or not workflow:
        raise ComfyContractError(
            "a legacy workflow must be a non-empty API-format workflow (a JSON object of nodes)",
            hint="export it with 'Save (API)' in ComfyUI",
        )
    out: dict[str, Any] = {}
    for nid, node in workflow.items():
        if not isinstance(node, Mapping):
            out[str(nid)] = node
            continue
        class_type = node.get("class_type")
        if class_type in ("Note", "MarkdownNote"):
            continue
        out[str(nid)] = _legacy_node(node, prompt_title)
    return out


def _legacy_node(node: Mapping[str, Any], prompt_title: str) -> dict[str, Any]:
    new = dict(node)
    inputs = dict(node.get("inputs") or {})
    meta = node.get("_meta")
    title = meta.get("title") if isinstance(meta, Mapping) else None
    class_type = str(node.get("class_type"))
    volatile: list[str] = []
    if title == prompt_title:
        volatile += [k for k in ("value", "text") if k in inputs]
    if class_type in _SAMPLERS:
        volatile += [k for k in ("seed", "noise_seed") if k in inputs]
    if _is_llm(class_type):
        volatile += [k for k in inputs if "model" in k.lower()]
    for key in volatile:
        if not isinstance(inputs[key], list):  # never break a link
            inputs[key] = VOLATILE
    new["inputs"] = inputs
    return new


def _is_llm(class_type: str) -> bool:
    lowered = class_type.lower()
    return any(word in lowered for word in ("ollama", "openrouter", "llm", "prompt_interception"))
