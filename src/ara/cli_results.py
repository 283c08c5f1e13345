"""``ara list`` and ``ara export``: a run's results, read back from its database through
:mod:`ara.read_models`.

``ara list [--db DB] [--portfolio ID] [--status ok|estimate|refused|failed|pending] [--json]``
prints the portfolio's homes, one line each (JSON Lines with ``--json``).
``ara export -o FILE.parquet|.csv|.xlsx [--db DB] [--portfolio ID] [--what homes|plans]``
writes one row per home, or one row per planned measure.

Without ``--portfolio`` both take the database's only portfolio. A missing database, an
unknown portfolio or an unsupported format is refused in one line (exit 2); no database is
ever created by reading one.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa

from ara.cli_common import EXIT_CONFIG, CliError, extra_message

T = TypeVar("T")

EXPORT_FORMATS = (".parquet", ".csv", ".xlsx")
#: Rows of an Excel worksheet, the header included.
XLSX_MAX_ROWS = 1_048_576
LIST_COLUMNS = (("property_id", "property"), ("uprn", "uprn"), ("landlord_reference", "reference"),
                ("address", "address"), ("lodged_band", "lodged"),
                ("effective_band", "effective"), ("trust", "trust"), ("status", "status"))


def open_database(db: str, command: str) -> Any:
    """The engine of the database ``ara run`` wrote at ``db``, or None after printing one
    line saying why not (a reading command never creates a database)."""

    if message := extra_message(("sqlalchemy", "alembic")):
        raise CliError(message, EXIT_CONFIG)
    import sqlalchemy as sa

    from ara.cli_run import cannot_open, existing_database
    from ara.persistence import current_revision, head_revision

    try:
        engine = existing_database(db, command)
        revision = None if engine is None else current_revision(engine)
    except (sa.exc.OperationalError, sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise CliError(cannot_open(db, exc), EXIT_CONFIG) from None
    if engine is not None and revision != head_revision():
        raise CliError(f"{db} is at schema revision {revision}, this Ara reads "
                       f"{head_revision()}: a run of this Ara (ara run) migrates it",
                       EXIT_CONFIG)
    return engine


@contextmanager
def reading(engine: Any) -> Iterator[Any]:
    """A read-only connection (one read-only unit of work) of ``engine``."""
    from ara.persistence import UnitOfWorkFactory

    with UnitOfWorkFactory(engine)(read_only=True) as uow:
        yield uow.connection


def checked(call: Callable[[], T]) -> T:
    """``call()``, a :class:`ara.read_models.ReadError` turned into a one-line refusal."""
    from ara.read_models import ReadError

    try:
        return call()
    except ReadError as exc:
        raise CliError(str(exc)) from None


# ---- ara list ------------------------------------------------------------------------------

def _cell(value: Any) -> str:
    return "-" if value is None else str(value)


def _detail(row: dict[str, Any]) -> str:
    """The status's detail: ``baselined``, or the first failure's stage and reason head."""
    failures = row["failures"]
    if not failures:
        return "baselined" if row["trust"] is not None else "not baselined yet"
    first = failures[0]
    text = f"failed at {first['stage']} ({first['error_type']}): {row['reason']}"
    others = [f["stage"] for f in failures[1:]]
    return text + (f"; also failed at {', '.join(others)}" if others else "")


def render_list(table: pa.Table) -> str:
    """The homes as aligned columns (a header line first), the status's detail last."""
    rows = table.to_pylist()
    cells = [[_cell(r[name]) for name, _ in LIST_COLUMNS] + [_detail(r)] for r in rows]
    header = [label for _, label in LIST_COLUMNS] + ["detail"]
    widths = [max([len(header[i]), *(len(c[i]) for c in cells)])
              for i in range(len(LIST_COLUMNS))]
    return "\n".join("  ".join(f"{text:<{w}}" for text, w in zip(line, widths, strict=False))
                     + "  " + line[-1] for line in [header, *cells])


def cmd_list(args: argparse.Namespace) -> int:
    from ara import read_models as rm

    engine = open_database(args.db, "list")
    if engine is None:
        return 2
    with reading(engine) as conn:
        portfolio = checked(lambda: rm.resolve_portfolio(conn, args.portfolio))
        table = rm.home_lines(conn, portfolio, [args.status] if args.status else None)
    if args.json:
        for row in table.to_pylist():
            print(json.dumps(row, allow_nan=False))
    else:
        print(render_list(table))
    shown = f" ({args.status})" if args.status else ""
    print(f"ara list: {table.num_rows} home{'' if table.num_rows == 1 else 's'}{shown} of "
          f"portfolio {portfolio}", file=sys.stderr)
    return 0


