"""``ara run`` on a Dask cluster (issue 18): the First Run's homes partitioned by postcode
district, each partition run by a worker through Ingestion, Baseline and Modelling against the
one PostgreSQL database.

The scheduling is Dask's (``dask[distributed]``, the 'cluster' extra). This module says what
a partition is, what a worker does with one and how the client gathers the results:

* :func:`postcode_district` / :func:`plan_run_partitions`: the portfolio's homes grouped by
  postcode district (the outward code: ``"SW1A 1AA"`` -> ``"SW1A"``), whole districts packed
  in sorted order into partitions of about ``partition_homes`` homes, so that neighbouring
  homes (comparable properties, UPRN and address lookups of one area) stay in one partition.
  A district larger than that is one partition of its own. A partition travels as its index,
  its districts and an Arrow array of property ids.
* :func:`run_partition`: on the worker, the same :class:`ara.orchestration.first_run.FirstRun`
  as one process runs, batch by batch, each batch its own unit of work (all or nothing); the
  stages (database engine, fetcher, UPRN data, Fuel Rates, scenarios, PCDB) are built once
  per worker process for a run's :class:`RunSpec`, not per partition, and the calculator's
  spec tables and Numba kernels are warmed by the same worker plugin as ``ara calc``. Only a
  :class:`PartitionRun` (the partition's :class:`RunSummary`) goes back.
* :func:`run_first_run_on_cluster`: start a ``LocalCluster`` (``workers``) or connect to a
  scheduler, submit every partition (each retried on failure; a worker that dies mid-partition
  has its partition re-run on another worker by the scheduler), show progress in homes, and
  merge the partitions' summaries.

Why a retried or re-run partition loses and duplicates nothing: every batch commits in one
transaction, and every stage writes by upsert on its keys and replaces a property's earlier
results and failures (issue 15), so a partition run again from its start ends exactly as a
partition run once. The properties themselves are created by the client before any partition
is submitted.

The database must be PostgreSQL (every worker connects to it); paths (EPC source, UPRN data,
PCDB, scenarios) must be seen alike by the client and every worker (one machine or a shared
file system): the client makes them absolute.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import pyarrow as pa

from ara.distributed import PLUGIN_NAME, WorkerSetup, dashboard_line, warm_worker
from ara.sap.fallbacks import Mode

#: Homes per partition when not told (whole districts are packed up to about this many).
DEFAULT_PARTITION_HOMES = 5_000
#: How often a partition that raised is submitted again (a worker that dies is another
#: matter: the scheduler re-runs its tasks elsewhere, up to its ``allowed-failures``).
PARTITION_RETRIES = 2
#: The district of a home without a postcode.
NO_POSTCODE = ""


class ClusterRunError(Exception):
    """A partition failed after its retries, or the cluster could not run the job (one line
    naming the partition and its districts)."""


# ------------------------------------------------------------------------------------------
# Partitions
# ------------------------------------------------------------------------------------------
def postcode_district(postcode: str | None) -> str:
    """The outward code of a UK postcode (``"sw1a 1aa"`` -> ``"SW1A"``, ``"M11AE"`` ->
    ``"M1"``: the inward code is always three characters); :data:`NO_POSTCODE` when none."""
    if not postcode:
        return NO_POSTCODE
    text = " ".join(postcode.upper().split())
    if " " in text:
        return text.split(" ", 1)[0]
    return text[:-3] if len(text) > 3 else text


@dataclass(frozen=True)
class RunPartition:
    """Homes of whole postcode districts, run by one worker."""

    index: int
    districts: tuple[str, ...]
    property_ids: pa.Array

    def label(self) -> str:
        shown = [d or "(no postcode)" for d in self.districts[:4]]
        more = f" and {len(self.districts) - 4} more" if len(self.districts) > 4 else ""
        plural = "s" if len(self.districts) > 1 else ""
        return (f"partition {self.index} (postcode district{plural} {', '.join(shown)}{more}; "
                f"{len(self.property_ids)} homes)")


def plan_run_partitions(properties: pa.Table, partition_homes: int = DEFAULT_PARTITION_HOMES
                        ) -> list[RunPartition]:
    """The portfolio's ``properties`` (``property_id``, ``postcode``) as partitions of whole
    postcode districts, districts in sorted order and homes by property id within one, so
    the same portfolio always gives the same partitions."""
    if partition_homes < 1:
        raise ValueError(f"partition_homes must be at least 1, not {partition_homes}")
    ids = properties.column("property_id").to_pylist()
    districts = [postcode_district(p) for p in properties.column("postcode").to_pylist()]
    by_district: dict[str, list[str]] = {}
    for pid, district in zip(ids, districts, strict=True):
        by_district.setdefault(district, []).append(pid)
    parts: list[RunPartition] = []
    run: list[str] = []
    homes: list[str] = []

    def close() -> None:
        nonlocal run, homes
        if run:
            parts.append(RunPartition(len(parts), tuple(run), pa.array(homes, pa.string())))
        run, homes = [], []

    for district in sorted(by_district):
        members = sorted(by_district[district])
        if homes and len(homes) + len(members) > partition_homes:
            close()
        run.append(district)
        homes.extend(members)
        if len(homes) >= partition_homes:
            close()
    close()
    return parts


# ------------------------------------------------------------------------------------------
# On the worker
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RunSpec:
    """What a worker needs to build the run's stages (small, picklable; paths absolute)."""

    db: str
    epc_source: str
    uprn_data: str | None = None
    solar: str = "none"
    mode: Mode = "estimate"
    pcdb: str | None = None
    scenarios: str = "default"  # 'default', 'none' or a scenario file
    batch_size: int = 500
    numba_threads: int | None = None
    comparables: str | None = None
    """A certificate dataset (``ara run --comparables``); None: the local EPC source's own
    certificates, or none for the register API."""
    replan_all: bool = False
    """``ara run --replan-all``: plan every home, even those whose plan inputs are unchanged."""


