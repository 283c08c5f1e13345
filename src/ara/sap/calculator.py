"""``calculate`` (a whole Arrow batch in compiled code) and ``trace`` (one dwelling, every
worksheet line)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from ara_kernels import layout as L
from ara_kernels.worksheet import calculate_batch, trace_dwelling

from ara.sap.prepare import Prepared, SapInputError, conform, prepare
from ara.sap.schema import SAP_INPUT_SCHEMA
from ara.sap.tables import load_tables

STATUS_OK = "ok"
STATUS_ERROR = "error"

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
    raise TypeError(f"expected a pyarrow Table, RecordBatch, dict or list of dicts, "
                    f"not {type(data).__name__}")


def _problem_list(prep: Prepared) -> list[tuple[str, str, str]]:
    ids = prep.ids.to_pylist()
    out = []
    for rows, field, msg in zip(prep.problems.rows, prep.problems.fields,
                                prep.problems.messages, strict=True):
        for r in rows.tolist():
            out.append((str(ids[r]) if ids[r] is not None else f"row {r}", field, msg))
    return out


def _run(prep: Prepared, mask: np.ndarray) -> np.ndarray:
    tables = load_tables()
    out = np.zeros((prep.n, L.N_OUT))
    calculate_batch(mask, *prep.kernel_arrays(), *tables.kernel_tables(), out)
    return out


def calculate(batch: Any, *, strict: bool = True) -> pa.Table:
    """Compute worksheet sections 1-8 for every dwelling of ``batch``.

    ``batch`` is a pyarrow Table or RecordBatch following ``SAP_INPUT_SCHEMA`` (missing
    optional columns are read as null). Returns one row per dwelling, columns per
    ``OUTPUT_SCHEMA``. In strict mode any bad row raises one :class:`SapInputError` naming
    every offending dwelling and field; with ``strict=False`` bad rows come back with
    status 'error', a message and null outputs, and the good rows are computed.
    """
    table = conform(_as_table(batch))
    prep = prepare(table, load_tables())
    if strict and prep.problems.rows:
        raise SapInputError(_problem_list(prep))
    bad = prep.problems.bad_mask(prep.n)
    out = _run(prep, ~bad)
    nonfinite = ~np.isfinite(out).all(axis=1) & ~bad
    if nonfinite.any():
        prep.problems.add(nonfinite, "*", "the worksheet produced a non-finite value")
        if strict:
            raise SapInputError(_problem_list(prep))
        bad |= nonfinite
    return _to_arrow(prep, out, bad)


def _to_arrow(prep: Prepared, out: np.ndarray, bad: np.ndarray) -> pa.Table:
    status = np.where(bad, STATUS_ERROR, STATUS_OK)
    errors: list[str | None] = [None] * prep.n
    if bad.any():
        for r, items in enumerate(prep.problems.per_row(prep.n)):
            if items:
                errors[r] = "; ".join(f"{f}: {m}" for f, m in items)
    cols: list[pa.Array] = [prep.ids.cast(pa.string()), pa.array(status),
                            pa.array(errors, type=pa.string())]
    for j in range(L.N_OUT):
        cols.append(pa.array(out[:, j], mask=bad))
    return pa.Table.from_arrays(cols, schema=OUTPUT_SCHEMA)


def trace(dwelling: Any) -> dict[str, Any]:
    """Every worksheet line of one dwelling.

    Returns ``{"dwelling_id": ..., "lines": {label: value}}`` where a monthly line's value
    is ``{"monthly": [12 values], "annual": total-or-mean}`` and a single-valued line's
    value is a float. ``dwelling`` is a dict row, or a one-row Table/RecordBatch.
    """
    table = conform(_as_table(dwelling))
    if table.num_rows != 1:
        raise ValueError(f"trace takes one dwelling, got {table.num_rows}")
    prep = prepare(table, load_tables())
    if prep.problems.rows:
        raise SapInputError(_problem_list(prep))
    tables = load_tables()
    out = np.zeros((1, L.N_OUT))
    tr = np.full((L.N_TRACE, 13), np.nan)
    trace_dwelling(0, *prep.kernel_arrays(), *tables.kernel_tables(), out, tr)
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
    results = {name: float(out[0, j]) for j, (name, _line, _unit) in enumerate(L.OUTPUTS)}
    return {"dwelling_id": str(prep.ids[0]), "lines": lines, "results": results}
