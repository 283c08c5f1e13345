"""``ara convert ARCHIVE -o DATASET/`` (issue 18): certificates as the register publishes them
(an NDJSON bulk archive, plain, ``.gz`` or ``.zip``; a folder of RdSAP XML or register JSON;
an open-data summary CSV) read once into a Parquet dataset of certificate rows
(``CERTIFICATE_SCHEMA``), which ``ara expand`` and ``ara validate`` read, in process or on a
Dask cluster, without parsing a document again.

The dataset is ``DATASET/part-NNNNN.parquet``, files of at most ``--rows-per-file`` rows in
input order, each file's schema carrying ``ara.dataset = certificates`` (and, for summary CSV
rows, which the documented inference completes, the ``ara.estimate`` note), and
``DATASET/_unreadable.parquet`` listing the certificates that could not be read (source,
certificate, field, message; ``_``-prefixed, so dataset readers skip it). The files are written
to a staging folder and moved into place only when the whole input is read: a stopped run
leaves the earlier dataset, or nothing. Memory is bounded by one ``--batch-size`` batch.

Exit status: 0 every certificate converted; 1 some unreadable (listed); 2 bad input (missing,
nothing to read, OUTPUT not a folder); 70 an unexpected failure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path
from typing import Any

#: Certificates read and written at a time.
BATCH_SIZE = 5_000
#: Rows per dataset file: one ``ara calc``/``ara expand`` partition each by default.
ROWS_PER_FILE = 100_000
#: The schema metadata key that says what a dataset holds.
DATASET_KEY = b"ara.dataset"
CERTIFICATES = b"certificates"
UNREADABLE_FILE = "_unreadable.parquet"
SHOWN_FAILURES = 20


def _schema(schema: Any, estimate_note: str | None) -> Any:
    meta = {**(schema.metadata or {}), DATASET_KEY: CERTIFICATES}
    if estimate_note:
        meta[b"ara.estimate"] = estimate_note.encode()
    return schema.with_metadata(meta)


def convert(source: str, output_dir: Path, *, rows_per_file: int = ROWS_PER_FILE,
            batch_size: int = BATCH_SIZE, log: Any = None) -> tuple[int, list[Any]]:
    """Read ``source`` into ``output_dir`` (see the module doc): (rows written, the read
    failures). Raises ``ValueError`` for an output that cannot be a dataset folder."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ara.datasets import part_name, publish_parts
    from ara.rdsap.readers import read_certificates
    from ara.rdsap.readers.csv_summary import iter_summary_csv

    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"{output_dir}: is a file; ara convert writes a folder (-o DATASET/)")
    if not output_dir.parent.is_dir():
        raise ValueError(f"{output_dir}: cannot write: folder {output_dir.parent} does not "
                         "exist")
    is_csv = Path(source).suffix.lower() == ".csv"
    note = None
    if is_csv:
        from ara.rdsap.expansion.infer_summary import ESTIMATE_NOTE, infer_summary

        note = ESTIMATE_NOTE
        batches: Any = ((infer_summary(pa.Table.from_batches([b])), f)
                        for b, f in iter_summary_csv(source, batch_size, keep_raw=False))
    else:
        batches = ((pa.Table.from_batches([b]), f)
                   for b, f in read_certificates(source, batch_size, keep_raw=False))
    created = not output_dir.exists()
    output_dir.mkdir(exist_ok=True)
    staging = output_dir.resolve() / f".ara-convert-{os.getpid()}.part"
    staging.mkdir()
    names: list[str] = []
    failures: list[Any] = []
    writer: Any = None
    in_file = written = 0
    done = False
    try:
        for table, read_failures in batches:
            failures.extend(read_failures)
            start = 0
            while start < table.num_rows:
                if writer is None or in_file >= rows_per_file:
                    if writer is not None:
                        writer.close()
                    names.append(f"{len(names)}")
                    writer = pq.ParquetWriter(str(staging / names[-1]),
                                              _schema(table.schema, note))
                    in_file = 0
                take = min(rows_per_file - in_file, table.num_rows - start)
                writer.write_table(table.slice(start, take), row_group_size=batch_size)
                in_file += take
                written += take
                start += take
            if log is not None:
                log(f"... {written:,} certificates converted, {len(failures)} unreadable")
        if writer is not None:
            writer.close()
            writer = None
        if not names and not failures:
            raise ValueError(f"{source}: no certificates in the input")
        final = [part_name(i, len(names)) for i in range(len(names))]
        for temp, name in zip(names, final, strict=True):
            os.replace(staging / temp, staging / name)
        _write_failures(staging / UNREADABLE_FILE, failures)
        publish_parts(staging, output_dir, final)
        os.replace(staging / UNREADABLE_FILE, output_dir / UNREADABLE_FILE)
        done = True
    finally:
        if writer is not None:
            writer.close()
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done and not any(output_dir.iterdir()):
            output_dir.rmdir()
    return written, failures


