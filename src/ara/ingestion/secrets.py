"""Credentials of the EPC APIs: where they are read from, and a value type that keeps them out
of logs, exception messages, reprs and anything persisted.

Sources, first found wins:

* environment: ``ARA_EPC_API_TOKEN`` (the 2025 register API's bearer token),
  ``ARA_EPC_LEGACY_EMAIL`` and ``ARA_EPC_LEGACY_KEY`` (the legacy open-data API's Basic auth);
* a TOML file: ``$ARA_CREDENTIALS_FILE``, else ``$XDG_CONFIG_HOME/ara/credentials.toml``
  (``~/.config/ara/credentials.toml``)::

      [epc_register]
      token = "..."

      [epc_legacy]
      email = "..."
      key = "..."

A credentials file readable by other users is used, with a warning. Errors name the variable
or the file and the missing key, never a value.
"""

from __future__ import annotations

import logging
import os
import stat
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NoReturn

__all__ = ["ENV_CREDENTIALS_FILE", "ENV_LEGACY_EMAIL", "ENV_LEGACY_KEY", "ENV_REGISTER_TOKEN",
           "CredentialsError", "Secret", "credentials_path", "legacy_credentials", "redact",
           "register_token"]

log = logging.getLogger(__name__)

ENV_REGISTER_TOKEN = "ARA_EPC_API_TOKEN"
ENV_LEGACY_EMAIL = "ARA_EPC_LEGACY_EMAIL"
ENV_LEGACY_KEY = "ARA_EPC_LEGACY_KEY"
ENV_CREDENTIALS_FILE = "ARA_CREDENTIALS_FILE"

_MASK = "********"


class CredentialsError(RuntimeError):
    """A credential is missing or unusable; the message says where it was looked for."""


class Secret:
    """A credential. ``str``, ``repr`` and formatting show a mask; only :meth:`reveal` gives
    the value, and it is called in exactly one place: where the HTTP header is built. A Secret
    refuses to be pickled, so it cannot travel into a worker process or a cache by accident."""

    __slots__ = ("_name", "_value")

    def __init__(self, value: str, name: str = "secret") -> None:
        if not isinstance(value, str):
            raise TypeError(f"{name}: a secret is text, not {type(value).__name__}")
        value = value.strip()
        if not value:
            raise CredentialsError(f"{name} is empty")
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            raise CredentialsError(f"{name} contains control characters")
        self._name = name
        self._value = value

    @property
    def name(self) -> str:
        """Where the secret came from, e.g. ``ARA_EPC_API_TOKEN``: safe to show."""
        return self._name

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self._name!r}, {_MASK!r})"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> NoReturn:
        raise TypeError(f"{self._name}: a Secret is never pickled")


#: A text that ends with this many leading characters of a secret or more (a cut through the
#: token) has that tail masked too.
_MIN_PARTIAL = 4


def redact(text: str, secrets: Iterable[Secret]) -> str:
    """``text`` with every secret's value replaced by a mask (for messages that quote a
    server's reply: some servers echo request headers). A text cut through a secret, so that
    it ends with the secret's first characters, has that tail masked as well."""
    for secret in secrets:
        value = secret.reveal()
        if value and value in text:
            text = text.replace(value, _MASK)
        for size in range(min(len(value) - 1, len(text)), _MIN_PARTIAL - 1, -1):
            if text.endswith(value[:size]):
                text = text[:-size] + _MASK
                break
    return text


def redact_and_cut(text: str, secrets: Iterable[Secret], limit: int) -> str:
    """Redact first, then cut to ``limit`` characters: a secret that straddles the cut is
    masked whole before the cut could split it."""
    return redact(text, secrets)[:limit]


def credentials_path(environ: Mapping[str, str] | None = None) -> Path:
    """The credentials file that would be read (it may not exist)."""
    env = os.environ if environ is None else environ
    explicit = env.get(ENV_CREDENTIALS_FILE)
    if explicit:
        return Path(explicit).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path("~").expanduser() / ".config")
    return Path(base) / "ara" / "credentials.toml"


def _read_file(path: Path) -> dict[str, object]:
    if not path.is_file():
        return {}
    mode = path.stat().st_mode
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        log.warning("credentials file %s can be read by other users (mode %o); "
                    "chmod 600 it", path, stat.S_IMODE(mode))
    try:
        with path.open("rb") as stream:
            return tomllib.load(stream)
    except tomllib.TOMLDecodeError as exc:
        # the decoder's message gives a position, never the text around it
        raise CredentialsError(f"{path}: not valid TOML: {exc}") from None


def _from_file(path: Path, table: str, key: str) -> Secret | None:
    section = _read_file(path).get(table)
    if section is None:
        return None
    if not isinstance(section, dict):
        raise CredentialsError(f"{path}: [{table}] is not a table")
    value = section.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise CredentialsError(f"{path}: [{table}] {key} is not a string")
    return Secret(value, f"{path} [{table}] {key}")


def _lookup(env_name: str, table: str, key: str, environ: Mapping[str, str] | None,
            config_path: Path | None) -> Secret | None:
    env = os.environ if environ is None else environ
    if env.get(env_name, "").strip():
        return Secret(env[env_name], env_name)
    return _from_file(config_path or credentials_path(env), table, key)


def register_token(*, environ: Mapping[str, str] | None = None,
                   config_path: str | os.PathLike[str] | None = None) -> Secret:
    """The bearer token of the 2025 register API (``ARA_EPC_API_TOKEN`` or the file's
    ``[epc_register] token``)."""
    path = Path(config_path) if config_path is not None else None
    token = _lookup(ENV_REGISTER_TOKEN, "epc_register", "token", environ, path)
    if token is None:
        where = path or credentials_path(environ)
        raise CredentialsError(
            f"no token for the EPC register API: set {ENV_REGISTER_TOKEN} or put "
            f"[epc_register] token in {where}")
    return token


def legacy_credentials(*, environ: Mapping[str, str] | None = None,
                       config_path: str | os.PathLike[str] | None = None
                       ) -> tuple[Secret, Secret]:
    """(email, API key) of the legacy open-data API (``ARA_EPC_LEGACY_EMAIL`` and
    ``ARA_EPC_LEGACY_KEY``, or the file's ``[epc_legacy] email`` and ``key``)."""
    path = Path(config_path) if config_path is not None else None
    email = _lookup(ENV_LEGACY_EMAIL, "epc_legacy", "email", environ, path)
    key = _lookup(ENV_LEGACY_KEY, "epc_legacy", "key", environ, path)
    missing = [name for name, value in ((ENV_LEGACY_EMAIL, email), (ENV_LEGACY_KEY, key))
               if value is None]
    if email is None or key is None:
        where = path or credentials_path(environ)
        raise CredentialsError(
            f"no credentials for the legacy EPC open-data API: set {' and '.join(missing)} "
            f"or put [epc_legacy] email and key in {where}")
    return email, key
