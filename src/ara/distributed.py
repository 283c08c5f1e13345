"""``ara calc`` on a Dask cluster (issue 18): a partitioned Parquet dataset in, one Parquet
file per partition out.

The scheduling is Dask's (``dask[distributed]``, the 'cluster' extra); this module only says
what a partition is, what a worker does with one, and how a worker is set up:

* :func:`plan_partitions`: INPUT is a folder or glob of Parquet files (one partition per file,
  in sorted order) or one Parquet file (runs of its row groups, split further when a row
  group is larger than ``partition_rows``). A partition is a path and a row range: a few
  bytes to the worker, which reads the rows itself, as Arrow.
* :func:`calc_partition`: on the worker, ``ara.sap.calculate`` batch by batch (strict or
  lenient) and one Parquet file ``part-NNNNN.parquet`` written beside the others; only a
  small :class:`PartitionResult` (counts and a few examples) goes back to the client.
* :class:`WorkerSetup`: a worker plugin that warms each worker once (the spec tables loaded,
  the Numba kernels compiled or loaded from the on-disk cache) before any partition runs.
* :func:`run_calc`: start a ``LocalCluster`` (``workers``) or connect to a scheduler, set up
  the workers, submit every partition, show progress, and publish the files into OUTPUT_DIR
  only when every partition succeeded (the first failed one cancels the rest: nothing is
  written). The cluster is closed however the run ends.

INPUT and OUTPUT_DIR must be paths that the client and every worker see alike (one machine,
or a shared file system). Nothing here imports ``ara.cli``: the command maps the exceptions
below to its messages and exit codes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from ara.datasets import (
    DatasetError,
    Partition,
    PartWriter,
    is_uri,
    join,
    part_name,
    publish_parts,
    read_partition,
)
from ara.datasets import plan_partitions as plan_partitions  # ara calc's entry (re-exported)

#: The name the setup plugin is registered under (registering again replaces it).
PLUGIN_NAME = "ara-calc-setup"
MAX_EXAMPLES = 5
MAX_WARNING_EXAMPLES = 3


class PartitionFailedError(Exception):
    """A partition was refused (strict mode) or could not be read or written: one line that
    names the partition's file and the field; ``ara calc`` exits 2."""


class ClusterUnavailableError(Exception):
    """The scheduler cannot be reached or the cluster cannot start (the environment, not the
    input: ``ara calc`` exits 78)."""


# ------------------------------------------------------------------------------------------
# Partitions
# ------------------------------------------------------------------------------------------
# ------------------------------------------------------------------------------------------
# On the worker
# ------------------------------------------------------------------------------------------
@dataclass
class PartitionResult:
    """What a worker sends back for one partition: counts and a few examples, never rows."""

    index: int
    label: str
    file: str = ""
    rows: int = 0
    rejected: int = 0
    examples: list[tuple[str, str]] = field(default_factory=list)
    warned: int = 0
    warning_examples: list[tuple[str, str]] = field(default_factory=list)
    failure: str | None = None


_lock = threading.Lock()
#: How often this process warmed itself (1 on a set-up worker) and partitions it computed.
_state = {"warmed": 0, "partitions": 0}


def warm_worker(hook: Callable[[], None] | None = None) -> None:
    """Set this process up once: ``hook`` (the command's process settings), the spec tables
    loaded and the Numba kernels compiled or loaded from the on-disk cache. Later calls do
    nothing."""
    with _lock:
        if _state["warmed"]:
            return
        if hook is not None:
            hook()
        from ara.sap import calculate, synthetic
        from ara.sap.tables import load_tables

        load_tables()
        calculate(synthetic.generate(8, seed=1))
        _state["warmed"] += 1


def worker_state() -> dict[str, int]:
    """This worker's set-up counters and how many times its spec tables were loaded (the
    ``load_tables`` cache's misses): for tests and diagnostics."""
    from ara.sap.tables import load_tables

    return {**_state, "tables_loaded": load_tables.cache_info().misses}


class WorkerSetup(WorkerPlugin):
    """Warms every worker once, when it joins (or when the plugin is registered), before it
    takes a partition; the work runs off the worker's event loop, so that heartbeats go on
    while the kernels compile."""

    name = PLUGIN_NAME

    def __init__(self, hook: Callable[[], None] | None = None) -> None:
        self.hook = hook

    async def setup(self, worker: Any) -> None:
        await asyncio.get_running_loop().run_in_executor(None, warm_worker, self.hook)


