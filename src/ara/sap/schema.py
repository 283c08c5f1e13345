"""The calculator input: a versioned Arrow schema of everything SAP 10.2 needs for a dwelling.

Each field carries metadata: ``unit``, ``description`` and, for coded fields, ``codes`` (the
code meanings, taken from the register's SAP-Schema-19.1.0 enumerations where one exists) and
``line`` (the SAP 10.2 worksheet line the field feeds).

Conventions
-----------
* One row per dwelling. Flat columns for dwelling-wide data; list columns for building
  elements, openings, storeys, thermal bridges, showers and fixed lighting.
* Null in an optional field means "not given": the calculator applies the documented SAP
  default (named in the field's description), never a silent zero.
* Areas in m2, lengths in m, U-values in W/m2K, kappa in kJ/m2K, flow in m3/h.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

SCHEMA_VERSION = "1.5.0"


def _f(
    name: str,
    type_: pa.DataType,
    description: str,
    *,
    unit: str = "",
    line: str = "",
    codes: dict[int, str] | None = None,
    nullable: bool = True,
    required: bool = False,
) -> pa.Field:
    meta: dict[str, str] = {"description": description, "required": str(required).lower()}
    if unit:
        meta["unit"] = unit
    if line:
        meta["line"] = line
    if codes:
        meta["codes"] = json.dumps({str(k): v for k, v in codes.items()})
    return pa.field(name, type_, nullable=nullable, metadata=meta)


ELEMENT_KIND_CODES: dict[int, str] = {
    1: "external wall (29a); a wall to an unheated space is given with its adjusted U",
    2: "basement wall (29)",
    3: "roof (30)",
    4: "ground floor (28a)",
    5: "basement floor (28)",
    6: "exposed floor (28b)",
    7: "party wall (32)",
    8: "party floor (32a, heat capacity only)",
    9: "party ceiling (32b, heat capacity only)",
    10: "internal wall (32c, heat capacity only)",
    11: "internal floor (32d, heat capacity only)",
    12: "internal ceiling (32e, heat capacity only)",
}

OPENING_KIND_CODES: dict[int, str] = {
    1: "door (26)",
    2: "window (27)",
    3: "roof window (27a)",
    4: "rooflight (27a)",
}

ORIENTATION_CODES: dict[int, str] = {
    0: "unknown (treated as east/west average per SAP: not allowed for glazing in this engine)",
    1: "North",
    2: "North East",
    3: "East",
    4: "South East",
    5: "South",
    6: "South West",
    7: "West",
    8: "North West",
    9: "Horizontal",
}

OVERSHADING_CODES: dict[int, str] = {
    1: "very little",
    2: "average or unknown",
    3: "more than average",
    4: "heavy",
}

SOLAR_OVERSHADING_CODES: dict[int, str] = {
    1: "none or very little",
    2: "modest",
    3: "significant",
    4: "heavy",
    5: "severe (no Table H2 value in spec/: rejected)",
}

PRESSURE_TEST_CODES: dict[int, str] = {
    1: "yes (new dwelling, value measured in this dwelling)",
    2: "yes (new dwelling, design value)",
    3: "no test, value assumed for calculation (new dwelling)",
    4: "no test, SAP algorithm used (existing dwelling)",
    5: "average for other dwellings of the same type (new dwelling)",
    6: "yes (existing dwelling)",
    7: "yes (measured value) - low-pressure pulse (not supported yet)",
}

VENTILATION_TYPE_CODES: dict[int, str] = {
    1: "natural with intermittent extract fans",
    2: "natural with passive vents",
    3: "positive input from loft",
    4: "positive input from outside",
    5: "mechanical extract, centralised (MEV c)",
    6: "mechanical extract, decentralised (MEV dc)",
    7: "balanced without heat recovery (MV)",
    8: "balanced with heat recovery (MVHR)",
    9: "natural with intermittent extract fans and/or passive vents",
    10: "natural with intermittent extract fans and passive vents",
}

HOT_WATER_DELIVERY_CODES: dict[int, str] = {
    1: "instantaneous at point of use (no distribution loss, (46) = 0)",
    2: "combi boiler, instantaneous (combi loss Table 3a/3b, (61))",
    3: "hot water cylinder or other store (storage loss (56), primary loss (59))",
    4: "instantaneous multi-point heater serving several taps (distribution loss (46); no "
       "store, no primary or combi loss)",
}

COMBI_KEEP_HOT_CODES: dict[int, str] = {
    0: "no keep-hot facility (Table 3a row 1)",
    1: "keep-hot facility controlled by time clock (Table 3a row 3)",
    2: "keep-hot facility not controlled by time clock (Table 3a row 4)",
}

PIPEWORK_INSULATION_CODES: dict[int, str] = {
    1: "not insulated",
    2: "first 1 metre from cylinder insulated",
    3: "all accessible pipework insulated",
    4: "fully insulated",
}

SHOWER_WWHRS_CODES: dict[int, str] = {  # SAP-Schema ShowerWWHRSCode
    1: "none",
    2: "instantaneous WWHRS 1",
    3: "instantaneous WWHRS 2",
    4: "storage WWHRS (not supported: refused)",
}

SHOWER_OUTLET_CODES: dict[int, str] = {
    1: "vented hot water system",
    2: "vented hot water system + pump",
    3: "unvented hot water system",
    4: "instantaneous electric shower",
    5: "Part G 2015 compliant",
}

HEATING_CONTROL_TYPE_CODES: dict[int, str] = {
    1: "Table 9 control type 1",
    2: "Table 9 control type 2",
    3: "Table 9 control type 3",
}

PUMP_AGE_CODES: dict[int, str] = {0: "unknown", 1: "2012 or earlier", 2: "2013 or later"}

ELEMENT_TYPE = pa.struct(
    [
        _f("kind", pa.int8(), "element kind", codes=ELEMENT_KIND_CODES, nullable=False),
        _f("gross_area_m2", pa.float64(), "gross area, before openings are deducted",
           unit="m2", nullable=False),
        _f("u_value", pa.float64(), "U-value", unit="W/m2K", nullable=False),
        _f("kappa_kj_per_m2k", pa.float64(), "heat capacity per area (kappa); null = 0",
           unit="kJ/m2K", line="34"),
        _f("thermal_bridging_y", pa.float64(),
           "y-value of the building part this element belongs to; (36) adds y x area for "
           "exposed elements; null = 0 (bridges given as lengths instead)", unit="W/m2K",
           line="36"),
    ]
)

OPENING_TYPE = pa.struct(
    [
        _f("kind", pa.int8(), "opening kind", codes=OPENING_KIND_CODES, nullable=False),
        _f("area_m2", pa.float64(), "opening area (frame included)", unit="m2", nullable=False),
        _f("u_value", pa.float64(),
           "U-value as tested/tabulated; windows, roof windows and rooflights get the "
           "curtain correction 1/(1/U + 0.04) (SAP 10.2 section 3.2)", unit="W/m2K",
           nullable=False),
        _f("g_perpendicular", pa.float64(), "total solar energy transmittance at normal "
           "incidence (Table 6b); ignored for doors", unit="1"),
        _f("light_transmittance", pa.float64(), "light transmittance g_L (Table 6b), for the "
           "Appendix L daylight factor; ignored for doors", unit="1"),
        _f("frame_factor", pa.float64(), "frame factor (Table 6c); ignored for doors", unit="1"),
        _f("glazing_type", pa.int8(), "SAP-GlazingTypeCode; fills g_perpendicular and "
           "light_transmittance from Table 6b when those are null"),
        _f("frame_type", pa.int8(), "SAP-FrameTypeCode; fills frame_factor from Table 6c when "
           "it is null"),
        _f("orientation", pa.int8(), "orientation", codes=ORIENTATION_CODES),
        _f("tilt_deg", pa.float64(), "tilt from horizontal; null = 90 for windows and doors, "
           "0 for rooflights", unit="degree"),
        _f("host_element", pa.int16(), "0-based index into this dwelling's elements of the "
           "element whose gross area the opening is deducted from; null = none"),
        _f("thermal_bridging_y", pa.float64(), "y-value of the opening's building part; null "
           "= 0", unit="W/m2K", line="36"),
    ]
)

STOREY_TYPE = pa.struct(
    [
        _f("level", pa.int8(), "storey (SAP-StoreyFloorCode: -1 lower ground, 0 ground, 1..6, "
           "99 roof rooms)", nullable=False),
        _f("floor_area_m2", pa.float64(), "internal floor area", unit="m2", line="1",
           nullable=False),
        _f("storey_height_m", pa.float64(), "average storey height", unit="m", line="2",
           nullable=False),
    ]
)

THERMAL_BRIDGE_TYPE = pa.struct(
    [
        _f("length_m", pa.float64(), "junction length", unit="m", nullable=False),
        _f("psi_w_per_mk", pa.float64(), "linear thermal transmittance", unit="W/mK",
           nullable=False),
    ]
)

SHOWER_TYPE = pa.struct(
    [
        _f("outlet_type", pa.int8(), "shower outlet", codes=SHOWER_OUTLET_CODES,
           nullable=False),
        _f("flow_rate_l_per_min", pa.float64(), "mixer shower flow rate (required for mixer "
           "showers: Table J4 defaults are not transcribed)", unit="l/min"),
        _f("power_kw", pa.float64(), "electric shower rating; null = 9.3 kW (Table J4)",
           unit="kW"),
    ]
)

LIGHT_TYPE = pa.struct(
    [
        _f("count", pa.int32(), "number of outlets of this kind", nullable=False),
        _f("power_w", pa.float64(), "power per outlet", unit="W", nullable=False),
        _f("efficacy_lm_per_w", pa.float64(), "luminous efficacy", unit="lm/W", nullable=False),
    ]
)


HP_PSR_POINT_TYPE = pa.struct(
    [
        _f("psr", pa.float64(), "plant size ratio of the record's dataset", unit="1",
           nullable=False),
        _f("space_efficiency_percent", pa.float64(), "space heating efficiency at this PSR "
           "(for the dwelling's flow temperature)", unit="%", nullable=False),
        _f("water_efficiency_percent", pa.float64(), "water heating efficiency at this PSR; "
           "null = not given (then water heating needs another source)", unit="%"),
    ]
)


def _heating_fields(prefix: str, line: str, main: bool) -> list[pa.Field]:
    what = f"main heating system {prefix[-1]}" if main else "secondary heating"
    fields = [
        _f(f"{prefix}_code", pa.int16(), f"{what}: SAP Table 4a/4b code", line=line),
        _f(f"{prefix}_fuel", pa.int16(), f"{what}: fuel code (SAP Table 12)", line=line),
    ]
    if main:
        fields += [
            _f(f"{prefix}_fraction", pa.float64(), f"{what}: fraction of main heat supplied",
               unit="1", line="202/203"),
            _f(f"{prefix}_control", pa.int16(), f"{what}: control code (Table 4e)",
               line="85-93"),
            _f(f"{prefix}_responsiveness", pa.float64(), f"{what}: responsiveness R "
               "(Table 4a/4d); null = from the system code", unit="1", line="Table 9b"),
            _f(f"{prefix}_control_type", pa.int8(), f"{what}: Table 9 control type; null = "
               "from the control code (Table 4e)", codes=HEATING_CONTROL_TYPE_CODES),
            _f(f"{prefix}_temperature_adjustment_k", pa.float64(), f"{what}: Table 4e "
               "temperature adjustment; null = from the control code", unit="K", line="93"),
            _f(f"{prefix}_pump_in_heated_space", pa.bool_(), f"{what}: central heating pump "
               "inside the heated space (Table 5a gain)", line="70"),
            _f(f"{prefix}_pump_age", pa.int8(), f"{what}: circulation pump age",
               codes=PUMP_AGE_CODES, line="70"),
            _f(f"{prefix}_emitter", pa.int8(), f"{what}: heat emitter (1 radiators, 2 "
               "underfloor, 3 both, 4 fan coils)"),
            _f(f"{prefix}_category", pa.int8(), f"{what}: SAP-MainHeatingCategoryCode (2 "
               "boiler, 4/5 heat pump, 6 heat network, 7 storage heaters, 8 electric "
               "underfloor, 9 warm air, 10 room heaters, 11 other)"),
            _f(f"{prefix}_efficiency_percent", pa.float64(), f"{what}: declared (PCDB or "
               "manufacturer) space heating efficiency, winter for boilers; null = Table "
               "4a/4b by code", unit="%", line="206/207"),
            _f(f"{prefix}_summer_efficiency_percent", pa.float64(), f"{what}: declared "
               "summer efficiency of a boiler (water heating, Appendix D); null = Table 4b",
               unit="%", line="217"),
            _f(f"{prefix}_interlock", pa.bool_(), f"{what}: boiler interlock present "
               "(Table 4c); null = true", line="206"),
            _f(f"{prefix}_fan_flue", pa.bool_(), f"{what}: gas boiler with a fan-assisted "
               "flue (Table 4f 45 kWh); null = false", line="230e"),
            _f(f"{prefix}_has_circulation_pump", pa.bool_(), f"{what}: a heating circulation "
               "pump (Table 4f); null = true for boilers (category 2 or Table 4b codes)",
               line="230c"),
        ]
    else:
        fields += [
            _f(f"{prefix}_efficiency_percent", pa.float64(), f"{what}: declared efficiency; "
               "null = Table 4a by code", unit="%", line="208"),
        ]
    return fields


HEAT_NETWORK_AGE_BAND_CODES = {i + 1: band for i, band in enumerate("ABCDEFGHIJKLM")}


SAP_INPUT_SCHEMA = pa.schema(
    [
        _f("dwelling_id", pa.string(), "caller's identifier for the dwelling", nullable=False,
           required=True),
        _f("climate_region", pa.int8(), "SAP Appendix U region 0-21 (0 = UK average, used "
           "for the SAP and EI ratings); null = 0", line="U1-U4"),
        # --- section 1: dimensions
        _f("storeys", pa.list_(STOREY_TYPE), "storeys of every building part", line="1-3",
           required=True),
        _f("living_area_m2", pa.float64(), "living area", unit="m2", line="91",
           required=True),
        _f("thermal_mass_parameter", pa.float64(), "TMP; null = sum(kappa x A) / TFA",
           unit="kJ/m2K", line="35"),
        # --- section 2: ventilation
        _f("storey_count", pa.int8(), "number of storeys for (9); null = from storeys",
           line="9"),
        _f("open_chimneys", pa.int16(), "open chimneys; null = 0", line="6a"),
        _f("open_flues", pa.int16(), "open flues; null = 0", line="6b"),
        _f("closed_fire_flues", pa.int16(), "chimneys/flues attached to closed fire; null = 0",
           line="6c"),
        _f("solid_fuel_boiler_flues", pa.int16(), "flues attached to solid fuel boiler; null = "
           "0", line="6d"),
        _f("other_heater_flues", pa.int16(), "flues attached to other heater; null = 0",
           line="6e"),
        _f("blocked_chimneys", pa.int16(), "blocked chimneys; null = 0", line="6f"),
        _f("intermittent_fans", pa.int16(), "intermittent extract fans; null = 0", line="7a"),
        _f("passive_vents", pa.int16(), "passive stack vents; null = 0", line="7b"),
        _f("flueless_gas_fires", pa.int16(), "flueless gas fires; null = 0", line="7c"),
        _f("wall_construction", pa.int8(), "structural infiltration (11): 1 steel or timber "
           "frame, 2 masonry; used only without a pressure test", line="11",
           codes={1: "steel or timber frame", 2: "masonry / other"}),
        _f("floor_construction", pa.int8(), "(12): 1 not suspended timber, 2 suspended "
           "timber sealed, 3 suspended timber unsealed", line="12",
           codes={1: "not suspended timber", 2: "suspended timber, sealed",
                  3: "suspended timber, unsealed"}),
        _f("draught_lobby", pa.bool_(), "draught lobby present; null = false", line="13"),
        _f("draughtproofed_percent", pa.float64(), "windows and doors draught-stripped; null = "
           "0", unit="%", line="14"),
        _f("pressure_test", pa.int8(), "pressure test code", codes=PRESSURE_TEST_CODES,
           line="17", required=True),
        _f("air_permeability_q50", pa.float64(), "air permeability at 50 Pa (required unless "
           "pressure_test = 4)", unit="m3/h.m2", line="17"),
        _f("sheltered_sides", pa.int8(), "sheltered sides 0-4; null = 0", line="19"),
        _f("ventilation_type", pa.int8(), "ventilation type", codes=VENTILATION_TYPE_CODES,
           line="23-24", required=True),
        _f("mv_system_ach", pa.float64(), "air change rate through a mechanical system; null "
           "= 0.5", unit="1/h", line="23a"),
        _f("mv_in_use_factor", pa.float64(), "in-use factor applied to (23a) for balanced / "
           "extract systems; null = 1", unit="1", line="23b"),
        _f("mvhr_efficiency_percent", pa.float64(), "MVHR heat exchanger efficiency after "
           "in-use factor (required for type 8)", unit="%", line="23c"),
        # --- section 3: fabric
        _f("elements", pa.list_(ELEMENT_TYPE), "opaque building elements", line="28-32",
           required=True),
        _f("openings", pa.list_(OPENING_TYPE), "doors, windows, roof windows, rooflights",
           line="26-27a, 74-82"),
        _f("thermal_bridges", pa.list_(THERMAL_BRIDGE_TYPE), "junctions given by length and "
           "psi (added to y x area)", line="36"),
        _f("windows_overshading", pa.int8(), "overshading of all windows (Table 6d); null = "
           "2 average", codes=OVERSHADING_CODES, line="74-82"),
        # --- section 4: water heating
        _f("cold_water_source", pa.int8(), "1 mains, 2 header tank (Table J1); null = 1",
           codes={1: "mains", 2: "header tank"}, line="42b"),
        _f("bath_count", pa.int8(), "baths present; null = a bath when no shower is given "
           "(required when showers are given)", line="42b"),
        _f("showers", pa.list_(SHOWER_TYPE), "shower outlets", line="42a, 64a"),
        _f("water_use_target_125", pa.bool_(), "designed for <= 125 l/person/day; null = "
           "false", line="43"),
        _f("hot_water_delivery", pa.int8(), "how hot water reaches the taps",
           codes=HOT_WATER_DELIVERY_CODES, line="46-61", required=True),
        _f("combi_keep_hot", pa.int8(), "combi keep-hot arrangement; null = 0",
           codes=COMBI_KEEP_HOT_CODES, line="61"),
        _f("cylinder_volume_l", pa.float64(), "store volume (required for delivery 3)",
           unit="l", line="47"),
        _f("cylinder_declared_loss_kwh_per_day", pa.float64(), "manufacturer's declared loss; "
           "null = Table 2 from insulation", unit="kWh/day", line="48"),
        _f("cylinder_insulation_type", pa.int8(), "1 factory-applied foam, 2 loose jacket",
           codes={1: "factory-applied", 2: "loose jacket"}, line="51"),
        _f("cylinder_insulation_mm", pa.float64(), "insulation thickness", unit="mm",
           line="51"),
        _f("cylinder_thermostat", pa.bool_(), "cylinder thermostat present; null = true",
           line="53, 59"),
        _f("hot_water_separately_timed", pa.bool_(), "hot water separately timed; null = "
           "true", line="53, 59"),
        _f("primary_loss_applies", pa.bool_(), "a primary circuit loss applies (Table 3: "
           "false for electric immersion and other zero-loss systems); null = true for "
           "delivery 3", line="59"),
        _f("primary_pipework_insulation", pa.int8(), "primary pipework insulation; null = 1",
           codes=PIPEWORK_INSULATION_CODES, line="59"),
        _f("water_heating_code", pa.int16(), "SAP Table 4a water heating code (901-999); "
           "null = 901 (from the main system)"),
        _f("immersion_type", pa.int8(), "electric immersion: 1 single, 2 dual (Table 13, "
           "off-peak tariffs)", codes={1: "single", 2: "dual"}),
        _f("water_heating_fuel", pa.int16(), "water heating fuel (Table 12) when not from a "
           "main system; a heat-network fuel (41-58) with water_heating_code 950-952"),
        _f("solar_water_heating", pa.bool_(), "solar water heating present (SAP 10.2 "
           "Appendix H monthly method, hot water only: (63c)m = -(H24)m); the solar_* fields "
           "then describe it; null = false", line="H1-H24, 63c"),
        _f("solar_aperture_area_m2", pa.float64(), "collector aperture area (required with "
           "solar water heating)", unit="m2", line="H1"),
        _f("solar_zero_loss_efficiency", pa.float64(), "collector zero-loss efficiency eta0, "
           "0-1 (required with solar water heating: Table H1 defaults are not transcribed)",
           unit="1", line="H2"),
        _f("solar_a1_w_per_m2k", pa.float64(), "collector linear heat loss coefficient a1 "
           "(required with solar water heating)", unit="W/m2K", line="H3"),
        _f("solar_a2_w_per_m2k2", pa.float64(), "collector second-order heat loss coefficient "
           "a2 (required with solar water heating)", unit="W/m2K2", line="H4"),
        _f("solar_loop_efficiency", pa.float64(), "collector loop efficiency, 0-1 (required "
           "with solar water heating: the Table H1 default is not transcribed)", unit="1",
           line="H5"),
        _f("solar_incidence_angle_modifier", pa.float64(), "incidence angle modifier of the "
           "collector, > 0 (required with solar water heating: the Table H1 default is not "
           "transcribed)", unit="1", line="H6"),
        _f("solar_orientation", pa.int8(), "collector orientation (required with solar water "
           "heating; 9 or tilt 0 = horizontal)", codes=ORIENTATION_CODES, line="H7"),
        _f("solar_tilt_deg", pa.float64(), "collector tilt from horizontal, 0-90 (required "
           "with solar water heating)", unit="degree", line="H7"),
        _f("solar_overshading", pa.int8(), "collector overshading, Table H2 "
           "(SAP-SolarCollectorOvershadingCode; required with solar water heating)",
           codes=SOLAR_OVERSHADING_CODES, line="H8"),
        _f("solar_loop_heat_loss_w_per_k", pa.float64(), "overall heat loss coefficient of "
           "the collector loop pipework from a test; null = 5 + 0.5 x (H1)", unit="W/K",
           line="H10"),
        _f("solar_dedicated_volume_l", pa.float64(), "dedicated solar storage volume Vs "
           "(required with solar water heating)", unit="l", line="H12"),
        _f("solar_combined_cylinder", pa.bool_(), "the dedicated solar storage is part of the "
           "hot water cylinder (hot_water_delivery 3; cylinder_volume_l is the combined "
           "volume (H13) = (47), and (57) = (56) x [(47) - Vs] / (47)); null = false (a "
           "separate solar store)", line="H13, 57"),
        _f("solar_pump_electric", pa.bool_(), "the solar circuit pump is electrically "
           "powered (Table 4f (230g)); false = PV-powered (no pump electricity); null = true",
           line="230g"),
        _f("solar_pump_kwh_per_year", pa.float64(), "declared solar pump electricity; null = "
           "Table 4f (25 + 5 x (H1)) x 2 for an electric pump", unit="kWh/yr", line="230g"),
        _f("wwhrs", pa.bool_(), "waste water heat recovery present (SAP 10.2 Appendix G3, "
           "instantaneous systems only, in the SAP 2009 (G10) lineage form of decision 0024: "
           "(63a)m = -sum over systems of 4.18 x V_m x (35 - Tcold,m) / 3600 x eta / 100 x U, "
           "V_m the warm water of the mixer showers draining to the system); shower_wwhrs "
           "then says which outlets drain to which system, and wwhrs_1_* / wwhrs_2_* give "
           "each system's PCDB data. Storage WWHRS are refused (their method is not "
           "transcribed); null = false", line="63a"),
        _f("shower_wwhrs", pa.list_(pa.int8()), "per shower outlet, in the order of "
           "showers (same length): the WWHRS its waste water drains through "
           "(ShowerWWHRSCode). Instantaneous systems serve mixer showers only; 4 (storage) "
           "is refused; null list or null entry = 1 none", codes=SHOWER_WWHRS_CODES,
           line="63a"),
        _f("wwhrs_1_efficiency_percent", pa.float64(), "instantaneous WWHRS 1: the "
           "product's efficiency from the PCDB (table 353), 0-100 (required when an outlet "
           "drains to it)", unit="%", line="63a"),
        _f("wwhrs_1_utilisation_factor", pa.float64(), "instantaneous WWHRS 1: the "
           "product's utilisation factor from the PCDB (table 353), 0-1 (required when an "
           "outlet drains to it)", unit="1", line="63a"),
        _f("wwhrs_2_efficiency_percent", pa.float64(), "instantaneous WWHRS 2: as "
           "wwhrs_1_efficiency_percent", unit="%", line="63a"),
        _f("wwhrs_2_utilisation_factor", pa.float64(), "instantaneous WWHRS 2: as "
           "wwhrs_1_utilisation_factor", unit="1", line="63a"),
        # --- heating systems (sections 7 and 9)
        *_heating_fields("main1", "206-211", True),
        # --- Appendix N: main heating system 1 as a heat pump with product (PCDB) data
        _f("main1_hp_psr_data", pa.list_(HP_PSR_POINT_TYPE), "heat pump product (PCDB) "
           "data of main heating system 1 (main1_code 201-299): efficiencies at the record's "
           "plant size ratios, for the dwelling's flow temperature, PSR strictly increasing; "
           "(206) = in-use factor x the efficiency interpolated at the dwelling's PSR "
           "(Appendix N2, N3.6) and, with water_heating_code 901, (217) from the water "
           "efficiencies (N3.7, Table N8); null = Table 4a efficiencies",
           line="206, 217"),
        _f("main1_hp_max_output_kw", pa.float64(), "heat pump maximum nominal output "
           "(PCDB) for the plant size ratio PSR = output / ((39) x design temperature "
           "difference / 1000) (Appendix N2); required with main1_hp_psr_data or duration "
           "'V'", unit="kW", line="39"),
        _f("main1_hp_heating_duration", pa.string(), "heat pump daily heating duration code "
           "(PCDB, Appendix N3.5 Table N4): '24' continuous, '16' one daily off period, "
           "'9' the standard schedule, 'V' variable (Table N5 days by PSR); null = '9'",
           line="87, 90"),
        _f("main1_hp_cylinder_meets_pcdb", pa.bool_(), "the hot water cylinder meets the "
           "heat pump record's criteria (volume and heat-exchanger area at least, heat loss "
           "(47) x (51) x (52) at most the PCDB values), for the Table N8 in-use factor; "
           "null = false (criteria not met)", line="217"),
        *_heating_fields("main2", "207-213", True),
        # --- Appendix N: main heating system 2 as a heat pump with product (PCDB) data
        _f("main2_hp_psr_data", pa.list_(HP_PSR_POINT_TYPE), "heat pump product (PCDB) "
           "data of main heating system 2 (main2_code 201-299), as main1_hp_psr_data: "
           "(207) = in-use factor x the efficiency at the dwelling's PSR (Appendix N2, "
           "N3.6) and, with water_heating_code 914, (217) from the water efficiencies "
           "(N3.7, Table N8); null = Table 4a efficiencies. The daily heating duration "
           "(N3.5) is main1_hp_heating_duration only", line="207, 217"),
        _f("main2_hp_max_output_kw", pa.float64(), "maximum nominal output (PCDB) of main "
           "heating system 2's heat pump for its plant size ratio (Appendix N2, with the "
           "dwelling's (39)); required with main2_hp_psr_data", unit="kW", line="39"),
        _f("main2_hp_cylinder_meets_pcdb", pa.bool_(), "the hot water cylinder meets main "
           "heating system 2's heat pump record criteria (Table N8, water_heating_code "
           "914); null = false", line="217"),
        *_heating_fields("secondary", "208-215", False),
        _f("secondary_fraction", pa.float64(), "fraction of heat from secondary heating; "
           "null = Table 11", unit="1", line="201"),
        _f("electricity_tariff", pa.int8(), "electricity tariff (SAP-ElectricityTariffCode: 1 "
           "standard, 2 off-peak 7 hour, 3 off-peak 10 hour, 4 24 hour, 5 off-peak 18 hour); "
           "null = 1", line="Table 12a"),
        _f("standing_charges_lineage", pa.bool_(), "SAP 10.2 method only: where SAP 10.2 "
           "Table 12 has no standing charge in spec/ for a fuel or tariff, take RdSAP 10 Table "
           "32's (the SAP 2012 list it re-uses); set by estimate mode (fallback "
           "sap_method_standing_charge_lineage); null = false (such input is refused)",
           line="251"),
        _f("fuel_factors_proxy", pa.bool_(), "a fuel whose SAP 10.2 Table 12 CO2 or "
           "primary energy factor, unit price or standing charge is not in spec/ takes the "
           "missing figure from the proxy fuel of spec/tables/estimate_fuel_proxies.csv (the "
           "fuel keeps every figure it has); set by estimate mode (fallback "
           "fuel_factor_proxy, decision 0025); null = false (such input is refused)",
           line="240-286"),
        _f("water_heating_efficiency_percent", pa.float64(), "declared water heater "
           "efficiency; null = from the system (Appendix D, Table 4a)", unit="%", line="217"),
        _f("rating_method", pa.int8(), "1 SAP 10.2 (Table 12 prices, deflator 0.36), 2 RdSAP "
           "10 (Table 32 prices, deflator 0.42, section 19); null = 1",
           codes={1: "SAP 10.2", 2: "RdSAP 10"}, line="255-258"),
        _f("mv_specific_fan_power", pa.float64(), "specific fan power of a mechanical "
           "ventilation system (required for types 5-8)", unit="W/(l/s)", line="230a"),
        _f("battery_capacity_kwh", pa.float64(), "usable battery capacity for PV (Appendix "
           "M1, capped at 15); null = 0", unit="kWh", line="M1"),
        # --- Appendix C heat networks (main1_code or main2_code 301/302/304 with a
        # heat-network fuel 41-58, or hot water only: water_heating_code 950-952)
        _f("heat_network_age_band", pa.int8(), "age band of the dwelling for the Table 12c "
           "distribution loss factor (1 = A ... 13 = M); used when heat_network_dlf is null",
           codes=HEAT_NETWORK_AGE_BAND_CODES, line="306"),
        _f("heat_network_dlf", pa.float64(), "declared distribution loss factor (1 for a "
           "network listed in the PCDB, C3.1); null = Table 12c by heat_network_age_band",
           unit="1", line="306"),
        _f("heat_network_price_p_per_kwh", pa.float64(), "unit price of heat generated by "
           "the network (Table 12 note k); null = RdSAP 10 Table 32 with rating_method 2 "
           "(decision 0021); required with the SAP 10.2 method (Table 12 heat-network "
           "prices are not transcribed)", unit="p/kWh", line="340"),
        _f("heat_network_chp_fraction", pa.float64(), "heat network with CHP and boilers "
           "(main1_code 302): fraction of the heat from CHP; null = RdSAP 10 section C "
           "default with rating_method 2, else required", unit="1"),
        _f("heat_network_chp_heat_efficiency_percent", pa.float64(), "CHP heat efficiency; "
           "null = RdSAP 10 section C default with rating_method 2, else required "
           "(main1_efficiency_percent is the boilers' efficiency (367))", unit="%",
           line="362"),
        _f("heat_network_chp_electrical_efficiency_percent", pa.float64(), "CHP "
           "electrical efficiency; null = RdSAP 10 section C default with rating_method 2, "
           "else required", unit="%", line="361"),
        _f("heat_network_chp_flexible", pa.bool_(), "the CHP runs in flexible operation "
           "(Table 12f); required true for 302: the standard-operation factors are not "
           "transcribed", line="364, 464"),
        _f("space_cooling", pa.bool_(), "fixed air conditioning present (section 8c; not "
           "supported yet: rejected)", line="100-108"),
        _f("warm_air_fan_sfp", pa.float64(), "specific fan power of warm air heating fans "
           "(gain SFP x 0.04 x V, Table 5a)", unit="W/(l/s)", line="70"),
        # --- Appendix L lighting
        _f("fixed_lighting", pa.list_(LIGHT_TYPE), "fixed lighting outlets; null = no data "
           "(SAP default capacity 185 lm/m2 and efficacy 21.3 lm/W); an empty list = no fixed "
           "outlets (no fixed lighting energy, top-up L7 instead)", line="L5-L8"),
        # --- Appendix M PV (section 10a; read now, used by part 2)
        _f("pv_arrays", pa.list_(pa.struct([
            _f("peak_power_kw", pa.float64(), "installed peak power", unit="kWp",
               nullable=False),
            _f("orientation", pa.int8(), "orientation", codes=ORIENTATION_CODES),
            _f("tilt_deg", pa.float64(), "tilt from horizontal", unit="degree"),
            _f("overshading", pa.int8(), "1 none or very little, 2 modest, 3 significant, 4 "
               "heavy (Table H2)"),
            _f("overshading_factor", pa.float64(), "declared overshading factor Z_PV, "
               "0 < Z <= 1; null = Table H2 by the overshading code. Set by estimate mode for "
               "codes whose SAP 10.2 value is unresolved in spec/ (fallback "
               "pv_overshading_unresolved)", unit="1"),
        ])), "photovoltaic arrays", line="M1"),
        _f("pv_connected_to_dwelling_meter", pa.bool_(), "PV connected to the dwelling's "
           "meter"),
        _f("pv_diverter", pa.bool_(), "a PV diverter heats the hot water cylinder with "
           "surplus PV (SAP 10.2 Appendix G4: (63b)m = -E_PV,m x (1 - beta_m) x 0.8 x 0.9, at "
           "most (62)m; the export falls by (63b)m / 0.9). Left out, as G4 says, unless PV "
           "arrays are given, pv_connected_to_dwelling_meter is not false, there is no solar "
           "water heating and no battery, and a cylinder (hot_water_delivery 3) larger than "
           "the daily hot water volume (43); left out with scope='demand'; null = false",
           line="63b"),
    ],
    metadata={"ara.schema": "SAP_INPUT_SCHEMA", "ara.schema_version": SCHEMA_VERSION,
              "ara.spec": "SAP 10.2 (14-03-2025)"},
)


def field_info(name: str) -> dict[str, Any]:
    """Return a field's metadata as a plain dict (codes decoded)."""
    raw = SAP_INPUT_SCHEMA.field(name).metadata or {}
    meta = {k.decode(): v.decode() for k, v in raw.items()}
    out: dict[str, Any] = dict(meta)
    if "codes" in out:
        out["codes"] = json.loads(out["codes"])
    return out


REQUIRED_FIELDS: tuple[str, ...] = tuple(
    f.name for f in SAP_INPUT_SCHEMA if (f.metadata or {}).get(b"required") == b"true"
)
