"""``ara overrides import FILE [--db DB] [--portfolio ID] [--dry-run]``: a landlord's
corrections of its homes (Landlord Overrides), read from its own file into the database.

FILE is CSV or Excel (.xlsx, its first worksheet), with a header row. The **long** layout holds
one statement per row: ``uprn`` and/or ``landlord_reference`` (who), ``attribute`` (what) and
``value`` (the landlord's own words, or an RdSAP code). The **wide** layout of earlier versions
(a column per attribute, e.g. ``wall_insulation``, ``built_form``) is read as one statement
per filled cell. Each statement is classified by the vocabulary of
:mod:`ara.domain.overrides` (``docs/overrides.md``): only *classified* rows change anything;
*vague* ones ("insulated", "unknown", "(assumed)", "not sure"), *unknown* ones (outside the
vocabulary, or an attribute the overrides do not cover), *conflicting* ones (two rows giving one
home's attribute different codes) and *unmatched* ones (no home of the database has that UPRN or
reference; a UPRN of several portfolios without ``--portfolio``; a reference that contradicts
the UPRN) are listed for review with the reason.

Importing replaces every previous statement of the homes named in the file (delete, then
insert, in one transaction: a failed import stores nothing), except that an attribute the file
only states vaguely keeps what was stored. Each stored override keeps the landlord's words
(``raw_value``) and where they came from (``source`` = ``<file name>:<row>``); a home whose
overrides changed (a code added, removed or changed) is stamped
(``landlord_override_changes``) in the same transaction.
``--dry-run`` prints the same report and writes nothing. Every ``ara run`` re-baselines every
home of its portfolio from the stored overrides, so the next run applies them, and records
``landlord_overrides_changed`` for the stamped homes (``baseline_performance.changed_inputs``).

Exit status: 0 every row imported; 1 some rows refused (listed), the others imported (a dry
run exits as the import would); 2 a file that cannot be read as overrides (no key column, no
attribute and value, not CSV or XLSX), an unknown portfolio, or no database at ``--db``; 78 a
database that cannot be reached, is at another schema revision, or failed while writing
(nothing stored); 70 an unexpected failure.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ara.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_CONFIG,
    EXIT_OK,
    EXIT_REJECTED,
    CliError,
    extra_message,
)

if TYPE_CHECKING:
    from ara.domain.overrides import Classification

# ara.domain is imported where it is used: building the parser stays light for ``ara calc``

FORMATS = (".csv", ".xlsx")
#: Header names (as :func:`attribute_key` reads them) of the key columns.
KEY_HEADERS = {"uprn": "uprn", "landlord_reference": "landlord_reference",
               "reference": "landlord_reference", "landlord_ref": "landlord_reference"}
ATTRIBUTE_HEADERS = ("attribute", "field")
VALUE_HEADERS = ("value", "description")
#: Columns of a wide file that say who the home is, not what it is: never statements.
IDENTITY_HEADERS = frozenset({"address", "address_line_1", "address_line_2", "address_line_3",
                              "post_town", "postcode", "notes", "note", "comment", "comments",
                              "property_id"})
#: Row readings that change nothing (listed for review).
REFUSED = ("vague", "unknown", "conflict", "unmatched")
MAX_UPRN = 2**63


# ---- reading the file ----------------------------------------------------------------------

@dataclass(frozen=True)
class Statement:
    """One statement of the file: its row (the header is row 1), who and what."""

    row: int
    uprn: int | None
    reference: str | None
    attribute: str
    value: str
    key_problem: str = ""
    """Why the row names no home (a UPRN that is not a number, no key at all)."""

    def who(self) -> str:
        parts = ([f"UPRN {self.uprn}"] if self.uprn is not None else []) \
            + ([f"reference {self.reference}"] if self.reference else [])
        return ", ".join(parts) or "no key"


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as text: whole numbers without '.0', dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(path: Path) -> Iterator[list[str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            for record in csv.reader(fh):
                yield [cell.strip() for cell in record]
    except UnicodeDecodeError as exc:
        raise CliError(f"{path}: not UTF-8 text (byte {exc.object[exc.start]:#04x} at offset "
                       f"{exc.start}); save the file as UTF-8 CSV") from None
    except csv.Error as exc:
        raise CliError(f"{path}: not a readable CSV file: {exc}") from None


def _xlsx_rows(path: Path) -> Iterator[list[str]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise CliError(f"{path}: not a readable .xlsx workbook ({type(exc).__name__}: "
                       f"{exc})") from None
    try:
        sheet = book.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield [_cell_text(v) for v in values]
    finally:
        book.close()


def read_rows(path: Path) -> list[list[str]]:
    """Every row of FILE (header first) as text cells."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise CliError(f"{path}: unsupported format {suffix or '(no suffix)'!r}; use "
                       f"{' or '.join(FORMATS)}")
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    if suffix == ".xlsx":
        if message := extra_message(("openpyxl",)):
            raise CliError(f"{path}: .xlsx {message.removeprefix('needs ')}", EXIT_CONFIG)
        return list(_xlsx_rows(path))
    try:
        return list(_csv_rows(path))
    except OSError as exc:
        raise CliError(f"{path}: cannot read: {exc.strerror or exc}") from None


