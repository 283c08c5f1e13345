"""Landlord Overrides: per-property corrections of wall construction and insulation, roof
insulation, property type and built form, floor construction and insulation, glazing, main
heating system and fuel, applied over a lodged EPC as an overlay (decision D-0001).

Two ways in:

* :func:`classify_statement` reads one **statement** (an attribute and the landlord's own words
  or an RdSAP code), the form ``ara overrides import`` reads (``docs/overrides.md``). Each
  statement is *classified* (one code per override it speaks of), *vague* (it says something
  but not enough: never guessed) or *unknown* (not in the vocabulary, or an attribute the
  overlay does not cover). Only classified statements change anything.
* :func:`parse_landlord_overrides`, the older wide CSV (one row per property, a column per
  override), read by exact words; kept as it was for its callers.

Attributes (names matched without regard to case, spaces, hyphens or underscores):

=====================  ==========================================================
attribute              overrides it sets
=====================  ==========================================================
wall_construction      wall_construction (also ``wall_type``, ``construction``)
wall_insulation        wall_insulation (also ``wall_insulation_type``)
walls                  wall_construction and wall_insulation, from one description
                       (also ``wall``, ``walls_description``: the register's style,
                       "Cavity wall, filled cavity")
roof_insulation        roof_insulation (also ``loft_insulation``, ``loft``, ``roof``,
                       ``roof_description``, ``roof_insulation_thickness``)
property_type          property_type (also ``dwelling_type``, ``type``)
built_form             built_form (also ``form``)
property               property_type and built_form from one description ("mid terrace
                       house"; also ``dwelling``, ``property_description``)
floor_construction     floor_construction (also ``floor_type``)
floor_insulation       floor_insulation (also ``floor_insulation_type``)
floor                  floor_construction and floor_insulation, from one description
                       (also ``floors``, ``floor_description``: "Solid, no insulation")
glazing                glazing_type, every window (also ``glazing_type``, ``windows``,
                       ``window``, ``windows_description``)
heating                main_heating and main_fuel: a whole system and its fuel (also
                       ``main_heating``, ``heating_system``, ``mainheat_description``)
fuel                   main_fuel (also ``main_fuel``, ``main_fuel_type``, ``heating_fuel``)
=====================  ==========================================================

The vocabulary of floors, glazing, heating systems and fuels is documented in
``docs/overrides.md``; its tables are the pattern tables below (``_FLOOR_CONSTRUCTIONS``,
``_GLAZING_KINDS`` / ``_GLAZING_CODES`` / ``GLAZING_YEARS``, ``_FUELS``, ``_HEAT_PUMPS`` /
``_BOILERS``) and :data:`HEATING_SYSTEMS`, what each heating code writes. A heating override
writes a coherent system (:func:`heating_overlay`); a fuel alone is checked against the home's
heating system by the caller (:func:`fuel_contradiction`, with the fuel families of
``spec/tables/sap10_2_heating_code_fuel_families.csv``).

The vocabulary (words are matched whole, lower-cased, hyphens and punctuation read as spaces;
a bare whole number is the RdSAP code of a single-override attribute):

* **vague, for every attribute** (never guessed): "assumed", "unknown", "not known", "not
  sure", "unsure", "don't know", "no data", "not recorded", "not defined", "tbc", "to be
  confirmed", "n/a", "probably", "possibly", "maybe", "likely", "presumed", "believed", "?",
  and the RdSAP codes ``NI``/``ND`` and wall insulation code 5 (unknown); "partial", "partly",
  "limited", "some" insulation.
* **wall_construction**: "cavity" (any mention: "cavity wall", "filled cavity") -> 4; "solid
  brick", "solid", "brick" -> 3 (a brick cavity wall is a cavity); "granite", "whinstone" ->
  1; "sandstone", "limestone" -> 2; "timber", "timber frame(d)" -> 5; "basement" -> 6;
  "curtain wall" -> 7; "system built/build", "no fines", "PRC", "precast", "prefab(ricated)",
  "steel frame", "concrete panel" -> 8; "cob" -> 9; "park home" -> 10. Vague: "stone" alone
  (which stone?), "non-traditional", two constructions at once.
* **wall_insulation**: "as built", "no (wall/cavity) insulation", "uninsulated", "not
  insulated", "unfilled", "empty cavity", "cavity not filled", "none" -> 4 (as built);
  "filled cavity", "cavity filled", "cavity (wall) insulated/insulation/fill", "insulated
  cavity", "CWI", "filled" -> 2; "internal(ly)", "IWI" -> 3; "external(ly)", "EWI" -> 1;
  filled cavity with external -> 6, with internal -> 7. Vague: "insulated" or "insulation"
  without saying how, internal with external, "as built" with insulation.
* **roof_insulation**: a depth "270mm", "270 mm", "270 mm loft insulation", "27 cm", "400+
  mm", "400mm+", "4 inches" (25.4 mm each), or a bare whole number up to 1000 -> the RdSAP
  thickness at or below it (12, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 270, 300, 350,
  400mm+; below 12 mm is none); "none", "no (loft/roof) insulation", "uninsulated", "not
  insulated", "0" -> none. Vague: insulated without a depth ("insulated at rafters", "topped
  up", "full"), two different depths ("100mm topped up to 270mm": say the depth now), a bare
  number over 1000 (a year?). Unknown: "(another dwelling above)".
* **property_type**: "house" -> 0, "bungalow" -> 1, "flat", "apartment", "studio" -> 2,
  "maisonette" -> 3, "park home", "mobile home" -> 4. Vague: two types at once.
* **built_form**: "detached" -> 1; "semi detached", "semi" -> 2; "end terrace(d)", "end of
  terrace" -> 3; "mid terrace(d)", "mid of terrace", "middle terrace", "inner terrace" -> 4;
  "enclosed end terrace" -> 5; "enclosed mid terrace" -> 6; the words may carry a type after
  them ("end-terrace house"). Vague: "terrace(d)" without end or mid, "link detached".

Other words around a recognised one do not matter ("cavity wall insulated 2019"); a statement
holding no word of its attribute's vocabulary is unknown, and one holding a vague word is
vague even when it also holds a recognised one ("Solid brick, as built, no insulation
(assumed)"): the landlord is asked, never second-guessed.

This module parses text already in memory (the caller opens the file): the domain does no
I/O.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TypeVar

from ara.domain.codes import (
    BuiltForm,
    FloorConstruction,
    FloorInsulation,
    GlazingType,
    MainFuel,
    MainHeating,
    PropertyType,
    RoofInsulation,
    WallConstruction,
    WallInsulation,
)
from ara.domain.epc import (
    MAIN_HEATING_KEY,
    STOREYS_KEY,
    EpcData,
    FieldAssignment,
    JsonValue,
    OverlayScope,
    main_heating_index,
    storey_order,
)

_E = TypeVar("_E", bound=Enum)

#: Override name -> (scope, RdSAP field name written by the overlay). A glazing or heating
#: override writes more fields than this one (:meth:`LandlordOverrides.as_overlay`); this is
#: the field that holds its code.
OVERRIDE_TARGETS: dict[str, tuple[OverlayScope, str]] = {
    "property_type": (OverlayScope.DWELLING, "property_type"),
    "built_form": (OverlayScope.DWELLING, "built_form"),
    "wall_construction": (OverlayScope.MAIN_BUILDING_PART, "wall_construction"),
    "wall_insulation": (OverlayScope.MAIN_BUILDING_PART, "wall_insulation_type"),
    "roof_insulation": (OverlayScope.MAIN_BUILDING_PART, "roof_insulation_thickness"),
    "floor_construction": (OverlayScope.MAIN_PART_LOWEST_STOREY, "floor_construction"),
    "floor_insulation": (OverlayScope.MAIN_PART_LOWEST_STOREY, "floor_insulation"),
    "glazing_type": (OverlayScope.EVERY_WINDOW, "glazing_type"),
    "main_heating": (OverlayScope.MAIN_HEATING_SYSTEM, "sap_main_heating_code"),
    "main_fuel": (OverlayScope.MAIN_HEATING_SYSTEM, "main_fuel_type"),
}
OVERRIDE_FIELDS: tuple[str, ...] = tuple(OVERRIDE_TARGETS)


# ---------------------------------------------------------------------------------------------
# Heating systems an override can set (the vocabulary's table of systems)
# ---------------------------------------------------------------------------------------------

_GAS = frozenset({MainFuel.BOTTLED_LPG, MainFuel.LPG_SPECIAL_CONDITION, MainFuel.MAINS_GAS,
                  MainFuel.LPG, MainFuel.BIOGAS})
_LIQUID = frozenset({MainFuel.B30K, MainFuel.BIOETHANOL, MainFuel.OIL,
                     MainFuel.BIODIESEL_ANY_BIOMASS, MainFuel.BIODIESEL_USED_COOKING_OIL,
                     MainFuel.BIODIESEL_VEGETABLE_OIL,
                     MainFuel.MINERAL_OIL_OR_LIQUID_BIOFUEL})
_ELECTRIC = frozenset({MainFuel.ELECTRICITY})


class Water(StrEnum):
    """How a main heating system heats the dwelling's water."""

    COMBI = "combi"
    """On demand, without a store: water from the main system (901), no cylinder."""
    STORE = "store"
    """Into a cylinder: water from the main system (901); the lodged cylinder is kept (none
    lodged: Cylinder-Size 0, 'no access', the RdSAP 10 Table 29 defaults)."""
    NONE = "none"
    """It heats no water: a lodged water heater of its own is kept; water lodged as from the
    main system becomes an electric immersion (903) in a cylinder (as for STORE)."""


