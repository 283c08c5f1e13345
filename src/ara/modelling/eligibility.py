"""Candidate measure options per property and the reasons others are rejected
(decisions D-0019-0028). Eligibility reads the certificate (wall construction and insulation of
the main building part, roof type, property type) and the planning flags (decision D-0020); the
current SAP input row (the rolling state) says what is still worth doing."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.domain.codes import PropertyType, WallConstruction, WallInsulation
from ara.modelling import overlays as ov
from ara.modelling.catalogue import Catalogue, exclusive_group, group_members, load_catalogue


@dataclass(frozen=True)
class MeasureOption:
    property_id: str
    measure_type: str
    option_id: str
    cost_gbp: float
    description: str
    requires: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rejection:
    property_id: str
    measure_type: str
    reason: str


def _code(member: int) -> str:
    """A certificate's code as its building parts hold it (text)."""
    return str(int(member))


_WALL = WallConstruction
CAVITY, SOLID_BRICK, TIMBER, SYSTEM_BUILT = map(_code, (_WALL.CAVITY, _WALL.SOLID_BRICK,
                                                        _WALL.TIMBER_FRAME, _WALL.SYSTEM_BUILT))
STONE_OR_COB = {_code(_WALL.STONE_GRANITE_OR_WHINSTONE): "granite or whinstone",
                _code(_WALL.STONE_SANDSTONE_OR_LIMESTONE): "sandstone or limestone",
                _code(_WALL.COB): "cob"}
AS_BUILT = _code(WallInsulation.AS_BUILT)
HOUSES = {_code(PropertyType.HOUSE), _code(PropertyType.BUNGALOW)}
FLATS = {_code(PropertyType.FLAT), _code(PropertyType.MAISONETTE)}
NATURAL_VENTILATION = {1, 2, 9, 10}
PV_KWP_PER_M2 = ov.modelling_assumptions()["pv_kwp_per_m2_roof"]
LOW_LOFT_MM = ov.modelling_assumptions()["low_loft_mm"]
#: The scalar columns of the SAP input row the rules read (list columns are summed
#: vectorised instead of being turned into Python objects row by row).
ROW_COLUMNS = ("draughtproofed_percent", "ventilation_type", "hot_water_delivery",
               "cylinder_insulation_type", "cylinder_insulation_mm", "cylinder_thermostat",
               "main1_code", "main1_fuel", "main1_category", "main1_control", "secondary_code")


def _mm(code: str | None) -> float | None:
    if code is None:
        return None
    m = re.match(r"(\d+)", code)
    return float(m.group(1)) if m else None


def _snap_orientation(azimuth_deg: float) -> int:
    return int(round(azimuth_deg / 45.0)) % 8 + 1


