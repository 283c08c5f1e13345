"""Simulation Overlays: fold measure options into copies of calculator input rows, per field,
vectorised over all packages (no per-package calculation).

Each measure type has one overlay that reads only the SAP input row (so the rolling state is
the single source of truth); targets are chosen by element kind and U-value thresholds that
match the eligibility rules of :mod:`ara.modelling.eligibility`. Numbers come from two places
(decision 0011): SAP 10.2 / RdSAP 10 values from ``spec/tables`` (the 300 mm loft U, new
double and secondary glazing, LED efficacy, the heat pump's Table 4a code, the Table 4g
default fan power of mechanical extract ventilation), and Ara's own modelling policy from
``ara/data/measures/modelling_assumptions.csv`` (the "uninsulated" U thresholds, insulation
thickness and conductivity, the kappa after internal wall insulation, cylinder sizes):

* walls: external walls (kind 1) above the wall threshold; an added insulation layer:
  U' = 1/(1/U + thickness/conductivity). IWI also sets the wall's kappa.
* roofs (kind 3): loft to the RdSAP 10 Table 16 300 mm U; sloping ceiling and flat roof by
  the same formula.
* floors (kind 4 or 6): an added layer.
* glazing: windows and roof windows at or above the single-glazing U.
"""

from __future__ import annotations

import csv
import functools
import operator
from collections.abc import Callable, Sequence
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.modelling.catalogue import exclusive_group
from ara.modelling.scoring import PvColumns
from ara.sap.tables import read_table

if TYPE_CHECKING:
    from ara.modelling.eligibility import MeasureOption

ASSUMPTIONS_FILE = "modelling_assumptions.csv"


def modelling_assumptions() -> dict[str, float]:
    """Ara's modelling policy values (``ara/data/measures/modelling_assumptions.csv``): not
    specification numbers, see docs/decisions/0011-modelling-assumptions.md."""
    text = resources.files("ara").joinpath("data", "measures", ASSUMPTIONS_FILE).read_text(
        encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["name"]: float(r["value"]) for r in rows}


_ASSUMED = modelling_assumptions()
WALL_U_THRESHOLD = _ASSUMED["wall_u_threshold"]
ROOF_U_THRESHOLD = _ASSUMED["roof_u_threshold"]
FLOOR_U_THRESHOLD = _ASSUMED["floor_u_threshold"]
SINGLE_GLAZING_U = _ASSUMED["single_glazing_u_threshold"]
LAMBDA = _ASSUMED["insulation_conductivity"]
WALL_INSULATION_M = _ASSUMED["wall_insulation_thickness"]
SLOPING_CEILING_INSULATION_M = _ASSUMED["sloping_ceiling_insulation_thickness"]
FLAT_ROOF_INSULATION_M = _ASSUMED["flat_roof_insulation_thickness"]
FLOOR_INSULATION_M = _ASSUMED["floor_insulation_thickness"]
IWI_KAPPA = _ASSUMED["iwi_kappa"]
CYLINDER_INSULATION_MM = _ASSUMED["cylinder_insulation_mm"]
NEW_CYLINDER_VOLUME_L = _ASSUMED["new_cylinder_volume_l"]


def _spec_value(table: str, match: dict[str, str], column: str) -> float:
    """One value of a spec table (``spec/tables``), so no SAP/RdSAP number lives here."""
    for row in read_table(table):
        if all(row[k] == v for k, v in match.items()):
            return float(row[column])
    raise KeyError(f"{table}: no row {match}")


# RdSAP 10 Table 16: pitched roof, 300 mm at joists (England row; the same in every region)
LOFT_300MM_U = _spec_value("rdsap10_roof_uvalues.csv",
                           {"region": "england", "roof_type": "pitched_joists",
                            "insulation_mm": "300"}, "u_value")
