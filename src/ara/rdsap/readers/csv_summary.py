"""Open-data CSV summary rows -> ``CERTIFICATE_SCHEMA`` rows.

Reads the domestic certificates CSV of the 2025 register service (``CERTIFICATE_NUMBER`` ...,
see ``epb-data-frontend/domestic_data_dictionary.csv``) and of the legacy open-data service
(``LMK_KEY`` ..., 92 columns), by header name, case-insensitively, with ``-`` or ``_``
(the legacy JSON keys are lower-case with hyphens). A header repeated in the file (the
warehouse's export repeats four) is read from its first non-empty cell.

What lands where:

* metadata, lodged results, room counts, total floor area, property type, built form, flat
  details, lighting counts, glazing descriptors, ventilation type, meter type (from the tariff),
  mains gas, PV percentage, wind turbines, solar water heating: the matching columns. Coded
  columns are decoded from the texts the CSV prints when a text is exactly one of the
  register's labels for that code (``"Semi-Detached"`` -> ``"2"``); other texts leave the
  column null. ``CONSTRUCTION_AGE_BAND`` becomes the first building part's age band; a bare
  year (SAP certificates) gives the England and Wales band of that year, listed in
  ``inferred_fields``. ``MAIN_FUEL`` becomes the first main heating system's fuel;
  ``MAIN_HEATING_CONTROLS`` its control code when it is a 2000-2999 code.
* the descriptions with their ratings: ``property_summary`` and the ``*_description`` columns;
  :func:`~ara.rdsap.readers.descriptions.parse_descriptions` then fills the fields the texts
  determine, each listed in ``inferred_fields``.
* every other column, and every text that could not be decoded: ``csv_extra``, verbatim.

Empty cells and ``NO DATA!``, ``INVALID!``, ``N/A``, ``Not defined``, ``not recorded`` are
null. A value that is not a number where a number is due is left null (its text stays in
``csv_extra``); values outside the lodgement rules refuse the row, reported in the failures.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

from ara.rdsap.readers import values as v
from ara.rdsap.readers.bulk import Errors, rows_to_batch
from ara.rdsap.readers.code_mapping import CODE_MAPPINGS
from ara.rdsap.readers.descriptions import apply_parsed, parse_descriptions
from ara.rdsap.readers.errors import CertificateReadError, ReadFailure
from ara.rdsap.readers.mapping import Context, empty_row
from ara.rdsap.readers.rules import check_summary_rules
from ara.rdsap.readers.schema import CERTIFICATE_SCHEMA, COLUMNS, Column

__all__ = ["iter_summary_csv", "read_summary_csv", "summary_row"]

_NULLS = frozenset({"", "no data!", "invalid!", "n/a", "na", "not defined", "not recorded",
                    "null"})
_NULLS_KEEP_NONE = frozenset({"", "no data!", "invalid!", "n/a", "null"})

_PROPERTY_TYPES = {"house": "0", "bungalow": "1", "flat": "2", "maisonette": "3",
                   "park home": "4"}
_BUILT_FORMS = {"detached": "1", "semi-detached": "2", "end-terrace": "3", "mid-terrace": "4",
                "enclosed end-terrace": "5", "enclosed mid-terrace": "6"}
_AGE_BANDS = {"before 1900": "A", "1900-1929": "B", "1930-1949": "C", "1950-1966": "D",
              "1967-1975": "E", "1976-1982": "F", "1983-1990": "G", "1991-1995": "H",
              "1996-2002": "I", "2003-2006": "J", "2007-2011": "K", "2007 onwards": "K",
              "2012 onwards": "L", "2012-2021": "L", "2022 onwards": "M"}
#: first year of each England and Wales age band (ConstructionDateCode), latest first
_AGE_BAND_STARTS = ((2022, "M"), (2012, "L"), (2007, "K"), (2003, "J"), (1996, "I"),
                    (1991, "H"), (1983, "G"), (1976, "F"), (1967, "E"), (1950, "D"),
                    (1930, "C"), (1900, "B"))
_TRANSACTION_TYPES = {"marketed sale": "1", "non marketed sale": "2", "rental (social)": "3",
                      "rental (private)": "4", "none of the above": "5", "new dwelling": "6",
                      "not recorded": "7", "rental": "8", "assessment for green deal": "9",
                      "following green deal": "10", "fit application": "11",
                      "rhi application": "12", "eco assessment": "13",
                      "stock condition survey": "14", "grant scheme (eco, rhi, etc.)": "15",
                      "non-grant scheme (e.g. mees)": "16", "re-mortgaging": "17"}
_TENURES = {"owner-occupied": "1", "rented (social)": "2", "rental (social)": "2",
            "rented (private)": "3", "rental (private)": "3"}
_COUNTRIES = {"england": "ENG", "wales": "WLS", "england and wales": "EAW",
              "northern ireland": "NIR", "scotland": "SCT"}
_CORRIDORS = {"no corridor": "0", "heated corridor": "1", "unheated corridor": "2",
              "stairwell": "3"}
_TARIFFS = {"dual": "1", "single": "2", "unknown": "3", "dual (24 hour)": "4",
            "off-peak 18 hour": "5", "off-peak 10 hour": "6"}
_GLAZED_AREAS = {"normal": "1", "more than typical": "2", "less than typical": "3",
                 "much more than typical": "4", "much less than typical": "5"}
_GLAZING_TYPES = {"double glazing installed before 2002": "1",
                  "double glazing installed during or after 2002": "2",
                  "double glazing, unknown install date": "3", "secondary glazing": "4",
                  "single glazing": "5", "triple glazing": "6", "double, known data": "7",
                  "triple, known data": "8"}
_VENTILATION = {"natural": "0", "mechanical, supply and extract": "1",
                "mechanical, extract only": "2",
                "mechanical ventilation without heat recovery (mv)": "1",
                "mechanical extract, decentralised (mev dc)": "2",
                "mechanical extract, centralised (mev c)": "3",
                "mechanical ventilation with heat recovery (mvhr)": "4",
                "positive input from loft": "5", "positive input from outside": "6"}
_OLD_VENTILATION_LABELS = frozenset({"mechanical, supply and extract",
                                     "mechanical, extract only"})
_FUEL_LABELS = {
    "mains gas": "1", "lpg": "2", "bottled lpg": "3", "oil": "4", "anthracite": "5",
    "wood logs": "6", "bulk wood pellets": "7", "wood chips": "8",
    "dual fuel - mineral + wood": "9", "electricity": "10", "waste combustion": "11",
    "biomass": "12", "biogas - landfill": "13", "house coal": "14", "smokeless coal": "15",
    "wood pellets in bags for secondary heating": "16", "lpg special condition": "17",
    "b30k (not community)": "18", "bioethanol": "19", "mains gas (community)": "20",
    "lpg (community)": "21", "oil (community)": "22", "b30d (community)": "23",
    "coal (community)": "24", "electricity (community)": "25",
    "mains gas (not community)": "26", "lpg (not community)": "27",
    "oil (not community)": "28", "electricity (not community)": "29",
    "waste combustion (community)": "30", "biomass (community)": "31",
    "biogas (community)": "32", "house coal (not community)": "33",
    "biodiesel from any biomass source": "34", "biodiesel from used cooking oil only": "35",
    "biodiesel from vegetable oil only (not community)": "36",
    "appliances able to use mineral oil or liquid biofuel": "37",
    "gas: bottled lpg (for secondary heating)": "38", "biogas (not community)": "51",
}
_BACKWARDS = " - this is for backwards compatibility only and should not be used"
_RATINGS = {"n/a": 0, "very poor": 1, "poor": 2, "average": 3, "good": 4, "very good": 5}

#: CSV description columns: (description, energy rating, environmental rating, element,
#: description column of the schema)
_SUMMARY_COLUMNS = (
    ("WALLS_DESCRIPTION", "WALLS_ENERGY_EFF", "WALLS_ENV_EFF", "wall", "walls_description"),
    ("ROOF_DESCRIPTION", "ROOF_ENERGY_EFF", "ROOF_ENV_EFF", "roof", "roofs_description"),
    ("FLOOR_DESCRIPTION", "FLOOR_ENERGY_EFF", "FLOOR_ENV_EFF", "floor", "floors_description"),
    ("WINDOWS_DESCRIPTION", "WINDOWS_ENERGY_EFF", "WINDOWS_ENV_EFF", "window",
     "windows_description"),
    ("MAINHEAT_DESCRIPTION", "MAINHEAT_ENERGY_EFF", "MAINHEAT_ENV_EFF", "main_heating",
     "main_heating_description"),
    ("MAINHEATCONT_DESCRIPTION", "MAINHEATC_ENERGY_EFF", "MAINHEATC_ENV_EFF",
     "main_heating_controls", "main_heating_controls_description"),
    ("HOTWATER_DESCRIPTION", "HOT_WATER_ENERGY_EFF", "HOT_WATER_ENV_EFF", "hot_water",
     "hot_water_description"),
    ("LIGHTING_DESCRIPTION", "LIGHTING_ENERGY_EFF", "LIGHTING_ENV_EFF", "lighting",
     "lighting_description"),
    ("SECONDHEAT_DESCRIPTION", "SHEATING_ENERGY_EFF", "SHEATING_ENV_EFF", "secondary_heating",
     "secondary_heating_description"),
)

# column -> (schema column, converter); converters return None for what they cannot read
_Converter = Callable[[str], Any]


def _lenient(convert: Callable[[Any], Any]) -> _Converter:
    def read(text: str) -> Any:
        try:
            return convert(text)
        except v.ValueProblem:
            return None
    return read


#: The largest floor area a dwelling can have, as in the calculator's domain of a storey's
#: area (spec/tables/calculator_input_domains.csv): 10 ha.
MAX_FLOOR_AREA_M2 = 100_000.0


def _floor_area(text: str) -> float | None:
    """TOTAL_FLOOR_AREA: unreadable text is no value (as for the other summary numbers); a
    number that no dwelling can have (0 or less, over 10 ha, 1e40) is refused by name."""
    value: float | None = _lenient(v.to_float)(text)
    if value is not None and not 0 < value <= MAX_FLOOR_AREA_M2:
        raise v.ValueProblem(f"{value:g} m2 is not a possible floor area (0 to "
                             f"{MAX_FLOOR_AREA_M2:,.0f} m2, the calculator's domain: "
                             "spec/tables/calculator_input_domains.csv)")
    return value


def _label(table: dict[str, str]) -> _Converter:
    return lambda text: table.get(" ".join(text.split()).lower())


def _age_band(text: str) -> Any:
    lower = text.lower()
    if ":" in lower:
        lower = lower.split(":", 1)[1].split(";")[0].strip()
    return _AGE_BANDS.get(lower)


def _flag_code(text: str) -> str | None:
    upper = text.strip().upper()
    return upper if upper in ("Y", "N") else None


def _rating_percent(text: str) -> int | None:
    number = _lenient(v.to_float)(text)
    if number is None or not float(number).is_integer():
        return None
    return int(number)


_ORDINAL = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?(?: floor)?$")


def _floor_level(text: str) -> str | None:
    """``FLOOR_LEVEL`` -> BlockStoreyCode (-1 basement, 0 ground, 1 ... 20, 20+); 'mid floor'
    and 'top floor' are FlatLevelCodes, read by :func:`summary_row`."""
    lower = " ".join(text.split()).lower()
    if lower in ("ground", "ground floor", "00", "0"):
        return "0"
    if lower in ("basement", "-1"):
        return "-1"
    if lower.startswith("21st") or lower in ("20+", "21+"):
        return "20+"
    match = _ORDINAL.match(lower)
    if match and 1 <= int(match[1]) <= 20:
        return str(int(match[1]))
    return None


def _control(text: str) -> str | None:
    code = text.strip()
    return code if code.isdigit() and 2000 <= int(code) < 3000 else None


_DIRECT: dict[str, tuple[str, _Converter]] = {
    "CERTIFICATE_NUMBER": ("certificate_number", v.to_text),
    "LMK_KEY": ("certificate_number", v.to_text),
    "UPRN": ("uprn", _lenient(v.to_uprn)),
    "UPRN_SOURCE": ("uprn_source", v.to_text),
    "ADDRESS1": ("address_line_1", v.to_text),
    "ADDRESS2": ("address_line_2", v.to_text),
    "ADDRESS3": ("address_line_3", v.to_text),
    "POSTCODE": ("postcode", v.to_text),
    "POSTTOWN": ("post_town", v.to_text),
    "INSPECTION_DATE": ("inspection_date", _lenient(v.to_date)),
    "LODGEMENT_DATE": ("registration_date", _lenient(v.to_date)),
    "REPORT_TYPE": ("report_type", _lenient(v.to_code)),
    "TRANSACTION_TYPE": ("transaction_type", _label(_TRANSACTION_TYPES)),
    "TENURE": ("tenure", _label(_TENURES)),
    "COUNTRY": ("country_code", _label(_COUNTRIES)),
    "CURRENT_ENERGY_EFFICIENCY": ("energy_rating_current", _lenient(v.to_int)),
    "POTENTIAL_ENERGY_EFFICIENCY": ("energy_rating_potential", _lenient(v.to_int)),
    "ENVIRONMENT_IMPACT_CURRENT": ("environmental_impact_current", _lenient(v.to_int)),
    "ENVIRONMENT_IMPACT_POTENTIAL": ("environmental_impact_potential", _lenient(v.to_int)),
    "ENERGY_CONSUMPTION_CURRENT": ("energy_consumption_current_kwh_per_m2_yr",
                                   _lenient(v.to_float)),
    "ENERGY_CONSUMPTION_POTENTIAL": ("energy_consumption_potential_kwh_per_m2_yr",
                                     _lenient(v.to_float)),
    "CO2_EMISSIONS_CURRENT": ("co2_emissions_current_kg_per_yr", _lenient(v.to_float)),
    "CO2_EMISS_CURR_PER_FLOOR_AREA": ("co2_emissions_current_kg_per_m2_yr",
                                      _lenient(v.to_float)),
    "CO2_EMISSIONS_POTENTIAL": ("co2_emissions_potential_kg_per_yr", _lenient(v.to_float)),
    "LIGHTING_COST_CURRENT": ("lighting_cost_current_gbp_per_yr", _lenient(v.to_float)),
    "LIGHTING_COST_POTENTIAL": ("lighting_cost_potential_gbp_per_yr", _lenient(v.to_float)),
    "HEATING_COST_CURRENT": ("heating_cost_current_gbp_per_yr", _lenient(v.to_float)),
    "HEATING_COST_POTENTIAL": ("heating_cost_potential_gbp_per_yr", _lenient(v.to_float)),
    "HOT_WATER_COST_CURRENT": ("hot_water_cost_current_gbp_per_yr", _lenient(v.to_float)),
    "HOT_WATER_COST_POTENTIAL": ("hot_water_cost_potential_gbp_per_yr", _lenient(v.to_float)),
    "TOTAL_FLOOR_AREA": ("total_floor_area_m2", _floor_area),
    "PROPERTY_TYPE": ("property_type", _label(_PROPERTY_TYPES)),
    "BUILT_FORM": ("built_form", _label(_BUILT_FORMS)),
    "EXTENSION_COUNT": ("extensions_count", _lenient(v.to_int)),
    "NUMBER_HABITABLE_ROOMS": ("habitable_room_count", _lenient(v.to_int)),
    "NUMBER_HEATED_ROOMS": ("heated_room_count", _lenient(v.to_int)),
    "NUMBER_OPEN_FIREPLACES": ("open_chimneys_count", _lenient(v.to_int)),
    "FIXED_LIGHTING_OUTLETS_COUNT": ("fixed_lighting_outlets_count", _lenient(v.to_int)),
    "LOW_ENERGY_FIXED_LIGHT_COUNT": ("low_energy_fixed_lighting_outlets_count",
                                     _lenient(v.to_int)),
    "LOW_ENERGY_FIXED_LIGHTING_OUTLETS_COUNT": ("low_energy_fixed_lighting_outlets_count",
                                                _lenient(v.to_int)),
    "LOW_ENERGY_LIGHTING": ("low_energy_lighting_percent", _rating_percent),
    "MULTI_GLAZE_PROPORTION": ("multiple_glazed_proportion", _rating_percent),
    "GLAZED_TYPE": ("multiple_glazing_type", _label(_GLAZING_TYPES)),
    "GLAZED_AREA": ("glazed_area", _label(_GLAZED_AREAS)),
    "FLAT_TOP_STOREY": ("top_storey", _lenient(v.to_bool)),
    "FLAT_STOREY_COUNT": ("flat_storey_count", _lenient(v.to_int)),
    "FLOOR_LEVEL": ("flat_location", _floor_level),
    "HEAT_LOSS_CORRIDOR": ("heat_loss_corridor", _label(_CORRIDORS)),
    "UNHEATED_CORRIDOR_LENGTH": ("unheated_corridor_length_m", _lenient(v.to_float)),
    "MAINS_GAS_FLAG": ("mains_gas", _flag_code),
    "ENERGY_TARIFF": ("meter_type", _label(_TARIFFS)),
    "MECHANICAL_VENTILATION": ("mechanical_ventilation", _label(_VENTILATION)),
    "PHOTO_SUPPLY": ("pv_percent_roof_area", _rating_percent),
    "WIND_TURBINE_COUNT": ("wind_turbines_count", _lenient(v.to_int)),
    "SOLAR_WATER_HEATING_FLAG": ("solar_water_heating", _lenient(v.to_bool)),
}
_SUMMARY_HEADERS = frozenset(h for entry in _SUMMARY_COLUMNS for h in entry[:3])


def _templates() -> dict[str, dict[str, Any]]:
    def blank(columns: tuple[Column, ...]) -> dict[str, Any]:
        return {c.name: ([] if c.kind == "list" else None) for c in columns}

    by_name = {c.name: c for c in COLUMNS}
    part = by_name["building_parts"]
    floor = next(c for c in part.fields if c.name == "floor_dimensions")
    # a CSV row describes the main dwelling (building part 1) and main heating system 1
    return {"building_parts": dict(blank(part.fields), building_part_number=1),
            "floor_dimensions": blank(floor.fields),
            "main_heating": dict(blank(by_name["main_heating"].fields), main_heating_number=1)}


_TEMPLATES = _templates()


def _header_key(name: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", name.strip().lstrip("\ufeff").upper()).strip("_")


def _cell(value: str | None) -> str | None:
    if value is None:
        return None
    text = value.strip()
    return None if text.lower() in _NULLS_KEEP_NONE else text


def _fuel_code(text: str) -> str | None:
    lower = " ".join(text.split()).lower().removesuffix(_BACKWARDS)
    return _FUEL_LABELS.get(lower)


def _year_band(text: str) -> str | None:
    """The England and Wales age band of a bare construction year (SAP certificates)."""
    year = text.strip()
    if not (year.isdigit() and len(year) == 4):
        return None
    return next((band for start, band in _AGE_BAND_STARTS if int(year) >= start), "A")


def summary_row(cells: dict[str, str | None], *, source: str | None = None,
                raw_document: str | None = None, validate: bool = True,
                describe: bool = True) -> dict[str, Any]:
    """One ``CERTIFICATE_SCHEMA`` row from one CSV row (``{HEADER: text}``, headers
    normalised to upper case with underscores). Raises :class:`CertificateReadError` when the
    row breaks a lodgement rule."""
    row = empty_row()
    used: set[str] = set()
    for header, (column, convert) in _DIRECT.items():
        text = cells.get(header)
        if text is None:
            continue
        if text.strip().lower() in _NULLS:
            used.add(header)
            continue
        try:
            value = convert(text)
        except v.ValueProblem as exc:  # a value outside its physical domain
            raise CertificateReadError(row.get("certificate_number"), column, str(exc),
                                       source=source) from None
        if value is not None and row.get(column) is None:
            row[column] = value
            used.add(header)
    ctx = Context(certificate_number=row["certificate_number"], schema_type=None,
                  data_source="csv_summary", source=source, raw_document=raw_document)
    for name in ("co2_emissions_current_kg_per_yr", "co2_emissions_potential_kg_per_yr"):
        if row[name] is not None:
            row[name] *= 1000.0  # tonnes in the CSV
    for rating, band in (("energy_rating_current", "energy_band_current"),
                         ("energy_rating_potential", "energy_band_potential"),
                         ("environmental_impact_current", "environmental_impact_band_current"),
                         ("environmental_impact_potential",
                          "environmental_impact_band_potential")):
        row[band] = v.band_for_rating(row[rating])
    for letter_header, band in (("CURRENT_ENERGY_RATING", "energy_band_current"),
                                ("POTENTIAL_ENERGY_RATING", "energy_band_potential")):
        letter = cells.get(letter_header)
        if letter is not None:
            used.add(letter_header)
            if row[band] is None and letter.strip().upper() in tuple("ABCDEFG"):
                row[band] = letter.strip().upper()
    level = " ".join((cells.get("FLOOR_LEVEL") or "").split()).lower()
    if level in ("mid floor", "top floor"):
        row["flat_level"] = "2" if level == "mid floor" else "3"
        used.add("FLOOR_LEVEL")
    text = cells.get("MECHANICAL_VENTILATION")
    if text and " ".join(text.split()).lower() in _OLD_VENTILATION_LABELS:
        ctx.schema_type = "RdSAP-Schema-20.0.0"  # an RdSAP 9.x label: map its code
    _read_building_and_heating(cells, row, ctx, used)
    _read_summary(cells, row, used)
    if describe:
        parsed = parse_descriptions(
            walls=row["walls_description"], roof=row["roofs_description"],
            floor=row["floors_description"], windows=row["windows_description"],
            main_heating=row["main_heating_description"],
            main_heating_controls=row["main_heating_controls_description"],
            hot_water=row["hot_water_description"], lighting=row["lighting_description"],
            secondary_heating=row["secondary_heating_description"])
        apply_parsed(row, parsed, ctx.inferred_fields, _TEMPLATES)
    _map_codes(row, ctx)
    extra = [(header, value) for header, value in cells.items()
             if header not in used and value is not None and value.strip()]
    row["csv_extra"] = extra or None
    row["data_source"] = "csv_summary"
    row["source"] = source
    row["raw_document"] = raw_document
    if validate:
        check_summary_rules(row, ctx)
    row["inferred_fields"] = ctx.inferred_fields or None
    row["code_mappings"] = ctx.code_mappings or None
    if ctx.failures:
        first = ctx.failures[0]
        raise CertificateReadError(ctx.certificate_number, first.field, first.message,
                                   source=source, failures=list(ctx.failures))
    return row


def _read_building_and_heating(cells: dict[str, str | None], row: dict[str, Any],
                               ctx: Context, used: set[str]) -> None:
    age = cells.get("CONSTRUCTION_AGE_BAND")
    if age and age.strip().lower() not in _NULLS:
        band = _age_band(age)
        inferred = band is None and (band := _year_band(age)) is not None
        if band is not None:
            row["building_parts"] = [dict(_TEMPLATES["building_parts"],
                                          construction_age_band=band)]
            used.add("CONSTRUCTION_AGE_BAND")
            if inferred:
                ctx.inferred_fields.append("building_parts[0].construction_age_band")
        country = _COUNTRIES.get(age.split(":", 1)[0].strip().lower()) if ":" in age else None
        if country is not None and row.get("country_code") is None:
            row["country_code"] = country  # the band's country ("England and Wales: ...")
            ctx.inferred_fields.append("country_code")
    fuel_text = cells.get("MAIN_FUEL")
    fuel = _fuel_code(fuel_text) if fuel_text else None
    control_text = cells.get("MAIN_HEATING_CONTROLS")
    control = _control(control_text) if control_text else None
    if fuel is not None or control is not None:
        row["main_heating"] = [dict(_TEMPLATES["main_heating"], main_fuel_type=fuel,
                                    main_heating_control=control)]
        if fuel is not None:
            used.add("MAIN_FUEL")
        if control is not None:
            used.add("MAIN_HEATING_CONTROLS")


def _read_summary(cells: dict[str, str | None], row: dict[str, Any], used: set[str]) -> None:
    summary = []
    for description_header, energy_header, env_header, element, column in _SUMMARY_COLUMNS:
        description = _cell(cells.get(description_header))
        energy = cells.get(energy_header)
        environment = cells.get(env_header)
        if description is None and not energy and not environment:
            continue
        used.update((description_header, energy_header, env_header))
        summary.append({"element": element, "description": description,
                        "energy_efficiency_rating": _RATINGS.get((energy or "").strip()
                                                                 .lower()),
                        "environmental_efficiency_rating": _RATINGS.get(
                            (environment or "").strip().lower())})
        row[column] = description
    row["property_summary"] = summary or None


def _map_codes(row: dict[str, Any], ctx: Context) -> None:
    """The legacy fuel codes (and the RdSAP 9.x ventilation code) in CSV texts, as for XML."""
    schema = ctx.schema_type or "RdSAP-Schema-21.0.1"
    for mapping in CODE_MAPPINGS:
        if schema not in mapping.schemas:
            continue
        for column in mapping.columns:
            if column.startswith("main_heating[*]."):
                targets = [(f"main_heating[{i}].main_fuel_type", item, "main_fuel_type")
                           for i, item in enumerate(row.get("main_heating") or ())]
            else:
                targets = [(column, row, column)]
            for path, container, key in targets:
                if container.get(key) == mapping.old:
                    container[key] = mapping.new
                    ctx.code_mappings.append({"field": path, "original": mapping.old,
                                              "mapped": mapping.new})


class _RawLines:
    """Iterates the lines of a text stream for ``csv.reader`` and keeps the lines of the
    current record, so each row's text can be stored verbatim."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.current: list[str] = []
        self.line = 0

    def __iter__(self) -> _RawLines:
        return self

    def __next__(self) -> str:
        line = next(self.stream)
        self.current.append(line)
        self.line += 1
        return line

    def take(self) -> str:
        text = "".join(self.current).rstrip("\r\n")
        self.current = []
        return text


