"""Landlord Overrides: read from a landlord's CSV, vague values give no overlay, the overlay
writes RdSAP codes."""

from __future__ import annotations

import pytest

from ara.domain import (
    BuiltForm,
    EpcData,
    LandlordOverrides,
    OverlayError,
    PropertyType,
    RoofInsulation,
    WallConstruction,
    WallInsulation,
    parse_landlord_overrides,
)
from ara.domain.codes import (
    FloorConstruction,
    FloorInsulation,
    GlazingType,
    MainFuel,
    MainHeating,
)
from ara.domain.overrides import (
    FuelFamily,
    describe_stored,
    fuel_contradiction,
    is_vague,
    lodged_codes,
    read_roof_insulation,
)

HEADER = ("UPRN,Landlord Reference,Wall Construction,Wall Insulation,Roof Insulation,"
          "Property Type,Built Form")
CSV = HEADER + """
100,R1,Cavity,Filled cavity,270mm,House,Semi-detached
101,R2,unknown,Assumed,,,
,R3,solid brick,as built (assumed),300 mm,flat,mid terrace
102,,9,7,400mm+,2,5
"""


def test_a_landlord_csv_reads_into_typed_overrides() -> None:
    parsed = parse_landlord_overrides(CSV.splitlines())
    assert parsed.problems == ()
    first = parsed.rows[0]
    assert (first.uprn, first.landlord_reference) == (100, "R1")
    assert first.overrides == LandlordOverrides(
        WallConstruction.CAVITY, WallInsulation.FILLED_CAVITY, RoofInsulation.MM_270,
        PropertyType.HOUSE, BuiltForm.SEMI_DETACHED)
    assert dict(first.raw_values)["roof_insulation"] == "270mm"


def test_vague_values_produce_no_overlay() -> None:
    second = parse_landlord_overrides(CSV.splitlines()).rows[1]
    assert second.overrides.is_empty
    assert second.overrides.as_overlay() == ()
    assert second.ignored == (("wall_construction", "unknown"), ("wall_insulation", "Assumed"))


def test_a_value_marked_assumed_is_vague_even_with_a_word_before_it() -> None:
    third = parse_landlord_overrides(CSV.splitlines()).rows[2]
    assert third.overrides.wall_insulation is None
    assert third.overrides.wall_construction is WallConstruction.SOLID_BRICK
    assert third.overrides.roof_insulation is RoofInsulation.MM_300
    assert third.landlord_reference == "R3" and third.uprn is None


def test_rdsap_codes_are_read_as_codes() -> None:
    fourth = parse_landlord_overrides(CSV.splitlines()).rows[3]
    assert fourth.overrides == LandlordOverrides(
        WallConstruction.COB, WallInsulation.FILLED_CAVITY_AND_INTERNAL,
        RoofInsulation.MM_400_PLUS, PropertyType.FLAT, BuiltForm.ENCLOSED_END_TERRACE)


def test_an_unreadable_value_is_a_problem_naming_line_and_column() -> None:
    parsed = parse_landlord_overrides(["uprn,wall_construction,built_form",
                                       "1,straw bale,detached", "2,cavity,terraced"])
    assert [(p.line, p.column, p.value) for p in parsed.problems] == [
        (2, "wall_construction", "straw bale"), (3, "built_form", "terraced")]
    assert parsed.rows == ()


def test_a_csv_without_a_key_column_is_refused() -> None:
    parsed = parse_landlord_overrides(["address,wall_construction", "1 Street,cavity"])
    assert "no key column" in parsed.problems[0].message


def test_a_row_without_any_key_is_a_problem() -> None:
    parsed = parse_landlord_overrides(["uprn,landlord_reference,built_form", ",,detached"])
    assert "no uprn and no landlord_reference" in parsed.problems[0].message


@pytest.mark.parametrize(("text", "expected"), [
    ("none", RoofInsulation.NONE), ("0", RoofInsulation.NONE), ("12mm", RoofInsulation.MM_12),
    ("280", RoofInsulation.MM_270), ("299 mm", RoofInsulation.MM_270),
    ("450mm", RoofInsulation.MM_400_PLUS), ("400+", RoofInsulation.MM_400_PLUS),
    ("5mm", RoofInsulation.NONE),
])
def test_roof_depths_snap_down_to_the_rdsap_step(text: str, expected: RoofInsulation) -> None:
    assert read_roof_insulation(text) is expected


@pytest.mark.parametrize("text", ["unknown", "Unknown", "assumed", "N/A", "not known", "?",
                                  "cavity (assumed)", "Unknown - check"])
def test_vague_words(text: str) -> None:
    assert is_vague(text)


