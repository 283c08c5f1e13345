"""``ara calc`` on Dask (issue 18, first step): a partitioned Parquet dataset through
``--workers N`` (a ``distributed.LocalCluster``) or ``--scheduler ADDRESS`` gives the same
rows, bit for bit, as the in-process path; workers are set up once; a failed partition stops
the command with one line, writes nothing and leaves no cluster behind.

Clusters here are small (2 worker processes, 1 thread each): most tests share one cluster
through ``--scheduler``; the ``--workers`` tests start their own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster  # the 'cluster' extra, part of 'dev'

from ara import distributed as dist
from ara.cli import main
from ara.sap import synthetic

N = 20_000
FILES = 4


@pytest.fixture(scope="module")
def dwellings() -> pa.Table:
    return synthetic.generate(N, seed=18)


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory, dwellings: pa.Table) -> Path:
    """20,000 dwellings in 4 Parquet files, and the same rows in one file beside them."""
    root = tmp_path_factory.mktemp("dataset")
    folder = root / "dwellings"
    folder.mkdir()
    size = N // FILES
    for i in range(FILES):
        pq.write_table(dwellings.slice(i * size, size), folder / f"part-{i}.parquet")
    pq.write_table(dwellings, root / "all.parquet")
    return folder


@pytest.fixture(scope="module")
def cluster() -> Iterator[str]:
    """A scheduler address for ``--scheduler``: 2 worker processes, 1 thread each."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.CRITICAL) as local:
        yield local.scheduler_address


def in_process(source: Path, target: Path, *options: str) -> tuple[int, pa.Table]:
    code = main(["calc", str(source), "-o", str(target), *options])
    return code, pq.read_table(target)


def parts(folder: Path) -> list[Path]:
    return sorted(folder.glob("part-*.parquet"))


def concatenated(folder: Path) -> pa.Table:
    return pa.concat_tables([pq.read_table(p) for p in parts(folder)])


def assert_identical(expected: pa.Table, got: pa.Table) -> None:
    """Same schema (with metadata) and, column by column, the same validity and the same
    bits: floats compared as their 64-bit patterns, not with a tolerance or NaN rules."""
    assert got.schema.equals(expected.schema, check_metadata=True)
    assert got.num_rows == expected.num_rows
    for name in expected.column_names:
        a = expected.column(name).combine_chunks()
        b = got.column(name).combine_chunks()
        assert a.is_null().equals(b.is_null()), name
        if pa.types.is_floating(a.type):
            bits_a = np.asarray(a.fill_null(0.0)).view(np.uint64)
            bits_b = np.asarray(b.fill_null(0.0)).view(np.uint64)
            assert np.array_equal(bits_a, bits_b), name
        else:
            assert a.equals(b), name


# ------------------------------------------------------------------------------------------
# Partitions (no cluster)
# ------------------------------------------------------------------------------------------
def test_a_folder_is_its_parquet_files_in_sorted_order(tmp_path: Path) -> None:
    table = synthetic.generate(6, seed=1)
    for name in ("b.parquet", "a.parquet", "sub/c.parquet", "_metadata.parquet",
                 ".hidden/d.parquet"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, tmp_path / name)
    (tmp_path / "notes.txt").write_text("not data")
    planned = dist.plan_partitions(str(tmp_path))
    assert [Path(p.path).relative_to(tmp_path).as_posix() for p in planned] == \
        ["a.parquet", "b.parquet", "sub/c.parquet"]
    assert [p.index for p in planned] == [0, 1, 2]
    globbed = dist.plan_partitions(str(tmp_path / "*.parquet"))
    assert [Path(p.path).name for p in globbed] == ["_metadata.parquet", "a.parquet",
                                                    "b.parquet"]
    with pytest.raises(dist.DatasetError, match="matches no file"):
        dist.plan_partitions(str(tmp_path / "*.arrow"))
    with pytest.raises(dist.DatasetError, match="no such file"):
        dist.plan_partitions(str(tmp_path / "missing.parquet"))


