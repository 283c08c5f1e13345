"""Partitioned Parquet datasets as Ara writes them (``ara calc``/``ara expand`` on a cluster,
``ara convert``): files ``part-NNNNN.parquet`` numbered in input order, written to a staging
folder and moved into place only when every part is written, replacing an earlier run's parts.
No Dask here: ``ara convert`` needs none.

Object storage: a dataset may be a URI (``s3://bucket/prefix/``, ``gs://...``, any scheme
``pyarrow.fs.FileSystem.from_uri`` knows) instead of a path, read and written through Arrow's
file systems (credentials and endpoint from the usual environment: ``AWS_ACCESS_KEY_ID``,
``AWS_ENDPOINT_URL`` ...). A URI names a "folder" (a prefix) or one file; globs are for local
paths only. There is no rename on object stores: parts are written under a staging prefix and
moved (copied, then deleted) into place when every part is written."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ara.batches import rebatch

__all__ = ["DEFAULT_PARTITION_ROWS", "PARQUET_SUFFIXES", "DatasetError", "Partition",
           "is_uri", "join", "open_parquet", "part_name", "plan_partitions", "publish_parts",
           "read_partition"]

PARQUET_SUFFIXES = (".parquet", ".pq")
#: Rows per partition when one Parquet file is split (a folder's files are taken as they are).
DEFAULT_PARTITION_ROWS = 100_000


class DatasetError(Exception):
    """INPUT or OUTPUT_DIR cannot be used (bad input: ``ara calc`` exits 2)."""


@dataclass(frozen=True)
class Partition:
    """Rows ``first_row`` .. ``first_row + rows - 1`` of one Parquet file (``rows`` None: the
    whole file), read from ``row_groups`` (None: all of them, skipping ``skip`` rows)."""

    index: int
    path: str
    row_groups: tuple[int, ...] | None = None
    skip: int = 0
    rows: int | None = None
    first_row: int = 0
    whole_file: bool = True

    def label(self) -> str:
        """The partition as the user knows it: the file, and its rows when it is a part."""
        if self.whole_file or self.rows is None:
            return self.path
        return f"{self.path} (rows {self.first_row}-{self.first_row + self.rows - 1})"


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def is_uri(text: str) -> bool:
    """An object-store (or other Arrow file system) URI rather than a local path."""
    scheme, sep, _rest = text.partition("://")
    return bool(sep) and scheme.isalnum() and scheme.lower() != "file"


def _fs(uri: str) -> tuple[pafs.FileSystem, str]:
    try:
        return pafs.FileSystem.from_uri(uri)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DatasetError(f"{uri}: cannot open: {exc}") from exc


def join(base: str, name: str) -> str:
    """``base/name`` for a local path or a URI."""
    return f"{base.rstrip('/')}/{name}" if is_uri(base) else str(Path(base) / name)


def open_parquet(path: str) -> pq.ParquetFile:
    """A Parquet file by local path or URI."""
    if not is_uri(path):
        return pq.ParquetFile(path)
    fs, inner = _fs(path)
    return pq.ParquetFile(fs.open_input_file(inner))


def _remote_files(uri: str) -> list[str] | None:
    """The Parquet files under a URI prefix (sorted, hidden and ``_`` names left out); None
    when the URI is one file. :class:`DatasetError` when nothing is there."""
    fs, inner = _fs(uri)
    scheme = uri.split("://", 1)[0]
    info = fs.get_file_info(inner.rstrip("/"))
    if info.type == pafs.FileType.File:
        return None
    if info.type == pafs.FileType.NotFound and not uri.endswith("/"):
        raise DatasetError(f"{uri}: no such file or folder")
    found = fs.get_file_info(pafs.FileSelector(inner.rstrip("/"), recursive=True,
                                               allow_not_found=True))
    prefix = inner.rstrip("/") + "/"
    files = sorted(f.path for f in found if f.type == pafs.FileType.File
                   and Path(f.path).suffix.lower() in PARQUET_SUFFIXES
                   and not any(part.startswith((".", "_"))
                               for part in f.path[len(prefix):].split("/")))
    if not files:
        raise DatasetError(f"{uri}: holds no Parquet files (*.parquet, *.pq)")
    return [f"{scheme}://{f}" for f in files]


def _dataset_files(text: str) -> list[Path] | None:
    """The Parquet files of a folder (recursively, sorted by relative path, hidden and
    ``_``-prefixed files such as ``_metadata`` left out) or of a glob; None for one file."""
    path = Path(text)
    if path.is_dir():
        files = sorted((p for p in path.rglob("*") if p.is_file()
                        and p.suffix.lower() in PARQUET_SUFFIXES
                        and not any(part.startswith((".", "_"))
                                    for part in p.relative_to(path).parts)),
                       key=lambda p: p.relative_to(path).as_posix())
        if not files:
            raise DatasetError(f"{path}: folder holds no Parquet files (*.parquet, *.pq)")
        return files
    if not path.exists() and _is_glob(text):
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not files:
            raise DatasetError(f"{text}: matches no file")
        return files
    return None


def plan_partitions(input_text: str, partition_rows: int = DEFAULT_PARTITION_ROWS) \
        -> list[Partition]:
    """The partitions of INPUT, in order: one per file of a folder or glob (sorted), or
    runs of one Parquet file's row groups of about ``partition_rows`` rows (a row group
    larger than that is split into equal row ranges, each read by its own worker).

    Paths are made absolute (a worker's working folder is not the client's). Raises
    :class:`DatasetError` when INPUT is missing, not Parquet or holds nothing."""
    if is_uri(input_text):
        return _plan_remote(input_text, partition_rows)
    files = _dataset_files(input_text)
    if files is not None:
        odd = [p for p in files if p.suffix.lower() not in PARQUET_SUFFIXES]
        if odd:
            raise DatasetError(f"{odd[0]}: not a Parquet file (*.parquet, *.pq)")
        return [Partition(i, str(p.resolve())) for i, p in enumerate(files)]
    path = Path(input_text)
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    if path.suffix.lower() not in PARQUET_SUFFIXES:
        raise DatasetError(f"{path}: --workers and --scheduler take Parquet input (a file, "
                           "a folder or a glob of *.parquet files), not "
                           f"{path.suffix or '(no suffix)'!r}")
    try:
        meta = pq.ParquetFile(str(path)).metadata
    except (pa.ArrowException, OSError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from exc
    return _split_file(str(path.resolve()),
                       [meta.row_group(g).num_rows for g in range(meta.num_row_groups)],
                       partition_rows)


def _plan_remote(uri: str, partition_rows: int) -> list[Partition]:
    files = _remote_files(uri)
    if files is not None:
        return [Partition(i, f) for i, f in enumerate(files)]
    if Path(uri).suffix.lower() not in PARQUET_SUFFIXES:
        raise DatasetError(f"{uri}: not a Parquet file (*.parquet, *.pq)")
    try:
        meta = open_parquet(uri).metadata
    except (pa.ArrowException, OSError) as exc:
        raise DatasetError(f"{uri}: cannot read: {exc}") from exc
    return _split_file(uri, [meta.row_group(g).num_rows for g in range(meta.num_row_groups)],
                       partition_rows)


def _split_file(path: str, group_rows: Sequence[int], partition_rows: int) -> list[Partition]:
    """Runs of consecutive row groups of about ``partition_rows`` rows; a larger row group
    split into row ranges. One partition covering the whole file is ``whole_file``."""
    parts: list[Partition] = []
    run: list[int] = []
    run_rows = 0
    run_start = 0
    row = 0

    def close_run() -> None:
        nonlocal run, run_rows
        if run:
            parts.append(Partition(len(parts), path, tuple(run), 0, run_rows, run_start, False))
        run, run_rows = [], 0

    for g, n in enumerate(group_rows):
        if n > partition_rows:
            close_run()
            pieces = -(-n // partition_rows)
            size = -(-n // pieces)
            for skip in range(0, n, size):
                take = min(size, n - skip)
                parts.append(Partition(len(parts), path, (g,), skip, take, row + skip, False))
        else:
            if run_rows + n > partition_rows:
                close_run()
            if not run:
                run_start = row
            run.append(g)
            run_rows += n
        row += n
    close_run()
    if len(parts) <= 1:
        return [Partition(0, path, None, 0, row)]
    return parts


def read_partition(part: Partition, batch_size: int) -> Iterator[pa.Table]:
    """The partition's rows as tables of ``batch_size`` rows, read as Arrow."""
    pf = open_parquet(part.path)
    batches = pf.iter_batches(batch_size=batch_size, row_groups=part.row_groups) \
        if part.row_groups is not None else pf.iter_batches(batch_size=batch_size)
    skip, left = part.skip, part.rows if part.row_groups is not None else None

    def selected() -> Iterator[pa.RecordBatch]:
        nonlocal skip, left
        for batch in batches:
            if skip >= batch.num_rows:
                skip -= batch.num_rows
                continue
            batch, skip = batch.slice(skip), 0
            if left is not None:
                batch = batch.slice(0, left)
                left -= batch.num_rows
            if batch.num_rows:
                yield batch
            if left == 0:
                return

    return rebatch(selected(), batch_size)


