"""Landlord Overrides: per-property corrections of wall construction and insulation, roof
insulation, property type and built form, applied over a lodged EPC as an overlay.

Two ways in:

* :func:`classify_statement` reads one **statement** (an attribute and the landlord's own words
  or an RdSAP code), the form ``ara overrides import`` reads (``docs/overrides.md``). Each
  statement is *classified* (one code per override it speaks of), *vague* (it says something
  but not enough: never guessed) or *unknown* (not in the vocabulary, or an attribute the
  overlay does not cover). Only classified statements change anything.
* :func:`parse_landlord_overrides`, the older wide CSV (one row per property, a column per
  override), read by exact words; kept as it was for its callers.

Attributes (names matched without regard to case, spaces, hyphens or underscores):

=====================  ==========================================================
attribute              overrides it sets
=====================  ==========================================================
wall_construction      wall_construction (also ``wall_type``, ``construction``)
wall_insulation        wall_insulation (also ``wall_insulation_type``)
walls                  wall_construction and wall_insulation, from one description
                       (also ``wall``, ``walls_description``: the register's style,
                       "Cavity wall, filled cavity")
roof_insulation        roof_insulation (also ``loft_insulation``, ``loft``, ``roof``,
                       ``roof_description``, ``roof_insulation_thickness``)
property_type          property_type (also ``dwelling_type``, ``type``)
built_form             built_form (also ``form``)
property               property_type and built_form from one description ("mid terrace
                       house"; also ``dwelling``, ``property_description``)
=====================  ==========================================================

The vocabulary (words are matched whole, lower-cased, hyphens and punctuation read as spaces;
a bare whole number is the RdSAP code of a single-override attribute):

* **vague, for every attribute** (never guessed): "assumed", "unknown", "not known", "not
  sure", "unsure", "don't know", "no data", "not recorded", "not defined", "tbc", "to be
  confirmed", "n/a", "probably", "possibly", "maybe", "likely", "presumed", "believed", "?",
  and the RdSAP codes ``NI``/``ND`` and wall insulation code 5 (unknown); "partial", "partly",
  "limited", "some" insulation.
* **wall_construction**: "cavity" (any mention: "cavity wall", "filled cavity") -> 4; "solid
  brick", "solid", "brick" -> 3 (a brick cavity wall is a cavity); "granite", "whinstone" ->
  1; "sandstone", "limestone" -> 2; "timber", "timber frame(d)" -> 5; "basement" -> 6;
  "curtain wall" -> 7; "system built/build", "no fines", "PRC", "precast", "prefab(ricated)",
  "steel frame", "concrete panel" -> 8; "cob" -> 9; "park home" -> 10. Vague: "stone" alone
  (which stone?), "non-traditional", two constructions at once.
* **wall_insulation**: "as built", "no (wall/cavity) insulation", "uninsulated", "not
  insulated", "unfilled", "empty cavity", "cavity not filled", "none" -> 4 (as built);
  "filled cavity", "cavity filled", "cavity (wall) insulated/insulation/fill", "insulated
  cavity", "CWI", "filled" -> 2; "internal(ly)", "IWI" -> 3; "external(ly)", "EWI" -> 1;
  filled cavity with external -> 6, with internal -> 7. Vague: "insulated" or "insulation"
  without saying how, internal with external, "as built" with insulation.
* **roof_insulation**: a depth "270mm", "270 mm", "270 mm loft insulation", "27 cm", "400+
  mm", "400mm+", "4 inches" (25.4 mm each), or a bare whole number up to 1000 -> the RdSAP
  thickness at or below it (12, 25, 50, 75, 100, 125, 150, 175, 200, 225, 250, 270, 300, 350,
  400mm+; below 12 mm is none); "none", "no (loft/roof) insulation", "uninsulated", "not
  insulated", "0" -> none. Vague: insulated without a depth ("insulated at rafters", "topped
  up", "full"), two different depths ("100mm topped up to 270mm": say the depth now), a bare
  number over 1000 (a year?). Unknown: "(another dwelling above)".
* **property_type**: "house" -> 0, "bungalow" -> 1, "flat", "apartment", "studio" -> 2,
  "maisonette" -> 3, "park home", "mobile home" -> 4. Vague: two types at once.
* **built_form**: "detached" -> 1; "semi detached", "semi" -> 2; "end terrace(d)", "end of
  terrace" -> 3; "mid terrace(d)", "mid of terrace", "middle terrace", "inner terrace" -> 4;
  "enclosed end terrace" -> 5; "enclosed mid terrace" -> 6; the words may carry a type after
  them ("end-terrace house"). Vague: "terrace(d)" without end or mid, "link detached".

Other words around a recognised one do not matter ("cavity wall insulated 2019"); a statement
holding no word of its attribute's vocabulary is unknown, and one holding a vague word is
vague even when it also holds a recognised one ("Solid brick, as built, no insulation
(assumed)"): the landlord is asked, never second-guessed.

This module parses text already in memory (the caller opens the file): the domain does no
I/O.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
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


# ---------------------------------------------------------------------------------------------
# Classifying a landlord's statements (the vocabulary of the module docstring)
# ---------------------------------------------------------------------------------------------

class Reading(StrEnum):
    """How a statement was read."""

    CLASSIFIED = "classified"
    """Every override it speaks of has one code: it is applied."""
    VAGUE = "vague"
    """It says something, but not enough to pick a code: listed for review, changes nothing."""
    UNKNOWN = "unknown"
    """Not in the vocabulary, or an attribute the overlay does not cover: changes nothing."""


@dataclass(frozen=True, slots=True)
class Classification:
    """What one statement says: its reading, the codes it gives (classified only) and why
    not (vague or unknown)."""

    reading: Reading
    values: tuple[tuple[str, Enum], ...] = ()
    """(override name, code) of a classified statement, in overlay order."""
    reason: str = ""

    @property
    def classified(self) -> bool:
        return self.reading is Reading.CLASSIFIED


#: Attribute names a statement may use (normalised by :func:`attribute_key`) -> the overrides
#: it sets.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("wall_construction", "wall_type", "walls_construction", "construction"),
                    ("wall_construction",)),
    **dict.fromkeys(("wall_insulation", "wall_insulation_type", "walls_insulation"),
                    ("wall_insulation",)),
    **dict.fromkeys(("walls", "wall", "walls_description", "wall_description"),
                    ("wall_construction", "wall_insulation")),
    **dict.fromkeys(("roof_insulation", "loft_insulation", "loft", "roof", "roof_description",
                     "roof_insulation_thickness", "loft_insulation_thickness",
                     "loft_insulation_depth"), ("roof_insulation",)),
    **dict.fromkeys(("property_type", "dwelling_type", "type"), ("property_type",)),
    **dict.fromkeys(("built_form", "form"), ("built_form",)),
    **dict.fromkeys(("property", "dwelling", "property_description"),
                    ("property_type", "built_form")),
}


def attribute_key(name: str) -> str:
    """An attribute or column name as matched: lower case, runs of anything but letters and
    digits read as one underscore."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def attribute_targets(name: str) -> tuple[str, ...] | None:
    """The overrides an attribute name sets, or None when the overlay covers none."""
    return ATTRIBUTES.get(attribute_key(name))


