"""``ara calc`` as a whole process: Parquet in, Parquet out (every output column), timed from
the outside like a user's run, start-up, kernel cache load and exit included.

Each round is ``python -m ara calc IN.parquet -o OUT.parquet`` in a child process with
``NUMBA_NUM_THREADS`` = 1 or 2 and the child pinned to that many CPUs (Linux
``sched_setaffinity``), so "per core" is dwellings per second of wall time divided by the
cores the process could use: ``ara calc`` prepares and writes in threads of its own beside
the kernel's. ``extra_info`` also has the child's CPU seconds (user + system), dwellings per
CPU second and its peak resident memory (``wait4`` in a small measuring interpreter, whose
start, some 20 ms, is in the wall time), with the CPU model and the load average (the machine
may be shared: compare figures of one run).

Sizes: 1e5 dwellings; 1e6 too when ``ARA_BENCH_SIZES`` names it (``ARA_BENCH_SIZES=1e5,1e6``).
``ARA_BENCH_BASELINE=DIR`` runs the same rounds a second time with ``PYTHONPATH=DIR`` (a
folder holding ``ara`` and ``ara_kernels`` of another tree, e.g. the last commit) for a
before/after in the same run. Run:
``python -m pytest benchmarks/test_calc_process.py --benchmark-only -s``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from bench_support import SEED, machine_info, remember

from ara.sap import synthetic

_ASKED = [int(float(s)) for s in os.environ.get("ARA_BENCH_SIZES", "").split(",") if s]
SIZES = tuple(sorted({100_000, *[n for n in _ASKED if n >= 1_000_000]}))
THREADS = tuple(t for t in (1, 2) if t <= len(os.sched_getaffinity(0)))
BASELINE = os.environ.get("ARA_BENCH_BASELINE", "")
TREES = ("current", "baseline") if BASELINE else ("current",)


def rounds(n: int) -> int:
    return 3 if n < 1_000_000 else 2


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    """One Parquet file of synthetic dwellings per size (written once)."""
    folder = tmp_path_factory.mktemp("calc-process")
    files = {}
    for n in (100, *SIZES):
        files[n] = folder / f"dwellings_{n}.parquet"
        pq.write_table(synthetic.generate(n, seed=SEED), files[n])
    for tree in TREES:  # compile, or load, each tree's kernels before anything is timed
        run_calc(files[100], folder / "warm.parquet", 1, BASELINE if tree == "baseline" else "")
    return files


#: Runs its arguments as a child and prints the child's CPU seconds and peak RSS. A process
#: forked from pytest would report pytest's own resident size (the image it had before
#: exec) as its peak; one forked from this small interpreter reports its own.
MEASURE = """
import json, os, subprocess, sys
os.sched_setaffinity(0, json.loads(sys.argv[1]))
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
err = proc.stderr.read()
_, status, usage = os.wait4(proc.pid, 0)
print(json.dumps({"code": os.waitstatus_to_exitcode(status), "err": err.decode()[-2000:],
                  "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss * 1024.0}))
"""


def run_calc(source: Path, target: Path, threads: int, pythonpath: str = "") \
        -> dict[str, float]:
    """One ``ara calc`` process on ``threads`` CPUs; its wall seconds, CPU seconds and peak
    RSS (bytes)."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    env["NUMBA_NUM_THREADS"] = str(threads)
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cpus = sorted(os.sched_getaffinity(0))[:threads]
    started = time.perf_counter()
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-c", MEASURE, json.dumps(cpus), sys.executable, "-m", "ara", "calc",
         str(source), "-o", str(target)], env=env, capture_output=True, text=True,
        check=False)
    wall = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr
    child = json.loads(proc.stdout)
    assert child["code"] == 0, child["err"]
    return {"wall": wall, "cpu": child["cpu"], "rss": child["rss"]}


@pytest.mark.parametrize("tree", TREES)
@pytest.mark.parametrize("threads", THREADS, ids=[f"{t}thr" for t in THREADS])
@pytest.mark.parametrize("n", SIZES, ids=[f"{n:.0e}".replace("+0", "") for n in SIZES])
def test_calc_process(benchmark: Any, inputs: dict[int, Path], tmp_path: Path, n: int,
                      threads: int, tree: str) -> None:
    runs: list[dict[str, float]] = []
    target = tmp_path / "results.parquet"
    pythonpath = BASELINE if tree == "baseline" else ""
    load_before = os.getloadavg()[0]
    benchmark.group = f"ara calc process, {n:,} dwellings"

    benchmark.pedantic(lambda: runs.append(run_calc(inputs[n], target, threads, pythonpath)),
                       rounds=rounds(n), iterations=1)

    assert pq.ParquetFile(target).metadata.num_rows == n
    mean = benchmark.stats.stats.mean
    cpu = sum(r["cpu"] for r in runs) / len(runs)
    benchmark.extra_info.update({
        "dwellings": n,
        "threads": threads,
        "tree": tree,
        "dwellings_per_s": round(n / mean),
        "dwellings_per_s_per_core": round(n / mean / threads),
        "best_dwellings_per_s": round(n / benchmark.stats.stats.min),
        "us_per_dwelling_per_core": round(mean * threads / n * 1e6, 3),
        "cpu_seconds": round(cpu, 2),
        "dwellings_per_cpu_second": round(n / cpu),
        "peak_rss_mb": round(max(r["rss"] for r in runs) / 2**20),
        "load_before": round(load_before, 2),
        **machine_info(),
    })
    remember(benchmark)
