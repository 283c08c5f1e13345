"""The physical description of a dwelling and the documents that carry it: a lodged EPC
certificate, a landlord's Site Notes survey, a predicted EPC.

The seam with the RdSAP readers
-------------------------------
:class:`EpcData` holds a certificate's collected data as an immutable mapping from RdSAP
field names to values, in the shape of the register's certificate JSON: the snake_case form
of the RdSAP XML element names (``Wall-Construction`` -> ``wall_construction``), repeated
elements as sequences (``building_parts``), codes as the register writes them. The RdSAP
readers (``ara.rdsap``, written in parallel) turn such a mapping into calculator inputs; until
they land, this mapping is the contract between ingestion, the source-path rules and the
readers. Only three things here depend on field names: :data:`MAIN_PART_KEY` and the
overlay scopes (where a Landlord Override is written), and :data:`REQUIRED_SURVEY_FIELDS`
(what makes a survey complete). When the readers provide a typed certificate record, EpcData
becomes a thin wrapper over it and those three places move to the readers' vocabulary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import FrozenInstanceError, dataclass
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import TypeAlias, cast

from ara.domain.performance import Performance

JsonValue: TypeAlias = (
    None | bool | int | float | str | Sequence["JsonValue"] | Mapping[str, "JsonValue"]
)

#: Register JSON key of the list of building parts, and of a part's number (1 = main dwelling).
MAIN_PART_KEY = "building_parts"  # CERTIFICATE_SCHEMA (ara.rdsap.readers) column names
PART_NUMBER_KEY = "building_part_number"


def _freeze(value: object) -> JsonValue:
    """A deep, immutable copy of JSON-like data: dicts become read-only mappings, lists
    become tuples."""
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"EPC data holds JSON values only, not {type(value).__name__}")


def _thaw(value: JsonValue) -> object:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def _parse_object(text: str) -> dict[str, object]:
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("EPC data JSON must be an object")
    return data


class OverlayScope(StrEnum):
    """Where in the data a field assignment is written."""

    DWELLING = "dwelling"
    """A top-level field of the certificate (``property_type``, ``built_form``)."""
    MAIN_BUILDING_PART = "main_building_part"
    """A field of the main building part (``building_part_number`` 1, else the first)."""
    MAIN_PART_LOWEST_STOREY = "main_part_lowest_storey"
    """A field of the lowest storey (``floor_dimensions`` item of the lowest ``floor`` code)
    of the main building part: its floor construction and insulation. A part without storeys
    is left as it is."""
    EVERY_WINDOW = "every_window"
    """A field of every item of ``windows`` (none: nothing to write)."""
    MAIN_HEATING_SYSTEM = "main_heating_system"
    """A field of main heating system 1 (``main_heating`` item of ``main_heating_number`` 1,
    else the first); written into a new item 1 when the data has none."""


@dataclass(frozen=True, slots=True)
class FieldAssignment:
    """One field set to one value by an overlay."""

    scope: OverlayScope
    key: str
    value: JsonValue


class OverlayError(ValueError):
    """An overlay could not be applied to the data (for example, no building part)."""


class EpcData:
    """The collected data of one certificate or survey, immutable (see the module docstring
    for the field names).

    Read from JSON (:meth:`from_json`, how storage loads it), the text is kept and parsed
    only when the data is first looked into, and frozen into read-only mappings only then:
    scoring thousands of loaded certificates only needs their JSON text back
    (:meth:`json_text`), and parsing, freezing and thawing every one of them dominated that.
    A text that does not start with ``{`` is parsed at once, so that what is not an object
    is refused on reading as before; an object with a syntax error raises the same
    ``json.JSONDecodeError`` as before, when first used instead of on reading."""

    __slots__ = ("_fields", "_plain", "_text")
    __match_args__ = ("fields",)
    _fields: Mapping[str, JsonValue] | None
    _plain: dict[str, object] | None
    """The parsed JSON text, private and never mutated (parsed when first needed)."""
    _text: str | None
    """The JSON text it was read from, if it was."""

    def __init__(self, fields: Mapping[str, JsonValue]) -> None:
        object.__setattr__(self, "_fields", _freeze(fields))
        object.__setattr__(self, "_plain", None)
        object.__setattr__(self, "_text", None)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _parsed(self) -> dict[str, object] | None:
        """The parsed text (cached), or None when the data was not read from JSON."""
        if self._plain is None and self._text is not None:
            object.__setattr__(self, "_plain", _parse_object(self._text))
        return self._plain

    @property
    def fields(self) -> Mapping[str, JsonValue]:
        """The data as read-only mappings and tuples."""
        frozen = self._fields
        if frozen is None:
            frozen = cast(Mapping[str, JsonValue], _freeze(self._parsed()))
            object.__setattr__(self, "_fields", frozen)
        return frozen

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, EpcData)
        if self._text is not None and other._text is not None:
            return self._parsed() == other._parsed()
        return self.fields == other.fields

    __hash__ = None  # type: ignore[assignment]  # mutable-looking mappings: never hashed

    def __repr__(self) -> str:
        return f"EpcData(fields={self.fields!r})"

    def __reduce__(self) -> tuple[object, ...]:
        return (EpcData.from_json, (self.json_text(),))

    @classmethod
    def from_json(cls, text: str) -> EpcData:
        plain = None if text.lstrip()[:1] == "{" else _parse_object(text)
        self = cls.__new__(cls)
        object.__setattr__(self, "_fields", None)
        object.__setattr__(self, "_plain", plain)
        object.__setattr__(self, "_text", text)
        return self

    def to_json(self) -> str:
        """Canonical JSON (sorted keys, no spaces): equal data gives equal text."""
        plain = self._parsed()
        return json.dumps(plain if plain is not None else self.to_plain(), sort_keys=True,
                          separators=(",", ":"))

    def json_text(self) -> str:
        """The data as JSON text: the text it was read from when it was read from one
        (not necessarily canonical, and not parsed here), else :meth:`to_json`."""
        return self._text if self._text is not None else self.to_json()

    def to_plain(self) -> dict[str, object]:
        """A mutable deep copy as plain dicts and lists."""
        if self._text is not None:
            return _parse_object(self._text)
        return {k: _thaw(v) for k, v in self.fields.items()}

    def get(self, key: str, default: JsonValue = None) -> JsonValue:
        return self.fields.get(key, default)

    def __getitem__(self, key: str) -> JsonValue:
        return self.fields[key]

    def __contains__(self, key: object) -> bool:
        return key in self.fields

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def building_parts(self) -> tuple[Mapping[str, JsonValue], ...]:
        parts = self.fields.get(MAIN_PART_KEY)
        if not isinstance(parts, tuple):
            return ()
        return tuple(p for p in parts if isinstance(p, Mapping))

    def main_building_part_index(self) -> int | None:
        parts = self.building_parts()
        for i, part in enumerate(parts):
            if part.get(PART_NUMBER_KEY) == 1:
                return i
        return 0 if parts else None

    def main_building_part(self) -> Mapping[str, JsonValue] | None:
        index = self.main_building_part_index()
        return None if index is None else self.building_parts()[index]

    def with_overlay(self, assignments: Sequence[FieldAssignment]) -> EpcData:
        """A copy with each assignment written over the data; the original is unchanged."""
        if not assignments:
            return self
        plain = self.to_plain()
        for a in assignments:
            if a.scope is OverlayScope.DWELLING:
                plain[a.key] = _thaw(a.value)
                continue
            if a.scope is OverlayScope.EVERY_WINDOW:
                windows = plain.get("windows")
                for window in windows if isinstance(windows, list) else []:
                    if isinstance(window, dict):
                        window[a.key] = _thaw(a.value)
                continue
            if a.scope is OverlayScope.MAIN_HEATING_SYSTEM:
                _main_heating_item(plain)[a.key] = _thaw(a.value)
                continue
            index = self.main_building_part_index()
            if index is None:
                raise OverlayError(f"cannot set {a.key}: the data has no building part "
                                   f"({MAIN_PART_KEY} is missing or empty)")
            parts = plain[MAIN_PART_KEY]
            assert isinstance(parts, list)
            if a.scope is OverlayScope.MAIN_PART_LOWEST_STOREY:
                storey = _lowest_storey(parts[index])
                if storey is not None:
                    storey[a.key] = _thaw(a.value)
                continue
            parts[index][a.key] = _thaw(a.value)
        return EpcData(cast(dict[str, JsonValue], plain))


#: Key of the list of a building part's storeys, and of a storey's ``Floor`` code.
STOREYS_KEY = "floor_dimensions"
MAIN_HEATING_KEY = "main_heating"


def storey_order(storey: Mapping[str, object]) -> int:
    """The sort key of a storey's ``Floor`` code (SAP-StoreyFloorCode: 0 lowest occupied
    ... 6, 99 roof rooms); an unreadable code sorts last."""
    try:
        return int(str(storey.get("floor")))
    except ValueError:
        return 1000


def _lowest_storey(part: object) -> dict[str, object] | None:
    storeys = part.get(STOREYS_KEY) if isinstance(part, dict) else None
    items = [s for s in storeys if isinstance(s, dict)] if isinstance(storeys, list) else []
    return min(items, key=storey_order) if items else None


def main_heating_index(systems: Sequence[object]) -> int | None:
    """Index of main heating system 1 in a ``main_heating`` list (``main_heating_number``
    1, else the first item); None when the list is empty."""
    for i, item in enumerate(systems):
        if isinstance(item, Mapping) and str(item.get("main_heating_number")) == "1":
            return i
    return 0 if systems else None


def _main_heating_item(plain: dict[str, object]) -> dict[str, object]:
    systems = plain.get(MAIN_HEATING_KEY)
    if not isinstance(systems, list):
        systems = plain[MAIN_HEATING_KEY] = []
    index = main_heating_index(systems)
    if index is None:
        systems.append({"main_heating_number": 1, "main_heating_fraction": 1.0})
        index = 0
    item = systems[index]
    assert isinstance(item, dict)
    return item


_VERSION_RE = re.compile(r"(\d+)(?:\.(\d+))?")


#: Year-named SAP editions, all before SAP 10.
_SAP_EDITION_YEARS: dict[int, tuple[int, int]] = {2005: (9, 80), 2009: (9, 90), 2012: (9, 92)}


def sap_version_tuple(version: str) -> tuple[int, int] | None:
    """``"10.2"`` -> (10, 2); ``"9.94"`` -> (9, 94); ``"SAP 2012"`` -> (9, 92); None when
    no version can be read."""
    match = _VERSION_RE.search(version)
    if not match:
        return None
    major = int(match.group(1))
    if major >= 1000:
        return _SAP_EDITION_YEARS.get(major)
    return major, int(match.group(2) or 0)


@dataclass(frozen=True, slots=True)
class EpcCertificate:
    """A lodged Energy Performance Certificate: register identifiers, the lodged results and
    the collected data. ``raw_document`` is the document exactly as fetched, kept for audit;
    it is None when loaded for modelling, which never reads it."""

    certificate_number: str
    uprn: int | None
    schema_type: str
    """Register schema, e.g. ``RdSAP-Schema-21.0.1``."""
    sap_spec_version: str
    """SAP specification the lodged rating was calculated with, e.g. ``10.2``."""
    inspection_date: date
    registration_date: date
    lodged: Performance | None
    """The register's results; None when the document carries none."""
    total_floor_area_m2: float | None
    data: EpcData
    raw_format: str = "json"
    """``json`` (register API), ``xml`` (lodged XML) or ``csv`` (an open-data row)."""
    raw_document: bytes | None = None

    @property
    def is_pre_sap10(self) -> bool:
        """True when the lodged rating was not calculated with SAP 10.2 or later. A version
        that cannot be read counts as pre-10.2: the certificate is then recalculated, which is
        the safe side (decision 0009)."""
        version = sap_version_tuple(self.sap_spec_version)
        return version is None or version < (10, 2)

    @property
    def physical_state_date(self) -> date:
        """The date the data describes the dwelling at: the inspection date."""
        return self.inspection_date


