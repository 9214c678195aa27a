"""Reading and writing JSON files with errors a user can act on.

Decoding follows Python's ``json`` module, as ComfyUI's server does: ``NaN`` and ``Infinity`` tokens
are accepted. Errors name the file, line and column; never a traceback.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from comfy_contract.core.errors import InputError

__all__ = ["dumps", "escape_token", "json_pointer", "loads", "read_json", "thaw", "write_json_atomic"]


def loads(data: bytes | str, *, source: str) -> Any:
    """Decode JSON text from ``source`` (a path or a label) or raise :class:`InputError`."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError(
                source, f"not UTF-8 text (byte {exc.start}: {data[exc.start:exc.start + 1]!r})"
            ) from None
    else:
        text = data
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(source, "JSON nested too deeply to decode") from None


def read_json(path: str | Path) -> Any:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise InputError(str(path), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(path), "is a directory, not a JSON file") from None
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror}") from None
    return loads(data, source=str(path))


def dumps(value: Any, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """Encode like ComfyUI's server (``NaN``/``Infinity`` allowed, non-ASCII kept)."""
    return json.dumps(value, indent=indent, ensure_ascii=False, sort_keys=sort_keys)


def write_json_atomic(path: str | Path, value: Any, *, indent: int | None = 2) -> None:
    """Write ``value`` as JSON to ``path`` via a temporary file and a rename (never half-written)."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(dumps(value, indent=indent))
            fh.write("\n")
        os.replace(tmp, p)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def escape_token(token: object) -> str:
    """One JSON pointer reference token (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def json_pointer(*parts: object) -> str:
    """The JSON pointer of a path, e.g. ``json_pointer("4", "inputs", "ckpt_name")`` -> ``/4/inputs/ckpt_name``."""
    return "".join("/" + escape_token(p) for p in parts)


def thaw(value: Any) -> Any:
    """A plain (mutable, JSON-shaped) copy of read-only mappings and tuples."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [thaw(v) for v in value]
    return value
