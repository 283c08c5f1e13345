"""Many certificates in, Arrow record batches out, streamed.

:func:`read_certificates` takes

* a newline-delimited JSON archive (``.jsonl``/``.ndjson``, optionally ``.gz``): one
  certificate per line, read line by line, never loaded whole;
* a folder, walked recursively in name order: ``*.xml`` (one RdSAP certificate each),
  ``*.json`` (one register JSON certificate each), and archives (``.jsonl``, ``.ndjson``,
  ``.gz``, ``.zip``);
* a ``.zip`` of any of these (members streamed);
* a list of such paths, or an open binary NDJSON stream.

It yields ``(batch, failures)`` pairs: a ``pyarrow.RecordBatch`` of ``CERTIFICATE_SCHEMA`` with
at most ``batch_size`` certificates, and the :class:`~ara.rdsap.readers.errors.ReadFailure`
records of the certificates (or lines) refused while that batch was filled. A bad
certificate never stops the stream unless ``errors="raise"``. Memory stays bounded by one
batch: the source is consumed lazily, one document at a time.

:func:`read_documents` does the same for documents already in memory (XML bytes or text,
JSON text, parsed JSON objects).
"""

from __future__ import annotations

import gzip
import io
import json
import os
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal

import pyarrow as pa

from ara.rdsap.readers.documents import FullSap, register_json_row, xml_row
from ara.rdsap.readers.errors import CertificateReadError, ReadFailure
from ara.rdsap.readers.schema import CERTIFICATE_SCHEMA
from ara.rdsap.readers.xml_document import MAX_DOCUMENT_BYTES

__all__ = ["Errors", "read_certificates", "read_certificates_table", "read_documents",
           "rows_to_batch"]

Errors = Literal["collect", "raise"]
_ARCHIVE_SUFFIXES = (".jsonl", ".ndjson")
_PIECE = 1000
_FOLDER_SUFFIXES = (".xml", ".json", ".jsonl", ".ndjson", ".gz", ".zip")


@dataclass(frozen=True)
class _Document:
    """One document on its way to a row: ``kind`` is xml, json_text, json or failure."""

    kind: str
    payload: Any
    source: str | None
    data_source: str


def rows_to_batch(rows: list[dict[str, Any]]) -> pa.RecordBatch:
    """Rows (dicts keyed by column name) as a record batch of ``CERTIFICATE_SCHEMA``."""
    return pa.RecordBatch.from_pylist(rows, schema=CERTIFICATE_SCHEMA)


def _failure(source: str | None, field: str, message: str) -> _Document:
    return _Document("failure", ReadFailure(None, field, message, source), source, "archive")


def _ndjson_lines(stream: IO[bytes], name: str) -> Iterator[_Document]:
    """Documents of an NDJSON stream, line by line; over-long lines are skipped unread."""
    lineno = 0
    while True:
        line = stream.readline(MAX_DOCUMENT_BYTES + 1)
        if not line:
            return
        lineno += 1
        where = f"{name}:{lineno}"
        if len(line) > MAX_DOCUMENT_BYTES and not line.endswith(b"\n"):
            while (chunk := stream.readline(MAX_DOCUMENT_BYTES)) and not chunk.endswith(b"\n"):
                pass
            yield _failure(where, "(line)", f"line longer than {MAX_DOCUMENT_BYTES} bytes")
            continue
        if not line.strip():
            continue
        try:
            text = line.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as exc:
            yield _failure(where, "(line)", f"not UTF-8: {exc}")
            continue
        yield _Document("json_text", text, where, "archive")


def _json_file(path: Path) -> Iterator[_Document]:
    """A ``.json`` file: one certificate, or NDJSON that happens to be named ``.json``."""
    if path.stat().st_size > MAX_DOCUMENT_BYTES:
        with path.open("rb") as stream:
            yield from _ndjson_lines(stream, str(path))
        return
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield _failure(str(path), "(document)", f"not UTF-8: {exc}")
        return
    try:
        parsed = json.loads(text)
    except ValueError as exc:
        if "Extra data" in str(exc):
            yield from _ndjson_lines(io.BytesIO(data), str(path))
            return
        parsed = None
    except RecursionError:
        parsed = None
    if isinstance(parsed, list):  # an array of certificates (e.g. saved API responses)
        for i, item in enumerate(parsed):
            yield _Document("json", item, f"{path}[{i}]", "register_json")
        return
    yield _Document("json_text", text, str(path), "register_json")


