"""SAP 10.2 worksheet section 7: mean internal temperature in the heating season,
lines (85)-(93), Tables 9, 9a, 9b, 9c and the Table 4e adjustment; for heat pumps with a
daily heating duration other than 9 hours, Appendix N3.5 equation N5."""

from numba import njit

from ara_kernels import layout as L


@njit(cache=True, inline="always", error_model="numpy")
def utilisation_factor(gains_w, loss_rate_w, a):
    """Table 9a: eta = (1 - g^a) / (1 - g^(a+1)) with g = gains / loss; a / (a + 1) when
    g = 1; 1 when the loss rate is not positive."""
    if loss_rate_w <= 0.0:
        return 1.0
    g = gains_w / loss_rate_w
    if g <= 0.0:
        return 1.0
    if abs(g - 1.0) < 1e-12:
        return a / (a + 1.0)
    ga = g ** a
    return (1.0 - ga) / (1.0 - ga * g)


@njit(cache=True, inline="always", error_model="numpy")
def off_period_drop(t_off, t_h, t_sc, t_c):
    """Table 9b: temperature reduction u for an off period of t_off hours."""
    if t_off <= t_c:
        return 0.5 * t_off * t_off * (t_h - t_sc) / (24.0 * t_c)
    return (t_h - t_sc) * (t_off - 0.5 * t_c) / 24.0


@njit(cache=True, inline="always", error_model="numpy")
def zone_temperature(t_h, t_e, h, gains, a, tau, r, off1, off2, c, n24, n16, nm):
    """Mean temperature of one zone (Table 9c steps 1-3): utilisation with the zone's
    demand temperature, then the two daily off periods of Table 9b. Returns (eta, T).

    Appendix N3.5 equation N5 when ``n24``/``n16`` of the month's ``nm`` days are heated
    for 24 h (T = Th) or 16 h (one off period, Table N4): T = [N24,9 Th + N16,9 T_uni +
    (Nm - N24,9 - N16,9) T_bi] / Nm; with neither, the Table 9c temperature unchanged."""
    eta = utilisation_factor(gains, h * (t_h - t_e), a)
    t_c = c[L.C_COOLING_TIME_BASE] + c[L.C_COOLING_TIME_FACTOR] * tau
    t_sc = (1.0 - r) * (t_h - c[L.C_SETBACK_DROP]) + r * (t_e + eta * gains / h)
    u = off_period_drop(off1, t_h, t_sc, t_c) + off_period_drop(off2, t_h, t_sc, t_c)
    t_bi = t_h - u
    if n24 <= 0.0 and n16 <= 0.0:
        return eta, t_bi
    t_uni = t_h - off_period_drop(c[L.C_HP_UNIMODAL_OFF_HOURS], t_h, t_sc, t_c)
    return eta, (n24 * t_h + n16 * t_uni + (nm - n24 - n16) * t_bi) / nm


@njit(cache=True, inline="always", error_model="numpy")
def elsewhere_demand_temperature(hlp, control_type, c):
    """Table 9 T_h2: 21 - 0.5 HLP (control type 1) or 21 - HLP + HLP^2 / 12 (types 2, 3),
    HLP capped at 6 (note e)."""
    x = min(hlp, c[L.C_HLP_CAP])
    t1 = c[L.C_LIVING_AREA_HEATING_TEMPERATURE]
    if control_type == 1:
        return t1 - c[L.C_ELSEWHERE_TYPE1_HLP_FACTOR] * x
    return t1 - x + x * x / c[L.C_ELSEWHERE_TYPE23_HLP_DIVISOR]


@njit(cache=True, inline="always", error_model="numpy")
def mean_internal_temperature(t_e, h, hlp, tmp, gains, f_living, r, control_type, adj, c,
                              n24, n16, nm):
    """Lines (85)-(93) for one month, returned in order: tau, a, (86), (87), (88), (89),
    (90), (92), (93). ``n24``/``n16``: the month's days at 24 h / 16 h heating of a heat
    pump (Appendix N3.5), 0 for the standard schedule; ``nm`` days in the month."""
    tau = tmp / (c[L.C_TIME_CONSTANT_DIVISOR] * hlp)  # Table 9a
    a = c[L.C_UTILISATION_A0] + tau / c[L.C_UTILISATION_TAU_DIVISOR]
    off1 = c[L.C_OFF_HOURS_1]
    off2 = c[L.C_OFF_HOURS_2]
    t_h1 = c[L.C_LIVING_AREA_HEATING_TEMPERATURE]  # (85)
    eta1, t1 = zone_temperature(t_h1, t_e, h, gains, a, tau, r, off1, off2, c, n24,
                                  n16, nm)  # (86) (87)
    t_h2 = elsewhere_demand_temperature(hlp, control_type, c)  # (88)
    off_e = c[L.C_OFF_HOURS_TYPE3] if control_type == 3 else off1
    eta2, t2 = zone_temperature(t_h2, t_e, h, gains, a, tau, r, off_e, off2, c, n24,
                                  n16, nm)  # (89) (90)
    t92 = f_living * t1 + (1.0 - f_living) * t2  # (92)
    return tau, a, eta1, t1, t_h2, eta2, t2, t92, t92 + adj  # (93): Table 4e adjustment