@dataclass
class PartitionRun:
    """What a worker sends back for one partition: its summary and where it ran."""

    index: int
    label: str
    summary: Any  # ara.orchestration.first_run.RunSummary
    worker_pid: int = 0


_lock = threading.Lock()
#: Stages built in this process, by run (one entry per RunSpec), and how often.
_stages: dict[RunSpec, Any] = {}
_built = {"stages": 0, "partitions": 0}


def _first_run(spec: RunSpec) -> Any:
    """The run's FirstRun for this worker process, built once per :class:`RunSpec`."""
    with _lock:
        if spec in _stages:
            return _stages[spec]
        from ara.cli_run import _comparables, _epc_fetcher
        from ara.domain.bills import FuelRates
        from ara.ingestion.geospatial import UprnReferenceData
        from ara.orchestration.baseline import BaselineOrchestrator
        from ara.orchestration.first_run import FirstRun
        from ara.orchestration.ingestion import IngestionOrchestrator
        from ara.persistence import UnitOfWorkFactory, get_engine

        pcdb = None
        if spec.pcdb:
            from ara.rdsap.pcdb import load_pcdb

            pcdb = load_pcdb(spec.pcdb)
        factory = UnitOfWorkFactory(get_engine(spec.db))
        solar = None
        if spec.solar == "pvgis":
            from ara.ingestion.solar import PvgisFetcher

            solar = PvgisFetcher()
        ingestion = IngestionOrchestrator(
            factory, _epc_fetcher(spec.epc_source),
            UprnReferenceData(spec.uprn_data) if spec.uprn_data else None, solar)
        rates = FuelRates.load()
        baseline = BaselineOrchestrator(factory, rates, mode=spec.mode, pcdb=pcdb)
        modelling = None
        if spec.scenarios != "none":
            from ara.modelling.orchestrator import ModellingOrchestrator
            from ara.modelling.scenarios import bundled_scenarios, load_scenario

            scenarios = bundled_scenarios() if spec.scenarios == "default" \
                else [load_scenario(spec.scenarios)]
            modelling = ModellingOrchestrator(factory, rates, scenarios=scenarios,
                                              mode=spec.mode, pcdb=pcdb,
                                              replan_all=spec.replan_all)
        from ara.orchestration.prediction import PredictionOrchestrator

        # the run's comparables, read once per worker process (as the stages are built)
        prediction = PredictionOrchestrator(factory, _comparables(spec.comparables,
                                                                  spec.epc_source))
        first_run = FirstRun(factory, ingestion, baseline, modelling=modelling,
                             prediction=prediction)
        _stages[spec] = first_run
        _built["stages"] += 1
        return first_run


