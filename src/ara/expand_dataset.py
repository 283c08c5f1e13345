"""``ara expand`` on a Parquet dataset of certificate rows (``ara convert``'s output; issue 18):
in process, or partition by partition on a Dask cluster (``--workers`` / ``--scheduler``),
each worker expanding its partition's rows as Arrow and writing its own
``OUTPUT_DIR/part-NNNNN.parquet`` of calculator inputs; the concatenated parts equal the
in-process output row for row.

A dataset is a folder or glob of Parquet files, or one Parquet file, whose schema says
``ara.dataset = certificates``; its rows are complete certificate rows (summary CSV rows were
completed by the documented inference when converted, and the schema carries the
``ara.estimate`` note). The partitions are those of ``ara calc`` (:mod:`ara.datasets`)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ara.datasets import (
    PARQUET_SUFFIXES,
    DatasetError,
    Partition,
    PartWriter,
    is_uri,
    open_parquet,
    plan_partitions,
    read_partition,
)

DATASET_KEY = b"ara.dataset"
CERTIFICATES = b"certificates"
ESTIMATE_KEY = b"ara.estimate"
MAX_EXAMPLES = 5


def looks_like_dataset(text: str) -> bool:
    """INPUT is Parquet: a ``.parquet`` / ``.pq`` file, a glob of them, or a folder holding
    Parquet files (a folder of XML or JSON certificates is not)."""
    if is_uri(text):
        return True  # object storage: Parquet datasets only
    path = Path(text)
    if path.suffix.lower() in PARQUET_SUFFIXES:
        return True
    if path.is_dir():
        return any(p.suffix.lower() in PARQUET_SUFFIXES for p in path.rglob("*")
                   if p.is_file() and not p.name.startswith((".", "_")))
    return not path.exists() and any(c in text for c in "*?[") \
        and any(s in text.lower() for s in PARQUET_SUFFIXES)


def certificate_partitions(text: str, partition_rows: int = 100_000
                           ) -> tuple[list[Partition], str | None]:
    """The dataset's partitions and its estimate note (None when its rows are lodged);
    :class:`DatasetError` when it is not a certificate dataset (``ara convert`` makes one)."""
    partitions = plan_partitions(text, partition_rows)
    notes = set()
    for path in sorted({p.path for p in partitions}):
        meta = open_parquet(path).schema_arrow.metadata or {}
        if meta.get(DATASET_KEY) != CERTIFICATES:
            raise DatasetError(f"{path}: not a dataset of certificate rows (ara convert "
                               "ARCHIVE -o DATASET/ makes one; ara calc takes calculator "
                               "inputs)")
        notes.add(meta.get(ESTIMATE_KEY))
    if len(notes) > 1:
        raise DatasetError(f"{text}: mixes lodged certificates and inferred summary rows; "
                           "convert them into separate datasets")
    note = notes.pop() if notes else None
    return partitions, note.decode() if note else None


def iter_dataset(partitions: Sequence[Partition], batch_size: int
                 ) -> Iterator[tuple[pa.Table, list[Any]]]:
    """The partitions' rows in order, ``batch_size`` at a time, each with no read failures
    (they were listed when the dataset was converted)."""
    for part in partitions:
        for table in read_partition(part, batch_size):
            yield table, []


# ------------------------------------------------------------------------------------------
# On the worker
# ------------------------------------------------------------------------------------------
_lock = threading.Lock()
_pcdbs: dict[str, Any] = {}


def _pcdb(path: str | None) -> Any:
    """The user's PCDB, loaded once per worker process."""
    if path is None:
        return None
    with _lock:
        if path not in _pcdbs:
            from ara.rdsap.pcdb import load_pcdb

            _pcdbs[path] = load_pcdb(path)
        return _pcdbs[path]


def output_schema(schema: pa.Schema, note: str | None) -> pa.Schema:
    """The calculator inputs' schema; rows from inferred summaries say so (as ``ara
    expand``)."""
    if not note:
        return schema
    return schema.with_metadata({**(schema.metadata or {}), ESTIMATE_KEY: note.encode()})


def expand_partition(part: Partition, staging: str, name: str, mode: str,
                     pcdb_path: str | None, batch_size: int, note: str | None,
                     hook: Callable[[], None] | None = None) -> Any:
    """Expand one partition on this worker into ``staging/name``: the calculator inputs of
    the certificates it does not refuse. Counts come back in a ``PartitionResult``: ``rows``
    read, ``rejected`` refused (examples: certificate, field and message), ``warned`` rows
    expanded with declared estimate fallbacks."""
    from ara.distributed import PartitionResult, warm_worker
    from ara.rdsap.expansion import expand
    from ara.sap.fallbacks import check_mode

    warm_worker(hook)
    result = PartitionResult(part.index, part.label(), name)
    part_writer = PartWriter(staging, name)
    writer: pq.ParquetWriter | None = None
    try:
        pcdb = _pcdb(pcdb_path)
        for certs in read_partition(part, batch_size):
            expanded = expand(certs, mode=check_mode(mode), pcdb=pcdb)
            inputs = expanded.inputs.filter(pa.array(~expanded.refused))
            if writer is None:
                writer = part_writer.open(output_schema(inputs.schema, note))
            writer.write_table(inputs)
            result.rows += certs.num_rows
            result.rejected += len({row for row, *_ in expanded.problems})
            result.warned += int(expanded.estimate.sum())
            for _row, cert, field_name, message in expanded.problems:
                if len(result.examples) < MAX_EXAMPLES:
                    result.examples.append((str(cert), f"{field_name}: {message}"))
        if writer is None:
            from ara.sap import SAP_INPUT_SCHEMA

            part_writer.open(output_schema(SAP_INPUT_SCHEMA, note))
        part_writer.commit()
    except (pa.ArrowException, OSError, ValueError, DatasetError) as exc:
        result.failure = f"{part.label()}: cannot read, expand or write: {exc}"
    finally:
        if result.failure is not None:
            part_writer.discard()
    return result


# ------------------------------------------------------------------------------------------
# On the client
# ------------------------------------------------------------------------------------------
def run_expand(partitions: Sequence[Partition], output_dir: Path | str, *, mode: str,
               pcdb_path: str | None, batch_size: int, note: str | None,
               workers: int | None = None, scheduler: str | None = None,
               progress: bool = False) -> list[Any]:
    """Expand every partition on the cluster into ``output_dir/part-NNNNN.parquet``
    (published only when all succeeded; :func:`ara.distributed.run_on_dataset`)."""
    from ara.distributed import run_on_dataset

    def task(part: Partition, staging: str, name: str) -> tuple[Any, ...]:
        return expand_partition, part, staging, name, mode, pcdb_path, batch_size, note

    return run_on_dataset("expand", partitions, output_dir, task, workers=workers,
                          scheduler=scheduler, progress=progress,
                          log=lambda m: print(f"ara expand: {m}", file=sys.stderr))
