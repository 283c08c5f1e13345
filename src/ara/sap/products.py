"""Products lodged by their PCDB index: what the SAP readers need from the user's Product
Characteristics Database, and the SAP 10.2 Table 4b code of a boiler product's kind.

``ara.sap`` sits below ``ara.rdsap`` (tests/test_layering.py), so the readers do not import
the PCDB reader: they take any object with the methods of :class:`BoilerProducts`, which
:class:`ara.rdsap.pcdb.Pcdb` has (``ara.rdsap.pcdb.load_pcdb``).

Public API
----------
* :class:`BoilerProducts` - the protocol: ``boilers_for(index_numbers) -> pa.Table``.
* :func:`pcdb_boiler_codes` - per looked-up row, the Table 4b code of the product's kind.
* :data:`PCDB_KIND_CODES` - (fuel group, PCDB main type, condensing) -> Table 4b code.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["PCDB_KIND_CODES", "BoilerProducts", "pcdb_boiler_codes", "product_efficiencies"]


@runtime_checkable
class BoilerProducts(Protocol):
    """The user's PCDB as far as boilers go (``ara.rdsap.pcdb.Pcdb`` satisfies it)."""

    def boilers_for(self, index_numbers: Any) -> pa.Table:
        """PCDB table 105 rows aligned one for one with ``index_numbers`` (strings or
        integers; leading zeros do not matter): a leading boolean ``found`` column, then at
        least ``fuel`` (1 mains gas, 2 LPG, 4 oil, ...), ``main_type`` (1 regular, 2 combi,
        3 CPSU, ...), ``condensing`` (2 yes), ``winter_efficiency_pct`` and
        ``summer_efficiency_pct`` (the SAP 10.2 Appendix D seasonal efficiencies, %), all
        null where the index is not held."""
        ...


#: PCDB table 105 codes (fuel 1 gas, 2 LPG, 4 oil; main type 1 regular, 2 combi, 3 CPSU;
#: condensing 2 yes) -> the SAP 10.2 Table 4b code of a 1998-or-later boiler of that kind,
#: automatic ignition (PCDB_RDSAP_DEFAULTS_LEADS.md section 1.3; EPCTK code meanings, LINEAGE).
#: Keyed (gas or oil, main type, condensing).
PCDB_KIND_CODES: dict[tuple[str, int, bool], int] = {
    ("gas", 1, False): 101, ("gas", 1, True): 102, ("gas", 2, False): 103,
    ("gas", 2, True): 104, ("gas", 3, False): 120, ("gas", 3, True): 121,
    ("oil", 1, False): 126, ("oil", 1, True): 127, ("oil", 2, False): 129,
    ("oil", 2, True): 130}
#: PCDB table 105 fuel codes of each group of :data:`PCDB_KIND_CODES`.
_PCDB_FUELS = {"gas": (1, 2), "oil": (4,)}
_NO_CODE = -1


def _column(product: pa.Table, name: str) -> pa.Array:
    col = product.column(name)
    return col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col


def _ints(arr: pa.Array) -> np.ndarray:
    """An integer code column as int64, -1 where null or not a whole number."""
    if len(arr) == 0:
        return np.zeros(0, dtype=np.int64)
    if not pa.types.is_integer(arr.type):
        values = _floats(arr)
        whole = np.isfinite(values) & (values == np.round(values))
        return np.where(whole, np.nan_to_num(values), _NO_CODE).astype(np.int64)
    return np.asarray(pc.fill_null(arr.cast(pa.int64()), _NO_CODE).to_numpy(),
                      dtype=np.int64)


def _floats(arr: pa.Array) -> np.ndarray:
    """A numeric column as float64, NaN where null (or, for text, not a number)."""
    if len(arr) == 0:
        return np.zeros(0)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        out = np.full(len(arr), np.nan)
        for i, text in enumerate(arr.to_pylist()):
            try:
                out[i] = float(text) if text is not None else np.nan
            except ValueError:
                pass
        return out
    if pa.types.is_boolean(arr.type):
        arr = arr.cast(pa.int8())
    return np.asarray(arr.cast(pa.float64()).to_numpy(zero_copy_only=False),
                      dtype=np.float64)


def product_efficiencies(product: pa.Table) -> tuple[np.ndarray, np.ndarray]:
    """(winter, summer) seasonal efficiencies (%) of each looked-up row, NaN where null."""
    return (_floats(_column(product, "winter_efficiency_pct")),
            _floats(_column(product, "summer_efficiency_pct")))


def pcdb_boiler_codes(product: pa.Table) -> np.ndarray:
    """Per row of a ``boilers_for`` result: the Table 4b code of the product's kind, 0
    where not found, not a gas / LPG / oil boiler of a known type, or without both seasonal
    efficiencies."""
    found = np.asarray(_column(product, "found").to_numpy(zero_copy_only=False), dtype=bool)
    fuel = _ints(_column(product, "fuel"))
    kind = _ints(_column(product, "main_type"))
    condensing = _ints(_column(product, "condensing")) == 2
    winter, summer = product_efficiencies(product)
    usable = found & np.isfinite(winter) & np.isfinite(summer)
    out = np.zeros(product.num_rows, dtype=np.int64)
    for (group, main_type, cond), code in PCDB_KIND_CODES.items():
        rows = usable & np.isin(fuel, _PCDB_FUELS[group]) & (kind == main_type) \
            & (condensing == cond)
        out = np.where(rows, code, out)
    return out
