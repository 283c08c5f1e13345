"""Windows of a certificate that lodges no window list: a glazed-area band only (RdSAP
schemas 17.0 to 20.0.0; RdSAP 10 measures every window and has no such rule), or nothing
(RdSAP-Schema-21 'windows not measured'): the declared estimate fallbacks
``windows_from_glazed_area`` and, without a band, ``windows_not_measured`` (the band
'typical') (``spec/tables/estimate_fallbacks.csv``).

The rule is RdSAP 2012's (lineage): Table S4 window area = coefficient x total floor area +
constant by the main dwelling's age band and type (band M takes band L's row), scaled by the
lodged Glazed-Area band (more / much more than typical x 1.25, less / much less x 0.75), split
between the lodged Multiple-Glazing-Type (Multiple-Glazed-Proportion of it) and single
glazing, each half facing east and half west, 1 m high, in the main wall, with the lodged
dwelling-level Windows-Transmission-Details U-value and solar transmittance where there
are. Without a Multiple-Glazing-Type, a band-lodging certificate's windows are single
glazed (schemas 17.0-20.0.0 lodge the type with any multiple glazing); one without a band
leaves the multiple-glazed share's glazing type unlodged, for the fabric's fallback
``glazing_type_not_recorded``. Frame and gap come
from the dwelling-level PVC-Window-Frames / Glazing-Gap the fabric already reads for windows
without their own. Built column-wise: the new window items are appended to the certificates'
``windows`` list column with ``take``, no per-certificate Python.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.rdsap.expansion.tables import AGE_BANDS
from ara.rdsap.rounding import round_half_up
from ara.sap.fallbacks import fallback
from ara.sap.tables import read_table

FALLBACK_ID = "windows_from_glazed_area"
NOT_MEASURED_ID = "windows_not_measured"
#: Glazed-Area codes: 1 normal, 2 more than typical, 3 less, 4 much more, 5 much less.
_MORE, _LESS = ("2", "4"), ("3", "5")
_SINGLE = "5"  # glazing type: single
_FLATS = ("2", "3")  # property type: flat, maisonette
_EAST, _WEST = "3", "7"


@lru_cache(maxsize=1)
def _table_s4() -> tuple[np.ndarray, np.ndarray]:
    """(coefficient, constant), each (2, 13): house / flat by age band A-M (M = L)."""
    coefficient = np.full((2, len(AGE_BANDS)), np.nan)
    constant = np.full((2, len(AGE_BANDS)), np.nan)
    for r in read_table("rdsap2012_table_s4_window_area_LINEAGE.csv"):
        kind = 1 if r["dwelling_type"] == "flat" else 0
        band = AGE_BANDS.index(r["age_band"])
        coefficient[kind, band] = float(r["coefficient"])
        constant[kind, band] = float(r["constant"])
    latest = AGE_BANDS.index("L")
    coefficient[:, latest + 1:] = coefficient[:, latest:latest + 1]
    constant[:, latest + 1:] = constant[:, latest:latest + 1]
    return coefficient, constant


def glazed_area_factors() -> tuple[float, float]:
    """(more than typical, less than typical): 1 +/- the fallback's declared value (0.25)."""
    fb = fallback(FALLBACK_ID)
    return 1.0 + fb.value, 1.0 - fb.value


def needs_windows(certs: pa.Table) -> np.ndarray:
    """Rows without a window list that lodge a glazed-area band or dwelling-level window
    transmission data (RdSAP-Schema-21: 'when windows are not measured'). A row that lodges
    none of these is expanded with no windows, as the sap10calcs reference expansion of its
    RdSAP 10 base case (no SAP-Windows) is (engine-observed)."""
    windows = certs.column("windows").combine_chunks()
    empty = np.diff(np.asarray(windows.offsets.to_numpy(), dtype=np.int64)) == 0
    transmission = np.zeros(certs.num_rows, dtype=bool)
    for name in ("windows_u_value", "windows_solar_transmittance"):
        transmission |= np.asarray(pc.is_valid(certs.column(name)).to_numpy(
            zero_copy_only=False), dtype=bool)
    return empty & (band_lodged(certs) | transmission)


def band_lodged(certs: pa.Table) -> np.ndarray:
    """Rows that lodge a glazed-area band."""
    return np.asarray(pc.is_valid(certs.column("glazed_area")).to_numpy(
        zero_copy_only=False), dtype=bool)