@dataclass(frozen=True, slots=True)
class SiteNotes:
    """The landlord's own survey: a full RdSAP data set, modelled alone when it wins."""

    survey_id: str
    survey_date: date
    data: EpcData
    surveyor: str | None = None
    raw_format: str = "json"
    raw_document: bytes | None = None


@dataclass(frozen=True, slots=True)
class PredictedEpc:
    """An EPC synthesised from comparable neighbouring properties (deterministic), used only
    when a property has neither a survey nor a lodged EPC; recorded with its provenance."""

    predicted_on: date
    method: str
    """Name and version of the deterministic prediction method."""
    comparable_certificates: tuple[str, ...]
    """Certificate numbers the prediction was built from (heaviest first)."""
    data: EpcData
    rung: str | None = None
    """The rung of the comparables ladder the cohort was drawn from (street, unit, sector,
    district, area); None for a prediction stored without its provenance."""
    cohort_size: int | None = None
    """Comparable certificates at that rung (after the hard filters)."""
    confidence: float | None = None
    """In [0, 1]: a ranking figure (which predictions to survey first), not a probability."""
    template_certificate: str | None = None
    """The neighbour whose certificate, its dimensions scaled, is the prediction."""
    comparable_weights: tuple[float, ...] = ()
    """The neighbours' normalised weights, in the order of ``comparable_certificates``."""