def import_failed(exc: Exception) -> CliError:
    """The one line of an import (overrides, surveys) whose transaction failed: exit 78 when
    the database could not be reached or broke the connection, 70 otherwise."""
    import sqlalchemy as sa

    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    code = EXIT_CONFIG if isinstance(exc, sa.exc.OperationalError | sa.exc.InterfaceError) \
        else 70
    return CliError(f"the import failed and stored nothing: {type(exc).__name__}: {reason}",
                    code)


def parse_uprn(text: str) -> tuple[int | None, str]:
    """A UPRN cell: (the number, '') or (None, why not); an empty cell is (None, '')."""
    if not text:
        return None, ""
    try:
        number = int(text)
    except ValueError:
        try:
            as_float = float(text)
        except ValueError:
            return None, f"uprn {text!r} is not a number"
        if not as_float.is_integer():
            return None, f"uprn {text!r} is not a whole number"
        number = int(as_float)
    if not 0 < number < MAX_UPRN:
        return None, f"uprn {text!r} is not a UPRN (a positive whole number)"
    return number, ""


@dataclass
class OverridesFile:
    layout: str
    """``long`` (attribute and value columns) or ``wide`` (a column per attribute)."""
    statements: list[Statement]


def parse_rows(rows: Sequence[Sequence[str]], path: Path) -> OverridesFile:
    """The statements of a file's rows; a file that cannot hold any is refused (exit 2)."""
    from ara.domain.overrides import attribute_key

    if not rows or not any(rows[0]):
        raise CliError(f"{path}: empty file (a header row is needed: uprn or "
                       "landlord_reference, attribute, value)")
    header = [attribute_key(h) for h in rows[0]]
    named = [h for h in header if h]
    doubled = sorted({h for h in named if named.count(h) > 1})
    if doubled:
        raise CliError(f"{path}: column(s) {', '.join(doubled)} given twice")
    keys = {KEY_HEADERS[h]: i for i, h in enumerate(header) if h in KEY_HEADERS}
    if not keys:
        raise CliError(f"{path}: no key column: the header needs uprn or landlord_reference "
                       "(or both)")
    attribute = next((header.index(h) for h in ATTRIBUTE_HEADERS if h in header), None)
    value = next((header.index(h) for h in VALUE_HEADERS if h in header), None)
    if (attribute is None) != (value is None):
        have, need = ("attribute", "value") if value is None else ("value", "attribute")
        raise CliError(f"{path}: a '{have}' column without a '{need}' column")
    wide = [i for i, h in enumerate(header)
            if h and h not in KEY_HEADERS and h not in IDENTITY_HEADERS]
    if attribute is None and not wide:
        raise CliError(f"{path}: no statements: give 'attribute' and 'value' columns (one "
                       "statement per row) or a column per attribute (e.g. wall_insulation)")

    def cell(record: Sequence[str], index: int | None) -> str:
        return record[index].strip() if index is not None and index < len(record) else ""

    statements: list[Statement] = []
    for number, record in enumerate(rows[1:], start=2):
        if not any(c.strip() for c in record):
            continue
        uprn, problem = parse_uprn(cell(record, keys.get("uprn")))
        reference = cell(record, keys.get("landlord_reference")) or None
        if not problem and uprn is None and reference is None:
            problem = "no uprn and no landlord_reference"
        if attribute is not None:
            if cell(record, attribute) or cell(record, value):
                statements.append(Statement(number, uprn, reference, cell(record, attribute),
                                            cell(record, value), problem))
            continue
        for index in wide:
            if cell(record, index):
                statements.append(Statement(number, uprn, reference, rows[0][index].strip(),
                                            cell(record, index), problem))
    return OverridesFile("long" if attribute is not None else "wide", statements)


