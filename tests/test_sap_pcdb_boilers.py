"""Full-SAP certificates lodging their boiler by PCDB index (issue 12): a gas / LPG / oil boiler
lodged with Main-Heating-Data-Source 1 and a Main-Heating-Index-Number but no Main-Heating-Code
is rated with the product's own winter and summer seasonal efficiencies (SAP 10.2 Appendix D)
and the Table 4b code of its kind, when the user's PCDB holds it; otherwise with the declared
fallback ``boiler_product_unavailable`` (spec/tables/estimate_boiler_codes.csv, as in the RdSAP
expansion), refused in strict mode. Another kind of system lodged by index is refused naming
what is missing.

The certificates are the register samples (``tests/vectors/register``) edited into a gas
boiler lodged by index; the PCDB files are invented and written by the test in the PCDF layout
(tests/rdsap/test_pcdb.py builders: index numbers 9000xx, brand "TEST"). Every expected value
is written out by hand from the invented record or the rule table.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest
from rdsap.test_pcdb import block, boiler, pcdf, write
from test_sap_xml_reader_legacy import EDITS as LEGACY_EDITS
from test_sap_xml_reader_legacy import edited as legacy_edited

from ara.cli import main
from ara.orchestration.baseline import read_full_sap_certificate
from ara.rdsap.expansion import services_heating
from ara.rdsap.pcdb import Pcdb, load_pcdb
from ara.sap import calculate, trace
from ara.sap.fallbacks import fallback
from ara.sap.products import BoilerProducts, pcdb_boiler_codes
from ara.sap.sap_json_reader import read_sap_json_certificate
from ara.sap.tables import read_table
from ara.sap.xml_reader import (
    BOILER_FUEL_GROUPS,
    SapReading,
    SapXmlError,
    read_sap_xml,
    read_sap_xml_certificate,
)
from ara.validate import validate

REGISTER = Path(__file__).resolve().parent / "vectors" / "register"
FALLBACK = "boiler_product_unavailable"

# ------------------------------------------------------------------------- the records --
#: (PCDB table 105 fields: 11 fuel, 14 main type, 18 condensing, 25 winter %, 26 summer %)
COMBI = {11: "1", 14: "2", 18: "2", 25: "88.8", 26: "77.7"}  # gas condensing combi -> 104
REGULAR = {11: "1", 14: "1", 18: "2", 25: "89.5", 26: "79.5"}  # gas condensing regular -> 102
OIL_COMBI = {11: "4", 14: "2", 18: "1", 25: "81.1", 26: "71.1"}  # oil non-condensing -> 129
RANGE_COOKER = {11: "1", 14: "4", 18: "2", 25: "80.1", 26: "70.1"}  # no Table 4b kind
NO_SUMMER = {11: "1", 14: "2", 18: "2", 25: "88.1", 26: ""}  # no summer efficiency


@pytest.fixture(scope="module")
def pcdb(tmp_path_factory: pytest.TempPathFactory) -> Pcdb:
    folder = tmp_path_factory.mktemp("pcdb")
    rows = [boiler("900001", COMBI), boiler("900002", REGULAR), boiler("900003", OIL_COMBI),
            boiler("900004", RANGE_COOKER), boiler("900005", NO_SUMMER)]
    return load_pcdb(write(folder, pcdf(block(105, 210, rows))), cache_dir=folder / "cache")


@pytest.fixture(autouse=True)
def _no_user_pcdb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARA_PCDB", raising=False)


# ---------------------------------------------------------------------- the certificates --
def edit(text: str, *edits: tuple[str, str]) -> str:
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not found once: {old!r}"
        text = text.replace(old, new)
    return text


def indexed_191(index: str = "900001", *, fan_flue: str | None = "true", combi: bool = True,
                interlocked: bool = True, extra: tuple[tuple[str, str], ...] = ()) -> bytes:
    """SAP-Schema-19.1.0 sample edited into a mains-gas boiler lodged by its PCDB index (no
    Main-Heating-Code), standard tariff, interlocked (no Table 4c penalty); ``combi``: the
    sample's 600 l cylinder removed (water from the boiler with no store), else kept."""
    flue = "" if fan_flue is None else f"<Is-Flue-Fan-Present>{fan_flue}</Is-Flue-Fan-Present>"
    text = edit((REGISTER / "SAP-Schema-19.1.0.xml").read_text(encoding="utf-8"),
                ("<Main-Heating-Data-Source>3</Main-Heating-Data-Source>",
                 "<Main-Heating-Data-Source>1</Main-Heating-Data-Source>"
                 f"<Main-Heating-Index-Number>{index}</Main-Heating-Index-Number>{flue}"),
                ("<Main-Heating-Code>192</Main-Heating-Code>", ""),
                ("<Main-Fuel-Type>39<", "<Main-Fuel-Type>1<"),
                ("<Water-Fuel-Type>39<", "<Water-Fuel-Type>1<"),
                ("<Electricity-Tariff>5<", "<Electricity-Tariff>1<"),
                *extra)
    if interlocked:
        text = edit(text, ("<Is-Interlocked-System>false<", "<Is-Interlocked-System>true<"))
    if combi:  # the SAP-Heating one (the first is the summary's)
        text, n = re.subn(r"(<Hot-Water-Store-Size>600</Hot-Water-Store-Size>\s*)"
                          r"<Has-Hot-Water-Cylinder>true<", r"\1<Has-Hot-Water-Cylinder>false<",
                          text)
        assert n == 1
    return text.encode("utf-8")


