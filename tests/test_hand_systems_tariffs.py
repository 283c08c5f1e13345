"""Hand-derived electricity tariffs and the RdSAP 10 rating method.

Standard tariff: every electric end use at Table 12 code 30. Off-peak tariffs: an end use's
price is f x high + (1 - f) x low with f from Table 12a (direct-acting systems, 'all other
electricity uses') or, for an immersion (903), Table 13 (N from Table 1b, V the cylinder
volume, clamped to 0..1). Where spec/ lacks a price or a standing charge for a tariff the
dwelling is rejected with a SapInputError naming it (nothing is defaulted): SAP 10.2 Table
12 has no off-peak standing charges; RdSAP 10 Table 32 has the 10-hour one (23 GBP) and
prices 33/34, so 10-hour is computable with rating_method 2, and 18-hour (38/40, 40 GBP).
RdSAP 10 (rating_method 2): Table 32 prices and standing charges, deflator 0.42, SAP =
100 - 13.95 ECF below 3.5, else 117 - 121 log10 ECF. Tolerance: relative 1e-9.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from test_hand_common import approx, dwelling, occupancy, wall
from test_hand_systems_common import (
    OTHER_USES,
    PUMP_BY_AGE,
    RATING,
    Systems,
    check_result,
    check_worksheet,
    electric,
    full,
    high_rate,
    input_error,
    price,
    problem,
    rdsap_price,
    rdsap_standing,
    result_row,
    sap_standing,
    table4a,
    table4a_supplement,
    table4b,
    tfa,
    val,
    worksheet,
)

from ara.sap.tables import read_table

GAS, ELEC = 1, 30
DIRECT = "Other systems including direct-acting electric"
IMMERSION = table4a_supplement(903, "efficiency_water_pct")


def test_standard_tariff_prices_every_electric_use_at_code_30() -> None:
    lines = full(electric(691, electricity_tariff=1))
    p30 = price(ELEC)
    assert val(lines, "240") == approx(val(lines, "211") * p30 / 100.0)
    assert val(lines, "247") == approx(val(lines, "219") * p30 / 100.0)
    assert val(lines, "249") == approx(val(lines, "231") * p30 / 100.0)
    assert val(lines, "250") == approx(val(lines, "232") * p30 / 100.0)
    assert val(lines, "251") == sap_standing(ELEC) == 0.0


@pytest.mark.parametrize("tariff,label", [(2, "7-hour"), (3, "10-hour"), (4, "24-hour"),
                                          (5, "18-hour")])
def test_sap_method_off_peak_tariffs_lack_a_table12_standing_charge(tariff: int,
                                                                    label: str) -> None:
    """sap10_2_table12_supplement.csv: 7/10/18/24-hour standing charges are MISSING."""
    rows = [r for r in read_table("sap10_2_table12_supplement.csv")
            if r["item"] == "standing charge" and label in r["fuel_or_tariff"]]
    assert [r["value"] for r in rows] == ["MISSING"]
    err = input_error(electric(691, electricity_tariff=tariff, immersion_type=1))
    assert f"no standing charge in spec/ for the {label} tariff" in problem(
        err, "electricity_tariff")


@pytest.mark.parametrize(("tariff", "label", "heating", "other"), [(5, "18-hour", 40, 38),
                                                                   (4, "24-hour", 35, 35)])
def test_rdsap_18_and_24_hour(tariff: int, label: str, heating: int, other: int) -> None:
    """RdSAP 18-hour: Table 32 low rate (code 40, 7.41) for space and water heating, high
    rate (38, 13.67) for every other use (SAP 10.2 section 12 / Appendix F2), standing charge
    40 GBP. 24-hour heating tariff: code 35 (6.61) is its high and low code, so every use is
    at 6.61 (the other-uses row is LINEAGE, decision 0020), standing charge 70 (LINEAGE,
    decision 0016)."""
    assert {38: 13.67, 40: 7.41, 35: 6.61}[heating] == rdsap_price(heating)
    assert {38: 13.67, 35: 6.61}[other] == rdsap_price(other)
    assert rdsap_standing(label) == {"18-hour": 40.0, "24-hour": 70.0}[label]
    d = electric(691, electricity_tariff=tariff, rating_method=2)
    s = Systems(eff1=table4a(691, "efficiency_space_pct"), fuel1=ELEC,
                price1=rdsap_price(heating), water_eff=IMMERSION, water_fuel=ELEC,
                price_water=rdsap_price(heating), pumps=0.0, price_other=rdsap_price(other),
                standing=rdsap_standing(label), method=2)
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def table13(tariff: str, kind: str, n: float, v: float) -> float:
    """The Table 13 equation text evaluated with N and V, clamped to 0..1 (Note 2)."""
    rows = [r for r in read_table("sap10_2_table13_immersion_high_rate.csv")
            if r["tariff"].startswith(tariff) and r["immersion_type"] == kind]
    assert len(rows) == 1, rows
    expr = rows[0]["high_rate_fraction_equation"].replace("[", "(").replace("]", ")")
    value = eval(expr, {"__builtins__": {}}, {"N": n, "V": v})  # noqa: S307 - spec text
    return min(max(value, 0.0), 1.0)


def ten_hour(immersion: int, volume: float) -> tuple[dict[str, Any], Systems, float]:
    d = electric(691, electricity_tariff=3, rating_method=2, immersion_type=immersion,
                 cylinder_volume_l=volume)
    hi, lo = rdsap_price(34), rdsap_price(33)
    f_space = high_rate(DIRECT, "10-hour")
    f_other = high_rate(OTHER_USES, "10-hour")
    f_water = table13("10-hour", "single" if immersion == 1 else "dual", occupancy(tfa(d)),
                      volume)
    s = Systems(eff1=table4a(691, "efficiency_space_pct"), fuel1=ELEC,
                price1=f_space * hi + (1 - f_space) * lo, water_eff=IMMERSION,
                water_fuel=ELEC, price_water=f_water * hi + (1 - f_water) * lo, pumps=0.0,
                price_other=f_other * hi + (1 - f_other) * lo,
                standing=rdsap_standing("10-hour"), method=2)
    return d, s, f_water


@pytest.mark.parametrize("immersion,volume", [(1, 110.0), (2, 110.0), (1, 50.0)])
def test_rdsap_10_hour_direct_acting_with_immersion(immersion: int, volume: float) -> None:
    """Direct-acting heaters 0.50 at the high rate, other uses 0.80, the immersion by Table
    13 (single: [(14530 - 762 N)/(1.5 V) - 80 + 10 N]/100; dual: [(6.8 - 0.036 V) N + 14 -
    0.105 V]/100), 10-hour standing charge 23 GBP."""
    assert (high_rate(DIRECT, "10-hour"), high_rate(OTHER_USES, "10-hour")) == (0.5, 0.8)
    d, s, f_water = ten_hour(immersion, volume)
    if volume == 50.0:
        assert f_water == 1.0  # the single-immersion equation exceeds 1 here: clamped
    else:
        assert 0.0 < f_water < 1.0
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def test_sap_method_7_hour_is_still_not_computable() -> None:
    """Table 12a gives 7-hour 1.00 (direct-acting) and 0.90 (other uses), but SAP 10.2 Table
    12 in spec/ has no 7-hour standing charge, so no SAP-method dwelling on it is priced."""
    assert (high_rate(DIRECT, "7-hour"), high_rate(OTHER_USES, "7-hour")) == (1.0, 0.9)
    err = input_error(electric(691, electricity_tariff=2, immersion_type=2, rating_method=1))
    assert "no standing charge in spec/ for the 7-hour tariff" in problem(
        err, "electricity_tariff")


@pytest.mark.parametrize("immersion,volume", [(1, 110.0), (2, 160.0)])
def test_rdsap_7_hour_direct_acting_with_immersion(immersion: int, volume: float) -> None:
    """RdSAP 7-hour (decision 0016): Table 32 high 15.29 / low 5.50 p/kWh, standing charge
    24 GBP (LINEAGE); direct-acting heaters all at the high rate, other uses 0.90, the
    immersion by Table 13's 7-hour rows (single: [(14530 - 762 N)/V - 80 + 10 N]/100; dual:
    [(6.8 - 0.024 V) N + 14 - 0.07 V]/100)."""
    assert (rdsap_price(32), rdsap_price(31), rdsap_standing("7-hour")) == (15.29, 5.50, 24.0)
    d = electric(691, electricity_tariff=2, rating_method=2, immersion_type=immersion,
                 cylinder_volume_l=volume)
    hi, lo = rdsap_price(32), rdsap_price(31)
    f_space, f_other = high_rate(DIRECT, "7-hour"), high_rate(OTHER_USES, "7-hour")
    f_water = table13("7-hour", "single" if immersion == 1 else "dual", occupancy(tfa(d)),
                      volume)
    assert 0.0 < f_water < 1.0
    s = Systems(eff1=table4a(691, "efficiency_space_pct"), fuel1=ELEC,
                price1=f_space * hi + (1 - f_space) * lo, water_eff=IMMERSION,
                water_fuel=ELEC, price_water=f_water * hi + (1 - f_water) * lo, pumps=0.0,
                price_other=f_other * hi + (1 - f_other) * lo, standing=24.0, method=2)
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def test_rdsap_gas_combi_uses_table32_and_the_rdsap_linear_equation() -> None:
    d = dwelling(rating_method=2)
    winter, summer = table4b(104)
    s = Systems(eff1=winter, fuel1=GAS, price1=rdsap_price(GAS), water_eff=(winter, summer),
                water_fuel=GAS, price_water=rdsap_price(GAS), pumps=PUMP_BY_AGE[0],
                price_other=rdsap_price(ELEC), standing=rdsap_standing(str(GAS)), method=2)
    lines = full(d)
    exp = worksheet(lines, d, s)
    assert exp["256"] == 0.42 and exp["257"] < RATING[("2", "ecf_threshold")]
    assert exp["258"] == approx(100.0 - 13.95 * exp["257"])
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def test_rdsap_direct_electric_uses_the_rdsap_log_equation() -> None:
    """A leaky electrically heated house: ECF above 3.5, SAP = 117 - 121 log10 ECF."""
    d = electric(691, rating_method=2, elements=[wall(90.0, 1.7, 60.0, 0.15, kind=1),
                                                  wall(80.0, 0.7, 110.0, 0.15, kind=4),
                                                  wall(80.0, 2.0, 9.0, 0.15, kind=3)])
    s = Systems(eff1=table4a(691, "efficiency_space_pct"), fuel1=ELEC,
                price1=rdsap_price(ELEC), water_eff=IMMERSION, water_fuel=ELEC,
                price_water=rdsap_price(ELEC), pumps=0.0, price_other=rdsap_price(ELEC),
                standing=0.0, method=2)
    lines = full(d)
    exp = worksheet(lines, d, s)
    assert exp["257"] > RATING[("2", "ecf_threshold")]
    assert exp["258"] == approx(117.0 - 121.0 * math.log10(exp["257"]))
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


# ---------------------------------------------------------------- storage heaters and heat
# pumps on off-peak tariffs (Table 12a; LINEAGE rows of decision 0020 where SAP 10.2 values
# were not found)

STORAGE = "Other storage heaters"
INTEGRATED = "Integrated storage/direct-acting electric systems"
GSHP_OTHER = "Ground or water source heat pump - other (not from database)"
ASHP_OTHER = "Air source heat pump - other (not from database)"
HP_DATABASE = "Air or ground source heat pump - from database (Appendix N)"


def table11_storage() -> float:
    rows = [r for r in read_table("sap10_2_table11_secondary_fraction.csv")
            if r["main_system_category"]
            == "Electric storage heaters (not integrated) - not fan-assisted"]
    assert len(rows) == 1
    return float(rows[0]["secondary_fraction"])


@pytest.mark.parametrize(("tariff", "label", "high", "low"),
                         [(2, "7-hour", 32, 31), (3, "10-hour", 34, 33)])
def test_rdsap_storage_heaters_charge_wholly_off_peak(tariff: int, label: str, high: int,
                                                     low: int) -> None:
    """402 slimline storage heaters: Table 12a 'other storage heaters' 0.00 at the high rate
    on both tariffs (7-hour SAP 10.2, worksheet-confirmed; 10-hour LINEAGE); the assumed
    portable heaters (693, Table 11 0.15) as direct-acting (1.00 / 0.50); the immersion by
    Table 13; other uses 0.90 / 0.80; the tariff's Table 32 standing charge."""
    assert high_rate(STORAGE, label) == 0.0
    d = electric(402, electricity_tariff=tariff, rating_method=2, immersion_type=2,
                 cylinder_volume_l=160.0)
    hi, lo = rdsap_price(high), rdsap_price(low)
    f_sec, f_other = high_rate(DIRECT, label), high_rate(OTHER_USES, label)
    f_water = table13(label, "dual", occupancy(tfa(d)), 160.0)
    s = Systems(eff1=table4a(402, "efficiency_space_pct"), fuel1=ELEC, price1=lo,
                water_eff=IMMERSION, water_fuel=ELEC, price_water=f_water * hi + (1 - f_water) * lo,
                pumps=0.0, price_other=f_other * hi + (1 - f_other) * lo,
                standing=rdsap_standing(label), method=2, sec_frac=table11_storage(),
                eff_sec=table4a(693, "efficiency_space_pct"), sec_fuel=ELEC,
                price_sec=f_sec * hi + (1 - f_sec) * lo)
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)
    assert val(lines, "240") == approx(val(lines, "211") * lo / 100.0)


