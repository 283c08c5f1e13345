"""The SAP 10.2 worksheet, sections 1-8, for a batch of dwellings.

``calculate_batch`` runs ``dwelling`` over every dwelling with ``prange`` over chunks of
``CHUNK`` dwellings; ``trace_dwelling`` runs it for one dwelling and records every worksheet
line. Months are the outer loop inside a dwelling, so no per-dwelling arrays are allocated
beyond one scratch row per thread.
"""

import numba
import numpy as np
from numba import njit, prange

from ara_kernels import layout as L
from ara_kernels.dimensions import dimensions
from ara_kernels.fabric import fabric
from ara_kernels.gains import lighting_annual, monthly_share, pumps_fans_gain
from ara_kernels.internal_temperature import mean_internal_temperature
from ara_kernels.pv import onsite_fraction, pv_generation
from ara_kernels.rating import ei_rating, energy_cost_factor, sap_rating
from ara_kernels.solar import flux_on_surface, inclined_abc, solar_gains
from ara_kernels.solar_water_heating import (
    diverted_kwh,
    solar_dwelling,
    solar_month,
    storage_fraction,
)
from ara_kernels.space_heating import (
    HEATING_OFF_FIRST,
    HEATING_OFF_LAST,
    space_heating_month,
)
from ara_kernels.systems import (
    fuel_for_heat,
    heat_shares,
    pumps_fans_kwh,
    water_efficiency_month,
)
from ara_kernels.ventilation import (
    effective_air_change,
    infiltration_rate,
    mechanical_rates,
    openings_m3_per_h,
    structural_infiltration,
)
from ara_kernels.waste_water_heat_recovery import instantaneous_month
from ara_kernels.water_heating import (
    baths_per_day,
    daily_volumes,
    electric_showers_kwh,
    occupancy,
    showers_per_outlet,
    storage_loss_per_day,
    water_month,
)


@njit(cache=True, error_model="numpy")
def _put(tr, line, value):
    if tr is not None:
        tr[line, 12] = value


@njit(cache=True, error_model="numpy")
def _putm(tr, line, m, value):
    if tr is not None:
        tr[line, m] = value


