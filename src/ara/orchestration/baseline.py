"""The Baseline stage (decisions 0004, 0011-0014): for a batch of property ids, read the
properties, assemble each Effective EPC by its source path, expand and calculate the whole
batch in one vectorised call, rebaseline, bill, and write one baseline row per property in
one unit of work.

A property that cannot be scored (no source, a defective survey, input the expansion or the
calculator rejects) gets a stage failure naming the reason and no baseline row; the other
properties of the batch are written. A property that is scored but uses a fuel the Fuel Rates
snapshot does not price keeps its baseline with a null bill and the reason
(``bill_unpriced_reason``, decision 0017). Anything
unexpected (a bug, a database error) raises: the unit rolls back and nothing of the batch is
written (docs/decisions/0010-stage-failures.md).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.domain.bills import FuelRates, compute_bills_or_unpriced
from ara.domain.codes import SourceStatus
from ara.domain.failures import StageFailure
from ara.domain.rebaseline import LODGED_SCHEMA, baseline_table, rebaseline
from ara.orchestration.ingestion import failure_rows
from ara.persistence.bulk import rows_with_json_maps, table_from_json_texts
from ara.persistence.mapping import load_properties
from ara.persistence.uow import UnitOfWork
from ara.rdsap.expansion import expand
from ara.rdsap.expansion.infer_summary import complete_summary_rows, is_estimate
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.sap import calculate
from ara.sap.fallbacks import Mode, check_mode, refusal_text

UowFactory = Callable[..., UnitOfWork]
STAGE = "baseline"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


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


class BaselineOrchestrator:
    """``BaselineOrchestrator(uow_factory, fuel_rates)``; ``run(property_ids)`` baselines one
    batch. The rebaseliner is the SAP 10.2 calculator behind the RdSAP 10 expansion."""

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
        failures: list[StageFailure] = []
        lodged_rows: list[dict[str, Any]] = []
        data_texts: list[str] = []
        for prop in props:  # the source-path decision is per property (domain rules)
            decision = prop.source_decision()
            effective = decision.effective_epc
            if decision.status is not SourceStatus.RESOLVED or effective is None:
                failures.append(StageFailure(prop.property_id, STAGE, decision.status.value,
                                             decision.audit))
                continue
            epc = prop.lodged_epc
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
        scored = self._score(lodged_rows, data_texts, failures, report, now)
        with self._uow() as uow:
            if scored is not None and scored.num_rows:
                uow.baselines.upsert(scored)
            if failures:
                uow.stage_failures.upsert(failure_rows(failures, now))
        report.failures = failures
        return report

    def _score(self, lodged_rows: list[dict[str, Any]], data_texts: list[str],
               failures: list[StageFailure], report: BaselineReport,
               now: datetime) -> pa.Table | None:
        if not lodged_rows:
            return None
        ids = [r["property_id"] for r in lodged_rows]
        # open-data CSV rows: dimensions and systems inferred first (marked estimates)
        certs = complete_summary_rows(certificate_table_from_json(data_texts))
        # open-data CSV rows are inferred, so they rate only in estimate mode
        csv_rows = np.asarray(is_estimate(certs), dtype=bool)
        expansion = expand(certs, ids, mode=self._mode, pcdb=self._pcdb)
        refused = expansion.refused | (csv_rows if self._mode == "strict" else False)
        bad: set[str] = set()
        for row in np.flatnonzero(refused):  # refused by the expansion: never calculated
            pid = ids[row]
            reasons = expansion.reasons(int(row)) or [
                "an open-data CSV summary row rates only in estimate mode (its dimensions and "
                "systems are inferred)"]
            bad.add(pid)
            failures.append(StageFailure(pid, STAGE, "refused", refusal_text(
                reasons, self._mode)[:4000]))
        outputs = self._calculate(expansion.inputs.filter(pa.array(~refused)))
        for pid, status, error in zip(outputs.column("dwelling_id").to_pylist(),
                                      outputs.column("status").to_pylist(),
                                      outputs.column("error").to_pylist(), strict=True):
            if status != "ok":
                bad.add(pid)
                failures.append(StageFailure(pid, STAGE, "calculation",
                                             (error or status)[:4000]))
        assumptions = [(["csv_summary_inference"] if csv else []) + list(a or [])
                       for csv, a in zip(csv_rows, expansion.assumptions.to_pylist(),
                                         strict=True)]
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
        for pid, used in zip(ids, assumptions, strict=True):
            if used and pid not in bad:
                report.estimates += 1
                for fid in used:
                    report.assumptions[fid] = report.assumptions.get(fid, 0) + 1
        return baseline_table(result.performance, outputs, bills, now, trust=trust)
