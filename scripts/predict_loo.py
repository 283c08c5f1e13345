"""Leave-one-out validation of predicted EPCs over a corpus of certificates (issue 19).

    python scripts/predict_loo.py CERTIFICATES [--no-rate] [--out PER_CERTIFICATE.parquet]

CERTIFICATES: a Parquet file or folder of ``CERTIFICATE_SCHEMA`` rows, or anything
``ara.rdsap.readers.read_certificates_table`` reads (an NDJSON archive of register JSON, a
folder of XML). Each certificate is predicted from the others with its own postcode unit held
out; the table printed gives, by rung, the accuracy of the key components, the floor area
error, and (unless ``--no-rate``) the SAP MAE and the share within 5 points, both
certificates rated by this calculator. With no argument it runs the bundled SYNTHETIC
sample portfolio (its figures describe synthetic data, not housing).
"""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from pathlib import Path

import pyarrow.parquet as pq

from ara.prediction import format_summary, leave_one_out
from ara.prediction.validation import read_corpus


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("certificates", nargs="?", type=Path,
                        help="certificate file or folder (default: the bundled sample)")
    parser.add_argument("--no-rate", action="store_true",
                        help="components and floor area only, no SAP comparison")
    parser.add_argument("--out", type=Path, help="write the per-certificate table (Parquet)")
    args = parser.parse_args(argv)
    path = args.certificates or Path(str(resources.files("ara") / "data" / "sample_portfolio"
                                         / "certificates.ndjson.gz"))
    corpus, unreadable = read_corpus([str(path)])
    if unreadable:
        print(f"{unreadable} certificates could not be read (left out)", file=sys.stderr)
    result = leave_one_out(corpus, rate=not args.no_rate)
    if args.certificates is None:
        print("SYNTHETIC DATA: the bundled sample portfolio describes no real home")
    print(f"leave-one-out over {corpus.num_rows} certificates of {path}")
    print(format_summary(result.summary))
    if args.out:
        pq.write_table(result.per_certificate, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
