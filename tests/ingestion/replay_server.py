"""A local HTTP server that replays recorded responses and injects faults, for the fetcher
tests. It listens on 127.0.0.1 only, on a port the system picks, in a thread::

    with ReplayServer() as server:
        server.route("/api/certificate", Reply.status(500), Reply.json(doc),
                     query={"certificate_number": "0000-..."})
        fetcher = RegisterApiFetcher(token, base_url=server.url)

A route's replies are served in order; the last one repeats. A request no route matches gets
a 404 (``{"error": "no recording"}``) and is listed in ``unmatched``. Every request is
recorded (method, path, query, headers) in ``requests``. Faults: ``Reply(status=...)`` with
``Retry-After`` headers, ``delay_s`` (sleeps before answering; stopping the server wakes it),
``truncate_to`` (announces the full ``Content-Length``, sends fewer bytes, closes the
connection), and any body, malformed or not.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ara.ingestion import RetryPolicy

RECORDINGS = Path(__file__).resolve().parent / "recordings"


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    truncate_to: int | None = None
    drip_s: float = 0.0
    """Send the body one byte at a time, this many seconds apart (a server that never lets a
    read time out)."""

    @classmethod
    def json(cls, value: Any, status: int = 200, **options: Any) -> Reply:
        headers = {"Content-Type": "application/json", **options.pop("headers", {})}
        return cls(status, json.dumps(value).encode(), headers, **options)

    @classmethod
    def recording(cls, name: str, status: int = 200, **options: Any) -> Reply:
        """A file of ``recordings/`` served verbatim as JSON."""
        headers = {"Content-Type": "application/json", **options.pop("headers", {})}
        return cls(status, (RECORDINGS / name).read_bytes(), headers, **options)

    @classmethod
    def error(cls, status: int, message: str = "", **options: Any) -> Reply:
        return cls.json({"error": message or f"HTTP {status}"}, status, **options)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Route:
    path: str
    query: dict[str, str]
    replies: list[Reply]
    served: int = 0

    def matches(self, path: str, query: Mapping[str, str]) -> bool:
        return path == self.path and all(query.get(k) == v for k, v in self.query.items())

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


class ReplayServer:
    """See the module docstring."""

    def __init__(self) -> None:
        self._routes: list[_Route] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.requests: list[Recorded] = []
        self.unmatched: list[Recorded] = []
        self.in_flight = 0
        self.max_in_flight = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def route(self, path: str, *replies: Reply, query: Mapping[str, str] | None = None) -> None:
        """Serve ``replies`` in order (the last repeats) to GET ``path`` whose query holds
        every item of ``query``; the most specific route wins."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self._routes.append(_Route(path, {k: str(v) for k, v in (query or {}).items()},
                                       list(replies)))
            self._routes.sort(key=lambda r: -len(r.query))

    def hits(self, path: str, **query: str) -> int:
        """How many recorded requests went to ``path`` with these query items."""
        return sum(1 for r in self.requests if r.path == path
                   and all(r.query.get(k) == str(v) for k, v in query.items()))

    def start(self) -> ReplayServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    # -- serving ---------------------------------------------------------------------------
    def _pick(self, recorded: Recorded) -> Reply:
        with self._lock:
            self.requests.append(recorded)
            for route in self._routes:
                if route.matches(recorded.path, recorded.query):
                    return route.next_reply()
            self.unmatched.append(recorded)
        return Reply.error(404, "no recording")

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True)
                         .items()}
                recorded = Recorded("GET", parts.path, query, dict(self.headers.items()))
                reply = server._pick(recorded)
                with server._lock:
                    server.in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server.in_flight)
                try:
                    if reply.delay_s and server._stopping.wait(reply.delay_s):
                        return
                    self._send(reply)
                finally:
                    with server._lock:
                        server.in_flight -= 1

            def _send(self, reply: Reply) -> None:
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply.body)))
                if reply.truncate_to is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                body = reply.body if reply.truncate_to is None else reply.body[:reply.truncate_to]
                try:
                    if reply.drip_s:
                        for i in range(len(body)):
                            if server._stopping.wait(reply.drip_s):
                                return
                            self.wfile.write(body[i:i + 1])
                            self.wfile.flush()
                    else:
                        self.wfile.write(body)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return
                if reply.truncate_to is not None:
                    self.close_connection = True

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                pass

        return Handler


# -- helpers shared by the fetcher tests -------------------------------------------------------
#: Three attempts, backoff of 10-50 ms: fault tests stay fast.
FAST_RETRY = RetryPolicy(max_attempts=3, backoff_base_s=0.01, backoff_max_s=0.05,
                         max_retry_after_s=5.0, max_elapsed_s=10.0)


def recording(name: str) -> Any:
    """A recorded JSON response, parsed."""
    return json.loads((RECORDINGS / name).read_text(encoding="utf-8"))


def search_body(items: list[dict[str, Any]], next_page: int | None = None,
                current_page: int = 1) -> dict[str, Any]:
    """A ``GET /api/domestic/search`` body (api.yml ``CertificateSearchResult``)."""
    return {"data": items, "pagination": {
        "totalRecords": len(items), "currentPage": current_page,
        "totalPages": next_page or current_page, "nextPage": next_page,
        "prevPage": current_page - 1 or None, "pageSize": 5000}}


def search_item(number: str, *, uprn: int | None, address: str, postcode: str,
                registered: str, schema: str = "RdSAP-Schema-21.0.1") -> dict[str, Any]:
    """One search result, with the sample's other fields."""
    return {"addressLine1": address, "addressLine2": None, "addressLine3": None,
            "addressLine4": None, "uprn": uprn, "certificateNumber": number,
            "constituency": "Chelsea and Fulham", "council": "Hammersmith and Fulham",
            "currentEnergyEfficiencyBand": "E", "postTown": "Whitbury", "postcode": postcode,
            "registrationDate": registered, "schemaType": schema}
