"""The Prediction stage in the First Run (issue 19), on SQLite and PostgreSQL: homes of the
bundled sample without a certificate (its last rows) get an Effective EPC from a prediction
drawn from the archive's certificates, a rating marked estimated and plans; a re-run replaces
and never duplicates; a home that gets a certificate loses its prediction; predictions do not
depend on the batch size; a home whose property type and built form are not stated, and every
home of a run without comparables, fail with a reason that says what to do; ``ara plan`` and
the report mark predicted homes; lodged certificates far from their comparables are flagged."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa

from ara.domain.bills import FuelRates
from ara.domain.codes import SourcePath
from ara.domain.overrides import OVERRIDE_FIELDS, classify_statement
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.orchestration.prediction import (
    NO_COMPARABLES,
    PredictionOrchestrator,
    comparables_dataset,
    comparables_for_source,
)
from ara.persistence import UnitOfWorkFactory
from ara.persistence import tables as t
from ara.persistence.mapping import load_properties
from ara.prediction import ArrowComparables, predict

from .support import SAMPLE

ARCHIVE = SAMPLE / "certificates.ndjson.gz"
STATEMENTS = SAMPLE / "overrides_predicted_homes.csv"
TODAY = date(2026, 12, 21)
CERTIFIED = 30  # the first homes of the sample (with certificates)
#: Homes without a certificate used here (sample rows 2000 + k): stated ones, one bungalow
#: (k 5: no comparable of that type), one with nothing stated (k 19).
UNCERTIFIED = (0, 1, 2, 3, 4, 5, 6, 7, 13, 19)


@pytest.fixture(scope="module")
def comparables() -> ArrowComparables:
    """The archive's certificates, read once (as ``ara run`` reads its local source)."""
    found = comparables_for_source(f"archive:{ARCHIVE}")
    assert isinstance(found, ArrowComparables)
    return found


