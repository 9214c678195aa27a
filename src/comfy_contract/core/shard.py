"""``--shard i/n``: split a project's configs over ``n`` machines, the same way on every machine.

A config belongs to shard ``1 + (first 8 bytes of SHA-256(its name, UTF-8) as an unsigned big-endian
integer) mod n``. The hash depends only on the name - not on Python's ``hash()`` (salted per process),
the platform, the order in which configs are listed or the other configs - so each shard of a CI matrix
picks its configs independently, every config is in exactly one shard, and adding a config never moves
another one. Shards are balanced statistically, not exactly (a small project may leave one empty).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from comfy_contract.core.errors import ComfyContractError

__all__ = ["Shard", "parse_shard", "shard_of"]

_SPEC = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def shard_of(name: str, count: int) -> int:
    """The shard (1 .. ``count``) that ``name`` belongs to."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()
    return 1 + int.from_bytes(digest[:8], "big") % count


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` of ``count`` (1-based, as written on the command line)."""

    index: int
    count: int

    def __post_init__(self) -> None:
        if not 1 <= self.index <= self.count:
            raise ValueError(f"shard {self.index}/{self.count}: need 1 <= i <= n")

    def owns(self, name: str) -> bool:
        return shard_of(name, self.count) == self.index

    def pick(self, names: Iterable[str]) -> tuple[str, ...]:
        """The names of this shard, in their order."""
        return tuple(n for n in names if self.owns(n))

    def describe(self, picked: int, total: int) -> str:
        """``"shard 2/4: 26 of 100 configs"``."""
        return f"shard {self}: {picked} of {total} configs"

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


def parse_shard(text: str, *, flag: str = "--shard") -> Shard:
    """``"2/4"`` -> ``Shard(2, 4)``; anything else is a usage error (exit 2) that says what is expected."""
    match = _SPEC.match(text)
    hint = f"pass {flag} I/N with 1 <= I <= N, e.g. {flag} 1/4 ... {flag} 4/4 on four machines"
    if match is None:
        raise ComfyContractError(f"{flag} {text!r} is not I/N", hint=hint)
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 1 <= index <= count:
        raise ComfyContractError(f"{flag} {text!r}: the shard number must be between 1 and {max(count, 1)}"
                                 if count >= 1 else f"{flag} {text!r}: the number of shards must be at least 1",
                                 hint=hint)
    return Shard(index, count)
