"""Issue 15 ("Shown by: a fuzz test in CI"): seeded mutants of register RdSAP / SAP XML,
register JSON, open-data CSV rows and calculator input rows go through the real entry points
(``ara rate``, ``ara expand``, ``ara calc --lenient`` and ``calculate(strict=False)``).

For every mutant: the command returns an exit status of its documented set and never raises
(``ARA_DEBUG=1`` lets an unexpected exception escape so Hypothesis reports it; no traceback on
stderr); every failure is reported against the file (and is one of Ara's own refusals, not a
stray ``KeyError``); every rating produced is an integer in the physically possible range and
every numeric output is finite; each case finishes within a time limit, and the process stays
within a memory bound. The mutants are derived from fixed seeds (``derandomize=True``): the
same cases run on every CI run."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
import resource
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest
from dwellings import semi_detached
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from ara.cli import main
from ara.sap import SAP_INPUT_SCHEMA, SapInputError, calculate

VECTORS = Path(__file__).resolve().parent / "vectors"
REGISTER = VECTORS / "register"
RDSAP_XML = sorted(REGISTER.glob("RdSAP-*.xml"))
SAP_XML = sorted(REGISTER.glob("SAP-*.xml"))
REGISTER_JSON = sorted(REGISTER.glob("*.json"))
OPEN_DATA_CSV = VECTORS / "epb-data-warehouse" / "export_csv" / "domestic.csv"

#: seconds one case may take (reading, expanding and rating one small document)
CASE_SECONDS = 10
#: the bound on the test process's peak resident memory
MAX_RSS_BYTES = 3 * 1024**3
#: the physically possible range of an integer SAP or EI rating (SAP 10.2 section 13: at
#: least 1; above 100 only for a net exporter, never by hundreds)
RATING_RANGE = (1, 200)

FUZZ = settings(derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

#: the exception classes whose message Ara reports for a file it refuses or cannot read;
#: any other type named in an error (a KeyError, a TypeError...) is a crash in disguise
REFUSALS = {"CertificateReadError", "UnsafeDocumentError", "SapXmlError", "SapJsonError",
            "SapInputError", "ValueProblem", "PcdbError", "ServicesTableError",
            "OverlayError", "UnicodeDecodeError"}
_TYPE_PREFIX = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*(?:Error|Exception|Problem)): ")

# -- hostile values ------------------------------------------------------------------------

HOSTILE_TEXT = ["", "banana", "-99999", "1e308", "-1e308", "1.5.5", str(10**12), "NaN",
                "inf", "-0", "9" * 40, "x" * 5000, "\u03a9\u00f1\U0001f600\u202e\u0000",
                "  12  ", "0x1F", "true", "1,5", "-1", "0", "2147483648", "&amp;&lt;"]
HOSTILE_VALUES: list[Any] = ["", "banana", -99999, 1e308, -1e308, "1.5.5", 10**12, 10**30,
                             [[1, [2]], {}], None, "x" * 5000, "\u03a9\u00f1\U0001f600",
                             True, {}, {"value": {"value": 1}}, -1, 0, 0.5, []]


@contextmanager
def time_limit(seconds: int, what: str) -> Iterator[None]:
    """Fail the case if it runs longer than ``seconds`` (SIGALRM, main thread)."""
    def expired(_signum: int, _frame: object) -> None:
        raise AssertionError(f"{what}: took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert time.monotonic() - started < seconds, what


@pytest.fixture(scope="module", autouse=True)
def _warm() -> None:
    """Load (or compile) the worksheet kernel once, outside the per-case time limit."""
    calculate([semi_detached("warm")])


@pytest.fixture(autouse=True)
def _debug(monkeypatch: pytest.MonkeyPatch) -> None:
    """An unexpected exception escapes ``main`` (instead of exit 70) so it is reported."""
    monkeypatch.setenv("ARA_DEBUG", "1")
    monkeypatch.delenv("ARA_PCDB", raising=False)


# -- mutators ------------------------------------------------------------------------------

_LEAF = re.compile(r"<([A-Za-z][\w.-]*)>([^<]*)</\1>")
_OPEN = re.compile(r"<([A-Za-z][\w.-]*)>")


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mutate_xml(text: str, rnd: random.Random, steps: int) -> str:
    """Up to ``steps`` edits of an XML document: leaf values replaced by hostile text or by
    child elements (a number made a list), leaves and whole blocks deleted or duplicated; at
    the end, sometimes, the document truncated."""
    for _ in range(steps):
        op = rnd.choice(["value", "value", "value", "delete", "duplicate", "nest",
                         "block_delete", "block_duplicate"])
        if op.startswith("block"):
            opens = [m for m in _OPEN.finditer(text) if m.start() > 60]
            if not opens:
                continue
            m = rnd.choice(opens)
            close = text.find(f"</{m.group(1)}>", m.end())
            if close < 0:
                continue
            end = close + len(m.group(1)) + 3
            block = text[m.start():end]
            text = text[:m.start()] + ("" if op == "block_delete" else block * 2) + text[end:]
            continue
        leaves = list(_LEAF.finditer(text))
        if not leaves:
            continue
        m = rnd.choice(leaves)
        tag = m.group(1)
        if op == "value":
            new = f"<{tag}>{_escape(rnd.choice(HOSTILE_TEXT))}</{tag}>"
        elif op == "delete":
            new = ""
        elif op == "duplicate":
            new = m.group(0) * 2
        else:
            new = f"<{tag}><{tag}>{m.group(2)}</{tag}><x>1</x></{tag}>"
        text = text[:m.start()] + new + text[m.end():]
    if rnd.random() < 0.15:
        text = text[:rnd.randrange(len(text) + 1)]
    return text


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        node = node[key]
    return node


def mutate_tree(tree: Any, rnd: random.Random, steps: int) -> Any:
    """Up to ``steps`` edits of a JSON-like tree (the tree is edited in place): keys and list
    items deleted or duplicated, values replaced by hostile ones, numbers made lists."""
    for _ in range(steps):
        paths = [p for p in _paths(tree) if p]
        if not paths:
            break
        path = rnd.choice(paths)
        parent, key = _get(tree, path[:-1]), path[-1]
        value = parent[key]
        op = rnd.choice(["value", "value", "value", "delete", "duplicate", "swap"])
        if op == "delete":
            del parent[key]
        elif op == "duplicate":
            if isinstance(parent, list):
                parent.insert(key, json.loads(json.dumps(value)))
            else:
                parent[f"{key}_copy"] = value
        elif op == "swap":
            parent[key] = [value] if not isinstance(value, list) else {"0": value}
        else:
            parent[key] = rnd.choice(HOSTILE_VALUES)
    return tree


def mutate_csv(text: str, rnd: random.Random, steps: int) -> str:
    """Up to ``steps`` edits of a CSV file: cells made hostile, columns deleted or
    duplicated, headers renamed, rows made ragged; sometimes truncated."""
    rows = list(csv.reader(io.StringIO(text)))
    for _ in range(steps):
        op = rnd.choice(["cell", "cell", "cell", "cell", "drop_column", "dup_column",
                         "rename", "ragged", "dup_row"])
        width = len(rows[0])
        col = rnd.randrange(width)
        body = range(1, len(rows))
        if op == "cell" and len(rows) > 1:
            rows[rnd.choice(body)][col:col + 1] = [rnd.choice(HOSTILE_TEXT)]
        elif op == "drop_column":
            rows = [r[:col] + r[col + 1:] for r in rows]
        elif op == "dup_column":
            rows = [r[:col + 1] + r[col:] for r in rows]
        elif op == "rename":
            rows[0][col] = rnd.choice(HOSTILE_TEXT)
        elif op == "ragged" and len(rows) > 1:
            i = rnd.choice(body)
            rows[i] = rows[i][:col] if rnd.random() < 0.5 else rows[i] + ["extra", "1"]
        elif op == "dup_row" and len(rows) > 1:
            rows.append(list(rows[rnd.choice(body)]))
        if not rows[0]:
            break
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    text = out.getvalue()
    if rnd.random() < 0.15:
        text = text[:rnd.randrange(len(text) + 1)]
    return text


# -- checks --------------------------------------------------------------------------------

def check_error(message: Any, where: str) -> None:
    """A reported failure is a non-empty text, one of Ara's refusals (never a stray
    exception type: that is a crash reported as an error)."""
    assert isinstance(message, str) and message.strip(), (where, message)
    named = _TYPE_PREFIX.match(message)
    assert named is None or named.group(1) in REFUSALS, (where, message)


def check_outputs(record: dict[str, Any], where: str) -> None:
    """The ratings are integers in the possible range and every number is finite."""
    for name in ("sap_rating", "ei_rating"):
        value = record.get(name)
        if value is not None:
            assert isinstance(value, int) and not isinstance(value, bool), (where, name, value)
            assert RATING_RANGE[0] <= value <= RATING_RANGE[1], (where, name, value)
    for name, value in record.items():
        if isinstance(value, float):
            assert math.isfinite(value), (where, name, value)


def check_stderr(err: str, where: str) -> None:
    assert "Traceback" not in err, (where, err[-2000:])
    assert "internal error" not in err, (where, err[-2000:])


def run_rate(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``ara rate --json --mode estimate FILE``: exit 0 or 1, one JSON record per file (per
    CSV row), each naming the file; an error field or ratings in range."""
    with time_limit(CASE_SECONDS, f"rate {path.name}"):
        code = main(["rate", str(path), "--json", "--mode", "estimate"])
    captured = capsys.readouterr()
    check_stderr(captured.err, path.name)
    assert code in (0, 1), (path.name, code, captured.err)
    records = [json.loads(line) for line in captured.out.splitlines()]
    assert records, path.name
    for record in records:
        assert str(path) in record["file"], record["file"]
        if record["error"] is not None:
            check_error(record["error"], record["file"])
            assert record.get("sap_rating") is None
        else:
            assert record["sap_rating"] is not None, record["file"]
            check_outputs(record, record["file"])
    assert code == (1 if any(r["error"] for r in records) else 0)
    event(f"rate: {sum(r['error'] is None for r in records)} of {len(records)} rated")


