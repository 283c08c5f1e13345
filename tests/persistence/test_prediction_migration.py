"""Revision 0007 (predicted EPCs' provenance, certificate anomalies) on SQLite and PostgreSQL:
a database at 0006 holding a prediction upgrades without losing it (its provenance unknown:
null, read back as None), matches the tables, upgrades again as a no-op, and goes down to 0006
with the prediction intact."""

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

from ara.persistence import UnitOfWorkFactory, upgrade
from ara.persistence import tables as t
from ara.persistence.mapping import load_properties
from ara.persistence.migrate import current_revision, downgrade, head_revision

PREDICTION = {"property_id": "P1", "predicted_on": dt.date(2026, 12, 1),
              "method": "ara.neighbour_synthesis/1.0",
              "comparable_certificates_json": '["C1", "C2"]',
              "data_json": '{"postcode":"WB1 1AL","property_type":"0"}'}


@pytest.fixture(params=["sqlite", "postgresql"])
def at_0006(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    with engine_at(request.param, tmp_path, "0006", "ara_migration7") as engine:
        yield engine


def _rows(engine: Engine, table: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(f"SELECT * FROM {table}")).mappings()]


def _text(row: dict[str, Any], keys: dict[str, Any]) -> dict[str, str]:
    return {k: str(row[k]) for k in keys}


def test_a_stored_prediction_survives_0007_up_and_down(at_0006: Engine) -> None:
    engine = at_0006
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO portfolios (portfolio_id, name) VALUES ('PF', 'p')"))
        conn.execute(sa.text("INSERT INTO properties (property_id, portfolio_id) "
                             "VALUES ('P1', 'PF')"))
        conn.execute(sa.text(
            "INSERT INTO predicted_epcs (property_id, predicted_on, method, "
            "comparable_certificates_json, data_json) VALUES (:property_id, :predicted_on, "
            ":method, :comparable_certificates_json, :data_json)"), PREDICTION)
    upgrade(engine)
    upgrade(engine)  # again: nothing to do
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                t.metadata) == []
    [row] = _rows(engine, "predicted_epcs")
    assert _text(row, PREDICTION) == _text(PREDICTION, PREDICTION)  # SQLite: dates as text
    assert all(row[k] is None for k in ("rung", "cohort_size", "confidence",
                                        "template_certificate", "comparable_weights_json"))
    assert _rows(engine, "certificate_anomalies") == []
    with UnitOfWorkFactory(engine)(read_only=True) as uow:
        [prop] = load_properties(uow, ["P1"])
    predicted = prop.predicted_epc
    assert predicted is not None and predicted.comparable_certificates == ("C1", "C2")
    assert predicted.rung is None and predicted.comparable_weights == ()

    downgrade(engine, "0006")
    [row] = _rows(engine, "predicted_epcs")
    assert set(row) == set(PREDICTION) and _text(row, PREDICTION) == _text(PREDICTION, PREDICTION)
    with engine.connect() as conn:
        assert "certificate_anomalies" not in sa.inspect(conn).get_table_names()
    upgrade(engine)
