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
from ara.domain.overrides import is_vague, read_roof_insulation

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
