"""Row-wise weighted mode, median and MAD (ara.prediction.weighted)."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from ara.prediction.weighted import weighted_mad, weighted_median, weighted_mode


def test_mode_by_weight_ties_to_the_smaller_code_and_ignores_missing() -> None:
    codes = np.array([[2, 1, 2, -1], [3, 3, 1, 1], [-1, -1, -1, -1]])
    weights = np.array([[1, 1.5, 1, 9], [1, 1, 1, 1], [1, 1, 1, 1]], dtype=float)
    mode, share = weighted_mode(codes, weights)
    assert mode.tolist() == [2, 1, -1]
    assert share[0] == 2 / 3.5 and share[1] == 0.5 and np.isnan(share[2])


def test_median_and_mad() -> None:
    values = np.array([[1, 2, 3, np.nan], [4, 1, np.nan, np.nan], [np.nan] * 4])
    assert weighted_median(values, np.ones((3, 4)))[:2].tolist() == [2, 1]
    assert np.isnan(weighted_median(values, np.ones((3, 4)))[2])
    assert weighted_median(values, np.array([[1, 1, 5, 1]] * 3, float))[0] == 3
    assert weighted_mad(values, np.ones((3, 4)))[:2].tolist() == [1, 0]


_ROWS = st.lists(st.tuples(st.integers(-1, 4), st.floats(0.0, 3.0), st.floats(0.0, 100.0)),
                 min_size=1, max_size=12)


@given(_ROWS, st.randoms(use_true_random=False))
def test_order_of_the_neighbours_never_matters(row: list[tuple[int, float, float]],
                                               rnd: object) -> None:
    shuffled = list(row)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    for data in (row, shuffled):
        codes = np.array([[c for c, _w, _v in data]])
        weights = np.array([[w for _c, w, _v in data]])
        values = np.array([[v for _c, _w, v in data]])
        result = (weighted_mode(codes, weights)[0][0], weighted_median(values, weights)[0])
        if data is row:
            first = result
    assert result[0] == first[0]
    assert (np.isnan(result[1]) and np.isnan(first[1])) or result[1] == first[1]


@given(_ROWS)
def test_mode_is_a_lodged_code_with_the_most_weight(row: list[tuple[int, float, float]]) -> None:
    codes = np.array([[c for c, _w, _v in row]])
    weights = np.array([[w for _c, w, _v in row]])
    mode, _share = weighted_mode(codes, weights)
    totals: dict[int, float] = {}
    for c, w, _v in row:
        if c >= 0 and w > 0:
            totals[c] = totals.get(c, 0.0) + w
    if not totals:
        assert mode[0] == -1
    else:
        assert mode[0] in totals
        assert totals[int(mode[0])] >= max(totals.values()) * (1 - 1e-9)
