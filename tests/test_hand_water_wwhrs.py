"""Hand-derived waste water heat recovery (SAP 10.2 Appendix G3, worksheet (63a)m).

The SAP 10.2 text of G3 was not readable; Ara computes instantaneous systems in the SAP 2009
(G10) lineage form on SAP 10.2's own Appendix J shower volumes (decision 0024,
``spec/tables/sap10_2_appendix_g3_wwhrs.csv``), written out here month by month:

    per_outlet = N_shower / N_outlets, N_shower = 0.45 N + 0.65 with a bath (0.58 N + 0.83
                 without), N_outlets counting electric showers too (Appendix J);
    V_i,m = per_outlet x 6 min x f_beh,m x (sum of the flow rates of the mixer showers
            draining to system i) x n_m                         (litres of warm water)
    Q_i,m = 4.18 x V_i,m x (35 - Tcold,m) / 3600                 (kWh)
    S_i,m = Q_i,m x eta_i / 100 x U_i                            (kWh)
    (63a)m = -(S_1,m + S_2,m); (64)m = (62)m + (63a)m; (65)m does not change;
    (219)m = (64)m x 100 / (217)m; Appendix H (H17)m = (62)m + (63a)m.

Storage WWHRS have no transcribed method: they are refused by name. Every number comes from
``spec/tables``. Tolerance: relative 1e-9.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_hand_common import DAYS, C, approx, dwelling, monthly_row, occupancy, run
from test_hand_systems_common import full, input_error, mon, problem, val

from ara.sap import calculate
from ara.sap.tables import read_table

G3 = {r["name"]: r["value"] for r in read_table("sap10_2_appendix_g3_wwhrs.csv")}
DRAIN = float(G3["drain_temperature_c"])
TCOLD = monthly_row([r for r in read_table("sap10_2_table_j1_cold_water_feed_temperature.csv")
                     if r["feed_type"] == "mains"])
FBEH = monthly_row([r for r in read_table("sap10_2_tables_j2_j5_hot_water_monthly_factors.csv")
                    if r["table"] == "J5"])

MIXER_8 = {"outlet_type": 3, "flow_rate_l_per_min": 8.0}
MIXER_10 = {"outlet_type": 1, "flow_rate_l_per_min": 10.0}
ELECTRIC = {"outlet_type": 4}
SYSTEMS: dict[str, Any] = {
    "wwhrs_1_efficiency_percent": 55.0, "wwhrs_1_utilisation_factor": 0.95,
    "wwhrs_2_efficiency_percent": 40.0, "wwhrs_2_utilisation_factor": 0.9}


def showers(**kw: Any) -> dict[str, Any]:
    """The base dwelling (80 m2, gas combi, mains water) with a bath, an 8 l/min mixer
    draining to WWHRS 1, a 10 l/min mixer draining to WWHRS 2 and an electric shower."""
    d = {"showers": [MIXER_8, MIXER_10, ELECTRIC], "bath_count": 1}
    d.update(kw)
    return dwelling(**d)


def with_wwhrs(**kw: Any) -> dict[str, Any]:
    return showers(**{"wwhrs": True, "shower_wwhrs": [2, 3, 1], **SYSTEMS, **kw})


def per_outlet(outlets: int, bath: bool = True) -> float:
    n = occupancy(80.0)
    daily = (C["showers_with_bath_a"] * n + C["showers_with_bath_b"]) if bath else \
        (C["showers_no_bath_a"] * n + C["showers_no_bath_b"])
    return daily / outlets


def system(flow: float, eff: float, util: float, outlets: int = 3,
           bath: bool = True) -> tuple[list[float], list[float], list[float]]:
    """(V_m, Q_m, S_m) of one instantaneous WWHRS, written out from the formulas."""
    v = [per_outlet(outlets, bath) * C["shower_minutes"] * FBEH[m] * flow * DAYS[m]
         for m in range(12)]
    q = [C["water_heat_capacity"] * v[m] * (DRAIN - TCOLD[m]) / 3600.0 for m in range(12)]
    return v, q, [q[m] * eff / 100.0 * util for m in range(12)]


# ------------------------------------------------------------------ instantaneous, (63a)m --

def test_instantaneous_systems_63a_month_by_month() -> None:
    lines = run(with_wwhrs())
    v1, q1, s1 = system(8.0, 55.0, 0.95)
    v2, q2, s2 = system(10.0, 40.0, 0.9)
    assert lines["V_ww1"]["monthly"] == approx(v1)
    assert lines["Q_ww1"]["monthly"] == approx(q1)
    assert lines["S_ww1"]["monthly"] == approx(s1)
    assert lines["V_ww2"]["monthly"] == approx(v2)
    assert lines["Q_ww2"]["monthly"] == approx(q2)
    assert lines["S_ww2"]["monthly"] == approx(s2)
    assert (lines["eta_ww1"], lines["U_ww1"], lines["eta_ww2"], lines["U_ww2"]) == \
        (55.0, 0.95, 40.0, 0.9)
    expected = [-(a + b) for a, b in zip(s1, s2, strict=True)]
    assert lines["63a"]["monthly"] == approx(expected)
    assert lines["63a"]["annual"] == approx(sum(expected))
    # January by hand: N = 2.4660..., 3 outlets, f_beh 1.035, Tcold 8.0, 31 days
    n = occupancy(80.0)
    jan = (0.45 * n + 0.65) / 3 * 6 * 1.035 * 8.0 * 31
    assert v1[0] == approx(jan)
    assert s1[0] == approx(4.18 * jan * (35 - 8.0) / 3600 * 0.55 * 0.95)


def test_the_warm_water_follows_the_lodged_shower_flows_not_the_other_outlets() -> None:
    """Only the mixers draining to a system count; the electric shower still counts in
    N_outlets (Appendix J), and without a bath N_shower = 0.58 N + 0.83."""
    lines = run(with_wwhrs(bath_count=0, shower_wwhrs=[1, 3, 1]))
    v, q, s = system(10.0, 40.0, 0.9, bath=False)
    assert lines["V_ww2"]["monthly"] == approx(v)
    assert lines["S_ww2"]["monthly"] == approx(s)
    assert lines["S_ww1"]["monthly"] == approx([0.0] * 12)
    assert lines["63a"]["monthly"] == approx([-x for x in s])


def test_63a_lowers_64_and_219_and_leaves_62_and_65() -> None:
    plain, saved = full(showers()), full(with_wwhrs())
    r63a = mon(saved, "63a")
    for line in ("45", "56", "57", "59", "61", "62", "65"):
        assert mon(saved, line) == approx(mon(plain, line)), line
    assert mon(saved, "64") == approx([a + b for a, b in zip(mon(plain, "62"), r63a,
                                                                 strict=True)])
    assert val(saved, "64") == approx(val(plain, "64") + val(saved, "63a"))
    assert mon(saved, "219") == approx([q * 100.0 / e for q, e in
                                        zip(mon(saved, "64"), mon(saved, "217"), strict=True)])
    assert val(saved, "219") < val(plain, "219")
    assert val(saved, "258") > val(plain, "258")  # the SAP rating improves


def test_solar_water_heating_sees_the_demand_net_of_wwhrs() -> None:
    """Appendix H (H17)m = (62)m + (63a)m; (64)m = (62)m + (63a)m + (63c)m."""
    collector = {"solar_water_heating": True, "solar_aperture_area_m2": 3.0,
                 "solar_zero_loss_efficiency": 0.8, "solar_a1_w_per_m2k": 4.0,
                 "solar_a2_w_per_m2k2": 0.01, "solar_loop_efficiency": 0.9,
                 "solar_incidence_angle_modifier": 0.94, "solar_orientation": 5,
                 "solar_tilt_deg": 30.0, "solar_overshading": 2,
                 "solar_dedicated_volume_l": 75.0}
    lines = full(with_wwhrs(**collector))
    h17 = [a + b for a, b in zip(mon(lines, "62"), mon(lines, "63a"), strict=True)]
    assert mon(lines, "H17") == approx(h17)
    assert mon(lines, "64") == approx([a + b for a, b in zip(h17, mon(lines, "63c"),
                                                             strict=True)])


def test_the_rating_pass_uses_the_same_63a() -> None:
    """A dwelling outside region 0 is rated in UK-average climate (decision 0005): its
    ratings equal those of the same dwelling placed in region 0, WWHRS included."""
    rows = [with_wwhrs(climate_region=7, dwelling_id="r7"),
            with_wwhrs(climate_region=0, dwelling_id="r0"),
            showers(climate_region=7, dwelling_id="plain")]
    out = calculate(rows).to_pylist()
    for key in ("energy_cost_factor", "sap_rating_continuous", "ei_rating_continuous"):
        assert out[0][key] == approx(out[1][key]), key
    assert out[0]["sap_rating_continuous"] > out[2]["sap_rating_continuous"]


# ------------------------------------------------------------------------- refusals -------

def test_storage_wwhrs_is_refused_by_name() -> None:
    err = input_error(with_wwhrs(shower_wwhrs=[4, 1, 1]))
    [message] = problem(err, "shower_wwhrs")
    assert "storage WWHRS" in message and "0024-wwhrs" in message


@pytest.mark.parametrize(("change", "field", "words"), [
    ({"shower_wwhrs": [1, 1, 2]}, "shower_wwhrs", "mixer showers only"),
    ({"shower_wwhrs": [2, 3]}, "shower_wwhrs", "one entry per shower outlet"),
    ({"shower_wwhrs": [2, 9, 1]}, "shower_wwhrs", "unknown code"),
    ({"shower_wwhrs": None}, "wwhrs", "no shower outlet drains"),
    ({"wwhrs": None}, "shower_wwhrs", "wwhrs is not true"),
    ({"wwhrs_1_efficiency_percent": None}, "wwhrs_1_efficiency_percent", "PCDB efficiency"),
    ({"wwhrs_2_efficiency_percent": 120.0}, "wwhrs_2_efficiency_percent", "0-100"),
    ({"wwhrs_1_utilisation_factor": 0.0}, "wwhrs_1_utilisation_factor", "utilisation"),
])
def test_bad_wwhrs_inputs_are_named(change: dict[str, Any], field: str, words: str) -> None:
    err = input_error(with_wwhrs(**change))
    assert any(words in m for m in problem(err, field)), err


def test_efficiencies_of_a_system_without_outlets_are_not_needed() -> None:
    lines = run(with_wwhrs(shower_wwhrs=[2, 1, 1], wwhrs_2_efficiency_percent=None,
                           wwhrs_2_utilisation_factor=None))
    assert lines["S_ww2"]["monthly"] == [0.0] * 12


# ------------------------------------------------------------------- the property --------

@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows=st.lists(st.floats(4.0, 25.0), min_size=1, max_size=3),
       systems=st.lists(st.sampled_from([1, 2, 3]), min_size=3, max_size=3),
       eff=st.floats(1.0, 100.0), util=st.floats(0.01, 1.0), bath=st.booleans(),
       combi=st.booleans(), region=st.integers(0, 21))
def test_a_wwhrs_never_increases_64(flows: list[float], systems: list[int], eff: float,
                                    util: float, bath: bool, combi: bool, region: int) -> None:
    outlets = [{"outlet_type": 3, "flow_rate_l_per_min": f} for f in flows]
    codes = systems[:len(outlets)]
    if not any(c in (2, 3) for c in codes):
        codes[0] = 2
    water = {} if combi else {
        "hot_water_delivery": 3, "cylinder_volume_l": 150.0, "cylinder_insulation_type": 1,
        "cylinder_insulation_mm": 50.0, "main1_code": 102}
    base = dwelling(showers=outlets, bath_count=int(bath), climate_region=region, **water)
    saved = dict(base, wwhrs=True, shower_wwhrs=codes,
                 wwhrs_1_efficiency_percent=eff, wwhrs_1_utilisation_factor=util,
                 wwhrs_2_efficiency_percent=eff, wwhrs_2_utilisation_factor=util)
    plain_lines, saved_lines = run(base), run(saved)
    for a, b in zip(mon(saved_lines, "64"), mon(plain_lines, "64"), strict=True):
        assert a <= b
    assert all(x <= 0.0 for x in mon(saved_lines, "63a"))
    assert min(mon(saved_lines, "64")) >= 0.0
