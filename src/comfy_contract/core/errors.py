"""Usage errors: the run could not be carried out as asked.

These are separate from *findings* (``comfy_contract.core.findings``): a finding says the app is wrong, an
error here says the tool was asked something it cannot do (a missing file, a catalog that is not a
catalog, a bad flag). Front ends map every ``ComfyContractError`` to exit code 2 and print its message,
never a traceback.
"""

from __future__ import annotations

__all__ = [
    "CatalogError",
    "ComfyContractError",
    "ConfigError",
    "InputError",
    "UnsupportedEraError",
]


class ComfyContractError(Exception):
    """Base class of every usage error. ``str(err)`` is a complete, user-facing message."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message}\n  hint: {hint}")


class InputError(ComfyContractError):
    """An input file could not be read or parsed (not JSON, not UTF-8, wrong shape)."""

    def __init__(self, path: str, problem: str, *, hint: str | None = None) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}", hint=hint)


class CatalogError(InputError):
    """A file given as a node catalog is not an ``/object_info`` dump or catalog envelope."""


class UnsupportedEraError(ComfyContractError):
    """The catalog's ComfyUI version maps to validation behaviour this release does not model."""


class ConfigError(ComfyContractError):
    """The project configuration (``comfy-contract.yaml`` / ``[tool.comfy-contract]``) is invalid."""
