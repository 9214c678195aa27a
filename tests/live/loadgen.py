"""A bounded loopback load generator for the stand-in: N submissions from C concurrent clients.

Each client has its own ``client_id`` and ``aiohttp`` session and submits a cheap valid workflow in turn;
then the generator waits for the queue to drain and reads ``/history`` and ``/standin/recorded`` back.
Only loopback URLs are accepted; the run is bounded in count and in time (``deadline`` seconds).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import aiohttp

WORKFLOW: dict[str, Any] = {
    "1": {"class_type": "EmptyImage", "inputs": {"width": 8, "height": 8, "batch_size": 1, "color": 0}},
    "2": {"class_type": "SaveImage", "inputs": {"images": ["1", 0], "filename_prefix": "load/run"}},
}


@dataclass
class LoadResult:
    submissions: int
    clients: int
    seconds: float
    statuses: Counter[int] = field(default_factory=Counter)
    prompt_ids: list[str] = field(default_factory=list)
    numbers: list[Any] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)
    recorded_total: int = 0  # submissions the stand-in recorded during this run
    drain_seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return self.submissions / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else 0.0

    def problems(self, *, history_cap: int | None = None) -> list[str]:
        """Lost or duplicated submissions, as messages (empty when every one is accounted for once)."""
        out = []
        if self.statuses != Counter({200: self.submissions}):
            out.append(f"statuses {dict(self.statuses)}, expected {self.submissions} x 200")
        if len(set(self.prompt_ids)) != len(self.prompt_ids):
            out.append(f"{len(self.prompt_ids) - len(set(self.prompt_ids))} duplicated prompt_id(s)")
        first = min(self.numbers, default=0)
        if sorted(self.numbers) != list(range(first, first + self.submissions)):
            out.append("numbers are not N consecutive counter values, each once")
        if self.recorded_total != self.submissions:
            out.append(f"the stand-in recorded {self.recorded_total} submissions, {self.submissions} were sent")
        expected = self.prompt_ids if history_cap is None else self.prompt_ids_by_number()[-history_cap:]
        missing = [p for p in expected if p not in self.history]
        if missing:
            out.append(f"{len(missing)} accepted prompt(s) missing from /history")
        failed = [p for p, e in self.history.items() if e["status"]["status_str"] != "success"]
        if failed:
            out.append(f"{len(failed)} prompt(s) did not complete")
        return out

    def prompt_ids_by_number(self) -> list[str]:
        return [pid for _n, pid in sorted(zip(self.numbers, self.prompt_ids, strict=True))]


async def _client(session: aiohttp.ClientSession, url: str, index: int, jobs: asyncio.Queue[int],
                  result: LoadResult) -> None:
    body = {"prompt": WORKFLOW, "client_id": f"load-{index}"}
    while True:
        try:
            jobs.get_nowait()
        except asyncio.QueueEmpty:
            return
        start = time.perf_counter()
        async with session.post(f"{url}/prompt", json=body) as response:
            answer = await response.json()
            result.latencies.append(time.perf_counter() - start)
            result.statuses[response.status] += 1
            if response.status == 200:
                result.prompt_ids.append(answer["prompt_id"])
                result.numbers.append(answer["number"])


async def _run(url: str, submissions: int, clients: int) -> LoadResult:
    jobs: asyncio.Queue[int] = asyncio.Queue()
    for i in range(submissions):
        jobs.put_nowait(i)
    result = LoadResult(submissions, clients, 0.0)
    connector = aiohttp.TCPConnector(limit=clients)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60)) as session:
        async with session.get(f"{url}/standin/recorded") as response:
            recorded_before = (await response.json())["total"]
        start = time.perf_counter()
        await asyncio.gather(*(_client(session, url, i, jobs, result) for i in range(clients)))
        result.seconds = time.perf_counter() - start
        drain = time.perf_counter()
        while True:
            async with session.get(f"{url}/prompt") as response:
                if (await response.json())["exec_info"]["queue_remaining"] == 0:
                    break
            await asyncio.sleep(0.05)
        result.drain_seconds = time.perf_counter() - drain
        async with session.get(f"{url}/history") as response:
            result.history = await response.json()
        async with session.get(f"{url}/standin/recorded") as response:
            result.recorded_total = (await response.json())["total"] - recorded_before
    return result


def run_load(url: str, submissions: int = 2000, clients: int = 50, *, deadline: float = 300.0) -> LoadResult:
    host = urlsplit(url).hostname
    if host not in ("127.0.0.1", "::1", "localhost"):
        raise ValueError(f"load tests only target loopback, not {host!r}")
    return asyncio.run(asyncio.wait_for(_run(url.rstrip("/"), submissions, clients), deadline))
