"""Wall U-values (RdSAP 10 section 5, Tables 6-9, 12-15, 23) over arrays of walls.

One function serves the main wall of every building part, the alternative walls and the
room-in-roof walls "as common wall": each argument is an array with one value per wall, and
the result is the U-value (2 d.p., section 15) plus a problem code per wall (0 = none).
"""

from __future__ import annotations

from functools import cache

import numpy as np

from ara.rdsap.expansion.tables import COUNTRIES, WALL_TYPES, FabricTables
from ara.rdsap.rounding import round_half_up
from ara.sap.fallbacks import fallback
from ara.sap.tables import read_table

#: WallConstructionCode: 1 granite, 2 sandstone, 3 solid brick, 4 cavity, 5 timber frame,
#: 6 basement, 7 curtain, 8 system built, 9 cob, 10 park home.
WALL_CONSTRUCTION_CODES: tuple[str, ...] = tuple(str(i) for i in range(1, 11))
#: WallInsulationCode 1-7 (1 external, 2 filled cavity, 3 internal, 4 as built, 5 unknown,
#: 6 filled cavity + external, 7 filled cavity + internal).
WALL_INSULATION_CODES: tuple[str, ...] = tuple(str(i) for i in range(1, 8))
#: WallInsulationThicknessCode -> mm ('measured' is read from the measured column).
WALL_INSULATION_MM: dict[str, float] = {"10mm": 10, "25mm": 25, "50mm": 50, "75mm": 75,
                                        "100mm": 100, "125mm": 125, "150mm": 150,
                                        "175mm": 175, "200mm": 200}
#: SAP-InsulationThermalConductivityCode -> W/mK.
CONDUCTIVITY: dict[str, float] = {"1": 0.04, "2": 0.03, "3": 0.025}
DEFAULT_CONDUCTIVITY = 0.04  # section 5.8: mineral wool / EPS unless documented
DRY_LINING_R = 0.17  # section 5.8 final note + Table 14: lath and plaster / dabs
SHELTERED_R = 0.5  # Table 4 / section 5.9: wall to an unheated corridor or stairwell

# construction code -> row of WALL_TYPES (cavity resolved by the insulation below); -1 none
_TABLE_ROW = np.array([-1, 0, 1, 2, 3, 5, -1, -1, 6, 7, -1])
_CAVITY_FILLED = WALL_TYPES.index("cavity_filled")
_STONE = (1, 2)

# problem codes of wall_u_values
OK = 0
P_CONSTRUCTION = 1
P_CURTAIN = 2  # no longer raised: section 5.18 / curtain_wall_age_unknown
P_PARK_HOME = 3
P_NO_TABLE_VALUE = 4
P_STONE_THICKNESS = 5
P_INSULATION_THICKNESS = 6
P_INSULATION_TYPE = 7
P_AGE_BAND = 8
WALL_PROBLEMS: dict[int, tuple[str, str]] = {
    P_CONSTRUCTION: ("wall_construction", "wall construction not recorded or not a "
                     "WallConstructionCode"),
    P_PARK_HOME: ("wall_construction", "park home wall (code 10) with added insulation: "
                  "RdSAP 10 rule not established (GAP, docs/rdsap/expansion_fabric.md; RdSAP "
                  "2012 S1.1.2 needed the U-value entered); lodge a Wall-U-Value"),
    P_NO_TABLE_VALUE: ("wall_construction", "no Tables 6-9 / 23 U-value for this country, "
                       "construction and age band in spec/tables"),
    P_STONE_THICKNESS: ("wall_thickness_mm", "stone wall of bands A-E needs its measured "
                        "thickness (section 5.6, Table 12)"),
    P_INSULATION_THICKNESS: ("wall_insulation_thickness", "added wall insulation of unknown "
                             "thickness: the Tables 6-9 insulated rows are not transcribed "
                             "(GAP)"),
    P_INSULATION_TYPE: ("wall_insulation_type", "wall insulation type not recorded or not a "
                        "WallInsulationCode"),
}  # P_AGE_BAND is reported once per building part by fabric_dimensions.read_parts


@cache
def _park_home_u() -> np.ndarray:
    """(13,) RdSAP 2012 Table S8a as-built U by age band A-M (LINEAGE table)."""
    rows = {r["age_band"]: float(r["u_value"])
            for r in read_table("rdsap2012_table_s8a_park_home_walls_LINEAGE.csv")}
    return np.array([rows[b] for b in "ABCDEFGHIJKLM"])


