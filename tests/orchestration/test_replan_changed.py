"""The First Run re-plans only the homes that changed (issue 20), on SQLite and PostgreSQL:
each plan stores the fingerprint of its inputs (``plans.inputs_fingerprint``), and a run plans
only the (home, scenario) pairs whose fingerprint is new or different. A second run with
nothing changed writes no plan and leaves every plan row as it was; a home whose Landlord
Overrides changed is re-planned alone, to the rows a full re-plan writes; a changed scenario
re-plans every home under it; ``replan_all`` re-plans everything; a home that newly fails
Baseline loses its plans as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pg_support import engine_url

from ara.cli import main
from ara.domain.bills import FuelRates
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.modelling.orchestrator import ModellingOrchestrator
from ara.modelling.scenarios import ScenarioDefinition, bundled_scenarios
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, RunSummary, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory, dispose_engines
from ara.persistence import tables as t

from .support import SAMPLE, sample_homes

HOMES = 8
BATCH = 3  # three batches: the counts are summed
PLAN_TABLES = (t.plans, t.plan_phases, t.plan_measures, t.plan_rejections)
Rows = dict[str, list[tuple[Any, ...]]]


class Portfolio:
    """The sample's first homes, created once; ``run`` takes them through every stage."""

    def __init__(self, factory: UnitOfWorkFactory, tmp_path: Path) -> None:
        self.factory = factory
        props = read_portfolio(sample_homes(tmp_path, HOMES), "sample")
        self.ids = props.column("property_id").to_pylist()
        self.by_uprn = dict(zip(props.column("uprn").to_pylist(), self.ids, strict=True))
        self.rates = FuelRates.load()
        self._ingestion = IngestionOrchestrator(
            factory, BulkArchiveFetcher(SAMPLE / "certificates.ndjson.gz"),
            UprnReferenceData(SAMPLE / "uprn.parquet"))
        self._baseline = BaselineOrchestrator(factory, self.rates)
        FirstRun(factory, self._ingestion, self._baseline).create_properties(
            "sample", "homes.csv", props)

    def run(self, scenarios: Sequence[ScenarioDefinition] | None = None, *,
            replan_all: bool = False) -> RunSummary:
        modelling = ModellingOrchestrator(self.factory, self.rates, scenarios=scenarios,
                                          replan_all=replan_all)
        summary = FirstRun(self.factory, self._ingestion, self._baseline,
                           modelling=modelling).run(self.ids, batch_size=BATCH)
        assert not summary.failed_batches
        return summary

    def plan_rows(self, *, with_times: bool = True) -> Rows:
        """Every row of the plan tables, sorted (``planned_at`` left out unless asked)."""
        out = {}
        with self.factory(read_only=True) as uow:
            for table in PLAN_TABLES:
                columns = [c for c in table.columns
                           if with_times or not isinstance(c.type, sa.DateTime)]
                rows = uow.connection.execute(sa.select(*columns)).all()
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
        return out

    def planned_at(self) -> dict[tuple[str, str], dt.datetime]:
        c = t.plans.c
        with self.factory(read_only=True) as uow:
            return {(r.property_id, r.scenario_id): r.planned_at for r in
                    uow.connection.execute(sa.select(c.property_id, c.scenario_id,
                                                     c.planned_at))}


@pytest.fixture
def portfolio(uow_factory: UnitOfWorkFactory, tmp_path: Path) -> Portfolio:
    return Portfolio(uow_factory, tmp_path)


def _changed_scenario() -> ScenarioDefinition:
    first = bundled_scenarios()[0]
    phase = first.phases[0]
    budget = 1000.0 if phase.budget_gbp is None else phase.budget_gbp / 2
    return dataclasses.replace(first, phases=(dataclasses.replace(phase, budget_gbp=budget),
                                              *first.phases[1:]))


def test_a_second_run_with_nothing_changed_writes_no_plan_and_keeps_every_row(
        portfolio: Portfolio) -> None:
    first = portfolio.run()
    before = portfolio.plan_rows()
    again = portfolio.run()
    assert first.plans_written > HOMES and first.plans_unchanged == 0
    assert (again.plans_written, again.plans_unchanged) == (0, first.plans_written)
    assert portfolio.plan_rows() == before  # planned_at too: the rows were not touched
    assert all(before["plans"]) and None not in {
        r[t.plans.columns.keys().index("inputs_fingerprint")] for r in before["plans"]}


