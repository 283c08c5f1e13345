"""``ara rate FILE... [--json]``: rate each input file and print a summary or JSON lines.

Every file is read on its own (a file that does not parse gets its ``error`` and the others
go on); the dwellings that read are scored together in one lenient ``calculate`` call.
Exit status 0 when every file was rated, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

RATE_COLUMNS = (
    "sap_rating", "sap_band", "sap_rating_continuous", "ei_rating", "ei_band",
    "ei_rating_continuous", "space_heating_requirement_kwh", "space_heating_fuel_main1_kwh",
    "space_heating_fuel_main2_kwh", "space_heating_fuel_secondary_kwh",
    "water_heating_fuel_kwh", "pumps_fans_kwh", "lighting_kwh", "pv_generation_kwh",
    "pv_exported_kwh", "total_fuel_cost_gbp", "energy_cost_factor", "co2_kg_per_year",
    "primary_energy_kwh", "primary_energy_kwh_per_m2", "total_floor_area_m2",
)


def _read(path: Path) -> dict[str, Any]:
    """One dwelling from a file, as calculator input: full SAP XML as it is; RdSAP XML and
    register JSON through the RdSAP 10 expansion (rating method RdSAP 10)."""
    from ara.sap.xml_reader import read_sap_xml

    suffix = path.suffix.lower()
    if suffix == ".xml":
        head = path.read_bytes()[:4096]
        if b"RdSAP" not in head:
            return read_sap_xml(path, dwelling_id=str(path))
        from ara.rdsap.readers import read_rdsap_xml

        return _expand_one(read_rdsap_xml(path), path)
    if suffix == ".json":
        from ara.rdsap.readers import read_register_json

        return _expand_one(read_register_json(path.read_text(encoding="utf-8")), path)
    raise ValueError(f"unsupported file type {suffix!r} (ara rate reads SAP or RdSAP .xml "
                     "and register .json certificates)")


def _expand_one(row: dict[str, Any], path: Path) -> dict[str, Any]:
    import pyarrow as pa

    from ara.rdsap.expansion import expand
    from ara.rdsap.readers import CERTIFICATE_SCHEMA

    result = expand(pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA), [str(path)])
    inputs: dict[str, Any] = result.inputs.to_pylist()[0]
    if result.problems and inputs.get("storeys") is None:
        raise ValueError("; ".join(f"{f}: {m}" for _r, _c, f, m in result.problems))
    return inputs


def rate_files(paths: list[Path]) -> list[dict[str, Any]]:
    """One result dict per file: ``file``, ``error`` (None when rated) and RATE_COLUMNS."""
    from ara.sap import calculate

    results: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    slots: list[int] = []
    for path in paths:
        entry: dict[str, Any] = {"file": str(path), "error": None}
        entry.update(dict.fromkeys(RATE_COLUMNS))
        try:
            rows.append(_read(path))
            slots.append(len(results))
        except Exception as exc:  # a file that does not read is reported, the rest go on
            entry["error"] = f"{type(exc).__name__}: {exc}"
        results.append(entry)
    if rows:
        table = calculate(rows, strict=False)
        for slot, out in zip(slots, table.to_pylist(), strict=True):
            if out["status"] != "ok":
                results[slot]["error"] = out["error"]
                continue
            for column in RATE_COLUMNS:
                results[slot][column] = out[column]
    return results


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}" if math.isfinite(value) else str(value)
    return str(value)


def render(result: dict[str, Any]) -> str:
    if result["error"]:
        return f"{result['file']}\n  error: {result['error']}"
    r = result
    return "\n".join([
        f"{r['file']}",
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
    results = rate_files([Path(f) for f in args.files])
    for result in results:
        if args.json:
            print(json.dumps(result, allow_nan=False))
        else:
            print(render(result))
    return 1 if any(r["error"] for r in results) else 0


def add_parser(sub: Any) -> None:
    rate = sub.add_parser(
        "rate", help="rate SAP / RdSAP XML and register JSON files and print their ratings",
        description="Rate each FILE (full SAP XML; RdSAP XML or register certificate JSON, "
                    "expanded by the RdSAP 10 rules) and print a readable summary, or with "
                    "--json one JSON object per file holding the output columns and an "
                    "'error' field (null when it worked). Exit 1 if any file failed.")
    rate.add_argument("files", nargs="+", metavar="FILE", help="files to rate")
    rate.add_argument("--json", action="store_true", help="one JSON object per file")
    rate.set_defaults(func=cmd_rate)