def wall_u_values(t: FabricTables, country: np.ndarray, band: np.ndarray,
                  construction: np.ndarray, insulation: np.ndarray, thickness_mm: np.ndarray,
                  dry_lined: np.ndarray, u_lodged: np.ndarray, insulation_mm: np.ndarray,
                  conductivity: np.ndarray, sheltered: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """U-value and problem code of each wall.

    ``construction`` and ``insulation`` are the codes as integers (1-10, 1-7; <= 0 missing),
    ``country`` an index of COUNTRIES (-1 missing), ``band`` 0-12 (-1 missing),
    ``thickness_mm`` the measured wall thickness (NaN unknown), ``insulation_mm`` the added
    insulation thickness (NaN unknown), ``conductivity`` its lambda (NaN: 0.04 default),
    ``u_lodged`` the assessor's U (NaN none), ``sheltered`` whether the wall faces an
    unheated corridor or stairwell.
    """
    n = construction.size
    problem = np.zeros(n, dtype=np.int64)
    c = np.where((construction >= 1) & (construction <= 10), construction, 0)
    ci = np.clip(country, 0, len(COUNTRIES) - 1)
    bi = np.clip(band, 0, 12)
    # Tables 6-9 (section 5.1, by country / age band / construction; cavity filled or not)
    row = _TABLE_ROW[c]
    filled = np.isin(insulation, (2, 6, 7))
    row = np.where((c == 4) & filled, _CAVITY_FILLED, row)
    has_row = row >= 0
    ri = np.clip(row, 0, len(WALL_TYPES) - 1)
    u0 = np.where(has_row, t.wall_u[ci, ri, bi], np.nan)
    by_thickness = has_row & t.wall_by_thickness[ci, ri, bi]
    known_t = np.isfinite(thickness_mm) & (thickness_mm > 0)
    # section 5.7 Table 13: solid brick of bands A-E by thickness (incl. plaster); with no
    # measured thickness, Table 6 footnote (b) leaves the 200-280 mm row as the as-built U
    brick = by_thickness & (c == 3)
    brick_row = np.searchsorted(t.brick_bounds_mm, np.where(known_t, thickness_mm, np.nan),
                                side="left")
    as_built_row = int(np.searchsorted(t.brick_bounds_mm, 200.0, side="right"))
    brick_row = np.where(known_t, np.clip(brick_row, 0, t.brick_u.size - 1), as_built_row)
    u0 = np.where(brick, t.brick_u[brick_row], u0)
    # section 5.6 Table 12: stone of bands A-E, U = a t^b (t in mm, measured); band F note (a)
    stone = np.isin(c, _STONE)
    si = np.clip(c - 1, 0, 1)
    stone_formula = t.stone_a[si] * np.where(known_t, thickness_mm, 1.0) ** t.stone_b[si]
    u0 = np.where(stone & by_thickness, np.where(known_t, stone_formula, np.nan), u0)
    problem = np.where(stone & by_thickness & ~known_t, P_STONE_THICKNESS, problem)
    lower = stone & known_t & has_row & t.wall_formula_if_lower[ci, ri, bi]
    u0 = np.where(lower, np.minimum(u0, stone_formula), u0)
    # section 5.17 Table 23: basement walls by age band
    u0 = np.where(c == 6, t.basement_wall_u[bi], u0)
    # section 5.18: a curtain wall without a lodged U takes the pre-2023 value (the schemas
    # lodge no installation date: estimate fallback curtain_wall_age_unknown, recorded by
    # the caller); no insulation or lining is added to it
    curtain = c == 7
    u0 = np.where(curtain, fallback("curtain_wall_age_unknown").value, u0)
    # added insulation (section 5.8, Table 14 where the thickness is known): R = t / lambda
    added = np.isin(insulation, (1, 3, 6, 7)) & ~curtain
    lam = np.where(np.isfinite(conductivity), conductivity, DEFAULT_CONDUCTIVITY)
    r_added = np.where(added, insulation_mm / 1000.0 / lam, 0.0)
    # dry-lining on an otherwise uninsulated wall (as built / unknown): R 0.17 (section 5.8)
    r_dry = np.where(dry_lined & np.isin(insulation, (4, 5)) & ~curtain, DRY_LINING_R, 0.0)
    u = 1.0 / (1.0 / u0 + r_added + r_dry)
    problem = np.where(added & ~np.isfinite(insulation_mm), P_INSULATION_THICKNESS, problem)
    problem = np.where((insulation < 1) | (insulation > 7), P_INSULATION_TYPE, problem)
    problem = np.where(~np.isfinite(u) & (problem == OK), P_NO_TABLE_VALUE, problem)
    problem = np.where(band < 0, P_AGE_BAND, problem)
    # a park home wall as built / of unknown insulation: RdSAP 2012 Table S8a by age band
    # (estimate fallback park_home_wall_lineage, recorded by the caller); with added
    # insulation RdSAP 2012 needed the lodged U (S1.1.2): still refused without one
    park = c == 10
    park_as_built = park & np.isin(insulation, (4, 5))
    u = np.where(park_as_built, _park_home_u()[np.clip(band, 0, 12)], u)
    problem = np.where(park_as_built & (band >= 0), OK, problem)
    problem = np.where(park & ~park_as_built, P_PARK_HOME, problem)
    problem = np.where(c == 0, P_CONSTRUCTION, problem)
    # section 5.6 (JK 01514436): a lodged U-value overrides the tables
    lodged = np.isfinite(u_lodged) & (u_lodged > 0)
    u = np.where(lodged, u_lodged, u)
    problem = np.where(lodged, OK, problem)
    # section 5.9 / Table 4: sheltered wall, U = 1 / (1/U + 0.5)
    u = np.where(sheltered, 1.0 / (1.0 / u + SHELTERED_R), u)
    u = np.where(problem == OK, round_half_up(u), np.nan)
    return u, problem


def sheltered_u(u: np.ndarray) -> np.ndarray:
    """Table 4 / section 5.9: the U of a wall construction behind an unheated space."""
    return round_half_up(1.0 / (1.0 / u + SHELTERED_R))


# construction code -> THICKNESS_WALL_TYPES row of Table S3 (RdSAP 2012 lineage); -1 none
_THICKNESS_ROW = np.array([-1, 0, 0, 1, 2, 3, -1, -1, 5, 4, -1])


def default_wall_thickness_mm(t: FabricTables, country: np.ndarray, band: np.ndarray,
                              construction: np.ndarray, insulation: np.ndarray,
                              measured_mm: np.ndarray) -> np.ndarray:
    """Wall thickness for the dimension conversion and the ground-floor calculation: the
    measured thickness, else RdSAP 2012 Table S3 (lineage; NaN where it has no value)."""
    c = np.where((construction >= 1) & (construction <= 10), construction, 0)
    row = _THICKNESS_ROW[c]
    insulated = np.isin(insulation, (1, 3, 6, 7)).astype(np.int64)
    bi = np.clip(band, 0, 12)
    scot = country == COUNTRIES.index("scotland")
    table = np.where(scot, t.wall_thickness_scotland_mm[np.clip(row, 0, None), insulated, bi],
                     t.wall_thickness_mm[np.clip(row, 0, None), insulated, bi])
    table = np.where((row >= 0) & (band >= 0), table, np.nan)
    return np.where(np.isfinite(measured_mm) & (measured_mm > 0), measured_mm, table)


#: PartyWallConstructionCode: 0 unable to determine, 1 solid / timber frame / system built,
#: 2 cavity unfilled, 3 cavity filled, 4 filled and sealed, NA, NI.
PARTY_WALL_CODES: tuple[str, ...] = ("0", "1", "2", "3", "4", "NA", "NI")


def party_wall_u(t: FabricTables, party_code: np.ndarray, is_flat: np.ndarray) -> np.ndarray:
    """Table 15 (section 5.10) by PartyWallConstructionCode index; 'NI' (no information)
    and a missing code read as 'unable to determine'; NaN for 'NA' and for code 4 (no
    Table 15 row: the caller applies the estimate fallback party_wall_filled_and_sealed)."""
    code = np.where((party_code == PARTY_WALL_CODES.index("NI")) | (party_code < 0), 0,
                    party_code)
    valid = code <= 4
    ci = np.clip(code, 0, 4)
    u = np.where(is_flat, t.party_u_flat[ci], t.party_u_house[ci])
    return np.where(valid, u, np.nan)
