"""Engines: one configured engine per database per process (decision D-0012).

One code path serves SQLite (the embedded default: a file the user names, or ``ara.db``) and
PostgreSQL (``postgresql+psycopg://...``). SQLite runs in WAL mode with a busy timeout and
foreign keys on; a writing unit of work (and a migration) starts with ``BEGIN IMMEDIATE``, so
two writers queue for the write lock instead of failing when a read turns into a write; a
read-only unit starts ``BEGIN DEFERRED`` with ``query_only`` set. On PostgreSQL an
optional ``schema`` sets the connection's ``search_path`` (isolated test schemas, tenants).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

DEFAULT_SQLITE_FILE = "ara.db"
SQLITE_BUSY_TIMEOUT_S = 60.0

#: Connection-info key read by the ``begin`` hook: ``"read"`` or ``"write"`` for a unit of
#: work's transaction; absent for any other use of a connection.
TRANSACTION_MODE = "ara_transaction_mode"


def database_url(target: str | os.PathLike[str] | URL | None = None) -> URL:
    """The URL of ``target``: a URL as given, else a SQLite file path (default ``ara.db``)."""
    if isinstance(target, URL):
        return target
    if target is None:
        target = DEFAULT_SQLITE_FILE
    text = os.fspath(target)
    if "://" in text:
        url = make_url(text)
        if url.drivername == "postgresql":  # the driver Ara is built on, whatever the default
            url = url.set(drivername="postgresql+psycopg")
        return url
    return URL.create("sqlite+pysqlite", database=str(Path(text)))


def _configure_sqlite(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let the begin hook below issue BEGIN itself: pysqlite's own implicit BEGIN is
        # deferred, and a deferred transaction that reads before it writes can fail with
        # SQLITE_BUSY without waiting when another writer got in first.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        mode = connection.info.get(TRANSACTION_MODE)
        # query_only makes a read-only unit refuse writes, as PostgreSQL's READ ONLY does.
        connection.exec_driver_sql(f"PRAGMA query_only={1 if mode == 'read' else 0}")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == "write" else "BEGIN DEFERRED")


def _configure_postgresql(engine: Engine) -> None:
    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # EPC documents are large and compressible: lz4 TOAST compression writes them about
        # 1.6 times faster than the default pglz. Servers without lz4 keep their default.
        try:
            with dbapi_connection.cursor() as cursor:
                cursor.execute("SET default_toast_compression = 'lz4'")
            dbapi_connection.commit()
        except Exception:  # noqa: BLE001 - any refusal just leaves the default
            dbapi_connection.rollback()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        if connection.info.get(TRANSACTION_MODE) == "read":
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")


def create_engine(target: str | os.PathLike[str] | URL | None = None, *,
                  schema: str | None = None, **kwargs: Any) -> Engine:
    """A new, configured engine. Prefer :func:`get_engine`, which makes one per process."""
    url = database_url(target)
    backend = url.get_backend_name()
    if backend == "sqlite":
        if schema is not None:
            raise ValueError("SQLite has no schemas: name another file instead")
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_S, **kwargs.pop("connect_args", {})}
        engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
    elif backend == "postgresql":
        connect_args = dict(kwargs.pop("connect_args", {}))
        if schema is not None:
            if not schema.replace("_", "").isalnum():
                raise ValueError(f"schema name must be alphanumeric/underscore: {schema!r}")
            options = connect_args.get("options", "")
            connect_args["options"] = f"{options} -c search_path={schema}".strip()
        kwargs.setdefault("pool_pre_ping", True)
        engine = sa.create_engine(url, connect_args=connect_args, **kwargs)
        _configure_postgresql(engine)
    else:
        raise ValueError(f"unsupported database {backend!r}: use SQLite or PostgreSQL")
    return engine


_ENGINES: dict[tuple[str, str | None], Engine] = {}
_ENGINES_LOCK = threading.Lock()


def get_engine(target: str | os.PathLike[str] | URL | None = None, *,
               schema: str | None = None) -> Engine:
    """The process's engine for ``target`` (created on first use, then reused)."""
    url = database_url(target)
    key = (url.render_as_string(hide_password=False), schema)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            engine = _ENGINES[key] = create_engine(url, schema=schema)
        return engine


def dispose_engines() -> None:
    """Close every cached engine's pool (tests, shutdown)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _forget_engines_in_child() -> None:
    # A forked child must not use its parent's pooled connections: drop them without closing
    # (closing would close the parent's sockets too) and start afresh.
    for engine in _ENGINES.values():
        engine.dispose(close=False)
    _ENGINES.clear()


os.register_at_fork(after_in_child=_forget_engines_in_child)


def create_schema(engine: Engine, schema: str) -> None:
    """Create a PostgreSQL schema (for an engine made with ``schema=``)."""
    with engine.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')


def drop_schema(engine: Engine, schema: str) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
