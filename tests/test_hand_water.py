"""Hand-derived checks of worksheet section 4 (water heating), lines (42)-(65).

Volumes follow Appendix J (bath-only dwelling: no shower, one bath): (42b)m = N_bath x 73 x
f_beh,m x (42 - Tcold,m) / (52 - Tcold,m), N_bath = 0.35 N + 0.50; (42c)m = (9.8 N + 14) x
J2_m; (45)m = 4.18 x (44)m x n_m x (52 - Tcold,m) / 3600. Cylinder loss (Tables 2, 2a, 2b)
and primary loss (Table 3) numbers are parsed from their spec CSVs; combi losses from the
Table 3a CSV. Tolerance: relative 1e-9.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from test_hand_common import (
    DAYS,
    SUMMER,
    C,
    approx,
    dwelling,
    monthly,
    monthly_row,
    occupancy,
    run,
    scalar,
)

from ara.sap.tables import read_table


def numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]


def cold(feed: str) -> list[float]:
    return monthly_row([r for r in read_table("sap10_2_table_j1_cold_water_feed_temperature.csv")
                        if r["feed_type"] == feed])


def j_row(table: str) -> list[float]:
    return monthly_row([r for r in read_table("sap10_2_tables_j2_j5_hot_water_monthly_factors.csv")
                        if r["table"] == table])


TABLE2 = read_table("sap10_2_tables_2_2a_2b_cylinder_storage_loss.csv")


def table2(table: str, condition_contains: str) -> str:
    rows = [r for r in TABLE2 if r["table"] == table and condition_contains in r["condition"]]
    assert len(rows) == 1, rows
    return rows[0]["expression_or_value"]


def loss_factor(insulation: str, t: float) -> float:
    """Table 2 Note 1: L = a + b / (t + t0), numbers from the CSV expression."""
    a, b, t0 = numbers(table2("2", insulation))
    return a + b / (t + t0)


def volume_factor(v: float) -> float:
    """Table 2a Note 2: VF = (120 / V)^(1/3)."""
    ref = numbers(table2("2a", "V ="))[0]
    return (ref / v) ** (1.0 / 3.0)


TF_BASE = float(table2("2b", "indirect cylinder"))
TF_NO_STAT = float(table2("2b", "no cylinder thermostat"))
TF_TIMED = float(table2("2b", "separately timed"))

TABLE3 = read_table("sap10_2_table3_primary_circuit_loss.csv")


def table3(parameter: str, condition_contains: str) -> tuple[float, float]:
    rows = [r for r in TABLE3 if r["parameter"] == parameter
            and condition_contains in r["condition"]]
    if len(rows) > 1:  # a condition that is part of another one: take the exact row
        rows = [r for r in rows if r["condition"] == condition_contains]
    assert len(rows) == 1, rows
    return float(rows[0]["winter_value"]), float(rows[0]["summer_value"])


def primary_loss(p: float, h_winter: float, h_summer: float) -> list[float]:
    """Table 3: (59)m = n_m x 14 x [(0.0091 p + 0.0245 (1 - p)) h + 0.0263]."""
    out = []
    for m in range(12):
        h = h_summer if m in SUMMER else h_winter
        out.append(DAYS[m] * C["primary_loss_days_factor"]
                   * ((C["primary_loss_insulated"] * p
                       + C["primary_loss_uninsulated"] * (1.0 - p)) * h
                      + C["primary_loss_constant"]))
    return out


def combi_row(row: str) -> float:
    rows = [r for r in read_table("sap10_2_table3a_3b_combi_loss_PARTIAL.csv")
            if r["table"] == "3a" and r["row"] == row]
    return numbers(rows[0]["expression_kwh_per_month"])[0]


def volumes(tfa: float, feed: str = "mains", target_125: bool = False) \
        -> tuple[list[float], list[float], list[float]]:
    """(42b)m, (42c)m and (44)m for a bath-only dwelling."""
    n = occupancy(tfa)
    n_bath = C["baths_no_shower_a"] * n + C["baths_no_shower_b"]
    other = C["other_uses_a"] * n + C["other_uses_b"]
    if target_125:
        other *= C["water_target_factor"]
    tc, j2, fbeh = cold(feed), j_row("J2"), j_row("J5")
    bath = [n_bath * C["bath_volume"] * fbeh[m] * (42.0 - tc[m]) / (52.0 - tc[m])
            for m in range(12)]
    oth = [other * j2[m] for m in range(12)]
    return bath, oth, [b + o for b, o in zip(bath, oth, strict=True)]


def energy_45(v44: list[float], feed: str = "mains") -> list[float]:
    tc = cold(feed)
    return [4.18 * v44[m] * DAYS[m] * (52.0 - tc[m]) / 3600.0 for m in range(12)]


def cylinder(**kw: Any) -> dict[str, Any]:
    d = {"hot_water_delivery": 3, "cylinder_volume_l": 150.0, "cylinder_insulation_type": 1,
         "cylinder_insulation_mm": 50.0, "cylinder_thermostat": True,
         "hot_water_separately_timed": True, "primary_pipework_insulation": 1}
    d.update(kw)
    return dwelling(**d)


# ---------------------------------------------------------------- volumes and energy


def test_bath_only_volumes_and_energy_mains() -> None:
    lines = run(dwelling())
    bath, other, v44 = volumes(80.0)
    assert scalar(lines, "42") == approx(occupancy(80.0))
    assert monthly(lines, "42a") == [approx(0.0)] * 12
    assert monthly(lines, "42b") == [approx(v) for v in bath]
    assert monthly(lines, "42c") == [approx(v) for v in other]
    assert monthly(lines, "44") == [approx(v) for v in v44]
    assert monthly(lines, "45") == [approx(v) for v in energy_45(v44)]


def test_header_tank_cold_feed_table_j1() -> None:
    lines = run(dwelling(cold_water_source=2))
    bath, _other, v44 = volumes(80.0, "header_tank")
    assert cold("header_tank") != cold("mains")
    assert monthly(lines, "42b") == [approx(v) for v in bath]
    assert monthly(lines, "45") == [approx(v) for v in energy_45(v44, "header_tank")]


def test_water_use_target_125_reduces_other_uses() -> None:
    lines = run(dwelling(water_use_target_125=True))
    _bath, other, v44 = volumes(80.0, target_125=True)
    assert monthly(lines, "42c") == [approx(v) for v in other]
    assert monthly(lines, "44") == [approx(v) for v in v44]


def test_distribution_loss_46_is_15_percent() -> None:
    lines = run(dwelling())
    e45 = energy_45(volumes(80.0)[2])
    assert monthly(lines, "46") == [approx(0.15 * v) for v in e45]


def test_point_of_use_has_no_distribution_loss() -> None:
    lines = run(dwelling(hot_water_delivery=1, water_heating_code=907, water_heating_fuel=30))
    e45 = energy_45(volumes(80.0)[2])
    assert monthly(lines, "46") == [approx(0.0)] * 12
    assert monthly(lines, "61") == [approx(0.0)] * 12
    assert monthly(lines, "62") == [approx(0.85 * v) for v in e45]


def test_multi_point_heater_has_distribution_loss_and_nothing_else() -> None:
    """Delivery 4 (908, an instantaneous heater serving several taps): (46) = 0.15 x (45) as
    for any heater not at the point of use; no store (56)-(59), no combi loss (61); the
    output (62) = 0.85 x (45) + (46) = (45)."""
    lines = run(dwelling(hot_water_delivery=4, water_heating_code=908, water_heating_fuel=1))
    e45 = energy_45(volumes(80.0)[2])
    assert monthly(lines, "46") == [approx(0.15 * v) for v in e45]
    for label in ("56", "59", "61"):
        assert monthly(lines, label) == [approx(0.0)] * 12, label
    assert monthly(lines, "62") == [approx(v) for v in e45]


# ---------------------------------------------------------------- cylinder (Tables 2, 2a, 2b)


def test_factory_insulated_cylinder_storage_loss() -> None:
    lines = run(cylinder())
    big_l = loss_factor("factory", 50.0)
    vf = volume_factor(150.0)
    tf = TF_BASE * TF_TIMED
    assert big_l == approx(0.005 + 0.55 / 54.0)
    assert scalar(lines, "47") == approx(150.0)
    assert scalar(lines, "51") == approx(big_l)
    assert scalar(lines, "52") == approx((120.0 / 150.0) ** (1.0 / 3.0))
    assert scalar(lines, "53") == approx(tf)
    assert scalar(lines, "55") == approx(150.0 * big_l * vf * tf)
    assert monthly(lines, "56") == [approx(150.0 * big_l * vf * tf * n) for n in DAYS]
    assert monthly(lines, "57") == monthly(lines, "56")


def test_loose_jacket_cylinder_storage_loss() -> None:
    lines = run(cylinder(cylinder_insulation_type=2, cylinder_insulation_mm=25.0,
                         cylinder_volume_l=110.0))
    big_l = loss_factor("loose jacket", 25.0)
    assert big_l == approx(0.005 + 1.76 / (25.0 + 12.8))
    tf = TF_BASE * TF_TIMED
    assert scalar(lines, "51") == approx(big_l)
    assert scalar(lines, "55") == approx(110.0 * big_l * volume_factor(110.0) * tf)


@pytest.mark.parametrize(("thermostat", "timed"), [(True, True), (True, False),
                                                   (False, True), (False, False)])
def test_temperature_factor_table_2b(thermostat: bool, timed: bool) -> None:
    lines = run(cylinder(cylinder_thermostat=thermostat, hot_water_separately_timed=timed))
    tf = TF_BASE * (1.0 if thermostat else TF_NO_STAT) * (TF_TIMED if timed else 1.0)
    assert scalar(lines, "53") == approx(tf)
    assert scalar(lines, "55") == approx(150.0 * loss_factor("factory", 50.0)
                                         * volume_factor(150.0) * tf)


def test_temperature_factor_values() -> None:
    """The point is the value: 0.60, x1.3 without thermostat, x0.9 separately timed."""
    got = [scalar(run(cylinder(cylinder_thermostat=s, hot_water_separately_timed=t)), "53")
           for s, t in ((True, False), (True, True), (False, False), (False, True))]
    assert got == [approx(0.6), approx(0.54), approx(0.78), approx(0.702)]


def test_declared_loss_path() -> None:
    lines = run(cylinder(cylinder_declared_loss_kwh_per_day=1.35,
                         cylinder_insulation_type=None, cylinder_insulation_mm=None))
    tf = TF_BASE * TF_TIMED
    assert scalar(lines, "55") == approx(1.35 * tf)
    assert monthly(lines, "56") == [approx(1.35 * tf * n) for n in DAYS]


# ---------------------------------------------------------------- primary loss (Table 3)

PIPEWORK = {1: "uninsulated", 2: "first 1 m", 3: "all accessible", 4: "fully insulated"}


@pytest.mark.parametrize("code", [1, 2, 3, 4])
def test_primary_loss_each_pipework_insulation(code: int) -> None:
    lines = run(cylinder(primary_pipework_insulation=code))
    p, _ = table3("p", PIPEWORK[code])
    hw, hs = table3("h", "cylinder thermostat, water heating separately timed")
    assert monthly(lines, "59") == [approx(v) for v in primary_loss(p, hw, hs)]


@pytest.mark.parametrize(("thermostat", "timed", "row"), [
    (True, True, "cylinder thermostat, water heating separately timed"),
    (True, False, "not separately timed"),
    (False, True, "no cylinder thermostat"),
    (False, False, "no cylinder thermostat"),
])
def test_primary_loss_winter_and_summer_hours(thermostat: bool, timed: bool, row: str) -> None:
    lines = run(cylinder(cylinder_thermostat=thermostat, hot_water_separately_timed=timed,
                         primary_pipework_insulation=3))
    p, _ = table3("p", "all accessible")
    hw, hs = table3("h", row)
    expected = primary_loss(p, hw, hs)
    assert monthly(lines, "59") == [approx(v) for v in expected]


def test_primary_loss_values_jan_and_july() -> None:
    """The point is the value: Table 3 h 5 (winter) / 3 (summer), p = 0."""
    lines = run(cylinder(hot_water_separately_timed=False))
    assert monthly(lines, "59")[0] == approx(31 * 14 * (0.0245 * 5 + 0.0263))
    assert monthly(lines, "59")[6] == approx(31 * 14 * (0.0245 * 3 + 0.0263))


def test_no_primary_loss_when_not_applicable() -> None:
    lines = run(cylinder(primary_loss_applies=False))
    assert monthly(lines, "59") == [approx(0.0)] * 12
    # Table 2b note b: x 0.9 only with a shared heat generator, i.e. a primary circuit
    assert scalar(lines, "53") == approx(TF_BASE)


def test_cylinder_output_62_and_gains_65() -> None:
    lines = run(cylinder(primary_pipework_insulation=2))
    e45 = energy_45(volumes(80.0)[2])
    e46 = [0.15 * v for v in e45]
    storage = 150.0 * loss_factor("factory", 50.0) * volume_factor(150.0) * TF_BASE * TF_TIMED
    e57 = [storage * n for n in DAYS]
    p, _ = table3("p", "first 1 m")
    e59 = primary_loss(p, *table3("h", "cylinder thermostat, water heating separately timed"))
    e62 = [0.85 * e45[m] + e46[m] + e57[m] + e59[m] for m in range(12)]
    e65 = [0.25 * (0.85 * e45[m] + 0.0) + 0.8 * (e46[m] + e57[m] + e59[m]) for m in range(12)]
    assert monthly(lines, "61") == [approx(0.0)] * 12
    assert monthly(lines, "62") == [approx(v) for v in e62]
    assert monthly(lines, "64") == [approx(v) for v in e62]
    assert monthly(lines, "65") == [approx(v) for v in e65]


# ---------------------------------------------------------------- combi (Table 3a)


@pytest.mark.parametrize(("keep_hot", "row"), [(1, "3"), (2, "4")])
def test_combi_keep_hot_rows(keep_hot: int, row: str) -> None:
    lines = run(dwelling(hot_water_delivery=2, combi_keep_hot=keep_hot))
    kwh = combi_row(row)
    assert kwh == (600.0 if keep_hot == 1 else 900.0)
    assert monthly(lines, "61") == [approx(kwh * n / 365.0) for n in DAYS]


def small(**kw: Any) -> dict[str, Any]:
    return dwelling(storeys=[{"level": 0, "floor_area_m2": 30.0, "storey_height_m": 2.4}],
                    living_area_m2=12.0, **kw)


def test_combi_without_keep_hot_small_dwelling_fu_below_one() -> None:
    lines = run(small(hot_water_delivery=2, combi_keep_hot=0))
    v44 = volumes(30.0)[2]
    fu = [v / 100.0 for v in v44]
    assert all(f < 1.0 for f in fu)
    assert monthly(lines, "61") == [approx(combi_row("1") * fu[m] * DAYS[m] / 365.0)
                                    for m in range(12)]


def test_combi_without_keep_hot_fu_capped_at_one() -> None:
    # TFA 60: (44)m above 100 litres in winter, below in summer
    d = dwelling(storeys=[{"level": 0, "floor_area_m2": 30.0, "storey_height_m": 2.5},
                          {"level": 1, "floor_area_m2": 30.0, "storey_height_m": 2.5}])
    lines = run(d)
    v44 = volumes(60.0)[2]
    fu = [min(1.0, v / 100.0) for v in v44]
    assert any(f == 1.0 for f in fu) and any(f < 1.0 for f in fu)
    assert monthly(lines, "61") == [approx(600.0 * fu[m] * DAYS[m] / 365.0)
                                    for m in range(12)]


def test_combi_gains_65() -> None:
    lines = run(small(hot_water_delivery=2, combi_keep_hot=2))
    e45 = energy_45(volumes(30.0)[2])
    e61 = [900.0 * n / 365.0 for n in DAYS]
    e65 = [0.25 * (0.85 * e45[m] + e61[m]) + 0.8 * (0.15 * e45[m]) for m in range(12)]
    assert monthly(lines, "65") == [approx(v) for v in e65]


@pytest.mark.parametrize(("baths", "a", "b"), [(1, "showers_with_bath_a", "showers_with_bath_b"),
                                               (0, "showers_no_bath_a", "showers_no_bath_b")])
def test_mixer_shower_volume_with_and_without_a_bath(baths: int, a: str, b: str) -> None:
    """(42a)m = N_shower x 7 l/min x 6 min x f_beh,m x (41 - Tcold,m) / (52 - Tcold,m) for one
    mixer outlet, N_shower = 0.45 N + 0.65 with a bath and 0.58 N + 0.83 without (J1); with
    a bath, (42b)m = (0.13 N + 0.19) baths a day x 73 l; without, no bath water."""
    d = dwelling(bath_count=baths, showers=[
        {"outlet_type": 1, "flow_rate_l_per_min": 7.0, "power_kw": None}])
    lines = run(d)
    n = occupancy(float(scalar(lines, "4")))
    n_shower = C[a] * n + C[b]
    tc, fbeh = cold("mains"), j_row("J5")
    expected = [n_shower * 7.0 * 6.0 * fbeh[m] * (41.0 - tc[m]) / (52.0 - tc[m])
                for m in range(12)]
    assert monthly(lines, "42a") == approx(expected)
    n_bath = C["baths_with_shower_a"] * n + C["baths_with_shower_b"] if baths else 0.0
    assert monthly(lines, "42b") == approx(
        [n_bath * C["bath_volume"] * fbeh[m] * (42.0 - tc[m]) / (52.0 - tc[m])
         for m in range(12)])
