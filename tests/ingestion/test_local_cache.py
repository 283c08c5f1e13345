"""A local archive small enough to keep is parsed once across batches, and re-read when the
file changes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ara.cli import bundled
from ara.ingestion.epc_fetchers import BulkArchiveFetcher, PropertyLookup

ARCHIVE = bundled("sample_portfolio") / "certificates.ndjson.gz"


def test_archive_is_parsed_once_for_many_batches_and_again_after_a_change(
        tmp_path: Path) -> None:
    path = tmp_path / "certificates.ndjson.gz"
    shutil.copy(ARCHIVE, path)
    fetcher = BulkArchiveFetcher(path)
    reads = {"n": 0}
    original = fetcher._batches  # noqa: SLF001

    def counting():  # type: ignore[no-untyped-def]
        reads["n"] += 1
        return original()

    fetcher._batches = counting  # type: ignore[method-assign]  # noqa: SLF001
    first = fetcher.fetch([PropertyLookup("a", uprn=9_200_000_000_000)])
    second = fetcher.fetch([PropertyLookup("b", uprn=9_200_000_000_001)])
    assert reads["n"] == 1
    assert first.certificates.num_rows == 1 and second.certificates.num_rows == 1
    assert first.certificates.column("uprn")[0].as_py() == 9_200_000_000_000
    shutil.copy(ARCHIVE, path)  # a new file (new mtime): read again
    os.utime(path, ns=(1, 1))
    fetcher.fetch([PropertyLookup("c", uprn=9_200_000_000_002)])
    assert reads["n"] == 2