def test_one_file_splits_along_its_row_groups_and_reads_back_whole(tmp_path: Path) -> None:
    table = synthetic.generate(1_000, seed=2)
    path = tmp_path / "one.parquet"
    pq.write_table(table, path, row_group_size=100)  # 10 row groups
    planned = dist.plan_partitions(str(path), partition_rows=250)
    assert [p.row_groups for p in planned] == [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)]
    assert [p.first_row for p in planned] == [0, 200, 400, 600, 800]
    assert "rows 200-399" in planned[1].label()
    read = pa.concat_tables(t for p in planned for t in dist.read_partition(p, 64))
    assert read.equals(table)
    # a row group larger than a partition is split into row ranges
    big = tmp_path / "big.parquet"
    pq.write_table(table, big, row_group_size=1_000)
    pieces = dist.plan_partitions(str(big), partition_rows=300)
    assert [(p.skip, p.rows) for p in pieces] == [(0, 250), (250, 250), (500, 250),
                                                  (750, 250)]
    assert pa.concat_tables(t for p in pieces for t in dist.read_partition(p, 97)) \
        .equals(table)
    # small enough: one partition, the whole file
    assert dist.plan_partitions(str(big)) == [dist.Partition(0, str(big.resolve()), rows=1000)]
    assert dist.part_name(3, 4) == "part-00003.parquet"
    assert dist.part_name(3, 200_000) == "part-000003.parquet"


