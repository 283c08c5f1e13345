"""Shared test fixtures: where the shared vectors live."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ARA_SHARED_DIR", REPO.parent / "shared"))
SAP10CALCS = SHARED / "vectors" / "sap10calcs"


@pytest.fixture(scope="session")
def sap10calcs() -> Path:
    """The sap10calcs worksheet vectors; a missing folder is a failure, never a skip."""
    if not SAP10CALCS.is_dir():
        pytest.fail(f"shared vectors not found at {SAP10CALCS} (set ARA_SHARED_DIR)")
    return SAP10CALCS


def load_worksheet(path: Path) -> dict[str, Any]:
    """The engine's worksheet dict (keys value_NNN, value_NNN_m) from a response/out file."""
    data = json.loads(path.read_text())
    return data["sap_calculation_output_dict"]
