"""The portfolio report: one self-contained HTML file with the figures people compare drawn.

Read back from the database after a run (never from the run's memory, so the report shows what
was committed): the baseline bands (lodged against rebaselined with SAP 10.2), bills, the
plans of every scenario (bands before and after, cost per home, SAP gain against cost, the
measures chosen, bills before and after) and the failures by reason. Charts are drawn with
matplotlib (Agg backend) as inline SVG, so the file opens anywhere with no network.
"""

from __future__ import annotations

import html
import io
import json
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BANDS = "ABCDEFG"
#: SAP band colours of the EPC graph (A dark green ... G red).
BAND_COLOURS = ("#008054", "#19b459", "#8dce46", "#ffd500", "#fcaa65", "#ef8023", "#e9153b")


@dataclass
class ScenarioFigures:
    scenario_id: str
    name: str
    before_band: list[str] = field(default_factory=list)
    after_band: list[str] = field(default_factory=list)
    cost_gbp: list[float] = field(default_factory=list)
    sap_gain: list[float] = field(default_factory=list)
    bill_before_gbp: list[float] = field(default_factory=list)
    bill_after_gbp: list[float] = field(default_factory=list)
    reached_goal: list[bool] = field(default_factory=list)
    sap_before: list[float] = field(default_factory=list)
    sap_after: list[float] = field(default_factory=list)
    phases: list[tuple[int, list[str], float | None, str | None, str | None]] = field(
        default_factory=list)
    """(number, allowed measure types, budget GBP, target band, goal kind) of each phase."""
    measures: Counter[str] = field(default_factory=Counter)
    measure_cost_gbp: defaultdict[str, float] = field(
        default_factory=lambda: defaultdict(float))

    def target_band(self) -> str | None:
        """The band the last phase aims at, if its goal is a band."""
        bands = [band for *_, band, _kind in self.phases if band]
        return bands[-1] if bands else None

    def goal_text(self) -> str:
        """The scenario's goal, budget and phases, as a person would say them."""
        if not self.phases:
            return "Goal and phases not stored with this plan."
        out = []
        for number, allowed, budget, band, kind in self.phases:
            what = "any eligible measure" if allowed == ["*"] else ", ".join(
                measure_words(m) for m in allowed)
            goal = (f"reach band {band} at least cost" if band else
                    {"max_sap": "the largest SAP gain",
                     "max_co2_reduction": "the largest CO2 reduction",
                     "max_energy_reduction": "the largest energy reduction"}.get(
                         kind or "", kind or "no goal"))
            money = f"budget GBP {budget:,.0f}" if budget is not None else "no budget limit"
            out.append(f"phase {number}: {what}; {goal}; {money}")
        return "Goal: " + "; then ".join(out) + "."


@dataclass
class ReportData:
    portfolio_id: str
    properties: int
    certificates: int
    lodged_band: list[str]
    effective_band: list[str]
    effective_sap: list[int]
    bill_gbp: list[float]
    rebaseline_reasons: Counter[str]
    failures: Counter[tuple[str, str]]
    scenarios: list[ScenarioFigures]
    trust: Counter[str] = field(default_factory=Counter)
    """Homes by trust level (decision 0022): lodged kept, re-modelled, re-modelled with
    estimates, refused."""
    assumptions: Counter[str] = field(default_factory=Counter)
    """Homes rated with each estimate fallback."""
    homes: list[tuple[str, str, str, int, str, float | None]] = field(default_factory=list)
    """Per baselined home: property id, lodged band, effective band, effective SAP, trust
    level, annual bill (None when unpriced)."""
    landlord: dict[str, str] = field(default_factory=dict)
    """Per home with Landlord Overrides: the fields that came from the landlord (the words
    and the file and row), each beside the lodged value."""
    overrides_changed: int = 0
    """Homes whose latest baseline followed a change of their overrides
    (``landlord_overrides_changed``)."""
    surveys_changed: int = 0
    """Homes whose latest baseline followed a survey added or changed by ``ara surveys
    import`` (``survey_changed``)."""
    predicted: int = 0
    """Homes rated from a predicted EPC (no certificate and no survey): estimates."""
    anomalies: list[dict[str, Any]] = field(default_factory=list)
    """Lodged certificates flagged far from their comparables, farthest first."""


