"""Revision 0002 (every figure of a plan) on SQLite and PostgreSQL: a database at 0001 holding
plans upgrades without losing a value (the plan's after-figures stored per phase are copied to
the plan, what was never computed stays NULL and reads back as unknown), and goes down to 0001
again with its data intact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pg_support import engine_at
from sqlalchemy.engine import Engine

from ara.cli_plan import render_plan
from ara.domain import Band
from ara.persistence import UnitOfWorkFactory, upgrade
from ara.persistence import tables as t
from ara.persistence.mapping import load_properties, plan_tables
from ara.persistence.migrate import current_revision, downgrade, head_revision

from .persistence_samples import full_property

NOW = dt.datetime(2026, 1, 2, 3, 4, 5)
PLANS_0001 = {"property_id", "scenario_id", "total_cost_gbp", "final_sap_score", "final_band",
              "planned_at"}


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0001(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database at revision 0001."""
    with engine_at(request.param, tmp_path, "0001", "ara_migration") as engine:
        yield engine


def _insert(conn: sa.Connection, table: str, rows: list[dict[str, Any]]) -> None:
    names = list(rows[0])
    conn.execute(sa.text(f"INSERT INTO {table} ({', '.join(names)}) "
                         f"VALUES ({', '.join(':' + n for n in names)})"), rows)


def seed_0001(engine: Engine) -> None:
    """One property with a two-phase plan (two measures) as revision 0001 stored it."""
    with engine.begin() as conn:
        _insert(conn, "portfolios", [{"portfolio_id": "PF", "name": "Portfolio"}])
        _insert(conn, "properties", [{"property_id": pid, "portfolio_id": "PF"}
                                     for pid in ("P1", "P2")])
        _insert(conn, "scenarios", [{"scenario_id": "S", "name": "scenario"}])
        _insert(conn, "scenario_phases", [
            {"scenario_id": "S", "phase_number": 1, "allowed_measure_types_json": '["*"]',
             "budget_gbp": 5000.0, "target_band": None},
            {"scenario_id": "S", "phase_number": 2, "allowed_measure_types_json": '["*"]',
             "budget_gbp": None, "target_band": "C"}])
        _insert(conn, "plans", [{"property_id": "P1", "scenario_id": "S",
                                 "total_cost_gbp": 1250.0, "final_sap_score": 71,
                                 "final_band": "C", "planned_at": NOW}])
        _insert(conn, "plan_phases", [
            {"property_id": "P1", "scenario_id": "S", "phase_number": n, "cost_gbp": cost,
             "sap_score_after": sap, "band_after": band, "co2_tonnes_per_year_after": co2,
             "primary_energy_kwh_per_m2_year_after": pe, "bill_after_gbp": bill,
             "reached_goal": True}
            for n, cost, sap, band, co2, pe, bill in ((1, 950.0, 64, "D", 2.5, 210.0, 1300.0),
                                                      (2, 300.0, 71, "C", 2.25, 190.5, 1180.25))])
        _insert(conn, "plan_measures", [
            {"property_id": "P1", "scenario_id": "S", "phase_number": n, "sequence": 1,
             "measure_type": m, "measure_option": m, "target": "main", "cost_gbp": cost,
             "sap_gain": gain, "bill_saving_gbp": saving}
            for n, m, cost, gain, saving in ((1, "loft_insulation", 950.0, 6.5, 150.0),
                                             (2, "draught_proofing", 300.0, 7.0, 119.75))])


def rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM {table}")).mappings()]


def test_a_database_holding_plans_upgrades_to_head_and_back(at_0001: Engine) -> None:
    engine = at_0001
    seed_0001(engine)
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                t.metadata) == []

    [plan] = rows(engine, "plans")
    assert (plan["final_sap_score"], plan["final_band"]) == (71, "C")  # kept
    # copied from the last phase
    assert (plan["co2_tonnes_per_year_after"], plan["primary_energy_kwh_per_m2_year_after"],
            plan["bill_after_gbp"]) == (2.25, 190.5, 1180.25)
    never = {c.name for c in t.plans.columns} - PLANS_0001 - {
        "co2_tonnes_per_year_after",
        "primary_energy_kwh_per_m2_year_after", "bill_after_gbp"}
    assert never and all(plan[c] is None for c in never)
    phases = sorted(rows(engine, "plan_phases"), key=lambda r: r["phase_number"])
    assert [p["bill_after_gbp"] for p in phases] == [1300.0, 1180.25]
    assert all(p["goal_kind"] is None and p["sap_continuous_before"] is None for p in phases)
    assert [m["bill_saving_gbp"] for m in sorted(rows(engine, "plan_measures"),
                                                 key=lambda r: r["phase_number"])] \
        == [150.0, 119.75]
    assert all(m["co2_saving_kg"] is None for m in rows(engine, "plan_measures"))
    assert {r["phase_number"]: r["goal_kind"] for r in rows(engine, "scenario_phases")} \
        == {1: None, 2: "target_band"}
    assert rows(engine, "plan_rejections") == []

    # the old plan loads, its unknown figures as None, and prints
    factory = UnitOfWorkFactory(engine)
    with factory(read_only=True) as uow:
        [prop] = load_properties(uow, ["P1"])
        tables = uow.plans.read(["P1"])
    [old] = prop.plans
    assert old.before is None and old.fuel_rates_snapshot is None and old.rejections == ()
    assert old.after is not None and old.after.performance.band is Band.C
    assert old.after.ei_rating is None and old.after.end_use_kwh is None
    assert old.phases[1].measures[0].co2_saving_kg is None and old.phases[1].goal is None
    text = render_plan("P1", None, tables.plans.to_pylist(), tables.phases.to_pylist(),
                       tables.measures.to_pylist(), [], [])
    assert "after:  SAP 71 C, EI - -" in text and "goal -, budget -" in text
    assert "draught_proofing" in text and "120" in text  # bill saving 119.75

    # a new plan with every figure is written beside it, and reads back whole
    new = replace(full_property(0).plans[0], property_id="P2", scenario_id="S")
    with factory() as uow:
        uow.plans.write(plan_tables([new], NOW))
    with factory(read_only=True) as uow:
        assert load_properties(uow, ["P2"])["P2"].plans == (new,)
    assert len(rows(engine, "plan_rejections")) == 2

    downgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    inspector = sa.inspect(engine)
    assert "plan_rejections" not in inspector.get_table_names()
    assert {c["name"] for c in inspector.get_columns("plans")} == PLANS_0001
    assert "goal_kind" not in {c["name"] for c in inspector.get_columns("scenario_phases")}
    plans = {r["property_id"]: (r["final_sap_score"], r["final_band"], r["total_cost_gbp"])
             for r in rows(engine, "plans")}
    assert plans == {"P1": (71, "C", 1250.0), "P2": (70, "C", 950.0)}
    assert sorted((r["property_id"], r["phase_number"], r["bill_after_gbp"])
                  for r in rows(engine, "plan_phases")) \
        == [("P1", 1, 1300.0), ("P1", 2, 1180.25), ("P2", 1, 1100.0), ("P2", 2, 1100.0)]
    assert len(rows(engine, "plan_measures")) == 3
    upgrade(engine)  # and up again
    assert current_revision(engine) == head_revision()


