"""The Ingestion stage (decisions D-0003, D-0011, D-0012): for a batch of property ids, fetch
everything with no unit of work open, then write it all in one unit.

Phase 1 (no connection held during network or file I/O): the properties are read in a
read-only unit that closes at once; certificates come from the EPC fetcher, coordinates and
planning flags from the UPRN reference data (cached rows first), solar yields from the solar
fetcher for the properties that have coordinates. Phase 2: one unit writes the certificates,
the new spatial rows, the solar potential and the stage failures; it commits once, so a batch
is all or nothing, and a re-run replaces (upserts on natural keys).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from ara.domain.failures import StageFailure, failure_rows, utc_now
from ara.domain.stages import StageCounts
from ara.ingestion.epc_fetchers import EpcFetcher, PropertyLookup
from ara.ingestion.geospatial import SPATIAL_SCHEMA, UprnReferenceData, spatial_rows
from ara.persistence import tables as t
from ara.persistence.uow import UnitOfWork

UowFactory = Callable[..., UnitOfWork]
STAGE = "ingestion"
DEFAULT_ROOF_PITCH_DEG = 35.0  # the roof PVGIS prices when a survey gives none (RdSAP 10
DEFAULT_ROOF_AZIMUTH_DEG = 180.0  # section 11.1 b): PV on a pitched roof facing south)


class SolarFetcher(Protocol):
    def fetch(self, requests: Sequence[Any]) -> Any: ...


@dataclass
class IngestionReport:
    """What one batch did."""

    properties: int = 0
    certificates: int = 0
    not_found: int = 0
    spatial_looked_up: int = 0
    spatial_cached: int = 0
    solar: int = 0
    no_solar_data: int = 0
    failures: list[StageFailure] = field(default_factory=list)

    def counts(self) -> StageCounts:
        return StageCounts(ingestion_failures=len(self.failures))


def _json_default(value: object) -> str:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in certificate JSON")


#: The storage format of ``data_json``: Python's ``json`` with sorted keys, no blanks and
#: dates as ISO text. :func:`encode_data_json` writes the same bytes faster.
_ENCODER = json.JSONEncoder(default=_json_default, sort_keys=True, separators=(",", ":"))
_ORJSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
#: Floats whose text ``orjson`` and ``json`` (``float.__repr__``) write alike: zero and
#: magnitudes in [1e-4, 1e16), where both give the shortest round-trip decimal without an
#: exponent (below, Python writes ``1e-05`` and orjson ``0.00001``; NaN and infinities: ``NaN``
#: and ``null``).
_SAME_FLOAT_TEXT = (1e-4, 1e16)


def encode_data_json(rows: pa.Table) -> pa.Array:
    """Each row of ``rows`` as the canonical JSON text of ``data_json`` (a string array):
    byte for byte what ``json.dumps(row, sort_keys=True, separators=(",", ":"),
    default=<dates as ISO>)`` writes, so stored certificates do not depend on the encoder.

    ``orjson`` writes a row when its output is provably the same: every float of the row in
    the range where both write the same text (checked over whole columns first), and the
    output pure printable ASCII (``json`` writes every other character as a ``\\u`` escape
    of four hex digits, and orjson refuses lone surrogates and integers beyond 64 bits). Any
    other row is written by ``json`` itself."""
    names = rows.column_names
    odd = _rows_with_odd_floats(rows)
    columns = [column.to_pylist() for column in rows.columns]
    dumps, default, options = orjson.dumps, _json_default, _ORJSON_OPTIONS
    out: list[bytes] = []
    for i, values in enumerate(zip(*columns, strict=True)):
        row = dict(zip(names, values, strict=True))
        if not odd[i]:
            try:
                text = dumps(row, default=default, option=options)
            except orjson.JSONEncodeError:
                pass
            else:
                if text.isascii() and b"\x7f" not in text:
                    out.append(text)
                    continue
        out.append(_ENCODER.encode(row).encode("ascii"))
    return pa.array(out, pa.binary()).cast(pa.string())


def _rows_with_odd_floats(table: pa.Table) -> np.ndarray:
    """Per row, whether any float in it (at any depth) is outside :data:`_SAME_FLOAT_TEXT`
    (null slots may count too: a false alarm only sends the row to ``json``)."""
    odd = np.zeros(table.num_rows, dtype=bool)
    for column in table.columns:
        if not _has_float(column.type):
            continue
        start = 0
        for chunk in column.chunks:
            _mark_odd_floats(chunk, np.arange(start, start + len(chunk)), odd)
            start += len(chunk)
    return odd


def _has_float(kind: pa.DataType) -> bool:
    if pa.types.is_floating(kind):
        return True
    return any(_has_float(kind.field(i).type) for i in range(kind.num_fields))


def _mark_odd_floats(values: pa.Array, rows: np.ndarray, odd: np.ndarray) -> None:
    kind = values.type
    if not _has_float(kind):
        return
    if pa.types.is_floating(kind):
        x = np.abs(pc.fill_null(values, 0.0).to_numpy(zero_copy_only=False))
        low, high = _SAME_FLOAT_TEXT
        bad = ~((x == 0) | ((x >= low) & (x < high)))  # NaN fails both: odd
        odd[rows[bad]] = True
    elif pa.types.is_struct(kind):
        for child in values.flatten():
            _mark_odd_floats(child, rows, odd)
    elif pa.types.is_list(kind) or pa.types.is_large_list(kind):
        parents = pc.list_parent_indices(values).to_numpy(zero_copy_only=False)
        _mark_odd_floats(values.flatten(), rows[parents], odd)
    else:  # a nested type not handled here (a map of floats, ...): every row to json
        odd[rows] = True


def certificate_rows(found: pa.Table, fetched_at: datetime) -> pa.Table:
    """``epc_certificates`` rows from a fetch result (``property_id`` + CERTIFICATE_SCHEMA):
    the lodged figures as columns, the collected data as canonical JSON and the document
    verbatim with its SHA-256 for audit. Built column by column; only the JSON document and
    the digest are made per certificate."""
    schema = pa.schema([pa.field(c.name, _arrow_type(c)) for c in t.epc_certificates.columns])
    n = found.num_rows

    def column(name: str) -> pa.ChunkedArray | pa.Array:
        if name in found.column_names:
            return found.column(name)
        return pa.nulls(n)  # a column the source does not give: null, cast below

    def text_or_unknown(name: str) -> pa.Array | pa.ChunkedArray:
        values = column(name).cast(pa.string())  # a missing or empty value is "unknown"
        return pc.if_else(pc.fill_null(pc.equal(values, ""), True), "unknown", values)

    raw = column("raw_document")
    raw_bytes = pc.fill_null(raw.cast(pa.large_binary()), b"").to_pylist()
    co2 = column("co2_emissions_current_kg_per_yr").cast(pa.float64())
    # one JSON document per certificate (the storage format itself): every collected field
    # but the property id and the document, keys sorted
    fields = sorted(c for c in found.column_names if c not in ("property_id", "raw_document"))
    data_json = encode_data_json(found.select(fields))
    inspection = column("inspection_date")
    arrays = {
        "property_id": column("property_id"),
        "certificate_number": column("certificate_number"),
        "uprn": column("uprn"),
        "schema_type": text_or_unknown("schema_type"),
        "sap_spec_version": text_or_unknown("sap_version"),
        "inspection_date": inspection,
        "registration_date": pc.coalesce(column("registration_date").cast(inspection.type),
                                         inspection),
        "lodged_sap_score": column("energy_rating_current"),
        "lodged_band": column("energy_band_current"),
        "lodged_co2_tonnes_per_year": pc.divide(co2, 1000.0),
        "lodged_primary_energy_kwh_per_m2_year":
            column("energy_consumption_current_kwh_per_m2_yr"),
        "total_floor_area_m2": column("total_floor_area_m2"),
        "data_json": data_json,
        "raw_format": text_or_unknown("data_source"),
        "raw_document": pa.array(raw_bytes, pa.binary()),
        "raw_sha256": pa.array([hashlib.sha256(b).hexdigest() for b in raw_bytes],
                               pa.string()),
        "fetched_at": pa.array([fetched_at] * n, pa.timestamp("us")),
    }
    return pa.Table.from_arrays([_as_type(arrays[f.name], f.type) for f in schema],
                                schema=schema)


def _as_type(values: pa.Array | pa.ChunkedArray, kind: pa.DataType) -> pa.ChunkedArray:
    values = values.cast(kind)
    return values if isinstance(values, pa.ChunkedArray) else pa.chunked_array([values], kind)


def _arrow_type(column: Any) -> pa.DataType:
    name = type(column.type).__name__
    return {"Text": pa.string(), "BigInteger": pa.int64(), "Integer": pa.int32(),
            "Float": pa.float64(), "Date": pa.date32(), "DateTime": pa.timestamp("us"),
            "LargeBinary": pa.binary(), "Boolean": pa.bool_()}.get(name, pa.string())


class IngestionOrchestrator:
    """``IngestionOrchestrator(uow_factory, epc_fetcher, geospatial_repo, solar_fetcher)``;
    ``run(property_ids)`` ingests one batch."""

    name = STAGE

    def __init__(self, uow_factory: UowFactory, epc_fetcher: EpcFetcher,
                 geospatial_repo: UprnReferenceData | None,
                 solar_fetcher: SolarFetcher | None = None) -> None:
        self._uow = uow_factory
        self._epc = epc_fetcher
        self._geo = geospatial_repo
        self._solar = solar_fetcher

    def run(self, property_ids: Sequence[str]) -> IngestionReport:
        report = IngestionReport(properties=len(property_ids))
        now = utc_now()
        # ---- phase 1: read, then fetch with no unit open
        with self._uow(read_only=True) as uow:
            props = uow.properties.read(list(property_ids))
            uprns = [u for u in props.column("uprn").to_pylist() if u is not None]
            cached = uow.spatial.read(uprns) if uprns else SPATIAL_SCHEMA.empty_table()
        lookups, failures = self._lookups(props)
        fetched = self._epc.fetch(lookups)
        failures += fetched.stage_failures(STAGE)
        report.certificates = fetched.certificates.num_rows
        report.not_found = len(fetched.not_found)
        spatial = self._spatial(uprns, cached, now, report)
        solar_rows = self._solar_rows(props, spatial, cached, report, now)
        # ---- phase 2: one unit, one commit
        with self._uow() as uow:
            if fetched.certificates.num_rows:
                uow.certificates.upsert(certificate_rows(fetched.certificates, now))
            if spatial.num_rows:
                uow.spatial.upsert(spatial)
            if solar_rows is not None and solar_rows.num_rows:
                uow.solar_potential.upsert(solar_rows)
            uow.stage_failures.clear(property_ids, STAGE)  # a re-run replaces them
            if failures:
                uow.stage_failures.upsert(failure_rows(failures, now))
        report.failures = failures
        return report

    @staticmethod
    def _lookups(props: pa.Table) -> tuple[list[PropertyLookup], list[StageFailure]]:
        lookups: list[PropertyLookup] = []
        failures: list[StageFailure] = []
        for r in props.to_pylist():
            lines = tuple(x for x in (r.get("address_line_1"), r.get("address_line_2"),
                                      r.get("address_line_3")) if x)
            try:
                lookups.append(PropertyLookup(r["property_id"], uprn=r.get("uprn"),
                                              postcode=r.get("postcode"), address_lines=lines))
            except ValueError as exc:
                failures.append(StageFailure(r["property_id"], STAGE, "no_lookup_key",
                                             str(exc)))
        return lookups, failures

    def _spatial(self, uprns: list[int], cached: pa.Table, now: datetime,
                 report: IngestionReport) -> pa.Table:
        """New ``property_spatial`` rows for the UPRNs not cached yet (written in phase 2)."""
        if self._geo is None or not uprns:
            return SPATIAL_SCHEMA.empty_table()
        have = set(cached.column("uprn").to_pylist())
        missing = np.array(sorted(set(uprns) - have), dtype=np.int64)
        report.spatial_cached = len(have)
        if not missing.size:
            return SPATIAL_SCHEMA.empty_table()
        rows = spatial_rows(self._geo.lookup(missing), self._geo.label, now)
        report.spatial_looked_up = rows.num_rows
        return rows

    def _solar_rows(self, props: pa.Table, spatial: pa.Table, cached: pa.Table,
                    report: IngestionReport, now: datetime) -> pa.Table | None:
        if self._solar is None:
            return None
        from ara.ingestion.solar import SolarRequest

        located = pa.concat_tables([cached.select(spatial.column_names).cast(spatial.schema),
                                    spatial]) if cached.num_rows else spatial
        coords = {u: (lat, lon) for u, lat, lon in zip(
            located.column("uprn").to_pylist(), located.column("latitude").to_pylist(),
            located.column("longitude").to_pylist(), strict=True) if lat is not None}
        requests = [SolarRequest(pid, *coords[u], DEFAULT_ROOF_PITCH_DEG,
                                 DEFAULT_ROOF_AZIMUTH_DEG)
                    for pid, u in zip(props.column("property_id").to_pylist(),
                                      props.column("uprn").to_pylist(), strict=True)
                    if u in coords]
        if not requests:
            return None
        result = self._solar.fetch(requests)
        report.solar = len(result.yields)
        report.no_solar_data = len(result.no_solar_data)
        yields = result.to_arrow()
        if not yields.num_rows:
            return None
        n = yields.num_rows
        # roof area and array size are the Baseline/Modelling stages' business: stored as 0
        # here (not null: the column is required) until those stages size the array
        return pa.table({
            "property_id": yields.column("property_id"),
            "roof_area_m2": pa.array(np.zeros(n)),
            "pitch_deg": yields.column("pitch_deg"),
            "azimuth_deg": yields.column("azimuth_deg"),
            "annual_yield_kwh_per_kwp": yields.column("annual_yield_kwh_per_kwp"),
            "max_array_kwp": pa.array(np.zeros(n)),
            "source": yields.column("source"),
            "fetched_at": pc.cast(yields.column("fetched_at"), pa.timestamp("us")),
        })