def iter_summary_csv(source: str | os.PathLike[str] | IO[str], batch_size: int = 10_000, *,
                     errors: Errors = "collect", validate: bool = True,
                     describe: bool = True, keep_raw: bool = True
                     ) -> Iterator[tuple[pa.RecordBatch, list[ReadFailure]]]:
    """Stream a summary CSV as ``(batch, failures)`` pairs of at most ``batch_size`` rows.

    ``describe=False`` skips :func:`parse_descriptions`; other options as for
    :func:`~ara.rdsap.readers.bulk.read_certificates`.
    """
    if isinstance(source, str | os.PathLike):
        with Path(source).open(newline="", encoding="utf-8-sig", errors="replace") as stream:
            yield from _iter_rows(stream, str(source), batch_size, errors, validate, describe,
                                  keep_raw)
    else:
        yield from _iter_rows(source, getattr(source, "name", "<stream>"), batch_size, errors,
                              validate, describe, keep_raw)


def _iter_rows(stream: IO[str], name: str, batch_size: int, errors: Errors, validate: bool,
               describe: bool, keep_raw: bool
               ) -> Iterator[tuple[pa.RecordBatch, list[ReadFailure]]]:
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    lines = _RawLines(stream)
    reader = csv.reader(lines)
    try:
        header = [_header_key(h) for h in next(reader)]
    except StopIteration:
        return
    lines.take()
    rows: list[dict[str, Any]] = []
    failures: list[ReadFailure] = []
    for record in reader:
        first_line = lines.line - len(lines.current) + 1
        raw = lines.take()
        if not any(cell.strip() for cell in record):
            continue
        cells: dict[str, str | None] = {}
        for key, value in zip(header, record, strict=False):
            if cells.get(key) is None or not (cells[key] or "").strip():
                cells[key] = value
        where = f"{name}:{first_line}"
        try:
            rows.append(summary_row(cells, source=where, raw_document=raw if keep_raw else None,
                                    validate=validate, describe=describe))
        except CertificateReadError as exc:
            if errors == "raise":
                raise
            failures += exc.failures
        if len(rows) >= batch_size:
            yield rows_to_batch(rows), failures
            rows, failures = [], []
    if rows or failures:
        yield rows_to_batch(rows), failures


def read_summary_csv(source: str | os.PathLike[str] | IO[str], **options: Any
                     ) -> tuple[pa.Table, list[ReadFailure]]:
    """Read a domestic summary CSV (new register service or legacy open data) into one table
    of ``CERTIFICATE_SCHEMA`` and the list of refused rows (see the module docstring)."""
    batches: list[pa.RecordBatch] = []
    failures: list[ReadFailure] = []
    for batch, found in iter_summary_csv(source, **options):
        batches.append(batch)
        failures += found
    return pa.Table.from_batches(batches, schema=CERTIFICATE_SCHEMA), failures
