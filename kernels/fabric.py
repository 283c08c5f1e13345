"""SAP 10.2 worksheet section 3: heat losses and heat loss parameter, lines (26)-(40)
(monthly (38)-(40) are assembled in the worksheet driver)."""

import numpy as np
from numba import njit

from ara_kernels import layout as L


@njit(cache=True, inline="always", error_model="numpy")
def glazing_u_effective(u, curtain_r):
    """Window U-value with the curtain/blind correction of SAP 10.2 section 3.2:
    U_eff = 1 / (1/U + 0.04)."""
    return 1.0 / (1.0 / u + curtain_r)


@njit(cache=True, inline="always", error_model="numpy")
def fabric(el_lo, el_hi, el_kind, el_area, el_u, el_kappa, el_y,
           op_lo, op_hi, op_kind, op_area, op_u, op_host, op_y,
           tb_lo, tb_hi, tb_len, tb_psi, tfa, tmp_given, c, out, at):
    """Lines (26)-(37) into ``out[at:at+16]``, in order: (26) door UA, (27)
    window UA, (27a) roof-window UA, (28) basement floor UA, (28a) ground floor UA,
    (28b) exposed floor UA, (29) basement wall UA, (29a) external wall UA, (30) roof UA,
    (31) total exposed area, (32) party wall UA, (33), (34), (35), (36), (37)."""
    lines = out[at:at + 16]
    for k in range(16):
        lines[k] = 0.0
    curtain_r = c[L.C_CURTAIN_RESISTANCE]
    bridging = 0.0
    # openings: (26), (27), (27a) and their areas in (31)
    for j in range(op_lo, op_hi):
        a = op_area[j]
        kind = op_kind[j]
        if kind == L.OK_DOOR:
            lines[0] += a * op_u[j]
        elif kind == L.OK_WINDOW:
            lines[1] += a * glazing_u_effective(op_u[j], curtain_r)
        else:
            lines[2] += a * glazing_u_effective(op_u[j], curtain_r)
        lines[9] += a
        bridging += op_y[j] * a
    heat_capacity = 0.0
    for e in range(el_lo, el_hi):
        gross = el_area[e]
        deducted = 0.0
        for j in range(op_lo, op_hi):
            if op_host[j] == e - el_lo:
                deducted += op_area[j]
        net = gross - deducted  # (29a) etc. net of openings
        ua = net * el_u[e]
        kind = el_kind[e]
        exposed = True
        if kind == L.EK_BASEMENT_FLOOR:
            lines[3] += ua
        elif kind == L.EK_GROUND_FLOOR:
            lines[4] += ua
        elif kind == L.EK_EXPOSED_FLOOR:
            lines[5] += ua
        elif kind == L.EK_BASEMENT_WALL:
            lines[6] += ua
        elif kind == L.EK_EXT_WALL:
            lines[7] += ua
        elif kind == L.EK_ROOF:
            lines[8] += ua
        elif kind == L.EK_PARTY_WALL:
            lines[10] += ua
            exposed = False
        else:
            exposed = False  # party floor/ceiling and internal elements: heat capacity only
        if exposed:
            lines[9] += net
            bridging += el_y[e] * net
        heat_capacity += net * el_kappa[e]  # (34) = sum of A x kappa
    for t in range(tb_lo, tb_hi):
        bridging += tb_len[t] * tb_psi[t]
    r33 = 0.0
    for k in range(9):
        r33 += lines[k]
    r33 += lines[10]  # (33) = (26)...(30) + (32)
    lines[11] = r33
    lines[12] = heat_capacity
    if np.isnan(tmp_given):
        lines[13] = heat_capacity / tfa  # (35) = (34) / (4)
    else:
        lines[13] = tmp_given
    lines[14] = bridging  # (36)
    lines[15] = r33 + bridging  # (37)
