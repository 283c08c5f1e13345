"""Predicted certificates by deterministic neighbour synthesis (decision 0029).

For each target home: its cohort from the ladder (:mod:`ara.prediction.comparables`), a
weight per neighbour, the weighted mode of each categorical component and the weighted
median of each numeric one, then one coherent certificate: the template neighbour (the one
agreeing with most predicted components; then the highest weight; then the lowest
certificate number) with its dimensions scaled to the predicted floor area
(:mod:`ara.prediction.assembly`).

Weights (``spec/tables/ara_prediction_weights.csv``, ``ara_prediction_ladder.csv``): a
neighbour's weight is distance x recency x similarity, where

* distance = ``0.5 ** (km / distance_half_km)`` when the target and the neighbour both have
  coordinates, else the ``distance_weight`` of the tightest rung they share;
* recency = ``0.5 ** (years older than the cohort's latest inspection / half-life)``, or
  ``recency_unknown_weight`` without an inspection date;
* similarity = the floor area band weight (band distance to the target's known floor area)
  x the age band weight (band distance to the target's known age band); 1 for what the target
  does not know.

Confidence, in [0, 1]: ``n / (n + k)`` (n the cohort size, k ``confidence_cohort_k``) x the
rung's ``confidence_factor`` x the mean, over the key components with a lodged value in the
cohort, of the weighted share of the neighbours agreeing with the predicted value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.prediction.assembly import LODGED_RESULTS, scale_dimensions
from ara.prediction.comparables import Cohorts, ComparableProperties, targets_table
from ara.prediction.features import AGE_BANDS, CATEGORICAL, KEY_COMPONENTS, NUMERIC, encode
from ara.prediction.settings import RUNGS, Settings, load_settings
from ara.prediction.weighted import weighted_median, weighted_mode
from ara.rdsap.readers import CERTIFICATE_SCHEMA

__all__ = ["METHOD", "PREDICTION_FIELDS", "ComponentPrediction", "predict",
           "predict_components", "weights"]

#: Name and version of the method, stored with every prediction.
METHOD = "ara.neighbour_synthesis/1.0"
_DAYS_PER_YEAR = 365.25

#: The provenance columns appended to the certificate columns of a prediction.
PREDICTION_FIELDS: tuple[pa.Field, ...] = (
    pa.field("target_id", pa.string()),
    pa.field("prediction_rung", pa.string()),
    pa.field("prediction_cohort_size", pa.int32()),
    pa.field("prediction_neighbours", pa.list_(pa.string())),
    pa.field("prediction_weights", pa.list_(pa.float64())),
    pa.field("prediction_template", pa.string()),
    pa.field("prediction_scale", pa.float64()),
    pa.field("prediction_agreement", pa.float64()),
    pa.field("prediction_confidence", pa.float64()),
    pa.field("prediction_method", pa.string()),
    pa.field("prediction_reason", pa.string()),
    pa.field("predicted_components", pa.struct(
        [pa.field(name, pa.string()) for name in CATEGORICAL]
        + [pa.field(name, pa.float64()) for name in NUMERIC])),
)


def _floats(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False),
                      dtype=np.float64)


def _band(area: np.ndarray, settings: Settings) -> np.ndarray:
    """Floor area band index; -1 for NaN."""
    band = np.searchsorted(np.asarray(settings.floor_area_band_edges_m2), area, "right")
    return np.where(np.isnan(area), -1, band)


def _similarity(distance: np.ndarray, known: np.ndarray, table: tuple[float, ...]) -> np.ndarray:
    """The weight of a band distance (``distance`` < 0: the neighbour's band not lodged, it
    weighs as the farthest); 1 where the target's own band is not known."""
    values = np.asarray(table, dtype=np.float64)
    d = np.where(distance < 0, len(values) - 1, np.minimum(distance, len(values) - 1))
    return np.where(known[:, None], values[d], 1.0)