# ---- matching and deciding -----------------------------------------------------------------

@dataclass
class RowResult:
    """How one statement was read."""

    statement: Statement
    reading: str
    """classified | vague | unknown | conflict | unmatched"""
    reason: str = ""
    home: Any = None
    """The :class:`ara.read_models.PropertyRef` it names (None: unmatched)."""
    values: tuple[tuple[str, Enum], ...] = ()
    note: str = ""

    @property
    def refused(self) -> bool:
        return self.reading in REFUSED


@dataclass
class Change:
    override: str
    old: str
    new: str


@dataclass
class HomeResult:
    home: Any
    rows: list[RowResult] = field(default_factory=list)
    stored: list[dict[str, Any]] = field(default_factory=list)
    """The ``landlord_overrides`` rows the home has after the import."""
    changes: list[Change] = field(default_factory=list)


def match_homes(statements: Sequence[Statement], homes: Sequence[Any],
                portfolio: str | None) -> dict[int, Any]:
    """Statement index -> the home it names, or the reason it names none (a str)."""
    by_uprn: dict[int, list[Any]] = defaultdict(list)
    by_ref: dict[str, list[Any]] = defaultdict(list)
    for home in homes:
        if home.uprn is not None:
            by_uprn[home.uprn].append(home)
        if home.landlord_reference:
            by_ref[home.landlord_reference].append(home)
    where = f" in portfolio {portfolio}" if portfolio else ""
    out: dict[int, Any] = {}
    for i, s in enumerate(statements):
        if s.key_problem:
            out[i] = s.key_problem
            continue
        key, found = ((f"UPRN {s.uprn}", by_uprn.get(s.uprn, [])) if s.uprn is not None
                      else (f"landlord reference {s.reference!r}", by_ref.get(s.reference or "",
                                                                            [])))
        if not found:
            out[i] = f"no home with {key}{where}"
        elif len(found) > 1:
            portfolios = sorted({h.portfolio_id for h in found})
            out[i] = (f"{key} names {len(found)} homes (portfolios {', '.join(portfolios)}): "
                      "choose one with --portfolio")
        elif s.uprn is not None and s.reference and found[0].landlord_reference \
                and found[0].landlord_reference != s.reference:
            out[i] = (f"UPRN {s.uprn} is home {found[0].property_id} with reference "
                      f"{found[0].landlord_reference!r}, not {s.reference!r}")
        else:
            out[i] = found[0]
    return out


def _shown(name: str, value: str | None) -> str:
    """A stored override value as people read it."""
    from ara.read_models import shown_override

    return shown_override(name, value)


def lodged_values(data_json: str | None) -> dict[str, str]:
    """The lodged certificate's value of each override, as people read them."""
    from ara.read_models import lodged_override_values

    return lodged_override_values(data_json)


