"""The differential harness: ask the real ComfyUI, validate offline, compare, record, reduce, report.

* :class:`Oracle` talks to the reference servers of one era: the primary one (from
  ``COMFY_REFERENCE_URLS``, started with ``PYTHONHASHSEED=0``) and, only when an answer disagrees, servers
  of the same ComfyUI with other hash seeds (``COMFY_REFERENCE_EXTRA_SEEDS``, default ``1,2``, on the
  primary port + 1, + 2, ...) that it starts itself through ``scripts/reference-comfyui --version`` (and
  stops at the end). It keeps every server's queue short and restarts a server whose prompt worker died
  (reference §5.2).
* :class:`Recorder` classifies each case, keeps per-kind counts, writes every disagreement as a
  self-contained, reduced reproducer and the JSON report.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from comfy_contract import Catalog, Verdict, validate_request
from comfy_contract.live.agreement import differences

from .corpus import Case

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "reference-comfyui"
CLIENT_ID = "comfy-contract-reference"
#: hash seeds asked when the primary server's answer disagrees (each on the primary port + its position)
EXTRA_SEEDS: tuple[int, ...] = tuple(
    int(s) for s in os.environ.get("COMFY_REFERENCE_EXTRA_SEEDS", "1,2").split(",") if s.strip())
#: a prompt that stays "running" this long means the prompt worker thread died
WORKER_STUCK_S = 15.0
HEALTH_EVERY = 50


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    seconds: float


def _canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, allow_nan=True)


def _run_script(*args: str) -> None:
    subprocess.run([str(SCRIPT), *args], check=True, stdout=sys.stderr, stderr=sys.stderr, timeout=900)


class Server:
    """One reference ComfyUI: POSTs bodies, watches its queue and its prompt worker."""

    def __init__(self, url: str, seed: int | None, port: int | None, *, owned: bool, version: str = "0.3.75") -> None:
        self.url = url.rstrip("/")
        self.version = version
        self.seed = seed
        self.port = port
        self.owned = owned  # started by this harness: stopped at the end
        self.http = httpx.Client(base_url=self.url, timeout=120.0)
        self.posts = 0
        self.restarts = 0
        self._stuck: tuple[str, float] | None = None
        self.dead_worker: dict[str, Any] | None = None

    def close(self) -> None:
        self.http.close()

    def post(self, body: Any) -> Answer:
        self.posts += 1
        if self.posts % HEALTH_EVERY == 0:
            self.tend()
        content = json.dumps(body).encode()
        start = time.perf_counter()
        response = self.http.post("/prompt", content=content, headers={"Content-Type": "application/json"})
        seconds = time.perf_counter() - start
        try:
            parsed: Any = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            parsed = response.text
        return Answer(response.status_code, parsed, seconds)

    def tend(self) -> None:
        """Clear queued jobs (validation is what we test) and watch for a dead prompt worker.

        Some accepted prompts kill ComfyUI 0.3.75's prompt worker thread at execution (an undeclared
        input linked to a missing node; any node without an ``inputs`` object, even an unreachable
        one: ``cache.set_prompt`` reads every node's inputs). ``/prompt`` keeps validating exactly as
        before, so the run goes on and the dead worker is recorded; the server is restarted at the
        end of the session (outside CI) so it is left healthy.
        """
        self.http.post("/queue", json={"clear": True})
        running = self.http.get("/queue").json().get("queue_running") or []
        if not running:
            self._stuck = None
            return
        prompt_id = str(running[0][1])
        now = time.monotonic()
        if self._stuck is None or self._stuck[0] != prompt_id:
            self._stuck = (prompt_id, now)
        elif now - self._stuck[1] > WORKER_STUCK_S and not self.dead_worker:
            self.dead_worker = {"prompt_id": prompt_id, "prompt": running[0][2], "outputs": running[0][4]}
            print(f"\n[reference] the prompt worker of {self.url} died on prompt {prompt_id}; "
                  "validation answers are unaffected", file=sys.stderr)

    def settle(self) -> None:
        """Watch a prompt still running at the end for up to ``WORKER_STUCK_S``: a worker that died on the
        last prompts of a run is noticed (and the server restarted) instead of being left behind."""
        deadline = time.monotonic() + WORKER_STUCK_S + 2
        while self._stuck is not None and not self.dead_worker and time.monotonic() < deadline:
            time.sleep(1.0)
            self.tend()

    def restart(self, why: str) -> None:
        if self.port is None:
            raise RuntimeError(f"cannot restart {self.url} ({why}): unknown port")
        print(f"\n[reference] restarting {self.url}: {why}", file=sys.stderr)
        _run_script("stop", "--port", str(self.port))
        _run_script("start", "--version", self.version, "--port", str(self.port), "--hash-seed", str(self.seed or 0))
        self.restarts += 1
        self._stuck = None


class Oracle:
    """Answers of the real ComfyUI under several hash seeds, cached by body."""

    def __init__(self, primary_url: str, primary_seed: int = 0, *, version: str = "0.3.75") -> None:
        port = httpx.URL(primary_url).port
        self.version = version
        self.primary = Server(primary_url, primary_seed, port, owned=False, version=version)
        self._extra: list[Server] | None = None
        self._cache: dict[tuple[str, str], Answer] = {}

    @property
    def servers(self) -> list[Server]:
        return [self.primary, *(self._extra or [])]

    def extra(self) -> list[Server]:
        """The servers with other hash seeds, started on first use (in parallel)."""
        if self._extra is None:
            started = []
            procs = []
            base = self.primary.port or 8199
            for offset, seed in enumerate(EXTRA_SEEDS, start=1):
                port = base + offset
                url = f"http://127.0.0.1:{port}"
                if _reachable(url):
                    started.append(Server(url, seed, port, owned=False, version=self.version))
                    continue
                procs.append(subprocess.Popen(
                    [str(SCRIPT), "start", "--version", self.version, "--port", str(port), "--hash-seed", str(seed)],
                    stdout=sys.stderr, stderr=sys.stderr))
                started.append(Server(url, seed, port, owned=True, version=self.version))
            for proc in procs:
                if proc.wait(timeout=900) != 0:
                    raise RuntimeError(f"scripts/reference-comfyui start failed: {proc.args}")
            self._extra = started
        return self._extra

    def ask(self, server: Server, body: Any) -> Answer:
        key = (server.url, _canonical(body))
        answer = self._cache.get(key)
        if answer is None:
            answer = self._cache[key] = server.post(body)
        return answer

    def close(self, *, restart_dead: bool) -> None:
        for server in self.servers:
            with contextlib.suppress(httpx.HTTPError):
                server.tend()
                if restart_dead and not server.owned:
                    server.settle()
            server.close()
            if server.owned and server.port is not None:
                _run_script("stop", "--port", str(server.port))
            elif server.dead_worker and restart_dead:
                server.restart("its prompt worker died during the run")


def _reachable(url: str) -> bool:
    try:
        return httpx.get(f"{url.rstrip('/')}/system_stats", timeout=5.0).status_code == 200
    except httpx.HTTPError:
        return False


# -- classification ---------------------------------------------------------------------------------

OUTCOMES = ("agree", "agree_other_seed", "undecidable", "disagree")


@dataclass
class Result:
    case: Case
    outcome: str
    flagged: bool  # the offline verdict carries V090 (undecidable offline)
    offline: Verdict
    answers: dict[str, Answer]  # seed label -> answer
    diffs: dict[str, list[str]]
    offline_s: float


def judge(oracle: Oracle, catalog: Catalog, case: Case) -> Result:
    body = case.body()
    start = time.perf_counter()
    verdict = validate_request(body, catalog)
    offline_s = time.perf_counter() - start
    answers: dict[str, Answer] = {}
    diffs: dict[str, list[str]] = {}

    def compare(server: Server) -> bool:
        label = f"seed {server.seed}"
        answers[label] = oracle.ask(server, body)
        diffs[label] = differences(verdict.status, verdict.body, answers[label].status, answers[label].body)
        return not diffs[label]

    flagged = not verdict.decidable
    if compare(oracle.primary):
        return Result(case, "agree", flagged, verdict, answers, diffs, offline_s)
    for server in oracle.extra():
        if compare(server):
            return Result(case, "agree_other_seed", flagged, verdict, answers, diffs, offline_s)
    return Result(case, "undecidable" if flagged else "disagree", flagged, verdict, answers, diffs, offline_s)


def _diff_kinds(result: Result) -> frozenset[str]:
    return frozenset(d.split(":")[0].split(" ")[0] for ds in result.diffs.values() for d in ds)


def reduce_case(oracle: Oracle, catalog: Catalog, result: Result, budget: int = 120) -> Result:
    """Greedy minimisation: drop nodes, then inputs, while the case still disagrees the same way."""
    target = _diff_kinds(result)
    best = result
    tries = 0

    def attempt(workflow: dict[str, Any]) -> bool:
        nonlocal best, tries
        tries += 1
        candidate = Case(best.case.kind, best.case.base, (*best.case.steps, "reduced"), workflow)
        res = judge(oracle, catalog, candidate)
        if res.outcome == result.outcome and _diff_kinds(res) == target:
            best = res
            return True
        return False

    changed = True
    while changed and tries < budget:
        changed = False
        wf = best.case.workflow
        for node_id in list(wf):
            if tries >= budget:
                break
            smaller = {k: v for k, v in best.case.workflow.items() if k != node_id}
            if node_id in best.case.workflow and smaller and attempt(smaller):
                changed = True
        for node_id in list(best.case.workflow):
            node = best.case.workflow.get(node_id)
            if not isinstance(node, dict) or not isinstance(node.get("inputs"), dict):
                continue
            for name in list(node["inputs"]):
                if tries >= budget:
                    break
                smaller = json.loads(_canonical(best.case.workflow))
                del smaller[node_id]["inputs"][name]
                if attempt(smaller):
                    changed = True
    return best


# -- recording and reporting ------------------------------------------------------------------------


@dataclass
class KindStats:
    cases: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    flagged_agree: int = 0
    statuses: Counter[int] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        agreed = self.outcomes["agree"] + self.outcomes["agree_other_seed"]
        decidable = self.cases - self.outcomes["undecidable"]
        return {
            "cases": self.cases,
            **{o: self.outcomes[o] for o in OUTCOMES},
            "flagged_but_agreed": self.flagged_agree,
            "server_status": {str(k): v for k, v in sorted(self.statuses.items())},
            "agreement_rate": round(agreed / self.cases, 6) if self.cases else None,
            "decidable_agreement_rate": round(agreed / decidable, 6) if decidable else None,
        }


class Recorder:
    def __init__(
        self, report_path: Path, oracle_url: str, *, era: str = "0.3.75", catalog_path: Path | None = None
    ) -> None:
        self.report_path = report_path
        self.era = era
        self.catalog_path = catalog_path
        self.repro_dir = report_path.parent / "reference-disagreements" / era
        self.url = oracle_url
        self.kinds: dict[str, KindStats] = {}
        self.seen: set[str] = set()
        self.problems: list[dict[str, Any]] = []
        self.seed_dependent: list[dict[str, Any]] = []
        self.started = time.monotonic()
        self.server_s = 0.0
        self.offline_s = 0.0
        self.posts = 0
        self.version: str | None = None
        # reproducers of an earlier run of this era would read as current ones
        for old in self.repro_dir.glob("*.json") if self.repro_dir.is_dir() else ():
            old.unlink()

    def record(self, result: Result) -> None:
        stats = self.kinds.setdefault(result.case.kind, KindStats())
        stats.cases += 1
        stats.outcomes[result.outcome] += 1
        first = next(iter(result.answers.values()))
        stats.statuses[first.status] += 1
        if result.flagged and result.outcome.startswith("agree"):
            stats.flagged_agree += 1
        if result.outcome == "agree_other_seed":
            self.seed_dependent.append({"kind": result.case.kind, "steps": list(result.case.steps),
                                        "flagged": result.flagged,
                                        "agrees_with": [k for k, v in result.diffs.items() if not v]})
        self.server_s += first.seconds
        self.offline_s += result.offline_s
        self.posts += 1

    def new(self, case: Case) -> bool:
        key = _canonical(case.body())
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def write_reproducer(self, result: Result) -> Path:
        self.repro_dir.mkdir(parents=True, exist_ok=True)
        n = sum(1 for p in self.problems if p["kind"] == result.case.kind) + 1
        stem = f"{result.case.kind}-{n}"
        prompt_file = self.repro_dir / f"{stem}.prompt.json"
        prompt_file.write_text(json.dumps(result.case.body(), indent=1) + "\n")
        rel = _rel(prompt_file)
        catalog = _rel(self.catalog_path) if self.catalog_path else "CATALOG"
        entry = {
            "kind": result.case.kind,
            "outcome": result.outcome,
            "base": result.case.base,
            "steps": list(result.case.steps),
            "body": result.case.body(),
            "server": {label: {"status": a.status, "body": a.body} for label, a in result.answers.items()},
            "offline": result.offline.to_dict(),
            "differences": result.diffs,
            "replay": f"comfy-contract validate {rel} --catalog {catalog} --comfyui-version {self.era} --format json",
            "ask_the_server": f"curl -s -X POST {self.url}/prompt -H 'Content-Type: application/json' -d @{rel}",
        }
        path = self.repro_dir / f"{stem}.json"
        path.write_text(json.dumps(entry, indent=1, default=str) + "\n")
        self.problems.append({"kind": result.case.kind, "outcome": result.outcome, "file": _rel(path),
                              "differences": result.diffs})
        return path

    def totals(self) -> KindStats:
        total = KindStats()
        for stats in self.kinds.values():
            total.cases += stats.cases
            total.outcomes.update(stats.outcomes)
            total.flagged_agree += stats.flagged_agree
            total.statuses.update(stats.statuses)
        return total

    def report(self, restarts: int, seeds: list[int | None], dead: list[dict[str, Any]]) -> dict[str, Any]:
        return {
            "era": self.era,
            "comfyui_version": self.version,
            "server_url": self.url,
            "hash_seeds_asked": seeds,
            "corpus_size": self.totals().cases,
            "totals": self.totals().to_dict(),
            "kinds": {kind: self.kinds[kind].to_dict() for kind in sorted(self.kinds)},
            "disagreements": self.problems,
            "hash_seed_dependent": self.seed_dependent,
            "worker_restarts": restarts,
            "worker_deaths": dead,
            "wall_time_s": round(time.monotonic() - self.started, 1),
            "mean_server_roundtrip_ms": round(self.server_s / self.posts * 1e3, 3) if self.posts else None,
            "mean_offline_ms": round(self.offline_s / self.posts * 1e3, 4) if self.posts else None,
        }

    def write(self, report: dict[str, Any]) -> None:
        self.report_path.parent.mkdir(parents=True, exist_ok=True)
        self.report_path.write_text(json.dumps(report, indent=1) + "\n")

    def summary_lines(self, report: dict[str, Any]) -> list[str]:
        lines = [f"{'kind':<22} {'cases':>6} {'agree':>6} {'other':>6} {'undec':>6} {'disagr':>6} {'rate':>8}"]
        rows: list[tuple[str, dict[str, Any]]] = [*report["kinds"].items(), ("TOTAL", report["totals"])]
        for kind, row in rows:
            lines.append(f"{kind:<22} {row['cases']:>6} {row['agree']:>6} {row['agree_other_seed']:>6} "
                         f"{row['undecidable']:>6} {row['disagree']:>6} {row['agreement_rate'] * 100:>7.2f}%")
        lines.append("other = agrees only with a server started with another PYTHONHASHSEED; "
                     "undec = flagged V090 (undecidable offline) and differs")
        lines.append(f"wall time {report['wall_time_s']}s; mean /prompt round trip "
                     f"{report['mean_server_roundtrip_ms']} ms vs offline {report['mean_offline_ms']} ms; "
                     f"dead prompt workers {len(report['worker_deaths'])}; report {_rel(self.report_path)}")
        lines.extend(f"  {p['outcome']}: {p['file']}" for p in self.problems)
        return lines


def summary_table(reports: dict[str, dict[str, Any]]) -> list[str]:
    """One line per era: its totals (the same columns as the per-kind summary)."""
    lines = [f"{'era':<12} {'server version':<16} {'cases':>6} {'agree':>6} {'other':>6} {'undec':>6} {'disagr':>6} "
             f"{'rate':>8} {'decidable':>9}"]
    for era, report in reports.items():
        row = report["totals"]
        decidable = row["decidable_agreement_rate"]
        lines.append(f"{era:<12} {report['comfyui_version'] or '(none)':<16} {row['cases']:>6} {row['agree']:>6} "
                     f"{row['agree_other_seed']:>6} {row['undecidable']:>6} {row['disagree']:>6} "
                     f"{row['agreement_rate'] * 100:>7.2f}% "
                     f"{'-' if decidable is None else f'{decidable * 100:.2f}%':>9}")
    return lines


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        return str(path)


Judge = Callable[[Case], Result]
