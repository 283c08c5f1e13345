"""Hand-derived checks of SAP 10.2 Appendix N: a heat pump from product (PCDB) data.

The dwelling's annual-average heat transfer coefficient (39) and the section 5 gains (84)m
are read from the trace (they have their own hand tests and do not depend on the heating
system). From there everything is written out from the Appendix N rules with the numbers
of spec/tables (sap10_2_appendix_n_heat_pump_rules.csv, Tables N4 and N5, the N3.5 month
order) and the worksheet constants:

* PSR = output kW / ((39) x design temperature difference / 1000) (N2);
* 1 / eta = (1 - t) / eta_lo + t / eta_hi at t = (PSR - PSR_lo) / (PSR_hi - PSR_lo) (fn 43);
  above the largest PSR the same towards 100 % at twice it (fn 44/45); below the smallest
  PSR 100 %;
* (206) = space in-use factor x eta_space (N3.6); (217) = max(Table N8 factor x eta_water,
  100 %) (N3.7);
* equation N5 per zone: T = [N24 Th + N16 T_uni + (Nm - N24 - N16) T_bi] / Nm, T_uni with
  one off period (Table N4 '16'), days from Table N4 or Table N5 allocated in N3.5 order.

Tolerance: relative 1e-9.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from test_hand_common import DAYS, SUMMER, C, approx, region_row
from test_hand_systems_common import (
    Systems,
    check_result,
    check_worksheet,
    cylinder,
    full,
    input_error,
    mon,
    price,
    problem,
    result_row,
    sap_standing,
    val,
    worksheet,
)

from ara.sap import calculate, trace
from ara.sap.tables import MONTHS, read_table

ELEC = 30
RULES = {r["name"]: float(r["value"])
         for r in read_table("sap10_2_appendix_n_heat_pump_rules.csv")}
N5 = {float(r["plant_size_ratio"]): (float(r["n24_9_days"]), float(r["n16_9_days"]))
      for r in read_table("sap10_2_table_n5_variable_heating_days.csv")}
ORDER = [MONTHS.index(r["month"]) for r in
         sorted(read_table("sap10_2_table_n5_month_allocation_order.csv"),
                key=lambda r: int(r["rank"]))]
N4 = {r["code"]: r for r in read_table("sap10_2_table_n4_heating_duration.csv")}

# a product record: three datasets (PSR, space %, water %)
POINTS = [(0.5, 310.0, 260.0), (1.0, 280.0, 240.0), (1.5, 250.0, 220.0)]


def points(rows: list[tuple[float, float, float | None]] = POINTS) -> list[dict[str, Any]]:
    return [{"psr": x, "space_efficiency_percent": s, "water_efficiency_percent": w}
            for x, s, w in rows]


def base(**kw: Any) -> dict[str, Any]:
    """Heat pump 211 with a 150 l cylinder heating the water (901)."""
    d: dict[str, Any] = {"main1_code": 211, "main1_fuel": ELEC}
    d.update(kw)
    return cylinder(**d)


HLC = val(full(base()), "39")  # (39) annual average, W/K, of the base dwelling


def output_for(psr: float, hlc: float = HLC) -> float:
    """The maximum output (kW) that gives ``psr`` in a dwelling of heat loss ``hlc``."""
    return psr * hlc * RULES["psr_design_temperature_difference"] / 1000.0


def hp(psr: float, **kw: Any) -> dict[str, Any]:
    d = {"main1_hp_psr_data": points(), "main1_hp_max_output_kw": output_for(psr)}
    d.update(kw)
    return base(**d)


def recip(t: float, lo: float, hi: float) -> float:
    """Footnote 43: the reciprocal of the linear interpolation of the reciprocals."""
    return 1.0 / ((1.0 - t) / lo + t / hi)


# ---------------------------------------------------------------- PSR and efficiencies


def test_psr_is_output_over_heat_loss_at_design_temperature_difference() -> None:
    d = base(main1_hp_psr_data=points(), main1_hp_max_output_kw=6.0)
    lines = full(d)
    assert lines["PSR"] == approx(6.0 / (val(lines, "39") * 24.2 / 1000.0))
    assert RULES["psr_design_temperature_difference"] == 24.2


def test_psr_inside_the_record_interpolates_reciprocals() -> None:
    """PSR 0.8 between the 0.5 and 1.0 datasets: t = 0.6."""
    lines = full(hp(0.8))
    assert lines["PSR"] == approx(0.8)
    t = (0.8 - 0.5) / (1.0 - 0.5)
    space = recip(t, 310.0, 280.0)
    water = recip(t, 260.0, 240.0)
    assert val(lines, "206") == approx(0.95 * space)
    # cylinder criteria not declared: Table N8 'otherwise' 0.60; 0.6 x 247.6 > 100
    assert mon(lines, "217") == [approx(0.60 * water)] * 12
    # reciprocal, not linear, interpolation
    assert val(lines, "206") != approx(0.95 * (310.0 + t * (280.0 - 310.0)))
    assert (RULES["space_heating_in_use_factor"], RULES["water_in_use_factor_otherwise"]) \
        == (0.95, 0.60)


def test_psr_on_a_dataset_takes_its_efficiency() -> None:
    lines = full(hp(1.0))
    assert val(lines, "206") == approx(0.95 * 280.0)


def test_psr_below_the_smallest_dataset_gives_100_percent() -> None:
    """PSR 0.3 < 0.5: space 100 % x 0.95; water 100 % x 0.60 = 60 %, raised to 100 %."""
    lines = full(hp(0.3))
    assert val(lines, "206") == approx(95.0)
    assert mon(lines, "217") == [approx(100.0)] * 12
    assert RULES["efficiency_below_smallest_psr"] == 100.0
    assert RULES["water_minimum_efficiency"] == 100.0


def test_psr_above_the_largest_dataset_extends_towards_100_percent() -> None:
    """PSR 2.4: t = (2.4 - 1.5) / (3.0 - 1.5) = 0.6 between 250 % and 100 % at 2 x 1.5."""
    lines = full(hp(2.4, main1_hp_cylinder_meets_pcdb=True))
    t = (2.4 - 1.5) / (2 * 1.5 - 1.5)
    assert val(lines, "206") == approx(0.95 * recip(t, 250.0, 100.0))
    # cylinder meets the record's criteria: Table N8 0.95; 0.95 x 145.2 > 100
    assert mon(lines, "217") == [approx(0.95 * recip(t, 220.0, 100.0))] * 12
    assert (RULES["psr_extension_multiple"], RULES["efficiency_at_extension_end"],
            RULES["water_in_use_factor_cylinder_criteria_met"]) == (2.0, 100.0, 0.95)


def test_psr_beyond_twice_the_largest_dataset_gives_100_percent() -> None:
    lines = full(hp(3.5, main1_hp_cylinder_meets_pcdb=True))
    assert val(lines, "206") == approx(95.0)
    assert mon(lines, "217") == [approx(100.0)] * 12  # 0.95 x 100 raised to 100


def test_single_dataset_record() -> None:
    """One dataset at PSR 1.0: below it 100 %, above it the extension to 2.0."""
    one = points([(1.0, 300.0, 200.0)])
    lines = full(base(main1_hp_psr_data=one, main1_hp_max_output_kw=output_for(1.25)))
    assert val(lines, "206") == approx(0.95 * recip(0.25, 300.0, 100.0))
    lines = full(base(main1_hp_psr_data=one, main1_hp_max_output_kw=output_for(0.9)))
    assert val(lines, "206") == approx(95.0)


def test_water_from_an_immersion_ignores_the_record_water_efficiency() -> None:
    """903 immersion: (217) from Table 4a (100 %), the record's water data unused."""
    d = hp(0.8, water_heating_code=903, water_heating_fuel=ELEC, primary_loss_applies=False)
    d["main1_hp_psr_data"] = points([(x, s, None) for x, s, _w in POINTS])
    lines = full(d)
    assert mon(lines, "217") == [approx(100.0)] * 12
    assert val(lines, "206") == approx(0.95 * recip(0.6, 310.0, 280.0))


