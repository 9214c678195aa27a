"""Hypothesis settings profiles for comfy-contract's property tests, and the shared example database.

==========================  =====================================================================
``comfy-contract-ci``       bounded (50 examples per test), derandomized, no database: the same
                            examples on every CI run, no flakiness, no state between runs.
``comfy-contract-dev``      200 examples, random, the example database: failures found once are
                            replayed first on the next run.
``comfy-contract-hunt``     10 000 examples, every phase, the example database, no deadline: for
                            long local campaigns (``comfy-contract hunt`` sets its own budget).
==========================  =====================================================================

The database location comes from ``database=`` or the ``COMFY_CONTRACT_HYPOTHESIS_DB`` environment
variable: a directory (e.g. ``.hypothesis/comfy-contract`` committed to the repo, so a team shares its
failing examples), ``redis://host:port/db`` (Hypothesis's Redis database, for several machines; needs
the optional ``redis`` package), or ``none``. The default is ``.hypothesis/comfy-contract``.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

from hypothesis import HealthCheck, Phase, settings
from hypothesis.database import DirectoryBasedExampleDatabase, ExampleDatabase

from comfy_contract.core.errors import ComfyContractError

__all__ = [
    "CI",
    "DEFAULT_DATABASE",
    "DEV",
    "ENV_DATABASE",
    "HUNT",
    "PROFILES",
    "database_from_spec",
    "profile_settings",
    "register_profiles",
]

CI, DEV, HUNT = "comfy-contract-ci", "comfy-contract-dev", "comfy-contract-hunt"
PROFILES = (CI, DEV, HUNT)
ENV_DATABASE = "COMFY_CONTRACT_HYPOTHESIS_DB"
DEFAULT_DATABASE = ".hypothesis/comfy-contract"
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]


def database_from_spec(spec: str | None) -> ExampleDatabase | None:
    """The example database ``spec`` names: a directory, ``redis://...``, or ``None``/``"none"``."""
    if spec is None or spec.strip().lower() in ("", "none", "off"):
        return None
    if spec.startswith(("redis://", "rediss://")):
        try:
            from hypothesis.extra.redis import RedisExampleDatabase
            from redis import Redis  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            raise ComfyContractError(
                f"example database {spec!r} needs the `redis` package, which is not installed",
                hint="`pip install redis`, or use a directory as the database") from None
        url = urlparse(spec)
        if not url.hostname:
            raise ComfyContractError(f"example database {spec!r} names no host",
                                     hint="use redis://HOST:PORT/DB, e.g. redis://ci-cache:6379/0")
        return RedisExampleDatabase(Redis.from_url(spec), key_prefix=b"comfy-contract:")
    if "://" in spec:
        raise ComfyContractError(f"example database {spec!r}: unknown scheme",
                                 hint="use a directory, redis://HOST:PORT/DB, or none")
    folder = Path(spec)
    if folder.exists() and not folder.is_dir():
        raise ComfyContractError(f"example database {spec!r} is a file, not a folder",
                                 hint="pass a folder (it is created if missing), redis://HOST:PORT/DB, or none")
    return DirectoryBasedExampleDatabase(spec)


def profile_settings(name: str, *, database: str | None = None) -> settings:
    """The settings of profile ``name`` (one of :data:`PROFILES`)."""
    db_spec = database if database is not None else os.environ.get(ENV_DATABASE, DEFAULT_DATABASE)
    if name == CI:
        return settings(max_examples=50, derandomize=True, database=None, deadline=None, print_blob=True,
                        suppress_health_check=_SLOW_OK)
    if name == DEV:
        return settings(max_examples=200, database=database_from_spec(db_spec), deadline=None,
                        suppress_health_check=_SLOW_OK)
    if name == HUNT:
        return settings(max_examples=10_000, database=database_from_spec(db_spec), deadline=None,
                        phases=tuple(Phase), suppress_health_check=list(HealthCheck))
    raise ComfyContractError(f"unknown Hypothesis profile {name!r}", hint=f"use one of {', '.join(PROFILES)}")


def register_profiles(*, database: str | None = None) -> None:
    """Register the three profiles with Hypothesis (``settings.load_profile(name)`` then picks one)."""
    for name in PROFILES:
        settings.register_profile(name, profile_settings(name, database=database))
