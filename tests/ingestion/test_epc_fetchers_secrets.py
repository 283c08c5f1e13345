"""Credentials: where they are read from, and that a token or key never reaches a log line,
an exception message, a repr or a pickle, even when the server echoes it back."""

from __future__ import annotations

import base64
import logging
import os
import pickle
from collections.abc import Iterator
from pathlib import Path

import pytest
from ingestion.replay_server import FAST_RETRY, ReplayServer, Reply

from ara.ingestion import (
    AuthError,
    CredentialsError,
    LegacyOpenDataFetcher,
    PropertyLookup,
    RegisterApiFetcher,
    Secret,
    legacy_credentials,
    register_token,
)
from ara.ingestion.http import BasicAuth, BearerAuth, HttpClient

TOKEN_VALUE = "tok-SECRET-7d41c0e2a9"
KEY_VALUE = "key-SECRET-51aa93"
EMAIL_VALUE = "someone-SECRET@example.org"
NUMBER = "0000-0000-0000-0000-2101"


@pytest.fixture()
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as replay:
        yield replay


# -- where credentials come from -------------------------------------------------------------
def test_register_token_comes_from_the_environment() -> None:
    token = register_token(environ={"ARA_EPC_API_TOKEN": f"  {TOKEN_VALUE}\n"})

    assert token.reveal() == TOKEN_VALUE and token.name == "ARA_EPC_API_TOKEN"


def test_register_token_comes_from_the_credentials_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(f'[epc_register]\ntoken = "{TOKEN_VALUE}"\n')
    path.chmod(0o600)

    token = register_token(environ={"ARA_CREDENTIALS_FILE": str(path)})

    assert token.reveal() == TOKEN_VALUE