def decide(results: list[RowResult], previous: dict[str, list[dict[str, Any]]],
           lodged: dict[str, dict[str, str]], source_name: str, *,
           heating_codes: dict[str, str | None] | None = None,
           families: Sequence[Any] = ()) -> list[HomeResult]:
    """Per home named in the file: conflicts marked, the overrides it keeps after the import
    and what changes. ``previous``: its stored ``landlord_overrides`` rows by property id;
    ``lodged``: its lodged certificate's values; ``heating_codes``: its lodged main heating
    code (SAP code), against which a fuel stated without a heating system is checked
    (``families``: :func:`ara.domain.overrides.fuel_families`)."""
    from ara.domain.overrides import OVERRIDE_FIELDS, attribute_targets, describe_code

    homes: dict[str, HomeResult] = {}
    for r in results:
        if r.home is not None:
            homes.setdefault(r.home.property_id, HomeResult(r.home)).rows.append(r)
    for pid, home in homes.items():
        said: dict[str, dict[Enum, list[RowResult]]] = defaultdict(lambda: defaultdict(list))
        for r in home.rows:
            if r.reading == "classified":
                for name, code in r.values:
                    said[name][code].append(r)
        for name, codes in said.items():
            if len(codes) > 1:
                text = "; ".join(f"row {rows[0].statement.row} says {describe_code(code)}"
                                 for code, rows in codes.items())
                for rows in codes.values():
                    for r in rows:
                        r.reading, r.reason = "conflict", f"{name}: {text}"
        new: dict[str, tuple[Enum, RowResult]] = {}
        for r in home.rows:
            if r.reading != "classified":
                continue
            for name, code in r.values:
                if name in new:
                    r.note = f"same as row {new[name][1].statement.row}"
                else:
                    new[name] = (code, r)
        before = {row["override"]: row for row in previous.get(pid, [])}
        _check_fuel(home, new, before, (heating_codes or {}).get(pid), families)
        held = {name for r in home.rows if r.refused
                for name in (attribute_targets(r.statement.attribute) or ())} - set(new)
        home.stored = [{"property_id": pid, "override": name, "value": str(code.value),
                        "raw_value": r.statement.value,
                        "source": f"{source_name}:{r.statement.row}"}
                       for name, (code, r) in new.items()]
        home.stored += [dict(before[name]) for name in sorted(held) if name in before]
        after = {row["override"]: row for row in home.stored}
        for name in OVERRIDE_FIELDS:
            old_row, new_row = before.get(name), after.get(name)
            was = lodged.get(pid, {}).get(name)
            old_label = was if old_row is None else _shown(name, old_row["value"])
            new_label = was if new_row is None else _shown(name, new_row["value"])
            if old_label == new_label:  # restated, or confirming the lodged value
                continue
            if old_row is not None:
                old = f"{old_label} [override, {old_row['source'] or 'no source'}]"
            else:
                old = f"{was} [lodged]" if was is not None else "- [not lodged]"
            if new_row is not None:
                now = f"{new_label}"
            else:
                now = (f"{was} [lodged: the file no longer states it]" if was is not None
                       else "- [the file no longer states it]")
            home.changes.append(Change(name, old, now))
    return list(homes.values())


def _check_fuel(home: HomeResult, new: dict[str, tuple[Enum, RowResult]],
                before: dict[str, dict[str, Any]], lodged_heating: str | None,
                families: Sequence[Any]) -> None:
    """A fuel stated without a heating system must be one the home's heating system burns
    (the one the file states, else the one stored and kept, else the lodged one): otherwise
    its rows are refused (``conflict``) with the reason, and change nothing."""
    from ara.domain.overrides import MainFuel, attribute_targets, fuel_contradiction

    if "main_fuel" not in new or "main_heating" in new:
        return
    fuel = new["main_fuel"][0]
    assert isinstance(fuel, MainFuel)
    heating_held = any(r.refused and "main_heating" in (attribute_targets(
        r.statement.attribute) or ()) for r in home.rows)
    stored = before.get("main_heating") if heating_held else None
    code = stored["value"] if stored is not None else lodged_heating
    why = fuel_contradiction(code, fuel, families)
    if why is None:
        return
    where = "stored" if stored is not None else "lodged"
    for r in home.rows:
        if r.reading == "classified" and any(n == "main_fuel" for n, _ in r.values):
            r.reading, r.reason = "conflict", f"main_fuel: {why} [{where} heating]"
    del new["main_fuel"]


