"""The optimiser of one phase (decision D-0016): least cost to target, whole-package re-score.

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
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pyarrow as pa

from ara.domain.codes import Band
from ara.modelling.catalogue import HEATING_GROUP, HEATING_MEASURE_TYPES, exclusive_group
from ara.modelling.scoring import SCORE_COLUMNS, OptionLike, PackageScorer, PvColumns, Scores
from ara_kernels.package_search import (
    BUDGET_TOLERANCE_GBP,
    MAX_OPTIONS,
    best_packages,
    exhaustive_packages,
    mask_costs,
)

#: SAP 10.2 Table 14 band floors (integer rating).
BAND_FLOORS: dict[Band, int] = {Band.A: 92, Band.B: 81, Band.C: 69, Band.D: 55, Band.E: 39,
                                Band.F: 21, Band.G: 1}

EXHAUSTIVE_LIMIT = 10
#: Properties searched together: every package they consider is held until the slice is done.
SLICE_PROPERTIES = 10_000


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


#: A package as a bit mask over its search's options (bit i: ``options[i]``, the options
#: sorted by id, so ascending bits are option id order): sets of small ints as Python ints,
#: not frozensets, so the search's bookkeeping stays cheap (issue 16).
Mask = int
#: (ok, metric, sap_continuous, sap_rating) of a scored package.
Seen = tuple[bool, float, float, float]


@functools.lru_cache(maxsize=1 << 16)
def _bits(mask: Mask) -> tuple[int, ...]:
    """The option indices of ``mask``, ascending (option id order)."""
    out = []
    i = 0
    while mask:
        if mask & 1:
            out.append(i)
        mask >>= 1
        i += 1
    return tuple(out)


@dataclass
class _Search:
    problem: PhaseProblem
    options: list[OptionLike]
    units: dict[int, Mask]
    budget: float
    groups: list[str]
    """Each option's exclusive group."""
    shared: tuple[Mask, ...]
    """The masks of the groups with more than one option (a valid package has at most one
    option of each)."""
    costs: list[float]
    seen: dict[Mask, Seen] = field(default_factory=dict)
    warm_gain: dict[int, float] = field(default_factory=dict)
    _costs: dict[Mask, float] = field(default_factory=dict)

    def cost(self, package: Mask) -> float:
        found = self._costs.get(package)
        if found is None:
            costs = self.costs
            found = self._costs[package] = math.fsum([costs[i] for i in _bits(package)])
        return found

    def ids(self, package: Mask) -> tuple[int, ...]:
        """Orders packages as their option ids would: options are held sorted by id, so
        comparing index tuples compares the id tuples."""
        return _bits(package)

    def affordable(self, package: Mask) -> bool:
        return self.cost(package) <= self.budget + BUDGET_TOLERANCE_GBP

    def valid(self, package: Mask) -> bool:
        for g in self.shared:
            x = package & g
            if x & (x - 1):
                return False
        return True

    def package(self, mask: Mask) -> list[OptionLike]:
        options = self.options
        return [options[i] for i in _bits(mask)]


