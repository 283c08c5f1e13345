"""Throughput of Modelling: candidate packages scored per second.

* ``test_score_packages``: ``PackageScorer.score``, the real overlays
  (``ara.modelling.overlays.apply_options``) of every package of every dwelling into one
  Arrow table, then one ``ara.sap.calculate`` call.
* ``test_optimise_phase``: a whole phase of ``PhaseOptimiser`` (warm start, exhaustive
  enumeration, whole-package re-scores) to a target band.
* ``test_plan_two_phase_scenario``: properties planned per second. ``ScenarioRunner`` runs
  the bundled "fabric first, then heat pump" scenario in memory (no database) over
  ``ARA_BENCH_MODELLING_PLAN_N`` properties (default 100,000) in one call: real eligibility
  (``candidate_options``), catalogue, overlays, optimiser, cascade and bills. The properties
  are the bundled synthetic sample portfolio's 2,000 certificates (RdSAP 10 expansion),
  repeated under new ids up to N, with their planning flags; the storage heater (7-hour) and
  oil homes are planned too, without a bill (decision 0017).

Measured on this project's 2-core machine (2026-11-26, after decision 0017 let every home be
planned): planning 100,000 properties took 72.2 s, 1,385 properties/s, 1.89 million packages
scored (26,200/s within the runner) in 50 calculator calls, no failures, process peak RSS
2.05 GB. Earlier the same day, with the 18 % of homes the calculator then rejected left out:
63.5 s, 1,575 properties/s, 1.61 million packages; before the modelling speed-ups (commit
2049683 and after) 1,247 properties/s, peak RSS 2.6 GB. ``test_score_packages`` at 2,000
dwellings (64,000 packages): 56,000 packages/s.

* ``test_modelling_stage_against_in_memory_planner``: the Modelling stage
  (``ModellingOrchestrator``: read the stored properties, rebuild and expand their Effective
  EPCs, plan every bundled scenario, write the plans) over a synthetic portfolio of
  ``ARA_BENCH_MODELLING_STAGE_N`` homes (default 5,000, made by
  ``scripts/make_sample_portfolio.py``, ingested and baselined first, untimed) in batches of
  5,000, on SQLite and PostgreSQL; then, in the same run, the in-memory planner
  (``ScenarioRunner``, every bundled scenario) over the same homes' SAP inputs
  (``ModellingOrchestrator.prepare``, untimed). ``extra_info`` has both rates and
  ``stage_over_planner`` (in-memory rate / stage rate; issue 16's target is at most 1.5).

Packages per second go in ``extra_info``. Run: ``python -m pytest benchmarks/test_modelling.py
--benchmark-only -s`` (``ARA_BENCH_MODELLING_DWELLINGS=2000`` for a bigger scoring batch,
``ARA_BENCH_MODELLING_PLAN_N=1e4`` for a quicker planning run, ``-k stage`` for the stage
against the planner only).
"""

from __future__ import annotations

import itertools
import os
import resource
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from bench_support import database, dwellings, synthetic_portfolio

from ara.domain.bills import FuelRates
from ara.domain.codes import Band
from ara.modelling.eligibility import MeasureOption, candidate_options
from ara.modelling.optimiser import Goal, PhaseOptimiser, PhaseProblem
from ara.modelling.orchestrator import ModellingOrchestrator
from ara.modelling.scenarios import ScenarioRunner, bundled_scenarios
from ara.modelling.scoring import PackageScorer
from ara.persistence import UnitOfWorkFactory
from ara.rdsap.expansion import expand
from ara.rdsap.readers import read_certificates_table

N = int(os.environ.get("ARA_BENCH_MODELLING_DWELLINGS", "300"))
PLAN_N = int(float(os.environ.get("ARA_BENCH_MODELLING_PLAN_N", "1e5")))
STAGE_N = int(float(os.environ.get("ARA_BENCH_MODELLING_STAGE_N", "5e3")))
STAGE_BATCH = 5000
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


def sample_portfolio(n: int) -> tuple[pa.Table, pa.Table, pa.Table]:
    """(SAP inputs, certificates, planning flags) of ``n`` properties: the bundled sample
    portfolio's certificates expanded once, then repeated under ids ``p0 .. p{n-1}``."""
    folder = resources.files("ara").joinpath("data", "sample_portfolio")
    with resources.as_file(folder.joinpath("certificates.ndjson.gz")) as path:
        certs, failures = read_certificates_table(path, keep_raw=False)
    assert not failures
    with resources.as_file(folder.joinpath("uprn.parquet")) as path:
        uprn = pq.read_table(path)
    flags_of = {r["UPRN"]: r for r in uprn.to_pylist()}
    base = expand(certs).inputs
    take = pa.array(np.resize(np.arange(certs.num_rows), n))
    ids = [f"p{i}" for i in range(n)]
    inputs = base.take(take)
    inputs = inputs.set_column(inputs.schema.get_field_index("dwelling_id"),
                               inputs.schema.field("dwelling_id"), pa.array(ids, pa.string()))
    certs = certs.take(take)
    rows = [flags_of.get(u, {}) for u in certs.column("uprn").to_pylist()]
    flags = pa.table({"property_id": ids, **{
        name: pa.array([bool(r.get(name.upper())) for r in rows], pa.bool_())
        for name in ("conservation_area", "listed_building", "heritage_building")}})
    return inputs, certs, flags


