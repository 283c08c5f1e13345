"""Alembic environment: runs on the connection handed over by ``ara.persistence.migrate``
(or, from the alembic command line, on ``sqlalchemy.url``)."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from ara.persistence.engine import create_engine
from ara.persistence.tables import metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    _run(given)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        _run(connection)
