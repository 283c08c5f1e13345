"""``ara plan``, ``ara list`` and ``ara export`` on a small run (40 homes of the bundled sample
planned under the bundled scenarios, one home with no certificate, and a second portfolio
holding three of the same homes), on SQLite and PostgreSQL: what they print and write equals
the database, and every refusal is one line with exit 2 and no database left behind."""

from __future__ import annotations

import csv
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import sqlalchemy as sa
from pg_support import engine_url

from ara.cli import main
from ara.persistence import (
    UnitOfWorkFactory,
    create_engine,
    dispose_engines,
    head_revision,
    upgrade,
)
from ara.persistence import tables as t

from .support import SAMPLE, sample_homes

README = Path(__file__).resolve().parents[2] / "README.md"
NOWHERE = {"uprn": "123456", "address_line_1": "9 Nowhere Lane", "post_town": "Whitbury",
           "postcode": "WB9 9ZZ", "landlord_reference": "REF-NOSRC"}


@dataclass
class Run:
    db: str
    factory: UnitOfWorkFactory


def _url(factory: UnitOfWorkFactory) -> str:
    """What ``--db`` names for the fixture's database (PostgreSQL: its test schema)."""
    return engine_url(factory.engine)


@pytest.fixture
def run(uow_factory: UnitOfWorkFactory, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> Iterator[Run]:
    homes = sample_homes(tmp_path, 40)
    with homes.open() as fh:
        rows = list(csv.DictReader(fh))
    with homes.open("a", newline="") as fh:
        csv.DictWriter(fh, fieldnames=list(rows[0])).writerow(NOWHERE)
    other = tmp_path / "other.csv"
    with other.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows[:3])
    db = _url(uow_factory)
    for portfolio in (homes, other):
        code = main(["run", str(portfolio), "--db", db, "--scenarios", "default",
                     "--epc-source", f"archive:{SAMPLE / 'certificates.ndjson.gz'}",
                     "--uprn-data", str(SAMPLE / "uprn.parquet"), "--report", "none"])
        assert code in (0, 1)
    capsys.readouterr()
    yield Run(db, uow_factory)
    dispose_engines()  # the commands' engines, before the test schema is dropped


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def _refused(capsys: pytest.CaptureFixture[str], *argv: str, status: int = 2) -> str:
    """Exit ``status`` (2 bad input, 78 configuration) with one line on stderr naming the
    command; returns the line."""
    code, out, err = _cli(capsys, *argv)
    assert code == status and out == "", (code, out, err)
    assert err.count("\n") == 1 and err.startswith(f"ara {argv[0]}: error: "), err
    return err


def _homes(factory: UnitOfWorkFactory, portfolio: str = "homes") -> list[dict[str, Any]]:
    """Each home of the portfolio with its baseline (or None) and failures, from the tables."""
    with factory(read_only=True) as uow:
        conn = uow.connection
        props = conn.execute(sa.select(t.properties).where(
            t.properties.c.portfolio_id == portfolio)).mappings().all()
        ids = [p["property_id"] for p in props]
        base = {r["property_id"]: dict(r) for r in conn.execute(sa.select(
            t.baseline_performance).where(t.baseline_performance.c.property_id.in_(ids)))
            .mappings()}
        failures: dict[str, list[dict[str, Any]]] = {}
        for r in conn.execute(sa.select(t.stage_failures).where(
                t.stage_failures.c.property_id.in_(ids))).mappings():
            failures.setdefault(r["property_id"], []).append(dict(r))
    order = {"ingestion": 0, "prediction": 1, "baseline": 2, "modelling": 3}
    return [{**dict(p), "baseline": base.get(p["property_id"]),
             "failures": sorted(failures.get(p["property_id"], []),
                                key=lambda f: order[f["stage"]])}
            for p in sorted(props, key=lambda p: p["property_id"])]


def _trust(home: dict[str, Any]) -> str | None:
    b = home["baseline"]
    if b is None:
        return "refused" if any(f["stage"] == "baseline" for f in home["failures"]) else None
    if b["source_path"] == "predicted":
        return "estimated (predicted)"
    if b["rebaseline_reason"] == "none":
        return "lodged kept"
    return "re-modelled with estimates" if b["estimate"] else "re-modelled"