@dataclass(frozen=True, slots=True)
class HeatingSystem:
    """What a heating override writes: one row of :data:`HEATING_SYSTEMS`."""

    code: MainHeating
    category: int
    """SAP-MainHeatingCategoryCode (2 boiler, 4 heat pump with radiators or underfloor,
    7 electric storage, 10 room heaters): the group of its Table 4a / 4b row."""
    fuels: frozenset[MainFuel]
    """The fuels it can burn: its group's row of
    ``spec/tables/sap10_2_heating_code_fuel_families.csv`` (electricity for an electric heat
    pump, which that table does not list)."""
    default_fuel: MainFuel | None
    """The fuel when the words name none; None: they must (a combi may burn gas, LPG or oil)."""
    water: Water
    wet: bool
    """Radiators or underfloor heating: the lodged emitter and pump are kept (radiators when
    none is lodged)."""
    control_group: int
    """Its SAP 10.2 Table 4e group (21 boilers, 22 heat pumps, 24 storage, 26 room
    heaters): a lodged control of that group is kept."""
    control: int
    """The Table 4e control written when the lodged one is of another group: the group's
    least (no thermostatic control), so no control is overstated; high heat retention storage
    heaters always have their own (2404)."""
    boiler: bool = False
    """A condensing boiler: automatic ignition, room-sealed fan-assisted flue."""
    off_peak: bool = False
    """Charged off-peak: a single-rate meter lodged becomes a dual meter (Meter-Type 1)."""


#: SAP code -> the system an override writes (category, fuels, water, controls).
HEATING_SYSTEMS: dict[MainHeating, HeatingSystem] = {s.code: s for s in (
    HeatingSystem(MainHeating.REGULAR_CONDENSING_BOILER_GAS, 2, _GAS, None, Water.STORE, True,
                  21, 2101, boiler=True),
    HeatingSystem(MainHeating.CONDENSING_COMBI_GAS, 2, _GAS, None, Water.COMBI, True, 21, 2101,
                  boiler=True),
    HeatingSystem(MainHeating.REGULAR_CONDENSING_BOILER_OIL, 2, _LIQUID, None, Water.STORE,
                  True, 21, 2101, boiler=True),
    HeatingSystem(MainHeating.CONDENSING_COMBI_OIL, 2, _LIQUID, None, Water.COMBI, True, 21,
                  2101, boiler=True),
    HeatingSystem(MainHeating.GROUND_SOURCE_HEAT_PUMP, 4, _ELECTRIC, MainFuel.ELECTRICITY,
                  Water.STORE, True, 22, 2201),
    HeatingSystem(MainHeating.AIR_SOURCE_HEAT_PUMP, 4, _ELECTRIC, MainFuel.ELECTRICITY,
                  Water.STORE, True, 22, 2201),
    HeatingSystem(MainHeating.HIGH_HEAT_RETENTION_STORAGE_HEATERS, 7, _ELECTRIC,
                  MainFuel.ELECTRICITY, Water.NONE, False, 24, 2404, off_peak=True),
    HeatingSystem(MainHeating.ELECTRIC_PANEL_CONVECTOR_OR_RADIANT_HEATERS, 10, _ELECTRIC,
                  MainFuel.ELECTRICITY, Water.NONE, False, 26, 2601),
)}

#: Water-Heating-Code: from the main system, from main system 2, an electric immersion.
WATER_FROM_MAIN, WATER_FROM_MAIN_2, IMMERSION = "901", "914", "903"
#: Immersion-Heating-Type: 1 dual.
DUAL_IMMERSION = "1"
#: Cylinder-Size: 0 no access (RdSAP 10 Table 29 defaults), 1 no cylinder.
CYLINDER_NO_ACCESS, NO_CYLINDER = "0", "1"
_CYLINDER_FIELDS = ("cylinder_size_measured_l", "cylinder_insulation_type",
                    "cylinder_insulation_thickness", "cylinder_heat_loss_kwh_per_day",
                    "cylinder_thermostat")
#: Table 4e: 'no heating system present' (group 0, though it reads like group 26); the
#: controls of high heat retention storage heaters.
NO_SYSTEM_CONTROL, HHR_CONTROL = "2699", 2404
#: Meter-Type: 1 dual, 2 single.
DUAL_METER, SINGLE_METER = "1", "2"
#: Fields of a main heating system that belong to the product it was, cleared when another
#: system is stated.
_PRODUCT_FIELDS = ("main_heating_index_number", "fghrs_index_number", "fghrs_pv_peak_power_kw",
                   "fghrs_pv_orientation", "fghrs_pv_pitch", "fghrs_pv_overshading",
                   "community_heat_network_index_number", "community_heat_sub_network_name",
                   "community_heat_distribution_type",
                   "community_heat_chp_electricity_generation", "mcs_installed_heat_pump")


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def lodged_main_heating(data: EpcData | None) -> Mapping[str, JsonValue]:
    """Main heating system 1 of the data (empty when none)."""
    systems = data.get(MAIN_HEATING_KEY) if data is not None else None
    if not isinstance(systems, tuple):
        return {}
    index = main_heating_index(systems)
    item = systems[index] if index is not None else None
    return item if isinstance(item, Mapping) else {}


def _has_cylinder(data: EpcData | None) -> bool:
    if data is None:
        return False
    size = _text(data.get("cylinder_size"))
    if size is not None:
        return size in ("0", "2", "3", "4", "5", "6")
    return data.get("has_hot_water_cylinder") is True


def heating_overlay(system: HeatingSystem, fuel: MainFuel | None,
                    data: EpcData | None) -> list[FieldAssignment]:
    """The fields a heating override writes: the system's code, category and fuel, what
    belonged to the product it replaces cleared, controls, emitter, hot water and meter made
    to agree with it (:class:`HeatingSystem`). ``data``: the lodged data (None: as if it held
    no heating system and no cylinder)."""
    lodged = lodged_main_heating(data)
    if fuel is None or fuel not in system.fuels:
        held = _code_or_none(MainFuel, lodged.get("main_fuel_type"))
        fuel = held if held in system.fuels else system.default_fuel
    heating = OverlayScope.MAIN_HEATING_SYSTEM
    dwelling = OverlayScope.DWELLING
    values: dict[str, JsonValue] = {
        "sap_main_heating_code": str(system.code.value),
        "main_heating_category": str(system.category),
        "main_heating_data_source": "2",  # SAP tables: no product record
        "has_fghrs": False, "storage_heaters": [],
        "boiler_ignition_type": "1" if system.boiler else None,
        "boiler_flue_type": "2" if system.boiler else None,
        "fan_flue_present": True if system.boiler else None,
    }
    values |= dict.fromkeys(_PRODUCT_FIELDS)
    if fuel is not None:
        values["main_fuel_type"] = str(fuel.value)
    control = _text(lodged.get("main_heating_control")) or ""
    own_group = control[:2] == str(system.control_group) and control != NO_SYSTEM_CONTROL
    if system.control == HHR_CONTROL or not own_group:
        values["main_heating_control"] = str(system.control)
    if system.wet:
        emitter = _text(lodged.get("heat_emitter_type"))
        if emitter not in ("1", "2", "3", "4"):
            values["heat_emitter_type"] = "1"
    else:
        values |= {"heat_emitter_type": None, "emitter_temperature": None,
                   "central_heating_pump_age": None}
    out = [FieldAssignment(heating, k, v) for k, v in values.items()]
    water: dict[str, JsonValue] = {}
    lodged_water = _text(data.get("water_heating_code")) if data is not None else None
    if system.water is Water.COMBI:
        water = {"water_heating_code": WATER_FROM_MAIN, "water_heating_fuel": None,
                 "immersion_heating_type": None, "cylinder_size": NO_CYLINDER,
                 "has_hot_water_cylinder": False, **dict.fromkeys(_CYLINDER_FIELDS)}
    elif system.water is Water.STORE or lodged_water in (None, WATER_FROM_MAIN,
                                                           WATER_FROM_MAIN_2):
        water = ({"water_heating_code": WATER_FROM_MAIN, "water_heating_fuel": None}
                 if system.water is Water.STORE else
                 {"water_heating_code": IMMERSION, "water_heating_fuel":
                  str(MainFuel.ELECTRICITY.value)})
        if not _has_cylinder(data):
            water |= {"cylinder_size": CYLINDER_NO_ACCESS, "has_hot_water_cylinder": True}
    if system.off_peak:
        if data is not None and _text(data.get("meter_type")) == SINGLE_METER:
            water["meter_type"] = DUAL_METER
        # an immersion on an off-peak tariff needs its kind: dual, as the retrofit measure
        # of these heaters fits (ara.modelling.overlays, decision D-0001's one code path)
        immersion = _text(data.get("immersion_heating_type")) if data is not None else None
        if water.get("water_heating_code", lodged_water) == IMMERSION \
                and immersion not in ("1", "2"):
            water["immersion_heating_type"] = DUAL_IMMERSION
    out += [FieldAssignment(dwelling, k, v) for k, v in water.items()]
    return out


