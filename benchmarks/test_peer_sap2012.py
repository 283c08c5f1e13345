"""Side by side with the fastest open SAP implementation found: the ``sap2012`` package
(SAP 2012 worksheet in plain Python, one dwelling per call; see
``tests/vectors/README.md``). It is not a dependency of Ara: ``pip install sap2012`` to
include it, otherwise its benchmark is skipped.

Not like for like: sap2012 computes the SAP 2012 worksheet of one resolved dwelling per call;
Ara computes SAP 10.2 worksheet lines in batches. Both numbers are dwellings per second on
one core, from the same run.
"""

from __future__ import annotations

import copy
import importlib
import json
import timeit
from pathlib import Path
from typing import Any

import numba
from bench_support import dwellings, record, remember

from ara.sap import calculate

REPO = Path(__file__).resolve().parents[1]
PEER_INPUTS = REPO / "tests" / "vectors" / "peers" / "sap2012_example_inputs.json"
OURS_N = 10_000


def test_ara_one_core(benchmark: Any) -> None:
    table = dwellings(OURS_N)
    before = numba.get_num_threads()
    numba.set_num_threads(1)
    benchmark.group = "peer: dwellings per second on one core"
    try:
        benchmark.pedantic(calculate, args=(table,), rounds=5, iterations=1)
    finally:
        numba.set_num_threads(before)
    record(benchmark, OURS_N, 1)


def test_sap2012_one_core(benchmark: Any) -> None:
    # the peer is in the 'dev' extra and its example inputs in tests/vectors/peers: a
    # missing one is a broken checkout, not a reason to skip the comparison
    sap2012 = importlib.import_module("sap2012")
    assert PEER_INPUTS.exists(), f"{PEER_INPUTS} not found (tests/vectors/peers)"
    inputs = json.loads(PEER_INPUTS.read_text())
    benchmark.group = "peer: dwellings per second on one core"

    result = benchmark(lambda: sap2012.calculate_worksheet(copy.deepcopy(inputs)))

    assert result
    copy_s = min(timeit.repeat(lambda: copy.deepcopy(inputs), number=200, repeat=5)) / 200
    mean = benchmark.stats.stats.mean
    benchmark.extra_info.update({
        "dwellings": 1,
        "threads": 1,
        "dwellings_per_s": round(1 / mean),
        "dwellings_per_s_per_core": round(1 / mean),
        "us_per_dwelling_per_core": round(mean * 1e6, 1),
        "of_which_deepcopy_us": round(copy_s * 1e6, 1),
    })
    remember(benchmark)
