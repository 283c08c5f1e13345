"""The Modelling stage on SQLite and PostgreSQL: properties ingested from the sample
portfolio, scenarios run over the batch, one plan per (property, scenario) with its phases,
measures and rejections written in one unit with every figure (goal, budget, before and after,
per-measure savings that add up to the phase's, uplift, Fuel Rates snapshot), and a re-run
replacing them (decision 0017). The first tests use the fake options and overlays of
``test_optimiser``; the later ones run the real eligibility and overlays end to end."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa
from pg_support import postgres_engine

from ara.cli import bundled
from ara.domain.bills import FuelRates
from ara.domain.codes import Band
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.modelling.optimiser import Goal, GoalKind
from ara.modelling.orchestrator import ModellingOrchestrator
from ara.modelling.scenarios import Phase, ScenarioDefinition
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory, create_engine, upgrade
from ara.persistence import tables as t
from ara.persistence.mapping import load_properties
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


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def portfolio(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
              ) -> Iterator[tuple[UnitOfWorkFactory, list[str]]]:
    tmp = tmp_path_factory.mktemp("modelling")
    if request.param == "sqlite":
        engine = create_engine(str(tmp / "ara.db"))
        upgrade(engine)
        yield _ingested(engine, tmp)
        engine.dispose()
    else:
        with postgres_engine("ara_modelling") as engine:
            yield _ingested(engine, tmp)


def _ingested(engine: sa.Engine, tmp: Path) -> tuple[UnitOfWorkFactory, list[str]]:
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
    unpriced = 0
    for plan in report.plans:
        for phase in plan.phases:
            total = sum(m.bill_saving_gbp for m in phase.measures)
            if math.isnan(phase.bill_saving_gbp):  # a side the snapshot cannot price
                unpriced += 1
                assert math.isnan(total) or not phase.measures
            else:
                assert total == pytest.approx(phase.bill_saving_gbp, abs=1e-9)
            if plan.scenario_id == "epc_c_by_2030":
                assert phase.reached_goal == (phase.after.sap_rating >= 69)
    planned = {(p.property_id, p.scenario_id) for p in report.plans}
    assert counts(factory, "epc_c_by_2030")[0] == sum(s == "epc_c_by_2030" for _, s in planned)
    assert any(p.phases[0].measures for p in report.plans)
    # the sample holds oil and 7-hour homes: planned, without a bill (decision 0017)
    assert unpriced > 0


def test_stage_failures_name_properties_without_a_plan(
        portfolio: tuple[UnitOfWorkFactory, list[str]], tmp_path: Path) -> None:
    factory, ids = portfolio
    report = orchestrator(factory, [FABRIC]).run(ids)
    with factory(read_only=True) as uow:
        failed = uow.connection.execute(sa.select(t.stage_failures.c.property_id).where(
            t.stage_failures.c.stage == "modelling")).scalars().all()
    assert set(report.failures) <= set(failed)


# ---------------------------------------------------------------------------------------------
# Every figure of the stored plans (issue 7: per phase and per plan)
# ---------------------------------------------------------------------------------------------

FABRIC_THEN_ANY = ScenarioDefinition("fabric_then_any", "fabric, then anything to band C", (
    Phase(("*insulation", "draught_proofing", "*glazing"), 5000.0, Goal()),
    Phase(("*",), None, Goal.band(Band.C))))
CO2 = ScenarioDefinition("co2", "least carbon for 6000", (
    Phase(("*",), 6000.0, Goal(GoalKind.MAX_CO2_REDUCTION)),))
TABLES = (t.plans, t.plan_phases, t.plan_measures, t.plan_rejections)


def stored(factory: UnitOfWorkFactory, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The stored rows of the plans of FABRIC_THEN_ANY and CO2 (other tests write others)."""
    with factory(read_only=True) as uow:
        tables = uow.plans.read(ids)
    return {name: [r for r in table.to_pylist() if r["scenario_id"] in ("fabric_then_any",
                                                                        "co2")]
            for name, table in (("plans", tables.plans), ("phases", tables.phases),
                                ("measures", tables.measures),
                                ("rejections", tables.rejections))}


@pytest.fixture(scope="module")
def real_plans(portfolio: tuple[UnitOfWorkFactory, list[str]]
               ) -> tuple[UnitOfWorkFactory, list[str], Any]:
    factory, ids = portfolio
    report = ModellingOrchestrator(factory, FuelRates.load(),
                                   scenarios=[FABRIC_THEN_ANY, CO2],
                                   market_values={ids[0]: 250_000.0, ids[1]: 180_000.0}
                                   ).run(ids)
    assert report.plans_written >= HOMES
    return factory, ids, report


