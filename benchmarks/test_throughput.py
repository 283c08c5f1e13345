"""Throughput of the SAP 10.2 calculator on generated (synthetic) dwellings.

* ``test_calculate``: the whole of ``ara.sap.calculate`` (Arrow in: conform, validate, prepare
  arrays, run the kernel, build the Arrow result).
* ``test_prepare`` (``benchmarks/test_prepare.py``): ``ara.sap.prepare.prepare`` alone
  (validation and the kernel's input arrays from a conformed Arrow table; one thread).
  Issue 17 asks for <= 0.4 us per dwelling. At 100,000 dwellings it went from about
  2.1-2.3 to 1.5-1.6 us (best of 11-15
  interleaved rounds, CPU time, load average 3-4 on 2 cores) by building the C-order
  matrices straight from the column vectors (``_Columns``: no column-ordered staging
  matrix and no transposing copy), the openings, the code and range checks and the list
  columns' Arrow buffers in compiled passes (``ara_kernels.prepare_*``). What remains is
  mostly ``ara.sap.systems.resolve_systems`` (about a third), writing the 1.1 KB of
  matrices per dwelling (memory bound, about 0.3 us), ``appendix_n.read_products`` and
  NumPy over the flat columns.
* ``test_kernel``: ``ara_kernels.worksheet.calculate_batch`` alone, on arrays prepared
  beforehand as ``calculator._run`` prepares them: one pass over every dwelling in its own
  climate region (``calculate`` also asks the same call for a second pass, in UK-average
  climate, for the SAP and EI ratings of dwellings outside region 0; that pass reuses the
  climate-independent part of the first).
* ``test_kernel_both_passes``: the same with the UK-average rating pass as ``calculate``
  asks for it (both climate passes, the issue 17 measure).
* ``test_speedup_over_plain_python``: the same code with ``NUMBA_DISABLE_JIT=1`` in a child
  process, on a small batch, against the compiled code on the same batch.

Each for 1e3, 1e5 and 1e6 dwellings on 1 and 2 threads; throughput per core goes in
``extra_info`` (see ``conftest.record``). Run: ``python -m pytest benchmarks --benchmark-only``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import timeit
from typing import Any

import numpy as np
import pytest
from bench_support import available_threads, dwellings, forget, record

from ara.sap import calculate, synthetic
from ara.sap.prepare import conform, prepare
from ara.sap.tables import load_tables
from ara_kernels import layout as L
from ara_kernels.worksheet import calculate_batch, new_scratch

# ARA_BENCH_SIZES=1000,100000 for a quicker run
SIZES = tuple(int(float(s)) for s in os.environ.get("ARA_BENCH_SIZES", "1e3,1e5,1e6").split(","))


def rounds(n: int) -> int:
    """Enough rounds for a stable mean, few for the big batches (2 at a million)."""
    return 30 if n <= 10_000 else 3 if n < 1_000_000 else 2


THREADS = available_threads()
PLAIN_N = 300

pytestmark = pytest.mark.parametrize("threads", THREADS, indirect=True,
                                     ids=[f"{t}thr" for t in THREADS])
sizes = pytest.mark.parametrize("n", SIZES, ids=[f"{n:.0e}".replace("+0", "") for n in SIZES])



@sizes
def test_calculate(benchmark: Any, n: int, threads: int) -> None:
    table = dwellings(n)
    benchmark.group = f"calculate, {n:,} dwellings"

    result = benchmark.pedantic(calculate, args=(table,), rounds=rounds(n), iterations=1)

    assert result.num_rows == n
    record(benchmark, n, threads)


@sizes
def test_kernel(benchmark: Any, n: int, threads: int) -> None:
    prep = prepare(conform(dwellings(n)), load_tables())
    mask = ~prep.problems.bad_mask(prep.n)
    args = one_pass_args(prep, mask)
    out = np.zeros((prep.n, L.N_OUT), order="F")
    benchmark.group = f"kernel, {n:,} dwellings"

    benchmark.pedantic(calculate_batch, args=(*args, out, new_scratch()), rounds=rounds(n),
                       iterations=1)

    assert np.isfinite(out[mask]).all()
    record(benchmark, n, threads)


@sizes
def test_kernel_both_passes(benchmark: Any, n: int, threads: int) -> None:
    """The kernel as ``calculate`` calls it: the dwelling's own climate, then the
    UK-average rating pass for every dwelling outside region 0 (21 in 22 of these)."""
    prep = prepare(conform(dwellings(n)), load_tables())
    mask = ~prep.problems.bad_mask(prep.n)
    rate_uk = mask & (prep.dil[:, L.DI_REGION] != 0)
    arrays = prep.kernel_arrays()
    args = (mask, rate_uk, arrays[0], arrays[0], *arrays[1:], *load_tables().kernel_tables())
    out = np.zeros((prep.n, L.N_OUT), order="F")
    benchmark.group = f"kernel both passes, {n:,} dwellings"

    benchmark.pedantic(calculate_batch, args=(*args, out, new_scratch()), rounds=rounds(n),
                       iterations=1)

    assert np.isfinite(out[mask]).all()
    record(benchmark, n, threads)
    if n == SIZES[-1] and threads == THREADS[-1]:
        forget(n)


def one_pass_args(prep: Any, mask: np.ndarray) -> tuple[Any, ...]:
    """``calculate_batch`` arguments for one pass (no UK-average rating pass)."""
    arrays = prep.kernel_arrays()
    return (mask, np.zeros(prep.n, dtype=bool), arrays[0], arrays[0], *arrays[1:],
            *load_tables().kernel_tables())


PLAIN_SCRIPT = """
import json, time
import numpy as np
from ara_kernels import layout as L
from ara_kernels.worksheet import calculate_batch, new_scratch
from ara.sap import calculate, synthetic
from ara.sap.prepare import conform, prepare
from ara.sap.tables import load_tables
table = synthetic.generate({n}, seed={seed})
calculate(table.slice(0, 2))  # load the spec tables outside the timing
t0 = time.perf_counter()
calculate(table)
whole = time.perf_counter() - t0
prep = prepare(conform(table), load_tables())
out = np.zeros((prep.n, L.N_OUT), order="F")
arrays = prep.kernel_arrays()
t0 = time.perf_counter()
calculate_batch(~prep.problems.bad_mask(prep.n), np.zeros(prep.n, dtype=bool), arrays[0],
                arrays[0], *arrays[1:], *load_tables().kernel_tables(), out, new_scratch())
