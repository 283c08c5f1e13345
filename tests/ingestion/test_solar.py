"""PVGIS PVcalc fetcher against the real recorded answer (37 N 38 E, 50 kWp, 35 degrees,
south, 0 % loss: E_y 90419.86 kWh), its caches, and every way PVGIS can fail, each ending
in "no solar data" and never in a figure."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest
from ingestion.replay_server import FAST_RETRY, ReplayServer, Reply, recording

from ara.domain import Coordinates
from ara.ingestion import (
    LruYieldCache,
    ParquetYieldRepository,
    PvgisFetcher,
    PvgisQuery,
    SolarRequest,
    SolarYieldRepository,
)
from ara.ingestion.solar import SOLAR_YIELD_SCHEMA, CachedYield, pvgis_aspect_deg

PVCALC = "pvgis/pvcalc_37N_38E_50kWp_cSi_35deg_S.json"
PER_KWP = 90419.86 / 50.0


@pytest.fixture()
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


def fetcher(server: ReplayServer, **options: object) -> PvgisFetcher:
    """Asks the recorded question: 50 kWp, 0 % loss."""
    settings: dict[str, object] = {"base_url": server.url, "peak_power_kwp": 50.0,
                                   "loss_pct": 0.0, "retry": FAST_RETRY,
                                   "requests_per_second": None, "timeout_s": 2.0}
    return PvgisFetcher(**(settings | options))  # type: ignore[arg-type]


def south_roof(property_id: str = "p1", latitude: float = 37.0) -> SolarRequest:
    return SolarRequest(property_id, latitude, 38.0, pitch_deg=35.0, azimuth_deg=180.0)


def test_annual_yield_per_kwp_is_e_y_over_the_peak_power(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.recording(PVCALC))

    result = fetcher(server).fetch([south_roof()])

    assert result.no_solar_data == ()
    assert result.yield_for("p1") == pytest.approx(PER_KWP)
    assert result.yields[0].source.endswith("PVGIS-SARAH2")


def test_request_parameters_follow_pvgis_pvcalc(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.recording(PVCALC))

    fetcher(server).fetch([SolarRequest("p1", 37.00012, 38.0, 35.2, 180.0)])

    assert server.requests[0].query == {
        "lat": "37", "lon": "38", "peakpower": "50", "loss": "0", "angle": "35",
        "aspect": "0", "mountingplace": "building", "pvtechchoice": "crystSi", "fixed": "1",
        "usehorizon": "1", "outputformat": "json"}


@pytest.mark.parametrize(("azimuth", "aspect"), [(180, 0), (90, -90), (270, 90), (0, -180),
                                                 (360, -180), (135, -45), (225, 45)])
def test_compass_bearing_becomes_pvgis_aspect(azimuth: float, aspect: float) -> None:
    assert pvgis_aspect_deg(azimuth) == aspect


def test_default_query_is_one_kwp_with_fourteen_percent_loss_on_a_building() -> None:
    query = PvgisFetcher().query_for(SolarRequest.at("p1", Coordinates(51.50135, -0.14189),
                                                     30.0, 200.0))

    assert query.params() == {
        "lat": "51.501", "lon": "-0.142", "peakpower": "1", "loss": "14", "angle": "30",
        "aspect": "20", "mountingplace": "building", "pvtechchoice": "crystSi", "fixed": "1",
        "usehorizon": "1", "outputformat": "json"}


def test_answers_are_cached_in_memory_and_shared_by_neighbours(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.recording(PVCALC))
    pvgis = fetcher(server)

    first = pvgis.fetch([south_roof("p1"), south_roof("p2", latitude=37.0001)])
    second = pvgis.fetch([south_roof("p3")])

    assert server.hits("/PVcalc") == 1
    assert [y.cached for y in first.yields] == [False, False]
    assert second.yields[0].cached and second.yield_for("p3") == pytest.approx(PER_KWP)


def test_answers_persist_in_the_repository_across_fetchers(server: ReplayServer,
                                                           tmp_path: Path) -> None:
    server.route("/PVcalc", Reply.recording(PVCALC))
    path = tmp_path / "pvgis_cache.parquet"
    fetcher(server, repository=ParquetYieldRepository(path)).fetch([south_roof()])

    repository = ParquetYieldRepository(path)
    result = fetcher(server, repository=repository).fetch([south_roof("p9")])

    assert isinstance(repository, SolarYieldRepository) and len(repository) == 1
    assert server.hits("/PVcalc") == 1
    assert result.yields[0].cached and result.yield_for("p9") == pytest.approx(PER_KWP)


def test_lru_cache_keeps_only_the_most_recently_used(server: ReplayServer) -> None:
    cache = LruYieldCache(maxsize=2)
    pvgis = PvgisFetcher(cache=cache)
    queries = [pvgis.query_for(south_roof(f"p{i}", latitude=50.0 + i)) for i in range(3)]
    answer = CachedYield(900.0, None, datetime(2026, 1, 1))

    cache.put_many({queries[0]: answer, queries[1]: answer})
    cache.get_many([queries[0]])
    cache.put_many({queries[2]: answer})

    assert set(cache.get_many(queries)) == {queries[0], queries[2]}


def test_500_then_success_is_retried(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.json({"message": "Internal error"}, 500),
                 Reply.recording(PVCALC))

    result = fetcher(server).fetch([south_roof()])

    assert result.yield_for("p1") == pytest.approx(PER_KWP)
    assert server.hits("/PVcalc") == 2


def test_429_with_retry_after_is_retried(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.json({"message": "Too many requests"}, 429,
                                       headers={"Retry-After": "0.05"}),
                 Reply.recording(PVCALC))

    result = fetcher(server).fetch([south_roof()])

    assert result.yield_for("p1") == pytest.approx(PER_KWP)


@pytest.mark.parametrize(("reply", "kind", "attempts", "words"), [
    (Reply.json({"message": "Internal error"}, 502), "server_error", 3, "HTTP 502"),
    (Reply.recording(PVCALC, delay_s=2.0), "timeout", 3, "no response within 0.15 s"),
    (Reply.recording(PVCALC, truncate_to=200), "transport", 3, "closed before the whole"),
    (Reply(200, b'{"inputs": {"location": '), "malformed", 1, "not valid JSON"),
    (Reply.json({"message": "Location over the sea. Please, select another location"}, 400),
     "client_error", 1, "Location over the sea"),
])
def test_pvgis_failure_marks_the_property_as_having_no_solar_data(
        server: ReplayServer, reply: Reply, kind: str, attempts: int, words: str) -> None:
    server.route("/PVcalc", reply)

    result = fetcher(server, timeout_s=0.15).fetch([south_roof()])

    assert result.yields == () and result.yield_for("p1") is None
    missing = result.no_solar_data[0]
    assert (missing.property_id, missing.kind, missing.attempts) == ("p1", kind, attempts)
    assert words in missing.message and missing.message.startswith("PVGIS: ")


def test_failures_are_not_cached_so_the_next_fetch_asks_again(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.json({"message": "down"}, 503), Reply.json({}, 503),
                 Reply.json({}, 503), Reply.recording(PVCALC))
    pvgis = fetcher(server)

    first = pvgis.fetch([south_roof()])
    second = pvgis.fetch([south_roof()])

    assert first.yield_for("p1") is None and second.yield_for("p1") == pytest.approx(PER_KWP)


def without(body: dict[str, object], *path: str) -> dict[str, object]:
    node: dict[str, object] = body
    for key in path[:-1]:
        node = node[key]  # type: ignore[assignment]
    del node[path[-1]]
    return body


def changed(body: dict[str, object], value: object, *path: str) -> dict[str, object]:
    node: dict[str, object] = body
    for key in path[:-1]:
        node = node[key]  # type: ignore[assignment]
    node[path[-1]] = value
    return body


@pytest.mark.parametrize(("edit", "words"), [
    (lambda b: without(b, "outputs", "totals", "fixed", "E_y"), "no positive"),
    (lambda b: changed(b, "n/a", "outputs", "totals", "fixed", "E_y"), "no positive"),
    (lambda b: changed(b, -5.0, "outputs", "totals", "fixed", "E_y"), "no positive"),
    (lambda b: without(b, "inputs", "pv_module", "peak_power"), "peak_power"),
    (lambda b: changed(b, 52.0, "inputs", "location", "latitude"), "latitude 52, not 37"),
    (lambda b: changed(b, 90, "inputs", "mounting_system", "fixed", "azimuth", "value"),
     "azimuth 90, not 0"),
    (lambda b: changed(b, 14.0, "inputs", "pv_module", "system_loss"), "system loss 14"),
    (lambda b: changed(b, 1.0, "inputs", "pv_module", "peak_power"), "peak power 1, not 50"),
    (lambda b: changed(b, 99999.0, "outputs", "totals", "fixed", "E_y"), "add up to"),
])
def test_answers_that_do_not_hold_together_are_malformed(server: ReplayServer, edit: object,
                                                         words: str) -> None:
    server.route("/PVcalc", Reply.json(edit(recording(PVCALC))))  # type: ignore[operator]

    result = fetcher(server).fetch([south_roof()])

    assert result.yields == ()
    assert (result.no_solar_data[0].kind, result.no_solar_data[0].attempts) == ("malformed", 1)
    assert words in result.no_solar_data[0].message


def test_one_failing_roof_does_not_affect_the_others(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.recording(PVCALC), query={"lat": "37"})
    server.route("/PVcalc", Reply.json({"message": "Location over the sea"}, 400),
                 query={"lat": "36"})

    result = fetcher(server).fetch([south_roof("land"), south_roof("sea", latitude=36.0)])

    assert [y.property_id for y in result.yields] == ["land"]
    assert [(m.property_id, m.kind) for m in result.no_solar_data] == [("sea", "client_error")]


def test_result_as_arrow_keeps_the_roof_as_requested(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.recording(PVCALC))

    table = fetcher(server).fetch([SolarRequest("p1", 37.0, 38.0, 35.0, 180.0)]).to_arrow()

    assert table.schema.equals(SOLAR_YIELD_SCHEMA)
    row = table.to_pylist()[0]
    assert (row["property_id"], row["pitch_deg"], row["azimuth_deg"]) == ("p1", 35.0, 180.0)
    assert row["annual_yield_kwh_per_kwp"] == pytest.approx(PER_KWP)
    assert isinstance(table, pa.Table) and not row["cached"]


def test_a_roof_with_an_impossible_pitch_is_refused() -> None:
    with pytest.raises(ValueError, match="pitch 95"):
        SolarRequest("p1", 51.5, -0.1, 95.0, 180.0)


def test_query_is_hashable_and_equal_for_equal_questions() -> None:
    pvgis = PvgisFetcher()

    a = pvgis.query_for(south_roof("p1"))
    b = pvgis.query_for(south_roof("p2"))

    assert isinstance(a, PvgisQuery) and a == b and hash(a) == hash(b)


def test_fresh_answers_hold_only_what_pvgis_said_in_this_call(server: ReplayServer) -> None:
    server.route("/PVcalc", Reply.recording(PVCALC))
    pvgis = fetcher(server)

    first = pvgis.fetch([south_roof()])
    second = pvgis.fetch([south_roof("p2")])

    assert [a.annual_yield_kwh_per_kwp for a in first.fresh_answers.values()] == [
        pytest.approx(PER_KWP)]
    assert second.fresh_answers == {}
