"""The public boundary: ``comfy_contract`` and ``comfy_contract.fuzz`` are the public modules (sorted, complete,
lazily imported ``__all__``); every other module is private (httpx's tests/test_exported_members.py)."""

from __future__ import annotations

import inspect
import subprocess
import sys
from types import ModuleType

import pytest

import comfy_contract
import comfy_contract.fuzz

PUBLIC = [comfy_contract, comfy_contract.fuzz]


@pytest.mark.parametrize("module", PUBLIC, ids=lambda m: m.__name__)
def test_all_is_sorted_and_every_name_resolves(module: ModuleType) -> None:
    names = [n for n in module.__all__ if n != "__version__"]
    assert module.__all__ == sorted(module.__all__, key=lambda n: (not n.isupper(), n))  # ruff RUF022
    assert set(names) == set(module._EXPORTS)
    for name in names:
        assert getattr(module, name) is not None
    assert dir(module) == sorted(module.__all__)


@pytest.mark.parametrize("module", PUBLIC, ids=lambda m: m.__name__)
def test_every_public_member_is_exported(module: ModuleType) -> None:
    """Nothing public sits in the namespace without being in ``__all__`` (submodules are private)."""
    for name in module.__all__:
        getattr(module, name)
    members = {
        name for name, value in vars(module).items()
        if not name.startswith("_") and not inspect.ismodule(value)
        and value is not annotations  # the `from __future__ import annotations` feature object
    }
    assert sorted(members) == sorted(n for n in module.__all__ if not n.startswith("_"))


@pytest.mark.parametrize("module", PUBLIC, ids=lambda m: m.__name__)
def test_unknown_attribute_is_an_attribute_error(module: ModuleType) -> None:
    with pytest.raises(AttributeError, match="'nope'"):
        getattr(module, "nope")  # noqa: B009


def test_public_names_do_not_clash() -> None:
    """A name exported by both public modules means the same object (the fuzz CheckResult/Failure did not)."""
    shared = set(comfy_contract.__all__) & set(comfy_contract.fuzz.__all__)
    assert all(getattr(comfy_contract, n) is getattr(comfy_contract.fuzz, n) for n in shared)


def test_fuzz_profile_helpers_do_not_load_the_campaign() -> None:
    """``comfy_contract.fuzz`` is lazy: the plugin's profile registration imports only the profiles."""
    code = (
        "import sys\n"
        "from comfy_contract.fuzz import register_profiles\n"
        "register_profiles()\n"
        "print(','.join(m for m in ('comfy_contract.fuzz.campaign', 'comfy_contract.check.engine', 'deepdiff')\n"
        "               if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == ""


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