def test_plan_two_phase_scenario(benchmark: Any) -> None:
    inputs, certs, flags = sample_portfolio(PLAN_N)
    [scenario] = [s for s in bundled_scenarios()
                  if s.scenario_id == "fabric_first_then_heat_pump"]
    runs: list[tuple[PackageScorer, Any, float]] = []

    def plan() -> Any:
        scorer = PackageScorer()
        runner = ScenarioRunner(scorer, FuelRates.load())
        start = time.perf_counter()
        outcome = runner.run(scenario, inputs,
                             lambda state: candidate_options(state, certs, flags))
        runs.append((scorer, outcome, time.perf_counter() - start))
        return outcome

    benchmark.group = f"modelling: plan a two-phase scenario for {PLAN_N:,} properties"
    outcome = benchmark.pedantic(plan, rounds=1, iterations=1)

    scorer, _, seconds = runs[-1]
    assert len(outcome.plans) + len(outcome.failures) == PLAN_N
    assert len(outcome.plans) > PLAN_N // 2
    assert all(len(p.phases) == 2 for p in outcome.plans)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # kB on Linux
    benchmark.extra_info.update({
        "properties": PLAN_N, "plans": len(outcome.plans), "failures": len(outcome.failures),
        "properties_per_s": round(PLAN_N / seconds),
        "packages_scored": scorer.packages_scored,
        "packages_per_s": round(scorer.packages_scored / seconds),
        "calculator_calls": scorer.calculator_calls,
        "process_peak_rss_gb": round(peak_gb, 2)})
    print(f"\nplanned {PLAN_N:,} properties in {seconds:.1f} s: "
          f"{PLAN_N / seconds:,.0f} properties/s, {scorer.packages_scored:,} packages "
          f"({scorer.packages_scored / seconds:,.0f}/s) in {scorer.calculator_calls} "
          f"calculator calls; {len(outcome.failures):,} failures; process peak RSS "
          f"{peak_gb:.2f} GB")


@pytest.fixture(scope="module")
def stage_portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return synthetic_portfolio(tmp_path_factory, STAGE_N, "modelling_portfolio")


@pytest.fixture(params=["sqlite", "postgresql"])
def stage_factory(request: pytest.FixtureRequest, tmp_path: Path
                  ) -> Iterator[UnitOfWorkFactory]:
    yield from database(request.param, tmp_path, "ara_bench_modelling")


def test_modelling_stage_against_in_memory_planner(benchmark: Any, stage_portfolio: Path,
                                                   stage_factory: UnitOfWorkFactory) -> None:
    from ara.ingestion.epc_fetchers import BulkArchiveFetcher
    from ara.ingestion.geospatial import UprnReferenceData
    from ara.orchestration.baseline import BaselineOrchestrator
    from ara.orchestration.first_run import batches, quiet_collector, read_portfolio
    from ara.orchestration.ingestion import IngestionOrchestrator

    props = read_portfolio(stage_portfolio / "portfolio.csv", "bench")
    ids = props.column("property_id").to_pylist()
    with stage_factory() as uow:
        uow.portfolios.upsert(pa.table({"portfolio_id": ["bench"], "name": ["bench"]}))
        uow.properties.upsert(props)
    rates = FuelRates.load()
    ingestion = IngestionOrchestrator(
        stage_factory, BulkArchiveFetcher(stage_portfolio / "certificates.ndjson.gz"),
        UprnReferenceData(stage_portfolio / "uprn.parquet"))
    baseline = BaselineOrchestrator(stage_factory, rates)
    for batch in batches(ids, STAGE_BATCH):  # untimed: the stage reads what these write
        ingestion.run(batch)
        baseline.run(batch)
    stage = ModellingOrchestrator(stage_factory, rates)
    scenarios = bundled_scenarios()
    timings: dict[str, float] = {}
    plans: dict[str, int] = {}

    def run() -> None:
        with quiet_collector():
            start = time.perf_counter()
            plans["stage"] = sum(stage.run(batch).plans_written
                                 for batch in batches(ids, STAGE_BATCH))
            timings["stage"] = time.perf_counter() - start
        prepared = [stage.prepare(batch) for batch in batches(ids, STAGE_BATCH)]
        with quiet_collector():
            start = time.perf_counter()
            planned = 0
            for p in prepared:
                if p.inputs is None:
                    continue
                certs, flags, solar = p.certs, p.flags, p.solar
                assert certs is not None and flags is not None

                def candidates(state: pa.Table, certs: pa.Table = certs,
                               flags: pa.Table = flags, solar: pa.Table | None = solar
                               ) -> tuple[list[MeasureOption], list[Any]]:
                    found, rejected = candidate_options(state, certs, flags, solar=solar)
                    return found, list(rejected)

                runner = ScenarioRunner(PackageScorer(), rates)
                for scenario in scenarios:
                    planned += len(runner.run(scenario, p.inputs, candidates).plans)
            timings["planner"] = time.perf_counter() - start
            plans["planner"] = planned

    benchmark.group = f"modelling: the stage against the in-memory planner, {STAGE_N:,} homes"
    benchmark.pedantic(run, rounds=1, iterations=1)

    assert plans["stage"] == plans["planner"] > 0
    stage_rate, planner_rate = STAGE_N / timings["stage"], STAGE_N / timings["planner"]
    benchmark.extra_info.update({
        "properties": STAGE_N, "scenarios": len(scenarios), "plans": plans["stage"],
        "stage_properties_per_s": round(stage_rate),
        "planner_properties_per_s": round(planner_rate),
        "stage_over_planner": round(planner_rate / stage_rate, 3)})
    print(f"\nmodelling {STAGE_N:,} homes, {len(scenarios)} scenarios: stage "
          f"{timings['stage']:.1f} s ({stage_rate:,.0f}/s), in-memory planner "
          f"{timings['planner']:.1f} s ({planner_rate:,.0f}/s): the stage takes "
          f"{planner_rate / stage_rate:.2f}x the planner's time")
