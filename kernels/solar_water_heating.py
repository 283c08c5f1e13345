"""SAP 10.2 Appendix H: solar water heating by the monthly method (lines (H1)-(H24), entered
in section 4 as (63c)m = -(H24)m), and Appendix G4: PV diverters ((63b)m).

Hot-water-only collectors: (H18) = 1 (the space-heating path (H25)-(H29) and the (H18) blend
are not transcribed and such systems are rejected before the kernel). (H17)m = (62)m +
(63a)m, the demand net of an instantaneous WWHRS (Appendix G3). Constants and their status:
``spec/tables/sap10_2_appendix_h_solar_water_heating.csv`` and
``sap10_2_appendix_g4_pv_diverter.csv``.
"""

from numba import njit

from ara_kernels import layout as L


@njit(cache=True, inline="always", error_model="numpy")
def solar_dwelling(df, c):
    """Lines (H11), (H14), (H15) and (H16) of the dwelling's collector and store:
    (H11) = (H3) + 40 x (H4) + (H10) / (H1); (H14) = (H12) for a separate store, else
    (H12) + 0.3 x [(H13) - (H12)]; (H15) = 75 x (H1); (H16) = [(H15) / (H14)]^0.25."""
    area = df[L.DF_SOLAR_AREA]
    h11 = df[L.DF_SOLAR_A1] + c[L.C_SOLAR_LOOP_A2_DT] * df[L.DF_SOLAR_A2] \
        + df[L.DF_SOLAR_LOOP_LOSS] / area
    h12 = df[L.DF_SOLAR_VOLUME]
    h13 = df[L.DF_SOLAR_COMBINED_VOLUME]
    h14 = h12
    if h13 > 0.0:
        h14 = h12 + c[L.C_SOLAR_COMBINED_REMAINDER] * (h13 - h12)
    h15 = c[L.C_SOLAR_REFERENCE_VOLUME] * area
    h16 = (h15 / h14) ** c[L.C_SOLAR_STORAGE_EXPONENT]
    return h11, h14, h15, h16


@njit(cache=True, inline="always", error_model="numpy")
def storage_fraction(df):
    """(57)m / (56)m: [(47) - (H12)] / (47) when the cylinder holds the dedicated solar
    storage (a combined cylinder, (H13) = (47)), else 1."""
    h13 = df[L.DF_SOLAR_COMBINED_VOLUME]
    if h13 > 0.0:
        return (h13 - df[L.DF_SOLAR_VOLUME]) / h13
    return 1.0


@njit(cache=True, inline="always", error_model="numpy")
def solar_month(days, h17, t_cold, t_e, flux_w_per_m2, h11, h16, df, c):
    """Lines (H7)m, (H9)m, (H20)m-(H24)m of one month. ``flux_w_per_m2`` is the Appendix U3.2
    24-hour mean flux on the collector plane; ``h17`` the month's demand (H17) = (62)m +
    (63a)m.

    (H7) = 0.024 x n_m x S (U3.3, kWh/m2); (H9) = (H1) (H2) (H7) (H8);
    (H20) = 55 + 3.86 Tcold - 1.32 Te; (H21) = (H20) - Te;
    (H22) X = (H18) (H1) (H11) (H5) (H21) (H16) 24 n_m / [1000 (H17)], within [0, 18];
    (H23) Y = (H18) (H6) (H5) (H9) 24 n_m / [1000 (H17)], at least 0 (the hours factor
    applied again after U3.3, as printed and as accredited software computes it);
    (H24) = (Ca Y + Cb X + Cc Y^2 + Cd X^2 + Ce Y^3 + Cf X^3) (H17), within [0, (H17)]."""
    area = df[L.DF_SOLAR_AREA]
    hours = 24.0 * days
    h7 = flux_w_per_m2 * hours / 1000.0
    h9 = area * df[L.DF_SOLAR_ETA0] * h7 * df[L.DF_SOLAR_Z]
    h20 = c[L.C_SOLAR_TREF_BASE] + c[L.C_SOLAR_TREF_COLD] * t_cold \
        + c[L.C_SOLAR_TREF_EXTERNAL] * t_e
    h21 = h20 - t_e
    if h17 <= 0.0:
        return h7, h9, h20, h21, 0.0, 0.0, 0.0
    h18 = 1.0
    loop = df[L.DF_SOLAR_LOOP_EFF]
    x = h18 * area * h11 * loop * h21 * h16 * hours / (1000.0 * h17)
    x = min(max(x, 0.0), c[L.C_SOLAR_X_MAX])
    y = h18 * df[L.DF_SOLAR_IAM] * loop * h9 * hours / (1000.0 * h17)
    y = max(y, 0.0)
    fraction = c[L.C_SOLAR_H3_CA] * y + c[L.C_SOLAR_H3_CB] * x + c[L.C_SOLAR_H3_CC] * y * y \
        + c[L.C_SOLAR_H3_CD] * x * x + c[L.C_SOLAR_H3_CE] * y * y * y \
        + c[L.C_SOLAR_H3_CF] * x * x * x
    h24 = min(max(fraction * h17, 0.0), h17)
    return h7, h9, h20, h21, x, y, h24


@njit(cache=True, inline="always", error_model="numpy")
def diverted_kwh(e_pv, beta, r62w, c):
    """Appendix G4 step 4: S = E_PV,m x (1 - beta_m) x 0.8 x 0.9, at most ``r62w`` = (62)m +
    (63a)m; (63b)m = -S."""
    s = e_pv * (1.0 - beta) * c[L.C_DIVERTER_SURPLUS_FRACTION] * c[L.C_DIVERTER_STORAGE_LOSS]
    if s > r62w:
        s = r62w
    if s < 0.0:
        s = 0.0
    return s
