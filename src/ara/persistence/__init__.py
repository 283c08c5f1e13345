"""Persistence: SQLAlchemy Core tables, Alembic migrations, the unit of work, repositories
and Arrow bulk I/O, on SQLite (embedded default) and PostgreSQL through the same code."""

from ara.persistence.bulk import DuplicateKeyError
from ara.persistence.engine import create_engine, database_url, dispose_engines, get_engine
from ara.persistence.migrate import current_revision, head_revision, upgrade
from ara.persistence.uow import UnitOfWork, UnitOfWorkFactory, is_transient, run_in_unit

__all__ = ["DuplicateKeyError", "UnitOfWork", "UnitOfWorkFactory", "create_engine",
           "current_revision", "database_url", "dispose_engines", "get_engine",
           "head_revision", "is_transient", "run_in_unit", "upgrade"]
