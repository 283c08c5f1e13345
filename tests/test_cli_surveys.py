"""``ara surveys import``: a landlord's surveys (Site Notes) from RdSAP XML and the CSV
template, one file or a folder, matched to homes by UPRN or landlord reference; surveys with
gaps refused with each gap named, unmatched and unreadable ones listed; a dry run that writes
nothing and says which source each home would use; a re-import that replaces; a failed import
that stores nothing; and ``ara run`` using them: ``survey_changed`` recorded for the homes
whose survey changed, the survey the Effective EPC where it wins the recency tie-break. On
SQLite and on the real PostgreSQL (pg_support: a loud skip without it, a failure under
CI=true)."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
import sqlalchemy as sa
from pg_support import engine_url, postgres_engine
from test_cli_overrides import Db, _populate

from ara.cli import bundled, main
from ara.domain.codes import SourcePath
from ara.persistence import create_engine, dispose_engines, upgrade
from ara.persistence import tables as t

SAMPLE = bundled("sample_portfolio")
SURVEYS = SAMPLE / "surveys"
XML = SURVEYS / "LL-2025-0007.xml"
CSV = SURVEYS / "surveys.csv"
#: Sample homes (by UPRN) and their lodged certificates' inspection dates.
U1, U4, U5, U6, U7 = (9200000000001, 9200000000004, 9200000000005, 9200000000006,
                      9200000000007)
EPC_INSPECTED = {U5: "2023-06-15", U6: "2024-07-15"}


# ---- fixtures and helpers ------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A fresh, migrated database: a SQLite file, or a schema of the test PostgreSQL."""
    if request.param == "sqlite":
        eng = create_engine(str(tmp_path / "ara.db"))
        upgrade(eng)
        try:
            yield eng
        finally:
            dispose_engines()
            eng.dispose()
        return
    with postgres_engine("ara_surveys") as eng:
        try:
            yield eng
        finally:
            dispose_engines()  # the command's engines, before the schema is dropped


@pytest.fixture
def db(engine: sa.Engine, tmp_path: Path) -> Db:
    """The first homes of the bundled sample with their lodged certificates (as
    ``ara overrides import``'s tests have them)."""
    return _populate(engine, tmp_path)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        code = main(["surveys", "import", *args])
    finally:
        dispose_engines()
    out, err = capsys.readouterr()
    return code, out, err


def notes(db: Db) -> dict[tuple[int, str], dict[str, Any]]:
    """The stored surveys by (UPRN, survey id)."""
    uprns = {pid: uprn for uprn, pid in db.ids.items()}
    with db.factory(read_only=True) as uow:
        rows = uow.connection.execute(sa.select(t.site_notes)).mappings().all()
    return {(uprns[r["property_id"]], r["survey_id"]): dict(r) for r in rows}


def stamps(db: Db) -> dict[int, Any]:
    uprns = {pid: uprn for uprn, pid in db.ids.items()}
    with db.factory(read_only=True) as uow:
        rows = uow.connection.execute(sa.select(t.survey_changes)).all()
    return {uprns[r.property_id]: r.changed_at for r in rows}


def csv_rows() -> list[dict[str, str]]:
    with CSV.open(newline="") as fh:
        return list(csv.DictReader(fh))


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def survey_row(uprn: int, survey_id: str, date: str, **cells: str) -> dict[str, str]:
    """The bundled CSV survey, for another home or date, with some cells changed."""
    row = {**csv_rows()[0], "uprn": str(uprn), "landlord_reference": "",
           "survey_id": survey_id, "survey_date": date}
    row.update(cells)
    return row


def xml_survey(path: Path, *, uprn: str | None = "UPRN-9200000000007",
               drop: tuple[str, ...] = ()) -> Path:
    """The bundled XML survey with another UPRN (None: no UPRN element) and elements
    removed."""
    text = XML.read_text(encoding="utf-8")
    text = text.replace("<UPRN>UPRN-9200000000007</UPRN>",
                        f"<UPRN>{uprn}</UPRN>" if uprn else "")
    for element in drop:
        text = re.sub(rf"<{element}>[^<]*</{element}>", "", text)
    path.write_text(text, encoding="utf-8")
    return path


# ---- importing -----------------------------------------------------------------------------

