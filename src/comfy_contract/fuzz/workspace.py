"""Where ``hunt --mutate`` applies an edit: the files of the app, and a suite that renders the edited app.

Two shapes (issue 16):

- :class:`TreeWorkspace` - a DevServer tree (``layout: devserver``). The mutated document is overlaid on the
  loaded tree in memory; nothing is copied or written.
- :class:`CopyWorkspace` - an app behind an adapter (a Python callable or a ``cmd:``). The project folder is
  copied once into a temporary folder (the app's own files; big files are linked, virtual environments and
  caches skipped); the edited JSON/YAML file is written into the copy, the adapter renders *from the copy*
  (a callable's modules are imported afresh from it for every mutant, a command runs in it), and the file is
  restored afterwards. A callable renders with the copy as its working folder (so relative opens read the copy
  too). The unmutated renders come from the copy too, so absolute paths never differ.
  The app's files are never touched. An HTTP generator is refused: its server reads its own files.

Both give the documents that may be edited (``(relative path, parsed data)``) and, for one edit, a
:class:`~comfy_contract.check.engine.Suite` whose generator sees it (:meth:`Workspace.applied`).
"""

from __future__ import annotations

import contextlib
import copy
import fnmatch
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import yaml

from comfy_contract.check.engine import Suite
from comfy_contract.core.errors import ComfyContractError
from comfy_contract.render.devserver.tree import Doc, Tree

__all__ = ["CopyWorkspace", "Names", "TreeWorkspace", "Workspace", "dump_document", "overlay", "tree_documents",
           "tree_names", "workspace_for"]

#: file suffixes an adapter app's configs may have (what ``hunt --mutate`` edits)
DATA_SUFFIXES = (".json", ".yaml", ".yml")
#: folders never copied (environments, caches, VCS)
_SKIP = frozenset({".venv", "venv", ".git", "__pycache__", ".tox", ".nox", ".comfy-contract", ".hypothesis",
                   ".mypy_cache", ".ruff_cache", ".pytest_cache", "node_modules"})
#: files bigger than this are linked into the copy, not copied (models, media: never edited)
_LINK_ABOVE = 2_000_000


@dataclass(frozen=True)
class Names:
    """Names an operator may swap a reference for, and which keys ``drop-key``/``recase-key`` edit
    (``keys=None``: every key - an adapter app's keys are not known)."""

    chunks: tuple[str, ...]
    pipelines: tuple[str, ...]
    configs: tuple[str, ...]
    keys: tuple[str, ...] | None = None

    def of(self, kind: str) -> tuple[str, ...]:
        return {"chunk": self.chunks, "pipeline": self.pipelines}.get(kind, self.configs)


class Workspace(Protocol):
    """What the mutation runner needs of an app's files."""

    kind: str
    #: the folder the documents' relative paths are relative to (the tree, or the copy of the project)
    root: Path
    #: the unmutated suite (renders from ``root``)
    suite: Suite
    #: the real folder of the app the relative paths name (``root`` may be a copy of it)
    origin: Path

    def documents(self) -> list[tuple[str, Mapping[str, Any]]]: ...

    def names(self, keys: tuple[str, ...]) -> Names: ...

    def applied(self, rel: str, data: Mapping[str, Any]) -> Any: ...  # a context manager yielding a Suite

    def text(self, rel: str, data: Mapping[str, Any] | None = None) -> str: ...

    def close(self) -> None: ...


def dump_document(rel: str, data: Mapping[str, Any]) -> str:
    """The text a document is written as (JSON with 2-space indent, or YAML), for the copy and for diffs."""
    plain = json.loads(json.dumps(data, default=_plain))
    if rel.endswith((".yaml", ".yml")):
        return yaml.safe_dump(plain, sort_keys=False, allow_unicode=True)
    return json.dumps(plain, indent=2, ensure_ascii=False) + "\n"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


