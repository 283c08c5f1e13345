"""Scenarios run phase by phase (D-0005), with their plans' figures (D-0014, D-0016, D-0018).

A scenario is an ordered list of phases; each phase names the measure types it may use
(``fnmatch`` patterns such as ``*wall*``; ``*`` allows everything), an optional budget and an
optional goal (a target band, the largest CO2 reduction or the largest primary energy
reduction; none: the largest SAP gain). Scenarios load from JSON (YAML too when PyYAML is
installed); two are bundled in ``ara/data/scenarios``.

Per phase, for the whole batch at once: candidates are generated from the rolling state,
optimised (:mod:`ara.modelling.optimiser`), and the chosen packages are scored again as a
cumulative cascade (every prefix of each package, all properties in one calculator call) and
billed at one Fuel Rates snapshot, so each measure's saving is the bill of its prefix less
the bill of the prefix before, and the measures add up to the phase's saving. The state then
rolls forward with the packages applied.
"""

from __future__ import annotations

import fnmatch
import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from ara.domain.bills import FuelRates, compute_bills_or_unpriced
from ara.domain.codes import Band
from ara.domain.performance import EndUseKwh, Performance
from ara.domain.plans import (
    PhaseGoal,
    Plan,
    PlanMeasure,
    PlanPhase,
    PlanRejection,
    PlanState,
    Scenario,
    ScenarioPhase,
    output_figures,
)
from ara.modelling.optimiser import Goal, GoalKind, PhaseOptimiser, PhaseProblem
from ara.modelling.scoring import OptionLike, PackageScorer, Scores, scores_of

SCENARIOS_DIR = Path(__file__).resolve().parents[1] / "data" / "scenarios"

# ---------------------------------------------------------------------------------------------
# Definitions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Phase:
    allowed_measure_types: tuple[str, ...] = ("*",)
    """``fnmatch`` patterns of the measure types the phase may install."""
    budget_gbp: float | None = None
    goal: Goal = Goal()

    def __post_init__(self) -> None:
        if self.budget_gbp is not None and not (math.isfinite(self.budget_gbp)
                                                and self.budget_gbp >= 0):
            raise ValueError("a phase budget is a finite, non-negative amount")
        if not self.allowed_measure_types:
            raise ValueError("a phase allows at least one measure type pattern")

    def allows(self, measure_type: str) -> bool:
        key = (self.allowed_measure_types, measure_type)
        found = _ALLOWS.get(key)
        if found is None:  # asked per option of every property: match each pair once
            found = _ALLOWS[key] = any(fnmatch.fnmatchcase(measure_type, p)
                                       for p in self.allowed_measure_types)
        return found


#: (patterns, measure type) -> whether a phase with those patterns allows the type.
_ALLOWS: dict[tuple[tuple[str, ...], str], bool] = {}


@dataclass(frozen=True)
class ScenarioDefinition:
    scenario_id: str
    name: str
    phases: tuple[Phase, ...]

    def __post_init__(self) -> None:
        if not self.phases:
            raise ValueError(f"scenario {self.scenario_id} has no phases")

    def to_domain(self) -> Scenario:
        """The stored form (``scenarios`` / ``scenario_phases``): a CO2 or energy goal has
        no column of its own and is stored without a target band."""
        return Scenario(self.scenario_id, self.name, tuple(
            ScenarioPhase(n, p.allowed_measure_types, p.budget_gbp, p.goal.target_band,
                          p.goal.kind.value)
            for n, p in enumerate(self.phases, start=1)))


def _goal(raw: Any) -> Goal:
    try:
        if raw is None:
            return Goal()
        if isinstance(raw, str):
            return Goal(GoalKind(raw))
        if isinstance(raw, dict) and "target_band" in raw:
            return Goal.band(str(raw["target_band"]).upper())
        if isinstance(raw, dict) and "kind" in raw:
            return Goal(GoalKind(raw["kind"]))
    except ValueError:
        pass
    raise ValueError(f"unknown goal {raw!r}: use {{'target_band': 'C'}}, 'max_sap', "
                     f"'max_co2_reduction' or 'max_energy_reduction'")


