"""Predicted EPCs for homes without a certificate, by deterministic neighbour synthesis.

Not a learned model (decision 0029): for each home, comparable certificates are found by a
filter-then-relax ladder over postcode geography (:mod:`ara.prediction.comparables`),
weighted by distance, recency and similarity; categorical components take the weighted
mode, numeric ones the weighted median; one coherent certificate is assembled from the
template neighbour, its dimensions scaled (:mod:`ara.prediction.synthesis`,
:mod:`ara.prediction.assembly`). Every number is declared in ``spec/tables/
ara_prediction_ladder.csv`` and ``ara_prediction_weights.csv``.

==============================  ===========================================================
:func:`predict`                 targets (Arrow) + comparables -> predicted certificates
                                (``CERTIFICATE_SCHEMA`` columns + provenance), one per target
:class:`ComparableProperties`   the port: cohorts of comparable certificates by geography
:class:`ArrowComparables`       ... over an Arrow table in memory (the portfolio's own)
:class:`ParquetComparables`     ... over a Parquet dataset of certificates (millions)
:func:`flag_anomalies`          lodged certificates far from their neighbours, with reasons
:func:`leave_one_out`           each certificate predicted from the others, by rung
==============================  ===========================================================
"""

from ara.prediction.anomalies import ANOMALY_FIELDS, flag_anomalies
from ara.prediction.comparables import (
    TARGET_FIELDS,
    ArrowComparables,
    Cohorts,
    ComparableProperties,
    ParquetComparables,
    targets_table,
)
from ara.prediction.settings import RUNGS, Settings, load_settings
from ara.prediction.synthesis import METHOD, PREDICTION_FIELDS, predict
from ara.prediction.validation import LeaveOneOut, format_summary, leave_one_out

__all__ = [
    "ANOMALY_FIELDS",
    "METHOD",
    "PREDICTION_FIELDS",
    "RUNGS",
    "TARGET_FIELDS",
    "ArrowComparables",
    "Cohorts",
    "ComparableProperties",
    "LeaveOneOut",
    "ParquetComparables",
    "Settings",
    "flag_anomalies",
    "format_summary",
    "leave_one_out",
    "load_settings",
    "predict",
    "targets_table",
]
