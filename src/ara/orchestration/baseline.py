"""The Baseline stage (decisions D-0004, D-0011-0014): for a batch of property ids, read the
properties, assemble each Effective EPC by its source path, expand and calculate the whole
batch in one vectorised call, rebaseline, bill, and write one baseline row per property in
one unit of work.

Full SAP (new-build, ``SAP-Schema``) certificates are not expanded: ingestion stores their
summary and the document (``raw_document``), and their SAP inputs come from the full SAP
readers (:func:`read_full_sap_certificate`) in the stage's mode; they are calculated in the same
``calculate`` call as the RdSAP homes of the batch.

A property that cannot be scored (no source, a defective survey, input the expansion, the full
SAP readers or the calculator reject) gets a stage failure naming the reason and no baseline
row; the other properties of the batch are written. A property that is scored but uses a fuel
the Fuel Rates snapshot does not price keeps its baseline with a null bill and the reason
(``bill_unpriced_reason``, decision 0017). Anything
unexpected (a bug, a database error) raises: the unit rolls back and nothing of the batch is
written (docs/decisions/0010-stage-failures.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.domain.bills import FuelRates, compute_bills_or_unpriced
from ara.domain.codes import SourcePath, SourceStatus
from ara.domain.epc import OverlayError
from ara.domain.failures import StageFailure, failure_rows, utc_now
from ara.domain.property import Property
from ara.domain.rebaseline import (
    LANDLORD_OVERRIDES_CHANGED,
    LODGED_SCHEMA,
    baseline_table,
    rebaseline,
)
from ara.domain.stages import StageCounts
from ara.persistence.bulk import rows_with_json_maps, table_from_json_texts
from ara.persistence.mapping import load_properties
from ara.persistence.uow import UnitOfWork
from ara.rdsap.expansion import expand
from ara.rdsap.expansion.infer_summary import complete_summary_rows, is_estimate
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.rdsap.readers.documents import unwrap_envelope
from ara.rdsap.readers.mapping import is_full_sap_schema
from ara.sap import calculate
from ara.sap.fallbacks import Mode, check_mode, refusal_text
from ara.sap.sap_json_reader import read_sap_json_certificate
from ara.sap.schema import SAP_INPUT_SCHEMA
from ara.sap.xml_reader import SapReading, SapXmlError, read_sap_xml_certificate

UowFactory = Callable[..., UnitOfWork]
STAGE = "baseline"
#: ``changed_inputs``: a Site Notes survey of the home was added or changed (``ara surveys
#: import``, table ``survey_changes``) since its previous baseline.
SURVEY_CHANGED = "survey_changed"


@dataclass
class BaselineReport:
    properties: int = 0
    scored: int = 0
    divergences: int = 0
    failures: list[StageFailure] = field(default_factory=list)
    rebaseline_reasons: dict[str, int] = field(default_factory=dict)
    unpriced: int = 0
    """Homes rated whose bill the Fuel Rates snapshot cannot price (stored without one)."""
    estimates: int = 0
    """Homes rated with declared estimate fallbacks (estimate mode, decision 0022)."""
    assumptions: dict[str, int] = field(default_factory=dict)
    """How many homes used each estimate fallback."""
    overrides_changed: int = 0
    """Homes re-baselined whose Landlord Overrides changed since their previous baseline
    (recorded as ``landlord_overrides_changed`` in ``changed_inputs``)."""
    surveys_changed: int = 0
    """Homes re-baselined after a survey of theirs was added or changed since their previous
    baseline (recorded as ``survey_changed`` in ``changed_inputs``)."""

    def counts(self) -> StageCounts:
        return StageCounts(baseline_failures=len(self.failures), divergences=self.divergences,
                           unpriced=self.unpriced, overrides_changed=self.overrides_changed)


def _relaxed_schema() -> pa.Schema:
    return pa.schema([pa.field(f.name, pa.string()) if pa.types.is_date(f.type) else f
                      for f in CERTIFICATE_SCHEMA])


def certificate_table(rows: list[dict[str, Any]]) -> pa.Table:
    """CERTIFICATE_SCHEMA rows from stored data JSON (dates come back as ISO text)."""
    schema = _relaxed_schema()
    table = pa.Table.from_pylist(list(rows_with_json_maps(rows, schema)), schema=schema)
    return table.cast(CERTIFICATE_SCHEMA)


def certificate_table_from_json(texts: Sequence[str]) -> pa.Table:
    """``certificate_table`` of the JSON objects ``texts`` (one per certificate), parsed by
    Arrow's JSON reader in one pass instead of as Python dicts
    (:func:`ara.persistence.bulk.table_from_json_texts`): the same table, or the same
    error, as ``certificate_table([json.loads(t) for t in texts])``."""
    return table_from_json_texts(texts, _relaxed_schema()).cast(CERTIFICATE_SCHEMA)


_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DECLARED_ENCODING = re.compile(r"""encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def read_full_sap_certificate(document: bytes | str, mode: Mode, dwelling_id: str,
                              products: Any = None) -> SapReading:
    """A stored full SAP certificate (``raw_document``: the register's JSON, possibly in its
    ``{"data": ...}`` or bulk-export ``{"certificate_number", "document"}`` envelope, or the
    SAP XML; told apart by the first non-space character) read for rating in ``mode`` by
    :func:`ara.sap.sap_json_reader.read_sap_json_certificate` /
    :func:`ara.sap.xml_reader.read_sap_xml_certificate`. Raises
    :class:`~ara.sap.xml_reader.SapXmlError` for a document that cannot be read.
    ``products``: the user's PCDB, for boilers lodged by their index (the readers'
    ``products``)."""
    text = document.decode("utf-8", errors="replace") if isinstance(document, bytes) \
        else document
    body = text.lstrip("\ufeff \t\r\n")
    if body.startswith("<"):
        # stored as UTF-8 text (ingestion decodes with the declared encoding): a declaration
        # naming another encoding would mislead the parser
        declaration = _XML_DECLARATION.match(body)
        encoding = _DECLARED_ENCODING.search(declaration[0]) if declaration else None
        if declaration and encoding and encoding[1].lower().replace("_", "-") not in (
                "utf-8", "utf8"):
            body = body[declaration.end():]
        return read_sap_xml_certificate(body.encode("utf-8"), mode, dwelling_id=dwelling_id,
                                        products=products)
    try:
        obj = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise SapXmlError(dwelling_id, "(document)", f"neither SAP XML nor JSON: {exc}"
                          ) from None
    inner = unwrap_envelope(obj)[0] if isinstance(obj, dict) else obj
    return read_sap_json_certificate(inner, mode, dwelling_id=dwelling_id,
                                     products=products)


