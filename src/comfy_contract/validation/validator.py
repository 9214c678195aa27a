"""Offline ``POST /prompt`` validation that answers exactly as ComfyUI would.

The semantics follow ComfyUI's ``validate_prompt``/``validate_inputs`` for the catalog's era (see
``comfy_contract.validation.eras``), re-implemented from observed behaviour. Python semantics are the point:
literal conversion uses the same builtins (``int("64")``, ``bool("false")``), links are indexed like
tuples (negative indexes work), and the exceptions ComfyUI would catch arise here from the same
operations, so their messages match. ComfyUI iterates Python sets where this module uses a fixed
order (JSON order for outputs, declared order for inputs); where the server's own answer varies with
``PYTHONHASHSEED`` this module's answer is one of the server's possible answers.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from comfy_contract.core.codes import BY_COMFYUI_TYPE
from comfy_contract.core.findings import Finding, Severity
from comfy_contract.core.jsonio import json_pointer
from comfy_contract.validation.catalog import Catalog
from comfy_contract.validation.dynamic import DYNAMIC_TYPES, DynamicInputError, Expanded, expand
from comfy_contract.validation.eras import Era, get_era
from comfy_contract.validation.hashorder import set_order, union_order
from comfy_contract.validation.replacements import apply_replacements
from comfy_contract.validation.verdict import SERVER_ERROR_BODY, Verdict

__all__ = ["validate", "validate_request"]

Reason = dict[str, Any]
#: exceptions ComfyUI's validation catches and reports; anything else here is a bug of ours
_CAUGHT = (KeyError, IndexError, TypeError, ValueError, OverflowError, RecursionError, AttributeError)
_NO_DEFAULT = object()
_MISSING = object()


@dataclass(frozen=True, slots=True)
class _Check:
    """One declared input of a class, pre-digested for the era."""

    name: str
    required: bool
    input_type: Any
    extra_info: Mapping[str, Any]
    convert: Any  # callable or None
    min: Any
    max: Any
    combo: Any  # list or None
    custom_validated: bool  # an argument of the class's VALIDATE_INPUTS: no min/max/combo check
    combo_set: frozenset[Any] | None = None  # ``combo`` as a set, when every option is hashable


@dataclass(frozen=True, slots=True)
class _Class:
    checks: tuple[_Check, ...]
    outputs: Sequence[Any]  # RETURN_TYPES, a list or a tuple as in ComfyUI (index errors name the type)
    output_node: bool
    #: the declared ``input`` of a class with v3 dynamic inputs, in an era that expands them per node
    dynamic: Mapping[str, Any] | None = None
    custom: tuple[str, ...] = ()
    #: ``checks`` as flat tuples, unpacked once per input in the hot loop (see :func:`_plan`)
    plan: tuple[tuple[Any, ...], ...] = ()
    #: False until ``checks`` are put in the order ComfyUI's set of input names has (``_set_ordered``)
    ordered: bool = True


def _set_ordered(cls: _Class) -> _Class:
    """``cls`` with its checks in the order ``validate_inputs`` walks ``set(required).union(set(optional))``
    on a server run with ``PYTHONHASHSEED=0`` (``hashorder``)."""
    by_name = {c.name: c for c in cls.checks}
    names = union_order([c.name for c in cls.checks if c.required], [c.name for c in cls.checks if not c.required])
    checks = tuple(by_name[n] for n in names)
    return replace(cls, checks=checks, plan=_plan(checks), ordered=True)


def _plan(checks: Sequence[_Check]) -> tuple[tuple[Any, ...], ...]:
    return tuple((c.name, c.required, c.input_type, c.convert, c.min, c.max, c.combo, c.combo_set,
                  c.custom_validated, c) for c in checks)


def _make_check(name: str, category: str, input_type: Any, opts: Mapping[str, Any], era: Era,
                custom: tuple[str, ...]) -> _Check:
    combo = era.combo_options(input_type, opts)
    return _Check(
        name=name,
        required=category == "required",
        input_type=input_type,
        extra_info=opts,
        convert=era.conversions.get(input_type) if isinstance(input_type, str) else None,
        min=opts.get("min", _NO_DEFAULT),
        max=opts.get("max", _NO_DEFAULT),
        combo=combo,
        custom_validated=name in custom,
        combo_set=_as_set(combo),
    )


def _as_set(combo: Any) -> frozenset[Any] | None:
    if not isinstance(combo, list):
        return None
    try:
        return frozenset(combo)
    except TypeError:
        return None


def _expanded_checks(cls: _Class, expanded: Expanded, era: Era) -> tuple[_Check, ...]:
    checks = []
    for category, group in (("required", expanded.required), ("optional", expanded.optional)):
        for name, spec in group.items():
            opts = spec[1] if len(spec) > 1 else {}
            checks.append(_make_check(name, category, spec[0], opts, era, cls.custom))
    return tuple(checks)


def _compile(catalog: Catalog, era: Era) -> dict[str, _Class]:
    cached = catalog._compiled.get(era.id)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    table: dict[str, _Class] = {}
    for name, spec in catalog.nodes.items():
        custom = tuple(era.validate_inputs_args.get(name, ()))
        checks = tuple(
            _make_check(inp.name, inp.category, inp.type, inp.options, era, custom)
            for inp in spec.inputs.values()
            if inp.category != "optional" or era.validates_optional
        )
        dynamic = None
        if era.dynamic_inputs and any(isinstance(i.type, str) and i.type in DYNAMIC_TYPES
                                      for i in spec.inputs.values()):
            dynamic = spec.raw.get("input", {})
        outputs = era.return_types(spec.raw)(spec.outputs)
        # in the era's set order on first use (``_set_ordered``): hashing every input name of a catalog up
        # front costs ~25 ms, a prompt uses a few dozen classes
        ordered = not (era.inputs_in_set_order and len(checks) > 1)
        table[name] = _Class(checks, outputs, spec.output_node, dynamic, custom, _plan(checks), ordered)
    catalog._compiled[era.id] = table
    return table


def _info(check: _Check) -> list[Any]:
    """``input_config`` as ComfyUI serialises the ``(input_type, extra_info)`` tuple."""
    return [check.input_type, dict(check.extra_info)]


def _missing_arguments(function: str, names: list[str]) -> str:
    """Python's message for a call without required positional arguments, e.g. ComfyUI calling
    ``LoadLatent.VALIDATE_INPUTS(**inputs)`` for a node without ``latent`` (probed on 0.3.75, early-2025,
    late-2024: the node's own reasons are replaced by this exception)."""
    quoted = [repr(n) for n in names]
    listed = quoted[0] if len(quoted) == 1 else (
        f"{quoted[0]} and {quoted[1]}" if len(quoted) == 2 else f"{', '.join(quoted[:-1])}, and {quoted[-1]}")
    plural = "argument" if len(names) == 1 else "arguments"
    return f"{function}() missing {len(names)} required positional {plural}: {listed}"


def _type_name(exc: BaseException) -> str:
    cls = type(exc)
    return cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"


class _Run:
    """State of one ``validate_prompt`` call (ComfyUI's ``validated`` dict and friends)."""

    def __init__(self, prompt: Mapping[str, Any], classes: dict[str, _Class], era: Era) -> None:
        self.prompt = prompt
        self.classes = classes
        self.era = era
        self.validated: dict[Any, tuple[bool, list[Reason], Any]] = {}
        self.notes: list[Finding] = []
        #: nodes being validated (the recursion stack). ComfyUI 0.3.75 has no cycle check: a link back
        #: into the stack recurses until RecursionError, which is caught deep down and attached to a node
        #: of the cycle, whose outer frames then overwrite it with their own result. Net effect (probed
        #: on the real server): the linking node is invalid without a reason for that input, everything
        #: else is validated as usual.
        self.stack: set[Any] = set()
        #: the same nodes in recursion order (ComfyUI's ``visiting`` list, Apr 2026 on)
        self.path: list[Any] = []
        self.track_path = era.detects_cycles
        self.deep_noted = False  # the V090 note about ComfyUI's recursion limit is given once
        self.note_depth = era.uncertain_depths[0] or sys.maxsize
        self.max_depth = era.max_depth

    def _sandbox(self) -> _Run:
        probe = _Run(self.prompt, self.classes, self.era)
        probe.validated = dict(self.validated)
        probe.stack = set(self.stack)
        probe.path = list(self.path)
        probe.deep_noted = True  # a sandbox's notes are dropped: never note from it
        probe.note_depth = sys.maxsize
        return probe

    def _link_effect(self, check: _Check, val: Any, depth: int, before: set[Any]) -> Any:
        """What validating link input ``check`` of ``uid`` leaves behind that a reader of the answer can
        see: the exception it raises (as text), ``"invalid"`` if it validates an upstream node that fails,
        else None. Runs in a sandbox; the real state is untouched."""
        probe = self._sandbox()
        try:
            received_type = probe.classes[probe.prompt[val[0]]["class_type"]].outputs[val[1]]
            if not probe.era.link_match(received_type, check.input_type) or val[0] in probe.stack:
                return None
            if val[0] in before:  # validated before this node: the same answer in any order
                return None
            result = self.validated.get(val[0]) or probe.validate_inputs(val[0], depth + 1)
            return "invalid" if result[0] is not True else None
        except _CAUGHT as ex:
            return f"{_type_name(ex)}: {ex}"

    def _order_matters(self, cls: _Class, inputs: Mapping[str, Any], raised_at: str, exc: BaseException,
                       depth: int, mark: int) -> bool:
        """ComfyUI iterates a node's inputs as a Python set, so when one link raises, which other links
        were validated before it (and which exception wins) depends on ``PYTHONHASHSEED``."""
        raised = f"{_type_name(exc)}: {exc}"
        before = set(list(self.validated)[:mark])
        for check in cls.checks:
            if check.name == raised_at or check.name not in inputs:
                continue
            val = inputs[check.name]
            if not isinstance(val, list) or len(val) != 2:
                continue
            effect = self._link_effect(check, val, depth, before)
            if effect is not None and effect != raised:
                return True
        return False

    def note(self, message: str, node_id: Any = None, input_name: str | None = None) -> None:
        self.notes.append(
            Finding("V090", message, Severity.WARNING, node_id=None if node_id is None else str(node_id),
                    input=input_name)
        )

    def validate_inputs(self, uid: Any, depth: int) -> tuple[bool, list[Reason], Any]:
        validated = self.validated
        if uid in validated:
            return validated[uid]
        if depth >= self.note_depth:
            self._note_deep(uid, depth)
        if depth > self.max_depth:
            raise RecursionError("maximum recursion depth exceeded while calling a Python object")
        stack = self.stack
        stack.add(uid)
        if self.track_path:
            self.path.append(uid)
            try:
                return self._validate_inputs(uid, depth)
            finally:
                stack.discard(uid)
                self.path.pop()
        try:
            return self._validate_inputs(uid, depth)
        finally:
            stack.discard(uid)

    def _note_deep(self, uid: Any, depth: int) -> None:
        low, high = self.era.uncertain_depths
        if not self.deep_noted:
            self.deep_noted = True
            self.note_depth = sys.maxsize
            self.note(
                f"the graph nests links {depth}+ deep, at ComfyUI's recursion limit: a real server fails "
                f"somewhere between depth {low} (a cold first request) and {high}, so whether it accepts this "
                "graph - and which node reports the RecursionError - is undecidable offline; keep chains "
                f"shorter than {low} nodes", uid)

    def _mark_cycle(self, o_id: Any) -> None:
        """ComfyUI 2026: re-entering ``o_id`` marks every node from it along the recursion path (and
        back to it) with ``dependency_cycle``; their own errors are joined when their frames finish."""
        walk = [*self.path[self.path.index(o_id):], o_id]
        members = list(dict.fromkeys(walk))
        described = " -> ".join(f"{n} ({self.prompt[n]['class_type']})" for n in walk)
        for n in members:
            self.validated[n] = (False, [{
                "type": "dependency_cycle",
                "message": "Dependency cycle detected",
                "details": described,
                "extra_info": {"node_id": n, "cycle_nodes": members},
            }], n)

    def _validate_inputs(self, uid: Any, depth: int) -> tuple[bool, list[Reason], Any]:
        validated = self.validated
        mark = len(validated)  # the nodes validated before this one are the first ``mark`` keys
        prompt = self.prompt
        node = prompt[uid]
        inputs = node["inputs"]
        class_type = node["class_type"]
        cls = self.classes[class_type]
        is_dict = type(inputs) is dict
        errors: list[Reason] = []
        valid = True
        era = self.era
        plan = cls.plan
        v3_data = False
        if cls.dynamic is not None:
            try:
                expanded = expand(cls.dynamic, inputs)
            except DynamicInputError as ex:
                validated[uid] = (False, [{
                    "type": "invalid_dynamic_input",
                    "message": "Invalid dynamic input",
                    "details": str(ex),
                    "extra_info": {"input_name": ex.input_name},
                }], uid)
                return validated[uid]
            plan = _plan(_expanded_checks(cls, expanded, era))
            v3_data = expanded.has_v3_data
        # ComfyUI writes converted literals back into the prompt; nothing in validation reads them again, so
        # the caller's workflow is read, never copied or changed
        unwraps = era.unwraps_value
        classes = self.classes
        stack = self.stack
        for x, required, input_type, convert, lo, hi, combo, combo_set, custom, chk in plan:
            if is_dict:
                val = inputs.get(x, _MISSING)
                missing = val is _MISSING
            else:
                missing = x not in inputs
            if missing:
                if required:
                    errors.append({
                        "type": "required_input_missing",
                        "message": "Required input is missing",
                        "details": x.split(".")[-1] if v3_data else f"{x}",
                        "extra_info": {"input_name": x},
                    })
                continue
            if not is_dict:
                val = inputs[x]
            if isinstance(val, list):
                if len(val) != 2:
                    errors.append({
                        "type": "bad_linked_input",
                        "message": "Bad linked input, must be a length-2 list of [node_id, slot_index]",
                        "details": f"{x}",
                        "extra_info": {"input_name": x, "input_config": _info(chk), "received_value": val},
                    })
                    continue
                o_id = val[0]
                try:
                    o_class_type = prompt[o_id]["class_type"]
                    received_type = classes[o_class_type].outputs[val[1]]
                except _CAUGHT as ex:
                    if self._order_matters(cls, inputs, x, ex, depth, mark):
                        self.note(
                            f"link {x!r} of node {uid!r} raises {_type_name(ex)}: {ex}, and ComfyUI iterates a "
                            "node's inputs as a set: which of its other links are validated first (and reported) "
                            "depends on the server's PYTHONHASHSEED", uid, x)
                    raise
                if received_type != input_type:  # equal types always match, in every era
                    if not era.link_match(received_type, input_type):
                        errors.append({
                            "type": "return_type_mismatch",
                            "message": "Return type mismatch between linked nodes",
                            "details": era.mismatch_details(x, received_type, input_type),
                            "extra_info": {
                                "input_name": x,
                                "input_config": _info(chk),
                                "received_type": received_type,
                                "linked_node": val,
                            },
                        })
                        continue
                    if era.link_is_wildcard_only(received_type, input_type):
                        self.note(
                            f"link {x!r} from node {o_id!r} ({received_type!r}) to {input_type!r} matches only "
                            "if the '*' side is an AnyType wildcard, which /object_info cannot show", uid, x)
                if o_id in stack and (not era.detects_cycles or o_id not in validated):
                    if era.detects_cycles:
                        self._mark_cycle(o_id)
                    valid = False  # a cycle: see ``stack`` (before 2026) and ``_mark_cycle``
                    continue
                try:
                    res = validated.get(o_id) or self.validate_inputs(o_id, depth + 1)
                    if res[0] is False:
                        valid = False
                        continue
                except _CAUGHT as ex:
                    valid = False
                    validated[o_id] = (False, [{
                        "type": "exception_during_inner_validation",
                        "message": "Exception when validating inner node",
                        "details": str(ex),
                        "extra_info": {
                            "input_name": x,
                            "input_config": _info(chk),
                            "exception_message": str(ex),
                            "exception_type": _type_name(ex),
                            "traceback": [],
                            "linked_node": val,
                        },
                    }], o_id)
                    continue
            else:
                try:
                    if unwraps and isinstance(val, dict) and "__value__" in val:
                        val = val["__value__"]
                    if convert is not None and type(val) is not convert:  # int(5) is 5: skip the call
                        val = convert(val)
                except Exception as ex:
                    errors.append({
                        "type": "invalid_input_type",
                        "message": f"Failed to convert an input value to a {input_type} value",
                        "details": f"{x}, {val}, {ex}",
                        "extra_info": {
                            "input_name": x,
                            "input_config": _info(chk),
                            "received_value": val,
                            "exception_message": str(ex),
                        },
                    })
                    continue
                if custom:
                    if combo is not None and val not in combo:
                        self.note(
                            f"{class_type}.{x} = {val!r} is not listed, but the node's own VALIDATE_INPUTS "
                            "decides (it may accept files in sub-folders); only a live server can tell", uid, x)
                    continue
                if lo is not _NO_DEFAULT and val < lo:
                    errors.append({
                        "type": "value_smaller_than_min",
                        "message": f"Value {val} smaller than min of {lo}",
                        "details": f"{x}",
                        "extra_info": {"input_name": x, "input_config": _info(chk), "received_value": val},
                    })
                    continue
                if hi is not _NO_DEFAULT and val > hi:
                    errors.append({
                        "type": "value_bigger_than_max",
                        "message": f"Value {val} bigger than max of {hi}",
                        "details": f"{x}",
                        "extra_info": {"input_name": x, "input_config": _info(chk), "received_value": val},
                    })
                    continue
                if combo is None:
                    continue
                if era.multiselect and isinstance(val, list) and chk.extra_info.get("multiselect", False):
                    invalid = [v for v in val if v not in combo]
                else:
                    try:  # the same answer as ``val in combo`` for every hashable value, without a list scan
                        listed = val in combo_set if combo_set is not None else val in combo
                    except TypeError:
                        listed = val in combo
                    invalid = [] if listed else [val]
                if invalid:
                    input_config: Any = _info(chk)
                    if len(combo) > 20:
                        list_info = f"(list of length {len(combo)})"
                        input_config = None
                    else:
                        list_info = str(combo)
                    errors.append({
                        "type": "value_not_in_list",
                        "message": "Value not in list",
                        "details": era.not_in_list_details(x, val, invalid, list_info),
                        "extra_info": {"input_name": x, "input_config": input_config, "received_value": val},
                    })
                    continue
        if cls.custom:  # then VALIDATE_INPUTS is called with the inputs it names (those the node has)
            if type(inputs) is not dict:  # get_input_data reads ``inputs[x] for x in inputs`` first
                for key in inputs:
                    inputs[key]
            absent = [a for a in cls.custom if a not in inputs]
            if absent:
                raise TypeError(_missing_arguments(era.validate_inputs_names.get(
                    class_type, f"{class_type}.VALIDATE_INPUTS"), absent))
            if class_type not in era.validate_inputs_checks_file:
                self.note(f"{class_type}'s own VALIDATE_INPUTS decides about {', '.join(cls.custom)} (it may reject "
                          "these values, or raise on a linked one); only a live server can tell", uid)
            for name in cls.custom if class_type in era.validate_inputs_checks_file else ():
                # the file loaders' VALIDATE_INPUTS: folder_paths.exists_annotated_filepath(value) calls
                # value.endswith(...), so a link (passed as None) or a literal that is no string raises
                arg = inputs[name]
                if era.unwraps_value and type(arg) is dict and "__value__" in arg:
                    arg = arg["__value__"]
                arg = era.validate_inputs_arg(arg)
                if type(arg) is not str:
                    raise AttributeError(f"'{type(arg).__name__}' object has no attribute 'endswith'")
        if era.detects_cycles and uid in validated:  # marked by a cycle below us: join our own errors
            marked = validated[uid]
            ret = (False, marked[1] + [e for e in errors if e not in marked[1]], uid)
        else:
            ret = (False, errors, uid) if errors or valid is not True else (True, [], uid)
        validated[uid] = ret
        return ret


class _ServerError(Exception):
    """ComfyUI's request handler would raise: the server answers HTTP 500."""

    def __init__(self, exc: BaseException) -> None:
        self.exc = exc
        super().__init__(f"{_type_name(exc)}: {exc}")


@contextmanager
def _deep_stack(era: Era, prompt: Any) -> Iterator[None]:
    """Room on Python's stack for ComfyUI's recursion depth (a few frames per nested node): raised only for
    prompts that can nest that deep, so that small ones do not pay for it."""
    try:
        small = len(prompt) * 4 + 200 < sys.getrecursionlimit()
    except TypeError:
        small = True  # not a mapping: validation fails before it recurses
    if small:
        yield
        return
    old = sys.getrecursionlimit()
    needed = era.max_depth * 3 + 2000
    if old < needed:
        sys.setrecursionlimit(needed)
    try:
        yield
    finally:
        if old < needed:
            sys.setrecursionlimit(old)


def _validate_prompt(
    prompt: Any, classes: dict[str, _Class], era: Era, partial: Any
) -> tuple[bool, Reason | None, list[Any], dict[Any, Any], list[Finding]]:
    """ComfyUI's ``validate_prompt``: ``(ok, error, good_outputs, node_errors, notes)``.

    Raises :class:`_ServerError` where ComfyUI's handler itself would raise.
    """
    outputs: list[Any] = []
    try:
        for x in prompt:
            node = prompt[x]
            if "class_type" not in node:
                return False, era.missing_class_type(x, node), [], era.prompt_error_node_errors(), []
            class_type = node["class_type"]
            cls = classes.get(class_type)
            if cls is None:
                return False, era.unknown_class_type(x, class_type, node), [], era.prompt_error_node_errors(), []
            if not cls.ordered:
                cls = classes[class_type] = _set_ordered(cls)
            if cls.output_node and (partial is None or x in partial):
                outputs.append(x)
    except (TypeError, KeyError, AttributeError, IndexError) as exc:
        raise _ServerError(exc) from None

    if not outputs:
        return False, {
            "type": "prompt_no_outputs", "message": "Prompt has no outputs", "details": "", "extra_info": {},
        }, [], era.prompt_error_node_errors(), []
    if era.outputs_in_set_order and len(outputs) > 1 and all(type(o) is str for o in outputs):
        outputs = set_order(outputs)

    run = _Run(prompt, classes, era)
    good: list[Any] = []
    failed: list[tuple[Any, list[Reason]]] = []
    node_errors: dict[Any, Any] = {}
    validated = run.validated
    for o in outputs:
        try:
            m = run.validate_inputs(o, 0)
            ok, reasons = m[0], m[1]
        except _CAUGHT as ex:
            ok = False
            reasons = [{
                "type": "exception_during_validation",
                "message": "Exception when validating node",
                "details": str(ex),
                "extra_info": {"exception_type": _type_name(ex), "traceback": []},
            }]
            validated[o] = (False, reasons, o)
        if ok is True:
            good.append(o)
            continue
        failed.append((o, reasons))
        for node_id, result in validated.items():
            if result[0] is not True and len(result[1]) > 0:
                if node_id not in node_errors:
                    node_errors[node_id] = {
                        "errors": result[1],
                        "dependent_outputs": [],
                        "class_type": prompt[node_id]["class_type"],
                    }
                node_errors[node_id]["dependent_outputs"].append(o)
    if not good:
        details = "\n".join(f"{r['message']}: {r['details']}" for _, rs in failed for r in rs)
        return False, {
            "type": "prompt_outputs_failed_validation",
            "message": "Prompt outputs failed validation",
            "details": details,
            "extra_info": {},
        }, good, node_errors, run.notes
    return True, None, good, node_errors, run.notes


# -- findings ---------------------------------------------------------------------------------------



def _reason_finding(node_id: Any, class_type: Any, reason: Reason) -> Finding:
    rtype = reason.get("type")
    code = BY_COMFYUI_TYPE[rtype].code if isinstance(rtype, str) and rtype in BY_COMFYUI_TYPE else "V019"
    extra = reason.get("extra_info") or {}
    input_name = extra.get("input_name")
    expected: Any = None
    actual: Any = extra.get("received_value")
    config = extra.get("input_config")
    if rtype == "return_type_mismatch":
        expected = config[0] if isinstance(config, list) else None
        actual = extra.get("received_type")
    elif rtype in ("value_smaller_than_min", "value_bigger_than_max") and isinstance(config, list):
        bound = "min" if rtype == "value_smaller_than_min" else "max"
        expected = f"{'>=' if bound == 'min' else '<='} {config[1].get(bound)}"
    elif rtype == "value_not_in_list":
        expected = config[0] if isinstance(config, list) else "one of the listed options"
    elif rtype == "invalid_input_type" and isinstance(config, list):
        expected = config[0]
    elif rtype == "required_input_missing":
        expected = "a value or a link"
    path = json_pointer(node_id, "inputs", input_name) if input_name and rtype not in (
        "exception_during_inner_validation",) else json_pointer(node_id)
    details = reason.get("details")
    message = f"{reason.get('message')}: {details}" if details else str(reason.get("message"))
    return Finding(
        code, message, Severity.ERROR, node_id=str(node_id),
        class_type=class_type if isinstance(class_type, str) else repr(class_type),
        input=input_name if isinstance(input_name, str) else None, path=path, expected=expected,
        actual=actual, comfyui=reason,
    )


def _prompt_finding(error: Reason) -> Finding:
    etype = error.get("type")
    code = BY_COMFYUI_TYPE[etype].code if isinstance(etype, str) and etype in BY_COMFYUI_TYPE else "V004"
    node_id = None
    if etype == "invalid_prompt":
        code = "V001" if "missing the class_type" in str(error.get("message")) else "V002"
    elif etype == "missing_node_type":
        extra = error.get("extra_info")
        code = "V001" if isinstance(extra, Mapping) and extra.get("class_type") is None else "V002"
    if etype in ("invalid_prompt", "missing_node_type"):
        details = str(error.get("details", ""))
        node_id = details[len("Node ID '#"):-1] if details.startswith("Node ID '#") else None
    msg = str(error.get("message"))
    if etype in ("invalid_prompt", "missing_node_type") and node_id is not None:
        msg = f"{msg} ({error.get('details')})"
    return Finding(code, msg, Severity.ERROR, node_id=node_id,
                   path=json_pointer(node_id) if node_id is not None else None, comfyui=error)


def _verdict(
    ok: bool, error: Reason | None, node_errors: Mapping[Any, Any], notes: list[Finding], era: Era
) -> Verdict:
    findings: list[Finding] = []
    if error is not None:
        findings.append(_prompt_finding(error))
    if isinstance(node_errors, Mapping):
        for node_id, entry in node_errors.items():
            for reason in entry["errors"]:
                findings.append(_reason_finding(node_id, entry["class_type"], reason))
    findings.extend(notes)
    if ok:
        body: dict[str, Any] = {"prompt_id": None, "number": None, "node_errors": node_errors}
        return Verdict(200, body, tuple(findings), era.id)
    return Verdict(400, {"error": error, "node_errors": node_errors}, tuple(findings), era.id)


def _server_error(exc: BaseException, era: Era, why: str) -> Verdict:
    finding = Finding(
        "V006",
        f"ComfyUI would answer HTTP 500 (no JSON body): its handler raises {_type_name(exc)}: {exc} {why}",
        Severity.ERROR,
    )
    return Verdict(500, SERVER_ERROR_BODY, (finding,), era.id, exception=f"{_type_name(exc)}: {exc}")


def _resolve_era(catalog: Catalog, era: Era | str | None) -> Era:
    if era is None:
        return catalog.era
    return get_era(era) if isinstance(era, str) else era


def validate(
    prompt: Any,
    catalog: Catalog,
    *,
    era: Era | str | None = None,
    partial_execution_targets: Any = None,
) -> Verdict:
    """Validate an API-format workflow (the ``prompt`` of a ``/prompt`` body) against ``catalog``.

    Returns the :class:`Verdict` ComfyUI would give. The workflow is never modified.
    """
    resolved = _resolve_era(catalog, era)
    classes = _compile(catalog, resolved)
    if resolved.replaces_nodes:
        try:
            prompt = apply_replacements(prompt, catalog.node_replacements, classes)
        except (TypeError, KeyError, AttributeError, IndexError, ValueError) as exc:
            return _server_error(exc, resolved, "while applying the install's node replacements")
    try:
        with _deep_stack(resolved, prompt):
            ok, error, _good, node_errors, notes = _validate_prompt(
                prompt, classes, resolved, partial_execution_targets
            )
    except _ServerError as exc:
        return _server_error(exc.exc, resolved, "while reading the prompt's nodes")
    return _verdict(ok, error, node_errors, notes, resolved)


def validate_request(body: Any, catalog: Catalog, *, era: Era | str | None = None) -> Verdict:
    """Validate a whole ``POST /prompt`` body (``{"prompt": ..., "client_id": ...}``)."""
    resolved = _resolve_era(catalog, era)
    try:
        if "number" in body:
            float(body["number"])
        if "prompt" not in body:
            error = {
                "type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided",
                "extra_info": {},
            }  # the era's body may say it differently (before mid 2025: the string "no prompt")
            return Verdict(400, resolved.no_prompt_body(), (_prompt_finding(error),), resolved.id)
        prompt = body["prompt"]
        if resolved.check_prompt_id is not None:
            bad_id = resolved.check_prompt_id(body)
            if bad_id is not None:
                return Verdict(400, {"error": bad_id, "node_errors": {}}, (_prompt_finding(bad_id),), resolved.id)
        partial = None
        if resolved.reads_partial_execution_targets and "partial_execution_targets" in body:
            partial = body["partial_execution_targets"]
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return _server_error(exc, resolved, "while reading the request body")
    verdict = validate(prompt, catalog, era=resolved, partial_execution_targets=partial)
    if verdict.status == 500:
        return verdict
    # after validation ComfyUI copies client_id into extra_data and, for accepted prompts, stamps it;
    # both are item assignments that raise (HTTP 500) when extra_data is not an object
    try:
        extra_data = body["extra_data"] if "extra_data" in body else {}
        stamped = verdict.accepted and resolved.stamps_create_time
        if not isinstance(extra_data, dict) and ("client_id" in body or stamped):
            probe = copy.copy(extra_data)
            probe["client_id" if "client_id" in body else "create_time"] = None
    except (TypeError, ValueError, KeyError, AttributeError) as exc:
        return _server_error(exc, resolved, "while reading `extra_data`/`client_id`")
    return verdict


_BODY_KEYS = frozenset({"prompt", "client_id", "extra_data", "number", "front", "prompt_id",
                        "partial_execution_targets"})


def is_request_body(data: Mapping[str, Any]) -> bool:
    """True if ``data`` is a ``/prompt`` body rather than a bare workflow.

    A bare workflow maps node ids to node objects with ``class_type``; a body has body keys and no
    such nodes.
    """
    if not data:
        return False
    nodes = sum(1 for v in data.values() if isinstance(v, Mapping) and "class_type" in v)
    if "prompt" in data and not (isinstance(data["prompt"], Mapping) and "class_type" in data["prompt"]):
        return True
    return nodes == 0 and bool(_BODY_KEYS & set(data))
