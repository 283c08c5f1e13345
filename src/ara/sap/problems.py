"""Input problems collected column-wise: (rows, field, message) triples."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ara_kernels import columns as _columns


def _vector(values: Any) -> bool:
    return isinstance(values, np.ndarray) and values.dtype == np.float64 and values.ndim == 1


def ints(values: np.ndarray) -> np.ndarray:
    """Float codes to int64, with -1 where the value is missing (NaN) or infinite."""
    if _vector(values):
        out: np.ndarray = _columns.codes(values)
        return out
    return np.where(np.isfinite(values), values, -1).astype(np.int64)


def nan_to_num(values: Any) -> Any:
    """``np.nan_to_num``, in one compiled pass for a float64 vector."""
    if _vector(values):
        return _columns.nan_to_num(values)
    return np.nan_to_num(values)


@dataclass
class Problems:
    """Collected input problems: parallel lists of row index, field and message."""

    rows: list[np.ndarray] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)

    def add(self, bad: np.ndarray, field_name: str, message: str) -> None:
        """Record ``message`` for every row where the boolean mask ``bad`` is true."""
        idx = np.flatnonzero(bad)
        if idx.size:
            self.rows.append(idx)
            self.fields.append(field_name)
            self.messages.append(message)

    def add_rows(self, rows: np.ndarray, field_name: str, message: str) -> None:
        rows = np.unique(rows)
        if rows.size:
            self.rows.append(rows)
            self.fields.append(field_name)
            self.messages.append(message)

    def extend(self, other: Problems) -> None:
        self.rows += other.rows
        self.fields += other.fields
        self.messages += other.messages

    def bad_mask(self, n: int) -> np.ndarray:
        mask = np.zeros(n, dtype=bool)
        for r in self.rows:
            mask[r] = True
        return mask

    def per_row(self, n: int) -> list[list[tuple[str, str]]]:
        """For each row, the (field, message) pairs; only called for reporting."""
        out: list[list[tuple[str, str]]] = [[] for _ in range(n)]
        for rows, f, msg in zip(self.rows, self.fields, self.messages, strict=True):
            for r in rows.tolist():
                out[r].append((f, msg))
        return out
