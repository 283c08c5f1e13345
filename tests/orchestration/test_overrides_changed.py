"""``ara run`` knows which homes' Landlord Overrides changed (issue 20), on SQLite and
PostgreSQL: ``ara overrides import`` stamps the homes whose overrides it changed
(``landlord_override_changes``, in the import's transaction), and the next Baseline records
``landlord_overrides_changed`` for them (``baseline_performance.changed_inputs``) beside the
rebaseline reason, and the First Run counts them; a run with nothing new records none, and a
re-import of the same statements changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from pg_support import engine_url

from ara.cli import main
from ara.domain.bills import FuelRates
from ara.domain.rebaseline import LANDLORD_OVERRIDES_CHANGED
from ara.ingestion.epc_fetchers import BulkArchiveFetcher
from ara.orchestration.baseline import BaselineOrchestrator
from ara.orchestration.first_run import FirstRun, RunSummary, read_portfolio
from ara.orchestration.ingestion import IngestionOrchestrator
from ara.persistence import UnitOfWorkFactory, dispose_engines
from ara.persistence import tables as t

from .support import SAMPLE, sample_homes

HOMES = 12
EXAMPLE = SAMPLE / "overrides.csv"
#: The homes among the first 12 of the sample that the example file gives a classified
#: statement (by UPRN's last digits): 2 walls, 3 wall insulation and form, 4 loft, 10 property
#: and roof, 11 form. 5, 6 and 7 are vague only, 8 unknown only: no change.
CHANGED = {2, 3, 4, 10, 11}


def _import(capsys: pytest.CaptureFixture[str], path: Path, url: str) -> str:
    try:
        main(["overrides", "import", str(path), "--db", url])
    finally:
        dispose_engines()  # the command's engine, before the test's schema is dropped
    return capsys.readouterr().out


def test_a_run_records_the_homes_whose_overrides_changed(
        uow_factory: UnitOfWorkFactory, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    props = read_portfolio(sample_homes(tmp_path, HOMES), "sample")
    ids = props.column("property_id").to_pylist()
    by_uprn = {u % 100: pid for u, pid in zip(props.column("uprn").to_pylist(), ids,
                                               strict=True)}
    factory = uow_factory
    run = FirstRun(factory, IngestionOrchestrator(factory, BulkArchiveFetcher(
        SAMPLE / "certificates.ndjson.gz"), None), BaselineOrchestrator(factory, FuelRates.load()))
    run.create_properties("sample", "homes.csv", props)

    def baselines() -> dict[str, tuple[str | None, str]]:
        b = t.baseline_performance.c
        with factory(read_only=True) as uow:
            return {r.property_id: (r.changed_inputs, r.rebaseline_reason)
                    for r in uow.connection.execute(sa.select(
                        b.property_id, b.changed_inputs, b.rebaseline_reason))}

    def again() -> RunSummary:
        summary = run.run(ids, batch_size=5)  # three batches: the count is summed
        assert summary.baseline_failures == 0 and not summary.failed_batches
        return summary

    first = again()
    assert first.overrides_changed == 0
    assert {c for c, _ in baselines().values()} == {None}

    url = engine_url(factory.engine)
    out = _import(capsys, EXAMPLE, url)
    assert f"{len(CHANGED)} home(s) whose overrides changed" in out
    with factory(read_only=True) as uow:
        stamped = set(uow.connection.execute(sa.select(
            t.landlord_override_changes.c.property_id)).scalars())
    assert stamped == {by_uprn[n] for n in CHANGED}

    second = again()
    assert second.overrides_changed == len(CHANGED)
    # the summary `ara run` prints says so; and nothing when none changed
    from ara.cli_run import _summary
    assert f"landlord overrides changed: {len(CHANGED)} homes" in _summary(
        factory, "sample", second)
    assert "landlord overrides changed" not in _summary(factory, "sample", first)
    stored = baselines()
    for n, pid in by_uprn.items():
        changed, reason = stored[pid]
        if n in CHANGED:
            assert changed == LANDLORD_OVERRIDES_CHANGED
            # the rebaseline reason stays what it was: the overlay changes the physical state
            assert reason in ("physical_state_changed", "both")
        else:
            assert changed is None

    # nothing new: no such reason, none counted
    third = again()
    assert third.overrides_changed == 0
    assert {c for c, _ in baselines().values()} == {None}

    # the same statements again (another file, the same codes): no change either
    copy = tmp_path / "again.csv"
    copy.write_text(EXAMPLE.read_text())
    out = _import(capsys, copy, url)
    assert "whose overrides changed" not in out
    assert again().overrides_changed == 0

    # one home's statement changed: that home only
    one = tmp_path / "one.csv"
    one.write_text("uprn,attribute,value\n9200000000004,loft,100 mm\n")
    out = _import(capsys, one, url)
    assert "1 home(s) whose overrides changed" in out
    assert again().overrides_changed == 1
    assert {pid for pid, (c, _) in baselines().items() if c} == {by_uprn[4]}
