"""Scenarios and plans (decisions 0005, 0016, 0017).

A Scenario is a goal in ordered phases; a Plan is the result for one property and one
scenario: per phase, the package of measures chosen, its cost and the performance reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ara.domain.codes import Band
from ara.domain.performance import Performance


@dataclass(frozen=True, slots=True)
class ScenarioPhase:
    """One phase of a scenario: which measure types it may use, its budget and its goal."""

    phase_number: int
    allowed_measure_types: tuple[str, ...]
    budget_gbp: float | None = None
    target_band: Band | None = None
    """The goal: reach at least this band (None: best gain within the budget)."""

    def __post_init__(self) -> None:
        if self.phase_number < 1:
            raise ValueError("phase numbers start at 1")
        if self.budget_gbp is not None and not (math.isfinite(self.budget_gbp)
                                                and self.budget_gbp >= 0):
            raise ValueError("a phase budget is a finite, non-negative amount")


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
    sap_gain: float
    bill_saving_gbp: float


@dataclass(frozen=True, slots=True)
class PlanPhase:
    phase_number: int
    measures: tuple[PlanMeasure, ...]
    performance_after: Performance
    bill_after_gbp: float
    reached_goal: bool

    @property
    def cost_gbp(self) -> float:
        return sum(m.cost_gbp for m in self.measures)


@dataclass(frozen=True, slots=True)
class Plan:
    """The plan of one property under one scenario (one row per (property, scenario))."""

    property_id: str
    scenario_id: str
    phases: tuple[PlanPhase, ...]

    @property
    def total_cost_gbp(self) -> float:
        return sum(p.cost_gbp for p in self.phases)

    @property
    def final_performance(self) -> Performance | None:
        return self.phases[-1].performance_after if self.phases else None
