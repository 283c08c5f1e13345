"""Hand-derived checks of worksheet sections 5 (internal gains, Appendix L lighting),
7 (mean internal temperature) and 8 (space heating requirement).

Section 7/8 tests take the heat transfer coefficient (39)m and total gains (84)m from the
trace as their inputs (those lines are checked elsewhere) and write out Tables 9, 9a, 9b,
9c and lines (85)-(98) from there; Table U1 temperatures come from the spec CSV.
Tolerance: relative 1e-9.
"""

from __future__ import annotations

import math
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
    occupancy,
    region_row,
    run,
    scalar,
    window,
)

from ara.sap.tables import read_table

TABLE5A = read_table("sap10_2_table5a_pump_fan_gains_PARTIAL.csv")


def pump_gain(condition: str) -> float:
    rows = [r for r in TABLE5A if r["item"] == "Central heating pump in heated space"
            and r["condition"] == condition]
    assert len(rows) == 1, rows
    return float(rows[0]["gain_w"])


def warm_air_factor() -> float:
    """Table 5a 'SFP x 0.04 x V'."""
    rows = [r for r in TABLE5A if r["item"] == "Warm air heating system fans"]
    return float(re.search(r"x ([\d.]+) x V", rows[0]["formula"]).group(1))


def heating_season(value: float) -> list[float]:
    return [0.0 if m in SUMMER else value for m in range(12)]


# ---------------------------------------------------------------- (70) pumps and fans


@pytest.mark.parametrize(("age", "condition"), [(2, "2013 or later"), (1, "2012 or earlier"),
                                                (0, "unknown date")])
def test_pump_gain_by_age_zero_june_to_september(age: int, condition: str) -> None:
    lines = run(dwelling(main1_pump_in_heated_space=True, main1_pump_age=age))
    assert monthly(lines, "70") == [approx(v) for v in heating_season(pump_gain(condition))]


def test_pump_gain_values() -> None:
    """The point is the value: Table 5a 3 / 10 / 7 W."""
    got = [monthly(run(dwelling(main1_pump_in_heated_space=True, main1_pump_age=a)), "70")[0]
           for a in (2, 1, 0)]
    assert got == [approx(3.0), approx(10.0), approx(7.0)]


def test_pump_outside_heated_space_gives_no_gain() -> None:
    lines = run(dwelling(main1_pump_in_heated_space=False, main1_pump_age=2))
    assert monthly(lines, "70") == [approx(0.0)] * 12


def test_two_main_systems_pump_gains_add() -> None:
    d = dwelling(main1_pump_in_heated_space=True, main1_pump_age=2, main1_fraction=0.6,
                 main2_code=104, main2_fuel=1, main2_fraction=0.4, main2_responsiveness=1.0,
                 main2_pump_in_heated_space=True, main2_pump_age=0)
    lines = run(d)
    expected = pump_gain("2013 or later") + pump_gain("unknown date")
    assert monthly(lines, "70") == [approx(v) for v in heating_season(expected)]


def test_warm_air_fan_gain_sfp_x_0p04_x_volume() -> None:
    lines = run(dwelling(warm_air_fan_sfp=1.5))
    assert monthly(lines, "70") == [approx(v) for v in
                                    heating_season(1.5 * warm_air_factor() * 80.0 * 2.5)]


def test_warm_air_fan_and_pump_add() -> None:
    lines = run(dwelling(warm_air_fan_sfp=0.8, main1_pump_in_heated_space=True,
                         main1_pump_age=1))
    expected = 0.8 * 0.04 * 200.0 + pump_gain("2012 or earlier")
    assert monthly(lines, "70") == [approx(v) for v in heating_season(expected)]


# ---------------------------------------------------------------- Appendix L lighting

APPENDIX_L = {r["item"]: r for r in read_table("sap10_2_appendix_l_lighting.csv")}


def l_value(item: str) -> float:
    return float(APPENDIX_L[item]["value"])


def light_access(code: int) -> float:
    name = {1: "very little", 2: "average or unknown", 3: "more than average", 4: "heavy"}[code]
    rows = [r for r in read_table("sap_table6d_overshading_access_factors.csv")
            if r["overshading"] == name]
    return float(rows[0]["light_access_factor"])