def collect(uow_factory: Callable[..., Any], portfolio_id: str) -> ReportData:
    """Everything the report draws, for one portfolio, in one read-only unit of work."""
    from ara.read_models import (
        certificate_anomalies,
        landlord_values,
        portfolio_baselines,
        scenario_results,
    )

    with uow_factory(read_only=True) as uow:
        conn = uow.connection
        rows = portfolio_baselines(conn, portfolio_id)
        results = scenario_results(conn, portfolio_id)
        landlord = landlord_values(conn, portfolio_id=portfolio_id)
        anomalies = certificate_anomalies(conn, portfolio_id)
    base, failures = rows.baselines, rows.failures
    names, scenario_phases, plans = results.names, results.phases, results.plans
    phases, measures = results.plan_phases, results.measures
    last_phase: dict[tuple[str, str], bool] = {}
    for r in phases:  # ordered by phase number: the last one wins
        last_phase[(r.property_id, r.scenario_id)] = bool(r.reached_goal)
    figures: dict[str, ScenarioFigures] = {}
    for r in plans:
        fig = figures.setdefault(r.scenario_id, ScenarioFigures(
            r.scenario_id, names.get(r.scenario_id, r.scenario_id)))
        if r.band_before is None or r.sap_score_before is None:
            continue  # a plan stored before revision 0002 has no before-figures
        fig.before_band.append(r.band_before)
        fig.after_band.append(r.final_band or r.band_before)
        fig.cost_gbp.append(float(r.total_cost_gbp))
        after = r.final_sap_score if r.final_sap_score is not None else r.sap_score_before
        fig.sap_gain.append(float(after - r.sap_score_before))
        # NaN: the Fuel Rates snapshot does not price the home's fuel then (decision 0017)
        fig.bill_before_gbp.append(_or_nan(r.bill_before_gbp))
        fig.bill_after_gbp.append(_or_nan(r.bill_after_gbp))
        fig.reached_goal.append(last_phase.get((r.property_id, r.scenario_id), False))
        fig.sap_before.append(float(r.sap_score_before))
        fig.sap_after.append(float(after))
    for r in scenario_phases:
        if r.scenario_id in figures:
            figures[r.scenario_id].phases.append(
                (int(r.phase_number), list(json.loads(r.allowed_measure_types_json)),
                 r.budget_gbp, r.target_band, r.goal_kind))
    for r in measures:
        if r.scenario_id in figures:
            figures[r.scenario_id].measures[r.measure_type] += 1
            figures[r.scenario_id].measure_cost_gbp[r.measure_type] += float(r.cost_gbp)
    return ReportData(
        portfolio_id=portfolio_id, properties=rows.properties, certificates=rows.certificates,
        lodged_band=[r.lodged_band or "-" for r in base],
        effective_band=[r.effective_band for r in base],
        effective_sap=[int(r.effective_sap_score) for r in base],
        bill_gbp=[float(r.bill_total_gbp) for r in base if r.bill_total_gbp is not None],
        rebaseline_reasons=Counter(r.rebaseline_reason for r in base),
        failures=Counter((f.stage, f.message.split(";")[0][:140]) for f in failures),
        scenarios=[figures[k] for k in sorted(figures)],
        trust=trust_levels(base, failures),
        homes=[(r.property_id, r.lodged_band or "-", r.effective_band,
                int(r.effective_sap_score), _trust_of(r),
                None if r.bill_total_gbp is None else float(r.bill_total_gbp)) for r in base],
        assumptions=Counter(a for r in base if r.estimate
                            for a in (r.assumptions or "").split(",") if a),
        landlord={pid: LANDLORD_SEPARATOR.join(v.describe() for v in values)
                  for pid, values in landlord.items()},
        overrides_changed=sum(1 for r in base if "landlord_overrides_changed"
                              in (r.changed_inputs or "").split(",")),
        surveys_changed=sum(1 for r in base if "survey_changed"
                            in (r.changed_inputs or "").split(",")),
        predicted=sum(1 for r in base if r.source_path == "predicted"),
        anomalies=anomalies)