def portfolio(tmp_path: Path) -> Path:
    with (SAMPLE / "portfolio.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 2200  # 2,000 homes with certificates, then 200 without
    chosen = rows[:CERTIFIED] + [rows[2000 + k] for k in UNCERTIFIED]
    path = tmp_path / "homes.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(chosen)
    return path


def stated_overrides(props: pa.Table) -> pa.Table:
    """The bundled statements of these homes, classified as ``ara overrides import`` does,
    as ``landlord_overrides`` rows."""
    by_uprn = dict(zip(props.column("uprn").to_pylist(), props.column("property_id").to_pylist(),
                       strict=True))
    rows = []
    with STATEMENTS.open() as fh:  # the wide layout: a column per attribute
        for r in csv.DictReader(fh):
            pid = by_uprn.get(int(r["uprn"]))
            if pid is None:
                continue
            for attribute in ("property", "walls"):
                if not r[attribute]:
                    continue
                c = classify_statement(attribute, r[attribute])
                for name, value in dict(c.values).items():
                    assert name in OVERRIDE_FIELDS
                    rows.append({"property_id": pid, "override": name,
                                 "value": str(value.value), "raw_value": r[attribute],
                                 "source": STATEMENTS.name})
    return pa.Table.from_pylist(rows, schema=pa.schema([
        (c.name, pa.string()) for c in t.landlord_overrides.columns]))


class Run:
    """A First Run of the chosen homes with the Prediction stage (and Modelling)."""

    def __init__(self, factory: UnitOfWorkFactory, tmp_path: Path,
                 comparables: ArrowComparables | None, *, modelling: bool = False) -> None:
        self.factory = factory
        self.props = read_portfolio(portfolio(tmp_path), "pf")
        self.ids = self.props.column("property_id").to_pylist()
        rates = FuelRates.load()
        model = None
        if modelling:
            from ara.modelling.orchestrator import ModellingOrchestrator
            from ara.modelling.scenarios import bundled_scenarios

            model = ModellingOrchestrator(factory, rates, scenarios=bundled_scenarios()[:1])
        self.prediction = PredictionOrchestrator(factory, comparables, today=TODAY)
        self.first_run = FirstRun(
            factory, IngestionOrchestrator(factory, BulkArchiveFetcher(ARCHIVE), None),
            BaselineOrchestrator(factory, rates), modelling=model, prediction=self.prediction)
        self.first_run.create_properties("pf", "homes.csv", self.props)
        with factory() as uow:
            uow.landlord_overrides.upsert(stated_overrides(self.props))
        self.uprn = dict(zip(self.props.column("uprn").to_pylist(), self.ids, strict=True))

    def home(self, k: int) -> str:
        """The property id of sample row 2000 + k."""
        return self.uprn[9_200_000_000_000 + 2000 + k]

    def run(self, batch_size: int = 500) -> Any:
        return self.first_run.run(self.ids, batch_size)

    def rows(self, table: sa.Table, *, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
        with self.factory(read_only=True) as uow:
            keys = [table.c[k] for k in t.natural_key(table)]
            return [{k: v for k, v in dict(r).items() if k not in drop}
                    for r in uow.connection.execute(sa.select(table).order_by(*keys)).mappings()]


@pytest.fixture
def run(uow_factory: UnitOfWorkFactory, tmp_path: Path,
        comparables: ArrowComparables) -> Iterator[Run]:
    yield Run(uow_factory, tmp_path, comparables)


PREDICTED = [k for k in UNCERTIFIED if k not in (5, 19)]


def test_predicted_homes_get_an_effective_epc_a_rating_and_plans(
        uow_factory: UnitOfWorkFactory, tmp_path: Path, comparables: ArrowComparables) -> None:
    run = Run(uow_factory, tmp_path, comparables, modelling=True)
    summary = run.run()
    assert summary.predicted == len(PREDICTED) and summary.prediction_failures == 2
    predicted = {r["property_id"]: r for r in run.rows(t.predicted_epcs)}
    assert set(predicted) == {run.home(k) for k in PREDICTED}
    for r in predicted.values():  # the provenance is stored beside the data
        neighbours = json.loads(r["comparable_certificates_json"])
        weights = json.loads(r["comparable_weights_json"])
        assert r["method"] == "ara.neighbour_synthesis/1.0" and r["predicted_on"] == TODAY
        assert r["rung"] in ("street", "unit", "sector", "district", "area")
        assert r["cohort_size"] >= len(neighbours) > 0 and len(weights) == len(neighbours)
        assert r["template_certificate"] in neighbours and 0 < r["confidence"] <= 1
        assert abs(sum(weights) - 1) < 1e-4
    with run.factory(read_only=True) as uow:
        homes = {p.property_id: p for p in load_properties(uow, run.ids)}
        lodged = uow.certificates.read(run.ids[:1], ["data_json"]).column(0)[0].as_py()
    for pid in predicted:
        decision = homes[pid].source_decision()
        assert decision.source_path is SourcePath.PREDICTED
        assert decision.effective_epc is not None
        data = decision.effective_epc.data
        # stored as ingestion stores a lodged certificate: the same fields, the postcode and
        # address the home's, no lodged results
        assert set(json.loads(data.json_text())) == set(json.loads(lodged))
        assert data["postcode"] == homes[pid].address.postcode
        assert data["energy_rating_current"] is None and data["certificate_number"] is None
    base = {r["property_id"]: r for r in run.rows(t.baseline_performance)}
    plans = {r["property_id"] for r in run.rows(t.plans)}
    for pid in predicted:
        assert base[pid]["source_path"] == "predicted" and base[pid]["lodged_band"] is None
        assert pid in plans
    assert len(base) == CERTIFIED + len(PREDICTED)


def test_a_home_without_property_type_and_built_form_fails_saying_what_to_state(
        run: Run) -> None:
    run.run()
    failures = {(r["property_id"], r["stage"]): r for r in run.rows(t.stage_failures)}
    missing = failures[(run.home(19), "prediction")]
    assert missing["error_type"] == "needs_property_type"
    assert "has not stated the home's property type and built form" in missing["message"]
    assert "ara overrides import" in missing["message"]
    bungalow = failures[(run.home(5), "prediction")]  # stated, but no comparable is one
    assert bungalow["error_type"] == "no_prediction"
    assert "no comparable certificate of this property type and built form" \
        in bungalow["message"]
    for k in (5, 19):  # no prediction, so no source: the Baseline fails it as before
        assert failures[(run.home(k), "baseline")]["error_type"] == "no_source"
    assert {pid for pid, stage in failures if stage == "prediction"} == \
        {run.home(5), run.home(19)}


def test_a_rerun_replaces_and_a_home_that_gets_a_certificate_loses_its_prediction(
        run: Run) -> None:
    run.run()
    first = run.rows(t.predicted_epcs)
    run.run(batch_size=13)
    assert run.rows(t.predicted_epcs) == first  # replaced, never duplicated
    assert len(run.rows(t.stage_failures)) == 4  # two homes x (prediction, baseline)
    assert len(run.rows(t.baseline_performance)) == CERTIFIED + len(PREDICTED)
    # a certificate is lodged for a predicted home (another home's, copied): the next run
    # rates it from that certificate, and its prediction is gone
    home = run.home(0)
    with run.factory() as uow:
        cert = uow.certificates.read(run.ids[:1])
        uow.certificates.upsert(cert.set_column(0, "property_id", pa.array([home])))
    run.run()
    assert home not in {r["property_id"] for r in run.rows(t.predicted_epcs)}
    assert len(run.rows(t.predicted_epcs)) == len(first) - 1
    base = {r["property_id"]: r for r in run.rows(t.baseline_performance)}
    assert base[home]["source_path"] == "epc_with_overlay"


def test_predictions_do_not_depend_on_the_batch_size_and_repeat_exactly(run: Run) -> None:
    """Comparables are the source's certificates, fixed before the run: batch sizes 7 and
    500 give the same predictions, ratings and failures; so does a second run."""
    figures = ("property_id", "source_path", "effective_sap_score",
               "effective_co2_tonnes_per_year", "effective_primary_energy_kwh_per_m2_year",
               "bill_total_gbp")
    results = []
    for size in (7, 500, 500):
        run.run(batch_size=size)
        results.append((run.rows(t.predicted_epcs),
                        [{k: r[k] for k in figures} for r in run.rows(t.baseline_performance)],
                        run.rows(t.stage_failures, drop=("failed_at",))))
    assert results[0] == results[1] == results[2]
    assert len(results[0][0]) == len(PREDICTED)


def test_a_run_without_comparables_fails_the_homes_without_a_certificate(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    """The register API: no comparables unless --comparables is given."""
    from ara.cli_run import _comparables

    assert _comparables(None, "api") is None
    run = Run(uow_factory, tmp_path, None, modelling=False)
    summary = run.run()
    assert summary.predicted == 0 and summary.prediction_failures == len(UNCERTIFIED)
    failures = [r for r in run.rows(t.stage_failures) if r["stage"] == "prediction"]
    assert {r["error_type"] for r in failures} == {"no_comparables"}
    assert all(r["message"] == NO_COMPARABLES for r in failures)
    assert NO_COMPARABLES.startswith("no comparables: give --comparables")
    assert run.rows(t.predicted_epcs) == []
    # rated from the lodged certificates as before
    assert len(run.rows(t.baseline_performance)) == CERTIFIED


def test_ara_plan_and_the_report_mark_predicted_homes(run: Run) -> None:
    from ara import read_models as rm
    from ara.cli_plan import render_plan
    from ara.report import collect, render_html

    run.run()
    pid = run.home(3)
    with run.factory(read_only=True) as uow:
        prop = rm.resolve_property(uow.connection, pid)
        view = rm.plan_view(uow.connection, prop)
        stored = uow.predicted_epcs.read([pid]).to_pylist()[0]
        lines = rm.home_lines(uow.connection, "pf")
    text = render_plan(pid, view.baseline, view.plans, view.phases, view.measures,
                       view.rejections, view.failures, landlord=view.landlord,
                       prediction=view.prediction)
    assert "ESTIMATED (predicted)" in text
    assert f"rung {stored['rung']}, cohort {stored['cohort_size']} comparable" in text
    assert f"confidence {stored['confidence']:.2f}" in text
    assert f"template certificate {stored['template_certificate']}" in text
    assert "chose the comparable certificates, not laid over the prediction" in text
    trust = dict(zip(lines.column("property_id").to_pylist(), lines.column("trust").to_pylist(),
                     strict=True))
    status = dict(zip(lines.column("property_id").to_pylist(),
                      lines.column("status").to_pylist(), strict=True))
    assert trust[pid] == "estimated (predicted)" and status[pid] == "estimate"
    assert trust[run.ids[0]] != "estimated (predicted)"
    page = render_html(collect(run.factory, "pf"))
    assert f"<td>estimated (predicted)</td><td>{len(PREDICTED)}</td>" in page
    assert f"Predicted EPCs: {len(PREDICTED)} homes have neither a certificate" in page
    # counted apart from the homes re-modelled with estimates
    data = collect(run.factory, "pf")
    assert data.trust["estimated (predicted)"] == len(PREDICTED)
    assert sum(data.trust.values()) - data.trust["refused"] == CERTIFIED + len(PREDICTED)


def test_a_lodged_certificate_far_from_its_comparables_is_flagged(run: Run) -> None:
    from ara.cli_run import _summary
    from ara.orchestration.first_run import RunSummary
    from ara.report import collect, render_html

    home = run.ids[4]
    assert run.run().anomalies == 0  # the synthetic sample's certificates are alike
    with run.factory() as uow:  # one certificate's floor area lodged ten times too large
        cert = uow.certificates.read([home])
        data = json.loads(cert.column("data_json")[0].as_py())
        data["total_floor_area_m2"] = 10 * data["total_floor_area_m2"]
        index = cert.schema.get_field_index("data_json")
        uow.certificates.upsert(cert.set_column(index, cert.schema.field(index),
                                                pa.array([json.dumps(data)], pa.large_string())))
    # the stage alone (Ingestion would fetch the archive's certificate again)
    report = run.prediction.run(run.ids)
    assert report.anomalies == 1 and report.checked == CERTIFIED
    [flag] = run.rows(t.certificate_anomalies)
    assert flag["property_id"] == home and flag["floor_area_spreads"] > 3.5
    assert flag["reasons"].startswith(f"floor area {data['total_floor_area_m2']:g} m2 is ")
    assert "robust spreads above the weighted median" in flag["reasons"]
    assert "anomalies: 1 lodged certificates far from their comparables" in \
        _summary(run.factory, "pf", RunSummary(properties=len(run.ids), anomalies=1))
    page = render_html(collect(run.factory, "pf"))
    assert "Lodged certificates far from their comparables" in page
    assert f"<td>{home}</td><td>{flag['certificate_number']}</td>" in page
    # the next run's Ingestion stores the archive's certificate again: the flag goes
    assert run.run().anomalies == 0 and run.rows(t.certificate_anomalies) == []


def test_a_converted_dataset_gives_the_same_predictions(tmp_path: Path,
                                                        comparables: ArrowComparables) -> None:
    """--comparables DATASET/ (Parquet certificate rows) predicts as the archive in memory."""
    folder = tmp_path / "dataset"
    folder.mkdir()
    pq.write_table(comparables.table, folder / "part-00000.parquet", row_group_size=300)
    targets = [{"target_id": f"T{i}", "postcode": pc, "property_type": "0",
                "built_form": form} for i, (pc, form) in enumerate(
        [("WB1 1AL", "1"), ("NF2 2BN", "2"), ("EM3 3DP", "3"), ("SG4 4EQ", "4"),
         ("NF7 5GS", "2")])]
    a = predict(targets, comparables)
    b = predict(targets, comparables_dataset(folder))
    assert a.drop_columns(["raw_document"]).equals(b.drop_columns(["raw_document"]))
    with pytest.raises(ValueError, match="no such file or folder"):
        comparables_dataset(tmp_path / "nowhere")
