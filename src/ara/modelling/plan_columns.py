"""The stored plans of a batch built column by column (issue 16): the rows of ``plans``,
``plan_phases``, ``plan_measures`` and ``plan_rejections`` straight from the scenario results
(:class:`~ara.modelling.scenarios.PlanResult`) and the eligibility rejections, without a
domain :class:`~ara.domain.plans.Plan` or a Python row per plan, phase or measure.

Every value is the one ``PlanResult.to_domain`` then ``ara.persistence.mapping.plan_tables``
store (an unpriced bill as NULL, the band of the integer SAP and EI ratings, CO2 in tonnes);
when a figure is not finite, the domain objects are built instead, so the error raised is
theirs.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.domain.codes import Band
from ara.modelling.scenarios import PlanResult, ScenarioDefinition, State
from ara.persistence.mapping import plan_tables_from_columns
from ara.persistence.repositories import PlanTables
from ara.persistence.tables import END_USES, STATE_COLUMNS, state_column

#: Band value of each integer rating seen (a few dozen distinct ratings per batch).
_BANDS: dict[int, str] = {}


def _band(rating: int) -> str:
    found = _BANDS.get(rating)
    if found is None:
        found = _BANDS[rating] = Band.for_sap(rating).value
    return found


def _known(value: float) -> float | None:
    """An unpriced bill (NaN) is stored as NULL."""
    return value if math.isfinite(value) else None


_FIGURES = attrgetter("sap_continuous", "sap_rating", "ei_rating", "co2_kg_per_year",
                      "primary_energy_kwh_per_m2", "primary_energy_kwh", "bill_gbp")
_END_USES = attrgetter(*END_USES)


def _state_columns(side: str, states: Sequence[State], *, plan: bool = False
                   ) -> dict[str, list[Any]]:
    """The ``STATE_COLUMNS`` of one side of phases (or plans) from the runner's states."""
    n = len(states)
    figures = list(zip(*map(_FIGURES, states), strict=True)) or [()] * 7
    sap, rating, ei, co2, per_m2, primary, bill = figures
    values: dict[str, Sequence[Any]] = {
        "sap_continuous": sap, "sap_score": rating, "band": list(map(_band, rating)),
        "ei_rating": ei,
        "ei_band": [None if e is None else _band(e) for e in ei],
        "co2_tonnes_per_year": [c / 1000.0 for c in co2],
        "primary_energy_kwh_per_m2_year": per_m2, "primary_energy_kwh_per_year": primary,
        "bill": list(map(_known, bill))}
    ends = [s.end_use_kwh for s in states]
    if all(e is not None for e in ends):
        by_use = list(zip(*map(_END_USES, ends), strict=True)) or [()] * len(END_USES)
        values.update({f"{use}_kwh": column for use, column in zip(END_USES, by_use,
                                                                      strict=True)})
    else:
        for k, use in enumerate(END_USES):
            values[f"{use}_kwh"] = [None if e is None else _END_USES(e)[k] for e in ends]
    assert all(len(v) == n for v in values.values())
    return {state_column(stem, side, plan=plan): list(values[stem]) for stem, _ in STATE_COLUMNS}


#: The figures a domain ``PlanState``/``Performance`` refuses when not finite.
_FINITE = ("sap_continuous", "co2_tonnes_per_year", "primary_energy_kwh_per_m2_year",
           "primary_energy_kwh_per_year")


def _all_finite(columns: dict[str, list[Any]], side: str, plan: bool) -> bool:
    return all(bool(np.isfinite(np.asarray(columns[state_column(stem, side, plan=plan)],
                                           dtype=np.float64)).all())
               for stem in _FINITE)


def _uplift_columns(percent: Sequence[tuple[float, float]],
                    gbp: Sequence[tuple[float, float] | None]) -> dict[str, list[Any]]:
    return {"uplift_percent_low": [p[0] for p in percent],
            "uplift_percent_high": [p[1] for p in percent],
            "uplift_gbp_low": [None if g is None else g[0] for g in gbp],
            "uplift_gbp_high": [None if g is None else g[1] for g in gbp]}