def test_declared_water_efficiency_wins_over_the_record() -> None:
    lines = full(hp(0.8, water_heating_efficiency_percent=150.0))
    assert mon(lines, "217") == [approx(150.0)] * 12


def test_full_worksheet_with_product_efficiencies() -> None:
    """Sections 9-13 of the PSR 0.8 heat pump with the hand (206) and (217)."""
    d = hp(0.8)
    t = 0.6
    s = Systems(eff1=0.95 * recip(t, 310.0, 280.0), fuel1=ELEC, price1=price(ELEC),
                water_eff=0.60 * recip(t, 260.0, 240.0), water_fuel=ELEC,
                price_water=price(ELEC), pumps=0.0, price_other=price(ELEC),
                standing=sap_standing(ELEC))
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def test_without_product_data_table4a_is_unchanged() -> None:
    lines = full(base())
    assert val(lines, "206") == 230.0
    assert "PSR" not in lines and "N24,9" not in lines


def test_rating_pass_uses_the_uk_average_heat_loss() -> None:
    """Region 13: energy and costs with the region's (39) and PSR; the SAP rating with the
    UK-average (39) and its own PSR, as the same dwelling in region 0 gives it."""
    d_region = hp(0.8, climate_region=13, main1_hp_max_output_kw=output_for(0.8))
    regional = full(d_region)
    assert regional["PSR"] == approx(output_for(0.8) / (val(regional, "39") * 24.2 / 1000))
    assert regional["PSR"] != approx(0.8)  # (39) differs with the region's wind
    uk = result_row(hp(0.8, climate_region=0))
    row = result_row(d_region)
    assert row["sap_rating_continuous"] == approx(uk["sap_rating_continuous"])
    assert row["space_heating_requirement_kwh"] != approx(uk["space_heating_requirement_kwh"])


