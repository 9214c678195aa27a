"""The order in which a ComfyUI server started with ``PYTHONHASHSEED=0`` iterates its Python sets of strings.

ComfyUI's ``validate_prompt`` collects the output node ids in a ``set`` and ``validate_inputs`` walks a
node's inputs as ``set(required).union(set(optional))``; which nodes report an error can depend on that
order (reference §2.x). The validator follows one documented order: that of CPython 3.11 with
``PYTHONHASHSEED=0`` (hash randomisation off), the way ``scripts/reference-comfyui`` starts its servers.
This module reimplements just enough of CPython for that: ``str`` hashing (SipHash-1-3 with a zero key
over the string's PEP 393 storage, ``Python/pyhash.c``) and the open-addressing layout of a set of
distinct strings built by ``set.add``, ``set(dict)`` and ``set.union`` (``Objects/setobject.c``: linear
probes of 9, perturbation shift 5, resizes at 3/5 fill). No deletions happen, so there are no dummies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

__all__ = ["set_order", "str_hash", "union_order"]

_M64 = (1 << 64) - 1
_LINEAR_PROBES = 9
_PERTURB_SHIFT = 5
_MINSIZE = 8


def _siphash13(data: bytes) -> int:
    """SipHash-1-3 with k0 = k1 = 0, as CPython's ``siphash13`` (one compression, three finalisation rounds;
    the rounds are written out: this runs once per distinct input name of a catalog)."""
    m64 = _M64
    v0, v1, v2, v3 = 0x736F6D6570736575, 0x646F72616E646F6D, 0x6C7967656E657261, 0x7465646279746573
    size = len(data)
    full = size - size % 8
    words = [int.from_bytes(data[i:i + 8], "little") for i in range(0, full, 8)]
    words.append(((size & 0xFF) << 56) | int.from_bytes(data[full:], "little"))
    rounds = [1] * len(words) + [3]
    for m, count in zip([*words, None], rounds, strict=True):
        if m is not None:
            v3 ^= m
        else:
            v2 ^= 0xFF
        for _ in range(count):
            v0 = (v0 + v1) & m64
            v2 = (v2 + v3) & m64
            v1 = (((v1 << 13) | (v1 >> 51)) & m64) ^ v0
            v3 = (((v3 << 16) | (v3 >> 48)) & m64) ^ v2
            v0 = ((v0 << 32) | (v0 >> 32)) & m64
            v2 = (v2 + v1) & m64
            v0 = (v0 + v3) & m64
            v1 = (((v1 << 17) | (v1 >> 47)) & m64) ^ v2
            v3 = (((v3 << 21) | (v3 >> 43)) & m64) ^ v0
            v2 = ((v2 << 32) | (v2 >> 32)) & m64
        if m is not None:
            v0 ^= m
    return (v0 ^ v1) ^ (v2 ^ v3)


@lru_cache(maxsize=8192)
def str_hash(text: str) -> int:
    """``hash(text)`` in a CPython >= 3.11 run with ``PYTHONHASHSEED=0``, as the unsigned ``size_t`` the set
    code uses (``-1`` is never a hash: it becomes ``-2``)."""
    if not text:
        return 0
    widest = max(map(ord, text))
    data = text.encode("latin-1" if widest < 0x100 else "utf-16-le" if widest < 0x10000 else "utf-32-le")
    value = _siphash13(data)
    return (-2) & _M64 if value == _M64 else value


class _Table:
    """A CPython set's hash table holding distinct strings (no dummies)."""

    def __init__(self) -> None:
        self.mask = _MINSIZE - 1
        self.slots: list[tuple[int, str] | None] = [None] * _MINSIZE
        self.used = 0

    def _clean_slot(self, slots: list[tuple[int, str] | None], mask: int, h: int) -> int:
        perturb = h
        i = h & mask
        while True:
            if slots[i] is None:
                return i
            if i + _LINEAR_PROBES <= mask:
                for j in range(1, _LINEAR_PROBES + 1):
                    if slots[i + j] is None:
                        return i + j
            perturb >>= _PERTURB_SHIFT
            i = (i * 5 + 1 + perturb) & mask

    def resize(self, minused: int) -> None:
        size = _MINSIZE
        while size <= minused:
            size <<= 1
        if size == _MINSIZE and self.mask == _MINSIZE - 1:
            return  # CPython keeps its small table as it is
        old = self.slots
        self.mask = size - 1
        self.slots = [None] * size
        for entry in old:
            if entry is not None:
                self.slots[self._clean_slot(self.slots, self.mask, entry[0])] = entry

    def add(self, key: str, h: int) -> None:
        mask = self.mask
        perturb = h
        i = h & mask
        while True:
            probes = _LINEAR_PROBES if i + _LINEAR_PROBES <= mask else 0
            for j in range(probes + 1):
                entry = self.slots[i + j]
                if entry is None:
                    self.slots[i + j] = (h, key)
                    self.used += 1
                    if self.used * 5 >= mask * 3:
                        self.resize(self.used * 4 if self.used <= 50000 else self.used * 2)
                    return
                if entry[0] == h and entry[1] == key:
                    return
            perturb >>= _PERTURB_SHIFT
            i = (i * 5 + 1 + perturb) & mask

    def update_from_keys(self, keys: Sequence[str]) -> None:
        """``set_update_internal`` with a dict: one resize up front, then ``add`` in key order."""
        if (self.used + len(keys)) * 5 >= self.mask * 3:
            self.resize((self.used + len(keys)) * 2)
        for key in keys:
            self.add(key, str_hash(key))

    def merge(self, other: _Table) -> None:
        """``set_merge``: copy an equal-sized table slot by slot into an empty one, else insert in slot order."""
        if other.used == 0:
            return
        if (self.used + other.used) * 5 >= self.mask * 3:
            self.resize((self.used + other.used) * 2)
        if self.used == 0:
            if self.mask == other.mask:
                self.slots = list(other.slots)
            else:
                for entry in other.slots:
                    if entry is not None:
                        self.slots[self._clean_slot(self.slots, self.mask, entry[0])] = entry
            self.used = other.used
            return
        for entry in other.slots:
            if entry is not None:
                self.add(entry[1], entry[0])

    def order(self) -> list[str]:
        return [entry[1] for entry in self.slots if entry is not None]


def set_order(keys: Iterable[str]) -> list[str]:
    """Iteration order of ``s = set(); s.add(k) for k in keys`` (ComfyUI's ``outputs``)."""
    table = _Table()
    for key in keys:
        table.add(key, str_hash(key))
    return table.order()


def union_order(required: Sequence[str], optional: Sequence[str]) -> list[str]:
    """Iteration order of ``set(required_dict).union(set(optional_dict))`` (``validate_inputs``)."""
    first = _Table()
    first.update_from_keys(required)
    second = _Table()
    second.update_from_keys(optional)
    result = _Table()
    result.merge(first)
    result.merge(second)
    return result.order()
