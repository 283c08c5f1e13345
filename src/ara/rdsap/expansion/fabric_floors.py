"""Floors (RdSAP 10 section 5.12 ground floors by BS EN ISO 13370, section 5.13 Table 20
exposed floors, section 5.14, section 5.17 Table 23 basement floors), per building part."""

from __future__ import annotations

import numpy as np

from ara.rdsap.expansion.fabric_dimensions import FLOOR_HEAT_LOSS_CODES
from ara.rdsap.expansion.tables import AGE_BANDS, COUNTRIES, FabricTables
from ara.rdsap.rounding import round_half_up

#: FloorInsulationThicknessCode -> mm ('NI' unknown)
FLOOR_INSULATION_MM: dict[str, float] = {f"{mm}mm": mm for mm in
                                         (25, 50, 75, 100, 125, 150, 175, 200)}
SOLID, SUSPENDED_TIMBER, SUSPENDED_OTHER, BASEMENT = 1, 2, 3, 4
GROUND = FLOOR_HEAT_LOSS_CODES.index("7")
EXPOSED = (FLOOR_HEAT_LOSS_CODES.index("1"), FLOOR_HEAT_LOSS_CODES.index("2"))
PARTIALLY_HEATED_BELOW = FLOOR_HEAT_LOSS_CODES.index("3")
NO_FLOOR = (FLOOR_HEAT_LOSS_CODES.index("6"), FLOOR_HEAT_LOSS_CODES.index("8"))
RETROFITTED = 2  # SAP-FloorInsulationCode 2

P_FLOOR_TYPE = 1
P_INSULATION_DEFAULT = 2
P_RETROFIT_THICKNESS = 3
P_WALL_THICKNESS = 4
P_CONSTRUCTION_DEFAULT = 5
P_EXPOSED_TABLE = 6
P_BASEMENT_TABLE = 7
FLOOR_PROBLEMS: dict[int, tuple[str, str]] = {
    P_FLOOR_TYPE: ("floor_heat_loss", "floor heat loss (HeatLossFloorCode 1, 2, 3, 6, 7, 8) "
                   "not recorded"),
    P_INSULATION_DEFAULT: ("floor_insulation_thickness", "ground floor of unknown "
                           "insulation: no default insulation for this country / age band "
                           "(RdSAP 2012 lineage covers England and Wales, bands A-K; GAP)"),
    P_RETROFIT_THICKNESS: ("floor_insulation_thickness", "retro-fitted floor insulation of "
                           "unknown thickness: Table 19 footnote 2 takes the greater of 50 mm "
                           "and the age-band thickness, and there is no age-band thickness "
                           "for this country / age band (GAP)"),
    P_WALL_THICKNESS: ("wall_thickness_mm", "ground floor U needs the wall thickness "
                       "(measured, or RdSAP 2012 Table S3: none for this construction / age "
                       "band)"),
    P_CONSTRUCTION_DEFAULT: ("floor_construction", "floor construction unknown and no "
                             "default for this country (RdSAP 2012 lineage: England, Wales)"),
    P_EXPOSED_TABLE: ("floor_insulation_thickness", "no Table 20 value for this exposed "
                      "floor (country / age band / insulation thickness; insulated rows "
                      "exist for 50, 100, 150 mm and 'thickness unknown' bands A-I)"),
    P_BASEMENT_TABLE: ("construction_age_band", "no Table 23 basement floor value for this "
                       "age band"),
}


def ground_floor_u(t: FabricTables, area: np.ndarray, perimeter: np.ndarray,
                   wall_m: np.ndarray, insulation_mm: np.ndarray,
                   suspended: np.ndarray) -> np.ndarray:
    """BS EN ISO 13370 ground-floor U (section 5.12) with the RdSAP 2012 parameters
    (lineage, spec/tables/rdsap10_ground_floor_parameters_RDSAP2012.csv), 2 d.p.

    Solid: d_t = w + lambda (Rsi + Rf + Rse); U = 2 lambda ln(pi B'/d_t + 1) / (pi B' + d_t)
    when d_t < B', else lambda / (0.457 B' + d_t). Suspended: U_g from the same formula with
    d_g = w + lambda (Rsi + Rse), U_x = 2 h U_w / B' + 1450 eps v f_w / B',
    U = 1 / (2 Rsi + R_deck + Rf + 1 / (U_g + U_x)). B' = 2A/P; a floor without exposed
    perimeter loses no heat (U 0)."""
    g = t.ground_floor
    lam = g["soil_conductivity"]
    rsi, rse = g["rsi"], g["rse"]
    rf = insulation_mm / 1000.0 / g["floor_insulation_conductivity"]
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(perimeter > 0, 2.0 * area / perimeter, np.inf)

        def slab(d: np.ndarray) -> np.ndarray:
            thin = 2.0 * lam * np.log(np.pi * b / d + 1.0) / (np.pi * b + d)
            thick = lam / (0.457 * b + d)
            return np.where(d < b, thin, thick)

        solid = slab(wall_m + lam * (rsi + rf + rse))
        ug = slab(wall_m + lam * (rsi + rse))
        ux = (2.0 * g["underfloor_height"] * g["underfloor_wall_u"] / b
              + 1450.0 * g["underfloor_vent_openings_per_m"] * g["wind_speed"]
              * g["wind_shielding_factor"] / b)
        susp = 1.0 / (2.0 * rsi + g["suspended_deck_resistance"] + rf + 1.0 / (ug + ux))
    u = np.where(suspended, susp, solid)
    u = np.where(np.isinf(b), 0.0, u)
    return round_half_up(u)


