"""Time ComfyUI's own ``execution.validate_prompt`` in-process - run by the reference ComfyUI's python, not ours.

``bench_validate.py`` starts this with ``.reference-comfyui/venv/bin/python benchmarks/comfyui_inprocess.py
COMFY_DIR`` and writes ``{"workflows": {label: workflow}, "number": N, "repeat": R}`` to its stdin; it prints
``{label: {"us": best microseconds per call, "valid": bool}, "maxrss_kib": ...}`` as JSON on stdout.

ComfyUI (GPL-3.0) is imported from the install under ``.reference-comfyui/`` at run time; none of its code is in
this repository. Its nodes are loaded as ``main.py --cpu`` loads them (no custom nodes, no API nodes), with the
placeholder model files ``scripts/reference-comfyui`` installs, so the model lists match the 0.3.75 catalog.
Standard library only (this file runs in ComfyUI's venv, where comfy_contract is not installed).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import resource
import sys
import time
from typing import Any


def main() -> None:
    comfy_dir = os.path.abspath(sys.argv[1])
    request = json.load(sys.stdin)
    os.chdir(comfy_dir)
    sys.path.insert(0, comfy_dir)
    sys.argv = [os.path.join(comfy_dir, "main.py"), "--cpu"]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import comfy.options  # type: ignore[import-not-found]

        comfy.options.enable_args_parsing()
        import execution  # type: ignore[import-not-found]
        import nodes  # type: ignore[import-not-found]

        asyncio.run(nodes.init_extra_nodes(init_custom_nodes=False, init_api_nodes=False))
    number, repeat = int(request["number"]), int(request["repeat"])

    async def run() -> dict[str, Any]:
        out: dict[str, Any] = {}
        for label, workflow in request["workflows"].items():
            first = await execution.validate_prompt("bench", workflow, None)
            best = float("inf")
            for _ in range(repeat):
                start = time.perf_counter()
                for _ in range(number):
                    await execution.validate_prompt("bench", workflow, None)
                best = min(best, (time.perf_counter() - start) / number * 1e6)
            out[label] = {"us": best, "valid": bool(first[0])}
        return out

    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        results = asyncio.run(run())
    results["maxrss_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(results))


if __name__ == "__main__":
    main()
