"""``ara expand INPUT -o sap_inputs.parquet``: certificates (RdSAP XML files or a folder of
them, register JSON, a bulk NDJSON archive, an open-data summary ``.csv``) -> the calculator
inputs of the RdSAP 10 expansion, with the certificates that could not be read or expanded
listed.

CSV summary rows carry no RdSAP survey data: they are completed by the CSV inference
(:mod:`ara.rdsap.expansion.infer_summary`) first, so their inputs are an **estimate**. The
Parquet file then carries the schema metadata ``ara.estimate`` (the note) and, in the file's
key-value metadata (``pyarrow.parquet.read_metadata(path).metadata``; known only at the end),
``ara.estimate_rows`` (how many rows), and the summary line says so.

The input is read, expanded and written in batches (``--batch-size``), so memory is bounded by
one batch whatever the input's size; the output is written to ``OUTPUT.part`` and renamed when
complete, so a stopped run never leaves a partial file under the output's name."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ara.cli_common import EXIT_CONFIG, show_progress
from ara.cli_rate import add_mode_argument, add_pcdb_argument, load_user_pcdb

#: Certificates read, expanded and written at a time: memory stays flat in the input's size.
BATCH_SIZE = 5_000


def _with_note(schema: Any, is_csv: bool) -> Any:
    """The output schema; rows from an open-data CSV are all estimates, and say so."""
    from ara.rdsap.expansion.infer_summary import ESTIMATE_NOTE

    if not is_csv:
        return schema
    return schema.with_metadata({**(schema.metadata or {}), b"ara.estimate": ESTIMATE_NOTE})


def cmd_expand(args: argparse.Namespace) -> int:
    import os

    import pyarrow as pa
    import pyarrow.parquet as pq

    from ara.rdsap.expansion import expand
    from ara.rdsap.expansion.infer_summary import ESTIMATE_NOTE, infer_summary, is_estimate
    from ara.rdsap.readers import read_certificates
    from ara.rdsap.readers.csv_summary import iter_summary_csv
    from ara.sap.fallbacks import check_mode

    try:
        pcdb = load_user_pcdb(args.pcdb)
    except ValueError as exc:
        print(f"ara expand: error: {exc}", file=sys.stderr)
        return 2
    mode = check_mode(args.mode)
    batch_size = args.batch_size
    if batch_size < 1:
        print(f"ara expand: error: --batch-size must be at least 1, not {batch_size}",
              file=sys.stderr)
        return 2
    from ara.expand_dataset import looks_like_dataset

    on_cluster = args.workers is not None or args.scheduler is not None
    dataset = looks_like_dataset(args.input)
    if on_cluster and not dataset:
        print(f"ara expand: error: {args.input}: --workers and --scheduler take a Parquet "
              "dataset of certificate rows (ara convert ARCHIVE -o DATASET/ makes one)",
              file=sys.stderr)
        return 2
    if args.workers is not None and args.workers < 1:
        print(f"ara expand: error: --workers must be at least 1, not {args.workers}",
              file=sys.stderr)
        return 2
    is_csv = not dataset and Path(args.input).suffix.lower() == ".csv"
    note = None
    partitions: Any = None
    if dataset:
        from ara.datasets import DatasetError
        from ara.expand_dataset import certificate_partitions, iter_dataset

        try:
            partitions, note = certificate_partitions(args.input, args.partition_rows)
        except DatasetError as exc:
            print(f"ara expand: error: {exc}", file=sys.stderr)
            return 2
    if (is_csv or note) and mode == "strict":
        print(f"ara expand: error: {args.input}: open-data CSV summary rows are inferred, not "
              "lodged: they expand only with --mode estimate", file=sys.stderr)
        return 2
    if on_cluster:
        return _expand_on_cluster(args, partitions, mode, note)
    batches = (iter_dataset(partitions, batch_size) if dataset
               else iter_summary_csv(args.input, batch_size, keep_raw=False) if is_csv
               else read_certificates(args.input, batch_size, keep_raw=False))
    # written to a temporary file beside the output and renamed at the end, so that a run that
    # stops part-way never leaves a partial Parquet file under the output's name
    out = Path(args.output)
    part = out.with_name(out.name + ".part")
    writer: Any = None
    read = unreadable = refused = estimates = estimated_rows = 0
    assumptions: set[str] = set()
    try:
        for batch, read_failures in batches:
            certs = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
            if is_csv:
                certs = infer_summary(certs)
            read += certs.num_rows
            unreadable += len(read_failures)
            for failure in read_failures:
                print(f"unreadable: {failure}", file=sys.stderr)
            if certs.num_rows == 0:
                continue
            estimates += sum(is_estimate(certs))
            result = expand(certs, mode=mode, pcdb=pcdb)
            # a refused certificate is not written: its row could hold fallback values
            # (strict mode) or nulls, and a later `ara calc` must not rate it
            inputs = result.inputs.filter(pa.array(~result.refused))
            for _row, cert, field, message in result.problems:
                print(f"{cert}: {field}: {message}", file=sys.stderr)
            refused += len({row for row, *_ in result.problems})
            estimated_rows += int(result.estimate.sum())
            assumptions.update(a for row in result.assumptions.to_pylist() for a in row)
            if writer is None:
                writer = pq.ParquetWriter(part, _with_note(inputs.schema, is_csv or bool(note)))
            writer.write_table(inputs)
            print(f"... {read} certificates read", file=sys.stderr, flush=True)
        if read == 0 and unreadable == 0:
            print(f"ara expand: error: {args.input}: no certificates in the input",
                  file=sys.stderr)
            return 2
        if writer is None:  # nothing expanded: an empty file with the calculator's schema
            from ara.sap import SAP_INPUT_SCHEMA
            writer = pq.ParquetWriter(part, _with_note(SAP_INPUT_SCHEMA, is_csv or bool(note)))
        if estimates:  # the count is known only now: in the footer's key-value metadata
            writer.add_key_value_metadata({"ara.estimate_rows": str(estimates)})
        writer.close()
        writer = None
        os.replace(part, out)
    finally:
        if writer is not None:
            writer.close()
        part.unlink(missing_ok=True)
    written = read - refused
    if estimated_rows:
        print(f"{estimated_rows} rows expanded with declared estimate fallbacks "
              "(spec/tables/estimate_fallbacks.csv): " + ", ".join(sorted(assumptions)))
    print(f"{read} certificates read, {unreadable} unreadable; wrote {written} rows to "
          f"{args.output} ({refused} refused, not written: their reasons are on stderr)")
    if estimates:
        print(f"{estimates} rows are an {ESTIMATE_NOTE}; the fields inferred are listed in "
              "each certificate's inferred_fields (docs/rdsap/csv_inference.md)")
    return 1 if unreadable or refused else 0


def _expand_on_cluster(args: argparse.Namespace, partitions: Any, mode: str,
                       note: str | None) -> int:
    """``ara expand DATASET -o OUTPUT_DIR/ --workers N | --scheduler ADDRESS`` (issue 18):
    every partition expanded on a Dask worker into ``OUTPUT_DIR/part-NNNNN.parquet``."""
    import importlib.util

    missing = [m for m in ("dask", "distributed") if importlib.util.find_spec(m) is None]
    if missing:
        print(f"ara expand: error: --workers and --scheduler need {', '.join(missing)}, from "
              "the 'cluster' extra: pip install 'ara-sap[cluster]'", file=sys.stderr)
        return EXIT_CONFIG
    from ara import distributed as dist
    from ara.datasets import is_uri
    from ara.expand_dataset import run_expand

    try:
        output = args.output if is_uri(args.output) else Path(args.output)
        results = run_expand(partitions, output, mode=mode,
                             pcdb_path=str(Path(args.pcdb).resolve()) if args.pcdb else None,
                             batch_size=args.batch_size, note=note, workers=args.workers,
                             scheduler=args.scheduler,
                             progress=show_progress(getattr(args, "progress", False)))
    except (dist.DatasetError, dist.PartitionFailedError) as exc:
        print(f"ara expand: error: {exc}", file=sys.stderr)
        return 2
    except dist.ClusterUnavailableError as exc:
        print(f"ara expand: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    read = sum(r.rows for r in results)
    refused = sum(r.rejected for r in results)
    estimated = sum(r.warned for r in results)
    for r in results:
        for cert, message in r.examples:
            print(f"{cert}: {message}", file=sys.stderr)
    if estimated:
        print(f"{estimated} rows expanded with declared estimate fallbacks "
              "(spec/tables/estimate_fallbacks.csv)")
    print(f"{read} certificates read; wrote {read - refused} rows to {args.output} in "
          f"{len(results)} part(s) ({refused} refused, not written: examples on stderr)")
    return 1 if refused else 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "expand", help="expand RdSAP certificates into calculator inputs (Parquet)",
        description="Read certificates (RdSAP XML file or folder, register JSON, NDJSON "
                    "archive, open-data summary CSV) and write their SAP_INPUT_SCHEMA rows "
                    "from the RdSAP 10 expansion to a Parquet file. CSV rows are completed "
                    "by documented inference first and are marked as estimates. Read, "
                    "expanded and written --batch-size certificates at a time (memory flat in "
                    "the input's size); one XML or JSON document (or archive line) over 16 MiB "
                    "is refused by name, never held whole.")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("-o", "--output", required=True, metavar="sap_inputs.parquet")
    add_mode_argument(p, default="strict")
    add_pcdb_argument(p)
    p.add_argument("--batch-size", type=int, default=BATCH_SIZE, metavar="N",
                   help=f"certificates read, expanded and written at a time (default "
                        f"{BATCH_SIZE:,}): memory is bounded by one batch, whatever the "
                        "input's size")
    cluster = p.add_argument_group(
        "a Parquet dataset of certificate rows (ara convert's output), in process or on a Dask "
        "cluster (issue 18; the 'cluster' extra)",
        "INPUT: a folder, glob or file of Parquet certificate rows; with --workers or "
        "--scheduler, OUTPUT is a folder written as part-NNNNN.parquet, one file per "
        "partition in input order. INPUT and OUTPUT must be paths every worker sees.")
    where = cluster.add_mutually_exclusive_group()
    where.add_argument("--workers", type=int, metavar="N",
                       help="start a local Dask cluster of N worker processes")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on the Dask cluster whose scheduler is at ADDRESS")
    cluster.add_argument("--partition-rows", type=int, default=100_000, metavar="N",
                         help="rows per partition when INPUT is one Parquet file (default "
                              "100000)")
    cluster.add_argument("--progress", action="store_true",
                         help="show progress even when stderr is not a terminal")
    p.set_defaults(func=cmd_expand)
