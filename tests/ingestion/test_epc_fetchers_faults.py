"""Faults injected by the replay server, each ending in the documented behaviour: retried and
recovered, given up after N attempts with the reason, AuthError at once, timeouts; and the
batch result names exactly the properties that failed and why."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from ingestion.replay_server import (
    FAST_RETRY,
    ReplayServer,
    Reply,
    recording,
    search_body,
    search_item,
)

from ara.ingestion import AuthError, PropertyLookup, RegisterApiFetcher, RetryPolicy, Secret
from ara.ingestion.http import _retry_after_s

TOKEN = Secret("register-token-9b2e77d0", "test token")
NUMBER = "0000-0000-0000-0000-2101"
CERTIFICATE = "register/certificate_RdSAP-Schema-21.0.1.json"


@pytest.fixture()
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


def fetcher(server: ReplayServer, **options: object) -> RegisterApiFetcher:
    settings: dict[str, object] = {"base_url": server.url, "retry": FAST_RETRY,
                                   "requests_per_second": None, "timeout_s": 2.0}
    return RegisterApiFetcher(TOKEN, **(settings | options))  # type: ignore[arg-type]


def by_number(number: str = NUMBER, property_id: str = "p1") -> PropertyLookup:
    return PropertyLookup(property_id, certificate_number=number)


def certificate_route(server: ReplayServer, *replies: Reply, number: str = NUMBER) -> None:
    server.route("/api/certificate", *replies, query={"certificate_number": number})


def test_429_with_retry_after_waits_that_long_then_succeeds(server: ReplayServer) -> None:
    certificate_route(server, Reply.error(429, "Too many requests",
                                          headers={"Retry-After": "1"}),
                      Reply.recording(CERTIFICATE))
    started = time.monotonic()

    result = fetcher(server).fetch([by_number()])

    assert result.found_ids == ("p1",)
    assert time.monotonic() - started >= 0.95
    assert server.hits("/api/certificate") == 2


def test_429_asking_for_longer_than_allowed_gives_up_at_once(server: ReplayServer) -> None:
    certificate_route(server, Reply.error(429, headers={"Retry-After": "3600"}))

    result = fetcher(server).fetch([by_number()])

    failure = result.failures[0]
    assert (failure.kind, failure.status_code, failure.attempts) == ("rate_limited", 429, 1)
    assert "asked to wait 3600 s, more than the 5 s allowed" in failure.message
    assert server.hits("/api/certificate") == 1


def test_429_without_retry_after_is_retried_with_backoff_then_reported(
        server: ReplayServer) -> None:
    certificate_route(server, Reply.error(429))

    result = fetcher(server).fetch([by_number()])

    failure = result.failures[0]
    assert (failure.kind, failure.attempts) == ("rate_limited", 3)
    assert server.hits("/api/certificate") == 3


def test_500_then_success_is_retried_and_succeeds(server: ReplayServer) -> None:
    certificate_route(server, Reply.json({"errors": [{"code": "Unexpected error"}]}, 500),
                      Reply.recording(CERTIFICATE))

    result = fetcher(server).fetch([by_number()])

    assert result.found_ids == ("p1",) and result.failures == ()
    assert server.hits("/api/certificate") == 2


def test_persistent_500_gives_up_after_max_attempts_with_a_clear_message(
        server: ReplayServer) -> None:
    certificate_route(server, Reply.json({"errors": [{"code": "Unexpected error"}]}, 503))

    result = fetcher(server).fetch([by_number()])

    failure = result.failures[0]
    assert (failure.property_id, failure.kind, failure.status_code, failure.attempts) == (
        "p1", "server_error", 503, 3)
    assert failure.message == (
        "EPC register API: GET /api/certificate: HTTP 503: "
        '[{"code": "Unexpected error"}]; gave up after 3 attempts')
    assert server.hits("/api/certificate") == 3


def test_slow_response_past_the_timeout_is_a_timeout_failure(server: ReplayServer) -> None:
    certificate_route(server, Reply.recording(CERTIFICATE, delay_s=2.0))

    result = fetcher(server, timeout_s=0.15).fetch([by_number()])

    failure = result.failures[0]
    assert (failure.kind, failure.attempts) == ("timeout", 3)
    assert "no response within 0.15 s" in failure.message


def test_slow_response_then_a_quick_one_succeeds(server: ReplayServer) -> None:
    certificate_route(server, Reply.recording(CERTIFICATE, delay_s=2.0),
                      Reply.recording(CERTIFICATE))

    result = fetcher(server, timeout_s=0.15).fetch([by_number()])

    assert result.found_ids == ("p1",)


def test_truncated_body_is_retried_and_then_succeeds(server: ReplayServer) -> None:
    certificate_route(server, Reply.recording(CERTIFICATE, truncate_to=100),
                      Reply.recording(CERTIFICATE))

    result = fetcher(server).fetch([by_number()])

    assert result.found_ids == ("p1",)
    assert server.hits("/api/certificate") == 2


def test_always_truncated_body_is_a_transport_failure(server: ReplayServer) -> None:
    certificate_route(server, Reply.recording(CERTIFICATE, truncate_to=100))

    result = fetcher(server).fetch([by_number()])

    failure = result.failures[0]
    assert (failure.kind, failure.attempts) == ("transport", 3)
    assert "the connection closed before the whole response arrived" in failure.message


def test_malformed_json_is_reported_at_once_without_retry(server: ReplayServer) -> None:
    certificate_route(server, Reply(200, b'{"data": {"uprn": 12457,',
                                    {"Content-Type": "application/json"}))

    result = fetcher(server).fetch([by_number()])

    failure = result.failures[0]
    assert (failure.kind, failure.attempts) == ("malformed", 1)
    assert "the response is not valid JSON" in failure.message
    assert server.hits("/api/certificate") == 1


def test_json_without_the_data_envelope_is_malformed(server: ReplayServer) -> None:
    certificate_route(server, Reply.json({"certificate": recording(CERTIFICATE)["data"]}))

    result = fetcher(server).fetch([by_number()])

    assert [(f.kind, f.property_id) for f in result.failures] == [("malformed", "p1")]
    assert "no 'data' object" in result.failures[0].message


def test_other_4xx_is_not_retried(server: ReplayServer) -> None:
    server.route("/api/domestic/search", Reply.error(
        400, "The search query was invalid - the uprn should be an integer greater than 0"))

    result = fetcher(server).fetch([PropertyLookup("p1", uprn=5)])

    failure = result.failures[0]
    assert (failure.kind, failure.status_code, failure.attempts) == ("client_error", 400, 1)
    assert "the uprn should be an integer greater than 0" in failure.message
    assert server.hits("/api/domestic/search") == 1


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_raise_auth_error_at_once_naming_the_api(
        server: ReplayServer, status: int) -> None:
    certificate_route(server, Reply.error(status, "Unauthorised"))

    with pytest.raises(AuthError) as caught:
        fetcher(server).fetch([by_number()])

    assert str(caught.value).startswith(f"EPC register API: HTTP {status} on GET "
                                        "/api/certificate: the credentials were refused")
    assert caught.value.status_code == status
    assert server.hits("/api/certificate") == 1


def test_auth_error_stops_the_rest_of_the_batch(server: ReplayServer) -> None:
    server.route("/api/certificate", Reply.error(401))
    lookups = [by_number(f"0000-0000-0000-0000-{i:04d}", f"p{i}") for i in range(40)]

    with pytest.raises(AuthError):
        fetcher(server, max_in_flight=2).fetch(lookups)

    assert server.hits("/api/certificate") <= 4


def test_batch_with_mixed_faults_names_exactly_which_properties_failed_and_why(
        server: ReplayServer) -> None:
    certificate_route(server, Reply.recording(CERTIFICATE), number="0000-0000-0000-0000-0001")
    certificate_route(server, Reply.error(500), Reply.recording(CERTIFICATE),
                      number="0000-0000-0000-0000-0002")
    certificate_route(server, Reply.error(500), number="0000-0000-0000-0000-0003")
    certificate_route(server, Reply(200, b"<html>gateway</html>"),
                      number="0000-0000-0000-0000-0004")
    certificate_route(server, Reply.error(404, "Certificate not found"),
                      number="0000-0000-0000-0000-0005")
    certificate_route(server, Reply.recording(CERTIFICATE, delay_s=2.0),
                      number="0000-0000-0000-0000-0006")
    lookups = [by_number(f"0000-0000-0000-0000-000{i}", f"p{i}") for i in range(1, 7)]

    result = fetcher(server, timeout_s=0.2).fetch(lookups)

    assert result.found_ids == ("p1", "p2")
    assert [(f.property_id, f.kind, f.attempts) for f in result.failures] == [
        ("p3", "server_error", 3), ("p4", "malformed", 1), ("p5", "not_found", 0),
        ("p6", "timeout", 3)]
    assert [(s.property_id, s.error_type) for s in result.stage_failures()] == [
        ("p3", "epc_server_error"), ("p4", "epc_malformed"), ("p6", "epc_timeout")]
    assert result.summary() == ("2 found, 1 not found, 3 failed "
                                "(1 malformed, 1 server_error, 1 timeout)")


def test_no_more_than_max_in_flight_requests_are_open_at_once(server: ReplayServer) -> None:
    server.route("/api/certificate", Reply.recording(CERTIFICATE, delay_s=0.05))
    lookups = [by_number(f"0000-0000-0000-0000-{i:04d}", f"p{i}") for i in range(12)]

    result = fetcher(server, max_in_flight=3).fetch(lookups)

    assert len(result.found_ids) == 12
    assert server.max_in_flight == 3


def test_requests_are_paced_to_the_rate_given(server: ReplayServer) -> None:
    server.route("/api/certificate", Reply.recording(CERTIFICATE))
    lookups = [by_number(f"0000-0000-0000-0000-{i:04d}", f"p{i}") for i in range(6)]
    started = time.monotonic()

    fetcher(server, requests_per_second=50.0).fetch(lookups)

    assert time.monotonic() - started >= 5 / 50 * 0.9


def test_retries_stop_when_the_time_budget_would_be_exceeded(server: ReplayServer) -> None:
    certificate_route(server, Reply.error(503, headers={"Retry-After": "2"}))
    policy = RetryPolicy(max_attempts=10, backoff_base_s=0.01, max_retry_after_s=5,
                         max_elapsed_s=1.0)

    started = time.monotonic()
    result = fetcher(server, retry=policy).fetch([by_number()])

    assert (result.failures[0].kind, result.failures[0].attempts) == ("server_error", 1)
    assert time.monotonic() - started < 1.0


def test_unreachable_server_is_a_transport_failure_after_retries() -> None:
    with ReplayServer() as server:
        url = server.url
    fetcher_ = RegisterApiFetcher(TOKEN, base_url=url, retry=FAST_RETRY,
                                  requests_per_second=None, timeout_s=1.0)

    result = fetcher_.fetch([by_number()])

    assert (result.failures[0].kind, result.failures[0].attempts) == ("transport", 3)


def test_search_running_past_the_page_limit_is_too_many_results(server: ReplayServer) -> None:
    item = search_item(NUMBER, uprn=6, address="1 Some Street", postcode="A0 0AA",
                       registered="2025-04-04")
    for page in (1, 2, 3):
        server.route("/api/domestic/search",
                     Reply.json(search_body([item], next_page=page + 1, current_page=page)),
                     query={"current_page": str(page)})

    result = fetcher(server, max_pages=2).fetch([PropertyLookup("p1", uprn=6)])

    assert [(f.property_id, f.kind) for f in result.failures] == [("p1", "too_many_results")]
    assert server.hits("/api/domestic/search") == 2


@pytest.mark.parametrize(("header", "expected"), [
    ("2", 2.0), ("0.25", 0.25), ("-3", 0.0), ("soon", None), ("", None), (None, None),
    ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_retry_after_is_read_as_seconds_or_an_http_date(header: str | None,
                                                        expected: float | None) -> None:
    assert _retry_after_s(header) == expected


def test_retry_after_in_the_future_as_an_http_date_counts_down_from_now() -> None:

    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)

    assert 25 <= (_retry_after_s(when) or 0) <= 30


def test_a_server_that_drips_its_reply_hits_the_total_deadline(server: ReplayServer) -> None:
    """Issue 15 item 4: a byte every 0.05 s never lets one read time out (0.15 s), but the
    whole request has a deadline (4 x the timeout): a timeout failure that says which limit
    was exceeded, after the retries, in bounded time."""
    import time

    certificate_route(server, Reply.recording(CERTIFICATE, drip_s=0.05))
    started = time.monotonic()
    result = fetcher(server, timeout_s=0.15).fetch([by_number()])
    elapsed = time.monotonic() - started

    failure = result.failures[0]
    assert (failure.kind, failure.attempts) == ("timeout", 3)
    assert "took longer than the 0.6 s deadline" in failure.message
    assert elapsed < 3 * 0.6 + 2.0  # three attempts and their backoff, not the whole drip
