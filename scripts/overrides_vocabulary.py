"""The overrides vocabulary, measured (issue 20): the classifier of ``ara overrides import``
(:func:`ara.domain.overrides.classify_statement`) run over every distinct description of the
register's samples held in the repository and of the bundled sample.

    python scripts/overrides_vocabulary.py            # writes docs/overrides_vocabulary.md
    python scripts/overrides_vocabulary.py --check    # exit 1 when it is stale

Sources (read only from this repository; nothing from outside it):

* the register's **open-data CSV** samples: every ``*.csv`` under ``tests/vectors`` and
  ``tests/rdsap/fixtures`` whose header holds one of the register's description columns
  (``WALLS_DESCRIPTION``, ``ROOF_DESCRIPTION``, ``FLOOR_DESCRIPTION``, ``WINDOWS_DESCRIPTION``,
  ``MAINHEAT_DESCRIPTION``, ``MAIN_FUEL``, ``PROPERTY_TYPE``, ``BUILT_FORM``; any case);
* the register's **certificate documents** there (``tests/vectors/register``,
  ``tests/vectors/epb-register-api``: XML and JSON): the same descriptions, lodged with each
  energy-performance element (``Walls``, ``Roof``, ``Floor``, ``Window``, ``Main-Heating``)
  and the dwelling type ("Mid-terrace house");
* the **bundled sample** (``src/ara/data``): its example overrides file (a landlord's own
  phrasings, read by attribute as the import reads them) and any open-data CSV there. Its
  certificates are coded (no descriptions), so they add none.

Each distinct (attribute, description) is read once and counted once, whichever sources hold
it: the share is of the vocabulary met, not of the homes.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ara.domain.overrides import Reading, attribute_key, attribute_targets, classify_statement

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "overrides_vocabulary.md"
#: Folders searched for the register's samples (open-data CSVs and certificate documents).
REGISTER_ROOTS = ("tests/vectors", "tests/rdsap/fixtures")
#: The bundled sample.
BUNDLED_ROOT = "src/ara/data"

#: Open-data CSV column (as :func:`attribute_key` reads it) -> the attribute measured.
CSV_COLUMNS = {
    "walls_description": "walls", "roof_description": "roof",
    "floor_description": "floor", "windows_description": "glazing",
    "mainheat_description": "heating", "main_fuel": "fuel",
    "property_type": "property_type", "built_form": "built_form",
}
#: Certificate XML element -> attribute (its ``Description`` child; ``Dwelling-Type`` is the
#: text itself).
XML_ELEMENTS = {"Walls": "walls", "Roof": "roof", "Floor": "floor", "Window": "glazing",
                "Windows": "glazing", "Main-Heating": "heating", "Dwelling-Type": "property"}
#: Certificate JSON key (top level) -> attribute.
JSON_KEYS = {"walls": "walls", "roofs": "roof", "roof": "roof", "floors": "floor",
             "window": "glazing", "windows": "glazing", "main_heating": "heating",
             "dwelling_type": "property"}
#: The overrides an attribute sets -> the name it is measured under (``roof``, ``loft`` and
#: ``roof_insulation`` all read a roof / loft insulation thickness).
MEASURED_AS = {
    ("wall_construction", "wall_insulation"): "walls (construction and insulation)",
    ("wall_construction",): "wall construction",
    ("wall_insulation",): "wall insulation",
    ("roof_insulation",): "roof / loft insulation",
    ("property_type",): "property type",
    ("built_form",): "built form",
    ("property_type", "built_form"): "property (type and form)",
    ("floor_construction", "floor_insulation"): "floor (construction and insulation)",
    ("floor_construction",): "floor construction",
    ("floor_insulation",): "floor insulation",
    ("glazing_type",): "glazing",
    ("main_heating", "main_fuel"): "heating (system and fuel)",
    ("main_fuel",): "fuel",
}
#: The attributes in the order the tables list them.
ORDER = tuple(MEASURED_AS.values())


def measured_as(attribute: str) -> str:
    """The name an attribute's descriptions are counted under: by the overrides it sets
    (:data:`MEASURED_AS`), or its own name when the overlay covers none."""
    targets = attribute_targets(attribute)
    return MEASURED_AS.get(targets, attribute_key(attribute)) if targets else \
        attribute_key(attribute)


@dataclass
class Entry:
    attribute: str
    text: str
    reading: Reading
    detail: str
    """The codes (classified) or the reason (vague, unknown)."""
    sources: set[str] = field(default_factory=set)


@dataclass
class Measure:
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)
    sources: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Source path -> (kind, descriptions read from it, with repeats)."""

    def add(self, source: str, kind: str, attribute: str, text: str) -> None:
        """One description: classified as ``attribute`` (the name it came under), counted
        under the attribute's :func:`measured_as` name; the same words in another case are
        the same description."""
        text = " ".join(text.split())
        if not text:
            return
        measured = measured_as(attribute)
        key = (measured, text.casefold())
        entry = self.entries.get(key)
        if entry is None:
            c = classify_statement(attribute, text)
            if c.classified:
                detail = ", ".join(f"{n} {v.value}" for n, v in c.values)
            elif attribute_targets(attribute) is None:
                detail = "not covered by the overlay (yet)"
            else:
                detail = c.reason
            entry = self.entries[key] = Entry(measured, text, c.reading, detail)
        entry.sources.add(source)
        held_kind, count = self.sources.get(source, (kind, 0))
        self.sources[source] = (held_kind, count + 1)

    def shares(self) -> dict[str, dict[Reading, int]]:
        """Attribute -> distinct descriptions per reading."""
        out: dict[str, dict[Reading, int]] = {}
        for e in self.entries.values():
            counts = out.setdefault(e.attribute, dict.fromkeys(Reading, 0))
            counts[e.reading] += 1
        return dict(sorted(out.items(), key=lambda kv: _rank(kv[0])))


