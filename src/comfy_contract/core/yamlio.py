"""Reading the YAML files users write (contracts, baselines) with errors that name file and line.

Only PyYAML's safe loader is used. The document is composed once into nodes (which keep their
line marks) and constructed from them, so a JSON Schema error's path can be mapped to the line that
holds the offending key or value. Dates (``2026-12-31``) are read as strings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # jsonschema is imported when a schema is checked, not at start-up (~45 ms)
    from jsonschema import Draft202012Validator, ValidationError

from comfy_contract.core.errors import InputError
from comfy_contract.core.jsonio import json_pointer

__all__ = ["MAX_EXPANDED_NODES", "MAX_YAML_BYTES", "YamlDoc", "YamlProblem", "load_yaml", "schema_problems"]


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, except that dates stay strings (``2026-02-30`` is then a schema/date
    problem with a line instead of a crash while constructing)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class YamlProblem:
    """One problem in a YAML file: where (1-based line, JSON pointer) and what."""

    file: str
    line: int
    pointer: str
    message: str

    def __str__(self) -> str:
        where = f" {self.pointer}:" if self.pointer else ""
        return f"{self.file}:{self.line}:{where} {self.message}"


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML file: its data (plain JSON-like values) and its node tree for line lookups."""

    file: str
    data: Any
    root: yaml.Node | None

    def line_of(self, parts: Sequence[str | int], *, key: bool = False) -> int:
        """The 1-based line of the value at ``parts`` (of its key with ``key=True``); for a path that
        does not exist, the line of its deepest existing ancestor."""
        node = self.root
        line = 1 if node is None else node.start_mark.line + 1
        for i, part in enumerate(parts):
            found = _child(node, part)
            if found is None:
                break
            key_node, node = found
            last = i == len(parts) - 1
            line = ((key_node if key and last and key_node is not None else node).start_mark.line + 1)
        return line

    def problem(self, parts: Sequence[str | int], message: str, *, key: bool = False) -> YamlProblem:
        return YamlProblem(self.file, self.line_of(parts, key=key), pointer(parts), message)


def pointer(parts: Iterable[str | int]) -> str:
    return json_pointer(*parts)


def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node | None, yaml.Node] | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == str(part):
                return k, v
    elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


#: the most values a YAML file may stand for once its aliases are expanded. Contracts, baselines and spaces
#: hold hundreds; a "billion laughs" alias bomb of 431 bytes stands for hundreds of millions.
MAX_EXPANDED_NODES = 100_000
#: the largest YAML file read (PyYAML parses about a megabyte a second)
MAX_YAML_BYTES = 4 * 1024 * 1024
_DEEP_FLOW = re.compile(r"(?:[\[{][ \t\r\n]*){200}")


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes ``root`` stands for with every alias expanded; each distinct node is counted once
    (memoised), so this is linear in the file, not in the expansion. Stops early past the budget."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:
        known = sizes.get(id(node))
        if known is not None:
            return known
        sizes[id(node)] = MAX_EXPANDED_NODES + 1  # a cycle (a recursive alias) counts as too big
        total = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                total += size(k) + size(v)
                if total > MAX_EXPANDED_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                total += size(v)
                if total > MAX_EXPANDED_NODES:
                    break
        sizes[id(node)] = total
        return total

    return size(root)


def _duplicates(root: yaml.Node | None) -> list[tuple[list[str | int], int, str]]:
    """Repeated keys of every mapping node, each node visited once (an alias is not walked again)."""
    out: list[tuple[list[str | int], int, str]] = []
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node | None, list[str | int]]] = [(root, [])]
    while stack:
        node, path = stack.pop()
        if node is None or id(node) in seen_nodes:
            continue
        seen_nodes.add(id(node))
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            children: list[tuple[yaml.Node | None, list[str | int]]] = []
            for k, v in node.value:
                name = k.value if isinstance(k, yaml.ScalarNode) else None
                if name is not None and name in seen:
                    out.append(([*path, name], k.start_mark.line + 1, name))
                if name is not None:
                    seen.add(name)
                children.append((v, [*path, name if name is not None else "?"]))
            stack.extend(reversed(children))  # visited in file order: a node is reported where it is written
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(reversed([(v, [*path, i]) for i, v in enumerate(node.value)]))
    return sorted(out, key=lambda item: item[1])


