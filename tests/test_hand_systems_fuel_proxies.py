"""Hand-derived: estimate-mode fuel proxies (fallback ``fuel_factor_proxy``, decision 0025).

A fuel whose SAP 10.2 Table 12 CO2 or primary energy factor, Table 12 / Table 32 unit price
or standing charge is not in spec/ takes the missing figure from the proxy fuel declared in
``spec/tables/estimate_fuel_proxies.csv`` (the proxy's own figure, or its proxy's in turn),
and keeps every figure it has. The calculator applies it only with the input
``fuel_factors_proxy`` (set by estimate mode); without it such a dwelling is refused naming
the missing factor. Every expected value below is read from the spec tables by the test,
never from the calculator's own arrays. Tolerance: relative 1e-9.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import test_hand_systems_heat_networks as networks
from test_hand_common import approx
from test_hand_systems_common import (
    cylinder,
    full,
    input_error,
    pe_monthly,
    problem,
    rdsap_price,
    rdsap_standing,
    result_row,
    val,
)

from ara.sap.tables import fuel_proxies, needs_fuel_proxy, read_table

B30K, HEATING_OIL, BIODIESEL, BIODIESEL_UCO = 75, 4, 71, 72
BIOMASS_NETWORK, WOOD_CHIPS = 43, 21
OIL_BOILER = 127  # Table 4b: a liquid fuel boiler


def table12(code: int, column: str) -> float:
    rows = [r for r in read_table("sap10_2_table12_fuel_prices_factors_PARTIAL.csv")
            if r["fuel_code"] == str(code)]
    assert len(rows) == 1, code
    return float(rows[0][column]) if rows[0][column].strip() else float("nan")


def declared_proxy(code: int) -> int:
    rows = [r for r in read_table("estimate_fuel_proxies.csv") if r["fuel_code"] == str(code)]
    assert len(rows) == 1, code
    return int(rows[0]["proxy_code"])


def oil_boiler(fuel: int, **kw: Any) -> dict[str, Any]:
    d = {"main1_code": OIL_BOILER, "main1_fuel": fuel, "water_heating_code": 901,
         "rating_method": 2}
    d.update(kw)
    return cylinder(**d)


def test_the_declared_proxies_are_the_ones_the_tables_use() -> None:
    chains = fuel_proxies()
    assert chains[B30K] == (HEATING_OIL,) == (declared_proxy(B30K),)
    assert chains[BIODIESEL_UCO] == (BIODIESEL, HEATING_OIL)  # 72 -> 71 -> 4
    assert chains[BIOMASS_NETWORK] == (WOOD_CHIPS,)
    for code, chain in chains.items():
        assert code not in chain and len(set(chain)) == len(chain)


def test_which_fuels_need_a_proxy() -> None:
    fuel = np.array([1, 4, 30, 41, 51, 53, 7, 71, 72, 74, 75, 76, 43, 54, -1, 0])
    want = [False] * 6 + [True] * 8 + [False, False]
    assert needs_fuel_proxy(fuel, np.ones(len(fuel), dtype=bool)).tolist() == want
    assert needs_fuel_proxy(fuel, np.zeros(len(fuel), dtype=bool)).tolist() == want


def test_without_the_flag_a_fuel_lacking_a_factor_is_refused_by_name() -> None:
    err = input_error(oil_boiler(B30K))
    assert any("primary energy factor" in m for m in problem(err, "main1_fuel"))
    assert not any("CO2" in m for m in problem(err, "main1_fuel"))  # B30K has its CO2


def test_b30k_keeps_its_own_co2_and_price_and_takes_heating_oils_primary_energy() -> None:
    d = oil_boiler(B30K, fuel_factors_proxy=True)
    lines = full(d)
    r211 = val(lines, "211")
    assert val(lines, "261") == approx(r211 * table12(B30K, "co2_kg_per_kwh"))
    assert val(lines, "275") == approx(r211 * table12(HEATING_OIL, "primary_energy_factor"))
    assert val(lines, "240") == approx(r211 * rdsap_price(B30K) / 100.0)
    assert val(lines, "251") == approx(rdsap_standing(str(B30K)))
    row = result_row(d)
    assert row["status"] == "ok", row["error"]
    assert row["fuel_main1"] == B30K  # the fuel code, not the completed table row


def test_b30k_primary_energy_equals_the_same_boiler_on_heating_oil() -> None:
    proxied = full(oil_boiler(B30K, fuel_factors_proxy=True))
    oil = full(oil_boiler(HEATING_OIL))
    assert val(proxied, "211") == approx(val(oil, "211"))
    assert val(proxied, "275") == approx(val(oil, "275"))
    assert val(proxied, "261") != approx(val(oil, "261"))


def test_a_fuel_with_no_row_takes_every_figure_along_its_chain() -> None:
    """72 (biodiesel from used cooking oil) has no Table 12 / Table 32 row: price, CO2 and
    standing charge of 71, and 71's missing primary energy factor from heating oil."""
    err = input_error(oil_boiler(BIODIESEL_UCO))
    assert problem(err, "main1_fuel")
    d = oil_boiler(BIODIESEL_UCO, fuel_factors_proxy=True)
    lines = full(d)
    r211 = val(lines, "211")
    assert val(lines, "240") == approx(r211 * rdsap_price(BIODIESEL) / 100.0)
    assert val(lines, "261") == approx(r211 * table12(BIODIESEL, "co2_kg_per_kwh"))
    assert val(lines, "275") == approx(r211 * table12(HEATING_OIL, "primary_energy_factor"))
    assert val(lines, "251") == approx(rdsap_standing(str(BIODIESEL)))
    assert result_row(d)["status"] == "ok"


def test_biomass_heat_network_takes_the_factors_of_wood_chips() -> None:
    """Table 12 note (k): a network's factors are per unit of the fuel its generator burns;
    the whole heat-network worksheet (206)-(286) by the heat-network hand derivation."""
    d = networks.network(fuel=BIOMASS_NETWORK, fuel_factors_proxy=True)
    lines = full(d)
    assert declared_proxy(BIOMASS_NETWORK) == WOOD_CHIPS
    exp = networks.expected(d, lines, networks._hn("dlf", "D"),
                            networks.table4a(301, "efficiency_space_pct"),
                            [table12(WOOD_CHIPS, "co2_kg_per_kwh")] * 12,
                            pe_monthly(WOOD_CHIPS))
    networks.check(lines, exp)
    row = result_row(d)
    assert row["status"] == "ok", row["error"]
    assert row["fuel_main1"] == BIOMASS_NETWORK


def test_the_heat_network_price_is_never_the_fuel_price() -> None:
    """With the SAP 10.2 method a network's heat needs a declared price even with the proxy
    (the proxy gives factors per unit of fuel burnt, not a price of heat)."""
    d = networks.network(fuel=BIOMASS_NETWORK, fuel_factors_proxy=True,
                         heat_network_price_p_per_kwh=None)
    assert problem(input_error(d), "heat_network_price_p_per_kwh")


@pytest.mark.parametrize("fuel", [1, HEATING_OIL])
def test_the_flag_changes_nothing_for_a_fuel_with_every_figure(fuel: int) -> None:
    code = 104 if fuel == 1 else OIL_BOILER
    plain = result_row(oil_boiler(fuel, main1_code=code))
    flagged = result_row(oil_boiler(fuel, main1_code=code, fuel_factors_proxy=True))
    assert plain == flagged