_VAGUE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\bassumed\b", "marked 'assumed': the assessor did not see it"),
    (r"\b(unknown|not known|dont know|do not know|no data|not recorded|not defined|"
     r"not sure|unsure|tbc|to be confirmed|n a)\b", "says it is not known"),
    (r"\b(probably|possibly|maybe|likely|presumed|believed|thought to be)\b",
     "says it is not certain"),
    (r"^(na|nr|ni|nd)$", "an RdSAP 'not known' or 'not defined' code"),
)


def _words(text: str) -> str:
    """Lower case; apostrophes dropped; anything but letters, digits, '.' and '+' a space."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9.+]+", " ", text)).strip()


def _vague_reason(text: str, norm: str) -> str | None:
    if "?" in text:
        return "holds a question mark: not certain"
    for pattern, reason in _VAGUE_PATTERNS:
        if re.search(pattern, norm):
            return reason
    return None


@dataclass(frozen=True, slots=True)
class _Part:
    """One override's reading of a statement: a code, vague (reason), unknown (reason), or
    nothing said about it (``value`` None and ``reason`` empty)."""

    value: Enum | None = None
    reason: str = ""
    vague: bool = False


_NOT_STATED = _Part()


def _found(patterns: Iterable[tuple[str, _E]], norm: str) -> list[_E]:
    out: list[_E] = []
    for pattern, code in patterns:
        if re.search(pattern, norm) and code not in out:
            out.append(code)
    return out


def describe_code(value: Enum) -> str:
    """A code as people read it: ``filled cavity (2)``, ``270mm``, ``none (0)``."""
    if isinstance(value, RoofInsulation):
        return "none (0)" if value is RoofInsulation.NONE else value.value
    return f"{value.name.lower().replace('_', ' ')} ({value.value})"


def _one(found: list[_E], what: str) -> _Part:
    if not found:
        return _NOT_STATED
    if len(found) > 1:
        return _Part(reason=f"names several {what}s ({', '.join(map(describe_code, found))})",
                     vague=True)
    return _Part(found[0])


_CONSTRUCTIONS: tuple[tuple[str, WallConstruction], ...] = (
    (r"\bcavity\b", WallConstruction.CAVITY),
    (r"\b(granite|whinstone)\b", WallConstruction.STONE_GRANITE_OR_WHINSTONE),
    (r"\b(sandstone|limestone)\b", WallConstruction.STONE_SANDSTONE_OR_LIMESTONE),
    (r"\btimber\b", WallConstruction.TIMBER_FRAME),
    (r"\bbasement\b", WallConstruction.BASEMENT),
    (r"\bcurtain\b", WallConstruction.CURTAIN),
    (r"\b(system buil[td]|no fines|prc|precast|prefab|prefabricated|steel frame[d]?|"
     r"concrete panels?)\b", WallConstruction.SYSTEM_BUILT),
    (r"\bcob\b", WallConstruction.COB),
    (r"\bpark home\b", WallConstruction.PARK_HOME),
)


def _wall_construction(norm: str) -> _Part:
    found = _found(_CONSTRUCTIONS, norm)
    solid = re.search(r"\bsolid\b", norm) is not None
    brick = re.search(r"\bbricks?\b", norm) is not None
    if solid and WallConstruction.CAVITY in found:
        return _Part(reason="says both solid and cavity", vague=True)
    if (solid or brick) and WallConstruction.CAVITY not in found:
        found.insert(0, WallConstruction.SOLID_BRICK)
    if not found and re.search(r"\bstone\b", norm):
        return _Part(reason="'stone': say granite or whinstone, or sandstone or limestone",
                     vague=True)
    if not found and re.search(r"\bnon traditional\b", norm):
        return _Part(reason="'non-traditional': say system built, timber frame or another "
                            "construction", vague=True)
    return _one(found, "wall construction")


_NO_WALL_INSULATION = (r"\bas built\b|\bno (wall |cavity |cavity wall )?insulation\b|"
                       r"\bun ?insulated\b|\bnot insulated\b|\bunfilled\b|\bempty cavity\b|"
                       r"\bcavity (is )?not filled\b|\bnot filled\b|\bno cwi\b|^none$")
_WALL_INSULATIONS: tuple[tuple[str, WallInsulation], ...] = (
    (r"\bfilled cavity\b|\bcavity (wall )?(insulated|insulation|filled|fill)\b|"
     r"\binsulated cavity\b|\bcwi\b|\bfilled\b", WallInsulation.FILLED_CAVITY),
    (r"\binternal(ly)?\b|\biwi\b", WallInsulation.INTERNAL),
    (r"\bexternal(ly)?\b|\bewi\b", WallInsulation.EXTERNAL),
)
_PARTIAL = r"\b(partial|partially|partly|part|limited|some)\b"


def _wall_insulation(norm: str) -> _Part:
    if re.search(_PARTIAL, norm):
        return _Part(reason="says the insulation is partial: no RdSAP code", vague=True)
    rest = re.sub(_NO_WALL_INSULATION, " ", norm)
    none_said = rest != norm
    found = _found(_WALL_INSULATIONS, rest)
    if none_said:
        if found:
            return _Part(reason="says both no insulation and "
                                + ", ".join(map(describe_code, found)), vague=True)
        return _Part(WallInsulation.AS_BUILT)
    codes = set(found)
    if codes == {WallInsulation.FILLED_CAVITY, WallInsulation.EXTERNAL}:
        return _Part(WallInsulation.FILLED_CAVITY_AND_EXTERNAL)
    if codes == {WallInsulation.FILLED_CAVITY, WallInsulation.INTERNAL}:
        return _Part(WallInsulation.FILLED_CAVITY_AND_INTERNAL)
    if found:
        return _one(found, "wall insulation")
    if re.search(r"\binsulat", norm):
        return _Part(reason="says insulated but not how (filled cavity, internal or "
                            "external)", vague=True)
    return _NOT_STATED


_DEPTH_RE = re.compile(r"(\d+(?:\.\d+)?)\s*(\+)?\s*(mm|millimet(?:re|er)s?|cm|inch(?:es)?)\b"
                       r"(\s*\+)?")
_BARE_NUMBER_RE = re.compile(r"^(\d+(?:\.\d+)?)\s*(\+)?$")
_UNIT_MM = {"mm": 1.0, "cm": 10.0}
_NO_ROOF_INSULATION = (r"\bno (loft |roof )?insulation\b|\bun ?insulated\b|"
                       r"\bnot insulated\b|^(none|nil|0|0 mm|0mm)$")
#: Depths of 1000 mm and more read as bare numbers are years, not depths.
BARE_DEPTH_LIMIT_MM = 1000


def _depth_code(depth: float) -> RoofInsulation:
    chosen = RoofInsulation.NONE
    for mm, member in _ROOF_THICKNESSES_MM:
        if depth >= mm:
            chosen = member
    return chosen


def _roof_insulation(norm: str) -> _Part:
    if re.search(r"\b(another|other) dwelling above\b|\bdwelling above\b", norm):
        return _Part(reason="another dwelling above: the home has no roof of its own")
    if re.search(_PARTIAL, norm):
        return _Part(reason="says the insulation is partial: give the depth in mm", vague=True)
    depths: list[float] = []
    for match in _DEPTH_RE.finditer(norm):
        unit = match.group(3)
        factor = _UNIT_MM.get(unit, 25.4 if unit.startswith("inch") else 1.0)
        depths.append(float(match.group(1)) * factor)
    if not depths:
        bare = _BARE_NUMBER_RE.match(norm)
        if bare:
            depth = float(bare.group(1))
            if depth >= BARE_DEPTH_LIMIT_MM:
                return _Part(reason=f"{bare.group(1)} is not a depth in mm (a year?): write "
                                    "the depth as '270mm'", vague=True)
            depths.append(depth)
    codes = sorted({_depth_code(d) for d in depths}, key=lambda c: _ROOF_ORDER[c])
    none_said = re.search(_NO_ROOF_INSULATION, norm) is not None
    if len(codes) > 1 or (codes and none_said and codes != [RoofInsulation.NONE]):
        shown = ", ".join(f"{d:g}mm" for d in depths) + (", none" if none_said else "")
        return _Part(reason=f"gives several depths ({shown}): say the depth there is now",
                     vague=True)
    if codes:
        return _Part(codes[0])
    if none_said:
        return _Part(RoofInsulation.NONE)
    if re.search(r"\b(insulat\w*|topped up|top up|lagged|quilt|full|fully)\b", norm):
        return _Part(reason="says insulated but gives no depth in mm", vague=True)
    return _NOT_STATED


_ROOF_ORDER = {member: i for i, member in enumerate(RoofInsulation)}

_PROPERTY_TYPES: tuple[tuple[str, PropertyType], ...] = (
    (r"\bhouses?\b", PropertyType.HOUSE),
    (r"\bbungalows?\b", PropertyType.BUNGALOW),
    (r"\b(flats?|apartments?|studio)\b", PropertyType.FLAT),
    (r"\bmaisonettes?\b", PropertyType.MAISONETTE),
    (r"\b(park|mobile) homes?\b", PropertyType.PARK_HOME),
)


def _property_type(norm: str) -> _Part:
    return _one(_found(_PROPERTY_TYPES, norm), "property type")


_TERRACE = r"terr(ace|aced)?\b"
_BUILT_FORMS: tuple[tuple[str, BuiltForm], ...] = (
    (rf"\benclosed end (of )?{_TERRACE}", BuiltForm.ENCLOSED_END_TERRACE),
    (rf"\benclosed (mid|middle) (of )?{_TERRACE}", BuiltForm.ENCLOSED_MID_TERRACE),
    (rf"(?<!enclosed )\bend (of )?{_TERRACE}", BuiltForm.END_TERRACE),
    (rf"(?<!enclosed )\b(mid|middle|inner|intermediate) (of )?{_TERRACE}",
     BuiltForm.MID_TERRACE),
    (r"\bsemi( detached)?\b|\bsemidetached\b", BuiltForm.SEMI_DETACHED),
    (r"(?<!semi )(?<!link )\bdetached\b", BuiltForm.DETACHED),
)


def _built_form(norm: str) -> _Part:
    if re.search(r"\blink detached\b", norm):
        return _Part(reason="'link detached': RdSAP has no such form; say detached or "
                            "semi-detached", vague=True)
    found = _found(_BUILT_FORMS, norm)
    if not found and re.search(rf"\b{_TERRACE}", norm):
        return _Part(reason="'terraced': say end-terrace or mid-terrace", vague=True)
    return _one(found, "built form")


_READERS = {
    "wall_construction": _wall_construction, "wall_insulation": _wall_insulation,
    "roof_insulation": _roof_insulation, "property_type": _property_type,
    "built_form": _built_form,
}
_CODES: dict[str, type[Enum]] = {
    "wall_construction": WallConstruction, "wall_insulation": WallInsulation,
    "property_type": PropertyType, "built_form": BuiltForm,
}
_WHAT = {"wall_construction": "wall construction", "wall_insulation": "wall insulation",
         "roof_insulation": "roof insulation", "property_type": "property type",
         "built_form": "built form"}


def _code(target: str, norm: str) -> _Part | None:
    """A bare whole number as the RdSAP code of ``target`` (roof depths are read as depths)."""
    kind = _CODES.get(target)
    if kind is None or not norm.isdigit():
        return None
    if target == "wall_insulation" and norm == "5":
        return _Part(reason="RdSAP wall insulation code 5 means unknown", vague=True)
    try:
        return _Part(kind(int(norm)))
    except ValueError:
        return _Part(reason=f"{norm} is not an RdSAP {_WHAT[target]} code (codes: "
                            f"{', '.join(str(m.value) for m in kind)})")


def stored_code(name: str, text: str) -> Enum:
    """The code of override ``name`` as the ``landlord_overrides`` table stores it (its
    ``value``: ``"2"``, ``"270mm"``); ValueError when it is not one."""
    kind = _CODES.get(name, RoofInsulation if name == "roof_insulation" else None)
    if kind is None:
        raise ValueError(f"unknown override {name!r}")
    return kind(int(text)) if issubclass(kind, int) else kind(text)


def classify_statement(attribute: str, text: str) -> Classification:
    """Read one statement: ``attribute`` (see :data:`ATTRIBUTES`) and the landlord's words or
    an RdSAP code. Never guesses: anything vague or outside the vocabulary changes nothing."""
    if not attribute.strip():
        return Classification(Reading.UNKNOWN, reason="no attribute")
    targets = attribute_targets(attribute)
    if targets is None:
        known = ", ".join(sorted({k for k in ATTRIBUTES if k in OVERRIDE_FIELDS
                                  or k in ("walls", "property")}))
        return Classification(Reading.UNKNOWN, reason=f"attribute {attribute.strip()!r} is "
                              f"not one the overrides cover ({known})")
    norm = _words(text)
    if not norm:
        return Classification(Reading.UNKNOWN, reason="no value")
    vague = _vague_reason(text, norm)
    if vague:
        return Classification(Reading.VAGUE, reason=vague)
    parts: dict[str, _Part] = {}
    for target in targets:
        coded = _code(target, norm) if len(targets) == 1 else None
        parts[target] = coded if coded is not None else _READERS[target](norm)
    vague_parts = [f"{_WHAT[n]}: {p.reason}" if len(targets) > 1 else p.reason
                   for n, p in parts.items() if p.vague]
    if vague_parts:
        return Classification(Reading.VAGUE, reason="; ".join(vague_parts))
    unknown = [p.reason for p in parts.values() if p.value is None and p.reason]
    if unknown:
        return Classification(Reading.UNKNOWN, reason="; ".join(unknown))
    values = tuple((n, p.value) for n, p in parts.items() if p.value is not None)
    if not values:
        what = " or ".join(_WHAT[n] for n in targets)
        return Classification(Reading.UNKNOWN, reason=f"no {what} word in it (docs/overrides.md "
                              "lists the vocabulary)")
    return Classification(Reading.CLASSIFIED, values)