def _zip_members(path: Path) -> Iterator[_Document]:
    with zipfile.ZipFile(path) as archive:
        for info in sorted(archive.infolist(), key=lambda i: i.filename):
            name = info.filename
            lower = name.lower()
            where = f"{path}!{name}"
            if info.is_dir():
                continue
            if lower.endswith(".xml"):
                if info.file_size > MAX_DOCUMENT_BYTES:
                    yield _failure(where, "(document)", "document exceeds the size limit")
                    continue
                yield _Document("xml", archive.read(info), where, "xml")
            elif lower.endswith(_ARCHIVE_SUFFIXES + (".json",)):
                with archive.open(info) as member:
                    yield from _ndjson_lines(member, where)


def _path_documents(path: Path) -> Iterator[_Document]:
    lower = path.name.lower()
    if path.is_dir():
        for folder, dirs, files in os.walk(path):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(files):
                if not name.startswith(".") and name.lower().endswith(_FOLDER_SUFFIXES):
                    yield from _path_documents(Path(folder) / name)
    elif lower.endswith(".xml"):
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            yield _failure(str(path), "(document)", "document exceeds the size limit")
        else:
            yield _Document("xml", path.read_bytes(), str(path), "xml")
    elif lower.endswith(".gz"):
        with gzip.open(path, "rb") as stream:
            yield from _ndjson_lines(stream, str(path))  # type: ignore[arg-type]
    elif lower.endswith(".zip"):
        yield from _zip_members(path)
    elif lower.endswith(".json"):
        yield from _json_file(path)
    elif path.exists():
        with path.open("rb") as stream:
            yield from _ndjson_lines(stream, str(path))
    else:
        yield _failure(str(path), "(document)", "no such file or folder")


def _source_documents(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
                      | IO[bytes]) -> Iterator[_Document]:
    if isinstance(source, str | os.PathLike):
        yield from _path_documents(Path(source))
    elif hasattr(source, "readline"):
        yield from _ndjson_lines(source, getattr(source, "name", "<stream>"))  # type: ignore[arg-type]
    else:
        for path in source:
            yield from _path_documents(Path(path))


def _to_row(document: _Document, validate: bool, keep_raw: bool,
            full_sap: FullSap = "refuse") -> dict[str, Any]:
    if document.kind == "xml":
        return xml_row(document.payload, source=document.source, validate=validate,
                       keep_raw=keep_raw, data_source=document.data_source,
                       full_sap=full_sap)
    if document.kind == "json_text":
        try:
            obj = json.loads(document.payload)
        except (ValueError, RecursionError) as exc:
            raise CertificateReadError(None, "(line)" if document.data_source == "archive"
                                       else "(document)", f"invalid JSON: {exc}",
                                       source=document.source) from None
        return register_json_row(obj, source=document.source,
                                 raw_document=document.payload if keep_raw else None,
                                 validate=validate, data_source=document.data_source,
                                 full_sap=full_sap)
    return register_json_row(document.payload, source=document.source,
                             raw_document=json.dumps(document.payload, ensure_ascii=False)
                             if keep_raw else None, validate=validate,
                             data_source=document.data_source, full_sap=full_sap)


def _raise_first(found: list[ReadFailure]) -> None:
    first = found[0]
    raise CertificateReadError(first.certificate_number, first.field, first.message,
                               source=first.source, failures=found)


def _chunk_rows(chunk: list[_Document], validate: bool, keep_raw: bool, stop_at_failure: bool,
                full_sap: FullSap = "refuse"
                ) -> tuple[list[dict[str, Any]], list[ReadFailure]]:
    rows: list[dict[str, Any]] = []
    failures: list[ReadFailure] = []
    for document in chunk:
        if document.kind == "failure":
            failures.append(document.payload)
        else:
            try:
                rows.append(_to_row(document, validate, keep_raw, full_sap))
            except CertificateReadError as exc:
                failures += exc.failures
        if failures and stop_at_failure:
            break
    return rows, failures


def _convert_chunk(chunk: list[_Document], validate: bool, keep_raw: bool, stop: bool,
                   full_sap: FullSap = "refuse") -> tuple[pa.RecordBatch, list[ReadFailure]]:
    """Worker side of the parallel reader: one chunk of documents to one batch (made of pieces
    of ``_PIECE`` rows, as in the serial reader)."""
    pieces: list[pa.RecordBatch] = []
    failures: list[ReadFailure] = []
    for start in range(0, len(chunk), _PIECE):
        rows, found = _chunk_rows(chunk[start:start + _PIECE], validate, keep_raw, stop,
                                  full_sap)
        failures += found
        if rows:
            pieces.append(rows_to_batch(rows))
        if found and stop:
            break
    return _join(pieces), failures


