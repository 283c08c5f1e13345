"""Full-SAP register XML of SAP-Schema-16.0 to 18.0.0 (SAP 2009 / SAP 2012 data) read into
``SAP_INPUT_SCHEMA`` rows and rated by the SAP 10.2 full path.

:mod:`ara.sap.xml_reader` dispatches here when a document carries ``SAP09-Data`` (SAP-Schema
16.0, 16.1, 16.2, 16.3: SAP 2009 data, in a ``ConditionReportCreateRequest_1`` message, under
``Content/SAP-EPC-Data``, namespace ``DCLG-SAP09``) or ``SAP2012-Data`` (SAP-Schema 17.0,
17.1, 18.0.0: SAP 2012 data under ``SAP-Report``) instead of ``SAP10-Data``. The physical
inputs are re-rated under SAP 10.2; the lodged ratings were SAP 2009 / SAP 2012 figures and
are not expected to match.

Public API
----------
* :data:`LEGACY_SCHEMA_VERSIONS` - the register schemas read here and their data element.
* :func:`find_legacy_data` - the ``SAP09-Data`` / ``SAP2012-Data`` node of a document.
* :func:`map_legacy` - that node -> (row, lodged items), for :func:`ara.sap.xml_reader._map`.
* :class:`LegacyLodged` - what the row cannot hold until the completion (decision 0022).

Sources
-------
``communitiesuk/epb-register-api`` @ ``4b94aabf3141bf0f6292576db077667cdc8182cb`` (MIT):
``api/schemas/xml/SAP-Schema-16.x/SAP-EPC/Templates/SAP09-CollectedData.xsd`` and
``.../UDT/SAP09-Domains.xsd`` (identical in 16.0-16.3 but for the version attribute),
``api/schemas/xml/SAP-Schema-17.0|17.1|18.0.0/SAP/Templates/SAP-CollectedData.xsd`` and
``.../UDT/SAP-Domains.xsd`` (the ``SAP-Property-Details`` trees of the three are identical;
the code lists differ only in wording), compared element by element and code by code with
``api/schemas/xml/SAP-Schema-19.1.0/SAP/...`` (the reader's reference).

The same element layout
-----------------------
Building parts, floor dimensions, walls, roofs, openings and opening types, thermal bridges,
ventilation, main / secondary / water heating, cylinder, PV arrays, tariff, cooling and
special features have the 19.x element names and meanings: the 19.x mapping
(:func:`ara.sap.xml_reader._map_details`) reads them as it reads SAP10-Data.

What differs, and the rule for each
-----------------------------------
* ``Schema-Version-Original`` is a free string (the register's own samples state ``SAP-19.0``
  in SAP-Schema-17.0 / 17.1 and ``SAP-17.0`` in 18.0.0): the data element decides the layout;
  only a register schema name of the other family (``SAP-Schema-19.1.0`` on SAP2012-Data,
  ``SAP-Schema-17.0`` on SAP10-Data) is refused as a contradiction.
* ``SAP-Ventilation/Open-Fireplaces-Count`` -> ``open_chimneys`` (renamed
  Open-Chimneys-Count in 19.x; SAP 2009 / 2012 line (6a) "chimneys"). The 19.x counts
  Closed-Flues / Boilers-Flues / Other-Flues / Blocked-Chimneys do not exist: SAP 2009 / 2012
  count every flue in Open-Flues-Count (line (6b)); they stay null (= 0).
* ``SAP-Building-Part/Thermal-Mass-Parameter`` (per part) -> ``thermal_mass_parameter``: the
  mean of the parts' values weighted by each part's total floor area (TMP is per m2 of floor,
  so this is the dwelling's TMP). Lodged for some parts only: refused (:class:`SapXmlError`).
* ``SAP-Building-Part/Overshading`` (per part, required) -> ``windows_overshading`` when every
  part lodges the same code; parts that differ need the declared fallback
  ``legacy_windows_overshading_by_part`` (the code of the part with the largest opening area).
* ``SAP-Energy-Source/Wind-Turbines-Count`` -> the wind turbines the completion declares.
* ``SAP-Energy-Source/Fixed-Lighting-Outlets-Count`` and ``Low-Energy-Fixed-Lighting-Outlets-
  Count`` (or ``-Percentage``): 0 outlets -> ``fixed_lighting`` = [] (no fixed lighting);
  otherwise the efficacy and power SAP 10.2 needs are not lodged: declared fallback
  ``legacy_fixed_lighting_outlet_counts`` (RdSAP 10 bulb defaults per outlet); no counts ->
  null (SAP 10.2's no-data default, as a 19.x document without Fixed-Lights).
* Shower outlets and baths (SAP 10.2 Appendix J) are not lodged by any of these schemas:
  declared fallback ``legacy_showers_not_lodged``.
* 16.x ``Is-Primary-Pipework-Insulated`` (boolean; 17.0+ PipeworkInsulationCode): true -> 4
  "fully insulated" (SAP 2009 Table 3 knows insulated or not, p = 1 or 0), false -> 1.
* 16.x ``Has-Solar-Panel`` (flat solar fields; 17.0+ the Solar-Heating-Details block) ->
  ``solar_water_heating``; 16.x ``Has-WWHRS`` (flat WWHRS fields; 17.0+ Instantaneous-WWHRS /
  Storage-WWHRS) -> ``wwhrs`` (then declared as left out, as for 19.x without outlets).
* 17.0+ ``Main-Heating-Declared-Values/Efficiency`` and ``Secondary-Heating-Declared-Values/
  Efficiency`` (16.x and 19.x: Main-Heating-Efficiency / Secondary-Heating-Efficiency) ->
  ``main{n}_efficiency_percent`` / ``secondary_efficiency_percent`` when those are absent.
* 17.0+ ``PV-Array/PV-Connection`` (per array; 19.x one per dwelling) ->
  ``pv_connected_to_dwelling_meter`` when the arrays agree; arrays that differ are refused
  (one connection per dwelling in SAP_INPUT_SCHEMA).
* Not lodged and left null as a 19.x document that omits them: Central-Heating-Pump-Age
  (16.x), Cold-Water-Source, PV-Connection (16.x), PV-Diverter, Battery-Capacity.

Code lists (old code -> the SAP-Schema-19.1.0 code it means)
------------------------------------------------------------
Every other code list the mapping reads (storey, floor / wall / roof / opening types,
orientation, glazing, thermal bridge, ventilation type, heating category / control / codes,
emitter, combi type, thermal store, immersion, cylinder insulation, PV pitch, design water
use) has the same codes with the same meaning (wording aside); the checks below run first:

* HeatingFuelTypeCode (Main-Fuel-Type, Secondary-Fuel-Type, Water-Fuel-Type): every code
  keeps its number, except 49 (16.x-18.0.0 "community heating: electricity generated by CHP";
  19.1.0 49 is "low grade heat recovered from process") and 99 (17.0-18.0.0 "community
  heating: special fuel"; 19.1.0 99 is "fuel data from pcdb"), refused: no 19.1.0 code means
  them; 16.x 73 "rape seed oil" (a straight vegetable oil; 19.1.0 73 is "biodiesel from
  vegetable oil only", SAP 10.2's bio-liquid FAME) is refused too. Codes the old list does
  not have (16.x: 7, 47, 56-58, 99; 17.0-18.0.0: 47) are unknown codes. 36 "electricity sold
  to grid" and 37 "electricity displaced from grid" (same meaning in every list) lodged as a
  heating or water fuel are refused as a contradiction (the 19.x mapping does not check this).
* SAP-OpeningTypeCode 1-5 (16.x "half glazed door" = "semi-glazed door"; 6 rooflight is new);
  SAP-FrameTypeCode 1-8 (9 unknown is new); SAP-PressureTestCode 1-6 (7 is new);
  SAP-ElectricityTariffCode 16.x 1-4, 17.0+ 1-5.

Each refusal is a :class:`SapXmlError` naming the file and the element.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ara.sap.fallbacks import fallback
from ara.sap.tables import read_table
from ara.sap.xml_reader import (
    _FIELD_NAMES,
    _WINDOW_OVERSHADING_CODES,
    NOT_HEATING_FUELS,
    SapXmlError,
    _Lodged,
    _map_details,
    _Node,
)

__all__ = ["LEGACY_SCHEMA_VERSIONS", "LegacyLodged", "find_legacy_data", "map_legacy"]

SAP09, SAP2012 = "SAP09-Data", "SAP2012-Data"
#: Register schema versions read here -> the element holding their collected data.
LEGACY_SCHEMA_VERSIONS: dict[str, str] = {
    "SAP-Schema-16.0": SAP09, "SAP-Schema-16.1": SAP09, "SAP-Schema-16.2": SAP09,
    "SAP-Schema-16.3": SAP09,
    "SAP-Schema-17.0": SAP2012, "SAP-Schema-17.1": SAP2012, "SAP-Schema-18.0.0": SAP2012,
}
_LABEL = {SAP09: "SAP-Schema-16.x (SAP09-Data)", SAP2012: "SAP-Schema-17.0-18.0.0 (SAP2012-Data)"}

# HeatingFuelTypeCode of each family (SAP09-Domains.xsd / SAP-Domains.xsd).
_FUELS_SAP09 = frozenset({1, 2, 3, 4, 8, 9, 10, 11, 12, 15, 20, 21, 22, 23, 36, 37, 39,
                          *range(41, 47), *range(48, 56), *range(71, 77)})
_FUELS_SAP2012 = frozenset({1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 15, 20, 21, 22, 23, 36, 37, 39,
                            *range(41, 47), *range(48, 59), *range(71, 77), 99})
_CHP_ELECTRICITY = ("code 49 meant 'community heating schemes: electricity generated by CHP' "
                    "in {label}; SAP-Schema-19.1.0 code 49 is 'low grade heat recovered from "
                    "process' and no 19.1.0 heating fuel means it")
#: Old fuel codes whose meaning changed: refused with the reason (no 19.1.0 equivalent).
_FUEL_REFUSED: dict[str, dict[int, str]] = {
    SAP09: {49: _CHP_ELECTRICITY,
            73: "code 73 meant 'rape seed oil' in {label} (SAP 2009 Table 12, a straight "
                "vegetable oil); SAP-Schema-19.1.0 code 73 is 'biodiesel from vegetable oil "
                "only' (SAP 10.2 bio-liquid FAME), a different fuel, and no 19.1.0 code means "
                "rape seed oil"},
    SAP2012: {49: _CHP_ELECTRICITY,
              99: "code 99 meant 'community heating schemes: special fuel' in {label}; "
                  "SAP-Schema-19.1.0 code 99 is 'fuel data from pcdb' and no 19.1.0 code "
                  "means it"},
}
_FUELS = {SAP09: _FUELS_SAP09, SAP2012: _FUELS_SAP2012}
# Other code lists that are subsets of 19.1.0's with the same meanings.
_OPENING_TYPES = frozenset(range(1, 6))
_FRAME_TYPES = frozenset(range(1, 9))
_PRESSURE_TESTS = frozenset(range(1, 7))
_TARIFFS = {SAP09: frozenset(range(1, 5)), SAP2012: frozenset(range(1, 6))}
_PV_CONNECTION_CODES = frozenset({0, 1, 2})
# 16.x Is-Primary-Pipework-Insulated -> PipeworkInsulationCode (4 fully insulated, 1 none).
_PIPEWORK = {True: 4, False: 1}


def find_legacy_data(root: _Node, version: str | None) -> _Node | None:
    """The ``SAP2012-Data`` or ``SAP09-Data`` node of a document, or None when it has neither.

    Looked for under the root (``SAP-Report/SAP2012-Data``, a bare ``SAP09-Data``) and in the
    SAP-Schema-16.x message (``Content/SAP-EPC-Data/SAP09-Data``).

    Parameters
    ----------
    root : _Node
        The document's root element.
    version : str or None
        The document's ``Schema-Version-Original`` (a free string), if it states one.

    Returns
    -------
    _Node or None
        The data element, or None when the document carries neither.

    Raises
    ------
    SapXmlError
        For the RdSAP 2009 payload of a 16.x message (``Content/EPC-Data``) and for a
        ``Schema-Version-Original`` naming a register schema that lodges another data element.

    References
    ----------
    SAP-Schema-16.x ``ConditionReportCreateRequest_1.xsd`` / ``SAP09-CollectedData.xsd``;
    SAP-Schema-17.0-18.0.0 ``SAP-Report.xsd`` / ``SAP-CollectedData.xsd``.
    """
    data = root.child(SAP2012) or root.child(SAP09)
    if data is None:
        content = root.child("Content")
        epc = content.child("SAP-EPC-Data") if content is not None else None
        data = epc.child(SAP09) if epc is not None else None
        if data is None and content is not None and content.child("EPC-Data") is not None:
            raise content.error("EPC-Data", "an RdSAP lodgement of SAP-Schema-16.x (EPC-Data/"
                                "SAP-Data, RdSAP 2009): read_sap_xml reads full SAP data "
                                "(SAP09-Data, SAP2012-Data, SAP10-Data) only")
    if data is None:
        return None
    element = _element_name(data)
    stated = LEGACY_SCHEMA_VERSIONS.get(version or "")
    if version is not None and (stated not in (None, element)
                                or version.startswith("SAP-Schema-19.")):
        raise root.error("Schema-Version-Original", f"unsupported schema version {version!r} "
                         f"for a document carrying {element}: it names a register schema that "
                         f"lodges {stated or 'SAP10-Data'}")
    return data


def _element_name(node: _Node) -> str:
    """The data element a node stands for (the last step of its path)."""
    return node.path.rsplit("/", 1)[-1]


@dataclass
class LegacyLodged:
    """What a SAP09-Data / SAP2012-Data row needs from the completion
    (:func:`ara.sap.xml_reader._complete`): the declared fallbacks for the SAP 10.2 inputs the
    old schemas do not lodge."""

    schema: str
    #: the parts' Overshading codes when they differ, and the code of the part with the
    #: largest opening area (legacy_windows_overshading_by_part)
    overshading_codes: tuple[int, ...] = ()
    overshading_choice: int | None = None
    #: (Fixed-Lighting-Outlets-Count, low-energy outlets) when there are outlets
    lighting: tuple[int, int] | None = None

    def complete(self, row: dict[str, Any], use: Callable[[str], float],
                 rules: list[str]) -> None:
        """Write the declared fallbacks into ``row``, recording each with ``use``.

        Parameters
        ----------
        row : dict
            The ``SAP_INPUT_SCHEMA`` row being completed (changed in place).
        use : callable
            Records a declared fallback by id and returns its value.
        rules : list of str
            The completion's notes of rules applied that are not estimates (appended to).

        Returns
        -------
        None

        References
        ----------
        SAP 10.2 Appendix J (showers, baths), Appendix L (fixed lighting), Table 6d
        (overshading); ``spec/tables/estimate_fallbacks.csv`` (decision 0022).
        """
        if self.overshading_choice is not None:
            use("legacy_windows_overshading_by_part")
            row["windows_overshading"] = self.overshading_choice
        if self.lighting is not None:
            total, low = self.lighting
            use("legacy_fixed_lighting_outlet_counts")
            bulbs = _bulbs()
            lights = [(low, bulbs["low energy (type unknown)"]),
                      (total - low, bulbs["incandescent"])]
            row["fixed_lighting"] = [
                {"count": count, "power_w": power, "efficacy_lm_per_w": efficacy}
                for count, (efficacy, power) in lights if count > 0]
        if row["showers"] is None:
            baths = fallback("legacy_showers_not_lodged").value
            use("legacy_showers_not_lodged")
            row["showers"] = []
            if row["bath_count"] is None:
                row["bath_count"] = int(baths)
        rules.append(f"re-rated under SAP 10.2 from {_LABEL[self.schema]}: the lodged "
                     "ratings are SAP 2009 / SAP 2012 figures")


@lru_cache(maxsize=1)
def _bulbs() -> dict[str, tuple[float, float]]:
    """RdSAP 10 bulb type -> (efficacy lm/W, power W), spec/tables/rdsap10_fixed_lighting_
    bulbs.csv."""
    return {r["bulb_type"]: (float(r["efficacy_lm_per_w"]), float(r["power_w"]))
            for r in read_table("rdsap10_fixed_lighting_bulbs.csv")}


def map_legacy(data: _Node, dwelling_id: str) -> tuple[dict[str, Any], _Lodged]:
    """The ``SAP_INPUT_SCHEMA`` row and lodged items of a ``SAP09-Data`` / ``SAP2012-Data``
    node: the old codes checked (and refused where their meaning has no 19.1.0 code), the
    19.x mapping applied to the shared layout, then the rules of this module for what
    differs (see the module docstring).

    Parameters
    ----------
    data : _Node
        The ``SAP09-Data`` or ``SAP2012-Data`` element.
    dwelling_id : str
        The row's ``dwelling_id``.

    Returns
    -------
    tuple of (dict, _Lodged)
        The row and the lodged items the completion needs (``legacy`` set).

    Raises
    ------
    SapXmlError
        Naming the file and the element, for anything that cannot be mapped.

    References
    ----------
    SAP-Schema-16.x ``SAP09-CollectedData.xsd`` and ``SAP09-Domains.xsd``; SAP-Schema-17.0,
    17.1, 18.0.0 ``SAP-CollectedData.xsd`` and ``SAP-Domains.xsd``; SAP-Schema-19.1.0.
    """
    schema = _element_name(data)
    details = data.require("SAP-Property-Details")
    _check_codes(details, schema)
    row, lodged = _map_details(details, dwelling_id)
    legacy = LegacyLodged(schema=schema)
    _read_parts(details, row, legacy)
    _read_ventilation(details, row)
    _read_heating(details, row, schema)
    _read_energy_source(details, row, lodged, legacy, schema)
    lodged.legacy = legacy
    if tuple(row) != _FIELD_NAMES:  # guard against a mistyped key
        raise RuntimeError(f"xml_reader_legacy produced keys outside SAP_INPUT_SCHEMA: "
                           f"{sorted(set(row) - set(_FIELD_NAMES))}")
    return row, lodged


# ---------------------------------------------------------------------------------------------
# Code lists
# ---------------------------------------------------------------------------------------------
def _checked(node: _Node, name: str, codes: Collection[int], schema: str, *,
             refused: dict[int, str] | None = None, not_applicable: str | None = None) -> None:
    """Check one code against the old schema's list; refuse a code whose meaning changed."""
    try:
        value = node.code(name, {*codes, *(refused or {})}, not_applicable=not_applicable)
    except SapXmlError as exc:
        raise SapXmlError(exc.source, exc.field,
                          f"{exc.reason} in the code list of {_LABEL[schema]}") from None
    if value is not None and refused and value in refused:
        raise node.error(name, refused[value].format(label=_LABEL[schema]))
    if value is not None and refused and value in NOT_HEATING_FUELS:
        raise node.error(name, f"code {value} is '{NOT_HEATING_FUELS[value]}' (a Table 12 row "
                         "for generated electricity), not a fuel a heating system uses: the "
                         "certificate contradicts itself")


