"""``ara validate`` on a Dask cluster (issue 18): a converted dataset validated partition by
partition on real ``distributed.LocalCluster`` workers (``--workers N`` or ``--scheduler``)
gives the summary, JSON and sample of the in-process run exactly; the summaries merge exactly,
associatively and commutatively (Hypothesis, over random splits of per-certificate results);
an unreachable scheduler exits 78 with one line.

Inputs: the bundled sample's bulk archive (2,000 certificates) and the register vectors, each
converted into a dataset of several Parquet parts (one partition each)."""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Iterator
from fractions import Fraction
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from distributed import LocalCluster  # the 'cluster' extra, part of 'dev'
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ara.validate as validate_module
from ara.cli import bundled, main
from ara.rdsap.readers import ReadFailure
from ara.validate import (
    _META_SCHEMA,
    EXACT_SHIFT,
    ValidationSummary,
    _Accumulator,
    exact_sums,
    validate,
)

ARCHIVE = bundled("sample_portfolio") / "certificates.ndjson.gz"
REGISTER = Path(__file__).resolve().parent / "vectors" / "register"
TIMINGS = ("elapsed_s", "certificates_per_s")


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample archive as a dataset of 3 parts (700, 700, 600 certificates)."""
    out = tmp_path_factory.mktemp("sample") / "certs"
    assert main(["convert", str(ARCHIVE), "-o", str(out), "--rows-per-file", "700"]) == 0
    return out


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The register vectors as a dataset of 3 parts; the full SAP certificates are listed in
    its _unreadable.parquet (and rated from there by ara validate, on the client)."""
    out = tmp_path_factory.mktemp("register") / "certs"
    assert main(["convert", str(REGISTER), "-o", str(out), "--rows-per-file", "3"]) == 1
    assert len(list(out.glob("part-*.parquet"))) == 3
    return out


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler address for ``--scheduler``: 2 worker processes, 1 thread each."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.CRITICAL) as cluster:
        yield cluster.scheduler_address


def json_summary(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any],
                                                                          str]:
    code = main(["validate", "--json", *args])
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    for key in TIMINGS:
        data.pop(key)
    return code, data, captured.err


def untimed(summary: ValidationSummary) -> ValidationSummary:
    summary.elapsed_s = 0.0
    return summary