_PROBLEM_BOUNDARY = re.compile(r"; (?=[A-Za-z0-9_.\[\]*]+: )")


def calculator_problems(rows: Sequence[dict[str, Any]]) -> list[list[str]]:
    """Per SAP_INPUT_SCHEMA row, 'field: message' for every problem the calculator finds in
    it (a lenient :func:`ara.sap.calculate` call), so that a full SAP refusal also says what
    the fallbacks would not unblock, as ``ara rate`` does."""
    if not rows:
        return []
    out = calculate(pa.Table.from_pylist(list(rows), schema=SAP_INPUT_SCHEMA), strict=False)
    return [_PROBLEM_BOUNDARY.split(error) if error else []
            for error in out.column("error").to_pylist()]


FULL_SAP_OVERLAY = ("landlord overrides ({names}) cannot be applied to a full SAP certificate: "
                    "its SAP inputs are read from the lodged document, which has no RdSAP "
                    "survey fields to overlay")


class BaselineOrchestrator:
    """``BaselineOrchestrator(uow_factory, fuel_rates)``; ``run(property_ids)`` baselines one
    batch. The rebaseliner is the SAP 10.2 calculator behind the RdSAP 10 expansion."""

    name = STAGE

    def __init__(self, uow_factory: UowFactory, fuel_rates: FuelRates, *,
                 rebaseliner: Callable[[pa.Table], pa.Table] | None = None,
                 mode: Mode = "estimate", pcdb: Any = None) -> None:
        self._uow = uow_factory
        self._pcdb = pcdb
        self._rates = fuel_rates
        self._mode = check_mode(mode)
        self._calculate = rebaseliner or (lambda inputs: calculate(inputs, strict=False))

    def run(self, property_ids: Sequence[str]) -> BaselineReport:
        report = BaselineReport(properties=len(property_ids))
        now = utc_now()
        with self._uow(read_only=True) as uow:
            props = load_properties(uow, list(property_ids))
            documents = _full_sap_documents(uow, props)
            # before anything is written: the homes whose overrides changed since their
            # stored baseline (``now`` precedes this read, so an import committed while the
            # batch runs is reported again by the next run, never missed)
            changed = uow.baselines.overrides_changed(list(property_ids))
            surveyed = uow.baselines.surveys_changed(list(property_ids))
        failures: list[StageFailure] = []
        lodged_rows: list[dict[str, Any]] = []
        data_texts: list[str] = []
        for prop in props:  # the source-path decision is per property (domain rules)
            epc = prop.lodged_epc
            full_sap = epc is not None and is_full_sap_schema(epc.schema_type)
            try:
                decision = prop.source_decision()
            except OverlayError:  # overrides of a building part: a full SAP summary has none
                if not full_sap:
                    raise
                failures.append(StageFailure(prop.property_id, STAGE, "refused",
                                             FULL_SAP_OVERLAY.format(names=", ".join(
                                                 prop.landlord_overrides.stated()))))
                continue
            effective = decision.effective_epc
            if decision.status is not SourceStatus.RESOLVED or effective is None:
                failures.append(StageFailure(prop.property_id, STAGE, decision.status.value,
                                             decision.audit))
                continue
            if full_sap and effective.source_path is SourcePath.EPC_WITH_OVERLAY \
                    and effective.overlay_applied:
                failures.append(StageFailure(prop.property_id, STAGE, "refused",
                                             FULL_SAP_OVERLAY.format(names=", ".join(
                                                 prop.landlord_overrides.stated()))))
                continue
            lodged = epc.lodged if epc is not None else None
            lodged_rows.append({
                "property_id": prop.property_id,
                "source_path": effective.source_path.value,
                "overlay_applied": effective.overlay_applied,
                "certificate_number": epc.certificate_number if epc else None,
                "survey_id": prop.site_notes.survey_id if prop.site_notes else None,
                "schema_type": epc.schema_type if epc else None,
                "sap_spec_version": epc.sap_spec_version if epc else None,
                "lodged_sap_score": lodged.sap_score if lodged else None,
                "lodged_band": lodged.band.value if lodged else None,
                "lodged_co2_tonnes_per_year": lodged.co2_tonnes_per_year if lodged else None,
                "lodged_primary_energy_kwh_per_m2_year":
                    lodged.primary_energy_kwh_per_m2_year if lodged else None,
            })
            data_texts.append(effective.data.json_text())
        scored = self._score(lodged_rows, data_texts, failures, report, now, documents,
                             changed, surveyed)
        with self._uow() as uow:
            # a re-run replaces: this stage's failures of the batch, and the baseline of a
            # home that fails now (it must not stay as if still current)
            uow.stage_failures.clear(property_ids, STAGE)
            if failures:
                uow.baselines.delete(sorted({f.property_id for f in failures}))
            if scored is not None and scored.num_rows:
                uow.baselines.upsert(scored)
            if failures:
                uow.stage_failures.upsert(failure_rows(failures, now))
        report.failures = failures
        return report

    def _score(self, lodged_rows: list[dict[str, Any]], data_texts: list[str],
               failures: list[StageFailure], report: BaselineReport,
               now: datetime, documents: dict[tuple[str, str], bytes] | None = None,
               overrides_changed: set[str] | None = None,
               surveys: set[str] | None = None) -> pa.Table | None:
        if not lodged_rows:
            return None
        ids = [r["property_id"] for r in lodged_rows]
        certs = certificate_table_from_json(data_texts)
        # full SAP certificates: read from their documents, never expanded
        full = np.array([is_full_sap_schema(s) for s in certs.column("schema_type").to_pylist()],
                        dtype=bool)
        bad: set[str] = set()
        used: dict[str, list[str]] = {}
        parts: list[pa.Table] = []
        rdsap_rows = np.flatnonzero(~full)
        if len(rdsap_rows):
            rdsap_ids = [ids[i] for i in rdsap_rows]
            # open-data CSV rows: dimensions and systems inferred first (marked estimates)
            rdsap = complete_summary_rows(certs.take(pa.array(rdsap_rows)) if full.any()
                                          else certs)
            # open-data CSV rows are inferred, so they rate only in estimate mode
            csv_rows = np.asarray(is_estimate(rdsap), dtype=bool)
            expansion = expand(rdsap, rdsap_ids, mode=self._mode, pcdb=self._pcdb)
            refused = expansion.refused | (csv_rows if self._mode == "strict" else False)
            for row in np.flatnonzero(refused):  # refused by the expansion: never calculated
                pid = rdsap_ids[row]
                reasons = expansion.reasons(int(row)) or [
                    "an open-data CSV summary row rates only in estimate mode (its dimensions "
                    "and systems are inferred)"]
                bad.add(pid)
                failures.append(StageFailure(pid, STAGE, "refused", refusal_text(
                    reasons, self._mode)[:4000]))
            parts.append(expansion.inputs.filter(pa.array(~refused)))
            for pid, csv, a in zip(rdsap_ids, csv_rows, expansion.assumptions.to_pylist(),
                                   strict=True):
                used[pid] = (["csv_summary_inference"] if csv else []) + list(a or [])
        if full.any():
            # the document is the lodged certificate's (a survey or a prediction has none)
            homes = [(ids[i], lodged_rows[i]["certificate_number"]
                      if lodged_rows[i]["source_path"] == SourcePath.EPC_WITH_OVERLAY.value
                      else None) for i in np.flatnonzero(full)]
            parts.append(self._full_sap_inputs(homes, documents or {}, used, bad, failures))
        inputs = parts[0] if len(parts) == 1 else pa.concat_tables(
            [parts[0], *(p.cast(parts[0].schema) for p in parts[1:])])
        outputs = self._calculate(inputs)
        for pid, status, error in zip(outputs.column("dwelling_id").to_pylist(),
                                      outputs.column("status").to_pylist(),
                                      outputs.column("error").to_pylist(), strict=True):
            if status != "ok":
                bad.add(pid)
                failures.append(StageFailure(pid, STAGE, "calculation",
                                             (error or status)[:4000]))
        assumptions = [used.get(pid, []) for pid in ids]
        trust = pa.table({"property_id": pa.array(ids, pa.string()),
                          "estimate": pa.array([bool(a) for a in assumptions]),
                          "assumptions": pa.array([",".join(a) for a in assumptions])})
        keep = pa.array([pid not in bad for pid in ids])
        outputs = outputs.filter(pc.is_in(outputs.column("dwelling_id"),
                                          pa.array([i for i in ids if i not in bad])))
        lodged = pa.Table.from_pylist(lodged_rows, schema=LODGED_SCHEMA).filter(keep)
        # a home whose fuel the snapshot does not price keeps its ratings; its bill stays
        # null with the reason (decision 0017)
        bills = compute_bills_or_unpriced(outputs, self._rates)
        report.unpriced += bills.num_rows - bills.column("bill_unpriced_reason").null_count
        if not outputs.num_rows:
            return None
        result = rebaseline(lodged, outputs)
        report.scored = result.performance.num_rows
        report.divergences = result.divergences.num_rows
        for reason in result.performance.column("rebaseline_reason").to_pylist():
            report.rebaseline_reasons[reason] = report.rebaseline_reasons.get(reason, 0) + 1
        for pid, found in zip(ids, assumptions, strict=True):
            if found and pid not in bad:
                report.estimates += 1
                for fid in found:
                    report.assumptions[fid] = report.assumptions.get(fid, 0) + 1
        rated = set(ids) - bad
        changes = {pid: LANDLORD_OVERRIDES_CHANGED for pid in overrides_changed or ()
                   if pid in rated}
        report.overrides_changed = len(changes)
        surveyed = sorted(pid for pid in surveys or () if pid in rated)
        for pid in surveyed:
            changes[pid] = ",".join(c for c in (changes.get(pid), SURVEY_CHANGED) if c)
        report.surveys_changed = len(surveyed)
        return baseline_table(result.performance, outputs, bills, now, trust=trust,
                              changed_inputs=changes)

    def _full_sap_inputs(self, homes: list[tuple[str, str | None]],
                         documents: dict[tuple[str, str], bytes], used: dict[str, list[str]],
                         bad: set[str], failures: list[StageFailure]) -> pa.Table:
        """SAP_INPUT_SCHEMA rows of the full SAP certificates ``homes`` ((property id,
        certificate number)), read from their stored documents in the stage's mode; the
        refused and unreadable ones become failures (a refusal also names what the
        calculator's checks find on the row, as ``ara rate`` does)."""
        rows: list[dict[str, Any]] = []
        refused: list[tuple[str, SapReading]] = []
        for pid, number in homes:
            document = documents.get((pid, number or ""))
            what = f"full SAP certificate {number}" if number else "full SAP certificate"
            if not document:
                bad.add(pid)
                failures.append(StageFailure(pid, STAGE, "unreadable", (
                    f"{what}: no lodged document stored for it (its SAP inputs are read from "
                    "the document)")))
                continue
            try:
                reading = read_full_sap_certificate(document, self._mode, pid, self._pcdb)
            except SapXmlError as exc:
                bad.add(pid)
                failures.append(StageFailure(pid, STAGE, "unreadable",
                                             f"{what}: {exc}"[:4000]))
                continue
            if reading.refused:
                bad.add(pid)
                refused.append((pid, reading))
                continue
            rows.append(reading.row)
            used[pid] = list(reading.assumptions)
        for (pid, reading), problems in zip(
                refused, calculator_problems([r.row for _, r in refused]), strict=True):
            reasons = list(reading.refusals)
            reasons += [p for p in problems if p not in reasons]
            failures.append(StageFailure(pid, STAGE, "refused",
                                         refusal_text(reasons, self._mode)[:4000]))
        return pa.Table.from_pylist(rows, schema=SAP_INPUT_SCHEMA)


def _full_sap_documents(uow: UnitOfWork, props: Iterable[Property]
                        ) -> dict[tuple[str, str], bytes]:
    """The stored documents of the properties' lodged full SAP certificates, by (property id,
    certificate number): their SAP inputs are read from them. One query, only when the batch
    has any."""
    ids = [p.property_id for p in props if p.lodged_epc is not None
           and is_full_sap_schema(p.lodged_epc.schema_type)]
    if not ids:
        return {}
    stored = uow.certificates.read(ids, ["property_id", "certificate_number", "raw_document"])
    return {(r["property_id"], r["certificate_number"]): r["raw_document"]
            for r in stored.to_pylist()}
