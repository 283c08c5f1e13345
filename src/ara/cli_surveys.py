"""``ara surveys import FILE|DIR [--db DB] [--portfolio ID] [--dry-run]``: a landlord's own
surveys (Site Notes), read from RdSAP XML documents or a CSV template into the database.

FILE is an RdSAP XML document (``.xml``: an ``RdSAP-Report`` of the assessment schema,
RdSAP-Schema-21.x / 20.x and the others the readers take) or a CSV of surveys (``.csv``, one
survey per row); DIR imports every ``.xml`` and ``.csv`` directly in it (by name; other files
and sub-folders are left alone). Both are read by the RdSAP readers the register's
certificates go through (:func:`ara.rdsap.readers.documents.read_rdsap_xml`, and for the CSV
:func:`ara.rdsap.readers.csv_summary.summary_row`: the open-data CSV's column names), and the
survey's data is stored as ingestion stores a certificate's (``docs/surveys.md``).

Which home: an XML survey names its home by its UPRN (``Report-Header/Property/UPRN``); one
without a UPRN by its file name, read as the landlord reference (``REF-00007.xml``). A CSV row
by its ``uprn`` and/or ``landlord_reference`` columns, as ``ara overrides import`` matches. The
survey's date is the document's ``Inspection-Date`` (CSV: ``survey_date``), its id the
document's ``RRN`` (a document without one, or with the all-zero placeholder: the file name
without ``.xml``; CSV: ``survey_id``), its surveyor the document's ``Energy-Assessor/Name``
(CSV: ``surveyor``).

A survey with gaps (:func:`ara.domain.epc.survey_defects`: a required field missing) is refused
with each gap named (the field, and the XML element or CSV column that gives it), and stored
nothing: a defective survey is never patched from the EPC. So are an unreadable file or row,
a survey whose home is not in the database, and a survey given twice in one import.

Importing stores each accepted survey in ``site_notes`` with its document (``raw_document``,
``raw_format`` ``xml`` or ``csv``); the same home and survey id again replaces the stored
survey, never duplicates it; the home's other surveys stay (the latest by survey date is the
one used). A home whose survey was added or changed is stamped (``survey_changes``) in the
same transaction: the next ``ara run`` records ``survey_changed`` for it. A failed import
stores nothing. ``--dry-run`` prints what would be stored per home and which source path the
home would then use (the survey, or the lodged EPC, by the recency tie-break of
:func:`ara.domain.source_path.resolve_source`), and writes nothing.

Exit status: 0 every survey imported; 1 some refused (listed), the others imported (a dry run
exits as the import would); 2 FILE cannot be read as surveys (not ``.xml`` or ``.csv``,
unreadable, a CSV without its key or survey columns), DIR holds no ``.xml`` or ``.csv``, an
unknown portfolio, or no database at ``--db``; 78 a database that cannot be reached, is at
another schema revision, or failed while writing (nothing stored); 70 an unexpected failure.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
import sys
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ara.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_REJECTED,
    CliError,
    extra_message,
)
from ara.cli_overrides import import_failed, parse_uprn

# ara.domain and the readers are imported where they are used: building the parser stays light

FORMATS = (".xml", ".csv")
#: CSV header (normalised as :func:`header_key` does) -> the survey's own column.
KEY_HEADERS = {"UPRN": "uprn", "LANDLORD_REFERENCE": "landlord_reference",
               "REFERENCE": "landlord_reference", "LANDLORD_REF": "landlord_reference"}
SURVEY_HEADERS = {"SURVEY_ID": "survey_id", "SURVEY_DATE": "survey_date",
                  "SURVEYOR": "surveyor"}
#: An RRN that names no document: the register's sample placeholder.
PLACEHOLDER_RRN = re.compile(r"^[0-]+$")
#: Where each required field of a survey comes from: (XML element, CSV column(s)).
GAP_SOURCES: dict[str, tuple[str, str]] = {
    "property_type": ("Property-Type", "PROPERTY_TYPE"),
    "built_form": ("Built-Form", "BUILT_FORM"),
    "habitable_room_count": ("Habitable-Room-Count", "NUMBER_HABITABLE_ROOMS"),
    "heated_room_count": ("Heated-Room-Count", "NUMBER_HEATED_ROOMS"),
    "building_parts": ("SAP-Building-Parts", "CONSTRUCTION_AGE_BAND and WALLS_DESCRIPTION"),
    "main_heating": ("SAP-Heating/Main-Heating-Details",
                     "MAINHEAT_DESCRIPTION and MAIN_FUEL"),
    "water_heating_code": ("SAP-Heating/Water-Heating-Code", "HOTWATER_DESCRIPTION"),
    "construction_age_band": ("Construction-Age-Band", "CONSTRUCTION_AGE_BAND"),
    "wall_construction": ("Wall-Construction", "WALLS_DESCRIPTION"),
    "wall_insulation_type": ("Wall-Insulation-Type", "WALLS_DESCRIPTION"),
    "floor_dimensions": ("SAP-Floor-Dimensions", "TOTAL_FLOOR_AREA and FLOOR_HEIGHT"),
    "total_floor_area_m2": ("Total-Floor-Area", "TOTAL_FLOOR_AREA"),
    "room_height_m": ("Room-Height", "FLOOR_HEIGHT"),
    "main_fuel_type": ("Main-Fuel-Type", "MAIN_FUEL or MAINHEAT_DESCRIPTION"),
    "main_heating_category": ("Main-Heating-Category", "MAINHEAT_DESCRIPTION"),
}


def header_key(name: str) -> str:
    """A CSV header as the summary CSV reader reads it: upper case, runs of anything but
    letters and digits as one ``_`` (``Survey Date`` -> ``SURVEY_DATE``)."""
    return re.sub(r"[^A-Z0-9]+", "_", name.strip().lstrip("\ufeff").upper()).strip("_")


# ---- reading the files ---------------------------------------------------------------------

@dataclass
class Survey:
    """One survey read from a file (or why it could not be)."""

    file: str
    """The file's name."""
    where: str
    """``<file>`` (an XML document) or ``<file>:<row>`` (a CSV row; the header is row 1)."""
    kind: str
    """``xml`` or ``csv``"""
    uprn: int | None = None
    reference: str | None = None
    key_problem: str = ""
    survey_id: str = ""
    survey_date: dt.date | None = None
    surveyor: str | None = None
    row: dict[str, Any] | None = None
    """The reader's CERTIFICATE_SCHEMA row (None: unreadable)."""
    raw: bytes = b""
    problem: str = ""
    """Why the survey cannot be read (an unreadable file or row)."""
    data_json: str = ""
    gaps: list[str] = field(default_factory=list)

    def who(self) -> str:
        parts = ([f"UPRN {self.uprn}"] if self.uprn is not None else []) \
            + ([f"reference {self.reference}"] if self.reference else [])
        return ", ".join(parts) or "no key"


