"""EpcData read from JSON text (parsed at once, frozen only when looked into) behaves exactly
like EpcData built from the parsed mapping: same canonical JSON, same plain copy, same
read-only view, equal, and its plain copies are independent of it."""

from __future__ import annotations

import gzip
import json
import pickle
from dataclasses import FrozenInstanceError
from itertools import islice

import pytest

from ara.cli import bundled
from ara.domain.epc import EpcData, FieldAssignment, OverlayScope

TEXT = '{ "b": [1, 2.5, {"z": null, "a": true}], "a": "x\\u00e9", "n": {"k": []} }'


def test_from_json_matches_the_mapping_it_parses_to() -> None:
    lazy = EpcData.from_json(TEXT)
    eager = EpcData(json.loads(TEXT))
    assert lazy.to_json() == eager.to_json() == (
        '{"a":"x\\u00e9","b":[1,2.5,{"a":true,"z":null}],"n":{"k":[]}}')
    assert lazy.to_plain() == eager.to_plain() == json.loads(TEXT)
    assert lazy == eager and eager == lazy and lazy == EpcData.from_json(TEXT)
    assert lazy != EpcData.from_json('{"a": 1}')
    assert lazy.fields == eager.fields
    assert lazy.building_parts() == () and lazy.get("a") == "x\u00e9" and "n" in lazy
    assert list(lazy) == ["b", "a", "n"]
    assert repr(lazy) == repr(eager)
    assert lazy.json_text() == TEXT
    assert eager.json_text() == eager.to_json()


def test_from_json_is_immutable_and_its_copies_independent() -> None:
    data = EpcData.from_json(TEXT)
    copy = data.to_plain()
    copy["b"].append(3)  # type: ignore[attr-defined]
    copy["a"] = "changed"
    assert data.to_plain() == json.loads(TEXT)
    assert json.loads(data.to_json()) == json.loads(TEXT)
    with pytest.raises(TypeError):
        data.fields["a"] = 1  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        data.fields = {}  # type: ignore[misc]
    with pytest.raises(TypeError):
        hash(data)
    assert pickle.loads(pickle.dumps(data)) == data


def test_from_json_still_refuses_what_is_not_an_object() -> None:
    for text in ("[1, 2]", " null", "3", '"text"'):
        with pytest.raises(ValueError, match="must be an object"):
            EpcData.from_json(text)
    with pytest.raises(ValueError):
        EpcData.from_json("not json")


def test_an_object_with_a_syntax_error_raises_the_same_error_when_first_used() -> None:
    text = '{"a": 1,, "b": 2}'
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(text)
    data = EpcData.from_json(text)  # parsed when first needed
    assert data.json_text() == text
    for use in (data.to_json, data.to_plain, lambda: data.fields, lambda: data.get("a"),
                lambda: data == EpcData.from_json("{}")):
        with pytest.raises(json.JSONDecodeError) as raised:
            use()
        assert str(raised.value) == str(expected.value)


def test_read_data_is_parsed_once_and_only_when_needed(monkeypatch: pytest.MonkeyPatch
                                                       ) -> None:
    calls = []
    real = json.loads

    def counting(text: str) -> object:
        calls.append(text)
        return real(text)

    monkeypatch.setattr(json, "loads", counting)
    data = EpcData.from_json(TEXT)
    assert data.json_text() == TEXT and calls == []
    assert data.get("a") == "x\u00e9" and data.to_json() and "b" in data
    assert len(calls) == 1


def test_an_overlay_over_read_data_is_the_overlay_over_the_mapping() -> None:
    text = '{"building_parts": [{"building_part_number": 2}, {"building_part_number": 1}]}'
    overlay = (FieldAssignment(OverlayScope.MAIN_BUILDING_PART, "wall_construction", "3"),
               FieldAssignment(OverlayScope.DWELLING, "built_form", "2"))
    lazy = EpcData.from_json(text).with_overlay(overlay)
    assert lazy == EpcData(json.loads(text)).with_overlay(overlay)
    assert lazy.to_plain()["building_parts"][1]["wall_construction"] == "3"  # type: ignore[index]
    assert EpcData.from_json(text).with_overlay(()).to_json() == EpcData(
        json.loads(text)).to_json()


def test_the_sample_certificates_round_trip_alike() -> None:
    path = bundled("sample_portfolio") / "certificates.ndjson.gz"
    with gzip.open(path, "rt") as fh:
        for line in islice(fh, 50):
            lazy, eager = EpcData.from_json(line), EpcData(json.loads(line))
            assert lazy.to_json() == eager.to_json()
            assert lazy.to_plain() == eager.to_plain()
            assert lazy == eager
