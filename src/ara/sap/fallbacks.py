"""Strict and estimate modes: the one declared table of fallbacks and the per-row record of
which fallbacks a batch used.

``spec/tables/estimate_fallbacks.csv`` declares every fallback Ara may use: what is missing,
the value or rule used, the basis and reasoning, the source. Rules that meet a missing item
record it here (:meth:`FallbackLog.use`) and write the fallback's value; the mode decides
what that means for the row afterwards (:meth:`FallbackLog.resolve`):

- ``strict``: the row is refused, and the refusal names the missing item and the fallback
  that estimate mode would use (so the user knows what would unblock it);
- ``estimate``: the row is rated, ``estimate`` is true and ``assumptions`` lists the ids of
  the fallbacks used.

Nothing else in Ara fills a missing value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

import numpy as np
import pyarrow as pa

from ara.sap.tables import read_table

Mode = Literal["strict", "estimate"]
MODES: tuple[Mode, ...] = ("strict", "estimate")

__all__ = ["MODES", "Fallback", "FallbackLog", "Mode", "Resolution", "check_mode",
           "fallback", "fallbacks", "refusal_text"]


@dataclass(frozen=True)
class Fallback:
    """One row of ``estimate_fallbacks.csv``."""

    id: str
    field: str
    missing: str
    fallback: str
    value: float
    unit: str
    basis: str
    reasoning: str
    source: str

    def describe(self) -> str:
        """A line for a person: what was missing and what was used."""
        return f"{self.id}: {self.missing}: {self.fallback} ({self.basis})"


@lru_cache(maxsize=1)
def fallbacks() -> dict[str, Fallback]:
    """The declared fallbacks by id, read once per process."""
    out: dict[str, Fallback] = {}
    for row in read_table("estimate_fallbacks.csv"):
        text = row["value"].strip()
        out[row["id"]] = Fallback(
            id=row["id"], field=row["field"], missing=row["missing"],
            fallback=row["fallback"], value=float(text) if text else float("nan"),
            unit=row["unit"], basis=row["basis"], reasoning=row["reasoning"],
            source=row["source"])
    return out


def fallback(fallback_id: str) -> Fallback:
    """The declared fallback ``fallback_id`` (KeyError names an undeclared one)."""
    table = fallbacks()
    if fallback_id not in table:
        raise KeyError(f"fallback {fallback_id!r} is not declared in "
                       "spec/tables/estimate_fallbacks.csv")
    return table[fallback_id]


def check_mode(mode: str) -> Mode:
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    return mode  # type: ignore[return-value]


@dataclass(frozen=True)
class Resolution:
    """What the fallbacks used by a batch mean in one mode, one entry per row.

    ``estimate``: the row was rated with at least one fallback (estimate mode only);
    ``assumptions``: list<string> of fallback ids per row (estimate mode; empty in strict);
    ``refusals``: (row, field, message) for every fallback a strict row needed."""

    estimate: np.ndarray
    assumptions: pa.Array
    refusals: list[tuple[int, str, str]]


@dataclass
class FallbackLog:
    """The fallbacks a batch of ``n`` rows used: ``use(mask, id)`` for each rule that met a
    missing item. Column-wise: one call per rule, never per row."""

    n: int
    rows: list[np.ndarray] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    def use(self, mask: np.ndarray, fallback_id: str) -> None:
        """Record that the rows where ``mask`` is true (a bool mask over the ``n`` rows, or
        row indices) took fallback ``fallback_id``."""
        fallback(fallback_id)  # an undeclared id is a programming error, found at once
        mask = np.asarray(mask)
        rows = np.flatnonzero(mask) if mask.dtype == bool else np.unique(mask.astype(np.int64))
        if rows.size:
            self.rows.append(rows)
            self.ids.append(fallback_id)

    def used(self) -> np.ndarray:
        """Bool per row: any fallback used."""
        out = np.zeros(self.n, dtype=bool)
        for r in self.rows:
            out[r] = True
        return out

    def resolve(self, mode: Mode) -> Resolution:
        check_mode(mode)
        used = self.used()
        if mode == "estimate":
            return Resolution(used, self._assumptions(), [])
        refusals: list[tuple[int, str, str]] = []
        for rows, fid in zip(self.rows, self.ids, strict=True):
            fb = fallback(fid)
            message = (f"{fb.missing} (strict mode refuses; estimate mode would use "
                       f"fallback {fb.id}: {fb.fallback})")
            refusals.extend((int(r), fb.field, message) for r in rows)
        refusals.sort(key=lambda item: item[0])
        empty = pa.ListArray.from_arrays(pa.array(np.zeros(self.n + 1, dtype=np.int32)),
                                         pa.array([], pa.string()))
        return Resolution(np.zeros(self.n, dtype=bool), empty, refusals)

    def _assumptions(self) -> pa.Array:
        if not self.rows:
            return pa.ListArray.from_arrays(pa.array(np.zeros(self.n + 1, dtype=np.int32)),
                                            pa.array([], pa.string()))
        distinct = list(dict.fromkeys(self.ids))  # first-use order
        position = {fid: i for i, fid in enumerate(distinct)}
        rows = np.concatenate(self.rows)
        which = np.concatenate([np.full(r.size, position[fid], dtype=np.int64)
                                for r, fid in zip(self.rows, self.ids, strict=True)])
        # one entry per (row, fallback), in first-use order within a row
        key = np.unique(rows * len(distinct) + which)
        rows, which = key // len(distinct), key % len(distinct)
        counts = np.bincount(rows, minlength=self.n)
        offsets = np.zeros(self.n + 1, dtype=np.int32)
        np.cumsum(counts, out=offsets[1:])
        names = pa.array(distinct, pa.string())
        return pa.ListArray.from_arrays(pa.array(offsets), names.take(pa.array(which)))


def refusal_text(reasons: list[str], mode: Mode) -> str:
    """The reasons a certificate is refused: those only estimate mode can fill apart from
    those that block a rating in both modes."""
    blocking = [r for r in reasons if "strict mode refuses" not in r]
    fillable = [r for r in reasons if "strict mode refuses" in r]
    parts = []
    if blocking:
        parts.append("blocked: " + "; ".join(blocking))
    if fillable:
        hint = "" if blocking else " (--mode estimate rates it with these assumptions)"
        parts.append(f"missing in strict mode{hint}: " + "; ".join(fillable))
    return " | ".join(parts) if mode == "strict" or fillable else parts[0]
