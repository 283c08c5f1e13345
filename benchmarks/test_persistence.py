"""Throughput of the persistence layer: write and read back a portfolio of 100,000
properties with their EPC certificates, on SQLite and on PostgreSQL (127.0.0.1:5432).

Each certificate carries its collected data as JSON (about 4 kB) and a raw document (about
8 kB), the size of a register API certificate, so a portfolio is about 1.2 GB of documents.

* ``test_write``: one unit of work upserting the portfolio, its properties and certificates
  into empty tables (SQLite: a fresh file each round; PostgreSQL: truncated tables), COPY on
  PostgreSQL, executemany on SQLite.
* ``test_rewrite``: the same unit again over the stored rows (a re-run: every row replaced).
* ``test_read``: the portfolio's ids, properties and certificates back as Arrow tables,
  one query per table; ``modelling`` leaves out the raw documents, ``audit`` reads them too.

Properties per second go in ``extra_info`` and are printed at the end of the run.
Run: ``python -m pytest benchmarks/test_persistence.py --benchmark-only``
(``ARA_BENCH_PERSISTENCE_N=10000`` for a quicker run).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa

from ara.persistence import UnitOfWorkFactory, create_engine, upgrade
from ara.persistence.engine import create_schema, drop_schema
from ara.persistence.tables import TABLES

N = int(float(os.environ.get("ARA_BENCH_PERSISTENCE_N", "1e5")))
ROUNDS = 2
POSTGRES_URL = os.environ.get("ARA_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PORTFOLIO = "BENCH"
_LINES: list[str] = []


def _template() -> dict[str, Any]:
    part = {
        "identifier": "Main Dwelling", "building_part_number": 1, "construction_age_band": "D",
        "wall_construction": 4, "wall_insulation_type": 2, "wall_thickness_measured": "N",
        "wall_dry_lined": "N", "party_wall_construction": 2, "roof_construction": 4,
        "roof_insulation_location": 2, "roof_insulation_thickness": "200mm",
        "floor_heat_loss": 7, "floor_insulation_thickness": "NI",
        "sap_floor_dimensions": [
            {"floor": k, "room_height": {"value": 2.45, "quantity": "metres"},
             "total_floor_area": {"value": 45.82, "quantity": "square metres"},
             "party_wall_length": {"value": 7.9, "quantity": "metres"},
             "heat_loss_perimeter": {"value": 19.5, "quantity": "metres"},
             "floor_construction": 1, "floor_insulation": 1} for k in range(2)],
    }
    return {
        "certificate_number": "__CERT__", "uprn": "__UPRN__", "property_type": 0,
        "built_form": 2, "habitable_room_count": 5, "heated_room_count": 5,
        "total_floor_area": 91.64, "door_count": 2, "insulated_door_count": 1,
        "sap_building_parts": [part, {**part, "building_part_number": 2,
                                      "identifier": "Extension 1"}],
        "sap_windows": [{"window_type": 2, "glazing_type": 14, "orientation": k % 8 + 1,
                         "window_width": 1.2, "window_height": 1.1, "frame_factor": 0.7,
                         "pvc_frame": "true", "glazing_gap": 16} for k in range(8)],
        "sap_heating": {
            "water_heating_code": 901, "water_heating_fuel": 26, "cylinder_size": 1,
            "main_heating_details": [{
                "main_heating_number": 1, "main_fuel_type": 26, "sap_main_heating_code": 101,
                "main_heating_control": 2106, "main_heating_fraction": 1,
                "heat_emitter_type": 1, "boiler_flue_type": 2, "has_fghrs": "N",
                "main_heating_index_number": 17507, "main_heating_data_source": 1}],
            "shower_outlets": [{"shower_outlet_type": 1, "shower_wwhrs": 1}]},
        "sap_energy_source": {"mains_gas": "Y", "meter_type": 2, "pv_connection": 0,
                              "photovoltaic_supply": {"none_or_no_details":
                                                      {"percent_roof_area": 0}}},
        "lighting": {"led_fixed_lighting_bulbs_count": 10, "cfl_fixed_lighting_bulbs_count": 5},
    }


def portfolio_tables(n: int) -> dict[str, pa.Table]:
    ids = [f"B{i:07d}" for i in range(n)]
    certs = [f"{i // 10**8:04d}-{i // 10**4 % 10**4:04d}-{i % 10**4:04d}-0000-0001"
             for i in range(n)]
    data_template = json.dumps(_template(), sort_keys=True, separators=(",", ":"))
    raw_template = json.dumps({"data": _template(), "meta": {"source": "register api"}},
                              indent=2)
    data_json = [data_template.replace("__CERT__", c).replace('"__UPRN__"', str(10**9 + i))
                 for i, c in enumerate(certs)]
    raw = [raw_template.replace("__CERT__", c).encode() for c in certs]
    uprns = pa.array(range(10**9, 10**9 + n), pa.int64())
    return {
        "portfolios": pa.table({"portfolio_id": [PORTFOLIO], "name": ["Benchmark"]}),
        "properties": pa.table({
            "property_id": ids, "portfolio_id": [PORTFOLIO] * n, "uprn": uprns,
            "landlord_reference": [f"REF{i}" for i in range(n)],
            "address_line_1": [f"{i % 300 + 1} Some Street" for i in range(n)],
            "post_town": ["Whitbury"] * n,
            "postcode": [f"A{i % 99} {i % 9}AA" for i in range(n)]}),
        "epc_certificates": pa.table({
            "property_id": ids, "certificate_number": certs, "uprn": uprns,
            "schema_type": ["RdSAP-Schema-21.0.1"] * n, "sap_spec_version": ["10.2"] * n,
            "inspection_date": pa.array([dt.date(2020, 1, 1) + dt.timedelta(days=i % 1800)
                                         for i in range(n)], pa.date32()),
            "registration_date": pa.array([dt.date(2020, 1, 3) + dt.timedelta(days=i % 1800)
                                           for i in range(n)], pa.date32()),
            "lodged_sap_score": pa.array([30 + i % 60 for i in range(n)], pa.int32()),
            "lodged_band": ["D"] * n,
            "lodged_co2_tonnes_per_year": [2.5 + (i % 40) / 10 for i in range(n)],
            "lodged_primary_energy_kwh_per_m2_year": [150.0 + i % 200 for i in range(n)],
            "total_floor_area_m2": [60.0 + i % 90 for i in range(n)],
            "data_json": pa.array(data_json, pa.large_string()),
            "raw_format": ["json"] * n,
            "raw_document": pa.array(raw, pa.large_binary()),
            "raw_sha256": [f"{i:064x}" for i in range(n)],
            "fetched_at": pa.array([dt.datetime(2025, 6, 1, 12, 0)] * n, pa.timestamp("us"))}),
    }


@pytest.fixture(scope="module")
def tables() -> dict[str, pa.Table]:
    return portfolio_tables(N)


class Target:
    """A database to benchmark against, emptied on demand."""

    def __init__(self, kind: str, root: Path) -> None:
        self.kind = kind
        self.root = root
        self.schema: str | None = None
        self.engine: sa.Engine | None = None
        self._files = 0
        if kind == "postgresql":
            self.schema = f"ara_bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            admin = create_engine(POSTGRES_URL)
            try:
                create_schema(admin, self.schema)
            except sa.exc.OperationalError as error:
                pytest.skip(f"PostgreSQL at 127.0.0.1:5432 is not reachable: {error.orig}")
            finally:
                admin.dispose()
            self.engine = create_engine(POSTGRES_URL, schema=self.schema)
            upgrade(self.engine)

    def empty(self) -> UnitOfWorkFactory:
        if self.kind == "sqlite":
            if self.engine is not None:
                self.engine.dispose()
            self._files += 1
            self.engine = create_engine(self.root / f"bench{self._files}.db")
            upgrade(self.engine)
        else:
            assert self.engine is not None
            with self.engine.begin() as conn:
                conn.exec_driver_sql("TRUNCATE " + ", ".join(t.name for t in TABLES))
        assert self.engine is not None
        return UnitOfWorkFactory(self.engine)

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
        if self.schema is not None:
            admin = create_engine(POSTGRES_URL)
            drop_schema(admin, self.schema)
            admin.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Target]:
    t = Target(request.param, tmp_path_factory.mktemp(f"bench-{request.param}"))
    try:
        yield t
    finally:
        t.close()


@pytest.fixture(scope="module", autouse=True)
def summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None or not _LINES:
        return
    with capture.global_and_fixture_disabled():  # teardown output is captured otherwise
        reporter.write_line("")
        reporter.write_line(f"persistence throughput, {N:,} properties with certificates "
                            "(mean of rounds; best in brackets):")
        for line in _LINES:
            reporter.write_line("  " + line)


def write(factory: UnitOfWorkFactory, data: dict[str, pa.Table]) -> None:
    with factory() as uow:
        uow.portfolios.upsert(data["portfolios"])
        uow.properties.upsert(data["properties"])
        uow.certificates.upsert(data["epc_certificates"])


def _record(benchmark: Any, label: str) -> None:
    mean, best = benchmark.stats.stats.mean, benchmark.stats.stats.min
    benchmark.extra_info.update({"properties": N, "properties_per_s": round(N / mean),
                                 "best_properties_per_s": round(N / best)})
    _LINES.append(f"{label:<34} {N / mean:>10,.0f} properties/s ({N / best:,.0f})"
                  f"  {mean:6.1f} s")


def test_write(benchmark: Any, target: Target, tables: dict[str, pa.Table]) -> None:
    benchmark.group = f"persistence write, {N:,} properties"
    benchmark.pedantic(write, setup=lambda: ((target.empty(), tables), {}), rounds=ROUNDS,
                       iterations=1)
    _record(benchmark, f"write {target.kind}")
    with UnitOfWorkFactory(target.engine)(read_only=True) as uow:  # type: ignore[arg-type]
        assert uow.certificates.count() == N


def test_rewrite(benchmark: Any, target: Target, tables: dict[str, pa.Table]) -> None:
    benchmark.group = f"persistence re-run (upsert over stored rows), {N:,} properties"
    factory = target.empty()
    write(factory, tables)
    benchmark.pedantic(write, args=(factory, tables), rounds=ROUNDS, iterations=1)
    _record(benchmark, f"re-run {target.kind}")
    with factory(read_only=True) as uow:
        assert uow.properties.count() == N and uow.certificates.count() == N


def read_portfolio(factory: UnitOfWorkFactory, with_raw: bool) -> tuple[pa.Table, pa.Table]:
    with factory(read_only=True) as uow:
        ids = uow.properties.ids_in_portfolio(PORTFOLIO)
        properties = uow.properties.read(ids)
        columns = None if with_raw else [c for c in uow.certificates.schema.names
                                         if c != "raw_document"]
        return properties, uow.certificates.read(ids, columns)


@pytest.mark.parametrize("with_raw", [False, True], ids=["modelling", "audit"])
def test_read(benchmark: Any, target: Target, tables: dict[str, pa.Table],
              with_raw: bool) -> None:
    benchmark.group = f"persistence read, {N:,} properties"
    stored = 0
    if target.engine is not None:
        factory = UnitOfWorkFactory(target.engine)
        with factory(read_only=True) as uow:
            stored = uow.certificates.count()
    if stored != N:  # run alone: store the portfolio first
        factory = target.empty()
        write(factory, tables)
    properties, certificates = benchmark.pedantic(read_portfolio, args=(factory, with_raw),
                                                  rounds=ROUNDS, iterations=1)
    _record(benchmark, f"read {target.kind} ({'audit' if with_raw else 'modelling'})")
    assert properties.num_rows == certificates.num_rows == N