# lm/W: the RdSAP 10 LED bulb value (spec/tables/rdsap10_fixed_lighting_bulbs.csv)
LED_EFFICACY = _spec_value("rdsap10_fixed_lighting_bulbs.csv", {"bulb_type": "LED"},
                           "efficacy_lm_per_w")
# Appendix L default fixed-lighting capacity per m2 (when a dwelling has no lighting data)
DEFAULT_CAPACITY_LM_PER_M2 = _spec_value("sap10_2_worksheet_constants.csv",
                                         {"name": "lighting_default_capacity"}, "value")


def _glazing_spec(description: str, table_6b_row: str) -> tuple[float, float, float]:
    """(U, g_perpendicular, light transmittance) of new glazing: U and g from RdSAP 10 Table
    24 (England row), light transmittance g_L from the SAP 10.2 Table 6b file."""
    table24 = {"region": "england", "description": description}
    return (_spec_value("rdsap10_window_uvalues_gvalues.csv", table24, "u_value"),
            _spec_value("rdsap10_window_uvalues_gvalues.csv", table24, "g_value"),
            _spec_value("sap10_2_table6b_6c_glazing.csv",
                        {"table": "6b", "glazing_or_frame": table_6b_row},
                        "light_transmittance_g_L"))


#: New double glazing to the current standard (Table 24 "2022 or later", PVC or wood frame).
DOUBLE_GLAZING = _glazing_spec(
    "Double or triple glazed — PVC or wood frame (2022 or later, current standard)",
    "double glazing (air filled, no low-E)")
#: Secondary glazing, 16 mm+ gap, normal emissivity (Table 24).
SECONDARY_GLAZING = _glazing_spec("Secondary glazing, 16mm+ gap — normal emissivity",
                                  "secondary glazing")
#: Decentralised mechanical extract without product data: SAP 10.2 Table 4g default SFP times
#: the in-use factor for default data (note 3), folded into the SFP because Ara's
#: mv_in_use_factor input also scales line (23a).
MEV_SFP = (_spec_value("sap10_2_table4g_mev_default_sfp.csv", {"item": "default_sfp"}, "value")
           * _spec_value("sap10_2_table4g_mev_default_sfp.csv",
                         {"item": "in_use_factor_default_data"}, "value"))
HEAT_PUMP_CODES = frozenset(range(201, 228))
#: SAP 10.2 Table 4a "Air source heat pump in other cases" (170 % space and water): a heat
#: pump fitted to the existing radiators runs above the 35 C flow temperature of the
#: "<= 35 C" rows (214), which would need new emitters. Decision 0011.
ASHP_CODE = int(_spec_value("sap10_2_table4a_efficiencies_supplement.csv",
                            {"description": "Air source heat pump in other cases"}, "sap_code"))


def added_layer_u(u: np.ndarray, thickness_m: float, conductivity: float = LAMBDA) -> np.ndarray:
    """U after adding a layer of ``thickness_m`` at ``conductivity``; a U of 0 stays 0."""
    u = np.asarray(u, dtype=np.float64)
    with np.errstate(divide="ignore"):
        return np.where(u > 0, 1.0 / (1.0 / np.where(u > 0, u, 1.0) + thickness_m / conductivity),
                        0.0)


def _floats(a: pa.Array) -> np.ndarray:
    return np.asarray(a.to_numpy(zero_copy_only=False), dtype=np.float64)


def _ints(a: pa.Array, fill: int = 0) -> np.ndarray:
    return np.asarray(pc.fill_null(a, fill).to_numpy(zero_copy_only=False), dtype=np.int64)


def _column(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


def _with(table: pa.Table, name: str, array: pa.Array) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, table.schema.field(name), array.cast(table.schema.field(name).type))


def _set_scalar(table: pa.Table, name: str, mask: np.ndarray, value: object) -> pa.Table:
    col = _column(table, name)
    # a scalar broadcast by ``if_else``: no Python list of the value per row
    return _with(table, name, pc.if_else(pa.array(mask), pa.scalar(value, col.type), col))


