"""One-pass column helpers for input preparation (``ara.sap.prepare``), with exactly the
results of the NumPy expressions they replace:

* ``nan_to_num(x)``: ``np.nan_to_num(x)`` of a float64 vector (NaN -> 0, +inf -> the
  largest float64, -inf -> the most negative);
* ``codes(x)``: ``np.where(np.isfinite(x), x, -1).astype(np.int64)`` of a float64 vector
  (truncation towards zero; outside the int64 range the x86 result of NumPy's cast, the
  smallest int64).
"""

import numpy as np
from numba import njit

FLOAT64_MAX = 1.7976931348623157e308
INT64_MIN = -9223372036854775808
TWO_63 = 9.223372036854775808e18


@njit(cache=True, error_model="numpy")
def nan_to_num(x):
    out = np.empty(x.size)
    for i in range(x.size):
        v = x[i]
        if v != v:
            out[i] = 0.0
        elif v > FLOAT64_MAX:
            out[i] = FLOAT64_MAX
        elif v < -FLOAT64_MAX:
            out[i] = -FLOAT64_MAX
        else:
            out[i] = v
    return out


@njit(cache=True, error_model="numpy")
def codes(x):
    out = np.empty(x.size, dtype=np.int64)
    for i in range(x.size):
        v = x[i]
        if v != v or v > FLOAT64_MAX or v < -FLOAT64_MAX:
            out[i] = -1
        elif v >= TWO_63 or v < -TWO_63:
            out[i] = INT64_MIN
        else:
            out[i] = np.int64(v)
    return out
