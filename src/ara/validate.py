"""``ara validate``: rate many certificates and measure Ara against the lodged figures.

:func:`validate` reads certificate files, folders of them and register bulk archives (NDJSON,
plain or ``.gz``; ``.zip`` of JSON / XML / NDJSON / CSV files) one document at a time and
hands them to the readers (:func:`ara.rdsap.readers.read_documents`,
:func:`~ara.rdsap.readers.iter_summary_csv`, the full-SAP readers of :mod:`ara.sap`) in
batches of ``batch_size`` certificates. Each batch is expanded (RdSAP 10,
:func:`ara.rdsap.expansion.expand`, in ``strict`` or ``estimate`` mode, decision 0022) and rated
(:func:`ara.sap.calculate`) in one vectorised call each; only aggregates are kept, so memory
stays flat in the number of certificates:

* **coverage**: certificates rated, rated as estimates, refused (by a reader's rules, the
  expansion or the calculator), unreadable; refusal reasons counted per certificate, grouped
  by field and the stable head of the message (digits folded to ``#``), strict-mode fallback
  refusals by the fallback's id (``fallback <id>``); the fallbacks used by the ratings,
  counted by id;
* **accuracy** of the SAP 10.2 lodgements (``RdSAP-Schema-21.x``, ``SAP-Schema-19.x``; older
  schemas lodge SAP 2012 figures and count for coverage only): SAP (continuous against the
  lodged integer, and integer against integer), EI, CO2 (t/yr) and primary energy
  (kWh/m2/yr) as mean absolute error, bias (mean of calculated minus lodged) and the share of
  certificates within 0.5 / 1 / 2 / 5 points (CO2 and primary energy: within 0.5 / 1 / 2 / 5 %
  of the lodged figure), overall and by schema version, age band of the main building part,
  property type, main heating (category, else SAP code group) and main fuel;
* a histogram of the SAP error and a bounded sample of (lodged, calculated) SAP points for
  the report's scatter chart (the points of lowest pseudo-random priority, a hash of the point:
  the same sample however the run is split).

The summary is plain, mergeable data (:meth:`ValidationSummary.merge`, exact, associative and
commutative): accuracy is kept as counts, exact sums (integers, see :func:`exact_sums`) and
histogram bins, never means, and each refusal example carries its place in the run, so that
the earliest wins. A converted dataset (``ara convert``'s Parquet parts) is validated partition
by partition (:func:`validate_partition`), in this process or on a Dask cluster
(``cluster_workers`` / ``scheduler``, issue 18), and the partitions' summaries merged: the
figures are the same either way.

Full SAP certificates (``SAP-Schema-19.x`` XML, which the RdSAP readers hand back unread, and
their register JSON) are read by :mod:`ara.sap.xml_reader` / :mod:`ara.sap.sap_json_reader`
in the run's mode and rated without the RdSAP expansion. Open-data CSV summary rows are
completed by the CSV inference (an estimate by nature, ``csv_summary_inference``): strict mode
refuses them.
"""

from __future__ import annotations

import gzip
import io
import json
import math
import os
import re
import sys
import time
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.batches import rebatch
from ara.sap.fallbacks import Mode, check_mode, fallback, refusal_text

if TYPE_CHECKING:
    from ara.rdsap.readers import ReadFailure

__all__ = ["DEFAULT_BATCH_SIZE", "DIMENSIONS", "METRICS", "SCORED_SCHEMAS", "THRESHOLDS",
           "MetricStats", "ValidationSummary", "by_count", "exact_sums", "reason_key",
           "validate", "validate_partition"]

DEFAULT_BATCH_SIZE = 5_000
#: Register schemas that lodge SAP 10.2 figures: scored for accuracy.
SCORED_SCHEMAS = re.compile(r"^(RdSAP-Schema-21\.|SAP-Schema-19\.)")
SCORED_SCHEMAS_TEXT = "RdSAP-Schema-21.x, SAP-Schema-19.x"
#: "within" thresholds: points (SAP, EI) or per cent of the lodged figure (CO2, PE)
THRESHOLDS = (0.5, 1.0, 2.0, 5.0)
DIMENSIONS = ("schema_version", "age_band", "property_type", "main_heating", "main_fuel")
#: Histogram of the SAP error (continuous calculated minus lodged): bins of HIST_STEP points
HIST_LOW, HIST_HIGH, HIST_STEP = -50.0, 50.0, 0.5
RESERVOIR_SIZE = 5_000
#: Exact sums of float64 values are integers in units of 2**-EXACT_SHIFT: every finite double
#: is a whole number of them (the smallest subnormal is 2**-1074, a mantissa has 53 bits).
EXACT_SHIFT = 1126
#: One example certificate is kept per refusal reason, for at most this many reasons.
MAX_EXAMPLES = 200
NOT_LODGED = "(not lodged)"
CSV_FALLBACK = "csv_summary_inference"


@dataclass(frozen=True)
class _Metric:
    label: str
    unit: str
    relative: bool  # "within" measured in % of the lodged figure
    calculated: str  # the calculator's output column
    lodged: str  # the column of the batch's lodged figures (see _lodged_meta)


#: metric id -> what is compared. Lodged CO2 is stored in kg/yr by the readers (lodged in
#: t/yr) and the calculator's co2_kg_per_year is kg/yr: both are compared in t/yr.
METRICS: dict[str, _Metric] = {
    "sap": _Metric("SAP rating (continuous) vs lodged", "points", False,
                   "sap_rating_continuous", "lodged_sap"),
    "sap_integer": _Metric("SAP rating (integer) vs lodged", "points", False, "sap_rating",
                           "lodged_sap"),
    "ei": _Metric("EI rating (continuous) vs lodged", "points", False, "ei_rating_continuous",
                  "lodged_ei"),
    "co2": _Metric("CO2 emissions", "t/yr", True, "co2_t_per_year", "lodged_co2_t"),
    "pe": _Metric("primary energy", "kWh/m2/yr", True, "primary_energy_kwh_per_m2",
                  "lodged_pe"),
}

_PROPERTY_TYPES = {"0": "house", "1": "bungalow", "2": "flat", "3": "maisonette",
                   "4": "park home"}
_HEATING_CATEGORIES = {"1": "none", "2": "boiler", "3": "micro-CHP", "4": "heat pump (wet)",
                       "5": "heat pump (warm air)", "6": "heat network", "7": "storage heaters",
                       "8": "electric underfloor", "9": "warm air", "10": "room heaters",
                       "11": "other"}

_META_SCHEMA = pa.schema([
    ("dwelling_id", pa.string()), ("schema_version", pa.string()),
    ("lodged_sap", pa.float64()), ("lodged_ei", pa.float64()),
    ("lodged_co2_t", pa.float64()), ("lodged_pe", pa.float64()),
    ("age_band", pa.string()), ("property_type", pa.string()),
    ("main_heating", pa.string()), ("main_fuel", pa.string()),
])


# ------------------------------------------------------------------------------------------
# The summary
# ------------------------------------------------------------------------------------------
def exact_sums(index: np.ndarray, values: np.ndarray, groups: int) -> list[int]:
    """Per group ``0 .. groups - 1``, the exact sum of the finite float64 ``values`` whose
    ``index`` is that group, as an integer number of ``2**-EXACT_SHIFT``: sums that add up
    exactly in any order, so that summaries merge exactly.

    Each value is its 53-bit integer mantissa times a power of two (``numpy.frexp``); the
    mantissas are split into 27 high and 26 low bits and summed per (group, exponent) with
    ``numpy.bincount``, exact in float64 for up to 2**25 values at a time."""
    totals = [0] * groups
    if len(values) == 0:
        return totals
    mantissa, exponent = np.frexp(np.asarray(values, dtype=np.float64))
    whole = (mantissa * 2.0 ** 53).astype(np.int64)  # exact: |mantissa| < 1
    high, low = (whole >> 26).astype(np.float64), (whole & ((1 << 26) - 1)).astype(np.float64)
    exponents, which = np.unique(exponent, return_inverse=True)
    width = len(exponents)
    key = np.asarray(index, dtype=np.int64) * width + which.reshape(-1)
    step = 1 << 25
    for start in range(0, len(key), step):
        part = slice(start, start + step)
        high_sums = np.bincount(key[part], weights=high[part], minlength=groups * width)
        low_sums = np.bincount(key[part], weights=low[part], minlength=groups * width)
        for slot in np.flatnonzero((high_sums != 0) | (low_sums != 0)).tolist():
            group, at = divmod(slot, width)
            # value = whole * 2**(exponent - 53) = (whole << (exponent + 1073)) units
            totals[group] += ((int(high_sums[slot]) << 26) + int(low_sums[slot])) \
                << (int(exponents[at]) + EXACT_SHIFT - 53)
    return totals


