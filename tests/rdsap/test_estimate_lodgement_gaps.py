"""Lodgements the RdSAP 10 rules do not settle, through the reader, the expansion and the
calculator: windows lodged as not measured in RdSAP-Schema-21 (fallback
``windows_not_measured``), a party wall 'not applicable' lodged with a length (fallback
``party_wall_not_applicable_with_length``) and a building part's age band lodged as 'not
applicable' (Ara's consistency rule ``ARA_AGE_BAND_NOT_APPLICABLE``, refused in both modes).

Expected values are derived by hand from the declared rule and the spec tables in
``spec/tables`` (Table S4 lineage, Table 15), not from the engine.
"""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from test_estimate_mode import REGISTER, REPO, complete_rdsap_10, table

from ara.rdsap import expand
from ara.rdsap.readers import CertificateReadError, read_rdsap_xml
from ara.sap import calculate

SPEC = REPO / "spec" / "tables"
SAP10CALCS = REPO / "tests" / "vectors" / "sap10calcs"


def _spec_rows(name: str) -> list[dict[str, str]]:
    text = (SPEC / name).read_text()
    return list(csv.DictReader(io.StringIO("".join(
        line for line in text.splitlines(True) if not line.startswith("#")))))


def _table_s4_house(band: str) -> tuple[float, float]:
    for r in _spec_rows("rdsap2012_table_s4_window_area_LINEAGE.csv"):
        if r["age_band"] == ("L" if band == "M" else band) and r["dwelling_type"] == "house":
            return float(r["coefficient"]), float(r["constant"])
    raise AssertionError(band)


def _party_u(kind: str) -> float:
    rows = [r for r in _spec_rows("rdsap10_table15_party_wall_uvalues.csv")
            if r["schema_code"] == "0" and r["applies_to"].startswith(kind)]
    assert len(rows) == 1
    return float(rows[0]["u_value_w_m2k"])


def not_measured(**transmission: Any) -> dict[str, Any]:
    """The complete 21.0.1 certificate with its windows 'not measured': no list, the
    dwelling-level transmission data lodged instead."""
    row = complete_rdsap_10()
    row.update(windows=[], glazed_area=None, multiple_glazing_type=None,
               windows_u_value=2.0, windows_solar_transmittance=0.72,
               multiple_glazed_proportion=100)
    row.update(transmission)
    return row


def test_windows_not_measured_take_the_typical_table_s4_area_with_the_lodged_data() -> None:
    row = not_measured()
    strict = expand(table(row), ["d"])
    assert strict.refused.tolist() == [True]
    assert any(f == "windows" and "windows_not_measured" in m
               for _, _, f, m in strict.problems), strict.problems
    result = expand(table(row), ["d"], mode="estimate")
    assert result.problems == [], result.problems
    used = result.assumptions.to_pylist()[0]
    assert {"windows_not_measured", "windows_from_glazed_area"} <= set(used)
    x = result.inputs.to_pylist()[0]
    tfa = sum(s["floor_area_m2"] for s in x["storeys"])  # with the room in roof
    coefficient, constant = _table_s4_house(row["building_parts"][0]["construction_age_band"])
    total = coefficient * tfa + constant  # 'typical': factor 1
    windows = [o for o in x["openings"] if o["kind"] != 1]
    # all multiple glazed (proportion 100): half east (3), half west (7), lodged U and g
    assert [(w["orientation"], w["area_m2"]) for w in windows] == [
        (3, round(total / 2, 2)), (7, round(total / 2, 2))]
    assert {w["u_value"] for w in windows} == {2.0}
    assert {w["g_perpendicular"] for w in windows} == {0.72}
    assert calculate(result.inputs, strict=False).column("status").to_pylist() == ["ok"]


def test_windows_not_measured_without_a_glazing_type_take_the_declared_glazing() -> None:
    """Without lodged transmission figures of its own the multiple-glazed share takes the
    glazing of ``glazing_type_not_recorded`` and its Table 24 U; the rest is single."""
    row = not_measured(windows_u_value=None, windows_solar_transmittance=0.72,
                       multiple_glazed_proportion=50)
    result = expand(table(row), ["d"], mode="estimate")
    assert result.problems == [], result.problems
    used = set(result.assumptions.to_pylist()[0])
    assert {"windows_not_measured", "glazing_type_not_recorded"} <= used
    windows = [o for o in result.inputs.to_pylist()[0]["openings"] if o["kind"] != 1]
    assert len(windows) == 4 and windows[0]["area_m2"] == windows[2]["area_m2"]
    double_u, single_u = windows[0]["u_value"], windows[2]["u_value"]
    assert double_u < single_u  # double glazing of unknown date vs single glazing


