"""Config names that hide one another (R021).

A generator's list of configs is a table keyed by name: two config files with the same ``name`` (or the same
file name in ``configs/interception/`` and ``configs/output/``) leave one entry, the file read last, and the
other config is silently never offered, rendered nor checked. The DevServer tree is re-read here (names only)
to find the files that lost; an adapter that lists a name twice is reported too.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from comfy_contract.core.errors import InputError
from comfy_contract.core.findings import Finding
from comfy_contract.core.jsonio import loads
from comfy_contract.render.devserver.tree import config_name

__all__ = ["duplicate_config_names"]


def _devserver_names(root: Path) -> dict[str, list[Path]]:
    folder = root / "configs"
    files: dict[str, list[Path]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name.endswith(".json")):
        try:
            data = loads(path.read_bytes(), source=str(path))
        except (OSError, InputError):
            data = None  # an unreadable config is R008 elsewhere; it is named by its path
        name = config_name(path.relative_to(folder), data if isinstance(data, dict) else None)
        files.setdefault(name, []).append(path.relative_to(root))
    return files


def duplicate_config_names(generator: Any, listed: tuple[str, ...] | list[str]) -> tuple[Finding, ...]:
    """R021 for every name two configs share: the files (DevServer layout) or the repeated listing (adapters)."""
    out: list[Finding] = []
    root = getattr(generator, "root", None)
    if getattr(generator, "tree", None) is not None and isinstance(root, Path) and (root / "configs").is_dir():
        for name, files in _devserver_names(root).items():
            if len(files) > 1:
                shown = [f.as_posix() for f in files]
                hidden = ", ".join(repr(f) for f in shown[:-1])
                out.append(Finding(
                    "R021", f"{len(files)} config files are named {name!r}: {hidden} and {shown[-1]!r}. The app keeps "
                    f"only the last one read ({shown[-1]!r}); the others are never offered nor checked. Give each "
                    "config a unique `name`.", file=(root / files[0]).as_posix()))
    for name, count in Counter(listed).items():
        if count > 1 and not any(repr(name) in f.message for f in out):
            out.append(Finding("R021", f"the generator lists the config {name!r} {count} times; it is checked once. "
                               "Give each config a unique name."))
    return tuple(out)
