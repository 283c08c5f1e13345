"""Field layouts of the PCDF tables that :mod:`ara.rdsap.pcdb` reads into named columns.

One :class:`Layout` per (table number, format number). The field positions are 0-based; the
short source names ([F], [EP], [B], [C], [J]) are expanded, with repository and path, in the
docstring of :mod:`ara.rdsap.pcdb`. A layout marked ``provisional`` is for a format whose
positions only one third-party reading establishes (the pcdb10 formats 465, 431, 428, 432): the
reader still checks every value it types, so a wrong offset stops the load with a
:class:`~ara.rdsap.pcdb.PcdbError` instead of producing shifted numbers.

Value kinds:

* ``index``: the product index number, digits only, never empty (``"010328"`` -> 10328);
* ``str``: text, empty -> null;
* ``int`` / ``float``: empty -> null, anything else must be a number or the row is refused;
* ``year``: a year, or null for the words the file puts there (``current``, ``obsolete`` [F][J]);
* ``lenient_float``: a number, or null for the range markers the file puts there
  (``>70kW`` in the boiler output range [F][J]).

The raw text of every field is kept in the ``raw`` column of each table, so nothing a
``year`` or ``lenient_float`` field turns into null is lost.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

import pyarrow as pa

Kind = Literal["index", "str", "int", "float", "year", "lenient_float"]
GroupRule = Literal["all", "count", "multiple"]

_ARROW_TYPES: dict[str, pa.DataType] = {
    "index": pa.int64(), "str": pa.string(), "int": pa.int64(), "float": pa.float64(),
    "year": pa.int64(), "lenient_float": pa.float64(),
}
_INT = re.compile(r"[+-]?\d+\Z")
_FLOAT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
_DIGITS = re.compile(r"\d{1,18}\Z")

#: Columns every modelled and raw table ends with: the block's ordinal in the file, the line
#: number of the row, and the row's fields as text.
TRAILING_COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("block", pa.int64()), ("line", pa.int64()), ("raw", pa.list_(pa.string())))


@dataclass(frozen=True)
class Field:
    """A field at 0-based position ``pos`` (an offset inside the group for group members)."""

    pos: int
    name: str
    kind: Kind


@dataclass(frozen=True)
class Groups:
    """Repeated groups of ``width`` fields from position ``start``, each a list column.

    ``rule`` says how many groups a row must hold: ``all`` = every group present (trailing empty
    fields may be cut, so a short last group is allowed); ``count`` = exactly the number in field
    ``count_pos`` (times the number in ``factor_pos`` when that is given and not empty);
    ``multiple`` = a whole multiple of the number in ``count_pos``. With ``dataset_column``,
    each group's dataset number (group number // count) is written to that list column.
    """

    start: int
    width: int
    members: tuple[Field, ...]
    rule: GroupRule
    count_pos: int | None = None
    factor_pos: int | None = None
    dataset_column: str | None = None


@dataclass(frozen=True)
class Layout:
    table: int
    format: int
    name: str
    fields: tuple[Field, ...]
    min_fields: int
    max_fields: int | None
    source: str
    groups: Groups | None = None
    provisional: bool = False


def convert(kind: Kind, text: str) -> int | float | str | None:
    """One field's text as a value of ``kind``; ``ValueError`` (with the reason) if refused."""
    value = text.strip()
    if kind == "str":
        return value or None
    if kind == "index":
        if not _DIGITS.match(value):
            raise ValueError(f"index number {text!r} is not 1 to 18 digits")
        return int(value)
    if not value:
        return None
    if kind == "int":
        if not _INT.match(value):
            raise ValueError(f"{text!r} is not a whole number")
        return int(value)
    if kind == "year":
        return int(value) if _INT.match(value) else None
    if _FLOAT.match(value):
        return float(value)
    if kind == "lenient_float":
        return None
    raise ValueError(f"{text!r} is not a number")


