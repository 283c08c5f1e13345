"""UPRN reference data: coordinates and the three planning flags of a batch of UPRNs, looked
up in an OS Open UPRN-style file and cached per UPRN in ``property_spatial`` (decision D-0020).

**Reference files.** One file or several (CSV or Parquet; a local path, a ``file://`` URI or
an object-store URI such as ``s3://bucket/osopenuprn_202511.parquet`` or ``gs://...``, opened
through ``pyarrow.fs.FileSystem.from_uri``). Column names are matched case-insensitively:

=================================  ===================================  ========
column (aliases)                   meaning                              required
=================================  ===================================  ========
``UPRN``                           integer, up to 12 digits             yes
``LATITUDE`` (``LAT``)             degrees, ETRS89 (taken as WGS84)     no
``LONGITUDE`` (``LON``, ``LNG``)   degrees, ETRS89 (taken as WGS84)     no
``X_COORDINATE`` (``EASTING``)     British National Grid easting, m     no
``Y_COORDINATE`` (``NORTHING``)    British National Grid northing, m    no
``CONSERVATION_AREA``              in a conservation area               no
``LISTED_BUILDING``                a listed building                    no
``HERITAGE_BUILDING``              another heritage designation         no
=================================  ===================================  ========

OS Open UPRN itself carries the first five (header with a UTF-8 BOM, CRLF line ends: both
read as they come). It has **no planning flags**: add them as the three extra columns of the
same file, or give a second file keyed by ``UPRN`` holding only them (``sources`` takes a
list; each file contributes the columns it has, the first file holding a value wins). Flag
cells read ``true/false``, ``1/0`` or ``Y/N``; an empty cell is false.

**Lookups** take the whole batch's UPRN set at once and scan each file once, filtered on it:
a CSV is streamed in 256 KiB blocks; a Parquet file is read one row group at a time, and a
row group whose UPRN statistics (min/max) cannot hold any wanted UPRN is never read (in a
file sorted by UPRN, a batch of neighbouring UPRNs reads only the row groups holding them).
Only matching rows are kept: the national file
(about 41 million rows, 2.3 GB of CSV) is never held in memory; the scan needs roughly ten
megabytes of Arrow buffers whatever the file's size. Parquet lookups are several times faster:
convert the national CSV once with :func:`convert_to_parquet`. ``.csv.gz`` / ``.csv.zst``
are decompressed on the fly.

**An unknown UPRN** is unrestricted (all three flags false) and has no coordinates.

**Caching** (:func:`spatial_for_uprns`): one read of ``property_spatial`` for the batch in a
read-only unit of work, the file lookup for the UPRNs not cached with no unit open, then one
upsert of the new rows in one unit (decision D-0012). Unknown UPRNs are cached too, with
``source`` ``not_found:<files>``, so a re-run does not rescan for them; pass
``recheck_unknown=True`` after a new reference release. ``property_spatial`` has no
easting/northing columns: they come back from :meth:`UprnReferenceData.lookup` only.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import PurePosixPath
from typing import Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.dataset as ds
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ara.domain.failures import utc_now
from ara.domain.property import UNRESTRICTED, Coordinates, PlanningFlags

FLAG_COLUMNS: tuple[str, ...] = ("conservation_area", "listed_building", "heritage_building")
COORDINATE_COLUMNS: tuple[str, ...] = ("latitude", "longitude", "easting", "northing")

#: Canonical column -> the names a reference file may use for it (compared case-insensitively).
COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "uprn": ("uprn",),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "lng"),
    "easting": ("x_coordinate", "easting"),
    "northing": ("y_coordinate", "northing"),
    "conservation_area": ("conservation_area",),
    "listed_building": ("listed_building",),
    "heritage_building": ("heritage_building",),
}

#: One row per UPRN looked up, in ascending UPRN order.
LOOKUP_SCHEMA = pa.schema([
    pa.field("uprn", pa.int64(), nullable=False),
    pa.field("found", pa.bool_(), nullable=False),
    pa.field("latitude", pa.float64()),
    pa.field("longitude", pa.float64()),
    pa.field("easting", pa.float64()),
    pa.field("northing", pa.float64()),
    *(pa.field(f, pa.bool_(), nullable=False) for f in FLAG_COLUMNS),
])

#: The rows of the ``property_spatial`` table (``ara.persistence.tables``), column for column;
#: a test keeps the two equal. Easting and northing are not stored there.
SPATIAL_SCHEMA = pa.schema([
    pa.field("uprn", pa.int64(), nullable=False),
    pa.field("latitude", pa.float64()),
    pa.field("longitude", pa.float64()),
    *(pa.field(f, pa.bool_(), nullable=False) for f in FLAG_COLUMNS),
    pa.field("source", pa.string(), nullable=False),
    pa.field("fetched_at", pa.timestamp("us"), nullable=False),
])

NOT_FOUND_PREFIX = "not_found:"

_TRUE_VALUES = ["1", "true", "True", "TRUE", "t", "T", "y", "Y", "yes", "Yes", "YES"]
_FALSE_VALUES = ["0", "false", "False", "FALSE", "f", "F", "n", "N", "no", "No", "NO"]
_CANONICAL_TYPES = {"uprn": pa.int64(), **{c: pa.float64() for c in COORDINATE_COLUMNS},
                    **{f: pa.bool_() for f in FLAG_COLUMNS}}


class ReferenceDataError(ValueError):
    """A reference file that cannot serve lookups (no UPRN column, an unknown format)."""


def unique_uprns(uprns: Iterable[int | None] | np.ndarray | pa.Array | pa.ChunkedArray
                 ) -> np.ndarray:
    """The distinct UPRNs of ``uprns`` in ascending order (int64); nulls are dropped, a UPRN
    that is not a positive integer raises."""
    if isinstance(uprns, (pa.Array, pa.ChunkedArray)):
        array = pc.drop_null(uprns).cast(pa.int64())
        values = array.to_numpy() if isinstance(array, pa.Array) \
            else array.combine_chunks().to_numpy()
    elif isinstance(uprns, np.ndarray):
        values = uprns.astype(np.int64, copy=False)
    else:
        values = np.array([u for u in uprns if u is not None], dtype=np.int64)
    values = np.unique(values)
    if values.size and values[0] <= 0:
        raise ValueError(f"UPRNs are positive integers; got {int(values[0])}")
    return values


def _open(source: str | os.PathLike[str], filesystem: pafs.FileSystem | None
          ) -> tuple[pafs.FileSystem, str]:
    text = os.fspath(source)
    if filesystem is not None:
        return filesystem, text
    if "://" in text:
        fs, path = pafs.FileSystem.from_uri(text)
        return fs, path
    return pafs.LocalFileSystem(), os.path.abspath(text)


def _format_of(path: str, declared: str | None) -> str:
    if declared is not None:
        fmt = declared.lower()
    else:
        suffixes = PurePosixPath(path.lower()).suffixes
        fmt = "parquet" if ".parquet" in suffixes or ".pq" in suffixes else \
            "csv" if ".csv" in suffixes else ""
    if fmt not in ("csv", "parquet"):
        raise ReferenceDataError(f"{path}: cannot tell CSV from Parquet; pass format=")
    return fmt


def _canonical_names(names: Sequence[str], where: str) -> dict[str, str]:
    """canonical column -> the file's own column name."""
    by_lower = {n.lower().strip(): n for n in names}
    out = {}
    for canonical, aliases in COLUMN_ALIASES.items():
        for alias in aliases:
            if alias in by_lower:
                out[canonical] = by_lower[alias]
                break
    if "uprn" not in out:
        raise ReferenceDataError(f"{where}: no UPRN column among {list(names)[:12]}")
    return out