def _status(home: dict[str, Any]) -> str:
    trust = _trust(home)
    if trust == "refused":
        return "refused"
    if home["failures"]:
        return "failed"
    return {"re-modelled with estimates": "estimate", "estimated (predicted)": "estimate",
            None: "pending"}.get(trust, "ok")


def _head(message: str) -> str:
    head = message.split(";")[0].strip()
    return head if len(head) <= 100 else head[:97] + "..."


def _address(home: dict[str, Any]) -> str:
    return ", ".join(home[k] for k in ("address_line_1", "address_line_2", "address_line_3",
                                       "post_town", "postcode") if home[k])


# ---- ara plan ------------------------------------------------------------------------------

def test_plan_by_id_uprn_or_reference_prints_the_same(
        run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    homes = _homes(run.factory)
    shared = {h["uprn"] for h in _homes(run.factory, "other")}
    with run.factory(read_only=True) as uow:
        planned = set(uow.connection.execute(sa.select(t.plan_measures.c.property_id))
                      .scalars())
    home = next(h for h in homes if h["property_id"] in planned and h["uprn"] not in shared)
    pid, uprn, ref = home["property_id"], str(home["uprn"]), home["landlord_reference"]
    code, by_id, _ = _cli(capsys, "plan", pid, "--db", run.db)
    assert code == 0
    assert by_id.startswith(f"property {pid} (portfolio homes, UPRN {uprn}, reference {ref}): "
                            f"{_address(home)}\n")
    assert "baseline: SAP" in by_id and "scenario epc_c_by_2030" in by_id
    for argv in ([uprn], [ref], [uprn, "--portfolio", "homes"], [ref, "--portfolio", "homes"],
                 [pid, "--portfolio", "homes"]):
        assert _cli(capsys, "plan", *argv, "--db", run.db) == (0, by_id, ""), argv

    # a home in both portfolios: its UPRN and reference name two properties
    twice = next(h for h in homes if h["uprn"] in shared)
    other = next(h for h in _homes(run.factory, "other") if h["uprn"] == twice["uprn"])
    for key in (str(twice["uprn"]), twice["landlord_reference"]):
        code, out, err = _cli(capsys, "plan", key, "--db", run.db)
        assert code == 2 and out == ""
        lines = err.splitlines()
        assert lines[0] == (f"ara plan: error: {key!r} matches 2 properties of 2 portfolios "
                            "(homes, other): narrow with --portfolio ID or give the property "
                            "id:")
        assert [line.split()[0] for line in lines[1:]] == sorted(
            [twice["property_id"], other["property_id"]],
            key=lambda p: "homes" if p == twice["property_id"] else "other")
        assert "(portfolio other, UPRN" in lines[2] and _address(other) in lines[2]
        for portfolio, expected in (("homes", twice), ("other", other)):
            code, out, _ = _cli(capsys, "plan", key, "--db", run.db, "--portfolio", portfolio)
            assert code == 0 and out.startswith(f"property {expected['property_id']} "
                                                f"(portfolio {portfolio}, ")

    # the refused home prints its failures
    code, out, _ = _cli(capsys, "plan", "REF-NOSRC", "--db", run.db)
    assert code == 0 and "not planned (baseline): no survey, no lodged EPC" in out
    assert "baseline: SAP" not in out

    line = _refused(capsys, "plan", "REF-NONE", "--db", run.db)
    assert "no property with id, UPRN or landlord reference 'REF-NONE'" in line
    line = _refused(capsys, "plan", ref, "--db", run.db, "--portfolio", "other")
    assert f"{ref!r} in portfolio other" in line
    line = _refused(capsys, "plan", ref, "--db", run.db, "--portfolio", "nope")
    assert "no portfolio 'nope' in the database (it holds: homes, other)" in line


# ---- ara list ------------------------------------------------------------------------------

def test_list_lines_equal_the_database(run: Run, capsys: pytest.CaptureFixture[str]) -> None:
    line = _refused(capsys, "list", "--db", run.db)
    assert "holds 2 portfolios (homes, other): choose one with --portfolio ID" in line
    _refused(capsys, "list", "--db", run.db, "--portfolio", "nope")

    homes = _homes(run.factory)
    assert len(homes) == 41
    code, out, err = _cli(capsys, "list", "--db", run.db, "--portfolio", "homes", "--json")
    assert code == 0 and err == "ara list: 41 homes of portfolio homes\n"
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["property_id"] for r in records] == [h["property_id"] for h in homes]
    for r, h in zip(records, homes, strict=True):
        b = h["baseline"] or {}
        assert r == {
            "property_id": h["property_id"], "portfolio_id": "homes", "uprn": h["uprn"],
            "landlord_reference": h["landlord_reference"], "address": _address(h),
            "lodged_band": b.get("lodged_band"), "effective_band": b.get("effective_band"),
            "trust": _trust(h), "status": _status(h),
            "failed_stage": h["failures"][0]["stage"] if h["failures"] else None,
            "reason": _head(h["failures"][0]["message"]) if h["failures"] else None,
            "failures": [{k: f[k] for k in ("stage", "error_type", "message")}
                         for f in h["failures"]]}
    statuses = {r["status"] for r in records}
    assert {"ok", "estimate", "refused"} <= statuses
    trusts = {r["trust"] for r in records}
    assert trusts == {"lodged kept", "re-modelled", "re-modelled with estimates", "refused"}

    # the text lines: a header, then one line per home with the same cells
    code, out, _ = _cli(capsys, "list", "--db", run.db, "--portfolio", "homes")
    assert code == 0
    header, *lines = out.splitlines()
    assert header.split() == ["property", "uprn", "reference", "address", "lodged",
                              "effective", "trust", "status", "detail"]
    assert len(lines) == len(homes)
    for text, h in zip(lines, homes, strict=True):
        b = h["baseline"] or {}
        cells = [h["property_id"], str(h["uprn"]), h["landlord_reference"], _address(h),
                 b.get("lodged_band") or "-", b.get("effective_band") or "-",
                 _trust(h) or "-", _status(h)]
        if h["failures"]:
            first = h["failures"][0]
            cells.append(f"failed at {first['stage']} ({first['error_type']}): "
                         f"{_head(first['message'])}")
        else:
            cells.append("baselined")
        assert re.fullmatch(r"\s+".join(map(re.escape, cells)) + r".*", text), text
    refused = next(line for line in lines if "REF-NOSRC" in line)
    # the Prediction stage's failure first: it says what to state for a prediction
    assert "failed at prediction (needs_property_type)" in refused
    assert refused.endswith("; also failed at baseline, modelling")

    # --status: each home under its own status, and under no other
    seen: list[str] = []
    for status in ("ok", "estimate", "refused", "failed", "pending"):
        code, out, _ = _cli(capsys, "list", "--db", run.db, "--portfolio", "homes",
                            "--status", status, "--json")
        ids = [json.loads(line)["property_id"] for line in out.splitlines()]
        assert ids == [h["property_id"] for h in homes if _status(h) == status], status
        seen += ids
    assert sorted(seen) == [h["property_id"] for h in homes]
    code, out, _ = _cli(capsys, "list", "--db", run.db, "--portfolio", "other", "--json")
    assert [json.loads(line)["property_id"] for line in out.splitlines()] == [
        h["property_id"] for h in _homes(run.factory, "other")]