#: Between two fields of one home in the report's landlord column.
LANDLORD_SEPARATOR = " | "


TRUST_LEVELS = ("lodged kept", "re-modelled", "re-modelled with estimates",
                "estimated (predicted)", "refused")
#: Anomaly flags listed in the report (the farthest first; the rest are counted).
ANOMALIES_SHOWN = 20


def _trust_of(r: Any) -> str:
    from ara.read_models import trust_level  # the one rule (ara list, export, this report)

    return trust_level(r.rebaseline_reason, r.estimate, refused=False,
                       source_path=getattr(r, "source_path", None)) or "-"


def trust_levels(base: Sequence[Any], failures: Sequence[Any]) -> Counter[str]:
    """Homes by trust level: the lodged figures kept (a pristine SAP 10.2 certificate),
    re-modelled from lodged data and the spec, re-modelled with declared estimate fallbacks,
    estimated from a predicted EPC (no certificate, no survey), refused by the Baseline."""
    out: Counter[str] = Counter(dict.fromkeys(TRUST_LEVELS, 0))
    for r in base:
        out[_trust_of(r)] += 1
    out["refused"] = sum(1 for f in failures if f.stage == "baseline")
    return out


#: Sorts a table.sortable by the clicked column (numbers as numbers), in the page itself.
SORT_SCRIPT = """<script>
document.querySelectorAll("table.sortable th").forEach(function (th, col) {
  th.style.cursor = "pointer";
  th.addEventListener("click", function () {
    var body = th.closest("table").tBodies[0] || th.closest("table");
    var rows = Array.from(body.querySelectorAll("tr")).filter(function (r) {
      return r.querySelector("td"); });
    var asc = th.dataset.asc !== "1"; th.dataset.asc = asc ? "1" : "0";
    function key(r) { var t = r.children[col].textContent.replace(/,/g, "");
      var n = parseFloat(t); return isNaN(n) ? t : n; }
    rows.sort(function (a, b) { var x = key(a), y = key(b);
      return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1); });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
</script>"""


