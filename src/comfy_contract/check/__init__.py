"""Check: the engine that renders, validates, lints, checks contracts and snapshots, and applies the baseline.

Also the project file (``comfy-contract.yaml``), the result model every front end renders, and the locators
that map a finding back to the app file and line that caused it.
"""
