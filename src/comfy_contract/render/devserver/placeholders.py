"""``{{PLACEHOLDER}}`` substitution the way the DevServer does it: one name after another, ``str(value)``.

The app walks its placeholder table in order and replaces each ``{{NAME}}`` with ``str(value)``. Text
inserted for one name is therefore searched again for the names after it (the "second substitution"),
and a name it does not know stays as the literal ``{{NAME}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["PLACEHOLDER", "Filled", "fill", "find_cycles", "names_in", "sole_placeholder"]

PLACEHOLDER = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


def names_in(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def sole_placeholder(value: Any) -> str | None:
    """``"WIDTH"`` for ``"{{WIDTH}}"``; ``None`` unless the whole value is exactly one placeholder."""
    if isinstance(value, str):
        match = PLACEHOLDER.fullmatch(value)
        if match:
            return match.group(1)
    return None


@dataclass(frozen=True)
class Filled:
    """The result of filling one template."""

    value: Any
    used: tuple[str, ...] = ()  # names substituted, in order
    resubstituted: tuple[str, ...] = ()  # names found only in text inserted for an earlier name
    stringified: bool = False  # a whole-placeholder template turned a non-string into a string

    @property
    def unresolved(self) -> list[str]:
        return names_in(self.value) if isinstance(self.value, str) else []


def fill(template: Any, table: Mapping[str, Any], *, typed: bool = False) -> Filled:
    """Fill ``template`` from ``table`` (insertion order = the app's order).

    With ``typed`` (the corrected semantics) a template that is exactly one known placeholder takes
    the value with its type; otherwise every value is inserted as ``str(value)``, as the app did.
    """
    if not isinstance(template, str):
        return Filled(template)
    sole = sole_placeholder(template)
    if typed and sole is not None and sole in table:
        return Filled(table[sole], used=(sole,))
    original = set(names_in(template))
    text = template
    used: list[str] = []
    again: list[str] = []
    for name, value in table.items():
        token = "{{" + name + "}}"
        if token not in text:
            continue
        (used if name in original else again).append(name)
        text = text.replace(token, str(value))
    stringified = sole is not None and sole in table and not isinstance(table[sole], str)
    return Filled(text, tuple(used), tuple(again), stringified)


def find_cycles(table: Mapping[str, Any]) -> list[list[str]]:
    """Cycles among placeholder values that name other placeholders (``A -> B -> A``), each once."""
    edges = {
        name: [n for n in names_in(value) if n in table] for name, value in table.items() if isinstance(value, str)
    }
    cycles: list[list[str]] = []
    seen: set[frozenset[str]] = set()

    def walk(node: str, path: list[str]) -> None:
        for nxt in edges.get(node, []):
            if nxt in path:
                cycle = path[path.index(nxt):]
                key = frozenset(cycle)
                if key not in seen:
                    seen.add(key)
                    cycles.append([*cycle, nxt])
            elif len(path) < len(edges):
                walk(nxt, [*path, nxt])

    for start in edges:
        walk(start, [start])
    return cycles
