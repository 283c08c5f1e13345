"""Issue 15 item 7: implausible but possible inputs warn, impossible ones refuse.

``spec/tables/calculator_input_plausible_ranges.csv`` gives each input's plausible range; a
value outside it (and inside its physical domain, ``calculator_input_domains.csv``) is rated
and named in the output row's ``warnings``; a value outside the domain is refused as before.
The ranges sit outside every value the RdSAP 10 tables produce: an expanded register sample
never warns.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from test_hand_common import dwelling, wall, window

from ara.cli import main
from ara.rdsap import expand, read_rdsap_xml
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.sap import calculate
from ara.sap.prepare import conform, plausible_ranges
from ara.sap.schema import SAP_INPUT_SCHEMA
from ara.sap.tables import read_table

REGISTER = Path(__file__).resolve().parent / "vectors" / "register"


def rated(d: dict[str, Any]) -> dict[str, Any]:
    return calculate([d], strict=False).to_pylist()[0]


def test_every_range_lies_inside_its_physical_domain() -> None:
    domains = {r["field"]: (float(r["minimum"]), float(r["maximum"]))
               for r in read_table("calculator_input_domains.csv")}
    ranges = plausible_ranges()
    assert ranges
    for name, field_name, low, high, _unit, basis in ranges:
        lo, hi = domains[f"{name}.{field_name}"]
        assert lo <= low < high < hi and basis


def test_a_plausible_dwelling_has_no_warnings() -> None:
    row = rated(dwelling())
    assert row["status"] == "ok" and row["warnings"] is None


@pytest.mark.parametrize(("change", "field"), [
    ({"elements": [wall(90.0, 5.0), wall(80.0, 0.25, kind=4), wall(80.0, 0.16, kind=3)]},
     "elements.u_value"),
    ({"openings": [window(u=7.5)]}, "openings.u_value"),
    ({"storeys": [{"level": 0, "floor_area_m2": 80.0, "storey_height_m": 7.0}]},
     "storeys.storey_height_m"),
    ({"storeys": [{"level": 0, "floor_area_m2": 1500.0, "storey_height_m": 2.5}]},
     "storeys.floor_area_m2"),
])
def test_an_implausible_value_is_rated_and_named(change: dict[str, Any], field: str) -> None:
    row = rated(dwelling(**change))
    assert row["status"] == "ok" and row["sap_rating"] is not None
    assert row["warnings"] is not None and row["warnings"].startswith(f"{field}: implausible")
    assert "calculator_input_plausible_ranges.csv" in row["warnings"]


def test_an_impossible_value_is_still_refused_not_warned() -> None:
    row = rated(dwelling(elements=[wall(90.0, 12.0), wall(80.0, 0.25, kind=4),
                                   wall(80.0, 0.16, kind=3)]))
    assert row["status"] == "error" and "physically impossible" in row["error"]
    assert row["warnings"] is None


def test_two_implausible_values_of_one_dwelling_are_both_named() -> None:
    row = rated(dwelling(openings=[window(u=7.5)],
                         storeys=[{"level": 0, "floor_area_m2": 80.0, "storey_height_m": 7.0}]))
    for field in ("storeys.storey_height_m", "openings.u_value"):
        assert f"{field}: implausible (rated)" in row["warnings"]


@pytest.mark.parametrize("name", ["RdSAP-Schema-21.0.1.xml", "RdSAP-Schema-21.0.0.xml"])
def test_register_samples_expanded_by_the_rules_never_warn(name: str) -> None:
    row = read_rdsap_xml(REGISTER / name)
    inputs = expand(pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA), ["d"],
                    mode="estimate").inputs
    out = calculate(inputs, strict=False).to_pylist()[0]
    assert out["status"] == "ok", out["error"]
    assert out["warnings"] is None


def test_ara_calc_counts_and_names_the_warned_rows(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    rows = [dwelling(dwelling_id="plain"),
            dwelling(dwelling_id="tall", storeys=[{"level": 0, "floor_area_m2": 80.0,
                                                   "storey_height_m": 7.0}])]
    path = tmp_path / "in.parquet"
    pq.write_table(conform(pa.Table.from_pylist(rows, schema=SAP_INPUT_SCHEMA)), path)
    out = tmp_path / "out.parquet"
    assert main(["calc", str(path), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "1 rated dwellings have implausible inputs" in err and "dwelling tall:" in err
    assert pq.read_table(out).column("warnings").to_pylist()[0] is None
