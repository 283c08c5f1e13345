"""Issue 12: a test certificate for each feature real certificates lodge, rated end to end by
``ara rate`` from RdSAP XML and from register JSON.

Each feature is the register's RdSAP-Schema-21.0.1 sample (``tests/vectors/register``) edited
the way a certificate with that feature is lodged: the XML by replacing elements, the JSON
(the same certificate as the data warehouse serves it) by setting the same fields. Both are
rated in estimate mode (the sample leaves other items unlodged: those fallbacks are listed in
``BASE_ASSUMPTIONS``) and must give the same rating; each test then checks what the feature
itself does."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_estimate_mode import table
from test_pcdb import block, boiler, pcdf, write

from ara.cli import main
from ara.rdsap.expansion import expand
from ara.rdsap.readers import read_rdsap_xml
from ara.sap import trace

REGISTER = Path(__file__).resolve().parents[1] / "vectors" / "register"
XML = (REGISTER / "RdSAP-Schema-21.0.1.xml").read_text(encoding="utf-8")
JSON = json.loads((REGISTER / "RdSAP-Schema-21.0.1.json").read_text(encoding="utf-8"))
#: What the unedited sample takes from the declared fallbacks (test_estimate_mode).
BASE_ASSUMPTIONS = {
    "wall_thickness_nearest_band", "pressure_test_without_result",
    "mechanical_ventilation_default_sfp_piv", "secondary_type_not_lodged",
    "cylinder_not_lodged", "cylinder_thermostat_not_lodged", "bath_count_not_lodged",
    "wwhrs_not_connected"}


def edit_xml(*pairs: tuple[str, str]) -> str:
    text = XML
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def edit_json(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = json.loads(json.dumps(JSON))
    change(data)
    return data


def rate_both(tmp_path: Path, xml: str, data: dict[str, Any], capsys: pytest.CaptureFixture[str],
              *extra: str) -> list[dict[str, Any]]:
    """``ara rate --json --mode estimate`` of the XML and the JSON certificate: both rated, with
    the same assumptions and the same SAP rating."""
    (tmp_path / "epc.xml").write_text(xml, encoding="utf-8")
    (tmp_path / "epc.json").write_text(json.dumps(data), encoding="utf-8")
    code = main(["rate", "--json", "--mode", "estimate", *extra, str(tmp_path / "epc.xml"),
                 str(tmp_path / "epc.json")])
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0, [r["error"] for r in results]
    xml_result, json_result = results
    assert set(xml_result["assumptions"]) == set(json_result["assumptions"])
    assert xml_result["sap_rating_continuous"] == pytest.approx(
        json_result["sap_rating_continuous"], abs=0.5)
    return results


# --------------------------------------------------------------- heat network, no cylinder --

HEAT_NETWORK_XML = (
    ("<Main-Heating-Category>2</Main-Heating-Category>",
     "<Main-Heating-Category>6</Main-Heating-Category>"),
    ("<Main-Fuel-Type>26</Main-Fuel-Type>", "<Main-Fuel-Type>20</Main-Fuel-Type>"),
    ("<SAP-Main-Heating-Code>101</SAP-Main-Heating-Code>",
     "<SAP-Main-Heating-Code>301</SAP-Main-Heating-Code>"),
    ("<Main-Heating-Index-Number>017507</Main-Heating-Index-Number>", ""))


def heat_network_json(data: dict[str, Any]) -> None:
    system = data["sap_heating"]["main_heating_details"][0]
    system.update(main_heating_category=6, main_fuel_type=20, sap_main_heating_code=301)
    del system["main_heating_index_number"]


def test_heat_network_without_a_cylinder_is_the_case_c_store(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = rate_both(tmp_path, edit_xml(*HEAT_NETWORK_XML), edit_json(heat_network_json),
                        capsys)
    # SAP 10.2 heat networks case (c) is a spec rule, not an estimate: the cylinder
    # fallbacks of the base certificate are gone
    assert set(results[0]["assumptions"]) == BASE_ASSUMPTIONS - {
        "cylinder_not_lodged", "cylinder_thermostat_not_lodged"}
    row = read_rdsap_xml(tmp_path / "epc.xml")
    inputs = expand(table(row), ["d"], mode="estimate").inputs.to_pylist()[0]
    assert (inputs["hot_water_delivery"], inputs["cylinder_declared_loss_kwh_per_day"],
            inputs["cylinder_volume_l"], inputs["cylinder_thermostat"],
            inputs["hot_water_separately_timed"]) == (3, 1.72, 110.0, True, False)
    lines = trace(inputs)["lines"]
    # (56) = 1.72 kWh/day x Table 2b 0.60 (thermostat, not separately timed) x 365 days
    assert lines["53"] == 0.6
    assert sum(lines["56"]["monthly"]) == pytest.approx(1.72 * 0.60 * 365, abs=1e-9)


# ---------------------------------------------------------------- boiler by PCDB index -----

PCDB_BOILER_XML = (
    ("<SAP-Main-Heating-Code>101</SAP-Main-Heating-Code>", ""),
    ("<Main-Heating-Index-Number>017507</Main-Heating-Index-Number>",
     "<Main-Heating-Index-Number>900001</Main-Heating-Index-Number>"))


def pcdb_boiler_json(data: dict[str, Any]) -> None:
    system = data["sap_heating"]["main_heating_details"][0]
    del system["sap_main_heating_code"]
    system["main_heating_index_number"] = 900001


def test_boiler_by_pcdb_index_with_and_without_the_pcdb(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    xml, data = edit_xml(*PCDB_BOILER_XML), edit_json(pcdb_boiler_json)
    without = rate_both(tmp_path, xml, data, capsys)
    assert "boiler_product_unavailable" in without[0]["assumptions"]
    # an invented regular condensing gas boiler (PCDB fuel 1, main type 1, condensing 2)
    pcdb = write(tmp_path, pcdf(block(105, 210, [
        boiler("900001", {11: "1", 14: "1", 18: "2", 25: "91.5", 26: "80.5"})])))
    with_pcdb = rate_both(tmp_path, xml, data, capsys, "--pcdb", str(pcdb))
    assert "boiler_product_unavailable" not in with_pcdb[0]["assumptions"]
    # 91.5 % against the fallback's Table 4b row (fan flue 'N': the pre-1998 balanced-flue
    # 115, 66 %): far less fuel; (211) = (98) / the product's winter efficiency
    assert with_pcdb[0]["space_heating_fuel_main1_kwh"] < \
        without[0]["space_heating_fuel_main1_kwh"]
    assert with_pcdb[0]["space_heating_fuel_main1_kwh"] == pytest.approx(
        with_pcdb[0]["space_heating_requirement_kwh"] / 0.915, rel=0.02)


# ---------------------------------------------------------------------------- no bath -------

def test_showers_in_a_home_with_no_bath(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    """Number-Baths 0 lodged: no fallback, and the no-bath shower rule (J1) instead of the
    with-bath one: more shower water, no bath water."""
    no_bath = rate_both(
        tmp_path, edit_xml(("<Cylinder-Size>1</Cylinder-Size>",
                            "<Cylinder-Size>1</Cylinder-Size><Number-Baths>0</Number-Baths>")),
        edit_json(lambda d: d["sap_heating"].update(number_baths=0)), capsys)
    assert set(no_bath[0]["assumptions"]) == BASE_ASSUMPTIONS - {"bath_count_not_lodged"}
    one_bath = rate_both(
        tmp_path, edit_xml(("<Cylinder-Size>1</Cylinder-Size>",
                            "<Cylinder-Size>1</Cylinder-Size><Number-Baths>1</Number-Baths>")),
        edit_json(lambda d: d["sap_heating"].update(number_baths=1)), capsys)
    # a bath adds 0.13 N + 0.19 baths of 73 l a day but takes 0.13 N + 0.18 showers of 42 l
    assert no_bath[0]["water_heating_fuel_kwh"] < one_bath[0]["water_heating_fuel_kwh"]


# ------------------------------------------------------------- PV with a battery, diverter --

PV_XML = (("<Percent-Roof-Area>0</Percent-Roof-Area>",
           "<Percent-Roof-Area>40</Percent-Roof-Area>"),
          ("<PV-Connection>0</PV-Connection>", "<PV-Connection>2</PV-Connection>"))


def pv_json(data: dict[str, Any]) -> None:
    source = data["sap_energy_source"]
    source["photovoltaic_supply"]["none_or_no_details"]["percent_roof_area"] = 40
    source["pv_connection"] = 2


NO_BATTERY_XML = (("<PV-Battery-Count>1</PV-Battery-Count>",
                   "<PV-Battery-Count>0</PV-Battery-Count>"),
                  ("<PV-Batteries>\n          <PV-Battery>\n            <Battery-Capacity>5"
                   "</Battery-Capacity>\n          </PV-Battery>\n        </PV-Batteries>", ""))


def no_battery_json(data: dict[str, Any]) -> None:
    source = data["sap_energy_source"]
    source["pv_battery_count"] = 0
    del source["pv_batteries"]


def test_pv_battery_keeps_more_generation_in_the_home(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The sample's 5 kWh battery with PV on 40 % of the roof: Appendix M1 beta rises with
    C_bat, so less of the same generation is exported."""
    battery = rate_both(tmp_path, edit_xml(*PV_XML), edit_json(pv_json), capsys)
    without = rate_both(tmp_path, edit_xml(*PV_XML, *NO_BATTERY_XML),
                        edit_json(lambda d: (pv_json(d), no_battery_json(d))), capsys)
    assert battery[0]["pv_generation_kwh"] == pytest.approx(without[0]["pv_generation_kwh"])
    assert battery[0]["pv_generation_kwh"] > 0
    assert battery[0]["pv_exported_kwh"] < without[0]["pv_exported_kwh"]


