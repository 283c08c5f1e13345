"""Partitioned Parquet datasets as Ara writes them (``ara calc``/``ara expand`` on a cluster,
``ara convert``): files ``part-NNNNN.parquet`` numbered in input order, written to a staging
folder and moved into place only when every part is written, replacing an earlier run's parts.
No Dask here: ``ara convert`` needs none.

Object storage: a dataset may be a URI (``s3://bucket/prefix/``, ``gs://...``, any scheme
``pyarrow.fs.FileSystem.from_uri`` knows) instead of a path, read and written through Arrow's
file systems (credentials and endpoint from the usual environment: ``AWS_ACCESS_KEY_ID``,
``AWS_ENDPOINT_URL`` ...). A URI names a "folder" (a prefix) or one file; globs are for local
paths only. There is no rename on object stores: parts are written under a staging prefix and
moved (copied, then deleted) into place when every part is written.

Sources on object storage (``ara convert``, ``ara run --epc-source archive:URI``):
:func:`read_certificate_source` reads a certificate archive at a URI as a stream through the
same file systems, line by line as a local file is read; :func:`check_file` says in one line
why a URI cannot be read (:class:`StoreUnavailableError` when the store itself cannot be
reached or refuses the credentials, rather than the object being absent)."""

from __future__ import annotations

import glob
import gzip
import io
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ara.batches import rebatch

__all__ = ["DEFAULT_PARTITION_ROWS", "PARQUET_SUFFIXES", "DatasetError", "Partition",
           "StoreUnavailableError", "check_file", "check_output_folder", "file_key",
           "first_line", "is_uri", "join", "local_copy", "move", "open_input", "open_parquet",
           "part_name", "plan_partitions", "publish_parts", "read_certificate_source",
           "read_partition", "remove_staging"]

PARQUET_SUFFIXES = (".parquet", ".pq")
#: Rows per partition when one Parquet file is split (a folder's files are taken as they are).
DEFAULT_PARTITION_ROWS = 100_000


class DatasetError(Exception):
    """INPUT or OUTPUT_DIR cannot be used (bad input: ``ara calc`` exits 2)."""


class StoreUnavailableError(DatasetError):
    """The object store cannot be reached, or refuses the credentials: the environment is at
    fault, not the input (``ara convert`` and ``ara run`` exit 78, as for a database they
    cannot reach)."""


@dataclass(frozen=True)
class Partition:
    """Rows ``first_row`` .. ``first_row + rows - 1`` of one Parquet file (``rows`` None: the
    whole file), read from ``row_groups`` (None: all of them, skipping ``skip`` rows)."""

    index: int
    path: str
    row_groups: tuple[int, ...] | None = None
    skip: int = 0
    rows: int | None = None
    first_row: int = 0
    whole_file: bool = True

    def label(self) -> str:
        """The partition as the user knows it: the file, and its rows when it is a part."""
        if self.whole_file or self.rows is None:
            return self.path
        return f"{self.path} (rows {self.first_row}-{self.first_row + self.rows - 1})"


def _is_glob(text: str) -> bool:
    return any(c in text for c in "*?[")


def is_uri(text: str) -> bool:
    """An object-store (or other Arrow file system) URI rather than a local path."""
    scheme, sep, _rest = text.partition("://")
    return bool(sep) and scheme.isalnum() and scheme.lower() != "file"


