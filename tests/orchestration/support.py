"""Helpers of the orchestration tests."""

from __future__ import annotations

import csv
from pathlib import Path

from ara.cli import bundled

SAMPLE = bundled("sample_portfolio")


def sample_homes(tmp_path: Path, homes: int) -> Path:
    """The first ``homes`` rows of the bundled sample portfolio as a portfolio CSV."""
    with (SAMPLE / "portfolio.csv").open() as fh:
        rows = list(csv.DictReader(fh))[:homes]
    path = tmp_path / "homes.csv"
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path
