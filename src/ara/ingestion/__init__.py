"""Ingestion: fetchers of live APIs and local sources (EPC certificates, solar potential),
run with no unit of work open; the orchestrator writes what they return (decision D-0012).

* :mod:`ara.ingestion.epc_fetchers`: ``EpcFetcher.fetch(lookups) -> FetchResult`` over the
  2025 register API, the legacy open-data API, the bulk archive, XML folders and the
  open-data CSV;
* :mod:`ara.ingestion.solar`: PVGIS annual yield per kWp, cached;
* :mod:`ara.ingestion.http`: the shared client (concurrency, retries, errors);
* :mod:`ara.ingestion.secrets`: credentials that never reach a log or a message.
"""

from ara.ingestion.epc_fetchers import (
    FETCHED_CERTIFICATE_SCHEMA,
    BulkArchiveFetcher,
    EpcFetcher,
    FetchFailure,
    FetchResult,
    LegacyOpenDataFetcher,
    OpenDataCsvFetcher,
    PropertyLookup,
    RegisterApiFetcher,
    TooManyResultsError,
    XmlFolderFetcher,
)
from ara.ingestion.http import (
    AuthError,
    ClientError,
    FetchError,
    FetchTimeoutError,
    MalformedResponseError,
    NotFoundError,
    RateLimitedError,
    RetryPolicy,
    ServerError,
    TransportError,
)
from ara.ingestion.secrets import CredentialsError, Secret, legacy_credentials, register_token
from ara.ingestion.solar import (
    LruYieldCache,
    NoSolarData,
    ParquetYieldRepository,
    PvgisFetcher,
    PvgisQuery,
    SolarFetchResult,
    SolarRequest,
    SolarYield,
    SolarYieldRepository,
)

__all__ = [
    "FETCHED_CERTIFICATE_SCHEMA", "AuthError", "BulkArchiveFetcher", "ClientError",
    "CredentialsError", "EpcFetcher", "FetchError", "FetchFailure", "FetchResult",
    "FetchTimeoutError", "LegacyOpenDataFetcher", "LruYieldCache", "MalformedResponseError",
    "NoSolarData", "NotFoundError", "OpenDataCsvFetcher", "ParquetYieldRepository",
    "PropertyLookup", "PvgisFetcher", "PvgisQuery", "RateLimitedError", "RegisterApiFetcher",
    "RetryPolicy", "Secret", "ServerError", "SolarFetchResult", "SolarRequest", "SolarYield",
    "SolarYieldRepository", "TooManyResultsError", "TransportError", "XmlFolderFetcher",
    "legacy_credentials", "register_token",
]