# ---------------------------------------------------------------- heating duration (N3.5)


def zone(t_h: float, t_e: float, h: float, g: float, a: float, tau: float, r: float,
         offs: tuple[float, ...]) -> tuple[float, float]:
    """Table 9c steps 1-3 for one zone: (eta, T) with the given daily off periods."""
    loss = h * (t_h - t_e)
    x = g / loss
    e = (1.0 - x**a) / (1.0 - x ** (a + 1.0))
    t_c = C["cooling_time_base"] + C["cooling_time_factor"] * tau
    t_sc = (1.0 - r) * (t_h - C["setback_drop"]) + r * (t_e + e * g / h)

    def drop(t_off: float) -> float:
        if t_off <= t_c:
            return 0.5 * t_off**2 * (t_h - t_sc) / (24.0 * t_c)
        return (t_h - t_sc) * (t_off - 0.5 * t_c) / 24.0

    return e, t_h - sum(drop(o) for o in offs)


def section7(lines: dict[str, Any], d: dict[str, Any], n24: list[float],
             n16: list[float]) -> dict[str, list[float]]:
    """(87), (90), (92), (93) with equation N5 (control type 2, R = 1, no adjustment)."""
    t_ext = region_row("sap10_2_table_u1_mean_external_temperature.csv", 0)
    tfa = sum(s["floor_area_m2"] for s in d["storeys"])
    f_la = d["living_area_m2"] / tfa
    bi = (C["off_hours_1"], C["off_hours_2"])
    uni = (RULES["unimodal_off_hours"],)
    out: dict[str, list[float]] = {"87": [], "90": [], "92": [], "93": []}
    for m in range(12):
        h, g, te = mon(lines, "39")[m], mon(lines, "84")[m], t_ext[m]
        hlp = h / tfa
        tau = d["thermal_mass_parameter"] / (C["time_constant_divisor"] * hlp)
        a = C["utilisation_a0"] + tau / C["utilisation_tau_divisor"]
        th1 = C["living_area_heating_temperature"]
        x = min(hlp, C["hlp_cap"])
        th2 = th1 - x + x * x / C["elsewhere_type23_hlp_divisor"]
        temps = []
        for th in (th1, th2):
            _e, t_bi = zone(th, te, h, g, a, tau, 1.0, bi)
            _e, t_uni = zone(th, te, h, g, a, tau, 1.0, uni)
            nm = DAYS[m]
            temps.append((n24[m] * th + n16[m] * t_uni + (nm - n24[m] - n16[m]) * t_bi) / nm)
        t92 = f_la * temps[0] + (1.0 - f_la) * temps[1]
        for k, v in (("87", temps[0]), ("90", temps[1]), ("92", t92), ("93", t92)):
            out[k].append(v)
    return out


