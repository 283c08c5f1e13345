"""Full-SAP certificates lodging an electric heat pump by PCDB index (issue 12): a heat pump
with radiators or underfloor heating (Main-Heating-Category 4, an electricity fuel) lodged with
Main-Heating-Data-Source 1 and a Main-Heating-Index-Number but no Main-Heating-Code is rated
from its PCDB record by SAP 10.2 Appendix N (plant size ratio, in-use factors, Table N8) when
the user's PCDB holds a usable record; otherwise with the declared fallbacks
``heat_pump_product_unavailable`` / ``heat_pump_product_not_usable`` (the Table 4a code 224
row), as in the RdSAP expansion, whose record rules (``ara.sap.products.heat_pump_records``)
are the same functions.

The certificate is the register's SAP-Schema-19.1.0 sample (``tests/vectors/register``: an
electric boiler heating a 600 l store with a declared loss of 2.45 kWh/day) edited into a heat
pump lodged by index; the PCDB records are invented (index numbers 9001xx, "TEST HEAT PUMP")
and written by the test in the PCDF layout (tests/rdsap/test_pcdb.py builders). Every expected
value is worked out by hand from the invented record.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rdsap.test_pcdb import FLAT, VARIED, block, hp_record, pcdf, write
from test_sap_pcdb_boilers import edit

from ara.cli import main
from ara.rdsap.pcdb import Pcdb, load_pcdb
from ara.sap import calculate, trace
from ara.sap.fallbacks import fallback
from ara.sap.products import PCDB_HEAT_PUMP_CODE, HeatPumpLookup
from ara.sap.sap_json_reader import read_sap_json_certificate
from ara.sap.xml_reader import SapReading, SapXmlError, read_sap_xml, read_sap_xml_certificate
from ara.validate import validate

REGISTER = Path(__file__).resolve().parent / "vectors" / "register"
UNAVAILABLE, NOT_USABLE = "heat_pump_product_unavailable", "heat_pump_product_not_usable"


@pytest.fixture(scope="module")
def pcdb(tmp_path_factory: pytest.TempPathFactory) -> Pcdb:
    folder = tmp_path_factory.mktemp("pcdb")
    records = [hp_record("900101"), hp_record("900102", VARIED),
               hp_record("900103", [*VARIED, *VARIED], {58: "2"}),  # two datasets
               hp_record("900104", fields={16: "26"}),  # not electric
               hp_record("900108", fields={22: "3"}),  # space heating only
               # Table N8 against the sample's 600 l store, 2.45 kWh/day declared: area 0,
               # 100 l and 2.50 kWh/day (met); 2.40 kWh/day (not met); area 3.21 m2 (met
               # only when the store lodges an area of at least 3.21 m2)
               hp_record("900109", fields={24: "100", 25: "2.50", 26: "0"}),
               hp_record("900110", fields={24: "100", 25: "2.40", 26: "0"}),
               hp_record("900111", fields={24: "100", 25: "2.50", 26: "3.21"})]
    return load_pcdb(write(folder, pcdf(block(362, 465, records, "Heat Pumps"))),
                     cache_dir=folder / "cache")


@pytest.fixture(autouse=True)
def _no_user_pcdb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARA_PCDB", raising=False)


def heat_pump_191(index: str = "900101", *extra: tuple[str, str]) -> bytes:
    """The SAP-Schema-19.1.0 sample's main system made an electric heat pump with radiators
    lodged by its PCDB index (category 4, data source 1, no Main-Heating-Code); the water
    stays from the main system (901) into the sample's 600 l store."""
    text = edit((REGISTER / "SAP-Schema-19.1.0.xml").read_text(encoding="utf-8"),
                ("<Main-Heating-Category>2</Main-Heating-Category>",
                 "<Main-Heating-Category>4</Main-Heating-Category>"),
                ("<Main-Heating-Data-Source>3</Main-Heating-Data-Source>",
                 "<Main-Heating-Data-Source>1</Main-Heating-Data-Source>"
                 f"<Main-Heating-Index-Number>{index}</Main-Heating-Index-Number>"),
                ("<Main-Heating-Code>192</Main-Heating-Code>", ""), *extra)
    return text.encode("utf-8")


