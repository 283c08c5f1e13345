"""Dimensions (RdSAP 10 section 3; RDSAP10_RULES.md section 1): storeys, storey heights, wall
and party-wall areas, external dimensions, section 15 rounding, living area (section 9.2),
thermal bridging (Table 21), and the hand-derived mid-terrace with two extensions and the
top-floor flat off an unheated corridor."""

from __future__ import annotations

import numpy as np
import pytest
from test_expansion_fabric_cases import (
    certificate,
    elements,
    expand,
    mid_terrace_two_extensions,
    openings,
    part,
    storey,
    top_floor_flat_with_corridor,
    wall,
)

from ara.rdsap.rounding import round_half_up


def test_half_up_rounding_of_section_15() -> None:
    # 6.25 x 2.74 = 17.125 -> 17.13 (banker's rounding would give 17.12)
    assert round_half_up(np.array([6.25 * 2.74, 17.125, 68.4653, -0.165, 2.004999]))\
        .tolist() == [17.13, 17.13, 68.47, -0.17, 2.0]


class TestMidTerraceWithTwoExtensions:
    """Main part band C: 2 storeys of 40 m2, room heights 2.5 / 2.4, HLP 10, party 16, solid
    brick 230 mm dry-lined, joists 100 mm, solid floor. Extension 1 band F: 12 m2, HLP 8,
    party 3 (unfilled cavity), unfilled cavity wall, unknown floor construction, the same
    dwelling above. Extension 2 band K: 10 m2 above extension 1, HLP 9, timber frame,
    pitched roof without access."""

    @pytest.fixture(scope="class")
    @classmethod
    def result(cls):  # type: ignore[no-untyped-def]
        result = expand(mid_terrace_two_extensions())
        assert result.problems == []
        return result

    def test_storeys_and_heights(self, result) -> None:  # type: ignore[no-untyped-def]
        # lowest storey = room height; upper storey 2.4 + 0.25; extension 2 has the same
        # dwelling below: its lowest storey is raised one level and gets + 0.25 too
        assert result.columns["storeys"][0].as_py() == [
            {"level": 0, "floor_area_m2": 40.0, "storey_height_m": 2.5},
            {"level": 1, "floor_area_m2": 40.0, "storey_height_m": 2.65},
            {"level": 0, "floor_area_m2": 12.0, "storey_height_m": 2.4},
            {"level": 1, "floor_area_m2": 10.0, "storey_height_m": 2.65}]
        assert result.columns["storey_count"][0].as_py() == 2
        assert result.quantities["total_floor_area_m2"][0].as_py() == 102.0

    def test_elements_by_part(self, result) -> None:  # type: ignore[no-untyped-def]
        got = [(e["kind"], e["gross_area_m2"], e["u_value"], e["thermal_bridging_y"])
               for e in elements(result)]
        assert got == [
            # main: wall 10 x 2.5 + 10 x 2.65 = 51.5 at 1/(1/1.7 + 0.17) = 1.32; party
            # 16 x 5.15 = 82.4 (solid, 0.0); roof 40 (Table 16, 100 mm, 0.40); floor 40
            (1, 51.5, 1.32, 0.15), (7, 82.4, 0.0, 0.15), (3, 40.0, 0.4, 0.15),
            (4, 40.0, 0.45, 0.15),
            # extension 1 (band F, Table 21 y 0.15): wall 8 x 2.4 = 19.2 at Table 6 1.0;
            # party 3 x 2.4 = 7.2 at 0.5; no roof (same dwelling above); floor 12
            (1, 19.2, 1.0, 0.15), (7, 7.2, 0.5, 0.15), (4, 12.0, 0.86, 0.15),
            # extension 2 (band K, y 0.08): wall 9 x 2.65 = 23.85 at 0.30; roof 10 at Table
            # 18 col 1 0.16; no floor (same dwelling below)
            (1, 23.85, 0.3, 0.08), (3, 10.0, 0.16, 0.08)]

    def test_ground_floor_u_values_by_bs_en_iso_13370(self, result) -> None:  # type: ignore[no-untyped-def]
        # main: solid, A 40, P 10 -> B' 8; w 0.23 (measured); no insulation (band C);
        # d_t = 0.23 + 1.5 (0.17 + 0.04) = 0.545; U = 3 ln(pi 8 / 0.545 + 1) / (pi 8 + 0.545)
        b, dt = 8.0, 0.23 + 1.5 * 0.21
        assert round(3 * np.log(np.pi * b / dt + 1) / (np.pi * b + dt), 2) == 0.45
        # extension 1: construction unknown, band F -> solid; w 0.26 (Table S3 cavity F);
        # A 12, P 8 -> B' 3
        b, dt = 3.0, 0.26 + 1.5 * 0.21
        assert round(3 * np.log(np.pi * b / dt + 1) / (np.pi * b + dt), 2) == 0.86

    def test_openings_and_hosts(self, result) -> None:  # type: ignore[no-untyped-def]
        got = [(o["kind"], o["area_m2"], o["u_value"], o["g_perpendicular"], o["frame_factor"],
                o["orientation"], o["tilt_deg"], o["host_element"], o["thermal_bridging_y"])
               for o in openings(result)]
        assert got == [
            # Table 24: double pre-2002, 12 mm, PVC 2.8 / 0.76; windows in the main wall
            (2, 1.2, 2.8, 0.76, 0.7, 5, 90.0, 0, 0.15),
            (2, 1.0, 2.8, 0.76, 0.7, 1, 90.0, 0, 0.15),
            # 2002-2022, metal 2.2 / 0.72, frame factor 0.8; extension 1 wall (element 4)
            (2, 0.8, 2.2, 0.72, 0.8, 3, 90.0, 4, 0.15),
            # roof window 2002-2022 2.3 / 0.72, 45 degrees, in extension 2's roof (element 8)
            (3, 0.48, 2.3, 0.72, 0.7, 5, 45.0, 8, 0.08),
            # two doors of 1.85 m2, Table 26 band C 3.0, main wall
            (1, 1.85, 3.0, None, None, None, None, 0, 0.15),
            (1, 1.85, 3.0, None, None, None, None, 0, 0.15)]

    def test_living_area_and_ventilation_constructions(self, result) -> None:  # type: ignore[no-untyped-def]
        # 4 habitable rooms: Table 27 0.25 x 102 = 25.5
        assert result.columns["living_area_m2"][0].as_py() == 25.5
        # net masonry 51.5 - 2.2 - 3.7 + 19.2 - 0.8 = 64.0 > timber 23.85: masonry
        assert result.columns["wall_construction"][0].as_py() == 2
        assert result.columns["floor_construction"][0].as_py() == 1  # solid

    def test_roof_areas_for_pv(self, result) -> None:  # type: ignore[no-untyped-def]
        q = {k: v[0].as_py() for k, v in result.quantities.items()}
        assert (q["roof_area_m2"], q["pitched_roof_area_m2"], q["main_roof_pitched"]) == \
            (50.0, 50.0, True)
        assert (q["main_age_band"], q["country"]) == ("C", "england")


