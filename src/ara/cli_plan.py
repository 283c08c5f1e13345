"""``ara plan PROPERTY_ID [--db]``: one property's retrofit plans as a readable table: the
baseline, each phase, each measure with its cost and saving, and why other measures were not
offered."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import sqlalchemy as sa


def cmd_plan(args: argparse.Namespace) -> int:
    from ara.persistence import UnitOfWorkFactory, get_engine
    from ara.persistence import tables as t

    factory = UnitOfWorkFactory(get_engine(args.db))
    pid = args.property_id
    with factory(read_only=True) as uow:
        conn = uow.connection
        base = conn.execute(sa.select(t.baseline_performance).where(
            t.baseline_performance.c.property_id == pid)).mappings().first()
        plans = conn.execute(sa.select(t.plans).where(t.plans.c.property_id == pid)
                             .order_by(t.plans.c.scenario_id)).mappings().all()
        phases = conn.execute(sa.select(t.plan_phases).where(
            t.plan_phases.c.property_id == pid).order_by(
            t.plan_phases.c.scenario_id, t.plan_phases.c.phase_number)).mappings().all()
        measures = conn.execute(sa.select(t.plan_measures).where(
            t.plan_measures.c.property_id == pid).order_by(
            t.plan_measures.c.scenario_id, t.plan_measures.c.phase_number,
            t.plan_measures.c.sequence)).mappings().all()
        failures = conn.execute(sa.select(t.stage_failures).where(
            t.stage_failures.c.property_id == pid)).mappings().all()
    if base is None and not plans:
        print(f"ara plan: error: no baseline or plan for property {pid} in {args.db}",
              file=sys.stderr)
        return 2
    lines = [f"property {pid}"]
    if base is not None:
        lines.append(f"  baseline: SAP {base['effective_sap_score']} {base['effective_band']} "
                     f"(lodged {base['lodged_sap_score'] or '-'} {base['lodged_band'] or ''}, "
                     f"{base['rebaseline_reason']}), CO2 "
                     f"{base['effective_co2_tonnes_per_year']:.2f} t/yr, bill GBP "
                     f"{base['bill_total_gbp']:,.0f}/yr")
    for plan in plans:
        sid = plan["scenario_id"]
        lines.append(f"  scenario {sid}: total GBP {plan['total_cost_gbp']:,.0f} -> SAP "
                     f"{plan['final_sap_score'] or '-'} {plan['final_band'] or ''}")
        for ph in (p for p in phases if p["scenario_id"] == sid):
            lines.append(f"    phase {ph['phase_number']}: GBP {ph['cost_gbp']:,.0f} -> SAP "
                         f"{ph['sap_score_after']} {ph['band_after']}, bill GBP "
                         f"{ph['bill_after_gbp']:,.0f}/yr, goal "
                         f"{'reached' if ph['reached_goal'] else 'not reached'}")
            for m in (x for x in measures if x["scenario_id"] == sid
                      and x["phase_number"] == ph["phase_number"]):
                lines.append(f"      {m['sequence']:>2}. {m['measure_type']:<28} "
                             f"GBP {m['cost_gbp']:>9,.0f}  SAP {m['sap_gain']:+5.1f}  "
                             f"saves GBP {m['bill_saving_gbp']:,.0f}/yr")
    for f in failures:
        lines.append(f"  not planned ({f['stage']}): {f['message'][:300]}")
    print("\n".join(lines))
    return 0


def add_parser(sub: Any) -> None:
    p = sub.add_parser("plan", help="print one property's retrofit plans",
                       description="Print a property's baseline, each scenario's phases and "
                                   "measures with cost and saving, and its stage failures.")
    p.add_argument("property_id", metavar="PROPERTY_ID")
    p.add_argument("--db", default="ara.db", help="SQLite file or PostgreSQL URL")
    p.set_defaults(func=cmd_plan)
