"""``ara expand INPUT -o sap_inputs.parquet``: certificates (RdSAP XML files or a folder of
them, register JSON, a bulk NDJSON archive, an open-data summary ``.csv``) -> the calculator
inputs of the RdSAP 10 expansion, with the certificates that could not be read or expanded
listed.

CSV summary rows carry no RdSAP survey data: they are completed by the CSV inference
(:mod:`ara.rdsap.expansion.infer_summary`) first, so their inputs are an **estimate**. The
Parquet file then carries the schema metadata ``ara.estimate`` (the note) and
``ara.estimate_rows`` (how many rows), and the summary line says so."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ara.cli_rate import add_mode_argument, add_pcdb_argument, load_user_pcdb


def cmd_expand(args: argparse.Namespace) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ara.rdsap.expansion import expand
    from ara.rdsap.expansion.infer_summary import ESTIMATE_NOTE, infer_summary, is_estimate
    from ara.rdsap.readers import read_certificates_table
    from ara.rdsap.readers.csv_summary import read_summary_csv
    from ara.sap.fallbacks import check_mode

    if Path(args.input).suffix.lower() == ".csv":
        certs, read_failures = read_summary_csv(args.input)
        certs = infer_summary(certs)
    else:
        certs, read_failures = read_certificates_table(args.input)
    estimates = sum(is_estimate(certs))
    try:
        pcdb = load_user_pcdb(args.pcdb)
    except ValueError as exc:
        print(f"ara expand: error: {exc}", file=sys.stderr)
        return 2
    mode = check_mode(args.mode)
    if mode == "strict" and estimates:
        print(f"ara expand: error: {args.input}: open-data CSV summary rows are inferred, not "
              "lodged: they expand only with --mode estimate", file=sys.stderr)
        return 2
    if certs.num_rows == 0 and not read_failures:
        print(f"ara expand: error: {args.input}: no certificates in the input", file=sys.stderr)
        return 2
    result = expand(certs, mode=mode, pcdb=pcdb)
    # a refused certificate is not written: its row could hold fallback values (strict mode)
    # or nulls, and a later `ara calc` must not rate it
    inputs = result.inputs.filter(pa.array(~result.refused))
    if estimates:
        inputs = inputs.replace_schema_metadata({
            **(inputs.schema.metadata or {}), b"ara.estimate": ESTIMATE_NOTE.encode(),
            b"ara.estimate_rows": str(estimates).encode()})
    pq.write_table(inputs, args.output)
    for failure in read_failures:
        print(f"unreadable: {failure}", file=sys.stderr)
    for _row, cert, field, message in result.problems:
        print(f"{cert}: {field}: {message}", file=sys.stderr)
    failed = {row for row, *_ in result.problems}
    if result.estimate.any():
        print(f"{int(result.estimate.sum())} rows expanded with declared estimate fallbacks "
              "(spec/tables/estimate_fallbacks.csv): "
              + ", ".join(sorted({a for row in result.assumptions.to_pylist() for a in row})))
    print(f"{certs.num_rows} certificates read, {len(read_failures)} unreadable; wrote "
          f"{inputs.num_rows} rows to {args.output} ({len(failed)} refused, not written: "
          "their reasons are on stderr)")
    if estimates:
        print(f"{estimates} rows are an {ESTIMATE_NOTE}; the fields inferred are listed in "
              "each certificate's inferred_fields (docs/rdsap/csv_inference.md)")
    return 1 if read_failures or failed else 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "expand", help="expand RdSAP certificates into calculator inputs (Parquet)",
        description="Read certificates (RdSAP XML file or folder, register JSON, NDJSON "
                    "archive, open-data summary CSV) and write their SAP_INPUT_SCHEMA rows "
                    "from the RdSAP 10 expansion to a Parquet file. CSV rows are completed "
                    "by documented inference first and are marked as estimates.")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("-o", "--output", required=True, metavar="sap_inputs.parquet")
    add_mode_argument(p, default="strict")
    add_pcdb_argument(p)
    p.set_defaults(func=cmd_expand)