class TestTopFloorFlatOffAnUnheatedCorridor:
    """Band D flat, 50 m2, room height 2.5, HLP 20 (incl. the 5 m corridor wall), party 8,
    filled cavity 0.70, flat roof with 100 mm, other flat below, one door to the corridor."""

    def test_corridor_wall_derived_from_its_length(self) -> None:
        result = expand(top_floor_flat_with_corridor())
        assert result.problems == []
        got = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in elements(result)]
        # wall 20 x 2.5 = 50 less the sheltered wall 5 x 2.5 = 12.5 at 1/(1/0.7 + 0.5) =
        # 0.52; party 8 x 2.5 = 20 at 0.0 (flat, 'unable to determine'); flat roof Table 16
        # col 1 100 mm 0.40; no floor (other flat below)
        assert got == [(1, 37.5, 0.7), (1, 12.5, 0.52), (7, 20.0, 0.0), (3, 50.0, 0.4)]
        door = openings(result)[-1]
        # Table 26: door to an unheated corridor 1.4, deducted from the sheltered wall
        assert (door["kind"], door["u_value"], door["host_element"]) == (1, 1.4, 1)
        assert result.columns["living_area_m2"][0].as_py() == 15.0  # 3 rooms: 0.30 x 50

    def test_corridor_wall_lodged_as_a_sheltered_alternative_wall(self) -> None:
        result = expand(top_floor_flat_with_corridor(sheltered_alternative=True))
        got = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in elements(result)]
        # unfilled cavity band D 1.5 sheltered: 1 / (1/1.5 + 0.5) = 0.857 -> 0.86
        assert got[:2] == [(1, 37.5, 0.7), (1, 12.5, 0.86)]
        assert openings(result)[-1]["host_element"] == 1

    def test_corridor_door_without_a_sheltered_wall_is_named(self) -> None:
        row = top_floor_flat_with_corridor()
        row["unheated_corridor_length_m"] = None
        result = expand(row)
        assert [p.field for p in result.problems] == ["door_count"]