#: CSV bytes parsed per block: the streaming reader keeps a few dozen blocks in flight, so this
#: sets the memory a CSV scan needs (about 10 MB of Arrow buffers), whatever the file's size.
CSV_BLOCK_BYTES = 256 * 1024


@dataclass(frozen=True)
class _Source:
    filesystem: pafs.FileSystem
    path: str
    kind: str  # "csv" or "parquet"
    columns: dict[str, str]  # canonical -> file column
    where: str


def _csv_options(columns: dict[str, str] | None
                 ) -> tuple[pacsv.ReadOptions, pacsv.ConvertOptions]:
    read = pacsv.ReadOptions(block_size=CSV_BLOCK_BYTES)
    if columns is None:
        return read, pacsv.ConvertOptions()
    # Fix the types of the columns used, so that a column empty in the first block is not
    # inferred as null, and flags accept Y/N; read no other column.
    return read, pacsv.ConvertOptions(
        column_types={columns[c]: _CANONICAL_TYPES[c] for c in columns},
        include_columns=[columns[c] for c in columns],
        true_values=_TRUE_VALUES, false_values=_FALSE_VALUES, strings_can_be_null=True)


def _source(source: str | os.PathLike[str], filesystem: pafs.FileSystem | None,
            fmt: str | None) -> _Source:
    fs, path = _open(source, filesystem)
    kind = _format_of(path, fmt)
    where = os.fspath(source)
    if kind == "parquet":
        names = ds.dataset(path, format="parquet", filesystem=fs).schema.names
    else:
        with fs.open_input_stream(path, compression="detect") as stream:
            read, convert = _csv_options(None)
            names = pacsv.open_csv(stream, read_options=read,
                                   convert_options=convert).schema.names
    return _Source(fs, path, kind, _canonical_names(names, where), where)