def read(data: bytes, mode: str, products: Any = None) -> SapReading:
    return read_sap_xml_certificate(data, mode, dwelling_id="d", products=products)


def rated(row: dict[str, Any]) -> dict[str, Any]:
    out = calculate([row], strict=False).to_pylist()[0]
    assert out["status"] == "ok", out["error"]
    return out


def test_the_pcdb_is_a_heat_pump_lookup(pcdb: Pcdb) -> None:
    assert isinstance(pcdb, HeatPumpLookup)


def test_a_heat_pump_in_the_users_pcdb_is_rated_by_appendix_n(pcdb: Pcdb) -> None:
    data = heat_pump_191()
    assert read_sap_xml(data)["main1_code"] is None  # the lodged row: no code
    for mode in ("strict", "estimate"):
        reading = read(data, mode, pcdb)
        assert UNAVAILABLE not in reading.assumptions and NOT_USABLE not in reading.assumptions
        assert not any("heat_pump_product" in r for r in reading.refusals)
    row = reading.row
    # the invented record, by hand: its three datasets, 5.67 kW, duration 'V'
    assert row["main1_hp_psr_data"] == [
        {"psr": 0.05, "space_efficiency_percent": 300.0, "water_efficiency_percent": 250.0},
        {"psr": 0.5, "space_efficiency_percent": 300.0, "water_efficiency_percent": 250.0},
        {"psr": 5.0, "space_efficiency_percent": 300.0, "water_efficiency_percent": 250.0}]
    assert (row["main1_code"], row["main1_hp_max_output_kw"],
            row["main1_hp_heating_duration"]) == (PCDB_HEAT_PUMP_CODE, 5.67, "V")
    # the record's vessel is 171 l, 1.71 kWh/day, 3.21 m2: the store lodges no area
    assert row["main1_hp_cylinder_meets_pcdb"] is False
    assert any("PCDB heat pump 900101" in r and "Appendix N" in r for r in reading.rules)
    assert any("in-use factor 0.60" in r for r in reading.rules)
    lines = trace(row)["lines"]
    assert lines["PSR"] == pytest.approx(5.67 / (lines["39"]["annual"] * 24.2 / 1000.0))
    assert 0.05 < lines["PSR"] < 5.0
    out = rated(row)
    # (206) = 0.95 x 300 (flat record); (217) = max(0.60 x 250, 100)
    assert out["main_heating_efficiency_percent"] == pytest.approx(285.0)
    assert out["water_heating_efficiency_percent"] == pytest.approx(150.0)


def test_each_dataset_lands_in_its_input(pcdb: Pcdb) -> None:
    row = read(heat_pump_191("900102"), "strict", pcdb).row
    assert row["main1_hp_psr_data"] == [
        {"psr": 0.2, "space_efficiency_percent": 301.1, "water_efficiency_percent": 201.1},
        {"psr": 1.2, "space_efficiency_percent": 281.1, "water_efficiency_percent": 181.1}]
    rated(row)


