"""Anomaly flags for lodged certificates: far from their neighbours (decision 0029).

The same cohorts and weights as a prediction (the certificate itself held out; its floor area
not used for similarity): a lodged certificate is flagged when its floor area or its lodged
SAP rating lies more than ``anomaly_spreads`` robust spreads from the cohort's weighted
median. The robust spread is 1.4826 x the weighted median absolute deviation (the MAD scaled
to a standard deviation for normal data), never below the declared minimum
(``spec/tables/ara_prediction_weights.csv``).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.prediction.comparables import ComparableProperties
from ara.prediction.features import Features, component_columns
from ara.prediction.settings import RUNGS, Settings, load_settings
from ara.prediction.synthesis import weights
from ara.prediction.weighted import weighted_mad, weighted_median

__all__ = ["ANOMALY_FIELDS", "MAD_TO_SD", "certificate_targets", "flag_anomalies"]

MAD_TO_SD = 1.4826
ANOMALY_FIELDS = (
    "certificate_number", "anomaly", "anomaly_reasons", "rung", "cohort_size",
    "floor_area_m2", "floor_area_median_m2", "floor_area_spread_m2", "floor_area_spreads",
    "sap", "sap_median", "sap_spread", "sap_spreads",
)


def certificate_targets(certs: pa.Table) -> pa.Table:
    """Targets describing lodged certificates as a home without one would be described:
    postcode, property type, built form, address; ``target_id`` = the certificate number."""
    n = certs.num_rows
    number = certs.column("certificate_number").combine_chunks().cast(pa.string())
    return pa.table({
        "target_id": number,
        "postcode": certs.column("postcode").combine_chunks(),
        "property_type": certs.column("property_type").combine_chunks(),
        "built_form": certs.column("built_form").combine_chunks(),
        "address_line_1": certs.column("address_line_1").combine_chunks()
        if "address_line_1" in certs.column_names else pa.nulls(n, pa.string()),
    })


def rows_of(certs: pa.Table, comparables: ComparableProperties) -> np.ndarray:
    """The comparables' row id of each certificate of ``certs`` (by number), -1 if absent."""
    numbers = certs.column("certificate_number").combine_chunks().cast(pa.string())
    known = pa.array(comparables.features.certificate_numbers.astype(str), pa.string())
    index = pc.index_in(numbers, value_set=known)
    return np.asarray(pc.fill_null(index, -1).to_numpy(zero_copy_only=False), dtype=np.int64)


def flag_anomalies(certs: pa.Table, comparables: ComparableProperties,
                   settings: Settings | None = None) -> pa.Table:
    """One row per certificate of ``certs`` (``CERTIFICATE_SCHEMA``): whether its floor area
    or lodged SAP rating is far from its cohort's (:data:`ANOMALY_FIELDS`), with the reasons.
    ``anomaly`` is null when the certificate has no cohort (the reason says why)."""
    settings = settings or load_settings()
    targets = certificate_targets(certs)
    # the age band is a similarity the certificate itself lodges; the floor area is checked
    own = component_columns(certs)
    targets = targets.append_column("age_band", pc.cast(own["age_band"], pa.string()))
    cohorts = comparables.cohorts(targets, settings, hold_out_rows=rows_of(certs, comparables))
    w = weights(cohorts, comparables, targets, settings, use_floor_area=False)
    features: Features = comparables.features
    safe = np.maximum(cohorts.rows, 0)
    valid = cohorts.rows >= 0
    has = cohorts.rung >= 0
    n = certs.num_rows
    checks = (
        ("floor area", "m2", np.asarray(own["total_floor_area_m2"], dtype=np.float64),
         features.numbers["total_floor_area_m2"], settings.anomaly_min_spread_floor_area_fraction,
         True),
        ("lodged SAP rating", "", np.asarray(pc.cast(certs.column("energy_rating_current"),
                                                     pa.float64()).to_numpy(
            zero_copy_only=False), dtype=np.float64), features.lodged_sap,
         settings.anomaly_min_spread_sap, False),
    )
    results = []
    reasons: list[list[str]] = [[] for _ in range(n)]
    flagged = np.zeros(n, dtype=bool)
    for label, unit, own_values, theirs, minimum, relative in checks:
        values = np.where(valid, theirs[safe], np.nan)
        median = weighted_median(values, w)
        mad = weighted_mad(values, w, median)
        floor = minimum * np.abs(median) if relative else np.full(n, minimum)
        spread = np.fmax(MAD_TO_SD * mad, floor)
        z = (own_values - median) / spread
        far = has & (np.abs(np.nan_to_num(z)) > settings.anomaly_spreads)
        flagged |= far
        for i in np.flatnonzero(far):
            side = "above" if z[i] > 0 else "below"
            reasons[i].append(
                f"{label} {own_values[i]:g}{(' ' + unit) if unit else ''} is "
                f"{abs(z[i]):.1f} robust spreads {side} the weighted median {median[i]:g} of "
                f"{int(cohorts.size[i])} comparables ({RUNGS[cohorts.rung[i]]} rung)")
        results.append((own_values, median, spread, z))
    for i in np.flatnonzero(~has):
        reasons[i].append(f"no cohort: {cohorts.reason[i]}")
    mask = ~has

    def column(values: np.ndarray, extra: np.ndarray | None = None) -> pa.Array:
        hidden = np.isnan(values) if extra is None else (extra | np.isnan(values))
        return pa.array(np.nan_to_num(values), pa.float64(), mask=hidden)

    (area, area_median, area_spread, area_z), (sap, sap_median, sap_spread, sap_z) = results
    return pa.table({
        "certificate_number": targets.column("target_id"),
        "anomaly": pa.array(flagged, pa.bool_(), mask=mask),
        "anomaly_reasons": pa.array(reasons, pa.list_(pa.string())),
        "rung": pa.array([RUNGS[r] if r >= 0 else None for r in cohorts.rung], pa.string()),
        "cohort_size": pa.array(cohorts.size.astype(np.int32), pa.int32(), mask=mask),
        "floor_area_m2": column(area),
        "floor_area_median_m2": column(area_median, mask),
        "floor_area_spread_m2": column(area_spread, mask),
        "floor_area_spreads": column(area_z, mask),
        "sap": column(sap),
        "sap_median": column(sap_median, mask),
        "sap_spread": column(sap_spread, mask),
        "sap_spreads": column(sap_z, mask),
    })
