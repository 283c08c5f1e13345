"""Hand-derived worksheet sections 9-13 for each heating category of Table 4a/4b.

For each system: (206) from Table 4b (boilers) or Table 4a; (211)m = (98)m x (204) x 100 /
(206); (219)m = (64)m x 100 / (217)m, with (217)m from Appendix D eq. D1 for Table 4b boilers
heating water, (Q_space + Q_water) / (Q_space / eta_winter + Q_water / eta_summer); (231)
from Table 4f; costs (240)-(255) at Table 12 prices; (251) once per fuel (gas 92, standard
electricity 0, sap10_2_table12_supplement.csv); CO2 and primary energy with the Table 12
factors, monthly Table 12d/12e factors for electricity; SAP and EI from
sap10_2_rating_equations.csv, bands from sap10_2_rating_bands.csv. Tolerance: relative 1e-9.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_hand_common import approx, dwelling
from test_hand_systems_common import (
    FLUE_FAN,
    LIQUID_FUEL_PUMP,
    NO_THERMOSTAT_FACTOR,
    PUMP_BY_AGE,
    Systems,
    check_result,
    check_worksheet,
    cylinder,
    electric,
    full,
    input_error,
    mon,
    price,
    problem,
    rdsap_price,
    rdsap_standing,
    result_row,
    sap_standing,
    spec_with_row,
    table4a,
    table4a_supplement,
    table4b,
    table11,
    val,
    worksheet,
)

from ara.sap.tables import read_table

GAS, OIL, COAL, ELEC = 1, 4, 11, 30
GAS_STANDING = sap_standing(GAS) + sap_standing(ELEC)  # standard electricity adds 0
IMMERSION = table4a_supplement(903, "efficiency_water_pct")
NO_STANDING = "no standing charge in spec/ for fuel {} (Table 12 / Table 32)"
SUPPLEMENT = "sap10_2_table12_supplement.csv"
TEST_ONLY_STANDING = "standing charge,{},test-only,0,GBP/yr,test,test,"


def run_category(d: dict[str, Any], s: Systems) -> None:
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def test_regular_gas_boiler_with_cylinder() -> None:
    """102 regular condensing: D1 monthly water efficiency from Table 4b winter 84 /
    summer 74; 2012-or-earlier pump 165 kWh plus the 45 kWh fan-assisted flue."""
    d = cylinder(main1_code=102, main1_pump_age=1, main1_fan_flue=True)
    winter, summer = table4b(102)
    assert (winter, summer) == (84.0, 74.0)
    s = Systems(eff1=winter, fuel1=GAS, price1=price(GAS), water_eff=(winter, summer),
                water_fuel=GAS, price_water=price(GAS), pumps=PUMP_BY_AGE[1] + FLUE_FAN,
                price_other=price(ELEC), standing=GAS_STANDING)
    run_category(d, s)
    lines = full(d)
    # summer months have no space heating: (217)m is the summer efficiency
    assert [lines["217"]["monthly"][m] for m in (5, 6, 7, 8)] == [summer] * 4


def test_gas_combi() -> None:
    """104 condensing combi (the base dwelling): D1 with 84 / 75; pump age unknown 115."""
    d = dwelling()
    winter, summer = table4b(104)
    s = Systems(eff1=winter, fuel1=GAS, price1=price(GAS), water_eff=(winter, summer),
                water_fuel=GAS, price_water=price(GAS), pumps=PUMP_BY_AGE[0],
                price_other=price(ELEC), standing=GAS_STANDING)
    run_category(d, s)


def oil_boiler(**kw: Any) -> dict[str, Any]:
    return cylinder(main1_code=126, main1_fuel=OIL, **kw)


def test_oil_boiler_is_rejected_for_want_of_a_table12_standing_charge() -> None:
    """SAP 10.2 Table 12 standing charges for oil are MISSING in spec/: nothing defaulted."""
    err = input_error(oil_boiler())
    assert NO_STANDING.format(OIL) in problem(err, "main1_fuel")


def test_oil_boiler_with_a_supplied_standing_charge() -> None:
    """With a (test-only) standing charge of 0 for oil: Table 4b 126 winter 80 / summer 68,
    the Table 4f 100 kWh liquid-fuel row on top of the circulation pump."""
    d = oil_boiler(main1_pump_age=2)
    winter, summer = table4b(126)
    s = Systems(eff1=winter, fuel1=OIL, price1=price(OIL), water_eff=(winter, summer),
                water_fuel=OIL, price_water=price(OIL),
                pumps=PUMP_BY_AGE[2] + LIQUID_FUEL_PUMP, price_other=price(ELEC), standing=0.0)
    assert s.pumps == 41.0 + 100.0
    with spec_with_row(SUPPLEMENT, TEST_ONLY_STANDING.format(OIL)):
        run_category(d, s)


def test_rdsap_oil_boiler_uses_table32_oil_and_its_lineage_standing_charge() -> None:
    """RdSAP 10 (decision 0016): heating oil at 5.44 p/kWh (the accredited worksheets' value;
    the PDF's oil/FAME rows read swapped) and a standing charge of 0 (LINEAGE)."""
    assert (rdsap_price(OIL), rdsap_standing(str(OIL))) == (5.44, 0.0)
    d = oil_boiler(main1_pump_age=2, rating_method=2)
    winter, summer = table4b(126)
    s = Systems(eff1=winter, fuel1=OIL, price1=5.44, water_eff=(winter, summer),
                water_fuel=OIL, price_water=5.44, pumps=PUMP_BY_AGE[2] + LIQUID_FUEL_PUMP,
                price_other=rdsap_price(ELEC), standing=0.0, method=2)
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def solid_fuel_boiler(**kw: Any) -> dict[str, Any]:
    """151 manual-feed solid fuel boiler on house coal, water by an immersion."""
    d = {"main1_code": 151, "main1_fuel": COAL, "water_heating_code": 903,
         "water_heating_fuel": ELEC, "primary_loss_applies": False}
    d.update(kw)
    return cylinder(**d)


def test_solid_fuel_boiler_is_rejected_for_want_of_a_table12_standing_charge() -> None:
    err = input_error(solid_fuel_boiler())
    assert NO_STANDING.format(COAL) in problem(err, "main1_fuel")


def test_solid_fuel_boiler_uses_table4a_column_b() -> None:
    """With a (test-only) standing charge of 0 for coal: (206) = Table 4a column B (60, not
    column A 65); a wet system, so the circulation pump of Table 4f."""
    d = solid_fuel_boiler()
    eff = table4a(151, "efficiency_col_B_pct")
    assert eff == 60.0 and table4a(151, "efficiency_col_A_pct") == 65.0
    s = Systems(eff1=eff, fuel1=COAL, price1=price(COAL), water_eff=IMMERSION,
                water_fuel=ELEC, price_water=price(ELEC), pumps=PUMP_BY_AGE[0],
                price_other=price(ELEC), standing=0.0)
    with spec_with_row(SUPPLEMENT, TEST_ONLY_STANDING.format(COAL)):
        run_category(d, s)


def test_rdsap_solid_fuel_boiler_uses_table32_house_coal() -> None:
    """RdSAP 10: house coal at Table 32 3.67 p/kWh (an accredited worksheet's (242) line
    reads x 3.6700), standing charge 0 (LINEAGE, decision 0016), CO2 / PE from Table 12."""
    assert (rdsap_price(COAL), rdsap_standing(str(COAL))) == (3.67, 0.0)
    d = solid_fuel_boiler(rating_method=2)
    eff = table4a(151, "efficiency_col_B_pct")
    s = Systems(eff1=eff, fuel1=COAL, price1=3.67, water_eff=IMMERSION, water_fuel=ELEC,
                price_water=rdsap_price(ELEC), pumps=PUMP_BY_AGE[0],
                price_other=rdsap_price(ELEC), standing=0.0, method=2)
    run_category(d, s)


# RdSAP 10 Table 32 solid fuels other than house coal (third-party transcription) with the
# SAP 10.2 Table 12 CO2 / PE factors found with them
@pytest.mark.parametrize(("fuel", "price_p", "co2", "pe"), [
    (15, 3.64, 0.395, 1.064), (12, 4.61, 0.366, 1.261), (20, 4.23, 0.028, 1.046),
    (23, 5.26, 0.053, 1.325), (21, 3.07, 0.023, 1.046), (10, 3.99, 0.087, 1.049)])
def test_rdsap_solid_fuels_price_co2_and_primary_energy(fuel: int, price_p: float,
                                                        co2: float, pe: float) -> None:
    """The same boiler on each solid fuel: (240) = (211) x the Table 32 price, (261) =
    (211) x the Table 12 CO2 factor, primary energy (211) x the Table 12 PE factor."""
    assert rdsap_price(fuel) == price_p
    d = solid_fuel_boiler(main1_fuel=fuel, rating_method=2)
    eff = table4a(151, "efficiency_col_B_pct")
    s = Systems(eff1=eff, fuel1=fuel, price1=price_p, water_eff=IMMERSION, water_fuel=ELEC,
                price_water=rdsap_price(ELEC), pumps=PUMP_BY_AGE[0],
                price_other=rdsap_price(ELEC), standing=rdsap_standing(str(fuel)), method=2)
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)
    assert val(lines, "240") == approx(val(lines, "211") * price_p / 100.0)
    assert val(lines, "261") == approx(val(lines, "211") * co2)
    assert val(lines, "275") == approx(val(lines, "211") * pe)


