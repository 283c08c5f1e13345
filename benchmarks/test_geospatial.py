"""Throughput of UPRN lookups: one batch of 10,000 UPRNs against a generated reference file
of 2 million rows (OS Open UPRN columns plus the three planning flags), as CSV and as
Parquet (sorted by UPRN, row groups of 100,000), and the same batch served from the
``property_spatial`` cache on SQLite.

* ``test_lookup``: ``UprnReferenceData.lookup`` (one filtered scan of the file);
* ``test_cached``: ``spatial_for_uprns`` when every UPRN is cached (one query, no scan).

UPRNs per second go in ``extra_info``. Run:
``python -m pytest benchmarks/test_geospatial.py --benchmark-only``
(``ARA_BENCH_UPRN_ROWS=41e6`` for a national-size file; it takes a few GB of disk).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from ara.ingestion.geospatial import UprnReferenceData, convert_to_parquet, spatial_for_uprns
from ara.persistence import UnitOfWorkFactory, create_engine, upgrade

ROWS = int(float(os.environ.get("ARA_BENCH_UPRN_ROWS", "2e6")))
BATCH = 10_000
FIRST_UPRN = 10_000_000
CHUNK = 500_000


def _chunk(start: int, stop: int, rng: np.random.Generator) -> pa.Table:
    n = stop - start
    return pa.table({
        "UPRN": FIRST_UPRN + 7 * np.arange(start, stop, dtype=np.int64),
        "X_COORDINATE": rng.uniform(100_000, 650_000, n).round(2),
        "Y_COORDINATE": rng.uniform(10_000, 1_200_000, n).round(2),
        "LATITUDE": rng.uniform(50.0, 58.6, n).round(7),
        "LONGITUDE": rng.uniform(-6.0, 1.7, n).round(7),
        "CONSERVATION_AREA": rng.random(n) < 0.05,
        "LISTED_BUILDING": rng.random(n) < 0.01,
        "HERITAGE_BUILDING": rng.random(n) < 0.005,
    })


@pytest.fixture(scope="module")
def reference_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    directory = tmp_path_factory.mktemp("uprn_bench")
    csv_path = directory / "osopenuprn.csv"
    rng = np.random.default_rng(11)
    with pacsv.CSVWriter(csv_path, _chunk(0, 1, rng).schema) as out:
        for start in range(0, ROWS, CHUNK):
            out.write_table(_chunk(start, min(start + CHUNK, ROWS), rng))
    parquet_path = directory / "osopenuprn.parquet"
    convert_to_parquet(csv_path, parquet_path, row_group_size=100_000)
    return {"csv": csv_path, "parquet": parquet_path}


def _batch() -> np.ndarray:
    rng = np.random.default_rng(3)
    rows = rng.choice(ROWS, size=BATCH, replace=False)
    return FIRST_UPRN + 7 * rows.astype(np.int64)


def _record(benchmark: Any, kind: str) -> None:
    mean = benchmark.stats.stats.mean
    benchmark.extra_info.update({
        "file_rows": ROWS, "batch": BATCH, "format": kind,
        "uprns_per_s": round(BATCH / mean), "file_rows_per_s": round(ROWS / mean)})


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_lookup(benchmark: Any, reference_files: dict[str, Path],
                kind: str) -> None:
    reference = UprnReferenceData(reference_files[kind])
    wanted = _batch()
    result = benchmark.pedantic(reference.lookup, args=(wanted,),
                                rounds=3, iterations=1)
    assert int(np.sum(result.column("found").to_numpy())) == BATCH
    _record(benchmark, kind)


@pytest.fixture
def units(tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    engine = create_engine(str(tmp_path / "ara.db"))
    upgrade(engine)
    try:
        yield UnitOfWorkFactory(engine)
    finally:
        engine.dispose()


def test_cached(benchmark: Any, reference_files: dict[str, Path],
                units: UnitOfWorkFactory) -> None:
    reference = UprnReferenceData(reference_files["parquet"])
    wanted = _batch()
    spatial_for_uprns(wanted, reference, units)  # fills the cache
    batch = benchmark.pedantic(spatial_for_uprns,
                               args=(wanted, reference, units), rounds=3, iterations=1)
    assert (batch.cached, batch.looked_up) == (BATCH, 0)
    _record(benchmark, "sqlite cache")
