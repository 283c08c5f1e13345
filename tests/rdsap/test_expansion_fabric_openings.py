"""Openings: windows (Table 24, frame factors, orientation, host element), roof windows and
doors (Table 26, 1.85 m2, corridor doors, insulated doors) -- RdSAP 10 section 3.7."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest
from test_expansion_fabric_cases import (
    alternative_wall,
    certificate,
    elements,
    expand,
    openings,
    part,
    storey,
    wall,
    window,
)

from ara.rdsap.expansion import expand as expand_all
from ara.rdsap.expansion.fabric import FabricResult, expand_fabric
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.sap.fallbacks import FallbackLog, fallback


def house(windows: list[dict[str, Any]] | None = None, *, band: str = "C",
          country: str = "ENG", **kw: Any) -> dict[str, Any]:
    main = part(1, band, [storey("0", 60, 2.5, 30, 0, "1", "1")], main_wall=wall("4", "2"),
                floor_u=0.5, alternative_walls=[alternative_wall(1, 10.0, construction="5",
                                                                 insulation="4")])
    return certificate([main], built_form="1", country=country, windows=windows, **kw)


def only_window(**kw: Any) -> dict[str, Any]:
    result = expand(house([window("0", 1.0, 1.5, **kw)]))
    assert result.problems == [], result.problems
    (found,) = openings(result)
    return found


@pytest.mark.parametrize(("glazing", "gap", "pvc", "u", "g", "sap_glazing"), [
    ("5", None, True, 4.8, 0.85, 2),  # single, wood / PVC
    ("5", None, False, 5.7, 0.85, 2),  # single, metal
    ("1", "6", True, 3.1, 0.76, 3),  # double pre-2002, 6 mm
    ("3", "16+", False, 3.3, 0.76, 3),  # double unknown date = pre-2002, 16 mm, metal
    ("2", None, True, 2.0, 0.72, 3),  # double 2002-2022
    ("9", None, False, 2.2, 0.72, 8),  # triple 2002-2022, metal
    ("10", "12", True, 2.1, 0.68, 8),  # triple pre-2002, 12 mm
    ("6", "6", True, 2.4, 0.68, 8),  # triple unknown date = pre-2002
    ("13", None, True, 1.4, 0.72, 3),  # double 2022 or later
    ("14", None, False, 1.6, 0.72, 8),  # triple 2022 or later, metal
    ("11", None, True, 2.9, 0.85, 13),  # secondary, normal emissivity
    ("12", None, False, 2.2, 0.85, 13),  # secondary, low emissivity
    ("4", None, True, 2.9, 0.85, 13),  # secondary, unknown data: normal emissivity (GAP)
])
def test_window_u_and_g_table_24(glazing: str, gap: str | None, pvc: bool, u: float, g: float,
                                 sap_glazing: int) -> None:
    found = only_window(glazing=glazing, gap=gap, pvc=pvc)
    assert (found["u_value"], found["g_perpendicular"], found["glazing_type"]) == \
        (u, g, sap_glazing)
    # frame factor (GAP, RdSAP 2012 lineage): 0.7 wood / PVC, 0.8 metal
    assert (found["frame_factor"], found["frame_type"]) == ((0.7, 2) if pvc else (0.8, 3))
    assert (found["area_m2"], found["kind"], found["tilt_deg"]) == (1.5, 2, 90.0)


def test_roof_windows_of_table_24_at_45_degrees() -> None:
    found = only_window(glazing="1", gap="6", window_type="2")
    assert (found["kind"], found["u_value"], found["tilt_deg"], found["host_element"]) == \
        (3, 3.4, 45.0, 2)  # elements: main wall, alternative wall, roof, floor


def test_lodged_transmission_data_wins() -> None:
    found = only_window(glazing="7", u_value=1.2, g_value=0.6, gap=None)
    assert (found["u_value"], found["g_perpendicular"]) == (1.2, 0.6)


@pytest.mark.parametrize("orientation", [str(i) for i in range(1, 10)])
def test_orientation_codes_are_sap_orientations(orientation: str) -> None:
    assert only_window(orientation=orientation)["orientation"] == int(orientation)


def test_windows_go_to_the_wall_they_are_lodged_in() -> None:
    result = expand(house([window("0", 1.0, 1.0, wall_type="1"),
                           window("0", 1.0, 2.0, wall_type="2")]))
    assert [o["host_element"] for o in openings(result)] == [0, 1]


def test_window_area_of_rdsap_9_certificates() -> None:
    row = house([window("0", 1.0, 1.0)])
    row["windows"][0].update(window_height_m=None, window_width_m=None, window_area_m2=2.345)
    assert openings(expand(row))[0]["area_m2"] == 2.35


@pytest.mark.parametrize(("band", "country", "u"), [("C", "ENG", 3.0), ("K", "ENG", 2.0),
                                                    ("L", "SCT", 1.6), ("L", "WLS", 1.8),
                                                    ("M", "NIR", 1.4)])
def test_doors_table_26(band: str, country: str, u: float) -> None:
    row = house(band=band, country=country, doors=1)
    row["building_parts"][0]["floor_u_value"] = 0.5
    result = expand(row)
    assert result.problems == []
    (door,) = openings(result)
    assert (door["kind"], door["area_m2"], door["u_value"], door["host_element"]) == \
        (1, 1.85, u, 0)


def test_insulated_doors_take_their_lodged_u_value() -> None:
    result = expand(house(doors=3, insulated_doors=2, insulated_door_u=1.1))
    assert [o["u_value"] for o in openings(result)] == [3.0, 1.1, 1.1]


@pytest.mark.parametrize(("kw", "field"), [
    # glazing 'ND', 'known data' without the data, orientation 0 and permanent shutters
    # take declared fallbacks (tests/rdsap/test_coverage_fallbacks.py)
    # metal and post-2022 roof windows take the declared fallback roof_window_row_missing
    ({"glazing": "4", "window_type": "2"}, "windows[].glazing_type"),  # secondary roof window
    ({"wall_type": "3"}, "windows[].window_wall_type"),  # alternative wall 2 not lodged
    ({"wall_type": "5"}, "windows[].window_wall_type"),  # no room in roof
])
def test_windows_that_cannot_be_expanded_are_named(kw: dict[str, Any], field: str) -> None:
    result = expand(house([window("0", 1.0, 1.0, **kw)]))
    assert [p.field for p in result.problems] == [field]


def expand_with_fallbacks(row: dict[str, Any]) -> tuple[FabricResult, dict[str, list[int]]]:
    """The fabric of ``row`` and the estimate fallbacks it took (id -> rows)."""
    log = FallbackLog(1)
    result = expand_fabric(pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA), log)
    return result, {fid: rows.tolist() for fid, rows in zip(log.ids, log.rows, strict=True)}


def gap_code(fallback_id: str) -> str:
    """The Glazing-Gap code of the declared fallback's gap (mm)."""
    return {6.0: "6", 12.0: "12", 16.0: "16+"}[fallback(fallback_id).value]


