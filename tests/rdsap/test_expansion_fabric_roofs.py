"""Roofs (RdSAP 10 section 5.11, Tables 16 and 18) and rooms in roof (sections 3.9-3.10,
Tables 4, 17, 18 column 4): every room-in-roof shape, hand-derived."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from test_expansion_fabric_cases import (
    certificate,
    elements,
    expand,
    openings,
    part,
    room_in_roof,
    storey,
    surface,
    wall,
    window,
)


def house(rr: dict[str, Any] | None = None, *, band: str = "H", area: float = 60.0,
          main_wall: dict[str, Any] | None = None, party: str = "2",
          windows: list[dict[str, Any]] | None = None, **roof: Any) -> dict[str, Any]:
    """Detached single storey, HLP 30, room height 2.5, floor U lodged (0.5)."""
    main = part(1, band, [storey("0", area, 2.5, 30, 0, "1", "1")],
                main_wall=main_wall or wall("4", "2"), party=party, floor_u=0.5, rr=rr,
                **roof)
    return certificate([main], built_form="1", windows=windows)


def shell(area: float) -> float:
    return float(np.floor(12.5 * np.sqrt(area / 1.5) * 100 + 0.5) / 100)


def test_room_in_roof_shell_areas() -> None:
    # section 3.9.1 step d: 12.5 sqrt(A / 1.5), 2 d.p. before subtraction
    assert [shell(45), shell(32), shell(10)] == [68.47, 57.74, 32.27]
    for area, expected in ((45, 68.47), (32, 57.74), (10, 32.27)):
        result = expand(house(room_in_roof(area, "H", None)))
        assert result.problems == []
        rr_roof = elements(result)[-1]
        assert (rr_roof["kind"], rr_roof["gross_area_m2"], rr_roof["u_value"]) == \
            (3, expected, 0.35)  # Table 18 col 4, England band H


def test_type_1_gables_and_residual() -> None:
    """Floor 45, gable 1 of 5 m exposed, gable 2 of 6 m party: gables are length x 2.45
    (engine-observed) = 12.25 and 14.7; residual 68.47 - 26.95 = 41.52."""
    rr = room_in_roof(45, "H", "1", [surface("gable_wall", 1, 5.0, gable_type="0"),
                                     surface("gable_wall", 2, 6.0, gable_type="1")])
    result = expand(house(rr))
    assert result.problems == []
    got = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in elements(result)]
    assert got == [
        (1, 75.0, 0.35),  # main wall 30 x 2.5, filled cavity band H
        (3, 15.0, 0.4),  # roof: largest floor 60 less the room-in-roof floor 45
        (4, 60.0, 0.5),
        (3, 41.52, 0.35),  # residual at Table 18 col 4
        (1, 12.25, 0.35),  # exposed gable: as the main wall
        (7, 14.7, 0.5)]  # party gable: Table 15 of the part (unfilled cavity)
    assert result.columns["storeys"][0].as_py() == [
        {"level": 0, "floor_area_m2": 60.0, "storey_height_m": 2.5},
        {"level": 99, "floor_area_m2": 45.0, "storey_height_m": 2.45}]
    assert result.columns["storey_count"][0].as_py() == 2
    assert result.quantities["total_floor_area_m2"][0].as_py() == 105.0
    # PV: roof area for heat loss before the room-in-roof amendment
    assert result.quantities["roof_area_m2"][0].as_py() == 60.0


def test_type_2_engine_case() -> None:
    """ENG case 3: floor 80, gables 8 x 2, common walls 10 x 1: gables 8 (0.25 + 2) -
    [(2-1)^2/2 + (2-1)^2/2] = 17.0, commons 10 (0.25 + 1) = 12.5, residual 91.29 - 59 =
    32.29 at 0.35."""
    rr = room_in_roof(80, "H", "2", [
        surface("gable_wall", 1, 8, 2, gable_type="0"), surface("gable_wall", 2, 8, 2,
                                                                gable_type="0"),
        surface("common_wall", 1, 10, 1), surface("common_wall", 2, 10, 1)])
    result = expand(house(rr, area=100))
    assert result.problems == []
    got = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in elements(result)[3:]]
    assert got == [(3, 32.29, 0.35), (1, 17.0, 0.35), (1, 17.0, 0.35), (1, 12.5, 0.35),
                   (1, 12.5, 0.35)]


def test_type_2_sheltered_gable_on_a_440_mm_brick_part() -> None:
    # band B brick 440 mm: 1.10; sheltered gable 1/(1/1.1 + 0.5) = 0.71; RR band B col 4 2.3
    rr = room_in_roof(80, "B", "2", [
        surface("gable_wall", 1, 8, 2, gable_type="2"), surface("gable_wall", 2, 8, 2,
                                                                gable_type="3"),
        surface("common_wall", 1, 10, 1), surface("common_wall", 2, 10, 1)])
    result = expand(house(rr, band="B", area=100, main_wall=wall("3", "4", thickness=440)))
    assert result.problems == []
    got = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in elements(result)[3:]]
    # gable 2 is connected to heated space: deducted from the shell, no element
    assert got == [(3, 32.29, 2.3), (1, 17.0, 0.71), (1, 12.5, 1.1), (1, 12.5, 1.1)]


def test_type_2_negative_gable_is_subtracted_literally() -> None:
    """JK 637df557: gable L 4, H 0 with common walls 1.5 and 0.3 high: 4 x 0.25 -
    (1.5^2/2 + 0.3^2/2) = -0.17 m2 (no element; the residual grows). Floor 10: shell 32.27;
    commons 5 x 1.75 = 8.75 and 5 x 0.55 = 2.75; residual 32.27 - (11.5 - 0.34) = 21.11."""
    rr = room_in_roof(10, "H", "2", [
        surface("gable_wall", 1, 4, 0, gable_type="0"), surface("gable_wall", 2, 4, 0,
                                                                gable_type="0"),
        surface("common_wall", 1, 5, 1.5), surface("common_wall", 2, 5, 0.3)])
    result = expand(house(rr))
    assert result.problems == []
    got = [(e["kind"], e["gross_area_m2"]) for e in elements(result)[3:]]
    assert got == [(3, 21.11), (1, 8.75), (1, 2.75)]


def test_detailed_room_in_roof_with_roof_surfaces_has_no_residual() -> None:
    rr = room_in_roof(45, "H", "details", [
        surface("slope", 1, 5, 2, thickness="100mm", insulation_type="0"),  # Table 17 1a
        surface("flat_ceiling", 1, 4, 3, thickness="AB"),  # as built: Table 18 col 4
        surface("stud_wall", 1, 5, 1, thickness="50mm", insulation_type="1"),  # 3b
        surface("gable_wall", 1, 5, 2, gable_type="1"),  # party: Table 15 (0.5)
        surface("common_wall", 1, 3, 1, u_value=0.5)])  # lodged U
    result = expand(house(rr))
    assert result.problems == []
    got = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in elements(result)[3:]]
    # slot order: gable 1, common 1, flat ceiling 1, stud wall 1, slope 1
    assert got == [(7, 10.0, 0.5), (1, 3.0, 0.5), (3, 12.0, 0.35), (1, 5.0, 0.45),
                   (3, 10.0, 0.4)]


def test_detailed_room_in_roof_with_walls_only_bills_the_residual() -> None:
    # section 3.10.1: shell 68.47 - gable 10 - common 3 = 55.47 at Table 18 col 4
    rr = room_in_roof(45, "H", "details", [surface("gable_wall", 1, 5, 2, gable_type="0"),
                                           surface("common_wall", 1, 3, 1)])
    result = expand(house(rr))
    got = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in elements(result)[3:]]
    assert got == [(3, 55.47, 0.35), (1, 10.0, 0.35), (1, 3.0, 0.35)]


def test_room_in_roof_windows_and_roof_windows() -> None:
    rr = room_in_roof(45, "H", "1", [surface("gable_wall", 1, 5.0, gable_type="0")])
    result = expand(house(rr, windows=[
        window("0", 1.0, 0.8, window_type="2", wall_type="4", glazing="2"),  # roof of RR
        window("0", 1.0, 1.0, wall_type="5"),  # gable 1
        window("0", 0.5, 0.5, window_type="2", wall_type="1", glazing="2")]))  # main roof
    assert result.problems == []
    kinds = [e["kind"] for e in elements(result)]
    assert kinds == [1, 3, 4, 3, 1]
    assert [(o["kind"], o["host_element"]) for o in openings(result)] == [(3, 3), (2, 4),
                                                                          (3, 1)]


def test_room_in_roof_larger_than_its_storey_leaves_no_plain_roof() -> None:
    """GAP decision 31: a 100 m2 room in roof over a 60 m2 storey: the roof of the storey
    below is all under the room in roof (60 - 100 < 0 -> no roof element); the shell
    12.5 sqrt(100 / 1.5) = 102.06 m2 at Table 18 col 4 (band H, 0.35) carries the loss."""
    result = expand(house(room_in_roof(100, "H", None)))
    assert result.problems == []
    found = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in elements(result)]
    assert found[0][0] == 1  # the main wall (detached, no party wall)
    assert found[1:] == [(4, 60.0, 0.5), (3, 102.06, 0.35)]
    assert result.quantities["total_floor_area_m2"][0].as_py() == 160.0
    # the roof area before the room-in-roof amendment (PV, section 11.1 b) stays 60
    assert result.quantities["roof_area_m2"][0].as_py() == 60.0


def test_window_in_a_gable_that_is_not_lodged_sits_in_the_shell() -> None:
    """GAP decision 33: room in roof without type or surfaces (shell only); a window lodged in
    gable 2 and a roof window in common wall 1 are deducted from the shell."""
    result = expand(house(room_in_roof(45, "H", None), windows=[
        window("0", 1.0, 1.0, wall_type="6"),
        window("0", 0.5, 0.5, window_type="2", wall_type="7", glazing="2")]))
    assert result.problems == []
    kinds = [e["kind"] for e in elements(result)]
    assert kinds == [1, 3, 4, 3]  # wall, roof 60 - 45 = 15, floor, shell 68.47
    assert [e["gross_area_m2"] for e in elements(result)][1::2] == [15.0, 68.47]
    assert [(o["kind"], o["host_element"]) for o in openings(result)] == [(2, 3), (3, 3)]


def test_window_in_a_gable_of_a_room_in_roof_with_gables_is_still_named() -> None:
    """Gables lodged, but not gable 2: the window's wall does not exist (named)."""
    rr = room_in_roof(45, "H", "1", [surface("gable_wall", 1, 5.0, gable_type="0")])
    result = expand(house(rr, windows=[window("0", 1.0, 1.0, wall_type="6")]))
    assert [p.field for p in result.problems] == ["windows[].window_wall_type"]