@dataclass(frozen=True, slots=True)
class SurveyDefect:
    """A gap in a survey: a required field that is missing or empty."""

    field_path: str
    problem: str = "missing"

    def __str__(self) -> str:
        return f"{self.field_path}: {self.problem}"


#: The fields a survey must carry to count as a full RdSAP data set. The RdSAP readers'
#: validation will replace this minimum (see the module docstring); a missing or empty value
#: is a gap. Per building part, and per floor of each part.
REQUIRED_SURVEY_FIELDS: tuple[str, ...] = (
    "property_type", "built_form", "habitable_room_count", "heated_room_count",
    MAIN_PART_KEY, "main_heating", "water_heating_code",
)
FLOOR_LIST_KEY = "floor_dimensions"
REQUIRED_PART_FIELDS: tuple[str, ...] = (
    "construction_age_band", "wall_construction", "wall_insulation_type", FLOOR_LIST_KEY,
)
REQUIRED_FLOOR_FIELDS: tuple[str, ...] = ("total_floor_area_m2", "room_height_m")
REQUIRED_HEATING_FIELDS: tuple[str, ...] = ("main_fuel_type", "main_heating_category")


def _is_gap(value: JsonValue) -> bool:
    return value is None or value == "" or (isinstance(value, (tuple, Mapping)) and not value)