def first_line(exc: BaseException) -> str:
    """The first line of an error (Arrow's S3 errors run to several)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _fs(uri: str) -> tuple[pafs.FileSystem, str]:
    try:
        return pafs.FileSystem.from_uri(uri)
    except (pa.ArrowInvalid, ValueError) as exc:
        raise DatasetError(f"{uri}: cannot open: {first_line(exc)}") from exc
    except (pa.ArrowException, OSError) as exc:
        raise StoreUnavailableError(f"{uri}: cannot open: {first_line(exc)}") from exc


def join(base: str, name: str) -> str:
    """``base/name`` for a local path or a URI."""
    return f"{base.rstrip('/')}/{name}" if is_uri(base) else str(Path(base) / name)


def open_parquet(path: str) -> pq.ParquetFile:
    """A Parquet file by local path or URI."""
    if not is_uri(path):
        return pq.ParquetFile(path)
    fs, inner = _fs(path)
    return pq.ParquetFile(fs.open_input_file(inner))


def _remote_files(uri: str) -> list[str] | None:
    """The Parquet files under a URI prefix (sorted, hidden and ``_`` names left out); None
    when the URI is one file. :class:`DatasetError` when nothing is there."""
    fs, inner = _fs(uri)
    scheme = uri.split("://", 1)[0]
    info = fs.get_file_info(inner.rstrip("/"))
    if info.type == pafs.FileType.File:
        return None
    if info.type == pafs.FileType.NotFound and not uri.endswith("/"):
        raise DatasetError(f"{uri}: no such file or folder")
    found = fs.get_file_info(pafs.FileSelector(inner.rstrip("/"), recursive=True,
                                               allow_not_found=True))
    prefix = inner.rstrip("/") + "/"
    files = sorted(f.path for f in found if f.type == pafs.FileType.File
                   and Path(f.path).suffix.lower() in PARQUET_SUFFIXES
                   and not any(part.startswith((".", "_"))
                               for part in f.path[len(prefix):].split("/")))
    if not files:
        raise DatasetError(f"{uri}: holds no Parquet files (*.parquet, *.pq)")
    return [f"{scheme}://{f}" for f in files]


def _dataset_files(text: str) -> list[Path] | None:
    """The Parquet files of a folder (recursively, sorted by relative path, hidden and
    ``_``-prefixed files such as ``_metadata`` left out) or of a glob; None for one file."""
    path = Path(text)
    if path.is_dir():
        files = sorted((p for p in path.rglob("*") if p.is_file()
                        and p.suffix.lower() in PARQUET_SUFFIXES
                        and not any(part.startswith((".", "_"))
                                    for part in p.relative_to(path).parts)),
                       key=lambda p: p.relative_to(path).as_posix())
        if not files:
            raise DatasetError(f"{path}: folder holds no Parquet files (*.parquet, *.pq)")
        return files
    if not path.exists() and _is_glob(text):
        files = sorted(Path(p) for p in glob.glob(text, recursive=True) if Path(p).is_file())
        if not files:
            raise DatasetError(f"{text}: matches no file")
        return files
    return None


def plan_partitions(input_text: str, partition_rows: int = DEFAULT_PARTITION_ROWS) \
        -> list[Partition]:
    """The partitions of INPUT, in order: one per file of a folder or glob (sorted), or
    runs of one Parquet file's row groups of about ``partition_rows`` rows (a row group
    larger than that is split into equal row ranges, each read by its own worker).

    Paths are made absolute (a worker's working folder is not the client's). Raises
    :class:`DatasetError` when INPUT is missing, not Parquet or holds nothing."""
    if is_uri(input_text):
        return _plan_remote(input_text, partition_rows)
    files = _dataset_files(input_text)
    if files is not None:
        odd = [p for p in files if p.suffix.lower() not in PARQUET_SUFFIXES]
        if odd:
            raise DatasetError(f"{odd[0]}: not a Parquet file (*.parquet, *.pq)")
        return [Partition(i, str(p.resolve())) for i, p in enumerate(files)]
    path = Path(input_text)
    if not path.exists():
        raise DatasetError(f"{path}: no such file or folder")
    if path.suffix.lower() not in PARQUET_SUFFIXES:
        raise DatasetError(f"{path}: --workers and --scheduler take Parquet input (a file, "
                           "a folder or a glob of *.parquet files), not "
                           f"{path.suffix or '(no suffix)'!r}")
    try:
        meta = pq.ParquetFile(str(path)).metadata
    except (pa.ArrowException, OSError) as exc:
        raise DatasetError(f"{path}: cannot read: {exc}") from exc
    return _split_file(str(path.resolve()),
                       [meta.row_group(g).num_rows for g in range(meta.num_row_groups)],
                       partition_rows)


def _plan_remote(uri: str, partition_rows: int) -> list[Partition]:
    files = _remote_files(uri)
    if files is not None:
        return [Partition(i, f) for i, f in enumerate(files)]
    if Path(uri).suffix.lower() not in PARQUET_SUFFIXES:
        raise DatasetError(f"{uri}: not a Parquet file (*.parquet, *.pq)")
    try:
        meta = open_parquet(uri).metadata
    except (pa.ArrowException, OSError) as exc:
        raise DatasetError(f"{uri}: cannot read: {exc}") from exc
    return _split_file(uri, [meta.row_group(g).num_rows for g in range(meta.num_row_groups)],
                       partition_rows)


def _split_file(path: str, group_rows: Sequence[int], partition_rows: int) -> list[Partition]:
    """Runs of consecutive row groups of about ``partition_rows`` rows; a larger row group
    split into row ranges. One partition covering the whole file is ``whole_file``."""
    parts: list[Partition] = []
    run: list[int] = []
    run_rows = 0
    run_start = 0
    row = 0

    def close_run() -> None:
        nonlocal run, run_rows
        if run:
            parts.append(Partition(len(parts), path, tuple(run), 0, run_rows, run_start, False))
        run, run_rows = [], 0

    for g, n in enumerate(group_rows):
        if n > partition_rows:
            close_run()
            pieces = -(-n // partition_rows)
            size = -(-n // pieces)
            for skip in range(0, n, size):
                take = min(size, n - skip)
                parts.append(Partition(len(parts), path, (g,), skip, take, row + skip, False))
        else:
            if run_rows + n > partition_rows:
                close_run()
            if not run:
                run_start = row
            run.append(g)
            run_rows += n
        row += n
    close_run()
    if len(parts) <= 1:
        return [Partition(0, path, None, 0, row)]
    return parts


def read_partition(part: Partition, batch_size: int) -> Iterator[pa.Table]:
    """The partition's rows as tables of ``batch_size`` rows, read as Arrow."""
    pf = open_parquet(part.path)
    batches = pf.iter_batches(batch_size=batch_size, row_groups=part.row_groups) \
        if part.row_groups is not None else pf.iter_batches(batch_size=batch_size)
    skip, left = part.skip, part.rows if part.row_groups is not None else None

    def selected() -> Iterator[pa.RecordBatch]:
        nonlocal skip, left
        for batch in batches:
            if skip >= batch.num_rows:
                skip -= batch.num_rows
                continue
            batch, skip = batch.slice(skip), 0
            if left is not None:
                batch = batch.slice(0, left)
                left -= batch.num_rows
            if batch.num_rows:
                yield batch
            if left == 0:
                return

    return rebatch(selected(), batch_size)


