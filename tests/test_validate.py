"""``ara validate`` (issue 13): every figure of the summary against a count made here, by hand,
from the same certificates rated independently (``ara.cli_rate.rate_files`` file by file, or
one whole-archive ``expand`` + ``calculate``), in both modes; zip archives; the JSON keys; the
HTML report; exit codes."""

from __future__ import annotations

import json
import math
import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from ara.cli import main
from ara.cli_rate import rate_files
from ara.rdsap.readers import read_certificates_table
from ara.sap.fallbacks import check_mode
from ara.validate import (
    DIMENSIONS,
    HIST_HIGH,
    HIST_LOW,
    HIST_STEP,
    RESERVOIR_SIZE,
    THRESHOLDS,
    ValidationSummary,
    group_label,
    reason_key,
    validate,
)

REPO = Path(__file__).resolve().parents[1]
REGISTER = REPO / "tests" / "vectors" / "register"
ARCHIVE = REPO / "src" / "ara" / "data" / "sample_portfolio" / "certificates.ndjson.gz"
ODC_CSV = REPO / "tests" / "rdsap" / "fixtures" / "odc_certificates.csv"
MODES = ("strict", "estimate")
BATCH = 750  # does not divide 2,000: batches are regrouped across the reader's own
#: metric -> (calculated output, lodged column of CERTIFICATE_SCHEMA, unit scale, relative)
METRICS = {
    "sap": ("sap_rating_continuous", "energy_rating_current", 1.0, False),
    "sap_integer": ("sap_rating", "energy_rating_current", 1.0, False),
    "ei": ("ei_rating_continuous", "environmental_impact_current", 1.0, False),
    "co2": ("co2_kg_per_year", "co2_emissions_current_kg_per_yr", 1000.0, True),
    "pe": ("primary_energy_kwh_per_m2", "energy_consumption_current_kwh_per_m2_yr", 1.0, True),
}


# ------------------------------------------------------------------------------------------
# Counting by hand
# ------------------------------------------------------------------------------------------
def _scored(schema: str | None) -> bool:
    return bool(schema) and (schema.startswith("RdSAP-Schema-21.")  # type: ignore[union-attr]
                             or schema.startswith("SAP-Schema-19."))  # type: ignore[union-attr]


def _groups(cert: dict[str, Any]) -> dict[str, str]:
    """The breakdown labels of one certificate row, read here from the row itself."""
    parts = cert.get("building_parts") or []
    heating = (cert.get("main_heating") or [{}])[0]
    category, code = heating.get("main_heating_category"), heating.get("sap_main_heating_code")
    raw_heating = (f"category {category}" if category is not None
                   else f"SAP code {code[:-2]}xx" if code is not None else None)
    return {"schema_version": cert.get("schema_type") or "(not lodged)",
            "age_band": group_label("age_band", parts[0].get("construction_age_band")
                                    if parts else None),
            "property_type": group_label("property_type", cert.get("property_type")),
            "main_heating": group_label("main_heating", raw_heating),
            "main_fuel": group_label("main_fuel", heating.get("main_fuel_type"))}


def _stats(pairs: list[tuple[float, float]], relative: bool) -> dict[str, Any]:
    """n, MAE, bias and the shares within each threshold of (lodged, calculated) pairs."""
    n = len(pairs)
    errors = [c - lodged for lodged, c in pairs]
    out: dict[str, Any] = {"n": n, "mae": sum(abs(e) for e in errors) / n,
                           "bias": sum(errors) / n}
    for t in THRESHOLDS:
        inside = 0
        for (lodged, _c), e in zip(pairs, errors, strict=True):
            size = (abs(e) * 100.0 / abs(lodged) if lodged else (0.0 if e == 0 else math.inf)) \
                if relative else abs(e)
            inside += size <= t
        out[f"{t:g}"] = inside / n
    return out