def test_the_bundled_folder_imports_an_xml_and_a_csv_survey(
        db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, str(SURVEYS), "--db", db.url)
    assert code == 0, out + err
    stored = notes(db)
    assert set(stored) == {(U7, "LL-2025-0007"), (U1, "LL-2025-0001")}
    xml = stored[(U7, "LL-2025-0007")]
    assert (str(xml["survey_date"]), xml["surveyor"], xml["raw_format"]) == (
        "2025-04-04", "Testa Sessor", "xml")
    assert bytes(xml["raw_document"]) == XML.read_bytes()  # the document, verbatim
    row = stored[(U1, "LL-2025-0001")]
    assert (str(row["survey_date"]), row["raw_format"]) == ("2025-03-10", "csv")
    assert row["surveyor"] == "A. Surveyor (landlord's stock condition team)"
    raw = bytes(row["raw_document"]).decode()
    assert raw.startswith("uprn,landlord_reference,survey_id") and "LL-2025-0001" in raw
    assert set(stamps(db)) == {U1, U7}
    assert "2 home(s) whose surveys were added or changed" in out
    assert "survey LL-2025-0007 of 2025-04-04 by Testa Sessor (LL-2025-0007.xml, xml): added" \
        in out
    assert "uses the survey (survey): recency tie-break: survey LL-2025-0007 of 2025-04-04 is " \
           "newer than EPC 9000-0000-0007-0000-0007 inspected 2018-08-15: survey wins" in out
    assert "2 file(s), 2 survey(s): 2 accepted" in err and "Traceback" not in out + err

    # what the next run's Baseline loads: the survey, which wins the tie-break, with no gaps
    from ara.domain.codes import SourceStatus
    from ara.persistence.mapping import load_properties

    with db.factory(read_only=True) as uow:
        props = {p.uprn: p for p in load_properties(uow, [db.ids[U1], db.ids[U7]])}
    for uprn, survey_id in ((U1, "LL-2025-0001"), (U7, "LL-2025-0007")):
        decision = props[uprn].source_decision()
        assert decision.status is SourceStatus.RESOLVED
        assert decision.source_path is SourcePath.SURVEY
        assert decision.effective_epc is not None
        assert decision.effective_epc.survey_id == survey_id


def test_one_xml_file_and_one_csv_file_import_alone(
        db: Db, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(XML), "--db", db.url)
    assert code == 0 and "1 file(s), 1 survey(s): 1 accepted" in err
    assert set(notes(db)) == {(U7, "LL-2025-0007")}
    code, _, _ = run(capsys, str(CSV), "--db", db.url, "--portfolio", "sample")
    assert code == 0
    assert set(notes(db)) == {(U7, "LL-2025-0007"), (U1, "LL-2025-0001")}