# ------------------------------------------------------------------------------------------
# On the cluster: the in-process summary, exactly
# ------------------------------------------------------------------------------------------
def test_workers_2_gives_the_in_process_json_exactly(
        sample: Path, register: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inputs = [str(sample), str(register)]
    code, in_process, _err = json_summary(capsys, *inputs)
    cluster_code, on_cluster, err = json_summary(capsys, *inputs, "--workers", "2")
    assert (cluster_code, on_cluster) == (code, in_process)
    assert in_process["coverage"]["certificates"] == 2000 + 19
    assert in_process["inputs"] == inputs
    assert "Dask dashboard at http" in err or "Dask scheduler at" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("mode", ["estimate", "strict"])
def test_a_scheduler_gives_the_in_process_summary_exactly(
        sample: Path, register: Path, scheduler: str, mode: str) -> None:
    """Every field, the refusal examples and the scatter chart's sample included."""
    for dataset in (sample, register):
        in_process = untimed(validate([dataset], mode, batch_size=250))
        on_cluster = untimed(validate([dataset], mode, batch_size=250, scheduler=scheduler,
                                      log=lambda _m: None))
        assert on_cluster == in_process
        assert on_cluster.refused > 0 or mode == "estimate"
        assert len(on_cluster.sample_lodged) > 0 or dataset == register


def test_the_report_and_text_from_a_scheduler(sample: Path, scheduler: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "validate.html"
    code = main(["validate", str(sample), "--scheduler", scheduler, "--report", str(report),
                 "--progress"])
    captured = capsys.readouterr()
    assert code == 0
    assert "Coverage" in captured.out and "2,000 certificates from 1 input(s)" in captured.out
    assert "ara validate" in captured.err and "partitions" in captured.err  # progress
    page = report.read_text(encoding="utf-8")
    assert page.count("<svg") == 3  # coverage, scatter, SAP error (nothing refused)
    assert "Calculated against lodged SAP" in page and "SAP error" in page


def test_an_unreachable_scheduler_exits_78_with_one_line(
        sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["validate", str(sample), "--scheduler", "tcp://127.0.0.1:9"])
    captured = capsys.readouterr()
    assert code == 78, captured.err
    assert captured.err.strip().splitlines() == [captured.err.strip()]
    assert "ara validate: error: cannot reach the Dask scheduler at tcp://127.0.0.1:9" \
        in captured.err
    assert "Traceback" not in captured.err and captured.out == ""


def test_a_scheduler_takes_datasets_only(sample: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["validate", str(sample), str(REGISTER), "--scheduler", "tcp://127.0.0.1:9"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "Parquet datasets of certificate rows only" in err
    with pytest.raises(SystemExit):
        main(["validate", str(sample), "--workers", "2", "--scheduler", "tcp://127.0.0.1:9"])


def test_without_the_cluster_extra_the_command_says_what_to_install(
        sample: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real(name, *a))
    assert main(["validate", str(sample), "--workers", "2"]) == 78
    assert "pip install 'ara-sap[cluster]'" in capsys.readouterr().err


# ------------------------------------------------------------------------------------------
# The merge: exact, associative, commutative
# ------------------------------------------------------------------------------------------
finite = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False, allow_subnormal=True)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), finite), max_size=60))
def test_exact_sums_are_the_exact_sums(pairs: list[tuple[int, float]]) -> None:
    index = np.array([g for g, _ in pairs], dtype=np.int64)
    values = np.array([v for _, v in pairs], dtype=np.float64)
    want = [sum((Fraction(v) for g, v in pairs if g == k), Fraction(0)) for k in range(4)]
    got = exact_sums(index, values, 4)
    assert [Fraction(units, 1 << EXACT_SHIFT) for units in got] == want


SCHEMAS = ["RdSAP-Schema-21.0.0", "SAP-Schema-19.1.0", "RdSAP-Schema-20.0.0", None]
REASONS = ["walls[]: u value missing", "roof: contradiction", "fallback window_frame_unknown",
           "fallback floor_unknown", "main_heating: unknown code #"]
figure = st.one_of(st.none(), st.integers(1, 120).map(float),
                   st.floats(-1e6, 1e6, allow_nan=False))
certificate = st.fixed_dictionaries({
    "kind": st.sampled_from(["rated", "estimate", "refused", "unreadable"]),
    "schema": st.sampled_from(SCHEMAS),
    "lodged": figure,
    "calculated": st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.just(math.nan)),
    "age_band": st.sampled_from(["A", "K", None]),
    "property_type": st.sampled_from(["0", "2", None]),
    "main_heating": st.sampled_from(["category 2", "SAP code 1xx", None]),
    "main_fuel": st.sampled_from(["26", "mains gas (not community)", None]),
    "reasons": st.sets(st.sampled_from(REASONS), min_size=1, max_size=3),
    "fallbacks": st.lists(st.sampled_from(["f_one", "f_two"]), max_size=2, unique=True),
})


