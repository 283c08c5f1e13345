"""Certificate builders for the fabric expansion tests (rows of CERTIFICATE_SCHEMA written by
hand, so that every expected number can be derived on paper), and the checks that the
builders themselves produce valid rows."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ara.rdsap.expansion.fabric import FabricResult, expand_fabric
from ara.rdsap.readers import CERTIFICATE_SCHEMA


def storey(floor: str, area: float, height: float, hlp: float, pwl: float = 0.0,
           construction: str | None = None, insulation: str | None = None) -> dict[str, Any]:
    return {"floor": floor, "total_floor_area_m2": area, "room_height_m": height,
            "heat_loss_perimeter_m": hlp, "party_wall_length_m": pwl,
            "floor_construction": construction, "floor_insulation": insulation}


def wall(construction: str = "4", insulation: str = "4", *, thickness: float | None = None,
         dry_lined: bool = False, u_value: float | None = None,
         insulation_thickness: str | None = None, measured_insulation: float | None = None,
         conductivity: str | None = None) -> dict[str, Any]:
    return {"wall_construction": construction, "wall_insulation_type": insulation,
            "wall_thickness_measured": thickness is not None, "wall_thickness_mm": thickness,
            "wall_dry_lined": dry_lined, "wall_u_value": u_value,
            "wall_insulation_thickness": insulation_thickness,
            "wall_insulation_thickness_measured_mm": measured_insulation,
            "wall_insulation_thermal_conductivity": conductivity}


def alternative_wall(number: int, area: float, sheltered: bool = False,
                     **wall_kw: Any) -> dict[str, Any]:
    return {"alternative_wall_number": number, "wall_area_m2": area,
            "sheltered_wall": sheltered, **wall(**wall_kw)}


def surface(kind: str, number: int, length: float | None = None,
            height: float | None = None, *, gable_type: str | None = None,
            u_value: float | None = None, thickness: str | None = None,
            insulation_type: str | None = None) -> dict[str, Any]:
    return {"surface": kind, "number": number, "length_m": length, "height_m": height,
            "area_m2": None, "u_value": u_value, "insulation_thickness": thickness,
            "insulation_type": insulation_type, "insulation_location": None,
            "gable_type": gable_type}


def room_in_roof(area: float, band: str, rr_type: str | None,
                 surfaces: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"floor_area_m2": area, "construction_age_band": band,
            "room_in_roof_type": rr_type, "insulation": None, "roof_room_connected": None,
            "roof_insulation_thickness": None, "surfaces": surfaces or []}


def part(number: int, band: str, storeys: list[dict[str, Any]], *,
         main_wall: dict[str, Any] | None = None, party: str = "NA", roof: str = "4",
         roof_location: str = "2", roof_thickness: str | None = "100mm",
         rafter_thickness: str | None = None, flat_roof_thickness: str | None = None,
         sloping_thickness: str | None = None, roof_u: float | None = None,
         floor_heat_loss: str = "7", floor_u: float | None = None,
         floor_insulation_thickness: str | None = "NI",
         alternative_walls: list[dict[str, Any]] | None = None,
         rr: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"building_part_number": number, "identifier": None, "construction_age_band": band,
            **(main_wall or wall()), "party_wall_construction": party,
            "alternative_walls": alternative_walls or [], "roof_construction": roof,
            "roof_insulation_location": roof_location, "roof_u_value": roof_u,
            "roof_insulation_thickness": roof_thickness,
            "rafter_insulation_thickness": rafter_thickness,
            "flat_roof_insulation_thickness": flat_roof_thickness,
            "sloping_ceiling_insulation_thickness": sloping_thickness,
            "floor_heat_loss": floor_heat_loss, "floor_u_value": floor_u,
            "floor_insulation_thickness": floor_insulation_thickness,
            "floor_dimensions": storeys, "room_in_roof": rr}


def window(location: str, height: float, width: float, *, glazing: str = "1",
           orientation: str = "5", pvc: bool | None = True, gap: str | None = "12",
           window_type: str = "1", wall_type: str | None = "1", u_value: float | None = None,
           g_value: float | None = None, shutters: bool = False) -> dict[str, Any]:
    return {"window_location": location, "window_area_m2": None, "window_height_m": height,
            "window_width_m": width, "glazing_type": glazing, "window_type": window_type,
            "orientation": orientation, "draught_proofed": True, "pvc_frame": pvc,
            "glazing_gap": gap, "frame_factor": None, "window_wall_type": wall_type,
            "u_value": u_value, "solar_transmittance": g_value,
            "transmission_data_source": "2" if u_value is not None else None,
            "permanent_shutters_present": shutters, "permanent_shutters_insulated": False}


def certificate(parts: list[dict[str, Any]], *, number: str = "0000-0000-0000-0000-0001",
                country: str = "ENG", property_type: str = "0", built_form: str = "4",
                rooms: int = 4, doors: int = 0, insulated_doors: int | None = None,
                insulated_door_u: float | None = None, measurement: str = "1",
                windows: list[dict[str, Any]] | None = None,
                corridor: str | None = None, corridor_length: float | None = None,
                conservatory: str = "1") -> dict[str, Any]:
    return {"certificate_number": number, "country_code": country,
            "property_type": property_type, "built_form": built_form,
            "extensions_count": len(parts) - 1, "habitable_room_count": rooms,
            "heated_room_count": rooms, "measurement_type": measurement,
            "conservatory_type": conservatory, "door_count": doors,
            "insulated_door_count": insulated_doors, "insulated_door_u_value": insulated_door_u,
            "building_parts": parts, "windows": windows or [],
            "heat_loss_corridor": corridor, "unheated_corridor_length_m": corridor_length}


def expand(*rows: dict[str, Any]) -> FabricResult:
    return expand_fabric(pa.Table.from_pylist(list(rows), schema=CERTIFICATE_SCHEMA))


def elements(result: FabricResult, row: int = 0) -> list[dict[str, Any]]:
    return result.columns["elements"][row].as_py()  # type: ignore[no-any-return]


def openings(result: FabricResult, row: int = 0) -> list[dict[str, Any]]:
    return result.columns["openings"][row].as_py()  # type: ignore[no-any-return]


def messages(result: FabricResult) -> list[str]:
    return [f"{p.field}: {p.message}" for p in result.problems]


# ------------------------------------------------------------------------------------------
# the named dwellings of the hand-derived tests
# ------------------------------------------------------------------------------------------
def mid_terrace_two_extensions() -> dict[str, Any]:
    """Mid-terrace house, main part band C (dry-lined solid brick 230 mm, two storeys),
    extension 1 band F (cavity, flat floor, dwelling above), extension 2 band K (timber frame,
    above extension 1)."""
    main = part(1, "C", [storey("0", 40, 2.5, 10, 16, "1", "1"),
                         storey("1", 40, 2.4, 10, 16)],
                main_wall=wall("3", "4", thickness=230, dry_lined=True), party="1")
    ext1 = part(2, "F", [storey("0", 12, 2.4, 8, 3, "0", "1")],
                main_wall=wall("4", "4"), party="2", roof="7", roof_thickness=None)
    ext2 = part(3, "K", [storey("0", 10, 2.4, 9, 0)], main_wall=wall("5", "4"), roof="5",
                roof_location="4", roof_thickness=None, floor_heat_loss="8",
                floor_insulation_thickness=None)
    return certificate([main, ext1, ext2], rooms=4, doors=2, windows=[
        window("0", 1.2, 1.0, orientation="5"),
        window("0", 1.0, 1.0, orientation="1"),
        window("1", 1.0, 0.8, glazing="2", pvc=False, gap=None, orientation="3"),
        window("2", 0.6, 0.8, glazing="2", window_type="2", orientation="5", gap=None),
    ])


def top_floor_flat_with_corridor(sheltered_alternative: bool = False) -> dict[str, Any]:
    """Top-floor flat (band D, filled cavity, flat roof with 100 mm) off an unheated corridor
    5 m long, one door to the corridor; optionally the corridor wall lodged as a sheltered
    alternative wall (unfilled cavity) instead of being derived from the corridor length."""
    alts = [alternative_wall(1, 12.5, True, construction="4", insulation="4")] \
        if sheltered_alternative else []
    main = part(1, "D", [storey("0", 50, 2.5, 20, 8)], main_wall=wall("4", "2"), party="0",
                roof="1", roof_location="6", roof_thickness=None, flat_roof_thickness="100mm",
                floor_heat_loss="6", floor_insulation_thickness=None, alternative_walls=alts)
    return certificate([main], property_type="2", built_form="4", rooms=3, doors=1,
                       corridor="2", corridor_length=5.0, windows=[
                           window("0", 1.5, 1.2, orientation="7"),
                           window("0", 1.0, 1.2, orientation="7")])


def test_builders_produce_expandable_rows() -> None:
    result = expand(mid_terrace_two_extensions(), top_floor_flat_with_corridor(),
                    top_floor_flat_with_corridor(sheltered_alternative=True))
    assert result.problems == []
    assert result.columns["elements"].null_count == 0
