"""SAP 10.2 worksheet section 4: water heating energy requirement, lines (42)-(65),
following Appendix J (Tables J1, J2, J5) and Tables 2, 2a, 2b, 3, 3a."""

import math

import numpy as np
from numba import njit

from ara_kernels import layout as L

SUMMER_FIRST = 5  # June (0-based) .. September: Table 3 summer values
SUMMER_LAST = 8
ELECTRIC_SHOWER = 4  # ShowerOutletTypeCode 4: instantaneous electric shower


@njit(cache=True, inline="always", error_model="numpy")
def occupancy(tfa, c):
    """Line (42), Table 1b: N = 1 + 1.76 [1 - exp(-0.000349 (TFA - 13.9)^2)]
    + 0.0013 (TFA - 13.9) when TFA > 13.9, else 1."""
    t0 = c[L.C_OCCUPANCY_TFA0]
    if tfa <= t0:
        return 1.0
    d = tfa - t0
    return 1.0 + c[L.C_OCCUPANCY_A] * (1.0 - math.exp(-c[L.C_OCCUPANCY_B] * d * d)) \
        + c[L.C_OCCUPANCY_C] * d


@njit(cache=True, error_model="numpy")
def occupancy_many(tfa, c):
    """Line (42) for an array of floor areas (used when resolving Table 13 inputs)."""
    out = np.empty(tfa.size)
    for i in range(tfa.size):
        out[i] = occupancy(tfa[i], c)
    return out


@njit(cache=True, inline="always", error_model="numpy")
def baths_per_day(n, baths, showers, c):
    """Appendix J eqs J6-J8: baths a day with a shower and bath, no shower, or none."""
    if showers > 0:
        if baths <= 0:
            return 0.0
        return c[L.C_BATHS_WITH_SHOWER_A] * n + c[L.C_BATHS_WITH_SHOWER_B]
    return c[L.C_BATHS_NO_SHOWER_A] * n + c[L.C_BATHS_NO_SHOWER_B]


@njit(cache=True, inline="always", error_model="numpy")
def showers_per_outlet(n, baths, sh_lo, sh_hi, c):
    """Appendix J: showers a day per outlet, N_shower / N_outlets with N_shower =
    0.45 N + 0.65 when a bath is present, 0.58 N + 0.83 when none is (J1)."""
    outlets = sh_hi - sh_lo
    if outlets <= 0:
        return 0.0
    if baths > 0:
        return (c[L.C_SHOWERS_WITH_BATH_A] * n + c[L.C_SHOWERS_WITH_BATH_B]) / outlets
    return (c[L.C_SHOWERS_NO_BATH_A] * n + c[L.C_SHOWERS_NO_BATH_B]) / outlets


@njit(cache=True, inline="always", error_model="numpy")
def daily_volumes(m, n_bath, other_daily, t_cold, f_beh, j2, per_outlet, sh_lo, sh_hi,
                  sh_type, sh_flow, c):
    """Lines (42a)m mixer showers, (42b)m baths and (42c)m other uses, litres of hot water a
    day in month m (electric showers heat their own water: see (64a))."""
    t_hot = c[L.C_HOT_WATER_TEMPERATURE]
    bath = n_bath * c[L.C_BATH_VOLUME] * f_beh[m] * (c[L.C_BATH_WARM_TEMPERATURE] - t_cold) \
        / (t_hot - t_cold)
    shower = 0.0
    for j in range(sh_lo, sh_hi):
        if sh_type[j] != ELECTRIC_SHOWER:
            shower += per_outlet * sh_flow[j] * c[L.C_SHOWER_MINUTES]
    shower *= f_beh[m] * (c[L.C_SHOWER_WARM_TEMPERATURE] - t_cold) / (t_hot - t_cold)
    other = other_daily * j2[m]
    return shower, bath, other


@njit(cache=True, inline="always", error_model="numpy")
def electric_showers_kwh(m, days, per_outlet, sh_lo, sh_hi, sh_type, sh_power, f_beh, c):
    """Line (64a)m, eqs J16-J18: sum over electric outlets of N_shower / N_outlets x
    f_beh,m x P x 0.1 h x n_m."""
    total = 0.0
    for j in range(sh_lo, sh_hi):
        if sh_type[j] == ELECTRIC_SHOWER:
            total += per_outlet * f_beh[m] * sh_power[j] * c[L.C_ELECTRIC_SHOWER_HOURS] * days
    return total


