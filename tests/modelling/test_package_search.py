"""The optimiser's compiled package bookkeeping (``ara_kernels.package_search``, issue 16)
gives the same floats, orders and choices as the Python it replaces: ``math.fsum``, option
id order, the exhaustive list and the choice of ``PhaseOptimiser``."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from ara.domain.codes import Band
from ara.modelling.optimiser import (
    Goal,
    GoalKind,
    PhaseOptimiser,
    PhaseProblem,
    _bits,
    _exhaustive,
    _OptionTable,
    _prepare,
)
from ara.modelling.overlays import apply_masks, apply_options
from ara.modelling.scoring import PackageScorer
from ara_kernels.package_search import fsum, lex_less, mask_costs
from modelling.test_optimiser import FakeOption, dwellings, fake_apply

TRICKY_SUMS = [[1e-16, 1.0, 1e16], [0.1] * 10, [1e100, 1.0, -1e100, 1e-100],
               [2.0 ** 53, 1.0, 1.0], [1.0, -1.0], [], [0.1, 0.2, 0.3, -0.6],
               [math.inf, 1.0], [math.nan, 2.0], [-0.0, -0.0]]


@pytest.mark.parametrize("values", TRICKY_SUMS)
def test_fsum_is_math_fsum_on_hard_cases(values: list[float]) -> None:
    got = fsum(np.array(values, dtype=np.float64))

    want = math.fsum(values)
    assert (math.isnan(got) and math.isnan(want)) or got.hex() == want.hex()


def test_fsum_is_math_fsum_on_random_costs() -> None:
    rng = np.random.default_rng(5)
    cases = [np.round(rng.uniform(0, 20_000, rng.integers(1, 12)), rng.integers(0, 4))
             for _ in range(2000)]

    assert all(fsum(c).hex() == math.fsum(c.tolist()).hex() for c in cases)


def test_mask_costs_sum_each_packages_options_exactly() -> None:
    costs = np.array([[0.1, 0.2, 0.3, 1e16], [5.0, 0.7, 0.0, 0.0]])

    got = mask_costs(costs, np.array([0, 0, 1, 0]), np.array([0b0111, 0b1001, 0b11, 0]))

    assert got.tolist() == [math.fsum([0.1, 0.2, 0.3]), math.fsum([0.1, 1e16]), 5.7, 0.0]


def test_lex_less_orders_packages_as_their_option_index_tuples() -> None:
    masks = range(1 << 6)

    assert all(lex_less(a, b) == (_bits(a) < _bits(b)) for a in masks for b in masks)


def random_problem(rng: random.Random, row: int, pid: str) -> PhaseProblem:
    kinds = ["cavity_wall_fill", "internal_wall_insulation", "loft_insulation",
             "draught_proofing", "double_glazing", "floor_insulation",
             "air_source_heat_pump", "condensing_gas_boiler", "mechanical_ventilation"]
    options = []
    for kind in rng.sample(kinds, rng.randint(0, len(kinds))):
        needs = ("mechanical_ventilation",) if "wall" in kind and rng.random() < 0.7 else ()
        cost = rng.choice([300.0, 900.0, 1200.0, 0.1 * rng.randint(1, 99_999)])
        options.append(FakeOption(pid, kind, f"{kind}:{rng.randint(0, 2)}", cost,
                                  requires=needs))
    budget = rng.choice([None, 1500.0, 5000.0])
    return PhaseProblem(row, pid, tuple(options), budget)


def test_exhaustive_packages_are_the_python_lists_less_the_warm_start() -> None:
    from ara_kernels.package_search import exhaustive_packages

    rng = random.Random(11)
    searches = [_prepare(random_problem(rng, k, f"p{k}")) for k in range(300)]
    table = _OptionTable.of(searches)
    assert table is not None

    search, masks, costs = exhaustive_packages(np.arange(len(searches)), table.units,
                                               table.groups, table.costs, table.budgets)

    for k, s in enumerate(searches):
        warm = {0, *s.units.values()}
        want = [p for p in _exhaustive(s) if p not in warm]
        assert masks[search == k].tolist() == want
        assert costs[search == k].tolist() == [s.cost(p) for p in want]


@pytest.mark.parametrize("goal", [Goal.band(Band.C), Goal.band(Band.A), Goal(),
                                  Goal(GoalKind.MAX_CO2_REDUCTION)])
def test_columnar_search_chooses_as_the_python_search(goal: Goal) -> None:
    rng = random.Random(3)
    state = dwellings(3)
    problems = [random_problem(rng, k % 3, f"p{k % 3}") for k in range(60)]
    columnar = PhaseOptimiser(PackageScorer(fake_apply), goal, exhaustive_limit=4)
    python = PhaseOptimiser(PackageScorer(fake_apply), goal, exhaustive_limit=4)

    got = columnar.optimise(state, problems)

    want = python._optimise_objects(state, [_prepare(p) for p in problems])
    assert got == want


def test_apply_masks_is_apply_options_of_the_same_packages() -> None:
    from ara.modelling.overlays import package_masks, pv_columns

    state = dwellings(2)
    packages = [(), (FakeOption("p1", "loft_insulation", "l", 1.0),
                     FakeOption("p1", "solar_pv", "solar_pv:2.40kWp:o5:t30", 1.0)),
                (FakeOption("p0", "double_glazing", "d", 1.0),),
                (FakeOption("p0", "solar_pv", "solar_pv:1.10kWp:o3:t45", 1.0),)]
    rows = [0, 1, 0, 0]
    masks, pv = package_masks(["p0", "p1", "p0", "p0"], packages)

    got = apply_masks(state, np.array(rows), masks, pv_columns(pv))

    assert got.equals(apply_options(state, rows, packages))


def test_pv_overlay_keeps_other_rows_arrays() -> None:
    state = dwellings(2)
    with_pv = apply_options(state, [0], [(FakeOption("p0", "solar_pv",
                                                     "solar_pv:2.40kWp:o5:t30", 1.0),)])
    table = type(state).from_batches(
        [*with_pv.to_batches(), *state.slice(1, 1).to_batches()])

    out = apply_options(table, [0, 1, 1], [(), (FakeOption("p1", "solar_pv",
                                                           "solar_pv:1.00kWp:o1:t10", 1.0),),
                                           ()])

    arrays = out.column("pv_arrays").to_pylist()
    assert arrays[0] == with_pv.column("pv_arrays").to_pylist()[0]
    assert [(a["peak_power_kw"], a["orientation"], a["tilt_deg"], a["overshading"])
            for a in arrays[1]] == [(1.0, 1, 10.0, 2)]
    assert arrays[2] == state.column("pv_arrays").to_pylist()[1]
    assert out.column("pv_connected_to_dwelling_meter").to_pylist()[1] is True
