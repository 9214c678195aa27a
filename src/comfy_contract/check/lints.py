"""Lints: bugs ComfyUI accepts (HTTP 200) that still give users the wrong result.

Each lint is a small function in a table: :data:`LINTS` runs on one submission against one backend's
catalog, :data:`PROJECT_LINTS` on every rendered outcome of a project at once. Codes, titles and
severities come from :mod:`comfy_contract.core.codes`; ``docs/lints.md`` defines every rule precisely.

Vocabulary (see :mod:`comfy_contract.validation.graph`):

- *live* nodes: the output nodes of the workflow and everything upstream of them (what ComfyUI runs);
- *positive* nodes: live nodes reached from an output node without entering any input whose name
  starts with ``negative`` (so an empty negative prompt is not an empty prompt);
- a *text origin*: where a STRING input's text is written - the input itself when it holds a literal,
  or, when it is linked to a primitive-like node (one STRING input, one STRING output, e.g.
  ``PrimitiveString``), that node's input, followed recursively.

Lints never raise on malformed workflows; they leave structural problems to the validator and do
not repeat what rendering already reported at the same place (``R002``-``R004``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from comfy_contract.core.codes import lookup
from comfy_contract.core.findings import Finding
from comfy_contract.render.model import Injection, Rendered, Submission
from comfy_contract.validation.catalog import Catalog, NodeSpec
from comfy_contract.validation.graph import (
    Link,
    class_type,
    input_pointer,
    inputs_of,
    links_of,
    nodes,
    output_nodes,
    upstream,
)

__all__ = [
    "LINTS",
    "PROJECT_LINTS",
    "Lint",
    "LintContext",
    "ProjectLint",
    "output_media",
    "run_lints",
    "run_project_lints",
]

PLACEHOLDER = re.compile(r"\{\{[^{}]*\}\}")
#: rendering codes that already locate a problem with a value; lints stay silent at that place
RENDER_VALUE_CODES = frozenset({"R002", "R003", "R004"})
#: media an output node produces, by the type of a required input (``image/video`` nodes: video)
MEDIA_BY_INPUT_TYPE: Mapping[str, str] = {
    "IMAGE": "image", "SVG": "image", "AUDIO": "audio", "VIDEO": "video", "MESH": "3d",
}
#: what the app may declare (``media_type``/``default_output``) → the media an output must produce
DECLARED_MEDIA: Mapping[str, str] = {"image": "image", "audio": "audio", "music": "audio", "video": "video",
                                     "3d": "3d"}
SEED_INPUT_NAMES = frozenset({"seed", "noise_seed"})
#: the only placeholders the DevServer resolves in an input mapping's ``source`` (devserver-layout §2)
APP_RESOLVED_SOURCES = frozenset({"PREVIOUS_OUTPUT", "INPUT_TEXT", "USER_INPUT"})

Place = tuple[str, str]  # (node_id, input name)


def output_media(spec: NodeSpec) -> frozenset[str]:
    """The media an output node class produces (``image``, ``audio``, ``video``, ``3d``), maybe none."""
    if spec.category.startswith("image/video"):
        return frozenset({"video"})
    found: set[str] = set()
    for inp in spec.inputs.values():
        if inp.category == "required" and isinstance(inp.type, str):
            found.update(MEDIA_BY_INPUT_TYPE[t] for t in inp.type.split(",") if t.strip() in MEDIA_BY_INPUT_TYPE)
    return frozenset(found)


def _input_name(field_: str) -> str:
    """``"inputs.text"`` → ``"text"``; other fields are kept whole."""
    parts = field_.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "inputs" else field_


@dataclass(frozen=True)
class LintContext:
    """Everything a lint may look at for one submission on one backend."""

    submission: Submission
    rendered: Rendered
    backend: str
    catalog: Catalog
    backends: Mapping[str, Catalog] = field(default_factory=dict)

    @cached_property
    def graph(self) -> dict[str, Mapping[str, Any]]:
        return nodes(self.submission.workflow)

    @cached_property
    def others(self) -> dict[str, Catalog]:
        """The other backends' catalogs, by name."""
        return {name: cat for name, cat in self.backends.items() if name != self.backend}

    @cached_property
    def outputs(self) -> tuple[str, ...]:
        return output_nodes(self.submission.workflow, self.catalog)

    @cached_property
    def live(self) -> frozenset[str]:
        return _upstream_of(self.submission, self.outputs, positive=False)

    @cached_property
    def positive(self) -> frozenset[str]:
        return _upstream_of(self.submission, self.outputs, positive=True)

    @cached_property
    def injections(self) -> dict[Place, tuple[Injection, ...]]:
        out: dict[Place, list[Injection]] = {}
        for inj in self.submission.injections:
            out.setdefault((str(inj.node_id), _input_name(inj.field)), []).append(inj)
        return {k: tuple(v) for k, v in out.items()}

    @cached_property
    def injected_nodes(self) -> frozenset[str]:
        return frozenset(node_id for node_id, _ in self.injections)

    @cached_property
    def _reported(self) -> frozenset[Place]:
        return frozenset(
            (f.node_id, f.input or "") for f in self.rendered.findings
            if f.code in RENDER_VALUE_CODES and f.node_id is not None
        )

    def reported(self, node_id: str, input_name: str) -> bool:
        """Whether rendering already reported a value problem at this input (or on the whole node)."""
        return (node_id, input_name) in self._reported or (node_id, "") in self._reported

    @cached_property
    def _specs(self) -> dict[str, NodeSpec | None]:
        return {}

    def spec(self, node_id: str) -> NodeSpec | None:
        """The node's class on this backend, else on any other backend (for custom nodes missing here)."""
        specs = self._specs  # the lints ask ~30 times per submission for ~15 nodes: looked up once each
        if node_id in specs:
            return specs[node_id]
        ct = class_type(self.graph.get(node_id))
        found = None
        if ct is not None:
            found = self.catalog.get(ct)
            for other in self.others.values():
                if found is not None:
                    break
                found = other.get(ct)
        specs[node_id] = found
        return found

    def where(self, node_id: str, input_name: str | None = None) -> tuple[str | None, str]:
        """Where the cause lives: the mapping that wrote the input, else the chunk's workflow, else the
        submitted workflow (``file`` is ``None`` then, and the pointer is into the workflow)."""
        if input_name is not None:
            for inj in self.injections.get((node_id, input_name), ()):
                if inj.file and inj.line is None:  # a mapping in a JSON file; an app's code line is located later
                    return inj.file, inj.pointer or ""
        pointer = input_pointer(node_id, input_name) if input_name is not None else "/" + node_id.replace(
            "~", "~0").replace("/", "~1")
        if self.submission.chunk_file:
            return self.submission.chunk_file, "/workflow" + pointer
        return None, pointer

    def finding(self, code: str, message: str, node_id: str, input_name: str | None = None, *,
                expected: Any = None, actual: Any = None) -> Finding:
        file, path = self.where(node_id, input_name)
        return Finding(
            code, message, lookup(code).severity, node_id=node_id, class_type=class_type(self.graph.get(node_id)),
            input=input_name, path=path, expected=expected, actual=actual, file=file,
        )

    def origin(self, node_id: str, input_name: str, value_type: str = "STRING") -> tuple[Place, Any] | None:
        """Where the value of an input is written, and the value; ``None`` if not decidable.

        A literal is its own origin. A link to a primitive-like node (exactly one ``value_type`` input
        and one ``value_type`` output, e.g. ``PrimitiveString``) is followed to that node's input.
        """
        seen: set[str] = set()
        while node_id not in seen:
            seen.add(node_id)
            node = self.graph.get(node_id)
            link = next((ln for ln in links_of(node_id, node, self.graph) if ln.input == input_name), None)
            if link is None:
                value = inputs_of(node).get(input_name)
                return (None if isinstance(value, list) else ((node_id, input_name), value))
            source = self.spec(link.source)
            if source is None or tuple(source.outputs) != (value_type,):
                return None
            matching = [n for n, s in source.inputs.items() if s.type == value_type]
            if len(matching) != 1:
                return None
            node_id, input_name = link.source, matching[0]
        return None

    @property
    def adapter(self) -> str | None:
        """The adapter that produced the submission (``"imagegen:workflow"``), ``None`` for the DevServer layout:
        messages advise in its terms."""
        return None if self.submission.chunk_file or self.submission.chunk else self.rendered.adapter

    def advice(self, devserver: str, adapter: str) -> str:
        """``devserver`` for a DevServer-layout submission, else ``adapter`` with ``{adapter}`` filled in."""
        return devserver if self.adapter is None else adapter.replace("{adapter}", self.adapter)

    def live_in_order(self) -> list[str]:
        """The live node ids in workflow order."""
        return [n for n in self.graph if n in self.live]


