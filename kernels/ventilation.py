"""SAP 10.2 worksheet section 2: ventilation rate, lines (6a)-(25).

Opening rates (m3/h) are SAP 10.2 Table 2.1; monthly wind speed is Table U2.
"""

from numba import njit

from ara_kernels import layout as L


@njit(cache=True, inline="always", error_model="numpy")
def openings_m3_per_h(di, c):
    """Lines (6a)-(7c): m3/h through chimneys, flues, fans, passive vents and flueless
    fires; returns the per-line values and their sum."""
    r6a = di[L.DI_OPEN_CHIMNEYS] * c[L.C_VENT_OPEN_CHIMNEY]
    r6b = di[L.DI_OPEN_FLUES] * c[L.C_VENT_OPEN_FLUE]
    r6c = di[L.DI_CLOSED_FIRE] * c[L.C_VENT_CLOSED_FIRE_FLUE]
    r6d = di[L.DI_SOLID_BOILER] * c[L.C_VENT_SOLID_FUEL_BOILER_FLUE]
    r6e = di[L.DI_OTHER_HEATER] * c[L.C_VENT_OTHER_HEATER_FLUE]
    r6f = di[L.DI_BLOCKED] * c[L.C_VENT_BLOCKED_CHIMNEY]
    r7a = di[L.DI_FANS] * c[L.C_VENT_INTERMITTENT_FAN]
    r7b = di[L.DI_PSV] * c[L.C_VENT_PASSIVE_VENT]
    r7c = di[L.DI_FLUELESS] * c[L.C_VENT_FLUELESS_GAS_FIRE]
    total = r6a + r6b + r6c + r6d + r6e + r6f + r7a + r7b + r7c
    return r6a, r6b, r6c, r6d, r6e, r6f, r7a, r7b, r7c, total


@njit(cache=True, inline="always", error_model="numpy")
def structural_infiltration(r8, storeys, di, df, c):
    """Lines (9)-(16): the SAP algorithm used when there is no pressure test."""
    r10 = (storeys - 1) * c[L.C_INFILTRATION_PER_EXTRA_STOREY]  # (10)
    if di[L.DI_WALL_CONSTR] == 1:
        r11 = c[L.C_STRUCTURAL_INFILTRATION_FRAME]  # (11) steel or timber frame
    else:
        r11 = c[L.C_STRUCTURAL_INFILTRATION_MASONRY]  # (11) masonry
    fc = di[L.DI_FLOOR_CONSTR]
    if fc == 2:
        r12 = c[L.C_FLOOR_INFILTRATION_SEALED]  # (12)
    elif fc == 3:
        r12 = c[L.C_FLOOR_INFILTRATION_UNSEALED]
    else:
        r12 = 0.0
    r13 = 0.0 if di[L.DI_LOBBY] == 1 else c[L.C_NO_DRAUGHT_LOBBY_INFILTRATION]  # (13)
    r14 = df[L.DF_DP_PCT]  # (14)
    r15 = c[L.C_WINDOW_INFILTRATION_BASE] - c[L.C_WINDOW_INFILTRATION_DRAUGHTPROOFED] * r14 / 100.0
    r16 = r8 + r10 + r11 + r12 + r13 + r15  # (16)
    return r10, r11, r12, r13, r14, r15, r16


@njit(cache=True, inline="always", error_model="numpy")
def infiltration_rate(r8, r16, di, df, c):
    """Lines (17)-(21): with a pressure test (18) = q50 / 20 + (8), else (18) = (16);
    shelter factor (20) = 1 - 0.075 x sides; (21) = (18) x (20)."""
    if di[L.DI_PRESSURE_TEST] == 4:
        r17 = 0.0
        r18 = r16
    else:
        r17 = df[L.DF_Q50]
        r18 = r17 / c[L.C_Q50_DIVISOR] + r8
    r19 = di[L.DI_SHELTERED]
    r20 = 1.0 - c[L.C_SHELTER_FACTOR_PER_SIDE] * r19
    r21 = r18 * r20
    return r17, r18, r19, r20, r21


@njit(cache=True, inline="always", error_model="numpy")
def mechanical_rates(di, df, c):
    """Lines (23a)-(23c): system air change rate, after in-use factor, MVHR efficiency."""
    vt = di[L.DI_VENT_TYPE]
    if vt < 3 or vt == 9 or vt == 10:
        return 0.0, 0.0, 0.0
    r23a = df[L.DF_MV_ACH]
    r23b = r23a * df[L.DF_MV_IUF]
    r23c = df[L.DF_MVHR_EFF] if vt == 8 else 0.0
    return r23a, r23b, r23c


@njit(cache=True, inline="always", error_model="numpy")
def effective_air_change(r22b, vt, r23b, r23c, c):
    """Line (25)m, from (24a) MVHR, (24b) balanced MV, (24c) extract or positive input from
    outside, (24d) natural ventilation or positive input from loft."""
    if vt == 8:  # (24a)
        return r22b + r23b * (1.0 - r23c / 100.0)
    if vt == 7:  # (24b)
        return r22b + r23b
    if vt == 4 or vt == 5 or vt == 6:  # (24c)
        half = c[L.C_MEV_HALF_FACTOR] * r23b
        if r22b < half:
            return r23b
        return r22b + half
    # (24d): natural, or positive input from loft
    if r22b >= c[L.C_NATURAL_VENT_THRESHOLD]:
        return r22b
    return c[L.C_NATURAL_VENT_BASE] + r22b * r22b * c[L.C_NATURAL_VENT_BASE]
