"""Shared builders for the hand-derived tests of worksheet sections 9-13 (systems, costs,
CO2, primary energy and ratings).

The section 1-8 quantities a system acts on -- (98)m space heating, (64)m water heater
output, (64a)m electric showers, (232)m lighting, (68)m appliance gains, L20 cooking -- are
read from ``ara.sap.trace`` (they have their own hand tests). Everything downstream is written
out here from the SAP 10.2 worksheet formulas with numbers read from ``spec/tables`` through
``read_table``; nothing calls a kernel or the resolver.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_hand_common import DAYS, approx, dwelling

from ara.sap import calculate, trace
from ara.sap.prepare import SapInputError
from ara.sap.tables import load_tables, read_table, spec_dir

ELECTRIC = (30, 31, 32, 33, 34, 35, 38, 39, 40)

# ---------------------------------------------------------------- spec table readers


def _one(rows: list[dict[str, str]], what: str) -> dict[str, str]:
    assert len(rows) == 1, (what, rows)
    return rows[0]


def table4a(code: int, column: str) -> float:
    """A Table 4a efficiency column of the SAP 10.2 transcription."""
    r = _one([r for r in read_table("sap10_2_table4a_heating_systems_PARTIAL.csv")
              if r["sap_code"] == str(code)], f"Table 4a {code}")
    return float(r[column])


def table4a_supplement(code: int, column: str) -> float:
    r = _one([r for r in read_table("sap10_2_table4a_efficiencies_supplement.csv")
              if r["sap_code"] == str(code)], f"Table 4a supplement {code}")
    return float(r[column])


def table4b(code: int) -> tuple[float, float]:
    """Table 4b (winter, summer) seasonal efficiency of a boiler."""
    r = _one([r for r in read_table("sap10_2_table4b_boiler_seasonal_efficiency_PARTIAL.csv")
              if r["sap_code"] == str(code)], f"Table 4b {code}")
    return float(r["winter_efficiency_pct"]), float(r["summer_efficiency_pct"])


def table4c(row: str) -> tuple[float, float]:
    """Table 4c (space, DHW) adjustment in percentage points."""
    r = _one([r for r in read_table("sap10_2_table4c_efficiency_adjustments_PARTIAL.csv")
              if r["row"] == row], f"Table 4c {row}")
    return float(r["space_adjustment_pct_points"]), float(r["dhw_adjustment_pct_points"])


def table4f(item: str, condition: str) -> float:
    r = _one([r for r in read_table("sap10_2_table4f_pumps_fans_electricity_PARTIAL.csv")
              if r["item"] == item and r["condition"] == condition], f"Table 4f {item}")
    return float(r["kwh_per_year"])


PUMP_BY_AGE = {0: table4f("Heating system circulation pump", "unknown date"),
               1: table4f("Heating system circulation pump", "2012 or earlier"),
               2: table4f("Heating system circulation pump", "2013 or later")}
FLUE_FAN = table4f("Gas boiler flue fan", "gas boiler with fan-assisted flue")
LIQUID_FUEL_PUMP = table4f("Liquid fuel boiler - flue fan and fuel pump (notes c d)",
                           "liquid fuel boiler providing main heating")


def _no_thermostat_factor() -> float:
    """Table 4f footnote a): circulation pump x 1.3 if the room thermostat is absent."""
    rows = read_table("sap10_2_table4f_pumps_fans_electricity_PARTIAL.csv")
    found = {float(m.group(1)) for r in rows
             for m in [re.search(r"x ([\d.]+) if room thermostat absent", r["notes"])] if m}
    assert len(found) == 1, found
    return found.pop()


NO_THERMOSTAT_FACTOR = _no_thermostat_factor()


def table11(category: str) -> float:
    r = _one([r for r in read_table("sap10_2_table11_secondary_fraction.csv")
              if r["main_system_category"] == category], f"Table 11 {category}")
    return float(r["secondary_fraction"])


def _price_row(table: str, code: str) -> dict[str, str]:
    return _one([r for r in read_table(table) if r["fuel_code"] == code], f"{table} {code}")


def price(code: int) -> float:
    """SAP 10.2 Table 12 unit price, p/kWh."""
    return float(_price_row("sap10_2_table12_fuel_prices_factors_PARTIAL.csv",
                            str(code))["unit_price_p_per_kwh"])


def rdsap_price(code: int) -> float:
    """RdSAP 10 Table 32 unit price, p/kWh."""
    return float(_price_row("rdsap10_table32_fuel_prices_PARTIAL.csv",
                            str(code))["unit_price_p_per_kwh"])


def rdsap_standing(key: str) -> float:
    return float(_price_row("rdsap10_table32_fuel_prices_PARTIAL.csv",
                            f"standing:{key}")["unit_price_p_per_kwh"])


def sap_standing(code: int) -> float:
    """SAP 10.2 Table 12 standing charge, GBP/yr (supplement)."""
    r = _one([r for r in read_table("sap10_2_table12_supplement.csv")
              if r["item"] == "standing charge" and r["fuel_code"] == str(code)],
             f"standing {code}")
    return float(r["value"])


def high_rate(system: str, tariff: str) -> float:
    """Table 12a high-rate fraction, space heating / other use column."""
    r = _one([r for r in read_table("sap10_2_table12a_high_rate_fractions_PARTIAL.csv")
              if r["system_or_use"] == system and r["tariff"] == tariff],
             f"Table 12a {system} {tariff}")
    return float(r["high_rate_fraction_space_heating_or_other_use"])


OTHER_USES = "All other electricity uses (pumps, fans, lighting etc.)"
_MONTHLY_12D = read_table("sap10_2_table12d_12e_monthly_electricity_factors.csv")
ELEC_CO2 = [float(r["co2_import_kg_per_kwh"]) for r in _MONTHLY_12D]
ELEC_PE = [float(r["pe_import"]) for r in _MONTHLY_12D]
EXPORT_CO2 = [float(r["co2_export_pv_kg_per_kwh"]) for r in _MONTHLY_12D]
EXPORT_PE = [float(r["pe_export_pv"]) for r in _MONTHLY_12D]


def co2_monthly(fuel: int) -> list[float]:
    """Table 12 CO2 factor, or the Table 12d monthly factors for electricity (0: none)."""
    if fuel == 0:
        return [0.0] * 12
    if fuel in ELECTRIC:
        return ELEC_CO2
    return [float(_price_row("sap10_2_table12_fuel_prices_factors_PARTIAL.csv",
                             str(fuel))["co2_kg_per_kwh"])] * 12


def pe_monthly(fuel: int) -> list[float]:
    """Table 12 primary energy factor, or the Table 12e monthly factors for electricity."""
    if fuel == 0:
        return [0.0] * 12
    if fuel in ELECTRIC:
        return ELEC_PE
    return [float(_price_row("sap10_2_table12_fuel_prices_factors_PARTIAL.csv",
                             str(fuel))["primary_energy_factor"])] * 12


RATING = {(r["method"], r["quantity"]): float(r["value"])
          for r in read_table("sap10_2_rating_equations.csv")}


def sap_rating(ecf: float, method: int = 1) -> float:
    m = str(method)
    if ecf < RATING[(m, "ecf_threshold")]:
        return RATING[(m, "linear_a")] - RATING[(m, "linear_b")] * ecf
    return RATING[(m, "log_c")] - RATING[(m, "log_d")] * math.log10(ecf)


def ei_rating(cf: float) -> float:
    if cf < RATING[("0", "ei_threshold")]:
        return RATING[("0", "ei_linear_a")] - RATING[("0", "ei_linear_b")] * cf
    return RATING[("0", "ei_log_c")] - RATING[("0", "ei_log_d")] * math.log10(cf)


def integer_rating(x: float) -> int:
    """Nearest integer, halves up, at least the minimum rating."""
    return int(max(math.floor(x + 0.5), RATING[("0", "minimum_rating")]))


def band(rating: int) -> str:
    for r in read_table("sap10_2_rating_bands.csv"):
        lo = float(r["min_rating_inclusive"])
        hi = float(r["max_rating_inclusive"]) if r["max_rating_inclusive"] else math.inf
        if lo <= rating <= hi:
            return r["band"]
    raise AssertionError(rating)


# ---------------------------------------------------------------- dwellings


def cylinder(**kw: Any) -> dict[str, Any]:
    """The base dwelling with a 150 l factory-insulated cylinder."""
    d = {"hot_water_delivery": 3, "cylinder_volume_l": 150.0, "cylinder_insulation_type": 1,
         "cylinder_insulation_mm": 50.0, "cylinder_thermostat": True,
         "hot_water_separately_timed": True, "primary_pipework_insulation": 1}
    d.update(kw)
    return dwelling(**d)


def electric(main_code: int, **kw: Any) -> dict[str, Any]:
    """An electric main system with an electric immersion (903) in a cylinder."""
    d = {"main1_code": main_code, "main1_fuel": 30, "water_heating_code": 903,
         "water_heating_fuel": 30, "primary_loss_applies": False}
    d.update(kw)
    return cylinder(**d)


def tfa(d: dict[str, Any]) -> float:
    return sum(s["floor_area_m2"] for s in d["storeys"])


def full(d: dict[str, Any]) -> dict[str, Any]:
    """Every worksheet line of one dwelling, sections 1-13."""
    return trace(d)["lines"]


def result_row(d: dict[str, Any]) -> dict[str, Any]:
    return calculate([d]).to_pylist()[0]


def mon(lines: dict[str, Any], label: str) -> list[float]:
    return lines[label]["monthly"]


def val(lines: dict[str, Any], label: str) -> float:
    v = lines[label]
    return v["annual"] if isinstance(v, dict) else v


def input_error(d: dict[str, Any]) -> SapInputError:
    with pytest.raises(SapInputError) as exc:
        calculate([d])
    return exc.value


def problem(err: SapInputError, field_name: str) -> list[str]:
    """The messages of one field in a SapInputError."""
    return [m for _d, f, m in err.problems if f == field_name]


# ---------------------------------------------------------------- the worksheet, sections 9-13


@dataclass
class Systems:
    """What a dwelling's systems resolve to, written out from the tables by each test."""

    eff1: float  # (206)
    fuel1: int
    price1: float  # p/kWh for (240)
    water_eff: float | tuple[float, float]  # (217) fixed, or Table 4b (winter, summer) for D1
    water_fuel: int
    price_water: float
    pumps: float  # (231)
    price_other: float  # pumps, lighting, showers, PV used in the dwelling
    standing: float  # (251)
    sec_frac: float = 0.0  # (201)
    eff_sec: float = 100.0  # (208)
    sec_fuel: int = 0
    price_sec: float = 0.0
    method: int = 1
    pv_used: list[float] = field(default_factory=lambda: [0.0] * 12)
    pv_exported: list[float] = field(default_factory=lambda: [0.0] * 12)
    price_export: float = 0.0


