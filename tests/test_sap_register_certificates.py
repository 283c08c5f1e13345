"""Full-SAP register certificates (issue 13): the register's SAP-Schema-19.x samples as XML
and as the data warehouse's JSON, read into SAP_INPUT_SCHEMA rows, completed by SAP 10.2 rules
and declared fallbacks, refused by name in strict mode and rated as estimates in estimate mode.

The samples (``tests/vectors/register/SAP-Schema-19.*``) are synthetic. They lodge the 18-hour
tariff, whose SAP 10.2 standing charge is not in spec/: strict mode refuses it, estimate mode
takes RdSAP 10 Table 32's (fallback ``sap_method_standing_charge_lineage``), so the 19.0.0 and
19.1.0 XML rate as they are. 19.2.0 and the JSON lodge a non-electric fuel for an electric CPSU:
refused in both modes for that contradiction. The edited copies (standard tariff, electricity)
rate without the tariff fallback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ara.cli import main
from ara.sap.fallbacks import fallback
from ara.sap.sap_json_reader import (
    SapJsonError,
    is_sap_json,
    read_sap_json,
    read_sap_json_certificate,
)
from ara.sap.schema import REQUIRED_FIELDS, SAP_INPUT_SCHEMA
from ara.sap.xml_reader import (
    SapXmlError,
    _map,
    _Node,
    _parse,
    read_sap_xml,
    read_sap_xml_certificate,
)

REGISTER = Path(__file__).resolve().parent / "vectors" / "register"
XML_190, XML_191, XML_192 = (f"SAP-Schema-{v}.xml" for v in ("19.0.0", "19.1.0", "19.2.0"))
JSON_191 = "SAP-Schema-19.1.0.json"
SAMPLES = [XML_190, XML_191, XML_192, JSON_191]

#: Declared fallbacks each sample needs, in the order the reader records them.
BASE = ["mechanical_ventilation_product_unavailable", "mechanical_ventilation_default_sfp_balanced",
        "bath_count_not_lodged", "wwhrs_ignored"]
WITH_TURBINES_AND_NETWORK = [*BASE, "wind_turbine_ignored", "heat_network_details_unused"]
TARIFF = "sap_method_standing_charge_lineage"
#: The edited copies (standard tariff): no tariff fallback.
EDITED_ASSUMPTIONS = {XML_190: BASE, XML_191: WITH_TURBINES_AND_NETWORK,
                      XML_192: WITH_TURBINES_AND_NETWORK, JSON_191: WITH_TURBINES_AND_NETWORK}
#: The samples as lodged (18-hour tariff): the tariff fallback last.
ASSUMPTIONS = {name: [*ids, TARIFF] for name, ids in EDITED_ASSUMPTIONS.items()}
#: What blocks each sample in both modes (the reader's own checks).
CONTRADICTION = ("main1_fuel: fuel {fuel} is not electricity but main heating system 1 is an "
                 "electric boiler (Main-Heating-Code 192): the certificate contradicts itself")
BLOCKED = {XML_190: (), XML_191: (), XML_192: (CONTRADICTION.format(fuel=5),),
           JSON_191: (CONTRADICTION.format(fuel=47),)}

#: Edits that make each sample ratable: standard tariff; electricity for the electric CPSU.
EDITS: dict[str, list[tuple[str, str]]] = {
    XML_190: [("<Electricity-Tariff>5<", "<Electricity-Tariff>1<")],
    XML_191: [("<Electricity-Tariff>5<", "<Electricity-Tariff>1<")],
    XML_192: [("<Electricity-Tariff>5<", "<Electricity-Tariff>1<"),
              ("<Main-Fuel-Type>5<", "<Main-Fuel-Type>39<")],
    JSON_191: [('"electricity_tariff": 5', '"electricity_tariff": 1'),
               ('"main_fuel_type": 47', '"main_fuel_type": 39')],
}


def sample(name: str) -> Path:
    path = REGISTER / name
    assert path.is_file(), f"register sample missing: {path}"
    return path


def edited(name: str, edits: list[tuple[str, str]] | None = None) -> bytes:
    text = sample(name).read_text(encoding="utf-8")
    for old, new in EDITS[name] if edits is None else edits:
        assert text.count(old) == 1, f"edit target not found once: {old!r}"
        text = text.replace(old, new)
    return text.encode("utf-8")


def read_row(name: str, data: bytes | None = None) -> dict[str, Any]:
    source: Any = data if data is not None else sample(name)
    if name.endswith(".json"):
        return read_sap_json(source, dwelling_id=Path(name).stem)
    return read_sap_xml(source, dwelling_id=Path(name).stem)


def reading(name: str, mode: str, data: bytes | None = None) -> Any:
    source: Any = data if data is not None else sample(name)
    if name.endswith(".json"):
        return read_sap_json_certificate(source, mode, dwelling_id=Path(name).stem)
    return read_sap_xml_certificate(source, mode, dwelling_id=Path(name).stem)


def rate(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, Any]]]:
    code = main(["rate", "--json", *args])
    lines = capsys.readouterr().out.splitlines()
    return code, [json.loads(line) for line in lines]


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_reads(name: str) -> None:
    row = read_row(name)
    assert list(row) == SAP_INPUT_SCHEMA.names
    for field in REQUIRED_FIELDS:
        assert row[field] is not None, field
    assert row["main1_code"] == 192 and row["water_heating_code"] == 901
    assert row["ventilation_type"] == 8 and row["electricity_tariff"] == 5
    assert row["wwhrs"] is True  # the lodged row: WWHRS present
    assert len(row["openings"]) == 15 and len(row["thermal_bridges"]) == 13


def test_xml_json_parity_19_1_0() -> None:
    """The JSON of the 19.1.0 sample gives the XML's row field for field; the one difference
    is the sample pair's own: Main-Fuel-Type 39 in the XML, main_fuel_type 47 in the JSON."""
    xml_row, json_row = read_row(XML_191), read_row(JSON_191)
    differ = {k: (xml_row[k], json_row[k]) for k in xml_row if xml_row[k] != json_row[k]}
    assert differ == {"main1_fuel": (39, 47)}
    # with the JSON's fuel edited to the XML's, rows, lodged items and completions agree
    data = edited(JSON_191, [('"main_fuel_type": 47', '"main_fuel_type": 39')])
    assert read_row(JSON_191, data) == xml_row
    for mode in ("strict", "estimate"):
        from_xml, from_json = reading(XML_191, mode), reading(JSON_191, mode, data)
        assert from_json == from_xml
    xml_root = _parse(sample(XML_191).read_bytes(), XML_191)
    lodged_xml = _map(_Node(xml_root, "SAP-Report", XML_191), "x")[1]
    from ara.sap.sap_json_reader import _map as json_map

    lodged_json = json_map(json.loads(data), JSON_191, "x")[1]
    assert lodged_json == lodged_xml
    assert lodged_xml.mv_data_source == 1 and lodged_xml.mv_index
    assert lodged_xml.shower_wwhrs == [1, 2] and lodged_xml.wind_turbines == 2
    assert lodged_xml.heat_network_block