def _problem_line(label: str, problems: Sequence[tuple[str, str, str]]) -> str:
    dwelling, fld, message = problems[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    where = "every dwelling" if dwelling == "*" else f"dwelling {dwelling}"
    return (f"{label}: {len(problems)} input problem(s); nothing written: {where}: "
            f"field {fld}: {message}{more}")


def calc_partition(part: Partition, staging: str, name: str, strict: bool,
                   columns: tuple[str, ...] | None, batch_size: int, compression: str,
                   numba_threads: int | None = None,
                   hook: Callable[[], None] | None = None) -> PartitionResult:
    """Compute one partition on this worker and write it as ``staging/name``.

    An input problem (strict mode), or a file that cannot be read or written, comes back
    as ``failure`` (one line naming the partition's file and the field), not as an
    exception: the client stops the job without a worker traceback in the terminal."""
    from ara.sap import OUTPUT_SCHEMA, SapInputError, calculate
    from ara.sap.calculator import STATUS_ERROR

    warm_worker(hook)  # a no-op once the plugin has run
    if numba_threads:
        import numba

        numba.set_num_threads(min(numba_threads, numba.config.NUMBA_NUM_THREADS))  # type: ignore[attr-defined]
    schema = OUTPUT_SCHEMA if columns is None else pa.schema(
        [OUTPUT_SCHEMA.field(n) for n in columns], metadata=OUTPUT_SCHEMA.metadata)
    result = PartitionResult(part.index, part.label(), name)
    part_writer = PartWriter(staging, name)
    try:
        # as ara calc's ParquetOut: dictionary encoding for the text columns only
        text = [f.name for f in schema if not pa.types.is_floating(f.type)]
        writer = part_writer.open(schema, compression=compression, use_dictionary=text)
        for batch in read_partition(part, batch_size):
            out = calculate(batch, strict=strict)
            if columns is not None:
                out = out.select(list(columns))
            writer.write_table(out)
            _summarise(result, out, STATUS_ERROR)
        part_writer.commit()
    except SapInputError as exc:
        result.failure = _problem_line(part.label(), exc.problems)
    except (pa.ArrowException, OSError, ValueError, DatasetError) as exc:
        result.failure = f"{part.label()}: cannot read or write: {exc}"
    finally:
        if result.failure is not None:
            part_writer.discard()
    with _lock:
        _state["partitions"] += 1
    return result


def _summarise(result: PartitionResult, out: pa.Table, status_error: str) -> None:
    result.rows += out.num_rows
    bad = pc.equal(out.column("status"), status_error)
    n_bad = pc.sum(bad).as_py() or 0
    result.rejected += n_bad
    if n_bad and len(result.examples) < MAX_EXAMPLES:
        rows = out.filter(bad).slice(0, MAX_EXAMPLES - len(result.examples))
        result.examples += list(zip(rows.column("dwelling_id").to_pylist(),
                                    rows.column("error").to_pylist(), strict=True))
    if "warnings" in out.column_names:
        warned = pc.is_valid(out.column("warnings"))
        n_warned = pc.sum(warned).as_py() or 0
        result.warned += n_warned
        if n_warned and len(result.warning_examples) < MAX_WARNING_EXAMPLES:
            rows = out.filter(warned).slice(0, MAX_WARNING_EXAMPLES
                                            - len(result.warning_examples))
            result.warning_examples += list(zip(rows.column("dwelling_id").to_pylist(),
                                                rows.column("warnings").to_pylist(),
                                                strict=True))


# ------------------------------------------------------------------------------------------
# On the client
# ------------------------------------------------------------------------------------------
def _log(message: str) -> None:
    print(f"ara calc: {message}", file=sys.stderr)


def dashboard_line(client: Client) -> str:
    """Where to watch the job: the dashboard's address, or why there is none."""
    import importlib.util

    if importlib.util.find_spec("bokeh") is None:
        return (f"Dask scheduler at {client.scheduler.address} (no dashboard here: "
                "pip install bokeh)")
    return f"Dask dashboard at {client.dashboard_link}"


def _connect(workers: int | None, scheduler: str | None) -> tuple[Any, Client]:
    """A local cluster of ``workers`` processes (one thread each) and its client, or a
    client of the scheduler at ``scheduler`` (cluster None)."""
    import dask

    try:
        if scheduler is not None:
            timeout = dask.config.get("distributed.comm.timeouts.connect")
            return None, Client(scheduler, timeout=timeout)
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               silence_logs=logging.CRITICAL)
    except (OSError, TimeoutError, ValueError) as exc:
        where = f"the Dask scheduler at {scheduler}" if scheduler else "a local Dask cluster"
        raise ClusterUnavailableError(f"cannot reach {where}: {exc}") from exc
    try:
        return cluster, Client(cluster)
    except BaseException:
        cluster.close()
        raise


