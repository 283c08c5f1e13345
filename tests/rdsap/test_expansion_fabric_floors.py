"""Floors: ground floors by BS EN ISO 13370 with the RdSAP 2012 parameters (section 5.12,
lineage), exposed floors (Table 20, section 5.14), basement floors (Table 23), the lodged
override, and the floor construction of ventilation line (12)."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest
from test_expansion_fabric_cases import certificate, elements, expand, part, storey, wall

from ara.rdsap.expansion import expand as expand_all
from ara.rdsap.expansion.fabric import expand_fabric
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.sap.fallbacks import FallbackLog, fallback
from ara.sap.tables import read_table

LAMBDA, RSI, RSE = 1.5, 0.17, 0.04


def house(band: str = "C", *, construction: str | None = "1", insulation: str | None = "1",
          thickness: str | None = "NI", heat_loss: str = "7", floor_u: float | None = None,
          area: float = 50.0, perimeter: float = 30.0, country: str = "ENG",
          main_wall: dict[str, Any] | None = None) -> dict[str, Any]:
    main = part(1, band, [storey("0", area, 2.5, perimeter, 0, construction, insulation)],
                main_wall=main_wall or wall("3", "4"), floor_heat_loss=heat_loss,
                floor_u=floor_u, floor_insulation_thickness=thickness)
    return certificate([main], built_form="1", country=country)


def floor(row: dict[str, Any]) -> dict[str, Any]:
    result = expand(row)
    assert result.problems == [], result.problems
    found = [e for e in elements(result) if e["kind"] in (4, 5, 6)]
    assert len(found) == 1
    return found[0]


def slab(b: float, d: float) -> float:
    """BS EN ISO 13370 slab: 2 lambda ln(pi B'/d + 1) / (pi B' + d), or lambda / (0.457 B'
    + d) when d >= B'."""
    if d < b:
        return 2 * LAMBDA * math.log(math.pi * b / d + 1) / (math.pi * b + d)
    return LAMBDA / (0.457 * b + d)


def test_solid_ground_floor_uninsulated() -> None:
    # band C solid brick, Table S3 thickness 220 mm; A 50, P 30 -> B' 3.333
    u = slab(100 / 30, 0.22 + LAMBDA * (RSI + RSE))
    assert floor(house())["u_value"] == round(u, 2) == 0.82


def test_solid_ground_floor_with_100_mm_insulation() -> None:
    # Rf = 0.1 / 0.035 = 2.857
    u = slab(100 / 30, 0.22 + LAMBDA * (RSI + 0.1 / 0.035 + RSE))
    assert floor(house(thickness="100mm"))["u_value"] == round(u, 2) == 0.24


def test_band_j_solid_floor_takes_the_default_75_mm() -> None:
    # cavity band J, Table S3 300 mm; default insulation (RdSAP 2012 lineage) 75 mm
    u = slab(100 / 30, 0.30 + LAMBDA * (RSI + 0.075 / 0.035 + RSE))
    assert floor(house("J", main_wall=wall("4", "4")))["u_value"] == round(u, 2) == 0.28


def test_band_l_england_solid_floor_takes_the_rdsap_10_default_100_mm() -> None:
    """RdSAP 10 Table 19 as-built insulation by band, England: L 100 mm, M 140 mm (third-party
    transcription); cavity band L wall 300 mm (lineage). Band M has no wall thickness of its
    own (test_band_m_ground_floor_takes_the_band_l_wall_thickness_fallback)."""
    rows = {r["key"]: float(r["value"]) for r in read_table(
        "rdsap10_ground_floor_parameters_RDSAP2012.csv") if r["kind"] == "floor_insulation_mm"}
    assert (rows["england:K"], rows["england:L"], rows["england:M"]) == (100.0, 100.0, 140.0)
    assert "wales:L" not in rows and "scotland:L" not in rows
    u = slab(100 / 30, 0.30 + LAMBDA * (RSI + 0.1 / 0.035 + RSE))
    assert floor(house("L", main_wall=wall("4", "4")))["u_value"] == round(u, 2)