def test_a_changed_landlord_override_replans_exactly_that_home(
        portfolio: Portfolio, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    first = portfolio.run()
    times = portfolio.planned_at()
    home = portfolio.by_uprn[9200000000004]
    statement = tmp_path / "one.csv"
    statement.write_text("uprn,attribute,value\n9200000000004,loft,100 mm\n")
    try:
        assert main(["overrides", "import", str(statement), "--db",
                     engine_url(portfolio.factory.engine)]) == 0
    finally:
        dispose_engines()  # the command's engine, before the test's schema is dropped
    assert "1 home(s) whose overrides changed" in capsys.readouterr().out
    again = portfolio.run()
    replanned = {pair for pair, at in portfolio.planned_at().items() if at != times[pair]}
    scenarios = {s.scenario_id for s in bundled_scenarios()}
    assert replanned == {(home, s) for s in scenarios}
    assert (again.plans_written, again.plans_unchanged) == (
        len(scenarios), first.plans_written - len(scenarios))
    # the plans kept and the plans made are what a full re-plan stores
    skipped = portfolio.plan_rows(with_times=False)
    assert portfolio.run(replan_all=True).plans_written == first.plans_written
    assert portfolio.plan_rows(with_times=False) == skipped


def test_a_changed_scenario_replans_every_home_under_it(portfolio: Portfolio) -> None:
    first = portfolio.run()
    changed = _changed_scenario()
    unchanged = bundled_scenarios()[1:]
    times = portfolio.planned_at()
    again = portfolio.run([changed, *unchanged])
    replanned = {pair for pair, at in portfolio.planned_at().items() if at != times[pair]}
    under_changed = {pair for pair in times if pair[1] == changed.scenario_id}
    assert replanned == under_changed and under_changed
    assert (again.plans_written, again.plans_unchanged) == (
        len(under_changed), first.plans_written - len(under_changed))
    skipped = portfolio.plan_rows(with_times=False)
    portfolio.run([changed, *unchanged], replan_all=True)
    assert portfolio.plan_rows(with_times=False) == skipped


def test_replan_all_replans_every_home(portfolio: Portfolio) -> None:
    first = portfolio.run()
    times = portfolio.planned_at()
    again = portfolio.run(replan_all=True)
    assert (again.plans_written, again.plans_unchanged) == (first.plans_written, 0)
    assert all(at != times[pair] for pair, at in portfolio.planned_at().items())


def test_a_home_that_newly_fails_baseline_loses_its_plans(portfolio: Portfolio) -> None:
    portfolio.run()
    home = portfolio.by_uprn[9200000000003]
    with portfolio.factory() as uow:  # a newer survey with every field missing: defective
        uow.site_notes.upsert(uow.site_notes.schema.empty_table().from_pylist([{
            "property_id": home, "survey_id": "S-GAPS", "survey_date": dt.date(2099, 1, 1),
            "surveyor": None, "data_json": "{}", "raw_format": "json",
            "raw_document": None}], schema=uow.site_notes.schema))
    again = portfolio.run()
    assert again.baseline_failures == 1
    with portfolio.factory(read_only=True) as uow:
        planned = set(uow.plans.fingerprints(portfolio.ids))
        failed = {(r["property_id"], r["stage"])
                  for r in uow.stage_failures.read([home]).to_pylist()}
    assert {pid for pid, _ in planned} == set(portfolio.ids) - {home}
    assert failed == {(home, "baseline"), (home, "modelling")}


def test_ara_run_says_how_many_plans_were_kept_and_replan_all_plans_them_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    portfolio = sample_homes(tmp_path, 4)
    argv = ["run", str(portfolio), "--db", str(tmp_path / "ara.db"), "--epc-source",
            f"archive:{SAMPLE / 'certificates.ndjson.gz'}", "--uprn-data",
            str(SAMPLE / "uprn.parquet"), "--report", "none"]
    try:
        assert main(argv) == 0
        assert "plans: 8 written\n" in capsys.readouterr().out
        assert main(argv) == 0
        assert ("plans: 0 written, 8 unchanged (inputs unchanged since their plans; "
                "--replan-all plans them again)") in capsys.readouterr().out
        assert main([*argv, "--replan-all"]) == 0
        assert "plans: 8 written\n" in capsys.readouterr().out
    finally:
        dispose_engines()
