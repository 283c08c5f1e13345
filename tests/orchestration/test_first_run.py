"""The First Run end to end, on SQLite and on the real PostgreSQL (127.0.0.1:5432): Ingestion
writes the certificates, Baseline reads them back through the repositories, and a second run
replaces rather than duplicates. If PostgreSQL cannot be reached its half fails under CI=true
and is skipped, loudly, otherwise."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from ara.domain.bills import FuelRates
from ara.domain.performance import UnpricedBill
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory
from ara.persistence import tables as t
from ara.persistence.mapping import load_properties

from .support import SAMPLE, sample_homes

HOMES = 60


def _first_run(factory: UnitOfWorkFactory,
               baseline: BaselineOrchestrator | None = None) -> FirstRun:
    archive = BulkArchiveFetcher(SAMPLE / "certificates.ndjson.gz")
    ingestion = IngestionOrchestrator(factory, archive, UprnReferenceData(SAMPLE / "uprn.parquet"))
    return FirstRun(factory, ingestion, baseline or BaselineOrchestrator(factory, FuelRates.load()))


def _count(factory: UnitOfWorkFactory, table: sa.Table) -> int:
    with factory(read_only=True) as uow:
        return uow.connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()


def test_two_runs_leave_one_certificate_and_one_baseline_per_property(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    props = read_portfolio(sample_homes(tmp_path, HOMES), "test")
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
    # a bill, or no bill and the reason (a fuel the snapshot does not price, decision 0017)
    assert all((r["bill_total_gbp"] is not None and r["bill_total_gbp"] > 0)
               != (r["bill_unpriced_reason"] is not None) for r in rows)


def test_a_batch_that_raises_is_reported_and_the_run_goes_on(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    props = read_portfolio(sample_homes(tmp_path, HOMES), "test")
    ids = props.column("property_id").to_pylist()
    baseline = BaselineOrchestrator(uow_factory, FuelRates.load())
    calls = {"n": 0}
    original = baseline.run

    def flaky(batch: list[str]) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("disk full")
        return original(batch)

    baseline.run = flaky  # type: ignore[assignment,method-assign]
    run = _first_run(uow_factory, baseline)
    run.create_properties("test", "homes.csv", props)
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
    props = read_portfolio(sample_homes(tmp_path, HOMES), "test")
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


def test_a_home_whose_fuel_the_snapshot_cannot_price_keeps_its_ratings_without_a_bill(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    """Decision 0017: an oil-heated home rates (RdSAP 10 Table 32) but the Fuel Rates snapshot
    prices only gas and electricity. Its baseline is stored with its ratings, null bill
    amounts and the reason naming both end uses on oil; it has no stage failure."""
    props = read_portfolio(sample_homes(tmp_path, HOMES), "test")
    ids = props.column("property_id").to_pylist()
    run = _first_run(uow_factory)
    run.create_properties("test", "homes.csv", props)
    summary = run.run(ids, batch_size=HOMES)
    assert summary.failed_batches == []
    b = t.baseline_performance.c
    with uow_factory(read_only=True) as uow:
        unpriced = uow.connection.execute(sa.select(
            b.property_id, b.effective_sap_score, b.bill_total_gbp, b.bill_energy_charges_gbp,
            b.bill_unpriced_reason).where(b.bill_unpriced_reason.is_not(None))).all()
        failed = uow.connection.execute(sa.select(t.stage_failures.c.property_id)).scalars().all()
        loaded = load_properties(uow, [unpriced[0].property_id]).get(unpriced[0].property_id) \
            if unpriced else None
    assert unpriced, "the sample's first homes include an oil-heated one"
    assert not {r.property_id for r in unpriced} & set(failed)
    for r in unpriced:
        assert 1 <= r.effective_sap_score <= 100
        assert r.bill_total_gbp is None and r.bill_energy_charges_gbp is None
        assert r.bill_unpriced_reason.endswith("not priced by Fuel Rates snapshot 2025-10-01")
    assert any(r.bill_unpriced_reason.count(" uses fuel 4") == 2 for r in unpriced)
    assert loaded is not None and loaded.baseline is not None
    assert isinstance(loaded.baseline.bill, UnpricedBill)
    assert loaded.baseline.bill.reason == unpriced[0].bill_unpriced_reason
