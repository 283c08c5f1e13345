"""Bills at real fuel rates (decision 0014): hand-computed bills, unpriced fuels, the
committed snapshot and its loader."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from ara.domain.bills import (
    BILL_SCHEMA,
    END_USES,
    FUEL_RATES_DIR,
    PV_EXPORTED_COLUMN,
    PV_USED,
    FuelRates,
    FuelRatesError,
    UnpricedFuelError,
    compute_bills,
    compute_bills_or_unpriced,
    fuel_codes_used,
    snapshot_dates,
)
from ara.sap import OUTPUT_SCHEMA, calculate, synthetic

GAS, ELECTRICITY, OIL = 1, 30, 4

# Round test rates: gas 6 p/kWh + 30 p/day, electricity 25 p/kWh + 50 p/day, export 15 p/kWh
TEST_RATES = """\
# document: test snapshot
fuel,sap_fuel_codes,meter,kind,unit_rate_p_per_kwh,standing_charge_p_per_day,source,as_of
mains_gas,1,gas,import,6,30,test,2025-10-01
electricity,30,electricity,import,25,50,test,2025-10-01
export,60,,export,15,,test,2025-10-01
"""


@pytest.fixture
def rates(tmp_path: Path) -> FuelRates:
    path = tmp_path / "2025-10-01.csv"
    path.write_text(TEST_RATES)
    return FuelRates.load(path)


def dwelling(dwelling_id: str, **values: Any) -> dict[str, Any]:
    """One calculator output row: every billed column zero, fuels none, unless given."""
    row: dict[str, Any] = {"dwelling_id": dwelling_id, "status": "ok",
                           PV_EXPORTED_COLUMN: 0.0, PV_USED.kwh_column: 0.0,
                           "fuel_electricity": ELECTRICITY}
    for use in END_USES:
        row.setdefault(use.kwh_column, 0.0)
        row.setdefault(use.fuel_column, 0)
    row["fuel_electricity"] = ELECTRICITY
    row.update(values)
    return row


def outputs(*rows: dict[str, Any]) -> pa.Table:
    names = list(rows[0])
    schema = pa.schema([OUTPUT_SCHEMA.field(n) for n in names])
    return pa.Table.from_pylist(list(rows), schema=schema)


def gas_dwelling(dwelling_id: str = "gas-1", **extra: Any) -> dict[str, Any]:
    return dwelling(dwelling_id, space_heating_fuel_main1_kwh=10_000.0, fuel_main1=GAS,
                    water_heating_fuel_kwh=2_000.0, fuel_water=GAS, pumps_fans_kwh=150.0,
                    lighting_kwh=400.0, appliances_kwh=2_500.0, cooking_kwh=450.0, **extra)


def bill(table: pa.Table, row: int = 0) -> dict[str, Any]:
    return table.to_pylist()[row]


def test_billed_columns_are_calculator_outputs() -> None:
    names = {c for u in (*END_USES, PV_USED) for c in (u.kwh_column, u.fuel_column)}
    assert names | {PV_EXPORTED_COLUMN} <= set(OUTPUT_SCHEMA.names)


def test_gas_and_electricity_dwelling(rates: FuelRates) -> None:
    # gas 12,000 kWh x 6p = 720.00; electricity 3,500 kWh x 25p = 875.00;
    # standing: gas 365 x 30p = 109.50, electricity 365 x 50p = 182.50
    b = bill(compute_bills(outputs(gas_dwelling()), rates))
    assert b["bill_energy_charges_gbp"] == pytest.approx(1_595.00)
    assert b["bill_standing_charges_gbp"] == pytest.approx(292.00)
    assert b["bill_export_credit_gbp"] == 0.0
    assert b["bill_total_gbp"] == pytest.approx(1_887.00)


def test_per_end_use_costs(rates: FuelRates) -> None:
    b = bill(compute_bills(outputs(gas_dwelling()), rates))
    assert (b["space_heating_main1_gbp"], b["water_heating_gbp"], b["pumps_fans_gbp"],
            b["lighting_gbp"], b["appliances_gbp"], b["cooking_gbp"],
            b["space_heating_main2_gbp"]) == pytest.approx(
        (600.00, 120.00, 37.50, 100.00, 625.00, 112.50, 0.0))


def test_all_electric_dwelling_pays_one_standing_charge(rates: FuelRates) -> None:
    # 6,000 + 600 + 2,000 + 300 + 2,000 + 400 + 500 = 11,800 kWh x 25p = 2,950.00;
    # one electricity meter whatever the number of electric end uses: 182.50
    row = dwelling("elec-1", space_heating_fuel_main1_kwh=6_000.0, fuel_main1=ELECTRICITY,
                   space_heating_fuel_secondary_kwh=600.0, fuel_secondary=ELECTRICITY,
                   water_heating_fuel_kwh=2_000.0, fuel_water=ELECTRICITY,
                   lighting_kwh=300.0, appliances_kwh=2_000.0, cooking_kwh=400.0,
                   electric_shower_kwh=500.0)
    b = bill(compute_bills(outputs(row), rates))
    assert (b["bill_energy_charges_gbp"], b["bill_standing_charges_gbp"],
            b["bill_total_gbp"]) == pytest.approx((2_950.00, 182.50, 3_132.50))


def test_pv_exporter_is_credited_for_self_use_and_export(rates: FuelRates) -> None:
    # energy 1,595.00 - 800 kWh used x 25p (200.00) = 1,395.00; standing 292.00;
    # export 1,200 kWh x 15p = 180.00; total 1,395 + 292 - 180 = 1,507.00
    row = gas_dwelling("pv-1", pv_used_in_dwelling_kwh=800.0, pv_exported_kwh=1_200.0)
    b = bill(compute_bills(outputs(row), rates))
    assert b["pv_used_in_dwelling_gbp"] == pytest.approx(-200.00)
    assert (b["bill_energy_charges_gbp"], b["bill_standing_charges_gbp"],
            b["bill_export_credit_gbp"], b["bill_total_gbp"]) == pytest.approx(
        (1_395.00, 292.00, 180.00, 1_507.00))


def test_unpriced_fuel_raises_naming_property_and_fuel(rates: FuelRates) -> None:
    oil = dwelling("oil-7", space_heating_fuel_main1_kwh=9_000.0, fuel_main1=OIL,
                   water_heating_fuel_kwh=1_500.0, fuel_water=OIL, lighting_kwh=300.0)
    with pytest.raises(UnpricedFuelError, match=r"property oil-7: space_heating_main1 uses "
                                                r"fuel 4") as caught:
        compute_bills(outputs(gas_dwelling(), oil), rates)
    assert caught.value.problems == [("oil-7", "space_heating_main1", 4),
                                     ("oil-7", "water_heating", 4)]


def test_unpriced_rows_keep_null_amounts_and_their_reason(rates: FuelRates) -> None:
    """decision 0017: the priced rows are billed as compute_bills bills them; the oil home
    gets null amounts, never a default, and a reason naming each end use and fuel."""
    oil = dwelling("oil-7", space_heating_fuel_main1_kwh=9_000.0, fuel_main1=OIL,
                   water_heating_fuel_kwh=1_500.0, fuel_water=OIL, lighting_kwh=300.0)
    gas = gas_dwelling()
    table = compute_bills_or_unpriced(outputs(oil, gas, gas_dwelling("gas-2")), rates)
    rows = table.to_pylist()
    assert [r["property_id"] for r in rows] == ["oil-7", gas["dwelling_id"], "gas-2"]
    assert rows[0]["bill_total_gbp"] is None and rows[0]["space_heating_main1_gbp"] is None
    assert rows[0]["bill_unpriced_reason"] == (
        "space_heating_main1 uses fuel 4; water_heating uses fuel 4: not priced by Fuel "
        "Rates snapshot 2025-10-01")
    assert rows[0]["fuel_rates_snapshot"] == "2025-10-01"
    priced = compute_bills(outputs(gas, gas_dwelling("gas-2")), rates).to_pylist()
    for got, want in zip(rows[1:], priced, strict=True):
        assert got["bill_unpriced_reason"] is None
        assert {k: got[k] for k in want} == want
    every = compute_bills_or_unpriced(outputs(gas), rates)
    assert every.column("bill_unpriced_reason").null_count == 1


def test_unpriced_rows_are_found_by_position_when_ids_repeat(rates: FuelRates) -> None:
    """The cascade bills every prefix of a package under one dwelling id: a heat pump moves
    the oil home onto priced electricity, so the same id is unpriced before and priced
    after."""
    before = dwelling("h", space_heating_fuel_main1_kwh=9_000.0, fuel_main1=OIL,
                      lighting_kwh=300.0)
    after = dwelling("h", space_heating_fuel_main1_kwh=3_000.0, fuel_main1=ELECTRICITY,
                     lighting_kwh=300.0)
    rows = compute_bills_or_unpriced(outputs(before, after), rates).to_pylist()
    assert rows[0]["bill_total_gbp"] is None and rows[0]["bill_unpriced_reason"]
    # 3,300 kWh x 25 p + 365 x 50 p
    assert rows[1]["bill_total_gbp"] == pytest.approx(3_300 * 0.25 + 365 * 0.50)
    assert rows[1]["bill_unpriced_reason"] is None


def test_export_without_an_export_rate_raises(tmp_path: Path) -> None:
    path = tmp_path / "no-export.csv"
    path.write_text("\n".join(TEST_RATES.splitlines()[:-1]) + "\n")
    with pytest.raises(UnpricedFuelError, match="property pv-2: pv_exported uses fuel 60"):
        compute_bills(outputs(gas_dwelling("pv-2", pv_exported_kwh=10.0)),
                      FuelRates.load(path))


def test_fuel_with_no_kwh_is_neither_priced_nor_metered(rates: FuelRates) -> None:
    # a secondary heater on oil that burns nothing costs nothing and raises nothing; a gas
    # code with 0 kWh adds no gas standing charge
    row = dwelling("e-2", lighting_kwh=100.0, fuel_secondary=OIL, fuel_water=GAS)
    b = bill(compute_bills(outputs(row), rates))
    assert (b["bill_energy_charges_gbp"], b["bill_standing_charges_gbp"]) == \
        pytest.approx((25.00, 182.50))


def test_rows_are_billed_together_in_input_order(rates: FuelRates) -> None:
    table = compute_bills(outputs(gas_dwelling("b"), gas_dwelling("a", pv_exported_kwh=100.0)),
                          rates)
    assert table.schema == BILL_SCHEMA
    assert table.column("property_id").to_pylist() == ["b", "a"]
    assert table.column("bill_total_gbp").to_pylist() == pytest.approx([1_887.00, 1_872.00])
    assert table.column("fuel_rates_snapshot").to_pylist() == ["2025-10-01", "2025-10-01"]


def test_rows_the_calculator_rejected_raise(rates: FuelRates) -> None:
    with pytest.raises(ValueError, match="not ok"):
        compute_bills(outputs(gas_dwelling(), gas_dwelling("x", status="error")), rates)


# ------------------------------------------------------------------ the committed snapshot

def test_committed_snapshot_prices_a_gas_dwelling_at_the_october_2025_cap() -> None:
    # gas 12,000 x 6.29p = 754.80; electricity 3,500 x 26.35p = 922.25;
    # standing 365 x 34.03p = 124.2095 and 365 x 53.68p = 195.932
    b = bill(compute_bills(outputs(gas_dwelling()), FuelRates.load(date(2025, 11, 15))))
    assert (b["bill_energy_charges_gbp"], b["bill_standing_charges_gbp"],
            b["bill_total_gbp"]) == pytest.approx((1_677.05, 320.1415, 1_997.1915))


def test_committed_snapshot_credits_export_at_the_seg_rate() -> None:
    b = bill(compute_bills(outputs(gas_dwelling(pv_exported_kwh=1_000.0)),
                           FuelRates.load("2025-10-01")))
    assert b["bill_export_credit_gbp"] == pytest.approx(150.00)


def test_committed_snapshot_leaves_unsourced_fuels_out() -> None:
    rates = FuelRates.load("2025-10-01")
    assert rates.rate_for(GAS) is not None and rates.rate_for(ELECTRICITY) is not None
    assert all(rates.rate_for(code) is None for code in (2, 3, 4, 20, 31, 32, 39))


def test_committed_snapshot_states_its_sources_and_period() -> None:
    text = (FUEL_RATES_DIR / "2025-10-01.csv").read_text()
    assert "ofgem.gov.uk" in text and "2025-10-01 to 2025-12-31" in text
    assert all(r.source for r in FuelRates.load("2025-10-01").rates)


def test_calculated_synthetic_dwellings_are_billed_consistently() -> None:
    results = calculate(synthetic.generate(200, seed=5))
    assert set(fuel_codes_used(results)) <= {GAS, ELECTRICITY}
    table = compute_bills(results, FuelRates.load())
    costs = np.vstack([table.column(f"{u.name}_gbp").to_numpy()
                       for u in (*END_USES, PV_USED)]).sum(axis=0)
    energy = table.column("bill_energy_charges_gbp").to_numpy()
    total = table.column("bill_total_gbp").to_numpy()
    assert np.allclose(costs, energy) and np.isfinite(total).all()
    assert (table.column("bill_standing_charges_gbp").to_numpy() >= 195.932 - 1e-9).all()


# ------------------------------------------------------------------------------ the loader

def test_load_by_date_takes_the_latest_snapshot_on_or_before_it(tmp_path: Path) -> None:
    for day in ("2025-07-01", "2025-10-01"):
        (tmp_path / f"{day}.csv").write_text(TEST_RATES)
    assert FuelRates.load(date(2025, 9, 30), directory=tmp_path).snapshot == "2025-07-01"
    assert FuelRates.load(datetime(2025, 10, 1, 9), directory=tmp_path).snapshot == \
        "2025-10-01"
    assert FuelRates.load(directory=tmp_path).snapshot == "2025-10-01"


def test_load_before_the_first_snapshot_raises() -> None:
    with pytest.raises(FuelRatesError, match="on or before 2020-01-01"):
        FuelRates.load(date(2020, 1, 1))


def test_committed_snapshots_are_dated_files() -> None:
    assert date(2025, 10, 1) in snapshot_dates()


@pytest.mark.parametrize(("rows", "message"), [
    ("gas,1,gas,import,6,30,t,2025-10-01\nlpg,1 2,lpg,import,7,0,t,2025-10-01",
     "fuel code 1 is priced by both"),
    ("gas,1,gas,import,6,30,t,2025-10-01\ngas2,9,gas,import,6,31,t,2025-10-01",
     "meter gas has two standing charges"),
    ("gas,1,gas,import,-6,30,t,2025-10-01", "unit_rate_p_per_kwh"),
    ("gas,1,,import,6,30,t,2025-10-01", "needs a meter"),
    ("gas,1,gas,bought,6,30,t,2025-10-01", "kind"),
    ("gas,one,gas,import,6,30,t,2025-10-01", "row 1"),
    ("", "no rates"),
])
def test_malformed_snapshot_raises(tmp_path: Path, rows: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(TEST_RATES.splitlines()[1] + "\n" + rows + "\n")
    with pytest.raises(FuelRatesError, match=message):
        FuelRates.load(path)
