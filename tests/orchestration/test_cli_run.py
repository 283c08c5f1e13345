"""``ara run`` on the bundled sample: it completes and its summary matches the database."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from ara.cli import main
from ara.persistence import UnitOfWorkFactory, create_engine
from ara.persistence import tables as t


def test_ara_run_on_the_bundled_sample_matches_the_database(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "ara.db"
    code = main(["run", "--db", str(db), "--batch-size", "1000"])
    out = capsys.readouterr().out
    assert code in (0, 1)  # 1: some homes failed, and the summary says why
    m = re.search(r"(\d+) properties, (\d+) certificates, (\d+) baselined, (\d+) failures", out)
    assert m, out
    properties, certificates, baselined, failures = map(int, m.groups())
    engine = create_engine(str(db))
    factory = UnitOfWorkFactory(engine)
    with factory(read_only=True) as uow:
        conn = uow.connection

        def count(table: sa.Table) -> int:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()

        assert (count(t.properties), count(t.epc_certificates), count(t.baseline_performance),
                count(t.stage_failures)) == (properties, certificates, baselined, failures)
        bands = dict(conn.execute(sa.select(t.baseline_performance.c.effective_band,
                                            sa.func.count()).group_by(
            t.baseline_performance.c.effective_band)).all())
    engine.dispose()
    effective = re.search(r"^effective\s+(.*)$", out, re.M)
    assert effective
    assert [int(x) for x in effective.group(1).split()][:7] == \
        [bands.get(b, 0) for b in "ABCDEFG"]
    assert properties == 2000 and baselined > 1500
    assert code == (1 if failures else 0)


def test_ara_run_with_scenarios_plans_every_baselined_home_and_ara_plan_prints_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import csv

    from ara.cli import bundled

    sample = bundled("sample_portfolio")
    with (sample / "portfolio.csv").open() as fh:
        rows = list(csv.DictReader(fh))[:40]
    homes = tmp_path / "homes.csv"
    with homes.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    db = tmp_path / "plans.db"
    argv = ["run", str(homes), "--db", str(db), "--scenarios", "default",
            "--epc-source", f"archive:{sample / 'certificates.ndjson.gz'}",
            "--uprn-data", str(sample / "uprn.parquet")]
    counts = []
    for _ in range(2):  # a re-run replaces plans, never duplicates them
        main(argv)
        engine = create_engine(str(db))
        with UnitOfWorkFactory(engine)(read_only=True) as uow:
            conn = uow.connection
            counts.append(tuple(conn.execute(sa.select(sa.func.count()).select_from(table))
                                .scalar_one()
                                for table in (t.baseline_performance, t.plans,
                                              t.plan_measures)))
            planned = conn.execute(sa.select(t.plans.c.property_id)).scalars().first()
        engine.dispose()
    assert counts[0] == counts[1]
    baselined, plans, measures = counts[0]
    assert plans == 2 * baselined and measures > 0  # two bundled scenarios
    capsys.readouterr()
    assert main(["plan", planned, "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "baseline: SAP" in out and "scenario epc_c_by_2030" in out and "phase 1" in out
