"""``ara run`` on a Dask cluster (issue 18): homes partitioned by postcode district, each
partition run by a worker through Ingestion, Baseline and Modelling against one PostgreSQL
database. The database ends exactly as after the same run in one process (every table's rows,
timestamps aside), also when a worker is killed (SIGKILL) in the middle of a partition; SQLite
is refused for a cluster run.

The portfolio is the first 300 homes of the bundled sample (36 postcode districts) with its
archive of certificates and UPRN data; the clusters are real ``distributed.LocalCluster``s
of two worker processes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa
from distributed import Client, LocalCluster  # the 'cluster' extra, part of 'dev'
from hypothesis import given, settings
from hypothesis import strategies as st
from pg_support import POSTGRES_URL, schema_urls, snapshot
from sample_support import SAMPLE, first_homes, run_command

from ara.cli import main
from ara.orchestration.distributed_run import (
    PartitionRun,
    RunPartition,
    merge_summaries,
    plan_run_partitions,
    postcode_district,
    worker_run_state,
)
from ara.orchestration.first_run import RunSummary
from ara.persistence import create_engine
from ara.persistence import tables as t

HOMES = 300


# ---------------------------------------------------------------------------- partitions --
@pytest.mark.parametrize(("postcode", "district"), [
    ("SW1A 1AA", "SW1A"), ("sw1a 1aa", "SW1A"), ("  M1  1AE ", "M1"), ("M11AE", "M1"),
    ("B338TH", "B33"), ("EC1A1BB", "EC1A"), ("WB1 1AL", "WB1"), (None, ""), ("", ""),
])
def test_postcode_district_is_the_outward_code(postcode: str | None, district: str) -> None:
    assert postcode_district(postcode) == district


def homes(postcodes: list[str | None]) -> pa.Table:
    return pa.table({"property_id": [f"P{i:04d}" for i in range(len(postcodes))],
                     "postcode": postcodes})


def test_whole_districts_are_packed_in_sorted_order() -> None:
    table = homes(["B2 1AA", "A1 1AA", "B2 2BB", "C3 3CC", "A1 2BB", None, "C3 4DD",
                   "C3 5EE", "C3 6FF"])
    parts = plan_run_partitions(table, partition_homes=3)
    # no postcode (1 home) and A1 (2) fill a partition of 3; B2 (2) and C3 (4) do not fit
    # together; C3 is larger than the target and stays whole
    assert [p.districts for p in parts] == [("", "A1"), ("B2",), ("C3",)]
    assert [p.property_ids.to_pylist() for p in parts] == [
        ["P0005", "P0001", "P0004"], ["P0000", "P0002"], ["P0003", "P0006", "P0007", "P0008"]]
    # a district larger than the target is one partition of its own, never split
    assert [len(p.property_ids) for p in plan_run_partitions(table, 1)] == [1, 2, 2, 4]
    assert "postcode districts (no postcode), A1; 3 homes" in parts[0].label()
    with pytest.raises(ValueError, match="at least 1"):
        plan_run_partitions(table, 0)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["A1 1AA", "A1 2BB", "B22 1AA", "C3 9ZZ", "D4 4DD", None]),
                min_size=1, max_size=40),
       st.integers(min_value=1, max_value=12), st.randoms(use_true_random=False))
def test_partitions_cover_every_home_once_keep_districts_whole_and_ignore_row_order(
        postcodes: list[str | None], size: int, rnd: Any) -> None:
    table = homes(postcodes)
    parts = plan_run_partitions(table, size)
    ids = [pid for p in parts for pid in p.property_ids.to_pylist()]
    assert sorted(ids) == table.column("property_id").to_pylist()
    seen = [d for p in parts for d in p.districts]
    assert len(seen) == len(set(seen))  # each district in exactly one partition
    district_of = dict(zip(table.column("property_id").to_pylist(),
                           [postcode_district(p) for p in postcodes], strict=True))
    for p in parts:
        assert {district_of[i] for i in p.property_ids.to_pylist()} == set(p.districts)
        assert len(p.districts) == 1 or len(p.property_ids) <= size
    order = list(range(table.num_rows))
    rnd.shuffle(order)
    shuffled = plan_run_partitions(table.take(order), size)
    assert [(p.districts, p.property_ids.to_pylist()) for p in shuffled] == \
        [(p.districts, p.property_ids.to_pylist()) for p in parts]


def test_summaries_are_added_and_failed_batches_named_by_partition() -> None:
    a = RunSummary(properties=10, batches=2, ingestion_failures=1, plans_written=20,
                   failed_batches=[(2, "baseline: RuntimeError: boom")])
    b = RunSummary(properties=5, batches=1, baseline_failures=2, divergences=1, unpriced=3,
                   plans_written=10, overrides_changed=1)
    part = RunPartition(7, ("WB1",), pa.array(["P1"]))
    total = merge_summaries([PartitionRun(1, "partition 1", b),
                             PartitionRun(0, part.label(), a)])
    assert (total.properties, total.batches, total.ingestion_failures,
            total.baseline_failures, total.divergences, total.unpriced, total.plans_written,
            total.overrides_changed) == (15, 3, 1, 2, 1, 3, 30, 1)
    assert total.failed_batches == [
        (2, "partition 7 (postcode district WB1; 1 homes): baseline: RuntimeError: boom")]


# --------------------------------------------------------------------------- the command --
@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return first_homes(tmp_path_factory.mktemp("cluster"), HOMES)


@pytest.fixture
def databases() -> Iterator[Any]:
    """A factory of fresh PostgreSQL schemas, all dropped afterwards."""
    with schema_urls("ara_cluster") as fresh:
        yield fresh


def command(portfolio: Path, db: str, *extra: str) -> list[str]:
    return run_command(portfolio, db, "--batch-size", "25", *extra)


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=900)
    assert process.returncode in (0, 1), err  # 1: some homes failed, as the summary says
    assert "Traceback" not in err, err
    return out + err


def start(args: list[str]) -> subprocess.Popen[str]:
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def clean(portfolio: Path) -> Iterator[dict[str, list[tuple[Any, ...]]]]:
    """The database after the run in one process: what every cluster run must equal."""
    with schema_urls("ara_cluster") as fresh:
        db = fresh()
        finish(start(command(portfolio, db)))
        rows = snapshot(db)
        assert len(rows["properties"]) == HOMES and rows["plans"] and rows["epc_certificates"]
        yield rows


def test_workers_2_ends_as_the_run_in_one_process(portfolio: Path, databases: Any,
                                                   clean: dict[str, Any]) -> None:
    db = databases()
    output = finish(start(command(portfolio, db, "--workers", "2", "--partition-homes",
                                  "60")))
    assert f"{HOMES} homes in 36 postcode districts" in output
    assert "Dask dashboard at http://" in output or "Dask scheduler at" in output
    assert f"portfolio homes: {HOMES} properties" in output
    assert snapshot(db) == clean
    # run again on the cluster: replaced, nothing duplicated
    finish(start(command(portfolio, db, "--workers", "2", "--partition-homes", "60")))
    assert snapshot(db) == clean


def _processing_pid(client: Client) -> int | None:
    """The pid of a worker now running one of ``ara run``'s partitions, if any."""
    pids = client.run(os.getpid)
    for address, keys in client.processing().items():
        if any(str(k).startswith("ara-run-") for k in keys):
            return int(pids[address])
    return None


