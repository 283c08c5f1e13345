"""SAP 10.2 Appendix G3: instantaneous waste water heat recovery systems (WWHRS), entered in
section 4 as (63a)m = -(S_1,m + S_2,m).

The SAP 10.2 text of G3 was not readable. This is the SAP 2009 equation (G10) lineage,
evaluated on SAP 10.2's own Appendix J shower volumes (decision 0024): the warm water of the
mixer showers draining to a system carries 4.18 x (35 - Tcold,m) / 3600 kWh per litre to the
heat exchanger, which recovers the product's PCDB efficiency times its utilisation factor of
it. Storage WWHRS are rejected before the kernel. Constants and their status:
``spec/tables/sap10_2_appendix_g3_wwhrs.csv``.
"""

from numba import njit

from ara_kernels import layout as L


@njit(cache=True, inline="always", error_model="numpy")
def instantaneous_month(days, per_outlet, f_beh, t_cold, flow_l_per_min, efficiency_percent,
                        utilisation, c):
    """One instantaneous WWHRS in one month: the warm water of its mixer showers
    V = N_shower / N_outlets x 6 min x f_beh,m x (sum of their flow rates) x n_m (litres),
    its heat content Q = 4.18 x V x (35 - Tcold,m) / 3600 (kWh) and the heat recovered
    S = Q x eta / 100 x U (kWh). Returns (V, Q, S)."""
    volume = per_outlet * flow_l_per_min * c[L.C_SHOWER_MINUTES] * f_beh * days
    heat = c[L.C_WATER_HEAT_CAPACITY] * volume \
        * (c[L.C_WWHRS_DRAIN_TEMPERATURE] - t_cold) / 3600.0
    return volume, heat, heat * efficiency_percent / 100.0 * utilisation
