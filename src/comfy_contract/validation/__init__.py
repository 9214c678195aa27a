"""Validation: a workflow against a catalog (one ComfyUI install's ``/object_info``), with ComfyUI's own verdict.

The catalog and its eras, the ``/prompt`` validator, the verdict, and graph queries of a workflow against a
catalog. Imports only :mod:`comfy_contract.core`; never :mod:`comfy_contract.render`.

(Named ``validation``, not ``validate``: a subpackage ``comfy_contract.validate`` would shadow the public
function :func:`comfy_contract.validate` as soon as it is imported.)
"""
