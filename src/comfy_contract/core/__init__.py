"""Core: the vocabulary every stage shares - errors, findings and their stable codes, JSON/YAML I/O, schemas.

Lowest layer: it imports nothing else from ``comfy_contract``. See ``docs/architecture.md``.
"""