def test_direct_electric_room_heaters() -> None:
    """691 panel heaters: 100 %, no pump, no secondary unless recorded, no standing
    charge for standard-tariff electricity; immersion water heating (Table 4a 903, 100 %)."""
    d = electric(691)
    s = Systems(eff1=table4a(691, "efficiency_space_pct"), fuel1=ELEC, price1=price(ELEC),
                water_eff=IMMERSION, water_fuel=ELEC, price_water=price(ELEC), pumps=0.0,
                price_other=price(ELEC), standing=sap_standing(ELEC))
    assert s.eff1 == 100.0
    run_category(d, s)


def test_electric_storage_heaters_always_have_a_secondary() -> None:
    """402 slimline storage heaters: Appendix A.2.2 assumes a secondary even when none is
    recorded: portable electric heaters 693 with the Table 11 fraction of the main system
    (not fan-assisted storage heaters, 0.15)."""
    d = electric(402)
    frac = table11("Electric storage heaters (not integrated) - not fan-assisted")
    assert frac == 0.15
    s = Systems(eff1=table4a(402, "efficiency_space_pct"), fuel1=ELEC, price1=price(ELEC),
                water_eff=IMMERSION, water_fuel=ELEC, price_water=price(ELEC), pumps=0.0,
                price_other=price(ELEC), standing=sap_standing(ELEC), sec_frac=frac,
                eff_sec=table4a(693, "efficiency_space_pct"), sec_fuel=ELEC,
                price_sec=price(ELEC))
    run_category(d, s)