def count_groups(layout: Layout, fields: list[str]) -> tuple[int, int]:
    """(number of groups, groups per dataset) in a row; ``ValueError`` if the rule is broken."""
    groups = layout.groups
    assert groups is not None
    present = max(0, math.ceil((len(fields) - groups.start) / groups.width))
    if groups.rule == "all" or groups.count_pos is None:
        return present, max(present, 1)
    count = _count_field(fields, groups.count_pos)
    if groups.rule == "count":
        factor = _count_field(fields, groups.factor_pos) if groups.factor_pos is not None else 0
        expected = count * max(factor, 1)
        if present != expected:
            raise ValueError(
                f"holds {present} groups of {groups.width} fields from field {groups.start}, "
                f"but field {groups.count_pos} says {count}"
                + (f" (x {factor} from field {groups.factor_pos})" if factor > 1 else ""))
        return present, max(count, 1)
    if (count == 0 and present) or (count and present % count):
        raise ValueError(
            f"holds {present} groups of {groups.width} fields from field {groups.start}, "
            f"not a whole multiple of the {count} in field {groups.count_pos}")
    return present, max(count, 1)


def _count_field(fields: list[str], pos: int) -> int:
    text = fields[pos].strip() if pos < len(fields) else ""
    if not text:
        return 0
    if not _INT.match(text) or int(text) < 0:
        raise ValueError(f"group count field {pos} = {text!r} is not a whole number >= 0")
    return int(text)


def _f(pos: int, name: str, kind: Kind) -> Field:
    return Field(pos, name, kind)


#: Fields 0-9 of tables 313, 322, 323, 353 (0-7 also of 105) [F][B][C]: index, manufacturer
#: reference, status (1 = SAP illustrative or notional-dwelling product [C][F]), entry date,
#: names, first and final year of manufacture.
_PRODUCT_HEADER = (
    _f(0, "index", "index"), _f(1, "manufacturer_ref", "str"), _f(2, "status", "int"),
    _f(3, "last_updated", "str"), _f(4, "manufacturer", "str"), _f(5, "brand", "str"),
    _f(6, "model", "str"), _f(7, "qualifier", "str"), _f(8, "first_year", "year"),
    _f(9, "final_year", "year"),
)


# ----------------------------------------------------------------------------------- 105 --
_BOILER_210 = Layout(
    105, 210, "boilers",
    fields=(
        *_PRODUCT_HEADER[:8],
        _f(8, "boiler_id", "str"), _f(9, "first_year", "year"), _f(10, "final_year", "year"),
        _f(11, "fuel", "int"), _f(12, "mounting", "int"), _f(13, "exposure_rating", "int"),
        _f(14, "main_type", "int"), _f(15, "subsidiary_type", "int"),
        _f(16, "subsidiary_table", "int"), _f(17, "subsidiary_index", "int"),
        _f(18, "condensing", "int"), _f(19, "flue_type", "int"), _f(20, "fan_assistance", "int"),
        _f(21, "output_kw_min", "lenient_float"), _f(22, "output_kw_max", "lenient_float"),
        _f(23, "erp_class", "str"), _f(24, "annual_efficiency_pct", "float"),
        _f(25, "winter_efficiency_pct", "float"), _f(26, "summer_efficiency_pct", "float"),
        _f(27, "hw_efficiency_1_pct", "float"), _f(28, "hw_efficiency_2_pct", "float"),
        _f(29, "sap2005_efficiency_pct", "float"), _f(30, "efficiency_category", "int"),
        _f(31, "lpg_test_gas", "int"), _f(32, "lpg_correction", "float"),
        _f(33, "sap_equation", "int"), _f(34, "ignition", "int"), _f(35, "burner_control", "int"),
        _f(36, "elec_power_firing_w", "float"), _f(37, "elec_power_not_firing_w", "float"),
        _f(38, "store_type", "int"), _f(39, "store_loss_in_test", "int"),
        _f(40, "separate_store", "int"), _f(41, "store_boiler_volume_l", "float"),
        _f(42, "store_solar_volume_l", "float"), _f(43, "store_insulation_mm", "float"),
        _f(44, "store_insulation_type", "int"), _f(45, "store_temperature_c", "float"),
        _f(46, "store_heat_loss_kwh_day", "float"), _f(47, "separate_dhw_tests", "int"),
        _f(48, "dhw_test1_fuel_kwh", "float"), _f(49, "dhw_test1_elec_kwh", "float"),
        _f(50, "r1", "float"), _f(51, "f1", "float"),
        _f(52, "dhw_test2_fuel_kwh", "float"), _f(53, "dhw_test2_elec_kwh", "float"),
        _f(54, "r2", "float"), _f(55, "f2", "float"), _f(56, "f3", "float"),
        _f(57, "keep_hot_facility", "int"), _f(58, "keep_hot_timer", "int"),
        _f(59, "keep_hot_elec_heater_w", "float"), _f(60, "control_capabilities", "str"),
    ),
    min_fields=61, max_fields=61,
    source="[F] every row of both $105,210 blocks has 61 fields; names [B] (positions 0-60), "
           "same positions in [C]; JK's pcdb10 field numbers 16/39/48/51/52/56-59 (1-based) "
           "land on these positions [J f7d863a9]",
)