def _list_items(table: pa.Table, name: str) -> tuple[pa.ListArray, pa.StructArray, np.ndarray]:
    """The list column, its flattened struct items and each item's row."""
    col = _column(table, name)
    lists = col if isinstance(col, pa.ListArray) else pa.array(col)
    offsets = np.asarray(lists.offsets.to_numpy(), dtype=np.int64)
    values = lists.values.slice(offsets[0], offsets[-1] - offsets[0])
    parent = np.repeat(np.arange(len(lists)), np.diff(offsets))
    return lists, values, parent


def _rebuild(table: pa.Table, name: str, lists: pa.ListArray, values: pa.StructArray,
             updates: dict[str, np.ndarray]) -> pa.Table:
    type_ = values.type
    children = []
    for j in range(type_.num_fields):
        f = type_.field(j)
        if f.name in updates:
            children.append(pa.array(updates[f.name], from_pandas=True).cast(f.type))
        else:
            children.append(values.field(j))
    struct = pa.StructArray.from_arrays(children, fields=list(type_))
    offsets = np.asarray(lists.offsets.to_numpy(), dtype=np.int64)
    offsets = offsets - offsets[0]
    new = pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), struct,
                                   mask=lists.is_null())
    return _with(table, name, new)


def _elements(table: pa.Table, mask: np.ndarray, kinds: tuple[int, ...], u_min: float,
              new_u: Callable[[np.ndarray], np.ndarray], kappa: float | None = None) -> pa.Table:
    lists, values, parent = _list_items(table, "elements")
    kind = _ints(values.field("kind"))
    u = _floats(values.field("u_value"))
    hit = mask[parent] & np.isin(kind, kinds) & (u > u_min)
    updates = {"u_value": np.where(hit, new_u(u), u)}
    if kappa is not None:
        k = _floats(values.field("kappa_kj_per_m2k"))
        updates["kappa_kj_per_m2k"] = np.where(hit, kappa, k)
    return _rebuild(table, "elements", lists, values, updates)


def _glazing(table: pa.Table, mask: np.ndarray, spec: tuple[float, float, float]) -> pa.Table:
    lists, values, parent = _list_items(table, "openings")
    kind = _ints(values.field("kind"))
    u = _floats(values.field("u_value"))
    hit = mask[parent] & np.isin(kind, (2, 3)) & (u >= SINGLE_GLAZING_U)
    g = _floats(values.field("g_perpendicular"))
    lt = _floats(values.field("light_transmittance"))
    return _rebuild(table, "openings", lists, values, {
        "u_value": np.where(hit, spec[0], u), "g_perpendicular": np.where(hit, spec[1], g),
        "light_transmittance": np.where(hit, spec[2], lt)})