@pytest.mark.parametrize(("roof", "expected"), [
    ({"roof_thickness": "0"}, 2.3),  # Table 16 col 1
    ({"roof_thickness": "270mm"}, 0.16),
    ({"roof_thickness": "400mm+"}, 0.11),
    ({"roof_thickness": "NI"}, 0.3),  # Table 18 col 1, band H
    ({"roof_location": "4", "roof_thickness": None}, 0.3),
    ({"roof_location": "5", "roof_thickness": None}, 2.3),  # no insulation: note (a)
    ({"roof_location": "1", "roof_thickness": None, "rafter_thickness": "150mm"}, 0.39),
    ({"roof": "8", "roof_location": "7", "roof_thickness": None,
      "sloping_thickness": "100mm"}, 0.54),  # Table 16 col 2
    ({"roof": "1", "roof_location": "6", "roof_thickness": None,
      "flat_roof_thickness": "AB"}, 0.35),  # Table 18 col 3, band H
    ({"roof": "1", "roof_location": "6", "roof_thickness": None,
      "flat_roof_thickness": "50mm"}, 0.68),
    ({"roof_u": 0.21}, 0.21),  # lodged U-value
])
def test_roof_u_values_tables_16_and_18(roof: dict[str, Any], expected: float) -> None:
    result = expand(house(**roof))
    assert result.problems == []
    assert elements(result)[1] == {"kind": 3, "gross_area_m2": 60.0, "u_value": expected,
                                   "kappa_kj_per_m2k": None, "thermal_bridging_y": 0.15}


