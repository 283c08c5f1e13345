"""Read full SAP XML (register SAP-Schema-19.0.0 / 19.1.0 / 19.2.0) into ``SAP_INPUT_SCHEMA`` rows.

Register certificates of SAP-Schema-16.0 to 18.0.0 (``SAP09-Data`` / ``SAP2012-Data``, SAP
2009 / SAP 2012 data) are read too: :func:`_find_sap_data` finds their data element and
:func:`_map` hands it to :mod:`ara.sap.xml_reader_legacy`, which applies this module's mapping
to the shared element layout and documents what differs.

Public API
----------
* :func:`read_sap_xml` - one document -> one row (a dict keyed by exactly the schema's field
  names; list fields are lists of dicts).
* :func:`read_sap_xml_files` - many documents (or folders of ``*.xml``) -> a ``pyarrow.Table``
  with ``SAP_INPUT_SCHEMA``, read file by file.
* :func:`read_sap_xml_certificate` - one document -> a :class:`SapReading` for rating in strict
  or estimate mode (decision 0022): the row of :func:`read_sap_xml` completed by the SAP 10.2
  rules for items SAP XML never carries and by the declared fallbacks of
  ``spec/tables/estimate_fallbacks.csv`` (each recorded with ``FallbackLog``), with the
  assumption ids and, when it must not be rated, the reasons (see :func:`_complete`).
  :mod:`ara.sap.sap_json_reader` reads the register's JSON of the same certificates through
  the same mapping and completion.
* :class:`SapXmlError` - every failure (unsafe or malformed XML, missing required element,
  non-numeric value, unknown code, unsupported feature) names the file and the XML element.

Safety
------
Documents are parsed by :func:`ara.xml_safety.parse_xml_safely`, the one safe XML parser of
the readers: entity declarations are refused (this stops both external entities / XXE and
entity-expansion "billion laughs" bombs), external references are refused, and expat never
fetches an external DTD, so parsing never touches the network or the file system. Documents
larger than :data:`MAX_DOCUMENT_BYTES` are refused.

Matching
--------
Elements are matched on local names, so documents with the register namespace
``https://epbr.digital.communities.gov.uk/xsd/sap`` and documents without a namespace read the
same. Only the collected data under ``SAP10-Data/SAP-Property-Details`` is read: a register
certificate also carries summary elements with the same names (``Energy-Assessment/
Property-Summary/Has-Hot-Water-Cylinder`` ...) which are never looked at.

Nulls
-----
Where the SAP XML is silent the schema field is left null; the calculator applies the SAP
default documented on the field. Each mapping rule is documented next to the code below.
Code lists are those of SAP-Schema-19.1.0 (``SAP-Domains.xsd``), with the one addition noted
at :data:`_FUEL_CODES`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np
import pyarrow as pa

from ara.sap.fallbacks import FallbackLog, Mode, check_mode, fallback
from ara.sap.products import (
    PCDB_HEAT_PUMP_CODE,
    BoilerProducts,
    HeatPumpLookup,
    cylinder_meets_record,
    cylinder_table2_loss_kwh_day,
    heat_pump_records,
    pcdb_boiler_codes,
    product_efficiencies,
)
from ara.sap.schema import SAP_INPUT_SCHEMA
from ara.sap.tables import (
    ELECTRIC_FUELS,
    HEAT_NETWORK_FUELS,
    load_tables,
    needs_fuel_proxy,
    read_table,
)
from ara.xml_safety import MAX_DEPTH, MAX_DOCUMENT_BYTES, XmlRefusedError, parse_xml_safely

__all__ = ["MAX_DOCUMENT_BYTES", "SAP10_SCHEMA_VERSIONS", "SUPPORTED_SCHEMA_VERSIONS",
           "SapReading", "SapXmlError", "read_sap_xml", "read_sap_xml_certificate",
           "read_sap_xml_files"]

#: Register schema versions whose SAP10-Data layout this reader knows. A SAP10-Data document
#: that states another ``Schema-Version-Original`` is refused; one that states none is read.
SAP10_SCHEMA_VERSIONS: frozenset[str] = frozenset(
    {"SAP-Schema-19.0.0", "SAP-Schema-19.1.0", "SAP-Schema-19.2.0"}
)
#: Every register schema version read: SAP10-Data, and the SAP09-Data (16.x) and
#: SAP2012-Data (17.0-18.0.0) of :mod:`ara.sap.xml_reader_legacy`.
SUPPORTED_SCHEMA_VERSIONS: frozenset[str] = SAP10_SCHEMA_VERSIONS | frozenset(
    {"SAP-Schema-16.0", "SAP-Schema-16.1", "SAP-Schema-16.2", "SAP-Schema-16.3",
     "SAP-Schema-17.0", "SAP-Schema-17.1", "SAP-Schema-18.0.0"}
)

_ROWS_PER_CHUNK = 1024
_FIELD_NAMES: tuple[str, ...] = tuple(SAP_INPUT_SCHEMA.names)

# xs:decimal / xs:integer lexical forms (float() would also take "nan", "inf" and "1_0").
_DECIMAL_RE = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_INTEGER_RE = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_TRUE = frozenset({"true", "1"})
_FALSE = frozenset({"false", "0"})

# ---------------------------------------------------------------------------------------------
# Code lists (SAP-Schema-19.1.0, SAP-Domains.xsd)
# ---------------------------------------------------------------------------------------------
_STOREY_CODES = frozenset({-1, 0, 1, 2, 3, 4, 5, 6, 99})  # SAP-StoreyFloorCode
_ORIENTATION_CODES = frozenset(range(0, 10))  # SAP-OrientationCode 0 unknown .. 9 horizontal
_COMPASS_CODES = frozenset(range(1, 9))  # SAP-CompassDirectionCode (PV)
_WINDOW_OVERSHADING_CODES = frozenset(range(1, 5))  # SAP-WindowOvershadingCode
_COLD_WATER_CODES = frozenset({1, 2})  # ColdWaterSourceCode
_PRESSURE_TEST_CODES = frozenset(range(1, 8))  # SAP-PressureTestCode
_VENTILATION_TYPE_CODES = frozenset(range(1, 11))  # SAP-VentilationTypeCode
_WALL_CONSTRUCTION_CODES = frozenset({1, 2})  # SAP-WallConstructionCode
_FLOOR_CONSTRUCTION_CODES = frozenset({1, 2, 3})  # SAP-FloorConstructionCode
_THERMAL_BRIDGE_CODES = frozenset(range(1, 6))  # SAP-ThermalBridgeCode
_GLAZING_TYPE_CODES = frozenset(range(1, 14))  # SAP-GlazingTypeCode
_FRAME_TYPE_CODES = frozenset(range(1, 10))  # SAP-FrameTypeCode
_HEAT_EMITTER_CODES = frozenset(range(1, 5))  # HeatEmitterCode
_PUMP_AGE_CODES = frozenset({0, 1, 2})  # PumpAge
_MAIN_HEATING_CATEGORY_CODES = frozenset(range(1, 12))  # SAP-MainHeatingCategoryCode
_THERMAL_STORE_CODES = frozenset({1, 2, 3})  # SAP-ThermalStoreCode
_COMBI_BOILER_TYPE_CODES = frozenset(range(1, 11))  # SAP-CombiBoilerTypeCode
_HW_STORE_INSULATION_CODES = frozenset({1, 2})  # HotWaterStoreInsulationTypeCode
_PIPEWORK_INSULATION_CODES = frozenset(range(1, 5))  # PipeworkInsulationCode
_SHOWER_OUTLET_CODES = frozenset(range(1, 6))  # ShowerOutletTypeCode
_SHOWER_WWHRS_CODES = frozenset(range(1, 5))  # ShowerWWHRSCode
_DESIGN_WATER_USE_CODES = frozenset({1})  # DesignWaterUseCode: 1 = <= 125 l/person/day
_TARIFF_CODES = frozenset(range(1, 6))  # SAP-ElectricityTariffCode ("ND" -> null)
_PV_CONNECTION_CODES = frozenset({0, 1, 2})  # PVConnectionCode
# SAP-SolarCollectorOvershadingCode is 1-5 (+ "ND"); SAP_INPUT_SCHEMA.pv_arrays.overshading
# documents only 1-4 (SAP 10.2 Table H2), so 5 "severe" is refused rather than passed on.
_PV_OVERSHADING_CODES = frozenset(range(1, 5))
# SAP-VerticalPitchCode (PV-Array/Pitch) -> tilt in degrees.
_PV_PITCH_DEG: dict[int, float] = {1: 0.0, 2: 30.0, 3: 45.0, 4: 60.0, 5: 90.0}
# HeatingFuelTypeCode of SAP-Schema-19.1.0, plus 5 (SAP 10.2 Table 12 "bottled LPG, secondary
# heating"), which the SAP-Schema-19.2.0 register sample uses as Main-Fuel-Type.
_FUEL_CODES = frozenset(
    {1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 15, 20, 21, 22, 23, 36, 37, 39}
    | set(range(41, 59))
    | {71, 72, 73, 74, 75, 76, 99}
)
#: Table 12 rows that are not a fuel any heating system burns (PV export / displaced
#: electricity): lodged as a heating fuel, the certificate contradicts itself.
NOT_HEATING_FUELS = {36: "electricity sold to grid", 37: "electricity displaced from grid"}
# Range-restricted integer codes (xs:positiveInteger restrictions).
_SPACE_HEATING_CODE_RANGE = (101, 899)  # SAP-SpaceHeatingCode (Table 4a/4b)
_WATER_HEATING_CODE_RANGE = (901, 999)  # SAP-WaterHeatingCode (Table 4a)
_CONTROL_CODE_RANGE = (2001, 2999)  # SAP-HeatingControlCode (Table 4e)

# Element kinds (SAP_INPUT_SCHEMA ELEMENT_KIND_CODES) by SAP-FloorTypeCode, for floors with a
# heat-loss area: 1 basement floor -> 5 basement floor (28); 2 ground floor -> 4 ground floor
# (28a); 3 upper floor (exposed where Heat-Loss-Area > 0) -> 6 exposed floor (28b).
_FLOOR_KIND = {1: 5, 2: 4, 3: 6}
_PARTY_FLOOR_TYPE = 4  # -> kind 8 party floor (32a), area = Total-Floor-Area
_UPPER_FLOOR_TYPE = 3
# SAP-WallTypeCode -> kind: 1 basement wall -> 2; 2 exposed -> 1; 3 sheltered -> 1 (the XML
# U-Value of a sheltered wall already includes the unheated-space resistance, as kind 1 asks);
# 4 party -> 7; 5 internal -> 10.
_WALL_KIND = {1: 2, 2: 1, 3: 1, 4: 7, 5: 10}
# SAP-RoofTypeCode -> kind: 2 exposed roof -> 3 roof (30); 4 party ceiling -> 9 (32b).
_ROOF_KIND = {2: 3, 4: 9}
# SAP-OpeningTypeCode -> opening kind: 1 solid door, 2 semi-glazed door, 3 door to corridor
# -> 1 door; 4 window -> 2; 5 roof window -> 3; 6 rooflight -> 4.
_OPENING_KIND = {1: 1, 2: 1, 3: 1, 4: 2, 5: 3, 6: 4}
_KIND_ROOF_WINDOW = 3
_KIND_ROOFLIGHT = 4

# Thermal-Bridge-Code 1 "default": y = 0.2 W/m2K (SAP 10.2 Appendix K default). Observed in
# the sap10calcs vector examples/example_complete_sap.out.json: (36) 64 = 0.2 x (31) 320 for
# the document examples/example_complete_sap.xml, which lodges code 1.
_DEFAULT_Y = 0.2

# Combi-Boiler-Type (SAP-CombiBoilerTypeCode) -> combi_keep_hot (COMBI_KEEP_HOT_CODES):
# 1 instantaneous, no store or keep-hot -> 0; timed keep-hot (6, 8, 10) -> 1; untimed keep-hot
# (5, 7, 9) -> 2. Storage combis / CPSU (2, 3, 4) have no keep-hot code: left null.
_COMBI_KEEP_HOT = {1: 0, 5: 2, 6: 1, 7: 2, 8: 1, 9: 2, 10: 1}

# Water-Heating-Code -> hot_water_delivery when there is no cylinder or other store:
# 907 single-point gas / 909 electric instantaneous at point of use -> 1;
# 901 from main system, 902 from secondary system, 914 from second main system -> 2 (combi).
_POINT_OF_USE_WATER_CODES = frozenset({907, 909})
_FROM_SYSTEM_WATER_CODES = frozenset({901, 902, 914})
# Hot-water-only heat networks (SAP 10.2 Table 4a codes 950-952).
_HEAT_NETWORK_WATER_CODES = frozenset({950, 951, 952})
# The calculator computes heat networks from SAP_INPUT_SCHEMA rows (decisions 0012, 0018), but
# the network's declared price per unit of heat and its age band / DLF are not mapped from XML.
_HEAT_NETWORK_ROW = ("give the dwelling as a SAP_INPUT_SCHEMA row with the heat_network_* "
                     "fields (price, age band or DLF)")
_COMMUNITY_HEATING_CATEGORY = 6


class SapXmlError(Exception):
    """A SAP XML document could not be read.

    ``source`` is the file name (or the dwelling id for in-memory documents) and ``field`` the
    path of the XML element at fault (local names, 1-based ``[i]`` for repeated elements).
    """

    def __init__(self, source: str, field: str, reason: str) -> None:
        self.source = source
        self.field = field
        self.reason = reason
        super().__init__(f"{source}: {field}: {reason}")


class _Node:
    """An element plus its path, with typed accessors that raise SapXmlError.

    The mapping below only navigates by SAP XML element names (``child``, ``children``,
    ``text``); a subclass that answers those primitives for another shape of the same data
    (the register's JSON, :mod:`ara.sap.sap_json_reader`) reuses every mapping rule."""

    __slots__ = ("el", "path", "source")

    def __init__(self, el: Any, path: str, source: str) -> None:
        self.el = el
        self.path = path
        self.source = source

    # --- primitives (XML; overridden for other document shapes) ---------------------------
    def error(self, name: str | None, reason: str) -> SapXmlError:
        return SapXmlError(self.source, f"{self.path}/{self._step(name)}" if name
                           else self.path, reason)

    def _step(self, name: str) -> str:
        """The path component naming child ``name``."""
        return name

    def _one(self, name: str) -> list[Any]:
        """The raw children that ``child(name)`` may return (more than one is an error)."""
        return [c for c in self.el if isinstance(c.tag, str) and _local(c.tag) == name]

    def _many(self, name: str) -> list[Any]:
        """The raw children that ``children(name)`` returns."""
        return self._one(name)

    def _sub(self, raw: Any, path: str) -> _Node:
        return type(self)(raw, path, self.source)

    def _leaf(self) -> str:
        """This node's stripped text ('' when empty)."""
        return (self.el.text or "").strip()

    # --- navigation -----------------------------------------------------------------------
    def child(self, name: str) -> _Node | None:
        found = self._one(name)
        if len(found) > 1:
            raise self.error(name, f"element occurs {len(found)} times; expected at most once")
        return self._sub(found[0], f"{self.path}/{self._step(name)}") if found else None

    def require(self, name: str) -> _Node:
        node = self.child(name)
        if node is None:
            raise self.error(name, "required element is missing")
        return node

    def _item_path(self, name: str, i: int) -> str:
        return f"{self.path}/{self._step(name)}[{i}]"

    def children(self, name: str) -> list[_Node]:
        return [self._sub(el, self._item_path(name, i))
                for i, el in enumerate(self._many(name), start=1)]

    def text(self, name: str, required: bool = False) -> str | None:
        """Stripped text of a child; None when the child is absent or empty."""
        node = self.child(name)
        value = node._leaf() if node is not None else ""
        if value:
            return value
        if required:
            raise self.error(name, "required element is missing" if node is None
                             else "required element is empty")
        return None

    # --- typed values ---------------------------------------------------------------------
    def number(self, name: str, required: bool = False, *,
               minimum: float | None = None) -> float | None:
        raw = self.text(name, required)
        if raw is None:
            return None
        if not _DECIMAL_RE.match(raw):
            raise self.error(name, f"non-numeric value {raw!r}")
        value = float(raw)
        if minimum is not None and value < minimum:
            raise self.error(name, f"value {raw} is below the minimum {minimum:g}")
        return value

    def req_number(self, name: str, *, minimum: float | None = None) -> float:
        value = self.number(name, True, minimum=minimum)
        assert value is not None  # required=True never returns None
        return value

    def integer(self, name: str, required: bool = False, *, lo: int = 0,
                hi: int = 32767) -> int | None:
        raw = self.text(name, required)
        if raw is None:
            return None
        if not _INTEGER_RE.match(raw):
            raise self.error(name, f"non-integer value {raw!r}")
        value = int(float(raw)) if "." in raw else int(raw)
        if not lo <= value <= hi:
            raise self.error(name, f"value {value} outside the allowed range {lo}..{hi}")
        return value

    def code(self, name: str, codes: Collection[int], required: bool = False, *,
             not_applicable: str | None = None) -> int | None:
        raw = self.text(name, required)
        if raw is None or (not_applicable is not None and raw == not_applicable):
            return None
        if not _INTEGER_RE.match(raw):
            raise self.error(name, f"non-numeric code {raw!r}")
        value = int(float(raw)) if "." in raw else int(raw)
        if value not in codes:
            raise self.error(name, f"unknown code {value} (allowed: "
                             f"{', '.join(str(c) for c in sorted(codes))})")
        return value

    def req_code(self, name: str, codes: Collection[int]) -> int:
        value = self.code(name, codes, True)
        assert value is not None
        return value

    def boolean(self, name: str, required: bool = False) -> bool | None:
        raw = self.text(name, required)
        if raw is None:
            return None
        low = raw.lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise self.error(name, f"not a boolean: {raw!r} (expected true/false/1/0)")


def _local(tag: str) -> str:
    """Local name of a (possibly namespaced, ``{uri}name``) tag."""
    return tag.rsplit("}", 1)[-1]


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------
def _parse(data: bytes, source: str) -> Element:
    """Parse bytes safely (:func:`ara.xml_safety.parse_xml_safely`); every refusal becomes a
    SapXmlError saying why."""
    try:
        return parse_xml_safely(data, max_bytes=MAX_DOCUMENT_BYTES, max_depth=MAX_DEPTH)
    except XmlRefusedError as exc:
        raise SapXmlError(source, "(document)", exc.reason) from None


def _load(source: str | Path | bytes, dwelling_id: str | None) -> tuple[bytes, str, str]:
    """Return (document bytes, source name for errors, dwelling id)."""
    if isinstance(source, bytes | bytearray):
        ident = dwelling_id if dwelling_id is not None else "dwelling"
        return bytes(source), ident, ident
    path = Path(source)
    try:
        if (size := path.stat().st_size) > MAX_DOCUMENT_BYTES:  # refused before it is read
            raise SapXmlError(path.name, "(document)", f"document is {size} bytes, above the "
                              f"{MAX_DOCUMENT_BYTES}-byte limit")
        data = path.read_bytes()
    except OSError as exc:
        raise SapXmlError(path.name, "(file)", f"cannot read file: {exc.strerror or exc}"
                          ) from None
    return data, path.name, dwelling_id if dwelling_id is not None else path.stem


def _find_sap_data(root: _Node) -> _Node:
    """Locate SAP10-Data (or the SAP09-Data / SAP2012-Data of SAP-Schema-16.0 to 18.0.0,
    :func:`ara.sap.xml_reader_legacy.find_legacy_data`), refusing documents that are not full
    SAP data."""
    root_name = _local(root.el.tag)
    if root_name.startswith("RdSAP"):
        raise root.error(None, f"this is an RdSAP document ({root_name}); read_sap_xml reads "
                         "full SAP data (SAP-Schema-16.0 to 19.2.0) only")
    version = root.text("Schema-Version-Original")
    sap = root.child("SAP10-Data")
    if sap is None:
        from ara.sap.xml_reader_legacy import find_legacy_data  # it imports this module

        legacy = find_legacy_data(root, version)
        if legacy is not None:
            return legacy
    if version is not None and version not in SAP10_SCHEMA_VERSIONS:
        raise root.error("Schema-Version-Original", f"unsupported schema version {version!r} "
                         f"(supported: {', '.join(sorted(SAP10_SCHEMA_VERSIONS))} with "
                         "SAP10-Data; SAP-Schema-16.0 to 18.0.0 with SAP09-Data / "
                         "SAP2012-Data)")
    if sap is None:
        raise root.error("SAP10-Data", "required element is missing: the document carries "
                         "no collected SAP data (a certificate/summary without SAP10-Data, "
                         "SAP2012-Data or SAP09-Data cannot be mapped)")
    return sap


# ---------------------------------------------------------------------------------------------
# Mapping
# ---------------------------------------------------------------------------------------------
def _thermal_bridging(part: _Node) -> tuple[float | None, list[dict[str, Any]]]:
    """y-value of a building part and its individually given junctions.

    Thermal-Bridge-Code 1 (default) -> y 0.2 (see _DEFAULT_Y); 4 (user-defined global y) ->
    User-Defined-Y-Value; 5 (individual values) -> y 0 and every SAP-Thermal-Bridge's
    {Length, Psi-Value} goes to ``thermal_bridges``; 2/3 (pre-SAP-10 backwards-compatibility
    codes) are refused. A part without SAP-Thermal-Bridges -> y null (the XML is silent).
    """
    tb = part.child("SAP-Thermal-Bridges")
    if tb is None:
        return None, []
    code = tb.req_code("Thermal-Bridge-Code", _THERMAL_BRIDGE_CODES)
    if code == 1:
        return _DEFAULT_Y, []
    if code in (2, 3):
        raise tb.error("Thermal-Bridge-Code", f"code {code} (2002 regulations / accredited, "
                       "backwards compatibility only) is not supported")
    if code == 4:
        return tb.req_number("User-Defined-Y-Value", minimum=0.0), []
    bridges = [
        {"length_m": b.req_number("Length", minimum=0.0),
         # psi may be negative (e.g. E17 corners), so no minimum
         "psi_w_per_mk": b.req_number("Psi-Value")}
        for b in tb.children("SAP-Thermal-Bridge")
    ]
    return 0.0, bridges


def _element(kind: int, area: float, u_value: float, kappa: float | None,
             y: float | None) -> dict[str, Any]:
    return {"kind": kind, "gross_area_m2": area, "u_value": u_value,
            "kappa_kj_per_m2k": kappa, "thermal_bridging_y": y}


def _read_parts(details: _Node, row: dict[str, Any]) -> None:
    """Storeys, opaque elements, openings and thermal bridges of every SAP-Building-Part."""
    parts = details.require("SAP-Building-Parts").children("SAP-Building-Part")
    if not parts:
        raise details.error("SAP-Building-Parts/SAP-Building-Part",
                            "required element is missing")
    opening_types = _read_opening_types(details)
    storeys: list[dict[str, Any]] = []
    elements: list[dict[str, Any]] = []
    openings: list[dict[str, Any]] = []
    bridges: list[dict[str, Any]] = []
    # Name -> element index, per part (openings refer to a wall/roof of their own part) and
    # dwelling-wide (fallback; only names that are unique across the dwelling).
    global_names: dict[str, int | None] = {}
    levels: set[int] = set()

    for part in parts:
        y, part_bridges = _thermal_bridging(part)
        bridges.extend(part_bridges)
        names: dict[str, int] = {}

        # Floors: every SAP-Floor-Dimension is a storey {Storey, Total-Floor-Area,
        # Storey-Height}; a heat-loss area makes it an element too (see _FLOOR_KIND).
        floors = part.child("SAP-Floor-Dimensions")
        for fd in floors.children("SAP-Floor-Dimension") if floors else []:
            level = fd.req_code("Storey", _STOREY_CODES)
            floor_type = fd.req_code("Floor-Type", {1, 2, 3, 4})
            tfa = fd.req_number("Total-Floor-Area", minimum=0.0)
            storeys.append({"level": level, "floor_area_m2": tfa,
                            "storey_height_m": fd.req_number("Storey-Height", minimum=0.0)})
            levels.add(level)
            hla = fd.req_number("Heat-Loss-Area", minimum=0.0)
            u_value = fd.req_number("U-Value", minimum=0.0)
            kappa = fd.number("Kappa-Value", minimum=0.0)
            if floor_type == _PARTY_FLOOR_TYPE:
                # party floor: kind 8, heat capacity only, area = Total-Floor-Area
                elements.append(_element(8, tfa, u_value, kappa, y))
                continue
            if hla > 0:
                elements.append(_element(_FLOOR_KIND[floor_type], hla, u_value, kappa, y))
            if floor_type == _UPPER_FLOOR_TYPE and tfa > hla:
                # Heat capacity of the rest of an upper floor (the XSD: Kappa-Value-From-Below
                # "applies to the non-heat-loss area of an upper floor"): an internal floor
                # with Kappa-Value (kind 11) over the ceiling below with
                # Kappa-Value-From-Below (kind 12), area Total-Floor-Area - Heat-Loss-Area,
                # U 0 (heat capacity only, no y); each emitted only when its kappa is given.
                below = fd.number("Kappa-Value-From-Below", minimum=0.0)
                if kappa is not None:
                    elements.append(_element(11, tfa - hla, 0.0, kappa, None))
                if below is not None:
                    elements.append(_element(12, tfa - hla, 0.0, below, None))

        # Walls: area = Total-Wall-Area (openings included), kind from _WALL_KIND.
        walls = part.child("SAP-Walls")
        for wall in walls.children("SAP-Wall") if walls else []:
            kind = _WALL_KIND[wall.req_code("Wall-Type", _WALL_KIND)]
            _remember(wall, len(elements), names, global_names)
            elements.append(_element(kind, wall.req_number("Total-Wall-Area", minimum=0.0),
                                     wall.req_number("U-Value", minimum=0.0),
                                     wall.number("Kappa-Value", minimum=0.0), y))

        # Roofs: area = Total-Roof-Area, kind from _ROOF_KIND.
        roofs = part.child("SAP-Roofs")
        for roof in roofs.children("SAP-Roof") if roofs else []:
            kind = _ROOF_KIND[roof.req_code("Roof-Type", _ROOF_KIND)]
            _remember(roof, len(elements), names, global_names)
            elements.append(_element(kind, roof.req_number("Total-Roof-Area", minimum=0.0),
                                     roof.req_number("U-Value", minimum=0.0),
                                     roof.number("Kappa-Value", minimum=0.0), y))

        # Openings of this part: hosted by the wall/roof of this part whose Name equals the
        # opening's Location; names found only in other parts are resolved after the loop.
        op_parent = part.child("SAP-Openings")
        for op in op_parent.children("SAP-Opening") if op_parent else []:
            openings.append(_read_opening(op, opening_types, y, names))

    # Resolve openings that named a host outside their own part.
    for opening in openings:
        location = opening.pop("_location")
        if opening["host_element"] is None and location is not None:
            opening["host_element"] = global_names.get(location)

    if not storeys:
        raise details.error("SAP-Building-Parts/SAP-Building-Part/SAP-Floor-Dimensions",
                            "no SAP-Floor-Dimension in any building part (total floor area "
                            "is required)")
    row["storeys"] = storeys
    # storey_count (line 9): number of distinct Storey levels across all building parts
    # (an extension beside a two-storey main part adds no storey; a roof-room level 99 counts
    # as a storey). This equals the maximum per-part count whenever the parts share levels.
    row["storey_count"] = len(levels)
    row["elements"] = elements
    row["openings"] = openings
    row["thermal_bridges"] = bridges


def _remember(node: _Node, index: int, names: dict[str, int],
              global_names: dict[str, int | None]) -> None:
    """Record a wall/roof Name -> element index (None globally when the name repeats)."""
    name = node.text("Name")
    if name is None:
        return
    if name in names:
        raise node.error("Name", f"duplicate wall/roof Name {name!r} in this building part; "
                         "openings could not be placed")
    names[name] = index
    global_names[name] = None if name in global_names else index


def _read_opening_types(details: _Node) -> dict[str, _Node]:
    types: dict[str, _Node] = {}
    parent = details.child("SAP-Opening-Types")
    for ot in parent.children("SAP-Opening-Type") if parent else []:
        name = ot.text("Name", True)
        assert name is not None
        if name in types:
            raise ot.error("Name", f"duplicate opening type Name {name!r}")
        types[name] = ot
    return types


def _read_opening(op: _Node, opening_types: dict[str, _Node], y: float | None,
                  names: dict[str, int]) -> dict[str, Any]:
    """One SAP-Opening, completed from the SAP-Opening-Type its Type names."""
    type_name = op.text("Type", True)
    assert type_name is not None
    ot = opening_types.get(type_name)
    if ot is None:
        raise op.error("Type", f"no SAP-Opening-Type with Name {type_name!r}")
    kind = _OPENING_KIND[ot.req_code("Type", _OPENING_KIND)]
    # area = Height x Width (the XSD allows one of them to carry the area with the other 1);
    # a non-standard Area element is used when Height/Width are absent.
    height = op.number("Height", minimum=0.0)
    width = op.number("Width", minimum=0.0)
    if height is not None and width is not None:
        area = height * width
    else:
        area_value = op.number("Area", minimum=0.0)
        if area_value is None:
            raise op.error("Height" if height is None else "Width",
                           "required element is missing (and no Area element)")
        area = area_value
    # tilt: null for doors and windows (calculator: 90), 0 for rooflights, roof windows
    # from the opening's Pitch (SAP-VerticalPitch, degrees; -1 = backwards-compat "not given").
    tilt: float | None = None
    if kind == _KIND_ROOFLIGHT:
        tilt = 0.0
    elif kind == _KIND_ROOF_WINDOW:
        pitch = op.integer("Pitch", lo=-1, hi=90)
        tilt = float(pitch) if pitch is not None and pitch >= 0 else None
    location = op.text("Location")
    return {
        "kind": kind,
        "area_m2": area,
        "u_value": ot.req_number("U-Value", minimum=0.0),
        "g_perpendicular": ot.number("Solar-Transmittance", minimum=0.0),
        "light_transmittance": None,  # not in SAP XML: Table 6b from glazing_type
        "frame_factor": ot.number("Frame-Factor", minimum=0.0),
        "glazing_type": ot.code("Glazing-Type", _GLAZING_TYPE_CODES),
        "frame_type": ot.code("Frame-Type", _FRAME_TYPE_CODES),
        "orientation": op.req_code("Orientation", _ORIENTATION_CODES),
        "tilt_deg": tilt,
        # host = the element whose Name equals Location (own part first); null if none
        "host_element": names.get(location) if location is not None else None,
        "thermal_bridging_y": y,
        "_location": location,
    }


def _read_ventilation(details: _Node, row: dict[str, Any], lodged: _Lodged) -> None:
    """SAP-Ventilation -> section 2 fields. Required: pressure test and ventilation type."""
    vent = details.require("SAP-Ventilation")
    counts = {
        "open_chimneys": "Open-Chimneys-Count",
        "open_flues": "Open-Flues-Count",
        "closed_fire_flues": "Closed-Flues-Count",
        "solid_fuel_boiler_flues": "Boilers-Flues-Count",
        "other_heater_flues": "Other-Flues-Count",
        "blocked_chimneys": "Blocked-Chimneys-Count",
        "intermittent_fans": "Extract-Fans-Count",
        "passive_vents": "PSV-Count",
        "flueless_gas_fires": "Flueless-Gas-Fires-Count",
    }
    for field, element in counts.items():
        row[field] = vent.integer(element)
    row["pressure_test"] = vent.req_code("Pressure-Test", _PRESSURE_TEST_CODES)
    row["air_permeability_q50"] = vent.number("Air-Permeability", minimum=0.0)
    row["sheltered_sides"] = vent.integer("Sheltered-Sides-Count", hi=4)
    row["ventilation_type"] = vent.req_code("Ventilation-Type", _VENTILATION_TYPE_CODES)
    row["wall_construction"] = vent.code("Wall-Type", _WALL_CONSTRUCTION_CODES)
    row["floor_construction"] = vent.code("Ground-Floor-Type", _FLOOR_CONSTRUCTION_CODES)
    row["draught_lobby"] = vent.boolean("Has-Draught-Lobby")
    percent = vent.number("DraughtStripping", minimum=0.0)
    if percent is not None and percent > 100:
        raise vent.error("DraughtStripping", f"percentage {percent:g} above 100")
    row["draughtproofed_percent"] = percent
    # Mechanical ventilation: the declared specific fan power maps to mv_specific_fan_power.
    # The declared MVHR efficiency is *before* the in-use factor (PCDB / Table 4g), while
    # mvhr_efficiency_percent is the efficiency after it, which the XML does not carry: it is
    # left null (validation asks for it with MVHR). mv_system_ach and mv_in_use_factor too.
    row["mv_specific_fan_power"] = vent.number("Mechanical-Vent-Specific-Fan-Power",
                                               minimum=0.0)
    lodged.mvhr_declared_efficiency = vent.number("Mechanical-Vent-Heat-Recovery-Efficiency",
                                                  minimum=0.0)
    lodged.mv_data_source = vent.code("Mechanical-Ventilation-Data-Source", {1, 2, 3})
    lodged.mv_index = vent.text("Mechanical-Vent-System-Index-Number") is not None


def _read_main_heating(heating: _Node, row: dict[str, Any],
                       lodged: _Lodged) -> dict[int, _Node]:
    """Main-Heating entries by Main-Heating-Number -> main1_* / main2_*."""
    systems: dict[int, _Node] = {}
    details = heating.require("Main-Heating-Details")
    for mh in details.children("Main-Heating"):
        number = mh.req_code("Main-Heating-Number", {1, 2})
        if number in systems:
            raise mh.error("Main-Heating-Number", f"main heating system {number} given twice")
        systems[number] = mh
    if 1 not in systems:
        raise details.error("Main-Heating", "main heating system 1 (Main-Heating-Number 1) "
                            "is missing")
    for number, mh in sorted(systems.items()):
        p = f"main{number}"
        category = mh.code("Main-Heating-Category", _MAIN_HEATING_CATEGORY_CODES)
        if category == _COMMUNITY_HEATING_CATEGORY:
            raise mh.error("Main-Heating-Category", "heat networks (community heating, "
                           "category 6) are not read from SAP XML: " + _HEAT_NETWORK_ROW)
        code = mh.integer("Main-Heating-Code", lo=_SPACE_HEATING_CODE_RANGE[0],
                          hi=_SPACE_HEATING_CODE_RANGE[1])
        if code is None and category != 1:  # category 1 = "none"
            # a gas / LPG / oil boiler lodged by its PCDB index: the completion takes its
            # product record or the declared fallback
            # (_complete_indexed_boilers); an electric heat pump its Appendix N record
            # (_complete_indexed_heat_pumps); code null
            system = _indexed_system(mh, number, category)
            if isinstance(system, _IndexedHeatPump):
                lodged.indexed_heat_pumps.append(system)
            else:
                lodged.indexed.append(system)
        row[f"{p}_code"] = code
        row[f"{p}_fuel"] = _heating_fuel(mh, "Main-Fuel-Type")
        row[f"{p}_fraction"] = mh.req_number("Main-Heating-Fraction", minimum=0.0)
        row[f"{p}_control"] = mh.integer("Main-Heating-Control", True,
                                         lo=_CONTROL_CODE_RANGE[0], hi=_CONTROL_CODE_RANGE[1])
        # responsiveness, control type and temperature adjustment are not in SAP XML: null
        # (the calculator derives them from the system and control codes).
        row[f"{p}_pump_in_heated_space"] = mh.boolean("Is-Central-Heating-Pump-In-Heated-Space")
        row[f"{p}_pump_age"] = mh.code("Central-Heating-Pump-Age", _PUMP_AGE_CODES)
        row[f"{p}_emitter"] = mh.code("Heat-Emitter-Type", _HEAT_EMITTER_CODES)
        row[f"{p}_category"] = category
        row[f"{p}_interlock"] = mh.boolean("Is-Interlocked-System")
        # Main-Heating-Efficiency (or the winter/summer pair) is given only for
        # manufacturer-declared data; a SAP-table system leaves it absent -> null.
        winter = mh.number("Main-Heating-Efficiency-Winter", minimum=0.0)
        row[f"{p}_efficiency_percent"] = winter if winter is not None else \
            mh.number("Main-Heating-Efficiency", minimum=0.0)
        row[f"{p}_summer_efficiency_percent"] = mh.number("Main-Heating-Efficiency-Summer",
                                                          minimum=0.0)
        if mh.boolean("Has-FGHRS"):
            lodged.fghrs.append(number)
    return systems


#: SAP-MainHeatingCategoryCode 2: "boiler with radiators or underfloor heating".
_BOILER_CATEGORY = 2
#: SAP 10.2 Table 12 fuel codes of the boiler fallback's fuel groups: the RdSAP groups of
#: ara.rdsap.expansion.services_heating.BOILER_FUEL_GROUPS through
#: spec/tables/rdsap10_fuel_code_to_sap_table12.csv - gas = mains gas, bulk / bottled LPG,
#: LPG subject to Special Condition (Table 4b's gas rows include LPG); oil = heating oil,
#: the bio-liquids and B30K (Table 4b's liquid fuel rows).
BOILER_FUEL_GROUPS: dict[str, tuple[int, ...]] = {"gas": (1, 2, 3, 9),
                                                   "oil": (4, 71, 72, 73, 74, 75)}
_INDEX_RE = re.compile(r"^\d{1,12}$")


@dataclass(frozen=True)
class _IndexedBoiler:
    """A main heating system lodged by its PCDB index without a SAP Table 4a/4b code."""

    number: int  # Main-Heating-Number
    index: str  # the PCDB index number as lodged (leading zeros kept)
    fuel: int  # Main-Fuel-Type (SAP 10.2 Table 12)
    fuel_group: str  # "gas" / "oil" (BOILER_FUEL_GROUPS)
    fan_flue: bool | None  # Is-Flue-Fan-Present; None when not lodged


#: SAP-MainHeatingCategoryCode 4: "heat pump with radiators or underfloor heating".
_WET_HEAT_PUMP_CATEGORY = 4


@dataclass(frozen=True)
class _IndexedHeatPump:
    """An electric wet heat pump lodged by its PCDB index without a SAP Table 4a code."""

    number: int  # Main-Heating-Number
    index: str  # the PCDB index number as lodged


def _indexed_system(mh: _Node, number: int, category: int | None
                    ) -> _IndexedBoiler | _IndexedHeatPump:
    """A main heating system without Main-Heating-Code: read when it is a gas / LPG / oil
    boiler or an electric heat pump with radiators or underfloor heating lodged by its PCDB
    index (Main-Heating-Data-Source 1 or absent, with Main-Heating-Index-Number,
    ``Boiler-Index-Number`` in SAP-Schema-16.x); refused naming what is missing otherwise."""
    source = mh.text("Main-Heating-Data-Source")
    index = mh.text("Main-Heating-Index-Number")
    index_name = "Main-Heating-Index-Number"
    if index is None and mh.text("Boiler-Index-Number") is not None:  # SAP-Schema-16.x
        index, index_name = mh.text("Boiler-Index-Number"), "Boiler-Index-Number"
    if source not in (None, "1") or index is None:
        what = ("PCDB, without a product index number" if source == "1" else
                {"2": "manufacturer declaration", "3": "SAP table"}.get(source or "", "not lodged"))
        raise mh.error("Main-Heating-Code", f"required element is missing (Main-Heating-Data-"
                       f"Source {source or '?'}: {what}): a SAP Table 4a/4b code is needed; "
                       "only a gas / LPG / oil boiler lodged by its PCDB index (Main-Heating-"
                       "Data-Source 1 with Main-Heating-Index-Number) is read without one")
    if not _INDEX_RE.match(index):
        raise mh.error(index_name, f"{index!r} is not a PCDB index number")
    fuel = _heating_fuel(mh, "Main-Fuel-Type")
    if category == _WET_HEAT_PUMP_CATEGORY and fuel in ELECTRIC_FUELS:
        return _IndexedHeatPump(number=number, index=index)
    group = next((g for g, codes in BOILER_FUEL_GROUPS.items() if fuel in codes), None)
    if category != _BOILER_CATEGORY or fuel is None or group is None:
        kind = "a boiler" if category == _BOILER_CATEGORY else \
            f"Main-Heating-Category {category if category is not None else '(not lodged)'}"
        raise mh.error("Main-Heating-Code", f"required element is missing: main heating "
                       f"system {number} is lodged by its PCDB index {index} without a SAP "
                       f"Table 4a/4b code, and it is {kind} burning fuel "
                       f"{fuel if fuel is not None else '(Main-Fuel-Type not lodged)'}; Ara "
                       "takes a product from the PCDB only for a gas / LPG / oil boiler "
                       "(category 2, SAP 10.2 Appendix D) or an electric heat pump with "
                       "radiators or underfloor heating (category 4, Appendix N): for this "
                       "system a Main-Heating-Code (or a reader of its PCDB record) is needed")
    return _IndexedBoiler(number=number, index=index, fuel=fuel, fuel_group=group,
                          fan_flue=mh.boolean("Is-Flue-Fan-Present"))


def _heating_fuel(node: _Node, name: str) -> int | None:
    """A HeatingFuelTypeCode lodged as the fuel of a heating or water heating system; a row
    for generated electricity (:data:`NOT_HEATING_FUELS`) there is a contradiction."""
    value = node.code(name, _FUEL_CODES)
    if value in NOT_HEATING_FUELS:
        raise node.error(name, f"code {value} is '{NOT_HEATING_FUELS[value]}' (a Table 12 row "
                         "for generated electricity), not a fuel a heating system uses: the "
                         "certificate contradicts itself")
    return value


def _read_heating(details: _Node, row: dict[str, Any], lodged: _Lodged) -> None:
    """SAP-Heating -> heating systems, water heating, cylinder, showers, baths."""
    heating = details.require("SAP-Heating")
    systems = _read_main_heating(heating, row, lodged)
    networks = heating.child("SAP-Community-Heating-Systems")
    lodged.heat_network_block = networks is not None and bool(
        networks.children("SAP-Community-Heating-System"))

    # Secondary heating: code and fuel when given; secondary_fraction null (Table 11).
    row["secondary_code"] = heating.integer("Secondary-Heating-Code",
                                            lo=_SPACE_HEATING_CODE_RANGE[0],
                                            hi=_SPACE_HEATING_CODE_RANGE[1])
    row["secondary_fuel"] = _heating_fuel(heating, "Secondary-Fuel-Type")
    row["secondary_efficiency_percent"] = heating.number("Secondary-Heating-Efficiency",
                                                         minimum=0.0)

    whc = heating.integer("Water-Heating-Code", True, lo=_WATER_HEATING_CODE_RANGE[0],
                          hi=_WATER_HEATING_CODE_RANGE[1])
    assert whc is not None
    if whc in _HEAT_NETWORK_WATER_CODES:
        raise heating.error("Water-Heating-Code", f"code {whc} (hot-water-only heat network) "
                            "is not read from SAP XML: " + _HEAT_NETWORK_ROW)
    row["water_heating_code"] = whc
    row["water_heating_fuel"] = _heating_fuel(heating, "Water-Fuel-Type")
    # ImmersionHeatingTypeCode: 1 dual, 2 single -> immersion_type 2 dual, 1 single
    immersion = heating.code("Immersion-Heating-Type", {1, 2})
    row["immersion_type"] = {1: 2, 2: 1}.get(immersion) if immersion is not None else None

    # hot_water_delivery: a cylinder (Has-Hot-Water-Cylinder true) or another store
    # (Thermal-Store 2 hot-water-only / 3 integrated) -> 3; else 907/909 (instantaneous at
    # the point of use) -> 1; else hot water from a main/secondary system with no store
    # (901/902/914) -> 2 (combi); anything else cannot be placed -> error.
    has_cylinder = heating.boolean("Has-Hot-Water-Cylinder")
    thermal_store = heating.code("Thermal-Store", _THERMAL_STORE_CODES)
    if has_cylinder or thermal_store in (2, 3):
        delivery = 3
    elif whc in _POINT_OF_USE_WATER_CODES:
        delivery = 1
    elif whc in _FROM_SYSTEM_WATER_CODES:
        delivery = 2
    else:
        raise heating.error("Water-Heating-Code", f"cannot tell how hot water is delivered "
                            f"for code {whc} without a hot water cylinder or store "
                            "(Has-Hot-Water-Cylinder false/absent, Thermal-Store none)")
    row["hot_water_delivery"] = delivery

    # combi_keep_hot from the water-heating main system's Combi-Boiler-Type (see
    # _COMBI_KEEP_HOT); 901 -> main 1, 914 -> main 2. Null when not given.
    if delivery == 2 and whc in (901, 914):
        system = systems.get(1 if whc == 901 else 2)
        if system is not None:
            combi = system.code("Combi-Boiler-Type", _COMBI_BOILER_TYPE_CODES)
            row["combi_keep_hot"] = _COMBI_KEEP_HOT.get(combi) if combi is not None else None

    # Cylinder / store details, each when present.
    row["cylinder_volume_l"] = heating.number("Hot-Water-Store-Size", minimum=0.0)
    row["cylinder_declared_loss_kwh_per_day"] = heating.number("Hot-Water-Store-Heat-Loss",
                                                               minimum=0.0)
    lodged.store_hx_area_m2 = heating.number("Hot-Water-Store-Heat-Transfer-Area",
                                             minimum=0.0)
    row["cylinder_insulation_type"] = heating.code("Hot-Water-Store-Insulation-Type",
                                                   _HW_STORE_INSULATION_CODES)
    row["cylinder_insulation_mm"] = heating.number("Hot-Water-Store-Insulation-Thickness",
                                                   minimum=0.0)
    row["cylinder_thermostat"] = heating.boolean("Has-Cylinder-Thermostat")
    row["hot_water_separately_timed"] = heating.boolean("Is-Hot-Water-Separately-Timed")
    row["primary_pipework_insulation"] = heating.code("Primary-Pipework-Insulation",
                                                      _PIPEWORK_INSULATION_CODES)
    # primary_loss_applies: not in SAP XML (the calculator derives it) -> null.

    # Has-Fixed-Air-Conditioning -> space_cooling; an SAP-Cooling block also means cooling.
    cooling = heating.boolean("Has-Fixed-Air-Conditioning")
    if cooling is None and details.child("SAP-Cooling") is not None:
        cooling = True
    row["space_cooling"] = cooling

    # Presence of the optional blocks: the XSD's place for these systems, so absence = none.
    row["solar_water_heating"] = heating.child("Solar-Heating-Details") is not None
    row["wwhrs"] = (heating.child("Instantaneous-WWHRS") is not None
                    or heating.child("Storage-WWHRS") is not None)
    lodged.baths_wwhrs = heating.integer("Number-Baths-WWHRS", hi=127)

    # Showers: Shower-Outlets/Shower-Outlet {Shower-Outlet-Type, Shower-Flow-Rate (l/min),
    # Shower-Power (kW)}; absent block -> null. Baths: Number-Baths; absent -> null.
    outlets = heating.child("Shower-Outlets")
    if outlets is not None:
        row["showers"] = [
            {"outlet_type": s.req_code("Shower-Outlet-Type", _SHOWER_OUTLET_CODES),
             "flow_rate_l_per_min": s.number("Shower-Flow-Rate", minimum=0.0),
             "power_kw": s.number("Shower-Power", minimum=0.0)}
            for s in outlets.children("Shower-Outlet")
        ]
        # ShowerWWHRSCode: 1 none, 2 / 3 instantaneous WWHRS 1 / 2, 4 storage WWHRS
        lodged.shower_wwhrs = [s.code("Shower-WWHRS", _SHOWER_WWHRS_CODES)
                               for s in outlets.children("Shower-Outlet")]
    row["bath_count"] = heating.integer("Number-Baths", hi=127)

    # Design water use (<= 125 l/person/day): Design-Water-Use (property) or
    # SAP-Heating-Design-Water-Use; code 1 is the only value.
    design = details.code("Design-Water-Use", _DESIGN_WATER_USE_CODES)
    if design is None:
        design = heating.code("SAP-Heating-Design-Water-Use", _DESIGN_WATER_USE_CODES)
    row["water_use_target_125"] = True if design == 1 else None


def _read_energy_source(details: _Node, row: dict[str, Any], lodged: _Lodged) -> None:
    """SAP-Energy-Source -> tariff and PV arrays; PV-Connection -> meter connection."""
    energy = details.child("SAP-Energy-Source")
    lodged.pv_diverter = bool(details.boolean("PV-Diverter"))
    lodged.special_features = details.child("SAP-Special-Features") is not None
    if energy is not None:
        turbines = energy.child("Wind-Turbines")
        lodged.wind_turbines = len(turbines.children("Wind-Turbine")) if turbines else 0
        lodged.hydro = (energy.number("Hydro-Electric-Generation", minimum=0.0) or 0.0) > 0 \
            or energy.child("Hydro-Electric-Generation-Months") is not None
        row["electricity_tariff"] = energy.code("Electricity-Tariff", _TARIFF_CODES, True,
                                                not_applicable="ND")
        arrays = energy.child("PV-Arrays")
        if arrays is not None:
            pv = []
            for arr in arrays.children("PV-Array"):
                pitch = arr.code("Pitch", _PV_PITCH_DEG)
                pv.append({
                    "peak_power_kw": arr.req_number("Peak-Power", minimum=0.0),
                    "orientation": arr.code("Orientation", _COMPASS_CODES),
                    "tilt_deg": _PV_PITCH_DEG[pitch] if pitch is not None else None,
                    "overshading": arr.code("Overshading", _PV_OVERSHADING_CODES,
                                            not_applicable="ND"),
                })
            row["pv_arrays"] = pv
        row["battery_capacity_kwh"] = energy.number("Battery-Capacity", minimum=0.0)
    # SAP-Schema-19.1.0 places Battery-Capacity in SAP-Property-Details (next to PV-Diverter);
    # earlier documents of this reader's tests carry it in SAP-Energy-Source: either is read.
    battery = details.number("Battery-Capacity", minimum=0.0)
    if battery is not None:
        row["battery_capacity_kwh"] = battery
    # PV-Connection: 2 connected to the dwelling's meter -> True; 1 -> False;
    # 0 (not applicable) / absent -> null.
    connection = details.code("PV-Connection", _PV_CONNECTION_CODES)
    row["pv_connected_to_dwelling_meter"] = {2: True, 1: False}.get(connection) \
        if connection is not None else None


def _read_lighting(details: _Node, row: dict[str, Any]) -> None:
    """SAP-Lighting/Fixed-Lights/Fixed-Light -> fixed_lighting; no Fixed-Lights -> null."""
    lighting = details.child("SAP-Lighting")
    fixed = lighting.child("Fixed-Lights") if lighting is not None else None
    if fixed is None:
        return
    row["fixed_lighting"] = [
        {"count": light.integer("Lighting-Outlets", True, hi=2**31 - 1),
         "power_w": light.req_number("Lighting-Power", minimum=0.0),
         "efficacy_lm_per_w": light.req_number("Lighting-Efficacy", minimum=0.0)}
        for light in fixed.children("Fixed-Light")
    ]


def _map(root: _Node, dwelling_id: str) -> tuple[dict[str, Any], _Lodged]:
    sap = _find_sap_data(root)
    if not sap.path.endswith("SAP10-Data"):  # SAP09-Data / SAP2012-Data
        from ara.sap.xml_reader_legacy import map_legacy

        return map_legacy(sap, dwelling_id)
    return _map_details(sap.require("SAP-Property-Details"), dwelling_id)


def _map_details(details: _Node, dwelling_id: str) -> tuple[dict[str, Any], _Lodged]:
    """The SAP_INPUT_SCHEMA row of the collected data (SAP-Property-Details) and the lodged
    items the row has no field for (what :func:`_complete` needs)."""
    lodged = _Lodged()
    row: dict[str, Any] = dict.fromkeys(_FIELD_NAMES)
    row["dwelling_id"] = dwelling_id
    # climate_region: the XML carries a postcode only -> null (calculator: 0, UK average).
    row["living_area_m2"] = details.req_number("Living-Area", minimum=0.0)
    row["thermal_mass_parameter"] = details.number("Thermal-Mass-Parameter", minimum=0.0)
    row["windows_overshading"] = details.code("Windows-Overshading", _WINDOW_OVERSHADING_CODES)
    row["cold_water_source"] = details.code("Cold-Water-Source", _COLD_WATER_CODES)
    _read_parts(details, row)
    _read_ventilation(details, row, lodged)
    _read_heating(details, row, lodged)
    _read_energy_source(details, row, lodged)
    _read_lighting(details, row)
    # warm_air_fan_sfp and the other fields not named above have no SAP XML source: null.
    if tuple(row) != _FIELD_NAMES:  # guard against a mistyped key
        extra = sorted(set(row) - set(_FIELD_NAMES))
        raise RuntimeError(f"xml_reader produced keys outside SAP_INPUT_SCHEMA: {extra}")
    return row, lodged


# ---------------------------------------------------------------------------------------------
# Completion: SAP rules and declared fallbacks for items the certificate does not lodge
# ---------------------------------------------------------------------------------------------
@dataclass
class _Lodged:
    """Lodged items that SAP_INPUT_SCHEMA has no field for, kept for :func:`_complete`."""

    mv_data_source: int | None = None  # SAP-DataSourceCode: 1 PCDB, 2 declared, 3 SAP table
    mv_index: bool = False  # Mechanical-Vent-System-Index-Number lodged
    mvhr_declared_efficiency: float | None = None  # before its in-use factor
    # ShowerWWHRSCode per outlet; Number-Baths-WWHRS; main systems lodging Has-FGHRS true
    shower_wwhrs: list[int | None] = dataclasses.field(default_factory=list)
    baths_wwhrs: int | None = None
    fghrs: list[int] = dataclasses.field(default_factory=list)
    heat_network_block: bool = False  # SAP-Community-Heating-Systems with a system
    wind_turbines: int = 0
    hydro: bool = False
    pv_diverter: bool = False
    special_features: bool = False  # SAP-Special-Features (Appendix Q)
    # SAP09-Data / SAP2012-Data: xml_reader_legacy.LegacyLodged (its declared fallbacks)
    legacy: Any = None
    # main heating systems lodged by their PCDB index without a Table 4a/4b code
    indexed: list[_IndexedBoiler] = dataclasses.field(default_factory=list)
    indexed_heat_pumps: list[_IndexedHeatPump] = dataclasses.field(default_factory=list)
    store_hx_area_m2: float | None = None  # Hot-Water-Store-Heat-Transfer-Area (Table N8)


@dataclass(frozen=True)
class SapReading:
    """A full-SAP certificate ready for the calculator, in one mode (decision 0022).

    ``row``: the SAP_INPUT_SCHEMA row, with the SAP rules applied and the declared fallbacks
    written for every item the certificate does not lodge; ``assumptions``: the ids of the
    fallbacks the row used (estimate mode; empty in strict mode); ``refusals``: why the row
    must not be rated - in strict mode one message per fallback it would need (each naming
    the missing item and the fallback, with the text ``strict mode refuses``), in both modes
    what blocks it whatever the mode (data that contradict themselves, lodged items with no
    input and no declared fallback); ``rules``: the SAP rules applied to items the
    certificate does not lodge (not estimates; for the audit)."""

    row: dict[str, Any]
    mode: Mode
    assumptions: tuple[str, ...]
    refusals: tuple[str, ...]
    rules: tuple[str, ...]

    @property
    def refused(self) -> bool:
        return bool(self.refusals)

    @property
    def estimate(self) -> bool:
        return bool(self.assumptions) and not self.refusals


#: SAP-GlazingTypeCode -> the Table 6b row (of sap10_2_table6b_6c_glazing.csv) whose light
#: transmittance g_L applies. Table 6b gives g_L per glazing family: every double-glazed row
#: (air or argon filled, low-E hard or soft coat) 0.80, every triple-glazed row 0.70, single
#: 0.90, secondary 0.80; only g differs with the coating. The spec file transcribes the
#: family rows; the full eight-row table (g and g_L) is listed in the CSE National Household
#: Model's TransmittanceFactorsTest (public code index id 12976097496), and the g values the
#: register samples lodge for their low-E triple glazing (0.57 soft coat, 0.64 hard coat) are
#: that table's g column.
_GLAZING_FAMILY: dict[int, str] = {
    2: "single glazing",
    **dict.fromkeys(range(3, 8), "double glazing (air filled, no low-E)"),
    **dict.fromkeys(range(8, 13), "triple glazing"),
    13: "secondary glazing",
}
#: Table 4a "Electric boilers" (191 direct-acting, 192 electric CPSU, 193-196 dry-core and
#: water storage boilers): one efficiency column, which also applies when the boiler heats the
#: water (the spec's Table 4a supplement: "no separate water column; LIN2009 marks water effy
#: 'same'"). Their fuel is electricity (ELECTRIC_FUELS).
_ELECTRIC_BOILER_CODES = frozenset(range(191, 197))
_BALANCED_VENTILATION = frozenset({7, 8})
_MEV_VENTILATION = frozenset({5, 6})
_PIV_FROM_OUTSIDE = 4
_MVHR = 8


@lru_cache(maxsize=1)
def _spec_values() -> dict[str, Any]:
    """The spec values the completion rules use (read once)."""
    glazing = {r["glazing_or_frame"]: r for r in read_table("sap10_2_table6b_6c_glazing.csv")}
    light = {code: float(glazing[row]["light_transmittance_g_L"])
             for code, row in _GLAZING_FAMILY.items()}
    table4a = {int(r["sap_code"]): r for r in
               read_table("sap10_2_table4a_heating_systems_PARTIAL.csv")}
    boilers = {code: float(table4a[code]["efficiency_space_pct"])
               for code in _ELECTRIC_BOILER_CODES
               if code in table4a and table4a[code]["efficiency_space_pct"].strip()}
    mev = {r["item"]: float(r["value"]) for r in read_table("sap10_2_table4g_mev_default_sfp.csv")}
    mvhr = {r["item"]: r["value"] for r in
            read_table("sap10_2_table4g_4h_mechanical_ventilation_defaults_PARTIAL.csv")}
    return {
        "light": light,
        "electric_boiler": boilers,
        "mev_sfp": mev["default_sfp"] * mev["in_use_factor_default_data"],
        "mev_sfp_text": f"{mev['default_sfp']:g} x {mev['in_use_factor_default_data']:g}",
        "mvhr_percent": float(mvhr["MVHR default heat-recovery efficiency (Table 4g)"])
        * float(mvhr["MVHR default heat-recovery in-use factor (Table 4g)"]),
    }


def _complete(row: dict[str, Any], lodged: _Lodged, mode: Mode,
              products: BoilerProducts | None = None) -> SapReading:
    """Apply the SAP rules and the declared fallbacks to a mapped row (a copy); ``products``:
    the user's PCDB for the boilers lodged by their index (:func:`_complete_indexed_boilers`).
    """
    check_mode(mode)
    row = dict(row)
    spec = _spec_values()
    log = FallbackLog(1)
    used = np.ones(1, dtype=bool)
    rules: list[str] = []
    blocked: list[str] = []

    def use(fallback_id: str) -> float:
        log.use(used, fallback_id)
        return fallback(fallback_id).value

    # Light transmittance (Appendix L daylight): never lodged in SAP XML; Table 6b g_L of the
    # glazing family (see _GLAZING_FAMILY). A glazed opening without a glazing type keeps
    # null and the calculator asks for it.
    if row["openings"]:
        openings = [dict(o) for o in row["openings"]]
        filled = 0
        for o in openings:
            gl = spec["light"].get(o["glazing_type"])
            if o["kind"] != 1 and o["light_transmittance"] is None and gl is not None:
                o["light_transmittance"] = gl
                filled += 1
        row["openings"] = openings
        if filled:
            rules.append(f"openings.light_transmittance: SAP 10.2 Table 6b g_L of the "
                         f"glazing family ({filled} openings)")

    _complete_indexed_boilers(row, lodged, products, use, rules)
    _complete_indexed_heat_pumps(row, lodged, products, use, rules)

    # Water heated by an electric boiler (Water-Heating-Code 901 / 914): its Table 4a
    # efficiency (see _ELECTRIC_BOILER_CODES).
    whc = row["water_heating_code"]
    heater = {901: 1, 914: 2}.get(whc) if whc is not None else None
    if heater is not None and row["water_heating_efficiency_percent"] is None:
        code = row[f"main{heater}_code"]
        if code in spec["electric_boiler"] and row[f"main{heater}_efficiency_percent"] is None:
            row["water_heating_efficiency_percent"] = spec["electric_boiler"][code]
            rules.append(f"water_heating_efficiency_percent: SAP 10.2 Table 4a efficiency "
                         f"of the electric boiler {code} ({spec['electric_boiler'][code]:g} %)")
    for number in (1, 2):
        code, fuel = row[f"main{number}_code"], row[f"main{number}_fuel"]
        if code in _ELECTRIC_BOILER_CODES and fuel is not None and fuel not in ELECTRIC_FUELS:
            blocked.append(f"main{number}_fuel: fuel {fuel} is not electricity but main "
                           f"heating system {number} is an electric boiler (Main-Heating-Code "
                           f"{code}): the certificate contradicts itself")

    _complete_ventilation(row, lodged, spec, use, rules, blocked)

    # SAP-Schema-16.x-18.0.0: the SAP 10.2 inputs they do not lodge (xml_reader_legacy)
    if lodged.legacy is not None:
        lodged.legacy.complete(row, use, rules)

    # Showers without Number-Baths: the Appendix J shower rule needs the bath count.
    if row["showers"] and row["bath_count"] is None:
        row["bath_count"] = int(use("bath_count_not_lodged"))

    # WWHRS (Appendix G3 is not implemented): left out, declared. Connected: an outlet
    # lodging Shower-WWHRS 2-4, baths lodged as connected, or no outlet saying either way.
    if row["wwhrs"]:
        codes = [c for c in lodged.shower_wwhrs if c is not None]
        connected = (any(c in (2, 3, 4) for c in codes) or (lodged.baths_wwhrs or 0) > 0
                     or not codes)
        use("wwhrs_ignored" if connected else "wwhrs_not_connected")
        row["wwhrs"] = False

    # Lodged items the calculator has no input for: left out, declared (decision 0022).
    if lodged.fghrs:
        use("fghrs_ignored")
    if lodged.wind_turbines:
        use("wind_turbine_ignored")
    if lodged.hydro:
        use("hydro_ignored")
    # a PV diverter is a calculator input (SAP 10.2 Appendix G4, conditions applied there)
    row["pv_diverter"] = lodged.pv_diverter
    # A heat network block that no system uses (heat-network systems are refused by the
    # mapping with their own message, so any block that reaches here is unused).
    if lodged.heat_network_block:
        use("heat_network_details_unused")
    if lodged.special_features:
        blocked.append("SAP-Special-Features: Appendix Q special features are lodged and Ara "
                       "has no input for them (no declared fallback)")

    if _standing_charge_only_in_lineage(row):
        use("sap_method_standing_charge_lineage")
        row["standing_charges_lineage"] = True
    fuels = np.array([-1 if row.get(k) is None else int(row[k]) for k in
                      ("main1_fuel", "main2_fuel", "secondary_fuel", "water_heating_fuel")])
    if needs_fuel_proxy(fuels, np.full(len(fuels), row.get("rating_method") == 2)).any():
        use("fuel_factor_proxy")
        row["fuel_factors_proxy"] = True

    resolution = log.resolve(mode)
    refusals = [message for _row, _field, message in resolution.refusals] + blocked
    assumptions = tuple(resolution.assumptions[0].as_py() or [])
    return SapReading(row=row, mode=mode, assumptions=assumptions, refusals=tuple(refusals),
                      rules=tuple(rules))


@lru_cache(maxsize=1)
def _boiler_fallback_codes() -> dict[tuple[str, str, str], int]:
    """spec/tables/estimate_boiler_codes.csv: (fuel group, fan flue yes / no / unknown,
    combi yes / no) -> the SAP 10.2 Table 4b code of ``boiler_product_unavailable``."""
    return {(r["fuel_group"], r["fan_flue"], r["combi"]): int(r["sap_code"])
            for r in read_table("estimate_boiler_codes.csv")}


def _complete_indexed_boilers(row: dict[str, Any], lodged: _Lodged,
                              products: BoilerProducts | None, use: Any,
                              rules: list[str]) -> None:
    """Gas / LPG / oil boilers lodged by their PCDB index without a Table 4a/4b code.

    SAP 10.2 Appendix D: a boiler from the PCDB is rated with its own winter and summer
    seasonal efficiencies (PCDB table 105 fields 25 / 26), which become
    ``main{n}_efficiency_percent`` / ``main{n}_summer_efficiency_percent``; ``main{n}_code``
    is the Table 4b code of its kind (fuel, regular / combi / CPSU, condensing;
    :func:`ara.sap.products.pcdb_boiler_codes`), which tells the calculator what kind of
    boiler it is (combi losses, Table 4c adjustments). Recorded in ``rules``: not an
    estimate. Without ``products``, for an index it does not hold, or for a record that is
    not a usable gas / LPG / oil boiler: the declared fallback ``boiler_product_unavailable``
    (as in the RdSAP expansion) - the Table 4b row of spec/tables/estimate_boiler_codes.csv
    for the lodged fuel group, Is-Flue-Fan-Present (absent: unknown) and whether the system
    heats the water with no cylinder or store (a combi: Water-Heating-Code 901 for system 1,
    914 for system 2, hot water delivered without a store); efficiencies lodged with the
    system, if any, are kept."""
    if not lodged.indexed:
        return
    codes = np.zeros(len(lodged.indexed), dtype=np.int64)
    winter = summer = np.full(len(lodged.indexed), np.nan)
    product: pa.Table | None = None
    if products is not None:
        product = products.boilers_for([b.index for b in lodged.indexed])
        codes = pcdb_boiler_codes(product)
        winter, summer = product_efficiencies(product)
    rule = _boiler_fallback_codes()
    heater = {901: 1, 914: 2}.get(row["water_heating_code"])
    unavailable = False
    for i, boiler in enumerate(lodged.indexed):
        p = f"main{boiler.number}"
        if codes[i] > 0:
            row[f"{p}_code"] = int(codes[i])
            row[f"{p}_efficiency_percent"] = float(winter[i])
            row[f"{p}_summer_efficiency_percent"] = float(summer[i])
            rules.append(f"{p}_code, {p}_efficiency_percent, {p}_summer_efficiency_percent: "
                         f"PCDB boiler {boiler.index}{_product_name(product, i)} (SAP 10.2 "
                         f"Appendix D): winter {winter[i]:g} %, summer {summer[i]:g} % "
                         f"seasonal efficiency, Table 4b code {codes[i]} of its kind")
            continue
        fan = {True: "yes", False: "no", None: "unknown"}[boiler.fan_flue]
        combi = heater == boiler.number and row["hot_water_delivery"] == 2
        row[f"{p}_code"] = rule[(boiler.fuel_group, fan, "yes" if combi else "no")]
        unavailable = True
    if unavailable:
        use("boiler_product_unavailable")


def _complete_indexed_heat_pumps(row: dict[str, Any], lodged: _Lodged,
                                 products: BoilerProducts | None, use: Any,
                                 rules: list[str]) -> None:
    """Electric wet heat pumps lodged by their PCDB index without a Table 4a code.

    SAP 10.2 Appendix N: with the user's PCDB (table 362), a usable record (the rules of
    :func:`ara.sap.products.heat_pump_records`, shared with the RdSAP expansion) gives
    ``main{n}_hp_psr_data`` (its datasets for the flow temperature of the record lodged),
    ``main{n}_hp_max_output_kw``, ``main1_hp_heating_duration`` and ``main{n}_code`` 224 (the
    calculator then takes the efficiencies from Appendix N, not Table 4a); recorded in
    ``rules``, not an estimate. When the system heats the water from a store, Table N8's
    criteria are checked with what the certificate lodges: the store's volume
    (Hot-Water-Store-Size), heat-exchanger area (Hot-Water-Store-Heat-Transfer-Area) and heat
    loss - the declared loss (Hot-Water-Store-Heat-Loss, kWh/day, the quantity the PCDB
    record gives) or else the Table 2 loss (47) x (51) x (52) of its insulation (decision
    0027); an unknown criterion is not met (Table N8's lower in-use factor). A record the
    rules cannot use: ``heat_pump_product_not_usable`` (the reason in ``rules``); no PCDB or
    an index it does not hold: ``heat_pump_product_unavailable``: both the Table 4a code 224
    row."""
    if not lodged.indexed_heat_pumps:
        return
    lookup = products if isinstance(products, HeatPumpLookup) else None
    heater = {901: 1, 914: 2}.get(row["water_heating_code"])
    one = np.ones(1, dtype=bool)
    for hp in lodged.indexed_heat_pumps:
        p = f"main{hp.number}"
        heats_water = np.array([heater == hp.number])
        record = None
        if lookup is not None:
            record = heat_pump_records(lookup.heat_pumps_for([hp.index]), one, heats_water,
                                       hp.number)
        if record is None or not record.found[0]:
            row[f"{p}_code"] = int(fallback("heat_pump_product_unavailable").value)
            use("heat_pump_product_unavailable")
            continue
        if not record.usable[0]:
            row[f"{p}_code"] = int(fallback("heat_pump_product_not_usable").value)
            use("heat_pump_product_not_usable")
            rules.extend(f"{p}: heat pump PCDB record {hp.index} not used: {text}"
                         for text, bad in record.reasons.items() if bad[0])
            continue
        row[f"{p}_code"] = PCDB_HEAT_PUMP_CODE
        row[f"{p}_hp_psr_data"] = record.psr_data(0)
        row[f"{p}_hp_max_output_kw"] = float(record.max_output_kw[0])
        if hp.number == 1:
            row["main1_hp_heating_duration"] = str(record.duration[0])
        rules.append(f"{p}_code, {p}_hp_psr_data, {p}_hp_max_output_kw: PCDB heat pump "
                     f"{hp.index} (SAP 10.2 Appendix N): {int(np.diff(record.offsets)[0])} "
                     f"plant size ratios, maximum output {record.max_output_kw[0]:g} kW"
                     + (f", heating duration '{record.duration[0]}'" if hp.number == 1
                        else ""))
        if heats_water[0] and row["hot_water_delivery"] == 3:
            meets = _table_n8_met(row, lodged, record)
            row[f"{p}_hp_cylinder_meets_pcdb"] = meets
            rules.append(f"{p}_hp_cylinder_meets_pcdb: Table N8: the hot water store "
                         f"{'meets' if meets else 'is not shown to meet'} the record's "
                         f"criteria (volume {record.vessel_volume_l[0]:g} l, heat-exchanger "
                         f"area {record.vessel_hx_area_m2[0]:g} m2, heat loss "
                         f"{record.vessel_loss_kwh_day[0]:g} kWh/day): in-use factor "
                         f"{_n8_factor(meets):.2f}")


def _n8_factor(meets: bool) -> float:
    """The Table N8 water in-use factor (spec/tables/sap10_2_appendix_n_heat_pump_rules.csv,
    read once by :func:`ara.sap.appendix_n.rules`)."""
    from ara.sap.appendix_n import rules

    return rules().water_in_use_met if meets else rules().water_in_use_other


def _table_n8_met(row: dict[str, Any], lodged: _Lodged, record: Any) -> bool:
    """Table N8 for one usable record and the certificate's store (see
    :func:`_complete_indexed_heat_pumps`)."""
    def number(value: Any) -> np.ndarray:
        return np.array([np.nan if value is None else float(value)])

    volume = number(row["cylinder_volume_l"])
    loss = number(row["cylinder_declared_loss_kwh_per_day"])
    if not np.isfinite(loss[0]):
        loss = cylinder_table2_loss_kwh_day(volume, number(row["cylinder_insulation_type"]),
                                            number(row["cylinder_insulation_mm"]))
    return bool(cylinder_meets_record(record, volume, loss,
                                      number(lodged.store_hx_area_m2))[0])


def _product_name(product: pa.Table | None, i: int) -> str:
    """`` (brand model)`` of a looked-up PCDB row when the table names it, else ``''``."""
    if product is None:
        return ""
    names = [product.column(c)[i].as_py() for c in ("brand", "model")
             if c in product.column_names]
    text = " ".join(str(n).strip() for n in names if n is not None and str(n).strip())
    return f" ({text})" if text else ""


def _standing_charge_only_in_lineage(row: dict[str, Any]) -> bool:
    """A fuel or off-peak tariff of the row whose SAP 10.2 Table 12 standing charge is not in
    spec/ while RdSAP 10 Table 32 (the SAP 2012 list) has one."""
    st = load_tables().systems
    labels = {2: "7-hour", 3: "10-hour", 4: "24-hour", 5: "18-hour"}
    keys = [labels[t] for t in (row.get("electricity_tariff") or 1,) if t in labels]
    for name in ("main1_fuel", "main2_fuel", "secondary_fuel", "water_heating_fuel"):
        fuel = row.get(name)
        if fuel is not None and int(fuel) not in ELECTRIC_FUELS \
                and not HEAT_NETWORK_FUELS[0] <= int(fuel) <= HEAT_NETWORK_FUELS[1]:
            keys.append(str(int(fuel)))
    return any(not np.isfinite(st.standing_sap.get(k, np.nan))
               and np.isfinite(st.standing_rdsap.get(k, np.nan)) for k in keys)


def _complete_ventilation(row: dict[str, Any], lodged: _Lodged, spec: dict[str, Any],
                          use: Any, rules: list[str], blocked: list[str]) -> None:
    """Mechanical ventilation without the product figures: SAP 10.2 Table 4g defaults where
    spec/ holds them (MEV SFP 0.8 x 2.5; MVHR efficiency 66 % x 0.70), the declared
    fallbacks where it does not (balanced and PIV SFP); a system lodged by its PCDB index
    (no product figures read: the PCDB's ventilation layout is provisional, as in the RdSAP
    expansion) is itself a declared fallback."""
    vtype = row["ventilation_type"]
    mev, balanced = vtype in _MEV_VENTILATION, vtype in _BALANCED_VENTILATION
    piv = vtype == _PIV_FROM_OUTSIDE
    if not (mev or balanced or piv):
        return
    needs_sfp = row["mv_specific_fan_power"] is None
    needs_efficiency = vtype == _MVHR and row["mvhr_efficiency_percent"] is None
    if needs_efficiency and lodged.mvhr_declared_efficiency is not None:
        blocked.append(f"mvhr_efficiency_percent: a declared MVHR heat recovery efficiency "
                       f"({lodged.mvhr_declared_efficiency:g} %) is lodged without its in-use "
                       "factor (PCDB Table 329, not in spec/; no declared fallback)")
        needs_efficiency = False
    product = lodged.mv_data_source == 1 or (lodged.mv_data_source is None and lodged.mv_index)
    if product and (needs_sfp or needs_efficiency):
        use("mechanical_ventilation_product_unavailable")
    if needs_sfp:
        if balanced:
            row["mv_specific_fan_power"] = use("mechanical_ventilation_default_sfp_balanced")
        elif piv:
            row["mv_specific_fan_power"] = use("mechanical_ventilation_default_sfp_piv")
        else:
            row["mv_specific_fan_power"] = spec["mev_sfp"]
            if not product:
                rules.append(f"mv_specific_fan_power: SAP 10.2 Table 4g default MEV SFP "
                             f"{spec['mev_sfp_text']} (note 3 in-use factor)")
    if needs_efficiency:
        row["mvhr_efficiency_percent"] = spec["mvhr_percent"]
        if not product:
            rules.append(f"mvhr_efficiency_percent: SAP 10.2 Table 4g default "
                         f"({spec['mvhr_percent']:g} % = 66 % x in-use factor 0.70)")


# ---------------------------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------------------------
def read_sap_xml(source: str | Path | bytes, dwelling_id: str | None = None) -> dict[str, Any]:
    """Read one full SAP XML document into a ``SAP_INPUT_SCHEMA`` row.

    ``source`` is a file path (``str`` or ``Path``) or the document's bytes. ``dwelling_id``
    defaults to the file stem, or ``'dwelling'`` for bytes. Raises :class:`SapXmlError`.
    A boiler lodged by its PCDB index without a Main-Heating-Code keeps ``main{n}_code``
    null here: :func:`read_sap_xml_certificate` completes it.
    """
    data, name, ident = _load(source, dwelling_id)
    element = _parse(data, name)
    return _map(_Node(element, _local(element.tag), name), ident)[0]


def read_sap_xml_certificate(source: str | Path | bytes, mode: str = "strict",
                             dwelling_id: str | None = None, *,
                             products: BoilerProducts | None = None) -> SapReading:
    """Read one full SAP XML certificate for rating in ``mode`` (decision 0022).

    The row of :func:`read_sap_xml` completed for the calculator: SAP 10.2 rules fill the
    items SAP XML never carries (light transmittance from Table 6b, the water heating
    efficiency of an electric boiler, Table 4g mechanical ventilation defaults), and each
    item that needs a declared fallback of ``spec/tables/estimate_fallbacks.csv`` takes it and
    is recorded. In ``strict`` mode such a certificate comes back with ``refusals`` naming
    every missing item and its fallback; in ``estimate`` mode with the fallback ids in
    ``assumptions``. Data that contradict themselves and lodged items without input or
    fallback are in ``refusals`` in both modes. Raises :class:`SapXmlError` for a document
    that cannot be read at all.

    ``products`` (keyword): the user's PCDB (an :class:`ara.sap.products.BoilerProducts`,
    such as :func:`ara.rdsap.pcdb.load_pcdb`'s ``Pcdb``). A gas / LPG / oil boiler lodged by
    its PCDB index without a Main-Heating-Code takes the product's winter and summer
    seasonal efficiencies and the Table 4b code of its kind (SAP 10.2 Appendix D; noted in
    ``rules``); without ``products``, or for an index it does not hold, the declared fallback
    ``boiler_product_unavailable`` (refused in strict mode). Another kind of system lodged
    by index without a code is refused (:class:`SapXmlError`).
    """
    data, name, ident = _load(source, dwelling_id)
    element = _parse(data, name)
    row, lodged = _map(_Node(element, _local(element.tag), name), ident)
    return _complete(row, lodged, check_mode(mode), products)


def _expand(paths: Iterable[str | Path] | str | Path) -> Iterator[Path]:
    items: Iterable[str | Path] = [paths] if isinstance(paths, str | Path) else paths
    for item in items:
        path = Path(item)
        if path.is_dir():
            yield from sorted(p for p in path.glob("*.xml") if p.is_file())
        else:
            yield path


def read_sap_xml_files(paths: Iterable[str | Path] | str | Path) -> pa.Table:
    """Read many SAP XML files into one table with ``SAP_INPUT_SCHEMA``.

    Each entry may be a file or a folder (every ``*.xml`` inside, sorted by name). Files are
    read one at a time and converted in chunks, so memory holds one document at a time plus
    the rows. The first failing file raises :class:`SapXmlError`.
    """
    chunks: list[pa.Table] = []
    rows: list[dict[str, Any]] = []
    for path in _expand(paths):
        rows.append(read_sap_xml(path))
        if len(rows) >= _ROWS_PER_CHUNK:
            chunks.append(pa.Table.from_pylist(rows, schema=SAP_INPUT_SCHEMA))
            rows = []
    if rows or not chunks:
        chunks.append(pa.Table.from_pylist(rows, schema=SAP_INPUT_SCHEMA))
    return chunks[0] if len(chunks) == 1 else pa.concat_tables(chunks)