def run_calc(partitions: Sequence[Partition], output_dir: Path | str, *, strict: bool,
             columns: tuple[str, ...] | None, batch_size: int, compression: str = "zstd",
             workers: int | None = None, scheduler: str | None = None,
             hook: Callable[[], None] | None = None, progress: bool = False,
             log: Callable[[str], None] = _log) -> list[PartitionResult]:
    """Compute every partition on the cluster and write ``output_dir/part-NNNNN.parquet``.

    ``workers``: start a local cluster of that many processes; otherwise connect to
    ``scheduler``. The files are written into a staging folder inside ``output_dir`` and
    moved into place (replacing an earlier run's parts) only when every partition
    succeeded; the first failure cancels the rest, writes nothing and raises
    :class:`PartitionFailedError`. Returns the partitions' results in input order."""
    # a local cluster shares this machine's cores: the kernel's threads share them too
    threads = max(1, (os.cpu_count() or 1) // workers) if workers else None

    def task(part: Partition, staging: str, name: str) -> tuple[Any, ...]:
        return (calc_partition, part, staging, name, strict, columns, batch_size,
                compression, threads, hook)

    return run_on_dataset("calc", partitions, output_dir, task, workers=workers,
                          scheduler=scheduler, hook=hook, progress=progress, log=log)


def run_on_dataset(command: str, partitions: Sequence[Partition], output_dir: Path | str,
                   task: Callable[[Partition, str, str], tuple[Any, ...]], *,
                   workers: int | None = None, scheduler: str | None = None,
                   hook: Callable[[], None] | None = None, progress: bool = False,
                   log: Callable[[str], None] = _log) -> list[PartitionResult]:
    """Run ``task(partition, staging, name)`` (a function and its arguments, returning a
    :class:`PartitionResult`) for every partition on the cluster, each writing
    ``staging/name``; publish the parts into ``output_dir`` only when all succeeded (see
    :func:`run_calc`)."""

    if (workers is None) == (scheduler is None):
        raise ValueError("give workers or scheduler, not both or neither")
    staging_name = f".ara-{command}-{os.getpid()}.part"
    if is_uri(str(output_dir)):
        return _run_remote(command, partitions, str(output_dir), staging_name, task,
                           workers=workers, scheduler=scheduler, hook=hook,
                           progress=progress, log=log)
    output_dir = Path(output_dir)
    if output_dir.exists() and not output_dir.is_dir():
        raise DatasetError(f"{output_dir}: is a file; --workers and --scheduler write a "
                           "folder of Parquet files (-o OUTPUT_DIR/)")
    if not output_dir.parent.is_dir():
        raise DatasetError(f"{output_dir}: cannot write: folder {output_dir.parent} does "
                           "not exist")
    created = not output_dir.exists()
    output_dir.mkdir(exist_ok=True)
    staging = output_dir.resolve() / staging_name
    staging.mkdir()
    done = False
    try:
        results = _submit_all(command, partitions, str(staging), task, workers=workers,
                              scheduler=scheduler, hook=hook, progress=progress, log=log)
        publish_parts(staging, output_dir,
                      [part_name(p.index, len(partitions)) for p in partitions])
        done = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done and not any(output_dir.iterdir()):
            output_dir.rmdir()  # a failed run leaves no trace
    return results


def _run_remote(command: str, partitions: Sequence[Partition], output: str,
                staging_name: str, task: Callable[[Partition, str, str], tuple[Any, ...]], *,
                workers: int | None, scheduler: str | None, hook: Callable[[], None] | None,
                progress: bool, log: Callable[[str], None]) -> list[PartitionResult]:
    """:func:`run_on_dataset` into an object-store prefix: parts written under a staging
    prefix beside the output, moved into place when all succeeded, the staging prefix
    removed however the run ends."""
    import pyarrow.fs as pafs

    try:
        fs, out = pafs.FileSystem.from_uri(output)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise DatasetError(f"{output}: cannot open: {exc}") from exc
    if fs.get_file_info(out.rstrip("/")).type == pafs.FileType.File:
        raise DatasetError(f"{output}: is a file; --workers and --scheduler write a folder "
                           "of Parquet files (-o OUTPUT_DIR/)")
    staging = join(output, staging_name)
    try:
        results = _submit_all(command, partitions, staging, task, workers=workers,
                              scheduler=scheduler, hook=hook, progress=progress, log=log)
        publish_parts(staging, output,
                      [part_name(p.index, len(partitions)) for p in partitions])
    finally:
        try:
            fs.delete_dir(f"{out.rstrip('/')}/{staging_name}")
        except (OSError, pa.ArrowException):
            pass
    return results


def _submit_all(command: str, partitions: Sequence[Partition], staging: str,
                task: Callable[[Partition, str, str], tuple[Any, ...]], *,
                workers: int | None, scheduler: str | None, hook: Callable[[], None] | None,
                progress: bool, log: Callable[[str], None]) -> list[PartitionResult]:
    """Every partition's task on the cluster; the first failure cancels the rest and raises
    :class:`PartitionFailedError`. The results in input order."""
    from tqdm import tqdm

    names = [part_name(p.index, len(partitions)) for p in partitions]
    results: list[PartitionResult] = []
    cluster, client = _connect(workers, scheduler)
    try:
        log(dashboard_line(client))
        client.register_plugin(WorkerSetup(hook), name=PLUGIN_NAME)
        key = staging.rstrip("/").rsplit("/", 1)[-1]
        futures = [client.submit(*task(p, staging, name),
                                 key=f"ara-{command}-{key}-{p.index}", pure=False)
                   for p, name in zip(partitions, names, strict=True)]
        with tqdm(total=len(futures), unit=" partitions", file=sys.stderr,
                  disable=not progress, desc=f"ara {command}") as bar:
            rows = 0
            for future in as_completed(futures):
                result: PartitionResult = future.result()
                if result.failure is not None:
                    client.cancel(futures)
                    raise PartitionFailedError(result.failure)
                results.append(result)
                rows += result.rows
                bar.set_postfix(rows=f"{rows:,}", refresh=False)
                bar.update(1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return sorted(results, key=lambda r: r.index)


def gather_on_cluster(command: str, items: Sequence[Any],
                      task: Callable[[Any, Any], tuple[Any, ...]],
                      receive: Callable[[Any, Any], int], *, workers: int | None = None,
                      scheduler: str | None = None, shared: Any = None,
                      hook: Callable[[], None] | None = None, progress: bool = False,
                      log: Callable[[str], None] = _log) -> None:
    """Run ``task(item, shared)`` (a function and its arguments) for every item on the
    cluster and hand each result to ``receive(item, result)`` on the client as it arrives:
    for commands whose workers send back a small result to be merged (``ara validate``), not
    files. Results come in completion order, so what ``receive`` does with them must not
    depend on the order; it returns how many certificates or rows the result counts (shown
    beside the progress bar, which counts items).

    ``workers``: start a local cluster of that many processes; otherwise connect to
    ``scheduler`` (:class:`ClusterUnavailableError` when it cannot be reached). ``shared``
    (None, or for instance a product database) is sent to every worker once and reaches
    ``task`` as a Dask future, resolved on the worker. Workers are set up by
    :class:`WorkerSetup` (``hook``). The first task that raises cancels the rest and its
    exception is raised here; the local cluster is closed however the run ends."""
    import uuid

    from tqdm import tqdm

    if (workers is None) == (scheduler is None):
        raise ValueError("give workers or scheduler, not both or neither")
    cluster, client = _connect(workers, scheduler)
    try:
        log(dashboard_line(client))
        client.register_plugin(WorkerSetup(hook), name=PLUGIN_NAME)
        shared_ref = client.scatter([shared], broadcast=True)[0] if shared is not None \
            else None
        run = uuid.uuid4().hex[:12]
        futures = {client.submit(*task(item, shared_ref), key=f"ara-{command}-{run}-{i}",
                                 pure=False): item for i, item in enumerate(items)}
        with tqdm(total=len(futures), unit=" partitions", file=sys.stderr,
                  disable=not progress, desc=f"ara {command}") as bar:
            counted = 0
            for future in as_completed(futures):
                try:
                    result = future.result()
                except BaseException:
                    client.cancel(list(futures))
                    raise
                counted += receive(futures[future], result)
                bar.set_postfix(rows=f"{counted:,}", refresh=False)
                bar.update(1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