def _lighting(table: pa.Table, mask: np.ndarray) -> pa.Table:
    lists, values, parent = _list_items(table, "fixed_lighting")
    eff = _floats(values.field("efficacy_lm_per_w"))
    power = _floats(values.field("power_w"))
    hit = mask[parent] & (eff < LED_EFFICACY)
    # same light output (count x power x efficacy) from LED outlets
    table = _rebuild(table, "fixed_lighting", lists, values, {
        "power_w": np.where(hit, power * eff / LED_EFFICACY, power),
        "efficacy_lm_per_w": np.where(hit, LED_EFFICACY, eff)})
    missing = mask & np.asarray(lists.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if missing.any():  # no lighting data: SAP default capacity 185 lm/m2 of floor area
        tfa = total_floor_area(table)
        col = _column(table, "fixed_lighting").to_pylist()
        for i in np.flatnonzero(missing):
            col[i] = [{"count": 1, "power_w": DEFAULT_CAPACITY_LM_PER_M2 * tfa[i] / LED_EFFICACY,
                       "efficacy_lm_per_w": LED_EFFICACY}]
        table = _with(table, "fixed_lighting", pa.array(col, table.schema.field(
            "fixed_lighting").type))
    return table


def total_floor_area(table: pa.Table) -> np.ndarray:
    lists, values, parent = _list_items(table, "storeys")
    return np.bincount(parent, _floats(values.field("floor_area_m2")), minlength=len(lists))


def element_area(table: pa.Table, kinds: tuple[int, ...], u_min: float) -> np.ndarray:
    """Per row, the gross area of elements of ``kinds`` with U above ``u_min``."""
    lists, values, parent = _list_items(table, "elements")
    kind = _ints(values.field("kind"))
    u = _floats(values.field("u_value"))
    a = np.where(np.isin(kind, kinds) & (u > u_min), _floats(values.field("gross_area_m2")), 0.0)
    return np.bincount(parent, a, minlength=len(lists))


def pv_columns(specs: Sequence[tuple[float, int, float] | None]) -> PvColumns:
    """The :data:`PvColumns` of per-row specs (None: no PV option)."""
    n = len(specs)
    kwp, tilt = np.full(n, np.nan), np.full(n, np.nan)
    orientation = np.zeros(n, dtype=np.int64)
    for i, spec in enumerate(specs):
        if spec is not None:
            kwp[i], orientation[i], tilt[i] = spec
    return kwp, orientation, tilt


def _pv(table: pa.Table, mask: np.ndarray, pv: PvColumns | None) -> pa.Table:
    """The masked rows' PV arrays replaced by one array of their option (modest
    overshading), column by column: the other rows' lists are taken as they are."""
    field = table.schema.field("pv_arrays")
    lists = _column(table, "pv_arrays")
    if not isinstance(lists, pa.ListArray):
        lists = pa.array(lists)
    rows = np.flatnonzero(mask)
    assert pv is not None
    kwp, orientation, tilt = (np.asarray(c)[rows] for c in pv)
    item = field.type.value_type
    given = {"peak_power_kw": pa.array(kwp, pa.float64()),
             "orientation": pa.array(orientation, pa.int64()),
             "tilt_deg": pa.array(tilt, pa.float64()),
             "overshading": pa.array(np.full(len(rows), 2, dtype=np.int64))}
    new = pa.StructArray.from_arrays(
        [given[f.name].cast(f.type) if f.name in given else pa.nulls(len(rows), f.type)
         for f in item], fields=list(item))
    offsets = np.asarray(lists.offsets.to_numpy(), dtype=np.int64)
    valid = np.asarray(lists.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    lengths = np.where(valid & ~mask, np.diff(offsets), 0)
    lengths[rows] = 1
    first = offsets[:-1].copy()  # each row's first item in (old items, then the new ones)
    first[rows] = len(lists.values) + np.arange(len(rows))
    ends = np.cumsum(lengths)
    index = np.repeat(first - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends)
                                                                     else 0)
    items = pa.concat_arrays([lists.values.cast(item), new]).take(pa.array(index))
    out = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], ends]).astype(np.int32)), items, type=field.type,
        mask=pa.array(~(valid | mask)))
    table = _with(table, "pv_arrays", out)
    return _set_scalar(table, "pv_connected_to_dwelling_meter", mask, True)


@functools.lru_cache(maxsize=4096)
def parse_pv_option(option_id: str) -> tuple[float, int, float]:
    """``solar_pv:2.40kWp:o5:t30`` -> (kWp, orientation code, tilt)."""
    parts = option_id.split(":")
    return float(parts[1].removesuffix("kWp")), int(parts[2][1:]), float(parts[3][1:])


def _scalars(table: pa.Table, mask: np.ndarray, values: dict[str, object]) -> pa.Table:
    """:func:`_set_scalar` of each column, the table rebuilt once."""
    where = pa.array(mask)
    schema = table.schema
    columns: list[pa.Array | pa.ChunkedArray] = list(table.columns)
    for name, value in values.items():
        i = schema.get_field_index(name)
        col = columns[i].combine_chunks()
        columns[i] = pc.if_else(where, pa.scalar(value, col.type), col).cast(schema.field(i).type)
    return pa.Table.from_arrays(columns, schema=schema)


