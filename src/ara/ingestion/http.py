"""The fetchers' shared HTTP client: bounded concurrency, pacing, timeouts, retries with
backoff and jitter, and one error type per way a request can end.

What happens to a response or a failed request:

=====================================  ====================================================
outcome                                behaviour
=====================================  ====================================================
2xx                                    the body is returned (read in full, size-capped)
401, 403                               :class:`AuthError` at once, naming the API
404                                    :class:`NotFoundError` at once
429                                    retried after ``Retry-After`` (seconds or an HTTP
                                       date; every request of the client pauses), else
                                       after the backoff; a ``Retry-After`` beyond
                                       ``RetryPolicy.max_retry_after_s`` gives up at once
5xx                                    retried after the backoff (``Retry-After`` honoured)
timeout, connection error, truncated   retried after the backoff
body
other 4xx, 3xx                         :class:`ClientError` at once
body over the size cap, invalid JSON,  :class:`MalformedResponseError` at once
undecodable content encoding
=====================================  ====================================================

Retries stop after ``RetryPolicy.max_attempts`` attempts or once the next wait would pass
``max_elapsed_s``; the error then says how many attempts were made. The backoff before retry
``n`` is ``min(backoff_max_s, backoff_base_s * 2 ** (n - 1))``, half of it fixed and half
random (jitter), so that a batch of requests that failed together does not retry together.

Credentials travel only as ``httpx.Auth`` objects built from :class:`~ara.ingestion.secrets.
Secret` values; every message that quotes a server's reply is passed through
:func:`~ara.ingestion.secrets.redact` (some servers echo request headers), and no header is
ever logged.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Coroutine, Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType
from typing import Any, ClassVar, TypeVar

import httpx

from ara.ingestion.secrets import Secret, redact, redact_and_cut

__all__ = ["AuthError", "BasicAuth", "BearerAuth", "ClientError", "FetchError",
           "FetchTimeoutError", "HttpClient", "HttpReply", "MalformedResponseError",
           "NotFoundError", "RateLimitedError", "RetryPolicy", "ServerError", "TransportError",
           "run_sync"]

log = logging.getLogger(__name__)

T = TypeVar("T")
Params = Mapping[str, str | int | float | Sequence[str]]


# ---------------------------------------------------------------------------------------------
# Errors
# ---------------------------------------------------------------------------------------------
class FetchError(Exception):
    """A request to ``api`` that did not give a usable answer. ``kind`` names the way it
    ended (it is what a fetch result records per property); ``attempts`` counts the requests
    made."""

    kind: ClassVar[str] = "error"

    def __init__(self, api: str, message: str, *, status_code: int | None = None,
                 attempts: int = 1) -> None:
        self.api = api
        self.message = message
        self.status_code = status_code
        self.attempts = attempts
        super().__init__(f"{api}: {message}")


class AuthError(FetchError):
    """401 or 403: the API refused the credentials. Never retried; it ends the whole batch."""

    kind = "auth"


class NotFoundError(FetchError):
    kind = "not_found"


class ClientError(FetchError):
    """A 4xx other than 401, 403, 404 and 429 (or an unexpected redirect): not retried."""

    kind = "client_error"


class RateLimitedError(FetchError):
    kind = "rate_limited"


class ServerError(FetchError):
    kind = "server_error"


class FetchTimeoutError(FetchError):
    kind = "timeout"


class TransportError(FetchError):
    """The connection failed, or closed before the whole response arrived."""

    kind = "transport"


class MalformedResponseError(FetchError):
    """A response that arrived whole but cannot be used: invalid JSON, an unexpected shape,
    too large."""

    kind = "malformed"


# ---------------------------------------------------------------------------------------------
# Policy and auth
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a request is retried (see the module docstring)."""

    max_attempts: int = 4
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 120.0
    max_elapsed_s: float = 300.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")
        for name in ("backoff_base_s", "backoff_max_s", "max_retry_after_s", "max_elapsed_s"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValueError(f"{name} must be a finite number >= 0, not {value}")

    def backoff_s(self, retry: int, rng: random.Random) -> float:
        """Wait before retry number ``retry`` (1 for the first retry): equal jitter."""
        ceiling = min(self.backoff_max_s, self.backoff_base_s * 2.0 ** (retry - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


class BearerAuth(httpx.Auth):
    """``Authorization: Bearer <token>``."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return (self._token,)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response,
                                                                None]:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        yield request

    def __repr__(self) -> str:
        return f"BearerAuth({self._token!r})"


class BasicAuth(httpx.Auth):
    """``Authorization: Basic base64(user:password)``."""

    def __init__(self, user: Secret, password: Secret) -> None:
        self._user = user
        self._password = password
        encoded = base64.b64encode(f"{user.reveal()}:{password.reveal()}".encode()).decode()
        self._header = Secret(f"Basic {encoded}", f"{user.name}:{password.name}")
        self._encoded = Secret(encoded, "basic credentials")

    @property
    def secrets(self) -> tuple[Secret, ...]:
        return (self._user, self._password, self._encoded)

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response,
                                                                None]:
        request.headers["Authorization"] = self._header.reveal()
        yield request

    def __repr__(self) -> str:
        return f"BasicAuth({self._user!r}, {self._password!r})"


@dataclass(frozen=True, slots=True)
class HttpReply:
    """A successful response: status, headers and the whole body."""

    status_code: int
    headers: httpx.Headers
    body: bytes
    url: str

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


# ---------------------------------------------------------------------------------------------
# The client
# ---------------------------------------------------------------------------------------------
class HttpClient:
    """An ``httpx.AsyncClient`` with the retry policy above, used as an async context manager
    for one batch::

        async with HttpClient("EPC register API", url, auth=BearerAuth(token)) as client:
            data = await client.get_json("/api/certificate", {"certificate_number": n})

    At most ``max_in_flight`` requests are open at once; request starts are spaced by
    ``1 / requests_per_second`` (``None``: no pacing). ``transport`` replaces the network
    (tests); ``sleep`` the waiting between retries.
    """

    def __init__(self, api: str, base_url: str, *, auth: BearerAuth | BasicAuth | None = None,
                 headers: Mapping[str, str] | None = None, timeout_s: float = 30.0,
                 deadline_s: float | None = None,
                 retry: RetryPolicy | None = None, max_in_flight: int = 8,
                 requests_per_second: float | None = None, max_body_bytes: int = 64 << 20,
                 transport: httpx.AsyncBaseTransport | None = None,
                 rng: random.Random | None = None,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, not {max_in_flight}")
        if requests_per_second is not None and not requests_per_second > 0:
            raise ValueError(f"requests_per_second must be > 0, not {requests_per_second}")
        if not timeout_s > 0:
            raise ValueError(f"timeout_s must be > 0, not {timeout_s}")
        if deadline_s is not None and not deadline_s > 0:
            raise ValueError(f"deadline_s must be > 0, not {deadline_s}")
        self.api = api
        self.base_url = base_url.rstrip("/")
        self._auth = auth
        self._secrets: tuple[Secret, ...] = auth.secrets if auth is not None else ()
        self._headers = {"Accept": "application/json", "User-Agent": "ara-ingestion",
                         **(headers or {})}
        self._timeout_s = timeout_s
        # httpx's timeout bounds each wait (connect, each read); a server that drips a byte
        # at a time never trips it, so every request also has a total deadline
        self._deadline_s = deadline_s if deadline_s is not None else 4 * timeout_s
        self.retry = retry or RetryPolicy()
        self.max_in_flight = max_in_flight
        self._interval_s = 1.0 / requests_per_second if requests_per_second else 0.0
        self._max_body_bytes = max_body_bytes
        self._transport = transport
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._client: httpx.AsyncClient | None = None
        self._slots: asyncio.Semaphore | None = None
        self._pacing: asyncio.Lock | None = None
        self._next_start = 0.0
        self._paused_until = 0.0

    def __repr__(self) -> str:
        auth = type(self._auth).__name__ if self._auth is not None else "none"
        return (f"HttpClient(api={self.api!r}, base_url={self.base_url!r}, auth={auth}, "
                f"max_in_flight={self.max_in_flight})")

    async def __aenter__(self) -> HttpClient:
        self._client = httpx.AsyncClient(
            base_url=self.base_url, auth=self._auth, headers=self._headers,
            timeout=httpx.Timeout(self._timeout_s), follow_redirects=False,
            limits=httpx.Limits(max_connections=self.max_in_flight,
                                max_keepalive_connections=self.max_in_flight),
            transport=self._transport)
        self._slots = asyncio.Semaphore(self.max_in_flight)
        self._pacing = asyncio.Lock()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None,
                        exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._client is not None:
            await self._client.aclose()
        self._client = None

    # -- public ----------------------------------------------------------------------------
    async def get(self, path: str, params: Params | None = None) -> HttpReply:
        """GET ``path``; the 2xx reply, or one of the errors of the module docstring."""
        return await self._with_retries(path, dict(params or {}))

    async def get_json(self, path: str, params: Params | None = None) -> tuple[Any, HttpReply]:
        """GET ``path`` and parse its body as JSON: (value, reply)."""
        reply = await self.get(path, params)
        try:
            return json.loads(reply.body), reply
        except (ValueError, RecursionError) as exc:
            where = f" ({exc.msg} at byte {exc.pos})" if isinstance(exc,
                                                                   json.JSONDecodeError) else ""
            raise MalformedResponseError(
                self.api, f"GET {self._where(path)}: the response is not valid JSON{where}",
                status_code=reply.status_code) from None

    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    # -- the retry loop --------------------------------------------------------------------
    async def _with_retries(self, path: str, params: dict[str, Any]) -> HttpReply:
        if self._client is None or self._slots is None:
            raise RuntimeError(f"{self!r} is used outside its 'async with' block")
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._attempt(path, params, attempt)
            except _RetryableError as retryable:
                error, wait_s = retryable.error, retryable.wait_s
            elapsed = time.monotonic() - started
            if attempt >= self.retry.max_attempts or elapsed + wait_s > self.retry.max_elapsed_s:
                error.attempts = attempt
                if attempt > 1:
                    _append(error, f"gave up after {attempt} attempts")
                raise error
            log.warning("%s: %s; retry %d of %d in %.2f s", self.api, error.message, attempt,
                        self.retry.max_attempts - 1, wait_s)
            await self._sleep(wait_s)

    async def _attempt(self, path: str, params: dict[str, Any], attempt: int) -> HttpReply:
        """One request: the reply on success; raises :class:`_RetryableError` when it may be
        retried and a :class:`FetchError` when it may not."""
        assert self._client is not None and self._slots is not None
        await self._wait_for_pause()
        await self._pace()
        where = self._where(path)
        backoff = self.retry.backoff_s(attempt, self._rng)
        async with self._slots:
            log.debug("%s: GET %s (attempt %d)", self.api, where, attempt)
            try:
                async with asyncio.timeout(self._deadline_s), \
                        self._client.stream("GET", path, params=params) as response:
                    body = await self._read_capped(response, where)
            except TimeoutError:
                raise _RetryableError(FetchTimeoutError(
                    self.api, f"GET {where}: the whole response took longer than the "
                    f"{self._deadline_s:g} s deadline (each wait is bounded by "
                    f"{self._timeout_s:g} s)"), backoff) from None
            except httpx.TimeoutException as exc:
                raise _RetryableError(FetchTimeoutError(
                    self.api, f"GET {where}: no response within {self._timeout_s:g} s "
                    f"({type(exc).__name__})"), backoff) from None
            except httpx.RemoteProtocolError:
                raise _RetryableError(TransportError(
                    self.api, f"GET {where}: the connection closed before the whole response "
                    "arrived"), backoff) from None
            except httpx.TransportError as exc:
                raise _RetryableError(TransportError(
                    self.api, f"GET {where}: {type(exc).__name__}: {self.redact(str(exc))}"),
                    backoff) from None
            except httpx.DecodingError:
                raise MalformedResponseError(self.api, f"GET {where}: the response body "
                                             "cannot be decoded") from None
            except httpx.HTTPError as exc:  # anything else httpx refuses: not worth a retry
                raise TransportError(self.api, f"GET {where}: {type(exc).__name__}: "
                                     f"{self.redact(str(exc))}") from None
        status = response.status_code
        if 200 <= status < 300:
            return HttpReply(status, response.headers, body, str(response.url))
        raise self._status_error(status, response.headers, body, where, backoff)

    def _status_error(self, status: int, headers: httpx.Headers, body: bytes, where: str,
                      backoff: float) -> Exception:
        """The exception to raise for a non-2xx reply: a :class:`_RetryableError` or a final
        :class:`FetchError`."""
        detail = self._detail(body)
        if status in (401, 403):
            return AuthError(self.api, f"HTTP {status} on GET {where}: the credentials were "
                             f"refused{detail}; check the token or key", status_code=status)
        if status == 404:
            return NotFoundError(self.api, f"GET {where}: HTTP 404{detail}", status_code=status)
        retry_after = _retry_after_s(headers.get("Retry-After"))
        if status == 429 or status >= 500:
            cls: type[FetchError] = RateLimitedError if status == 429 else ServerError
            error = cls(self.api, f"GET {where}: HTTP {status}{detail}", status_code=status)
            if retry_after is None:
                return _RetryableError(error, backoff)
            if retry_after > self.retry.max_retry_after_s:
                _append(error, f"asked to wait {retry_after:g} s, more than the "
                        f"{self.retry.max_retry_after_s:g} s allowed")
                return error
            self._paused_until = max(self._paused_until, time.monotonic() + retry_after)
            return _RetryableError(error, retry_after)
        what = "an unexpected redirect" if 300 <= status < 400 else f"HTTP {status}"
        return ClientError(self.api, f"GET {where}: {what}{detail}", status_code=status)

    async def _read_capped(self, response: httpx.Response, where: str) -> bytes:
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_body_bytes:
                raise MalformedResponseError(
                    self.api, f"GET {where}: the response exceeds {self._max_body_bytes} bytes",
                    status_code=response.status_code)
            chunks.append(chunk)
        return b"".join(chunks)

    async def _wait_for_pause(self) -> None:
        while (wait := self._paused_until - time.monotonic()) > 0:
            await self._sleep(wait)

    async def _pace(self) -> None:
        if not self._interval_s or self._pacing is None:
            return
        async with self._pacing:
            now = time.monotonic()
            wait = self._next_start - now
            if wait > 0:
                await self._sleep(wait)
            self._next_start = max(now, self._next_start) + self._interval_s

    def _where(self, path: str) -> str:
        return path if path.startswith("/") else f"/{path}"

    def _detail(self, body: bytes) -> str:
        """A short, redacted excerpt of an error body (the register's ``{"error": ...}``,
        PVGIS's ``{"message": ...}``)."""
        # decode generously and redact before any cut (a token may straddle it)
        text = self.redact(body[:65536].decode("utf-8", errors="replace")).strip()
        if not text:
            return ""
        try:
            value = json.loads(text)
        except ValueError:
            value = None
        if isinstance(value, dict):
            message = value.get("error") or value.get("message") or value.get("errors")
            if message:
                text = message if isinstance(message, str) else json.dumps(message)
        text = " ".join(text.split())
        return f": {redact_and_cut(text, self._secrets, 300)}"


class _RetryableError(Exception):
    """Internal: an attempt that failed in a way worth retrying after ``wait_s``."""

    def __init__(self, error: FetchError, wait_s: float) -> None:
        super().__init__(error.message)
        self.error = error
        self.wait_s = wait_s


def _append(error: FetchError, note: str) -> None:
    error.message = f"{error.message}; {note}"
    error.args = (f"{error.api}: {error.message}",)


def _retry_after_s(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds (fractions tolerated) or an HTTP
    date; None when absent or unreadable."""
    if value is None or not value.strip():
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return max(0.0, seconds) if math.isfinite(seconds) else None


def run_sync(coroutine: Coroutine[Any, Any, T], what: str) -> T:
    """Run a fetcher's coroutine from synchronous code. Inside a running event loop this is
    refused (``what`` names the coroutine to await instead)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    coroutine.close()
    raise RuntimeError(f"called from a running event loop: await {what} instead")
