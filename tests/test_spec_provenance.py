"""Provenance checks for the specification tables in spec/tables/.

Every CSV must start with a normalized block of '#' comment lines giving
document, edition, table, page and status, and must parse as a plain CSV
once the '#' lines are skipped.
"""

import csv
import io
import re
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TABLES_DIR = REPO_ROOT / "spec" / "tables"

REQUIRED_KEYS = ("document", "edition", "table", "page", "status")
ALLOWED_STATUS = {"verified", "transcribed", "derived", "engine-observed"}
_KEY_RE = re.compile(r"^#\s*([A-Za-z][A-Za-z_-]*)\s*:\s*(.*?)\s*$")

CSV_FILES = sorted(TABLES_DIR.glob("**/*.csv"))


def _read_lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def _header_fields(path):
    """Key/value pairs of the leading '#' comment lines (first occurrence wins)."""
    fields = {}
    for line in _read_lines(path):
        if not line.startswith("#"):
            break
        match = _KEY_RE.match(line)
        if match:
            fields.setdefault(match.group(1).lower(), match.group(2))
    return fields


def _data_rows(path):
    body = "\n".join(line for line in _read_lines(path) if not line.startswith("#"))
    return list(csv.reader(io.StringIO(body)))


def test_tables_present():
    assert CSV_FILES, f"no CSV files found under {TABLES_DIR}"


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: p.name)
def test_provenance_header(path):
    fields = _header_fields(path)
    for key in REQUIRED_KEYS:
        assert key in fields, f"{path.name}: missing '# {key}:' line"
        assert fields[key].strip(), f"{path.name}: empty '# {key}:' value"
    assert fields["status"] in ALLOWED_STATUS, (
        f"{path.name}: status {fields['status']!r} not in {sorted(ALLOWED_STATUS)}"
    )


@pytest.mark.parametrize("path", CSV_FILES, ids=lambda p: p.name)
def test_parses_as_csv(path):
    rows = _data_rows(path)
    assert len(rows) >= 2, f"{path.name}: needs a header row and at least one data row"
    header = rows[0]
    assert all(cell.strip() for cell in header), f"{path.name}: blank column name in header"
    width = len(header)
    for number, row in enumerate(rows[1:], start=2):
        assert len(row) == width, (
            f"{path.name}: data row {number} has {len(row)} columns, header has {width}"
        )