def check_section7(lines: dict[str, Any], exp: dict[str, list[float]]) -> None:
    for label in ("87", "90", "92", "93"):
        assert mon(lines, label) == [approx(v) for v in exp[label]], label


def test_duration_24_heats_every_day_at_the_demand_temperature() -> None:
    d = hp(0.8, main1_hp_heating_duration="24")
    lines = full(d)
    assert (N4["24"]["n24_9_days_per_year"], N4["24"]["n16_9_days_per_year"]) == ("365", "0")
    assert mon(lines, "N24,9") == DAYS
    assert "N16,9" not in lines
    check_section7(lines, section7(lines, d, DAYS, [0.0] * 12))
    assert mon(lines, "87") == [approx(C["living_area_heating_temperature"])] * 12
    assert mon(lines, "90") == [approx(v) for v in mon(lines, "88")]


def test_duration_16_has_one_off_period_every_day() -> None:
    d = hp(0.8, main1_hp_heating_duration="16")
    lines = full(d)
    assert mon(lines, "N16,9") == DAYS
    check_section7(lines, section7(lines, d, [0.0] * 12, DAYS))
    assert RULES["unimodal_off_hours"] == 8.0


def test_duration_16_without_product_efficiencies() -> None:
    """A Table 4a heat pump with a declared 16 h duration: (206) stays Table 4a."""
    d = base(main1_hp_heating_duration="16")
    lines = full(d)
    check_section7(lines, section7(lines, d, [0.0] * 12, DAYS))
    assert val(lines, "206") == 230.0


def test_duration_9_is_the_standard_schedule() -> None:
    standard = full(hp(0.8))
    nine = full(hp(0.8, main1_hp_heating_duration="9"))
    for label in ("87", "90", "92", "93", "98"):
        assert mon(nine, label) == mon(standard, label), label
    d = hp(0.8)
    check_section7(standard, section7(standard, d, [0.0] * 12, [0.0] * 12))


def allocate(n24: float, n16: float) -> tuple[list[float], list[float]]:
    """N3.5: N24,9 then N16,9 days month by month in the allocation order."""
    m24, m16 = [0.0] * 12, [0.0] * 12
    left24, left16 = n24, n16
    for m in ORDER:
        free = DAYS[m]
        m24[m] = min(left24, free)
        left24 -= m24[m]
        m16[m] = min(left16, free - m24[m])
        left16 -= m16[m]
    assert left24 == left16 == 0.0
    return m24, m16


def test_variable_duration_interpolates_table_n5() -> None:
    """PSR 0.55: halfway between the 0.5 and 0.6 rows: N24,9 = (128 + 94) / 2 = 111,
    N16,9 = (56 + 74) / 2 = 65; Jan, Dec, Feb take 90 of the 111, March 21 and then 10 of
    N16,9, November 30, April the last 25."""
    d = hp(0.55, main1_hp_heating_duration="V")
    lines = full(d)
    n24 = (N5[0.5][0] + N5[0.6][0]) / 2
    n16 = (N5[0.5][1] + N5[0.6][1]) / 2
    assert (n24, n16) == (111.0, 65.0)
    m24, m16 = allocate(n24, n16)
    assert m24 == [31, 28, 21, 0, 0, 0, 0, 0, 0, 0, 0, 31]
    assert m16 == [0, 0, 10, 25, 0, 0, 0, 0, 0, 0, 30, 0]
    assert mon(lines, "N24,9") == m24
    assert mon(lines, "N16,9") == m16
    check_section7(lines, section7(lines, d, m24, m16))