def _not_negative(link: Link) -> bool:
    return not link.input.lower().startswith("negative")


#: the last submission's upstream sets: the lints run once per backend on the same (immutable) submission,
#: one after the other, and the graph walk does not depend on the backend (only ``outputs`` might)
_LAST_UPSTREAM: list[tuple[Submission, tuple[str, ...], bool, frozenset[str]]] = []


def _upstream_of(submission: Submission, outputs: tuple[str, ...], *, positive: bool) -> frozenset[str]:
    for sub, outs, pos, found in _LAST_UPSTREAM:
        if sub is submission and outs == outputs and pos is positive:
            return found
    found = upstream(submission.workflow, outputs, follow=_not_negative if positive else None)
    if len(_LAST_UPSTREAM) >= 2 or (_LAST_UPSTREAM and _LAST_UPSTREAM[0][0] is not submission):
        _LAST_UPSTREAM.clear()
    _LAST_UPSTREAM.append((submission, outputs, positive, found))
    return found


def _is_encoder(spec: NodeSpec) -> bool:
    types = [s.type for s in spec.inputs.values()]
    return "CLIP" in types and "STRING" in types and "CONDITIONING" in spec.outputs


def _ordered(places: Iterable[Place], ctx: LintContext) -> list[Place]:
    order = {node_id: i for i, node_id in enumerate(ctx.graph)}
    return sorted(set(places), key=lambda p: (order.get(p[0], len(order)), p[1]))