def test_environment_wins_over_the_credentials_file(tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text('[epc_register]\ntoken = "from-file"\n')

    token = register_token(environ={"ARA_EPC_API_TOKEN": "from-env"}, config_path=path)

    assert token.reveal() == "from-env"


def test_missing_token_error_names_the_variable_and_the_file(tmp_path: Path) -> None:
    with pytest.raises(CredentialsError) as caught:
        register_token(environ={"XDG_CONFIG_HOME": str(tmp_path)})

    assert "ARA_EPC_API_TOKEN" in str(caught.value)
    assert str(tmp_path / "ara" / "credentials.toml") in str(caught.value)


def test_legacy_credentials_come_from_the_environment_or_name_what_is_missing(
        tmp_path: Path) -> None:
    email, key = legacy_credentials(environ={"ARA_EPC_LEGACY_EMAIL": EMAIL_VALUE,
                                             "ARA_EPC_LEGACY_KEY": KEY_VALUE})
    with pytest.raises(CredentialsError, match="set ARA_EPC_LEGACY_KEY or put"):
        legacy_credentials(environ={"ARA_EPC_LEGACY_EMAIL": EMAIL_VALUE,
                                    "XDG_CONFIG_HOME": str(tmp_path)})

    assert (email.reveal(), key.reveal()) == (EMAIL_VALUE, KEY_VALUE)


def test_fetcher_without_a_token_reads_the_environment(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ARA_EPC_API_TOKEN", TOKEN_VALUE)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))

    fetcher = RegisterApiFetcher()

    assert "ARA_EPC_API_TOKEN" in repr(fetcher) and TOKEN_VALUE not in repr(fetcher)


def test_world_readable_credentials_file_is_used_with_a_warning_that_shows_no_value(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(f'[epc_register]\ntoken = "{TOKEN_VALUE}"\n')
    path.chmod(0o644)

    with caplog.at_level(logging.WARNING):
        token = register_token(environ={}, config_path=path)

    assert token.reveal() == TOKEN_VALUE
    if os.name == "posix":
        assert "can be read by other users" in caplog.text
    assert TOKEN_VALUE not in caplog.text


def test_invalid_credentials_file_error_shows_no_value(tmp_path: Path) -> None:
    path = tmp_path / "credentials.toml"
    path.write_text(f'[epc_register]\ntoken = {TOKEN_VALUE}\n')

    with pytest.raises(CredentialsError) as caught:
        register_token(environ={}, config_path=path)

    assert "not valid TOML" in str(caught.value) and TOKEN_VALUE not in str(caught.value)


def test_token_with_control_characters_is_refused_without_showing_it() -> None:
    with pytest.raises(CredentialsError) as caught:
        Secret(f"{TOKEN_VALUE}\r\nX-Injected: 1", "ARA_EPC_API_TOKEN")

    assert TOKEN_VALUE not in str(caught.value)


# -- where credentials must never appear -----------------------------------------------------
def test_secret_masks_itself_in_str_repr_and_format_and_is_never_pickled() -> None:
    secret = Secret(TOKEN_VALUE, "ARA_EPC_API_TOKEN")

    shown = [str(secret), repr(secret), f"{secret}", f"{secret!r}", str([secret])]
    with pytest.raises(TypeError, match="never pickled"):
        pickle.dumps(secret)

    assert all(TOKEN_VALUE not in text for text in shown)


def test_reprs_of_fetchers_clients_and_auth_show_no_credentials() -> None:
    token = Secret(TOKEN_VALUE, "t")
    email, key = Secret(EMAIL_VALUE, "e"), Secret(KEY_VALUE, "k")
    objects = [RegisterApiFetcher(token), LegacyOpenDataFetcher(email, key), BearerAuth(token),
               BasicAuth(email, key), HttpClient("api", "http://127.0.0.1", auth=BearerAuth(token)),
               HttpClient("api", "http://127.0.0.1", auth=BasicAuth(email, key))]

    texts = [repr(o) for o in objects] + [str(o) for o in objects]

    for value in (TOKEN_VALUE, EMAIL_VALUE, KEY_VALUE):
        assert all(value not in text for text in texts)


def test_token_never_appears_in_logs_or_errors_across_faults(
        server: ReplayServer, caplog: pytest.LogCaptureFixture) -> None:
    """429, 500, a server that echoes the Authorization header in its error body, and a 401
    that does the same: debug logging of every logger is on."""
    echo = f"bad request: Authorization: Bearer {TOKEN_VALUE}"
    server.route("/api/domestic/search", Reply.error(429, headers={"Retry-After": "0.01"}),
                 Reply.error(500, echo), query={"uprn": "1"})
    server.route("/api/domestic/search", Reply.error(400, echo), query={"uprn": "2"})
    server.route("/api/certificate", Reply.error(401, echo))
    fetcher = RegisterApiFetcher(Secret(TOKEN_VALUE, "ARA_EPC_API_TOKEN"), base_url=server.url,
                                 retry=FAST_RETRY, requests_per_second=None)

    with caplog.at_level(logging.DEBUG):
        result = fetcher.fetch([PropertyLookup("p1", uprn=1), PropertyLookup("p2", uprn=2)])
        with pytest.raises(AuthError) as caught:
            fetcher.fetch([PropertyLookup("p3", certificate_number=NUMBER)])

    assert [f.kind for f in result.failures] == ["server_error", "client_error"]
    messages = [f.message for f in result.failures] + [str(caught.value), repr(caught.value)]
    assert "********" in messages[0] and "********" in str(caught.value)
    for text in [caplog.text, *messages, repr(fetcher), repr(result)]:
        assert TOKEN_VALUE not in text
    assert server.requests[0].headers["Authorization"] == f"Bearer {TOKEN_VALUE}"


def test_legacy_key_and_encoded_credentials_never_appear_in_errors(
        server: ReplayServer, caplog: pytest.LogCaptureFixture) -> None:
    encoded = base64.b64encode(f"{EMAIL_VALUE}:{KEY_VALUE}".encode()).decode()
    server.route("/domestic/search", Reply.error(403, f"denied for Basic {encoded}"))
    fetcher = LegacyOpenDataFetcher(Secret(EMAIL_VALUE, "e"), Secret(KEY_VALUE, "k"),
                                    base_url=server.url, retry=FAST_RETRY,
                                    requests_per_second=None)

    with caplog.at_level(logging.DEBUG), pytest.raises(AuthError) as caught:
        fetcher.fetch([PropertyLookup("p1", uprn=7)])

    assert str(caught.value).startswith("EPC open data API (legacy): HTTP 403")
    for text in (caplog.text, str(caught.value)):
        assert KEY_VALUE not in text and encoded not in text


@pytest.mark.parametrize("offset", range(280, 305))
def test_token_straddling_the_cut_of_an_error_message_never_leaks(
        server: ReplayServer, offset: int) -> None:
    """Redact first, then cut (issue 15 item 3): an echoed token starting anywhere around the
    300-character limit of the quoted error body, or around the 2,000-byte read, is masked
    whole or masked as a cut tail; never a run of 4 or more of its characters survives."""
    body = "x" * offset + TOKEN_VALUE + " tail"
    server.route("/api/domestic/search", Reply.error(400, body), query={"uprn": "1"})
    fetcher = RegisterApiFetcher(Secret(TOKEN_VALUE, "ARA_EPC_API_TOKEN"), base_url=server.url,
                                 retry=FAST_RETRY, requests_per_second=None)
    result = fetcher.fetch([PropertyLookup("p1", uprn=1)])
    [failure] = result.failures
    for size in range(4, len(TOKEN_VALUE) + 1):
        assert TOKEN_VALUE[:size] not in failure.message


@pytest.mark.parametrize("cut", [1, 3, 4, 10, 30])
def test_redact_masks_a_secret_cut_at_the_end_of_the_text(cut: int) -> None:
    from ara.ingestion.secrets import redact, redact_and_cut

    secret = Secret(TOKEN_VALUE, "t")
    text = "prefix " + TOKEN_VALUE[:cut]
    masked = redact(text, [secret])
    assert (TOKEN_VALUE[:cut] not in masked) if cut >= 4 else masked == text
    assert TOKEN_VALUE[:4] not in redact_and_cut("a" * 10 + TOKEN_VALUE, [secret], 14)
