"""``ara run --comparables DATASET/`` through the command line (issue 19): the comparables
read from a dataset made by ``ara convert`` predict exactly what the run's own archive
predicts, and a comparables path that does not exist is refused in one line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pg_support import snapshot
from sample_support import SAMPLE

from ara.cli import main

ARCHIVE = SAMPLE / "certificates.ndjson.gz"


def _portfolio(folder: Path) -> Path:
    """60 homes with a certificate and the sample's last 20, which have none."""
    lines = (SAMPLE / "portfolio.csv").read_text(encoding="utf-8").splitlines()
    path = folder / "homes.csv"
    path.write_text("\n".join(lines[:61] + lines[-20:]) + "\n", encoding="utf-8")
    return path


def _run(portfolio: Path, db: Path, *extra: str) -> None:
    command = ["run", str(portfolio), "--db", str(db), "--report", "none", "--scenarios",
               "none", "--epc-source", f"archive:{ARCHIVE}", "--uprn-data",
               str(SAMPLE / "uprn.parquet"), *extra]
    assert main(command) in (0, 1)  # 1: some homes failed, as the summary says
    assert main(["overrides", "import", str(SAMPLE / "overrides_predicted_homes.csv"),
                 "--db", str(db)]) in (0, 1)  # 1: statements of homes not in this portfolio
    assert main(command) in (0, 1)


def test_comparables_from_a_converted_dataset_predict_what_the_archive_predicts(
        tmp_path: Path) -> None:
    portfolio = _portfolio(tmp_path)
    dataset = tmp_path / "comparables"
    assert main(["convert", str(ARCHIVE), "-o", str(dataset), "--rows-per-file", "700"]) == 0
    _run(portfolio, tmp_path / "archive.db")
    _run(portfolio, tmp_path / "dataset.db", "--comparables", str(dataset))
    by_archive = snapshot(str(tmp_path / "archive.db"))
    by_dataset = snapshot(str(tmp_path / "dataset.db"))
    assert by_archive["predicted_epcs"], "no home was predicted"
    for table in ("predicted_epcs", "baseline_performance", "stage_failures"):
        assert by_dataset[table] == by_archive[table], table


def test_comparables_that_do_not_exist_are_refused_in_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "ara.db"
    code = main(["run", str(_portfolio(tmp_path)), "--db", str(db), "--report", "none",
                 "--epc-source", f"archive:{ARCHIVE}", "--comparables",
                 str(tmp_path / "absent")])
    err = capsys.readouterr().err
    assert code == 2 and "--comparables" in err and "no such file" in err
    assert len(err.strip().splitlines()) == 1 and not db.exists()
