"""Throughput of predicted EPCs (issue 19): homes predicted per second.

100,000 target homes against a 1,000,000-certificate Parquet dataset of comparables. The
comparables replicate the bundled SYNTHETIC sample portfolio's 2,000 certificates with
perturbed postcodes (40 areas x 10 districts x 10 sectors x 25 units: about ten
certificates per unit), certificate numbers and UPRNs; the targets are random postcodes of
the same space, property type house, built forms 1-4.

* ``test_index``: ``ParquetComparables`` over the dataset: the feature columns read, the
  components extracted and the postcode index sorted (once per dataset);
* ``test_predict``: ``predict`` for the 100,000 targets: ladder, weights, modes and medians,
  templates read from the Parquet dataset, scaling, provenance.

Run: ``python -m pytest benchmarks/test_prediction.py --benchmark-only``
(``ARA_BENCH_PREDICT_TARGETS`` and ``ARA_BENCH_PREDICT_COMPARABLES`` change the sizes).
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bench_support import machine_info, remember

from ara.prediction import ParquetComparables, predict
from ara.rdsap.readers import read_certificates_table

TARGETS = int(float(os.environ.get("ARA_BENCH_PREDICT_TARGETS", "1e5")))
COMPARABLES = int(float(os.environ.get("ARA_BENCH_PREDICT_COMPARABLES", "1e6")))
CHUNK = 100_000
AREAS = [a + b for a in "BCDEFGHKLMNPRS" for b in "ABCDEFGHLMNOPRSTWY"][:40]
UNITS = [a + b for a in "ABDEFGHJ" for b in "LNPQRSTU"][:25]


def _postcodes(rng: np.random.Generator, n: int, units: list[str]) -> list[str]:
    area = rng.integers(0, len(AREAS), n)
    district = rng.integers(1, 11, n)
    sector = rng.integers(0, 10, n)
    unit = rng.integers(0, len(units), n)
    return [f"{AREAS[a]}{d} {s}{units[u]}" for a, d, s, u in
            zip(area, district, sector, unit, strict=True)]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(str(resources.files("ara") / "data" / "sample_portfolio"))
    sample, _ = read_certificates_table(folder / "certificates.ndjson.gz")
    sample = sample.drop_columns(["raw_document"])
    out = tmp_path_factory.mktemp("comparables") / "certificates.parquet"
    rng = np.random.default_rng(19)
    with pq.ParquetWriter(out, sample.schema) as writer:
        for start in range(0, COMPARABLES, CHUNK):
            n = min(CHUNK, COMPARABLES - start)
            chunk = sample.take(pa.array(rng.integers(0, sample.num_rows, n)))
            number = np.arange(start, start + n)
            for name, values in (
                    ("postcode", pa.array(_postcodes(rng, n, UNITS), pa.string())),
                    ("certificate_number", pa.array(
                        [f"{i // 10**8:04d}-{i // 10**4 % 10**4:04d}-{i % 10**4:04d}-0000-0000"
                         for i in number], pa.string())),
                    ("uprn", pa.array(9_300_000_000_000 + number, pa.int64())),
                    ("address_line_1", pa.nulls(n, pa.string()))):
                index = chunk.schema.get_field_index(name)
                chunk = chunk.set_column(index, chunk.schema.field(name), values)
            writer.write_table(chunk, row_group_size=50_000)
    return out


def _targets() -> pa.Table:
    rng = np.random.default_rng(20)
    return pa.table({
        "target_id": pa.array([f"T{i}" for i in range(TARGETS)]),
        "postcode": pa.array(_postcodes(rng, TARGETS, UNITS[:20] + ["XX", "YY", "ZZ"])),
        "property_type": pa.array(["0"] * TARGETS),
        "built_form": pa.array([str(f) for f in rng.integers(1, 5, TARGETS)]),
    })


def _record(benchmark: Any, homes: int) -> None:
    mean = benchmark.stats.stats.mean
    benchmark.extra_info.update({
        "dwellings": homes, "threads": 1, "comparables": COMPARABLES,
        "dwellings_per_s": round(homes / mean), "dwellings_per_s_per_core": round(homes / mean),
        "us_per_dwelling_per_core": round(mean / homes * 1e6, 3), "seconds": round(mean, 2),
        **machine_info()})
    remember(benchmark)


def test_index(benchmark: Any, dataset: Path) -> None:
    comparables = benchmark.pedantic(ParquetComparables, args=(dataset,), rounds=1,
                                     iterations=1)
    assert comparables.index.rows.size == COMPARABLES
    _record(benchmark, COMPARABLES)


def test_predict(benchmark: Any, dataset: Path) -> None:
    comparables = ParquetComparables(dataset)
    targets = _targets()
    out = benchmark.pedantic(predict, args=(targets, comparables), rounds=1, iterations=1)
    assert out.num_rows == TARGETS
    predicted = out.column("prediction_rung").drop_null()
    assert len(predicted) == TARGETS
    _record(benchmark, TARGETS)
