"""Shared helpers for the hand-derived worksheet tests (tests/test_hand_*.py).

The hand tests build small dwellings as plain dict rows of ``SAP_INPUT_SCHEMA``, run
``ara.sap.trace`` and compare worksheet lines with values written out from the SAP 10.2
formulas. Every table number comes from ``spec/tables`` through ``read_table``; nothing
here calls a kernel function directly.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from ara.sap import trace
from ara.sap.tables import read_table

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
SUMMER = (5, 6, 7, 8)  # June .. September, 0-based
REL = 1e-9


def constants() -> dict[str, float]:
    """The worksheet constants CSV as name -> value."""
    return {r["name"]: float(r["value"]) for r in read_table("sap10_2_worksheet_constants.csv")}


C = constants()


def monthly_row(rows: list[dict[str, str]]) -> list[float]:
    """The jan..dec columns of one table row (a single-row selection)."""
    assert len(rows) == 1, rows
    return [float(rows[0][m]) for m in MONTHS]


def region_row(table: str, region: int) -> list[float]:
    return monthly_row([r for r in read_table(table) if int(r["region_id"]) == region])


DAYS = monthly_row([r for r in read_table("sap2012_tables_1a_1c_1d_h4_reference.csv")
                    if r["table"] == "1a"])


def approx(value: Any) -> Any:
    return pytest.approx(value, rel=REL, abs=1e-12)


def wall(area: float = 90.0, u: float = 0.35, kappa: float = 60.0, y: float = 0.08,
         kind: int = 1) -> dict[str, Any]:
    return {"kind": kind, "gross_area_m2": area, "u_value": u, "kappa_kj_per_m2k": kappa,
            "thermal_bridging_y": y}


def window(area: float = 10.0, orientation: int = 5, *, kind: int = 2, u: float = 1.4,
           g: float = 0.72, gl: float = 0.8, ff: float = 0.7, host: int | None = 0,
           tilt: float | None = None, y: float | None = None) -> dict[str, Any]:
    return {"kind": kind, "area_m2": area, "u_value": u, "g_perpendicular": g,
            "light_transmittance": gl, "frame_factor": ff, "orientation": orientation,
            "tilt_deg": tilt, "host_element": host, "thermal_bridging_y": y}


BASE: dict[str, Any] = {
    "dwelling_id": "hand",
    "climate_region": 0,
    "storeys": [{"level": 0, "floor_area_m2": 80.0, "storey_height_m": 2.5}],
    "living_area_m2": 24.0,
    "thermal_mass_parameter": 250.0,
    "pressure_test": 4,
    "wall_construction": 2,
    "floor_construction": 1,
    "draught_lobby": False,
    "draughtproofed_percent": 0.0,
    "sheltered_sides": 2,
    "ventilation_type": 1,
    "elements": [
        wall(90.0, 0.35, 60.0, 0.08, kind=1),
        wall(80.0, 0.25, 110.0, 0.08, kind=4),
        wall(80.0, 0.16, 9.0, 0.08, kind=3),
    ],
    "openings": [window()],
    "hot_water_delivery": 2,
    "water_heating_code": 901,  # hot water from the main system
    "main1_code": 104,  # gas combi (Table 4b); its R and control are given explicitly
    "main1_fuel": 1,
    "main1_responsiveness": 1.0,
    "main1_control_type": 2,
    "main1_temperature_adjustment_k": 0.0,
}


def dwelling(**overrides: Any) -> dict[str, Any]:
    """A copy of the base dwelling with fields replaced."""
    d = copy.deepcopy(BASE)
    d.update(overrides)
    return d


def run(d: dict[str, Any]) -> dict[str, Any]:
    """The worksheet lines of one dwelling."""
    return trace(d, scope="demand")["lines"]


def scalar(lines: dict[str, Any], label: str) -> float:
    v = lines[label]
    return v["annual"] if isinstance(v, dict) else v


def monthly(lines: dict[str, Any], label: str) -> list[float]:
    return lines[label]["monthly"]


def occupancy(tfa: float) -> float:
    """Table 1b: N = 1 + 1.76 [1 - exp(-0.000349 (TFA - 13.9)^2)] + 0.0013 (TFA - 13.9)."""
    if tfa <= C["occupancy_tfa0"]:
        return 1.0
    d = tfa - C["occupancy_tfa0"]
    return (1.0 + C["occupancy_a"] * (1.0 - math.exp(-C["occupancy_b"] * d * d))
            + C["occupancy_c"] * d)


def test_base_dwelling_is_accepted_and_sized() -> None:
    lines = run(dwelling())
    assert scalar(lines, "4") == approx(80.0)
    assert scalar(lines, "5") == approx(80.0 * 2.5)
