"""Coded RdSAP fields from the descriptive texts of a certificate, where the text is unambiguous.

The open-data CSV rows carry no RdSAP input data, only the texts the certificate prints
("Cavity wall, filled cavity", "Pitched, 250 mm loft insulation", "Boiler and radiators, mains
gas" ...). :func:`parse_descriptions` turns the standard English phrasings into the register's
codes, and only where one code follows from the text alone:

======================  ==========================================================================
text                    fields
======================  ==========================================================================
walls                   wall construction (cavity, solid brick, stone, timber frame, system built,
                        cob, park home, basement, curtain) and insulation type (filled cavity,
                        external, internal, both, as built)
roof                    another / same dwelling or other premises above; pitched with a loft
                        insulation thickness (loft access, joists, thickness code); insulated at
                        rafters; flat; thatched
floor                   another / same dwelling below, to unheated space, to external air; solid
                        or suspended ground floor; solid construction; as-built insulation when
                        "(assumed)"
windows                 fully double/triple/secondary glazed (100 %), single glazed (0 %)
main heating controls   the register's Table 4e labels of boilers (2101-2113) and storage
                        heaters (2401-2403)
main heating            one system only: boiler with radiators / underfloor, heat pumps, storage
                        heaters, electric underfloor, warm air, room heaters, community scheme;
                        the fuel named after it
hot water               from main system (901), electric immersion (903), electric instantaneous
                        at point of use (909)
lighting                low energy lighting percentage
secondary heating       the fuel of room heaters
======================  ==========================================================================

Anything else (Welsh texts, "Average thermal transmittance ...", two heating systems in one
text, "Pitched, no insulation" where loft access is unknown, ...) is left null. The result maps
``CERTIFICATE_SCHEMA`` column paths to values; :func:`apply_parsed` writes them into a row where
the row has no value yet and lists each one in ``inferred_fields``.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["apply_parsed", "parse_descriptions"]

_WALL_CONSTRUCTIONS: tuple[tuple[str, str], ...] = (
    ("cavity wall", "4"), ("solid brick", "3"), ("granite or whin", "1"),
    ("sandstone", "2"), ("limestone", "2"), ("timber frame", "5"), ("system built", "8"),
    ("cob", "9"), ("park home wall", "10"), ("basement wall", "6"), ("curtain wall", "7"),
)
_WALL_INSULATION: tuple[tuple[str, str], ...] = (  # most specific first
    ("filled cavity and external insulation", "6"), ("filled cavity and internal insulation",
                                                     "7"),
    ("filled cavity", "2"), ("external insulation", "1"), ("internal insulation", "3"),
    ("as built", "4"),
)
_ROOF_THICKNESSES = frozenset({12, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 270, 300,
                               350})
_LOFT_RE = re.compile(r"^pitched, (\d+)(\+)?\s*mm loft insulation$")
_FUELS: tuple[tuple[str, str], ...] = (  # longest phrases first
    ("dual fuel (mineral and wood)", "9"), ("bottled lpg", "3"), ("mains gas", "26"),
    ("smokeless fuel", "15"), ("house coal", "33"), ("wood pellets", "7"), ("wood chips", "8"),
    ("wood logs", "6"), ("anthracite", "5"), ("electricity", "29"), ("electric", "29"),
    ("lpg", "27"), ("oil", "28"), ("coal", "33"), ("b30k", "18"),
)
#: main heating phrase -> (category, emitter or None, implied fuel or None)
_SYSTEMS: tuple[tuple[str, str, str | None, str | None], ...] = (
    ("boiler and radiators", "2", "1", None),
    ("boiler and underfloor heating", "2", "2", None),
    ("air source heat pump, radiators", "4", "1", None),
    ("air source heat pump, underfloor", "4", "2", None),
    ("ground source heat pump, radiators", "4", "1", None),
    ("ground source heat pump, underfloor", "4", "2", None),
    ("air source heat pump, warm air", "5", None, None),
    ("electric storage heaters", "7", None, "29"),
    ("electric underfloor heating", "8", None, "29"),
    ("warm air", "9", None, None),
    ("room heaters", "10", None, None),
    ("community scheme", "6", None, None),
)
_HOT_WATER: tuple[tuple[str, str], ...] = (
    ("from main system", "901"), ("electric immersion", "903"),
    ("electric instantaneous at point of use", "909"),
)
#: main heating control texts -> SAP 10.2 Table 4e codes (the register's labels of groups 1
#: and 4; other groups' labels are not transcribed and stay null)
_CONTROLS = {
    "no time or thermostatic control of room temperature": "2101",
    "programmer, no room thermostat": "2102", "room thermostat only": "2103",
    "programmer and room thermostat": "2104",
    "programmer and at least two room thermostats": "2105",
    "programmer, room thermostat and trvs": "2106", "programmer, trvs and bypass": "2107",
    "programmer, trvs and flow switch": "2108",
    "programmer, trvs and boiler energy manager": "2109",
    "time and temperature zone control": "2110", "trvs and bypass": "2111",
    "room thermostat and trvs": "2113",
    "manual charge control": "2401", "automatic charge control": "2402",
    "celect-type controls": "2403", "celect-type control": "2403",
}
_LIGHTING_RE = re.compile(r"^low energy lighting in (\d{1,3})% of fixed outlets$")


def _norm(text: str | None) -> str:
    return " ".join(text.split()).lower().rstrip(".") if text else ""


def _fuel(text: str) -> str | None:
    for phrase, code in _FUELS:
        if re.search(rf"\b{re.escape(phrase)}\b", text):
            return code
    return None


def _walls(text: str, out: dict[str, Any]) -> None:
    head, _, rest = text.partition(",")
    construction = next((code for phrase, code in _WALL_CONSTRUCTIONS if head.strip() == phrase
                         or (phrase in ("sandstone", "limestone") and head.startswith(phrase))),
                        None)
    if construction is None:
        return
    insulation = next((code for phrase, code in _WALL_INSULATION if phrase in rest), None)
    if insulation in ("2", "6", "7") and construction != "4":
        return  # a filled cavity in a wall without one: contradictory, leave the text alone
    out["building_parts[0].wall_construction"] = construction
    if insulation is not None:
        out["building_parts[0].wall_insulation_type"] = insulation


def _roof(text: str, out: dict[str, Any]) -> None:
    above = {"(another dwelling above)": "3", "(same dwelling above)": "7",
             "(other premises above)": "9"}
    if text in above:
        out["building_parts[0].roof_construction"] = above[text]
        return
    if match := _LOFT_RE.match(text):
        millimetres = int(match[1])
        if match[2] or millimetres >= 400:
            thickness = "400mm+"
        elif millimetres in _ROOF_THICKNESSES:
            thickness = f"{millimetres}mm"
        else:
            return
        out["building_parts[0].roof_construction"] = "4"
        out["building_parts[0].roof_insulation_location"] = "2"
        out["building_parts[0].roof_insulation_thickness"] = thickness
    elif text.startswith("pitched, insulated at rafters"):
        out["building_parts[0].roof_insulation_location"] = "1"
    elif text.startswith("flat,") or text == "flat":
        out["building_parts[0].roof_construction"] = "1"
    elif text.startswith("thatched"):
        out["building_parts[0].roof_construction"] = "6"


def _floor(text: str, out: dict[str, Any]) -> None:
    below = {"(another dwelling below)": "6", "(same dwelling below)": "8",
             "to unheated space": "2", "to external air": "1"}
    first = text.split(",")[0].strip()
    if text in below or first in below:
        out["building_parts[0].floor_heat_loss"] = below.get(text) or below[first]
        return
    if first not in ("solid", "suspended"):
        return
    out["building_parts[0].floor_heat_loss"] = "7"
    out["building_parts[0].floor_dimensions[0].floor"] = "0"
    if first == "solid":
        out["building_parts[0].floor_dimensions[0].floor_construction"] = "1"
    if "(assumed)" in text:
        out["building_parts[0].floor_dimensions[0].floor_insulation"] = "1"


def _windows(text: str, out: dict[str, Any]) -> None:
    if text in ("fully double glazed", "fully triple glazed", "full secondary glazing",
                "fully secondary glazed", "full triple glazing", "full double glazing"):
        out["multiple_glazed_proportion"] = 100
    elif text in ("single glazed", "single glazing"):
        out["multiple_glazed_proportion"] = 0


def _main_heating(text: str, out: dict[str, Any]) -> None:
    found = [entry for entry in _SYSTEMS if entry[0] in text]
    # "warm air" also occurs inside "air source heat pump, warm air": keep the longest match
    found = [entry for entry in found
             if not any(other is not entry and entry[0] in other[0] for other in found)]
    if len(found) != 1 or text.count(found[0][0]) != 1:
        return
    phrase, category, emitter, implied_fuel = found[0]
    out["main_heating[0].main_heating_category"] = category
    if emitter is not None:
        out["main_heating[0].heat_emitter_type"] = emitter
    fuel = implied_fuel or _fuel(text.split(phrase, 1)[1])
    if fuel is not None and category != "6":
        out["main_heating[0].main_fuel_type"] = fuel


def _controls(text: str, out: dict[str, Any]) -> None:
    if text in _CONTROLS:
        out["main_heating[0].main_heating_control"] = _CONTROLS[text]


def _hot_water(text: str, out: dict[str, Any]) -> None:
    for phrase, code in _HOT_WATER:
        if text.startswith(phrase):
            out["water_heating_code"] = code
            return


def _lighting(text: str, out: dict[str, Any]) -> None:
    if match := _LIGHTING_RE.match(text):
        percent = int(match[1])
        if percent <= 100:
            out["low_energy_lighting_percent"] = percent
    elif text == "low energy lighting in all fixed outlets":
        out["low_energy_lighting_percent"] = 100
    elif text == "no low energy lighting":
        out["low_energy_lighting_percent"] = 0


def _secondary(text: str, out: dict[str, Any]) -> None:
    if text.startswith("room heaters,") or text.startswith("portable electric heaters"):
        fuel = "29" if text.startswith("portable electric") else _fuel(text.split(",", 1)[1])
        if fuel is not None:
            out["secondary_fuel_type"] = fuel


def parse_descriptions(*, walls: str | None = None, roof: str | None = None,
                       floor: str | None = None, windows: str | None = None,
                       main_heating: str | None = None,
                       main_heating_controls: str | None = None, hot_water: str | None = None,
                       lighting: str | None = None, secondary_heating: str | None = None
                       ) -> dict[str, Any]:
    """Column path -> coded value for every field the texts determine (see the module
    docstring), e.g. ``parse_descriptions(walls="Cavity wall, filled cavity")`` gives
    ``{"building_parts[0].wall_construction": "4",
    "building_parts[0].wall_insulation_type": "2"}``."""
    out: dict[str, Any] = {}
    for text, parse in ((walls, _walls), (roof, _roof), (floor, _floor), (windows, _windows),
                        (main_heating, _main_heating), (main_heating_controls, _controls),
                        (hot_water, _hot_water),
                        (lighting, _lighting), (secondary_heating, _secondary)):
        normalised = _norm(text)
        if normalised:
            parse(normalised, out)  # type: ignore[operator]
    return out


_PART_RE = re.compile(r"^(\w+)\[0\]\.(?:(floor_dimensions)\[0\]\.)?(\w+)$")


def apply_parsed(row: dict[str, Any], parsed: dict[str, Any],
                 inferred_fields: list[str], templates: dict[str, dict[str, Any]]) -> None:
    """Write parsed values into ``row`` where it has none, creating the first building part,
    floor dimension or main heating item from ``templates`` (all-null items) when needed, and
    list each written path in ``inferred_fields``."""
    for path, value in parsed.items():
        match = _PART_RE.match(path)
        if match is None:
            if row.get(path) is None:
                row[path] = value
                inferred_fields.append(path)
            continue
        list_name, nested, name = match[1], match[2], match[3]
        if not row.get(list_name):
            row[list_name] = [dict(templates[list_name])]
        target = row[list_name][0]
        if nested:
            if not target.get(nested):
                target[nested] = [dict(templates[nested])]
            target = target[nested][0]
        if target.get(name) is None:
            target[name] = value
            inferred_fields.append(path)