# --- the DevServer tree: in memory -----------------------------------------------------------------------
class TreeWorkspace:
    kind = "devserver"

    def __init__(self, suite: Suite, tree: Tree) -> None:
        self.suite = suite
        self.tree = tree
        self.root = tree.root
        self.origin = tree.root

    def documents(self) -> list[tuple[str, Mapping[str, Any]]]:
        return tree_documents(self.tree)

    def names(self, keys: tuple[str, ...]) -> Names:
        return tree_names(self.tree, keys)

    @contextmanager
    def applied(self, rel: str, data: Mapping[str, Any]) -> Iterator[Suite]:
        gen = copy.copy(self.suite.generator)
        gen.tree = overlay(self.tree, rel, data)  # type: ignore[attr-defined]
        yield replace(self.suite, generator=gen)

    def text(self, rel: str, data: Mapping[str, Any] | None = None) -> str:
        if data is None:
            path = self.root / rel
            return path.read_text(encoding="utf-8") if path.is_file() else ""
        return dump_document(rel, data)

    def close(self) -> None:
        return None


def tree_documents(tree: Tree) -> list[tuple[str, Mapping[str, Any]]]:
    """The JSON documents of a DevServer tree: (path relative to the tree, data), sorted by path."""
    seen: dict[str, Mapping[str, Any]] = {}
    for doc in (*tree.configs.values(), *tree.pipelines.values(), *tree.chunks.values(),
                *([tree.defaults] if tree.defaults else [])):
        if doc.data is not None:
            seen.setdefault(doc.rel, doc.data)
    return [(k, seen[k]) for k in sorted(seen)]


def tree_names(tree: Tree, keys: tuple[str, ...] | None) -> Names:
    return Names(tuple(sorted(tree.chunks)), tuple(sorted(tree.pipelines)), tuple(sorted(tree.configs)), keys)


def overlay(tree: Tree, rel: str, data: Mapping[str, Any]) -> Tree:
    """``tree`` with the document at ``rel`` replaced by ``data`` (in memory)."""
    frozen: Mapping[str, Any] = MappingProxyType(dict(data))

    def swap(docs: Mapping[str, Doc]) -> Mapping[str, Doc]:
        if not any(d.rel == rel for d in docs.values()):
            return docs
        return MappingProxyType({k: (replace(d, data=frozen) if d.rel == rel else d) for k, d in docs.items()})
    defaults = tree.defaults
    if defaults is not None and defaults.rel == rel:
        defaults = replace(defaults, data=frozen)
    return replace(tree, configs=swap(tree.configs), pipelines=swap(tree.pipelines), chunks=swap(tree.chunks),
                   chunk_files=swap(tree.chunk_files), defaults=defaults)