# ---- ara export ----------------------------------------------------------------------------

def export_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise CliError(f"-o {path}: unsupported format {suffix or '(no suffix)'!r}; "
                       f"use {', '.join(EXPORT_FORMATS)}")
    if suffix == ".xlsx":
        import importlib.util

        if importlib.util.find_spec("openpyxl") is None:
            raise CliError(f"-o {path}: .xlsx needs openpyxl, from the 'pipeline' extra "
                           "(pip install 'ara-sap[pipeline]'); .parquet and .csv work without",
                           EXIT_CONFIG)
    if not path.resolve().parent.is_dir():
        raise CliError(f"-o {path}: folder {path.resolve().parent} does not exist")
    return suffix


def write_xlsx(table: pa.Table, path: Path, sheet: str) -> None:
    """One worksheet: a header row, then the table's rows (nulls as empty cells)."""
    from openpyxl import Workbook

    if table.num_rows + 1 > XLSX_MAX_ROWS:
        raise CliError(f"-o {path}: {table.num_rows:,} rows do not fit an Excel worksheet "
                       f"({XLSX_MAX_ROWS - 1:,} at most); use .parquet or .csv")
    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet)
    ws.append(table.column_names)
    for batch in table.to_batches(max_chunksize=10_000):
        columns = [c.to_pylist() for c in batch.columns]
        for row in zip(*columns, strict=True):
            ws.append(list(row))
    book.save(path)


def write_table(table: pa.Table, path: Path, sheet: str) -> None:
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, path, compression="zstd")
    elif suffix == ".csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(table, path)
    else:
        write_xlsx(table, path, sheet)


def cmd_export(args: argparse.Namespace) -> int:
    from ara import read_models as rm

    out = Path(args.output)
    export_format(out)  # refused before the database is opened
    engine = open_database(args.db, "export")
    if engine is None:
        return 2
    with reading(engine) as conn:
        portfolio = checked(lambda: rm.resolve_portfolio(conn, args.portfolio))
        table = (rm.homes if args.what == "homes" else rm.plan_measures)(conn, portfolio)
    write_table(table, out, args.what)
    unit = "homes" if args.what == "homes" else "planned measures"
    print(f"ara export: {table.num_rows} {unit} of portfolio {portfolio} "
          f"({table.num_columns} columns) -> {out}", file=sys.stderr)
    return 0


#: :data:`ara.read_models.STATUSES`, repeated so that building the parser does not import
#: the database stack (``ara calc`` starts without it); a test keeps the two equal.
STATUSES = ("ok", "estimate", "refused", "failed", "pending")


def add_parsers(sub: Any) -> None:
    ls = sub.add_parser(
        "list", help="list a portfolio's homes with their bands, trust and status",
        description="Print the homes of a portfolio, one line each: property id, UPRN, "
                    "landlord reference, address, lodged and effective band, trust level "
                    "(lodged kept, re-modelled, re-modelled with estimates, refused) and "
                    "status (ok, estimate, refused, failed, pending) with the failure's stage "
                    "and reason.")
    ls.add_argument("--db", default="ara.db",
                    help="SQLite file or postgresql+psycopg:// URL (default ara.db)")
    ls.add_argument("--portfolio", metavar="ID",
                    help="portfolio id (default: the database's only portfolio)")
    ls.add_argument("--status", choices=STATUSES,
                    help="only the homes of this status (refused: the Baseline failed them; "
                         "failed: another stage did)")
    ls.add_argument("--json", action="store_true", help="one JSON object per home")
    ls.set_defaults(func=cmd_list)

    ex = sub.add_parser(
        "export", help="write a portfolio's homes or planned measures to a file",
        description="Write one row per home (identity, baseline, trust, bill, each "
                    "scenario's plan figures, failures) or one row per planned measure, "
                    "as Parquet, CSV or Excel (by the suffix of -o).")
    ex.add_argument("-o", "--output", required=True, metavar="FILE",
                    help="FILE.parquet, FILE.csv or FILE.xlsx")
    ex.add_argument("--db", default="ara.db",
                    help="SQLite file or postgresql+psycopg:// URL (default ara.db)")
    ex.add_argument("--portfolio", metavar="ID",
                    help="portfolio id (default: the database's only portfolio)")
    ex.add_argument("--what", choices=("homes", "plans"), default="homes",
                    help="homes: one row per home; plans: one row per planned measure "
                         "(default homes)")
    ex.set_defaults(func=cmd_export)