def test_json_envelope_and_detection() -> None:
    document = json.loads(sample(JSON_191).read_text(encoding="utf-8"))
    assert is_sap_json(document) and is_sap_json({"data": document})
    assert read_sap_json({"data": document}, dwelling_id="d") == read_sap_json(document, "d")
    rdsap = json.loads((REGISTER / "RdSAP-Schema-21.0.1.json").read_text(encoding="utf-8"))
    assert not is_sap_json(rdsap)
    with pytest.raises(SapJsonError, match="RdSAP certificate"):
        read_sap_json(rdsap)
    with pytest.raises(SapXmlError, match="schema_type: unsupported schema version"):
        read_sap_json({**document, "schema_type": "SAP-Schema-16.3"})
    with pytest.raises(SapJsonError, match="no collected SAP data"):
        read_sap_json({"schema_type": "SAP-Schema-19.1.0", "living_area": 40})


def test_json_errors_name_the_json_path() -> None:
    document = json.loads(sample(JSON_191).read_text(encoding="utf-8"))
    document["sap_heating"]["main_heating_details"][0]["main_heating_code"] = "boiler"
    with pytest.raises(SapJsonError) as err:
        read_sap_json(document, dwelling_id="d")
    assert err.value.field == "/sap_heating/main_heating_details[1]/main_heating_code"