@dataclass(frozen=True)
class _OptionTable:
    """The options of a slice's searches as arrays (row k: ``searches[k]``, column i: its
    option i), for the compiled bookkeeping of :mod:`ara_kernels.package_search`."""

    searches: list[_Search]
    rows: np.ndarray
    """Each search's row of the rolling state."""
    costs: np.ndarray
    units: np.ndarray
    """Option i's unit as a mask; 0: it cannot be installed in this phase."""
    groups: np.ndarray
    """Option i's exclusive group, numbered per search."""
    budgets: np.ndarray
    measures: list[str]
    type_bits: np.ndarray
    """``type_bits[k, j]``: the options of search k of measure type ``measures[j]``."""
    pv_bits: np.ndarray
    pv_specs: PvColumns
    """Per search and option, a ``solar_pv`` option's array (kWp, orientation, tilt)."""

    @classmethod
    def of(cls, searches: list[_Search]) -> _OptionTable | None:
        """None when an option does not fit a mask or a cost is not finite (then the
        Python search decides, with its own rules for those)."""
        width = max((len(s.options) for s in searches), default=0)
        if width > MAX_OPTIONS:
            return None
        n, k = len(searches), max(width, 1)
        costs, units, groups = np.zeros((n, k)), np.zeros((n, k), np.int64), \
            np.zeros((n, k), np.int64)
        kwp, tilt, orientation = np.zeros((n, k)), np.zeros((n, k)), np.zeros((n, k), np.int64)
        parse_pv_option = importlib.import_module("ara.modelling.overlays").parse_pv_option
        code_of: dict[str, int] = {}
        typed: list[tuple[int, int, int]] = []
        for row, s in enumerate(searches):
            local: dict[str, int] = {}
            for i, option in enumerate(s.options):
                groups[row, i] = local.setdefault(s.groups[i], len(local))
                typed.append((row, code_of.setdefault(option.measure_type, len(code_of)), i))
                if option.measure_type == "solar_pv":
                    kwp[row, i], orientation[row, i], tilt[row, i] = parse_pv_option(
                        option.option_id)
            costs[row, :len(s.costs)] = s.costs
            for i, unit in s.units.items():
                units[row, i] = unit
        if not np.isfinite(costs).all():
            return None
        type_bits = np.zeros((n, max(len(code_of), 1)), np.int64)
        if typed:
            at = np.array(typed, dtype=np.int64)
            np.bitwise_or.at(type_bits, (at[:, 0], at[:, 1]), np.left_shift(1, at[:, 2]))
        pv = code_of.get("solar_pv")
        pv_bits = type_bits[:, pv] if pv is not None else np.zeros(n, np.int64)
        budgets = np.array([s.budget for s in searches], dtype=np.float64)
        rows = np.array([s.problem.row for s in searches], dtype=np.int64)
        return cls(searches, rows, costs, units, groups, budgets, list(code_of), type_bits,
                   pv_bits, (kwp, orientation, tilt))

    def measure_masks(self, search: np.ndarray, masks: np.ndarray) -> dict[str, np.ndarray]:
        """Per measure type, which packages have an option of it."""
        return {m: (masks & self.type_bits[search, j]) != 0
                for j, m in enumerate(self.measures)}

    def pv(self, search: np.ndarray, masks: np.ndarray) -> PvColumns | None:
        """Each package's ``solar_pv`` option's array (its one option of that type)."""
        bits = masks & self.pv_bits[search]
        if not bits.any():
            return None
        lowest = np.where(bits != 0, bits & -bits, 1)
        option = np.log2(lowest.astype(np.float64)).astype(np.int64)
        kwp, orientation, tilt = self.pv_specs
        return kwp[search, option], orientation[search, option], tilt[search, option]


def _closure(options: Sequence[OptionLike], index: int,
             by_id: dict[str, int] | None = None) -> Mask | None:
    """``index`` with everything it requires, transitively; None when a requirement is not
    among the options (the option cannot be installed in this phase)."""
    if by_id is None:
        by_id = {o.option_id: i for i, o in enumerate(options)}
    found = 0
    todo = [index]
    while todo:
        i = todo.pop()
        if found >> i & 1:
            continue
        found |= 1 << i
        for need in options[i].requires:
            if need in by_id:
                todo.append(by_id[need])
                continue
            of_type = [j for j, o in enumerate(options) if o.measure_type == need]
            if not of_type:
                return None
            todo.append(min(of_type, key=lambda j: (options[j].cost_gbp, options[j].option_id)))
    return found


def _sorted_by_id(options: Iterable[OptionLike], property_id: str) -> list[OptionLike]:
    """The property's options, one per option id (the last given wins), sorted by id."""
    unique = {o.option_id: o for o in options if o.property_id == property_id}
    return [unique[k] for k in sorted(unique)]


def _prepare(problem: PhaseProblem) -> _Search:
    options = _sorted_by_id(problem.options, problem.property_id)
    groups = [exclusive_group(o.measure_type) for o in options]
    masks: dict[str, Mask] = {}
    for i, g in enumerate(groups):
        masks[g] = masks.get(g, 0) | 1 << i
    shared = tuple(m for m in masks.values() if m & (m - 1))
    budget = math.inf if problem.budget_gbp is None else problem.budget_gbp
    search = _Search(problem, options, {}, budget, groups, shared,
                     [o.cost_gbp for o in options])
    by_id = {o.option_id: i for i, o in enumerate(options)}
    for i in range(len(options)):
        unit = _closure(options, i, by_id)
        if unit is not None and search.valid(unit):
            search.units[i] = unit
    return search


def _exhaustive(search: _Search) -> list[Mask]:
    """Every valid, affordable package of the usable options (one or none per group,
    dependencies closed), cheapest first, then by option ids."""
    groups: dict[str, list[Mask]] = {}
    for i, unit in search.units.items():
        groups.setdefault(search.groups[i], [0]).append(unit)
    found = [0]
    for choices in groups.values():
        found = [a | u for a in found for u in choices]
    valid, affordable = search.valid, search.affordable
    out = {p for p in set(found) if valid(p) and affordable(p)}
    cost = search.cost
    return sorted(out, key=lambda p: (cost(p), _bits(p)))


