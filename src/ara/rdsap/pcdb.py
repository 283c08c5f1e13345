"""Reader of the BRE Product Characteristics Database file (``pcdb10.dat``, "PCDF" layout).

The PCDB is BRE's register of tested heating, hot-water and ventilation products (boilers,
heat pumps, mechanical ventilation units, heat-recovery devices, controls, ...) with the
figures SAP 10.2 uses in place of its default tables when a certificate names a product by its
index number (``Main-Heating-Index-Number``, ``Mechanical-Ventilation-Index-Number``,
``WWHRS-Index-Number``, ``FGHRS-Index-Number``). BRE publishes the file for approved SAP
software and assessors and updates it monthly.

**Ara never ships the PCDB or any part of it.** The user supplies their own copy, obtained
from BRE under BRE's terms, by path (``read_pcdb`` / ``load_pcdb``) or through the ``ARA_PCDB``
environment variable (``pcdb_path_from_env``). Ara's tests use invented products only.

Usage::

    pcdb = load_pcdb(pcdb_path_from_env())        # parsed once, then read from the Parquet cache
    boilers = pcdb.boilers_for(certs["main_heating_index_number"])   # aligned row by row

``read_pcdb`` parses the whole file into one ``pyarrow.Table`` per table number. The tables
listed in ``SUPPORTED_FORMATS`` (105 gas/oil boilers, 362 heat pumps, 323 centralised MEV and
MVHR, 322 decentralised MEV, 329 ventilation in-use factors, 353 WWHRS, 313 FGHRS) get typed,
named columns (``ara.rdsap.pcdb_layouts`` lists them with the source of each position); every
other table is kept as raw text fields. Every table ends with ``block`` (ordinal of the
``$`` block in the file), ``line`` (line number of the row) and ``raw`` (the row's fields).
A table whose format number is not supported, a row with the wrong number of fields, a typed
field that is not a number, a duplicated index number, or a file without its ``$999`` end
marker raises :class:`PcdbError` naming the line; nothing is skipped. ``format_aliases``
lets a user who has checked that a new format keeps a known layout read it with that layout,
e.g. ``{(105, 211): 210}``.

``load_pcdb`` caches the parsed tables as Parquet under ``<cache>/<sha256 of the file>-<layout
version>/`` (``<cache>`` = the ``cache_dir`` argument, else ``$ARA_PCDB_CACHE``, else
``~/.cache/ara/pcdb``): a second load of the same file reads the Parquet files, a changed file
(another hash) is parsed again.

Sources of the layout (no specification was available as text; BRE says the format is not
published). Short names, used here and in ``ara.rdsap.pcdb_layouts``:

* **[F]** ``RCUK-CEE/epctk@55fa6ee9b796022c6784c38c50f5032b7b9e3926:epctk/data/pcdf2012.dat``,
  a real PCDF file of 17 Dec 2015 (SAP 2012 edition), inspected directly: ``#`` comment lines,
  each table introduced by ``# Table NNN (title) follows ...``; control lines
  ``$<table>,<format>,<revision>,<yyyy>,<mm>,<dd>,<flag>`` (sometimes with trailing spaces);
  ``$001,<file revision>,<yyyy>,<mm>,<dd>`` first and ``$999`` last; CRLF line ends;
  unquoted comma-separated fields, empty = no value; index numbers with leading zeros; the
  same table number in several blocks (two ``$105,210`` blocks: SAP illustrative products
  with status 1, then the listed boilers); rows of 323, 362 and 313 cut after their last
  non-empty field; the field counts and group widths noted on each layout; ``current`` /
  ``obsolete`` in the final-year field; ``>70kW`` in the top-of-range output.
* **[EP]** ``RCUK-CEE/epctk@55fa6ee9…:epctk/io/pcdf.py`` (SAP 2009 reader): code meanings
  (fuel, main type, condensing, flue, keep-hot, store type, dMEV configurations 1-6); its
  positions are one less than format 210's (older table numbers 104/361) - lineage only.
* **[B]** ``BHoM/SAP_Toolkit@17c4e5b6e41f8d8a7eb82de62f17ae56fac94fe6:SAP_Engine/Query/PCDB.cs``
  (C# reader of ``pcdf2012.dat``): names of every field of 105/210, 353/453, 329/430 and of
  the headers and first group of 362/464, 323/426, 322/427, 313/413.
* **[C]** a decompiled SAP 2012 C# reader (``namespace SAP2012``, class ``PCDF``) in the
  public code index (file id 11594025678; its repository is not named by the index): same
  positions as [B], and the start and width of the repeated groups (323/426: 17, 6;
  322/427: 13, 4; 362/464: 39, 4; 313/413: 24, 7); status ``1`` = illustrative product.
* **[J]** Hestia-Homes/Model, public mirror ``https://git.juntekim.com/junte/Model``,
  ``domain/sap10_calculator/tables/pcdb/parser.py`` and its commit messages (pages), which read
  the April 2026 pcdb10.dat: pcdb10 carries 362 as format 465 (70aa709c: header positions;
  74240f8c: heating duration at 48; f33557b0: PSR count at 58, groups of 9 with PSR at +0,
  space efficiency at +2, water efficiency at +6), 323 as 431 (34cbd7d66c, data page: groups
  led by the wet-room count), 322 as 428 (8c1f895b: (configuration, flow, SFP) triplets),
  329 as 432 (433f4a49: fields 0-3 as in 430); latin-1 text, ``obsolete`` and ``>70kW`` in
  numeric fields (fe04cd3a); its boiler field numbers equal the 210 positions (f7d863a9).

Not confirmed: the pcdb10 format numbers of 105, 313 and 353 (no source quotes them; a
different number is refused until checked and aliased), and the positions marked provisional
in ``ara.rdsap.pcdb_layouts`` (465 fields 0-5/9-10, 431 entirely, 428 header, 432 beyond 3).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import re
import shutil
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ara.rdsap.pcdb_layouts import (
    LAYOUTS,
    RAW_SCHEMA,
    SUPPORTED_FORMATS,
    TABLE_NAMES,
    TABLE_SCHEMAS,
    Layout,
    convert,
    count_groups,
)

__all__ = [
    "SUPPORTED_FORMATS", "TABLE_NAMES", "VENTILATION_SCHEMA", "BlockInfo", "Pcdb", "PcdbError",
    "default_cache_dir", "load_pcdb", "lookup", "normalise_index_numbers", "pcdb_path_from_env",
    "read_pcdb",
]

FormatAliases = Mapping[tuple[int, int], int]

#: Bump when the cache layout changes; layout changes are picked up by their fingerprint.
_CACHE_VERSION = 1
_TITLE = re.compile(r"#\s*Table\s+(\d+)\s*\((.*?)\)\s*follows", re.IGNORECASE)
_UINT = re.compile(r"\d+\Z")


class PcdbError(ValueError):
    """A PCDB file (or one of its rows) that cannot be read as the supported PCDF layout."""

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 table: int | None = None, format: int | None = None,
                 field: str | None = None) -> None:
        self.message = message
        self.source = source
        self.line = line
        self.table = table
        self.format = format
        self.field = field
        where = ":".join(str(p) for p in (source, line) if p is not None)
        super().__init__(f"{where}: {message}" if where else message)

    def __reduce__(self) -> tuple[Any, ...]:  # picklable across processes, details kept
        return (_rebuild_error, (self.message, self.source, self.line, self.table, self.format,
                                 self.field))


def _rebuild_error(message: str, source: str | None, line: int | None, table: int | None,
                   format: int | None, field: str | None) -> PcdbError:
    return PcdbError(message, source=source, line=line, table=table, format=format,
                     field=field)


@dataclass(frozen=True)
class BlockInfo:
    """One ``$<table>,<format>,...`` block of the file, in file order."""

    table: int
    format: int
    revision: int
    date: dt.date | None
    flag: str | None
    line: int
    title: str | None = None
    read_as: int | None = None  # format whose layout read it (differs under an alias)


@dataclass
class _Block:
    info: dict[str, Any]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)


def pcdb_path_from_env() -> Path | None:
    """``Path(os.environ["ARA_PCDB"])``, or None when the variable is unset or empty."""
    value = os.environ.get("ARA_PCDB")
    return Path(value) if value else None


def default_cache_dir() -> Path:
    """``$ARA_PCDB_CACHE`` if set, else ``~/.cache/ara/pcdb``."""
    value = os.environ.get("ARA_PCDB_CACHE")
    return Path(value).expanduser() if value else Path.home() / ".cache" / "ara" / "pcdb"


def read_pcdb(path: str | os.PathLike[str], *,
              format_aliases: FormatAliases | None = None) -> Pcdb:
    """Parse the whole PCDB file at ``path`` (no cache)."""
    data = Path(path).read_bytes()
    return _parse_bytes(data, source=str(path), sha256=hashlib.sha256(data).hexdigest(),
                        format_aliases=format_aliases)


def load_pcdb(path: str | os.PathLike[str], cache_dir: str | os.PathLike[str] | None = None,
              *, format_aliases: FormatAliases | None = None) -> Pcdb:
    """Read the user's PCDB file, through a Parquet cache keyed by the file's SHA-256.

    Like :func:`read_pcdb`, through a Parquet cache keyed by the file's SHA-256. The file
    is read and hashed every time; the cache entry is
    ``<cache_dir>/<sha256>-<layout fingerprint>[-a<aliases hash>]/`` (one Parquet file
    per table and a ``meta.json``). A complete entry is read back without parsing; a
    missing, stale or unreadable one is replaced by parsing the file again. Ara never
    ships the PCDB: ``path`` is the user's own copy from BRE (``pcdb_path_from_env``
    reads ``$ARA_PCDB``).

    Parameters
    ----------
    path : str or os.PathLike
        The PCDB file (``pcdb10.dat``, PCDF layout).
    cache_dir : str or os.PathLike, optional
        Root folder of the cache; default :func:`default_cache_dir` (``$ARA_PCDB_CACHE``,
        else ``~/.cache/ara/pcdb``).
    format_aliases : mapping of (table, format) to format, optional
        Read a table format Ara does not know with the layout of a known one, for a user
        who has checked that the layout is unchanged, e.g. ``{(105, 211): 210}``. The
        aliases are part of the cache key.

    Returns
    -------
    Pcdb
        ``tables``: one ``pyarrow.Table`` per table number; the ``SUPPORTED_FORMATS``
        tables (105 gas/oil boilers, 362 heat pumps, 323 centralised MEV and MVHR, 322
        decentralised MEV, 329 ventilation in-use factors, 353 WWHRS, 313 FGHRS) with
        typed, named columns (``ara.rdsap.pcdb_layouts``), every other table as raw text
        fields; every table ends with ``block``, ``line`` and ``raw``. Also ``blocks``
        (:class:`BlockInfo` per ``$`` block), ``file_revision``, ``file_date``,
        ``sha256``, ``source``, and look-ups aligned row by row with a column of index
        numbers (``boilers_for``, ``heat_pumps_for``, ``ventilation_for``).

    Raises
    ------
    PcdbError
        The file is not the supported PCDF layout: a table format that is neither
        supported nor aliased, a row with the wrong number of fields, a typed field that
        is not a number, a duplicated index number, no ``$999`` end marker; the message
        names the file and line. Nothing is skipped.
    OSError
        ``path`` cannot be read. (A cache that cannot be written only warns.)

    References
    ----------
    BRE Product Characteristics Database, PCDF file format (``pcdb10.dat``; BRE does not
    publish the format): the layout sources [F], [EP], [B], [C] and [J] of this module's
    docstring and ``ara.rdsap.pcdb_layouts``, position by position. SAP 10.2 Appendix D
    (boiler seasonal efficiencies from the PCDB), Appendix N (heat pumps, decision 0014),
    Tables 4g/4h (mechanical ventilation) and Appendix G (FGHRS; G3 WWHRS), which use these
    records in place of the default tables.
    """
    data = Path(path).read_bytes()
    sha256 = hashlib.sha256(data).hexdigest()
    root = Path(cache_dir).expanduser() if cache_dir is not None else default_cache_dir()
    entry = root / _cache_key(sha256, format_aliases)
    cached = _read_cache(entry, sha256, str(path))
    if cached is not None:
        return cached
    pcdb = _parse_bytes(data, source=str(path), sha256=sha256, format_aliases=format_aliases)
    _write_cache(pcdb, entry, format_aliases)
    return pcdb


class Pcdb:
    """The parsed file: one Arrow table per table number, plus the file's control data."""

    def __init__(self, tables: Mapping[int, pa.Table], blocks: Sequence[BlockInfo], *,
                 file_revision: int | None, file_date: dt.date | None, sha256: str,
                 source: str | None = None) -> None:
        self.tables: dict[int, pa.Table] = dict(tables)
        self.blocks: tuple[BlockInfo, ...] = tuple(blocks)
        self.file_revision = file_revision
        self.file_date = file_date
        self.sha256 = sha256
        self.source = source
        self._ventilation: pa.Table | None = None

    def __repr__(self) -> str:
        return (f"Pcdb(source={self.source!r}, revision={self.file_revision}, "
                f"date={self.file_date}, tables={sorted(self.tables)})")

    def table(self, number: int) -> pa.Table:
        """Table ``number`` (e.g. 105); ``PcdbError`` if the file has no such table."""
        try:
            return self.tables[number]
        except KeyError:
            raise PcdbError(f"the file has no table {number:03d}", source=self.source,
                            table=number) from None

    def formats(self, number: int) -> tuple[int, ...]:
        """The format numbers of table ``number``'s blocks, in file order."""
        return tuple(b.format for b in self.blocks if b.table == number)

    @property
    def boilers(self) -> pa.Table:
        return self.table(105)

    @property
    def heat_pumps(self) -> pa.Table:
        return self.table(362)

    @property
    def mev_mvhr(self) -> pa.Table:
        return self.table(323)

    @property
    def decentralised_mev(self) -> pa.Table:
        return self.table(322)

    @property
    def in_use_factors(self) -> pa.Table:
        return self.table(329)

    @property
    def wwhrs(self) -> pa.Table:
        return self.table(353)

    @property
    def fghrs(self) -> pa.Table:
        return self.table(313)

    @property
    def ventilation(self) -> pa.Table:
        """Tables 323 and 322 in one schema (``VENTILATION_SCHEMA``), ``source_table`` saying
        which; ``flow_ls`` is the test flow rate of each group."""
        if self._ventilation is None:
            parts = [_ventilation_part(self.tables[n], n) for n in (323, 322)
                     if n in self.tables]
            if not parts:
                raise PcdbError("the file has neither table 323 nor table 322",
                                source=self.source)
            combined = pa.concat_tables(parts)
            _check_unique(combined, "tables 323 and 322", self.source)
            self._ventilation = combined
        return self._ventilation

    def boilers_for(self, index_numbers: Any) -> pa.Table:
        """Table 105 rows for ``index_numbers`` (see :meth:`lookup`); none found when the
        file has no table 105."""
        return lookup(self._modelled_or_empty(105), index_numbers)

    def heat_pumps_for(self, index_numbers: Any) -> pa.Table:
        """Table 362 rows for ``index_numbers`` (see :meth:`lookup`); none found when the
        file has no table 362 (a user's PCDB of boilers only holds no heat pump)."""
        return lookup(self._modelled_or_empty(362), index_numbers)

    def _modelled_or_empty(self, number: int) -> pa.Table:
        return self.tables[number] if number in self.tables \
            else TABLE_SCHEMAS[number].empty_table()

    def ventilation_for(self, index_numbers: Any) -> pa.Table:
        """:attr:`ventilation` rows (table 323 or 322) for ``index_numbers``."""
        return lookup(self.ventilation, index_numbers)