# ---- ara export ----------------------------------------------------------------------------

def _documented_columns(heading: str) -> list[str]:
    """The column names of the README table under ``heading``."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index(heading):]
    section = section[:section.index("\n#", 1)]
    names: list[str] = []
    for row in section.splitlines():
        if row.startswith("| `"):
            names += re.findall(r"`([^`]+)`", row.split("|")[1])
    return names


def _read_back(path: Path, schema: pa.Schema) -> pa.Table:
    suffix = path.suffix
    if suffix == ".parquet":
        return pq.read_table(path)
    if suffix == ".csv":
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
            column_types=schema, strings_can_be_null=True, quoted_strings_can_be_null=False))
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    assert book.sheetnames == [path.stem]
    header, *rows = book[path.stem].values
    assert list(header) == schema.names
    width = len(schema)
    return pa.Table.from_pylist(
        [dict(zip(schema.names, [*row, *[None] * (width - len(row))], strict=True))
         for row in rows], schema=schema)


def _same(a: pa.Table, b: pa.Table, *, excel: bool) -> None:
    """Equal tables; Excel keeps 15 significant digits and no empty text."""
    assert a.column_names == b.column_names
    if not excel:
        assert a.equals(b)
        return
    for x, y in zip(a.to_pylist(), b.to_pylist(), strict=True):
        for k, v in x.items():
            w = y[k]
            if isinstance(v, float) and w is not None:
                assert math.isclose(v, w, rel_tol=1e-14), (k, v, w)
            else:
                assert (None if v == "" else v) == w, (k, v, w)


def test_export_homes_and_plans_equal_the_tables_in_every_format(
        run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    homes = _homes(run.factory)
    _refused(capsys, "export", "--db", run.db, "-o", str(tmp_path / "h.parquet"))  # 2 portfolios
    _refused(capsys, "export", "--db", run.db, "--portfolio", "nope", "-o",
             str(tmp_path / "h.parquet"))
    assert not (tmp_path / "h.parquet").exists()

    out = tmp_path / "homes.parquet"
    code, _, err = _cli(capsys, "export", "--db", run.db, "--portfolio", "homes", "-o", str(out))
    assert code == 0 and err.startswith("ara export: 41 homes of portfolio homes")
    table = pq.read_table(out)
    with run.factory(read_only=True) as uow:
        conn = uow.connection
        plans = [dict(r) for r in conn.execute(sa.select(t.plans)).mappings()]
        phases = [dict(r) for r in conn.execute(sa.select(t.plan_phases)).mappings()]
        measures = [dict(r) for r in conn.execute(sa.select(t.plan_measures).order_by(
            *t.plan_measures.primary_key.columns)).mappings()]
    scenarios = sorted({p["scenario_id"] for p in plans})
    assert scenarios == ["epc_c_by_2030", "fabric_first_then_heat_pump"]

    # the documented columns, in order, the scenarios' figures once per scenario
    documented = _documented_columns("#### `ara export --what homes`")
    at = documented.index("<scenario>__cost_gbp")
    figures = [c for c in documented if c.startswith("<scenario>__")]
    expected = [*documented[:at],
                *(c.replace("<scenario>", s) for s in scenarios for c in figures),
                *documented[at + len(figures):]]
    assert table.column_names == expected

    # one row per property, values equal the tables
    rows = table.to_pylist()
    assert [r["property_id"] for r in rows] == [h["property_id"] for h in homes]
    identity = [c.name for c in t.properties.columns]
    baseline = [c for c in table.column_names
                if c in t.baseline_performance.c and c != "property_id"]
    for r, h in zip(rows, homes, strict=True):
        assert {k: r[k] for k in identity} == {k: h[k] for k in identity}
        b = h["baseline"]
        assert {k: r[k] for k in baseline} == (
            {k: b[k] for k in baseline} if b else dict.fromkeys(baseline))
        assert r["trust"] == _trust(h) and r["status"] == _status(h)
        for stage in ("ingestion", "prediction", "baseline", "modelling"):
            f = [x for x in h["failures"] if x["stage"] == stage]
            assert r[f"{stage}_failure"] == (f"{f[0]['error_type']}: {f[0]['message']}"
                                             if f else None)
        for sid in scenarios:
            plan = next((p for p in plans if p["property_id"] == h["property_id"]
                         and p["scenario_id"] == sid), None)
            mine = {k.split("__", 1)[1]: v for k, v in r.items() if k.startswith(sid + "__")}
            if plan is None:
                assert set(mine.values()) == {None}
                continue
            last = max((p for p in phases if p["property_id"] == h["property_id"]
                        and p["scenario_id"] == sid), key=lambda p: p["phase_number"])
            assert mine == {
                "cost_gbp": plan["total_cost_gbp"],
                "sap_score_before": plan["sap_score_before"],
                "band_before": plan["band_before"], "sap_score_after": plan["final_sap_score"],
                "band_after": plan["final_band"], "bill_before_gbp": plan["bill_before_gbp"],
                "bill_after_gbp": plan["bill_after_gbp"],
                "reached_goal": bool(last["reached_goal"]),
                "measures": sum(1 for m in measures if m["property_id"] == h["property_id"]
                                and m["scenario_id"] == sid)}
    refused = next(r for r in rows if r["landlord_reference"] == "REF-NOSRC")
    assert refused["trust"] == "refused" and refused["baseline_failure"].startswith(
        "no_source: ") and refused["epc_c_by_2030__cost_gbp"] is None
    assert any(r["estimate"] and r["assumptions"] for r in rows)

    # one row per planned measure, equal to plan_measures
    out_plans = tmp_path / "plans.parquet"
    code, _, err = _cli(capsys, "export", "--db", run.db, "--portfolio", "homes", "--what",
                        "plans", "-o", str(out_plans))
    assert code == 0
    plan_rows = pq.read_table(out_plans)
    assert plan_rows.column_names == _documented_columns("#### `ara export --what plans`")
    ids = {h["property_id"]: h for h in homes}
    mine_measures = [m for m in measures if m["property_id"] in ids]
    assert 0 < len(mine_measures) < len(measures)  # the other portfolio's are not exported
    columns = [c.name for c in t.plan_measures.columns]
    assert [{k: r[k] for k in columns} for r in plan_rows.to_pylist()] == mine_measures
    assert [(r["uprn"], r["landlord_reference"]) for r in plan_rows.to_pylist()] == [
        (ids[m["property_id"]]["uprn"], ids[m["property_id"]]["landlord_reference"])
        for m in mine_measures]

    # every format written and read back
    for what, reference in (("homes", table), ("plans", plan_rows)):
        for suffix in (".csv", ".xlsx", ".parquet"):
            path = tmp_path / f"{what}{suffix}"
            code, _, _ = _cli(capsys, "export", "--db", run.db, "--portfolio", "homes",
                              "--what", what, "-o", str(path))
            assert code == 0, (what, suffix)
            _same(reference, _read_back(path, reference.schema), excel=suffix == ".xlsx")


# ---- refusals without a database -----------------------------------------------------------

def test_reading_commands_refuse_in_one_line_and_create_no_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    missing = tmp_path / "missing.db"
    for argv in (["plan", "REF-1"], ["list"], ["export", "-o", str(tmp_path / "h.csv")]):
        line = _refused(capsys, *argv, "--db", str(missing))
        assert f"no database at {missing}" in line
    assert not missing.exists() and not (tmp_path / "h.csv").exists()

    empty = tmp_path / "empty.db"
    empty.touch()
    assert "holds no Ara schema" in _refused(capsys, "list", "--db", str(empty))
    older = tmp_path / "older.db"  # a database of an earlier Ara: at an earlier revision
    engine = create_engine(str(older))
    upgrade(engine, "0003")
    engine.dispose()
    line = _refused(capsys, "export", "-o", str(tmp_path / "h.csv"), "--db", str(older),
                    status=78)
    assert f"{older} is at schema revision 0003, this Ara reads {head_revision()}" in line

    unreachable = "postgresql+psycopg://someone:secret@127.0.0.1:1/nothing"
    line = _refused(capsys, "list", "--db", unreachable, status=78)
    assert "cannot open the database" in line and "secret" not in line

    # the format is checked before the database is opened
    for name in ("homes.json", "homes", "homes.xls"):
        line = _refused(capsys, "export", "-o", str(tmp_path / name), "--db", str(missing))
        assert "unsupported format" in line and ".parquet, .csv, .xlsx" in line
    line = _refused(capsys, "export", "-o", str(tmp_path / "no" / "h.csv"), "--db",
                    str(missing))
    assert "does not exist" in line

    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "openpyxl" else real(name, *a))
    line = _refused(capsys, "export", "-o", str(tmp_path / "h.xlsx"), "--db", str(missing),
                    status=78)
    assert ".xlsx needs openpyxl" in line and ".parquet and .csv work" in line
    dispose_engines()  # SQLite's WAL files of the empty one go with its last connection
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.db", "older.db"]


def test_the_list_command_offers_exactly_the_read_models_statuses() -> None:
    from ara import cli_results, read_models

    assert cli_results.STATUSES == read_models.STATUSES
