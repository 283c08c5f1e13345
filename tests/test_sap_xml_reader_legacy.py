"""Full-SAP register certificates of SAP-Schema-16.0 to 18.0.0 (SAP09-Data, SAP2012-Data; issue
13): read by ``ara.sap.xml_reader_legacy`` through the 19.x mapping and rated by the SAP 10.2
full path in estimate mode, refused by name in strict mode.

The seven register samples (``tests/vectors/register/SAP-Schema-16.0.xml`` ...
``SAP-Schema-18.0.0.xml``, verbatim; sources in ``tests/vectors/README.md``) are synthetic and
each contradicts itself: its first main heating system burns fuel 36 "electricity sold to
grid" (a Table 12 row for exported electricity). They are refused for that, by name; edited
copies (a gas boiler, and for 17.x / 18.0.0 the other contradictions of the sample repaired)
read and rate. Small hand-written documents check each mapping rule that differs from 19.x.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ara.cli import main
from ara.sap import calculate
from ara.sap.fallbacks import fallback
from ara.sap.sap_json_reader import read_sap_json
from ara.sap.schema import REQUIRED_FIELDS, SAP_INPUT_SCHEMA
from ara.sap.xml_reader import (
    SUPPORTED_SCHEMA_VERSIONS,
    SapXmlError,
    read_sap_xml,
    read_sap_xml_certificate,
)
from ara.sap.xml_reader_legacy import LEGACY_SCHEMA_VERSIONS

REGISTER = Path(__file__).resolve().parent / "vectors" / "register"
SAP09 = ["16.0", "16.1", "16.2", "16.3"]
SAP2012 = ["17.0", "17.1", "18.0.0"]
VERSIONS = SAP09 + SAP2012
MESSAGE_PATH = "ConditionReportCreateRequest_1/Content/SAP-EPC-Data/SAP09-Data"
FUEL_36 = ("code 36 is 'electricity sold to grid' (a Table 12 row for generated electricity), "
           "not a fuel a heating system uses: the certificate contradicts itself")

#: Edits that repair each sample (first occurrence of each target). The 16.x samples lodge
#: their boiler by PCDB index (Boiler-Index-Number 016685, no Main-Heating-Code): read since
#: issue 12 (the product from the user's PCDB, else the declared fallback
#: boiler_product_unavailable; tests/test_sap_pcdb_boilers.py). The repair swaps it for the
#: Table 4b code 104 so that the expectations here need neither a PCDB nor that fallback.
GAS_BOILER_09 = [("<SAP:Boiler-Index-Number>016685</SAP:Boiler-Index-Number>",
                  "<SAP:Main-Heating-Code>104</SAP:Main-Heating-Code>"),
                 ("<SAP:Main-Fuel-Type>36<", "<SAP:Main-Fuel-Type>1<")]
REPAIR_2012 = [("<Main-Heating-Fraction>0<", "<Main-Heating-Fraction>1<"),
               ("<Main-Heating-Control>2500<", "<Main-Heating-Control>2106<"),
               ("<Water-Heating-Code>950<", "<Water-Heating-Code>901<"),
               ("<Living-Area>0<", "<Living-Area>20<"),
               ("<Pressure-Test>1</Pressure-Test>",
                "<Pressure-Test>1</Pressure-Test><Air-Permeability>5</Air-Permeability>")]
EDITS: dict[str, list[tuple[str, str]]] = {
    **{v: GAS_BOILER_09 for v in SAP09},
    **{v: [("<Main-Heating-Number>2<", "<Main-Heating-Number>1<"),
           ("<Main-Heating-Category>1<", "<Main-Heating-Category>2<"),
           ("<Main-Fuel-Type>36</Main-Fuel-Type>",
            "<Main-Heating-Code>104</Main-Heating-Code><Main-Fuel-Type>1</Main-Fuel-Type>"
            "<Heat-Emitter-Type>1</Heat-Emitter-Type>"), *REPAIR_2012] for v in ("17.0", "17.1")},
    "18.0.0": [("<Main-Heating-Category>5<", "<Main-Heating-Category>2<"),
               ("<Main-Heating-Code>123</Main-Heating-Code>",
                "<Main-Heating-Code>104</Main-Heating-Code><Heat-Emitter-Type>1"
                "</Heat-Emitter-Type>"),
               ("<Main-Fuel-Type>36<", "<Main-Fuel-Type>1<"),
               ("<Water-Fuel-Type>99<", "<Water-Fuel-Type>1<"),
               ("<Secondary-Fuel-Type>37<", "<Secondary-Fuel-Type>39<"),
               ("<Secondary-Heating-Code>110<", "<Secondary-Heating-Code>691<"),
               ("<Thermal-Store>2<", "<Thermal-Store>1<"), *REPAIR_2012],
}
#: Declared fallbacks of each repaired copy in estimate mode, in the order recorded.
ASSUMPTIONS = {
    **{v: ["mechanical_ventilation_product_unavailable",
           "mechanical_ventilation_default_sfp_balanced",
           "legacy_fixed_lighting_outlet_counts", "legacy_showers_not_lodged"] for v in SAP09},
    **{v: ["mechanical_ventilation_default_sfp_balanced",
           "legacy_fixed_lighting_outlet_counts", "legacy_showers_not_lodged"]
       for v in SAP2012},
}


def sample(version: str) -> Path:
    path = REGISTER / f"SAP-Schema-{version}.xml"
    assert path.is_file(), f"register sample missing: {path}"
    return path


def edited(version: str, edits: list[tuple[str, str]] | None = None) -> bytes:
    text = sample(version).read_text(encoding="utf-8")
    for old, new in EDITS[version] if edits is None else edits:
        assert old in text, f"edit target not found: {old!r}"
        text = text.replace(old, new, 1)
    return text.encode("utf-8")


def error(data: bytes, mode: str = "estimate") -> SapXmlError:
    with pytest.raises(SapXmlError) as info:
        read_sap_xml_certificate(data, mode, dwelling_id="d")
    return info.value


# ---------------------------------------------------------------------------------------------
# The register samples
# ---------------------------------------------------------------------------------------------
def test_the_versions_are_supported() -> None:
    assert {f"SAP-Schema-{v}" for v in VERSIONS} == set(LEGACY_SCHEMA_VERSIONS)
    assert set(LEGACY_SCHEMA_VERSIONS) <= SUPPORTED_SCHEMA_VERSIONS


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("mode", ["strict", "estimate"])
def test_each_sample_is_refused_for_its_own_contradiction(version: str, mode: str) -> None:
    err = error(sample(version).read_bytes(), mode)
    data = MESSAGE_PATH if version in SAP09 else "SAP-Report/SAP2012-Data"
    assert err.field == (f"{data}/SAP-Property-Details/SAP-Heating/Main-Heating-Details/"
                         "Main-Heating[1]/Main-Fuel-Type")
    assert err.reason == FUEL_36 and err.source == "d"


@pytest.mark.parametrize("version", VERSIONS)
def test_each_repaired_sample_reads_and_rates_as_an_estimate(version: str) -> None:
    data = edited(version)
    row = read_sap_xml(data, dwelling_id=version)
    assert list(row) == SAP_INPUT_SCHEMA.names
    for field in REQUIRED_FIELDS:
        assert row[field] is not None, field
    assert row["main1_code"] == 104 and row["main1_fuel"] == 1
    # read_sap_xml keeps the lodged row: the fallbacks are written by the completion only
    assert row["showers"] is None and row["fixed_lighting"] is None
    strict = read_sap_xml_certificate(data, "strict", dwelling_id=version)
    fillable = [r for r in strict.refusals if "strict mode refuses" in r]
    assert strict.refused and len(fillable) == len(ASSUMPTIONS[version])
    assert len(fillable) == len(strict.refusals)  # nothing blocks it in both modes
    for fid, message in zip(ASSUMPTIONS[version], fillable, strict=True):
        assert message.startswith(fallback(fid).missing)
        assert f"estimate mode would use fallback {fid}:" in message
    result = read_sap_xml_certificate(data, "estimate", dwelling_id=version)
    assert list(result.assumptions) == ASSUMPTIONS[version] and result.refusals == ()
    assert any("re-rated under SAP 10.2" in r for r in result.rules)
    out = calculate([result.row], strict=False).to_pylist()[0]
    assert out["status"] == "ok", out["error"]
    assert out["sap_band"] in "ABCDEFG"


def test_sap09_sample_mapping() -> None:
    """SAP09-Data: TMP and overshading of the one building part, Open-Fireplaces-Count,
    Design-Water-Use, the 8 low-energy outlets and the bath-only Appendix J fallback."""
    row = read_sap_xml_certificate(edited("16.3"), "estimate", dwelling_id="d").row
    assert row["thermal_mass_parameter"] == 250.0 and row["windows_overshading"] == 2
    assert row["open_chimneys"] == 0 and row["open_flues"] == 0
    assert row["closed_fire_flues"] is None and row["blocked_chimneys"] is None  # null = 0
    assert row["water_use_target_125"] is True and row["solar_water_heating"] is False
    assert row["fixed_lighting"] == [{"count": 8, "power_w": 15.0, "efficacy_lm_per_w": 80.0}]
    assert row["showers"] == [] and row["bath_count"] == 1
    assert row["pv_arrays"] == [{"peak_power_kw": 0.803, "orientation": 4, "tilt_deg": 30.0,
                                 "overshading": 1}]
    assert row["pv_connected_to_dwelling_meter"] is None  # 16.x lodges no PV-Connection
    assert len(row["openings"]) == 7 and row["hot_water_delivery"] == 2
    assert [e["kind"] for e in row["elements"]] == [8, 1, 1, 7, 3]


def test_the_16x_samples_read_the_same() -> None:
    rows = [read_sap_xml(edited(v), dwelling_id="d") for v in SAP09]
    assert all(r == rows[0] for r in rows)


# ---------------------------------------------------------------------------------------------
# Hand-written documents: one per rule that differs from 19.x
# ---------------------------------------------------------------------------------------------
def document(heating: str = "", energy: str = "", parts: str | None = None,
             vent: str = "", details: str = "", root: str = "2012",
             version: str | None = None) -> bytes:
    """A small SAP2012-Data (``root`` "2012") or SAP09-Data message (``root`` "09")."""
    part = ("<SAP-Building-Part><Building-Part-Number>1</Building-Part-Number>"
            "<Overshading>2</Overshading><SAP-Floor-Dimensions><SAP-Floor-Dimension>"
            "<Storey>0</Storey><Floor-Type>2</Floor-Type><Total-Floor-Area>50</Total-Floor-Area>"
            "<Storey-Height>2.5</Storey-Height><Heat-Loss-Area>50</Heat-Loss-Area>"
            "<U-Value>0.2</U-Value></SAP-Floor-Dimension></SAP-Floor-Dimensions>"
            "<SAP-Walls><SAP-Wall><Name>W</Name><Wall-Type>2</Wall-Type>"
            "<Total-Wall-Area>80</Total-Wall-Area><U-Value>0.3</U-Value></SAP-Wall></SAP-Walls>"
            "</SAP-Building-Part>")
    body = (
        f"<SAP-Property-Details><Living-Area>20</Living-Area>{details}"
        "<SAP-Heating><Water-Heating-Code>901</Water-Heating-Code>"
        "<Secondary-Heating-Category>1</Secondary-Heating-Category>"
        f"{heating}<Main-Heating-Details><Main-Heating>"
        "<Main-Heating-Number>1</Main-Heating-Number><Main-Heating-Category>2"
        "</Main-Heating-Category><Main-Heating-Data-Source>3</Main-Heating-Data-Source>"
        "<Main-Heating-Code>104</Main-Heating-Code><Main-Fuel-Type>1</Main-Fuel-Type>"
        "<Main-Heating-Control>2106</Main-Heating-Control><Heat-Emitter-Type>1"
        "</Heat-Emitter-Type><Main-Heating-Fraction>1</Main-Heating-Fraction></Main-Heating>"
        "</Main-Heating-Details></SAP-Heating>"
        f"<SAP-Energy-Source><Wind-Turbines-Count>0</Wind-Turbines-Count>{energy}"
        "<Electricity-Tariff>1</Electricity-Tariff></SAP-Energy-Source>"
        f"<SAP-Building-Parts>{part if parts is None else parts}</SAP-Building-Parts>"
        "<SAP-Ventilation><Open-Fireplaces-Count>1</Open-Fireplaces-Count>"
        "<Open-Flues-Count>2</Open-Flues-Count><Flueless-Gas-Fires-Count>0"
        "</Flueless-Gas-Fires-Count><Pressure-Test>4</Pressure-Test>"
        f"<Sheltered-Sides-Count>2</Sheltered-Sides-Count>{vent}"
        "<Ventilation-Type>1</Ventilation-Type></SAP-Ventilation>"
        "</SAP-Property-Details>")
    if root == "09":
        return ('<ConditionReportCreateRequest_1 xmlns="http://www.epcregister.com" '
                'xmlns:SAP="DCLG-SAP09"><Content><SAP-EPC-Data><SAP09-Data xmlns="DCLG-SAP09">'
                f"<Data-Type>2</Data-Type>{body}</SAP09-Data></SAP-EPC-Data></Content>"
                "</ConditionReportCreateRequest_1>").encode()
    stated = f"<Schema-Version-Original>{version}</Schema-Version-Original>" if version else ""
    return (f'<SAP-Report xmlns="http://www.epcregister.com/xsd/sap">{stated}<SAP2012-Data>'
            f"{body}</SAP2012-Data></SAP-Report>").encode()


@pytest.mark.parametrize("root", ["09", "2012"])
def test_a_minimal_document_rates(root: str) -> None:
    result = read_sap_xml_certificate(document(root=root), "estimate", dwelling_id="d")
    assert list(result.assumptions) == ["legacy_showers_not_lodged"]
    out = calculate([result.row], strict=False).to_pylist()[0]
    assert out["status"] == "ok", out["error"]
    assert result.row["open_chimneys"] == 1 and result.row["open_flues"] == 2


def test_renamed_open_fireplaces_count() -> None:
    row = read_sap_xml(document(vent="<Open-Chimneys-Count>5</Open-Chimneys-Count>"))
    assert row["open_chimneys"] == 1  # Open-Fireplaces-Count; a 19.x name is not read here


def test_thermal_mass_parameter_is_the_floor_area_weighted_mean_of_the_parts() -> None:
    def part(number: int, tfa: float, tmp: str, shading: int = 2, window: str = "") -> str:
        return (f"<SAP-Building-Part><Building-Part-Number>{number}</Building-Part-Number>"
                f"<Overshading>{shading}</Overshading>{window}<SAP-Floor-Dimensions>"
                f"<SAP-Floor-Dimension><Storey>{number - 1}</Storey><Floor-Type>2</Floor-Type>"
                f"<Total-Floor-Area>{tfa}</Total-Floor-Area><Storey-Height>2.5</Storey-Height>"
                f"<Heat-Loss-Area>{tfa}</Heat-Loss-Area><U-Value>0.2</U-Value>"
                "</SAP-Floor-Dimension></SAP-Floor-Dimensions><SAP-Walls><SAP-Wall><Name>"
                f"W{number}</Name><Wall-Type>2</Wall-Type><Total-Wall-Area>40</Total-Wall-Area>"
                f"<U-Value>0.3</U-Value></SAP-Wall></SAP-Walls>{tmp}</SAP-Building-Part>")

    def tmp(value: int) -> str:
        return f"<Thermal-Mass-Parameter>{value}</Thermal-Mass-Parameter>"

    row = read_sap_xml(document(parts=part(1, 60, tmp(250)) + part(2, 20, tmp(100))))
    assert row["thermal_mass_parameter"] == pytest.approx((250 * 60 + 100 * 20) / 80)
    assert row["windows_overshading"] == 2
    assert read_sap_xml(document(parts=part(1, 60, "") + part(2, 20, "")))[
        "thermal_mass_parameter"] is None  # from the kappa values, as 19.x without it
    err = error(document(parts=part(1, 60, tmp(250)) + part(2, 20, "")))
    assert err.field.endswith("SAP-Building-Part[2]/Thermal-Mass-Parameter")
    assert "lodged for other building parts but not this one" in err.reason
    # parts lodging different overshading: the declared fallback, the part with more glazing
    window = ("<SAP-Openings><SAP-Opening><Name>o</Name><Type>t</Type><Location>W2</Location>"
              "<Orientation>5</Orientation><Width>2</Width><Height>1.5</Height></SAP-Opening>"
              "</SAP-Openings>")
    types = ("<SAP-Opening-Types><SAP-Opening-Type><Name>t</Name><Data-Source>2</Data-Source>"
             "<Type>4</Type><Glazing-Type>3</Glazing-Type><U-Value>2</U-Value>"
             "</SAP-Opening-Type></SAP-Opening-Types>")
    data = document(parts=part(1, 60, tmp(250), 1) + part(2, 20, tmp(100), 4, window))
    data = data.replace(b"</SAP-Building-Parts>", b"</SAP-Building-Parts>" + types.encode())
    assert read_sap_xml(data)["windows_overshading"] is None
    result = read_sap_xml_certificate(data, "estimate", dwelling_id="d")
    assert result.row["windows_overshading"] == 4
    assert result.assumptions[0] == "legacy_windows_overshading_by_part"
    strict = read_sap_xml_certificate(data, "strict", dwelling_id="d")
    assert any("legacy_windows_overshading_by_part" in r for r in strict.refusals)


@pytest.mark.parametrize(("energy", "expected"), [
    ("<Fixed-Lighting-Outlets-Count>10</Fixed-Lighting-Outlets-Count>"
     "<Low-Energy-Fixed-Lighting-Outlets-Count>4</Low-Energy-Fixed-Lighting-Outlets-Count>",
     [{"count": 4, "power_w": 15.0, "efficacy_lm_per_w": 80.0},
      {"count": 6, "power_w": 60.0, "efficacy_lm_per_w": 11.2}]),
    ("<Fixed-Lighting-Outlets-Count>10</Fixed-Lighting-Outlets-Count>"
     "<Low-Energy-Fixed-Lighting-Outlets-Percentage>30"
     "</Low-Energy-Fixed-Lighting-Outlets-Percentage>",
     [{"count": 3, "power_w": 15.0, "efficacy_lm_per_w": 80.0},
      {"count": 7, "power_w": 60.0, "efficacy_lm_per_w": 11.2}]),
])
def test_lighting_outlet_counts_take_the_declared_bulb_defaults(
        energy: str, expected: list[dict[str, Any]]) -> None:
    result = read_sap_xml_certificate(document(energy=energy), "estimate", dwelling_id="d")
    assert result.row["fixed_lighting"] == expected
    assert "legacy_fixed_lighting_outlet_counts" in result.assumptions


def test_lighting_zero_outlets_and_contradiction() -> None:
    none = document(energy="<Fixed-Lighting-Outlets-Count>0</Fixed-Lighting-Outlets-Count>")
    result = read_sap_xml_certificate(none, "estimate", dwelling_id="d")
    assert result.row["fixed_lighting"] == []  # lodged: no fixed outlets, no fallback
    assert "legacy_fixed_lighting_outlet_counts" not in result.assumptions
    err = error(document(energy="<Fixed-Lighting-Outlets-Count>2</Fixed-Lighting-Outlets-Count>"
                         "<Low-Energy-Fixed-Lighting-Outlets-Count>3"
                         "</Low-Energy-Fixed-Lighting-Outlets-Count>"))
    assert err.field.endswith("SAP-Energy-Source/Low-Energy-Fixed-Lighting-Outlets-Count")
    assert "contradicts itself" in err.reason


@pytest.mark.parametrize(("fuel", "root", "words"), [
    (49, "2012", "electricity generated by CHP"),
    (49, "09", "electricity generated by CHP"),
    (99, "2012", "'community heating schemes: special fuel'"),
    (73, "09", "'rape seed oil'"),
    (7, "09", "unknown code 7"),
    (47, "2012", "unknown code 47"),
    (37, "2012", "'electricity displaced from grid'"),
])
def test_fuel_codes_without_a_19_1_equivalent_are_refused(fuel: int, root: str,
                                                         words: str) -> None:
    data = document(root=root).replace(b"<Main-Fuel-Type>1<", f"<Main-Fuel-Type>{fuel}<".encode())
    err = error(data)
    assert err.field.endswith("Main-Heating[1]/Main-Fuel-Type")
    assert words in err.reason
    if "unknown" in words:
        assert "in the code list of SAP-Schema-" in err.reason


def test_fuel_codes_kept_are_read_unchanged() -> None:
    # 73 in SAP2012-Data means biodiesel from vegetable oil only, as in 19.1.0
    data = document(heating="<Water-Fuel-Type>73</Water-Fuel-Type>")
    assert read_sap_xml(data)["water_heating_fuel"] == 73
    assert read_sap_xml(document(root="09"))["main1_fuel"] == 1


@pytest.mark.parametrize(("edit", "field"), [
    (("<Pressure-Test>4<", "<Pressure-Test>7<"), "SAP-Ventilation/Pressure-Test"),
    (("<Electricity-Tariff>1<", "<Electricity-Tariff>6<"),
     "SAP-Energy-Source/Electricity-Tariff"),
])
def test_other_codes_new_in_19_are_unknown(edit: tuple[str, str], field: str) -> None:
    err = error(document().replace(edit[0].encode(), edit[1].encode()))
    assert err.field.endswith(field) and "unknown code" in err.reason


def test_tariff_5_is_new_in_17() -> None:
    data = document().replace(b"<Electricity-Tariff>1<", b"<Electricity-Tariff>5<")
    assert read_sap_xml(data)["electricity_tariff"] == 5
    err = error(document(root="09").replace(b"<Electricity-Tariff>1<",
                                            b"<Electricity-Tariff>5<"))
    assert "SAP-Schema-16.x" in err.reason


def test_sap09_flat_flags() -> None:
    heating = ("<Is-Primary-Pipework-Insulated>true</Is-Primary-Pipework-Insulated>"
               "<Has-Solar-Panel>true</Has-Solar-Panel><Has-WWHRS>true</Has-WWHRS>")
    row = read_sap_xml(document(heating=heating, root="09"))
    assert row["primary_pipework_insulation"] == 4  # fully insulated
    assert row["solar_water_heating"] is True and row["wwhrs"] is True
    row = read_sap_xml(document(heating="<Is-Primary-Pipework-Insulated>false"
                                         "</Is-Primary-Pipework-Insulated>", root="09"))
    assert row["primary_pipework_insulation"] == 1


def test_sap2012_declared_efficiencies_and_pv_connection() -> None:
    heating = ("<Secondary-Heating-Declared-Values><Efficiency>80</Efficiency><Make-Model>x"
               "</Make-Model><Test-Method>y</Test-Method></Secondary-Heating-Declared-Values>")
    data = document(heating=heating).replace(
        b"<Main-Heating-Fraction>1</Main-Heating-Fraction>",
        b"<Main-Heating-Fraction>1</Main-Heating-Fraction><Main-Heating-Declared-Values>"
        b"<Efficiency>91</Efficiency><Make-Model>b</Make-Model><Test-Method>t</Test-Method>"
        b"</Main-Heating-Declared-Values>")
    row = read_sap_xml(data)
    assert row["secondary_efficiency_percent"] == 80 and row["main1_efficiency_percent"] == 91

    def arrays(*codes: int) -> str:
        return "<PV-Arrays>" + "".join(
            f"<PV-Array><Peak-Power>1</Peak-Power><PV-Connection>{c}</PV-Connection></PV-Array>"
            for c in codes) + "</PV-Arrays>"

    assert read_sap_xml(document(energy=arrays(2, 2)))["pv_connected_to_dwelling_meter"] is True
    assert read_sap_xml(document(energy=arrays(1)))["pv_connected_to_dwelling_meter"] is False
    err = error(document(energy=arrays(1, 2)))
    assert err.field.endswith("SAP-Energy-Source/PV-Arrays/PV-Array")
    assert "different PV-Connection codes (1, 2)" in err.reason


def test_wind_turbines_count_is_declared() -> None:
    data = document().replace(b"<Wind-Turbines-Count>0<", b"<Wind-Turbines-Count>2<")
    assert "wind_turbine_ignored" in read_sap_xml_certificate(data, "estimate").assumptions


def test_schema_version_original() -> None:
    """A free string (the register's samples say SAP-19.0 / SAP-17.0): read; a register
    schema of the other family is a contradiction."""
    for stated in ("SAP-19.0", "SAP-17.0", "LIG-17.0", "SAP-Schema-18.0.0"):
        read_sap_xml(document(version=stated))
    for stated in ("SAP-Schema-19.1.0", "SAP-Schema-16.3"):
        err = error(document(version=stated))
        assert err.field == "SAP-Report/Schema-Version-Original"
        assert "unsupported schema version" in err.reason


def test_rdsap_payload_of_a_16x_message_is_refused() -> None:
    data = (b'<ConditionReportCreateRequest_1 xmlns="http://www.epcregister.com"><Content>'
            b"<EPC-Data><SAP-Data/></EPC-Data></Content></ConditionReportCreateRequest_1>")
    err = error(data)
    assert err.field == "ConditionReportCreateRequest_1/Content/EPC-Data"
    assert "RdSAP" in err.reason


def test_register_json_of_legacy_schemas_is_refused() -> None:
    """No register JSON of these schemas exists to check a mapping against."""
    with pytest.raises(SapXmlError, match="unsupported schema version 'SAP-Schema-17.0'"):
        read_sap_json({"schema_type": "SAP-Schema-17.0", "sap_heating": {},
                       "sap_building_parts": []})


# ---------------------------------------------------------------------------------------------
# ara rate
# ---------------------------------------------------------------------------------------------
def test_ara_rate_on_legacy_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    repaired = tmp_path / "SAP-Schema-16.3.xml"
    repaired.write_bytes(edited("16.3"))
    lodged = tmp_path / "SAP-Schema-17.0.xml"
    lodged.write_bytes(sample("17.0").read_bytes())
    code = main(["rate", "--json", "--mode", "estimate", str(repaired), str(lodged)])
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # the 17.0 sample contradicts itself
    assert records[0]["error"] is None and records[0]["estimate"] is True
    assert records[0]["assumptions"] == ASSUMPTIONS["16.3"]
    assert records[0]["sap_band"] in "ABCDEFG"
    assert records[1]["sap_rating"] is None
    assert "Main-Fuel-Type" in records[1]["error"] and "contradicts itself" in records[1]["error"]
    assert "Traceback" not in records[1]["error"]
    code = main(["rate", "--json", str(repaired)])
    record = json.loads(capsys.readouterr().out.splitlines()[0])
    assert code == 1 and record["error"].startswith("refused: missing in strict mode")
    assert "legacy_showers_not_lodged" in record["error"]


def test_ara_validate_counts_legacy_certificates_for_coverage_only(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Their lodged ratings are SAP 2009 / 2012 figures: rated, never scored for accuracy."""
    for version in ("16.3", "17.0", "18.0.0"):
        (tmp_path / f"SAP-Schema-{version}.xml").write_bytes(edited(version))
    main(["validate", "--mode", "estimate", str(tmp_path)])
    out = capsys.readouterr().out
    assert "rated as estimates            3  100.0 %" in out
    for version in ("16.3", "17.0", "18.0.0"):
        assert f"SAP-Schema-{version} " in out
    assert "0 SAP 10.2 lodgements scored" in out
