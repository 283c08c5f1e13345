"""UK postcodes as sortable integer keys, and street names, by string rules (vectorised).

A postcode is an outward code (the area's one or two letters, then the district: a digit and
an optional digit or letter) and an inward code (the sector digit, then the unit's two
letters): ``SW1A 1AA`` is area ``SW``, district ``SW1A``, sector ``SW1A 1``, unit
``SW1A 1AA``. Spaces and case are ignored; anything else is not a postcode (key -1).

The key packs the fields, padded to fixed width (area 2, district 2, sector 1, unit 2), into
a base-37 integer (pad 0, digits 1-10, letters 11-36), most significant first, so that

* sorting by key sorts postcodes unit within sector within district within area, and
* the key of a level is ``key // 37**DROP[level]``: every level is one contiguous range of a
  dataset sorted by key, found by ``searchsorted`` (no loop per certificate).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["BASE", "DROP", "LEVELS", "postcode_keys", "street_names"]

BASE = 37
#: The postcode levels, finest first, and the base-37 digits each drops from the unit key.
LEVELS = ("unit", "sector", "district", "area")
DROP = {"unit": 0, "sector": 2, "district": 3, "area": 5}
WIDTH = 7

_PATTERN = r"^(?P<area>[A-Z]{1,2})(?P<district>[0-9][0-9A-Z]?)(?P<sector>[0-9])(?P<unit>[A-Z]{2})$"
_LOOKUP = np.zeros(256, dtype=np.int64)
_LOOKUP[ord("0"):ord("9") + 1] = np.arange(1, 11)
_LOOKUP[ord("A"):ord("Z") + 1] = np.arange(11, 37)
_POWERS = BASE ** np.arange(WIDTH - 1, -1, -1, dtype=np.int64)


def _strings(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    return array.cast(pa.string())


def postcode_keys(postcodes: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """The int64 unit key of each postcode; -1 where the text is not a UK postcode."""
    text = pc.replace_substring_regex(pc.utf8_upper(_strings(postcodes)), r"\s+", "")
    parts = pc.extract_regex(text, _PATTERN)
    n = len(text)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    valid = np.asarray(parts.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    padded = pc.binary_join_element_wise(
        pc.utf8_rpad(parts.field("area"), 2, " "), pc.utf8_rpad(parts.field("district"), 2, " "),
        parts.field("sector"), parts.field("unit"), "")
    filled = pc.if_else(pa.array(valid), padded, " " * WIDTH).cast(pa.binary())
    raw = np.frombuffer(filled.buffers()[2], dtype=np.uint8)
    offsets = np.frombuffer(filled.buffers()[1], dtype=np.int32)[filled.offset:
                                                                 filled.offset + n + 1]
    chars = raw[offsets[0]:offsets[-1]].reshape(n, WIDTH)
    keys = _LOOKUP[chars] @ _POWERS
    return np.where(valid, keys, -1).astype(np.int64)


def level_keys(keys: np.ndarray, level: str) -> np.ndarray:
    """The keys of ``level`` (``unit``, ``sector``, ``district``, ``area``); -1 stays -1."""
    out = keys // BASE ** DROP[level]
    return np.where(keys < 0, -1, out)


def street_names(address_lines: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The street of an address line: upper case, a leading flat or house number dropped,
    punctuation and repeated spaces removed; null when no street name is left (``Flat 3``,
    ``12``). A string rule, not address matching: ``12 High Street`` and ``14A High St.``
    are different streets (``HIGH STREET``, ``HIGH ST``)."""
    text = pc.utf8_upper(_strings(address_lines))
    text = pc.replace_substring_regex(text, r"[^A-Z0-9 ]+", " ")
    text = pc.replace_substring_regex(
        text, r"^\s*((FLAT|APARTMENT|APT|UNIT|MAISONETTE)\s+[0-9A-Z]+\s+)?"
              r"([0-9]+[A-Z]?(\s*-\s*[0-9]+[A-Z]?)?\s+)+", "")
    text = pc.utf8_trim_whitespace(pc.replace_substring_regex(text, r"\s+", " "))
    has_letters = pc.match_substring_regex(text, r"^[A-Z][A-Z ]*[A-Z]$")
    return pc.if_else(pc.fill_null(has_letters, False), text, pa.scalar(None, pa.string()))
