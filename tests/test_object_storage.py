"""Datasets on object storage (issue 18): ``ara calc`` and ``ara expand`` on Dask read a
Parquet dataset from an ``s3://`` prefix and write their parts to another, with the same rows
as the local run, bit for bit.

The store is a real S3 HTTP endpoint on loopback (moto's server, in this process), reached by
Arrow's S3 file system through ``AWS_ENDPOINT_URL`` as a user's cluster would reach S3 or
MinIO; the clusters are real 2-process ``LocalCluster``s, which inherit the environment."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from distributed import LocalCluster  # the 'cluster' extra, part of 'dev'
from moto.server import ThreadedMotoServer  # part of 'dev'

from ara.cli import bundled, main
from ara.sap import synthetic

BUCKET = "ara-test"


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture(scope="module")
def environment(endpoint: str) -> Iterator[None]:
    """Credentials and endpoint in the environment, as a user sets them (the workers of a
    cluster started afterwards inherit them)."""
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test",
                           "AWS_DEFAULT_REGION": "us-east-1", "AWS_ENDPOINT_URL": endpoint,
                           "AWS_EC2_METADATA_DISABLED": "true"}.items():
            patch.setenv(key, value)
        yield


@pytest.fixture(scope="module")
def scheduler(environment: None) -> Iterator[str]:
    """One 2-worker cluster for the module (``--scheduler``); one test starts its own with
    ``--workers 2``."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None) as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def s3(endpoint: str, environment: None) -> pafs.S3FileSystem:
    """A fresh bucket."""
    fs = pafs.S3FileSystem(endpoint_override=endpoint, allow_bucket_creation=True,
                           allow_bucket_deletion=True, access_key="test", secret_key="test",
                           region="us-east-1")
    try:
        fs.delete_dir(BUCKET)
    except OSError:
        pass
    fs.create_dir(BUCKET)
    return fs


def upload(fs: pafs.S3FileSystem, table: pa.Table, prefix: str, rows_per_file: int) -> None:
    for i, start in enumerate(range(0, table.num_rows, rows_per_file)):
        pq.write_table(table.slice(start, rows_per_file), f"{BUCKET}/{prefix}/{i:05d}.parquet",
                       filesystem=fs)


def parts(fs: pafs.S3FileSystem, prefix: str) -> list[str]:
    found = fs.get_file_info(pafs.FileSelector(f"{BUCKET}/{prefix}", recursive=True))
    return sorted(f.path.rsplit("/", 1)[-1] for f in found if f.type == pafs.FileType.File)


def read_parts(fs: pafs.S3FileSystem, prefix: str) -> pa.Table:
    return pa.concat_tables(pq.read_table(f"{BUCKET}/{prefix}/{name}", filesystem=fs)
                            for name in parts(fs, prefix))


def test_calc_on_s3_equals_the_local_run(s3: pafs.S3FileSystem, tmp_path: Path) -> None:
    dwellings = synthetic.generate(3_000, seed=7)
    upload(s3, dwellings, "in", 1_000)
    local_in, local_out = tmp_path / "in.parquet", tmp_path / "out.parquet"
    pq.write_table(dwellings, local_in)
    assert main(["calc", str(local_in), "-o", str(local_out)]) == 0
    expected = pq.read_table(local_out)

    assert main(["calc", f"s3://{BUCKET}/in/", "-o", f"s3://{BUCKET}/out/",
                 "--workers", "2"]) == 0
    assert parts(s3, "out") == ["part-00000.parquet", "part-00001.parquet",
                                "part-00002.parquet"]  # no staging prefix left behind
    got = read_parts(s3, "out")
    assert got.schema.equals(expected.schema) and got.equals(expected)

    # run again with one input file: the earlier run's extra parts are removed
    s3.delete_dir(f"{BUCKET}/in")
    upload(s3, dwellings, "in", 3_000)
    assert main(["calc", f"s3://{BUCKET}/in/", "-o", f"s3://{BUCKET}/out/",
                 "--workers", "2"]) == 0
    assert parts(s3, "out") == ["part-00000.parquet"]
    assert read_parts(s3, "out").equals(expected)


def test_one_s3_file_is_split_along_its_row_groups(s3: pafs.S3FileSystem, tmp_path: Path,
                                                    scheduler: str) -> None:
    dwellings = synthetic.generate(2_000, seed=11)
    pq.write_table(dwellings, f"{BUCKET}/one.parquet", filesystem=s3, row_group_size=500)
    local = tmp_path / "all.parquet"
    pq.write_table(dwellings, local)
    assert main(["calc", str(local), "-o", str(tmp_path / "out.parquet")]) == 0
    assert main(["calc", f"s3://{BUCKET}/one.parquet", "-o", f"s3://{BUCKET}/split/",
                 "--scheduler", scheduler, "--partition-rows", "1000"]) == 0
    assert parts(s3, "split") == ["part-00000.parquet", "part-00001.parquet"]
    assert read_parts(s3, "split").equals(pq.read_table(tmp_path / "out.parquet"))


def test_expand_a_certificate_dataset_on_s3(s3: pafs.S3FileSystem, tmp_path: Path,
                                            scheduler: str) -> None:
    archive = bundled("sample_portfolio") / "certificates.ndjson.gz"
    local = tmp_path / "certs"
    assert main(["convert", str(archive), "-o", str(local), "--rows-per-file", "1000"]) == 0
    for name in ("part-00000.parquet", "part-00001.parquet"):
        pq.write_table(pq.read_table(local / name), f"{BUCKET}/certs/{name}", filesystem=s3)
    assert main(["expand", str(local), "-o", str(tmp_path / "inputs.parquet"), "--mode",
                 "estimate"]) == 0
    assert main(["expand", f"s3://{BUCKET}/certs/", "-o", f"s3://{BUCKET}/inputs/",
                 "--mode", "estimate", "--scheduler", scheduler]) == 0
    assert read_parts(s3, "inputs").equals(pq.read_table(tmp_path / "inputs.parquet"))


def test_a_missing_prefix_is_refused_in_one_line(s3: pafs.S3FileSystem, scheduler: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calc", f"s3://{BUCKET}/nothing/", "-o", f"s3://{BUCKET}/out/",
                 "--scheduler", scheduler]) == 2
    err = capsys.readouterr().err
    assert "holds no Parquet files" in err and "Traceback" not in err
    assert main(["calc", f"s3://{BUCKET}/absent.parquet", "-o", f"s3://{BUCKET}/out/",
                 "--scheduler", scheduler]) == 2
    assert "no such file or folder" in capsys.readouterr().err
