"""What a plan's fingerprint reads (issue 20: re-plan only the homes that changed): the run's
part changes with the Fuel Rates (any rate, not only the snapshot's id), the measure catalogue's
costs, the mode and the PCDB, and cannot be told for a PCDB without its file's digest; the
scenario's with any part of its definition; the home's with its Effective EPC, source path,
planning flags, solar data, stored baseline figures and market value, but not with when the
baseline was calculated or what changed since the previous one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from types import SimpleNamespace
from typing import Any

from ara.domain.bills import FuelRates
from ara.domain.property import Address, PlanningFlags, Property, SolarPotential
from ara.modelling.catalogue import Catalogue, load_catalogue
from ara.modelling.orchestrator import (
    FINGERPRINT_BASELINE_COLUMNS,
    home_fingerprint,
    run_fingerprint,
    scenario_fingerprint,
)
from ara.modelling.scenarios import bundled_scenarios

RATES = FuelRates.load()


def _run(**changes: Any) -> str | None:
    args: dict[str, Any] = {"fuel_rates": RATES, "catalogue": None, "mode": "estimate",
                            "pcdb": None, "exhaustive_limit": 10, **changes}
    return run_fingerprint(**args)


def test_the_run_part_follows_rates_catalogue_mode_pcdb_and_the_search_limit() -> None:
    first = RATES.rates[0]
    dearer = dataclasses.replace(RATES, rates=(dataclasses.replace(
        first, unit_rate_p_per_kwh=first.unit_rate_p_per_kwh + 1.0), *RATES.rates[1:]))
    catalogue = load_catalogue()
    measure, entry = next(iter(catalogue.entries.items()))
    costlier = Catalogue({**catalogue.entries, measure: dataclasses.replace(
        entry, published_fixed_cost_gbp=entry.published_fixed_cost_gbp + 1.0)})
    pcdb = SimpleNamespace(sha256="ab" * 32, file_revision=1, file_date=dt.date(2025, 1, 1),
                           tables={105: None})
    found = [_run(), _run(fuel_rates=dearer), _run(catalogue=costlier), _run(mode="strict"),
             _run(pcdb=pcdb), _run(exhaustive_limit=8)]
    assert None not in found and len(set(found)) == len(found)
    assert _run() == _run(catalogue=load_catalogue())  # the default catalogue, given
    assert _run(pcdb=SimpleNamespace(tables={})) is None  # a PCDB it cannot tell apart


def test_the_scenario_part_follows_its_whole_definition() -> None:
    scenario = bundled_scenarios()[0]
    phase = scenario.phases[0]
    renamed = dataclasses.replace(scenario, name=scenario.name + " (2)")
    cheaper = dataclasses.replace(scenario, phases=(
        dataclasses.replace(phase, budget_gbp=(phase.budget_gbp or 0.0) + 1.0),
        *scenario.phases[1:]))
    found = {scenario_fingerprint(s) for s in (scenario, renamed, cheaper)}
    assert len(found) == 3
    assert scenario_fingerprint(bundled_scenarios()[0]) == scenario_fingerprint(scenario)


def _home(**changes: Any) -> Property:
    fields: dict[str, Any] = {"property_id": "P1", "portfolio_id": "PF", "uprn": 1,
                              "landlord_reference": None,
                              "address": Address(("1 Street",), "Town", "AB1 2CD"), **changes}
    return Property(**fields)


BASELINE = {c: 1.0 for c in FINGERPRINT_BASELINE_COLUMNS}


def test_the_home_part_follows_what_its_plans_are_made_from() -> None:
    solar = SolarPotential(20.0, 30.0, 180.0, 900.0, 3.0, "pvgis")
    base = home_fingerprint(_home(), "epc_with_overlay", '{"a":1}', BASELINE)
    found = [base,
             home_fingerprint(_home(), "epc_with_overlay", '{"a":2}', BASELINE),
             home_fingerprint(_home(), "survey", '{"a":1}', BASELINE),
             home_fingerprint(_home(planning_flags=PlanningFlags(conservation_area=True)),
                              "epc_with_overlay", '{"a":1}', BASELINE),
             home_fingerprint(_home(solar_potential=solar), "epc_with_overlay", '{"a":1}',
                              BASELINE),
             home_fingerprint(_home(), "epc_with_overlay", '{"a":1}',
                              {**BASELINE, "effective_sap_score": 2.0}),
             home_fingerprint(_home(), "epc_with_overlay", '{"a":1}', None),
             home_fingerprint(_home(), "epc_with_overlay", '{"a":1}', BASELINE, 250_000.0)]
    assert len(set(found)) == len(found)
    assert not {"calculated_at", "changed_inputs"} & set(FINGERPRINT_BASELINE_COLUMNS)
    assert home_fingerprint(_home(), "epc_with_overlay", '{"a":1}', {
        **BASELINE, "calculated_at": dt.datetime(2026, 1, 1),
        "changed_inputs": "landlord_overrides_changed"}) == base


def test_where_a_certificate_was_read_from_does_not_change_the_home_part() -> None:
    """The same certificate read from another archive or object store (its ``source``) or
    kept without its raw document plans the same: the fingerprint leaves provenance out."""
    local = '{"certificate_number":"C1","source":"/data/a.ndjson.gz:17","raw_document":"<x/>"}'
    remote = '{"source":"s3://b/a.ndjson.gz:17","certificate_number":"C1"}'
    other = '{"certificate_number":"C2","source":"/data/a.ndjson.gz:17"}'
    assert home_fingerprint(_home(), "epc_with_overlay", local, BASELINE) == \
        home_fingerprint(_home(), "epc_with_overlay", remote, BASELINE)
    assert home_fingerprint(_home(), "epc_with_overlay", local, BASELINE) != \
        home_fingerprint(_home(), "epc_with_overlay", other, BASELINE)