@dataclass
class MetricStats:
    """Sums of one metric over a group, kept exact so that they merge in any order; the
    figures (MAE, bias, shares) are derived from them."""

    n: int = 0
    abs_units: int = 0
    """sum of |calculated - lodged|, exactly, in units of 2**-EXACT_SHIFT"""
    signed_units: int = 0
    """sum of (calculated - lodged), exactly, in the same units"""
    within: list[int] = field(default_factory=lambda: [0] * len(THRESHOLDS))

    def add(self, n: int, abs_units: int, signed_units: int, within: Sequence[int]) -> None:
        """Add the sums of more certificates (their count, exact sums, within-counts)."""
        self.n += n
        self.abs_units += abs_units
        self.signed_units += signed_units
        self.within = [a + int(b) for a, b in zip(self.within, within, strict=True)]

    def merged(self, other: MetricStats) -> MetricStats:
        out = MetricStats(self.n, self.abs_units, self.signed_units, list(self.within))
        out.add(other.n, other.abs_units, other.signed_units, other.within)
        return out

    @property
    def sum_abs(self) -> float:
        return self.abs_units / (1 << EXACT_SHIFT)  # int / int: correctly rounded

    @property
    def sum_signed(self) -> float:
        return self.signed_units / (1 << EXACT_SHIFT)

    @property
    def mae(self) -> float | None:
        return self.abs_units / (self.n << EXACT_SHIFT) if self.n else None

    @property
    def bias(self) -> float | None:
        return self.signed_units / (self.n << EXACT_SHIFT) if self.n else None

    def shares(self) -> dict[str, float | None]:
        return {_threshold_key(t): (w / self.n if self.n else None)
                for t, w in zip(THRESHOLDS, self.within, strict=True)}

    def to_dict(self) -> dict[str, Any]:
        return {"n": self.n, "mae": _round(self.mae), "bias": _round(self.bias),
                "share_within": {k: _round(v) for k, v in self.shares().items()}}


def _threshold_key(t: float) -> str:
    return f"{t:g}"


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


@dataclass
class ValidationSummary:
    """What :func:`validate` found. Counts are certificates (a CSV file counts per row)."""

    mode: str
    inputs: list[str]
    batch_size: int
    certificates: int = 0
    rated: int = 0
    """rated from lodged data and the spec alone"""
    rated_estimate: int = 0
    """rated with at least one declared estimate fallback (estimate mode)"""
    refused: int = 0
    unreadable: int = 0
    scored: int = 0
    """rated SAP 10.2 lodgements (the schemas of SCORED_SCHEMAS)"""
    by_schema: dict[str, dict[str, int]] = field(default_factory=dict)
    """schema version -> rated / rated_estimate / refused"""
    refusal_reasons: Counter[str] = field(default_factory=Counter)
    refusal_examples: dict[str, str] = field(default_factory=dict)
    """reason -> one certificate refused for it and its full refusal text"""
    example_order: dict[str, tuple[int, ...]] = field(default_factory=dict)
    """reason -> where its example came in the run (the earliest is kept, for at most
    MAX_EXAMPLES reasons: the earliest ones)"""
    unreadable_reasons: Counter[str] = field(default_factory=Counter)
    fallbacks_used: Counter[str] = field(default_factory=Counter)
    """fallback id -> certificates rated with it"""
    accuracy: dict[str, dict[str, dict[str, MetricStats]]] = field(default_factory=dict)
    """metric -> dimension ('overall' or one of DIMENSIONS) -> group label -> sums"""
    sap_error_counts: list[int] = field(
        default_factory=lambda: [0] * round((HIST_HIGH - HIST_LOW) / HIST_STEP))
    sap_error_below: int = 0
    sap_error_above: int = 0
    sample_lodged: list[float] = field(default_factory=list)
    """sample of scored certificates (at most RESERVOIR_SIZE, those of lowest priority, in
    that order; see _bottom_k): lodged SAP (integer)"""
    sample_calculated: list[float] = field(default_factory=list)
    """... and the calculated SAP (continuous) of the same certificates"""
    elapsed_s: float = 0.0

    @property
    def rated_total(self) -> int:
        return self.rated + self.rated_estimate

    @property
    def exit_code(self) -> int:
        """0 when every certificate read was rated (estimates count), 1 when any was refused
        or unreadable, 2 when the inputs held no certificate at all (nothing was measured)."""
        if self.certificates == 0 and not self.unreadable:
            return 2
        return 1 if self.refused or self.unreadable else 0

    @property
    def certificates_per_s(self) -> float:
        return self.certificates / self.elapsed_s if self.elapsed_s > 0 else 0.0

    def overall(self, metric: str) -> MetricStats:
        return self.accuracy.get(metric, {}).get("overall", {}).get("all", MetricStats())

    def groups(self, metric: str, dimension: str) -> dict[str, MetricStats]:
        return self.accuracy.get(metric, {}).get(dimension, {})

    def histogram_edges(self) -> list[float]:
        return [HIST_LOW + k * HIST_STEP for k in range(len(self.sap_error_counts) + 1)]

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (no NaN; the reservoir sample is left out)."""
        accuracy: dict[str, Any] = {}
        for metric, spec in METRICS.items():
            accuracy[metric] = {
                "label": spec.label, "unit": spec.unit,
                "within_unit": "% of lodged" if spec.relative else spec.unit,
                "overall": self.overall(metric).to_dict(),
                "by": {dim: {label: stats.to_dict() for label, stats in
                             sorted(self.groups(metric, dim).items())}
                       for dim in DIMENSIONS},
            }
        return {
            "mode": self.mode, "inputs": self.inputs, "batch_size": self.batch_size,
            "coverage": {"certificates": self.certificates, "rated": self.rated,
                         "rated_estimate": self.rated_estimate, "refused": self.refused,
                         "unreadable": self.unreadable, "scored": self.scored,
                         "not_scored": self.rated_total - self.scored,
                         "by_schema": {k: dict(v) for k, v in sorted(self.by_schema.items())}},
            "scored_schemas": SCORED_SCHEMAS_TEXT,
            "refusal_reasons": dict(by_count(self.refusal_reasons)),
            "unreadable_reasons": dict(by_count(self.unreadable_reasons)),
            "fallbacks_used": dict(by_count(self.fallbacks_used)),
            "refusal_examples": dict(sorted(self.refusal_examples.items())),
            "accuracy": accuracy,
            "sap_error_histogram": {"low": HIST_LOW, "high": HIST_HIGH, "bin_width": HIST_STEP,
                                    "counts": list(self.sap_error_counts),
                                    "below": self.sap_error_below,
                                    "above": self.sap_error_above},
            "sample_size": len(self.sample_lodged),
            "elapsed_s": round(self.elapsed_s, 3),
            "certificates_per_s": round(self.certificates_per_s, 1),
            "exit_code": self.exit_code,
        }

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), allow_nan=False, **kwargs)

    def merge(self, other: ValidationSummary) -> ValidationSummary:
        """The summary of both runs' certificates, exactly as if one run had read them all:
        counts and exact sums added, refusal examples the earliest, the sample the points of
        lowest priority. Associative and commutative; the run's settings (mode, batch size)
        must agree; inputs are the sorted union and the time the longer of the two (the caller
        sets both for the whole run)."""
        if (self.mode, self.batch_size) != (other.mode, other.batch_size):
            raise ValueError(f"cannot merge a {self.mode} run (batches of {self.batch_size}) "
                             f"with a {other.mode} run (batches of {other.batch_size})")
        out = ValidationSummary(
            mode=self.mode, inputs=sorted(set(self.inputs) | set(other.inputs)),
            batch_size=self.batch_size, elapsed_s=max(self.elapsed_s, other.elapsed_s))
        for name in ("certificates", "rated", "rated_estimate", "refused", "unreadable",
                     "scored", "sap_error_below", "sap_error_above"):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        for name in ("refusal_reasons", "unreadable_reasons", "fallbacks_used"):
            setattr(out, name, getattr(self, name) + getattr(other, name))
        for schema in sorted(set(self.by_schema) | set(other.by_schema)):
            mine, theirs = self.by_schema.get(schema, {}), other.by_schema.get(schema, {})
            out.by_schema[schema] = {what: mine.get(what, 0) + theirs.get(what, 0)
                                     for what in ("rated", "rated_estimate", "refused")}
        for metric in METRICS:
            out.accuracy[metric] = {}
            for dim in ("overall", *DIMENSIONS):
                mine_groups, theirs_groups = self.groups(metric, dim), other.groups(metric, dim)
                out.accuracy[metric][dim] = {
                    label: mine_groups.get(label, MetricStats()).merged(
                        theirs_groups.get(label, MetricStats()))
                    for label in sorted(set(mine_groups) | set(theirs_groups))}
        _keep_examples(out, {k: (self.example_order[k], v)
                             for k, v in self.refusal_examples.items()})
        _keep_examples(out, {k: (other.example_order[k], v)
                             for k, v in other.refusal_examples.items()})
        out.sap_error_counts = [a + b for a, b in
                                zip(self.sap_error_counts, other.sap_error_counts, strict=True)]
        sample = _bottom_k(np.concatenate([_points(self), _points(other)]))
        out.sample_lodged, out.sample_calculated = sample[:, 0].tolist(), sample[:, 1].tolist()
        return out


def by_count(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most frequent first, ties by name: the same order however the counts were merged."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _keep_examples(summary: ValidationSummary,
                   offered: dict[str, tuple[tuple[int, ...], str]]) -> None:
    """Add refusal examples (reason -> (place in the run, text)): per reason the earliest is
    kept, and only the MAX_EXAMPLES reasons whose examples came earliest."""
    held, texts = summary.example_order, summary.refusal_examples
    for key, (order, text) in offered.items():
        if key not in held or order < held[key]:
            held[key], texts[key] = order, text
    if len(held) > MAX_EXAMPLES:
        kept = sorted(held, key=held.__getitem__)[:MAX_EXAMPLES]
        summary.example_order = {k: held[k] for k in kept}
        summary.refusal_examples = {k: texts[k] for k in kept}


def _points(summary: ValidationSummary) -> np.ndarray:
    return np.array([summary.sample_lodged, summary.sample_calculated],
                    dtype=np.float64).reshape(2, -1).T


def _mix64(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser (uint64 arithmetic wraps around)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _bottom_k(points: np.ndarray) -> np.ndarray:
    """The RESERVOIR_SIZE (lodged, calculated) points of lowest priority, in that order. The
    priority is a hash of the point's two values alone, so the sample is a pseudo-random
    sample that does not depend on the order of the points or on how they were split;
    ties (equal priorities) are ordered by the values' bits."""
    points = np.ascontiguousarray(points, dtype=np.float64).reshape(-1, 2)
    bits = points.view(np.uint64)
    priority = _mix64(bits[:, 0] ^ _mix64(bits[:, 1]))
    order = np.lexsort((bits[:, 1], bits[:, 0], priority))
    return points[order[:RESERVOIR_SIZE]]