# --- an adapter app: a temporary copy ---------------------------------------------------------------------
class CopyWorkspace:
    """A temporary copy of the project folder that the adapter renders from (see the module docstring).

    ``files``: globs (relative to the project folder) of data files to edit besides those the configs were
    seen to read (a ``cmd:`` adapter's reads are not observed: name its config files here).
    """

    kind = "adapter"

    def __init__(self, suite: Suite, source: Path, files: Sequence[str] = ()) -> None:
        self.source = source.resolve()
        #: the real folder the documents' relative paths name (``root`` is its temporary copy)
        self.origin = self.source
        self.globs = tuple(files)
        self._tmp = tempfile.TemporaryDirectory(prefix="comfy-contract-mutate-")
        self.root = Path(self._tmp.name).resolve() / self.source.name
        _copy_tree(self.source, self.root)
        self._original = suite.generator
        own = {Path(f).resolve() for f in suite.global_files}
        if suite.project_file:
            own.add(Path(suite.project_file).resolve())
        for store in (getattr(suite.snapshots, "directory", None), getattr(suite.contracts, "directory", None)):
            if store is not None:
                own.add(Path(store).resolve())
        self._own = tuple(self._in_copy(p) for p in own)
        self.suite = replace(suite, generator=self._generator())
        self._docs: dict[str, tuple[Mapping[str, Any], bytes]] | None = None

    def _in_copy(self, path: Path) -> Path:
        try:
            return self.root / path.relative_to(self.source)
        except ValueError:
            return path

    def _is_own(self, path: Path) -> bool:
        return any(path == o or o in path.parents for o in self._own)

    def _generator(self) -> Any:
        from comfy_contract.render.adapters import CallableGenerator, CommandGenerator

        gen = self._original
        if isinstance(gen, CallableGenerator):
            return _fresh_callable(gen, self.source, self.root)
        if isinstance(gen, CommandGenerator):
            new = copy.copy(gen)
            new.cwd = str(self.root)
            if gen.script is not None:
                new.script = str(self._in_copy(Path(gen.script)))
            return new
        raise ComfyContractError(  # pragma: no cover - workspace_for refuses other generators first
            f"hunt --mutate cannot edit the files of a {type(gen).__name__}")

    def candidates(self) -> list[str]:
        """Data files of the copy, relative to it: every JSON/YAML file outside comfy-contract's own files."""
        out: list[str] = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP)
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if name.endswith(DATA_SUFFIXES) and not path.is_symlink() and not self._is_own(path):
                    out.append(path.relative_to(self.root).as_posix())
        return out

    def matches(self, rel: str) -> bool:
        """Whether ``rel`` is named by one of the ``files`` globs."""
        return any(fnmatch.fnmatchcase(rel, g) for g in self.globs)

    def _load(self) -> dict[str, tuple[Mapping[str, Any], bytes]]:
        if self._docs is None:
            docs: dict[str, tuple[Mapping[str, Any], bytes]] = {}
            for rel in self.candidates():
                raw = (self.root / rel).read_bytes()
                try:
                    text = raw.decode("utf-8")
                    data = yaml.safe_load(text) if rel.endswith((".yaml", ".yml")) else json.loads(text)
                except (UnicodeDecodeError, ValueError, yaml.YAMLError):
                    continue  # not ours to parse: the app would fail on it too, an edit would tell nothing
                if isinstance(data, Mapping) and data:
                    docs[rel] = (MappingProxyType(dict(data)), raw)
            self._docs = docs
        return self._docs

    def documents(self) -> list[tuple[str, Mapping[str, Any]]]:
        return [(rel, data) for rel, (data, _raw) in sorted(self._load().items())]

    def names(self, keys: tuple[str, ...]) -> Names:
        try:
            configs = tuple(sorted(self.suite.generator.configs()))
        except ComfyContractError:
            configs = ()
        return Names((), (), configs, None)

    @contextmanager
    def applied(self, rel: str, data: Mapping[str, Any]) -> Iterator[Suite]:
        docs = self._load()
        if rel not in docs:
            raise ComfyContractError(f"{rel!r} is not a data file of the copied project")
        path = self.root / rel
        path.write_text(dump_document(rel, data), encoding="utf-8")  # a temporary copy: no fsync needed
        try:
            yield replace(self.suite, generator=self._generator())
        finally:
            path.write_bytes(docs[rel][1])

    def text(self, rel: str, data: Mapping[str, Any] | None = None) -> str:
        if data is None:
            return self._load()[rel][1].decode("utf-8") if rel in self._load() else ""
        return dump_document(rel, data)

    def close(self) -> None:
        close = getattr(self.suite.generator, "close", None)
        if callable(close):
            close()
        self._tmp.cleanup()


def _copy_tree(source: Path, target: Path) -> None:
    for dirpath, dirnames, filenames in os.walk(source):
        dirnames[:] = [d for d in dirnames if d not in _SKIP]
        here = Path(dirpath)
        out = target / here.relative_to(source)
        out.mkdir(parents=True, exist_ok=True)
        for name in filenames:
            src = here / name
            try:
                big = src.stat().st_size > _LINK_ABOVE
            except OSError:
                continue
            if big or src.is_symlink():
                (out / name).symlink_to(src.resolve())
            else:
                shutil.copy2(src, out / name)