def lighting(tfa: float, openings: list[dict[str, Any]], overshading: int,
             fixed: list[dict[str, Any]] | None) -> dict[str, float]:
    """Appendix L lines L1-L9d written out."""
    n = occupancy(tfa)
    l1 = l_value("L1 coefficient a") * l_value("L1 coefficient b") \
        * (tfa * n) ** l_value("L1 exponent")
    z_l = light_access(overshading)
    g_l = sum(0.9 * o["area_m2"] * 0.9 * o["light_transmittance"] * o["frame_factor"] * z_l
              for o in openings if o["kind"] != 1) / tfa
    cd = 52.2 * g_l**2 - 9.94 * g_l + 1.433 if g_l <= 0.095 else 0.96
    l3 = 2.0 / 3.0 * l1 * cd
    l4 = l_value("L4 reference capacity per m2") * tfa
    if fixed is None:  # no fixed-lighting data: SAP default capacity and efficacy
        l5 = l_value("L5 default capacity (no fixed-lighting data)") * tfa
        l8 = l_value("L8 default efficacy (no fixed-lighting data)")
    elif fixed:
        l5 = sum(f["count"] * f["power_w"] * f["efficacy_lm_per_w"] for f in fixed)
        l8 = l5 / sum(f["count"] * f["power_w"] for f in fixed)
    else:  # recorded as having no fixed outlets
        l5 = 0.0
        l8 = 0.0
    l6 = l3 * l5 / l4
    l7 = max(0.0, l3 / 3.0 - l6)
    eff = l_value("top-up efficacy")
    l9a = l3 / l8 if l8 > 0 else 0.0
    l9b = l7 / eff
    l9c = l1 * cd / 3.0 / l_value("portable efficacy")
    return {"L1": l1, "L2a": g_l, "L2b": cd, "L3": l3, "L4": l4, "L5": l5, "L6": l6, "L7": l7,
            "L8": l8, "L9a": l9a, "L9b": l9b, "L9c": l9c, "L9d": l9a + l9b + l9c}


LOW_CAPACITY = [{"count": 10, "power_w": 5.0, "efficacy_lm_per_w": 80.0},
                {"count": 4, "power_w": 60.0, "efficacy_lm_per_w": 11.2}]
HIGH_CAPACITY = [{"count": 30, "power_w": 9.0, "efficacy_lm_per_w": 100.0},
                 {"count": 2, "power_w": 11.0, "efficacy_lm_per_w": 55.0}]


def test_fixed_lighting_capacity_and_efficacy() -> None:
    lines = run(dwelling(fixed_lighting=LOW_CAPACITY))
    capacity = 10 * 5.0 * 80.0 + 4 * 60.0 * 11.2
    assert scalar(lines, "L5") == approx(capacity)
    assert scalar(lines, "L8") == approx(capacity / (10 * 5.0 + 4 * 60.0))


def test_top_up_lighting_when_capacity_is_low() -> None:
    lines = run(dwelling(fixed_lighting=LOW_CAPACITY))
    exp = lighting(80.0, [window()], 2, LOW_CAPACITY)
    assert exp["L5"] < exp["L4"] / 3.0 and exp["L7"] > 0.0
    for label in ("L1", "L2a", "L2b", "L3", "L4", "L6", "L7", "L9a", "L9b", "L9c", "L9d"):
        assert scalar(lines, label) == approx(exp[label]), label


def test_no_top_up_when_capacity_is_high() -> None:
    lines = run(dwelling(fixed_lighting=HIGH_CAPACITY))
    exp = lighting(80.0, [window()], 2, HIGH_CAPACITY)
    assert exp["L5"] > exp["L4"] / 3.0
    assert scalar(lines, "L7") == approx(0.0)
    assert scalar(lines, "L9a") == approx(exp["L9a"])
    assert scalar(lines, "L9d") == approx(exp["L9d"])


def test_empty_fixed_lighting_list_means_no_fixed_lighting_energy() -> None:
    lines = run(dwelling(fixed_lighting=[]))
    exp = lighting(80.0, [window()], 2, [])
    assert scalar(lines, "L5") == approx(0.0)
    assert scalar(lines, "L9a") == approx(0.0)
    assert scalar(lines, "L7") == approx(exp["L3"] / 3.0)
    assert scalar(lines, "L9d") == approx(exp["L9d"])


def test_no_fixed_lighting_data_uses_defaults() -> None:
    lines = run(dwelling(fixed_lighting=None, windows_overshading=3))
    exp = lighting(80.0, [window()], 3, None)
    assert scalar(lines, "L5") == approx(exp["L5"])
    assert scalar(lines, "L8") == approx(exp["L8"])
    assert scalar(lines, "L9d") == approx(exp["L9d"])


def test_lighting_gains_67_monthly() -> None:
    lines = run(dwelling(fixed_lighting=LOW_CAPACITY))
    e = lighting(80.0, [window()], 2, LOW_CAPACITY)["L9d"]
    expected = [0.85 * e * (1.0 + 0.5 * math.cos(2.0 * math.pi * (m + 1 - 0.2) / 12.0))
                * DAYS[m] / 365.0 * 1000.0 / (24.0 * DAYS[m]) for m in range(12)]
    assert monthly(lines, "67") == [approx(v) for v in expected]


