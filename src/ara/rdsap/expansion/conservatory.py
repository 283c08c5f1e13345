"""A conservatory not separated from the dwelling (Conservatory-Type 4): RdSAP 10 section 6.1
and Table 25, as calculator inputs.

The conservatory is not a building part and not a storey. Its floor area and its volume
(floor area x height) join the dwelling's total floor area (4) and volume (5), given to the
calculator as one more storey row of the conservatory's floor area and height (the storey
count of (9) is written by the fabric expansion and does not change). Its walls and roof are
fully glazed: the glazed walls (glazed perimeter x height) are one window (27), facing East
(the Table 25 note's East/West default solar flux), the glazed roof (floor area / cos 20 deg)
is one rooflight (27a) at 20 deg, East; neither is deducted from any element. Its floor is an
uninsulated solid ground floor (28a) by BS EN ISO 13370, 300 mm walls, exposed perimeter =
the glazed perimeter. Its glazing and floor take the main building part's y-value (36).

Every figure is a row of ``spec/tables/rdsap10_table25_non_separated_conservatory.csv``; the
height rule beyond 1.5 storeys and the rest of what is inferred are in decision 0028. A
lodged conservatory that lacks its floor area, glazed perimeter, height or glazing is refused
naming the field: nothing is filled.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ara.rdsap.expansion.fabric_arrow import Problems
from ara.rdsap.expansion.fabric_dimensions import Parts
from ara.rdsap.expansion.fabric_floors import ground_floor_u
from ara.rdsap.expansion.fabric_openings import OPENING_WINDOW, Openings
from ara.rdsap.expansion.tables import FabricTables
from ara.rdsap.rounding import round_half_up
from ara.sap.tables import SpecTableError, read_table

__all__ = ["CONSERVATORY_CODES", "HEIGHT_CODES", "Conservatories", "ConservatoryTable",
           "conservatory_table", "non_separated_conservatories"]

TABLE = "rdsap10_table25_non_separated_conservatory.csv"
#: SAP-ConservatoryTypeCode: 1 none, 2 separated unheated, 3 separated heated, 4 not
#: separated (5 is not a code of the schema; read as an unknown code elsewhere).
CONSERVATORY_CODES: tuple[str, ...] = ("1", "2", "3", "4", "5")
NOT_SEPARATED = CONSERVATORY_CODES.index("4")
#: ConservatoryHeightCode: the conservatory's height in storeys.
HEIGHT_CODES: tuple[str, ...] = ("1", "1.5", "2", "2.5", "3")
OPENING_ROOFLIGHT = 4  # SAP opening kind 4 (27a)
SAP_GLAZING_SINGLE, SAP_GLAZING_DOUBLE = 2, 3  # SAP-GlazingTypeCode (Table 6b g_L)
SAP_FRAME_WOOD, SAP_FRAME_PVC = 1, 2  # SAP-FrameTypeCode (RdSAP 2012 Table S15 frames)
_GLAZING = ("single", "double")  # index 0 single, 1 double


@dataclass(frozen=True)
class ConservatoryTable:
    """The rows of the Table 25 file; arrays indexed [single, double] or by HEIGHT_CODES."""

    wall_u: np.ndarray
    roof_u: np.ndarray
    g: np.ndarray
    frame_factor: np.ndarray
    roof_pitch_deg: float
    wall_orientation: int
    roof_orientation: int
    wall_tilt_deg: float
    floor_wall_m: float
    floor_insulation_mm: float
    floor_zone_m: float
    upper_storeys: np.ndarray  # [HEIGHT_CODES]
    area_dp: int


@lru_cache(maxsize=1)
def conservatory_table() -> ConservatoryTable:
    """Load the Table 25 file once."""
    values: dict[tuple[str, str], float] = {}
    for r in read_table(TABLE):
        values[(r["quantity"], r["case"])] = float(r["value"])

    def get(quantity: str, case: str = "any") -> float:
        try:
            return values[(quantity, case)]
        except KeyError as exc:
            raise SpecTableError(f"{TABLE}: no row {quantity} / {case}") from exc

    def by_glazing(quantity: str) -> np.ndarray:
        return np.array([get(quantity, case) for case in _GLAZING])

    return ConservatoryTable(
        wall_u=by_glazing("glazed_wall_u"), roof_u=by_glazing("glazed_roof_u"),
        g=by_glazing("g_perpendicular"), frame_factor=by_glazing("frame_factor"),
        roof_pitch_deg=get("roof_pitch_deg"),
        wall_orientation=int(get("glazed_wall_orientation")),
        roof_orientation=int(get("roof_glazing_orientation")),
        wall_tilt_deg=get("glazed_wall_tilt_deg"),
        floor_wall_m=get("floor_wall_thickness_mm") / 1000.0,
        floor_insulation_mm=get("floor_insulation_mm"), floor_zone_m=get("floor_zone_m"),
        upper_storeys=np.array([get("upper_storeys", code) for code in HEIGHT_CODES]),
        area_dp=int(get("area_rounding_dp")))


@dataclass(frozen=True)
class Conservatories:
    """The expanded non-separated conservatories, one item per dwelling that has one."""

    row: np.ndarray  # dwelling row
    part: np.ndarray  # the main building part (its y-value)
    floor_area: np.ndarray  # m2, 2 d.p.: storey row, (28a) floor
    height: np.ndarray  # m: storey height of the storey row, wall height
    wall_area: np.ndarray  # m2, 2 d.p.: glazed perimeter x height, window (27)
    roof_area: np.ndarray  # m2, 2 d.p.: floor area / cos 20 deg, rooflight (27a)
    floor_u: np.ndarray  # W/m2K, 2 d.p.: BS EN ISO 13370, uninsulated solid, 300 mm walls
    double: np.ndarray  # bool

    def openings(self) -> Openings:
        """The glazed walls (a window) and the glazed roof (a rooflight) of each
        conservatory, with no host element."""
        tab = conservatory_table()
        k = self.row.size
        gi = self.double.astype(np.int64)
        both = np.concatenate
        return Openings(
            row=both([self.row, self.row]), part=both([self.part, self.part]),
            slot=np.full(2 * k, -1, dtype=np.int64),
            kind=both([np.full(k, OPENING_WINDOW), np.full(k, OPENING_ROOFLIGHT)]),
            area=both([self.wall_area, self.roof_area]),
            u=both([tab.wall_u[gi], tab.roof_u[gi]]),
            g=both([tab.g[gi], tab.g[gi]]),
            frame_factor=both([tab.frame_factor[gi], tab.frame_factor[gi]]),
            glazing_type=np.tile(np.where(self.double, SAP_GLAZING_DOUBLE, SAP_GLAZING_SINGLE),
                                 2),
            frame_type=np.tile(np.where(self.double, SAP_FRAME_PVC, SAP_FRAME_WOOD), 2),
            orientation=both([np.full(k, tab.wall_orientation),
                              np.full(k, tab.roof_orientation)]),
            tilt=both([np.full(k, tab.wall_tilt_deg), np.full(k, tab.roof_pitch_deg)]))


def _main_room_heights(parts: Parts, n_rows: int, levels: int) -> np.ndarray:
    """[row, k]: lodged room height of the main building part's k-th storey counted from its
    lowest (k = 0 the ground floor of a house); NaN where not lodged."""
    room = np.full((n_rows, levels), np.nan)
    if parts.st_part.size == 0:
        return room
    st_row = parts.row[parts.st_part]
    is_main = parts.main[st_row] == parts.st_part
    lowest = parts.lowest[parts.st_part]
    base = parts.st_level[np.clip(lowest, 0, None)]
    k = parts.st_level - base
    keep = is_main & (lowest >= 0) & (k >= 0) & (k < levels)
    room[st_row[keep], k[keep]] = parts.st_room_height[keep]
    return room


def non_separated_conservatories(t: FabricTables, conservatory: np.ndarray,
                                 floor_area: np.ndarray, perimeter: np.ndarray,
                                 height_code: np.ndarray,
                                 double: tuple[np.ndarray, np.ndarray], parts: Parts,
                                 problems: Problems) -> Conservatories:
    """The conservatory of every dwelling lodged with Conservatory-Type 4
    (``conservatory`` indexes CONSERVATORY_CODES, ``height_code`` HEIGHT_CODES); a
    dwelling whose conservatory misses an item is named in ``problems`` and left out."""
    tab = conservatory_table()
    n = conservatory.size
    on = conservatory == NOT_SEPARATED
    why = "a conservatory not separated from the dwelling (Conservatory-Type 4) needs "
    bad_area = on & ~(np.isfinite(floor_area) & (floor_area > 0))
    problems.add_mask(bad_area, None, "conservatory_floor_area_m2",
                      why + "its floor area (SAP-Integral-Conservatory/Floor-Area)")
    bad_perimeter = on & ~(np.isfinite(perimeter) & (perimeter > 0))
    problems.add_mask(bad_perimeter, None, "conservatory_glazed_perimeter_m",
                      why + "its glazed perimeter (SAP-Integral-Conservatory/Glazed-Perimeter)")
    bad_code = on & (height_code < 0)
    problems.add_mask(bad_code, None, "conservatory_room_height",
                      why + "its height in storeys, 1, 1.5, 2, 2.5 or 3 "
                      "(SAP-Integral-Conservatory/Room-Height)")
    dg, dg_given = double
    problems.add_mask(on & ~dg_given, None, "conservatory_double_glazed",
                      why + "its glazing, double or single (SAP-Integral-Conservatory/"
                      "Double-Glazed)")
    # height (section 6.1): the main part's lowest room height, then per storey spanned
    # above it the floor zone and the room height (half of it for a half storey)
    upper = tab.upper_storeys[np.clip(height_code, 0, len(HEIGHT_CODES) - 1)]
    full = np.floor(upper).astype(np.int64)
    half = upper - full
    levels = int(np.ceil(tab.upper_storeys.max())) + 1
    room = _main_room_heights(parts, n, levels)
    height = room[:, 0].copy()
    for i in range(1, levels):
        height = height + np.where(full >= i, tab.floor_zone_m + room[:, i], 0.0)
        height = height + np.where((full == i - 1) & (half > 0),
                                   tab.floor_zone_m + half * room[:, i], 0.0)
    has_main = parts.main >= 0
    problems.add_mask(on & ~bad_code & has_main & ~np.isfinite(height), None,
                      "conservatory_room_height",
                      "the conservatory's height in storeys needs the room heights of as many "
                      "storeys of the main building part (section 6.1), and the main "
                      "building part has fewer storeys lodged")
    ok = on & ~bad_area & ~bad_perimeter & ~bad_code & dg_given & np.isfinite(height)
    rows = np.flatnonzero(ok)
    area = round_half_up(floor_area[rows], tab.area_dp)
    p = perimeter[rows]
    h = height[rows]
    floor_u = ground_floor_u(t, area, p, np.full(rows.size, tab.floor_wall_m),
                             np.full(rows.size, tab.floor_insulation_mm),
                             np.zeros(rows.size, dtype=bool))
    return Conservatories(
        row=rows, part=parts.main[rows], floor_area=area, height=h,
        wall_area=round_half_up(p * h, tab.area_dp),
        roof_area=round_half_up(area / math.cos(math.radians(tab.roof_pitch_deg)),
                                tab.area_dp),
        floor_u=floor_u, double=dg[rows])
