"""A stage's report that one property could not be processed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class StageFailure:
    """Why a stage (``ingestion``, ``baseline``, ``modelling``) failed a property; the latest
    failure per (property, stage) is kept."""

    property_id: str
    stage: str
    error_type: str
    message: str
