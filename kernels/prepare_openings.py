"""Openings (windows, doors, roof windows) of input preparation (``ara.sap.prepare``) in
one compiled pass: the resolved per-opening values and the rows of every check, with
exactly the results of the NumPy expressions this replaces (``_resolve_openings`` before
issue 17; the check order and the value rules are documented there).

``resolve_openings(...)`` returns ``(kind, g, light, frame, orientation, tilt, y, host,
bad)``: ``bad[k]`` is the per-opening mask of check ``k`` in ``CHECKS`` order. Inputs are
float64 vectors with NaN for null, and the per-opening ``valid`` (not null) masks.
``deducted_area(...)``: per element, the area of the openings it hosts
(``np.bincount`` with weights, summed in the same order).
"""

import numpy as np
from numba import njit

FLOAT64_MAX = 1.7976931348623157e308
INT64_MIN = -9223372036854775808
TWO_63 = 9.223372036854775808e18

# the order of the rows of ``bad``
CHECK_KIND, CHECK_AREA, CHECK_U, CHECK_G, CHECK_LIGHT, CHECK_FRAME, CHECK_ORIENTATION, \
    CHECK_TILT, CHECK_Y, CHECK_HOST = range(10)
N_CHECKS = 10


@njit(cache=True, inline="always")
def _code(v):
    """``ara.sap.problems.ints`` of one value (``ara_kernels.columns.codes``)."""
    if v != v or v > FLOAT64_MAX or v < -FLOAT64_MAX:
        return -1
    if v >= TWO_63 or v < -TWO_63:
        return INT64_MIN
    return np.int64(v)


@njit(cache=True, inline="always")
def _nan_to_num(v):
    if v != v:
        return 0.0
    if v > FLOAT64_MAX:
        return FLOAT64_MAX
    if v < -FLOAT64_MAX:
        return -FLOAT64_MAX
    return v


@njit(cache=True, inline="always")
def _finite(v):
    return v == v and -FLOAT64_MAX <= v <= FLOAT64_MAX


@njit(cache=True, inline="always")
def _tabulated(code, table):
    """``np.where(in range, table[np.clip(code, 0, 15)], NaN)``."""
    if code >= 0 and code < table.size:
        return table[min(max(code, 0), 15)]
    return np.nan


@njit(cache=True, inline="always")
def _glazing_value(given, valid, tab, glazed):
    """(resolved value, check failed) of g, light transmittance or frame factor."""
    v = given if valid else tab
    bad = glazed and not (_finite(v) and v >= 0 and v <= 1)
    return (_nan_to_num(v) if glazed else 0.0), bad


@njit(cache=True, error_model="numpy")
def resolve_openings(kind, area, u, g, g_valid, light, light_valid, frame, frame_valid,
                     glazing_type, frame_type, frame_type_valid, orientation, tilt,
                     tilt_valid, y, y_valid, host, host_valid, parents, el_offsets,
                     glazing_g, glazing_light, frame_factor):
    m = kind.size
    kind_out = np.empty(m, dtype=np.int64)
    g_out = np.empty(m)
    light_out = np.empty(m)
    frame_out = np.empty(m)
    orient_out = np.empty(m, dtype=np.int64)
    tilt_out = np.empty(m)
    y_out = np.empty(m)
    host_out = np.empty(m, dtype=np.int64)
    bad = np.zeros((N_CHECKS, m), dtype=np.bool_)
    for i in range(m):
        k = kind[i]
        bad[CHECK_KIND, i] = not (k == 1.0 or k == 2.0 or k == 3.0 or k == 4.0)
        a = area[i]
        bad[CHECK_AREA, i] = not (a > 0) or not _finite(a)
        uv = u[i]
        bad[CHECK_U, i] = not (uv > 0) or not _finite(uv)
        glazed = k != 1.0
        gcode = _code(glazing_type[i])
        fcode = _code(frame_type[i]) if frame_type_valid[i] else 9
        g_out[i], bad[CHECK_G, i] = _glazing_value(g[i], g_valid[i],
                                                   _tabulated(gcode, glazing_g), glazed)
        light_out[i], bad[CHECK_LIGHT, i] = _glazing_value(
            light[i], light_valid[i], _tabulated(gcode, glazing_light), glazed)
        frame_out[i], bad[CHECK_FRAME, i] = _glazing_value(
            frame[i], frame_valid[i], _tabulated(fcode, frame_factor), glazed)
        o = orientation[i]
        bad[CHECK_ORIENTATION, i] = glazed and not (o >= 1.0 and o <= 9.0 and o == np.floor(o))
        oi = min(max(_code(o), 0), 9)
        orient_out[i] = oi
        if tilt_valid[i]:
            t = tilt[i]
        elif k == 4.0:
            t = 0.0
        elif k == 3.0:
            t = np.nan
        else:
            t = 90.0
        if oi == 9:
            t = 0.0
        bad[CHECK_TILT, i] = glazed and not (_finite(t) and t >= 0 and t <= 180)
        tilt_out[i] = _nan_to_num(t)
        yv = y[i]
        bad[CHECK_Y, i] = y_valid[i] and not (_finite(yv) and yv >= 0)
        y_out[i] = yv if y_valid[i] else 0.0
        h = host[i]
        p = parents[i]
        n_el = el_offsets[p + 1] - el_offsets[p]
        inside = h >= 0 and h < n_el
        bad[CHECK_HOST, i] = host_valid[i] and not inside
        host_out[i] = np.int64(h) if host_valid[i] and inside else -1
        kind_out[i] = _code(k)
    return kind_out, g_out, light_out, frame_out, orient_out, tilt_out, y_out, host_out, bad


@njit(cache=True, error_model="numpy")
def deducted_area(host, area, parents, el_offsets, n_elements):
    """Per element, the summed (NaN as 0) area of the openings hosted by it."""
    out = np.zeros(n_elements)
    for i in range(host.size):
        if host[i] >= 0:
            out[el_offsets[parents[i]] + host[i]] += _nan_to_num(area[i])
    return out
