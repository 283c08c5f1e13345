"""Hand-derived checks of worksheet sections 1 (dimensions) and 2 (ventilation).

Expected values are written out from the SAP 10.2 worksheet formulas; Table 2.1 rates and
the (10)-(15) constants come from spec/tables/sap10_2_table2_1_ventilation_openings.csv,
Table U2 from spec/tables/sap_table_u2_wind_speed.csv. Tolerance: relative 1e-9 (the
formulas are reproduced exactly).
"""

from __future__ import annotations

from typing import Any

import pytest
from test_hand_common import (
    C,
    approx,
    dwelling,
    monthly,
    region_row,
    run,
    scalar,
)

from ara.sap.tables import read_table

THREE_STOREYS = [
    {"level": 0, "floor_area_m2": 62.0, "storey_height_m": 2.65},
    {"level": 1, "floor_area_m2": 55.0, "storey_height_m": 2.45},
    {"level": 2, "floor_area_m2": 38.5, "storey_height_m": 2.30},
]


def table21(line: str, item_contains: str = "") -> float:
    """One value of Table 2.1 (spec CSV) by worksheet line and item text."""
    rows = [r for r in read_table("sap10_2_table2_1_ventilation_openings.csv")
            if r["line"] == line and item_contains in r["item"]]
    assert len(rows) == 1, (line, item_contains, rows)
    return float(rows[0]["value"])


def wind(region: int) -> list[float]:
    return region_row("sap_table_u2_wind_speed.csv", region)


def infiltration_16(d: dict[str, Any], volume: float, storeys: int) -> float:
    """(16) = (8) + (10) + (11) + (12) + (13) + (15), no pressure test."""
    r8 = openings_m3h(d) / volume
    r10 = (storeys - 1) * table21("(9)-(10)")
    r11 = table21("(11)", "timber") if d["wall_construction"] == 1 else table21("(11)", "masonry")
    r12 = {1: table21("(12)", "not suspended"), 2: table21("(12)", ", sealed"),
           3: table21("(12)", "unsealed")}[d["floor_construction"]]
    r13 = 0.0 if d["draught_lobby"] else table21("(13)")
    r15 = C["window_infiltration_base"] \
        - C["window_infiltration_draughtproofed"] * d["draughtproofed_percent"] / 100.0
    return r8 + r10 + r11 + r12 + r13 + r15


OPENING_FIELDS = (
    ("open_chimneys", "6a", "open chimney"),
    ("open_flues", "6b", "open flue"),
    ("closed_fire_flues", "6c", "closed fire"),
    ("solid_fuel_boiler_flues", "6d", "solid fuel boiler"),
    ("other_heater_flues", "6e", "other heater"),
    ("blocked_chimneys", "6f", "blocked chimney"),
    ("intermittent_fans", "7a", "intermittent extract fan"),
    ("passive_vents", "7b", "passive vent"),
    ("flueless_gas_fires", "7c", "flueless gas fire"),
)


def openings_m3h(d: dict[str, Any]) -> float:
    return sum((d.get(f) or 0) * table21(f"({line})", item) for f, line, item in OPENING_FIELDS)


# ---------------------------------------------------------------- section 1: dimensions


def test_three_storeys_floor_area_and_volume() -> None:
    lines = run(dwelling(storeys=THREE_STOREYS, living_area_m2=30.0))
    assert scalar(lines, "4") == approx(62.0 + 55.0 + 38.5)
    assert scalar(lines, "5") == approx(62.0 * 2.65 + 55.0 * 2.45 + 38.5 * 2.30)


def test_three_storeys_give_storey_count_three() -> None:
    lines = run(dwelling(storeys=THREE_STOREYS, living_area_m2=30.0))
    assert scalar(lines, "9") == 3.0


def test_two_building_parts_on_one_level_count_once() -> None:
    storeys = [
        {"level": 0, "floor_area_m2": 50.0, "storey_height_m": 2.5},
        {"level": 0, "floor_area_m2": 18.0, "storey_height_m": 2.35},  # extension, ground
        {"level": 1, "floor_area_m2": 50.0, "storey_height_m": 2.4},
    ]
    lines = run(dwelling(storeys=storeys))
    assert scalar(lines, "9") == 2.0
    assert scalar(lines, "4") == approx(118.0)
    assert scalar(lines, "5") == approx(50.0 * 2.5 + 18.0 * 2.35 + 50.0 * 2.4)