def test_integrated_storage_heaters_on_7_hour_and_rejected_on_10_hour() -> None:
    """408 integrated storage + direct-acting: 0.20 at the high rate on 7-hour (LINEAGE);
    no 10-hour value was found (the SAP 2012 engine allows the row on 7-hour only), so a
    10-hour dwelling is rejected by name. 424 underfloor heating in screed has no Table 12a
    value in spec/: rejected on an off-peak tariff."""
    f = high_rate(INTEGRATED, "7-hour")
    assert f == 0.2
    lines = full(electric(408, electricity_tariff=2, rating_method=2, immersion_type=1))
    hi, lo = rdsap_price(32), rdsap_price(31)
    assert val(lines, "240") == approx(val(lines, "211") * (f * hi + (1 - f) * lo) / 100.0)
    for code, tariff in ((408, 3), (424, 2)):
        err = input_error(electric(code, electricity_tariff=tariff, rating_method=2,
                                   immersion_type=1))
        assert any("high-rate fraction" in m for m in problem(err, "main1_fuel")), code


@pytest.mark.parametrize(("code", "row"), [(211, GSHP_OTHER), (224, ASHP_OTHER)])
@pytest.mark.parametrize(("tariff", "label", "high", "low"),
                         [(2, "7-hour", 32, 31), (3, "10-hour", 34, 33)])
