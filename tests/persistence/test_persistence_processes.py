"""Separate processes against the same database: two concurrent writers of one portfolio,
and a writer killed (SIGKILL) in the middle of a unit."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from .persistence_support import REPO, Database
from .writer_process import seed

WRITER = Path(__file__).with_name("writer_process.py")
TIMEOUT_S = 120


def _spawn(db: Database, *args: object) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(REPO / "src"), os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, str(WRITER), args[0], db.url, db.schema or "-",
                             *map(str, args[1:])], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def _finish(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    try:
        _, err = process.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise AssertionError(f"a writer still hung after {TIMEOUT_S} s: deadlocked?") from None
    return process.returncode, err.decode(errors="replace")


def _rows(db: Database, sql: str) -> list[tuple[object, ...]]:
    with db.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_two_concurrent_writers_leave_one_consistent_result(db: Database,
                                                            tmp_path: Path) -> None:
    n, rounds = 2000, 4
    with db.uow() as uow:
        seed(uow)
    go = tmp_path / "go"
    writers = [_spawn(db, "concurrent", tag, n, rounds, go) for tag in ("A", "B")]
    time.sleep(1.0)  # both processes are up and polling
    go.write_text("go")
    results = [_finish(w) for w in writers]
    assert [code for code, _ in results] == [0, 0], results
    assert db.count("properties") == n and db.count("epc_certificates") == n
    assert db.count("plans") == n and db.count("plan_phases") == n
    # one writer's complete state everywhere, no mix: A writes 2 measures per plan, B 3
    tags = _rows(db, "SELECT DISTINCT landlord_reference FROM properties")
    assert len(tags) == 1
    winner = tags[0][0]
    per_plan = 2 if winner == "A" else 3
    assert db.count("plan_measures") == n * per_plan
    assert _rows(db, "SELECT DISTINCT measure_type FROM plan_measures") == [(winner,)]
    assert _rows(db, "SELECT DISTINCT band_after FROM plan_phases") == [(winner,)]
    assert _rows(db, "SELECT DISTINCT data_json FROM epc_certificates") \
        == [(f'{{"tag": "{winner}"}}',)]


def test_a_writer_killed_mid_unit_loses_nothing_committed_and_leaves_nothing_half_written(
        db: Database, tmp_path: Path) -> None:
    n = 1000
    marker = tmp_path / "b-in-progress"
    writer = _spawn(db, "crash", n, marker)
    deadline = time.monotonic() + TIMEOUT_S
    while not marker.exists():
        assert writer.poll() is None, _finish(writer)
        assert time.monotonic() < deadline, "unit B never started"
        time.sleep(0.01)
    writer.send_signal(signal.SIGKILL)
    code, _ = _finish(writer)
    assert code == -signal.SIGKILL
    # unit A, all of it; unit B, none of it
    assert _rows(db, "SELECT landlord_reference, count(*) FROM properties "
                     "GROUP BY landlord_reference") == [("A", n)]
    assert db.count("epc_certificates") == n and db.count("plans") == n
    assert db.count("plan_measures") == 2 * n
    assert _rows(db, "SELECT DISTINCT measure_type FROM plan_measures") == [("A",)]
    # and the database takes the next writer at once
    with db.uow() as uow:
        uow.properties.delete([f"P{i:06d}" for i in range(n)])
    assert db.count("properties") == 0 and db.count("plan_measures") == 0
