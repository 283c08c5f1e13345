"""The stored plans built column by column (issue 16): the same rows as the domain path
(``PlanResult.to_domain`` then ``plan_tables``) and as ``phase_rejections``."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from typing import Any

import pyarrow as pa
import pytest

from ara.domain.codes import Band
from ara.domain.performance import EndUseKwh
from ara.modelling.eligibility import Rejection
from ara.modelling.optimiser import Goal, GoalKind
from ara.modelling.orchestrator import phase_rejections
from ara.modelling.plan_columns import plan_result_tables, rejection_table
from ara.modelling.scenarios import (
    MeasureResult,
    Phase,
    PhaseResult,
    PlanResult,
    ScenarioDefinition,
    State,
)
from ara.persistence.mapping import plan_tables
from ara.persistence.repositories import PlanTables

NOW = datetime(2026, 12, 7, 12, 0, 0, 123456)
TWO_PHASES = ScenarioDefinition("two", "fabric then heat pump", (
    Phase(("loft_insulation", "*wall*"), 5000.0, Goal.band(Band.C)),
    Phase(("air_source_heat_pump",), goal=Goal(GoalKind.MAX_CO2_REDUCTION))))
ONE_PHASE = ScenarioDefinition("one", "anything", (Phase(("*",), goal=Goal(GoalKind.MAX_SAP)),))


def state(sap: float, *, bill: float = 900.0, ei: int | None = 60,
          ends: bool = True) -> State:
    return State(sap, round(sap), 2100.0 + sap, 15000.0 - sap, 180.0 - sap, bill, ei,
                 EndUseKwh(9000.0, 100.0, 2000.0, 0.0, 300.0, 150.0, 0.0, 0.0 + sap)
                 if ends else None)


def measure(seq: int, kind: str, cost: float, bill_saving: float = 40.0) -> MeasureResult:
    return MeasureResult(seq, kind, f"{kind}:opt", f"main.{kind}", cost, 3.25 * seq,
                         120.5, 900.25, bill_saving)


def plan(pid: str, scenario: ScenarioDefinition, **kw: Any) -> PlanResult:
    phases = []
    sap = 50.4
    for number in range(1, len(scenario.phases) + 1):
        measures = (measure(1, "loft_insulation", 900.0),
                    measure(2, "cavity_wall_fill", 1200.5)) if number == 1 else ()
        after = sap + 7.3 * number
        phases.append(PhaseResult(number, measures, state(sap, **kw), state(after, **kw),
                                  number == 1, (1.0 + number, 2.5), None if pid == "a"
                                  else (1500.0, 3000.0), 8))
        sap = after
    return PlanResult(pid, scenario.scenario_id, tuple(phases), (3.0, 4.5),
                      None if pid == "a" else (4000.0, 6000.0))


def rows(tables: PlanTables) -> list[list[dict[str, object]]]:
    out = []
    for table in (tables.plans, tables.phases, tables.measures, tables.rejections):
        keys = [n for n in ("property_id", "scenario_id", "phase_number", "sequence",
                            "measure_type") if n in table.column_names]
        out.append(sorted(table.to_pylist(), key=lambda r: tuple(r[k] for k in keys)))
    return out


def same(a: object, b: object) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float)
                      and math.isnan(a) and math.isnan(b))


REJECTIONS = [
    [Rejection("b", "loft_insulation", "loft already insulated"),
     Rejection("a", "cavity_wall_fill", "walls not as built"),
     Rejection("a", "air_source_heat_pump", "not in the phase: left out"),
     Rejection("a", "cavity_wall_fill", "no cavity"),
     Rejection("a", "cavity_wall_fill", "walls not as built"),  # repeated: once
     Rejection("x", "loft_insulation", "a home without a plan: left out"),
     Rejection("a", "external_wall_insulation", "conservation area")],
    [Rejection("b", "air_source_heat_pump", "listed"),
     Rejection("a", "loft_insulation", "not in the phase: left out"),
     Rejection("b", "air_source_heat_pump", "listed")],
]


def test_rejection_table_matches_phase_rejections() -> None:
    table = rejection_table(TWO_PHASES, REJECTIONS, {"a", "b"})
    why = phase_rejections(TWO_PHASES, REJECTIONS)
    expected = [{"property_id": pid, "scenario_id": "two", "phase_number": r.phase_number,
                 "measure_type": r.measure_type, "reason": r.reason}
                for pid in ("a", "b") for r in why[pid]]
    assert table.to_pylist() == expected
    assert {"property_id": "a", "scenario_id": "two", "phase_number": 1,
            "measure_type": "cavity_wall_fill",
            "reason": "walls not as built; no cavity"} in expected
    assert rejection_table(TWO_PHASES, [[], []], {"a"}).num_rows == 0
    with pytest.raises(ValueError):
        rejection_table(TWO_PHASES, [[]], {"a"})  # one call per phase


@pytest.mark.parametrize("kw", [{}, {"bill": float("nan")}, {"ei": None},
                                {"ends": False}], ids=["priced", "unpriced", "no-ei",
                                                       "no-end-uses"])
def test_plan_result_tables_match_the_domain_path(kw: dict[str, Any]) -> None:
    results = [(TWO_PHASES, [plan("a", TWO_PHASES, **kw), plan("b", TWO_PHASES, **kw)]),
               (ONE_PHASE, [plan("a", ONE_PHASE, **kw)])]
    calls = {"two": REJECTIONS, "one": [REJECTIONS[0]]}
    rejections = [rejection_table(s, calls[s.scenario_id], {p.property_id for p in ps})
                  for s, ps in results]
    columnar = plan_result_tables(results, rejections, "snap-2026", NOW)
    domain = plan_tables(
        [p.to_domain(s, fuel_rates_snapshot="snap-2026",
                     rejections=phase_rejections(s, calls[s.scenario_id]).get(p.property_id,
                                                                               ()))
         for s, ps in results for p in ps], NOW)
    for got, want, name in zip(rows(columnar), rows(domain),
                               ("plans", "phases", "measures", "rejections"), strict=True):
        assert len(got) == len(want), name
        for g, w in zip(got, want, strict=True):
            assert g.keys() == w.keys(), name
            assert all(same(g[k], w[k]) for k in g), (name, g, w)
    for mine, theirs in ((columnar.plans, domain.plans), (columnar.phases, domain.phases),
                         (columnar.measures, domain.measures),
                         (columnar.rejections, domain.rejections)):
        assert mine.schema.equals(theirs.schema)
    if "bill" in kw:  # unpriced: stored as NULL
        assert columnar.phases.column("bill_after_gbp").null_count == 5
        assert columnar.measures.column("bill_saving_gbp").null_count == 0  # finite savings


def test_plan_result_tables_raise_the_domain_error_on_a_figure_not_finite() -> None:
    bad = plan("a", ONE_PHASE)
    phase = replace(bad.phases[0], after=replace(bad.phases[0].after,
                                                 sap_continuous=float("inf")))
    bad = replace(bad, phases=(phase,))
    with pytest.raises(ValueError, match="PlanState.sap_continuous must be finite"):
        plan_result_tables([(ONE_PHASE, [bad])], [], None, NOW)
    with pytest.raises(ValueError, match="PlanState.sap_continuous must be finite"):
        bad.to_domain(ONE_PHASE)


def test_plan_result_tables_of_nothing_are_empty() -> None:
    tables = plan_result_tables([(ONE_PHASE, [])], [], None, NOW)
    assert [t.num_rows for t in (tables.plans, tables.phases, tables.measures,
                                 tables.rejections)] == [0, 0, 0, 0]
    assert isinstance(tables.plans, pa.Table)
