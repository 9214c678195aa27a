"""A cache of parsed backend catalogs, so ``check`` does not re-read and re-parse ~1 MB of ``/object_info`` JSON
on every start (merging and ``without_models`` included: ~90 ms per start for the sample project).

An entry is one backend's finished :class:`~comfy_contract.validation.catalog.Catalog`, keyed by the package
version, the backend's ``without_models``, and each catalog file's resolved path, size, modification and change
times (ns) and inode: editing, replacing or touching a catalog file misses the cache. Entries live in the user's
cache folder (``$COMFY_CONTRACT_CACHE_DIR``, else ``$XDG_CACHE_HOME/comfy-contract``, else ``~/.cache/comfy-contract``),
never in the repository, and are used only when that folder belongs to the current user and nobody else can
write to it. They are pickles read by an unpickler that can build nothing but catalog values (the classes of
``validation.catalog``, a read-only mapping, an era by its id), written atomically as base64 text
(``core.jsonio``); an entry that cannot be read or built is ignored and rewritten.

The same folder remembers which project files passed their JSON Schema (an empty file named by the SHA-256 of
the schema and the file's parsed content), so an unchanged project file is not checked again and jsonschema is
not imported at start-up. ``COMFY_CONTRACT_CACHE_DIR=none`` turns both off.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import io
import os
import pickle
import stat
from collections.abc import Callable, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from comfy_contract.core.jsonio import write_text_atomic
from comfy_contract.core.version import __version__
from comfy_contract.validation import catalog as catalog_module
from comfy_contract.validation import eras as eras_module
from comfy_contract.validation.catalog import Catalog
from comfy_contract.validation.eras import ERAS, Era, get_era

__all__ = ["ENV_CACHE_DIR", "cache_dir", "cached_catalog", "checked_before", "remember_checked"]

ENV_CACHE_DIR = "COMFY_CONTRACT_CACHE_DIR"
_FORMAT = 1  # bump when the pickled shape changes


def cache_dir(kind: str = "catalogs") -> Path | None:
    """The cache folder of ``kind`` (created ``0700`` if missing), or ``None`` when caching is off or the folder
    is unsafe."""
    env = os.environ.get(ENV_CACHE_DIR)
    if env is not None and env.strip().lower() in ("", "none", "off", "0"):
        return None
    if env:
        folder = Path(env)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        folder = Path(base) / "comfy-contract"
    folder = folder / kind
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return None
    if hasattr(os, "getuid") and info.st_uid != os.getuid():
        return None
    return folder


def _proxy(data: dict[str, Any]) -> MappingProxyType[str, Any]:
    return MappingProxyType(data)


def _era(era_id: str) -> Era:
    return get_era(era_id)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is MappingProxyType:
            return _proxy, (dict(obj),)
        if isinstance(obj, Era):
            return _era, (obj.id,)
        return NotImplemented


#: the only globals an entry may name: the catalog's value classes and the two builders above
_ALLOWED: dict[tuple[str, str], Any] = {
    (__name__, "_proxy"): _proxy,
    (__name__, "_era"): _era,
    **{(catalog_module.__name__, name): getattr(catalog_module, name) for name in ("Catalog", "NodeSpec", "InputSpec")},
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a cached catalog")
        return found


def _shape() -> str:
    """What an entry was built by, beyond the release: the value classes' fields and the source of the code that
    builds catalogs and chooses their era, so that a development checkout whose catalog code changed (same version
    number) misses instead of reading stale values (a stale era or reason)."""
    digest = hashlib.sha256()
    for cls in (Catalog, catalog_module.NodeSpec, catalog_module.InputSpec):
        digest.update(",".join(f.name for f in dataclasses.fields(cls)).encode())
    sources = [Path(catalog_module.__file__), *sorted(Path(eras_module.__file__).parent.glob("*.py"))]
    for source in sources:
        with contextlib.suppress(OSError):
            digest.update(source.read_bytes())
    digest.update(repr([(e.id, e.versions) for e in ERAS.values()]).encode())
    return "shape " + digest.hexdigest()


_SHAPE = _shape()


def _key(files: Sequence[Path], without: Sequence[str], name: str) -> str | None:
    parts: list[str] = [f"format {_FORMAT}", f"comfy-contract {__version__}", f"name {name}",
                        "without " + "\x00".join(without), _SHAPE]
    try:
        for file in files:
            real = file.resolve()
            info = real.stat()
            parts.append(f"{real}\x00{info.st_size}\x00{info.st_mtime_ns}\x00{info.st_ctime_ns}\x00{info.st_ino}")
    except OSError:
        return None  # a missing catalog: the loader reports it
    return hashlib.sha256("\x01".join(parts).encode("utf-8", "surrogatepass")).hexdigest()


def cached_catalog(files: Sequence[Path], without: Sequence[str], name: str, build: Callable[[], Catalog]) -> Catalog:
    """The catalog ``build()`` makes from ``files``, from the cache when the files are unchanged."""
    folder = cache_dir()
    key = _key(files, without, name) if folder is not None else None
    if folder is None or key is None:
        return build()
    entry = folder / f"{key}.b64"
    try:
        found = _Unpickler(io.BytesIO(base64.b64decode(entry.read_bytes(), validate=True))).load()
        if isinstance(found, Catalog):
            return found
    except Exception:  # missing, corrupt or foreign: a miss, never an error
        pass
    catalog = build()
    try:
        buffer = io.BytesIO()
        _Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(catalog)
        # the one atomic writer (core.jsonio) writes text: the pickle goes in as base64
        write_text_atomic(entry, base64.b64encode(buffer.getvalue()).decode("ascii"))
    except Exception:  # a cache that cannot be written is only slower
        pass
    return catalog



# -- files already checked against a schema ------------------------------------------------------------------
def _checked_key(data: bytes, schema: str) -> str:
    from comfy_contract.core.schemas import data_dir

    digest = hashlib.sha256()
    for part in (f"format {_FORMAT}", f"comfy-contract {__version__}", schema):
        digest.update(part.encode("utf-8") + b"\x00")
    digest.update((data_dir("schemas") / schema).read_bytes())
    digest.update(b"\x00" + data)
    return digest.hexdigest()


def checked_before(data: bytes, schema: str) -> bool:
    """Whether this exact file content (``data``) passed ``schema`` before (then jsonschema need not be
    imported: ~45 ms, plus ~50 ms to check the schema and the file, at every start)."""
    folder = cache_dir("checked")
    try:
        return folder is not None and (folder / _checked_key(data, schema)).is_file()
    except OSError:
        return False


def remember_checked(data: bytes, schema: str) -> None:
    """Record that ``data`` passed ``schema`` (an empty marker file named by the hash of both)."""
    folder = cache_dir("checked")
    if folder is None:
        return
    with contextlib.suppress(Exception):  # a cache that cannot be written is only slower
        write_text_atomic(folder / _checked_key(data, schema), "")