def test_an_xml_survey_without_a_uprn_is_matched_by_its_file_name(
        db: Db, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = xml_survey(tmp_path / "REF-00004.xml", uprn=None)
    code, out, _ = run(capsys, str(path), "--db", db.url)
    assert code == 0, out
    assert set(notes(db)) == {(U4, "REF-00004")}  # the placeholder RRN: the file name
    unknown = xml_survey(tmp_path / "REF-99999.xml", uprn=None)
    code, out, _ = run(capsys, str(unknown), "--db", db.url)
    assert code == 1
    assert "REF-99999.xml (reference REF-99999): unmatched: no home with landlord reference " \
           "'REF-99999'" in out


def test_reimporting_the_same_survey_replaces_it(
        db: Db, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    run(capsys, str(SURVEYS), "--db", db.url)
    first, stamped = notes(db), stamps(db)
    code, out, _ = run(capsys, str(SURVEYS), "--db", db.url)
    assert code == 0
    assert notes(db) == first  # no duplicates, nothing changed
    assert stamps(db) == stamped  # the same surveys again: no change, no new stamp
    assert out.count("unchanged (the same survey is stored)") == 2
    assert "whose surveys were added or changed" not in out

    # the same home and survey id, other data: replaced; the other home untouched
    changed = write_csv(tmp_path / "again.csv", [
        survey_row(U1, "LL-2025-0001", "2025-03-10", NUMBER_HABITABLE_ROOMS="5",
                   NUMBER_HEATED_ROOMS="5")])
    code, out, _ = run(capsys, str(changed), "--db", db.url)
    assert code == 0
    after = notes(db)
    assert set(after) == set(first)
    assert after[(U1, "LL-2025-0001")]["data_json"] != first[(U1, "LL-2025-0001")]["data_json"]
    assert '"habitable_room_count":5' in after[(U1, "LL-2025-0001")]["data_json"]
    assert after[(U7, "LL-2025-0007")] == first[(U7, "LL-2025-0007")]
    assert "(again.csv:2, csv): replaced" in out
    assert "1 home(s) whose surveys were added or changed" in out
    assert stamps(db)[U1] > stamped[U1] and stamps(db)[U7] == stamped[U7]

    # another survey id of the same home: kept beside the first (history)
    other = write_csv(tmp_path / "other.csv", [survey_row(U1, "LL-2025-0099", "2025-05-01")])
    run(capsys, str(other), "--db", db.url)
    assert {k for k in notes(db) if k[0] == U1} == {(U1, "LL-2025-0001"), (U1, "LL-2025-0099")}


def test_a_survey_with_gaps_is_refused_with_each_gap_named(
        db: Db, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "gaps.csv", [
        survey_row(U5, "S-5", "2025-01-02", NUMBER_HABITABLE_ROOMS="", WALLS_DESCRIPTION=""),
        survey_row(U6, "S-6", "2025-01-02", FLOOR_HEIGHT="")])
    xml_survey(folder / "gaps.xml", drop=("Habitable-Room-Count", "Water-Heating-Code"))
    code, out, err = run(capsys, str(folder), "--db", db.url)
    assert code == 1
    assert notes(db) == {} and stamps(db) == {}  # refused: nothing stored, never patched
    review = out[out.index("surveys refused (3; nothing stored for them):"):]
    assert "gaps.csv:2 (UPRN 9200000000005): gaps: 3 gap(s): habitable_room_count (CSV " \
           "NUMBER_HABITABLE_ROOMS): missing; building_parts[0].wall_construction (CSV " \
           "WALLS_DESCRIPTION): missing; building_parts[0].wall_insulation_type (CSV " \
           "WALLS_DESCRIPTION): missing" in review
    assert "gaps.csv:3 (UPRN 9200000000006): gaps: 1 gap(s): " \
           "building_parts[0].floor_dimensions[0].room_height_m (CSV FLOOR_HEIGHT): missing" \
           in review
    assert "gaps.xml (UPRN 9200000000007): gaps: 2 gap(s): habitable_room_count (XML " \
           "Habitable-Room-Count): missing; water_heating_code (XML " \
           "SAP-Heating/Water-Heating-Code): missing" in review
    assert "0 accepted, 3 gaps" in err


def test_unmatched_homes_and_unreadable_files_are_listed_and_the_rest_imported(
        db: Db, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    write_csv(folder / "a.csv", [
        survey_row(9299999999999, "S-1", "2025-01-02"),
        survey_row(U5, "S-5", "2025-13-40"),
        {**survey_row(U6, "S-6", "2025-01-02"), "uprn": "abc"},
        survey_row(U6, "", "2025-01-02"),
        survey_row(U5, "S-55", "2025-01-02", TOTAL_FLOOR_AREA="-3")])
    (folder / "broken.xml").write_text("<RdSAP-Report><unclosed></RdSAP-Report>")
    (folder / "full-sap.xml").write_bytes(
        (Path(__file__).parent / "vectors/register/SAP-Schema-19.1.0.xml").read_bytes())
    (folder / "no-key.csv").write_text("survey_id,survey_date\nX,2025-01-01\n")
    (folder / "notes.txt").write_text("ignored")
    shutil.copy(XML, folder / "good.xml")
    code, out, err = run(capsys, str(folder), "--db", db.url)
    assert code == 1
    assert set(notes(db)) == {(U7, "good")}  # the readable, matched survey (its file name)
    assert "a.csv:2 (UPRN 9299999999999): unmatched: no home with UPRN 9299999999999" in out
    assert "a.csv:3 (UPRN 9200000000005): unreadable: survey_date: '2025-13-40' is not a " \
           "valid date" in out
    assert "a.csv:4 (no key): unmatched: uprn 'abc' is not a number" in out
    assert "a.csv:5 (UPRN 9200000000006): unreadable: survey_id: empty" in out
    assert "a.csv:6 (UPRN 9200000000005): unreadable: total_floor_area_m2: -3 m2 is not a " \
           "possible floor area" in out
    assert "broken.xml (no key): unreadable: " in out
    assert "full-sap.xml (no key): unreadable: (document): not an RdSAP certificate" in out
    assert "no-key.csv (no key): unreadable: no key column" in out
    assert "notes.txt" not in out + err
    assert "Traceback" not in out + err


def test_input_that_cannot_be_read_is_refused_in_one_line(
        db: Db, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    cases: list[tuple[Path, str]] = []
    broken = tmp_path / "broken.xml"
    broken.write_text("<RdSAP-Report>")
    cases.append((broken, "not readable as an RdSAP survey"))
    no_date = tmp_path / "no-date.csv"
    no_date.write_text("uprn,survey_id\n9200000000001,X\n")
    cases.append((no_date, "no survey_date column"))
    empty = tmp_path / "empty"
    empty.mkdir()
    cases.append((empty, "no .xml or .csv file in the folder"))
    cases.append((tmp_path / "x.txt", "unsupported format '.txt'"))
    cases.append((tmp_path / "missing.csv", "no such file or folder"))
    for path, message in cases:
        code, out, err = run(capsys, str(path), "--db", db.url)
        assert code == 2 and out == "", path
        assert err.startswith("ara surveys import: error: ") and message in err, err
        assert len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, str(XML), "--db", str(tmp_path / "none.db"))
    assert code == 2 and "no database at" in err and not (tmp_path / "none.db").exists()
    code, _, err = run(capsys, str(XML), "--db", db.url, "--portfolio", "elsewhere")
    assert code == 2 and "no portfolio 'elsewhere'" in err
    code, out, err = run(capsys, str(XML), "--db",
                         "postgresql+psycopg://someone:hunter2@127.0.0.1:1/nowhere")
    assert code == 78 and out == "" and "cannot open the database" in err
    assert "hunter2" not in err and len(err.strip().splitlines()) == 1
    assert notes(db) == {}


def test_a_dry_run_writes_nothing_and_says_which_source_each_home_would_use(
        db: Db, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    older = write_csv(tmp_path / "older.csv", [
        survey_row(U5, "OLD-5", "2022-01-02"),             # EPC inspected 2023-06-15
        survey_row(U6, "TIE-6", EPC_INSPECTED[U6])])       # the same day: the survey wins
    for target in (SURVEYS, older):
        code, out, err = run(capsys, str(target), "--db", db.url, "--dry-run")
        assert code == 0 and "dry run: nothing written" in err
        assert "would add" in out and "whose surveys" not in out
    assert "would use the lodged EPC (epc_with_overlay): recency tie-break: EPC " \
           "9000-0000-0005-0000-0005 inspected 2023-06-15 is newer than survey OLD-5 of " \
           "2022-01-02: EPC wins, survey not used" in out
    assert "would use the survey (survey): recency tie-break: survey TIE-6 of 2024-07-15 is " \
           "the same day as EPC 9000-0000-0006-0000-0006 inspected 2024-07-15: survey wins" in out
    assert notes(db) == {} and stamps(db) == {}
    # over stored surveys: still nothing written
    run(capsys, str(SURVEYS), "--db", db.url)
    before, stamped = notes(db), stamps(db)
    changed = write_csv(tmp_path / "changed.csv", [
        survey_row(U1, "LL-2025-0001", "2025-03-10", NUMBER_HABITABLE_ROOMS="7")])
    code, out, _ = run(capsys, str(changed), "--db", db.url, "--dry-run")
    assert code == 0 and "(changed.csv:2, csv): would replace" in out
    assert notes(db) == before and stamps(db) == stamped


def test_a_survey_given_twice_in_one_import_is_refused(
        db: Db, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", [
        survey_row(U5, "S-5", "2025-01-02"),
        survey_row(U5, "S-5", "2025-01-03")])
    code, out, _ = run(capsys, str(path), "--db", db.url)
    assert code == 1 and notes(db) == {}
    assert "survey S-5 of home " in out and "is given 2 times (twice.csv:2, twice.csv:3)" in out


def test_a_failed_import_stores_nothing(db: Db, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from ara.persistence import repositories

    real = repositories.upsert_arrow  # the stamp's write (repositories.stamp_changes)

    def fail_on_stamps(conn: sa.Connection, table: sa.Table, data: pa.Table) -> int:
        if table.name == "survey_changes":  # after the surveys were written
            raise sa.exc.OperationalError("INSERT", {}, Exception("disk I/O error"))
        return real(conn, table, data)

    monkeypatch.setattr(repositories, "upsert_arrow", fail_on_stamps)
    code, out, err = run(capsys, str(SURVEYS), "--db", db.url)
    assert code == 78 and out == ""
    assert "the import failed and stored nothing" in err and "disk I/O error" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert notes(db) == {} and stamps(db) == {}  # the surveys' insert was rolled back


# ---- ara run uses them ---------------------------------------------------------------------

def test_ara_run_records_survey_changed_and_uses_the_survey_that_wins_the_tie_break(
        engine: sa.Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Through ``ara run`` on the bundled sample's first 12 homes and its certificates: the
    bundled surveys (newer than the EPC) and a survey on the EPC's inspection day become the
    Effective EPC; an older survey does not; the next run records ``survey_changed`` for
    every home whose survey changed, and the run after it none."""
    with (SAMPLE / "portfolio.csv").open() as fh:
        homes = list(csv.DictReader(fh))[:12]
    portfolio = write_csv(tmp_path / "homes.csv", homes)
    url = engine_url(engine)
    argv = ["run", str(portfolio), "--db", url, "--epc-source",
            f"archive:{SAMPLE / 'certificates.ndjson.gz'}", "--scenarios", "none",
            "--report", "none"]

    def ara_run() -> str:
        try:
            code = main(argv)
        finally:
            dispose_engines()
        out = capsys.readouterr().out
        assert code == 0, out
        return out

    def baselines() -> dict[int, dict[str, Any]]:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(t.properties.c.uprn, t.baseline_performance).join(
                t.baseline_performance, t.baseline_performance.c.property_id
                == t.properties.c.property_id)).mappings().all()
        return {r["uprn"]: dict(r) for r in rows}

    first = ara_run()
    assert "surveys added or changed" not in first
    before = baselines()
    assert {b["source_path"] for b in before.values()} == {"epc_with_overlay"}

    dated = write_csv(tmp_path / "dated.csv", [
        survey_row(U5, "OLD-5", "2022-01-02"),            # older than its EPC: not used
        survey_row(U6, "TIE-6", EPC_INSPECTED[U6])])      # the EPC's day: the survey wins
    for target in (SURVEYS, dated):
        try:
            code = main(["surveys", "import", str(target), "--db", url])
        finally:
            dispose_engines()
        assert code == 0, capsys.readouterr()
    capsys.readouterr()

    second = ara_run()
    assert "surveys added or changed: 4 homes re-baselined (survey_changed" in second
    after = baselines()
    for uprn, survey_id in ((U1, "LL-2025-0001"), (U7, "LL-2025-0007"), (U6, "TIE-6")):
        assert after[uprn]["source_path"] == SourcePath.SURVEY.value, uprn
        assert after[uprn]["survey_id"] == survey_id
        assert after[uprn]["changed_inputs"] == "survey_changed"
    assert after[U5]["source_path"] == SourcePath.EPC_WITH_OVERLAY.value
    assert after[U5]["certificate_number"] == "9000-0000-0005-0000-0005"
    assert after[U5]["changed_inputs"] == "survey_changed"  # stored, so changed; not used
    # the survey is what was rated: the XML survey's figures are not the lodged EPC's
    assert (after[U7]["effective_sap_score"], after[U7]["effective_band"]) != (
        before[U7]["effective_sap_score"], before[U7]["effective_band"])
    assert after[U5]["effective_sap_score"] == before[U5]["effective_sap_score"]
    # the CSV survey is a summary: rated as an estimate, as an open-data CSV row is
    assert after[U1]["estimate"] and "csv_summary_inference" in after[U1]["assumptions"]
    others = set(after) - {U1, U5, U6, U7}
    assert all(after[u]["changed_inputs"] is None for u in others)

    third = ara_run()
    assert "surveys added or changed" not in third
    assert {b["changed_inputs"] for b in baselines().values()} == {None}
    assert baselines()[U7]["source_path"] == SourcePath.SURVEY.value  # still used