_SYSTEM_RESET: dict[str, object] = {
    **{f"main2_{s}": None for s in ("code", "fuel", "fraction", "control", "responsiveness",
                                    "control_type", "temperature_adjustment_k", "emitter",
                                    "category", "efficiency_percent",
                                    "summer_efficiency_percent", "interlock", "fan_flue",
                                    "has_circulation_pump", "pump_in_heated_space",
                                    "pump_age")},
    "main1_fraction": 1.0, "main1_responsiveness": None, "main1_control_type": None,
    "main1_temperature_adjustment_k": None, "main1_efficiency_percent": None,
    "main1_summer_efficiency_percent": None, "main1_interlock": None, "main1_fan_flue": None,
    "water_heating_efficiency_percent": None, "water_heating_fuel": None,
    "immersion_type": None, "combi_keep_hot": None, "cylinder_declared_loss_kwh_per_day": None,
    "electricity_tariff": 1,
}
_CYLINDER = {"hot_water_delivery": 3, "cylinder_insulation_type": 1,
             "cylinder_insulation_mm": 50.0, "cylinder_thermostat": True,
             "hot_water_separately_timed": True, "primary_loss_applies": True,
             "primary_pipework_insulation": 4}

_SYSTEMS: dict[str, dict[str, object]] = {
    "air_source_heat_pump": {**_SYSTEM_RESET, **_CYLINDER, "main1_code": ASHP_CODE,
                             "main1_fuel": 30, "main1_category": 4, "main1_emitter": 1,
                             "main1_control": 2106, "main1_pump_age": 2,
                             "main1_has_circulation_pump": True, "water_heating_code": 901},
    "high_heat_retention_storage_heaters": {
        **_SYSTEM_RESET, **_CYLINDER, "main1_code": 409, "main1_fuel": 30,
        "main1_category": 7, "main1_emitter": None, "main1_control": 2404,
        "main1_has_circulation_pump": False, "water_heating_code": 903,
        "water_heating_fuel": 30, "immersion_type": 2, "primary_loss_applies": False,
        "electricity_tariff": 2},
    "condensing_gas_boiler": {
        **_SYSTEM_RESET, "main1_code": 104, "main1_fuel": 1, "main1_category": 2,
        "main1_emitter": 1, "main1_control": 2106, "main1_pump_age": 2,
        "main1_has_circulation_pump": True, "main1_fan_flue": True, "water_heating_code": 901,
        "hot_water_delivery": 2, "cylinder_volume_l": None, "cylinder_insulation_type": None,
        "cylinder_insulation_mm": None, "cylinder_thermostat": None,
        "hot_water_separately_timed": None, "primary_loss_applies": None},
    "heating_controls": {"main1_control": 2106, "main1_control_type": None,
                         "main1_temperature_adjustment_k": None},
}


