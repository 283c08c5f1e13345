"""``ara expand INPUT -o sap_inputs.parquet``: certificates (RdSAP XML files or a folder of
them, register JSON, a bulk NDJSON archive) -> the calculator inputs of the RdSAP 10
expansion, with the certificates that could not be read or expanded listed."""

from __future__ import annotations

import argparse
import sys
from typing import Any


def cmd_expand(args: argparse.Namespace) -> int:
    import pyarrow.parquet as pq

    from ara.rdsap.expansion import expand
    from ara.rdsap.readers import read_certificates_table

    certs, read_failures = read_certificates_table(args.input)
    result = expand(certs)
    pq.write_table(result.inputs, args.output)
    for failure in read_failures:
        print(f"unreadable: {failure}", file=sys.stderr)
    for _row, cert, field, message in result.problems:
        print(f"{cert}: {field}: {message}", file=sys.stderr)
    failed = {row for row, *_ in result.problems}
    print(f"{certs.num_rows} certificates read, {len(read_failures)} unreadable; wrote "
          f"{result.inputs.num_rows} rows to {args.output} ({len(failed)} with expansion "
          "notes or problems listed on stderr)")
    return 1 if read_failures else 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser(
        "expand", help="expand RdSAP certificates into calculator inputs (Parquet)",
        description="Read certificates (RdSAP XML file or folder, register JSON, NDJSON "
                    "archive) and write their SAP_INPUT_SCHEMA rows from the RdSAP 10 "
                    "expansion to a Parquet file.")
    p.add_argument("input", metavar="INPUT")
    p.add_argument("-o", "--output", required=True, metavar="sap_inputs.parquet")
    p.set_defaults(func=cmd_expand)