def _code_or_none(kind: type[_E], value: object) -> _E | None:
    try:
        return kind(int(str(value)))
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class LandlordOverrides:
    """The corrections a landlord states for one property; None means no override."""

    wall_construction: WallConstruction | None = None
    wall_insulation: WallInsulation | None = None
    roof_insulation: RoofInsulation | None = None
    property_type: PropertyType | None = None
    built_form: BuiltForm | None = None
    floor_construction: FloorConstruction | None = None
    floor_insulation: FloorInsulation | None = None
    glazing_type: GlazingType | None = None
    main_heating: MainHeating | None = None
    main_fuel: MainFuel | None = None

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in OVERRIDE_FIELDS)

    def stated(self) -> tuple[str, ...]:
        """Names of the overrides that are set, in overlay order."""
        return tuple(name for name in OVERRIDE_FIELDS if getattr(self, name) is not None)

    def as_overlay(self, data: EpcData | None = None) -> tuple[FieldAssignment, ...]:
        """The field assignments that apply these overrides to an EPC's ``data`` (the lodged
        data: a heating override keeps what of it agrees with the new system; None: as if
        it held no heating system)."""
        out: list[FieldAssignment] = []
        storey = OverlayScope.MAIN_PART_LOWEST_STOREY
        for name in self.stated():
            scope, key = OVERRIDE_TARGETS[name]
            value = getattr(self, name)
            # certificate codes are text (``CERTIFICATE_SCHEMA``): an integer code would make
            # the certificate table refuse the whole batch
            code = str(value.value) if isinstance(value, Enum) else value
            if name == "main_heating":
                out += heating_overlay(HEATING_SYSTEMS[value], self.main_fuel, data)
            elif name == "main_fuel":
                if self.main_heating is None:
                    out.append(FieldAssignment(scope, key, code))
            elif name == "glazing_type":
                # lodged transmission data describe the old glazing: Table 24 decides now
                out += [FieldAssignment(scope, key, code)] + [
                    FieldAssignment(scope, k, None) for k in (
                        "u_value", "solar_transmittance", "transmission_data_source")]
                dwelling = OverlayScope.DWELLING
                out += [FieldAssignment(dwelling, "multiple_glazing_type", code),
                        FieldAssignment(dwelling, "multiple_glazed_proportion", 100)] + [
                    FieldAssignment(dwelling, k, None) for k in (
                        "windows_u_value", "windows_solar_transmittance",
                        "windows_data_source")]
            else:
                out.append(FieldAssignment(scope, key, code))
                if name == "floor_insulation" and value is FloorInsulation.AS_BUILT:
                    out.append(FieldAssignment(OverlayScope.MAIN_BUILDING_PART,
                                               "floor_insulation_thickness", None))
            if scope is storey and not any(a.key == "floor_u_value" for a in out):
                # a lodged floor U-value describes the floor as it was
                out.append(FieldAssignment(OverlayScope.MAIN_BUILDING_PART, "floor_u_value",
                                           None))
        return tuple(out)


NO_OVERRIDES = LandlordOverrides()

# ---------------------------------------------------------------------------------------------
# Reading values
# ---------------------------------------------------------------------------------------------

_VAGUE_WORDS = frozenset({"unknown", "assumed", "not known", "n/a", "na", "?", "tbc",
                          "dont know", "not recorded", "nr", "ni", "nd", "not defined", "-"})
_VAGUE_PARTS = ("assumed", "unknown", "not known")


def _normalise(text: str) -> str:
    text = text.strip().lower().replace("_", " ").replace("'", "")
    text = re.sub(r"[\s\-]+", " ", text)
    return text


def is_vague(text: str) -> bool:
    """True for values that state nothing (``unknown``, ``assumed`` ...)."""
    norm = _normalise(text)
    return norm in _VAGUE_WORDS or any(part in norm for part in _VAGUE_PARTS)


_WALL_CONSTRUCTION_WORDS: dict[str, WallConstruction] = {
    "cavity": WallConstruction.CAVITY, "cavity wall": WallConstruction.CAVITY,
    "solid brick": WallConstruction.SOLID_BRICK, "solid": WallConstruction.SOLID_BRICK,
    "solid wall": WallConstruction.SOLID_BRICK, "brick": WallConstruction.SOLID_BRICK,
    "granite": WallConstruction.STONE_GRANITE_OR_WHINSTONE,
    "whinstone": WallConstruction.STONE_GRANITE_OR_WHINSTONE,
    "granite or whinstone": WallConstruction.STONE_GRANITE_OR_WHINSTONE,
    "stone granite or whinstone": WallConstruction.STONE_GRANITE_OR_WHINSTONE,
    "sandstone": WallConstruction.STONE_SANDSTONE_OR_LIMESTONE,
    "limestone": WallConstruction.STONE_SANDSTONE_OR_LIMESTONE,
    "sandstone or limestone": WallConstruction.STONE_SANDSTONE_OR_LIMESTONE,
    "stone sandstone or limestone": WallConstruction.STONE_SANDSTONE_OR_LIMESTONE,
    "timber frame": WallConstruction.TIMBER_FRAME, "timber": WallConstruction.TIMBER_FRAME,
    "basement": WallConstruction.BASEMENT, "basement wall": WallConstruction.BASEMENT,
    "curtain wall": WallConstruction.CURTAIN, "curtain": WallConstruction.CURTAIN,
    "system built": WallConstruction.SYSTEM_BUILT, "system build": WallConstruction.SYSTEM_BUILT,
    "cob": WallConstruction.COB, "cob wall": WallConstruction.COB,
    "park home": WallConstruction.PARK_HOME, "park home wall": WallConstruction.PARK_HOME,
}
_WALL_INSULATION_WORDS: dict[str, WallInsulation] = {
    "as built": WallInsulation.AS_BUILT, "none": WallInsulation.AS_BUILT,
    "no insulation": WallInsulation.AS_BUILT, "uninsulated": WallInsulation.AS_BUILT,
    "filled cavity": WallInsulation.FILLED_CAVITY,
    "cavity filled": WallInsulation.FILLED_CAVITY,
    "cavity insulated": WallInsulation.FILLED_CAVITY,
    "cavity wall insulation": WallInsulation.FILLED_CAVITY,
    "cwi": WallInsulation.FILLED_CAVITY,
    "internal": WallInsulation.INTERNAL, "iwi": WallInsulation.INTERNAL,
    "internal wall insulation": WallInsulation.INTERNAL,
    "external": WallInsulation.EXTERNAL, "ewi": WallInsulation.EXTERNAL,
    "external wall insulation": WallInsulation.EXTERNAL,
    "filled cavity + external": WallInsulation.FILLED_CAVITY_AND_EXTERNAL,
    "filled cavity and external": WallInsulation.FILLED_CAVITY_AND_EXTERNAL,
    "filled cavity + internal": WallInsulation.FILLED_CAVITY_AND_INTERNAL,
    "filled cavity and internal": WallInsulation.FILLED_CAVITY_AND_INTERNAL,
}
_PROPERTY_TYPE_WORDS: dict[str, PropertyType] = {
    "house": PropertyType.HOUSE, "bungalow": PropertyType.BUNGALOW, "flat": PropertyType.FLAT,
    "maisonette": PropertyType.MAISONETTE, "park home": PropertyType.PARK_HOME,
}
_BUILT_FORM_WORDS: dict[str, BuiltForm] = {
    "detached": BuiltForm.DETACHED,
    "semi detached": BuiltForm.SEMI_DETACHED, "semi": BuiltForm.SEMI_DETACHED,
    "end terrace": BuiltForm.END_TERRACE, "end of terrace": BuiltForm.END_TERRACE,
    "end terraced": BuiltForm.END_TERRACE,
    "mid terrace": BuiltForm.MID_TERRACE, "mid terraced": BuiltForm.MID_TERRACE,
    "mid of terrace": BuiltForm.MID_TERRACE,
    "enclosed end terrace": BuiltForm.ENCLOSED_END_TERRACE,
    "enclosed mid terrace": BuiltForm.ENCLOSED_MID_TERRACE,
}

_ROOF_THICKNESSES_MM: tuple[tuple[int, RoofInsulation], ...] = tuple(
    (int(member.value.removesuffix("mm").removesuffix("mm+")), member)
    for member in RoofInsulation if member is not RoofInsulation.NONE
)
_ROOF_NONE_WORDS = frozenset({"none", "no insulation", "uninsulated", "0", "0mm", "0 mm",
                              "nil"})
_ROOF_MM_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(?:mm)?\s*(\+)?$")


class OverrideValueError(ValueError):
    """A value that is neither vague nor readable as the override it stands in."""


def _read_coded(text: str, words: dict[str, Enum], codes: type[Enum]) -> Enum:
    norm = _normalise(text)
    if norm in words:
        return words[norm]
    try:
        return codes(int(norm)) if issubclass(codes, int) else codes(norm)
    except ValueError:
        pass
    raise OverrideValueError(f"cannot read {text!r} as {codes.__name__} "
                             f"(words: {', '.join(sorted(words))}; or an RdSAP code)")


