"""``ara calc`` on Dask (issue 18) against the in-process path: dwellings per second of a whole
``python -m ara calc`` process, timed from outside, on the same dwellings.

* ``in-process``: ``ara calc ALL.parquet -o OUT.parquet`` (today's path: one process, the
  kernel on every core through Numba's threads);
* ``workers-2``: ``ara calc DATASET/ -o OUT/ --workers 2``, the dataset being the same rows
  in files of 25,000 (4 partitions at 1e5): start-up of a ``LocalCluster`` of 2 worker
  processes (1 thread each), each worker's set-up (spec tables, kernel cache), the job and
  the cluster's shutdown, all in the time;
* ``scheduler-2``: the same job on a cluster of 2 workers started (and warmed) beforehand,
  ``--scheduler ADDRESS``: what Dask costs once a cluster is up.

``extra_info`` has dwellings per second and each mode's seconds over the in-process run's
(``overhead_s_vs_in_process``), with the CPU model and load (the machine may be shared:
compare figures of one run). Sizes: 1e5; more when ``ARA_BENCH_SIZES`` names them
(``ARA_BENCH_SIZES=1e5,1e6``). No assertion on timings. Run:
``python -m pytest benchmarks/test_distributed.py --benchmark-only -s``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import distributed  # the "cluster" extra, part of "dev"
import pyarrow.parquet as pq
import pytest
from bench_support import SEED, machine_info, remember, run_calc

from ara.sap import synthetic

_ASKED = [int(float(s)) for s in os.environ.get("ARA_BENCH_SIZES", "").split(",") if s]
SIZES = tuple(sorted({100_000, *[n for n in _ASKED if n >= 100_000]}))
FILE_ROWS = 25_000
WORKERS = 2
MODES = ("in-process", "workers-2", "scheduler-2")
#: mean seconds of the in-process run per size, for the other modes' overhead
_IN_PROCESS: dict[int, float] = {}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """Per size: ALL.parquet and, beside it, DATASET/ with the same rows in files of
    FILE_ROWS."""
    folder = tmp_path_factory.mktemp("calc-distributed")
    files = {}
    for n in SIZES:
        table = synthetic.generate(n, seed=SEED)
        root = folder / f"n{n}"
        (root / "dataset").mkdir(parents=True)
        pq.write_table(table, root / "all.parquet")
        for i, start in enumerate(range(0, n, FILE_ROWS)):
            pq.write_table(table.slice(start, FILE_ROWS), root / "dataset" / f"{i:05d}.parquet")
        files[n] = root
    run_calc([str(folder / f"n{SIZES[0]}" / "dataset" / "00000.parquet"), "-o",
              str(folder / "warm.parquet")])  # compile or load the kernels once
    return files


@pytest.fixture(scope="module")
def scheduler(inputs: dict[int, Path], tmp_path_factory: pytest.TempPathFactory) \
        -> Iterator[str]:
    """A cluster of WORKERS processes, its workers set up by one small job before any
    timing."""
    with distributed.LocalCluster(n_workers=WORKERS, threads_per_worker=1, processes=True,
                                  dashboard_address=":0",
                                  silence_logs=logging.CRITICAL) as cluster:
        run_calc([str(inputs[SIZES[0]] / "dataset" / "00000.parquet"), "-o",
                  str(tmp_path_factory.mktemp("warm") / "out"),
                  "--scheduler", cluster.scheduler_address])
        yield cluster.scheduler_address


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("n", SIZES, ids=[f"{n:.0e}".replace("+0", "") for n in SIZES])
def test_calc_distributed(benchmark: Any, inputs: dict[int, Path], tmp_path: Path,
                          request: pytest.FixtureRequest, n: int, mode: str) -> None:
    root = inputs[n]
    if mode == "in-process":
        arguments = [str(root / "all.parquet"), "-o", str(tmp_path / "out.parquet")]
    else:
        arguments = [str(root / "dataset"), "-o", str(tmp_path / "out")]
        arguments += (["--workers", str(WORKERS)] if mode == "workers-2"
                      else ["--scheduler", request.getfixturevalue("scheduler")])
    benchmark.group = f"ara calc on Dask, {n:,} dwellings"

    benchmark.pedantic(lambda: run_calc(arguments), rounds=2, iterations=1)

    if mode == "in-process":
        assert pq.ParquetFile(tmp_path / "out.parquet").metadata.num_rows == n
    else:
        assert sum(pq.ParquetFile(p).metadata.num_rows
                   for p in (tmp_path / "out").glob("part-*.parquet")) == n
    mean = benchmark.stats.stats.mean
    if mode == "in-process":
        _IN_PROCESS[n] = mean
    cores = min(WORKERS, os.cpu_count() or 1)
    benchmark.extra_info.update({
        "dwellings": n,
        "mode": mode,
        "threads": cores,
        "partitions": 1 if mode == "in-process" else -(-n // FILE_ROWS),
        "seconds": round(mean, 3),
        "dwellings_per_s": round(n / mean),
        "dwellings_per_s_per_core": round(n / mean / cores),
        "us_per_dwelling_per_core": round(mean * cores / n * 1e6, 3),
        "overhead_s_vs_in_process": round(mean - _IN_PROCESS[n], 3)
        if n in _IN_PROCESS else None,
        **machine_info(),
    })
    remember(benchmark)
