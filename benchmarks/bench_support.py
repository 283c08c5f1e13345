"""Helpers shared by the benchmark suites: generated dwellings cached per size, the thread
counts to run, and throughput bookkeeping in ``extra_info``."""

from __future__ import annotations

from typing import Any

import numba
import pyarrow as pa

from ara.sap import synthetic

SEED = 42
_tables: dict[int, pa.Table] = {}
#: (group, test name, extra_info) of every benchmark run, printed at the end of the session
RESULTS: list[tuple[str, str, dict[str, Any]]] = []


def dwellings(n: int) -> pa.Table:
    """``n`` synthetic dwellings, generated once per session."""
    if n not in _tables:
        _tables[n] = synthetic.generate(n, seed=SEED)
    return _tables[n]


def forget(n: int) -> None:
    """Free a large generated table once the benchmarks that use it are done."""
    _tables.pop(n, None)


def available_threads() -> tuple[int, ...]:
    limit: int = numba.config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    return tuple(t for t in (1, 2) if t <= limit)


def record(benchmark: Any, n: int, threads: int) -> float:
    """Store throughput in ``extra_info``; returns dwellings per second (mean round)."""
    mean = benchmark.stats.stats.mean
    best = benchmark.stats.stats.min
    per_s = n / mean
    benchmark.extra_info.update({
        "dwellings": n,
        "threads": threads,
        "dwellings_per_s": round(per_s),
        "dwellings_per_s_per_core": round(per_s / threads),
        "best_dwellings_per_s": round(n / best),
        "us_per_dwelling_per_core": round(mean * threads / n * 1e6, 3),
    })
    remember(benchmark)
    return per_s


def remember(benchmark: Any) -> None:
    RESULTS.append((benchmark.group or "", benchmark.name, benchmark.extra_info))


def summary_lines() -> list[str]:
    """A table of throughput per benchmark, for the end of the run."""
    head = (f"{'benchmark':<46} {'dwellings':>10} {'thr':>4} {'dwellings/s':>12} "
            f"{'per core':>10} {'us/dwelling/core':>17}  note")
    lines = [head, "-" * len(head)]
    for _group, name, info in RESULTS:
        note = ""
        if "speedup_jitted_over_plain" in info:
            note = (f"plain Python {info['plain_python_dwellings_per_s']:,}/s; compiled "
                    f"{info['speedup_jitted_over_plain']}x faster (kernel alone "
                    f"{info['kernel_speedup_jitted_over_plain']}x)")
        if "of_which_deepcopy_us" in info:
            note = f"incl. deepcopy {info['of_which_deepcopy_us']} us"
        lines.append(f"{name:<46} {info['dwellings']:>10,} {info['threads']:>4} "
                     f"{info['dwellings_per_s']:>12,} {info['dwellings_per_s_per_core']:>10,} "
                     f"{info['us_per_dwelling_per_core']:>17}  {note}")
    return lines