# ------------------------------------------------------------------------------------------
# On a cluster
# ------------------------------------------------------------------------------------------
def test_workers_2_gives_the_in_process_output_bit_for_bit(
        dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, expected = in_process(dataset.parent / "all.parquet", tmp_path / "in.parquet")
    assert code == 0
    capsys.readouterr()

    out = tmp_path / "out"
    assert main(["calc", str(dataset), "-o", f"{out}/", "--workers", "2"]) == 0
    err = capsys.readouterr().err
    assert "Dask dashboard at http" in err or "Dask scheduler at" in err
    assert f"{N} dwellings from {dataset}" in err
    assert [p.name for p in parts(out)] == [f"part-0000{i}.parquet" for i in range(FILES)]
    assert [pq.ParquetFile(p).metadata.num_rows for p in parts(out)] == [N // FILES] * FILES
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no staging left
    assert_identical(expected, concatenated(out))


def test_lenient_rejections_and_chosen_columns_match_in_process(
        dataset: Path, cluster: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    bad_folder = tmp_path / "bad"
    bad_folder.mkdir()
    whole = []
    for i, path in enumerate(sorted(dataset.glob("*.parquet"))):
        table = pq.read_table(path)
        if i == 2:
            index = table.schema.get_field_index("living_area_m2")
            living = table.column(index).to_pylist()
            living[7] = living[11] = -5.0
            table = table.set_column(index, "living_area_m2", pa.array(living))
        pq.write_table(table, bad_folder / path.name)
        whole.append(table)
    pq.write_table(pa.concat_tables(whole), tmp_path / "bad.parquet")
    options = ["--lenient", "--columns", "sap_rating,sap_band,space_heating_requirement_kwh"]
    code, expected = in_process(tmp_path / "bad.parquet", tmp_path / "in.parquet", *options)
    assert code == 1

    out = tmp_path / "out"
    assert main(["calc", str(bad_folder), "-o", str(out), "--scheduler", cluster,
                 *options]) == 1
    err = capsys.readouterr().err
    assert f"2 of {N} dwellings rejected" in err
    got = concatenated(out)
    assert got.column_names == ["dwelling_id", "status", "error", "space_heating_requirement_kwh",
                                "sap_rating", "sap_band"]
    assert_identical(expected, got)


def test_one_file_is_split_into_partitions_with_the_same_result(
        dwellings: pa.Table, cluster: str, tmp_path: Path) -> None:
    source = tmp_path / "one.parquet"
    pq.write_table(dwellings.slice(0, 6_000), source, row_group_size=1_000)
    code, expected = in_process(source, tmp_path / "in.parquet")
    assert code == 0
    out = tmp_path / "out"
    # a stale part of an earlier, longer run is replaced, not left behind
    out.mkdir()
    (out / "part-00009.parquet").write_bytes(b"stale")
    assert main(["calc", str(source), "-o", str(out), "--scheduler", cluster,
                 "--partition-rows", "2000", "--batch-size", "700"]) == 0
    assert [p.name for p in parts(out)] == [f"part-0000{i}.parquet" for i in range(3)]
    assert_identical(expected, concatenated(out))


def test_each_worker_is_set_up_once_not_per_partition(
        dataset: Path, cluster: str, tmp_path: Path) -> None:
    for run in range(2):
        assert main(["calc", str(dataset), "-o", str(tmp_path / f"out{run}"),
                     "--scheduler", cluster]) == 0
    with Client(cluster) as client:
        states = client.run(dist.worker_state)
        plugins = client.run(lambda dask_worker: list(dask_worker.plugins))
    assert len(states) == 2
    assert all(s["warmed"] == 1 and s["tables_loaded"] == 1 for s in states.values()), states
    assert sum(s["partitions"] for s in states.values()) >= 2 * FILES
    assert all(dist.PLUGIN_NAME in names for names in plugins.values())


def test_a_bad_partition_fails_in_one_line_writes_nothing_and_closes_the_cluster(
        dataset: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import psutil

    folder = tmp_path / "in"
    folder.mkdir()
    for i, path in enumerate(sorted(dataset.glob("*.parquet"))):
        table = pq.read_table(path)
        if i == 1:
            index = table.schema.get_field_index("living_area_m2")
            living = table.column(index).to_pylist()
            living[3] = -5.0
            table = table.set_column(index, "living_area_m2", pa.array(living))
        pq.write_table(table, folder / path.name)
    children = {p.pid for p in psutil.Process().children(recursive=True)}
    out = tmp_path / "out"

    assert main(["calc", str(folder), "-o", str(out), "--workers", "2"]) == 2

    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 1, err
    assert str(folder / "part-1.parquet") in errors[0]
    assert "field living_area_m2" in errors[0]
    assert "Traceback" not in err
    assert not out.exists()  # nothing written, no staging folder left
    left = {p.pid for p in psutil.Process().children(recursive=True)
            if p.is_running() and p.status() != psutil.STATUS_ZOMBIE} - children
    assert not left, "the local cluster's processes outlived the command"


# ------------------------------------------------------------------------------------------
# Refusals (no cluster started)
# ------------------------------------------------------------------------------------------
def test_cluster_runs_need_an_output_folder_and_parquet_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    jsonl = tmp_path / "dwellings.jsonl"
    jsonl.write_text("")
    assert main(["calc", str(jsonl), "-o", str(tmp_path / "out"), "--workers", "2"]) == 2
    assert "take Parquet input" in capsys.readouterr().err
    assert main(["calc", "--workers", "2"]) == 2
    assert "-o OUTPUT_DIR/" in capsys.readouterr().err
    as_file = tmp_path / "file.parquet"
    as_file.write_bytes(b"")
    source = tmp_path / "in.parquet"
    pq.write_table(synthetic.generate(3, seed=1), source)
    assert main(["calc", str(source), "-o", str(as_file), "--workers", "2"]) == 2
    assert "is a file" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["calc", "--workers", "2", "--scheduler", "tcp://127.0.0.1:1"])


def test_an_unreachable_scheduler_is_a_configuration_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import dask

    source = tmp_path / "in.parquet"
    pq.write_table(synthetic.generate(3, seed=1), source)
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["calc", str(source), "-o", str(tmp_path / "out"),
                     "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 78, err
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_without_the_cluster_extra_the_command_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real(name, *a))
    assert main(["calc", "-o", "out", "--workers", "2"]) == 78
    assert "pip install 'ara-sap[cluster]'" in capsys.readouterr().err
