"""Hand-derived heat networks (SAP 10.2 Appendix C, Table 12c, Table 12 notes k-l).

A heat network main (Table 4a 301 boilers, 304 heat pump) with a heat-network fuel:
  (306) DLF from Table 12c by age band (or declared; 1 for a PCDB-listed network, C3.1);
  (307) space heat generated = (98) x (204) x DLF, (310) water heat generated = (64) x DLF;
  cost = heat generated x the network's price per unit of heat generated (note k; the price
  is declared because Table 12 / Table 32 heat-network prices are not transcribed);
  CO2 / PE = heat generated x 100 / heat-source efficiency (Table 4a) x the Table 12 factor
  of the fuel burnt (53 oil: 0.335 / 1.18; 41 electric heat pump: the monthly electricity
  factors);
  pumping electricity (313) = 0.01 x [(307) + (310)] (C3.2), CO2 and PE only, on the monthly
  electricity factors;
  standing charge (251) 120 GBP (Table 12 note k row 'Heat networks'; RdSAP Table 32).
Every number comes from spec/tables through read_table. Tolerance: relative 1e-9.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_hand_common import approx
from test_hand_systems_common import (
    ELEC_CO2,
    ELEC_PE,
    RATING,
    cylinder,
    ei_rating,
    full,
    input_error,
    mon,
    pe_monthly,
    problem,
    rdsap_price,
    rdsap_standing,
    result_row,
    sap_rating,
    sap_standing,
    table4a,
    table4a_supplement,
    tfa,
    val,
)

from ara.sap.tables import read_table

OIL_NETWORK, HP_NETWORK = 53, 41
PRICE = 5.0  # declared price of the network's heat, p/kWh (a test input, not a spec value)


def _hn(kind: str, key: str) -> float:
    rows = [r for r in read_table("sap10_2_table12c_heat_networks.csv")
            if r["kind"] == kind and r["key"] == key]
    assert len(rows) == 1, (kind, key)
    return float(rows[0]["value"])


def _co2(fuel: int) -> float:
    rows = [r for r in read_table("sap10_2_table12_fuel_prices_factors_PARTIAL.csv")
            if r["fuel_code"] == str(fuel)]
    assert len(rows) == 1
    return float(rows[0]["co2_kg_per_kwh"])


def network(code: int = 301, fuel: int = OIL_NETWORK, **kw: Any) -> dict[str, Any]:
    d = {"main1_code": code, "main1_fuel": fuel, "water_heating_code": 901,
         "heat_network_age_band": 4, "heat_network_price_p_per_kwh": PRICE}
    d.update(kw)
    return cylinder(**d)


def expected(d: dict[str, Any], lines: dict[str, Any], dlf: float, source_eff: float,
             co2: list[float], pe: list[float], method: int = 1,
             standing: float | None = None) -> dict[str, Any]:
    q98, q64, q64a, light = (mon(lines, k) for k in ("98", "64", "64a", "232"))
    other = val(lines, "249") / val(lines, "231") if val(lines, "231") else None
    assert val(lines, "231") == 0.0  # no Table 4f pump default for a heat network
    p_elec = val(lines, "250") / sum(light) * 100.0  # standard tariff, checked elsewhere
    r211 = [q * dlf for q in q98]
    r219 = [w * dlf for w in q64]
    r313 = [_hn("rule", "pumping_electricity_fraction") * (a + b)
            for a, b in zip(r211, r219, strict=True)]
    f = 100.0 / source_eff
    out: dict[str, Any] = {"206": 100.0 / dlf, "211": r211, "217": [100.0 / dlf] * 12,
                           "219": r219, "other": other}
    out["240"] = sum(r211) * PRICE / 100.0
    out["247"] = sum(r219) * PRICE / 100.0 + sum(q64a) * p_elec / 100.0
    out["251"] = _hn("rule", "standing_charge_gbp") if standing is None else standing
    out["255"] = out["240"] + out["247"] + sum(light) * p_elec / 100.0 + out["251"]
    area = tfa(d) + RATING[("0", "cf_denominator_area_offset")]
    out["258"] = sap_rating(RATING[(str(method), "deflator")] * out["255"] / area, method)
    out["261"] = [a * f * c for a, c in zip(r211, co2, strict=True)]
    out["264"] = [a * f * c for a, c in zip(r219, co2, strict=True)]
    out["267"] = [p * c for p, c in zip(r313, ELEC_CO2, strict=True)]
    out["272"] = (sum(out["261"]) + sum(out["264"]) + sum(out["267"])
                  + sum(x * c for x, c in zip(q64a, ELEC_CO2, strict=True))
                  + sum(x * c for x, c in zip(light, ELEC_CO2, strict=True)))
    out["274"] = ei_rating(out["272"] / area)
    out["286"] = sum((a + b) * f * p + (s + x + li) * e for a, b, s, x, li, p, e in zip(
        r211, r219, r313, q64a, light, pe, ELEC_PE, strict=True))
    return out


def check(lines: dict[str, Any], exp: dict[str, Any]) -> None:
    for label in ("206", "211", "217", "219", "240", "247", "251", "255", "258", "261",
                  "264", "267", "272", "274", "286"):
        want = exp[label]
        if isinstance(want, list):
            assert mon(lines, label) == [approx(v) for v in want], label
        else:
            assert val(lines, label) == approx(want), label


def test_boiler_network_on_oil_band_d() -> None:
    d = network()
    lines = full(d)
    dlf = _hn("dlf", "D")
    exp = expected(d, lines, dlf, table4a(301, "efficiency_space_pct"),
                   [_co2(OIL_NETWORK)] * 12, pe_monthly(OIL_NETWORK))
    check(lines, exp)
    row = result_row(d)
    assert row["status"] == "ok", row["error"]
    assert row["sap_rating_continuous"] == approx(exp["258"])
    assert row["co2_kg_per_year"] == approx(exp["272"])


@pytest.mark.parametrize(("band", "letter"), [(1, "A"), (7, "G"), (13, "M")])
def test_dlf_follows_table_12c_age_band(band: int, letter: str) -> None:
    lines = full(network(heat_network_age_band=band))
    assert val(lines, "206") == approx(100.0 / _hn("dlf", letter))


def test_pcdb_network_declares_dlf_1() -> None:
    d = network(heat_network_age_band=None, heat_network_dlf=_hn("dlf", "PCDB"))
    lines = full(d)
    exp = expected(d, lines, 1.0, table4a(301, "efficiency_space_pct"),
                   [_co2(OIL_NETWORK)] * 12, pe_monthly(OIL_NETWORK))
    check(lines, exp)


def test_heat_pump_network_uses_monthly_electricity_factors_over_cop() -> None:
    d = network(code=304, fuel=HP_NETWORK, heat_network_age_band=11)
    lines = full(d)
    exp = expected(d, lines, _hn("dlf", "K"), table4a(304, "efficiency_space_pct"),
                   ELEC_CO2, ELEC_PE)
    check(lines, exp)


def test_rdsap_method_uses_table_32_heat_network_standing_charge() -> None:
    d = network(rating_method=2)
    lines = full(d)
    exp = expected(d, lines, _hn("dlf", "D"), table4a(301, "efficiency_space_pct"),
                   [_co2(OIL_NETWORK)] * 12, pe_monthly(OIL_NETWORK), method=2,
                   standing=rdsap_standing("heat-network"))
    assert val(lines, "251") == approx(exp["251"])
    assert val(lines, "258") == approx(exp["258"])


@pytest.mark.parametrize(("overrides", "field", "needle"), [
    ({"heat_network_price_p_per_kwh": None}, "heat_network_price_p_per_kwh", "required"),
    ({"heat_network_age_band": None}, "heat_network_age_band", "Table 12c"),
    ({"main1_code": 303}, "main1_code", "not supported"),
    ({"main1_code": 302}, "heat_network_chp_flexible", "flexible"),
    ({"main1_fuel": 30}, "main1_fuel", "heat-network fuel"),
    ({"main1_fuel": 54}, "main1_fuel", "CO2 factor"),
    ({"heat_network_dlf": 0.9}, "heat_network_dlf", ">= 1"),
])
def test_what_spec_lacks_is_rejected_by_name(overrides: dict[str, Any], field: str,
                                             needle: str) -> None:
    err = input_error(network(**overrides))
    assert any(needle in m for m in problem(err, field)), err.problems


def test_heat_network_fuel_needs_a_heat_network_system() -> None:
    err = input_error(cylinder(main1_code=104, main1_fuel=OIL_NETWORK, water_heating_code=901))
    assert any("301-399" in m for m in problem(err, "main1_fuel")), err.problems


# ---------------------------------------------------------------- CHP and boilers (302)

CHP = {r["name"]: float(r["value"])
       for r in read_table("sap10_2_table12f_chp_heat_networks_PARTIAL.csv")}


def chp_network(**kw: Any) -> dict[str, Any]:
    d = {"heat_network_chp_fraction": 0.4, "heat_network_chp_heat_efficiency_percent": 45.0,
         "heat_network_chp_electrical_efficiency_percent": 30.0,
         "main1_efficiency_percent": 85.0, "heat_network_chp_flexible": True}
    d.update(kw)
    return network(302, **d)


def test_chp_network_fuel_and_electricity_credit() -> None:
    """Per kWh of heat generated: fuel 0.4 x 100/45 + 0.6 x 100/85 at the oil network's
    factors (363)+(368), less 0.4 x 30/45 x the Table 12f flexible factor (364)/(464).
    Costs as any network: heat generated x the declared price."""
    d = chp_network()
    lines = full(d)
    dlf = _hn("dlf", "D")
    fuel = 0.4 * 100.0 / 45.0 + 0.6 * 100.0 / 85.0
    credit = 0.4 * 30.0 / 45.0
    exp = expected(d, lines, dlf, 100.0 / fuel, [_co2(OIL_NETWORK)] * 12,
                   pe_monthly(OIL_NETWORK))
    c_co2, c_pe = credit * CHP["table12f_flexible_co2"], credit * CHP["table12f_flexible_pe"]
    assert (CHP["table12f_flexible_co2"], CHP["table12f_flexible_pe"]) == (0.420, 2.369)
    r211, r219 = mon(lines, "211"), mon(lines, "219")
    exp["261"] = [a - q * c_co2 for a, q in zip(exp["261"], r211, strict=True)]
    exp["264"] = [a - q * c_co2 for a, q in zip(exp["264"], r219, strict=True)]
    exp["272"] -= (sum(r211) + sum(r219)) * c_co2
    exp["274"] = ei_rating(exp["272"] / (tfa(d) + RATING[("0", "cf_denominator_area_offset")]))
    exp["286"] -= (sum(r211) + sum(r219)) * c_pe
    check(lines, exp)
    # the credit makes CO2 lower than the same network without CHP electricity
    no_credit = full(chp_network(heat_network_chp_electrical_efficiency_percent=0.0))
    assert val(lines, "272") < val(no_credit, "272")
    assert val(lines, "255") == approx(val(no_credit, "255"))
    row = result_row(d)
    assert row["co2_kg_per_year"] == approx(exp["272"])
    assert row["primary_energy_kwh"] == approx(exp["286"])


def test_chp_network_rdsap_section_c_defaults() -> None:
    """RdSAP method, nothing declared: CHP fraction 0.35, heat 50 %, electrical 25 %,
    boilers 80 % (RdSAP 10 section C)."""
    d = chp_network(rating_method=2, heat_network_chp_fraction=None,
                    heat_network_chp_heat_efficiency_percent=None,
                    heat_network_chp_electrical_efficiency_percent=None,
                    main1_efficiency_percent=None)
    lines = full(d)
    assert (CHP["rdsap_chp_fraction"], CHP["rdsap_chp_heat_efficiency"],
            CHP["rdsap_chp_electrical_efficiency"], CHP["rdsap_boiler_efficiency"]) \
        == (0.35, 50.0, 25.0, 80.0)
    per_heat = (0.35 * 100.0 / 50.0 + 0.65 * 100.0 / 80.0) * _co2(OIL_NETWORK) \
        - 0.35 * 25.0 / 50.0 * 0.420
    assert mon(lines, "261") == [approx(q * per_heat) for q in mon(lines, "211")]
    assert mon(lines, "264") == [approx(q * per_heat) for q in mon(lines, "219")]


@pytest.mark.parametrize(("overrides", "field", "needle"), [
    ({"heat_network_chp_flexible": None}, "heat_network_chp_flexible", "flexible"),
    ({"heat_network_chp_flexible": False}, "heat_network_chp_flexible", "flexible"),
    ({"heat_network_chp_fraction": None}, "heat_network_chp_fraction", "required"),
    ({"heat_network_chp_fraction": 1.5}, "heat_network_chp_fraction", "out of range"),
    ({"heat_network_chp_heat_efficiency_percent": 0.0},
     "heat_network_chp_heat_efficiency_percent", "out of range"),
    ({"main1_efficiency_percent": None}, "main1_efficiency_percent", "required"),
    ({"main1_fuel": 54}, "main1_fuel", "CO2 factor"),
])
def test_chp_network_without_sourced_numbers_is_rejected(overrides: dict[str, Any],
                                                         field: str, needle: str) -> None:
    err = input_error(chp_network(**overrides))
    assert any(needle in m for m in problem(err, field)), err.problems


# ---------------------------------------------------------------- heat network as main 2

HP_MAIN1 = 211  # Table 4a heat pump: electric, no Table 4f pump, no standing charge


def network_main2(code: int = 301, fuel: int = OIL_NETWORK, **kw: Any) -> dict[str, Any]:
    """Main 1: heat pump 211 (60 %); main 2: a heat network (40 %) heating the water
    (914). The network inputs are the same dwelling-level fields as for main 1."""
    d = {"main1_code": HP_MAIN1, "main1_fuel": 30, "main1_fraction": 0.6,
         "main1_responsiveness": 1.0, "main2_code": code, "main2_fuel": fuel,
         "main2_fraction": 0.4, "main2_responsiveness": 1.0, "water_heating_code": 914,
         "heat_network_age_band": 4, "heat_network_price_p_per_kwh": PRICE}
    d.update(kw)
    return cylinder(**d)


def test_boiler_network_as_main2_heats_its_fraction_and_the_water() -> None:
    """(207) = (217) = 100 / DLF (Table 12c band D); (213) = (98) x 0.4 x DLF, (219) =
    (64) x DLF; (211) = (98) x 0.6 x 100 / 230 at the electricity price. Cost (241) =
    (213) x price, water at the same price; (251) = the heat-network standing charge once
    (electricity on the standard tariff has none). CO2/PE of the network's heat x 100 /
    Table 4a 301 efficiency x the oil factors; (313) = 0.01 x [(213) + (219)] on the
    monthly electricity factors."""
    d = network_main2()
    lines = full(d)
    dlf = _hn("dlf", "D")
    eff_hp = table4a(HP_MAIN1, "efficiency_space_pct")
    f = 100.0 / table4a(301, "efficiency_space_pct")
    q98, q64, q64a, light = (mon(lines, k) for k in ("98", "64", "64a", "232"))
    assert val(lines, "231") == 0.0
    p_elec = val(lines, "250") / sum(light) * 100.0
    r211 = [q * 0.6 * 100.0 / eff_hp for q in q98]
    r213 = [q * 0.4 * dlf for q in q98]
    r219 = [w * dlf for w in q64]
    r313 = [_hn("rule", "pumping_electricity_fraction") * (a + b)
            for a, b in zip(r213, r219, strict=True)]
    assert (val(lines, "204"), val(lines, "205")) == (approx(0.6), approx(0.4))
    assert val(lines, "206") == approx(eff_hp)
    assert val(lines, "207") == approx(100.0 / dlf)
    assert mon(lines, "217") == [approx(100.0 / dlf)] * 12
    assert mon(lines, "211") == [approx(v) for v in r211]
    assert mon(lines, "213") == [approx(v) for v in r213]
    assert mon(lines, "219") == [approx(v) for v in r219]
    c240 = sum(r211) * p_elec / 100.0
    c241 = sum(r213) * PRICE / 100.0
    c247 = sum(r219) * PRICE / 100.0 + sum(q64a) * p_elec / 100.0
    c251 = _hn("rule", "standing_charge_gbp")
    assert val(lines, "240") == approx(c240)
    assert val(lines, "241") == approx(c241)
    assert val(lines, "247") == approx(c247)
    assert val(lines, "251") == approx(c251)
    c255 = c240 + c241 + c247 + sum(light) * p_elec / 100.0 + c251
    assert val(lines, "255") == approx(c255)
    area = tfa(d) + RATING[("0", "cf_denominator_area_offset")]
    assert val(lines, "258") == approx(sap_rating(RATING[("1", "deflator")] * c255 / area, 1))
    oil = _co2(OIL_NETWORK)
    exp261 = [a * c for a, c in zip(r211, ELEC_CO2, strict=True)]
    exp262 = [a * f * oil for a in r213]
    exp264 = [a * f * oil for a in r219]
    exp267 = [p * c for p, c in zip(r313, ELEC_CO2, strict=True)]
    for label, want in (("261", exp261), ("262", exp262), ("264", exp264), ("267", exp267)):
        assert mon(lines, label) == [approx(v) for v in want], label
    co2 = (sum(exp261) + sum(exp262) + sum(exp264) + sum(exp267)
           + sum(x * c for x, c in zip(q64a, ELEC_CO2, strict=True))
           + sum(x * c for x, c in zip(light, ELEC_CO2, strict=True)))
    assert val(lines, "272") == approx(co2)
    assert val(lines, "274") == approx(ei_rating(co2 / area))
    pe_oil = pe_monthly(OIL_NETWORK)
    pe = sum(a * e + (b + w) * f * p + (s + x + li) * e for a, b, w, s, x, li, p, e in zip(
        r211, r213, r219, r313, q64a, light, pe_oil, ELEC_PE, strict=True))
    assert val(lines, "286") == approx(pe)
    row = result_row(d)
    assert row["status"] == "ok", row["error"]
    assert row["co2_kg_per_year"] == approx(co2)


def test_heat_pump_network_as_main2_with_water_from_main1() -> None:
    """304 heat-pump network as main 2 on fuel 41, water from main 1 (901, the heat pump's
    Table 4a water efficiency): (213) = (98) x 0.4 x DLF (band K) with CO2 (262) =
    (213) x 100 / Table 4a 304 x the monthly electricity factors; (313) = 0.01 x (213)
    only; water carries no network factor or pumping."""
    d = network_main2(304, HP_NETWORK, heat_network_age_band=11, water_heating_code=901)
    lines = full(d)
    dlf = _hn("dlf", "K")
    f = 100.0 / table4a(304, "efficiency_space_pct")
    r213 = [q * 0.4 * dlf for q in mon(lines, "98")]
    assert mon(lines, "213") == [approx(v) for v in r213]
    assert mon(lines, "217") == [approx(table4a(HP_MAIN1, "efficiency_water_pct"))] * 12
    assert mon(lines, "262") == [approx(a * f * c) for a, c in zip(r213, ELEC_CO2,
                                                                    strict=True)]
    pumping = _hn("rule", "pumping_electricity_fraction")
    assert mon(lines, "267") == [approx(pumping * a * c) for a, c in zip(r213, ELEC_CO2,
                                                                          strict=True)]
    r219 = mon(lines, "219")
    assert mon(lines, "264") == [approx(w * c) for w, c in zip(r219, ELEC_CO2, strict=True)]
    assert val(lines, "241") == approx(sum(r213) * PRICE / 100.0)


def test_chp_network_as_main2_takes_main2_boiler_efficiency() -> None:
    """302 as main 2: fuel 0.4 x 100/45 + 0.6 x 100/85 (85 % = main2_efficiency_percent,
    the network's boilers) at the oil factor, less the Table 12f flexible credit
    0.4 x 30/45 x 0.420, on (213) and on the water it heats (914)."""
    d = network_main2(302, heat_network_chp_fraction=0.4,
                      heat_network_chp_heat_efficiency_percent=45.0,
                      heat_network_chp_electrical_efficiency_percent=30.0,
                      main2_efficiency_percent=85.0, heat_network_chp_flexible=True)
    lines = full(d)
    per_heat = (0.4 * 100.0 / 45.0 + 0.6 * 100.0 / 85.0) * _co2(OIL_NETWORK) \
        - 0.4 * 30.0 / 45.0 * CHP["table12f_flexible_co2"]
    assert mon(lines, "262") == [approx(q * per_heat) for q in mon(lines, "213")]
    assert mon(lines, "264") == [approx(q * per_heat) for q in mon(lines, "219")]
    err = input_error(network_main2(302, heat_network_chp_fraction=0.4,
                                    heat_network_chp_heat_efficiency_percent=45.0,
                                    heat_network_chp_electrical_efficiency_percent=30.0,
                                    heat_network_chp_flexible=True))
    assert any("required" in m for m in problem(err, "main2_efficiency_percent")), \
        err.problems


def test_network_as_main2_standing_charge_once_with_a_network_main1_rejected() -> None:
    """Main 1 a gas boiler: the gas and the heat-network standing charges each once.
    Both mains heat networks: rejected by name (one set of heat_network_* inputs)."""
    gas = network_main2(main1_code=104, main1_fuel=1)
    lines = full(gas)
    assert val(lines, "251") == approx(sap_standing(1) + _hn("rule", "standing_charge_gbp"))
    err = input_error(network_main2(main1_code=301, main1_fuel=OIL_NETWORK))
    assert any("both main systems" in m for m in problem(err, "main2_code")), err.problems


@pytest.mark.parametrize(("overrides", "field", "needle"), [
    ({"heat_network_price_p_per_kwh": None}, "heat_network_price_p_per_kwh", "required"),
    ({"heat_network_age_band": None}, "heat_network_age_band", "Table 12c"),
    ({"main2_code": 303}, "main2_code", "not supported"),
    ({"main2_fuel": 30}, "main2_fuel", "heat-network fuel"),
    ({"main2_fuel": 54}, "main2_fuel", "CO2 factor"),
    ({"main2_code": 104}, "main2_fuel", "301-399"),
])
def test_network_as_main2_without_sourced_numbers_is_rejected(
        overrides: dict[str, Any], field: str, needle: str) -> None:
    err = input_error(network_main2(**overrides))
    assert any(needle in m for m in problem(err, field)), err.problems


# ---------------------------------------------------------------- hot-water-only networks

ROOM_HEATERS = 691  # Table 4a direct-acting electric room heaters: no pump, no network


def water_network(code: int = 950, fuel: int = OIL_NETWORK, **kw: Any) -> dict[str, Any]:
    """Space heating by electric room heaters (standard tariff); the water from a
    hot-water-only heat network (Table 4a 950 boilers, 951 CHP, 952 heat pump) into the
    dwelling's cylinder."""
    d = {"main1_code": ROOM_HEATERS, "main1_fuel": 30, "water_heating_code": code,
         "water_heating_fuel": fuel, "heat_network_age_band": 4,
         "heat_network_price_p_per_kwh": PRICE}
    d.update(kw)
    return cylinder(**d)


def test_boiler_water_only_network_heat_generated_cost_and_half_standing_charge() -> None:
    """(217) = 100 / DLF (Table 12c band D), (219) = (310) = (64) x DLF priced at the
    network's price per unit of heat generated (note k); (251) = half the heat-network
    standing charge (note l: only DHW from the network); CO2/PE of the water =
    (219) x 100 / 80 (Table 4a 950, the network boilers) x the oil factors; (313) = 0.01 x
    (310) only. The room heaters are untouched: (211) = (98) at 100 % and the electricity
    price."""
    d = water_network()
    lines = full(d)
    dlf = _hn("dlf", "D")
    source = table4a_supplement(950, "efficiency_water_pct")
    assert source == table4a(301, "efficiency_space_pct") == 80.0  # decision 0018
    f = 100.0 / source
    q98, q64, q64a, light = (mon(lines, k) for k in ("98", "64", "64a", "232"))
    p_elec = val(lines, "250") / sum(light) * 100.0
    r211 = [q * 100.0 / table4a(ROOM_HEATERS, "efficiency_space_pct") for q in q98]
    r219 = [w * dlf for w in q64]
    r313 = [_hn("rule", "pumping_electricity_fraction") * w for w in r219]
    assert mon(lines, "211") == [approx(v) for v in r211]
    assert mon(lines, "217") == [approx(100.0 / dlf)] * 12
    assert mon(lines, "219") == [approx(v) for v in r219]
    assert val(lines, "231") == 0.0
    c240 = sum(r211) * p_elec / 100.0
    c247 = sum(r219) * PRICE / 100.0 + sum(q64a) * p_elec / 100.0
    c251 = _hn("rule", "standing_charge_gbp") * _hn("rule", "standing_charge_dhw_only_fraction")
    assert c251 == 60.0
    assert val(lines, "240") == approx(c240)
    assert val(lines, "247") == approx(c247)
    assert val(lines, "251") == approx(c251)
    c255 = c240 + c247 + sum(light) * p_elec / 100.0 + c251
    assert val(lines, "255") == approx(c255)
    area = tfa(d) + RATING[("0", "cf_denominator_area_offset")]
    assert val(lines, "258") == approx(sap_rating(RATING[("1", "deflator")] * c255 / area, 1))
    oil = _co2(OIL_NETWORK)
    exp261 = [a * c for a, c in zip(r211, ELEC_CO2, strict=True)]
    exp264 = [w * f * oil for w in r219]
    exp267 = [p * c for p, c in zip(r313, ELEC_CO2, strict=True)]
    for label, want in (("261", exp261), ("264", exp264), ("267", exp267)):
        assert mon(lines, label) == [approx(v) for v in want], label
    co2 = (sum(exp261) + sum(exp264) + sum(exp267)
           + sum(x * c for x, c in zip(q64a, ELEC_CO2, strict=True))
           + sum(x * c for x, c in zip(light, ELEC_CO2, strict=True)))
    assert val(lines, "272") == approx(co2)
    pe_oil = pe_monthly(OIL_NETWORK)
    pe = sum(a * e + w * f * p + (s + x + li) * e for a, w, s, x, li, p, e in zip(
        r211, r219, r313, q64a, light, pe_oil, ELEC_PE, strict=True))
    assert val(lines, "286") == approx(pe)
    row = result_row(d)
    assert row["status"] == "ok", row["error"]
    assert row["water_heating_fuel_kwh"] == approx(sum(r219))
    assert row["co2_kg_per_year"] == approx(co2)


def test_water_only_network_beside_a_gas_boiler_pays_both_standing_charges() -> None:
    """Gas boiler for space (pump and flue fan as Table 4f), water from the network: the
    gas charge in full, the network's at half (note l)."""
    lines = full(water_network(main1_code=104, main1_fuel=1))
    assert val(lines, "251") == approx(
        sap_standing(1) + _hn("rule", "standing_charge_gbp")
        * _hn("rule", "standing_charge_dhw_only_fraction"))
    assert mon(lines, "217") == [approx(100.0 / _hn("dlf", "D"))] * 12


def test_heat_pump_water_only_network_over_its_cop_on_monthly_factors() -> None:
    """952 on fuel 41: (264) = (219) x 100 / 300 (Table 4a 952 = 304's heat-source
    efficiency) x the monthly electricity factors; a declared heat-source efficiency
    replaces the table's."""
    d = water_network(952, HP_NETWORK, heat_network_age_band=11)
    lines = full(d)
    source = table4a_supplement(952, "efficiency_water_pct")
    assert source == table4a(304, "efficiency_space_pct") == 300.0  # decision 0018
    r219 = [w * _hn("dlf", "K") for w in mon(lines, "64")]
    assert mon(lines, "219") == [approx(v) for v in r219]
    assert mon(lines, "264") == [approx(w * 100.0 / source * c)
                                 for w, c in zip(r219, ELEC_CO2, strict=True)]
    declared = full(water_network(952, HP_NETWORK, heat_network_age_band=11,
                                  water_heating_efficiency_percent=250.0))
    assert mon(declared, "264") == [approx(w * 100.0 / 250.0 * c)
                                    for w, c in zip(r219, ELEC_CO2, strict=True)]
    assert val(declared, "247") == approx(val(lines, "247"))  # cost: heat generated x price


def test_chp_water_only_network_rdsap_defaults_and_standing_charge() -> None:
    """951 with the RdSAP method and nothing declared: the RdSAP 10 section C defaults
    (CHP 0.35, heat 50 %, electrical 25 %, boilers 80 %) and the Table 12f flexible credit
    on the water; (251) = half the Table 32 heat-network standing charge."""
    d = water_network(951, rating_method=2, heat_network_chp_flexible=True)
    lines = full(d)
    per_heat = (0.35 * 100.0 / 50.0 + 0.65 * 100.0 / 80.0) * _co2(OIL_NETWORK) \
        - 0.35 * 25.0 / 50.0 * CHP["table12f_flexible_co2"]
    assert mon(lines, "264") == [approx(q * per_heat) for q in mon(lines, "219")]
    assert val(lines, "251") == approx(
        rdsap_standing("heat-network") * _hn("rule", "standing_charge_dhw_only_fraction"))
    err = input_error(water_network(951, heat_network_chp_flexible=True))
    assert any("required" in m for m in problem(err, "water_heating_efficiency_percent")), \
        err.problems


@pytest.mark.parametrize(("overrides", "field", "needle"), [
    ({"heat_network_price_p_per_kwh": None}, "heat_network_price_p_per_kwh", "required"),
    ({"heat_network_age_band": None}, "heat_network_age_band", "Table 12c"),
    ({"water_heating_fuel": 1}, "water_heating_fuel", "heat-network fuel code"),
    ({"water_heating_fuel": 54}, "water_heating_fuel", "CO2 factor"),
    ({"water_heating_code": 903}, "water_heating_fuel", "950-952"),
    ({"main1_code": 301, "main1_fuel": OIL_NETWORK}, "water_heating_code", "heat-network main"),
    ({"water_heating_code": 951}, "heat_network_chp_flexible", "flexible"),
])
def test_water_only_network_without_sourced_numbers_is_rejected(
        overrides: dict[str, Any], field: str, needle: str) -> None:
    err = input_error(water_network(**overrides))
    assert any(needle in m for m in problem(err, field)), err.problems


def test_secondary_heating_with_a_network_main_takes_table_11_lineage_fraction() -> None:
    """A recorded secondary (693 portable electric heaters) beside a heat network main and
    no declared fraction: (201) = the Table 11 heat-network row, 0.10 (LINEAGE, decision
    0020); (215) = (98) x 0.10 x 100 / the heater's efficiency."""
    rows = [r for r in read_table("sap10_2_table11_secondary_fraction.csv")
            if r["main_system_category"] == "Heat networks"]
    assert len(rows) == 1 and float(rows[0]["secondary_fraction"]) == 0.10
    lines = full(network(secondary_code=693, secondary_fuel=30))
    assert val(lines, "201") == approx(0.10)
    eff = table4a(693, "efficiency_space_pct")
    assert mon(lines, "215") == [approx(q * 0.10 * 100.0 / eff) for q in mon(lines, "98")]


# ---------------------------------------------------------------- RdSAP 10 Table 32 prices
GAS_BOILERS, FROM_CHP = 51, 48


def _table32(code: int) -> float:
    rows = [r for r in read_table("rdsap10_table32_fuel_prices_PARTIAL.csv")
            if r["fuel_code"] == str(code)]
    assert len(rows) == 1
    return float(rows[0]["unit_price_p_per_kwh"])


def test_rdsap_gas_boiler_network_priced_from_table_32() -> None:
    """RdSAP method, no declared price: heat generated x Table 32 'heat from boilers - mains
    gas' (4.24 p, decision 0021); CO2/PE x 100 / 80 (Table 4a 301) x the code-51 factors
    (derived = mains gas, decision 0021); standing charge 120 (Table 32)."""
    assert _table32(GAS_BOILERS) == 4.24
    assert (_co2(GAS_BOILERS), _co2(1)) == (0.21, 0.21)
    d = network(fuel=GAS_BOILERS, rating_method=2, heat_network_price_p_per_kwh=None)
    lines = full(d)
    dlf = _hn("dlf", "D")
    r211 = [q * dlf for q in mon(lines, "98")]
    assert mon(lines, "211") == [approx(v) for v in r211]
    assert val(lines, "240") == approx(sum(r211) * 4.24 / 100.0)
    assert val(lines, "251") == approx(rdsap_standing("heat-network"))
    f = 100.0 / table4a(301, "efficiency_space_pct")
    assert mon(lines, "261") == [approx(a * f * 0.21) for a in r211]
    row = result_row(d)
    assert row["status"] == "ok", row["error"]


def test_rdsap_chp_network_price_is_the_chp_and_boiler_blend() -> None:
    """302 with the RdSAP section C CHP fraction 0.35 and no declared price: 0.35 x heat
    from CHP (Table 32 code 48, 2.97) + 0.65 x heat from gas boilers (51, 4.24) = 3.7955 p
    per kWh of heat generated, the price an accredited RdSAP 10 worksheet shows
    (0.037955 GBP/kWh). A CHP network whose fuel is 48 itself has no boilers' price:
    rejected by name."""
    d = chp_network(main1_fuel=GAS_BOILERS, rating_method=2,
                    heat_network_price_p_per_kwh=None, heat_network_chp_fraction=None,
                    heat_network_chp_heat_efficiency_percent=None,
                    heat_network_chp_electrical_efficiency_percent=None,
                    main1_efficiency_percent=None)
    lines = full(d)
    blend = CHP["rdsap_chp_fraction"] * _table32(FROM_CHP) \
        + (1 - CHP["rdsap_chp_fraction"]) * _table32(GAS_BOILERS)
    assert blend == approx(3.7955)
    assert val(lines, "240") == approx(val(lines, "211") * blend / 100.0)
    assert val(lines, "247") == approx(val(lines, "219") * blend / 100.0
                                       + val(lines, "64a") * rdsap_price(30) / 100.0)
    err = input_error(chp_network(main1_fuel=FROM_CHP, rating_method=2,
                                  heat_network_price_p_per_kwh=None))
    assert any("boilers' heat-network fuel" in m for m in problem(err, "main1_fuel"))


def test_rdsap_water_only_gas_network_priced_from_table_32() -> None:
    d = water_network(950, GAS_BOILERS, rating_method=2, heat_network_price_p_per_kwh=None)
    lines = full(d)
    r219 = [w * _hn("dlf", "D") for w in mon(lines, "64")]
    assert val(lines, "247") == approx(sum(r219) * 4.24 / 100.0
                                       + val(lines, "64a") * rdsap_price(30) / 100.0)
    assert val(lines, "251") == approx(rdsap_standing("heat-network") * 0.5)
