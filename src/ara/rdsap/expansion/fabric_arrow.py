"""Arrow <-> NumPy plumbing of the fabric expansion: flattened list levels, typed column
reads with an explicit missing-value marker, problem collection and list-column building.

Nothing here knows an RdSAP rule; it lets the rule modules work on whole columns: a list
column (building parts, their storeys, windows ...) becomes one flat NumPy array per struct
field plus, for every item, the index of the row (or item) it belongs to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Code index of a null (absent) code; codes that are present but not in the expected list
#: read as :data:`UNKNOWN_CODE`.
MISSING_CODE = -1
UNKNOWN_CODE = -2


def as_array(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array (chunked columns are combined)."""
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks() if values.num_chunks != 1 else values.chunk(0)
    return values


def floats(values: pa.Array) -> np.ndarray:
    """Numbers as float64, NaN where null."""
    return np.asarray(pc.fill_null(pc.cast(values, pa.float64()), np.nan).to_numpy(
        zero_copy_only=False), dtype=np.float64)


def ints(values: pa.Array, missing: int = MISSING_CODE) -> np.ndarray:
    """Integers as int64, ``missing`` where null."""
    return np.asarray(pc.fill_null(pc.cast(values, pa.int64()), missing).to_numpy(
        zero_copy_only=False), dtype=np.int64)


def bools(values: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """(value, given): booleans with nulls read as False, and where a value was given."""
    given = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    value = np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)
    return value, given


def codes(values: pa.Array, choices: Sequence[str]) -> np.ndarray:
    """Index of each code in ``choices``; :data:`MISSING_CODE` where null,
    :data:`UNKNOWN_CODE` where the code is not one of ``choices``."""
    found = pc.index_in(pc.cast(values, pa.string()), value_set=pa.array(list(choices),
                                                                          pa.string()))
    idx = np.asarray(pc.fill_null(found, UNKNOWN_CODE).to_numpy(zero_copy_only=False),
                     dtype=np.int64)
    valid = np.asarray(pc.is_valid(values).to_numpy(zero_copy_only=False), dtype=bool)
    return np.where(valid, idx, MISSING_CODE)


def mapped(values: pa.Array, table: dict[str, float]) -> np.ndarray:
    """Codes mapped through ``table`` (e.g. '100mm' -> 100.0); NaN where null or unlisted."""
    keys = list(table)
    idx = codes(values, keys)
    lookup = np.array([table[k] for k in keys] + [np.nan], dtype=np.float64)
    return lookup[np.where(idx >= 0, idx, len(keys))]


@dataclass(frozen=True)
class Level:
    """The items of a list column, flattened: ``values`` (a struct array) and ``parent``, the
    index of the row of the enclosing level each item belongs to."""

    values: pa.StructArray
    parent: np.ndarray

    @classmethod
    def of(cls, lists: pa.Array) -> Level:
        lists = as_array(lists)
        parent = np.asarray(pc.list_parent_indices(lists).to_numpy(zero_copy_only=False),
                            dtype=np.int64)
        return cls(pc.list_flatten(lists), parent)

    def __len__(self) -> int:
        return len(self.values)

    def field(self, name: str) -> pa.Array:
        return pc.struct_field(self.values, name)

    def floats(self, name: str) -> np.ndarray:
        return floats(self.field(name))

    def ints(self, name: str, missing: int = MISSING_CODE) -> np.ndarray:
        return ints(self.field(name), missing)

    def codes(self, name: str, choices: Sequence[str]) -> np.ndarray:
        return codes(self.field(name), choices)

    def bools(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        return bools(self.field(name))

    def mapped(self, name: str, table: dict[str, float]) -> np.ndarray:
        return mapped(self.field(name), table)


@dataclass
class Problems:
    """Problems found column-wise: for each, the dwelling rows, the field and the message."""

    rows: list[np.ndarray] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def add(self, rows: np.ndarray, field_name: str, message: str) -> None:
        """Record ``message`` for the dwelling rows ``rows`` (indices; duplicates allowed)."""
        rows = np.unique(np.asarray(rows, dtype=np.int64))
        if rows.size:
            self.rows.append(rows)
            self.fields.append(field_name)
            self.messages.append(message)

    def add_mask(self, bad: np.ndarray, row_of: np.ndarray | None, field_name: str,
                 message: str) -> None:
        """Record ``message`` where the item mask ``bad`` is true; ``row_of`` maps items to
        dwelling rows (None: the items are the dwelling rows)."""
        idx = np.flatnonzero(bad)
        self.add(idx if row_of is None else row_of[idx], field_name, message)

    def bad_mask(self, n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        for r in self.rows:
            mask[r] = True
        return mask


def list_array(parent: np.ndarray, n_rows: int, columns: dict[str, np.ndarray],
               item_type: pa.StructType, null_rows: np.ndarray) -> pa.ListArray:
    """A list column of ``n_rows`` rows from items belonging to the rows ``parent`` (kept in
    their given order within a row); ``columns`` holds one NumPy array per struct field
    (float NaN -> null for nullable fields; missing fields are all null). Rows in
    ``null_rows`` are null and lose their items."""
    order = np.argsort(parent, kind="stable")
    keep = order[~null_rows[parent[order]]] if parent.size else order
    parent = parent[keep]
    counts = np.bincount(parent, minlength=n_rows)
    offsets = np.zeros(n_rows + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    children = []
    for f in item_type:
        if f.name in columns:
            data = np.asarray(columns[f.name])[keep]
            mask = np.isnan(data) if data.dtype.kind == "f" and f.nullable else None
            if pa.types.is_integer(f.type) and data.dtype.kind == "f":
                data = np.where(np.isnan(data), 0, data).astype(np.int64)
            children.append(pa.array(data, type=f.type, mask=mask, from_pandas=False))
        else:
            children.append(pa.nulls(int(parent.size), type=f.type))
    values = pa.StructArray.from_arrays(children, fields=list(item_type))
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values,
                                    type=pa.list_(item_type),
                                    mask=pa.array(null_rows, pa.bool_()))
