"""``calculate`` (a whole Arrow batch in compiled code) and ``trace`` (one dwelling, every
worksheet line)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from ara.sap import appendix_n
from ara.sap.prepare import Prepared, SapInputError, conform, prepare
from ara.sap.schema import SAP_INPUT_SCHEMA
from ara.sap.tables import load_tables, read_table
from ara_kernels import layout as L
from ara_kernels.worksheet import calculate_batch, new_scratch, trace_dwelling

STATUS_OK = "ok"
STATUS_ERROR = "error"

FUEL_COLUMNS = (
    ("main1", "main heating system 1 (211)"), ("main2", "main heating system 2 (213)"),
    ("secondary", "secondary heating (215)"), ("water", "water heating (219)"),
    ("electricity", "pumps and fans, lighting, appliances, cooking and electric showers"),
)
FUEL_INDEX = {"main1": L.DI_FUEL_MAIN1, "main2": L.DI_FUEL_MAIN2, "secondary": L.DI_FUEL_SEC,
              "water": L.DI_FUEL_WATER, "electricity": L.DI_FUEL_ELEC}

MAIN1_FUEL = "space_heating_fuel_main1_kwh"
MAIN_FUEL_ALIAS = "space_heating_fuel_main_kwh"  # (211), the name the output contract uses
_MAIN1_FUEL_COLUMN = [name for name, _, _ in L.OUTPUTS].index(MAIN1_FUEL)

OUTPUT_SCHEMA = pa.schema(
    [
        pa.field("dwelling_id", pa.string(), nullable=False),
        pa.field("status", pa.string(), nullable=False,
                 metadata={"description": "'ok', or 'error' when the row's input was rejected "
                           "(lenient mode); outputs are then null"}),
        pa.field("error", pa.string(), metadata={"description": "why the row was rejected"}),
        *[pa.field(name, pa.float64(), metadata={"line": line, "unit": unit,
                                                 "description": f"SAP 10.2 worksheet ({line})"})
          for name, line, unit in L.OUTPUTS],
        pa.field("sap_rating", pa.int32(), metadata={
            "line": "258", "description": "SAP rating, UK-average climate, nearest integer "
            "(halves up), at least 1"}),
        pa.field("sap_band", pa.string(), metadata={"line": "258", "description": "A-G"}),
        pa.field("ei_rating", pa.int32(), metadata={
            "line": "274", "description": "environmental impact rating, UK-average climate"}),
        pa.field("ei_band", pa.string(), metadata={"line": "274", "description": "A-G"}),
        *[pa.field(f"fuel_{use}", pa.int16(), metadata={
            "description": f"SAP Table 12 fuel code of {what} (0: none), for billing"})
          for use, what in FUEL_COLUMNS],
        pa.field(MAIN_FUEL_ALIAS, pa.float64(), metadata={
            "line": "211", "unit": "kWh/yr", "description": "SAP 10.2 worksheet (211), "
            "space heating fuel of main system 1 under its worksheet name: the same values "
            f"as {MAIN1_FUEL} (main system 2 is space_heating_fuel_main2_kwh, (213))"}),
    ],
    metadata={"ara.schema": "SAP_OUTPUT", "ara.spec": "SAP 10.2 (14-03-2025)"},
)


def _as_table(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, dict):
        return pa.Table.from_pylist([data], schema=SAP_INPUT_SCHEMA)
    if isinstance(data, list):
        return pa.Table.from_pylist(data, schema=SAP_INPUT_SCHEMA)
    if hasattr(data, "__arrow_c_stream__"):  # polars, pandas via pyarrow, DuckDB, ...
        return pa.table(data)
    if hasattr(data, "__dataframe__") or type(data).__name__ == "DataFrame":
        try:  # a pandas DataFrame (columns of SAP_INPUT_SCHEMA; nested columns as lists)
            return pa.Table.from_pandas(data, preserve_index=False)
        except (TypeError, ValueError, pa.ArrowException) as exc:
            raise TypeError(f"cannot read the DataFrame as SAP_INPUT_SCHEMA columns: "
                            f"{exc}") from None
    raise TypeError(f"expected a pyarrow Table, RecordBatch, an object with the Arrow C "
                    f"stream interface (__arrow_c_stream__: polars, pandas 2.2+), a pandas "
                    f"DataFrame, a dict or a list of dicts, not {type(data).__name__}")


def _problem_list(prep: Prepared) -> list[tuple[str, str, str]]:
    ids = prep.ids.to_pylist()
    out = []
    for rows, field, msg in zip(prep.problems.rows, prep.problems.fields,
                                prep.problems.messages, strict=True):
        for r in rows.tolist():
            out.append((str(ids[r]) if ids[r] is not None else f"row {r}", field, msg))
    return out


RATING_COLUMNS = (L.O_ECF, L.O_SAP, L.O_EI)


def _new_out(n: int) -> np.ndarray:
    """Kernel output rows, stored column by column (each output column contiguous for the
    Arrow result)."""
    return np.zeros((n, L.N_OUT), order="F")


def _resolve_heat_pumps(prep: Prepared, mask: np.ndarray, dil: np.ndarray,
                        dfl: np.ndarray | None = None) -> list[np.ndarray]:
    """Appendix N for the heat pumps with product data among ``mask`` (main 1 and main 2):
    a first kernel pass over them (in the climate of ``dil``) gives the annual-average heat
    loss coefficient (39), from which their PSR, (206)/(207), (217) and N3.5 days are
    written into ``dfl`` (``prep.dfl`` by default). Returns the PSR per dwelling of each
    system of ``prep.heat_pumps`` (NaN where none)."""
    dfl = prep.dfl if dfl is None else dfl
    if not prep.heat_pumps:
        return []
    rows = mask & np.logical_or.reduce([hp.needs_psr for hp in prep.heat_pumps])
    if not rows.any():
        return [np.full(prep.n, np.nan) for _ in prep.heat_pumps]
    tables = load_tables()
    arrays = prep.kernel_arrays()
    first = _new_out(prep.n)
    # (39) depends on neither the Appendix N values nor the rating pass
    calculate_batch(rows, np.zeros(prep.n, dtype=bool), arrays[0], arrays[0], dil,
                    *arrays[2:], *tables.kernel_tables(), first, new_scratch())
    return [appendix_n.resolve(dfl, hp, first[:, L.O_HTC], rows, tables.days)
            for hp in prep.heat_pumps]


def _run(prep: Prepared, mask: np.ndarray) -> np.ndarray:
    """The worksheet in the dwelling's own climate region, with the SAP and EI ratings from
    a second pass in the UK-average climate (region 0) where the region differs: only the
    ratings use UK-average climate; energy, costs and CO2 are the region's (decision
    0009/0010/0013). Both passes run in one kernel call; the rating pass reuses the
    climate-independent part of the dwelling's own pass. Heat pumps with product data get
    their Appendix N values for the rating pass from its own (39), in a copy of ``dfl``."""
    tables = load_tables()
    out = _new_out(prep.n)
    arrays = prep.kernel_arrays()
    _resolve_heat_pumps(prep, mask, prep.dil)
    rate_uk = mask & (prep.dil[:, L.DI_REGION] != 0)
    dfl_uk = prep.dfl
    if any((rate_uk & hp.needs_psr).any() for hp in prep.heat_pumps):
        dfl_uk = prep.dfl.copy()
        dil_uk = prep.dil.copy()
        dil_uk[:, L.DI_REGION] = 0
        # Appendix N again: the PSR of the rating pass is from its own (39)
        _resolve_heat_pumps(prep, rate_uk, dil_uk, dfl_uk)
    calculate_batch(mask, rate_uk, prep.dfl, dfl_uk, *arrays[1:], *tables.kernel_tables(),
                    out, new_scratch())
    return out


def integer_rating(continuous: np.ndarray, minimum: float) -> np.ndarray:
    """Nearest integer, halves up, at least ``minimum`` (SAP 10.2 sections 13-14)."""
    return np.maximum(np.floor(continuous + 0.5), minimum)


@lru_cache(maxsize=1)
def _bands() -> tuple[np.ndarray, pa.Array]:
    """Band floors and letters (sap10_2_rating_bands.csv), read once per process."""
    rows = sorted(read_table("sap10_2_rating_bands.csv"),
                  key=lambda r: float(r["min_rating_inclusive"]))
    floors = np.array([float(r["min_rating_inclusive"]) for r in rows])
    return floors, pa.array([r["band"] for r in rows], type=pa.string())


def _band_indices(rating: np.ndarray) -> np.ndarray:
    floors, letters = _bands()
    idx = np.searchsorted(floors, rating, side="right") - 1
    return np.clip(idx, 0, len(letters) - 1)


def band_of(rating: np.ndarray) -> np.ndarray:
    """Band letter of integer ratings (sap10_2_rating_bands.csv)."""
    letters = np.array(_bands()[1].to_pylist())
    return letters[_band_indices(rating)]


SCOPES = ("full", "demand")
FIRST_SYSTEM_OUTPUT = L.O_EFF_MAIN  # outputs from here on need sections 9-13


def calculate(batch: Any, *, strict: bool = True, scope: str = "full") -> pa.Table:
    """Compute worksheet sections 1-8 for every dwelling of ``batch``.

    ``batch`` is a pyarrow Table or RecordBatch following ``SAP_INPUT_SCHEMA`` (missing
    optional columns are read as null), or any object with the Arrow C stream interface
    (``__arrow_c_stream__``: a polars DataFrame, a pandas DataFrame from pandas 2.2), a
    pandas DataFrame, a dict (one dwelling) or a list of dicts. Returns one row per dwelling,
    columns per ``OUTPUT_SCHEMA``. In strict mode any bad row raises one
    :class:`SapInputError` naming every offending dwelling and field; with ``strict=False``
    bad rows come back with
    status 'error', a message and null outputs, and the good rows are computed.
    ``scope="demand"`` computes worksheet sections 1-8 only: heating systems, fuels and
    tariffs are not required, and the columns of sections 9-13 are null.
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    table = conform(_as_table(batch))
    prep = prepare(table, load_tables(), demand_only=scope == "demand")
    if strict and prep.problems.rows:
        raise SapInputError(_problem_list(prep))
    bad = prep.problems.bad_mask(prep.n)
    out = _run(prep, ~bad)
    checked = out[:, :FIRST_SYSTEM_OUTPUT] if scope == "demand" else out
    nonfinite = ~np.isfinite(checked).all(axis=1) & ~bad
    if nonfinite.any():
        prep.problems.add(nonfinite, "*", "the worksheet produced a non-finite value")
        if strict:
            raise SapInputError(_problem_list(prep))
        bad |= nonfinite
    return _to_arrow(prep, out, bad, demand_only=scope == "demand")


