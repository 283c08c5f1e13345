"""Issue 16, "one RdSAP section 15 rounding": the fabric, conservatory and services expansion
round through the one function of ``ara.rdsap.rounding``, so a negative value rounds the same
whichever step rounds it (the services copy used to round -0.165 to -0.16, the fabric's to
-0.17)."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

from ara.rdsap.rounding import round_half_up

#: Every expansion module that rounded with its own or an imported copy before issue 16.
FORMER_CALLERS = ["fabric", "fabric_dimensions", "fabric_floors", "fabric_openings",
                  "fabric_roofs", "fabric_walls", "conservatory", "services"]

VALUES = np.array([17.125, 6.25 * 2.74, 0.165, 2.005, 68.4653, 1.6249999999999998, 537.055,
                   0.004999, 0.0])


@pytest.mark.parametrize("module", FORMER_CALLERS)
def test_every_former_caller_rounds_with_the_one_rule(module: str) -> None:
    caller = importlib.import_module(f"ara.rdsap.expansion.{module}")
    assert caller.round_half_up is round_half_up


@pytest.mark.parametrize("module", FORMER_CALLERS)
def test_negative_values_round_like_their_magnitude_through_every_caller(module: str) -> None:
    rounded = importlib.import_module(f"ara.rdsap.expansion.{module}").round_half_up
    assert rounded(np.array([-0.165, -17.125, -2.005, -0.004999]), 2).tolist() == [
        -0.17, -17.13, -2.01, -0.0]
    assert (rounded(-VALUES, 2) == -rounded(VALUES, 2)).all()


def test_half_up_on_decimal_ties_held_just_below_in_binary() -> None:
    assert round_half_up(VALUES).tolist() == [17.13, 17.13, 0.17, 2.01, 68.47, 1.63, 537.06,
                                             0.0, 0.0]


def test_other_places_and_nan() -> None:
    assert round_half_up(np.array([2.16224, -2.16224, np.nan]), 2)[:2].tolist() == [2.16, -2.16]
    assert np.isnan(round_half_up(np.nan))
    assert round_half_up(12.345, 1) == 12.3 and round_half_up(-0.5, 0) == -1.0
