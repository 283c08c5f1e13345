"""Throughput of ``ara validate`` (issue 13): certificates per second through the whole
command (bulk archive read, RdSAP 10 expansion and calculator in batches of 5,000, the
aggregates, the JSON summary).

The archive is the bundled synthetic sample archive (2,000 certificates) replicated with new
certificate numbers into a temporary ``.ndjson.gz`` of ``ARA_BENCH_VALIDATE_N`` certificates
(default 100,000). One round, in estimate mode (every certificate rated). Run:
``python -m pytest benchmarks/test_validate.py --benchmark-only -s``.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import resource
import sys
from pathlib import Path
from typing import Any

import numba
import pytest
from bench_support import record

from ara.cli import main

N = int(float(os.environ.get("ARA_BENCH_VALIDATE_N", "1e5")))
BATCH = 5000
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "ara" / "data" / "sample_portfolio" / (
    "certificates.ndjson.gz")
NUMBER = '"certificate_number":"9000-0000-0000-0000-0000"'


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """N certificates: the sample's records in turn, each with a new certificate number."""
    with gzip.open(SAMPLE, "rt", encoding="utf-8") as fh:
        lines = [line.rstrip("\n") for line in fh if line.strip()]
    originals = [json.loads(line)["certificate_number"] for line in lines]
    out = tmp_path_factory.mktemp("validate") / f"certificates-{N}.ndjson.gz"
    with gzip.open(out, "wt", encoding="utf-8", compresslevel=1) as fh:
        for k in range(N):
            i = k % len(lines)
            number = f"8{k // 10**12 % 1000:03d}-{k // 10**8 % 10000:04d}-" \
                     f"{k // 10**4 % 10000:04d}-{k % 10000:04d}-0000"
            fh.write(lines[i].replace(f'"certificate_number":"{originals[i]}"',
                                      f'"certificate_number":"{number}"', 1) + "\n")
    return out


def test_validate_bulk_archive(benchmark: Any, archive: Path) -> None:
    benchmark.group = "validate"
    result: dict[str, Any] = {}

    def run() -> None:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            result["code"] = main(["validate", "--json", "--batch-size", str(BATCH),
                                   str(archive)])
        result["summary"] = json.loads(out.getvalue())

    benchmark.pedantic(run, rounds=1, iterations=1)
    summary = result["summary"]
    coverage = summary["coverage"]
    assert result["code"] == 0
    assert coverage["certificates"] == N
    assert coverage["rated"] + coverage["rated_estimate"] == N
    per_s = record(benchmark, N, 1)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / (1024 if sys.platform !=
                                                                  "darwin" else 1024 ** 2)
    benchmark.extra_info.update({
        "certificates": N, "certificates_per_s": round(per_s), "batch_size": BATCH,
        "processes": 1, "numba_threads": numba.get_num_threads(),
        "scored": coverage["scored"], "peak_rss_mb": round(peak)})
    print(f"\nara validate, {N:,} certificates: {per_s:,.0f}/s "
          f"({benchmark.stats.stats.mean:.1f} s), peak RSS {peak:,.0f} MB, "
          f"{coverage['scored']:,} scored")
