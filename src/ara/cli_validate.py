"""``ara validate INPUT... [--pcdb PATH] [--mode strict|estimate] [--report validate.html]
[--json] [--batch-size N] [--workers N | --scheduler ADDRESS] [--progress]``: rate
certificates in bulk and measure the ratings against the lodged figures (:mod:`ara.validate`).

A converted dataset (``ara convert``'s Parquet parts) is validated on a Dask cluster with
``--workers N`` (a local one) or ``--scheduler ADDRESS`` (issue 18): each partition on a
worker, the summaries merged here; the output is the same as in one process. An unreachable
scheduler or a missing 'cluster' extra exits 78 with one line.

Prints a readable summary (coverage, refusal reasons, fallbacks used, accuracy of the SAP 10.2
lodgements overall and by group), or with ``--json`` one JSON object (for CI gates);
``--report PATH`` also writes a self-contained HTML report with charts. Exit status 0 when
every certificate read was rated (estimates count as rated), 1 when any was refused or
unreadable, 2 for bad usage (an input path that does not exist, a PCDB that does not read).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ara.cli_common import EXIT_CONFIG, missing_extra, positive
from ara.cli_rate import add_mode_argument, add_pcdb_argument, load_user_pcdb

#: How many refusal reasons / groups the readable summary lists (the JSON has them all).
SHOWN = 15
SHORT_LABELS = {"sap": "SAP, continuous (points)", "sap_integer": "SAP, integer (points)",
                "ei": "EI, continuous (points)", "co2": "CO2 (t/yr; within: %)",
                "pe": "primary energy (kWh/m2/yr; within: %)"}


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f} %" if whole else "    - "


def _num(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def render_text(summary: Any) -> str:
    """The readable summary of a :class:`ara.validate.ValidationSummary`."""
    from ara.validate import DIMENSIONS, METRICS, SCORED_SCHEMAS_TEXT, THRESHOLDS, by_count

    s = summary
    total = s.certificates
    lines = [f"ara validate: {total:,} certificates from {len(s.inputs)} input(s), mode "
             f"{s.mode}, in {s.elapsed_s:.1f} s ({s.certificates_per_s:,.0f} certificates/s)",
             "", "Coverage",
             f"  rated                 {s.rated:>9,}  {_pct(s.rated, total)}",
             f"  rated as estimates    {s.rated_estimate:>9,}  {_pct(s.rated_estimate, total)}",
             f"  refused               {s.refused:>9,}  {_pct(s.refused, total)}",
             f"  unreadable            {s.unreadable:>9,}  {_pct(s.unreadable, total)}"]
    if s.by_schema:
        lines += ["", f"  {'schema version':<24}{'rated':>9}{'estimates':>11}{'refused':>9}"]
        for schema, c in sorted(s.by_schema.items()):
            lines.append(f"  {schema:<24}{c['rated']:>9,}{c['rated_estimate']:>11,}"
                         f"{c['refused']:>9,}")
    for title, counts in (("Refusal reasons (certificates)", s.refusal_reasons),
                          ("Unreadable (certificates)", s.unreadable_reasons),
                          ("Fallbacks used (certificates rated with them)", s.fallbacks_used)):
        if counts:
            lines += ["", title]
            lines += [f"  {n:>9,}  {key}" for key, n in by_count(counts)[:SHOWN]]
            if len(counts) > SHOWN:
                lines.append(f"  ... {len(counts) - SHOWN} more (--json lists every one)")
    heads = "".join(f"{'<=' + format(t, 'g'):>7}" for t in THRESHOLDS)
    lines += ["", f"Accuracy against the lodged figures: {s.scored:,} SAP 10.2 lodgements "
                  f"scored ({SCORED_SCHEMAS_TEXT}); {s.rated_total - s.scored:,} other "
                  "ratings (older schemas lodge SAP 2012 figures, CSV rows name no schema) "
                  "count for coverage only",
              f"  {'metric':<40}{'n':>8}{'MAE':>10}{'bias':>10}{heads}"]
    for metric, spec in METRICS.items():
        st = s.overall(metric)
        unit = SHORT_LABELS.get(metric, spec.label)
        lines.append(f"  {unit:<40}{st.n:>8,}{_num(st.mae):>10}{_num(st.bias):>10}"
                     + "".join(f"{_share(v):>7}" for v in st.shares().values()))
    if s.scored:
        for dim in DIMENSIONS:
            groups = s.groups("sap", dim)
            if not groups:
                continue
            lines += ["", f"  SAP (continuous) by {dim.replace('_', ' ')}"]
            ordered = sorted(groups.items(), key=lambda item: (
                (0, item[0]) if dim in ("schema_version", "age_band") else (-item[1].n, item[0])))
            for label, st in ordered[:SHOWN]:
                lines.append(f"    {label[:38]:<38}{st.n:>8,}{_num(st.mae):>10}"
                             f"{_num(st.bias):>10}"
                             + "".join(f"{_share(v):>7}" for v in st.shares().values()))
            if len(ordered) > SHOWN:
                lines.append(f"    ... {len(ordered) - SHOWN} more groups (--json)")
    return "\n".join(lines)


def cmd_validate(args: argparse.Namespace) -> int:
    if args.report and missing_extra("validate --report", ("matplotlib",)):
        return EXIT_CONFIG
    from ara.expand_dataset import looks_like_dataset
    from ara.sap.fallbacks import check_mode
    from ara.validate import validate

    missing = [p for p in args.inputs if not Path(p).exists()]
    if missing:
        print(f"ara validate: error: no such file or folder: {', '.join(missing)}",
              file=sys.stderr)
        return 2
    if args.predict:
        return _predict(args)
    try:
        pcdb = load_user_pcdb(args.pcdb)
    except ValueError as exc:
        print(f"ara validate: error: {exc}", file=sys.stderr)
        return 2
    on_cluster = (args.workers is not None and any(map(looks_like_dataset, args.inputs))) \
        or args.scheduler is not None
    cluster_errors: tuple[type[Exception], ...] = ()
    if on_cluster:
        import importlib.util

        absent = [m for m in ("dask", "distributed") if importlib.util.find_spec(m) is None]
        if absent:
            print(f"ara validate: error: a dataset on --workers or --scheduler needs "
                  f"{', '.join(absent)}, from the 'cluster' extra: pip install "
                  "'ara-sap[cluster]'", file=sys.stderr)
            return EXIT_CONFIG
        from ara.distributed import ClusterUnavailableError

        cluster_errors = (ClusterUnavailableError,)
    try:
        summary = validate(args.inputs, check_mode(args.mode), pcdb, args.batch_size,
                           args.progress or sys.stderr.isatty(), args.workers or 1,
                           cluster_workers=args.workers if on_cluster else None,
                           scheduler=args.scheduler)
    except cluster_errors as exc:
        print(f"ara validate: error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except ValueError as exc:  # a Parquet input that is not a certificate dataset, a
        # scheduler given other inputs, a partition that cannot be read
        print(f"ara validate: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(summary.to_json())
    else:
        print(render_text(summary))
    if args.report:
        from ara.validate_report import write_report

        path = write_report(summary, args.report)
        print(f"ara validate: report written to {path}", file=sys.stderr)
    if summary.certificates == 0:
        print("ara validate: no certificates found in the inputs", file=sys.stderr)
    return summary.exit_code


def _predict(args: argparse.Namespace) -> int:
    """``ara validate INPUT... --predict`` (issue 19): leave-one-out over the certificates of
    INPUT, each predicted from the others with its own postcode unit held out, and the
    predicted against the lodged certificate, by rung (``ara.prediction.leave_one_out``)."""
    import json

    from ara.prediction import format_summary, leave_one_out
    from ara.prediction.validation import read_corpus

    try:
        corpus, unreadable = read_corpus(list(args.inputs))
    except ValueError as exc:
        print(f"ara validate: error: {exc}", file=sys.stderr)
        return 2
    if corpus.num_rows == 0:
        print("ara validate: no certificates found in the inputs", file=sys.stderr)
        return 1
    result = leave_one_out(corpus)
    if args.json:
        print(json.dumps({"certificates": corpus.num_rows, "unreadable": unreadable,
                          "by_rung": result.summary.to_pylist()}))
    else:
        print(f"leave-one-out over {corpus.num_rows} certificates "
              f"({unreadable} unreadable, left out): each predicted from the others with its "
              "own postcode unit held out, both rated by this calculator")
        print(format_summary(result.summary))
    return 0


def add_parser(sub: Any) -> None:
    from ara.validate import DEFAULT_BATCH_SIZE

    p = sub.add_parser(
        "validate", help="rate certificates in bulk and measure the ratings against the "
                         "lodged figures",
        description="Read every certificate of INPUT (RdSAP and full SAP XML, register "
                    "JSON, open-data CSV; files, folders, register bulk archives: NDJSON, "
                    ".gz, .zip of JSON / XML / NDJSON / CSV), rate them batch by batch and "
                    "report "
                    "coverage (rated, rated as estimates, refused with reasons, unreadable; "
                    "fallbacks used) and the accuracy of the SAP 10.2 lodgements "
                    "(RdSAP-Schema-21.x, SAP-Schema-19.x) against their lodged SAP, EI, CO2 "
                    "and primary energy, overall and by schema, age band, property type, "
                    "main heating and main fuel. Exit 0 when everything read was rated "
                    "(estimates count), 1 when anything was refused or unreadable, 2 for "
                    "bad usage. Input streams batch by batch (memory flat in its size); a "
                    "certificate document or archive line over 16 MiB is refused by name, "
                    "never held whole.")
    p.add_argument("inputs", nargs="+", metavar="INPUT",
                   help="certificate files, folders of them, or bulk archives")
    add_mode_argument(p, default="estimate")
    add_pcdb_argument(p)
    p.add_argument("--report", metavar="PATH",
                   help="also write a self-contained HTML report with charts")
    p.add_argument("--json", action="store_true",
                   help="print one JSON summary object instead of the readable summary")
    p.add_argument("--batch-size", type=positive, default=DEFAULT_BATCH_SIZE, metavar="N",
                   help=f"certificates per batch (default {DEFAULT_BATCH_SIZE:,})")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive, metavar="N",
                       help="certificate files and archives: processes converting them to "
                            "rows (default 1; measured on 20,000 certificates on 2 busy "
                            "cores, 2 workers were slower: try it on a quiet machine with "
                            "many cores); a converted dataset (ara convert's Parquet "
                            "parts): a local Dask cluster of N worker processes, one "
                            "partition per task (the 'cluster' extra)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="validate the datasets of INPUT (every INPUT a dataset that "
                            "every worker sees) on the Dask cluster whose scheduler is at "
                            "ADDRESS (e.g. tcp://10.0.0.5:8786)")
    p.add_argument("--progress", action="store_true",
                   help="show the progress bar even when stderr is not a terminal")
    p.add_argument("--predict", action="store_true",
                   help="instead: leave-one-out of the predicted EPCs (issue 19): each "
                        "certificate predicted from the others, its own postcode unit held "
                        "out; the predicted against the lodged SAP and components, by rung")
    p.set_defaults(func=cmd_validate)
