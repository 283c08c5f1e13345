"""Complete open-data CSV summary rows into what the RdSAP 10 expansion needs (an estimate).

An open-data CSV row (``data_source == "csv_summary"``, read by
:mod:`ara.rdsap.readers.csv_summary`) carries the certificate's summary only: total floor
area, property type, built form, age band, room counts, flat details and the description
texts, which :mod:`ara.rdsap.readers.descriptions` has already turned into codes where the
text is unambiguous. It has no RdSAP survey data: no storeys, perimeters, party walls,
windows, doors, heating codes. :func:`infer_summary` fills those in, row by row, by the rules
of ``docs/rdsap/csv_inference.md``:

* dimensions: storeys by property type (and floor area for houses), storey area = TFA /
  storeys, a rectangular plan of documented aspect ratio for the heat-loss perimeter, party
  walls along the plan depth by built form, room height from ``FLOOR_HEIGHT`` or Ara's
  default; a flat's floor and roof from its level and top-storey flag;
* fabric codes: wall construction and insulation, roof, floor from the parsed descriptions,
  else the age-band fallback (the expansion then applies the RdSAP 10 age-band U-values,
  as RdSAP does for unknowns); lodged "average thermal transmittance" texts as U-values;
* windows: RdSAP 2012 Table S4 area by age band and TFA (spec/tables, lineage), glazing
  from the CSV's glazing type / proportion, half east and half west;
* services: main heating code, fuel, controls, hot water, secondary heating, ventilation,
  lighting counts from the parsed descriptions and the CSV columns.

Every number that is not lodged comes from spec/tables (SAP / RdSAP values) or from
``ara/data/rdsap/csv_inference_assumptions.csv`` (Ara's own assumptions, labelled as such).
Every field written here is appended to the row's ``inferred_fields``; rows of other sources
pass through unchanged. :func:`is_estimate` tells which rows are estimates.

Per row in Python, over dicts (the CSV reader is per row already); measured speed in
docs/rdsap/csv_inference.md.
"""

from __future__ import annotations

import csv
import math
import re
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import pyarrow as pa

from ara.rdsap.expansion.tables import fabric_tables
from ara.rdsap.readers.schema import CERTIFICATE_SCHEMA, COLUMNS, Column
from ara.sap.tables import SpecTableError, read_table

__all__ = ["ESTIMATE_NOTE", "assumptions", "complete_summary_rows", "infer_row", "infer_summary",
           "is_estimate"]

#: The label every output of the CSV path carries.
ESTIMATE_NOTE = ("estimate: inferred from an open-data CSV summary row (descriptions only, "
                 "no RdSAP survey data)")

_AGE_BANDS = "ABCDEFGHIJKLM"
_HOUSE, _BUNGALOW, _FLAT, _MAISONETTE, _PARK_HOME = "0", "1", "2", "3", "4"
#: built form -> (party walls along the depth, along the frontage): 1 detached, 2 semi,
#: 3 end-terrace, 4 mid-terrace, 5 enclosed end-terrace, 6 enclosed mid-terrace
_PARTY_SIDES = {"1": (0, 0), "2": (1, 0), "3": (1, 0), "4": (2, 0), "5": (1, 1), "6": (2, 1)}
_GAS = frozenset({"1", "2", "3", "17", "20", "21", "26", "27", "38"})
_OIL = frozenset({"4", "18", "22", "28", "34", "35", "36", "37"})
_ELECTRIC = frozenset({"10", "25", "29"})
_COAL = frozenset({"5", "14", "15", "24", "33"})
_WOOD = frozenset({"6", "9", "16"})
_PELLETS = frozenset({"7", "8", "12"})
_U_TEXT = re.compile(r"average thermal transmittance\s*(?:=\s*)?(\d+(?:\.\d+)?)\s*w/m")


# ---------------------------------------------------------------------------------------------
# data
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def assumptions() -> dict[str, str]:
    """Ara's assumptions for the CSV path (name -> value text), from
    ``ara/data/rdsap/csv_inference_assumptions.csv``."""
    text = resources.files("ara.data").joinpath("rdsap/csv_inference_assumptions.csv") \
        .read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return {row["name"]: row["value"] for row in csv.DictReader(lines)}


@cache
def _num(name: str) -> float:
    return float(assumptions()[name])


