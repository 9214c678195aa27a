"""Per-config contracts: what a team expects of the workflows of a config or a family of configs.

Contracts are YAML files in a directory (``contracts/configs/*.yaml``), validated against
``contracts/schemas/config-contract.schema.json`` (see ``docs/contracts.md``). A contract applies to
every rendered outcome whose config name matches one of its globs (and whose mode is listed, if
``modes`` is given); all matching contracts apply.

Invalid contract files are *findings* (``C006``, error, with ``file:line`` in the message and the
JSON pointer in ``path``), not usage errors: a gate then fails, shows every broken file at once next
to the other findings (and as an annotation in SARIF/JUnit reports), and still checks the valid
contracts. Front ends that prefer to stop call :meth:`ContractSet.raise_for_problems`.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from comfy_contract.check.lints import output_media
from comfy_contract.core.codes import lookup
from comfy_contract.core.errors import ConfigError
from comfy_contract.core.findings import Finding
from comfy_contract.core.schemas import data_dir, schema_validator
from comfy_contract.core.yamlio import YamlDoc, YamlProblem, load_yaml, schema_problems
from comfy_contract.render.model import Rendered, Submission
from comfy_contract.validation.catalog import Catalog, load_catalog
from comfy_contract.validation.graph import (
    class_type,
    input_pointer,
    inputs_of,
    links_of,
    nodes,
    output_nodes,
    title_of,
    upstream,
)

__all__ = ["Contract", "ContractSet", "Selector"]

SCHEMA = "config-contract.schema.json"
DEFAULT_CATALOG = "comfyui-0.3.75.json"


@dataclass(frozen=True, slots=True)
class Selector:
    """Nodes chosen by class_type, ``_meta.title`` and/or node id (all given must hold), and an input."""

    input: str
    class_type: str | None = None
    node_title: str | None = None
    node_id: str | None = None

    def matches(self, node_id: str, node: Any) -> bool:
        return (
            (self.class_type is None or class_type(node) == self.class_type)
            and (self.node_title is None or title_of(node) == self.node_title)
            and (self.node_id is None or node_id == self.node_id)
        )

    def __str__(self) -> str:
        parts = [f"{k}={v!r}" for k, v in (("class_type", self.class_type), ("node_title", self.node_title),
                                             ("node_id", self.node_id)) if v is not None]
        return f"{{{', '.join(parts)}, input={self.input!r}}}"


@dataclass(frozen=True)
class Contract:
    """One entry of a contract file."""

    file: str
    line: int
    pointer: str
    match: tuple[str, ...]
    modes: tuple[str, ...] | None = None
    description: str = ""
    require_classes: tuple[str, ...] = ()
    forbid_classes: tuple[str, ...] = ()
    outputs: Mapping[str, tuple[int | None, int | None]] = field(default_factory=dict)
    user_text_inputs: tuple[Selector, ...] = ()
    ranges: Mapping[tuple[str, str], tuple[float | None, float | None]] = field(default_factory=dict)
    #: the config must submit a ComfyUI workflow (C008 when it submits none: text, hosted API, other backend)
    submits_workflow: bool = False

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def applies_to(self, config: str, mode: str) -> bool:
        return any(fnmatch.fnmatchcase(config, g) for g in self.match) and (self.modes is None or mode in self.modes)

    @property
    def expects_workflow(self) -> bool:
        return (self.submits_workflow or bool(self.require_classes)
                or any((lo or 0) > 0 for lo, _ in self.outputs.values()))

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, file: str, line: int, pointer: str) -> Contract:
        match = data["match"]
        outputs: dict[str, tuple[int | None, int | None]] = {}
        for media, spec in (data.get("outputs") or {}).items():
            outputs[media] = (spec, spec) if isinstance(spec, int) else (spec.get("min"), spec.get("max"))
        ranges: dict[tuple[str, str], tuple[float | None, float | None]] = {}
        for key, spec in (data.get("ranges") or {}).items():
            ct, name = key.split(".", 1)
            ranges[(ct, name)] = (spec.get("min"), spec.get("max"))
        return cls(
            file=file, line=line, pointer=pointer,
            match=(match,) if isinstance(match, str) else tuple(match),
            modes=tuple(data["modes"]) if "modes" in data else None,
            description=str(data.get("description", "")),
            require_classes=tuple(data.get("require_classes", ())),
            forbid_classes=tuple(data.get("forbid_classes", ())),
            outputs=outputs,
            user_text_inputs=tuple(Selector(**s) for s in data.get("user_text_inputs", ())),
            ranges=ranges,
            submits_workflow=bool(data.get("submits_workflow", False)),
        )


@cache
def _default_catalog() -> Catalog:
    return load_catalog(data_dir("catalogs") / DEFAULT_CATALOG)


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


class _Check:
    """One contract against one submission."""

    def __init__(self, contract: Contract, sub: Submission, rendered: Rendered, catalog: Catalog) -> None:
        self.c, self.sub, self.r, self.catalog = contract, sub, rendered, catalog
        self.graph = nodes(sub.workflow)
        self.outputs = output_nodes(sub.workflow, catalog)
        self.live = upstream(sub.workflow, self.outputs)
        self.live_classes = {class_type(self.graph[n]) for n in self.live}

    def finding(self, code: str, message: str, node_id: str | None = None, input_name: str | None = None, *,
                expected: Any = None, actual: Any = None) -> Finding:
        text = f"{message} (contract {self.c.where})"
        if node_id is not None and self.sub.chunk_file:
            file: str | None = self.sub.chunk_file
            path = "/workflow" + (input_pointer(node_id, input_name) if input_name else f"/{node_id}")
        elif node_id is not None:
            file, path = None, input_pointer(node_id, input_name) if input_name else f"/{node_id}"
        else:
            file, path = self.r.config_file, ""
        return Finding(code, text, lookup(code).severity, node_id=node_id,
                       class_type=class_type(self.graph.get(node_id)) if node_id is not None else None,
                       input=input_name, path=path, expected=expected, actual=actual, file=file)

    def run(self) -> Iterator[Finding]:
        yield from self.required()
        yield from self.counts()
        yield from self.user_text()
        yield from self.ranges()
        yield from self.forbidden()

    def required(self) -> Iterator[Finding]:
        for ct in self.c.require_classes:
            present = [n for n, node in self.graph.items() if class_type(node) == ct]
            if any(n in self.live for n in present):
                continue
            why = (f"node(s) {', '.join(map(repr, present))} have it but feed no output" if present
                   else "no node has it")
            yield self.finding(
                "C001", f"config {self.r.config!r} ({self.r.mode}) must use class {ct!r}, but {why}; the app "
                f"rendered a different graph (check OUTPUT_CHUNK / the output chunk)", expected=ct,
                actual=sorted({c for c in (class_type(n) for n in self.graph.values()) if c}))

    def media_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for node_id in self.outputs:
            spec = self.catalog.get(class_type(self.graph.get(node_id)) or "")
            for media in output_media(spec) if spec is not None else ():
                counts[media] = counts.get(media, 0) + 1
        return counts

    def counts(self) -> Iterator[Finding]:
        counts = self.media_counts()
        for media, (lo, hi) in self.c.outputs.items():
            n = counts.get(media, 0)
            if (lo is None or n >= lo) and (hi is None or n <= hi):
                continue
            yield self.finding(
                "C002", f"config {self.r.config!r} ({self.r.mode}) has {n} {media} output(s), expected "
                f"{_range_text(lo, hi)}; add or remove output nodes in the output chunk",
                expected=_range_text(lo, hi), actual=n)

    def wired(self, node_id: str, input_name: str) -> bool:
        """Whether the input receives the user's (or the LLM step's) text: it is injected with role
        ``prompt``, or it is linked and a node upstream of it is, or (for adapters without injection
        records) its literal, or an upstream literal, contains the user's text or an LLM output (a prompt
        template around the text counts)."""
        prompts = {(str(i.node_id), i.field.split(".", 1)[-1]) for i in self.sub.injections if i.role == "prompt"}
        if (node_id, input_name) in prompts:
            return True
        texts = {t for t in (self.r.inputs.user_text, *self.r.inputs.llm_outputs.values()) if t}
        value = inputs_of(self.graph.get(node_id)).get(input_name)
        if isinstance(value, str):
            return any(t in value for t in texts)
        link = next((ln for ln in links_of(node_id, self.graph.get(node_id), self.graph) if ln.input == input_name),
                    None)
        if link is None:
            return False
        above = upstream(self.sub.workflow, [link.source])
        return any(n in above for n, _ in prompts) or any(
            isinstance(v, str) and any(t in v for t in texts) for n in above for v in inputs_of(self.graph[n]).values())

    def user_text(self) -> Iterator[Finding]:
        for sel in self.c.user_text_inputs:
            matched = [n for n, node in self.graph.items() if sel.matches(n, node) and n in self.live]
            if not matched:
                if sel.class_type in self.c.require_classes and sel.class_type not in self.live_classes:
                    continue  # C001 already says the class is missing
                yield self.finding(
                    "C003", f"no node feeding an output matches {sel} in config {self.r.config!r} "
                    f"({self.r.mode}); the user's text cannot reach the output. Fix the chunk or the selector",
                    expected=str(sel), actual=None)
                continue
            for node_id in matched:
                if self.wired(node_id, sel.input):
                    continue
                value = inputs_of(self.graph.get(node_id)).get(sel.input)
                yield self.finding(
                    "C003", f"input {sel.input!r} of node {node_id!r} ({class_type(self.graph.get(node_id))!r}) "
                    f"does not receive the user's text (value {value!r}); map the prompt to it, or to a node "
                    "upstream of it", node_id, sel.input, expected="the user's text", actual=value)

    def ranges(self) -> Iterator[Finding]:
        for (ct, name), (lo, hi) in self.c.ranges.items():
            for node_id, node in self.graph.items():
                if class_type(node) != ct or node_id not in self.live:
                    continue
                value = inputs_of(node).get(name)
                number = _number(value)
                if number is None or ((lo is None or number >= lo) and (hi is None or number <= hi)):
                    continue
                yield self.finding(
                    "C004", f"{ct}.{name} of node {node_id!r} is {value!r}, outside the contract's "
                    f"{_range_text(lo, hi)}; change the chunk's value or the config parameter that sets it",
                    node_id, name, expected=_range_text(lo, hi), actual=value)

    def forbidden(self) -> Iterator[Finding]:
        for node_id, node in self.graph.items():
            ct = class_type(node)
            if ct in self.c.forbid_classes:
                yield self.finding(
                    "C005", f"config {self.r.config!r} ({self.r.mode}) must not use class {ct!r}, but node "
                    f"{node_id!r} does; replace it or narrow the contract's match", node_id,
                    expected=f"no {ct}", actual=ct)


def _range_text(lo: float | None, hi: float | None) -> str:
    if lo is not None and lo == hi:
        return f"exactly {lo}"
    if lo is not None and hi is not None:
        return f"{lo}..{hi}"
    return f">= {lo}" if lo is not None else f"<= {hi}"


@dataclass(frozen=True)
class ContractSet:
    """The contracts of a directory, and the problems (``C006`` findings) of its invalid files."""

    contracts: tuple[Contract, ...] = ()
    problems: tuple[Finding, ...] = ()

    @classmethod
    def load(cls, directory: str | Path, *, root: str | Path | None = None) -> ContractSet:
        """Read every ``*.yaml``/``*.yml`` file under ``directory`` (recursively, sorted).

        File names in findings are relative to ``root`` when given. A missing directory is a usage
        error (:class:`ConfigError`); invalid files become ``C006`` findings in :attr:`problems`.
        """
        folder = Path(directory)
        if not folder.is_dir():
            raise ConfigError(f"contracts directory {str(directory)!r} does not exist",
                              hint="create it, or point the `contracts` setting at the right folder")
        contracts: list[Contract] = []
        problems: list[YamlProblem] = []
        files = sorted(p for p in folder.rglob("*") if p.suffix in {".yaml", ".yml"} and p.is_file())
        for path in files:
            label = _label(path, root)
            doc, found = load_yaml(path, label=label)
            problems.extend(found)
            if doc is None:
                continue
            invalid = schema_problems(doc, schema_validator(SCHEMA), schema_name=SCHEMA)
            problems.extend(invalid)
            if not invalid:
                loaded, more = _contracts_of(doc)
                contracts.extend(loaded)
                problems.extend(more)
        return cls(tuple(contracts), tuple(_problem_finding(p) for p in problems))

    def raise_for_problems(self) -> None:
        """Raise :class:`ConfigError` listing every ``C006`` problem (for front ends that stop on them)."""
        if self.problems:
            lines = "\n  ".join(p.message for p in self.problems)
            raise ConfigError(f"invalid contract files:\n  {lines}",
                              hint="fix the files; the format is in docs/contracts.md")

    def for_config(self, config: str, mode: str) -> tuple[Contract, ...]:
        return tuple(c for c in self.contracts if c.applies_to(config, mode))

    def check(self, submission: Submission, rendered: Rendered, *, catalog: Catalog | None = None) -> tuple[
            Finding, ...]:
        """The ``C001``-``C005`` findings of one submission of ``rendered``.

        ``catalog`` says which classes are output nodes; without it the bundled stock ComfyUI catalog
        is used (custom output nodes are then not recognised).
        """
        cat = catalog if catalog is not None else _default_catalog()
        out: list[Finding] = []
        for contract in self.for_config(rendered.config, rendered.mode):
            out.extend(_Check(contract, submission, rendered, cat).run())
        return tuple(out)

    def check_rendered(self, rendered: Rendered, *, catalog: Catalog | None = None) -> tuple[Finding, ...]:
        """:meth:`check` over every submission; an outcome without a workflow (``text``/``api``/``backend``)
        breaks every contract that expects one: ``C008`` for ``submits_workflow: true``, else ``C002`` (required
        classes or a positive output count). ``error`` outcomes are left to their ``R`` findings."""
        if rendered.submissions:
            return tuple(f for s in rendered.submissions for f in self.check(s, rendered, catalog=catalog))
        if rendered.outcome == "error":
            return ()
        return tuple(_no_workflow(rendered, c) for c in self.for_config(rendered.config, rendered.mode)
                     if c.expects_workflow)

    def unused(self, configs: Iterable[str]) -> tuple[Finding, ...]:
        """``C007`` for every contract whose globs match none of ``configs`` (a renamed config?)."""
        names = list(configs)
        return tuple(
            Finding("C007", f"{c.where}: contract {'/'.join(c.match)!r} matches no config "
                    f"({len(names)} known); fix its `match` glob or delete it", lookup("C007").severity,
                    file=c.file, path=c.pointer, expected=list(c.match))
            for c in self.contracts if not any(fnmatch.fnmatchcase(n, g) for n in names for g in c.match)
        )


def _no_workflow(rendered: Rendered, c: Contract) -> Finding:
    why = next((f.message.splitlines()[0] for f in rendered.findings if f.code in ("R010", "R015", "R018")), "")
    because = f" ({why[:200]})" if why else ""
    if c.submits_workflow:
        return Finding("C008", f"config {rendered.config!r} ({rendered.mode}) submits no ComfyUI workflow (outcome "
                       f"{rendered.outcome!r}{because}), but contract {c.where} says `submits_workflow: true`. An "
                       "edit changed the route: check the output chunk's `backend_type`, `fallback_chunk` and "
                       "the config's `OUTPUT_CHUNK`; if the config is meant to stop submitting, narrow the contract's "
                       "`match`", lookup("C008").severity, file=rendered.config_file, path="",
                       expected="a ComfyUI workflow", actual=rendered.outcome)
    return Finding("C002", f"config {rendered.config!r} ({rendered.mode}) renders no ComfyUI workflow "
                   f"(outcome {rendered.outcome!r}), but contract {c.where} expects one; check the config's "
                   "output configs", lookup("C002").severity, file=rendered.config_file, path="",
                   expected="a ComfyUI workflow", actual=rendered.outcome)


def _label(path: Path, root: str | Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(Path(root).resolve()).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def _contracts_of(doc: YamlDoc) -> tuple[list[Contract], list[YamlProblem]]:
    contracts, problems = [], []
    for i, entry in enumerate(doc.data["contracts"]):
        parts: list[str | int] = ["contracts", i]
        bad = False
        for key, (lo, hi) in _bounds(entry):
            if lo is not None and hi is not None and lo > hi:
                problems.append(doc.problem([*parts, *key], f"min {lo!r} is greater than max {hi!r}"))
                bad = True
        if not bad:
            contracts.append(Contract.from_data(entry, file=doc.file, line=doc.line_of(parts),
                                                pointer="/contracts/" + str(i)))
    return contracts, problems


def _bounds(entry: Mapping[str, Any]) -> Iterator[tuple[Sequence[str], tuple[Any, Any]]]:
    for section in ("outputs", "ranges"):
        for name, spec in (entry.get(section) or {}).items():
            if isinstance(spec, Mapping):
                yield (section, name), (spec.get("min"), spec.get("max"))


def _problem_finding(p: YamlProblem) -> Finding:
    return Finding("C006", f"{p}; see docs/contracts.md", lookup("C006").severity, file=p.file, path=p.pointer)
