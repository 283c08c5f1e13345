"""Wall U-values (RdSAP 10 section 5): the hand checks of RDSAP10_RULES.md section 17 and one
hand-derived case per table row used (Tables 6, 12, 13, 14, 15, 23; dry-lining; sheltered
walls; assessor override; the GAP rejections)."""

from __future__ import annotations

from typing import Any

import pytest
from test_expansion_fabric_cases import (
    alternative_wall,
    certificate,
    elements,
    expand,
    messages,
    part,
    storey,
    wall,
)

# A detached single-storey house of 50 m2, 30 m of heat-loss perimeter, 2.5 m high: its main
# wall is 75 m2 (section 1.2); the first element is the main wall.
SINGLE = [storey("0", 50, 2.5, 30, 0, "1", "1")]


def house(band: str, main_wall: dict[str, Any], *, country: str = "ENG",
          alternative_walls: list[dict[str, Any]] | None = None, party: str = "NA",
          storeys: list[dict[str, Any]] | None = None, property_type: str = "0"
          ) -> dict[str, Any]:
    return certificate([part(1, band, storeys or SINGLE, main_wall=main_wall, party=party,
                             alternative_walls=alternative_walls, floor_u=0.5)],
                       country=country, built_form="1", property_type=property_type)


def main_wall_u(band: str, **wall_kw: Any) -> float:
    result = expand(house(band, wall(**wall_kw)))
    assert result.problems == [], result.problems
    first = elements(result)[0]
    assert first["gross_area_m2"] == 75.0
    return float(first["u_value"])


# --- RDSAP10_RULES.md section 17 ----------------------------------------------------------
def test_dry_lined_unfilled_cavity_band_c() -> None:
    # Table 6 cavity as built band C 1.5; R 0.17 -> 1 / (1/1.5 + 0.17) = 1.1952 -> 1.20
    assert main_wall_u("C", construction="4", insulation="4", dry_lined=True) == 1.20


def test_dry_lined_solid_brick_of_unmeasured_thickness() -> None:
    # Table 6 footnote (b): 200-280 mm row 1.70; 1 / (1/1.7 + 0.17) = 1.3189 -> 1.32
    assert main_wall_u("B", construction="3", insulation="4", dry_lined=True) == 1.32


def test_filled_cavity_plus_100_mm_external_insulation() -> None:
    # band D filled cavity 0.70; R = 0.1 / 0.04 = 2.5; 1 / (1/0.7 + 2.5) = 0.2545 -> 0.25
    assert main_wall_u("D", construction="4", insulation="6",
                       insulation_thickness="100mm") == 0.25


def test_brick_440_mm_band_b_and_its_sheltered_gable() -> None:
    # Table 13: > 420 mm -> 1.10; as a sheltered gable (Table 4): 1/(1/1.1 + 0.5) = 0.71
    assert main_wall_u("B", construction="3", insulation="4", thickness=440) == 1.10
    rr_wall = wall("3", "4", thickness=440)
    sheltered = expand(house("B", rr_wall, alternative_walls=[
        alternative_wall(1, 10.0, True, construction="3", insulation="4", thickness=440)]))
    assert [e["u_value"] for e in elements(sheltered)[:2]] == [1.10, 0.71]


# --- Table 13 buckets, Table 12 stone, Table 6 rows ---------------------------------------
@pytest.mark.parametrize(("thickness", "u"), [(200, 2.5), (201, 1.7), (280, 1.7), (281, 1.4),
                                              (420, 1.4), (421, 1.1)])
def test_solid_brick_by_thickness_table_13(thickness: float, u: float) -> None:
    assert main_wall_u("A", construction="3", insulation="4", thickness=thickness) == u


def test_solid_brick_band_f_takes_table_6_not_the_thickness() -> None:
    assert main_wall_u("F", construction="3", insulation="4", thickness=440) == 1.0


def test_granite_and_sandstone_by_thickness_table_12() -> None:
    # U = 45.315 t^-0.513 (granite), 54.876 t^-0.561 (sandstone), t = 500 mm
    assert main_wall_u("C", construction="1", insulation="4", thickness=500) == \
        round(45.315 * 500 ** -0.513, 2) == 1.87
    assert main_wall_u("C", construction="2", insulation="4", thickness=500) == \
        round(54.876 * 500 ** -0.561, 2) == 1.68


def test_stone_band_f_uses_the_formula_only_when_lower() -> None:
    # note (a): band F 1.7 unless the formula is lower; 700 mm granite: 45.315 x 700^-0.513
    # = 1.5725 -> 1.57
    assert main_wall_u("F", construction="1", insulation="4", thickness=700) == 1.57
    assert main_wall_u("F", construction="1", insulation="4", thickness=300) == 1.7