def survey_defects(data: EpcData) -> tuple[SurveyDefect, ...]:
    """Every gap of a survey against the required fields, in a stable order."""
    defects = [SurveyDefect(key) for key in REQUIRED_SURVEY_FIELDS if _is_gap(data.get(key))]
    for i, part in enumerate(data.building_parts()):
        defects += [SurveyDefect(f"{MAIN_PART_KEY}[{i}].{key}")
                    for key in REQUIRED_PART_FIELDS if _is_gap(part.get(key))]
        floors = part.get(FLOOR_LIST_KEY)
        for j, floor in enumerate(floors if isinstance(floors, tuple) else ()):
            if not isinstance(floor, Mapping):
                defects.append(SurveyDefect(f"{MAIN_PART_KEY}[{i}].{FLOOR_LIST_KEY}[{j}]",
                                            "not an object"))
                continue
            defects += [SurveyDefect(f"{MAIN_PART_KEY}[{i}].{FLOOR_LIST_KEY}[{j}].{key}")
                        for key in REQUIRED_FLOOR_FIELDS if _is_gap(floor.get(key))]
    heating = data.get("main_heating")
    for k, system in enumerate(heating if isinstance(heating, tuple) else ()):
        if isinstance(system, Mapping):
            defects += [SurveyDefect(f"main_heating[{k}].{key}")
                        for key in REQUIRED_HEATING_FIELDS if _is_gap(system.get(key))]
    return tuple(defects)


__all__ = [
    "MAIN_PART_KEY", "PART_NUMBER_KEY", "REQUIRED_FLOOR_FIELDS", "REQUIRED_HEATING_FIELDS",
    "REQUIRED_PART_FIELDS", "REQUIRED_SURVEY_FIELDS", "EpcCertificate", "EpcData",
    "FieldAssignment", "JsonValue", "OverlayError", "OverlayScope", "PredictedEpc", "SiteNotes",
    "SurveyDefect", "sap_version_tuple", "survey_defects",
]
