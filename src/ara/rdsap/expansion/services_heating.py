"""Heating, electricity tariff, hot water and shower columns of the services expansion (see
:mod:`ara.rdsap.expansion.services` and ``docs/rdsap/expansion_services.md``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.rdsap.expansion.services_io import (
    MISSING,
    Certificates,
    Items,
    Log,
    Output,
    flags,
    floats,
    int_codes,
    take,
)
from ara.rdsap.expansion.services_tables import ELECTRIC, NO_FUEL, ServicesTables
from ara.sap.fallbacks import fallback
from ara.sap.products import pcdb_boiler_codes
from ara.sap.tables import read_table

if TYPE_CHECKING:
    from ara.rdsap.pcdb import Pcdb
    from ara.sap.products import HeatPumpRecords

NO_HEATING_CODE = 699  # Table 4a 'No heating system present: electric heaters (assumed)'
NO_HEATING_CONTROL = 2699  # Table 4e 'No heating system present'
IMMERSION = 903
NO_WATER_SYSTEM = 999  # 'No hot water system present - electric immersion assumed'
STANDARD_ELECTRICITY = 30
ELECTRICITY_RDSAP = 29  # HeatingFuelTypeCode 'electricity (not community)'
# SAP-ElectricityTariffCode (index) -> SAP 10.2 Table 12 code for electric space and water
# heating: standard 30; 7-/10-hour 39 'unspecified tariff' (the calculator splits it by
# Table 12a/13); 24-hour 35; 18-hour 40 (space and water heating at the low rate, App. F2)
ELECTRIC_CODE_BY_TARIFF = np.array([STANDARD_ELECTRICITY, STANDARD_ELECTRICITY, 39, 39, 35, 40])
SOLID_FUELS = (10, 11, 12, 15, 20, 21, 22, 23)  # SAP 10.2 Table 12 solid fuels
METER_TARIFF = {2: 1, 4: 4, 5: 5, 6: 3}  # Meter-Type -> tariff where the meter decides
METER_DUAL, METER_UNKNOWN = 1, 3
TARIFF_CODE = {"7-hour": 2, "10-hour": 3}
# RdSAP HeatEmitterCode 0-4 -> SAP_INPUT_SCHEMA emitter (1 radiators, 2 underfloor, 3 both,
# 4 fan coils); 0 'not radiators or underfloor' -> none
EMITTER = np.array([-1, 1, 2, 4, 3])
DIRECT_ACTING_ELECTRIC_BOILER = 191


def _in(codes: np.ndarray, lo: int, hi: int) -> np.ndarray:
    return (codes >= lo) & (codes <= hi)


def _rows(it: Items, mask: np.ndarray) -> np.ndarray:
    """Rows with at least one item where ``mask`` holds."""
    return it.count(mask) > 0


@dataclass
class MainSystem:
    present: np.ndarray
    code: np.ndarray  # SAP Table 4a/4b code (MISSING)
    category: np.ndarray  # SAP-MainHeatingCategoryCode
    fuel_rdsap: np.ndarray
    control: np.ndarray
    data_source: np.ndarray  # 1 PCDB, 2 SAP table
    fraction: np.ndarray
    emitter: np.ndarray
    pump_age: np.ndarray
    fan_flue: np.ndarray  # int8 1/0/-1
    fghrs: np.ndarray  # int8
    index_number: pa.Array | None = None  # Main-Heating-Index-Number (PCDB), string per row
    winter_efficiency: np.ndarray | None = None  # from the PCDB (%), NaN where not
    summer_efficiency: np.ndarray | None = None
    heat_pump_product: HeatPumpRecords | None = None  # table 362 record (ara.sap.products)

    @property
    def boiler(self) -> np.ndarray:
        """A wet boiler system: SAP code 101-199 (Table 4b, solid-fuel and electric boilers)
        or category 2 (boiler) / 3 (micro-cogeneration)."""
        return self.present & (_in(self.code, 101, 199) | np.isin(self.category, (2, 3)))

    @property
    def warm_air_heat_pump(self) -> np.ndarray:
        return self.present & (_in(self.code, 521, 527) | (self.category == 5))

    @property
    def wet_heat_pump(self) -> np.ndarray:
        return self.present & (_in(self.code, 201, 299) | (self.category == 4)) \
            & ~self.warm_air_heat_pump


def read_main_systems(c: Certificates, log: Log) -> tuple[MainSystem, MainSystem]:
    """Main heating systems 1 and 2 from the ``main_heating`` list (by Main-Heating-Number,
    else by position in the list)."""
    it = c.items("main_heating")
    number = int_codes(it.field("main_heating_number"))
    position = np.arange(it.parents.size) - it.offsets[it.parents] + 1
    slot = np.where(np.isin(number, (1, 2)), number, position)
    log.fallback(_rows(it, slot > 2), "main_systems_beyond_two")
    code = {name: int_codes(it.field(name)) for name in (
        "sap_main_heating_code", "main_heating_category", "main_fuel_type",
        "main_heating_control", "main_heating_data_source", "heat_emitter_type",
        "central_heating_pump_age")}
    fraction = floats(it.field("main_heating_fraction"))
    index_numbers = it.field("main_heating_index_number")
    fan_flue = flags(it.field("fan_flue_present"))
    fghrs = flags(it.field("has_fghrs"))
    out = []
    for k in (1, 2):
        idx = it.first(slot == k)
        if len(index_numbers):
            index = pc.if_else(pa.array(idx >= 0), pc.take(
                index_numbers, pa.array(np.where(idx >= 0, idx, 0))),
                pa.scalar(None, index_numbers.type))
        else:
            index = pa.nulls(c.n, pa.string())
        out.append(MainSystem(
            present=idx >= 0,
            code=take(code["sap_main_heating_code"], idx, MISSING),
            category=take(code["main_heating_category"], idx, MISSING),
            fuel_rdsap=take(code["main_fuel_type"], idx, MISSING),
            control=take(code["main_heating_control"], idx, MISSING),
            data_source=take(code["main_heating_data_source"], idx, MISSING),
            fraction=take(fraction, idx, np.nan),
            emitter=take(code["heat_emitter_type"], idx, MISSING),
            pump_age=take(code["central_heating_pump_age"], idx, MISSING),
            fan_flue=take(fan_flue, idx, -1),
            fghrs=take(fghrs, idx, -1),
            index_number=index))
    return out[0], out[1]


def no_heating_system(main1: MainSystem, log: Log) -> None:
    """No main heating (none lodged, or category 1 'none' without a code): SAP 10.2 Table 4a
    code 699 (electric heaters assumed), electricity, control 2699 unless lodged."""
    none = ~main1.present | ((main1.category == 1) & (main1.code == MISSING))
    log.assume(none, "main1: no heating system: code 699, electric heaters assumed (SAP 10.2 "
               "Table 4a)")
    main1.code = np.where(none, NO_HEATING_CODE, main1.code)
    main1.fuel_rdsap = np.where(none & np.isin(main1.fuel_rdsap, (MISSING, 0)),
                                ELECTRICITY_RDSAP, main1.fuel_rdsap)
    # Table 4a code 699 assumes electric heaters: whatever fuel was lodged with it
    lodged_other = (main1.code == NO_HEATING_CODE) & ~np.isin(
        main1.fuel_rdsap, (MISSING, 0, ELECTRICITY_RDSAP))
    log.assume(lodged_other, "main1: code 699 (no heating system): electric heaters assumed "
               "(SAP 10.2 Table 4a), the lodged main fuel is not used")
    main1.fuel_rdsap = np.where(main1.code == NO_HEATING_CODE, ELECTRICITY_RDSAP,
                                main1.fuel_rdsap)
    main1.control = np.where(none & (main1.control == MISSING), NO_HEATING_CONTROL,
                             main1.control)
    main1.present = np.ones_like(main1.present)


def electricity_tariff(c: Certificates, log: Log, out: Output, tb: ServicesTables,
                       main1: MainSystem, main2: MainSystem,
                       dual_immersion: np.ndarray) -> np.ndarray:
    """RdSAP 10 section 12 (p.62): single -> standard; 24-hour, 18-hour and 10-hour meters ->
    that tariff; dual -> rules 1-4 on main system 1; unknown -> standard unless a main or
    water heating system is off-peak, then as dual."""
    meter = c.code("meter_type")
    code1 = np.clip(main1.code, 0, 999)
    has_code = main1.code >= 0
    electric1 = tb.fuel[np.clip(main1.fuel_rdsap, 0, 99)] == ELECTRIC
    rule = np.where(has_code, tb.tariff.rule[code1], 4)
    rule = np.where((rule == 4) & (main1.category == 7), 2, rule)  # PCDB storage heaters
    heat_pump_db = (main1.data_source == 1) & np.isin(main1.category, (4, 5)) & electric1
    room_heaters = (has_code & tb.electric_room_heater[code1]) \
        | ((main1.category == 10) & electric1)
    rule = np.where((rule == 4) & (heat_pump_db | room_heaters), tb.tariff.heat_pump_rule,
                    rule)
    by_rule = np.array([0] + [TARIFF_CODE[tb.tariff.tariff[k]] for k in (1, 2, 3, 4)])
    # the spec's list of off-peak systems is not read in full: dual immersion (quoted),
    # storage heaters and electric CPSU (as the implementing project treats them)
    off_peak = dual_immersion.copy()
    for system in (main1, main2):
        off_peak |= system.present & (_in(system.code, 401, 409) | (system.code == 192)
                                      | (system.category == 7))
    unknown = np.isin(meter, (METER_UNKNOWN, MISSING))
    tariff = np.ones(c.n, dtype=np.int64)
    for m, t in METER_TARIFF.items():
        tariff = np.where(meter == m, t, tariff)
    tariff = np.where((meter == METER_DUAL) | (unknown & off_peak), by_rule[rule], tariff)
    log.problem(~np.isin(meter, (METER_DUAL, METER_UNKNOWN, MISSING, *METER_TARIFF)),
                "electricity_tariff", "not a Meter-Type code: invalid, refused")
    log.assume(unknown & ~off_peak, "electricity_tariff: meter type unknown, no off-peak "
               "system: standard tariff (RdSAP 10 section 12)")
    log.assume(unknown & off_peak, "electricity_tariff: meter type unknown with an off-peak "
               "system: read as a dual meter (RdSAP 10 section 12)")
    out.put("electricity_tariff", tariff)
    return tariff


HEAT_NETWORK_DATA = 99  # RdSAP fuel: 'from heat network data (community)'


def sap_fuel(log: Log, tb: ServicesTables, rdsap: np.ndarray, tariff: np.ndarray,
             present: np.ndarray, field: str) -> np.ndarray:
    """RdSAP fuel codes -> SAP 10.2 Table 12 codes (electricity by tariff); -1 and a problem
    where no SAP fuel exists."""
    ok = (rdsap >= 0) & (rdsap < 100)
    mapped = np.where(ok, tb.fuel[np.clip(rdsap, 0, 99)], NO_FUEL)
    mapped = np.where(mapped == ELECTRIC, ELECTRIC_CODE_BY_TARIFF[tariff], mapped)
    if field != "secondary_fuel":  # a room heater is never on a heat network
        # 99 'from heat network data (community)': the network's own factors are a PCDB
        # heat-network record Ara does not read; estimate mode: a gas-boiler network (51)
        from_network_data = present & (rdsap == HEAT_NETWORK_DATA)
        log.fallback(from_network_data, "heat_network_fuel_from_pcdb")
        mapped = np.where(from_network_data,
                          int(fallback("heat_network_fuel_from_pcdb").value), mapped)
    log.problem(present & (rdsap == MISSING), field, "fuel not lodged: null written")
    log.problem(present & (rdsap != MISSING) & (mapped == NO_FUEL), field,
                "RdSAP fuel code without a SAP 10.2 Table 12 fuel "
                "(rdsap10_fuel_code_to_sap_table12.csv): null written")
    return np.where(present, mapped, NO_FUEL)


@dataclass
class Water:
    store: np.ndarray  # hot water from a cylinder (delivery 3)
    source: np.ndarray  # 0 own heater, 1 main1, 2 main2, 3 secondary, -1 unknown
    cylinder_thermostat: np.ndarray  # int8 1/0/-1
    delivery: np.ndarray  # 1-3, -1 not derived


def water_heating(c: Certificates, log: Log, out: Output, tb: ServicesTables,
                  main1: MainSystem, main2: MainSystem, sec_code: np.ndarray,
                  fuels: tuple[np.ndarray, np.ndarray, np.ndarray], tariff: np.ndarray,
                  age: np.ndarray) -> Water:
    """Water heating code and fuel, delivery, cylinder (volume, insulation, thermostat),
    primary loss and pipework, separate timing, immersion type."""
    n = c.n
    whc = c.code("water_heating_code")
    # estimate fallback: hot water 'from the main system' when that system is 'no heating
    # system present' (code 699, electric heaters assumed, which heat no water): as for a
    # dwelling without a water heating system
    from_no_system = ((whc == 901) & (main1.code == NO_HEATING_CODE)) \
        | ((whc == 914) & main2.present & (main2.code == NO_HEATING_CODE))
    log.fallback(from_no_system, "water_from_no_heating_system")
    whc = np.where(from_no_system, NO_WATER_SYSTEM, whc)
    none = np.isin(whc, (MISSING, NO_WATER_SYSTEM))
    log.fallback(whc == MISSING, "water_heating_not_lodged")
    log.assume((whc == NO_WATER_SYSTEM) & ~from_no_system, "water heating: none present: "
               "electric immersion 903 "
               "on standard electricity (RdSAP 10, JK a7761ea8)")
    code = np.where(none, IMMERSION, whc)
    i = np.clip(code - 900, 0, 99)
    known = _in(code, 900, 999) & tb.water.known[i]
    log.problem(~known, "water_heating_code", "not in rdsap10_water_heating_codes.csv: hot "
                "water delivery not derived")
    out.put("water_heating_code", code, known)
    source = np.where(known, tb.water.source[i], -1)
    kind = np.where(known, tb.water.delivery[i], -9)  # 0 from a system, 1, 3, -1 none fits
    own = source == 0
    sec_present = sec_code > 0
    log.problem((source == 2) & ~main2.present, "water_heating_code",
                "water from main system 2 but only one main system is lodged")
    log.problem((source == 3) & ~sec_present, "water_heating_code",
                "water from the secondary system but none is lodged")
    heater = np.select([source == 1, source == 2, source == 3], [main1.code, main2.code,
                                                                  sec_code], code)
    h = np.clip(heater, 0, 999)
    from_main = np.isin(source, (1, 2))
    combi = from_main & tb.combi[h] & (heater >= 0)
    cpsu = from_main & tb.cpsu[h] & (heater >= 0)

    # fuel
    fuel1, fuel2, fuel_sec = fuels
    own_fuel = sap_fuel(log, tb, c.code("water_heating_fuel"), tariff, own & known & ~none,
                        "water_heating_fuel")
    fuel = np.select([none, source == 1, source == 2, source == 3],
                     [STANDARD_ELECTRICITY, fuel1, fuel2, fuel_sec], own_fuel)
    out.put("water_heating_fuel", fuel, fuel >= 0)

    # delivery and cylinder presence
    size = c.code("cylinder_size")
    lodged_cyl = np.isin(size, (0, 2, 3, 4, 5, 6)) | ((size == MISSING)
                                                     & (c.flag("has_hot_water_cylinder") == 1))
    needs_store = kind == 3
    log.assume(needs_store & ~lodged_cyl & none, "cylinder: none lodged for the assumed "
               "immersion: 'no access' cylinder defaults")
    # SAP 10.2 heat networks case (c): hot water from a heat network with no cylinder (and no
    # heat interface unit record) is a store of the declared loss 1.72 kWh/day, a spec rule
    network_without_store = (kind == 0) & ~lodged_cyl & _in(heater, 301, 399)
    system_without_store = (kind == 0) & ~lodged_cyl & ~combi & ~network_without_store
    log.fallback((needs_store & ~lodged_cyl & ~none) | system_without_store,
                 "cylinder_not_lodged")
    log.assume(network_without_store, "hot water from a heat network without a cylinder: "
               "declared loss 1.72 kWh/day (SAP 10.2 heat networks case (c)), thermostat "
               "assumed (RdSAP 10 Table 29)")
    log.fallback(np.isin(kind, (1, 4)) & lodged_cyl, "cylinder_with_point_of_use_heater")
    delivery = np.select([kind == 1, kind == 4, kind == 3, (kind == 0) & lodged_cyl,
                          (kind == 0) & combi, system_without_store | network_without_store],
                         [1, 4, 3, 3, 2, 3], -1)
    lodged_cyl = lodged_cyl & ~np.isin(kind, (1, 4))
    log.problem(kind == -1, "hot_water_delivery", "no hot water delivery code of the "
                "calculator fits this water heating code: null written")
    out.put("hot_water_delivery", delivery, delivery > 0)
    store = delivery == 3
    inaccessible = store & ((size == 0) | ~lodged_cyl | ((size == MISSING) & lodged_cyl)) \
        & ~network_without_store

    # volume: Cylinder-Size codes, measured, solar store, 'no access' defaults
    volume = np.full(n, np.nan)
    volume = np.where(np.isin(size, (2, 3, 4)), tb.cylinder_volume[np.clip(size, 0, 9)],
                      volume)
    volume = np.where(size == 6, c.num("cylinder_size_measured_l"), volume)
    solar_volume = floats(pc.struct_field(c.arr("solar_water_heating_details"),
                                          "total_store_volume_l"))
    volume = np.where(size == 5, solar_volume, volume)
    log.problem(store & np.isin(size, (5, 6)) & ~np.isfinite(volume), "cylinder_volume_l",
                "Cylinder-Size 5/6 without the lodged volume: null written")
    dual_off_peak = (code == IMMERSION) & (c.code("immersion_heating_type") == 1) \
        & np.isin(tariff, (2, 3))
    solid = np.isin(fuel, SOLID_FUELS)
    default = np.where(dual_off_peak, tb.inaccessible_dual_immersion,
                       np.where(solid, tb.inaccessible_solid_fuel, tb.inaccessible_volume))
    volume = np.where(inaccessible, default, volume)
    hiu = _heat_network_without_cylinder()
    volume = np.where(network_without_store, hiu["equivalent_volume"], volume)
    for value, what in ((tb.inaccessible_volume, "default"),
                        (tb.inaccessible_solid_fuel, "solid-fuel boiler"),
                        (tb.inaccessible_dual_immersion, "off-peak dual immersion")):
        log.assume(inaccessible & (default == value), f"cylinder volume: not accessible: "
                   f"{value:g} L ({what}; RdSAP 2009 Table S17 lineage)")
    out.put("cylinder_volume_l", volume, store & np.isfinite(volume))

    # insulation: lodged, or RdSAP 10 Table 29 by age band when not accessible
    ins = c.code("cylinder_insulation_type")
    mm = c.code("cylinder_insulation_thickness")
    declared = c.num("cylinder_heat_loss_kwh_per_day")
    declared = np.where(network_without_store, hiu["declared_loss"], declared)
    lodged_ins = (ins == 0) | (np.isin(ins, (1, 2)) & (mm >= 0))
    ins_type = np.where(ins == 0, 2, ins)  # none: both Table 2 expressions give L at t = 0
    ins_mm = np.where(ins == 0, 0.0, mm.astype(np.float64))
    need = store & ~lodged_ins & ~np.isfinite(declared)
    band = np.clip(age, 0, 12)
    ins_type = np.where(need, tb.cyl_ins_type[band], ins_type)
    ins_mm = np.where(need, tb.cyl_ins_mm[band], ins_mm)
    log.assume(need & inaccessible & (age >= 0), "cylinder insulation: not accessible: "
               "RdSAP 10 Table 29 default by age band")
    log.fallback(need & ~inaccessible & (age >= 0), "cylinder_insulation_not_lodged")
    log.problem(need & (age < 0), "cylinder_insulation_mm",
                "cylinder insulation not lodged and age band unknown: null written")
    ins_ok = store & (lodged_ins | (need & (age >= 0)))
    out.put("cylinder_insulation_type", ins_type, ins_ok)
    out.put("cylinder_insulation_mm", ins_mm, ins_ok)
    out.put("cylinder_declared_loss_kwh_per_day", declared, store & np.isfinite(declared))

    # thermostat
    stat = c.flag("cylinder_thermostat")
    stat = np.where(network_without_store & (stat < 0), int(hiu["cylinder_thermostat"]), stat)
    stat_missing = store & (stat < 0) & ~none
    log.fallback(stat_missing, "cylinder_thermostat_not_lodged")
    stat = np.where(stat_missing, int(fallback("cylinder_thermostat_not_lodged").value), stat)
    out.put("cylinder_thermostat", stat == 1, store & (stat >= 0))
    log.assume(store & (stat < 0) & none, "cylinder thermostat: not lodged for the assumed "
               "immersion: null (calculator default: present)")

    # primary circuit (SAP 10.2 Table 3; zero-loss list) and RdSAP 10 Table 29 pipework
    code_primary = np.where(known, tb.water.primary[i], -1)
    zero_loss = combi | cpsu | (heater == DIRECT_ACTING_ELECTRIC_BOILER)
    primary = np.where(code_primary == 2, ~zero_loss, code_primary == 1)
    out.put("primary_loss_applies", primary, store)
    pipes = store & primary
    out.put("primary_pipework_insulation", tb.pipework[band], pipes & (age >= 0))
    log.problem(pipes & (age < 0), "primary_pipework_insulation",
                "age band unknown: Table 29 default not derived: null written")

    # separately timed (RdSAP 10 p.57: post-1998 boiler -> yes)
    boiler = np.select([source == 1, source == 2], [main1.boiler, main2.boiler], False)
    boiler_fed = pipes & boiler
    age_class = np.where(heater >= 0, tb.boiler_age[h], -1)
    # case (c) heat-network store: not separately timed (the worked Elmhurst figure behind
    # sap10_2_heat_network_dhw_without_cylinder.csv has no 0.9 timing factor)
    network_store = pipes & network_without_store
    timing_missing = ((boiler_fed & (age_class < 0)) | (pipes & ~boiler)) & ~network_store
    log.fallback(timing_missing, "hot_water_timing_not_established")
    timed = np.where(timing_missing,
                     fallback("hot_water_timing_not_established").value == 1, age_class == 1)
    timed = np.where(network_store, hiu["separately_timed"] == 1, timed)
    out.put("hot_water_separately_timed", timed, (boiler_fed & (age_class >= 0))
            | timing_missing | network_store)
    log.assume(boiler_fed & (age_class == 1), "hot water separately timed: boiler 1998 or "
               "later: yes (RdSAP 10 p.57)")
    log.assume(boiler_fed & (age_class == 0), "hot water separately timed: pre-1998 boiler: "
               "no (GAP: complement of the RdSAP 10 p.57 rule)")

    # immersion: RdSAP 1 dual / 2 single -> SAP 1 single / 2 dual
    imm = c.code("immersion_heating_type")
    imm_sap = np.select([none, imm == 1, imm == 2], [1, 2, 1], -1)
    is_imm = code == IMMERSION
    out.put("immersion_type", imm_sap, is_imm & (imm_sap > 0))
    log.assume(is_imm & none, "immersion: single immersion assumed")
    log.problem(is_imm & (imm_sap < 0) & np.isin(tariff, (2, 3)), "immersion_type",
                "not lodged with an off-peak tariff: null written (the calculator needs it)")
    return Water(store, source, stat, delivery)


def heating_columns(c: Certificates, log: Log, out: Output, tb: ServicesTables,
                    main1: MainSystem, main2: MainSystem,
                    fuels: tuple[np.ndarray, np.ndarray], water: Water) -> None:
    """main1_* and main2_* columns (code, fuel, fraction, control, category, emitter, pumps,
    flue fan, interlock)."""
    f1 = np.where(np.isfinite(main1.fraction), main1.fraction,
                  np.where(main2.present, 1.0 - main2.fraction, 1.0))
    f2 = np.where(np.isfinite(main2.fraction), main2.fraction, 1.0 - f1)
    log.problem(main2.present & ~np.isfinite(main1.fraction) & ~np.isfinite(main2.fraction),
                "main1_fraction", "two main systems without Main-Heating-Fraction: null "
                "written")
    log.assume(main2.present & (np.isfinite(main1.fraction) ^ np.isfinite(main2.fraction)),
               "main heating fraction: one lodged, the other is 1 minus it")
    for k, s, fuel in ((1, main1, fuels[0]), (2, main2, fuels[1])):
        p = f"main{k}"
        present = s.present
        out.put(f"{p}_code", s.code, present & (s.code >= 0))
        log.problem(present & (s.code == MISSING), f"{p}_code",
                    "SAP-Main-Heating-Code not lodged (PCDB system; the PCDB is not "
                    "available): null written")
        out.put(f"{p}_fuel", fuel, present & (fuel >= 0))
        if s.winter_efficiency is not None and s.summer_efficiency is not None:
            # Appendix D: the product's seasonal efficiencies from the user's PCDB
            from_pcdb = present & np.isfinite(s.winter_efficiency)
            out.put(f"{p}_efficiency_percent", s.winter_efficiency, from_pcdb)
            out.put(f"{p}_summer_efficiency_percent", s.summer_efficiency, from_pcdb)
            log.assume(from_pcdb, f"{p}: boiler efficiencies from the PCDB (SAP 10.2 "
                       "Appendix D)")
        if s.heat_pump_product is not None:
            # Appendix N: the heat pump's PCDB record (main{k}_hp_*, Table N8 criteria)
            from ara.rdsap.expansion.services_products import heat_pump_columns

            heat_pump_columns(out, log, k, s.heat_pump_product, water.source == k,
                              water.store)
        frac = f1 if k == 1 else f2
        out.put(f"{p}_fraction", frac, present & np.isfinite(frac))
        ok_control = _in(s.control, 2000, 2999)
        out.put(f"{p}_control", s.control, present & ok_control)
        log.problem(present & ~ok_control, f"{p}_control", "Main-Heating-Control not lodged "
                    "or not a Table 4e code: null written")
        out.put(f"{p}_category", s.category, present & _in(s.category, 1, 11))
        emitter = np.where(_in(s.emitter, 0, 4), EMITTER[np.clip(s.emitter, 0, 4)], -1)
        out.put(f"{p}_emitter", emitter, present & (emitter > 0))
        # estimate fallback: underfloor heating (alone or with radiators) of a boiler or heat
        # pump, whose responsiveness is Table 4d's by floor construction, not lodged
        from_4d = present & (_in(s.code, 101, 141) | _in(s.code, 211, 227)
                             | ((s.code == MISSING) & np.isin(s.category, (2, 4))))
        underfloor = from_4d & np.isin(emitter, (2, 3))
        log.fallback(underfloor, "underfloor_responsiveness_floor_unknown")
        out.put(f"{p}_responsiveness",
                fallback("underfloor_responsiveness_floor_unknown").value, underfloor)
        # pumps: boilers have a circulation pump (Table 4f) inside the heated space (Table
        # 5a gain); electric heat pumps have the pump in their efficiency (Table 4f 0) but
        # Table 4a heat pumps keep the gain (App. N3.1); PCDB heat pumps neither
        boiler = s.boiler
        pump_gain = boiler | (s.wet_heat_pump & (s.data_source != 1))
        out.put(f"{p}_has_circulation_pump", boiler, present)
        out.put(f"{p}_pump_in_heated_space", pump_gain, present)
        age = np.where(_in(s.pump_age, 0, 2), s.pump_age, 0)
        out.put(f"{p}_pump_age", age, present & (boiler | pump_gain))
        out.put(f"{p}_fan_flue", s.fan_flue == 1, present & (s.fan_flue >= 0))
        log.fallback(present & (s.fghrs == 1), "fghrs_ignored")
        # boiler interlock (RdSAP 10 p.57)
        control = np.clip(s.control - 2000, 0, 999)
        stat = np.where(ok_control, tb.room_thermostat[control], -1)
        heats_store = water.store & (water.source == k)
        cyl = water.cylinder_thermostat
        interlock = (stat == 1) & (~heats_store | (cyl == 1))
        known = (stat == 0) | ((stat == 1) & (~heats_store | (cyl >= 0)))
        unknown = boiler & ~known & ((ok_control & (stat < 0))
                                     | ((stat == 1) & heats_store & (cyl < 0)))
        log.fallback(unknown, "boiler_interlock_not_established")
        assumed = fallback("boiler_interlock_not_established").value == 1
        out.put(f"{p}_interlock", np.where(unknown, assumed, interlock),
                boiler & (known | unknown))


def secondary_heating(c: Certificates, log: Log, out: Output, tb: ServicesTables,
                      tariff: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Secondary heating code (SAP Table 4a room heater) and fuel."""
    code = c.code("secondary_heating_type")
    fuel_rdsap = c.code("secondary_fuel_type")
    present = code > 0
    log.fallback(~present & ~np.isin(fuel_rdsap, (MISSING, 0)), "secondary_type_not_lodged")
    fuel = sap_fuel(log, tb, fuel_rdsap, tariff, present, "secondary_fuel")
    out.put("secondary_code", code, present)
    out.put("secondary_fuel", fuel, present & (fuel >= 0))
    return np.where(present, code, MISSING), fuel


