"""The version of comfy-contract (one definition; ``comfy_contract.__version__`` re-exports it)."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
