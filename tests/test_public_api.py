"""The curated public API: sorted, complete, lazily imported."""

from __future__ import annotations

import subprocess
import sys

import pytest

import comfy_contract


def test_all_is_sorted_and_every_name_resolves() -> None:
    names = [n for n in comfy_contract.__all__ if n != "__version__"]
    assert comfy_contract.__all__ == sorted(comfy_contract.__all__, key=lambda n: (not n.isupper(), n))
    assert set(names) == set(comfy_contract._EXPORTS)
    for name in names:
        assert getattr(comfy_contract, name) is not None
    assert dir(comfy_contract) == sorted(comfy_contract.__all__)


def test_unknown_attribute_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="'nope'"):
        getattr(comfy_contract, "nope")  # noqa: B009


def test_the_pytest_plugin_loads_without_the_heavy_dependencies() -> None:
    """pytest imports the plugin in every session of anyone who installs the package."""
    code = (
        "import sys, comfy_contract.plugin, comfy_contract.live.fixtures\n"
        "heavy = [m for m in ('deepdiff', 'hypothesis', 'jsonschema', 'httpx', 'yaml', 'aiohttp')\n"
        "         if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""