# ---- the report ----------------------------------------------------------------------------

def _row_line(r: RowResult) -> str:
    from ara.domain.overrides import describe_code

    s = r.statement
    head = f"row {s.row}: {s.attribute or '(no attribute)'} = {s.value!r}: {r.reading}"
    if r.reading == "classified":
        shown = ", ".join(f"{n} {describe_code(c)}" for n, c in r.values)
        return f"{head} as {shown}" + (f" ({r.note})" if r.note else "")
    return f"{head}: {r.reason}"


def render(homes: list[HomeResult], results: list[RowResult], *, dry_run: bool) -> str:
    lines = []
    for home in homes:
        lines.append(f"home {home.home.describe()}")
        lines += [f"  {_row_line(r)}" for r in home.rows]
        if home.changes:
            verb = "would change" if dry_run else "changed"
            lines.append(f"  {verb}:")
            lines += [f"    {c.override}: {c.old} -> {c.new}" for c in home.changes]
        else:
            lines.append("  no change")
    review = [r for r in results if r.refused]
    if review:
        lines.append(f"rows for review ({len(review)}; they change nothing):")
        lines += [f"  row {r.statement.row} ({r.statement.who()}): {r.reading}: "
                  f"{r.statement.attribute} = {r.statement.value!r}: {r.reason}"
                  for r in review]
    return "\n".join(lines)


def _summary(path: Path, layout: str, results: list[RowResult], homes: list[HomeResult],
             dry_run: bool) -> str:
    counts = {k: sum(r.reading == k for r in results) for k in ("classified", *REFUSED)}
    read = ", ".join(f"{n} {k}" for k, n in counts.items() if n or k == "classified")
    changed = sum(bool(h.changes) for h in homes)
    stored = sum(len(h.stored) for h in homes)
    tail = ("dry run: nothing written" if dry_run
            else f"{stored} override(s) stored for them")
    return (f"ara overrides import: {path.name} ({layout} layout): {len(results)} statement(s): "
            f"{read}; {len(homes)} home(s) named, {changed} "
            f"{'would change' if dry_run else 'changed'}; {tail}")


# ---- the command ---------------------------------------------------------------------------

def classify_rows(statements: Sequence[Statement]) -> list[Classification]:
    from ara.domain.overrides import classify_statement

    return [classify_statement(s.attribute, s.value) for s in statements]


def cmd_import(args: argparse.Namespace) -> int:
    if message := extra_message(("sqlalchemy", "alembic")):
        raise CliError(message, EXIT_CONFIG)
    import sqlalchemy as sa

    from ara import read_models as rm
    from ara.cli_results import checked, open_database
    from ara.persistence import UnitOfWorkFactory
    from ara.persistence import tables as t
    from ara.persistence.mapping import to_arrow

    path = Path(args.file)
    parsed = parse_rows(read_rows(path), path)  # a bad file is refused before the database
    classes = classify_rows(parsed.statements)
    engine = open_database(args.db, "overrides import")
    if engine is None:
        return EXIT_BAD_INPUT
    factory = UnitOfWorkFactory(engine)
    try:
        with factory(read_only=args.dry_run) as uow:
            conn = uow.connection
            if args.portfolio is not None:
                checked(lambda: rm.resolve_portfolio(conn, args.portfolio))
            statements = parsed.statements
            found = rm.properties_by_keys(
                conn, [s.uprn for s in statements if s.uprn is not None],
                [s.reference for s in statements if s.uprn is None and s.reference],
                args.portfolio)
            matched = match_homes(statements, found, args.portfolio)
            results = []
            for i, (s, c) in enumerate(zip(statements, classes, strict=True)):
                home = matched[i]
                if isinstance(home, str):
                    results.append(RowResult(s, "unmatched", home))
                else:
                    results.append(RowResult(s, c.reading.value, c.reason, home, c.values))
            ids = sorted({r.home.property_id for r in results if r.home is not None})
            if not args.dry_run:
                for portfolio in sorted({r.home.portfolio_id for r in results
                                         if r.home is not None}):
                    uow.lock_portfolio(portfolio)
            previous: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for row in uow.landlord_overrides.read(ids).to_pylist():
                previous[row["property_id"]].append(row)
            lodged, heating = _lodged(uow, ids)
            homes = decide(results, previous, lodged, path.name, heating_codes=heating,
                           families=_fuel_families())
            changed: list[str] = []
            if not args.dry_run and ids:
                # the statements and the homes' change stamp in one transaction
                changed = uow.landlord_overrides.replace_homes(ids, to_arrow(
                    t.landlord_overrides, [row for h in homes for row in h.stored]),
                    dt.datetime.now(dt.UTC).replace(tzinfo=None))
    except sa.exc.SQLAlchemyError as exc:
        raise import_failed(exc) from None
    report = render(homes, results, dry_run=args.dry_run)
    if report:
        print(report)
    if changed:
        print(f"{len(changed)} home(s) whose overrides changed: the next 'ara run' of the "
              "portfolio re-baselines them with these overrides and records why "
              "(landlord_overrides_changed)")
    print(_summary(path, parsed.layout, results, homes, args.dry_run), file=sys.stderr)
    return EXIT_REJECTED if any(r.refused for r in results) else EXIT_OK