@pytest.mark.parametrize(("construction", "band", "country", "u"), [
    ("5", "A", "ENG", 2.5),  # timber frame
    ("8", "E", "ENG", 1.7),  # system built
    ("9", "C", "WLS", 0.8),  # cob, Wales (Table 9)
    ("4", "M", "SCT", 0.17),  # cavity as built, Scotland band M (Table 7)
    ("4", "H", "NIR", 0.45),  # cavity as built, Northern Ireland band H (Table 8)
    ("4", "H", "EAW", 0.6),  # RdSAP 9.x 'England and Wales' reads the England table
])
def test_as_built_walls_by_country_tables_6_to_9(construction: str, band: str, country: str,
                                                 u: float) -> None:
    result = expand(house(band, wall(construction, "4"), country=country))
    assert elements(result)[0]["u_value"] == u


def test_internal_insulation_with_documented_conductivity() -> None:
    # solid brick band C unmeasured 1.7; 50 mm of lambda 0.025 (code 3): R 2.0
    # 1 / (0.5882 + 2.0) = 0.3864 -> 0.39
    assert main_wall_u("C", construction="3", insulation="3", insulation_thickness="50mm",
                       conductivity="3") == 0.39


def test_measured_insulation_thickness() -> None:
    # cavity unfilled band B 1.5 + 90 mm external at 0.04: 1/(1/1.5 + 2.25) = 0.3429 -> 0.34
    assert main_wall_u("B", construction="4", insulation="1", insulation_thickness="measured",
                       measured_insulation=90) == 0.34


def test_dry_lining_not_added_to_an_insulated_wall() -> None:
    assert main_wall_u("D", construction="4", insulation="2", dry_lined=True) == 0.7


def test_assessor_u_value_overrides_the_tables() -> None:
    assert main_wall_u("A", construction="1", insulation="4", u_value=0.83) == 0.83


def test_basement_wall_table_23_is_a_basement_element() -> None:
    result = expand(house("G", wall("4", "4"), alternative_walls=[
        alternative_wall(1, 20.0, construction="6", insulation="4")]))
    main, basement = elements(result)[:2]
    assert (main["kind"], main["gross_area_m2"]) == (1, 55.0)  # 75 - 20 (section 3.3)
    assert (basement["kind"], basement["gross_area_m2"], basement["u_value"]) == (2, 20.0, 0.6)


def test_alternative_walls_one_and_two_are_deducted_from_the_main_wall() -> None:
    result = expand(house("C", wall("3", "4"), alternative_walls=[
        alternative_wall(2, 12.34, construction="5", insulation="4"),
        alternative_wall(1, 10.0, construction="4", insulation="2")]))
    main, alt1, alt2 = elements(result)[:3]
    assert (main["gross_area_m2"], main["u_value"]) == (52.66, 1.7)
    assert (alt1["gross_area_m2"], alt1["u_value"]) == (10.0, 0.7)
    assert (alt2["gross_area_m2"], alt2["u_value"]) == (12.34, 1.9)


# --- Table 15 party walls ------------------------------------------------------------------
@pytest.mark.parametrize(("code", "property_type", "u"), [
    ("1", "0", 0.0), ("2", "0", 0.5), ("3", "0", 0.2), ("0", "0", 0.25), ("0", "2", 0.0),
    ("NI", "0", 0.25)])
def test_party_wall_table_15(code: str, property_type: str, u: float) -> None:
    storeys = [storey("0", 50, 2.74, 20, 6.25, "1", "1")]
    result = expand(house("C", wall("4", "4"), party=code, storeys=storeys,
                          property_type=property_type))
    party = [e for e in elements(result) if e["kind"] == 7]
    # 6.25 x 2.74 = 17.125 -> 17.13 (section 15 half-up)
    assert [(e["gross_area_m2"], e["u_value"]) for e in party] == [(17.13, u)]


def test_party_wall_filled_and_sealed_takes_the_declared_fallback() -> None:
    """Code 4 has no Table 15 row: the declared fallback party_wall_filled_and_sealed (SAP
    2009 / 2012 lineage, 0.0) stands in (both modes: tests/rdsap/test_coverage_fallbacks.py)."""
    storeys = [storey("0", 50, 2.5, 20, 6.0, "1", "1")]
    result = expand(house("C", wall("4", "4"), party="4", storeys=storeys))
    assert messages(result) == []
    party = [e for e in elements(result) if e["kind"] == 7]
    assert [(e["gross_area_m2"], e["u_value"]) for e in party] == [(15.0, 0.0)]


# --- rejections ----------------------------------------------------------------------------
@pytest.mark.parametrize(("wall_kw", "field"), [
    # a park home wall with added insulation (as built: the estimate fallback
    # park_home_wall_lineage, tests/rdsap/test_estimate_spec_gaps.py)
    ({"construction": "10", "insulation": "1"}, "building_parts[].wall_construction"),
    ({"construction": "1", "insulation": "4"}, "building_parts[].wall_thickness_mm"),
    ({"construction": None}, "building_parts[].wall_construction"),
])
def test_walls_that_cannot_be_expanded_are_named(wall_kw: dict[str, Any], field: str) -> None:
    result = expand(house("C", wall(**wall_kw)))
    assert [p.field for p in result.problems] == [field]
    assert result.columns["elements"][0].as_py() is None


def test_curtain_wall_with_an_assessor_u_value_expands() -> None:
    assert main_wall_u("K", construction="7", u_value=1.2) == 1.2