def read(data: bytes, mode: str, products: Any = None) -> SapReading:
    return read_sap_xml_certificate(data, mode, dwelling_id="d", products=products)


#: the declared fallbacks the edited 19.1.0 sample needs whatever its boiler (ventilation by
#: index, bath count, WWHRS, wind turbine, unused heat network block)
OTHER = ["mechanical_ventilation_product_unavailable",
         "mechanical_ventilation_default_sfp_balanced", "bath_count_not_lodged",
         "wwhrs_ignored", "wind_turbine_ignored", "heat_network_details_unused"]


def boiler_refusals(reading: SapReading) -> list[str]:
    return [r for r in reading.refusals if FALLBACK in r]


def monthly(lines: dict[str, Any], label: str) -> list[float]:
    return list(lines[label]["monthly"])


# ------------------------------------------------------------------------------- layering --
def test_the_protocol_and_the_kind_codes_live_in_ara_sap(pcdb: Pcdb) -> None:
    assert isinstance(pcdb, BoilerProducts)
    assert services_heating.pcdb_boiler_codes is pcdb_boiler_codes
    product = pcdb.boilers_for(["900001", "900002", "900003", "900004", "900005", "900099"])
    assert pcdb_boiler_codes(product).tolist() == [104, 102, 129, 0, 0, 0]


def test_fuel_groups_are_the_rdsap_groups_in_table_12_codes() -> None:
    """ara.sap cannot import the RdSAP groups; the same fuels through the spec's RdSAP ->
    Table 12 mapping."""
    to_sap = {int(r["rdsap_code"]): int(r["sap_code"])
              for r in read_table("rdsap10_fuel_code_to_sap_table12.csv")
              if r["sap_code"].strip().isdigit()}
    for group, rdsap_codes in services_heating.BOILER_FUEL_GROUPS.items():
        assert set(BOILER_FUEL_GROUPS[group]) == {to_sap[c] for c in rdsap_codes}, group


# ---------------------------------------------------------------------- with the product --
def test_combi_by_index_takes_the_products_efficiencies(pcdb: Pcdb) -> None:
    data = indexed_191()
    assert read_sap_xml(data)["main1_code"] is None  # the lodged row: no code
    for mode in ("strict", "estimate"):
        reading = read(data, mode, pcdb)
        row = reading.row
        assert (row["main1_code"], row["main1_efficiency_percent"],
                row["main1_summer_efficiency_percent"]) == (104, 88.8, 77.7)
        assert not boiler_refusals(reading) and FALLBACK not in reading.assumptions
        assert any("PCDB boiler 900001" in r and "Appendix D" in r for r in reading.rules)
    assert list(reading.assumptions) == OTHER
    lines = trace(reading.row)["lines"]
    # (206): the record's winter efficiency (interlocked, no Table 4c adjustment)
    assert lines["206"] == pytest.approx(88.8)
    # (217)m, Appendix D eq. D1: (Q_space + Q_water) / (Q_space / 88.8 + Q_water / 77.7) with
    # Q_space = (98)m x (204), Q_water = (64)m; summer months (no space heating): 77.7
    space, water = monthly(lines, "98"), monthly(lines, "64")
    expected = [(s + w) / (s / 88.8 + w / 77.7) for s, w in zip(space, water, strict=True)]
    assert lines["204"] == 1.0
    assert monthly(lines, "217") == pytest.approx(expected)
    assert monthly(lines, "217")[5:9] == pytest.approx([77.7] * 4)
    out = calculate([reading.row], strict=False).to_pylist()[0]
    assert out["status"] == "ok", out["error"]