@pytest.mark.parametrize(("index", "extra", "meets"), [
    ("900109", (), True),  # area 0 (fn 53), 600 >= 100 l, 2.45 <= 2.50 kWh/day
    ("900110", (), False),  # 2.45 > 2.40 kWh/day
    ("900111", (), False),  # the record's area 3.21 m2, the store's not lodged
    ("900111", (("<Hot-Water-Store-Heat-Loss>2.45</Hot-Water-Store-Heat-Loss>",
                 "<Hot-Water-Store-Heat-Loss>2.45</Hot-Water-Store-Heat-Loss>"
                 "<Hot-Water-Store-Heat-Transfer-Area>3.5</Hot-Water-Store-Heat-Transfer-"
                 "Area>"),), True),  # 3.5 >= 3.21 m2
    ("900111", (("<Hot-Water-Store-Heat-Loss>2.45</Hot-Water-Store-Heat-Loss>",
                 "<Hot-Water-Store-Heat-Loss>2.45</Hot-Water-Store-Heat-Loss>"
                 "<Hot-Water-Store-Heat-Transfer-Area>3.0</Hot-Water-Store-Heat-Transfer-"
                 "Area>"),), False),  # 3.0 < 3.21 m2
])
def test_table_n8_with_the_lodged_store(pcdb: Pcdb, index: str,
                                        extra: tuple[tuple[str, str], ...],
                                        meets: bool) -> None:
    """The criteria with what a full-SAP certificate lodges: the store's size, declared loss
    and heat-exchanger area (decision 0027)."""
    reading = read(heat_pump_191(index, *extra), "strict", pcdb)
    assert reading.row["cylinder_declared_loss_kwh_per_day"] == 2.45
    assert reading.row["main1_hp_cylinder_meets_pcdb"] is meets
    factor = 0.95 if meets else 0.60
    assert any(f"in-use factor {factor:.2f}" in r for r in reading.rules)
    assert rated(reading.row)["water_heating_efficiency_percent"] == \
        pytest.approx(factor * 250.0)


@pytest.mark.parametrize(("size", "meets"), [("600", False), ("100", True)])
def test_table_n8_without_a_declared_loss_takes_the_table_2_loss(pcdb: Pcdb, size: str,
                                                                 meets: bool) -> None:
    """A store lodged from the SAP table (factory foam, 50 mm), no declared loss: its Table 2
    loss (47) x (51) x (52) against record 900109 (100 l, 2.50 kWh/day, area 0). 600 l:
    600 x (0.005 + 0.55 / 54) x (120 / 600)^(1/3) = 5.3282 kWh/day, above 2.50: not met;
    100 l: 100 x (0.005 + 0.55 / 54) x (120 / 100)^(1/3) = 1.6137, and 100 >= 100 l: met."""
    loss = {"600": 5.3282, "100": 1.6137}[size]
    assert int(size) * (0.005 + 0.55 / 54) * (120 / int(size)) ** (1 / 3) == \
        pytest.approx(loss, abs=1e-4)
    data = heat_pump_191(
        "900109",
        ("<Hot-Water-Store-Size>600<", f"<Hot-Water-Store-Size>{size}<"),
        ("<Hot-Water-Store-Heat-Loss-Source>2</Hot-Water-Store-Heat-Loss-Source>",
         "<Hot-Water-Store-Heat-Loss-Source>3</Hot-Water-Store-Heat-Loss-Source>"
         "<Hot-Water-Store-Insulation-Type>1</Hot-Water-Store-Insulation-Type>"
         "<Hot-Water-Store-Insulation-Thickness>50</Hot-Water-Store-Insulation-Thickness>"),
        ("<Hot-Water-Store-Heat-Loss>2.45</Hot-Water-Store-Heat-Loss>", ""))
    row = read(data, "strict", pcdb).row
    assert row["cylinder_declared_loss_kwh_per_day"] is None
    assert (row["cylinder_volume_l"], row["cylinder_insulation_mm"]) == (float(size), 50.0)
    assert row["main1_hp_cylinder_meets_pcdb"] is meets


@pytest.mark.parametrize(("index", "reason"), [
    ("900103", "more than one dataset"),
    ("900104", "not an electric heat pump"),
    ("900108", "service provision is not 1"),  # space only, yet it heats the water (901)
])
def test_a_record_the_rules_cannot_apply_takes_the_declared_fallback(
        pcdb: Pcdb, index: str, reason: str) -> None:
    strict = read(heat_pump_191(index), "strict", pcdb)
    assert any(NOT_USABLE in r for r in strict.refusals)
    reading = read(heat_pump_191(index), "estimate", pcdb)
    assert NOT_USABLE in reading.assumptions and not reading.refusals
    assert any(reason in r and "not used" in r for r in reading.rules)
    row = reading.row
    assert row["main1_code"] == int(fallback(NOT_USABLE).value) == 224
    assert row["main1_hp_psr_data"] is None and row["main1_hp_heating_duration"] is None
    assert rated(row)["main_heating_efficiency_percent"] == pytest.approx(170.0)


