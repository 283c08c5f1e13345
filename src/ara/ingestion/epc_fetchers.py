"""EPC fetchers: one interface over the 2025 register API, the legacy open-data API and local
files (the bulk NDJSON archive, a folder of RdSAP XML, the open-data CSV).

``fetcher.fetch(lookups) -> FetchResult``: each :class:`PropertyLookup` ends in exactly one of

* **found**: one row of ``certificates`` (``property_id`` + the columns of the readers'
  ``CERTIFICATE_SCHEMA``), the property's newest certificate by registration date;
* **not found**: a :class:`FetchFailure` of kind ``not_found`` saying what was searched;
* **failed**: a :class:`FetchFailure` naming the kind (``timeout``, ``server_error``,
  ``rate_limited``, ``transport``, ``malformed``, ``client_error``, ``unreadable``,
  ``ambiguous``, ``too_many_results``), the message and the attempts made.

A refused credential is not a per-property outcome: :class:`~ara.ingestion.http.AuthError`
ends the batch at once. How a property is found, everywhere: by certificate number when the
lookup has one (and nothing else); else by UPRN; else (or when the UPRN finds nothing) by
postcode and address, where the address must equal the certificate's address lines (compared
in upper case, punctuation ignored, either side possibly longer by whole trailing lines) and
all matches must be one dwelling (one UPRN), else the property is ``ambiguous``. Nothing is
guessed: a near miss is reported, not taken. Certificates become rows through the RdSAP
readers only (``read_register_json``, ``read_summary_csv``, ``read_certificates``); a full SAP
(SAP-Schema) certificate of the register API, a bulk archive or an XML folder becomes a
summary row (``full_sap="summary"``: metadata, lodged results, ``raw_document``) that the
Baseline rates with the full SAP readers.

The HTTP fetchers run a batch concurrently (asyncio, at most ``max_in_flight`` requests open,
starts paced); ``fetch`` is synchronous, ``fetch_async`` is the coroutine.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import os
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
import pyarrow as pa
import pyarrow.compute as pc

from ara.domain import Property, StageFailure
from ara.domain.property import normalise_postcode
from ara.ingestion.http import (
    AuthError,
    BasicAuth,
    BearerAuth,
    FetchError,
    HttpClient,
    HttpReply,
    MalformedResponseError,
    NotFoundError,
    RetryPolicy,
    run_sync,
)
from ara.ingestion.secrets import Secret, legacy_credentials, register_token
from ara.rdsap.readers import (
    CERTIFICATE_SCHEMA,
    CertificateReadError,
    ReadFailure,
    iter_summary_csv,
    read_certificates,
    read_register_json,
    read_summary_csv,
    rows_to_batch,
)

__all__ = ["FETCHED_CERTIFICATE_SCHEMA", "LEGACY_API", "LEGACY_API_URL", "REGISTER_API",
           "REGISTER_API_URL", "BulkArchiveFetcher", "EpcFetcher", "FetchFailure",
           "FetchResult", "LegacyOpenDataFetcher", "OpenDataCsvFetcher", "PropertyLookup",
           "RegisterApiFetcher", "TooManyResultsError", "XmlFolderFetcher"]

log = logging.getLogger(__name__)

REGISTER_API = "EPC register API"
REGISTER_API_URL = "https://api.get-energy-performance-data.communities.gov.uk"
LEGACY_API = "EPC open data API (legacy)"
LEGACY_API_URL = "https://epc.opendatacommunities.org/api/v1"

#: ``property_id`` followed by every column of the readers' ``CERTIFICATE_SCHEMA``.
FETCHED_CERTIFICATE_SCHEMA = pa.schema(
    [pa.field("property_id", pa.string(), nullable=False), *CERTIFICATE_SCHEMA],
    metadata=CERTIFICATE_SCHEMA.metadata)


class TooManyResultsError(FetchError):
    """A search whose results run past the fetcher's page limit: too broad to pick from."""

    kind = "too_many_results"


# ---------------------------------------------------------------------------------------------
# Requests and results
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class PropertyLookup:
    """What is known of a property to find its certificate. ``certificate_number`` is the
    RRN (the register, local files) or the LMK key (the legacy API); ``address_lines`` are
    the lines before the town; the postcode is normalised (``a00aa`` -> ``A0 0AA``)."""

    property_id: str
    uprn: int | None = None
    postcode: str | None = None
    address_lines: tuple[str, ...] = ()
    certificate_number: str | None = None

    def __post_init__(self) -> None:
        if not self.property_id:
            raise ValueError("a lookup needs a property_id")
        if self.uprn is not None and self.uprn <= 0:
            raise ValueError(f"{self.property_id}: UPRN {self.uprn} is not a UPRN")
        lines = tuple(line.strip() for line in self.address_lines if line and line.strip())
        object.__setattr__(self, "address_lines", lines)
        if self.postcode is not None:
            object.__setattr__(self, "postcode", normalise_postcode(self.postcode) or None)
        if not (self.certificate_number or self.uprn is not None
                or (self.postcode and lines)):
            raise ValueError(f"{self.property_id}: a lookup needs a certificate number, a "
                             "UPRN, or a postcode with an address")

    @classmethod
    def from_property(cls, prop: Property) -> PropertyLookup:
        return cls(prop.property_id, uprn=prop.uprn, postcode=prop.address.postcode,
                   address_lines=prop.address.lines)

    def describe(self) -> str:
        if self.certificate_number:
            return f"certificate {self.certificate_number}"
        parts = [f"UPRN {self.uprn}"] if self.uprn is not None else []
        if self.postcode and self.address_lines:
            parts.append(f"{', '.join(self.address_lines)}, {self.postcode}")
        return " / ".join(parts)


