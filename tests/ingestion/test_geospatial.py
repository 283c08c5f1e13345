"""UPRN reference data: lookups in OS Open UPRN-style files (CSV, Parquet, URIs, several
files), unknown UPRNs, and the per-UPRN cache in property_spatial."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from pg_support import postgres_engine
from pyarrow._fs import _MockFileSystem

from ara.domain import UNRESTRICTED, Address, Coordinates, PlanningFlags, Properties, Property
from ara.ingestion import geospatial
from ara.ingestion.geospatial import (
    LOOKUP_SCHEMA,
    SPATIAL_SCHEMA,
    ReferenceDataError,
    UprnReferenceData,
    convert_to_parquet,
    spatial_for_uprns,
    to_domain,
    unique_uprns,
)
from ara.persistence import UnitOfWorkFactory, create_engine, upgrade
from ara.persistence.mapping import load_properties, property_row, to_arrow
from ara.persistence.tables import arrow_schema, property_spatial
from ara.persistence.tables import properties as properties_table

REPO = Path(__file__).resolve().parents[2]

# OS Open UPRN as delivered: UTF-8 BOM, CRLF, upper-case header; plus the three flag columns
OS_HEADER = "UPRN,X_COORDINATE,Y_COORDINATE,LATITUDE,LONGITUDE"
OS_ROWS = [
    "100023336956,530047.00,180422.00,51.5072759,-0.1276597",
    "10033544614,358308.00,172806.00,51.4535210,-2.5984740",
    "200003455212,383823.00,398192.00,53.4795850,-2.2451150",
]
FLAGGED_HEADER = OS_HEADER + ",CONSERVATION_AREA,LISTED_BUILDING,HERITAGE_BUILDING"
FLAGGED_ROWS = [
    OS_ROWS[0] + ",Y,N,",          # conservation area only; an empty cell is false
    OS_ROWS[1] + ",false,true,0",  # listed only
    OS_ROWS[2] + ",0,0,1",          # heritage only
]


def write_csv(path: Path, header: str, rows: list[str]) -> Path:
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join([header, *rows, ""]).encode())
    return path


@pytest.fixture
def os_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "osopenuprn_202511.csv", OS_HEADER, OS_ROWS)


@pytest.fixture
def flagged_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "uprn_flags.csv", FLAGGED_HEADER, FLAGGED_ROWS)


@pytest.fixture(params=["csv", "parquet"])
def flagged_file(request: pytest.FixtureRequest, flagged_csv: Path, tmp_path: Path) -> Path:
    if request.param == "csv":
        return flagged_csv
    target = tmp_path / "uprn_flags.parquet"
    convert_to_parquet(flagged_csv, target)
    return target


def by_uprn(table: pa.Table) -> dict[int, dict[str, object]]:
    return {r["uprn"]: r for r in table.to_pylist()}


# --------------------------------------------------------------------------------- lookups

def test_os_open_uprn_csv_gives_coordinates_and_grid_references(os_csv: Path) -> None:
    rows = by_uprn(UprnReferenceData(os_csv).lookup([100023336956]))
    assert rows[100023336956] == {
        "uprn": 100023336956, "found": True, "latitude": 51.5072759, "longitude": -0.1276597,
        "easting": 530047.0, "northing": 180422.0, "conservation_area": False,
        "listed_building": False, "heritage_building": False}


def test_file_without_flag_columns_reads_every_uprn_as_unrestricted(os_csv: Path) -> None:
    table = UprnReferenceData(os_csv).lookup([int(r.split(",")[0]) for r in OS_ROWS])
    flags = table.select(["conservation_area", "listed_building", "heritage_building"])
    assert all(table.column("found").to_pylist())
    assert not any(v for column in flags.columns for v in column.to_pylist())


def test_unknown_uprn_is_unrestricted_and_has_no_coordinates(flagged_file: Path) -> None:
    rows = by_uprn(UprnReferenceData(flagged_file).lookup([999999999999]))
    assert rows[999999999999] == {
        "uprn": 999999999999, "found": False, "latitude": None, "longitude": None,
        "easting": None, "northing": None, "conservation_area": False,
        "listed_building": False, "heritage_building": False}


def test_the_three_flags_are_read_separately(flagged_file: Path) -> None:
    rows = by_uprn(UprnReferenceData(flagged_file).lookup(
        [100023336956, 10033544614, 200003455212]))
    flags = {u: (r["conservation_area"], r["listed_building"], r["heritage_building"])
             for u, r in rows.items()}
    assert flags == {100023336956: (True, False, False), 10033544614: (False, True, False),
                     200003455212: (False, False, True)}


def test_lookup_is_one_row_per_distinct_uprn_in_ascending_order(flagged_file: Path) -> None:
    table = UprnReferenceData(flagged_file).lookup(
        [200003455212, None, 10033544614, 200003455212, 5])
    assert table.schema == LOOKUP_SCHEMA
    assert table.column("uprn").to_pylist() == [5, 10033544614, 200003455212]
    assert table.column("found").to_pylist() == [False, True, True]


def test_lookup_accepts_arrow_and_numpy_batches(flagged_file: Path) -> None:
    ref = UprnReferenceData(flagged_file)
    from_arrow = ref.lookup(pa.chunked_array([[10033544614, None], [100023336956]]))
    from_numpy = ref.lookup(np.array([100023336956, 10033544614]))
    assert from_arrow.equals(from_numpy)


def test_empty_batch_gives_empty_table(flagged_file: Path) -> None:
    assert UprnReferenceData(flagged_file).lookup([]).num_rows == 0


def test_uprn_that_is_not_positive_raises() -> None:
    with pytest.raises(ValueError, match="positive"):
        unique_uprns([12, -3])


def test_file_without_uprn_column_raises(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", "ID,LATITUDE,LONGITUDE", ["1,51.0,-1.0"])
    with pytest.raises(ReferenceDataError, match="no UPRN column"):
        UprnReferenceData(path)


def test_file_of_unknown_format_raises(tmp_path: Path) -> None:
    (tmp_path / "uprns.txt").write_text("UPRN\n1\n")
    with pytest.raises(ReferenceDataError, match="format="):
        UprnReferenceData(tmp_path / "uprns.txt")


def test_declared_format_overrides_the_file_name(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "uprns.txt", OS_HEADER, OS_ROWS)
    assert UprnReferenceData(path, format="csv").lookup([10033544614]).column(
        "found").to_pylist() == [True]


def test_flag_column_empty_in_the_first_block_is_still_read(tmp_path: Path) -> None:
    rows = [f"{u},1,1,51.0,-1.0,," for u in range(1, 40_001)]
    rows.append("50000,1,1,51.0,-1.0,Y,")
    path = write_csv(tmp_path / "late_flags.csv",
                     OS_HEADER + ",CONSERVATION_AREA,LISTED_BUILDING", rows)
    rows_out = by_uprn(UprnReferenceData(path).lookup([1, 50000]))
    assert (rows_out[1]["conservation_area"], rows_out[50000]["conservation_area"]) \
        == (False, True)


def test_gzipped_csv_is_read_on_the_fly(tmp_path: Path, os_csv: Path) -> None:
    import gzip
    target = tmp_path / "osopenuprn_202511.csv.gz"
    target.write_bytes(gzip.compress(os_csv.read_bytes()))
    assert UprnReferenceData(target).lookup([10033544614]).column("latitude").to_pylist() \
        == [51.4535210]


def test_parquet_conversion_keeps_every_value(flagged_csv: Path, tmp_path: Path) -> None:
    target = tmp_path / "flags.parquet"
    written = convert_to_parquet(flagged_csv, target, row_group_size=2)
    wanted = [100023336956, 10033544614, 200003455212, 7]
    assert written == 3 and pq.ParquetFile(target).num_row_groups == 2
    assert UprnReferenceData(target).lookup(wanted).equals(
        UprnReferenceData(flagged_csv).lookup(wanted))


def test_parquet_row_groups_outside_the_batch_are_not_read(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = pa.table({"UPRN": pa.array(range(1, 1001), pa.int64()),
                      "LATITUDE": pa.array(np.full(1000, 51.0)),
                      "LONGITUDE": pa.array(np.full(1000, -1.0))})
    path = tmp_path / "sorted.parquet"
    pq.write_table(table, path, row_group_size=100)
    reads: list[int] = []
    original = geospatial._read_row_group

    def counting(*args: Any) -> pa.Table:
        reads.append(1)
        return original(*args)

    monkeypatch.setattr(geospatial, "_read_row_group", counting)
    found = UprnReferenceData(path).lookup([5, 950]).column("found").to_pylist()
    assert found == [True, True] and len(reads) == 2


# ----------------------------------------------------------------------- object stores, URIs

def test_file_uri_is_opened_through_pyarrow_filesystems(flagged_csv: Path) -> None:
    uri = flagged_csv.as_uri()
    assert UprnReferenceData(uri).lookup([10033544614]).column("listed_building").to_pylist() \
        == [True]


@pytest.mark.parametrize("name", ["uprn_flags.csv", "uprn_flags.parquet"])
def test_object_store_filesystem_is_read_without_local_files(
        name: str, flagged_csv: Path, tmp_path: Path) -> None:
    store = _MockFileSystem()
    store.create_dir("bucket/os")
    if name.endswith(".parquet"):
        convert_to_parquet(flagged_csv, tmp_path / name)
    source = flagged_csv if name.endswith(".csv") else tmp_path / name
    with store.open_output_stream(f"bucket/os/{name}") as out:
        out.write(source.read_bytes())
    ref = UprnReferenceData(f"bucket/os/{name}", filesystem=store)
    assert ref.lookup([200003455212]).column("heritage_building").to_pylist() == [True]


def test_local_filesystem_object_can_be_given(flagged_csv: Path) -> None:
    fs = pafs.SubTreeFileSystem(str(flagged_csv.parent), pafs.LocalFileSystem())
    ref = UprnReferenceData(flagged_csv.name, filesystem=fs)
    assert ref.lookup([100023336956]).column("conservation_area").to_pylist() == [True]


# ------------------------------------------------------------------------------ several files

def test_flags_file_beside_os_open_uprn_adds_flags_to_coordinates(
        os_csv: Path, tmp_path: Path) -> None:
    flags = write_csv(tmp_path / "flags.csv", "uprn,conservation_area,listed_building",
                      ["10033544614,1,1", "42,1,0"])
    ref = UprnReferenceData([os_csv, flags])
    rows = by_uprn(ref.lookup([10033544614, 42, 43]))
    assert (rows[10033544614]["latitude"], rows[10033544614]["conservation_area"],
            rows[10033544614]["listed_building"]) == (51.4535210, True, True)
    assert (rows[42]["found"], rows[42]["latitude"], rows[42]["conservation_area"]) \
        == (True, None, True)
    assert rows[43]["found"] is False
    assert ref.label == "osopenuprn_202511.csv+flags.csv"


def test_the_bundled_sample_is_labelled_synthetic_and_readable() -> None:
    path = REPO / "src" / "ara" / "data" / "uprn_sample.parquet"
    metadata = pq.read_schema(path).metadata
    assert metadata[b"ara.synthetic"] == b"true"
    first = pq.read_table(path).column("UPRN")[0].as_py()
    assert first > 999_999_999_999  # 13 digits: never a real UPRN
    assert UprnReferenceData(path).lookup([first]).column("found").to_pylist() == [True]


# ------------------------------------------------------------------------------------ cache


@pytest.fixture(params=["sqlite", "postgresql"])
def units(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UnitOfWorkFactory]:
    """A migrated, empty database of each kind (PostgreSQL: a fresh schema, dropped after;
    unreachable -> skipped, or failed when CI=true, as in the persistence suite)."""
    if request.param == "sqlite":
        engine = create_engine(str(tmp_path / "ara.db"))
        upgrade(engine)
        try:
            yield UnitOfWorkFactory(engine)
        finally:
            engine.dispose()
        return
    with postgres_engine("ara_geo") as engine:
        yield UnitOfWorkFactory(engine)


def spatial_statements(factory: UnitOfWorkFactory) -> list[str]:
    seen: list[str] = []

    @sa.event.listens_for(factory.engine, "before_cursor_execute")
    def _record(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "property_spatial" in statement:
            seen.append(statement.split()[0].upper())

    return seen


class CountingReference(UprnReferenceData):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.batches: list[list[int]] = []

    def lookup(self, uprns: object) -> pa.Table:  # type: ignore[override]
        self.batches.append(unique_uprns(uprns).tolist())  # type: ignore[arg-type]
        return super().lookup(uprns)  # type: ignore[arg-type]


def test_spatial_rows_have_the_property_spatial_columns() -> None:
    assert SPATIAL_SCHEMA.equals(arrow_schema(property_spatial))


def test_first_batch_is_looked_up_and_cached_in_one_read_and_one_write(
        units: UnitOfWorkFactory, flagged_csv: Path) -> None:
    ref = CountingReference(flagged_csv)
    statements = spatial_statements(units)
    batch = spatial_for_uprns([10033544614, 100023336956, 8], ref, units,
                              fetched_at=datetime(2026, 1, 2, 3, 4, 5))
    assert (batch.cached, batch.looked_up, ref.batches) == \
        (0, 3, [[8, 10033544614, 100023336956]])
    assert (statements.count("SELECT"), statements.count("INSERT")) == (1, 1)
    with units(read_only=True) as uow:
        stored = uow.spatial.read([8, 10033544614, 100023336956])
    assert stored.equals(batch.rows)


def test_cached_uprns_are_not_looked_up_again(units: UnitOfWorkFactory,
                                              flagged_csv: Path) -> None:
    ref = CountingReference(flagged_csv)
    spatial_for_uprns([10033544614], ref, units)
    statements = spatial_statements(units)
    batch = spatial_for_uprns([10033544614, 200003455212], ref, units)
    assert ref.batches[-1] == [200003455212]
    assert (batch.cached, batch.looked_up) == (1, 1)
    assert (statements.count("SELECT"), statements.count("INSERT")) == (1, 1)
    assert batch.rows.column("uprn").to_pylist() == [10033544614, 200003455212]


def test_fully_cached_batch_reads_once_and_writes_nothing(units: UnitOfWorkFactory,
                                                          flagged_csv: Path) -> None:
    ref = CountingReference(flagged_csv)
    spatial_for_uprns([10033544614, 7], ref, units)
    statements = spatial_statements(units)
    batch = spatial_for_uprns([7, 10033544614], ref, units)
    assert (len(ref.batches), statements, batch.looked_up) == (1, ["SELECT"], 0)


def test_unknown_uprn_is_cached_as_not_found_and_unrestricted(units: UnitOfWorkFactory,
                                                              flagged_csv: Path) -> None:
    batch = spatial_for_uprns([7], UprnReferenceData(flagged_csv), units)
    row = batch.rows.to_pylist()[0]
    assert (row["latitude"], row["longitude"], row["conservation_area"],
            row["listed_building"], row["heritage_building"]) == (None, None, False, False, False)
    assert row["source"] == "not_found:uprn_flags.csv"


def test_recheck_unknown_looks_not_found_uprns_up_again(units: UnitOfWorkFactory,
                                                        flagged_csv: Path,
                                                        tmp_path: Path) -> None:
    spatial_for_uprns([7, 10033544614], UprnReferenceData(flagged_csv), units)
    newer = write_csv(tmp_path / "osopenuprn_202601.csv", FLAGGED_HEADER,
                      [*FLAGGED_ROWS, "7,1.00,2.00,52.0,-1.5,1,0,0"])
    ref = CountingReference(newer)
    batch = spatial_for_uprns([7, 10033544614], ref, units, recheck_unknown=True)
    assert ref.batches == [[7]]
    row = by_uprn(batch.rows)[7]
    assert (row["latitude"], row["conservation_area"], row["source"]) == \
        (52.0, True, "osopenuprn_202601.csv")


def test_cached_flags_reach_the_property_aggregate(units: UnitOfWorkFactory,
                                                   flagged_csv: Path) -> None:
    props = Properties([
        Property("p1", "pf", 100023336956, None, Address(("1 A Street",))),
        Property("p2", "pf", 5, None, Address(("2 A Street",)))])
    with units() as uow:  # property rows only: save_properties would also write spatial rows
        uow.portfolios.upsert(pa.table({"portfolio_id": ["pf"], "name": ["Portfolio"]}))
        uow.properties.upsert(to_arrow(properties_table, [property_row(p) for p in props]))
    spatial_for_uprns([100023336956, 5], UprnReferenceData(flagged_csv), units)
    with units(read_only=True) as uow:
        loaded = load_properties(uow, ["p1", "p2"])
    assert loaded["p1"].planning_flags == PlanningFlags(conservation_area=True)
    assert loaded["p1"].coordinates == Coordinates(51.5072759, -0.1276597)
    assert (loaded["p2"].planning_flags, loaded["p2"].coordinates) == (UNRESTRICTED, None)


def test_to_domain_gives_coordinates_and_flags_per_uprn(flagged_csv: Path) -> None:
    values = to_domain(UprnReferenceData(flagged_csv).lookup([10033544614, 3]))
    assert values == {
        10033544614: (Coordinates(51.4535210, -2.5984740), PlanningFlags(listed_building=True)),
        3: (None, UNRESTRICTED)}
