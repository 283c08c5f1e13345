"""Stages as a protocol (issue 16): the First Run runs a list of stages, knows none by name,
adds each batch's report counts, and names the stage of a batch that raised."""

from __future__ import annotations

from dataclasses import fields

import pytest

from ara.domain.failures import StageFailure, failure_rows, utc_now
from ara.domain.stages import Stage, StageCounts
from ara.modelling.orchestrator import ModellingOrchestrator, ModellingReport
from ara.orchestration.baseline import BaselineOrchestrator, BaselineReport
from ara.orchestration.first_run import FirstRun, RunSummary
from ara.orchestration.ingestion import IngestionOrchestrator, IngestionReport
from ara.orchestration.prediction import PredictionOrchestrator, PredictionReport


class _Report:
    def __init__(self, counts: StageCounts, failures: int) -> None:
        self._counts = counts
        self.failures = ["x"] * failures

    def counts(self) -> StageCounts:
        return self._counts


class _Stage:
    def __init__(self, name: str, counts: StageCounts, fail_on: str | None = None) -> None:
        self.name = name
        self._counts = counts
        self._fail_on = fail_on
        self.batches: list[list[str]] = []

    def run(self, property_ids: list[str]) -> _Report:
        self.batches.append(list(property_ids))
        if self._fail_on in property_ids:
            raise RuntimeError("boom")
        return _Report(self._counts, 0)


def test_the_first_run_adds_every_stage_s_counts_batch_by_batch(
        monkeypatch: pytest.MonkeyPatch) -> None:
    recorded: list[tuple[list[str], str]] = []
    first = _Stage("first", StageCounts(ingestion_failures=1, predicted=2))
    second = _Stage("second", StageCounts(baseline_failures=3, plans_written=5),
                    fail_on="c")
    run = FirstRun(lambda **_: None, first, second)  # type: ignore[arg-type]
    monkeypatch.setattr(run, "_record", lambda batch, stage, exc: recorded.append(
        (batch, stage)))
    summary = run.run(["a", "b", "c"], 2)
    assert first.batches == [["a", "b"], ["c"]] == second.batches
    # two batches through the first stage, one through the second (the other raised)
    assert (summary.ingestion_failures, summary.predicted) == (2, 4)
    assert (summary.baseline_failures, summary.plans_written) == (3, 5)
    assert summary.batches == 2 and summary.properties == 3
    assert summary.failed_batches == [(2, "second: RuntimeError: boom")]
    assert recorded == [(["c"], "second")]


def test_a_run_summary_is_the_stage_counts_and_the_run_s_own_fields() -> None:
    names = {f.name for f in fields(RunSummary)}
    assert {f.name for f in fields(StageCounts)} <= names
    total = RunSummary()
    total.add(StageCounts(**{f.name: 1 for f in fields(StageCounts)}))
    total.add(StageCounts(unpriced=2))
    assert total.unpriced == 3 and total.divergences == 1


@pytest.mark.parametrize(("report", "expected"), [
    (IngestionReport(failures=[StageFailure("p", "ingestion", "e", "m")]),
     StageCounts(ingestion_failures=1)),
    (PredictionReport(predicted=4, anomalies=2,
                      failures=[StageFailure("p", "prediction", "e", "m")]),
     StageCounts(prediction_failures=1, predicted=4, anomalies=2)),
    (BaselineReport(divergences=1, unpriced=2, overrides_changed=3,
                    failures=[StageFailure("p", "baseline", "e", "m")] * 2),
     StageCounts(baseline_failures=2, divergences=1, unpriced=2, overrides_changed=3)),
    (ModellingReport(plans_written=7, failures={"p": "no plan"}),
     StageCounts(plans_written=7)),
])
def test_each_stage_report_counts_what_it_did(report: object, expected: StageCounts) -> None:
    assert report.counts() == expected  # type: ignore[attr-defined]


def test_the_four_orchestrators_are_stages_named_as_their_failures_are() -> None:
    stages: list[type[Stage]] = [IngestionOrchestrator, PredictionOrchestrator,  # type: ignore[list-item]
                                 BaselineOrchestrator, ModellingOrchestrator]
    assert [s.name for s in stages] == ["ingestion", "prediction", "baseline", "modelling"]


def test_failure_rows_are_built_one_way() -> None:
    now = utc_now()
    assert now.tzinfo is None
    rows = failure_rows([StageFailure("p1", "modelling", "modelling", "why")], now)
    assert rows.to_pylist() == [{"property_id": "p1", "stage": "modelling",
                                 "error_type": "modelling", "message": "why",
                                 "failed_at": now}]
    assert failure_rows([], now).num_rows == 0
