"""Reproducers: one failing request per JSON file, self-contained, replayable and exportable as a test.

A reproducer holds the config, the mode, the minimal inputs, the failure (and every other new failure
of the same request), the workflow the app would submit, ComfyUI's error body, the campaign seed, the
comfy-contract version, the project file and the exact replay command.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pprint
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from comfy_contract.core.errors import InputError
from comfy_contract.core.jsonio import read_json, write_json_atomic
from comfy_contract.core.safetext import bounded_stem
from comfy_contract.core.version import __version__
from comfy_contract.fuzz.properties import PropertyFailure, Signature
from comfy_contract.render.model import RenderInputs

__all__ = [
    "FORMAT",
    "ReplayResult",
    "Reproducer",
    "export_pytest",
    "replay",
    "reproducer_files",
    "write_reproducer",
]

FORMAT = "comfy-contract/reproducer"
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _version() -> str:
    return __version__


def _failure_from(data: Mapping[str, Any]) -> PropertyFailure:
    return PropertyFailure(
        check=str(data["check"]), code=str(data["code"]), message=str(data.get("message", "")),
        backend=data.get("backend"), node_id=data.get("node_id"), input=data.get("input"),
        submission=data.get("submission"), comfyui=data.get("comfyui"),
    )


@dataclass(frozen=True)
class Reproducer:
    config: str
    mode: str
    inputs: RenderInputs
    failure: PropertyFailure
    failures: tuple[PropertyFailure, ...] = ()
    workflow: Mapping[str, Any] | None = None
    comfyui: Any = None
    seed: int = 0
    project: str | None = None
    static: tuple[Signature, ...] = ()
    version: str = ""
    created: str = ""
    path: str | None = None

    @property
    def stem(self) -> str:
        digest = hashlib.sha1(json.dumps([self.config, self.mode, list(self.failure.signature)]).encode())
        name = _UNSAFE.sub("_", self.config.replace("/", "__")).strip("._") or "config"
        return f"{bounded_stem(name, self.config)}.{self.mode}.{self.failure.code}-{digest.hexdigest()[:8]}"

    def replay_command(self, path: str | Path) -> str:
        project = f" --project {self.project}" if self.project else ""
        return f"comfy-contract replay {Path(path).as_posix()}{project}"

    def root(self) -> Path | None:
        """The project root (the project file's folder), when the project file is found (:meth:`project_file`)."""
        found = self.project_file()
        return None if found is None else found.resolve().parent

    def project_file(self) -> Path | None:
        """The recorded project file: as recorded (absolute, or relative to the cwd), else - a reproducer
        stores it relative to the project root - the first folder up from the reproducer that has it."""
        if self.project is None:
            return None
        project = Path(self.project)
        if project.is_file():
            return project
        if not project.is_absolute() and self.path is not None:
            for folder in Path(self.path).resolve().parents:
                if (folder / project).is_file():
                    return folder / project
        return None

    def to_dict(self, path: str | Path | None = None) -> dict[str, Any]:
        """The file's content. Paths (``project``, the reproducer in ``replay``) are relative to the project
        root, so a reproducer replays on any checkout: ``replay`` is the command to run from the root."""
        where = Path(path or self.path or f"{self.stem}.json")
        found = self.project_file()
        project = self.project
        if found is not None:
            root = found.resolve().parent
            project = _relative(found, root)
            where = Path(_relative(where, root))
        portable = Reproducer(**{**self.__dict__, "project": project})
        return {
            "format": FORMAT,
            "format_version": 1,
            "comfy_contract_version": self.version or _version(),
            "created": self.created or dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "config": self.config,
            "mode": self.mode,
            "inputs": self.inputs.to_dict(),
            "failure": self.failure.to_dict(),
            "failures": [f.to_dict() for f in self.failures or (self.failure,)],
            "workflow": dict(self.workflow) if self.workflow is not None else None,
            "comfyui_error": self.comfyui,
            "seed": self.seed,
            "project": project,
            "static": [list(s) for s in self.static],
            "replay": portable.replay_command(where),
        }

    @classmethod
    def from_dict(cls, data: Any, *, source: str) -> Reproducer:
        if not isinstance(data, Mapping) or data.get("format") != FORMAT:
            raise InputError(source, f"not a comfy-contract reproducer (expected \"format\": {FORMAT!r})",
                             hint="pass a file written by `comfy-contract hunt` (default folder "
                                  ".comfy-contract/crashes/)")
        try:
            return cls(
                config=str(data["config"]), mode=str(data["mode"]), inputs=RenderInputs.from_dict(data["inputs"]),
                failure=_failure_from(data["failure"]),
                failures=tuple(_failure_from(f) for f in data.get("failures", [])),
                workflow=data.get("workflow"), comfyui=data.get("comfyui_error"), seed=int(data.get("seed", 0)),
                project=data.get("project"),
                static=tuple(tuple(s) for s in data.get("static", [])),
                version=str(data.get("comfy_contract_version", "")), created=str(data.get("created", "")),
                path=source,
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(source, f"reproducer is incomplete or damaged: {type(exc).__name__}: {exc}",
                             hint="re-run `comfy-contract hunt` to write it again") from None

    @classmethod
    def load(cls, path: str | Path) -> Reproducer:
        return cls.from_dict(read_json(path), source=str(path))


def _relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` (POSIX) when it is inside it, else as given."""
    try:
        return path.resolve().relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def write_reproducer(directory: Path, reproducer: Reproducer) -> Path:
    """Write ``reproducer`` into ``directory`` (created if needed); the same failure of the same
    config and mode always gets the same file name, so re-running a hunt does not pile up copies."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{reproducer.stem}.json"
    write_json_atomic(path, reproducer.to_dict(path))
    return path


def reproducer_files(paths: Iterable[str | Path]) -> list[Path]:
    """The reproducer files among ``paths`` (a folder stands for its ``*.json`` files)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out.extend(sorted(path.glob("*.json")))
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(str(path), "no such file or folder",
                             hint="reproducers are written to .comfy-contract/crashes/ by `comfy-contract hunt`")
    return out


Status = Literal["still-fails", "fails-differently", "fixed"]


@dataclass(frozen=True)
class ReplayResult:
    reproducer: Reproducer
    status: Status
    failures: tuple[PropertyFailure, ...]  # the input-dependent failures the request has now

    @property
    def failing(self) -> bool:
        return self.status != "fixed"


def replay(reproducer: Reproducer, target: Any) -> ReplayResult:
    """Re-run ``reproducer`` against ``target`` (a :class:`~comfy_contract.fuzz.target.Target`).

    ``still-fails``: the recorded failure occurs again; ``fails-differently``: it does not, but the
    request has another failure that the default inputs do not have; ``fixed``: neither.
    """
    result = target.check(reproducer.config, reproducer.mode, reproducer.inputs)
    static = target.static(reproducer.config, reproducer.mode) if reproducer.config in target.configs() else set()
    recorded = set(reproducer.static)
    wanted = reproducer.failure.signature
    now = tuple(f for f in result.failures if f.signature == wanted or f.signature not in static | recorded)
    if any(f.signature == wanted for f in result.failures):
        status: Status = "still-fails"
    elif now:
        status = "fails-differently"
    else:
        status = "fixed"
    return ReplayResult(reproducer, status, now)


def _identifier(text: str) -> str:
    return re.sub(r"[^0-9a-zA-Z_]+", "_", text).strip("_").lower() or "config"


def export_pytest(reproducer: Reproducer, test_dir: str | Path | None = None) -> str:
    """A ready-to-commit pytest module: the config's property test with the minimal request as an
    ``@example``, so the failure is checked on every run and Hypothesis keeps searching around it.

    With ``test_dir`` (the folder the test is written to) the project file is named relative to the test
    file, so the test runs on any checkout, from any working directory."""
    inputs = pprint.pformat(reproducer.inputs.to_dict(), width=100, sort_dicts=False).replace("\n", "\n    ")
    name = _identifier(f"{reproducer.config}_{reproducer.mode}_{reproducer.failure.code}")
    found = reproducer.project_file()
    project = repr(reproducer.project) if reproducer.project else "None"
    imports = ""
    if found is not None and test_dir is not None:
        rel = os.path.relpath(found.resolve(), Path(test_dir).resolve()).replace(os.sep, "/")
        project = f"Path(__file__).resolve().parent / {rel!r}"
        imports = "from pathlib import Path\n\n"
    elif found is not None:  # no folder known: the project file as found here
        project = repr(found.resolve().as_posix())
    what = f"{reproducer.failure.code} on {reproducer.config!r}"
    replay_line = reproducer.to_dict(reproducer.path or reproducer.stem + ".json")["replay"]
    return f'''"""Regression test exported by `comfy-contract hunt` ({what}).

{reproducer.failure.describe()}
Replay the original from the project root with: {replay_line}
"""

{imports}from hypothesis import example, given

from comfy_contract.fuzz import Example, assert_passes, load_target
from comfy_contract.render.model import RenderInputs

TARGET = load_target({project})
CONFIG = {reproducer.config!r}


@given(ex=TARGET.strategy(CONFIG))
@example(ex=Example({reproducer.mode!r}, RenderInputs.from_dict(
    {inputs}
)))
def test_{name}(ex: Example) -> None:
    assert_passes(TARGET, CONFIG, ex)
'''
