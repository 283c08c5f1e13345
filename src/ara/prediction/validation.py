"""Leave-one-out validation of the predictions (issue 19, decision 0029).

Each certificate of a corpus is predicted from the others, with every certificate of its own
postcode unit held out as well as itself (a home without a certificate has no certificate
of its own, and its unit's certificates would flatter the figures). The predicted certificate
is compared with the lodged one: accuracy of the categorical components of the assembled
certificate, error of the floor area, and the SAP rating of both, each rated by this
calculator (the RdSAP expansion in estimate mode, then ``ara.sap.calculate``), so that the
comparison is of method, not of lodged figures of other SAP versions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.prediction.anomalies import certificate_targets, rows_of
from ara.prediction.comparables import ArrowComparables
from ara.prediction.features import KEY_COMPONENTS, component_columns
from ara.prediction.settings import RUNGS, Settings, load_settings
from ara.prediction.synthesis import predict

__all__ = ["LeaveOneOut", "format_summary", "leave_one_out", "rate_certificates", "read_corpus"]


@dataclass(frozen=True)
class LeaveOneOut:
    """``per_certificate``: one row per certificate of the corpus (rung, confidence, lodged
    and predicted floor area and SAP, and per key component whether the prediction matched).
    ``summary``: by rung, then ``all``: counts, SAP MAE and share within 5 points, floor area
    MAE and mean absolute percentage error, and the accuracy of each key component."""

    per_certificate: pa.Table
    summary: pa.Table


def rate_certificates(certs: pa.Table) -> np.ndarray:
    """The SAP rating (continuous) of each certificate by this calculator: RdSAP expansion in
    estimate mode, then ``calculate``; NaN where the row is refused or does not rate."""
    from ara.rdsap.expansion import expand
    from ara.sap import calculate

    n = certs.num_rows
    out = np.full(n, np.nan)
    if not n:
        return out
    ids = [str(i) for i in range(n)]
    expanded = expand(certs, dwelling_ids=ids, mode="estimate")
    good = np.flatnonzero(~expanded.refused)
    if not len(good):
        return out
    rated = calculate(expanded.inputs.take(pa.array(good)), strict=False)
    ok = np.asarray(pc.equal(rated.column("status"), "ok").to_numpy(zero_copy_only=False),
                    dtype=bool)
    sap = np.asarray(pc.cast(rated.column("sap_rating_continuous"), pa.float64()).to_numpy(
        zero_copy_only=False), dtype=np.float64)
    out[good] = np.where(ok, sap, np.nan)
    return out


def leave_one_out(corpus: pa.Table, settings: Settings | None = None, *,
                  rate: bool = True) -> LeaveOneOut:
    """Predict each certificate of ``corpus`` (``CERTIFICATE_SCHEMA``) from the others, its
    own postcode unit held out; compare (module docstring). ``rate=False`` skips the SAP
    comparison (components and floor area only)."""
    settings = settings or load_settings()
    comparables = ArrowComparables(corpus)
    targets = certificate_targets(corpus)
    predicted = predict(targets, comparables, settings, hold_out_rows=rows_of(corpus, comparables),
                        hold_out_unit=True)
    has = np.asarray(predicted.column("prediction_rung").is_valid().to_numpy(
        zero_copy_only=False), dtype=bool)
    actual = component_columns(corpus)
    mine = component_columns(predicted)
    columns: dict[str, pa.Array | np.ndarray] = {
        "certificate_number": targets.column("target_id"),
        "rung": predicted.column("prediction_rung"),
        "cohort_size": predicted.column("prediction_cohort_size"),
        "confidence": predicted.column("prediction_confidence"),
        "template": predicted.column("prediction_template"),
        "floor_area_m2": np.asarray(actual["total_floor_area_m2"]),
        "predicted_floor_area_m2": np.where(has, np.asarray(mine["total_floor_area_m2"]),
                                            np.nan),
    }
    for name in KEY_COMPONENTS:
        lodged = pc.cast(actual[name], pa.string())
        guess = pc.cast(mine[name], pa.string())
        both = pc.and_(lodged.is_valid(), guess.is_valid())
        same = pc.if_else(pc.and_(both, pa.array(has)), pc.equal(lodged, guess),
                          pa.scalar(None, pa.bool_()))
        columns[f"match_{name}"] = same
    if rate:
        columns["sap"] = rate_certificates(corpus)
        sap = np.full(corpus.num_rows, np.nan)
        sap[has] = rate_certificates(predicted.filter(pa.array(has)))
        columns["predicted_sap"] = sap
    per = pa.table({k: (pa.array(v, pa.float64(), mask=np.isnan(v))
                        if isinstance(v, np.ndarray) else v) for k, v in columns.items()})
    return LeaveOneOut(per, _summary(per, rate))


def _summary(per: pa.Table, rate: bool) -> pa.Table:
    rung = np.asarray(per.column("rung").to_numpy(zero_copy_only=False), dtype=object)
    rows = []
    for name in (*RUNGS, "none", "all"):
        if name == "all":
            select = np.ones(len(rung), dtype=bool)
        elif name == "none":
            select = np.array([r is None for r in rung], dtype=bool)
        else:
            select = rung == name
        if not select.any() and name not in ("all",):
            continue
        part = per.filter(pa.array(select))
        row: dict[str, object] = {"rung": name, "certificates": int(select.sum()),
                                  "predicted": int(part.column("rung").is_valid().to_numpy(
                                      zero_copy_only=False).sum())}
        area = _floats(part, "floor_area_m2")
        guess = _floats(part, "predicted_floor_area_m2")
        both = ~np.isnan(area) & ~np.isnan(guess) & (area > 0)
        row["floor_area_mae_m2"] = _mean(np.abs(guess - area)[both])
        row["floor_area_mape"] = _mean((np.abs(guess - area) / np.where(area > 0, area, 1))[both])
        if rate:
            sap, predicted = _floats(part, "sap"), _floats(part, "predicted_sap")
            rated = ~np.isnan(sap) & ~np.isnan(predicted)
            error = np.abs(predicted - sap)[rated]
            row["rated"] = int(rated.sum())
            row["sap_mae"] = _mean(error)
            row["sap_within_5"] = _mean((error <= 5).astype(float))
        for component in KEY_COMPONENTS:
            matches = part.column(f"match_{component}").drop_null().to_numpy(
                zero_copy_only=False)
            row[f"accuracy_{component}"] = _mean(np.asarray(matches, dtype=float))
        rows.append(row)
    return pa.Table.from_pylist(rows)


def _floats(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(pc.cast(table.column(name), pa.float64()).to_numpy(zero_copy_only=False),
                      dtype=np.float64)


def _mean(values: np.ndarray) -> float | None:
    return float(np.mean(values)) if len(values) else None


def format_summary(summary: pa.Table) -> str:
    """The summary as a fixed-width text table (one line per rung)."""
    names = summary.column_names
    rows = summary.to_pylist()

    def cell(value: object) -> str:
        if value is None:
            return "-"
        if isinstance(value, float):
            return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"
        return str(value)

    header = [n.replace("accuracy_", "acc_") for n in names]
    body = [[cell(row[n]) for n in names] for row in rows]
    widths = [max(len(h), *(len(b[i]) for b in body)) if body else len(h)
              for i, h in enumerate(header)]
    lines = ["  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))]
    lines += ["  ".join(c.rjust(w) for c, w in zip(b, widths, strict=True)) for b in body]
    return "\n".join(lines)


def read_corpus(paths: list[str]) -> tuple[pa.Table, int]:
    """Certificate rows of ``paths`` (a certificate dataset from ``ara convert``, Parquet
    files of ``CERTIFICATE_SCHEMA`` rows, or anything the RdSAP readers read: NDJSON
    archives, folders of XML or JSON) and how many could not be read (left out)."""
    from ara.expand_dataset import looks_like_dataset
    from ara.rdsap.readers import read_certificates_table

    tables: list[pa.Table] = []
    unreadable = 0
    for path in paths:
        if looks_like_dataset(path):
            import pyarrow.dataset as ds

            tables.append(ds.dataset(path, format="parquet").to_table())
            continue
        table, failures = read_certificates_table(path)
        unreadable += len(failures)
        tables.append(table)
    corpus = tables[0] if len(tables) == 1 else pa.concat_tables(tables, promote_options="default")
    return corpus, unreadable

