"""Normalisation of single values, so that the XML text and the register JSON of the same
certificate give the same Python value.

The register's JSON is made from the lodged XML by a SAX transform that turns every
numeric-looking text into a number (``"017507"`` -> ``17507``, ``"2.0"`` -> ``2.0``), wraps texts
that carried attributes into objects (``{"value": 2.45, "quantity": "metres"}``,
``{"value": "...", "language": "1"}``) and keeps booleans as the strings ``"true"``/``"false"``.
Each function below accepts either form and returns one canonical value:

* codes: ``str``; an integer-looking code loses its leading zeros (``"01"`` -> ``"1"``,
  ``"017507"`` -> ``"17507"``), a decimal one its trailing zeros (``"1.50"`` -> ``"1.5"``);
  tokens (``"NR"``, ``"200mm"``, ``"20+"``) are kept as lodged;
* integers and decimals: ``int`` / ``float`` (NaN and infinities refused);
* booleans: ``bool`` from ``true``/``false``, ``Y``/``N`` or ``1``/``0``;
* texts: ``str`` stripped of surrounding blanks; empty becomes ``None``;
* dates: ``datetime.date`` from ``YYYY-MM-DD`` (a time part is ignored) or ``DD/MM/YYYY``.

Every function raises :class:`ValueProblem` (a message without the field name; the caller adds
it) for a value it cannot read.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

_INTEGER_RE = re.compile(r"[+-]?\d+")
_DECIMAL_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_UK_DATE_RE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})(?: .*)?")
_TRUE = frozenset({"true", "y", "yes", "1"})
_FALSE = frozenset({"false", "n", "no", "0"})


class ValueProblem(ValueError):  # noqa: N818 - a message for the caller, who adds the field
    """A value that cannot be read as the expected kind (message only, no field name)."""


def unwrap(value: Any) -> Any:
    """The value itself: ``{"value": v, "quantity": ...}`` -> ``v``; a one-item list -> its item."""
    if isinstance(value, dict):
        if "value" in value:
            return value["value"]
        raise ValueProblem(f"expected a single value, found an element with children "
                           f"{sorted(value)[:5]}")
    if isinstance(value, list):
        if len(value) == 1:
            return unwrap(value[0])
        if not value:
            return None
        raise ValueProblem(f"expected a single value, found {len(value)} repeated elements")
    return value


def _canonical_number(number: float) -> str:
    if number.is_integer():
        return str(int(number))
    return repr(number)


def to_code(value: Any) -> str | None:
    """A register code as a canonical string (see the module docstring)."""
    if type(value) is str:  # the common case, kept fast
        text = value.strip()
        if text.isascii() and text.isdigit():
            return text if text[0] != "0" or len(text) == 1 else str(int(text))
        if not text:
            return None
    else:
        value = unwrap(value)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int):
            return str(value)
        if isinstance(value, float):
            if not math.isfinite(value):
                raise ValueProblem(f"{value!r} is not a code")
            return _canonical_number(value)
        text = str(value).strip()
        if not text:
            return None
    if _INTEGER_RE.fullmatch(text):
        return str(int(text))
    if _DECIMAL_RE.fullmatch(text):
        return _canonical_number(float(text))
    return text


#: The integer columns are int32: a value beyond it is refused by name, never overflowed.
INT32_MAX = 2**31 - 1


def to_int(value: Any) -> int | None:
    """An integer (``"3"``, ``3``, ``3.0`` and ``"3.0"`` all give 3), within int32."""
    number = _to_int(value)
    if number is not None and not -INT32_MAX - 1 <= number <= INT32_MAX:
        raise ValueProblem(f"{number} is out of range (at most {INT32_MAX:,})")
    return number


def _to_int(value: Any) -> int | None:
    value = unwrap(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"{value!r} is not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise ValueProblem(f"{value!r} is not an integer")
    text = str(value).strip()
    if not text:
        return None
    if _INTEGER_RE.fullmatch(text):
        return int(text)
    if _DECIMAL_RE.fullmatch(text):
        number = float(text)
        if number.is_integer():
            return int(number)
    raise ValueProblem(f"{text!r} is not an integer")


def to_float(value: Any) -> float | None:
    """A finite decimal number."""
    value = unwrap(value)
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueProblem(f"{value!r} is not a number")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip()
        if not text:
            return None
        try:
            number = float(text)
        except ValueError:
            raise ValueProblem(f"{text!r} is not a number") from None
        if "_" in text or not _DECIMAL_RE.fullmatch(text):  # float() also takes 1_0, nan
            raise ValueProblem(f"{text!r} is not a number")
    if not math.isfinite(number):
        raise ValueProblem(f"{value!r} is not a finite number")
    return number


def to_bool(value: Any) -> bool | None:
    """A boolean from ``true``/``false``, ``Y``/``N`` (the XSD ``Flag``) or ``1``/``0``."""
    value = unwrap(value)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if not text:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueProblem(f"{value!r} is not a boolean (true/false, Y/N, 1/0)")


def to_text(value: Any) -> str | None:
    """A text, stripped; numbers (which the JSON transform makes of numeric-looking texts such
    as house numbers) are written back as text."""
    value = unwrap(value)
    if value is None:
        return None
    if isinstance(value, float):
        text = _canonical_number(value)
    else:
        text = str(value).strip()
    return text or None


def to_date(value: Any) -> dt.date | None:
    """A date from ``YYYY-MM-DD`` (an ISO time part is ignored) or ``DD/MM/YYYY``."""
    value = unwrap(value)
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if match := _ISO_DATE_RE.fullmatch(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if match := _UK_DATE_RE.fullmatch(text):
            return dt.date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError as exc:
        raise ValueProblem(f"{text!r} is not a valid date ({exc})") from None
    raise ValueProblem(f"{text!r} is not a date (YYYY-MM-DD or DD/MM/YYYY)")


#: The largest UPRN the certificate tables hold (their int64 column). Real UPRNs have at most
#: 12 digits (OS AddressBase); the bundled synthetic sample uses 13, so the bound is the
#: column's, and a longer number is no UPRN.
MAX_UPRN = 2**63 - 1


def to_uprn(value: Any) -> int | None:
    """A UPRN from ``UPRN-000012345678``, ``12345678`` or a number; non-numeric address ids
    (``RRN-...``, unmatched addresses), the all-zero placeholder and numbers too large for
    the int64 column give ``None`` rather than an error (UPRNs start at 1)."""
    value = unwrap(value)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_UPRN else None
    text = str(value).strip()
    if text.upper().startswith("UPRN-"):
        text = text[5:]
    if not (text.isascii() and text.isdigit()) or len(text) > 20:
        return None
    return int(text) if 0 < int(text) <= MAX_UPRN else None


def sap_version(value: Any) -> str | None:
    """``SAP-Version`` as the XSD code: ``9.8`` (the JSON's float) -> ``"9.80"``, ``10.2`` ->
    ``"10.2"``; anything not numeric is kept as text."""
    value = unwrap(value)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return to_text(value)
    if not math.isfinite(number):
        return to_text(value)
    return f"{number:.2f}" if number < 10 else f"{number:.1f}"


#: SAP rating bands (SAP 10.2 Table 14; the EI rating uses the same thresholds).
_BANDS: tuple[tuple[int, str], ...] = (
    (92, "A"), (81, "B"), (69, "C"), (55, "D"), (39, "E"), (21, "F"), (-(10**9), "G"))


def band_for_rating(rating: int | None) -> str | None:
    """The band letter of a SAP or EI rating (A 92+, B 81-91, C 69-80, D 55-68, E 39-54,
    F 21-38, G 20 and below)."""
    if rating is None:
        return None
    for threshold, band in _BANDS:
        if rating >= threshold:
            return band
    return "G"  # pragma: no cover - the last threshold catches everything