# --- the rules ----------------------------------------------------------------------------------
def prompt_places(ctx: LintContext) -> dict[Place, str]:
    """The prompt inputs of a submission, as text origins, each with why it counts as a prompt.

    (a) every live input the app injected with role ``"prompt"``; (b) the STRING inputs of every
    *text encoder* (a class with a CLIP input, a STRING input and a CONDITIONING output, e.g.
    ``CLIPTextEncode``) on the positive path. An encoder counts as one prompt: it is empty only when
    all its STRING inputs are.
    """
    places: dict[Place, str] = {}
    for (node_id, input_name), injs in ctx.injections.items():
        if node_id in ctx.live and any(i.role == "prompt" for i in injs):
            places[(node_id, input_name)] = "the app injects the user's text here"
    for node_id in ctx.positive:
        spec = ctx.spec(node_id)
        if spec is None or not _is_encoder(spec):
            continue
        origins = [ctx.origin(node_id, n) for n, s in spec.inputs.items() if s.type == "STRING"]
        if origins and all(o is not None and _blank(o[1]) for o in origins):
            for origin in origins:
                if origin is not None:
                    places.setdefault(origin[0], f"it is the text of encoder {node_id!r} on the positive path")
    return places


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def lint_empty_prompt(ctx: LintContext) -> Iterator[Finding]:
    places = prompt_places(ctx)
    for node_id, input_name in _ordered(places, ctx):
        value = inputs_of(ctx.graph.get(node_id)).get(input_name)
        if not _blank(value) or ctx.reported(node_id, input_name):
            continue
        yield ctx.finding(
            "L001",
            f"prompt input {input_name!r} of node {node_id!r} is {value!r} ({places[(node_id, input_name)]}), "
            "so the output ignores the user's text; " + ctx.advice(
                "map the prompt to this input (input_mappings) or give the chunk a prompt",
                "make {adapter} write the user's text (or the config's prompt template) into this input"),
            node_id, input_name, expected="non-empty text", actual=value,
        )