@pytest.mark.parametrize("code", ["3", "7"])
def test_dwelling_above_means_no_roof(code: str) -> None:
    result = expand(house(roof=code, roof_thickness=None))
    assert [e["kind"] for e in elements(result)] == [1, 4]
    assert result.quantities["roof_area_m2"][0].as_py() == 0.0


@pytest.mark.parametrize(("roof", "field"), [
    # thatch and 'none' (0) take declared fallbacks (tests/rdsap/test_coverage_fallbacks.py)
    ({"roof": "9"}, "building_parts[].roof_construction"),  # non-residential above: GAP
])
def test_roofs_that_cannot_be_expanded_are_named(roof: dict[str, Any], field: str) -> None:
    result = expand(house(**roof))
    assert [p.field for p in result.problems] == [field]


@pytest.mark.parametrize(("band", "roof", "expected"), [
    # Table 18 column (2) 'pitched, insulation at rafters', thickness unknown: A-G as column
    # (1) (0.40), H 0.35, I 0.35, J 0.20, K 0.20, L 0.18, M 0.15
    ("C", {"roof_location": "1", "roof_thickness": None, "rafter_thickness": "NI"}, 0.4),
    ("H", {"roof_location": "1", "roof_thickness": None, "rafter_thickness": "NI"}, 0.35),
    ("J", {"roof_location": "1", "roof_thickness": None, "rafter_thickness": "ND"}, 0.2),
    ("L", {"roof_location": "1", "roof_thickness": None, "rafter_thickness": "AB"}, 0.18),
    # sloping ceiling (code 8) of unknown thickness: the same column, band M 0.15
    ("M", {"roof": "8", "roof_location": "7", "roof_thickness": None,
           "sloping_thickness": "NI"}, 0.15),
])
def test_rafters_of_unknown_thickness_take_table_18_column_2(band: str, roof: dict[str, Any],
                                                            expected: float) -> None:
    result = expand(house(band=band, **roof))
    assert result.problems == []
    assert elements(result)[1]["u_value"] == expected
    # column (2) differs from column (1) from band H: the joists default of band H is 0.30
    if band == "H":
        joists = expand(house(band=band, roof_thickness="NI"))
        assert elements(joists)[1]["u_value"] == 0.3


def test_scotland_band_k_flat_roof_of_unknown_thickness_is_0_20() -> None:
    """Table 18 Scotland footnote (2): band K flat roof 0.20 (England 0.25)."""
    def flat(country: str) -> float:
        main = part(1, "K", [storey("0", 60.0, 2.5, 30, 0, "1", "1")],
                    main_wall=wall("4", "2"), party="2", floor_u=0.5, roof="1",
                    roof_location="6", roof_thickness=None, flat_roof_thickness="NI")
        result = expand(certificate([main], built_form="1", country=country))
        assert result.problems == []
        return float(elements(result)[1]["u_value"])
    assert (flat("SCT"), flat("ENG")) == (0.2, 0.25)
