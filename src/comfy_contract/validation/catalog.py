"""Node catalogs: what one ComfyUI install offers, from a ``GET /object_info`` snapshot.

A catalog file is either the raw ``/object_info`` JSON, an envelope
``{"comfyui_version": "0.3.75", "object_info": {...}, ...metadata}`` written by
``comfy-contract catalog pull``, or a hand-declared custom-node pack
``{"kind": "comfy-contract/node-pack", "name": ..., "object_info": {...}}`` that is merged into a
stock catalog. Catalogs are immutable; :meth:`Catalog.merge` returns a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from comfy_contract.core.errors import CatalogError, ComfyContractError
from comfy_contract.core.jsonio import read_json, thaw
from comfy_contract.validation.eras import DEFAULT_ERA, Era, choose_era

__all__ = ["Catalog", "InputSpec", "NodeSpec", "load_catalog", "merge_catalogs"]

ENVELOPE_FORMAT = "comfy-contract/catalog"
PACK_KIND = "comfy-contract/node-pack"
MODEL_EXTENSIONS = (".ckpt", ".pt", ".pt2", ".bin", ".pth", ".safetensors", ".pkl", ".sft", ".gguf")


@dataclass(frozen=True, slots=True)
class InputSpec:
    """One declared input of a node class."""

    name: str
    category: str  # "required" | "optional" | "hidden"
    type: Any  # a type string ("INT", "MODEL", "FLOAT,INT", "*", "COMBO") or a list of options
    options: Mapping[str, Any]
    spec: Any  # the raw ``[type, {options}]`` list as /object_info has it

    @property
    def is_combo(self) -> bool:
        return isinstance(self.type, list) or self.type == "COMBO"

    @property
    def choices(self) -> tuple[Any, ...]:
        """The values a combo offers (legacy list or v3 ``options``), else ``()``."""
        if isinstance(self.type, list):
            return tuple(self.type)
        if self.type == "COMBO":
            opts = self.options.get("options", [])
            return tuple(opts) if isinstance(opts, list) else ()
        return ()

    @property
    def lists_model_files(self) -> bool:
        return any(isinstance(c, str) and c.lower().endswith(MODEL_EXTENSIONS) for c in self.choices)


@dataclass(frozen=True, slots=True)
class NodeSpec:
    """One node class: its declared inputs, outputs and flags."""

    name: str
    inputs: Mapping[str, InputSpec]  # required then optional, in declared order
    hidden: tuple[str, ...]
    outputs: tuple[Any, ...]  # RETURN_TYPES
    output_names: tuple[str, ...]
    output_node: bool
    category: str
    python_module: str
    display_name: str
    deprecated: bool
    experimental: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(n for n, s in self.inputs.items() if s.category == "required")


def _node_spec(name: str, entry: Any, where: str) -> NodeSpec:
    if not isinstance(entry, Mapping):
        raise CatalogError(where, f"node {name!r} is {type(entry).__name__}, not an object")
    declared = entry.get("input", {})
    if not isinstance(declared, Mapping):
        raise CatalogError(where, f"node {name!r}: `input` must be an object")
    inputs: dict[str, InputSpec] = {}
    hidden: list[str] = []
    for category in ("required", "optional", "hidden"):
        group = declared.get(category) or {}
        if not isinstance(group, Mapping):
            raise CatalogError(where, f"node {name!r}: `input.{category}` must be an object")
        for input_name, spec in group.items():
            if category == "hidden":
                hidden.append(input_name)
                continue
            if not isinstance(spec, list) or not spec:
                raise CatalogError(
                    where, f"node {name!r} input {input_name!r}: spec must be [type, {{options}}], got {spec!r}"
                )
            opts = spec[1] if len(spec) > 1 else {}
            if not isinstance(opts, Mapping):
                raise CatalogError(where, f"node {name!r} input {input_name!r}: options must be an object")
            inputs[input_name] = InputSpec(input_name, category, spec[0], MappingProxyType(dict(opts)), spec)
    outputs = entry.get("output", [])
    if not isinstance(outputs, list):
        raise CatalogError(where, f"node {name!r}: `output` must be a list")
    output_names = entry.get("output_name") or [str(o) for o in outputs]
    if not isinstance(output_names, list):
        raise CatalogError(where, f"node {name!r}: `output_name` must be a list, got {output_names!r}"[:300])
    return NodeSpec(
        name=name,
        inputs=MappingProxyType(inputs),
        hidden=tuple(hidden),
        outputs=tuple(outputs),
        output_names=tuple(str(n) for n in output_names),
        output_node=entry.get("output_node") is True,
        category=str(entry.get("category", "")),
        python_module=str(entry.get("python_module", "")),
        display_name=str(entry.get("display_name", name)),
        deprecated=entry.get("deprecated") is True,
        experimental=entry.get("experimental") is True,
        raw=MappingProxyType(dict(entry)),
    )


@dataclass(frozen=True)
class Catalog:
    """The node classes of one ComfyUI install, plus which validation era applies to it."""

    nodes: Mapping[str, NodeSpec]
    era: Era = DEFAULT_ERA
    comfyui_version: str | None = None
    name: str | None = None
    sources: tuple[str, ...] = ()
    metadata: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: how the era was chosen (printed in reports), e.g. "ComfyUI 0.3.75, recorded in the catalog"
    era_reason: str = "the default era"
    #: False when no era covers the catalog's version and the nearest one stands in
    era_exact: bool = True
    #: ``GET /node_replacements`` of the install (2026 servers rewrite such nodes before validating)
    node_replacements: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    #: per-era compiled validation tables (filled lazily by the validator; not part of the value)
    _compiled: dict[str, Any] = field(default_factory=dict, repr=False, compare=False, hash=False)

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def from_object_info(
        cls,
        object_info: Mapping[str, Any],
        *,
        comfyui_version: str | None = None,
        era: Era | str | None = None,
        name: str | None = None,
        source: str = "<object_info>",
        metadata: Mapping[str, Any] | None = None,
        node_replacements: Mapping[str, Any] | None = None,
    ) -> Catalog:
        """Build a catalog from a decoded ``/object_info`` mapping.

        The era is, in order: ``era`` if given, the era of ``comfyui_version``, or a guess from the
        field set of the entries.
        """
        nodes = {str(k): _node_spec(str(k), v, source) for k, v in object_info.items()}
        choice = choose_era(era=era, comfyui_version=comfyui_version, object_info=object_info)
        return cls(
            nodes=MappingProxyType(nodes),
            era=choice.era,
            comfyui_version=comfyui_version,
            name=name,
            sources=(source,),
            metadata=MappingProxyType(dict(metadata or {})),
            era_reason=choice.reason,
            era_exact=choice.exact,
            node_replacements=MappingProxyType(dict(node_replacements or {})),
        )

    # -- queries ------------------------------------------------------------------------------
    def __contains__(self, class_type: object) -> bool:
        return isinstance(class_type, str) and class_type in self.nodes

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def get(self, class_type: str) -> NodeSpec | None:
        return self.nodes.get(class_type)

    def with_era(self, era: Era | str) -> Catalog:
        choice = choose_era(era=era)
        return replace(self, era=choice.era, era_reason=choice.reason, era_exact=choice.exact, _compiled={})

    def merge(self, *others: Catalog, name: str | None = None) -> Catalog:
        """A new catalog with the classes of ``others`` added (later ones win on a name clash).

        The era and version are this catalog's: merge custom-node packs *into* a stock dump.
        """
        nodes = dict(self.nodes)
        sources = list(self.sources)
        for other in others:
            nodes.update(other.nodes)
            sources.extend(other.sources)
        return replace(self, nodes=MappingProxyType(nodes), name=name or self.name, sources=tuple(sources),
                       _compiled={})

    def without_choices(self, values: Iterable[str], *, name: str | None = None) -> Catalog:
        """A new catalog whose combo inputs no longer offer ``values`` (e.g. model files an install lacks)."""
        drop = set(values)
        info = self.object_info()
        for entry in info.values():
            for group in ("required", "optional"):
                for spec in (entry.get("input", {}).get(group) or {}).values():
                    if isinstance(spec[0], list):
                        spec[0] = [c for c in spec[0] if c not in drop]
                    elif spec[0] == "COMBO" and len(spec) > 1 and isinstance(spec[1].get("options"), list):
                        spec[1]["options"] = [c for c in spec[1]["options"] if c not in drop]
        nodes = Catalog.from_object_info(info, era=self.era).nodes
        return replace(self, nodes=nodes, name=name or self.name, _compiled={})

    def era_summary(self) -> dict[str, Any]:
        """The era this catalog validates with, as reports record it."""
        return {"era": self.era.id, "label": self.era.label, "evidence": self.era.evidence,
                "comfyui_version": self.comfyui_version, "reason": self.era_reason,
                "exact": self.era_exact}

    def object_info(self) -> dict[str, Any]:
        """The catalog as ``/object_info`` JSON (for writing merged catalogs)."""
        return {name: thaw(spec.raw) for name, spec in self.nodes.items()}

    def to_envelope(self) -> dict[str, Any]:
        return {
            "format": ENVELOPE_FORMAT,
            "comfyui_version": self.comfyui_version,
            "era": self.era.id,
            **{k: thaw(v) for k, v in self.metadata.items()
               if k not in {"format", "comfyui_version", "era", "node_replacements"}},
            **({"node_replacements": thaw(self.node_replacements)} if self.node_replacements else {}),
            "object_info": self.object_info(),
        }



def _looks_like_object_info(data: Mapping[str, Any]) -> bool:
    return bool(data) and all(
        isinstance(v, Mapping) and "input" in v and "output" in v for v in data.values()
    )


def catalog_from_data(
    data: Any, *, source: str, comfyui_version: str | None = None, era: Era | str | None = None
) -> Catalog:
    """Interpret decoded JSON as a catalog (raw dump, envelope or node pack)."""
    if not isinstance(data, Mapping):
        raise CatalogError(source, f"not a node catalog: expected a JSON object, got {type(data).__name__}")
    if "object_info" in data:
        info = data["object_info"]
        if not isinstance(info, Mapping) or (info and not _looks_like_object_info(info)):
            raise CatalogError(source, "not a node catalog: `object_info` must map class names to node entries")
        version = comfyui_version or data.get("comfyui_version")
        is_pack = data.get("kind") == PACK_KIND
        meta = {k: v for k, v in data.items() if k not in ("object_info", "node_replacements")}
        replacements = data.get("node_replacements") or {}
        if not isinstance(replacements, Mapping):
            raise CatalogError(source, "`node_replacements` must be the JSON of GET /node_replacements "
                                       "(old class name -> list of replacements)")
        if is_pack and era is None and version is None:
            return Catalog.from_object_info(
                info, era=DEFAULT_ERA, name=str(data.get("name") or Path(source).stem), source=source,
                metadata=meta,
            )
        return Catalog.from_object_info(
            info, comfyui_version=version, era=era, name=data.get("name"), source=source, metadata=meta,
            node_replacements=replacements,
        )
    if _looks_like_object_info(data):
        return Catalog.from_object_info(data, comfyui_version=comfyui_version, era=era, source=source)
    keys = ", ".join(repr(k) for k in list(data)[:5])
    raise CatalogError(
        source,
        "not a node catalog: expected the JSON of GET /object_info (class name -> {input, output, ...}) "
        f"or an envelope {{\"comfyui_version\", \"object_info\"}}; found keys {keys or '(none)'}",
        hint="`comfy-contract catalog pull --url URL -o FILE` writes a catalog from a running ComfyUI",
    )


def load_catalog(
    path: str | Path, *, comfyui_version: str | None = None, era: Era | str | None = None
) -> Catalog:
    """Read a catalog file (raw dump, envelope or node pack)."""
    return catalog_from_data(read_json(path), source=str(path), comfyui_version=comfyui_version, era=era)


def merge_catalogs(paths: Iterable[str | Path], *, comfyui_version: str | None = None,
                   era: Era | str | None = None, name: str | None = None) -> Catalog:
    """Load several catalog files and merge them in order; the first sets version and era."""
    loaded = [load_catalog(p, comfyui_version=comfyui_version, era=era) for p in paths]
    if not loaded:
        raise ComfyContractError("no catalog given", hint="pass --catalog FILE")
    return loaded[0].merge(*loaded[1:], name=name)


def write_catalog(catalog: Catalog, path: str | Path) -> None:
    from comfy_contract.core.jsonio import write_json_atomic

    write_json_atomic(path, catalog.to_envelope())


