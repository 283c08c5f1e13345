"""Hand-derived SAP and EI ratings (SAP 10.2 sections 13-14).

ECF = 0.36 x (255) / (TFA + 45); SAP = 100 - 16.21 ECF below 3.5, else 108.8 - 120.5
log10 ECF; CF = (272) / (TFA + 45); EI = 100 - 1.34 CF below 28.3, else 200 - 95 log10 CF
(sap10_2_rating_equations.csv). Integer ratings: nearest integer, halves up, at least 1;
bands from sap10_2_rating_bands.csv; ratings above 100 (net exporters) are band A. Ratings
use the UK-average climate (region 0); energy, costs and CO2 use the dwelling's region.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from test_hand_common import approx, dwelling, wall
from test_hand_systems_common import (
    RATING,
    band,
    ei_rating,
    electric,
    full,
    integer_rating,
    result_row,
    sap_rating,
    tfa,
    val,
)

from ara.sap import calculate, trace
from ara.sap.calculator import integer_rating as engine_integer_rating

AREA_OFFSET = RATING[("0", "cf_denominator_area_offset")]
LEAKY = [wall(90.0, 2.1, 60.0, 0.15, kind=1), wall(80.0, 1.2, 110.0, 0.15, kind=4),
         wall(80.0, 2.3, 9.0, 0.15, kind=3)]


def ratings_from_lines(lines: dict[str, Any], d: dict[str, Any]) -> tuple[float, float,
                                                                          float]:
    ecf = RATING[("1", "deflator")] * val(lines, "255") / (tfa(d) + AREA_OFFSET)
    return ecf, sap_rating(ecf), ei_rating(val(lines, "272") / (tfa(d) + AREA_OFFSET))


def test_integer_rating_rounds_halves_up_and_is_at_least_1() -> None:
    x = np.array([0.5, 1.5, 2.5, 68.5, 68.49999, 91.5, -3.0, 0.2, 100.5, 120.49])
    got = engine_integer_rating(x, RATING[("0", "minimum_rating")]).tolist()
    assert got == [integer_rating(v) for v in x.tolist()]
    assert got == [1, 2, 3, 69, 68, 92, 1, 1, 101, 120]


def test_continuous_rating_below_1_gives_integer_1_band_g() -> None:
    """A leaky, directly electrically heated house: ECF above 3.5, the log branch gives a
    negative continuous SAP; the integer rating is 1 (band G)."""
    d = electric(691, elements=LEAKY)
    lines = full(d)
    ecf, sap, ei = ratings_from_lines(lines, d)
    assert ecf > RATING[("1", "ecf_threshold")]
    assert sap < 1.0
    assert sap == approx(108.8 - 120.5 * math.log10(ecf))
    row = result_row(d)
    assert row["sap_rating_continuous"] == approx(sap)
    assert row["sap_rating"] == 1
    assert row["sap_band"] == band(1) == "G"
    assert row["ei_rating"] == integer_rating(ei)


def test_integer_ratings_and_bands_of_ordinary_dwellings() -> None:
    for d in (dwelling(), electric(691), electric(402)):
        lines = full(d)
        _ecf, sap, ei = ratings_from_lines(lines, d)
        row = result_row(d)
        assert row["sap_rating"] == math.floor(sap + 0.5)
        assert row["ei_rating"] == math.floor(ei + 0.5)
        assert row["sap_band"] == band(row["sap_rating"])
        assert row["ei_band"] == band(row["ei_rating"])


def test_net_exporter_rates_above_100_band_a() -> None:
    """A gas combi house with 20 kWp of PV: (255) is negative, so ECF < 0 and the linear
    equation gives SAP above 100."""
    d = dwelling(pv_arrays=[{"peak_power_kw": 20.0, "orientation": 5, "tilt_deg": 30.0,
                             "overshading": 1}])
    lines = full(d)
    ecf, sap, ei = ratings_from_lines(lines, d)
    assert val(lines, "255") < 0.0 and ecf < 0.0
    assert sap == approx(100.0 - 16.21 * ecf) and sap > 100.0
    row = result_row(d)
    assert row["sap_rating_continuous"] == approx(sap)
    assert row["sap_rating"] == math.floor(sap + 0.5) > 100
    assert row["sap_band"] == "A"
    assert row["ei_rating_continuous"] == approx(ei)


def test_region_changes_energy_costs_and_co2_but_not_the_ratings() -> None:
    """Wales (region 13) against UK average (region 0): (98), (255) and (272) are the
    region's; the SAP and EI ratings are computed in the UK-average climate."""
    d0, d13 = dwelling(climate_region=0), dwelling(climate_region=13)
    r0, r13 = calculate([d0, d13]).to_pylist()
    for col in ("space_heating_requirement_kwh", "total_fuel_cost_gbp", "co2_kg_per_year"):
        assert r13[col] != approx(r0[col]), col
    for col in ("sap_rating_continuous", "ei_rating_continuous", "energy_cost_factor"):
        assert r13[col] == approx(r0[col]), col
    for col in ("sap_rating", "sap_band", "ei_rating", "ei_band"):
        assert r13[col] == r0[col], col
    # the regional (98) is Wales's own worksheet, not the UK-average one
    assert r13["space_heating_requirement_kwh"] == approx(val(full(d13), "98"))
    # and the UK-average ratings are those of the region-0 worksheet
    _ecf, sap0, ei0 = ratings_from_lines(full(d0), d0)
    assert r13["sap_rating_continuous"] == approx(sap0)
    assert r13["ei_rating_continuous"] == approx(ei0)


def test_trace_reports_the_same_uk_average_rating_as_calculate() -> None:
    """One dwelling, one SAP rating: trace's (258)/(274) and its results must be the
    UK-average ratings that calculate returns (schema: region 0 is used for the SAP and EI
    ratings), not ratings recomputed in the dwelling's own region."""
    d13 = dwelling(climate_region=13)
    row = calculate([d13]).to_pylist()[0]
    t = trace(d13)
    assert t["results"]["sap_rating_continuous"] == approx(row["sap_rating_continuous"])
    assert t["results"]["ei_rating_continuous"] == approx(row["ei_rating_continuous"])
    assert val(t["lines"], "258") == approx(row["sap_rating_continuous"])
    assert val(t["lines"], "274") == approx(row["ei_rating_continuous"])