def lookup(table: pa.Table, index_numbers: Any) -> pa.Table:
    """Rows of ``table`` aligned one for one with ``index_numbers``.

    The result has a leading boolean ``found`` column and then every column of ``table``,
    all null where the index number is null, not a valid number, or not in the table.
    """
    keys = normalise_index_numbers(index_numbers)
    positions = pc.index_in(keys, value_set=table.column("index").combine_chunks())
    rows = table.take(positions)
    return rows.add_column(0, "found", pc.is_valid(positions))


def normalise_index_numbers(values: Any) -> pa.Array:
    """Index numbers as int64: integers as they are; strings trimmed, digits only (leading
    zeros dropped, ``"017507"`` -> 17507), anything else null; whole floats converted,
    other floats null."""
    arr = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    kind = arr.type
    if pa.types.is_null(kind):
        return pa.nulls(len(arr), pa.int64())
    if pa.types.is_integer(kind):
        return pc.cast(arr, pa.int64())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        text = pc.utf8_trim_whitespace(arr)
        digits = pc.match_substring_regex(text, r"^[0-9]{1,18}$")
        return pc.cast(pc.if_else(digits, text, pa.scalar(None, text.type)), pa.int64())
    if pa.types.is_floating(kind):
        whole = pc.and_(pc.is_finite(arr), pc.equal(pc.floor(arr), arr))
        kept = pc.if_else(whole, arr, pa.scalar(None, kind))
        return pc.cast(kept, pa.int64())
    raise TypeError(f"index numbers must be integers or strings, not {kind}")


