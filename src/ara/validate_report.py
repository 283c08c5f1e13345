"""The ``ara validate`` report: one self-contained HTML file (charts as inline SVG drawn by
matplotlib, in the style of :mod:`ara.report`): coverage by schema version, refusal reasons,
calculated against lodged SAP (a reservoir sample), the SAP error histogram, and the
accuracy tables overall and by group."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ara.report import _svg, _table, barh
from ara.validate import (
    DIMENSIONS,
    METRICS,
    SCORED_SCHEMAS_TEXT,
    THRESHOLDS,
    MetricStats,
    ValidationSummary,
)

COLOURS = {"rated": "#19b459", "rated_estimate": "#ffd500", "refused": "#e9153b",
           "unreadable": "#9e9e9e"}
LABELS = {"rated": "rated", "rated_estimate": "rated as estimates", "refused": "refused",
          "unreadable": "unreadable"}
STYLE = ("body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;"
         "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
         "#ccc;padding:.25em .6em;text-align:left}svg{max-width:100%;height:auto;"
         "display:block;margin:1em 0}.meta{color:#666}")
TOP_REASONS = 15


# ---- charts -------------------------------------------------------------------------------

def coverage_chart(summary: ValidationSummary) -> str:
    """Stacked bars per schema version: rated, rated as estimates, refused; and unreadable."""
    rows = sorted(summary.by_schema.items())
    names = [name for name, _ in rows] + (["unreadable"] if summary.unreadable else [])

    def draw(ax: Any) -> None:
        left = [0.0] * len(names)
        for what in ("rated", "rated_estimate", "refused"):
            values = [float(c[what]) for _, c in rows] + ([0.0] if summary.unreadable else [])
            ax.barh(names, values, left=left, color=COLOURS[what], label=LABELS[what],
                    edgecolor="#333333", linewidth=0.4)
            left = [a + b for a, b in zip(left, values, strict=True)]
        if summary.unreadable:
            values = [0.0] * len(rows) + [float(summary.unreadable)]
            ax.barh(names, values, left=left, color=COLOURS["unreadable"],
                    label=LABELS["unreadable"], edgecolor="#333333", linewidth=0.4)
            left[-1] += summary.unreadable
        for y, total in enumerate(left):
            ax.text(total, y, f" {total:,.0f}", va="center", fontsize=7)
        ax.invert_yaxis()
        ax.set_xlabel("certificates")
        ax.set_title("Coverage by schema version", fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
        ax.legend(fontsize=8)
    return _svg(draw, height=max(2.4, 0.35 * len(names) + 1.4))


def sap_scatter(summary: ValidationSummary) -> str:
    """Calculated (continuous) against lodged SAP of the sampled SAP 10.2 lodgements."""
    xs, ys = summary.sample_lodged, summary.sample_calculated

    def draw(ax: Any) -> None:
        ax.scatter(xs, ys, s=6, alpha=0.4, color="#3b6ea5")
        low = min([1.0, *xs, *ys])
        high = max([100.0, *xs, *ys])
        ax.plot([low, high], [low, high], color="#333333", linewidth=0.8, label="calculated = "
                "lodged")
        ax.fill_between([low, high], [low - 5, high - 5], [low + 5, high + 5],
                        color="#8dce46", alpha=0.2, label="within 5 points")
        ax.set_xlabel("lodged SAP rating")
        ax.set_ylabel("calculated SAP rating (continuous)")
        ax.set_title(f"Calculated against lodged SAP ({len(xs):,} of {summary.scored:,} "
                     "SAP 10.2 lodgements, random sample)", fontsize=10)
        ax.legend(fontsize=8)
    return _svg(draw, height=4.6)


def error_histogram(summary: ValidationSummary) -> str:
    edges = summary.histogram_edges()
    counts = summary.sap_error_counts

    def draw(ax: Any) -> None:
        ax.stairs(counts, edges, fill=True, color="#3b6ea5")
        ax.axvline(0, color="#333333", linewidth=0.8)
        ax.set_xlabel("calculated (continuous) minus lodged SAP rating, points")
        ax.set_ylabel("certificates")
        outside = ""
        if summary.sap_error_below or summary.sap_error_above:
            outside = (f"; {summary.sap_error_below:,} below {edges[0]:g}, "
                       f"{summary.sap_error_above:,} above {edges[-1]:g}")
        ax.set_title(f"SAP error{outside}", fontsize=10)
    return _svg(draw)


# ---- tables -------------------------------------------------------------------------------

def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f} %"


def _accuracy_rows(summary: ValidationSummary) -> list[list[object]]:
    rows: list[list[object]] = []
    for metric, spec in METRICS.items():
        st = summary.overall(metric)
        rows.append([spec.label, spec.unit, st.n, _num(st.mae), _num(st.bias),
                     *[_share(v) for v in st.shares().values()]])
    return rows


def _group_table(summary: ValidationSummary, dimension: str) -> str:
    sap = summary.groups("sap", dimension)
    if not sap:
        return ""
    order = sorted(sap, key=lambda k: (0, k) if dimension in ("schema_version", "age_band")
                   else (-sap[k].n, k))
    header = ["group", "n", "SAP MAE", "SAP bias",
              *[f"SAP within {t:g}" for t in THRESHOLDS], "EI MAE", "EI bias",
              "CO2 MAE t/yr", "CO2 within 5 %", "PE MAE kWh/m2", "PE within 5 %"]
    rows = []
    for label in order:
        st = sap[label]
        ei = summary.groups("ei", dimension).get(label, MetricStats())
        co2 = summary.groups("co2", dimension).get(label, MetricStats())
        pe = summary.groups("pe", dimension).get(label, MetricStats())
        rows.append([label, st.n, _num(st.mae), _num(st.bias),
                     *[_share(v) for v in st.shares().values()], _num(ei.mae), _num(ei.bias),
                     _num(co2.mae), _share(co2.shares()["5"]), _num(pe.mae, 1),
                     _share(pe.shares()["5"])])
    return (f"<h3>By {html.escape(dimension.replace('_', ' '))}</h3>"
            + _table(header, rows))


def _fallback_rows(counts: Counter[str]) -> list[Sequence[object]]:
    from ara.sap.fallbacks import fallbacks

    table = fallbacks()
    return [(fid, n, table[fid].missing if fid in table else "")
            for fid, n in counts.most_common()]


# ---- HTML ---------------------------------------------------------------------------------

def render_html(summary: ValidationSummary, generated_at: datetime | None = None) -> str:
    s = summary
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    total = s.certificates

    def pct(n: int) -> str:
        return f"{n:,} ({100 * n / total:.1f} %)" if total else "0"

    parts = ["<h1>Ara validation report</h1>",
             f"<p class=meta>Generated {when}. Inputs: "
             f"{html.escape(', '.join(s.inputs))}. Mode: {html.escape(s.mode)}. "
             f"{total:,} certificates in {s.elapsed_s:.1f} s "
             f"({s.certificates_per_s:,.0f} a second), batches of {s.batch_size:,}.</p>",
             "<h2>Coverage</h2>",
             _table(("certificates", "rated", "rated as estimates", "refused", "unreadable"),
                    [(f"{total:,}", pct(s.rated), pct(s.rated_estimate), pct(s.refused),
                      pct(s.unreadable))])]
    if total:
        parts.append(coverage_chart(s))
    if s.by_schema:
        parts.append(_table(("schema version", "rated", "rated as estimates", "refused"),
                            [(k, v["rated"], v["rated_estimate"], v["refused"])
                             for k, v in sorted(s.by_schema.items())]))
    if s.refusal_reasons:
        top = Counter(dict(s.refusal_reasons.most_common(TOP_REASONS)))
        parts += ["<h2>Refusal reasons</h2>",
                  "<p class=meta>Certificates per reason (a certificate refused for several "
                  "reasons counts under each). <code>fallback &lt;id&gt;</code>: strict mode "
                  "refused an item that the declared fallback would fill in estimate mode "
                  "(spec/tables/estimate_fallbacks.csv).</p>",
                  barh(top, "Refusal reasons (most frequent)", "certificates"),
                  _table(("reason", "certificates", "example"),
                         [(k, n, s.refusal_examples.get(k, "")[:400])
                          for k, n in s.refusal_reasons.most_common()])]
    if s.unreadable_reasons:
        parts += ["<h2>Unreadable</h2>",
                  _table(("reason", "certificates"), s.unreadable_reasons.most_common())]
    if s.fallbacks_used:
        parts += ["<h2>Fallbacks used</h2>",
                  "<p class=meta>Certificates rated with each declared estimate fallback.</p>",
                  _table(("fallback", "certificates", "what is missing"),
                         _fallback_rows(s.fallbacks_used))]
    parts += ["<h2>Accuracy against the lodged figures</h2>",
              f"<p class=meta>{s.scored:,} rated SAP 10.2 lodgements ({SCORED_SCHEMAS_TEXT}) "
              f"scored; {s.rated_total - s.scored:,} other ratings (older schemas lodge SAP "
              "2012 figures, open-data CSV rows name no schema) count for coverage only. "
              "Error = calculated minus lodged; bias is its mean, MAE the mean of its size. "
              "SAP and EI: within so many points of the lodged integer rating; CO2 and "
              "primary energy: within so many per cent of the lodged figure.</p>",
              _table(("metric", "unit", "n", "MAE", "bias",
                      *[f"within {t:g}" for t in THRESHOLDS]), _accuracy_rows(s))]
    if s.scored:
        parts += [sap_scatter(s), error_histogram(s)]
        parts += [_group_table(s, dim) for dim in DIMENSIONS]
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            "<title>Ara validation report</title>"
            f"<style>{STYLE}</style></head><body>" + "\n".join(parts) + "</body></html>")


def write_report(summary: ValidationSummary, path: str | Path) -> Path:
    """Render and write the report; returns the path written."""
    out = Path(path)
    out.write_text(render_html(summary), encoding="utf-8")
    return out
