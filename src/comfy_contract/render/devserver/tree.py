"""Loading a DevServer ``schemas/`` tree: configs (with the app's naming rules), pipelines, chunks.

Loading is tolerant: a file that cannot be parsed becomes a :class:`Doc` carrying an ``R008`` finding
(with file, line and column) instead of stopping the load, so every other config still renders. Only a
root that is not a DevServer tree at all is a usage error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from comfy_contract.core.errors import InputError
from comfy_contract.core.findings import Finding
from comfy_contract.core.jsonio import loads

__all__ = ["Doc", "Tree", "config_name", "load_tree"]

_REQUIRED_DIRS = ("configs", "pipelines", "chunks")
DEFAULTS_FILE = "output_config_defaults.json"


@dataclass(frozen=True)
class Doc:
    """One JSON file of the tree: its decoded object, or the finding that says why it has none."""

    file: str  # the path as given (root joined with the relative path), POSIX form
    rel: str  # relative to the tree root
    data: Mapping[str, Any] | None
    error: Finding | None = None


@dataclass(frozen=True)
class Tree:
    root: Path
    configs: Mapping[str, Doc]  # app config name -> file, sorted by name
    pipelines: Mapping[str, Doc]  # pipeline ``name`` (or file stem when unreadable) -> file
    chunks: Mapping[str, Doc]  # chunk ``name`` (or file stem) -> file
    defaults: Doc | None  # output_config_defaults.json, if present
    #: chunks/NAME.py -> its path (Python chunks)
    python_chunks: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    #: chunks/STEM.json by file stem (how the router loads output chunks)
    chunk_files: Mapping[str, Doc] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def broken_pipelines(self) -> tuple[Doc, ...]:
        return tuple(d for d in self.pipelines.values() if d.error is not None)


def config_name(rel: Path, data: Mapping[str, Any] | None) -> str:
    """The app's name for the config at ``rel`` (relative to ``configs/``), per the layout's rules."""
    if data is not None and isinstance(data.get("name"), str) and data["name"]:
        return str(data["name"])
    parts = rel.parts
    if len(parts) == 3 and parts[0] == "user_configs":
        return f"u_{parts[1]}_{rel.stem}"
    if len(parts) > 1 and parts[0] in ("interception", "output"):
        return rel.stem
    return rel.with_suffix("").as_posix()


def _read_doc(root: Path, path: Path) -> Doc:
    rel = path.relative_to(root).as_posix()
    shown = (root / rel).as_posix()
    try:
        data = loads(path.read_bytes(), source=rel)
    except OSError as exc:
        return Doc(shown, rel, None, _load_finding(shown, f"cannot read: {exc.strerror}"))
    except InputError as exc:
        return Doc(shown, rel, None, _load_finding(shown, _with_line(rel, exc.problem)))
    if not isinstance(data, dict):
        problem = f"expected a JSON object, got {type(data).__name__}"
        return Doc(shown, rel, None, _load_finding(shown, f"{rel}: {problem}"))
    return Doc(shown, rel, MappingProxyType(data))


def _with_line(rel: str, problem: str) -> str:
    # "invalid JSON at line 25, column 3: Expecting ',' delimiter" -> "pop_art.json:25:3: ..."
    prefix = "invalid JSON at line "
    if problem.startswith(prefix):
        where, _, msg = problem[len(prefix):].partition(": ")
        line, _, col = where.partition(", column ")
        return f"{rel}:{line}:{col}: invalid JSON: {msg}"
    return f"{rel}: {problem}"


def _load_finding(file: str, message: str) -> Finding:
    return Finding(
        "R008",
        f"{message}. The app cannot load this file; fix it (other configs are still rendered).",
        file=file,
    )


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name.endswith(".json"))


def _by_name(root: Path, folder: Path) -> tuple[dict[str, Doc], dict[str, Doc]]:
    """The folder's JSON files keyed by their ``name`` field (else file stem), and keyed by file stem."""
    out: dict[str, Doc] = {}
    stems: dict[str, Doc] = {}
    for path in sorted(p for p in folder.glob("*") if p.is_file() and p.name.endswith(".json")):
        doc = _read_doc(root, path)
        name = doc.data.get("name") if doc.data is not None else None
        stem = path.name[: -len(".json")]
        out[name if isinstance(name, str) and name else stem] = doc
        stems[stem] = doc
    return out, stems


def _check_root(root: Path) -> None:
    if not root.exists():
        raise InputError(str(root), "no such folder", hint="pass the app's `schemas/` folder with --root")
    if not root.is_dir():
        raise InputError(str(root), "is a file, not a folder", hint="pass the app's `schemas/` folder with --root")
    missing = [d for d in _REQUIRED_DIRS if not (root / d).is_dir()]
    if not missing:
        return
    hint = "pass the `schemas/` folder that holds configs/, pipelines/ and chunks/"
    if (root / "schemas").is_dir():
        hint = f"did you mean {(root / 'schemas').as_posix()!r}?"
    if len(missing) == len(_REQUIRED_DIRS):
        raise InputError(str(root), "not a DevServer tree: no configs/, pipelines/ or chunks/ folder", hint=hint)
    names = ", ".join(f"{d}/" for d in missing)
    raise InputError(str(root), f"DevServer tree is missing the folder(s) {names}", hint=hint)


def load_tree(root: str | Path) -> Tree:
    """Read every config, pipeline and chunk under ``root`` (the app's ``schemas/`` folder)."""
    base = Path(root)
    _check_root(base)
    configs: dict[str, Doc] = {}
    for path in _json_files(base / "configs"):
        doc = _read_doc(base, path)
        configs[config_name(path.relative_to(base / "configs"), doc.data)] = doc
    defaults_path = base / DEFAULTS_FILE
    chunks, chunk_files = _by_name(base, base / "chunks")
    return Tree(
        root=base,
        configs=MappingProxyType(dict(sorted(configs.items()))),
        pipelines=MappingProxyType(_by_name(base, base / "pipelines")[0]),
        chunks=MappingProxyType(chunks),
        defaults=_read_doc(base, defaults_path) if defaults_path.is_file() else None,
        python_chunks=MappingProxyType({p.stem: (base / p.relative_to(base)).as_posix()
                                        for p in sorted((base / "chunks").glob("*.py")) if p.is_file()}),
        chunk_files=MappingProxyType(chunk_files),
    )