def test_variable_duration_rounds_to_whole_days() -> None:
    """PSR 0.83: 26 + 0.3 x (14 - 26) = 22.4 -> 22; 103 + 0.3 x (92 - 103) = 99.7 -> 100."""
    lines = full(hp(0.83, main1_hp_heating_duration="V"))
    t = (0.83 - 0.8) / (0.9 - 0.8)
    n24 = N5[0.8][0] + t * (N5[0.9][0] - N5[0.8][0])
    n16 = N5[0.8][1] + t * (N5[0.9][1] - N5[0.8][1])
    assert (math.floor(n24 + 0.5), math.floor(n16 + 0.5)) == (22, 100)
    assert val(lines, "N24,9") == 22.0
    assert val(lines, "N16,9") == 100.0


def test_variable_duration_above_table_n5_takes_the_last_row() -> None:
    """PSR 1.43 >= 1.2: N24,9 = 3 (January), N16,9 = 38: January's other 28 days and 10
    of December."""
    d = hp(1.43, main1_hp_heating_duration="V")
    lines = full(d)
    assert N5[1.2] == (3.0, 38.0)
    m24 = [3.0] + [0.0] * 11
    m16 = [28.0] + [0.0] * 10 + [10.0]
    assert mon(lines, "N24,9") == m24
    assert mon(lines, "N16,9") == m16
    check_section7(lines, section7(lines, d, m24, m16))


def test_variable_duration_below_table_n5_takes_the_first_row() -> None:
    lines = full(hp(0.1, main1_hp_heating_duration="V"))
    assert (val(lines, "N24,9"), val(lines, "N16,9")) == N5[0.2]


def test_variable_duration_changes_summer_nothing() -> None:
    """Days are allocated from January to May and October to December only."""
    lines = full(hp(0.55, main1_hp_heating_duration="V"))
    for m in SUMMER:
        assert mon(lines, "N24,9")[m] == mon(lines, "N16,9")[m] == 0.0
        assert mon(lines, "98")[m] == 0.0


def test_variable_duration_raises_space_heating_demand() -> None:
    standard = full(hp(0.55))
    variable = full(hp(0.55, main1_hp_heating_duration="V"))
    assert val(variable, "98") > val(standard, "98")
    assert mon(variable, "93")[0] > mon(standard, "93")[0]


def test_demand_scope_traces_duration_and_psr() -> None:
    lines = trace(hp(0.55, main1_hp_heating_duration="V"), scope="demand")["lines"]
    assert lines["PSR"] == approx(0.55)
    assert val(lines, "N24,9") == 111.0
    assert "206" not in lines


# ---------------------------------------------------------------- bad product data


@pytest.mark.parametrize(("overrides", "field_name"), [
    ({"main1_hp_psr_data": points([(1.0, 300.0, 200.0), (1.0, 280.0, 190.0)])},
     "main1_hp_psr_data.psr"),
    ({"main1_hp_psr_data": points([(1.0, 300.0, 200.0), (0.5, 280.0, 190.0)])},
     "main1_hp_psr_data.psr"),
    ({"main1_hp_psr_data": points([(0.0, 300.0, 200.0)])}, "main1_hp_psr_data.psr"),
    ({"main1_hp_psr_data": points([(0.5, 0.0, 200.0)])},
     "main1_hp_psr_data.space_efficiency_percent"),
    ({"main1_hp_psr_data": points([(0.5, -5.0, 200.0)])},
     "main1_hp_psr_data.space_efficiency_percent"),
    ({"main1_hp_psr_data": points([(0.5, 300.0, 0.0)])},
     "main1_hp_psr_data.water_efficiency_percent"),
    ({"main1_hp_psr_data": points([(0.5, 300.0, None)])},
     "main1_hp_psr_data.water_efficiency_percent"),
    ({"main1_hp_max_output_kw": None}, "main1_hp_max_output_kw"),
    ({"main1_hp_max_output_kw": 0.0}, "main1_hp_max_output_kw"),
    ({"main1_hp_psr_data": []}, "main1_hp_psr_data"),
    ({"main1_code": 104, "main1_fuel": 1}, "main1_hp_psr_data"),
    ({"main1_efficiency_percent": 250.0}, "main1_efficiency_percent"),
    ({"main1_hp_heating_duration": "12"}, "main1_hp_heating_duration"),
])
def test_bad_product_data_is_rejected_by_name(overrides: dict[str, Any],
                                              field_name: str) -> None:
    err = input_error(hp(0.8, **overrides))
    assert problem(err, field_name), err.problems


