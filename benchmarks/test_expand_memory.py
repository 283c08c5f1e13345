"""Peak memory of ``ara expand`` on large inputs (issue 15 item 5): a 200 MB open-data CSV and
a 200 MB NDJSON archive of register JSON certificates.

``ara expand`` reads, expands and writes one batch at a time, so its peak resident set size
must not grow with the input: each input is also run at one eighth of the size (at least 8 MB,
several batches of 5,000), and the peak
of the full size must stay within 25 % (plus 64 MB) of it, and under 1.5 GiB in all. The peak
RSS is that of the ``ara expand`` process alone (``getrusage(RUSAGE_CHILDREN)`` read by a
wrapper process that runs only it). Inputs are replicated from the files in the repository
(the data warehouse's CSV export sample, the bundled sample archive); size in MB from
``ARA_BENCH_EXPAND_MB`` (default 200). Run:
``python -m pytest benchmarks/test_expand_memory.py --benchmark-only -s``.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
MB = float(os.environ.get("ARA_BENCH_EXPAND_MB", "200"))
CSV_SAMPLE = ROOT / "tests" / "vectors" / "epb-data-warehouse" / "export_csv" / "domestic.csv"
ARCHIVE_SAMPLE = ROOT / "src" / "ara" / "data" / "sample_portfolio" / "certificates.ndjson.gz"
#: the peak at full size may exceed the peak at 1/8 size by at most this much
GROWTH, SLACK_KB, CEILING_KB = 1.25, 64 * 1024, int(1.5 * 1024 * 1024)

WRAPPER = ("import resource, subprocess, sys; "
           "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, "
           "stderr=subprocess.DEVNULL).returncode; "
           "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def _replicate(header: str | None, lines: list[str], out: Path, megabytes: float) -> Path:
    size, i = 0, 0
    with out.open("w", encoding="utf-8") as fh:
        if header is not None:
            fh.write(header + "\n")
        while size < megabytes * 1e6:
            line = lines[i % len(lines)] + "\n"
            fh.write(line)
            size += len(line.encode())
            i += 1
    return out


def _csv(tmp: Path, megabytes: float) -> Path:
    rows = CSV_SAMPLE.read_text(encoding="utf-8-sig").splitlines()
    return _replicate(rows[0], [r for r in rows[1:] if r.strip()], tmp / "domestic.csv",
                      megabytes)


def _archive(tmp: Path, megabytes: float) -> Path:
    with gzip.open(ARCHIVE_SAMPLE, "rt", encoding="utf-8") as fh:
        lines = [line.rstrip("\n") for line in fh if line.strip()]
    return _replicate(None, lines, tmp / "certificates.ndjson", megabytes)


def _peak_kb(source: Path, out: Path) -> int:
    """Peak RSS (kB) of one ``ara expand`` run in estimate mode; the run must succeed (exit 0
    or 1: some certificates refused)."""
    run = subprocess.run([sys.executable, "-c", WRAPPER, sys.executable, "-m", "ara", "expand",
                          str(source), "-o", str(out), "--mode", "estimate"],
                         capture_output=True, text=True, check=True)
    code, peak = (int(v) for v in run.stdout.split())
    assert code in (0, 1), f"ara expand {source} exited {code}"
    assert out.exists()
    return peak


@pytest.mark.parametrize("kind", ["csv", "ndjson"])
def test_expand_memory_is_flat_in_the_input_size(benchmark: Any, tmp_path: Path,
                                                 kind: str) -> None:
    make = _csv if kind == "csv" else _archive
    small_dir, big_dir = tmp_path / "small", tmp_path / "big"
    small_dir.mkdir()
    big_dir.mkdir()
    small = make(small_dir, min(MB, max(MB / 8, 8.0)))  # several batches even when MB is low
    big = make(big_dir, MB)
    small_peak = _peak_kb(small, small_dir / "out.parquet")
    peaks: list[int] = []
    benchmark.pedantic(lambda: peaks.append(_peak_kb(big, big_dir / "out.parquet")),
                       rounds=1, iterations=1)
    big_peak = peaks[0]
    benchmark.extra_info.update({
        "input": kind, "input_mb": round(big.stat().st_size / 1e6, 1),
        "peak_rss_mb": round(big_peak / 1024, 1),
        "peak_rss_mb_at_one_eighth_or_8mb": round(small_peak / 1024, 1)})
    print(f"\nara expand {kind}: {big.stat().st_size / 1e6:.0f} MB -> peak RSS "
          f"{big_peak / 1024:.0f} MB ({small_peak / 1024:.0f} MB at one eighth)")
    assert big_peak <= GROWTH * small_peak + SLACK_KB, (small_peak, big_peak)
    assert big_peak <= CEILING_KB, big_peak