def _chunks(documents: Iterator[_Document], size: int) -> Iterator[list[_Document]]:
    chunk: list[_Document] = []
    for document in documents:
        chunk.append(document)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parallel_batches(documents: Iterator[_Document], batch_size: int, errors: Errors,
                      validate: bool, keep_raw: bool, workers: int,
                      full_sap: FullSap = "refuse"
                      ) -> Iterator[tuple[pa.RecordBatch, list[ReadFailure]]]:
    """Chunks of ``batch_size`` documents converted in worker processes, results in order; at
    most ``2 * workers`` chunks are in flight, so memory stays bounded."""
    from concurrent.futures import Future, ProcessPoolExecutor

    stop = errors == "raise"
    pending: deque[Future[tuple[pa.RecordBatch, list[ReadFailure]]]] = deque()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        try:
            for chunk in _chunks(documents, batch_size):
                pending.append(pool.submit(_convert_chunk, chunk, validate, keep_raw, stop,
                                           full_sap))
                while len(pending) >= 2 * workers:
                    batch, failures = pending.popleft().result()
                    if failures and stop:
                        _raise_first(failures)
                    yield batch, failures
            while pending:
                batch, failures = pending.popleft().result()
                if failures and stop:
                    _raise_first(failures)
                yield batch, failures
        finally:
            for future in pending:
                future.cancel()


def _batches(documents: Iterator[_Document], batch_size: int, errors: Errors, validate: bool,
             keep_raw: bool, workers: int = 1, full_sap: FullSap = "refuse"
             ) -> Iterator[tuple[pa.RecordBatch, list[ReadFailure]]]:
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, not {batch_size}")
    if full_sap not in ("refuse", "summary"):
        raise ValueError(f"full_sap must be 'refuse' or 'summary', not {full_sap!r}")
    if workers > 1:
        yield from _parallel_batches(documents, batch_size, errors, validate, keep_raw,
                                     workers, full_sap)
        return
    # Rows become Arrow every _PIECE rows: fewer live Python objects (faster, smaller) than
    # holding a whole batch of dicts; the pieces are joined when the batch is yielded.
    piece = min(batch_size, _PIECE)
    pieces: list[pa.RecordBatch] = []
    count = 0
    rows: list[dict[str, Any]] = []
    failures: list[ReadFailure] = []
    for document in documents:
        new_rows, found = _chunk_rows([document], validate, keep_raw, False, full_sap)
        rows += new_rows
        if found:
            if errors == "raise":
                _raise_first(found)
            failures += found
        if len(rows) >= piece:
            pieces.append(rows_to_batch(rows))
            count += len(rows)
            rows = []
        if count >= batch_size:
            yield _join(pieces), failures
            pieces, count, failures = [], 0, []
    if rows:
        pieces.append(rows_to_batch(rows))
    if pieces or failures:
        yield _join(pieces), failures


def _join(pieces: list[pa.RecordBatch]) -> pa.RecordBatch:
    if len(pieces) == 1:
        return pieces[0]
    if not pieces:
        return rows_to_batch([])
    if hasattr(pa, "concat_batches"):  # pyarrow >= 19
        return pa.concat_batches(pieces)
    return pa.Table.from_batches(pieces).combine_chunks().to_batches()[0]  # pragma: no cover