def test_regular_boiler_with_a_cylinder(pcdb: Pcdb) -> None:
    reading = read(indexed_191("900002", combi=False), "estimate", pcdb)
    row = reading.row
    assert (row["main1_code"], row["main1_efficiency_percent"],
            row["main1_summer_efficiency_percent"]) == (102, 89.5, 79.5)
    assert row["hot_water_delivery"] == 3
    lines = trace(row)["lines"]
    assert lines["206"] == pytest.approx(89.5)
    assert monthly(lines, "217")[5:9] == pytest.approx([79.5] * 4)


def test_oil_product_gives_its_kind(pcdb: Pcdb) -> None:
    data = indexed_191("900003").replace(b"<Main-Fuel-Type>1<", b"<Main-Fuel-Type>4<")
    data = data.replace(b"<Water-Fuel-Type>1<", b"<Water-Fuel-Type>4<")
    row = read(data, "strict", pcdb).row
    assert (row["main1_code"], row["main1_efficiency_percent"],
            row["main1_summer_efficiency_percent"]) == (129, 81.1, 71.1)


# ------------------------------------------------------------------- without the product --
def test_strict_without_pcdb_refuses_naming_the_fallback() -> None:
    reading = read(indexed_191(), "strict")
    [message] = boiler_refusals(reading)
    assert message.startswith(fallback(FALLBACK).missing)
    assert f"estimate mode would use fallback {FALLBACK}:" in message


def test_estimate_without_pcdb_rates_with_the_assumption() -> None:
    reading = read(indexed_191(), "estimate")
    assert list(reading.assumptions) == [FALLBACK, *OTHER] and not reading.refusals
    row = reading.row
    # gas, fan-assisted flue, combi -> Table 4b 104; no product efficiencies
    assert row["main1_code"] == 104
    assert row["main1_efficiency_percent"] is None
    assert row["main1_summer_efficiency_percent"] is None
    assert not any("PCDB boiler" in r for r in reading.rules)
    out = calculate([row], strict=False).to_pylist()[0]
    assert out["status"] == "ok", out["error"]


@pytest.mark.parametrize(("fan_flue", "combi", "code"), [
    ("true", True, 104), (None, True, 104), ("false", True, 118),
    ("true", False, 102), (None, False, 102), ("false", False, 115),
])
def test_fallback_row_follows_the_rule_table(fan_flue: str | None, combi: bool,
                                             code: int) -> None:
    """spec/tables/estimate_boiler_codes.csv, gas rows: fan flue yes / unknown -> condensing
    102 / 104; no fan-assisted flue -> 115 / 118 (pre-1998)."""
    row = read(indexed_191(fan_flue=fan_flue, combi=combi), "estimate").row
    assert row["main1_code"] == code


def test_oil_fallback_rows() -> None:
    data = indexed_191(fan_flue="false").replace(b"<Main-Fuel-Type>1<", b"<Main-Fuel-Type>4<")
    assert read(data, "estimate").row["main1_code"] == 130


@pytest.mark.parametrize("index", ["900099", "900004", "900005"])
def test_index_the_pcdb_cannot_give_behaves_as_no_pcdb(pcdb: Pcdb, index: str) -> None:
    """Not held (900099), a range cooker (no Table 4b kind), a record without its summer
    efficiency: the same reading as without a PCDB."""
    data = indexed_191(index)
    for mode in ("strict", "estimate"):
        with_pcdb, without = read(data, mode, pcdb), read(data, mode)
        assert with_pcdb.row == without.row
        assert with_pcdb.assumptions == without.assumptions
        assert with_pcdb.refusals == without.refusals
    assert with_pcdb.row["main1_code"] == 104 and FALLBACK in with_pcdb.assumptions


def test_a_certificate_lodging_a_code_is_unchanged(pcdb: Pcdb) -> None:
    data = (REGISTER / "SAP-Schema-19.1.0.xml").read_bytes()
    for mode in ("strict", "estimate"):
        assert read(data, mode, pcdb) == read(data, mode)
    # an index lodged next to a code: the code stands
    both = edit(data.decode(), ("<Main-Heating-Data-Source>3</Main-Heating-Data-Source>",
                                "<Main-Heating-Data-Source>1</Main-Heating-Data-Source>"
                                "<Main-Heating-Index-Number>900001</Main-Heating-Index-"
                                "Number>")).encode()
    assert read(both, "estimate", pcdb) == read(data, "estimate")


