"""The input space: which request inputs vary for an app, over which values (``generators/*.yaml``).

A file has ``kind: comfy-contract/input-space``, a ``defaults`` block and a list of ``configs``
overrides (``match`` is a glob over config names; every matching entry is merged over the defaults,
in file order). :meth:`InputSpace.options_for` resolves the options of one config. The files are
checked against ``contracts/schemas/input-space.schema.json``; problems name file and line.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from comfy_contract.core.errors import ConfigError
from comfy_contract.core.schemas import schema_validator

__all__ = [
    "ADAPTER_DEFAULTS",
    "KIND",
    "InputSpace",
    "SpaceOptions",
    "TextOptions",
    "default_adapter_space",
    "find_space_files",
    "load_input_space",
]

KIND = "comfy-contract/input-space"
SCHEMA = "input-space.schema.json"


@dataclass(frozen=True)
class TextOptions:
    """How text is drawn (see :func:`comfy_contract.fuzz.strategies.user_texts`)."""

    max_size: int = 24
    blank: bool = False
    unicode: bool = True
    quotes: bool = True
    newlines: bool = True
    braces: bool = False
    control_characters: bool = False
    long: bool = False

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, base: TextOptions | None = None) -> TextOptions:
        start = base or cls()
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return TextOptions(**{**start.__dict__, **known})


@dataclass(frozen=True)
class SpaceOptions:
    """The resolved input space of one config. Every field has a realistic default."""

    modes: tuple[str, ...] | None = None  # None: the project's modes
    extra_modes: tuple[str, ...] = ()
    user_text: TextOptions = field(default_factory=TextOptions)
    llm_vary: bool = True
    llm_text: TextOptions = field(default_factory=lambda: TextOptions(max_size=30))
    #: "none" | "from_context" (names the config's `context` mentions) | "any" | explicit names
    llm_placeholders: str | tuple[str, ...] = "from_context"
    split_empty_parts: bool = False
    split_extra_keys: bool = False
    split_malformed: bool = False
    custom_names: tuple[str, ...] = ()
    custom_unexpected: bool = True
    custom_collide: bool = False
    custom_max: int = 2
    output_config: str = "offered"  # "none" | "offered"
    unknown_output_configs: tuple[str, ...] = ()
    parameters_vary: str | tuple[str, ...] = "none"  # "all" | "none" | names
    parameters_inside: bool = True
    parameters_outside: bool = False
    parameter_values: Mapping[str, tuple[Any, ...]] = field(default_factory=lambda: MappingProxyType({}))
    seed_names: tuple[str, ...] = ("SEED",)
    seed_random: bool = True
    seed_inside: bool = True
    seed_outside: bool = False

    def merged(self, data: Mapping[str, Any]) -> SpaceOptions:
        """These options with one YAML block (``defaults`` or a ``configs`` entry) applied."""
        out: dict[str, Any] = dict(self.__dict__)
        if "modes" in data:
            out["modes"] = tuple(data["modes"])
        if "extra_modes" in data:
            out["extra_modes"] = tuple(data["extra_modes"])
        if "user_text" in data:
            out["user_text"] = TextOptions.from_dict(data["user_text"], base=self.user_text)
        llm = data.get("llm_text", {})
        if llm:
            out["llm_text"] = TextOptions.from_dict(llm, base=self.llm_text)
            if "vary" in llm:
                out["llm_vary"] = bool(llm["vary"])
            if "placeholders" in llm:
                p = llm["placeholders"]
                out["llm_placeholders"] = p if isinstance(p, str) else tuple(p)
        split = data.get("split", {})
        for key in ("empty_parts", "extra_keys", "malformed"):
            if key in split:
                out[f"split_{key}"] = bool(split[key])
        custom = data.get("custom_placeholders", {})
        if "names" in custom:
            out["custom_names"] = tuple(custom["names"])
        for key in ("unexpected", "collide", "max"):
            if key in custom:
                out[f"custom_{key}"] = custom[key]
        oc = data.get("output_config", {})
        if "choose" in oc:
            out["output_config"] = oc["choose"]
        if "unknown" in oc:
            out["unknown_output_configs"] = tuple(oc["unknown"])
        params = data.get("parameters", {})
        if "vary" in params:
            v = params["vary"]
            out["parameters_vary"] = v if isinstance(v, str) else tuple(v)
        if "inside" in params:
            out["parameters_inside"] = bool(params["inside"])
        if "outside" in params:
            out["parameters_outside"] = bool(params["outside"])
        if "values" in params:
            out["parameter_values"] = MappingProxyType(
                {**self.parameter_values, **{k: tuple(v) for k, v in params["values"].items()}})
        if "seed_names" in params:
            out["seed_names"] = tuple(params["seed_names"])
        seed = data.get("seed", {})
        for key in ("random", "inside", "outside"):
            if key in seed:
                out[f"seed_{key}"] = bool(seed[key])
        return SpaceOptions(**out)

    def varies(self, parameter: str) -> bool:
        if parameter in self.parameter_values:
            return True
        if isinstance(self.parameters_vary, tuple):
            return parameter in self.parameters_vary
        return self.parameters_vary == "all"


@dataclass(frozen=True)
class InputSpace:
    """Input-space definitions, merged from zero or more files (later files override earlier ones)."""

    defaults: tuple[Mapping[str, Any], ...] = ()
    overrides: tuple[tuple[str, Mapping[str, Any]], ...] = ()
    files: tuple[str, ...] = ()

    def options_for(self, config: str) -> SpaceOptions:
        options = SpaceOptions()
        for block in self.defaults:
            options = options.merged(block)
        for pattern, block in self.overrides:
            if fnmatch.fnmatchcase(config, pattern):
                options = options.merged(block)
        return options


#: The input space of an adapter app whose project has no ``generators/*.yaml``: the user's text is drawn
#: with blank text, braces and ``{{X}}`` tokens, long and non-ASCII text (what users type, and what breaks
#: apps), a seed is drawn for every request; the adapter's one ``"*"`` LLM step answers with free text.
ADAPTER_DEFAULTS: Mapping[str, Any] = MappingProxyType({
    "user_text": {"max_size": 40, "blank": True, "unicode": True, "quotes": True, "newlines": True,
                  "braces": True, "long": True},
    "llm_text": {"placeholders": ["X"]},
    "seed": {"random": True},
})


def default_adapter_space() -> InputSpace:
    """The built-in input space of an adapter app (see :data:`ADAPTER_DEFAULTS`)."""
    return InputSpace((ADAPTER_DEFAULTS,), (), ("<built-in input space for adapter apps>",))


def _read_space_file(path: Path, *, explicit: bool = False) -> dict[str, Any] | None:
    from comfy_contract.core.yamlio import load_yaml, schema_problems

    doc, problems = load_yaml(path)
    if doc is None or problems:
        raise ConfigError("\n".join(str(p) for p in problems), hint="fix the input-space file (docs/fuzzing.md)")
    if not isinstance(doc.data, dict) or doc.data.get("kind") != KIND:
        if explicit:  # named with --space: a file of another kind is a mistake, not something to skip
            found = doc.data.get("kind") if isinstance(doc.data, dict) else None
            raise ConfigError(f"{path}:1: not an input-space file (`kind` is {found!r}, expected {KIND!r})",
                              hint=f"add `kind: {KIND}` at the top (docs/fuzzing.md)")
        return None  # another kind of generators/ file (an adapter definition)
    found = schema_problems(doc, schema_validator(SCHEMA), schema_name=SCHEMA)
    if found:
        raise ConfigError("\n".join(str(p) for p in found), hint="see docs/fuzzing.md for the input-space keys")
    return doc.data


def load_input_space(paths: Iterable[str | Path], *, explicit: bool = False) -> InputSpace:
    """Read input-space files; YAML files of another ``kind`` are skipped, unless the files were named
    explicitly (``explicit=True``, ``hunt --space``), where such a file is a :class:`ConfigError`."""
    defaults: list[Mapping[str, Any]] = []
    overrides: list[tuple[str, Mapping[str, Any]]] = []
    files: list[str] = []
    for raw in paths:
        path = Path(raw)
        data = _read_space_file(path, explicit=explicit)
        if data is None:
            continue
        files.append(str(path))
        defaults.append(MappingProxyType(dict(data.get("defaults", {}))))
        for entry in data.get("configs", []):
            overrides.append((str(entry["match"]), MappingProxyType(dict(entry))))
    return InputSpace(tuple(defaults), tuple(overrides), tuple(files))


def find_space_files(base: str | Path) -> list[Path]:
    """``generators/*.yaml`` (and ``*.yml``) under ``base``, sorted."""
    folder = Path(base) / "generators"
    if not folder.is_dir():
        return []
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
