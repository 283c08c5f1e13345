from pathlib import Path

import pytest

from ara.modelling.catalogue import exclusive_group, load_catalogue
from ara.modelling.overlays import OVERLAY_ORDER


def test_catalogue_covers_every_overlay_and_is_sourced() -> None:
    cat = load_catalogue()
    assert set(OVERLAY_ORDER) == set(cat.entries)
    for entry in cat.entries.values():
        assert entry.source  # sourced or explicitly marked UNSOURCED


def test_cost_is_fixed_plus_units_with_contingency() -> None:
    e = load_catalogue().entry("loft_insulation")
    assert e.cost(40) == pytest.approx((e.fixed_cost_gbp + 40 * e.cost_per_unit_gbp)
                                       * (1 + e.contingency_percent / 100))


def test_malformed_catalogue_raises(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("measure_type,unit,cost_per_unit_gbp,fixed_cost_gbp,contingency_percent,"
                 "source\nx,bogus,1,1,1,s\n")
    with pytest.raises(ValueError, match="unit"):
        load_catalogue(p)
    p.write_text("measure_type,unit,cost_per_unit_gbp,fixed_cost_gbp,contingency_percent,"
                 "source\nx,m2,1,1,1,\n")
    with pytest.raises(ValueError, match="source"):
        load_catalogue(p)


def test_heating_options_are_mutually_exclusive() -> None:
    assert exclusive_group("air_source_heat_pump") == exclusive_group("condensing_gas_boiler")
    assert exclusive_group("solar_pv") == "solar_pv"
