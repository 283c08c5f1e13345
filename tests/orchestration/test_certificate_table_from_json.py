"""``certificate_table_from_json`` (Arrow's JSON reader over the stored texts,
``ara.persistence.bulk.table_from_json_texts``) gives exactly
what ``certificate_table`` gives for the same texts parsed by Python, table or error: on the
sample certificates as ingestion stores them, and on input the JSON reader reads differently
or refuses (it then takes the Python path)."""

from __future__ import annotations

import json
from datetime import date, datetime

import pyarrow as pa
import pytest

from ara.cli import bundled
from ara.orchestration.baseline import certificate_table, certificate_table_from_json
from ara.persistence import bulk
from ara.rdsap.readers import CERTIFICATE_SCHEMA, read_certificates_table


def _stored(row: dict[str, object]) -> str:
    """As ingestion stores a certificate's data (canonical JSON, dates as ISO text)."""
    def default(value: object) -> str:
        assert isinstance(value, date | datetime)
        return value.isoformat()
    return json.dumps(row, default=default, sort_keys=True, separators=(",", ":"))


@pytest.fixture(scope="module")
def texts() -> list[str]:
    table, _ = read_certificates_table(bundled("sample_portfolio") / "certificates.ndjson.gz")
    rows = table.slice(0, 80).to_pylist()
    for r in rows:
        r.pop("raw_document", None)
    return [_stored(r) for r in rows]


def _outcome(fn: object, texts: list[str]) -> pa.Table | tuple[str, str]:
    try:
        return fn(texts)  # type: ignore[operator, no-any-return]
    except Exception as error:  # noqa: BLE001 - the error itself is compared
        return type(error).__name__, str(error)


def _same(texts: list[str]) -> None:
    fast = _outcome(certificate_table_from_json, texts)
    slow = _outcome(lambda ts: certificate_table([json.loads(t) for t in ts]), texts)
    if isinstance(slow, pa.Table):
        assert isinstance(fast, pa.Table), fast
        assert fast.schema.equals(slow.schema, check_metadata=True)
        assert fast.equals(slow)
        assert fast.schema == CERTIFICATE_SCHEMA
    else:
        assert fast == slow


def _no_python_path(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(texts: object, schema: object) -> pa.Table:
        raise AssertionError("took the Python path")
    monkeypatch.setattr(bulk, "_from_python", refuse)


def test_the_sample_certificates_give_the_same_table(texts: list[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patch:
        _no_python_path(patch)
        table = certificate_table_from_json(texts)
        # a map column value is read from Python without leaving the JSON reader's path
        with_map = certificate_table_from_json([_with(texts[0], csv_extra={"a": "b"})])
    assert with_map.column("csv_extra").to_pylist() == [[("a", "b")]]
    assert table.num_rows == len(texts)
    assert table.column("building_parts").null_count == 0
    assert table.column("inspection_date").null_count == 0
    _same(texts)


def test_non_canonical_and_partial_texts_give_the_same_table(texts: list[str]) -> None:
    spaced = [json.dumps(json.loads(t), indent=None) for t in texts[:5]]
    _same([*spaced, '{"certificate_number": "X-1"}', "{}", texts[5]])


def _with(text: str, **changes: object) -> str:
    data = json.loads(text)
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize("changes", [
    {"csv_extra": {"walls": "solid", "roof": "pitched"}},  # a map: from Python
    {"csv_extra": [["walls", "solid"]]},  # pairs as JSON lists: refused by both
    {"csv_extra": None},
    {"energy_rating_current": 2.0},  # a float in an integer column
    {"energy_rating_current": True},
    {"energy_rating_current": 3_000_000_000},
    {"co2_emissions_current_kg_per_yr": True},  # a boolean in a float column
    {"co2_emissions_current_kg_per_yr": 2**53 + 1},  # Python refuses, Arrow's reader reads
    {"co2_emissions_current_kg_per_yr": 10**17},
    {"co2_emissions_current_kg_per_yr": "12"},
    {"address_line_1": 12},  # a number in a text column
    {"address_line_1": "line\nbreak"},
    {"inspection_date": "not a date"},
    {"building_parts": {"not": "a list"}},
    {"unknown_field": {"deep": [1, 2]}},
])
def test_awkward_values_give_the_same_table_or_error(texts: list[str],
                                                    changes: dict[str, object]) -> None:
    _same([texts[0], _with(texts[1], **changes), texts[2]])


def test_duplicate_keys_newlines_and_bad_text_take_the_python_path(texts: list[str]) -> None:
    duplicate = texts[0][:-1] + ',"address_line_1":"second"}'
    _same([duplicate, texts[1]])
    _same([json.dumps(json.loads(texts[0]), indent=1), texts[1]])
    _same([texts[0], ""])
    _same([texts[0], "[1]"])
    _same([])
