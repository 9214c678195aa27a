"""(c) A small loopback load: none lost, none duplicated, history capped (figures: benchmarks/bench_standin.py)."""

from __future__ import annotations

from pathlib import Path

from comfy_contract import Catalog
from comfy_contract.live.standin import StandinOptions, StandinServer

from .loadgen import run_load


def test_concurrent_submissions_are_each_accepted_run_and_recorded_once(stock_catalog: Catalog,
                                                                         tmp_path: Path) -> None:
    options = StandinOptions(files=tmp_path, max_history=50, max_recorded=20, record=tmp_path / "r.jsonl")
    with StandinServer(stock_catalog, options) as server:
        result = run_load(server.url, submissions=200, clients=20, deadline=120)
        assert result.problems(history_cap=50) == []
        assert len(result.history) == 50
        assert len(server.recorded()) == 20
    assert len((tmp_path / "r.jsonl").read_text().splitlines()) == 200
    assert len(list((tmp_path / "output" / "load").iterdir())) == 200
