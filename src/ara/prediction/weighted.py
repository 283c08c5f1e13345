"""Row-wise weighted statistics over (targets, neighbours) matrices, vectorised.

Every function takes a (n, K) matrix of values and one of weights; a weight of 0 (padding,
or a neighbour without the value) takes no part. Ties are broken by the smaller value, so a
result never depends on the order of the neighbours.
"""

from __future__ import annotations

import numpy as np

__all__ = ["weighted_mad", "weighted_median", "weighted_mode"]


#: Cells of the (rows, codes) table of weight totals :func:`weighted_mode` builds at once.
_TOTALS_CELLS = 4_000_000


def weighted_mode(codes: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the code with the largest total weight (codes < 0 are 'not lodged' and take
    no part; ties: the smallest code) and its share of the row's weight over lodged codes.
    A row with no lodged code gives -1 and NaN."""
    n, k = codes.shape
    vocabulary = int(codes.max(initial=-1)) + 1
    if vocabulary <= 256:
        return _mode_by_totals(codes, weights, vocabulary)
    return _mode_by_sorting(codes, weights)


def _mode_by_totals(codes: np.ndarray, weights: np.ndarray,
                    vocabulary: int) -> tuple[np.ndarray, np.ndarray]:
    """The weight total of every code per row (``bincount``), in slices of rows."""
    n = len(codes)
    mode = np.full(n, -1, dtype=np.int64)
    share = np.full(n, np.nan)
    if vocabulary == 0 or n == 0:
        return mode, share
    w = np.where(codes >= 0, weights, 0.0)
    step = max(1, _TOTALS_CELLS // vocabulary)
    for start in range(0, n, step):
        c, ww = codes[start:start + step], w[start:start + step]
        rows = len(c)
        flat = (np.arange(rows)[:, None] * vocabulary + np.maximum(c, 0)).ravel()
        totals = np.bincount(flat, weights=ww.ravel(), minlength=rows * vocabulary)
        totals = totals.reshape(rows, vocabulary)
        best = np.argmax(totals, axis=1)  # the first maximum: the smallest code among ties
        top = totals[np.arange(rows), best]
        whole = ww.sum(axis=1)
        found = top > 0
        mode[start:start + rows] = np.where(found, best, -1)
        share[start:start + rows] = np.where(found, top / np.where(whole > 0, whole, 1.0),
                                             np.nan)
    return mode, share


def _mode_by_sorting(codes: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Runs of equal codes in each row sorted by code (large vocabularies)."""
    n, k = codes.shape
    w = np.where(codes >= 0, weights, 0.0)
    big = np.iinfo(np.int64).max
    c = np.where(w > 0, codes, big)
    order = np.argsort(c, axis=1, kind="stable")
    sc = np.take_along_axis(c, order, axis=1)
    sw = np.take_along_axis(w, order, axis=1)
    cum = np.cumsum(sw, axis=1)
    end = np.ones((n, k), dtype=bool)
    end[:, :-1] = sc[:, 1:] != sc[:, :-1]
    start = np.zeros((n, k), dtype=bool)
    start[:, 0] = True
    start[:, 1:] = sc[:, 1:] != sc[:, :-1]
    before = np.where(start, cum - sw, 0.0)
    # the cumulative weight before each run, carried along the run
    run_start = np.maximum.accumulate(np.where(start, np.arange(k)[None, :], 0), axis=1)
    base = np.take_along_axis(before, run_start, axis=1)
    total_run = np.where(end & (sc != big), cum - base, -1.0)
    best = np.argmax(total_run, axis=1)  # first maximum: the smallest code among ties
    rows = np.arange(n)
    best_weight = total_run[rows, best]
    total = w.sum(axis=1)
    found = best_weight > 0
    mode = np.where(found, sc[rows, best], -1)
    share = np.where(found, best_weight / np.where(total > 0, total, 1.0), np.nan)
    return mode.astype(np.int64), share


def weighted_median(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per row, the lower weighted median of the non-NaN values with a positive weight: the
    smallest value whose cumulative weight reaches half the total. NaN when there is none."""
    w = np.where(np.isnan(values), 0.0, weights)
    v = np.where(w > 0, values, np.inf)
    order = np.argsort(v, axis=1, kind="stable")
    sv = np.take_along_axis(v, order, axis=1)
    sw = np.take_along_axis(w, order, axis=1)
    cum = np.cumsum(sw, axis=1)
    total = cum[:, -1] if cum.shape[1] else np.zeros(len(values))
    # a relative tolerance so that equal halves (two equal weights) pick the lower value
    reached = cum >= total[:, None] * 0.5 * (1 - 1e-12)
    index = np.argmax(reached & (sw > 0), axis=1)
    out = sv[np.arange(len(values)), index] if cum.shape[1] else np.zeros(len(values))
    return np.where(total > 0, out, np.nan)


def weighted_mad(values: np.ndarray, weights: np.ndarray,
                 median: np.ndarray | None = None) -> np.ndarray:
    """Per row, the weighted median absolute deviation from the weighted median."""
    centre = weighted_median(values, weights) if median is None else median
    return weighted_median(np.abs(values - centre[:, None]), weights)
