"""Throughput of the First Run: properties per second through Ingestion (local sources: the
bulk certificate archive and UPRN reference data) and Baseline (source paths, RdSAP 10
expansion, calculator, rebaselining, bills), on SQLite and PostgreSQL, time split by stage.

The portfolio is synthetic, made by ``scripts/make_sample_portfolio.py`` at the size asked
(``ARA_BENCH_FIRST_RUN_N``, default 100,000; for example ``=1e4`` for a quicker run).
Run: ``python -m pytest benchmarks/test_first_run.py --benchmark-only -s``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from bench_support import database, synthetic_portfolio

from ara.domain.bills import FuelRates
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import batches, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory

N = int(float(os.environ.get("ARA_BENCH_FIRST_RUN_N", "1e5")))
BATCH = 5000


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_portfolio(tmp_path_factory, N, "portfolio")


@pytest.fixture(params=["sqlite", "postgresql"])
def factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    yield from database(request.param, tmp_path, "ara_bench")


def test_first_run(benchmark, portfolio: Path, factory: UnitOfWorkFactory) -> None:  # type: ignore[no-untyped-def]
    props = read_portfolio(portfolio / "portfolio.csv", "bench")
    ids = props.column("property_id").to_pylist()
    with factory() as uow:
        uow.portfolios.upsert(__import__("pyarrow").table({"portfolio_id": ["bench"],
                                                          "name": ["bench"]}))
        uow.properties.upsert(props)
    ingestion = IngestionOrchestrator(factory,
                                      BulkArchiveFetcher(portfolio / "certificates.ndjson.gz"),
                                      UprnReferenceData(portfolio / "uprn.parquet"))
    baseline = BaselineOrchestrator(factory, FuelRates.load())
    timings = {"ingestion": 0.0, "baseline": 0.0}

    def run() -> None:
        for batch in batches(ids, BATCH):
            start = time.perf_counter()
            ingestion.run(batch)
            middle = time.perf_counter()
            baseline.run(batch)
            timings["ingestion"] += middle - start
            timings["baseline"] += time.perf_counter() - middle

    benchmark.pedantic(run, rounds=1, iterations=1)
    total = timings["ingestion"] + timings["baseline"]
    benchmark.extra_info.update({
        "properties": N, "properties_per_s": N / total,
        "ingestion_properties_per_s": N / timings["ingestion"],
        "baseline_properties_per_s": N / timings["baseline"],
        "ingestion_s": timings["ingestion"], "baseline_s": timings["baseline"]})
    print(f"\nfirst run, {N:,} properties: {N / total:,.0f}/s overall; ingestion "
          f"{timings['ingestion']:.1f} s ({N / timings['ingestion']:,.0f}/s), baseline "
          f"{timings['baseline']:.1f} s ({N / timings['baseline']:,.0f}/s)")
