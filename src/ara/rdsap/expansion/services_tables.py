"""Lookup tables of the services expansion (:mod:`ara.rdsap.expansion.services`), built once
from ``spec/tables`` (every CSV carries its provenance block; see
``docs/rdsap/expansion_services.md`` for the rules they implement).

Dense NumPy arrays indexed by code, so that the expansion is a handful of fancy-indexing
operations per column. ``-1`` marks "no row" in integer tables, NaN in float tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ara.sap.tables import read_table

AGE_BANDS = "ABCDEFGHIJKLM"
ELECTRIC = -2  # fuel map: electricity, SAP code chosen by tariff
NO_FUEL = -1  # fuel map: no SAP 10.2 fuel (problem)
MAX_ROOMS = 64


class ServicesTableError(ValueError):
    """A spec table of the services expansion is missing rows or cannot be parsed."""


def _bands(text: str) -> list[int]:
    """Age-band indexes named in a condition ('A-F', 'G-H', 'F', 'G onwards')."""
    m = re.search(r"\b([A-M])(?:\s*-\s*([A-M])|\s+onwards)?\b", text)
    if not m:
        raise ServicesTableError(f"no age band in {text!r}")
    lo = AGE_BANDS.index(m.group(1))
    if m.group(2):
        hi = AGE_BANDS.index(m.group(2))
    elif "onwards" in text:
        hi = len(AGE_BANDS) - 1
    else:
        hi = lo
    return list(range(lo, hi + 1))


def _rooms(text: str) -> list[int]:
    """Habitable-room counts named in a condition; all counts when none is named."""
    if m := re.search(r"up to (\d+) habitable", text):
        return list(range(0, int(m.group(1)) + 1))
    if m := re.search(r"(\d+)-(\d+) habitable", text):
        return list(range(int(m.group(1)), int(m.group(2)) + 1))
    if m := re.search(r"more than (\d+) habitable", text):
        return list(range(int(m.group(1)) + 1, MAX_ROOMS + 1))
    return list(range(0, MAX_ROOMS + 1))


def _extract_fans() -> np.ndarray:
    """RdSAP 10 Table 5 extract-fan defaults: [park home 0/1, age band, habitable rooms]."""
    out = np.full((2, len(AGE_BANDS), MAX_ROOMS + 1), -1, dtype=np.int64)
    for r in read_table("rdsap10_table5_ventilation_defaults_PARTIAL.csv"):
        cond = r["condition"]
        if r["parameter"] != "extract fans" or not cond.startswith("unknown"):
            continue
        park = 0 if "not park home" in cond else 1
        for band in _bands(cond.split("age", 1)[1]):
            out[park, band, _rooms(cond)] = int(r["value"])
    if (out[0] < 0).any():
        raise ServicesTableError("Table 5 extract-fan defaults do not cover every age band "
                                 "and room count of non park homes")
    return out


def _table29() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Table 29 by age band: cylinder insulation type (1 factory, 2 loose jacket) and mm when
    not accessible, primary pipework insulation code (1 none, 4 full)."""
    ins_type = np.full(len(AGE_BANDS), -1, dtype=np.int64)
    ins_mm = np.full(len(AGE_BANDS), np.nan)
    pipe = np.full(len(AGE_BANDS), -1, dtype=np.int64)
    for r in read_table("rdsap10_table29_heating_hot_water_defaults_PARTIAL.csv"):
        param, default = r["parameter"], r["default"]
        if param.startswith("hot water cylinder insulation"):
            bands = _bands(r["condition"].replace("age band of main property", "age band"))
            m = re.match(r"(\d+) mm (loose jacket|factory foam)", default)
            if not m:
                raise ServicesTableError(f"Table 29: cannot read {default!r}")
            ins_mm[bands] = float(m.group(1))
            ins_type[bands] = 2 if m.group(2) == "loose jacket" else 1
        elif param.startswith("insulation of primary pipework"):
            bands = _bands(r["condition"])
            pipe[bands] = 4 if default.startswith("full") else 1
    if (ins_type < 0).any() or (pipe < 0).any():
        raise ServicesTableError("Table 29 rows do not cover age bands A-M")
    return ins_type, ins_mm, pipe


