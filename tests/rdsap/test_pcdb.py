"""PCDB (pcdb10.dat, PCDF layout) reader: parsing, field positions, look-ups, cache, refusals.

Every file here is written by the test in the PCDF layout with invented products (index
numbers 900001..., brand "TEST"); no value comes from a real product.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pyarrow as pa
import pytest

import ara.rdsap.pcdb as pcdb_mod
from ara.rdsap.pcdb import (
    PcdbError,
    default_cache_dir,
    load_pcdb,
    normalise_index_numbers,
    pcdb_path_from_env,
    read_pcdb,
)
from ara.rdsap.pcdb_layouts import LAYOUTS, RAW_SCHEMA, SUPPORTED_FORMATS, TABLE_SCHEMAS

# ------------------------------------------------------------------------------ builders --


def _row(width: int, values: dict[int, str]) -> str:
    fields = [""] * width
    for pos, value in values.items():
        fields[pos] = value
    return ",".join(fields)


def _product(index: str, model: str, years: tuple[int, int] = (8, 9)) -> dict[int, str]:
    """Fields 0-9 of a product row (names at 4-7, years where the table has them)."""
    first, final = years
    return {0: index, 1: "990001", 2: "0", 3: "2030/Jan/31 12:00", 4: "TEST MANUFACTURER LTD",
            5: "TEST", 6: model, 7: "", first: "2029", final: "current"}


def boiler(index: str, extra: dict[int, str] | None = None) -> str:
    values = {**_product(index, "TEST BOILER", years=(9, 10)), 8: "TEST-GC-1",
              11: "1", 12: "1", 13: "1", 14: "2", 15: "0", 18: "2", 19: "2", 20: "2",
              21: "11.1", 22: "22.2", 24: "70.1", 25: "77.7", 26: "66.6", 33: "104",
              38: "0", 47: "0", 57: "0", 60: "0001"}
    return _row(61, {**values, **(extra or {})})


def heat_pump_464(index: str, groups: list[tuple[str, str]]) -> str:
    values = {**_product(index, "TEST HEAT PUMP"), 4: "9.99", 5: "TEST MANUFACTURER LTD",
              6: "TEST", 7: "TEST HEAT PUMP", 8: "", 9: "2029", 10: "current", 12: "39",
              16: "2", 17: "1", 18: "123", 19: "1.23", 20: "2.34", 29: "4.56", 30: "V",
              34: "", 38: str(len(groups))}
    fields = _row(39, values).split(",")
    for psr, eff in groups:
        fields += [psr, eff, "0", "999"]
    return ",".join(fields)


def heat_pump_465(index: str, groups: list[tuple[str, str, str]]) -> str:
    values = {**_product(index, "TEST HEAT PUMP"), 4: "9.99", 5: "TEST MANUFACTURER LTD",
              6: "TEST", 7: "TEST HEAT PUMP", 8: "TEST QUALIFIER", 9: "2029", 10: "current",
              16: "39", 22: "2", 23: "1", 24: "171", 25: "1.71", 26: "3.21", 47: "5.67",
              48: "V", 58: str(len(groups))}
    fields = _row(59, values).split(",")
    for psr, space, water in groups:
        fields += [psr, "", space, "", "", "", water, "", ""]
    return ",".join(fields)


#: invented heat pump datasets (PSR, space %, water %): equal efficiencies make (206) and
#: (217) independent of the dwelling's PSR inside the record's range
FLAT = [("0.05", "300", "250"), ("0.5", "300", "250"), ("5.0", "300", "250")]
VARIED = [("0.2", "301.1", "201.1"), ("1.2", "281.1", "181.1")]


def hp_record(index: str, groups: list[tuple[str, str, str]] = FLAT,
              fields: dict[int, str] | None = None) -> str:
    """A format 465 row (tests/rdsap/test_pcdb.py builder: fuel 39 at 16, vessel 171 l /
    1.71 kWh/day / 3.21 m2 at 24-26, maximum output 5.67 kW at 47, duration 'V' at 48), service
    provision 1 (space and water all year) at 22 unless ``fields`` say otherwise."""
    row = heat_pump_465(index, groups).split(",")
    for pos, value in {22: "1", **(fields or {})}.items():
        row[pos] = value
    return ",".join(row)


def mvhr_426(index: str) -> str:
    values = {**_product(index, "TEST MVHR"), 10: "3", 11: "0", 12: "2", 13: "1", 14: "1",
              15: "2", 16: "2005"}
    head = _row(17, values)
    return head + ",1,11,TEST SPEED,12,0.51,71,2,13,TEST SPEED,14,0.52,72"


def dmev_427(index: str) -> str:
    values = {**_product(index, "TEST DMEV"), 10: "2", 11: "1", 12: "6"}
    groups = ["1,11.0,TEST,0.41", "2,7.0,TEST,0.42", "3,,,", "4,,,", "5,11.0,TEST,0.45",
              "6,7.0,TEST,0.46"]
    return _row(13, values) + "," + ",".join(groups)


def dmev_428(index: str) -> str:
    values = {**_product(index, "TEST DMEV"), 10: "2", 11: "1", 12: "6"}
    groups = ["1,11.0,0.41", "2,7.0,0.42", "3,,", "4,,", "5,11.0,0.45", "6,7.0,0.46"]
    return _row(13, values) + "," + ",".join(groups)


IUF_430 = ["1,1.11,1.22,,,,1.01,1.02,,,,2030/Jan/31 12:00",
           "3,1.31,1.32,,0.61,0.71,1.33,1.34,,0.62,0.72,2030/Jan/31 12:00"]


def wwhrs(index: str) -> str:
    values = {**_product(index, "TEST WWHRS"), 10: "1", 11: "A", 13: "33.3", 14: "0.91",
              15: "0.81", 19: "0"}
    return _row(20, values)


def fghrs(index: str, equations: list[str]) -> str:
    values = {**_product(index, "TEST FGHRS"), 10: "1", 11: "1", 12: "RCSK", 13: "0", 14: "2",
              18: "0.055", 19: "0.055", 23: str(len(equations))}
    return _row(24, values) + "".join("," + eq for eq in equations)


def block(table: int, fmt: int, rows: list[str], title: str = "Test table") -> str:
    lines = [f"${table:03d},{fmt},7,2030,01,31,2", f"# Table {table:03d} ({title}) follows ...",
             "#", *rows, "#", f"# ... end of Table {table:03d} Format {fmt}", "#"]
    return "\n".join(lines) + "\n"


def pcdf(*blocks: str, end: bool = True) -> str:
    head = "#   Product Characteristics Data File (TEST: invented products only)\n#\n"
    return head + "$001,901,2030,01,31\n#\n" + "".join(blocks) + ("$999\n" if end else "")


def write(tmp_path: Path, text: str, name: str = "pcdb10.dat") -> Path:
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode("latin-1"))
    return path


def full_file() -> str:
    return pcdf(
        block(105, 210, [boiler("900001"),
                         boiler("900002", {14: "1", 25: "88.8", 26: "55.5", 57: "2", 58: "1",
                                           59: "33", 10: "obsolete", 22: ">70kW"})],
              "Gas and Oil Boilers"),
        block(362, 464, [heat_pump_464("900101", [("0.2", "311.1"), ("1.5", "255.5")])]),
        block(323, 426, [mvhr_426("900201")]),
        block(322, 427, [dmev_427("900301")]),
        block(329, 430, IUF_430),
        block(353, 453, [wwhrs("900401")]),
        block(313, 413, [fghrs("900501", ["0,1.1,0.01,-1.1,0,0.02,0",
                                          "200,2.2,0.02,-2.2,0.1,0.03,1.1"])]),
        block(172, 272, ["ZZ,1,2030/Jan/31 12:00,99,TEST DISTRICT"], "Postcodes"),
    )


# --------------------------------------------------------------------------------- parse --


def test_parses_each_needed_table_with_its_schema(tmp_path: Path) -> None:
    pcdb = read_pcdb(write(tmp_path, full_file()))
    assert pcdb.file_revision == 901 and str(pcdb.file_date) == "2030-01-31"
    for number in (105, 362, 323, 322, 329, 353, 313):
        assert pcdb.table(number).schema.equals(TABLE_SCHEMAS[number]), number
    assert pcdb.boilers.num_rows == 2
    assert pcdb.blocks[0].title == "Gas and Oil Boilers" and pcdb.formats(105) == (210,)

    hp = pcdb.heat_pumps.to_pylist()[0]
    assert (hp["index"], hp["brand"], hp["model"], hp["fuel"]) == (900101, "TEST",
                                                                   "TEST HEAT PUMP", 39)
    assert (hp["service_provision"], hp["hw_vessel_mode"], hp["vessel_volume_l"],
            hp["vessel_heat_loss_kwh_day"], hp["max_output_kw"],
            hp["heating_duration"]) == (2, 1, 123.0, 1.23, 4.56, "V")
    assert hp["psr_count"] == 2 and hp["psr"] == [0.2, 1.5]
    assert hp["space_efficiency_pct"] == [311.1, 255.5] and hp["psr_dataset"] == [0, 0]
    assert hp["running_hours"] == [999.0, 999.0] and hp["water_efficiency_pct"] is None

    mv = pcdb.mev_mvhr.to_pylist()[0]
    assert mv["main_type"] == 3 and mv["wet_rooms"] == [1, 2]
    assert mv["test_flow_ls"] == [11.0, 13.0] and mv["applicable_flow_ls"] == [12.0, 14.0]
    assert mv["sfp_w_per_ls"] == [0.51, 0.52] and mv["hx_efficiency_pct"] == [71.0, 72.0]

    dmev = pcdb.decentralised_mev.to_pylist()[0]
    assert dmev["configuration"] == [1, 2, 3, 4, 5, 6] and dmev["duct_type"] == 1
    assert dmev["flow_ls"] == [11.0, 7.0, None, None, 11.0, 7.0]
    assert dmev["sfp_w_per_ls"] == [0.41, 0.42, None, None, 0.45, 0.46]

    iuf = pcdb.in_use_factors.to_pylist()
    assert [r["system_type"] for r in iuf] == [1, 3]
    assert (iuf[1]["sfp_iuf_flexible"], iuf[1]["mvhr_iuf_uninsulated"],
            iuf[1]["mvhr_iuf_insulated_2"]) == (1.31, 0.61, 0.72)

    ww = pcdb.wwhrs.to_pylist()[0]
    assert (ww["system_type"], ww["efficiency_pct"], ww["utilisation_factor"]) == (
        "A", 33.3, 0.91)

    fg = pcdb.fghrs.to_pylist()[0]
    assert fg["equation_count"] == 2 and fg["applicable_boiler_types"] == "RCSK"
    assert fg["space_heating_requirement"] == [0.0, 200.0] and fg["c2"] == [0.0, 1.1]


def test_boiler_fields_come_out_in_their_columns(tmp_path: Path) -> None:
    row = boiler("900003", {25: "81.2", 26: "72.3", 57: "3", 58: "1", 59: "44", 47: "1",
                            48: "1.5", 49: "0.5", 50: "0.061", 51: "0.0071", 52: "2.5",
                            53: "0.6", 54: "0.062", 55: "0.0072", 56: "0.00073", 38: "1",
                            41: "45", 43: "25", 46: "1.9", 33: "106", 21: "5.5", 22: "24.5"})
    got = read_pcdb(write(tmp_path, pcdf(block(105, 210, [row])))).boilers.to_pylist()[0]
    assert (got["winter_efficiency_pct"], got["summer_efficiency_pct"]) == (81.2, 72.3)
    assert (got["keep_hot_facility"], got["keep_hot_timer"],
            got["keep_hot_elec_heater_w"]) == (3, 1, 44.0)
    assert (got["separate_dhw_tests"], got["r1"], got["f1"], got["r2"], got["f2"],
            got["f3"]) == (1, 0.061, 0.0071, 0.062, 0.0072, 0.00073)
    assert (got["dhw_test1_fuel_kwh"], got["dhw_test2_elec_kwh"]) == (1.5, 0.6)
    assert (got["store_type"], got["store_boiler_volume_l"], got["store_insulation_mm"],
            got["store_heat_loss_kwh_day"]) == (1, 45.0, 25.0, 1.9)
    assert (got["fuel"], got["main_type"], got["subsidiary_type"], got["condensing"],
            got["flue_type"], got["fan_assistance"]) == (1, 2, 0, 2, 2, 2)
    assert (got["output_kw_min"], got["output_kw_max"], got["annual_efficiency_pct"],
            got["sap_equation"]) == (5.5, 24.5, 70.1, 106)
    assert (got["index"], got["manufacturer"], got["brand"], got["model"], got["boiler_id"],
            got["first_year"], got["final_year"]) == (
        900003, "TEST MANUFACTURER LTD", "TEST", "TEST BOILER", "TEST-GC-1", 2029, None)
    assert got["control_capabilities"] == "0001" and got["raw"][10] == "current"


def test_year_and_range_words_become_null_and_stay_in_raw(tmp_path: Path) -> None:
    pcdb = read_pcdb(write(tmp_path, full_file()))
    second = pcdb.boilers.to_pylist()[1]
    assert second["final_year"] is None and second["raw"][10] == "obsolete"
    assert second["output_kw_max"] is None and second["raw"][22] == ">70kW"


def test_pcdb10_formats_465_431_428_432(tmp_path: Path) -> None:
    mvhr = mvhr_426("900202")
    text = pcdf(
        block(362, 465, [heat_pump_465("900102", [("0.2", "301.1", "201.1"),
                                                  ("1.2", "281.1", "181.1")])]),
        block(323, 431, [mvhr]),
        block(322, 428, [dmev_428("900302")]),
        block(329, 432, ["2,1.41,1.31,1.21,TEST,TEST"]),
    )
    pcdb = read_pcdb(write(tmp_path, text))
    hp = pcdb.heat_pumps.to_pylist()[0]
    assert (hp["fuel"], hp["service_provision"], hp["vessel_volume_l"], hp["vessel_hx_area_m2"],
            hp["max_output_kw"], hp["heating_duration"]) == (39, 2, 171.0, 3.21, 5.67, "V")
    assert hp["qualifier"] == "TEST QUALIFIER" and hp["psr"] == [0.2, 1.2]
    assert hp["space_efficiency_pct"] == [301.1, 281.1]
    assert hp["water_efficiency_pct"] == [201.1, 181.1] and hp["running_hours"] is None
    assert pcdb.mev_mvhr.column("sfp_w_per_ls").to_pylist() == [[0.51, 0.52]]
    dmev = pcdb.decentralised_mev.to_pylist()[0]
    assert dmev["sfp_w_per_ls"] == [0.41, 0.42, None, None, 0.45, 0.46]
    assert dmev["fan_speed_setting"] is None
    iuf = pcdb.in_use_factors.to_pylist()[0]
    assert (iuf["system_type"], iuf["sfp_iuf_no_duct"], iuf["mvhr_iuf_insulated"]) == (
        2, 1.21, None)
    assert iuf["raw"][4:] == ["TEST", "TEST"]
    assert pcdb.formats(362) == (465,)


def test_unmodelled_table_is_kept_raw(tmp_path: Path) -> None:
    text = pcdf(block(172, 272, ["ZZ,1,x", "ZZ,2,y,z"]), block(777, 9, ["@,anything goes"]))
    pcdb = read_pcdb(write(tmp_path, text))
    postcodes = pcdb.table(172)
    assert postcodes.schema.equals(RAW_SCHEMA)
    assert postcodes.column("raw").to_pylist() == [["ZZ", "1", "x"], ["ZZ", "2", "y", "z"]]
    assert pcdb.table(777).column("raw").to_pylist() == [["@", "anything goes"]]
    with pytest.raises(PcdbError, match="no table 105"):
        pcdb.table(105)
    # looking a product up in a file without its table: not found (the declared fallback
    # applies), as for an index the table does not hold
    assert pcdb.boilers_for(["900001"]).column("found").to_pylist() == [False]
    assert pcdb.heat_pumps_for(["900101"]).column("found").to_pylist() == [False]


def test_blocks_of_one_table_are_concatenated(tmp_path: Path) -> None:
    text = pcdf(block(105, 210, [boiler("900001")]), block(191, 292, ["1,1,95,1.1,x"]),
                block(105, 210, [boiler("900002"), boiler("900003")]))
    boilers = read_pcdb(write(tmp_path, text)).boilers
    assert boilers.column("index").to_pylist() == [900001, 900002, 900003]
    assert boilers.column("block").to_pylist() == [0, 2, 2]


# -------------------------------------------------------------------------------- lookup --


def test_boiler_lookup_is_aligned_with_the_input(tmp_path: Path) -> None:
    pcdb = read_pcdb(write(tmp_path, full_file()))
    keys = pa.array(["900002", None, "000000", " 900001 ", "900002", "abc", "0900001"])
    got = pcdb.boilers_for(keys)
    assert got.num_rows == 7 and got.column_names[0] == "found"
    assert got.column("found").to_pylist() == [True, False, False, True, True, False, True]
    assert got.column("index").to_pylist() == [900002, None, None, 900001, 900002, None,
                                               900001]
    assert got.column("winter_efficiency_pct").to_pylist() == [
        88.8, None, None, 77.7, 88.8, None, 77.7]
    ints = pcdb.boilers_for(pa.chunked_array([pa.array([900001, None], pa.int32()),
                                              pa.array([900009], pa.int32())]))
    assert ints.column("found").to_pylist() == [True, False, False]
    assert pcdb.boilers_for(pa.array([], pa.string())).num_rows == 0


def test_heat_pump_and_ventilation_lookups(tmp_path: Path) -> None:
    pcdb = read_pcdb(write(tmp_path, full_file()))
    hps = pcdb.heat_pumps_for(["900101", "900001", "900101"])
    assert hps.column("found").to_pylist() == [True, False, True]
    assert hps.column("psr").to_pylist() == [[0.2, 1.5], None, [0.2, 1.5]]
    vent = pcdb.ventilation_for(pa.array([900301, 900201, None, 900999], pa.int64()))
    assert vent.column("found").to_pylist() == [True, True, False, False]
    assert vent.column("source_table").to_pylist() == [322, 323, None, None]
    assert vent.column("sfp_w_per_ls").to_pylist()[:2] == [
        [0.41, 0.42, None, None, 0.45, 0.46], [0.51, 0.52]]
    assert vent.column("flow_ls").to_pylist()[1] == [11.0, 13.0]
    assert vent.column("hx_efficiency_pct").to_pylist()[:2] == [None, [71.0, 72.0]]
    assert vent.column("wet_rooms").to_pylist()[:2] == [None, [1, 2]]


def test_normalise_index_numbers() -> None:
    got = normalise_index_numbers(pa.array(["017507", "", "12a", None]))
    assert got.to_pylist() == [17507, None, None, None]
    assert normalise_index_numbers([1.0, 2.5, None]).to_pylist() == [1, None, None]
    assert normalise_index_numbers(pa.nulls(2)).to_pylist() == [None, None]
    with pytest.raises(TypeError):
        normalise_index_numbers(pa.array([True]))


# --------------------------------------------------------------------------------- cache --


def test_cache_is_written_then_read_without_parsing(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, full_file())
    cache = tmp_path / "cache"
    calls: list[str] = []
    real_parse = pcdb_mod._parse_bytes

    def counting_parse(*args: object, **kwargs: object) -> pcdb_mod.Pcdb:
        calls.append("parse")
        return real_parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pcdb_mod, "_parse_bytes", counting_parse)
    first = load_pcdb(path, cache_dir=cache)
    assert calls == ["parse"]
    entries = list(cache.iterdir())
    assert len(entries) == 1 and entries[0].name.startswith(first.sha256)
    assert (entries[0] / "table_105.parquet").is_file()
    assert (entries[0] / "meta.json").is_file()

    def refuse(*args: object, **kwargs: object) -> pcdb_mod.Pcdb:
        raise AssertionError("the cached file was parsed again")

    monkeypatch.setattr(pcdb_mod, "_parse_bytes", refuse)
    second = load_pcdb(path, cache_dir=cache)
    assert second.sha256 == first.sha256 and second.blocks == first.blocks
    assert second.file_date == first.file_date and second.file_revision == 901
    for number, table in first.tables.items():
        assert second.table(number).equals(table), number
    assert second.boilers_for(["900002"]).column("summer_efficiency_pct").to_pylist() == [55.5]

    monkeypatch.setattr(pcdb_mod, "_parse_bytes", counting_parse)
    write(tmp_path, full_file().replace(",77.7,", ",79.9,"))
    third = load_pcdb(path, cache_dir=cache)
    assert calls == ["parse", "parse"] and third.sha256 != first.sha256
    assert third.boilers_for(["900001"]).column("winter_efficiency_pct").to_pylist() == [79.9]
    assert len(list(cache.iterdir())) == 2


def test_cache_dir_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARA_PCDB_CACHE", str(tmp_path / "env-cache"))
    assert default_cache_dir() == tmp_path / "env-cache"
    load_pcdb(write(tmp_path, full_file()))
    assert len(list((tmp_path / "env-cache").iterdir())) == 1
    monkeypatch.delenv("ARA_PCDB_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "ara" / "pcdb"


def test_unreadable_cache_entry_is_parsed_again(tmp_path: Path) -> None:
    path = write(tmp_path, full_file())
    first = load_pcdb(path, cache_dir=tmp_path / "c")
    entry = next((tmp_path / "c").iterdir())
    (entry / "table_105.parquet").write_bytes(b"not parquet")
    again = load_pcdb(path, cache_dir=tmp_path / "c")
    assert again.boilers.equals(first.boilers)
    assert load_pcdb(path, cache_dir=tmp_path / "c").boilers.equals(first.boilers)


def test_pcdb_path_from_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARA_PCDB", raising=False)
    assert pcdb_path_from_env() is None
    monkeypatch.setenv("ARA_PCDB", "/data/pcdb10.dat")
    assert pcdb_path_from_env() == Path("/data/pcdb10.dat")


# ------------------------------------------------------------------------------ refusals --


def test_unknown_format_is_refused_naming_table_format_and_line(tmp_path: Path) -> None:
    text = pcdf(block(105, 210, [boiler("900001")]),
                block(362, 999, [heat_pump_464("900101", [("0.2", "311.1")])]))
    path = write(tmp_path, text)
    with pytest.raises(PcdbError, match=r"table 362 .*format 999.*supported: 464, 465") as err:
        read_pcdb(path)
    lines = path.read_text(encoding="latin-1").splitlines()
    assert err.value.line is not None and lines[err.value.line - 1].startswith("$362,999,")
    assert (err.value.table, err.value.format) == (362, 999)
    assert f":{err.value.line}:" in str(err.value)
    copy = pickle.loads(pickle.dumps(err.value))
    assert (str(copy), copy.line, copy.format) == (str(err.value), err.value.line, 999)
    aliased = read_pcdb(path, format_aliases={(362, 999): 464})
    assert aliased.heat_pumps.column("psr").to_pylist() == [[0.2]]
    assert aliased.blocks[1].format == 999 and aliased.blocks[1].read_as == 464
    assert SUPPORTED_FORMATS[105] == (210,)


def _line_of(path: Path, needle: str) -> int:
    lines = path.read_text(encoding="latin-1").splitlines()
    return next(n for n, line in enumerate(lines, start=1) if needle in line)


def test_row_with_wrong_field_count_is_refused_with_its_line(tmp_path: Path) -> None:
    short = boiler("900002").rsplit(",", 1)[0]  # 60 fields
    path = write(tmp_path, pcdf(block(105, 210, [boiler("900001"), short])))
    with pytest.raises(PcdbError, match="row has 60 fields, expected exactly 61") as err:
        read_pcdb(path)
    assert err.value.line == _line_of(path, "900002,")


def test_non_numeric_value_is_refused_naming_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, pcdf(block(105, 210, [boiler("900001", {25: "77x"})])))
    with pytest.raises(PcdbError, match=r"field 25 \(winter_efficiency_pct\): '77x'") as err:
        read_pcdb(path)
    assert err.value.line == _line_of(path, "900001,")
    assert err.value.field == "winter_efficiency_pct"
    group = fghrs("900501", ["0,1.1,0.01,-1.1,0,TEST,0"])
    path = write(tmp_path, pcdf(block(313, 413, [group])), "group.dat")
    with pytest.raises(PcdbError, match=r"field 29 \(b2\[0\]\)"):
        read_pcdb(path)


def test_group_count_mismatch_is_refused(tmp_path: Path) -> None:
    fields = fghrs("900501", ["0,1.1,0.01,-1.1,0,0.02,0"]).split(",")
    fields[23] = "2"
    path = write(tmp_path, pcdf(block(313, 413, [",".join(fields)])))
    with pytest.raises(PcdbError, match="holds 1 groups .* field 23 says 2") as err:
        read_pcdb(path)
    assert err.value.line == _line_of(path, "900501,")


@pytest.mark.parametrize(("text", "message"), [
    (pcdf(block(105, 210, [boiler("900001")]), end=False), "no \\$999"),
    ("$001,901,2030,01,31\n900001,TEST\n$999\n", "data row outside a table"),
    (block(105, 210, [boiler("900001")]) + "$999\n", "before the \\$001"),
    (pcdf(block(105, 210, [boiler("900001"), boiler("900001")])), "900001 is on line"),
    (pcdf() + "900001,TEST\n", "after the \\$999"),
    (pcdf(block(105, 210, [boiler("9000x1")])), "index number '9000x1'"),
    (pcdf().replace("$001,901,2030,01,31", "$001,901,2030,13,31"), "bad date"),
])
def test_malformed_files_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(PcdbError, match=message):
        read_pcdb(write(tmp_path, text))


def test_duplicate_index_across_ventilation_tables_is_refused(tmp_path: Path) -> None:
    text = pcdf(block(323, 426, [mvhr_426("900201")]), block(322, 427, [dmev_427("900201")]))
    pcdb = read_pcdb(write(tmp_path, text))
    with pytest.raises(PcdbError, match="tables 323 and 322: index number 900201"):
        pcdb.ventilation_for(["900201"])


def test_layouts_are_consistent() -> None:
    for (table, fmt), layout in LAYOUTS.items():
        positions = [f.pos for f in layout.fields]
        assert len(set(positions)) == len(positions), (table, fmt)
        assert layout.max_fields is None or max(positions) < layout.max_fields
        if layout.groups is not None:
            assert layout.groups.start > max(positions), (table, fmt)
            assert all(m.pos < layout.groups.width for m in layout.groups.members)
        assert fmt in SUPPORTED_FORMATS[table]
