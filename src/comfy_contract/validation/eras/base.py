"""The :class:`Era` record: one period of ComfyUI ``/prompt`` validation behaviour, as a table of rules.

The validator looks rules up here instead of branching on versions (jsonschema's per-draft keyword
tables). Every field has the default of the era it was first measured on (ComfyUI 0.3.75); an era
module states only where its ComfyUI differs, so the differences between two eras read as a diff.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Era", "Reason"]

Reason = dict[str, Any]

#: how an era's rules were established
Evidence = Literal["server", "source"]


def _not_in_list_quoted(name: str, value: Any, invalid: list[Any], options: str) -> str:
    """``value_not_in_list`` details up to Nov 2025: the received value in quotes."""
    return f"{name}: '{value}' not in {options}"


def _no_fingerprint(fields: frozenset[str]) -> bool:
    return False


def _union_mismatch_details(name: str, received: Any, expected: Any) -> str:
    """``return_type_mismatch`` details since the union link types (Nov 2024)."""
    return f"{name}, received_type({received}) mismatch input_type({expected})"


def _link_as_none(value: Any) -> Any:
    """What VALIDATE_INPUTS receives for an input value: ``get_input_data`` passes a link (``is_link``: a
    ``[str, int | float]`` list) as None, anything else as it is (Aug 2024 on)."""
    if type(value) is list and len(value) == 2 and type(value[0]) is str and isinstance(value[1], int | float):
        return None
    return value


def _no_prompt_body() -> dict[str, Any]:
    """The ``400`` body for a request without ``prompt`` since mid 2025."""
    error = {"type": "no_prompt", "message": "No prompt provided", "details": "No prompt provided", "extra_info": {}}
    return {"error": error, "node_errors": {}}


@dataclass(frozen=True, repr=False)
class Era:
    """One period of ComfyUI ``/prompt`` validation behaviour."""

    id: str
    label: str
    #: literal conversions by exact declared type (Python builtins: exact messages for free)
    conversions: Mapping[str, Callable[[Any], Any]]
    link_match: Callable[[Any, Any], bool]
    #: True when a link matched only because a ``*`` side may or may not be an AnyType wildcard
    #: (undecidable from ``/object_info`` in that era: reported as V090)
    link_is_wildcard_only: Callable[[Any, Any], bool]
    #: the options a literal must be one of (or None): ``combo_options(input_type, extra_info)``
    combo_options: Callable[[Any, Mapping[str, Any]], Any]
    missing_class_type: Callable[[str, Any], Reason]
    unknown_class_type: Callable[[str, Any, Any], Reason]
    #: ``{"__value__": v}`` literals are unwrapped (PR #7197, Mar 2025)
    unwraps_value: bool
    #: optional inputs are validated when present (since the Aug 2024 execution inversion)
    validates_optional: bool
    #: ``node_errors`` of prompt-level errors: ``{}`` (mid 2025 on) or ``[]`` (before)
    prompt_error_node_errors: Callable[[], Any]
    #: how many nested ``validate_inputs`` calls the server survives before RecursionError
    max_depth: int
    #: core classes whose VALIDATE_INPUTS takes these inputs (they skip min/max/combo checks and the
    #: function itself is unknowable offline)
    validate_inputs_args: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    #: classes whose VALIDATE_INPUTS checks that its one argument names a file (``exists_annotated_filepath``)
    validate_inputs_checks_file: frozenset[str] = frozenset()
    #: what a class's VALIDATE_INPUTS receives for an input's (unwrapped) value (links arrive as None)
    validate_inputs_arg: Callable[[Any], Any] = _link_as_none
    #: the ``__qualname__`` of the VALIDATE_INPUTS a class inherits or names otherwise (default
    #: ``"<class>.VALIDATE_INPUTS"``): a missing argument raises ``TypeError("<qualname>() missing ...")``
    validate_inputs_names: Mapping[str, str] = field(default_factory=dict)
    #: the container type of a class's RETURN_TYPES, from its ``/object_info`` entry
    return_types: Callable[[Mapping[str, Any]], Callable[[Any], Any]] = lambda _entry: tuple
    #: version range this era covers, inclusive, as tuples
    versions: tuple[tuple[int, ...], tuple[int, ...]] = ((0,), (0,))
    #: nesting depths at which a real server may or may not hit its RecursionError (its stack depth varies
    #: with the request: a cold first request fails earlier); a graph reaching this band is V090
    uncertain_depths: tuple[int, int] = (0, 0)
    #: a link back into the recursion stack is reported as ``dependency_cycle`` (PR #13169, Apr 2026);
    #: before, it recursed until a RecursionError whose outer frames erased the reason
    detects_cycles: bool = False
    #: ``multiselect`` combos check each element of a list value (PR #13484, Apr 2026)
    multiselect: bool = False
    #: ``value_not_in_list`` details: ``(input name, value, the invalid values, the options as shown)``
    not_in_list_details: Callable[[str, Any, list[Any], str], str] = _not_in_list_quoted
    #: v3 dynamic inputs (autogrow, dynamic combo/slot/group) are expanded per node before validation
    dynamic_inputs: bool = False
    #: the server rewrites nodes of unknown classes that have a registered replacement before
    #: validating (``GET /node_replacements``; 2026)
    replaces_nodes: bool = False
    #: request-level check of ``prompt_id`` (June 2026): the error, or None when the body passes
    check_prompt_id: Callable[[Mapping[str, Any]], Reason | None] | None = None
    #: True when a set of ``/object_info`` field names can only come from a ComfyUI of this era
    fingerprint: Callable[[frozenset[str]], bool] = _no_fingerprint
    #: how the rules were established: probed on real servers, or read from source only
    evidence: Evidence = "server"
    #: ``return_type_mismatch`` details: ``(input name, received type, declared type)``
    mismatch_details: Callable[[str, Any, Any], str] = _union_mismatch_details
    #: the ``400`` body for a request without ``prompt``
    no_prompt_body: Callable[[], dict[str, Any]] = _no_prompt_body
    #: the body's ``partial_execution_targets`` selects outputs (0.3.48, Jul 2025); ignored before
    reads_partial_execution_targets: bool = True
    #: an accepted prompt gets ``extra_data["create_time"]`` (a non-object ``extra_data`` then answers 500)
    stamps_create_time: bool = True
    #: ``validate_inputs`` walks ``set(required).union(set(optional))``, ``validate_prompt`` a ``set`` of output
    #: ids: the validator follows their order in a server run with ``PYTHONHASHSEED=0`` (``hashorder``), so
    #: its answer is one a real server gives; False: declared order (a dict) / JSON order
    inputs_in_set_order: bool = False
    outputs_in_set_order: bool = False

    def __repr__(self) -> str:
        return f"Era({self.id!r})"

    @property
    def describe(self) -> str:
        how = "checked against a real server" if self.evidence == "server" else "modelled from source, no server run"
        return f"{self.id} ({self.label}; {how})"
