"""The rebaselining rule (decisions 0004, 0009/0010/0013): every branch, in one vectorised
call, and the baseline_performance rows it produces."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ara.domain import Band, Performance
from ara.domain.bills import FuelRates, compute_bills
from ara.domain.rebaseline import (
    BASELINE_SCHEMA,
    DIVERGENCE_SCHEMA,
    END_USE_SOURCES,
    LODGED_SCHEMA,
    PERFORMANCE_SCHEMA,
    RebaselineError,
    bands_of,
    baseline_table,
    rebaseline,
)
from ara.persistence import UnitOfWorkFactory, create_engine, upgrade
from ara.persistence.mapping import load_properties, property_row, to_arrow
from ara.persistence.tables import arrow_schema, baseline_performance
from ara.persistence.tables import properties as properties_table
from ara.sap import OUTPUT_SCHEMA

# Lodged figures used throughout: SAP 65 (D), 2.0 t CO2/yr, 200 kWh/m2/yr primary energy.
LODGED = {"lodged_sap_score": 65, "lodged_band": "D", "lodged_co2_tonnes_per_year": 2.0,
          "lodged_primary_energy_kwh_per_m2_year": 200.0}
NO_LODGED: dict[str, Any] = dict.fromkeys(LODGED)


def lodged_row(pid: str, *, path: str = "epc_with_overlay", overlay: bool = False,
               version: str | None = "10.2", schema: str | None = "RdSAP-Schema-21.0.1",
               certificate: str | None = "0000-0000-0000-0000-0001",
               survey: str | None = None, **figures: Any) -> dict[str, Any]:
    return {"property_id": pid, "source_path": path, "overlay_applied": overlay,
            "certificate_number": certificate, "survey_id": survey, "schema_type": schema,
            "sap_spec_version": version, **(LODGED | figures)}


def calculated_row(pid: str, sap: float = 72.3, co2_kg: float = 1_500.0,
                   pe: float = 150.0, status: str = "ok") -> dict[str, Any]:
    integer = int(sap + 0.5)
    return {"dwelling_id": pid, "status": status, "sap_rating_continuous": sap,
            "sap_rating": integer, "sap_band": Band.for_sap(integer).value,
            "co2_kg_per_year": co2_kg, "primary_energy_kwh_per_m2": pe}


CASES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    # pre-SAP 10.2 certificate, nothing changed: calculated figures
    (lodged_row("pre", version="9.94", schema="RdSAP-Schema-20.0.0"), calculated_row("pre")),
    # SAP 10.2 certificate with Landlord Overrides: calculated figures
    (lodged_row("overlay", overlay=True), calculated_row("overlay")),
    # both
    (lodged_row("both", overlay=True, version="9.93", schema="RdSAP-Schema-19.0"),
     calculated_row("both")),
    # survey, no certificate
    (lodged_row("survey", path="survey", version=None, schema=None, certificate=None,
                survey="S-1", **NO_LODGED), calculated_row("survey")),
    # survey newer than a pre-10.2 certificate: lodged kept beside, both triggers
    (lodged_row("survey-old-epc", path="survey", version="9.94", survey="S-2"),
     calculated_row("survey-old-epc")),
    # predicted
    (lodged_row("predicted", path="predicted", version=None, schema=None, certificate=None,
                **NO_LODGED), calculated_row("predicted")),
    # pristine SAP 10.2 within tolerance: SAP +0.4, CO2 +0.9 %, PE -0.5 %
    (lodged_row("pristine"), calculated_row("pristine", sap=65.4, co2_kg=2_018.0, pe=199.0)),
    # pristine, SAP exactly 0.5 off: not a divergence
    (lodged_row("pristine-edge"), calculated_row("pristine-edge", sap=65.5, co2_kg=2_000.0,
                                                 pe=200.0)),
    # pristine, SAP 0.6 off
    (lodged_row("sap-off"), calculated_row("sap-off", sap=64.4, co2_kg=2_000.0, pe=200.0)),
    # pristine, CO2 1.5 % off
    (lodged_row("co2-off"), calculated_row("co2-off", sap=65.0, co2_kg=2_030.0, pe=200.0)),
    # pristine, primary energy 2 % off
    (lodged_row("pe-off"), calculated_row("pe-off", sap=65.0, co2_kg=2_000.0, pe=196.0)),
    # version unreadable, schema says SAP 10.2: pristine
    (lodged_row("schema-10.2", version="unknown"),
     calculated_row("schema-10.2", sap=65.0, co2_kg=2_000.0, pe=200.0)),
    # version unreadable, older schema: pre-SAP 10.2
    (lodged_row("schema-old", version="", schema="RdSAP-Schema-20.0.0"),
     calculated_row("schema-old")),
    # a year-named edition
    (lodged_row("sap2012", version="SAP 2012", schema=None), calculated_row("sap2012")),
    # pristine SAP 10.2 but the certificate carries no CO2: calculated figures, lodged null
    (lodged_row("incomplete", lodged_co2_tonnes_per_year=None), calculated_row("incomplete")),
    # pristine SAP 10.2 without a lodged band: derived from the lodged SAP
    (lodged_row("no-band", lodged_band=None),
     calculated_row("no-band", sap=65.0, co2_kg=2_000.0, pe=200.0)),
]
EXPECTED_REASON = {
    "pre": "pre_sap10", "overlay": "physical_state_changed", "both": "both",
    "survey": "physical_state_changed", "survey-old-epc": "both",
    "predicted": "physical_state_changed", "pristine": "none", "pristine-edge": "none",
    "sap-off": "none", "co2-off": "none", "pe-off": "none", "schema-10.2": "none",
    "schema-old": "pre_sap10", "sap2012": "pre_sap10", "incomplete": "none", "no-band": "none",
}
CALCULATED = (72, "C", 1.5, 150.0)
KEPT = (65, "D", 2.0, 200.0)
EXPECTED_EFFECTIVE = {pid: CALCULATED for pid in EXPECTED_REASON} | {
    pid: KEPT for pid in ("pristine", "pristine-edge", "sap-off", "co2-off", "pe-off",
                          "schema-10.2", "no-band")}


def lodged_table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=LODGED_SCHEMA)


def calculated_table(rows: list[dict[str, Any]]) -> pa.Table:
    names = list(rows[0])
    return pa.Table.from_pylist(rows, schema=pa.schema([OUTPUT_SCHEMA.field(n)
                                                        for n in names]))


@pytest.fixture(scope="module")
def result() -> Any:
    # the calculator's rows in another order than the lodged ones: matched on id
    return rebaseline(lodged_table([c[0] for c in CASES]),
                      calculated_table([c[1] for c in reversed(CASES)]))


def performance_of(result: Any) -> dict[str, dict[str, Any]]:
    return {r["property_id"]: r for r in result.performance.to_pylist()}


@pytest.mark.parametrize("pid", list(EXPECTED_REASON))
def test_rebaseline_reason(result: Any, pid: str) -> None:
    assert performance_of(result)[pid]["rebaseline_reason"] == EXPECTED_REASON[pid]


@pytest.mark.parametrize("pid", list(EXPECTED_EFFECTIVE))
def test_effective_figures(result: Any, pid: str) -> None:
    r = performance_of(result)[pid]
    effective = (r["effective_sap_score"], r["effective_band"],
                 r["effective_co2_tonnes_per_year"],
                 r["effective_primary_energy_kwh_per_m2_year"])
    assert effective == pytest.approx(EXPECTED_EFFECTIVE[pid])


def test_lodged_figures_stay_beside_the_effective_ones(result: Any) -> None:
    r = performance_of(result)["survey-old-epc"]
    assert (r["lodged_sap_score"], r["lodged_band"], r["lodged_co2_tonnes_per_year"],
            r["lodged_primary_energy_kwh_per_m2_year"]) == KEPT
    assert (r["certificate_number"], r["survey_id"], r["source_path"]) == \
        ("0000-0000-0000-0000-0001", "S-2", "survey")


def test_property_without_certificate_has_no_lodged_figures(result: Any) -> None:
    r = performance_of(result)["predicted"]
    assert [r[f"lodged_{k}"] for k in ("sap_score", "band", "co2_tonnes_per_year",
                                       "primary_energy_kwh_per_m2_year")] == [None] * 4


def test_incomplete_lodged_figures_are_not_stored_half(result: Any) -> None:
    r = performance_of(result)["incomplete"]
    assert (r["lodged_sap_score"], r["lodged_co2_tonnes_per_year"]) == (None, None)


def test_missing_lodged_band_is_derived_from_the_lodged_sap(result: Any) -> None:
    r = performance_of(result)["no-band"]
    assert (r["lodged_band"], r["effective_band"]) == ("D", "D")


def test_only_pristine_certificates_beyond_tolerance_diverge(result: Any) -> None:
    assert result.divergences.schema == DIVERGENCE_SCHEMA
    assert sorted(result.divergences.column("property_id").to_pylist()) == \
        ["co2-off", "pe-off", "sap-off"]


def test_divergence_records_which_figure_and_by_how_much(result: Any) -> None:
    rows = {r["property_id"]: r for r in result.divergences.to_pylist()}
    assert (rows["sap-off"]["sap_diverges"], rows["sap-off"]["co2_diverges"],
            rows["sap-off"]["primary_energy_diverges"]) == (True, False, False)
    assert rows["sap-off"]["sap_difference"] == pytest.approx(-0.6)
    assert (rows["co2-off"]["co2_diverges"], rows["co2-off"]["sap_diverges"]) == (True, False)
    assert rows["co2-off"]["co2_relative_difference"] == pytest.approx(0.015)
    assert rows["pe-off"]["primary_energy_relative_difference"] == pytest.approx(-0.02)


def test_divergence_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("INFO", logger="ara.domain.rebaseline"):
        rebaseline(lodged_table([CASES[8][0]]), calculated_table([CASES[8][1]]))
    assert "1 of 1 pristine SAP 10.2 certificate(s) diverge" in caplog.text


def test_performance_rows_keep_input_order_and_schema(result: Any) -> None:
    assert result.performance.schema == PERFORMANCE_SCHEMA
    assert result.performance.column("property_id").to_pylist() == list(EXPECTED_REASON)


def test_property_without_a_calculation_raises_naming_it() -> None:
    with pytest.raises(RebaselineError, match=r"no calculator output: \['lost'\]"):
        rebaseline(lodged_table([lodged_row("lost")]), calculated_table([calculated_row("x")]))


def test_failed_calculation_raises_naming_it() -> None:
    with pytest.raises(RebaselineError, match="calculations failed for"):
        rebaseline(lodged_table([lodged_row("a")]),
                   calculated_table([calculated_row("a", status="error")]))


def test_unknown_source_path_raises() -> None:
    with pytest.raises(RebaselineError, match="unknown source_path"):
        rebaseline(lodged_table([lodged_row("a", path="guess")]),
                   calculated_table([calculated_row("a")]))


def test_bands_of_matches_the_domain_band_rule() -> None:
    import numpy as np
    ratings = np.arange(-5, 121)
    assert list(bands_of(ratings)) == [Band.for_sap(int(r)).value for r in ratings]


# ---------------------------------------------------------------- baseline_performance rows

def full_outputs(pids: list[str]) -> pa.Table:
    rows = []
    for i, pid in enumerate(pids):
        row = calculated_row(pid) | {
            "space_heating_fuel_main1_kwh": 9_000.0 + i, "space_heating_fuel_main2_kwh": 500.0,
            "space_heating_fuel_secondary_kwh": 300.0, "water_heating_fuel_kwh": 2_000.0,
            "electric_shower_kwh": 0.0, "lighting_kwh": 350.0, "pumps_fans_kwh": 120.0,
            "appliances_kwh": 2_400.0, "cooking_kwh": 420.0, "pv_generation_kwh": 0.0,
            "pv_used_in_dwelling_kwh": 0.0, "pv_exported_kwh": 0.0,
            "fuel_main1": 1, "fuel_main2": 1, "fuel_secondary": 30, "fuel_water": 1,
            "fuel_electricity": 30}
        rows.append(row)
    return calculated_table(rows)


def test_baseline_schema_is_the_baseline_performance_table() -> None:
    assert BASELINE_SCHEMA.equals(arrow_schema(baseline_performance))


def test_end_uses_are_calculator_outputs() -> None:
    assert {c for cols in END_USE_SOURCES.values() for c in cols} <= set(OUTPUT_SCHEMA.names)


@pytest.fixture
def baseline_rows() -> pa.Table:
    pids = [c[0]["property_id"] for c in CASES]
    calculated = full_outputs(pids)
    rebaselined = rebaseline(lodged_table([c[0] for c in CASES]), calculated)
    bills = compute_bills(calculated, FuelRates.load("2025-10-01"))
    return baseline_table(rebaselined.performance, calculated, bills,
                          datetime(2026, 1, 5, 12, 0, 0))


def test_baseline_rows_carry_kwh_by_end_use_and_the_bill(baseline_rows: pa.Table) -> None:
    row = baseline_rows.to_pylist()[0]
    assert (row["space_heating_main_kwh"], row["space_heating_secondary_kwh"],
            row["water_heating_kwh"], row["cooling_kwh"]) == (9_500.0, 300.0, 2_000.0, 0.0)
    assert row["fuel_rates_snapshot"] == "2025-10-01"
    assert row["bill_total_gbp"] == pytest.approx(
        row["bill_energy_charges_gbp"] + row["bill_standing_charges_gbp"]
        - row["bill_export_credit_gbp"])


def test_baseline_rows_round_trip_through_the_database(baseline_rows: pa.Table,
                                                      tmp_path: Path) -> None:
    engine = create_engine(str(tmp_path / "ara.db"))
    upgrade(engine)
    units = UnitOfWorkFactory(engine)
    from ara.domain import Address, Property
    pids = baseline_rows.column("property_id").to_pylist()
    try:
        with units() as uow:
            uow.portfolios.upsert(pa.table({"portfolio_id": ["pf"], "name": ["P"]}))
            uow.properties.upsert(to_arrow(properties_table, [
                property_row(Property(pid, "pf", None, None, Address(("x",))))
                for pid in pids]))
            uow.baselines.upsert(baseline_rows)
        with units(read_only=True) as uow:
            stored = uow.baselines.read(pids)
            loaded = load_properties(uow, pids)
    finally:
        engine.dispose()
    assert stored.sort_by("property_id").equals(baseline_rows.sort_by("property_id"))
    # every branch makes a valid domain baseline (reason 'none' requires Effective == Lodged)
    baselines = {pid: loaded[pid].baseline for pid in pids}
    assert baselines["pristine"] is not None and baselines["pristine"].lodged == \
        baselines["pristine"].effective == Performance(65, Band.D, 2.0, 200.0)
    assert baselines["predicted"] is not None and baselines["predicted"].lodged is None
    assert {pid: b.rebaseline_reason.value for pid, b in baselines.items()
            if b is not None} == EXPECTED_REASON
    assert baselines["pe-off"] is not None and baselines["pe-off"].bill.fuel_rates_snapshot \
        == "2025-10-01"