def _lodged(uow: Any, ids: list[str]) -> tuple[dict[str, dict[str, str]],
                                               dict[str, str | None]]:
    """The lodged values of the homes' latest certificates (as ``load_properties`` picks),
    as people read them, and their main heating codes."""
    from ara.domain.epc import EpcData
    from ara.domain.overrides import lodged_codes
    from ara.read_models import latest_certificate_data

    data = latest_certificate_data(uow.connection, ids)
    heating: dict[str, str | None] = {}
    for pid, text in data.items():
        try:
            heating[pid] = lodged_codes(EpcData.from_json(text)).get("main_heating") \
                if text else None
        except (ValueError, TypeError):
            heating[pid] = None
    return {pid: lodged_values(text) for pid, text in data.items()}, heating


def _fuel_families() -> tuple[Any, ...]:
    """Which fuels each group of heating codes burns
    (``spec/tables/sap10_2_heating_code_fuel_families.csv``)."""
    from ara.domain.overrides import fuel_families
    from ara.sap.tables import read_table

    return fuel_families(read_table("sap10_2_heating_code_fuel_families.csv"))


def add_parser(sub: Any) -> None:
    top = sub.add_parser(
        "overrides", help="import a landlord's corrections of its homes (overrides)",
        description="Landlord Overrides: corrections of wall construction and insulation, roof "
                    "insulation, property type and built form, floor construction and "
                    "insulation, glazing, main heating system and fuel, applied over the "
                    "lodged EPC by the next ara run.")
    commands = top.add_subparsers(dest="overrides_command", required=True, metavar="COMMAND")
    imp = commands.add_parser(
        "import", help="read a CSV or XLSX of statements into the database",
        description="Read FILE (CSV or XLSX: uprn and/or landlord_reference, attribute, value; "
                    "or a column per attribute), classify each statement by the documented "
                    "vocabulary (docs/overrides.md), match it to a home of the database, and "
                    "replace the stored overrides of the homes it names. Vague, unknown, "
                    "conflicting and unmatched rows are listed with the reason and change "
                    "nothing. Exit 0 when every row was imported, 1 when some were refused, "
                    "2 on a file that cannot be read.")
    imp.add_argument("file", metavar="FILE", help="FILE.csv or FILE.xlsx")
    imp.add_argument("--db", default="ara.db",
                     help="SQLite file or postgresql+psycopg:// URL (default ara.db)")
    imp.add_argument("--portfolio", metavar="ID",
                     help="match homes in this portfolio only (a UPRN or reference can be in "
                          "several)")
    imp.add_argument("--dry-run", action="store_true",
                     help="print what would change and how each row was read; write nothing")
    imp.set_defaults(func=cmd_import, command="overrides import")