def _apply_measure(table: pa.Table, measure: str, mask: np.ndarray,
                   pv: PvColumns | None) -> pa.Table:
    if measure == "cavity_wall_fill":
        # decisions D-0019-0028: 100 mm at lambda 0.04 for every wall insulation, cavity fill too
        return _elements(table, mask, (1,), WALL_U_THRESHOLD,
                         lambda u: added_layer_u(u, WALL_INSULATION_M))
    if measure == "external_wall_insulation":
        return _elements(table, mask, (1,), WALL_U_THRESHOLD,
                         lambda u: added_layer_u(u, WALL_INSULATION_M))
    if measure == "internal_wall_insulation":
        return _elements(table, mask, (1,), WALL_U_THRESHOLD,
                         lambda u: added_layer_u(u, WALL_INSULATION_M), kappa=IWI_KAPPA)
    if measure == "loft_insulation":
        return _elements(table, mask, (3,), ROOF_U_THRESHOLD,
                         lambda u: np.minimum(u, LOFT_300MM_U))
    if measure == "sloping_ceiling_insulation":
        return _elements(table, mask, (3,), ROOF_U_THRESHOLD,
                         lambda u: added_layer_u(u, SLOPING_CEILING_INSULATION_M))
    if measure == "flat_roof_insulation":
        return _elements(table, mask, (3,), ROOF_U_THRESHOLD,
                         lambda u: added_layer_u(u, FLAT_ROOF_INSULATION_M))
    if measure == "floor_insulation":
        return _elements(table, mask, (4, 6), FLOOR_U_THRESHOLD,
                         lambda u: added_layer_u(u, FLOOR_INSULATION_M))
    if measure == "draught_proofing":
        return _set_scalar(table, "draughtproofed_percent", mask, 100.0)
    if measure == "double_glazing":
        return _glazing(table, mask, DOUBLE_GLAZING)
    if measure == "secondary_glazing":
        return _glazing(table, mask, SECONDARY_GLAZING)
    if measure == "led_lighting":
        return _lighting(table, mask)
    if measure == "cylinder_insulation":
        return _scalars(table, mask, {"cylinder_insulation_type": 1,
                                      "cylinder_insulation_mm": CYLINDER_INSULATION_MM,
                                      "cylinder_declared_loss_kwh_per_day": None,
                                      "cylinder_thermostat": True})
    if measure in _SYSTEMS:
        table = _scalars(table, mask, _SYSTEMS[measure])
        if measure in ("air_source_heat_pump", "high_heat_retention_storage_heaters"):
            vol = _floats(_column(table, "cylinder_volume_l"))
            table = _with(table, "cylinder_volume_l", pa.array(
                np.where(mask & ~(vol > 0), NEW_CYLINDER_VOLUME_L, vol), from_pandas=True))
        return table
    if measure == "secondary_heating_removal":
        return _scalars(table, mask, {"secondary_code": None, "secondary_fuel": None,
                                      "secondary_efficiency_percent": None,
                                      "secondary_fraction": None})
    if measure == "solar_pv":
        return _pv(table, mask, pv)
    if measure == "mechanical_ventilation":
        # decentralised mechanical extract (type 6) at the Table 4g default fan power
        return _scalars(table, mask, {"ventilation_type": 6, "mv_specific_fan_power": MEV_SFP,
                                      "intermittent_fans": 0})
    raise KeyError(f"no overlay for measure type {measure!r}")


#: Order the overlays are folded in (fabric first, then systems, then generation).
OVERLAY_ORDER = (
    "cavity_wall_fill", "internal_wall_insulation", "external_wall_insulation",
    "loft_insulation", "sloping_ceiling_insulation", "flat_roof_insulation", "floor_insulation",
    "draught_proofing", "mechanical_ventilation", "double_glazing", "secondary_glazing",
    "led_lighting", "air_source_heat_pump", "high_heat_retention_storage_heaters",
    "condensing_gas_boiler", "heating_controls", "cylinder_insulation",
    "secondary_heating_removal", "solar_pv",
)


def _check_packages(ids: Sequence[str], packages: Sequence[Sequence[MeasureOption]]) -> None:
    """Raise on the first option of another property, or the first second option of an
    exclusive group, in package order (the messages of :func:`apply_options`)."""
    for k, package in enumerate(packages):
        groups: set[str] = set()
        for option in package:
            if option.property_id != ids[k]:
                raise ValueError(f"option {option.option_id} is for {option.property_id}, "
                                 f"row {k} is {ids[k]}")
            group = exclusive_group(option.measure_type)
            if group in groups:
                raise ValueError(f"package {k} has two {group} options")
            groups.add(group)