def _canonical(table: pa.Table | pa.RecordBatch, source: _Source) -> pa.Table:
    names = list(source.columns)
    return pa.Table.from_arrays(
        [table.column(source.columns[c]).cast(_CANONICAL_TYPES[c]) for c in names],
        names=names)


def _scan_csv(source: _Source, wanted: pa.Array) -> list[pa.Table]:
    """Stream the CSV block by block, keeping the rows of wanted UPRNs."""
    uprn = source.columns["uprn"]
    read, convert = _csv_options(source.columns)
    kept = []
    with source.filesystem.open_input_stream(source.path, compression="detect") as stream:
        for batch in pacsv.open_csv(stream, read_options=read, convert_options=convert):
            mask = pc.is_in(batch.column(uprn), value_set=wanted)
            if pc.any(mask).as_py():
                kept.append(_canonical(batch.filter(mask), source))
    return kept


def _read_row_group(row_group: ds.ParquetFileFragment, columns: list[str],
                    condition: ds.Expression) -> pa.Table:
    return row_group.to_table(columns=columns, filter=condition)


def _scan_parquet(source: _Source, wanted: pa.Array) -> list[pa.Table]:
    """Read the row groups whose UPRN statistics can hold a wanted UPRN, one at a time."""
    dataset = ds.dataset(source.path, format="parquet", filesystem=source.filesystem)
    condition = ds.field(source.columns["uprn"]).isin(wanted)
    columns = list(source.columns.values())
    kept = []
    for fragment in dataset.get_fragments(filter=condition):
        for row_group in fragment.split_by_row_group(condition):
            table = _read_row_group(row_group, columns, condition)
            if table.num_rows:
                kept.append(_canonical(table, source))
    return kept


