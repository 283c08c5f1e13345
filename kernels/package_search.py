"""The optimiser's package bookkeeping compiled (issue 16): packages as bit masks in arrays,
one segment of packages per property, never a Python object per package.

A property's options are held sorted by id (bit i: option i, at most :data:`MAX_OPTIONS`);
per property the arrays give each option's cost, its *unit* (the option with what it requires,
a mask; 0 when it cannot be installed) and its exclusive group (a small integer). The
functions here are the arithmetic of :mod:`ara.modelling.optimiser` on those arrays:

* :func:`fsum` is ``math.fsum`` (Shewchuk's exact partials, CPython's rounding), so a
  package's cost is the same float as the Python optimiser's, bit for bit;
* :func:`exhaustive_packages` lists every valid, affordable package of each property,
  cheapest first, then by option ids;
* :func:`best_packages` picks each property's package from its scored packages, with the
  optimiser's tie-breaks (cost, then size, then option ids).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

#: Options per property the masks hold (bit 63 is the sign of an int64).
MAX_OPTIONS = 62
BUDGET_TOLERANCE_GBP = 1e-6


@njit(cache=True)
def fsum(values: np.ndarray) -> float:
    """``math.fsum(values)``: the correctly rounded sum (CPython's ``math_fsum``, with its
    handling of infinities and NaN; an intermediate overflow or ``inf - inf`` raises)."""
    partials = np.empty(values.shape[0] + 1, dtype=np.float64)
    n = 0
    special_sum = 0.0
    inf_sum = 0.0
    for k in range(values.shape[0]):
        x = values[k]
        xsave = x
        i = 0
        for j in range(n):
            y = partials[j]
            if abs(x) < abs(y):
                x, y = y, x
            hi = x + y
            yr = hi - x
            lo = y - yr
            if lo != 0.0:
                partials[i] = lo
                i += 1
            x = hi
        n = i
        if x != 0.0:
            if not math.isfinite(x):
                if math.isfinite(xsave):
                    raise OverflowError("intermediate overflow in fsum")
                if math.isinf(xsave):
                    inf_sum += xsave
                special_sum += xsave
                n = 0
            else:
                partials[n] = x
                n += 1
    if special_sum != 0.0:
        if math.isnan(inf_sum):
            raise ValueError("-inf + inf in fsum")
        return special_sum
    hi = 0.0
    if n > 0:
        n -= 1
        hi = partials[n]
        lo = 0.0
        while n > 0:
            x = hi
            n -= 1
            y = partials[n]
            hi = x + y
            yr = hi - x
            lo = y - yr
            if lo != 0.0:
                break
        if n > 0 and ((lo < 0.0 and partials[n - 1] < 0.0)
                      or (lo > 0.0 and partials[n - 1] > 0.0)):
            y = lo * 2.0
            x = hi + y
            yr = x - hi
            if y == yr:
                hi = x
    return hi


@njit(cache=True)
def _mask_cost(costs: np.ndarray, mask: np.int64, buffer: np.ndarray) -> float:
    n = 0
    i = 0
    while mask:
        if mask & 1:
            buffer[n] = costs[i]
            n += 1
        mask >>= 1
        i += 1
    return fsum(buffer[:n])


@njit(cache=True)
def mask_costs(costs: np.ndarray, search: np.ndarray, masks: np.ndarray) -> np.ndarray:
    """Per package k, ``fsum`` of the costs of its options: ``costs[search[k], i]`` for each
    bit i of ``masks[k]``, ascending."""
    out = np.empty(masks.shape[0], dtype=np.float64)
    buffer = np.empty(64, dtype=np.float64)
    for k in range(masks.shape[0]):
        out[k] = _mask_cost(costs[search[k]], masks[k], buffer)
    return out


@njit(cache=True, inline="always")
def lex_less(a: np.int64, b: np.int64) -> bool:
    """Whether the ascending bit indices of ``a`` come before those of ``b`` as tuples (a
    prefix first): the optimiser's order by option ids."""
    if a == b:
        return False
    x = a ^ b
    d = x & -x  # the lowest bit in which they differ
    if a & d:  # a's next option is d: first, unless b ends before it (b a prefix of a)
        return (b & ~(d | (d - 1))) != 0
    return (a & ~(d | (d - 1))) == 0


@njit(cache=True)
def _popcount(mask: np.int64) -> int:
    n = 0
    while mask:
        mask &= mask - 1
        n += 1
    return n


@njit(cache=True, inline="always")
def _smaller_first(a: np.int64, b: np.int64) -> bool:
    """Of two packages of equal cost, ``a`` comes first: fewer measures, then the smaller
    option ids (:func:`lex_less`)."""
    ca, cb = _popcount(a), _popcount(b)
    return ca < cb if ca != cb else lex_less(a, b)


@njit(cache=True)
def _valid(groups: np.ndarray, mask: np.int64) -> bool:
    """At most one option of each exclusive group."""
    used = np.int64(0)
    i = 0
    while mask:
        if mask & 1:
            g = np.int64(1) << groups[i]
            if used & g:
                return False
            used |= g
        mask >>= 1
        i += 1
    return True


