"""``ara run`` as a user runs it, in separate processes, on SQLite and on PostgreSQL (issue 15):
killed (SIGKILL) at each stage boundary and run again, and two runs of one portfolio at once.
Either way the database ends exactly as after one clean run: the same rows in every table, the
same values (timestamps aside), nothing duplicated, no stale failure.

The portfolio is the first homes of the bundled sample (its archive of certificates and UPRN
data), so a run takes seconds; the stage boundaries are observed from the database itself
(properties created, certificates ingested, baselines written, plans written) and the process
is killed as soon as one is crossed."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from pg_support import schema_urls, snapshot
from sample_support import first_homes, run_command

from ara.persistence import create_engine
from ara.persistence import tables as t

HOMES = 300
#: (name, table whose first row marks that the stage has begun writing)
BOUNDARIES = (("properties created", t.properties), ("certificates ingested",
                                                      t.epc_certificates),
              ("baselines written", t.baseline_performance), ("plans written", t.plans))


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return first_homes(tmp_path_factory.mktemp("kills"), HOMES)


@pytest.fixture(params=["sqlite", "postgresql"])
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A factory of fresh database URLs (a SQLite file, or a fresh PostgreSQL schema named in
    the URL's search_path), all removed afterwards."""
    if request.param == "sqlite":
        def sqlite() -> str:
            return str(tmp_path / f"ara-{len(list(tmp_path.iterdir()))}.db")
        yield sqlite
        return
    with schema_urls("ara_kill") as fresh:
        yield fresh


def _start(portfolio: Path, db: str) -> subprocess.Popen[str]:
    return subprocess.Popen(run_command(portfolio, db), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen[str]) -> None:
    out, err = process.communicate(timeout=600)
    assert process.returncode in (0, 1), err  # 1: some homes failed, as the summary says
    assert "Traceback" not in err


def _engine(db: str) -> sa.Engine:
    return create_engine(db)


def _has_rows(db: str, table: sa.Table) -> bool:
    engine = _engine(db)
    try:
        with engine.connect() as conn:
            return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() > 0
    except sa.exc.SQLAlchemyError:  # the schema is not there yet, or the file is locked
        return False
    finally:
        engine.dispose()


def test_killed_at_each_stage_boundary_then_run_again_ends_as_one_clean_run(
        portfolio: Path, databases: Any) -> None:
    clean = databases()
    _finish(_start(portfolio, clean))
    expected = snapshot(clean)
    assert len(expected["properties"]) == HOMES and expected["plans"]
    killed = 0
    for name, table in BOUNDARIES:
        db = databases()
        process = _start(portfolio, db)
        deadline = time.monotonic() + 300
        while process.poll() is None and not _has_rows(db, table):
            assert time.monotonic() < deadline, f"{name}: never reached"
            time.sleep(0.02)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            process.wait()
            killed += 1
        process.communicate()
        _finish(_start(portfolio, db))
        assert snapshot(db) == expected, f"killed when {name}, then run again"
    assert killed >= 3, f"only {killed} of {len(BOUNDARIES)} runs were still going when killed"


def test_two_runs_of_one_portfolio_at_once_end_as_one_clean_run(
        portfolio: Path, databases: Any) -> None:
    clean = databases()
    _finish(_start(portfolio, clean))
    db = databases()
    first, second = _start(portfolio, db), _start(portfolio, db)
    _finish(first)
    _finish(second)
    assert snapshot(db) == snapshot(clean)