_PROPERTY_ID = operator.attrgetter("property_id")
_MEASURE_TYPE = operator.attrgetter("measure_type")


def package_masks(ids: Sequence[str], packages: Sequence[Sequence[MeasureOption]]
                  ) -> tuple[dict[str, np.ndarray], list[tuple[float, int, float] | None]]:
    """Per measure type, which packages have it, and each package's PV array (option id of
    its ``solar_pv`` option, parsed): read over all options of all packages at once (no
    Python loop per package). Raises as :func:`apply_options` does."""
    n = len(packages)
    lens = np.fromiter(map(len, packages), dtype=np.int64, count=n)
    flat = [o for package in packages for o in package]
    parent = np.repeat(np.arange(n, dtype=np.int64), lens)
    owners = np.empty(len(flat), dtype=object)
    owners[:] = list(map(_PROPERTY_ID, flat))
    rows = np.empty(n, dtype=object)
    rows[:] = list(ids)
    code_of: dict[str, int] = {}
    codes = np.fromiter((code_of.setdefault(m, len(code_of)) for m in map(_MEASURE_TYPE, flat)),
                        dtype=np.int64, count=len(flat))
    measures = list(code_of)
    group_code: dict[str, int] = {}
    groups = np.array([group_code.setdefault(exclusive_group(m), len(group_code))
                       for m in measures], dtype=np.int64)
    keys = np.sort(parent * max(len(group_code), 1) + groups[codes]) if len(flat) else parent
    if len(flat) and (bool((owners != rows[parent]).any()) or bool((np.diff(keys) == 0).any())):
        _check_packages(ids, packages)
    masks: dict[str, np.ndarray] = {}
    for code, measure in enumerate(measures):
        mask = masks[measure] = np.zeros(n, dtype=bool)
        mask[parent[codes == code]] = True
    pv: list[tuple[float, int, float] | None] = [None] * n
    if "solar_pv" in code_of:
        for j in np.flatnonzero(codes == code_of["solar_pv"]).tolist():
            pv[int(parent[j])] = parse_pv_option(flat[j].option_id)
    return masks, pv


def apply_options(inputs: pa.Table, rows: Sequence[int],
                  packages: Sequence[Sequence[MeasureOption]]) -> pa.Table:
    """Row k of the result = ``inputs`` row ``rows[k]`` with every option of ``packages[k]``
    folded in. Raises on mutually exclusive options in one package or an option of another
    property."""
    if len(rows) != len(packages):
        raise ValueError("rows and packages differ in length")
    table = inputs.take(pa.array(np.asarray(rows, dtype=np.int64)))
    masks, pv = package_masks(table.column("dwelling_id").to_pylist(), packages)
    return _fold(table, masks, pv_columns(pv) if "solar_pv" in masks else None)


def apply_masks(inputs: pa.Table, rows: np.ndarray, masks: dict[str, np.ndarray],
                pv: PvColumns | None) -> pa.Table:
    """:func:`apply_options` of packages given as columns (the optimiser's, issue 16): row k
    is ``inputs`` row ``rows[k]`` with every measure type whose ``masks[measure][k]`` is set
    folded in, a ``solar_pv`` one from ``pv``'s row k. The packages are taken to be valid
    (one option per exclusive group, each of its row's property): nothing is checked but
    that every measure type has an overlay."""
    table = inputs.take(pa.array(np.asarray(rows, dtype=np.int64)))
    return _fold(table, {m: mask for m, mask in masks.items() if mask.any()}, pv)


def _fold(table: pa.Table, masks: dict[str, np.ndarray], pv: PvColumns | None) -> pa.Table:
    unknown = set(masks) - set(OVERLAY_ORDER)
    if unknown:
        raise KeyError(f"no overlay for measure types {sorted(unknown)}")
    for measure in OVERLAY_ORDER:
        if measure in masks:
            table = _apply_measure(table, measure, masks[measure], pv)
    return table
