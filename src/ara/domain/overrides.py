"""Landlord Overrides: per-property corrections of wall construction and insulation, roof
insulation, property type and built form, applied over a lodged EPC as an overlay.

A landlord supplies them as a CSV (one row per property, keyed by ``uprn`` and/or
``landlord_reference``; columns ``wall_construction``, ``wall_insulation``,
``roof_insulation``, ``property_type``, ``built_form``, any of which may be absent). Values
are read as words (``cavity``, ``filled cavity``, ``270mm``, ``semi-detached``) or as RdSAP
codes. A vague value (``unknown``, ``assumed``, ``not known``, or one containing ``assumed``
or ``unknown``) produces no overlay and is listed as ignored; an empty cell is no override; a
value that can be read neither way is a problem naming the line and column, never guessed.

This module parses text already in memory (the caller opens the file): the domain does no
I/O.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

from ara.domain.codes import (
    BuiltForm,
    PropertyType,
    RoofInsulation,
    WallConstruction,
    WallInsulation,
)
from ara.domain.epc import FieldAssignment, OverlayScope

#: Override name -> (scope, RdSAP field name written by the overlay).
OVERRIDE_TARGETS: dict[str, tuple[OverlayScope, str]] = {
    "property_type": (OverlayScope.DWELLING, "property_type"),
    "built_form": (OverlayScope.DWELLING, "built_form"),
    "wall_construction": (OverlayScope.MAIN_BUILDING_PART, "wall_construction"),
    "wall_insulation": (OverlayScope.MAIN_BUILDING_PART, "wall_insulation_type"),
    "roof_insulation": (OverlayScope.MAIN_BUILDING_PART, "roof_insulation_thickness"),
}
OVERRIDE_FIELDS: tuple[str, ...] = tuple(OVERRIDE_TARGETS)


@dataclass(frozen=True, slots=True)
class LandlordOverrides:
    """The corrections a landlord states for one property; None means no override."""

    wall_construction: WallConstruction | None = None
    wall_insulation: WallInsulation | None = None
    roof_insulation: RoofInsulation | None = None
    property_type: PropertyType | None = None
    built_form: BuiltForm | None = None

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in OVERRIDE_FIELDS)

    def stated(self) -> tuple[str, ...]:
        """Names of the overrides that are set, in overlay order."""
        return tuple(name for name in OVERRIDE_FIELDS if getattr(self, name) is not None)

    def as_overlay(self) -> tuple[FieldAssignment, ...]:
        """The field assignments that apply these overrides to an EPC's data."""
        out = []
        for name in self.stated():
            scope, key = OVERRIDE_TARGETS[name]
            value = getattr(self, name)
            # certificate codes are text (``CERTIFICATE_SCHEMA``): an integer code would make
            # the certificate table refuse the whole batch
            out.append(FieldAssignment(scope, key, str(value.value) if isinstance(value, Enum)
                                       else value))
        return tuple(out)


NO_OVERRIDES = LandlordOverrides()
_E = TypeVar("_E", bound=Enum)

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
    )


# ---------------------------------------------------------------------------------------------
# Reading a landlord's CSV
# ---------------------------------------------------------------------------------------------

KEY_COLUMNS: tuple[str, ...] = ("uprn", "landlord_reference")


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
        for name in OVERRIDE_FIELDS:
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