def _count(db: str, table: sa.Table) -> int:
    engine = create_engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def test_a_worker_killed_mid_partition_loses_and_duplicates_nothing(
        portfolio: Path, databases: Any, clean: dict[str, Any]) -> None:
    """SIGKILL to the worker running a partition once some of the run's batches have
    committed and before all have: the scheduler runs its partition again on a live worker
    (the nanny restarts the killed one) and the database ends as the clean run's."""
    db = databases()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        process = start(command(portfolio, db, "--scheduler", cluster.scheduler_address,
                                "--partition-homes", "150"))
        deadline = time.monotonic() + 600
        killed = None
        while process.poll() is None and killed is None:
            assert time.monotonic() < deadline, "the run never reached its baselines"
            baselined = _count(db, t.baseline_performance)
            if 0 < baselined < HOMES:
                pid = _processing_pid(client)
                if pid is not None:
                    os.kill(pid, signal.SIGKILL)
                    killed = (pid, baselined)
            time.sleep(0.05)
        output = finish(process)
    assert killed is not None, "the run ended before a worker could be killed"
    assert f"portfolio homes: {HOMES} properties" in output
    assert snapshot(db) == clean


def test_each_worker_builds_the_stages_and_loads_the_tables_once(
        portfolio: Path, databases: Any, clean: dict[str, Any]) -> None:
    """Six partitions on two workers: each worker built the run's stages once and loaded the
    spec tables once, however many partitions it ran."""
    db = databases()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster, Client(cluster) as client:
        finish(start(command(portfolio, db, "--scheduler", cluster.scheduler_address,
                             "--partition-homes", "60")))
        states = list(client.run(worker_run_state).values())
    assert sum(s["partitions"] for s in states) == len(
        plan_run_partitions(_portfolio_table(portfolio), 60)) == 6
    for state in states:
        assert state["stages"] == (1 if state["partitions"] else 0)
        assert state["tables_loaded"] == 1
    assert snapshot(db) == clean


