"""Loopback load on the stand-in ComfyUI: throughput, latency, memory; checks none lost or duplicated.

Run: ``.venv/bin/python benchmarks/bench_standin.py [SUBMISSIONS] [CLIENTS] [ROUNDS]`` (default 2000 50 3)
from the repository root. Starts ``comfy-contract serve --port 0`` as a subprocess on 127.0.0.1 (history cap
1000), sends SUBMISSIONS POST /prompt from CLIENTS concurrent aiohttp clients per round, waits for every
prompt to run, and prints per round: throughput, p50/p99 latency, drain time, and the server's resident
memory (VmRSS, peak VmHWM from /proc) -- flat across rounds means memory is bounded. Figures only; it exits
1 only if a submission was lost or duplicated. Bounded: at most 300 s per round.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from live.loadgen import run_load

REPO = Path(__file__).resolve().parent.parent
HISTORY_CAP = 1000


def memory_kib(pid: int) -> tuple[int, int]:
    status = Path(f"/proc/{pid}/status").read_text()
    rss = re.search(r"VmRSS:\s+(\d+)", status)
    hwm = re.search(r"VmHWM:\s+(\d+)", status)
    return (int(rss.group(1)) if rss else 0, int(hwm.group(1)) if hwm else 0)


def main() -> int:
    submissions = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    clients = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    catalog = REPO / "contracts" / "catalogs" / "comfyui-0.3.75.json"
    bad = 0
    with tempfile.TemporaryDirectory() as files:
        cmd = [sys.executable, "-m", "comfy_contract", "serve", "--port", "0", "--catalog", str(catalog),
               "--max-history", str(HISTORY_CAP), "--files", files]
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=REPO) as proc:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            found = re.search(r"listening on (http://\S+)", line)
            if not found:
                print(f"serve did not start: {line!r}")
                proc.kill()
                return 2
            url = found.group(1)
            rss0, _ = memory_kib(proc.pid)
            print(f"stand-in {url} (pid {proc.pid}), idle RSS {rss0 / 1024:.1f} MiB; {submissions} submissions x "
                  f"{rounds} rounds from {clients} concurrent clients, history cap {HISTORY_CAP}")
            for n in range(1, rounds + 1):
                result = run_load(url, submissions, clients, deadline=300)
                rss, hwm = memory_kib(proc.pid)
                problems = result.problems(history_cap=HISTORY_CAP)
                bad += bool(problems)
                print(f"round {n}: {result.throughput:,.0f} submissions/s ({result.seconds:.2f} s), latency p50 "
                      f"{result.percentile(0.5) * 1000:.1f} ms p99 {result.percentile(0.99) * 1000:.1f} ms, drained in "
                      f"{result.drain_seconds:.2f} s; history {len(result.history)}; RSS {rss / 1024:.1f} MiB "
                      f"(peak {hwm / 1024:.1f} MiB); {problems or 'OK: none lost or duplicated'}")
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
