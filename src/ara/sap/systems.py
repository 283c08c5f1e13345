"""Resolve heating systems, tariffs and PV to the numbers sections 9-13 need, column-wise.

Efficiencies come from the input when declared, else Table 4b (boilers) or Table 4a;
Table 4c adjustments; secondary fractions from the input or Table 11; pumps and fans
from Table 4f; unit prices from Table 12 (SAP 10.2 rating) or RdSAP 10 Table 32, with the
Table 12a high-rate fractions on off-peak tariffs; standing charges per distinct fuel.
Anything a table does not hold is reported as a named problem: no silent default.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache, lru_cache

import numpy as np

from ara.sap.problems import Problems
from ara.sap.problems import ints as _ints
from ara.sap.problems import nan_to_num as _nan_to_num
from ara.sap.tables import (
    ELECTRIC_FUELS,
    HEAT_NETWORK_FUELS,
    PROXY_ROW,
    SapTables,
    SystemTables,
    read_table,
)
from ara_kernels import layout as L
from ara_kernels.water_heating import occupancy_many

Col = Callable[..., np.ndarray]

# SAP-ElectricityTariffCode -> (Table 12a tariff label, high-rate fuel code, low-rate code)
TARIFFS = {1: ("standard", 30, 30), 2: ("7-hour", 32, 31), 3: ("10-hour", 34, 33),
           4: ("24-hour", 35, 35), 5: ("18-hour", 38, 40)}
BOILER_CODES = (101, 199)  # Table 4b gas/oil boilers, solid-fuel and electric boilers
HEAT_PUMP_CODES = (201, 299)
HEAT_NETWORK_CODES = (301, 399)
HEAT_NETWORK_SUPPORTED = (301, 302, 304)  # boilers, CHP and boilers, heat pump
HEAT_NETWORK_CHP = 302
# hot-water-only heat networks (Table 4a): boilers, CHP (and boilers), heat pump
HEAT_NETWORK_WATER_ONLY = (950, 951, 952)
HEAT_NETWORK_WATER_CHP = 951
HEAT_FROM_CHP = 48  # Table 12 / Table 32 'heat from CHP'
STORAGE_CODES = (401, 499)
LIQUID_FUELS = (4, 71, 73, 75)
NO_ROOM_THERMOSTAT_CONTROLS = (2101, 2102)  # Table 4e 'no thermostatic control' rows
PORTABLE_ELECTRIC_HEATER = 693  # Appendix A.2.2 default secondary
ELECTRICITY_STANDARD = 30
IMMERSION = 903
HEAT_PUMP_DATABASE_ROW = "Air or ground source heat pump - from database (Appendix N)"


def _in(codes: np.ndarray, bounds: tuple[int, int]) -> np.ndarray:
    return (codes >= bounds[0]) & (codes <= bounds[1])


def _lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    ok = (codes >= 0) & (codes < table.size)
    return np.where(ok, table[np.clip(codes, 0, table.size - 1)], np.nan)


def _table4f(tables: SapTables, item: str, condition: str) -> float:
    return tables.systems.table4f[f"{item}|{condition}"]


@cache
def _table4f_factor(pattern: str) -> float:
    """A multiplier printed in a Table 4f formula or note (e.g. 'SFP x 0.4 x V'); read once
    per process."""
    for r in read_table("sap10_2_table4f_pumps_fans_electricity_PARTIAL.csv"):
        for text in (r["formula"], r["notes"]):
            m = re.search(pattern, text or "")
            if m:
                return float(m.group(1))
    raise KeyError(pattern)


@lru_cache(maxsize=1)
def _rating_constants() -> dict[tuple[str, str], float]:
    """(method, quantity) -> value of sap10_2_rating_equations.csv, read once per process."""
    return {(r["method"], r["quantity"]): float(r["value"])
            for r in read_table("sap10_2_rating_equations.csv")}


def resolve_systems(p: Problems, n: int, dfl: np.ndarray, dil: np.ndarray,
                    tables: SapTables, col: Col, null: Callable[[str], np.ndarray],
                    tfa: np.ndarray) -> None:
    """Fill the section 9-13 columns of ``dfl``/``dil`` and record problems."""
    st = tables.systems
    method = col("rating_method", 1)
    p.add(~np.isin(method, (1, 2)), "rating_method", "must be 1 (SAP 10.2) or 2 (RdSAP 10)")
    rdsap = method == 2
    tariff = col("electricity_tariff", 1)
    p.add(~np.isin(tariff, (1, 2, 3, 4, 5)), "electricity_tariff", "must be 1-5")
    tariff_i = np.clip(_ints(tariff), 1, 5)

    has2 = ~null("main2_code")
    code1 = _ints(col("main1_code"))
    code2 = np.where(has2, _ints(col("main2_code")), -1)
    p.add(null("main1_code"), "main1_code", "required (SAP Table 4a/4b code)")
    # heat networks (Appendix C) as main 1 or main 2: one network per dwelling (the
    # heat_network_* inputs describe it), so not both mains
    hn = _in(code1, HEAT_NETWORK_CODES)
    hn2 = has2 & _in(code2, HEAT_NETWORK_CODES)
    for prefix, code, is_hn, present in (("main1", code1, hn, np.ones(n, dtype=bool)),
                                         ("main2", code2, hn2, has2)):
        p.add(is_hn & ~np.isin(code, HEAT_NETWORK_SUPPORTED), f"{prefix}_code",
              "this heat network code is not supported yet (301 boilers, 302 CHP and "
              "boilers and 304 heat pump are)")
        fuel_raw = _ints(col(f"{prefix}_fuel"))
        hn_fuel = _in(fuel_raw, HEAT_NETWORK_FUELS)
        p.add(is_hn & ~null(f"{prefix}_fuel") & ~hn_fuel, f"{prefix}_fuel",
              "a heat network main needs a Table 12 heat-network fuel code (41-58)")
        p.add(present & ~is_hn & hn_fuel, f"{prefix}_fuel",
              f"a heat-network fuel code (41-58) needs a heat network {prefix}_code (301-399)")
    p.add(hn & hn2, "main2_code", "both main systems heat networks are not supported (one "
          "set of heat_network_* inputs describes one network)")
    # a hot-water-only heat network (950-952) heats the water of a dwelling whose space
    # heating is not on a network; its fuel is the water_heating_fuel (41-58)
    whc = _ints(col("water_heating_code", 901))
    hn_wonly = np.isin(whc, HEAT_NETWORK_WATER_ONLY)
    p.add(hn_wonly & (hn | hn2), "water_heating_code",
          "a hot-water-only heat network (950-952) with a heat-network main is not supported "
          "(one set of heat_network_* inputs describes one network; water from the main "
          "network is 901 / 914)")
    wf_raw = _ints(col("water_heating_fuel"))
    p.add(hn_wonly & ~_in(wf_raw, HEAT_NETWORK_FUELS), "water_heating_fuel",
          "a hot-water-only heat network (950-952) needs a Table 12 heat-network fuel code "
          "(41-58)")
    p.add(~hn_wonly & ~np.isin(whc, (901, 902, 914)) & _in(wf_raw, HEAT_NETWORK_FUELS),
          "water_heating_fuel", "a heat-network fuel code (41-58) for the water needs a "
          "hot-water-only heat network water_heating_code (950-952)")
    hn_any = hn | hn2
    dlf = _heat_network_dlf(p, st, hn_any | hn_wonly, col)

    # ---- efficiencies (206)-(208) with Table 4c; a heat pump with product data gets its
    # (206) and (217) from Appendix N once the heat loss is known (ara.sap.appendix_n)
    product1 = ~null("main1_hp_psr_data") & _in(code1, HEAT_PUMP_CODES)
    product2 = has2 & ~null("main2_hp_psr_data") & _in(code2, HEAT_PUMP_CODES)
    control = _ints(col("main1_control"))
    no_stat = np.isin(control, NO_ROOM_THERMOSTAT_CONTROLS)
    eff = {}
    source = {}
    water_w = {}
    water_s = {}
    boiler = {}
    for prefix, code, present in (("main1", code1, np.ones(n, dtype=bool)),
                                  ("main2", code2, has2)):
        declared = col(f"{prefix}_efficiency_percent")
        winter = _lookup(st.boiler_winter, code)
        is_4b = np.isfinite(winter)
        base = np.where(np.isfinite(declared), declared,
                        np.where(is_4b, winter, _lookup(st.space_efficiency, code)))
        product = product1 if prefix == "main1" else product2
        p.add(present & ~product & ~(np.isfinite(base) & (base > 0)),
              f"{prefix}_efficiency_percent",
              f"unknown: {prefix}_code has no Table 4a/4b efficiency in spec/; give it")
        interlock = col(f"{prefix}_interlock", 1) == 1
        penalised = is_4b & (~interlock | no_stat)
        combi = _lookup(st.boiler_combi.astype(float), code) == 1
        eff[prefix] = np.where(present, _nan_to_num(base) - 5.0 * penalised, 0.0)
        dhw_penalty = 5.0 * (penalised & ~combi)
        summer_declared = col(f"{prefix}_summer_efficiency_percent")
        summer = np.where(np.isfinite(summer_declared), summer_declared,
                          _lookup(st.boiler_summer, code))
        water_w[prefix] = _nan_to_num(base) - dhw_penalty
        water_s[prefix] = summer - dhw_penalty
        boiler[prefix] = present & is_4b
        source[prefix] = _nan_to_num(base)
    # heat networks (Appendix C): fuel = heat generated = demand x DLF (efficiency 100/DLF),
    # priced per unit of heat generated (Table 12 note k); CO2/PE per unit of fuel used by
    # the heat source: x 100 / source efficiency (Table 4a or declared). Main 2 the same.
    hn_factor = {}
    credit_co2 = {}
    credit_pe = {}
    chp_frac = {}
    chp_rows = {}
    # the heat source of a hot-water-only network: declared water_heating_efficiency_percent,
    # else Table 4a (950 boilers 80 %, 952 heat pump 300 %; decision 0018); for 951 CHP the
    # same field is the network boilers' (367)
    declared_w = col("water_heating_efficiency_percent")
    source["water"] = np.where(hn_wonly, _nan_to_num(np.where(
        np.isfinite(declared_w), declared_w, _lookup(st.water_efficiency, whc))), 0.0)
    p.add(hn_wonly & (whc != HEAT_NETWORK_WATER_CHP) & ~(source["water"] > 0),
          "water_heating_efficiency_percent",
          "unknown: no Table 4a efficiency in spec/ for this hot-water-only heat network's "
          "heat source; give it")
    for prefix, code, is_hn in (("main1", code1, hn), ("main2", code2, hn2),
                                ("water", whc, hn_wonly)):
        b = source[prefix]
        factor = np.where(is_hn & (b > 0), 100.0 / np.where(b > 0, b, 1.0), 1.0)
        chp = is_hn & np.isin(code, (HEAT_NETWORK_CHP, HEAT_NETWORK_WATER_CHP))
        chp_rows[prefix] = chp
        hn_factor[prefix], credit_co2[prefix], credit_pe[prefix], chp_frac[prefix] = _chp(
            p, chp, rdsap, col, factor,
            "water_heating" if prefix == "water" else prefix)
        if prefix != "water":
            eff[prefix] = np.where(is_hn, 100.0 / dlf, eff[prefix])
    dfl[:, L.DF_HN_FACTOR_MAIN1] = hn_factor["main1"]
    dfl[:, L.DF_HN_FACTOR_MAIN2] = hn_factor["main2"]
    dfl[:, L.DF_EFF_MAIN1] = eff["main1"]
    dfl[:, L.DF_EFF_MAIN2] = np.where(has2, eff["main2"], 1.0)

    # ---- secondary heating (201), (208)
    has_sec = ~null("secondary_code")
    sec_code = np.where(has_sec, _ints(col("secondary_code")), -1)
    sec_frac = col("secondary_fraction")
    p.add(~has_sec & np.isfinite(sec_frac) & (sec_frac > 0), "secondary_code",
          "required when secondary_fraction is given")
    p.add(np.isfinite(sec_frac) & ~((sec_frac >= 0) & (sec_frac < 1)), "secondary_fraction",
          "must be in [0, 1)")
    # Table 11: the fraction from the main system's row when a secondary is recorded; for
    # the codes of Appendix A.2.2 a secondary is always assumed (portable heaters, 693)
    table11 = _lookup(st.secondary_fraction, code1)
    forced = ~has_sec & _lookup(st.always_secondary.astype(float), code1).astype(bool)
    has_sec = has_sec | forced
    sec_code = np.where(forced, PORTABLE_ELECTRIC_HEATER, sec_code)
    sec_frac = np.where(np.isfinite(sec_frac), sec_frac, np.where(has_sec, table11, np.nan))
    p.add(has_sec & ~np.isfinite(sec_frac), "secondary_fraction",
          "unknown: no Table 11 fraction in spec/ for main1_code; give it")
    dfl[:, L.DF_SEC_FRAC] = np.where(has_sec, _nan_to_num(sec_frac), 0.0)
    sec_declared = col("secondary_efficiency_percent")
    sec_eff = np.where(np.isfinite(sec_declared), sec_declared,
                       _lookup(st.space_efficiency, sec_code))
    p.add(has_sec & ~(np.isfinite(sec_eff) & (sec_eff > 0)), "secondary_efficiency_percent",
          "unknown: secondary_code has no Table 4a efficiency in spec/; give it")
    dfl[:, L.DF_EFF_SEC] = np.where(has_sec, _nan_to_num(sec_eff), 1.0)

    # ---- fuels
    fuel1 = _ints(col("main1_fuel"))
    fuel2 = np.where(has2, _ints(col("main2_fuel")), 0)
    fuel_sec = np.where(forced, ELECTRICITY_STANDARD,
                        np.where(has_sec, _ints(col("secondary_fuel")), 0))
    p.add(null("main1_fuel"), "main1_fuel", "required (SAP Table 12 fuel code)")
    p.add(has2 & null("main2_fuel"), "main2_fuel", "required with a second main system")
    p.add(has_sec & ~forced & null("secondary_fuel"), "secondary_fuel",
          "required with a secondary system")

    # ---- water heating (217)
    from_main1 = whc == 901
    from_main2 = whc == 914
    from_sec = whc == 902
    blend = np.where(from_main1 & boiler["main1"], 1, np.where(from_main2 & boiler["main2"], 2, 0))
    blend = np.where(np.isfinite(declared_w), 0, blend)
    fixed_w = np.where(from_main1, _lookup(st.water_efficiency, code1),
                       np.where(from_main2, _lookup(st.water_efficiency, code2),
                                np.where(from_sec, dfl[:, L.DF_EFF_SEC],
                                         _lookup(st.water_efficiency, whc))))
    fixed_w = np.where(np.isfinite(declared_w), declared_w, fixed_w)
    hn_water1 = hn & from_main1
    hn_water2 = hn2 & from_main2
    hn_water = hn_water1 | hn_water2 | hn_wonly
    # (310) heat generated for the water = (64) x DLF, whoever supplies it
    fixed_w = np.where(hn_water, 100.0 / dlf, fixed_w)

    def water_from(values: dict[str, np.ndarray], otherwise: float) -> np.ndarray:
        return np.where(hn_water1, values["main1"],
                        np.where(hn_water2, values["main2"],
                                 np.where(hn_wonly, values["water"], otherwise)))

    dfl[:, L.DF_HN_FACTOR_WATER] = water_from(hn_factor, 1.0)
    dfl[:, L.DF_HN_CREDIT_CO2_MAIN1] = credit_co2["main1"]
    dfl[:, L.DF_HN_CREDIT_PE_MAIN1] = credit_pe["main1"]
    dfl[:, L.DF_HN_CREDIT_CO2_MAIN2] = credit_co2["main2"]
    dfl[:, L.DF_HN_CREDIT_PE_MAIN2] = credit_pe["main2"]
    dfl[:, L.DF_HN_CREDIT_CO2_WATER] = water_from(credit_co2, 0.0)
    dfl[:, L.DF_HN_CREDIT_PE_WATER] = water_from(credit_pe, 0.0)
    pumping = st.heat_network_rules["pumping_electricity_fraction"]
    dfl[:, L.DF_HN_PUMP_MAIN1] = np.where(hn, pumping, 0.0)
    dfl[:, L.DF_HN_PUMP_MAIN2] = np.where(hn2, pumping, 0.0)
    dfl[:, L.DF_HN_PUMP_WATER] = np.where(hn_water, pumping, 0.0)
    water_product = ((product1 & from_main1) | (product2 & from_main2)) \
        & ~np.isfinite(declared_w)
    p.add((blend == 0) & ~water_product & ~(np.isfinite(fixed_w) & (fixed_w > 0)),
          "water_heating_efficiency_percent",
          "unknown: no Table 4a/4b water heating efficiency in spec/ for this water heating "
          "code and system; give it")
    sel_w = np.where(blend == 2, water_w["main2"], water_w["main1"])
    sel_s = np.where(blend == 2, water_s["main2"], water_s["main1"])
    p.add((blend > 0) & ~np.isfinite(sel_s), "main1_summer_efficiency_percent",
          "unknown: Table 4b has no summer efficiency for this boiler in spec/; give it")
    dil[:, L.DI_WATER_BLEND] = blend
    dfl[:, L.DF_WATER_EFF] = np.where(blend == 0, _nan_to_num(fixed_w), 1.0)
    dfl[:, L.DF_WATER_EFF_WINTER] = np.where(blend > 0, _nan_to_num(sel_w), 1.0)
    dfl[:, L.DF_WATER_EFF_SUMMER] = np.where(blend > 0, _nan_to_num(sel_s), 1.0)
    water_fuel = np.where(from_main1, fuel1, np.where(from_main2, fuel2,
                                                      np.where(from_sec, fuel_sec, -1)))
    water_fuel = np.where(water_fuel >= 0, water_fuel, wf_raw)
    p.add(water_fuel < 0, "water_heating_fuel",
          "required when water is not heated by a main or secondary system")
    water_fuel = np.maximum(water_fuel, 0)

    # ---- pumps and fans (230)-(231), Table 4f
    pumps = np.zeros(n)
    per_pump_age = np.array([_table4f(tables, "Heating system circulation pump", "unknown date"),
                             _table4f(tables, "Heating system circulation pump",
                                      "2012 or earlier"),
                             _table4f(tables, "Heating system circulation pump",
                                      "2013 or later")])
    no_stat_factor = _table4f_factor(r"x ([\d.]+) if room thermostat absent")
    # Appendix N3.1: an electric heat pump with product data has its circulation pump's
    # electricity inside the Appendix N efficiency, "not included in worksheet (230c)"
    # (Table 4f: "not applicable for electric heat pumps from database").
    in_efficiency = _table4f(tables, "Electric heat pump circulation pump/fan",
                             "heat pump (Appendix N / database)")
    for prefix, code, present, product in (("main1", code1, np.ones(n, dtype=bool), product1),
                                           ("main2", code2, has2, product2)):
        default_pump = _in(code, BOILER_CODES)
        has_pump = np.where(null(f"{prefix}_has_circulation_pump"), default_pump,
                            col(f"{prefix}_has_circulation_pump", 0) == 1)
        age = np.clip(_ints(col(f"{prefix}_pump_age", 0)), 0, 2)
        kwh = per_pump_age[age] * np.where(no_stat, no_stat_factor, 1.0)
        kwh = np.where(product, in_efficiency, kwh)
        pumps += np.where(present & has_pump, kwh, 0.0)
        fan_flue = col(f"{prefix}_fan_flue", 0) == 1
        pumps += np.where(present & fan_flue & (np.where(prefix == "main1", fuel1, fuel2) == 1),
                          _table4f(tables, "Gas boiler flue fan",
                                   "gas boiler with fan-assisted flue"), 0.0)
        liquid = np.isin(np.where(prefix == "main1", fuel1, fuel2), LIQUID_FUELS)
        pumps += np.where(present & _in(code, BOILER_CODES) & liquid,
                          _table4f(tables, "Liquid fuel boiler - flue fan and fuel pump "
                                   "(notes c d)", "liquid fuel boiler providing main heating"),
                          0.0)
    dfl[:, L.DF_PUMPS_FIXED] = pumps
    warm_air = _table4f_factor(r"SFP x ([\d.]+) x V")
    mv = _table4f_factor(r"IUF x SFP x ([\d.]+) x V")
    vt = col("ventilation_type")
    mech = np.isin(vt, (4, 5, 6, 7, 8))
    sfp_mv = col("mv_specific_fan_power")
    p.add(mech & ~(np.isfinite(sfp_mv) & (sfp_mv >= 0)), "mv_specific_fan_power",
          "required for mechanical ventilation (Table 4g defaults are not transcribed)")
    iuf = col("mv_in_use_factor", 1.0)
    dfl[:, L.DF_FANS_PER_M3] = dfl[:, L.DF_WARM_AIR_SFP] * warm_air \
        + np.where(mech, _nan_to_num(sfp_mv) * _nan_to_num(iuf) * mv, 0.0)

    # ---- prices (p/kWh) per end use, Table 12 / Table 32 with Table 12a fractions
    def price_of(fuel: np.ndarray) -> np.ndarray:
        """Unit price p/kWh of a fuel code per dwelling, from the dwelling's rating method;
        a heat network's declared price replaces the table's (decisions 0012, 0021)."""
        f = np.clip(fuel, 0, 99)
        table = np.where(rdsap, st.price_rdsap[f], st.price_sap[f])
        # estimate mode (fallback fuel_factor_proxy): a missing price from the fuel's proxy
        table = np.where(proxy & ~np.isfinite(table),
                         np.where(rdsap, st.price_rdsap_proxy[f], st.price_sap_proxy[f]), table)
        return np.where(_in(fuel, HEAT_NETWORK_FUELS) & declared_hn, hn_price, table)

    proxy = col("fuel_factors_proxy", 0) == 1
    hn_price = col("heat_network_price_p_per_kwh")
    declared_hn = np.isfinite(hn_price) & (hn_price >= 0)
    p.add(np.isfinite(hn_price) & ~declared_hn, "heat_network_price_p_per_kwh", "must be >= 0")
    p.add((hn_any | hn_wonly) & ~np.isfinite(hn_price) & ~rdsap,
          "heat_network_price_p_per_kwh",
          "required for a heat network with the SAP 10.2 method (Table 12 heat-network "
          "prices are not transcribed in spec/; with rating_method 2 the RdSAP 10 Table 32 "
          "price applies)")

    high_code = np.array([TARIFFS[t][1] for t in range(1, 6)])[tariff_i - 1]
    low_code = np.array([TARIFFS[t][2] for t in range(1, 6)])[tariff_i - 1]
    p_high = price_of(high_code)
    p_low = price_of(low_code)
    other_high = _fraction_by_tariff(st.high_rate, "All other electricity uses (pumps, fans, "
                                     "lighting etc.)|space", tariff_i)
    other_high = np.where(tariff_i == 1, 1.0, other_high)
    other_high = np.where(tariff_i == 5, 1.0, other_high)  # 18-hour: other uses at high rate
    p_other = other_high * p_high + (1 - other_high) * p_low
    p.add(~np.isfinite(p_other), "electricity_tariff",
          "no Table 12a fraction or price for other electricity uses on this tariff in spec/")

    def end_use_price(fuel: np.ndarray, code: np.ndarray, field: str, use: str,
                      present: np.ndarray, product: np.ndarray, check: bool = True
                      ) -> np.ndarray:
        """Unit price of an end use; electric end uses on off-peak tariffs at the Table 12a
        high-rate fraction of the system's row (a heat pump with product data: the
        'from database (Appendix N)' row)."""
        electric = np.isin(fuel, ELECTRIC_FUELS)
        direct = price_of(fuel)
        table = st.high_rate_space if use == "space" else st.high_rate_water
        frac = table[np.clip(code, 0, 999), tariff_i]
        frac = np.where(product, _fraction_by_tariff(
            st.high_rate, f"{HEAT_PUMP_DATABASE_ROW}|{use}", tariff_i), frac)
        frac = np.where(tariff_i == 1, 1.0, frac)
        frac = np.where((tariff_i == 5) | (tariff_i == 4), 0.0, frac)
        elec_price = frac * p_high + (1 - frac) * p_low
        price = np.where(electric, elec_price, direct)
        if not check:
            return np.where(present, price, 0.0)
        p.add(present & ~np.isfinite(price), field,
              "no unit price in spec/ for this fuel (Table 12 / Table 32) or no Table 12a "
              "high-rate fraction for this system on this tariff")
        return np.where(present, _nan_to_num(price), 0.0)

    dfl[:, L.DF_PRICE_MAIN1] = end_use_price(fuel1, code1, "main1_fuel", "space",
                                             np.ones(n, dtype=bool), product1)
    dfl[:, L.DF_PRICE_MAIN2] = end_use_price(fuel2, code2, "main2_fuel", "space", has2,
                                             product2)
    dfl[:, L.DF_PRICE_SEC] = end_use_price(fuel_sec, sec_code, "secondary_fuel", "space",
                                           has_sec, np.zeros(n, dtype=bool))
    # a CHP heat network priced from RdSAP 10 Table 32: per kWh of heat generated, CHP heat
    # (code 48) for the CHP fraction and the boilers' fuel for the rest (decision 0021)
    for prefix, fuel, idx in (("main1", fuel1, L.DF_PRICE_MAIN1),
                              ("main2", fuel2, L.DF_PRICE_MAIN2)):
        blend = chp_rows[prefix] & rdsap & ~declared_hn
        p.add(blend & (fuel == HEAT_FROM_CHP), f"{prefix}_fuel",
              "a CHP heat network priced from Table 32 needs the boilers' heat-network fuel "
              "(e.g. 51 gas boilers; the CHP share is priced as code 48), or a declared "
              "heat_network_price_p_per_kwh")
        dfl[:, idx] = np.where(blend, _chp_price(st, chp_frac[prefix], fuel), dfl[:, idx])
    water_code = np.where(from_main1, code1, np.where(from_main2, code2, whc))
    price_water = end_use_price(water_fuel, water_code, "water_heating_fuel", "water",
                                np.ones(n, dtype=bool),
                                (product1 & from_main1) | (product2 & from_main2),
                                check=False)
    immersion_off_peak = (whc == IMMERSION) & np.isin(tariff_i, (2, 3)) \
        & np.isin(water_fuel, ELECTRIC_FUELS)
    if immersion_off_peak.any():
        frac = _immersion_fraction(p, st, tariff_i, col, tfa, tables, immersion_off_peak)
        price_water = np.where(immersion_off_peak, frac * p_high + (1 - frac) * p_low,
                               price_water)
    water_chp = np.where(hn_water1, chp_rows["main1"], np.where(
        hn_water2, chp_rows["main2"], chp_rows["water"])) & rdsap & ~declared_hn
    p.add(water_chp & hn_wonly & (water_fuel == HEAT_FROM_CHP), "water_heating_fuel",
          "a CHP heat network priced from Table 32 needs the boilers' heat-network fuel "
          "(e.g. 51 gas boilers), or a declared heat_network_price_p_per_kwh")
    price_water = np.where(water_chp, _chp_price(st, water_from(chp_frac, 0.0), water_fuel),
                           price_water)
    p.add(~np.isfinite(price_water), "water_heating_fuel",
          "no unit price in spec/ for this fuel (Table 12 / Table 32) or no Table 12a / 13 "
          "high-rate fraction for this water heater on this tariff")
    dfl[:, L.DF_PRICE_WATER] = _nan_to_num(price_water)
    for idx in (L.DF_PRICE_PUMPS, L.DF_PRICE_LIGHTING, L.DF_PRICE_SHOWERS, L.DF_PRICE_PV_USED):
        dfl[:, idx] = _nan_to_num(p_other)
    # PV export: Table 12 code 60 (SAP 10.2) or RdSAP 10 Table 32 code 60 (= code 30)
    dfl[:, L.DF_PRICE_EXPORT] = _nan_to_num(np.where(rdsap, st.price_rdsap[60],
                                                       st.price_sap[60]))

    # ---- CO2 / PE factor rows must exist for every fuel used
    def factor_row(fuel: np.ndarray) -> np.ndarray:
        f = np.clip(fuel, 0, 99)
        own = np.isfinite(st.co2[f, 0]) & np.isfinite(st.pe[f, 0])
        return np.where(proxy & ~own, f + PROXY_ROW, f)

    for name, fuel, present in (("main1_fuel", fuel1, np.ones(n, dtype=bool)),
                                ("main2_fuel", fuel2, has2),
                                ("secondary_fuel", fuel_sec, has_sec),
                                ("water_heating_fuel", water_fuel, np.ones(n, dtype=bool))):
        ok = (fuel >= 0) & (fuel < 100)
        fc = factor_row(fuel)
        p.add(present & ~ok, name, "unknown fuel code (Table 12)")
        p.add(present & ok & ~np.isfinite(st.co2[fc, 0]), name,
              "no SAP 10.2 Table 12 CO2 factor in spec/ for this fuel")
        p.add(present & ok & ~np.isfinite(st.pe[fc, 0]), name,
              "no SAP 10.2 Table 12 primary energy factor in spec/ for this fuel")
    # the kernel's CO2 / PE table row per fuel: the fuel's own, or with the fallback
    # fuel_factor_proxy its completed row (PROXY_ROW + code)
    dil[:, L.DI_FUEL_MAIN1] = factor_row(fuel1)
    dil[:, L.DI_FUEL_MAIN2] = factor_row(fuel2)
    dil[:, L.DI_FUEL_SEC] = factor_row(fuel_sec)
    dil[:, L.DI_FUEL_WATER] = factor_row(water_fuel)
    dil[:, L.DI_FUEL_ELEC] = 30
    standard = (fuel1 == 30) | (fuel1 == 39)
    dil[:, L.DI_PV_DEMAND] = (standard * 1 + ((fuel2 == 30) | (fuel2 == 39)) * 2
                              + ((fuel_sec == 30) | (fuel_sec == 39)) * 4
                              + ((water_fuel == 30) | (water_fuel == 39)) * 8)

    # ---- standing charges (251): once per distinct fuel
    lineage = col("standing_charges_lineage", 0) == 1
    _standing_charges(p, n, dfl, st, rdsap, tariff_i, (fuel1, fuel2, fuel_sec, water_fuel),
                      (np.ones(n, dtype=bool), has2, has_sec, np.ones(n, dtype=bool)),
                      hn_wonly, lineage, proxy)

    # ---- rating constants by method
    consts = _rating_constants()
    for idx, q in ((L.DF_DEFLATOR, "deflator"), (L.DF_ECF_THRESHOLD, "ecf_threshold"),
                   (L.DF_LIN_A, "linear_a"), (L.DF_LIN_B, "linear_b"), (L.DF_LOG_C, "log_c"),
                   (L.DF_LOG_D, "log_d")):
        dfl[:, idx] = np.where(rdsap, consts[("2", q)], consts[("1", q)])
    battery = col("battery_capacity_kwh", 0.0)
    p.add(~(np.isfinite(battery) & (battery >= 0)), "battery_capacity_kwh", "must be >= 0")
    dfl[:, L.DF_BATTERY] = _nan_to_num(battery)


@lru_cache(maxsize=1)
def _chp_rules() -> dict[str, float]:
    """sap10_2_table12f_chp_heat_networks_PARTIAL.csv by name, read once per process."""
    return {r["name"]: float(r["value"])
            for r in read_table("sap10_2_table12f_chp_heat_networks_PARTIAL.csv")}


def _chp(p: Problems, chp: np.ndarray, rdsap: np.ndarray, col: Col,
         hn_factor: np.ndarray, prefix: str
         ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Heat network with CHP and boilers (302), worksheet blocks 12b/13b per kWh of heat
    generated: fuel = chp x 100 / (362) + (1 - chp) x 100 / (367) (both at the network
    fuel's factors), less the CHP electricity credit chp x (361) / (362) x Table 12f
    factor. Returns the fuel multiplier (``hn_factor`` elsewhere), the CO2 and PE credits
    and the fraction of heat from CHP (0 elsewhere). Without a declared value the RdSAP 10
    section C defaults apply to the RdSAP method only; only Table 12f flexible operation is
    transcribed."""
    zero = np.zeros(chp.size)
    if not chp.any():
        return hn_factor, zero, zero, zero
    r = _chp_rules()

    def value(field: str, default: str, ok: Callable[[np.ndarray], np.ndarray],
              what: str) -> np.ndarray:
        given = col(field)
        v = np.where(np.isfinite(given), given, np.where(rdsap, r[default], np.nan))
        p.add(chp & ~np.isfinite(v), field, f"required for a CHP heat network (302, 951) with the "
              f"SAP 10.2 method (RdSAP 10 section C default otherwise): {what}")
        p.add(chp & np.isfinite(v) & ~ok(v), field, f"out of range: {what}")
        return np.where(chp & np.isfinite(v) & ok(v), v, 1.0)

    frac = value("heat_network_chp_fraction", "rdsap_chp_fraction",
                 lambda v: (v >= 0) & (v <= 1), "fraction of heat from CHP, 0-1")
    heat = value("heat_network_chp_heat_efficiency_percent", "rdsap_chp_heat_efficiency",
                 lambda v: v > 0, "CHP heat efficiency (362) in %, > 0")
    elec = value("heat_network_chp_electrical_efficiency_percent",
                 "rdsap_chp_electrical_efficiency", lambda v: v >= 0,
                 "CHP electrical efficiency (361) in %, >= 0")
    boiler = value(f"{prefix}_efficiency_percent", "rdsap_boiler_efficiency", lambda v: v > 0,
                   "efficiency of the network's boilers (367) in %, > 0")
    flexible = col("heat_network_chp_flexible", 0) == 1
    p.add(chp & ~flexible, "heat_network_chp_flexible",
          "must be true: only the Table 12f flexible-operation factors are transcribed in "
          "spec/ (standard operation is not)")
    fuel = frac * 100.0 / heat + (1.0 - frac) * 100.0 / boiler
    per_heat = frac * elec / heat
    return (np.where(chp, fuel, hn_factor),
            np.where(chp, per_heat * r["table12f_flexible_co2"], 0.0),
            np.where(chp, per_heat * r["table12f_flexible_pe"], 0.0),
            np.where(chp, frac, 0.0))


