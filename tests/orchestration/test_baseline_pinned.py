"""The Baseline stage's stored output on the first 60 homes of the bundled sample, pinned by a
digest recorded before the stage was made faster (reading certificates without the domain
round trip, building the certificate table from the stored JSON): a speed-up must leave
every stored value exactly as it was.

To exercise every source path the run also stores Landlord Overrides on some homes (the
overlay path), a complete Site Notes survey on two (copied from another home's certificate
data, dated after the inspection: the survey path) and a survey with a gap on one (a
defective-survey failure). The digest covers every column of ``baseline_performance`` but
``calculated_at``, and the baseline stage failures (type and message).

If the calculator's results change on purpose (another SAP rule implemented, say), this
digest changes with them: re-record it then, from a run of the code before and after the
change giving the same digest for the same calculator.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlalchemy as sa

from ara.domain.bills import FuelRates
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory
from ara.persistence import tables as t
from ara.persistence.mapping import to_arrow

from .support import SAMPLE, sample_homes

HOMES = 60
#: Re-recorded 2026-12-07 for the ``estimate`` / ``assumptions`` columns (migration 0004): the
#: digest of every other column and of the failures was checked equal to the previous one
#: (00beb84e...4a1) first; 10 of the 60 homes are estimates (hot_water_timing_not_established).
DIGEST = "fb20b56fb5bb5cc21b4a697a453608c45465142fa25f2a0ad9fa828f0da320aa"

#: (home index, override, stored value): the overlay path (roof insulation here; every other
#: kind is exercised by tests/orchestration/test_overrides_baseline.py).
OVERRIDES = [(1, "roof_insulation", "270mm"), (3, "roof_insulation", "0"),
             (5, "roof_insulation", "100mm"), (7, "roof_insulation", "12mm")]


def _add_overrides_and_surveys(factory: UnitOfWorkFactory, ids: list[str]) -> None:
    with factory() as uow:
        certs = {r["property_id"]: r for r in uow.certificates.read(
            ids, ["property_id", "data_json"]).to_pylist()}
        overrides = [{"property_id": ids[i], "override": name, "value": value}
                     for i, name, value in OVERRIDES]
        uow.landlord_overrides.upsert(pa_table(t.landlord_overrides, overrides))
        complete = json.loads(certs[ids[20]]["data_json"])
        gap = json.loads(certs[ids[22]]["data_json"])
        gap["building_parts"][0]["wall_construction"] = None
        notes = [
            {"property_id": ids[10], "survey_id": "S-10", "survey_date": date(2030, 1, 1),
             "surveyor": "pin", "data_json": json.dumps(complete), "raw_format": "json"},
            {"property_id": ids[11], "survey_id": "S-11", "survey_date": date(2030, 1, 1),
             "surveyor": None, "data_json": json.dumps(complete), "raw_format": "json"},
            {"property_id": ids[12], "survey_id": "S-12", "survey_date": date(2030, 1, 1),
             "surveyor": "pin", "data_json": json.dumps(gap), "raw_format": "json"},
        ]
        uow.site_notes.upsert(pa_table(t.site_notes, notes))


def pa_table(table: sa.Table, rows: Sequence[dict[str, Any]]) -> pa.Table:
    return to_arrow(table, rows, list(rows[0]))


def _digest(factory: UnitOfWorkFactory, ids: list[str]
            ) -> tuple[str, list[dict[str, object]], list[list[object]]]:
    with factory(read_only=True) as uow:
        stored = uow.baselines.read(ids)
        # changed_inputs (migration 0005) is left out of the digest, which was recorded
        # before it: null here (the overrides are written directly, not by an import)
        assert stored.column("changed_inputs").null_count == stored.num_rows
        rows = stored.drop_columns(["calculated_at", "changed_inputs"]).to_pylist()
        failures = [list(r) for r in uow.connection.execute(
            sa.select(t.stage_failures.c.property_id, t.stage_failures.c.error_type,
                      t.stage_failures.c.message)
            .where(t.stage_failures.c.stage == "baseline")
            .order_by(t.stage_failures.c.property_id))]
    rows.sort(key=lambda r: r["property_id"])
    text = json.dumps({"baselines": rows, "failures": failures}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest(), rows, failures


def test_the_baseline_rows_of_the_sample_are_unchanged(uow_factory: UnitOfWorkFactory,
                                                       tmp_path: Path) -> None:
    props = read_portfolio(sample_homes(tmp_path, HOMES), "pin")
    ids = props.column("property_id").to_pylist()
    archive = BulkArchiveFetcher(SAMPLE / "certificates.ndjson.gz")
    ingestion = IngestionOrchestrator(uow_factory, archive,
                                      UprnReferenceData(SAMPLE / "uprn.parquet"))
    baseline = BaselineOrchestrator(uow_factory, FuelRates.load())
    run = FirstRun(uow_factory, ingestion, baseline)
    run.create_properties("pin", "homes.csv", props)
    for start in range(0, HOMES, 25):
        ingestion.run(ids[start:start + 25])
    _add_overrides_and_surveys(uow_factory, ids)
    for start in range(0, HOMES, 25):
        baseline.run(ids[start:start + 25])
    digest, rows, failures = _digest(uow_factory, ids)
    assert len(rows) + len(failures) == HOMES
    assert sorted(str(r["property_id"]) for r in rows if r["source_path"] == "survey") == sorted(
        ids[10:12])
    assert [f[:2] for f in failures if f[0] == ids[12]] == [[ids[12], "defective_survey"]]
    assert digest == DIGEST