def test_stored_measures_add_up_to_their_phase_saving(
        real_plans: tuple[UnitOfWorkFactory, list[str], Any]) -> None:
    factory, ids, _ = real_plans
    rows = stored(factory, ids)
    by_phase: dict[tuple[str, str, int], list[dict[str, Any]]] = {}
    for m in rows["measures"]:
        by_phase.setdefault((m["property_id"], m["scenario_id"], m["phase_number"]),
                            []).append(m)
    assert rows["measures"]
    for ph in rows["phases"]:
        mine = by_phase.get((ph["property_id"], ph["scenario_id"], ph["phase_number"]), [])
        total = {k: math.fsum(m[k] for m in mine)
                 for k in ("sap_gain", "co2_saving_kg", "primary_energy_saving_kwh",
                           "cost_gbp")}
        bills = [m["bill_saving_gbp"] for m in mine]
        if ph["bill_before_gbp"] is None or ph["bill_after_gbp"] is None:
            # a side the Fuel Rates snapshot cannot price (decision 0017): no saving is
            # known for the measure that crosses it, so not for the sum either
            assert not mine or None in bills
        else:
            assert None not in bills
            assert math.fsum(bills) == pytest.approx(
                ph["bill_before_gbp"] - ph["bill_after_gbp"], abs=1e-9)
        assert total["sap_gain"] == pytest.approx(
            ph["sap_continuous_after"] - ph["sap_continuous_before"], abs=1e-9)
        assert total["co2_saving_kg"] == pytest.approx(
            1000.0 * (ph["co2_tonnes_per_year_before"] - ph["co2_tonnes_per_year_after"]),
            abs=1e-6)
        assert total["primary_energy_saving_kwh"] == pytest.approx(
            ph["primary_energy_kwh_per_year_before"] - ph["primary_energy_kwh_per_year_after"],
            abs=1e-6)
        assert total["cost_gbp"] == pytest.approx(ph["cost_gbp"])
        if not mine:  # nothing installed: nothing changes
            assert ph["bill_before_gbp"] == ph["bill_after_gbp"]
    # a phase starts where the one before it ended, and the plan spans its phases
    phases = {(p["property_id"], p["scenario_id"], p["phase_number"]): p
              for p in rows["phases"]}
    for (pid, sid, number), ph in phases.items():
        if number > 1:
            previous = phases[(pid, sid, number - 1)]
            for stem, _ in t.STATE_COLUMNS:
                assert ph[t.state_column(stem, "before")] \
                    == previous[t.state_column(stem, "after")], stem
    for plan in rows["plans"]:
        key = (plan["property_id"], plan["scenario_id"])
        last = max(n for (p, s, n) in phases if (p, s) == key)
        for stem, _ in t.STATE_COLUMNS:
            assert plan[t.state_column(stem, "before", plan=True)] \
                == phases[(*key, 1)][t.state_column(stem, "before")], stem
            assert plan[t.state_column(stem, "after", plan=True)] \
                == phases[(*key, last)][t.state_column(stem, "after")], stem


SYSTEM_MEASURES = {"air_source_heat_pump", "high_heat_retention_storage_heaters",
                   "condensing_gas_boiler"}


def unpriced_before(factory: UnitOfWorkFactory, property_id: str) -> bool:
    """The baseline of the property has no bill (decision 0017)."""
    with factory(read_only=True) as uow:
        reason = uow.connection.execute(sa.select(
            t.baseline_performance.c.bill_unpriced_reason).where(
            t.baseline_performance.c.property_id == property_id)).scalar()
    return reason is not None


