"""The fabric expansion end to end: validation case R1 (sap10calcs RdSAP base case), the
engine's window tutorial, the register samples read by ``ara.rdsap.readers``, the output
schema, problem rows, batches of 20,000 copies."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from test_expansion_fabric_cases import (
    certificate,
    elements,
    expand,
    mid_terrace_two_extensions,
    openings,
    part,
    room_in_roof,
    storey,
    surface,
    top_floor_flat_with_corridor,
    wall,
    window,
)

from ara.rdsap.expansion.fabric import FABRIC_COLUMNS, expand_fabric
from ara.rdsap.readers import read_rdsap_xml, rows_to_batch
from ara.sap import calculate
from ara.sap.schema import SAP_INPUT_SCHEMA

R1 = Path("tests/rdsap/1_base_case/1_detached")
SAMPLES = ("RdSAP-Schema-21.0.1", "RdSAP-Schema-21.0.0", "RdSAP-Schema-20.0.0")


@pytest.fixture(scope="module")
def r1(sap10calcs: Path) -> tuple[pa.Table, dict[str, Any]]:
    folder = sap10calcs / R1
    row = read_rdsap_xml(folder / "in.xml")
    expected = json.loads((folder / "response.json").read_text())["rdsap_calculation_output_dict"]
    return pa.Table.from_batches([rows_to_batch([row])]), expected


def samples(shared: Path) -> list[dict[str, Any]]:
    return [read_rdsap_xml(shared / "epb-register-api" / "samples" / s / "epc.xml")
            for s in SAMPLES]


@pytest.fixture(scope="module")
def shared(sap10calcs: Path) -> Path:
    return sap10calcs.parent


def test_r1_reproduces_the_engine_expansion(r1: tuple[pa.Table, dict[str, Any]]) -> None:
    certs, x = r1
    result = expand_fabric(certs)
    assert result.problems == []
    main, roof, floor = elements(result)
    assert main == {"kind": 1, "gross_area_m2": x["sap_building_part_0_wall_gross_area"],
                    "u_value": x["sap_building_part_0_wall_u_value_final"],
                    "kappa_kj_per_m2k": None,
                    "thermal_bridging_y": x["thermal_bridging_factor"]}
    assert main["gross_area_m2"] == x["sap_building_part_0_wall_net_area"] == 120.0
    assert (roof["kind"], roof["gross_area_m2"], roof["u_value"]) == (
        3, x["sap_building_part_0_roof_area"], x["sap_building_part_0_roof_u_value_final"])
    assert (floor["kind"], floor["gross_area_m2"], floor["u_value"]) == (
        4, x["sap_building_part_0_sap_floor_dimension_0_exposed_floor_area"],
        x["sap_building_part_0_sap_floor_dimension_0_floor_u_value_final"])
    assert openings(result) == []
    assert result.columns["storeys"][0].as_py() == [{
        "level": 0, "floor_area_m2": x["total_floor_area"],
        "storey_height_m": x["sap_building_part_0_sap_floor_dimension_0_room_height_final"]}]
    living = result.columns["living_area_m2"][0].as_py()
    assert living == x["living_area"] == 75.0
    assert living / x["total_floor_area"] == x["living_area_fraction"]
    assert result.columns["thermal_mass_parameter"][0].as_py() == x["thermal_mass_parameter"]
    assert result.columns["storey_count"][0].as_py() == x["number_of_storeys"]
    assert result.columns["windows_overshading"][0].as_py() == 2  # 'average or unknown'
    assert result.columns["wall_construction"][0].as_py() == 2  # masonry: 0.35 ach
    assert result.columns["floor_construction"][0].as_py() == 3  # Ground-Floor-Type 3
    q = {k: v[0].as_py() for k, v in result.quantities.items()}
    assert q == {"total_floor_area_m2": 100.0, "roof_area_m2": 100.0,
                 "pitched_roof_area_m2": 100.0, "main_roof_pitched": True,
                 "main_age_band": "H", "country": "england"}


def _sap_table(columns: dict[str, pa.Array], n: int) -> pa.Table:
    arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(n, f.type)
              for f in SAP_INPUT_SCHEMA]
    return pa.Table.from_arrays(arrays, schema=SAP_INPUT_SCHEMA)


def test_r1_fabric_lines_through_the_calculator(r1: tuple[pa.Table, dict[str, Any]],
                                                sap10calcs: Path) -> None:
    """(33) and (37) of the engine's worksheet from our expanded fabric; the services columns
    are written by hand (electric room heaters 691, water 909) so only fabric is tested."""
    certs, _ = r1
    sheet = json.loads((sap10calcs / R1 / "sap" / "out.json").read_text())[
        "sap_calculation_output_dict"]
    columns = dict(expand_fabric(certs).columns)
    for name, value, type_ in (("dwelling_id", "r1", pa.string()), ("pressure_test", 4, None),
                               ("ventilation_type", 1, None), ("hot_water_delivery", 1, None),
                               ("main1_code", 691, None), ("main1_fuel", 30, None),
                               ("main1_control", 2699, None), ("water_heating_code", 909, None),
                               ("water_heating_fuel", 30, None)):
        columns[name] = pa.array([value], type_ or SAP_INPUT_SCHEMA.field(name).type)
    out = calculate(_sap_table(columns, 1)).to_pylist()[0]
    assert out["status"] == "ok"
    assert out["fabric_heat_loss_w_per_k"] == pytest.approx(sheet["value_33"])
    assert out["thermal_bridging_w_per_k"] == pytest.approx(sheet["value_36"])
    assert out["total_fabric_heat_loss_w_per_k"] == pytest.approx(sheet["value_37"])
    assert out["thermal_mass_parameter"] == sheet["value_35"]


def test_engine_tutorial_window_lodged_data_and_frame_factor(sap10calcs: Path) -> None:
    """docs/tutorials/rdsap: one 1 x 1 m south window (single glazing lodged with U 1.0,
    g 0.8, frame factor 0.9, PVC): the engine keeps U and g, writes frame factor 0.7 and a
    net wall of 119 m2."""
    folder = sap10calcs / "docs" / "tutorials" / "rdsap"
    row = read_rdsap_xml(folder / "my_rdsap10_file.xml")
    x = json.loads((folder / "rdsap_result.json").read_text())["rdsap_calculation_output_dict"]
    result = expand_fabric(rows_to_batch([row]))
    assert result.problems == []
    (found,) = openings(result)
    assert found["area_m2"] == x["sap_window_0_area"]
    assert found["u_value"] == x["sap_window_0_u_value"]
    assert found["g_perpendicular"] == x["sap_window_0_g_value"]
    assert found["frame_factor"] == x["sap_window_0_frame_factor_final"]
    assert found["orientation"] == 5 and found["host_element"] == 0
    main = elements(result)[0]
    assert main["gross_area_m2"] - found["area_m2"] == x["sap_building_part_0_wall_net_area"]


def test_a_consistent_register_sample_expands(shared: Path) -> None:
    """The 21.0.1 sample made consistent (band K, room in roof of 30 m2 as Type 1 with two
    exposed 5 m gables, windows in the main wall): it expands."""
    row = samples(shared)[0]
    part = row["building_parts"][0]
    part["construction_age_band"] = "K"
    part["room_in_roof"].update(floor_area_m2=30.0, construction_age_band="K",
                                room_in_roof_type="1", surfaces=[
                                    {"surface": "gable_wall", "number": n, "length_m": 5.0,
                                     "gable_type": "0"} for n in (1, 2)])
    for lodged in row["windows"]:
        lodged.update(window_location="0", window_wall_type="1", window_type="1")
    result = expand_fabric(rows_to_batch([row]))
    assert result.problems == []
    kinds = [e["kind"] for e in elements(result)]
    # main wall, alternative walls 1 and 2, party wall, roof, floor, RR roof, RR gables 1, 2
    assert kinds == [1, 1, 1, 7, 3, 4, 3, 1, 1]
    assert result.columns["storeys"][0].as_py()[-1] == {
        "level": 99, "floor_area_m2": 30.0, "storey_height_m": 2.45}
    assert result.quantities["total_floor_area_m2"][0].as_py() == 45.82 * 2 + 30.0


def test_columns_follow_the_calculator_schema() -> None:
    result = expand(mid_terrace_two_extensions())
    assert tuple(result.columns) == FABRIC_COLUMNS
    for name, array in result.columns.items():
        assert array.type == SAP_INPUT_SCHEMA.field(name).type, name
    table = _sap_table({**result.columns, "dwelling_id": pa.array(["x"])}, 1)
    assert table.num_rows == 1


def test_rows_with_problems_are_null_and_the_others_unaffected() -> None:
    broken = mid_terrace_two_extensions()
    broken["building_parts"][0]["construction_age_band"] = "NR"
    result = expand(mid_terrace_two_extensions(), broken, top_floor_flat_with_corridor())
    assert [p.row for p in result.problems] == [1]
    assert result.problems[0].field == "building_parts[].construction_age_band"
    for name in FABRIC_COLUMNS:
        assert not result.columns[name][0:1].is_null().to_pylist()[0]
        assert result.columns[name][1].as_py() is None
    reference = expand(mid_terrace_two_extensions(), top_floor_flat_with_corridor())
    assert elements(result, 2) == elements(reference, 1)


def test_twenty_thousand_copies_expand_like_one() -> None:
    """The batch path is columnar: 20,000 copies of two dwellings give 20,000 identical
    expansions (the timing against a per-row loop is in benchmarks/test_rdsap_expansion.py)."""
    one = expand(mid_terrace_two_extensions(), top_floor_flat_with_corridor())
    pair = pa.Table.from_pylist([mid_terrace_two_extensions(), top_floor_flat_with_corridor()],
                                schema=rows_to_batch([]).schema)
    many = pair.take(pa.array(np.tile([0, 1], 10_000))).combine_chunks()
    result = expand_fabric(many)
    assert result.problems == []
    for name in FABRIC_COLUMNS:
        column = result.columns[name]
        assert len(column) == 20_000
        assert column[19_998].as_py() == one.columns[name][0].as_py()
        assert column[19_999].as_py() == one.columns[name][1].as_py()
    offsets = result.columns["elements"].offsets.to_numpy()
    assert np.array_equal(np.diff(offsets), np.tile([9, 4], 10_000))


def test_every_expanded_row_is_accepted_by_the_calculator() -> None:
    """Expanded fabric plus hand-written services columns: the calculator's input checks
    (positive areas, hosts within the dwelling, openings smaller than their host ...) pass."""
    rr = room_in_roof(40, "D", "2", [
        surface("gable_wall", 1, 6, 2, gable_type="0"), surface("gable_wall", 2, 6, 2,
                                                                gable_type="1"),
        surface("common_wall", 1, 8, 1), surface("common_wall", 2, 8, 0.8)])
    with_rr = certificate([part(1, "D", [storey("0", 60, 2.5, 32, 0, "2", "1")],
                                main_wall=wall("3", "4"), party="1", rr=rr)],
                          built_form="1", doors=1, windows=[
                              window("0", 1.0, 0.9, window_type="2", wall_type="4",
                                     glazing="2"),
                              window("0", 1.0, 1.0, wall_type="5")])
    result = expand(mid_terrace_two_extensions(), top_floor_flat_with_corridor(),
                    top_floor_flat_with_corridor(True), with_rr)
    assert result.problems == []
    n = 4
    columns = dict(result.columns)
    for name, value in (("pressure_test", 4), ("ventilation_type", 1),
                        ("hot_water_delivery", 1), ("main1_code", 691), ("main1_fuel", 30),
                        ("main1_control", 2699), ("water_heating_code", 909),
                        ("water_heating_fuel", 30)):
        columns[name] = pa.array([value] * n, SAP_INPUT_SCHEMA.field(name).type)
    columns["dwelling_id"] = pa.array(["a", "b", "c", "d"])
    out = calculate(_sap_table(columns, n))
    assert out.column("status").to_pylist() == ["ok"] * n
