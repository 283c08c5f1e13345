"""SAP 10.2 worksheet section 6: solar gains, lines (74)-(84), with Appendix U3 solar
radiation on inclined surfaces (Tables U3, U4, U5) and Table 6d access factors."""

import math

from numba import njit

from ara_kernels import layout as L

# Table U5 column for each SAP orientation code 0..9 (north, NE/NW, E/W, SE/SW, south);
# horizontal (9) uses any column with tilt 0; unknown (0) is rejected before the kernel.
U5_COLUMN = (2, 0, 1, 2, 3, 4, 3, 2, 1, 0)


@njit(cache=True, inline="always", error_model="numpy")
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


@njit(cache=True, inline="always", error_model="numpy")
def flux_on_surface(horizontal_flux, a, b, cc, x):
    """Appendix U3.2: S = S_h x R_h-inc, R_h-inc = A x^2 + B x + C with
    x = cos(latitude - declination) (``cos_lat_dec`` table, built from Tables U3/U4)."""
    return horizontal_flux * (a * x * x + b * x + cc)


@njit(cache=True, inline="always", error_model="numpy")
def solar_gains(region, op_lo, op_hi, op_kind, op_area, op_g, op_ff, op_orient, op_tilt,
                access_winter, solar_h, cos_lat_dec, k, c, out, at, region2=0, at2=-1):
    """Lines (83)m for the twelve months into ``out[at:at+12]``: the sum over glazed
    openings of (74)-(82) 0.9 x A x S x g x FF x Z, with g = 0.9 x g_perp (the worksheet's
    solar transmittance column). Each opening's Appendix U3 coefficients are found once.
    With ``at2`` >= 0 the same lines in climate ``region2`` into ``out[at2:at2+12]`` (the
    coefficients and weights are the same: found once for both)."""
    both = at2 >= 0
    for m in range(12):
        out[at + m] = 0.0
    if both:
        for m in range(12):
            out[at2 + m] = 0.0
    f = c[L.C_SOLAR_GAIN_FACTOR] * c[L.C_GLAZING_G_TO_SOLAR_TRANSMITTANCE] * access_winter
    for j in range(op_lo, op_hi):
        if op_kind[j] == L.OK_DOOR:
            continue
        a, b, cc = inclined_abc(op_orient[j], op_tilt[j], k)
        w = f * op_area[j] * op_g[j] * op_ff[j]
        for m in range(12):
            out[at + m] += w * flux_on_surface(solar_h[region, m], a, b, cc,
                                               cos_lat_dec[region, m])
        if both:
            for m in range(12):
                out[at2 + m] += w * flux_on_surface(solar_h[region2, m], a, b, cc,
                                                    cos_lat_dec[region2, m])
