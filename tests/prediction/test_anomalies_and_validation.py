"""Anomaly flags on lodged certificates, and leave-one-out validation."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from prediction.prediction_support import corpus

from ara.prediction import ANOMALY_FIELDS, ArrowComparables, flag_anomalies, leave_one_out
from ara.prediction.validation import format_summary

REPO = Path(__file__).resolve().parents[2]


def _street(n: int) -> pa.Table:
    """A street of semi-detached homes from the sample, in one postcode sector, with floor
    areas of 80-84 m2 and lodged ratings of 60-62."""
    certs = corpus(range(1, 4 * n, 4), [f"AB1 2{'CDEF'[i % 4]}G" for i in range(n)])
    certs = _put(certs, "total_floor_area_m2", pa.array([80.0 + i % 5 for i in range(n)]))
    return _put(certs, "energy_rating_current", pa.array([60 + i % 3 for i in range(n)],
                                                         pa.int32()))


def _put(certs: pa.Table, name: str, values: pa.Array) -> pa.Table:
    index = certs.schema.get_field_index(name)
    return certs.set_column(index, certs.schema.field(name), values)


def test_a_floor_area_far_from_the_neighbours_is_flagged_with_its_reason() -> None:
    certs = _street(30)
    area = certs.column("total_floor_area_m2").to_pylist()
    area[5] = 900.0
    certs = _put(certs, "total_floor_area_m2", pa.array(area))
    flags = flag_anomalies(certs, ArrowComparables(certs))
    assert flags.column_names == list(ANOMALY_FIELDS)
    flagged = flags.filter(flags.column("anomaly")).column("certificate_number").to_pylist()
    assert flagged == [certs.column("certificate_number")[5].as_py()]
    reason = flags.column("anomaly_reasons")[5].as_py()[0]
    assert reason.startswith("floor area 900 m2 is") and "above the weighted median" in reason
    assert flags.column("floor_area_spreads")[5].as_py() > 3.5


def test_a_lodged_rating_far_from_the_neighbours_is_flagged() -> None:
    certs = _street(30)
    sap = certs.column("energy_rating_current").to_pylist()
    sap[7] = 5
    certs = _put(certs, "energy_rating_current", pa.array(sap, pa.int32()))
    flags = flag_anomalies(certs, ArrowComparables(certs))
    assert flags.column("anomaly").to_pylist().count(True) == 1
    assert "lodged SAP rating 5 is" in flags.column("anomaly_reasons")[7].as_py()[0]


def test_no_cohort_no_flag_but_a_reason() -> None:
    certs = corpus([0, 4], ["AB1 2CD", "ZZ1 1ZZ"])
    flags = flag_anomalies(certs, ArrowComparables(certs))
    assert flags.column("anomaly").to_pylist() == [None, None]
    assert flags.column("anomaly_reasons")[0].as_py()[0].startswith("no cohort")


def test_leave_one_out_holds_out_the_unit_and_reports_by_rung() -> None:
    n = 60
    certs = corpus(range(n), [f"AB1 {i % 3}{'DEF'[i % 3]}{'GH'[i % 2]}" for i in range(n)])
    result = leave_one_out(certs)
    per = result.per_certificate
    assert per.num_rows == n
    rungs = set(per.column("rung").drop_null().to_pylist())
    assert rungs <= {"sector", "district", "area"}  # never the own unit
    summary = {row["rung"]: row for row in result.summary.to_pylist()}
    assert summary["all"]["certificates"] == n
    assert summary["all"]["rated"] == summary["all"]["predicted"]
    assert 0 <= summary["all"]["sap_within_5"] <= 1 and summary["all"]["sap_mae"] >= 0
    assert "accuracy_main_heating_system" in result.summary.column_names
    assert "sap_mae" in format_summary(result.summary)


def test_the_leave_one_out_script(tmp_path: Path, capsys: object) -> None:
    path = tmp_path / "corpus.parquet"
    pq.write_table(corpus(range(24), [f"AB1 {i % 2}DG" for i in range(24)]), path)
    spec = importlib.util.spec_from_file_location("predict_loo", REPO / "scripts" /
                                                  "predict_loo.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main([str(path), "--no-rate"]) == 0
    out = capsys.readouterr().out  # type: ignore[attr-defined]
    assert "all" in out and "floor_area_mae_m2" in out