@lru_cache(maxsize=1)
def _window_area_table() -> dict[tuple[str, str], tuple[float, float]]:
    rows = read_table("rdsap2012_table_s4_window_area_LINEAGE.csv")
    table = {(r["age_band"], r["dwelling_type"]): (float(r["coefficient"]), float(r["constant"]))
             for r in rows}
    if len(table) != 24:
        raise SpecTableError("rdsap2012_table_s4_window_area_LINEAGE.csv: 12 bands x 2 types")
    return table


@lru_cache(maxsize=1)
def _templates() -> dict[str, dict[str, Any]]:
    def blank(columns: tuple[Column, ...]) -> dict[str, Any]:
        return {c.name: ([] if c.kind == "list" else None) for c in columns}

    by_name = {c.name: c for c in COLUMNS}
    part = by_name["building_parts"]
    return {"building_parts": blank(part.fields),
            "floor_dimensions": blank(next(c for c in part.fields
                                           if c.name == "floor_dimensions").fields),
            "main_heating": blank(by_name["main_heating"].fields),
            "windows": blank(by_name["windows"].fields)}


def is_estimate(certs: pa.Table) -> list[bool]:
    """Per row: True where the certificate came from a CSV summary row (an estimate)."""
    return [source == "csv_summary" for source in certs.column("data_source").to_pylist()]


