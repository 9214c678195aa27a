"""Benchmark: CLI start-up and the cost of ``comfy-contract check`` per config (issue 19).

Targets: ``comfy-contract --help`` and ``check`` on a 1-config project <= 150 ms; ``check`` <= 1 ms per
config beyond start-up; 1,000 configs in <= 2 s including start-up, linear to 10,000.

Generates DevServer trees shaped like ``fixtures/sample_app`` into a temporary folder (the sample's
pipelines, chunks and output-config defaults; N configs: copies of its SDXL output config, of its SD3.5
output config, and proxy (interception) configs that resolve to an output config per mode), with the
sample's two backends (production, standalone) and both modes (eco, fast), then times ``check`` end to
end in a subprocess and in-process. Every figure is the median over repeats (the machine is shared:
other runs may be going on at the same time; the min is printed too).

Run from the repository root::

    .venv/bin/python benchmarks/bench_check.py              # start-up, 100 and 1,000 configs
    .venv/bin/python benchmarks/bench_check.py --large      # also 10,000 configs
    .venv/bin/python benchmarks/bench_check.py --profile 1000   # cProfile of one in-process run, top functions

Figures only; no assertions.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import json
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "fixtures" / "sample_app" / "schemas"
CLI = Path(sys.executable).with_name("comfy-contract")
STARTUP_TARGET_MS = 150.0
PER_CONFIG_TARGET_MS = 1.0
THOUSAND_TARGET_S = 2.0


def make_tree(dest: Path, n: int) -> Path:
    """A DevServer project of ``n`` configs under ``dest``; returns its comfy-contract.yaml."""
    schemas = dest / "schemas"
    schemas.mkdir(parents=True)
    for item in ("chunks", "pipelines"):
        shutil.copytree(SAMPLE / item, schemas / item)
    shutil.copy(SAMPLE / "output_config_defaults.json", schemas / "output_config_defaults.json")
    output = schemas / "configs" / "output"
    proxy = schemas / "configs" / "interception"
    output.mkdir(parents=True)
    proxy.mkdir(parents=True)
    sdxl = json.loads((SAMPLE / "configs" / "output" / "sdxl_base.json").read_text("utf-8"))
    sd35 = json.loads((SAMPLE / "configs" / "output" / "sd35_large.json").read_text("utf-8"))
    bauhaus = json.loads((SAMPLE / "configs" / "interception" / "bauhaus.json").read_text("utf-8"))
    made = 0
    if n >= 4:  # the output configs the proxies resolve to (output_config_defaults.json)
        for name in ("sd35_large", "sd35_large_turbo"):
            shutil.copy(SAMPLE / "configs" / "output" / f"{name}.json", output / f"{name}.json")
            made += 1
    i = 0
    while made < n:
        kind = i % 4
        if kind in (0, 1):
            config = json.loads(json.dumps(sdxl))
            config["parameters"]["STEPS"] = 20 + i % 17
            (output / f"sdxl_{i:05d}.json").write_text(json.dumps(config, indent=2), "utf-8")
        elif kind == 2 and n >= 4:
            config = json.loads(json.dumps(sd35))
            (output / f"sd35_{i:05d}.json").write_text(json.dumps(config, indent=2), "utf-8")
        elif n >= 4:
            config = json.loads(json.dumps(bauhaus))
            config["name"] = {"de": f"Stil {i}", "en": f"Style {i}"}
            (proxy / f"style_{i:05d}.json").write_text(json.dumps(config, indent=2, ensure_ascii=False), "utf-8")
        else:
            i += 1
            continue
        made += 1
        i += 1
    catalogs = REPO / "contracts" / "catalogs"
    project = dest / "comfy-contract.yaml"
    project.write_text(
        "layout: devserver\nroot: schemas\nmodes: [eco, fast]\nbackends:\n"
        f"  production:\n    catalogs:\n      - {catalogs / 'comfyui-0.3.75.json'}\n"
        f"      - {catalogs / 'packs' / 'ai4artsed-nodes.json'}\n"
        f"  standalone:\n    catalogs:\n      - {catalogs / 'comfyui-0.3.75.json'}\n"
        "    without_models:\n      - OfficialStableDiffusion/sd3.5_large.safetensors\n",
        "utf-8")
    return project


def median_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times)


#: the largest peak RSS (MiB) of the subprocesses run by the last ``subprocess_ms`` call (``os.wait4``)
LAST_PEAK_MIB = [0.0]


def subprocess_ms(argv: list[str], repeat: int) -> tuple[float, float]:
    LAST_PEAK_MIB[0] = 0.0

    def once() -> None:
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _pid, _status, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0  # reaped here; keeps Popen from waiting again
        LAST_PEAK_MIB[0] = max(LAST_PEAK_MIB[0], usage.ru_maxrss / 1024)
    return median_ms(once, repeat)


def in_process_check(project: Path) -> Callable[[], object]:
    from comfy_contract.cli import main

    def once() -> int:
        return main(["check", str(project), "--no-progress"], io.StringIO(), io.StringIO())
    return once


def startup(tmp: Path, repeat: int) -> None:
    print(f"start-up (median of {repeat} subprocess runs; target <= {STARTUP_TARGET_MS:.0f} ms)")
    python_ms, _ = subprocess_ms([sys.executable, "-c", "pass"], repeat)
    print(f"  python -c pass                       {python_ms:7.1f} ms (the interpreter alone)")
    one = make_tree(tmp / "one", 1)
    for label, argv in (("comfy-contract --help", [str(CLI), "--help"]),
                        ("comfy-contract check (1 config)", [str(CLI), "check", str(one), "--no-progress"])):
        med, low = subprocess_ms(argv, repeat)
        print(f"  {label:<36} {med:7.1f} ms (min {low:.1f}; {med / STARTUP_TARGET_MS:.2f} x target); "
              f"peak RSS {LAST_PEAK_MIB[0]:.0f} MiB")


def scaling(tmp: Path, sizes: list[int]) -> None:
    print("check per config (2 modes x 2 backends per config; medians; subprocess = end to end with start-up)")
    base_ms: float | None = None
    for n in sizes:
        project = make_tree(tmp / f"n{n}", n)
        repeat = 5 if n <= 100 else 3 if n <= 1000 else 1
        sub_ms, sub_min = subprocess_ms([str(CLI), "check", str(project), "--no-progress"], repeat)
        peak = LAST_PEAK_MIB[0]
        in_ms, _ = median_ms(in_process_check(project), repeat)
        if base_ms is None:
            one = make_tree(tmp / f"one{n}", 1)
            base_ms, _ = subprocess_ms([str(CLI), "check", str(one), "--no-progress"], 5)
        per = (sub_ms - base_ms) / n
        line = (f"  {n:>6} configs: subprocess {sub_ms / 1000:6.2f} s (min {sub_min / 1000:.2f}), in-process "
                f"{in_ms / 1000:6.2f} s, {per:6.2f} ms/config beyond start-up "
                f"({per / PER_CONFIG_TARGET_MS:.2f} x target), peak RSS {peak:.0f} MiB")
        if n == 1000:
            line += f"; {sub_ms / 1000 / THOUSAND_TARGET_S:.2f} x the 2 s target"
        print(line)


def profile(tmp: Path, n: int, top: int) -> None:
    project = make_tree(tmp / f"p{n}", n)
    once = in_process_check(project)
    once()  # warm: imports and catalogs on first use are start-up, not per config
    profiler = cProfile.Profile()
    with contextlib.redirect_stdout(io.StringIO()):
        profiler.enable()
        once()
        profiler.disable()
    stats = pstats.Stats(profiler, stream=sys.stdout)
    print(f"cProfile of one in-process check of {n} configs (after a warm-up run), top {top} by own time:")
    stats.sort_stats("tottime").print_stats(top)
    print(f"top {top} by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--large", action="store_true", help="also 10,000 configs (minutes)")
    parser.add_argument("--profile", type=int, metavar="N", help="only profile one in-process check of N configs")
    parser.add_argument("--top", type=int, default=30, help="functions shown by --profile")
    parser.add_argument("--repeat", type=int, default=15, help="start-up repeats (default 15)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as folder:
        tmp = Path(folder)
        if args.profile:
            profile(tmp, args.profile, args.top)
            return
        startup(tmp, args.repeat)
        scaling(tmp, [100, 1000, 10000] if args.large else [100, 1000])


if __name__ == "__main__":
    main()
