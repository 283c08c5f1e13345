"""The optimiser of one phase (decision 0016): least cost to target, whole-package re-score.

For each property of a batch, with the options the phase allows:

1. Each option is folded with its dependencies into a *unit* (wall insulation and the
   ventilation it requires), and every unit is scored alone against the rolling state: the
   warm start, never shown as a measure's impact.
2. Packages are searched: every valid package (one option per exclusive group, dependencies
   present, within budget) when the property has few options (``exhaustive_limit``); else
   greedily by gain per pound from the warm start, then repaired by dropping options the
   target no longer needs. Each round scores the packages of all properties in one batch.
3. Every package considered is scored as a whole by the calculator, and the choice is made
   on those figures only: for a target band the cheapest package whose integer SAP reaches
   the band floor within budget, else the largest SAP gain the budget buys; for a CO2 or
   energy goal the largest reduction within budget. Ties go to the cheaper package, then to
   the smaller, then to the lexically first option ids, so runs are deterministic.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pyarrow as pa

from ara.domain.codes import Band
from ara.modelling.scoring import SCORE_COLUMNS, OptionLike, PackageScorer, Scores

#: SAP 10.2 Table 14 band floors (integer rating).
BAND_FLOORS: dict[Band, int] = {Band.A: 92, Band.B: 81, Band.C: 69, Band.D: 55, Band.E: 39,
                                Band.F: 21, Band.G: 1}

#: Measure types that replace the heating and hot water system: mutually exclusive with each
#: other (decisions 0019-0028), whatever their catalogue class.
HEATING_MEASURE_TYPES: frozenset[str] = frozenset({
    "heating", "heat_pump", "air_source_heat_pump", "ashp", "storage_heaters",
    "high_heat_retention_storage_heaters", "hhr_storage_heaters", "gas_boiler",
    "condensing_boiler", "condensing_gas_boiler", "boiler", "boiler_upgrade",
    "heating_controls", "controls", "controls_tune_up", "heating_and_hot_water"})
HEATING_GROUP = "heating"
EXHAUSTIVE_LIMIT = 10
#: Properties searched together: every package they consider is held until the slice is done.
SLICE_PROPERTIES = 10_000
BUDGET_TOLERANCE_GBP = 1e-6


@functools.cache
def _catalogue_groups() -> dict[str, str]:
    """The catalogue's groups of mutually exclusive measure types (walls, roof, glazing,
    heating), which the overlays enforce too; empty if the catalogue is not installed."""
    try:
        module = importlib.import_module("ara.modelling.catalogue")
    except ImportError:  # pragma: no cover - the catalogue ships with the package
        return {}
    return dict(getattr(module, "EXCLUSIVE_GROUPS", {}))


@functools.cache
def exclusive_group(measure_type: str) -> str:
    """Options of one group are mutually exclusive: one per measure type, the catalogue's
    groups (walls, roof, glazing), and every heating option in one group."""
    group = _catalogue_groups().get(measure_type)
    if group is not None:
        return group
    if measure_type in HEATING_MEASURE_TYPES or measure_type.startswith("heating"):
        return HEATING_GROUP
    return measure_type


class GoalKind(StrEnum):
    TARGET_BAND = "target_band"
    """Cheapest package reaching the band; else the largest SAP gain within budget."""
    MAX_SAP = "max_sap"
    """Largest SAP gain within budget (a phase without a goal)."""
    MAX_CO2_REDUCTION = "max_co2_reduction"
    MAX_ENERGY_REDUCTION = "max_energy_reduction"
    """Primary energy, kWh/yr."""


@dataclass(frozen=True)
class Goal:
    kind: GoalKind = GoalKind.MAX_SAP
    target_band: Band | None = None

    def __post_init__(self) -> None:
        if (self.kind is GoalKind.TARGET_BAND) != (self.target_band is not None):
            raise ValueError("a target band goal, and only it, names a band")

    @classmethod
    def band(cls, band: Band | str) -> Goal:
        return cls(GoalKind.TARGET_BAND, Band(band))

    @property
    def floor(self) -> int | None:
        return None if self.target_band is None else BAND_FLOORS[self.target_band]

    def metric(self, scores: Scores) -> np.ndarray:
        """Higher is better."""
        if self.kind is GoalKind.MAX_CO2_REDUCTION:
            return np.asarray(-scores.co2_kg_per_year)
        if self.kind is GoalKind.MAX_ENERGY_REDUCTION:
            return np.asarray(-scores.primary_energy_kwh)
        return np.asarray(scores.sap_continuous)


@dataclass(frozen=True)
class PhaseProblem:
    """One property's phase: its row of the rolling state, the options the phase allows and
    the budget (None: unlimited)."""

    row: int
    property_id: str
    options: tuple[OptionLike, ...]
    budget_gbp: float | None = None


@dataclass(frozen=True)
class Evaluated:
    """A package's whole-package score."""

    ok: bool
    metric: float
    sap_continuous: float
    sap_rating: float


