"""Scenarios: definitions and loading, phases run against the rolling state (decision 0005),
cascade attribution that adds up (0014) and valuation uplift (0018), on the fakes of
``test_optimiser``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ara.domain.bills import FuelRates
from ara.domain.codes import Band
from ara.modelling.optimiser import Goal, GoalKind
from ara.modelling.scenarios import (
    Phase,
    PlanResult,
    ScenarioDefinition,
    ScenarioRunner,
    bundled_scenarios,
    load_scenario,
    parse_scenario,
    valuation_uplift_gbp,
    valuation_uplift_percent,
)
from ara.modelling.scoring import PackageScorer
from modelling.test_optimiser import dwellings, fake_apply, options_for

FABRIC = ("cavity_wall_fill", "internal_wall_insulation", "loft_insulation",
          "draught_proofing", "double_glazing", "mechanical_ventilation")
FABRIC_THEN_HP = ScenarioDefinition("fabric_then_hp", "fabric first, then heat pump", (
    Phase(FABRIC, goal=Goal(GoalKind.MAX_SAP)),
    Phase(("air_source_heat_pump",), goal=Goal(GoalKind.MAX_CO2_REDUCTION))))
HP_ALONE = ScenarioDefinition("hp_alone", "heat pump alone", (
    Phase(("air_source_heat_pump",), goal=Goal(GoalKind.MAX_CO2_REDUCTION)),))
EPC_C = ScenarioDefinition("epc_c", "EPC C", (Phase(("*",), 8000.0, Goal.band(Band.C)),))


class FakeCandidates:
    """Every fake option for every row, recording the states it was asked about."""

    def __init__(self) -> None:
        self.states: list[pa.Table] = []

    def __call__(self, state: pa.Table) -> tuple[list[Any], list[Any]]:
        self.states.append(state)
        pids = state.column("dwelling_id").to_pylist()
        return [o for pid in pids for o in options_for(pid)], []


def run(scenario: ScenarioDefinition, candidates: FakeCandidates | None = None
        ) -> list[PlanResult]:
    runner = ScenarioRunner(PackageScorer(fake_apply), FuelRates.load())
    outcome = runner.run(scenario, dwellings(), candidates or FakeCandidates())
    assert outcome.failures == {}
    return outcome.plans


def test_bundled_scenarios_are_epc_c_by_2030_and_fabric_first() -> None:
    found = {s.name: s for s in bundled_scenarios()}
    assert set(found) == {"EPC C by 2030 at least cost", "fabric first, then heat pump"}
    [phase] = found["EPC C by 2030 at least cost"].phases
    assert phase.goal == Goal.band(Band.C) and phase.allows("loft_insulation")
    fabric, heat_pump = found["fabric first, then heat pump"].phases
    assert fabric.allows("cavity_wall_fill") and not fabric.allows("air_source_heat_pump")
    assert heat_pump.allows("air_source_heat_pump") and not heat_pump.allows("loft_insulation")


def test_scenarios_load_from_json_and_yaml(tmp_path: Path) -> None:
    data = {"scenario_id": "s", "name": "S", "phases": [
        {"allowed_measure_types": ["*wall*"], "budget_gbp": 5000, "goal": {"target_band": "d"}},
        {"allowed_measure_types": ["air_source_heat_pump"], "goal": "max_energy_reduction"}]}
    (tmp_path / "s.json").write_text(json.dumps(data))
    (tmp_path / "s.yaml").write_text(
        "scenario_id: s\nname: S\nphases:\n"
        "  - {allowed_measure_types: ['*wall*'], budget_gbp: 5000, goal: {target_band: d}}\n"
        "  - {allowed_measure_types: [air_source_heat_pump], goal: max_energy_reduction}\n")
    expected = ScenarioDefinition("s", "S", (
        Phase(("*wall*",), 5000.0, Goal.band(Band.D)),
        Phase(("air_source_heat_pump",), None, Goal(GoalKind.MAX_ENERGY_REDUCTION))))
    assert load_scenario(tmp_path / "s.json") == expected
    assert load_scenario(tmp_path / "s.yaml") == expected
    assert expected.to_domain().phases[0].target_band is Band.D


def test_a_malformed_goal_is_refused() -> None:
    with pytest.raises(ValueError, match="goal"):
        parse_scenario({"scenario_id": "s", "name": "S",
                        "phases": [{"goal": "cheapest_ever"}]})


def test_phase_order_matters_a_heat_pump_after_fabric_is_worth_something_else() -> None:
    after_fabric = {p.property_id: p for p in run(FABRIC_THEN_HP)}
    alone = {p.property_id: p for p in run(HP_ALONE)}
    for pid, plan in after_fabric.items():
        [hp_second] = [m for m in plan.phases[1].measures
                       if m.measure_type == "air_source_heat_pump"]
        [hp_alone] = [m for m in alone[pid].phases[0].measures]
        assert plan.phases[0].measures  # fabric was installed first
        assert hp_second.co2_saving_kg != pytest.approx(hp_alone.co2_saving_kg, rel=1e-3)
        assert hp_second.bill_saving_gbp != pytest.approx(hp_alone.bill_saving_gbp, rel=1e-3)


def test_each_phase_starts_from_the_state_the_previous_phase_left() -> None:
    candidates = FakeCandidates()
    plans = run(FABRIC_THEN_HP, candidates)
    assert len(candidates.states) == 2  # candidates regenerated from the rolling state
    first = candidates.states[0]
    rows = list(range(first.num_rows))
    packages: list[Sequence[Any]] = [
        [o for o in options_for(p.property_id)
         if o.option_id in {m.option_id for m in p.phases[0].measures}] for p in plans]
    assert candidates.states[1].equals(fake_apply(first, rows, packages))
    for plan in plans:
        assert plan.phases[1].before == plan.phases[0].after


@pytest.mark.parametrize("scenario", [FABRIC_THEN_HP, EPC_C], ids=lambda s: s.scenario_id)
def test_cascade_savings_add_up_to_the_plan_saving(scenario: ScenarioDefinition) -> None:
    for plan in run(scenario):
        for phase in plan.phases:
            assert sum(m.bill_saving_gbp for m in phase.measures) \
                == pytest.approx(phase.bill_saving_gbp, abs=1e-9)
            assert sum(m.sap_gain for m in phase.measures) \
                == pytest.approx(phase.after.sap_continuous - phase.before.sap_continuous,
                                 abs=1e-9)
        total = sum(m.bill_saving_gbp for p in plan.phases for m in p.measures)
        assert total == pytest.approx(plan.bill_saving_gbp, abs=1e-9)
        assert plan.cost_gbp == pytest.approx(sum(m.cost_gbp for p in plan.phases
                                                  for m in p.measures))


def test_epc_c_plans_reach_c_within_budget_or_say_they_did_not() -> None:
    for plan in run(EPC_C):
        [phase] = plan.phases
        assert phase.cost_gbp <= 8000.0
        assert phase.reached_goal == (phase.after.sap_rating >= 69)
        domain = plan.to_domain()
        assert domain.final_performance is not None
        assert domain.final_performance.sap_score == phase.after.sap_rating
        assert domain.phases[0].bill_after_gbp == phase.after.bill_gbp


def test_scenario_runs_are_deterministic() -> None:
    assert run(FABRIC_THEN_HP) == run(FABRIC_THEN_HP)


def test_valuation_uplift_compounds_the_published_steps() -> None:
    assert valuation_uplift_percent(Band.D, Band.C) == pytest.approx((2.0, 2.0))
    low, high = valuation_uplift_percent(Band.E, Band.C)
    assert (low, high) == pytest.approx((100 * (1.01 * 1.02 - 1), 100 * (1.024 * 1.02 - 1)))
    assert valuation_uplift_percent(Band.C, Band.D) == (0.0, 0.0)


def test_valuation_uplift_in_pounds_needs_a_value_and_is_capped_at_twice_the_cost() -> None:
    assert valuation_uplift_gbp((2.0, 4.0), None, 1000.0) is None
    assert valuation_uplift_gbp((2.0, 4.0), 200_000.0, 3000.0) == (4000.0, 6000.0)
    assert valuation_uplift_gbp((2.0, 4.0), 200_000.0, 2500.0) == (4000.0, 5000.0)