def load_yaml(path: str | Path, *, label: str | None = None) -> tuple[YamlDoc | None, list[YamlProblem]]:
    """Parse one YAML file. Returns the document (``None`` if it cannot be parsed) and its problems
    (syntax errors, duplicate keys), each with a line. ``label`` is the file name used in messages.

    Bounded: files over :data:`MAX_YAML_BYTES`, nesting deeper than Python's stack and aliases that expand
    to more than :data:`MAX_EXPANDED_NODES` values are problems, found in time linear in the file."""
    file = label or str(path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise InputError(file, "no such file") from None
    except IsADirectoryError:
        raise InputError(file, "is a folder, not a YAML file") from None
    except OSError as exc:
        raise InputError(file, f"cannot read: {exc.strerror or exc}") from None
    if len(raw) > MAX_YAML_BYTES:
        return None, [YamlProblem(file, 1, "", f"larger than {MAX_YAML_BYTES // (1024 * 1024)} MiB; not read")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(file, f"cannot read: not UTF-8 text (byte {exc.start})") from None
    if _DEEP_FLOW.search(text):  # PyYAML's scanner is quadratic in flow nesting: refuse before it starts
        return None, [YamlProblem(file, 1, "", "not valid YAML: nested too deeply (200 or more [ or { in a row)")]
    try:
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            if root is not None and _expanded_size(root) > MAX_EXPANDED_NODES:
                return None, [YamlProblem(
                    file, 1, "", f"its anchors and aliases expand to more than {MAX_EXPANDED_NODES:,} values "
                    "(an alias bomb, or an alias inside itself?); write the values out or use fewer aliases")]
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        return None, [YamlProblem(file, line, "", f"not valid YAML: {what}")]
    except yaml.YAMLError as exc:
        return None, [YamlProblem(file, 1, "", f"not valid YAML: {exc}")]
    except RecursionError:
        return None, [YamlProblem(file, 1, "", "not valid YAML: nested too deeply")]
    problems = [YamlProblem(file, line, pointer(p), f"duplicate key {name!r} (the last one would silently win)")
                for p, line, name in _duplicates(root)]
    return YamlDoc(file, data, root), problems


def _specific(err: ValidationError) -> tuple[int, int]:
    """Prefer the deepest error, then the one whose schema expected this type (not a type mismatch)."""
    return -len(err.absolute_path), 0 if err.validator == "type" else 1


def _error_parts(err: ValidationError) -> tuple[list[str | int], str, bool]:
    """The path, message and whether the path names a key, for the most useful part of ``err``."""
    if err.context:
        from jsonschema.exceptions import best_match

        deeper = best_match(err.context, key=_specific)
        if deeper is not None:
            err = deeper
    parts: list[str | int] = list(err.absolute_path)
    if "propertyNames" in list(err.absolute_schema_path) and isinstance(err.instance, str):
        return [*parts, err.instance], f"key {err.instance!r}: {err.message}", True
    if err.validator == "additionalProperties" and isinstance(err.instance, Mapping):
        allowed = set(err.schema.get("properties", {})) if isinstance(err.schema, Mapping) else set()
        extra = sorted(str(k) for k in err.instance if k not in allowed)
        if extra:
            known = ", ".join(sorted(allowed))
            return [*parts, extra[0]], f"unknown key {extra[0]!r} (allowed here: {known})", True
    return parts, err.message, False


def schema_problems(doc: YamlDoc, validator: Draft202012Validator, *, schema_name: str) -> list[YamlProblem]:
    """``doc``'s JSON Schema violations, one per error, in file order, each with its line."""
    out = []
    for err in validator.iter_errors(doc.data):
        parts, message, is_key = _error_parts(err)
        out.append(doc.problem(parts, f"{message} (schema {schema_name})", key=is_key))
    return sorted(set(out), key=lambda p: (p.line, p.pointer, p.message))