def _check_codes(details: _Node, schema: str) -> None:
    """The code lists that differ from SAP-Schema-19.1.0 (see the module docstring)."""
    fuels, refused = _FUELS[schema], _FUEL_REFUSED[schema]
    heating = details.child("SAP-Heating")
    if heating is not None:
        systems = heating.child("Main-Heating-Details")
        for mh in systems.children("Main-Heating") if systems is not None else []:
            _checked(mh, "Main-Fuel-Type", fuels, schema, refused=refused)
        for name in ("Secondary-Fuel-Type", "Water-Fuel-Type"):
            _checked(heating, name, fuels, schema, refused=refused)
    types = details.child("SAP-Opening-Types")
    for ot in types.children("SAP-Opening-Type") if types is not None else []:
        _checked(ot, "Type", _OPENING_TYPES, schema)
        _checked(ot, "Frame-Type", _FRAME_TYPES, schema)
    vent = details.child("SAP-Ventilation")
    if vent is not None:
        _checked(vent, "Pressure-Test", _PRESSURE_TESTS, schema)
    energy = details.child("SAP-Energy-Source")
    if energy is not None:
        _checked(energy, "Electricity-Tariff", _TARIFFS[schema], schema, not_applicable="ND")


# ---------------------------------------------------------------------------------------------
# Elements that differ
# ---------------------------------------------------------------------------------------------
def _read_parts(details: _Node, row: dict[str, Any], legacy: LegacyLodged) -> None:
    """Thermal-Mass-Parameter and Overshading, lodged per building part."""
    parts = details.require("SAP-Building-Parts").children("SAP-Building-Part")
    weighted, area, missing = 0.0, 0.0, []
    shading: list[tuple[int, float]] = []
    for part in parts:
        floors = part.child("SAP-Floor-Dimensions")
        tfa = sum(fd.req_number("Total-Floor-Area", minimum=0.0)
                  for fd in (floors.children("SAP-Floor-Dimension") if floors else []))
        tmp = part.number("Thermal-Mass-Parameter", minimum=0.0)
        if tmp is None:
            missing.append(part)
        else:
            weighted += tmp * tfa
            area += tfa
        openings = part.child("SAP-Openings")
        glazed = sum((op.number("Height", minimum=0.0) or 0.0)
                     * (op.number("Width", minimum=0.0) or 0.0)
                     for op in (openings.children("SAP-Opening") if openings else []))
        shading.append((part.req_code("Overshading", _WINDOW_OVERSHADING_CODES), glazed))
    if missing and len(missing) < len(parts):
        raise missing[0].error("Thermal-Mass-Parameter", "lodged for other building parts "
                               "but not this one: the dwelling's thermal mass parameter (the "
                               "parts' values weighted by floor area) cannot be formed")
    if not missing and area > 0:
        row["thermal_mass_parameter"] = weighted / area
    codes = tuple(code for code, _ in shading)
    if len(set(codes)) == 1:
        row["windows_overshading"] = codes[0]
    elif codes:
        legacy.overshading_codes = codes
        # the part with the largest opening area (the first such part on a tie)
        legacy.overshading_choice = max(shading, key=lambda s: s[1])[0]