@dataclass(frozen=True, slots=True)
class FetchFailure:
    """Why one property has no certificate row: ``kind`` ``not_found`` or the way it failed."""

    property_id: str
    kind: str
    message: str
    status_code: int | None = None
    attempts: int = 0


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one batch: the certificates found (``FETCHED_CERTIFICATE_SCHEMA``, in
    request order) and one :class:`FetchFailure` per property without one. ``source_failures``
    are entries of a local source the readers refused that belong to no requested property."""

    certificates: pa.Table
    failures: tuple[FetchFailure, ...] = ()
    source_failures: tuple[ReadFailure, ...] = ()

    @property
    def found_ids(self) -> tuple[str, ...]:
        return tuple(self.certificates.column("property_id").to_pylist())

    @property
    def not_found(self) -> tuple[FetchFailure, ...]:
        return tuple(f for f in self.failures if f.kind == "not_found")

    @property
    def failed(self) -> tuple[FetchFailure, ...]:
        """The failures proper (everything but ``not_found``)."""
        return tuple(f for f in self.failures if f.kind != "not_found")

    def failure(self, property_id: str) -> FetchFailure | None:
        return next((f for f in self.failures if f.property_id == property_id), None)

    def stage_failures(self, stage: str = "ingestion") -> list[StageFailure]:
        """The failures proper as the domain's stage failures (``error_type`` ``epc_<kind>``);
        a property without a certificate is not a failure (it may be predicted)."""
        return [StageFailure(f.property_id, stage, f"epc_{f.kind}", f.message)
                for f in self.failed]

    def summary(self) -> str:
        kinds: dict[str, int] = {}
        for f in self.failed:
            kinds[f.kind] = kinds.get(f.kind, 0) + 1
        detail = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        return (f"{self.certificates.num_rows} found, {len(self.not_found)} not found, "
                f"{len(self.failed)} failed" + (f" ({detail})" if detail else ""))


@runtime_checkable
class EpcFetcher(Protocol):
    """Anything that finds the newest certificate of each property of a batch."""

    name: str

    def fetch(self, requests: Sequence[PropertyLookup]) -> FetchResult: ...


# ---------------------------------------------------------------------------------------------
# Choosing a certificate among candidates
# ---------------------------------------------------------------------------------------------
_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


@lru_cache(maxsize=1 << 16)
def _norm(text: str) -> str:
    return _NON_ALNUM.sub(" ", text.upper()).strip()


@lru_cache(maxsize=1 << 16)
def _compact_postcode(postcode: str | None) -> str:
    return "".join((postcode or "").split()).upper()


def _prefixes(lines: Sequence[str]) -> frozenset[str]:
    """The normalised joins of the first 1..n lines (``Flat 3`` / ``Flat 3 12 High St``)."""
    return _prefixes_of(tuple(lines))


@lru_cache(maxsize=1 << 16)  # a scan compares each archive address with every lookup of
def _prefixes_of(lines: tuple[str, ...]) -> frozenset[str]:  # its postcode: reuse the work
    return frozenset(_norm(" ".join(lines[:k])) for k in range(1, len(lines) + 1)) - {""}


def _parse_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _parse_uprn(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    text = str(value or "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One certificate a search or a scan turned up, with what is needed to choose."""

    certificate_number: str
    uprn: int | None
    postcode: str | None
    address_lines: tuple[str, ...]
    registered: date | None
    payload: Any = field(default=None, compare=False)

    @property
    def order(self) -> tuple[date, str]:
        return (self.registered or date.min, self.certificate_number)


