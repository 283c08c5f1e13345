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