# ---------------------------------------------------------------------------------------------
# the row-level rules
# ---------------------------------------------------------------------------------------------
class _Row:
    """A row being completed: ``set`` writes a field and lists it in inferred_fields."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.inferred: list[str] = list(row.get("inferred_fields") or [])

    def flag(self, path: str) -> None:
        if path not in self.inferred:
            self.inferred.append(path)

    def set(self, key: str, value: Any, path: str | None = None,
            target: dict[str, Any] | None = None) -> None:
        (self.row if target is None else target)[key] = value
        self.flag(path or key)

    def fill(self, key: str, value: Any, path: str | None = None,
             target: dict[str, Any] | None = None) -> None:
        """Write where nothing is lodged (or parsed) yet."""
        holder = self.row if target is None else target
        if holder.get(key) is None:
            self.set(key, value, path, target)


def _rating(row: dict[str, Any], element: str) -> int | None:
    for item in row.get("property_summary") or ():
        if item.get("element") == element:
            return item.get("energy_efficiency_rating")
    return None


def _text(row: dict[str, Any], column: str) -> str:
    return " ".join((row.get(column) or "").split()).lower()


def _lodged_u(text: str) -> float | None:
    match = _U_TEXT.search(text)
    return float(match[1]) if match else None


def _storeys(ptype: str, tfa: float) -> int:
    if ptype == _HOUSE:
        if tfa < _num("storeys_house_one_below_m2"):
            return 1
        if tfa >= _num("storeys_house_three_from_m2"):
            return 3
        return int(_num("storeys_house"))
    name = {_BUNGALOW: "storeys_bungalow", _FLAT: "storeys_flat",
            _MAISONETTE: "storeys_maisonette"}.get(ptype, "storeys_park_home")
    return int(_num(name))


def _round2(value: float) -> float:
    # Not yet ara.rdsap.rounding.round_half_up: without its 1e-9 nudge a decimal tie held
    # just below in binary rounds down here (537.055 -> 537.05, 1.6249999999999998 ->
    # 1.62; section 15 gives 537.06, 1.63). Switching changes stored dimensions of
    # inferred CSV rows, so it waits for a re-recorded baseline digest (issue 16).
    return math.floor(value * 100.0 + 0.5) / 100.0


def plan(storey_area_m2: float, built_form: str | None) -> tuple[float, float, float, float]:
    """(frontage, depth, heat-loss perimeter, party wall length) of one storey of a
    rectangular plan of ``storey_area_m2`` with Ara's aspect ratio (depth / frontage), party
    walls along the depth on the sides the built form shares (and along the frontage for
    enclosed forms); lengths rounded to 2 d.p."""
    ratio = _num("plan_aspect_ratio")
    frontage = math.sqrt(storey_area_m2 / ratio)
    depth = frontage * ratio
    along_depth, along_front = _PARTY_SIDES.get(built_form or "", (0, 0))
    party = along_depth * depth + along_front * frontage
    perimeter = 2.0 * (frontage + depth) - party
    return _round2(frontage), _round2(depth), _round2(perimeter), _round2(party)


def _dimensions(r: _Row, part: dict[str, Any], ptype: str, band: str) -> float:
    """Storeys of the main part; returns the estimated gross external wall area (m2)."""
    row = r.row
    tfa = float(row["total_floor_area_m2"])
    n = _storeys(ptype, tfa)
    r.flag("dwelling_storey_count")
    built_form = row.get("built_form")
    if built_form not in _PARTY_SIDES:
        # unknown built form: flats and maisonettes flanked on both sides, houses semi
        built_form = "4" if ptype in (_FLAT, _MAISONETTE) else "2"
        r.set("built_form", built_form)
    _frontage, _depth, perimeter, party = plan(tfa / n, built_form)
    height = _room_height(r)
    dims = part.get("floor_dimensions") or []
    first = dict(dims[0]) if dims else dict(_templates()["floor_dimensions"])
    out = []
    for level in range(n):
        dim = dict(first) if level == 0 else dict(_templates()["floor_dimensions"])
        dim.update(floor=str(level), total_floor_area_m2=_round2(tfa / n),
                   room_height_m=height, heat_loss_perimeter_m=perimeter,
                   party_wall_length_m=party)
        if level > 0:
            dim.update(floor_construction=None, floor_insulation=None)
        out.append(dim)
    part["floor_dimensions"] = out
    for name in ("floor", "total_floor_area_m2", "room_height_m", "heat_loss_perimeter_m",
                 "party_wall_length_m"):
        r.flag(f"building_parts[0].floor_dimensions[].{name}")
    # the expansion's upper-storey allowance (spec/tables), used here for the cap only
    allowance = fabric_tables().conventions["upper_storey_height_allowance_m"] * (n - 1)
    return perimeter * (height * n + allowance)


def _room_height(r: _Row) -> float:
    height = None
    for key, value in r.row.get("csv_extra") or ():
        if key == "FLOOR_HEIGHT":
            try:
                height = float(value)
            except ValueError:
                height = None
    if height is None or not (_num("room_height_min_m") <= height <= _num("room_height_max_m")):
        return _num("room_height_m")
    return height


def _flat_position(r: _Row, ptype: str) -> tuple[bool, bool]:
    """(has a ground floor, has a roof) of the dwelling."""
    row = r.row
    if ptype not in (_FLAT, _MAISONETTE):
        return True, True
    location = row.get("flat_location")
    level = row.get("flat_level")
    ground = location in ("0", "-1") or level in ("0", "1")
    top = bool(row.get("top_storey")) or level == "3"
    if location is not None and row.get("flat_storey_count") is not None:
        try:
            top = top or int(location) + 1 >= int(row["flat_storey_count"])
        except ValueError:
            pass
    return ground, top


def _walls(r: _Row, part: dict[str, Any], band: str) -> None:
    text = _text(r.row, "walls_description")
    p = "building_parts[0]."
    if part.get("wall_construction") is None:
        name = "wall_construction_before_1930" if band in "AB" else "wall_construction_from_1930"
        r.set("wall_construction", assumptions()[name], p + "wall_construction", part)
    if part.get("wall_insulation_type") is None:
        r.set("wall_insulation_type", assumptions()["wall_insulation_unknown"],
              p + "wall_insulation_type", part)
    if part["wall_insulation_type"] in ("1", "3", "6", "7") and \
            part.get("wall_insulation_thickness") is None:
        r.set("wall_insulation_thickness", assumptions()["wall_added_insulation_thickness"],
              p + "wall_insulation_thickness", part)
    u = _lodged_u(text)
    if u is not None and part.get("wall_u_value") is None:
        r.set("wall_u_value", u, p + "wall_u_value", part)


def _roof(r: _Row, part: dict[str, Any], has_roof: bool) -> None:
    text = _text(r.row, "roofs_description")
    p = "building_parts[0]."
    if not has_roof:
        if part.get("roof_construction") not in ("3", "7"):
            r.set("roof_construction", "3", p + "roof_construction", part)
        return
    if part.get("roof_construction") in ("3", "7", "9"):
        return  # the description says another dwelling / premises above: as lodged
    u = _lodged_u(text)
    if u is not None and part.get("roof_u_value") is None:
        r.set("roof_u_value", u, p + "roof_u_value", part)
    if part.get("roof_construction") is None:
        flat = text.startswith("flat")
        r.set("roof_construction", "1" if flat else "4", p + "roof_construction", part)
    if part["roof_construction"] == "6":  # thatch: no U-values in spec/tables
        r.set("roof_construction", "4", p + "roof_construction", part)
    location = part.get("roof_insulation_location")
    if location == "1" and part.get("rafter_insulation_thickness") is None \
            and part.get("roof_insulation_thickness") is None:
        location = None  # rafters of unknown thickness (no Table 18 column 2): unknown
        part["roof_insulation_location"] = None
    if location is None:
        none = "no insulation" in text and "(assumed)" not in text
        r.set("roof_insulation_location", "5" if none else "4",
              p + "roof_insulation_location", part)


def _floor(r: _Row, part: dict[str, Any], has_ground: bool) -> None:
    text = _text(r.row, "floors_description")
    p = "building_parts[0]."
    if part.get("floor_heat_loss") is None:
        r.set("floor_heat_loss", "7" if has_ground else "6", p + "floor_heat_loss", part)
    u = _lodged_u(text)
    if u is not None and part.get("floor_u_value") is None:
        r.set("floor_u_value", u, p + "floor_u_value", part)


def _openings(r: _Row, ptype: str, band: str, wall_area: float) -> None:
    row = r.row
    a = assumptions()
    is_flat = ptype in (_FLAT, _MAISONETTE)
    if row.get("door_count") is None:
        r.set("door_count", int(_num("doors_flat" if is_flat else "doors_house")))
    if row.get("windows"):
        return
    kind = "flat" if is_flat else "house"
    coefficient, constant = _window_area_table()[("L" if band == "M" else band, kind)]
    area = coefficient * float(row["total_floor_area_m2"]) + constant
    glazed = row.get("glazed_area")
    if glazed in ("2", "4"):
        area *= _num("glazed_area_more_factor")
    elif glazed in ("3", "5"):
        area *= _num("glazed_area_less_factor")
    # door area (spec/tables conventions) only for the cap; the expansion owns the doors
    door_area = fabric_tables().conventions["door_area_m2"] * int(row["door_count"])
    cap = _num("window_max_wall_fraction") * max(wall_area - door_area, 0.0)
    area = max(min(area, cap), 0.0)
    proportion = row.get("multiple_glazed_proportion")
    code = row.get("multiple_glazing_type")
    text = _text(row, "windows_description")
    if code not in ("1", "2", "3", "4", "5", "6"):
        code = ("6" if "triple" in text else "4" if "secondary" in text
                else "5" if text.startswith("single") and proportion is None
                else a["window_glazing_multiple_unknown"])
        r.flag("windows[].glazing_type")
    if proportion is None:
        proportion = 0 if code == "5" else 100
        r.flag("multiple_glazed_proportion")
    parts = [(code, area * proportion / 100.0), ("5", area * (100 - proportion) / 100.0)]
    windows = []
    for glazing, glazed_area in parts:
        half = _round2(glazed_area / 2.0)
        if half <= 0:
            continue
        for orientation in ("3", "7"):  # east, west
            window = dict(_templates()["windows"])
            window.update(window_location="0", window_type="1", window_wall_type="1",
                          window_height_m=1.0, window_width_m=half, glazing_type=glazing,
                          orientation=orientation, pvc_frame=a["window_pvc_frame"] == "true",
                          glazing_gap=a["window_glazing_gap"] if glazing != "5" else None)
            windows.append(window)
    row["windows"] = windows
    for name in ("window_location", "window_type", "window_wall_type", "window_height_m",
                 "window_width_m", "glazing_type", "orientation", "pvc_frame", "glazing_gap"):
        r.flag(f"windows[].{name}")


def _heating(r: _Row) -> None:
    row = r.row
    a = assumptions()
    text = _text(row, "main_heating_description")
    systems = row.get("main_heating") or []
    main = dict(systems[0]) if systems else dict(_templates()["main_heating"],
                                                 main_heating_number=1)
    p = "main_heating[0]."
    category = main.get("main_heating_category")
    fuel = main.get("main_fuel_type")
    if category is None:  # keyword fallback for non-standard texts ("Gas boiler")
        if "boiler" in text:
            category = "2"
        elif "storage heater" in text:
            category = "7"
        elif "heat pump" in text:
            category = "4"
        elif "room heater" in text or "electric heater" in text:
            category = "10"
        if category is not None:
            r.set("main_heating_category", category, p + "main_heating_category", main)
    if fuel is None:
        fuel = ("26" if "gas" in text and "lpg" not in text else "27" if "lpg" in text
                else "28" if "oil" in text else "29" if "electric" in text
                else "26" if category == "2" and row.get("mains_gas") == "Y" else None)
        if fuel is not None:
            r.set("main_fuel_type", fuel, p + "main_fuel_type", main)
    if category is None or category in ("1", "6"):
        return  # no system (the expansion assumes electric heaters) or a heat network
    if category in ("7", "8", "10") and fuel is None and category != "10":
        fuel = "29"
        r.set("main_fuel_type", fuel, p + "main_fuel_type", main)
    hot_text = _text(row, "hot_water_description")
    cylinder_hint = any(w in hot_text for w in ("cylinder", "solar", "off-peak", "immersion"))
    combi = False
    code: str | None = None
    if category == "2":
        good = (_rating(row, "main_heating") or 0) >= int(_num("boiler_condensing_from_rating"))
        if fuel in _GAS or fuel is None:
            combi = not cylinder_hint
            code = a["code_gas_boiler_" + ("combi" if combi else "regular")
                     + ("_condensing" if good else "")]
        elif fuel in _OIL:
            combi = True
            code = a["code_oil_boiler_combi_condensing" if good else "code_oil_boiler_combi"]
        elif fuel in _ELECTRIC:
            code = a["code_electric_boiler"]
        elif fuel in _PELLETS:
            code = a["code_wood_pellet_boiler"]
        elif fuel in _COAL | _WOOD:
            code = a["code_solid_boiler"]
    elif category == "4":
        code = a["code_ground_source_heat_pump" if "ground source" in text
                 else "code_air_source_heat_pump"]
    elif category == "7":
        control_text = _text(row, "main_heating_controls_description")
        code = a["code_storage_heaters_hhr" if "high heat retention" in text
                 else "code_storage_heaters_celect" if "celect" in control_text
                 else "code_storage_heaters"]
    elif category == "8":
        code = a["code_electric_underfloor"]
    elif category == "9" and fuel in _ELECTRIC:
        code = a["code_electric_warm_air"]
    elif category == "10":
        code = (a["code_electric_room_heaters"] if fuel in _ELECTRIC or fuel is None
                else a["code_solid_room_heaters"] if fuel in _COAL | _WOOD | _PELLETS else None)
        if fuel is None:
            r.set("main_fuel_type", "29", p + "main_fuel_type", main)
    if code is not None and main.get("sap_main_heating_code") is None:
        r.set("sap_main_heating_code", code, p + "sap_main_heating_code", main)
        r.set("main_heating_data_source", "2", p + "main_heating_data_source", main)
    if category in ("2", "4") and main.get("heat_emitter_type") is None:
        r.set("heat_emitter_type", "1", p + "heat_emitter_type", main)
    if main.get("main_heating_control") is None:
        name = {"2": "control_boiler", "4": "control_heat_pump", "7": "control_storage",
                "10": "control_room_heaters"}.get(category, "control_other")
        r.set("main_heating_control", a[name], p + "main_heating_control", main)
    row["main_heating"] = [main] + [dict(s) for s in systems[1:]]
    _hot_water(r, main, combi)


def _hot_water(r: _Row, main: dict[str, Any], combi: bool) -> None:
    row = r.row
    text = _text(row, "hot_water_description")
    code = row.get("water_heating_code")
    if code is None and main.get("main_heating_category") == "2":
        r.set("water_heating_code", "901")  # not parsed, a boiler: from the main system
        code = "901"
    if code == "903":
        r.fill("water_heating_fuel", "29")
        r.fill("immersion_heating_type", "1" if "off-peak" in text else "2")
    needs_store = code == "903" or (code == "901" and not combi)
    if needs_store and row.get("cylinder_size") is None:
        r.set("has_hot_water_cylinder", True)
        r.set("cylinder_size", assumptions()["cylinder_size"])
        r.fill("cylinder_thermostat", "no cylinder thermostat" not in text)


def _secondary(r: _Row) -> None:
    row = r.row
    fuel = row.get("secondary_fuel_type")
    if fuel is None or row.get("secondary_heating_type") is not None:
        return
    a = assumptions()
    text = _text(row, "secondary_heating_description")
    code = (a["code_secondary_portable_electric"] if text.startswith("portable")
            else a["code_secondary_electric"] if fuel in _ELECTRIC
            else a["code_secondary_coal"] if fuel in _COAL
            else a["code_secondary_wood"] if fuel in _WOOD | _PELLETS else None)
    if code is not None:
        r.set("secondary_heating_type", code)


def _lighting(r: _Row) -> None:
    row = r.row
    outlets = row.get("fixed_lighting_outlets_count")
    low = row.get("low_energy_fixed_lighting_outlets_count")
    if outlets is None or row.get("low_energy_fixed_lighting_bulbs_count") is not None:
        return
    if low is None and row.get("low_energy_lighting_percent") is not None:
        low = round(outlets * row["low_energy_lighting_percent"] / 100.0)
    if low is None or low > outlets:
        return
    r.set("low_energy_fixed_lighting_bulbs_count", int(low))
    r.set("incandescent_fixed_lighting_bulbs_count", int(outlets - low))


def infer_row(row: dict[str, Any]) -> dict[str, Any]:
    """A completed copy of one CERTIFICATE_SCHEMA row of a CSV summary (other rows are
    returned as they are). Rows without a total floor area or property type are returned
    with what could be filled; the expansion then names what is missing."""
    if row.get("data_source") != "csv_summary":
        return row
    out = dict(row)
    r = _Row(out)
    ptype = out.get("property_type")
    tfa = out.get("total_floor_area_m2")
    parts = [dict(p) for p in out.get("building_parts") or []]
    if not parts:
        parts = [dict(_templates()["building_parts"], building_part_number=1)]
    part = parts[0]
    out["building_parts"] = parts
    band = part.get("construction_age_band")
    if band not in tuple(_AGE_BANDS):
        band = None
    if out.get("country_code") is None:
        r.set("country_code", "ENG")
    r.fill("measurement_type", "1")  # the certificate's total floor area is internal
    if out.get("habitable_room_count") in (None, 0) and tfa:
        rooms = max(1, round(float(tfa) / _num("floor_area_per_habitable_room_m2")))
        r.set("habitable_room_count", rooms)
    if out.get("heated_room_count") in (None, 0) and out.get("habitable_room_count"):
        r.set("heated_room_count", out["habitable_room_count"])
    r.fill("mechanical_ventilation", "0")
    if band is not None and ptype in tuple("0123") and tfa and float(tfa) > 0:
        ground, top = _flat_position(r, ptype)
        wall_area = _dimensions(r, part, ptype, band)
        _walls(r, part, band)
        _roof(r, part, top)
        _floor(r, part, ground)
        _openings(r, ptype, band, wall_area)
        if ptype in (_FLAT, _MAISONETTE) and out.get("heat_loss_corridor") in ("2", "3") \
                and not out.get("unheated_corridor_length_m"):
            frontage = plan(float(tfa) / _storeys(ptype, float(tfa)), out["built_form"])[0]
            r.set("unheated_corridor_length_m",
                  _round2(frontage * _num("corridor_length_from_frontage")))
        if ptype in (_FLAT, _MAISONETTE) and out.get("flat_location") is None:
            r.set("flat_location", "0" if ground else "1")
    _heating(r)
    _secondary(r)
    _lighting(r)
    out["inferred_fields"] = r.inferred or None
    return out


def infer_summary(certs: pa.Table) -> pa.Table:
    """``certs`` (CERTIFICATE_SCHEMA) with every CSV summary row completed by
    :func:`infer_row`; other rows unchanged."""
    rows = certs.to_pylist()
    return pa.Table.from_pylist([infer_row(row) for row in rows], schema=CERTIFICATE_SCHEMA)


def complete_summary_rows(certs: pa.Table) -> pa.Table:
    """:func:`infer_summary` for the CSV summary rows of ``certs`` only, in place: a table
    without any (the register's XML and JSON) comes back as it is, untouched and unconverted;
    the stages run every batch through this before the expansion."""
    csv_rows = [i for i, estimate in enumerate(is_estimate(certs)) if estimate]
    if not csv_rows:
        return certs
    chosen = set(csv_rows)
    others = [i for i in range(certs.num_rows) if i not in chosen]
    inferred = infer_summary(certs.take(pa.array(csv_rows, pa.int64())))
    rest = certs.take(pa.array(others, pa.int64())).cast(CERTIFICATE_SCHEMA)
    merged = pa.concat_tables([inferred, rest])
    position = {original: k for k, original in enumerate(csv_rows + others)}
    return merged.take(pa.array([position[i] for i in range(certs.num_rows)], pa.int64()))