_STATUS_TEXT = pa.array([STATUS_OK, STATUS_ERROR], type=pa.string())


def _error_texts(prep: Prepared, bad: np.ndarray) -> pa.Array:
    """The 'error' column: for each bad row its problems as 'field: message' joined by
    '; ' in the order they were recorded; null elsewhere."""
    n = prep.n
    problems = prep.problems
    if not bad.any() or not problems.rows:
        return pa.nulls(n, pa.string())
    sizes = np.array([r.size for r in problems.rows])
    rows = np.concatenate(problems.rows)
    which = np.repeat(np.arange(len(problems.rows)), sizes)
    order = np.argsort(rows, kind="stable")  # per row, in the order recorded
    rows, which = rows[order], which[order]
    texts = [f"{f}: {m}" for f, m in zip(problems.fields, problems.messages, strict=True)]
    starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
    ends = np.r_[starts[1:], rows.size]
    joined = ["; ".join([texts[k] for k in which[a:b].tolist()])
              for a, b in zip(starts.tolist(), ends.tolist(), strict=True)]
    out = np.full(n, None, dtype=object)
    out[rows[starts]] = joined
    return pa.array(out, type=pa.string())


def _validity(null: np.ndarray) -> tuple[pa.Buffer | None, int]:
    """An Arrow validity bitmap (None when nothing is null) and the null count."""
    count = int(null.sum())
    if count == 0:
        return None, 0
    return pa.array(~null).buffers()[1], count