def part_name(index: int, count: int) -> str:
    """``part-00003.parquet``: the partition's place in the input, zero-padded so that the
    names sort in input order."""
    return f"part-{index:0{max(5, len(str(max(count - 1, 0))))}d}.parquet"


def publish_parts(staging: Path | str, output_dir: Path | str, names: Sequence[str]) -> None:
    """Move the new parts into ``output_dir`` (a path or URI), removing an earlier run's parts
    first."""
    if is_uri(str(output_dir)):
        fs, out = _fs(str(output_dir))
        _fs_staging, stage = _fs(str(staging))
        keep = set(names)
        old = fs.get_file_info(pafs.FileSelector(out.rstrip("/"), allow_not_found=True))
        for info in old:
            base = info.path.rsplit("/", 1)[-1]
            if info.type == pafs.FileType.File and base.startswith("part-") \
                    and base.endswith(".parquet") and base not in keep:
                fs.delete_file(info.path)
        for name in names:
            fs.move(f"{stage.rstrip('/')}/{name}", f"{out.rstrip('/')}/{name}")
        return
    local_out, local_stage = Path(output_dir), Path(staging)
    keep = set(names)
    for old_part in local_out.glob("part-*.parquet"):
        if old_part.name not in keep:
            old_part.unlink()
    for name in names:
        os.replace(local_stage / name, local_out / name)