@pytest.mark.parametrize(("thickness", "insulation_m"), [("NI", 0.14), ("100mm", 0.1)])
def test_band_m_ground_floor_takes_the_band_l_wall_thickness_fallback(
        thickness: str, insulation_m: float) -> None:
    """RdSAP 2012 Table S3 (the wall-thickness lineage) stops at band L, so a band M ground
    floor has no default w: the declared estimate fallback wall_thickness_nearest_band takes
    the band L thickness of the same construction (cavity, not insulated: 300 mm). Insulation:
    Table 19 England band M 140 mm when not known, else as lodged. Strict mode refuses the
    row naming the field and the fallback; estimate mode lists it among the assumptions."""
    s3 = {(r["wall_type"], r["insulated"], r["age_band"]): float(r["thickness_mm"])
          for r in read_table("rdsap10_wall_thickness_defaults_RDSAP2012.csv")}
    assert ("cavity", "false", "M") not in s3
    w = s3[("cavity", "false", "L")] / 1000.0
    assert w == 0.30
    row = house("M", main_wall=wall("4", "4"), thickness=thickness)
    log = FallbackLog(1)
    result = expand_fabric(pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA), log)
    assert result.problems == []
    assert log.ids == ["wall_thickness_nearest_band"]
    assert log.used().tolist() == [True]
    (found,) = [e for e in elements(result) if e["kind"] == 4]
    u = slab(100 / 30, w + LAMBDA * (RSI + insulation_m / 0.035 + RSE))
    assert found["u_value"] == round(u, 2)

    table = pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA)
    strict = expand_all(table, mode="strict")
    (message,) = [m for _r, _c, f, m in strict.problems
                  if f == "building_parts[].wall_thickness_mm"]
    assert message.startswith(fallback("wall_thickness_nearest_band").missing)
    assert "strict mode refuses; estimate mode would use fallback wall_thickness_nearest_band" \
        in message
    estimate = expand_all(table, mode="estimate")
    assert "wall_thickness_nearest_band" in estimate.assumptions[0].as_py()
    assert not any(f.startswith("building_parts") for _r, _c, f, _m in estimate.problems)


def test_suspended_timber_floor_of_band_b_and_line_12() -> None:
    """Construction not lodged, band B: suspended timber (lineage). d_g = w + lambda (Rsi +
    Rse); U_x = 2 h U_w / B' + 1450 eps v f_w / B'; U = 1/(2 Rsi + 0.2 + 1/(U_g + U_x))."""
    b = 100 / 30
    ug = slab(b, 0.22 + LAMBDA * (RSI + RSE))
    ux = 2 * 0.3 * 1.5 / b + 1450 * 0.003 * 5 * 0.05 / b
    u = 1 / (2 * RSI + 0.2 + 1 / (ug + ux))
    row = house("B", construction="0")
    assert floor(row)["u_value"] == round(u, 2) == 0.8
    # ventilation (12): suspended timber floor, unsealed (engine-observed)
    assert expand(row).columns["floor_construction"][0].as_py() == 3


def test_suspended_not_timber_floor_is_not_line_12() -> None:
    row = house("D", construction="3")
    assert floor(row)["kind"] == 4
    assert expand(row).columns["floor_construction"][0].as_py() == 1


def test_floor_without_exposed_perimeter_loses_no_heat() -> None:
    assert floor(house(perimeter=0.0))["u_value"] == 0.0


def test_lodged_floor_u_value_overrides() -> None:
    assert floor(house("L", floor_u=0.13))["u_value"] == 0.13


def test_basement_floor_table_23() -> None:
    got = floor(house("E", construction="4"))
    assert (got["kind"], got["gross_area_m2"], got["u_value"]) == (5, 50.0, 0.5)


