"""Revision 0008 (``plans.inputs_fingerprint``, issue 20) on SQLite and PostgreSQL: a database
at 0007 holding a plan upgrades without losing it (its fingerprint unknown: null, so the next
run plans its home again), matches the tables, and goes down to 0007 with the plan intact."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pg_support import engine_at
from sqlalchemy.engine import Engine

from ara.persistence import tables as t
from ara.persistence import upgrade
from ara.persistence.migrate import current_revision, downgrade, head_revision

PLAN = {"property_id": "P1", "scenario_id": "S", "total_cost_gbp": 1200.0,
        "planned_at": dt.datetime(2026, 12, 1, 9, 30)}


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0007(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with engine_at(request.param, tmp_path, "0007", "ara_migration8") as engine:
        yield engine


def _plans(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text("SELECT * FROM plans")).mappings()]


def test_a_stored_plan_survives_0008_up_and_down(at_0007: Engine) -> None:
    engine = at_0007
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO portfolios (portfolio_id, name) VALUES ('PF', 'p')"))
        conn.execute(sa.text("INSERT INTO properties (property_id, portfolio_id) "
                             "VALUES ('P1', 'PF')"))
        conn.execute(sa.text("INSERT INTO scenarios (scenario_id, name) VALUES ('S', 's')"))
        conn.execute(sa.text("INSERT INTO plans (property_id, scenario_id, total_cost_gbp, "
                             "planned_at) VALUES (:property_id, :scenario_id, "
                             ":total_cost_gbp, :planned_at)"), PLAN)
    upgrade(engine)
    assert current_revision(engine) == head_revision() == "0008"
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                t.metadata) == []
    [row] = _plans(engine)
    assert row["inputs_fingerprint"] is None
    assert (row["property_id"], row["scenario_id"], row["total_cost_gbp"]) == ("P1", "S", 1200.0)

    downgrade(engine, "0007")
    [row] = _plans(engine)
    assert "inputs_fingerprint" not in row and row["total_cost_gbp"] == 1200.0
    with engine.connect() as conn:
        indexes = {i["name"] for i in sa.inspect(conn).get_indexes("plans")}
    assert "ix_plans_scenario_id" in indexes
