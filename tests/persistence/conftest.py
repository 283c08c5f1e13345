"""The databases every persistence test runs against: a SQLite file and the real PostgreSQL
on 127.0.0.1:5432 (a fresh schema per test session, dropped afterwards, so parallel runs and
reruns never collide).

If PostgreSQL cannot be reached, its tests fail when CI=true and are skipped, loudly,
otherwise. ``ARA_TEST_POSTGRES_URL`` points them at another server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ara.persistence import UnitOfWorkFactory, create_engine, upgrade
from ara.persistence.engine import create_schema, drop_schema
from ara.persistence.tables import TABLES

from .persistence_support import POSTGRES_URL, Database

_POSTGRES_SKIPPED: list[str] = []


def postgres_unavailable(reason: str) -> None:
    url = sa.engine.make_url(POSTGRES_URL)
    message = (f"PostgreSQL at {url.host}:{url.port or 5432} is not reachable ({reason}); "
               "the PostgreSQL half of the persistence suite did not run")
    if os.environ.get("CI") == "true":
        pytest.fail(message + " (CI=true: a missing database is a failure)", pytrace=False)
    _POSTGRES_SKIPPED.append(message)
    pytest.skip(message)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _POSTGRES_SKIPPED:
        terminalreporter.section("POSTGRESQL NOT TESTED", sep="!", red=True, bold=True)
        terminalreporter.write_line(_POSTGRES_SKIPPED[0], red=True, bold=True)


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[tuple[str, str]]:
    """(url, schema): a fresh, migrated schema for this session, dropped at the end."""
    schema = f"ara_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL)
    try:
        with admin.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError as error:
        admin.dispose()
        postgres_unavailable(str(error.orig).strip().splitlines()[0])
    create_schema(admin, schema)
    engine = create_engine(POSTGRES_URL, schema=schema)
    try:
        upgrade(engine)
        engine.dispose()
        yield POSTGRES_URL, schema
    finally:
        engine.dispose()
        drop_schema(admin, schema)
        admin.dispose()


def _truncate_all(engine: Engine) -> None:
    names = ", ".join(table.name for table in TABLES)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"TRUNCATE {names} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database of each kind."""
    if request.param == "sqlite":
        url = str(tmp_path / "ara.db")
        engine = create_engine(url)
        upgrade(engine)
        schema = None
    else:
        url, schema = request.getfixturevalue("postgres_schema")
        engine = create_engine(url, schema=schema)
        _truncate_all(engine)
    try:
        yield Database(request.param, url, schema, engine, UnitOfWorkFactory(engine))
    finally:
        engine.dispose()