# ----------------------------------------------------------------------------------- 362 --
_HP_HEADER_COMMON = (
    _f(0, "index", "index"), _f(1, "manufacturer_ref", "str"), _f(2, "status", "int"),
    _f(3, "last_updated", "str"), _f(4, "apm_version", "str"), _f(5, "manufacturer", "str"),
    _f(6, "brand", "str"), _f(7, "model", "str"), _f(8, "qualifier", "str"),
    _f(9, "first_year", "year"), _f(10, "final_year", "year"),
)
_HEAT_PUMP_464 = Layout(
    362, 464, "heat_pumps",
    fields=(
        *_HP_HEADER_COMMON,
        _f(11, "data_quality", "int"), _f(12, "fuel", "int"), _f(13, "emitter_type", "int"),
        _f(14, "flue_type", "int"), _f(15, "heat_source", "int"),
        _f(16, "service_provision", "int"), _f(17, "hw_vessel_mode", "int"),
        _f(18, "vessel_volume_l", "float"), _f(19, "vessel_heat_loss_kwh_day", "float"),
        _f(20, "vessel_hx_area_m2", "float"), _f(21, "erp_class", "str"),
        _f(22, "water_efficiency_sch2_pct", "float"), _f(23, "net_elec_sch2", "float"),
        _f(24, "water_efficiency_sch3_pct", "float"), _f(25, "net_elec_sch3", "float"),
        _f(26, "control_capabilities", "str"), _f(27, "reversible", "int"),
        _f(28, "eer", "float"), _f(29, "max_output_kw", "float"),
        _f(30, "heating_duration", "str"), _f(31, "mev_mvhr_index", "int"),
        _f(32, "compensator_effect", "int"), _f(33, "separate_circulator", "int"),
        _f(34, "air_flow_rate_count", "int"), _f(35, "air_flow_rate_1", "float"),
        _f(36, "air_flow_rate_2", "float"), _f(37, "air_flow_rate_3", "float"),
        _f(38, "psr_count", "int"),
    ),
    groups=Groups(39, 4, (_f(0, "psr", "float"), _f(1, "space_efficiency_pct", "float"),
                          _f(2, "specific_elec", "float"), _f(3, "running_hours", "float")),
                  rule="count", count_pos=38, factor_pos=34, dataset_column="psr_dataset"),
    min_fields=27, max_fields=None,
    source="names [B] (0-42) and [C] (0-38, then groups of 4 from 39; rows of 27 fields are "
           "products without the extension); [F] rows are 39 + 7 x 4 (one air-flow dataset) "
           "or 39 + 3 x 7 x 4 (three), trailing empty field cut",
)
_HEAT_PUMP_465 = Layout(
    362, 465, "heat_pumps",
    fields=(
        *_HP_HEADER_COMMON,
        _f(16, "fuel", "int"), _f(22, "service_provision", "int"),
        _f(23, "hw_vessel_mode", "int"), _f(24, "vessel_volume_l", "float"),
        _f(25, "vessel_heat_loss_kwh_day", "float"), _f(26, "vessel_hx_area_m2", "float"),
        _f(47, "max_output_kw", "float"), _f(48, "heating_duration", "str"),
        _f(58, "psr_count", "int"),
    ),
    groups=Groups(59, 9, (_f(0, "psr", "float"), _f(2, "space_efficiency_pct", "float"),
                          _f(6, "water_efficiency_pct", "float")),
                  rule="multiple", count_pos=58, dataset_column="psr_dataset"),
    min_fields=49, max_fields=None, provisional=True,
    source="[J 70aa709c] brand 6, model 7, qualifier 8, fuel 16, service provision 22, vessel "
           "23-26, max output 47; [J 74240f8c] heating duration 48; [J f33557b0] PSR count 58, "
           "then groups of 9: PSR at +0, space efficiency at +2, water efficiency at +6. "
           "Positions 0-5 and 9-10 assumed unchanged from 464 (JK: 465 inserts fields after "
           "field 11)",
)

