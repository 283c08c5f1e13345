"""The phase optimiser (decision 0016) against brute force on small candidate sets, with a
small fake of the overlays (``fake_apply``) and fake options, so it pins the search and not
the measure physics. The fakes are imported by the other modelling tests."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pytest
from dwellings import semi_detached

from ara.domain.codes import Band
from ara.modelling.optimiser import (
    BAND_FLOORS,
    Goal,
    GoalKind,
    PhaseOptimiser,
    PhaseProblem,
    exclusive_group,
)
from ara.modelling.scoring import OptionLike, PackageScorer, lenient_calculate
from ara.sap.schema import SAP_INPUT_SCHEMA


@dataclass(frozen=True)
class FakeOption:
    property_id: str
    measure_type: str
    option_id: str
    cost_gbp: float
    description: str = ""
    requires: tuple[str, ...] = ()


def _set_u(kind: int, u: float) -> Any:
    def effect(d: dict[str, Any]) -> None:
        for e in d["elements"]:
            if e["kind"] == kind:
                e["u_value"] = min(e["u_value"], u)
    return effect


def _glazing(d: dict[str, Any]) -> None:
    for o in d["openings"]:
        if o["kind"] == 2:
            o["u_value"], o["glazing_type"] = 1.4, 3


def _scalars(**values: Any) -> Any:
    def effect(d: dict[str, Any]) -> None:
        d.update(values)
    return effect


_HEATING_RESET = {"main1_control_type": None, "main1_temperature_adjustment_k": None,
                  "main1_efficiency_percent": None, "main1_summer_efficiency_percent": None}
#: Fake overlays, applied in this order (fabric, then systems).
EFFECTS: dict[str, Any] = {
    "cavity_wall_fill": _set_u(1, 0.55),
    "internal_wall_insulation": _set_u(1, 0.3),
    "loft_insulation": _set_u(3, 0.15),
    "floor_insulation": _set_u(4, 0.25),
    "draught_proofing": _scalars(draughtproofed_percent=100.0),
    "mechanical_ventilation": _scalars(intermittent_fans=0),
    "double_glazing": _glazing,
    "air_source_heat_pump": _scalars(
        **_HEATING_RESET, main1_code=211, main1_fuel=30, main1_category=4, main1_emitter=1,
        main1_control=2106, main1_pump_age=2, main1_has_circulation_pump=True,
        water_heating_code=901),
    "condensing_gas_boiler": _scalars(**_HEATING_RESET, main1_code=104, main1_fuel=1,
                                      main1_control=2106),
}


def fake_apply(inputs: pa.Table, rows: Sequence[int],
               packages: Sequence[Sequence[Any]]) -> pa.Table:
    """Row k = ``inputs`` row ``rows[k]`` with ``packages[k]`` applied (a test fake of
    ``ara.modelling.overlays.apply_options``; it also enforces exclusivity)."""
    out = []
    table = inputs.take(pa.array(list(rows), type=pa.int64()))
    for d, package in zip(table.to_pylist(), packages, strict=True):
        types = {o.measure_type for o in package}
        groups = [exclusive_group(t) for t in types]
        assert len(groups) == len(set(groups)), f"exclusive options together: {types}"
        assert all(o.property_id == d["dwelling_id"] for o in package)
        for measure, effect in EFFECTS.items():
            if measure in types:
                effect(d)
        out.append(d)
    return pa.Table.from_pylist(out, schema=SAP_INPUT_SCHEMA)


def dwellings(n: int = 3) -> pa.Table:
    rows = []
    for i in range(n):
        d = semi_detached(f"p{i}")
        d["elements"][2]["u_value"] = 2.3 - 0.4 * i  # loft
        d["elements"][1]["u_value"] = 1.6 + 0.2 * i  # walls
        d["main1_efficiency_percent"] = 65.0 + 8 * i  # old boilers
        for storey in d["storeys"]:
            storey["floor_area_m2"] *= 1 + 0.25 * i
        rows.append(d)
    return pa.Table.from_pylist(rows, schema=SAP_INPUT_SCHEMA)


def options_for(pid: str, scale: float = 1.0) -> tuple[FakeOption, ...]:
    return (
        FakeOption(pid, "cavity_wall_fill", "cavity_wall_fill:100mm", 1500 * scale,
                   requires=("mechanical_ventilation",)),
        FakeOption(pid, "internal_wall_insulation", "internal_wall_insulation:100mm",
                   9000 * scale, requires=("mechanical_ventilation",)),
        FakeOption(pid, "mechanical_ventilation", "mechanical_ventilation:mev", 400 * scale),
        FakeOption(pid, "loft_insulation", "loft_insulation:300mm", 900 * scale),
        FakeOption(pid, "draught_proofing", "draught_proofing:100pct", 300 * scale),
        FakeOption(pid, "double_glazing", "double_glazing", 4000 * scale),
        FakeOption(pid, "air_source_heat_pump", "air_source_heat_pump", 11000 * scale),
        FakeOption(pid, "condensing_gas_boiler", "condensing_gas_boiler", 3000 * scale),
    )


def problems(table: pa.Table, budget: float | None = None) -> list[PhaseProblem]:
    ids = table.column("dwelling_id").to_pylist()
    return [PhaseProblem(i, pid, options_for(pid, 1 + 0.1 * i), budget)
            for i, pid in enumerate(ids)]


def valid(package: Sequence[OptionLike]) -> bool:
    types = {o.measure_type for o in package}
    groups = [exclusive_group(o.measure_type) for o in package]
    return len(groups) == len(set(groups)) and all(
        all(r in types for r in o.requires) for o in package)


def brute_force(table: pa.Table,
                problem: PhaseProblem) -> list[tuple[tuple[OptionLike, ...], float, Any]]:
    """Every valid package of the problem with its cost and whole-package score."""
    packages = [tuple(c) for n in range(len(problem.options) + 1)
                for c in itertools.combinations(problem.options, n) if valid(c)]
    scores = PackageScorer(fake_apply).score(table, [problem.row] * len(packages), packages)
    return [(p, math.fsum(o.cost_gbp for o in p), (scores.sap_rating[k],
                                                    scores.sap_continuous[k],
                                                    scores.co2_kg_per_year[k]))
            for k, p in enumerate(packages)]


def ids(package: Sequence[Any]) -> list[str]:
    return sorted(o.option_id for o in package)


@pytest.fixture(scope="module")
def table() -> pa.Table:
    return dwellings()


@pytest.fixture(scope="module")
def truth(table: pa.Table) -> dict[str, Any]:
    found = {p.property_id: brute_force(table, p) for p in problems(table)}
    for every in found.values():  # the fake dwellings and overlays score
        assert all(math.isfinite(s[1]) for _, _, s in every)
    return found


@pytest.mark.parametrize("band", [Band.D, Band.C, Band.B, Band.A])
def test_least_cost_to_target_band_is_truly_least(table: pa.Table, truth: dict[str, Any],
                                                  band: Band) -> None:
    choices = PhaseOptimiser(PackageScorer(fake_apply), Goal.band(band)).optimise(
        table, problems(table))
    for choice in choices:
        every = truth[choice.property_id]
        reaching = [(cost, ids(p)) for p, cost, s in every if s[0] >= BAND_FLOORS[band]]
        if reaching:
            assert choice.reached_goal
            assert choice.cost_gbp == pytest.approx(min(reaching)[0])
        else:  # unreachable: the largest gain (no budget: any package)
            assert not choice.reached_goal
            assert choice.after.sap_continuous == pytest.approx(max(s[1] for _, _, s in every))


def test_some_targets_are_reachable_only_with_several_measures(truth: dict[str, Any]) -> None:
    every = truth["p0"]
    best_single = max(s[0] for p, _, s in every if len(p) <= 1)
    best = max(s[0] for _, _, s in every)
    assert best > best_single  # the brute-force comparison above is not trivial


@pytest.mark.parametrize("budget", [0.0, 1000.0, 2500.0, 6000.0])
def test_unreachable_target_takes_the_largest_gain_the_budget_buys(
        table: pa.Table, truth: dict[str, Any], budget: float) -> None:
    choices = PhaseOptimiser(PackageScorer(fake_apply), Goal.band(Band.A)).optimise(
        table, problems(table, budget))
    for choice in choices:
        affordable = [s[1] for _, cost, s in truth[choice.property_id] if cost <= budget]
        assert choice.cost_gbp <= budget
        assert choice.after.sap_continuous == pytest.approx(max(affordable))


@pytest.mark.parametrize("kind", [GoalKind.MAX_CO2_REDUCTION, GoalKind.MAX_SAP])
def test_max_reduction_goals_match_brute_force_within_budget(
        table: pa.Table, truth: dict[str, Any], kind: GoalKind) -> None:
    choices = PhaseOptimiser(PackageScorer(fake_apply), Goal(kind)).optimise(
        table, problems(table, 5000.0))
    for choice in choices:
        affordable = [s for _, cost, s in truth[choice.property_id] if cost <= 5000.0]
        if kind is GoalKind.MAX_CO2_REDUCTION:
            assert -choice.after.metric == pytest.approx(min(s[2] for s in affordable))
        else:
            assert choice.after.metric == pytest.approx(max(s[1] for s in affordable))


def test_dependencies_are_folded_in_and_exclusive_options_never_combine(
        table: pa.Table) -> None:
    choices = PhaseOptimiser(PackageScorer(fake_apply), Goal()).optimise(
        table, problems(table))
    for choice in choices:
        assert valid(choice.package)
        types = [o.measure_type for o in choice.package]
        if "cavity_wall_fill" in types or "internal_wall_insulation" in types:
            assert types.index("mechanical_ventilation") < max(
                types.index(t) for t in types if "wall" in t)  # dependency first


def test_greedy_search_reaches_the_target_with_every_package_batch_scored(
        table: pa.Table, truth: dict[str, Any]) -> None:
    scorer = PackageScorer(fake_apply)
    choices = PhaseOptimiser(scorer, Goal.band(Band.C), exhaustive_limit=0).optimise(
        table, problems(table))
    for choice in choices:
        assert valid(choice.package)
        reachable = any(s[0] >= BAND_FLOORS[Band.C] for _, _, s in truth[choice.property_id])
        assert choice.reached_goal == reachable
    assert scorer.calculator_calls < scorer.packages_scored / 5


def test_a_whole_batch_of_packages_is_one_calculator_call(table: pa.Table) -> None:
    calls: list[int] = []

    def counting(inputs: pa.Table) -> pa.Table:
        calls.append(inputs.num_rows)
        return lenient_calculate(inputs)

    scorer = PackageScorer(fake_apply, counting)
    PhaseOptimiser(scorer, Goal.band(Band.B)).optimise(table, problems(table))
    assert len(calls) == 2  # the warm start, then every enumerated package of every property
    assert sum(calls) == scorer.packages_scored > 3 * 20


def test_optimisation_is_deterministic_whatever_the_option_order(table: pa.Table) -> None:
    first = PhaseOptimiser(PackageScorer(fake_apply), Goal.band(Band.C)).optimise(
        table, problems(table))
    shuffled = [PhaseProblem(p.row, p.property_id, tuple(reversed(p.options)), p.budget_gbp)
                for p in problems(table)]
    again = PhaseOptimiser(PackageScorer(fake_apply), Goal.band(Band.C)).optimise(
        table, shuffled)
    assert [[o.option_id for o in c.package] for c in first] \
        == [[o.option_id for o in c.package] for c in again]


def test_ties_go_to_the_cheaper_package(table: pa.Table) -> None:
    pid = "p0"
    twins = (FakeOption(pid, "loft_insulation", "loft_b", 900.0),
             FakeOption(pid, "loft_insulation", "loft_a", 900.0),
             FakeOption(pid, "loft_insulation", "loft_dear", 1900.0))
    [choice] = PhaseOptimiser(PackageScorer(fake_apply), Goal()).optimise(
        table, [PhaseProblem(0, pid, twins)])
    assert [o.option_id for o in choice.package] == ["loft_a"]


def test_an_option_whose_dependency_is_not_offered_is_never_chosen(table: pa.Table) -> None:
    pid = "p0"
    lonely = (FakeOption(pid, "cavity_wall_fill", "cwi", 10.0,
                         requires=("mechanical_ventilation",)),)
    [choice] = PhaseOptimiser(PackageScorer(fake_apply), Goal()).optimise(
        table, [PhaseProblem(0, pid, lonely)])
    assert choice.package == ()


def test_searching_properties_in_slices_changes_nothing_but_the_calls(table: pa.Table) -> None:
    whole = PhaseOptimiser(PackageScorer(fake_apply), Goal.band(Band.B)).optimise(
        table, problems(table))
    scorer = PackageScorer(fake_apply)
    sliced = PhaseOptimiser(scorer, Goal.band(Band.B), slice_properties=1).optimise(
        table, problems(table))
    assert len(sliced) == len(whole) == table.num_rows
    assert [(c.property_id, [o.option_id for o in c.package], c.cost_gbp, c.after)
            for c in sliced] == [(c.property_id, [o.option_id for o in c.package], c.cost_gbp,
                                  c.after) for c in whole]
    assert scorer.calculator_calls == 2 * table.num_rows  # warm start + enumeration per slice