def _rank(attribute: str) -> tuple[int, str]:
    return (ORDER.index(attribute) if attribute in ORDER else len(ORDER), attribute)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# ---- reading the sources -----------------------------------------------------------------

def _csv_records(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            yield {attribute_key(k): (v or "") for k, v in row.items() if k is not None}


def _csv_header(path: Path) -> list[str]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [attribute_key(h) for h in next(csv.reader(fh), [])]


def read_open_data_csv(measure: Measure, path: Path, name: str) -> None:
    columns = [c for c in _csv_header(path) if c in CSV_COLUMNS]
    for row in _csv_records(path):
        for column in columns:
            measure.add(name, "register open-data CSV", CSV_COLUMNS[column], row[column])


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def read_xml(measure: Measure, path: Path, name: str) -> None:
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError:
        return
    for element in root.iter():
        attribute = XML_ELEMENTS.get(_local(element.tag))
        if attribute is None:
            continue
        if attribute == "property":
            measure.add(name, "register certificate", attribute, element.text or "")
            continue
        for child in element:
            if _local(child.tag) == "Description":
                measure.add(name, "register certificate", attribute, child.text or "")


def _json_texts(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _json_texts(item)
    elif isinstance(value, dict):
        if "description" in value:
            yield from _json_texts(value["description"])
        elif isinstance(value.get("value"), str):
            yield value["value"]


def read_json(measure: Measure, path: Path, name: str) -> None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        document = document["data"]
    if not isinstance(document, dict):
        return
    for key, attribute in JSON_KEYS.items():
        for text in _json_texts(document.get(key)):
            measure.add(name, "register certificate", attribute, text)


def read_overrides_file(measure: Measure, path: Path, name: str) -> None:
    """A landlord's overrides file (long layout: attribute and value columns)."""
    for row in _csv_records(path):
        attribute, value = row.get("attribute", ""), row.get("value", "")
        if attribute and value:
            measure.add(name, "bundled landlord overrides", attribute_key(attribute), value)


def measure_sources(root: Path = REPO) -> Measure:
    """Read every source under ``root`` (the repository)."""
    measure = Measure()
    for folder in REGISTER_ROOTS:
        base = root / folder
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            name = _relative(path, root)
            suffix = path.suffix.lower()
            if suffix == ".csv" and set(_csv_header(path)) & set(CSV_COLUMNS):
                read_open_data_csv(measure, path, name)
            elif suffix == ".xml" and "xsd" not in path.parts:
                read_xml(measure, path, name)
            elif suffix == ".json" and "xsd" not in path.parts:
                read_json(measure, path, name)
    bundled = root / BUNDLED_ROOT
    for path in sorted(bundled.rglob("*.csv")) if bundled.is_dir() else []:
        name = _relative(path, root)
        header = set(_csv_header(path))
        if {"attribute", "value"} <= header:
            read_overrides_file(measure, path, name)
        elif header & set(CSV_COLUMNS) - {"property_type", "built_form"}:
            read_open_data_csv(measure, path, name)
    return measure


# ---- the document ------------------------------------------------------------------------

def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f} %" if whole else "-"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(measure: Measure) -> str:
    shares = measure.shares()
    lines = [
        "# The overrides vocabulary, measured",
        "",
        "Generated by `python scripts/overrides_vocabulary.py` (issue 20); `--check` says "
        "whether this file is current, and `tests/test_overrides_vocabulary.py` runs it and "
        "pins the shares (floors: they may only grow). The classifier is "
        "`ara.domain.overrides.classify_statement`, the one `ara overrides import` uses "
        "(`docs/overrides.md` documents its vocabulary).",
        "",
        "Every distinct (attribute, description) of the sources below is read once and "
        "counted once: the shares are of the phrasings met, not of the homes. *classified*: "
        "every override the description speaks of has one code (it would be applied); "
        "*vague*: it says something but not enough (\"(assumed)\", insulated without a "
        "depth, a boiler not said to be combi or regular): never guessed; *unknown*: no word "
        "of the vocabulary, or an attribute the overlay does not cover.",
        "",
        "## Sources",
        "",
        "| source | kind | descriptions read |",
        "|---|---|---|",
    ]
    for name, (kind, count) in sorted(measure.sources.items()):
        lines.append(f"| `{name}` | {kind} | {count} |")
    lines += ["", "The bundled sample's certificates (`src/ara/data/sample_portfolio/"
              "certificates.ndjson.gz`) are coded, with no descriptions: they add none.", "",
              "## Shares per attribute (distinct descriptions)", "",
              "| attribute | overlay covers it | distinct | classified | vague | unknown |",
              "|---|---|---|---|---|---|"]
    totals = dict.fromkeys(Reading, 0)
    covered_totals = dict.fromkeys(Reading, 0)
    for attribute, counts in shares.items():
        n = sum(counts.values())
        covered = attribute in MEASURED_AS.values()
        for r in Reading:
            totals[r] += counts[r]
            if covered:
                covered_totals[r] += counts[r]
        lines.append(f"| {attribute} | {'yes' if covered else 'no'} | {n} | "
                     + " | ".join(f"{counts[r]} ({_pct(counts[r], n)})" for r in Reading)
                     + " |")
    for label, counts in (("all the overlay covers", covered_totals), ("all", totals)):
        n = sum(counts.values())
        lines.append(f"| **{label}** | | {n} | "
                     + " | ".join(f"{counts[r]} ({_pct(counts[r], n)})" for r in Reading)
                     + " |")
    for reading, title in ((Reading.UNKNOWN, "Unknown phrasings"),
                           (Reading.VAGUE, "Vague phrasings"),
                           (Reading.CLASSIFIED, "Classified phrasings")):
        entries = sorted((e for e in measure.entries.values() if e.reading is reading),
                         key=lambda e: (_rank(e.attribute), e.text.lower(), e.text))
        lines += ["", f"## {title} ({len(entries)})", ""]
        if not entries:
            lines.append("None.")
            continue
        what = "codes" if reading is Reading.CLASSIFIED else "why"
        lines += [f"| attribute | description | {what} | sources |", "|---|---|---|---|"]
        for e in entries:
            lines.append(f"| {e.attribute} | {_cell(e.text)} | {_cell(e.detail)} | "
                         f"{len(e.sources)} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Regenerate docs/overrides_vocabulary.md: the share of the register's "
                    "and the bundled sample's descriptions the overrides vocabulary "
                    "classifies (issue 20).")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 when the document differs from a fresh measurement")
    parser.add_argument("-o", "--output", type=Path, default=DOC)
    args = parser.parse_args(argv)
    measure = measure_sources()
    text = render(measure)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python scripts/overrides_vocabulary.py",
                  file=sys.stderr)
            return 1
        print(f"{args.output} is current")
        return 0
    args.output.write_text(text, encoding="utf-8")
    for attribute, counts in measure.shares().items():
        n = sum(counts.values())
        print(f"{attribute}: {n} distinct, " + ", ".join(
            f"{r.value} {counts[r]} ({_pct(counts[r], n)})" for r in Reading))
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