def _expected_accuracy(rated: list[tuple[dict[str, Any], dict[str, Any]]]
                       ) -> dict[str, dict[str, dict[str, dict[str, Any]]]]:
    """metric -> dimension -> label -> stats, over (certificate row, calculated row) pairs."""
    out: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
    for metric, (calc_col, lodged_col, scale, relative) in METRICS.items():
        buckets: dict[str, dict[str, list[tuple[float, float]]]] = {
            d: {} for d in ("overall", *DIMENSIONS)}
        for cert, calc in rated:
            if not _scored(cert.get("schema_type")):
                continue
            lodged, value = cert.get(lodged_col), calc.get(calc_col)
            if lodged is None or value is None or not math.isfinite(value):
                continue
            pair = (lodged / scale, value / scale)
            buckets["overall"].setdefault("all", []).append(pair)
            for dim, label in _groups(cert).items():
                buckets[dim].setdefault(label, []).append(pair)
        out[metric] = {d: {label: _stats(pairs, relative) for label, pairs in groups.items()}
                       for d, groups in buckets.items()}
    return out


def _check_accuracy(summary: ValidationSummary,
                    rated: list[tuple[dict[str, Any], dict[str, Any]]]) -> None:
    expected = _expected_accuracy(rated)
    for metric, dims in expected.items():
        for dim, groups in dims.items():
            got = summary.accuracy[metric][dim]
            assert set(got) == set(groups), (metric, dim)
            for label, want in groups.items():
                st = got[label]
                assert st.n == want["n"], (metric, dim, label)
                assert st.mae == pytest.approx(want["mae"], rel=1e-9, abs=1e-9)
                assert st.bias == pytest.approx(want["bias"], rel=1e-9, abs=1e-9)
                for key, share in st.shares().items():
                    assert share == pytest.approx(want[key]), (metric, dim, label, key)
    # the SAP error histogram and the reservoir sample
    sap_pairs = [(cert["energy_rating_current"], calc["sap_rating_continuous"])
                 for cert, calc in rated if _scored(cert.get("schema_type"))
                 and cert.get("energy_rating_current") is not None]
    bins = round((HIST_HIGH - HIST_LOW) / HIST_STEP)
    counts, below, above = [0] * bins, 0, 0
    for lodged, calc in sap_pairs:
        error = calc - lodged
        if error < HIST_LOW:
            below += 1
        elif error > HIST_HIGH:
            above += 1
        else:
            counts[min(int((error - HIST_LOW) // HIST_STEP), bins - 1)] += 1
    assert (summary.sap_error_counts, summary.sap_error_below, summary.sap_error_above) == (
        counts, below, above)
    assert len(summary.sample_lodged) == min(RESERVOIR_SIZE, len(sap_pairs))
    assert set(zip(summary.sample_lodged, summary.sample_calculated, strict=True)) <= {
        (float(lodged), calc) for lodged, calc in sap_pairs}


def _fallback_key(message: str) -> str | None:
    found = re.search(r"estimate mode would use fallback (\w+)", message)
    return f"fallback {found[1]}" if found else None


# ------------------------------------------------------------------------------------------
# The bundled sample archive (2,000 certificates), once per mode
# ------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def archive() -> dict[str, Any]:
    """Per mode: the summary (batches of BATCH, with the expand / calculate calls counted)
    and the same archive rated here in one expand + calculate call."""
    import ara.rdsap.expansion as expansion
    import ara.sap as sap
    from ara.rdsap.expansion import expand
    from ara.sap import calculate

    certs, failures = read_certificates_table(ARCHIVE, keep_raw=False)
    assert not failures
    rows = certs.to_pylist()
    out: dict[str, Any] = {"rows": rows}
    for mode in MODES:
        calls: Counter[str] = Counter()

        def counted_expand(*args: Any, _calls: Counter[str] = calls, **kw: Any) -> Any:
            _calls["expand"] += 1
            return expand(*args, **kw)

        def counted_calculate(*args: Any, _calls: Counter[str] = calls, **kw: Any) -> Any:
            _calls["calculate"] += 1
            return calculate(*args, **kw)

        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(expansion, "expand", counted_expand)
            mp.setattr(sap, "calculate", counted_calculate)
            summary = validate([ARCHIVE], mode, batch_size=BATCH)
        result = expand(certs, [r["source"] for r in rows], mode=check_mode(mode))
        refused = sorted({p[0] for p in result.problems})
        ok = [i for i in range(len(rows)) if i not in set(refused)]
        calculated = calculate(result.inputs.take(ok), strict=False).to_pylist()
        out[mode] = {"summary": summary, "calls": dict(calls), "result": result,
                     "refused": refused, "ok": ok, "calculated": calculated}
    return out


@pytest.mark.parametrize("mode", MODES)
def test_archive_coverage_counts_by_hand(archive: dict[str, Any], mode: str) -> None:
    s: ValidationSummary = archive[mode]["summary"]
    rows, result = archive["rows"], archive[mode]["result"]
    ok, calculated = archive[mode]["ok"], archive[mode]["calculated"]
    rated = [i for i, c in zip(ok, calculated, strict=True) if c["status"] == "ok"]
    rejected = [i for i, c in zip(ok, calculated, strict=True) if c["status"] != "ok"]
    estimates = [i for i in rated if result.estimate[i]]
    refused = archive[mode]["refused"] + rejected
    assert s.certificates == len(rows) == 2000
    assert (s.rated, s.rated_estimate, s.refused, s.unreadable) == (
        len(rated) - len(estimates), len(estimates), len(refused), 0)
    assert s.scored == sum(_scored(rows[i]["schema_type"]) for i in rated)
    by_schema: dict[str, Counter[str]] = {}
    for i in rated:
        by_schema.setdefault(rows[i]["schema_type"], Counter())[
            "rated_estimate" if result.estimate[i] else "rated"] += 1
    for i in refused:
        by_schema.setdefault(rows[i]["schema_type"], Counter())["refused"] += 1
    assert {k: {w: v[w] for w in ("rated", "rated_estimate", "refused")}
            for k, v in by_schema.items()} == s.by_schema
    # refusal reasons: certificates per fallback (strict) or field and message
    reasons: dict[str, set[int]] = {}
    for row, _cert, field, message in result.problems:
        reasons.setdefault(_fallback_key(message) or f"{field}: {message}", set()).add(row)
    assert {k: len(v) for k, v in reasons.items()} == dict(s.refusal_reasons)
    used: Counter[str] = Counter()
    for i in rated:
        used.update(set(result.assumptions[i].as_py() or []))
    assert used == s.fallbacks_used
    assert s.exit_code == (1 if refused else 0)


def test_archive_modes_differ_as_decision_0022_says(archive: dict[str, Any]) -> None:
    strict, estimate = archive["strict"]["summary"], archive["estimate"]["summary"]
    assert strict.rated_estimate == 0 and not strict.fallbacks_used
    assert estimate.refused == 0 and estimate.exit_code == 0
    assert strict.refused == estimate.rated_estimate > 0
    assert strict.rated == estimate.rated
    assert {k.removeprefix("fallback ") for k in strict.refusal_reasons} == set(
        estimate.fallbacks_used)


@pytest.mark.parametrize("mode", MODES)
def test_archive_accuracy_by_hand(archive: dict[str, Any], mode: str) -> None:
    rows = archive["rows"]
    rated = [(rows[i], c) for i, c in zip(archive[mode]["ok"], archive[mode]["calculated"],
                                          strict=True) if c["status"] == "ok"]
    summary: ValidationSummary = archive[mode]["summary"]
    assert summary.scored > 0
    _check_accuracy(summary, rated)
    # only the SAP 10.2 lodgements are scored: the 21.0.0 certificates of the sample
    assert set(summary.groups("sap", "schema_version")) == {"RdSAP-Schema-21.0.0"}
    assert summary.overall("sap").n == sum(
        1 for cert, _ in rated if cert["schema_type"].startswith("RdSAP-Schema-21."))


@pytest.mark.parametrize("mode", MODES)
def test_archive_is_rated_in_batches(archive: dict[str, Any], mode: str) -> None:
    """One expand and one calculate call per batch of BATCH certificates."""
    batches = math.ceil(2000 / BATCH)
    assert archive[mode]["calls"] == {"expand": batches, "calculate": batches}


# ------------------------------------------------------------------------------------------
# The register samples, rated file by file with ara rate
# ------------------------------------------------------------------------------------------
def _first_text(root: Any, name: str) -> str | None:
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.rsplit("}", 1)[-1] == name:
            return (element.text or "").strip() or None
    return None


def _full_sap_certificate(path: Path) -> dict[str, Any]:
    """The lodged figures and breakdown of a full SAP XML, read here with ElementTree, as a
    certificate row (CO2 in kg/yr, the main fuel in SAP's own numbering)."""
    import xml.etree.ElementTree as ET

    root = ET.parse(path).getroot()
    number = {k: float(v) if (v := _first_text(root, k)) is not None else None
              for k in ("Energy-Rating-Current", "Environmental-Impact-Current",
                        "CO2-Emissions-Current", "Energy-Consumption-Current")}
    fuel = _first_text(root, "Main-Fuel-Type")
    co2 = number["CO2-Emissions-Current"]
    return {"schema_type": _first_text(root, "Schema-Version-Original"),
            "energy_rating_current": number["Energy-Rating-Current"],
            "environmental_impact_current": number["Environmental-Impact-Current"],
            "co2_emissions_current_kg_per_yr": co2 * 1000 if co2 is not None else None,
            "energy_consumption_current_kwh_per_m2_yr": number["Energy-Consumption-Current"],
            "property_type": _first_text(root, "Property-Type"),
            "building_parts": [{"construction_age_band":
                                _first_text(root, "Construction-Age-Band")}],
            "main_heating": [{"main_heating_category": _first_text(root, "Main-Heating-Category"),
                              "sap_main_heating_code": None,
                              "main_fuel_type": f"SAP fuel {fuel}" if fuel else None}]}


def _full_sap_json_certificate(path: Path) -> dict[str, Any]:
    """The same from a full-SAP register JSON (the collected data at the top level)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    document = document.get("data", document)
    heating = (document.get("sap_heating") or {}).get("main_heating_details") or [{}]
    parts = document.get("sap_building_parts") or [{}]
    co2 = document.get("co2_emissions_current")
    fuel = heating[0].get("main_fuel_type")

    def text(value: Any) -> str | None:
        return None if value is None else str(value)

    return {"schema_type": document.get("schema_type"),
            "energy_rating_current": document.get("energy_rating_current"),
            "environmental_impact_current": document.get("environmental_impact_current"),
            "co2_emissions_current_kg_per_yr": co2 * 1000 if co2 is not None else None,
            "energy_consumption_current_kwh_per_m2_yr": document.get("energy_consumption_current"),
            "property_type": text(document.get("property_type")),
            "building_parts": [{"construction_age_band": text(parts[0].get(
                "construction_age_band"))}],
            "main_heating": [{"main_heating_category": text(heating[0].get(
                "main_heating_category")), "sap_main_heating_code": None,
                "main_fuel_type": f"SAP fuel {fuel}" if fuel is not None else None}]}


def _fields(messages: list[str]) -> set[str]:
    """The fields of 'field: message' texts that block a rating (not fallbacks)."""
    return {m.split(": ", 1)[0] for m in messages
            if re.match(r"^[\w.\[\]*]+: ", m) and "strict mode refuses" not in m}


def _register_by_hand(files: list[Path], mode: str) -> dict[str, Any]:
    """Per certificate: outcome, (certificate, calculated) when rated, the fallback ids that
    refused it, the fields that blocked it in the reader or calculator. RdSAP documents are
    rated file by file by ``ara rate``; full SAP XML by the SAP XML reader (in the mode when it
    offers modes) and one calculate call each."""
    from ara.sap import calculate, xml_reader

    try:
        from ara.sap import sap_json_reader
    except ImportError:  # a tree without the full-SAP JSON reader: the RdSAP reader refuses it
        sap_json_reader = None  # type: ignore[assignment]
    read_sap_json_certificate = getattr(sap_json_reader, "read_sap_json_certificate", None)
    full_sap = [f for f in files if f.name.startswith("SAP-Schema") and (
        f.suffix == ".xml" or (f.suffix == ".json" and read_sap_json_certificate is not None))]
    results = rate_files([f for f in files if f not in full_sap], mode)  # type: ignore[arg-type]
    certs, _failures = read_certificates_table(files, keep_raw=False)
    by_source = {row["source"]: row for row in certs.to_pylist()}
    outcome: Counter[str] = Counter()
    rated: list[tuple[dict[str, Any], dict[str, Any]]] = []
    assumptions: Counter[str] = Counter()
    fallbacks: Counter[str] = Counter()
    fields: Counter[str] = Counter()
    for r in results:
        error = r["error"]
        if error is None:
            outcome["rated_estimate" if r["estimate"] else "rated"] += 1
            rated.append((by_source.get(r["file"], {}), r))
            assumptions.update(set(r["assumptions"] or []))
        elif re.match(r"^\w+Error: ", error):
            outcome["unreadable"] += 1
        else:
            outcome["refused"] += 1
            fallbacks.update({k for m in error.split("; ") if (k := _fallback_key(m))})
            if not error.startswith("refused:"):  # the calculator's
                fields.update(_fields(error.split("; ")))
    certificate = getattr(xml_reader, "read_sap_xml_certificate", None)
    for path in full_sap:
        if path.suffix == ".json":
            assert read_sap_json_certificate is not None
            reading = read_sap_json_certificate(path, mode, dwelling_id=str(path))
            row, refusals, used = reading.row, list(reading.refusals), set(reading.assumptions)
        elif certificate is not None:
            try:
                reading = certificate(path, mode, dwelling_id=str(path))
            except xml_reader.SapXmlError:  # e.g. the SAP-Schema-16.x-18.0.0 samples
                outcome["unreadable"] += 1
                continue
            row, refusals, used = reading.row, list(reading.refusals), set(reading.assumptions)
        else:
            row, refusals, used = xml_reader.read_sap_xml(path, str(path)), [], set()
        if refusals:
            outcome["refused"] += 1
            fallbacks.update({k for m in refusals if (k := _fallback_key(m))})
            fields.update(_fields(refusals))
            continue
        [calc] = calculate([row], strict=False).to_pylist()
        if calc["status"] != "ok":
            outcome["refused"] += 1
            fields.update(_fields(calc["error"].split("; ")))
            continue
        outcome["rated_estimate" if used else "rated"] += 1
        assumptions.update(used)
        rated.append((_full_sap_certificate(path) if path.suffix == ".xml"
                      else _full_sap_json_certificate(path), calc))
    return {"outcome": outcome, "rated": rated, "assumptions": assumptions,
            "fallbacks": fallbacks, "fields": fields}


@pytest.mark.parametrize("mode", MODES)
def test_register_samples_by_hand(mode: str) -> None:
    files = sorted(REGISTER.iterdir())
    want = _register_by_hand(files, mode)
    s = validate([REGISTER], mode)
    got = Counter({"rated": s.rated, "rated_estimate": s.rated_estimate, "refused": s.refused,
                   "unreadable": s.unreadable})
    assert +got == want["outcome"]
    assert s.certificates == len(files) == 19  # 7 of them SAP-Schema-16.x-18.0.0
    _check_accuracy(s, want["rated"])
    assert s.fallbacks_used == want["assumptions"]
    # the windows larger than their walls refuse the RdSAP 9.x samples in both modes
    assert s.refusal_reasons["windows[]: contradiction in the certificate's own data"] == 3
    # the other reasons: strict-mode fallbacks by id, blocking ones by field
    assert want["fallbacks"] == {k: v for k, v in s.refusal_reasons.items()
                                 if k.startswith("fallback ")}
    got_fields: Counter[str] = Counter()
    for key, n in s.refusal_reasons.items():
        if not key.startswith(("fallback ", "windows[]")):
            got_fields[key.split(": ", 1)[0]] += n
    assert got_fields == want["fields"]
    assert sum(s.unreadable_reasons.values()) == want["outcome"]["unreadable"]
    if mode == "strict":
        assert s.scored == 0
    else:
        assert s.scored >= 5  # the five RdSAP-Schema-21 samples at least
    assert s.exit_code == 1


@pytest.mark.parametrize("mode", MODES)
def test_open_data_csv_rows(mode: str) -> None:
    results = rate_files([ODC_CSV], mode)  # type: ignore[arg-type]
    s = validate([ODC_CSV], mode)
    unreadable = sum(1 for r in results if (r["error"] or "").startswith("unreadable row"))
    rated = [r for r in results if r["error"] is None]
    assert s.unreadable == unreadable == 1
    assert s.rated_estimate == len(rated) and s.rated == 0
    assert s.refused == len(results) - unreadable - len(rated)
    if mode == "strict":
        assert s.refusal_reasons == {"fallback csv_summary_inference": 2}
    else:
        used: Counter[str] = Counter()
        for r in rated:
            used.update(set(r["assumptions"]))
        assert s.fallbacks_used == used and used["csv_summary_inference"] == 2
    assert s.scored == 0  # a summary row names no schema


def _comparable(summary: ValidationSummary) -> dict[str, Any]:
    data = summary.to_dict()
    for key in ("inputs", "elapsed_s", "certificates_per_s", "refusal_examples"):
        data.pop(key)
    return data


@pytest.mark.parametrize("mode", MODES)
def test_zip_archive_matches_the_loose_files(tmp_path: Path, mode: str) -> None:
    """A .zip of the register samples (XML, JSON, full SAP XML) and an open-data CSV gives
    the summary of the same files read loose."""
    archive = tmp_path / "bulk.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(REGISTER.iterdir()):
            zf.write(file, f"certificates/{file.name}")
        zf.write(ODC_CSV, "summary/odc.csv")
    zipped = validate([archive], mode, batch_size=4)
    loose = validate([REGISTER, ODC_CSV], mode, batch_size=4)
    assert _comparable(zipped) == _comparable(loose)
    assert zipped.certificates == 19 + 3
    assert zipped.unreadable >= 1  # the CSV row without habitable rooms
    assert all("bulk.zip!" in example for example in zipped.refusal_examples.values())


def test_reason_key_groups_by_fallback_and_stable_head() -> None:
    message = ("frame material (PVC-Frame) not lodged (strict mode refuses; estimate mode "
               "would use fallback window_frame_unknown: wood or PVC frame)")
    assert reason_key("windows[].pvc_frame", message) == "fallback window_frame_unknown"
    assert reason_key("main1_fuel", "no standing charge in spec/ for fuel 5 (Table 12)") == \
        reason_key("main1_fuel", "no standing charge in spec/ for fuel 17 (Table 12)") == \
        "main1_fuel: no standing charge in spec/ for fuel #"
    assert reason_key("x", "required: give it") == "x: required"


# ------------------------------------------------------------------------------------------
# The command: JSON, report, exit codes
# ------------------------------------------------------------------------------------------
def test_json_output_keys(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", "--json", str(REGISTER)])
    data = json.loads(capsys.readouterr().out)
    assert code == 1 == data["exit_code"]
    assert set(data) == {"mode", "inputs", "batch_size", "coverage", "scored_schemas",
                         "refusal_reasons", "unreadable_reasons", "fallbacks_used",
                         "refusal_examples", "accuracy", "sap_error_histogram", "sample_size",
                         "elapsed_s", "certificates_per_s", "exit_code"}
    assert data["mode"] == "estimate" and data["batch_size"] == 5000
    assert set(data["coverage"]) == {"certificates", "rated", "rated_estimate", "refused",
                                     "unreadable", "scored", "not_scored", "by_schema"}
    assert data["coverage"]["certificates"] == 19
    assert set(data["accuracy"]) == {"sap", "sap_integer", "ei", "co2", "pe"}
    for metric in data["accuracy"].values():
        assert set(metric) == {"label", "unit", "within_unit", "overall", "by"}
        assert set(metric["by"]) == set(DIMENSIONS)
        assert set(metric["overall"]) == {"n", "mae", "bias", "share_within"}
        assert set(metric["overall"]["share_within"]) == {"0.5", "1", "2", "5"}
    assert data["accuracy"]["co2"]["unit"] == "t/yr"
    assert data["accuracy"]["co2"]["within_unit"] == "% of lodged"
    assert set(data["sap_error_histogram"]) == {"low", "high", "bin_width", "counts", "below",
                                                "above"}


def test_readable_summary_and_html_report(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "validate.html"
    code = main(["validate", str(REGISTER), "--report", str(report)])
    out = capsys.readouterr().out
    assert code == 1
    for text in ("Coverage", "rated as estimates", "Refusal reasons", "Fallbacks used",
                 "Accuracy against the lodged figures", "SAP (continuous) by age band"):
        assert text in out
    page = report.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 4  # coverage, refusal reasons, scatter, SAP error
    for title in ("Coverage by schema version", "Refusal reasons (most frequent)",
                  "Calculated against lodged SAP", "SAP error"):
        assert title in page
    assert "<script" not in page and "<link" not in page  # self-contained


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rdsap10 = tmp_path / "rdsap10"
    rdsap10.mkdir()
    for file in REGISTER.glob("RdSAP-Schema-21.*"):
        shutil.copy(file, rdsap10)
    assert main(["validate", str(rdsap10)]) == 0  # estimates count as rated
    assert main(["validate", "--mode", "strict", str(rdsap10)]) == 1
    assert main(["validate", str(tmp_path / "missing.zip")]) == 2
    junk = tmp_path / "pcdb10.dat"
    junk.write_text("not a PCDB\n")
    assert main(["validate", "--pcdb", str(junk), str(rdsap10)]) == 2
    assert main(["validate", "--pcdb", str(tmp_path / "none.dat"), str(rdsap10)]) == 2
    with pytest.raises(SystemExit) as usage:
        main(["validate", "--mode", "guess", str(rdsap10)])
    assert usage.value.code == 2
    capsys.readouterr()


def test_progress_bar_on_request(capsys: pytest.CaptureFixture[str]) -> None:
    validate([REGISTER], "estimate", progress=True)
    assert "ara validate" in capsys.readouterr().err
    validate([REGISTER], "estimate", progress=False)
    assert capsys.readouterr().err == ""


# ------------------------------------------------------------------------------------------
# Full SAP XML, NDJSON members, broken archives
# ------------------------------------------------------------------------------------------
EXAMPLE_SAP = REPO / "src" / "ara" / "data" / "example_complete_sap.xml"
LODGED = {"Energy-Rating-Current": 68, "Environmental-Impact-Current": 71,
          "CO2-Emissions-Current": 2.1, "Energy-Consumption-Current": 150}


def test_full_sap_xml_is_rated_as_lodged_and_scored(tmp_path: Path) -> None:
    """A full SAP XML (SAP-Schema-19.x) is rated without the expansion and scored against
    the figures it lodges, loose and as a zip member."""
    text = EXAMPLE_SAP.read_text(encoding="utf-8")
    figures = "".join(f"<{k}>{v}</{k}>" for k, v in LODGED.items())
    text = text.replace("</SAP-Version>", f"</SAP-Version><Energy-Use>{figures}</Energy-Use>",
                        1)
    loose = tmp_path / "sap.xml"
    loose.write_text(text, encoding="utf-8")
    zipped = tmp_path / "sap.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.write(loose, "lodged/sap.xml")
    [rated] = rate_files([loose], "strict")
    assert rated["error"] is None
    for summary in (validate([loose], "strict"), validate([zipped], "estimate")):
        assert (summary.certificates, summary.rated, summary.scored) == (1, 1, 1)
        assert set(summary.by_schema) == {"SAP-Schema-19.1.0"}
        for metric, (calc_col, _lodged, _scale, relative) in METRICS.items():
            lodged = LODGED[{"sap": "Energy-Rating-Current",
                             "sap_integer": "Energy-Rating-Current",
                             "ei": "Environmental-Impact-Current",
                             "co2": "CO2-Emissions-Current",
                             "pe": "Energy-Consumption-Current"}[metric]]
            calculated = rated[calc_col] / (1000.0 if metric == "co2" else 1.0)
            want = _stats([(float(lodged), calculated)], relative)
            st = summary.overall(metric)
            assert (st.n, st.mae, st.bias) == (1, pytest.approx(want["mae"]),
                                               pytest.approx(want["bias"])), metric
        assert summary.sample_lodged == [68.0]
        assert summary.exit_code == 0


def test_zip_of_ndjson_matches_the_plain_archive(tmp_path: Path) -> None:
    """NDJSON lines as a zip member, and pretty-printed JSON files in a zip, read as the
    readers read them loose."""
    import gzip

    with gzip.open(ARCHIVE, "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(60)]
    plain = tmp_path / "part.jsonl"
    plain.write_text("".join(lines), encoding="utf-8")
    bulk = tmp_path / "bulk.zip"
    with zipfile.ZipFile(bulk, "w") as zf:
        zf.writestr("certificates.ndjson", "".join(lines))
        for i, line in enumerate(lines[:5]):
            zf.writestr(f"single/{i}.json", json.dumps(json.loads(line), indent=2))
    one = validate([plain], "estimate", batch_size=25)
    two = validate([bulk], "estimate", batch_size=25)
    assert one.certificates == 60 and two.certificates == 65
    assert two.unreadable == 0
    assert two.rated + two.rated_estimate == one.rated + one.rated_estimate + 5


def test_broken_archives_are_unreadable_and_the_rest_rated(tmp_path: Path) -> None:
    bad_gz = tmp_path / "broken.ndjson.gz"
    bad_gz.write_bytes(b"this is not gzip data")
    bad_json = tmp_path / "broken.json"
    bad_json.write_text("{not json", encoding="utf-8")
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(REGISTER / "RdSAP-Schema-21.0.1.xml", good)
    s = validate([bad_gz, bad_json, good], "estimate")
    assert (s.certificates, s.unreadable, s.rated_estimate) == (3, 2, 1)
    assert sum(v for k, v in s.unreadable_reasons.items() if k.startswith("(file)")) == 1
    assert s.exit_code == 1


def test_workers_give_the_same_summary_as_one_process() -> None:
    """--workers converts documents in processes; every figure but the timings is the same."""
    from ara.validate import validate as run_validate

    folder = Path(__file__).resolve().parent / "vectors" / "register"
    one, two = (run_validate([folder], workers=w).to_dict() for w in (1, 2))
    for timing in ("elapsed_s", "certificates_per_s"):
        one.pop(timing)
        two.pop(timing)
    assert one == two
