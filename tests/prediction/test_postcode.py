"""Postcode keys and street names (ara.prediction.postcode)."""

from __future__ import annotations

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from ara.prediction.postcode import level_keys, postcode_keys, street_names


def keys(*postcodes: str | None) -> list[int]:
    return postcode_keys(pa.array(list(postcodes), pa.string())).tolist()


def test_case_and_spaces_do_not_matter() -> None:
    assert keys("SW1A 1AA", "sw1a1aa", " SW1A  1AA ")[0] == keys("sw1a1aa")[0]
    assert len(set(keys("SW1A 1AA", "sw1a1aa", " SW1A  1AA "))) == 1


def test_not_a_postcode_is_minus_one() -> None:
    assert keys(None, "", "XX", "12345", "SW1A 1A", "GIR 0AA") == [-1] * 6


def test_levels_nest() -> None:
    unit = postcode_keys(pa.array(["B1 1AA", "B1 1AB", "B1 2AA", "B11 1AA", "BA1 1AA"]))
    sector = level_keys(unit, "sector").tolist()
    district = level_keys(unit, "district").tolist()
    area = level_keys(unit, "area").tolist()
    assert sector[0] == sector[1] != sector[2]
    assert district[0] == district[2] != district[3]  # B1 is not B11
    assert area[0] == area[3] != area[4]  # B is not BA


_POSTCODES = st.builds(
    lambda a, d, s, u: f"{a}{d} {s}{u}",
    st.sampled_from(["B", "BA", "SW", "M", "EH"]),
    st.sampled_from(["1", "2", "11", "1A", "9"]),
    st.sampled_from("0123456789"),
    st.sampled_from(["AA", "AB", "ZZ", "QX"]))


@given(st.lists(_POSTCODES, min_size=2, max_size=20))
def test_every_level_is_a_contiguous_range_of_the_sorted_keys(postcodes: list[str]) -> None:
    unit = postcode_keys(pa.array(postcodes))
    ordered = sorted(unit.tolist())
    for level in ("unit", "sector", "district", "area"):
        values = level_keys(pa.array(ordered).to_numpy(), level).tolist()
        seen: list[int] = []
        for value in values:
            if not seen or seen[-1] != value:
                assert value not in seen, f"{level} split in two ranges"
                seen.append(value)


def test_street_names() -> None:
    out = street_names(pa.array(["12 High Street", "14A High St.", "Flat 3",
                                 "Flat 3, 12 Low Road", "12-14 Mill Lane", None, "7"]))
    assert out.to_pylist() == ["HIGH STREET", "HIGH ST", None, "LOW ROAD", "MILL LANE",
                               None, None]
