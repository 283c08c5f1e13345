"""Rebaselining: which figures a property's baseline is scored against, and why
(decisions D-0004 and D-0009/0010/0013; docs/decisions/0009).

For each property, from its lodged figures and the calculator's figures of its Effective EPC:

* **pre_sap10**: the lodged certificate was not calculated with SAP 10.2 (its
  ``sap_spec_version`` reads below 10.2; when the version cannot be read, its schema decides:
  ``RdSAP-Schema-21.*`` and ``SAP-Schema-19.*`` are SAP 10.2, anything else is older). The
  Effective figures are the calculated ones.
* **physical_state_changed**: the Effective EPC is not the lodged data as it was: Landlord
  Overrides were applied, or the property is modelled from a survey or a prediction. The
  Effective figures are the calculated ones.
* **both**: both of the above.
* **none**: a pristine SAP 10.2 certificate keeps its lodged figures; the calculation is
  checked against them and a **divergence** is recorded when the SAP rating differs by more
  than 0.5 (calculated continuous rating against the lodged integer), or CO2 or primary
  energy intensity by more than 1 % of the lodged value. A property without complete lodged
  figures (no certificate, or a certificate without SAP, CO2 or primary energy) takes the
  calculated figures, its lodged columns null.

Beside the reason, each baseline records what changed since the home's previous baseline
(``changed_inputs``): :data:`LANDLORD_OVERRIDES_CHANGED` when the landlord's statements about
the home (``ara overrides import``) changed after it, so a run that re-baselines every home
still says which homes it re-baselined because of them. The reason answers "are these the
lodged figures?"; the change answers "why did this home's figures move since the last run?".

Everything works on whole columns: one call for the batch, no Python per property except
over the few distinct version strings. :func:`baseline_table` assembles the rows of the
``baseline_performance`` table (``BASELINE_SCHEMA``, column for column) from the rebaseline,
the calculator outputs and the bills.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.domain.codes import Band, RebaselineReason, SourcePath
from ara.domain.epc import sap_version_tuple

logger = logging.getLogger(__name__)

SAP_TOLERANCE = 0.5
"""Rating points: |calculated continuous SAP - lodged SAP| above this is a divergence."""
RELATIVE_TOLERANCE = 0.01
"""CO2 and primary energy: |calculated - lodged| above 1 % of the lodged value diverges."""
SAP_10_2 = (10, 2)
_SAP_10_2_SCHEMAS = re.compile(r"^(RdSAP-Schema-21\.|SAP-Schema-19\.)")

#: What :func:`rebaseline` needs per property (nullable unless marked).
LODGED_SCHEMA = pa.schema([
    pa.field("property_id", pa.string(), nullable=False),
    pa.field("source_path", pa.string(), nullable=False),
    pa.field("overlay_applied", pa.bool_(), nullable=False),
    pa.field("certificate_number", pa.string()),
    pa.field("survey_id", pa.string()),
    pa.field("schema_type", pa.string()),
    pa.field("sap_spec_version", pa.string()),
    pa.field("lodged_sap_score", pa.int32()),
    pa.field("lodged_band", pa.string()),
    pa.field("lodged_co2_tonnes_per_year", pa.float64()),
    pa.field("lodged_primary_energy_kwh_per_m2_year", pa.float64()),
])

_PERFORMANCE_FIELDS = [
    pa.field("lodged_sap_score", pa.int32()),
    pa.field("lodged_band", pa.string()),
    pa.field("lodged_co2_tonnes_per_year", pa.float64()),
    pa.field("lodged_primary_energy_kwh_per_m2_year", pa.float64()),
    pa.field("effective_sap_score", pa.int32(), nullable=False),
    pa.field("effective_band", pa.string(), nullable=False),
    pa.field("effective_co2_tonnes_per_year", pa.float64(), nullable=False),
    pa.field("effective_primary_energy_kwh_per_m2_year", pa.float64(), nullable=False),
    pa.field("rebaseline_reason", pa.string(), nullable=False),
]
_IDENTITY_FIELDS = [
    pa.field("property_id", pa.string(), nullable=False),
    pa.field("source_path", pa.string(), nullable=False),
    pa.field("certificate_number", pa.string()),
    pa.field("survey_id", pa.string()),
]

#: The Lodged / Effective pair of every property (the first columns of the baseline).
PERFORMANCE_SCHEMA = pa.schema([*_IDENTITY_FIELDS, *_PERFORMANCE_FIELDS])

#: Pristine SAP 10.2 certificates whose calculation diverges from the lodged figures.
DIVERGENCE_SCHEMA = pa.schema([
    pa.field("property_id", pa.string(), nullable=False),
    pa.field("certificate_number", pa.string()),
    pa.field("lodged_sap_score", pa.int32(), nullable=False),
    pa.field("calculated_sap_rating", pa.float64(), nullable=False),
    pa.field("sap_difference", pa.float64(), nullable=False),
    pa.field("lodged_co2_tonnes_per_year", pa.float64(), nullable=False),
    pa.field("calculated_co2_tonnes_per_year", pa.float64(), nullable=False),
    pa.field("co2_relative_difference", pa.float64()),
    pa.field("lodged_primary_energy_kwh_per_m2_year", pa.float64(), nullable=False),
    pa.field("calculated_primary_energy_kwh_per_m2_year", pa.float64(), nullable=False),
    pa.field("primary_energy_relative_difference", pa.float64()),
    pa.field("sap_diverges", pa.bool_(), nullable=False),
    pa.field("co2_diverges", pa.bool_(), nullable=False),
    pa.field("primary_energy_diverges", pa.bool_(), nullable=False),
])

#: ``baseline_performance`` end-use columns -> the calculator output columns summed into them
#: (an empty tuple: the calculator has no such output yet, stored as 0).
END_USE_SOURCES: Mapping[str, tuple[str, ...]] = {
    "space_heating_main": ("space_heating_fuel_main1_kwh", "space_heating_fuel_main2_kwh"),
    "space_heating_secondary": ("space_heating_fuel_secondary_kwh",),
    "water_heating": ("water_heating_fuel_kwh",),
    "electric_showers": ("electric_shower_kwh",),
    "lighting": ("lighting_kwh",),
    "pumps_and_fans": ("pumps_fans_kwh",),
    "cooling": (),  # space cooling is rejected by the calculator (section 8c not supported)
    "pv_generation": ("pv_generation_kwh",),
}
BILL_COLUMNS = ("bill_energy_charges_gbp", "bill_standing_charges_gbp",
                "bill_export_credit_gbp", "bill_total_gbp", "fuel_rates_snapshot",
                "bill_unpriced_reason")

#: The rows of the ``baseline_performance`` table (``ara.persistence.tables``), column for
#: column; a test keeps the two equal.
BASELINE_SCHEMA = pa.schema([
    *_IDENTITY_FIELDS, *_PERFORMANCE_FIELDS,
    *(pa.field(f"{use}_kwh", pa.float64(), nullable=False) for use in END_USE_SOURCES),
    # null amounts with a reason: the home rated but the Fuel Rates snapshot does not price
    # one of its fuels (never defaulted)
    *(pa.field(c, pa.float64(), nullable=True) for c in BILL_COLUMNS[:4]),
    pa.field("fuel_rates_snapshot", pa.string(), nullable=False),
    pa.field("bill_unpriced_reason", pa.string(), nullable=True),
    pa.field("calculated_at", pa.timestamp("us"), nullable=False),
    # estimate mode (decision 0022): rated with declared fallbacks, and their ids
    # (comma-separated, spec/tables/estimate_fallbacks.csv)
    pa.field("estimate", pa.bool_(), nullable=False),
    pa.field("assumptions", pa.string(), nullable=False),
    # what changed since the home's previous baseline (comma-separated; null: nothing)
    pa.field("changed_inputs", pa.string(), nullable=True),
])

#: ``changed_inputs``: the home's Landlord Overrides changed since its previous baseline (or
#: it had none yet): an ``ara overrides import`` changed their codes.
LANDLORD_OVERRIDES_CHANGED = "landlord_overrides_changed"


class RebaselineError(ValueError):
    """Inputs that cannot be rebaselined (a property without an ok calculation, an unknown
    source path)."""


@dataclass(frozen=True)
class Rebaselined:
    performance: pa.Table
    """``PERFORMANCE_SCHEMA``: one row per property, in input order."""
    divergences: pa.Table
    """``DIVERGENCE_SCHEMA``: the pristine SAP 10.2 certificates whose calculation diverges."""


# ---------------------------------------------------------------------------------------------
# Vector helpers
# ---------------------------------------------------------------------------------------------

def _np(column: pa.ChunkedArray | pa.Array, fill: object) -> np.ndarray:
    filled = pc.fill_null(column, fill)
    return np.asarray(filled.to_numpy(zero_copy_only=False))


def _valid(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.is_valid(column).to_numpy(zero_copy_only=False), dtype=bool)


_BAND_FLOORS = sorted((b.floor, b.value) for b in Band)


def bands_of(sap: np.ndarray) -> np.ndarray:
    """Band letters of integer SAP ratings (``Band.for_sap`` over an array)."""
    floors = np.array([f for f, _ in _BAND_FLOORS])
    letters = np.array([b for _, b in _BAND_FLOORS], dtype=object)
    return letters[np.clip(np.searchsorted(floors, sap, side="right") - 1, 0, None)]


def _version_is_sap_10_2(version: str | None, schema: str | None) -> bool:
    parsed = sap_version_tuple(version) if version else None
    if parsed is not None:
        return parsed >= SAP_10_2
    return bool(schema and _SAP_10_2_SCHEMAS.match(schema))


_NULL = "\x00"
_SEP = "\x1f"


def pre_sap10(versions: pa.ChunkedArray | pa.Array, schemas: pa.ChunkedArray | pa.Array,
              has_certificate: np.ndarray) -> np.ndarray:
    """True where a lodged certificate's rating predates SAP 10.2; the rule runs once per
    distinct (version, schema) pair."""
    if not len(has_certificate):
        return np.zeros(0, dtype=bool)
    pairs = pc.binary_join_element_wise(pc.fill_null(versions, _NULL),
                                        pc.fill_null(schemas, _NULL), _SEP)
    encoded = pc.dictionary_encode(pairs)
    if isinstance(encoded, pa.ChunkedArray):
        encoded = encoded.combine_chunks()
    verdicts = []
    for key in encoded.dictionary.to_pylist():
        version, schema = (None if part == _NULL else part for part in key.split(_SEP))
        verdicts.append(not _version_is_sap_10_2(version, schema))
    indices = np.asarray(encoded.indices.to_numpy(), dtype=np.int64)
    return np.array(verdicts, dtype=bool)[indices] & has_certificate


def reasons(pre: np.ndarray, changed: np.ndarray) -> np.ndarray:
    """``RebaselineReason`` values of the two triggers (``from_triggers`` over arrays)."""
    return np.select([pre & changed, pre, changed],
                     [RebaselineReason.BOTH.value, RebaselineReason.PRE_SAP10.value,
                      RebaselineReason.PHYSICAL_STATE_CHANGED.value],
                     RebaselineReason.NONE.value).astype(object)


def _align(ids: pa.ChunkedArray | pa.Array, other_ids: pa.ChunkedArray | pa.Array,
           what: str) -> np.ndarray:
    """Row of ``other_ids`` holding each of ``ids``; raises naming the missing ones."""
    value_set = other_ids.combine_chunks() if isinstance(other_ids, pa.ChunkedArray) \
        else other_ids
    position = pc.index_in(ids, value_set=value_set)
    missing = ~_valid(position)
    if missing.any():
        names = pc.filter(ids, pa.array(missing)).to_pylist()
        raise RebaselineError(f"{int(missing.sum())} propert(ies) have no {what}: {names[:10]}")
    return _np(position, 0).astype(np.int64)


# ---------------------------------------------------------------------------------------------
# The rule
# ---------------------------------------------------------------------------------------------

def rebaseline(lodged: pa.Table, calculated: pa.Table, *,
               id_column: str = "dwelling_id") -> Rebaselined:
    """Decide the Effective figures and the ``rebaseline_reason`` of every property of
    ``lodged`` (``LODGED_SCHEMA`` columns) from the calculator's outputs for its Effective EPC
    (``ara.sap.OUTPUT_SCHEMA`` rows, matched on ``id_column``)."""
    ids = lodged.column("property_id")
    rows = _align(ids, calculated.column(id_column), "calculator output")
    calc = calculated.take(pa.array(rows))
    if "status" in calc.column_names:
        bad = pc.not_equal(calc.column("status"), "ok")
        if pc.any(bad).as_py():
            raise RebaselineError(f"calculations failed for {pc.filter(ids, bad).to_pylist()[:10]}"
                                  f": no Effective figures")

    paths = lodged.column("source_path")
    known = pc.is_in(paths, value_set=pa.array([p.value for p in SourcePath]))
    if not pc.all(known).as_py():
        raise RebaselineError(f"unknown source_path(s) "
                              f"{pc.unique(pc.filter(paths, pc.invert(known))).to_pylist()}")
    overlay = _np(lodged.column("overlay_applied"), False).astype(bool)
    changed = (_np(paths, "") != SourcePath.EPC_WITH_OVERLAY.value) | overlay
    has_certificate = _valid(lodged.column("certificate_number")) \
        | _valid(lodged.column("sap_spec_version"))
    pre = pre_sap10(lodged.column("sap_spec_version"), lodged.column("schema_type"),
                    has_certificate)
    reason = reasons(pre, changed)

    l_sap = _np(lodged.column("lodged_sap_score"), 0).astype(np.int64)
    l_co2 = _np(lodged.column("lodged_co2_tonnes_per_year"), np.nan).astype(np.float64)
    l_pe = _np(lodged.column("lodged_primary_energy_kwh_per_m2_year"), np.nan).astype(
        np.float64)
    complete = _valid(lodged.column("lodged_sap_score")) & np.isfinite(l_co2) \
        & np.isfinite(l_pe)
    l_band = np.where(_valid(lodged.column("lodged_band")),
                      _np(lodged.column("lodged_band"), ""), bands_of(l_sap)).astype(object)

    c_sap = _np(calc.column("sap_rating"), 0).astype(np.int64)
    c_band = _np(calc.column("sap_band"), "").astype(object)
    c_co2 = _np(calc.column("co2_kg_per_year"), np.nan).astype(np.float64) / 1000.0
    c_pe = _np(calc.column("primary_energy_kwh_per_m2"), np.nan).astype(np.float64)
    c_sap_continuous = c_sap.astype(np.float64)
    if "sap_rating_continuous" in calc.column_names:
        cont = _np(calc.column("sap_rating_continuous"), np.nan).astype(np.float64)
        c_sap_continuous = np.where(np.isfinite(cont), cont, c_sap_continuous)

    keep_lodged = (reason == RebaselineReason.NONE.value) & complete
    performance = pa.Table.from_arrays([
        ids, paths, lodged.column("certificate_number"), lodged.column("survey_id"),
        pa.array(l_sap.astype(np.int32), mask=~complete),
        pa.array(l_band, pa.string(), mask=~complete),
        pa.array(l_co2, mask=~complete),
        pa.array(l_pe, mask=~complete),
        pa.array(np.where(keep_lodged, l_sap, c_sap).astype(np.int32)),
        pa.array(np.where(keep_lodged, l_band, c_band), pa.string()),
        pa.array(np.where(keep_lodged, l_co2, c_co2)),
        pa.array(np.where(keep_lodged, l_pe, c_pe)),
        pa.array(reason, pa.string()),
    ], schema=PERFORMANCE_SCHEMA)

    sap_diff = c_sap_continuous - l_sap
    sap_off = np.abs(sap_diff) > SAP_TOLERANCE
    co2_off = np.abs(c_co2 - l_co2) > RELATIVE_TOLERANCE * np.abs(l_co2)
    pe_off = np.abs(c_pe - l_pe) > RELATIVE_TOLERANCE * np.abs(l_pe)
    diverges = keep_lodged & (sap_off | co2_off | pe_off)
    with np.errstate(divide="ignore", invalid="ignore"):
        co2_rel = np.where(l_co2 != 0, (c_co2 - l_co2) / l_co2, np.nan)
        pe_rel = np.where(l_pe != 0, (c_pe - l_pe) / l_pe, np.nan)
    pick = pa.array(np.nonzero(diverges)[0])
    divergences = pa.Table.from_arrays([
        ids.take(pick), lodged.column("certificate_number").take(pick),
        pa.array(l_sap[diverges].astype(np.int32)), pa.array(c_sap_continuous[diverges]),
        pa.array(sap_diff[diverges]),
        pa.array(l_co2[diverges]), pa.array(c_co2[diverges]),
        pa.array(co2_rel[diverges], mask=~np.isfinite(co2_rel[diverges])),
        pa.array(l_pe[diverges]), pa.array(c_pe[diverges]),
        pa.array(pe_rel[diverges], mask=~np.isfinite(pe_rel[diverges])),
        pa.array(sap_off[diverges]), pa.array(co2_off[diverges]), pa.array(pe_off[diverges]),
    ], schema=DIVERGENCE_SCHEMA)
    if divergences.num_rows:
        # INFO, not WARNING: a batch job reports the count once (ara run's summary), and a
        # library caller has ``Rebaselined.divergences`` itself
        logger.info("%d of %d pristine SAP 10.2 certificate(s) diverge from their "
                       "calculation (SAP > %.1f or CO2 / primary energy > %.0f %%), e.g. %s",
                       divergences.num_rows, int(keep_lodged.sum()), SAP_TOLERANCE,
                       RELATIVE_TOLERANCE * 100, divergences.column("property_id")[0])
    return Rebaselined(performance, divergences)


# ---------------------------------------------------------------------------------------------
# The baseline_performance rows
# ---------------------------------------------------------------------------------------------

def baseline_table(performance: pa.Table, calculated: pa.Table, bills: pa.Table,
                   calculated_at: datetime, *, id_column: str = "dwelling_id",
                   trust: pa.Table | None = None,
                   changed_inputs: Mapping[str, str] | None = None) -> pa.Table:
    """The ``baseline_performance`` rows (``BASELINE_SCHEMA``) of the properties of
    ``performance`` (from :func:`rebaseline`): their kWh by end use from ``calculated`` and
    their bill from ``bills`` (``ara.domain.bills.compute_bills``, or
    ``compute_bills_or_unpriced`` whose unpriced rows keep null amounts and their reason),
    matched on id. ``trust`` (``property_id``, ``estimate``, ``assumptions`` as
    comma-separated fallback ids) marks the estimates; without it no row is one.
    ``changed_inputs``: property id -> what changed since its previous baseline (e.g.
    :data:`LANDLORD_OVERRIDES_CHANGED`); the others' stay null."""
    ids = performance.column("property_id")
    calc = calculated.take(pa.array(_align(ids, calculated.column(id_column),
                                           "calculator output")))
    bill = bills.take(pa.array(_align(ids, bills.column("property_id"), "bill")))
    n = performance.num_rows
    end_uses = []
    for sources in END_USE_SOURCES.values():
        total = np.zeros(n)
        for column in sources:
            values = calc.column(column)
            if values.null_count:
                raise RebaselineError(f"calculator column {column} has nulls")
            total += np.asarray(values.to_numpy(), dtype=np.float64)
        end_uses.append(pa.array(total))
    stamp = pa.array(np.full(n, np.datetime64(calculated_at.replace(tzinfo=None), "us")),
                     pa.timestamp("us"))
    columns = [performance.column(f.name) for f in PERFORMANCE_SCHEMA]
    reason = bill.column("bill_unpriced_reason") if "bill_unpriced_reason" in \
        bill.column_names else pa.nulls(n, pa.string())
    columns += end_uses + [bill.column(c) for c in BILL_COLUMNS[:-1]] + [reason, stamp]
    if trust is None:
        columns += [pa.array(np.zeros(n, dtype=bool)), pa.array([""] * n, pa.string())]
    else:
        row = pa.array(_align(ids, trust.column("property_id"), "estimate"))
        columns += [trust.column("estimate").take(row), trust.column("assumptions").take(row)]
    changes = changed_inputs or {}
    columns.append(pa.array([changes.get(pid) for pid in ids.to_pylist()], pa.string()))
    return pa.Table.from_arrays(columns, schema=BASELINE_SCHEMA)


__all__ = ["BASELINE_SCHEMA", "DIVERGENCE_SCHEMA", "END_USE_SOURCES",
           "LANDLORD_OVERRIDES_CHANGED", "LODGED_SCHEMA",
           "PERFORMANCE_SCHEMA", "RELATIVE_TOLERANCE", "SAP_TOLERANCE", "RebaselineError",
           "Rebaselined", "bands_of", "baseline_table", "pre_sap10",
           "reasons", "rebaseline"]