# ------------------------------------------------------------------------------ parsing --

def _parse_bytes(data: bytes, *, source: str, sha256: str,
                 format_aliases: FormatAliases | None = None) -> Pcdb:
    """The whole file, read as latin-1 text [J], into a :class:`Pcdb`."""
    blocks: list[_Block] = []
    current: _Block | None = None
    file_revision: int | None = None
    file_date: dt.date | None = None
    seen_header = ended = False
    lineno = 0
    for lineno, text in enumerate(data.decode("latin-1").split("\n"), start=1):
        line = text.rstrip("\r")
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith("#"):
            title = _TITLE.match(stripped)
            if current is not None and title and int(title[1]) == current.info["table"]:
                current.info["title"] = current.info["title"] or title[2].strip()
            continue
        if ended:
            raise PcdbError("data after the $999 end-of-file marker", source=source,
                            line=lineno)
        if stripped.startswith("$"):
            tokens = [t.strip() for t in stripped[1:].split(",")]
            number = _control_int(tokens, 0, "table number", source, lineno)
            current = None
            if number == 1:
                if len(tokens) < 5:
                    raise PcdbError(f"file control line {stripped!r} has {len(tokens)} fields, "
                                    "expected $001,<revision>,<yyyy>,<mm>,<dd>",
                                    source=source, line=lineno)
                file_revision = _control_int(tokens, 1, "file revision", source, lineno)
                file_date = _control_date(tokens, 2, source, lineno)
                seen_header = True
            elif number == 999:
                ended = True
            else:
                if not seen_header:
                    raise PcdbError("table control line before the $001 file control line",
                                    source=source, line=lineno, table=number)
                if len(tokens) < 6:
                    raise PcdbError(f"control line {stripped!r} has {len(tokens)} fields, "
                                    "expected $<table>,<format>,<revision>,<yyyy>,<mm>,<dd>",
                                    source=source, line=lineno, table=number)
                current = _Block({
                    "table": number,
                    "format": _control_int(tokens, 1, "format number", source, lineno),
                    "revision": _control_int(tokens, 2, "revision", source, lineno),
                    "date": _control_date(tokens, 3, source, lineno),
                    "flag": (tokens[6] or None) if len(tokens) > 6 else None,
                    "line": lineno, "title": None})
                blocks.append(current)
            continue
        if current is None:
            raise PcdbError("data row outside a table (no $<table>,<format>,... control "
                            "line before it)", source=source, line=lineno)
        current.rows.append((lineno, line.split(",")))
    if not ended:
        raise PcdbError("no $999 end-of-file marker: the file is truncated or not a PCDB "
                        "file", source=source, line=lineno)
    if not seen_header:
        raise PcdbError("no $001 file control line: not a PCDB file", source=source)
    aliases = dict(format_aliases or {})
    infos: list[BlockInfo] = []
    parts: dict[int, list[pa.Table]] = {}
    for ordinal, block in enumerate(blocks):
        table, fmt = block.info["table"], block.info["format"]
        read_as = aliases.get((table, fmt), fmt) if table in TABLE_SCHEMAS else None
        infos.append(BlockInfo(**block.info, read_as=read_as))
        if read_as is None:
            part = _raw_block(block, ordinal)
        else:
            layout = LAYOUTS.get((table, read_as))
            if layout is None:
                supported = ", ".join(str(f) for f in SUPPORTED_FORMATS[table])
                raise PcdbError(
                    f"table {table:03d} ({TABLE_NAMES[table]}) is in format {fmt}, which this "
                    f"reader does not support (supported: {supported}); check its layout "
                    "and pass format_aliases if it matches a supported one",
                    source=source, line=block.info["line"], table=table, format=fmt)
            part = _model_block(block, ordinal, layout, source)
        parts.setdefault(table, []).append(part)
    tables = {n: pa.concat_tables(p) for n, p in parts.items()}
    for number, tab in tables.items():
        _check_unique(tab, f"table {number:03d}", source)
    return Pcdb(tables, infos, file_revision=file_revision, file_date=file_date,
                sha256=sha256, source=source)


