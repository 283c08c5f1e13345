"""Full SAP register certificates in the First Run (issue 13), against SQLite and PostgreSQL.

A small portfolio: the first homes of the bundled sample (RdSAP certificates) and full SAP
homes whose certificates sit in the same bulk NDJSON archive, written in tmp_path: the register
JSON sample SAP-Schema-19.1.0 as it is (refused in both modes: its main fuel contradicts its
electric CPSU; it also lodges the 18-hour tariff) and an edited copy that rates (standard
tariff, electricity; tests/test_sap_register_certificates.py). Ingestion stores their summary
and document; the Baseline rates the rateable one with the full SAP reader (an estimate in
estimate mode, refused naming its fallbacks in strict mode) in the same batch as the RdSAP
homes, whose rows are exactly those of a batch without them; Modelling plans the RdSAP homes
and records why the full SAP ones are not planned. An XML folder takes the SAP XML the same way.

The SAP 10.2 method has no standing charge in spec/ for the 18-hour tariff. Where
spec/tables/estimate_fallbacks.csv declares ``sap_method_standing_charge_lineage`` (RdSAP 10
Table 32's charge), the 18-hour tariff is an estimate (named in ``assumptions``, refused by name
in strict mode); without it the calculator refuses it by name. The tests expect whichever the
tree declares.
"""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest
import sqlalchemy as sa

from ara.domain import LandlordOverrides, PropertyType
from ara.domain.bills import FuelRates
from ara.domain.codes import RoofInsulation
from ara.ingestion.epc_fetchers import BulkArchiveFetcher, PropertyLookup, XmlFolderFetcher
from ara.ingestion.geospatial import UprnReferenceData
from ara.modelling.orchestrator import FULL_SAP_NOT_PLANNED, ModellingOrchestrator
from ara.modelling.scenarios import bundled_scenarios
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory
from ara.persistence import tables as t
from ara.persistence.mapping import load_properties, override_rows, to_arrow
from ara.rdsap.readers import (
    CERTIFICATE_SCHEMA,
    CertificateReadError,
    read_certificates_table,
    read_rdsap_xml,
    read_register_json,
)
from ara.rdsap.readers.mapping import FULL_SAP_SUMMARY_COLUMNS
from ara.sap.fallbacks import fallback, fallbacks

from .support import SAMPLE, sample_homes

REGISTER = Path(__file__).resolve().parents[1] / "vectors" / "register"
JSON_191, XML_191 = REGISTER / "SAP-Schema-19.1.0.json", REGISTER / "SAP-Schema-19.1.0.xml"
RDSAP_HOMES = 6
#: The fallbacks the 19.1.0 sample needs (tests/test_sap_register_certificates.py).
ASSUMPTIONS = ["mechanical_ventilation_product_unavailable",
               "mechanical_ventilation_default_sfp_balanced", "bath_count_not_lodged",
               "wwhrs_ignored", "wind_turbine_ignored", "heat_network_details_unused"]
TARIFF_18 = "electricity_tariff: no standing charge in spec/ for the 18-hour tariff"
TARIFF_FALLBACK = "sap_method_standing_charge_lineage"
CONTRADICTION = ("main1_fuel: fuel 47 is not electricity but main heating system 1 is an "
                 "electric boiler (Main-Heating-Code 192): the certificate contradicts itself")
#: (landlord reference, UPRN, certificate number) of the full SAP homes.
AS_IS = ("SAP-AS-IS", 9300000000001, "9300-0000-0000-0000-0001")
RATES = ("SAP-RATES", 9300000000002, "9300-0000-0000-0000-0002")
PHYSICAL = [c for c in CERTIFICATE_SCHEMA.names
            if c not in {col.name for col in FULL_SAP_SUMMARY_COLUMNS}]


def _edited(path: Path, edits: list[tuple[str, str]]) -> str:
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def _rateable_json() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(_edited(JSON_191, [
        ('"electricity_tariff": 5', '"electricity_tariff": 1'),
        ('"main_fuel_type": 47', '"main_fuel_type": 39')]))
    return document


def _sap_lines() -> list[str]:
    """The two full SAP certificates as archive lines: the as-is one in the bulk export's
    envelope, the edited one with its number in the document (both shapes the register uses)."""
    as_is = json.loads(JSON_191.read_text(encoding="utf-8"))
    as_is["uprn"] = AS_IS[1]
    rates = {**_rateable_json(), "uprn": RATES[1], "certificate_number": RATES[2]}
    return [json.dumps({"certificate_number": AS_IS[2], "document": as_is}), json.dumps(rates)]


