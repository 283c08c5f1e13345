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
