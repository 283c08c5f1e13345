"""SAP 10.2 worksheet section 8: space heating requirement, lines (94)-(99)."""

from numba import njit

from ara_kernels import layout as L
from ara_kernels.internal_temperature import utilisation_factor

HEATING_OFF_FIRST = 5  # June (0-based) .. September: no space heating requirement
HEATING_OFF_LAST = 8


@njit(cache=True, inline="always", error_model="numpy")
def space_heating_month(m, days, t_mean, t_e, h, gains, a, c):
    """Lines (94)m eta, (95)m useful gains, (97)m heat loss rate and (98)m kWh:
    (98)m = 0.024 x [(97)m - (95)m] x n_m in the heating season, not below zero."""
    loss = h * (t_mean - t_e)  # (97)
    eta = utilisation_factor(gains, loss, a)  # (94)
    useful = eta * gains  # (95)
    if HEATING_OFF_FIRST <= m <= HEATING_OFF_LAST:
        return eta, useful, loss, 0.0
    q = c[L.C_SPACE_HEATING_KWH_FACTOR] * (loss - useful) * days
    if q < 0.0:
        q = 0.0
    return eta, useful, loss, q