def _floats(values: np.ndarray, validity: tuple[pa.Buffer | None, int]) -> pa.Array:
    """A float64 Arrow array over contiguous ``values`` (no copy) with ``validity``."""
    return pa.Array.from_buffers(pa.float64(), values.size,
                                 [validity[0], pa.py_buffer(values)], null_count=validity[1])


def _to_arrow(prep: Prepared, out: np.ndarray, bad: np.ndarray, *,
              demand_only: bool = False) -> pa.Table:
    n = prep.n
    status = _STATUS_TEXT.take(pa.array(bad.astype(np.int8)))
    cols: list[pa.Array] = [prep.ids.cast(pa.string()), status, _error_texts(prep, bad)]
    null_systems = bad | demand_only
    valid_bad = _validity(bad)
    valid_systems = _validity(null_systems)
    by_column = np.ascontiguousarray(out.T)  # one copy; each output column then contiguous
    for j in range(L.N_OUT):
        cols.append(_floats(by_column[j], valid_systems if j >= FIRST_SYSTEM_OUTPUT
                            else valid_bad))
    minimum = load_tables().constants[L.C_MINIMUM_RATING]
    letters = _bands()[1]
    for j in (L.O_SAP, L.O_EI):
        rating = integer_rating(out[:, j], minimum)
        cols.append(pa.array(rating.astype(np.int32), mask=null_systems))
        cols.append(letters.take(pa.array(_band_indices(rating), mask=null_systems)))
    cols += [pa.array(prep.dil[:, FUEL_INDEX[use]].astype(np.int16), mask=null_systems)
             for use, _ in FUEL_COLUMNS]
    cols.append(cols[3 + _MAIN1_FUEL_COLUMN])  # (211) under its contract name
    assert len(cols) == len(OUTPUT_SCHEMA) and all(len(c) == n for c in cols)
    return pa.Table.from_arrays(cols, schema=OUTPUT_SCHEMA)


