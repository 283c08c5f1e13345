"""Comparable properties: the certificates a prediction is drawn from, found by geography.

:class:`ComparableProperties` is the port. It answers, for a batch of target homes (an Arrow
table of :data:`TARGET_FIELDS`), the cohort of comparable certificates of each one, by the
filter-then-relax ladder of decision 0029:

* hard filters: the same property type and built form, and every Landlord Override constraint
  the target carries (a column named like a component of ``OVERRIDABLE``, e.g.
  ``wall_construction = "4"``);
* rungs, tightest first: the same street (name, in the same postcode district; when the target
  gives ``address_line_1``), postcode unit, sector, district, area; the first rung whose
  cohort reaches its minimum size (``spec/tables/ara_prediction_ladder.csv``) is used;
* at that rung at most ``max_cohort`` neighbours are kept: the nearest in postcode order, the
  latest inspection first within a unit, then the certificate number.

Two implementations share one index (:class:`PostcodeIndex`): :class:`ArrowComparables` over
an Arrow table of certificates in memory (the portfolio's own), :class:`ParquetComparables`
over a Parquet dataset of ``CERTIFICATE_SCHEMA`` rows (a bulk archive, millions of homes).
The index sorts the comparables by (property type and built form, postcode key, latest
inspection, certificate number) once; each rung of each target is then one ``searchsorted``
range, and the cohorts of a whole batch are numpy arrays: no Python loop per certificate, and
none per target except for targets that carry override constraints.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.prediction.features import (
    FEATURE_COLUMNS,
    INDEX_COLUMNS,
    OVERRIDABLE,
    Features,
    encode,
    raw_columns,
)
from ara.prediction.postcode import BASE, DROP, postcode_keys, street_names
from ara.prediction.settings import RUNGS, Settings

__all__ = ["TARGET_FIELDS", "ArrowComparables", "Cohorts", "ComparableProperties",
           "ParquetComparables", "PostcodeIndex", "targets_table"]

#: Columns of a target table. ``target_id`` and ``postcode`` are required; a prediction needs
#: ``property_type`` and ``built_form`` too (codes of ``CERTIFICATE_SCHEMA``). The optional
#: ones: ``address_line_1`` (the street rung), ``latitude`` / ``longitude`` (distance
#: weights), ``total_floor_area_m2`` and ``age_band`` when known (similarity weights; a known
#: floor area is also the floor area the template is scaled to), and any column of
#: ``OVERRIDABLE`` (a hard filter: a Landlord Override known for the home).
TARGET_FIELDS: tuple[pa.Field, ...] = (
    pa.field("target_id", pa.string()),
    pa.field("postcode", pa.string()),
    pa.field("property_type", pa.string()),
    pa.field("built_form", pa.string()),
    pa.field("address_line_1", pa.string()),
    pa.field("latitude", pa.float64()),
    pa.field("longitude", pa.float64()),
    pa.field("total_floor_area_m2", pa.float64()),
    pa.field("age_band", pa.string()),
    *(pa.field(name, pa.string()) for name in OVERRIDABLE),
)
_UNIT, _STREET = RUNGS.index("unit"), RUNGS.index("street")
_EARTH_KM = 6371.0088


def targets_table(rows: list[dict[str, object]] | pa.Table) -> pa.Table:
    """``rows`` as a table of :data:`TARGET_FIELDS` (absent optional columns are null)."""
    if isinstance(rows, pa.Table):
        table = rows
    else:
        names = list(dict.fromkeys(name for row in rows for name in row))
        types = {f.name: f.type for f in TARGET_FIELDS}
        table = pa.table({name: pa.array([row.get(name) for row in rows], types.get(name))
                          for name in names})
    n = table.num_rows
    if "target_id" not in table.column_names or "postcode" not in table.column_names:
        raise ValueError("a target table needs target_id and postcode")
    arrays = [table.column(f.name).cast(f.type) if f.name in table.column_names
              else pa.nulls(n, f.type) for f in TARGET_FIELDS]
    return pa.Table.from_arrays(arrays, schema=pa.schema(TARGET_FIELDS))


@dataclass(frozen=True)
class Cohorts:
    """The cohort of each target (row-aligned with the targets).

    ``rung``: index into ``RUNGS`` of the rung used, -1 when no rung reached its minimum.
    ``size``: the cohort's size at that rung (after hard filters and hold-outs, before the
    ``max_cohort`` cut); at -1 rungs, the largest cohort found. ``rows``: (targets, K) row ids
    of the neighbours kept, -1 padding. ``shared``: (targets, K) the tightest rung each
    neighbour shares with the target. ``distance_km``: (targets, K) great-circle distance
    when both sides have coordinates, else NaN. ``reason``: why a target has no cohort.
    """

    rung: np.ndarray
    size: np.ndarray
    rows: np.ndarray
    shared: np.ndarray
    distance_km: np.ndarray
    reason: list[str | None]


@runtime_checkable
class ComparableProperties(Protocol):
    """The port: cohorts of comparable certificates for a batch of targets, their components
    and, for the templates, their full certificate rows."""

    @property
    def features(self) -> Features:
        """Components of every comparable, indexed by row id."""
        ...

    def cohorts(self, targets: pa.Table, settings: Settings, *,
                hold_out_rows: np.ndarray | None = None,
                hold_out_unit: bool = False) -> Cohorts:
        """The cohort of each target (:func:`targets_table` columns). ``hold_out_rows``: per
        target a row id never to use (-1: none; the certificate being checked);
        ``hold_out_unit``: leave out every certificate of the target's own postcode unit
        (leave-one-out validation)."""
        ...

    def certificates(self, rows: np.ndarray) -> pa.Table:
        """The ``CERTIFICATE_SCHEMA`` rows of ``rows`` (row ids), in that order
        (``raw_document`` may be left null)."""
        ...


def _group_strings(property_type: pa.Array, built_form: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(property_type.cast(pa.string()),
                                       built_form.cast(pa.string()), "|")


def _array(table: pa.Table, name: str, type_: pa.DataType) -> pa.Array:
    if name not in table.column_names:
        return pa.nulls(table.num_rows, type_)
    return table.column(name).combine_chunks().cast(type_)


def _floats(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False),
                      dtype=np.float64)


def _haversine_km(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray,
                  lon2: np.ndarray) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(
        np.radians(lon2 - lon1) / 2) ** 2
    return 2 * _EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


class PostcodeIndex:
    """The comparables sorted for range queries (module docstring). Built from the feature
    columns of the certificates (``FEATURE_COLUMNS``, plus ``latitude`` / ``longitude`` when
    the dataset has them); row ids are positions in that table."""

    def __init__(self, certs: pa.Table, *, latest_per_uprn: bool = True,
                 features: Features | None = None) -> None:
        """``certs``: at least the ``INDEX_COLUMNS`` (and ``latitude`` / ``longitude`` if
        known); ``features``: their :class:`Features`, made from ``certs`` when not given."""
        n = certs.num_rows
        self.features = features if features is not None else Features.from_certificates(certs)
        key = postcode_keys(_array(certs, "postcode", pa.string()))
        groups = _group_strings(_array(certs, "property_type", pa.string()),
                                _array(certs, "built_form", pa.string()))
        self.group_vocabulary = tuple(sorted(v for v in pc.unique(groups).to_pylist()
                                             if v is not None))
        group = encode(groups, self.group_vocabulary)
        days = self.features.inspection_days
        cert_rank = self.features.certificate_rank
        usable = (key >= 0) & (group >= 0)
        usable &= _first_of(cert_rank, days, key, _array(certs, "certificate_number",
                                                          pa.string()))
        if latest_per_uprn:
            uprn = _floats(_array(certs, "uprn", pa.int64()))
            usable &= _latest_per_uprn(uprn, days, cert_rank)
        self.excluded = int(n - usable.sum())
        ids = np.flatnonzero(usable)
        full = group[ids] * BASE ** 7 + key[ids]
        order = np.lexsort((cert_rank[ids], -np.nan_to_num(days[ids], nan=-1e9), full))
        #: row ids in index order, and the index position of each row id (-1: not indexed)
        self.rows = ids[order]
        self.position = np.full(n, -1, dtype=np.int64)
        self.position[self.rows] = np.arange(len(self.rows))
        self.group = group
        self.key = key
        self.full = full[order]
        self.level = {name: self.full // BASE ** DROP[name]
                      for name in ("unit", "sector", "district", "area")}
        self.latitude = _floats(_array(certs, "latitude", pa.float64()))
        self.longitude = _floats(_array(certs, "longitude", pa.float64()))
        self._street_index(certs, usable)

    # -- the street rung ------------------------------------------------------------------
    def _street_index(self, certs: pa.Table, usable: np.ndarray) -> None:
        """A second order, by (group, district, street, unit), for the street rung: street
        key = ((group x ND + district rank) x NS + street rank) x NU + unit rank, with
        ND, NS and NU the numbers of distinct districts, streets and units."""
        streets = street_names(_array(certs, "address_line_1", pa.string()))
        has = usable & np.asarray(streets.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        self.street_vocabulary = tuple(sorted(v for v in pc.unique(streets.filter(
            pa.array(has))).to_pylist() if v is not None))
        self.street = encode(streets, self.street_vocabulary)
        self.districts = np.unique(self.key[usable] // BASE ** DROP["district"])
        self.units = np.unique(self.key[usable])
        sizes = (max(len(self.group_vocabulary), 1), len(self.districts) + 1,
                 len(self.street_vocabulary) + 1, len(self.units) + 1)
        self.street_sizes = sizes
        self.street_enabled = bool(np.prod(np.array(sizes, dtype=np.float64)) < 2.0 ** 62) \
            and bool(has.any())
        ids = np.flatnonzero(has) if self.street_enabled else np.zeros(0, dtype=np.int64)
        keys = self._street_keys(self.group[ids], self.key[ids], self.street[ids])
        order = np.lexsort((self.position[ids], keys))
        self.street_rows = ids[order]
        self.street_full = keys[order]
        self.street_prefix = self.street_full // sizes[3]

    def _street_keys(self, group: np.ndarray, key: np.ndarray, street: np.ndarray) -> np.ndarray:
        _g, nd, ns, nu = self.street_sizes
        district = np.searchsorted(self.districts, key // BASE ** DROP["district"])
        unit = np.searchsorted(self.units, key)
        return ((group * nd + district) * ns + street) * nu + unit

    # -- queries --------------------------------------------------------------------------
    def cohorts(self, targets: pa.Table, settings: Settings, *,
                hold_out_rows: np.ndarray | None = None,
                hold_out_unit: bool = False) -> Cohorts:
        t = targets_table(targets)
        n = t.num_rows
        k = settings.max_cohort
        key = postcode_keys(t.column("postcode"))
        group = encode(_group_strings(t.column("property_type").combine_chunks(),
                                      t.column("built_form").combine_chunks()),
                       self.group_vocabulary)
        held = np.full(n, -1, dtype=np.int64) if hold_out_rows is None else \
            np.asarray(hold_out_rows, dtype=np.int64)
        held_position = np.where(held >= 0, self.position[np.maximum(held, 0)], -1)
        ok = (key >= 0) & (group >= 0)
        full = np.where(ok, group * BASE ** 7 + key, -1)
        lo = np.zeros((n, len(RUNGS)), dtype=np.int64)
        hi = np.zeros_like(lo)
        hole_lo = np.zeros_like(lo)
        hole_hi = np.zeros_like(lo)
        anchor = np.zeros_like(lo)
        # postcode rungs: ranges of the main order
        anchor_main = np.searchsorted(self.full, full, "left")
        unit_lo, unit_hi = anchor_main, np.searchsorted(self.full, full, "right")
        for name in ("unit", "sector", "district", "area"):
            r = RUNGS.index(name)
            prefix = full // BASE ** DROP[name]
            lo[:, r] = np.searchsorted(self.level[name], prefix, "left")
            hi[:, r] = np.searchsorted(self.level[name], prefix, "right")
            anchor[:, r] = anchor_main
            if hold_out_unit:
                hole_lo[:, r], hole_hi[:, r] = unit_lo, unit_hi
            else:
                hole_lo[:, r] = np.where(held_position >= 0, held_position, 0)
                hole_hi[:, r] = np.where(held_position >= 0, held_position + 1, 0)
        # the street rung: ranges of the street order
        streets = encode(street_names(t.column("address_line_1")), self.street_vocabulary)
        s_ok = ok & (streets >= 0) & self.street_enabled
        district = key // BASE ** DROP["district"]
        d_rank = np.searchsorted(self.districts, district)
        s_ok &= (d_rank < len(self.districts)) & (
            self.districts[np.minimum(d_rank, max(len(self.districts) - 1, 0))] == district
            if len(self.districts) else False)
        skey = np.where(s_ok, self._street_keys(group, key, streets), -1)
        nu = self.street_sizes[3]
        prefix = np.where(s_ok, skey // nu, -2)
        lo[:, _STREET] = np.searchsorted(self.street_prefix, prefix, "left")
        hi[:, _STREET] = np.where(s_ok, np.searchsorted(self.street_prefix, prefix, "right"),
                                  lo[:, _STREET])
        anchor[:, _STREET] = np.searchsorted(self.street_full, skey, "left")
        u_rank = np.searchsorted(self.units, key)
        unit_known = (u_rank < len(self.units)) & (
            self.units[np.minimum(u_rank, max(len(self.units) - 1, 0))] == key
            if len(self.units) else False)
        if hold_out_unit:
            hole_lo[:, _STREET] = anchor[:, _STREET]
            hole_hi[:, _STREET] = np.where(unit_known, np.searchsorted(
                self.street_full, skey, "right"), anchor[:, _STREET])
        else:
            street_position = self._street_position(held)
            hole_lo[:, _STREET] = np.maximum(street_position, 0)
            hole_hi[:, _STREET] = np.where(street_position >= 0, street_position + 1, 0)
        lo[~ok], hi[~ok] = 0, 0
        hole_lo = np.clip(hole_lo, lo, hi)
        hole_hi = np.clip(hole_hi, hole_lo, hi)
        counts = (hi - lo) - (hole_hi - hole_lo)
        overrides = {name: encode(t.column(name), self.features.vocabulary[name])
                     for name in OVERRIDABLE}
        constrained = np.zeros(n, dtype=bool)
        for name in OVERRIDABLE:
            constrained |= np.asarray(t.column(name).is_valid().to_numpy(
                zero_copy_only=False), dtype=bool)
        rows = np.full((n, k), -1, dtype=np.int64)
        rung = np.full(n, -1, dtype=np.int64)
        size = np.zeros(n, dtype=np.int64)
        minimum = settings.min_cohort_array
        # unconstrained targets: the first rung that reaches its minimum, vectorised
        free = ok & ~constrained
        meets = counts >= minimum[None, :]
        first = np.argmax(meets, axis=1)
        found = free & meets.any(axis=1)
        rung[found] = first[found]
        size[found] = counts[found, first[found]]
        for r in range(len(RUNGS)):
            chosen = np.flatnonzero(found & (rung == r))
            if len(chosen):
                rows[chosen] = self._window(r, lo[chosen, r], hi[chosen, r], hole_lo[chosen, r],
                                            hole_hi[chosen, r], anchor[chosen, r], k)
        size[free & ~found] = counts[free & ~found].max(axis=1, initial=0)
        # constrained targets: the same ladder over the rows that meet the constraints
        for i in np.flatnonzero(ok & constrained):
            wanted = {name: int(codes[i]) for name, codes in overrides.items()
                      if t.column(name)[i].is_valid}
            rung[i], size[i], rows[i] = self._constrained(
                wanted, lo[i], hi[i], hole_lo[i], hole_hi[i], anchor[i], minimum, k)
        reason = _reasons(t, key, group, rung, size, constrained, minimum)
        shared, distance = self._geometry(t, key, streets, s_ok, rows)
        return Cohorts(rung.astype(np.int8), size, rows, shared, distance, reason)

    def _street_position(self, held: np.ndarray) -> np.ndarray:
        lookup = np.full(len(self.position), -1, dtype=np.int64)
        lookup[self.street_rows] = np.arange(len(self.street_rows))
        return np.where(held >= 0, lookup[np.maximum(held, 0)], -1) if len(lookup) else held

    def _order_rows(self, r: int, positions: np.ndarray) -> np.ndarray:
        return self.street_rows[positions] if r == _STREET else self.rows[positions]

    def _window(self, r: int, lo: np.ndarray, hi: np.ndarray, hole_lo: np.ndarray,
                hole_hi: np.ndarray, anchor: np.ndarray, k: int) -> np.ndarray:
        """The ``k`` positions of [lo, hi) minus [hole_lo, hole_hi) nearest ``anchor`` in
        index order (a contiguous window of the range with the hole closed), as row ids."""
        hole = hole_hi - hole_lo
        count = hi - lo - hole
        virtual_anchor = np.where(anchor < hole_lo, anchor - lo,
                                  np.where(anchor >= hole_hi, anchor - lo - hole, hole_lo - lo))
        start = np.clip(virtual_anchor - k // 2, 0, np.maximum(count - k, 0))
        v = start[:, None] + np.arange(k)[None, :]
        valid = v < count[:, None]
        actual = lo[:, None] + v
        actual = np.where(actual >= hole_lo[:, None], actual + hole[:, None], actual)
        ids = self._order_rows(r, np.where(valid, actual, 0)) if valid.any() else \
            np.zeros_like(actual)
        return np.where(valid, ids, -1)

    def _constrained(self, wanted: dict[str, int], lo: np.ndarray, hi: np.ndarray,
                     hole_lo: np.ndarray, hole_hi: np.ndarray, anchor: np.ndarray,
                     minimum: np.ndarray, k: int) -> tuple[int, int, np.ndarray]:
        out = np.full(k, -1, dtype=np.int64)
        largest = 0
        for r in range(len(RUNGS)):
            positions = np.arange(lo[r], hi[r])
            positions = positions[(positions < hole_lo[r]) | (positions >= hole_hi[r])]
            ids = self._order_rows(r, positions)
            keep = np.ones(len(ids), dtype=bool)
            for name, code in wanted.items():
                keep &= self.features.codes[name][ids] == code if code >= 0 else False
            count = int(keep.sum())
            largest = max(largest, count)
            if count >= minimum[r]:
                kept = positions[keep]
                nearest = kept[np.lexsort((kept, np.abs(kept - anchor[r])))][:k]
                nearest.sort()
                out[:len(nearest)] = self._order_rows(r, nearest)
                return r, count, out
        return -1, largest, out

    def _geometry(self, t: pa.Table, key: np.ndarray, streets: np.ndarray, s_ok: np.ndarray,
                  rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The tightest rung each neighbour shares with its target, and their distance."""
        safe = np.maximum(rows, 0)
        theirs = self.key[safe]
        shared = np.full(rows.shape, len(RUNGS) - 1, dtype=np.int8)
        for name in ("district", "sector", "unit"):
            same = theirs // BASE ** DROP[name] == (key // BASE ** DROP[name])[:, None]
            shared = np.where(same, np.int8(RUNGS.index(name)), shared)
        same_street = s_ok[:, None] & (self.street[safe] == streets[:, None]) & (
            theirs // BASE ** DROP["district"] == (key // BASE ** DROP["district"])[:, None])
        shared = np.where(same_street, np.int8(_STREET), shared)
        lat = _floats(t.column("latitude").combine_chunks())
        lon = _floats(t.column("longitude").combine_chunks())
        distance = _haversine_km(lat[:, None], lon[:, None], self.latitude[safe],
                                 self.longitude[safe]) if len(self.latitude) else \
            np.full(rows.shape, np.nan)
        distance = np.where(rows >= 0, distance, np.nan)
        return np.where(rows >= 0, shared, -1).astype(np.int8), distance


def _first_of(cert_rank: np.ndarray, days: np.ndarray, key: np.ndarray,
              numbers: pa.Array) -> np.ndarray:
    """One row per certificate number (the latest inspection, then the lowest postcode key,
    then the first of the sorted numbers); rows without a number are kept."""
    n = len(cert_rank)
    order = np.argsort(cert_rank, kind="stable")
    sorted_numbers = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=object)[order]
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return keep
    same = np.zeros(n, dtype=bool)
    same[1:] = (sorted_numbers[1:] == sorted_numbers[:-1]) & (sorted_numbers[1:] != None)  # noqa: E711
    if not same.any():
        return keep
    block = np.cumsum(~same)
    pick = np.lexsort((key[order], -np.nan_to_num(days[order], nan=-1e9), block))
    first_in_block = np.ones(n, dtype=bool)
    first_in_block[1:] = block[pick][1:] != block[pick][:-1]
    keep[order[pick[~first_in_block]]] = False
    return keep


