"""Round trips of every table, and of the Property aggregate, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pytest
import sqlalchemy as sa

from ara.domain import Properties, Scenario, ScenarioPhase
from ara.persistence import DuplicateKeyError
from ara.persistence import tables as t
from ara.persistence.mapping import (
    load_properties,
    save_properties,
    scenario_tables,
    scenarios_from_tables,
)

from .persistence_samples import (
    PORTFOLIO,
    SCENARIO,
    full_property,
    property_ids,
    read_all,
    sample_tables,
    sort_by_key,
    write_all,
)
from .persistence_support import Database

N = 7


@pytest.mark.parametrize("name", sorted(table.name for table in t.TABLES))
def test_every_table_reads_back_what_was_written(db: Database, name: str) -> None:
    written = sample_tables(N)
    with db.uow() as uow:
        write_all(uow, written)
    with db.uow(read_only=True) as uow:
        read = read_all(uow, N)
    assert read[name].num_rows == written[name].num_rows > 0
    assert sort_by_key(name, read[name]).equals(sort_by_key(name, written[name])), name


def test_raw_documents_are_kept_byte_for_byte(db: Database) -> None:
    raw = bytes(range(256)) + "£ é \u2603".encode("utf-8") + b"\r\n\x00"
    tables = sample_tables(1)
    certs = tables["epc_certificates"]
    tables["epc_certificates"] = certs.set_column(
        certs.schema.get_field_index("raw_document"), "raw_document",
        pa.array([raw] * certs.num_rows, pa.large_binary()))
    with db.uow() as uow:
        write_all(uow, tables)
    with db.uow(read_only=True) as uow:
        stored = uow.certificates.read(property_ids(1), ["raw_document"])
    assert stored.column("raw_document").to_pylist() == [raw] * certs.num_rows


def test_a_property_with_every_slice_round_trips(db: Database) -> None:
    properties = Properties(full_property(i) for i in range(3))
    with db.uow() as uow:
        uow.portfolios.upsert(pa.table({"portfolio_id": [PORTFOLIO], "name": ["Portfolio"]}))
        uow.scenarios.write(*_scenario_tables())
        save_properties(uow, properties)
    with db.uow(read_only=True) as uow:
        loaded = load_properties(uow, properties.ids, with_raw_documents=True)
    assert loaded == properties


def test_modelling_loads_skip_the_raw_documents(db: Database) -> None:
    properties = Properties([full_property(0)])
    with db.uow() as uow:
        uow.portfolios.upsert(pa.table({"portfolio_id": [PORTFOLIO], "name": ["Portfolio"]}))
        uow.scenarios.write(*_scenario_tables())
        save_properties(uow, properties)
    with db.uow(read_only=True) as uow:
        loaded = load_properties(uow, properties.ids)
    epc = loaded["P000000"].lodged_epc
    assert epc is not None and epc.raw_document is None


def test_saving_a_loaded_property_keeps_its_stored_raw_document(db: Database) -> None:
    properties = Properties([full_property(0)])
    with db.uow() as uow:
        uow.portfolios.upsert(pa.table({"portfolio_id": [PORTFOLIO], "name": ["Portfolio"]}))
        uow.scenarios.write(*_scenario_tables())
        save_properties(uow, properties)
    with db.uow() as uow:
        save_properties(uow, load_properties(uow, properties.ids))
    with db.uow(read_only=True) as uow:
        reloaded = load_properties(uow, properties.ids, with_raw_documents=True)
    assert reloaded == properties


def test_scenarios_round_trip() -> None:
    scenario = Scenario("S", "Reach C", (ScenarioPhase(1, ("loft_insulation",), 5000.0),
                                         ScenarioPhase(2, ("air_source_heat_pump",), None)))
    assert scenarios_from_tables(scenario_tables([scenario])) == [scenario]


def test_unknown_ids_read_as_no_rows(db: Database) -> None:
    with db.uow() as uow:
        write_all(uow, sample_tables(2))
    with db.uow(read_only=True) as uow:
        assert uow.properties.read(["nope", "P000001"]).column("property_id").to_pylist() \
            == ["P000001"]
        assert uow.certificates.read([]).num_rows == 0
        assert len(load_properties(uow, ["nope"])) == 0


def _count_statements(db: Database, read: object) -> int:
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", record)
    try:
        with db.uow(read_only=True) as uow:
            read(uow)  # type: ignore[operator]
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", record)
    return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])


def test_round_trips_do_not_grow_with_the_batch(db: Database) -> None:
    with db.uow() as uow:
        uow.portfolios.upsert(pa.table({"portfolio_id": [PORTFOLIO], "name": ["Portfolio"]}))
        uow.scenarios.write(*_scenario_tables())
        save_properties(uow, Properties(full_property(i) for i in range(400)))
    few = _count_statements(db, lambda uow: load_properties(uow, property_ids(3)))
    many = _count_statements(db, lambda uow: load_properties(uow, property_ids(400)))
    # one query per table read: properties, certificates, site notes, overrides, predicted
    # EPCs, spatial, solar, baselines, plans, plan phases, plan measures, plan rejections
    assert few == many == 12


def test_a_read_of_50000_ids_is_one_query(db: Database) -> None:
    ids = [f"X{i}" for i in range(50_000)]
    assert _count_statements(db, lambda uow: uow.certificates.read(ids)) == 1


def test_a_batch_with_a_repeated_natural_key_is_refused(db: Database) -> None:
    tables = sample_tables(2)
    doubled = pa.concat_tables([tables["properties"], tables["properties"].slice(0, 1)])
    with pytest.raises(DuplicateKeyError, match="properties"):
        with db.uow() as uow:
            uow.portfolios.upsert(tables["portfolios"])
            uow.properties.upsert(doubled)


def test_arrow_input_is_cast_to_the_table_types(db: Database) -> None:
    with db.uow() as uow:
        uow.portfolios.upsert(pa.table({"portfolio_id": ["PF"], "name": ["x"]}))
        uow.properties.upsert(pa.table({
            "property_id": pa.array(["P1"], pa.large_string()), "portfolio_id": ["PF"],
            "uprn": pa.array([12], pa.int8())}))
        uow.stage_failures.upsert(pa.table({
            "property_id": ["P1"], "stage": ["baseline"], "error_type": ["E"], "message": ["m"],
            "failed_at": pa.array([dt.datetime(2025, 1, 1)], pa.timestamp("s"))}))
    with db.uow(read_only=True) as uow:
        assert uow.properties.read(["P1"], ["uprn"]).column("uprn").to_pylist() == [12]


def test_an_unknown_column_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="no column"):
        with db.uow() as uow:
            uow.portfolios.upsert(pa.table({"portfolio_id": ["PF"], "colour": ["red"]}))


def test_a_read_only_unit_refuses_writes(db: Database) -> None:
    with pytest.raises(sa.exc.DBAPIError):
        with db.uow(read_only=True) as uow:
            uow.portfolios.upsert(pa.table({"portfolio_id": ["PF"], "name": ["x"]}))
    assert db.count("portfolios") == 0


def test_spatial_rows_are_found_through_the_properties_uprns(db: Database) -> None:
    with db.uow() as uow:
        write_all(uow, sample_tables(3))
    with db.uow(read_only=True) as uow:
        rows = uow.spatial.read_for_properties(["P000000", "P000002"])
    assert rows.column("property_id").to_pylist() == ["P000000", "P000002"]
    assert rows.column("uprn").to_pylist() == [1000, 1002]


def test_a_portfolio_reads_back_with_its_certificates(db: Database) -> None:
    with db.uow() as uow:
        write_all(uow, sample_tables(5))
    with db.uow(read_only=True) as uow:
        ids = uow.properties.ids_in_portfolio(PORTFOLIO)
        certs = uow.certificates.read_portfolio(PORTFOLIO, ["property_id",
                                                            "certificate_number"])
    assert ids == property_ids(5)
    assert certs.num_rows == 10


def _scenario_tables() -> tuple[pa.Table, pa.Table]:
    tables = scenario_tables([Scenario(SCENARIO, "Reach C", (ScenarioPhase(1, ("x",)),
                                                             ScenarioPhase(2, ("y",))))])
    return tables.scenarios, tables.phases