# ------------------------------------------------------------------------------- refusals --
@pytest.mark.parametrize(("edits", "words"), [
    # a warm-air heat pump lodged by index (a wet one is read: test_sap_pcdb_heat_pumps.py)
    ((("<Main-Heating-Category>2<", "<Main-Heating-Category>5<"),
      ("<Main-Fuel-Type>1<", "<Main-Fuel-Type>39<")), "Main-Heating-Category 5"),
    # a wet heat pump burning gas (a gas-fired heat pump has no PCDB reading here)
    ((("<Main-Heating-Category>2<", "<Main-Heating-Category>4<"),), "Main-Heating-Category 4"),
    # a wood-log boiler lodged by index
    ((("<Main-Fuel-Type>1<", "<Main-Fuel-Type>20<"),), "burning fuel 20"),
    # manufacturer declaration, no code
    ((("<Main-Heating-Data-Source>1<", "<Main-Heating-Data-Source>2<"),),
     "manufacturer declaration"),
])
def test_other_systems_without_a_code_are_refused(pcdb: Pcdb, edits: tuple[tuple[str, str], ...],
                                                  words: str) -> None:
    data = edit(indexed_191().decode(), *edits).encode()
    for products in (None, pcdb):
        with pytest.raises(SapXmlError) as info:
            read(data, "estimate", products)
        err = info.value
        assert err.field.endswith("Main-Heating[1]/Main-Heating-Code"), err.field
        assert words in err.reason and "Table 4a/4b code" in err.reason


def test_pcdb_source_without_an_index_is_refused() -> None:
    data = re.sub(rb"<Main-Heating-Index-Number>\d+</Main-Heating-Index-Number>", b"",
                  indexed_191())
    with pytest.raises(SapXmlError) as info:
        read(data, "estimate")
    assert "without a product index number" in info.value.reason


# ------------------------------------------------------------------ JSON, legacy schemas --
def test_register_json_lodging_an_index(pcdb: Pcdb) -> None:
    document = json.loads((REGISTER / "SAP-Schema-19.1.0.json").read_text(encoding="utf-8"))
    document = document.get("data", document)
    system = document["sap_heating"]["main_heating_details"][0]
    del system["main_heating_code"]
    system.update(main_heating_data_source=1, main_heating_index_number=900001,
                  main_fuel_type=1, is_interlocked_system="true", is_flue_fan_present="true")
    document["sap_heating"].update(water_fuel_type=1, has_hot_water_cylinder="false")
    document["electricity_tariff"] = 1
    row = read_sap_json_certificate(document, "strict", dwelling_id="d", products=pcdb).row
    assert (row["main1_code"], row["main1_efficiency_percent"],
            row["main1_summer_efficiency_percent"]) == (104, 88.8, 77.7)
    without = read_sap_json_certificate(document, "strict", dwelling_id="d")
    assert len(boiler_refusals(without)) == 1


def test_sap_schema_16_boiler_index_number(pcdb: Pcdb) -> None:
    """SAP-Schema-16.x lodges the index as Boiler-Index-Number (leading zeros kept in the
    text); the sample's boiler (fan flue, water 901, no cylinder) is a combi."""
    text = (REGISTER / "SAP-Schema-16.3.xml").read_text(encoding="utf-8")
    data = edit(text, ("<SAP:Boiler-Index-Number>016685<", "<SAP:Boiler-Index-Number>0900001<"),
                ("<SAP:Main-Fuel-Type>36<", "<SAP:Main-Fuel-Type>1<")).encode()
    without = read(data, "estimate")
    assert without.row["main1_code"] == 104 and FALLBACK in without.assumptions
    reading = read(data, "estimate", pcdb)
    assert FALLBACK not in reading.assumptions
    assert (reading.row["main1_code"], reading.row["main1_efficiency_percent"],
            reading.row["main1_summer_efficiency_percent"]) == (104, 88.8, 77.7)
    out = calculate([reading.row], strict=False).to_pylist()[0]
    assert out["status"] == "ok", out["error"]


