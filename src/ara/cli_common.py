"""What every ``ara`` command shares, below the commands themselves (issue 16: the CLI
without import loops): exit statuses, the user-facing error, the files bundled in
``ara/data``, the extras check and the progress-bar switch. The command modules import this,
never each other or :mod:`ara.cli`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

EXIT_OK = 0
EXIT_REJECTED = 1
EXIT_BAD_INPUT = 2
#: Refused for the environment, not the input: credentials missing, the 'pipeline' extra not
#: installed, the database unreachable or at another schema revision (BSD EX_CONFIG).
EXIT_CONFIG = 78
#: Exit status of an unexpected failure (BSD EX_SOFTWARE).
EXIT_INTERNAL = 70


class CliError(Exception):
    """A user-facing failure: printed as ``ara <command>: <message>``, exit code ``code``."""

    def __init__(self, message: str, code: int = EXIT_BAD_INPUT) -> None:
        super().__init__(message)
        self.code = code


def bundled(name: str) -> Path:
    """A file shipped in ``ara/data``."""
    return Path(str(resources.files("ara") / "data" / name))


def sample_dwellings_path() -> Path:
    return bundled("sample_dwellings.parquet")


def example_xml_path() -> Path:
    return bundled("example_complete_sap.xml")


PIPELINE_MODULES = ("sqlalchemy", "alembic", "psycopg", "httpx", "yaml", "matplotlib",
                    "orjson")


def missing_extra(command: str, modules: Sequence[str] = PIPELINE_MODULES) -> bool:
    """True after printing one line when a module of the 'pipeline' extra is missing: the
    calculator installs without the database, HTTP and plotting stacks."""
    message = extra_message(modules)
    if message:
        print(f"ara {command}: error: {message}", file=sys.stderr)
    return bool(message)


def extra_message(modules: Sequence[str] = PIPELINE_MODULES) -> str:
    """What to install when a module of the 'pipeline' extra is missing, else ''."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    return (f"needs {', '.join(missing)}, from the 'pipeline' extra: "
            "pip install 'ara-sap[pipeline]'") if missing else ""


def show_progress(flag: bool) -> bool:
    """A progress bar when asked for, or when stderr is a terminal."""
    return flag or sys.stderr.isatty()


def whole_number(text: str, minimum: int) -> int:
    """``text`` as a whole number of at least ``minimum``, else argparse's error."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if value < minimum:
        raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
    return value


def positive(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    return whole_number(text, 1)