@pytest.mark.parametrize(("kw", "u"), [
    ({"heat_loss": "1"}, 1.2),  # Table 20 as built, band C
    ({"heat_loss": "2", "band": "H"}, 0.51),
    ({"heat_loss": "1", "thickness": "100mm"}, 0.3),  # insulated rows
    ({"heat_loss": "1", "thickness": "150mm"}, 0.22),
    ({"heat_loss": "1", "insulation": "2"}, 0.5),  # retro-fitted, thickness unknown, A-I
    ({"heat_loss": "2", "band": "L", "country": "SCT"}, 0.18),
    ({"heat_loss": "3"}, 0.7),  # section 5.14: above partially heated premises
])
def test_exposed_floors_table_20_and_section_5_14(kw: dict[str, Any], u: float) -> None:
    got = floor(house(**kw))
    assert (got["kind"], got["u_value"]) == (6, u)


@pytest.mark.parametrize("code", ["6", "8"])
def test_floors_over_other_dwellings_are_ignored(code: str) -> None:
    result = expand(house(heat_loss=code))
    assert [e["kind"] for e in elements(result)] == [1, 3]


@pytest.mark.parametrize(("kw", "field"), [
    ({"band": "L", "country": "WLS", "main_wall": wall("4", "4")},
     "building_parts[].floor_insulation_thickness"),  # Table 19 band L: England only
    ({"band": "F", "country": "SCT", "main_wall": wall("4", "4")},
     "building_parts[].floor_insulation_thickness"),
    ({"band": "L", "insulation": "2", "country": "WLS", "main_wall": wall("4", "4")},
         "building_parts[].floor_insulation_thickness"),  # retro-fitted, NI, no L row
    ({"construction": "0", "country": "NIR", "thickness": "100mm"},
     "building_parts[].floor_construction"),
    ({"heat_loss": "1", "thickness": "75mm"}, "building_parts[].floor_insulation_thickness"),
    ({"heat_loss": "1", "band": "J", "insulation": "2"},
     "building_parts[].floor_insulation_thickness"),
    ({"heat_loss": "2", "band": "M", "country": "WLS"},
     "building_parts[].floor_insulation_thickness"),  # Table 20 Wales M conflict
    ({"heat_loss": None}, "building_parts[].floor_heat_loss"),
])
def test_floors_that_cannot_be_expanded_are_named(kw: dict[str, Any], field: str) -> None:
    result = expand(house(**kw))
    assert [p.field for p in result.problems] == [field]


def test_retro_fitted_floor_of_unknown_thickness_takes_at_least_50_mm() -> None:
    """Table 19 footnote (2): retro-fitted insulation of unknown thickness = the greater of
    50 mm and the age-band thickness. Band C (0 mm as built): 50 mm, Rf = 0.05 / 0.035;
    solid brick w 0.22; A 50, P 30 -> B' 3.333; d_t = 2.678 < B'."""
    d = 0.22 + LAMBDA * (RSI + 0.05 / 0.035 + RSE)
    u = slab(100 / 30, d)
    assert floor(house(insulation="2"))["u_value"] == round(u, 2) == 0.36
    # as built / unknown (insulation code 1) keeps the band C thickness 0 mm
    assert floor(house())["u_value"] == 0.82


def test_retro_fitted_floor_of_band_k_keeps_the_greater_age_band_100_mm() -> None:
    """Band K: age-band 100 mm > 50 mm. Cavity w 0.30 (Table S3 K); d_t = 0.30 + 1.5 (0.17 +
    0.1 / 0.035 + 0.04) = 4.90 >= B' 3.333 -> lambda / (0.457 B' + d_t)."""
    d = 0.30 + LAMBDA * (RSI + 0.1 / 0.035 + RSE)
    u = slab(100 / 30, d)
    assert d >= 100 / 30
    got = floor(house("K", insulation="2", main_wall=wall("4", "4")))["u_value"]
    assert got == round(u, 2) == 0.23
