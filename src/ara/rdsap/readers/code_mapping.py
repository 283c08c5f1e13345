"""Codes of older register schemas translated to RdSAP 10 (RdSAP-Schema-21.0.x) codes.

The enumerations of RdSAP-Schema-19.0 and 20.0.0 (RdSAP 9.x) were compared with those of
RdSAP-Schema-21.0.1 (``shared/vectors/schema_enums``). Where the same code means the same thing
(often with reworded labels) it is kept; where it does not, :data:`CODE_MAPPINGS` translates it
and the row records the change in ``code_mappings``. :data:`ELEMENT_MAPPINGS` lists old
elements read into RdSAP 10 columns, and :data:`KEPT_CODES` the comparisons that needed no
change. ``docs/rdsap/code_mapping.md`` is the same content as a table (a test keeps the two in
step).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ara.rdsap.readers.xml_document import reading_schema

if TYPE_CHECKING:
    from ara.rdsap.readers.mapping import Context

__all__ = ["CODE_MAPPINGS", "ELEMENT_MAPPINGS", "KEPT_CODES", "OLD_SCHEMAS", "CodeMapping",
           "apply_old_schema_rules"]

OLD_SCHEMAS = ("RdSAP-Schema-20.0.0", "RdSAP-Schema-19.0")
ALL_SCHEMAS = ("RdSAP-Schema-21.0.1", "RdSAP-Schema-21.0.0") + OLD_SCHEMAS

_FUEL_COLUMNS = ("main_heating[*].main_fuel_type", "water_heating_fuel", "secondary_fuel_type")
_ENUMS = "shared/vectors/schema_enums/RdSAP-Schema-{20.0.0,21.0.1}_enums.txt"
_FUEL_SOURCE = (f"HeatingFuelTypeCode ({_ENUMS}): code marked 'for backwards compatibility "
                "only'; lodgement rule UNSUPPORTED_FUEL_TYPE")


@dataclass(frozen=True)
class CodeMapping:
    """``old`` becomes ``new`` in ``columns`` for certificates of ``schemas``."""

    schemas: tuple[str, ...]
    element: str
    columns: tuple[str, ...]
    old: str
    new: str
    source: str


CODE_MAPPINGS: tuple[CodeMapping, ...] = (
    CodeMapping(ALL_SCHEMAS, "Main-Fuel-Type, Water-Heating-Fuel, Secondary-Fuel-Type",
                _FUEL_COLUMNS, "1", "26",
                f"1 'mains gas' -> 26 'mains gas (not community)'; {_FUEL_SOURCE}"),
    CodeMapping(ALL_SCHEMAS, "Main-Fuel-Type, Water-Heating-Fuel, Secondary-Fuel-Type",
                _FUEL_COLUMNS, "2", "27",
                f"2 'LPG' -> 27 'LPG (not community)'; {_FUEL_SOURCE}"),
    CodeMapping(ALL_SCHEMAS, "Main-Fuel-Type, Water-Heating-Fuel, Secondary-Fuel-Type",
                _FUEL_COLUMNS, "4", "28",
                f"4 'oil' -> 28 'oil (not community)'; {_FUEL_SOURCE}"),
    CodeMapping(ALL_SCHEMAS, "Main-Fuel-Type, Water-Heating-Fuel, Secondary-Fuel-Type",
                _FUEL_COLUMNS, "10", "29",
                f"10 'electricity' -> 29 'electricity (not community)'; {_FUEL_SOURCE}"),
    CodeMapping(ALL_SCHEMAS, "Main-Fuel-Type, Water-Heating-Fuel, Secondary-Fuel-Type",
                _FUEL_COLUMNS, "14", "33",
                f"14 'house coal' -> 33 'house coal (not community)'; {_FUEL_SOURCE}"),
    CodeMapping(OLD_SCHEMAS, "Mechanical-Ventilation", ("mechanical_ventilation",), "2", "3",
                "VentilationTypeCode: RdSAP 9.x 2 'mechanical, extract only' has no layout; "
                "RdSAP 10 2 is 'MEV decentralised', 3 'MEV centralised'. Assumption: the "
                "whole-house extract system of RdSAP 9.x is MEV centralised (3)"),
)

#: Old elements read into RdSAP 10 columns: (schemas, old element, column, rule).
ELEMENT_MAPPINGS: tuple[tuple[tuple[str, ...], str, str, str], ...] = (
    (OLD_SCHEMAS, "Open-Fireplaces-Count", "open_chimneys_count",
     "renamed Open-Chimneys-Count in 21.0.x; same count"),
    (OLD_SCHEMAS, "Low-Energy-Fixed-Lighting-Outlets-Count",
     "low_energy_fixed_lighting_bulbs_count",
     "RdSAP 10: 'if exact number of CFL and LED not known, provide number of low energy fixed "
     "lighting outlets' (XSD annotation); inferred, listed in inferred_fields"),
    (OLD_SCHEMAS, "Fixed-Lighting-Outlets-Count minus Low-Energy-Fixed-Lighting-Outlets-Count",
     "incandescent_fixed_lighting_bulbs_count",
     "the outlets that are not low energy; inferred, listed in inferred_fields"),
    (OLD_SCHEMAS, "Photovoltaic-Supply/None-Or-No-Details/PV-Connection", "pv_connection",
     "moved to SAP-Energy-Source/PV-Connection in 21.0.x; same codes"),
    (OLD_SCHEMAS, "PV-Array/PV-Connection", "pv_arrays[].pv_connection",
     "per array in 20.0.0; one dwelling-level PV-Connection in 21.0.x"),
    (OLD_SCHEMAS, "SAP-Alternative-Wall", "building_parts[].alternative_walls[0]",
     "one alternative wall in 20.0.0; SAP-Alternative-Wall-1/-2 in 21.0.x"),
    (OLD_SCHEMAS, "Room-In-Roof-Details/*-Area-n", "room_in_roof.surfaces[].area_m2",
     "areas in 20.0.0; lengths and heights in 21.0.x"),
    (OLD_SCHEMAS, "SAP-Window/Window-Area", "windows[].window_area_m2",
     "area in 20.0.0; Window-Height and Window-Width in 21.0.x"),
    (OLD_SCHEMAS, "Multiple-Glazing-Type, Glazed-Area, Multiple-Glazed-Proportion, "
     "PVC-Window-Frames, Glazing-Gap", "multiple_glazing_type, glazed_area, ...",
     "RdSAP 9.x glazing descriptors, kept as lodged (no RdSAP 10 element)"),
    (OLD_SCHEMAS, "Instantaneous-WWHRS/Rooms-With-*, Mixer-Showers-With-*",
     "rooms_with_*, mixer_showers_with_*", "RdSAP 9.x bath/shower counts, kept as lodged"),
)

#: Enumerations compared and kept: (element, codes, note).
KEPT_CODES: tuple[tuple[str, str, str], ...] = (
    ("Construction-Age-Band", "A-L",
     "L was '2012 onwards', now '2012-2021' (M '2022 onwards' is new); L is kept: the build "
     "year is not lodged, so a part built from 2022 cannot be told apart"),
    ("Glazing-Type, Multiple-Glazing-Type", "1-8, ND",
     "2 was 'during or after 2002', now '2002-2022' (13/14 from 2022 are new); kept for the "
     "same reason; 4 and 6 reworded only"),
    ("Cylinder-Insulation-Type", "0-2", "'Foam'/'Jacket' reworded 'factory-applied'/'loose "
              "jacket'"),
    ("Boiler-Flue-Type", "1-2", "'open flue'/'balanced flue' reworded 'open'/'room-sealed'"),
    ("Wall-Construction", "1-5, 8-10", "reworded only; 6 and 7 are new in 21.0.x"),
    ("Mechanical-Ventilation", "0, 1",
     "0 natural; 1 'mechanical, supply and extract' read as 1 'MV' (balanced, no heat "
     "recovery): RdSAP 9.x did not record heat recovery"),
    ("Country-Code", "EAW",
     "'England and Wales' has no RdSAP 10 code (ENG/WLS need the address); kept"),
    ("Heat-Emitter-Type, Heat-Loss-Corridor, Cylinder-Size, Roof-Construction, "
     "Floor-Construction, Wall-Insulation-Type, Party-Wall-Construction, Meter-Type",
     "all", "RdSAP 10 adds codes; the 9.x codes mean the same"),
)


def _resolve(row: dict[str, Any], pattern: str) -> list[tuple[str, dict[str, Any], str]]:
    """(path, container, key) for each value a column pattern (``a[*].b`` or ``a``) names."""
    if "[*]." not in pattern:
        return [(pattern, row, pattern)]
    head, tail = pattern.split("[*].", 1)
    return [(f"{head}[{i}].{tail}", item, tail)
            for i, item in enumerate(row.get(head) or ()) if isinstance(item, dict)]


def _infer_lighting(row: dict[str, Any], ctx: Context) -> None:
    outlets = row.get("fixed_lighting_outlets_count")
    low_energy = row.get("low_energy_fixed_lighting_outlets_count")
    if low_energy is None or row.get("low_energy_fixed_lighting_bulbs_count") is not None:
        return
    row["low_energy_fixed_lighting_bulbs_count"] = low_energy
    ctx.inferred_fields.append("low_energy_fixed_lighting_bulbs_count")
    if (outlets is not None and outlets >= low_energy
            and row.get("incandescent_fixed_lighting_bulbs_count") is None):
        row["incandescent_fixed_lighting_bulbs_count"] = outlets - low_energy
        ctx.inferred_fields.append("incandescent_fixed_lighting_bulbs_count")


def apply_old_schema_rules(row: dict[str, Any], ctx: Context) -> None:
    """Translate codes in place (recording each in ``ctx.code_mappings``) and fill the RdSAP 10
    lighting counts of RdSAP 9.x certificates (recorded in ``ctx.inferred_fields``)."""
    schema = reading_schema(ctx.schema_type)
    for mapping in CODE_MAPPINGS:
        if schema not in mapping.schemas:
            continue
        for pattern in mapping.columns:
            for path, container, key in _resolve(row, pattern):
                if container.get(key) == mapping.old:
                    container[key] = mapping.new
                    ctx.code_mappings.append({"field": path, "original": mapping.old,
                                              "mapped": mapping.new})
    if schema in OLD_SCHEMAS:
        _infer_lighting(row, ctx)
