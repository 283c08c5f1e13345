"""A fresh, migrated PostgreSQL schema on 127.0.0.1:5432 for a test or benchmark, dropped
afterwards. Unreachable: a failure under CI=true, a loud skip otherwise."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ara.persistence import create_engine, upgrade
from ara.persistence.engine import create_schema, drop_schema
from ara.persistence.migrate import downgrade

POSTGRES_URL = os.environ.get("ARA_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def reachable_admin() -> Engine:
    """An engine on the test database, checked reachable: unreachable is a failure under
    CI=true and a loud skip otherwise."""
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        admin.dispose()
        message = f"PostgreSQL at 127.0.0.1:5432 is not reachable ({error.orig})"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: a missing database is a failure)")
        pytest.skip(message)
    return admin


@contextmanager
def postgres_engine(prefix: str = "ara_test") -> Iterator[Engine]:
    admin = reachable_admin()
    schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
    create_schema(admin, schema)
    engine = create_engine(POSTGRES_URL, schema=schema)
    try:
        upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        drop_schema(admin, schema)
        admin.dispose()


def snapshot(db: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every Ara table's rows in the database at URL or SQLite path ``db``, timestamps left
    out, in a stable order: two runs that end alike have equal snapshots."""
    from ara.persistence import tables as t

    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            out = {}
            for table in t.TABLES:
                columns = [c for c in table.columns if not isinstance(c.type, sa.DateTime)]
                rows = conn.execute(sa.select(*columns)).all()
                out[table.name] = sorted((tuple(r) for r in rows), key=repr)
            return out
    finally:
        engine.dispose()


@contextmanager
def schema_urls(prefix: str) -> Iterator[Callable[[], str]]:
    """A factory of URLs of fresh PostgreSQL schemas (named in the URL's search_path), each
    created on call and all dropped afterwards; unreachable PostgreSQL as
    :func:`reachable_admin` says."""
    admin = reachable_admin()
    made: list[str] = []

    def fresh() -> str:
        schema = f"{prefix}_{uuid.uuid4().hex[:10]}"
        create_schema(admin, schema)
        made.append(schema)
        return f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    try:
        yield fresh
    finally:
        for schema in made:
            drop_schema(admin, schema)
        admin.dispose()


@contextmanager
def engine_at(kind: str, folder: Path, revision: str, prefix: str) -> Iterator[Engine]:
    """An empty database at schema ``revision``: a SQLite file in ``folder``, or a fresh
    PostgreSQL schema (made at head, then taken down to ``revision``), for the migration
    tests."""
    if kind == "sqlite":
        engine = create_engine(str(folder / "old.db"))
        upgrade(engine, revision)
        try:
            yield engine
        finally:
            engine.dispose()
    else:
        with postgres_engine(prefix) as engine:
            downgrade(engine, revision)
            yield engine


def engine_url(engine: Engine) -> str:
    """The URL (a SQLite path) that reaches ``engine``'s database, its PostgreSQL schema in
    the search path: for handing a test's database to ``ara`` commands."""
    if engine.dialect.name == "sqlite":
        return str(engine.url.database)
    with engine.connect() as conn:
        schema = conn.execute(sa.text("SELECT current_schema()")).scalar_one()
    return engine.url.update_query_dict({"options": f"-csearch_path={schema}"}) \
        .render_as_string(hide_password=False)
