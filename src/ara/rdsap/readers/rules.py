"""The register's lodgement rules that concern the fields the readers read.

Source: ``shared/vectors/epb-register-api/domestic_lodgement_rules.md`` (communitiesuk/
epb-register-api) and the XSD ranges (``Percentage`` 0-100, ``Count`` >= 0, ``ExtensionsCount``
0-4). Each violation is reported with the rule's code, against the column it concerns.

Adaptations, because a reader sees certificates long after lodgement:

* DATES_IN_RANGE ("not in the future and not more than 18 months ago" at lodgement) becomes:
  no date after today, and the inspection no more than 18 months before the registration.
* Rules on elements the readers do not keep (improvements, related party, addendum numbers,
  special features, cooling, declared efficiencies) are not checked.
* SUPPLY_HEATING_INDEX_NUMBER_OR_CODE ("exactly one of ...") is not checked: the register marks
  it not implemented, and its own sample certificates lodge both.
* UNSUPPORTED_FUEL_TYPE is checked after the legacy fuel codes that have an RdSAP 10
  equivalent were translated (``code_mapping``), so only 11, 12 and 13 remain errors.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import TYPE_CHECKING, Any

from ara.sap.tables import read_table

if TYPE_CHECKING:
    from ara.rdsap.readers.mapping import Context

__all__ = ["check_lodgement_rules", "check_summary_rules"]

_PERCENT_COLUMNS = ("percent_draughtproofed", "multiple_glazed_proportion",
                    "low_energy_lighting_percent", "pv_percent_roof_area")
_COUNT_COLUMNS = ("habitable_room_count", "heated_room_count", "door_count",
                  "insulated_door_count", "draughtproofed_door_count", "open_chimneys_count",
                  "blocked_chimneys_count", "open_flues_count", "closed_flues_count",
                  "boilers_flues_count", "other_flues_count", "extract_fans_count", "psv_count",
                  "flueless_gas_fires_count", "wind_turbines_count", "pv_battery_count",
                  "led_fixed_lighting_bulbs_count", "cfl_fixed_lighting_bulbs_count",
                  "low_energy_fixed_lighting_bulbs_count",
                  "incandescent_fixed_lighting_bulbs_count", "fixed_lighting_outlets_count",
                  "low_energy_fixed_lighting_outlets_count", "number_baths", "wet_rooms_count")
_LEGACY_FUELS = {"11": "waste combustion", "12": "biomass", "13": "biogas - landfill",
                 "1": "mains gas", "2": "LPG", "4": "oil", "10": "electricity",
                 "14": "house coal"}
_FLUE_FUELS = frozenset({"17", "18", "26", "27", "28", "34", "35", "36", "37", "51"})
_EMITTER_FUELS = frozenset({"3", "17", "18", "19", "26", "27", "28", "29", "34", "35", "36",
                            "37"})
_SINGLE_METER_FORBIDDEN = frozenset({"401", "402", "404", "408", "409", "421", "422"})
_COUNTRIES = frozenset({"ENG", "WLS", "EAW", "NIR"})


@cache
def _heating_code_fuels() -> tuple[tuple[int, int, str, frozenset[str]], ...]:
    """(first code, last code, group, the lodged fuels it burns) per row of
    ``spec/tables/sap10_2_heating_code_fuel_families.csv``."""
    return tuple((int(r["code_from"]), int(r["code_to"]), r["group"],
                  frozenset(r["fuels"].split()))
                 for r in read_table("sap10_2_heating_code_fuel_families.csv"))


def _months_before(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31,
            30, 31, 31, 30, 31, 30, 31][month - 1]
    return dt.date(year, month, min(day.day, last))


def _check_dates(row: dict[str, Any], ctx: Context, today: dt.date) -> None:
    inspection = row.get("inspection_date")
    completion = row.get("completion_date")
    registration = row.get("registration_date")
    for name in ("inspection_date", "completion_date", "registration_date"):
        day = row.get(name)
        if day is not None and day > today:
            ctx.fail(name, f"DATES_IN_RANGE: {day.isoformat()} is in the future")
    if inspection and completion and completion < inspection:
        ctx.fail("completion_date", "INSPECTION_DATE_LATER_THAN_COMPLETION_DATE: completion "
                 f"{completion.isoformat()} is before inspection {inspection.isoformat()}")
    if completion and registration and completion > registration:
        ctx.fail("completion_date", "COMPLETION_DATE_LATER_THAN_REGISTRATION_DATE: completion "
                 f"{completion.isoformat()} is after registration {registration.isoformat()}")
    if inspection and registration and inspection < _months_before(registration, 18):
        ctx.fail("inspection_date", f"DATES_IN_RANGE: inspection {inspection.isoformat()} is "
                 f"more than 18 months before registration {registration.isoformat()}")


def _check_results(row: dict[str, Any], ctx: Context) -> None:
    for name in ("energy_rating_current", "energy_rating_potential",
                 "environmental_impact_current", "environmental_impact_potential"):
        rating = row.get(name)
        if rating is not None and rating <= 0:
            ctx.fail(name, f"RATINGS_MUST_BE_POSITIVE: {rating} is not greater than 0")
    for name in ("co2_emissions_current_kg_per_yr", "co2_emissions_potential_kg_per_yr"):
        kg = row.get(name)
        if kg is not None and not -100_000 <= kg <= 300_000:
            ctx.fail(name, f"CO2_EMISSIONS_RANGE: {kg / 1000:g} t/yr is outside -100..300")
    per_m2 = row.get("co2_emissions_current_kg_per_m2_yr")
    if per_m2 is not None and not -100 <= per_m2 <= 450:
        ctx.fail("co2_emissions_current_kg_per_m2_yr",
                 f"CO2_EMISSIONS_PER_FLOOR_AREA_RANGE: {per_m2:g} is outside -100..450")


def _check_rooms(row: dict[str, Any], ctx: Context) -> None:
    habitable = row.get("habitable_room_count")
    heated = row.get("heated_room_count")
    if habitable is not None and habitable < 1:
        ctx.fail("habitable_room_count",
                 f"MUST_HAVE_HABITABLE_ROOMS: {habitable} is less than 1")
    if habitable is not None and heated is not None and heated > habitable:
        ctx.fail("heated_room_count", f"TOO_MANY_HEATED_ROOMS: {heated} heated rooms but "
                 f"{habitable} habitable rooms")


def check_summary_rules(row: dict[str, Any], ctx: Context, today: dt.date | None = None
                        ) -> None:
    """The rules a summary (CSV) row can be checked against: dates, lodged results, rooms,
    percentages and counts."""
    _check_dates(row, ctx, today or dt.date.today())
    _check_results(row, ctx)
    _check_rooms(row, ctx)
    _check_ranges(row, ctx)


def _check_ranges(row: dict[str, Any], ctx: Context) -> None:
    for name in _PERCENT_COLUMNS:
        value = row.get(name)
        if value is not None and not 0 <= value <= 100:
            ctx.fail(name, f"XSD Percentage: {value} is outside 0..100")
    for name in _COUNT_COLUMNS:
        value = row.get(name)
        if value is not None and value < 0:
            ctx.fail(name, f"XSD Count: {value} is negative")
    extensions = row.get("extensions_count")
    if extensions is not None and not 0 <= extensions <= 4:
        ctx.fail("extensions_count", f"XSD ExtensionsCount: {extensions} is outside 0..4")


def _check_floor_dimensions(part: dict[str, Any], path: str, ctx: Context) -> float:
    perimeter_sum = 0.0
    dimensions = part.get("floor_dimensions") or []
    for j, dim in enumerate(dimensions):
        where = f"{path}.floor_dimensions[{j}]"
        area = dim.get("total_floor_area_m2")
        if area is not None and not 0 < area <= 3000:
            ctx.fail(f"{where}.total_floor_area_m2",
                     f"SAP_FLOOR_AREA_RANGE: {area:g} m2 is outside (0, 3000]")
        height = dim.get("room_height_m")
        if height is not None and height <= 0:
            ctx.fail(f"{where}.room_height_m", f"ROOM_TOO_LOW: {height:g} m is not above 0")
        elif height is not None and height > 10:
            ctx.fail(f"{where}.room_height_m", f"ROOM_TOO_HIGH: {height:g} m is above 10 m")
        perimeter = dim.get("heat_loss_perimeter_m")
        if perimeter is not None:
            perimeter_sum += perimeter
            if perimeter <= 0:
                ctx.fail(f"{where}.heat_loss_perimeter_m",
                         f"HEAT_LOSS_PERIMITER_TOO_LOW: {perimeter:g} m is not above 0")
        if dim.get("floor") == "NR":
            ctx.fail(f"{where}.floor", "DO_NOT_USE_NR_VALUE: Floor is NR")
    if dimensions and not any(dim.get("floor") == "0" for dim in dimensions):
        ctx.fail(f"{path}.floor_dimensions",
                 "FLOOR_MUST_BE_ZERO_FOR_BUILDING_PART: no SAP-Floor-Dimension with Floor 0")
    return perimeter_sum


def _check_walls(wall: dict[str, Any], path: str, ctx: Context, corridor: Any) -> None:
    if wall.get("wall_insulation_type") == "2" and wall.get("wall_construction") not in (
            None, "4"):
        ctx.fail(f"{path}.wall_insulation_type", "ONLY_CAVITY_WALLS_SUPPORT_CAVITY_INSULATION: "
                 f"filled cavity on wall construction {wall.get('wall_construction')}")
    u_value = wall.get("wall_u_value")
    if u_value is not None and u_value > 2.5:
        ctx.fail(f"{path}.wall_u_value", f"WALL_U_VALUE_TOO_HIGH: {u_value:g} is above 2.5")
    if u_value is not None and wall.get("wall_insulation_thickness") is not None:
        ctx.fail(f"{path}.wall_u_value", "SUPPLY_WALL_U_VALUE_OR_INSULATION_THICKNESS: both "
                 "Wall-U-Value and Wall-Insulation-Thickness supplied")
    if wall.get("wall_thickness_measured") and wall.get("wall_thickness_mm") is None:
        ctx.fail(f"{path}.wall_thickness_mm", "SUPPLY_WALL_THICKNESS: Wall-Thickness-Measured "
                 "is Y but no Wall-Thickness")
    if "wall_area_m2" in wall:
        area = wall.get("wall_area_m2")
        if area is not None and area <= 0:
            ctx.fail(f"{path}.wall_area_m2", f"WALL_AREA_MUST_BE_POSITIVE: {area:g}")
        if wall.get("sheltered_wall") and corridor != "2":
            ctx.fail(f"{path}.sheltered_wall", "CORRIDOR_MUST_BE_UNHEATED_FOR_SHELTERED_WALL: "
                     f"sheltered wall but Heat-Loss-Corridor is {corridor}")


def _check_roof(part: dict[str, Any], path: str, ctx: Context, extensions: Any) -> None:
    roof = part.get("roof_construction")
    location = part.get("roof_insulation_location")
    checks = (
        (location == "5" and roof not in (None, "4", "5", "6"),
         "ROOF_CONSTRUCTION_MUST_BE_PITCHED", "insulation location 5 (none)"),
        (location == "6" and roof not in (None, "1"),
         "ROOF_CONSTRUCTION_MUST_BE_FLAT", "insulation location 6 (flat roof)"),
        (roof == "1" and location not in (None, "4", "6"),
         "ROOF_INSULATION_INVALID_FOR_FLAT_ROOF", f"flat roof with insulation location "
                                                  f"{location}"),
        (location == "7" and roof not in (None, "8"),
         "INVALID_ROOF_CONSTRUCTION_FOR_SLOPING_CEILING_INSULATION",
         "sloping ceiling insulation"),
        (roof == "8" and location not in (None, "4", "7"),
         "INVALID_INSULATION_LOCATION_FOR_SLOPING_CEILING_ROOF_CONSTRUCTION",
         f"sloping ceiling roof with insulation location {location}"),
        (part.get("room_in_roof") is not None and roof == "3",
         "INVALID_CONSTRUCTION_FOR_ROOM_IN_ROOF", "room in roof under another dwelling"),
        (extensions == 0 and roof == "7",
         "INVALID_VALUES_FOR_EXTENSIONS", "same dwelling above but no extensions"),
    )
    for bad, code, what in checks:
        if bad:
            ctx.fail(f"{path}.roof_construction", f"{code}: {what} (Roof-Construction {roof})")
    given = [name for name in ("roof_u_value", "roof_insulation_thickness",
                               "rafter_insulation_thickness", "flat_roof_insulation_thickness",
                               "sloping_ceiling_insulation_thickness")
             if part.get(name) is not None]
    if len(given) > 1:
        ctx.fail(f"{path}.{given[1]}", "SUPPLY_ROOF_U_VALUE_OR_INSULATION_THICKNESS: "
                 f"{', '.join(given)} all supplied")
    if roof == "1" and location == "6" and not (
            part.get("flat_roof_insulation_thickness") is not None
            or part.get("roof_u_value") is not None):
        ctx.fail(f"{path}.flat_roof_insulation_thickness", "SUPPLY_FLAT_ROOF_DATA: flat roof "
                 "insulated at the roof without Flat-Roof-Insulation-Thickness or Roof-U-Value")
    rr = part.get("room_in_roof")
    if rr is not None:
        area = rr.get("floor_area_m2")
        if area is not None and area <= 0:
            ctx.fail(f"{path}.room_in_roof.floor_area_m2",
                     f"ROOM_IN_ROOF_FLOOR_AREA_MUST_BE_POSITIVE: {area:g}")
        if rr.get("insulation") == "1":
            ctx.fail(f"{path}.room_in_roof.insulation",
                     "INVALID_ROOM_IN_ROOF_INSULATION: Insulation 1 (backwards compatibility)")


def _check_building_parts(row: dict[str, Any], ctx: Context) -> None:
    parts = row.get("building_parts") or []
    extensions = row.get("extensions_count")
    corridor = row.get("heat_loss_corridor")
    level = row.get("flat_level")
    perimeter_sum = 0.0
    for i, part in enumerate(parts):
        path = f"building_parts[{i}]"
        perimeter_sum += _check_floor_dimensions(part, path, ctx)
        _check_walls(part, path, ctx, corridor)
        for k, wall in enumerate(part.get("alternative_walls") or []):
            _check_walls(wall, f"{path}.alternative_walls[{k}]", ctx, corridor)
        _check_roof(part, path, ctx, extensions)
        if part.get("construction_age_band") == "NR":
            ctx.fail(f"{path}.construction_age_band", "DO_NOT_USE_NR_VALUE: age band is NR")
        if part.get("construction_age_band") == "0":
            # the ConstructionDateCode's 0 ('not applicable') serves a room in roof built
            # with its part; every building part was built at some date
            ctx.fail(f"{path}.construction_age_band", "ARA_AGE_BAND_NOT_APPLICABLE: "
                     "contradiction: a building part's Construction-Age-Band lodged as 0 "
                     "('not applicable'); a building part has a construction date (Ara's "
                     "consistency rule, not a register rule)")
        if part.get("floor_u_value") is not None and part.get(
                "floor_insulation_thickness") is not None:
            ctx.fail(f"{path}.floor_u_value", "SUPPLY_FLOOR_U_VALUE_OR_INSULATION_THICKNESS: "
                     "both Floor-U-Value and Floor-Insulation-Thickness supplied")
        heat_loss = part.get("floor_heat_loss")
        if extensions == 0 and heat_loss == "8":
            ctx.fail(f"{path}.floor_heat_loss", "INVALID_VALUES_FOR_EXTENSIONS: same dwelling "
                     "below but no extensions")
        if (level is not None and level.isdigit() and int(level) > 1
                and part.get("building_part_number") == 1 and heat_loss == "7"):
            ctx.fail(f"{path}.floor_heat_loss", "GROUND_FLOOR_HEAT_LOSS_ON_UPPER_FLOOR: ground "
                     f"floor heat loss on flat level {level}")
        for j, dim in enumerate(part.get("floor_dimensions") or []):
            if (dim.get("floor") == "0" and heat_loss in ("1", "2", "7")
                    and (dim.get("floor_construction") is None
                         or dim.get("floor_insulation") is None)):
                ctx.fail(f"{path}.floor_dimensions[{j}].floor_construction",
                         "SUPPLY_GROUND_FLOOR_CONSTRUCTION_INSULATION: lowest floor with heat "
                         f"loss {heat_loss} lacks Floor-Construction or Floor-Insulation")
        rr = part.get("room_in_roof")
        if rr is not None and rr.get("roof_room_connected") and len(parts) < 2:
            ctx.fail(f"{path}.room_in_roof.roof_room_connected", "SUPPLY_MULTIPLE_BUILDING_PARTS:"
                     " roof room connected to another part but only one part lodged")
    if row.get("built_form") == "1" and parts and perimeter_sum < 5:
        ctx.fail("building_parts", f"DETACHED_HOUSE_HEAT_LOSS: heat loss perimeters sum to "
                 f"{perimeter_sum:g} m, less than 5 m, for a detached house")


def _check_code_fuel(ctx: Context, code: str | None, fuel: str | None, field: str,
                     code_name: str, fuel_name: str) -> None:
    """Ara's consistency rule ARA_HEATING_CODE_FUEL (not a register rule): a heating code
    whose Table 4a / 4b group burns one fuel family, lodged with a fuel outside it."""
    group = next((g for g in _heating_code_fuels()
                  if code is not None and code.isdigit() and g[0] <= int(code) <= g[1]), None)
    if group is not None and fuel not in (None, *_LEGACY_FUELS) and fuel not in group[3]:
        ctx.fail(field, f"ARA_HEATING_CODE_FUEL: contradiction: {code_name} {code} "
                 f"({group[2]}) cannot burn {fuel_name} {fuel} (Ara's consistency rule, not a "
                 "register rule: spec/tables/sap10_2_heating_code_fuel_families.csv)")


def _check_heating(row: dict[str, Any], ctx: Context) -> None:
    systems = row.get("main_heating") or []
    meter = row.get("meter_type")
    _check_code_fuel(ctx, row.get("secondary_heating_type"), row.get("secondary_fuel_type"),
                     "secondary_fuel_type", "Secondary-Heating-Type", "Secondary-Fuel-Type")
    for i, system in enumerate(systems):
        path = f"main_heating[{i}]"
        control = system.get("main_heating_control")
        if control is not None and not (control.isdigit() and 2000 <= int(control) < 3000):
            ctx.fail(f"{path}.main_heating_control",
                     f"MAIN_HEATING_CONTROL_RANGE: {control} is not an integer in 2000..2999")
        category = system.get("main_heating_category")
        fuel = system.get("main_fuel_type")
        code = system.get("sap_main_heating_code")
        if category == "2" and fuel in _FLUE_FUELS and system.get("boiler_flue_type") is None:
            ctx.fail(f"{path}.boiler_flue_type", f"SUPPLY_BOILER_FLUE_TYPE: boiler on fuel "
                     f"{fuel} without Boiler-Flue-Type")
        if (category in ("3", "4", "8") or (category == "2" and fuel in _EMITTER_FUELS)) and (
                system.get("heat_emitter_type") == "0"
                and system.get("main_heating_fraction") != 0):
            ctx.fail(f"{path}.heat_emitter_type", "SUPPLY_HEAT_EMITTER_OR_HEATING_FRACTION: "
                     f"category {category} system without heat emitters")
        _check_code_fuel(ctx, code, fuel, f"{path}.main_fuel_type", "SAP-Main-Heating-Code",
                         "Main-Fuel-Type")
        if fuel == "0" and code not in (None, "310", "699"):
            ctx.fail(f"{path}.sap_main_heating_code", "INVALID_HEATING_CODE_FOR_NO_FUEL_TYPE: "
                     f"code {code} with fuel 0")
        if meter == "2" and code in _SINGLE_METER_FORBIDDEN:
            ctx.fail(f"{path}.sap_main_heating_code", f"INVALID_HEATING_FOR_SINGLE_METER: "
                     f"code {code} with a single meter")
        if code == "192" and meter not in (None, "1", "3", "5"):
            ctx.fail("meter_type", f"INVALID_METER_TYPE_FOR_HEATING_CODE_192: meter {meter}")
        if code in ("193", "195") and meter not in (None, "1", "3", "4"):
            ctx.fail("meter_type", f"INVALID_METER_TYPE_FOR_HEATING_CODE_193: meter {meter}")
        index = system.get("main_heating_index_number")
        if index is not None and not (index.isdigit() and int(index) > 0):
            ctx.fail(f"{path}.main_heating_index_number",
                     f"INVALID_MAIN_HEATING_INDEX_NUMBER: {index} is not a number above 0")
        fghrs = system.get("fghrs_index_number")
        if fghrs is not None and fghrs.isdigit() and int(fghrs) <= 0:
            ctx.fail(f"{path}.fghrs_index_number", "INVALID_FGHRS_INDEX_NUMBER: not above 0")
        _check_fuel(fuel, f"{path}.main_fuel_type", ctx)
    if len(systems) == 1:
        fraction = systems[0].get("main_heating_fraction")
        if fraction is not None and fraction != 1:
            ctx.fail("main_heating[0].main_heating_fraction",
                     f"SINGLE_MAIN_HEATING_FRACTION: {fraction:g} with one main heating system")
    first = next((s for s in systems if s.get("main_heating_number") in (1, None)), None)
    if first is not None and first.get("main_heating_category") == "1":
        if (row.get("heated_room_count") or 0) > 0:
            ctx.fail("heated_room_count", "UNHEATED_ROOMS_MUST_HAVE_HEATING: no main heating "
                     "but heated rooms lodged")
        if any(s.get("main_heating_number") == 2 for s in systems):
            ctx.fail("main_heating", "SECOND_HEATING_SYSTEM_UNSUPPORTED: system 2 with no "
                     "system 1")
    if row.get("heated_room_count") == 0 and first is not None and first.get(
            "sap_main_heating_code") != "699":
        ctx.fail("main_heating[0].sap_main_heating_code", "MAIN_HEATING_INVALID_FOR_NO_HEATED_"
                 "ROOMS: no heated rooms but main heating code is not 699")
    water = row.get("water_heating_code")
    if water is not None and not (water.isdigit() and 900 <= int(water) < 1000):
        ctx.fail("water_heating_code",
                 f"WATER_HEATING_CODE_RANGE: {water} is not an integer in 900..999")
    if water == "903" and row.get("immersion_heating_type") in (None, "NA"):
        ctx.fail("immersion_heating_type", "SUPPLY_IMMERSION_HEATER_TYPE: water heating 903 "
                 "(immersion) with immersion type NA")
    if row.get("water_heating_fuel") == "0" and water not in (None, "953", "999"):
        ctx.fail("water_heating_code", f"INVALID_WATER_HEATING_CODE_FOR_NO_FUEL_TYPE: {water}")
    _check_fuel(row.get("water_heating_fuel"), "water_heating_fuel", ctx)
    _check_fuel(row.get("secondary_fuel_type"), "secondary_fuel_type", ctx)
    if row.get("secondary_heating_type") in ("692", "693"):
        ctx.fail("secondary_heating_type",
                 f"INVALID_SECONDARY_HEATING_TYPE: {row['secondary_heating_type']}")
    if row.get("secondary_heating_type") is not None and row.get("secondary_fuel_type") is None:
        ctx.fail("secondary_fuel_type", "SUPPLY_SECONDARY_FUEL_TYPE: secondary heating without "
                 "Secondary-Fuel-Type")


def _check_fuel(fuel: str | None, path: str, ctx: Context) -> None:
    if fuel in _LEGACY_FUELS:
        ctx.fail(path, f"UNSUPPORTED_FUEL_TYPE: legacy fuel code {fuel} "
                 f"({_LEGACY_FUELS[fuel]}) has no RdSAP 10 equivalent")


def _check_dwelling(row: dict[str, Any], ctx: Context) -> None:
    if row.get("built_form") == "NR":
        ctx.fail("built_form", "DO_NOT_USE_NR_VALUE: Built-Form is NR")
    storeys = row.get("flat_storey_count")
    if storeys is not None and storeys <= 0:
        ctx.fail("flat_storey_count", f"MUST_HAVE_STOREYS: {storeys}")
    level = row.get("flat_level")
    if level == "99":
        ctx.fail("flat_level", "UNSUPPORTED_LEVEL: Level 99")
    location = row.get("flat_location")
    if location is not None and level is not None and (location == "-1") != (level == "0"):
        ctx.fail("flat_location", f"FLAT_LOCATION_MUST_MATCH_LEVEL: Flat-Location {location} "
                 f"with Level {level}")
    if row.get("heat_loss_corridor") == "2" and not (row.get("unheated_corridor_length_m")
                                                     or 0) > 0:
        ctx.fail("unheated_corridor_length_m", "SUPPLY_UNHEATED_CORRIDOR_LENGTH: unheated "
                 "corridor without a length above 0")
    doors = row.get("door_count")
    insulated = row.get("insulated_door_count")
    if doors is not None and doors > 20:
        ctx.fail("door_count", f"INVALID_DOOR_COUNT: {doors} doors (max 20)")
    if insulated is not None and (insulated > 20 or (doors is not None and insulated > doors)):
        ctx.fail("insulated_door_count", f"INVALID_DOOR_COUNT: {insulated} insulated doors of "
                 f"{doors}")
    if insulated and not (row.get("insulated_door_u_value") or 0) > 0:
        ctx.fail("insulated_door_u_value", "SUPPLY_DOOR_U_VALUE: insulated doors without a "
                 "U-value above 0")
    windows = row.get("windows") or []
    for i, window in enumerate(windows):
        if window.get("orientation") == "9" and window.get("window_type") != "2":
            ctx.fail(f"windows[{i}].window_type", "HORIZONTAL_WINDOW_MUST_BE_ROOF_WINDOW")
    if row.get("glazed_area") in ("4", "5") and not windows:
        ctx.fail("glazed_area", "GLAZED_AREA_REQUIRES_WINDOWS: glazed area "
                 f"{row['glazed_area']} without SAP-Window")
    for i, array in enumerate(row.get("pv_arrays") or []):
        if array.get("orientation") == "ND" and array.get("pitch") not in (None, "1"):
            ctx.fail(f"pv_arrays[{i}].pitch", "INVALID_PITCH_FOR_ND_ORIENTATION")
    rooms = row.get("rooms_with_bath_and_or_shower")
    if rooms is not None and ((row.get("rooms_with_mixer_shower_no_bath") or 0)
                              + (row.get("rooms_with_bath_and_mixer_shower") or 0)) > rooms:
        ctx.fail("rooms_with_bath_and_or_shower", "TOO_MANY_BATH_OR_SHOWER_ROOMS")
    outlets = row.get("fixed_lighting_outlets_count")
    if outlets is not None and outlets <= 0:
        ctx.fail("fixed_lighting_outlets_count", "MUST_HAVE_FIXED_LIGHTING_OUTLETS: "
                 f"{outlets}")
    country = row.get("country_code")
    if country is not None and country not in _COUNTRIES:
        ctx.fail("country_code", f"INVALID_COUNTRY: {country} is not England, Wales or "
                 "Northern Ireland")


def check_lodgement_rules(row: dict[str, Any], ctx: Context, today: dt.date | None = None
                          ) -> None:
    """Check a full certificate row; each violation goes to ``ctx.fail(column, message)``."""
    check_summary_rules(row, ctx, today)
    _check_dwelling(row, ctx)
    _check_building_parts(row, ctx)
    _check_heating(row, ctx)