def read_certificates(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
                      | IO[bytes], batch_size: int = 10_000, *, errors: Errors = "collect",
                      validate: bool = True, keep_raw: bool = True, workers: int = 1,
                      full_sap: FullSap = "refuse"
                      ) -> Iterator[tuple[pa.RecordBatch, list[ReadFailure]]]:
    """Stream certificates from files (see the module docstring) as ``(batch, failures)``.

    The source is consumed lazily, one document at a time, so memory stays bounded by one
    batch. ``errors="raise"`` raises :class:`CertificateReadError` at the first refused
    certificate (the batches before it have been yielded); ``validate=False`` skips the
    lodgement rules; ``keep_raw=False`` leaves ``raw_document`` null (smaller batches).
    ``workers > 1`` converts chunks of ``batch_size`` documents in that many processes
    (files are still read by this process, in order; batches come back in order). A full
    SAP (SAP-Schema) certificate is a read failure unless ``full_sap="summary"``, which
    reads its summary only (:data:`~ara.rdsap.readers.documents.FullSap`; the ingestion
    fetchers ask for it).

    Parameters
    ----------
    source : str, os.PathLike, iterable of paths, or binary stream
        An NDJSON archive (``.jsonl`` / ``.ndjson``, optionally ``.gz``; one register
        JSON certificate per line); a folder, walked recursively in name order (``*.xml``
        RdSAP XML, ``*.json`` register JSON, and archives; hidden entries skipped); a
        ``.zip`` of any of these (members streamed); a list of such paths; or an open
        binary NDJSON stream.
    batch_size : int, default 10000
        Most certificates per yielded batch (at least 1); with ``workers > 1`` also the
        chunk each worker converts.
    errors : {"collect", "raise"}, default "collect"
        ``"collect"``: a refused certificate or line becomes a ``ReadFailure`` in the
        failures of the batch being filled, and the stream goes on. ``"raise"``: the
        first one raises.
    validate : bool, default True
        Check the register's lodgement rules on every certificate.
    keep_raw : bool, default True
        Keep each document's text in ``raw_document``; False leaves it null.
    workers : int, default 1
        Number of processes converting documents to rows; 1 converts in this process.
    full_sap : {"refuse", "summary"}, default "refuse"
        A full SAP certificate: ``"refuse"`` makes it a read failure; ``"summary"`` reads
        its summary only (metadata, lodged results, descriptions, ``raw_document``).

    Returns
    -------
    iterator of (pyarrow.RecordBatch, list of ReadFailure)
        Pairs in source order: a record batch of ``CERTIFICATE_SCHEMA`` with at most
        ``batch_size`` rows (possibly none when only failures were met), and the
        :class:`~ara.rdsap.readers.errors.ReadFailure` records (``certificate_number``,
        ``field``, ``message``, ``source`` as ``path``, ``path:line`` or
        ``archive!member``) of the certificates or lines refused while that batch was
        filled. ``read_certificates_table`` collects the whole stream into one table.

    Raises
    ------
    CertificateReadError
        With ``errors="raise"``, at the first refused certificate, while iterating;
        ``failures`` lists its problems.
    ValueError
        ``batch_size`` is below 1 or ``full_sap`` is not "refuse" or "summary" (raised
        when iteration starts).

    References
    ----------
    The register's bulk export (NDJSON of register JSON documents) and its RdSAP XML, of
    the schemas RdSAP-Schema-21.0.1, 21.0.0, 20.0.0 and 19.0 and their aliases
    (``SUPPORTED_SCHEMA_TYPES``; register XSDs of communitiesuk/epb-register-api, copies
    in ``tests/vectors/xsd/``); each document is read as by :func:`read_rdsap_xml` or
    :func:`read_register_json`. Project decision 0008 (``BulkArchiveFetcher`` and
    ``XmlFolderFetcher`` read through this function).
    """
    return _batches(_source_documents(source), batch_size, errors, validate, keep_raw, workers,
                    full_sap)


def _memory_documents(documents: Iterable[bytes | str | dict[str, Any]]
                      ) -> Iterator[_Document]:
    for i, document in enumerate(documents):
        where = f"<document {i}>"
        if isinstance(document, dict):
            yield _Document("json", document, where, "register_json")
        elif isinstance(document, bytes):
            if document[:64].lstrip().removeprefix(b"\xef\xbb\xbf").startswith(b"<"):
                yield _Document("xml", document, where, "xml")
            else:
                yield _Document("json_text", document.decode("utf-8", errors="replace"), where,
                                "register_json")
        elif isinstance(document, str):
            if document[:64].lstrip("\ufeff \t\r\n").startswith("<"):
                yield _Document("xml", document.encode("utf-8"), where, "xml")
            else:
                yield _Document("json_text", document, where, "register_json")
        else:
            yield _failure(where, "(document)",
                           f"expected XML or JSON text or a JSON object, not "
                           f"{type(document).__name__}")


def read_documents(documents: Iterable[bytes | str | dict[str, Any]], batch_size: int = 10_000,
                   *, errors: Errors = "collect", validate: bool = True, keep_raw: bool = True,
                   workers: int = 1, full_sap: FullSap = "refuse"
                   ) -> Iterator[tuple[pa.RecordBatch, list[ReadFailure]]]:
    """Stream in-memory documents (RdSAP XML bytes/text, register JSON text or objects) as
    ``(batch, failures)``; the iterable is consumed lazily. Options as for
    :func:`read_certificates`."""
    return _batches(_memory_documents(documents), batch_size, errors, validate, keep_raw,
                    workers, full_sap)


def read_certificates_table(source: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                            **options: Any) -> tuple[pa.Table, list[ReadFailure]]:
    """All of :func:`read_certificates` as one table and one failures list (small inputs)."""
    batches: list[pa.RecordBatch] = []
    failures: list[ReadFailure] = []
    for batch, found in read_certificates(source, **options):
        batches.append(batch)
        failures += found
    return pa.Table.from_batches(batches, schema=CERTIFICATE_SCHEMA), failures