def _write_failures(path: Path, failures: list[Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({
        "source": pa.array([f.source for f in failures], pa.string()),
        "certificate_number": pa.array([f.certificate_number for f in failures], pa.string()),
        "field": pa.array([f.field for f in failures], pa.string()),
        "message": pa.array([f.message for f in failures], pa.string())}), str(path))


def cmd_convert(args: argparse.Namespace) -> int:
    def refuse(message: object) -> int:
        print(f"ara convert: error: {message}", file=sys.stderr)
        return 2

    for name in ("rows_per_file", "batch_size"):
        if getattr(args, name) < 1:
            return refuse(f"--{name.replace('_', '-')} must be at least 1, not "
                          f"{getattr(args, name)}")
    if not Path(args.archive).exists():
        return refuse(f"{args.archive}: no such file or folder")
    show = args.progress or sys.stderr.isatty()
    try:
        written, failures = convert(
            args.archive, Path(args.output), rows_per_file=args.rows_per_file,
            batch_size=args.batch_size,
            log=(lambda m: print(m, file=sys.stderr, flush=True)) if show else None)
    except ValueError as exc:
        return refuse(exc)
    for failure in failures[:SHOWN_FAILURES]:
        where = failure.source or failure.certificate_number or "?"
        print(f"unreadable: {where}: {failure.field}: {failure.message}", file=sys.stderr)
    if len(failures) > SHOWN_FAILURES:
        print(f"unreadable: ... and {len(failures) - SHOWN_FAILURES} more (all in "
              f"{Path(args.output) / UNREADABLE_FILE})", file=sys.stderr)
    print(f"{written:,} certificates converted into {args.output} "
          f"({len(failures)} unreadable, listed in {UNREADABLE_FILE})")
    return 1 if failures else 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "convert", help="read certificates once into a Parquet dataset (for ara expand / "
                        "validate, in process or on a cluster)",
        description="Read certificates (an NDJSON bulk archive, plain, .gz or .zip; a folder "
                    "of RdSAP XML or register JSON; an open-data summary CSV, completed by "
                    "the documented inference and marked as estimates) into DATASET/part-"
                    "NNNNN.parquet files of certificate rows, and DATASET/_unreadable.parquet "
                    "listing what could not be read. One XML or JSON document (or archive "
                    "line) over 16 MiB is refused by name, never held whole. Exit 1 when "
                    "some certificates were unreadable.")
    p.add_argument("archive", metavar="ARCHIVE")
    p.add_argument("-o", "--output", required=True, metavar="DATASET/")
    p.add_argument("--rows-per-file", type=int, default=ROWS_PER_FILE, metavar="N",
                   help=f"rows per dataset file (default {ROWS_PER_FILE:,}; one partition "
                        "each for ara expand / calc on a cluster)")
    p.add_argument("--batch-size", type=int, default=BATCH_SIZE, metavar="N",
                   help=f"certificates read and written at a time (default {BATCH_SIZE:,}; "
                        "also the files' row-group size)")
    p.add_argument("--progress", action="store_true",
                   help="show progress even when stderr is not a terminal")
    p.set_defaults(func=cmd_convert)
