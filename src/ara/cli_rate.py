"""``ara rate FILE... [--json]``: rate each input file and print a summary or JSON lines.

Every file is read on its own (a file that does not parse gets its ``error`` and the others
go on); the dwellings that read are scored together in one lenient ``calculate`` call.
A ``.csv`` file (open-data summary rows, legacy or 2025 register export) gives one rating
per row, ``file`` naming ``path:line``: the row is completed by the CSV inference
(:mod:`ara.rdsap.expansion.infer_summary`), so its result is an **estimate** (``estimate``
true, ``inferred_fields`` counts the fields filled in, and the readable summary says so).
Exit status 0 when every file (every row) was rated, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ara.sap.fallbacks import MODES, Mode, check_mode, refusal_text

RATE_COLUMNS = (
    "sap_rating", "sap_band", "sap_rating_continuous", "ei_rating", "ei_band",
    "ei_rating_continuous", "space_heating_requirement_kwh", "space_heating_fuel_main_kwh",
    "space_heating_fuel_main1_kwh",
    "space_heating_fuel_main2_kwh", "space_heating_fuel_secondary_kwh",
    "water_heating_fuel_kwh", "pumps_fans_kwh", "lighting_kwh", "pv_generation_kwh",
    "pv_exported_kwh", "total_fuel_cost_gbp", "energy_cost_factor", "co2_kg_per_year",
    "primary_energy_kwh", "primary_energy_kwh_per_m2", "total_floor_area_m2",
)
#: Extra fields of every result: where it came from and whether it is an estimate.
SOURCE_COLUMNS = ("certificate_number", "lodged_sap_rating", "estimate", "inferred_fields",
                  "assumptions")


def _read(path: Path, mode: Mode = "strict",
          pcdb: Any = None) -> tuple[dict[str, Any], list[str]]:
    """One dwelling from a file, as calculator input, and the estimate fallbacks it used:
    full SAP certificates (XML, and the register's JSON of SAP-Schema certificates) through
    the full-SAP readers' rules and declared fallbacks (:mod:`ara.sap.xml_reader`,
    :mod:`ara.sap.sap_json_reader`); RdSAP XML and register JSON through the RdSAP 10
    expansion (rating method RdSAP 10); both in ``mode``. A document larger than
    :data:`~ara.sap.xml_reader.MAX_DOCUMENT_BYTES` is refused before it is read."""
    from ara.sap.xml_reader import MAX_DOCUMENT_BYTES

    suffix = path.suffix.lower()
    if suffix in (".xml", ".json") and (size := path.stat().st_size) > MAX_DOCUMENT_BYTES:
        raise ValueError(f"document is {size:,} bytes, above the {MAX_DOCUMENT_BYTES:,}-byte "
                         "limit for one certificate (many certificates in one file: "
                         "ara expand or ara validate stream it)")
    if suffix == ".xml":
        if _xml_root(path) in ("SAP-Report", "ConditionReportCreateRequest_1"):  # 16.x message
            from ara.sap.xml_reader import read_sap_xml_certificate

            return _full_sap(read_sap_xml_certificate(path, mode, dwelling_id=str(path),
                                                      products=pcdb), mode)
        from ara.rdsap.readers import read_rdsap_xml

        return _expand_one(read_rdsap_xml(path), path, mode, pcdb)
    if suffix == ".json":
        from ara.sap.sap_json_reader import is_sap_json, read_sap_json_certificate

        text = path.read_text(encoding="utf-8")
        try:
            document = json.loads(text)
        except ValueError:
            document = None  # the RdSAP reader reports the invalid JSON
        if is_sap_json(document):
            return _full_sap(read_sap_json_certificate(document, mode, dwelling_id=str(path),
                                                       products=pcdb), mode)
        from ara.rdsap.readers import read_register_json

        return _expand_one(read_register_json(text), path, mode, pcdb)
    raise ValueError(f"unsupported file type {suffix!r} (ara rate reads SAP or RdSAP .xml, "
                     "register .json certificates and open-data .csv summary rows)")


def _xml_root(path: Path) -> str | None:
    """The local name of the document's root element, read by the XML parser (so any
    declared encoding, UTF-16 included, is honoured; entities and DTDs refused), or None
    when it does not parse (the RdSAP reader then names the fault)."""
    import defusedxml.ElementTree as DefusedET
    from defusedxml.common import DefusedXmlException

    try:
        for _event, element in DefusedET.iterparse(str(path), events=("start",)):
            return str(element.tag).rsplit("}", 1)[-1]
    except (DefusedXmlException, SyntaxError, ValueError, LookupError, OSError):
        return None
    return None


class RefusedError(ValueError):
    """The certificate is refused: every reason, and in strict mode what would unblock it."""


def _full_sap(reading: Any, mode: Mode) -> tuple[dict[str, Any], list[str]]:
    """A full-SAP certificate's row and assumptions, or RefusedError naming every missing
    item (strict mode) and what blocks it in both modes. The calculator's own checks run on
    the refused row as estimate mode would rate it, so the refusal also says what the
    fallbacks would not unblock."""
    if not reading.refusals:
        return reading.row, list(reading.assumptions)
    reasons = list(reading.refusals)
    reasons += [r for r in _calculator_problems(reading.row) if r not in reasons]
    raise RefusedError(refusal_text(reasons, mode))


def _calculator_problems(row: dict[str, Any]) -> list[str]:
    """'field: message' for every problem the calculator finds in one row (no worksheet
    run)."""
    import pyarrow as pa

    from ara.sap.prepare import conform, prepare
    from ara.sap.schema import SAP_INPUT_SCHEMA
    from ara.sap.tables import load_tables

    prep = prepare(conform(pa.Table.from_pylist([row], schema=SAP_INPUT_SCHEMA)),
                   load_tables())
    return [f"{field}: {message}" for rows, field, message in
            zip(prep.problems.rows, prep.problems.fields, prep.problems.messages, strict=True)
            if len(rows)]


def _expand_one(row: dict[str, Any], path: Path, mode: Mode,
                pcdb: Any = None) -> tuple[dict[str, Any], list[str]]:
    import pyarrow as pa

    from ara.rdsap.expansion import expand
    from ara.rdsap.readers import CERTIFICATE_SCHEMA

    result = expand(pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA), [str(path)],
                    mode=mode, pcdb=pcdb)
    if result.refused[0]:
        raise RefusedError(refusal_text(result.reasons(0), mode))
    inputs: dict[str, Any] = result.inputs.to_pylist()[0]
    return inputs, list(result.assumptions[0].as_py() or [])


def _entry(name: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"file": name, "error": None}
    entry.update(dict.fromkeys(SOURCE_COLUMNS))
    entry["estimate"] = False
    entry.update(dict.fromkeys(RATE_COLUMNS))
    return entry


#: Rows of an open-data CSV read, expanded and rated at a time: memory stays flat in the
#: file's size (issue 15 item 5).
CSV_BATCH_ROWS = 5_000
#: Other files (one certificate each) rated at a time.
FILE_BATCH = 1_000


def _read_csv(path: Path, mode: Mode, batch_size: int = CSV_BATCH_ROWS
              ) -> Iterator[list[tuple[dict[str, Any], dict[str, Any] | None]]]:
    """Per batch of rows of an open-data summary CSV: (result entry, calculator input or
    None) per row, read, completed by the CSV inference (an estimate), expanded, in line
    order. Estimate mode only: strict mode refuses every row (its dimensions and systems are
    inferred, not lodged)."""
    import pyarrow as pa

    from ara.rdsap.expansion import expand
    from ara.rdsap.expansion.infer_summary import infer_summary
    from ara.rdsap.readers.csv_summary import iter_summary_csv

    first = 0
    for batch, failures in iter_summary_csv(path, batch_size, keep_raw=False):
        out: list[tuple[dict[str, Any], dict[str, Any] | None]] = []
        for failure in failures:
            entry = _entry(failure.source or str(path))
            entry.update(certificate_number=failure.certificate_number, estimate=True,
                         error=f"unreadable row: {failure.field}: {failure.message}")
            out.append((entry, None))
        certs = infer_summary(pa.Table.from_batches([batch]))
        result = expand(certs, [str(i) for i in range(certs.num_rows)], mode="estimate")
        problems: dict[int, list[str]] = {}
        for row, _cert, field, message in result.problems:
            problems.setdefault(row, []).append(f"{field}: {message}")
        inputs = result.inputs.to_pylist()
        for i, cert in enumerate(certs.to_pylist()):
            entry = _entry(cert.get("source") or f"{path}:row {first + i + 1}")
            entry.update(certificate_number=cert["certificate_number"],
                         lodged_sap_rating=cert["energy_rating_current"], estimate=True,
                         inferred_fields=len(cert["inferred_fields"] or ()),
                         assumptions=["csv_summary_inference",
                                      *(result.assumptions[i].as_py() or [])])
            if mode == "strict":
                entry["error"] = ("missing in strict mode (--mode estimate rates it with "
                                  "these assumptions): an open-data CSV summary row lodges no "
                                  "RdSAP dimensions or systems: they are inferred "
                                  "(docs/rdsap/csv_inference.md)")
                out.append((entry, None))
            elif i in problems:
                entry["error"] = "blocked: " + "; ".join(problems[i])
                out.append((entry, None))
            else:
                out.append((entry, inputs[i]))
        first += certs.num_rows
        yield sorted(out, key=_line)


def _line(item: tuple[dict[str, Any], dict[str, Any] | None]) -> int:
    tail = str(item[0]["file"]).rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def rate_files(paths: list[Path], mode: Mode = "strict",
               pcdb: Any = None) -> list[dict[str, Any]]:
    """One result dict per file (per row of a CSV file): ``file``, ``error`` (None when
    rated), SOURCE_COLUMNS and RATE_COLUMNS. ``mode``: strict refuses a certificate that
    needs an estimate fallback; estimate rates it and lists the fallbacks in
    ``assumptions``. :func:`iter_rate_files` gives the same results as they are rated."""
    return list(iter_rate_files(paths, mode, pcdb))


def iter_rate_files(paths: list[Path], mode: Mode = "strict", pcdb: Any = None,
                    csv_batch_rows: int = CSV_BATCH_ROWS) -> Iterator[dict[str, Any]]:
    """The results of :func:`rate_files`, in the same order, rated and handed out a batch at
    a time (``csv_batch_rows`` rows of a CSV, or up to FILE_BATCH other files): memory stays
    flat however long the input."""
    pending: list[tuple[dict[str, Any], dict[str, Any] | None]] = []

    def flush() -> Iterator[dict[str, Any]]:
        yield from _rated(pending)
        pending.clear()

    for path in paths:
        if path.suffix.lower() == ".csv":
            yield from flush()
            any_row = False
            try:
                for read in _read_csv(path, mode, csv_batch_rows):
                    any_row = any_row or bool(read)
                    yield from _rated(read)
                if not any_row:  # an empty file or a header only: nothing to rate fails
                    entry = _entry(str(path))
                    entry["error"] = "no certificate rows in the file"
                    yield entry
            except Exception as exc:  # a CSV that does not read (any further)
                entry = _entry(str(path))
                entry["error"] = f"{type(exc).__name__}: {exc}"
                yield entry
            continue
        entry = _entry(str(path))
        dwelling: dict[str, Any] | None = None
        try:
            dwelling, assumptions = _read(path, mode, pcdb)
            entry["assumptions"] = assumptions
            entry["estimate"] = bool(assumptions)
        except RefusedError as exc:
            entry["error"] = f"refused: {exc}"
        except Exception as exc:  # a file that does not read is reported, the rest go on
            entry["error"] = f"{type(exc).__name__}: {exc}"
        pending.append((entry, dwelling))
        if len(pending) >= FILE_BATCH:
            yield from flush()
    yield from flush()


def _rated(items: list[tuple[dict[str, Any], dict[str, Any] | None]]
           ) -> Iterator[dict[str, Any]]:
    """The entries of ``items``, those with a calculator input rated in one call."""
    from ara.sap import calculate

    rows = [dwelling for _entry_, dwelling in items if dwelling is not None]
    outs = iter(calculate(rows, strict=False).to_pylist() if rows else [])
    for entry, dwelling in items:
        if dwelling is not None:
            out = next(outs)
            if out["status"] != "ok":
                entry["error"] = out["error"]
            else:
                for column in RATE_COLUMNS:
                    entry[column] = out[column]
        yield entry


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}" if math.isfinite(value) else str(value)
    return str(value)


def render(result: dict[str, Any]) -> str:
    head = result["file"]
    if result.get("certificate_number") and result.get("estimate"):
        head += f"  ({result['certificate_number']})"
    if result["error"]:
        return f"{head}\n  error: {result['error']}"
    r = result
    estimate = []
    if r.get("inferred_fields") is not None:
        estimate.append(
            f"  ESTIMATE     from an open-data CSV summary row: {r['inferred_fields']} fields "
            f"inferred from descriptions and Ara's assumptions (lodged SAP "
            f"{_fmt(r['lodged_sap_rating'])})")
    elif r.get("estimate"):
        estimate.append("  ESTIMATE     with the declared fallbacks (spec/tables/"
                        "estimate_fallbacks.csv): " + ", ".join(r.get("assumptions") or []))
    return "\n".join([
        head, *estimate,
        f"  SAP rating   {r['sap_rating']} {r['sap_band']}  ({_fmt(r['sap_rating_continuous'], 2)})"
        f"   EI rating {r['ei_rating']} {r['ei_band']}  ({_fmt(r['ei_rating_continuous'], 2)})",
        f"  floor area   {_fmt(r['total_floor_area_m2'])} m2",
        f"  space heat   {_fmt(r['space_heating_requirement_kwh'], 0)} kWh demand, "
        f"{_fmt(r['space_heating_fuel_main1_kwh'], 0)} kWh main fuel",
        f"  water heat   {_fmt(r['water_heating_fuel_kwh'], 0)} kWh   pumps/fans "
        f"{_fmt(r['pumps_fans_kwh'], 0)} kWh   lighting {_fmt(r['lighting_kwh'], 0)} kWh",
        f"  PV           {_fmt(r['pv_generation_kwh'], 0)} kWh generated, "
        f"{_fmt(r['pv_exported_kwh'], 0)} kWh exported",
        f"  cost         GBP {_fmt(r['total_fuel_cost_gbp'], 2)} a year "
        f"(ECF {_fmt(r['energy_cost_factor'], 3)})",
        f"  CO2          {_fmt(r['co2_kg_per_year'], 0)} kg a year   primary energy "
        f"{_fmt(r['primary_energy_kwh'], 0)} kWh ({_fmt(r['primary_energy_kwh_per_m2'])} kWh/m2)",
    ])


def cmd_rate(args: argparse.Namespace) -> int:
    try:
        pcdb = load_user_pcdb(args.pcdb)
    except ValueError as exc:
        print(f"ara rate: error: {exc}", file=sys.stderr)
        return 2
    failed = False
    for result in iter_rate_files([Path(f) for f in args.files], check_mode(args.mode), pcdb):
        failed = failed or bool(result["error"])
        if args.json:
            print(json.dumps(result, allow_nan=False))
        else:
            print(render(result))
    return 1 if failed else 0


def add_parser(sub: Any) -> None:
    rate = sub.add_parser(
        "rate", help="rate SAP / RdSAP XML, register JSON and open-data CSV files and print "
                     "their ratings",
        description="Rate each FILE (full SAP XML; RdSAP XML or register certificate JSON, "
                    "expanded by the RdSAP 10 rules; open-data CSV summary rows, one rating "
                    "per row, completed by documented inference and marked as estimates) "
                    "and print a readable summary, or with --json one JSON object per file "
                    "(per CSV row) holding the output columns, 'estimate' and an 'error' "
                    "field (null when it worked). Exit 1 if any file or row failed. An XML or "
                    "JSON document over 16 MiB is refused before it is read.")
    rate.add_argument("files", nargs="+", metavar="FILE", help="files to rate")
    rate.add_argument("--json", action="store_true", help="one JSON object per file")
    add_mode_argument(rate, default="strict")
    add_pcdb_argument(rate)
    rate.set_defaults(func=cmd_rate)


def add_mode_argument(parser: Any, default: Mode) -> None:
    """``--mode strict|estimate`` (decision 0022)."""
    parser.add_argument(
        "--mode", choices=MODES, default=default,
        help="strict: rate only from lodged data and the spec, refusing a certificate "
             "that needs a fallback and naming what is missing; estimate: fill such gaps "
             "from the declared fallbacks (spec/tables/estimate_fallbacks.csv), mark the "
             f"rating as an estimate and list the assumptions (default: {default})")


def add_pcdb_argument(parser: Any) -> None:
    """``--pcdb PATH`` (default: the ARA_PCDB environment variable)."""
    parser.add_argument(
        "--pcdb", metavar="PATH",
        help="your copy of the BRE Product Characteristics Database (pcdb10.dat, used under "
             "BRE's terms; Ara ships no part of it): products lodged by index take their "
             "own data (default: $ARA_PCDB; without it such products take the declared "
             "estimate fallback)")


def load_user_pcdb(path: str | None) -> Any:
    """The PCDB at ``path`` or $ARA_PCDB (parsed once, then read from the Parquet cache), or
    None. A file that is missing or does not parse raises ValueError naming it."""
    from ara.rdsap.pcdb import PcdbError, load_pcdb, pcdb_path_from_env

    where = Path(path) if path else pcdb_path_from_env()
    if where is None:
        return None
    if not where.is_file():
        raise ValueError(f"PCDB file {where} not found (--pcdb or ARA_PCDB)")
    try:
        return load_pcdb(where)
    except PcdbError as exc:
        raise ValueError(f"PCDB file {where} cannot be read: {exc}") from exc
