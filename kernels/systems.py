"""SAP 10.2 worksheet section 9: energy requirements of the heating and hot water systems,
lines (201)-(232), with Appendix D (eq. D1) for boilers that also heat water."""

from numba import njit

from ara_kernels import layout as L


@njit(cache=True, inline="always", error_model="numpy")
def heat_shares(df):
    """Lines (201)-(205): secondary fraction, main fraction, main 2 share and the fractions
    of total heat from main 1 and main 2."""
    r201 = df[L.DF_SEC_FRAC]
    r202 = 1.0 - r201
    r203 = df[L.DF_MAIN2_FRAC]
    r204 = r202 * (1.0 - r203)
    r205 = r202 * r203
    return r201, r202, r203, r204, r205


@njit(cache=True, inline="always", error_model="numpy")
def fuel_for_heat(heat_kwh, share, efficiency_pct):
    """(211)m / (213)m / (215)m = (98)m x share x 100 / efficiency."""
    if share <= 0.0:
        return 0.0
    return heat_kwh * share * 100.0 / efficiency_pct


@njit(cache=True, inline="always", error_model="numpy")
def water_efficiency(q_space_kwh, q_water_kwh, winter_pct, summer_pct):
    """Appendix D eq. D1: monthly efficiency of a boiler heating space and water,
    (Q_space + Q_water) / (Q_space / eta_winter + Q_water / eta_summer)."""
    if q_water_kwh <= 0.0 and q_space_kwh <= 0.0:
        return summer_pct
    return (q_space_kwh + q_water_kwh) / (q_space_kwh / winter_pct + q_water_kwh / summer_pct)


@njit(cache=True, inline="always", error_model="numpy")
def pumps_fans_kwh(volume, df):
    """Line (231): Table 4f pumps, flue fans and oil pumps (fixed kWh, resolved from the
    systems) plus fans proportional to volume (warm air SFP x 0.4 x V, mechanical
    ventilation IUF x SFP x 1.22 x V)."""
    return df[L.DF_PUMPS_FIXED] + df[L.DF_FANS_PER_M3] * volume


@njit(cache=True, inline="always", error_model="numpy")
def water_efficiency_month(blend, q_space_main1, q_space_main2, q_water_kwh, df):
    """Line (217)m: Appendix D eq. D1 with the space heat of main 1 (``blend`` 1) or main 2
    (2) that also heats the water, else the fixed water heating efficiency."""
    if blend == 1:
        return water_efficiency(q_space_main1, q_water_kwh, df[L.DF_WATER_EFF_WINTER],
                                df[L.DF_WATER_EFF_SUMMER])
    if blend == 2:
        return water_efficiency(q_space_main2, q_water_kwh, df[L.DF_WATER_EFF_WINTER],
                                df[L.DF_WATER_EFF_SUMMER])
    return df[L.DF_WATER_EFF]
