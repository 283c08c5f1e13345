"""``ara rate``: a readable summary or JSON per file, an error field, exit status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ara.cli import main


def test_rate_prints_rating_and_band(sap10calcs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rate", str(sap10calcs / "examples/example_complete_sap.xml")])
    out = capsys.readouterr().out
    assert code == 0
    assert "SAP rating   70 C" in out and "EI rating 70 C" in out


def test_rate_json_has_output_columns_and_null_error(
        sap10calcs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["rate", "--json", str(sap10calcs / "tests/sap/M1_Photovoltaics/2/in.xml")])
    record = json.loads(capsys.readouterr().out)
    assert code == 0
    assert record["error"] is None
    assert (record["sap_rating"], record["sap_band"]) == (83, "B")
    assert abs(record["pv_generation_kwh"] - 3454.48) < 0.01 * 3454.48


def test_rate_reports_a_bad_file_and_rates_the_others(
        sap10calcs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "broken.xml"
    bad.write_text("<SAP-Report><unclosed>")
    code = main(["rate", "--json", str(bad), str(sap10calcs / "examples/example_complete_sap.xml")])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1
    assert records[0]["error"] and "broken.xml" in records[0]["file"]
    assert records[1]["error"] is None and records[1]["sap_rating"] == 70