@dataclass(frozen=True)
class Choice:
    """The package chosen for one property, in cascade order (dependencies first, then by
    warm-start gain per pound)."""

    property_id: str
    row: int
    package: tuple[OptionLike, ...]
    cost_gbp: float
    before: Evaluated
    after: Evaluated
    reached_goal: bool
    packages_considered: int


@dataclass
class _Search:
    problem: PhaseProblem
    options: list[OptionLike]
    units: dict[int, frozenset[int]]
    budget: float
    seen: dict[frozenset[int], Evaluated] = field(default_factory=dict)
    warm_gain: dict[int, float] = field(default_factory=dict)
    _costs: dict[frozenset[int], float] = field(default_factory=dict)

    def cost(self, package: frozenset[int]) -> float:
        found = self._costs.get(package)
        if found is None:
            found = self._costs[package] = math.fsum(self.options[i].cost_gbp
                                                     for i in package)
        return found

    def ids(self, package: frozenset[int]) -> tuple[str, ...]:
        # options are held sorted by option id (``_prepare``), so index order is id order
        return tuple(self.options[i].option_id for i in sorted(package))

    def affordable(self, package: frozenset[int]) -> bool:
        return self.cost(package) <= self.budget + BUDGET_TOLERANCE_GBP


def _closure(options: Sequence[OptionLike], index: int) -> frozenset[int] | None:
    """``index`` with everything it requires, transitively; None when a requirement is not
    among the options (the option cannot be installed in this phase)."""
    by_id = {o.option_id: i for i, o in enumerate(options)}
    found: set[int] = set()
    todo = [index]
    while todo:
        i = todo.pop()
        if i in found:
            continue
        found.add(i)
        for need in options[i].requires:
            if need in by_id:
                todo.append(by_id[need])
                continue
            of_type = [j for j, o in enumerate(options) if o.measure_type == need]
            if not of_type:
                return None
            todo.append(min(of_type, key=lambda j: (options[j].cost_gbp, options[j].option_id)))
    return frozenset(found)


def _valid(options: Sequence[OptionLike], package: Iterable[int]) -> bool:
    groups = [exclusive_group(options[i].measure_type) for i in package]
    return len(groups) == len(set(groups))


def _sorted_by_id(options: Iterable[OptionLike], property_id: str) -> list[OptionLike]:
    """The property's options, one per option id (the last given wins), sorted by id."""
    unique = {o.option_id: o for o in options if o.property_id == property_id}
    return [unique[k] for k in sorted(unique)]


def _prepare(problem: PhaseProblem) -> _Search:
    options = _sorted_by_id(problem.options, problem.property_id)
    units = {}
    for i in range(len(options)):
        unit = _closure(options, i)
        if unit is not None and _valid(options, unit):
            units[i] = unit
    budget = math.inf if problem.budget_gbp is None else problem.budget_gbp
    return _Search(problem, options, units, budget)


def _exhaustive(search: _Search) -> list[frozenset[int]]:
    """Every valid, affordable package of the usable options (one or none per group,
    dependencies closed)."""
    groups: dict[str, list[int]] = {}
    for i in search.units:
        groups.setdefault(exclusive_group(search.options[i].measure_type), []).append(i)
    out: set[frozenset[int]] = set()
    for pick in itertools.product(*([None, *members] for members in groups.values())):
        package = frozenset().union(*(search.units[i] for i in pick if i is not None))
        if _valid(search.options, package) and search.affordable(package):
            out.add(package)
    return sorted(out, key=lambda p: (search.cost(p), search.ids(p)))


