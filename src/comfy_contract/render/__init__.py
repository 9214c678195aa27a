"""Render: configs to the workflows the app would submit (the generator model, adapters, the DevServer renderer).

Imports only :mod:`comfy_contract.core`; never :mod:`comfy_contract.validation`.
"""
