"""Reading and writing JSON files with errors a user can act on.

Decoding follows Python's ``json`` module, as ComfyUI's server does: ``NaN`` and ``Infinity`` tokens
are accepted. Errors name the file, line and column; never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from comfy_contract.core.errors import InputError

__all__ = [
    "MAX_DEPTH",
    "check_depth",
    "check_writable_target",
    "clean_stale_temps",
    "dumps",
    "ensure_writable_folder",
    "escape_token",
    "json_pointer",
    "loads",
    "read_json",
    "thaw",
    "write_json_atomic",
    "write_text_atomic",
]


#: deepest nesting of objects and arrays accepted from any JSON input. Real workflows, catalogs and
#: snapshots nest fewer than 20 levels; deeper documents would only reach Python's recursion limit later.
MAX_DEPTH = 200


def check_depth(value: Any, *, source: str, max_depth: int = MAX_DEPTH) -> Any:
    """``value`` if its objects and arrays nest at most ``max_depth`` levels, else :class:`InputError`."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item
        for child in children:
            if isinstance(child, dict | list):
                if depth >= max_depth:
                    raise InputError(source, f"JSON nested deeper than {max_depth} levels",
                                     hint="no workflow, catalog or snapshot nests that deep")
                stack.append((child, depth + 1))
    return value


def loads(data: bytes | str, *, source: str, max_depth: int = MAX_DEPTH) -> Any:
    """Decode JSON text from ``source`` (a path or a label) or raise :class:`InputError`; objects and arrays
    may nest at most ``max_depth`` levels."""
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
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(source, f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        raise InputError(source, f"JSON nested deeper than {max_depth} levels") from None
    if isinstance(value, dict | list):
        check_depth(value, source=source, max_depth=max_depth)
    return value


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
    """Write ``value`` as JSON to ``path`` atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, dumps(value, indent=indent) + "\n")


#: temporary files of a write: ``.NAME.PID.RANDOM.tmp`` next to the target
_TMP_PREFIX = "."
_STALE_AFTER_S = 24 * 3600


def _umask() -> int:
    old = os.umask(0o022)
    os.umask(old)
    return old


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True
    return True


def clean_stale_temps(target: Path) -> None:
    """Delete leftovers of interrupted writes of ``target`` (``kill -9`` between create and rename): temporary
    files whose writer process is gone, or that are older than a day."""
    prefix = f"{_TMP_PREFIX}{target.name}."
    try:
        siblings = [p for p in target.parent.iterdir() if p.name.startswith(prefix) and p.name.endswith(".tmp")]
    except OSError:
        return
    now = time.time()
    for tmp in siblings:
        pid_text = tmp.name[len(prefix):].split(".", 1)[0]
        try:
            st = tmp.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(st.st_mode):
            continue
        gone = pid_text.isdigit() and int(pid_text) != os.getpid() and not _pid_alive(int(pid_text))
        if gone or not pid_text.isdigit() or now - st.st_mtime > _STALE_AFTER_S:
            with contextlib.suppress(OSError):
                tmp.unlink()


def check_writable_target(path: str | Path) -> Path:
    """``path`` if a write may replace it: it does not exist or is a regular file. A symbolic link, a
    device, a pipe or a folder is refused with an :class:`InputError` (a write would replace it)."""
    p = Path(path)
    try:
        st = p.lstat()
    except FileNotFoundError:
        return p
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror}") from None
    if stat.S_ISLNK(st.st_mode):
        raise InputError(str(path), "is a symbolic link; refusing to replace it with a file",
                         hint="write to the file it points to, or remove the link first")
    if stat.S_ISDIR(st.st_mode):
        raise InputError(str(path), "is a folder, not a file")
    if not stat.S_ISREG(st.st_mode):
        raise InputError(str(path), "is not a regular file (a device, pipe or socket); refusing to replace it",
                         hint="write to a regular file; without an output option the result goes to standard output")
    return p


def ensure_writable_folder(path: str | Path, *, what: str = "output folder") -> Path:
    """Create ``path`` if needed and prove a file can be written in it (before a long run that would
    otherwise lose its results at the end). An :class:`InputError` names the folder otherwise."""
    folder = Path(path)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=f"{_TMP_PREFIX}probe.{os.getpid()}.", suffix=".tmp", dir=folder)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise InputError(str(path), f"the {what} is not writable: {exc.strerror or exc}",
                         hint="choose a writable folder before the run spends its budget") from None
    return folder


def write_text_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` so that a reader sees the old file or the new one, never half of one.

    A temporary file in the same folder is written, fsynced and renamed over the target; the target's
    permission bits are kept (a new file gets the umask's). Anything that is not a regular file (a symbolic
    link, a device such as ``/dev/full``, a folder) is refused, not replaced. Temporary files left by a
    killed writer are cleaned up. Lone surrogates (valid in JSON ``\\ud800`` escapes) are written as the
    same ``\\ud800`` escape. Failures are :class:`InputError` naming the file.
    """
    p = check_writable_target(path)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(str(path), f"cannot create its folder: {exc.strerror}") from None
    clean_stale_temps(p)
    try:
        mode = stat.S_IMODE(p.stat().st_mode)
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    data = text.encode("utf-8", "backslashreplace")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f"{_TMP_PREFIX}{p.name}.{os.getpid()}.", suffix=".tmp", dir=p.parent)
    except OSError as exc:
        raise InputError(str(path), f"cannot write: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        check_writable_target(p)  # still not a link/device (no swap between the check and the rename)
        os.replace(tmp, p)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(str(path), f"cannot write: {exc.strerror or exc}") from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(p.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


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