def test_rdsap_heat_pump_without_product_data_by_source(code: int, row: str, tariff: int,
                                                        label: str, high: int,
                                                        low: int) -> None:
    """Ground/water source (211) and air source (224) heat pumps from Table 4a: space
    heating at their own Table 12a row (GSHP 0.70 / 0.60, ASHP 0.90 / 0.60; the ASHP 10-hour
    value is SAP 10.2's, the others LINEAGE)."""
    f = high_rate(row, label)
    assert f == {(GSHP_OTHER, "7-hour"): 0.7, (GSHP_OTHER, "10-hour"): 0.6,
                 (ASHP_OTHER, "7-hour"): 0.9, (ASHP_OTHER, "10-hour"): 0.6}[(row, label)]
    d = electric(code, electricity_tariff=tariff, rating_method=2, immersion_type=1)
    lines = full(d)
    hi, lo = rdsap_price(high), rdsap_price(low)
    assert val(lines, "240") == approx(val(lines, "211") * (f * hi + (1 - f) * lo) / 100.0)


def test_heat_pump_with_product_data_uses_the_database_row() -> None:
    """A heat pump with product data (Appendix N) on 7-hour: space at the 'from database'
    row (0.80, LINEAGE), its water at the same row's water column (0.70, SAP 10.2)."""
    assert (_rate(HP_DATABASE, "7-hour", "space_heating_or_other_use"),
            _rate(HP_DATABASE, "7-hour", "water_heating")) == (0.8, 0.7)
    d = electric(211, electricity_tariff=2, rating_method=2, water_heating_code=901,
                 water_heating_fuel=None, primary_loss_applies=True,
                 main1_hp_psr_data=[{"psr": 1.0, "space_efficiency_percent": 300.0,
                                     "water_efficiency_percent": 250.0}],
                 main1_hp_max_output_kw=8.0)
    lines = full(d)
    hi, lo = rdsap_price(32), rdsap_price(31)
    assert val(lines, "240") == approx(val(lines, "211") * (0.8 * hi + 0.2 * lo) / 100.0)
    assert val(lines, "247") == approx(val(lines, "219") * (0.7 * hi + 0.3 * lo) / 100.0)


def _rate(system: str, tariff: str, column: str) -> float:
    """The one Table 12a row of ``system`` and ``tariff`` with a value in ``column`` (the
    database heat pump's SAP 10.2 water value and LINEAGE space value are separate rows)."""
    rows = [r for r in read_table("sap10_2_table12a_high_rate_fractions_PARTIAL.csv")
            if r["system_or_use"] == system and r["tariff"] == tariff
            and r[f"high_rate_fraction_{column}"]]
    assert len(rows) == 1
    return float(rows[0][f"high_rate_fraction_{column}"])


def test_rdsap_bottled_lpg_for_secondary_heating_has_the_bottled_lpg_standing_charge() -> None:
    """Fuel 5 (bottled LPG, secondary heating) is bottled LPG (3): Table 32's charge of 3."""
    assert rdsap_standing("5") == rdsap_standing("3")
    d = dwelling(rating_method=2, main1_code=104, main1_fuel=5)
    lines = full(d)
    assert val(lines, "251") == approx(rdsap_standing("5"))
    assert val(lines, "240") == approx(val(lines, "211") * rdsap_price(5) / 100.0)
    assert result_row(d)["status"] == "ok"