def worksheet(lines: dict[str, Any], d: dict[str, Any], s: Systems) -> dict[str, Any]:
    """Lines (201)-(286) from the section 1-8 lines of ``lines`` and the systems ``s``."""
    q98 = mon(lines, "98")
    q64 = mon(lines, "64")
    q64a = mon(lines, "64a")
    light = mon(lines, "232")
    r201 = s.sec_frac
    r202 = 1.0 - r201
    r204 = r202  # a single main system: (203) = 0
    r211 = [q * r204 * 100.0 / s.eff1 for q in q98]
    r215 = [q * r201 * 100.0 / s.eff_sec for q in q98]
    if isinstance(s.water_eff, tuple):  # Appendix D eq. D1
        winter, summer = s.water_eff
        r217 = [(q * r204 + w) / (q * r204 / winter + w / summer) for q, w in zip(q98, q64,
                                                                                   strict=True)]
    else:
        r217 = [s.water_eff] * 12
    r219 = [w * 100.0 / e for w, e in zip(q64, r217, strict=True)]
    pumps_m = [s.pumps * n / 365.0 for n in DAYS]
    out: dict[str, Any] = {"201": r201, "202": r202, "204": r204, "206": s.eff1,
                           "208": s.eff_sec if r201 > 0 else None, "211": r211,
                           "215": r215, "217": r217, "219": r219, "231": s.pumps}
    out["240"] = sum(r211) * s.price1 / 100.0
    out["242"] = sum(r215) * s.price_sec / 100.0
    out["247"] = sum(r219) * s.price_water / 100.0 + sum(q64a) * s.price_other / 100.0
    out["249"] = s.pumps * s.price_other / 100.0
    out["250"] = sum(light) * s.price_other / 100.0
    out["251"] = s.standing
    out["252"] = -(sum(s.pv_used) * s.price_other + sum(s.pv_exported) * s.price_export) / 100.0
    out["255"] = sum(out[k] for k in ("240", "242", "247", "249", "250", "251", "252"))
    out["256"] = RATING[(str(s.method), "deflator")]
    out["257"] = out["256"] * out["255"] / (tfa(d) + RATING[("0", "cf_denominator_area_offset")])
    out["258"] = sap_rating(out["257"], s.method)
    c1, c_sec, c_w = co2_monthly(s.fuel1), co2_monthly(s.sec_fuel), co2_monthly(s.water_fuel)
    out["261"] = [a * f for a, f in zip(r211, c1, strict=True)]
    out["263"] = [a * f for a, f in zip(r215, c_sec, strict=True)]
    out["264"] = [a * f for a, f in zip(r219, c_w, strict=True)]
    out["267"] = [a * f for a, f in zip(pumps_m, ELEC_CO2, strict=True)]
    out["268"] = [a * f for a, f in zip(light, ELEC_CO2, strict=True)]
    out["269"] = [-(u * f + x * g) for u, x, f, g in zip(s.pv_used, s.pv_exported, ELEC_CO2,
                                                         EXPORT_CO2, strict=True)]
    showers_co2 = sum(a * f for a, f in zip(q64a, ELEC_CO2, strict=True))
    out["272"] = (sum(out["261"]) + sum(out["263"]) + sum(out["264"]) + showers_co2
                  + sum(out["267"]) + sum(out["268"]) + sum(out["269"]))
    out["274"] = ei_rating(out["272"] / (tfa(d) + RATING[("0", "cf_denominator_area_offset")]))
    p1, p_sec, p_w = pe_monthly(s.fuel1), pe_monthly(s.sec_fuel), pe_monthly(s.water_fuel)
    out["286"] = sum(a * f1 + b * f2 + w * fw + x * fe + p * fe + li * fe
                     - (u * fe + e * ge)
                     for a, b, w, x, p, li, u, e, f1, f2, fw, fe, ge in zip(
                         r211, r215, r219, q64a, pumps_m, light, s.pv_used, s.pv_exported,
                         p1, p_sec, p_w, ELEC_PE, EXPORT_PE, strict=True))
    return out


