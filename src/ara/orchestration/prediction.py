"""The Prediction stage (issue 19, decision 0029): for a batch of property ids, after
Ingestion and before the Baseline, predict the EPC of each home that has neither a lodged
certificate nor a survey, from comparable certificates (:mod:`ara.prediction`), and flag the
lodged certificates of the others that lie far from their comparables.

Phase 1 (a read-only unit that closes at once): the homes, which of them have a certificate
or a survey, their Landlord Overrides and their UPRN coordinates.
The targets are the homes with neither a certificate nor a survey: their postcode, first
address line (the street rung), coordinates (distance weights) and the overrides that are
coded components (property type and built form, which every prediction needs, and wall
construction and insulation, hard filters). Predicting and flagging need no connection.

Phase 2: one unit writes the batch, all or nothing, and a re-run replaces: the predictions
are upserted (one row per home, the provenance beside the data); the prediction of a home of
the batch that is not predicted now (it has a certificate or a survey since, or it fails now)
is deleted, so that it never stays as if current; the stage's failures and the anomaly flags
of the batch are replaced. (Ingestion records no failure for a home without a certificate:
it may be predicted.)

The stored ``data_json`` of a prediction is written by the same function as a lodged
certificate's (:func:`ara.orchestration.ingestion.certificate_rows`), from the
``CERTIFICATE_SCHEMA`` columns of the predicted certificate, so the Baseline expands it exactly
as it expands a lodged one. Predictions depend only on the comparables and the home (never on
the batch, its size or its order: the comparables of a run are fixed before it starts).

A home gets no prediction, and a failure of this stage whose message says why, when: the run
has no comparables (the register API without ``--comparables``); the landlord has not stated
its property type or built form (the hard filters; the message says what to state and how);
no rung of the ladder reaches its minimum cohort (the message names the minimums and the
largest cohort found).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.domain.failures import StageFailure, failure_rows, utc_now
from ara.domain.stages import StageCounts
from ara.orchestration.ingestion import certificate_rows
from ara.persistence.uow import UnitOfWork
from ara.prediction import (
    ArrowComparables,
    ComparableProperties,
    ParquetComparables,
    Settings,
    flag_anomalies,
    load_settings,
    predict,
    targets_table,
)
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.rdsap.readers.mapping import is_full_sap_schema

UowFactory = Callable[..., UnitOfWork]
STAGE = "prediction"

#: Landlord Override (``landlord_overrides.override``) -> the target column it fills: the
#: coded components the ladder filters on (decision 0029), stored as the certificate's own
#: codes. Overrides of components the ladder does not filter on (roof and floor insulation,
#: the heating system's code) are shown beside the prediction by ``ara plan``, not used.
TARGET_OVERRIDES = {"property_type": "property_type", "built_form": "built_form",
                    "wall_construction": "wall_construction",
                    "wall_insulation": "wall_insulation_type",
                    "floor_construction": "floor_construction",
                    "glazing_type": "glazing_type", "main_fuel": "main_fuel_type"}

NO_COMPARABLES = ("no comparables: give --comparables DATASET/ (certificates converted by "
                  "ara convert) or a local --epc-source (archive:, xml: or csv:) to predict "
                  "the EPC of a home without a certificate from comparable certificates")


def needs_type_and_form(missing: Sequence[str]) -> str:
    """The failure message of a home whose property type or built form is not known."""
    what = " and ".join(missing)
    return (f"no certificate and no survey, and the landlord has not stated the home's {what}: "
            "a predicted EPC is drawn from comparable certificates of the same property type "
            "and built form; state them (ara overrides import: attribute 'property', e.g. "
            "\"mid terrace house\", or 'property_type' and 'built_form') and run again")


@dataclass
class PredictionReport:
    """What one batch did."""

    properties: int = 0
    targets: int = 0
    """Homes with neither a lodged certificate nor a survey."""
    predicted: int = 0
    rungs: dict[str, int] = field(default_factory=dict)
    """Predicted homes by the rung of the ladder used."""
    withdrawn: int = 0
    """Stored predictions deleted: the home has a certificate or a survey now, or fails."""
    checked: int = 0
    """Lodged certificates checked against their comparables."""
    anomalies: int = 0
    """Lodged certificates flagged far from their comparables."""
    failures: list[StageFailure] = field(default_factory=list)

    def counts(self) -> StageCounts:
        return StageCounts(prediction_failures=len(self.failures), predicted=self.predicted,
                           anomalies=self.anomalies)


def comparables_for_source(epc_source: str) -> ComparableProperties | None:
    """The comparables of a run whose certificates come from ``epc_source`` (``ara run
    --epc-source``): every certificate of a local source (``archive:PATH``, ``xml:DIR``,
    ``csv:PATH``) read once, in memory (full SAP certificates, which have no RdSAP survey
    fields to predict from, and unreadable ones are left out); None for the register API."""
    kind, _, path = epc_source.partition(":")
    if kind in ("archive", "xml") and path:
        from ara.rdsap.readers import read_certificates_table

        table, _ = read_certificates_table(path, keep_raw=False)
    elif kind == "csv" and path:
        from ara.rdsap.readers.csv_summary import iter_summary_csv

        batches = [batch for batch, _ in iter_summary_csv(path, keep_raw=False)]
        table = pa.Table.from_batches(batches, schema=CERTIFICATE_SCHEMA) if batches \
            else CERTIFICATE_SCHEMA.empty_table()
    else:
        return None
    return ArrowComparables(_rdsap_only(table))


def comparables_dataset(path: str | Path) -> ParquetComparables:
    """The comparables of a certificate dataset (``ara convert ARCHIVE -o DATASET/``: a folder
    of ``part-NNNNN.parquet`` files of ``CERTIFICATE_SCHEMA`` rows, or one such file), indexed
    by postcode (``_unreadable.parquet`` is left out: Arrow skips files starting with ``_``).
    Raises ValueError for a path that is not one."""
    target = Path(path)
    if not target.exists():
        raise ValueError(f"--comparables {path}: no such file or folder")
    if target.is_dir() and not any(target.glob("*.parquet")):
        raise ValueError(f"--comparables {path}: no Parquet files (a certificate dataset is "
                         "written by ara convert ARCHIVE -o DATASET/)")
    try:
        return ParquetComparables(target)
    except (OSError, pa.ArrowInvalid) as exc:
        raise ValueError(f"--comparables {path}: not a certificate dataset: {exc}") from None


def _rdsap_only(table: pa.Table) -> pa.Table:
    if "raw_document" in table.column_names:
        table = table.drop_columns(["raw_document"])
    schemas = table.column("schema_type").to_pylist()
    keep = [not is_full_sap_schema(s) for s in schemas]
    return table if all(keep) else table.filter(pa.array(keep, pa.bool_()))


def _latest_certificates(rows: pa.Table) -> pa.Table:
    """Per home, its latest certificate (latest inspection, then registration, then number:
    the one the Baseline uses), ordered by property id."""
    if not rows.num_rows:
        return rows
    order = pc.sort_indices(rows, [("property_id", "ascending"),
                                   ("inspection_date", "descending"),
                                   ("registration_date", "descending"),
                                   ("certificate_number", "descending")])
    rows = rows.take(order)
    ids = rows.column("property_id").to_pylist()
    first = [i == 0 or ids[i] != ids[i - 1] for i in range(len(ids))]
    return rows.filter(pa.array(first, pa.bool_()))


class PredictionOrchestrator:
    """``PredictionOrchestrator(uow_factory, comparables)``; ``run(property_ids)`` predicts
    one batch. ``comparables``: the run's (None: the run has none, and every home without a
    certificate or survey fails with :data:`NO_COMPARABLES`). ``today``: the date stored as
    ``predicted_on`` (the run's date by default). ``flag``: check the lodged certificates of
    the batch against their comparables (anomaly flags)."""

    name = STAGE

    def __init__(self, uow_factory: UowFactory, comparables: ComparableProperties | None, *,
                 settings: Settings | None = None, today: date | None = None,
                 flag: bool = True) -> None:
        self._uow = uow_factory
        self._comparables = comparables
        self._settings = settings or load_settings()
        self._today = today
        self._flag = flag

    def run(self, property_ids: Sequence[str]) -> PredictionReport:
        ids = list(property_ids)
        report = PredictionReport(properties=len(ids))
        now = utc_now()
        # ---- phase 1: read, then predict with no unit open
        with self._uow(read_only=True) as uow:
            props = uow.properties.read(ids, ["property_id", "address_line_1", "postcode"])
            certs = uow.certificates.read(ids, ["property_id", "certificate_number",
                                                "inspection_date", "registration_date",
                                                "data_json"])
            surveyed = set(uow.site_notes.read(ids, ["property_id"])
                           .column("property_id").to_pylist())
            overrides = uow.landlord_overrides.read(ids, ["property_id", "override", "value"])
            spatial = uow.spatial.read_for_properties(ids)
        certified = set(certs.column("property_id").to_pylist())
        targets, failures = self._targets(props, certified | surveyed, overrides, spatial)
        report.targets = targets.num_rows + len(failures)
        rows = self._predict(targets, failures, report)
        flagged = self._anomalies(certs, now, report)
        predicted = [] if rows is None else rows.column("property_id").to_pylist()
        # ---- phase 2: one unit, one commit
        with self._uow() as uow:
            stale = sorted(set(ids) - set(predicted))
            if stale:
                report.withdrawn = uow.predicted_epcs.delete(stale)
            if rows is not None and rows.num_rows:
                uow.predicted_epcs.upsert(rows)
            uow.anomalies.delete(ids)
            if flagged is not None and flagged.num_rows:
                uow.anomalies.upsert(flagged)
            uow.stage_failures.clear(ids, STAGE)  # a re-run replaces them
            if failures:
                uow.stage_failures.upsert(failure_rows(failures, now))
        report.failures = failures
        return report

    # -- targets ------------------------------------------------------------------------
    def _targets(self, props: pa.Table, covered: set[str], overrides: pa.Table,
                 spatial: pa.Table) -> tuple[pa.Table, list[StageFailure]]:
        """The target table of the homes with neither a certificate nor a survey that can be
        predicted, and the failures of those that cannot (no comparables; no property type
        or built form)."""
        stated: dict[str, dict[str, str]] = {}
        for pid, name, value in zip(overrides.column("property_id").to_pylist(),
                                    overrides.column("override").to_pylist(),
                                    overrides.column("value").to_pylist(), strict=True):
            if name in TARGET_OVERRIDES:
                stated.setdefault(pid, {})[TARGET_OVERRIDES[name]] = value
        where = {pid: (lat, lon) for pid, lat, lon in zip(
            spatial.column("property_id").to_pylist(), spatial.column("latitude").to_pylist(),
            spatial.column("longitude").to_pylist(), strict=True)}
        rows: list[dict[str, object]] = []
        failures: list[StageFailure] = []
        for r in sorted(props.to_pylist(), key=lambda r: r["property_id"]):
            pid = r["property_id"]
            if pid in covered:
                continue
            if self._comparables is None:
                failures.append(StageFailure(pid, STAGE, "no_comparables", NO_COMPARABLES))
                continue
            known = stated.get(pid, {})
            missing = [label for key, label in (("property_type", "property type"),
                                                ("built_form", "built form"))
                       if key not in known]
            if missing:
                failures.append(StageFailure(pid, STAGE, "needs_property_type",
                                             needs_type_and_form(missing)))
                continue
            lat, lon = where.get(pid, (None, None))
            rows.append({"target_id": pid, "postcode": r["postcode"],
                         "address_line_1": r["address_line_1"], "latitude": lat,
                         "longitude": lon, **known})
        if not rows:
            return targets_table(pa.table({"target_id": pa.array([], pa.string()),
                                           "postcode": pa.array([], pa.string())})), failures
        return targets_table(rows), failures

    # -- predictions ----------------------------------------------------------------------
    def _predict(self, targets: pa.Table, failures: list[StageFailure],
                 report: PredictionReport) -> pa.Table | None:
        """``predicted_epcs`` rows of the targets predicted; a failure for each of the
        others."""
        if not targets.num_rows or self._comparables is None:
            return None
        out = predict(targets, self._comparables, self._settings)
        ids = out.column("target_id").to_pylist()
        reasons = out.column("prediction_reason").to_pylist()
        schemas = out.column("schema_type").to_pylist()
        keep = np.zeros(len(ids), dtype=bool)
        for i, (pid, reason, schema) in enumerate(zip(ids, reasons, schemas, strict=True)):
            if reason is not None:
                failures.append(StageFailure(pid, STAGE, "no_prediction",
                                             f"no predicted EPC: {reason}"[:4000]))
            elif is_full_sap_schema(schema):  # a full SAP template has no RdSAP fields
                failures.append(StageFailure(pid, STAGE, "no_prediction", (
                    f"no predicted EPC: its template certificate "
                    f"{out.column('prediction_template')[i].as_py()} is a full SAP "
                    "certificate, which has no RdSAP survey fields to rate from")))
            else:
                keep[i] = True
        if not keep.any():
            return None
        chosen = out.filter(pa.array(keep))
        n = chosen.num_rows
        # the stored data: the predicted certificate's CERTIFICATE_SCHEMA columns, encoded as
        # ingestion encodes a lodged certificate's (the Baseline reads both alike)
        found = chosen.select(CERTIFICATE_SCHEMA.names).append_column(
            "property_id", chosen.column("target_id"))
        data_json = certificate_rows(found, utc_now()).column("data_json")
        rungs = chosen.column("prediction_rung").to_pylist()
        for rung in rungs:
            report.rungs[rung] = report.rungs.get(rung, 0) + 1
        report.predicted = n
        predicted_on = self._today or date.today()
        return pa.table({
            "property_id": chosen.column("target_id"),
            "predicted_on": pa.array([predicted_on] * n, pa.date32()),
            "method": chosen.column("prediction_method"),
            "comparable_certificates_json": pa.array(
                [json.dumps(v) for v in chosen.column("prediction_neighbours").to_pylist()],
                pa.string()),
            "data_json": data_json.cast(pa.large_string()),
            "rung": pa.array(rungs, pa.string()),
            "cohort_size": chosen.column("prediction_cohort_size"),
            "confidence": pa.array([None if c is None else round(c, 4) for c in
                                    chosen.column("prediction_confidence").to_pylist()],
                                   pa.float64()),
            "template_certificate": chosen.column("prediction_template"),
            "comparable_weights_json": pa.array(
                [json.dumps(v) for v in chosen.column("prediction_weights").to_pylist()],
                pa.string()),
        })

    # -- anomaly flags ----------------------------------------------------------------------
    def _anomalies(self, certs: pa.Table, now: datetime,
                   report: PredictionReport) -> pa.Table | None:
        """``certificate_anomalies`` rows of the batch's latest lodged certificates flagged
        far from their comparables."""
        if not self._flag or self._comparables is None or not certs.num_rows:
            return None
        from ara.orchestration.baseline import certificate_table_from_json

        latest = _latest_certificates(certs)
        table = certificate_table_from_json(latest.column("data_json").to_pylist())
        rdsap = np.array([not is_full_sap_schema(s)
                          for s in table.column("schema_type").to_pylist()], dtype=bool)
        if not rdsap.any():
            return None
        mask = pa.array(rdsap)
        table, latest = table.filter(mask), latest.filter(mask)
        flags = flag_anomalies(table, self._comparables, self._settings)
        report.checked = flags.num_rows
        hit = pc.fill_null(flags.column("anomaly"), False)
        flagged = flags.filter(hit)
        report.anomalies = flagged.num_rows
        if not flagged.num_rows:
            return None
        n = flagged.num_rows
        return pa.table({
            "property_id": latest.column("property_id").filter(hit),
            "certificate_number": flagged.column("certificate_number"),
            "rung": flagged.column("rung"),
            "cohort_size": flagged.column("cohort_size"),
            **{name: flagged.column(name) for name in (
                "floor_area_m2", "floor_area_median_m2", "floor_area_spreads", "sap",
                "sap_median", "sap_spreads")},
            "reasons": pa.array(["; ".join(r) for r in
                                 flagged.column("anomaly_reasons").to_pylist()], pa.string()),
            "flagged_at": pa.array([now] * n, pa.timestamp("us")),
        })
