"""Scoring candidate packages (decision D-0016): every package of every property of a batch is
overlaid onto its property's SAP inputs, and the whole lot becomes ONE Arrow table scored by
one ``ara.sap.calculate`` call (chunked only to bound memory), never a loop per package.

Options are duck-typed (:class:`OptionLike`) so this module does not depend on how the
measure catalogue is implemented; the overlay function is passed in (``apply_options`` of
``ara.modelling.overlays`` by default, resolved lazily).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.sap import calculate


class OptionLike(Protocol):
    """What scoring and optimisation read of a measure option
    (``ara.modelling.catalogue.MeasureOption``)."""

    @property
    def property_id(self) -> str: ...
    @property
    def measure_type(self) -> str: ...
    @property
    def option_id(self) -> str: ...
    @property
    def cost_gbp(self) -> float: ...
    @property
    def requires(self) -> tuple[str, ...]: ...


Package = tuple[OptionLike, ...]
#: Per row, the new PV array of its ``solar_pv`` option: (kWp, orientation code, tilt in
#: degrees), read only where the row has the option (``ara.modelling.overlays``).
PvColumns = tuple[np.ndarray, np.ndarray, np.ndarray]
#: ``apply(inputs, rows, packages) -> table``: row k is ``inputs`` row ``rows[k]`` with
#: ``packages[k]`` overlaid.
ApplyOptions = Callable[[pa.Table, Sequence[int], Sequence[Sequence[OptionLike]]], pa.Table]
Calculator = Callable[[pa.Table], pa.Table]

#: Rows per calculator call: large enough to keep the kernel busy, small enough that the
#: overlaid list columns of a big batch stay within memory.
DEFAULT_CHUNK_ROWS = 50_000
#: The output columns :func:`scores_of` reads: enough for a search, which keeps only these
#: of every chunk (``score(..., columns=SCORE_COLUMNS)``) instead of ~100 columns a package.
SCORE_COLUMNS = ("dwelling_id", "status", "sap_rating_continuous", "sap_rating",
                 "co2_kg_per_year", "primary_energy_kwh")


def default_apply() -> ApplyOptions:
    """``ara.modelling.overlays.apply_options`` (imported when first needed)."""
    module = importlib.import_module("ara.modelling.overlays")
    apply: ApplyOptions = module.apply_options
    return apply


def lenient_calculate(inputs: pa.Table) -> pa.Table:
    return calculate(inputs, strict=False)


@dataclass(frozen=True)
class Scores:
    """The calculator's verdict on a list of packages, as arrays aligned with it."""

    ok: np.ndarray
    """The calculator accepted the row."""
    sap_continuous: np.ndarray
    sap_rating: np.ndarray
    co2_kg_per_year: np.ndarray
    primary_energy_kwh: np.ndarray
    outputs: pa.Table
    """The calculator's rows (``ara.sap.OUTPUT_SCHEMA``), one per package."""

    def __len__(self) -> int:
        return int(self.ok.shape[0])


def _column(outputs: pa.Table, name: str) -> np.ndarray:
    return np.asarray(outputs.column(name).to_numpy(zero_copy_only=False), dtype=np.float64)


def scores_of(outputs: pa.Table) -> Scores:
    ok = np.asarray(pc.fill_null(pc.equal(outputs.column("status"), "ok"), False)
                    .to_numpy(zero_copy_only=False), dtype=bool)
    return Scores(ok=ok,
                  sap_continuous=np.nan_to_num(_column(outputs, "sap_rating_continuous"),
                                               nan=-np.inf),
                  sap_rating=np.nan_to_num(_column(outputs, "sap_rating"), nan=-np.inf),
                  co2_kg_per_year=np.nan_to_num(_column(outputs, "co2_kg_per_year"),
                                                nan=np.inf),
                  primary_energy_kwh=np.nan_to_num(_column(outputs, "primary_energy_kwh"),
                                                   nan=np.inf),
                  outputs=outputs)


class PackageScorer:
    """Scores lists of (state row, package) pairs in batched calculator calls and counts
    what it scored (``packages_scored``, ``calculator_calls``)."""

    def __init__(self, apply: ApplyOptions | None = None, calculator: Calculator | None = None,
                 *, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> None:
        self._apply = apply
        self._calculate = calculator or lenient_calculate
        self._chunk = chunk_rows
        self.packages_scored = 0
        self.calculator_calls = 0

    @property
    def apply(self) -> ApplyOptions:
        if self._apply is None:
            self._apply = default_apply()
        return self._apply

    def overlay(self, state: pa.Table, rows: Sequence[int],
                packages: Sequence[Sequence[OptionLike]]) -> pa.Table:
        """The overlaid inputs: row k is ``state`` row ``rows[k]`` with ``packages[k]``."""
        return self.apply(state, list(rows), [tuple(p) for p in packages])

    def score_masks(self, state: pa.Table, rows: np.ndarray, masks: Mapping[str, np.ndarray],
                    pv: PvColumns | None,
                    packages: Callable[[], Sequence[Sequence[OptionLike]]], *,
                    columns: Sequence[str] | None = None) -> Scores:
        """:meth:`score` of packages given as columns (issue 16): package k is the measure
        types whose ``masks[measure][k]`` is set (a ``solar_pv`` one from ``pv``'s row k),
        folded by ``ara.modelling.overlays.apply_masks`` in the same calculator calls
        :meth:`score` makes. With an overlay function of the caller's own, ``packages()``
        gives the packages as options and :meth:`score` scores them."""
        module = importlib.import_module("ara.modelling.overlays")
        if self.apply is not module.apply_options:
            return self.score(state, [int(r) for r in rows], packages(), columns=columns)
        rows = np.asarray(rows, dtype=np.int64)
        return self._scored(len(rows), lambda part: module.apply_masks(
            state, rows[part], {m: v[part] for m, v in masks.items()},
            None if pv is None else (pv[0][part], pv[1][part], pv[2][part])), columns)

    def score(self, state: pa.Table, rows: Sequence[int],
              packages: Sequence[Sequence[OptionLike]], *,
              columns: Sequence[str] | None = None) -> Scores:
        """Score package k applied to ``state`` row ``rows[k]``; one calculator call per
        ``chunk_rows`` packages, whatever the number of properties. ``columns``: keep only
        these output columns of each chunk (memory: a search scores many packages)."""
        if len(rows) != len(packages):
            raise ValueError("one state row per package")
        return self._scored(len(rows), lambda part: self.overlay(state, rows[part],
                                                                 packages[part]), columns)

    def _scored(self, n: int, overlay: Callable[[slice], pa.Table],
                columns: Sequence[str] | None) -> Scores:
        """The scores of ``n`` packages, ``overlay(part)`` giving the overlaid inputs of the
        packages in ``part``: one calculator call per ``chunk_rows`` of them."""
        parts = []
        for start in range(0, n, self._chunk) or [0]:
            overlaid = overlay(slice(start, start + self._chunk))
            out = self._calculate(overlaid)
            del overlaid
            parts.append(out.select(list(columns)) if columns is not None else out)
            self.calculator_calls += 1
        self.packages_scored += n
        outputs = pa.concat_tables(parts) if len(parts) > 1 else parts[0]
        return scores_of(outputs)


__all__ = ["DEFAULT_CHUNK_ROWS", "SCORE_COLUMNS", "ApplyOptions", "Calculator", "OptionLike",
           "Package", "PackageScorer", "PvColumns", "Scores", "default_apply",
           "lenient_calculate", "scores_of"]