def read_roof_insulation(text: str) -> RoofInsulation:
    """``none``/``0`` -> 0; ``270mm``, ``270 mm``, ``270`` -> 270mm; ``400mm+`` or any depth
    of 400 mm or more -> 400mm+. A depth between two RdSAP steps is taken down to the lower
    step (RdSAP lists thicknesses, it does not interpolate), so no depth is overstated."""
    norm = _normalise(text)
    if norm in _ROOF_NONE_WORDS:
        return RoofInsulation.NONE
    match = _ROOF_MM_RE.match(norm.replace(" ", ""))
    if not match:
        raise OverrideValueError(f"cannot read {text!r} as a roof insulation depth in mm")
    depth = float(match.group(1))
    if depth <= 0:
        return RoofInsulation.NONE
    chosen = None
    for mm, member in _ROOF_THICKNESSES_MM:
        if depth >= mm:
            chosen = member
    if chosen is None:
        return RoofInsulation.NONE
    return chosen


def read_override_value(name: str, text: str) -> Enum:
    """The typed override ``name`` stated by ``text`` (which must not be vague)."""
    if name == "wall_construction":
        return _read_coded(text, dict(_WALL_CONSTRUCTION_WORDS), WallConstruction)
    if name == "wall_insulation":
        return _read_coded(text, dict(_WALL_INSULATION_WORDS), WallInsulation)
    if name == "property_type":
        return _read_coded(text, dict(_PROPERTY_TYPE_WORDS), PropertyType)
    if name == "built_form":
        return _read_coded(text, dict(_BUILT_FORM_WORDS), BuiltForm)
    if name == "roof_insulation":
        return read_roof_insulation(text)
    raise KeyError(f"unknown override {name!r}; known: {', '.join(OVERRIDE_FIELDS)}")


def _typed(value: Enum | None, kind: type[_E]) -> _E | None:
    if value is None:
        return None
    if not isinstance(value, kind):
        raise TypeError(f"{value!r} is not a {kind.__name__}")
    return value


def overrides_from_values(values: Mapping[str, Enum]) -> LandlordOverrides:
    """LandlordOverrides from typed values keyed by override name."""
    unknown = set(values) - set(OVERRIDE_FIELDS)
    if unknown:
        raise KeyError(f"unknown overrides {sorted(unknown)}")
    return LandlordOverrides(
        wall_construction=_typed(values.get("wall_construction"), WallConstruction),
        wall_insulation=_typed(values.get("wall_insulation"), WallInsulation),
        roof_insulation=_typed(values.get("roof_insulation"), RoofInsulation),
        property_type=_typed(values.get("property_type"), PropertyType),
        built_form=_typed(values.get("built_form"), BuiltForm),
        floor_construction=_typed(values.get("floor_construction"), FloorConstruction),
        floor_insulation=_typed(values.get("floor_insulation"), FloorInsulation),
        glazing_type=_typed(values.get("glazing_type"), GlazingType),
        main_heating=_typed(values.get("main_heating"), MainHeating),
        main_fuel=_typed(values.get("main_fuel"), MainFuel),
    )


# ---------------------------------------------------------------------------------------------
# Reading a landlord's CSV
# ---------------------------------------------------------------------------------------------

KEY_COLUMNS: tuple[str, ...] = ("uprn", "landlord_reference")
#: The columns of the older wide CSV (read by exact words, :func:`read_override_value`).
_WIDE_CSV_FIELDS = ("wall_construction", "wall_insulation", "roof_insulation", "property_type",
                    "built_form")


@dataclass(frozen=True, slots=True)
class OverrideRow:
    """One property's overrides as read from the CSV, with what was said for each."""

    line: int
    uprn: int | None
    landlord_reference: str | None
    overrides: LandlordOverrides
    raw_values: tuple[tuple[str, str], ...]
    """(override name, text as written) for each override that produced an overlay."""
    ignored: tuple[tuple[str, str], ...]
    """(override name, text) of each vague value: no overlay."""


@dataclass(frozen=True, slots=True)
class OverrideProblem:
    line: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column} ({self.value!r}): {self.message}"


@dataclass(frozen=True, slots=True)
class LandlordOverridesFile:
    rows: tuple[OverrideRow, ...]
    problems: tuple[OverrideProblem, ...]


def parse_landlord_overrides(lines: Iterable[str]) -> LandlordOverridesFile:
    """Read a landlord's overrides CSV from its lines (header first). Column names are
    matched case-insensitively, ignoring spaces and hyphens. Rows with problems are left out
    of ``rows`` and every problem is listed: the caller decides whether to stop."""
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        return LandlordOverridesFile((), (OverrideProblem(1, "", "", "empty file"),))
    columns = [_normalise(h).replace(" ", "_") for h in header]
    if not any(k in columns for k in KEY_COLUMNS):
        return LandlordOverridesFile((), (OverrideProblem(
            1, "", ",".join(header), f"no key column: need one of {', '.join(KEY_COLUMNS)}"),))
    rows: list[OverrideRow] = []
    problems: list[OverrideProblem] = []
    for line, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = dict(zip(columns, record, strict=False))
        row_problems: list[OverrideProblem] = []
        uprn: int | None = None
        uprn_text = cells.get("uprn", "").strip()
        if uprn_text:
            try:
                uprn = int(uprn_text)
            except ValueError:
                row_problems.append(OverrideProblem(line, "uprn", uprn_text, "not an integer"))
        reference = cells.get("landlord_reference", "").strip() or None
        if uprn is None and reference is None and not row_problems:
            row_problems.append(OverrideProblem(line, "", "", "row has no uprn and no "
                                                "landlord_reference"))
        values: dict[str, Enum] = {}
        raw: list[tuple[str, str]] = []
        ignored: list[tuple[str, str]] = []
        for name in _WIDE_CSV_FIELDS:
            text = cells.get(name, "").strip()
            if not text:
                continue
            if is_vague(text):
                ignored.append((name, text))
                continue
            try:
                values[name] = read_override_value(name, text)
                raw.append((name, text))
            except OverrideValueError as exc:
                row_problems.append(OverrideProblem(line, name, text, str(exc)))
        if row_problems:
            problems += row_problems
            continue
        rows.append(OverrideRow(line, uprn, reference, overrides_from_values(values),
                                tuple(raw), tuple(ignored)))
    return LandlordOverridesFile(tuple(rows), tuple(problems))


# ---------------------------------------------------------------------------------------------
# Classifying a landlord's statements (the vocabulary of the module docstring)
# ---------------------------------------------------------------------------------------------

class Reading(StrEnum):
    """How a statement was read."""

    CLASSIFIED = "classified"
    """Every override it speaks of has one code: it is applied."""
    VAGUE = "vague"
    """It says something, but not enough to pick a code: listed for review, changes nothing."""
    UNKNOWN = "unknown"
    """Not in the vocabulary, or an attribute the overlay does not cover: changes nothing."""


@dataclass(frozen=True, slots=True)
class Classification:
    """What one statement says: its reading, the codes it gives (classified only) and why
    not (vague or unknown)."""

    reading: Reading
    values: tuple[tuple[str, Enum], ...] = ()
    """(override name, code) of a classified statement, in overlay order."""
    reason: str = ""

    @property
    def classified(self) -> bool:
        return self.reading is Reading.CLASSIFIED


#: Attribute names a statement may use (normalised by :func:`attribute_key`) -> the overrides
#: it sets.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("wall_construction", "wall_type", "walls_construction", "construction"),
                    ("wall_construction",)),
    **dict.fromkeys(("wall_insulation", "wall_insulation_type", "walls_insulation"),
                    ("wall_insulation",)),
    **dict.fromkeys(("walls", "wall", "walls_description", "wall_description"),
                    ("wall_construction", "wall_insulation")),
    **dict.fromkeys(("roof_insulation", "loft_insulation", "loft", "roof", "roof_description",
                     "roof_insulation_thickness", "loft_insulation_thickness",
                     "loft_insulation_depth"), ("roof_insulation",)),
    **dict.fromkeys(("property_type", "dwelling_type", "type"), ("property_type",)),
    **dict.fromkeys(("built_form", "form"), ("built_form",)),
    **dict.fromkeys(("property", "dwelling", "property_description"),
                    ("property_type", "built_form")),
    **dict.fromkeys(("floor_construction", "floor_type"), ("floor_construction",)),
    **dict.fromkeys(("floor_insulation", "floor_insulation_type"), ("floor_insulation",)),
    **dict.fromkeys(("floor", "floors", "floor_description", "floors_description"),
                    ("floor_construction", "floor_insulation")),
    **dict.fromkeys(("glazing", "glazing_type", "windows", "window", "windows_description",
                     "window_description", "glazing_description"), ("glazing_type",)),
    **dict.fromkeys(("heating", "main_heating", "heating_system", "main_heating_system",
                     "mainheat_description", "main_heating_description",
                     "heating_description"), ("main_heating", "main_fuel")),
    **dict.fromkeys(("fuel", "main_fuel", "main_fuel_type", "heating_fuel"), ("main_fuel",)),
}


