"""Windows, roof windows and doors (RdSAP 10 section 3.7, Tables 24 and 26; RDSAP10_RULES.md
section 4): areas, U / g values, frame factors, orientation and the element each opening is
deducted from."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ara.rdsap.expansion.fabric_arrow import Level, Problems
from ara.rdsap.expansion.fabric_dimensions import (
    N_SLOTS,
    SLOT_ALT_WALLS,
    SLOT_MAIN_WALL,
    SLOT_ROOF,
    SLOT_RR_ROOF,
    SLOT_RR_SURFACES,
)
from ara.rdsap.expansion.tables import (
    AGE_BANDS,
    COUNTRIES,
    GLAZING_CATEGORIES,
    GLAZING_GAPS_MM,
    FabricTables,
)
from ara.rdsap.rounding import round_half_up
from ara.sap.fallbacks import FallbackLog, fallback

#: SAP-GlazingTypeCode of RdSAP-Schema-21 (1-15, ND)
GLAZING_CODES: tuple[str, ...] = tuple(str(i) for i in range(1, 16)) + ("ND",)
_LODGED = -1  # 'known data' glazing: U and g from Window-Transmission-Details
# RdSAP glazing code -> Table 24 category (GLAZING_CATEGORIES index)
_CAT = {name: GLAZING_CATEGORIES.index(name) for name in GLAZING_CATEGORIES}
_CATEGORY = np.array([
    -2,  # (no code 0)
    _CAT["double_pre"],  # 1 double before 2002 (E&W)
    _CAT["post_cutoff"],  # 2 double 2002-2022
    _CAT["double_pre"],  # 3 double, unknown date: as pre-2002 (Table 24 note)
    _CAT["secondary_normal"],  # 4 secondary, unknown data: normal emissivity (GAP, L)
    _CAT["single"],  # 5 single
    _CAT["triple_pre"],  # 6 triple, unknown date: as pre-2002
    _LODGED,  # 7 double, known data
    _LODGED,  # 8 triple, known data
    _CAT["post_cutoff"],  # 9 triple 2002-2022
    _CAT["triple_pre"],  # 10 triple before 2002
    _CAT["secondary_normal"],  # 11 secondary, normal emissivity
    _CAT["secondary_low_e"],  # 12 secondary, low emissivity
    _CAT["post_2022"],  # 13 double 2022 or later
    _CAT["post_2022"],  # 14 triple 2022 or later
    _LODGED,  # 15 single, known data
    -2,  # ND
])
# 'known data' codes (7 double, 8 triple, 15 single) -> the same glazing of unknown date /
# unknown data (3, 6, 5): estimate fallback glazing_known_data_not_lodged
_UNKNOWN_DATE = np.arange(_CATEGORY.size)
_UNKNOWN_DATE[[7, 8, 15]] = [3, 6, 5]
# RdSAP glazing code -> SAP-Schema-19.1 SAP-GlazingTypeCode (2 single, 3 double, 8 triple,
# 13 secondary): fills the light transmittance of Table 6b in the calculator
_SAP_GLAZING = np.array([0, 3, 3, 3, 13, 2, 8, 3, 8, 8, 8, 13, 13, 3, 8, 2, 0])
SAP_FRAME_PVC, SAP_FRAME_METAL = 2, 3  # SAP-FrameTypeCode: PVC, metal (no break)
GAP_CODES: tuple[str, ...] = ("6", "12", "16+")
OPENING_DOOR, OPENING_WINDOW, OPENING_ROOF_WINDOW = 1, 2, 3


@dataclass
class Openings:
    """One entry per opening (windows in lodged order, then doors)."""

    row: np.ndarray
    part: np.ndarray
    slot: np.ndarray
    kind: np.ndarray
    area: np.ndarray
    u: np.ndarray
    g: np.ndarray
    frame_factor: np.ndarray
    glazing_type: np.ndarray  # SAP code, 0 = none (doors)
    frame_type: np.ndarray  # SAP code, 0 = none (doors)
    orientation: np.ndarray  # 0 = none (doors)
    tilt: np.ndarray  # NaN = calculator default

    @classmethod
    def concat(cls, a: Openings, b: Openings) -> Openings:
        return cls(**{k: np.concatenate([getattr(a, k), getattr(b, k)])
                      for k in cls.__dataclass_fields__})


def rr_roof_host(present: np.ndarray) -> np.ndarray:
    """Slot of the room-in-roof roof of each part: the residual roof, else the first lodged
    slope or flat ceiling (detailed room in roof); -1 none."""
    order = (SLOT_RR_ROOF, SLOT_RR_SURFACES + 8, SLOT_RR_SURFACES + 9, SLOT_RR_SURFACES + 4,
             SLOT_RR_SURFACES + 5)
    host = np.full(present.shape[0], -1, dtype=np.int64)
    for slot in reversed(order):
        host = np.where(present[:, slot], slot, host)
    return host


def windows(t: FabricTables, level: Level, lookup: np.ndarray, country: np.ndarray,
            present: np.ndarray, pvc_default: tuple[np.ndarray, np.ndarray],
            gap_default: np.ndarray, problems: Problems,
            fallbacks: FallbackLog | None = None) -> Openings:
    """Every lodged window (section 4.1: area = height x width, 2 d.p.), its Table 24 U and g
    (or the lodged transmission data), frame factor, orientation and host element."""
    row = level.parent
    n = len(level)
    f = "windows[]."
    loc = level.codes("window_location", ("0", "1", "2", "3", "4"))
    problems.add_mask(loc < 0, row, f + "window_location",
                      "window location is not a BuildingPartCode (0-4)")
    part = np.where(loc >= 0, lookup[row, np.clip(loc, 0, 4)], -1)
    # a window lodged against an extension that is not lodged still exists: its area, U and
    # g count, and it is deducted from the main dwelling (GAP decision 32 of
    # docs/rdsap/expansion_fabric.md; the register does not cross-check Window-Location)
    part = np.where((loc >= 0) & (part < 0), lookup[row, 0], part)
    problems.add_mask((loc >= 0) & (part < 0), row, f + "window_location",
                      "window in a dwelling without a main building part")
    area = level.floats("window_height_m") * level.floats("window_width_m")
    area = np.where(np.isfinite(area), area, level.floats("window_area_m2"))
    area = round_half_up(area)
    problems.add_mask(~(area > 0), row, f + "window_height_m",
                      "window without a positive area (height x width)")
    wtype = level.codes("window_type", ("1", "2"))
    problems.add_mask(wtype < 0, row, f + "window_type", "window type (1 window, 2 roof "
                      "window) not recorded")
    roof_window = wtype == 1
    kind = np.where(roof_window, OPENING_ROOF_WINDOW, OPENING_WINDOW)
    # host element (section 3.7, Window-Wall-Type): 1 main wall, 2/3 alternative walls,
    # 4 roof of the room in roof, 5/6 gables, 7/8 common walls (room in roof)
    wall = level.codes("window_wall_type", tuple(str(i) for i in range(1, 9)))
    slot_of_wall = np.array([SLOT_MAIN_WALL, SLOT_ALT_WALLS[0], SLOT_ALT_WALLS[1], -4,
                             SLOT_RR_SURFACES, SLOT_RR_SURFACES + 1, SLOT_RR_SURFACES + 2,
                             SLOT_RR_SURFACES + 3])
    slot = np.where(wall >= 0, slot_of_wall[np.clip(wall, 0, 7)], SLOT_MAIN_WALL)
    p = np.clip(part, 0, None)
    rr_host = rr_roof_host(present)[p] if present.size else np.full(n, -1)
    # a roof window not lodged in a room-in-roof surface pierces the part's roof (section
    # 1.7); failing that, the room-in-roof roof
    in_roof = roof_window & ((wall < 0) | (wall == 0))
    roof_host = np.where(present[p, SLOT_ROOF] if present.size else False, SLOT_ROOF, rr_host)
    slot = np.where(in_roof, roof_host, slot)
    slot = np.where(slot == -4, rr_host, slot)
    # a window in a gable or common wall of a room in roof whose gables and common walls are
    # not lodged: the shell 12.5 sqrt(A / 1.5) then covers every surface of the room in roof
    # (section 3.9, Type 1 without gables), so the window sits in the shell (GAP decision 33)
    rr_walls = slice(SLOT_RR_SURFACES, SLOT_RR_SURFACES + 4)
    no_rr_walls = ~present[p, rr_walls].any(axis=1) if present.size else np.ones(n, bool)
    in_rr_wall = (slot >= SLOT_RR_SURFACES) & (slot < SLOT_RR_SURFACES + 4)
    slot = np.where(in_rr_wall & no_rr_walls & (rr_host == SLOT_RR_ROOF), rr_host, slot)
    # Table 24 U and g
    code = level.codes("glazing_type", GLAZING_CODES) + 1  # back to the code numbers
    code = np.where(code >= 1, code, 0)
    log = fallbacks if fallbacks is not None else FallbackLog(int(row.max(initial=-1)) + 1)
    # estimate fallback: glazing type 'ND' or absent -> double glazing of unknown date
    not_recorded = _CATEGORY[code] == -2
    log.use(row[not_recorded], "glazing_type_not_recorded")
    code = np.where(not_recorded, int(fallback("glazing_type_not_recorded").value), code)
    # estimate fallback: 'known data' glazing lodged without its U-value or g-value -> the
    # Table 24 row of the same glazing of unknown date (the lodged one of the two is kept)
    u_lodged = level.floats("u_value")
    g_lodged = level.floats("solar_transmittance")
    has_lodged_u = np.isfinite(u_lodged) & (u_lodged > 0)
    data_missing = (_CATEGORY[code] == _LODGED) & ~(
        has_lodged_u & np.isfinite(g_lodged) & (g_lodged > 0))
    log.use(row[data_missing], "glazing_known_data_not_lodged")
    code = np.where(data_missing, _UNKNOWN_DATE[code], code)
    category = _CATEGORY[code]
    pvc, pvc_given = level.bools("pvc_frame")
    pvc = np.where(pvc_given, pvc, pvc_default[0][row])
    pvc_given = pvc_given | pvc_default[1][row]
    gap = level.codes("glazing_gap", GAP_CODES)
    gap = np.where(gap >= 0, gap, gap_default[row])
    needs_gap = np.isin(category, (_CAT["double_pre"], _CAT["triple_pre"]))
    # estimate fallbacks (spec/tables/estimate_fallbacks.csv): frame and gap not lodged
    frame_missing = ~pvc_given & (category >= 0) & (category != _LODGED)
    log.use(row[frame_missing], "window_frame_unknown")
    pvc = np.where(frame_missing, True, pvc)
    pvc_given = pvc_given | frame_missing
    gap_missing = (code > 0) & (category != _LODGED) & ~has_lodged_u & needs_gap & (gap < 0)
    for frame, fallback_id in ((pvc, "glazing_gap_unknown"),
                               (~pvc, "glazing_gap_metal_frame")):
        log.use(row[gap_missing & frame], fallback_id)
        gap_mm = fallback(fallback_id).value
        gap = np.where(gap_missing & frame, GAP_CODES.index(f"{gap_mm:g}"), gap)
    ci = np.clip(country[row], 0, len(COUNTRIES) - 1)
    cat = np.clip(category, 0, None)
    gi = np.clip(gap, 0, len(GLAZING_GAPS_MM) - 1)
    fi = np.where(pvc, 0, 1)
    ri = roof_window.astype(np.int64)
    u_tab = t.window_u[ci, cat, gi, fi, ri]
    g_tab = t.window_g[ci, cat, gi, fi, ri]
    # estimate fallback: a roof window whose glazing / frame has no Table 24 roof-window row
    # (metal frames, 2022 or later): the vertical window's row plus the roof-window increment
    # Table 24 gives the same glazing in a PVC / wood frame (2022 or later: the 2002-2021 one)
    inc_cat = np.where(cat == _CAT["post_2022"], _CAT["post_cutoff"], cat)
    increment = t.window_u[ci, inc_cat, gi, 0, 1] - t.window_u[ci, inc_cat, gi, 0, 0]
    vertical_u = t.window_u[ci, cat, gi, fi, 0]
    roof_row_missing = roof_window & (category >= 0) & ~np.isfinite(u_tab) \
        & np.isfinite(vertical_u) & np.isfinite(increment) & ~(needs_gap & (gap < 0)) \
        & ~(has_lodged_u & np.isfinite(g_lodged) & (g_lodged > 0))
    log.use(row[roof_row_missing], "roof_window_row_missing")
    u_tab = np.where(roof_row_missing, round_half_up(vertical_u + increment), u_tab)
    g_tab = np.where(roof_row_missing, t.window_g[ci, cat, gi, fi, 0], g_tab)
    u_tab = np.where(needs_gap & (gap < 0), np.nan, u_tab)
    # lodged transmission data (manufacturer / BFRC) win over Table 24 (engine-observed)
    u = np.where(has_lodged_u, u_lodged, np.where(category >= 0, u_tab, np.nan))
    g = np.where(np.isfinite(g_lodged) & (g_lodged > 0), g_lodged,
                 np.where(category >= 0, g_tab, np.nan))
    problems.add_mask((category == _LODGED) & ~(np.isfinite(u) & np.isfinite(g)), row,
                      f + "u_value", "'known data' glazing needs its U-value and solar "
                      "transmittance")
    problems.add_mask((code > 0) & (category != _LODGED) & ~np.isfinite(u) & needs_gap &
                      (gap < 0), row, f + "glazing_gap", "glazing gap needed for Table 24")
    problems.add_mask((category >= 0) & ~(np.isfinite(u) & np.isfinite(g)) &
                      ~(needs_gap & (gap < 0)) & pvc_given, row, f + "glazing_type",
                      "Table 24 has no row for this glazing / frame / roof window in "
                      "spec/tables (e.g. metal or post-2022 roof windows)")
    problems.add_mask(~pvc_given & (category != -2), row, f + "pvc_frame",
                      "frame material (PVC-Frame) not recorded: needed for Table 24 and the "
                      "frame factor")
    conv = t.conventions
    ff = np.where(pvc, conv["frame_factor_wood_pvc"], conv["frame_factor_metal"])
    orientation = level.codes("orientation", tuple(str(i) for i in range(10)))
    # estimate fallback: orientation 0 (unknown) or absent -> east / west
    unknown_orientation = np.isin(orientation, (0, -1))
    log.use(row[unknown_orientation], "window_orientation_unknown")
    orientation = np.where(unknown_orientation,
                           int(fallback("window_orientation_unknown").value), orientation)
    problems.add_mask((orientation <= 0), row, f + "orientation",
                      "window orientation is not a compass point (1-8) or horizontal (9)")
    # estimate fallback: permanent shutters left out (their RdSAP 10 treatment is a GAP)
    shutters, _ = level.bools("permanent_shutters_present")
    log.use(row[shutters], "permanent_shutters_ignored")
    tilt = np.where(roof_window, conv["roof_window_tilt_deg"], 90.0)
    return Openings(row=row, part=part, slot=slot, kind=kind, area=area, u=u, g=g,
                    frame_factor=ff, glazing_type=_SAP_GLAZING[code],
                    frame_type=np.where(pvc, SAP_FRAME_PVC, SAP_FRAME_METAL),
                    orientation=np.clip(orientation, 0, None), tilt=tilt)


def doors(t: FabricTables, door_count: np.ndarray, insulated_count: np.ndarray,
          insulated_u: np.ndarray, country: np.ndarray, main_band: np.ndarray,
          main_part: np.ndarray, corridor_host: np.ndarray, corridor: np.ndarray,
          problems: Problems) -> Openings:
    """Doors (section 3.7, Table 26): ``door_count`` per dwelling, 1.85 m2 each (RdSAP 2012
    lineage), in the main wall of the main dwelling. For a flat or maisonette off an unheated
    corridor or stairwell (``corridor``), the first door opens to it: U 1.4 (Table 26) in
    the sheltered wall (``corridor_host``: (part, slot)). The last ``insulated_count`` doors
    take the lodged insulated-door U."""
    n_rows = door_count.size
    problems.add_mask(door_count < 0, None, "door_count", "door count not recorded")
    count = np.clip(door_count, 0, None)
    row = np.repeat(np.arange(n_rows), count)
    first = np.zeros(n_rows + 1, dtype=np.int64)
    np.cumsum(count, out=first[1:])
    k = np.arange(row.size) - first[row]  # position of the door within its dwelling
    ins = np.clip(insulated_count, 0, None)[row]
    is_insulated = k >= count[row] - ins
    problems.add_mask((np.clip(insulated_count, 0, None) > 0) & ~np.isfinite(insulated_u),
                      None, "insulated_door_u_value", "insulated doors without their U-value")
    ci = np.clip(country[row], 0, len(COUNTRIES) - 1)
    bi = np.clip(main_band[row], 0, len(AGE_BANDS) - 1)
    to_corridor = corridor[row] & (k == 0)
    u = np.where(to_corridor, t.door_corridor_u[ci, bi], t.door_u[ci, bi])
    u = np.where(is_insulated, insulated_u[row], u)
    part = np.where(to_corridor, corridor_host[row, 0], main_part[row])
    slot = np.where(to_corridor, corridor_host[row, 1], SLOT_MAIN_WALL)
    problems.add_mask(to_corridor & (corridor_host[row, 0] < 0), row, "door_count",
                      "door to an unheated corridor / stairwell without a sheltered wall "
                      "(lodge the corridor length or a sheltered alternative wall)")
    area = np.full(row.size, t.conventions["door_area_m2"])
    zeros = np.zeros(row.size, dtype=np.int64)
    return Openings(row=row, part=part, slot=slot, kind=np.full(row.size, OPENING_DOOR),
                    area=area, u=u, g=np.full(row.size, np.nan),
                    frame_factor=np.full(row.size, np.nan), glazing_type=zeros,
                    frame_type=zeros, orientation=zeros, tilt=np.full(row.size, np.nan))


def host_indices(openings: Openings, present: np.ndarray, elem_index: np.ndarray,
                 elem_first: np.ndarray, elem_area: np.ndarray,
                 problems: Problems) -> np.ndarray:
    """0-based index of each opening's host among its dwelling's elements (-1 none), with
    problems for missing hosts and openings larger than their host."""
    ok = (openings.part >= 0) & (openings.slot >= 0)
    flat = np.where(ok, openings.part * N_SLOTS + openings.slot, 0)
    g = np.where(ok, elem_index[flat], -1)
    lost = (g < 0) & (openings.part >= 0)
    is_door = openings.kind == OPENING_DOOR
    problems.add_mask(lost & ~is_door, openings.row, "windows[].window_wall_type",
                      "window in an element that does not exist (wall, roof or room-in-roof "
                      "surface not lodged or of zero area)")
    problems.add_mask(lost & is_door, openings.row, "door_count",
                      "door in a wall that does not exist (main wall of zero area)")
    hosted = g >= 0
    deducted = np.bincount(g[hosted], weights=np.nan_to_num(openings.area[hosted]),
                           minlength=elem_area.size)
    too_big = np.flatnonzero(deducted > elem_area + 1e-9)
    problems.add_mask(np.isin(g, too_big) & hosted, openings.row, "windows[]",
                      "contradiction in the certificate's own data: openings larger than "
                      "the wall or roof they sit in")
    return np.where(hosted, g - elem_first[openings.row], -1)
