"""What capture costs per config, next to the static rendering of the same configs.

Run: ``.venv/bin/python benchmarks/bench_capture.py [ROUNDS]`` (default 5) from the repository root. Captures
each config of the DevServer-shaped Flask app in tests/capture/fakeapp (one HTTP client per config: requests,
httpx, aiohttp with its websocket, urllib; an LLM call each; the app waits for the stand-in to run the prompt)
with the ``devserver`` driver, and renders the same configs with the static DevServer renderer. Prints the
one-off start (interceptor + stand-in on loopback, importing the app), then per config the median of ROUNDS
captures and renders in ms and their ratio, and the graph comparison (R019) per config. Figures only.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FAKEAPP = REPO / "tests" / "capture" / "fakeapp"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:8.2f}"


def main() -> int:
    from comfy_contract import DevserverGenerator, load_catalog
    from comfy_contract.check.capturediff import capture_drift
    from comfy_contract.live.capture import CaptureGenerator, devserver_driver

    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    catalog = load_catalog(REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json")
    static = DevserverGenerator(FAKEAPP / "schemas")
    started = time.perf_counter()
    gen = CaptureGenerator(devserver_driver(FAKEAPP / "devserver"), catalog, configs_from=static)
    gen.interceptor.start()
    start_s = time.perf_counter() - started
    configs = [c for c in gen.configs() if c != "img_broken"] + ["img_broken"]
    print(f"capture start (import the app, stand-in on {gen.interceptor.url}): {start_s * 1000:.1f} ms; "
          f"{len(configs)} configs x {rounds} rounds, mode eco")
    print(f"{'config':<16}{'capture ms':>12}{'render ms':>12}{'ratio':>9}  drift")
    captures: list[float] = []
    renders: list[float] = []
    try:
        for config in configs:
            cap_times, ren_times = [], []
            for _ in range(rounds):
                t0 = time.perf_counter()
                captured = gen.render(config, "eco")
                t1 = time.perf_counter()
                rendered = static.render(config, "eco")
                t2 = time.perf_counter()
                cap_times.append(t1 - t0)
                ren_times.append(t2 - t1)
            cap, ren = statistics.median(cap_times), statistics.median(ren_times)
            captures.append(cap)
            renders.append(ren)
            drift = capture_drift(rendered, captured)
            shown = "R019 " + (drift[0].message.splitlines()[0][:60]) if drift else "none"
            print(f"{config:<16}{_ms(cap):>12}{_ms(ren):>12}{cap / ren:>8.0f}x  {shown}")
    finally:
        gen.close()
    cap, ren = statistics.mean(captures), statistics.mean(renders)
    print(f"{'mean':<16}{_ms(cap):>12}{_ms(ren):>12}{cap / ren:>8.0f}x  "
          f"(capture of {len(configs)} configs: {sum(captures):.2f} s, plus the start)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
