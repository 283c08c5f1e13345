"""Roofs (RdSAP 10 section 5.11, Tables 16-18) and rooms in roof (sections 3.9-3.10, Table
4, Table 17, Table 18 column 4), over arrays of building parts and room-in-roof surfaces."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow.compute as pc

from ara.rdsap.expansion.fabric_arrow import (
    Level,
    Problems,
    codes,
    floats,
    mapped,
)
from ara.rdsap.expansion.tables import AGE_BANDS, COUNTRIES, ROOF_THICKNESS_MM, FabricTables
from ara.rdsap.rounding import round_half_up
from ara.sap.fallbacks import FallbackLog

#: RoofTypeCode: 0 none, 1 flat, 2 pitched (old), 3 another dwelling above, 4 pitched with
#: loft access, 5 pitched without access, 6 thatch, 7 same dwelling above, 8 sloping
#: ceiling, 9 non-residential / unheated space above.
ROOF_CODES: tuple[str, ...] = tuple(str(i) for i in range(10)) + ("NR",)
#: RoofInsulationLocationCode: 1 rafters, 2 joists, 3 no access (old), 4 unknown, 5 none,
#: 6 flat roof insulation, 7 sloping ceiling insulation.
ROOF_LOCATION_CODES: tuple[str, ...] = ("1", "2", "3", "4", "5", "6", "7", "ND")
#: Roof / rafter / flat-roof / sloping-ceiling / room-in-roof insulation thickness codes ->
#: mm (the rows of Tables 16 and 17); 'AB', 'NI' and 'ND' are unknown (NaN).
ROOF_MM: dict[str, float] = {"0": 0, **{f"{mm}mm": mm for mm in ROOF_THICKNESS_MM[1:]},
                             "400mm+": 400, "400+mm": 400}
PITCHED = (2, 4, 5, 6, 8)
NO_ROOF = (3, 7)  # another dwelling / the same dwelling above: no roof heat loss

P_ROOF_TYPE = 1
P_THATCH = 2
P_RAFTERS_UNKNOWN = 3
P_ABOVE_NON_RESIDENTIAL = 4
P_NO_TABLE_VALUE = 5
ROOF_PROBLEMS: dict[int, tuple[str, str]] = {
    P_ROOF_TYPE: ("roof_construction", "roof construction not recorded or 'none' (0): "
                  "lodge the roof type"),
    P_THATCH: ("roof_construction", "thatched roof: no RdSAP 2012 Table S9 / S10 lineage "
               "value for this country, age band and thickness; lodge a Roof-U-Value"),
    P_RAFTERS_UNKNOWN: ("rafter_insulation_thickness", "insulation at rafters / sloping "
                        "ceiling of unknown thickness and no Table 18 column 2 value for this "
                        "country / age band; lodge the thickness or a Roof-U-Value"),
    P_ABOVE_NON_RESIDENTIAL: ("roof_construction", "non-residential or unheated space above "
                              "(code 9): RdSAP 10 rule not established (GAP)"),
    P_NO_TABLE_VALUE: ("roof_insulation_thickness", "no Table 16 / 18 U-value for this "
                       "country, age band and thickness in spec/tables"),
}


def _row(mm: np.ndarray) -> np.ndarray:
    """Index of a thickness in ROOF_THICKNESS_MM (-1 where unknown)."""
    rows = np.searchsorted(np.asarray(ROOF_THICKNESS_MM, dtype=np.float64),
                           np.where(np.isfinite(mm), mm, -1.0))
    rows = np.clip(rows, 0, len(ROOF_THICKNESS_MM) - 1)
    exact = np.isfinite(mm) & (np.asarray(ROOF_THICKNESS_MM)[rows] == mm)
    return np.where(exact, rows, -1)


def _thatch_by_thickness(t: FabricTables, mm: np.ndarray) -> np.ndarray:
    """RdSAP 2012 Table S9 thatched column: the row of the thickest listed insulation not
    above ``mm`` (S9 lists no 125, 175 or 225 mm row)."""
    listed = np.flatnonzero(np.isfinite(t.thatch_u))
    thickness = np.asarray(ROOF_THICKNESS_MM, dtype=np.float64)[listed]
    k = np.searchsorted(thickness, np.where(np.isfinite(mm), mm, -1.0), side="right") - 1
    return np.where(k >= 0, t.thatch_u[listed[np.clip(k, 0, None)]], np.nan)


def roof_u_values(t: FabricTables, country: np.ndarray, band: np.ndarray,
                  roof_type: np.ndarray, location: np.ndarray, joists_mm: np.ndarray,
                  rafters_mm: np.ndarray, flat_mm: np.ndarray, sloping_mm: np.ndarray,
                  u_lodged: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """U-value and problem code of the roof of each part (section 5.11). ``roof_type`` and
    ``location`` are indices of ROOF_CODES / ROOF_LOCATION_CODES (-1 missing); the four
    thickness arrays are mm (NaN unknown). NaN U where the part has no roof heat loss."""
    ci = np.clip(country, 0, len(COUNTRIES) - 1)
    bi = np.clip(band, 0, len(AGE_BANDS) - 1)
    rc = np.where(roof_type < ROOF_CODES.index("NR"), roof_type, -1)
    loc = location + 1  # back to the code numbers (0 = missing / unknown / ND)
    u = np.full(rc.shape, np.nan)
    problem = np.zeros(rc.shape, dtype=np.int64)

    def joists(mm: np.ndarray) -> np.ndarray:  # Table 16 column 1 (joists, flat roofs)
        r = _row(mm)
        return np.where(r >= 0, t.roof_joists_u[ci, np.clip(r, 0, None)], np.nan)

    def rafters(mm: np.ndarray) -> np.ndarray:  # Table 16 column 2
        r = _row(mm)
        return np.where(r >= 0, t.roof_rafters_u[ci, np.clip(r, 0, None)], np.nan)

    none = loc == 5  # Table 18 note (a): no insulation, U 2.3 (the 0 mm row)
    zero = np.zeros(rc.shape)
    # flat roof (code 1): thickness -> Table 16 col 1, else Table 18 col 3 by age band
    flat_t = np.where(np.isfinite(flat_mm), flat_mm, joists_mm)
    flat_u = np.where(np.isfinite(flat_t), joists(flat_t), t.roof_flat_default_u[ci, bi])
    u = np.where(rc == 1, np.where(none, joists(zero), flat_u), u)
    # pitched roofs (codes 2, 4, 5): joists (or unknown location) -> Table 16 col 1 / Table 18
    # col 1; rafters -> Table 16 col 2; sloping-ceiling insulation as code 8
    pitched = np.isin(rc, (2, 4, 5))
    sloping = (rc == 8) | (pitched & (loc == 7))
    at_rafters = pitched & (loc == 1)
    rafter_t = np.where(np.isfinite(rafters_mm), rafters_mm, joists_mm)
    slope_t = np.where(np.isfinite(sloping_mm), sloping_mm, rafter_t)
    joist_u = np.where(np.isfinite(joists_mm), joists(joists_mm),
                       t.roof_pitched_default_u[ci, bi])
    u = np.where(pitched, np.where(none, joists(zero), joist_u), u)
    # thickness unknown: Table 18 column 2 'pitched, insulation at rafters' by age band
    # (sloping ceilings too: the Table 16 column 2 rows serve both)
    rafters_default = t.roof_rafters_default_u[ci, bi]
    u = np.where(at_rafters, np.where(np.isfinite(rafter_t), rafters(rafter_t),
                                      rafters_default), u)
    u = np.where(sloping, np.where(np.isfinite(slope_t), rafters(slope_t), rafters_default), u)
    problem = np.where((at_rafters & ~np.isfinite(rafter_t)) |
                       (sloping & ~np.isfinite(slope_t)),
                       np.where(np.isfinite(rafters_default), problem, P_RAFTERS_UNKNOWN),
                       problem)
    # thatch (estimate fallback thatched_roof_lineage, recorded by the caller): RdSAP 2012
    # Table S9 thatched column at the lodged thickness (the next thinner listed row), else
    # Table S10 thatched roof by age band (band M as L)
    thatch = rc == 6
    thatch_t = np.where(np.isfinite(joists_mm), joists_mm, rafter_t)
    u = np.where(thatch, np.where(np.isfinite(thatch_t), _thatch_by_thickness(t, thatch_t),
                                  t.thatch_default_u[ci, np.minimum(bi, AGE_BANDS.index("L"))]),
                 u)
    problem = np.where(thatch & ~np.isfinite(u), P_THATCH, problem)
    problem = np.where(rc == 9, P_ABOVE_NON_RESIDENTIAL, problem)
    problem = np.where((rc < 0) | (rc == 0), P_ROOF_TYPE, problem)
    no_roof = np.isin(rc, NO_ROOF)
    problem = np.where(~no_roof & (problem == 0) & ~np.isfinite(u), P_NO_TABLE_VALUE, problem)
    lodged = np.isfinite(u_lodged) & (u_lodged >= 0)
    u = np.where(lodged & ~no_roof, u_lodged, u)
    problem = np.where((lodged & (rc >= 0)) | no_roof, 0, problem)
    u = np.where(no_roof | (problem != 0), np.nan, round_half_up(u))
    return u, problem


# ----------------------------------------------------------------------------------------
# rooms in roof
# ----------------------------------------------------------------------------------------
#: element slots of a room in roof, per part (see fabric.SLOTS)
SURFACES: tuple[str, ...] = ("gable_wall", "common_wall", "flat_ceiling", "stud_wall", "slope")
RR_TYPES: tuple[str, ...] = ("1", "2", "details")
#: GableType: 0 exposed, 1 party, 2 sheltered, 3 connected / adjacent to heated space
GABLE_TYPES: tuple[str, ...] = ("0", "1", "2", "3")
#: SAP-RoomInRoofInsulationCode values (RdSAP 9.x) that mean 'as built / unknown'
RR_AS_BUILT: tuple[str, ...] = ("AB", "NI", "ND", "0", "6")
RR_INSULATION_CODES: tuple[str, ...] = ("AB", "NI", "ND", "0", "1", "2", "3", "4", "5", "6")


@dataclass
class RoomsInRoof:
    """Room-in-roof geometry per part (index p) and per lodged surface (index k)."""

    has: np.ndarray  # [p]
    area: np.ndarray  # [p] floor area, 2 d.p. (counts in TFA, section 1.6)
    band: np.ndarray  # [p] age band of the room in roof
    rr_type: np.ndarray  # [p] index of RR_TYPES, -1 none (shell only)
    shell: np.ndarray  # [p] 12.5 sqrt(A / 1.5), 2 d.p.
    residual: np.ndarray  # [p] roof area billed at Table 18 col 4 (NaN: none)
    residual_u: np.ndarray  # [p]
    # surfaces
    k_part: np.ndarray
    k_slot: np.ndarray  # slot offset 0..9 within the room-in-roof slots
    k_area: np.ndarray  # area (may be negative for a Type 2 gable, section 3.9.2)
    k_u: np.ndarray  # NaN for connected gables (no element)
    k_kind: np.ndarray  # SAP element kind (1 wall, 3 roof, 7 party wall), 0 none
    k_is_wall: np.ndarray  # gable / common / stud wall (for (11) and windows)


def _table17_beyond(t: FabricTables, country: np.ndarray, col: np.ndarray,
                    trow: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(U, by analogy) of room-in-roof surfaces whose Table 17 row is not transcribed:
    slopes and flat ceilings take Table 16 column 1 / column 2 at the same thickness (the
    transcribed mineral-wool columns equal them), PUR / PIR the lower of that and the
    column's thickest transcribed row; stud walls (and any surface without a Table 16 row)
    the thickest transcribed row of their column (estimate fallbacks
    room_in_roof_insulation_table16 / room_in_roof_insulation_thickest_row)."""
    thickest = np.array([np.flatnonzero(np.isfinite(t.rr_u[:, k])).max()
                         for k in range(t.rr_u.shape[1])])
    floor_u = t.rr_u[thickest[col], col]
    r = np.clip(trow, 0, None)
    ci = np.clip(country, 0, len(COUNTRIES) - 1)
    analog = np.select([col < 2, col < 4], [t.roof_joists_u[ci, r], t.roof_rafters_u[ci, r]],
                       np.nan)
    pur = col % 2 == 1
    by_analogy = np.isfinite(analog)
    u = np.where(by_analogy, np.where(pur, np.fmin(analog, floor_u), analog), floor_u)
    return u, by_analogy


