"""Column access, problem / assumption logs and Arrow output builders shared by the services
expansion modules. Everything is column-wise: NumPy over whole columns, list columns
flattened once (``list_parent_indices``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.rdsap.readers.schema import CERTIFICATE_SCHEMA
from ara.sap.fallbacks import FallbackLog
from ara.sap.schema import SAP_INPUT_SCHEMA

MISSING = -(10**9)  # integer code not lodged or not numeric


def _combine(col: pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(col, pa.ChunkedArray):
        if col.num_chunks == 1:
            return col.chunk(0)
        if col.num_chunks == 0:
            return pa.array([], type=col.type)
        return col.combine_chunks()
    return col


_CODE = re.compile(r"^\s*(-?\d{1,9})\s*(?:mm)?\s*$")


def _parse_code(text: str | None) -> int:
    m = _CODE.match(text) if text is not None else None
    return int(m.group(1)) if m else MISSING


def int_codes(arr: pa.Array) -> np.ndarray:
    """Integer codes of a code column (strings such as ``"4"``, ``"-1"``, ``"25mm"``);
    ``MISSING`` where null or not numeric (``"NR"``, ``"ND"``, ``"20+"``). Code columns hold
    few distinct values: they are dictionary-encoded and only the dictionary is parsed."""
    if len(arr) == 0:
        return np.zeros(0, dtype=np.int64)
    if pa.types.is_integer(arr.type):
        return np.asarray(pc.fill_null(arr.cast(pa.int64()), MISSING).to_numpy(),
                          dtype=np.int64)
    if pa.types.is_floating(arr.type):
        v = np.asarray(arr.to_numpy(zero_copy_only=False), dtype=np.float64)
        return np.where(np.isfinite(v), np.nan_to_num(v), MISSING).astype(np.int64)
    encoded = pc.dictionary_encode(arr.cast(pa.string()))
    lookup = np.array([_parse_code(v) for v in encoded.dictionary.to_pylist()] + [MISSING],
                      dtype=np.int64)
    indices = pc.fill_null(encoded.indices.cast(pa.int64()), len(lookup) - 1)
    return lookup[np.asarray(indices.to_numpy(zero_copy_only=False), dtype=np.int64)]


def floats(arr: pa.Array) -> np.ndarray:
    """A numeric column as float64 (NaN where null)."""
    if len(arr) == 0:
        return np.zeros(0)
    if pa.types.is_boolean(arr.type):
        arr = arr.cast(pa.int8())
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        codes = int_codes(arr)
        return np.where(codes == MISSING, np.nan, codes.astype(np.float64))
    return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)


def flags(arr: pa.Array) -> np.ndarray:
    """A boolean column as int8: 1 true, 0 false, -1 null."""
    if len(arr) == 0:
        return np.zeros(0, dtype=np.int8)
    if not pa.types.is_boolean(arr.type):
        arr = pc.equal(pc.utf8_upper(arr.cast(pa.string())), "Y")
    return np.asarray(pc.fill_null(arr.cast(pa.int8()), -1).to_numpy(), dtype=np.int8)


def take(values: np.ndarray, idx: np.ndarray, fill: float | int) -> np.ndarray:
    """``values[idx]`` with ``fill`` where ``idx`` is -1 (no item)."""
    if values.size == 0:
        return np.full(idx.shape, fill, dtype=np.result_type(values.dtype, type(fill)))
    return np.where(idx >= 0, values[np.clip(idx, 0, values.size - 1)], fill)


@dataclass
class Items:
    """A list column flattened: one entry per item, ``parents`` its row."""

    offsets: np.ndarray  # (n + 1,) int64
    parents: np.ndarray  # (items,) int64
    values: pa.Array  # the items (a StructArray for lists of structs)
    lodged: np.ndarray  # (n,) the list itself was not null

    def field(self, name: str) -> pa.Array:
        return _combine(pc.struct_field(self.values, name))

    def first(self, mask: np.ndarray) -> np.ndarray:
        """Per row, the index of its first item where ``mask`` holds (-1 when none)."""
        out = np.full(self.offsets.size - 1, -1, dtype=np.int64)
        sel = np.flatnonzero(mask)
        if sel.size:
            rows, first = np.unique(self.parents[sel], return_index=True)
            out[rows] = sel[first]
        return out

    def count(self, mask: np.ndarray) -> np.ndarray:
        """Per row, the number of its items where ``mask`` holds."""
        return np.bincount(self.parents[mask], minlength=self.offsets.size - 1)


def items(arr: pa.Array) -> Items:
    lengths = np.asarray(pc.fill_null(pc.list_value_length(arr), 0).to_numpy(
        zero_copy_only=False), dtype=np.int64)
    offsets = np.zeros(len(arr) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    parents = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False),
                         dtype=np.int64)
    values = arr.flatten()
    lodged = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    return Items(offsets, parents, values, lodged)


class Certificates:
    """Read access to a certificate table (CERTIFICATE_SCHEMA); columns absent from the
    table read as all-null."""

    def __init__(self, table: pa.Table):
        self.table = table
        self.n = table.num_rows
        self._cache: dict[str, pa.Array] = {}
        self._codes: dict[str, np.ndarray] = {}

    def arr(self, name: str) -> pa.Array:
        if name not in self._cache:
            if name in self.table.column_names:
                self._cache[name] = _combine(self.table.column(name))
            else:
                self._cache[name] = pa.nulls(self.n, CERTIFICATE_SCHEMA.field(name).type)
        return self._cache[name]

    def code(self, name: str) -> np.ndarray:
        if name not in self._codes:
            self._codes[name] = int_codes(self.arr(name))
            self._codes[name].flags.writeable = False
        return self._codes[name]

    def num(self, name: str) -> np.ndarray:
        return floats(self.arr(name))

    def flag(self, name: str) -> np.ndarray:
        return flags(self.arr(name))

    def items(self, name: str) -> Items:
        return items(self.arr(name))


@dataclass
class Log:
    """Problems (the value is not established: null written, the row is refused),
    fallbacks (a declared estimate-mode fallback supplied the value:
    ``spec/tables/estimate_fallbacks.csv``; strict mode refuses the row) and assumptions (a
    documented RdSAP default or GAP decision applied to the row)."""

    n: int
    fallbacks: FallbackLog | None = None
    problem_rows: list[np.ndarray] = field(default_factory=list)
    problem_fields: list[str] = field(default_factory=list)
    problem_messages: list[str] = field(default_factory=list)
    assumption_rows: list[np.ndarray] = field(default_factory=list)
    assumption_texts: list[str] = field(default_factory=list)

    def problem(self, mask: np.ndarray, field_name: str, message: str) -> None:
        rows = np.flatnonzero(mask)
        if rows.size:
            self.problem_rows.append(rows)
            self.problem_fields.append(field_name)
            self.problem_messages.append(message)

    def fallback(self, mask: np.ndarray, fallback_id: str) -> None:
        """The rows of ``mask`` took the declared fallback ``fallback_id``."""
        if self.fallbacks is None:
            self.fallbacks = FallbackLog(self.n)
        self.fallbacks.use(np.asarray(mask, dtype=bool), fallback_id)

    def assume(self, mask: np.ndarray, text: str) -> None:
        rows = np.flatnonzero(mask)
        if rows.size:
            self.assumption_rows.append(rows)
            self.assumption_texts.append(text)

    def assumptions_column(self) -> pa.Array:
        """Per row, the assumptions applied, as list<dictionary<int32, string>>."""
        if not self.assumption_rows:
            offsets = pa.array(np.zeros(self.n + 1, dtype=np.int32))
            values = pa.DictionaryArray.from_arrays(pa.array([], pa.int32()),
                                                    pa.array([], pa.string()))
            return pa.ListArray.from_arrays(offsets, values)
        rows = np.concatenate(self.assumption_rows)
        which = np.concatenate([np.full(r.size, i, dtype=np.int32)
                                for i, r in enumerate(self.assumption_rows)])
        order = np.argsort(rows, kind="stable")
        counts = np.bincount(rows, minlength=self.n)
        offsets = np.zeros(self.n + 1, dtype=np.int32)
        np.cumsum(counts, out=offsets[1:])
        values = pa.DictionaryArray.from_arrays(pa.array(which[order]),
                                                pa.array(self.assumption_texts))
        return pa.ListArray.from_arrays(pa.array(offsets), values)


class Output:
    """SAP_INPUT_SCHEMA columns under construction."""

    def __init__(self, n: int):
        self.n = n
        self.columns: dict[str, pa.Array] = {}

    def put(self, name: str, values: np.ndarray | float | int | bool,
            valid: np.ndarray | bool = True) -> None:
        """A flat column: ``values`` where ``valid``, null elsewhere."""
        type_ = SAP_INPUT_SCHEMA.field(name).type
        v = np.broadcast_to(np.asarray(values), (self.n,))
        ok = np.broadcast_to(np.asarray(valid, dtype=bool), (self.n,))
        if pa.types.is_boolean(type_):
            data = np.where(ok, v.astype(bool), False)
        elif pa.types.is_integer(type_):
            data = np.where(ok, v, 0).astype(np.int64)
        else:
            data = np.where(ok, v.astype(np.float64), 0.0)
        self.columns[name] = pa.array(data, type=type_, mask=~ok)

    def put_list(self, name: str, offsets: np.ndarray, children: dict[str, np.ndarray],
                 child_valid: dict[str, np.ndarray], row_valid: np.ndarray) -> None:
        """A list-of-struct column from flattened children (rows' items contiguous)."""
        list_type = SAP_INPUT_SCHEMA.field(name).type
        struct_type = list_type.value_type
        arrays = []
        for f in struct_type:
            vals = children[f.name]
            ok = child_valid.get(f.name, np.ones(vals.shape, dtype=bool))
            if pa.types.is_integer(f.type):
                data = np.where(ok, vals, 0).astype(np.int64)
            else:
                data = np.where(ok, vals, 0.0).astype(np.float64)
            arrays.append(pa.array(data, type=f.type, mask=~ok))
        struct = pa.StructArray.from_arrays(arrays, fields=list(struct_type))
        self.columns[name] = pa.ListArray.from_arrays(
            pa.array(offsets.astype(np.int32)), struct, type=list_type,
            mask=pa.array(~row_valid))
