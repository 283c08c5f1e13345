"""Estimate mode where SAP 10.2 figures are missing from spec/, through the RdSAP expansion
and the calculator: fuels without Table 12 figures (fallback ``fuel_factor_proxy``, decision
0025), heat networks lodged from their PCDB data (``heat_network_fuel_from_pcdb``) and PV
overshading codes without a settled Table H2 value (``pv_overshading_unresolved``).

Strict mode refuses the certificate naming the fallback; estimate mode fills the calculator
input, lists the assumption and rates it. The calculator's side is hand-checked in
``tests/test_hand_systems_fuel_proxies.py`` and ``tests/test_hand_systems_pv.py``.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_estimate_mode import complete_rdsap_10, table

from ara.rdsap import expand
from ara.sap import calculate

OIL_BOILER = "126"  # Table 4b: standard oil boiler 1998 or later


def with_fuel(main_fuel: str, code: str = OIL_BOILER) -> dict[str, Any]:
    row = complete_rdsap_10()
    heating = row["main_heating"][0]
    heating.update(main_fuel_type=main_fuel, sap_main_heating_code=code,
                   main_heating_index_number=None, main_heating_data_source="2")
    row["water_heating_fuel"] = main_fuel
    return row


@pytest.mark.parametrize(("rdsap_fuel", "sap_fuel"), [
    ("18", 75),  # B30K: its own CO2 and price, heating oil's primary energy
    ("35", 72),  # biodiesel from used cooking oil: no row at all, via 71 and heating oil
    ("37", 74),  # appliances able to use mineral oil or liquid biofuel: heating oil
])
def test_strict_refuses_and_estimate_rates_with_the_proxy(rdsap_fuel: str,
                                                          sap_fuel: int) -> None:
    certs = table(with_fuel(rdsap_fuel))
    strict = expand(certs, ["d"])
    assert strict.refused.tolist() == [True]
    messages = [m for *_, m in strict.problems]
    assert any("fuel_factor_proxy" in m for m in messages), messages
    estimate = expand(certs, ["d"], mode="estimate")
    assert estimate.problems == [] and estimate.estimate.tolist() == [True]
    assert estimate.assumptions.to_pylist() == [["fuel_factor_proxy"]]
    assert estimate.inputs.column("fuel_factors_proxy").to_pylist() == [True]
    assert estimate.inputs.column("main1_fuel").to_pylist() == [sap_fuel]
    row = calculate(estimate.inputs).to_pylist()[0]
    assert row["status"] == "ok" and row["fuel_main1"] == sap_fuel


def test_a_fuel_with_every_figure_needs_no_proxy() -> None:
    estimate = expand(table(with_fuel("28")), ["d"], mode="estimate")  # heating oil
    assert estimate.problems == [] and estimate.assumptions.to_pylist() == [[]]
    assert estimate.inputs.column("fuel_factors_proxy").to_pylist() == [False]


def test_a_heat_network_lodged_from_its_pcdb_data_is_a_gas_boiler_network_in_estimate_mode(
        ) -> None:
    """Fuel 99 ('from heat network data'): the network's own factors are a PCDB record Ara
    does not read; strict refuses naming heat_network_fuel_from_pcdb, estimate mode rates it
    as heat from mains-gas boilers (Table 12 code 51, the fallback's declared value)."""
    row = complete_rdsap_10()
    row["main_heating"][0].update(main_heating_category="6", sap_main_heating_code="301",
                                  main_fuel_type="99", main_heating_control="2306",
                                  main_heating_index_number=None,
                                  main_heating_data_source="2")
    row["water_heating_fuel"] = "99"
    strict = expand(table(row), ["d"])
    assert any("heat_network_fuel_from_pcdb" in m for *_, m in strict.problems)
    estimate = expand(table(row), ["d"], mode="estimate")
    assert estimate.problems == [], estimate.problems
    assert "heat_network_fuel_from_pcdb" in estimate.assumptions.to_pylist()[0]
    assert estimate.inputs.column("main1_fuel").to_pylist() == [51]
    out = calculate(estimate.inputs).to_pylist()[0]
    assert out["status"] == "ok" and out["fuel_main1"] == 51


@pytest.mark.parametrize(("shade", "z"), [("3", 0.5), ("4", 0.35), ("5", 0.35)])
def test_pv_overshading_without_a_settled_sap_10_2_value_is_an_estimate(shade: str,
                                                                        z: float) -> None:
    """Significant / heavy overshading (conflicting candidates in spec/) and severe (none
    found): strict refuses naming pv_overshading_unresolved; estimate mode declares the
    lowest candidate (heavy's for severe) as the array's overshading_factor. The expected
    values are the table's lowest candidates as transcribed (0.5 / 0.35)."""
    row = complete_rdsap_10()
    row["pv_arrays"] = [{"peak_power_kw": 2.0, "orientation": "5", "pitch": "3",
                         "overshading": shade, "pv_connection": "2"}]
    row["pv_connection"] = "2"
    strict = expand(table(row), ["d"])
    assert any("pv_overshading_unresolved" in m for *_, m in strict.problems)
    estimate = expand(table(row), ["d"], mode="estimate")
    assert estimate.problems == [], estimate.problems
    assert estimate.assumptions.to_pylist() == [["pv_overshading_unresolved"]]
    [array] = estimate.inputs.column("pv_arrays").to_pylist()[0]
    assert array["overshading_factor"] == pytest.approx(z)
    assert calculate(estimate.inputs).to_pylist()[0]["status"] == "ok"


def test_pv_overshading_with_a_settled_value_declares_no_factor() -> None:
    row = complete_rdsap_10()
    row["pv_arrays"] = [{"peak_power_kw": 2.0, "orientation": "5", "pitch": "3",
                         "overshading": "2", "pv_connection": "2"}]
    row["pv_connection"] = "2"
    estimate = expand(table(row), ["d"], mode="estimate")
    assert estimate.assumptions.to_pylist() == [[]]
    [array] = estimate.inputs.column("pv_arrays").to_pylist()[0]
    assert array["overshading_factor"] is None and array["overshading"] == 2


def _park_home_table() -> dict[str, float]:
    from ara.sap.tables import read_table
    return {r["age_band"]: float(r["u_value"])
            for r in read_table("rdsap2012_table_s8a_park_home_walls_LINEAGE.csv")}


@pytest.mark.parametrize("insulation", ["4", "5"])
def test_a_park_home_wall_as_built_takes_the_rdsap_2012_s8a_value_in_estimate_mode(
        insulation: str) -> None:
    row = complete_rdsap_10()
    part = row["building_parts"][0]
    part.update(wall_construction="10", wall_insulation_type=insulation,
                wall_insulation_thickness=None, wall_thickness_measured=False,
                wall_thickness_mm=None)
    strict = expand(table(row), ["d"])
    assert any("park_home_wall_lineage" in m for *_, m in strict.problems)
    estimate = expand(table(row), ["d"], mode="estimate")
    assert estimate.problems == [], estimate.problems
    assert "park_home_wall_lineage" in estimate.assumptions.to_pylist()[0]
    band = part["construction_age_band"]
    walls = [e for e in estimate.inputs.column("elements").to_pylist()[0] if e["kind"] == 1]
    assert walls[0]["u_value"] == pytest.approx(_park_home_table()[band])
    assert calculate(estimate.inputs).to_pylist()[0]["status"] == "ok"


def test_a_park_home_wall_with_added_insulation_still_needs_its_u_value() -> None:
    row = complete_rdsap_10()
    row["building_parts"][0].update(wall_construction="10", wall_insulation_type="1",
                                    wall_insulation_thickness="50mm")
    estimate = expand(table(row), ["d"], mode="estimate")
    assert [f for _r, _c, f, _m in estimate.problems] == [
        "building_parts[].wall_construction"]
    row["building_parts"][0]["wall_u_value"] = 0.45
    assert expand(table(row), ["d"], mode="estimate").problems == []


@pytest.mark.parametrize("cylinder", [False, True])
def test_a_multi_point_gas_water_heater_is_delivery_4(cylinder: bool) -> None:
    """908 (multi-point gas water heater): hot_water_delivery 4, instantaneous with a
    distribution loss; a cylinder lodged with it is ignored (fallback
    cylinder_with_point_of_use_heater, as for 907 / 909). The sample's mixer shower is then
    not fed from a vented store: its flow is the declared fallback mixer_shower_flow."""
    row = complete_rdsap_10()
    row.update(water_heating_code="908", water_heating_fuel="26")
    if not cylinder:
        row.update(cylinder_size="1", cylinder_insulation_type=None,
                   cylinder_insulation_thickness=None, cylinder_thermostat=None)
    strict = expand(table(row), ["d"])
    estimate = expand(table(row), ["d"], mode="estimate")
    assert estimate.problems == [], estimate.problems
    assert estimate.inputs.column("hot_water_delivery").to_pylist() == [4]
    assert estimate.assumptions.to_pylist() == [
        ["cylinder_with_point_of_use_heater", "mixer_shower_flow"] if cylinder
        else ["mixer_shower_flow"]]
    # strict refuses only for those declared fallbacks, nothing blocks the delivery itself
    assert strict.problems and all("strict mode refuses" in m for *_, m in strict.problems)
    assert calculate(estimate.inputs).to_pylist()[0]["status"] == "ok"
