"""Baseline and Modelling in strict and estimate mode (decision 0022), on the first 60 homes of
the bundled sample, against SQLite and PostgreSQL: estimate mode stores ``estimate`` and the
fallback ids beside the Effective figures; strict mode refuses those same homes with the
missing item named, and Modelling plans none of them (and says why)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from ara.domain.bills import FuelRates
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.modelling.orchestrator import ModellingOrchestrator
from ara.modelling.scenarios import bundled_scenarios
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory
from ara.persistence import tables as t
from ara.persistence.mapping import load_properties
from ara.sap.fallbacks import fallbacks

from .support import SAMPLE, sample_homes

HOMES = 60


def _run(factory: UnitOfWorkFactory, tmp_path: Path, mode: str) -> list[str]:
    tmp_path.mkdir()
    props = read_portfolio(sample_homes(tmp_path, HOMES), mode)
    ids = props.column("property_id").to_pylist()
    ingestion = IngestionOrchestrator(factory, BulkArchiveFetcher(
        SAMPLE / "certificates.ndjson.gz"), UprnReferenceData(SAMPLE / "uprn.parquet"))
    rates = FuelRates.load()
    baseline = BaselineOrchestrator(factory, rates, mode=mode)  # type: ignore[arg-type]
    scenario = [s for s in bundled_scenarios() if "fabric" in s.scenario_id]
    modelling = ModellingOrchestrator(factory, rates, scenarios=scenario,
                                      mode=mode)  # type: ignore[arg-type]
    run = FirstRun(factory, ingestion, baseline, modelling=modelling)
    run.create_properties(mode, "homes.csv", props)
    summary = run.run(ids, 30)
    assert summary.failed_batches == []
    return ids


def test_estimate_mode_stores_the_assumptions_and_strict_refuses_those_homes(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    ids_e = _run(uow_factory, tmp_path / "e", "estimate")
    ids_s = _run(uow_factory, tmp_path / "s", "strict")
    with uow_factory(read_only=True) as uow:
        conn = uow.connection
        base = {r.property_id: r for r in conn.execute(sa.select(
            t.baseline_performance.c.property_id, t.baseline_performance.c.estimate,
            t.baseline_performance.c.assumptions))}
        failures = {(r.property_id, r.stage): r for r in conn.execute(sa.select(
            t.stage_failures.c.property_id, t.stage_failures.c.stage,
            t.stage_failures.c.error_type, t.stage_failures.c.message))}
        planned = {r.property_id for r in conn.execute(sa.select(t.plans.c.property_id))}
        domain = {p.property_id: p for p in load_properties(uow, ids_e)}
    # the sample's homes are the same in both portfolios (same certificates, in order)
    estimated = [i for i, pid in enumerate(ids_e) if base[pid].estimate]
    assert estimated, "the sample has homes that need a fallback"
    for pid in ids_e:
        row = base[pid]
        assert row.estimate == bool(row.assumptions)
        assert set(filter(None, row.assumptions.split(","))) <= set(fallbacks())
        baseline = domain[pid].baseline
        assert baseline is not None and baseline.estimate == row.estimate
        assert ",".join(baseline.assumptions) == row.assumptions
        assert pid in planned and (pid, "baseline") not in failures
    for i, pid in enumerate(ids_s):
        if i in estimated:
            failure = failures[(pid, "baseline")]
            assert failure.error_type == "refused" and pid not in base
            assert failure.message.startswith("missing in strict mode (--mode estimate")
            for fid in base[ids_e[i]].assumptions.split(","):
                assert f"fallback {fid}:" in failure.message
            assert pid not in planned
            assert failures[(pid, "modelling")].message.startswith(
                "refused: missing in strict mode")
        else:
            assert pid in base and not base[pid].estimate and pid in planned


def test_a_stage_re_run_replaces_its_failures_and_results(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    """Issue 15 item 2: Baseline and Modelling re-run in strict mode refuse the homes that
    need a fallback (their estimate baselines and plans go); re-run in estimate mode, the
    failures of the earlier run go and the baselines and plans come back: never stale rows."""
    ids = _run(uow_factory, tmp_path / "e", "estimate")
    rates = FuelRates.load()
    scenario = [s for s in bundled_scenarios() if "fabric" in s.scenario_id]

    def state() -> tuple[set[str], set[tuple[str, str]], set[str]]:
        with uow_factory(read_only=True) as uow:
            conn = uow.connection
            base = {r[0] for r in conn.execute(sa.select(t.baseline_performance.c.property_id))}
            fails = {(r[0], r[1]) for r in conn.execute(sa.select(
                t.stage_failures.c.property_id, t.stage_failures.c.stage))}
            plans = {r[0] for r in conn.execute(sa.select(t.plans.c.property_id))}
        return base, fails, plans

    base_e, fails_e, plans_e = state()
    assert base_e == set(ids) and fails_e == set() and plans_e == set(ids)
    for mode in ("strict", "estimate"):
        BaselineOrchestrator(uow_factory, rates, mode=mode).run(ids)  # type: ignore[arg-type]
        ModellingOrchestrator(uow_factory, rates, scenarios=scenario,
                              mode=mode).run(ids)  # type: ignore[arg-type]
        base, fails, plans = state()
        refused = {pid for pid, stage in fails if stage == "baseline"}
        if mode == "strict":
            assert refused and base == set(ids) - refused
            assert {pid for pid, stage in fails if stage == "modelling"} == refused
            assert plans == set(ids) - refused
        else:
            assert (base, fails, plans) == (base_e, fails_e, plans_e)


def test_the_first_run_keeps_the_garbage_collector_quiet_and_restores_it(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 16: the run's own thresholds while it runs, the caller's afterwards, also when a
    stage raises."""
    import gc

    from ara.domain.stages import StageCounts
    from ara.orchestration import first_run

    seen: list[tuple[int, ...]] = []

    class Report:
        failures: list[str] = []

        def counts(self) -> StageCounts:
            return StageCounts()

    class Stage:
        def __init__(self, fail: bool) -> None:
            self.fail = fail
            self.name = "failing" if fail else "passing"

        def run(self, batch: list[str]) -> Report:
            seen.append(gc.get_threshold())
            if self.fail:
                raise RuntimeError("stage failed")
            return Report()

    before = gc.get_threshold()
    run = first_run.FirstRun(lambda **_: None, Stage(False), Stage(True))  # type: ignore[arg-type]
    monkeypatch.setattr(run, "_record", lambda *a: None)
    summary = run.run(["a", "b"], 1)
    assert summary.failed_batches and seen
    assert all(t == first_run.RUN_GC_THRESHOLD for t in seen)
    assert gc.get_threshold() == before