def _portfolio_table(path: Path) -> pa.Table:
    from ara.orchestration.first_run import read_portfolio

    return read_portfolio(path, path.stem)


def test_sqlite_is_refused_for_a_cluster_run(portfolio: Path, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "ara.db"
    code = main(["run", str(portfolio), "--db", str(db), "--workers", "2",
                 "--report", "none"])
    err = capsys.readouterr().err
    assert code == 2 and "a cluster run needs PostgreSQL" in err
    assert "Traceback" not in err and not db.exists()  # refused before any database


@pytest.mark.parametrize(("extra", "words"), [
    (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "not both"),
    (["--workers", "0"], "--workers must be at least 1"),
    (["--workers", "2", "--partition-homes", "0"], "--partition-homes must be at least 1"),
])
def test_bad_cluster_options_are_refused_in_one_line(
        portfolio: Path, extra: list[str], words: str,
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(portfolio), "--db", POSTGRES_URL, "--report", "none", *extra])
    err = capsys.readouterr().err
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_an_unreachable_scheduler_is_a_configuration_error(
        portfolio: Path, databases: Any, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", str(portfolio), "--db", databases(), "--report", "none",
                 "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 78 and "ara run: error:" in err and "Traceback" not in err


def test_a_cluster_run_with_comparables_predicts_as_the_run_in_one_process(
        tmp_path: Path, databases: Any) -> None:
    """``--comparables DATASET/`` on a cluster (issue 19): each worker reads the dataset once
    and predicts the homes without a certificate as the run in one process does."""
    lines = (SAMPLE / "portfolio.csv").read_text(encoding="utf-8").splitlines()
    portfolio = tmp_path / "homes.csv"
    portfolio.write_text("\n".join(lines[:41] + lines[-20:]) + "\n", encoding="utf-8")
    dataset = tmp_path / "comparables"
    assert main(["convert", str(SAMPLE / "certificates.ndjson.gz"), "-o", str(dataset)]) == 0
    snapshots = []
    for extra in ((), ("--workers", "2", "--partition-homes", "20")):
        db = databases()
        finish(start(command(portfolio, db, *extra)))
        assert main(["overrides", "import", str(SAMPLE / "overrides_predicted_homes.csv"),
                     "--db", db]) in (0, 1)  # 1: statements of homes not in this portfolio
        finish(start(command(portfolio, db, "--comparables", str(dataset), *extra)))
        snapshots.append(snapshot(db))
    in_process, on_cluster = snapshots
    assert in_process["predicted_epcs"], "no home was predicted"
    assert on_cluster == in_process
