"""The project configuration: ``comfy-contract.yaml`` or ``[tool.comfy-contract]`` in ``pyproject.toml``.

It says how the app's workflows are produced (``layout: devserver`` + ``root``, or a ``generator``),
which execution modes to render, which ComfyUI installs ("backends") to check against, and where
snapshots, per-config contracts and the baseline live. Paths are relative to the configuration file.
The file is validated against ``contracts/schemas/project-config.schema.json``; errors name the file
and the key. See ``docs/configuration.md``.
"""

from __future__ import annotations

import json
import shlex
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from comfy_contract.core.errors import ComfyContractError, ConfigError, InputError
from comfy_contract.core.schemas import schema_validator
from comfy_contract.core.yamlio import load_yaml
from comfy_contract.render.devserver import DevserverGenerator, DevserverOptions
from comfy_contract.render.model import MODES, Generator
from comfy_contract.validation.catalog import Catalog, merge_catalogs

if TYPE_CHECKING:
    from comfy_contract.snapshot.store import SnapshotStore

__all__ = ["PROJECT_FILES", "Backend", "Project", "find_project_file", "generator_section", "load_project",
           "split_command"]

PROJECT_FILES = ("comfy-contract.yaml", "comfy-contract.yml", "pyproject.toml")
_SCHEMA = "project-config.schema.json"


@dataclass(frozen=True)
class Backend:
    """One ComfyUI install: the catalogs merged in order, minus model files it lacks."""

    name: str
    catalogs: tuple[Path, ...]
    without_models: tuple[str, ...] = ()
    url: str | None = None
    #: validate with this ComfyUI version's (or era's) rules, whatever the catalogs record
    comfyui_version: str | None = None

    def catalog(self) -> Catalog:
        from comfy_contract.check.catcache import cached_catalog

        def build() -> Catalog:
            merged = merge_catalogs(self.catalogs, name=self.name)
            return merged.without_choices(self.without_models) if self.without_models else merged

        catalog = cached_catalog(self.catalogs, self.without_models, self.name, build)  # unchanged files: no parse
        if self.comfyui_version is None:
            return catalog
        chosen = catalog.with_era(self.comfyui_version)
        return replace(chosen, era_reason=f"{chosen.era_reason.removesuffix(', chosen explicitly')}, "
                                          f"set by backend {self.name!r} of the project")


@dataclass(frozen=True)
class Project:
    file: Path
    layout: str | None = None
    root: Path | None = None
    generator_spec: Mapping[str, Any] | None = None
    render_options: DevserverOptions = field(default_factory=DevserverOptions)
    modes: tuple[str, ...] = MODES
    backend_specs: Mapping[str, Backend] = field(default_factory=lambda: MappingProxyType({}))
    snapshots: Path | None = None
    contracts: Path | None = None
    baseline: Path | None = None
    #: the ``capture:`` section (docs/capture.md), as written; ``comfy_contract.live.capture`` builds it
    capture_spec: Mapping[str, Any] | None = None
    #: the ``normalisation:`` section (docs/snapshots.md): how workflows are normalised before snapshots are
    #: compared, for every snapshot of the project (``None``: each snapshot's own, defaults for new ones)
    normalisation: Mapping[str, Any] | None = None

    def snapshot_store(self) -> SnapshotStore | None:
        """The project's snapshot store (``None`` without ``snapshots:``), with its normalisation settings."""
        if self.snapshots is None:
            return None
        from comfy_contract.snapshot.canonical import Normalisation
        from comfy_contract.snapshot.store import SnapshotStore

        try:
            norm = Normalisation.from_dict(self.normalisation) if self.normalisation is not None else None
        except ComfyContractError as exc:
            raise ConfigError(f"{self.file}: key normalisation: {exc.message}", hint=exc.hint) from None
        return SnapshotStore(self.snapshots, normalisation=norm)

    def generator(self) -> Generator:
        """The generator this project renders with."""
        if self.root is not None:
            return DevserverGenerator(self.root, self.render_options)
        from comfy_contract.render.adapters import CallableGenerator, CommandGenerator, HttpGenerator

        spec = self.generator_spec or {}
        base = self.file.resolve().parent  # the app's module imports from here; answers' file names are relative
        trace = bool(spec.get("trace", True))
        if "callable" in spec:
            return CallableGenerator(spec["callable"], enumerate=spec.get("enumerate"), base=base, trace=trace)
        if "command" in spec:
            listing = spec.get("list_command")
            return CommandGenerator(_argv(spec["command"]), list_command=_argv(listing) if listing else None,
                                    timeout=float(spec.get("timeout", 60)), cwd=str(base), trace=trace)
        if "url" in spec:
            return HttpGenerator(spec["url"], configs_url=spec.get("configs_url"),
                                 timeout=float(spec.get("timeout", 60)), base=str(base), trace=trace)
        raise ConfigError(f"{self.file}: says neither `layout` + `root` nor `generator`",
                          hint="see docs/configuration.md")

    def backends(self) -> dict[str, Catalog]:
        """Each backend's catalog, by name, in the order of the file."""
        return {name: backend.catalog() for name, backend in self.backend_specs.items()}