def test_heat_pump_211() -> None:
    """211 (Table 4a heat pump with radiators): space 230 %, water 170 %; the circulation
    pump is inside the heat pump efficiency (Table 4f: 0)."""
    d = cylinder(main1_code=211, main1_fuel=ELEC)
    s = Systems(eff1=table4a(211, "efficiency_space_pct"), fuel1=ELEC, price1=price(ELEC),
                water_eff=table4a(211, "efficiency_water_pct"), water_fuel=ELEC,
                price_water=price(ELEC), pumps=0.0, price_other=price(ELEC),
                standing=sap_standing(ELEC))
    assert (s.eff1, s.water_eff) == (230.0, 170.0)
    run_category(d, s)


def test_electric_boiler_191() -> None:
    """191 direct-acting electric boiler: 100 %, a wet system with a circulation pump."""
    d = electric(191)
    s = Systems(eff1=table4a(191, "efficiency_space_pct"), fuel1=ELEC, price1=price(ELEC),
                water_eff=IMMERSION, water_fuel=ELEC, price_water=price(ELEC),
                pumps=PUMP_BY_AGE[0], price_other=price(ELEC), standing=sap_standing(ELEC))
    run_category(d, s)


# ---------------------------------------------------------------- Table 4f


@pytest.mark.parametrize("age", [0, 1, 2])
@pytest.mark.parametrize("thermostat", [True, False])
def test_circulation_pump_by_age_and_room_thermostat(age: int, thermostat: bool) -> None:
    """(231) = 115 / 165 / 41 kWh by pump age, x 1.3 when the room thermostat is absent
    (control 2101, Table 4e 'no time or thermostatic control'; 2106 has one)."""
    d = dwelling(main1_pump_age=age, main1_control=2106 if thermostat else 2101)
    expected = PUMP_BY_AGE[age] * (1.0 if thermostat else NO_THERMOSTAT_FACTOR)
    assert val(full(d), "231") == pytest.approx(expected, rel=1e-9)


