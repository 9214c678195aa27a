from comfy_contract.cli import entry

entry()