@pytest.mark.parametrize(("kw", "lodged", "fallback_ids"), [
    # pre-2002 double glazing, PVC frame, gap not lodged: the 12 mm Table 24 row
    ({"glazing": "1", "gap": None}, {"gap": gap_code("glazing_gap_unknown")},
     ["glazing_gap_unknown"]),
    # the same in a metal frame: the 6 mm row (RdSAP 2012 Table S14 lineage)
    ({"glazing": "1", "gap": None, "pvc": False},
     {"gap": gap_code("glazing_gap_metal_frame"), "pvc": False}, ["glazing_gap_metal_frame"]),
    # frame material not lodged: wood / PVC (Table 24 PVC/wood rows, frame factor 0.7)
    ({"pvc": None}, {"pvc": True}, ["window_frame_unknown"]),
    ({"glazing": "5", "gap": None, "pvc": None}, {"glazing": "5", "gap": None, "pvc": True},
     ["window_frame_unknown"]),
    # neither: PVC assumed first, then its gap
    ({"glazing": "3", "gap": None, "pvc": None}, {"glazing": "3", "pvc": True,
                                                  "gap": gap_code("glazing_gap_unknown")},
     ["window_frame_unknown", "glazing_gap_unknown"]),
])
def test_window_frame_and_gap_not_lodged_take_the_declared_fallbacks(
        kw: dict[str, Any], lodged: dict[str, Any], fallback_ids: list[str]) -> None:
    """A window without its frame material or (pre-2002 / unknown-date double glazing) its
    glazing gap expands as the window lodged with the fallback's frame and gap would, and
    the fallbacks are recorded for the row; strict mode refuses the row naming the field and
    the fallback, estimate mode lists the fallback among the row's assumptions."""
    row = house([window("0", 1.0, 1.0, **kw)])
    result, used = expand_with_fallbacks(row)
    assert result.problems == []
    assert used == {fid: [0] for fid in fallback_ids}
    assert openings(result) == openings(expand(house([window("0", 1.0, 1.0,
                                                                **{**kw, **lodged})])))
    table = pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA)
    strict = expand_all(table, mode="strict")
    for fid in fallback_ids:
        field = fallback(fid).field
        assert any(f"estimate mode would use fallback {fid}:" in m
                   for _r, _c, f, m in strict.problems if f == field), strict.problems
    estimate = expand_all(table, mode="estimate")
    assert set(fallback_ids) <= set(estimate.assumptions[0].as_py())
    assert not any(f.startswith("windows") for _r, _c, f, _m in estimate.problems)


def test_window_in_an_extension_that_is_not_lodged_goes_to_the_main_dwelling() -> None:
    """GAP decision 32: Window-Location 2 (2nd extension) of a one-part dwelling: the window
    counts, in the main wall of the main dwelling (as a window lodged there would)."""
    lodged_there = expand(house([window("0", 1.0, 1.5)]))
    result = expand(house([window("2", 1.0, 1.5)]))
    assert result.problems == []
    assert openings(result) == openings(lodged_there)
    assert openings(result)[0]["host_element"] == 0
    assert elements(result) == elements(lodged_there)


def test_window_location_that_is_not_a_building_part_code() -> None:
    result = expand(house([window("7", 1.0, 1.0)]))
    assert [p.field for p in result.problems] == ["windows[].window_location"]


def test_openings_larger_than_their_wall() -> None:
    result = expand(house([window("0", 2.0, 6.0, wall_type="2")]))  # 12 m2 in 10 m2
    assert [p.field for p in result.problems] == ["windows[]"]


def test_unmeasured_windows_are_a_gap() -> None:
    row = house([])
    row["glazed_area"] = "1"
    assert [p.field for p in expand(row).problems] == ["windows"]


def test_insulated_doors_without_u_value() -> None:
    result = expand(house(doors=1, insulated_doors=1))
    assert [p.field for p in result.problems] == ["insulated_door_u_value"]