# ---------------------------------------------------------------------------------------------
# Strict and estimate modes at the reader
# ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", SAMPLES)
def test_strict_refuses_naming_each_missing_item(name: str) -> None:
    result = reading(name, "strict")
    assert result.refused and not result.estimate and result.assumptions == ()
    fillable = [r for r in result.refusals if "strict mode refuses" in r]
    assert len(fillable) == len(ASSUMPTIONS[name])
    for fid, message in zip(ASSUMPTIONS[name], fillable, strict=True):
        fb = fallback(fid)
        assert message.startswith(fb.missing)
        assert f"estimate mode would use fallback {fid}: {fb.fallback}" in message
    assert tuple(r for r in result.refusals if "strict mode refuses" not in r) == BLOCKED[name]


@pytest.mark.parametrize("name", SAMPLES)
def test_estimate_lists_the_exact_assumptions(name: str) -> None:
    result = reading(name, "estimate")
    assert list(result.assumptions) == ASSUMPTIONS[name]
    assert result.refusals == BLOCKED[name]
    row = result.row
    assert row["wwhrs"] is False  # wwhrs_ignored: the saving is left out
    assert row["bath_count"] == 1  # bath_count_not_lodged
    # SAP rules, not estimates: Table 6b g_L; Table 4a efficiency of the electric CPSU
    assert row["water_heating_efficiency_percent"] == 100.0
    assert {o["light_transmittance"] for o in row["openings"] if o["kind"] != 1} == {0.7}
    assert [r.split(":")[0] for r in result.rules] == ["openings.light_transmittance",
                                                       "water_heating_efficiency_percent"]


def test_mvhr_fallback_values_hand_checked() -> None:
    """MVHR lodged by PCDB index 500206 (no PCDB read): mechanical_ventilation_product_unavailable
    (efficiency 66 % x in-use factor 0.70 = 46.2 %, SAP 10.2 Table 4g default) and
    mechanical_ventilation_default_sfp_balanced (SAP 2009 Table 4g 2.0 W/(l/s) x 2.5 = 5.0)."""
    row = reading(XML_191, "estimate").row
    assert row["mvhr_efficiency_percent"] == pytest.approx(66 * 0.70)
    assert row["mv_specific_fan_power"] == pytest.approx(2.0 * 2.5)
    assert fallback("mechanical_ventilation_default_sfp_balanced").value == 5.0
    # read_sap_xml keeps the lodged row: no fallback, no rule
    lodged = read_row(XML_191)
    assert lodged["mvhr_efficiency_percent"] is None and lodged["mv_specific_fan_power"] is None
    assert {o["light_transmittance"] for o in lodged["openings"]} == {None}


@pytest.mark.parametrize(("glazing", "expected"), [(2, 0.9), (3, 0.8), (4, 0.8), (7, 0.8),
                                                   (8, 0.7), (9, 0.7), (12, 0.7), (13, 0.8)])
def test_light_transmittance_by_table_6b_family(glazing: int, expected: float) -> None:
    """Table 6b g_L: single 0.90, every double row (3-7) 0.80, every triple row (8-12) 0.70,
    secondary 0.80 (spec/tables/sap10_2_table6b_6c_glazing.csv family rows)."""
    data = edited(XML_191, [("<Glazing-Type>11</Glazing-Type>",
                             f"<Glazing-Type>{glazing}</Glazing-Type>")])
    row = reading(XML_191, "estimate", data).row
    windows = [o for o in row["openings"] if o["kind"] == 2]
    by_type = {(o["glazing_type"], o["light_transmittance"]) for o in windows}
    assert by_type == {(glazing, expected), (9, 0.7)}  # "Windows (1)" edited, "Windows (2)" 9
    assert {o["light_transmittance"] for o in row["openings"] if o["kind"] == 1} == {None}


def test_windows_without_a_glazing_type_stay_null() -> None:
    data = edited(XML_191, [("<Glazing-Type>11</Glazing-Type>", "")])
    row = reading(XML_191, "estimate", data).row
    assert [o["light_transmittance"] for o in row["openings"] if o["glazing_type"] is None
            and o["kind"] == 2] == [None] * 12


