"""What a campaign runs against: a project's generator and backends, each config's baseline and facts,
and the Hypothesis strategy of one config's requests.

The *baseline* of a config is the set of failure signatures it has with the default inputs in each
known mode — what ``comfy-contract check`` already reports. A fuzz failure is *input-dependent* when its
signature is not in the baseline of its mode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from comfy_contract.core.errors import ComfyContractError
from comfy_contract.fuzz import strategies as cst
from comfy_contract.fuzz.properties import PropertyResult, Signature, check_inputs
from comfy_contract.fuzz.space import (
    InputSpace,
    SpaceOptions,
    default_adapter_space,
    find_space_files,
    load_input_space,
)
from comfy_contract.render.model import MODES, Generator, Rendered, RenderInputs
from comfy_contract.validation.catalog import Catalog, InputSpec

__all__ = ["ConfigFacts", "Example", "Target", "assert_passes", "load_target"]

@dataclass(frozen=True)
class Example:
    """One generated request: an execution mode and the render inputs."""

    mode: str
    inputs: RenderInputs

    def to_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "inputs": self.inputs.to_dict()}


@dataclass(frozen=True)
class ConfigFacts:
    """What the input space of one config is derived from."""

    config: str
    llm_steps: tuple[tuple[str, tuple[str, ...]], ...]  # (step name, split keys or ())
    context_placeholders: tuple[str, ...]
    offered_output_configs: tuple[str, ...]
    parameters: Mapping[str, InputSpec | None]  # parameter -> merged input spec of where it lands
    own_parameters: tuple[str, ...]  # every parameter name the config (and its output configs) set
    baseline: Mapping[str, frozenset[Signature]]  # known mode -> static failure signatures
    renders_workflow: bool  # some known mode submits something with the default inputs
    render_fails: bool  # every known mode fails before reaching ComfyUI


@dataclass(frozen=True, eq=False)
class Target:
    """A project ready to fuzz. Build it with :func:`load_target`."""

    generator: Generator
    backends: Mapping[str, Catalog]
    modes: tuple[str, ...] = MODES
    space: InputSpace = field(default_factory=InputSpace)
    project_file: str | None = None
    snapshots: Any = None  # a SnapshotStore when the snapshot property is on
    lints: bool = True
    _facts: dict[str, ConfigFacts] = field(default_factory=dict, repr=False)
    _strategies: dict[str, st.SearchStrategy[RenderInputs]] = field(default_factory=dict, repr=False)

    def configs(self) -> list[str]:
        return list(self.generator.configs())

    def check(self, config: str, mode: str, inputs: RenderInputs) -> PropertyResult:
        return check_inputs(self.generator, config, mode, inputs, self.backends, lints=self.lints,
                            snapshots=self.snapshots)

    def facts(self, config: str) -> ConfigFacts:
        cached = self._facts.get(config)
        if cached is None:
            cached = self._facts[config] = _derive_facts(self, config)
        return cached

    def options(self, config: str) -> SpaceOptions:
        return self.space.options_for(config)

    def strategy(self, config: str) -> st.SearchStrategy[Example]:
        """The requests of ``config`` the input space allows."""
        return example_strategy(self.facts(config), self.options(config), self.modes)

    def inputs_strategy(self, config: str) -> st.SearchStrategy[RenderInputs]:
        """The render inputs of :meth:`strategy` without the mode (``hunt`` checks each in every mode of
        :meth:`fuzz_modes`; cached per config, so a campaign's rounds share one strategy)."""
        cached = self._strategies.get(config)
        if cached is None:
            cached = self._strategies[config] = inputs_strategy(self.facts(config), self.options(config))
        return cached

    def fuzz_modes(self, config: str) -> tuple[str, ...]:
        """The execution modes :meth:`strategy` draws from: the input space's (else the project's), plus its
        extra modes."""
        options = self.options(config)
        return tuple(dict.fromkeys((*(options.modes or self.modes), *options.extra_modes)))

    def static(self, config: str, mode: str) -> frozenset[Signature]:
        return self.facts(config).baseline.get(mode, frozenset())


def load_target(
    project: str | Path | None = None,
    *,
    space_files: Sequence[str | Path] | None = None,
    snapshots: bool = False,
    lints: bool = True,
) -> Target:
    """The project at ``project`` (default: found from the cwd) with its input space
    (``space_files``, default ``generators/*.yaml`` next to the project file)."""
    from comfy_contract.check.project import load_project

    proj = load_project(project)
    files = list(space_files) if space_files is not None else find_space_files(proj.file.resolve().parent)
    store = None
    if snapshots:
        if proj.snapshots is None:
            raise ComfyContractError(f"{proj.file}: no `snapshots` folder configured, so the snapshot property "
                                     "cannot run", hint="add `snapshots: DIR` to the project file or drop --snapshots")
        from comfy_contract.snapshot.store import SnapshotStore

        store = SnapshotStore(proj.snapshots)
    space = load_input_space(files, explicit=space_files is not None)
    generator = proj.generator()
    if not space.files and space_files is None and getattr(generator, "tree", None) is None:
        space = default_adapter_space()  # an adapter app without an input space: try what users type
    return Target(generator, proj.backends(), proj.modes, space, str(proj.file),
                  store, lints)


def assert_passes(target: Target, config: str, example: Example, *, include_static: bool = False) -> None:
    """Fail (``AssertionError``) if ``example`` breaks ``config`` in a way its default inputs do not
    (every way, with ``include_static``); the message lists each failure and the inputs."""
    result = target.check(config, example.mode, example.inputs)
    static = frozenset() if include_static else target.static(config, example.mode)
    new = result.new_failures(static)
    if new:
        lines = "\n".join(f"  - {f.describe()}" for f in new)
        raise AssertionError(
            f"{config!r} [{example.mode}] fails for these inputs:\n{lines}\ninputs: {example.inputs.to_dict()!r}"
        )


# --- facts -------------------------------------------------------------------------------------------
def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _tree_facts(generator: Generator, config: str) -> tuple[list[tuple[str, tuple[str, ...]]], list[str],
                                                            list[str], list[str]]:
    """LLM steps, context placeholders, offered output configs and parameter names, from a
    DevServer tree when the generator has one (other generators: one ``"*"`` step, nothing else)."""
    from comfy_contract.render.devserver.placeholders import names_in

    tree = getattr(generator, "tree", None)
    if tree is None:
        return [("*", ())], [], [], []
    doc = tree.configs.get(config)
    data = doc.data if doc is not None and doc.data is not None else {}
    key = "pipeline" if "pipeline" in data else "workflow_type"
    pipe_doc = tree.pipelines.get(data.get(key)) if isinstance(data.get(key), str) else None
    pipe = pipe_doc.data if pipe_doc is not None and pipe_doc.data is not None else {}
    needs = (pipe.get("input_requirements") or {}).get("split_text") if isinstance(pipe, Mapping) else None
    split = tuple(needs) if isinstance(needs, Mapping) else ()
    steps: list[tuple[str, tuple[str, ...]]] = []
    for raw in pipe.get("chunks", []) if isinstance(pipe.get("chunks"), list) else []:
        chunk_doc = tree.chunks.get(raw) if isinstance(raw, str) else None
        chunk = chunk_doc.data if chunk_doc is not None and chunk_doc.data is not None else None
        if chunk is not None and chunk.get("type") in (None, "llm", "processing"):
            steps.append((str(chunk.get("name") or raw), split))
    context = sorted({n for text in _strings(data.get("context")) for n in names_in(text)})
    raw_prefs = data.get("media_preferences")
    prefs: Mapping[str, Any] = raw_prefs if isinstance(raw_prefs, Mapping) else {}
    offered = [str(n) for n in prefs.get("output_configs") or [] if isinstance(n, str)]
    params: list[str] = []
    for name in [config, *offered]:
        d = tree.configs.get(name)
        if d is not None and isinstance(d.data, Mapping) and isinstance(d.data.get("parameters"), Mapping):
            params.extend(str(k) for k in d.data["parameters"])
    return steps, context, offered, params


def _merge_specs(specs: list[InputSpec]) -> InputSpec | None:
    """One spec that only allows what every target allows (min of the maxima, common choices)."""
    if not specs:
        return None
    first = specs[0]
    if len(specs) == 1:
        return first
    if first.is_combo:
        common = [c for c in first.choices if all(c in s.choices for s in specs[1:])]
        return InputSpec(first.name, first.category, common, {}, [common, {}])
    opts = dict(first.options)
    for s in specs[1:]:
        if s.type != first.type:
            return first
        for bound, pick in (("min", max), ("max", min)):
            values = [v for v in (opts.get(bound), s.options.get(bound)) if isinstance(v, int | float)]
            if values:
                opts[bound] = pick(values)
    return InputSpec(first.name, first.category, first.type, opts, [first.type, opts])


def _parameter_specs(renders: list[Rendered], backends: Mapping[str, Catalog]) -> dict[str, InputSpec | None]:
    targets: dict[str, list[InputSpec]] = {}
    for rendered in renders:
        for sub in rendered.submissions:
            for inj in sub.injections:
                if inj.role not in ("parameter", "seed"):
                    continue
                node = sub.workflow.get(inj.node_id)
                class_type = node.get("class_type") if isinstance(node, Mapping) else None
                leaf = inj.field.rsplit(".", 1)[-1]
                spec = None
                for catalog in backends.values():
                    node_spec = catalog.nodes.get(class_type) if isinstance(class_type, str) else None
                    if node_spec is not None and leaf in node_spec.inputs:
                        spec = node_spec.inputs[leaf]
                        break
                found = targets.setdefault(inj.key.upper(), [])
                if spec is not None:
                    found.append(spec)
    return {name: _merge_specs(specs) for name, specs in sorted(targets.items())}


def _derive_facts(target: Target, config: str) -> ConfigFacts:
    steps, context, offered, own = _tree_facts(target.generator, config)
    baseline: dict[str, frozenset[Signature]] = {}
    renders: list[Rendered] = []
    workflow = False
    fails = True
    for mode in target.modes:
        result = target.check(config, mode, RenderInputs())
        baseline[mode] = result.signatures
        if result.rendered is not None:
            renders.append(result.rendered)
            workflow = workflow or bool(result.rendered.submissions)
            fails = fails and result.rendered.outcome == "error"
    return ConfigFacts(config, tuple(steps), tuple(context), tuple(offered), _parameter_specs(renders, target.backends),
                       tuple(own), baseline, workflow, fails)


# --- the strategy ------------------------------------------------------------------------------------
def _text(opts: Any, placeholders: Sequence[str] = ()) -> st.SearchStrategy[str]:
    return cst.user_texts(max_size=opts.max_size, blank=opts.blank, unicode=opts.unicode, quotes=opts.quotes,
                          newlines=opts.newlines, braces=opts.braces, control_characters=opts.control_characters,
                          long=opts.long, placeholders=placeholders)


def _llm_placeholders(facts: ConfigFacts, options: SpaceOptions) -> tuple[str, ...]:
    p = options.llm_placeholders
    if isinstance(p, tuple):
        return p
    if p == "from_context":
        return facts.context_placeholders
    if p == "any":
        return (*facts.context_placeholders, *facts.own_parameters, "PREVIOUS_OUTPUT", "USER_INPUT", "X")
    return ()


def example_strategy(facts: ConfigFacts, options: SpaceOptions, modes: Sequence[str]) -> st.SearchStrategy[Example]:
    """The strategy of one config's requests, from its facts and its input-space options."""
    mode_st = cst.execution_modes(options.modes or tuple(modes), extra=options.extra_modes)
    return st.builds(Example, mode_st, inputs_strategy(facts, options))


def inputs_strategy(facts: ConfigFacts, options: SpaceOptions) -> st.SearchStrategy[RenderInputs]:
    """The render inputs of one config's requests (every dimension but the mode)."""
    placeholders = _llm_placeholders(facts, options)
    llm: dict[str, st.SearchStrategy[str]] = {}
    if options.llm_vary:
        for name, split in facts.llm_steps:
            if split:
                llm[name] = cst.split_outputs(split, empty_parts=options.split_empty_parts,
                                              extra_keys=options.split_extra_keys, malformed=options.split_malformed,
                                              placeholders=placeholders)
            else:
                llm[name] = _text(options.llm_text, placeholders)
    params: dict[str, st.SearchStrategy[Any]] = {}
    for name, spec in facts.parameters.items():
        if not options.varies(name):
            continue
        if name in options.parameter_values:
            params[name] = st.sampled_from(options.parameter_values[name])
        elif name in options.seed_names:
            params[name] = cst.seeds(random=options.seed_random, inside=options.seed_inside,
                                     outside=options.seed_outside)
        elif spec is not None and (options.parameters_inside or options.parameters_outside):
            params[name] = cst.parameter_values(spec, inside=options.parameters_inside,
                                                outside=options.parameters_outside)
    for name, values in options.parameter_values.items():
        params.setdefault(name, st.sampled_from(values))
    avoid = () if options.custom_collide else (*facts.own_parameters, "PREVIOUS_OUTPUT", "INPUT_TEXT", "USER_INPUT")
    custom = cst.custom_placeholders(names=options.custom_names, unexpected=options.custom_unexpected,
                                     avoid=avoid, max_size=options.custom_max)
    offered = facts.offered_output_configs if options.output_config == "offered" else ()
    output = cst.output_configs(offered, unknown=options.unknown_output_configs)
    return cst.render_inputs(user_text=_text(options.user_text), llm_outputs=llm, custom=custom,
                             parameters=params, output_config=output)