def test_explicit_storey_count_overrides_levels() -> None:
    lines = run(dwelling(storeys=THREE_STOREYS, living_area_m2=30.0, storey_count=4))
    assert scalar(lines, "9") == 4.0
    assert scalar(lines, "10") == approx(3 * table21("(9)-(10)"))


# ---------------------------------------------------------------- section 2: (6a)-(8)


@pytest.mark.parametrize(("field", "line", "item"), OPENING_FIELDS)
def test_each_opening_uses_its_table_2_1_rate(field: str, line: str, item: str) -> None:
    lines = run(dwelling(**{field: 3}))
    rate = table21(f"({line})", item)
    assert scalar(lines, line) == approx(3 * rate)
    assert scalar(lines, "8") == approx(3 * rate / (80.0 * 2.5))


def test_openings_sum_divided_by_volume() -> None:
    counts = {"open_chimneys": 1, "open_flues": 2, "closed_fire_flues": 1,
              "solid_fuel_boiler_flues": 1, "other_heater_flues": 1, "blocked_chimneys": 2,
              "intermittent_fans": 3, "passive_vents": 2, "flueless_gas_fires": 1}
    d = dwelling(storeys=THREE_STOREYS, living_area_m2=30.0, **counts)
    lines = run(d)
    volume = 62.0 * 2.65 + 55.0 * 2.45 + 38.5 * 2.30
    total = sum(counts[f] * table21(f"({line})", item) for f, line, item in OPENING_FIELDS)
    assert scalar(lines, "8") == approx(total / volume)


# ---------------------------------------------------------------- (9)-(18) no pressure test


def test_extra_storey_infiltration_line_10() -> None:
    lines = run(dwelling(storeys=THREE_STOREYS, living_area_m2=30.0))
    assert scalar(lines, "10") == approx((3 - 1) * table21("(9)-(10)"))


@pytest.mark.parametrize(("code", "item"), [(1, "timber"), (2, "masonry")])
def test_structural_infiltration_line_11(code: int, item: str) -> None:
    lines = run(dwelling(wall_construction=code))
    assert scalar(lines, "11") == approx(table21("(11)", item))


@pytest.mark.parametrize(("code", "item"), [(1, "not suspended"), (2, ", sealed"),
                                            (3, "unsealed")])
def test_suspended_floor_line_12(code: int, item: str) -> None:
    lines = run(dwelling(floor_construction=code))
    assert scalar(lines, "12") == approx(table21("(12)", item))


def test_suspended_floor_values_are_0_0p1_0p2() -> None:
    """The point here is the Table 2.1 values themselves."""
    got = [scalar(run(dwelling(floor_construction=code)), "12") for code in (1, 2, 3)]
    assert got == [approx(0.0), approx(0.1), approx(0.2)]


@pytest.mark.parametrize("lobby", [True, False])
def test_draught_lobby_line_13(lobby: bool) -> None:
    lines = run(dwelling(draught_lobby=lobby))
    assert scalar(lines, "13") == approx(0.0 if lobby else table21("(13)"))


def test_draughtproofing_lines_14_15() -> None:
    lines = run(dwelling(draughtproofed_percent=65.0))
    assert scalar(lines, "14") == approx(65.0)
    assert scalar(lines, "15") == approx(0.25 - 0.2 * 65.0 / 100.0)


def test_line_16_and_18_without_pressure_test() -> None:
    d = dwelling(storeys=THREE_STOREYS, living_area_m2=30.0, wall_construction=1,
                 floor_construction=3, draught_lobby=False, draughtproofed_percent=40.0,
                 open_chimneys=1, intermittent_fans=2)
    lines = run(d)
    volume = 62.0 * 2.65 + 55.0 * 2.45 + 38.5 * 2.30
    r16 = infiltration_16(d, volume, 3)
    # (8) 80+20 m3/h; (10) 0.2; (11) 0.25; (12) 0.2; (13) 0.05; (15) 0.25 - 0.08
    assert r16 == approx(100.0 / volume + 0.2 + 0.25 + 0.2 + 0.05 + 0.17)
    assert scalar(lines, "16") == approx(r16)
    assert scalar(lines, "17") == approx(0.0)
    assert scalar(lines, "18") == approx(r16)


@pytest.mark.parametrize("sides", [0, 1, 2, 3, 4])
def test_shelter_factor_line_20_21(sides: int) -> None:
    d = dwelling(sheltered_sides=sides)
    lines = run(d)
    r18 = infiltration_16(d, 200.0, 1)
    r20 = 1.0 - C["shelter_factor_per_side"] * sides
    assert scalar(lines, "19") == float(sides)
    assert scalar(lines, "20") == approx(r20)
    assert scalar(lines, "21") == approx(r18 * r20)


