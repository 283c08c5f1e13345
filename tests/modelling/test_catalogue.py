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
)
from ara.modelling.overlays import OVERLAY_ORDER

HEADER = ("measure_type,unit,cost_per_unit_gbp,fixed_cost_gbp,contingency_percent,"
          "source_status,source," + ",".join(PROVENANCE_FIELDS) + "\n")
GOOD_PROVENANCE = "https://example.org/x,Publisher,2025-01-01,GBP 5 per m2,2024,none"


def committed_rows() -> list[dict[str, str]]:
    text = resources.files("ara").joinpath("data", "measures",
                                           "catalogue_2025_26.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


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
    assert cwi.fixed_cost_gbp + 80 * cwi.cost_per_unit_gbp == pytest.approx((480 + 660) / 2)
    assert cwi.cost_per_unit_gbp == pytest.approx((5 + 6) / 2)
    loft = cat.entry("loft_insulation")
    assert (loft.fixed_cost_gbp, loft.cost_per_unit_gbp) == ((285 + 395) / 2, 0.0)
    ashp = cat.entry("air_source_heat_pump")
    assert ashp.fixed_cost_gbp + ashp.cost_per_unit_gbp == 12700
    pv = cat.entry("solar_pv")
    assert (pv.cost_per_unit_gbp, pv.fixed_cost_gbp) == (1876, 0)


def _per_dwelling(measure_type: str) -> float:
    """The fixed cost of a row whose source gives one figure per dwelling (nothing per unit)."""
    e = load_catalogue().entry(measure_type)
    assert e.cost_per_unit_gbp == 0, measure_type
    return e.fixed_cost_gbp


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
    assert (slope.cost_per_unit_gbp, slope.fixed_cost_gbp) == ((25 + 250) / 2, 0)


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
    p.write_text(HEADER + "x,m2,1,1,1,UNSOURCED,,,,,,,\n")
    with pytest.raises(ValueError, match="source"):
        load_catalogue(p)
    p.write_text(HEADER + "x,m2,1,1,1,SOURCED,s,https://example.org,Publisher,,GBP 5,2024,none\n")
    with pytest.raises(ValueError, match="source_date"):
        load_catalogue(p)
    p.write_text(HEADER + "x,m2,1,1,1,UNSOURCED,an estimate,,,,,,\n")
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
