"""Helpers shared by the benchmark suites: generated dwellings cached per size, the thread
counts to run, and throughput bookkeeping in ``extra_info``."""

from __future__ import annotations

import functools
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
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
        **machine_info(),
    })
    remember(benchmark)
    return per_s


@functools.cache
def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """The CPU model, its count and the load average now (figures of a shared machine are
    comparable only within one run)."""
    return {"cpu_model": cpu_model(), "cpus": os.cpu_count(),
            "load_average_1min": round(os.getloadavg()[0], 2)}


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
        if "peak_rss_mb" in info:
            note = (f"{info['tree']}: {info['dwellings_per_cpu_second']:,} per CPU second, "
                    f"peak RSS {info['peak_rss_mb']:,} MB, load {info['load_before']}")
        lines.append(f"{name:<46} {info['dwellings']:>10,} {info['threads']:>4} "
                     f"{info['dwellings_per_s']:>12,} {info['dwellings_per_s_per_core']:>10,} "
                     f"{info['us_per_dwelling_per_core']:>17}  {note}")
    return lines + peer_ratios()


def peer_ratios() -> list[str]:
    """Per dwelling per core, how many times the ``sap2012`` peer's rate (when its benchmark
    ran) and the same code's rate as plain Python (``NUMBA_DISABLE_JIT=1``, when
    ``test_speedup_over_plain_python`` ran: ``calculate`` for the whole-calculation
    benchmarks, the one-pass kernel for the kernel ones) each benchmark of this run is."""
    peer = [info for _g, name, info in RESULTS if name.startswith("test_sap2012_one_core")]
    plain = [info for _g, _name, info in RESULTS if "plain_python_dwellings_per_s" in info]
    if not peer and not plain:
        return []
    base = peer[0]["dwellings_per_s_per_core"] if peer else None
    whole = plain[0]["plain_python_dwellings_per_s"] if plain else None
    kernel = plain[0].get("kernel_plain_python_dwellings_per_s") if plain else None
    lines = ["", "per dwelling per core, times the sap2012 peer (one core) and times plain Python "
             "(this run):"]
    for _group, name, info in RESULTS:
        if name.startswith(("test_sap2012", "test_speedup")) \
                or "dwellings_per_s_per_core" not in info:
            continue
        rate = info["dwellings_per_s_per_core"]
        # the plain-Python kernel is timed for one climate pass: no figure for both passes
        own = kernel if name.startswith("test_kernel[") else \
            None if name.startswith("test_kernel") else whole
        vs_peer = f"{rate / base:8.1f}x peer" if base else ""
        vs_plain = f"{rate / own:8.1f}x plain Python" if own else ""
        lines.append(f"  {name:<46} {vs_peer} {vs_plain}")
    return lines


def synthetic_portfolio(tmp_path_factory: Any, n: int, name: str) -> Path:
    """A synthetic portfolio of ``n`` homes (``scripts/make_sample_portfolio.py``, seed 7:
    portfolio.csv, certificates.ndjson.gz, uprn.parquet) in a fresh temporary folder."""
    import importlib.util

    script = Path(__file__).resolve().parents[1] / "scripts" / "make_sample_portfolio.py"
    spec = importlib.util.spec_from_file_location("make_sample_portfolio", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out: Path = tmp_path_factory.mktemp(name)
    module.write(out, n, 7)
    return out


def database(kind: str, tmp_path: Path, pg_schema: str) -> Iterator[Any]:
    """A migrated database of ``kind`` ('sqlite' in ``tmp_path``, or 'postgresql' in the
    schema ``pg_schema``) as a UnitOfWorkFactory, disposed after use."""
    from pg_support import postgres_engine

    from ara.persistence import UnitOfWorkFactory, create_engine, upgrade

    if kind == "sqlite":
        engine = create_engine(str(tmp_path / "bench.db"))
        upgrade(engine)
        yield UnitOfWorkFactory(engine)
        engine.dispose()
        return
    with postgres_engine(pg_schema) as engine:
        yield UnitOfWorkFactory(engine)


def run_calc(arguments: list[str]) -> float:
    """One ``python -m ara calc`` process; its wall seconds."""
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_DISABLE_JIT"}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ara", "calc", *arguments], env=env,
                          capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    assert proc.returncode == 0, proc.stderr[-3000:]
    return wall
