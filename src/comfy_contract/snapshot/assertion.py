"""``snapshot == workflow`` in users' own tests (the pytest plugin's ``snapshot`` fixture, syrupy's model).

A :class:`WorkflowSnapshot` compares a workflow graph-aware (node ids may differ; the volatile inputs of
:class:`~comfy_contract.snapshot.canonical.Normalisation` are ignored) against the snapshot file of the test,
``__snapshots__/<test file>/<test name>.json`` next to the test file, in the format of the snapshot store
(``config`` is the test name, ``mode`` is ``"test"``). The second ``==`` of one test uses
``<test name>.1.json``, and so on. With ``update=True`` (``pytest --snapshot-update``) a missing or different
snapshot is written and the comparison passes; otherwise it fails with the readable graph diff.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.core.jsonio import read_json, write_json_atomic
from comfy_contract.core.safetext import bounded_stem
from comfy_contract.snapshot.canonical import Normalisation, canonicalize
from comfy_contract.snapshot.diff import diff_canonical
from comfy_contract.snapshot.store import Snapshot, UpdateReport

__all__ = ["MODE", "WorkflowSnapshot", "snapshot_path_for"]

MODE = "test"
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-.\[\]]")


def snapshot_path_for(test_file: Path, test_name: str, index: int = 0) -> Path:
    """``__snapshots__/<test file stem>/<test name>[.<index>].json`` next to ``test_file``; characters outside
    ``[A-Za-z0-9_-.[]]`` of the name are percent-encoded (a name can never leave the folder)."""
    stem = _UNSAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8", "surrogatepass")),
                       test_name).lstrip(".") or "_"
    suffix = "" if index == 0 else f".{index}"
    return test_file.parent / "__snapshots__" / test_file.stem / f"{bounded_stem(stem, test_name)}{suffix}.json"


def _workflow(value: Any) -> Mapping[str, Any] | None:
    """A workflow, a ``/prompt`` body, a Submission or a Rendered (its first submission)."""
    submissions = getattr(value, "submissions", None)
    if submissions is not None:
        value = submissions[0] if submissions else None
    value = getattr(value, "workflow", value)
    if isinstance(value, Mapping) and isinstance(value.get("prompt"), Mapping):
        value = value["prompt"]
    return value if isinstance(value, Mapping) else None


class WorkflowSnapshot:
    """The ``snapshot`` of one test: ``snapshot == workflow`` compares (or, when updating, records)."""

    _comfy_contract_snapshot = True  # how the plugin's assertion hook recognises it without importing this module

    def __init__(self, test_file: Path, test_name: str, *, update: bool = False,
                 normalisation: Normalisation | None = None) -> None:
        self.test_file = Path(test_file)
        self.test_name = test_name
        self.update = update
        self.normalisation = normalisation or Normalisation()
        self.report = UpdateReport()
        self.used: list[Path] = []
        self.failure: str | None = None
        self._index = 0

    def __repr__(self) -> str:
        return f"snapshot({self.test_name!r})"

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by content

    def __eq__(self, other: object) -> bool:
        path = snapshot_path_for(self.test_file, self.test_name, self._index)
        key = (self.test_name if self._index == 0 else f"{self.test_name}.{self._index}", MODE)
        self._index += 1
        self.used.append(path)
        workflow = _workflow(other)
        if workflow is None:
            self.failure = (f"snapshot: expected an API-format workflow (a dict of nodes), a /prompt body, a "
                            f"Submission or a Rendered with a submission, got {type(other).__name__}")
            return False
        stored: Snapshot | None = None
        problem = ""
        if path.is_file():
            try:
                stored = Snapshot.from_dict(read_json(path), source=str(path))
            except ComfyContractError as exc:
                problem = f"snapshot {path}: {exc}"
        if stored is not None:
            norm = stored.normalisation
            diff = diff_canonical(canonicalize(stored.workflow, norm), canonicalize(workflow, norm))
            if diff.equal:
                self.report = self.report.merge(UpdateReport(unchanged=(key,)))
                return True
            problem = (f"the workflow differs from its snapshot {path} (a = snapshot, b = actual): "
                       f"{diff.to_text()}")
        elif not problem:
            problem = f"no snapshot at {path}"
        if not self.update:
            self.failure = f"{problem}\nIf the change is intended, run pytest --snapshot-update."
            return False
        existed = path.exists()
        path.parent.mkdir(parents=True, exist_ok=True)
        norm = stored.normalisation if stored is not None else self.normalisation
        write_json_atomic(path, Snapshot(key[0], MODE, dict(workflow), "approved", norm).to_dict())
        self.report = self.report.merge(UpdateReport(updated=(key,)) if existed else UpdateReport(new=(key,)))
        return True

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)