def weights(cohorts: Cohorts, comparables: ComparableProperties, targets: pa.Table,
            settings: Settings, *, use_floor_area: bool = True) -> np.ndarray:
    """(targets, K) weight of each neighbour (module docstring); 0 for padding."""
    rows = cohorts.rows
    valid = rows >= 0
    safe = np.maximum(rows, 0)
    features = comparables.features
    shared = np.clip(cohorts.shared.astype(np.int64), 0, len(RUNGS) - 1)
    by_rung = np.asarray(settings.distance_weight)[shared]
    by_km = 0.5 ** (cohorts.distance_km / settings.distance_half_km)
    distance = np.where(np.isnan(cohorts.distance_km), by_rung, by_km)
    days = np.where(valid, features.inspection_days[safe], np.nan)
    latest = np.nanmax(np.where(np.isnan(days), -np.inf, days), axis=1, initial=-np.inf)
    age = (latest[:, None] - days) / _DAYS_PER_YEAR
    recency = np.where(np.isnan(days), settings.recency_unknown_weight,
                       0.5 ** (age / settings.recency_half_life_years))
    t = targets_table(targets)
    area = _floats(t.column("total_floor_area_m2")) if use_floor_area else \
        np.full(t.num_rows, np.nan)
    target_band = _band(area, settings)
    their_band = _band(features.numbers["total_floor_area_m2"][safe], settings)
    area_distance = np.where(their_band < 0, -1, np.abs(their_band - target_band[:, None]))
    similarity = _similarity(area_distance, target_band >= 0, settings.floor_area_band_weights)
    target_age = encode(t.column("age_band"), AGE_BANDS)
    their_age = encode(pa.array(np.asarray(features.vocabulary["age_band"] + ("",),
                                           dtype=object)[features.codes["age_band"][safe]]
                                .ravel(), pa.string()), AGE_BANDS).reshape(rows.shape)
    age_distance = np.where(their_age < 0, -1, np.abs(their_age - target_age[:, None]))
    similarity = similarity * _similarity(age_distance, target_age >= 0,
                                          settings.age_band_weights)
    return np.where(valid, distance * recency * similarity, 0.0)


@dataclass(frozen=True)
class ComponentPrediction:
    """Per target: the weighted mode (code, -1 none) and its weighted share of each
    categorical component, and the weighted median of each numeric one (NaN none)."""

    modes: dict[str, np.ndarray]
    shares: dict[str, np.ndarray]
    medians: dict[str, np.ndarray]


def predict_components(cohorts: Cohorts, comparables: ComparableProperties,
                       w: np.ndarray) -> ComponentPrediction:
    features = comparables.features
    safe = np.maximum(cohorts.rows, 0)
    modes, shares, medians = {}, {}, {}
    for name in CATEGORICAL:
        codes = np.where(cohorts.rows >= 0, features.codes[name][safe], -1)
        modes[name], shares[name] = weighted_mode(codes, w)
    for name in NUMERIC:
        values = np.where(cohorts.rows >= 0, features.numbers[name][safe], np.nan)
        medians[name] = weighted_median(values, w)
    return ComponentPrediction(modes, shares, medians)


def _templates(cohorts: Cohorts, comparables: ComparableProperties, w: np.ndarray,
               components: ComponentPrediction, area: np.ndarray,
               settings: Settings) -> np.ndarray:
    """Per target, the column (neighbour slot) of the template: most key components (and
    the floor area band and storey count) equal to the prediction, then the highest weight,
    then the lowest certificate number; -1 without a cohort."""
    features = comparables.features
    rows = cohorts.rows
    valid = (rows >= 0) & (w > 0)
    safe = np.maximum(rows, 0)
    agree = np.zeros(rows.shape, dtype=np.int64)
    for name in KEY_COMPONENTS:
        mode = components.modes[name]
        agree += (features.codes[name][safe] == mode[:, None]) & (mode[:, None] >= 0)
    agree += _band(features.numbers["total_floor_area_m2"][safe], settings) == \
        _band(area, settings)[:, None]
    storeys = components.medians["storey_count"]
    agree += features.numbers["storey_count"][safe] == np.round(storeys)[:, None]
    score = np.where(valid, agree, -1)
    best = valid & (score == score.max(axis=1, keepdims=True))
    heaviest = np.where(best, w, -np.inf)
    best &= heaviest == heaviest.max(axis=1, keepdims=True)
    rank = np.where(best, features.certificate_rank[safe], np.iinfo(np.int64).max)
    return np.where(best.any(axis=1), np.argmin(rank, axis=1), -1)


