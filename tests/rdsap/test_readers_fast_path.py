"""The compiled walk of the certificate readers (``mapping._compile``) against the walk it
replaced, kept as the reference (``mapping._interpret``): every sample certificate, the bundled
sample archive, a synthetic portfolio and every value of two register documents replaced by
awkward values give the same rows (same keys in the same order, same Python types) and the
same failures in the same order. And the ``data_json`` encoder of the Ingestion stage against
``json``: the same bytes for every row, whichever encoder writes it."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ara.orchestration.ingestion import _ENCODER, encode_data_json
from ara.rdsap.readers import bulk, mapping
from ara.rdsap.readers.documents import register_json_row
from ara.rdsap.readers.errors import CertificateReadError
from ara.rdsap.readers.schema import COLUMNS, Column

REPO = Path(__file__).resolve().parents[2]
VECTORS = REPO / "tests" / "vectors"
SAMPLE_ARCHIVE = REPO / "src" / "ara" / "data" / "sample_portfolio" / "certificates.ndjson.gz"
SUFFIXES = (".xml", ".json", ".jsonl", ".ndjson", ".gz", ".zip")


def _sources() -> list[Path]:
    return sorted(p for p in VECTORS.rglob("*") if p.suffix in SUFFIXES) + [SAMPLE_ARCHIVE]


def _outcome(read: Any) -> str:
    try:
        return "row " + repr(read())
    except CertificateReadError as exc:
        return f"refused {exc} {exc.failures!r}"
    except Exception as exc:  # noqa: BLE001 - whatever escapes, it must escape from both
        return f"raised {type(exc).__name__}: {exc}"


def _both(monkeypatch: pytest.MonkeyPatch, read: Any) -> tuple[str, str]:
    fast = _outcome(read)
    with monkeypatch.context() as patch:
        patch.setattr(mapping, "_walk", mapping._interpret)
        reference = _outcome(read)
    return fast, reference


def _rows(path: Path, validate: bool, full_sap: Any) -> Any:
    documents = list(bulk._source_documents(path))
    return lambda: bulk._chunk_rows(documents, validate, True, False, full_sap)


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(REPO)))
def test_every_sample_reads_the_same_through_both_walks(path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    for validate in (True, False):
        for full_sap in ("refuse", "summary"):
            fast, reference = _both(monkeypatch, _rows(path, validate, full_sap))
            assert fast == reference


def test_a_synthetic_portfolio_reads_the_same(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    script = REPO / "scripts" / "make_sample_portfolio.py"
    spec = importlib.util.spec_from_file_location("make_sample_portfolio", script)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(tmp_path, 120, 7)
    fast, reference = _both(monkeypatch,
                            _rows(tmp_path / "certificates.ndjson.gz", True, "summary"))
    assert fast == reference
    assert fast.startswith("row ([{") and "certificate_number" in fast


#: values that take every branch of the converters: fast paths, slow paths and refusals
AWKWARD: tuple[Any, ...] = (
    None, "", "  ", " 7 ", "7", "01", "0", "1.50", "2.0", "-3", "+4", "1e3", "abc", "NA", "ND",
    "200mm", "Y", "n", "TRUE", "Yes", "true", "2020-01-02", "31/12/2020", "2020-02-30",
    "UPRN-000000000012", "12345678901234567890123", "\u00e9", 0, 1, -1, 7, 2**31, -(2**31) - 1,
    2**53 + 1, 10**30, 1.5, 2.0, -0.0, 1e-5, float("inf"), float("nan"), True, False,
    {"value": 3}, {"value": "Y", "quantity": "x"}, {"a": 1}, [], [5], ["1", "2"], [{"a": 1}])


def _keys(node: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) of every value in a document, depth first."""
    if isinstance(node, dict):
        for key in list(node):
            yield node, key
            yield from _keys(node[key])
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield node, i
            yield from _keys(item)


@pytest.mark.parametrize("name", ["register/RdSAP-Schema-21.0.1.json",
                                  "register/RdSAP-Schema-20.0.0.json"])