def _region_map() -> np.ndarray:
    out = np.full(100, -1, dtype=np.int64)
    for r in read_table("rdsap10_region_code_to_appendix_u.csv"):
        if r["sap_region"].strip():
            out[int(r["uk_region_code"])] = int(r["sap_region"])
    return out


def _fuel_map() -> np.ndarray:
    out = np.full(100, NO_FUEL, dtype=np.int64)
    for r in read_table("rdsap10_fuel_code_to_sap_table12.csv"):
        code = r["sap_code"].strip()
        out[int(r["rdsap_code"])] = ELECTRIC if code == "E" else int(code) if code else NO_FUEL
    return out


def _bulbs() -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    rows = read_table("rdsap10_fixed_lighting_bulbs.csv")
    return (tuple(r["certificate_column"] for r in rows),
            np.array([float(r["power_w"]) for r in rows]),
            np.array([float(r["efficacy_lm_per_w"]) for r in rows]))


def _cylinders() -> tuple[np.ndarray, float, float, float]:
    volume = np.full(10, np.nan)
    inaccessible = {}
    for r in read_table("rdsap10_cylinder_size_volumes.csv"):
        code = int(r["cylinder_size_code"])
        if code == 0:
            inaccessible[r["condition"].split(":", 1)[1].strip()] = float(r["volume_l"])
        else:
            volume[code] = float(r["volume_l"])
    try:
        return (volume, inaccessible["default"],
                inaccessible["water heated by a solid-fuel boiler"],
                inaccessible["off-peak electric dual immersion"])
    except KeyError as exc:
        raise ServicesTableError(f"cylinder volumes: missing 'no access' row {exc}") from exc


@dataclass(frozen=True)
class WaterCodes:
    """Table 4a water heating codes 900-999 (index = code - 900)."""

    known: np.ndarray  # bool
    source: np.ndarray  # 0 own, 1 main1, 2 main2, 3 secondary
    delivery: np.ndarray  # 1, 3, 4; 0 = from the heating system; -1 = no delivery code fits
    primary: np.ndarray  # 1 yes, 0 no, 2 from the system, -1 n/a


def _water_codes() -> WaterCodes:
    known = np.zeros(100, dtype=bool)
    source = np.zeros(100, dtype=np.int64)
    delivery = np.full(100, -1, dtype=np.int64)
    primary = np.full(100, -1, dtype=np.int64)
    sources = {"own": 0, "main1": 1, "main2": 2, "secondary": 3}
    for r in read_table("rdsap10_water_heating_codes.csv"):
        i = int(r["code"]) - 900
        known[i] = True
        source[i] = sources[r["source"]]
        delivery[i] = {"system": 0, "1": 1, "3": 3, "4": 4}.get(r["delivery"], -1)
        primary[i] = {"yes": 1, "no": 0, "system": 2}.get(r["primary_loss"], -1)
    return WaterCodes(known, source, delivery, primary)


def _room_thermostat() -> np.ndarray:
    """By control code - 2000: 1 a room thermostat (interlock possible), 0 none, -1 no row."""
    out = np.full(1000, -1, dtype=np.int64)
    for r in read_table("rdsap10_boiler_interlock_controls.csv"):
        out[int(r["control_code"]) - 2000] = 1 if r["room_thermostat_for_interlock"] == "yes" \
            else 0
    return out


def _boiler_age() -> np.ndarray:
    """By SAP code: 1 boiler of 1998 or later, 0 pre-1998, -1 not classified."""
    out = np.full(1000, -1, dtype=np.int64)
    for r in read_table("rdsap10_boiler_age_classes.csv"):
        out[int(r["code_from"]):int(r["code_to"]) + 1] = \
            1 if r["age_class"] == "1998_or_later" else 0
    return out


def _combi_and_cpsu() -> tuple[np.ndarray, np.ndarray]:
    """Table 4b combi and CPSU codes (the CSV flags both in one column; CPSU rows are the
    'Combined Primary Storage Units' group). Electric CPSU 192 is Table 4a."""
    combi = np.zeros(1000, dtype=bool)
    cpsu = np.zeros(1000, dtype=bool)
    for r in read_table("sap10_2_table4b_boiler_seasonal_efficiency_PARTIAL.csv"):
        if r["is_combi_or_cpsu_per_source"].strip().lower() != "yes":
            continue
        code = int(r["sap_code"])
        if "CPSU" in r["group"]:
            cpsu[code] = True
        else:
            combi[code] = True
    cpsu[192] = True
    return combi, cpsu


