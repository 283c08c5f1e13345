"""Fixtures of the benchmark suites: a warm kernel (compiled, or loaded from the on-disk
cache, before anything is timed) and the Numba thread count."""

from __future__ import annotations

from collections.abc import Iterator

import numba
import pytest
from bench_support import RESULTS, summary_lines

from ara.sap import calculate, synthetic


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if RESULTS:
        terminalreporter.section("throughput (dwellings per second, from extra_info)")
        for line in summary_lines():
            terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def warm_kernels() -> None:
    calculate(synthetic.generate(8, seed=1))


@pytest.fixture
def threads(request: pytest.FixtureRequest) -> Iterator[int]:
    """Run the test on ``request.param`` Numba threads, then restore the default."""
    before = numba.get_num_threads()
    numba.set_num_threads(request.param)
    yield request.param
    numba.set_num_threads(before)
