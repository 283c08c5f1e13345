"""What the persistence tests share besides fixtures: the database handle and where
PostgreSQL is (``ARA_TEST_POSTGRES_URL`` overrides 127.0.0.1:5432)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from ara.persistence import UnitOfWorkFactory

POSTGRES_URL = os.environ.get("ARA_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Database:
    """One database under test: how to reach it and a unit-of-work factory over it."""

    kind: str
    url: str
    schema: str | None
    engine: Engine
    uow: UnitOfWorkFactory

    def count(self, table: str) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())