def _chp_price(st: SystemTables, frac: np.ndarray, fuel: np.ndarray) -> np.ndarray:
    """RdSAP 10 Table 32 price of heat from a CHP-and-boilers network: frac x heat from CHP
    (48) + (1 - frac) x the boilers' heat-network fuel."""
    boilers = st.price_rdsap[np.clip(fuel, 0, 99)]
    return frac * st.price_rdsap[HEAT_FROM_CHP] + (1.0 - frac) * boilers


def _heat_network_dlf(p: Problems, st: SystemTables, hn: np.ndarray, col: Col) -> np.ndarray:
    """Distribution loss factor (306): declared, else Table 12c by age band; 1 elsewhere."""
    declared = col("heat_network_dlf")
    band = _ints(col("heat_network_age_band"))
    table = st.heat_network_dlf[np.clip(band, 0, st.heat_network_dlf.size - 1)]
    table = np.where((band >= 1) & (band < st.heat_network_dlf.size), table, np.nan)
    dlf = np.where(np.isfinite(declared), declared, table)
    p.add(hn & ~np.isfinite(dlf), "heat_network_age_band",
          "required for a heat network (1 = A ... 13 = M, Table 12c) unless heat_network_dlf "
          "is given")
    p.add(hn & np.isfinite(declared) & ~(declared >= 1.0), "heat_network_dlf", "must be >= 1")
    return np.where(hn & np.isfinite(dlf) & (dlf > 0), dlf, 1.0)


