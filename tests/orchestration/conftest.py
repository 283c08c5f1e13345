"""The database every orchestration test runs on twice: a SQLite file and the real PostgreSQL
(127.0.0.1:5432, a fresh schema; without it the half fails under CI=true and is skipped,
loudly, otherwise)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_support import postgres_engine

from ara.persistence import UnitOfWorkFactory, create_engine, upgrade


@pytest.fixture(params=["sqlite", "postgresql"])
def uow_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    if request.param == "sqlite":
        engine = create_engine(str(tmp_path / "ara.db"))
        upgrade(engine)
        yield UnitOfWorkFactory(engine)
        engine.dispose()
        return
    with postgres_engine("ara_orch") as engine:
        yield UnitOfWorkFactory(engine)
