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

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["PCDB_HEAT_PUMP_CODE", "PCDB_KIND_CODES", "BoilerProducts", "HeatPumpLookup",
           "HeatPumpRecords", "cylinder_meets_record", "cylinder_table2_loss_kwh_day",
           "heat_pump_records", "list_values", "pcdb_boiler_codes",
           "product_efficiencies"]


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


# ---------------------------------------------------------------------------- heat pumps --

@runtime_checkable
class HeatPumpLookup(Protocol):
    """The user's PCDB as far as heat pumps go (``ara.rdsap.pcdb.Pcdb`` satisfies it)."""

    def heat_pumps_for(self, index_numbers: Any) -> pa.Table:
        """PCDB table 362 rows aligned one for one with ``index_numbers``: a leading boolean
        ``found`` column, then the fields of ``ara.rdsap.pcdb_layouts`` (``fuel``,
        ``service_provision``, ``psr_count``, ``max_output_kw``, ``heating_duration``, the
        vessel fields and the list columns ``psr`` / ``space_efficiency_pct`` /
        ``water_efficiency_pct`` of its datasets), null where the index is not held."""
        ...


#: PCDF table 362 codes (PCDF format 464 field descriptions; see
#: ara.rdsap.expansion.services_products for the sources of every rule below).
HP_ELECTRIC_FUEL = 39
SPACE_AND_WATER_ALL_YEAR, SPACE_AND_WATER_SEASON, SPACE_ONLY = 1, 2, 3
#: SAP 10.2 Table N4 daily heating durations.
HEATING_DURATIONS = ("24", "16", "9", "V")
#: Table 4a code written for an electric wet heat pump with product data: with product data
#: none of its Table 4a values is used (Appendix N3.1), it tells the calculator the system is
#: an electric heat pump with radiators or underfloor heating.
PCDB_HEAT_PUMP_CODE = 224


@dataclass
class HeatPumpRecords:
    """The PCDB table 362 records of one main system's heat pumps, per row looked up."""

    found: np.ndarray  # the index is a record of the user's PCDB (and the row needs one)
    usable: np.ndarray  # the record is written for the row
    reasons: dict[str, np.ndarray]  # why a found record is not usable -> rows
    offsets: np.ndarray  # (n + 1,) PSR points of the usable rows
    psr: np.ndarray
    space: np.ndarray
    water: np.ndarray  # NaN where the record has none
    max_output_kw: np.ndarray
    duration: np.ndarray  # object: '24' / '16' / '9' / 'V' / ''
    vessel_volume_l: np.ndarray
    vessel_loss_kwh_day: np.ndarray
    vessel_hx_area_m2: np.ndarray

    def psr_data(self, i: int) -> list[dict[str, float | None]]:
        """Row ``i``'s datasets as ``main{k}_hp_psr_data`` items."""
        lo, hi = int(self.offsets[i]), int(self.offsets[i + 1])
        return [{"psr": float(self.psr[j]), "space_efficiency_percent": float(self.space[j]),
                 "water_efficiency_percent": float(self.water[j])
                 if np.isfinite(self.water[j]) else None} for j in range(lo, hi)]


