"""A stage's report that one property could not be processed, the one way failures become
rows of ``stage_failures``, and the one clock every stage stamps its rows with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import pyarrow as pa

#: The rows of ``stage_failures`` as the stages write them.
FAILURE_SCHEMA = pa.schema([("property_id", pa.string()), ("stage", pa.string()),
                            ("error_type", pa.string()), ("message", pa.string()),
                            ("failed_at", pa.timestamp("us"))])


@dataclass(frozen=True, slots=True)
class StageFailure:
    """Why a stage (``ingestion``, ``prediction``, ``baseline``, ``modelling``) failed a
    property; the latest failure per (property, stage) is kept."""

    property_id: str
    stage: str
    error_type: str
    message: str


def utc_now() -> datetime:
    """Now, UTC, without a zone and to the microsecond: how timestamps are stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def failure_rows(failures: Iterable[StageFailure], at: datetime) -> pa.Table:
    """``stage_failures`` rows of ``failures``, all stamped ``at``."""
    return pa.Table.from_pylist(
        [{"property_id": f.property_id, "stage": f.stage, "error_type": f.error_type,
          "message": f.message, "failed_at": at} for f in failures], schema=FAILURE_SCHEMA)