@pytest.mark.parametrize("index", ["900199", "900101"])
def test_without_the_record_the_unavailable_fallback(pcdb: Pcdb, index: str) -> None:
    """An index the PCDB does not hold (900199), or no PCDB at all (900101): Table 4a 224."""
    products = pcdb if index == "900199" else None
    strict = read(heat_pump_191(index), "strict", products)
    [message] = [r for r in strict.refusals if UNAVAILABLE in r]
    assert message.startswith(fallback(UNAVAILABLE).missing)
    reading = read(heat_pump_191(index), "estimate", products)
    assert UNAVAILABLE in reading.assumptions and not reading.refusals
    assert reading.row["main1_code"] == 224 and reading.row["main1_hp_psr_data"] is None
    assert rated(reading.row)["main_heating_efficiency_percent"] == pytest.approx(170.0)


def test_a_boiler_only_pcdb_gives_the_unavailable_fallback(tmp_path: Path) -> None:
    """A PCDB file without table 362: the heat pump is not held."""
    from rdsap.test_pcdb import boiler
    path = write(tmp_path, pcdf(block(105, 210, [boiler("900001", {11: "1", 14: "2",
                                                                  18: "2", 25: "88.8",
                                                                  26: "77.7"})])))
    reading = read(heat_pump_191(), "estimate", load_pcdb(path, tmp_path / "cache"))
    assert UNAVAILABLE in reading.assumptions


def test_register_json_lodging_a_heat_pump_index(pcdb: Pcdb) -> None:
    document = json.loads((REGISTER / "SAP-Schema-19.1.0.json").read_text(encoding="utf-8"))
    document = document.get("data", document)
    system = document["sap_heating"]["main_heating_details"][0]
    del system["main_heating_code"]
    # the JSON sample's main fuel is 47 (not the XML's 39): an electricity fuel here
    system.update(main_heating_category=4, main_heating_data_source=1,
                  main_heating_index_number=900101, main_fuel_type=39)
    row = read_sap_json_certificate(document, "strict", dwelling_id="d", products=pcdb).row
    assert row["main1_code"] == 224 and len(row["main1_hp_psr_data"]) == 3
    without = read_sap_json_certificate(document, "estimate", dwelling_id="d")
    assert UNAVAILABLE in without.assumptions


def test_a_warm_air_heat_pump_by_index_is_refused(pcdb: Pcdb) -> None:
    data = edit(heat_pump_191().decode(), ("<Main-Heating-Category>4<",
                                           "<Main-Heating-Category>5<")).encode()
    with pytest.raises(SapXmlError) as info:
        read(data, "estimate", pcdb)
    assert "Main-Heating-Category 5" in info.value.reason


def test_ara_rate_and_validate_with_the_pcdb(tmp_path: Path, pcdb: Pcdb,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "heat_pump.xml"
    path.write_bytes(heat_pump_191())
    folder = tmp_path / "p"
    folder.mkdir()
    pcdb_path = write(folder, pcdf(block(362, 465, [hp_record("900101", FLAT)],
                                         "Heat Pumps")))
    code = main(["rate", "--json", "--mode", "estimate", "--pcdb", str(pcdb_path), str(path)])
    record = json.loads(capsys.readouterr().out.splitlines()[0])
    assert code == 0 and record["error"] is None
    assert UNAVAILABLE not in record["assumptions"]
    expected = calculate([read(heat_pump_191(), "estimate", pcdb).row], strict=False)
    assert record["sap_rating"] == expected.column("sap_rating")[0].as_py()
    assert validate([path], "estimate", pcdb).fallbacks_used[UNAVAILABLE] == 0
    assert validate([path], "estimate").fallbacks_used[UNAVAILABLE] == 1