def generator_section(spec: str) -> dict[str, Any]:
    """The project file's ``generator:`` section for a ``--generator SPEC`` (``pkg.module:function``,
    ``cmd:COMMAND ARGS`` or an http(s) URL); a usage error for anything else."""
    if spec.startswith(("http://", "https://")):
        return {"url": spec}
    if spec.startswith("cmd:"):
        argv = split_command(spec[4:], origin="--generator cmd:")
        if not argv:
            raise ConfigError("--generator cmd: names no command", hint="e.g. --generator 'cmd:python render.py'")
        return {"command": argv}
    module, sep, attr = spec.partition(":")
    if not sep or not module or not attr or " " in spec:
        raise ConfigError(f"--generator {spec!r} is neither 'pkg.module:function', 'cmd:COMMAND' nor an http(s) URL",
                          hint="see docs/adapters.md")
    return {"callable": spec}


def _argv(value: str | list[str]) -> list[str]:
    return split_command(value) if isinstance(value, str) else list(value)


def split_command(value: str, *, origin: str = "generator command") -> list[str]:
    """A command line split as a POSIX shell would (without running one); a usage error if it cannot be."""
    try:
        return shlex.split(value)
    except ValueError as exc:
        raise ConfigError(f"{origin} {value!r} cannot be split into arguments: {exc}",
                          hint="balance the quotes, or give the command as a YAML list of arguments") from None


def find_project_file(start: str | Path | None = None) -> Path | None:
    """The nearest project file from ``start`` (default: the cwd) upwards, or ``None``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        for name in PROJECT_FILES:
            candidate = folder / name
            if candidate.is_file() and (name != "pyproject.toml" or _pyproject_section(candidate) is not None):
                return candidate
    return None


def _pyproject_section(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read as TOML: {exc}") from None
    section = data.get("tool", {}).get("comfy-contract")
    return section if isinstance(section, dict) else None


def _read(path: Path) -> dict[str, Any]:
    if path.name == "pyproject.toml" or path.suffix == ".toml":
        section = _pyproject_section(path)
        if section is None:
            raise ConfigError(f"{path}: has no [tool.comfy-contract] table")
        return section
    try:
        doc, problems = load_yaml(path)  # bounded: no alias bomb, no unbounded nesting, duplicate keys found
    except InputError as exc:
        raise ConfigError(f"{path}: {exc.problem}" if exc.problem != "no such file" else f"{path}: no such project file"
                          ) from None
    if problems:
        first = problems[0]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ConfigError(f"{first}{more}", hint="see docs/configuration.md")
    data = doc.data if doc is not None else None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys, got {type(data).__name__}")
    return data


def _validate(path: Path, data: Mapping[str, Any]) -> None:
    from comfy_contract.check.catcache import checked_before, remember_checked

    try:  # the same content passed before: no jsonschema at start-up
        canonical = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError):
        canonical = None
    if canonical is not None and checked_before(canonical, _SCHEMA):
        return
    errors = sorted(schema_validator(_SCHEMA).iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
    if not errors:
        if canonical is not None:
            remember_checked(canonical, _SCHEMA)
        return
    err = errors[0]
    key = ".".join(str(p) for p in err.absolute_path) or "(top level)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    raise ConfigError(f"{path}: key {key}: {err.message}{more}", hint="see docs/configuration.md for the keys")


def load_project(path: str | Path | None = None, *, start: str | Path | None = None) -> Project:
    """Read and validate a project file; without ``path``, search upwards from ``start`` (the cwd)."""
    found = Path(path) if path is not None else find_project_file(start)
    if found is None:
        raise ConfigError("no comfy-contract.yaml or [tool.comfy-contract] found here or in any parent folder",
                          hint="pass --layout devserver --root DIR or --generator SPEC, or --project FILE")
    if not found.is_file():
        raise ConfigError(f"{found}: no such project file")
    data = _read(found)
    _validate(found, data)
    if "layout" in data:  # the DevServer layout knows two modes; an adapter app names its own
        for i, mode in enumerate(data.get("modes", ())):
            if mode not in MODES:
                raise ConfigError(f"{found}: key modes.{i}: {mode!r} is not one of {list(MODES)!r} (the modes of the "
                                  "DevServer layout)", hint="see docs/configuration.md for the keys")
    base = found.resolve().parent

    def rel(key: str) -> Path | None:
        return base / data[key] if key in data else None

    backends = {
        name: Backend(name, tuple(base / c for c in spec["catalogs"]), tuple(spec.get("without_models", ())),
                      spec.get("url"), spec.get("comfyui_version"))
        for name, spec in data.get("backends", {}).items()
    }
    return Project(
        file=found, layout=data.get("layout"), root=rel("root"),
        generator_spec=MappingProxyType(dict(data["generator"])) if "generator" in data else None,
        render_options=DevserverOptions(**data.get("render", {})),
        modes=tuple(data.get("modes", MODES)), backend_specs=MappingProxyType(backends),
        snapshots=rel("snapshots"), contracts=rel("contracts"), baseline=rel("baseline"),
        capture_spec=MappingProxyType(dict(data["capture"])) if "capture" in data else None,
        normalisation=MappingProxyType(dict(data["normalisation"])) if "normalisation" in data else None,
    )