def parse_scenario(data: Mapping[str, Any]) -> ScenarioDefinition:
    """A scenario from its JSON/YAML mapping."""
    try:
        phases = tuple(
            Phase(allowed_measure_types=tuple(p.get("allowed_measure_types") or ("*",)),
                  budget_gbp=None if p.get("budget_gbp") is None else float(p["budget_gbp"]),
                  goal=_goal(p.get("goal")))
            for p in data["phases"])
        return ScenarioDefinition(str(data["scenario_id"]), str(data["name"]), phases)
    except (KeyError, TypeError) as error:
        raise ValueError(f"malformed scenario: {error}") from error


def load_scenario(path: str | Path) -> ScenarioDefinition:
    """A scenario file: ``.json``, or ``.yaml``/``.yml`` when PyYAML is installed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the scenario file: {exc}") from None
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError as error:  # pragma: no cover - PyYAML is optional
            raise ValueError(f"{path}: reading YAML needs PyYAML; use JSON") from error
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ValueError(f"{path}: not valid YAML: {exc}") from None
    else:
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValueError(f"{path}: not valid JSON: {exc}") from None
    try:
        scenario = parse_scenario(data)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ValueError(f"{path}: not a scenario ({exc}); see src/ara/data/scenarios for "
                         "the layout") from None
    check_measure_types(scenario, path)
    return scenario


def check_measure_types(scenario: ScenarioDefinition, where: object = "scenario") -> None:
    """Every allowed measure type (or pattern) of every phase names at least one measure of
    the catalogue: a misspelt measure would otherwise silently plan nothing."""
    from ara.modelling.catalogue import load_catalogue

    known = sorted(load_catalogue().entries)
    for number, phase in enumerate(scenario.phases, start=1):
        unknown = [p for p in phase.allowed_measure_types
                   if not any(fnmatch.fnmatchcase(m, p) for m in known)]
        if unknown:
            raise ValueError(f"{where}: phase {number}: unknown measure type(s) "
                             f"{', '.join(map(repr, unknown))}; the catalogue has: "
                             f"{', '.join(known)}")


def bundled_scenarios() -> list[ScenarioDefinition]:
    """The default scenarios, ordered by id."""
    found = [load_scenario(p) for p in sorted(SCENARIOS_DIR.glob("*.json"))]
    return sorted(found, key=lambda s: s.scenario_id)


# ---------------------------------------------------------------------------------------------
# Valuation uplift (decision D-0018)
# ---------------------------------------------------------------------------------------------

BAND_ORDER: tuple[Band, ...] = (Band.G, Band.F, Band.E, Band.D, Band.C, Band.B, Band.A)
#: Published uplift per one-band step, % (from the lower band of the step).
UPLIFT_PER_STEP_PERCENT: dict[str, dict[Band, float]] = {
    "moneysupermarket": {Band.G: 6.0, Band.F: 1.0, Band.E: 1.0, Band.D: 2.0, Band.C: 4.0,
                         Band.B: 0.0},
    "lloyds": {Band.G: 3.8, Band.F: 2.9, Band.E: 2.4, Band.D: 2.0, Band.C: 2.0, Band.B: 1.8},
}


def valuation_uplift_percent(before: Band, after: Band) -> tuple[float, float]:
    """(low, high) % uplift over the published tables, compounding the steps climbed; 0 for
    no climb."""
    lo, hi = BAND_ORDER.index(before), BAND_ORDER.index(after)
    if hi <= lo:
        return 0.0, 0.0
    totals = [100.0 * (math.prod(1.0 + table[b] / 100.0 for b in BAND_ORDER[lo:hi]) - 1.0)
              for table in UPLIFT_PER_STEP_PERCENT.values()]
    return min(totals), max(totals)


def valuation_uplift_gbp(percent: tuple[float, float], market_value_gbp: float | None,
                         cost_gbp: float) -> tuple[float, float] | None:
    """Pounds only when a market value is known, each end capped at twice the cost."""
    if market_value_gbp is None:
        return None
    cap = 2.0 * cost_gbp
    low, high = percent
    return (min(market_value_gbp * low / 100.0, cap), min(market_value_gbp * high / 100.0, cap))


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class State:
    """A dwelling's figures at one point of the cascade."""

    sap_continuous: float
    sap_rating: int
    co2_kg_per_year: float
    primary_energy_kwh: float
    primary_energy_kwh_per_m2: float
    bill_gbp: float
    """NaN when the Fuel Rates snapshot does not price a fuel the dwelling uses here."""
    ei_rating: int | None = None
    end_use_kwh: EndUseKwh | None = None

    @property
    def band(self) -> Band:
        return Band.for_sap(self.sap_rating)

    def performance(self) -> Performance:
        return Performance.from_sap(self.sap_rating, self.co2_kg_per_year / 1000.0,
                                    self.primary_energy_kwh_per_m2)