def _codes_in(text: str) -> list[int]:
    """SAP codes named in a tariff-rule condition: '401-409', '193/195', '192'."""
    out: list[int] = []
    for m in re.finditer(r"\b(\d{3})(?:-(\d{3}))?((?:/\d{3})*)", text):
        lo = int(m.group(1))
        hi = int(m.group(2)) if m.group(2) else lo
        out += list(range(lo, hi + 1))
        out += [int(c) for c in m.group(3).split("/") if c]
    return out


@dataclass(frozen=True)
class TariffRules:
    """RdSAP 10 section 12 rules 1-4 for a dual meter, by main heating SAP code."""

    rule: np.ndarray  # (1000,) 1-3 = the rule a code matches (4 = none); by code
    tariff: dict[int, str]  # rule -> '7-hour' / '10-hour'
    heat_pump_rule: int  # rule of 'heat pump ... from database' and electric room heaters


def _tariff_rules() -> TariffRules:
    rule = np.full(1000, 4, dtype=np.int64)
    tariff: dict[int, str] = {}
    hp_rule = -1
    for r in read_table("rdsap10_section12_tariff_rules.csv"):
        step = int(r["step"])
        if step == 0:
            continue
        cond = r["condition_on_main_heating_or_water_heating"]
        tariff[step] = r["tariff"]
        for code in _codes_in(cond):
            if rule[code] == 4:
                rule[code] = step
        if "from database" in cond or "room heaters" in cond:
            hp_rule = step
    if set(tariff) != {1, 2, 3, 4} or hp_rule < 0:
        raise ServicesTableError("section 12 tariff rules 1-4 not found")
    return TariffRules(rule, tariff, hp_rule)


def _sheltered() -> tuple[int, int, int]:
    """(flat storey limit, sides up to it, sides otherwise) of the Table S5 lineage rule."""
    low = other = -1
    limit = -1
    for r in read_table("rdsap10_sheltered_sides_gap.csv"):
        if r["dwelling"].startswith("flat"):
            low = int(r["sheltered_sides"])
            m = re.search(r"up to the (\w+) storey", r["condition"])
            limit = {"first": 1, "second": 2, "third": 3, "fourth": 4}[m.group(1)] if m else -1
        else:
            other = int(r["sheltered_sides"])
    if min(low, other, limit) < 0:
        raise ServicesTableError("sheltered sides rows not found")
    return limit, low, other


def _mvhr_default_percent() -> float:
    """SAP 10.2 Table 4g default MVHR efficiency x its default in-use factor (66 x 0.70)."""
    values = {}
    for r in read_table("sap10_2_table4g_4h_mechanical_ventilation_defaults_PARTIAL.csv"):
        if r["item"].startswith("MVHR default heat-recovery efficiency"):
            values["eff"] = float(r["value"])
        elif r["item"].startswith("MVHR default heat-recovery in-use factor"):
            values["iuf"] = float(r["value"])
    if set(values) != {"eff", "iuf"}:
        raise ServicesTableError("Table 4g MVHR default efficiency / in-use factor not found")
    return round(values["eff"] * values["iuf"], 6)


def _mixer_flow() -> float:
    """Mixer-shower flow of the RdSAP fixtures (vented system), l/min."""
    for r in read_table("sap10_2_appendix_j_showers_baths.csv"):
        if r["item"].startswith("default flow rate, vented mixer"):
            return float(r["value"])
    raise ServicesTableError("Appendix J: vented mixer default flow not found")


def _warm_air_sfp() -> float:
    """Table 4f footnote e) default specific fan power of warm-air units, W/(l/s)."""
    for r in read_table("sap10_2_table4f_pumps_fans_electricity_PARTIAL.csv"):
        m = re.search(r"SFP default ([\d.]+)", r["notes"] or "")
        if r["item"].startswith("Warm air heating system fans") and m:
            return float(m.group(1))
    raise ServicesTableError("Table 4f: warm-air SFP default not found")