# ---------------------------------------------------------------- section 7 and 8


def eta(gains: float, loss: float, a: float) -> float:
    """Table 9a utilisation factor."""
    if loss <= 0.0:
        return 1.0
    g = gains / loss
    if g <= 0.0:
        return 1.0
    if g == 1.0:
        return a / (a + 1.0)
    return (1.0 - g**a) / (1.0 - g ** (a + 1.0))


def off_drop(t_off: float, t_h: float, t_sc: float, t_c: float) -> float:
    """Table 9b temperature reduction u."""
    if t_off <= t_c:
        return 0.5 * t_off**2 * (t_h - t_sc) / (24.0 * t_c)
    return (t_h - t_sc) * (t_off - 0.5 * t_c) / 24.0


def zone(t_h: float, t_e: float, h: float, gains: float, a: float, tau: float, r: float,
         offs: tuple[float, float]) -> tuple[float, float]:
    e = eta(gains, h * (t_h - t_e), a)
    t_c = 4.0 + 0.25 * tau
    t_sc = (1.0 - r) * (t_h - 2.0) + r * (t_e + e * gains / h)
    return e, t_h - off_drop(offs[0], t_h, t_sc, t_c) - off_drop(offs[1], t_h, t_sc, t_c)


def section7(lines: dict[str, Any], tfa: float, tmp: float, living: float, r: float,
             control_type: int, adj: float, region: int = 0) -> dict[str, list[float]]:
    """Lines (86)-(98) month by month from (39)m and (84)m."""
    t_ext = region_row("sap10_2_table_u1_mean_external_temperature.csv", region)
    h39 = monthly(lines, "39")
    g84 = monthly(lines, "84")
    f_la = living / tfa
    out: dict[str, list[float]] = {k: [] for k in
                                   ("40", "88", "86", "87", "89", "90", "92", "93", "94",
                                    "95", "97", "98", "tau")}
    for m in range(12):
        h, g, te = h39[m], g84[m], t_ext[m]
        hlp = h / tfa
        tau = tmp / (3.6 * hlp)
        a = 1.0 + tau / 15.0
        eta1, t1 = zone(21.0, te, h, g, a, tau, r, (7.0, 8.0))
        x = min(hlp, 6.0)
        t_h2 = 21.0 - 0.5 * x if control_type == 1 else 21.0 - x + x * x / 12.0
        offs2 = (9.0, 8.0) if control_type == 3 else (7.0, 8.0)
        eta2, t2 = zone(t_h2, te, h, g, a, tau, r, offs2)
        t92 = f_la * t1 + (1.0 - f_la) * t2
        t93 = t92 + adj
        loss = h * (t93 - te)
        e94 = eta(g, loss, a)
        q = 0.0 if m in SUMMER else max(0.0, 0.024 * (loss - e94 * g) * DAYS[m])
        for k, v in (("40", hlp), ("tau", tau), ("86", eta1), ("87", t1), ("88", t_h2),
                     ("89", eta2), ("90", t2), ("92", t92), ("93", t93), ("94", e94),
                     ("95", e94 * g), ("97", loss), ("98", q)):
            out[k].append(v)
    return out


def check(lines: dict[str, Any], exp: dict[str, list[float]], labels: tuple[str, ...]) -> None:
    for label in labels:
        assert monthly(lines, label) == [approx(v) for v in exp[label]], label


def heated(**kw: Any) -> dict[str, Any]:
    """A two-storey dwelling, TMP given, control type, R and adjustment given."""
    base = {"storeys": [{"level": 0, "floor_area_m2": 45.0, "storey_height_m": 2.5},
                        {"level": 1, "floor_area_m2": 45.0, "storey_height_m": 2.5}],
            "living_area_m2": 25.0, "thermal_mass_parameter": 250.0}
    base.update(kw)
    return dwelling(**base)


def test_control_type_1_elsewhere_temperature() -> None:
    lines = run(heated(main1_control_type=1))
    exp = section7(lines, 90.0, 250.0, 25.0, 1.0, 1, 0.0)
    check(lines, exp, ("40", "86", "87", "88", "89", "90", "92", "93"))
    hlp = exp["40"][0]
    assert monthly(lines, "88")[0] == approx(21.0 - 0.5 * hlp)


def test_control_type_3_elsewhere_temperature_and_9h_off() -> None:
    lines = run(heated(main1_control_type=3))
    exp = section7(lines, 90.0, 250.0, 25.0, 1.0, 3, 0.0)
    check(lines, exp, ("88", "89", "90", "92", "93"))
    hlp = exp["40"][0]
    assert monthly(lines, "88")[0] == approx(21.0 - hlp + hlp**2 / 12.0)