@dataclass(frozen=True)
class MeasureResult:
    """One option of a phase's package with its cascade attribution (the difference between
    its cumulative prefix and the one before)."""

    sequence: int
    measure_type: str
    option_id: str
    target: str
    cost_gbp: float
    sap_gain: float
    co2_saving_kg: float
    primary_energy_saving_kwh: float
    bill_saving_gbp: float


@dataclass(frozen=True)
class PhaseResult:
    phase_number: int
    measures: tuple[MeasureResult, ...]
    before: State
    after: State
    reached_goal: bool
    uplift_percent: tuple[float, float]
    uplift_gbp: tuple[float, float] | None
    packages_considered: int

    @property
    def cost_gbp(self) -> float:
        return math.fsum(m.cost_gbp for m in self.measures)

    @property
    def bill_saving_gbp(self) -> float:
        return self.before.bill_gbp - self.after.bill_gbp


@dataclass(frozen=True)
class PlanResult:
    property_id: str
    scenario_id: str
    phases: tuple[PhaseResult, ...]
    uplift_percent: tuple[float, float]
    uplift_gbp: tuple[float, float] | None

    @property
    def cost_gbp(self) -> float:
        return math.fsum(p.cost_gbp for p in self.phases)

    @property
    def before(self) -> State:
        return self.phases[0].before

    @property
    def after(self) -> State:
        return self.phases[-1].after

    @property
    def bill_saving_gbp(self) -> float:
        return self.before.bill_gbp - self.after.bill_gbp

    def to_domain(self, scenario: ScenarioDefinition | None = None, *,
                  fuel_rates_snapshot: str | None = None,
                  rejections: Sequence[PlanRejection] = ()) -> Plan:
        """The stored form; ``scenario`` (the one run) gives each phase its goal and budget,
        ``rejections`` say why the measures each phase allows were not offered."""
        def known(value: float) -> float | None:  # an unpriced bill (NaN) is stored as NULL
            return value if math.isfinite(value) else None

        def state(s: State) -> PlanState:
            return PlanState(s.performance(), known(s.bill_gbp), s.sap_continuous,
                             s.ei_rating, s.primary_energy_kwh, s.end_use_kwh)

        def goal(number: int) -> tuple[PhaseGoal | None, float | None]:
            if scenario is None:
                return None, None
            phase = scenario.phases[number - 1]
            return PhaseGoal(phase.goal.kind.value, phase.goal.target_band), phase.budget_gbp

        return Plan(self.property_id, self.scenario_id, tuple(
            PlanPhase(p.phase_number,
                      tuple(PlanMeasure(m.sequence, m.measure_type, m.option_id, m.target,
                                        m.cost_gbp, m.sap_gain, known(m.bill_saving_gbp),
                                        m.co2_saving_kg, m.primary_energy_saving_kwh)
                            for m in p.measures),
                      state(p.after), p.reached_goal, state(p.before), *goal(p.phase_number),
                      p.uplift_percent, p.uplift_gbp)
            for p in self.phases), self.uplift_percent, self.uplift_gbp, fuel_rates_snapshot,
            tuple(rejections))


