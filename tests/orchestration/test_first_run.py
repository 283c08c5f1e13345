"""The First Run end to end, on SQLite and on the real PostgreSQL (127.0.0.1:5432): Ingestion
writes the certificates, Baseline reads them back through the repositories, and a second run
replaces rather than duplicates. If PostgreSQL cannot be reached its half fails under CI=true
and is skipped, loudly, otherwise."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from pg_support import postgres_engine

from ara.cli import bundled
from ara.domain.bills import FuelRates
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory, create_engine, upgrade
from ara.persistence import tables as t

SAMPLE = bundled("sample_portfolio")
HOMES = 60


@pytest.fixture(params=["sqlite", "postgresql"])
def uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    if request.param == "sqlite":
        engine = create_engine(str(tmp_path / "ara.db"))
        upgrade(engine)
        yield UnitOfWorkFactory(engine)
        engine.dispose()
        return
    with postgres_engine("ara_run") as engine:
        yield UnitOfWorkFactory(engine)


def _portfolio(tmp_path: Path) -> Path:
    with (SAMPLE / "portfolio.csv").open() as fh:
        rows = list(csv.DictReader(fh))[:HOMES]
    path = tmp_path / "homes.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _first_run(factory: UnitOfWorkFactory) -> FirstRun:
    archive = BulkArchiveFetcher(SAMPLE / "certificates.ndjson.gz")
    ingestion = IngestionOrchestrator(factory, archive, UprnReferenceData(SAMPLE / "uprn.parquet"))
    return FirstRun(factory, ingestion, BaselineOrchestrator(factory, FuelRates.load()))


def _count(factory: UnitOfWorkFactory, table: sa.Table) -> int:
    with factory(read_only=True) as uow:
        return uow.connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_two_runs_leave_one_certificate_and_one_baseline_per_property(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    props = read_portfolio(_portfolio(tmp_path), "test")
    ids = props.column("property_id").to_pylist()
    for _ in range(2):
        run = _first_run(uow_factory)
        run.create_properties("test", "homes.csv", props)
        summary = run.run(ids, batch_size=25)
        assert summary.failed_batches == []
    certificates = _count(uow_factory, t.epc_certificates)
    baselines = _count(uow_factory, t.baseline_performance)
    failures = _count(uow_factory, t.stage_failures)
    assert certificates == HOMES
    assert baselines + failures == HOMES  # every home is baselined or has its reason
    assert baselines > HOMES // 2
    with uow_factory(read_only=True) as uow:
        rows = uow.baselines.read(ids).to_pylist()
    assert len({r["property_id"] for r in rows}) == len(rows)
    assert {r["rebaseline_reason"] for r in rows} <= {"none", "pre_sap10"}
    assert all(r["bill_total_gbp"] > 0 for r in rows)


def test_a_batch_that_raises_is_reported_and_the_run_goes_on(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    props = read_portfolio(_portfolio(tmp_path), "test")
    ids = props.column("property_id").to_pylist()
    run = _first_run(uow_factory)
    run.create_properties("test", "homes.csv", props)
    calls = {"n": 0}
    original = run._baseline.run  # noqa: SLF001

    def flaky(batch: list[str]) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk full")
        return original(batch)

    run._baseline.run = flaky  # type: ignore[method-assign]  # noqa: SLF001
    summary = run.run(ids, batch_size=30)
    assert [n for n, _ in summary.failed_batches] == [1]
    assert "disk full" in summary.failed_batches[0][1]
    with uow_factory(read_only=True) as uow:
        stored = uow.baselines.read(ids).column("property_id").to_pylist()
        failed = uow.connection.execute(sa.select(t.stage_failures.c.property_id).where(
            t.stage_failures.c.stage == "baseline",
            t.stage_failures.c.error_type == "batch_failed")).scalars().all()
    assert not set(stored) & set(ids[:30])  # the failed batch wrote no baseline
    assert set(stored) <= set(ids[30:]) and stored
    assert sorted(failed) == sorted(ids[:30])


class _RefusingFetcher:
    """A fetcher whose API refuses the credentials (as on a 401)."""

    name = "refusing"

    def fetch(self, requests: object) -> object:
        from ara.ingestion.http import AuthError

        raise AuthError("register API", "refused the token (401)", status_code=401)


def test_an_ingestion_batch_that_fails_writes_nothing(uow_factory: UnitOfWorkFactory,
                                                      tmp_path: Path) -> None:
    props = read_portfolio(_portfolio(tmp_path), "test")
    ids = props.column("property_id").to_pylist()
    ingestion = IngestionOrchestrator(uow_factory, _RefusingFetcher(),  # type: ignore[arg-type]
                                      UprnReferenceData(SAMPLE / "uprn.parquet"))
    run = FirstRun(uow_factory, ingestion, BaselineOrchestrator(uow_factory, FuelRates.load()))
    run.create_properties("test", "homes.csv", props)
    summary = run.run(ids, batch_size=25)
    assert len(summary.failed_batches) == 3
    assert all("AuthError" in reason for _, reason in summary.failed_batches)
    assert _count(uow_factory, t.epc_certificates) == 0
    assert _count(uow_factory, t.property_spatial) == 0  # looked up, but the unit never ran
    assert _count(uow_factory, t.baseline_performance) == 0


def test_a_home_whose_fuel_the_snapshot_cannot_price_fails_once_naming_each_use(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    """An oil-heated home rates (RdSAP 10 Table 32) but the Fuel Rates snapshot prices only
    gas and electricity: its space and water heating both use oil, and it gets one stage
    failure naming both, while the rest of the batch is baselined."""
    props = read_portfolio(_portfolio(tmp_path), "test")
    ids = props.column("property_id").to_pylist()
    run = _first_run(uow_factory)
    run.create_properties("test", "homes.csv", props)
    summary = run.run(ids, batch_size=HOMES)
    assert summary.failed_batches == []
    with uow_factory(read_only=True) as uow:
        rows = uow.connection.execute(sa.select(t.stage_failures.c.property_id,
                                                t.stage_failures.c.message).where(
            t.stage_failures.c.error_type == "unpriced_fuel")).all()
    assert rows, "the sample's first homes include an oil-heated one"
    assert len({r.property_id for r in rows}) == len(rows)
    several = [r.message for r in rows if r.message.count(" uses fuel ") > 1]
    assert several and all("not priced by Fuel Rates snapshot" in m for m in several)
    assert _count(uow_factory, t.baseline_performance) > HOMES // 2