def test_pv_diverter_heats_the_cylinder_from_surplus_generation(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A PV diverter to an immersion (Appendix G4; no battery, a cylinder): part of the surplus
    heats water, so less water-heating fuel and less export; the generation is the same."""
    diverter_xml = ("</PV-Connection>", "</PV-Connection><PV-Diverter>true</PV-Diverter>")
    # a large cylinder (Cylinder-Size 4, 210 l): G4 needs one larger than the daily volume (43)
    large = ("<Cylinder-Size>1</Cylinder-Size>", "<Cylinder-Size>4</Cylinder-Size>")

    def large_json(d: dict[str, Any]) -> None:
        pv_json(d)
        no_battery_json(d)
        d["sap_heating"]["cylinder_size"] = 4

    plain = rate_both(tmp_path, edit_xml(*PV_XML, *NO_BATTERY_XML, large),
                      edit_json(large_json), capsys)
    xml = edit_xml(*PV_XML, *NO_BATTERY_XML, large)
    assert xml.count(diverter_xml[0]) == 1
    diverted = rate_both(tmp_path, xml.replace(*diverter_xml),
                         edit_json(lambda d: (large_json(d),
                                              d["sap_energy_source"].update(pv_diverter=True))),
                         capsys)
    assert diverted[0]["pv_generation_kwh"] == pytest.approx(plain[0]["pv_generation_kwh"])
    assert diverted[0]["water_heating_fuel_kwh"] < plain[0]["water_heating_fuel_kwh"]
    assert diverted[0]["pv_exported_kwh"] < plain[0]["pv_exported_kwh"]


# ------------------------------------------------------------------ solar water heating -----

def test_solar_water_heating_lodged_as_present_takes_the_rdsap_10_defaults(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Solar-Water-Heating Y with no details: RdSAP 10 Table 29's panel (3 m2, South, 30 deg,
    modest overshading) on the sample's store; (63c) lowers the water-heating fuel."""
    plain = rate_both(tmp_path, XML, JSON, capsys)
    solar = rate_both(tmp_path, edit_xml(("<Solar-Water-Heating>N</Solar-Water-Heating>",
                                          "<Solar-Water-Heating>Y</Solar-Water-Heating>")),
                      edit_json(lambda d: d.update(solar_water_heating="Y")), capsys)
    assert solar[0]["water_heating_fuel_kwh"] < plain[0]["water_heating_fuel_kwh"]
    assert solar[0]["sap_rating_continuous"] > plain[0]["sap_rating_continuous"]
