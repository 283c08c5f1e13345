"""SAP 10.2 worksheet section 6: solar gains, lines (74)-(84), with Appendix U3 solar
radiation on inclined surfaces (Tables U3, U4, U5) and Table 6d access factors."""

import math

from numba import njit

from ara_kernels import layout as L

# Table U5 column for each SAP orientation code 0..9 (north, NE/NW, E/W, SE/SW, south);
# horizontal (9) uses any column with tilt 0; unknown (0) is rejected before the kernel.
U5_COLUMN = (2, 0, 1, 2, 3, 4, 3, 2, 1, 0)


@njit(cache=True)
def inclined_abc(orientation, tilt_deg, k):
    """Appendix U3.2 coefficients A, B, C of a surface of given orientation and tilt."""
    col = U5_COLUMN[orientation]
    s = math.sin(math.radians(tilt_deg) / 2.0)
    s2 = s * s
    s3 = s2 * s
    a = k[0, col] * s3 + k[1, col] * s2 + k[2, col] * s
    b = k[3, col] * s3 + k[4, col] * s2 + k[5, col] * s
    cc = k[6, col] * s3 + k[7, col] * s2 + k[8, col] * s + 1.0
    return a, b, cc


@njit(cache=True)
def flux_on_surface(horizontal_flux, a, b, cc, latitude_deg, declination_deg):
    """Appendix U3.2: S = S_h x R_h-inc, R_h-inc = A cos^2(phi - delta) + B cos(phi - delta)
    + C."""
    x = math.cos(math.radians(latitude_deg - declination_deg))
    return horizontal_flux * (a * x * x + b * x + cc)


@njit(cache=True)
def solar_gains_month(m, region, op_lo, op_hi, op_kind, op_area, op_g, op_ff, op_orient,
                      op_tilt, access_winter, solar_h, latitude, declination, k, c):
    """Line (83)m = sum over glazed openings of (74)-(82): 0.9 x A x S x g x FF x Z, with
    g = 0.9 x g_perp (the worksheet's solar transmittance column)."""
    total = 0.0
    sh = solar_h[region, m]
    lat = latitude[region]
    dec = declination[m]
    f = c[L.C_SOLAR_GAIN_FACTOR] * c[L.C_GLAZING_G_TO_SOLAR_TRANSMITTANCE] * access_winter
    for j in range(op_lo, op_hi):
        if op_kind[j] == L.OK_DOOR:
            continue
        a, b, cc = inclined_abc(op_orient[j], op_tilt[j], k)
        s = flux_on_surface(sh, a, b, cc, lat, dec)
        total += f * op_area[j] * s * op_g[j] * op_ff[j]
    return total