def run_expand(path: Path, tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``ara expand FILE -o OUT --mode estimate``: exit 0, 1 or 2; every stderr line is a
    refusal naming the input, a certificate or a field."""
    out = tmp / "expanded.parquet"
    out.unlink(missing_ok=True)
    with time_limit(CASE_SECONDS, f"expand {path.name}"):
        code = main(["expand", str(path), "-o", str(out), "--mode", "estimate"])
    captured = capsys.readouterr()
    check_stderr(captured.err, path.name)
    assert code in (0, 1, 2), (path.name, code, captured.err)
    lines = [line for line in captured.err.splitlines() if line.strip()]
    if code != 0:
        assert lines, (path.name, code)
    for line in lines:
        if line.startswith("... "):
            continue  # progress
        if line.startswith("ara expand: error: "):
            assert str(path) in line, line
        elif line.startswith("unreadable: "):
            check_error(line.removeprefix("unreadable: "), path.name)
            assert path.name in line, line
        elif " rows expanded with declared estimate fallbacks" in line:
            continue
        else:  # "<certificate>: <field>: <message>"
            parts = line.split(": ", 2)
            assert len(parts) == 3 and all(p.strip() for p in parts), line
    if code == 2:
        assert not out.exists() or out.stat().st_size > 0
    event(f"expand: exit {code}")


def run_calc(path: Path, tmp: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``ara calc --lenient FILE -o out.csv``: exit 0 or 1 (2 for a file that is not
    input at all, named); one row per dwelling, an error naming a field, or ratings in
    range."""
    out = tmp / "calc.csv"
    out.unlink(missing_ok=True)
    with time_limit(CASE_SECONDS, f"calc {path.name}"):
        code = main(["calc", "--lenient", str(path), "-o", str(out)])
    captured = capsys.readouterr()
    check_stderr(captured.err, path.name)
    assert code in (0, 1, 2), (path.name, code, captured.err)
    if code == 2:
        assert captured.err.startswith("ara calc: error: ") and path.name in captured.err, (
            captured.err)
        event("calc: exit 2")
        return
    rows = pacsv.read_csv(out).to_pylist()
    assert rows, path.name
    for row in rows:
        if row["status"] == "ok":
            check_outputs(row, path.name)
        else:
            assert row["status"] == "error", row["status"]
            check_error(row["error"], path.name)
            assert row["sap_rating"] is None
    assert code == (1 if any(r["status"] != "ok" for r in rows) else 0)
    event(f"calc: exit {code}")


# -- the fuzz tests ------------------------------------------------------------------------

def _write(tmp: Path, name: str, data: str | bytes) -> Path:
    path = tmp / name
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    path.write_bytes(data)
    return path


_TEXTS: dict[Path, str] = {}


def _text(path: Path) -> str:
    if path not in _TEXTS:
        _TEXTS[path] = path.read_text(encoding="utf-8")
    return _TEXTS[path]


@settings(FUZZ, max_examples=200)
@given(source=st.sampled_from(RDSAP_XML + SAP_XML), rnd=st.randoms(use_true_random=False),
       steps=st.integers(1, 4), entry=st.sampled_from(["rate", "rate", "expand"]))
def test_fuzz_register_xml(source: Path, rnd: random.Random, steps: int, entry: str,
                           tmp_path_factory: pytest.TempPathFactory,
                           capsys: pytest.CaptureFixture[str]) -> None:
    tmp = tmp_path_factory.mktemp("xml")
    path = _write(tmp, f"mutant-{source.stem}.xml", mutate_xml(_text(source), rnd, steps))
    is_sap = source.name.startswith("SAP-")
    if entry == "expand" and is_sap:
        entry = "calc"  # full SAP XML is calculator input, not a certificate to expand
    {"rate": lambda: run_rate(path, capsys), "expand": lambda: run_expand(path, tmp, capsys),
     "calc": lambda: run_calc(path, tmp, capsys)}[entry]()


@settings(FUZZ, max_examples=120)
@given(source=st.sampled_from(REGISTER_JSON), rnd=st.randoms(use_true_random=False),
       steps=st.integers(1, 4), entry=st.sampled_from(["rate", "rate", "expand"]),
       truncate=st.booleans())
def test_fuzz_register_json(source: Path, rnd: random.Random, steps: int, entry: str,
                            truncate: bool, tmp_path_factory: pytest.TempPathFactory,
                            capsys: pytest.CaptureFixture[str]) -> None:
    tmp = tmp_path_factory.mktemp("json")
    text = json.dumps(mutate_tree(json.loads(_text(source)), rnd, steps))
    if truncate and rnd.random() < 0.3:
        text = text[:rnd.randrange(len(text) + 1)]
    path = _write(tmp, f"mutant-{source.stem}.json", text)
    if entry == "expand":
        run_expand(path, tmp, capsys)
    else:
        run_rate(path, capsys)


@settings(FUZZ, max_examples=120)
@given(rnd=st.randoms(use_true_random=False), steps=st.integers(1, 5),
       entry=st.sampled_from(["rate", "rate", "expand"]))
def test_fuzz_open_data_csv(rnd: random.Random, steps: int, entry: str,
                            tmp_path_factory: pytest.TempPathFactory,
                            capsys: pytest.CaptureFixture[str]) -> None:
    tmp = tmp_path_factory.mktemp("csv")
    path = _write(tmp, "mutant-domestic.csv", mutate_csv(_text(OPEN_DATA_CSV), rnd, steps))
    if entry == "expand":
        run_expand(path, tmp, capsys)
    else:
        run_rate(path, capsys)


_UPRN = re.compile(r"<UPRN>[^<]*</UPRN>")


@settings(FUZZ, max_examples=12)
@given(source=st.sampled_from(RDSAP_XML), rnd=st.randoms(use_true_random=False),
       steps=st.integers(0, 3))  # 0: the certificate as it is, so the rated path is run too
def test_fuzz_first_run(source: Path, rnd: random.Random, steps: int,
                        tmp_path_factory: pytest.TempPathFactory,
                        capsys: pytest.CaptureFixture[str]) -> None:
    """``ara run`` (ingestion and baseline, SQLite) on a one-home portfolio whose certificate
    is a mutant in an XML folder: exit 0 or 1, no traceback, and the home ends with either a
    rating in the possible range or a failure naming its stage and reason."""
    import sqlalchemy as sa

    tmp = tmp_path_factory.mktemp("run")
    folder = tmp / "certificates"
    folder.mkdir()
    uprn = "UPRN-000000000123" if "-2" in source.name else "123"
    text = _UPRN.sub(f"<UPRN>{uprn}</UPRN>", _text(source), count=1)
    _write(folder, "mutant.xml", mutate_xml(text, rnd, steps))
    portfolio = _write(tmp, "homes.csv", "uprn,address_line_1,post_town,postcode\n"
                                         "123,1 High Street,Town,AB1 2CD\n")
    db = tmp / "ara.db"
    with time_limit(4 * CASE_SECONDS, f"ara run {source.name}"):
        code = main(["run", str(portfolio), "--db", str(db), "--epc-source", f"xml:{folder}",
                     "--scenarios", "none", "--report", "none"])
    err = capsys.readouterr().err
    check_stderr(err, f"ara run {source.name}")
    assert code in (0, 1), (code, err)
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        saps = conn.execute(sa.text("SELECT effective_sap_score FROM baseline_performance")
                            ).scalars().all()
        failures = conn.execute(sa.text("SELECT stage, message FROM stage_failures")).all()
    engine.dispose()
    assert len(saps) + len(failures) >= 1, "the home has neither a rating nor a failure"
    assert all(RATING_RANGE[0] <= s <= RATING_RANGE[1] for s in saps), saps
    assert all(stage and message.strip() for stage, message in failures), failures
    event(f"run: {'rated' if saps else 'failed'}")


def _check_table(table: pa.Table, ids: list[Any]) -> None:
    rows = table.to_pylist()
    assert len(rows) == len(ids)
    for row in rows:
        if row["status"] == "ok":
            check_outputs(row, str(row["dwelling_id"]))
        else:
            check_error(row["error"], str(row["dwelling_id"]))
            assert ":" in row["error"], row["error"]  # "field: message"
            assert row["sap_rating"] is None


@settings(FUZZ, max_examples=160)
@given(rnd=st.randoms(use_true_random=False), steps=st.integers(1, 4),
       entry=st.sampled_from(["calculate", "calculate", "calc"]))
def test_fuzz_calculator_rows(rnd: random.Random, steps: int, entry: str,
                              tmp_path_factory: pytest.TempPathFactory,
                              capsys: pytest.CaptureFixture[str]) -> None:
    """Mutants of SAP_INPUT_SCHEMA rows, beside a good row: ``calculate(strict=False)``
    returns one row per dwelling (the good one computed) or refuses the batch with a
    SapInputError naming the dwelling and field; ``ara calc --lenient`` on the
    same rows as JSON Lines exits 0, 1 or 2 with the same guarantees."""
    mutant = mutate_tree(semi_detached("mutant"), rnd, steps)
    rows = [semi_detached("good"), mutant]
    if entry == "calc":
        tmp = tmp_path_factory.mktemp("rows")
        text = "\n".join(json.dumps(r) for r in rows) + "\n"
        run_calc(_write(tmp, "mutant-rows.jsonl", text), tmp, capsys)
        return
    with time_limit(CASE_SECONDS, "calculate"):
        try:
            table = calculate(rows, strict=False)
        except SapInputError as exc:  # the batch refused: each problem names its field
            assert exc.problems, str(exc)
            for dwelling, field, message in exc.problems:
                assert dwelling != "good" and field.strip() and message.strip(), (
                    dwelling, field, message)
                assert field == "*" or field.split(".")[0] in SAP_INPUT_SCHEMA.names, field
            event("calculate: batch refused")
            return
    event(f"calculate: mutant {table.column('status')[1]}")
    _check_table(table, [r.get("dwelling_id") for r in rows])
    good = table.to_pylist()[0]
    assert good["status"] == "ok", good["error"]


def test_fuzz_memory_bound() -> None:
    """After the fuzz cases above (same process), the peak resident memory is bounded."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    assert peak < MAX_RSS_BYTES, peak

