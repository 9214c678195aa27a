"""An advisory lock between comfy-contract processes that write the same files (snapshots, a baseline).

Two ``snapshot update`` runs at once used to race: both read "missing", both wrote, the last writer won and
each reported what it thought it did. Writers now take ``flock`` on the folder they write into (the folder
itself: no lock file is left in a repository) and do their read-compare-write under it; a second process
waits (up to ``COMFY_CONTRACT_LOCK_WAIT`` seconds, default 60) and then refuses with a clear message. POSIX
only: where ``fcntl`` does not exist (Windows) the lock is a no-op.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

from comfy_contract.core.errors import ComfyContractError

__all__ = ["ENV_WAIT", "LockBusy", "folder_lock"]

ENV_WAIT = "COMFY_CONTRACT_LOCK_WAIT"
_DEFAULT_WAIT_S = 60.0

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class LockBusy(ComfyContractError):
    """Another process holds the lock for longer than this one waits."""


def _wait_s() -> float:
    try:
        return max(0.0, float(os.environ.get(ENV_WAIT, _DEFAULT_WAIT_S)))
    except ValueError:
        return _DEFAULT_WAIT_S


@contextlib.contextmanager
def folder_lock(folder: str | Path, *, what: str) -> Iterator[None]:
    """Hold an exclusive lock on ``folder`` (created if needed) while the block runs. ``what`` names what is
    protected in the refusal message (e.g. ``"the snapshots in DIR"``). Not re-entrant: a process that
    takes it twice waits for itself."""
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    path = Path(folder)
    try:
        path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise ComfyContractError(f"cannot lock the folder {str(path)!r}: {exc.strerror or exc}") from None
    try:
        deadline = time.monotonic() + _wait_s()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(f"another comfy-contract process is writing {what}; waited {_wait_s():g} s",
                                   hint=f"wait for it to finish, or set {ENV_WAIT}=SECONDS to wait longer") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