def _mev_default_sfp() -> float:
    """Table 4g default SFP of mechanical extract ventilation times its note-3 in-use factor
    for default data, W/(l/s): the fan power of (230a) for an MEV without a PCDB record."""
    values = {r["item"]: float(r["value"])
              for r in read_table("sap10_2_table4g_mev_default_sfp.csv")}
    try:
        return round(values["default_sfp"] * values["in_use_factor_default_data"], 6)
    except KeyError as exc:
        raise ServicesTableError(f"Table 4g: MEV default {exc.args[0]} not found") from exc


def _electric_room_heaters() -> np.ndarray:
    """Table 4a 'Room heaters - electric' codes (RdSAP 10 section 12 rule 3)."""
    out = np.zeros(1000, dtype=bool)
    for r in read_table("sap10_2_table4a_heating_systems_PARTIAL.csv"):
        if r["category"].strip() == "Room heaters - electric":
            out[int(r["sap_code"])] = True
    if not out.any():
        raise ServicesTableError("Table 4a: no electric room heater rows")
    return out


@dataclass(frozen=True)
class ServicesTables:
    extract_fans: np.ndarray  # (2, 13, 65) Table 5 default by park home, age band, rooms
    cyl_ins_type: np.ndarray  # (13,) Table 29 cylinder insulation type by age band
    cyl_ins_mm: np.ndarray  # (13,) Table 29 cylinder insulation thickness by age band
    pipework: np.ndarray  # (13,) Table 29 primary pipework insulation code by age band
    region: np.ndarray  # (100,) UKRegionCode -> Appendix U region (-1 none)
    fuel: np.ndarray  # (100,) RdSAP fuel -> SAP Table 12 code (ELECTRIC, NO_FUEL)
    bulb_columns: tuple[str, ...]
    bulb_power: np.ndarray  # (4,) W
    bulb_efficacy: np.ndarray  # (4,) lm/W
    cylinder_volume: np.ndarray  # (10,) litres by Cylinder-Size code
    inaccessible_volume: float
    inaccessible_solid_fuel: float
    inaccessible_dual_immersion: float
    water: WaterCodes
    room_thermostat: np.ndarray  # (1000,) by control code - 2000
    boiler_age: np.ndarray  # (1000,) by SAP code
    combi: np.ndarray  # (1000,) Table 4b combi
    cpsu: np.ndarray  # (1000,) CPSU (gas/oil Table 4b and electric 192)
    tariff: TariffRules
    sheltered: tuple[int, int, int]
    mvhr_default_percent: float  # Table 4g 66 % x in-use factor 0.70
    mixer_flow_l_per_min: float  # vented mixer shower flow of the RdSAP fixtures
    warm_air_sfp: float  # Table 4f footnote e) default SFP
    mev_default_sfp: float  # Table 4g MEV default SFP x note-3 in-use factor
    electric_room_heater: np.ndarray  # (1000,) Table 4a electric room heater codes


@lru_cache(maxsize=1)
def services_tables() -> ServicesTables:
    """The tables, read from ``spec/tables`` once per process."""
    ins_type, ins_mm, pipe = _table29()
    columns, power, efficacy = _bulbs()
    volume, inacc, inacc_solid, inacc_dual = _cylinders()
    combi, cpsu = _combi_and_cpsu()
    return ServicesTables(
        extract_fans=_extract_fans(), cyl_ins_type=ins_type, cyl_ins_mm=ins_mm,
        pipework=pipe, region=_region_map(), fuel=_fuel_map(), bulb_columns=columns,
        bulb_power=power, bulb_efficacy=efficacy, cylinder_volume=volume,
        inaccessible_volume=inacc, inaccessible_solid_fuel=inacc_solid,
        inaccessible_dual_immersion=inacc_dual, water=_water_codes(),
        room_thermostat=_room_thermostat(), boiler_age=_boiler_age(), combi=combi, cpsu=cpsu,
        tariff=_tariff_rules(), sheltered=_sheltered(),
        mvhr_default_percent=_mvhr_default_percent(), mixer_flow_l_per_min=_mixer_flow(),
        warm_air_sfp=_warm_air_sfp(), mev_default_sfp=_mev_default_sfp(),
        electric_room_heater=_electric_room_heaters())