def test_every_figure_of_a_stored_plan_is_filled(
        real_plans: tuple[UnitOfWorkFactory, list[str], Any]) -> None:
    factory, ids, report = real_plans
    rows = stored(factory, ids)
    valued = set(ids[:2])
    for plan in rows["plans"]:
        assert plan["fuel_rates_snapshot"] == FuelRates.load().snapshot
        for name, value in plan.items():
            if name.startswith("uplift_gbp"):
                assert (value is None) == (plan["property_id"] not in valued), name
            elif name == "bill_before_gbp":  # null exactly when the baseline has no bill
                assert (value is None) == unpriced_before(factory, plan["property_id"])
            elif name == "bill_after_gbp":
                # only a change of heating system moves a home between priced and unpriced
                changed = {m["measure_type"] for m in rows["measures"]
                           if (m["property_id"], m["scenario_id"])
                           == (plan["property_id"], plan["scenario_id"])} & SYSTEM_MEASURES
                if not changed:
                    assert (value is None) == (plan["bill_before_gbp"] is None)
            else:
                assert value is not None, name
        assert plan["uplift_percent_low"] <= plan["uplift_percent_high"]
        if plan["final_band"] == plan["band_before"]:
            assert plan["uplift_percent_high"] == 0.0
        # the bands and EI bands agree with their ratings
        assert plan["final_band"] == Band.for_sap(plan["final_sap_score"]).value
        for side in ("before", "after"):
            assert plan[t.state_column("band", side, plan=True)] == Band.for_sap(
                plan[t.state_column("sap_score", side, plan=True)]).value
            assert plan[f"ei_band_{side}"] == Band.for_sap(plan[f"ei_rating_{side}"]).value
    for ph in rows["phases"]:
        budget_none = ph["scenario_id"] == "fabric_then_any" and ph["phase_number"] == 2
        for name, value in ph.items():
            if name.startswith("uplift_gbp"):
                assert (value is None) == (ph["property_id"] not in valued), name
            elif name == "goal_target_band":
                assert value == ("C" if budget_none else None)
            elif name == "budget_gbp":
                assert value == (None if budget_none else
                                 5000.0 if ph["scenario_id"] == "fabric_then_any" else 6000.0)
            elif name in ("bill_before_gbp", "bill_after_gbp"):
                continue  # null exactly when unpriced: checked on the plans above
            else:
                assert value is not None, name
        assert ph["goal_kind"] == {("fabric_then_any", 1): "max_sap",
                                   ("fabric_then_any", 2): "target_band",
                                   ("co2", 1): "max_co2_reduction"}[(ph["scenario_id"],
                                                                   ph["phase_number"])]
        # kWh by end use: the dwelling heats and lights itself
        assert ph["space_heating_main_kwh_before"] > 0 and ph["lighting_kwh_before"] > 0
    # the report's plans and the stored ones are the same figures
    by_key = {(p["property_id"], p["scenario_id"]): p for p in rows["plans"]}
    for plan in report.plans:
        row = by_key[(plan.property_id, plan.scenario_id)]
        assert row["ei_rating_after"] == plan.after.ei_rating
        assert row["primary_energy_kwh_per_year_before"] == plan.before.primary_energy_kwh
        assert row["water_heating_kwh_after"] == plan.after.end_use_kwh.water_heating
        assert (row["uplift_percent_low"], row["uplift_percent_high"]) == plan.uplift_percent
    for m in rows["measures"]:
        assert m["co2_saving_kg"] is not None and m["primary_energy_saving_kwh"] is not None


def test_rejections_say_why_the_measures_a_phase_allows_were_not_offered(
        real_plans: tuple[UnitOfWorkFactory, list[str], Any]) -> None:
    factory, ids, _ = real_plans
    rows = stored(factory, ids)
    assert rows["rejections"]
    phases = {(p["property_id"], p["scenario_id"], p["phase_number"]) for p in rows["phases"]}
    chosen = {(m["property_id"], m["scenario_id"], m["phase_number"], m["measure_type"])
              for m in rows["measures"]}
    for r in rows["rejections"]:
        key = (r["property_id"], r["scenario_id"], r["phase_number"])
        assert key in phases and r["reason"]
        assert (*key, r["measure_type"]) not in chosen
        if key[1:] == ("fabric_then_any", 1):  # only what the phase allows
            assert FABRIC_THEN_ANY.phases[0].allows(r["measure_type"])
    # every property's first phase under "*" explains the heating options it was not offered
    for pid in {r["property_id"] for r in rows["rejections"]}:
        types = {r["measure_type"] for r in rows["rejections"]
                 if (r["property_id"], r["scenario_id"], r["phase_number"]) == (pid, "co2", 1)}
        assert types & {"air_source_heat_pump", "high_heat_retention_storage_heaters",
                        "condensing_gas_boiler", "heating_controls"}, pid
    # loaded back as the domain type
    with factory(read_only=True) as uow:
        loaded = load_properties(uow, ids)
    plans = [plan for p in loaded for plan in p.plans if plan.scenario_id == "co2"]
    assert plans and all(plan.rejections for plan in plans)
    assert all(plan.phases[0].goal is not None
               and plan.phases[0].goal.kind == "max_co2_reduction" for plan in plans)


def test_a_rerun_of_the_real_scenarios_replaces_every_row(
        real_plans: tuple[UnitOfWorkFactory, list[str], Any]) -> None:
    factory, ids, _ = real_plans

    def counts() -> tuple[int, ...]:
        with factory(read_only=True) as uow:
            return tuple(uow.connection.execute(sa.select(sa.func.count()).select_from(table)
                                                .where(table.c.scenario_id == "co2"))
                         .scalar_one() for table in TABLES)

    first = counts()
    assert all(first)
    ModellingOrchestrator(factory, FuelRates.load(), scenarios=[CO2]).run(ids)
    assert counts() == first
    rows = stored(factory, ids)
    assert all(p["uplift_gbp_low"] is None for p in rows["plans"] if p["scenario_id"] == "co2")