class PartWriter:
    """Writes one part file ``staging/name`` (a path or URI): locally to a hidden temporary
    file renamed on :meth:`commit`, on an object store straight under the staging prefix
    (which is itself temporary). :meth:`discard` removes what was written."""

    def __init__(self, staging: str, name: str) -> None:
        self.remote = is_uri(staging)
        self.target = join(staging, name)
        self.temp = self.target if self.remote else str(Path(staging) / f".{name}.tmp")
        self.writer: pq.ParquetWriter | None = None

    def open(self, schema: pa.Schema, **options: Any) -> pq.ParquetWriter:
        if self.remote:
            fs, inner = _fs(self.temp)
            self.writer = pq.ParquetWriter(inner, schema, filesystem=fs, **options)
        else:
            self.writer = pq.ParquetWriter(self.temp, schema, **options)
        return self.writer

    def commit(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None
        if not self.remote:
            os.replace(self.temp, self.target)

    def discard(self) -> None:
        if self.writer is not None:
            try:
                self.writer.close()
            except Exception:  # noqa: BLE001 - the failure already recorded matters
                pass
            self.writer = None
        if self.remote:
            try:
                fs, inner = _fs(self.temp)
                fs.delete_file(inner)
            except (OSError, DatasetError):
                pass
        else:
            Path(self.temp).unlink(missing_ok=True)


# ---------------------------------------------------------------------------------------------
# Sources on object storage: one file at a URI, read as a stream
# ---------------------------------------------------------------------------------------------
#: Bytes asked of the store at a time when a file is streamed (one ranged GET on S3).
READ_BLOCK_BYTES = 8 * 1024 * 1024
#: Certificate files at a URI copied to a local temporary file before they are read: a
#: ``.zip`` is read by seeking to its members, a ``.json`` / ``.xml`` is read whole. Any other
#: (``.gz``, ``.ndjson``, ``.jsonl``, ...) is read as a stream.
SPOOLED_SUFFIXES = (".zip", ".json", ".xml")


def check_file(uri: str) -> None:
    """That ``uri`` names one object that can be read. :class:`DatasetError` when it is not
    there or is a folder (a prefix); :class:`StoreUnavailableError` when the store cannot be
    asked (unreachable endpoint, refused credentials)."""
    fs, inner = _fs(uri)
    try:
        info = fs.get_file_info(inner)
    except (pa.ArrowException, OSError) as exc:
        raise StoreUnavailableError(f"{uri}: cannot read: {first_line(exc)}") from exc
    if info.type == pafs.FileType.NotFound:
        raise DatasetError(f"{uri}: no such file")
    if info.type != pafs.FileType.File:
        raise DatasetError(f"{uri}: is a folder (a prefix); give one file")


def file_key(uri: str) -> tuple[int, int] | None:
    """(modification time in ns, size) of the object at ``uri``, what tells one version of
    it from another; None when it cannot be asked or the store does not say."""
    try:
        fs, inner = _fs(uri)
        info = fs.get_file_info(inner)
    except (DatasetError, pa.ArrowException, OSError):
        return None
    if info.type != pafs.FileType.File or info.size is None:
        return None
    return (info.mtime_ns or 0, info.size)


class _StoreReader(io.RawIOBase):
    """An Arrow input stream as a Python raw stream; a failed read names the URI."""

    def __init__(self, stream: pa.NativeFile, uri: str) -> None:
        super().__init__()
        self._stream = stream
        self.uri = uri

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._stream.read(len(buffer))
        except (pa.ArrowException, OSError) as exc:
            raise StoreUnavailableError(f"{self.uri}: cannot read: {first_line(exc)}") from exc
        buffer[:len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
        super().close()


class _NamedReader(io.BufferedReader):
    """A buffered binary stream named by its URI (readers name documents after ``name``)."""

    def __init__(self, raw: _StoreReader) -> None:
        super().__init__(raw, READ_BLOCK_BYTES)
        self._uri = raw.uri

    @property
    def name(self) -> str:  # type: ignore[override]
        return self._uri


def open_input(uri: str) -> io.BufferedReader:
    """The object at ``uri`` as a buffered binary stream (``readline`` works; reads of
    :data:`READ_BLOCK_BYTES` at a time reach the store; nothing is held whole), named by the
    URI. Raises as :func:`check_file`; a read that fails later raises
    :class:`StoreUnavailableError` naming the URI."""
    check_file(uri)
    fs, inner = _fs(uri)
    try:
        stream = fs.open_input_stream(inner, compression=None)
    except FileNotFoundError as exc:
        raise DatasetError(f"{uri}: no such file") from exc
    except (pa.ArrowException, OSError) as exc:
        raise StoreUnavailableError(f"{uri}: cannot read: {first_line(exc)}") from exc
    return _NamedReader(_StoreReader(stream, uri))


@contextmanager
def local_copy(uri: str) -> Iterator[Path]:
    """The object at ``uri`` copied (streamed, a block at a time) to a temporary local file
    of the same name, removed afterwards: for readers that must seek (a ``.zip``). It needs
    free space for the file in the temporary folder (``TMPDIR``)."""
    with open_input(uri) as source, tempfile.TemporaryDirectory(prefix="ara-spool-") as folder:
        path = Path(folder) / (uri.rstrip("/").rsplit("/", 1)[-1] or "source")
        with path.open("wb") as sink:
            shutil.copyfileobj(source, sink, READ_BLOCK_BYTES)
        yield path


def read_certificate_source(source: str, batch_size: int = 10_000, **options: Any
                            ) -> Iterator[tuple[pa.RecordBatch, list[Any]]]:
    """:func:`ara.rdsap.readers.read_certificates` of a local path (handed on as it is) or of
    one certificate file at a URI, read alike: the same rows and failures, each ``source``
    naming the URI (``s3://bucket/archive.ndjson.gz:17``, ``s3://bucket/a.zip!member``).

    An NDJSON archive (``.ndjson``, ``.jsonl``, ``.gz``; any other name is read as NDJSON
    too) is streamed from the store, decompressed here, one line at a time. A ``.zip`` (and
    a single ``.json`` or ``.xml``) is first copied to a local temporary file, as a zip is
    read by seeking to its members (:func:`local_copy`: disk for the archive, no memory).
    Raises as :func:`check_file` before anything is read; a folder (prefix) of documents on
    object storage is refused."""
    from ara.rdsap.readers import read_certificates

    if not is_uri(source):
        return read_certificates(source, batch_size, **options)
    check_file(source)
    return _remote_certificates(source, batch_size, options)


def _remote_certificates(uri: str, batch_size: int, options: dict[str, Any]
                         ) -> Iterator[tuple[pa.RecordBatch, list[Any]]]:
    from ara.rdsap.readers import read_certificates

    lower = uri.lower()
    if not lower.endswith(SPOOLED_SUFFIXES):
        with open_input(uri) as raw:
            stream: Any = gzip.GzipFile(filename=uri, mode="rb", fileobj=raw) \
                if lower.endswith(".gz") else raw
            with stream:
                yield from read_certificates(stream, batch_size, **options)
        return
    with local_copy(uri) as path:
        for batch, failures in read_certificates(path, batch_size, **options):
            yield _named_after(batch, failures, str(path), uri)


def _named_after(batch: pa.RecordBatch, failures: list[Any], local: str, uri: str
                 ) -> tuple[pa.RecordBatch, list[Any]]:
    """The batch and failures of a spooled copy, their ``source`` naming the URI again."""
    import pyarrow.compute as pc

    index = batch.schema.get_field_index("source")
    columns = list(batch.columns)
    columns[index] = pc.replace_substring(columns[index], pattern=local, replacement=uri,
                                          max_replacements=1)
    renamed = [f._replace(source=uri + f.source[len(local):])
               if f.source and f.source.startswith(local) else f for f in failures]
    return pa.RecordBatch.from_arrays(columns, schema=batch.schema), renamed


# ---------------------------------------------------------------------------------------------
# Output folders, local or on object storage (ara convert)
# ---------------------------------------------------------------------------------------------
def check_output_folder(output: str, command: str) -> None:
    """That ``output`` can be a dataset folder: not a file, and (a local path) inside a
    folder that exists. Raises :class:`DatasetError` (:class:`StoreUnavailableError` when
    the store cannot be asked)."""
    if not is_uri(output):
        path = Path(output)
        if path.exists() and not path.is_dir():
            raise DatasetError(f"{path}: is a file; {command} writes a folder (-o DATASET/)")
        if not path.parent.is_dir():
            raise DatasetError(f"{path}: cannot write: folder {path.parent} does not exist")
        return
    fs, inner = _fs(output)
    try:
        info = fs.get_file_info(inner.rstrip("/"))
    except (pa.ArrowException, OSError) as exc:
        raise StoreUnavailableError(f"{output}: cannot write: {first_line(exc)}") from exc
    if info.type == pafs.FileType.File:
        raise DatasetError(f"{output}: is a file; {command} writes a folder (-o DATASET/)")


def move(source: str, destination: str) -> None:
    """Move one file within a local folder tree or one object store."""
    if not is_uri(destination):
        os.replace(source, destination)
        return
    fs, target = _fs(destination)
    _same, origin = _fs(source)
    fs.move(origin, target)


def remove_staging(staging: str) -> None:
    """Remove a staging folder or prefix and all in it; what cannot be removed is left."""
    if not is_uri(staging):
        shutil.rmtree(staging, ignore_errors=True)
        return
    try:
        fs, inner = _fs(staging)
        fs.delete_dir(inner.rstrip("/"))
    except (DatasetError, pa.ArrowException, OSError):
        pass