def test_control_type_3_colder_elsewhere_than_type_2() -> None:
    """Same T_h2 formula; only the 9 h (instead of 7 h) off period differs."""
    t2 = monthly(run(heated(main1_control_type=2)), "90")
    t3 = monthly(run(heated(main1_control_type=3)), "90")
    assert all(b < a for a, b in zip(t2, t3, strict=True))


def test_hlp_above_6_is_capped_for_elsewhere_temperature() -> None:
    elements = [{"kind": 1, "gross_area_m2": 150.0, "u_value": 2.1, "kappa_kj_per_m2k": 60.0,
                 "thermal_bridging_y": 0.15},
                {"kind": 3, "gross_area_m2": 40.0, "u_value": 2.3, "kappa_kj_per_m2k": 9.0},
                {"kind": 4, "gross_area_m2": 40.0, "u_value": 1.2, "kappa_kj_per_m2k": 110.0}]
    for ctype in (1, 2):
        d = dwelling(storeys=[{"level": 0, "floor_area_m2": 40.0, "storey_height_m": 2.6}],
                     living_area_m2=15.0, elements=elements, open_chimneys=2,
                     main1_control_type=ctype)
        lines = run(d)
        exp = section7(lines, 40.0, 250.0, 15.0, 1.0, ctype, 0.0)
        assert all(hlp > 6.0 for hlp in exp["40"])
        # capped: 21 - 0.5 x 6 = 18 and 21 - 6 + 36 / 12 = 18
        assert monthly(lines, "88") == [approx(18.0)] * 12
        check(lines, exp, ("tau", "87", "90", "92"))


def test_low_responsiveness_storage_heating() -> None:
    rows = [r for r in read_table("sap10_2_table4d_emitter_responsiveness.csv")
            if r["table"] == "4a" and r["code_or_emitter"] == "422"]
    r = float(rows[0]["responsiveness_R"])
    assert r == 0.25
    lines = run(heated(main1_responsiveness=None, main1_code=422, main1_fuel=30,
                       water_heating_code=903, water_heating_fuel=30))
    exp = section7(lines, 90.0, 250.0, 25.0, r, 2, 0.0)
    check(lines, exp, ("86", "87", "89", "90", "92", "93"))
    fast = monthly(run(heated()), "87")
    assert monthly(lines, "87") != [approx(v) for v in fast]


def test_table_4e_adjustment_added_in_93() -> None:
    rows = [r for r in read_table("sap10_2_table4e_control_temperature_adjustment.csv")
            if int(r["code_from"]) <= 2101 <= int(r["code_to"])]
    adj = float(rows[0]["temperature_adjustment_k"])
    assert adj == 0.6
    lines = run(heated(main1_control=2101, main1_control_type=None,
                       main1_temperature_adjustment_k=None))
    exp = section7(lines, 90.0, 250.0, 25.0, 1.0, 1, adj)  # 2101 is control type 1
    check(lines, exp, ("88", "92", "93"))
    assert [b - a for a, b in zip(monthly(lines, "92"), monthly(lines, "93"), strict=True)] \
        == [approx(0.6)] * 12


def test_space_heating_98_zero_june_to_september() -> None:
    lines = run(heated(main1_temperature_adjustment_k=0.3))
    exp = section7(lines, 90.0, 250.0, 25.0, 1.0, 2, 0.3)
    check(lines, exp, ("93", "94", "95", "97", "98"))
    assert [monthly(lines, "98")[m] for m in SUMMER] == [0.0] * 4
    assert all(monthly(lines, "98")[m] > 0.0 for m in range(12) if m not in SUMMER)
    assert scalar(lines, "98") == approx(sum(exp["98"]))
    assert scalar(lines, "99") == approx(sum(exp["98"]) / 90.0)


def test_section7_non_zero_region() -> None:
    lines = run(heated(climate_region=17, main1_control_type=3))
    exp = section7(lines, 90.0, 250.0, 25.0, 1.0, 3, 0.0, region=17)
    assert monthly(lines, "96") == [approx(v) for v in region_row(
        "sap10_2_table_u1_mean_external_temperature.csv", 17)]
    check(lines, exp, ("87", "90", "93", "98"))


def test_constants_used_here_match_the_csv() -> None:
    """The section 7 formulas above write Table 9/9a/9b numbers out; they must be the
    spec's."""
    assert (C["living_area_heating_temperature"], C["hlp_cap"], C["off_hours_1"],
            C["off_hours_2"], C["off_hours_type3"], C["time_constant_divisor"],
            C["utilisation_tau_divisor"], C["cooling_time_base"], C["cooling_time_factor"],
            C["setback_drop"], C["space_heating_kwh_factor"]) == \
        (21.0, 6.0, 7.0, 8.0, 9.0, 3.6, 15.0, 4.0, 0.25, 2.0, 0.024)