@dataclass(frozen=True)
class ScenarioOutcome:
    plans: list[PlanResult]
    failures: dict[str, str]
    """Property id -> why it has no plan."""


#: ``candidates(state) -> (options, rejections)`` for the rows of the rolling state
#: (``ara.modelling.eligibility.candidate_options`` with the batch's certificates and flags
#: bound).
Candidates = Callable[[pa.Table], tuple[Sequence[OptionLike], Sequence[Any]]]


def _bills(outputs: pa.Table, rates: FuelRates, ok: np.ndarray) -> np.ndarray:
    """Bill totals per row: NaN where the row is not ok or the snapshot does not price a fuel
    it uses (its ratings still count; the bill is unknown, never defaulted: decision 0017)."""
    totals = np.full(outputs.num_rows, np.nan)
    if ok.any():
        billed = compute_bills_or_unpriced(outputs.filter(pa.array(ok)), rates)
        totals[np.nonzero(ok)[0]] = billed.column("bill_total_gbp").to_numpy(
            zero_copy_only=False)
    return totals


def _state(scores: Scores, bills: np.ndarray, k: int, per_m2: Sequence[Any]) -> State:
    """``per_m2``: the outputs' ``primary_energy_kwh_per_m2`` as Python values."""
    return State(float(scores.sap_continuous[k]), int(scores.sap_rating[k]),
                 float(scores.co2_kg_per_year[k]), float(scores.primary_energy_kwh[k]),
                 float(per_m2[k]), float(bills[k]), *output_figures(scores.outputs, k))


def _target(option: OptionLike) -> str:
    return str(getattr(option, "target", None) or option.measure_type)