def test_every_value_replaced_by_an_awkward_one_reads_the_same(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    document = json.loads((VECTORS / name).read_text())
    compared = 0
    for container, key in list(_keys(document)):
        original = container[key]
        for value in AWKWARD:
            container[key] = value
            fast, reference = _both(monkeypatch, lambda: register_json_row(
                document, certificate_number="0000-0000-0000-0000-0000"))
            assert fast == reference, (key, value)
            compared += 1
        container[key] = original
    assert compared > 100 * len(AWKWARD)


def _put(node: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def _document(columns: tuple[Column, ...], value: Any, alternatives: bool) -> dict[str, Any]:
    """A document with a value at every path of ``columns`` (or at every alternative path),
    list columns with two items of the same kind, struct columns with one."""
    out: dict[str, Any] = {}
    for column in columns:
        if column.derived or not column.path:
            continue
        if column.kind in ("list", "struct"):
            item = _document(column.fields, value, alternatives)
            found: Any = item if column.kind == "struct" else (
                {column.item: [item, item]} if column.item else [item, item])
            _put(out, column.path, found)
        elif alternatives and column.alt_paths:
            _put(out, column.alt_paths[-1], value)
        elif not alternatives:
            _put(out, column.path, value)
    return out


@pytest.mark.parametrize("alternatives", [False, True])
@pytest.mark.parametrize("value", ["1", 1, "Y", 2.5, " x y ", "NR", {"value": "2"}, [1, 2]])
def test_a_value_at_every_path_of_the_schema_reads_the_same(
        value: Any, alternatives: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    document = _document(COLUMNS, value, alternatives)
    document["schema_type"] = "RdSAP-Schema-21.0.1"
    for validate in (True, False):
        fast, reference = _both(monkeypatch, functools.partial(
            register_json_row, document, certificate_number="0000", validate=validate))
        assert fast == reference


# ---------------------------------------------------------------------------------------------
# data_json
# ---------------------------------------------------------------------------------------------
def test_data_json_is_byte_for_byte_what_json_writes() -> None:
    floats = [0.0, -0.0, 1.0, 2.45, 1e-4, 9.999e-5, 1e-5, 1e15, 9.999e15, 1e16, 1.5e300,
              5e-324, 0.30000000000000004, float("nan"), float("inf"), -float("inf"), None]
    texts = ["plain", "caf\u00e9", "a\x7fb", "tab\tnew\nline", "\x00\x1f", "quote\"back\\",
             "\u2028", "", None, "\U0001f600"]
    n = max(len(floats), len(texts))
    table = pa.table({
        "b_float": pa.array([floats[i % len(floats)] for i in range(n)], pa.float64()),
        "a_text": pa.array([texts[i % len(texts)] for i in range(n)], pa.string()),
        "date": pa.array([dt.date(2020, 1, 2) if i % 2 else None for i in range(n)],
                         pa.date32()),
        "big": pa.array([2**63 - 1 if i % 3 else -(2**63) for i in range(n)], pa.int64()),
        "flag": pa.array([i % 2 == 0 for i in range(n)], pa.bool_()),
        "parts": pa.array([[{"u": floats[(i + 3) % len(floats)], "c": "1"}] if i % 4 else []
                           for i in range(n)],
                          pa.list_(pa.struct([("u", pa.float64()), ("c", pa.string())]))),
        "pv": pa.array([[1.5, floats[i % len(floats)]] for i in range(n)],
                       pa.list_(pa.float64())),
        "extra": pa.array([[("k", "v")] for _ in range(n)], pa.map_(pa.string(), pa.string())),
    })
    expected = [_ENCODER.encode(row) for row in table.to_pylist()]
    assert encode_data_json(table).to_pylist() == expected
    sliced = table.slice(3, 9)  # offsets into the buffers, as after a take or a slice
    assert encode_data_json(sliced).to_pylist() == expected[3:12]
    chunked = pa.concat_tables([table.slice(0, 5), table.slice(5)])
    assert encode_data_json(chunked).to_pylist() == expected


def test_data_json_of_a_map_of_floats_is_json_s() -> None:
    table = pa.table({"m": pa.array([[("a", 1e-7)], [("b", 2.5)]],
                                    pa.map_(pa.string(), pa.float64()))})
    assert encode_data_json(table).to_pylist() == [_ENCODER.encode(r)
                                                   for r in table.to_pylist()]


def test_data_json_refuses_what_json_refuses() -> None:
    table = pa.table({"t": pa.array([dt.time(1, 2)], pa.time64("us"))})
    with pytest.raises(TypeError, match="cannot store time"):
        encode_data_json(table)
