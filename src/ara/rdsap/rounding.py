"""RdSAP 10 section 15 "Rounding of data" (specification 10-06-2025, p.66): after expansion,
U-values, element areas (windows and conservatory walls included), floor and living areas and
PV kWp are rounded to 2 d.p. before the SAP calculator sees them
(``spec/tables/rdsap10_section15_rounding_rules_PARTIAL.csv``).

The direction is half-up as the specification's example has it (17.125 -> 17.13, validated
against Elmhurst worksheets): not Python's banker's ``round``. A negative value rounds like
its magnitude (half away from zero: -0.165 -> -0.17), so that rounding commutes with a sign
change (a residual area of ``a - b`` rounds to minus the rounded ``b - a``).

This is the one home of the rule: the fabric, conservatory and services expansion steps
import it from here (issue 16, "one of each concept"), the estimated windows of a glazed-area
band too. One older rounding remains, kept because switching would change stored results on
some inputs: the summary inference's ``_round2`` (no binary-tie nudge).
"""

from __future__ import annotations

import numpy as np

__all__ = ["round_half_up"]


def round_half_up(x: np.ndarray | float, places: int = 2) -> np.ndarray:
    """RdSAP 10 section 15 rounding of ``x`` to ``places`` decimals: half away from zero
    (17.125 -> 17.13, -0.165 -> -0.17), not banker's.

    A relative 1e-12 and an absolute 1e-9 (in units of the last kept place) nudge absorb the
    binary representation error of a decimal tie (537.055 is 537.05499999999995 in binary,
    and rounds to 537.06 as the decimal does). NaN stays NaN; an absurd value
    overflows to inf, which the calculator's domain checks refuse by name."""
    x = np.asarray(x, dtype=np.float64)
    scale = 10.0 ** places
    with np.errstate(over="ignore"):
        mag = np.abs(x) * scale
        return np.sign(x) * np.floor(mag * (1.0 + 1e-12) + 0.5 + 1e-9) / scale

