"""Hand-derived Appendix M1 photovoltaics.

E_PV,m = 0.8 x kWp x S_m x Z_PV with S_m = 0.024 x n_m x S_h,m x R_h-inc (Appendix U3,
Tables U3/U4/U5) and Z_PV from Table H2; beta_m = min(exp(-C1 (R C2)^C3), D/E), R = E/D,
C = a + b x min(Cbat, 15) (M1 coefficients); D_PV,m = lighting + appliances + cooking +
pumps/fans + electric showers (+ standard-tariff electric heating); (233a) = E beta, (233b)
= E (1 - beta); (252) = -(used x import price + exported x Table 12 code 60 price) / 100;
(269) = -(used x Table 12d import + exported x Table 12d PV export). Tolerance: relative 1e-9.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_hand_common import approx, dwelling
from test_hand_systems_common import (
    ELEC_CO2,
    PUMP_BY_AGE,
    Systems,
    beta,
    check_result,
    check_worksheet,
    electric,
    full,
    input_error,
    mon,
    price,
    problem,
    pv_demand,
    pv_generation,
    rdsap_price,
    rdsap_standing,
    result_row,
    sap_standing,
    table4a,
    table4a_supplement,
    table4b,
    val,
    worksheet,
)

from ara.sap.tables import read_table

GAS, ELEC, EXPORT = 1, 30, 60


def array(kwp: float = 3.0, orientation: int = 5, tilt: float = 30.0,
          overshading: int = 1) -> dict[str, Any]:
    return {"peak_power_kw": kwp, "orientation": orientation, "tilt_deg": tilt,
            "overshading": overshading}


@pytest.mark.parametrize("orientation,tilt,overshading,region", [
    (5, 30.0, 1, 0), (5, 30.0, 2, 0), (3, 45.0, 1, 0), (4, 30.0, 2, 15), (9, 0.0, 1, 13)])
def test_generation_each_month(orientation: int, tilt: float, overshading: int,
                               region: int) -> None:
    d = dwelling(climate_region=region, pv_arrays=[array(2.5, orientation, tilt, overshading)])
    got = mon(full(d), "E_PV")
    assert got == [approx(v) for v in pv_generation(2.5, orientation, tilt, overshading,
                                                    region)]


def test_two_arrays_add() -> None:
    d = dwelling(pv_arrays=[array(2.0, 5, 30.0, 1), array(1.5, 7, 40.0, 2)])
    a = pv_generation(2.0, 5, 30.0, 1, 0)
    b = pv_generation(1.5, 7, 40.0, 2, 0)
    assert mon(full(d), "E_PV") == [approx(x + y) for x, y in zip(a, b, strict=True)]


@pytest.mark.parametrize("battery", [0.0, 5.0, 20.0])
def test_beta_split_each_month(battery: float) -> None:
    """Gas combi dwelling: the demand is lighting, appliances, cooking and pumps; a battery
    above 15 kWh counts as 15."""
    d = dwelling(pv_arrays=[array(3.0)], battery_capacity_kwh=battery)
    lines = full(d)
    e = pv_generation(3.0, 5, 30.0, 1, 0)
    dem = pv_demand(lines, PUMP_BY_AGE[0])
    b = [beta(x, y, battery) for x, y in zip(e, dem, strict=True)]
    assert mon(lines, "D_PV") == [approx(v) for v in dem]
    assert mon(lines, "beta") == [approx(v) for v in b]
    assert mon(lines, "233a") == [approx(x * y) for x, y in zip(e, b, strict=True)]
    assert mon(lines, "233b") == [approx(x * (1 - y)) for x, y in zip(e, b, strict=True)]


def test_battery_cap_is_15_kwh() -> None:
    lines_20 = full(dwelling(pv_arrays=[array(3.0)], battery_capacity_kwh=20.0))
    lines_15 = full(dwelling(pv_arrays=[array(3.0)], battery_capacity_kwh=15.0))
    assert mon(lines_20, "beta") == [approx(v) for v in mon(lines_15, "beta")]


def test_beta_is_capped_by_demand_over_generation() -> None:
    """A large array: in summer D/E is below the exponential term."""
    d = dwelling(pv_arrays=[array(12.0)], battery_capacity_kwh=15.0)
    lines = full(d)
    e = pv_generation(12.0, 5, 30.0, 1, 0)
    dem = pv_demand(lines, PUMP_BY_AGE[0])
    b = [beta(x, y, 15.0) for x, y in zip(e, dem, strict=True)]
    assert any(v == approx(y / x) for v, x, y in zip(b, e, dem, strict=True))
    assert mon(lines, "beta") == [approx(v) for v in b]


def test_pv_credit_and_whole_worksheet_gas_combi() -> None:
    """(252) = -(used x 16.49 + exported x 5.59) / 100 and the chain to the ratings."""
    d = dwelling(pv_arrays=[array(3.0)])
    lines = full(d)
    e = pv_generation(3.0, 5, 30.0, 1, 0)
    dem = pv_demand(lines, PUMP_BY_AGE[0])
    b = [beta(x, y) for x, y in zip(e, dem, strict=True)]
    winter, summer = table4b(104)
    s = Systems(eff1=winter, fuel1=GAS, price1=price(GAS), water_eff=(winter, summer),
                water_fuel=GAS, price_water=price(GAS), pumps=PUMP_BY_AGE[0],
                price_other=price(ELEC), standing=sap_standing(GAS) + sap_standing(ELEC),
                pv_used=[x * y for x, y in zip(e, b, strict=True)],
                pv_exported=[x * (1 - y) for x, y in zip(e, b, strict=True)],
                price_export=price(EXPORT))
    exp = worksheet(lines, d, s)
    assert exp["252"] == approx(-(sum(s.pv_used) * 16.49 + sum(s.pv_exported) * 5.59) / 100)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def test_standard_tariff_electric_heating_counts_in_the_demand() -> None:
    """Electric room heaters and immersion on code 30: (211)m and (219)m join D_PV,m."""
    d = electric(691, pv_arrays=[array(3.0)])
    lines = full(d)
    heat = [a + w for a, w in zip(mon(lines, "211"), mon(lines, "219"), strict=True)]
    dem = pv_demand(lines, 0.0, heat)
    e = pv_generation(3.0, 5, 30.0, 1, 0)
    b = [beta(x, y) for x, y in zip(e, dem, strict=True)]
    assert mon(lines, "D_PV") == [approx(v) for v in dem]
    s = Systems(eff1=table4a(691, "efficiency_space_pct"), fuel1=ELEC, price1=price(ELEC),
                water_eff=table4a_supplement(903, "efficiency_water_pct"), water_fuel=ELEC,
                price_water=price(ELEC), pumps=0.0, price_other=price(ELEC),
                standing=sap_standing(ELEC),
                pv_used=[x * y for x, y in zip(e, b, strict=True)],
                pv_exported=[x * (1 - y) for x, y in zip(e, b, strict=True)],
                price_export=price(EXPORT))
    check_worksheet(lines, worksheet(lines, d, s))


def test_pv_co2_credit_uses_monthly_import_and_export_factors() -> None:
    lines = full(dwelling(pv_arrays=[array(3.0)]))
    export = [float(r["co2_export_pv_kg_per_kwh"]) for r in
              read_table("sap10_2_table12d_12e_monthly_electricity_factors.csv")]
    want = [-(u * f + x * g) for u, x, f, g in zip(mon(lines, "233a"), mon(lines, "233b"),
                                                   ELEC_CO2, export, strict=True)]
    assert mon(lines, "269") == [approx(v) for v in want]
    assert val(lines, "269") == approx(sum(want))


@pytest.mark.parametrize("code", [3, 4])
def test_overshading_with_conflicting_table_h2_rows_is_rejected(code: int) -> None:
    values = {r["z_factor"] for r in read_table("sap10_2_table_h2_pv_overshading.csv")
              if r["schema_code"] == str(code) and "PV" in r["applies_to"]}
    assert len(values) == 2  # two candidate Z_PV: unresolved in spec/
    err = input_error(dwelling(pv_arrays=[array(overshading=code)]))
    assert problem(err, "pv_arrays.overshading") == [
        "required: a code with a Table H2 factor in spec/, or an overshading_factor"]


@pytest.mark.parametrize("z", [0.35, 0.5, 1.0])
def test_a_declared_overshading_factor_replaces_the_table_h2_row(z: float) -> None:
    """E_PV,m is linear in Z_PV: a declared factor (estimate mode's for codes 3-5) gives
    z times the generation of the same array unshaded (code 1, Z = 1)."""
    unshaded = mon(full(dwelling(pv_arrays=[array(overshading=1)])), "E_PV")
    declared = {**array(overshading=4), "overshading_factor": z}
    got = mon(full(dwelling(pv_arrays=[declared])), "E_PV")
    assert got == [approx(z * x) for x in unshaded]


@pytest.mark.parametrize("z", [0.0, -0.1, 1.5])
def test_an_overshading_factor_outside_0_1_is_refused(z: float) -> None:
    err = input_error(dwelling(pv_arrays=[{**array(), "overshading_factor": z}]))
    assert problem(err, "pv_arrays.overshading_factor") == ["must be in (0, 1]"]


def test_pv_with_the_rdsap_method_exports_at_table32_code_60() -> None:
    """RdSAP 10: Table 32 code 60 equals code 30 (13.19 p/kWh), so (252) = -(used + exported)
    x 13.19 / 100; the rest of the worksheet on Table 32 prices and the RdSAP rating."""
    assert rdsap_price(EXPORT) == rdsap_price(ELEC) == 13.19
    d = dwelling(rating_method=2, pv_arrays=[array(3.0)])
    lines = full(d)
    e = pv_generation(3.0, 5, 30.0, 1, 0)
    dem = pv_demand(lines, PUMP_BY_AGE[0])
    b = [beta(x, y) for x, y in zip(e, dem, strict=True)]
    winter, summer = table4b(104)
    s = Systems(eff1=winter, fuel1=GAS, price1=rdsap_price(GAS), water_eff=(winter, summer),
                water_fuel=GAS, price_water=rdsap_price(GAS), pumps=PUMP_BY_AGE[0],
                price_other=rdsap_price(ELEC), standing=rdsap_standing(str(GAS)),
                method=2, pv_used=[x * y for x, y in zip(e, b, strict=True)],
                pv_exported=[x * (1 - y) for x, y in zip(e, b, strict=True)],
                price_export=rdsap_price(EXPORT))
    exp = worksheet(lines, d, s)
    assert exp["252"] == approx(-sum(e) * 13.19 / 100.0)
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)