REJECTION_SCHEMA = pa.schema([("property_id", pa.string()), ("scenario_id", pa.string()),
                              ("phase_number", pa.int64()), ("measure_type", pa.string()),
                              ("reason", pa.string())])


def rejection_table(scenario: ScenarioDefinition, calls: Sequence[Sequence[Any]],
                    planned: Collection[str]) -> pa.Table:
    """``plan_rejections`` rows of one scenario (:data:`REJECTION_SCHEMA`), column by column:
    ``calls[k]`` are the rejections (``ara.modelling.eligibility.Rejection``) of the
    candidates of phase k + 1; only the measure types the phase allows, only the homes in
    ``planned``; two reasons for one type in one phase of a home joined by "; " in the
    order first given (``ara.modelling.orchestrator.phase_rejections``)."""
    pids: list[str] = []
    numbers: list[np.ndarray] = []
    types: list[str] = []
    reasons: list[str] = []
    keep: list[np.ndarray] = []
    for number, (phase, rejections) in enumerate(zip(scenario.phases, calls, strict=True),
                                                 start=1):
        phase_types = [r.measure_type for r in rejections]
        allows = {m: phase.allows(m) for m in set(phase_types)}
        pids += [r.property_id for r in rejections]
        types += phase_types
        reasons += [r.reason for r in rejections]
        numbers.append(np.full(len(phase_types), number, dtype=np.int64))
        keep.append(np.fromiter((allows[m] for m in phase_types), dtype=bool,
                                count=len(phase_types)))
    table = pa.table({"property_id": pa.array(pids, pa.string()),
                      "phase_number": pa.array(np.concatenate(numbers) if numbers
                                               else np.zeros(0, np.int64)),
                      "measure_type": pa.array(types, pa.string()),
                      "reason": pa.array(reasons, pa.string()),
                      "seq": pa.array(np.arange(len(pids), dtype=np.int64))})
    mask = np.concatenate(keep) if keep else np.zeros(0, dtype=bool)
    table = table.filter(pa.array(mask))
    table = table.filter(pc.is_in(table.column("property_id"),
                                  value_set=pa.array(list(planned), pa.string())))
    table = table.sort_by([("property_id", "ascending"), ("phase_number", "ascending"),
                           ("measure_type", "ascending"), ("seq", "ascending")])
    n = table.num_rows
    reason = table.column("reason")
    if n > 1:  # rows repeating the key of the row before join that row's reasons
        same = np.ones(n - 1, dtype=bool)
        for name in ("property_id", "phase_number", "measure_type"):
            column = table.column(name)
            same &= np.asarray(pc.equal(column.slice(1), column.slice(0, n - 1)),
                               dtype=bool)
        if same.any():
            first = np.concatenate([[True], ~same])
            texts = reason.to_pylist()
            joined: list[str] = []
            for k in range(n):
                if first[k]:
                    joined.append(texts[k])
                    seen = [texts[k]]
                elif texts[k] not in seen:
                    seen.append(texts[k])
                    joined[-1] = "; ".join(seen)
            table = table.filter(pa.array(first))
            reason = pa.chunked_array([pa.array(joined, pa.string())])
    return pa.table({"property_id": table.column("property_id"),
                     "scenario_id": pa.array([scenario.scenario_id] * table.num_rows,
                                             pa.string()),
                     "phase_number": table.column("phase_number"),
                     "measure_type": table.column("measure_type"),
                     "reason": reason}, schema=REJECTION_SCHEMA)


