"""Hand-derived Table 4c efficiency adjustments and Table 11 secondary heating.

Table 4c (sap10_2_table4c_efficiency_adjustments_PARTIAL.csv): a regular boiler without
interlock loses 5 points on space (206) and on water (both D1 efficiencies); a combi loses 5
on space only; no thermostatic room control on a regular boiler: 5 and 5.
Secondary heating: (201) from Table 11 (or the input), (202) = 1 - (201), (204) = (202),
(211)m = (98)m x (204) x 100 / (206), (215)m = (98)m x (201) x 100 / (208).
Tolerance: relative 1e-9.
"""

from __future__ import annotations

from typing import Any

from test_hand_common import approx, dwelling
from test_hand_systems_common import (
    PUMP_BY_AGE,
    Systems,
    check_result,
    check_worksheet,
    cylinder,
    full,
    mon,
    price,
    result_row,
    sap_standing,
    table4a,
    table4b,
    table4c,
    table11,
    val,
    worksheet,
)

GAS, ELEC = 1, 30


def water_d1(lines: dict[str, Any], winter: float, summer: float) -> list[float]:
    """Appendix D eq. D1 month by month for a single main system without secondary."""
    return [(q + w) / (q / winter + w / summer)
            for q, w in zip(mon(lines, "98"), mon(lines, "64"), strict=True)]


def check_efficiencies(d: dict[str, Any], space: float, winter: float, summer: float) -> None:
    lines = full(d)
    assert val(lines, "206") == space
    r217 = water_d1(lines, winter, summer)
    assert mon(lines, "217") == [approx(v) for v in r217]
    assert mon(lines, "219") == [approx(w * 100.0 / e)
                                 for w, e in zip(mon(lines, "64"), r217, strict=True)]
    assert mon(lines, "211") == [approx(q * 100.0 / space) for q in mon(lines, "98")]


def test_regular_boiler_without_interlock_loses_5_on_space_and_water() -> None:
    d_space, d_water = table4c("No boiler interlock - regular boiler")
    assert (d_space, d_water) == (-5.0, -5.0)
    winter, summer = table4b(102)
    check_efficiencies(cylinder(main1_code=102, main1_interlock=False),
                       winter + d_space, winter + d_water, summer + d_water)


def test_combi_without_interlock_loses_5_on_space_only() -> None:
    d_space, d_water = table4c("No boiler interlock - combi")
    assert (d_space, d_water) == (-5.0, 0.0)
    winter, summer = table4b(104)
    check_efficiencies(dwelling(main1_code=104, main1_interlock=False),
                       winter + d_space, winter + d_water, summer + d_water)


def test_regular_boiler_without_room_thermostat_loses_5_on_space_and_water() -> None:
    d_space, d_water = table4c("No thermostatic control of room temperature - regular boiler")
    winter, summer = table4b(102)
    check_efficiencies(cylinder(main1_code=102, main1_control=2101),
                       winter + d_space, winter + d_water, summer + d_water)


def test_interlocked_boiler_keeps_table4b_values() -> None:
    winter, summer = table4b(102)
    check_efficiencies(cylinder(main1_code=102, main1_interlock=True), winter, winter, summer)


# ---------------------------------------------------------------- secondary heating

GAS_MAIN_ROW = "All gas, liquid and solid fuel main systems (boilers, warm air, room heaters)"


def gas_with_secondary(**kw: Any) -> dict[str, Any]:
    return dwelling(secondary_code=691, secondary_fuel=ELEC, **kw)


def secondary_systems(frac: float) -> Systems:
    winter, summer = table4b(104)
    return Systems(eff1=winter, fuel1=GAS, price1=price(GAS), water_eff=(winter, summer),
                   water_fuel=GAS, price_water=price(GAS), pumps=PUMP_BY_AGE[0],
                   price_other=price(ELEC), standing=sap_standing(GAS) + sap_standing(ELEC),
                   sec_frac=frac, eff_sec=table4a(691, "efficiency_space_pct"),
                   sec_fuel=ELEC, price_sec=price(ELEC))


def test_recorded_secondary_room_heater_takes_the_table11_fraction() -> None:
    """Gas combi + electric panel heaters (691): (201) = 0.10 (Table 11, gas main), the
    secondary priced at standard electricity, one standing charge (gas) only. D1 uses the
    main system's share of space heat, (98) x (204)."""
    frac = table11(GAS_MAIN_ROW)
    assert frac == 0.10
    d = gas_with_secondary()
    lines = full(d)
    exp = worksheet(lines, d, secondary_systems(frac))
    check_worksheet(lines, exp)
    check_result(result_row(d), exp)


def test_explicit_secondary_fraction_overrides_table11() -> None:
    d = gas_with_secondary(secondary_fraction=0.25)
    lines = full(d)
    exp = worksheet(lines, d, secondary_systems(0.25))
    assert val(lines, "201") == 0.25
    check_worksheet(lines, exp)


def test_no_secondary_recorded_means_no_secondary_for_a_gas_main() -> None:
    """Table 11 applies only when a secondary is recorded (A.2.2 forces one only for
    storage heaters 401-407, 409 and electric underfloor 421)."""
    lines = full(dwelling())
    assert val(lines, "201") == 0.0
    assert val(lines, "215") == 0.0


# ------------------------------------------- Table 4b rows from SAP 2009/2012 lineage (0015)

def test_pre_1998_open_flue_boiler_blends_lineage_summer_efficiency() -> None:
    # 115: gas pre-1998, balanced or open flue, wall mounted: winter 66 %, summer 56 %
    assert table4b(115) == (66.0, 56.0)
    check_efficiencies(cylinder(main1_code=115, main1_interlock=True), 66.0, 66.0, 56.0)


def test_pre_1998_condensing_combi_blends_lineage_summer_efficiency() -> None:
    # 113: gas pre-1998, fan-assisted flue, condensing combi: winter 84 %, summer 75 %
    assert table4b(113) == (84.0, 75.0)
    check_efficiencies(dwelling(main1_code=113, main1_interlock=True), 84.0, 84.0, 75.0)
