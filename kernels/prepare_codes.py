"""Code checks of input preparation (``ara.sap.prepare``) in one compiled pass.

``outside_codes(x, lo, hi)``: ``~np.isin(x, np.arange(lo, hi + 1))`` of a float64 vector,
exactly (a value passes when it equals one of the integers ``lo``..``hi``; NaN and the
infinities do not); ``outside_range(x, valid, low, high)``: the finite values of ``x``
outside ``[low, high]`` where ``valid``.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def outside_codes(x, lo, hi):
    out = np.empty(x.size, dtype=np.bool_)
    for i in range(x.size):
        v = x[i]
        out[i] = not (v >= lo and v <= hi and v == np.floor(v))
    return out


@njit(cache=True)
def outside_range(x, valid, low, high):
    """``valid & np.isfinite(x) & ((x < low) | (x > high))`` of a float64 vector."""
    out = np.empty(x.size, dtype=np.bool_)
    for i in range(x.size):
        v = x[i]
        out[i] = valid[i] and (v < low or v > high) and abs(v) <= 1.7976931348623157e308
    return out
