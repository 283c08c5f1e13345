"""Throughput of ``ara.sap.prepare.prepare`` alone (issue 17): validation and the kernel's
input arrays from a conformed Arrow table, on one thread (preparation is not threaded), at the
sizes of ``benchmarks/test_throughput.py`` (``ARA_BENCH_SIZES``). Figures and what remains of
its cost are in that module's docstring. Run:
``python -m pytest benchmarks/test_prepare.py --benchmark-only``.
"""

from __future__ import annotations

from typing import Any

import pytest
from bench_support import dwellings, record
from test_throughput import SIZES, rounds

from ara.sap.prepare import conform, prepare
from ara.sap.tables import load_tables

sizes = pytest.mark.parametrize("n", SIZES, ids=[f"{n:.0e}".replace("+0", "") for n in SIZES])


@sizes
def test_prepare(benchmark: Any, n: int) -> None:
    table = conform(dwellings(n))
    tables = load_tables()
    prepare(table.slice(0, 2), tables)  # compile (or load) the preparation passes
    benchmark.group = f"prepare, {n:,} dwellings"

    prep = benchmark.pedantic(prepare, args=(table, tables), rounds=rounds(n), iterations=1)

    assert prep.n == n and prep.dfl.flags.c_contiguous
    record(benchmark, n, 1)
