"""Public modules that import their names on first use (PEP 562): one mechanism for every such module.

``import comfy_contract`` - and the pytest plugin, loaded in every pytest session of anyone who installs the
package - must stay cheap, so a public module lists ``{name: defining module}`` and binds each name the first
time it is asked for.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(module: str, namespace: MutableMapping[str, Any], exports: Mapping[str, str],
                 names: Sequence[str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``module`` (whose globals are ``namespace``): a name of
    ``exports`` is imported from its defining module and bound in ``namespace``; ``__dir__`` lists ``names``."""

    def __getattr__(name: str) -> Any:
        where = exports.get(name)
        if where is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(where), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