def attribute_key(name: str) -> str:
    """An attribute or column name as matched: lower case, runs of anything but letters and
    digits read as one underscore."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def attribute_targets(name: str) -> tuple[str, ...] | None:
    """The overrides an attribute name sets, or None when the overlay covers none."""
    return ATTRIBUTES.get(attribute_key(name))


_VAGUE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bassumed\b", "marked 'assumed': the assessor did not see it"),
    (r"\b(unknown|not known|dont know|do not know|no data|not recorded|not defined|"
     r"not sure|unsure|tbc|to be confirmed|n a)\b", "says it is not known"),
    (r"\b(probably|possibly|maybe|likely|presumed|believed|thought to be)\b",
     "says it is not certain"),
    (r"^(na|nr|ni|nd)$", "an RdSAP 'not known' or 'not defined' code"),
)


def _words(text: str) -> str:
    """Lower case; apostrophes dropped; anything but letters, digits, '.' and '+' a space."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9.+]+", " ", text)).strip()


def _vague_reason(text: str, norm: str) -> str | None:
    if "?" in text:
        return "holds a question mark: not certain"
    for pattern, reason in _VAGUE_PATTERNS:
        if re.search(pattern, norm):
            return reason
    return None


@dataclass(frozen=True, slots=True)
class _Part:
    """One override's reading of a statement: a code, vague (reason), unknown (reason), or
    nothing said about it (``value`` None and ``reason`` empty)."""

    value: Enum | None = None
    reason: str = ""
    vague: bool = False


_NOT_STATED = _Part()


def _found(patterns: Iterable[tuple[str, _E]], norm: str) -> list[_E]:
    out: list[_E] = []
    for pattern, code in patterns:
        if re.search(pattern, norm) and code not in out:
            out.append(code)
    return out


def describe_code(value: Enum) -> str:
    """A code as people read it: ``filled cavity (2)``, ``270mm``, ``none (0)``."""
    if isinstance(value, RoofInsulation):
        return "none (0)" if value is RoofInsulation.NONE else value.value
    return f"{value.name.lower().replace('_', ' ')} ({value.value})"


def _one(found: list[_E], what: str) -> _Part:
    if not found:
        return _NOT_STATED
    if len(found) > 1:
        return _Part(reason=f"names several {what}s ({', '.join(map(describe_code, found))})",
                     vague=True)
    return _Part(found[0])


_CONSTRUCTIONS: tuple[tuple[str, WallConstruction], ...] = (
    (r"\bcavity\b", WallConstruction.CAVITY),
    (r"\b(granite|whinstone)\b", WallConstruction.STONE_GRANITE_OR_WHINSTONE),
    (r"\b(sandstone|limestone)\b", WallConstruction.STONE_SANDSTONE_OR_LIMESTONE),
    (r"\btimber\b", WallConstruction.TIMBER_FRAME),
    (r"\bbasement\b", WallConstruction.BASEMENT),
    (r"\bcurtain\b", WallConstruction.CURTAIN),
    (r"\b(system buil[td]|no fines|prc|precast|prefab|prefabricated|steel frame[d]?|"
     r"concrete panels?)\b", WallConstruction.SYSTEM_BUILT),
    (r"\bcob\b", WallConstruction.COB),
    (r"\bpark home\b", WallConstruction.PARK_HOME),
)


def _wall_construction(norm: str) -> _Part:
    found = _found(_CONSTRUCTIONS, norm)
    solid = re.search(r"\bsolid\b", norm) is not None
    brick = re.search(r"\bbricks?\b", norm) is not None
    if solid and WallConstruction.CAVITY in found:
        return _Part(reason="says both solid and cavity", vague=True)
    if (solid or brick) and WallConstruction.CAVITY not in found:
        found.insert(0, WallConstruction.SOLID_BRICK)
    if not found and re.search(r"\bstone\b", norm):
        return _Part(reason="'stone': say granite or whinstone, or sandstone or limestone",
                     vague=True)
    if not found and re.search(r"\bnon traditional\b", norm):
        return _Part(reason="'non-traditional': say system built, timber frame or another "
                            "construction", vague=True)
    return _one(found, "wall construction")


_NO_WALL_INSULATION = (r"\bas built\b|\bno (wall |cavity |cavity wall )?insulation\b|"
                       r"\bun ?insulated\b|\bnot insulated\b|\bunfilled\b|\bempty cavity\b|"
                       r"\bcavity (is )?not filled\b|\bnot filled\b|\bno cwi\b|^none$")
_WALL_INSULATIONS: tuple[tuple[str, WallInsulation], ...] = (
    (r"\bfilled cavity\b|\bcavity (wall )?(insulated|insulation|filled|fill)\b|"
     r"\binsulated cavity\b|\bcwi\b|\bfilled\b", WallInsulation.FILLED_CAVITY),
    (r"\binternal(ly)?\b|\biwi\b", WallInsulation.INTERNAL),
    (r"\bexternal(ly)?\b|\bewi\b", WallInsulation.EXTERNAL),
)
_PARTIAL = r"\b(partial|partially|partly|part|limited|some)\b"


def _wall_insulation(norm: str) -> _Part:
    if re.search(_PARTIAL, norm):
        return _Part(reason="says the insulation is partial: no RdSAP code", vague=True)
    rest = re.sub(_NO_WALL_INSULATION, " ", norm)
    none_said = rest != norm
    found = _found(_WALL_INSULATIONS, rest)
    if none_said:
        if found:
            return _Part(reason="says both no insulation and "
                                + ", ".join(map(describe_code, found)), vague=True)
        return _Part(WallInsulation.AS_BUILT)
    codes = set(found)
    if codes == {WallInsulation.FILLED_CAVITY, WallInsulation.EXTERNAL}:
        return _Part(WallInsulation.FILLED_CAVITY_AND_EXTERNAL)
    if codes == {WallInsulation.FILLED_CAVITY, WallInsulation.INTERNAL}:
        return _Part(WallInsulation.FILLED_CAVITY_AND_INTERNAL)
    if found:
        return _one(found, "wall insulation")
    if re.search(r"\binsulat", norm):
        return _Part(reason="says insulated but not how (filled cavity, internal or "
                            "external)", vague=True)
    return _NOT_STATED


_DEPTH_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(\+)?\s*(mm|millimet(?:re|er)s?|cm|inch(?:es)?)\b"
                       r"(\s*\+)?")
_BARE_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(\+)?$")
_UNIT_MM = {"mm": 1.0, "cm": 10.0}
_NO_ROOF_INSULATION = (r"\bno (loft |roof )?insulation\b|\bun ?insulated\b|"
                       r"\bnot insulated\b|^(none|nil|0|0 mm|0mm)$")
#: Depths of 1000 mm and more read as bare numbers are years, not depths.
BARE_DEPTH_LIMIT_MM = 1000


def _depth_code(depth: float) -> RoofInsulation:
    chosen = RoofInsulation.NONE
    for mm, member in _ROOF_THICKNESSES_MM:
        if depth >= mm:
            chosen = member
    return chosen


def _roof_insulation(norm: str) -> _Part:
    if re.search(r"\b(another|other) dwelling above\b|\bdwelling above\b", norm):
        return _Part(reason="another dwelling above: the home has no roof of its own")
    if re.search(_PARTIAL, norm):
        return _Part(reason="says the insulation is partial: give the depth in mm", vague=True)
    depths: list[float] = []
    for match in _DEPTH_RE.finditer(norm):
        unit = match.group(3)
        factor = _UNIT_MM.get(unit, 25.4 if unit.startswith("inch") else 1.0)
        depths.append(float(match.group(1)) * factor)
    if not depths:
        bare = _BARE_NUMBER_RE.match(norm)
        if bare:
            depth = float(bare.group(1))
            if depth >= BARE_DEPTH_LIMIT_MM:
                return _Part(reason=f"{bare.group(1)} is not a depth in mm (a year?): write "
                                    "the depth as '270mm'", vague=True)
            depths.append(depth)
    codes = sorted({_depth_code(d) for d in depths}, key=lambda c: _ROOF_ORDER[c])
    none_said = re.search(_NO_ROOF_INSULATION, norm) is not None
    if len(codes) > 1 or (codes and none_said and codes != [RoofInsulation.NONE]):
        shown = ", ".join(f"{d:g}mm" for d in depths) + (", none" if none_said else "")
        return _Part(reason=f"gives several depths ({shown}): say the depth there is now",
                     vague=True)
    if codes:
        return _Part(codes[0])
    if none_said:
        return _Part(RoofInsulation.NONE)
    if re.search(r"\b(insulat\w*|topped up|top up|lagged|quilt|full|fully)\b", norm):
        return _Part(reason="says insulated but gives no depth in mm", vague=True)
    return _NOT_STATED


_ROOF_ORDER = {member: i for i, member in enumerate(RoofInsulation)}

_PROPERTY_TYPES: tuple[tuple[str, PropertyType], ...] = (
    (r"\bhouses?\b", PropertyType.HOUSE),
    (r"\bbungalows?\b", PropertyType.BUNGALOW),
    (r"\b(flats?|apartments?|studio)\b", PropertyType.FLAT),
    (r"\bmaisonettes?\b", PropertyType.MAISONETTE),
    (r"\b(park|mobile) homes?\b", PropertyType.PARK_HOME),
)


def _property_type(norm: str) -> _Part:
    return _one(_found(_PROPERTY_TYPES, norm), "property type")