class UprnReferenceData:
    """The UPRN reference file(s) of one release: a Repo over stored reference data."""

    def __init__(self, sources: str | os.PathLike[str] | Sequence[str | os.PathLike[str]], *,
                 format: str | None = None, filesystem: pafs.FileSystem | None = None,
                 label: str | None = None) -> None:
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        if not sources:
            raise ValueError("at least one reference file is needed")
        self._sources = [_source(s, filesystem, format) for s in sources]
        self.label = label or "+".join(PurePosixPath(s.where).name for s in self._sources)
        """Written to ``property_spatial.source``: which release the rows came from."""

    @property
    def columns(self) -> tuple[str, ...]:
        """The canonical columns the files hold between them."""
        return tuple(c for c in COLUMN_ALIASES if any(c in s.columns for s in self._sources))

    def _scan(self, source: _Source, wanted: pa.Array) -> pa.Table:
        kept = (_scan_parquet if source.kind == "parquet" else _scan_csv)(source, wanted)
        schema = pa.schema([pa.field(c, _CANONICAL_TYPES[c]) for c in source.columns])
        return pa.concat_tables(kept) if kept else schema.empty_table()

    def lookup(self, uprns: Iterable[int | None] | np.ndarray | pa.Array) -> pa.Table:
        """Coordinates and flags of every distinct UPRN of ``uprns`` (``LOOKUP_SCHEMA``, in
        ascending UPRN order); an unknown UPRN has ``found`` false, null coordinates and all
        flags false. One filtered scan per reference file."""
        wanted_np = unique_uprns(uprns)
        wanted = pa.array(wanted_np, type=pa.int64())
        n = len(wanted_np)
        found = np.zeros(n, dtype=bool)
        values: dict[str, pa.Array | None] = {c: None for c in COORDINATE_COLUMNS + FLAG_COLUMNS}
        for source in self._sources:
            if n == 0:
                break
            scanned = self._scan(source, wanted)
            positions = pc.index_in(wanted, value_set=scanned.column("uprn").combine_chunks())
            hit = pc.is_valid(positions).to_numpy(zero_copy_only=False)
            found |= hit
            for column in values:
                if column not in scanned.column_names:
                    continue
                taken = pc.take(scanned.column(column), positions)
                if isinstance(taken, pa.ChunkedArray):
                    taken = taken.combine_chunks()
                current = values[column]
                values[column] = taken if current is None else pc.coalesce(current, taken)
        arrays: list[pa.Array] = [wanted, pa.array(found)]
        for column in COORDINATE_COLUMNS:
            v = values[column]
            arrays.append(pa.nulls(n, pa.float64()) if v is None else v.cast(pa.float64()))
        for column in FLAG_COLUMNS:
            v = values[column]
            arrays.append(pa.array(np.zeros(n, dtype=bool)) if v is None
                          else pc.fill_null(v, False))
        return pa.Table.from_arrays(arrays, schema=LOOKUP_SCHEMA)


def _all_batches(source: _Source) -> Iterator[pa.Table]:
    if source.kind == "parquet":
        dataset = ds.dataset(source.path, format="parquet", filesystem=source.filesystem)
        for batch in dataset.to_batches(columns=list(source.columns.values()),
                                        batch_readahead=1, fragment_readahead=1):
            yield _canonical(batch, source)
        return
    read, convert = _csv_options(source.columns)
    with source.filesystem.open_input_stream(source.path, compression="detect") as stream:
        for batch in pacsv.open_csv(stream, read_options=read, convert_options=convert):
            yield _canonical(batch, source)


def convert_to_parquet(source: str | os.PathLike[str], destination: str | os.PathLike[str], *,
                       format: str | None = None, filesystem: pafs.FileSystem | None = None,
                       row_group_size: int = 100_000) -> int:
    """Stream a reference file (the national CSV) into one Parquet file with canonical column
    names, a row group at a time; returns the rows written. Row groups keep UPRN statistics,
    so a file in UPRN order (as OS Open UPRN is published) lets lookups skip most of them."""
    src = _source(source, filesystem, format)
    schema = pa.schema([pa.field(c, _CANONICAL_TYPES[c]) for c in src.columns])
    dest_fs, dest_path = _open(destination, None)
    written = 0
    with dest_fs.open_output_stream(dest_path) as sink, \
            pq.ParquetWriter(sink, schema) as writer:
        pending: list[pa.Table] = []
        pending_rows = 0
        for table in _all_batches(src):
            pending.append(table)
            pending_rows += table.num_rows
            if pending_rows >= row_group_size:
                writer.write_table(pa.concat_tables(pending), row_group_size=row_group_size)
                written += pending_rows
                pending, pending_rows = [], 0
        if pending:
            writer.write_table(pa.concat_tables(pending), row_group_size=row_group_size)
            written += pending_rows
    return written


# ---------------------------------------------------------------------------------------------
# The per-UPRN cache in property_spatial
# ---------------------------------------------------------------------------------------------

class SpatialRows(Protocol):
    """What the cache needs of the ``property_spatial`` repository."""

    def read(self, keys: Sequence[object], columns: Sequence[str] | None = None) -> pa.Table:
        ...

    def upsert(self, data: pa.Table) -> int:
        ...


