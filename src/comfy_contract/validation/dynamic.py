"""v3 dynamic inputs (ComfyUI Dec 2025 on): the declared inputs of one node, expanded from what it sends.

A v3 node declares an autogrow list, a dynamic combo, a dynamic slot or a dynamic group as a single
``/object_info`` input; which inputs the server then validates depends on the node's own ``inputs``
(dotted keys such as ``"images.image0"`` or ``"mode.strength"``). This is a re-implementation, from the
source cited in :mod:`~comfy_contract.validation.eras.era_2026`, of ``get_finalized_class_inputs`` and
each type's ``_expand_schema_for_dynamic``. The result keeps the server's insertion order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DYNAMIC_TYPES", "DynamicInputError", "Expanded", "expand"]

AUTOGROW = "COMFY_AUTOGROW_V3"
DYNAMIC_COMBO = "COMFY_DYNAMICCOMBO_V3"
DYNAMIC_SLOT = "COMFY_DYNAMICSLOT_V3"
DYNAMIC_GROUP = "COMFY_DYNAMICGROUP_V3"
_GROUP_MAX_ROWS = 20


class DynamicInputError(ValueError):
    """The node's keys do not fit a dynamic group: the server reports ``invalid_dynamic_input``."""

    def __init__(self, input_name: str, message: str) -> None:
        super().__init__(message)
        self.input_name = input_name


@dataclass
class Expanded:
    required: dict[str, Any]
    optional: dict[str, Any]
    #: ComfyUI's ``v3_data`` is non-empty: ``required_input_missing`` details then name only the last
    #: dotted segment of the input
    has_v3_data: bool = False


class _Out:
    def __init__(self) -> None:
        self.groups: dict[str, dict[str, Any]] = {"required": {}, "optional": {}}
        self.paths: dict[str, str] = {}
        self.defaults: dict[str, str] = {}


def _finalize(prefix: list[str] | None, name: str | None = None) -> str:
    if prefix is None:
        assert name is not None
        return name
    return ".".join([*prefix, name] if name is not None else prefix)


def _parse(out: _Out, live: Mapping[str, Any], current: Mapping[str, Any], prefix: list[str] | None) -> None:
    for category, inner in current.items():
        for name, value in inner.items():
            io_type = value[0]
            if isinstance(io_type, str) and io_type in _EXPANDERS:
                _EXPANDERS[io_type](out, live, value, category, (prefix or []) + [name])
            else:
                final = _finalize(prefix, name)
                out.groups[category][final] = value
                if prefix:
                    out.paths[final] = final


def _autogrow(out: _Out, live: Mapping[str, Any], value: Any, category: str, prefix: list[str]) -> None:
    template = value[1]["template"]
    if "names" in template:
        low, names = template["min"], template["names"]
    else:
        low, high, stem = template["min"], template["max"], template["prefix"]
        names = [f"{stem}{i}" for i in range(high)]
    template_input = None
    template_required = True
    for group, inputs in template["input"].items():
        if len(inputs) == 0:
            continue
        template_input = next(iter(inputs.values()))
        template_required = group == "required"
        break
    if template_input is None:
        raise Exception("template_input could not be determined from required or optional; this should never happen.")
    present: dict[str, dict[str, Any]] = {}
    added = False
    for i, name in enumerate(names):
        expected = _finalize(prefix, name)
        group = "required" if i < low and template_required else "optional"
        out.groups[group][expected] = template_input
        slot = present.setdefault(group, {})
        if expected in live:
            slot[name] = template_input
            added = True
    if not added:
        final = _finalize(prefix)
        out.paths[final] = final
        out.defaults[final] = "empty_dict"
    _parse(out, live, present, prefix)


def _dynamic_combo(out: _Out, live: Mapping[str, Any], value: Any, category: str, prefix: list[str]) -> None:
    final = _finalize(prefix)
    if final not in live:
        return  # no selector: nothing is added, not even the selector (fails at execution, not here)
    key = live[final]
    for option in value[1]["options"]:
        if option["key"] == key:
            _parse(out, live, option["inputs"], prefix)
            out.groups[category][final] = value
            out.paths[final] = _finalize(prefix, prefix[-1])
            return


def _dynamic_slot(out: _Out, live: Mapping[str, Any], value: Any, category: str, prefix: list[str]) -> None:
    final = _finalize(prefix)
    if final in live:
        _parse(out, live, value[1]["inputs"], prefix)
        out.groups[category][final] = value
        out.paths[final] = _finalize(prefix, prefix[-1])


def _dynamic_group(out: _Out, live: Mapping[str, Any], value: Any, category: str, prefix: list[str]) -> None:
    info = value[1]
    min_rows = info.get("min", 0)
    max_rows = info.get("max", _GROUP_MAX_ROWS)
    template = info.get("template", {})
    fields = {fid: (spec, group) for group in ("required", "optional") for fid, spec in template.get(group, {}).items()}
    final = _finalize(prefix)
    stem = final + "."
    rows: set[int] = set()
    for key in live:
        if not key.startswith(stem):
            continue
        index, separator, field_id = key[len(stem):].partition(".")
        if (not separator or not index.isascii() or not index.isdecimal()
                or (len(index) > 1 and index.startswith("0")) or field_id not in fields):
            raise DynamicInputError(
                key, f"Invalid DynamicGroup input key '{key}'; expected '{final}.<index>.<template field>'.")
        row = int(index)
        if row >= max_rows:
            raise DynamicInputError(
                key, f"DynamicGroup input '{key}' exceeds the index limit of {max_rows - 1} (max={max_rows}).")
        rows.add(row)
    if not min_rows <= len(rows) <= max_rows:
        raise DynamicInputError(
            final,
            f"DynamicGroup input '{final}' received {len(rows)} rows; expected between {min_rows} and {max_rows}.")
    for row in range(max(rows, default=-1) + 1):
        for field_id, (spec, group) in fields.items():
            slot = f"{final}.{row}.{field_id}"
            if row in rows:
                out.groups[group][slot] = spec
            out.paths[slot] = slot
    if not rows:
        out.paths[final] = final
        out.defaults[final] = "empty_list"


_EXPANDERS: dict[str, Callable[[_Out, Mapping[str, Any], Any, str, list[str]], None]] = {
    AUTOGROW: _autogrow,
    DYNAMIC_COMBO: _dynamic_combo,
    DYNAMIC_SLOT: _dynamic_slot,
    DYNAMIC_GROUP: _dynamic_group,
}
DYNAMIC_TYPES = frozenset(_EXPANDERS)


def expand(declared: Mapping[str, Any], live: Mapping[str, Any]) -> Expanded:
    """The inputs ComfyUI validates for a v3 node declaring ``declared`` (its ``/object_info`` ``input``)
    that sends ``live``. Raises :class:`DynamicInputError`, or what the server's own code would raise on a
    malformed declaration (KeyError, TypeError ...)."""
    out = _Out()
    _parse(out, live, {k: v for k, v in declared.items() if k != "hidden"}, None)
    return Expanded(out.groups["required"], out.groups["optional"], bool(out.paths or out.defaults))