def _read_ventilation(details: _Node, row: dict[str, Any]) -> None:
    """Open-Fireplaces-Count -> open_chimneys (19.x Open-Chimneys-Count)."""
    vent = details.require("SAP-Ventilation")
    row["open_chimneys"] = vent.integer("Open-Fireplaces-Count")


def _read_heating(details: _Node, row: dict[str, Any], schema: str) -> None:
    """The 16.x flat flags, and the 17.0+ declared efficiencies."""
    heating = details.require("SAP-Heating")
    if schema == SAP09:
        insulated = heating.boolean("Is-Primary-Pipework-Insulated")
        if insulated is not None:
            row["primary_pipework_insulation"] = _PIPEWORK[insulated]
        row["solar_water_heating"] = bool(heating.boolean("Has-Solar-Panel"))
        row["wwhrs"] = bool(heating.boolean("Has-WWHRS"))
        return
    declared = heating.child("Secondary-Heating-Declared-Values")
    if row["secondary_efficiency_percent"] is None and declared is not None:
        row["secondary_efficiency_percent"] = declared.number("Efficiency", minimum=0.0)
    systems = heating.require("Main-Heating-Details")
    for mh in systems.children("Main-Heating"):
        number = mh.req_code("Main-Heating-Number", {1, 2})
        values = mh.child("Main-Heating-Declared-Values")
        if row[f"main{number}_efficiency_percent"] is None and values is not None:
            row[f"main{number}_efficiency_percent"] = values.number("Efficiency", minimum=0.0)


