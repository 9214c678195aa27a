"""pytest fixtures of the live layer (entry point ``pytest11: comfy_contract_live``).

Loaded in every pytest session of anyone who installs comfy-contract, so it imports nothing heavy: the
stand-in server (aiohttp) is imported only when a test asks for ``comfy_standin``.

* ``comfy_standin`` -- a started :class:`~comfy_contract.live.standin.StandinServer` on a free loopback
  port, answering with the catalog of the ``comfy_catalog`` fixture (the project's first backend); its
  ``url`` is the base URL to give the app under test.
* ``comfy_standin_options`` -- override it in a ``conftest.py`` to change what the stand-in does (a
  :class:`~comfy_contract.live.standin.StandinOptions`, e.g. ``StandinOptions(result="error")``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

__all__ = ["comfy_standin", "comfy_standin_options"]


@pytest.fixture
def comfy_standin_options() -> Any:
    """What the stand-in does (default: ``StandinOptions()``: generated results, nothing recorded to disk)."""
    return None


@pytest.fixture
def comfy_standin(comfy_catalog: Any, comfy_standin_options: Any, tmp_path_factory: pytest.TempPathFactory
                  ) -> Iterator[Any]:
    """A stand-in ComfyUI on ``127.0.0.1`` (free port) answering with ``comfy_catalog``; ``.url`` is its base URL."""
    from comfy_contract.live.standin import StandinOptions, StandinServer

    options = comfy_standin_options if comfy_standin_options is not None else StandinOptions()
    if options.files is None:
        from dataclasses import replace

        options = replace(options, files=tmp_path_factory.mktemp("comfy-standin"))
    with StandinServer(comfy_catalog, options) as server:
        yield server