def lint_placeholder_in_text(ctx: LintContext) -> Iterator[Finding]:
    for node_id in ctx.live_in_order():
        spec = ctx.spec(node_id)
        if spec is None:
            continue
        for input_name, value in inputs_of(ctx.graph.get(node_id)).items():
            inp = spec.inputs.get(input_name)
            if inp is None or inp.type != "STRING" or not isinstance(value, str):
                continue
            found = PLACEHOLDER.findall(value)
            if not found or ctx.reported(node_id, input_name):
                continue
            yield ctx.finding(
                "L002",
                f"text input {input_name!r} of node {node_id!r} contains {found[0]!r} "
                f"(value {_short(value)!r}); ComfyUI passes it on as literal text. " + ctx.advice(
                    "Define the placeholder's parameter, or keep `{{` out of LLM output (escape it in the chunk's "
                    "template)", "Give the placeholder a value in the config, or make {adapter} substitute it "
                    "before it builds the workflow"),
                node_id, input_name, expected="text without {{...}}", actual=value,
            )


def lint_orphan_injection(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.outputs:
        return
    for node_id, input_name in _ordered(ctx.injections, ctx):
        if node_id not in ctx.graph or node_id in ctx.live:
            continue
        injs = ctx.injections[(node_id, input_name)]
        keys = ", ".join(repr(i.key) for i in injs)
        what = f"mapping {keys}" if ctx.adapter is None else (
            "the user's text" if any(i.role == "prompt" for i in injs) else f"{keys}")
        traced = " (traced: it renders there)" if any(i.inferred for i in injs) else ""
        yield ctx.finding(
            "L003",
            f"the app writes {what}{traced} into {input_name!r} of node {node_id!r} "
            f"({class_type(ctx.graph[node_id])!r}), but that node feeds no output node, so the value is "
            "ignored; " + ctx.advice("point the mapping's node_id at the node the output actually uses",
                                     "make {adapter} write it into the node the output actually uses, or wire "
                                     "that node to the output"),
            node_id, input_name, expected="a node upstream of an output", actual=node_id,
        )


def lint_dangling_node(ctx: LintContext) -> Iterator[Finding]:
    if not ctx.outputs:
        return
    for node_id, node in ctx.graph.items():
        if node_id in ctx.live or node_id in ctx.injected_nodes or class_type(node) is None:
            continue
        yield ctx.finding(
            "L004",
            f"node {node_id!r} ({class_type(node)!r}) feeds no output node; ComfyUI never runs it. "
            + ctx.advice("Connect it or delete it from the chunk's workflow",
                         "Connect it or stop {adapter} from adding it"),
            node_id,
        )


def _seed_inputs(spec: NodeSpec) -> Iterator[str]:
    for name, inp in spec.inputs.items():
        if inp.type == "INT" and (name in SEED_INPUT_NAMES or name.endswith("_seed")):
            yield name


def lint_seed_never_varied(ctx: LintContext) -> Iterator[Finding]:
    for node_id in ctx.live_in_order():
        spec = ctx.spec(node_id)
        if spec is None:
            continue
        node_inputs = inputs_of(ctx.graph.get(node_id))
        for name in _seed_inputs(spec):
            if name not in node_inputs:
                continue
            origin = ctx.origin(node_id, name, "INT")
            if origin is None:
                continue
            injs = ctx.injections.get(origin[0], ())
            if any(i.role != "unresolved" for i in injs):
                continue
            yield ctx.finding(
                "L006",
                f"seed input {name!r} of node {node_id!r} is the fixed literal {origin[1]!r} and " + ctx.advice(
                    "no input mapping writes it, so every run gives the same result; add a `seed` mapping "
                    "(default \"random\") for this node to the chunk's input_mappings",
                    "{adapter} does not write the request's seed into it, so "
                    "every run gives the same result; set it from inputs[\"seed\"] (or report it in `injections` "
                    "with role \"seed\")"),
                node_id, name, expected="a mapped seed", actual=origin[1],
            )


def lint_source_not_builtin(ctx: LintContext) -> Iterator[Finding]:
    for node_id, input_name in _ordered(ctx.injections, ctx):
        for inj in ctx.injections[(node_id, input_name)]:
            names = PLACEHOLDER.findall(inj.source) if isinstance(inj.source, str) else []
            bad = [n for n in names if n[2:-2].strip() not in APP_RESOLVED_SOURCES]
            if not bad or ctx.reported(node_id, input_name):
                continue
            yield ctx.finding(
                "L011",
                f"input mapping {inj.key!r} takes its value from source {inj.source!r}; the app resolves only "
                f"{_names(['{{' + n + '}}' for n in sorted(APP_RESOLVED_SOURCES)])} in a mapping source, so "
                f"in production {input_name!r} of node {node_id!r} gets ''. Send the value under the key "
                f"{inj.key!r} from the proxy chunk, or use {{{{PREVIOUS_OUTPUT}}}}",
                node_id, input_name, expected=sorted(APP_RESOLVED_SOURCES), actual=inj.source,
            )
            break


def lint_kills_prompt_worker(ctx: LintContext) -> Iterator[Finding]:
    workflow = ctx.submission.workflow
    if not isinstance(workflow, Mapping):
        return
    for raw_id, node in workflow.items():
        node_id = str(raw_id)
        if not isinstance(node, Mapping) or "class_type" not in node:
            continue  # ComfyUI rejects such prompts outright (V001 / HTTP 500): nothing runs
        if not isinstance(node.get("inputs"), Mapping):
            got = "no `inputs`" if "inputs" not in node else f"`inputs` = {_short(repr(node['inputs']))}"
            yield ctx.finding(
                "L012",
                f"node {node_id!r} has {got}; ComfyUI 0.3.75 still accepts the prompt when an output validates, "
                "then its prompt worker dies executing it and every later prompt hangs. Give the node an "
                "`inputs` object (`{}` if it has none)",
                node_id, expected="an inputs object", actual=node.get("inputs"),
            )
            continue
        if node_id not in ctx.live:
            continue
        spec = ctx.spec(node_id)
        declared = set(spec.inputs) | set(spec.hidden) if spec is not None else None
        for name, value in inputs_of(node).items():
            if declared is None or name in declared or not isinstance(value, list) or len(value) != 2:
                continue
            if str(value[0]) not in ctx.graph:
                yield ctx.finding(
                    "L012",
                    f"undeclared input {name!r} of node {node_id!r} links to node {value[0]!r}, which does not "
                    "exist; ComfyUI ignores undeclared inputs when validating (HTTP 200) but its prompt worker "
                    "dies executing the prompt. Remove the input or fix the link",
                    node_id, name, expected="no link to a missing node", actual=value,
                )


def lint_custom_node_missing(ctx: LintContext) -> Iterator[Finding]:
    for node_id, node in ctx.graph.items():
        ct = class_type(node)
        if ct is None or ct in ctx.catalog:
            continue
        having = sorted(name for name, cat in ctx.others.items() if ct in cat)
        if not having:
            continue
        yield ctx.finding(
            "L007",
            f"node {node_id!r} uses class {ct!r}, which backend {ctx.backend!r} does not have; "
            f"{_names(having)} {'has' if len(having) == 1 else 'have'} it. Install the node pack on "
            f"{ctx.backend!r} or run this config only on {_names(having)}",
            node_id, expected=having, actual=ct,
        )


def lint_model_missing(ctx: LintContext) -> Iterator[Finding]:
    for node_id in ctx.live_in_order():
        ct = class_type(ctx.graph.get(node_id))
        spec = ctx.catalog.get(ct) if ct is not None else None
        if spec is None:
            continue
        for input_name, value in inputs_of(ctx.graph.get(node_id)).items():
            inp = spec.inputs.get(input_name)
            if inp is None or not isinstance(value, str) or not inp.is_combo or value in inp.choices:
                continue
            having = sorted(name for name, cat in ctx.others.items() if _lists_model(cat, ct, input_name, value))
            if not having:
                continue
            yield ctx.finding(
                "L008",
                f"{ct}.{input_name} of node {node_id!r} names model file {value!r}, which backend "
                f"{ctx.backend!r} does not have; {_names(having)} {'has' if len(having) == 1 else 'have'} it. "
                f"Copy the file to {ctx.backend!r} or use a model it lists",
                node_id, input_name, expected=having, actual=value,
            )


def _lists_model(catalog: Catalog, ct: str | None, input_name: str, value: str) -> bool:
    spec = catalog.get(ct) if ct is not None else None
    inp = spec.inputs.get(input_name) if spec is not None else None
    return inp is not None and inp.lists_model_files and value in inp.choices


def lint_deprecated_node(ctx: LintContext) -> Iterator[Finding]:
    for node_id, node in ctx.graph.items():
        ct = class_type(node)
        spec = ctx.catalog.get(ct) if ct is not None and node_id in ctx.live else None
        if spec is None or not (spec.deprecated or spec.experimental):
            continue
        status = "deprecated" if spec.deprecated else "experimental"
        yield ctx.finding(
            "L009",
            f"node {node_id!r} uses class {ct!r}, which backend {ctx.backend!r} marks {status}; "
            "replace it with its successor before ComfyUI removes or changes it",
            node_id, expected="a stable class", actual=status,
        )


def lint_media_output_missing(ctx: LintContext) -> Iterator[Finding]:
    declared = ctx.rendered.media_type or ctx.submission.media_type
    wanted = DECLARED_MEDIA.get(declared) if isinstance(declared, str) else None
    if wanted is None or not ctx.outputs:
        return
    produced: set[str] = set()
    for node_id in ctx.outputs:
        spec = ctx.spec(node_id)
        if spec is not None:
            produced |= output_media(spec)
    if wanted in produced:
        return
    first = ctx.outputs[0]
    yield ctx.finding(
        "L010",
        f"config {ctx.rendered.config!r} declares media {declared!r}, but the workflow's output nodes "
        f"({_names([f'{n} ({class_type(ctx.graph.get(n))})' for n in ctx.outputs])}) produce "
        f"{_names(sorted(produced)) if produced else 'no media'}; render the right output chunk "
        "(OUTPUT_CHUNK) or fix the config's media_type",
        first, expected=wanted, actual=sorted(produced),
    )


def _names(items: Sequence[str]) -> str:
    return ", ".join(repr(i) for i in items)


def _short(value: str, limit: int = 80) -> str:
    return value if len(value) <= limit else value[: limit - 3] + "..."


# --- project-wide rules ---------------------------------------------------------------------------
Key = tuple[str, str]


def _shape_owner(workflow: Any) -> str:
    """A name for a chunk-less submission's template: its graph shape (class_types and links, no literals)."""
    graph = nodes(workflow)
    shape = sorted(
        (node_id, class_type(node) or "", sorted((ln.input, ln.source, str(ln.slot)) for ln in links_of(
            node_id, node, graph)))
        for node_id, node in graph.items()
    )
    digest = hashlib.sha256(repr(shape).encode()).hexdigest()[:12]
    return f"workflow shape {digest}"


def lint_shared_filename_prefix(rendered: Sequence[Rendered]) -> Iterator[tuple[Key, Finding]]:
    """``filename_prefix`` literals used by more than one output chunk (or config, without chunk names)."""
    uses: dict[str, dict[str, list[tuple[Rendered, Submission, str]]]] = {}
    for r in rendered:
        for sub in r.submissions:
            owner = sub.chunk or sub.chunk_file or _shape_owner(sub.workflow)
            for node_id, node in nodes(sub.workflow).items():
                prefix = inputs_of(node).get("filename_prefix")
                if isinstance(prefix, str) and class_type(node) is not None:
                    uses.setdefault(prefix, {}).setdefault(owner, []).append((r, sub, node_id))
    for prefix, owners in uses.items():
        if len(owners) < 2:
            continue
        for owner, places in owners.items():
            rest = sorted(o for o in owners if o != owner)
            for r, sub, node_id in places:
                pointer = input_pointer(node_id, "filename_prefix")
                node = nodes(sub.workflow)[node_id]
                yield (r.config, r.mode), Finding(
                    "L005",
                    f"filename_prefix {prefix!r} of node {node_id!r} in {owner!r} is also used by "
                    f"{_names(rest)}; results are fetched by prefix, so one run can return the other's "
                    "files. Give each output chunk its own filename_prefix",
                    lookup("L005").severity, node_id=node_id, class_type=class_type(node),
                    input="filename_prefix", path="/workflow" + pointer if sub.chunk_file else pointer,
                    expected="a prefix unique to this chunk", actual=prefix, file=sub.chunk_file,
                )


# --- tables and entry points ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Lint:
    """One per-submission rule: a stable code and a function over a :class:`LintContext`."""

    code: str
    fn: Callable[[LintContext], Iterable[Finding]]


@dataclass(frozen=True, slots=True)
class ProjectLint:
    """One rule over all rendered outcomes of a project; yields ``((config, mode), finding)``."""

    code: str
    fn: Callable[[Sequence[Rendered]], Iterable[tuple[Key, Finding]]]


LINTS: tuple[Lint, ...] = (
    Lint("L001", lint_empty_prompt),
    Lint("L002", lint_placeholder_in_text),
    Lint("L003", lint_orphan_injection),
    Lint("L004", lint_dangling_node),
    Lint("L006", lint_seed_never_varied),
    Lint("L007", lint_custom_node_missing),
    Lint("L008", lint_model_missing),
    Lint("L009", lint_deprecated_node),
    Lint("L010", lint_media_output_missing),
    Lint("L011", lint_source_not_builtin),
    Lint("L012", lint_kills_prompt_worker),
)
PROJECT_LINTS: tuple[ProjectLint, ...] = (ProjectLint("L005", lint_shared_filename_prefix),)


def run_lints(
    submission: Submission,
    rendered: Rendered,
    catalog: Catalog,
    *,
    backend: str,
    backends: Mapping[str, Catalog] | None = None,
    select: Iterable[str] | None = None,
) -> tuple[Finding, ...]:
    """Every per-submission lint (or those in ``select``) on one submission for one backend.

    ``backends`` holds every backend's catalog by name (this one may be included); lints L007/L008
    use it to say which install has what this one lacks.
    """
    ctx = LintContext(submission, rendered, backend, catalog, dict(backends or {}))
    chosen = None if select is None else {c.upper() for c in select}
    out: list[Finding] = []
    for lint in LINTS:
        if chosen is None or lint.code in chosen:
            out.extend(lint.fn(ctx))
    return tuple(out)


def run_project_lints(
    rendered: Sequence[Rendered], *, select: Iterable[str] | None = None
) -> dict[Key, tuple[Finding, ...]]:
    """The project-wide lints over all outcomes; findings by ``(config, mode)`` (only keys with findings)."""
    chosen = None if select is None else {c.upper() for c in select}
    out: dict[Key, list[Finding]] = {}
    for lint in PROJECT_LINTS:
        if chosen is not None and lint.code not in chosen:
            continue
        for key, found in lint.fn(rendered):
            bucket = out.setdefault(key, [])
            if found not in bucket:
                bucket.append(found)
    return {k: tuple(v) for k, v in out.items()}
