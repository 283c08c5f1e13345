"""Schema migrations with Alembic, run from code (no alembic.ini needed).

``upgrade(engine)`` brings a database to the newest revision; it is safe to call from
several processes at once (on PostgreSQL the run holds an advisory lock; on SQLite the
migration transaction holds the write lock).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from ara.persistence.engine import TRANSACTION_MODE

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
_MIGRATION_LOCK_KEY = 0x41_72_61_00  # "Ara\0": the advisory lock of a migration run


def alembic_config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


class MigrationError(RuntimeError):
    """A migration left the database inconsistent (a foreign key check failed)."""


def _migrate(engine: Engine, direction: str, revision: str) -> None:
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        driver: Any = connection.connection.driver_connection if sqlite else None
        if sqlite:
            # SQLite rebuilds a table to change a column (batch mode): with foreign keys on,
            # dropping the old table would cascade to its children. The pragma only takes
            # effect outside a transaction; the keys are checked before they are back on.
            driver.execute("PRAGMA foreign_keys=OFF")
        connection.info[TRANSACTION_MODE] = "write"
        try:
            with connection.begin():
                if connection.dialect.name == "postgresql":
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"),
                                       {"key": _MIGRATION_LOCK_KEY})
                getattr(command, direction)(alembic_config(connection), revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
                    if broken:
                        raise MigrationError(f"{direction} to {revision} breaks foreign "
                                             f"keys: {broken[:5]}")
        finally:
            connection.info.pop(TRANSACTION_MODE, None)
            if sqlite:
                driver.execute("PRAGMA foreign_keys=ON")


def upgrade(engine: Engine, revision: str = "head") -> None:
    _migrate(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    _migrate(engine, "downgrade", revision)