def with_glazed_area_windows(certs: pa.Table, rows: np.ndarray, tfa: np.ndarray,
                             age_band: np.ndarray) -> pa.Table:
    """``certs`` with estimated windows in the certificates ``rows`` (bool mask), from their
    total floor area ``tfa`` (m2) and main age band index ``age_band`` (0 = A; -1 unknown:
    no windows written, the fabric then names the gap)."""
    ok = rows & np.isfinite(tfa) & (tfa > 0) & (age_band >= 0)
    idx = np.flatnonzero(ok)
    ptype = np.asarray(certs.column("property_type").to_pylist(), dtype=object)[idx]
    kind = np.isin(ptype, _FLATS).astype(np.int64)
    coefficient, constant = _table_s4()
    band = np.clip(age_band[idx], 0, len(AGE_BANDS) - 1)
    area = coefficient[kind, band] * tfa[idx] + constant[kind, band]
    glazed = np.asarray(certs.column("glazed_area").to_pylist(), dtype=object)[idx]
    with_band = glazed != None  # noqa: E711 (object array)
    # no band: 'typical' (fallback windows_not_measured)
    glazed = np.where(with_band, glazed, f"{fallback(NOT_MEASURED_ID).value:g}")
    more, less = glazed_area_factors()
    area = area * np.where(np.isin(glazed, _MORE), more, np.where(np.isin(glazed, _LESS),
                                                                   less, 1.0))
    area = np.maximum(area, 0.0)
    glazing = np.asarray(certs.column("multiple_glazing_type").to_pylist(), dtype=object)[idx]
    proportion = np.asarray(pc.fill_null(certs.column("multiple_glazed_proportion"), -1)
                            .to_numpy(zero_copy_only=False), dtype=np.float64)[idx]
    single_only = (glazing == _SINGLE) | ((glazing == None) & with_band)  # noqa: E711
    share = np.where(proportion >= 0, np.clip(proportion, 0, 100) / 100.0,
                     np.where(single_only, 0.0, 1.0))
    glazing = np.where(single_only, _SINGLE, glazing)  # else None stays: not recorded
    # up to four items a row: (multiple, single) x (east, west)
    item_row = np.repeat(idx, 4)
    item_kind = np.tile(np.array([0, 0, 1, 1]), idx.size)
    item_orient = np.tile(np.array([_EAST, _WEST, _EAST, _WEST], dtype=object), idx.size)
    item_area = np.repeat(area, 4) * np.where(item_kind == 0, np.repeat(share, 4),
                                              1.0 - np.repeat(share, 4)) / 2.0
    item_glazing = np.where(item_kind == 0, np.repeat(glazing, 4), _SINGLE)
    width = round_half_up(item_area)  # section 15
    keep = width > 0
    item_row, width = item_row[keep], width[keep]
    item_glazing, item_orient = item_glazing[keep], item_orient[keep]
    n_new = item_row.size
    u_lodged, g_lodged = (np.asarray(pc.fill_null(certs.column(name), np.nan).to_numpy(
        zero_copy_only=False), dtype=np.float64)
        for name in ("windows_u_value", "windows_solar_transmittance"))
    window_type = certs.schema.field("windows").type.value_type
    values = {"window_location": pa.array(["0"] * n_new), "window_height_m": pa.array(
        np.ones(n_new)), "window_width_m": pa.array(width), "window_area_m2": pa.array(width),
        "glazing_type": pa.array(list(item_glazing), pa.string()),
        "window_type": pa.array(["1"] * n_new), "orientation": pa.array(
            list(item_orient), pa.string()), "window_wall_type": pa.array(["1"] * n_new),
        # dwelling-level transmission data lodged without a window list are the windows' own
        "u_value": pa.array(u_lodged[item_row], mask=~np.isfinite(u_lodged[item_row])),
        "solar_transmittance": pa.array(g_lodged[item_row],
                                        mask=~np.isfinite(g_lodged[item_row]))}
    new_items = pa.StructArray.from_arrays(
        [values[f.name].cast(f.type) if f.name in values else pa.nulls(n_new, f.type)
         for f in window_type], fields=list(window_type))
    old = certs.column("windows").combine_chunks()
    old_offsets = np.asarray(old.offsets.to_numpy(), dtype=np.int64)
    old_values = old.values
    n_old_values = len(old_values)
    counts_new = np.bincount(item_row, minlength=certs.num_rows)
    counts_old = np.diff(old_offsets)
    # item order: per row, its lodged items then its new ones (a row has one or the other)
    starts_new = np.concatenate([[0], np.cumsum(counts_new)[:-1]])
    row_of_item = np.repeat(np.arange(certs.num_rows), counts_old + counts_new)
    position = np.arange(row_of_item.size) - np.repeat(
        np.concatenate([[0], np.cumsum(counts_old + counts_new)[:-1]]), counts_old + counts_new)
    from_old = position < counts_old[row_of_item]
    take = np.where(from_old, old_offsets[row_of_item] + position,
                    n_old_values + starts_new[row_of_item] + position - counts_old[row_of_item])
    merged_values = pa.concat_arrays([old_values, new_items]).take(pa.array(take))
    offsets = np.zeros(certs.num_rows + 1, dtype=np.int32)
    np.cumsum(counts_old + counts_new, out=offsets[1:])
    null_rows = pc.and_(pc.is_null(old), pa.array(~ok))
    windows = pa.ListArray.from_arrays(pa.array(offsets), merged_values, mask=null_rows)
    return certs.set_column(certs.schema.get_field_index("windows"), "windows",
                            windows.cast(certs.schema.field("windows").type))