def test_fan_flue_adds_45_kwh() -> None:
    d = dwelling(main1_fan_flue=True)
    assert val(full(d), "231") == pytest.approx(PUMP_BY_AGE[0] + FLUE_FAN, rel=1e-9)


def test_liquid_fuel_row_is_not_multiplied_by_the_thermostat_factor() -> None:
    """Oil boiler, 2013-or-later pump, no room thermostat: 41 x 1.3 + 100 = 153.3 (with a
    test-only oil standing charge so the dwelling is accepted)."""
    d = oil_boiler(main1_pump_age=2, main1_control=2101)
    with spec_with_row(SUPPLEMENT, TEST_ONLY_STANDING.format(OIL)):
        got = val(full(d), "231")
    assert got == pytest.approx(PUMP_BY_AGE[2] * NO_THERMOSTAT_FACTOR + LIQUID_FUEL_PUMP,
                                rel=1e-9)
    assert got == pytest.approx(153.3, rel=1e-9)


def test_rdsap_bottled_lpg_combi_with_derived_primary_energy() -> None:
    """A combi on bottled LPG (code 3), RdSAP method: Table 32 10.30 p, standing charge 0
    (LINEAGE, decision 0016), CO2 0.241 and PE 1.141 (derived = bulk LPG, decision 0021)."""
    assert (rdsap_price(3), rdsap_standing("3")) == (10.3, 0.0)
    d = dwelling(main1_fuel=3, rating_method=2)
    winter, summer = table4b(104)
    s = Systems(eff1=winter, fuel1=3, price1=10.3, water_eff=(winter, summer), water_fuel=3,
                price_water=10.3, pumps=PUMP_BY_AGE[0], price_other=rdsap_price(ELEC),
                standing=0.0, method=2)
    lines = full(d)
    exp = worksheet(lines, d, s)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)
    assert val(lines, "275") == approx(val(lines, "211") * 1.141)


@pytest.mark.parametrize(("code", "fuel"), [(151, 11), (155, 21), (160, 15), (191, ELEC),
                                            (634, 15)])
def test_water_from_a_table_4a_boiler_at_its_space_efficiency(code: int, fuel: int) -> None:
    """SAP 2009 Table 4a 'Water effy: same' (LINEAGE, sap2009_table4a_water_efficiency_
    LINEAGE.csv): a solid-fuel or electric boiler (or a room heater's back boiler) heats the
    water from the main system (901) at its own space efficiency, (217) = (206)."""
    rows = [r for r in read_table("sap2009_table4a_water_efficiency_LINEAGE.csv")
            if r["sap_code"] == str(code)]
    assert [r["water_efficiency"] for r in rows] == ["same"]
    d = cylinder(main1_code=code, main1_fuel=fuel, water_heating_code=901, rating_method=2)
    lines = full(d)
    # (206): solid fuel at Table 4a column B (RdSAP, no HETAS approval), electric 100 %
    assert val(lines, "206") == approx(table4a_supplement(code, "efficiency_space_pct")
                                       if code == 191 else table4a(code, "efficiency_col_B_pct"))
    assert val(lines, "217") == approx(val(lines, "206"))
    assert mon(lines, "219") == [approx(w * 100.0 / val(lines, "206"))
                                 for w in mon(lines, "64")]
    assert result_row(d)["status"] == "ok"


def test_gas_fire_back_boiler_heats_water_at_the_lineage_65_percent() -> None:
    rows = [r for r in read_table("sap2009_table4a_water_efficiency_LINEAGE.csv")
            if r["sap_code"] == "604"]
    want = float(rows[0]["water_efficiency"])
    lines = full(cylinder(main1_code=604, main1_fuel=1, water_heating_code=901,
                          rating_method=2))
    assert val(lines, "217") == approx(want)