def test_wwhrs_not_connected_and_mev_from_sap_table() -> None:
    data = edited(XML_190, [("<Shower-WWHRS>2</Shower-WWHRS>", "<Shower-WWHRS>1</Shower-WWHRS>"),
                            ("<Ventilation-Type>8<", "<Ventilation-Type>5<"),
                            ("<Mechanical-Ventilation-Data-Source>1<",
                             "<Mechanical-Ventilation-Data-Source>3<")])
    result = reading(XML_190, "estimate", data)
    assert list(result.assumptions) == ["bath_count_not_lodged", "wwhrs_not_connected", TARIFF]
    # MEV without product data: the SAP 10.2 Table 4g default SFP 0.8 x note-3 factor 2.5
    assert result.row["mv_specific_fan_power"] == pytest.approx(2.0)
    assert any(r.startswith("mv_specific_fan_power: SAP 10.2 Table 4g") for r in result.rules)


def test_declared_mvhr_efficiency_without_in_use_factor_is_refused_in_both_modes() -> None:
    data = edited(XML_190, [("<Mechanical-Ventilation-Data-Source>1"
                             "</Mechanical-Ventilation-Data-Source>",
                             "<Mechanical-Ventilation-Data-Source>2"
                             "</Mechanical-Ventilation-Data-Source>"
                             "<Mechanical-Vent-Heat-Recovery-Efficiency>90"
                             "</Mechanical-Vent-Heat-Recovery-Efficiency>")])
    for mode in ("strict", "estimate"):
        result = reading(XML_190, mode, data)
        blocked = [r for r in result.refusals if "strict mode refuses" not in r]
        assert blocked == ["mvhr_efficiency_percent: a declared MVHR heat recovery efficiency "
                           "(90 %) is lodged without its in-use factor (PCDB Table 329, not in "
                           "spec/; no declared fallback)"]
        assert "mechanical_ventilation_product_unavailable" not in result.assumptions


def test_lodged_items_without_input_are_declared_not_dropped() -> None:
    """FGHRS, a PV diverter, hydro generation: left out only as declared fallbacks; Appendix Q
    special features: refused in both modes."""
    data = edited(XML_190, [
        ("<Has-FGHRS>false</Has-FGHRS>", "<Has-FGHRS>true</Has-FGHRS>"),
        ("<Electricity-Tariff>5</Electricity-Tariff>",
         "<Electricity-Tariff>5</Electricity-Tariff>"
         "<Hydro-Electric-Generation>300</Hydro-Electric-Generation>"),
        ("<Conservatory-Type>1</Conservatory-Type>",
         "<Conservatory-Type>1</Conservatory-Type><PV-Diverter>true</PV-Diverter>"
         "<SAP-Special-Features><SAP-Special-Feature><Description>x</Description>"
         "</SAP-Special-Feature></SAP-Special-Features>"),
    ])
    result = reading(XML_190, "estimate", data)
    assert list(result.assumptions) == [*BASE, "fghrs_ignored", "hydro_ignored", TARIFF]
    assert result.row["pv_diverter"] is True  # an input now (SAP 10.2 Appendix G4)
    assert result.refusals == ("SAP-Special-Features: Appendix Q special features are lodged "
                               "and Ara has no input for them (no declared fallback)",)


# ---------------------------------------------------------------------------------------------
# ara rate
# ---------------------------------------------------------------------------------------------
def test_ara_rate_refuses_the_samples_by_name(capsys: pytest.CaptureFixture[str]) -> None:
    files = [str(sample(name)) for name in SAMPLES]
    code, strict = rate(files, capsys)
    assert code == 1
    for name, record in zip(SAMPLES, strict, strict=True):
        error = record["error"]
        assert error.startswith("refused: blocked: " if BLOCKED[name]
                                else "refused: missing in strict mode")
        for fid in ASSUMPTIONS[name]:
            assert f"estimate mode would use fallback {fid}:" in error
        for blocked in BLOCKED[name]:
            assert blocked in error
        assert record["estimate"] is False and record["sap_rating"] is None
    code, estimate = rate(["--mode", "estimate", *files], capsys)
    assert code == 1  # 19.2.0 and the JSON contradict themselves
    for name, record in zip(SAMPLES, estimate, strict=True):
        if BLOCKED[name]:
            assert record["sap_rating"] is None
            assert "strict mode refuses" not in record["error"]
            for blocked in BLOCKED[name]:
                assert blocked in record["error"]
        else:  # the 19.0.0 and 19.1.0 XML as lodged: rated as estimates
            assert record["error"] is None and record["estimate"] is True
            assert record["assumptions"] == ASSUMPTIONS[name]
            assert record["sap_band"] in "ABCDEFG"