def _latest_per_uprn(uprn: np.ndarray, days: np.ndarray, cert_rank: np.ndarray) -> np.ndarray:
    """Only the latest certificate of a home (UPRN): older ones describe it as it was."""
    n = len(uprn)
    keep = np.ones(n, dtype=bool)
    has = ~np.isnan(uprn)
    ids = np.flatnonzero(has)
    if len(ids) < 2:
        return keep
    order = ids[np.lexsort((cert_rank[ids], -np.nan_to_num(days[ids], nan=-1e9), uprn[ids]))]
    older = np.zeros(len(order), dtype=bool)
    older[1:] = uprn[order][1:] == uprn[order][:-1]
    keep[order[older]] = False
    return keep


def _reasons(t: pa.Table, key: np.ndarray, group: np.ndarray, rung: np.ndarray,
             size: np.ndarray, constrained: np.ndarray, minimum: np.ndarray) -> list[str | None]:
    out: list[str | None] = [None] * t.num_rows
    missing_form = np.asarray(pc.or_(pc.is_null(t.column("property_type")),
                                     pc.is_null(t.column("built_form"))).to_numpy(
        zero_copy_only=False), dtype=bool)
    for i in np.flatnonzero(rung < 0):
        if key[i] < 0:
            out[i] = "postcode is not a UK postcode"
        elif missing_form[i]:
            out[i] = "property type and built form are needed (the hard filters)"
        elif group[i] < 0:
            out[i] = "no comparable certificate of this property type and built form"
        else:
            limits = ", ".join(f"{name} {m}" for name, m in zip(RUNGS, minimum, strict=True))
            extra = " meeting the override constraints" if constrained[i] else ""
            out[i] = (f"no rung reached its minimum cohort ({limits}); largest cohort"
                      f"{extra}: {int(size[i])}")
    return out