_TERRACE = r"terr(ace|aced)?\b"
_BUILT_FORMS: tuple[tuple[str, BuiltForm], ...] = (
    (rf"\benclosed end (of )?{_TERRACE}", BuiltForm.ENCLOSED_END_TERRACE),
    (rf"\benclosed (mid|middle) (of )?{_TERRACE}", BuiltForm.ENCLOSED_MID_TERRACE),
    (rf"(?<!enclosed )\bend (of )?{_TERRACE}", BuiltForm.END_TERRACE),
    (rf"(?<!enclosed )\b(mid|middle|inner|intermediate) (of )?{_TERRACE}",
     BuiltForm.MID_TERRACE),
    (r"\bsemi( detached)?\b|\bsemidetached\b", BuiltForm.SEMI_DETACHED),
    (r"(?<!semi )(?<!link )\bdetached\b", BuiltForm.DETACHED),
)


def _built_form(norm: str) -> _Part:
    if re.search(r"\blink detached\b", norm):
        return _Part(reason="'link detached': RdSAP has no such form; say detached or "
                            "semi-detached", vague=True)
    found = _found(_BUILT_FORMS, norm)
    if not found and re.search(rf"\b{_TERRACE}", norm):
        return _Part(reason="'terraced': say end-terrace or mid-terrace", vague=True)
    return _one(found, "built form")



# ---- floors ---------------------------------------------------------------------------------

_FLOOR_CONSTRUCTIONS: tuple[tuple[str, FloorConstruction], ...] = (
    (r"\bsolid\b|\bconcrete slab\b|\bslab\b|\bground bearing\b", FloorConstruction.SOLID),
    (r"\bsuspended (timber|wood|wooden)\b|\b(timber|wooden|wood) (suspended )?floor|"
     r"\bfloor ?boards?\b|^(suspended )?timber$", FloorConstruction.SUSPENDED_TIMBER),
    (r"\bsuspended (concrete|not timber)\b|\bbeam and block\b|\bblock and beam\b|"
     r"\bsuspended,? (pre ?cast|precast) concrete\b", FloorConstruction.SUSPENDED_NOT_TIMBER),
    (r"\bbasement\b", FloorConstruction.BASEMENT),
)


def _floor_construction(norm: str) -> _Part:
    if re.search(r"\b(another|other) dwelling below\b|\bdwelling below\b", norm):
        return _Part(reason="another dwelling below: the home has no ground floor of its own")
    found = _found(_FLOOR_CONSTRUCTIONS, norm)
    if not found and re.search(r"\bsuspended\b", norm):
        return _Part(reason="'suspended': say suspended timber or suspended concrete (not "
                            "timber)", vague=True)
    if not found and re.search(r"\bconcrete\b", norm):
        return _Part(reason="'concrete': say solid or suspended concrete", vague=True)
    return _one(found, "floor construction")


_NO_FLOOR_INSULATION = (r"\bas built\b|\bno (floor )?insulation\b|\bun ?insulated\b|"
                        r"\bnot insulated\b|^none$")
_FLOOR_RETROFIT = (r"\bretro ?fit(ted)?\b|\bretrofitted\b|\binsulation (was )?(added|installed|"
                   r"fitted|upgraded)\b|\b(added|installed|fitted|new) (floor )?insulation\b|"
                   r"\binsulated (in )?(19|20)\d\d\b|\b\d+(\.\d+)? ?(mm|cm)\b")


def _floor_insulation(norm: str) -> _Part:
    if re.search(_PARTIAL, norm):
        return _Part(reason="says the insulation is partial: no RdSAP code", vague=True)
    none_said = re.search(_NO_FLOOR_INSULATION, norm) is not None
    retro = re.search(_FLOOR_RETROFIT, norm) is not None
    if none_said and retro:
        return _Part(reason="says both no insulation and insulation added", vague=True)
    if none_said:
        return _Part(FloorInsulation.AS_BUILT)
    if retro:
        return _Part(FloorInsulation.RETRO_FITTED)
    if re.search(r"\binsulat", norm):
        return _Part(reason="says insulated but not whether as built or retro-fitted (added "
                            "later: say 'insulation added' or give its depth)", vague=True)
    return _NOT_STATED


# ---- glazing --------------------------------------------------------------------------------

_GLAZING_KINDS: tuple[tuple[str, str], ...] = (
    (r"\bsingle\b", "single"), (r"\bdouble\b|\bdg\b", "double"),
    (r"\btriple\b", "triple"), (r"\bsecondary\b", "secondary"),
)
#: (kind, period) -> SAP-GlazingTypeCode; period: before the cut-off (2002 in England and
#: Wales), between it and 2022, 2022 or later, or unknown.
_GLAZING_CODES: dict[tuple[str, str], GlazingType] = {
    ("double", "before"): GlazingType.DOUBLE_BEFORE_2002,
    ("double", "between"): GlazingType.DOUBLE_2002_TO_2022,
    ("double", "after"): GlazingType.DOUBLE_2022_OR_LATER,
    ("double", "unknown"): GlazingType.DOUBLE_UNKNOWN_DATE,
    ("triple", "before"): GlazingType.TRIPLE_BEFORE_2002,
    ("triple", "between"): GlazingType.TRIPLE_2002_TO_2022,
    ("triple", "after"): GlazingType.TRIPLE_2022_OR_LATER,
    ("triple", "unknown"): GlazingType.TRIPLE_UNKNOWN_DATE,
}
#: Installation years whose RdSAP period every UK country agrees on: before 2002 (England and
#: Wales 2002, Scotland 2003, Northern Ireland 2006), 2006 to 2021 (between the cut-offs
#: everywhere), 2023 or later. Years 2002-2005 and 2022 fall in different periods by country.
GLAZING_YEARS = {"before": (1900, 2001), "between": (2006, 2021), "after": (2023, 2099)}
_PARTIAL_GLAZING = (r"\b(partial|partially|partly|part|some|most|mostly|mainly|majority|few|"
                    r"several|half|except|apart from)\b")


def _glazing_period(norm: str) -> _Part | str:
    """The period of double or triple glazing: a key of :data:`GLAZING_YEARS`, ``unknown``
    (no date said), or a vague part."""
    years = sorted({int(y) for y in re.findall(r"\b(19\d\d|20\d\d)s?\b", norm)})
    if re.search(r"\b(before|pre|prior to)\b", norm) and years and years[-1] <= 2002:
        return "before"
    if re.search(r"\b(after|since|post|or later|onwards)\b", norm) and years \
            and years[0] >= 2023:
        return "after"
    if len(years) > 1:
        return _Part(reason=f"gives several years ({', '.join(map(str, years))}): say when "
                            "the glazing now in place was fitted", vague=True)
    if not years:
        return "unknown"
    decade = re.search(rf"\b{years[0]}s\b", norm) is not None
    last = years[0] + 9 if decade else years[0]
    for period, (lo, hi) in GLAZING_YEARS.items():
        if lo <= years[0] and last <= hi:
            return period
    return _Part(reason=f"fitted {years[0]}{'s' if decade else ''}: the RdSAP period depends on "
                        "the country (cut-offs 2002 England and Wales, 2003 Scotland, 2006 "
                        "Northern Ireland; 2022 or 2023): give the RdSAP glazing code",
                 vague=True)


def _glazing(norm: str) -> _Part:
    if re.search(_PARTIAL_GLAZING, norm):
        return _Part(reason="says only some windows: the override sets every window (state "
                            "the glazing all of them have)", vague=True)
    kinds = [k for pattern, k in _GLAZING_KINDS if re.search(pattern, norm)]
    if "secondary" in kinds and "single" in kinds:  # secondary glazing over single panes
        kinds.remove("single")
    if len(kinds) > 1:
        return _Part(reason=f"names several glazings ({', '.join(kinds)})", vague=True)
    if not kinds:
        if re.search(r"\b(high performance|energy efficient|a rated|low e|upvc|pvc|new)\b",
                     norm):
            return _Part(reason="does not say single, double, triple or secondary glazing",
                         vague=True)
        return _NOT_STATED
    kind = kinds[0]
    if kind == "single":
        return _Part(GlazingType.SINGLE)
    if kind == "secondary":
        if re.search(r"\blow e(missivity)?\b", norm):
            return _Part(GlazingType.SECONDARY_LOW_EMISSIVITY)
        if re.search(r"\bnormal e(missivity)?\b", norm):
            return _Part(GlazingType.SECONDARY_NORMAL_EMISSIVITY)
        return _Part(GlazingType.SECONDARY)
    period = _glazing_period(norm)
    if isinstance(period, _Part):
        return period
    return _Part(_GLAZING_CODES[(kind, period)])


# ---- fuel -----------------------------------------------------------------------------------