def test_ara_rate_estimate_rates_the_edited_samples(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    files = []
    for name in SAMPLES:
        path = tmp_path / name
        path.write_bytes(edited(name))
        files.append(str(path))
    code, records = rate(["--mode", "estimate", *files], capsys)
    assert code == 0, [r["error"] for r in records]
    for name, record in zip(SAMPLES, records, strict=True):
        assert record["error"] is None
        assert record["estimate"] is True
        assert record["assumptions"] == EDITED_ASSUMPTIONS[name]
        assert record["sap_rating"] is not None and record["sap_band"] in "ABCDEFG"
    by_name = dict(zip(SAMPLES, records, strict=True))
    # XML and JSON of the same certificate rate the same
    for column in ("sap_rating_continuous", "ei_rating_continuous", "total_fuel_cost_gbp",
                   "co2_kg_per_year", "primary_energy_kwh"):
        assert by_name[JSON_191][column] == by_name[XML_191][column], column
    # (230a) MVHR fans = SFP 5.0 (fallback) x 1.22 x V (57.4 m2 x (2.8 + 3 + 2.7) m) plus the
    # Table 4f circulation pump of 2013 or later, 41 kWh
    volume = 57.4 * (2.8 + 3.0 + 2.7)
    assert by_name[XML_191]["pumps_fans_kwh"] == pytest.approx(5.0 * 1.22 * volume + 41.0)
    # in strict mode the same edited files are refused, naming the fallbacks only
    code, strict = rate(files, capsys)
    assert code == 1
    for name, record in zip(SAMPLES, strict, strict=True):
        assert record["error"].startswith("refused: missing in strict mode (--mode estimate "
                                          "rates it with these assumptions): ")
        for fid in EDITED_ASSUMPTIONS[name]:
            assert f"fallback {fid}:" in record["error"]


def test_ara_rate_readable_summary_marks_the_estimate(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / JSON_191
    path.write_bytes(edited(JSON_191))
    assert main(["rate", "--mode", "estimate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "ESTIMATE     with the declared fallbacks" in out
    assert ", ".join(WITH_TURBINES_AND_NETWORK) in out


def test_sap_method_standing_charge_from_the_rdsap_table_only_with_the_fallback() -> None:
    """(251) of the 19.1.0 sample (SAP 10.2 method, 18-hour tariff, electricity only): the
    RdSAP 10 Table 32 18-hour standing charge with ``standing_charges_lineage`` (set by
    estimate mode), refused without it."""
    from ara.sap import calculate, trace
    from ara.sap.tables import load_tables

    row = reading(XML_191, "estimate").row
    assert row["standing_charges_lineage"] is True and row["rating_method"] in (None, 1)
    lines = trace(row)["lines"]
    assert lines["251"] == pytest.approx(load_tables().systems.standing_rdsap["18-hour"])
    out = calculate([{**row, "standing_charges_lineage": None}], strict=False).to_pylist()[0]
    assert out["status"] == "error"
    assert "no standing charge in spec/ for the 18-hour tariff" in out["error"]


@pytest.mark.parametrize("fuel", [36, 37])
@pytest.mark.parametrize("element", ["Main-Fuel-Type", "Water-Fuel-Type"])
def test_a_generated_electricity_row_as_a_heating_fuel_is_a_named_contradiction(
        element: str, fuel: int) -> None:
    """HeatingFuelTypeCode 36 / 37 ('electricity sold to / displaced from grid') are Table 12
    rows for generated electricity: lodged as what a system burns, refused in both modes."""
    data = edited(XML_191, [(f"<{element}>39</{element}>", f"<{element}>{fuel}</{element}>")])
    for mode in ("strict", "estimate"):
        with pytest.raises(SapXmlError, match=f"{element}.*code {fuel} is 'electricity "
                                              ".*contradicts itself"):
            reading(XML_191, mode, data)