COST_LINES = ("240", "242", "247", "249", "250", "251", "252", "255")


def check_worksheet(lines: dict[str, Any], exp: dict[str, Any],
                    labels: tuple[str, ...] = ("201", "202", "204", "206", "208", "211",
                                               "215", "217", "219", "231", *COST_LINES,
                                               "256", "257", "258", "261", "263", "264",
                                               "267", "268", "269", "272", "274", "286")
                    ) -> None:
    """Compare every label; monthly expectations month by month (None: line unused)."""
    for label in labels:
        want = exp[label]
        if want is None:
            continue
        if isinstance(want, list):
            assert mon(lines, label) == [approx(v) for v in want], label
        else:
            assert val(lines, label) == approx(want), label


def check_result(row: dict[str, Any], exp: dict[str, Any]) -> None:
    """The output row of ``calculate``: ratings, integer ratings and bands."""
    assert row["status"] == "ok", row["error"]
    assert row["total_fuel_cost_gbp"] == approx(exp["255"])
    assert row["co2_kg_per_year"] == approx(exp["272"])
    assert row["primary_energy_kwh"] == approx(exp["286"])
    assert row["sap_rating_continuous"] == approx(exp["258"])
    assert row["ei_rating_continuous"] == approx(exp["274"])
    assert row["sap_rating"] == integer_rating(exp["258"])
    assert row["ei_rating"] == integer_rating(exp["274"])
    assert row["sap_band"] == band(integer_rating(exp["258"]))
    assert row["ei_band"] == band(integer_rating(exp["274"]))