def predict(targets: pa.Table | list[dict[str, object]], comparables: ComparableProperties,
            settings: Settings | None = None, *, hold_out_rows: np.ndarray | None = None,
            hold_out_unit: bool = False) -> pa.Table:
    """Predicted certificates for ``targets`` (:data:`~ara.prediction.comparables.TARGET_FIELDS`)
    from ``comparables``: one row per target, the ``CERTIFICATE_SCHEMA`` columns of the
    predicted certificate (null when there is no prediction, ``prediction_reason`` says why)
    then :data:`PREDICTION_FIELDS`. ``hold_out_rows`` / ``hold_out_unit``: as
    :meth:`ComparableProperties.cohorts` (validation)."""
    settings = settings or load_settings()
    t = targets_table(targets)
    cohorts = comparables.cohorts(t, settings, hold_out_rows=hold_out_rows,
                                  hold_out_unit=hold_out_unit)
    w = weights(cohorts, comparables, t, settings)
    components = predict_components(cohorts, comparables, w)
    known_area = _floats(t.column("total_floor_area_m2"))
    area = np.where(np.isnan(known_area), components.medians["total_floor_area_m2"], known_area)
    slot = _templates(cohorts, comparables, w, components, area, settings)
    n = t.num_rows
    has = (cohorts.rung >= 0) & (slot >= 0)
    template_rows = np.where(has, cohorts.rows[np.arange(n), np.maximum(slot, 0)], -1)
    features = comparables.features
    template_area = features.numbers["total_floor_area_m2"][np.maximum(template_rows, 0)]
    scale = np.where(has & (template_area > 0), area / np.where(template_area > 0,
                                                               template_area, 1.0), np.nan)
    certs = _assemble(t, comparables, template_rows, has, scale, area)
    agreement = _agreement(components)
    cohort_part = cohorts.size / (cohorts.size + settings.confidence_cohort_k)
    rung_part = np.asarray(settings.confidence_factor)[np.maximum(cohorts.rung, 0)]
    confidence = np.where(has, cohort_part * rung_part * agreement, np.nan)
    provenance = _provenance(t, cohorts, comparables, w, has, template_rows, scale, agreement,
                             confidence, components)
    for field, column in zip(PREDICTION_FIELDS, provenance, strict=True):
        certs = certs.append_column(field, column)
    return certs


def _agreement(components: ComponentPrediction) -> np.ndarray:
    shares = np.stack([components.shares[name] for name in KEY_COMPONENTS], axis=1)
    counted = ~np.isnan(shares)
    total = np.where(counted, shares, 0.0).sum(axis=1)
    number = counted.sum(axis=1)
    return np.where(number > 0, total / np.maximum(number, 1), np.nan)


def _assemble(t: pa.Table, comparables: ComparableProperties, template_rows: np.ndarray,
              has: np.ndarray, scale: np.ndarray, area: np.ndarray) -> pa.Table:
    """The template rows (nulls where no prediction), scaled, with the target's address and
    without lodged results (``CERTIFICATE_SCHEMA`` columns)."""
    n = t.num_rows
    chosen = np.flatnonzero(has)
    fetched = comparables.certificates(template_rows[chosen]) if len(chosen) else None
    arrays = []
    positions = np.full(n, -1, dtype=np.int64)
    positions[chosen] = np.arange(len(chosen))
    take = pa.array(positions, pa.int64(), mask=positions < 0)
    for field in CERTIFICATE_SCHEMA:
        if fetched is None or field.name not in fetched.column_names:
            arrays.append(pa.nulls(n, field.type))
            continue
        column = fetched.column(field.name).combine_chunks().cast(field.type)
        arrays.append(column.take(take))
    certs = pa.Table.from_arrays(arrays, schema=CERTIFICATE_SCHEMA)
    certs = scale_dimensions(certs, np.where(has, scale, 1.0))
    lodged_area = _floats(certs.column("total_floor_area_m2"))
    certs = _set(certs, "total_floor_area_m2",
                 pa.array(np.round(area, 2), pa.float64(), mask=~has | np.isnan(lodged_area)))
    for name in LODGED_RESULTS:
        certs = _set(certs, name, pa.nulls(n, certs.schema.field(name).type))
    for name in ("postcode", "address_line_1"):
        certs = _set(certs, name, pc.if_else(pa.array(has), t.column(name).combine_chunks(),
                                             pa.scalar(None, pa.string())))
    for name in ("uprn", "address_line_2", "address_line_3", "address_line_4", "post_town"):
        certs = _set(certs, name, pa.nulls(n, certs.schema.field(name).type))
    return _set(certs, "source", pc.binary_join_element_wise(
        f"predicted ({METHOD}) from certificate ", _template_numbers(comparables, template_rows,
                                                                     has), ""))