def candidate_options(inputs: pa.Table, certs: pa.Table, flags: pa.Table,
                      allowed: Collection[str] | None = None, solar: pa.Table | None = None,
                      catalogue: Catalogue | None = None
                      ) -> tuple[list[MeasureOption], list[Rejection]]:
    if len(inputs) != len(certs):
        raise ValueError("inputs and certs must hold the same properties in the same order")
    cat = catalogue or load_catalogue()
    ids = inputs.column("dwelling_id").to_pylist()
    flag_rows = {r["property_id"]: r for r in flags.to_pylist()}
    solar_rows = {r["property_id"]: r for r in solar.to_pylist()} if solar is not None else {}
    wall_area = ov.element_area(inputs, (1,), ov.WALL_U_THRESHOLD)
    roof_area = ov.element_area(inputs, (3,), ov.ROOF_U_THRESHOLD)
    all_roof = ov.element_area(inputs, (3,), -1.0)
    floor_area = ov.element_area(inputs, (4, 6), ov.FLOOR_U_THRESHOLD)
    pv_kwp = np.round(PV_KWP_PER_M2 * all_roof, 2)  # the dwelling's own roof, never the building's
    single_glazed = _single_glazed_area(inputs)
    lights_missing, non_led = _non_led_bulbs(inputs)
    has_pv = np.asarray(pc.fill_null(pc.list_value_length(ov._column(inputs, "pv_arrays")),
                                     0).to_numpy(zero_copy_only=False)) > 0
    rows = inputs.select(list(ROW_COLUMNS)).to_pylist()  # only the scalars read here
    cert_rows = certs.select(["property_type", "building_parts"]).to_pylist()
    options: list[MeasureOption] = []
    rejections: list[Rejection] = []
    for i, pid in enumerate(ids):
        row, cert = rows[i], cert_rows[i]
        fl = flag_rows.get(pid, {})
        conservation = bool(fl.get("conservation_area"))
        protected = bool(fl.get("listed_building")) or bool(fl.get("heritage_building"))
        parts = cert["building_parts"] or []
        main = next((p for p in parts if p.get("building_part_number") == 1),
                    parts[0] if parts else {})

        def offer(measure: str, option_id: str, quantity: float, description: str,
                  requires: tuple[str, ...] = (), _pid: str = pid) -> None:
            if allowed is not None and measure not in allowed:
                return
            options.append(MeasureOption(_pid, measure, option_id,
                                         cat.cost(measure, quantity), description, requires))

        def reject(measure: str, reason: str, _pid: str = pid) -> None:
            if allowed is None or measure in allowed:
                rejections.append(Rejection(_pid, measure, reason))

        _walls(row, cert, main, conservation, protected, float(wall_area[i]), offer, reject)
        _roof(main, float(roof_area[i]), offer, reject)
        if floor_area[i] > 0 and main.get("floor_heat_loss") in ("1", "7"):
            offer("floor_insulation", "floor_insulation:100mm", float(floor_area[i]),
                  "100 mm floor insulation")
        else:
            reject("floor_insulation", "no uninsulated ground or exposed floor")
        if (row.get("draughtproofed_percent") or 0.0) < 100.0:
            offer("draught_proofing", "draught_proofing:100pct", 1, "draught-proof all "
                  "windows and doors")
        else:
            reject("draught_proofing", "already fully draught-proofed")
        _glazing(float(single_glazed[i]), conservation, protected, offer, reject)
        _lighting(bool(lights_missing[i]), int(non_led[i]), offer, reject)
        _hot_water(row, offer, reject)
        _heating(row, cert, protected, offer, reject)
        if row.get("secondary_code") is not None:
            offer("secondary_heating_removal", "secondary_heating_removal", 1,
                  "remove secondary heaters")
        else:
            reject("secondary_heating_removal", "no secondary heating")
        _pv(bool(has_pv[i]), solar_rows.get(pid), float(pv_kwp[i]), offer, reject)
    return options, rejections


def _walls(row: dict[str, Any], cert: dict[str, Any], main: dict[str, Any], conservation: bool,
           protected: bool, area: float, offer: Any, reject: Any) -> None:
    construction = main.get("wall_construction")
    wall_types = group_members(exclusive_group("cavity_wall_fill"))  # the walls group
    if main.get("wall_insulation_type") != AS_BUILT or area <= 0:
        for m in wall_types:
            reject(m, "walls not as built (already insulated or unknown)")
        return
    needs = (("mechanical_ventilation",) if row.get("ventilation_type") in NATURAL_VENTILATION
             else ())
    if needs:
        offer("mechanical_ventilation", "mechanical_ventilation:mev_dc", 1,
              "decentralised mechanical extract ventilation (needed with wall insulation)")
    if construction == CAVITY:
        offer("cavity_wall_fill", "cavity_wall_fill:100mm", area, "fill the cavity walls",
              needs)
        reject("internal_wall_insulation", "cavity wall: cavity fill only")
        reject("external_wall_insulation", "cavity wall: cavity fill only")
        return
    reject("cavity_wall_fill", "not a cavity wall")
    if construction in STONE_OR_COB:
        reason = f"{STONE_OR_COB[construction]} wall: no wall insulation"
        reject("internal_wall_insulation", reason)
        reject("external_wall_insulation", reason)
        return
    if construction not in (SOLID_BRICK, SYSTEM_BUILT, TIMBER):
        reject("internal_wall_insulation", f"wall construction {construction}: not offered")
        reject("external_wall_insulation", f"wall construction {construction}: not offered")
        return
    if protected:
        reason = "listed building: no external or internal wall insulation"
        reject("internal_wall_insulation", reason)
        reject("external_wall_insulation", reason)
        return
    offer("internal_wall_insulation", "internal_wall_insulation:100mm", area,
          "100 mm internal wall insulation", needs)
    if construction == TIMBER:
        reject("external_wall_insulation", "timber frame: internal insulation only")
    elif conservation:
        reject("external_wall_insulation", "conservation area: no external wall insulation")
    elif cert.get("property_type") in FLATS:
        reject("external_wall_insulation", "flat: no external wall insulation")
    else:
        offer("external_wall_insulation", "external_wall_insulation:100mm", area,
              "100 mm external wall insulation", needs)