def floor_u_values(t: FabricTables, country: np.ndarray, band: np.ndarray,
                   heat_loss: np.ndarray, construction: np.ndarray, insulation: np.ndarray,
                   insulation_mm: np.ndarray, area: np.ndarray, perimeter: np.ndarray,
                   wall_mm: np.ndarray, u_lodged: np.ndarray
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(U, SAP element kind, resolved construction, problem code) of the floor of each part.

    ``heat_loss`` indexes FLOOR_HEAT_LOSS_CODES; ``construction`` / ``insulation`` are the
    SAP-FloorConstructionCode / SAP-FloorInsulationCode of the part's lowest storey (-1
    missing); ``insulation_mm`` the lodged thickness (NaN 'NI'); ``wall_mm`` the part's wall
    thickness. Kind 0 = no floor element (other flat / same dwelling below)."""
    ci = np.clip(country, 0, len(COUNTRIES) - 1)
    bi = np.clip(band, 0, len(AGE_BANDS) - 1)
    problem = np.zeros(heat_loss.shape, dtype=np.int64)
    u = np.full(heat_loss.shape, np.nan)
    kind = np.zeros(heat_loss.shape, dtype=np.int64)
    lodged = np.isfinite(u_lodged) & (u_lodged >= 0)
    # construction not lodged (0 / absent): suspended timber up to the lineage band
    last = t.suspended_timber_last_band[ci]
    default_c = np.where(last < 0, -1, np.where(bi <= last, SUSPENDED_TIMBER, SOLID))
    cons = np.where(construction >= 1, construction, default_c)
    ground = heat_loss == GROUND
    basement = ground & (cons == BASEMENT)
    slab = ground & ~basement
    # section 5.12: BS EN ISO 13370 from A and P of the floor
    # unknown thickness: the age-band thickness; retro-fitted (Table 19 footnote 2): the
    # greater of 50 mm and the age-band thickness
    band_mm = t.ground_floor_insulation_mm[ci, bi]
    ins = np.where(np.isfinite(insulation_mm), insulation_mm,
                   np.where(insulation == RETROFITTED,
                            np.maximum(t.ground_floor["retrofit_unknown_min_mm"], band_mm),
                            band_mm))
    suspended = np.isin(cons, (SUSPENDED_TIMBER, SUSPENDED_OTHER))
    u_ground = ground_floor_u(t, area, perimeter, wall_mm / 1000.0, ins, suspended)
    u = np.where(slab, u_ground, u)
    kind = np.where(slab, 4, kind)
    problem = np.where(slab & ~lodged & (cons < 0), P_CONSTRUCTION_DEFAULT, problem)
    problem = np.where(slab & ~lodged & ~np.isfinite(wall_mm), P_WALL_THICKNESS, problem)
    problem = np.where(slab & ~lodged & ~np.isfinite(ins),
                       np.where(insulation == RETROFITTED, P_RETROFIT_THICKNESS,
                                P_INSULATION_DEFAULT), problem)
    # section 5.17 Table 23: basement floor by age band
    u = np.where(basement, t.basement_floor_u[bi], u)
    kind = np.where(basement, 5, kind)
    problem = np.where(basement & ~lodged & ~np.isfinite(u), P_BASEMENT_TABLE, problem)
    # section 5.13 Table 20: exposed / semi-exposed to unheated space
    exposed = np.isin(heat_loss, EXPOSED)
    row = np.searchsorted(t.exposed_floor_insulated_mm, np.nan_to_num(insulation_mm, nan=-1))
    row = np.clip(row, 0, t.exposed_floor_insulated_mm.size - 1)
    exact = t.exposed_floor_insulated_mm[row] == insulation_mm
    u_exp = np.where(np.isfinite(insulation_mm), np.where(exact, t.exposed_floor_insulated_u[row],
                                                          np.nan),
                     np.where(insulation == RETROFITTED,
                              t.exposed_floor_insulated_unknown_u[bi],
                              t.exposed_floor_u[ci, bi]))
    u = np.where(exposed, u_exp, u)
    kind = np.where(exposed, 6, kind)
    problem = np.where(exposed & ~lodged & ~np.isfinite(u_exp), P_EXPOSED_TABLE, problem)
    # section 5.14: above partially heated premises
    partial = heat_loss == PARTIALLY_HEATED_BELOW
    u = np.where(partial, t.floor_above_partially_heated_u, u)
    kind = np.where(partial, 6, kind)
    problem = np.where(heat_loss < 0, P_FLOOR_TYPE, problem)
    # a lodged floor U-value overrides (section 5.12 'unless the assessor supplies')
    has_floor = kind > 0
    u = np.where(lodged & has_floor, u_lodged, u)
    problem = np.where(lodged & has_floor, 0, problem)
    u = np.where(has_floor & (problem == 0), round_half_up(u), np.nan)
    return u, kind, cons, problem