_COMMUNITY = r"(?<!not )\bcommunity\b|\bheat network\b|\bdistrict heating\b"
_FUELS: tuple[tuple[str, MainFuel], ...] = (
    (r"\b(mains|natural) gas\b|\bgas\b", MainFuel.MAINS_GAS),
    (r"\blpg\b|\bpropane\b|\bbutane\b|\bliquefied petroleum gas\b|\bliquid petroleum gas\b",
     MainFuel.LPG),
    (r"\bbottled (lpg|gas)\b", MainFuel.BOTTLED_LPG),
    (r"\blpg special condition\b", MainFuel.LPG_SPECIAL_CONDITION),
    (r"\b(heating )?oil\b|\bkerosene\b|\bkerosine\b", MainFuel.OIL),
    (r"\bb30k\b", MainFuel.B30K),
    (r"\bbioethanol\b", MainFuel.BIOETHANOL),
    (r"\bbiogas\b", MainFuel.BIOGAS),
    (r"\belectric(ity|al)?\b", MainFuel.ELECTRICITY),
    (r"\b(house )?coal\b", MainFuel.HOUSE_COAL),
    (r"\bsmokeless\b", MainFuel.SMOKELESS_COAL),
    (r"\banthracite\b", MainFuel.ANTHRACITE),
    (r"\b(wood )?logs?\b", MainFuel.WOOD_LOGS),
    (r"\b(wood )?pellets?\b", MainFuel.BULK_WOOD_PELLETS),
    (r"\bwood ?chips?\b", MainFuel.WOOD_CHIPS),
    (r"\bdual fuel\b", MainFuel.DUAL_FUEL),
)
#: A fuel named that makes another one's word part of it ("LPG gas", "smokeless coal").
_FUEL_SUBSUMES: tuple[tuple[MainFuel, MainFuel], ...] = (
    (MainFuel.LPG, MainFuel.MAINS_GAS), (MainFuel.BOTTLED_LPG, MainFuel.MAINS_GAS),
    (MainFuel.BOTTLED_LPG, MainFuel.LPG), (MainFuel.LPG_SPECIAL_CONDITION, MainFuel.LPG),
    (MainFuel.BIOGAS, MainFuel.MAINS_GAS), (MainFuel.SMOKELESS_COAL, MainFuel.HOUSE_COAL),
    (MainFuel.DUAL_FUEL, MainFuel.HOUSE_COAL),
)


def _fuel(norm: str) -> _Part:
    if re.search(_COMMUNITY, norm):
        return _Part(reason="a heat network (community heating): not covered by the overrides")
    if re.search(r"\bsold to (the )?grid\b|\bexport", norm):
        return _Part(reason="electricity exported to the grid is not a heating fuel")
    found = _found(_FUELS, norm)
    for named, part in _FUEL_SUBSUMES:
        if named in found and part in found:
            found.remove(part)
    if not found:
        for pattern, what in ((r"\bbiodiesel\b", "biodiesel: say from any biomass source, "
                               "used cooking oil or vegetable oil (or give the code)"),
                              (r"\bwood\b", "'wood': say logs, pellets or chips"),
                              (r"\bsolid fuel\b|\bbiomass\b", "say which solid fuel (house "
                               "coal, smokeless, anthracite, logs, pellets, chips)")):
            if re.search(pattern, norm):
                return _Part(reason=what, vague=True)
    return _one(found, "fuel")


# ---- heating systems ------------------------------------------------------------------------

_HEAT_PUMPS: tuple[tuple[str, MainHeating], ...] = (
    (r"\bair source\b|\bashp\b|\bair to water\b", MainHeating.AIR_SOURCE_HEAT_PUMP),
    (r"\bground source\b|\bgshp\b", MainHeating.GROUND_SOURCE_HEAT_PUMP),
)
#: (regular, combi) Table 4b condensing boiler codes by the fuel family named.
_BOILERS: tuple[tuple[frozenset[MainFuel], MainHeating, MainHeating], ...] = (
    (_GAS, MainHeating.REGULAR_CONDENSING_BOILER_GAS, MainHeating.CONDENSING_COMBI_GAS),
    (_LIQUID, MainHeating.REGULAR_CONDENSING_BOILER_OIL, MainHeating.CONDENSING_COMBI_OIL),
)
_COMBI = r"\bcombi(nation)?\b"
_REGULAR = (r"\b(regular|system|conventional|heat only|open vent(ed)?|standard)\b( boiler)?|"
            r"\bwith (a )?(hot water )?cylinder\b")
_STORAGE = r"\bstorage heat(ers?|ing)\b|\bnight storage\b"
_ROOM_HEATERS = (r"\b(panel|convector|radiant) heaters?\b|\belectric (room |wall )?heaters\b|"
                 r"\bpanel,? convector,? or radiant heaters\b")
#: What a statement that names no system, or only part of one, is told.
_NAME_A_SYSTEM = ("e.g. 'gas combi boiler', 'oil regular boiler', 'air source heat pump', "
                  "'high heat retention storage heaters'")


def _heating_system(norm: str) -> _Part:
    """The main heating system named (its SAP code), never guessed."""
    if re.search(_COMMUNITY, norm):
        return _Part(reason="a heat network (community heating): not covered by the overrides")
    heat_pump = re.search(r"\bheat pumps?\b|\bashp\b|\bgshp\b", norm) is not None
    boiler = re.search(r"\bboilers?\b|" + _COMBI, norm) is not None
    storage = re.search(_STORAGE, norm) is not None
    room = re.search(_ROOM_HEATERS, norm) is not None
    named = [k for k, said in (("heat pump", heat_pump), ("boiler", boiler),
                               ("storage heaters", storage), ("room heaters", room)) if said]
    if len(named) > 1:
        return _Part(reason=f"names several systems ({', '.join(named)})", vague=True)
    if heat_pump:
        if re.search(r"\bair to air\b|\bwarm air\b", norm):
            return _Part(reason="a warm-air (air-to-air) heat pump: not covered by the "
                                "overrides")
        if re.search(r"\bgas (fired|absorption)\b|\bhybrid\b", norm):
            return _Part(reason="a gas-fired or hybrid heat pump: give the SAP code",
                         vague=True)
        found = _found(_HEAT_PUMPS, norm)
        if not found:
            return _Part(reason="'heat pump': say air source or ground source", vague=True)
        return _one(found, "heat pump")
    if storage:
        if re.search(r"\bhigh heat retention\b|\bhhr\b", norm):
            return _Part(MainHeating.HIGH_HEAT_RETENTION_STORAGE_HEATERS)
        return _Part(reason="storage heaters of another kind than high heat retention (old, "
                            "slimline, convector, fan): their Table 4a rows differ; give the "
                            "SAP code (401-409)", vague=True)
    if room:
        return _Part(MainHeating.ELECTRIC_PANEL_CONVECTOR_OR_RADIANT_HEATERS)
    if boiler:
        return _boiler(norm)
    if re.search(r"\b(central heating|heating|radiators?|rads|heater|system)\b", norm):
        return _Part(reason=f"does not name a system ({_NAME_A_SYSTEM})", vague=True)
    return _NOT_STATED


def _boiler(norm: str) -> _Part:
    if re.search(r"\bnon ?condensing\b", norm):
        return _Part(reason="a non-condensing boiler: its Table 4b row depends on its age, "
                            "flue and ignition; give the SAP code", vague=True)
    if re.search(r"\bback boiler\b|\brange cooker\b|\bcpsu\b|\bthermal store\b", norm):
        return _Part(reason="a back boiler, range cooker or CPSU: give the SAP code",
                     vague=True)
    combi = re.search(_COMBI, norm) is not None
    regular = re.search(_REGULAR, norm) is not None
    if combi and regular:
        return _Part(reason="says both combi and regular (system) boiler", vague=True)
    fuel = _fuel(norm)
    if fuel.value is None:
        return _Part(reason=fuel.reason or "says boiler but not its fuel (gas, LPG or oil)"
                     + ("" if combi or regular else " nor combi or regular (system)"),
                     vague=True)
    for fuels, regular_code, combi_code in _BOILERS:
        if fuel.value in fuels:
            if not (combi or regular):
                return _Part(reason="says boiler but not combi or regular (system): they heat "
                                    "water differently", vague=True)
            return _Part(combi_code if combi else regular_code)
    return _Part(reason=f"a {describe_code(fuel.value)} boiler: solid fuel and electric "
                        "boilers are not in the vocabulary; give the SAP code", vague=True)


def _heating(norm: str) -> dict[str, _Part]:
    """A heating statement: the system (its SAP code) and its fuel (the one named, else the
    only one it burns), coherent or vague."""
    if re.match(r"^\d{3}\b", norm):  # an SAP code, its fuel in words after it
        code, rest = int(norm[:3]), norm[3:]
        try:
            system: _Part = _Part(MainHeating(code))
        except ValueError:
            codes = ", ".join(str(m.value) for m in MainHeating)
            return {"main_heating": _Part(reason=f"{code} is not an SAP code the overrides "
                                                 f"can set (codes: {codes})")}
    else:
        rest = norm
        system = _heating_system(norm)
    if system.value is None:
        return {"main_heating": system}
    chosen = HEATING_SYSTEMS[MainHeating(system.value.value)]
    fuel = _fuel(rest)
    if fuel.vague:
        return {"main_heating": system, "main_fuel": fuel}
    if fuel.value is None:
        if chosen.default_fuel is None:
            return {"main_heating": _Part(reason=f"{describe_code(chosen.code)} burns "
                                                 f"{_fuel_list(chosen.fuels)}: say which",
                                          vague=True)}
        return {"main_heating": system, "main_fuel": _Part(chosen.default_fuel)}
    if fuel.value not in chosen.fuels:
        return {"main_heating": _Part(reason=f"{describe_code(chosen.code)} does not burn "
                                             f"{describe_code(fuel.value)} (it burns "
                                             f"{_fuel_list(chosen.fuels)})", vague=True)}
    return {"main_heating": system, "main_fuel": fuel}