class SpatialUnit(Protocol):
    """What the cache needs of a unit of work."""

    @property
    def spatial(self) -> SpatialRows:
        ...


UnitFactory = Callable[..., AbstractContextManager[SpatialUnit]]
"""``ara.persistence.UnitOfWorkFactory``: called with ``read_only=True`` for the cache read
and with no arguments for the write."""


def spatial_rows(lookup: pa.Table, source: str, fetched_at: datetime) -> pa.Table:
    """``property_spatial`` rows of a lookup result: unknown UPRNs get ``not_found:`` in
    their source."""
    n = lookup.num_rows
    found = lookup.column("found")
    sources = pc.if_else(found, pa.scalar(source), pa.scalar(NOT_FOUND_PREFIX + source))
    return pa.Table.from_arrays(
        [lookup.column("uprn"), lookup.column("latitude"), lookup.column("longitude"),
         *(lookup.column(f) for f in FLAG_COLUMNS), sources,
         pa.array(np.full(n, np.datetime64(fetched_at, "us")), type=pa.timestamp("us"))],
        schema=SPATIAL_SCHEMA)


@dataclass(frozen=True)
class SpatialBatch:
    """The outcome of :func:`spatial_for_uprns`."""

    rows: pa.Table
    """``SPATIAL_SCHEMA`` rows of every requested UPRN, ascending."""
    cached: int
    """How many came from ``property_spatial``."""
    looked_up: int
    """How many were looked up in the reference file(s) and written."""


def spatial_for_uprns(uprns: Iterable[int | None] | np.ndarray | pa.Array,
                      reference: UprnReferenceData, units: UnitFactory, *,
                      recheck_unknown: bool = False,
                      fetched_at: datetime | None = None) -> SpatialBatch:
    """Coordinates and planning flags of a batch of UPRNs, from the ``property_spatial``
    cache where present and from the reference file(s) otherwise; the new rows are written
    back. One read query, one file lookup and one upsert per batch."""
    wanted = unique_uprns(uprns)
    with units(read_only=True) as uow:
        cached = uow.spatial.read(wanted.tolist())
    if recheck_unknown and cached.num_rows:
        known = pc.invert(pc.starts_with(cached.column("source"), NOT_FOUND_PREFIX))
        cached = cached.filter(known)
    cached = cached.select(SPATIAL_SCHEMA.names).cast(SPATIAL_SCHEMA)
    have = cached.column("uprn").to_numpy()
    missing = np.setdiff1d(wanted, have, assume_unique=True)
    fresh = spatial_rows(reference.lookup(missing), reference.label,
                         fetched_at or utc_now()) if missing.size else SPATIAL_SCHEMA.empty_table()
    if fresh.num_rows:
        with units() as uow:
            uow.spatial.upsert(fresh)
    rows = pa.concat_tables([cached, fresh]).sort_by("uprn")
    return SpatialBatch(rows, cached.num_rows, fresh.num_rows)


def to_domain(rows: pa.Table) -> dict[int, tuple[Coordinates | None, PlanningFlags]]:
    """Per UPRN, the domain values of ``SPATIAL_SCHEMA`` (or ``LOOKUP_SCHEMA``) rows:
    coordinates (None when unknown) and the three planning flags."""
    out: dict[int, tuple[Coordinates | None, PlanningFlags]] = {}
    for r in rows.select(["uprn", "latitude", "longitude", *FLAG_COLUMNS]).to_pylist():
        coords = None if r["latitude"] is None or r["longitude"] is None \
            else Coordinates(r["latitude"], r["longitude"])
        flags = PlanningFlags(r["conservation_area"], r["listed_building"],
                              r["heritage_building"])
        out[r["uprn"]] = (coords, UNRESTRICTED if flags == UNRESTRICTED else flags)
    return out


__all__ = ["COLUMN_ALIASES", "FLAG_COLUMNS", "LOOKUP_SCHEMA", "NOT_FOUND_PREFIX",
           "SPATIAL_SCHEMA", "ReferenceDataError", "SpatialBatch", "SpatialRows",
           "SpatialUnit", "UprnReferenceData", "convert_to_parquet", "spatial_for_uprns",
           "spatial_rows", "to_domain", "unique_uprns"]
