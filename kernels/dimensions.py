"""SAP 10.2 worksheet section 1: overall dwelling dimensions, lines (1)-(5)."""

from numba import njit


@njit(cache=True, inline="always", error_model="numpy")
def dimensions(st_lo, st_hi, st_level, st_area, st_height):
    """Lines (1a..n) area, (2) height, (3) volume per storey; returns (4) TFA, (5) volume
    and the number of distinct storey levels (for (9) when the input does not give it)."""
    tfa = 0.0  # (4) = sum of (1)
    volume = 0.0  # (5) = sum of (3) = (1) x (2)
    lo_level = 1000
    hi_level = -1000
    distinct = 0
    for j in range(st_lo, st_hi):
        tfa += st_area[j]
        volume += st_area[j] * st_height[j]
        # count distinct levels without allocating: a level is new if no earlier row has it
        seen = False
        for k in range(st_lo, j):
            if st_level[k] == st_level[j]:
                seen = True
                break
        if not seen:
            distinct += 1
        if st_level[j] < lo_level:
            lo_level = st_level[j]
        if st_level[j] > hi_level:
            hi_level = st_level[j]
    return tfa, volume, distinct
