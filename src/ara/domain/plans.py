"""Scenarios and plans (decisions D-0005, D-0016, D-0017, D-0018).

A Scenario is a goal in ordered phases; a Plan is the result for one property and one
scenario: per phase, its goal and budget, the package of measures chosen with each measure's
cascade saving, the dwelling's figures before and after (SAP, EI, CO2, primary energy, kWh by
end use, the bill at one Fuel Rates snapshot), the valuation uplift, and why the measures the
phase allows but did not offer were not offered.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from ara.domain.codes import Band
from ara.domain.performance import EndUseKwh, Performance
from ara.domain.rebaseline import END_USE_SOURCES

#: The kinds of phase goal (``ara.modelling.optimiser.GoalKind`` values): reach a band, or
#: the largest SAP gain, CO2 reduction or primary energy reduction.
GOAL_KINDS: tuple[str, ...] = ("target_band", "max_sap", "max_co2_reduction",
                               "max_energy_reduction")


@dataclass(frozen=True, slots=True)
class PhaseGoal:
    """What a phase aims at: ``kind`` one of :data:`GOAL_KINDS`; a band only for
    ``target_band``."""

    kind: str
    target_band: Band | None = None

    def __post_init__(self) -> None:
        if self.kind not in GOAL_KINDS:
            raise ValueError(f"unknown goal kind {self.kind!r}: one of {GOAL_KINDS}")
        if (self.kind == "target_band") != (self.target_band is not None):
            raise ValueError("a target band goal, and only it, names a band")

    def describe(self) -> str:
        return f"band {self.target_band} or better" if self.target_band is not None \
            else self.kind.replace("_", " ")


@dataclass(frozen=True, slots=True)
class ScenarioPhase:
    """One phase of a scenario: which measure types it may use, its budget and its goal."""

    phase_number: int
    allowed_measure_types: tuple[str, ...]
    budget_gbp: float | None = None
    target_band: Band | None = None
    """The goal: reach at least this band (None: best gain within the budget)."""
    goal_kind: str | None = None
    """One of :data:`GOAL_KINDS`; None when unknown (stored before revision 0002): then a
    target band means ``target_band``."""

    def __post_init__(self) -> None:
        if self.phase_number < 1:
            raise ValueError("phase numbers start at 1")
        if self.budget_gbp is not None and not (math.isfinite(self.budget_gbp)
                                                and self.budget_gbp >= 0):
            raise ValueError("a phase budget is a finite, non-negative amount")
        if self.goal_kind is not None:
            PhaseGoal(self.goal_kind, self.target_band)


@dataclass(frozen=True, slots=True)
class Scenario:
    scenario_id: str
    name: str
    phases: tuple[ScenarioPhase, ...]

    def __post_init__(self) -> None:
        numbers = [p.phase_number for p in self.phases]
        if numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"scenario {self.scenario_id}: phases must be numbered 1..n in "
                             f"order, got {numbers}")


@dataclass(frozen=True, slots=True)
class PlanState:
    """A dwelling's figures at one point of a plan (before or after a phase). The optional
    figures are None only in plans stored before revision 0002."""

    performance: Performance
    """Integer SAP rating and band, CO2 t/yr, primary energy kWh/m2/yr."""
    bill_gbp: float | None
    """The annual bill at the plan's Fuel Rates snapshot; None when the snapshot does not
    price a fuel the dwelling uses at this point (decision 0017)."""
    sap_continuous: float | None = None
    ei_rating: int | None = None
    """Environmental impact rating (worksheet line 274)."""
    primary_energy_kwh_per_year: float | None = None
    end_use_kwh: EndUseKwh | None = None

    def __post_init__(self) -> None:
        for name in ("bill_gbp", "sap_continuous", "primary_energy_kwh_per_year"):
            value = getattr(self, name)
            if value is not None and not math.isfinite(value):
                raise ValueError(f"PlanState.{name} must be finite")

    @property
    def ei_band(self) -> Band | None:
        """The EI band (SAP 10.2 Table 14 thresholds, as for the SAP rating)."""
        return None if self.ei_rating is None else Band.for_sap(self.ei_rating)


@dataclass(frozen=True, slots=True)
class PlanMeasure:
    """One measure option in a phase's package, with its cascade attribution: the savings of
    each cumulative prefix of the package, so the measures add up to the phase's saving."""

    sequence: int
    measure_type: str
    """Catalogue class, e.g. ``loft_insulation``."""
    measure_option: str
    """The mutually exclusive way the target is treated, e.g. ``loft_insulation_300mm``."""
    target: str
    """The surface or system treated, e.g. ``main.roof``."""
    cost_gbp: float
    """Installed cost, contingency included."""
    sap_gain: float
    """Continuous SAP rating gained."""
    bill_saving_gbp: float | None
    """None when the snapshot cannot price the dwelling before or after the measure."""
    co2_saving_kg: float | None = None
    """kg CO2 a year (None only in plans stored before revision 0002)."""
    primary_energy_saving_kwh: float | None = None
    """Primary energy, kWh a year (None only in plans stored before revision 0002)."""