# ---------------------------------------------------------------- a spec copy for one test


@contextmanager
def spec_with_row(table: str, line: str) -> Iterator[None]:
    """A copy of spec/tables with ``line`` appended to ``table``, used as $ARA_SPEC_DIR (the
    tables reloaded) inside the block; the real tables are restored on exit."""
    old = os.environ.get("ARA_SPEC_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "tables"
        shutil.copytree(spec_dir(), copy)
        with (copy / table).open("a", encoding="utf-8") as fh:
            fh.write(line.rstrip("\n") + "\n")
        os.environ["ARA_SPEC_DIR"] = str(copy)
        load_tables.cache_clear()
        try:
            yield
        finally:
            if old is None:
                del os.environ["ARA_SPEC_DIR"]
            else:
                os.environ["ARA_SPEC_DIR"] = old
            load_tables.cache_clear()


def test_rating_helpers_follow_the_csv() -> None:
    """Sanity of the helpers themselves: continuity of both rating equations at the
    threshold and the band boundaries read from the CSV."""
    t = RATING[("1", "ecf_threshold")]
    assert sap_rating(t - 1e-12) == pytest.approx(sap_rating(t), abs=0.05)
    assert ei_rating(28.3 - 1e-12) == pytest.approx(ei_rating(28.3), abs=0.05)
    assert [band(x) for x in (1, 20, 21, 38, 39, 54, 55, 68, 69, 80, 81, 91, 92, 120)] == \
        list("GGFFEEDDCCBBAA")


# ---------------------------------------------------------------- Appendix M1 photovoltaics

_U5 = {r["constant"]: r for r in read_table("sap_table_u5_solar_flux_constants.csv")}
_U5_COLUMN = {1: "north", 2: "ne_nw", 3: "east_west", 4: "se_sw", 5: "south", 6: "se_sw",
              7: "east_west", 8: "ne_nw", 9: "north"}
DECLINATION = [float(r["solar_declination_deg"])
               for r in read_table("sap_table_u3_solar_declination.csv")]
M1 = {r["coefficient"]: r for r in
      read_table("sap10_2_appendix_m1_pv_self_consumption_coefficients.csv")}


def horizontal_flux(region: int) -> list[float]:
    r = _one([r for r in read_table("sap_table_u3_solar_irradiance_horizontal.csv")
              if int(r["region_id"]) == region], f"U3 {region}")
    return [float(r[m]) for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                  "sep", "oct", "nov", "dec")]