def test_0003_keeps_every_plan_row_and_lets_a_home_without_a_bill_in(at_0001: Engine) -> None:
    """Revision 0003 (decision 0017) rebuilds plan_phases and plan_measures on SQLite to make
    their bill columns nullable: no measure may be lost to the foreign-key cascade. Then a
    baseline and a plan phase without a bill are stored; going down to 0002 removes exactly
    the rows NOT NULL cannot hold (the unpriced baseline, the whole plan with an unpriced
    phase) and keeps the rest."""
    engine = at_0001
    seed_0001(engine)
    with engine.begin() as conn:  # a second plan, fully priced, that must survive
        _insert(conn, "plans", [{"property_id": "P2", "scenario_id": "S",
                                 "total_cost_gbp": 300.0, "final_sap_score": 60,
                                 "final_band": "D", "planned_at": NOW}])
        _insert(conn, "plan_phases", [{
            "property_id": "P2", "scenario_id": "S", "phase_number": 1, "cost_gbp": 300.0,
            "sap_score_after": 60, "band_after": "D", "co2_tonnes_per_year_after": 3.0,
            "primary_energy_kwh_per_m2_year_after": 250.0, "bill_after_gbp": 1500.0,
            "reached_goal": False}])
        _insert(conn, "plan_measures", [{
            "property_id": "P2", "scenario_id": "S", "phase_number": 1, "sequence": 1,
            "measure_type": "draught_proofing", "measure_option": "draught_proofing",
            "target": "main", "cost_gbp": 300.0, "sap_gain": 1.0, "bill_saving_gbp": 20.0}])
    upgrade(engine, "0002")
    before = {table: rows(engine, table) for table in ("plans", "plan_phases", "plan_measures")}
    upgrade(engine, "0003")
    assert current_revision(engine) == "0003"
    for table, old in before.items():
        assert sorted(map(str, rows(engine, table))) == sorted(map(str, old)), table
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE plan_phases SET bill_after_gbp = NULL "
                             "WHERE property_id = 'P1' AND phase_number = 2"))
        conn.execute(sa.text("UPDATE plan_measures SET bill_saving_gbp = NULL "
                             "WHERE property_id = 'P1' AND phase_number = 2"))
        _insert(conn, "properties", [{"property_id": "P3", "portfolio_id": "PF"}])
        _insert(conn, "baseline_performance", [{
            "property_id": "P3", "source_path": "epc_with_overlay",
            "effective_sap_score": 59, "effective_band": "D",
            "effective_co2_tonnes_per_year": 3.2,
            "effective_primary_energy_kwh_per_m2_year": 260.0, "rebaseline_reason": "none",
            **{f"{use}_kwh": 0.0 for use in t.END_USES},
            "bill_energy_charges_gbp": None, "bill_standing_charges_gbp": None,
            "bill_export_credit_gbp": None, "bill_total_gbp": None,
            "fuel_rates_snapshot": "2025-10-01",
            "bill_unpriced_reason": "space_heating_main1 uses fuel 4",
            "calculated_at": NOW}])
    [base] = rows(engine, "baseline_performance")
    assert base["bill_total_gbp"] is None and base["bill_unpriced_reason"]
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":  # the migration turned them back on
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

    downgrade(engine, "0002")
    assert current_revision(engine) == "0002"
    assert rows(engine, "baseline_performance") == []  # P3 had no bill
    # P1's plan has an unpriced phase: all of it goes; P2's priced plan stays
    assert [(r["property_id"], r["phase_number"]) for r in rows(engine, "plan_phases")] \
        == [("P2", 1)]
    assert [r["property_id"] for r in rows(engine, "plan_measures")] == ["P2"]
    assert [r["property_id"] for r in rows(engine, "plans")] == ["P2"]
    assert "bill_unpriced_reason" not in {
        c["name"] for c in sa.inspect(engine).get_columns("baseline_performance")}
    upgrade(engine)
    assert current_revision(engine) == head_revision()