def _roof(main: dict[str, Any], area: float, offer: Any, reject: Any) -> None:
    roof = main.get("roof_construction")
    kinds = {"4": "loft_insulation", "8": "sloping_ceiling_insulation",
             "1": "flat_roof_insulation"}
    measure = kinds.get(roof or "")
    for m in group_members(exclusive_group("loft_insulation")):  # the roof group
        if m != measure:
            reject(m, f"roof type {roof}: not this roof measure")
    if measure is None:
        return
    thickness = _mm(main.get("roof_insulation_thickness"))
    if area <= 0 or (measure == "loft_insulation" and thickness is not None
                     and thickness > LOW_LOFT_MM):
        reject(measure, "roof already insulated")
        return
    label = {"loft_insulation": "300 mm loft insulation",
             "sloping_ceiling_insulation": "100 mm insulation at the rafters",
             "flat_roof_insulation": "200 mm flat roof insulation"}[measure]
    offer(measure, f"{measure}:{label.split()[0]}mm", area, label)


def _single_glazed_area(inputs: pa.Table) -> np.ndarray:
    """Per row, the area of windows and roof windows (kinds 2, 3) with U at or above the
    single-glazing threshold."""
    lists, values, parent = ov._list_items(inputs, "openings")
    hit = np.isin(ov._ints(values.field("kind")), (2, 3)) & (
        ov._floats(values.field("u_value")) >= ov.SINGLE_GLAZING_U)
    area = np.where(hit, ov._floats(values.field("area_m2")), 0.0)
    return np.bincount(parent, area, minlength=len(lists))