@njit(cache=True)
def exhaustive_packages(searches: np.ndarray, units: np.ndarray, groups: np.ndarray,
                        costs: np.ndarray, budgets: np.ndarray
                        ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each property ``s`` of ``searches``: every valid (one option or none per group),
    affordable package built of its units, cheapest first, then by option ids, less the
    packages the warm start scored (none, and each unit). ``units[s, i]``: option i's unit
    (0: none); ``groups[s, i]``: its group (0 .. 61). Returns (property, mask, cost) of
    every package, property by property in the order of ``searches``."""
    width = units.shape[1]
    total = 0
    for s in searches:
        combos = 1
        for g in range(width):
            count = 0
            for i in range(width):
                if units[s, i] != 0 and groups[s, i] == g:
                    count += 1
            combos *= count + 1
        total += combos
    out_search = np.empty(total, dtype=np.int64)
    out_mask = np.empty(total, dtype=np.int64)
    out_cost = np.empty(total, dtype=np.float64)
    buffer = np.empty(64, dtype=np.float64)
    used = 0
    choice_units = np.empty(width, dtype=np.int64)
    starts = np.empty(width + 1, dtype=np.int64)
    counter = np.empty(width, dtype=np.int64)
    for s in searches:
        # each group's units, group by group (the empty choice is implicit)
        n_groups = 0
        n_units = 0
        for g in range(width):
            first = n_units
            for i in range(width):
                if units[s, i] != 0 and groups[s, i] == g:
                    choice_units[n_units] = units[s, i]
                    n_units += 1
            if n_units > first:
                starts[n_groups] = first
                n_groups += 1
        starts[n_groups] = n_units
        combos = 1
        for g in range(n_groups):
            combos *= starts[g + 1] - starts[g] + 1
        found = np.empty(combos, dtype=np.int64)
        counter[:n_groups] = 0
        for c in range(combos):
            mask = np.int64(0)
            for g in range(n_groups):
                if counter[g] > 0:
                    mask |= choice_units[starts[g] + counter[g] - 1]
            found[c] = mask
            for g in range(n_groups):  # the next combination (mixed radix)
                counter[g] += 1
                if counter[g] <= starts[g + 1] - starts[g]:
                    break
                counter[g] = 0
        found = np.unique(found)
        budget = budgets[s] + BUDGET_TOLERANCE_GBP
        keep = np.zeros(found.shape[0], dtype=np.bool_)
        cost = np.empty(found.shape[0], dtype=np.float64)
        for k in range(found.shape[0]):
            mask = found[k]
            if mask == 0 or not _valid(groups[s], mask):
                continue
            cost[k] = _mask_cost(costs[s], mask, buffer)
            if not cost[k] <= budget:
                continue
            seen = False  # the warm start scored each unit
            for i in range(width):
                if units[s, i] == mask:
                    seen = True
                    break
            keep[k] = not seen
        found, cost = found[keep], cost[keep]
        order = np.argsort(cost, kind="mergesort")
        m = order.shape[0]
        a = 0
        while a < m:  # equal costs: by option ids (insertion sort of the short run)
            b = a + 1
            while b < m and cost[order[b]] == cost[order[a]]:
                b += 1
            for j in range(a + 1, b):
                key = order[j]
                t = j - 1
                while t >= a and lex_less(found[key], found[order[t]]):
                    order[t + 1] = order[t]
                    t -= 1
                order[t + 1] = key
            a = b
        for j in range(m):
            out_search[used] = s
            out_mask[used] = found[order[j]]
            out_cost[used] = cost[order[j]]
            used += 1
    return out_search[:used], out_mask[:used], out_cost[:used]


@njit(cache=True)
def best_packages(starts: np.ndarray, masks: np.ndarray, costs: np.ndarray, ok: np.ndarray,
                  metric: np.ndarray, rating: np.ndarray, budgets: np.ndarray,
                  floor: float, has_floor: bool) -> np.ndarray:
    """Per property s (its scored packages at ``starts[s]:starts[s + 1]``), the position of
    its choice (``PhaseOptimiser._best``): with a floor, the cheapest affordable package the
    calculator accepts whose integer SAP reaches it (then fewer options, then option ids);
    else, or when none reaches it, the best metric (then cost, size, option ids); -1 when no
    package is feasible (the empty package is chosen)."""
    n = starts.shape[0] - 1
    out = np.full(n, -1, dtype=np.int64)
    for s in range(n):
        limit = budgets[s] + BUDGET_TOLERANCE_GBP
        best = -1
        if has_floor:
            for k in range(starts[s], starts[s + 1]):
                if not (ok[k] and costs[k] <= limit and rating[k] >= floor):
                    continue
                if best < 0:
                    best = k
                    continue
                if costs[k] != costs[best]:
                    better = costs[k] < costs[best]
                else:
                    better = _smaller_first(masks[k], masks[best])
                if better:
                    best = k
        if best < 0:
            for k in range(starts[s], starts[s + 1]):
                if not (ok[k] and costs[k] <= limit):
                    continue
                if best < 0:
                    best = k
                    continue
                if metric[k] != metric[best]:
                    better = -metric[k] < -metric[best]
                elif costs[k] != costs[best]:
                    better = costs[k] < costs[best]
                else:
                    better = _smaller_first(masks[k], masks[best])
                if better:
                    best = k
        out[s] = best
    return out


__all__ = ["BUDGET_TOLERANCE_GBP", "MAX_OPTIONS", "best_packages", "exhaustive_packages",
           "fsum", "lex_less", "mask_costs"]