print(json.dumps({{"calculate": whole, "kernel": time.perf_counter() - t0}}))
"""


def plain_python_seconds(n: int, seed: int) -> dict[str, float]:
    """Seconds for ``calculate`` and for the kernel alone on ``n`` dwellings with Numba's
    JIT disabled (a child process: the switch is read at import)."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    proc = subprocess.run([sys.executable, "-c", PLAIN_SCRIPT.format(n=n, seed=seed)],
                          env=env, capture_output=True, text=True, timeout=1800, check=False)
    assert proc.returncode == 0, proc.stderr
    seconds: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return seconds


def test_speedup_over_plain_python(benchmark: Any, threads: int) -> None:
    table = synthetic.generate(PLAIN_N, seed=7)
    benchmark.group = f"compiled vs plain Python, {PLAIN_N} dwellings"
    plain = plain_python_seconds(PLAIN_N, seed=7)
    prep = prepare(conform(table), load_tables())
    out = np.zeros((prep.n, L.N_OUT), order="F")
    kernel_args = (*one_pass_args(prep, ~prep.problems.bad_mask(prep.n)), out, new_scratch())
    kernel = min(timeit.repeat(lambda: calculate_batch(*kernel_args), number=1, repeat=30))

    benchmark.pedantic(calculate, args=(table,), rounds=30, iterations=1)

    compiled = benchmark.stats.stats.mean
    ratio = plain["calculate"] / compiled
    kernel_ratio = plain["kernel"] / kernel
    record(benchmark, PLAIN_N, threads)
    benchmark.extra_info.update({
        "plain_python_seconds": round(plain["calculate"], 4),
        "plain_python_dwellings_per_s": round(PLAIN_N / plain["calculate"], 1),
        "speedup_jitted_over_plain": round(ratio, 1),
        "kernel_plain_python_seconds": round(plain["kernel"], 4),
        "kernel_plain_python_dwellings_per_s": round(PLAIN_N / plain["kernel"], 1),
        "kernel_jitted_seconds": round(kernel, 6),
        "kernel_speedup_jitted_over_plain": round(kernel_ratio, 1),
    })
    print(f"\n{PLAIN_N} dwellings, {threads} thread(s): calculate compiled "
          f"{compiled * 1e3:.2f} ms vs plain Python {plain['calculate'] * 1e3:.0f} ms "
          f"({ratio:,.0f}x); kernel alone {kernel * 1e3:.2f} ms vs "
          f"{plain['kernel'] * 1e3:.0f} ms ({kernel_ratio:,.0f}x)")