def test_variable_duration_needs_the_output_even_for_demand() -> None:
    d = base(main1_hp_heating_duration="V")
    with pytest.raises(ValueError, match="main1_hp_max_output_kw"):
        trace(d, scope="demand")


def test_duration_on_a_boiler_is_rejected() -> None:
    err = input_error(base(main1_code=104, main1_fuel=1, main1_hp_heating_duration="24"))
    assert problem(err, "main1_hp_heating_duration")


def test_lenient_mode_reports_bad_product_data_per_row() -> None:
    good = hp(0.8)
    bad = hp(0.8, main1_hp_psr_data=points([(1.0, 300.0, 200.0), (0.9, 280.0, 190.0)]))
    bad["dwelling_id"] = "bad"
    out = calculate([good, bad], strict=False).to_pylist()
    assert out[0]["status"] == "ok"
    assert out[0]["main_heating_efficiency_percent"] == approx(0.95 * recip(0.6, 310.0, 280.0))
    assert out[1]["status"] == "error"
    assert "main1_hp_psr_data.psr" in out[1]["error"]
    assert out[1]["sap_rating"] is None


def test_batch_mixes_product_and_table4a_heat_pumps() -> None:
    """Rows resolve independently: the product row's PSR pass leaves the others alone."""
    rows = [base(), hp(0.8), hp(2.4, main1_hp_heating_duration="V")]
    for i, r in enumerate(rows):
        r["dwelling_id"] = f"d{i}"
    out = calculate(rows).to_pylist()
    singles = [result_row(r) for r in rows]
    for a, b in zip(out, singles, strict=True):
        assert a["sap_rating_continuous"] == approx(b["sap_rating_continuous"])
    assert out[0]["main_heating_efficiency_percent"] == 230.0


# ---------------------------------------------------------------- main heating system 2


def two_mains(psr2: float, **kw: Any) -> dict[str, Any]:
    """Main 1: Table 4a heat pump 211 (60 %); main 2: heat pump 211 with product data
    (40 %) at PSR ``psr2``, heating the water (914)."""
    d: dict[str, Any] = {
        "main1_fraction": 0.6, "main1_responsiveness": 1.0,
        "main2_code": 211, "main2_fuel": ELEC, "main2_fraction": 0.4,
        "main2_responsiveness": 1.0, "main2_hp_psr_data": points(),
        "main2_hp_max_output_kw": output_for(psr2), "water_heating_code": 914}
    d.update(kw)
    return base(**d)


def test_main2_product_data_gives_207_and_water_from_its_record() -> None:
    """PSR 0.8 for main 2: (207) = 0.95 x recip(0.6, 310, 280); water from main 2 (914):
    (217) = 0.60 x recip(0.6, 260, 240); main 1 keeps Table 4a (230 %). Fractions as for
    any two mains: (204) = 0.6, (205) = 0.4, (211) = (98) x (204) / (206), (213) = (98) x
    (205) / (207)."""
    lines = full(two_mains(0.8))
    assert lines["PSR main2"] == approx(0.8)
    assert "PSR" not in lines  # main 1 has no product data
    eff2 = 0.95 * recip(0.6, 310.0, 280.0)
    assert val(lines, "206") == 230.0
    assert val(lines, "207") == approx(eff2)
    assert mon(lines, "217") == [approx(0.60 * recip(0.6, 260.0, 240.0))] * 12
    q98 = mon(lines, "98")
    assert (val(lines, "204"), val(lines, "205")) == (approx(0.6), approx(0.4))
    assert mon(lines, "211") == [approx(q * 0.6 * 100.0 / 230.0) for q in q98]
    assert mon(lines, "213") == [approx(q * 0.4 * 100.0 / eff2) for q in q98]
    # no variable duration for main 2: the standard schedule, no N3.5 days
    assert "N24,9" not in lines