def percent(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage that never rounds to 0 % or 100 % unless it is
    exactly that (1,994 of 2,000 is 99.7 %, not 100 %)."""
    if whole <= 0:
        return "-"
    if part in (0, whole):
        return f"{100 * part // whole} %"
    value = 100 * part / whole
    return f"{min(max(value, 0.1), 99.9):.1f} %"


def measure_words(measure_type: str) -> str:
    """A catalogue measure type in words (``air_source_heat_pump`` -> ``air source heat
    pump``; LED kept in capitals)."""
    words = measure_type.replace("_", " ")
    return words.replace("led ", "LED ") if words.startswith("led ") else words


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _billed(fig: ScenarioFigures) -> list[tuple[str, float, float]]:
    """(band before, bill before, bill after) of the plans priced on both sides."""
    return [(band, b, a) for band, b, a in zip(fig.before_band, fig.bill_before_gbp,
                                               fig.bill_after_gbp, strict=True)
            if math.isfinite(b) and math.isfinite(a)]


# ---- charts -------------------------------------------------------------------------------

def _svg(draw: Callable[[Any], None], width: float = 7.0, height: float = 3.6) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.fonttype"] = "none"  # text stays text: smaller, searchable
    matplotlib.rcParams["svg.hashsalt"] = "ara"  # stable ids: the same data, the same file

    fig, ax = plt.subplots(figsize=(width, height))
    try:
        draw(ax)
        fig.tight_layout()
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None})
    finally:
        plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]  # drop the XML prolog: the SVG sits inside HTML


def _band_counts(bands: Sequence[str]) -> list[int]:
    counts = Counter(bands)
    return [counts.get(b, 0) for b in BANDS]


def band_chart(series: Sequence[tuple[str, Sequence[str]]], title: str) -> str:
    """Grouped bars: homes per band for each named series."""
    def draw(ax: Any) -> None:
        width = 0.8 / max(1, len(series))
        for k, (label, bands) in enumerate(series):
            xs = [i + (k - (len(series) - 1) / 2) * width for i in range(len(BANDS))]
            bars = ax.bar(xs, _band_counts(bands), width, label=label,
                          color=BAND_COLOURS, alpha=1.0 if k == len(series) - 1 else 0.45,
                          edgecolor="#333333", linewidth=0.5)
            ax.bar_label(bars, fontsize=7, padding=1)
        ax.set_xticks(range(len(BANDS)), list(BANDS))
        ax.set_xlabel("EPC band")
        ax.set_ylabel("homes")
        ax.set_title(title, fontsize=10)
        # the bars take their band's colour; the legend tells the series apart by shade,
        # drawn the way the bars are (a neutral colour at each series' opacity)
        from matplotlib.patches import Patch

        ax.legend(handles=[Patch(facecolor="#777777", edgecolor="#333333",
                                 alpha=1.0 if k == len(series) - 1 else 0.45, label=label)
                           for k, (label, _bands) in enumerate(series)], fontsize=8)
    return _svg(draw)


def histogram(values: Sequence[float], title: str, xlabel: str) -> str:
    def draw(ax: Any) -> None:
        ax.hist(values, bins=30, color="#3b6ea5", edgecolor="white")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("homes")
        ax.set_title(title, fontsize=10)
    return _svg(draw)


def scatter(xs: Sequence[float], ys: Sequence[float], title: str, xlabel: str,
            ylabel: str) -> str:
    def draw(ax: Any) -> None:
        ax.scatter(xs, ys, s=6, alpha=0.4, color="#3b6ea5")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
    return _svg(draw)


def barh(counts: Counter[str], title: str, xlabel: str) -> str:
    items = counts.most_common()[::-1]

    def draw(ax: Any) -> None:
        ax.barh([k for k, _ in items], [v for _, v in items], color="#3b6ea5")
        ax.set_xlabel(xlabel)
        ax.set_title(title, fontsize=10)
        ax.tick_params(axis="y", labelsize=8)
    return _svg(draw, height=max(2.4, 0.3 * len(items) + 1.2))


def bill_chart(fig: ScenarioFigures) -> str:
    """Mean annual bill before and after the plan, by band before."""
    before: dict[str, list[float]] = defaultdict(list)
    after: dict[str, list[float]] = defaultdict(list)
    for band, b, a in _billed(fig):
        before[band].append(b)
        after[band].append(a)
    bands = [b for b in BANDS if before.get(b)]

    def draw(ax: Any) -> None:
        xs = range(len(bands))
        ax.bar([x - 0.2 for x in xs], [sum(before[b]) / len(before[b]) for b in bands], 0.4,
               label="before", color="#b0b0b0")
        ax.bar([x + 0.2 for x in xs], [sum(after[b]) / len(after[b]) for b in bands], 0.4,
               label="after", color="#3b6ea5")
        ax.set_xticks(list(xs), bands)
        ax.set_xlabel("EPC band before the plan")
        ax.set_ylabel("GBP a year (mean)")
        ax.set_title(f"{fig.name}: bill before and after, same Fuel Rates snapshot",
                     fontsize=10)
        ax.legend(fontsize=8)
    return _svg(draw)


# ---- HTML ---------------------------------------------------------------------------------

def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
                   for row in rows)
    # wrapped so that a wide table scrolls by itself on a narrow screen, not the whole page
    return (f"<div class=wide><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
            "</table></div>")


def _median(values: Sequence[float]) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def render_html(data: ReportData, generated_at: datetime | None = None) -> str:
    when = (generated_at or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC")
    parts = [f"<h1>Ara portfolio report: {html.escape(data.portfolio_id)}</h1>",
             f"<p class=meta>Generated {when}. Ratings recalculated with SAP 10.2 (RdSAP 10 "
             "expansion for existing homes); bills at the Fuel Rates snapshot.</p>",
             "<h2>Portfolio</h2>",
             _table(("properties", "certificates", "baselined", "failures"),
                    [(data.properties, data.certificates, len(data.effective_band),
                      sum(data.failures.values()))])]
    if data.effective_band:
        mean_bill = sum(data.bill_gbp) / len(data.bill_gbp) if data.bill_gbp else float("nan")
        parts += [band_chart((("lodged EPC", [b for b in data.lodged_band if b != "-"]),
                              ("recalculated (SAP 10.2)", data.effective_band)),
                             "Homes per band: lodged against recalculated"),
                  _table(("rebaseline reason", "homes"),
                         sorted(data.rebaseline_reasons.items())),
                  *([f"<p>{html.escape(_landlord_text(data))}</p>"]
                    if data.landlord or data.overrides_changed else []),
                  *([f"<p>Surveys: {data.surveys_changed} homes were re-baselined after a "
                     "survey of theirs was added or changed (ara surveys import; "
                     "survey_changed); a survey at least as recent as the lodged EPC is the "
                     "home's Effective EPC.</p>"] if data.surveys_changed else []),
                  "<h3>How far to trust each rating</h3>",
                  _table(("trust level", "homes"), [(k, data.trust[k]) for k in TRUST_LEVELS]),
                  *([f"<p>Predicted EPCs: {data.predicted} homes have neither a certificate "
                     "nor a survey and are rated from an EPC predicted from comparable "
                     "certificates (one real neighbour's certificate, its dimensions scaled: "
                     "decision 0029). Their ratings are estimates: ara plan shows each one's "
                     "rung, cohort, confidence and template certificate; a survey replaces "
                     "the prediction.</p>"] if data.predicted else []),
                  *([barh(data.assumptions, "Estimate fallbacks used "
                          "(spec/tables/estimate_fallbacks.csv)", "homes")]
                    if data.assumptions else []),
                  f"<p>Annual bills: GBP {sum(data.bill_gbp):,.0f} in all, GBP "
                  f"{mean_bill:,.0f} a home on average over the {len(data.bill_gbp)} homes "
                  "the Fuel Rates snapshot prices"
                  + (f"; {len(data.effective_band) - len(data.bill_gbp)} rated homes use a "
                     "fuel or tariff it does not price and have no bill"
                     if len(data.bill_gbp) < len(data.effective_band) else "") + ".</p>"]
    for fig in data.scenarios:
        n = len(fig.cost_gbp)
        if not n:
            continue
        target = fig.target_band()
        if target is not None:  # a band goal: homes whose final band is the target or better
            reached = sum(1 for b in fig.after_band if b in BANDS and b <= target)
            reached_text = f"{reached} ({percent(reached, n)})"
        else:  # a 'most gain' goal has no target to reach
            reached_text = "no target band"
        worse_sap = sum(1 for a, b in zip(fig.sap_before, fig.sap_after, strict=True) if b < a)
        worse_bill = sum(1 for _, before, after in _billed(fig) if after > before)
        parts += [f"<h2>Scenario: {html.escape(fig.name)}</h2>",
                  f"<p>{html.escape(fig.goal_text())}</p>",
                  _table(("homes planned", "reached the goal", "SAP worse after",
                          "bill higher after", "total cost GBP",
                          "median cost a home GBP", "mean SAP gain",
                          "bill saving GBP a year"),
                         [(n, reached_text, f"{worse_sap} ({percent(worse_sap, n)})",
                           f"{worse_bill} ({percent(worse_bill, n)})",
                           f"{sum(fig.cost_gbp):,.0f}", f"{_median(fig.cost_gbp):,.0f}",
                           f"{sum(fig.sap_gain) / n:.1f}",
                           f"{sum(b - a for _, b, a in _billed(fig)):,.0f}"
                           + (f" ({len(_billed(fig))} homes priced)"
                              if len(_billed(fig)) < n else ""))]),
                  "<p class=meta>Before: the calculator's rating of each home's Effective EPC "
                  "where the plan starts (a SAP 10.2 certificate kept as lodged above can rate "
                  "differently here when its lodged figures diverge from the calculation).</p>",
                  band_chart((("before", fig.before_band), ("after the plan", fig.after_band)),
                             f"{fig.name}: homes per band before and after"),
                  histogram(fig.cost_gbp, f"{fig.name}: cost per home",
                            "cost with contingency (GBP)"),
                  scatter(fig.cost_gbp, fig.sap_gain, f"{fig.name}: SAP gain against cost",
                          "cost (GBP)", "SAP points gained"),
                  bill_chart(fig)]
        if fig.measures:
            worded = Counter({measure_words(k): v for k, v in fig.measures.items()})
            parts += [barh(worded, f"{fig.name}: measures chosen", "homes"),
                      _table(("measure", "homes", "cost GBP"),
                             [(measure_words(k), v, f"{fig.measure_cost_gbp[k]:,.0f}")
                              for k, v in fig.measures.most_common()])]
    if data.homes:
        # the landlord's fields (when any home has some) in the last column: the others keep
        # their places
        extra = ("from the landlord (beside the lodged value)",) if data.landlord else ()
        parts += ["<h2>Homes</h2><p class=meta>Click a column heading to sort.</p>",
                  _table(("property", "lodged band", "effective band", "SAP", "trust",
                          "bill GBP a year", *extra),
                         [(pid, lodged, band, sap, trust, "-" if bill is None else
                           f"{bill:,.0f}", *((data.landlord.get(pid, "-"),) if extra else ()))
                          for pid, lodged, band, sap, trust, bill
                          in data.homes]).replace("<table>", "<table class=sortable>", 1),
                  SORT_SCRIPT]
    if data.anomalies:
        parts += ["<h2>Lodged certificates far from their comparables</h2>",
                  f"<p>{len(data.anomalies)} lodged certificates have a floor area or a "
                  "lodged SAP rating more than 3.5 robust spreads from the weighted median "
                  "of comparable certificates (decision 0029): worth a look before they are "
                  "trusted"
                  + (f"; the {ANOMALIES_SHOWN} farthest:" if len(data.anomalies)
                     > ANOMALIES_SHOWN else ":") + "</p>",
                  _table(("property", "certificate", "floor area m2 (median)",
                          "lodged SAP (median)", "comparables", "why"),
                         [(a["property_id"], a["certificate_number"],
                           _figure(a["floor_area_m2"], a["floor_area_median_m2"]),
                           _figure(a["sap"], a["sap_median"]),
                           f"{a['cohort_size']} ({a['rung']})", a["reasons"])
                          for a in data.anomalies[:ANOMALIES_SHOWN]])]
    if data.failures:
        parts += ["<h2>Failures by reason</h2>",
                  _table(("stage", "reason", "homes"),
                         [(s, m, c) for (s, m), c in data.failures.most_common(30)])]
    style = ("body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;"
             "color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid "
             "#ccc;padding:.25em .6em;text-align:left}svg{max-width:100%;height:auto;"
             "display:block;margin:1em 0}.meta{color:#666}.wide{overflow-x:auto}"
             "h1,h2,p{overflow-wrap:anywhere}")
    return ("<!DOCTYPE html><html lang=en><head><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width,initial-scale=1'>"
            f"<title>Ara report: {html.escape(data.portfolio_id)}</title>"
            f"<style>{style}</style></head><body>" + "\n".join(parts) + "</body></html>")


def _figure(value: float | None, median: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:g}" + (f" ({median:g})" if median is not None else "")


def _landlord_text(data: ReportData) -> str:
    fields = sum(text.count(LANDLORD_SEPARATOR) + 1 for text in data.landlord.values())
    return (f"Landlord overrides: {len(data.landlord)} homes have {fields} fields stated by "
            "their landlord (ara overrides import), laid over the lodged EPC (the Homes table "
            f"shows each beside the lodged value); {data.overrides_changed} homes were "
            "re-baselined after their overrides changed (landlord_overrides_changed).")


def write_report(uow_factory: Callable[..., Any], portfolio_id: str,
                 path: str | Path) -> Path:
    """Collect, render and write the report; returns the path written."""
    out = Path(path)
    out.write_text(render_html(collect(uow_factory, portfolio_id)), encoding="utf-8")
    return out