# ----------------------------------------------------------------------------------- 323 --
_MEV_MVHR_426 = Layout(
    323, 426, "mev_mvhr",
    fields=(
        *_PRODUCT_HEADER, _f(10, "main_type", "int"), _f(11, "integral_only", "int"),
        _f(12, "duct_type", "int"), _f(13, "duct_size", "int"), _f(14, "summer_bypass", "int"),
        _f(15, "configuration_count", "int"), _f(16, "test_flow_basis", "str"),
    ),
    groups=Groups(17, 6, (_f(0, "wet_rooms", "int"), _f(1, "test_flow_ls", "float"),
                          _f(2, "fan_speed_setting", "str"), _f(3, "applicable_flow_ls", "float"),
                          _f(4, "sfp_w_per_ls", "float"), _f(5, "hx_efficiency_pct", "float")),
                  rule="all"),
    min_fields=17, max_fields=None,
    source="names [B] (0-22) and [C] (header 0-16, groups of 6 from 17); [F] rows are "
           "17 + 6k fields less cut trailing empties; field 15 does not always equal the "
           "number of groups [F], so every group present is read",
)
_MEV_MVHR_431 = Layout(
    323, 431, "mev_mvhr", fields=_MEV_MVHR_426.fields, groups=_MEV_MVHR_426.groups,
    min_fields=17, max_fields=None, provisional=True,
    source="[J 34cbd7d66c]: pcdb10 ships format 431 whose groups are led by the wet-room count "
           "with flow, SFP and heat-exchanger efficiency; the positions are assumed to be "
           "those of 426 (not confirmed)",
)

# ----------------------------------------------------------------------------------- 322 --
_DMEV_HEADER = (*_PRODUCT_HEADER, _f(10, "main_type", "int"), _f(11, "duct_type", "int"),
                _f(12, "configuration_count", "int"))
_DMEV_427 = Layout(
    322, 427, "decentralised_mev", fields=_DMEV_HEADER,
    groups=Groups(13, 4, (_f(0, "configuration", "int"), _f(1, "flow_ls", "float"),
                          _f(2, "fan_speed_setting", "str"), _f(3, "sfp_w_per_ls", "float")),
                  rule="count", count_pos=12),
    min_fields=13, max_fields=None,
    source="names [B] (0-16) and [C] (header 0-12, groups of 4 from 13); [F] rows are "
           "13 + 6 x 4; configuration codes 1-6 [EP] and [J 8c1f895b]",
)
_DMEV_428 = Layout(
    322, 428, "decentralised_mev", fields=_DMEV_HEADER,
    groups=Groups(13, 3, (_f(0, "configuration", "int"), _f(1, "flow_ls", "float"),
                          _f(2, "sfp_w_per_ls", "float")),
                  rule="count", count_pos=12),
    min_fields=13, max_fields=None, provisional=True,
    source="[J 8c1f895b]: format 428 drops the fan-speed text, groups are (configuration, "
           "flow, SFP) triplets; header assumed unchanged from 427 (not confirmed)",
)

# ----------------------------------------------------------------------------------- 329 --
_IUF_430 = Layout(
    329, 430, "in_use_factors",
    fields=(
        _f(0, "system_type", "int"), _f(1, "sfp_iuf_flexible", "float"),
        _f(2, "sfp_iuf_rigid", "float"), _f(3, "sfp_iuf_no_duct", "float"),
        _f(4, "mvhr_iuf_uninsulated", "float"), _f(5, "mvhr_iuf_insulated", "float"),
        _f(6, "sfp_iuf_flexible_2", "float"), _f(7, "sfp_iuf_rigid_2", "float"),
        _f(8, "sfp_iuf_no_duct_2", "float"), _f(9, "mvhr_iuf_uninsulated_2", "float"),
        _f(10, "mvhr_iuf_insulated_2", "float"), _f(11, "last_updated", "str"),
    ),
    min_fields=12, max_fields=12,
    source="names [B] and [C] ('adjustment 1' / 'adjustment 2'; JK reads the second set as "
           "'with an approved installation scheme' [J 433f4a49]); [F] rows have 12 fields",
)
_IUF_432 = Layout(
    329, 432, "in_use_factors", fields=_IUF_430.fields[:4],
    min_fields=4, max_fields=None, provisional=True,
    source="[J 433f4a49]: format 432 keeps system type and the three SFP factors at 0-3; "
           "the rest (MVHR factors by duct location, approved-scheme variants) only in raw",
)