def plan_result_tables(results: Sequence[tuple[ScenarioDefinition, Sequence[PlanResult]]],
                       rejections: Sequence[pa.Table], fuel_rates_snapshot: str | None,
                       planned_at: datetime) -> PlanTables:
    """The stored rows of the plans of every scenario run (``results``: each scenario with
    its plans), with ``rejections`` (:func:`rejection_table` of each), at one Fuel Rates
    snapshot: the same rows as ``plan_tables`` of each plan's ``to_domain``."""
    pairs = [(scenario, plan) for scenario, plans in results for plan in plans]
    phases = [(scenario, plan, phase) for scenario, plan in pairs for phase in plan.phases]
    measures = [(plan, phase, m) for _, plan, phase in phases for m in phase.measures]
    plans_before = [plan.before for _, plan in pairs]
    plans_after = [plan.after for _, plan in pairs]
    plan_columns: dict[str, Any] = {
        "property_id": [plan.property_id for _, plan in pairs],
        "scenario_id": [plan.scenario_id for _, plan in pairs],
        "total_cost_gbp": [plan.cost_gbp for _, plan in pairs],
        "fuel_rates_snapshot": [fuel_rates_snapshot] * len(pairs),
        **_state_columns("before", plans_before, plan=True),
        **_state_columns("after", plans_after, plan=True),
        **_uplift_columns([plan.uplift_percent for _, plan in pairs],
                          [plan.uplift_gbp for _, plan in pairs])}
    goals = [scenario.phases[phase.phase_number - 1] for scenario, _, phase in phases]
    phase_columns: dict[str, Any] = {
        "property_id": [plan.property_id for _, plan, _ in phases],
        "scenario_id": [plan.scenario_id for _, plan, _ in phases],
        "phase_number": [phase.phase_number for _, _, phase in phases],
        "goal_kind": [g.goal.kind.value for g in goals],
        "goal_target_band": [None if g.goal.target_band is None else g.goal.target_band.value
                             for g in goals],
        "budget_gbp": [g.budget_gbp for g in goals],
        "cost_gbp": [phase.cost_gbp for _, _, phase in phases],
        **_state_columns("before", [phase.before for _, _, phase in phases]),
        **_state_columns("after", [phase.after for _, _, phase in phases]),
        **_uplift_columns([phase.uplift_percent for _, _, phase in phases],
                          [phase.uplift_gbp for _, _, phase in phases]),
        "reached_goal": [phase.reached_goal for _, _, phase in phases]}
    finite = (_all_finite(plan_columns, "before", True)
              and _all_finite(plan_columns, "after", True)
              and _all_finite(phase_columns, "before", False)
              and _all_finite(phase_columns, "after", False))
    if not finite:  # the domain objects refuse it: raise their error
        for scenario, plan in pairs:
            plan.to_domain(scenario, fuel_rates_snapshot=fuel_rates_snapshot)
    measure_columns: dict[str, Any] = {
        "property_id": [plan.property_id for plan, _, _ in measures],
        "scenario_id": [plan.scenario_id for plan, _, _ in measures],
        "phase_number": [phase.phase_number for _, phase, _ in measures],
        "sequence": [m.sequence for _, _, m in measures],
        "measure_type": [m.measure_type for _, _, m in measures],
        "measure_option": [m.option_id for _, _, m in measures],
        "target": [m.target for _, _, m in measures],
        "cost_gbp": [m.cost_gbp for _, _, m in measures],
        "sap_gain": [m.sap_gain for _, _, m in measures],
        "bill_saving_gbp": [_known(m.bill_saving_gbp) for _, _, m in measures],
        "co2_saving_kg": [m.co2_saving_kg for _, _, m in measures],
        "primary_energy_saving_kwh": [m.primary_energy_saving_kwh for _, _, m in measures]}
    rejection_columns = (pa.concat_tables(rejections) if rejections
                         else REJECTION_SCHEMA.empty_table())
    return plan_tables_from_columns(
        plan_columns, phase_columns, measure_columns,
        {name: rejection_columns.column(name) for name in REJECTION_SCHEMA.names}, planned_at)


__all__ = ["REJECTION_SCHEMA", "plan_result_tables", "rejection_table"]