def _with(search: _Search, current: Mask, index: int) -> Mask | None:
    """``current`` plus option ``index``'s unit, swapping out options of the same groups
    (and whatever depended on them)."""
    unit = search.units[index]
    groups = {search.groups[i] for i in _bits(unit)}
    kept = 0
    for i in _bits(current):
        if search.groups[i] not in groups:
            kept |= 1 << i
    both = kept | unit
    kept = sum(1 << i for i in _bits(kept) if not search.units.get(i, 1 << i) & ~both)
    package = kept | unit
    return package if search.valid(package) else None


def _without(search: _Search, current: Mask, index: int) -> Mask:
    """``current`` less option ``index`` and every option that requires it."""
    dropped = sum(1 << i for i in _bits(current) if search.units.get(i, 1 << i) >> index & 1)
    return current & ~dropped


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

    def _score(self, state: pa.Table, wanted: Iterable[tuple[_Search, Mask]]) -> None:
        """Score the packages not yet seen, all properties in one batch."""
        todo: list[tuple[_Search, Mask]] = []
        queued: set[tuple[int, Mask]] = set()
        for search, package in wanted:
            if package not in search.seen:
                key = (id(search), package)
                if key not in queued:
                    queued.add(key)
                    todo.append((search, package))
        if not todo:
            return
        rows = [s.problem.row for s, _ in todo]
        packages = [s.package(p) for s, p in todo]  # option id order
        scores = self._scorer.score(state, rows, packages, columns=SCORE_COLUMNS)
        del packages
        metric = self._goal.metric(scores)
        for (search, package), *seen in zip(todo, scores.ok.astype(bool).tolist(),
                                            np.asarray(metric, np.float64).tolist(),
                                            scores.sap_continuous.astype(np.float64).tolist(),
                                            scores.sap_rating.astype(np.float64).tolist(),
                                            strict=True):
            search.seen[package] = tuple(seen)  # type: ignore[assignment]

    def _reaches(self, e: Seen) -> bool:
        floor = self._goal.floor
        return floor is not None and e[0] and e[3] >= floor

    def _best(self, search: _Search) -> Mask:
        affordable, cost = search.affordable, search.cost
        feasible = [p for p, e in search.seen.items() if e[0] and affordable(p)]
        floor = self._goal.floor
        if floor is not None:
            reaching = [p for p in feasible if search.seen[p][3] >= floor]
            if reaching:
                return min(reaching, key=lambda p: (cost(p), p.bit_count(), _bits(p)))
        if not feasible:
            return 0
        seen = search.seen
        return min(feasible, key=lambda p: (-seen[p][1], cost(p), p.bit_count(), _bits(p)))

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
        table = _OptionTable.of(searches)
        if table is None:  # masks wider than an int64, or a cost that is not finite
            return self._optimise_objects(state, searches)
        n = len(searches)
        if not n:
            return []
        floor = self._goal.floor
        # warm start: nothing, and each affordable unit alone, for every property in one batch
        unit_search, unit_option = np.nonzero(table.units)
        unit_mask = table.units[unit_search, unit_option]
        unit_cost = mask_costs(table.costs, unit_search, unit_mask)
        affordable = np.flatnonzero(
            unit_cost <= table.budgets[unit_search] + BUDGET_TOLERANCE_GBP)
        pairs = np.stack([unit_search[affordable], unit_mask[affordable]], axis=1)
        _, first, inverse = np.unique(pairs.reshape(-1, 2), axis=0, return_index=True,
                                      return_inverse=True)
        kept = affordable[np.sort(first)]  # a unit two options share is scored once
        warm_search = np.concatenate([np.arange(n), unit_search[kept]])
        warm_mask = np.concatenate([np.zeros(n, np.int64), unit_mask[kept]])
        warm_cost = np.concatenate([np.zeros(n), unit_cost[kept]])
        warm = self._score_columns(state, table, warm_search, warm_mask)
        ok, metric, _, rating = warm
        position = n + np.searchsorted(np.sort(first), first[inverse.reshape(-1)])
        with np.errstate(invalid="ignore"):
            gain = np.where(ok[position], metric[position]
                            - metric[unit_search[affordable]], -math.inf)
        gains = np.full(len(unit_search), -math.inf)
        gains[affordable] = gain
        for row, i, g in zip(unit_search.tolist(), unit_option.tolist(), gains.tolist(),
                             strict=True):
            searches[row].warm_gain[i] = g
        # a property already at its target needs nothing (the empty package is cheapest);
        # one the calculator rejects as it stands cannot be searched
        base_ok = ok[:n]
        reached = base_ok & (rating[:n] >= floor) if floor is not None else \
            np.zeros(n, dtype=bool)
        open_ = base_ok & ~reached
        units = np.count_nonzero(table.units, axis=1)
        small = np.flatnonzero(open_ & (units <= self._limit))
        greedy = np.flatnonzero(open_ & (units > self._limit))
        ex_search, ex_mask, ex_cost = exhaustive_packages(
            small, table.units, table.groups, table.costs, table.budgets)
        scored = self._score_columns(state, table, ex_search, ex_mask)
        if len(greedy):
            self._greedy(state, self._seen(searches, greedy, warm_search, warm_mask, warm))
        search = np.concatenate([warm_search, ex_search])
        order = np.argsort(search, kind="stable")  # each property's "nothing" first
        starts = np.concatenate([[0], np.cumsum(np.bincount(search, minlength=n))])
        mask = np.concatenate([warm_mask, ex_mask])[order]
        cost = np.concatenate([warm_cost, ex_cost])[order]
        ok, metric, sap, rating = (np.concatenate([w, e])[order]
                                   for w, e in zip(warm, scored, strict=True))
        best = best_packages(starts, mask, cost, ok, metric, rating, table.budgets,
                             float(floor or 0), floor is not None)
        choices = []
        in_greedy = set(greedy.tolist())
        for k, s in enumerate(searches):
            if k in in_greedy:
                choices.append(self._choice(s))
                continue
            zero = int(starts[k])
            b = int(best[k]) if best[k] >= 0 else zero
            before = Evaluated(bool(ok[zero]), float(metric[zero]), float(sap[zero]),
                               float(rating[zero]))
            after = Evaluated(bool(ok[b]), float(metric[b]), float(sap[b]), float(rating[b]))
            goal = (after.ok and after.sap_rating >= floor) if floor is not None else after.ok
            choices.append(Choice(
                property_id=s.problem.property_id, row=s.problem.row,
                package=cascade_order(s, int(mask[b])), cost_gbp=float(cost[b]),
                before=before, after=after, reached_goal=goal,
                packages_considered=int(starts[k + 1] - starts[k])))
        return choices

    def _score_columns(self, state: pa.Table, table: _OptionTable, search: np.ndarray,
                       masks: np.ndarray) -> tuple[np.ndarray, ...]:
        """(ok, metric, sap_continuous, sap_rating) of package k, ``masks[k]`` of property
        ``search[k]``, all in the scorer's batched calls (nothing when there is none)."""
        if not len(masks):
            return (np.zeros(0, bool), *(np.zeros(0) for _ in range(3)))
        searches = table.searches

        def packages() -> list[list[OptionLike]]:
            return [searches[s].package(m) for s, m in zip(search.tolist(), masks.tolist(),
                                                           strict=True)]

        scores = self._scorer.score_masks(
            state, table.rows[search], table.measure_masks(search, masks),
            table.pv(search, masks), packages, columns=SCORE_COLUMNS)
        return (scores.ok.astype(bool), np.asarray(self._goal.metric(scores), np.float64),
                scores.sap_continuous.astype(np.float64), scores.sap_rating.astype(np.float64))

    @staticmethod
    def _seen(searches: list[_Search], which: np.ndarray, warm_search: np.ndarray,
              warm_mask: np.ndarray, warm: tuple[np.ndarray, ...]) -> list[_Search]:
        """The searches ``which`` with their warm-start packages in ``seen`` (the greedy
        search reads them there)."""
        picked = [searches[k] for k in which.tolist()]
        for j in np.flatnonzero(np.isin(warm_search, which)).tolist():
            searches[int(warm_search[j])].seen[int(warm_mask[j])] = (
                bool(warm[0][j]), float(warm[1][j]), float(warm[2][j]), float(warm[3][j]))
        return picked

    def _optimise_objects(self, state: pa.Table, searches: list[_Search]) -> list[Choice]:
        """The search with a Python ``seen`` per property (options beyond an int64 mask)."""
        # warm start: nothing, and each unit alone, for every property in one batch
        self._score(state, [(s, 0) for s in searches]
                    + [(s, u) for s in searches for u in s.units.values()
                       if s.affordable(u)])
        for s in searches:
            base = s.seen[0][1]
            for i, unit in s.units.items():
                e = s.seen.get(unit)
                s.warm_gain[i] = (e[1] - base) if e is not None and e[0] else -math.inf
        # a property already at its target needs nothing (the empty package is cheapest);
        # one the calculator rejects as it stands cannot be searched
        open_ = [s for s in searches if s.seen[0][0] and not self._reaches(s.seen[0])]
        small = [s for s in open_ if len(s.units) <= self._limit]
        self._score(state, ((s, p) for s in small for p in _exhaustive(s)))
        self._greedy(state, [s for s in open_ if len(s.units) > self._limit])
        return [self._choice(s) for s in searches]

    def _greedy(self, state: pa.Table, searches: list[_Search]) -> None:
        current = {id(s): 0 for s in searches}
        active = list(searches)
        for _ in range(self._rounds):
            if not active:
                return
            proposals: list[tuple[_Search, Mask]] = []
            for s in active:
                cur = current[id(s)]
                if self._reaches(s.seen[cur]):  # repair: drop what the target does not need
                    proposals += [(s, _without(s, cur, i)) for i in _bits(cur)]
                    continue
                for i in s.units:
                    if cur >> i & 1:
                        continue
                    new = _with(s, cur, i)
                    if new is not None and new != cur and s.affordable(new):
                        proposals.append((s, new))
            self._score(state, proposals)
            by_search: dict[int, list[Mask]] = {}
            for t, p in proposals:  # grouped once: no scan of all proposals per property
                if t.seen[p][0]:
                    by_search.setdefault(id(t), []).append(p)
            still = []
            for s in active:
                cur = current[id(s)]
                nxt = self._step(s, cur, by_search.get(id(s), []))
                if nxt is not None:
                    current[id(s)] = nxt
                    still.append(s)
            active = still

    def _step(self, s: _Search, cur: Mask, proposals: list[Mask]) -> Mask | None:
        if self._reaches(s.seen[cur]):
            cheaper = [p for p in proposals if self._reaches(s.seen[p])]
            return min(cheaper, key=lambda p: (s.cost(p), _bits(p))) if cheaper else None
        base_metric, base_cost = s.seen[cur][1], s.cost(cur)

        def rate(p: Mask) -> tuple[float, float, tuple[int, ...]]:
            gain = s.seen[p][1] - base_metric
            spend = s.cost(p) - base_cost
            per_pound = math.inf if spend <= 0 else gain / spend
            return (-per_pound, s.cost(p), _bits(p))

        better = [p for p in proposals if s.seen[p][1] > base_metric]
        if not better:
            return None
        reaching = [p for p in better if self._reaches(s.seen[p])]
        if reaching:
            return min(reaching, key=lambda p: (s.cost(p), _bits(p)))
        return min(better, key=rate)

    def _choice(self, s: _Search) -> Choice:
        best = self._best(s)
        before = Evaluated(*s.seen[0])
        found = s.seen.get(best)
        after = before if found is None else Evaluated(*found)
        if self._goal.floor is not None:
            reached = self._reaches(s.seen.get(best, s.seen[0]))
        else:
            reached = after.ok
        return Choice(property_id=s.problem.property_id, row=s.problem.row,
                      package=cascade_order(s, best), cost_gbp=s.cost(best), before=before,
                      after=after, reached_goal=reached, packages_considered=len(s.seen))


def cascade_order(s: _Search, package: Mask) -> tuple[OptionLike, ...]:
    """Dependencies before what needs them; otherwise by warm-start gain per pound (best
    first), then option id."""
    def key(i: int) -> tuple[float, str]:
        cost = s.options[i].cost_gbp
        gain = s.warm_gain.get(i, 0.0)
        return (-(gain / cost if cost > 0 else math.inf * np.sign(gain or 1.0)),
                s.options[i].option_id)

    placed = 0
    order: list[int] = []
    remaining = sorted(_bits(package), key=key)
    while remaining:
        for i in remaining:
            needs = s.units.get(i, 1 << i) & ~(1 << i)
            if not needs & ~placed:
                placed |= 1 << i
                order.append(i)
                remaining.remove(i)
                break
        else:  # a dependency cycle: keep the gain order
            order += remaining
            break
    return tuple(s.options[i] for i in order)


__all__ = ["BAND_FLOORS", "EXHAUSTIVE_LIMIT", "HEATING_GROUP", "HEATING_MEASURE_TYPES",
           "SLICE_PROPERTIES", "Choice", "Evaluated", "Goal", "GoalKind", "PhaseOptimiser",
           "PhaseProblem", "cascade_order", "exclusive_group"]
