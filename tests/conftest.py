"""Shared test fixtures: where the shared vectors live."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
#: Vectors copied into the repository with their source and licence (tests/vectors/README.md).
VECTORS = REPO / "tests" / "vectors"
SAP10CALCS = VECTORS / "sap10calcs"


@pytest.fixture(scope="session")
def sap10calcs() -> Path:
    """The sap10calcs worksheet vectors; a missing folder is a failure, never a skip."""
    if not SAP10CALCS.is_dir():
        pytest.fail(f"test vectors not found at {SAP10CALCS}")
    return SAP10CALCS


def load_worksheet(path: Path) -> dict[str, Any]:
    """The engine's worksheet dict (keys value_NNN, value_NNN_m) from a response/out file."""
    data = json.loads(path.read_text())
    return data["sap_calculation_output_dict"]
