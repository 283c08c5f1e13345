"""The bundled sample portfolio as tests and benchmarks of ``ara run`` use it: its first homes
as a portfolio file, and the command line that runs them from the sample's archive and UPRN
data (no network, no report)."""

from __future__ import annotations

import sys
from pathlib import Path

from ara.cli import bundled

SAMPLE = bundled("sample_portfolio")


def first_homes(folder: Path, homes: int) -> Path:
    """``folder/homes.csv``: the sample portfolio's first ``homes`` homes (all of them have
    certificates in the archive)."""
    lines = (SAMPLE / "portfolio.csv").read_text(encoding="utf-8").splitlines()
    path = folder / "homes.csv"
    path.write_text("\n".join(lines[:homes + 1]) + "\n", encoding="utf-8")
    return path


def run_command(portfolio: Path, db: str, *extra: str) -> list[str]:
    """``python -m ara run PORTFOLIO --db DB`` from the sample's archive and UPRN data."""
    return [sys.executable, "-m", "ara", "run", str(portfolio), "--db", db,
            "--epc-source", f"archive:{SAMPLE / 'certificates.ndjson.gz'}",
            "--uprn-data", str(SAMPLE / "uprn.parquet"), "--report", "none", *extra]
