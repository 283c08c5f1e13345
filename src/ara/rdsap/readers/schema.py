"""``CERTIFICATE_SCHEMA``: the versioned Arrow schema of certificate data, one row per EPC.

Every reader (RdSAP XML, register JSON, bulk archives, open-data CSV rows) produces rows of this
schema. It holds:

* metadata (certificate number, UPRN, address, dates, schema type and SAP version, where the
  row came from);
* the lodged results (SAP and EI ratings and bands, CO2, primary energy, costs, the RHI space
  and water heating demand);
* the descriptive texts of the certificate's property summary;
* the physical RdSAP data, mirroring ``SAP-Data/SAP-Property-Details`` of RdSAP-Schema-21.0.1
  as flat columns plus list columns (building parts with their floor dimensions, alternative
  walls and room in roof; windows; main heating systems; PV arrays ...);
* audit columns: the document verbatim (``raw_document``), the fields inferred rather than
  lodged (``inferred_fields``), the old-schema codes translated to RdSAP 10 codes
  (``code_mappings``) and, for CSV rows, the columns that have no other home (``csv_extra``).

Codes stay the register's codes, as strings (``"4"``, ``"NR"``, ``"200mm"``), normalised so that
the XML and the JSON of one certificate give identical values: integer-looking codes lose
leading zeros (``Flat-Location`` ``01`` -> ``"1"``, ``Main-Heating-Index-Number`` ``017507`` ->
``"17507"``; pad PCDB index numbers back to six digits when looking them up). Measurements are
numbers in the unit named by the column suffix (``_m``, ``_m2``, ``_mm``, ``_kw``, ``_l``,
``_kwh_per_yr``, ...). Booleans (XSD ``Flag`` Y/N and ``xs:boolean``) are ``bool``.

The columns are declared once, in :data:`COLUMNS`, together with the key path of the value in
the register's JSON document (the snake_case transform of the XML that the readers also build
from XML); the readers walk this declaration. Each Arrow field carries metadata: ``element``
(the register XML element), ``unit`` and ``doc``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

__all__ = ["CERTIFICATE_SCHEMA", "CERTIFICATE_SCHEMA_VERSION", "COLUMNS", "Column",
           "DATA_SOURCES", "column_paths"]

#: Semantic version of :data:`CERTIFICATE_SCHEMA`; bump the major part on any change that
#: removes or retypes a column.
CERTIFICATE_SCHEMA_VERSION = "1.0.0"

#: Values of the ``data_source`` column.
DATA_SOURCES = ("xml", "register_json", "archive", "csv_summary")

Kind = Literal["code", "index", "int", "float", "bool", "text", "date", "uprn", "sap_version",
               "list", "struct", "float_list", "string_list", "raw", "map", "mappings"]


@dataclass(frozen=True)
class Column:
    """One column (or struct member) of the certificate schema.

    ``path`` is the key path of the value in the register JSON document, relative to the
    enclosing list item; ``alt_paths`` are tried in turn when it is absent (elements renamed
    between schema versions). A ``list`` column's ``path`` leads to its container and ``item``
    names the repeated element inside it (``sap_building_parts`` / ``sap_building_part``).
    ``derived`` names a rule of :mod:`ara.rdsap.readers.mapping` that fills the column instead.
    """

    name: str
    kind: Kind
    path: tuple[str, ...] = ()
    alt_paths: tuple[tuple[str, ...], ...] = ()
    element: str = ""
    unit: str = ""
    doc: str = ""
    scale: float = 1.0
    item: str = ""
    derived: str = ""
    fields: tuple[Column, ...] = ()


def _p(dotted: str) -> tuple[str, ...]:
    return tuple(dotted.split(".")) if dotted else ()


def _col(kind: Kind, name: str, path: str = "", element: str = "", unit: str = "",
         doc: str = "", *, alt: tuple[str, ...] = (), scale: float = 1.0,
         derived: str = "") -> Column:
    return Column(name=name, kind=kind, path=_p(path), alt_paths=tuple(_p(a) for a in alt),
                  element=element, unit=unit, doc=doc, scale=scale, derived=derived)


def code(name: str, path: str, element: str, doc: str = "", **kw: object) -> Column:
    return _col("code", name, path, element, "", doc, **kw)  # type: ignore[arg-type]


def index(name: str, path: str, element: str, doc: str = "") -> Column:
    return _col("index", name, path, element, "", doc or "product database index number")


def integer(name: str, path: str, element: str, unit: str = "", doc: str = "",
            **kw: object) -> Column:
    return _col("int", name, path, element, unit, doc, **kw)  # type: ignore[arg-type]


def number(name: str, path: str, element: str, unit: str, doc: str = "",
           **kw: object) -> Column:
    return _col("float", name, path, element, unit, doc, **kw)  # type: ignore[arg-type]


def flag(name: str, path: str, element: str, doc: str = "", **kw: object) -> Column:
    return _col("bool", name, path, element, "", doc, **kw)  # type: ignore[arg-type]


def text(name: str, path: str, element: str, doc: str = "", **kw: object) -> Column:
    return _col("text", name, path, element, "", doc, **kw)  # type: ignore[arg-type]


def listing(name: str, path: str, item: str, element: str, doc: str,
            fields: tuple[Column, ...], derived: str = "") -> Column:
    return Column(name=name, kind="list", path=_p(path), item=item, element=element, doc=doc,
                  fields=fields, derived=derived)


def struct(name: str, path: str, element: str, doc: str, fields: tuple[Column, ...],
           derived: str = "") -> Column:
    return Column(name=name, kind="struct", path=_p(path), element=element, doc=doc,
                  fields=fields, derived=derived)


def derived(kind: Kind, name: str, rule: str, unit: str = "", doc: str = "") -> Column:
    return Column(name=name, kind=kind, derived=rule, unit=unit, doc=doc)


# ---------------------------------------------------------------------------------------------
# Metadata and lodged results
# ---------------------------------------------------------------------------------------------
_METADATA: tuple[Column, ...] = (
    derived("text", "certificate_number", "certificate_number",
            doc="RRN, 20 digits in five blocks of four (Report-Header/RRN)"),
    _col("uprn", "uprn", "uprn", "Report-Header/Property/UPRN",
         doc="Unique Property Reference Number; null for non-numeric address ids"),
    text("uprn_source", "uprn_source", "(register JSON) uprn_source",
         "'Energy Assessor' or 'Address Matched'"),
    text("address_line_1", "address_line_1", "Address-Line-1"),
    text("address_line_2", "address_line_2", "Address-Line-2"),
    text("address_line_3", "address_line_3", "Address-Line-3"),
    text("address_line_4", "address_line_4", "Address-Line-4"),
    text("post_town", "post_town", "Post-Town"),
    text("postcode", "postcode", "Postcode"),
    _col("date", "inspection_date", "inspection_date", "Inspection-Date", doc="site visit"),
    _col("date", "completion_date", "completion_date", "Completion-Date"),
    _col("date", "registration_date", "registration_date", "Registration-Date",
         doc="lodgement date (the CSV's LODGEMENT_DATE)"),
    derived("text", "schema_type", "schema_type",
            doc="register schema, e.g. RdSAP-Schema-21.0.1; see inferred_fields when guessed"),
    text("schema_version_original", "schema_version_original", "Schema-Version-Original"),
    _col("sap_version", "sap_version", "sap_version", "SAP-Version",
         doc="SAP-VersionCode: 10.2 for RdSAP 10, 9.80-9.94 for RdSAP 9.x"),
    text("assessment_type", "assessment_type", "(register JSON) assessment_type", "RdSAP or SAP"),
    code("report_type", "report_type", "Report-Type", "2 RdSAP, 3 SAP, 4 interim RdSAP"),
    code("transaction_type", "transaction_type", "Transaction-Type", "TransactionType code"),
    code("tenure", "tenure", "Tenure", "TenureCode: 1 owner-occupied, 2 social, 3 private"),
    text("status", "status", "Status"),
    code("country_code", "country_code", "Country-Code",
         "UKCountryCode: ENG, WLS, NIR, SCT; EAW (England and Wales) before RdSAP 10"),
    code("region_code", "region_code", "Region-Code", "UKRegionCode (climate region)"),
    derived("text", "data_source", "data_source",
            doc="xml | register_json | archive | csv_summary"),
    derived("text", "source", "source", doc="file, file:line or archive!member read"),
)

_LODGED: tuple[Column, ...] = (
    integer("energy_rating_current", "energy_rating_current", "Energy-Rating-Current", "",
            "lodged SAP rating (worksheet line 258, integer)"),
    derived("text", "energy_band_current", "energy_band_current",
            doc="band A-G of energy_rating_current"),
    integer("energy_rating_potential", "energy_rating_potential", "Energy-Rating-Potential"),
    derived("text", "energy_band_potential", "energy_band_potential"),
    integer("energy_rating_average", "energy_rating_average", "Energy-Rating-Average"),
    integer("environmental_impact_current", "environmental_impact_current",
            "Environmental-Impact-Current", "", "lodged EI rating (line 274)"),
    derived("text", "environmental_impact_band_current", "environmental_impact_band_current"),
    integer("environmental_impact_potential", "environmental_impact_potential",
            "Environmental-Impact-Potential"),
    derived("text", "environmental_impact_band_potential",
            "environmental_impact_band_potential"),
    number("co2_emissions_current_kg_per_yr", "co2_emissions_current", "CO2-Emissions-Current",
           "kg/yr", "lodged in tonnes/yr, stored in kg/yr", scale=1000.0),
    number("co2_emissions_current_kg_per_m2_yr", "co2_emissions_current_per_floor_area",
           "CO2-Emissions-Current-Per-Floor-Area", "kg/m2/yr"),
    number("co2_emissions_potential_kg_per_yr", "co2_emissions_potential",
           "CO2-Emissions-Potential", "kg/yr", "lodged in tonnes/yr", scale=1000.0),
    number("energy_consumption_current_kwh_per_m2_yr", "energy_consumption_current",
           "Energy-Consumption-Current", "kWh/m2/yr", "primary energy"),
    number("energy_consumption_potential_kwh_per_m2_yr", "energy_consumption_potential",
           "Energy-Consumption-Potential", "kWh/m2/yr"),
    number("heating_cost_current_gbp_per_yr", "heating_cost_current", "Heating-Cost-Current",
           "GBP/yr"),
    number("heating_cost_potential_gbp_per_yr", "heating_cost_potential",
           "Heating-Cost-Potential", "GBP/yr"),
    number("hot_water_cost_current_gbp_per_yr", "hot_water_cost_current",
           "Hot-Water-Cost-Current", "GBP/yr"),
    number("hot_water_cost_potential_gbp_per_yr", "hot_water_cost_potential",
           "Hot-Water-Cost-Potential", "GBP/yr"),
    number("lighting_cost_current_gbp_per_yr", "lighting_cost_current", "Lighting-Cost-Current",
           "GBP/yr"),
    number("lighting_cost_potential_gbp_per_yr", "lighting_cost_potential",
           "Lighting-Cost-Potential", "GBP/yr"),
    number("space_heating_kwh_per_yr", "renewable_heat_incentive.space_heating_existing_dwelling",
           "Renewable-Heat-Incentive/Space-Heating-Existing-Dwelling", "kWh/yr",
           "space heating demand of the existing dwelling"),
    number("water_heating_kwh_per_yr", "renewable_heat_incentive.water_heating",
           "Renewable-Heat-Incentive/Water-Heating", "kWh/yr", "water heating demand"),
    number("impact_of_loft_insulation_kwh_per_yr",
           "renewable_heat_incentive.impact_of_loft_insulation",
           "Renewable-Heat-Incentive/Impact-Of-Loft-Insulation", "kWh/yr"),
    number("impact_of_cavity_insulation_kwh_per_yr",
           "renewable_heat_incentive.impact_of_cavity_insulation",
           "Renewable-Heat-Incentive/Impact-Of-Cavity-Insulation", "kWh/yr"),
    number("impact_of_solid_wall_insulation_kwh_per_yr",
           "renewable_heat_incentive.impact_of_solid_wall_insulation",
           "Renewable-Heat-Incentive/Impact-Of-Solid-Wall-Insulation", "kWh/yr"),
    number("total_floor_area_m2", "total_floor_area", "Property-Summary/Total-Floor-Area", "m2",
           "lodged total floor area (an integer in the XML summary)"),
    text("dwelling_type", "dwelling_type", "Dwelling-Type", "e.g. 'Mid-terrace house'"),
)

_SUMMARY_ITEM = (
    text("element", "", "", "wall, roof, floor, window, main_heating, main_heating_controls, "
         "hot_water, lighting, secondary_heating, air_tightness"),
    text("description", "description", "Description"),
    integer("energy_efficiency_rating", "energy_efficiency_rating", "Energy-Efficiency-Rating",
            "", "0 N/A, 1 very poor ... 5 very good"),
    integer("environmental_efficiency_rating", "environmental_efficiency_rating",
            "Environmental-Efficiency-Rating"),
)

_DESCRIPTIONS: tuple[Column, ...] = (
    listing("property_summary", "", "", "Property-Summary",
            "the summary texts and their 0-5 ratings, one item per lodged element",
            _SUMMARY_ITEM, derived="property_summary"),
    *(derived("text", f"{name}_description", "description",
              doc=f"{name.replace('_', ' ')} description text(s), several joined with '; '")
      for name in ("walls", "roofs", "floors", "windows", "main_heating",
                   "main_heating_controls", "hot_water", "lighting", "secondary_heating")),
)

# ---------------------------------------------------------------------------------------------
# Physical RdSAP data (SAP-Data/SAP-Property-Details)
# ---------------------------------------------------------------------------------------------
_DWELLING: tuple[Column, ...] = (
    code("property_type", "property_type", "Property-Type",
         "PropertyTypeCode: 0 house, 1 bungalow, 2 flat, 3 maisonette, 4 park home"),
    code("built_form", "built_form", "Built-Form",
         "SAP-BuiltFormCode: 1 detached ... 6 enclosed mid-terrace, NR"),
    integer("extensions_count", "extensions_count", "Extensions-Count", "", "0-4"),
    integer("habitable_room_count", "habitable_room_count", "Habitable-Room-Count"),
    integer("heated_room_count", "heated_room_count", "Heated-Room-Count"),
    code("measurement_type", "measurement_type", "Measurement-Type", "1 internal, 2 external"),
    derived("int", "dwelling_storey_count", "dwelling_storey_count",
            doc="derived: most SAP-Floor-Dimension storeys (roof rooms, Floor 99, excluded) "
                "of any building part"),
    code("conservatory_type", "conservatory_type", "Conservatory-Type",
         "SAP-ConservatoryTypeCode: 1 none, 2 separated unheated, 3 separated heated, "
         "4 not separated"),
    derived("bool", "conservatory_double_glazed", "conservatory",
            doc="SAP-Integral-Conservatory/Double-Glazed"),
    derived("float", "conservatory_floor_area_m2", "conservatory", "m2"),
    derived("float", "conservatory_glazed_perimeter_m", "conservatory", "m"),
    derived("text", "conservatory_room_height", "conservatory",
            doc="ConservatoryHeightCode: 1, 1.5, 2, 2.5, 3 storeys"),
)

_LIGHTING: tuple[Column, ...] = (
    integer("led_fixed_lighting_bulbs_count", "led_fixed_lighting_bulbs_count",
            "LED-Fixed-Lighting-Bulbs-Count"),
    integer("cfl_fixed_lighting_bulbs_count", "cfl_fixed_lighting_bulbs_count",
            "CFL-Fixed-Lighting-Bulbs-Count"),
    integer("low_energy_fixed_lighting_bulbs_count", "low_energy_fixed_lighting_bulbs_count",
            "Low-Energy-Fixed-Lighting-Bulbs-Count",
            doc="RdSAP 10; for RdSAP 9.x the low-energy outlet count (inferred)"),
    integer("incandescent_fixed_lighting_bulbs_count", "incandescent_fixed_lighting_bulbs_count",
            "Incandescent-Fixed-Lighting-Bulbs-Count",
            doc="RdSAP 10; for RdSAP 9.x outlets minus low-energy outlets (inferred)"),
    integer("fixed_lighting_outlets_count", "fixed_lighting_outlets_count",
            "Fixed-Lighting-Outlets-Count", doc="RdSAP 9.x only"),
    integer("low_energy_fixed_lighting_outlets_count", "low_energy_fixed_lighting_outlets_count",
            "Low-Energy-Fixed-Lighting-Outlets-Count", doc="RdSAP 9.x only"),
    integer("low_energy_lighting_percent", "low_energy_lighting", "Low-Energy-Lighting", "%",
            "RdSAP 9.x only"),
)

_VENTILATION: tuple[Column, ...] = (
    integer("open_chimneys_count", "open_chimneys_count", "Open-Chimneys-Count",
            doc="RdSAP 9.x Open-Fireplaces-Count", alt=("open_fireplaces_count",)),
    integer("blocked_chimneys_count", "blocked_chimneys_count", "Blocked-Chimneys-Count"),
    integer("open_flues_count", "open_flues_count", "Open-Flues-Count"),
    integer("closed_flues_count", "closed_flues_count", "Closed-Flues-Count"),
    integer("boilers_flues_count", "boilers_flues_count", "Boilers-Flues-Count"),
    integer("other_flues_count", "other_flues_count", "Other-Flues-Count"),
    integer("extract_fans_count", "extract_fans_count", "Extract-Fans-Count"),
    integer("psv_count", "psv_count", "PSV-Count", doc="passive vents"),
    integer("flueless_gas_fires_count", "flueless_gas_fires_count", "Flueless-Gas-Fires-Count"),
    flag("has_draught_lobby", "has_draught_lobby", "Has-Draught-Lobby"),
    integer("percent_draughtproofed", "percent_draughtproofed", "Percent-Draughtproofed", "%"),
    code("pressure_test", "pressure_test", "Pressure-Test",
         "SAP-PressureTestCode: 4 no test, 6 measured at 50 Pa, 7 measured at 4 Pa"),
    number("air_permeability_m3_per_h_m2", "air_permeability", "Air-Permeability",
           "m3/(h.m2)"),
    code("mechanical_ventilation", "mechanical_ventilation", "Mechanical-Ventilation",
         "VentilationTypeCode (RdSAP 10): 0 natural, 1 MV, 2 MEV dc, 3 MEV c, 4 MVHR, "
         "5 PIV loft, 6 PIV outside"),
    index("mechanical_ventilation_index_number", "mechanical_ventilation_index_number",
          "Mechanical-Ventilation-Index-Number"),
    code("mechanical_vent_duct_type", "mechanical_vent_duct_type", "Mechanical-Vent-Duct-Type"),
    code("mechanical_vent_duct_placement", "mechanical_vent_duct_placement",
         "Mechanical-Vent-Duct-Placement"),
    code("mechanical_vent_duct_insulation", "mechanical_vent_duct_insulation",
         "Mechanical-Vent-Duct-Insulation", alt=("mechanical_ventilation_duct_insulation",)),
    code("mechanical_vent_duct_insulation_level", "mechanical_vent_duct_insulation_level",
         "Mechanical-Vent-Duct-Insulation-Level"),
    flag("mechanical_vent_measured_installation", "mechanical_vent_measured_installation",
         "Mechanical-Vent-Measured-Installation"),
    flag("is_mechanical_vent_approved_installer_scheme",
         "is_mechanical_vent_approved_installer_scheme",
         "Is-Mechanical-Vent-Approved-Installer-Scheme"),
    integer("kitchen_room_fans_count", "kitchen_room_fans_count", "Kitchen-Room-Fans-Count"),
    integer("non_kitchen_room_fans_count", "non_kitchen_room_fans_count",
            "Non-Kitchen-Room-Fans-Count"),
    integer("kitchen_duct_fans_count", "kitchen_duct_fans_count", "Kitchen-Duct-Fans-Count"),
    integer("non_kitchen_duct_fans_count", "non_kitchen_duct_fans_count",
            "Non-Kitchen-Duct-Fans-Count"),
    integer("kitchen_wall_fans_count", "kitchen_wall_fans_count", "Kitchen-Wall-Fans-Count"),
    integer("non_kitchen_wall_fans_count", "non_kitchen_wall_fans_count",
            "Non-Kitchen-Wall-Fans-Count"),
    integer("wet_rooms_count", "wet_rooms_count", "Wet-Rooms-Count"),
)

_DOORS_AND_GLAZING: tuple[Column, ...] = (
    integer("door_count", "door_count", "Door-Count"),
    integer("insulated_door_count", "insulated_door_count", "Insulated-Door-Count"),
    integer("draughtproofed_door_count", "draughtproofed_door_count",
            "Draughtproofed-Door-Count"),
    number("insulated_door_u_value", "insulated_door_u_value", "Insulated-Door-U-Value",
           "W/m2K"),
    integer("multiple_glazed_proportion", "multiple_glazed_proportion",
            "Multiple-Glazed-Proportion", "%"),
    code("multiple_glazing_type", "multiple_glazing_type", "Multiple-Glazing-Type",
         "SAP-GlazingTypeCode (RdSAP 9.x, windows not measured)"),
    code("glazed_area", "glazed_area", "Glazed-Area",
         "GlazedAreaCode: 1 normal, 2 more, 3 less, 4 much more, 5 much less than typical"),
    flag("pvc_window_frames", "pvc_window_frames", "PVC-Window-Frames", "RdSAP 9.x"),
    code("glazing_gap", "glazing_gap", "Glazing-Gap", "RdSAP 9.x dwelling-level glazing gap"),
    number("windows_u_value", "windows_transmission_details.u_value",
           "Windows-Transmission-Details/U-Value", "W/m2K", "when windows are not measured"),
    number("windows_solar_transmittance", "windows_transmission_details.solar_transmittance",
           "Windows-Transmission-Details/Solar-Transmittance", ""),
    code("windows_data_source", "windows_transmission_details.data_source",
         "Windows-Transmission-Details/Data-Source", "2 manufacturer, 4 BFRC"),
)

_FLAT: tuple[Column, ...] = (
    code("flat_location", "sap_flat_details.flat_location", "SAP-Flat-Details/Flat-Location",
         "BlockStoreyCode without leading zeros: -1 basement, 0 ground, 1 ... 20, 20+"),
    integer("flat_storey_count", "sap_flat_details.storey_count",
            "SAP-Flat-Details/Storey-Count", doc="storeys of the block"),
    code("flat_level", "sap_flat_details.level", "SAP-Flat-Details/Level",
         "FlatLevelCode: 0 basement, 1 ground, 2 mid, 3 top floor"),
    flag("top_storey", "sap_flat_details.top_storey", "SAP-Flat-Details/Top-Storey"),
    code("heat_loss_corridor", "sap_flat_details.heat_loss_corridor",
         "SAP-Flat-Details/Heat-Loss-Corridor", "0 none, 1 heated, 2 unheated, 3 stairwell"),
    number("unheated_corridor_length_m", "sap_flat_details.unheated_corridor_length",
           "SAP-Flat-Details/Unheated-Corridor-Length", "m"),
)

_WALL_FIELDS: tuple[Column, ...] = (
    code("wall_construction", "wall_construction", "Wall-Construction",
         "WallConstructionCode: 1 granite/whinstone, 2 sandstone/limestone, 3 solid brick, "
         "4 cavity, 5 timber frame, 6 basement, 7 curtain, 8 system built, 9 cob, 10 park home"),
    code("wall_insulation_type", "wall_insulation_type", "Wall-Insulation-Type",
         "WallInsulationCode: 1 external, 2 filled cavity, 3 internal, 4 as built, 5 unknown, "
         "6 filled cavity + external, 7 filled cavity + internal"),
    flag("wall_thickness_measured", "wall_thickness_measured", "Wall-Thickness-Measured"),
    integer("wall_thickness_mm", "wall_thickness", "Wall-Thickness", "mm"),
    flag("wall_dry_lined", "wall_dry_lined", "Wall-Dry-Lined"),
    number("wall_u_value", "wall_u_value", "Wall-U-Value", "W/m2K", "measured/known U-value"),
    code("wall_insulation_thickness", "wall_insulation_thickness", "Wall-Insulation-Thickness",
         "WallInsulationThicknessCode: NI, 10mm ... 200mm, measured"),
    number("wall_insulation_thickness_measured_mm", "wall_insulation_thickness_measured",
           "Wall-Insulation-Thickness-Measured", "mm"),
    code("wall_insulation_thermal_conductivity", "wall_insulation_thermal_conductivity",
         "Wall-Insulation-Thermal-Conductivity", "1 0.04, 2 0.03, 3 0.025 W/mK"),
)

_ALTERNATIVE_WALL: tuple[Column, ...] = (
    integer("alternative_wall_number", "", "", doc="1 or 2 (SAP-Alternative-Wall-1/-2)"),
    *_WALL_FIELDS,
    number("wall_area_m2", "wall_area", "Wall-Area", "m2"),
    flag("sheltered_wall", "sheltered_wall", "Sheltered-Wall",
         "wall to an unheated corridor or stairwell"),
)

_FLOOR_DIMENSION: tuple[Column, ...] = (
    code("floor", "floor", "Floor", "SAP-StoreyFloorCode: 0 lowest occupied ... 6, 99 roof rooms"),
    number("total_floor_area_m2", "total_floor_area", "Total-Floor-Area", "m2"),
    number("room_height_m", "room_height", "Room-Height", "m"),
    number("heat_loss_perimeter_m", "heat_loss_perimeter", "Heat-Loss-Perimeter", "m"),
    number("party_wall_length_m", "party_wall_length", "Party-Wall-Length", "m"),
    code("floor_construction", "floor_construction", "Floor-Construction",
         "0 unknown, 1 solid, 2 suspended timber, 3 suspended not timber, 4 basement"),
    code("floor_insulation", "floor_insulation", "Floor-Insulation",
         "0 unknown, 1 as built, 2 retro-fitted"),
)

_ROOM_IN_ROOF_SURFACE: tuple[Column, ...] = (
    text("surface", "", "", "flat_ceiling, stud_wall, slope, gable_wall or common_wall"),
    integer("number", "", "", doc="1 or 2"),
    number("length_m", "", "...-Length-n", "m"),
    number("height_m", "", "...-Height-n", "m"),
    number("area_m2", "", "...-Area-n", "m2", "RdSAP 9.x detailed room in roof"),
    number("u_value", "", "...-U-Value-n", "W/m2K"),
    code("insulation_thickness", "", "...-Insulation-Thickness-n",
         "RoofRoomInsulationThicknessCode"),
    code("insulation_type", "", "...-Insulation-Type-n", "0 mineral wool/EPS, 1 PUR/PIR"),
    code("insulation_location", "", "Flat-Ceiling-Insulation-Location-n",
         "RoofInsulationLocationCode"),
    code("gable_type", "", "Gable-Wall-Type-n",
         "GableType: 0 exposed, 1 party, 2 sheltered, 3 to heated space"),
)

_ROOM_IN_ROOF: tuple[Column, ...] = (
    number("floor_area_m2", "floor_area", "Floor-Area", "m2"),
    code("construction_age_band", "construction_age_band", "Construction-Age-Band"),
    text("room_in_roof_type", "", "",
         "'1' (Room-In-Roof-Type-1), '2' (Type-2), 'details' (Room-In-Roof-Details) or null"),
    code("insulation", "insulation", "Insulation", "SAP-RoomInRoofInsulationCode (RdSAP 9.x)"),
    flag("roof_room_connected", "roof_room_connected", "Roof-Room-Connected", "RdSAP 9.x"),
    code("roof_insulation_thickness", "roof_insulation_thickness", "Roof-Insulation-Thickness",
         "RdSAP 9.x flat-ceiling insulation of the roof rooms"),
    listing("surfaces", "", "", "Room-In-Roof-Type-1/-2, Room-In-Roof-Details",
            "the room-in-roof surfaces as lodged", _ROOM_IN_ROOF_SURFACE),
)

_BUILDING_PART: tuple[Column, ...] = (
    integer("building_part_number", "building_part_number", "Building-Part-Number",
            doc="1 is the main dwelling"),
    text("identifier", "identifier", "Identifier"),
    code("construction_age_band", "construction_age_band", "Construction-Age-Band",
         "ConstructionDateCode A-M, 0, NR"),
    *_WALL_FIELDS,
    code("party_wall_construction", "party_wall_construction", "Party-Wall-Construction",
         "PartyWallConstructionCode: 0 unable to determine, 1 solid, 2 cavity unfilled, "
         "3 filled, 4 filled and sealed, NA, NI"),
    listing("alternative_walls", "", "", "SAP-Alternative-Wall-1/-2",
            "alternative walls of the part (RdSAP 9.x: one SAP-Alternative-Wall)",
            _ALTERNATIVE_WALL, derived="alternative_walls"),
    code("roof_construction", "roof_construction", "Roof-Construction",
         "RoofTypeCode: 0 none, 1 flat, 3 dwelling above, 4 pitched loft access, 5 pitched no "
         "access, 6 thatch, 7 same dwelling above, 8 sloping ceiling, 9 non-residential above"),
    code("roof_insulation_location", "roof_insulation_location", "Roof-Insulation-Location",
         "RoofInsulationLocationCode: 1 rafters, 2 joists, 4 unknown, 5 none, 6 flat roof, "
         "7 sloping ceiling"),
    number("roof_u_value", "roof_u_value", "Roof-U-Value", "W/m2K"),
    code("roof_insulation_thickness", "roof_insulation_thickness", "Roof-Insulation-Thickness",
         "RoofInsulationThicknessCode: NI, 0, 12mm ... 400mm+"),
    code("rafter_insulation_thickness", "rafter_insulation_thickness",
         "Rafter-Insulation-Thickness"),
    code("flat_roof_insulation_thickness", "flat_roof_insulation_thickness",
         "Flat-Roof-Insulation-Thickness"),
    code("sloping_ceiling_insulation_thickness", "sloping_ceiling_insulation_thickness",
         "Sloping-Ceiling-Insulation-Thickness"),
    code("floor_heat_loss", "floor_heat_loss", "Floor-Heat-Loss",
         "HeatLossFloorCode: 1 exposed, 2/3 semi-exposed, 6 other flat below, 7 ground, "
         "8 same dwelling below"),
    number("floor_u_value", "floor_u_value", "Floor-U-Value", "W/m2K"),
    code("floor_insulation_thickness", "floor_insulation_thickness",
         "Floor-Insulation-Thickness", "FloorInsulationThicknessCode: NI, 25mm ... 200mm"),
    listing("floor_dimensions", "sap_floor_dimensions", "sap_floor_dimension",
            "SAP-Floor-Dimensions", "one item per storey", _FLOOR_DIMENSION),
    struct("room_in_roof", "sap_room_in_roof", "SAP-Room-In-Roof", "room(s) in roof, if any",
           _ROOM_IN_ROOF, derived="room_in_roof"),
)

_WINDOW: tuple[Column, ...] = (
    code("window_location", "window_location", "Window-Location",
         "BuildingPartCode: 0 main property, 1-4 extensions"),
    number("window_area_m2", "window_area", "Window-Area", "m2", "RdSAP 9.x"),
    number("window_height_m", "window_height", "Window-Height", "m"),
    number("window_width_m", "window_width", "Window-Width", "m"),
    code("glazing_type", "glazing_type", "Glazing-Type", "SAP-GlazingTypeCode 1-15, ND"),
    code("window_type", "window_type", "Window-Type", "1 window, 2 roof window"),
    code("orientation", "orientation", "Orientation",
         "SAP-OrientationCode: 0 unknown, 1 N ... 8 NW, 9 horizontal"),
    flag("draught_proofed", "draught_proofed", "Draught-Proofed"),
    flag("pvc_frame", "pvc_frame", "PVC-Frame", "true: wood or PVC, false: metal"),
    code("glazing_gap", "glazing_gap", "Glazing-Gap", "6, 12, 16+"),
    number("frame_factor", "frame_factor", "Frame-Factor", ""),
    code("window_wall_type", "window_wall_type", "Window-Wall-Type", "WindowWallTypeCode 1-8"),
    number("u_value", "window_transmission_details.u_value",
           "Window-Transmission-Details/U-Value", "W/m2K"),
    number("solar_transmittance", "window_transmission_details.solar_transmittance",
           "Window-Transmission-Details/Solar-Transmittance", ""),
    code("transmission_data_source", "window_transmission_details.data_source",
         "Window-Transmission-Details/Data-Source", "2 manufacturer, 4 BFRC"),
    flag("permanent_shutters_present", "permanent_shutters_present",
         "Permanent-Shutters-Present"),
    flag("permanent_shutters_insulated", "permanent_shutters_insulated",
         "Permanent-Shutters-Insulated"),
)

_STORAGE_HEATER: tuple[Column, ...] = (
    integer("number_of_heaters", "number_of_heaters", "Number-Of-Heaters"),
    index("index_number", "index_number", "Index-Number"),
    flag("high_heat_retention", "high_heat_retention", "High-Heat-Retention"),
)

_MAIN_HEATING: tuple[Column, ...] = (
    integer("main_heating_number", "main_heating_number", "Main-Heating-Number", doc="1 or 2"),
    code("main_heating_category", "main_heating_category", "Main-Heating-Category",
         "SAP-MainHeatingCategoryCode: 1 none, 2 boiler, 3 micro-CHP, 4 HP wet, 5 HP warm air, "
         "6 community, 7 storage, 8 electric UFH, 9 warm air, 10 room heaters, 11 other"),
    code("main_fuel_type", "main_fuel_type", "Main-Fuel-Type",
         "HeatingFuelTypeCode (RdSAP numbering: 26 mains gas, 29 electricity ...)"),
    code("main_heating_control", "main_heating_control", "Main-Heating-Control",
         "SAP Table 4e control code, 2000-2999"),
    index("main_heating_index_number", "main_heating_index_number",
          "Main-Heating-Index-Number", "PCDB index, leading zeros dropped"),
    code("main_heating_data_source", "main_heating_data_source", "Main-Heating-Data-Source",
         "1 PCDB, 2 SAP table"),
    code("sap_main_heating_code", "sap_main_heating_code", "SAP-Main-Heating-Code",
         "SAP Table 4a/4b code"),
    code("boiler_ignition_type", "boiler_ignition_type", "Boiler-Ignition-Type",
         "1 auto, 2 permanent pilot"),
    code("boiler_flue_type", "boiler_flue_type", "Boiler-Flue-Type", "1 open, 2 room-sealed"),
    flag("fan_flue_present", "fan_flue_present", "Fan-Flue-Present"),
    code("heat_emitter_type", "heat_emitter_type", "Heat-Emitter-Type",
         "0 none, 1 radiators, 2 underfloor, 3 fan coils, 4 radiators and underfloor"),
    code("emitter_temperature", "emitter_temperature", "Emitter-Temperature",
         "EmitterTemperatureCode: 0 unknown, 1 >45C, 3 35-45C, 4 <=35C, NA"),
    number("main_heating_fraction", "main_heating_fraction", "Main-Heating-Fraction", "",
           "fraction of floor area served"),
    flag("has_fghrs", "has_fghrs", "Has-FGHRS"),
    index("fghrs_index_number", "fghrs_index_number", "FGHRS-Index-Number"),
    number("fghrs_pv_peak_power_kw", "fghrs_pv_peak_power", "FGHRS-PV-Peak-Power", "kWp"),
    code("fghrs_pv_orientation", "fghrs_pv_orientation", "FGHRS-PV-Orientation"),
    code("fghrs_pv_pitch", "fghrs_pv_pitch", "FGHRS-PV-Pitch"),
    code("fghrs_pv_overshading", "fghrs_pv_overshading", "FGHRS-PV-Overshading"),
    index("compensating_controller_index_number", "compensating_controller_index_number",
          "Compensating-Controller-Index-Number"),
    index("ttzc_index_number", "ttzc_index_number", "TTZC-Index-Number"),
    index("community_heat_network_index_number", "community_heat_network_index_number",
          "Community-Heat-Network-Index-Number"),
    text("community_heat_sub_network_name", "community_heat_sub_network_name",
         "Community-Heat-Sub-Network-Name"),
    code("community_heat_distribution_type", "community_heat_distribution_type",
         "Community-Heat-Distribution-Type"),
    code("community_heat_chp_electricity_generation",
         "community_heat_chp_electricity_generation", "Community-Heat-CHP-Electricity-Generation"),
    flag("mcs_installed_heat_pump", "mcs_installed_heat_pump", "MCS-Installed-Heat-Pump"),
    code("central_heating_pump_age", "central_heating_pump_age", "Central-Heating-Pump-Age",
         "0 unknown, 1 2012 or earlier, 2 2013 or later"),
    listing("storage_heaters", "storage_heaters", "storage_heater", "Storage-Heaters",
            "PCDB storage heaters", _STORAGE_HEATER),
)

_HEATING: tuple[Column, ...] = (
    listing("main_heating", "sap_heating.main_heating_details", "main_heating",
            "SAP-Heating/Main-Heating-Details", "main heating systems 1 and 2", _MAIN_HEATING),
    code("secondary_heating_type", "sap_heating.secondary_heating_type",
         "Secondary-Heating-Type", "SAP Table 4a room heater code"),
    code("secondary_fuel_type", "sap_heating.secondary_fuel_type", "Secondary-Fuel-Type"),
    flag("has_fixed_air_conditioning", "sap_heating.has_fixed_air_conditioning",
         "SAP-Heating/Has-Fixed-Air-Conditioning", alt=("has_fixed_air_conditioning",)),
    code("water_heating_code", "sap_heating.water_heating_code", "Water-Heating-Code",
         "SAP Table 4a water heating code, 900-999"),
    code("water_heating_fuel", "sap_heating.water_heating_fuel", "Water-Heating-Fuel"),
    code("immersion_heating_type", "sap_heating.immersion_heating_type",
         "Immersion-Heating-Type", "1 dual, 2 single, NA"),
    code("cylinder_size", "sap_heating.cylinder_size", "Cylinder-Size",
         "CylinderSizeCode: 0 no access, 1 none, 2 normal, 3 medium, 4 large, 5 solar, "
         "6 measured"),
    number("cylinder_size_measured_l", "sap_heating.cylinder_size_measured",
           "Cylinder-Size-Measured", "litres"),
    code("cylinder_insulation_type", "sap_heating.cylinder_insulation_type",
         "Cylinder-Insulation-Type", "0 none, 1 factory-applied, 2 loose jacket"),
    code("cylinder_insulation_thickness", "sap_heating.cylinder_insulation_thickness",
         "Cylinder-Insulation-Thickness", "CylinderThicknessCode, mm"),
    number("cylinder_heat_loss_kwh_per_day", "sap_heating.cylinder_heat_loss",
           "Cylinder-Heat-Loss", "kWh/day"),
    flag("cylinder_thermostat", "sap_heating.cylinder_thermostat", "Cylinder-Thermostat"),
    flag("has_hot_water_cylinder", "has_hot_water_cylinder",
         "Property-Summary/Has-Hot-Water-Cylinder"),
    index("community_dhw_network_index_number", "sap_heating.community_dhw_network_index_number",
          "Community-DHW-Network-Index-Number"),
    text("community_dhw_sub_network_name", "sap_heating.community_dhw_sub_network_name",
         "Community-DHW-Sub-Network-Name"),
    code("community_dhw_distribution_type", "sap_heating.community_dhw_distribution_type",
         "Community-DHW-Distribution-Type"),
    code("community_dhw_chp_electricity_generation",
         "sap_heating.community_dhw_chp_electricity_generation",
         "Community-DHW-CHP-Electricity-Generation"),
)

_SOLAR_WATER: tuple[Column, ...] = (
    flag("solar_water_heating", "solar_water_heating", "Solar-Water-Heating"),
    struct("solar_water_heating_details", "sap_heating.solar_water_heating_details",
           "Solar-Water-Heating-Details", "collector and store, when known", (
               code("collector_data_source", "solar_panel_collector_data_source",
                    "Solar-Panel-Collector-Data-Source", "1 default, 2 declared"),
               code("collector_orientation", "solar_panel_collector_orientation",
                    "Solar-Panel-Collector-Orientation"),
               code("collector_pitch", "solar_panel_collector_pitch",
                    "Solar-Panel-Collector-Pitch"),
               code("collector_overshading", "solar_panel_collector_overshading",
                    "Solar-Panel-Collector-Overshading"),
               code("solar_water_pump", "solar_water_pump", "Solar-Water-Pump"),
               flag("store_volume_details_known", "store_volume_details_known",
                    "Store-Volume-Details-Known"),
               number("aperture_area_m2", "solar_collector_details.aperture_area",
                      "Aperture-Area", "m2"),
               code("collector_type", "solar_collector_details.collector_type",
                    "Collector-Type", "1 unglazed, 2 flat panel, 3 evacuated tube"),
               number("zero_loss_efficiency_percent",
                      "solar_collector_details.zero_loss_efficiency", "Zero-Loss-Efficiency",
                      "%"),
               number("heat_loss_rate", "solar_collector_details.heat_loss_rate",
                      "Heat-Loss-Rate", "W/m2K"),
               number("linear_heat_loss_coefficient",
                      "solar_collector_details.linear_heat_loss_coefficient",
                      "Linear-Heat-Loss-Coefficient", "W/m2K"),
               number("second_order_heat_loss_coefficient",
                      "solar_collector_details.second_order_heat_loss_coefficient",
                      "Second-Order-Heat-Loss-Coefficient", "W/m2K2"),
               number("total_store_volume_l", "solar_volume_details.total_store_volume",
                      "Total-Store-Volume", "litres"),
               number("dedicated_solar_volume_l", "solar_volume_details.dedicated_solar_volume",
                      "Dedicated-Solar-Volume", "litres"),
               flag("combined_cylinder", "solar_volume_details.combined_cylinder",
                    "Combined-Cylinder"),
               code("shower_types", "shower_types", "Shower-Types"),
               number("collector_loop_efficiency", "collector_loop_efficiency",
                      "Collector-Loop-Efficiency", ""),
               number("incidence_angle_modifier", "incidence_angle_modifier",
                      "Incidence-Angle-Modifier", ""),
               flag("is_community_solar", "is_community_solar", "Is-Community-Solar"),
               code("service_provision", "service_provision", "Service-Provision"),
               number("overall_heat_loss", "overall_heat_loss", "Overall-Heat-Loss", "W/K"),
           )),
)

_SHOWERS_AND_BATHS: tuple[Column, ...] = (
    listing("shower_outlets", "sap_heating.shower_outlets", "shower_outlet", "Shower-Outlets",
            "RdSAP 10 shower outlets", (
                code("shower_outlet_type", "shower_outlet_type", "Shower-Outlet-Type",
                     "ShowerTypeCode"),
                code("shower_wwhrs", "shower_wwhrs", "Shower-WWHRS", "ShowerWWHRSCode"),
            )),
    integer("number_baths", "sap_heating.number_baths", "Number-Baths"),
    integer("number_baths_wwhrs", "sap_heating.number_baths_wwhrs", "Number-Baths-WWHRS"),
    index("wwhrs_index_number_1", "sap_heating.instantaneous_wwhrs.wwhrs_index_number1",
          "Instantaneous-WWHRS/WWHRS-Index-Number1"),
    index("wwhrs_index_number_2", "sap_heating.instantaneous_wwhrs.wwhrs_index_number2",
          "Instantaneous-WWHRS/WWHRS-Index-Number2"),
    integer("rooms_with_bath_and_or_shower",
            "sap_heating.instantaneous_wwhrs.rooms_with_bath_and_or_shower",
            "Rooms-With-Bath-And-Or-Shower", doc="RdSAP 9.x"),
    integer("rooms_with_mixer_shower_no_bath",
            "sap_heating.instantaneous_wwhrs.rooms_with_mixer_shower_no_bath",
            "Rooms-With-Mixer-Shower-No-Bath", doc="RdSAP 9.x"),
    integer("rooms_with_bath_and_mixer_shower",
            "sap_heating.instantaneous_wwhrs.rooms_with_bath_and_mixer_shower",
            "Rooms-With-Bath-And-Mixer-Shower", doc="RdSAP 9.x"),
    integer("mixer_showers_with_system1_with_bath",
            "sap_heating.instantaneous_wwhrs.mixer_showers_with_system1_with_bath",
            "Mixer-Showers-With-System1-With-Bath", doc="RdSAP 9.x"),
    integer("mixer_showers_with_system1_without_bath",
            "sap_heating.instantaneous_wwhrs.mixer_showers_with_system1_without_bath",
            "Mixer-Showers-With-System1-Without-Bath", doc="RdSAP 9.x"),
    integer("mixer_showers_with_system2_with_bath",
            "sap_heating.instantaneous_wwhrs.mixer_showers_with_system2_with_bath",
            "Mixer-Showers-With-System2-With-Bath", doc="RdSAP 9.x"),
    integer("mixer_showers_with_system2_without_bath",
            "sap_heating.instantaneous_wwhrs.mixer_showers_with_system2_without_bath",
            "Mixer-Showers-With-System2-Without-Bath", doc="RdSAP 9.x"),
    index("storage_wwhrs_index_number", "sap_heating.storage_wwhrs.wwhrs_index_number",
          "Storage-WWHRS/WWHRS-Index-Number"),
    number("storage_wwhrs_store_volume_l", "sap_heating.storage_wwhrs.wwhrs_store_volume",
           "Storage-WWHRS/WWHRS-Store-Volume", "litres"),
    integer("storage_wwhrs_total_showers_and_baths",
            "sap_heating.storage_wwhrs.total_showers_and_baths",
            "Storage-WWHRS/Total-Showers-And-Baths", doc="RdSAP 9.x"),
    integer("storage_wwhrs_showers_and_baths_to_wwhrs",
            "sap_heating.storage_wwhrs.showers_and_baths_to_wwhrs",
            "Storage-WWHRS/Showers-And-Baths-To-WWHRS", doc="RdSAP 9.x"),
)

_ENERGY_SOURCE: tuple[Column, ...] = (
    code("meter_type", "sap_energy_source.meter_type", "Meter-Type",
         "ElectricMeterTypeCode: 1 dual, 2 single, 3 unknown, 4 dual 24h, 5 18h, 6 10h"),
    code("mains_gas", "sap_energy_source.mains_gas", "Mains-Gas", "Y, N, NR"),
    flag("electricity_smart_meter_present", "sap_energy_source.electricity_smart_meter_present",
         "Electricity-Smart-Meter-Present"),
    flag("gas_smart_meter_present", "sap_energy_source.gas_smart_meter_present",
         "Gas-Smart-Meter-Present"),
    flag("is_dwelling_export_capable", "sap_energy_source.is_dwelling_export_capable",
         "Is-Dwelling-Export-Capable"),
    integer("pv_percent_roof_area",
            "sap_energy_source.photovoltaic_supply.none_or_no_details.percent_roof_area",
            "Photovoltaic-Supply/None-Or-No-Details/Percent-Roof-Area", "%",
            "PV area as % of roof area when no array details; 0 = no PV"),
    listing("pv_arrays", "sap_energy_source.photovoltaic_supply.pv_arrays", "pv_array",
            "Photovoltaic-Supply/PV-Arrays", "up to three PV arrays", (
                number("peak_power_kw", "peak_power", "Peak-Power", "kWp"),
                code("orientation", "orientation", "Orientation",
                     "SAP-CompassDirectionCode 1 N ... 8 NW, ND"),
                code("pitch", "pitch", "Pitch",
                     "SAP-VerticalPitchCode: 1 horizontal, 2 30, 3 45, 4 60 degrees, 5 vertical"),
                code("overshading", "overshading", "Overshading",
                     "1 none, 2 modest, 3 significant, 4 heavy, 5 severe"),
                code("pv_connection", "pv_connection", "PV-Connection", "RdSAP 9.x per array"),
            )),
    code("pv_connection", "sap_energy_source.pv_connection", "PV-Connection",
         "0 none, 1 not connected to the dwelling's meter, 2 connected",
         alt=("sap_energy_source.photovoltaic_supply.none_or_no_details.pv_connection",)),
    flag("pv_diverter", "sap_energy_source.pv_diverter", "PV-Diverter"),
    integer("pv_battery_count", "sap_energy_source.pv_battery_count", "PV-Battery-Count"),
    derived("float_list", "pv_battery_capacities_kwh", "pv_batteries", "kWh",
            "PV-Batteries/PV-Battery/Battery-Capacity"),
    integer("wind_turbines_count", "sap_energy_source.wind_turbines_count",
            "Wind-Turbines-Count"),
    code("wind_turbines_terrain_type", "sap_energy_source.wind_turbines_terrain_type",
         "Wind-Turbines-Terrain-Type", "1 urban, 2 suburban, 3 rural, 4 not recorded"),
    number("wind_turbine_rotor_diameter_m",
           "sap_energy_source.wind_turbine_details.rotor_diameter",
           "Wind-Turbine-Details/Rotor-Diameter", "m"),
    number("wind_turbine_hub_height_m", "sap_energy_source.wind_turbine_details.hub_height",
           "Wind-Turbine-Details/Hub-Height", "m"),
    number("hydro_electric_generation_kwh_per_yr", "sap_energy_source.hydro_electric_generation",
           "Hydro-Electric-Generation", "kWh/yr"),
    flag("is_hydro_output_connected_to_dwelling_meter",
         "sap_energy_source.is_hydro_output_connected_to_dwelling_meter",
         "Is-Hydro-Output-Connected-To-Dwelling-Meter"),
)

_AUDIT: tuple[Column, ...] = (
    derived("raw", "raw_document", "raw_document",
            doc="the document verbatim (XML text, JSON line or CSV row)"),
    derived("string_list", "inferred_fields", "inferred_fields",
            doc="columns filled by inference rather than read as lodged (column paths)"),
    Column(name="code_mappings", kind="mappings", derived="code_mappings",
           doc="old-schema codes translated to RdSAP 10 codes: field, original, mapped"),
    derived("map", "csv_extra", "csv_extra",
            doc="CSV summary rows: the columns without another home, verbatim"),
)

#: Every column of :data:`CERTIFICATE_SCHEMA`, in order.
COLUMNS: tuple[Column, ...] = (
    _METADATA + _LODGED + _DESCRIPTIONS
    + (listing("building_parts", "sap_building_parts", "sap_building_part",
               "SAP-Building-Parts", "main dwelling (part 1) and extensions", _BUILDING_PART),)
    + _DWELLING + _LIGHTING + _VENTILATION + _DOORS_AND_GLAZING + _FLAT
    + (listing("windows", "sap_windows", "sap_window", "SAP-Windows",
               "measured windows", _WINDOW),)
    + _HEATING + _SOLAR_WATER + _SHOWERS_AND_BATHS + _ENERGY_SOURCE + _AUDIT
)

_SCALAR_TYPES: dict[str, pa.DataType] = {
    "code": pa.string(), "index": pa.string(), "text": pa.string(), "int": pa.int32(),
    "float": pa.float64(), "bool": pa.bool_(), "date": pa.date32(), "uprn": pa.int64(),
    "sap_version": pa.string(), "raw": pa.large_string(),
    "float_list": pa.list_(pa.float64()), "string_list": pa.list_(pa.string()),
    "map": pa.map_(pa.string(), pa.string()),
    "mappings": pa.list_(pa.struct([("field", pa.string()), ("original", pa.string()),
                                    ("mapped", pa.string())])),
}


def _arrow_field(column: Column) -> pa.Field:
    if column.kind in ("list", "struct"):
        members = pa.struct([_arrow_field(c) for c in column.fields])
        type_: pa.DataType = pa.list_(members) if column.kind == "list" else members
    else:
        type_ = _SCALAR_TYPES[column.kind]
    metadata = {key: value for key, value in (("element", column.element),
                                               ("unit", column.unit), ("doc", column.doc))
                if value}
    return pa.field(column.name, type_, nullable=True, metadata=metadata or None)


#: The Arrow schema of certificate data (see the module docstring).
CERTIFICATE_SCHEMA: pa.Schema = pa.schema(
    [_arrow_field(c) for c in COLUMNS],
    metadata={"ara.schema": "CERTIFICATE_SCHEMA",
              "ara.schema_version": CERTIFICATE_SCHEMA_VERSION,
              "ara.reference": "RdSAP-Schema-21.0.1 SAP-Data/SAP-Property-Details"},
)


def column_paths(columns: tuple[Column, ...] = COLUMNS, prefix: str = "") -> list[str]:
    """Every column and struct member path (``building_parts[].floor_dimensions[].floor``)."""
    out: list[str] = []
    for column in columns:
        name = f"{prefix}{column.name}"
        out.append(name)
        if column.fields:
            inner = f"{name}[]." if column.kind == "list" else f"{name}."
            out += column_paths(column.fields, inner)
    return out