def _fuel_list(fuels: Iterable[MainFuel]) -> str:
    return ", ".join(describe_code(f) for f in sorted(fuels))


_READERS = {
    "wall_construction": _wall_construction, "wall_insulation": _wall_insulation,
    "roof_insulation": _roof_insulation, "property_type": _property_type,
    "built_form": _built_form, "floor_construction": _floor_construction,
    "floor_insulation": _floor_insulation, "glazing_type": _glazing, "main_fuel": _fuel,
    "main_heating": _heating_system,
}
_CODES: dict[str, type[Enum]] = {
    "wall_construction": WallConstruction, "wall_insulation": WallInsulation,
    "property_type": PropertyType, "built_form": BuiltForm,
    "floor_construction": FloorConstruction, "floor_insulation": FloorInsulation,
    "glazing_type": GlazingType, "main_heating": MainHeating, "main_fuel": MainFuel,
}
_WHAT = {"wall_construction": "wall construction", "wall_insulation": "wall insulation",
         "roof_insulation": "roof insulation", "property_type": "property type",
         "built_form": "built form", "floor_construction": "floor construction",
         "floor_insulation": "floor insulation", "glazing_type": "glazing",
         "main_heating": "heating system", "main_fuel": "fuel"}
#: Codes of a kind that are never an override, and why.
_REFUSED_CODES: dict[tuple[str, str], str] = {
    ("wall_insulation", "5"): "RdSAP wall insulation code 5 means unknown",
    ("floor_construction", "0"): "RdSAP floor construction code 0 means unknown",
    ("floor_insulation", "0"): "RdSAP floor insulation code 0 means unknown",
    **{("glazing_type", str(c.value)): f"glazing code {c.value} ('known data') needs the "
       "window's own U-value and g-value, which an override does not carry"
       for c in (GlazingType.DOUBLE_KNOWN_DATA, GlazingType.TRIPLE_KNOWN_DATA,
                 GlazingType.SINGLE_KNOWN_DATA)},
}


def _code(target: str, norm: str) -> _Part | None:
    """A bare whole number as the RdSAP code of ``target`` (roof depths are read as depths)."""
    kind = _CODES.get(target)
    if kind is None or not norm.isdigit():
        return None
    refused = _REFUSED_CODES.get((target, norm))
    if refused:
        return _Part(reason=refused, vague=True)
    try:
        return _Part(kind(int(norm)))
    except ValueError:
        return _Part(reason=f"{norm} is not an RdSAP {_WHAT[target]} code (codes: "
                            f"{', '.join(str(m.value) for m in kind)})")


def stored_code(name: str, text: str) -> Enum:
    """The code of override ``name`` as the ``landlord_overrides`` table stores it (its
    ``value``: ``"2"``, ``"270mm"``); ValueError when it is not one."""
    kind = _CODES.get(name, RoofInsulation if name == "roof_insulation" else None)
    if kind is None:
        raise ValueError(f"unknown override {name!r}")
    return kind(int(text)) if issubclass(kind, int) else kind(text)


def classify_statement(attribute: str, text: str) -> Classification:
    """Read one statement: ``attribute`` (see :data:`ATTRIBUTES`) and the landlord's words or
    an RdSAP code. Never guesses: anything vague or outside the vocabulary changes nothing."""
    if not attribute.strip():
        return Classification(Reading.UNKNOWN, reason="no attribute")
    targets = attribute_targets(attribute)
    if targets is None:
        known = ", ".join(sorted({k for k in ATTRIBUTES if k in OVERRIDE_FIELDS
                                  or k in ("walls", "property", "floor", "glazing", "heating",
                                           "fuel")}))
        return Classification(Reading.UNKNOWN, reason=f"attribute {attribute.strip()!r} is "
                              f"not one the overrides cover ({known})")
    norm = _words(text)
    if not norm:
        return Classification(Reading.UNKNOWN, reason="no value")
    vague = _vague_reason(text, norm)
    if vague:
        return Classification(Reading.VAGUE, reason=vague)
    parts: dict[str, _Part] = {}
    if "main_heating" in targets:  # the system and its fuel, read together
        parts = _heating(norm)
    else:
        for target in targets:
            coded = _code(target, norm) if len(targets) == 1 else None
            parts[target] = coded if coded is not None else _READERS[target](norm)
    vague_parts = [f"{_WHAT[n]}: {p.reason}" if len(targets) > 1 else p.reason
                   for n, p in parts.items() if p.vague]
    vague_parts = list(dict.fromkeys(vague_parts))
    if vague_parts:
        return Classification(Reading.VAGUE, reason="; ".join(vague_parts))
    unknown = [p.reason for p in parts.values() if p.value is None and p.reason]
    if unknown:
        return Classification(Reading.UNKNOWN, reason="; ".join(unknown))
    values = tuple((n, p.value) for n, p in parts.items() if p.value is not None)
    if not values:
        what = " or ".join(_WHAT[n] for n in targets)
        return Classification(Reading.UNKNOWN, reason=f"no {what} word in it (docs/overrides.md "
                              "lists the vocabulary)")
    return Classification(Reading.CLASSIFIED, values)


# ---------------------------------------------------------------------------------------------
# A fuel and the heating system that burns it; the lodged values the overrides replace
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class FuelFamily:
    """One row of ``spec/tables/sap10_2_heating_code_fuel_families.csv``: a range of SAP
    heating codes and the RdSAP fuels they burn (read by the caller: the domain does no
    I/O)."""

    code_from: int
    code_to: int
    group: str
    fuels: frozenset[int]


def fuel_families(rows: Iterable[Mapping[str, str]]) -> tuple[FuelFamily, ...]:
    """The table's rows (``code_from``, ``code_to``, ``group``, ``fuels``) as families."""
    return tuple(FuelFamily(int(r["code_from"]), int(r["code_to"]), r["group"],
                            frozenset(int(f) for f in r["fuels"].split())) for r in rows)


def fuel_contradiction(heating_code: object, fuel: MainFuel,
                       families: Iterable[FuelFamily] = ()) -> str | None:
    """Why ``fuel`` cannot be main heating system 1's fuel when its SAP code is
    ``heating_code`` (None: it can, or the code's group names no single fuel family, as for
    heat networks and warm air). A system of :data:`HEATING_SYSTEMS` burns its own fuels;
    another code, those of its ``families`` row. No code: there is no system to burn it."""
    try:
        code = int(str(heating_code))
    except ValueError:
        return (f"{describe_code(fuel)} is stated alone but the home has no main heating "
                "system: state the heating system (which gives its fuel)")
    system = HEATING_SYSTEMS.get(MainHeating(code)) if code in set(MainHeating) else None
    if system is not None:
        allowed, group = frozenset(f.value for f in system.fuels), describe_code(system.code)
    else:
        family = next((f for f in families if f.code_from <= code <= f.code_to), None)
        if family is None:
            return None
        allowed, group = family.fuels, f"SAP code {code}, {family.group}"
    if fuel.value in allowed:
        return None
    shown = ", ".join(_fuel_name(f) for f in sorted(allowed))
    return (f"{describe_code(fuel)} contradicts the heating system ({group}), which burns "
            f"{shown}: state the heating system too, or the fuel it burns")


def _fuel_name(code: int) -> str:
    try:
        return describe_code(MainFuel(code))
    except ValueError:
        return f"fuel {code}"


def lodged_codes(data: EpcData) -> dict[str, str]:
    """The lodged code of each field the overrides cover, as the data holds it (text); a
    glazing of several codes is them all, comma-separated (its windows, else the dwelling's
    Multiple-Glazing-Type); fields the data does not hold are absent."""
    out: dict[str, str] = {}
    part = data.main_building_part() or {}
    storeys = part.get(STOREYS_KEY)
    items = [s for s in storeys if isinstance(s, Mapping)] if isinstance(storeys, tuple) else []
    storey = min(items, key=storey_order) if items else {}
    heating = lodged_main_heating(data)
    sources: dict[OverlayScope, Mapping[str, JsonValue]] = {
        OverlayScope.DWELLING: data.fields, OverlayScope.MAIN_BUILDING_PART: part,
        OverlayScope.MAIN_PART_LOWEST_STOREY: storey,
        OverlayScope.MAIN_HEATING_SYSTEM: heating}
    for name, (scope, key) in OVERRIDE_TARGETS.items():
        if scope is OverlayScope.EVERY_WINDOW:
            windows = data.get("windows")
            codes = [str(w.get(key)) for w in windows if isinstance(w, Mapping)
                     and w.get(key) is not None] if isinstance(windows, tuple) else []
            if not codes and data.get("multiple_glazing_type") is not None:
                codes = [str(data.get("multiple_glazing_type"))]
            if codes:
                out[name] = ",".join(dict.fromkeys(codes))
            continue
        raw = sources[scope].get(key)
        if raw is not None:
            out[name] = str(raw)
    return out


def describe_stored(name: str, text: str) -> str:
    """A stored or lodged code of override ``name`` as people read it (several
    comma-separated codes each; a code that is not one of the override's: ``code 101``)."""
    shown = []
    for part in text.split(","):
        try:
            shown.append(describe_code(stored_code(name, part)))
        except ValueError:
            shown.append(f"code {part}")
    return ", ".join(shown)