class _Miss(Exception):  # noqa: N818 - an outcome, not an error
    """A lookup that ends without a certificate (``not_found`` or ``ambiguous``)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message


def _at_address(lookup: PropertyLookup, candidates: Iterable[_Candidate]) -> list[_Candidate]:
    """The candidates at the lookup's postcode whose address is the lookup's address."""
    want = _compact_postcode(lookup.postcode)
    want_full = _norm(" ".join(lookup.address_lines))
    want_prefixes = _prefixes(lookup.address_lines)
    out = []
    for c in candidates:
        if _compact_postcode(c.postcode) != want:
            continue
        have_full = _norm(" ".join(c.address_lines))
        if want_full in _prefixes(c.address_lines) or (have_full and have_full in want_prefixes):
            out.append(c)
    return out


def _newest_of_one_dwelling(candidates: Sequence[_Candidate], lookup: PropertyLookup
                            ) -> _Candidate:
    """The newest candidate, once sure they are all one dwelling (at most one UPRN; without
    UPRNs, one address)."""
    uprns = {c.uprn for c in candidates if c.uprn is not None}
    addresses = {_norm(" ".join(c.address_lines)) for c in candidates}
    if len(uprns) > 1 or (not uprns and len(addresses) > 1):
        count = len(uprns) if uprns else len(addresses)
        what = "UPRNs" if uprns else "addresses"
        raise _Miss("ambiguous", f"{lookup.describe()} matches certificates of {count} "
                    f"different {what}; give the UPRN or the certificate number")
    return max(candidates, key=lambda c: c.order)


class _Outcomes:
    """Collects one outcome per property and assembles the :class:`FetchResult`."""

    def __init__(self, lookups: Sequence[PropertyLookup]) -> None:
        self.order: dict[str, int] = {}
        for i, lk in enumerate(lookups):
            if lk.property_id in self.order:
                raise ValueError(f"property {lk.property_id} is requested twice in one batch")
            self.order[lk.property_id] = i
        self.rows: list[tuple[str, dict[str, Any]]] = []
        self.tables: list[tuple[str, pa.Table]] = []
        self.refs: list[tuple[str, pa.RecordBatch, int]] = []
        self.failures: dict[str, FetchFailure] = {}

    def found_row(self, property_id: str, row: dict[str, Any]) -> None:
        self.rows.append((property_id, row))

    def found_in_batch(self, property_id: str, batch: pa.RecordBatch, index: int) -> None:
        """Row ``index`` of a reader batch: taken with the others of its batch at the end
        (one take a batch, not a one-row table a property)."""
        self.refs.append((property_id, batch, index))

    def found_table(self, property_id: str, table: pa.Table) -> None:
        self.tables.append((property_id, table))

    def fail(self, property_id: str, kind: str, message: str, *,
             status_code: int | None = None, attempts: int = 0) -> None:
        self.failures[property_id] = FetchFailure(property_id, kind, message, status_code,
                                                  attempts)

    def result(self, source_failures: Sequence[ReadFailure] = ()) -> FetchResult:
        parts = [pa.Table.from_batches([rows_to_batch([r for _, r in self.rows])])]
        # rows sliced from reader batches already have the schema: cast only the others
        parts += [t if t.schema.equals(CERTIFICATE_SCHEMA) else t.cast(CERTIFICATE_SCHEMA)
                  for _, t in self.tables]
        ids = [pid for pid, _ in self.rows] + [pid for pid, _ in self.tables]
        grouped: dict[int, tuple[pa.RecordBatch, list[tuple[str, int]]]] = {}
        for pid, batch, index in self.refs:
            grouped.setdefault(id(batch), (batch, []))[1].append((pid, index))
        for batch, items in grouped.values():
            taken = pa.Table.from_batches([batch.take(pa.array([i for _, i in items],
                                                               pa.int64()))])
            parts.append(taken if taken.schema.equals(CERTIFICATE_SCHEMA)
                         else taken.cast(CERTIFICATE_SCHEMA))
            ids += [pid for pid, _ in items]
        table = pa.concat_tables(parts)
        table = table.add_column(0, FETCHED_CERTIFICATE_SCHEMA.field("property_id"),
                                 pa.array(ids, pa.string()))
        order = sorted(range(len(ids)), key=lambda i: self.order[ids[i]])
        table = table.take(pa.array(order, pa.int64())).cast(FETCHED_CERTIFICATE_SCHEMA)
        failures = tuple(sorted(self.failures.values(), key=lambda f: self.order[f.property_id]))
        missing = set(self.order) - set(ids) - set(self.failures)
        if missing:  # every property must end somewhere; this is a bug if it happens
            raise AssertionError(f"no outcome for {sorted(missing)}")
        return FetchResult(table, failures, tuple(source_failures))


def _with_source(table: pa.Table, source: str) -> pa.Table:
    index = table.schema.get_field_index("source")
    return table.set_column(index, table.schema.field(index),
                            pa.array([source] * table.num_rows, pa.string()))


def _log_result(name: str, result: FetchResult) -> FetchResult:
    log.info("%s: %s", name, result.summary())
    return result


# ---------------------------------------------------------------------------------------------
# The 2025 register API
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _HttpSettings:
    timeout_s: float
    retry: RetryPolicy
    max_in_flight: int
    requests_per_second: float | None
    transport: httpx.AsyncBaseTransport | None


class _HttpFetcher(ABC):
    """What the two API fetchers share: the client settings and the batch driver."""

    name: str

    def __init__(self, base_url: str, auth: BearerAuth | BasicAuth, settings: _HttpSettings,
                 *, page_size: int, max_pages: int, validate: bool, keep_raw: bool) -> None:
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self._settings = settings
        self.page_size = page_size
        self.max_pages = max_pages
        self.validate = validate
        self.keep_raw = keep_raw

    def __repr__(self) -> str:
        return (f"{type(self).__name__}(base_url={self.base_url!r}, "
                f"auth={self._auth!r}, max_in_flight={self._settings.max_in_flight})")

    def client(self) -> HttpClient:
        s = self._settings
        return HttpClient(self.name, self.base_url, auth=self._auth, timeout_s=s.timeout_s,
                          retry=s.retry, max_in_flight=s.max_in_flight,
                          requests_per_second=s.requests_per_second, transport=s.transport)

    def fetch(self, requests: Sequence[PropertyLookup]) -> FetchResult:
        """Fetch a batch (see the module docstring); raises :class:`AuthError` when the API
        refuses the credentials."""
        return run_sync(self.fetch_async(requests), f"{type(self).__name__}.fetch_async()")

    async def fetch_async(self, requests: Sequence[PropertyLookup]) -> FetchResult:
        outcomes = _Outcomes(requests)
        async with self.client() as client:
            tasks = [asyncio.create_task(self._one(client, lk, outcomes)) for lk in requests]
            try:
                await asyncio.gather(*tasks)
            except BaseException:
                for task in tasks:
                    task.cancel()
                await asyncio.gather(*tasks, return_exceptions=True)
                raise
        return _log_result(self.name, outcomes.result())

    async def _one(self, client: HttpClient, lookup: PropertyLookup,
                   outcomes: _Outcomes) -> None:
        pid = lookup.property_id
        try:
            await self._fetch_one(client, lookup, outcomes)
        except AuthError:
            raise
        except _Miss as miss:
            outcomes.fail(pid, miss.kind, miss.message)
        except FetchError as exc:
            outcomes.fail(pid, exc.kind, str(exc), status_code=exc.status_code,
                          attempts=exc.attempts)
        except CertificateReadError as exc:
            outcomes.fail(pid, "unreadable", f"{self.name}: {exc}")

    @abstractmethod
    async def _fetch_one(self, client: HttpClient, lookup: PropertyLookup,
                         outcomes: _Outcomes) -> None:
        """Find the lookup's certificate and record it in ``outcomes``; raise
        :class:`_Miss`, :class:`FetchError` or :class:`CertificateReadError` otherwise."""

    async def _find(self, lookup: PropertyLookup,
                    search: Callable[[dict[str, Any]], Any]) -> _Candidate:
        """UPRN first, then postcode and address (the module docstring's rules)."""
        searched: list[str] = []
        if lookup.uprn is not None:
            found = [c for c in await search({"uprn": lookup.uprn})
                     if c.uprn in (None, lookup.uprn)]
            if found:
                return _newest_of_one_dwelling(found, lookup)
            searched.append(f"UPRN {lookup.uprn}: no certificate")
        if lookup.postcode and lookup.address_lines:
            in_postcode = await search({"postcode": lookup.postcode})
            found = _at_address(lookup, in_postcode)
            if found:
                return _newest_of_one_dwelling(found, lookup)
            searched.append(f"postcode {lookup.postcode}: {len(in_postcode)} certificate(s), "
                            f"none at {', '.join(lookup.address_lines)!r}")
        raise _Miss("not_found", f"{self.name}: " + "; ".join(searched))


class RegisterApiFetcher(_HttpFetcher):
    """The 2025 register API (``/api/domestic/search``, ``/api/certificate``), bearer token
    from ``token`` or else :func:`~ara.ingestion.secrets.register_token` (environment
    ``ARA_EPC_API_TOKEN`` or the credentials file).

    The service allows 6,000 requests per 5 minutes per IP: the default pacing (15 request
    starts a second) stays under it.
    """

    name = REGISTER_API

    def __init__(self, token: Secret | None = None, *, base_url: str = REGISTER_API_URL,
                 max_in_flight: int = 8, requests_per_second: float | None = 15.0,
                 timeout_s: float = 30.0, retry: RetryPolicy | None = None,
                 page_size: int = 5000, max_pages: int = 20, validate: bool = True,
                 keep_raw: bool = True, transport: httpx.AsyncBaseTransport | None = None
                 ) -> None:
        if not 1 <= page_size <= 5000:
            raise ValueError(f"page_size must be 1-5000 (the API's range), not {page_size}")
        token = token if token is not None else register_token()
        super().__init__(base_url, BearerAuth(token), _HttpSettings(
            timeout_s, retry or RetryPolicy(), max_in_flight, requests_per_second, transport),
            page_size=page_size, max_pages=max_pages, validate=validate, keep_raw=keep_raw)

    async def _fetch_one(self, client: HttpClient, lookup: PropertyLookup,
                         outcomes: _Outcomes) -> None:
        number = lookup.certificate_number
        if number is None:
            async def search(params: dict[str, Any]) -> list[_Candidate]:
                return await self._search(client, params)
            number = (await self._find(lookup, search)).certificate_number
        try:
            body, reply = await client.get_json("/api/certificate",
                                                {"certificate_number": number})
        except NotFoundError:
            raise _Miss("not_found", f"{self.name}: certificate {number} is not on the "
                        "register") from None
        if not isinstance(body, dict) or not isinstance(body.get("data"), dict):
            raise MalformedResponseError(self.name, f"certificate {number}: the response has "
                                         "no 'data' object", status_code=reply.status_code)
        row = read_register_json(reply.text(), certificate_number=number,
                                 validate=self.validate, keep_raw=self.keep_raw,
                                 full_sap="summary")
        row["source"] = f"{self.base_url}/api/certificate?certificate_number={number}"
        outcomes.found_row(lookup.property_id, row)

    async def _search(self, client: HttpClient, params: dict[str, Any]) -> list[_Candidate]:
        found: list[_Candidate] = []
        page = 1
        for _ in range(self.max_pages):
            query = {**params, "page_size": self.page_size, "current_page": page}
            try:
                body, _reply = await client.get_json("/api/domestic/search", query)
            except NotFoundError:  # "No certificates could be found for that query"
                return found
            rows, next_page = self._search_page(body, params)
            found += rows
            if next_page is None:
                return found
            if next_page <= page:
                raise MalformedResponseError(self.name, f"search {params}: nextPage "
                                             f"{next_page} after page {page}")
            page = next_page
        raise TooManyResultsError(self.name, f"search {params} has more than "
                                  f"{self.max_pages} pages of {self.page_size} results")

    def _search_page(self, body: Any, params: Mapping[str, Any]
                     ) -> tuple[list[_Candidate], int | None]:
        data = body.get("data") if isinstance(body, dict) else None
        pagination = body.get("pagination") if isinstance(body, dict) else None
        if not isinstance(data, list) or not isinstance(pagination, dict):
            raise MalformedResponseError(self.name, f"search {dict(params)}: the response "
                                         "lacks 'data' or 'pagination'")
        rows = []
        for item in data:
            number = item.get("certificateNumber") if isinstance(item, dict) else None
            if not isinstance(number, str) or not number:
                raise MalformedResponseError(self.name, f"search {dict(params)}: a result "
                                             "without a certificateNumber")
            rows.append(_Candidate(
                number, _parse_uprn(item.get("uprn")), item.get("postcode"),
                tuple(str(item[k]) for k in ("addressLine1", "addressLine2", "addressLine3",
                                             "addressLine4") if item.get(k)),
                _parse_date(item.get("registrationDate")), item))
        next_page = pagination.get("nextPage")
        if next_page is None:
            return rows, None
        if isinstance(next_page, bool) or not isinstance(next_page, int):
            raise MalformedResponseError(self.name, f"search {dict(params)}: nextPage "
                                         f"{next_page!r} is not a page number")
        return rows, next_page


# ---------------------------------------------------------------------------------------------
# The legacy open-data API
# ---------------------------------------------------------------------------------------------
class LegacyOpenDataFetcher(_HttpFetcher):
    """The legacy open-data API (``/domestic/search``, ``/domestic/certificate/{lmk-key}``),
    Basic auth from ``email`` and ``key`` or else
    :func:`~ara.ingestion.secrets.legacy_credentials`. Paging follows ``search-after``: the
    value of the ``X-Next-Search-After`` header is sent with the next page until the header is
    absent. Rows are summary rows (no RdSAP detail), read by ``read_summary_csv``."""

    name = LEGACY_API

    def __init__(self, email: Secret | None = None, key: Secret | None = None, *,
                 base_url: str = LEGACY_API_URL, max_in_flight: int = 4,
                 requests_per_second: float | None = 10.0, timeout_s: float = 30.0,
                 retry: RetryPolicy | None = None, page_size: int = 5000, max_pages: int = 20,
                 validate: bool = True, keep_raw: bool = True,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not 1 <= page_size <= 5000:
            raise ValueError(f"page_size must be 1-5000 (the API's range), not {page_size}")
        if email is None or key is None:
            email, key = legacy_credentials()
        super().__init__(base_url, BasicAuth(email, key), _HttpSettings(
            timeout_s, retry or RetryPolicy(), max_in_flight, requests_per_second, transport),
            page_size=page_size, max_pages=max_pages, validate=validate, keep_raw=keep_raw)

    async def _fetch_one(self, client: HttpClient, lookup: PropertyLookup,
                         outcomes: _Outcomes) -> None:
        if lookup.certificate_number is not None:
            path = f"/domestic/certificate/{lookup.certificate_number}"
            try:
                rows = self._rows(await client.get(path), path)
            except NotFoundError:
                rows = []
            if not rows:
                raise _Miss("not_found", f"{self.name}: certificate "
                            f"{lookup.certificate_number} is not in the open data")
            chosen = rows[0]
            source = f"{self.base_url}{path}"
        else:
            async def search(params: dict[str, Any]) -> list[_Candidate]:
                return await self._search(client, params)
            chosen = (await self._find(lookup, search)).payload
            source = f"{self.base_url}/domestic/search"
        outcomes.found_table(lookup.property_id, _with_source(self._read(chosen), source))

    def _read(self, row: tuple[list[str], dict[str, Any]]) -> pa.Table:
        """One open-data row through the summary CSV reader."""
        columns, values = row
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(columns)
        writer.writerow(["" if values.get(c) is None else str(values.get(c)) for c in columns])
        table, failures = read_summary_csv(io.StringIO(text.getvalue()),
                                           validate=self.validate, keep_raw=self.keep_raw)
        if failures:
            first = failures[0]
            raise CertificateReadError(first.certificate_number, first.field, first.message,
                                       failures=list(failures))
        return table

    def _rows(self, reply: HttpReply, where: str) -> list[tuple[list[str], dict[str, Any]]]:
        """The rows of a JSON page (``{"column-names": [...], "rows": [...]}``); an empty
        body is no rows."""
        if not reply.body.strip():
            return []
        try:
            body = json.loads(reply.body)
        except ValueError:
            raise MalformedResponseError(self.name, f"GET {where}: the response is not valid "
                                         "JSON", status_code=reply.status_code) from None
        rows = body.get("rows") if isinstance(body, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise MalformedResponseError(self.name, f"GET {where}: the response has no "
                                         "'rows' list", status_code=reply.status_code)
        columns = body.get("column-names")
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            columns = list(dict.fromkeys(k for r in rows for k in r))
        return [(columns, r) for r in rows]

    async def _search(self, client: HttpClient, params: dict[str, Any]) -> list[_Candidate]:
        found: list[_Candidate] = []
        after: str | None = None
        for _ in range(self.max_pages):
            query = {**params, "size": self.page_size}
            if after is not None:
                query["search-after"] = after
            try:
                reply = await client.get("/domestic/search", query)
            except NotFoundError:
                return found
            rows = self._rows(reply, "/domestic/search")
            for columns, r in rows:
                number = r.get("lmk-key")
                if not number:
                    raise MalformedResponseError(self.name, f"search {params}: a row without "
                                                 "an lmk-key")
                found.append(_Candidate(
                    str(number), _parse_uprn(r.get("uprn")), r.get("postcode"),
                    tuple(str(r[k]) for k in ("address1", "address2", "address3") if r.get(k)),
                    _parse_date(r.get("lodgement-datetime") or r.get("lodgement-date")),
                    (columns, r)))
            after = reply.headers.get("X-Next-Search-After")
            if not after or not rows:
                return found
        raise TooManyResultsError(self.name, f"search {params} has more than "
                                  f"{self.max_pages} pages of {self.page_size} results")


# ---------------------------------------------------------------------------------------------
# Local sources
# ---------------------------------------------------------------------------------------------
Batches = Iterator[tuple[pa.RecordBatch, list[ReadFailure]]]
_MATCH_COLUMNS = ["certificate_number", "uprn", "postcode", "address_line_1", "address_line_2",
                  "address_line_3", "address_line_4", "registration_date"]


class _LocalIndex:
    """The lookups of a batch, matched against a stream of certificate batches: an Arrow
    filter picks the rows that share a certificate number, UPRN or postcode with some lookup;
    only those rows are looked at one by one."""

    def __init__(self, lookups: Sequence[PropertyLookup]) -> None:
        self.lookups = list(lookups)
        self.by_number: dict[str, list[PropertyLookup]] = {}
        self.by_uprn: dict[int, list[PropertyLookup]] = {}
        self.by_postcode: dict[str, list[PropertyLookup]] = {}
        for lk in lookups:
            if lk.certificate_number:
                self.by_number.setdefault(lk.certificate_number, []).append(lk)
                continue
            if lk.uprn is not None:
                self.by_uprn.setdefault(lk.uprn, []).append(lk)
            if lk.postcode and lk.address_lines:
                self.by_postcode.setdefault(_compact_postcode(lk.postcode), []).append(lk)
        # each lookup's normalised address and its line prefixes, once (_at_address's test,
        # which a scan would otherwise redo for every certificate at the lookup's postcode)
        self.address: dict[str, tuple[str, frozenset[str]]] = {
            lk.property_id: (_norm(" ".join(lk.address_lines)), _prefixes(lk.address_lines))
            for lks in self.by_postcode.values() for lk in lks}
        # (property, tier) -> candidates kept; tier 0 number, 1 UPRN, 2 postcode + address
        self.kept: dict[tuple[str, int], list[_Candidate]] = {}

    def scan(self, batch: pa.RecordBatch) -> None:
        if batch.num_rows == 0:
            return
        numbers = batch.column("certificate_number")
        mask = pc.is_in(numbers, value_set=pa.array(list(self.by_number), pa.string()))
        mask = pc.or_(mask, pc.is_in(batch.column("uprn"),
                                     value_set=pa.array(list(self.by_uprn), pa.int64())))
        compact = pc.utf8_upper(pc.replace_substring_regex(batch.column("postcode"), r"\s+", ""))
        mask = pc.or_(mask, pc.is_in(compact,
                                     value_set=pa.array(list(self.by_postcode), pa.string())))
        hits = pc.indices_nonzero(pc.fill_null(mask, False))
        if len(hits) == 0:
            return
        picked = batch.take(hits)
        for i, r in enumerate(picked.select(_MATCH_COLUMNS).to_pylist()):
            if not r["certificate_number"]:
                continue
            candidate = _Candidate(
                r["certificate_number"], _parse_uprn(r["uprn"]), r["postcode"],
                tuple(r[f"address_line_{k}"] for k in range(1, 5) if r[f"address_line_{k}"]),
                r["registration_date"], (picked, i))
            self._consider(candidate)

    def _consider(self, c: _Candidate) -> None:
        for lk in self.by_number.get(c.certificate_number, ()):
            self._keep(lk.property_id, 0, c, newest_only=True)
        if c.uprn is not None:
            for lk in self.by_uprn.get(c.uprn, ()):
                self._keep(lk.property_id, 1, c, newest_only=True)
        at_postcode = self.by_postcode.get(_compact_postcode(c.postcode), ())
        if at_postcode:
            # _at_address(lk, [c]) for each lookup, the candidate's side computed once
            have_full = _norm(" ".join(c.address_lines))
            have_prefixes = _prefixes(c.address_lines)
            for lk in at_postcode:
                want_full, want_prefixes = self.address[lk.property_id]
                if want_full in have_prefixes or (have_full and have_full in want_prefixes):
                    self._keep(lk.property_id, 2, c, newest_only=False)

    def _keep(self, property_id: str, tier: int, c: _Candidate, *, newest_only: bool) -> None:
        kept = self.kept.setdefault((property_id, tier), [])
        if not newest_only:
            kept.append(c)  # all kept: one dwelling or not is decided at the end
        elif not kept or c.order > kept[0].order:
            kept[:] = [c]

    def result(self, name: str, source_failures: Sequence[ReadFailure]) -> FetchResult:
        outcomes = _Outcomes(self.lookups)
        unreadable: dict[str, list[ReadFailure]] = {}
        for f in source_failures:
            if f.certificate_number:
                unreadable.setdefault(f.certificate_number, []).append(f)
        used: set[str] = set()
        for lk in self.lookups:
            pid = lk.property_id
            try:
                chosen = self._choose(lk)
            except _Miss as miss:
                refused = unreadable.get(lk.certificate_number or "")
                if refused:
                    used.add(lk.certificate_number or "")
                    problems = "; ".join(f"{f.field}: {f.message}" for f in refused)
                    outcomes.fail(pid, "unreadable", f"{name}: certificate "
                                  f"{lk.certificate_number} ({refused[0].source}): {problems}")
                else:
                    outcomes.fail(pid, miss.kind, f"{name}: {miss.message}")
                continue
            batch, index = chosen.payload
            outcomes.found_in_batch(pid, batch, index)
        rest = [f for f in source_failures if (f.certificate_number or "") not in used]
        return outcomes.result(rest)

    def _choose(self, lk: PropertyLookup) -> _Candidate:
        for tier in (0, 1):
            if kept := self.kept.get((lk.property_id, tier)):
                return kept[0]
        if kept := self.kept.get((lk.property_id, 2)):
            return _newest_of_one_dwelling(kept, lk)
        raise _Miss("not_found", f"no certificate for {lk.describe()}")


class _LocalFetcher(ABC):
    """A local source read with the RdSAP readers; every ``fetch`` streams it once, except
    that a source of at most ``cache_rows`` certificates is kept in memory after its first
    full read (until the file changes), so a portfolio fetched in many batches parses it once.

    A subclass may also take a file on object storage (``uri``, e.g. ``s3://bucket/x.gz``;
    :mod:`ara.datasets`), read as a stream like the local file; ``path`` is then unused."""

    name: str
    cache_rows = 250_000

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from ara.datasets import is_uri

        text = os.fspath(path)
        self.uri: str | None = text if is_uri(text) else None
        self.path = Path(path)
        self._cache: list[tuple[pa.RecordBatch, list[ReadFailure]]] | None = None
        self._cache_key: tuple[int, int] | None = None

    @property
    def where(self) -> str:
        """The source as the user named it."""
        return self.uri if self.uri is not None else str(self.path)

    def _source_key(self) -> tuple[int, int] | None:
        """What identifies the file's content for the cache (None: do not cache)."""
        if self.uri is not None:
            from ara.datasets import file_key

            return file_key(self.uri)
        if not self.path.is_file():
            return None
        stat = self.path.stat()
        return (stat.st_mtime_ns, stat.st_size)

    def _read(self) -> Batches:
        key = self._source_key()
        if key is not None and self._cache is not None and key == self._cache_key:
            yield from self._cache
            return
        kept: list[tuple[pa.RecordBatch, list[ReadFailure]]] | None = [] \
            if key is not None else None
        rows = 0
        for batch, failures in self._batches():
            if kept is not None:
                rows += batch.num_rows
                kept = kept + [(batch, failures)] if rows <= self.cache_rows else None
            yield batch, failures
        if kept is not None:
            self._cache, self._cache_key = kept, key

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.where!r})"

    @abstractmethod
    def _batches(self) -> Batches:
        """The source as ``(batch, failures)`` pairs of the readers."""

    def fetch(self, requests: Sequence[PropertyLookup]) -> FetchResult:
        index = _LocalIndex(requests)
        _Outcomes(requests)  # refuses a property requested twice before the source is read
        source_failures: list[ReadFailure] = []
        if requests:
            for batch, failures in self._read():
                source_failures += failures
                index.scan(batch)
        name = f"{self.name} {self.where}"
        return _log_result(name, index.result(name, source_failures))


class BulkArchiveFetcher(_LocalFetcher):
    """The register's bulk archive: NDJSON (plain, ``.gz`` or inside a ``.zip``), one
    certificate per line, streamed by ``read_certificates`` (memory bounded by one batch).
    ``path`` may be a URI (``s3://bucket/certificates.ndjson.gz``): the archive is streamed
    from the store and read as the local file is (a ``.zip`` is copied to a local temporary
    file first; :func:`ara.datasets.read_certificate_source`)."""

    name = "bulk archive"

    def __init__(self, path: str | os.PathLike[str], *, batch_size: int = 10_000,
                 validate: bool = True, keep_raw: bool = True, workers: int = 1) -> None:
        super().__init__(path)
        # full SAP certificates: their summary, rated from raw_document by the Baseline
        self._options: dict[str, Any] = {"batch_size": batch_size, "validate": validate,
                                         "keep_raw": keep_raw, "workers": workers,
                                         "full_sap": "summary"}

    def _batches(self) -> Batches:
        if self.uri is not None:
            from ara.datasets import DatasetError, StoreUnavailableError, read_certificate_source

            try:
                return read_certificate_source(self.uri, **self._options)
            except StoreUnavailableError as exc:
                raise ConnectionError(f"{self.name}: {exc}") from exc
            except DatasetError as exc:
                raise FileNotFoundError(f"{self.name}: {exc}") from exc
        if not self.path.exists():
            raise FileNotFoundError(f"{self.name}: no such file {self.path}")
        return read_certificates(self.path, **self._options)


class XmlFolderFetcher(BulkArchiveFetcher):
    """A folder of RdSAP XML certificates (walked recursively; register JSON files and
    archives found there are read too)."""

    name = "XML folder"

    def _batches(self) -> Batches:
        if self.uri is not None:
            raise NotADirectoryError(f"{self.name}: {self.uri}: a folder on object storage "
                                     "is not read (give a local folder)")
        if not self.path.is_dir():
            raise NotADirectoryError(f"{self.name}: {self.path} is not a folder")
        return read_certificates(self.path, **self._options)


class OpenDataCsvFetcher(_LocalFetcher):
    """An open-data certificates CSV (legacy ``LMK_KEY`` or 2025 ``CERTIFICATE_NUMBER``
    layout): summary rows, no RdSAP detail."""

    name = "open-data CSV"

    def __init__(self, path: str | os.PathLike[str], *, batch_size: int = 10_000,
                 validate: bool = True, keep_raw: bool = True) -> None:
        super().__init__(path)
        self._options: dict[str, Any] = {"batch_size": batch_size, "validate": validate,
                                         "keep_raw": keep_raw}

    def _batches(self) -> Batches:
        if self.uri is not None:
            raise FileNotFoundError(f"{self.name}: {self.uri}: a CSV on object storage is not "
                                    "read (give a local file)")
        if not self.path.is_file():
            raise FileNotFoundError(f"{self.name}: no such file {self.path}")
        return iter_summary_csv(self.path, **self._options)
