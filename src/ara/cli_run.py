"""``ara run``: the main job. A landlord's list of homes -> properties -> Ingestion ->
Baseline -> Modelling (the bundled scenarios unless told otherwise), batch by batch with
progress, then a portfolio summary and the HTML report (charts), both read back from the
database. ``ara report`` writes the report again from a database.

Defaults run on a fresh machine with no key and no network: the bundled SYNTHETIC sample
portfolio (``src/ara/data/sample_portfolio``: 2,000 homes, their certificates as a bulk
archive, UPRN reference data), SQLite file ``ara.db``, solar data off.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from ara.cli_common import EXIT_CONFIG, bundled, missing_extra
from ara.cli_rate import add_mode_argument, add_pcdb_argument, load_user_pcdb

SAMPLE = "sample_portfolio"
EXIT_OK, EXIT_FAILURES, EXIT_ERROR = 0, 1, 2


def _epc_fetcher(spec: str) -> Any:
    from ara.ingestion import epc_fetchers as f

    kind, _, path = spec.partition(":")
    if kind == "api":
        return f.RegisterApiFetcher()
    if kind == "api-legacy":
        return f.LegacyOpenDataFetcher()
    if not path:
        raise SystemExit(f"ara run: error: --epc-source {spec!r} needs a path "
                         "(archive:PATH, xml:DIR or csv:PATH)")
    if kind == "archive":
        return f.BulkArchiveFetcher(path)
    if kind == "xml":
        return f.XmlFolderFetcher(path)
    if kind == "csv":
        return f.OpenDataCsvFetcher(path)
    raise SystemExit(f"ara run: error: unknown --epc-source {spec!r}")


def trust_line(base: Any, failures: Any) -> str:
    """Homes by trust level (decision 0022; counted by :func:`ara.report.trust_levels`)."""
    from ara.report import trust_levels

    t = trust_levels(base, failures)
    return (f"trust: lodged kept {t['lodged kept']}, re-modelled {t['re-modelled']}, "
            f"re-modelled with estimates {t['re-modelled with estimates']}, "
            f"estimated (predicted) {t['estimated (predicted)']}, refused {t['refused']}")


def _summary(uow_factory: Any, portfolio_id: str, run: Any) -> str:
    from ara.read_models import first_failures, portfolio_baselines

    with uow_factory(read_only=True) as uow:
        rows = portfolio_baselines(uow.connection, portfolio_id)
    base, failures, certs = rows.baselines, rows.failures, rows.certificates
    lodged = Counter(r.lodged_band or "-" for r in base)
    effective = Counter(r.effective_band for r in base)
    reasons = Counter(r.rebaseline_reason for r in base)
    bands = "ABCDEFG"
    first = first_failures(failures)
    lines = [f"portfolio {portfolio_id}: {run.properties} properties, {certs} certificates, "
             f"{len(base)} baselined, {len(failures)} failures of {len(first)} homes",
             "band      " + "".join(f"{b:>7}" for b in (*bands, "-")),
             "lodged    " + "".join(f"{lodged.get(b, 0):>7}" for b in (*bands, "-")),
             "effective " + "".join(f"{effective.get(b, 0):>7}" for b in (*bands, "-")),
             "rebaselined: " + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items())),
             trust_line(base, failures),
             ]
    if run.predicted or run.prediction_failures:
        lines.append(f"predicted EPCs: {run.predicted} homes without a certificate or survey "
                     "rated from comparable certificates (estimated; ara plan shows the rung, "
                     f"cohort and confidence), {run.prediction_failures} not predicted "
                     "(failures below say why)")
    if run.anomalies:
        lines.append(f"anomalies: {run.anomalies} lodged certificates far from their "
                     "comparables (floor area or lodged SAP; listed in the report)")
    changed = run.overrides_changed
    if changed:
        lines.append(f"landlord overrides changed: {changed} homes re-baselined with them "
                     "(landlord_overrides_changed; ara plan shows each field's source)")
    surveyed = sum("survey_changed" in (r.changed_inputs or "").split(",") for r in base)
    if surveyed:
        lines.append(f"surveys added or changed: {surveyed} homes re-baselined (survey_changed; "
                     "the survey is used where it is at least as recent as the lodged EPC)")
    used = Counter(a for r in base if r.estimate for a in (r.assumptions or "").split(",") if a)
    if used:
        lines.append("estimate fallbacks used (spec/tables/estimate_fallbacks.csv): " + ", ".join(
            f"{k} {v}" for k, v in used.most_common(8)))
    billed = [r.bill_total_gbp for r in base if r.bill_total_gbp is not None]
    if billed:
        total = sum(billed)
        lines.append(f"bills: GBP {total:,.0f} a year in all, GBP {total / len(billed):,.0f} "
                     f"a home on average, {len(billed)} homes (Fuel Rates snapshot)")
    if len(billed) < len(base):
        lines.append(f"not billed: {len(base) - len(billed)} rated homes use a fuel or tariff "
                     "the Fuel Rates snapshot does not price (ara plan shows which)")
    if run.divergences:
        lines.append(f"divergences: {run.divergences} pristine SAP 10.2 certificates kept as "
                     "lodged differ from their recalculation (SAP by more than 0.5, or CO2 / "
                     "primary energy by more than 1 %)")
    unchanged = run.plans_unchanged
    if run.plans_written or unchanged:
        lines.append(f"plans: {run.plans_written} written" + (
            f", {unchanged} unchanged (inputs unchanged since their plans; --replan-all "
            "plans them again)" if unchanged else ""))
    if run.failed_batches:
        lines.append(f"failed batches: {len(run.failed_batches)}")
        lines += [f"  batch {n}: {reason}" for n, reason in run.failed_batches[:10]]
    if failures:
        later = len(failures) - len(first)
        lines.append("failures by reason (each home once, at the first stage that failed it"
                     + (f"; {later} failures of the same homes at later stages follow from "
                        "these" if later else "") + "):")
        grouped = Counter((f.stage, f.error_type, f.message.split(";")[0][:110])
                          for f in first)
        lines += [f"  {n:>6}  {stage}/{kind}: {msg}"
                  for (stage, kind, msg), n in grouped.most_common(12)]
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    """Everything given is checked (portfolio, EPC source and its credentials, UPRN data,
    PCDB, scenarios) before the database is opened, so a refusal leaves no database behind."""

    if missing_extra("run"):
        return EXIT_CONFIG
    from tqdm import tqdm

    from ara.datasets import DatasetError, StoreUnavailableError, is_uri
    from ara.domain.bills import FuelRates
    from ara.ingestion.geospatial import UprnReferenceData
    from ara.ingestion.secrets import CredentialsError
    from ara.orchestration.baseline import BaselineOrchestrator
    from ara.orchestration.first_run import FirstRun, PortfolioError, read_portfolio
    from ara.orchestration.ingestion import IngestionOrchestrator
    from ara.persistence import UnitOfWorkFactory

    def refuse(message: object, code: int = EXIT_ERROR) -> int:
        print(f"ara run: error: {message}", file=sys.stderr)
        return code

    if args.batch_size < 1:
        return refuse(f"--batch-size must be at least 1, not {args.batch_size}")
    on_cluster = args.workers is not None or args.scheduler is not None
    if on_cluster:
        refusal = _cluster_refusal(args)
        if refusal is not None:
            return refuse(*refusal)
    sample = bundled(SAMPLE)
    portfolio_path = Path(args.portfolio) if args.portfolio else sample / "portfolio.csv"
    epc_source = args.epc_source or (f"archive:{sample / 'certificates.ndjson.gz'}"
                                     if not args.portfolio else "api")
    uprn_data = args.uprn_data or (str(sample / "uprn.parquet") if not args.portfolio
                                   else None)
    portfolio_id = portfolio_path.stem if args.portfolio else "sample"
    try:
        properties = read_portfolio(portfolio_path, portfolio_id)
    except (PortfolioError, OSError) as exc:
        return refuse(exc)
    try:
        fetcher = _epc_fetcher(epc_source)
    except CredentialsError as exc:
        return refuse(f"{exc} (the sources archive:PATH, xml:DIR and csv:PATH need no "
                      "token: --epc-source)", EXIT_CONFIG)
    refusal = _remote_source_refusal(epc_source, uprn_data)
    if refusal is not None:
        return refuse(*refusal)
    if uprn_data and not is_uri(uprn_data) and not Path(uprn_data).exists():
        return refuse(f"--uprn-data {uprn_data}: no such file")
    if args.comparables is not None and not Path(args.comparables).exists():
        return refuse(f"--comparables {args.comparables}: no such file or folder")
    comparables = None
    if not on_cluster:  # on a cluster each worker process reads them once
        try:
            comparables = _comparables(args.comparables, epc_source)
        except StoreUnavailableError as exc:
            return refuse(exc, EXIT_CONFIG)
        except (ValueError, DatasetError) as exc:
            return refuse(exc)
    try:
        pcdb = load_user_pcdb(args.pcdb)
    except ValueError as exc:
        return refuse(exc)
    scenarios = None
    if args.scenarios != "none":
        from ara.modelling.scenarios import bundled_scenarios, load_scenario

        try:
            scenarios = bundled_scenarios() if args.scenarios == "default" \
                else [load_scenario(args.scenarios)]
        except ValueError as exc:
            return refuse(exc)
    engine = _open_database(args.db)
    if engine is None:
        return EXIT_CONFIG
    uow_factory = UnitOfWorkFactory(engine)
    solar = None
    if args.solar == "pvgis":
        from ara.ingestion.solar import PvgisFetcher

        solar = PvgisFetcher()
    ingestion = IngestionOrchestrator(
        uow_factory, fetcher, UprnReferenceData(uprn_data) if uprn_data else None, solar)
    rates = FuelRates.load()
    baseline = BaselineOrchestrator(uow_factory, rates, mode=args.mode, pcdb=pcdb)
    modelling = None
    if scenarios is not None:
        from ara.modelling.orchestrator import ModellingOrchestrator

        modelling = ModellingOrchestrator(uow_factory, rates, scenarios=scenarios,
                                          mode=args.mode, pcdb=pcdb,
                                          replan_all=args.replan_all)
    from ara.orchestration.prediction import PredictionOrchestrator

    prediction = PredictionOrchestrator(uow_factory, comparables)
    show = args.progress or sys.stderr.isatty()
    if on_cluster:
        FirstRun(uow_factory, ingestion, baseline).create_properties(
            portfolio_id, portfolio_path.name, properties)
        summary, code = _run_on_cluster(args, properties, epc_source, uprn_data, show)
        if summary is None:
            return code
    else:
        with tqdm(total=properties.num_rows, unit="home", disable=not show,
                  desc="ingest + baseline", file=sys.stderr) as bar:
            first_run = FirstRun(uow_factory, ingestion, baseline, modelling=modelling,
                                 prediction=prediction,
                                 progress=lambda _what, n: bar.update(n))
            first_run.create_properties(portfolio_id, portfolio_path.name, properties)
            summary = first_run.run(properties.column("property_id").to_pylist(),
                                    args.batch_size)
    print(_summary(uow_factory, portfolio_id, summary))
    if args.report != "none":
        from ara.report import write_report

        print(f"report: {write_report(uow_factory, portfolio_id, args.report)}")
    failed = summary.failed_batches or summary.ingestion_failures or \
        summary.prediction_failures or summary.baseline_failures
    return EXIT_FAILURES if failed else EXIT_OK


def _comparables(dataset: str | None, epc_source: str) -> Any:
    """The run's comparable certificates, read once before the first batch: the dataset of
    ``--comparables`` (``ara convert`` output), else every certificate of a local EPC source
    (archive, XML folder, CSV), else None (the register API: homes without a certificate get
    no prediction, and their failure says to give ``--comparables``). An archive on object
    storage is read from a temporary local copy (removed once read)."""
    from ara.datasets import is_uri, local_copy
    from ara.orchestration.prediction import comparables_dataset, comparables_for_source

    if dataset is not None:
        return comparables_dataset(dataset)
    kind, _, path = epc_source.partition(":")
    if kind == "archive" and is_uri(path):
        with local_copy(path) as copy:
            return comparables_for_source(f"{kind}:{copy}")
    return comparables_for_source(epc_source)


def _remote_source_refusal(epc_source: str, uprn_data: str | None) -> tuple[str, int] | None:
    """Why a source cannot be read (one line, exit status), or None: a local archive, folder
    or CSV that does not exist, a missing object is bad input (2), an unreachable store or
    refused credentials the environment (78). Only ``archive:URI`` and ``--uprn-data URI``
    are read from a store."""
    from ara.datasets import DatasetError, StoreUnavailableError, check_file, is_uri

    kind, _, path = epc_source.partition(":")
    if kind in ("xml", "csv") and is_uri(path):
        return (f"--epc-source {epc_source}: {kind}: sources are read from local paths only "
                "(archive:URI reads a bulk archive on object storage)", EXIT_ERROR)
    if kind in ("archive", "xml", "csv") and path and not is_uri(path) \
            and not Path(path).exists():
        return f"--epc-source {epc_source}: no such file or folder", EXIT_ERROR
    checks = [(f"--epc-source {kind}:", path)] if kind == "archive" and is_uri(path) else []
    if uprn_data and is_uri(uprn_data):
        checks.append(("--uprn-data", uprn_data))
    for option, uri in checks:
        try:
            check_file(uri)
        except StoreUnavailableError as exc:
            return f"{option} {exc}", EXIT_CONFIG
        except DatasetError as exc:
            return f"{option} {exc}", EXIT_ERROR
    return None


#: The modules of the 'cluster' extra that ``ara run --workers/--scheduler`` needs.
CLUSTER_MODULES = ("distributed",)


def _cluster_refusal(args: argparse.Namespace) -> tuple[str, int] | None:
    """Why ``ara run`` cannot run on a cluster as asked (message, exit status), or None."""
    import importlib.util

    if args.workers is not None and args.scheduler is not None:
        return "give --workers or --scheduler, not both", EXIT_ERROR
    if args.workers is not None and args.workers < 1:
        return f"--workers must be at least 1, not {args.workers}", EXIT_ERROR
    if args.partition_homes < 1:
        return f"--partition-homes must be at least 1, not {args.partition_homes}", EXIT_ERROR
    if not args.db.startswith("postgresql"):
        return (f"--db {args.db}: a cluster run needs PostgreSQL (--db "
                "postgresql+psycopg://USER@HOST/DB), which every worker connects to; SQLite "
                "is one process's file and stays the single-process default (drop --workers "
                "/ --scheduler to run here)", EXIT_ERROR)
    missing = [m for m in CLUSTER_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        return (f"--workers and --scheduler need {', '.join(missing)}, from the 'cluster' "
                "extra: pip install 'ara-sap[cluster]'", EXIT_CONFIG)
    return None


def _absolute_source(spec: str) -> str:
    """An EPC source with its path made absolute (a worker's working folder is not ours); a
    URI as it is."""
    from ara.datasets import is_uri

    kind, sep, path = spec.partition(":")
    return f"{kind}:{Path(path).resolve()}" if sep and path and not is_uri(path) else spec


def _run_on_cluster(args: argparse.Namespace, properties: Any, epc_source: str,
                    uprn_data: str | None, show: bool) -> tuple[Any, int]:
    """The First Run's stages on Dask (``ara.orchestration.distributed_run``): homes
    partitioned by postcode district, every partition against the one PostgreSQL database.
    (summary, 0), or (None, status) after one line: 78 when no cluster can be reached, 1
    when a partition failed after its retries (what its batches committed stays; a re-run
    replaces it)."""
    from ara.datasets import is_uri
    from ara.distributed import ClusterUnavailableError
    from ara.orchestration.distributed_run import (
        ClusterRunError,
        RunSpec,
        district_counts,
        plan_run_partitions,
        run_first_run_on_cluster,
    )

    scenarios = args.scenarios if args.scenarios in ("default", "none") \
        else str(Path(args.scenarios).resolve())
    spec = RunSpec(db=args.db, epc_source=_absolute_source(epc_source),
                   uprn_data=uprn_data if not uprn_data or is_uri(uprn_data)
                   else str(Path(uprn_data).resolve()),
                   solar=args.solar, mode=args.mode,
                   pcdb=str(Path(args.pcdb).resolve()) if args.pcdb else None,
                   scenarios=scenarios, batch_size=args.batch_size,
                   comparables=str(Path(args.comparables).resolve())
                   if args.comparables else None, replan_all=args.replan_all)
    partitions = plan_run_partitions(properties, args.partition_homes)
    districts, homes = district_counts(partitions)
    print(f"ara run: {homes} homes in {districts} postcode districts, {len(partitions)} "
          f"partitions of up to about {args.partition_homes} homes", file=sys.stderr)
    try:
        return run_first_run_on_cluster(spec, partitions, workers=args.workers,
                                        scheduler=args.scheduler, progress=show).summary, 0
    except ClusterUnavailableError as exc:
        print(f"ara run: error: {exc}", file=sys.stderr)
        return None, EXIT_CONFIG
    except ClusterRunError as exc:
        print(f"ara run: error: {exc} (re-run to complete it: finished work is kept and "
              "replaced, never duplicated)", file=sys.stderr)
        return None, EXIT_FAILURES


def _open_database(db: str) -> Any:
    """The engine of ``db``, migrated to the current schema; None after printing one line
    when it cannot be reached (a SQLite file is created only when it can be)."""
    import sqlalchemy as sa

    from ara.persistence import get_engine, upgrade

    if "://" not in db and not Path(db).resolve().parent.is_dir():
        print(f"ara run: error: --db {db}: folder {Path(db).resolve().parent} does not exist",
              file=sys.stderr)
        return None
    try:
        engine = get_engine(db)
        upgrade(engine)
    except (sa.exc.OperationalError, sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        print(f"ara run: error: {cannot_open(db, exc)}", file=sys.stderr)
        return None
    return engine


def cannot_open(db: str, exc: BaseException) -> str:
    """One line: the database (its password hidden) and the first line of why it cannot be
    opened."""
    import sqlalchemy as sa

    reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
    shown = db
    if "://" in db:
        try:
            shown = sa.engine.make_url(db).render_as_string(hide_password=True)
        except sa.exc.ArgumentError:
            shown = db.split("://", 1)[0] + "://..."
    return f"cannot open the database {shown}: {reason}"


def add_parser(sub: Any) -> None:
    run = sub.add_parser(
        "run", help="the main job: ingest, baseline and plan a portfolio",
        description="Read a portfolio (CSV of uprn, address_line_1..3, post_town, postcode, "
                    "landlord_reference), fetch each home's EPC, coordinates and planning "
                    "flags (and solar data), rebaseline it with the SAP 10.2 calculator and "
                    "price its bill, plan retrofits per scenario; print a portfolio summary "
                    "and write the report with charts. With no PORTFOLIO: the "
                    "bundled synthetic sample (2,000 homes, no network). Exit 1 when any "
                    "home or batch failed (the summary says which and why).")
    run.add_argument("portfolio", nargs="?", metavar="PORTFOLIO.csv")
    run.add_argument("--db", default="ara.db",
                     help="SQLite file or postgresql+psycopg:// URL (default ara.db)")
    run.add_argument("--epc-source", metavar="SOURCE",
                     help="api | api-legacy | archive:PATH | xml:DIR | csv:PATH (default: the "
                          "bundled archive for the sample, else api); the archive may be an "
                          "object-store URI (archive:s3://bucket/certificates.ndjson.gz)")
    run.add_argument("--uprn-data", metavar="PATH",
                     help="OS Open UPRN-style CSV/Parquet with planning flags (a path or an "
                          "object-store URI)")
    run.add_argument("--comparables", metavar="DATASET",
                     help="comparable certificates for predicting the EPC of a home without "
                          "a certificate or survey: a certificate dataset from ara convert "
                          "(default: every certificate of a local --epc-source, read once; "
                          "none for the register API)")
    run.add_argument("--solar", choices=("pvgis", "none"), default="none",
                     help="solar potential from PVGIS (needs network; default none)")
    run.add_argument("--batch-size", type=int, default=500, metavar="N")
    run.add_argument("--scenarios", metavar="FILE", default="default",
                     help="plan retrofits after the baseline: a scenario JSON/YAML file, "
                          "'default' for the bundled scenarios (EPC C by 2030 at least cost; "
                          "fabric first, then heat pump), or 'none' to stop after the "
                          "baseline (default: default)")
    run.add_argument("--replan-all", action="store_true",
                     help="plan every home again, even those whose inputs (certificate, "
                          "overrides, survey, baseline, planning flags, solar data, "
                          "scenario, measure catalogue, Fuel Rates snapshot, Ara version) "
                          "are unchanged since their stored plans")
    run.add_argument("--report", metavar="PATH", default="ara-report.html",
                     help="write the portfolio report (HTML with charts) here, or 'none' "
                          "(default ara-report.html)")
    add_mode_argument(run, default="estimate")
    add_pcdb_argument(run)
    run.add_argument("--progress", action="store_true",
                     help="show progress even when stderr is not a terminal")
    cluster = run.add_argument_group(
        "on a Dask cluster (issue 18; the 'cluster' extra; PostgreSQL only)")
    cluster.add_argument("--workers", type=int, metavar="N",
                         help="start a local Dask cluster of N worker processes and run the "
                              "homes on it, partitioned by postcode district")
    cluster.add_argument("--scheduler", metavar="ADDRESS",
                         help="run on the Dask cluster whose scheduler is at ADDRESS "
                              "(e.g. tcp://10.0.0.5:8786); paths must be seen alike by every "
                              "worker")
    cluster.add_argument("--partition-homes", type=int, default=5_000, metavar="N",
                         help="pack whole postcode districts into partitions of about N "
                              "homes (default 5000; a larger district is one partition)")
    run.set_defaults(func=cmd_run)

    report = sub.add_parser(
        "report", help="write the portfolio report (HTML with charts) from the database",
        description="Read a portfolio's baseline, plans and failures back from the database "
                    "and write one self-contained HTML file with the charts.")
    report.add_argument("--db", default="ara.db",
                        help="SQLite file or postgresql+psycopg:// URL (default ara.db)")
    report.add_argument("--portfolio", default="sample", metavar="ID",
                        help="portfolio id (the CSV's file stem; default sample)")
    report.add_argument("-o", "--output", default="ara-report.html", metavar="PATH")
    report.set_defaults(func=cmd_report)


def existing_database(db: str, command: str) -> Any:
    """The engine of a database ``ara run`` has written, or None after printing why not (a
    SQLite file that is not there is never created by a reading command)."""
    from ara.persistence import get_engine
    from ara.persistence.migrate import current_revision

    if "://" not in db and not Path(db).is_file():
        print(f"ara {command}: error: no database at {db} (ara run writes one; --db names "
              "another)", file=sys.stderr)
        return None
    engine = get_engine(db)
    if current_revision(engine) is None:
        print(f"ara {command}: error: {db} holds no Ara schema (ara run creates it)",
              file=sys.stderr)
        return None
    return engine


def cmd_report(args: argparse.Namespace) -> int:
    if missing_extra("report", ("sqlalchemy", "alembic", "matplotlib")):
        return EXIT_CONFIG
    from ara.persistence import UnitOfWorkFactory
    from ara.read_models import portfolio_ids
    from ara.report import write_report

    engine = existing_database(args.db, "report")
    if engine is None:
        return EXIT_ERROR
    factory = UnitOfWorkFactory(engine)
    with factory(read_only=True) as uow:
        known = portfolio_ids(uow.connection)
    if args.portfolio not in known:
        print(f"ara report: error: no portfolio {args.portfolio!r} in {args.db} (it holds: "
              f"{', '.join(sorted(known)) or 'none'})", file=sys.stderr)
        return EXIT_ERROR
    print(f"report: {write_report(factory, args.portfolio, args.output)}")
    return EXIT_OK