@njit(cache=True, inline="always", error_model="numpy")
def storage_loss_per_day(di, df, c):
    """Lines (47)-(55): cylinder loss, kWh/day, from a declared loss (48) x (49) or from
    Table 2 (51) x Table 2a (52) x Table 2b (53) x volume (47). Returns ((51), (52), (53),
    (55))."""
    if di[L.DI_HW_DELIVERY] != 3:
        return 0.0, 0.0, 0.0, 0.0
    tf = c[L.C_CYLINDER_TF_BASE]
    if di[L.DI_CYL_THERMOSTAT] == 0:
        tf *= c[L.C_CYLINDER_TF_NO_THERMOSTAT]
    if di[L.DI_HW_TIMED] == 1 and di[L.DI_PRIMARY_APPLIES] == 1:
        tf *= c[L.C_CYLINDER_TF_SEPARATELY_TIMED]
    declared = df[L.DF_CYL_DECLARED]
    if not math.isnan(declared):
        return 0.0, 0.0, tf, declared * tf  # (50) = (48) x (49)
    v = df[L.DF_CYL_VOL]
    t = df[L.DF_CYL_INS_MM]
    if di[L.DI_CYL_INS_TYPE] == 2:
        loss = c[L.C_CYLINDER_LOSS_BASE] \
            + c[L.C_CYLINDER_JACKET_A] / (t + c[L.C_CYLINDER_JACKET_T0])
    else:
        loss = c[L.C_CYLINDER_LOSS_BASE] \
            + c[L.C_CYLINDER_FACTORY_A] / (t + c[L.C_CYLINDER_FACTORY_T0])
    vf = (c[L.C_CYLINDER_VF_REFERENCE] / v) ** (1.0 / 3.0)
    return loss, vf, tf, v * loss * vf * tf  # (54) = (47) x (51) x (52) x (53)


@njit(cache=True, inline="always", error_model="numpy")
def primary_loss(m, days, di, c):
    """Line (59)m, Table 3: n_m x 14 x [(0.0091 p + 0.0245 (1 - p)) h + 0.0263]."""
    if di[L.DI_HW_DELIVERY] != 3 or di[L.DI_PRIMARY_APPLIES] != 1:
        return 0.0
    code = di[L.DI_PIPE_INSULATION]
    if code == 2:
        p = c[L.C_PRIMARY_P_FIRST_METRE]
    elif code == 3:
        p = c[L.C_PRIMARY_P_ACCESSIBLE]
    elif code == 4:
        p = c[L.C_PRIMARY_P_FULL]
    else:
        p = c[L.C_PRIMARY_P_UNINSULATED]
    h = c[L.C_PRIMARY_H_TIMED]
    if m < SUMMER_FIRST or m > SUMMER_LAST:
        if di[L.DI_CYL_THERMOSTAT] == 0:
            h = c[L.C_PRIMARY_H_NO_THERMOSTAT_WINTER]
        elif di[L.DI_HW_TIMED] == 0:
            h = c[L.C_PRIMARY_H_UNTIMED_WINTER]
    return days * c[L.C_PRIMARY_LOSS_DAYS_FACTOR] * (
        (c[L.C_PRIMARY_LOSS_INSULATED] * p + c[L.C_PRIMARY_LOSS_UNINSULATED] * (1.0 - p)) * h
        + c[L.C_PRIMARY_LOSS_CONSTANT])


@njit(cache=True, inline="always", error_model="numpy")
def combi_loss(days, daily_litres, di, c):
    """Line (61)m, Table 3a: 600 x fu x n_m / 365 without keep-hot (fu = min(1, V_d,m /
    100)), 600 x n_m / 365 with a timed keep-hot, 900 x n_m / 365 untimed."""
    if di[L.DI_HW_DELIVERY] != 2:
        return 0.0
    kh = di[L.DI_KEEP_HOT]
    if kh == 1:
        return c[L.C_COMBI_LOSS_KEEP_HOT_TIMED] * days / 365.0
    if kh == 2:
        return c[L.C_COMBI_LOSS_KEEP_HOT_UNTIMED] * days / 365.0
    fu = daily_litres / c[L.C_COMBI_FU_VOLUME]
    if fu > 1.0:
        fu = 1.0
    return c[L.C_COMBI_LOSS_NO_KEEP_HOT] * fu * days / 365.0


@njit(cache=True, inline="always", error_model="numpy")
def water_month(m, days, daily_litres, t_cold, storage_per_day, store_fraction, di, c):
    """Lines (45)m, (46)m, (56)m, (57)m, (59)m, (61)m, (62)m and (65)m for month m.
    ``store_fraction`` is (57)m / (56)m: [(47) - Vs] / (47) when the cylinder holds
    dedicated solar storage Vs (Appendix H (H12)), else 1. (64)m adds the WWHRS saving (63a)m
    and the climate-dependent (63b)m and (63c)m to (62)m (``ara_kernels.worksheet``)."""
    r45 = c[L.C_WATER_HEAT_CAPACITY] * daily_litres * days \
        * (c[L.C_HOT_WATER_TEMPERATURE] - t_cold) / 3600.0
    delivery = di[L.DI_HW_DELIVERY]
    r46 = 0.0 if delivery == 1 else c[L.C_DISTRIBUTION_LOSS_FACTOR] * r45
    r56 = storage_per_day * days
    r57 = r56 * store_fraction
    r59 = primary_loss(m, days, di, c)
    r61 = combi_loss(days, daily_litres, di, c)
    f85 = c[L.C_WATER_HEATER_OUTPUT_FACTOR]
    r62 = f85 * r45 + r46 + r57 + r59 + r61
    store_gain = r57 if di[L.DI_CYL_IN_HEATED] == 1 else 0.0
    r65 = c[L.C_WATER_GAINS_OUTPUT_FACTOR] * (f85 * r45 + r61) \
        + c[L.C_WATER_GAINS_LOSS_FACTOR] * (r46 + store_gain + r59)
    return r45, r46, r56, r57, r59, r61, r62, r65
