import csv
from importlib import resources
from pathlib import Path

import pytest

from ara.modelling.catalogue import (
    PROVENANCE_FIELDS,
    SOURCED,
    UNSOURCED,
    exclusive_group,
    load_catalogue,
    period_months,
)
from ara.modelling.overlays import OVERLAY_ORDER

HEADER = ("measure_type,unit,cost_per_unit_gbp,fixed_cost_gbp,contingency_percent,"
          "source_status,source," + ",".join(PROVENANCE_FIELDS) + ",price_period\n")
GOOD_PROVENANCE = ("https://example.org/x,Publisher,2025-01-01,GBP 5 per m2,2024,"
                   "not adjusted: undated,")


def committed_rows() -> list[dict[str, str]]:
    text = resources.files("ara").joinpath("data", "measures",
                                           "catalogue_2025_26.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def committed_index() -> dict[str, float]:
    """price_index.csv read here with the csv module, independently of the loader."""
    text = resources.files("ara").joinpath("data", "measures",
                                           "price_index.csv").read_text(encoding="utf-8")
    body = [ln for ln in text.splitlines() if not ln.startswith("#")]
    return {r["period"]: float(r["index_2015_100"]) for r in csv.DictReader(body)}


def test_catalogue_covers_every_overlay_and_every_row_states_its_provenance() -> None:
    cat = load_catalogue()
    assert set(OVERLAY_ORDER) == set(cat.entries)
    rows = {r["measure_type"]: r for r in committed_rows()}
    for mt, entry in cat.entries.items():
        row = rows[mt]
        assert row["source_status"] in (SOURCED, UNSOURCED)
        if entry.sourced:
            # a citable public figure: where, who, when, what it said, and how it became
            # this row's costs
            for field in PROVENANCE_FIELDS:
                assert row[field].strip(), (mt, field)
            assert row["source_url"].startswith(("http://", "https://"))
            assert any(ch.isdigit() for ch in row["source_figure"])
        else:
            assert entry.source.startswith("UNSOURCED")
            assert not any(row[f].strip() for f in ("source_url", "publisher"))
    sourced = {mt for mt, e in cat.entries.items() if e.sourced}
    assert {"cavity_wall_fill", "loft_insulation", "air_source_heat_pump", "solar_pv",
            "internal_wall_insulation", "external_wall_insulation", "floor_insulation",
            "double_glazing", "secondary_glazing", "high_heat_retention_storage_heaters",
            "condensing_gas_boiler", "heating_controls", "secondary_heating_removal",
            "cylinder_insulation", "led_lighting", "sloping_ceiling_insulation"} <= sourced
    # nothing citable was found for these: they stay estimates and say what was searched
    for mt in ("flat_roof_insulation", "draught_proofing", "mechanical_ventilation"):
        assert not cat.entry(mt).sourced
        assert "searched" in cat.entry(mt).source


def test_sourced_rows_reproduce_their_published_figures() -> None:
    cat = load_catalogue()
    # derived from the cited figures by the rule in each row's 'adjustment' column
    cwi = cat.entry("cavity_wall_fill")
    assert (cwi.published_fixed_cost_gbp + 80 * cwi.published_cost_per_unit_gbp
            == pytest.approx((480 + 660) / 2))
    assert cwi.published_cost_per_unit_gbp == pytest.approx((5 + 6) / 2)
    loft = cat.entry("loft_insulation")
    assert (loft.published_fixed_cost_gbp, loft.published_cost_per_unit_gbp) == (
        (285 + 395) / 2, 0.0)
    ashp = cat.entry("air_source_heat_pump")
    assert ashp.published_fixed_cost_gbp + ashp.published_cost_per_unit_gbp == 12700
    pv = cat.entry("solar_pv")
    assert (pv.published_cost_per_unit_gbp, pv.published_fixed_cost_gbp) == (1876, 0)


def _per_dwelling(measure_type: str) -> float:
    """The published fixed cost (at the source's price base) of a row whose source gives one
    figure per dwelling (nothing per unit)."""
    e = load_catalogue().entry(measure_type)
    assert e.published_cost_per_unit_gbp == 0, measure_type
    return e.published_fixed_cost_gbp


def test_eessh_rows_reproduce_table_6_of_the_2019_guidance() -> None:
    # Scottish Government EESSH guidance (revised February 2019), Table 6 indicative costs
    # per dwelling; a range becomes its midpoint (rule in each row's 'adjustment' column)
    assert _per_dwelling("internal_wall_insulation") == 5000
    assert _per_dwelling("external_wall_insulation") == (7500 + 9000) / 2
    assert _per_dwelling("floor_insulation") == 1000
    assert _per_dwelling("double_glazing") == (3500 + 6000) / 2
    assert _per_dwelling("secondary_glazing") == (3500 + 6000) / 2
    assert _per_dwelling("high_heat_retention_storage_heaters") == 3500
    assert _per_dwelling("condensing_gas_boiler") == 5500
    # programmer and room thermostat row (300-400) plus the TRV row (400)
    assert _per_dwelling("heating_controls") == (300 + 400) / 2 + 400
    assert _per_dwelling("secondary_heating_removal") == 500
    # tank and pipe insulation (EESSH, 50) plus a fitted cylinder thermostat (120, 2013 page)
    assert _per_dwelling("cylinder_insulation") == 50 + 120
    rows = {r["measure_type"]: r for r in committed_rows()}
    for mt in ("internal_wall_insulation", "external_wall_insulation", "floor_insulation",
               "double_glazing", "condensing_gas_boiler", "heating_controls",
               "cylinder_insulation"):
        assert "gov.scot" in rows[mt]["source_url"], mt
        assert rows[mt]["publisher"].startswith("Scottish Government"), mt


def test_est_led_and_calderdale_attic_rows() -> None:
    # Energy Saving Trust (2021): all bulbs of an average household to LED about GBP 145
    assert _per_dwelling("led_lighting") == 145
    led = load_catalogue().entry("led_lighting")
    assert led.cost(3) == led.cost(30)  # a whole-home figure: no per-bulb part
    # Calderdale Council: attic room insulation GBP 25-250 per m2, midpoint per m2
    slope = load_catalogue().entry("sloping_ceiling_insulation")
    assert (slope.published_cost_per_unit_gbp, slope.published_fixed_cost_gbp) == (
        (25 + 250) / 2, 0)


def test_every_sourced_url_is_a_web_address() -> None:
    for row in committed_rows():
        if row["source_status"] == SOURCED:
            for url in row["source_url"].split(" ; "):
                assert url.startswith(("http://", "https://")), (row["measure_type"], url)


def test_cost_is_fixed_plus_units_with_contingency() -> None:
    e = load_catalogue().entry("cavity_wall_fill")
    assert e.cost(40) == pytest.approx((e.fixed_cost_gbp + 40 * e.cost_per_unit_gbp)
                                       * (1 + e.contingency_percent / 100))


def test_malformed_catalogue_raises(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text(HEADER + f"x,bogus,1,1,1,SOURCED,s,{GOOD_PROVENANCE}\n")
    with pytest.raises(ValueError, match="unit"):
        load_catalogue(p)
    p.write_text(HEADER + "x,m2,1,1,1,UNSOURCED,,,,,,,,\n")
    with pytest.raises(ValueError, match="source"):
        load_catalogue(p)
    p.write_text(HEADER + "x,m2,1,1,1,SOURCED,s,https://example.org,Publisher,,GBP 5,2024,"
                 "none,\n")
    with pytest.raises(ValueError, match="source_date"):
        load_catalogue(p)
    p.write_text(HEADER + "x,m2,1,1,1,UNSOURCED,an estimate,,,,,,,\n")
    with pytest.raises(ValueError, match="says so"):
        load_catalogue(p)
    p.write_text(HEADER + f"x,m2,1,1,1,maybe,s,{GOOD_PROVENANCE}\n")
    with pytest.raises(ValueError, match="source_status"):
        load_catalogue(p)
    p.write_text(HEADER + f"x,m2,1,1,1,SOURCED,s,{GOOD_PROVENANCE}\n")
    assert load_catalogue(p).entry("x").sourced


def test_heating_options_are_mutually_exclusive() -> None:
    assert exclusive_group("air_source_heat_pump") == exclusive_group("condensing_gas_boiler")
    assert exclusive_group("solar_pv") == "solar_pv"


# --- price base: ONS construction output price index, housing repair and maintenance ---

def _mean(index: dict[str, float], months: list[str]) -> float:
    return sum(index[m] for m in months) / len(months)


def test_price_index_file_is_the_cited_monthly_series() -> None:
    index = committed_index()
    # Jan 2014 (the series start) to June 2026, one value a month
    assert len(index) == 150 and min(index) == "2014-01" and max(index) == "2026-06"
    # its stated base: the twelve 2015 months average 100
    assert _mean(index, [f"2015-{m:02d}" for m in range(1, 13)]) == pytest.approx(100.0)
    text = resources.files("ara").joinpath("data", "measures",
                                           "price_index.csv").read_text(encoding="utf-8")
    header = [ln for ln in text.splitlines() if ln.startswith("#")]
    for key in ("# publisher: Office for National Statistics", "# series:", "# dataset:",
                "# read via:", "# date read:"):
        assert any(ln.startswith(key) for ln in header), key
    assert "ons.gov.uk" in text


def test_period_months() -> None:
    assert period_months("2018") == [f"2018-{m:02d}" for m in range(1, 13)]
    assert period_months("2025/26") == ([f"2025-{m:02d}" for m in range(4, 13)]
                                        + ["2026-01", "2026-02", "2026-03"])
    assert period_months("2024-07") == ["2024-07"]
    for bad in ("2018/20", "18/19", "2024-13", "about 2019"):
        with pytest.raises(ValueError):
            period_months(bad)


def test_adjusted_rows_are_published_figure_times_hand_computed_factor() -> None:
    index = committed_index()
    # index(2025/26): April 2025 to March 2026, twelve values from price_index.csv
    target = (122.8 + 123.0 + 123.2 + 123.3 + 123.5 + 123.5 + 123.6 + 123.6 + 123.6
              + 123.7 + 124.0 + 124.1) / 12
    assert target == pytest.approx(_mean(index, period_months("2025/26")))
    fy_2018_19 = (104.5 + 104.7 + 104.8 + 104.8 + 104.9 + 105.0 + 105.0 + 105.1 + 105.2
                  + 105.4 + 105.5 + 105.7) / 12
    cal_2018 = (103.8 + 103.9 + 104.2 + 104.5 + 104.7 + 104.8 + 104.8 + 104.9 + 105.0
                + 105.0 + 105.1 + 105.2) / 12
    cal_2021 = (107.6 + 107.8 + 108.0 + 108.2 + 108.7 + 109.3 + 110.1 + 110.9 + 111.4
                + 112.1 + 112.5 + 112.9) / 12
    jul_2024 = 121.6
    fy_2024_25 = (121.3 + 121.4 + 121.6 + 121.6 + 121.7 + 121.8 + 121.8 + 121.9 + 121.9
                  + 122.3 + 122.5 + 122.6) / 12
    cat = load_catalogue()
    expected = {  # measure: (published fixed, published per unit, index at its price base)
        "internal_wall_insulation": (5000, 0, fy_2018_19),
        "external_wall_insulation": (8250, 0, fy_2018_19),
        "floor_insulation": (1000, 0, fy_2018_19),
        "double_glazing": (4750, 0, fy_2018_19),
        "secondary_glazing": (4750, 0, fy_2018_19),
        "high_heat_retention_storage_heaters": (3500, 0, fy_2018_19),
        "condensing_gas_boiler": (5500, 0, fy_2018_19),
        "heating_controls": (750, 0, fy_2018_19),
        "secondary_heating_removal": (500, 0, fy_2018_19),
        "loft_insulation": (340, 0, cal_2018),
        "led_lighting": (145, 0, cal_2021),
        "air_source_heat_pump": (12700, 0, jul_2024),
        "solar_pv": (0, 1876, fy_2024_25),
    }
    for mt, (fixed, per_unit, base) in expected.items():
        e = cat.entry(mt)
        assert e.adjusted, mt
        factor = target / base
        assert e.price_factor == pytest.approx(factor), mt
        assert (e.published_fixed_cost_gbp, e.published_cost_per_unit_gbp) == (fixed, per_unit)
        assert e.fixed_cost_gbp == pytest.approx(fixed * factor), mt
        assert e.cost_per_unit_gbp == pytest.approx(per_unit * factor), mt
    # spot values, to the penny: EESSH 5,000 (2018/19) and MCS 12,700 (July 2024)
    assert round(cat.entry("internal_wall_insulation").fixed_cost_gbp, 2) == 5877.76
    assert round(cat.entry("air_source_heat_pump").fixed_cost_gbp, 2) == 12897.57
    # the installed cost uses the 2025/26 figures
    iwi = cat.entry("internal_wall_insulation")
    assert iwi.cost(50) == pytest.approx(5000 * target / fy_2018_19
                                         * (1 + iwi.contingency_percent / 100), abs=0.01)


def test_rows_without_a_price_period_stay_at_their_published_figures_and_say_so() -> None:
    cat = load_catalogue()
    rows = {r["measure_type"]: r for r in committed_rows()}
    # undated (Calderdale), no stated price date (CAR summary), 2013 part before the index
    # starts (cylinder thermostat), and the three unsourced estimates
    for mt in ("cavity_wall_fill", "sloping_ceiling_insulation", "cylinder_insulation",
               "flat_roof_insulation", "draught_proofing", "mechanical_ventilation"):
        e = cat.entry(mt)
        assert not e.adjusted and e.price_factor is None and e.price_period == "", mt
        assert (e.fixed_cost_gbp, e.cost_per_unit_gbp) == (
            e.published_fixed_cost_gbp, e.published_cost_per_unit_gbp), mt
        if e.sourced:
            assert "not adjusted" in rows[mt]["adjustment"], mt


def test_a_price_period_the_index_does_not_cover_raises(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    prov = "https://example.org/x,Publisher,2013-01-01,GBP 120 fitted,2013,x index"
    p.write_text(HEADER + f"x,item,0,120,5,SOURCED,s,{prov},2013\n")
    with pytest.raises(ValueError, match="no value for 2013-01"):
        load_catalogue(p)
    p.write_text(HEADER + f"x,item,0,120,5,SOURCED,s,{prov},2026/27\n")
    with pytest.raises(ValueError, match="2026-07"):
        load_catalogue(p)
    p.write_text(HEADER + f"x,item,0,120,5,SOURCED,s,{prov},about 2019\n")
    with pytest.raises(ValueError, match="not YYYY"):
        load_catalogue(p)
    # a SOURCED row without a period must say it is not adjusted
    p.write_text(HEADER + f"x,item,0,120,5,SOURCED,s,{prov},\n")
    with pytest.raises(ValueError, match="not adjusted"):
        load_catalogue(p)
    # a covered period adjusts; a different index file changes the factor
    idx = tmp_path / "i.csv"
    idx.write_text("# test index\nperiod,index_2015_100,source\n"
                   + "".join(f"{m},{100 if m < '2025-04' else 110},t\n"
                             for m in [f"{y}-{mm:02d}" for y in (2024, 2025, 2026)
                                       for mm in range(1, 13)]))
    p.write_text(HEADER + f"x,item,2,120,5,SOURCED,s,{prov},2024\n")
    e = load_catalogue(p, idx).entry("x")
    assert e.price_factor == pytest.approx(1.1)
    assert (e.fixed_cost_gbp, e.cost_per_unit_gbp) == (pytest.approx(132), pytest.approx(2.2))
