"""The unit of work: one connection, one transaction, repositories as attributes; commits
once on a clean exit and rolls back on any exception (decision D-0012)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from types import TracebackType
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from ara.persistence.engine import TRANSACTION_MODE, get_engine
from ara.persistence.repositories import (
    BaselineRepository,
    CertificateAnomalyRepository,
    CertificateRepository,
    LandlordOverridesRepository,
    OverrideChangesRepository,
    PlanRepository,
    PortfolioRepository,
    PredictedEpcRepository,
    PropertyRepository,
    ScenarioRepository,
    SiteNotesRepository,
    SolarPotentialRepository,
    SpatialRepository,
    StageFailureRepository,
)

T = TypeVar("T")


class UnitOfWork:
    """``with factory() as uow: uow.properties.upsert(table)``: everything inside commits
    together when the block ends normally, and nothing of it when the block raises."""

    portfolios: PortfolioRepository
    properties: PropertyRepository
    certificates: CertificateRepository
    site_notes: SiteNotesRepository
    landlord_overrides: LandlordOverridesRepository
    override_changes: OverrideChangesRepository
    predicted_epcs: PredictedEpcRepository
    anomalies: CertificateAnomalyRepository
    spatial: SpatialRepository
    solar_potential: SolarPotentialRepository
    baselines: BaselineRepository
    scenarios: ScenarioRepository
    plans: PlanRepository
    stage_failures: StageFailureRepository

    def __init__(self, engine: Engine, *, read_only: bool = False) -> None:
        self._engine = engine
        self._read_only = read_only
        self._connection: sa.Connection | None = None
        self._transaction: sa.RootTransaction | None = None
        self._used = False

    @property
    def connection(self) -> sa.Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a with block")
        return self._connection

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    def __enter__(self) -> UnitOfWork:
        if self._used:
            raise RuntimeError("a unit of work is used once: ask the factory for another")
        self._used = True
        connection = self._engine.connect()
        connection.info[TRANSACTION_MODE] = "read" if self._read_only else "write"
        try:
            self._transaction = connection.begin()
        except BaseException:
            connection.close()
            raise
        self._connection = connection
        self.portfolios = PortfolioRepository(connection)
        self.properties = PropertyRepository(connection)
        self.certificates = CertificateRepository(connection)
        self.site_notes = SiteNotesRepository(connection)
        self.landlord_overrides = LandlordOverridesRepository(connection)
        self.override_changes = OverrideChangesRepository(connection)
        self.predicted_epcs = PredictedEpcRepository(connection)
        self.anomalies = CertificateAnomalyRepository(connection)
        self.spatial = SpatialRepository(connection)
        self.solar_potential = SolarPotentialRepository(connection)
        self.baselines = BaselineRepository(connection)
        self.scenarios = ScenarioRepository(connection)
        self.plans = PlanRepository(connection)
        self.stage_failures = StageFailureRepository(connection)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        connection, transaction = self._connection, self._transaction
        self._connection = self._transaction = None
        assert connection is not None and transaction is not None
        try:
            if exc_type is None:
                transaction.commit()
            else:
                transaction.rollback()
        finally:
            connection.info.pop(TRANSACTION_MODE, None)
            connection.close()

    def lock_portfolio(self, portfolio_id: str) -> None:
        """Hold the portfolio's write lock until the unit ends, so two writers of the same
        portfolio run one after the other. PostgreSQL: a transaction-level advisory lock;
        SQLite: a writing unit already holds the database's write lock."""
        if self.dialect == "postgresql":
            self.connection.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                                    {"key": f"ara.portfolio:{portfolio_id}"})


class UnitOfWorkFactory:
    """Makes units of work over one engine (created once per process)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @classmethod
    def for_database(cls, target: str | os.PathLike[str] | URL | None = None, *,
                     schema: str | None = None) -> UnitOfWorkFactory:
        return cls(get_engine(target, schema=schema))

    def __call__(self, *, read_only: bool = False) -> UnitOfWork:
        return UnitOfWork(self.engine, read_only=read_only)


#: PostgreSQL SQLSTATEs worth retrying a whole unit for: deadlock, serialization failure.
_RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def is_transient(error: BaseException) -> bool:
    """True for errors a unit can be re-run after: a deadlock victim or a serialization
    failure on PostgreSQL, a lock still busy after the timeout on SQLite."""
    if not isinstance(error, sa.exc.DBAPIError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _RETRYABLE_SQLSTATES:
        return True
    return "database is locked" in str(original)


def run_in_unit(factory: Callable[[], UnitOfWork], work: Callable[[UnitOfWork], T], *,
                attempts: int = 3, backoff_s: float = 0.1) -> T:
    """Run ``work`` in a fresh unit, again (up to ``attempts`` times) when the unit failed
    for a transient reason; any other error propagates at once."""
    for attempt in range(1, attempts + 1):
        try:
            with factory() as uow:
                return work(uow)
        except sa.exc.DBAPIError as error:
            if attempt == attempts or not is_transient(error):
                raise
            time.sleep(backoff_s * attempt)
    raise AssertionError("unreachable")