def part_name(index: int, count: int) -> str:
    """``part-00003.parquet``: the partition's place in the input, zero-padded so that the
    names sort in input order."""
    return f"part-{index:0{max(5, len(str(max(count - 1, 0))))}d}.parquet"


def publish_parts(staging: Path | str, output_dir: Path | str, names: Sequence[str]) -> None:
    """Move the new parts into ``output_dir`` (a path or URI), removing an earlier run's parts
    first."""
    if is_uri(str(output_dir)):
        fs, out = _fs(str(output_dir))
        _fs_staging, stage = _fs(str(staging))
        keep = set(names)
        old = fs.get_file_info(pafs.FileSelector(out.rstrip("/"), allow_not_found=True))
        for info in old:
            base = info.path.rsplit("/", 1)[-1]
            if info.type == pafs.FileType.File and base.startswith("part-") \
                    and base.endswith(".parquet") and base not in keep:
                fs.delete_file(info.path)
        for name in names:
            fs.move(f"{stage.rstrip('/')}/{name}", f"{out.rstrip('/')}/{name}")
        return
    local_out, local_stage = Path(output_dir), Path(staging)
    keep = set(names)
    for old_part in local_out.glob("part-*.parquet"):
        if old_part.name not in keep:
            old_part.unlink()
    for name in names:
        os.replace(local_stage / name, local_out / name)


class PartWriter:
    """Writes one part file ``staging/name`` (a path or URI): locally to a hidden temporary
    file renamed on :meth:`commit`, on an object store straight under the staging prefix
    (which is itself temporary). :meth:`discard` removes what was written."""

    def __init__(self, staging: str, name: str) -> None:
        self.remote = is_uri(staging)
        self.target = join(staging, name)
        self.temp = self.target if self.remote else str(Path(staging) / f".{name}.tmp")
        self.writer: pq.ParquetWriter | None = None

    def open(self, schema: pa.Schema, **options: Any) -> pq.ParquetWriter:
        if self.remote:
            fs, inner = _fs(self.temp)
            self.writer = pq.ParquetWriter(inner, schema, filesystem=fs, **options)
        else:
            self.writer = pq.ParquetWriter(self.temp, schema, **options)
        return self.writer

    def commit(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if not self.remote:
            os.replace(self.temp, self.target)

    def discard(self) -> None:
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception:  # noqa: BLE001 - the failure already recorded matters
                pass
            self.writer = None
        if self.remote:
            try:
                fs, inner = _fs(self.temp)
                fs.delete_file(inner)
            except (OSError, DatasetError):
                pass
        else:
            Path(self.temp).unlink(missing_ok=True)