# ``_nrt=False``: no reference counting of the ~60 array arguments on every call and in the
# month loop (about 2,300 instructions a dwelling): ``dwelling`` allocates nothing and its
# arrays are owned by the caller
@njit(cache=True, _nrt=False, error_model="numpy")  # type: ignore[call-overload]
def dwelling(i, dfl, dfl_uk, rate_uk, dil, st_off, st_level, st_area, st_height,
             el_off, el_kind, el_area, el_u, el_kappa, el_y,
             op_off, op_kind, op_area, op_u, op_g, op_gl, op_ff, op_orient, op_tilt, op_host,
             op_y, tb_off, tb_len, tb_psi, li_off, li_count, li_power, li_eff,
             sh_off, sh_type, sh_flow, sh_power,
             pv_off, pv_kwp, pv_orient, pv_tilt, pv_z,
             days, temp, wind, solar_h, cos_lat_dec, k, cold, j2, fbeh, access, light_profile,
             app_profile, co2_tab, pe_tab, export_co2, export_pe, c, out, tr, sc):
    """Worksheet of dwelling ``i`` in its own climate region into ``out[i]``; with
    ``rate_uk`` a second pass in the UK-average climate (region 0, Appendix N values of
    ``dfl_uk``) then overwrites the ECF, SAP and EI ratings. Sections 1-4, Appendix L and
    the monthly water heating and internal gains do not depend on the climate: the second
    pass reuses them (the same numbers, computed once)."""
    df = dfl[i]
    di = dil[i]
    o = out[i]
    # ---- section 1: dimensions (1)-(5)
    tfa, volume, distinct_levels = dimensions(st_off[i], st_off[i + 1], st_level, st_area,
                                              st_height)
    _put(tr, L.T_4, tfa)
    _put(tr, L.T_5, volume)
    # ---- section 2: ventilation (6a)-(21)
    r6a, r6b, r6c, r6d, r6e, r6f, r7a, r7b, r7c, m3h = openings_m3_per_h(di, c)
    r8 = m3h / volume  # (8)
    storeys = di[L.DI_STOREY_COUNT]
    if storeys <= 0:
        storeys = distinct_levels
    r10, r11, r12, r13, r14, r15, r16 = structural_infiltration(r8, storeys, di, df, c)
    r17, r18, r19, r20, r21 = infiltration_rate(r8, r16, di, df, c)
    r23a, r23b, r23c = mechanical_rates(di, df, c)
    vt = di[L.DI_VENT_TYPE]
    if tr is not None:
        for line, v in ((L.T_6A, r6a), (L.T_6B, r6b), (L.T_6C, r6c), (L.T_6D, r6d),
                        (L.T_6E, r6e), (L.T_6F, r6f), (L.T_7A, r7a), (L.T_7B, r7b),
                        (L.T_7C, r7c), (L.T_8, r8), (L.T_9, float(storeys)), (L.T_10, r10),
                        (L.T_11, r11), (L.T_12, r12), (L.T_13, r13), (L.T_14, r14),
                        (L.T_15, r15), (L.T_16, r16), (L.T_17, r17), (L.T_18, r18),
                        (L.T_19, float(r19)), (L.T_20, r20), (L.T_21, r21), (L.T_23A, r23a),
                        (L.T_23B, r23b), (L.T_23C, r23c)):
            tr[line, 12] = v
    # ---- section 3: fabric (26)-(37)
    fabric(el_off[i], el_off[i + 1], el_kind, el_area, el_u, el_kappa, el_y,
           op_off[i], op_off[i + 1], op_kind, op_area, op_u, op_host, op_y,
           tb_off[i], tb_off[i + 1], tb_len, tb_psi, tfa, df[L.DF_TMP], c, sc, L.S_FABRIC)
    fl = sc[L.S_FABRIC:L.S_FABRIC + 16]
    if tr is not None:
        fabric_lines = (L.T_26, L.T_27, L.T_27A, L.T_28, L.T_28A, L.T_28B, L.T_29, L.T_29A,
                        L.T_30, L.T_31, L.T_32, L.T_33, L.T_34, L.T_35, L.T_36, L.T_37)
        for q in range(16):
            tr[fabric_lines[q], 12] = fl[q]
    r37 = fl[15]
    tmp = fl[13]
    # ---- section 4: annual quantities
    n = occupancy(tfa, c)  # (42)
    showers = sh_off[i + 1] - sh_off[i]
    baths = di[L.DI_BATHS]
    if baths < 0:
        baths = 0 if showers > 0 else 1
    n_bath = baths_per_day(n, baths, showers, c)
    per_outlet = showers_per_outlet(n, baths, sh_off[i], sh_off[i + 1], c)
    other_daily = c[L.C_OTHER_USES_A] * n + c[L.C_OTHER_USES_B]
    if di[L.DI_TARGET_125] == 1:
        other_daily *= c[L.C_WATER_TARGET_FACTOR]
    cold_row = 1 if di[L.DI_COLD_SOURCE] == 2 else 0
    r51, r52, r53, r55 = storage_loss_per_day(di, df, c)
    r43 = 0.0
    for m in range(12):
        sh, ba, ot = daily_volumes(m, n_bath, other_daily, cold[cold_row, m], fbeh, j2,
                                   per_outlet, sh_off[i], sh_off[i + 1], sh_type, sh_flow, c)
        r43 += (sh + ba) * days[m] / 365.0
        sc[L.S_42A + m] = sh  # (42a)m-(42c)m again in the month loop
        sc[L.S_42B + m] = ba
        sc[L.S_42C + m] = ot
    r43 += other_daily
    # Appendix H solar water heating: the collector and store lines (H10)-(H16) and the
    # (57) share of the cylinder outside the dedicated solar storage
    solar_on = di[L.DI_SOLAR] == 1
    store_fraction = 1.0
    h11 = h16 = 0.0
    if solar_on:
        h11, h14, h15, h16 = solar_dwelling(df, c)
        store_fraction = storage_fraction(df)
        if tr is not None:
            for line, v in ((L.T_H1, df[L.DF_SOLAR_AREA]), (L.T_H2, df[L.DF_SOLAR_ETA0]),
                            (L.T_H3, df[L.DF_SOLAR_A1]), (L.T_H4, df[L.DF_SOLAR_A2]),
                            (L.T_H5, df[L.DF_SOLAR_LOOP_EFF]), (L.T_H6, df[L.DF_SOLAR_IAM]),
                            (L.T_H8, df[L.DF_SOLAR_Z]), (L.T_H10, df[L.DF_SOLAR_LOOP_LOSS]),
                            (L.T_H11, h11), (L.T_H12, df[L.DF_SOLAR_VOLUME]),
                            (L.T_H13, df[L.DF_SOLAR_COMBINED_VOLUME]), (L.T_H14, h14),
                            (L.T_H15, h15), (L.T_H16, h16),
                            (L.T_230G, df[L.DF_SOLAR_PUMP])):
                tr[line, 12] = v
    # Appendix G3 instantaneous WWHRS: (63a)m from the connected mixer showers (the same in
    # both passes: kept in the scratch row for the rating pass)
    wwhrs_on = di[L.DI_WWHRS] == 1
    if wwhrs_on and tr is not None:
        for line, v in ((L.T_ETA_WW1, df[L.DF_WWHRS1_EFF]), (L.T_U_WW1, df[L.DF_WWHRS1_UTIL]),
                        (L.T_ETA_WW2, df[L.DF_WWHRS2_EFF]), (L.T_U_WW2, df[L.DF_WWHRS2_UTIL])):
            tr[line, 12] = v
    # Appendix G4 PV diverter: the conditions known before the kernel, and a cylinder larger
    # than the daily hot water volume (43)
    diverter_on = di[L.DI_PV_DIVERTER] == 1 and di[L.DI_HW_DELIVERY] == 3 \
        and df[L.DF_CYL_VOL] > r43
    _put(tr, L.T_42, n)
    _put(tr, L.T_43, r43)
    _put(tr, L.T_47, df[L.DF_CYL_VOL] if di[L.DI_HW_DELIVERY] == 3 else 0.0)
    _put(tr, L.T_51, r51)
    _put(tr, L.T_52, r52)
    _put(tr, L.T_53, r53)
    _put(tr, L.T_55, r55)
    # ---- Appendix L annual lighting, appliances, cooking
    ov = di[L.DI_OVERSHADING]
    tfa_n_pow = (tfa * n) ** c[L.C_LIGHTING_EXPONENT]  # in L1 and L13
    lighting_annual(tfa, n, tfa_n_pow, op_off[i], op_off[i + 1], op_kind, op_area, op_gl, op_ff,
                    access[ov, 2], li_off[i], li_off[i + 1], li_count, li_power, li_eff,
                    di[L.DI_LIGHTS_RECORDED] == 1, c, sc, L.S_LIGHT)
    lt = sc[L.S_LIGHT:L.S_LIGHT + 13]
    if tr is not None:
        l_lines = (L.T_L1, L.T_L2A, L.T_L2B, L.T_L3, L.T_L4, L.T_L5, L.T_L6, L.T_L7, L.T_L8,
                   L.T_L9A, L.T_L9B, L.T_L9C, L.T_L9D)
        for q in range(13):
            tr[l_lines[q], 12] = lt[q]
    appliances = c[L.C_APPLIANCE_A] * tfa_n_pow  # L13
    cooking = c[L.C_COOKING_ELECTRICITY_A] + c[L.C_COOKING_ELECTRICITY_B] * n  # L20
    _put(tr, L.T_L13, appliances)
    _put(tr, L.T_L20, cooking)
    f_living = df[L.DF_LIVING_AREA] / tfa  # (91)
    _put(tr, L.T_91, f_living)
    _put(tr, L.T_85, c[L.C_LIVING_AREA_HEATING_TEMPERATURE])
    # ---- the climate-dependent rest: pass 0 in the dwelling's region; pass 1 (rate_uk) in
    # UK-average climate for the ratings only
    for rating_pass in range(2 if rate_uk else 1):
        # with ``keep`` (the rating pass) the climate-independent monthly values are read
        # back from the scratch row where the dwelling's own pass stored them, and only the
        # ratings (ECF, SAP, EI) are written to ``o``; trace_dwelling never asks for it
        keep = rating_pass == 1
        if keep:
            region = 0
            df = dfl_uk[i]
        else:
            region = di[L.DI_REGION]
        # ---- section 9a annual quantities
        r201, r202, r203, r204, r205 = heat_shares(df)
        r231 = pumps_fans_kwh(volume, df)
        eff1 = df[L.DF_EFF_MAIN1]
        eff2 = df[L.DF_EFF_MAIN2]
        eff_sec = df[L.DF_EFF_SEC]
        blend = di[L.DI_WATER_BLEND]
        f_main1 = di[L.DI_FUEL_MAIN1]
        f_main2 = di[L.DI_FUEL_MAIN2]
        f_sec = di[L.DI_FUEL_SEC]
        f_water = di[L.DI_FUEL_WATER]
        f_elec = di[L.DI_FUEL_ELEC]
        pv_demand = di[L.DI_PV_DEMAND]
        if tr is not None:
            for line, v in ((L.T_201, r201), (L.T_202, r202), (L.T_203, r203), (L.T_204, r204),
                            (L.T_205, r205), (L.T_206, eff1),
                            (L.T_207, eff2 if r205 > 0.0 else 0.0),
                            (L.T_208, eff_sec if r201 > 0.0 else 0.0),
                            (L.T_231, r231)):
                tr[line, 12] = v
        s211 = s213 = s215 = s219 = s_used = s_exported = s_pv = 0.0
        co2_space = co2_water = co2_pumps = co2_light = co2_pv = 0.0
        pe_space = pe_water = pe_pumps = pe_light = pe_pv = 0.0
        # ---- monthly: sections 2 (22)-(25), 3 (38)-(40), 4, 5, 6, 7, 8, 9a, 10a, 12a, 13a
        # (83)m and E_PV,m of both passes in the dwelling's own pass: the openings' and
        # arrays' Appendix U3 coefficients do not depend on the climate
        if not keep:
            at_uk = L.S_SOLAR_UK if rate_uk else -1
            solar_gains(region, op_off[i], op_off[i + 1], op_kind, op_area, op_g, op_ff,
                        op_orient, op_tilt, access[ov, 0], solar_h, cos_lat_dec, k, c, sc,
                        L.S_SOLAR, 0, at_uk)
            at_uk = L.S_PV_UK if rate_uk else -1
            pv_generation(days, region, pv_off[i], pv_off[i + 1], pv_kwp, pv_orient, pv_tilt,
                          pv_z, solar_h, cos_lat_dec, k, c, sc, L.S_PV, 0, at_uk)
        at_solar = L.S_SOLAR_UK if keep else L.S_SOLAR
        at_pv = L.S_PV_UK if keep else L.S_PV
        # the collector plane (Appendix U3.2 coefficients), once per pass
        col_a = col_b = col_c = 0.0
        if solar_on:
            col_a, col_b, col_c = inclined_abc(di[L.DI_SOLAR_ORIENT], df[L.DF_SOLAR_TILT], k)
        s63a = s63b = s63c = s_h7 = s_h9 = s_h17 = 0.0
        s_v1 = s_q1 = s_s1 = s_v2 = s_q2 = s_s2 = 0.0
        s25 = s38 = s39 = s40 = 0.0
        s45 = s46 = s57 = s59 = s61 = s64 = s64a = s65 = 0.0
        s_light = s_app = s_cook = s73 = s83 = s93 = s98 = 0.0
        s_n24 = s_n16 = 0.0
        wind_div = c[L.C_WIND_FACTOR_DIVISOR]
        for m in range(12):
            nm = days[m]
            t_e = temp[region, m]
            # the rating pass needs (22)-(40) and (85)-(93) only for (98)m, which is zero by
            # definition in June-September
            heat = not (keep and HEATING_OFF_FIRST <= m <= HEATING_OFF_LAST)
            r22 = r22a = r22b = r25 = r38 = r39 = r40 = 0.0
            if heat:
                # (22)-(25)
                r22 = wind[region, m]
                r22a = r22 / wind_div
                r22b = r21 * r22a
                r25 = effective_air_change(r22b, vt, r23b, r23c, c)
                r38 = c[L.C_AIR_HEAT_CAPACITY] * r25 * volume
                r39 = r37 + r38
                r40 = r39 / tfa
                s25 += r25
                s38 += r38
                s39 += r39
                s40 += r40
            r63a = 0.0
            if keep:
                r62 = sc[L.S_KEEP_62 + m]
                if wwhrs_on:
                    r63a = sc[L.S_KEEP_63A + m]
                r64a = sc[L.S_KEEP_64A + m]
                s64a += r64a
                r73 = sc[L.S_KEEP_73 + m]
                e_light = sc[L.S_KEEP_LIGHT + m]
                e_app = sc[L.S_KEEP_APP + m]
            else:
                # (42a)-(65)
                t_cold = cold[cold_row, m]
                r42a = sc[L.S_42A + m]
                r42b = sc[L.S_42B + m]
                r42c = sc[L.S_42C + m]
                r64a = electric_showers_kwh(m, nm, per_outlet, sh_off[i], sh_off[i + 1], sh_type,
                                            sh_power, fbeh, c)
                s64a += r64a
                r44 = r42a + r42b + r42c
                r45, r46, r56, r57, r59, r61, r62, r65 = water_month(m, nm, r44, t_cold, r55,
                                                                     store_fraction, di, c)
                s45 += r45
                s46 += r46
                s57 += r57
                s59 += r59
                s61 += r61
                s65 += r65
                if wwhrs_on:
                    v1, q1, h1 = instantaneous_month(nm, per_outlet, fbeh[m], t_cold,
                                                     df[L.DF_WWHRS1_FLOW], df[L.DF_WWHRS1_EFF],
                                                     df[L.DF_WWHRS1_UTIL], c)
                    v2, q2, h2 = instantaneous_month(nm, per_outlet, fbeh[m], t_cold,
                                                     df[L.DF_WWHRS2_FLOW], df[L.DF_WWHRS2_EFF],
                                                     df[L.DF_WWHRS2_UTIL], c)
                    r63a = -(h1 + h2)
                    sc[L.S_KEEP_63A + m] = r63a
                    s_v1 += v1
                    s_q1 += q1
                    s_s1 += h1
                    s_v2 += v2
                    s_q2 += q2
                    s_s2 += h2
                    if tr is not None:
                        for line, v in ((L.T_V_WW1, v1), (L.T_Q_WW1, q1), (L.T_S_WW1, h1),
                                        (L.T_V_WW2, v2), (L.T_Q_WW2, q2), (L.T_S_WW2, h2)):
                            tr[line, m] = v
                # (66)-(73)
                r66 = c[L.C_METABOLIC_GAIN_PER_PERSON] * n
                e_light = monthly_share(lt[12], m, nm, light_profile)
                r67 = c[L.C_LIGHTING_GAIN_FRACTION] * e_light * 1000.0 / (24.0 * nm)
                e_app = monthly_share(appliances, m, nm, app_profile)
                r68 = e_app * 1000.0 / (24.0 * nm)
                r69 = c[L.C_COOKING_GAIN_A] + c[L.C_COOKING_GAIN_B] * n
                r70 = pumps_fans_gain(m, volume, di, df, c)
                r71 = c[L.C_EVAPORATION_LOSS_PER_PERSON] * n
                r72 = r65 * 1000.0 / (24.0 * nm)
                r73 = r66 + r67 + r68 + r69 + r70 + r71 + r72
                sc[L.S_KEEP_62 + m] = r62
                sc[L.S_KEEP_64A + m] = r64a
                sc[L.S_KEEP_73 + m] = r73
                sc[L.S_KEEP_LIGHT + m] = e_light
                sc[L.S_KEEP_APP + m] = e_app
                if tr is not None:
                    for line, v in ((L.T_42A, r42a), (L.T_42B, r42b), (L.T_42C, r42c),
                                    (L.T_44, r44), (L.T_45, r45), (L.T_46, r46), (L.T_56, r56),
                                    (L.T_57, r57), (L.T_59, r59), (L.T_61, r61), (L.T_62, r62),
                                    (L.T_64A, r64a), (L.T_65, r65), (L.T_66, r66),
                                    (L.T_67, r67), (L.T_68, r68), (L.T_69, r69), (L.T_70, r70),
                                    (L.T_71, r71), (L.T_72, r72), (L.T_73, r73)):
                        tr[line, m] = v
            # (62)m + (63a)m: the demand net of waste water heat recovery, (H17)m of Appendix H
            r62w = r62
            if wwhrs_on:
                r62w = r62 + r63a
                s63a += r63a
                if tr is not None:
                    tr[L.T_63A, m] = r63a
            # (63c)m = -(H24)m: solar water heating in this pass's climate (Appendix H)
            r64 = r62w
            r63c = 0.0
            if solar_on:
                flux = flux_on_surface(solar_h[region, m], col_a, col_b, col_c,
                                       cos_lat_dec[region, m])
                h7, h9, h20, h21, h22, h23, h24 = solar_month(nm, r62w, cold[cold_row, m], t_e,
                                                              flux, h11, h16, df, c)
                r63c = -h24
                r64 = r62w + r63c
                s63c += r63c
                s_h7 += h7
                s_h9 += h9
                s_h17 += r62w
                if tr is not None:
                    for line, v in ((L.T_H7, h7), (L.T_H9, h9), (L.T_H17, r62w), (L.T_H18, 1.0),
                                    (L.T_H20, h20), (L.T_H21, h21), (L.T_H22, h22),
                                    (L.T_H23, h23), (L.T_H24, h24), (L.T_63C, r63c)):
                        tr[line, m] = v
            s_light += e_light
            s_app += e_app
            s_cook += cooking * nm / 365.0
            s73 += r73
            # (74)-(84)
            r83 = sc[at_solar + m]
            r84 = r73 + r83
            s83 += r83
            # (85)-(93)
            n24 = df[L.DF_HP_N24 + m]
            n16 = df[L.DF_HP_N16 + m]
            tau = a_util = r86 = r87 = r88 = r89 = r90 = r92 = r93 = 0.0
            if heat:
                tau, a_util, r86, r87, r88, r89, r90, r92, r93 = mean_internal_temperature(
                    t_e, r39, r40, tmp, r84, f_living, df[L.DF_RESPONSIVENESS],
                    di[L.DI_CONTROL_TYPE], df[L.DF_TEMP_ADJ], c, n24, n16, nm)
            s_n24 += n24
            s_n16 += n16
            s93 += r93
            # (94)-(98)
            if not heat or tr is None and HEATING_OFF_FIRST <= m <= HEATING_OFF_LAST:
                # June-September: (98)m is zero by definition; (94), (95) and (97) are
                # only traced, so their utilisation factor is not computed here
                r94 = r95 = r97 = r98 = 0.0
            else:
                r94, r95, r97, r98 = space_heating_month(m, nm, r93, t_e, r39, r84, a_util, c)
            s98 += r98
            # (211)-(219): fuel for space and water heating
            r211 = fuel_for_heat(r98, r204, eff1)
            r213 = fuel_for_heat(r98, r205, eff2)
            r215 = fuel_for_heat(r98, r201, eff_sec)
            r217 = water_efficiency_month(blend, r98 * r204, r98 * r205, r64, df)
            r219 = r64 * 100.0 / r217 if r64 > 0.0 else 0.0
            r231m = r231 * nm / 365.0
            s211 += r211
            s213 += r213
            s215 += r215
            # Appendix M1: PV generation and the share used in the dwelling
            e_pv = sc[at_pv + m]
            d_pv = e_light + e_app + cooking * nm / 365.0 + r231m + r64a
            if pv_demand & 1:
                d_pv += r211
            if pv_demand & 2:
                d_pv += r213
            if pv_demand & 4:
                d_pv += r215
            if pv_demand & 8:
                d_pv += r219
            beta = onsite_fraction(e_pv, d_pv, df[L.DF_BATTERY], c)
            used = e_pv * beta
            exported = e_pv - used
            # Appendix G4: the diverted surplus (63b)m, after beta from the pre-diverter
            # (219); (64)m, (217)m and (219)m again, and the export less the diverted heat
            r63b = 0.0
            if diverter_on:
                r63b = -diverted_kwh(e_pv, beta, r62w, c)
                r64 = r64 + r63b
                r217 = water_efficiency_month(blend, r98 * r204, r98 * r205, r64, df)
                r219 = r64 * 100.0 / r217 if r64 > 0.0 else 0.0
                exported = exported + r63b / c[L.C_DIVERTER_STORAGE_LOSS]
                s63b += r63b
            s64 += r64
            s219 += r219
            s_pv += e_pv
            s_used += used
            s_exported += exported
            # (261)-(269) CO2 and (275)-(283) primary energy, monthly factors for electricity
            # heat networks: (307)/(310) heat generated x 100 / source efficiency x factor, and
            # C3.2 pumping electricity (313) on the monthly electricity factors (no cost line)
            hn1 = df[L.DF_HN_FACTOR_MAIN1]
            hn2 = df[L.DF_HN_FACTOR_MAIN2]
            hnw = df[L.DF_HN_FACTOR_WATER]
            r313 = df[L.DF_HN_PUMP_MAIN1] * r211 + df[L.DF_HN_PUMP_WATER] * r219 \
                + df[L.DF_HN_PUMP_MAIN2] * r213
            co2_space += r211 * hn1 * co2_tab[f_main1, m] + r213 * hn2 * co2_tab[f_main2, m] \
                + r215 * co2_tab[f_sec, m]
            co2_water += r219 * hnw * co2_tab[f_water, m] + r64a * co2_tab[f_elec, m]
            # CHP heat networks: the electricity credit (0 for every other system)
            chp_c1 = r211 * df[L.DF_HN_CREDIT_CO2_MAIN1]
            chp_cw = r219 * df[L.DF_HN_CREDIT_CO2_WATER]
            chp_p1 = r211 * df[L.DF_HN_CREDIT_PE_MAIN1]
            chp_pw = r219 * df[L.DF_HN_CREDIT_PE_WATER]
            chp_c2 = r213 * df[L.DF_HN_CREDIT_CO2_MAIN2]
            chp_p2 = r213 * df[L.DF_HN_CREDIT_PE_MAIN2]
            co2_space -= chp_c1
            co2_space -= chp_c2
            co2_water -= chp_cw
            co2_pumps += (r231m + r313) * co2_tab[f_elec, m]
            co2_light += e_light * co2_tab[f_elec, m]
            co2_pv -= used * co2_tab[f_elec, m] + exported * export_co2[m]
            if not keep:  # primary energy is not a rating: the rating pass skips it
                pe_space += r211 * hn1 * pe_tab[f_main1, m] + r213 * hn2 * pe_tab[f_main2, m] \
                    + r215 * pe_tab[f_sec, m]
                pe_water += r219 * hnw * pe_tab[f_water, m] + r64a * pe_tab[f_elec, m]
                pe_space -= chp_p1
                pe_space -= chp_p2
                pe_water -= chp_pw
                pe_pumps += (r231m + r313) * pe_tab[f_elec, m]
                pe_light += e_light * pe_tab[f_elec, m]
                pe_pv -= used * pe_tab[f_elec, m] + exported * export_pe[m]
            if tr is not None:
                for line, v in ((L.T_22, r22), (L.T_22A, r22a), (L.T_22B, r22b), (L.T_25, r25),
                                (L.T_38, r38), (L.T_39, r39), (L.T_40, r40), (L.T_41, nm),
                                (L.T_64, r64), (L.T_83, r83), (L.T_84, r84),
                                (L.T_TAU, tau), (L.T_A, a_util), (L.T_86, r86),
                                (L.T_87, r87), (L.T_88, r88), (L.T_89, r89),
                                (L.T_90, r90), (L.T_92, r92), (L.T_93, r93),
                                (L.T_N24_9, n24), (L.T_N16_9, n16),
                                (L.T_94, r94), (L.T_95, r95), (L.T_96, t_e), (L.T_97, r97),
                                (L.T_98, r98), (L.T_211, r211), (L.T_213, r213),
                                (L.T_215, r215), (L.T_217, r217), (L.T_219, r219),
                                (L.T_231, r231m), (L.T_232, e_light), (L.T_E_PV, e_pv),
                                (L.T_D_PV, d_pv), (L.T_BETA, beta), (L.T_233A, used),
                                (L.T_233B, exported),
                                (L.T_261, r211 * hn1 * co2_tab[f_main1, m] - chp_c1),
                                (L.T_262, r213 * hn2 * co2_tab[f_main2, m] - chp_c2),
                                (L.T_263, r215 * co2_tab[f_sec, m]),
                                (L.T_264, r219 * hnw * co2_tab[f_water, m] - chp_cw),
                                (L.T_267, (r231m + r313) * co2_tab[f_elec, m]),
                                (L.T_268, e_light * co2_tab[f_elec, m]),
                                (L.T_269, -(used * co2_tab[f_elec, m] + exported * export_co2[m])),
                                (L.T_275, r211 * hn1 * pe_tab[f_main1, m] - chp_p1),
                                (L.T_276, r213 * hn2 * pe_tab[f_main2, m] - chp_p2),
                                (L.T_277, r215 * pe_tab[f_sec, m]),
                                (L.T_278, r219 * hnw * pe_tab[f_water, m] - chp_pw),
                                (L.T_281, (r231m + r313) * pe_tab[f_elec, m]),
                                (L.T_282, e_light * pe_tab[f_elec, m]),
                                (L.T_283, -(used * pe_tab[f_elec, m] + exported * export_pe[m]))):
                    tr[line, m] = v
                if diverter_on:
                    tr[L.T_63B, m] = r63b
        if tr is not None:
            if solar_on:
                for line, v in ((L.T_H7, s_h7), (L.T_H9, s_h9), (L.T_H17, s_h17),
                                (L.T_H24, -s63c), (L.T_63C, s63c)):
                    tr[line, 12] = v
            if diverter_on:
                tr[L.T_63B, 12] = s63b
            if wwhrs_on:
                for line, v in ((L.T_V_WW1, s_v1), (L.T_Q_WW1, s_q1), (L.T_S_WW1, s_s1),
                                (L.T_V_WW2, s_v2), (L.T_Q_WW2, s_q2), (L.T_S_WW2, s_s2),
                                (L.T_63A, s63a)):
                    tr[line, 12] = v
            for line, v in ((L.T_25, s25 / 12.0), (L.T_38, s38 / 12.0), (L.T_39, s39 / 12.0),
                            (L.T_40, s40 / 12.0), (L.T_41, 365.0), (L.T_45, s45),
                            (L.T_46, s46), (L.T_57, s57), (L.T_59, s59), (L.T_61, s61),
                            (L.T_64, s64), (L.T_64A, s64a), (L.T_65, s65),
                            (L.T_73, s73 / 12.0), (L.T_83, s83 / 12.0),
                            (L.T_93, s93 / 12.0), (L.T_98, s98), (L.T_99, s98 / tfa),
                            (L.T_N24_9, s_n24), (L.T_N16_9, s_n16)):
                tr[line, 12] = v
        # ---- section 10a: fuel costs (prices resolved per end use, p/kWh)
        c240 = s211 * df[L.DF_PRICE_MAIN1] / 100.0
        c241 = s213 * df[L.DF_PRICE_MAIN2] / 100.0
        c242 = s215 * df[L.DF_PRICE_SEC] / 100.0
        c247 = s219 * df[L.DF_PRICE_WATER] / 100.0 + s64a * df[L.DF_PRICE_SHOWERS] / 100.0
        c249 = r231 * df[L.DF_PRICE_PUMPS] / 100.0
        c250 = s_light * df[L.DF_PRICE_LIGHTING] / 100.0
        c251 = df[L.DF_STANDING]
        c252 = -(s_used * df[L.DF_PRICE_PV_USED] + s_exported * df[L.DF_PRICE_EXPORT]) / 100.0
        c255 = c240 + c241 + c242 + c247 + c249 + c250 + c251 + c252
        # ---- sections 11a-13a: ratings, CO2, primary energy
        ecf = energy_cost_factor(c255, tfa, df, c)
        sap = sap_rating(ecf, df)
        co2 = co2_space + co2_water + co2_pumps + co2_light + co2_pv
        ei = ei_rating(co2, tfa, c)
        pe = pe_space + pe_water + pe_pumps + pe_light + pe_pv
        water_eff_annual = s64 / s219 * 100.0 if s219 > 0.0 else df[L.DF_WATER_EFF]
        if tr is not None:
            for line, v in ((L.T_211, s211), (L.T_213, s213), (L.T_215, s215),
                            (L.T_217, water_eff_annual), (L.T_219, s219), (L.T_231, r231),
                            (L.T_232, s_light), (L.T_E_PV, s_pv), (L.T_233A, s_used),
                            (L.T_233B, s_exported), (L.T_240, c240), (L.T_241, c241),
                            (L.T_242, c242), (L.T_247, c247), (L.T_249, c249), (L.T_250, c250),
                            (L.T_251, c251), (L.T_252, c252), (L.T_255, c255),
                            (L.T_256, df[L.DF_DEFLATOR]), (L.T_257, ecf), (L.T_258, sap),
                            (L.T_261, co2_space), (L.T_264, co2_water), (L.T_267, co2_pumps),
                            (L.T_268, co2_light), (L.T_269, co2_pv), (L.T_272, co2),
                            (L.T_273, co2 / tfa), (L.T_274, ei), (L.T_275, pe_space),
                            (L.T_278, pe_water), (L.T_281, pe_pumps), (L.T_282, pe_light),
                            (L.T_283, pe_pv), (L.T_286, pe), (L.T_287, pe / tfa)):
                tr[line, 12] = v
        # ---- annual outputs
        if keep:
            o[L.O_ECF] = ecf
            o[L.O_SAP] = sap
            o[L.O_EI] = ei
            return
        o[L.O_TFA] = tfa
        o[L.O_VOLUME] = volume
        o[L.O_OPENINGS_ACH] = r8
        o[L.O_INFILTRATION_ACH] = r18
        o[L.O_SHELTERED_ACH] = r21
        o[L.O_EFFECTIVE_ACH] = s25 / 12.0
        o[L.O_FABRIC_LOSS] = fl[11]
        o[L.O_HEAT_CAPACITY] = fl[12]
        o[L.O_TMP] = tmp
        o[L.O_BRIDGING] = fl[14]
        o[L.O_TOTAL_FABRIC] = r37
        o[L.O_VENT_LOSS] = s38 / 12.0
        o[L.O_HTC] = s39 / 12.0
        o[L.O_HLP] = s40 / 12.0
        o[L.O_OCCUPANCY] = n
        o[L.O_HW_LITRES] = r43
        o[L.O_HW_ENERGY] = s45
        o[L.O_DIST_LOSS] = s46
        o[L.O_STORAGE_LOSS] = s57
        o[L.O_PRIMARY_LOSS] = s59
        o[L.O_COMBI_LOSS] = s61
        o[L.O_WH_OUTPUT] = s64
        o[L.O_ELECTRIC_SHOWER] = s64a
        o[L.O_WH_GAINS] = s65
        o[L.O_LIGHTING] = s_light
        o[L.O_APPLIANCES] = s_app
        o[L.O_COOKING] = s_cook
        o[L.O_INTERNAL_GAINS] = s73 / 12.0
        o[L.O_SOLAR_GAINS] = s83 / 12.0
        o[L.O_LIVING_FRACTION] = f_living
        o[L.O_MIT] = s93 / 12.0
        o[L.O_SPACE_HEATING] = s98
        o[L.O_SPACE_HEATING_M2] = s98 / tfa
        o[L.O_EFF_MAIN] = eff1
        o[L.O_FUEL_MAIN1] = s211
        o[L.O_FUEL_MAIN2] = s213
        o[L.O_FUEL_SEC] = s215
        o[L.O_WATER_EFF] = water_eff_annual
        o[L.O_FUEL_WATER] = s219
        o[L.O_PUMPS_FANS] = r231
        o[L.O_PV_GEN] = s_pv
        o[L.O_PV_USED] = s_used
        o[L.O_PV_EXPORT] = s_exported
        o[L.O_COST_MAIN1] = c240
        o[L.O_COST_MAIN2] = c241
        o[L.O_COST_SEC] = c242
        o[L.O_COST_WATER] = c247
        o[L.O_COST_PUMPS] = c249
        o[L.O_COST_LIGHTING] = c250
        o[L.O_STANDING] = c251
        o[L.O_PV_CREDIT] = c252
        o[L.O_TOTAL_COST] = c255
        o[L.O_ECF] = ecf
        o[L.O_SAP] = sap
        o[L.O_CO2_SPACE] = co2_space
        o[L.O_CO2_WATER] = co2_water
        o[L.O_CO2_PUMPS] = co2_pumps
        o[L.O_CO2_LIGHTING] = co2_light
        o[L.O_CO2_PV] = co2_pv
        o[L.O_CO2] = co2
        o[L.O_CO2_M2] = co2 / tfa
        o[L.O_EI] = ei
        o[L.O_PE] = pe
        o[L.O_PE_M2] = pe / tfa


