"""Where a value came from (issue 20), on SQLite and PostgreSQL: after ``ara overrides import``
and a run, ``ara plan`` and the HTML report show, for a home with overrides, each field that
came from the landlord (its value, the landlord's words, the file and row) beside the lodged
certificate's value, and say that the home was re-baselined because its overrides changed;
a home without overrides shows none of it."""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from pg_support import engine_url

from ara.cli import main
from ara.domain.bills import FuelRates
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory, dispose_engines
from ara.report import write_report

from .support import SAMPLE, sample_homes
from .test_overrides_changed import EXAMPLE, _import

#: In overlay order (type, form, walls, roof), not the file's.
U3_FIELDS = (
    'built_form: end terrace (3) from the landlord ("end-terrace", overrides.csv:3); '
    'lodged mid terrace (4)',
    'wall_insulation: filled cavity (2) from the landlord ("cavity wall insulated 2019", '
    'overrides.csv:2); lodged as built (4)',
)
U10_FIELDS = (
    'roof_insulation: 300mm from the landlord ("300mm", overrides.csv:6); lodged ',
    'property_type: house (0) from the landlord ("mid terrace house", overrides.csv:5); '
    'lodged ',
)


def _plan(capsys: pytest.CaptureFixture[str], ref: str, url: str) -> str:
    try:
        assert main(["plan", ref, "--db", url]) == 0
    finally:
        dispose_engines()
    return capsys.readouterr().out


def test_plan_and_report_show_the_fields_that_came_from_the_landlord(
        uow_factory: UnitOfWorkFactory, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    factory = uow_factory
    props = read_portfolio(sample_homes(tmp_path, 12), "sample")
    ids = props.column("property_id").to_pylist()
    run = FirstRun(factory, IngestionOrchestrator(factory, BulkArchiveFetcher(
        SAMPLE / "certificates.ndjson.gz"), None), BaselineOrchestrator(factory, FuelRates.load()))
    run.create_properties("sample", "homes.csv", props)
    run.run(ids, batch_size=12)
    url = engine_url(factory.engine)
    _import(capsys, EXAMPLE, url)

    # before the next run: the fields are stored, not yet baselined
    out = _plan(capsys, "9200000000003", url)
    assert "  from the landlord (stored overrides, laid over the lodged EPC):" in out
    for line in U3_FIELDS:
        assert f"    {line}\n" in out + "\n"
    assert "changed since the previous baseline" not in out

    assert run.run(ids, batch_size=12).overrides_changed == 5
    out = _plan(capsys, "9200000000003", url)
    lines = out.splitlines()
    base = next(i for i, line in enumerate(lines) if line.startswith("  baseline: "))
    assert "changed since the previous baseline: the landlord's overrides " \
           "(landlord_overrides_changed)" in out
    head = lines.index("  from the landlord (stored overrides, laid over the lodged EPC):")
    assert head > base
    assert lines[head + 1:head + 3] == [f"    {line}" for line in U3_FIELDS]
    out10 = _plan(capsys, "REF-00010", url)
    for start in U10_FIELDS:
        assert f"    {start}" in out10
    untouched = _plan(capsys, "9200000000001", url)
    assert "from the landlord" not in untouched and "changed since" not in untouched

    page = write_report(factory, "sample", tmp_path / "report.html").read_text("utf-8")
    assert ("<th>from the landlord (beside the lodged value)</th>" in page)
    assert html.escape(" | ".join(U3_FIELDS)) in page
    assert "Landlord overrides: 5 homes have 9 fields stated by their landlord" in page
    assert "5 homes were re-baselined after their overrides changed " \
           "(landlord_overrides_changed)" in page
    # the other homes' cell: a dash; the landlord column is the last, SAP stays the fourth
    row = page[page.index(f"<tr><td>{props.column('property_id')[1]}</td>"):]
    cells = row[:row.index("</tr>")].split("</td><td>")
    assert len(cells) == 7 and cells[-1] == "-</td>"

    # the next run, nothing new: no longer reported as changed
    assert run.run(ids, batch_size=12).overrides_changed == 0
    assert "changed since the previous baseline" not in _plan(capsys, "9200000000003", url)
    page = write_report(factory, "sample", tmp_path / "report.html").read_text("utf-8")
    assert "0 homes were re-baselined after their overrides changed" in page