def test_main2_extension_and_water_floor() -> None:
    """PSR 2.4: t = 0.6 towards 100 % at 3.0; water 0.60 x recip(0.6, 220, 100) = 78.6 %
    -> raised to 100 %; with the cylinder criteria met 0.95 x 145.2 = 137.9 %."""
    lines = full(two_mains(2.4))
    assert val(lines, "207") == approx(0.95 * recip(0.6, 250.0, 100.0))
    assert mon(lines, "217") == [approx(100.0)] * 12
    lines = full(two_mains(2.4, main2_hp_cylinder_meets_pcdb=True))
    assert mon(lines, "217") == [approx(0.95 * recip(0.6, 220.0, 100.0))] * 12


def test_both_mains_with_product_data_each_use_their_own_record() -> None:
    """Main 1 at PSR 1.0 (280 % -> 266 %), main 2 at PSR 0.5 (310 % -> 294.5 %): one heat
    loss (39), two outputs, two PSRs."""
    other = points([(0.5, 300.0, 250.0), (1.0, 290.0, 245.0)])
    d = two_mains(0.5, main1_hp_psr_data=other, main1_hp_max_output_kw=output_for(1.0),
                  water_heating_code=901)
    lines = full(d)
    assert (lines["PSR"], lines["PSR main2"]) == (approx(1.0), approx(0.5))
    assert val(lines, "206") == approx(0.95 * 290.0)
    assert val(lines, "207") == approx(0.95 * 310.0)
    assert mon(lines, "217") == [approx(0.60 * 245.0)] * 12  # water from main 1 (901)


def test_main2_product_rows_mix_with_others_in_a_batch() -> None:
    """A batch with a main-2 product row, a main-1 product row and a Table 4a row equals
    the rows computed one by one, in a region other than 0 (rating pass with its own PSR)."""
    rows = [base(climate_region=13), hp(0.8, climate_region=13),
            two_mains(0.8, climate_region=13)]
    for i, r in enumerate(rows):
        r["dwelling_id"] = f"d{i}"
    out = calculate(rows).to_pylist()
    for a, r in zip(out, rows, strict=True):
        b = result_row(r)
        assert a["sap_rating_continuous"] == approx(b["sap_rating_continuous"])
        assert a["co2_kg_per_year"] == approx(b["co2_kg_per_year"])
    regional = full(rows[2])
    uk = full(two_mains(0.8, climate_region=0))
    assert regional["PSR main2"] != approx(uk["PSR main2"])
    assert out[2]["sap_rating_continuous"] == approx(val(uk, "258"))


@pytest.mark.parametrize(("overrides", "field_name"), [
    ({"main2_hp_max_output_kw": None}, "main2_hp_max_output_kw"),
    ({"main2_hp_max_output_kw": -1.0}, "main2_hp_max_output_kw"),
    ({"main2_hp_psr_data": []}, "main2_hp_psr_data"),
    ({"main2_code": 104, "main2_fuel": 1}, "main2_hp_psr_data"),
    ({"main2_efficiency_percent": 250.0}, "main2_efficiency_percent"),
    ({"main2_hp_psr_data": points([(0.5, 300.0, None)])},
     "main2_hp_psr_data.water_efficiency_percent"),
    ({"main2_hp_psr_data": points([(1.0, 300.0, 200.0), (0.5, 280.0, 190.0)])},
     "main2_hp_psr_data.psr"),
])
def test_bad_main2_product_data_is_rejected_by_name(overrides: dict[str, Any],
                                                    field_name: str) -> None:
    err = input_error(two_mains(0.8, **overrides))
    assert problem(err, field_name), err.problems


def test_main2_product_data_without_main2_is_rejected() -> None:
    d = base(main2_hp_psr_data=points(), main2_hp_max_output_kw=5.0)
    err = input_error(d)
    assert problem(err, "main2_hp_psr_data"), err.problems


def test_main2_water_efficiencies_not_needed_when_main1_heats_the_water() -> None:
    d = two_mains(0.8, water_heating_code=901,
                  main2_hp_psr_data=points([(x, s, None) for x, s, _w in POINTS]))
    lines = full(d)
    assert val(lines, "207") == approx(0.95 * recip(0.6, 310.0, 280.0))
    # (217) is main 1's Table 4a water efficiency, as for the heat pump alone
    assert mon(lines, "217") == [approx(v) for v in mon(full(base()), "217")]


