"""``ara run`` on Dask (issue 18) against the one-process run: homes per second of a whole
``python -m ara run`` process on PostgreSQL, timed from outside, on the same portfolio.

* ``in-process``: ``ara run PORTFOLIO --db PG`` (Ingestion, Baseline and Modelling with the two
  bundled scenarios, batch by batch in one process);
* ``workers-2``: the same with ``--workers 2``: a ``LocalCluster`` of 2 worker processes
  started, the homes partitioned by postcode district (``--partition-homes`` about a quarter
  of the portfolio), each worker's set-up, the job and the shutdown, all in the time.

Each run writes into a fresh PostgreSQL schema. The portfolio is the bundled sample (2,000
homes, its bulk archive and UPRN data), or its first ``ARA_BENCH_RUN_HOMES`` homes. Every
database must end with the same rows (checked after timing); ``extra_info`` has homes per
second, the CPU model and load (the machine may be shared: compare figures of one run). No
assertion on timings. Run: ``python -m pytest benchmarks/test_distributed_run.py
--benchmark-only -s``.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from bench_support import machine_info
from pg_support import schema_urls, snapshot
from sample_support import first_homes, run_command

HOMES = int(os.environ.get("ARA_BENCH_RUN_HOMES", "2000"))
MODES = ("in-process", "workers-2")
_SNAPSHOTS: dict[str, Any] = {}


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return first_homes(tmp_path_factory.mktemp("run-distributed"), HOMES)


@pytest.fixture
def database() -> Iterator[str]:
    with schema_urls("ara_bench") as fresh:
        yield fresh()


def run(portfolio: Path, db: str, *extra: str) -> float:
    started = time.perf_counter()
    done = subprocess.run(run_command(portfolio, db, *extra), capture_output=True, text=True,
                          check=False)
    elapsed = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stderr
    return elapsed


@pytest.mark.parametrize("mode", MODES)
def test_ara_run_on_postgresql(benchmark: Any, portfolio: Path, database: str,
                               mode: str) -> None:
    extra = () if mode == "in-process" else (
        "--workers", "2", "--partition-homes", str(max(1, HOMES // 4)))
    seconds = benchmark.pedantic(run, args=(portfolio, database, *extra), rounds=1,
                                 iterations=1)
    _SNAPSHOTS[mode] = snapshot(database)
    benchmark.extra_info.update(machine_info())
    benchmark.extra_info.update({"homes": HOMES, "homes_per_s": round(HOMES / seconds, 1),
                                 "mode": mode})
    print(f"\nara run {mode}: {HOMES} homes in {seconds:.1f} s "
          f"({HOMES / seconds:,.0f} homes/s)")
    if len(_SNAPSHOTS) == len(MODES):
        assert _SNAPSHOTS["in-process"] == _SNAPSHOTS["workers-2"]