def _read_energy_source(details: _Node, row: dict[str, Any], lodged: _Lodged,
                        legacy: LegacyLodged, schema: str) -> None:
    """Wind-Turbines-Count, the fixed-lighting outlet counts, 17.0+ PV-Connection per array."""
    energy = details.child("SAP-Energy-Source")
    if energy is None:
        return
    lodged.wind_turbines = energy.integer("Wind-Turbines-Count") or 0
    total = energy.integer("Fixed-Lighting-Outlets-Count", hi=2**31 - 1)
    low = energy.integer("Low-Energy-Fixed-Lighting-Outlets-Count", hi=2**31 - 1)
    percent = energy.number("Low-Energy-Fixed-Lighting-Outlets-Percentage", minimum=0.0)
    if percent is not None and percent > 100:
        raise energy.error("Low-Energy-Fixed-Lighting-Outlets-Percentage",
                           f"percentage {percent:g} above 100")
    if total is not None:
        if low is None and percent is not None:
            low = round(total * percent / 100)
        if low is not None and low > total:
            raise energy.error("Low-Energy-Fixed-Lighting-Outlets-Count",
                               f"{low} low-energy outlets of {total} fixed lighting outlets "
                               "(Fixed-Lighting-Outlets-Count): the certificate contradicts "
                               "itself")
        if total == 0:
            row["fixed_lighting"] = []  # lodged: no fixed lighting outlets
        elif low is not None:
            legacy.lighting = (total, low)
    if schema == SAP2012:
        arrays = energy.child("PV-Arrays")
        codes: set[int] = set()
        for array in arrays.children("PV-Array") if arrays else []:
            code = array.code("PV-Connection", _PV_CONNECTION_CODES)
            if code is not None:
                codes.add(code)
        if len(codes) > 1:
            assert arrays is not None
            raise arrays.error("PV-Array", f"the arrays lodge different PV-Connection codes "
                               f"({', '.join(str(c) for c in sorted(codes))}): SAP_INPUT_SCHEMA "
                               "holds one connection for the dwelling's PV")
        if codes and row["pv_connected_to_dwelling_meter"] is None:
            row["pv_connected_to_dwelling_meter"] = {2: True, 1: False}.get(codes.pop())