def worker_run_state() -> dict[str, int]:
    """This worker's counters (stages built, partitions run, spec tables loaded): for tests
    and diagnostics."""
    from ara.sap.tables import load_tables

    return {**_built, "tables_loaded": load_tables.cache_info().misses}


def run_partition(spec: RunSpec, part: RunPartition) -> PartitionRun:
    """Run one partition's homes through the First Run's stages on this worker."""
    warm_worker()  # a no-op once the plugin has run
    if spec.numba_threads:
        import numba

        numba.set_num_threads(min(spec.numba_threads,
                                  numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    first_run = _first_run(spec)
    summary = first_run.run(part.property_ids.to_pylist(), spec.batch_size)
    with _lock:
        _built["partitions"] += 1
    return PartitionRun(part.index, part.label(), summary, os.getpid())


# ------------------------------------------------------------------------------------------
# On the client
# ------------------------------------------------------------------------------------------
def merge_summaries(runs: Sequence[PartitionRun]) -> Any:
    """One RunSummary for the whole job: counts added, failed batches named by partition."""
    from ara.orchestration.first_run import RunSummary

    total = RunSummary()
    for run in sorted(runs, key=lambda r: r.index):
        s = run.summary
        for f in fields(RunSummary):
            if f.name == "failed_batches":
                total.failed_batches += [(n, f"{run.label}: {reason}")
                                         for n, reason in s.failed_batches]
            else:
                setattr(total, f.name, getattr(total, f.name) + getattr(s, f.name))
    return total


@dataclass
class ClusterRun:
    """The merged summary and the partitions' own results (in partition order)."""

    summary: Any
    partitions: list[PartitionRun] = field(default_factory=list)


def _log(message: str) -> None:
    print(f"ara run: {message}", file=sys.stderr)


def run_first_run_on_cluster(spec: RunSpec, partitions: Sequence[RunPartition], *,
                             workers: int | None = None, scheduler: str | None = None,
                             progress: bool = False,
                             log: Callable[[str], None] = _log) -> ClusterRun:
    """Run every partition on the cluster; the properties must already exist. Raises
    :class:`ClusterRunError` when a partition still fails after its retries (the others are
    cancelled; what committed stays, and a re-run replaces it) and
    :class:`ara.distributed.ClusterUnavailableError` when no cluster can be reached."""
    from distributed import as_completed
    from tqdm import tqdm

    from ara.distributed import _connect

    if (workers is None) == (scheduler is None):
        raise ValueError("give workers or scheduler, not both or neither")
    if workers:
        spec = RunSpec(**{**spec.__dict__,
                          "numba_threads": max(1, (os.cpu_count() or 1) // workers)})
    total_homes = sum(len(p.property_ids) for p in partitions)
    results: list[PartitionRun] = []
    cluster, client = _connect(workers, scheduler)
    try:
        log(dashboard_line(client))
        client.register_plugin(WorkerSetup(), name=PLUGIN_NAME)
        token = f"{os.getpid()}-{id(partitions):x}"
        futures = {client.submit(run_partition, spec, p, key=f"ara-run-{token}-{p.index}",
                                 pure=False, retries=PARTITION_RETRIES): p
                   for p in partitions}
        with tqdm(total=total_homes, unit=" homes", file=sys.stderr, disable=not progress,
                  desc="ara run (cluster)") as bar:
            for future in as_completed(futures):
                part = futures[future]
                try:
                    result: PartitionRun = future.result()
                except Exception as exc:  # noqa: BLE001 - reported as one line
                    client.cancel(list(futures))
                    raise ClusterRunError(f"{part.label()}: {type(exc).__name__}: "
                                          f"{str(exc).splitlines()[0] if str(exc) else ''}"
                                          ) from None
                results.append(result)
                bar.update(len(part.property_ids))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    results.sort(key=lambda r: r.index)
    return ClusterRun(merge_summaries(results), results)


def district_counts(partitions: Sequence[RunPartition]) -> tuple[int, int]:
    """(districts, homes) over the partitions."""
    return (sum(len(p.districts) for p in partitions),
            sum(len(p.property_ids) for p in partitions))
