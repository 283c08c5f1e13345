"""The filter-then-relax ladder of comparable certificates (ara.prediction.comparables)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from prediction.prediction_support import corpus, sample_certificates

from ara.prediction import (
    ArrowComparables,
    ComparableProperties,
    ParquetComparables,
    load_settings,
    predict,
)

SETTINGS = load_settings()


def _rows(n: int) -> list[int]:
    return list(range(n))


def _target(postcode: str, **extra: object) -> dict[str, object]:
    return {"target_id": "t", "postcode": postcode, "property_type": "0", "built_form": "2",
            **extra}


def _cohort(certs: pa.Table, target: dict[str, object], **kw: object):
    comparables = ArrowComparables(certs)
    return comparables, comparables.cohorts([target], SETTINGS, **kw)  # type: ignore[arg-type]


def test_the_tightest_rung_with_enough_comparables_is_used() -> None:
    # 3 in the unit (the unit's minimum), 2 more in the sector, 10 more in the district
    postcodes = ["AB1 2CD"] * 3 + ["AB1 2EF"] * 2 + ["AB1 7GH"] * 10
    certs = corpus(_rows(15), postcodes, built_forms=["2"] * 15)
    _c, unit = _cohort(certs, _target("AB1 2CD"))
    assert unit.rung.tolist() == [1] and unit.size.tolist() == [3]
    _c, sector = _cohort(certs, _target("AB1 2XX"))  # own unit empty: 5 in the sector
    assert sector.rung.tolist() == [2] and sector.size.tolist() == [5]
    _c, district = _cohort(certs, _target("AB1 9XX"))  # 15 in the district (minimum 8)
    assert district.rung.tolist() == [3] and district.size.tolist() == [15]
    _c, area = _cohort(certs, _target("AB7 9XX"))  # only the area: 15 >= 12
    assert area.rung.tolist() == [4]
    _c, none = _cohort(certs, _target("ZZ1 9XX"))
    assert none.rung.tolist() == [-1] and "minimum cohort" in str(none.reason[0])
    assert (none.rows == -1).all()


def test_hard_filters_on_property_type_built_form_and_overrides() -> None:
    forms = ["2", "3"] * 10
    certs = corpus(_rows(20), ["AB1 2CD"] * 20, built_forms=forms)
    comparables, cohorts = _cohort(certs, _target("AB1 2CD"))
    kept = cohorts.rows[0][cohorts.rows[0] >= 0]
    assert len(kept) == 10
    assert set(certs.column("built_form").take(pa.array(kept)).to_pylist()) == {"2"}
    walls = comparables.features.codes["wall_construction"]
    cavity = comparables.features.vocabulary["wall_construction"].index("4")
    _c, filtered = _cohort(certs, _target("AB1 2CD", wall_construction="4"))
    kept = filtered.rows[0][filtered.rows[0] >= 0]
    assert len(kept) and (walls[kept] == cavity).all()
    assert filtered.size[0] == int(((walls == cavity) & (np.array(forms) == "2")).sum())
    _c, unknown = _cohort(certs, _target("AB1 2CD", wall_construction="99"))
    assert unknown.rung.tolist() == [-1] and "override" in str(unknown.reason[0])
    _c, flat = _cohort(certs, {**_target("AB1 2CD"), "property_type": "2"})
    assert "property type and built form" in str(flat.reason[0])
    _c, missing = _cohort(certs, {**_target("AB1 2CD"), "built_form": None})
    assert "needed" in str(missing.reason[0])
    _c, bad = _cohort(certs, _target("not a postcode"))
    assert bad.reason == ["postcode is not a UK postcode"]


def test_hold_outs() -> None:
    postcodes = ["AB1 2CD"] * 4 + ["AB1 2EF"] * 6
    certs = corpus(_rows(10), postcodes, built_forms=["2"] * 10)
    _c, own = _cohort(certs, _target("AB1 2CD"), hold_out_rows=np.array([0]))
    assert own.rung.tolist() == [1] and own.size.tolist() == [3]
    assert 0 not in own.rows[0]
    _c, unit = _cohort(certs, _target("AB1 2CD"), hold_out_unit=True)
    assert unit.rung.tolist() == [2] and unit.size.tolist() == [6]
    assert not set(unit.rows[0][unit.rows[0] >= 0]) & {0, 1, 2, 3}


def test_the_street_rung() -> None:
    streets = ["1 Mill Lane", "3 Mill Lane", "5 Mill Lane", "2 Other Road", "4 Other Road"]
    postcodes = ["AB1 2CD", "AB1 2EF", "AB1 3GH", "AB1 2CD", "AB1 2CD"]
    certs = corpus(_rows(5), postcodes, built_forms=["2"] * 5, addresses=streets)
    _c, cohorts = _cohort(certs, _target("AB1 2CD", address_line_1="9 Mill Lane"))
    assert cohorts.rung.tolist() == [0] and sorted(cohorts.rows[0][:3]) == [0, 1, 2]
    assert cohorts.shared[0][:3].tolist() == [0, 0, 0]
    _c, held = _cohort(certs, _target("AB1 2CD", address_line_1="9 Mill Lane"),
                       hold_out_unit=True)
    assert held.rung[0] != 0  # two left on the street once the own unit is held out


def test_max_cohort_keeps_the_nearest_in_postcode_order() -> None:
    n = 120
    postcodes = [f"AB1 {1 + i % 9}{'ABCDEFGH'[i % 8]}Z" for i in range(n)]
    certs = corpus([i % 2000 for i in range(n)], postcodes, built_forms=["2"] * n)
    settings = SETTINGS.with_(max_cohort=10, min_cohort=(999, 999, 999, 1, 999))
    comparables = ArrowComparables(certs)
    cohorts = comparables.cohorts([_target("AB1 5AZ")], settings)
    kept = cohorts.rows[0]
    assert cohorts.size[0] == n and (kept >= 0).sum() == 10
    sectors = {certs.column("postcode")[int(r)].as_py()[4] for r in kept}
    assert "5" in sectors and sectors <= {"4", "5", "6"}


def test_latest_certificate_per_uprn() -> None:
    certs = corpus(_rows(4), ["AB1 2CD"] * 4, built_forms=["2"] * 4,
                   days=[100, 900, 500, 50], uprns=[7, 7, 7, 8])
    cohorts = ArrowComparables(certs).cohorts([_target("AB1 2CD")],
                                              SETTINGS.with_(min_cohort=(1,) * 5))
    assert sorted(cohorts.rows[0][cohorts.rows[0] >= 0].tolist()) == [1, 3]


def test_parquet_and_arrow_comparables_agree(tmp_path: Path) -> None:
    rows = list(range(0, 2000, 7))
    postcodes = [f"AB{1 + i % 3} {i % 4}{'ABC'[i % 3]}D" for i in range(len(rows))]
    certs = corpus(rows, postcodes, numbers=[f"1111-0000-0000-0000-{i:04d}"
                                             for i in range(len(rows))])
    folder = tmp_path / "certificates"
    folder.mkdir()
    pq.write_table(certs.slice(0, 150), folder / "part-0.parquet", row_group_size=40)
    pq.write_table(certs.slice(150), folder / "part-1.parquet", row_group_size=40)
    targets = [{"target_id": f"t{i}", "postcode": f"AB{1 + i % 3} {i % 4}ZZ",
                "property_type": "0", "built_form": str(1 + i % 4)} for i in range(30)]
    parquet = ParquetComparables(folder)
    arrow = ArrowComparables(certs)
    assert isinstance(parquet, ComparableProperties)
    assert isinstance(arrow, ComparableProperties)
    assert predict(targets, parquet).equals(predict(targets, arrow))


def test_not_a_certificate_dataset(tmp_path: Path) -> None:
    pq.write_table(pa.table({"x": [1]}), tmp_path / "x.parquet")
    with pytest.raises(ValueError, match="not a certificate dataset"):
        ParquetComparables(tmp_path / "x.parquet")


def test_sample_is_synthetic_and_complete() -> None:
    assert sample_certificates().num_rows == 2000