# ------------------------------------------------------------------------------------------
# Refusal reasons
# ------------------------------------------------------------------------------------------
_FALLBACK_RE = re.compile(r"estimate mode would use fallback ([A-Za-z0-9_]+)")
_HEAD_END = re.compile(r": |; | \(")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_FIELD_HEAD = r"^[A-Za-z_*][A-Za-z0-9_.\[\]*]*: "


@lru_cache(maxsize=4096)
def reason_key(field_name: str | None, message: str) -> str:
    """The group of one refusal (or read failure): ``fallback <id>`` for a strict-mode
    refusal that a declared fallback would fill, else ``field: head`` with head the message up
    to its first ``': '``, ``'; '`` or ``' ('`` and digits folded to ``#``."""
    if match := _FALLBACK_RE.search(message) or _FALLBACK_RE.search(field_name or ""):
        return f"fallback {match[1]}"
    head = _NUMBER.sub("#", _HEAD_END.split(message, maxsplit=1)[0]).strip()
    return f"{field_name}: {head}" if field_name else head


def _count_keys(rows: np.ndarray, pairs: pa.Array | pa.ChunkedArray,
                split: Callable[[str], tuple[str, str]]
                ) -> tuple[Counter[str], dict[str, int]]:
    """Certificates per reason key: ``pairs`` holds one encoded reason per entry of ``rows``
    (a certificate's row may repeat); ``split`` decodes an entry into (field, message). Keys
    are computed once per distinct entry. Returns the counts and, per key, a row holding it."""
    if len(rows) == 0:
        return Counter(), {}
    if isinstance(pairs, pa.ChunkedArray):
        pairs = pairs.combine_chunks()
    encoded = pairs.dictionary_encode()
    keys = [reason_key(*split(text)) for text in encoded.dictionary.to_pylist()]
    distinct = list(dict.fromkeys(keys))
    position = {k: i for i, k in enumerate(distinct)}
    key_id = np.array([position[k] for k in keys], dtype=np.int64)
    which = key_id[encoded.indices.to_numpy(zero_copy_only=False)]
    k = len(distinct)
    combined = np.unique(rows.astype(np.int64) * k + which)  # distinct (row, key), by row
    counts = np.bincount(combined % k, minlength=k)
    present, at = np.unique(combined % k, return_index=True)  # the first row of each key
    first = {distinct[key]: int(combined[i] // k)
             for key, i in zip(present.tolist(), at.tolist(), strict=True)}
    return Counter({key: int(c) for key, c in zip(distinct, counts.tolist(), strict=True)
                    if c}), first


def _split_pair(text: str) -> tuple[str, str]:
    name, _, message = text.partition("\x1f")
    return name, message


def _split_fragment(text: str) -> tuple[str, str]:
    name, sep, message = text.partition(": ")
    return (name, message) if sep else ("", text)


# ------------------------------------------------------------------------------------------
# Lodged figures and the breakdown of each certificate
# ------------------------------------------------------------------------------------------
def _first(column: pa.ChunkedArray | pa.Array, member: str) -> pa.Array:
    """``member`` of the first item of a list<struct> column, null for an empty list."""
    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    n = len(array)
    sliced = pc.list_slice(array, 0, 1)
    flat = pc.list_flatten(sliced)
    parents = pc.list_parent_indices(sliced).to_numpy(zero_copy_only=False)
    position = np.full(n, -1, dtype=np.int64)
    position[parents] = np.arange(len(flat))
    firsts = flat.take(pa.array(position, mask=position < 0))
    return pc.struct_field(firsts, member)


def _floats(column: Any) -> pa.Array:
    return pc.cast(column, pa.float64())


def _heating_group(category: Any, code: Any) -> pa.Array:
    by_category = pc.binary_join_element_wise("category ", category, "")
    by_code = pc.binary_join_element_wise("SAP code ", pc.utf8_slice_codeunits(code, 0, -2),
                                          "xx", "")
    return pc.coalesce(by_category, by_code)


def _certificate_meta(certs: pa.Table, ids: pa.Array) -> pa.Table:
    """The lodged figures and breakdown keys of CERTIFICATE_SCHEMA rows, column-wise."""
    heating = certs.column("main_heating")
    return pa.Table.from_arrays([
        ids, pc.cast(certs.column("schema_type"), pa.string()),
        _floats(certs.column("energy_rating_current")),
        _floats(certs.column("environmental_impact_current")),
        pc.divide(_floats(certs.column("co2_emissions_current_kg_per_yr")), 1000.0),
        _floats(certs.column("energy_consumption_current_kwh_per_m2_yr")),
        _first(certs.column("building_parts"), "construction_age_band"),
        pc.cast(certs.column("property_type"), pa.string()),
        _heating_group(_first(heating, "main_heating_category"),
                       _first(heating, "sap_main_heating_code")),
        _first(heating, "main_fuel_type"),
    ], schema=_META_SCHEMA)


def _dig(document: Any, *path: str | int) -> Any:
    for step in path:
        if isinstance(step, int):
            if not isinstance(document, list) or len(document) <= step:
                return None
        elif not isinstance(document, dict):
            return None
        document = document[step] if isinstance(step, int) else document.get(step)
    if isinstance(document, dict):  # an element with attributes: {"value": ..., ...}
        document = document.get("value")
    return document


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _sap_xml_meta(data: bytes, dwelling_id: str) -> dict[str, Any]:
    """The lodged figures and breakdown keys of a full SAP XML certificate."""
    from ara.rdsap.readers.xml_document import detect_schema_type, parse_xml, xml_to_document

    root = parse_xml(data, dwelling_id)
    document = xml_to_document(root, complete=False)
    schema, _guessed = detect_schema_type(root, document)
    return _sap_meta(document, schema, dwelling_id)


def _sap_meta(document: dict[str, Any], schema: str | None, dwelling_id: str
              ) -> dict[str, Any]:
    """The lodged figures and breakdown keys of a full SAP certificate in the register's JSON
    shape (the XML's collected data sit under ``sap10_data``, the register JSON's at the top
    level). CO2 is lodged in t/yr; the main fuel in SAP's own fuel codes."""
    sap = document.get("sap10_data")
    sap = sap if isinstance(sap, dict) else document
    heating = _dig(sap, "sap_heating", "main_heating_details")
    main = heating[0] if isinstance(heating, list) and heating else {}
    category, code = _dig(main, "main_heating_category"), _dig(main, "main_heating_code")
    fuel = _dig(main, "main_fuel_type")
    group = (f"category {category}" if category is not None
             else f"SAP code {str(code)[:-2]}xx" if code is not None else None)
    age = _dig(sap, "sap_building_parts", 0, "construction_age_band")
    kind = _dig(document, "property_type")
    return {"dwelling_id": dwelling_id, "schema_version": schema,
            "lodged_sap": _number(_dig(document, "energy_rating_current")),
            "lodged_ei": _number(_dig(document, "environmental_impact_current")),
            "lodged_co2_t": _number(_dig(document, "co2_emissions_current")),
            "lodged_pe": _number(_dig(document, "energy_consumption_current")),
            "age_band": str(age) if age is not None else None,
            "property_type": str(kind) if kind is not None else None,
            "main_heating": group,
            "main_fuel": f"SAP fuel {fuel}" if fuel is not None else None}


@lru_cache(maxsize=1)
def _fuel_names() -> dict[str, str]:
    from ara.rdsap.readers import csv_summary

    labels: dict[str, str] = getattr(csv_summary, "_FUEL_LABELS", {})
    names: dict[str, str] = {}
    for label, code in labels.items():
        names.setdefault(code, label)
    return names


def group_label(dimension: str, raw: str | None) -> str:
    """A readable label of one breakdown value (the code stays visible)."""
    if raw is None or raw == "":
        return NOT_LODGED
    if dimension == "property_type" and raw in _PROPERTY_TYPES:
        return f"{_PROPERTY_TYPES[raw]} ({raw})"
    if dimension == "main_heating" and raw.startswith("category "):
        code = raw.removeprefix("category ")
        return f"{_HEATING_CATEGORIES.get(code, 'category')} (category {code})"
    if dimension == "main_fuel" and raw in _fuel_names():
        return f"{_fuel_names()[raw]} ({raw})"
    return raw


# ------------------------------------------------------------------------------------------
# Accumulation
# ------------------------------------------------------------------------------------------
#: Where events come in a run, for the order of refusal examples: (phase, dataset,
#: partition), then the accumulator's call and the example's place in it.
Origin = tuple[int, int, int]
DOCUMENTS: Origin = (0, 0, 0)
CSV_ROWS: Origin = (1, 0, 0)
LAST_FULL_SAP: Origin = (3, 0, 0)


def dataset_origin(dataset: int, partition: int) -> Origin:
    """A dataset's partition (``partition`` -1: the certificates listed as unreadable)."""
    return (2, dataset, partition)


class _Accumulator:
    """Adds each batch's outcome to the summary: counts, sums, histogram, sample."""

    def __init__(self, summary: ValidationSummary, origin: Origin = DOCUMENTS) -> None:
        self.s = summary
        self.origin: Origin = origin
        self.calls = 0
        self.sample = _points(summary)
        for metric in METRICS:
            summary.accuracy.setdefault(metric, {})
            for dim in ("overall", *DIMENSIONS):
                summary.accuracy[metric].setdefault(dim, {})

    def start(self, origin: Origin) -> None:
        """What comes next belongs to ``origin`` (the refusal examples' order)."""
        self.origin, self.calls = origin, 0

    # -- coverage --------------------------------------------------------------------------
    def _schema_counts(self, schema: pa.Array | pa.ChunkedArray, what: str) -> None:
        if len(schema) == 0:
            return
        counts = pc.value_counts(pc.fill_null(schema, NOT_LODGED))
        for item in counts.to_pylist():
            slot = self.s.by_schema.setdefault(
                item["values"], {"rated": 0, "rated_estimate": 0, "refused": 0})
            slot[what] += int(item["counts"])

    def unreadable(self, failures: Sequence[ReadFailure]) -> None:
        self.s.unreadable += len(failures)
        self.s.certificates += len(failures)
        for failure in failures:  # read failures come one by one from the readers
            self.s.unreadable_reasons[reason_key(failure.field, failure.message)] += 1

    def refused(self, meta: pa.Table, rows: np.ndarray, reasons: Counter[str],
                examples: dict[str, tuple[str, str]]) -> None:
        """``rows`` of ``meta`` refused; ``reasons``: certificates per reason key;
        ``examples``: reason -> (certificate, refusal text)."""
        self.s.refused += len(rows)
        self.s.certificates += len(rows)
        self.s.refusal_reasons.update(reasons)
        call = self.calls
        self.calls += 1
        _keep_examples(self.s, {key: ((*self.origin, call, i), f"{who}: {text}")
                                for i, (key, (who, text)) in enumerate(examples.items())})
        self._schema_counts(meta.column("schema_version").take(pa.array(rows, pa.int64())),
                            "refused")

    # -- ratings ---------------------------------------------------------------------------
    def rated(self, meta: pa.Table, calc: pa.Table, estimate: np.ndarray,
              assumptions: pa.Array | None) -> None:
        """``meta`` and ``calc``: the rated certificates, aligned; ``estimate``: per row;
        ``assumptions``: list<string> of fallback ids per row, or None."""
        n = meta.num_rows
        if n == 0:
            return
        s = self.s
        estimates = int(estimate.sum())
        s.rated_estimate += estimates
        s.rated += n - estimates
        s.certificates += n
        schema = meta.column("schema_version")
        estimate_arr = pa.array(estimate)
        self._schema_counts(schema.filter(pc.invert(estimate_arr)), "rated")
        self._schema_counts(schema.filter(estimate_arr), "rated_estimate")
        if assumptions is not None and len(assumptions):
            flat = pc.list_flatten(assumptions)
            if len(flat):
                for item in pc.value_counts(flat).to_pylist():
                    s.fallbacks_used[item["values"]] += int(item["counts"])
        scored = pc.fill_null(pc.match_substring_regex(schema, SCORED_SCHEMAS.pattern),
                              False).to_numpy(zero_copy_only=False)
        s.scored += int(scored.sum())
        if not scored.any():
            return
        columns = {name: pc.fill_null(_floats(calc.column(name)), math.nan)
                   .to_numpy(zero_copy_only=False)
                   for name in ("sap_rating_continuous", "sap_rating", "ei_rating_continuous",
                                "primary_energy_kwh_per_m2")}
        columns["co2_t_per_year"] = pc.fill_null(_floats(calc.column("co2_kg_per_year")),
                                                 math.nan).to_numpy(zero_copy_only=False) / 1e3
        groups = {dim: pc.fill_null(meta.column(dim), "").combine_chunks().dictionary_encode()
                  for dim in DIMENSIONS}
        for metric, spec in METRICS.items():
            lodged = pc.fill_null(meta.column(spec.lodged), math.nan).to_numpy(
                zero_copy_only=False)
            calculated = columns[spec.calculated]
            valid = scored & np.isfinite(lodged) & np.isfinite(calculated)
            if not valid.any():
                continue
            error = calculated[valid] - lodged[valid]
            size = np.abs(error)
            if spec.relative:
                base = np.abs(lodged[valid])
                size = np.divide(size * 100.0, base, out=np.where(size == 0, 0.0, np.inf),
                                 where=base > 0)
            within = [size <= t for t in THRESHOLDS]
            self._add_group(metric, "overall", np.zeros(len(error), np.int64), ["all"], error,
                            within, raw=False)
            for dim, encoded in groups.items():
                index = encoded.indices.to_numpy(zero_copy_only=False)[valid]
                self._add_group(metric, dim, index, encoded.dictionary.to_pylist(), error,
                                within)
            if metric == "sap":
                self._histogram(error)
                self._sample(lodged[valid], calculated[valid])

    def _add_group(self, metric: str, dim: str, index: np.ndarray, labels: list[str],
                   error: np.ndarray, within: list[np.ndarray], raw: bool = True) -> None:
        k = len(labels)
        counts = np.bincount(index, minlength=k).tolist()
        inside = [np.bincount(index, weights=w, minlength=k).tolist() for w in within]
        abs_units = exact_sums(index, np.abs(error), k)
        signed_units = exact_sums(index, error, k)
        target = self.s.accuracy[metric][dim]
        for i, label in enumerate(labels):
            if counts[i]:
                name = group_label(dim, label) if raw else label
                target.setdefault(name, MetricStats()).add(
                    counts[i], abs_units[i], signed_units[i], [w[i] for w in inside])

    def _histogram(self, error: np.ndarray) -> None:
        edges = np.array(self.s.histogram_edges())
        counts, _ = np.histogram(error, bins=edges)  # the last bin holds its right edge
        self.s.sap_error_counts = [a + int(b) for a, b in
                                   zip(self.s.sap_error_counts, counts.tolist(), strict=True)]
        self.s.sap_error_below += int((error < edges[0]).sum())
        self.s.sap_error_above += int((error > edges[-1]).sum())

    def _sample(self, lodged: np.ndarray, calculated: np.ndarray) -> None:
        self.sample = _bottom_k(np.concatenate(
            [self.sample, np.stack([lodged, calculated], axis=1)]))

    def finish(self) -> None:
        self.s.sample_lodged = self.sample[:, 0].tolist()
        self.s.sample_calculated = self.sample[:, 1].tolist()


# ------------------------------------------------------------------------------------------
# Inputs
# ------------------------------------------------------------------------------------------
_FULL_SAP = "a full SAP certificate"
#: what the bulk reader takes from a folder, and the CSV summaries
_FOLDER_SUFFIXES = (".xml", ".json", ".jsonl", ".ndjson", ".gz", ".zip", ".csv")
_DOCUMENT_NAME = re.compile(r"^<document (\d+)>$")


def _walk(folder: Path) -> Iterator[Path]:
    """Files of a folder in the bulk reader's order (recursive, names sorted, no hidden)."""
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(_FOLDER_SUFFIXES):
                yield Path(top) / name


def _files(inputs: Sequence[Path]) -> Iterator[Path]:
    for path in inputs:
        if path.is_dir():
            yield from _walk(path)
        else:
            yield path


def _kind(file: Path) -> str:
    """csv (open-data summary rows), zip (members read one by one), document (one XML or JSON
    file), or archive (NDJSON, plain or .gz, or a .json too large for one document)."""
    from ara.rdsap.readers import MAX_DOCUMENT_BYTES

    suffix = file.suffix.lower()
    if suffix == ".csv":
        return "csv"
    if suffix == ".zip" and zipfile.is_zipfile(file):
        return "zip"
    if suffix == ".xml" or (suffix == ".json" and file.stat().st_size <= MAX_DOCUMENT_BYTES):
        return "document"
    return "archive"


def _failure(source: str, field_name: str, message: str) -> ReadFailure:
    from ara.rdsap.readers import ReadFailure

    return ReadFailure(None, field_name, message, source)


@lru_cache(maxsize=1)
def _sap_json_test() -> Callable[[Any], bool] | None:
    """:func:`ara.sap.sap_json_reader.is_sap_json` where that reader exists."""
    try:
        from ara.sap.sap_json_reader import is_sap_json
    except ImportError:  # pragma: no cover - a tree without the full-SAP JSON reader
        return None
    return is_sap_json


Payload = bytes | str | dict[str, Any]


class _Documents:
    """Every certificate document of the inputs, in order, for
    :func:`ara.rdsap.readers.read_documents` (which names them ``<document i>``: the real
    names are kept for the documents not yet consumed and put back into each batch).

    XML and JSON files and zip members are one document each (a JSON array: one per item);
    NDJSON archives (plain, ``.gz``, zip members) one per line. JSON is parsed once, here:
    a full-SAP register JSON certificate goes to ``full_sap`` instead of the RdSAP readers.
    A file or member that cannot be read is reported to ``report`` and the rest go on."""

    def __init__(self, report: Callable[[list[ReadFailure]], None],
                 full_sap: Callable[[str, dict[str, Any]], None]) -> None:
        self.report = report
        self.full_sap = full_sap
        self.names: dict[int, str] = {}
        self.count = 0

    def payloads(self, files: Iterator[Path]) -> Iterator[Payload]:
        for name, payload in self._items(files):
            self.names[self.count] = name
            self.count += 1
            yield payload

    def rename(self, batch: pa.RecordBatch, found: list[ReadFailure]
               ) -> tuple[pa.RecordBatch, list[ReadFailure]]:
        """The batch and failures with their documents' names; every document pulled so far
        is in them (the reader yields with nothing pending), so the names are then let go."""
        def real(source: str | None) -> str | None:
            match = _DOCUMENT_NAME.match(source or "")
            return self.names.get(int(match[1]), source) if match else source

        sources = pa.array([real(s) for s in batch.column("source").to_pylist()], pa.string())
        index = batch.schema.get_field_index("source")
        batch = pa.RecordBatch.from_arrays(
            [sources if i == index else batch.column(i) for i in range(batch.num_columns)],
            schema=batch.schema)
        found = [f._replace(source=real(f.source)) for f in found]
        self.names.clear()
        return batch, found

    def _items(self, files: Iterator[Path]) -> Iterator[tuple[str, Payload]]:
        from ara.rdsap.readers import MAX_DOCUMENT_BYTES

        for file in files:
            kind = _kind(file)
            try:
                if kind == "document":
                    yield from self._payloads(str(file), file.suffix.lower(),
                                              file.read_bytes())
                elif kind == "archive":
                    opener = gzip.open if file.suffix.lower() == ".gz" else open
                    with opener(file, "rb") as stream:
                        yield from self._lines(str(file), stream)
                elif kind == "zip":
                    yield from self._zip(file, MAX_DOCUMENT_BYTES)
            except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
                self.report([_failure(str(file), "(file)", f"cannot read: "
                                      f"{type(exc).__name__}: {exc}")])

    def _zip(self, file: Path, limit: int) -> Iterator[tuple[str, Payload]]:
        with zipfile.ZipFile(file) as archive:
            for info in sorted(archive.infolist(), key=lambda i: i.filename):
                lower = info.filename.lower()
                name = f"{file}!{info.filename}"
                if info.is_dir() or not lower.endswith((".xml", ".json", ".jsonl", ".ndjson")):
                    continue
                try:
                    if lower.endswith((".jsonl", ".ndjson")) or (
                            lower.endswith(".json") and info.file_size > limit):
                        with archive.open(info) as member:
                            yield from self._lines(name, member)
                    elif info.file_size > limit:
                        self.report([_failure(name, "(document)",
                                              "document exceeds the size limit")])
                    else:
                        yield from self._payloads(name, Path(lower).suffix, archive.read(info))
                except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
                    self.report([_failure(name, "(file)", f"cannot read: "
                                          f"{type(exc).__name__}: {exc}")])

    def _payloads(self, name: str, suffix: str, data: bytes) -> Iterator[tuple[str, Payload]]:
        """One file's documents: XML bytes; a JSON certificate, an array of them, or NDJSON
        that happens to be named .json."""
        if suffix == ".xml":
            yield name, data
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            self.report([_failure(name, "(document)", f"not UTF-8: {exc}")])
            return
        try:
            parsed = json.loads(text)
        except ValueError as exc:
            if "Extra data" in str(exc):
                yield from self._lines(name, io.BytesIO(data))
            else:
                yield name, text  # the reader reports it (invalid JSON)
            return
        except RecursionError:
            yield name, text
            return
        if isinstance(parsed, list):
            for i, item in enumerate(parsed):
                yield from self._json(f"{name}[{i}]", item, None)
        else:
            yield from self._json(name, parsed, text)

    def _json(self, name: str, obj: Any, text: str | None) -> Iterator[tuple[str, Payload]]:
        is_sap = _sap_json_test()
        if isinstance(obj, dict):
            if is_sap is not None and is_sap(obj):
                self.full_sap(name, obj)
            else:
                yield name, obj
        else:  # not an object: the reader says so
            yield name, text if text is not None else json.dumps(obj)

    def _lines(self, name: str, stream: Any) -> Iterator[tuple[str, Payload]]:
        """NDJSON, line by line (never whole): over-long lines are skipped unread."""
        from ara.rdsap.readers import MAX_DOCUMENT_BYTES

        number = 0
        while line := stream.readline(MAX_DOCUMENT_BYTES + 1):
            number += 1
            where = f"{name}:{number}"
            if len(line) > MAX_DOCUMENT_BYTES and not line.endswith(b"\n"):
                while (rest := stream.readline(MAX_DOCUMENT_BYTES)) and \
                        not rest.endswith(b"\n"):
                    pass
                self.report([_failure(where, "(line)",
                                      f"line longer than {MAX_DOCUMENT_BYTES} bytes")])
                continue
            if not line.strip():
                continue
            try:
                text = line.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as exc:
                self.report([_failure(where, "(line)", f"not UTF-8: {exc}")])
                continue
            try:
                parsed = json.loads(text)
            except (ValueError, RecursionError):
                yield where, text  # the reader reports the invalid JSON
                continue
            yield from self._json(where, parsed, text)


class _NamedText(io.TextIOWrapper):
    """A text stream over a zip member that names itself ``archive!member``."""

    def __init__(self, buffer: Any, name: str) -> None:
        super().__init__(buffer, encoding="utf-8-sig", errors="replace", newline="")
        self._ara_name = name

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._ara_name


def _csv_sources(inputs: Sequence[Path]) -> Iterator[tuple[Path, str | None]]:
    """(file, zip member or None) of every open-data CSV among the inputs: CSV files, CSV
    files in folders, CSV members of zip archives."""
    for file in _files(inputs):
        kind = _kind(file)
        if kind == "csv":
            yield file, None
        elif kind == "zip":
            try:
                with zipfile.ZipFile(file) as archive:
                    members = sorted(i.filename for i in archive.infolist()
                                     if not i.is_dir() and i.filename.lower().endswith(".csv"))
            except (OSError, zipfile.BadZipFile):
                continue  # reported by the document pass
            for member in members:
                yield file, member


def _read_bytes(source: str) -> bytes:
    """The document a reader failure names: a file, or ``archive.zip!member``."""
    path = Path(source)
    if path.is_file():
        return path.read_bytes()
    cut = source.find("!")
    while cut > 0:
        archive = Path(source[:cut])
        if archive.is_file():
            with zipfile.ZipFile(archive) as zf:
                return zf.read(source[cut + 1:])
        cut = source.find("!", cut + 1)
    raise FileNotFoundError(source)


# ------------------------------------------------------------------------------------------
# The run
# ------------------------------------------------------------------------------------------
class _NoBar:
    def update(self, n: int) -> None:
        pass


class _Run:
    def __init__(self, summary: ValidationSummary, mode: Mode, pcdb: Any, batch_size: int,
                 bar: Any, origin: Origin = DOCUMENTS) -> None:
        self.acc = _Accumulator(summary, origin)
        self.mode = mode
        self.pcdb = pcdb
        self.batch_size = batch_size
        self.bar = bar
        self.sap_rows: list[dict[str, Any]] = []
        self.sap_meta: list[dict[str, Any]] = []

    # -- failures and full SAP certificates ------------------------------------------------
    def failures(self, found: Sequence[ReadFailure]) -> None:
        """Read failures: unreadable, except the full SAP XML the RdSAP readers hand back."""
        unreadable: list[ReadFailure] = []
        for failure in found:
            if failure.field == "(document)" and _FULL_SAP in failure.message and failure.source:
                self._full_sap(str(failure.source), failure.certificate_number, "xml", None,
                               unreadable)
            else:
                unreadable.append(failure)
        self.acc.unreadable(unreadable)
        self.bar.update(len(unreadable))

    def full_sap_json(self, source: str, document: dict[str, Any]) -> None:
        """A full-SAP register JSON certificate (found while reading the documents)."""
        unreadable: list[ReadFailure] = []
        self._full_sap(source, None, "json", document, unreadable)
        self.acc.unreadable(unreadable)
        self.bar.update(len(unreadable))

    def _full_sap(self, source: str, number: str | None, kind: str,
                  document: dict[str, Any] | None, unreadable: list[ReadFailure]) -> None:
        """Read a full SAP certificate with the SAP readers (in the run's mode where they
        offer modes, decision 0022): refused at once, or kept for the next calculator call
        (no RdSAP expansion)."""
        from ara.rdsap.readers import ReadFailure
        from ara.sap import xml_reader

        refusals: list[str] = []
        assumptions: list[str] = []
        try:
            reading: Any = None
            if kind == "json":
                from ara.sap.sap_json_reader import read_sap_json_certificate

                inner: dict[str, Any] = document or {}
                if isinstance(inner.get("data"), dict) and len(inner) <= 4:  # the envelope
                    inner = inner["data"]
                reading = read_sap_json_certificate(inner, self.mode, dwelling_id=source,
                                                    products=self.pcdb)
                schema = inner.get("schema_type") or inner.get("schema_version_original")
                meta = _sap_meta(inner, str(schema) if schema else None, source)
            else:
                data = _read_bytes(source)
                certificate = getattr(xml_reader, "read_sap_xml_certificate", None)
                if certificate is not None:
                    reading = certificate(data, self.mode, dwelling_id=source,
                                          products=self.pcdb)
                else:  # a SAP XML reader without modes
                    row = xml_reader.read_sap_xml(data, dwelling_id=source)
                meta = _sap_xml_meta(data, source)
            if reading is not None:
                row = reading.row
                refusals, assumptions = list(reading.refusals), list(reading.assumptions)
        except (xml_reader.SapXmlError, ValueError, OSError, KeyError,
                zipfile.BadZipFile) as exc:  # the document is unreadable, the rest go on
            field_name = getattr(exc, "field", None) or "(document)"
            reason = getattr(exc, "reason", None) or getattr(exc, "message", None) or str(exc)
            unreadable.append(ReadFailure(number, str(field_name), str(reason), source))
            return
        if refusals:
            keys = Counter({reason_key(*_split_fragment(r)) for r in refusals})
            self.acc.refused(pa.Table.from_pylist([meta], schema=_META_SCHEMA),
                             np.zeros(1, int), keys,
                             {key: (source, refusal_text(refusals, self.mode)) for key in keys})
            self.bar.update(1)
            return
        self.sap_rows.append(row)
        self.sap_meta.append({**meta, "_assumptions": assumptions})
        if len(self.sap_rows) >= self.batch_size:
            self.flush_sap()

    def flush_sap(self) -> None:
        """Rate the full SAP XML certificates collected so far (no RdSAP expansion)."""
        from ara.sap import calculate

        if not self.sap_rows:
            return
        rows, meta_rows = self.sap_rows, self.sap_meta
        self.sap_rows, self.sap_meta = [], []
        assumptions = pa.array([m.pop("_assumptions") for m in meta_rows],
                               pa.list_(pa.string()))
        meta = pa.Table.from_pylist(meta_rows, schema=_META_SCHEMA)
        out = calculate(rows, strict=False)
        estimate = np.array([len(a) > 0 for a in assumptions.to_pylist()], dtype=bool)
        self._calculated(meta, np.arange(len(rows)), out, estimate, assumptions)
        self.bar.update(len(rows))

    # -- certificate batches ----------------------------------------------------------------
    def certificates(self, certs: pa.Table, csv: bool, inferred: bool = False) -> None:
        """Expand, rate and score a batch of certificate rows; ``csv``: open-data summary rows
        (estimates, refused in strict mode), already completed by the inference when
        ``inferred`` (a dataset ``ara convert`` made from a CSV)."""
        from ara.rdsap.expansion import expand

        n = certs.num_rows
        if n == 0:
            return
        source = certs.column("source").combine_chunks()
        fallback_ids = pa.array([f"row {i}" for i in range(n)], pa.string()) \
            if source.null_count else None
        ids = pc.coalesce(source, fallback_ids) if fallback_ids is not None else source
        meta = _certificate_meta(certs, ids)
        if csv:
            if self.mode == "strict":
                self._refuse_csv(meta)
                self.bar.update(n)
                return
            if not inferred:
                from ara.rdsap.expansion.infer_summary import infer_summary

                certs = infer_summary(certs)
        result = expand(certs, ids.to_pylist(), mode="estimate" if csv else self.mode,
                        pcdb=self.pcdb)
        refused = result.refused
        if result.problems:
            rows, _numbers, fields, messages = zip(*result.problems, strict=True)
            pairs = pc.binary_join_element_wise(pa.array(fields, pa.string()),
                                                pa.array(messages, pa.string()), "\x1f")
            counts, first = _count_keys(np.asarray(rows), pairs, _split_pair)
            examples = {key: (str(ids[row]), refusal_text(result.reasons(row), self.mode))
                        for key, row in first.items()
                        if key not in self.acc.s.refusal_examples}
            self.acc.refused(meta, np.flatnonzero(refused), counts, examples)
        ok = np.flatnonzero(~refused)
        if len(ok):
            from ara.sap import calculate

            out = calculate(result.inputs.take(pa.array(ok)), strict=False)
            estimate = np.ones(len(ok), bool) if csv else result.estimate[ok]
            self._calculated(meta, ok, out, estimate, result.assumptions.take(pa.array(ok)),
                             CSV_FALLBACK if csv else None)
        self.bar.update(n)

    def _refuse_csv(self, meta: pa.Table) -> None:
        fb = fallback(CSV_FALLBACK)
        reason = (f"{fb.field}: {fb.missing} (strict mode refuses; estimate mode would use "
                  f"fallback {fb.id}: {fb.fallback})")
        key = reason_key(fb.field, reason.partition(": ")[2])
        n = meta.num_rows
        self.acc.refused(meta, np.arange(n), Counter({key: n}),
                         {key: (str(meta.column("dwelling_id")[0]),
                                refusal_text([reason], "strict"))})

    def _calculated(self, meta: pa.Table, rows: np.ndarray, out: pa.Table,
                    estimate: np.ndarray, assumptions: pa.Array | None,
                    extra_fallback: str | None = None) -> None:
        """``out``: calculator results of ``rows`` of ``meta`` (``estimate`` and
        ``assumptions`` aligned with ``out``); rows the calculator rejects are refused.
        ``extra_fallback``: a fallback every rated row used (the CSV inference)."""
        ok = pc.equal(out.column("status"), "ok").to_numpy(zero_copy_only=False)
        bad = np.flatnonzero(~ok)
        if len(bad):
            errors = pc.fill_null(out.column("error").take(pa.array(bad)), "*: rejected")
            # 'field: message' joined by '; ' (a message may hold '; ' itself: the pieces
            # that do not start with a field name continue the one before)
            fragments = pc.split_pattern(errors, "; ")
            parents = pc.list_parent_indices(fragments)
            flat = pc.list_flatten(fragments)
            starts = pc.match_substring_regex(flat, _FIELD_HEAD)
            counts, first = _count_keys(
                bad[parents.filter(starts).to_numpy(zero_copy_only=False)],
                flat.filter(starts), _split_fragment)
            examples = {key: (str(meta.column("dwelling_id")[int(rows[row])]),
                              refusal_text(str(out.column("error")[row]).split("; "),
                                           self.mode))
                        for key, row in first.items()
                        if key not in self.acc.s.refusal_examples}
            self.acc.refused(meta, rows[bad], counts, examples)
        good = pa.array(np.flatnonzero(ok), pa.int64())
        if extra_fallback is not None and len(good):
            self.acc.s.fallbacks_used[extra_fallback] += len(good)
        self.acc.rated(meta.take(pa.array(rows, pa.int64()).take(good)), out.take(good),
                       estimate[ok], assumptions.take(good) if assumptions is not None
                       else None)


def validate(paths: Sequence[str | os.PathLike[str]], mode: Mode | str = "estimate",
             pcdb: Any = None, batch_size: int = DEFAULT_BATCH_SIZE,
             progress: bool = False, workers: int = 1, *, cluster_workers: int | None = None,
             scheduler: str | None = None,
             log: Callable[[str], None] | None = None) -> ValidationSummary:
    """Read, rate and score every certificate of ``paths`` (files, folders, archives, converted
    datasets); see the module docstring. ``pcdb``: the user's PCDB
    (:func:`ara.rdsap.pcdb.load_pcdb`) or None. ``workers``: processes converting documents
    to rows (reading is most of the time; the results are the same for any number).

    The datasets among ``paths`` are validated partition by partition: in this process, or
    on a Dask cluster, a local one of ``cluster_workers`` processes or the one whose
    scheduler is at ``scheduler`` (the 'cluster' extra;
    :func:`ara.distributed.gather_on_cluster`, which raises ``ClusterUnavailableError`` when
    the cluster cannot be reached). The summary is the same either way. ``log``: where the
    dashboard's address goes (default: stderr). A missing path raises FileNotFoundError, a
    Parquet input that is not a certificate dataset or ``scheduler`` with other inputs
    ValueError, before anything is read."""
    from tqdm import tqdm

    from ara.rdsap.readers import ReadFailure, iter_summary_csv, read_documents

    checked = check_mode(str(mode))
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, not {workers}")
    if cluster_workers is not None and scheduler is not None:
        raise ValueError("give cluster_workers or scheduler, not both")
    if cluster_workers is not None and cluster_workers < 1:
        raise ValueError(f"cluster_workers must be at least 1, not {cluster_workers}")
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists() and not _is_dataset(str(path)):
            raise FileNotFoundError(f"{path}: no such file or folder")
    if scheduler is not None:
        others = [str(p) for p in given if not _is_dataset(str(p))]
        if others:
            raise ValueError(f"{others[0]}: a Dask scheduler validates Parquet datasets of "
                             "certificate rows only (ara convert ARCHIVE -o DATASET/ makes "
                             "one)")
    # Parquet datasets of certificate rows (ara convert): read as rows, not documents; a
    # Parquet input that is not one raises ValueError before anything is read
    datasets = [(p, *_dataset_partitions(p, batch_size)) for p in given
                if _is_dataset(str(p))]
    inputs = [p for p in given if not _is_dataset(str(p))]
    summary = ValidationSummary(mode=checked, inputs=[str(p) for p in given],
                                batch_size=batch_size)
    started = time.perf_counter()
    with tqdm(unit=" certificates", unit_scale=True, file=sys.stderr, disable=not progress,
              desc="ara validate") as bar:
        run = _Run(summary, checked, pcdb, batch_size, bar, DOCUMENTS)

        def broken(name: str) -> Callable[[Exception], None]:
            def report(exc: Exception) -> None:  # a file or archive that breaks: go on
                run.failures([ReadFailure(None, "(file)", f"{type(exc).__name__}: {exc}",
                                          name)])
            return report

        documents = _Documents(run.failures, run.full_sap_json)

        def records() -> Iterator[pa.RecordBatch]:
            stream = read_documents(documents.payloads(_files(inputs)), batch_size,
                                    keep_raw=False, workers=workers)
            for batch, found in stream:
                batch, found = documents.rename(batch, found)
                run.failures(found)
                yield batch

        for table in rebatch(records(), batch_size):
            run.certificates(table, csv=False)

        def csv_records() -> Iterator[pa.RecordBatch]:
            for file, member in _csv_sources(inputs):
                name = str(file) if member is None else f"{file}!{member}"
                if member is None:
                    stream = iter_summary_csv(file, batch_size, keep_raw=False)
                    for batch, found in _guarded(stream, broken(name)):
                        run.failures(found)
                        yield batch
                    continue
                with ExitStack() as stack:
                    try:
                        zf = stack.enter_context(zipfile.ZipFile(file))
                        text = stack.enter_context(
                            _NamedText(stack.enter_context(zf.open(member)), name))
                    except Exception as exc:
                        broken(name)(exc)
                        continue
                    stream = iter_summary_csv(text, batch_size, keep_raw=False)
                    for batch, found in _guarded(stream, broken(name)):
                        run.failures(found)
                        yield batch

        run.acc.start(CSV_ROWS)
        for table in rebatch(csv_records(), batch_size):
            run.certificates(table, csv=True)
        tasks: list[tuple[Any, Origin, bool]] = []
        for d, (path, partitions, note) in enumerate(datasets):
            run.acc.start(dataset_origin(d, -1))
            run.failures(_dataset_failures(path))
            tasks += [(part, dataset_origin(d, part.index), note is not None)
                      for part in partitions]
        run.acc.start(LAST_FULL_SAP)
        run.flush_sap()
        run.acc.finish()
        if cluster_workers is None and scheduler is None:
            for part, origin, csv in tasks:
                summary = summary.merge(validate_partition(part, origin, checked, pcdb,
                                                           batch_size, csv, bar))
    if tasks and (cluster_workers is not None or scheduler is not None):
        summary = _on_cluster(summary, tasks, pcdb, cluster_workers, scheduler, progress, log)
    summary.inputs = [str(p) for p in given]
    summary.elapsed_s = time.perf_counter() - started
    return summary


def validate_partition(part: Any, origin: Origin, mode: str, pcdb: Any, batch_size: int,
                       csv: bool, bar: Any = None) -> ValidationSummary:
    """The summary of one partition of a certificate dataset (an
    :class:`ara.datasets.Partition`), read and rated ``batch_size`` rows at a time, on a
    Dask worker or in this process; ``origin``: its place in the run (the refusal examples'
    order); ``csv``: rows inferred from open-data summaries. A partition that cannot be
    read raises ValueError naming it."""
    from ara.datasets import DatasetError, read_partition

    summary = ValidationSummary(mode=mode, inputs=[], batch_size=batch_size)
    run = _Run(summary, check_mode(mode), pcdb, batch_size,
               _NoBar() if bar is None else bar, origin)
    try:
        for table in read_partition(part, batch_size):
            run.certificates(table, csv=csv, inferred=True)
    except (pa.ArrowException, OSError, DatasetError) as exc:
        raise ValueError(f"{part.label()}: cannot read: {exc}") from None
    run.acc.finish()
    return summary


def _validate_on_worker(part: Any, origin: Origin, mode: str, pcdb: Any, batch_size: int,
                        csv: bool) -> ValidationSummary:
    from ara.distributed import warm_worker

    warm_worker()  # a no-op once the worker plugin has run
    return validate_partition(part, origin, mode, pcdb, batch_size, csv)


def _on_cluster(summary: ValidationSummary, tasks: list[tuple[Any, Origin, bool]], pcdb: Any,
                cluster_workers: int | None, scheduler: str | None, progress: bool,
                log: Callable[[str], None] | None) -> ValidationSummary:
    """Every dataset partition validated on the cluster, merged into ``summary`` as the
    results come (in any order: the merge is commutative)."""
    from ara.distributed import gather_on_cluster

    merged = [summary]

    def task(item: tuple[Any, Origin, bool], shared: Any) -> tuple[Any, ...]:
        part, origin, csv = item
        return (_validate_on_worker, part, origin, summary.mode, shared, summary.batch_size,
                csv)

    def receive(_item: tuple[Any, Origin, bool], result: ValidationSummary) -> int:
        merged[0] = merged[0].merge(result)
        return result.certificates

    gather_on_cluster("validate", tasks, task, receive, workers=cluster_workers,
                      scheduler=scheduler, shared=pcdb, progress=progress,
                      log=log or (lambda m: print(f"ara validate: {m}", file=sys.stderr)))
    return merged[0]


def _is_dataset(text: str) -> bool:
    from ara.expand_dataset import looks_like_dataset

    return looks_like_dataset(text)


def _dataset_partitions(path: Path, batch_size: int) -> tuple[list[Any], str | None]:
    """A certificate dataset's partitions and estimate note (ValueError when it is not
    one)."""
    from ara.datasets import DatasetError
    from ara.expand_dataset import certificate_partitions

    try:
        return certificate_partitions(str(path), max(batch_size, 100_000))
    except DatasetError as exc:
        raise ValueError(str(exc)) from None


def _dataset_failures(path: Path) -> list[ReadFailure]:
    """The certificates ``ara convert`` could not read (its ``_unreadable.parquet``): they
    count as unreadable here too."""
    from ara.rdsap.readers import ReadFailure

    listed = path / "_unreadable.parquet" if path.is_dir() else None
    if listed is None or not listed.is_file():
        return []
    import pyarrow.parquet as pq

    return [ReadFailure(r["certificate_number"], r["field"], r["message"], r["source"])
            for r in pq.read_table(listed).to_pylist()]


def _guarded(stream: Iterator[Any], on_error: Callable[[Exception], None]) -> Iterator[Any]:
    """The items of a reader's stream until it raises: the error goes to ``on_error`` and
    the stream ends (errors of the caller's own code are not caught)."""
    while True:
        try:
            item = next(stream)
        except StopIteration:
            return
        except Exception as exc:
            on_error(exc)
            return
        yield item