def _non_led_bulbs(inputs: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """Per row: no fixed-lighting data at all, and the number of outlets below LED efficacy."""
    lists, values, parent = ov._list_items(inputs, "fixed_lighting")
    missing = np.asarray(lists.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    below = ov._floats(values.field("efficacy_lm_per_w")) < ov.LED_EFFICACY
    count = np.where(below, ov._ints(values.field("count")), 0)
    return missing, np.bincount(parent, count, minlength=len(lists)).astype(np.int64)


def _glazing(single: float, conservation: bool, protected: bool, offer: Any,
             reject: Any) -> None:
    if single <= 0:
        reject("double_glazing", "no single-glazed windows")
        reject("secondary_glazing", "no single-glazed windows")
    elif conservation or protected:
        reject("double_glazing", "conservation area or listed/heritage building: secondary "
               "glazing only")
        offer("secondary_glazing", "secondary_glazing", single, "secondary glazing on "
              "single-glazed windows")
    else:
        offer("double_glazing", "double_glazing", single, "double glazing replacing "
              "single-glazed windows")
        reject("secondary_glazing", "double glazing allowed")


def _lighting(missing: bool, count: int, offer: Any, reject: Any) -> None:
    if missing:
        offer("led_lighting", "led_lighting", 10, "LED fixed lighting throughout")
        return
    if count:
        offer("led_lighting", "led_lighting", count, f"{count} bulbs to LED")
    else:
        reject("led_lighting", "all fixed lighting already LED")


def _hot_water(row: dict[str, Any], offer: Any, reject: Any) -> None:
    if row.get("hot_water_delivery") != 3:
        reject("cylinder_insulation", "no hot water cylinder")
    elif (row.get("cylinder_insulation_type") == 1 and (row.get("cylinder_insulation_mm")
                                                         or 0) >= ov.CYLINDER_INSULATION_MM
          and row.get("cylinder_thermostat") is not False):
        reject("cylinder_insulation", "cylinder already well insulated with a thermostat")
    else:
        mm = ov.CYLINDER_INSULATION_MM
        offer("cylinder_insulation", f"cylinder_insulation:{mm:g}mm", 1,
              f"{mm:g} mm cylinder insulation and a cylinder thermostat")


def _heating(row: dict[str, Any], cert: dict[str, Any], protected: bool, offer: Any,
             reject: Any) -> None:
    code = row.get("main1_code")
    fuel = row.get("main1_fuel")
    is_hp = code in ov.HEAT_PUMP_CODES or row.get("main1_category") in (4, 5)
    if is_hp:
        reject("air_source_heat_pump", "already a heat pump")
    elif cert.get("property_type") not in HOUSES:
        reject("air_source_heat_pump", "not a house or bungalow")
    elif protected:
        reject("air_source_heat_pump", "listed or heritage building: no heat pump")
    elif row.get("secondary_code") is not None:
        # SAP 10.2 Table 11 has no secondary fraction for a heat pump main (spec/tables/
        # sap10_2_table11_secondary_fraction.csv): the heat pump heats the whole dwelling and
        # the secondary heaters go (decision 0011), costed as their own measure
        offer("air_source_heat_pump", "air_source_heat_pump", 1,
              "air source heat pump with radiators and a cylinder (secondary heaters removed)",
              ("secondary_heating_removal",))
    else:
        offer("air_source_heat_pump", "air_source_heat_pump", 1,
              "air source heat pump with radiators and a cylinder")
    if code is not None and 401 <= code <= 409 and code != 409:
        offer("high_heat_retention_storage_heaters", "high_heat_retention_storage_heaters", 1,
              "high heat retention storage heaters")
    elif fuel == 30 and code is not None and not is_hp and code != 409:
        offer("high_heat_retention_storage_heaters", "high_heat_retention_storage_heaters", 1,
              "high heat retention storage heaters")
    else:
        reject("high_heat_retention_storage_heaters", "not electrically heated (or already "
               "HHR storage)")
    boiler = code is not None and 100 <= code < 200
    if fuel == 1 and boiler and code not in (102, 104):
        offer("condensing_gas_boiler", "condensing_gas_boiler", 1, "condensing gas combi boiler")
    else:
        reject("condensing_gas_boiler", "not a non-condensing mains gas boiler")
    if boiler and row.get("main1_control") not in (2106, 2108, 2109, 2110, 2112):
        offer("heating_controls", "heating_controls", 1,
              "programmer, room thermostat and TRVs")
    else:
        reject("heating_controls", "no boiler or controls already good")


def _pv(has_pv: bool, solar: dict[str, Any] | None, kwp: float, offer: Any,
        reject: Any) -> None:
    """``kwp``: PV_KWP_PER_M2 x the dwelling's own roof area, rounded to 0.01 kWp."""
    if has_pv:
        reject("solar_pv", "already has PV")
        return
    if kwp <= 0:
        reject("solar_pv", "no roof of its own")
        return
    orientation, tilt = 5, 30.0
    if solar is not None:
        orientation = _snap_orientation(float(solar["azimuth_deg"]))
        tilt = float(np.round(float(solar["pitch_deg"])))
    offer("solar_pv", f"solar_pv:{kwp:.2f}kWp:o{orientation}:t{tilt:g}", kwp,
          f"{kwp:.2f} kWp solar PV")
