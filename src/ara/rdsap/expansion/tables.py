"""RdSAP 10 tables from ``spec/tables/rdsap10_*.csv`` as dense NumPy lookups, loaded once.

Table loading only: every array is built from a CSV with a provenance header; the expansion
rules that use them live in the ``fabric*`` / ``services`` modules. Lookups are dense arrays
indexed by small integer codes (country, age band, thickness row ...), NaN where the table
has no value, so the batch path never touches a dict.

Index conventions shared by every lookup here:

* country: :data:`COUNTRIES` (``england`` 0, ``wales`` 1, ``scotland`` 2, ``ni`` 3, ``iom`` 4);
* age band: :data:`AGE_BANDS` ``A``..``M`` -> 0..12;
* insulation thickness rows of Tables 16/17: :data:`ROOF_THICKNESS_MM`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ara.sap.tables import SpecTableError, read_table

COUNTRIES: tuple[str, ...] = ("england", "wales", "scotland", "ni", "iom")
AGE_BANDS: tuple[str, ...] = tuple("ABCDEFGHIJKLM")
N_COUNTRIES = len(COUNTRIES)
N_BANDS = len(AGE_BANDS)

#: Wall types of Tables 6-9 (rdsap10_wall_uvalues_as_built.csv), in lookup order.
WALL_TYPES: tuple[str, ...] = ("stone_granite", "stone_sandstone", "solid_brick",
                               "cavity_unfilled", "cavity_filled", "timber_frame",
                               "system_build", "cob")
#: Insulation thickness rows of Tables 16 and 17 (mm; the last row is 400 mm or more).
ROOF_THICKNESS_MM: tuple[int, ...] = (0, 12, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250,
                                      270, 300, 350, 400)
#: Table 24 glazing categories, in lookup order.
GLAZING_CATEGORIES: tuple[str, ...] = ("single", "double_pre", "triple_pre", "post_cutoff",
                                       "post_2022", "secondary_normal", "secondary_low_e")
GLAZING_GAPS_MM: tuple[int, ...] = (6, 12, 16)
FRAMES: tuple[str, ...] = ("pvc_wood", "metal")

_NUMBER = r"[-+]?\d+(?:\.\d+)?"


def _f(text: str | None) -> float:
    text = (text or "").strip()
    return float(text) if text else float("nan")


def _band(text: str) -> int:
    return AGE_BANDS.index(text.strip())


def _country(text: str) -> int:
    return COUNTRIES.index(text.strip())


@dataclass(frozen=True)
class FabricTables:
    """Lookups of the fabric expansion (RdSAP 10 sections 3, 5, 9.2 and Tables 13-27)."""

    # Tables 6-9: as-built wall U [country, WALL_TYPES, band]; NaN where the U comes from
    # the thickness (formula rows, ``wall_by_thickness``) or the table has no row
    wall_u: np.ndarray
    wall_by_thickness: np.ndarray  # bool [country, WALL_TYPES, band]
    wall_formula_if_lower: np.ndarray  # bool: table value unless the thickness formula is lower
    # Table 13 (solid brick, bands A-E): upper thickness bounds (mm, ascending) and U
    brick_bounds_mm: np.ndarray
    brick_u: np.ndarray
    # Table 12 (stone): U = a * t^b for granite/whinstone [0] and sandstone/limestone [1]
    stone_a: np.ndarray
    stone_b: np.ndarray
    # Table 15: party wall U by PartyWallConstructionCode 0-4 for houses, and for flats
    party_u_house: np.ndarray
    party_u_flat: np.ndarray
    # Table 16 [country, thickness row] (col 1 joists / flat, col 2 rafters)
    roof_joists_u: np.ndarray
    roof_rafters_u: np.ndarray
    # Table 18 [country, band]: col 1 pitched, col 2 rafters, col 3 flat, col 4 room in roof
    roof_pitched_default_u: np.ndarray
    roof_rafters_default_u: np.ndarray
    roof_flat_default_u: np.ndarray
    roof_rr_default_u: np.ndarray
    # Table 17 [thickness row, column]: columns 1a 1b 2a 2b 3a 3b (slope, flat ceiling,
    # stud wall; a mineral wool / EPS, b PUR / PIR); NaN rows not transcribed
    rr_u: np.ndarray
    # Table 20 as built [country, band] (NaN where the sources conflict) and insulated rows
    exposed_floor_u: np.ndarray
    exposed_floor_insulated_mm: np.ndarray
    exposed_floor_insulated_u: np.ndarray
    exposed_floor_insulated_unknown_u: np.ndarray  # [band], NaN outside the noted bands
    floor_above_partially_heated_u: float  # section 5.14
    # Table 23 [band]
    basement_wall_u: np.ndarray
    basement_floor_u: np.ndarray
    # Table 21 [band]
    thermal_bridging_y: np.ndarray
    # Table 24 [country, GLAZING_CATEGORIES, GLAZING_GAPS_MM, FRAMES, roof window 0/1]
    window_u: np.ndarray
    window_g: np.ndarray
    # Table 26 [country, band]: external door, door to an unheated corridor
    door_u: np.ndarray
    door_corridor_u: np.ndarray
    # Table 27 [habitable rooms 0..14] (index 14 = 14 or more); NaN where not transcribed
    living_area_fraction: np.ndarray
    # RdSAP 2012 lineage: Table S3 default wall thickness [wall type, insulated, band]
    # (wall types: stone, solid_brick, cavity, timber_frame, cob, system_build) and the
    # Scotland variant; BS EN ISO 13370 parameters; default floor insulation [country, band]
    wall_thickness_mm: np.ndarray
    wall_thickness_scotland_mm: np.ndarray
    ground_floor: dict[str, float]
    ground_floor_insulation_mm: np.ndarray
    suspended_timber_last_band: np.ndarray  # [country], -1 where not transcribed
    # conventions (rdsap10_fabric_conventions_LINEAGE.csv)
    conventions: dict[str, float]
    # RdSAP 2012 lineage (estimate fallback thatched_roof_lineage): Table S9 thatched column
    # [ROOF_THICKNESS_MM row] (NaN where S9 has no row) and Table S10 thatched roof
    # [country, band] (NaN for band M)
    thatch_u: np.ndarray
    thatch_default_u: np.ndarray


THICKNESS_WALL_TYPES: tuple[str, ...] = ("stone", "solid_brick", "cavity", "timber_frame",
                                         "cob", "system_build")


def _wall_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    name = "rdsap10_wall_uvalues_as_built.csv"
    u = np.full((N_COUNTRIES, len(WALL_TYPES), N_BANDS), np.nan)
    formula = np.zeros(u.shape, dtype=bool)
    if_lower = np.zeros(u.shape, dtype=bool)
    seen: set[tuple[int, int, int]] = set()
    for r in read_table(name):
        key = (_country(r["region"]), WALL_TYPES.index(r["wall_type"]), _band(r["age_band"]))
        if key in seen:
            raise SpecTableError(f"{name}: duplicate row {r}")
        seen.add(key)
        if r["formula_type"].strip():
            formula[key] = True
        else:
            u[key] = _f(r["u_value"])
        # Table 6 note (a) on stone, band F: the thickness formula wins when it is lower
        if "use formula if calculated" in r["notes"]:
            if_lower[key] = True
    return u, formula, if_lower


def _thickness_formulas() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    name = "rdsap10_wall_thickness_formulas.csv"
    rows = {r["wall_type"]: r["rule"] for r in read_table(name)}
    try:
        brick = rows["solid_brick"]
        # 't<=200mm: 2.5; 200<t<=280: 1.7; 280<t<=420: 1.4; t>420: 1.1'
        bounds, values = [], []
        for part in brick.split("(")[0].split(";"):
            cond, value = part.split(":")
            upper = re.search(r"t\s*<=\s*(" + _NUMBER + ")", cond)
            bounds.append(float(upper.group(1)) if upper else np.inf)
            values.append(float(value))
        stone = []
        for key in ("stone_granite_or_whinstone", "stone_sandstone_or_limestone"):
            m = re.search(r"U\s*=\s*(" + _NUMBER + r")\s*\*\s*t\^(" + _NUMBER + ")", rows[key])
            if m is None:
                raise SpecTableError(f"{name}: cannot read the formula {rows[key]!r}")
            stone.append((float(m.group(1)), float(m.group(2))))
    except (KeyError, ValueError, AttributeError) as exc:
        raise SpecTableError(f"{name}: unexpected rule text") from exc
    return (np.array(bounds), np.array(values), np.array([s[0] for s in stone]),
            np.array([s[1] for s in stone]))


def _party_walls() -> tuple[np.ndarray, np.ndarray]:
    house = np.full(5, np.nan)
    flat = np.full(5, np.nan)
    for r in read_table("rdsap10_table15_party_wall_uvalues.csv"):
        code = int(r["schema_code"])
        value = _f(r["u_value_w_m2k"])
        applies = r["applies_to"].strip()
        if applies in ("all", "house or bungalow"):
            house[code] = value
        if applies in ("all", "flat or maisonette"):
            flat[code] = value
    return house, flat


def _roofs() -> dict[str, np.ndarray]:
    out = {k: np.full((N_COUNTRIES, len(ROOF_THICKNESS_MM)), np.nan)
           for k in ("pitched_joists", "pitched_rafters")}
    out.update({k: np.full((N_COUNTRIES, N_BANDS), np.nan)
                for k in ("pitched_unknown", "pitched_rafters_unknown", "flat",
                          "room_in_roof")})
    for r in read_table("rdsap10_roof_uvalues.csv"):
        kind = r["roof_type"]
        c = _country(r["region"])
        if kind in ("pitched_joists", "pitched_rafters"):
            out[kind][c, ROOF_THICKNESS_MM.index(int(r["insulation_mm"]))] = _f(r["u_value"])
        else:
            out[kind][c, _band(r["age_band"])] = _f(r["u_value"])
    return out


def _room_in_roof() -> np.ndarray:
    cols = ("col1a_slope_mineral_wool", "col1b_slope_pur_pir", "col2a_flat_ceiling_mineral_wool",
            "col2b_flat_ceiling_pur_pir", "col3a_stud_wall_mineral_wool",
            "col3b_stud_wall_pur_pir")
    out = np.full((len(ROOF_THICKNESS_MM), len(cols)), np.nan)
    for r in read_table("rdsap10_table17_room_in_roof_uvalues_PARTIAL.csv"):
        row = ROOF_THICKNESS_MM.index(int(r["insulation_mm"]))
        out[row] = [_f(r[c]) for c in cols]
    return out


def _exposed_floors() -> dict[str, object]:
    as_built = np.full((N_COUNTRIES, N_BANDS), np.nan)
    conflict = np.zeros(as_built.shape, dtype=bool)
    for r in read_table("rdsap10_exposed_floor_uvalues.csv"):
        key = (_country(r["region"]), _band(r["age_band"]))
        value = _f(r["u_value"])
        if np.isfinite(as_built[key]) and as_built[key] != value:
            conflict[key] = True  # e.g. Wales band M listed as 0.18 and 0.15
        as_built[key] = value
    as_built[conflict] = np.nan
    mm, u = [], []
    unknown = np.full(N_BANDS, np.nan)
    partial = float("nan")
    for r in read_table("rdsap10_table20_exposed_floor_insulated_and_5_14.csv"):
        if r["case"].startswith("exposed or semi-exposed upper floor, insulated"):
            mm.append(int(r["insulation_mm"]))
            u.append(_f(r["u_value_w_m2k"]))
            m = re.search(r"age bands ([A-M])-([A-M])", r["notes"])
            if "thickness unknown" in r["notes"] and m:
                unknown[_band(m.group(1)):_band(m.group(2)) + 1] = _f(r["u_value_w_m2k"])
        elif r["case"].startswith("floor above partially heated premises"):
            partial = _f(r["u_value_w_m2k"])
    return {"as_built": as_built, "mm": np.array(mm, dtype=np.float64), "u": np.array(u),
            "unknown": unknown, "partial": partial}


def _basements() -> tuple[np.ndarray, np.ndarray]:
    wall = np.full(N_BANDS, np.nan)
    floor = np.full(N_BANDS, np.nan)
    for r in read_table("rdsap10_table23_basement_uvalues.csv"):
        target = wall if r["element"] == "basement_wall" else floor
        target[_band(r["age_band"])] = _f(r["u_value_w_m2k"])
    return wall, floor


def _by_band(name: str, column: str) -> np.ndarray:
    out = np.full(N_BANDS, np.nan)
    for r in read_table(name):
        out[_band(r["age_band"])] = _f(r[column])
    return out


def _windows() -> tuple[np.ndarray, np.ndarray]:
    shape = (N_COUNTRIES, len(GLAZING_CATEGORIES), len(GLAZING_GAPS_MM), len(FRAMES), 2)
    u = np.full(shape, np.nan)
    g = np.full(shape, np.nan)
    for r in read_table("rdsap10_window_uvalues_gvalues.csv"):
        c = _country(r["region"])
        glazing, period = r["glazing_type"], r["period"]
        if glazing == "single":
            cat = "single"
        elif glazing in ("double", "triple") and period == "pre_cutoff":
            cat = f"{glazing}_pre"
        elif glazing == "double_or_triple":
            cat = "post_cutoff" if period == "post_cutoff" else "post_2022"
        elif glazing == "secondary":
            cat = "secondary_low_e" if "low emissivity" in r["description"] else \
                "secondary_normal"
        else:
            raise SpecTableError(f"rdsap10_window_uvalues_gvalues.csv: unknown row {r}")
        k = GLAZING_CATEGORIES.index(cat)
        roof = 1 if r["is_roof_window"].strip() == "True" else 0
        gaps = [GLAZING_GAPS_MM.index(int(r["gap_mm"]))] if cat.endswith("_pre") \
            else list(range(len(GLAZING_GAPS_MM)))
        # secondary glazing rows carry no frame dependence: fill both frames
        frames = list(range(len(FRAMES))) if cat.startswith("secondary") \
            else [FRAMES.index(r["frame_type"])]
        for gap in gaps:
            for fr in frames:
                u[c, k, gap, fr, roof] = _f(r["u_value"])
                g[c, k, gap, fr, roof] = _f(r["g_value"])
    return u, g


def _doors() -> tuple[np.ndarray, np.ndarray]:
    ext = np.full((N_COUNTRIES, N_BANDS), np.nan)
    corridor = np.full((N_COUNTRIES, N_BANDS), np.nan)
    for r in read_table("rdsap10_door_uvalues.csv"):
        target = ext if r["opens_to"] == "outside" else corridor
        target[_country(r["region"]), _band(r["age_band"])] = _f(r["u_value"])
    return ext, corridor


def _living_area() -> np.ndarray:
    out = np.full(15, np.nan)
    for r in read_table("rdsap10_table27_living_area_fraction_PARTIAL.csv"):
        rooms = r["habitable_rooms"].strip()
        out[int(rooms.rstrip("+"))] = _f(r["fraction"])
    return out


def _wall_thickness() -> tuple[np.ndarray, np.ndarray]:
    shape = (len(THICKNESS_WALL_TYPES), 2, N_BANDS)
    plain = np.full(shape, np.nan)
    scot = np.full(shape, np.nan)
    for r in read_table("rdsap10_wall_thickness_defaults_RDSAP2012.csv"):
        key = (THICKNESS_WALL_TYPES.index(r["wall_type"]), int(r["insulated"] == "true"),
               _band(r["age_band"]))
        plain[key] = _f(r["thickness_mm"])
        scot[key] = _f(r["scotland_mm"])
    return plain, scot


def _ground_floor() -> tuple[dict[str, float], np.ndarray, np.ndarray]:
    params: dict[str, float] = {}
    insulation = np.full((N_COUNTRIES, N_BANDS), np.nan)
    last_timber = np.full(N_COUNTRIES, -1, dtype=np.int64)
    for r in read_table("rdsap10_ground_floor_parameters_RDSAP2012.csv"):
        if r["kind"] == "parameter":
            params[r["key"]] = _f(r["value"])
        elif r["kind"] == "suspended_timber_last_band":
            last_timber[_country(r["key"])] = _band(r["value"])
        elif r["kind"] == "floor_insulation_mm":
            country, band = r["key"].split(":")
            insulation[_country(country), _band(band)] = _f(r["value"])
    return params, insulation, last_timber


def _thatch() -> tuple[np.ndarray, np.ndarray]:
    by_mm = np.full(len(ROOF_THICKNESS_MM), np.nan)
    by_band = np.full((N_COUNTRIES, N_BANDS), np.nan)
    overrides = []
    for r in read_table("rdsap2012_thatched_roof_uvalues_LINEAGE.csv"):
        if r["kind"] == "thickness":
            by_mm[ROOF_THICKNESS_MM.index(int(r["insulation_mm"]))] = _f(r["u_value"])
        elif r["region"].strip() == "all":
            by_band[:, _band(r["age_band"])] = _f(r["u_value"])
        else:
            overrides.append((_country(r["region"]), _band(r["age_band"]), _f(r["u_value"])))
    for c, b, value in overrides:
        by_band[c, b] = value
    return by_mm, by_band


def _conventions() -> dict[str, float]:
    return {r["name"]: _f(r["value"]) for r in read_table("rdsap10_fabric_conventions_LINEAGE.csv")}


@lru_cache(maxsize=1)
def fabric_tables() -> FabricTables:
    """The fabric lookups, read once from ``spec/tables``."""
    wall_u, wall_formula, wall_if_lower = _wall_tables()
    brick_bounds, brick_u, stone_a, stone_b = _thickness_formulas()
    party_house, party_flat = _party_walls()
    roofs = _roofs()
    exposed = _exposed_floors()
    basement_wall, basement_floor = _basements()
    window_u, window_g = _windows()
    door_ext, door_corridor = _doors()
    thickness, thickness_scot = _wall_thickness()
    ground, ground_ins, last_timber = _ground_floor()
    thatch_u, thatch_default_u = _thatch()
    return FabricTables(
        wall_u=wall_u, wall_by_thickness=wall_formula, wall_formula_if_lower=wall_if_lower,
        brick_bounds_mm=brick_bounds, brick_u=brick_u, stone_a=stone_a, stone_b=stone_b,
        party_u_house=party_house, party_u_flat=party_flat,
        roof_joists_u=roofs["pitched_joists"], roof_rafters_u=roofs["pitched_rafters"],
        roof_pitched_default_u=roofs["pitched_unknown"],
        roof_rafters_default_u=roofs["pitched_rafters_unknown"],
        roof_flat_default_u=roofs["flat"],
        roof_rr_default_u=roofs["room_in_roof"], rr_u=_room_in_roof(),
        exposed_floor_u=exposed["as_built"],  # type: ignore[arg-type]
        exposed_floor_insulated_mm=exposed["mm"],  # type: ignore[arg-type]
        exposed_floor_insulated_u=exposed["u"],  # type: ignore[arg-type]
        exposed_floor_insulated_unknown_u=exposed["unknown"],  # type: ignore[arg-type]
        floor_above_partially_heated_u=float(exposed["partial"]),  # type: ignore[arg-type]
        basement_wall_u=basement_wall, basement_floor_u=basement_floor,
        thermal_bridging_y=_by_band("rdsap10_thermal_bridging_y.csv", "y_factor"),
        window_u=window_u, window_g=window_g,
        door_u=door_ext, door_corridor_u=door_corridor,
        living_area_fraction=_living_area(),
        wall_thickness_mm=thickness, wall_thickness_scotland_mm=thickness_scot,
        ground_floor=ground, ground_floor_insulation_mm=ground_ins,
        suspended_timber_last_band=last_timber,
        conventions=_conventions(),
        thatch_u=thatch_u, thatch_default_u=thatch_default_u,
    )
