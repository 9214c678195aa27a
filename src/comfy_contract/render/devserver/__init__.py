"""The built-in generator for apps in the DevServer layout (``schemas/`` with configs, pipelines, chunks)."""

from __future__ import annotations

from comfy_contract.render.devserver.render import DevserverGenerator, DevserverOptions
from comfy_contract.render.devserver.tree import Tree, config_name, load_tree

__all__ = ["DevserverGenerator", "DevserverOptions", "Tree", "config_name", "load_tree"]
