"""Every figure of a plan on SQLite and PostgreSQL: the mapping writes a value into every
column of ``plans``, ``plan_phases``, ``plan_measures`` and ``plan_rejections`` for a fully
populated plan; scenario goals of every kind round-trip; a plan written again replaces its
rejections too. The domain checks of the plan figures sit here as well."""

from __future__ import annotations

import dataclasses

import numpy as np
import pyarrow as pa
import pytest

from ara.domain import Band, Performance, PhaseGoal, PlanState, Properties
from ara.domain.plans import GOAL_KINDS, output_figures
from ara.domain.rebaseline import END_USE_SOURCES
from ara.modelling.optimiser import Goal, GoalKind
from ara.modelling.scenarios import Phase, ScenarioDefinition
from ara.persistence import tables as t
from ara.persistence.mapping import (
    load_properties,
    plan_tables,
    save_properties,
    scenario_tables,
    scenarios_from_tables,
    utc_now,
)

from .persistence_samples import PORTFOLIO, SCENARIO, full_property
from .persistence_support import Database

SCENARIO_DEF = ScenarioDefinition(SCENARIO, "every goal", (
    Phase(("*wall*",), 5000.0, Goal.band(Band.C)),
    Phase(("*",), None, Goal(GoalKind.MAX_CO2_REDUCTION)),
    Phase(("*",), 100.0, Goal(GoalKind.MAX_ENERGY_REDUCTION)),
    Phase(("*",), None, Goal())))


def _seed(db: Database) -> None:
    with db.uow() as uow:
        uow.portfolios.upsert(pa.table({"portfolio_id": [PORTFOLIO], "name": ["Portfolio"]}))
        stored = scenario_tables([SCENARIO_DEF.to_domain()])
        uow.scenarios.write(stored.scenarios, stored.phases)


def test_a_full_plan_fills_every_column(db: Database) -> None:
    _seed(db)
    prop = full_property(3)
    with db.uow() as uow:
        save_properties(uow, Properties([prop]))
    with db.uow(read_only=True) as uow:
        stored = uow.plans.read([prop.property_id])
    [plan] = stored.plans.to_pylist()
    # a plan saved from domain objects was not made by the Modelling stage: no inputs
    # fingerprint (the stage writes one; tests/orchestration/test_replan_changed.py)
    assert plan["inputs_fingerprint"] is None
    assert all(v is not None for k, v in plan.items() if k != "inputs_fingerprint"), \
        [k for k, v in plan.items() if v is None]
    first = stored.phases.to_pylist()[0]
    assert all(v is not None for v in first.values()), [k for k, v in first.items()
                                                         if v is None]
    [measure] = stored.measures.to_pylist()
    assert all(v is not None for v in measure.values())
    assert stored.rejections.num_rows == 2
    assert {c.name for c in t.plans.columns} == set(plan)
    # the figures are where they belong
    source = prop.plans[0]
    assert plan["sap_continuous_before"] == source.phases[0].before.sap_continuous
    assert plan["final_sap_score"] == 70 and plan["sap_continuous_after"] == 70.375
    assert plan["ei_rating_before"] == 47 and plan["ei_band_before"] == "E"
    assert plan["ei_rating_after"] == 66 and plan["ei_band_after"] == "D"
    assert plan["pv_generation_kwh_after"] == 1500.0
    assert plan["primary_energy_kwh_per_year_before"] == 24722.9
    assert (plan["uplift_gbp_low"], plan["uplift_gbp_high"]) == (2080.0, 3125.0)
    assert plan["fuel_rates_snapshot"] == "2025Q3"
    assert (first["goal_kind"], first["goal_target_band"], first["budget_gbp"]) \
        == ("target_band", "C", 8000.0)
    assert (measure["co2_saving_kg"], measure["primary_energy_saving_kwh"]) == (412.5, 1650.75)


def test_a_plan_written_again_replaces_its_rejections(db: Database) -> None:
    _seed(db)
    prop = full_property(0)
    with db.uow() as uow:
        save_properties(uow, Properties([prop]))
    plan = prop.plans[0]
    fewer = dataclasses.replace(plan, rejections=plan.rejections[:1])
    with db.uow() as uow:
        uow.plans.write(plan_tables([fewer], utc_now()))
    assert db.count("plan_rejections") == 1
    with db.uow(read_only=True) as uow:
        assert load_properties(uow, [prop.property_id])[prop.property_id].plans == (fewer,)
    with db.uow() as uow:
        uow.plans.delete([prop.property_id])
    assert db.count("plan_rejections") == db.count("plans") == 0


def test_scenario_goals_of_every_kind_round_trip(db: Database) -> None:
    _seed(db)
    with db.uow(read_only=True) as uow:
        [scenario] = scenarios_from_tables(uow.scenarios.read([SCENARIO]))
    assert [p.goal_kind for p in scenario.phases] == [
        "target_band", "max_co2_reduction", "max_energy_reduction", "max_sap"]
    assert [p.target_band for p in scenario.phases] == [Band.C, None, None, None]
    assert [p.budget_gbp for p in scenario.phases] == [5000.0, None, 100.0, None]
    assert scenario == SCENARIO_DEF.to_domain()


# ---------------------------------------------------------------------------------------------
# Domain
# ---------------------------------------------------------------------------------------------

def test_the_domain_goal_kinds_are_the_optimisers() -> None:
    assert set(GOAL_KINDS) == {k.value for k in GoalKind}


@pytest.mark.parametrize("kind, band", [("cheapest", None), ("target_band", None),
                                        ("max_sap", Band.C)])
def test_a_goal_is_a_known_kind_with_a_band_only_for_a_target(kind: str,
                                                              band: Band | None) -> None:
    with pytest.raises(ValueError):
        PhaseGoal(kind, band)


def test_a_plan_state_derives_its_ei_band_and_refuses_non_finite_figures() -> None:
    perf = Performance.from_sap(70, 2.0, 180.0)
    assert PlanState(perf, 1000.0, ei_rating=91).ei_band is Band.B
    assert PlanState(perf, 1000.0, ei_rating=92).ei_band is Band.A
    assert PlanState(perf, 1000.0).ei_band is None
    with pytest.raises(ValueError, match="bill_gbp"):
        PlanState(perf, float("nan"))


def test_output_figures_sum_the_end_uses_as_the_baseline_does() -> None:
    names = sorted({c for sources in END_USE_SOURCES.values() for c in sources})
    rows = {name: [float(10 * i + k) for k in range(3)] for i, name in enumerate(names)}
    outputs = pa.table({**rows, "ei_rating": pa.array([55, 68, 91], pa.int32())})
    ei, ends = output_figures(outputs, 1)
    assert ei == 68
    assert ends.space_heating_main == rows["space_heating_fuel_main1_kwh"][1] \
        + rows["space_heating_fuel_main2_kwh"][1]
    assert ends.lighting == rows["lighting_kwh"][1]
    assert ends.pv_generation == rows["pv_generation_kwh"][1]
    assert ends.cooling == 0.0  # no calculator output yet
    # a second table is read afresh, not from the first one's cache
    other = outputs.set_column(outputs.schema.get_field_index("ei_rating"), "ei_rating",
                               pa.array(np.array([1, 2, 3], np.int32)))
    assert output_figures(other, 2)[0] == 3 and output_figures(outputs, 2)[0] == 91
