"""Fuzzing an app's configs with Hypothesis: input spaces, properties, campaigns, reproducers.

``comfy-contract hunt`` and ``comfy-contract replay`` are thin front ends over this package; the
strategies themselves live in :mod:`comfy_contract.fuzz.strategies`. See ``docs/fuzzing.md``.
"""

from __future__ import annotations

from comfy_contract.fuzz.campaign import HuntOptions, hunt, run_config
from comfy_contract.fuzz.profiles import database_from_spec, register_profiles
from comfy_contract.fuzz.properties import CheckResult, Failure, check_inputs
from comfy_contract.fuzz.reproducer import ReplayResult, Reproducer, export_pytest, replay
from comfy_contract.fuzz.space import InputSpace, SpaceOptions, load_input_space
from comfy_contract.fuzz.target import Example, Target, load_target

__all__ = [
    "CheckResult",
    "Example",
    "Failure",
    "HuntOptions",
    "InputSpace",
    "ReplayResult",
    "Reproducer",
    "SpaceOptions",
    "Target",
    "assert_passes",
    "check_inputs",
    "database_from_spec",
    "export_pytest",
    "hunt",
    "load_input_space",
    "load_target",
    "register_profiles",
    "replay",
    "run_config",
]


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