class _Indexed:
    """What both implementations share: the features and cohorts of their postcode index."""

    index: PostcodeIndex

    @property
    def features(self) -> Features:
        return self.index.features

    def cohorts(self, targets: pa.Table, settings: Settings, *,
                hold_out_rows: np.ndarray | None = None,
                hold_out_unit: bool = False) -> Cohorts:
        return self.index.cohorts(targets, settings, hold_out_rows=hold_out_rows,
                                  hold_out_unit=hold_out_unit)


class ArrowComparables(_Indexed):
    """Comparables over an Arrow table of certificates in memory (the portfolio's own
    certificates, or any ``CERTIFICATE_SCHEMA`` table). ``latitude`` / ``longitude`` columns,
    when the table has them, give distance weights."""

    def __init__(self, certs: pa.Table, *, latest_per_uprn: bool = True) -> None:
        self.table = certs
        self.index = PostcodeIndex(certs, latest_per_uprn=latest_per_uprn)

    def certificates(self, rows: np.ndarray) -> pa.Table:
        return self.table.take(pa.array(np.asarray(rows, dtype=np.int64)))


class ParquetComparables(_Indexed):
    """Comparables over a Parquet dataset (a file or a folder of files) of
    ``CERTIFICATE_SCHEMA`` rows, with optional ``latitude`` / ``longitude`` columns.

    Only the feature columns are read to build the index; full rows are read for the
    templates alone (``Dataset.take``), without ``raw_document``. Row ids are positions in
    the dataset's scan order (its files in path order)."""

    def __init__(self, path: str | Path, *, latest_per_uprn: bool = True,
                 batch_size: int = 100_000) -> None:
        import pyarrow.dataset as ds

        self.dataset = ds.dataset(str(path), format="parquet")
        names = set(self.dataset.schema.names)
        missing = [c for c in FEATURE_COLUMNS if c not in names]
        if missing:
            raise ValueError(f"{path}: not a certificate dataset; missing {', '.join(missing)}")
        located = [c for c in ("latitude", "longitude") if c in names]
        light, parts = [], []
        for batch in self.dataset.to_batches(columns=[*FEATURE_COLUMNS, *located],
                                             batch_size=batch_size):
            table = pa.Table.from_batches([batch])
            parts.append(raw_columns(table))
            light.append(table.select([*INDEX_COLUMNS, *located]))
        table = pa.concat_tables(light).combine_chunks() if light else \
            self.dataset.to_table(columns=[*FEATURE_COLUMNS, *located])
        self.index = PostcodeIndex(table, latest_per_uprn=latest_per_uprn,
                                   features=Features.from_parts(parts) if parts else None)
        self._columns = [c for c in self.dataset.schema.names if c != "raw_document"]

    def certificates(self, rows: np.ndarray) -> pa.Table:
        """Only the row groups holding ``rows`` are read (with threads), then taken."""
        rows = np.asarray(rows, dtype=np.int64)
        unique, inverse = np.unique(rows, return_inverse=True)
        pieces = []
        base = 0
        for fragment in self.dataset.get_fragments():
            sizes = np.array([group.num_rows for group in fragment.row_groups], dtype=np.int64)
            starts = np.concatenate([[0], np.cumsum(sizes)])
            total = int(starts[-1])
            local = unique[(unique >= base) & (unique < base + total)] - base
            base += total
            if not len(local):
                continue
            group = np.searchsorted(starts, local, "right") - 1
            needed = np.unique(group)
            table = fragment.subset(row_group_ids=needed.tolist()).to_table(
                schema=self.dataset.schema, columns=self._columns)
            subset_starts = np.concatenate([[0], np.cumsum(sizes[needed])])
            index = subset_starts[np.searchsorted(needed, group)] + (local - starts[group])
            pieces.append(table.take(pa.array(index)))
        if not pieces:
            return self.dataset.schema.empty_table().select(self._columns)
        return pa.concat_tables(pieces).take(pa.array(inverse.astype(np.int64)))
