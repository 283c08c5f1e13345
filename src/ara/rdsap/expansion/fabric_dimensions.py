"""Building parts and their storeys: dimensions, storey heights, external -> internal
conversion and the per-part sums of RdSAP 10 section 3 (2025 numbering; section 1 of
RDSAP10_RULES.md).

Everything works on the flattened ``building_parts`` list (one array item per part) and its
``floor_dimensions`` (one item per storey), with index arrays back to the certificate row.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ara.rdsap.expansion.fabric_arrow import Level, Problems
from ara.rdsap.expansion.tables import AGE_BANDS
from ara.rdsap.rounding import round_half_up

MAX_PARTS = 5  # main dwelling + up to four extensions (Extensions-Count 0-4)

# Element slots of a building part: every part owns N_SLOTS candidate elements; those with a
# positive area become the dwelling's elements, in part order then slot order.
SLOT_MAIN_WALL = 0
SLOT_ALT_WALLS = (1, 2)  # alternative walls 1 and 2
SLOT_CORRIDOR_WALL = 3  # sheltered wall derived from the unheated corridor length (flats)
SLOT_PARTY_WALL = 4
SLOT_ROOF = 5
SLOT_FLOOR = 6
SLOT_RR_ROOF = 7  # room-in-roof residual roof
SLOT_RR_SURFACES = 8  # gable 1, 2, common 1, 2, flat ceiling 1, 2, stud wall 1, 2, slope 1, 2
N_SLOTS = 18
#: SAP-StoreyFloorCode of full storeys; '99' (roof rooms) is lodged as SAP-Room-In-Roof.
STOREY_CODES: tuple[str, ...] = ("0", "1", "2", "3", "4", "5", "6", "99")
#: HeatLossFloorCode: 1 exposed, 2 semi-exposed unheated, 3 semi-exposed partially heated,
#: 6 other flat below, 7 ground floor, 8 same dwelling below.
FLOOR_HEAT_LOSS_CODES: tuple[str, ...] = ("1", "2", "3", "6", "7", "8")
SAME_DWELLING_BELOW = FLOOR_HEAT_LOSS_CODES.index("8")
#: SAP-BuiltFormCode 1 detached, 2 semi, 3 end-terrace, 4 mid-terrace, 5 enclosed end,
#: 6 enclosed mid.
BUILT_FORM_CODES: tuple[str, ...] = ("1", "2", "3", "4", "5", "6")


@dataclass
class Parts:
    """Flattened building parts (index p) and storeys (index s)."""

    level: Level  # the building-part items
    row: np.ndarray  # [p] certificate row
    number: np.ndarray  # [p] Building-Part-Number (1 = main dwelling)
    band: np.ndarray  # [p] age band index 0-12, -1 missing
    lookup: np.ndarray  # [row, part number - 1] -> p, -1 none
    main: np.ndarray  # [row] p of the main dwelling, -1 none
    floor_heat_loss: np.ndarray  # [p] index of FLOOR_HEAT_LOSS_CODES
    # storeys
    st_part: np.ndarray
    st_level: np.ndarray  # storey level after the section 3.4 adjustment
    st_area: np.ndarray  # internal floor area, 2 d.p.
    st_height: np.ndarray  # storey height
    st_room_height: np.ndarray
    st_hlp: np.ndarray  # internal heat-loss perimeter
    st_pwl: np.ndarray  # internal party-wall length
    st_construction: np.ndarray  # SAP-FloorConstructionCode 0-4 (-1 missing)
    st_insulation: np.ndarray  # SAP-FloorInsulationCode 0-2 (-1 missing)
    # per part
    n_storeys: np.ndarray
    level_offset: np.ndarray
    lowest: np.ndarray  # [p] s of the lowest storey, -1 none
    max_area: np.ndarray  # largest storey floor area (section 3.8 roof area)
    wall_gross: np.ndarray  # sum of HLP x storey height, 2 d.p.
    party_area: np.ndarray  # sum of party length x storey height, 2 d.p.

    @property
    def n(self) -> int:
        return int(self.row.size)


def read_parts(certs: pa.Table, allowance_m: float, problems: Problems) -> Parts:
    """Parts and storeys as lodged, with storey heights (conversion comes later);
    ``allowance_m`` is the floor-zone allowance added to upper storeys."""
    n_rows = certs.num_rows
    level = Level.of(certs.column("building_parts"))
    row = level.parent
    n_parts = len(level)
    number = level.ints("building_part_number")
    bad_number = (number < 1) | (number > MAX_PARTS)
    problems.add_mask(bad_number, row, "building_parts[].building_part_number",
                      "building part number must be 1 (main dwelling) to 5")
    lookup = np.full((n_rows, MAX_PARTS), -1, dtype=np.int64)
    ok = ~bad_number
    key = row[ok] * MAX_PARTS + number[ok] - 1
    counts = np.bincount(key, minlength=n_rows * MAX_PARTS)
    problems.add(np.flatnonzero(counts > 1) // MAX_PARTS,
                 "building_parts[].building_part_number", "building part number repeated")
    lookup.ravel()[key] = np.flatnonzero(ok)
    main = lookup[:, 0].copy()
    problems.add_mask(main < 0, None, "building_parts",
                      "no main dwelling (building part 1) lodged")
    band = level.codes("construction_age_band", AGE_BANDS)
    problems.add_mask(band < 0, row, "building_parts[].construction_age_band",
                      "age band not recorded (A-M needed)")
    fhl = level.codes("floor_heat_loss", FLOOR_HEAT_LOSS_CODES)

    storeys = Level.of(level.field("floor_dimensions"))
    st_part = storeys.parent
    st_row = row[st_part]
    code = storeys.codes("floor", STOREY_CODES)
    problems.add_mask(code < 0, st_row, "building_parts[].floor_dimensions[].floor",
                      "storey (SAP-StoreyFloorCode 0-6) not recorded")
    problems.add_mask(code == STOREY_CODES.index("99"), st_row,
                      "building_parts[].floor_dimensions[].floor",
                      "a Floor 99 (roof rooms) dimension is not expanded: roof rooms are "
                      "expanded from SAP-Room-In-Roof")
    st_code = np.where((code >= 0) & (code < 7), code, 0)
    area = storeys.floats("total_floor_area_m2")
    room_h = storeys.floats("room_height_m")
    hlp = storeys.floats("heat_loss_perimeter_m")
    pwl = storeys.floats("party_wall_length_m")
    for values, name, positive in ((area, "total_floor_area_m2", True),
                                   (room_h, "room_height_m", True),
                                   (hlp, "heat_loss_perimeter_m", False),
                                   (pwl, "party_wall_length_m", False)):
        bad = ~np.isfinite(values) | ((values <= 0) if positive else (values < 0))
        problems.add_mask(bad, st_row, f"building_parts[].floor_dimensions[].{name}",
                          "must be a positive number" if positive else
                          "must be a number >= 0")
    n_storeys = np.bincount(st_part, minlength=n_parts)
    problems.add_mask(n_storeys == 0, row, "building_parts[].floor_dimensions",
                      "building part without storeys")
    dup = np.bincount(st_part * 8 + st_code, minlength=n_parts * 8) > 1
    problems.add(row[np.flatnonzero(dup) // 8], "building_parts[].floor_dimensions[].floor",
                 "storey repeated within a building part")

    # lowest storey of each part
    lowest_code = np.full(n_parts, 99, dtype=np.int64)
    np.minimum.at(lowest_code, st_part, st_code)
    is_lowest = st_code == lowest_code[st_part]
    lowest = np.full(n_parts, -1, dtype=np.int64)
    lowest[st_part[is_lowest]] = np.flatnonzero(is_lowest)
    same_below = fhl == SAME_DWELLING_BELOW
    # storey height (RdSAP 2012 S3.6 lineage, GAP in RdSAP 10 section 3): the room height of
    # the lowest storey of a part; room height + 0.25 m for upper storeys and for the lowest
    # storey of a part with the same dwelling below (R1: single storey 3.0 -> 3.0)
    height = room_h + np.where(is_lowest & ~same_below[st_part], 0.0, allowance_m)
    # section 3.4 (RdSAP 2012 S3.4 lineage): a part above the same dwelling starts one
    # storey up
    offset = same_below.astype(np.int64)
    st_level = st_code + offset[st_part]
    construction = storeys.codes("floor_construction", ("0", "1", "2", "3", "4"))
    insulation = storeys.codes("floor_insulation", ("0", "1", "2"))
    return Parts(level=level, row=row, number=number, band=band, lookup=lookup, main=main,
                 floor_heat_loss=fhl, st_part=st_part, st_level=st_level, st_area=area,
                 st_height=height, st_room_height=room_h, st_hlp=hlp, st_pwl=pwl,
                 st_construction=construction, st_insulation=insulation,
                 n_storeys=n_storeys, level_offset=offset, lowest=lowest,
                 max_area=np.zeros(n_parts), wall_gross=np.zeros(n_parts),
                 party_area=np.zeros(n_parts))


def convert_external(parts: Parts, external: np.ndarray, built_form: np.ndarray,
                     wall_m: np.ndarray, problems: Problems) -> None:
    """External -> internal dimensions (GAP in RdSAP 10, 2024 section 4.4 not read): the
    RdSAP 2012 Table S2 equations (lineage, L), storey level by storey level for the whole
    dwelling, with ``wall_m`` the main dwelling's wall thickness (m). ``external`` marks the
    rows measured externally (Measurement-Type 2); their storeys are converted in place."""
    st_row = parts.row[parts.st_part]
    conv = external[st_row]
    if not conv.any():
        return
    form = built_form[st_row]
    w = wall_m[st_row]
    problems.add_mask(conv & ~np.isfinite(w), st_row, "building_parts[].wall_thickness_mm",
                      "external dimensions need the main wall thickness (measured, or RdSAP "
                      "2012 Table S3 default: none for this construction / age band)")
    problems.add_mask(conv & (form < 0), st_row, "built_form",
                      "external dimensions need the built form")
    problems.add_mask(conv & (form == BUILT_FORM_CODES.index("5")), st_row, "built_form",
                      "external dimensions of an enclosed end-terrace: the Table S2 equation "
                      "is not transcribed (GAP)")
    # P_ext and A_ext of each storey level of the whole dwelling (main part + extensions)
    key = st_row * 16 + parts.st_level
    _, inverse = np.unique(key, return_inverse=True)
    p_ext = np.bincount(inverse, weights=np.nan_to_num(parts.st_hlp))[inverse]
    a_ext = np.bincount(inverse, weights=np.nan_to_num(parts.st_area))[inverse]
    problems.add_mask(conv & (p_ext <= 0), st_row, "building_parts[].floor_dimensions[]",
                      "external dimensions of a storey level without heat-loss perimeter")
    with np.errstate(divide="ignore", invalid="ignore"):
        p_int = np.full(p_ext.shape, np.nan)
        a_int = np.full(p_ext.shape, np.nan)
        detached = form == 0
        p_int = np.where(detached, p_ext - 8 * w, p_int)
        a_int = np.where(detached, a_ext - w * (p_ext - 8 * w) - 4 * w * w, a_int)
        semi = np.isin(form, (1, 2))  # semi-detached or end-terrace
        disc = p_ext * p_ext - 8 * a_ext
        a_side = 0.5 * (p_ext - np.sqrt(np.maximum(disc, 0.0)))
        p_int = np.where(semi, np.where(disc > 0, p_ext - 5 * w, p_ext - 3 * w), p_int)
        a_int = np.where(semi, np.where(disc > 0, a_ext - w * (p_ext + 0.5 * a_side)
                                        + 3 * w * w, a_ext - w * p_ext + 3 * w * w), a_int)
        mid = form == 3
        p_int = np.where(mid, p_ext - 2 * w, p_int)
        a_int = np.where(mid, a_ext - w * (p_ext + 2 * a_ext / p_ext) + 2 * w * w, a_int)
        enclosed_mid = form == 5
        p_int = np.where(enclosed_mid, p_ext - w, p_int)
        a_int = np.where(enclosed_mid, a_ext - w * (a_ext / p_ext + 1.5 * p_ext)
                         + 1.5 * w * w, a_int)
        p_ratio = p_int / p_ext
        a_ratio = a_int / a_ext
    problems.add_mask(conv & np.isfinite(p_ratio) & ((p_ratio <= 0) | (a_ratio <= 0)),
                      st_row, "building_parts[].floor_dimensions[]",
                      "external -> internal conversion gives a non-positive area or perimeter")
    parts.st_hlp = np.where(conv, parts.st_hlp * p_ratio, parts.st_hlp)
    parts.st_area = np.where(conv, parts.st_area * a_ratio, parts.st_area)
    # Table S2 note 5: a party wall is reduced by 2w
    parts.st_pwl = np.where(conv & (parts.st_pwl > 0),
                            np.maximum(parts.st_pwl - 2 * w, 0.0), parts.st_pwl)


def sum_parts(parts: Parts) -> None:
    """Per-part sums (section 3, section 15 rounding): floor areas to 2 d.p.; gross exposed
    wall = sum of HLP x storey height; party wall = sum of length x storey height; both 2 d.p.
    half-up; roof area basis = the largest storey floor area (section 3.8)."""
    parts.st_area = round_half_up(parts.st_area)
    n = parts.n
    with np.errstate(over="ignore"):  # absurd lodged sizes overflow to inf: refused later
        hlp_h = np.nan_to_num(parts.st_hlp * parts.st_height)
        pwl_h = np.nan_to_num(parts.st_pwl * parts.st_height)
    parts.wall_gross = round_half_up(np.bincount(parts.st_part, weights=hlp_h, minlength=n))
    parts.party_area = round_half_up(np.bincount(parts.st_part, weights=pwl_h, minlength=n))
    max_area = np.zeros(n)
    np.maximum.at(max_area, parts.st_part, np.nan_to_num(parts.st_area))
    parts.max_area = max_area