def trace(dwelling: Any, *, scope: str = "full") -> dict[str, Any]:
    """Every worksheet line of one dwelling.

    Returns ``{"dwelling_id": ..., "lines": {label: value}}`` where a monthly line's value
    is ``{"monthly": [12 values], "annual": total-or-mean}`` and a single-valued line's
    value is a float. ``dwelling`` is a dict row, or a one-row Table/RecordBatch.
    ``scope="demand"`` traces sections 1-8 only (systems need not be given).
    """
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    table = conform(_as_table(dwelling))
    if table.num_rows != 1:
        raise ValueError(f"trace takes one dwelling, got {table.num_rows}")
    prep = prepare(table, load_tables(), demand_only=scope == "demand")
    if prep.problems.rows:
        raise SapInputError(_problem_list(prep))
    tables = load_tables()
    out = np.zeros((1, L.N_OUT))
    tr = np.full((L.N_TRACE, 13), np.nan)
    arrays = prep.kernel_arrays()
    psrs = _resolve_heat_pumps(prep, np.ones(1, dtype=bool), prep.dil)
    trace_dwelling(0, *arrays, *tables.kernel_tables(), out, tr)
    if prep.dil[0, L.DI_REGION] != 0:  # ratings in UK-average climate (decision 0005)
        dil_uk = prep.dil.copy()
        dil_uk[:, L.DI_REGION] = 0
        _resolve_heat_pumps(prep, np.ones(1, dtype=bool), dil_uk)
        out_uk = np.zeros((1, L.N_OUT))
        tr_uk = np.full((L.N_TRACE, 13), np.nan)
        trace_dwelling(0, arrays[0], dil_uk, *arrays[2:], *tables.kernel_tables(), out_uk,
                       tr_uk)
        for line in (L.T_257, L.T_258, L.T_274):
            tr[line] = tr_uk[line]
        for j in RATING_COLUMNS:
            out[0, j] = out_uk[0, j]
    lines: dict[str, Any] = {}
    for idx, label in enumerate(L.TRACE_LINES):
        row = tr[idx]
        if np.isnan(row[:12]).all():
            if not np.isnan(row[12]):
                lines[label] = float(row[12])
        else:
            monthly = [float(x) for x in row[:12]]
            lines[label] = {"monthly": monthly,
                            "annual": None if np.isnan(row[12]) else float(row[12])}
    for label in ("N24,9", "N16,9"):  # Appendix N3.5 days: only for such heat pumps
        if label in lines and not any(lines[label]["monthly"]):
            del lines[label]
    for hp, psr in zip(prep.heat_pumps, psrs, strict=True):
        if np.isfinite(psr[0]):  # Appendix N2, from the dwelling's own climate
            lines["PSR" if hp.eff_index == L.DF_EFF_MAIN1 else "PSR main2"] = float(psr[0])
    last = FIRST_SYSTEM_OUTPUT if scope == "demand" else L.N_OUT
    results = {name: float(out[0, j])
               for j, (name, _line, _unit) in enumerate(L.OUTPUTS[:last])}
    if scope == "demand":
        demand = set(L.TRACE_LINES[:L.T_201]) | {"N24,9", "N16,9", "PSR", "PSR main2"}
        lines = {k: v for k, v in lines.items() if k in demand}
    return {"dwelling_id": str(prep.ids[0]), "lines": lines, "results": results}