def test_wind_adjusted_infiltration_22b_non_zero_region() -> None:
    region = 14  # West Scotland
    d = dwelling(climate_region=region, sheltered_sides=1)
    lines = run(d)
    r21 = infiltration_16(d, 200.0, 1) * (1.0 - 0.075 * 1)
    u2 = wind(region)
    assert u2 != wind(0)
    assert monthly(lines, "22") == [approx(v) for v in u2]
    assert monthly(lines, "22a") == [approx(v / 4.0) for v in u2]
    assert monthly(lines, "22b") == [approx(r21 * v / 4.0) for v in u2]


# ---------------------------------------------------------------- (24a)-(25)


def natural_24d(r22b: float) -> float:
    """(24d)m = (22b)m if >= 1, else 0.5 + 0.5 x (22b)m^2."""
    return r22b if r22b >= 1.0 else 0.5 + 0.5 * r22b * r22b


def test_natural_ventilation_24d_both_branches() -> None:
    region = 20  # Shetland: windy winters push (22b) over 1, summers leave it below
    d = dwelling(climate_region=region, sheltered_sides=0)
    lines = run(d)
    r21 = infiltration_16(d, 200.0, 1)
    r22b = [r21 * v / 4.0 for v in wind(region)]
    assert any(x >= 1.0 for x in r22b) and any(x < 1.0 for x in r22b)
    assert monthly(lines, "25") == [approx(natural_24d(x)) for x in r22b]


def test_natural_ventilation_24d_below_one_everywhere() -> None:
    d = dwelling()
    lines = run(d)
    r21 = infiltration_16(d, 200.0, 1) * 0.85
    r22b = [r21 * v / 4.0 for v in wind(0)]
    assert all(x < 1.0 for x in r22b)
    assert monthly(lines, "25") == [approx(0.5 + 0.5 * x * x) for x in r22b]


def test_mev_24c_both_branches() -> None:
    # (16) = 0.25 (frame) + 0.05 (100 % draught-proofed) = 0.30; x 0.7 (4 sides) = 0.21
    d = dwelling(ventilation_type=5, mv_specific_fan_power=1.0, wall_construction=1,
                 draught_lobby=True, draughtproofed_percent=100.0, sheltered_sides=4)
    lines = run(d)
    r21 = infiltration_16(d, 200.0, 1) * (1.0 - 0.075 * 4)
    assert r21 == approx(0.21)
    r23b = C["mv_default_ach"]  # (23a) default, in-use factor 1
    assert scalar(lines, "23a") == approx(r23b)
    assert scalar(lines, "23b") == approx(r23b)
    r22b = [r21 * v / 4.0 for v in wind(0)]
    half = 0.5 * r23b
    assert any(x < half for x in r22b) and any(x >= half for x in r22b)
    expected = [r23b if x < half else x + half for x in r22b]
    assert monthly(lines, "25") == [approx(v) for v in expected]


def test_balanced_mv_24b() -> None:
    d = dwelling(ventilation_type=7, mv_system_ach=0.6, mv_specific_fan_power=1.0)
    lines = run(d)
    r21 = infiltration_16(d, 200.0, 1) * 0.85
    assert monthly(lines, "25") == [approx(r21 * v / 4.0 + 0.6) for v in wind(0)]


def test_mvhr_24a_with_efficiency() -> None:
    d = dwelling(ventilation_type=8, mvhr_efficiency_percent=78.0, mv_specific_fan_power=1.0)
    lines = run(d)
    r21 = infiltration_16(d, 200.0, 1) * 0.85
    r23b = C["mv_default_ach"]
    assert scalar(lines, "23c") == approx(78.0)
    assert monthly(lines, "25") == [approx(r21 * v / 4.0 + r23b * (1.0 - 78.0 / 100.0))
                                    for v in wind(0)]


def test_piv_from_loft_uses_natural_24d() -> None:
    d = dwelling(ventilation_type=3)
    lines = run(d)
    r21 = infiltration_16(d, 200.0, 1) * 0.85
    assert monthly(lines, "25") == [approx(natural_24d(r21 * v / 4.0)) for v in wind(0)]


def test_ventilation_heat_loss_38() -> None:
    d = dwelling(ventilation_type=7, mv_specific_fan_power=1.0)
    lines = run(d)
    r25 = monthly(lines, "25")
    assert monthly(lines, "38") == [approx(0.33 * x * 200.0) for x in r25]
