"""``ara plan REF [--db DB] [--portfolio ID]``: one property's retrofit plans as a readable
table: the baseline; per scenario the plan's totals (cost, SAP/band, EI, CO2, primary energy
and bill before and after at one Fuel Rates snapshot, valuation uplift range); per phase its
goal and budget, the figures before and after, kWh by end use, and each measure with its
cost, SAP gain and bill, CO2 and primary energy savings; and why other measures were not
offered; and which fields came from the landlord (its stored overrides: the words and the
file and row they came from) beside the lodged values. REF is the property id, its UPRN or its
landlord reference (read through :mod:`ara.read_models`); one that names several properties is
refused with the list of them.

Figures a plan stored before schema revision 0002 lacks print as ``-``."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from typing import Any

Row = Mapping[str, Any]

#: End uses as printed, in ``ara.persistence.tables.END_USES`` order.
END_USE_LABELS = (("space_heating_main", "heating"), ("space_heating_secondary", "secondary"),
                  ("water_heating", "hot water"), ("electric_showers", "showers"),
                  ("lighting", "lighting"), ("pumps_and_fans", "pumps/fans"),
                  ("cooling", "cooling"), ("pv_generation", "PV made"))


def _num(value: float | None, digits: int = 0, sign: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+,.{digits}f}" if sign else f"{value:,.{digits}f}"


def _side(row: Row, side: str, plan: bool = False) -> str:
    """SAP, band, EI, CO2, primary energy and bill of one side of a phase (or a plan)."""
    from ara.persistence.tables import state_column

    def get(stem: str) -> Any:
        return row[state_column(stem, side, plan=plan)]

    sap = get("sap_continuous")
    sap_text = _num(sap, 1) if sap is not None else _num(get("sap_score"))
    return (f"SAP {sap_text} {get('band') or '-'}, EI {_num(get('ei_rating'))} "
            f"{get('ei_band') or '-'}, CO2 {_num(get('co2_tonnes_per_year'), 2)} t/yr, "
            f"PE {_num(get('primary_energy_kwh_per_year'))} kWh/yr "
            f"({_num(get('primary_energy_kwh_per_m2_year'))} kWh/m2), "
            f"bill GBP {_num(get('bill'))}/yr")


def _end_uses(row: Row, indent: str) -> list[str]:
    """kWh by end use of a phase, before and after, as a small table."""
    width = max(len(label) for _, label in END_USE_LABELS) + 1
    lines = [f"{indent}{'kWh/yr':<7}" + "".join(f"{label:>{width}}"
                                               for _, label in END_USE_LABELS)]
    for side in ("before", "after"):
        lines.append(f"{indent}{side:<7}" + "".join(
            f"{_num(row[f'{use}_kwh_{side}']):>{width}}" for use, _ in END_USE_LABELS))
    return lines


def _uplift(row: Row) -> str:
    if row["uplift_percent_low"] is None:
        return "-"
    text = f"{row['uplift_percent_low']:.1f}-{row['uplift_percent_high']:.1f} %"
    if row["uplift_gbp_low"] is not None:
        text += f" (GBP {row['uplift_gbp_low']:,.0f}-{row['uplift_gbp_high']:,.0f})"
    else:
        text += " (no market value: no pounds)"
    return text


def _goal(row: Row) -> str:
    kind, band, budget = row["goal_kind"], row["goal_target_band"], row["budget_gbp"]
    if kind is None:  # stored before revision 0002: goal and budget unknown
        return "goal -, budget -"
    goal = f"band {band} or better" if band else kind.replace("_", " ")
    return f"goal {goal}, budget {'none' if budget is None else f'GBP {budget:,.0f}'}"


def _saving(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else before - after


def render_plan(pid: str, base: Row | None, plans: Sequence[Row], phases: Sequence[Row],
                measures: Sequence[Row], rejections: Sequence[Row], failures: Sequence[Row], *,
                heading: str | None = None, landlord: Sequence[Any] = (),
                prediction: Row | None = None) -> str:
    """The plan as text; ``heading`` (who the property is) replaces the bare id;
    ``landlord``: the fields that came from the landlord
    (:class:`ara.read_models.LandlordValue`), shown beside the lodged values;
    ``prediction``: the provenance of the home's predicted EPC (``predicted_epcs``), shown
    when the baseline is rated from it."""
    lines = [f"property {heading or pid}"]
    if base is None and not plans and not failures:
        lines.append("  no baseline, plan or failure stored yet (ara run)")
    if base is not None:
        lines.append(f"  baseline: SAP {base['effective_sap_score']} {base['effective_band']} "
                     f"(lodged {base['lodged_sap_score'] or '-'} {base['lodged_band'] or ''}, "
                     f"{base['rebaseline_reason']}), CO2 "
                     f"{base['effective_co2_tonnes_per_year']:.2f} t/yr, PE "
                     f"{base['effective_primary_energy_kwh_per_m2_year']:,.0f} kWh/m2/yr, "
                     f"bill GBP {_num(base['bill_total_gbp'])}/yr "
                     f"(fuel rates {base['fuel_rates_snapshot']})")
        if base.get("source_path") == "predicted":
            lines += _prediction_lines(prediction)
        if base.get("bill_unpriced_reason"):
            lines.append(f"  bill not priced: {base['bill_unpriced_reason']}")
        if base.get("estimate"):
            from ara.sap.fallbacks import fallbacks

            declared = fallbacks()
            lines.append("  ESTIMATE: rated with the declared fallbacks "
                         "(spec/tables/estimate_fallbacks.csv):")
            for fid in (base.get("assumptions") or "").split(","):
                fb = declared.get(fid)
                lines.append(f"    {fid}: {fb.missing}: {fb.fallback}" if fb else f"    {fid}")
        if base.get("changed_inputs"):
            lines.append("  changed since the previous baseline: "
                         + ", ".join(_CHANGES.get(c, c)
                                     for c in base["changed_inputs"].split(",") if c))
    lines += _landlord_lines(base, landlord)
    for plan in plans:
        sid = plan["scenario_id"]
        lines.append(f"  scenario {sid}: cost GBP {plan['total_cost_gbp']:,.0f} (contingency "
                     f"included), fuel rates {plan['fuel_rates_snapshot'] or '-'}")
        lines.append(f"    before: {_side(plan, 'before', plan=True)}")
        lines.append(f"    after:  {_side(plan, 'after', plan=True)}")
        saving = _saving(plan["bill_before_gbp"], plan["bill_after_gbp"])
        lines.append(f"    bill saving GBP {_num(saving)}/yr; valuation uplift {_uplift(plan)}")
        for ph in (p for p in phases if p["scenario_id"] == sid):
            number = ph["phase_number"]
            lines.append(f"    phase {number}: {_goal(ph)}: "
                         f"{'reached' if ph['reached_goal'] else 'not reached'}; cost GBP "
                         f"{ph['cost_gbp']:,.0f}; valuation uplift {_uplift(ph)}")
            lines.append(f"      before: {_side(ph, 'before')}")
            lines.append(f"      after:  {_side(ph, 'after')}")
            lines += _end_uses(ph, "      ")
            mine = [m for m in measures if m["scenario_id"] == sid
                    and m["phase_number"] == number]
            if mine:
                lines.append(f"      {'':>3} {'measure':<36} {'cost GBP':>9} {'SAP':>6} "
                             f"{'bill GBP/yr':>11} {'CO2 kg/yr':>9} {'PE kWh/yr':>9}")
            for m in mine:
                lines.append(f"      {m['sequence']:>2}. {m['measure_type']:<36} "
                             f"{m['cost_gbp']:>9,.0f} {m['sap_gain']:>+6.1f} "
                             f"{_num(m['bill_saving_gbp']):>11} "
                             f"{_num(m['co2_saving_kg']):>9} "
                             f"{_num(m['primary_energy_saving_kwh']):>9}")
            if mine:
                lines.append(f"      {'':>3} {'phase saving (sum of the measures)':<36} "
                             f"{ph['cost_gbp']:>9,.0f} "
                             f"{sum(m['sap_gain'] for m in mine):>+6.1f} "
                             f"{_num(_total(mine, 'bill_saving_gbp')):>11} "
                             f"{_num(_total(mine, 'co2_saving_kg')):>9} "
                             f"{_num(_total(mine, 'primary_energy_saving_kwh')):>9}")
            else:
                lines.append("      no measure")
            why = [r for r in rejections if r["scenario_id"] == sid
                   and r["phase_number"] == number]
            if why:
                lines.append("      not offered:")
                lines += [f"        {r['measure_type']}: {r['reason']}" for r in why]
    for f in failures:
        lines.append(f"  not planned ({f['stage']}): {f['message'][:300]}")
    return "\n".join(lines)


#: ``baseline_performance.changed_inputs`` values in words.
_CHANGES = {"landlord_overrides_changed":
            "the landlord's overrides (landlord_overrides_changed)",
            "survey_changed": "a survey added or changed by ara surveys import "
                              "(survey_changed)"}


def _prediction_lines(prediction: Row | None) -> list[str]:
    """The ESTIMATED mark of a home rated from its predicted EPC, with its provenance."""
    head = ("  ESTIMATED (predicted): no certificate and no survey; rated from an EPC predicted "
            "from comparable certificates (a survey replaces it)")
    if prediction is None:
        return [head]
    import json

    neighbours = json.loads(prediction.get("comparable_certificates_json") or "[]")
    confidence = prediction.get("confidence")
    return [head,
            f"    rung {prediction.get('rung') or '-'}, cohort "
            f"{_num(prediction.get('cohort_size'))} comparable certificates, confidence "
            f"{'-' if confidence is None else f'{confidence:.2f}'} (0-1, a ranking figure, "
            "not a probability)",
            f"    template certificate {prediction.get('template_certificate') or '-'} (its "
            f"dimensions scaled), {len(neighbours)} neighbours weighted: "
            + ", ".join(neighbours[:5]) + (", ..." if len(neighbours) > 5 else ""),
            f"    method {prediction['method']}, predicted on {prediction['predicted_on']}"]


def _landlord_lines(base: Row | None, landlord: Sequence[Any]) -> list[str]:
    """The fields that came from the landlord, each beside the lodged value; whether they
    were applied (only over a lodged EPC: a home modelled from its survey or a prediction
    does not use them)."""
    if not landlord:
        return []
    path = base["source_path"] if base is not None else None
    if path is None or path == "epc_with_overlay":
        head = "  from the landlord (stored overrides, laid over the lodged EPC):"
    elif path == "predicted":
        head = ("  from the landlord (stored overrides; property type, built form and walls "
                "chose the comparable certificates, not laid over the prediction):")
    else:
        head = (f"  from the landlord (stored overrides; not applied: the home is modelled "
                f"from its {'survey' if path == 'survey' else path.replace('_', ' ')}):")
    return [head, *(f"    {v.describe()}" for v in landlord)]


def _total(rows: list[Row], name: str) -> float | None:
    values = [r[name] for r in rows]
    return None if any(v is None for v in values) else sum(values)


def cmd_plan(args: argparse.Namespace) -> int:
    from ara import read_models as rm
    from ara.cli_results import checked, open_database, reading

    engine = open_database(args.db, "plan")
    if engine is None:
        return 2
    with reading(engine) as conn:
        prop = checked(lambda: rm.resolve_property(conn, args.ref, args.portfolio))
        view = rm.plan_view(conn, prop)
    print(render_plan(prop.property_id, view.baseline, view.plans, view.phases, view.measures,
                      view.rejections, view.failures, heading=prop.describe(),
                      landlord=view.landlord, prediction=view.prediction))
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("plan", help="print one property's retrofit plans",
                       description="Print a property's baseline, each scenario's totals, "
                                   "phases (goal, budget, before and after) and measures with "
                                   "cost and savings, why other measures were not offered, "
                                   "and its stage failures. REF: the property id, its UPRN or "
                                   "its landlord reference.")
    p.add_argument("ref", metavar="REF", help="property id, UPRN or landlord reference")
    p.add_argument("--db", default="ara.db", help="SQLite file or PostgreSQL URL")
    p.add_argument("--portfolio", metavar="ID",
                   help="look REF up in this portfolio only (a UPRN or reference can be in "
                        "several)")
    p.set_defaults(func=cmd_plan)