def new_scratch():
    """Per-thread work rows for ``calculate_batch`` (sized for the current thread count)."""
    return np.empty((numba.get_num_threads(), L.N_SCRATCH))


#: dwellings a ``calculate_batch`` work item runs in one ``dwelling_range`` call
CHUNK = 64


@njit(cache=True, _nrt=False, error_model="numpy")  # type: ignore[call-overload]
def dwelling_range(
        lo, hi, mask, rate_uk, dfl, dfl_uk, dil, st_off, st_level, st_area, st_height,
        el_off, el_kind, el_area, el_u, el_kappa, el_y,
        op_off, op_kind, op_area, op_u, op_g, op_gl, op_ff, op_orient, op_tilt, op_host, op_y,
        tb_off, tb_len, tb_psi, li_off, li_count, li_power, li_eff,
        sh_off, sh_type, sh_flow, sh_power, pv_off, pv_kwp, pv_orient, pv_tilt, pv_z,
        days, temp, wind, solar_h, cos_lat_dec, k, cold, j2, fbeh, access, light_profile,
        app_profile,
        co2_tab, pe_tab, export_co2, export_pe, c, out, sc):
    """Dwellings ``lo``..``hi - 1`` whose ``mask`` is true, one after the other (the parallel
    loop's work item: its per-item cost, the arrays' reference counts, is paid once for
    ``CHUNK`` dwellings)."""
    for i in range(lo, hi):
        if mask[i]:
            dwelling(
                i, dfl, dfl_uk, rate_uk[i], dil, st_off, st_level, st_area, st_height,
                el_off, el_kind, el_area, el_u, el_kappa, el_y,
                op_off, op_kind, op_area, op_u, op_g, op_gl, op_ff, op_orient, op_tilt,
                op_host, op_y,
                tb_off, tb_len, tb_psi, li_off, li_count, li_power, li_eff,
                sh_off, sh_type, sh_flow, sh_power, pv_off, pv_kwp, pv_orient, pv_tilt, pv_z,
                days, temp, wind, solar_h, cos_lat_dec, k, cold, j2, fbeh, access, light_profile,
                app_profile,
                co2_tab, pe_tab, export_co2, export_pe, c, out, None, sc)