def _template_numbers(comparables: ComparableProperties, template_rows: np.ndarray,
                      has: np.ndarray) -> pa.Array:
    """The template's certificate number per target, null without a prediction."""
    numbers = comparables.features.certificate_number_array
    index = pa.array(np.maximum(template_rows, 0), mask=~has)
    return numbers.take(index) if len(numbers) else pa.nulls(len(has), pa.string())


def _set(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
    index = table.schema.get_field_index(name)
    return table.set_column(index, table.schema.field(name), values)


def _provenance(t: pa.Table, cohorts: Cohorts, comparables: ComparableProperties,
                w: np.ndarray, has: np.ndarray, template_rows: np.ndarray, scale: np.ndarray,
                agreement: np.ndarray, confidence: np.ndarray,
                components: ComponentPrediction) -> list[pa.Array]:
    n = t.num_rows
    features = comparables.features
    used = (cohorts.rows >= 0) & (w > 0) & has[:, None]
    total = np.where(used, w, 0.0).sum(axis=1)
    share = np.where(used, w / np.where(total > 0, total, 1.0)[:, None], 0.0)
    rank = np.where(used, features.certificate_rank[np.maximum(cohorts.rows, 0)],
                    np.iinfo(np.int64).max)
    # per row: heaviest first, then the lowest certificate number (two stable sorts)
    by_rank = np.argsort(rank, axis=1, kind="stable")
    by_weight = np.argsort(-np.take_along_axis(share, by_rank, axis=1), axis=1, kind="stable")
    order = np.take_along_axis(by_rank, by_weight, axis=1)
    flat_rows = np.take_along_axis(cohorts.rows, order, axis=1).ravel()
    flat_used = np.take_along_axis(used, order, axis=1).ravel()
    flat_share = np.take_along_axis(share, order, axis=1).ravel()
    offsets = np.zeros(n + 1, dtype=np.int32)
    offsets[1:] = np.cumsum(used.sum(axis=1))
    names = features.certificate_number_array.take(pa.array(flat_rows[flat_used]))
    neighbours = pa.ListArray.from_arrays(pa.array(offsets), names, mask=pa.array(~has))
    shares = pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(np.round(flat_share[flat_used], 6), pa.float64()),
        mask=pa.array(~has))
    rung = [RUNGS[r] if has[i] else None for i, r in enumerate(cohorts.rung)]
    reason = [None if has[i] else (cohorts.reason[i] or "no template in the cohort")
              for i in range(n)]
    mask = ~has
    component_arrays = []
    for name in CATEGORICAL:
        vocabulary = np.asarray(features.vocabulary[name] + ("",), dtype=object)
        codes = components.modes[name]
        values = vocabulary[np.where(codes >= 0, codes, len(vocabulary) - 1)]
        component_arrays.append(pa.array(values, pa.string(), mask=mask | (codes < 0)))
    for name in NUMERIC:
        values = components.medians[name]
        component_arrays.append(pa.array(values, pa.float64(), mask=mask | np.isnan(values)))
    struct_type = PREDICTION_FIELDS[-1].type
    return [
        t.column("target_id").combine_chunks(),
        pa.array(rung, pa.string()),
        pa.array(np.where(has, cohorts.size, 0).astype(np.int32), pa.int32(), mask=mask),
        neighbours,
        shares,
        _template_numbers(comparables, template_rows, has),
        pa.array(np.nan_to_num(scale, nan=0.0), pa.float64(), mask=mask | np.isnan(scale)),
        pa.array(np.nan_to_num(agreement), pa.float64(), mask=mask | np.isnan(agreement)),
        pa.array(np.nan_to_num(confidence), pa.float64(), mask=mask | np.isnan(confidence)),
        pa.array([METHOD if h else None for h in has], pa.string()),
        pa.array(reason, pa.string()),
        pa.StructArray.from_arrays(component_arrays, fields=list(struct_type), mask=pa.array(mask)),
    ]
