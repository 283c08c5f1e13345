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

ARCHIVE and DATASET may be object-store URIs (``s3://bucket/archive.ndjson.gz``,
``s3://bucket/dataset/``; any scheme of ``pyarrow.fs``, credentials and endpoint from the usual
environment): the archive is streamed from the store (a ``.zip`` is first copied to a local
temporary file, since its members are found by seeking), and the parts are staged under a
prefix beside DATASET and moved into place at the end. A folder of documents on object storage
is not read.

Exit status: 0 every certificate converted; 1 some unreadable (listed); 2 bad input (missing,
nothing to read, OUTPUT not a folder); 78 the object store cannot be reached or refuses the
credentials; 70 an unexpected failure.
"""

from __future__ import annotations

import argparse
import io
import os
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
#: The object store cannot be reached or refuses the credentials (BSD EX_CONFIG, as
#: ``ara.cli.EXIT_CONFIG``).
EXIT_STORE_UNAVAILABLE = 78


def _schema(schema: Any, estimate_note: str | None) -> Any:
    meta = {**(schema.metadata or {}), DATASET_KEY: CERTIFICATES}
    if estimate_note:
        meta[b"ara.estimate"] = estimate_note.encode()
    return schema.with_metadata(meta)


def convert(source: str, output_dir: Path | str, *, rows_per_file: int = ROWS_PER_FILE,
            batch_size: int = BATCH_SIZE, log: Any = None) -> tuple[int, list[Any]]:
    """Read ``source`` into ``output_dir`` (see the module doc): (rows written, the read
    failures). Either may be a path or an object-store URI (``s3://bucket/archive.zip``,
    ``s3://bucket/dataset/``): an archive at a URI is read as a stream through Arrow's file
    systems, except a ``.zip``, which is copied to a local temporary file first because its
    members are found by seeking (:func:`ara.datasets.read_certificate_source`); parts go to a
    staging prefix beside the output and are moved into place at the end, as for a local
    folder. Raises :class:`~ara.datasets.DatasetError` for an output that cannot be a dataset
    folder or a URI that cannot be read (:class:`~ara.datasets.StoreUnavailableError` when
    the store cannot be reached or written), ``ValueError`` for an input with nothing in
    it."""
    import pyarrow as pa

    from ara.datasets import (
        PartWriter,
        StoreUnavailableError,
        check_output_folder,
        first_line,
        is_uri,
        join,
        move,
        part_name,
        publish_parts,
        read_certificate_source,
        remove_staging,
    )
    from ara.rdsap.readers.csv_summary import iter_summary_csv

    output = str(output_dir)
    remote = is_uri(output)
    check_output_folder(output, "ara convert")
    is_csv = Path(source).suffix.lower() == ".csv"
    note = None
    if is_csv:
        from ara.rdsap.expansion.infer_summary import ESTIMATE_NOTE, infer_summary

        note = ESTIMATE_NOTE
        batches: Any = ((infer_summary(pa.Table.from_batches([b])), f)
                        for b, f in iter_summary_csv(_csv_source(source), batch_size,
                                                     keep_raw=False))
    else:
        batches = ((pa.Table.from_batches([b]), f)
                   for b, f in read_certificate_source(source, batch_size, keep_raw=False))
    local_out = None if remote else Path(output)
    created = local_out is not None and not local_out.exists()
    if local_out is not None:
        local_out.mkdir(exist_ok=True)
    staging_name = f".ara-convert-{os.getpid()}.part"
    staging = join(output, staging_name) if remote \
        else str(Path(output).resolve() / staging_name)
    if local_out is not None:
        Path(staging).mkdir()
    names: list[str] = []
    failures: list[Any] = []
    part: Any = None
    writer: Any = None
    in_file = written = 0
    done = False
    try:
        for table, read_failures in batches:
            failures.extend(read_failures)
            start = 0
            while start < table.num_rows:
                if part is None or in_file >= rows_per_file:
                    if part is not None:
                        part.commit()
                    names.append(part_name(len(names), 0))
                    part = PartWriter(staging, names[-1])
                    writer = part.open(_schema(table.schema, note))
                    in_file = 0
                take = min(rows_per_file - in_file, table.num_rows - start)
                writer.write_table(table.slice(start, take), row_group_size=batch_size)
                in_file += take
                written += take
                start += take
            if log is not None:
                log(f"... {written:,} certificates converted, {len(failures)} unreadable")
        if part is not None:
            part.commit()
            part = None
        if not names and not failures:
            raise ValueError(f"{source}: no certificates in the input")
        final = [part_name(i, len(names)) for i in range(len(names))]
        for temp, name in zip(names, final, strict=True):
            if temp != name:  # only past 100,000 files: the numbers grow a digit
                move(join(staging, temp), join(staging, name))
        _write_failures(staging, failures)
        publish_parts(staging, output, final)
        move(join(staging, UNREADABLE_FILE), join(output, UNREADABLE_FILE))
        done = True
    except OSError as exc:  # Arrow's errors of the store (a local disk's stay unexpected)
        if not remote:
            raise
        raise StoreUnavailableError(f"{output}: cannot write: {first_line(exc)}") from exc
    finally:
        if part is not None:
            part.discard()
        remove_staging(staging)
        if created and local_out is not None and not done and not any(local_out.iterdir()):
            local_out.rmdir()
    return written, failures


def _csv_source(source: str) -> Any:
    """A summary CSV: its path, or a text stream of it at a URI (read as the local file is)."""
    from ara.datasets import is_uri, open_input

    if not is_uri(source):
        return source
    return io.TextIOWrapper(open_input(source), encoding="utf-8-sig", errors="replace",
                            newline="")


def _write_failures(staging: str, failures: list[Any]) -> None:
    """``staging/_unreadable.parquet``: the read failures (a path or URI)."""
    import pyarrow as pa

    from ara.datasets import PartWriter

    table = pa.table({
        "source": pa.array([f.source for f in failures], pa.string()),
        "certificate_number": pa.array([f.certificate_number for f in failures], pa.string()),
        "field": pa.array([f.field for f in failures], pa.string()),
        "message": pa.array([f.message for f in failures], pa.string())})
    part = PartWriter(staging, UNREADABLE_FILE)
    part.open(table.schema).write_table(table)
    part.commit()


def cmd_convert(args: argparse.Namespace) -> int:
    def refuse(message: object, code: int = 2) -> int:
        print(f"ara convert: error: {message}", file=sys.stderr)
        return code

    for name in ("rows_per_file", "batch_size"):
        if getattr(args, name) < 1:
            return refuse(f"--{name.replace('_', '-')} must be at least 1, not "
                          f"{getattr(args, name)}")
    from ara.datasets import DatasetError, StoreUnavailableError, is_uri, join

    if not is_uri(args.archive) and not Path(args.archive).exists():
        return refuse(f"{args.archive}: no such file or folder")
    show = args.progress or sys.stderr.isatty()
    try:
        written, failures = convert(
            args.archive, args.output, rows_per_file=args.rows_per_file,
            batch_size=args.batch_size,
            log=(lambda m: print(m, file=sys.stderr, flush=True)) if show else None)
    except StoreUnavailableError as exc:
        return refuse(exc, EXIT_STORE_UNAVAILABLE)
    except (ValueError, DatasetError) as exc:
        return refuse(exc)
    for failure in failures[:SHOWN_FAILURES]:
        where = failure.source or failure.certificate_number or "?"
        print(f"unreadable: {where}: {failure.field}: {failure.message}", file=sys.stderr)
    if len(failures) > SHOWN_FAILURES:
        print(f"unreadable: ... and {len(failures) - SHOWN_FAILURES} more (all in "
              f"{join(args.output, UNREADABLE_FILE)})", file=sys.stderr)
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
