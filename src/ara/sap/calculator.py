"""``calculate`` (a whole Arrow batch in compiled code) and ``trace`` (one dwelling, every
worksheet line)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa

from ara.sap import appendix_n
from ara.sap.prepare import Prepared, SapInputError, conform, prepare
from ara.sap.problems import Problems
from ara.sap.schema import SAP_INPUT_SCHEMA
from ara.sap.tables import PROXY_ROW, load_tables, read_table
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
        pa.field("warnings", pa.string(), metadata={
            "description": "possible but implausible inputs of a rated row, as 'field: "
            "message' joined by '; ' (spec/tables/calculator_input_plausible_ranges.csv); "
            "null when none"}),
    ],
    metadata={"ara.schema": "SAP_OUTPUT", "ara.spec": "SAP 10.2 (14-03-2025)"},
)


def _unconvertible(rows: list[Any]) -> list[tuple[str, str, str]]:
    """(dwelling_id, field, message) for every value of the dict rows that does not convert
    to its SAP_INPUT_SCHEMA type (a text where a number belongs, a list for a scalar...)."""
    problems: list[tuple[str, str, str]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append((f"row {i + 1}", "*", f"not a dict of SAP_INPUT_SCHEMA fields: "
                                                  f"{type(row).__name__}"))
            continue
        dwelling = str(row.get("dwelling_id", f"row {i + 1}"))[:80]
        for field in SAP_INPUT_SCHEMA:
            if field.name not in row:
                continue
            try:
                pa.array([row[field.name]], type=field.type)
            except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError) as exc:
                problems.append((dwelling, field.name,
                                 f"cannot be read as {field.type}: {str(exc)[:200]}"))
    return problems or [("*", "*", "the rows cannot be read as SAP_INPUT_SCHEMA")]


def _as_table(data: Any) -> pa.Table:
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, dict | list):
        rows = [data] if isinstance(data, dict) else data
        try:
            return pa.Table.from_pylist(rows, schema=SAP_INPUT_SCHEMA)
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, TypeError):
            raise SapInputError(_unconvertible(rows)) from None
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
    # (39) depends on neither the Appendix N values nor the rating pass
    first = _kernel(rows, np.zeros(prep.n, dtype=bool), arrays[0], arrays[0], dil, arrays,
                    tables)
    return [appendix_n.resolve(dfl, hp, first[:, L.O_HTC], rows, tables.days)
            for hp in prep.heat_pumps]


def _kernel(mask: np.ndarray, rate_uk: np.ndarray, dfl: np.ndarray, dfl_uk: np.ndarray,
            dil: np.ndarray, arrays: tuple[Any, ...], tables: Any) -> np.ndarray:
    """One ``calculate_batch`` call; its output rows. The arguments are given one type
    whatever the data, so the kernel is compiled (some seconds) once, not once more for a
    batch of one dwelling (whose column-ordered output Numba would type as row-ordered: it
    gets a spare row) or for a list column with nulls (copied by Arrow, not zero-copy: every
    per-element array is passed as a read-only view)."""
    n = mask.size
    out = _new_out(max(n, 2))
    calculate_batch(mask, rate_uk, dfl, dfl_uk, dil, *[_read_only(a) for a in arrays[2:]],
                    *tables.kernel_tables(), out, new_scratch())
    return out[:n]


def _read_only(values: np.ndarray) -> np.ndarray:
    """A read-only C-contiguous view of a per-element input array: the kernel's signature is
    the same whether Arrow handed the column over zero-copy (read-only) or as a copy (a
    column with nulls), so a dwelling with a missing list value does not compile (some
    seconds) a second specialisation of the worksheet kernel."""
    view = np.ascontiguousarray(values).view()
    view.flags.writeable = False
    return view


def _run(prep: Prepared, mask: np.ndarray) -> np.ndarray:
    """The worksheet in the dwelling's own climate region, with the SAP and EI ratings from
    a second pass in the UK-average climate (region 0) where the region differs: only the
    ratings use UK-average climate; energy, costs and CO2 are the region's (decision
    0009/0010/0013). Both passes run in one kernel call; the rating pass reuses the
    climate-independent part of the dwelling's own pass. Heat pumps with product data get
    their Appendix N values for the rating pass from its own (39), in a copy of ``dfl``."""
    tables = load_tables()
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
    return _kernel(mask, rate_uk, prep.dfl, dfl_uk, arrays[1], arrays, tables)


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
    """Compute the SAP 10.2 worksheet for every dwelling of ``batch``, in compiled code.

    The whole batch runs in one kernel call: worksheet sections 1-13, from dimensions (1)
    to primary energy (287), or sections 1-8 only with ``scope="demand"``. Energy, costs,
    CO2 and primary energy are computed in the dwelling's own climate region; the SAP and
    EI ratings come from a second pass in the UK-average climate (region 0) for the
    dwellings whose region differs. Heat pumps with product data get their Appendix N
    values (PSR, (206)/(207), (217)) from a first pass that gives their (39).

    ``batch`` is a pyarrow Table or RecordBatch following ``SAP_INPUT_SCHEMA`` (missing
    optional columns are read as null), or any object with the Arrow C stream interface
    (``__arrow_c_stream__``: a polars DataFrame, a pandas DataFrame from pandas 2.2), a
    pandas DataFrame, a dict (one dwelling) or a list of dicts. Returns one row per
    dwelling, columns per ``OUTPUT_SCHEMA``. In strict mode any bad row raises one
    :class:`SapInputError` naming every offending dwelling and field; with
    ``strict=False`` bad rows come back with status 'error', a message and null outputs,
    and the good rows are computed. ``scope="demand"`` computes worksheet sections 1-8
    only: heating systems, fuels and tariffs are not required, and the columns of sections
    9-13 are null.

    Parameters
    ----------
    batch : pyarrow.Table, pyarrow.RecordBatch, DataFrame, dict or list of dict
        The dwellings, one row each, with the columns of ``SAP_INPUT_SCHEMA``
        (``ara.sap.SAP_INPUT_SCHEMA``); ``dwelling_id`` names each row in the output and in
        error messages.
    strict : bool, default True
        True: any rejected row raises :class:`SapInputError` and nothing is returned.
        False (lenient): rejected rows, and rows whose worksheet produced a non-finite
        value, come back with ``status`` 'error', the reasons in ``error`` and null
        outputs; the other rows are computed.
    scope : {"full", "demand"}, default "full"
        ``"full"``: the whole worksheet, sections 1-13. ``"demand"``: the demand side,
        sections 1-8 ((1)-(99)); heating systems, fuels, tariffs and PV need not be given,
        and every column from ``main_heating_efficiency_percent`` (206) on, the ratings,
        bands and fuel codes are null.

    Returns
    -------
    pyarrow.Table
        One row per input row, in input order, with schema ``OUTPUT_SCHEMA``:
        ``dwelling_id``; ``status`` ('ok' or 'error') and ``error`` (``field: message``
        texts joined by '; ', null when ok); one float64 column per worksheet output
        (``ara_kernels.layout.OUTPUTS``; each field's metadata gives its worksheet line and
        unit), from (4) ``total_floor_area_m2`` through (99) ``space_heating_kwh_per_m2``,
        (206)-(219) efficiencies and fuel, (231)-(233b) electricity and PV, (240)-(255)
        costs, (257) ``energy_cost_factor``, (258) ``sap_rating_continuous``, (261)-(273)
        CO2 and (274) ``ei_rating_continuous`` to (286)-(287) primary energy;
        ``sap_rating`` and ``ei_rating`` (int32: nearest integer, halves up, at least 1)
        with ``sap_band`` and ``ei_band`` (A-G); ``fuel_main1``, ``fuel_main2``,
        ``fuel_secondary``, ``fuel_water``, ``fuel_electricity`` (SAP Table 12 fuel codes,
        0: none); and ``space_heating_fuel_main_kwh``, a copy of (211) under its contract
        name.

    Raises
    ------
    SapInputError
        ``strict=True`` and at least one row is rejected (missing, invalid or unsupported
        input, decision 0006) or gives a non-finite value; ``problems`` lists
        ``(dwelling_id, field, message)`` for every one. In either mode: a dict row holds
        a value that cannot be converted to its field's SAP_INPUT_SCHEMA type (a text for a
        number, a list for a scalar), or the batch names a field the schema does not have.
    ValueError
        ``scope`` is not "full" or "demand".
    TypeError
        ``batch`` is of none of the accepted kinds, or a DataFrame that cannot be read as
        ``SAP_INPUT_SCHEMA`` columns.

    References
    ----------
    SAP 10.2 (14-03-2025), worksheet lines (1)-(287): sections 1-8, dimensions (1)-(5)
    to the space heating requirement (98)-(99), with Appendix L (L1)-(L21); sections 9-13,
    energy requirements (201)-(233b), fuel costs (240)-(257), SAP rating (258), CO2
    emissions and EI rating (261)-(274) and primary energy (275)-(287). Appendix N (heat
    pumps with product data: N2 PSR, N3.5 days); ratings rounded as in SAP 10.2 sections
    13-14, with bands from ``sap10_2_rating_bands.csv``.
    RdSAP-method ratings (``rating_method`` 2): RdSAP 10 Table 32 prices and section 19
    rating constants. Project decisions: 0004 (RdSAP rating method), 0005 (ratings in
    UK-average climate), 0006 (unsupported input is rejected by name), 0014 (Appendix N).

    Examples
    --------
    >>> out = calculate(dwellings, strict=False)  # doctest: +SKIP
    >>> out.column("sap_rating")  # doctest: +SKIP
    """
    return finish(compute(begin(batch, strict=strict, scope=scope)))


@dataclass
class Staged:
    """One batch on its way through :func:`calculate` in three steps, which a caller may
    run on different threads so that one batch's kernel overlaps the next batch's
    preparation and the previous one's output (``ara calc`` does): :func:`begin`
    (validate and prepare, in Python and NumPy), :func:`compute` (the compiled kernel,
    which releases the GIL) and :func:`finish` (non-finite check and the Arrow table)."""

    prep: Prepared
    bad: np.ndarray
    strict: bool
    demand_only: bool
    out: np.ndarray | None = None


def begin(batch: Any, *, strict: bool = True, scope: str = "full") -> Staged:
    """The first step of :func:`calculate`: conform, validate and prepare ``batch``
    (raises :class:`SapInputError` in strict mode, as ``calculate`` does)."""
    if scope not in SCOPES:
        raise ValueError(f"scope must be one of {SCOPES}, not {scope!r}")
    table = conform(_as_table(batch))
    prep = prepare(table, load_tables(), demand_only=scope == "demand")
    if strict and prep.problems.rows:
        raise SapInputError(_problem_list(prep))
    return Staged(prep, prep.problems.bad_mask(prep.n), strict, scope == "demand")


def compute(staged: Staged) -> Staged:
    """The second step of :func:`calculate`: the worksheet kernel over the batch."""
    staged.out = _run(staged.prep, ~staged.bad)
    return staged


def finish(staged: Staged) -> pa.Table:
    """The last step of :func:`calculate`: rows with a non-finite output are refused
    (:class:`SapInputError` in strict mode), then the result table."""
    prep, out, bad = staged.prep, staged.out, staged.bad
    assert out is not None, "compute() first"
    checked = out[:, :FIRST_SYSTEM_OUTPUT] if staged.demand_only else out
    nonfinite = ~np.isfinite(checked).all(axis=1) & ~bad
    if nonfinite.any():
        prep.problems.add(nonfinite, "*", "the worksheet produced a non-finite value")
        if staged.strict:
            raise SapInputError(_problem_list(prep))
        bad = bad | nonfinite
    return _to_arrow(prep, out, bad, demand_only=staged.demand_only)


_STATUS_TEXT = pa.array([STATUS_OK, STATUS_ERROR], type=pa.string())


def _error_texts(prep: Prepared, bad: np.ndarray) -> pa.Array:
    """The 'error' column: for each bad row its problems as 'field: message' joined by
    '; ' in the order they were recorded; null elsewhere."""
    return _joined(prep.n, prep.problems, bad)


def _joined(n: int, problems: Problems, rows_wanted: np.ndarray) -> pa.Array:
    """Per row of ``rows_wanted`` with entries in ``problems``: its 'field: message' texts
    joined by '; ' in the order recorded; null elsewhere."""
    if not rows_wanted.any() or not problems.rows:
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
    out[~rows_wanted] = None
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
        # masked rows (refused, or no systems) may hold NaN: zeroed before the cast
        cols.append(pa.array(np.where(null_systems, 0, rating).astype(np.int32),
                             mask=null_systems))
        cols.append(letters.take(pa.array(_band_indices(rating), mask=null_systems)))
    # fuel codes, not the CO2 / PE table rows (PROXY_ROW + code: estimate-mode proxies)
    cols += [pa.array((prep.dil[:, FUEL_INDEX[use]] % PROXY_ROW).astype(np.int16),
                      mask=null_systems) for use, _ in FUEL_COLUMNS]
    cols.append(cols[3 + _MAIN1_FUEL_COLUMN])  # (211) under its contract name
    cols.append(_joined(n, prep.warnings, ~bad))  # rated rows only: a refused row has 'error'
    assert len(cols) == len(OUTPUT_SCHEMA) and all(len(c) == n for c in cols)
    return pa.Table.from_arrays(cols, schema=OUTPUT_SCHEMA)


def trace(dwelling: Any, *, scope: str = "full") -> dict[str, Any]:
    """Every worksheet line of one dwelling.

    The same worksheet as :func:`calculate`, run for one dwelling with every intermediate
    line kept, for checking against a worksheet line by line. Lines are in the dwelling's
    own climate region except the rating lines (257), (258) and (274), which come from a
    pass in the UK-average climate when the region is not 0, as in :func:`calculate`.

    Returns ``{"dwelling_id": ..., "lines": {label: value}, "results": {name: value}}``
    where a monthly line's value is ``{"monthly": [12 values], "annual": total-or-mean}``
    and a single-valued line's value is a float. ``dwelling`` is a dict row, or a one-row
    Table/RecordBatch. ``scope="demand"`` traces sections 1-8 only (systems need not be
    given).

    Parameters
    ----------
    dwelling : dict, pyarrow.Table, pyarrow.RecordBatch or DataFrame
        One dwelling with the columns of ``SAP_INPUT_SCHEMA`` (any input :func:`calculate`
        accepts, holding exactly one row).
    scope : {"full", "demand"}, default "full"
        ``"full"``: worksheet sections 1-13. ``"demand"``: sections 1-8 only (lines before
        (201), Appendix L and the Appendix N lines); heating systems, fuels and tariffs
        need not be given.

    Returns
    -------
    dict
        ``dwelling_id`` (str); ``lines``: worksheet label -> value, labels as in
        ``ara_kernels.layout.TRACE_LINES`` ("1" ... "287", Appendix L "L1"..., Appendix H
        "H1"..., Appendix G3 WWHRS "V_ww1"..., Appendix N "N24,9" / "N16,9" when used, and "PSR"
        / "PSR main2" for heat pumps with product data); a line not computed for the
        dwelling is absent. A monthly line is ``{"monthly": [12 floats], "annual": float
        or None}``, any other a float. ``results``: output column name -> float, the
        float64 columns of :func:`calculate` (only those before (206),
        ``main_heating_efficiency_percent``, with ``scope="demand"``).

    Raises
    ------
    SapInputError
        The dwelling's input is rejected (decision 0006); ``problems`` names every field.
    ValueError
        ``scope`` is not "full" or "demand", or ``dwelling`` has more or fewer than one
        row.
    TypeError
        ``dwelling`` is of none of the kinds :func:`calculate` accepts.

    References
    ----------
    SAP 10.2 (14-03-2025), worksheet lines (1)-(287) with Appendix G3 (WWHRS), Appendix H
    (H1)-(H24), Appendix L (L1)-(L20) and Appendix N (N2 PSR, N3.5 days (N24,9)/(N16,9)). Project
    decisions: 0005 (ratings (257), (258), (274) in UK-average climate), 0006 (rejected
    input), 0014 (Appendix N).
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