@dataclass(frozen=True, slots=True)
class PlanRejection:
    """Why a measure type the phase allows was not offered (eligibility, decisions
    D-0019-0028)."""

    phase_number: int
    measure_type: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlanPhase:
    phase_number: int
    measures: tuple[PlanMeasure, ...]
    after: PlanState
    reached_goal: bool
    before: PlanState | None = None
    goal: PhaseGoal | None = None
    budget_gbp: float | None = None
    uplift_percent: tuple[float, float] | None = None
    """Valuation uplift (low, high) %, decision D-0018, for this phase's band climb."""
    uplift_gbp: tuple[float, float] | None = None
    """In pounds, only when a market value is known."""

    @property
    def cost_gbp(self) -> float:
        return math.fsum(m.cost_gbp for m in self.measures)

    @property
    def performance_after(self) -> Performance:
        return self.after.performance

    @property
    def bill_after_gbp(self) -> float | None:
        return self.after.bill_gbp


@dataclass(frozen=True, slots=True)
class Plan:
    """The plan of one property under one scenario (one row per (property, scenario))."""

    property_id: str
    scenario_id: str
    phases: tuple[PlanPhase, ...]
    uplift_percent: tuple[float, float] | None = None
    """Valuation uplift (low, high) % for the whole plan's band climb (decision D-0018)."""
    uplift_gbp: tuple[float, float] | None = None
    fuel_rates_snapshot: str | None = None
    """The snapshot every bill of the plan is priced at."""
    rejections: tuple[PlanRejection, ...] = field(default=())

    @property
    def total_cost_gbp(self) -> float:
        return math.fsum(p.cost_gbp for p in self.phases)

    @property
    def before(self) -> PlanState | None:
        return self.phases[0].before if self.phases else None

    @property
    def after(self) -> PlanState | None:
        return self.phases[-1].after if self.phases else None

    @property
    def final_performance(self) -> Performance | None:
        return self.phases[-1].performance_after if self.phases else None


# ---------------------------------------------------------------------------------------------
# Figures of calculator rows
# ---------------------------------------------------------------------------------------------

class _OutputColumns:
    """The EI rating and kWh by end use of every row of a calculator output table, as NumPy
    arrays (built once per table: a plan reads many rows of the same table)."""

    def __init__(self, outputs: pa.Table) -> None:
        def col(name: str) -> np.ndarray:
            return np.asarray(outputs.column(name).to_numpy(zero_copy_only=False),
                              dtype=np.float64)

        self.ei = col("ei_rating")
        zero = np.zeros(outputs.num_rows)
        self.end_uses = {use: sum((col(c) for c in sources), zero)
                         for use, sources in END_USE_SOURCES.items()}


_last: tuple[weakref.ref[pa.Table], _OutputColumns] | None = None


def output_figures(outputs: pa.Table, row: int) -> tuple[int, EndUseKwh]:
    """The EI rating and kWh by end use (as in ``baseline_performance``) of one ok row of
    calculator outputs (``ara.sap.OUTPUT_SCHEMA``)."""
    global _last
    cached = _last  # one read: another thread may replace it meanwhile
    if cached is None or cached[0]() is not outputs:
        cached = _last = (weakref.ref(outputs), _OutputColumns(outputs))
    columns = cached[1]
    return int(columns.ei[row]), EndUseKwh(**{use: float(values[row])
                                              for use, values in columns.end_uses.items()})


__all__ = ["GOAL_KINDS", "PhaseGoal", "Plan", "PlanMeasure", "PlanPhase", "PlanRejection",
           "PlanState", "Scenario", "ScenarioPhase", "output_figures"]
