"""The RdSAP expansion of a lodged WWHRS (SAP 10.2 Appendix G3, decision 0024): an
instantaneous WWHRS lodged by PCDB index takes the product's efficiency and utilisation
factor from the user's PCDB (table 353) and rates end to end; without a PCDB, with an index
the PCDB does not hold, or for a storage WWHRS, the saving is left out as the declared
fallback ``wwhrs_ignored``. The PCDB files are invented (index numbers 9004xx)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from test_estimate_mode import complete_rdsap_10, table
from test_pcdb import block, pcdf, write, wwhrs

from ara.rdsap.expansion import expand
from ara.rdsap.pcdb import Pcdb, load_pcdb
from ara.sap import calculate

# the test builder's instantaneous product (tests/rdsap/test_pcdb.py): 33.3 %, 0.91
EFFICIENCY, UTILISATION = 33.3, 0.91


def storage_product(index: str) -> str:
    fields = wwhrs(index).split(",")
    fields[10] = "2"  # table 353 field 10: 2 storage
    return ",".join(fields)


@pytest.fixture
def pcdb(tmp_path: Path) -> Pcdb:
    path = write(tmp_path, pcdf(block(353, 453, [wwhrs("900401"), storage_product("900402")],
                                      "Waste Water Heat Recovery Systems")))
    return load_pcdb(path, tmp_path / "cache")


def lodged(**changes: Any) -> dict[str, Any]:
    """The complete 21.0.1 sample (a 7 l/min mixer from the cylinder, one bath) with an
    electric shower added and the mixer draining to instantaneous WWHRS 1."""
    row = complete_rdsap_10()
    row["shower_outlets"] = [{"shower_outlet_type": "1", "shower_wwhrs": "2"},
                             {"shower_outlet_type": "2", "shower_wwhrs": "1"}]
    row["wwhrs_index_number_1"] = "900401"
    row.update(changes)
    return row


def test_a_wwhrs_in_the_users_pcdb_takes_its_product_data_and_rates(pcdb: Pcdb) -> None:
    result = expand(table(lodged()), ["d"], mode="estimate", pcdb=pcdb)
    assert result.problems == [] and result.assumptions.to_pylist() == [[]]
    x = result.inputs.to_pylist()[0]
    assert x["wwhrs"] is True and x["shower_wwhrs"] == [2, 1]
    assert (x["wwhrs_1_efficiency_percent"], x["wwhrs_1_utilisation_factor"]) == \
        (EFFICIENCY, UTILISATION)
    assert x["wwhrs_2_efficiency_percent"] is None
    plain = dict(x, wwhrs=False, shower_wwhrs=None, dwelling_id="plain")
    rated = calculate(pa.Table.from_pylist([x, plain], schema=result.inputs.schema))
    with_wwhrs, without = rated.to_pylist()
    assert with_wwhrs["status"] == "ok"
    assert with_wwhrs["water_heater_output_kwh"] < without["water_heater_output_kwh"]
    assert with_wwhrs["sap_rating_continuous"] > without["sap_rating_continuous"]
    # strict mode has nothing to refuse either
    assert expand(table(lodged()), ["d"], pcdb=pcdb).problems == []


def test_without_a_pcdb_the_wwhrs_is_left_out_as_declared(pcdb: Pcdb) -> None:
    strict = expand(table(lodged()), ["d"])
    assert strict.refused.tolist() == [True]
    [(_, _, field, message)] = strict.problems
    assert field == "wwhrs" and "wwhrs_ignored" in message
    estimate = expand(table(lodged()), ["d"], mode="estimate")
    assert estimate.assumptions.to_pylist() == [["wwhrs_ignored"]]
    x = estimate.inputs.to_pylist()[0]
    assert x["wwhrs"] is False and x["shower_wwhrs"] is None
    assert calculate(estimate.inputs).column("status").to_pylist() == ["ok"]


@pytest.mark.parametrize("changes", [
    {"wwhrs_index_number_1": "900499"},  # not in this PCDB
    {"wwhrs_index_number_1": "900402"},  # a storage product lodged as instantaneous
    {"wwhrs_index_number_1": None},  # an outlet draining to WWHRS 1, no index lodged
    {"storage_wwhrs_index_number": "900402", "number_baths_wwhrs": 1,  # storage WWHRS
     "wwhrs_index_number_1": None,
     "shower_outlets": [{"shower_outlet_type": "1", "shower_wwhrs": "4"}]},
])
def test_a_wwhrs_without_usable_product_data_is_left_out(pcdb: Pcdb,
                                                         changes: dict[str, Any]) -> None:
    estimate = expand(table(lodged(**changes)), ["d"], mode="estimate", pcdb=pcdb)
    assert estimate.problems == []
    assert estimate.assumptions.to_pylist() == [["wwhrs_ignored"]]
    assert estimate.inputs.column("wwhrs").to_pylist() == [False]
    assert calculate(estimate.inputs).column("status").to_pylist() == ["ok"]


def test_storage_beside_a_computed_instantaneous_system_is_listed_as_left_out(
        pcdb: Pcdb) -> None:
    row = lodged(storage_wwhrs_index_number="900402", number_baths_wwhrs=1)
    estimate = expand(table(row), ["d"], mode="estimate", pcdb=pcdb)
    assert estimate.assumptions.to_pylist() == [["wwhrs_ignored"]]
    x = estimate.inputs.to_pylist()[0]
    assert x["wwhrs"] is True and x["shower_wwhrs"] == [2, 1]


def test_only_mixer_showers_count_for_an_instantaneous_wwhrs(pcdb: Pcdb) -> None:
    """An electric shower lodged as draining to WWHRS 1 is not connected (RdSAP rule); with
    no mixer draining to it, the index has nothing connected."""
    row = lodged(shower_outlets=[{"shower_outlet_type": "1", "shower_wwhrs": "1"},
                                 {"shower_outlet_type": "2", "shower_wwhrs": "2"}])
    estimate = expand(table(row), ["d"], mode="estimate", pcdb=pcdb)
    assert estimate.assumptions.to_pylist() == [["wwhrs_not_connected"]]
    assert estimate.inputs.column("wwhrs").to_pylist() == [False]
    assert any("only mixer showers count" in a
               for a in estimate.audit["services_assumptions"].to_pylist()[0])
