"""Partitioned Parquet datasets as Ara writes them (``ara calc``/``ara expand`` on a cluster,
``ara convert``): files ``part-NNNNN.parquet`` numbered in input order, written to a staging
folder and moved into place only when every part is written, replacing an earlier run's parts.
No Dask here: ``ara convert`` needs none."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from ara.batches import rebatch

__all__ = ["DEFAULT_PARTITION_ROWS", "PARQUET_SUFFIXES", "DatasetError", "Partition",
           "part_name", "plan_partitions", "publish_parts", "read_partition"]

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
    pf = pq.ParquetFile(part.path)
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


def publish_parts(staging: Path, output_dir: Path, names: Sequence[str]) -> None:
    """Move the new parts into ``output_dir``, removing an earlier run's parts first."""
    keep = set(names)
    for old in output_dir.glob("part-*.parquet"):
        if old.name not in keep:
            old.unlink()
    for name in names:
        os.replace(staging / name, output_dir / name)