class ScenarioRunner:
    """Runs scenarios for one batch: ``run(scenario, inputs, candidates)``; ``inputs`` rows
    are the properties (``dwelling_id`` = property id)."""

    def __init__(self, scorer: PackageScorer, fuel_rates: FuelRates, *,
                 exhaustive_limit: int = 10,
                 market_values: Mapping[str, float] | None = None) -> None:
        self.scorer = scorer
        self._rates = fuel_rates
        self._limit = exhaustive_limit
        self._values = dict(market_values or {})

    def run(self, scenario: ScenarioDefinition, inputs: pa.Table,
            candidates: Candidates) -> ScenarioOutcome:
        ids = [str(x) for x in inputs.column("dwelling_id").to_pylist()]
        state = inputs
        failures: dict[str, str] = {}
        installed: list[set[str]] = [set() for _ in ids]
        phases: list[list[PhaseResult]] = [[] for _ in ids]
        for number, phase in enumerate(scenario.phases, start=1):
            options, _rejections = candidates(state)
            by_property: dict[str, list[OptionLike]] = {}
            for o in options:
                by_property.setdefault(o.property_id, []).append(o)
            problems = []
            for row, pid in enumerate(ids):
                if pid in failures:
                    continue
                mine = [o for o in by_property.get(pid, [])
                        if o.measure_type not in installed[row]]
                allowed = [o for o in mine if phase.allows(o.measure_type)]
                # dependencies may come from outside the phase's types (ventilation for wall
                # insulation): offered, but only ever chosen with what needs them
                needed = {r for o in allowed for r in o.requires}
                extra = [o for o in mine if not phase.allows(o.measure_type)
                         and (o.option_id in needed or o.measure_type in needed)]
                problems.append(PhaseProblem(row, pid, tuple(allowed + extra),
                                             phase.budget_gbp))
            optimiser = PhaseOptimiser(self.scorer, phase.goal, exhaustive_limit=self._limit)
            choices = optimiser.optimise(state, problems)
            packages: list[tuple[OptionLike, ...]] = [() for _ in ids]
            for choice in choices:
                if not choice.before.ok:
                    failures[choice.property_id] = "the calculator rejects the dwelling"
                    continue
                packages[choice.row] = choice.package
            results = self._cascade(state, ids, packages, failures)
            for choice in choices:
                row = choice.row
                if ids[row] in failures:
                    continue
                before, after, measures = results[row]
                uplift = valuation_uplift_percent(before.band, after.band)
                cost = math.fsum(m.cost_gbp for m in measures)
                reached = (after.sap_rating >= (phase.goal.floor or 0)
                           if phase.goal.kind is GoalKind.TARGET_BAND else choice.reached_goal)
                phases[row].append(PhaseResult(
                    number, measures, before, after, reached, uplift,
                    valuation_uplift_gbp(uplift, self._values.get(ids[row]), cost),
                    choice.packages_considered))
                installed[row].update(o.measure_type for o in packages[row])
            state = self.scorer.overlay(state, list(range(len(ids))),
                                        [packages[r] if ids[r] not in failures else ()
                                         for r in range(len(ids))])
        plans = []
        for row, pid in enumerate(ids):
            if pid in failures:
                continue
            first, last = phases[row][0].before, phases[row][-1].after
            uplift = valuation_uplift_percent(first.band, last.band)
            cost = math.fsum(p.cost_gbp for p in phases[row])
            plans.append(PlanResult(pid, scenario.scenario_id, tuple(phases[row]), uplift,
                                    valuation_uplift_gbp(uplift, self._values.get(pid), cost)))
        return ScenarioOutcome(plans, failures)

    def _cascade(self, state: pa.Table, ids: Sequence[str],
                 packages: Sequence[tuple[OptionLike, ...]], failures: dict[str, str],
                 ) -> dict[int, tuple[State, State, tuple[MeasureResult, ...]]]:
        """Score and bill every cumulative prefix of every package in one batch."""
        rows: list[int] = []
        prefixes: list[tuple[OptionLike, ...]] = []
        spans: dict[int, tuple[int, int]] = {}
        for row, package in enumerate(packages):
            if ids[row] in failures:
                continue
            start = len(rows)
            for k in range(len(package) + 1):
                rows.append(row)
                prefixes.append(package[:k])
            spans[row] = (start, len(rows))
        if not rows:
            return {}
        scored = self.scorer.score(state, rows, prefixes)
        ok = scored.ok.copy()
        for row, (a, b) in spans.items():
            if not ok[a:b].all():
                failures.setdefault(ids[row], "the calculator rejects the dwelling with its "
                                              "package applied")
                ok[a:b] = False
        bills = _bills(scored.outputs, self._rates, ok)
        per_m2 = scored.outputs.column("primary_energy_kwh_per_m2").to_pylist()
        out = {}
        for row, (a, b) in spans.items():
            if ids[row] in failures:
                continue
            states = [_state(scored, bills, k, per_m2) for k in range(a, b)]
            measures = tuple(
                MeasureResult(sequence=i, measure_type=o.measure_type, option_id=o.option_id,
                              target=_target(o), cost_gbp=float(o.cost_gbp),
                              sap_gain=states[i].sap_continuous - states[i - 1].sap_continuous,
                              co2_saving_kg=states[i - 1].co2_kg_per_year
                              - states[i].co2_kg_per_year,
                              primary_energy_saving_kwh=states[i - 1].primary_energy_kwh
                              - states[i].primary_energy_kwh,
                              bill_saving_gbp=states[i - 1].bill_gbp - states[i].bill_gbp)
                for i, o in enumerate(packages[row], start=1))
            out[row] = (states[0], states[-1], measures)
        return out


__all__ = ["BAND_ORDER", "SCENARIOS_DIR", "UPLIFT_PER_STEP_PERCENT", "Candidates",
           "MeasureResult", "Phase", "PhaseResult", "PlanResult", "ScenarioDefinition",
           "ScenarioOutcome", "ScenarioRunner", "State", "bundled_scenarios", "load_scenario",
           "parse_scenario", "scores_of", "valuation_uplift_gbp", "valuation_uplift_percent"]