def _control_int(tokens: list[str], pos: int, what: str, source: str, lineno: int) -> int:
    text = tokens[pos] if pos < len(tokens) else ""
    if not _UINT.match(text):
        raise PcdbError(f"control line: {what} {text!r} is not a number", source=source,
                        line=lineno)
    return int(text)


def _control_date(tokens: list[str], pos: int, source: str, lineno: int) -> dt.date:
    year, month, day = (_control_int(tokens, pos + i, "date", source, lineno) for i in range(3))
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise PcdbError(f"control line: bad date {year}-{month}-{day}: {exc}", source=source,
                        line=lineno) from None


def _raw_block(block: _Block, ordinal: int) -> pa.Table:
    return pa.table({
        "block": pa.array([ordinal] * len(block.rows), pa.int64()),
        "line": pa.array([n for n, _ in block.rows], pa.int64()),
        "raw": pa.array([f for _, f in block.rows], pa.list_(pa.string())),
    }, schema=RAW_SCHEMA)


def _model_block(block: _Block, ordinal: int, layout: Layout, source: str) -> pa.Table:
    """One block's rows typed by ``layout`` into the table's schema."""
    schema = TABLE_SCHEMAS[layout.table]
    columns: dict[str, list[Any]] = {name: [] for name in schema.names}
    filled = {f.name for f in layout.fields} | {"block", "line", "raw"}
    groups = layout.groups
    if groups is not None:
        filled |= {m.name for m in groups.members}
        if groups.dataset_column:
            filled.add(groups.dataset_column)
    where = f"table {layout.table:03d} format {block.info['format']}"

    def refuse(message: str, lineno: int, name: str | None = None) -> PcdbError:
        return PcdbError(f"{where}: {message}", source=source, line=lineno, table=layout.table,
                         format=block.info["format"], field=name)

    def typed(fields: list[str], pos: int, kind: Any, name: str, lineno: int) -> Any:
        text = fields[pos] if pos < len(fields) else ""
        try:
            return convert(kind, text)
        except ValueError as exc:
            raise refuse(f"field {pos} ({name}): {exc}", lineno, name) from None

    for lineno, fields in block.rows:
        count = len(fields)
        if count < layout.min_fields or (layout.max_fields is not None
                                         and count > layout.max_fields):
            expected = (f"exactly {layout.min_fields}" if layout.max_fields == layout.min_fields
                        else f"at least {layout.min_fields}")
            raise refuse(f"row has {count} fields, expected {expected}", lineno)
        for f in layout.fields:
            columns[f.name].append(typed(fields, f.pos, f.kind, f.name, lineno))
        if groups is not None:
            try:
                n_groups, per_dataset = count_groups(layout, fields)
            except ValueError as exc:
                raise refuse(f"row {exc}", lineno) from None
            for m in groups.members:
                columns[m.name].append([
                    typed(fields, groups.start + g * groups.width + m.pos, m.kind,
                          f"{m.name}[{g}]", lineno) for g in range(n_groups)])
            if groups.dataset_column:
                columns[groups.dataset_column].append(
                    [g // per_dataset for g in range(n_groups)])
        columns["block"].append(ordinal)
        columns["line"].append(lineno)
        columns["raw"].append(fields)
    rows = len(block.rows)
    arrays = [pa.array(columns[f.name], f.type) if f.name in filled else pa.nulls(rows, f.type)
              for f in schema]
    return pa.Table.from_arrays(arrays, schema=schema)


def _check_unique(table: pa.Table, what: str, source: str | None) -> None:
    """Refuse a product table with an index number on two rows (a look-up would be ambiguous)."""
    if "index" not in table.column_names:
        return
    seen: dict[int, int] = {}
    for index, line in zip(table.column("index").to_pylist(), table.column("line").to_pylist(),
                           strict=True):
        if index in seen:
            raise PcdbError(f"{what}: index number {index:06d} is on line {seen[index]} and "
                            f"line {line}", source=source, line=line)
        seen[index] = line


#: Schema of :attr:`Pcdb.ventilation`.
VENTILATION_SCHEMA = pa.schema([
    ("index", pa.int64()), ("source_table", pa.int64()), ("status", pa.int64()),
    ("manufacturer", pa.string()), ("brand", pa.string()), ("model", pa.string()),
    ("qualifier", pa.string()), ("main_type", pa.int64()), ("duct_type", pa.int64()),
    ("wet_rooms", pa.list_(pa.int64())), ("configuration", pa.list_(pa.int64())),
    ("flow_ls", pa.list_(pa.float64())), ("sfp_w_per_ls", pa.list_(pa.float64())),
    ("hx_efficiency_pct", pa.list_(pa.float64())), ("line", pa.int64()),
])


def _ventilation_part(table: pa.Table, number: int) -> pa.Table:
    renamed = {"flow_ls": "test_flow_ls"} if number == 323 else {}
    arrays = []
    for f in VENTILATION_SCHEMA:
        name = renamed.get(f.name, f.name)
        if f.name == "source_table":
            arrays.append(pa.array([number] * table.num_rows, pa.int64()))
        elif name in table.column_names:
            arrays.append(table.column(name).combine_chunks())
        else:
            arrays.append(pa.nulls(table.num_rows, f.type))
    return pa.Table.from_arrays(arrays, schema=VENTILATION_SCHEMA)


# -------------------------------------------------------------------------------- cache --

def _layout_fingerprint() -> str:
    text = repr(sorted(LAYOUTS.items(), key=lambda kv: kv[0])) + repr(TABLE_SCHEMAS)
    return hashlib.sha256(f"{_CACHE_VERSION}:{text}".encode()).hexdigest()[:12]


def _alias_list(format_aliases: FormatAliases | None) -> list[list[int]]:
    return sorted([t, f, to] for (t, f), to in (format_aliases or {}).items())


def _cache_key(sha256: str, format_aliases: FormatAliases | None) -> str:
    key = f"{sha256}-{_layout_fingerprint()}"
    aliases = _alias_list(format_aliases)
    if aliases:
        key += "-a" + hashlib.sha256(json.dumps(aliases).encode()).hexdigest()[:12]
    return key


def _read_cache(entry: Path, sha256: str, source: str) -> Pcdb | None:
    """The cached :class:`Pcdb`, or None when there is no complete, readable entry."""
    try:
        meta = json.loads((entry / "meta.json").read_text(encoding="utf-8"))
        if meta.get("sha256") != sha256:
            return None
        tables = {int(n): pq.read_table(entry / f"table_{int(n):03d}.parquet")
                  for n in meta["tables"]}
        blocks = [BlockInfo(**{**b, "date": dt.date.fromisoformat(b["date"])
                               if b["date"] else None}) for b in meta["blocks"]]
        file_date = dt.date.fromisoformat(meta["file_date"]) if meta["file_date"] else None
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):
        return None
    return Pcdb(tables, blocks, file_revision=meta["file_revision"], file_date=file_date,
                sha256=sha256, source=source)


def _write_cache(pcdb: Pcdb, entry: Path, format_aliases: FormatAliases | None) -> None:
    """Write the entry through a temporary folder renamed into place; a cache that cannot be
    written is reported as a warning (the parsed data is still returned)."""
    tmp: Path | None = None
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=entry.parent))
        for number, table in pcdb.tables.items():
            pq.write_table(table, tmp / f"table_{number:03d}.parquet")
        meta = {
            "cache_version": _CACHE_VERSION, "sha256": pcdb.sha256,
            "file_revision": pcdb.file_revision,
            "file_date": pcdb.file_date.isoformat() if pcdb.file_date else None,
            "tables": sorted(pcdb.tables), "format_aliases": _alias_list(format_aliases),
            "blocks": [{**b.__dict__, "date": b.date.isoformat() if b.date else None}
                       for b in pcdb.blocks],
        }
        (tmp / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
        if entry.exists():  # an unreadable or stale entry: replace it
            shutil.rmtree(entry)
        os.replace(tmp, entry)
        tmp = None
    except OSError as exc:
        warnings.warn(f"PCDB cache not written to {entry}: {exc}", stacklevel=3)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
