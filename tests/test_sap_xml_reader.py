"""Tests for ara.sap.xml_reader: full SAP XML (SAP-Schema-19.x) -> SAP_INPUT_SCHEMA rows.

The reference documents are copies in ``tests/vectors`` (sources and licences in its
README). If one is missing the tests that need it FAIL (they never skip).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pyarrow as pa
import pytest

try:
    import ara.sap.xml_reader  # noqa: F401
except ModuleNotFoundError:  # not installed: fall back to the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from ara.sap.schema import REQUIRED_FIELDS, SAP_INPUT_SCHEMA  # noqa: E402
from ara.sap.xml_reader import SapXmlError, read_sap_xml, read_sap_xml_files  # noqa: E402

VECTORS = Path(__file__).resolve().parent / "vectors"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "xml"

EXAMPLE = "sap10calcs/examples/example_complete_sap.xml"
RDSAP_OUT = "sap10calcs/tests/rdsap/1_base_case/1_detached/out.xml"
RDSAP_TUTORIAL_SAP = "sap10calcs/docs/tutorials/rdsap/my_sap10_file.xml"
PV1 = "sap10calcs/tests/sap/M1_Photovoltaics/1/in.xml"
PV2 = "sap10calcs/tests/sap/M1_Photovoltaics/2/in.xml"
PV_CASE = "sap10calcs/docs/case_studies/solar_photovoltaics/in.xml"
REG_190 = "epb-register-api/samples/SAP-Schema-19.0.0/epc.xml"
REG_191 = "epb-register-api/samples/SAP-Schema-19.1.0/epc.xml"
REG_192 = "epb-register-api/samples/SAP-Schema-19.2.0/epc.xml"

# Every full-SAP XML in the shared vectors. The three register samples are certificates that
# also carry complete SAP10-Data, so they are mapped (not refused).
FULL_SAP_FILES = [
    EXAMPLE,
    PV1,
    PV2,
    PV_CASE,
    "sap10calcs/docs/tutorials/sap/my_sap10_file.xml",
    RDSAP_TUTORIAL_SAP,
    RDSAP_OUT,
    REG_190,
    REG_191,
    REG_192,
]


def vector(rel: str) -> Path:
    """Path of a shared vector; fails (never skips) when the shared folder is missing."""
    if not VECTORS.is_dir():
        pytest.fail(f"test vectors folder not found at {VECTORS}")
    path = VECTORS / rel
    if not path.is_file():
        pytest.fail(f"shared vector missing: {path}")
    return path


def modified(rel: str, *edits: tuple[str, str]) -> bytes:
    """The bytes of a shared vector with exact text replacements applied (each must match)."""
    text = vector(rel).read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, f"edit target not found: {old!r}"
        text = text.replace(old, new, 1)
    return text.encode("utf-8")


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# ---------------------------------------------------------------------------------------------
# Every full-SAP document reads
# ---------------------------------------------------------------------------------------------
def test_shared_folder_present() -> None:
    assert VECTORS.is_dir(), f"shared vectors folder not found at {VECTORS}"


@pytest.mark.parametrize("rel", FULL_SAP_FILES)
def test_every_full_sap_file_reads(rel: str) -> None:
    path = vector(rel)
    row = read_sap_xml(path)
    assert list(row) == SAP_INPUT_SCHEMA.names
    assert row["dwelling_id"] == path.stem
    for name in REQUIRED_FIELDS:
        assert row[name] is not None, name
    assert row["storeys"] and row["elements"]
    assert row["climate_region"] is None  # the XML carries a postcode only


def test_rdsap_documents_are_refused() -> None:
    for rel in ("sap10calcs/examples/example_complete_rdsap.xml",
                "epb-register-api/samples/RdSAP-Schema-21.0.1/epc.xml"):
        with pytest.raises(SapXmlError, match="RdSAP document"):
            read_sap_xml(vector(rel))


# ---------------------------------------------------------------------------------------------
# Specific values
# ---------------------------------------------------------------------------------------------
def test_example_complete_sap_values() -> None:
    row = read_sap_xml(vector(EXAMPLE))
    assert row["storeys"] == [{"level": 0, "floor_area_m2": 100.0, "storey_height_m": 3.0}]
    assert row["storey_count"] == 1
    assert row["living_area_m2"] == 30.0
    kinds = [(e["kind"], e["gross_area_m2"], e["u_value"]) for e in row["elements"]]
    assert kinds == [(4, 100.0, 0.5), (1, 120.0, 0.5), (3, 100.0, 0.5)]  # floor, wall, roof
    assert all(e["thermal_bridging_y"] == 0.2 for e in row["elements"])
    assert row["thermal_bridges"] == []
    [window] = row["openings"]
    assert window["kind"] == 2
    assert window["area_m2"] == pytest.approx(7.5)
    assert window["u_value"] == 1.5
    assert window["glazing_type"] == 3
    assert window["orientation"] == 5
    assert window["host_element"] == 1  # the wall sap_wall_1_1
    assert row["elements"][window["host_element"]]["kind"] == 1
    assert window["thermal_bridging_y"] == 0.2
    assert window["tilt_deg"] is None
    assert window["g_perpendicular"] is None and window["frame_factor"] is None
    assert row["pressure_test"] == 2
    assert row["air_permeability_q50"] == 3.5
    assert row["sheltered_sides"] == 2
    assert row["ventilation_type"] == 1
    assert row["intermittent_fans"] == 0 and row["open_chimneys"] == 0
    assert (row["main1_code"], row["main1_fuel"], row["main1_control"]) == (104, 1, 2106)
    assert row["main1_fraction"] == 1.0
    assert row["main1_pump_in_heated_space"] is True
    assert row["main1_emitter"] == 1
    assert row["main2_code"] is None
    assert row["water_heating_code"] == 901
    assert row["hot_water_delivery"] == 2
    assert row["cold_water_source"] == 1
    assert row["windows_overshading"] == 2
    assert row["electricity_tariff"] == 1
    assert row["pv_arrays"] is None and row["fixed_lighting"] is None
    assert row["solar_water_heating"] is False and row["wwhrs"] is False


def test_rdsap_expanded_out_xml_values() -> None:
    row = read_sap_xml(vector(RDSAP_OUT))
    assert row["pressure_test"] == 6
    assert row["intermittent_fans"] == 1
    assert row["passive_vents"] == 0
    assert {e["thermal_bridging_y"] for e in row["elements"]} == {0.15}
    assert row["thermal_mass_parameter"] == 250.0
    assert row["cold_water_source"] == 2
    assert row["hot_water_delivery"] == 1  # 909, no cylinder
    assert row["water_heating_code"] == 909 and row["water_heating_fuel"] == 39
    assert (row["main1_code"], row["main1_fuel"], row["main1_control"]) == (691, 39, 2699)
    assert row["wall_construction"] == 2 and row["floor_construction"] == 3
    assert row["draught_lobby"] is False and row["draughtproofed_percent"] == 0.0
    assert row["hot_water_separately_timed"] is True
    assert row["space_cooling"] is False
    assert row["pv_connected_to_dwelling_meter"] is None  # PV-Connection 0: not applicable
    assert row["fixed_lighting"] == []  # <Fixed-Lights/> present but empty
    assert row["openings"] == []  # <SAP-Opening-Types/> and no openings
    # order: floors, then walls, then roofs
    assert [e["kind"] for e in row["elements"]] == [4, 1, 3]


def test_rdsap_tutorial_sap_opening_type_details() -> None:
    row = read_sap_xml(vector(RDSAP_TUTORIAL_SAP))
    [window] = row["openings"]
    assert window == {
        "kind": 2, "area_m2": 1.0, "u_value": 1.0, "g_perpendicular": 0.8,
        "light_transmittance": None, "frame_factor": 0.7, "glazing_type": 2, "frame_type": 2,
        "orientation": 5, "tilt_deg": None, "host_element": 1, "thermal_bridging_y": 0.15,
    }


@pytest.mark.parametrize(("rel", "kwp", "overshading"),
                         [(PV1, 2.5, 2), (PV2, 5.0, 2), (PV_CASE, 1.0, 1)])
def test_pv_arrays(rel: str, kwp: float, overshading: int) -> None:
    row = read_sap_xml(vector(rel))
    assert row["pv_arrays"] == [{"peak_power_kw": kwp, "orientation": 5, "tilt_deg": 30.0,
                                 "overshading": overshading}]
    assert row["pv_connected_to_dwelling_meter"] is True


def test_register_sample_19_1_0_values() -> None:
    row = read_sap_xml(vector(REG_191))
    # thermal bridge code 5: y 0 and 13 individual junctions (psi may be negative)
    assert len(row["thermal_bridges"]) == 13
    assert row["thermal_bridges"][0] == {"length_m": 15.5, "psi_w_per_mk": 0.3}
    assert {"length_m": 5.8, "psi_w_per_mk": -0.09} in row["thermal_bridges"]
    exposed = [e for e in row["elements"] if e["kind"] in (1, 3, 4)]
    assert {e["thermal_bridging_y"] for e in exposed} == {0.0}
    # storeys 0, 1, 2; upper floors without heat-loss area become internal floor/ceiling
    assert [s["level"] for s in row["storeys"]] == [0, 1, 2]
    assert row["storey_count"] == 3
    kinds = [(e["kind"], e["gross_area_m2"], e["kappa_kj_per_m2k"]) for e in row["elements"]]
    assert kinds == [
        (4, 57.4, 80.0),  # ground floor
        (11, 57.4, 18.0), (12, 57.4, 9.0),  # storey 1: internal floor / ceiling below
        (11, 57.4, 19.0), (12, 57.4, 9.0),  # storey 2
        (1, 111.34, 60.0), (7, 167.0, 0.0), (10, 320.0, 0.0),  # exposed, party, internal wall
        (3, 57.4, 9.0),  # roof
    ]
    assert len(row["openings"]) == 15
    assert {o["host_element"] for o in row["openings"]} == {5}  # "Walls (1)"
    doors = [o for o in row["openings"] if o["kind"] == 1]
    assert [d["area_m2"] for d in doors] == pytest.approx([2.25, 1.68])
    assert row["hot_water_delivery"] == 3
    assert row["cylinder_volume_l"] == 600.0
    assert row["cylinder_declared_loss_kwh_per_day"] == 2.45
    assert row["cylinder_thermostat"] is True
    assert row["hot_water_separately_timed"] is False
    assert row["showers"] == [
        {"outlet_type": 1, "flow_rate_l_per_min": 7.0, "power_kw": None},
        {"outlet_type": 1, "flow_rate_l_per_min": 7.0, "power_kw": None},
    ]
    assert row["wwhrs"] is True and row["solar_water_heating"] is False
    assert row["fixed_lighting"] == [
        {"count": 1, "power_w": 60.0, "efficacy_lm_per_w": 11.2},
        {"count": 10, "power_w": 14.0, "efficacy_lm_per_w": 66.9},  # " 66.9" is stripped
    ]
    assert row["electricity_tariff"] == 5
    assert row["ventilation_type"] == 8
    assert row["mvhr_efficiency_percent"] is None  # PCDB product: efficiency not in the XML
    assert row["main1_code"] == 192 and row["main1_pump_age"] == 2
    assert row["space_cooling"] is False
    assert row["living_area_m2"] == 41.35


def test_register_samples_19_0_and_19_2() -> None:
    old = read_sap_xml(vector(REG_190))
    # the certificate summary says Has-Hot-Water-Cylinder false; only the SAP10-Data (true)
    # is read
    assert old["hot_water_delivery"] == 3
    assert old["pv_arrays"] is None
    new = read_sap_xml(vector(REG_192))
    assert new["main1_fuel"] == 5  # SAP 10.2 Table 12 bottled LPG (secondary heating)
    assert new["hot_water_delivery"] == 3


# ---------------------------------------------------------------------------------------------
# Table output
# ---------------------------------------------------------------------------------------------
def _assert_no_nulls_in_non_nullable(array: pa.Array, field: pa.Field, where: str) -> None:
    if not field.nullable:
        assert array.null_count == 0, f"{where}: nulls in non-nullable field"
    if pa.types.is_list(field.type):
        _assert_no_nulls_in_non_nullable(array.flatten(), field.type.value_field,
                                         f"{where}[]")
    elif pa.types.is_struct(field.type):
        for i in range(field.type.num_fields):
            child = field.type.field(i)
            _assert_no_nulls_in_non_nullable(array.field(i), child, f"{where}.{child.name}")


def test_table_validates_against_schema() -> None:
    paths = [vector(rel) for rel in FULL_SAP_FILES]
    table = read_sap_xml_files(paths)
    assert table.num_rows == len(paths)
    assert table.schema.equals(SAP_INPUT_SCHEMA, check_metadata=True)
    table.validate(full=True)
    for field in SAP_INPUT_SCHEMA:
        column = table.column(field.name).combine_chunks()
        _assert_no_nulls_in_non_nullable(column, field, field.name)
    for name in REQUIRED_FIELDS:
        assert table.column(name).null_count == 0, name
    assert table.column("dwelling_id").to_pylist()[0] == "example_complete_sap"


def test_folder_input_reads_sorted_xml_files(tmp_path: Path) -> None:
    shutil.copy(vector(PV2), tmp_path / "b.xml")
    shutil.copy(vector(EXAMPLE), tmp_path / "a.xml")
    (tmp_path / "notes.txt").write_text("not xml")
    for source in ([tmp_path], tmp_path, str(tmp_path)):
        table = read_sap_xml_files(source)
        assert table.column("dwelling_id").to_pylist() == ["a", "b"]
        assert table.schema.equals(SAP_INPUT_SCHEMA, check_metadata=True)


def test_empty_input_gives_empty_table() -> None:
    table = read_sap_xml_files([])
    assert table.num_rows == 0
    assert table.schema.equals(SAP_INPUT_SCHEMA, check_metadata=True)


def test_table_error_names_the_failing_file(tmp_path: Path) -> None:
    shutil.copy(vector(EXAMPLE), tmp_path / "a.xml")
    write(tmp_path, "b.xml", b"<SAP-Report><SAP10-Data>")
    with pytest.raises(SapXmlError) as info:
        read_sap_xml_files([tmp_path])
    assert info.value.source == "b.xml"


# ---------------------------------------------------------------------------------------------
# Inputs: bytes, namespaces, dwelling ids
# ---------------------------------------------------------------------------------------------
def test_bytes_input_and_dwelling_id() -> None:
    data = vector(EXAMPLE).read_bytes()
    assert read_sap_xml(data)["dwelling_id"] == "dwelling"
    assert read_sap_xml(data, dwelling_id="house-7")["dwelling_id"] == "house-7"
    assert read_sap_xml(vector(EXAMPLE), dwelling_id="x")["dwelling_id"] == "x"


def test_document_without_namespace_reads_the_same() -> None:
    plain = modified(EXAMPLE, (' xmlns="https://epbr.digital.communities.gov.uk/xsd/sap"', ""))
    assert read_sap_xml(plain) == read_sap_xml(vector(EXAMPLE).read_bytes())


def test_prefixed_namespace_reads_the_same() -> None:
    text = vector(EXAMPLE).read_text(encoding="utf-8")
    body = text.split("?>", 1)[1]
    prefixed = body.replace("</", "</s:").replace("<", "<s:").replace("<s:/s:", "</s:")
    prefixed = prefixed.replace('xmlns="', 'xmlns:s="')
    assert read_sap_xml(prefixed.encode()) == read_sap_xml(text.encode())


# ---------------------------------------------------------------------------------------------
# Multi-part documents and opening kinds
# ---------------------------------------------------------------------------------------------
_SECOND_PART = """
        <SAP-Building-Part>
          <Building-Part-Number>2</Building-Part-Number>
          <SAP-Floor-Dimensions>
            <SAP-Floor-Dimension>
              <Floor-Type>2</Floor-Type><Storey>0</Storey><Total-Floor-Area>20</Total-Floor-Area>
              <Storey-Height>2.5</Storey-Height><Heat-Loss-Area>20</Heat-Loss-Area>
              <U-Value>0.2</U-Value><Kappa-Value>110</Kappa-Value>
            </SAP-Floor-Dimension>
            <SAP-Floor-Dimension>
              <Floor-Type>3</Floor-Type><Storey>1</Storey><Total-Floor-Area>20</Total-Floor-Area>
              <Storey-Height>2.4</Storey-Height><Heat-Loss-Area>5</Heat-Loss-Area>
              <U-Value>0.25</U-Value>
            </SAP-Floor-Dimension>
          </SAP-Floor-Dimensions>
          <SAP-Walls>
            <SAP-Wall><Name>sap_wall_1_1</Name><Wall-Type>3</Wall-Type>
              <Total-Wall-Area>30</Total-Wall-Area><U-Value>0.3</U-Value></SAP-Wall>
            <SAP-Wall><Name>basement</Name><Wall-Type>1</Wall-Type>
              <Total-Wall-Area>10</Total-Wall-Area><U-Value>0.4</U-Value></SAP-Wall>
          </SAP-Walls>
          <SAP-Roofs>
            <SAP-Roof><Name>flat roof</Name><Roof-Type>2</Roof-Type>
              <Total-Roof-Area>20</Total-Roof-Area><U-Value>0.15</U-Value></SAP-Roof>
            <SAP-Roof><Name>ceiling</Name><Roof-Type>4</Roof-Type>
              <Total-Roof-Area>4</Total-Roof-Area><U-Value>0</U-Value></SAP-Roof>
          </SAP-Roofs>
          <SAP-Openings>
            <SAP-Opening><Name>d</Name><Type>door</Type><Location>sap_wall_1_1</Location>
              <Orientation>1</Orientation><Width>1</Width><Height>2</Height></SAP-Opening>
            <SAP-Opening><Name>rw</Name><Type>roofwin</Type><Location>flat roof</Location>
              <Orientation>5</Orientation><Width>1</Width><Height>1</Height>
              <Pitch>35</Pitch></SAP-Opening>
            <SAP-Opening><Name>rl</Name><Type>rooflight</Type><Location>flat roof</Location>
              <Orientation>9</Orientation><Width>0.5</Width><Height>1</Height></SAP-Opening>
            <SAP-Opening><Name>x</Name><Type>door</Type><Location>sap_roof_1_1</Location>
              <Orientation>1</Orientation><Width>1</Width><Height>1</Height></SAP-Opening>
            <SAP-Opening><Name>y</Name><Type>door</Type><Location>nowhere</Location>
              <Orientation>1</Orientation><Width>1</Width><Height>1</Height></SAP-Opening>
          </SAP-Openings>
          <SAP-Thermal-Bridges>
            <Thermal-Bridge-Code>4</Thermal-Bridge-Code>
            <User-Defined-Y-Value>0.08</User-Defined-Y-Value>
          </SAP-Thermal-Bridges>
        </SAP-Building-Part>
      </SAP-Building-Parts>"""

_EXTRA_TYPES = """
        <SAP-Opening-Type><Name>door</Name><Type>1</Type><Data-Source>3</Data-Source>
          <U-Value>3</U-Value></SAP-Opening-Type>
        <SAP-Opening-Type><Name>roofwin</Name><Type>5</Type><Data-Source>3</Data-Source>
          <U-Value>1.6</U-Value><Solar-Transmittance>0.5</Solar-Transmittance>
          <Frame-Factor>0.8</Frame-Factor></SAP-Opening-Type>
        <SAP-Opening-Type><Name>rooflight</Name><Type>6</Type><Data-Source>3</Data-Source>
          <U-Value>1.8</U-Value></SAP-Opening-Type>
      </SAP-Opening-Types>"""


def test_two_building_parts() -> None:
    data = modified(EXAMPLE, ("\n      </SAP-Building-Parts>", _SECOND_PART),
                    ("\n      </SAP-Opening-Types>", _EXTRA_TYPES))
    row = read_sap_xml(data)
    assert [s["level"] for s in row["storeys"]] == [0, 0, 1]
    assert row["storey_count"] == 2  # distinct levels across parts: 0 and 1
    got = [(e["kind"], e["gross_area_m2"], e["u_value"], e["kappa_kj_per_m2k"],
            e["thermal_bridging_y"]) for e in row["elements"]]
    assert got == [
        (4, 100.0, 0.5, None, 0.2), (1, 120.0, 0.5, None, 0.2), (3, 100.0, 0.5, None, 0.2),
        (4, 20.0, 0.2, 110.0, 0.08),  # part 2 ground floor
        (6, 5.0, 0.25, None, 0.08),  # exposed part of the upper floor (no kappa: no kind 11)
        (1, 30.0, 0.3, None, 0.08),  # sheltered wall -> 1
        (2, 10.0, 0.4, None, 0.08),  # basement wall -> 2
        (3, 20.0, 0.15, None, 0.08), (9, 4.0, 0.0, None, 0.08),  # roof, party ceiling
    ]
    door, roof_window, rooflight, door_x, door_y = row["openings"][1:]
    # "sap_wall_1_1" exists in both parts: the opening's own part wins
    assert door["kind"] == 1 and door["host_element"] == 5 and door["area_m2"] == 2.0
    assert door["thermal_bridging_y"] == 0.08
    assert roof_window["kind"] == 3 and roof_window["tilt_deg"] == 35.0
    assert roof_window["host_element"] == 7
    assert roof_window["g_perpendicular"] == 0.5 and roof_window["frame_factor"] == 0.8
    assert rooflight["kind"] == 4 and rooflight["tilt_deg"] == 0.0
    assert rooflight["area_m2"] == 0.5 and rooflight["orientation"] == 9
    assert door_x["host_element"] == 2  # only in part 1: dwelling-wide fallback
    assert door_y["host_element"] is None  # no such wall or roof
    assert row["openings"][0]["host_element"] == 1  # part 1 window still on part 1's wall


def test_opening_area_element_when_height_width_absent() -> None:
    data = modified(EXAMPLE, ("<Height>1.5</Height>\n              <Width>5</Width>",
                              "<Area>6.25</Area>"))
    assert read_sap_xml(data)["openings"][0]["area_m2"] == 6.25


def test_party_floor_and_cylinder_details() -> None:
    data = modified(
        EXAMPLE,
        ("<Floor-Type>2</Floor-Type>", "<Floor-Type>4</Floor-Type>"),
        ("<Heat-Loss-Area>100</Heat-Loss-Area>", "<Heat-Loss-Area>0</Heat-Loss-Area>"),
        ("<Has-Hot-Water-Cylinder>0</Has-Hot-Water-Cylinder>",
         "<Has-Hot-Water-Cylinder>true</Has-Hot-Water-Cylinder>"
         "<Hot-Water-Store-Size>150</Hot-Water-Store-Size>"
         "<Hot-Water-Store-Insulation-Type>1</Hot-Water-Store-Insulation-Type>"
         "<Hot-Water-Store-Insulation-Thickness>50</Hot-Water-Store-Insulation-Thickness>"
         "<Has-Cylinder-Thermostat>1</Has-Cylinder-Thermostat>"
         "<Primary-Pipework-Insulation>4</Primary-Pipework-Insulation>"
         "<Secondary-Heating-Code>691</Secondary-Heating-Code>"
         "<Secondary-Fuel-Type>39</Secondary-Fuel-Type>"
         "<Solar-Heating-Details/>"
         "<Has-Fixed-Air-Conditioning>1</Has-Fixed-Air-Conditioning>"
         "<Number-Baths>1</Number-Baths>"),
    )
    row = read_sap_xml(data)
    assert row["elements"][0] == {"kind": 8, "gross_area_m2": 100.0, "u_value": 0.5,
                                  "kappa_kj_per_m2k": None, "thermal_bridging_y": 0.2}
    assert row["hot_water_delivery"] == 3
    assert row["cylinder_volume_l"] == 150.0
    assert row["cylinder_insulation_type"] == 1 and row["cylinder_insulation_mm"] == 50.0
    assert row["cylinder_thermostat"] is True and row["primary_pipework_insulation"] == 4
    assert (row["secondary_code"], row["secondary_fuel"]) == (691, 39)
    assert row["solar_water_heating"] is True and row["space_cooling"] is True
    assert row["bath_count"] == 1


def test_second_main_system_and_combi_keep_hot() -> None:
    second = ("</Main-Heating>\n          <Main-Heating>"
              "<Main-Heating-Number>2</Main-Heating-Number>"
              "<Main-Heating-Category>10</Main-Heating-Category>"
              "<Main-Heating-Data-Source>3</Main-Heating-Data-Source>"
              "<Main-Heating-Code>691</Main-Heating-Code><Main-Fuel-Type>39</Main-Fuel-Type>"
              "<Main-Heating-Control>2699</Main-Heating-Control>"
              "<Main-Heating-Fraction>0.2</Main-Heating-Fraction>"
              "<Central-Heating-Pump-Age>1</Central-Heating-Pump-Age>"
              "</Main-Heating>")
    data = modified(EXAMPLE,
                    ("<Main-Heating-Fraction>1</Main-Heating-Fraction>",
                     "<Main-Heating-Fraction>0.8</Main-Heating-Fraction>"
                     "<Combi-Boiler-Type>6</Combi-Boiler-Type>"),
                    ("</Main-Heating>", second))
    row = read_sap_xml(data)
    assert (row["main1_fraction"], row["main2_fraction"]) == (0.8, 0.2)
    assert (row["main2_code"], row["main2_fuel"], row["main2_control"]) == (691, 39, 2699)
    assert row["main2_pump_age"] == 1
    assert row["combi_keep_hot"] == 1  # timed keep-hot by fuel


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
def _error(tmp_path: Path, data: bytes, name: str = "bad.xml") -> SapXmlError:
    path = write(tmp_path, name, data)
    with pytest.raises(SapXmlError) as info:
        read_sap_xml(path)
    err = info.value
    assert err.source == name
    assert name in str(err) and err.field in str(err)
    return err


def test_malformed_xml(tmp_path: Path) -> None:
    data = vector(EXAMPLE).read_bytes()[:500]
    err = _error(tmp_path, data)
    assert "malformed XML" in str(err)


def test_missing_living_area(tmp_path: Path) -> None:
    err = _error(tmp_path, modified(EXAMPLE, ("<Living-Area>30</Living-Area>", "")))
    assert err.field == "SAP-Report/SAP10-Data/SAP-Property-Details/Living-Area"
    assert "missing" in str(err)


def test_non_numeric_u_value(tmp_path: Path) -> None:
    data = modified(EXAMPLE, ("<Total-Wall-Area>120</Total-Wall-Area>\n"
                              "              <U-Value>0.5</U-Value>",
                              "<Total-Wall-Area>120</Total-Wall-Area>\n"
                              "              <U-Value>abc</U-Value>"))
    err = _error(tmp_path, data)
    assert err.field.endswith("SAP-Building-Part[1]/SAP-Walls/SAP-Wall[1]/U-Value")
    assert "non-numeric" in str(err) and "'abc'" in str(err)


@pytest.mark.parametrize("bad", ["nan", "inf", "1_0", "0x1"])
def test_special_float_spellings_are_not_numbers(tmp_path: Path, bad: str) -> None:
    err = _error(tmp_path, modified(EXAMPLE, ("<Living-Area>30<", f"<Living-Area>{bad}<")))
    assert err.field.endswith("Living-Area")


@pytest.mark.parametrize(
    ("edit", "field_end", "words"),
    [
        (("<Wall-Type>2</Wall-Type>", "<Wall-Type>9</Wall-Type>"), "SAP-Wall[1]/Wall-Type",
         "unknown code 9"),
        (("<Roof-Type>2</Roof-Type>", "<Roof-Type>3</Roof-Type>"), "SAP-Roof[1]/Roof-Type",
         "unknown code 3"),
        (("<Pressure-Test>2</Pressure-Test>", "<Pressure-Test>8</Pressure-Test>"),
         "SAP-Ventilation/Pressure-Test", "unknown code 8"),
        (("<Orientation>5</Orientation>", "<Orientation>north</Orientation>"),
         "SAP-Opening[1]/Orientation", "non-numeric code"),
        (("<Thermal-Bridge-Code>1</Thermal-Bridge-Code>",
          "<Thermal-Bridge-Code>2</Thermal-Bridge-Code>"),
         "SAP-Thermal-Bridges/Thermal-Bridge-Code", "not supported"),
        (("<Thermal-Bridge-Code>1</Thermal-Bridge-Code>",
          "<Thermal-Bridge-Code>4</Thermal-Bridge-Code>"),
         "SAP-Thermal-Bridges/User-Defined-Y-Value", "missing"),
        (("<Type>sap_opening_type_1</Type>", "<Type>no_such_type</Type>"),
         "SAP-Opening[1]/Type", "no SAP-Opening-Type"),
        (("<Water-Heating-Code>901</Water-Heating-Code>",
          "<Water-Heating-Code>903</Water-Heating-Code>"),
         "SAP-Heating/Water-Heating-Code", "cannot tell how hot water is delivered"),
        (("<Water-Heating-Code>901</Water-Heating-Code>",
          "<Water-Heating-Code>950</Water-Heating-Code>"),
         "SAP-Heating/Water-Heating-Code", "heat network"),
        (("<Main-Heating-Category>2</Main-Heating-Category>",
          "<Main-Heating-Category>6</Main-Heating-Category>"),
         "Main-Heating[1]/Main-Heating-Category", "heat networks"),
        (("<Main-Heating-Code>104</Main-Heating-Code>", ""),
         "Main-Heating[1]/Main-Heating-Code", "PCDB"),
        (("<Main-Heating-Number>1</Main-Heating-Number>",
          "<Main-Heating-Number>2</Main-Heating-Number>"),
         "Main-Heating-Details/Main-Heating", "system 1"),
        (("<Main-Fuel-Type>1</Main-Fuel-Type>", "<Main-Fuel-Type>6</Main-Fuel-Type>"),
         "Main-Heating[1]/Main-Fuel-Type", "unknown code 6"),
        (("<Has-Hot-Water-Cylinder>0</Has-Hot-Water-Cylinder>",
          "<Has-Hot-Water-Cylinder>maybe</Has-Hot-Water-Cylinder>"),
         "SAP-Heating/Has-Hot-Water-Cylinder", "not a boolean"),
        (("<Sheltered-Sides-Count>2</Sheltered-Sides-Count>",
          "<Sheltered-Sides-Count>5</Sheltered-Sides-Count>"),
         "SAP-Ventilation/Sheltered-Sides-Count", "outside the allowed range"),
        (("<Total-Floor-Area>100</Total-Floor-Area>", "<Total-Floor-Area>-1</Total-Floor-Area>"),
         "SAP-Floor-Dimension[1]/Total-Floor-Area", "below the minimum"),
        (("<Storey>0</Storey>", "<Storey>7</Storey>"), "SAP-Floor-Dimension[1]/Storey",
         "unknown code 7"),
        (("<Living-Area>30</Living-Area>", "<Living-Area>30</Living-Area><Living-Area>3"
          "</Living-Area>"), "SAP-Property-Details/Living-Area", "2 times"),
        (("<Schema-Version-Original>SAP-Schema-19.1.0<",
          "<Schema-Version-Original>SAP-Schema-18.0.0<"),
         "SAP-Report/Schema-Version-Original", "unsupported schema version"),
        (("<Electricity-Tariff>1</Electricity-Tariff>",
          "<Electricity-Tariff>1</Electricity-Tariff><PV-Arrays><PV-Array>"
          "<Peak-Power>1</Peak-Power><Pitch>6</Pitch></PV-Array></PV-Arrays>"),
         "PV-Array[1]/Pitch", "unknown code 6"),
    ],
)
def test_field_errors(tmp_path: Path, edit: tuple[str, str], field_end: str,
                      words: str) -> None:
    err = _error(tmp_path, modified(EXAMPLE, edit))
    assert err.field.endswith(field_end), err.field
    assert words in str(err)


def test_missing_ventilation_block(tmp_path: Path) -> None:
    text = vector(EXAMPLE).read_text(encoding="utf-8")
    start, end = text.index("<SAP-Ventilation>"), text.index("</SAP-Ventilation>")
    data = (text[:start] + text[end + len("</SAP-Ventilation>"):]).encode()
    err = _error(tmp_path, data)
    assert err.field.endswith("SAP-Property-Details/SAP-Ventilation")


def test_certificate_without_sap_data_is_refused(tmp_path: Path) -> None:
    text = vector(REG_191).read_text(encoding="utf-8")
    start, end = text.index("<SAP10-Data>"), text.index("</SAP10-Data>")
    data = (text[:start] + text[end + len("</SAP10-Data>"):]).encode()
    err = _error(tmp_path, data, "epc.xml")
    assert err.field == "SAP-Report/SAP10-Data"
    assert "no collected SAP data" in str(err)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SapXmlError) as info:
        read_sap_xml(tmp_path / "missing.xml")
    assert info.value.source == "missing.xml" and "cannot read file" in str(info.value)


# ---------------------------------------------------------------------------------------------
# Hostile XML
# ---------------------------------------------------------------------------------------------
def test_xxe_is_rejected() -> None:
    with pytest.raises(SapXmlError) as info:
        read_sap_xml(FIXTURES / "xxe.xml")
    message = str(info.value)
    assert info.value.source == "xxe.xml"
    assert "external entity 'xxe'" in message and "XXE" in message
    assert "/etc/passwd" in message  # names the reference ...
    assert "root:" not in message  # ... but never its content


def test_billion_laughs_is_rejected() -> None:
    with pytest.raises(SapXmlError) as info:
        read_sap_xml(FIXTURES / "billion_laughs.xml")
    assert info.value.source == "billion_laughs.xml"
    assert "billion laughs" in str(info.value) and "entity" in str(info.value)


def test_hostile_documents_rejected_in_bulk_reading() -> None:
    with pytest.raises(SapXmlError, match="billion laughs"):
        read_sap_xml_files([FIXTURES])  # billion_laughs.xml sorts before xxe.xml
    with pytest.raises(SapXmlError, match="XXE"):
        read_sap_xml_files([FIXTURES / "xxe.xml"])


def test_external_dtd_is_not_fetched(tmp_path: Path) -> None:
    # An external DTD (unreachable address) is never loaded: the document reads normally.
    data = modified(EXAMPLE, ("<SAP-Report ", '<!DOCTYPE SAP-Report SYSTEM '
                              '"http://127.0.0.1:9/sap.dtd">\n<SAP-Report '))
    assert read_sap_xml(data)["living_area_m2"] == 30.0


def test_parameter_entity_is_rejected() -> None:
    data = modified(EXAMPLE, ("<SAP-Report ", '<!DOCTYPE SAP-Report [<!ENTITY % pe SYSTEM '
                              '"http://127.0.0.1:9/x.dtd"> %pe;]>\n<SAP-Report '))
    with pytest.raises(SapXmlError, match="external entity 'pe'"):
        read_sap_xml(data)