def _immersion_fraction(p: Problems, st: SystemTables, tariff: np.ndarray, col: Col,
                        tfa: np.ndarray, tables: SapTables,
                        immersion: np.ndarray) -> np.ndarray:
    """Table 13 high-rate fraction of an electric immersion on a 7- or 10-hour tariff, from
    occupancy N (Table 1b) and cylinder volume V, clamped to 0..1. ``immersion``: the
    dwellings whose water an immersion heats on such a tariff (only they need its kind: a
    gas combi on a dual meter in the same batch does not)."""
    n_occ = occupancy_many(np.maximum(tfa, 0.0), tables.constants)
    v = col("cylinder_volume_l")
    kind = col("immersion_type")
    p.add(immersion & ~np.isin(kind, (1, 2)), "immersion_type",
          "required (1 single, 2 dual) for an immersion on a 7- or 10-hour tariff")
    out = np.full(tariff.size, np.nan)
    for t, label in ((2, "7-hour"), (3, "10-hour")):
        a, b, k, c0, d = st.immersion[(label, "single")]
        single = ((a - b * n_occ) / (k * v) - c0 + d * n_occ) / 100.0
        e, f, g, h = st.immersion[(label, "dual")]
        dual = ((e - f * v) * n_occ + g - h * v) / 100.0
        out = np.where(tariff == t, np.where(kind == 2, dual, single), out)
    return np.clip(out, 0.0, 1.0)