def survey_files(path: Path) -> list[Path]:
    """FILE, or every .xml and .csv directly in DIR (by name); refused (exit 2) otherwise."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in FORMATS)
        if not files:
            raise CliError(f"{path}: no .xml or .csv file in the folder")
        return files
    if path.suffix.lower() not in FORMATS:
        raise CliError(f"{path}: unsupported format {path.suffix or '(no suffix)'!r}; use "
                       f"{' or '.join(FORMATS)} (or a folder of them)")
    if not path.is_file():
        raise CliError(f"{path}: no such file or folder")
    return [path]


def _surveyor(data: bytes) -> str | None:
    """``Energy-Assessor/Name`` of an RdSAP XML document, if it states one."""
    from ara.rdsap.readers.xml_document import local_name, parse_xml

    root = parse_xml(data)
    for element in root.iter():
        if isinstance(element.tag, str) and local_name(element.tag) == "Energy-Assessor":
            for child in element:
                if isinstance(child.tag, str) and local_name(child.tag) == "Name" \
                        and (child.text or "").strip():
                    return (child.text or "").strip()
    return None


def read_xml(path: Path) -> Survey:
    """One RdSAP XML survey, read by the RdSAP readers (the register's lodgement rules)."""
    from ara.rdsap.readers.documents import read_rdsap_xml
    from ara.rdsap.readers.errors import CertificateReadError

    survey = Survey(path.name, path.name, "xml")
    try:
        row = read_rdsap_xml(path)  # the readers' size limit and lodgement rules
        raw = path.read_bytes()
        surveyor = _surveyor(raw)
    except CertificateReadError as exc:
        survey.problem = _read_error(exc)
        return survey
    except OSError as exc:
        survey.problem = f"cannot read: {exc.strerror or exc}"
        return survey
    survey.raw, survey.row, survey.surveyor = raw, row, surveyor
    survey.uprn = row.get("uprn")
    if survey.uprn is None:
        survey.reference = path.stem  # no UPRN: the file is named by the landlord reference
    rrn = row.get("certificate_number")
    survey.survey_id = rrn if rrn and not PLACEHOLDER_RRN.match(rrn) else path.stem
    survey.survey_date = row.get("inspection_date")
    if survey.survey_date is None:
        survey.problem = "no Inspection-Date: the survey's date is needed"
    return survey


def _read_error(exc: Any) -> str:
    """A reader's refusal: every problem, each with its field."""
    problems = [f"{f.field}: {f.message}" for f in exc.failures] or [str(exc)]
    return "; ".join(problems[:5]) + (f" (and {len(problems) - 5} more)"
                                      if len(problems) > 5 else "")


def _csv_records(path: Path) -> list[list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            return list(csv.reader(fh))
    except UnicodeDecodeError as exc:
        raise CliError(f"{path.name}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at "
                       f"offset {exc.start}); save the file as UTF-8 CSV") from None
    except csv.Error as exc:
        raise CliError(f"{path.name}: not a readable CSV file: {exc}") from None
    except OSError as exc:
        raise CliError(f"{path.name}: cannot read: {exc.strerror or exc}") from None


def _raw_row(header: Sequence[str], record: Sequence[str]) -> bytes:
    """The header and one row as CSV text: a survey's document, readable on its own."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerow(record)
    return out.getvalue().encode("utf-8")


def read_csv(path: Path) -> list[Survey]:
    """The surveys of a CSV template, one per row; a file that cannot hold any is refused
    (:class:`CliError`)."""
    from ara.rdsap.readers import values as v
    from ara.rdsap.readers.csv_summary import summary_row
    from ara.rdsap.readers.errors import CertificateReadError

    records = _csv_records(path)
    if not records or not any(c.strip() for c in records[0]):
        raise CliError(f"{path.name}: empty file (a header row is needed: uprn or "
                       "landlord_reference, survey_id, survey_date and the RdSAP columns)")
    header = [header_key(h) for h in records[0]]
    named = [h for h in header if h]
    doubled = sorted({h for h in named if named.count(h) > 1})
    if doubled:
        raise CliError(f"{path.name}: column(s) {', '.join(doubled)} given twice")
    if not any(h in KEY_HEADERS for h in header):
        raise CliError(f"{path.name}: no key column: the header needs uprn or "
                       "landlord_reference (or both)")
    missing = [h.lower() for h in ("SURVEY_ID", "SURVEY_DATE") if h not in header]
    if missing:
        raise CliError(f"{path.name}: no {' and no '.join(missing)} column: a survey needs "
                       "its id and date")
    out: list[Survey] = []
    for number, record in enumerate(records[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        cells = {h: (record[i].strip() if i < len(record) else "")
                 for i, h in enumerate(header) if h}
        survey = Survey(path.name, f"{path.name}:{number}", "csv")
        out.append(survey)
        survey.uprn, survey.key_problem = parse_uprn(cells.get("UPRN", ""))
        survey.reference = next((cells[h] for h in KEY_HEADERS
                                 if h != "UPRN" and cells.get(h)), None)
        if not survey.key_problem and survey.uprn is None and survey.reference is None:
            survey.key_problem = "no uprn and no landlord_reference"
        survey.survey_id = cells["SURVEY_ID"]
        survey.surveyor = cells.get("SURVEYOR") or None
        try:
            survey.survey_date = v.to_date(cells["SURVEY_DATE"])
        except v.ValueProblem as exc:
            survey.problem = f"survey_date: {exc}"
            continue
        if not survey.survey_id:
            survey.problem = "survey_id: empty (a survey needs an id)"
            continue
        if survey.survey_date is None:
            survey.problem = "survey_date: empty (the survey's date is needed)"
            continue
        # the RdSAP columns (and the UPRN) go to the summary reader, the survey's own do not
        rdsap = {h: text for h, text in cells.items()
                 if h == "UPRN" or (h not in KEY_HEADERS and h not in SURVEY_HEADERS)}
        rdsap["INSPECTION_DATE"] = survey.survey_date.isoformat()
        survey.raw = _raw_row(records[0], record)
        try:
            row = summary_row({h: t or None for h, t in rdsap.items()},
                              source=survey.where, raw_document=survey.raw.decode("utf-8"))
        except CertificateReadError as exc:
            survey.problem = _read_error(exc)
            continue
        _floor_from_summary(row, cells)
        survey.row = row
    return out


def _floor_from_summary(row: dict[str, Any], cells: Mapping[str, str]) -> None:
    """The dwelling's floor area and room height a CSV survey states (``TOTAL_FLOOR_AREA``,
    ``FLOOR_HEIGHT``) on the main part's first floor, where the survey's required fields are
    (the Baseline's summary inference then splits the dwelling into storeys, as for any
    summary row)."""
    parts = row.get("building_parts") or []
    if not parts:
        return
    try:
        height: float | None = float(cells.get("FLOOR_HEIGHT") or "")
    except ValueError:
        height = None
    floors = parts[0].get("floor_dimensions") or [{"floor": "0"}]
    floors[0] = {**floors[0], "total_floor_area_m2": row.get("total_floor_area_m2"),
                 "room_height_m": height}
    parts[0]["floor_dimensions"] = floors


def read_surveys(files: Sequence[Path], *, single: bool) -> list[Survey]:
    """Every survey of ``files``. A FILE (``single``) that cannot be read as surveys is
    refused (exit 2); a file of a folder that cannot is listed as unreadable."""
    out: list[Survey] = []
    for path in files:
        if path.suffix.lower() == ".xml":
            survey = read_xml(path)
            if single and survey.row is None and survey.problem:
                raise CliError(f"{path}: not readable as an RdSAP survey: {survey.problem}")
            out.append(survey)
            continue
        try:
            out += read_csv(path)
        except CliError as exc:
            if single:
                raise
            out.append(Survey(path.name, path.name, "csv", problem=str(exc).split(": ", 1)[-1]))
    _complete(out)
    return out


def _complete(surveys: Sequence[Survey]) -> None:
    """Each read survey's stored data (as ingestion stores a certificate's) and its gaps."""
    import pyarrow as pa

    from ara.domain.epc import EpcData, survey_defects
    from ara.orchestration.ingestion import certificate_rows
    from ara.rdsap.readers.bulk import rows_to_batch

    def data_json(read: Sequence[Survey]) -> list[str]:
        batch = pa.Table.from_batches([rows_to_batch([s.row for s in read if s.row])])
        batch = batch.append_column("property_id", pa.array([s.where for s in read]))
        return certificate_rows(batch, dt.datetime(2000, 1, 1)).column("data_json").to_pylist()

    read = [s for s in surveys if s.row is not None and not s.problem]
    if not read:
        return
    try:
        texts = data_json(read)
    except (pa.ArrowException, ValueError, TypeError):  # one survey's values: find which
        texts = []
        for survey in read:
            try:
                texts += data_json([survey])
            except (pa.ArrowException, ValueError, TypeError) as exc:
                survey.problem = f"cannot be stored: {type(exc).__name__}: {exc}"[:300]
                texts.append("")
    for survey, text in zip(read, texts, strict=True):
        if survey.problem:
            continue
        survey.data_json = text
        survey.gaps = [gap_name(str(d.field_path), d.problem, survey.kind)
                       for d in survey_defects(EpcData.from_json(text))]


def gap_name(path: str, problem: str, kind: str) -> str:
    """``building_parts[0].wall_construction (XML Wall-Construction): missing``."""
    leaf = re.sub(r"\[\d+\]", "", path.rsplit(".", 1)[-1])
    source = GAP_SOURCES.get(leaf)
    given = "" if source is None else (f" (XML {source[0]})" if kind == "xml"
                                       else f" (CSV {source[1]})")
    return f"{path}{given}: {problem}"


# ---- matching and deciding -----------------------------------------------------------------

@dataclass
class Outcome:
    survey: Survey
    reading: str
    """accepted | gaps | unreadable | unmatched | twice"""
    reason: str = ""
    home: Any = None
    change: str = ""
    """accepted: ``new``, ``changed`` or ``unchanged`` against the stored survey."""

    @property
    def refused(self) -> bool:
        return self.reading != "accepted"


@dataclass
class HomeResult:
    home: Any
    outcomes: list[Outcome] = field(default_factory=list)
    source: str = ""
    """The source path the home uses after the import, and why."""

    @property
    def changed(self) -> bool:
        return any(o.change in ("new", "changed") for o in self.outcomes)


def match(surveys: Sequence[Survey], homes: Sequence[Any], portfolio: str | None
          ) -> list[Outcome]:
    """Each survey's home (by ``ara overrides import``'s rules) and its reading."""
    from ara.cli_overrides import Statement, match_homes

    statements = [Statement(0, s.uprn, s.reference, "", "", s.key_problem) for s in surveys]
    found = match_homes(statements, homes, portfolio)
    out: list[Outcome] = []
    for i, survey in enumerate(surveys):
        home = found[i]
        if survey.problem:
            out.append(Outcome(survey, "unreadable", survey.problem,
                               None if isinstance(home, str) else home))
        elif isinstance(home, str):
            out.append(Outcome(survey, "unmatched", home))
        elif survey.gaps:
            out.append(Outcome(survey, "gaps", f"{len(survey.gaps)} gap(s): "
                               + "; ".join(survey.gaps), home))
        else:
            out.append(Outcome(survey, "accepted", home=home))
    seen: dict[tuple[str, str], list[Outcome]] = defaultdict(list)
    for o in out:
        if o.reading == "accepted":
            seen[(o.home.property_id, o.survey.survey_id)].append(o)
    for (pid, sid), given in seen.items():
        if len(given) > 1:
            text = ", ".join(o.survey.where for o in given)
            for o in given:
                o.reading, o.reason = "twice", (f"survey {sid} of home {pid} is given "
                                                f"{len(given)} times ({text}); give it once")
    return out


def site_notes_row(o: Outcome) -> dict[str, Any]:
    s = o.survey
    return {"property_id": o.home.property_id, "survey_id": s.survey_id,
            "survey_date": s.survey_date, "surveyor": s.surveyor, "data_json": s.data_json,
            "raw_format": s.kind, "raw_document": s.raw}


#: The columns that make a stored survey the same survey (the document may be re-exported).
_SAME = ("survey_date", "surveyor", "data_json", "raw_format")


def decide(outcomes: Sequence[Outcome], stored: Mapping[tuple[str, str], dict[str, Any]],
           props: Mapping[str, Any]) -> list[HomeResult]:
    """Per home named by an accepted or refused survey: its outcomes, whether each accepted
    survey is new, changed or unchanged, and the source path it uses afterwards."""
    from ara.domain.epc import EpcData, SiteNotes
    from ara.domain.source_path import resolve_source

    homes: dict[str, HomeResult] = {}
    for o in outcomes:
        if o.home is not None:
            homes.setdefault(o.home.property_id, HomeResult(o.home)).outcomes.append(o)
    for pid, home in homes.items():
        notes: dict[str, tuple[dt.date, str, str]] = {
            sid: (row["survey_date"], sid, row["data_json"])
            for (p, sid), row in stored.items() if p == pid}
        for o in home.outcomes:
            if o.reading != "accepted":
                continue
            before = stored.get((pid, o.survey.survey_id))
            new = site_notes_row(o)
            o.change = ("new" if before is None else "unchanged"
                        if all(before[k] == new[k] for k in _SAME) else "changed")
            assert o.survey.survey_date is not None
            notes[o.survey.survey_id] = (o.survey.survey_date, o.survey.survey_id,
                                         o.survey.data_json)
        prop = props.get(pid)
        if prop is None or not notes:
            home.source = "unchanged (no survey stored)" if prop is not None else ""
            continue
        date, sid, data = max(notes.values())
        decision = resolve_source(site_notes=SiteNotes(sid, date, EpcData.from_json(data)),
                                  lodged_epc=prop.lodged_epc,
                                  overrides=prop.landlord_overrides,
                                  predicted_epc=prop.predicted_epc)
        path = decision.source_path.value if decision.source_path else "none"
        label = {"survey": "the survey", "epc_with_overlay": "the lodged EPC"}.get(path, path)
        home.source = f"{label} ({path}): {decision.reasons[0]}"
    return list(homes.values())


# ---- the report ----------------------------------------------------------------------------

def render(homes: Sequence[HomeResult], outcomes: Sequence[Outcome], *, dry_run: bool) -> str:
    lines: list[str] = []
    for home in homes:
        accepted = [o for o in home.outcomes if o.reading == "accepted"]
        if not accepted:
            continue
        lines.append(f"home {home.home.describe()}")
        for o in accepted:
            s = o.survey
            verb = {"new": "would add" if dry_run else "added",
                    "changed": "would replace" if dry_run else "replaced",
                    "unchanged": "unchanged (the same survey is stored)"}[o.change]
            lines.append(f"  survey {s.survey_id} of {s.survey_date} by {s.surveyor or '-'} "
                         f"({s.where}, {s.kind}): {verb}")
        lines.append(f"  {'would use' if dry_run else 'uses'} {home.source}")
    review = [o for o in outcomes if o.refused]
    if review:
        lines.append(f"surveys refused ({len(review)}; nothing stored for them):")
        lines += [f"  {o.survey.where} ({o.survey.who()}): {o.reading}: {o.reason}"
                  for o in review]
    return "\n".join(lines)


def _summary(target: Path, files: int, outcomes: Sequence[Outcome],
             homes: Sequence[HomeResult], dry_run: bool) -> str:
    counts = {k: sum(o.reading == k for o in outcomes)
              for k in ("accepted", "gaps", "unmatched", "unreadable", "twice")}
    read = ", ".join(f"{n} {k}" for k, n in counts.items() if n or k == "accepted")
    changed = sum(h.changed for h in homes)
    stored = sum(o.reading == "accepted" for o in outcomes)
    tail = "dry run: nothing written" if dry_run else f"{stored} survey(s) stored"
    return (f"ara surveys import: {target.name}: {files} file(s), {len(outcomes)} survey(s): "
            f"{read}; {sum(1 for h in homes if any(not o.refused for o in h.outcomes))} "
            f"home(s), {changed} {'would change' if dry_run else 'changed'}; {tail}")


# ---- the command ---------------------------------------------------------------------------

def cmd_import(args: argparse.Namespace) -> int:
    if message := extra_message(("sqlalchemy", "alembic")):
        raise CliError(message, EXIT_CONFIG)
    import sqlalchemy as sa

    from ara import read_models as rm
    from ara.cli_results import checked, open_database
    from ara.persistence import UnitOfWorkFactory
    from ara.persistence import tables as t
    from ara.persistence.mapping import load_properties, to_arrow

    target = Path(args.target)
    files = survey_files(target)
    # unreadable input is refused before the database is opened
    surveys = read_surveys(files, single=not target.is_dir())
    engine = open_database(args.db, "surveys import")
    if engine is None:
        return EXIT_BAD_INPUT
    factory = UnitOfWorkFactory(engine)
    changed: list[str] = []
    try:
        with factory(read_only=args.dry_run) as uow:
            conn = uow.connection
            if args.portfolio is not None:
                checked(lambda: rm.resolve_portfolio(conn, args.portfolio))
            found = rm.properties_by_keys(
                conn, [s.uprn for s in surveys if s.uprn is not None],
                [s.reference for s in surveys if s.uprn is None and s.reference],
                args.portfolio)
            outcomes = match(surveys, found, args.portfolio)
            ids = sorted({o.home.property_id for o in outcomes if o.home is not None})
            accepted = [o for o in outcomes if o.reading == "accepted"]
            if not args.dry_run:
                for portfolio in sorted({o.home.portfolio_id for o in accepted}):
                    uow.lock_portfolio(portfolio)
            columns = ["property_id", "survey_id", *(_SAME)]
            stored = {(r["property_id"], r["survey_id"]): r
                      for r in uow.site_notes.read(ids, columns).to_pylist()}
            props = {p.property_id: p for p in load_properties(uow, ids, with_results=False)}
            homes = decide(outcomes, stored, props)
            if not args.dry_run and accepted:
                # the surveys and the homes' change stamps in one transaction
                changed = sorted(h.home.property_id for h in homes if h.changed)
                uow.site_notes.store(to_arrow(t.site_notes,
                                              [site_notes_row(o) for o in accepted]),
                                     changed, dt.datetime.now(dt.UTC).replace(tzinfo=None))
    except sa.exc.SQLAlchemyError as exc:
        raise import_failed(exc) from None
    report = render(homes, outcomes, dry_run=args.dry_run)
    if report:
        print(report)
    if changed:
        print(f"{len(changed)} home(s) whose surveys were added or changed: the next 'ara run' "
              "of the portfolio re-baselines them (from the survey where it wins the recency "
              "tie-break) and records why (survey_changed)")
    print(_summary(target, len(files), outcomes, homes, args.dry_run), file=sys.stderr)
    return EXIT_REJECTED if any(o.refused for o in outcomes) else EXIT_OK


def add_parser(sub: Any) -> None:
    top = sub.add_parser(
        "surveys", help="import a landlord's own surveys (Site Notes)",
        description="Site Notes: a landlord's own RdSAP surveys, used instead of the lodged "
                    "EPC by the next ara run where they are at least as recent.")
    commands = top.add_subparsers(dest="surveys_command", required=True, metavar="COMMAND")
    imp = commands.add_parser(
        "import", help="read RdSAP XML surveys or a CSV of surveys into the database",
        description="Read FILE (an RdSAP XML document, or a CSV of surveys: uprn and/or "
                    "landlord_reference, survey_id, survey_date, surveyor and the open-data "
                    "CSV's RdSAP columns; docs/surveys.md) or every .xml and .csv in DIR, "
                    "match each survey to a home of the database and store it, replacing a "
                    "stored survey of the same home and id. Surveys with gaps (each gap "
                    "named), unreadable ones and unmatched ones are listed and stored "
                    "nothing. Exit 0 when every survey was imported, 1 when some were "
                    "refused, 2 on input that cannot be read.")
    imp.add_argument("target", metavar="FILE|DIR", help="FILE.xml, FILE.csv or a folder")
    imp.add_argument("--db", default="ara.db",
                     help="SQLite file or postgresql+psycopg:// URL (default ara.db)")
    imp.add_argument("--portfolio", metavar="ID",
                     help="match homes in this portfolio only (a UPRN or reference can be in "
                          "several)")
    imp.add_argument("--dry-run", action="store_true",
                     help="print what would be stored per home and which source (survey or "
                          "lodged EPC) it would then use; write nothing")
    imp.set_defaults(func=cmd_import, command="surveys import")
