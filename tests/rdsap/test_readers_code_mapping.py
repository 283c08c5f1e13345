"""Codes of RdSAP 9.x schemas (20.0.0, 19.0) and legacy fuel codes mapped to RdSAP 10 codes."""

from __future__ import annotations

import pytest
from rdsap.fixtures.readers_helpers import REPO, replace_once, xml_text

from ara.rdsap.readers import CertificateReadError, read_rdsap_xml, read_register_json
from ara.rdsap.readers.code_mapping import CODE_MAPPINGS, ELEMENT_MAPPINGS, OLD_SCHEMAS

MAIN_FUEL = "<Main-Fuel-Type>26</Main-Fuel-Type>"
WATER_FUEL = "<Water-Heating-Fuel>26</Water-Heating-Fuel>"
SECONDARY_FUEL = "<Secondary-Fuel-Type>25</Secondary-Fuel-Type>"
GAS_BOILER = "<SAP-Main-Heating-Code>101</SAP-Main-Heating-Code>"
#: a Table 4a / 4b boiler burning each mapped fuel: gas, LPG, oil, electric, solid fuel
BOILER_FOR = {"26": "101", "27": "101", "28": "126", "29": "191", "33": "151"}


@pytest.mark.parametrize("version", ["21.0.1", "21.0.0", "20.0.0", "19.0"])
@pytest.mark.parametrize(("old", "new"), [("1", "26"), ("2", "27"), ("4", "28"), ("10", "29"),
                                          ("14", "33")])
def test_legacy_main_fuel_codes_map_in_every_schema(version: str, old: str, new: str) -> None:
    text = replace_once(xml_text(version), MAIN_FUEL, f"<Main-Fuel-Type>{old}</Main-Fuel-Type>")
    # a boiler of the fuel's own kind (a gas boiler burning oil is refused as a contradiction)
    text = text.replace(GAS_BOILER, f"<SAP-Main-Heating-Code>{BOILER_FOR[new]}"
                        "</SAP-Main-Heating-Code>")
    row = read_rdsap_xml(text)
    assert row["main_heating"][0]["main_fuel_type"] == new
    assert row["code_mappings"] == [{"field": "main_heating[0].main_fuel_type",
                                     "original": old, "mapped": new}]


def test_water_and_secondary_legacy_fuels_are_mapped_and_recorded() -> None:
    text = replace_once(xml_text("20.0.0"), WATER_FUEL,
                        "<Water-Heating-Fuel>10</Water-Heating-Fuel>")
    text = replace_once(text, SECONDARY_FUEL, "<Secondary-Fuel-Type>2</Secondary-Fuel-Type>")
    row = read_rdsap_xml(text)
    assert (row["water_heating_fuel"], row["secondary_fuel_type"]) == ("29", "27")
    assert sorted(row["code_mappings"], key=lambda m: m["field"]) == [
        {"field": "secondary_fuel_type", "original": "2", "mapped": "27"},
        {"field": "water_heating_fuel", "original": "10", "mapped": "29"}]


def test_sap10calcs_example_with_legacy_water_fuel_reads_as_mains_gas() -> None:
    from rdsap.fixtures.readers_helpers import SAP10CALCS

    row = read_rdsap_xml(SAP10CALCS / "examples" / "example_complete_rdsap.xml")
    assert row["water_heating_fuel"] == "26"
    assert row["code_mappings"] == [{"field": "water_heating_fuel", "original": "1",
                                     "mapped": "26"}]


@pytest.mark.parametrize("fuel", ["11", "12", "13"])
def test_legacy_fuel_without_rdsap_10_equivalent_is_refused(fuel: str) -> None:
    text = replace_once(xml_text("20.0.0"), MAIN_FUEL, f"<Main-Fuel-Type>{fuel}</Main-Fuel-Type>")
    with pytest.raises(CertificateReadError) as caught:
        read_rdsap_xml(text)
    assert caught.value.field == "main_heating[0].main_fuel_type"
    assert "UNSUPPORTED_FUEL_TYPE" in caught.value.message


@pytest.mark.parametrize("version", ["20.0.0", "19.0"])
def test_rdsap_9_extract_only_ventilation_becomes_mev_centralised(version: str) -> None:
    text = replace_once(xml_text(version), "<Mechanical-Ventilation>0</Mechanical-Ventilation>",
                        "<Mechanical-Ventilation>2</Mechanical-Ventilation>")
    row = read_rdsap_xml(text)
    assert row["mechanical_ventilation"] == "3"
    assert {"field": "mechanical_ventilation", "original": "2", "mapped": "3"} in (
        row["code_mappings"])


def test_rdsap_10_ventilation_codes_are_kept() -> None:
    text = replace_once(xml_text("21.0.1"), "<Mechanical-Ventilation>6</Mechanical-Ventilation>",
                        "<Mechanical-Ventilation>2</Mechanical-Ventilation>")
    row = read_rdsap_xml(text)
    assert row["mechanical_ventilation"] == "2"
    assert row["code_mappings"] is None


def test_rdsap_9_lighting_outlets_give_rdsap_10_bulb_counts() -> None:
    text = replace_once(
        xml_text("20.0.0"),
        "<Low-Energy-Fixed-Lighting-Outlets-Count>16</Low-Energy-Fixed-Lighting-Outlets-Count>",
        "<Low-Energy-Fixed-Lighting-Outlets-Count>10</Low-Energy-Fixed-Lighting-Outlets-Count>")
    row = read_rdsap_xml(text)
    assert (row["low_energy_fixed_lighting_bulbs_count"],
            row["incandescent_fixed_lighting_bulbs_count"]) == (10, 6)
    assert row["inferred_fields"] == ["low_energy_fixed_lighting_bulbs_count",
                                      "incandescent_fixed_lighting_bulbs_count"]


def test_mappings_apply_to_the_json_of_old_certificates_too() -> None:
    from rdsap.fixtures.readers_helpers import json_sample

    document = json_sample("20.0.0")
    document["mechanical_ventilation"] = 2
    document["sap_heating"]["main_heating_details"][0]["main_fuel_type"] = 1
    row = read_register_json(document)
    assert (row["mechanical_ventilation"], row["main_heating"][0]["main_fuel_type"]) == (
        "3", "26")


def test_code_mapping_document_lists_every_mapping() -> None:
    text = (REPO / "docs" / "rdsap" / "code_mapping.md").read_text(encoding="utf-8")
    assert "| schema | element | old code | RdSAP 10 code | source |" in text
    for mapping in CODE_MAPPINGS:
        schemas = ("RdSAP-Schema-20.0.0, 19.0" if set(mapping.schemas) == set(OLD_SCHEMAS)
                   else "all (21.0.1, 21.0.0, 20.0.0, 19.0)")
        assert (f"| {schemas} | {mapping.element} | {mapping.old} | {mapping.new} | "
                f"{mapping.source} |") in text
    for _schemas, old_element, column, _rule in ELEMENT_MAPPINGS:
        assert f"| {old_element} | `{column}` |" in text