def latitude(region: int) -> float:
    r = _one([r for r in read_table("sap_table_u4_latitude_height.csv")
              if int(r["region_id"]) == region], f"U4 {region}")
    return float(r["latitude_deg_n"])


def r_h_inc(orientation: int, tilt: float, lat: float, dec: float) -> float:
    """Appendix U3.2: flux on the inclined plane over flux on the horizontal,
    A cos^2(phi - delta) + B cos(phi - delta) + C with A, B, C from Table U5."""
    col = _U5_COLUMN[orientation]
    k = [float(_U5[f"k{i}"][col]) for i in range(1, 10)]
    s = math.sin(math.radians(tilt) / 2.0)
    a = k[0] * s**3 + k[1] * s**2 + k[2] * s
    b = k[3] * s**3 + k[4] * s**2 + k[5] * s
    c = k[6] * s**3 + k[7] * s**2 + k[8] * s + 1.0
    x = math.cos(math.radians(lat - dec))
    return a * x * x + b * x + c


def z_pv(code: int) -> float:
    """Table H2 Z_PV of an overshading code (rows that apply to PV; must be unique)."""
    values = {float(r["z_factor"]) for r in read_table("sap10_2_table_h2_pv_overshading.csv")
              if r["schema_code"] == str(code) and "PV" in r["applies_to"]}
    assert len(values) == 1, (code, values)
    return values.pop()


def pv_generation(kwp: float, orientation: int, tilt: float, overshading: int,
                  region: int) -> list[float]:
    """E_PV,m = 0.8 x kWp x S_m x Z_PV, S_m = 0.024 x n_m x S_h,m x R_h-inc (kWh/m2)."""
    sh = horizontal_flux(region)
    lat = latitude(region)
    factor = float(_one([r for r in read_table("sap10_2_worksheet_constants.csv")
                         if r["name"] == "pv_system_factor"], "pv factor")["value"])
    return [factor * kwp * 0.024 * DAYS[m] * sh[m] * r_h_inc(orientation, tilt, lat,
                                                              DECLINATION[m])
            * z_pv(overshading) for m in range(12)]


def pv_demand(lines: dict[str, Any], pumps: float,
              electric_heat: list[float] | None = None) -> list[float]:
    """D_PV,m = lighting + appliances + cooking + pumps and fans + electric showers (+ the
    electricity of standard-tariff space and water heating)."""
    light = mon(lines, "232")
    app = [g * 24.0 * n / 1000.0 for g, n in zip(mon(lines, "68"), DAYS, strict=True)]
    cook = [val(lines, "L20") * n / 365.0 for n in DAYS]
    showers = mon(lines, "64a")
    extra = electric_heat or [0.0] * 12
    return [light[m] + app[m] + cook[m] + pumps * DAYS[m] / 365.0 + showers[m] + extra[m]
            for m in range(12)]


def beta(e_pv: float, demand: float, battery_kwh: float = 0.0) -> float:
    """M1: beta = min(exp(-C1 (R C2)^C3), D / E), R = E / D, C = a + b x min(Cbat, cap)."""
    def coef(name: str) -> float:
        r = M1[name]
        cb = min(battery_kwh, float(r["battery_capacity_cap_kwh"]))
        return float(r["intercept"]) + float(r["slope_per_kwh_battery"]) * cb

    ratio = e_pv / demand
    return min(math.exp(-coef("CPV1") * (ratio * coef("CPV2")) ** coef("CPV3")),
               demand / e_pv)