# ---------------------------------------------------------------- N3.1 circulation pump

TABLE5A = {(r["item"], r["condition"]): r
           for r in read_table("sap10_2_table5a_pump_fan_gains_PARTIAL.csv")}
TABLE4F = {(r["item"], r["condition"]): r
           for r in read_table("sap10_2_table4f_pumps_fans_electricity_PARTIAL.csv")}
PUMP_ROW = "Central heating pump in heated space"


def pump_gain_w(condition: str) -> float:
    return float(TABLE5A[(PUMP_ROW, condition)]["gain_w"])


def heating_season(w: float) -> list[Any]:
    return [approx(0.0 if m in SUMMER else w) for m in range(12)]


def test_product_heat_pump_has_no_pump_gain_table4a_heat_pump_keeps_it() -> None:
    """Table 5a note a) 'not applicable for electric heat pumps from database': with a
    pump in the heated space dated 2013 or later, (70) is 3 W in the heating season for
    the Table 4a heat pump (N3.1 default gain) and 0 for the same heat pump with product
    data; the gains change (73) by exactly that."""
    pump = {"main1_pump_in_heated_space": True, "main1_pump_age": 2}
    t4a = full(base(**pump))
    product = full(hp(0.8, **pump))
    assert pump_gain_w("2013 or later") == 3.0
    assert pump_gain_w("electric heat pump from database (Appendix N)") == 0.0
    assert mon(t4a, "70") == heating_season(3.0)
    assert mon(product, "70") == [approx(0.0)] * 12
    assert [a - b for a, b in zip(mon(t4a, "73"), mon(product, "73"), strict=True)] \
        == heating_season(3.0)


def test_product_heat_pump_main2_loses_only_its_own_pump_gain() -> None:
    """Main 1 a Table 4a heat pump with its pump (unknown date, 7 W), main 2 a heat pump
    with product data with its pump (2012 or earlier, 10 W): (70) = 7 W, not 17 W; with
    main 2 on Table 4a too, 17 W."""
    pumps = {"main1_pump_in_heated_space": True, "main1_pump_age": 0,
             "main2_pump_in_heated_space": True, "main2_pump_age": 1}
    assert (pump_gain_w("unknown date"), pump_gain_w("2012 or earlier")) == (7.0, 10.0)
    assert mon(full(two_mains(0.8, **pumps)), "70") == heating_season(7.0)
    table4a_both = two_mains(0.8, **pumps)
    del table4a_both["main2_hp_psr_data"], table4a_both["main2_hp_max_output_kw"]
    assert mon(full(table4a_both), "70") == heating_season(17.0)


def test_product_heat_pump_pump_electricity_is_in_the_efficiency() -> None:
    """N3.1: the circulation pump's electricity 'is not included in worksheet (230c)'.
    Declared pump (2013 or later, room thermostat): the Table 4a heat pump keeps Table 4f
    41 kWh (the note 'not applicable for electric heat pumps from database' leaves it),
    the product-data heat pump 0; the same for a product heat pump as main 2."""
    pump = {"main1_has_circulation_pump": True, "main1_pump_age": 2}
    kwh_2013 = float(TABLE4F[("Heating system circulation pump", "2013 or later")]
                     ["kwh_per_year"])
    assert kwh_2013 == 41.0
    assert float(TABLE4F[("Electric heat pump circulation pump/fan",
                          "heat pump (Appendix N / database)")]["kwh_per_year"]) == 0.0
    assert val(full(base(**pump)), "231") == approx(kwh_2013)
    assert val(full(hp(0.8, **pump)), "231") == approx(0.0)
    main2 = {"main2_has_circulation_pump": True, "main2_pump_age": 2}
    assert val(full(two_mains(0.8, **main2)), "231") == approx(0.0)
    assert val(full(two_mains(0.8, **main2, **pump)), "231") == approx(kwh_2013)
