"""The Modelling stage on SQLite: properties ingested from the sample portfolio, scenarios run
over the batch, one plan per (property, scenario) with its phases and measures written in one
unit, and a re-run replacing them (decision 0017). The first tests use the fake options and
overlays of ``test_optimiser``; the last runs the real eligibility and overlays end to end."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa

from ara.cli import bundled
from ara.domain.bills import FuelRates
from ara.domain.codes import Band
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.modelling.optimiser import Goal
from ara.modelling.orchestrator import ModellingOrchestrator
from ara.modelling.scenarios import Phase, ScenarioDefinition
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory, create_engine, upgrade
from ara.persistence import tables as t
from modelling.test_optimiser import FakeOption, fake_apply

SAMPLE = bundled("sample_portfolio")
HOMES = 12
FABRIC = ScenarioDefinition("fabric", "fabric", (
    Phase(("loft_insulation", "draught_proofing"), goal=Goal()),
    Phase(("double_glazing",), 6000.0, Goal.band(Band.C))))
NOTHING = ScenarioDefinition("fabric", "fabric, no money", (Phase(("*",), 0.0, Goal()),))


def fake_candidates(inputs: pa.Table, certs: pa.Table, flags: pa.Table,
                    solar: pa.Table) -> tuple[list[Any], list[Any]]:
    assert inputs.num_rows == certs.num_rows == flags.num_rows
    return [FakeOption(pid, measure, measure, cost)
            for pid in inputs.column("dwelling_id").to_pylist()
            for measure, cost in (("loft_insulation", 900.0), ("draught_proofing", 300.0),
                                  ("double_glazing", 4000.0))], []


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> tuple[UnitOfWorkFactory, list[str]]:
    tmp = tmp_path_factory.mktemp("modelling")
    engine = create_engine(str(tmp / "ara.db"))
    upgrade(engine)
    factory = UnitOfWorkFactory(engine)
    with (SAMPLE / "portfolio.csv").open() as fh:
        rows = list(csv.DictReader(fh))[:HOMES]
    path = tmp / "homes.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    props = read_portfolio(path, "test")
    ids = props.column("property_id").to_pylist()
    archive = BulkArchiveFetcher(SAMPLE / "certificates.ndjson.gz")
    ingestion = IngestionOrchestrator(factory, archive,
                                      UprnReferenceData(SAMPLE / "uprn.parquet"))
    run = FirstRun(factory, ingestion, BaselineOrchestrator(factory, FuelRates.load()))
    run.create_properties("test", "homes.csv", props)
    assert run.run(ids, batch_size=HOMES).failed_batches == []
    return factory, ids


def counts(factory: UnitOfWorkFactory, scenario_id: str) -> tuple[int, int, int]:
    with factory(read_only=True) as uow:
        return tuple(uow.connection.execute(  # type: ignore[return-value]
            sa.select(sa.func.count()).select_from(table)
            .where(table.c.scenario_id == scenario_id)).scalar_one()
            for table in (t.plans, t.plan_phases, t.plan_measures))


def orchestrator(factory: UnitOfWorkFactory,
                 scenarios: Sequence[ScenarioDefinition]) -> ModellingOrchestrator:
    return ModellingOrchestrator(factory, FuelRates.load(), scenarios=scenarios,
                                 candidates=fake_candidates, apply=fake_apply)


def test_one_plan_per_property_and_scenario_with_its_phases_and_measures(
        portfolio: tuple[UnitOfWorkFactory, list[str]]) -> None:
    factory, ids = portfolio
    report = orchestrator(factory, [FABRIC]).run(ids)
    assert report.plans_written + len(report.failures) == HOMES
    assert report.plans_written > HOMES // 2
    measures = sum(len(p.measures) for plan in report.plans for p in plan.phases)
    assert counts(factory, "fabric") == (report.plans_written, 2 * report.plans_written,
                                         measures)
    with factory(read_only=True) as uow:
        stored = uow.plans.read(ids, "fabric")
    by_id = {p.property_id: p for p in report.plans}
    for row in stored.plans.to_pylist():
        plan = by_id[row["property_id"]]
        assert row["final_sap_score"] == plan.after.sap_rating
        assert row["total_cost_gbp"] == pytest.approx(plan.cost_gbp)


def test_a_rerun_replaces_the_plans_and_their_children(
        portfolio: tuple[UnitOfWorkFactory, list[str]]) -> None:
    factory, ids = portfolio
    first = orchestrator(factory, [FABRIC]).run(ids)
    again = orchestrator(factory, [FABRIC]).run(ids)
    assert counts(factory, "fabric")[0] == first.plans_written == again.plans_written
    orchestrator(factory, [NOTHING]).run(ids)  # same scenario id, one phase, no budget
    assert counts(factory, "fabric") == (again.plans_written, again.plans_written, 0)
    with factory(read_only=True) as uow:
        stored = uow.scenarios.read(["fabric"])
    assert stored.scenarios.column("name").to_pylist() == ["fabric, no money"]


def test_the_real_catalogue_eligibility_and_overlays_plan_the_bundled_scenarios(
        portfolio: tuple[UnitOfWorkFactory, list[str]]) -> None:
    factory, ids = portfolio
    report = ModellingOrchestrator(factory, FuelRates.load()).run(ids)
    assert report.plans_written >= HOMES  # two bundled scenarios, most homes planned
    assert report.calculator_calls < report.packages_scored / 4
    for plan in report.plans:
        for phase in plan.phases:
            assert sum(m.bill_saving_gbp for m in phase.measures) \
                == pytest.approx(phase.bill_saving_gbp, abs=1e-9)
            if plan.scenario_id == "epc_c_by_2030":
                assert phase.reached_goal == (phase.after.sap_rating >= 69)
    planned = {(p.property_id, p.scenario_id) for p in report.plans}
    assert counts(factory, "epc_c_by_2030")[0] == sum(s == "epc_c_by_2030" for _, s in planned)
    assert any(p.phases[0].measures for p in report.plans)


def test_stage_failures_name_properties_without_a_plan(
        portfolio: tuple[UnitOfWorkFactory, list[str]], tmp_path: Path) -> None:
    factory, ids = portfolio
    report = orchestrator(factory, [FABRIC]).run(ids)
    with factory(read_only=True) as uow:
        failed = uow.connection.execute(sa.select(t.stage_failures.c.property_id).where(
            t.stage_failures.c.stage == "modelling")).scalars().all()
    assert set(report.failures) <= set(failed)
