"""Bulk I/O between Arrow tables and the database, on SQLite and PostgreSQL alike.

* Reads select a set of keys with **one bound parameter** whatever the set's size (a JSON
  array expanded by ``json_each`` on SQLite, a typed array on PostgreSQL), so one query per
  table, and round trips do not grow with the batch.
* Writes are idempotent upserts on the table's natural key (its primary key). On PostgreSQL
  the Arrow table is streamed with binary ``COPY`` into a staging table, then
  ``INSERT ... SELECT ... ORDER BY key ON CONFLICT DO UPDATE``; on SQLite it is an
  ``executemany`` of ``INSERT ... ON CONFLICT DO UPDATE``. Rows are written in key order,
  so two concurrent writers lock rows in the same order and cannot deadlock on them.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import struct
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json
import sqlalchemy as sa

from ara.persistence.tables import arrow_schema, natural_key

#: Rows per Arrow batch turned into Python values for COPY.
COPY_CHUNK_ROWS = 20_000
#: Rows per executemany call on SQLite.
SQLITE_CHUNK_ROWS = 20_000

_stage_numbers = itertools.count()


class DuplicateKeyError(ValueError):
    """A batch holds the same natural key twice: the caller must decide which row is meant."""


def _quote(conn: sa.Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def _qualified(conn: sa.Connection, column: sa.ColumnElement[object]) -> str:
    assert isinstance(column, sa.Column) and column.table is not None
    table = column.table
    assert isinstance(table, (sa.Table, sa.Alias))
    return f"{_quote(conn, table.name)}.{_quote(conn, column.name)}"


def key_filter(conn: sa.Connection, columns: Sequence[sa.Column[object]],
               keys: Sequence[Sequence[object]], *, name: str = "keys",
               negate: bool = False) -> sa.TextClause:
    """A WHERE clause ``(columns) IN keys`` with one bound parameter per key column on
    PostgreSQL and a single one on SQLite, however many keys there are. ``keys`` is
    column-major: one sequence of values per column, all of the same length. ``negate``
    gives ``NOT IN``."""
    if len(columns) != len(keys) or not columns:
        raise ValueError("one key sequence per column")
    n = len(keys[0])
    if any(len(k) != n for k in keys):
        raise ValueError("key sequences differ in length")
    targets = [_qualified(conn, c) for c in columns]
    dialect = conn.dialect.name
    if dialect == "sqlite":
        if len(columns) == 1:
            clause = f"{targets[0]} IN (SELECT value FROM json_each(:{name}))"
            payload = json.dumps(list(keys[0]))
        else:
            picks = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(columns)))
            clause = f"({', '.join(targets)}) IN (SELECT {picks} FROM json_each(:{name}))"
            payload = json.dumps([list(row) for row in zip(*keys, strict=True)])
        if negate:
            clause = f"NOT ({clause})"
        return sa.text(clause).bindparams(sa.bindparam(name, payload))
    if dialect == "postgresql":
        params: list[sa.BindParameter[object]] = []
        casts: list[str] = []
        for i, (column, values) in enumerate(zip(columns, keys, strict=True)):
            pname = f"{name}_{i}"
            sql_type = column.type.compile(dialect=conn.dialect)
            casts.append(f"CAST(:{pname} AS {sql_type}[])")
            params.append(sa.bindparam(pname, list(values)))
        if len(columns) == 1:
            clause = f"{targets[0]} = ANY({casts[0]})"
        else:
            clause = f"({', '.join(targets)}) IN (SELECT * FROM unnest({', '.join(casts)}))"
        if negate:
            clause = f"NOT ({clause})"
        return sa.text(clause).bindparams(*params)
    raise ValueError(f"unsupported dialect {dialect!r}")


def read_arrow(conn: sa.Connection, statement: sa.Select,
               schema: pa.Schema) -> pa.Table:
    """Run ``statement`` (one query) and return its rows as an Arrow table of ``schema``
    (the statement's columns, in order)."""
    rows = conn.execute(statement).fetchall()
    if len(statement.selected_columns) != len(schema):
        raise ValueError("statement columns and schema differ")
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = [pa.array(values, type=field.type) for values, field in zip(columns, schema,
                                                                          strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def conform(table: sa.Table, data: pa.Table) -> pa.Table:
    """``data`` cast to the table's Arrow types, columns in table order; every column must
    belong to the table and the natural key must be present."""
    schema = arrow_schema(table)
    unknown = [name for name in data.column_names if name not in schema.names]
    if unknown:
        raise ValueError(f"{table.name} has no column(s) {unknown}")
    missing = [k for k in natural_key(table) if k not in data.column_names]
    if missing:
        raise ValueError(f"{table.name}: the natural key column(s) {missing} are missing")
    names = [n for n in schema.names if n in data.column_names]
    target = pa.schema([schema.field(n) for n in names])
    out = data.select(names)
    if not out.schema.equals(target, check_metadata=False):
        out = pa.Table.from_arrays([out.column(n).cast(target.field(n).type) for n in names],
                                   schema=target)
    return out


def check_unique_keys(table: sa.Table, data: pa.Table) -> None:
    keys = list(natural_key(table))
    if data.num_rows < 2:
        return
    counts = data.select(keys).group_by(keys).aggregate([([], "count_all")])
    dupes = counts.filter(pc.greater(counts["count_all"], 1))
    if dupes.num_rows:
        example = {k: dupes.column(k)[0].as_py() for k in keys}
        raise DuplicateKeyError(f"{table.name}: {dupes.num_rows} natural key(s) appear more "
                                f"than once in the batch, e.g. {example}")


def upsert_arrow(conn: sa.Connection, table: sa.Table, data: pa.Table) -> int:
    """Insert or replace ``data``'s rows on the natural key; returns the rows written.
    Columns absent from ``data`` keep their stored values on update; they must be nullable
    (the proposed row is checked before the conflict is)."""
    data = conform(table, data)
    check_unique_keys(table, data)
    if data.num_rows == 0:
        return 0
    if conn.dialect.name == "postgresql":
        _upsert_postgresql(conn, table, data)
    elif conn.dialect.name == "sqlite":
        _upsert_sqlite(conn, table, data)
    else:
        raise ValueError(f"unsupported dialect {conn.dialect.name!r}")
    return data.num_rows


def _upsert_sqlite(conn: sa.Connection, table: sa.Table, data: pa.Table) -> None:
    """``executemany`` of one tuple per row, built column by column from the Arrow table (no
    dict per row), through the connection's own cursor, so inside the caller's transaction.
    Each value goes through the column type's bind processor, as SQLAlchemy would pass it."""
    keys = natural_key(table)
    names = data.column_names
    column_list = ", ".join(_quote(conn, n) for n in names)
    updates = [n for n in names if n not in keys]
    key_list = ", ".join(_quote(conn, k) for k in keys)
    action = ("DO UPDATE SET " + ", ".join(f"{_quote(conn, n)} = excluded.{_quote(conn, n)}"
                                           for n in updates)) if updates else "DO NOTHING"
    sql = (f"INSERT INTO {_quote(conn, table.name)} ({column_list}) "
           f"VALUES ({', '.join('?' for _ in names)}) ON CONFLICT ({key_list}) {action}")
    dialect = conn.dialect
    processors = [table.c[n].type.dialect_impl(dialect).bind_processor(dialect)
                  for n in names]
    for batch in data.to_batches(max_chunksize=SQLITE_CHUNK_ROWS):
        columns: list[list[Any]] = []
        for column, process in zip(batch.columns, processors, strict=True):
            values = column.to_pylist()
            columns.append(values if process is None else [process(v) for v in values])
        conn.exec_driver_sql(sql, list(zip(*columns, strict=True)))


#: psycopg binary COPY type of each SQL type the tables use.
_COPY_TYPES: tuple[tuple[type[sa.types.TypeEngine[Any]], str], ...] = (
    (sa.BigInteger, "int8"), (sa.Integer, "int4"), (sa.Float, "float8"),
    (sa.Boolean, "bool"), (sa.DateTime, "timestamp"), (sa.Date, "date"),
    (sa.LargeBinary, "bytea"), (sa.Text, "text"),
)


def _copy_type(column: sa.Column[object]) -> str:
    for kind, name in _COPY_TYPES:
        if isinstance(column.type, kind):
            return name
    raise TypeError(f"no COPY type for {column.table}.{column.name} ({column.type!r})")


_COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # no flags, no header extension
_COPY_TRAILER = b"\xff\xff"
_NULL_CELL = pa.scalar(b"\xff\xff\xff\xff", pa.large_binary())  # length -1
_JOIN = pa.scalar(b"", pa.large_binary())  # cells are joined with no separator
#: The big-endian NumPy type of each fixed-width binary COPY type.
_FIXED = {"int8": ">i8", "int4": ">i4", "float8": ">f8", "bool": "u1", "timestamp": ">i8",
          "date": ">i4"}
_PG_EPOCH_DAYS = 10_957  # 2000-01-01, PostgreSQL's epoch, in days since 1970-01-01
_PG_EPOCH_US = _PG_EPOCH_DAYS * 86_400_000_000


def _fixed_binary(values: np.ndarray) -> pa.Array:
    """A contiguous 1-D array's items, each as one binary value of its bytes."""
    values = np.ascontiguousarray(values)
    return pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(values.dtype.itemsize), len(values), [None, pa.py_buffer(values)]
    ).cast(pa.large_binary())


def _fixed_cells(values: np.ndarray) -> pa.Array:
    """Binary COPY cells of fixed-width big-endian values: the width, then the value."""
    width = values.dtype.itemsize
    cells = np.empty((len(values), 4 + width), dtype=np.uint8)
    cells[:, :4] = np.frombuffer(struct.pack(">i", width), dtype=np.uint8)
    cells[:, 4:] = np.ascontiguousarray(values).view(np.uint8).reshape(len(values), width)
    return _fixed_binary(cells.view(f"V{4 + width}").reshape(len(values)))


def _copy_cells(column: pa.Array, kind: str) -> list[pa.Array]:
    """``column``'s values as binary COPY cells (4-byte length, then the value as
    PostgreSQL's binary form has it; a null is the length -1), as one array of cells or,
    for variable-width values, an array of lengths and one of values (joined once, later)."""
    if kind in _FIXED:
        raw: np.ndarray
        if kind == "timestamp":  # microseconds since 2000-01-01
            numbers = column.cast(pa.timestamp("us")).cast(pa.int64())
            raw = np.asarray(pc.fill_null(numbers, 0), dtype=np.int64) - _PG_EPOCH_US
        elif kind == "date":  # days since 2000-01-01
            numbers = column.cast(pa.date32()).cast(pa.int32())
            raw = np.asarray(pc.fill_null(numbers, 0), dtype=np.int32) - _PG_EPOCH_DAYS
        elif kind == "bool":
            raw = np.asarray(pc.fill_null(column.cast(pa.bool_()), False), dtype=bool)
        else:
            raw = np.asarray(pc.fill_null(column, 0))
        cells = _fixed_cells(raw.astype(_FIXED[kind]))
    else:  # text (UTF-8) and bytea: the length (-1: null), then the bytes as they are
        data = pc.fill_null(column.cast(pa.large_binary()), b"")
        lengths = pc.fill_null(pc.binary_length(column.cast(pa.large_binary())), -1)
        return [_fixed_binary(np.asarray(lengths, dtype=np.int64).astype(">i4")), data]
    if column.null_count:
        cells = pc.if_else(pc.is_valid(column), cells, _NULL_CELL)
    return [cells]


def _copy_rows(batch: pa.RecordBatch, types: Sequence[str]) -> memoryview:
    """The batch's rows in PostgreSQL's binary COPY form (field count, then the cells)."""
    n = batch.num_rows
    header = _fixed_binary(np.full(n, batch.num_columns, dtype=">i2"))
    parts = [part for column, kind in zip(batch.columns, types, strict=True)
             for part in _copy_cells(column, kind)]
    rows = pc.binary_join_element_wise(header, *parts, _JOIN)
    offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64, count=n + 1,
                            offset=rows.offset * 8)
    return memoryview(rows.buffers()[2])[int(offsets[0]):int(offsets[-1])]


def _upsert_postgresql(conn: sa.Connection, table: sa.Table, data: pa.Table) -> None:
    keys = natural_key(table)
    names = data.column_names
    target = _quote(conn, table.name)
    stage = f"_ara_stage_{next(_stage_numbers)}"
    column_list = ", ".join(_quote(conn, n) for n in names)
    conn.exec_driver_sql(
        f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS "
        f"SELECT {column_list} FROM {target} WITH NO DATA")
    driver = conn.connection.driver_connection
    assert driver is not None
    types = [_copy_type(table.c[n]) for n in names]
    # Binary COPY built column by column: each column becomes one Arrow array of cells
    # (length + value in PostgreSQL's binary form), the cells are joined row by row by
    # Arrow, and the rows' bytes go to COPY as they are: no Python value per cell.
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY {stage} ({column_list}) FROM STDIN (FORMAT binary)") as copy:
            copy.write(_COPY_SIGNATURE)
            for batch in data.to_batches(max_chunksize=COPY_CHUNK_ROWS):
                copy.write(_copy_rows(batch, types))
            copy.write(_COPY_TRAILER)
    updates = [n for n in names if n not in keys]
    key_list = ", ".join(_quote(conn, k) for k in keys)
    action = ("DO UPDATE SET " + ", ".join(f"{_quote(conn, n)} = EXCLUDED.{_quote(conn, n)}"
                                           for n in updates)) if updates else "DO NOTHING"
    conn.exec_driver_sql(
        f"INSERT INTO {target} ({column_list}) SELECT {column_list} FROM {stage} "
        f"ORDER BY {key_list} ON CONFLICT ({key_list}) {action}")
    conn.exec_driver_sql(f"DROP TABLE {stage}")


def delete_keys(conn: sa.Connection, table: sa.Table, columns: Sequence[str],
                keys: Sequence[Sequence[object]]) -> int:
    """Delete the rows whose ``columns`` match one of ``keys`` (column-major); one statement."""
    if not keys or not len(keys[0]):
        return 0
    clause = key_filter(conn, [table.c[c] for c in columns], keys, name="delete_keys")
    result = conn.execute(sa.delete(table).where(clause))
    return int(result.rowcount or 0)


#: Arrow's conversion of Python values refuses an integer beyond 2**53 where a float column
#: is expected, its JSON reader reads one: text with a run of 16 digits takes the Python path
#: so that it fails as before. (Bytes mapped to digit/other, then one substring search.)
_DIGITS = bytes(48 if 48 <= i <= 57 else 32 for i in range(256))
_LONG_RUN = b"0" * 16


def table_from_json_texts(texts: Sequence[str], schema: pa.Schema) -> pa.Table:
    """``pa.Table.from_pylist([json.loads(t) for t in texts], schema=schema)``, the same table
    or the same error, with the texts (JSON objects, stored data JSON) parsed by Arrow's JSON
    reader in one pass instead of as Python dicts. Map columns, which that reader cannot
    build, are filled from Python for the rows that may hold a value. Input the reader
    refuses or might read differently (a value of another type than its column, duplicate
    keys, bad surrogates, line breaks, integers beyond 2**53) goes the Python way."""
    if not texts or any("\n" in text or "\r" in text for text in texts):
        return _from_python(texts, schema)
    buffer = "\n".join(texts).encode()
    if buffer.translate(_DIGITS).find(_LONG_RUN) >= 0:
        return _from_python(texts, schema)
    maps = [f.name for f in schema if pa.types.is_map(f.type)]
    explicit = pa.schema([f for f in schema if f.name not in maps])
    try:
        table = pa_json.read_json(
            io.BytesIO(buffer),
            read_options=pa_json.ReadOptions(use_threads=False, block_size=len(buffer) + 1),
            parse_options=pa_json.ParseOptions(explicit_schema=explicit,
                                               unexpected_field_behavior="ignore"))
        if table.num_rows != len(texts) or table.schema != explicit:
            raise ValueError("unexpected JSON reader result")
        for name in maps:
            table = table.add_column(schema.get_field_index(name), schema.field(name),
                                     _map_column(texts, name, schema.field(name).type))
        return table.combine_chunks()
    except (pa.ArrowException, ValueError, TypeError):
        return _from_python(texts, schema)


def json_map_value(value: Any) -> Any:
    """A map value as JSON stores it (Arrow's ``to_pylist`` gives (key, value) tuples, which
    JSON writes as two-element lists) in the form ``pa.array`` takes back."""
    if isinstance(value, list):
        return [tuple(pair) if isinstance(pair, list) else pair for pair in value]
    return value


def rows_with_json_maps(rows: Sequence[dict[str, Any]], schema: pa.Schema
                        ) -> Sequence[dict[str, Any]]:
    """``rows`` with every map column of ``schema`` in the form ``from_pylist`` takes."""
    maps = [f.name for f in schema if pa.types.is_map(f.type)]
    if not maps:
        return rows
    return [{**r, **{m: json_map_value(r[m]) for m in maps if m in r}} for r in rows]


def _from_python(texts: Sequence[str], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(
        list(rows_with_json_maps([json.loads(text) for text in texts], schema)), schema=schema)


def _map_column(texts: Sequence[str], name: str, kind: pa.DataType) -> pa.Array:
    """The map column ``name``: parsed from the texts that may hold a value for it."""
    key = f'"{name}"'
    absent = re.compile(rf'"{re.escape(name)}"\s*:\s*null\s*[,}}]')
    values: list[Any] = [None] * len(texts)
    for i, text in enumerate(texts):
        if key in text and not (text.count(key) == 1 and absent.search(text)):
            values[i] = json_map_value(json.loads(text).get(name))
    return pa.array(values, type=kind)


__all__ = ["COPY_CHUNK_ROWS", "DuplicateKeyError", "check_unique_keys", "conform",
           "delete_keys", "json_map_value", "key_filter", "read_arrow", "rows_with_json_maps",
           "table_from_json_texts", "upsert_arrow"]
