"""Solar potential: the annual PV yield per kWp of a roof, from PVGIS ``PVcalc``.

For each :class:`SolarRequest` (a property's coordinates, the roof's pitch and the compass
bearing it faces) the fetcher asks PVGIS for a fixed, building-integrated array
(``mountingplace=building``, crystalline silicon, 14 % system loss by default, ``peakpower``
1 kWp) at that tilt and orientation, and reads ``outputs.totals.fixed.E_y`` (kWh/yr) divided by
the peak power PVGIS echoes. PVGIS's ``aspect`` is 0 = south, 90 = west, -90 = east; the
domain's azimuth is a compass bearing (0 = north, clockwise), so ``aspect = azimuth - 180``.

Coordinates are rounded to ``coordinate_decimals`` (3: about 100 m, finer than PVGIS's
radiation grid) and angles to ``angle_decimals`` (0: whole degrees) before the query is built,
so the neighbours of a street share one query; PVGIS is asked exactly the rounded question and
its answer is stored for exactly that question.

Answers are cached in memory (:class:`LruYieldCache`) and, optionally, in a
:class:`SolarYieldRepository` (e.g. :class:`ParquetYieldRepository`), keyed by the whole
:class:`PvgisQuery`. When PVGIS cannot give an answer (timeout, 5xx or 429 after the retries, a
truncated or malformed body, a 4xx such as "location over the sea"), the property is listed in
``no_solar_data`` with the reason, and nothing is cached: no figure is ever invented.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import httpx
import pyarrow as pa
import pyarrow.parquet as pq

from ara.domain import Coordinates
from ara.ingestion.http import (
    FetchError,
    HttpClient,
    MalformedResponseError,
    RetryPolicy,
    run_sync,
)

__all__ = ["PVGIS_API", "PVGIS_URL", "SOLAR_YIELD_SCHEMA", "CachedYield", "LruYieldCache",
           "NoSolarData", "ParquetYieldRepository", "PvgisFetcher", "PvgisQuery",
           "SolarFetchResult", "SolarRequest", "SolarYield", "SolarYieldRepository",
           "parse_pvcalc", "pvgis_aspect_deg"]

log = logging.getLogger(__name__)

PVGIS_API = "PVGIS"
PVGIS_URL = "https://re.jrc.ec.europa.eu/api/v5_2"

#: Tolerances of the echo checks: PVGIS repeats its inputs; an answer to another question
#: (a different place, tilt, orientation, size or loss) is refused as malformed.
_COORD_TOLERANCE_DEG = 0.01
_ANGLE_TOLERANCE_DEG = 0.5
#: The monthly energies must add up to the annual total within this fraction.
_MONTHLY_SUM_TOLERANCE = 0.01


def pvgis_aspect_deg(azimuth_deg: float) -> float:
    """PVGIS ``aspect`` (0 south, 90 west, -90 east, -180 north) of a compass bearing
    (0 north, 90 east, 180 south, 270 west)."""
    return (azimuth_deg % 360.0) - 180.0


def _angle_diff_deg(a: float, b: float) -> float:
    return abs((a - b + 180.0) % 360.0 - 180.0)


def _fmt(value: float) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# ---------------------------------------------------------------------------------------------
# Requests, queries, results
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SolarRequest:
    """One roof to price: WGS84 coordinates, pitch (degrees from horizontal, 0-90) and the
    compass bearing the roof faces (degrees clockwise from north)."""

    property_id: str
    latitude: float
    longitude: float
    pitch_deg: float
    azimuth_deg: float

    def __post_init__(self) -> None:
        Coordinates(self.latitude, self.longitude)  # validates the range
        if not (math.isfinite(self.pitch_deg) and 0.0 <= self.pitch_deg <= 90.0):
            raise ValueError(f"{self.property_id}: pitch {self.pitch_deg} is not 0-90 degrees")
        if not math.isfinite(self.azimuth_deg):
            raise ValueError(f"{self.property_id}: azimuth {self.azimuth_deg} is not a number")

    @classmethod
    def at(cls, property_id: str, coordinates: Coordinates, pitch_deg: float,
           azimuth_deg: float) -> SolarRequest:
        return cls(property_id, coordinates.latitude, coordinates.longitude, pitch_deg,
                   azimuth_deg)


@dataclass(frozen=True, slots=True)
class PvgisQuery:
    """Exactly what PVGIS is asked (the cache key)."""

    latitude: float
    longitude: float
    angle_deg: float
    aspect_deg: float
    peak_power_kwp: float
    loss_pct: float
    mounting: str
    technology: str
    radiation_db: str | None
    use_horizon: bool
    endpoint: str

    def params(self) -> dict[str, str]:
        params = {"lat": _fmt(self.latitude), "lon": _fmt(self.longitude),
                  "peakpower": _fmt(self.peak_power_kwp), "loss": _fmt(self.loss_pct),
                  "angle": _fmt(self.angle_deg), "aspect": _fmt(self.aspect_deg),
                  "mountingplace": self.mounting, "pvtechchoice": self.technology,
                  "fixed": "1", "usehorizon": "1" if self.use_horizon else "0",
                  "outputformat": "json"}
        if self.radiation_db:
            params["raddatabase"] = self.radiation_db
        return params


@dataclass(frozen=True, slots=True)
class CachedYield:
    annual_yield_kwh_per_kwp: float
    radiation_db: str | None
    fetched_at: datetime
    """UTC, without a zone (the persistence convention)."""


@dataclass(frozen=True, slots=True)
class SolarYield:
    """PVGIS's annual yield for one property's roof."""

    property_id: str
    annual_yield_kwh_per_kwp: float
    query: PvgisQuery
    radiation_db: str | None
    fetched_at: datetime
    cached: bool

    @property
    def source(self) -> str:
        """``pvgis <endpoint> <radiation database>``, e.g. ``pvgis v5_2 PVGIS-SARAH2``."""
        version = self.query.endpoint.rstrip("/").rsplit("/", 1)[-1]
        return " ".join(p for p in ("pvgis", version, self.radiation_db) if p)


@dataclass(frozen=True, slots=True)
class NoSolarData:
    """A property PVGIS gave no answer for, and why (``kind`` as the HTTP errors')."""

    property_id: str
    kind: str
    message: str
    attempts: int = 0


SOLAR_YIELD_SCHEMA = pa.schema([
    pa.field("property_id", pa.string(), nullable=False),
    pa.field("latitude", pa.float64(), nullable=False),
    pa.field("longitude", pa.float64(), nullable=False),
    pa.field("pitch_deg", pa.float64(), nullable=False),
    pa.field("azimuth_deg", pa.float64(), nullable=False,
             metadata={"doc": "compass bearing the roof faces, clockwise from north"}),
    pa.field("annual_yield_kwh_per_kwp", pa.float64(), nullable=False,
             metadata={"unit": "kWh/kWp/yr", "doc": "PVGIS PVcalc E_y / peak power"}),
    pa.field("source", pa.string(), nullable=False),
    pa.field("fetched_at", pa.timestamp("us"), nullable=False),
    pa.field("cached", pa.bool_(), nullable=False),
])


@dataclass(frozen=True)
class SolarFetchResult:
    """One yield per property PVGIS answered for, one :class:`NoSolarData` per other."""

    yields: tuple[SolarYield, ...]
    no_solar_data: tuple[NoSolarData, ...]
    requests: tuple[SolarRequest, ...] = ()
    fresh_answers: Mapping[PvgisQuery, CachedYield] = field(default_factory=dict)
    """The answers PVGIS gave in this call (not from a cache): what a database-backed cache
    writes in the stage's write unit (decision D-0012)."""

    def yield_for(self, property_id: str) -> float | None:
        return next((y.annual_yield_kwh_per_kwp for y in self.yields
                     if y.property_id == property_id), None)

    def to_arrow(self) -> pa.Table:
        """The yields as :data:`SOLAR_YIELD_SCHEMA` (pitch and azimuth as requested, the
        coordinates as asked of PVGIS)."""
        by_id = {r.property_id: r for r in self.requests}
        rows = [{"property_id": y.property_id, "latitude": y.query.latitude,
                 "longitude": y.query.longitude,
                 "pitch_deg": by_id[y.property_id].pitch_deg if y.property_id in by_id
                 else y.query.angle_deg,
                 "azimuth_deg": by_id[y.property_id].azimuth_deg if y.property_id in by_id
                 else (y.query.aspect_deg + 180.0) % 360.0,
                 "annual_yield_kwh_per_kwp": y.annual_yield_kwh_per_kwp, "source": y.source,
                 "fetched_at": y.fetched_at, "cached": y.cached} for y in self.yields]
        return pa.Table.from_pylist(rows, schema=SOLAR_YIELD_SCHEMA)


# ---------------------------------------------------------------------------------------------
# Caches
# ---------------------------------------------------------------------------------------------
@runtime_checkable
class SolarYieldRepository(Protocol):
    """Stored PVGIS answers, keyed by the query. ``get_many`` is called before the network
    phase and ``put_many`` after it, never during (no connection is held during I/O)."""

    def get_many(self, queries: Collection[PvgisQuery]) -> dict[PvgisQuery, CachedYield]: ...

    def put_many(self, entries: Mapping[PvgisQuery, CachedYield]) -> None: ...


class LruYieldCache:
    """In-memory, least recently used first out, at most ``maxsize`` queries; thread-safe."""

    def __init__(self, maxsize: int = 100_000) -> None:
        if maxsize < 1:
            raise ValueError(f"maxsize must be at least 1, not {maxsize}")
        self.maxsize = maxsize
        self._entries: OrderedDict[PvgisQuery, CachedYield] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get_many(self, queries: Collection[PvgisQuery]) -> dict[PvgisQuery, CachedYield]:
        found = {}
        with self._lock:
            for q in queries:
                if q in self._entries:
                    self._entries.move_to_end(q)
                    found[q] = self._entries[q]
        return found

    def put_many(self, entries: Mapping[PvgisQuery, CachedYield]) -> None:
        with self._lock:
            for q, value in entries.items():
                self._entries[q] = value
                self._entries.move_to_end(q)
            while len(self._entries) > self.maxsize:
                self._entries.popitem(last=False)


_QUERY_FIELDS = [f for f in PvgisQuery.__dataclass_fields__]
_CACHE_SCHEMA = pa.schema([
    pa.field("latitude", pa.float64(), nullable=False),
    pa.field("longitude", pa.float64(), nullable=False),
    pa.field("angle_deg", pa.float64(), nullable=False),
    pa.field("aspect_deg", pa.float64(), nullable=False),
    pa.field("peak_power_kwp", pa.float64(), nullable=False),
    pa.field("loss_pct", pa.float64(), nullable=False),
    pa.field("mounting", pa.string(), nullable=False),
    pa.field("technology", pa.string(), nullable=False),
    pa.field("radiation_db", pa.string()),
    pa.field("use_horizon", pa.bool_(), nullable=False),
    pa.field("endpoint", pa.string(), nullable=False),
    pa.field("annual_yield_kwh_per_kwp", pa.float64(), nullable=False),
    pa.field("answered_radiation_db", pa.string()),
    pa.field("fetched_at", pa.timestamp("us"), nullable=False),
])


class ParquetYieldRepository:
    """PVGIS answers kept in one Parquet file between runs: read whole when opened, rewritten
    (to a temporary file, then renamed) by ``put_many``. For one process at a time."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._entries: dict[PvgisQuery, CachedYield] = {}
        if self.path.exists():
            for r in pq.read_table(self.path, schema=_CACHE_SCHEMA).to_pylist():
                query = PvgisQuery(**{k: r[k] for k in _QUERY_FIELDS})
                self._entries[query] = CachedYield(r["annual_yield_kwh_per_kwp"],
                                                   r["answered_radiation_db"], r["fetched_at"])

    def __len__(self) -> int:
        return len(self._entries)

    def get_many(self, queries: Collection[PvgisQuery]) -> dict[PvgisQuery, CachedYield]:
        return {q: self._entries[q] for q in queries if q in self._entries}

    def put_many(self, entries: Mapping[PvgisQuery, CachedYield]) -> None:
        if not entries:
            return
        self._entries.update(entries)
        rows = [{**{k: getattr(q, k) for k in _QUERY_FIELDS},
                 "annual_yield_kwh_per_kwp": v.annual_yield_kwh_per_kwp,
                 "answered_radiation_db": v.radiation_db, "fetched_at": v.fetched_at}
                for q, v in self._entries.items()]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".partial")
        pq.write_table(pa.Table.from_pylist(rows, schema=_CACHE_SCHEMA), partial)
        os.replace(partial, self.path)


# ---------------------------------------------------------------------------------------------
# Reading a PVcalc answer
# ---------------------------------------------------------------------------------------------
def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _path(body: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(body, dict) or key not in body:
            return None
        body = body[key]
    return body


def parse_pvcalc(body: Any, query: PvgisQuery) -> tuple[float, str | None]:
    """(annual kWh per kWp, radiation database) of a PVcalc JSON answer to ``query``.
    Raises :class:`MalformedResponseError` when the answer lacks the annual total, is not an
    answer to ``query``, or does not add up."""

    def refuse(why: str) -> MalformedResponseError:
        return MalformedResponseError(PVGIS_API, f"PVcalc at {_fmt(query.latitude)}, "
                                      f"{_fmt(query.longitude)}: {why}")

    annual = _number(_path(body, "outputs", "totals", "fixed", "E_y"))
    if annual is None or annual <= 0:
        raise refuse("no positive outputs.totals.fixed.E_y")
    peak = _number(_path(body, "inputs", "pv_module", "peak_power"))
    if peak is None or peak <= 0:
        raise refuse("no positive inputs.pv_module.peak_power")
    echoes = (
        ("latitude", _path(body, "inputs", "location", "latitude"), query.latitude,
         _COORD_TOLERANCE_DEG, False),
        ("longitude", _path(body, "inputs", "location", "longitude"), query.longitude,
         _COORD_TOLERANCE_DEG, False),
        ("slope", _path(body, "inputs", "mounting_system", "fixed", "slope", "value"),
         query.angle_deg, _ANGLE_TOLERANCE_DEG, False),
        ("azimuth", _path(body, "inputs", "mounting_system", "fixed", "azimuth", "value"),
         query.aspect_deg, _ANGLE_TOLERANCE_DEG, True),
        ("peak power", peak, query.peak_power_kwp, 1e-6 * query.peak_power_kwp, False),
        ("system loss", _path(body, "inputs", "pv_module", "system_loss"), query.loss_pct,
         0.01, False),
    )
    for name, echoed, asked, tolerance, circular in echoes:
        value = _number(echoed)
        if value is None:
            raise refuse(f"the answer does not state its {name}")
        diff = _angle_diff_deg(value, asked) if circular else abs(value - asked)
        if diff > tolerance:
            raise refuse(f"the answer is for {name} {value:g}, not {asked:g}")
    months = _path(body, "outputs", "monthly", "fixed")
    if isinstance(months, list) and months:
        monthly = [_number(m.get("E_m")) if isinstance(m, dict) else None for m in months]
        if len(monthly) != 12 or any(m is None for m in monthly):
            raise refuse("the monthly energies are incomplete")
        total = sum(m for m in monthly if m is not None)
        if abs(total - annual) > _MONTHLY_SUM_TOLERANCE * annual:
            raise refuse(f"the monthly energies add up to {total:g} kWh, not E_y {annual:g}")
    database = _path(body, "inputs", "meteo_data", "radiation_db")
    return annual / peak, database if isinstance(database, str) else None


# ---------------------------------------------------------------------------------------------
# The fetcher
# ---------------------------------------------------------------------------------------------
class PvgisFetcher:
    """PVGIS PVcalc over httpx, cached; see the module docstring. PVGIS allows 30 calls a
    second per IP: the default pacing stays under it."""

    name = PVGIS_API

    def __init__(self, *, base_url: str = PVGIS_URL, loss_pct: float = 14.0,
                 peak_power_kwp: float = 1.0, mounting: str = "building",
                 technology: str = "crystSi", radiation_db: str | None = None,
                 use_horizon: bool = True, coordinate_decimals: int = 3,
                 angle_decimals: int = 0, cache: LruYieldCache | None = None,
                 repository: SolarYieldRepository | None = None, max_in_flight: int = 4,
                 requests_per_second: float | None = 20.0, timeout_s: float = 30.0,
                 retry: RetryPolicy | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        if not (math.isfinite(loss_pct) and 0 <= loss_pct < 100):
            raise ValueError(f"loss_pct must be 0-100, not {loss_pct}")
        if not (math.isfinite(peak_power_kwp) and peak_power_kwp > 0):
            raise ValueError(f"peak_power_kwp must be > 0, not {peak_power_kwp}")
        self.base_url = base_url.rstrip("/")
        self.loss_pct = loss_pct
        self.peak_power_kwp = peak_power_kwp
        self.mounting = mounting
        self.technology = technology
        self.radiation_db = radiation_db
        self.use_horizon = use_horizon
        self.coordinate_decimals = coordinate_decimals
        self.angle_decimals = angle_decimals
        self.cache = cache if cache is not None else LruYieldCache()
        self.repository = repository
        self._client_options: dict[str, Any] = {
            "max_in_flight": max_in_flight, "requests_per_second": requests_per_second,
            "timeout_s": timeout_s, "retry": retry or RetryPolicy(), "transport": transport}

    def __repr__(self) -> str:
        return f"PvgisFetcher(base_url={self.base_url!r}, cached={len(self.cache)})"

    def query_for(self, request: SolarRequest) -> PvgisQuery:
        c, a = self.coordinate_decimals, self.angle_decimals
        aspect = round(pvgis_aspect_deg(request.azimuth_deg), a)
        return PvgisQuery(
            latitude=round(request.latitude, c), longitude=round(request.longitude, c),
            angle_deg=round(request.pitch_deg, a) + 0.0,
            aspect_deg=(-180.0 if aspect == 180.0 else aspect) + 0.0,
            peak_power_kwp=self.peak_power_kwp, loss_pct=self.loss_pct, mounting=self.mounting,
            technology=self.technology, radiation_db=self.radiation_db,
            use_horizon=self.use_horizon, endpoint=self.base_url)

    def fetch(self, requests: Sequence[SolarRequest]) -> SolarFetchResult:
        return run_sync(self.fetch_async(requests), "PvgisFetcher.fetch_async()")

    async def fetch_async(self, requests: Sequence[SolarRequest]) -> SolarFetchResult:
        seen: set[str] = set()
        for r in requests:
            if r.property_id in seen:
                raise ValueError(f"property {r.property_id} is requested twice in one batch")
            seen.add(r.property_id)
        queries = {r.property_id: self.query_for(r) for r in requests}
        unique = list(dict.fromkeys(queries.values()))
        known = self.cache.get_many(unique)
        if self.repository is not None and len(known) < len(unique):
            stored = self.repository.get_many([q for q in unique if q not in known])
            self.cache.put_many(stored)
            known.update(stored)
        answers: dict[PvgisQuery, CachedYield | FetchError] = {}
        to_ask = [q for q in unique if q not in known]
        if to_ask:
            async with HttpClient(self.name, self.base_url, **self._client_options) as client:
                results = await asyncio.gather(*(self._ask(client, q) for q in to_ask))
            answers = dict(zip(to_ask, results, strict=True))
        fresh = {q: a for q, a in answers.items() if isinstance(a, CachedYield)}
        self._store(fresh)
        yields, missing = [], []
        for r in requests:
            q = queries[r.property_id]
            answer = known.get(q) or answers[q]
            if isinstance(answer, CachedYield):
                yields.append(SolarYield(r.property_id, answer.annual_yield_kwh_per_kwp, q,
                                         answer.radiation_db, answer.fetched_at,
                                         cached=q in known))
            else:
                missing.append(NoSolarData(r.property_id, answer.kind, str(answer),
                                           answer.attempts))
        log.info("%s: %d properties, %d with a yield (%d queries asked, %d from cache), "
                 "%d without solar data", self.name, len(requests), len(yields), len(to_ask),
                 len(known), len(missing))
        return SolarFetchResult(tuple(yields), tuple(missing), tuple(requests), fresh)

    async def _ask(self, client: HttpClient, query: PvgisQuery) -> CachedYield | FetchError:
        try:
            body, _reply = await client.get_json("/PVcalc", query.params())
            per_kwp, database = parse_pvcalc(body, query)
        except FetchError as exc:  # every failure, whatever its kind, means "no solar data"
            return exc
        return CachedYield(per_kwp, database, datetime.now(UTC).replace(tzinfo=None))

    def _store(self, fresh: Mapping[PvgisQuery, CachedYield]) -> None:
        if not fresh:
            return
        self.cache.put_many(fresh)
        if self.repository is not None:
            try:
                self.repository.put_many(fresh)
            except Exception:  # the yields are still returned; the next run asks again
                log.exception("%s: could not store %d answers in %r", self.name, len(fresh),
                              self.repository)