def test_the_overlay_writes_codes_into_the_main_building_part() -> None:
    data = EpcData({"built_form": 1, "building_parts": [
        {"building_part_number": 2, "wall_construction": 3},
        {"building_part_number": 1, "wall_construction": 3, "roof_insulation_thickness": "NI"}]})
    overlay = LandlordOverrides(wall_construction=WallConstruction.CAVITY,
                                roof_insulation=RoofInsulation.MM_250,
                                built_form=BuiltForm.MID_TERRACE).as_overlay()
    out = data.with_overlay(overlay)
    parts = out["building_parts"]
    assert out["built_form"] == "4"  # certificate codes are text
    assert parts[1]["wall_construction"] == "4" and parts[1]["roof_insulation_thickness"] == "250mm"  # type: ignore[index]
    assert parts[0]["wall_construction"] == 3  # type: ignore[index]  # an extension: untouched


def test_an_overlay_on_data_without_building_parts_is_an_error() -> None:
    overlay = LandlordOverrides(wall_construction=WallConstruction.CAVITY).as_overlay()
    with pytest.raises(OverlayError, match="no building part"):
        EpcData({"built_form": 1}).with_overlay(overlay)


# ---- floor, glazing, heating and fuel (issue 20) -------------------------------------------

def _home(**fields: object) -> EpcData:
    """A lodged certificate's data with two storeys, an extension, two windows and an oil
    boiler heating a cylinder."""
    data: dict[str, object] = {
        "built_form": "2", "meter_type": "2", "water_heating_code": "901",
        "water_heating_fuel": "28", "cylinder_size": "2", "cylinder_insulation_type": "1",
        "cylinder_insulation_thickness": "50", "immersion_heating_type": "NA",
        "multiple_glazing_type": None, "windows_u_value": 2.0,
        "building_parts": [
            {"building_part_number": 1, "floor_u_value": 0.5, "floor_insulation_thickness": "50mm",
             "floor_dimensions": [{"floor": "1", "floor_construction": None},
                                  {"floor": "0", "floor_construction": "1",
                                   "floor_insulation": "2"}]},
            {"building_part_number": 2, "floor_dimensions": [{"floor": "0",
                                                              "floor_construction": "1"}]}],
        "windows": [{"glazing_type": "7", "u_value": 1.2, "solar_transmittance": 0.5,
                     "transmission_data_source": "4"}, {"glazing_type": "5"}],
        "main_heating": [{"main_heating_number": 1, "sap_main_heating_code": "124",
                          "main_heating_category": "2", "main_fuel_type": "28",
                          "main_heating_control": "2106", "main_heating_index_number": "8123",
                          "main_heating_data_source": "1", "heat_emitter_type": "1",
                          "has_fghrs": True, "fghrs_index_number": "60001"}],
    }
    data.update(fields)
    return EpcData(data)  # type: ignore[arg-type]


def test_a_floor_override_writes_the_lowest_storey_of_the_main_part() -> None:
    data = _home()
    out = data.with_overlay(LandlordOverrides(
        floor_construction=FloorConstruction.SUSPENDED_TIMBER,
        floor_insulation=FloorInsulation.AS_BUILT).as_overlay(data)).to_plain()
    main, extension = out["building_parts"]  # type: ignore[misc]
    assert main["floor_dimensions"][1] == {"floor": "0", "floor_construction": "2",
                                           "floor_insulation": "1"}
    assert main["floor_dimensions"][0] == {"floor": "1", "floor_construction": None}
    # the lodged floor U and retro-fitted thickness described the floor as it was
    assert main["floor_u_value"] is None and main["floor_insulation_thickness"] is None
    assert extension["floor_dimensions"][0]["floor_construction"] == "1"


def test_a_glazing_override_writes_every_window_and_drops_their_lodged_u_values() -> None:
    data = _home()
    out = data.with_overlay(LandlordOverrides(
        glazing_type=GlazingType.TRIPLE_2022_OR_LATER).as_overlay(data)).to_plain()
    assert out["windows"] == [{"glazing_type": "14", "u_value": None, "solar_transmittance": None,
                               "transmission_data_source": None}] * 2
    assert (out["multiple_glazing_type"], out["multiple_glazed_proportion"],
            out["windows_u_value"]) == ("14", 100, None)