def _fraction_by_tariff(table: dict[tuple[str, str], float], key: str,
                        tariff_i: np.ndarray) -> np.ndarray:
    """``table[(key, tariff label)]`` per dwelling (NaN where absent) for tariff codes 1-5
    (``TARIFFS``): one lookup per tariff, not per dwelling."""
    values = np.array([table.get((key, TARIFFS[t][0]), np.nan) for t in range(1, 6)])
    return values[tariff_i - 1]


#: The fuel fields of ``_standing_charges``'s ``fuels``, in order.
FUEL_FIELDS = ("main1_fuel", "main2_fuel", "secondary_fuel", "water_heating_fuel")


def _standing_charges(p: Problems, n: int, dfl: np.ndarray, st: SystemTables,
                      rdsap: np.ndarray, tariff: np.ndarray, fuels: tuple[np.ndarray, ...],
                      present: tuple[np.ndarray, ...], dhw_only_network: np.ndarray,
                      lineage: np.ndarray, proxy: np.ndarray) -> None:
    """(251): once per distinct fuel, plus the off-peak meter's; a heat network that only
    provides hot water pays half the network charge (Table 12 note l). ``lineage``: a SAP
    10.2-method row takes RdSAP 10 Table 32's charge where Table 12 has none in spec/;
    ``proxy``: a row whose fuel still has none takes its estimate-mode proxy's."""
    total = np.zeros(n)
    clipped = [np.clip(fuel, 0, 99) for fuel in fuels]
    codes = np.unique(np.concatenate([c[pres] for c, pres in zip(clipped, present,
                                                                 strict=True)]))
    # electricity: a standing charge only for off-peak meters; 0: no fuel (missing input is
    # reported on its own field); ascending codes, as the totals are summed in that order
    codes = codes[~np.isin(codes, list(ELECTRIC_FUELS)) & (codes != 0)]
    for code in codes.tolist():
        rows = np.zeros(n, dtype=bool)
        for c, pres in zip(clipped, present, strict=True):
            rows |= pres & (c == code)
        sap_value = st.standing_sap.get(str(code), np.nan)
        rdsap_value = st.standing_rdsap.get(str(code), np.nan)
        if _in(np.array([code]), HEAT_NETWORK_FUELS)[0]:
            # Table 12 note (k) 'Heat networks' row; RdSAP 10 Table 32 heat network row
            sap_value = st.heat_network_rules["standing_charge_gbp"]
            rdsap_value = st.standing_rdsap.get("heat-network", np.nan)
            half = st.heat_network_rules["standing_charge_dhw_only_fraction"]
            value = np.where(rdsap, rdsap_value, sap_value) \
                * np.where(dhw_only_network, half, 1.0)
        else:
            value = np.where(rdsap | (lineage & ~np.isfinite(sap_value)), rdsap_value,
                             sap_value)
            for other in st.fuel_proxies.get(code, ()):
                value = np.where(proxy & ~np.isfinite(value), np.where(
                    rdsap | lineage, st.standing_rdsap.get(str(other), np.nan),
                    st.standing_sap.get(str(other), np.nan)), value)
        # named on the field that lodges the fuel (the first of them, once per row)
        reported = np.zeros(n, dtype=bool)
        for c, pres, field in zip(clipped, present, FUEL_FIELDS, strict=True):
            here = pres & (c == code) & ~np.isfinite(value) & ~reported
            p.add(here, field, f"no standing charge in spec/ for fuel {code} "
                  "(Table 12 / Table 32)")
            reported |= here
        total += np.where(rows, _nan_to_num(value), 0.0)
    labels = {2: "7-hour", 3: "10-hour", 4: "24-hour", 5: "18-hour"}
    for t, label in labels.items():
        rows = tariff == t
        if rows.any():
            sap_value = st.standing_sap.get(label, np.nan)
            value = np.where(rdsap | (lineage & ~np.isfinite(sap_value)),
                             st.standing_rdsap.get(label, np.nan), sap_value)
            p.add(rows & ~np.isfinite(value), "electricity_tariff",
                  f"no standing charge in spec/ for the {label} tariff")
            total += np.where(rows, _nan_to_num(value), 0.0)
    dfl[:, L.DF_STANDING] = total
