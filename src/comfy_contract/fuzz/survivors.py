"""Survivor files: each edit ``hunt --mutate`` found unnoticed, written down so it can be replayed.

One JSON file per surviving mutant in ``--survivor-dir`` (default ``.comfy-contract/mutants/``), named
``<file>.<operator>-<hash>.json`` after the edit itself (the same survivor always gets the same name, so reruns
do not pile up copies)::

    {"format": "comfy-contract/mutant", "version": 1, "code": "F003",
     "operator": "drop-key", "file": "chunks/output_image.json", "path": "/backend_type",
     "description": "drop 'backend_type'", "edit": {file, line, before, after, removed, added, file_diff},
     "configs": [{config, verdict, diff, suggested_fix}], "seed": 1, "fail_on": "error", "kind": "devserver",
     "project": "comfy-contract.yaml", "created": ..., "comfy_contract_version": ...,
     "replay": "comfy-contract replay .comfy-contract/mutants/NAME.json --project comfy-contract.yaml"}

:func:`replay_survivor` makes the same edit to the current tree (found again by operator, file, pointer and
description) and classifies it with the current gate: ``still survives``, ``killed`` (the gate notices it
now), ``equivalent`` (the edit no longer changes what is submitted) or ``gone`` (the edit cannot be made any
more: the file or the key changed).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from comfy_contract.check.engine import Suite
from comfy_contract.check.results import parse_fail_on
from comfy_contract.core.errors import ComfyContractError, InputError
from comfy_contract.core.findings import Severity
from comfy_contract.core.jsonio import ensure_writable_folder, read_json, write_text_atomic
from comfy_contract.core.version import __version__
from comfy_contract.fuzz.mutate import Mutant, MutantResult, MutationReport, Mutator, enumerate_mutants

__all__ = ["FORMAT", "SurvivorReplay", "is_survivor_file", "replay_survivor", "survivor_name",
           "write_survivors"]

FORMAT = "comfy-contract/mutant"
VERSION = 1
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
ReplayStatus = Literal["still-survives", "killed", "equivalent", "gone"]


def survivor_name(mutant: Mutant) -> str:
    """``<file>.<operator>-<hash>.json``: stable for the same edit, safe as a file name."""
    digest = hashlib.sha256("\0".join(mutant.key).encode("utf-8")).hexdigest()[:10]
    stem = _UNSAFE.sub("_", mutant.file.replace("/", "__"))[:80]
    return f"{stem}.{mutant.operator}-{digest}.json"


def replay_command(path: str, project: str | None) -> str:
    return f"comfy-contract replay {path}" + (f" --project {project}" if project else "")


def write_survivors(report: MutationReport, folder: str | Path, *, root: Path
                    ) -> dict[tuple[str, str, str, str], str]:
    """Write one file per survivor of ``report`` into ``folder``; returns ``Mutant.key`` -> the file's path as
    shown in replay commands (relative to ``root``, the project root, when it is inside it)."""
    out_dir = Path(folder)
    ensure_writable_folder(str(out_dir), what="survivor folder (--survivor-dir)")
    written: dict[tuple[str, str, str, str], str] = {}
    created = datetime.now(UTC).isoformat(timespec="seconds")
    for r in report.survivors:
        path = out_dir / survivor_name(r.mutant)
        try:
            shown = path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = path.as_posix()
        edit = report.edit(r)
        data: dict[str, Any] = {
            "format": FORMAT, "version": VERSION, "code": "F003", **r.mutant.to_dict(),
            "edit": edit.to_dict() if edit is not None else None,
            "configs": [{"config": o.config, "verdict": o.verdict, "diff": o.diff, "suggested_fix": o.fix}
                        for o in r.outcomes if o.verdict != "equivalent"],
            "seed": report.seed, "fail_on": report.fail_on, "kind": report.kind, "project": report.project,
            "created": created, "comfy_contract_version": __version__,
            "replay": replay_command(shown, report.project),
        }
        write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
        written[r.mutant.key] = shown
    return written


def is_survivor_file(path: str | Path) -> bool:
    """Whether ``path`` is a survivor file (and not a ``hunt`` reproducer)."""
    try:
        data = read_json(Path(path))
    except (ComfyContractError, OSError):
        return False
    return isinstance(data, Mapping) and data.get("format") == FORMAT


@dataclass(frozen=True)
class SurvivorReplay:
    path: Path
    operator: str
    file: str
    description: str
    status: ReplayStatus
    result: MutantResult | None

    @property
    def failing(self) -> bool:
        return self.status == "still-survives"

    def lines(self) -> list[str]:
        label = {"still-survives": "still survives", "killed": "killed now (the gate notices it)",
                 "equivalent": "equivalent now (the edit no longer changes what is submitted)",
                 "gone": "gone (the edit cannot be made any more: the file or its target changed)"}[self.status]
        out = [f"{label}: {self.path} ({self.file}: {self.description}, {self.operator})"]
        if self.result is not None:
            for o in self.result.outcomes:
                if o.verdict == "survived":
                    out.append(f"  - {o.config}: suggested fix: {o.fix}")
                elif o.verdict == "killed" and self.status == "killed":
                    out.extend(f"  - {o.config}: {f}" for f in o.new_findings[:2])
        return out


def _recorded(path: Path) -> Mapping[str, Any]:
    data = read_json(path)
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise InputError(str(path), f"not a survivor file (expected \"format\": {FORMAT!r})",
                         hint="survivor files are written by `comfy-contract hunt --mutate`")
    if data.get("version") != VERSION:
        raise InputError(str(path), f"unsupported survivor file version {data.get('version')!r}")
    for key in ("operator", "file", "path", "description"):
        if not isinstance(data.get(key), str):
            raise InputError(str(path), f"survivor file lacks a string {key!r}")
    return data


def project_of(path: str | Path) -> Path | None:
    """The project file a survivor file names (relative to the first folder up from it that has it)."""
    data = _recorded(Path(path))
    project = data.get("project")
    if not isinstance(project, str):
        return None
    for folder in Path(path).resolve().parents:
        if (folder / project).is_file():
            return folder / project
    return None


def replay_survivor(path: str | Path, suite: Suite, *, mutator: Mutator | None = None) -> SurvivorReplay:
    """Make the recorded edit to the current tree and classify it with the current gate (``mutator``: one
    already built for ``suite``, reused across files; closed by the caller)."""
    file = Path(path)
    data = _recorded(file)
    fail_on = parse_fail_on(str(data.get("fail_on", "error")))
    own = mutator is None
    m = mutator if mutator is not None else Mutator(suite, fail_on=fail_on)
    try:
        found = enumerate_mutants(m.workspace, (data["operator"],), (data["file"],))
        candidates = found.get(data["operator"], {}).get(data["file"], [])
        mutant = next((c for c in candidates if c.path == data["path"] and c.description == data["description"]),
                      None)
        if mutant is None:
            return SurvivorReplay(file, data["operator"], data["file"], data["description"], "gone", None)
        result = m.classify(mutant)
    finally:
        if own:
            m.close()
    status: ReplayStatus = "still-survives" if result.verdict == "survived" else result.verdict
    return SurvivorReplay(file, mutant.operator, mutant.file, mutant.description, status, result)


def survivor_fail_on(path: str | Path) -> Severity | None:
    """The ``--fail-on`` a survivor file was found with (``None``: never)."""
    return parse_fail_on(str(_recorded(Path(path)).get("fail_on", "error")))


def replay_survivors(paths: list[Path], *, project: str | None = None, prune: bool = False
                     ) -> tuple[list[dict[str, Any]], list[str], int]:
    """``comfy-contract replay`` for survivor files: (a JSON row per file, the text lines, how many still
    survive). Files of one project share one :class:`Mutator` (the project is loaded once). ``prune`` deletes
    the files whose edit is killed, equivalent or gone."""
    from comfy_contract.check.engine import suite_from_project
    from comfy_contract.check.project import load_project

    groups: dict[tuple[str | None, str], list[Path]] = {}
    for path in paths:
        found = Path(project) if project else project_of(path)
        groups.setdefault((str(found) if found else None, str(_recorded(path).get("fail_on", "error"))),
                          []).append(path)
    rows: list[dict[str, Any]] = []
    lines: list[str] = []
    failing = 0
    for (project_file, fail_on), files in groups.items():
        loaded = load_project(project_file)
        suite = suite_from_project(loaded, project_arg=project_file, root=loaded.file.resolve().parent)
        with Mutator(suite, fail_on=parse_fail_on(fail_on)) as mutator:
            for path in files:
                replayed = replay_survivor(path, suite, mutator=mutator)
                row: dict[str, Any] = {"file": str(path), "kind": "mutant", "operator": replayed.operator,
                                       "mutated_file": replayed.file, "description": replayed.description,
                                       "status": replayed.status}
                text = replayed.lines()
                if replayed.failing:
                    failing += 1
                elif prune:
                    path.unlink()
                    row["pruned"] = True
                    text[0] += " - deleted"
                rows.append(row)
                lines.extend(text)
    return rows, lines, failing
