"""SAP 10.2 worksheet sections 11a-13a: energy cost rating (SAP), CO2 and the
environmental impact (EI) rating, lines (255)-(274)."""

import math

from numba import njit

from ara_kernels import layout as L


@njit(cache=True, inline="always", error_model="numpy")
def energy_cost_factor(total_cost_gbp, tfa, df, c):
    """(257) = deflator (256) x (255) / (TFA + 45)."""
    return df[L.DF_DEFLATOR] * total_cost_gbp / (tfa + c[L.C_CF_AREA_OFFSET])


@njit(cache=True, inline="always", error_model="numpy")
def sap_rating(ecf, df):
    """(258) continuous: a - b x ECF below the threshold, c - d x log10(ECF) above (the
    constants of the dwelling's rating method, SAP 10.2 or RdSAP 10)."""
    if ecf < df[L.DF_ECF_THRESHOLD]:
        return df[L.DF_LIN_A] - df[L.DF_LIN_B] * ecf
    return df[L.DF_LOG_C] - df[L.DF_LOG_D] * math.log10(ecf)


@njit(cache=True, inline="always", error_model="numpy")
def ei_rating(co2_kg, tfa, c):
    """(273)-(274): CF = CO2 / (TFA + 45); EI = 100 - 1.34 CF below 28.3, else
    200 - 95 log10(CF)."""
    cf = co2_kg / (tfa + c[L.C_CF_AREA_OFFSET])
    if cf < c[L.C_EI_THRESHOLD]:
        return c[L.C_EI_LINEAR_A] - c[L.C_EI_LINEAR_B] * cf
    return c[L.C_EI_LOG_C] - c[L.C_EI_LOG_D] * math.log10(cf)