def rooms_in_roof(t: FabricTables, parts_level: Level, part_row: np.ndarray,
                  country: np.ndarray, main_wall_u: np.ndarray, party_u: np.ndarray,
                  problems: Problems, part_band: np.ndarray | None = None,
                  fallbacks: FallbackLog | None = None) -> RoomsInRoof:
    """Room-in-roof areas and U-values (sections 3.9-3.10). ``main_wall_u`` (per part) is the
    U of the part's main wall (Table 4 'as common wall'), ``party_u`` the Table 15 U of the
    part's party wall construction, ``country`` and ``part_band`` (the part's age band) per
    part. Estimate fallbacks used are recorded in ``fallbacks``."""
    conv = t.conventions
    log = fallbacks if fallbacks is not None else FallbackLog(int(part_row.max(initial=-1)) + 1)
    rr = parts_level.field("room_in_roof")
    area_raw = floats(pc.struct_field(rr, "floor_area_m2"))
    has = np.isfinite(area_raw) & (area_raw > 0)
    area = np.where(has, round_half_up(area_raw), 0.0)
    band = codes(pc.struct_field(rr, "construction_age_band"), AGE_BANDS)
    rr_type = codes(pc.struct_field(rr, "room_in_roof_type"), RR_TYPES)
    insulation = codes(pc.struct_field(rr, "insulation"), RR_INSULATION_CODES)
    # estimate fallback: a room in roof without its age band takes its building part's
    if part_band is not None:
        inherit = has & (band < 0) & (part_band >= 0)
        log.use(part_row[inherit], "room_in_roof_age_band_not_recorded")
        band = np.where(inherit, part_band, band)
    problems.add_mask(has & (band < 0), part_row, "building_parts[].room_in_roof."
                      "construction_age_band", "room-in-roof age band not recorded")
    # RdSAP 9.x codes 2 (flat ceiling only) and 3-5 (all elements 50 / 100 / 150 mm): the
    # estimate fallback room_in_roof_legacy_insulation below; code 1 ('none', not to be
    # used) is refused
    legacy_codes = [RR_INSULATION_CODES.index(c) for c in ("2", "3", "4", "5")]
    legacy = has & np.isin(insulation, legacy_codes)
    problems.add_mask(has & (insulation >= 0) & ~np.isin(insulation, [
        RR_INSULATION_CODES.index(c) for c in RR_AS_BUILT]) & ~legacy, part_row,
        "building_parts[].room_in_roof.insulation", "RdSAP 9.x room-in-roof insulation "
        "'none' (code 1, for backwards compatibility only) is not expanded")
    ci = np.clip(country, 0, len(COUNTRIES) - 1)
    bi = np.clip(band, 0, len(AGE_BANDS) - 1)
    rr_default_u = t.roof_rr_default_u[ci, bi]  # Table 18 column 4
    # estimate fallback (RdSAP 2012 lineage): 'all elements 50 / 100 / 150 mm' take the lower
    # of Table 18 column 4 and the RdSAP 2012 Table S10 room-in-roof note values (0.68 /
    # 0.40 / 0.30, Table 16 column 1 at those thicknesses); 'flat ceiling only' keeps column
    # 4; the whole shell then takes the worse of that and the flat ceiling's Table 17
    # column 2a value for its lodged Roof-Insulation-Thickness
    legacy_mm = np.select([insulation == RR_INSULATION_CODES.index(c) for c in ("3", "4", "5")],
                          [50.0, 100.0, 150.0], np.nan)
    lrow = _row(legacy_mm)
    elements_u = np.where(lrow >= 0, np.fmin(rr_default_u, t.roof_joists_u[
        ci, np.clip(lrow, 0, None)]), rr_default_u)
    ceiling_row = _row(mapped(pc.struct_field(rr, "roof_insulation_thickness"), ROOF_MM))
    ceiling_u = np.where(ceiling_row >= 0, t.rr_u[np.clip(ceiling_row, 0, None), 2], np.nan)
    log.use(part_row[legacy & (band >= 0)], "room_in_roof_legacy_insulation")
    rr_default_u = np.where(legacy, np.fmax(elements_u, ceiling_u), rr_default_u)
    # section 3.9.1 step d: shell area 12.5 sqrt(A / 1.5), rounded before any subtraction
    shell = np.where(has, round_half_up(12.5 * np.sqrt(area / 1.5)), 0.0)

    surf = Level.of(pc.struct_field(rr, "surfaces"))
    kp = surf.parent
    kind_i = surf.codes("surface", SURFACES)
    number = surf.ints("number")
    bad = (kind_i < 0) | ~np.isin(number, (1, 2))
    problems.add_mask(bad & has[kp], part_row[kp], "building_parts[].room_in_roof.surfaces",
                      "room-in-roof surface must be a gable / common / stud wall, flat "
                      "ceiling or slope numbered 1 or 2")
    slot = np.where(bad, -1, np.clip(kind_i, 0, None) * 2 + np.clip(number, 1, 2) - 1)
    length = surf.floats("length_m")
    height = surf.floats("height_m")
    lodged_area = surf.floats("area_m2")
    u_lodged = surf.floats("u_value")
    thick = surf.mapped("insulation_thickness", ROOF_MM)
    ins_type = surf.codes("insulation_type", ("0", "1"))
    gable = surf.codes("gable_type", GABLE_TYPES)
    typ = rr_type[kp]
    is_gable = kind_i == 0
    is_common = kind_i == 1
    # common-wall heights per part for the Type 2 gable formula
    hc = np.full((len(parts_level), 2), np.nan)
    common_rows = np.flatnonzero(is_common & (slot >= 0))
    hc[kp[common_rows], number[common_rows] - 1] = height[common_rows]
    k_area = np.full(len(surf), np.nan)
    # Type 1 (section 3.9.1): gable area = length x 2.45 m (engine-observed, GAP)
    type1 = typ == 0
    k_area = np.where(type1 & is_gable, length * conv["room_in_roof_type1_gable_height_m"],
                      k_area)
    # Type 2 (section 3.9.2): common wall L (0.25 + H); gable L_g (0.25 + H_g) minus the
    # two triangles above the common walls, taken literally even when negative
    type2 = typ == 1
    tri = ((height - hc[kp, 0]) ** 2 + (height - hc[kp, 1]) ** 2) / 2.0
    k_area = np.where(type2 & is_common, length * (0.25 + height), k_area)
    k_area = np.where(type2 & is_gable, length * (0.25 + height) - tri, k_area)
    # detailed (section 3.10) and RdSAP 9.x surfaces: the lodged area, else length x height
    detailed = (typ == 2) | (typ < 0)
    k_area = np.where(detailed, np.where(np.isfinite(lodged_area), lodged_area,
                                         length * height), k_area)
    k_area = round_half_up(k_area)
    problems.add_mask(has[kp] & (slot >= 0) & ~np.isfinite(k_area), part_row[kp],
                      "building_parts[].room_in_roof.surfaces",
                      "room-in-roof surface without length / height (Type 2 needs both "
                      "common-wall heights)")
    problems.add_mask(has[kp] & type1 & ~is_gable & (slot >= 0), part_row[kp],
                      "building_parts[].room_in_roof.surfaces",
                      "a Type 1 room in roof lodges gable walls only")

    # U-values and element kinds
    k_u = np.full(len(surf), np.nan)
    k_kind = np.zeros(len(surf), dtype=np.int64)
    wall_u = main_wall_u[kp]
    k_u = np.where(is_common, wall_u, k_u)  # Table 4: as common wall = main wall below
    k_kind = np.where(is_common, 1, k_kind)
    g_exposed = is_gable & (gable == 0)
    g_party = is_gable & (gable == 1)
    g_sheltered = is_gable & (gable == 2)
    k_u = np.where(g_exposed, wall_u, k_u)
    k_u = np.where(g_party, party_u[kp], k_u)
    # Table 4 'sheltered': the wall U with an extra 0.5 m2K/W (JK 27375d93)
    k_u = np.where(g_sheltered, round_half_up(1.0 / (1.0 / wall_u + 0.5)), k_u)
    k_kind = np.where(g_exposed | g_sheltered, 1, k_kind)
    k_kind = np.where(g_party, 7, k_kind)
    problems.add_mask(has[kp] & is_gable & (gable < 0) & ~np.isfinite(u_lodged),
                      part_row[kp], "building_parts[].room_in_roof.surfaces[].gable_type",
                      "room-in-roof gable wall needs its gable type or a U-value")
    # slope -> Table 17 col 1, flat ceiling -> col 2, stud wall -> col 3 (a mineral wool /
    # EPS, b PUR / PIR); thickness unknown / as built -> Table 18 col 4 (section 3.5)
    roofish = np.isin(kind_i, (2, 3, 4))
    col = np.select([kind_i == 4, kind_i == 2, kind_i == 3], [0, 2, 4], 0) + \
        np.where(ins_type == 1, 1, 0)
    trow = _row(thick)
    t17 = np.where(trow >= 0, t.rr_u[np.clip(trow, 0, None), col], np.nan)
    known = np.isfinite(thick)
    # estimate fallbacks: Table 17 rows of 175 mm (stud walls) and 200 mm or more are not
    # transcribed (GAP)
    beyond = has[kp] & roofish & known & (trow >= 0) & ~np.isfinite(t17) \
        & ~np.isfinite(u_lodged)
    u_beyond, by_analogy = _table17_beyond(t, country[kp], col, trow)
    log.use(part_row[kp[beyond & by_analogy]], "room_in_roof_insulation_table16")
    log.use(part_row[kp[beyond & ~by_analogy]], "room_in_roof_insulation_thickest_row")
    t17 = np.where(beyond, u_beyond, t17)
    k_u = np.where(roofish, np.where(known, t17, rr_default_u[kp]), k_u)
    k_kind = np.where(roofish, np.where(kind_i == 3, 1, 3), k_kind)
    problems.add_mask(has[kp] & roofish & known & ~np.isfinite(t17) & ~np.isfinite(u_lodged),
                      part_row[kp], "building_parts[].room_in_roof.surfaces[]."
                      "insulation_thickness", "no Table 17 row for this insulation "
                      "thickness; lodge a U-value")
    lodged = np.isfinite(u_lodged) & (u_lodged >= 0)
    k_u = np.where(lodged, u_lodged, k_u)
    k_kind = np.where(lodged & (k_kind == 0) & is_gable & (gable != 3), 1, k_kind)
    k_u = np.where(k_kind > 0, round_half_up(k_u), np.nan)
    k_is_wall = is_gable | is_common | (kind_i == 3)

    # residual roof: shell minus every lodged wall (types 1 and 2, section 3.9; detailed
    # only when no slope / flat ceiling / stud wall is lodged, section 3.10.1)
    n_parts = has.size
    valid = (slot >= 0) & np.isfinite(k_area)
    walls_sum = np.bincount(kp[valid & k_is_wall & (kind_i != 3)],
                            weights=k_area[valid & k_is_wall & (kind_i != 3)],
                            minlength=n_parts)
    roof_lodged = np.bincount(kp[valid & roofish], minlength=n_parts) > 0
    with_residual = has & ~((rr_type == 2) & roof_lodged)
    residual = np.where(with_residual, round_half_up(shell - walls_sum), np.nan)
    problems.add_mask(with_residual & (residual < 0), part_row, "building_parts[]."
                      "room_in_roof", "room-in-roof walls larger than the shell area "
                      "12.5 sqrt(A / 1.5)")
    residual_u = np.where(with_residual, round_half_up(rr_default_u), np.nan)
    problems.add_mask(with_residual & (band >= 0) & ~np.isfinite(rr_default_u), part_row,
                      "building_parts[].room_in_roof", "no Table 18 column 4 value for "
                      "this country and age band")
    dup = np.bincount(kp[slot >= 0] * 10 + slot[slot >= 0], minlength=n_parts * 10) > 1
    problems.add(part_row[np.flatnonzero(dup) // 10], "building_parts[].room_in_roof."
                 "surfaces", "room-in-roof surface lodged twice")
    keep = has[kp] & (slot >= 0)
    return RoomsInRoof(has=has, area=area, band=band, rr_type=rr_type, shell=shell,
                       residual=residual, residual_u=residual_u, k_part=kp[keep],
                       k_slot=slot[keep], k_area=k_area[keep], k_u=k_u[keep],
                       k_kind=k_kind[keep], k_is_wall=k_is_wall[keep])
