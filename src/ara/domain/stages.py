"""Stages as a protocol (issue 16): what the First Run runs, batch by batch, and what each
batch adds to the run's summary. Ingestion, Prediction, Baseline and Modelling each are a
:class:`Stage`; their reports are :class:`StageReport` s. The First Run knows no stage by
name: it runs a list of them and adds each report's :class:`StageCounts`."""

from __future__ import annotations

from collections.abc import Sized
from dataclasses import dataclass, fields
from typing import Protocol


@dataclass
class StageCounts:
    """The counts a batch of one stage adds to the run's summary (0 for what the stage does
    not do)."""

    ingestion_failures: int = 0
    prediction_failures: int = 0
    predicted: int = 0
    """Homes without a certificate or survey whose EPC the Prediction stage predicted."""
    anomalies: int = 0
    """Lodged certificates flagged far from their comparables (Prediction stage)."""
    baseline_failures: int = 0
    divergences: int = 0
    """Pristine SAP 10.2 certificates kept as lodged whose recalculation differs from them."""
    unpriced: int = 0
    """Homes rated without a bill (a fuel the Fuel Rates snapshot does not price)."""
    overrides_changed: int = 0
    """Homes re-baselined because their Landlord Overrides changed since their previous
    baseline (``changed_inputs`` ``landlord_overrides_changed``)."""
    plans_written: int = 0
    plans_unchanged: int = 0
    """Plans the Modelling stage kept: their inputs unchanged since they were made."""

    def add(self, other: StageCounts) -> None:
        """Add ``other``'s counts to these, field by field."""
        for f in fields(StageCounts):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


class StageReport(Protocol):
    """What one batch of a stage did."""

    @property
    def failures(self) -> Sized: ...

    def counts(self) -> StageCounts: ...


class Stage(Protocol):
    """One step of the First Run: ``run`` processes a batch of property ids, writes through
    its own units of work and reports."""

    @property
    def name(self) -> str: ...

    def run(self, property_ids: list[str]) -> StageReport: ...