def test_external_dimensions_of_a_detached_house() -> None:
    """RdSAP 2012 Table S2 (lineage): detached, P 40, A 100 measured externally, band H
    cavity (Table S3 w = 0.27 m): P_int = 40 - 8w = 37.84; A_int = A - w P_int - 4w^2 =
    89.4916 -> 89.49 (= 9.46^2)."""
    main = part(1, "H", [storey("0", 100, 2.5, 40, 0, "1", "1")], main_wall=wall("4", "2"),
                floor_u=0.5)
    result = expand(certificate([main], built_form="1", measurement="2"))
    assert result.problems == []
    assert result.columns["storeys"][0].as_py()[0]["floor_area_m2"] == 89.49
    assert elements(result)[0]["gross_area_m2"] == round(37.84 * 2.5, 2) == 94.6


def test_external_dimensions_of_a_mid_terrace() -> None:
    """Mid-terrace 5 x 8 m (P 10, A 40, party 16), w = 0.23 m measured: P_int = P - 2w =
    9.54; A_int = A - w (P + 2A/P) + 2w^2 = 35.9658 (= 4.77 x 7.54); party 16 - 2w."""
    main = part(1, "C", [storey("0", 40, 2.5, 10, 16, "1", "1")], party="1",
                main_wall=wall("3", "4", thickness=230), floor_u=0.5)
    result = expand(certificate([main], built_form="4", measurement="2"))
    assert result.problems == []
    assert result.columns["storeys"][0].as_py()[0]["floor_area_m2"] == 35.97
    wall_el, party_el = elements(result)[:2]
    assert wall_el["gross_area_m2"] == round(9.54 * 2.5, 2)
    assert party_el["gross_area_m2"] == round((16 - 0.46) * 2.5, 2)


def test_external_dimensions_of_an_enclosed_end_terrace_are_a_gap() -> None:
    main = part(1, "C", [storey("0", 40, 2.5, 10, 16, "1", "1")], party="1", floor_u=0.5)
    result = expand(certificate([main], built_form="5", measurement="2"))
    assert [p.field for p in result.problems] == ["built_form"]


def test_living_area_rounds_fraction_times_tfa() -> None:
    # section 9.2: 3 rooms 0.30 x 56.79 = 17.037 -> 17.04 (fLA 0.3001)
    main = part(1, "C", [storey("0", 56.79, 2.5, 30, 0, "1", "1")], floor_u=0.5)
    result = expand(certificate([main], rooms=3, built_form="1"))
    assert result.columns["living_area_m2"][0].as_py() == 17.04


@pytest.mark.parametrize(("rooms", "fraction"), [(1, 0.75), (2, 0.5), (5, 0.21), (14, 0.09),
                                                 (20, 0.09)])
def test_living_area_fraction_table_27(rooms: int, fraction: float) -> None:
    main = part(1, "C", [storey("0", 100, 2.5, 40, 0, "1", "1")], floor_u=0.5)
    result = expand(certificate([main], rooms=rooms, built_form="1"))
    assert result.columns["living_area_m2"][0].as_py() == round(fraction * 100, 2)


def test_living_area_without_a_room_count_is_named() -> None:
    main = part(1, "C", [storey("0", 100, 2.5, 40, 0, "1", "1")], floor_u=0.5)
    result = expand(certificate([main], rooms=0, built_form="1"))
    assert [p.field for p in result.problems] == ["habitable_room_count"]


@pytest.mark.parametrize(("band", "y"), [("A", 0.15), ("I", 0.15), ("J", 0.11), ("K", 0.08),
                                         ("M", 0.08)])
def test_thermal_bridging_table_21_on_every_element(band: str, y: float) -> None:
    main = part(1, band, [storey("0", 60, 2.5, 30, 0, "1", "1")], floor_u=0.5)
    result = expand(certificate([main], built_form="1"))
    assert {e["thermal_bridging_y"] for e in elements(result)} == {y}


@pytest.mark.parametrize(("field", "value", "named"), [
    ("total_floor_area_m2", 0.0, "building_parts[].floor_dimensions[].total_floor_area_m2"),
    ("room_height_m", None, "building_parts[].floor_dimensions[].room_height_m"),
    ("heat_loss_perimeter_m", -1.0, "building_parts[].floor_dimensions[].heat_loss_perimeter_m"),
    ("floor", "99", "building_parts[].floor_dimensions[].floor"),
])
def test_bad_storey_dimensions_are_named(field: str, value: object, named: str) -> None:
    bad = storey("0", 60, 2.5, 30, 0, "1", "1")
    bad[field] = value
    result = expand(certificate([part(1, "C", [bad], floor_u=0.5)], built_form="1"))
    assert named in [p.field for p in result.problems]