def _with(search: _Search, current: frozenset[int], index: int) -> frozenset[int] | None:
    """``current`` plus option ``index``'s unit, swapping out options of the same groups
    (and whatever depended on them)."""
    unit = search.units[index]
    groups = {exclusive_group(search.options[i].measure_type) for i in unit}
    kept = {i for i in current if exclusive_group(search.options[i].measure_type) not in groups}
    kept = {i for i in kept if search.units.get(i, frozenset({i})) <= kept | unit}
    package = frozenset(kept | unit)
    return package if _valid(search.options, package) else None


def _without(search: _Search, current: frozenset[int], index: int) -> frozenset[int]:
    """``current`` less option ``index`` and every option that requires it."""
    dropped = {i for i in current if index in search.units.get(i, frozenset({i}))}
    return frozenset(current - dropped)


class PhaseOptimiser:
    """``PhaseOptimiser(scorer, goal).optimise(state, problems) -> [Choice]``."""

    def __init__(self, scorer: PackageScorer, goal: Goal, *,
                 exhaustive_limit: int = EXHAUSTIVE_LIMIT, max_rounds: int = 64,
                 slice_properties: int = SLICE_PROPERTIES) -> None:
        self._scorer = scorer
        self._goal = goal
        self._limit = exhaustive_limit
        self._rounds = max_rounds
        self._slice = max(1, slice_properties)

    def _score(self, state: pa.Table,
               wanted: Sequence[tuple[_Search, frozenset[int]]]) -> None:
        """Score the packages not yet seen, all properties in one batch."""
        todo: list[tuple[_Search, frozenset[int]]] = []
        queued: set[tuple[int, frozenset[int]]] = set()
        for search, package in wanted:
            key = (id(search), package)
            if package not in search.seen and key not in queued:
                queued.add(key)
                todo.append((search, package))
        if not todo:
            return
        rows = [s.problem.row for s, _ in todo]
        packages = [[s.options[i] for i in sorted(p)] for s, p in todo]  # option id order
        scores = self._scorer.score(state, rows, packages, columns=SCORE_COLUMNS)
        metric = self._goal.metric(scores)
        for k, (search, package) in enumerate(todo):
            search.seen[package] = Evaluated(bool(scores.ok[k]), float(metric[k]),
                                             float(scores.sap_continuous[k]),
                                             float(scores.sap_rating[k]))

    def _reaches(self, e: Evaluated) -> bool:
        floor = self._goal.floor
        return floor is not None and e.ok and e.sap_rating >= floor

    def _best(self, search: _Search) -> frozenset[int]:
        feasible = [p for p, e in search.seen.items() if e.ok and search.affordable(p)]
        reaching = [p for p in feasible if self._reaches(search.seen[p])]
        if reaching:
            return min(reaching, key=lambda p: (search.cost(p), len(p), search.ids(p)))
        empty = frozenset[int]()
        if not feasible:
            return empty
        return min(feasible, key=lambda p: (-search.seen[p].metric, search.cost(p), len(p),
                                            search.ids(p)))

    def optimise(self, state: pa.Table, problems: Sequence[PhaseProblem]) -> list[Choice]:
        """One choice per problem, in order. Properties are searched ``slice_properties`` at
        a time (each slice's packages still scored in batched calculator calls): they are
        independent, so this only bounds the memory the searches hold."""
        choices: list[Choice] = []
        for start in range(0, len(problems), self._slice):
            choices += self._optimise(state, problems[start:start + self._slice])
        return choices

    def _optimise(self, state: pa.Table, problems: Sequence[PhaseProblem]) -> list[Choice]:
        searches = [_prepare(p) for p in problems]
        empty = frozenset[int]()
        # warm start: nothing, and each unit alone, for every property in one batch
        self._score(state, [(s, empty) for s in searches]
                    + [(s, u) for s in searches for u in s.units.values()
                       if s.affordable(u)])
        for s in searches:
            base = s.seen[empty].metric
            for i, unit in s.units.items():
                e = s.seen.get(unit)
                s.warm_gain[i] = (e.metric - base) if e is not None and e.ok else -math.inf
        # a property already at its target needs nothing (the empty package is cheapest);
        # one the calculator rejects as it stands cannot be searched
        open_ = [s for s in searches
                 if s.seen[empty].ok and not self._reaches(s.seen[empty])]
        small = [s for s in open_ if len(s.units) <= self._limit]
        self._score(state, [(s, p) for s in small for p in _exhaustive(s)])
        self._greedy(state, [s for s in open_ if len(s.units) > self._limit])
        return [self._choice(s) for s in searches]

    def _greedy(self, state: pa.Table, searches: list[_Search]) -> None:
        current = {id(s): frozenset[int]() for s in searches}
        active = list(searches)
        for _ in range(self._rounds):
            if not active:
                return
            proposals: list[tuple[_Search, frozenset[int]]] = []
            for s in active:
                cur = current[id(s)]
                if self._reaches(s.seen[cur]):  # repair: drop what the target does not need
                    proposals += [(s, _without(s, cur, i)) for i in sorted(cur)]
                    continue
                for i in s.units:
                    if i in cur:
                        continue
                    new = _with(s, cur, i)
                    if new is not None and new != cur and s.affordable(new):
                        proposals.append((s, new))
            self._score(state, proposals)
            by_search: dict[int, list[frozenset[int]]] = {}
            for t, p in proposals:  # grouped once: no scan of all proposals per property
                if t.seen[p].ok:
                    by_search.setdefault(id(t), []).append(p)
            still = []
            for s in active:
                cur = current[id(s)]
                nxt = self._step(s, cur, by_search.get(id(s), []))
                if nxt is not None:
                    current[id(s)] = nxt
                    still.append(s)
            active = still

    def _step(self, s: _Search, cur: frozenset[int],
              proposals: list[frozenset[int]]) -> frozenset[int] | None:
        if self._reaches(s.seen[cur]):
            cheaper = [p for p in proposals if self._reaches(s.seen[p])]
            return min(cheaper, key=lambda p: (s.cost(p), s.ids(p))) if cheaper else None
        base_metric, base_cost = s.seen[cur].metric, s.cost(cur)

        def rate(p: frozenset[int]) -> tuple[float, float, tuple[str, ...]]:
            gain = s.seen[p].metric - base_metric
            spend = s.cost(p) - base_cost
            per_pound = math.inf if spend <= 0 else gain / spend
            return (-per_pound, s.cost(p), s.ids(p))

        better = [p for p in proposals if s.seen[p].metric > base_metric]
        if not better:
            return None
        reaching = [p for p in better if self._reaches(s.seen[p])]
        if reaching:
            return min(reaching, key=lambda p: (s.cost(p), s.ids(p)))
        return min(better, key=rate)

    def _choice(self, s: _Search) -> Choice:
        best = self._best(s)
        before = s.seen[frozenset()]
        after = s.seen.get(best, before)
        if self._goal.floor is not None:
            reached = self._reaches(after)
        else:
            reached = after.ok
        return Choice(property_id=s.problem.property_id, row=s.problem.row,
                      package=cascade_order(s, best), cost_gbp=s.cost(best), before=before,
                      after=after, reached_goal=reached, packages_considered=len(s.seen))


def cascade_order(s: _Search, package: frozenset[int]) -> tuple[OptionLike, ...]:
    """Dependencies before what needs them; otherwise by warm-start gain per pound (best
    first), then option id."""
    def key(i: int) -> tuple[float, str]:
        cost = s.options[i].cost_gbp
        gain = s.warm_gain.get(i, 0.0)
        return (-(gain / cost if cost > 0 else math.inf * np.sign(gain or 1.0)),
                s.options[i].option_id)

    placed: list[int] = []
    remaining = sorted(package, key=key)
    while remaining:
        for i in remaining:
            needs = s.units.get(i, frozenset({i})) - {i}
            if needs <= set(placed):
                placed.append(i)
                remaining.remove(i)
                break
        else:  # a dependency cycle: keep the gain order
            placed += remaining
            break
    return tuple(s.options[i] for i in placed)


__all__ = ["BAND_FLOORS", "EXHAUSTIVE_LIMIT", "HEATING_GROUP", "HEATING_MEASURE_TYPES",
           "SLICE_PROPERTIES", "Choice", "Evaluated", "Goal", "GoalKind", "PhaseOptimiser",
           "PhaseProblem", "cascade_order", "exclusive_group"]
