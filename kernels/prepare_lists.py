"""List columns of input preparation (``ara.sap.prepare``) read straight from their Arrow
buffers in compiled passes, with exactly the results of the pyarrow/NumPy calls they
replace:

* ``layout(raw_offsets)``: a list column without null entries as int64 offsets from 0 and
  the row of each child (``pc.list_parent_indices``);
* ``unpack(bitmap, bit_offset, has_bitmap, values)``: one numeric child field as float64
  with NaN where null (``to_numpy(zero_copy_only=False)`` cast to float64) and the
  per-child not-null mask; ``bitmap`` is the Arrow validity bitmap (least significant bit
  first), child ``i`` at bit ``bit_offset + i``.
"""

import numpy as np
from numba import njit


@njit(cache=True)
def layout(raw_offsets):
    n = raw_offsets.size - 1
    offsets = np.empty(n + 1, dtype=np.int64)
    start = np.int64(raw_offsets[0])
    for r in range(n + 1):
        offsets[r] = np.int64(raw_offsets[r]) - start
    parents = np.empty(offsets[n], dtype=np.int64)
    for r in range(n):
        for k in range(offsets[r], offsets[r + 1]):
            parents[k] = r
    return offsets, parents


@njit(cache=True)
def unpack(bitmap, bit_offset, has_bitmap, values):
    m = values.size
    out = np.empty(m)
    valid = np.empty(m, dtype=np.bool_)
    for i in range(m):
        ok = True
        if has_bitmap:
            j = bit_offset + i
            ok = (bitmap[j >> 3] >> (j & 7)) & 1 == 1
        valid[i] = ok
        out[i] = np.float64(values[i]) if ok else np.nan
    return out, valid