def _sample_lines(homes: int) -> list[str]:
    with (SAMPLE / "portfolio.csv").open() as fh:
        uprns = {int(r["uprn"]) for r in list(csv.DictReader(fh))[:homes]}
    with gzip.open(SAMPLE / "certificates.ndjson.gz", "rt", encoding="utf-8") as fh:
        return [line.rstrip("\n") for line in fh if json.loads(line)["uprn"] in uprns]


def _portfolio(tmp_path: Path, extra: list[tuple[str, int, str]],
               homes: int = RDSAP_HOMES) -> Path:
    path = sample_homes(tmp_path, homes)
    with path.open("a", newline="") as fh:
        writer = csv.writer(fh)
        for ref, uprn, _number in extra:
            writer.writerow([uprn, "1 Some Street", "Whitbury", "A0 0AA", ref])
    return path


def _archive(tmp_path: Path) -> Path:
    path = tmp_path / "certificates.ndjson"
    path.write_text("\n".join(_sample_lines(RDSAP_HOMES) + _sap_lines()) + "\n",
                    encoding="utf-8")
    return path


def _stages(factory: UnitOfWorkFactory, fetcher: Any, mode: str
            ) -> tuple[IngestionOrchestrator, BaselineOrchestrator, ModellingOrchestrator]:
    rates = FuelRates.load()
    ingestion = IngestionOrchestrator(factory, fetcher,
                                      UprnReferenceData(SAMPLE / "uprn.parquet"))
    scenario = [s for s in bundled_scenarios() if "fabric" in s.scenario_id]
    return (ingestion, BaselineOrchestrator(factory, rates, mode=mode),  # type: ignore[arg-type]
            ModellingOrchestrator(factory, rates, scenarios=scenario,
                                  mode=mode))  # type: ignore[arg-type]


def _by_ref(props: pa.Table) -> dict[str, str]:
    return dict(zip(props.column("landlord_reference").to_pylist(),
                    props.column("property_id").to_pylist(), strict=True))


def _stored(factory: UnitOfWorkFactory, ids: list[str]) -> dict[str, Any]:
    with factory(read_only=True) as uow:
        conn = uow.connection
        baselines = {r["property_id"]: r for r in
                     uow.baselines.read(ids).drop_columns(["calculated_at"]).to_pylist()}
        failures = {(r.property_id, r.stage): r for r in conn.execute(sa.select(
            t.stage_failures.c.property_id, t.stage_failures.c.stage,
            t.stage_failures.c.error_type, t.stage_failures.c.message)
            .where(t.stage_failures.c.property_id.in_(ids)))}
        plans = [r.property_id for r in conn.execute(
            sa.select(t.plans.c.property_id).where(t.plans.c.property_id.in_(ids)))]
        certificates = uow.certificates.read(ids).to_pylist()
    return {"baselines": baselines, "failures": failures, "plans": plans,
            "certificates": {r["property_id"]: r for r in certificates},
            "counts": (len(baselines), len(failures), len(plans), len(certificates))}


# ---------------------------------------------------------------------------------------------
# The readers: a summary on the ingestion paths, a refusal when called directly
# ---------------------------------------------------------------------------------------------
def test_direct_calls_still_refuse_full_sap_and_the_summary_option_reads_it() -> None:
    with pytest.raises(CertificateReadError, match="unsupported schema 'SAP-Schema-19.1.0'"):
        read_register_json(JSON_191.read_text(encoding="utf-8"))
    with pytest.raises(CertificateReadError, match="ara.sap.xml_reader.read_sap_xml"):
        read_rdsap_xml(XML_191)
    text = JSON_191.read_text(encoding="utf-8")
    from_json = read_register_json(text, certificate_number="N", full_sap="summary")
    from_xml = read_rdsap_xml(XML_191, full_sap="summary")
    for row in (from_json, from_xml):
        assert set(row) == set(CERTIFICATE_SCHEMA.names)
        assert row["schema_type"] == "SAP-Schema-19.1.0" and row["sap_version"] == "10.2"
        assert (row["energy_rating_current"], row["energy_band_current"]) == (72, "C")
        assert row["co2_emissions_current_kg_per_yr"] == 2400.0
        assert row["energy_consumption_current_kwh_per_m2_yr"] == 59.0
        assert row["total_floor_area_m2"] == 165.0 and row["property_type"] == "0"
        assert str(row["inspection_date"]) == "2022-05-09"
        assert row["walls_description"] == "Average thermal transmittance 0.18 W/m²K"
        assert row["code_mappings"] is None and row["inferred_fields"] is None
        assert all(row[c] in (None, []) for c in PHYSICAL), [c for c in PHYSICAL if row[c]]
    assert from_json["raw_document"] == text and from_json["data_source"] == "register_json"
    assert from_xml["raw_document"] == XML_191.read_text(encoding="utf-8")
    assert from_xml["data_source"] == "xml"
    assert from_json["certificate_number"] == "N"
    with pytest.raises(ValueError, match="full_sap"):
        read_register_json(text, full_sap="rate")  # type: ignore[arg-type]