def test_a_certificate_that_lodges_no_window_data_at_all_has_no_windows() -> None:
    """As the sap10calcs reference expansion of its RdSAP 10 base case (no SAP-Windows, no
    transmission data: no windows in out.xml): no window, no fallback, either mode."""
    base = read_rdsap_xml(SAP10CALCS / "tests/rdsap/1_base_case/1_detached/in.xml")
    assert base["windows"] == [] and base["windows_u_value"] is None
    for mode in ("strict", "estimate"):
        result = expand(table(base), ["b"], mode=mode)  # type: ignore[arg-type]
        assert not any(f == "windows" for _, _, f, _ in result.problems)
        assert "windows_not_measured" not in result.assumptions.to_pylist()[0]
        x = result.inputs.to_pylist()[0]
        assert [o for o in x["openings"] if o["kind"] != 1] == []


def _party_na(built_form: str) -> dict[str, Any]:
    row = complete_rdsap_10()
    row["built_form"] = built_form
    part = row["building_parts"][0]
    part["party_wall_construction"] = "NA"
    for storey in part["floor_dimensions"]:
        storey["party_wall_length_m"] = 6.0
    return row


def _party_element(inputs: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in inputs["elements"] if e["kind"] == 7]


@pytest.mark.parametrize(("built_form", "kind"), [("1", None), ("2", "house"),
                                                  ("4", "house")])
def test_a_party_wall_not_applicable_with_a_length_follows_the_built_form(
        built_form: str, kind: str | None) -> None:
    row = _party_na(built_form)
    strict = expand(table(row), ["d"])
    assert any("party_wall_not_applicable_with_length" in m for *_, m in strict.problems)
    result = expand(table(row), ["d"], mode="estimate")
    assert result.problems == [], result.problems
    assert "party_wall_not_applicable_with_length" in result.assumptions.to_pylist()[0]
    x = result.inputs.to_pylist()[0]
    party = _party_element(x)
    if kind is None:  # detached: no party wall billed
        assert [e for e in party if e["gross_area_m2"] > 0] == []
    else:  # Table 15 'unable to determine' for a house, over the lodged length x height
        assert [e["u_value"] for e in party if e["gross_area_m2"] > 0] == [_party_u(kind)]
    assert calculate(result.inputs, strict=False).column("status").to_pylist() == ["ok"]


def test_a_party_wall_not_applicable_without_a_length_needs_no_fallback() -> None:
    row = _party_na("1")
    for storey in row["building_parts"][0]["floor_dimensions"]:
        storey["party_wall_length_m"] = 0.0
    result = expand(table(row), ["d"])
    assert result.problems == [] and result.assumptions.to_pylist() == [[]]


def test_a_building_part_age_band_not_applicable_is_refused_by_the_reader() -> None:
    text = (REGISTER / "RdSAP-Schema-21.0.1.xml").read_text()
    first = text.index("<Construction-Age-Band>")
    end = text.index("</Construction-Age-Band>", first)
    bad = text[:first] + "<Construction-Age-Band>0" + text[end:]
    with pytest.raises(CertificateReadError, match="ARA_AGE_BAND_NOT_APPLICABLE"):
        read_rdsap_xml(bad.encode())


def test_hot_water_from_a_chp_heat_network_is_flexible_operation_in_estimate_mode() -> None:
    """Water-Heating-Code 951 (hot water only, heat network with CHP): RdSAP lodges no
    operation mode; strict refuses naming the fallback, estimate mode writes flexible
    operation (the Table 12f column in spec/) and rates."""
    row = complete_rdsap_10()
    row.update(water_heating_code="951", water_heating_fuel="20")
    strict = expand(table(row), ["d"])
    assert any("heat_network_chp_operation_not_lodged" in m for *_, m in strict.problems)
    result = expand(table(row), ["d"], mode="estimate")
    assert result.problems == [], result.problems
    assert "heat_network_chp_operation_not_lodged" in result.assumptions.to_pylist()[0]
    assert result.inputs.column("heat_network_chp_flexible").to_pylist() == [True]
    out = calculate(result.inputs, strict=False).to_pylist()[0]
    assert out["status"] == "ok"


def test_a_heat_network_without_chp_declares_no_operation_mode() -> None:
    row = complete_rdsap_10()
    row.update(water_heating_code="950", water_heating_fuel="20")
    result = expand(table(row), ["d"], mode="estimate")
    assert "heat_network_chp_operation_not_lodged" not in result.assumptions.to_pylist()[0]
    assert result.inputs.column("heat_network_chp_flexible").to_pylist() == [None]