def test_sap_schema_18_main_heating_index_number(pcdb: Pcdb) -> None:
    """The repaired 18.0.0 sample with its Main-Heating-Code removed and the index pointed at
    the invented regular boiler: the product's figures replace the lodged ones."""
    edits = [(old, new.replace("<Main-Heating-Code>104</Main-Heating-Code>", ""))
             for old, new in LEGACY_EDITS["18.0.0"]]
    data = legacy_edited("18.0.0", [*edits, ("<Main-Heating-Index-Number>12<",
                                             "<Main-Heating-Index-Number>900002<")])
    reading = read(data, "estimate", pcdb)
    assert (reading.row["main1_code"], reading.row["main1_efficiency_percent"],
            reading.row["main1_summer_efficiency_percent"]) == (102, 89.5, 79.5)
    assert FALLBACK in read(data, "estimate").assumptions


# ----------------------------------------------------------------------- the callers --
def test_ara_rate_with_pcdb(tmp_path: Path, pcdb: Pcdb, capsys: pytest.CaptureFixture[str]
                            ) -> None:
    path = tmp_path / "indexed.xml"
    path.write_bytes(indexed_191())
    folder = tmp_path / "p"
    folder.mkdir()
    pcdb_path = write(folder, pcdf(block(105, 210, [boiler("900001", COMBI)])))

    def rate(*args: str) -> tuple[int, dict[str, Any]]:
        code = main(["rate", "--json", *args, str(path)])
        return code, json.loads(capsys.readouterr().out.splitlines()[0])

    code, record = rate("--mode", "estimate", "--pcdb", str(pcdb_path))
    assert code == 0 and record["error"] is None
    assert FALLBACK not in record["assumptions"]
    expected = calculate([read(indexed_191(), "estimate", pcdb).row], strict=False)
    assert record["sap_rating"] == expected.column("sap_rating")[0].as_py()
    code, record = rate("--mode", "estimate")
    assert code == 0 and FALLBACK in record["assumptions"]
    code, record = rate("--mode", "strict")
    assert code == 1 and FALLBACK in record["error"]


def test_stored_certificate_reader_passes_the_pcdb(pcdb: Pcdb) -> None:
    document = indexed_191().decode()
    reading = read_full_sap_certificate(document, "estimate", "d", pcdb)
    assert reading.row["main1_efficiency_percent"] == 88.8
    assert FALLBACK in read_full_sap_certificate(document, "estimate", "d").assumptions


def test_validate_passes_the_pcdb(tmp_path: Path, pcdb: Pcdb) -> None:
    path = tmp_path / "indexed.xml"
    path.write_bytes(indexed_191())
    assert validate([path], "estimate", pcdb).fallbacks_used[FALLBACK] == 0
    assert validate([path], "estimate").fallbacks_used[FALLBACK] == 1


def test_ara_calc_with_pcdb(tmp_path: Path, pcdb: Pcdb) -> None:
    """``ara calc --mode estimate --pcdb FILE`` over a folder of SAP XML: the indexed boiler
    takes the product's figures, the same rating as the reading with the PCDB; without
    ``--pcdb`` the declared fallback (a different rating from the Table 4b row)."""
    folder = tmp_path / "xml"
    folder.mkdir()
    (folder / "indexed.xml").write_bytes(indexed_191())
    pcdb_folder = tmp_path / "p"
    pcdb_folder.mkdir()
    pcdb_path = write(pcdb_folder, pcdf(block(105, 210, [boiler("900001", COMBI)])))
    expected = calculate([read(indexed_191(), "estimate", pcdb).row], strict=False)
    fallback_rating = calculate([read(indexed_191(), "estimate").row], strict=False)
    for args, want in ((["--pcdb", str(pcdb_path)], expected),
                       ([], fallback_rating)):
        out = tmp_path / f"out{len(args)}.parquet"
        code = main(["calc", "--mode", "estimate", *args, str(folder), "-o", str(out)])
        assert code == 0
        got = pq.read_table(out)
        assert got.column("sap_rating_continuous").to_pylist() == pytest.approx(
            want.column("sap_rating_continuous").to_pylist())
    assert expected.column("sap_rating_continuous")[0].as_py() != pytest.approx(
        fallback_rating.column("sap_rating_continuous")[0].as_py())
    missing = tmp_path / "nope.dat"
    assert main(["calc", "--mode", "estimate", "--pcdb", str(missing), str(folder)]) == 2
