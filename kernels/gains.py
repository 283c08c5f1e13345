"""SAP 10.2 worksheet section 5: internal gains, lines (66)-(73), with Appendix L
(lighting, appliances, cooking) and Table 5 / Table 5a."""

from numba import njit

from ara_kernels import layout as L

HEATING_SEASON_OFF_FIRST = 5  # June (0-based) .. September: pump gains are zero (Table 5a a)
HEATING_SEASON_OFF_LAST = 8


@njit(cache=True, inline="always", error_model="numpy")
def lighting_annual(tfa, n, tfa_n_pow, op_lo, op_hi, op_kind, op_area, op_gl, op_ff,
                    light_access, li_lo, li_hi, li_count, li_power, li_eff, recorded, c, out,
                    at):
    """Appendix L lines L1-L9d into ``out[at:at+13]``: L1, L2a, L2b, L3, L4, L5, L6, L7,
    L8, L9a, L9b, L9c, L9d. ``tfa_n_pow``: (TFA x N) to the Appendix L exponent, shared with L13."""
    l1 = c[L.C_LIGHTING_L1_A] * c[L.C_LIGHTING_L1_B] * tfa_n_pow
    gl = 0.0  # L2a daylight factor
    for j in range(op_lo, op_hi):
        if op_kind[j] == L.OK_DOOR:
            continue
        # g_L enters, like g, as 0.9 x its normal-incidence value (worksheet column)
        gl += c[L.C_DAYLIGHT_GLAZING_FACTOR] * c[L.C_GLAZING_G_TO_SOLAR_TRANSMITTANCE] \
            * op_area[j] * op_gl[j] * op_ff[j] * light_access
    gl /= tfa
    if gl <= c[L.C_DAYLIGHT_THRESHOLD]:
        cd = c[L.C_DAYLIGHT_C2] * gl * gl + c[L.C_DAYLIGHT_C1] * gl + c[L.C_DAYLIGHT_C0]
    else:
        cd = c[L.C_DAYLIGHT_ABOVE_THRESHOLD]
    l3 = c[L.C_LIGHTING_FIXED_SHARE] * l1 * cd
    l4 = c[L.C_LIGHTING_REFERENCE_CAPACITY] * tfa
    capacity = 0.0
    power = 0.0
    for j in range(li_lo, li_hi):
        capacity += li_count[j] * li_power[j] * li_eff[j]
        power += li_count[j] * li_power[j]
    if power > 0.0:
        l5 = capacity
        l8 = capacity / power
    elif recorded:  # fixed lighting recorded with no outlets: no fixed lighting energy
        l5 = 0.0
        l8 = 0.0
    else:  # no fixed-lighting data: default capacity and efficacy
        l5 = c[L.C_LIGHTING_DEFAULT_CAPACITY] * tfa
        l8 = c[L.C_LIGHTING_DEFAULT_EFFICACY]
    l6 = l3 * l5 / l4  # L6 fixed lighting provision
    l7 = max(0.0, l3 * c[L.C_LIGHTING_PORTABLE_SHARE] - l6)  # L7 top-up below L4 / 3
    l9a = l3 / l8 if l8 > 0.0 else 0.0
    l9b = l7 / c[L.C_LIGHTING_DEFAULT_EFFICACY]
    l9c = c[L.C_LIGHTING_PORTABLE_SHARE] * l1 * cd / c[L.C_LIGHTING_DEFAULT_EFFICACY]
    out[at + 0] = l1
    out[at + 1] = gl
    out[at + 2] = cd
    out[at + 3] = l3
    out[at + 4] = l4
    out[at + 5] = l5
    out[at + 6] = l6
    out[at + 7] = l7
    out[at + 8] = l8
    out[at + 9] = l9a
    out[at + 10] = l9b
    out[at + 11] = l9c
    out[at + 12] = l9a + l9b + l9c


@njit(cache=True, inline="always", error_model="numpy")
def monthly_share(annual, m, days, profile):
    """Appendix L: annual x profile_m x n_m / 365, with profile_m = 1 + amplitude x
    cos(2 pi (m - phase) / 12) tabulated once (``lighting_profile``/``appliance_profile``)."""
    return annual * profile[m] * days / 365.0


@njit(cache=True, inline="always", error_model="numpy")
def pump_gain(age, c):
    """Table 5a central heating pump in the heated space, by pump age (-1: none)."""
    if age < 0:
        return 0.0
    if age == 2:
        return c[L.C_PUMP_GAIN_2013_OR_LATER]
    if age == 1:
        return c[L.C_PUMP_GAIN_2012_OR_EARLIER]
    return c[L.C_PUMP_GAIN_UNKNOWN]


@njit(cache=True, inline="always", error_model="numpy")
def pumps_fans_gain(m, volume, di, df, c):
    """Line (70)m, Table 5a: circulation pumps and warm-air fans, heating season only."""
    if HEATING_SEASON_OFF_FIRST <= m <= HEATING_SEASON_OFF_LAST:
        return 0.0
    g = pump_gain(di[L.DI_PUMP1_AGE], c) + pump_gain(di[L.DI_PUMP2_AGE], c)
    g += df[L.DF_WARM_AIR_SFP] * c[L.C_WARM_AIR_FAN_GAIN] * volume
    return g