def _under(file: Any, folder: Path) -> bool:
    """Whether a module's ``__file__`` lies under ``folder`` (a string prefix test: this runs for every module of
    the process on every mutant, so no ``Path.resolve``)."""
    if not isinstance(file, str):
        return False
    prefix = str(folder)
    return file.startswith(prefix) and file[len(prefix):len(prefix) + 1] in (os.sep, "/")


def _no_code_files() -> tuple[str, ...]:
    return ()


def _rendering_in(root: Path, render: Any) -> Any:
    """``render`` run with the copy as the working folder: an app that opens ``configs/x.json`` relative to the
    cwd reads the copy too (the CLI renders in one thread; the folder is restored after each render)."""

    def in_copy(config: str, mode: str, inputs: Any = None) -> Any:
        with contextlib.chdir(root):
            return render(config, mode, inputs)
    return in_copy


def _fresh_callable(gen: Any, source: Path, root: Path) -> Any:
    """``gen`` rebound to the copy: the function imported afresh from ``root`` (the app's modules under the
    project folder or the copy are set aside while importing and put back afterwards, so nothing else in the
    process - another generator, the pytest plugin - sees the copy's modules)."""
    from comfy_contract.render.adapters import _source_of, load_callable

    aside = {name: mod for name, mod in list(sys.modules.items())
             if _under(getattr(mod, "__file__", None), source) or _under(getattr(mod, "__file__", None), root)}
    for name in aside:
        del sys.modules[name]
    sys.path.insert(0, str(root))
    try:
        new = copy.copy(gen)
        new.base = root
        new.function = load_callable(gen.spec, base=root)
        new.entry = _source_of(new.function)
        # the app's modules as dependencies (``sources``) resolve every module of the process per render; the
        # mutation runner needs only the data files a render opened, so a copy's generator lists none
        new.code_files = _no_code_files
        setattr(new, "render", _rendering_in(root, new.render))  # noqa: B010 - an instance override
    finally:
        for name in [n for n, m in list(sys.modules.items()) if _under(getattr(m, "__file__", None), root)]:
            del sys.modules[name]
        sys.modules.update({k: v for k, v in aside.items() if _under(getattr(v, "__file__", None), source)})
        while str(root) in sys.path:
            sys.path.remove(str(root))
    return new


def workspace_for(suite: Suite, files: Sequence[str] = ()) -> Workspace:
    """The workspace for ``suite``'s generator; a usage error for one whose files cannot be edited."""
    from comfy_contract.render.adapters import CallableGenerator, CommandGenerator, HttpGenerator

    gen = suite.generator
    tree = getattr(gen, "tree", None)
    if isinstance(tree, Tree):
        if files:
            raise ComfyContractError("--mutate-files is for adapter apps; a DevServer tree's files are all known",
                                     hint="drop --mutate-files (or --config GLOB to narrow the files)")
        return TreeWorkspace(suite, tree)
    if isinstance(gen, CallableGenerator):
        return CopyWorkspace(suite, gen.base, files)
    if isinstance(gen, CommandGenerator):
        return CopyWorkspace(suite, Path(gen.cwd or Path.cwd()), files)
    if isinstance(gen, HttpGenerator):
        raise ComfyContractError(
            f"hunt --mutate cannot edit the files behind the HTTP generator {gen.url!r}: its server reads them",
            hint="for the mutation run, point `generator:` at the app's Python function (`callable:`) or a "
            "command (`command:`) that renders from the project folder (docs/fuzzing.md)")
    raise ComfyContractError(f"hunt --mutate cannot edit the files of a {type(gen).__name__} generator",
                             hint="use `layout: devserver`, a `callable:` or a `command:` generator")
