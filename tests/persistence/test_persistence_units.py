"""The unit of work: all or nothing, once; re-runs replace and never duplicate; migrations;
one engine per process."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ara.domain import (
    LandlordOverrides,
    Plan,
    Properties,
    RoofInsulation,
    Scenario,
    ScenarioPhase,
)
from ara.persistence import (
    UnitOfWorkFactory,
    current_revision,
    database_url,
    get_engine,
    head_revision,
    is_transient,
    run_in_unit,
    upgrade,
)
from ara.persistence import tables as t
from ara.persistence.engine import dispose_engines
from ara.persistence.mapping import load_properties, save_properties, scenario_tables
from ara.persistence.migrate import downgrade
from ara.persistence.repositories import PlanTables

from .persistence_samples import (
    PORTFOLIO,
    SCENARIO,
    full_property,
    read_all,
    sample_tables,
    write_all,
)
from .persistence_support import Database


class StageError(RuntimeError):
    pass


def test_an_exception_in_the_middle_of_a_unit_commits_nothing(db: Database) -> None:
    with pytest.raises(StageError):
        with db.uow() as uow:
            write_all(uow, sample_tables(5))
            assert uow.properties.count() == 5  # visible inside the unit
            raise StageError("a property failed")
    assert all(db.count(table.name) == 0 for table in t.TABLES)


def test_a_clean_exit_commits_everything_once(db: Database) -> None:
    with db.uow() as uow:
        write_all(uow, sample_tables(5))
        assert db.count("properties") == 0  # not visible outside before the commit
    assert db.count("properties") == 5 and db.count("plan_measures") == 30


def test_a_unit_is_used_once(db: Database) -> None:
    uow = db.uow()
    with uow:
        pass
    with pytest.raises(RuntimeError, match="used once"):
        with uow:
            pass


def test_running_a_stage_twice_leaves_one_row_per_natural_key(db: Database) -> None:
    for tag in ("first", "second"):
        with db.uow() as uow:
            write_all(uow, sample_tables(6, tag))
    expected = sample_tables(6, "second")
    with db.uow(read_only=True) as uow:
        stored = read_all(uow, 6)
    for name, table in expected.items():
        assert db.count(name) == table.num_rows, name
        assert stored[name].sort_by([(c, "ascending") for c in t.natural_key(
            t.metadata.tables[name])]).equals(table.sort_by(
                [(c, "ascending") for c in t.natural_key(t.metadata.tables[name])])), name


def _seed(db: Database, properties: Properties) -> None:
    with db.uow() as uow:
        uow.portfolios.upsert(pa.table({"portfolio_id": [PORTFOLIO], "name": ["Portfolio"]}))
        scenarios = scenario_tables([Scenario(SCENARIO, "Reach C", (ScenarioPhase(1, ("x",)),
                                                                    ScenarioPhase(2, ("y",))))])
        uow.scenarios.write(scenarios.scenarios, scenarios.phases)
        save_properties(uow, properties)


def test_saving_properties_twice_duplicates_nothing(db: Database) -> None:
    properties = Properties(full_property(i) for i in range(4))
    _seed(db, properties)
    counts = {table.name: db.count(table.name) for table in t.TABLES}
    with db.uow() as uow:
        save_properties(uow, properties)
    assert {table.name: db.count(table.name) for table in t.TABLES} == counts


def test_a_replanned_property_loses_the_measures_of_its_old_plan(db: Database) -> None:
    original = full_property(0)
    _seed(db, Properties([original]))
    plan = original.plans[0]
    shorter = Plan(plan.property_id, plan.scenario_id,
                   (replace(plan.phases[0], measures=()),))
    with db.uow() as uow:
        save_properties(uow, Properties([original.with_plans([shorter])]))
    assert (db.count("plans"), db.count("plan_phases"), db.count("plan_measures")) == (1, 1, 0)
    with db.uow(read_only=True) as uow:
        assert load_properties(uow, [original.property_id])[original.property_id].plans \
            == (shorter,)


def test_plans_cascade_when_written_as_tables(db: Database) -> None:
    with db.uow() as uow:
        write_all(uow, sample_tables(2))
    one_phase = sample_tables(2)
    with db.uow() as uow:
        uow.plans.write(PlanTables(one_phase["plans"], one_phase["plan_phases"].slice(0, 1),
                                   one_phase["plan_measures"].slice(0, 0)))
    assert (db.count("plans"), db.count("plan_phases"), db.count("plan_measures")) == (2, 1, 0)


def test_an_override_no_longer_stated_is_removed(db: Database) -> None:
    original = full_property(0)
    _seed(db, Properties([original]))
    fewer = replace(original, landlord_overrides=LandlordOverrides(
        roof_insulation=RoofInsulation.MM_300))
    with db.uow() as uow:
        save_properties(uow, Properties([fewer]))
    with db.uow(read_only=True) as uow:
        loaded = load_properties(uow, [fewer.property_id])[fewer.property_id]
    assert loaded.landlord_overrides == fewer.landlord_overrides
    assert db.count("landlord_overrides") == 1


def test_deleting_a_property_cascades_to_its_rows(db: Database) -> None:
    _seed(db, Properties([full_property(0), full_property(1)]))
    with db.uow() as uow:
        uow.properties.delete(["P000000"])
    for name in ("epc_certificates", "site_notes", "landlord_overrides", "plans",
                 "plan_measures", "baseline_performance"):
        with db.engine.connect() as conn:
            left = conn.execute(sa.text(f"SELECT DISTINCT property_id FROM {name}")).scalars()
            assert list(left) == ["P000001"], name


def test_the_migrated_schema_matches_the_tables(db: Database) -> None:
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}),
                                t.metadata)
    assert diff == []
    assert current_revision(db.engine) == head_revision()


def test_migrations_go_down_and_up_again(tmp_path: Path) -> None:
    factory = UnitOfWorkFactory.for_database(tmp_path / "m.db")
    upgrade(factory.engine)
    upgrade(factory.engine)  # already at head: nothing to do
    downgrade(factory.engine)
    assert sa.inspect(factory.engine).get_table_names() == ["alembic_version"]
    upgrade(factory.engine)
    assert set(sa.inspect(factory.engine).get_table_names()) \
        == {table.name for table in t.TABLES} | {"alembic_version"}
    dispose_engines()


def test_sqlite_is_the_default_and_a_path_names_the_file() -> None:
    assert database_url(None).render_as_string() == "sqlite+pysqlite:///ara.db"
    assert database_url("data/x.db").database == "data/x.db"
    assert database_url("postgresql://u@h/db").drivername == "postgresql+psycopg"
    assert database_url("postgresql+psycopg://u@h/db").drivername == "postgresql+psycopg"


def test_one_engine_per_database_per_process(tmp_path: Path) -> None:
    first = get_engine(tmp_path / "e.db")
    assert get_engine(str(tmp_path / "e.db")) is first
    assert get_engine(tmp_path / "other.db") is not first
    dispose_engines()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    factory = UnitOfWorkFactory.for_database(tmp_path / "w.db")
    with factory() as uow:
        mode = uow.connection.exec_driver_sql("PRAGMA journal_mode").scalar()
        timeout = uow.connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
        keys = uow.connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert (mode, keys) == ("wal", 1) and timeout and timeout >= 10_000
    dispose_engines()


def test_run_in_unit_retries_transient_failures_only(db: Database) -> None:
    calls: list[int] = []

    def flaky(uow):  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))
        return uow.portfolios.upsert(pa.table({"portfolio_id": ["PF"], "name": ["x"]}))

    assert run_in_unit(db.uow, flaky, backoff_s=0) == 1
    assert len(calls) == 2 and db.count("portfolios") == 1
    assert not is_transient(ValueError("database is locked"))


def test_a_portfolio_lock_holds_other_writers_until_the_unit_ends(db: Database) -> None:
    key = {"key": "ara.portfolio:PF"}
    with db.uow() as uow:
        uow.lock_portfolio("PF")
        if db.kind == "postgresql":
            with db.engine.connect() as other:
                taken = other.execute(sa.text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"),
                                      key).scalar()
            assert taken is False
    if db.kind == "postgresql":
        with db.engine.connect() as other:
            assert other.execute(sa.text("SELECT pg_try_advisory_xact_lock(hashtext(:key))"),
                                 key).scalar() is True
