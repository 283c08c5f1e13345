"""Neighbour synthesis: weights, coherent assembly, determinism, provenance, and that a
predicted certificate expands and rates (ara.prediction.synthesis)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prediction.prediction_support import corpus, sample_certificates, system_block

from ara.prediction import (
    METHOD,
    PREDICTION_FIELDS,
    RUNGS,
    ArrowComparables,
    load_settings,
    predict,
)
from ara.prediction.synthesis import weights
from ara.rdsap.readers import CERTIFICATE_SCHEMA

SETTINGS = load_settings()
_UNITS = ["AB1 2CD", "AB1 2EF", "AB1 3GH", "AB2 1JK", "AC1 1LM"]


@st.composite
def cohorts(draw: st.DrawFn) -> tuple[pa.Table, list[dict[str, object]]]:
    n = draw(st.integers(1, 40))
    sample = sample_certificates().num_rows
    rows = draw(st.lists(st.integers(0, sample - 1), min_size=n, max_size=n))
    postcodes = draw(st.lists(st.sampled_from(_UNITS), min_size=n, max_size=n))
    forms = draw(st.lists(st.sampled_from(["1", "2"]), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, 5000), min_size=n, max_size=n))
    numbers = [f"2000-0000-0000-{i:04d}-{draw(st.integers(0, 9))}" for i in range(n)]
    certs = corpus(rows, postcodes, built_forms=forms, days=days, numbers=numbers)
    targets = [{"target_id": f"t{j}", "postcode": draw(st.sampled_from(_UNITS + ["AB1 9ZZ"])),
                "property_type": "0", "built_form": draw(st.sampled_from(["1", "2"])),
                "total_floor_area_m2": draw(st.none() | st.floats(40.0, 160.0)),
                "age_band": draw(st.none() | st.sampled_from("ABCDEFGHIJKL"))}
               for j in range(draw(st.integers(1, 6)))]
    return certs, targets


_SETTINGS = settings(max_examples=25, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@_SETTINGS
@given(cohorts())
def test_systems_are_whole_from_one_real_certificate(case: tuple[pa.Table, list]) -> None:
    certs, targets = case
    out = predict(targets, ArrowComparables(certs))
    numbers = certs.column("certificate_number").to_pylist()
    blocks = {numbers[i]: system_block(certs, i) for i in range(certs.num_rows)}
    pairs = {(b[0], b[4]) for b in blocks.values()}  # (main heating, cylinder size)
    for i, template in enumerate(out.column("prediction_template").to_pylist()):
        if template is None:
            continue
        block = system_block(out, i)
        assert block == blocks[template], "the system block is not the template's"
        assert template in out.column("prediction_neighbours")[i].as_py()
        assert (block[0], block[4]) in pairs  # e.g. never a combi boiler with a cylinder
        for column in ("building_parts", "main_heating"):
            assert out.column(column)[i].is_valid


@_SETTINGS
@given(cohorts(), st.randoms(use_true_random=False))
def test_same_input_same_output_in_any_row_order(case: tuple[pa.Table, list],
                                                 rnd: object) -> None:
    certs, targets = case
    order = list(range(certs.num_rows))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    first = predict(targets, ArrowComparables(certs))
    second = predict(targets, ArrowComparables(certs.take(pa.array(order))))
    assert first.equals(second)


@_SETTINGS
@given(cohorts())
def test_the_ladder_rules_hold(case: tuple[pa.Table, list]) -> None:
    certs, targets = case
    out = predict(targets, ArrowComparables(certs))
    postcode = certs.column("postcode").to_pylist()
    form = certs.column("built_form").to_pylist()
    number = certs.column("certificate_number").to_pylist()
    levels = {"unit": 7, "sector": 5, "district": 3, "area": 2}

    def prefix(code: str, level: str) -> str:
        return code.replace(" ", "")[:{"unit": 6, "sector": 4, "district": 3, "area": 2}[level]]

    for i, target in enumerate(targets):
        rung = out.column("prediction_rung")[i].as_py()
        counts = {level: sum(1 for p, f in zip(postcode, form, strict=True)
                             if f == target["built_form"]
                             and prefix(p, level) == prefix(str(target["postcode"]), level))
                  for level in levels}
        minimum = dict(zip(RUNGS, SETTINGS.min_cohort, strict=True))
        expected = next((level for level in levels if counts[level] >= minimum[level]), None)
        assert rung == expected
        if rung is None:
            assert out.column("prediction_reason")[i].as_py()
            assert not out.column("building_parts")[i].is_valid
            continue
        assert out.column("prediction_cohort_size")[i].as_py() == counts[rung]
        neighbours = out.column("prediction_neighbours")[i].as_py()
        assert len(neighbours) == min(counts[rung], SETTINGS.max_cohort)
        for name in neighbours:
            j = number.index(name)
            assert form[j] == target["built_form"]
            assert prefix(postcode[j], rung) == prefix(str(target["postcode"]), rung)
        shares = out.column("prediction_weights")[i].as_py()
        assert abs(sum(shares) - 1) < 1e-4 and shares == sorted(shares, reverse=True)
        assert 0 < out.column("prediction_confidence")[i].as_py() <= 1


def test_weights_by_rung_distance_recency_and_similarity() -> None:
    certs = corpus([0, 1, 2, 3], ["AB1 2CD", "AB1 2EF", "AB1 3GH", "AB1 2CD"],
                   built_forms=["2"] * 4, days=[3000, 3000, 3000, 3000 - 2922])
    comparables = ArrowComparables(certs)
    target = [{"target_id": "t", "postcode": "AB1 2CD", "property_type": "0",
               "built_form": "2"}]
    s = SETTINGS.with_(min_cohort=(99, 99, 99, 1, 99))
    cohorts = comparables.cohorts(target, s)
    w = dict(zip(cohorts.rows[0].tolist(), weights(cohorts, comparables, target, s)[0],
                 strict=True))
    unit, sector, district = s.distance_weight[1:4]
    assert w[0] == unit and w[1] == sector and w[2] == district
    assert np.isclose(w[3], unit * 0.5 ** (8 / s.recency_half_life_years), rtol=1e-3)
    located = certs.append_column("latitude", pa.array([52.0, 52.0, 52.01, 52.0])) \
        .append_column("longitude", pa.array([-1.0, -1.0, -1.0, -1.0]))
    comparables = ArrowComparables(located)
    here = [{**target[0], "latitude": 52.0, "longitude": -1.0, "total_floor_area_m2": 500.0}]
    cohorts = comparables.cohorts(here, s)
    w = dict(zip(cohorts.rows[0].tolist(), weights(cohorts, comparables, here, s)[0],
                 strict=True))
    far = s.floor_area_band_weights[-1]  # every sample home is far below 500 m2
    assert np.isclose(w[0], far) and np.isclose(w[1], far)
    assert np.isclose(w[2], far * 0.5 ** (1.112 / s.distance_half_km), rtol=1e-2)


def test_prediction_table_and_provenance() -> None:
    certs = corpus(range(0, 40, 4), ["AB1 2CD"] * 10)  # detached homes
    targets = [{"target_id": "home", "postcode": "AB1 2CD", "property_type": "0",
                "built_form": "1", "uprn": 5},
               {"target_id": "none", "postcode": "ZZ9 9ZZ", "property_type": "0",
                "built_form": "1"}]
    out = predict(targets, ArrowComparables(certs))
    assert out.schema.names == CERTIFICATE_SCHEMA.names + [f.name for f in PREDICTION_FIELDS]
    home, none = out.to_pylist()
    assert home["prediction_rung"] == "unit" and home["prediction_cohort_size"] == 10
    assert home["prediction_method"] == METHOD and home["prediction_reason"] is None
    assert home["certificate_number"] is None and home["energy_rating_current"] is None
    assert home["postcode"] == "AB1 2CD"
    assert home["total_floor_area_m2"] == home["predicted_components"]["total_floor_area_m2"]
    area = sum(f["total_floor_area_m2"] for part in home["building_parts"]
               for f in part["floor_dimensions"])
    assert abs(area - home["total_floor_area_m2"]) < 0.05 * len(home["building_parts"][0][
        "floor_dimensions"])
    assert none["prediction_rung"] is None and none["building_parts"] is None
    assert "minimum cohort" in none["prediction_reason"]


def test_predicted_certificates_expand_and_rate() -> None:
    from ara.rdsap.expansion import expand
    from ara.sap import calculate

    n = 200
    postcodes = [f"AB{1 + i % 2} {i % 3}{'DEF'[i % 3]}G" for i in range(n)]
    certs = corpus(range(n), postcodes)
    targets = [{"target_id": f"t{i}", "postcode": f"AB{1 + i % 2} {i % 3}ZZ",
                "property_type": "0", "built_form": str(1 + i % 4)} for i in range(24)]
    out = predict(targets, ArrowComparables(certs))
    predicted = out.filter(pc.is_valid(out.column("prediction_rung")))
    assert predicted.num_rows == 24
    expanded = expand(predicted, dwelling_ids=predicted.column("target_id").to_pylist(),
                      mode="estimate")
    assert not expanded.problems
    rated = calculate(expanded.inputs, strict=False)
    assert set(rated.column("status").to_pylist()) == {"ok"}
    tfa = np.asarray(rated.column("total_floor_area_m2"))
    assert np.allclose(tfa, np.asarray(predicted.column("total_floor_area_m2")), atol=0.1)
    assert all(1 <= s <= 100 for s in rated.column("sap_rating").to_pylist())
