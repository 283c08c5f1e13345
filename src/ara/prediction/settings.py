"""The declared numbers of the neighbour synthesis, read from ``spec/tables`` (decision 0029).

``ara_prediction_ladder.csv``: the rungs (level, minimum cohort, distance weight, confidence
factor). ``ara_prediction_weights.csv``: cohort limit, recency, similarity, confidence and
anomaly parameters. Both are Ara's own choices (status ``derived``); the code holds no copy.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

import numpy as np

from ara.sap.tables import SpecTableError, read_table

__all__ = ["LADDER_TABLE", "RUNGS", "WEIGHTS_TABLE", "Settings", "load_settings"]

LADDER_TABLE = "ara_prediction_ladder.csv"
WEIGHTS_TABLE = "ara_prediction_weights.csv"
#: The rung names, tightest first (the order of the ladder table).
RUNGS = ("street", "unit", "sector", "district", "area")


@dataclass(frozen=True)
class Settings:
    """Every number the synthesis uses. ``min_cohort``, ``distance_weight`` and
    ``confidence_factor`` are indexed by rung (:data:`RUNGS` order)."""

    min_cohort: tuple[int, ...]
    distance_weight: tuple[float, ...]
    confidence_factor: tuple[float, ...]
    max_cohort: int
    distance_half_km: float
    recency_half_life_years: float
    recency_unknown_weight: float
    floor_area_band_edges_m2: tuple[float, ...]
    floor_area_band_weights: tuple[float, ...]
    age_band_weights: tuple[float, ...]
    confidence_cohort_k: float
    anomaly_spreads: float
    anomaly_min_spread_floor_area_fraction: float
    anomaly_min_spread_sap: float

    def with_(self, **changes: object) -> Settings:
        """A copy with ``changes`` (tests and what-if runs)."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def min_cohort_array(self) -> np.ndarray:
        return np.asarray(self.min_cohort, dtype=np.int64)


def _numbers(text: str) -> tuple[float, ...]:
    return tuple(float(part) for part in text.split(";") if part.strip())


@functools.cache
def load_settings() -> Settings:
    """The settings of the spec tables (cached)."""
    rungs = {row["rung"]: row for row in read_table(LADDER_TABLE)}
    if tuple(sorted(rungs, key=lambda r: int(rungs[r]["order"]))) != RUNGS:
        raise SpecTableError(f"{LADDER_TABLE}: rungs must be {', '.join(RUNGS)} in order")
    values = {row["parameter"]: row["value"] for row in read_table(WEIGHTS_TABLE)}
    try:
        return Settings(
            min_cohort=tuple(int(rungs[r]["min_cohort"]) for r in RUNGS),
            distance_weight=tuple(float(rungs[r]["distance_weight"]) for r in RUNGS),
            confidence_factor=tuple(float(rungs[r]["confidence_factor"]) for r in RUNGS),
            max_cohort=int(values["max_cohort"]),
            distance_half_km=float(values["distance_half_km"]),
            recency_half_life_years=float(values["recency_half_life_years"]),
            recency_unknown_weight=float(values["recency_unknown_weight"]),
            floor_area_band_edges_m2=_numbers(values["floor_area_band_edges_m2"]),
            floor_area_band_weights=_numbers(values["floor_area_band_weights"]),
            age_band_weights=_numbers(values["age_band_weights"]),
            confidence_cohort_k=float(values["confidence_cohort_k"]),
            anomaly_spreads=float(values["anomaly_spreads"]),
            anomaly_min_spread_floor_area_fraction=float(
                values["anomaly_min_spread_floor_area_fraction"]),
            anomaly_min_spread_sap=float(values["anomaly_min_spread_sap"]),
        )
    except (KeyError, ValueError) as exc:
        raise SpecTableError(f"{WEIGHTS_TABLE} / {LADDER_TABLE}: {exc}") from exc
