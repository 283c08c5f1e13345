"""The ``ara`` command.

``ara calc [INPUT] [-o OUTPUT]`` computes the SAP 10.2 worksheet for every dwelling of INPUT
(Parquet, Arrow IPC, JSON Lines of ``SAP_INPUT_SCHEMA`` rows, a full SAP XML file or a folder
of them) batch by batch, writing OUTPUT (.parquet, .csv or .jsonl) as it goes. With no INPUT
it runs the bundled synthetic sample; with no OUTPUT it prints a summary. With ``--workers N``
or ``--scheduler ADDRESS`` it runs on Dask instead (``ara.distributed``, issue 18): INPUT a
Parquet file, folder or glob, OUTPUT a folder of one Parquet file per partition.

``ara trace [FILE]`` prints one dwelling's worksheet, line by line, monthly values in columns.

Exit codes: 0 success; 1 some rows rejected (``--lenient``); 2 bad input or usage.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa
import pyarrow.compute as pc

from ara import __version__
from ara.calc_io import (
    COMPRESSIONS,
    OUTPUT_SUFFIXES,
    Source,
    Writer,
    open_source,
    open_writer,
)
from ara.cli_common import (
    EXIT_BAD_INPUT,
    EXIT_CONFIG,
    EXIT_INTERNAL,
    EXIT_OK,
    EXIT_REJECTED,
    CliError,
    bundled,
    example_xml_path,
    extra_message,
    missing_extra,
    positive,
    sample_dwellings_path,
    show_progress,
    whole_number,
)

#: Names other modules and the tests take from here (the shared ones live in
#: :mod:`ara.cli_common` and :mod:`ara.calc_io`).
__all__ = ["EXIT_BAD_INPUT", "EXIT_CONFIG", "EXIT_INTERNAL", "EXIT_OK", "EXIT_REJECTED",
           "CliError", "bundled", "example_xml_path", "extra_message", "main",
           "missing_extra", "sample_dwellings_path"]

DEFAULT_BATCH_SIZE = 32_768
MAX_PROBLEMS_SHOWN = 50
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


# ------------------------------------------------------------------------------------------
# ara calc
# ------------------------------------------------------------------------------------------
@dataclass
class Summary:
    """Running statistics of the numeric outputs over the rows computed so far."""

    rows: int = 0
    rejected: int = 0
    examples: list[tuple[str, str]] = field(default_factory=list)
    warned: int = 0  # rated rows with implausible (possible) inputs
    warning_examples: list[tuple[str, str]] = field(default_factory=list)
    sums: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    mins: dict[str, float] = field(default_factory=dict)
    maxs: dict[str, float] = field(default_factory=dict)

    def add(self, result: pa.Table) -> None:
        from ara.sap.calculator import STATUS_ERROR

        self.rows += result.num_rows
        bad = pc.equal(result.column("status"), STATUS_ERROR)
        n_bad = pc.sum(bad).as_py() or 0
        self.rejected += n_bad
        if n_bad and len(self.examples) < 5:
            rejected = result.filter(bad).slice(0, 5 - len(self.examples))
            self.examples += list(zip(rejected.column("dwelling_id").to_pylist(),
                                      rejected.column("error").to_pylist(), strict=True))
        if "warnings" in result.column_names:
            warned = pc.is_valid(result.column("warnings"))
            n_warned = pc.sum(warned).as_py() or 0
            self.warned += n_warned
            if n_warned and len(self.warning_examples) < 3:
                rows = result.filter(warned).slice(0, 3 - len(self.warning_examples))
                self.warning_examples += list(zip(rows.column("dwelling_id").to_pylist(),
                                                  rows.column("warnings").to_pylist(),
                                                  strict=True))
        for name in _numeric_outputs(result.schema):
            col = result.column(name)
            valid = col.length() - col.null_count
            if not valid:
                continue
            mm = pc.min_max(col).as_py()
            self.sums[name] = self.sums.get(name, 0.0) + (pc.sum(col).as_py() or 0.0)
            self.counts[name] = self.counts.get(name, 0) + valid
            self.mins[name] = min(self.mins.get(name, math.inf), mm["min"])
            self.maxs[name] = max(self.maxs.get(name, -math.inf), mm["max"])

    def render(self, schema: pa.Schema) -> str:
        lines = [f"{'output':<36} {'line':>10} {'unit':>9} {'min':>12} {'mean':>12} {'max':>12}"]
        for name in _numeric_outputs(schema):
            if name not in self.counts:
                continue
            meta = schema.field(name).metadata or {}
            line = (meta.get(b"line") or b"").decode()
            unit = (meta.get(b"unit") or b"").decode()
            mean = self.sums[name] / self.counts[name]
            lines.append(f"{name:<36} {'(' + line + ')':>10} {unit:>9} "
                         f"{_num(self.mins[name]):>12} {_num(mean):>12} "
                         f"{_num(self.maxs[name]):>12}")
        return "\n".join(lines)


def _numeric_outputs(schema: pa.Schema) -> list[str]:
    return [f.name for f in schema
            if pa.types.is_floating(f.type) or pa.types.is_integer(f.type)]


def _num(value: Any) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    magnitude = abs(value)
    if value == 0:
        return "0"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.3f}"
    return f"{value:.4f}"


def _format_problems(problems: Sequence[tuple[str, str, str]]) -> str:
    """One line per problem; a problem shared by many dwellings is one line with a count
    and the first few dwelling ids."""
    groups: dict[tuple[str, str], list[str]] = {}
    for dwelling, fld, message in problems:
        groups.setdefault((fld, message), []).append(dwelling)
    lines = []
    for (fld, message), dwellings in list(groups.items())[:MAX_PROBLEMS_SHOWN]:
        if dwellings == ["*"]:
            lines.append(f"  every dwelling: field {fld}: {message}")
        elif len(dwellings) <= 3:
            lines += [f"  dwelling {d}: field {fld}: {message}" for d in dwellings]
        else:
            shown = ", ".join(dwellings[:3])
            lines.append(f"  {len(dwellings)} dwellings ({shown}, ...): field {fld}: {message}")
    if len(groups) > MAX_PROBLEMS_SHOWN:
        lines.append(f"  ... and {len(groups) - MAX_PROBLEMS_SHOWN} more kinds of problem")
    return "\n".join(lines)


def _temp_path(output: Path) -> Path:
    return output.with_name(f".{output.name}.{os.getpid()}.part")


def _tune_for_batches() -> None:
    """Process settings for ``ara calc``'s pipeline, each only where the user set nothing:

    * Numba's own 'workqueue' threading layer for the kernel: with the OpenMP layer the
      kernel's threads compete with the pipeline's preparation and output threads (the
      whole run took 1.3-1.8 times as long on 2 cores);
    * glibc's malloc keeps freed blocks of up to 32 MB for reuse instead of handing them
      back to the system: every batch allocates the same arrays again, and fresh pages
      cost a page fault each (a quarter of the process's CPU time went to page faults on
      this project's virtual machines, with batches of 100,000)."""
    import numba

    if not os.environ.get("NUMBA_THREADING_LAYER"):
        numba.config.THREADING_LAYER = "workqueue"  # type: ignore[attr-defined]
    if sys.platform != "linux" or "MALLOC_MMAP_THRESHOLD_" in os.environ \
            or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return
    mallopt(-1, 1 << 30)  # M_TRIM_THRESHOLD
    mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD (glibc's maximum)


def cmd_calc(args: argparse.Namespace) -> int:
    if args.workers is not None or args.scheduler is not None:
        return _calc_on_cluster(args)
    from tqdm import tqdm

    _tune_for_batches()
    from ara.sap import OUTPUT_SCHEMA

    input_path = Path(args.input) if args.input else sample_dwellings_path()
    output = Path(args.output) if args.output else None
    strict = not args.lenient
    if output is not None and output.suffix.lower() not in OUTPUT_SUFFIXES:
        raise CliError(f"{output}: unsupported output type {output.suffix or '(no suffix)'!r}; "
                       f"expected one of {', '.join(OUTPUT_SUFFIXES)}")
    if output is not None and output.is_dir():
        raise CliError(f"{output}: is a folder; give a file name ending "
                       f"{', '.join(OUTPUT_SUFFIXES)}")
    schema = _output_schema(OUTPUT_SCHEMA, args.columns)
    estimates: list[int] = []
    # --lenient: a file that does not read becomes an error row, the others go on
    unreadable: list[tuple[str, str]] | None = [] if args.lenient else None
    from ara.cli_rate import load_user_pcdb

    try:
        products = load_user_pcdb(args.pcdb)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    source = open_source(input_path, args.batch_size, args.mode, estimates, unreadable,
                         products)
    temp = _temp_path(output) if output is not None else None
    writer: Writer | None = None
    summary = Summary()
    started = time.perf_counter()
    try:
        if output is not None and temp is not None:
            if not output.parent.is_dir():
                raise CliError(f"{output}: cannot write: folder {output.parent} does not exist")
            try:
                writer = open_writer(temp, output, schema, args.compression)
            except OSError as exc:
                raise CliError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        with tqdm(total=source.total, unit=" dwellings", unit_scale=True, file=sys.stderr,
                  disable=not show_progress(args.progress), desc="ara calc") as bar:

            def emit(result: pa.Table, failed: list[tuple[str, str]], rows: int) -> None:
                if failed:
                    result = pa.concat_tables([result, _error_rows(failed, OUTPUT_SCHEMA)])
                if schema is not OUTPUT_SCHEMA:
                    result = result.select(schema.names)
                if writer is not None:
                    writer.write(result)
                summary.add(result)
                bar.update(rows)

            _calc_pipeline(_read(source), strict, input_path, unreadable, emit)
        if writer is not None:
            writer.close()
            writer = None
        if output is not None and temp is not None:
            os.replace(temp, output)
    except BaseException:
        if writer is not None:
            try:
                writer.close()
            except Exception:  # the original failure is what matters
                pass
        if temp is not None:
            temp.unlink(missing_ok=True)
        raise
    elapsed = time.perf_counter() - started
    if sum(estimates):
        print(f"{sum(estimates)} SAP XML file(s) completed with declared estimate fallbacks "
              "(spec/tables/estimate_fallbacks.csv; ara rate --mode estimate lists them per "
              "file)", file=sys.stderr)
    return _report(args, input_path, output, summary, elapsed, schema)


#: The modules of the 'cluster' extra that ``ara calc --workers/--scheduler`` needs.
CLUSTER_MODULES = ("dask", "distributed")


def _calc_on_cluster(args: argparse.Namespace) -> int:
    """``ara calc INPUT -o OUTPUT_DIR/ --workers N | --scheduler ADDRESS`` (issue 18): every
    partition of a Parquet dataset computed on a Dask worker and written as its own file,
    ``OUTPUT_DIR/part-NNNNN.parquet`` in input order (``ara.distributed``)."""
    import importlib.util

    missing = [m for m in CLUSTER_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise CliError(f"--workers and --scheduler need {', '.join(missing)}, from the "
                       "'cluster' extra: pip install 'ara-sap[cluster]'", EXIT_CONFIG)
    from ara import distributed as dist
    from ara.sap import OUTPUT_SCHEMA

    if not args.output:
        raise CliError("--workers and --scheduler write a Parquet dataset: give -o OUTPUT_DIR/")
    from ara.datasets import is_uri

    input_text = args.input or str(sample_dwellings_path())
    output: Path | str = args.output if is_uri(args.output) else Path(args.output)
    schema = _output_schema(OUTPUT_SCHEMA, args.columns)
    columns = None if schema is OUTPUT_SCHEMA else tuple(schema.names)
    summary = Summary()
    started = time.perf_counter()
    try:
        partitions = dist.plan_partitions(input_text, args.partition_rows)
        results = dist.run_calc(
            partitions, output, strict=not args.lenient, columns=columns,
            batch_size=args.batch_size, compression=args.compression, workers=args.workers,
            scheduler=args.scheduler, hook=_tune_for_batches,
            progress=show_progress(args.progress))
    except (dist.DatasetError, dist.PartitionFailedError) as exc:
        raise CliError(str(exc)) from None
    except dist.ClusterUnavailableError as exc:
        raise CliError(str(exc), EXIT_CONFIG) from None
    for result in results:
        summary.rows += result.rows
        summary.rejected += result.rejected
        summary.examples += result.examples[:5 - len(summary.examples)]
        summary.warned += result.warned
        summary.warning_examples += result.warning_examples[:3 - len(summary.warning_examples)]
    elapsed = time.perf_counter() - started
    print(f"ara calc: {len(results)} partition(s) written to {output}", file=sys.stderr)
    return _report(args, input_text if is_uri(input_text) else Path(input_text), output,
                   summary, elapsed, schema)


def _calc_pipeline(batches: Iterator[pa.Table], strict: bool, input_path: Path,
                   unreadable: list[tuple[str, str]] | None,
                   emit: Callable[[pa.Table, list[tuple[str, str]], int], None]) -> None:
    """``calculate`` over ``batches``, each result handed to ``emit`` in input order, as a
    pipeline: while the kernel (which releases the GIL) runs on batch k in this thread,
    batch k+1 is read and prepared in one worker thread and batch k-1 made a table and
    handed to ``emit`` (written, summarised) in another. At most three batches are in
    flight, so memory stays flat however long the input. The first failure (in any stage,
    in input order) stops the pipeline and is raised here once the workers are idle."""
    from concurrent.futures import Future, ThreadPoolExecutor

    from ara.sap import SapInputError
    from ara.sap.calculator import Staged, begin, compute, finish

    first_row = 0

    def refused(exc: SapInputError, start: int, rows: int) -> CliError:
        where = f"rows {start}-{start + rows - 1}"
        return CliError(f"{input_path}: {len(exc.problems)} input problem(s) in {where}; "
                        "nothing written:\n" + _format_problems(exc.problems))

    def prepare_next() -> tuple[Staged, list[tuple[str, str]], int, int] | None:
        nonlocal first_row
        batch = next(batches, None)
        if batch is None:
            return None
        start, first_row = first_row, first_row + batch.num_rows
        failed: list[tuple[str, str]] = []
        if unreadable:  # the files of this batch that did not read (--lenient)
            failed, unreadable[:] = list(unreadable), []
        try:
            return begin(batch, strict=strict), failed, start, batch.num_rows
        except SapInputError as exc:
            raise refused(exc, start, batch.num_rows) from exc

    def write(staged: Staged, failed: list[tuple[str, str]], start: int, rows: int) -> None:
        try:
            result = finish(staged)
        except SapInputError as exc:
            raise refused(exc, start, rows) from exc
        emit(result, failed, rows)

    with ThreadPoolExecutor(1, "ara-calc-prepare") as reader, \
            ThreadPoolExecutor(1, "ara-calc-write") as writer:
        ahead: Future[Any] = reader.submit(prepare_next)
        written: Future[None] | None = None
        try:
            while (item := ahead.result()) is not None:
                ahead = reader.submit(prepare_next)
                staged = compute(item[0])
                if written is not None:
                    written.result()
                written = writer.submit(write, staged, *item[1:])
            if written is not None:
                written.result()
        finally:  # let a worker still busy finish before the caller closes the writer
            for pending in (ahead, written):
                if pending is not None:
                    pending.cancel()
                    wait_quietly(pending)


def wait_quietly(future: Any) -> None:
    """Wait for ``future`` to be done, ignoring its outcome (a failure already raised)."""
    try:
        future.result()
    except BaseException:  # noqa: BLE001 - the first failure is the one reported
        pass


def _error_rows(failed: Sequence[tuple[str, str]], schema: pa.Schema) -> pa.Table:
    """Output rows of inputs that could not be read: status 'error', the reason, nulls."""
    from ara.sap.calculator import STATUS_ERROR

    n = len(failed)
    given = {"dwelling_id": pa.array([d for d, _ in failed], pa.string()),
             "status": pa.array([STATUS_ERROR] * n, pa.string()),
             "error": pa.array([r for _, r in failed], pa.string())}
    return pa.Table.from_arrays(
        [given[f.name].cast(f.type) if f.name in given else pa.nulls(n, f.type)
         for f in schema], schema=schema)


def _output_schema(full: pa.Schema, columns: str | None) -> pa.Schema:
    """The output columns ``--columns`` asks for (always with dwelling_id, status and
    error), with their metadata; every column when it is not given."""
    if not columns:
        return full
    wanted = [c.strip() for c in columns.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in full.names]
    if unknown:
        raise CliError(f"--columns: unknown output column(s) {', '.join(unknown)}; the columns "
                       f"are: {', '.join(full.names)}")
    keep = [n for n in full.names if n in ("dwelling_id", "status", "error") or n in wanted]
    return pa.schema([full.field(n) for n in keep], metadata=full.metadata)


def _read(source: Source) -> Iterator[pa.Table]:
    """The source's batches, with reader failures turned into messages naming the file."""
    from ara.sap.xml_reader import SapXmlError

    batches = source.batches
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            return
        except SapXmlError as exc:
            where = source.path / exc.source if source.path.is_dir() else source.path
            raise CliError(f"{where}: {exc.field}: {exc.reason}") from exc
        except (pa.ArrowException, OSError, ValueError) as exc:
            detail = _explain_json_error(source.path) if "unexpected field" in str(exc) else None
            raise CliError(f"{source.path}: cannot read: {detail or exc}") from exc
        yield batch


def _explain_json_error(path: Path) -> str | None:
    """pyarrow reports an unknown JSON field without naming it: find the row and the key."""
    from ara.sap.schema import SAP_INPUT_SCHEMA

    known = set(SAP_INPUT_SCHEMA.names)
    try:
        with path.open(encoding="utf-8") as fh:
            for number, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                row = json.loads(text)
                unknown = sorted(set(row) - known) if isinstance(row, dict) else []
                if unknown:
                    return (f"line {number} (dwelling {row.get('dwelling_id')}): unknown field(s) "
                            f"{', '.join(unknown)} (not in SAP_INPUT_SCHEMA)")
    except (OSError, ValueError):
        return None
    return None


def _report(args: argparse.Namespace, input_path: Path | str, output: Path | str | None,
            summary: Summary, elapsed: float, schema: pa.Schema) -> int:
    rate = summary.rows / elapsed if elapsed > 0 else float("inf")
    where = f" -> {output}" if output is not None else ""
    print(f"ara calc: {summary.rows} dwellings from {input_path}{where} in {elapsed:.2f} s "
          f"({rate:,.0f} dwellings/s)", file=sys.stderr)
    if output is None:
        print(summary.render(schema))
        print("(use -o results.parquet, .csv or .jsonl to write every row)", file=sys.stderr)
    if summary.warned:
        print(f"ara calc: {summary.warned} rated dwellings have implausible inputs (column "
              "'warnings'; spec/tables/calculator_input_plausible_ranges.csv), e.g.:",
              file=sys.stderr)
        for dwelling, text in summary.warning_examples:
            print(f"  dwelling {dwelling}: {text}", file=sys.stderr)
    if summary.rejected:
        print(f"ara calc: {summary.rejected} of {summary.rows} dwellings rejected "
              f"(status 'error'{' in ' + str(output) if output else ''}), e.g.:",
              file=sys.stderr)
        for dwelling, error in summary.examples:
            print(f"  dwelling {dwelling}: {error}", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


# ------------------------------------------------------------------------------------------
# ara trace
# ------------------------------------------------------------------------------------------
def _one_row(path: Path, row: int | None) -> dict[str, Any]:
    """Row ``row`` of a table file (or its only row) as a SAP_INPUT_SCHEMA dict."""
    source = open_source(path, 65_536)
    seen = 0
    picked: dict[str, Any] | None = None
    for batch in _read(source):
        if row is None:
            if seen + batch.num_rows > 1:
                raise CliError(f"{path}: holds more than one dwelling; choose one with --row N")
            if batch.num_rows:
                picked = batch.slice(0, 1).to_pylist()[0]
        elif seen <= row < seen + batch.num_rows:
            picked = batch.slice(row - seen, 1).to_pylist()[0]
            break
        seen += batch.num_rows
    if picked is None:
        if row is None:
            raise CliError(f"{path}: holds no dwelling")
        raise CliError(f"{path}: --row {row} is out of range (the file has {seen} rows)")
    return picked


def _load_dwelling(path: Path, row: int | None) -> dict[str, Any]:
    if path.is_dir():
        raise CliError(f"{path}: is a folder; trace takes one file")
    if path.suffix.lower() == ".xml":
        from ara.sap.xml_reader import SapXmlError, read_sap_xml

        if not path.exists():
            raise CliError(f"{path}: no such file")
        if row not in (None, 0):
            raise CliError(f"{path}: an XML file holds one dwelling; --row must be 0")
        try:
            return read_sap_xml(path)
        except SapXmlError as exc:
            raise CliError(str(exc)) from exc
        except OSError as exc:
            raise CliError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return _one_row(path, row)


def _parse_lines(text: str | None) -> list[str] | None:
    if not text:
        return None
    labels = [part.strip().strip("()").strip() for part in text.split(",")]
    return [label for label in labels if label]


def _clean(value: Any) -> Any:
    """NaN -> None, recursively, so the JSON output is valid JSON."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def render_trace(tr: dict[str, Any], source: Path, wanted: list[str] | None) -> str:
    """The trace as a worksheet: one line per label, months in columns, annual last."""
    from ara.sap import OUTPUT_SCHEMA

    names: dict[str, str] = {}
    units: dict[str, str] = {}
    for f in OUTPUT_SCHEMA:
        if f.metadata and b"line" in f.metadata:
            line = f.metadata[b"line"].decode()
            names.setdefault(line, f.name)  # the first (continuous) output of a line
            units.setdefault(line, f.metadata.get(b"unit", b"").decode())
    width = 10
    qwidth = max([len(q) for q in names.values()] + [8]) + 12
    head = (f"{'line':<11}{'quantity':<{qwidth}}" + "".join(f"{m:>{width}}" for m in MONTHS)
            + f"{'annual':>{width + 2}}")
    out = [f"SAP 10.2 worksheet: dwelling {tr['dwelling_id']} ({source})", head,
           "-" * len(head)]
    labels = wanted if wanted is not None else list(tr["lines"])
    for label in labels:
        value = tr["lines"][label]
        quantity = names.get(label, "")
        if units.get(label) not in (None, "", "1"):
            quantity += f" [{units[label]}]"
        prefix = f"{'(' + label + ')':<11}{quantity:<{qwidth}}"
        if isinstance(value, dict):
            months = "".join(f"{_num(v):>{width}}" for v in value["monthly"])
            annual = _num(value["annual"]) if value["annual"] is not None else ""
            out.append(f"{prefix}{months}{annual:>{width + 2}}")
        else:
            out.append(f"{prefix}{'':>{width * 12}}{_num(value):>{width + 2}}")
    if wanted is None:
        out += ["", "Results"]
        for f in OUTPUT_SCHEMA:
            if f.name in tr.get("results", {}):
                line = f.metadata[b"line"].decode() if f.metadata else ""
                unit = f.metadata.get(b"unit", b"").decode() if f.metadata else ""
                out.append(f"{'(' + line + ')':<11}{f.name:<36}"
                           f"{_num(tr['results'][f.name]):>12} {unit}")
    return "\n".join(out)


def cmd_trace(args: argparse.Namespace) -> int:
    from ara.sap import SapInputError, trace

    path = Path(args.file) if args.file else example_xml_path()
    dwelling = _load_dwelling(path, args.row)
    ident = dwelling.get("dwelling_id")
    try:
        tr = trace(dwelling)
    except SapInputError as exc:
        raise CliError(f"{path}: {len(exc.problems)} input problem(s):\n"
                       + _format_problems(exc.problems)) from exc
    wanted = _parse_lines(args.lines)
    if wanted is not None:
        missing = [label for label in wanted if label not in tr["lines"]]
        if missing:
            raise CliError(f"{path}: dwelling {ident}: no worksheet line(s) "
                           f"{', '.join(missing)} in its trace; lines: "
                           f"{', '.join(tr['lines'])}")
    if args.json:
        if wanted is not None:
            tr = {**tr, "lines": {label: tr["lines"][label] for label in wanted}}
        print(json.dumps(_clean(tr), indent=2, allow_nan=False))
    else:
        print(render_trace(tr, path, wanted))
    return EXIT_OK


# ------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------
def _row_index(text: str) -> int:
    return whole_number(text, 0)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ara", description="Bulk SAP 10.2 worksheet calculations.")
    parser.add_argument("--version", action="version", version=f"ara {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    calc = sub.add_parser(
        "calc", help="compute the worksheet for every dwelling of a file",
        description="Compute SAP 10.2 worksheet results for every dwelling of INPUT. INPUT: "
                    ".parquet, .arrow/.feather (Arrow IPC), .jsonl (SAP_INPUT_SCHEMA rows), a "
                    "full SAP .xml file or a folder of them; default: the bundled synthetic "
                    "sample. Exit 0 when every dwelling is computed, 1 when --lenient rejected "
                    "some, 2 on bad input. Input is read --batch-size rows at a time (memory "
                    "flat in its size); a SAP XML document over 16 MiB is refused by name.")
    calc.add_argument("input", nargs="?", metavar="INPUT",
                      help="input file or folder (default: bundled sample_dwellings.parquet)")
    calc.add_argument("-o", "--output", metavar="OUTPUT",
                      help="results file: .parquet, .csv or .jsonl (default: print a summary)")
    from ara.cli_rate import add_mode_argument

    add_mode_argument(calc, default="strict")
    calc.add_argument("--columns", metavar="A,B,...",
                      help="write only these output columns (dwelling_id, status and error "
                           "always; default every column)")
    calc.add_argument("--compression", choices=COMPRESSIONS, default="zstd",
                      help="Parquet codec (default zstd)")
    calc.add_argument("--lenient", action="store_true",
                      help="write rejected dwellings with status 'error' instead of stopping")
    calc.add_argument("--batch-size", type=positive, default=DEFAULT_BATCH_SIZE, metavar="N",
                      help=f"dwellings per batch (default {DEFAULT_BATCH_SIZE})")
    calc.add_argument("--progress", action="store_true",
                      help="show the progress bar even when stderr is not a terminal")
    from ara.cli_rate import add_pcdb_argument

    add_pcdb_argument(calc)
    cluster = calc.add_argument_group(
        "on a Dask cluster (issue 18; the 'cluster' extra)",
        "INPUT: a Parquet file, a folder or a glob of Parquet files (one partition per "
        "file); OUTPUT: a folder, written as part-NNNNN.parquet, one file per partition "
        "in input order. INPUT and OUTPUT must be paths every worker sees.")
    where = cluster.add_mutually_exclusive_group()
    where.add_argument("--workers", type=positive, metavar="N",
                       help="start a local Dask cluster of N worker processes (one thread "
                            "each)")
    where.add_argument("--scheduler", metavar="ADDRESS",
                       help="run on the Dask cluster whose scheduler is at ADDRESS "
                            "(e.g. tcp://10.0.0.5:8786)")
    cluster.add_argument("--partition-rows", type=positive, default=100_000, metavar="N",
                         help="rows per partition when INPUT is one Parquet file, split "
                              "along its row groups (default 100000)")
    calc.set_defaults(func=cmd_calc)

    tr = sub.add_parser(
        "trace", help="print one dwelling's worksheet line by line",
        description="Print every worksheet line of one dwelling: a SAP .xml file, or a "
                    ".jsonl/.parquet/.arrow file with one row (or --row N). Default: the "
                    "bundled example_complete_sap.xml.")
    tr.add_argument("file", nargs="?", metavar="FILE", help="the dwelling's file")
    tr.add_argument("--row", type=_row_index, metavar="N",
                    help="row to trace (0-based) when FILE holds several dwellings")
    tr.add_argument("--lines", metavar="LIST",
                    help="only these worksheet lines, comma separated (e.g. 39,98)")
    tr.add_argument("--json", action="store_true", help="print the trace dict as JSON")
    tr.set_defaults(func=cmd_trace)

    from ara.cli_convert import add_parser as add_convert_parser
    from ara.cli_expand import add_parser as add_expand_parser
    from ara.cli_overrides import add_parser as add_overrides_parser
    from ara.cli_plan import add_parser as add_plan_parser
    from ara.cli_rate import add_parser as add_rate_parser
    from ara.cli_results import add_parsers as add_results_parsers
    from ara.cli_run import add_parser as add_run_parser
    from ara.cli_surveys import add_parser as add_surveys_parser
    from ara.cli_validate import add_parser as add_validate_parser

    add_rate_parser(sub)
    add_expand_parser(sub)
    add_convert_parser(sub)
    add_run_parser(sub)
    add_plan_parser(sub)
    add_results_parsers(sub)
    add_overrides_parser(sub)
    add_surveys_parser(sub)
    add_validate_parser(sub)
    return parser


#: The modules of the 'pipeline' extra each command needs beyond the calculator.


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
    except CliError as exc:
        print(f"ara {args.command}: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print(f"ara {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_OK
    except Exception as exc:  # a bug: one line for the user; ARA_DEBUG=1 shows the traceback
        if os.environ.get("ARA_DEBUG"):
            raise
        print(f"ara {args.command}: internal error: {type(exc).__name__}: {exc} (a bug in "
              "Ara: run again with ARA_DEBUG=1 for the traceback and report it)",
              file=sys.stderr)
        return EXIT_INTERNAL
    return code


def _silence_stdout() -> None:
    """After the reader of our stdout went away (``| head``), stop Python complaining."""
    devnull: BinaryIO = open(os.devnull, "wb")
    os.dup2(devnull.fileno(), sys.stdout.fileno())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
