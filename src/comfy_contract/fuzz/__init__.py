"""Fuzzing an app's configs with Hypothesis: strategies, input spaces, properties, campaigns, reproducers,
and the Hypothesis profiles. A public module: ``__all__`` is its API, the submodules are private.

``comfy-contract hunt`` and ``comfy-contract replay`` are thin front ends over this package; use the
strategies (``user_texts``, ``render_inputs``, ...) in your own property tests. See ``docs/fuzzing.md``.
Names are imported on first use (PEP 562), like :mod:`comfy_contract`'s: importing one profile helper does
not load the campaign machinery.
"""

from __future__ import annotations

import typing

from comfy_contract.core.lazy import lazy_exports as _lazy_exports

if typing.TYPE_CHECKING:
    from comfy_contract.fuzz.campaign import HuntOptions, hunt, run_config
    from comfy_contract.fuzz.mutate import MutationOptions, MutationReport, mutant_strategy, mutation_campaign
    from comfy_contract.fuzz.mutation_report import render_mutation
    from comfy_contract.fuzz.profiles import PROFILES, database_from_spec, profile_settings, register_profiles
    from comfy_contract.fuzz.properties import PropertyFailure, PropertyResult, check_inputs
    from comfy_contract.fuzz.reproducer import ReplayResult, Reproducer, export_pytest, replay
    from comfy_contract.fuzz.space import InputSpace, SpaceOptions, TextOptions, load_input_space
    from comfy_contract.fuzz.strategies import (
        SEED_MAX,
        custom_placeholders,
        execution_modes,
        json_objects,
        llm_texts,
        output_configs,
        parameter_values,
        placeholder_names,
        render_inputs,
        seeds,
        split_outputs,
        user_texts,
    )
    from comfy_contract.fuzz.target import Example, Target, assert_passes, load_target

__all__ = [
    "PROFILES",
    "SEED_MAX",
    "Example",
    "HuntOptions",
    "InputSpace",
    "MutationOptions",
    "MutationReport",
    "PropertyFailure",
    "PropertyResult",
    "ReplayResult",
    "Reproducer",
    "SpaceOptions",
    "Target",
    "TextOptions",
    "assert_passes",
    "check_inputs",
    "custom_placeholders",
    "database_from_spec",
    "execution_modes",
    "export_pytest",
    "hunt",
    "json_objects",
    "llm_texts",
    "load_input_space",
    "load_target",
    "mutant_strategy",
    "mutation_campaign",
    "output_configs",
    "parameter_values",
    "placeholder_names",
    "profile_settings",
    "register_profiles",
    "render_inputs",
    "render_mutation",
    "replay",
    "run_config",
    "seeds",
    "split_outputs",
    "user_texts",
]

_CAMPAIGN = "comfy_contract.fuzz.campaign"
_MUTATE = "comfy_contract.fuzz.mutate"
_MUTATION_REPORT = "comfy_contract.fuzz.mutation_report"
_PROFILES = "comfy_contract.fuzz.profiles"
_PROPERTIES = "comfy_contract.fuzz.properties"
_REPRODUCER = "comfy_contract.fuzz.reproducer"
_SPACE = "comfy_contract.fuzz.space"
_STRATEGIES = "comfy_contract.fuzz.strategies"
_TARGET = "comfy_contract.fuzz.target"

#: public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "Example": _TARGET,
    "HuntOptions": _CAMPAIGN,
    "InputSpace": _SPACE,
    "MutationOptions": _MUTATE,
    "MutationReport": _MUTATE,
    "PROFILES": _PROFILES,
    "PropertyFailure": _PROPERTIES,
    "PropertyResult": _PROPERTIES,
    "ReplayResult": _REPRODUCER,
    "Reproducer": _REPRODUCER,
    "SEED_MAX": _STRATEGIES,
    "SpaceOptions": _SPACE,
    "Target": _TARGET,
    "TextOptions": _SPACE,
    "assert_passes": _TARGET,
    "check_inputs": _PROPERTIES,
    "custom_placeholders": _STRATEGIES,
    "database_from_spec": _PROFILES,
    "execution_modes": _STRATEGIES,
    "export_pytest": _REPRODUCER,
    "hunt": _CAMPAIGN,
    "json_objects": _STRATEGIES,
    "llm_texts": _STRATEGIES,
    "load_input_space": _SPACE,
    "load_target": _TARGET,
    "mutant_strategy": _MUTATE,
    "mutation_campaign": _MUTATE,
    "output_configs": _STRATEGIES,
    "parameter_values": _STRATEGIES,
    "placeholder_names": _STRATEGIES,
    "profile_settings": _PROFILES,
    "register_profiles": _PROFILES,
    "render_inputs": _STRATEGIES,
    "render_mutation": _MUTATION_REPORT,
    "replay": _REPRODUCER,
    "run_config": _CAMPAIGN,
    "seeds": _STRATEGIES,
    "split_outputs": _STRATEGIES,
    "user_texts": _STRATEGIES,
}


__getattr__, __dir__ = _lazy_exports(__name__, globals(), _EXPORTS, __all__)