def test_a_gas_combi_replacing_an_oil_boiler_is_a_whole_coherent_system() -> None:
    data = _home()
    out = data.with_overlay(LandlordOverrides(
        main_heating=MainHeating.CONDENSING_COMBI_GAS,
        main_fuel=MainFuel.MAINS_GAS).as_overlay(data)).to_plain()
    [system] = out["main_heating"]  # type: ignore[misc]
    assert (system["sap_main_heating_code"], system["main_heating_category"],
            system["main_fuel_type"], system["main_heating_data_source"]) == ("104", "2", "26", "2")
    # the old product's records go; its boiler-group controls and radiators stay
    assert system["main_heating_index_number"] is None and system["has_fghrs"] is False
    assert system["fghrs_index_number"] is None
    assert (system["main_heating_control"], system["heat_emitter_type"]) == ("2106", "1")
    assert (system["boiler_flue_type"], system["fan_flue_present"]) == ("2", True)
    # a combi heats water on demand: from the main system, no cylinder
    assert (out["water_heating_code"], out["water_heating_fuel"], out["cylinder_size"],
            out["has_hot_water_cylinder"], out["cylinder_insulation_type"]) == \
        ("901", None, "1", False, None)


def test_a_heat_pump_keeps_a_store_and_takes_its_own_group_of_controls() -> None:
    data = _home(cylinder_size="1")  # a combi's home: no cylinder lodged
    out = data.with_overlay(LandlordOverrides(
        main_heating=MainHeating.AIR_SOURCE_HEAT_PUMP,
        main_fuel=MainFuel.ELECTRICITY).as_overlay(data)).to_plain()
    [system] = out["main_heating"]  # type: ignore[misc]
    assert (system["sap_main_heating_code"], system["main_heating_category"],
            system["main_fuel_type"]) == ("224", "4", "29")
    # a boiler's control is of another Table 4e group: the heat pumps' least (no overstating)
    assert system["main_heating_control"] == "2201"
    assert system["boiler_flue_type"] is None and system["fan_flue_present"] is None
    # a store it heats: none lodged, so RdSAP's 'no access' cylinder (Table 29 defaults)
    assert (out["water_heating_code"], out["cylinder_size"]) == ("901", "0")


def test_storage_heaters_leave_water_to_an_immersion_on_an_off_peak_meter() -> None:
    data = _home()
    out = data.with_overlay(LandlordOverrides(
        main_heating=MainHeating.HIGH_HEAT_RETENTION_STORAGE_HEATERS,
        main_fuel=MainFuel.ELECTRICITY).as_overlay(data)).to_plain()
    [system] = out["main_heating"]  # type: ignore[misc]
    assert (system["sap_main_heating_code"], system["main_heating_category"],
            system["main_heating_control"], system["heat_emitter_type"]) == \
        ("409", "7", "2404", None)
    assert (out["water_heating_code"], out["water_heating_fuel"],
            out["immersion_heating_type"], out["cylinder_size"], out["meter_type"]) == \
        ("903", "29", "1", "2", "1")


def test_a_fuel_alone_writes_the_main_system_fuel_and_a_heating_system_is_created() -> None:
    data = _home()
    out = data.with_overlay(LandlordOverrides(main_fuel=MainFuel.B30K).as_overlay(data))
    assert out["main_heating"][0]["main_fuel_type"] == "18"  # type: ignore[index]
    assert out["main_heating"][0]["sap_main_heating_code"] == "124"  # type: ignore[index]
    bare = EpcData({"building_parts": [{"building_part_number": 1}]})
    made = bare.with_overlay(LandlordOverrides(
        main_heating=MainHeating.ELECTRIC_PANEL_CONVECTOR_OR_RADIANT_HEATERS,
        main_fuel=MainFuel.ELECTRICITY).as_overlay(bare)).to_plain()
    assert made["main_heating"][0]["sap_main_heating_code"] == "691"  # type: ignore[index]
    assert made["water_heating_code"] == "903"  # it heats no water: an immersion


def test_a_fuel_contradicting_the_heating_system_is_named() -> None:
    families = (FuelFamily(124, 132, "Liquid fuel boilers", frozenset({28})),)
    assert fuel_contradiction("124", MainFuel.OIL, families) is None
    why = fuel_contradiction("124", MainFuel.MAINS_GAS, families)
    assert why is not None and "Liquid fuel boilers" in why and "oil (28)" in why
    assert fuel_contradiction("224", MainFuel.LPG) is not None  # an electric heat pump
    assert fuel_contradiction("521", MainFuel.LPG, families) is None  # a group not checked
    assert "no main heating system" in (fuel_contradiction(None, MainFuel.OIL) or "")


def test_the_lodged_codes_are_read_where_the_overlay_writes() -> None:
    codes = lodged_codes(_home())
    assert codes == {"built_form": "2", "floor_construction": "1", "floor_insulation": "2",
                     "glazing_type": "7,5", "main_heating": "124", "main_fuel": "28"}
    assert describe_stored("glazing_type", codes["glazing_type"]) == \
        "double known data (7), single (5)"
    assert describe_stored("main_heating", "124") == "code 124"