def test_bulk_reader_refuses_full_sap_by_default_and_reads_the_summary_on_request(
        tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    table, failures = read_certificates_table(archive)
    assert table.num_rows == RDSAP_HOMES and len(failures) == 2
    assert all("SAP-Schema-19.1.0" in f.message for f in failures)
    table, failures = read_certificates_table(archive, full_sap="summary")
    assert failures == [] and table.num_rows == RDSAP_HOMES + 2
    sap = table.filter(pc.starts_with(table.column("schema_type"), "SAP-Schema"))
    assert sap.column("certificate_number").to_pylist() == [AS_IS[2], RATES[2]]
    assert sap.column("uprn").to_pylist() == [AS_IS[1], RATES[1]]
    assert set(sap.column("data_source").to_pylist()) == {"archive"}
    assert sap.column("building_parts").null_count == 2


# ---------------------------------------------------------------------------------------------
# The First Run
# ---------------------------------------------------------------------------------------------
def test_full_sap_certificates_through_the_first_run(uow_factory: UnitOfWorkFactory,
                                                     tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    props = read_portfolio(_portfolio(tmp_path, [AS_IS, RATES]), "mixed")
    ids = props.column("property_id").to_pylist()
    refs = _by_ref(props)
    as_is, rates = refs[AS_IS[0]], refs[RATES[0]]
    rdsap_ids = [pid for pid in ids if pid not in (as_is, rates)]
    ingestion, baseline, modelling = _stages(uow_factory, BulkArchiveFetcher(archive),
                                             "estimate")
    run = FirstRun(uow_factory, ingestion, baseline, modelling=modelling)
    run.create_properties("mixed", "homes.csv", props)

    # ---- Ingestion stores them (summary columns, the document verbatim)
    report = ingestion.run(ids)
    assert report.certificates == len(ids) and report.failures == []
    stored = _stored(uow_factory, ids)
    lines = _sap_lines()
    for pid, (_ref, uprn, number), line in ((as_is, AS_IS, lines[0]), (rates, RATES, lines[1])):
        cert = stored["certificates"][pid]
        assert (cert["certificate_number"], cert["uprn"]) == (number, uprn)
        assert (cert["schema_type"], cert["sap_spec_version"]) == ("SAP-Schema-19.1.0", "10.2")
        assert (cert["lodged_sap_score"], cert["lodged_band"]) == (72, "C")
        assert cert["lodged_co2_tonnes_per_year"] == pytest.approx(2.4)
        assert cert["lodged_primary_energy_kwh_per_m2_year"] == 59.0
        assert cert["total_floor_area_m2"] == 165.0 and cert["raw_format"] == "archive"
        assert cert["raw_document"] == line.encode("utf-8")
        data = json.loads(cert["data_json"])
        assert data["building_parts"] is None and data["main_heating"] is None
    with uow_factory(read_only=True) as uow:
        loaded = {p.property_id: p for p in load_properties(uow, [as_is, rates])}
    epc = loaded[rates].lodged_epc
    assert epc is not None and epc.lodged is not None and not epc.is_pre_sap10
    assert epc.lodged.sap_score == 72 and epc.schema_type == "SAP-Schema-19.1.0"

    # ---- Baseline: the RdSAP homes alone first, then the whole batch
    alone = baseline.run(rdsap_ids)
    without = _stored(uow_factory, rdsap_ids)
    assert alone.scored == len(without["baselines"]) > 0
    report = baseline.run(ids)
    stored = _stored(uow_factory, ids)
    base, failures = stored["baselines"], stored["failures"]
    for pid in rdsap_ids:  # exactly as without the full SAP homes
        assert base.get(pid) == without["baselines"].get(pid)
        assert failures.get((pid, "baseline")) == without["failures"].get((pid, "baseline"))
    row = base[rates]
    assert row["estimate"] is True and row["assumptions"] == ",".join(ASSUMPTIONS)
    assert row["certificate_number"] == RATES[2] and row["source_path"] == "epc_with_overlay"
    # a pristine SAP 10.2 certificate keeps its lodged figures (today's rules)
    assert row["rebaseline_reason"] == "none" and row["effective_sap_score"] == 72
    assert as_is not in base
    failure = failures[(as_is, "baseline")]
    assert failure.error_type == "refused"
    assert failure.message.startswith(f"blocked: {CONTRADICTION}")
    if TARIFF_FALLBACK not in fallbacks():  # else the tariff is an estimate, not a block
        assert TARIFF_18 in failure.message
    assert report.estimates == sum(1 for r in base.values() if r["estimate"])
    assert report.assumptions["wind_turbine_ignored"] == 1

    # ---- Modelling: the RdSAP homes are planned, the full SAP ones recorded
    planning = modelling.run(ids)
    stored = _stored(uow_factory, ids)
    assert planning.failures[rates] == FULL_SAP_NOT_PLANNED
    assert stored["failures"][(rates, "modelling")].message == FULL_SAP_NOT_PLANNED
    assert rates not in stored["plans"] and as_is not in stored["plans"]
    planned = set(stored["plans"])
    assert planned and planned <= set(rdsap_ids)
    assert {pid for pid in rdsap_ids if pid not in planning.failures} == planned

    # ---- a re-run (the First Run, every stage) replaces and never duplicates
    before = stored["counts"]
    summary = run.run(ids, 4)
    assert summary.failed_batches == []
    again = _stored(uow_factory, ids)
    assert again["counts"] == before
    assert again["baselines"] == base


def test_strict_mode_refuses_the_full_sap_certificate_naming_the_fallbacks(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    props = read_portfolio(_portfolio(tmp_path, [AS_IS, RATES]), "strict")
    ids = props.column("property_id").to_pylist()
    refs = _by_ref(props)
    ingestion, baseline, modelling = _stages(uow_factory, BulkArchiveFetcher(archive), "strict")
    run = FirstRun(uow_factory, ingestion, baseline, modelling=modelling)
    run.create_properties("strict", "homes.csv", props)
    assert run.run(ids, 10).failed_batches == []
    stored = _stored(uow_factory, ids)
    failures = stored["failures"]
    rates, as_is = refs[RATES[0]], refs[AS_IS[0]]
    for pid in (rates, as_is):
        assert pid not in stored["baselines"] and pid not in stored["plans"]
    message = failures[(rates, "baseline")].message
    assert failures[(rates, "baseline")].error_type == "refused"
    assert message.startswith("missing in strict mode (--mode estimate rates it with these "
                              "assumptions): ")
    for fid in ASSUMPTIONS:
        assert f"estimate mode would use fallback {fid}: {fallback(fid).fallback}" in message
    message = failures[(as_is, "baseline")].message
    assert message.startswith(f"blocked: {CONTRADICTION}")
    assert "| missing in strict mode: " in message
    assert (f"estimate mode would use fallback {TARIFF_FALLBACK}:" in message
            if TARIFF_FALLBACK in fallbacks() else TARIFF_18 in message)


def test_full_sap_xml_from_an_xml_folder(uow_factory: UnitOfWorkFactory,
                                         tmp_path: Path) -> None:
    """The SAP XML sample as it is (its 18-hour tariff is its only obstacle: an estimate with
    the declared fallback, or refused by name without it) and with the standard tariff (rated,
    an estimate), read from a folder of certificates."""
    folder = tmp_path / "certificates"
    folder.mkdir()
    as_is_ref, rates_ref = ("XML-AS-IS", 9300000000011, "9300-0000-0000-0000-0011"), \
        ("XML-RATES", 9300000000012, "9300-0000-0000-0000-0012")
    for (_ref, uprn, number), edits in ((as_is_ref, []), (rates_ref, [
            ("<Electricity-Tariff>5<", "<Electricity-Tariff>1<")])):
        text = _edited(XML_191, [*edits, ("<UPRN>UPRN-0000000001</UPRN>", f"<UPRN>{uprn}</UPRN>"),
                                 ("<RRN>0000-0000-0000-0000-0000</RRN>", f"<RRN>{number}</RRN>")])
        (folder / f"{number}.xml").write_text(text, encoding="utf-8")
    (folder / "rdsap.ndjson").write_text("\n".join(_sample_lines(2)) + "\n", encoding="utf-8")
    fetcher = XmlFolderFetcher(folder)
    found = fetcher.fetch([PropertyLookup("x", certificate_number=rates_ref[2])])
    assert found.certificates.column("data_source").to_pylist() == ["xml"]

    props = read_portfolio(_portfolio(tmp_path, [as_is_ref, rates_ref], homes=2), "xml")
    ids = props.column("property_id").to_pylist()
    refs = _by_ref(props)
    ingestion, baseline, modelling = _stages(uow_factory, fetcher, "estimate")
    run = FirstRun(uow_factory, ingestion, baseline, modelling=modelling)
    run.create_properties("xml", "homes.csv", props)
    assert run.run(ids, 10).failed_batches == []
    stored = _stored(uow_factory, ids)
    rates, as_is = refs[rates_ref[0]], refs[as_is_ref[0]]
    assert stored["certificates"][rates]["raw_format"] == "xml"
    row = stored["baselines"][rates]
    assert row["estimate"] is True and row["assumptions"] == ",".join(ASSUMPTIONS)
    if TARIFF_FALLBACK in fallbacks():
        row = stored["baselines"][as_is]
        assert row["estimate"] is True
        assert row["assumptions"] == ",".join([*ASSUMPTIONS, TARIFF_FALLBACK])
    else:
        failure = stored["failures"][(as_is, "baseline")]
        assert failure.error_type == "calculation" and TARIFF_18 in failure.message
        assert as_is not in stored["baselines"]
    for pid in (as_is, rates):
        assert stored["failures"][(pid, "modelling")].message == FULL_SAP_NOT_PLANNED
        assert pid not in stored["plans"]


def test_landlord_overrides_on_a_full_sap_certificate_are_refused_by_name(
        uow_factory: UnitOfWorkFactory, tmp_path: Path) -> None:
    """Overrides cannot be written over a full SAP certificate (its inputs come from the
    lodged document, not from RdSAP survey fields): the home is refused by name, whether the
    override targets the dwelling (property type) or the main building part (roof), and the
    rest of the batch is baselined and planned."""
    archive = _archive(tmp_path)
    other = ("SAP-OTHER", 9300000000003, "9300-0000-0000-0000-0003")
    text = archive.read_text(encoding="utf-8")
    third = {**_rateable_json(), "uprn": other[1], "certificate_number": other[2]}
    archive.write_text(text + json.dumps(third) + "\n", encoding="utf-8")
    props = read_portfolio(_portfolio(tmp_path, [RATES, other], homes=2), "ovr")
    ids = props.column("property_id").to_pylist()
    refs = _by_ref(props)
    ingestion, baseline, modelling = _stages(uow_factory, BulkArchiveFetcher(archive),
                                             "estimate")
    run = FirstRun(uow_factory, ingestion, baseline, modelling=modelling)
    run.create_properties("ovr", "homes.csv", props)
    ingestion.run(ids)
    overrides = {refs[RATES[0]]: LandlordOverrides(property_type=PropertyType.BUNGALOW),
                 refs[other[0]]: LandlordOverrides(roof_insulation=RoofInsulation.MM_270)}
    with uow_factory() as uow:
        uow.landlord_overrides.upsert(to_arrow(
            t.landlord_overrides,
            [r for pid, o in overrides.items() for r in override_rows(pid, o)],
            ["property_id", "override", "value"]))
    assert run.run(ids, 10).failed_batches == []
    stored = _stored(uow_factory, ids)
    for pid, name in ((refs[RATES[0]], "property_type"), (refs[other[0]], "roof_insulation")):
        failure = stored["failures"][(pid, "baseline")]
        assert failure.error_type == "refused"
        assert failure.message.startswith(f"landlord overrides ({name}) cannot be applied to a "
                                          "full SAP certificate")
        assert stored["failures"][(pid, "modelling")].message == FULL_SAP_NOT_PLANNED
    assert not set(overrides) & set(stored["baselines"])
    for pid in ids:
        if pid not in overrides:  # the RdSAP homes of the batch: baselined as ever
            assert pid in stored["baselines"] or (pid, "baseline") in stored["failures"]