@njit(parallel=True, cache=True, nogil=True, error_model="numpy")
def calculate_batch(
        mask, rate_uk, dfl, dfl_uk, dil, st_off, st_level, st_area, st_height,
        el_off, el_kind, el_area, el_u, el_kappa, el_y,
        op_off, op_kind, op_area, op_u, op_g, op_gl, op_ff, op_orient, op_tilt, op_host, op_y,
        tb_off, tb_len, tb_psi, li_off, li_count, li_power, li_eff,
        sh_off, sh_type, sh_flow, sh_power, pv_off, pv_kwp, pv_orient, pv_tilt, pv_z,
        days, temp, wind, solar_h, cos_lat_dec, k, cold, j2, fbeh, access, light_profile,
        app_profile,
        co2_tab, pe_tab, export_co2, export_pe, c, out, scratch):
    """Every dwelling whose ``mask`` is true, in parallel over chunks of ``CHUNK``
    dwellings, in its own climate region; where ``rate_uk`` is also true the ECF, SAP and EI
    ratings come from a second pass in the UK-average climate with the per-dwelling numbers
    of ``dfl_uk`` (pass ``dfl`` itself unless Appendix N values differ there). ``scratch`` is
    one row of ``N_SCRATCH`` per thread (``new_scratch()``)."""
    n = dfl.shape[0]
    for b in prange((n + CHUNK - 1) // CHUNK):
        lo = b * CHUNK
        hi = min(lo + CHUNK, n)
        sc = scratch[numba.get_thread_id()]
        dwelling_range(
            lo, hi, mask, rate_uk, dfl, dfl_uk, dil, st_off, st_level, st_area, st_height,
            el_off, el_kind, el_area, el_u, el_kappa, el_y,
            op_off, op_kind, op_area, op_u, op_g, op_gl, op_ff, op_orient, op_tilt,
            op_host, op_y,
            tb_off, tb_len, tb_psi, li_off, li_count, li_power, li_eff,
            sh_off, sh_type, sh_flow, sh_power, pv_off, pv_kwp, pv_orient, pv_tilt, pv_z,
            days, temp, wind, solar_h, cos_lat_dec, k, cold, j2, fbeh, access, light_profile,
            app_profile,
            co2_tab, pe_tab, export_co2, export_pe, c, out, sc)


@njit(cache=True, error_model="numpy")
def trace_dwelling(
        i, dfl, dil, st_off, st_level, st_area, st_height,
        el_off, el_kind, el_area, el_u, el_kappa, el_y,
        op_off, op_kind, op_area, op_u, op_g, op_gl, op_ff, op_orient, op_tilt, op_host, op_y,
        tb_off, tb_len, tb_psi, li_off, li_count, li_power, li_eff,
        sh_off, sh_type, sh_flow, sh_power, pv_off, pv_kwp, pv_orient, pv_tilt, pv_z,
        days, temp, wind, solar_h, cos_lat_dec, k, cold, j2, fbeh, access, light_profile,
        app_profile,
        co2_tab, pe_tab, export_co2, export_pe, c, out, tr):
    """Dwelling ``i`` with every worksheet line recorded in ``tr`` (N_TRACE x 13)."""
    dwelling(
        i, dfl, dfl, False, dil, st_off, st_level, st_area, st_height,
        el_off, el_kind, el_area, el_u, el_kappa, el_y,
        op_off, op_kind, op_area, op_u, op_g, op_gl, op_ff, op_orient, op_tilt, op_host, op_y,
        tb_off, tb_len, tb_psi, li_off, li_count, li_power, li_eff,
        sh_off, sh_type, sh_flow, sh_power, pv_off, pv_kwp, pv_orient, pv_tilt, pv_z,
        days, temp, wind, solar_h, cos_lat_dec, k, cold, j2, fbeh, access, light_profile,
        app_profile,
        co2_tab, pe_tab, export_co2, export_pe, c, out, tr, np.empty(L.N_SCRATCH))