def list_values(table: pa.Table, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A list column flattened: (values as float64, parent row of each, length per row)."""
    arr = _column(table, name)
    lengths = np.asarray(pc.fill_null(pc.list_value_length(arr), 0).to_numpy(
        zero_copy_only=False), dtype=np.int64)
    parents = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False),
                         dtype=np.int64)
    return _floats(pc.list_flatten(arr)), parents, lengths


def _every(ok: np.ndarray, parents: np.ndarray, n: int) -> np.ndarray:
    """Per row: every item of the row holds ``ok`` (true for a row without items)."""
    return np.bincount(parents[~ok], minlength=n) == 0


def heat_pump_records(rec: pa.Table, needs: np.ndarray, heats_water: np.ndarray,
                      main: int) -> HeatPumpRecords:
    """Which ``heat_pumps_for`` rows can be used for the rows of ``needs`` (electric wet heat
    pumps lodged by index without a SAP code) and their Appendix N data; ``heats_water``:
    the system heats the water. A record is used when it is an electric product (fuel 39)
    with one dataset of positive, strictly increasing PSRs and positive space efficiencies,
    a positive maximum output and, for main system 1, a Table N4 heating duration; when it
    heats the water its service provision must be 1 with a water efficiency at every PSR.
    ``reasons`` names, per reason, the found rows it makes unusable."""
    n = needs.size
    found = needs & np.asarray(_column(rec, "found").to_numpy(zero_copy_only=False),
                               dtype=bool)
    psr, parents, counts = list_values(rec, "psr")
    space, _, _ = list_values(rec, "space_efficiency_pct")
    water, _, _ = list_values(rec, "water_efficiency_pct")
    if water.size != psr.size:  # a format without water efficiencies in its groups
        water = np.full(psr.size, np.nan)
    psr_count = _ints(_column(rec, "psr_count"))
    fuel = _ints(_column(rec, "fuel"))
    provision = _ints(_column(rec, "service_provision"))
    max_kw = _floats(_column(rec, "max_output_kw"))
    duration = np.array(pc.fill_null(pc.utf8_trim_whitespace(
        _column(rec, "heating_duration").cast(pa.string())), "").to_pylist(), dtype=object)

    increasing = np.ones(psr.size, dtype=bool)
    increasing[1:] = (parents[1:] != parents[:-1]) | (np.diff(psr) > 0)
    points_ok = _every((psr > 0) & increasing & (space > 0), parents, n) & (counts > 0)
    water_ok = _every(water > 0, parents, n)
    bad = {
        "not an electric heat pump (record fuel is not 39)": fuel != HP_ELECTRIC_FUEL,
        "more than one dataset (the air-flow-rate datasets of an exhaust air heat pump: "
        "which applies is not established)": counts != psr_count,
        "its PSR datasets are not positive and strictly increasing with positive space "
        "efficiencies": ~points_ok,
        "no positive maximum output": ~(max_kw > 0),
        "it heats the water but its service provision is not 1 (space and water all year) "
        "or it has no water efficiency at every PSR":
            heats_water & ~((provision == SPACE_AND_WATER_ALL_YEAR) & water_ok),
        "service provision not space heating (1-3)":
            ~np.isin(provision, (SPACE_AND_WATER_ALL_YEAR, SPACE_AND_WATER_SEASON, SPACE_ONLY)),
    }
    if main == 1:
        bad["no Table N4 daily heating duration ('24', '16', '9', 'V')"] = \
            ~np.isin(duration, HEATING_DURATIONS)
    unusable = np.logical_or.reduce(list(bad.values()))
    usable = found & ~unusable
    keep = usable[parents] if parents.size else np.zeros(0, dtype=bool)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.where(usable, counts, 0), out=offsets[1:])
    return HeatPumpRecords(
        found=found, usable=usable, reasons={text: found & rows for text, rows in bad.items()},
        offsets=offsets, psr=psr[keep], space=space[keep], water=water[keep],
        max_output_kw=max_kw, duration=duration,
        vessel_volume_l=_floats(_column(rec, "vessel_volume_l")),
        vessel_loss_kwh_day=_floats(_column(rec, "vessel_heat_loss_kwh_day")),
        vessel_hx_area_m2=_floats(_column(rec, "vessel_hx_area_m2")))


def cylinder_meets_record(hp: HeatPumpRecords, volume_l: np.ndarray, loss_kwh_day: np.ndarray,
                          hx_area_m2: np.ndarray) -> np.ndarray:
    """SAP 10.2 Table N8: the dwelling's cylinder meets the record's vessel criteria (volume
    at least the record's, heat-exchanger area at least the record's unless the record's is
    0, heat loss at most the record's); a criterion that is unknown (NaN) is not met."""
    area_ok = (hp.vessel_hx_area_m2 == 0) | (hx_area_m2 >= hp.vessel_hx_area_m2)
    return hp.usable & area_ok & (volume_l >= hp.vessel_volume_l) \
        & np.isfinite(loss_kwh_day) & (loss_kwh_day <= hp.vessel_loss_kwh_day)


def cylinder_table2_loss_kwh_day(volume: np.ndarray, ins_type: np.ndarray,
                                 ins_mm: np.ndarray) -> np.ndarray:
    """(47) x (51) x (52): a cylinder's SAP 10.2 Table 2 / 2a loss without the Table 2b
    factor (``ins_type`` 1 factory-applied, 2 loose jacket; ``ins_mm`` its thickness)."""
    from ara.sap.tables import read_table

    k = {r["name"]: float(r["value"]) for r in read_table("sap10_2_worksheet_constants.csv")
         if r["name"].startswith("cylinder_")}
    jacket = ins_type == 2
    loss = k["cylinder_loss_base"] + np.where(
        jacket, k["cylinder_jacket_a"] / (ins_mm + k["cylinder_jacket_t0"]),
        k["cylinder_factory_a"] / (ins_mm + k["cylinder_factory_t0"]))
    with np.errstate(divide="ignore", invalid="ignore"):
        vf = (k["cylinder_vf_reference"] / volume) ** (1.0 / 3.0)
    return volume * loss * vf