# ----------------------------------------------------------------------------------- 353 --
_WWHRS_453 = Layout(
    353, 453, "wwhrs",
    fields=(
        *_PRODUCT_HEADER, _f(10, "instantaneous_or_storage", "int"), _f(11, "system_type", "str"),
        _f(12, "storage_type", "int"), _f(13, "efficiency_pct", "float"),
        _f(14, "utilisation_factor", "float"), _f(15, "waste_water_fraction", "float"),
        _f(16, "test_dedicated_volume_l", "float"), _f(17, "low_dedicated_volume_l", "float"),
        _f(18, "high_dedicated_volume_l", "float"), _f(19, "elec_consumption", "float"),
    ),
    min_fields=20, max_fields=20,
    source="names [B] and [C] (0-19); [F] rows have 20 fields",
)

# ----------------------------------------------------------------------------------- 313 --
_FGHRS_413 = Layout(
    313, 413, "fghrs",
    fields=(
        *_PRODUCT_HEADER, _f(10, "applicable_fuel", "int"), _f(11, "test_fuel", "int"),
        _f(12, "applicable_boiler_types", "str"), _f(13, "integral_only", "int"),
        _f(14, "heat_store", "int"), _f(15, "heat_store_total_volume_l", "float"),
        _f(16, "heat_store_recaptured_volume_l", "float"),
        _f(17, "heat_store_loss_rate", "float"), _f(18, "direct_total_heat_recovered", "float"),
        _f(19, "direct_useful_heat_recovered", "float"), _f(20, "power_consumption", "float"),
        _f(21, "pv_module", "int"), _f(22, "cable_loss", "float"),
        _f(23, "equation_count", "int"),
    ),
    groups=Groups(24, 7, (_f(0, "space_heating_requirement", "float"),
                          _f(1, "a1", "float"), _f(2, "b1", "float"), _f(3, "c1", "float"),
                          _f(4, "a2", "float"), _f(5, "b2", "float"), _f(6, "c2", "float")),
                  rule="count", count_pos=23),
    min_fields=24, max_fields=None,
    source="names [B] (0-30) and [C] (header 0-23, groups of 7 from 24); [F] rows are "
           "24 + 7 x count",
)

_ALL_LAYOUTS = (_BOILER_210, _HEAT_PUMP_464, _HEAT_PUMP_465, _MEV_MVHR_426, _MEV_MVHR_431,
                _DMEV_427, _DMEV_428, _IUF_430, _IUF_432, _WWHRS_453, _FGHRS_413)

#: (table, format) -> layout, for every table read into named columns.
LAYOUTS: dict[tuple[int, int], Layout] = {(lay.table, lay.format): lay for lay in _ALL_LAYOUTS}

#: Table number -> the name of the ``Pcdb`` property that holds it.
TABLE_NAMES: dict[int, str] = {lay.table: lay.name for lay in _ALL_LAYOUTS}

#: Table number -> the format numbers this reader supports for it.
SUPPORTED_FORMATS: dict[int, tuple[int, ...]] = {
    table: tuple(sorted(f for (t, f) in LAYOUTS if t == table)) for table in TABLE_NAMES}


def _column_type(field: Field, in_group: bool) -> pa.DataType:
    arrow = _ARROW_TYPES[field.kind]
    return pa.list_(arrow) if in_group else arrow


def _table_schema(table: int) -> pa.Schema:
    """Union of the columns of the table's layouts (same schema whatever the format)."""
    columns: dict[str, pa.DataType] = {}
    for layout in _ALL_LAYOUTS:
        if layout.table != table:
            continue
        typed = [(f.name, _column_type(f, False)) for f in layout.fields]
        if layout.groups is not None:
            typed += [(f.name, _column_type(f, True)) for f in layout.groups.members]
            if layout.groups.dataset_column:
                typed.append((layout.groups.dataset_column, pa.list_(pa.int64())))
        for name, arrow in typed:
            if columns.setdefault(name, arrow) != arrow:
                raise AssertionError(f"table {table}: column {name} typed two ways")
    columns.update(TRAILING_COLUMNS)
    return pa.schema(list(columns.items()))


#: Table number -> the Arrow schema of its modelled table.
TABLE_SCHEMAS: dict[int, pa.Schema] = {table: _table_schema(table) for table in TABLE_NAMES}

#: Schema of a table kept raw.
RAW_SCHEMA = pa.schema(list(TRAILING_COLUMNS))
