"""The API fetchers against recorded responses: how a property is found, what a batch result
holds. Fault injection is in test_epc_fetchers_faults.py."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import Iterator

import pyarrow as pa
import pytest
from ingestion.replay_server import (
    FAST_RETRY,
    ReplayServer,
    Reply,
    search_body,
    search_item,
)

from ara.domain import Address, Property
from ara.ingestion import (
    FETCHED_CERTIFICATE_SCHEMA,
    EpcFetcher,
    LegacyOpenDataFetcher,
    PropertyLookup,
    RegisterApiFetcher,
    Secret,
)
from ara.rdsap.readers import CERTIFICATE_SCHEMA

TOKEN = Secret("register-token-5f1c9a7e", "test token")
NEWEST = "0000-0000-0000-0000-2101"  # the 21.0.1 sample, registered 2025-04-04
CERTIFICATE_FILES = {
    "0000-0000-0000-0000-2000": "register/certificate_RdSAP-Schema-20.0.0.json",
    "0000-0000-0000-0000-2100": "register/certificate_RdSAP-Schema-21.0.0.json",
    "0000-0000-0000-0000-2101": "register/certificate_RdSAP-Schema-21.0.1.json",
    "0000-0000-0000-0000-1910": "register/certificate_SAP-Schema-19.1.0.json",
    "0000-0000-0000-0000-3100": "register/certificate_neighbour.json",
}


@pytest.fixture()
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        for number, name in CERTIFICATE_FILES.items():
            replay.route("/api/certificate", Reply.recording(name),
                         query={"certificate_number": number})
        replay.route("/api/domestic/search", Reply.recording("register/search_uprn_12457.json"),
                     query={"uprn": "12457"})
        replay.route("/api/domestic/search",
                     Reply.recording("register/search_postcode_A0_0AA.json"),
                     query={"postcode": "A0 0AA"})
        replay.route("/api/domestic/search",
                     Reply.error(404, "No certificates could be found for that query"))
        yield replay


def register(server: ReplayServer, **options: object) -> RegisterApiFetcher:
    settings: dict[str, object] = {"base_url": server.url, "retry": FAST_RETRY,
                                   "requests_per_second": None}
    return RegisterApiFetcher(TOKEN, **(settings | options))  # type: ignore[arg-type]


def test_register_fetch_by_uprn_returns_the_newest_certificate_as_an_arrow_row(
        server: ReplayServer) -> None:
    result = register(server).fetch([PropertyLookup("p1", uprn=12457)])

    assert result.found_ids == ("p1",)
    assert result.failures == ()
    row = result.certificates.to_pylist()[0]
    assert (row["certificate_number"], row["schema_type"]) == (NEWEST, "RdSAP-Schema-21.0.1")
    assert row["source"].endswith(f"/api/certificate?certificate_number={NEWEST}")


def test_register_result_table_is_property_id_then_the_certificate_schema(
        server: ReplayServer) -> None:
    result = register(server).fetch([PropertyLookup("p1", uprn=12457)])

    assert result.certificates.schema.equals(FETCHED_CERTIFICATE_SCHEMA)
    assert result.certificates.drop_columns(["property_id"]).schema.equals(CERTIFICATE_SCHEMA)


def test_register_requests_carry_the_bearer_token_and_ask_for_json(
        server: ReplayServer) -> None:
    register(server).fetch([PropertyLookup("p1", uprn=12457)])

    assert server.requests
    for request in server.requests:
        assert request.headers["Authorization"] == f"Bearer {TOKEN.reveal()}"
        assert request.headers["Accept"] == "application/json"


def test_register_falls_back_from_an_unknown_uprn_to_postcode_and_address(
        server: ReplayServer) -> None:
    lookup = PropertyLookup("p1", uprn=999, postcode="a0 0aa", address_lines=("2 Some St.",))
    lookup_exact = PropertyLookup("p2", uprn=998, postcode="A00AA",
                                  address_lines=("1, Some Street",))

    result = register(server).fetch([lookup, lookup_exact])

    assert result.found_ids == ("p2",)
    assert result.certificates.column("certificate_number").to_pylist() == [NEWEST]
    failure = result.failure("p1")
    assert failure is not None and failure.kind == "not_found"
    assert "UPRN 999: no certificate" in failure.message
    assert "postcode A0 0AA: 5 certificate(s), none at '2 Some St.'" in failure.message


def test_register_address_match_ignores_case_and_punctuation_but_not_a_different_number(
        server: ReplayServer) -> None:
    lookups = [PropertyLookup("same", postcode="A0 0AA", address_lines=("2 SOME STREET",)),
               PropertyLookup("other", postcode="A0 0AA", address_lines=("12 Some Street",))]

    result = register(server).fetch(lookups)

    assert result.certificates.column("certificate_number").to_pylist() == [
        "0000-0000-0000-0000-3100"]
    assert [f.property_id for f in result.not_found] == ["other"]


def test_register_certificate_number_is_fetched_directly_without_a_search(
        server: ReplayServer) -> None:
    result = register(server).fetch([PropertyLookup("p1", certificate_number="0000-0000-0000-"
                                                    "0000-2000")])

    assert result.certificates.column("schema_type").to_pylist() == ["RdSAP-Schema-20.0.0"]
    assert server.hits("/api/domestic/search") == 0


def test_register_unknown_certificate_number_is_not_found(server: ReplayServer) -> None:
    server.route("/api/certificate", Reply.error(404, "Certificate not found"),
                 query={"certificate_number": "9999-9999-9999-9999-9999"})

    result = register(server).fetch([PropertyLookup("p1", certificate_number="9999-9999-"
                                                    "9999-9999-9999")])

    assert [(f.property_id, f.kind) for f in result.failures] == [("p1", "not_found")]
    assert "9999-9999-9999-9999-9999 is not on the register" in result.failures[0].message


def test_register_two_dwellings_at_one_address_are_ambiguous_not_guessed(
        server: ReplayServer) -> None:
    server.route("/api/domestic/search", Reply.json(search_body([
        search_item("0000-0000-0000-0000-7001", uprn=501, address="Flat 1",
                    postcode="B1 1BB", registered="2024-01-01"),
        search_item("0000-0000-0000-0000-7002", uprn=502, address="Flat 1",
                    postcode="B1 1BB", registered="2024-02-01")])), query={"postcode": "B1 1BB"})

    result = register(server).fetch([PropertyLookup("p1", postcode="B1 1BB",
                                                    address_lines=("Flat 1",))])

    assert [(f.property_id, f.kind) for f in result.failures] == [("p1", "ambiguous")]
    assert "2 different UPRNs" in result.failures[0].message
    assert server.hits("/api/certificate") == 0


def test_register_follows_next_page_of_a_search(server: ReplayServer) -> None:
    first = search_item("0000-0000-0000-0000-2000", uprn=777, address="1 Some Street",
                        postcode="A0 0AA", registered="2020-05-04")
    second = search_item(NEWEST, uprn=777, address="1 Some Street", postcode="A0 0AA",
                         registered="2025-04-04")
    server.route("/api/domestic/search", Reply.json(search_body([first], next_page=2)),
                 query={"uprn": "777", "current_page": "1"})
    server.route("/api/domestic/search", Reply.json(search_body([second], current_page=2)),
                 query={"uprn": "777", "current_page": "2"})

    result = register(server).fetch([PropertyLookup("p1", uprn=777)])

    assert result.certificates.column("certificate_number").to_pylist() == [NEWEST]
    assert server.hits("/api/domestic/search", uprn="777") == 2


def test_register_newest_certificate_of_a_full_sap_schema_is_taken_as_its_summary(
        server: ReplayServer) -> None:
    """A full SAP (SAP-Schema) certificate is found like any other: its summary row (every
    RdSAP survey column null) and its document, which the Baseline rates with the full SAP
    readers (issue 13)."""
    server.route("/api/domestic/search", Reply.json(search_body([
        search_item("0000-0000-0000-0000-2000", uprn=888, address="1 Some Street",
                    postcode="A0 0AA", registered="2020-05-04", schema="RdSAP-Schema-20.0.0"),
        search_item("0000-0000-0000-0000-1910", uprn=888, address="1 Some Street",
                    postcode="A0 0AA", registered="2022-05-09", schema="SAP-Schema-19.1.0"),
    ])), query={"uprn": "888"})

    result = register(server).fetch([PropertyLookup("p1", uprn=888)])

    assert result.failures == ()
    row = result.certificates.to_pylist()[0]
    assert (row["certificate_number"], row["schema_type"]) == ("0000-0000-0000-0000-1910",
                                                               "SAP-Schema-19.1.0")
    assert row["energy_rating_current"] == 72 and row["building_parts"] is None
    assert json.loads(row["raw_document"])["data"]["schema_type"] == "SAP-Schema-19.1.0"


def test_register_batch_result_names_each_property_outcome_in_request_order(
        server: ReplayServer) -> None:
    lookups = [PropertyLookup("c", uprn=12457),
               PropertyLookup("a", uprn=4040),
               PropertyLookup("b", certificate_number="0000-0000-0000-0000-3100")]

    result = register(server).fetch(lookups)

    assert result.found_ids == ("c", "b")
    assert [(f.property_id, f.kind) for f in result.failures] == [("a", "not_found")]
    assert result.summary() == "2 found, 1 not found, 0 failed"
    assert result.stage_failures() == []


def test_a_property_requested_twice_in_one_batch_is_refused(server: ReplayServer) -> None:
    with pytest.raises(ValueError, match="p1 is requested twice"):
        register(server).fetch([PropertyLookup("p1", uprn=1), PropertyLookup("p1", uprn=2)])


def test_empty_batch_gives_an_empty_result(server: ReplayServer) -> None:
    result = register(server).fetch([])

    assert result.certificates.num_rows == 0 and result.failures == ()
    assert result.certificates.schema.equals(FETCHED_CERTIFICATE_SCHEMA)


def test_lookup_needs_something_to_search_by() -> None:
    with pytest.raises(ValueError, match="needs a certificate number, a UPRN, or a postcode"):
        PropertyLookup("p1", postcode="A0 0AA")


def test_lookup_from_a_property_takes_its_uprn_postcode_and_address_lines() -> None:
    prop = Property("p1", "pf", 12457, None, Address(("1 Some Street",), "Whitbury", "a00aa"))

    assert PropertyLookup.from_property(prop) == PropertyLookup(
        "p1", uprn=12457, postcode="A0 0AA", address_lines=("1 Some Street",))


def test_fetch_inside_a_running_event_loop_points_to_fetch_async(
        server: ReplayServer) -> None:
    fetcher = register(server)

    async def main() -> None:
        with pytest.raises(RuntimeError, match="await RegisterApiFetcher.fetch_async"):
            fetcher.fetch([PropertyLookup("p1", uprn=12457)])
        result = await fetcher.fetch_async([PropertyLookup("p1", uprn=12457)])
        assert result.found_ids == ("p1",)

    asyncio.run(main())


# -- legacy open-data API --------------------------------------------------------------------
EMAIL = Secret("analyst@example.org", "test email")
KEY = Secret("legacy-key-0c4d2b", "test key")


def legacy(server: ReplayServer) -> LegacyOpenDataFetcher:
    return LegacyOpenDataFetcher(EMAIL, KEY, base_url=server.url, retry=FAST_RETRY,
                                 requests_per_second=None)


def test_legacy_follows_search_after_and_returns_the_newest_row() -> None:
    with ReplayServer() as server:
        server.route("/domestic/search", Reply.recording(
            "legacy/search_uprn_page1.json", headers={"X-Next-Search-After": "cursor-1"}),
            query={"uprn": "10023456789"})
        server.route("/domestic/search", Reply.recording("legacy/search_uprn_page2.json"),
                     query={"uprn": "10023456789", "search-after": "cursor-1"})

        result = legacy(server).fetch([PropertyLookup("p1", uprn=10023456789)])

    row = result.certificates.to_pylist()[0]
    assert row["certificate_number"] == "100000000012345678901234567890199"
    assert (row["data_source"], row["registration_date"].isoformat()) == (
        "csv_summary", "2021-06-01")
    assert server.hits("/domestic/search") == 2


def test_legacy_sends_basic_auth_of_email_and_key() -> None:
    with ReplayServer() as server:
        server.route("/domestic/search", Reply.recording("legacy/search_uprn_page1.json"))

        legacy(server).fetch([PropertyLookup("p1", uprn=10023456789)])

    expected = base64.b64encode(f"{EMAIL.reveal()}:{KEY.reveal()}".encode()).decode()
    assert server.requests[0].headers["Authorization"] == f"Basic {expected}"
    assert server.requests[0].query["size"] == "5000"


def test_legacy_empty_body_means_no_certificate() -> None:
    with ReplayServer() as server:
        server.route("/domestic/search", Reply(200, b""))

        result = legacy(server).fetch([PropertyLookup("p1", uprn=42)])

    assert [(f.property_id, f.kind) for f in result.failures] == [("p1", "not_found")]


def test_legacy_row_the_readers_refuse_is_an_unreadable_failure() -> None:
    with ReplayServer() as server:
        server.route("/domestic/certificate/100000000012345678901234567890125",
                     Reply.recording("legacy/certificate_unreadable.json"))

        result = legacy(server).fetch([PropertyLookup(
            "p1", certificate_number="100000000012345678901234567890125")])

    assert [(f.property_id, f.kind) for f in result.failures] == [("p1", "unreadable")]
    assert "MUST_HAVE_HABITABLE_ROOMS" in result.failures[0].message


def test_both_api_fetchers_satisfy_the_fetcher_protocol() -> None:
    with ReplayServer() as server:
        fetchers = [register(server), legacy(server)]

    assert all(isinstance(f, EpcFetcher) for f in fetchers)
    assert all(isinstance(f.fetch([]).certificates, pa.Table) for f in fetchers)
