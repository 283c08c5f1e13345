"""Open-data CSV summary rows, and the parsing of description texts into coded fields."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from rdsap.fixtures.readers_helpers import FIXTURES, VECTORS, require_shared

from ara.rdsap.readers import (
    CERTIFICATE_SCHEMA,
    CertificateReadError,
    iter_summary_csv,
    parse_descriptions,
    read_summary_csv,
)

WAREHOUSE_CSV = VECTORS / "epb-data-warehouse" / "export_csv" / "domestic.csv"
ODC_CSV = FIXTURES / "odc_certificates.csv"


def _rows(path: Any) -> list[dict[str, Any]]:
    table, failures = read_summary_csv(path)
    assert table.schema == CERTIFICATE_SCHEMA
    return table.to_pylist()


def test_warehouse_export_rows_read_metadata_and_lodged_results() -> None:
    require_shared()
    first, second = _rows(WAREHOUSE_CSV)
    assert (first["certificate_number"], first["uprn"], first["postcode"]) == (
        "0000-0000-0000-0000-0001", None, "SW1A 2AA")  # UPRN-000000000000
    assert (first["inspection_date"], first["registration_date"]) == (dt.date(2020, 5, 4),
                                                                      dt.date(2021, 2, 22))
    assert (first["energy_rating_current"], first["energy_band_current"],
            first["environmental_impact_current"]) == (50, "E", 52)
    assert first["co2_emissions_current_kg_per_yr"] == pytest.approx(2400.0)
    assert (first["heating_cost_current_gbp_per_yr"], first["total_floor_area_m2"]) == (
        365.98, 55.0)
    assert (first["property_type"], first["built_form"], first["habitable_room_count"],
            first["heated_room_count"]) == ("0", "2", 5, 5)
    assert first["building_parts"][0]["construction_age_band"] == "K"
    assert (first["data_source"], first["country_code"], first["report_type"]) == (
        "csv_summary", "ENG", "2")
    assert second["report_type"] == "3"


def test_descriptions_and_their_ratings_are_kept() -> None:
    require_shared()
    first = _rows(WAREHOUSE_CSV)[0]
    assert first["walls_description"] == "Solid brick, as built, no insulation (assumed)"
    walls = [e for e in first["property_summary"] if e["element"] == "wall"]
    assert walls == [{"element": "wall",
                      "description": "Solid brick, as built, no insulation (assumed)",
                      "energy_efficiency_rating": 1, "environmental_efficiency_rating": 1}]


def test_unmapped_columns_are_kept_verbatim_and_the_row_text_is_raw() -> None:
    require_shared()
    first, second = _rows(WAREHOUSE_CSV)
    assert first["flat_location"] == "1"  # FLOOR_LEVEL, a BlockStoreyCode
    assert dict(first["csv_extra"]) == {"FLOOR_HEIGHT": "2.45",
                                        "LODGEMENT_DATETIME": "22/02/2021 00:00",
                                        "REGION": "London", "UPRN": "UPRN-000000000000"}
    assert ("MAIN_FUEL", "Electricity: electricity sold to grid") in second["csv_extra"]
    lines = WAREHOUSE_CSV.read_text(encoding="utf-8").splitlines()
    assert [first["raw_document"], second["raw_document"]] == lines[1:3]


def test_bare_construction_year_gives_an_inferred_age_band() -> None:
    require_shared()
    second = _rows(WAREHOUSE_CSV)[1]
    assert second["building_parts"][0]["construction_age_band"] == "A"  # 1750
    assert "building_parts[0].construction_age_band" in second["inferred_fields"]


def test_legacy_open_data_rows_by_header_name() -> None:
    table, failures = read_summary_csv(ODC_CSV)
    first, second = table.to_pylist()
    assert first["certificate_number"] == "100000000012345678901234567890123"  # LMK_KEY
    assert (first["uprn"], first["uprn_source"]) == (10023456789, "Address Matched")
    assert (first["inspection_date"], first["tenure"], first["transaction_type"]) == (
        dt.date(2019, 3, 14), "1", "1")
    assert (first["main_heating"][0]["main_fuel_type"],
            first["main_heating"][0]["main_heating_control"]) == ("26", "2106")
    assert (first["low_energy_fixed_lighting_outlets_count"], first["meter_type"],
            first["mains_gas"]) == (8, "2", "Y")
    assert second["built_form"] is None  # NO DATA!
    assert second["multiple_glazing_type"] is None  # INVALID!
    assert (second["heat_loss_corridor"], second["unheated_corridor_length_m"]) == ("2", 5.2)
    assert second["mechanical_ventilation"] == "3"  # RdSAP 9.x "extract only", mapped
    assert second["code_mappings"] == [{"field": "mechanical_ventilation", "original": "2",
                                        "mapped": "3"}]
    assert second["uprn"] is None


def test_headers_are_matched_case_and_separator_insensitively() -> None:
    text = ("lmk-key,current-energy-efficiency,property-type,number-habitable-rooms,"
            "walls-description\n"
            'abc123,67,Bungalow,4,"Cavity wall, filled cavity"\n')
    (row,) = read_summary_csv(io.StringIO(text))[0].to_pylist()
    assert (row["certificate_number"], row["energy_rating_current"], row["property_type"],
            row["habitable_room_count"]) == ("abc123", 67, "1", 4)
    assert row["building_parts"][0]["wall_insulation_type"] == "2"


def test_rows_breaking_lodgement_rules_are_failures_and_reading_goes_on() -> None:
    table, failures = read_summary_csv(ODC_CSV)
    assert table.num_rows == 2
    assert [(f.certificate_number, f.field) for f in failures] == [
        ("100000000012345678901234567890125", "habitable_room_count")]
    assert failures[0].source == f"{ODC_CSV}:4"
    with pytest.raises(CertificateReadError):
        read_summary_csv(ODC_CSV, errors="raise")


def test_descriptions_fill_coded_fields_listed_as_inferred() -> None:
    first, second = read_summary_csv(ODC_CSV)[0].to_pylist()
    part = first["building_parts"][0]
    assert (part["construction_age_band"], part["wall_construction"],
            part["wall_insulation_type"]) == ("C", "4", "2")
    assert (part["roof_construction"], part["roof_insulation_location"],
            part["roof_insulation_thickness"]) == ("4", "2", "270mm")
    assert (part["floor_heat_loss"], part["floor_dimensions"][0]["floor_construction"]) == (
        "7", "1")
    assert (first["main_heating"][0]["main_heating_category"],
            first["main_heating"][0]["heat_emitter_type"], first["water_heating_code"]) == (
        "2", "1", "901")
    assert set(first["inferred_fields"]) == {
        "building_parts[0].wall_construction", "building_parts[0].wall_insulation_type",
        "building_parts[0].roof_construction", "building_parts[0].roof_insulation_location",
        "building_parts[0].roof_insulation_thickness", "building_parts[0].floor_heat_loss",
        "building_parts[0].floor_dimensions[0].floor",
        "building_parts[0].floor_dimensions[0].floor_construction",
        "building_parts[0].floor_dimensions[0].floor_insulation",
        "main_heating[0].main_heating_category", "main_heating[0].heat_emitter_type",
        "water_heating_code", "country_code"}
    # the country comes from the age band's prefix ("England and Wales: 1930-1949")
    assert first["country_code"] == "EAW"
    # the lodged fuel (MAIN_FUEL) is read, not inferred; nothing is overwritten
    assert first["main_heating"][0]["main_fuel_type"] == "26"
    assert second["building_parts"][0]["floor_heat_loss"] == "6"
    assert second["building_parts"][0]["roof_construction"] == "3"
    assert second["main_heating"][0]["main_heating_category"] == "7"


def test_describe_false_infers_nothing_from_the_texts() -> None:
    first = read_summary_csv(ODC_CSV, describe=False)[0].to_pylist()[0]
    assert first["inferred_fields"] == ["country_code"]  # from the age band, not a text
    assert first["building_parts"][0]["wall_construction"] is None


def test_streaming_in_batches_from_a_text_stream() -> None:
    text = ODC_CSV.read_text(encoding="utf-8")
    stream = io.StringIO(text)
    results = list(iter_summary_csv(stream, batch_size=1))
    assert [b.num_rows for b, _ in results] == [1, 1, 0]
    assert [len(f) for _, f in results] == [0, 0, 1]


@pytest.mark.parametrize(("texts", "expected"), [
    ({"walls": "Cavity wall, filled cavity"},
     {"building_parts[0].wall_construction": "4",
      "building_parts[0].wall_insulation_type": "2"}),
    ({"walls": "Cavity wall, as built, insulated (assumed)"},
     {"building_parts[0].wall_construction": "4",
      "building_parts[0].wall_insulation_type": "4"}),
    ({"walls": "Solid brick, with external insulation"},
     {"building_parts[0].wall_construction": "3",
      "building_parts[0].wall_insulation_type": "1"}),
    ({"walls": "Cavity wall, filled cavity and internal insulation"},
     {"building_parts[0].wall_construction": "4",
      "building_parts[0].wall_insulation_type": "7"}),
    ({"walls": "Sandstone or limestone, as built, no insulation (assumed)"},
     {"building_parts[0].wall_construction": "2",
      "building_parts[0].wall_insulation_type": "4"}),
    ({"walls": "Timber frame, as built, partial insulation (assumed)"},
     {"building_parts[0].wall_construction": "5",
      "building_parts[0].wall_insulation_type": "4"}),
    ({"roof": "Pitched, 250 mm loft insulation"},
     {"building_parts[0].roof_construction": "4",
      "building_parts[0].roof_insulation_location": "2",
      "building_parts[0].roof_insulation_thickness": "250mm"}),
    ({"roof": "Pitched, 400+ mm loft insulation"},
     {"building_parts[0].roof_construction": "4",
      "building_parts[0].roof_insulation_location": "2",
      "building_parts[0].roof_insulation_thickness": "400mm+"}),
    ({"roof": "(another dwelling above)"}, {"building_parts[0].roof_construction": "3"}),
    ({"roof": "Flat, limited insulation (assumed)"},
     {"building_parts[0].roof_construction": "1"}),
    ({"roof": "Pitched, insulated at rafters"},
     {"building_parts[0].roof_insulation_location": "1"}),
    ({"floor": "Suspended, no insulation (assumed)"},
     {"building_parts[0].floor_heat_loss": "7", "building_parts[0].floor_dimensions[0].floor":
      "0", "building_parts[0].floor_dimensions[0].floor_insulation": "1"}),
    ({"floor": "To unheated space, no insulation (assumed)"},
     {"building_parts[0].floor_heat_loss": "2"}),
    ({"windows": "Fully double glazed"}, {"multiple_glazed_proportion": 100}),
    ({"main_heating": "Boiler and radiators, mains gas"},
     {"main_heating[0].main_heating_category": "2", "main_heating[0].heat_emitter_type": "1",
      "main_heating[0].main_fuel_type": "26"}),
    ({"main_heating": "Air source heat pump, radiators, electric"},
     {"main_heating[0].main_heating_category": "4", "main_heating[0].heat_emitter_type": "1",
      "main_heating[0].main_fuel_type": "29"}),
    ({"main_heating": "Electric storage heaters"},
     {"main_heating[0].main_heating_category": "7", "main_heating[0].main_fuel_type": "29"}),
    ({"main_heating": "Room heaters, wood logs"},
     {"main_heating[0].main_heating_category": "10", "main_heating[0].main_fuel_type": "6"}),
    ({"hot_water": "Electric immersion, standard tariff"}, {"water_heating_code": "903"}),
    ({"lighting": "Low energy lighting in 67% of fixed outlets"},
     {"low_energy_lighting_percent": 67}),
    ({"secondary_heating": "Room heaters, mains gas"}, {"secondary_fuel_type": "26"}),
])
def test_parse_descriptions_codes_unambiguous_texts(texts: dict[str, str],
                                                    expected: dict[str, Any]) -> None:
    assert parse_descriptions(**texts) == expected


@pytest.mark.parametrize("texts", [
    {"walls": "Average thermal transmittance 0.28 W/m²K"},
    {"walls": "Waliau ceudod, wedi'u llenwi"},
    {"walls": "Solid brick, filled cavity"},  # contradictory
    {"roof": "Pitched, no insulation (assumed)"},  # loft access unknown
    {"roof": "Pitched, 60 mm loft insulation"},  # not a lodgeable thickness
    {"main_heating": "Boiler and radiators, anthracite, Boiler and radiators, mains gas"},
    {"hot_water": "Gas boiler"},
    {"lighting": "Energy saving bulbs"},
    {"secondary_heating": "None"},
])
def test_parse_descriptions_leaves_ambiguous_texts_null(texts: dict[str, str]) -> None:
    assert parse_descriptions(**texts) == {}


def test_floor_level_texts_become_block_storey_codes() -> None:
    text = ("LMK_KEY,PROPERTY_TYPE,FLOOR_LEVEL\n1,Flat,Ground\n2,Flat,2nd\n3,Flat,21st or above\n"
            "4,Flat,mid floor\n5,Flat,NODATA!\n")
    rows = read_summary_csv(io.StringIO(text), validate=False)[0].to_pylist()
    assert [(r["flat_location"], r["flat_level"]) for r in rows] == [
        ("0", None), ("2", None), ("20+", None), (None, "2"), (None, None)]


def test_control_texts_become_table_4e_codes() -> None:
    text = ("LMK_KEY,MAINHEATCONT_DESCRIPTION\n1,Programmer and room thermostat\n"
            "2,Manual charge control\n3,Thermostat\n")
    rows = read_summary_csv(io.StringIO(text), validate=False)[0].to_pylist()
    assert [(r["main_heating"] or [{}])[0].get("main_heating_control") for r in rows] == [
        "2104", "2401", None]
