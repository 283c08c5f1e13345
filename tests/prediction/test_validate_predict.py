"""``ara validate INPUT --predict`` (issue 19): leave-one-out of the predicted EPCs over the
certificates of INPUT, in text and JSON, the same from an archive and from its converted
dataset. The bundled sample is synthetic: its figures describe the method on synthetic data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ara.cli import bundled, main

ARCHIVE = bundled("sample_portfolio") / "certificates.ndjson.gz"


def test_predict_prints_leave_one_out_by_rung(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ARCHIVE), "--predict"]) == 0
    out = capsys.readouterr().out
    assert "leave-one-out over 2000 certificates (0 unreadable" in out
    header = out.splitlines()[1].split()
    assert header[:8] == ["rung", "certificates", "predicted", "floor_area_mae_m2",
                          "floor_area_mape", "rated", "sap_mae", "sap_within_5"]
    assert out.splitlines()[-1].split()[:3] == ["all", "2000", "2000"]


def test_predict_json_equals_from_the_converted_dataset(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(ARCHIVE), "--predict", "--json"]) == 0
    from_archive = json.loads(capsys.readouterr().out)
    assert from_archive["certificates"] == 2000 and from_archive["unreadable"] == 0
    rows = {r["rung"]: r for r in from_archive["by_rung"]}
    assert rows["all"]["predicted"] == sum(r["predicted"] for k, r in rows.items()
                                           if k != "all")
    assert 0 <= rows["all"]["sap_within_5"] <= 1 and rows["all"]["sap_mae"] >= 0
    dataset = tmp_path / "certs"
    assert main(["convert", str(ARCHIVE), "-o", str(dataset)]) == 0
    capsys.readouterr()
    assert main(["validate", str(dataset), "--predict", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == from_archive