def summarise(certs: list[dict[str, Any]], start: int) -> ValidationSummary:
    """The summary of per-certificate results, as a run adds them: one call per kind for the
    whole list (numbering the certificates from ``start``)."""
    summary = ValidationSummary("estimate", [], 100)
    acc = _Accumulator(summary, (0, start, 0))
    ids = [f"cert {start + i}" for i in range(len(certs))]
    meta = pa.Table.from_pylist([
        {"dwelling_id": ids[i], "schema_version": c["schema"], "lodged_sap": c["lodged"],
         "lodged_ei": c["lodged"], "lodged_co2_t": None if c["lodged"] is None
         else c["lodged"] / 10, "lodged_pe": c["lodged"], "age_band": c["age_band"],
         "property_type": c["property_type"], "main_heating": c["main_heating"],
         "main_fuel": c["main_fuel"]} for i, c in enumerate(certs)], schema=_META_SCHEMA)
    rated = [i for i, c in enumerate(certs) if c["kind"] in ("rated", "estimate")]
    calc = pa.table({
        "sap_rating_continuous": [certs[i]["calculated"] for i in rated],
        "sap_rating": [float(round(certs[i]["calculated"]))
                       if math.isfinite(certs[i]["calculated"]) else None for i in rated],
        "ei_rating_continuous": [certs[i]["calculated"] * 0.75 for i in rated],
        "primary_energy_kwh_per_m2": [certs[i]["calculated"] * 3 for i in rated],
        "co2_kg_per_year": [certs[i]["calculated"] * 100 for i in rated],
    }, schema=pa.schema([(n, pa.float64()) for n in (
        "sap_rating_continuous", "sap_rating", "ei_rating_continuous",
        "primary_energy_kwh_per_m2", "co2_kg_per_year")]))
    acc.rated(meta.take(pa.array(rated, pa.int64())), calc,
              np.array([certs[i]["kind"] == "estimate" for i in rated], dtype=bool),
              pa.array([certs[i]["fallbacks"] for i in rated], pa.list_(pa.string())))
    refused = [i for i, c in enumerate(certs) if c["kind"] == "refused"]
    reasons: Counter[str] = Counter()
    examples: dict[str, tuple[str, str]] = {}
    for i in refused:
        for key in sorted(certs[i]["reasons"]):
            reasons[key] += 1
            examples.setdefault(key, (ids[i], f"refused for {key}"))
    acc.refused(meta, np.array(refused, dtype=np.int64), reasons, examples)
    acc.unreadable([ReadFailure(None, "(document)", f"invalid JSON at line {i}", ids[i])
                    for i, c in enumerate(certs) if c["kind"] == "unreadable"])
    acc.finish()
    return summary


def comparable(summary: ValidationSummary) -> dict[str, Any]:
    data = summary.to_dict()
    data["sample"] = (summary.sample_lodged, summary.sample_calculated)
    for key in TIMINGS:
        data.pop(key)
    return data


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(certs=st.lists(certificate, max_size=40), data=st.data())
def test_merging_any_split_is_exact_associative_and_commutative(
        certs: list[dict[str, Any]], data: st.DataObject) -> None:
    with pytest.MonkeyPatch.context() as patch:  # small caps, to exercise them
        patch.setattr(validate_module, "MAX_EXAMPLES", 2)
        patch.setattr(validate_module, "RESERVOIR_SIZE", 3)
        cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(certs) - 1)), max_size=4),
                                label="cuts") - {len(certs)})
        bounds = [0, *cuts, len(certs)]
        parts = [summarise(certs[a:b], a) for a, b in zip(bounds, bounds[1:], strict=False)]
        whole = summarise(certs, 0)
        # any split, merged in any order, is the whole list added in one run
        order = data.draw(st.permutations(range(len(parts))), label="order")
        merged = reduce(ValidationSummary.merge, [parts[i] for i in order])
        assert comparable(merged) == comparable(whole)
        # associative and commutative, to the last field (exact sums, examples' order)
        a, b, c = (data.draw(st.sampled_from(parts), label=name) for name in "abc")
        assert a.merge(b) == b.merge(a)
        assert a.merge(b).merge(c) == a.merge(b.merge(c))
        empty = ValidationSummary("estimate", [], 100)
        _Accumulator(empty)
        assert a.merge(empty) == empty.merge(a)  # an empty summary is neutral
        assert comparable(a.merge(empty)) == comparable(a)


def test_summaries_of_different_runs_do_not_merge() -> None:
    with pytest.raises(ValueError, match="cannot merge"):
        ValidationSummary("estimate", [], 100).merge(ValidationSummary("strict", [], 100))
