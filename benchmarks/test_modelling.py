"""Throughput of Modelling: candidate packages scored per second.

* ``test_score_packages``: ``PackageScorer.score``, the real overlays
  (``ara.modelling.overlays.apply_options``) of every package of every dwelling into one
  Arrow table, then one ``ara.sap.calculate`` call.
* ``test_optimise_phase``: a whole phase of ``PhaseOptimiser`` (warm start, exhaustive
  enumeration, whole-package re-scores) to a target band.

Packages per second go in ``extra_info``. Run: ``python -m pytest benchmarks/test_modelling.py
--benchmark-only`` (``ARA_BENCH_MODELLING_DWELLINGS=2000`` for a bigger batch).
"""

from __future__ import annotations

import itertools
import os
from typing import Any

import pyarrow as pa
import pytest
from bench_support import dwellings

from ara.domain.codes import Band
from ara.modelling.eligibility import MeasureOption
from ara.modelling.optimiser import Goal, PhaseOptimiser, PhaseProblem
from ara.modelling.scoring import PackageScorer

N = int(os.environ.get("ARA_BENCH_MODELLING_DWELLINGS", "300"))
MEASURES = (("loft_insulation", "loft_insulation:300mm", 900.0),
            ("draught_proofing", "draught_proofing:100pct", 300.0),
            ("double_glazing", "double_glazing", 4500.0),
            ("cylinder_insulation", "cylinder_insulation:80mm", 60.0),
            ("air_source_heat_pump", "air_source_heat_pump", 11000.0))


def options(pid: str) -> tuple[MeasureOption, ...]:
    return tuple(MeasureOption(pid, m, o, c, m) for m, o, c in MEASURES)


@pytest.fixture(scope="module")
def batch() -> pa.Table:
    return dwellings(N)


def record(benchmark: Any, packages: int) -> None:
    mean, best = benchmark.stats.stats.mean, benchmark.stats.stats.min
    benchmark.extra_info.update({"packages": packages,
                                 "packages_per_s": round(packages / mean),
                                 "best_packages_per_s": round(packages / best)})


def test_score_packages(benchmark: Any, batch: pa.Table) -> None:
    ids = batch.column("dwelling_id").to_pylist()
    rows, packages = [], []
    for row, pid in enumerate(ids):
        opts = options(pid)
        for k in range(len(opts) + 1):
            for combo in itertools.combinations(opts, k):
                rows.append(row)
                packages.append(combo)
    scorer = PackageScorer()
    benchmark.group = f"modelling: score {len(packages):,} packages"

    scores = benchmark.pedantic(scorer.score, args=(batch, rows, packages), rounds=3,
                                iterations=1)

    assert len(scores) == len(packages)
    record(benchmark, len(packages))


def test_optimise_phase(benchmark: Any, batch: pa.Table) -> None:
    ids = batch.column("dwelling_id").to_pylist()
    problems = [PhaseProblem(row, pid, options(pid), 8000.0) for row, pid in enumerate(ids)]
    scorers: list[PackageScorer] = []

    def optimise() -> list[Any]:
        scorer = PackageScorer()
        scorers.append(scorer)
        return PhaseOptimiser(scorer, Goal.band(Band.C)).optimise(batch, problems)

    benchmark.group = f"modelling: optimise a phase of {N:,} dwellings"
    choices = benchmark.pedantic(optimise, rounds=3, iterations=1)

    assert len(choices) == N
    assert all(c.cost_gbp <= 8000.0 for c in choices)
    record(benchmark, scorers[-1].packages_scored)
    benchmark.extra_info["calculator_calls"] = scorers[-1].calculator_calls