def showers_and_baths(c: Certificates, log: Log, out: Output, tb: ServicesTables,
                      water: Water, pcdb: Pcdb | None = None) -> None:
    """Shower outlets (electric: Table J4 9.3 kW by the calculator's default; mixer: the
    vented flow of the RdSAP fixtures), baths, WWHRS (``services_wwhrs``)."""
    it = c.items("shower_outlets")
    kind = int_codes(it.field("shower_outlet_type"))
    parents = it.parents
    keep = np.isin(kind, (1, 2))
    mixer = kind == 1
    from_store = np.asarray(water.delivery, dtype=np.int64)[parents] == 3
    log.fallback(_rows(it, ~np.isin(kind, (1, 2, 4))), "shower_outlet_not_representable")
    log.assume(_rows(it, mixer & from_store), f"mixer shower: {tb.mixer_flow_l_per_min:g} "
               "l/min (vented-system flow of the RdSAP 10 worksheet fixtures)")
    log.fallback(_rows(it, mixer & ~from_store), "mixer_shower_flow")
    counts = it.count(keep)
    offsets = np.zeros(c.n + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    outlet = np.where(kind == 2, 4, np.where(from_store, 1, 3))[keep]
    flow = np.where(mixer, np.where(from_store, tb.mixer_flow_l_per_min,
                                    fallback("mixer_shower_flow").value), np.nan)[keep]
    power = np.full(outlet.size, np.nan)
    out.put_list("showers", offsets,
                 {"outlet_type": outlet, "flow_rate_l_per_min": flow, "power_kw": power},
                 {"flow_rate_l_per_min": np.isfinite(flow), "power_kw": np.isfinite(power)},
                 it.lodged)
    baths = c.code("number_baths")
    baths_missing = (counts > 0) & (baths < 0)
    log.fallback(baths_missing, "bath_count_not_lodged")
    baths = np.where(baths_missing, int(fallback("bath_count_not_lodged").value), baths)
    out.put("bath_count", baths, baths >= 0)
    # WWHRS: instantaneous systems by their PCDB product, the rest left out as declared
    from ara.rdsap.expansion.services_wwhrs import waste_water_heat_recovery

    waste_water_heat_recovery(c, log, out, it, kind, keep, pcdb)
    from ara.rdsap.expansion.services_solar import solar_water_heating

    solar_water_heating(c, log, out, water.delivery)


def _heat_network_without_cylinder() -> dict[str, float]:
    """SAP 10.2 heat networks case (c) and RdSAP 10 Table 29
    (spec/tables/sap10_2_heat_network_dhw_without_cylinder.csv)."""
    return {r["item"]: float(r["value"])
            for r in read_table("sap10_2_heat_network_dhw_without_cylinder.csv")}


#: RdSAP fuel codes of electricity (not community; 10 is the backwards-compatible code).
ELECTRIC_RDSAP_FUELS = (10, 29)
#: Main-Heating-Data-Source: 2 = from the SAP tables (1 = PCDB).
SAP_TABLE_DATA = 2

#: RdSAP fuel codes of the boiler fallback's fuel groups (rdsap10_fuel_code_to_sap_table12.csv):
#: gas = mains gas and LPG (Table 4b's gas rows include LPG); oil = heating oil, B30K and the
#: bio-liquids (Table 4b's liquid fuel rows).
BOILER_FUEL_GROUPS = {"gas": (1, 2, 3, 17, 26, 27), "oil": (4, 18, 28, 34, 35, 36, 37)}


def _boiler_fallback_codes() -> dict[tuple[str, str, str], int]:
    return {(r["fuel_group"], r["fan_flue"], r["combi"]): int(r["sap_code"])
            for r in read_table("estimate_boiler_codes.csv")}


def boiler_without_code(c: Certificates, log: Log, tb: ServicesTables,
                        systems: tuple[MainSystem, MainSystem], pcdb: Pcdb | None = None) -> None:
    """A gas / LPG / oil boiler (category 2) lodged by its PCDB index without a SAP code.

    With the user's PCDB holding the index (SAP 10.2 Appendix D): the product's winter and
    summer seasonal efficiencies (PCDB table 105 fields 25 / 26) replace Table 4b's, and the
    Table 4b code of its kind (fuel, regular / combi / CPSU, condensing) tells the calculator
    what kind of boiler it is. Otherwise the declared estimate fallback
    ``boiler_product_unavailable`` picks the Table 4b row
    (``spec/tables/estimate_boiler_codes.csv``) from the lodged fuel, fan-assisted flue and
    whether it heats water without a cylinder (a combi)."""
    whc = c.code("water_heating_code")
    i = np.clip(whc - 900, 0, 99)
    known = _in(whc, 900, 999) & tb.water.known[i]
    source = np.where(known, tb.water.source[i], -1)
    size = c.code("cylinder_size")
    cylinder = np.isin(size, (0, 2, 3, 4, 5, 6)) | ((size == MISSING)
                                                   & (c.flag("has_hot_water_cylinder") == 1))
    rule = _boiler_fallback_codes()
    for k, s in enumerate(systems, start=1):
        needs = s.present & (s.code == MISSING) & (s.category == 2)
        s.winter_efficiency = np.full(c.n, np.nan)
        s.summer_efficiency = np.full(c.n, np.nan)
        if pcdb is not None and s.index_number is not None and needs.any():
            product = pcdb.boilers_for(s.index_number)
            code = pcdb_boiler_codes(product)
            matched = needs & (code > 0)
            s.code = np.where(matched, code, s.code)
            s.winter_efficiency = np.where(matched, floats(product.column(
                "winter_efficiency_pct").combine_chunks()), np.nan)
            s.summer_efficiency = np.where(matched, floats(product.column(
                "summer_efficiency_pct").combine_chunks()), np.nan)
            needs = needs & ~matched
        combi = (source == k) & ~cylinder
        flue = np.select([s.fan_flue == 1, s.fan_flue == 0], [0, 1], 2)
        for group, fuels in BOILER_FUEL_GROUPS.items():
            in_group = needs & np.isin(s.fuel_rdsap, fuels)
            for fi, fan in enumerate(("yes", "no", "unknown")):
                for is_combi, label in ((combi, "yes"), (~combi, "no")):
                    rows = in_group & (flue == fi) & is_combi
                    s.code = np.where(rows, rule[(group, fan, label)], s.code)
            log.fallback(in_group, "boiler_product_unavailable")
        # an electric heat pump by PCDB index: its record in the user's PCDB (SAP 10.2
        # Appendix N, ara.rdsap.expansion.services_products); otherwise the Table 4a row of
        # the declared fallback, as a system without product data (so Table 4a's pump gain
        # applies, Appendix N3.1)
        heat_pump = s.present & (s.code == MISSING) & (s.category == 4) \
            & np.isin(s.fuel_rdsap, ELECTRIC_RDSAP_FUELS)
        if pcdb is not None and 362 in pcdb.tables and s.index_number is not None \
                and heat_pump.any():
            from ara.rdsap.expansion.services_products import heat_pump_products
            from ara.sap.products import PCDB_HEAT_PUMP_CODE

            hp = heat_pump_products(pcdb, s.index_number, heat_pump, source == k, k, log)
            s.heat_pump_product = hp
            s.code = np.where(hp.usable, PCDB_HEAT_PUMP_CODE, s.code)
            s.data_source = np.where(hp.usable, 1, s.data_source)
            fallback_code = int(fallback("heat_pump_product_not_usable").value)
            not_usable = hp.found & ~hp.usable
            s.code = np.where(not_usable, fallback_code, s.code)
            s.data_source = np.where(not_usable, SAP_TABLE_DATA, s.data_source)
            log.fallback(not_usable, "heat_pump_product_not_usable")
            heat_pump = heat_pump & ~hp.found
        s.code = np.where(heat_pump, int(fallback("heat_pump_product_unavailable").value),
                          s.code)
        s.data_source = np.where(heat_pump, SAP_TABLE_DATA, s.data_source)
        log.fallback(heat_pump, "heat_pump_product_unavailable")
