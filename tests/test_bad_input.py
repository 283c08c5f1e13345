"""Bad input: one SapInputError naming every dwelling and field (strict), or a status and
message per row with the good rows still computed (lenient); never a NaN in a result."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest
from dwellings import semi_detached

from ara.sap import SAP_INPUT_SCHEMA, SapInputError, calculate, trace


def _bad_pair() -> list[dict]:
    good = semi_detached("good")
    zero_area = semi_detached("zero-area")
    zero_area["elements"][1]["gross_area_m2"] = 0.0
    nan_u = semi_detached("nan-u")
    nan_u["openings"][1]["u_value"] = math.nan
    return [good, zero_area, nan_u]


def test_strict_mode_raises_one_error_naming_every_bad_dwelling_and_field() -> None:
    with pytest.raises(SapInputError) as err:
        calculate(_bad_pair())
    problems = {(d, f) for d, f, _ in err.value.problems}
    assert ("zero-area", "elements.gross_area_m2") in problems
    assert ("nan-u", "openings.u_value") in problems
    assert all(d != "good" for d, _, _ in err.value.problems)
    assert "zero-area" in str(err.value) and "nan-u" in str(err.value)


def test_lenient_mode_reports_bad_rows_and_computes_good_rows() -> None:
    rows = calculate(_bad_pair(), strict=False).to_pylist()
    assert [r["status"] for r in rows] == ["ok", "error", "error"]
    assert "elements.gross_area_m2" in rows[1]["error"]
    assert "openings.u_value" in rows[2]["error"]
    assert rows[1]["space_heating_requirement_kwh"] is None
    alone = calculate([semi_detached("good")]).to_pylist()[0]
    assert rows[0] == alone


def test_no_nan_reaches_a_result_in_lenient_mode() -> None:
    table = calculate(_bad_pair(), strict=False)
    for name in table.column_names[3:]:
        if not pa.types.is_floating(table.schema.field(name).type):
            continue
        values = table.column(name).to_pylist()
        assert all(v is None or math.isfinite(v) for v in values), name


@pytest.mark.parametrize(("mutate", "field"), [
    (lambda d: d.update(living_area_m2=None), "living_area_m2"),
    (lambda d: d.update(living_area_m2=500.0), "living_area_m2"),
    (lambda d: d.update(pressure_test=9), "pressure_test"),
    (lambda d: d.update(pressure_test=6), "air_permeability_q50"),
    (lambda d: d.update(ventilation_type=8), "mvhr_efficiency_percent"),
    (lambda d: d.update(storeys=[]), "storeys"),
    (lambda d: d["storeys"][0].update(storey_height_m=-2.5), "storeys.storey_height_m"),
    (lambda d: d["elements"][0].update(kind=42), "elements.kind"),
    (lambda d: d["elements"][0].update(u_value=-0.1), "elements.u_value"),
    (lambda d: d["openings"][1].update(orientation=0), "openings.orientation"),
    (lambda d: d["openings"][1].update(host_element=17), "openings.host_element"),
    (lambda d: d["openings"][1].update(glazing_type=None), "openings.g_perpendicular"),
    (lambda d: d["openings"][1].update(area_m2=400.0), "elements.gross_area_m2"),
    (lambda d: d.update(cylinder_volume_l=None), "cylinder_volume_l"),
    (lambda d: d.update(hot_water_delivery=7), "hot_water_delivery"),
    (lambda d: d.update(main1_control=2999), "main1_control_type"),
    (lambda d: d.update(main1_code=999, main1_emitter=2), "main1_responsiveness"),
    (lambda d: d.update(main2_code=104, main1_fraction=0.7, main2_fraction=0.7),
     "main1_fraction"),
    (lambda d: d.update(climate_region=30), "climate_region"),
    (lambda d: d.update(showers=[{"outlet_type": 1}], bath_count=1),
     "showers.flow_rate_l_per_min"),
    (lambda d: d.update(showers=[{"outlet_type": 4}]), "bath_count"),
])
def test_each_kind_of_bad_value_is_named(mutate, field: str) -> None:  # type: ignore[no-untyped-def]
    dwelling = semi_detached("d1")
    mutate(dwelling)
    with pytest.raises(SapInputError) as err:
        calculate([dwelling])
    assert ("d1", field) in {(d, f) for d, f, _ in err.value.problems}, err.value


@pytest.mark.parametrize("feature", ["space_cooling"])  # wwhrs: tests/test_hand_water_wwhrs.py
def test_unsupported_features_say_so_rather_than_give_zero(feature: str) -> None:
    dwelling = semi_detached("d1")
    dwelling[feature] = True
    with pytest.raises(SapInputError, match="not supported yet"):
        calculate([dwelling])


def test_low_pressure_pulse_test_is_rejected_not_guessed() -> None:
    dwelling = semi_detached("d1")
    dwelling.update(pressure_test=7, air_permeability_q50=4.0)
    with pytest.raises(SapInputError, match="low-pressure pulse"):
        calculate([dwelling])


def test_an_unknown_column_is_rejected_by_name() -> None:
    table = pa.Table.from_pylist([semi_detached()], schema=SAP_INPUT_SCHEMA)
    table = table.append_column("wal_u_value", pa.array([1.0]))
    with pytest.raises(SapInputError, match="wal_u_value"):
        calculate(table)


def test_a_missing_required_column_is_rejected_by_name() -> None:
    table = pa.Table.from_pylist([semi_detached()], schema=SAP_INPUT_SCHEMA)
    table = table.drop_columns(["living_area_m2"])
    with pytest.raises(SapInputError, match="living_area_m2"):
        calculate(table)


def test_trace_refuses_bad_input_with_the_same_error() -> None:
    dwelling = semi_detached("d1")
    dwelling["elements"][0]["gross_area_m2"] = -1.0
    with pytest.raises(SapInputError, match="d1"):
        trace(dwelling)


def test_warm_air_fans_reach_the_pumps_and_fans_line() -> None:
    """Table 4f: warm air fans use SFP x 0.4 x V kWh a year (volume from the storeys)."""
    base = semi_detached("base")
    fans = semi_detached("fans")
    fans["warm_air_fan_sfp"] = 1.5
    before, after = calculate([base, fans]).to_pylist()
    volume = after["dwelling_volume_m3"]
    assert abs(after["pumps_fans_kwh"] - before["pumps_fans_kwh"] - 1.5 * 0.4 * volume) < 1e-9


def test_a_missing_standing_charge_is_named_on_the_field_that_lodges_the_fuel() -> None:
    """Bottled LPG for secondary heating (Table 12 code 5) has no SAP-method standing charge in
    spec/: the refusal names secondary_fuel, not main1_fuel."""
    from test_hand_common import dwelling

    out = calculate([dwelling(secondary_code=631, secondary_fuel=5)], strict=False).to_pylist()[0]
    assert out["status"] == "error"
    assert "secondary_fuel: no standing charge in spec/ for fuel 5" in out["error"]
    assert "main1_fuel: no standing charge" not in out["error"]


@pytest.mark.parametrize(("mutate", "field", "bound"), [
    (lambda d: d["elements"][1].update(u_value=1e200), "elements.u_value", "0-10 W/m2K"),
    (lambda d: d["elements"][1].update(u_value=10.01), "elements.u_value", "0-10 W/m2K"),
    (lambda d: d["openings"][1].update(u_value=1e200), "openings.u_value", "0-10 W/m2K"),
    (lambda d: d["storeys"][0].update(storey_height_m=1e6), "storeys.storey_height_m",
     "0-100 m"),
    (lambda d: d["storeys"][0].update(floor_area_m2=2e5), "storeys.floor_area_m2",
     "0-100000 m2"),
    (lambda d: d["elements"][1].update(gross_area_m2=1e9), "elements.gross_area_m2",
     "0-100000 m2"),
])
def test_physically_impossible_values_are_refused_by_name_with_their_bound(  # type: ignore[no-untyped-def]
        mutate, field: str, bound: str) -> None:
    """Issue 15 item 7: a U-value of 1e200 was rated (SAP 1, a bill of 3e202 GBP). Values
    outside spec/tables/calculator_input_domains.csv are refused before any kernel runs, in
    strict calls (SapInputError) and lenient ones (an error row, the others rated)."""
    dwelling = semi_detached("d1")
    mutate(dwelling)
    with pytest.raises(SapInputError) as err:
        calculate([dwelling])
    named = [m for d, f, m in err.value.problems if (d, f) == ("d1", field)]
    assert named and "physically impossible" in named[0] and bound in named[0], err.value
    out = calculate([dwelling, semi_detached("good")], strict=False)
    assert out.column("status").to_pylist() == ["error", "ok"]
    assert out.column("sap_rating").to_pylist()[0] is None
    assert field in out.column("error").to_pylist()[0]


def test_implausible_but_possible_values_are_rated() -> None:
    """The domains refuse only the impossible: a single-glazed metal window (U 5.7), an
    uninsulated wall at the 7.1 W/m2K surface-resistance limit and a 6 m storey are rated."""
    dwelling = semi_detached("d1")
    dwelling["openings"][1]["u_value"] = 5.7
    dwelling["elements"][1]["u_value"] = 7.1
    dwelling["storeys"][0]["storey_height_m"] = 6.0
    out = calculate([dwelling])
    assert out.column("status").to_pylist() == ["ok"]
    assert 1 <= out.column("sap_rating").to_pylist()[0] < 56  # worse than the base house


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_a_row_refused_after_the_kernels_raises_no_numpy_warning_in_lenient_mode() -> None:
    """A row that passes every input check but overflows in the worksheet (thermal bridges of
    1e308 m at 1e308 W/mK) comes back as an error row, without numpy's 'invalid value
    encountered in cast' reaching the user's stderr."""
    dwelling = semi_detached("d1")
    dwelling["thermal_bridges"] = [{"length_m": 1e308, "psi_w_per_mk": 1e308}]
    out = calculate([dwelling, semi_detached("good")], strict=False)
    assert out.column("sap_rating").to_pylist()[0] is None
    assert out.column("status").to_pylist() == ["error", "ok"]
    assert "non-finite" in out.column("error").to_pylist()[0]


@pytest.mark.parametrize("strict", [True, False])
@pytest.mark.parametrize(("mutate", "field"), [
    (lambda d: d.update(climate_region="banana"), "climate_region"),
    (lambda d: d.update(living_area_m2=[18.0]), "living_area_m2"),
    (lambda d: d["storeys"][0].update(level=[6, 6]), "storeys"),
    (lambda d: d.update(dwelling_id=["a", "b"]), "dwelling_id"),
])
def test_a_value_of_the_wrong_type_is_refused_naming_dwelling_and_field(
        mutate, field: str, strict: bool) -> None:  # type: ignore[no-untyped-def]
    """Issue 15 (fuzz): a dict row whose value does not convert to its schema type (text for
    a number, a list for a scalar) is a SapInputError naming the dwelling and field, not a
    bare pyarrow error naming neither."""
    bad = semi_detached("d1")
    mutate(bad)
    with pytest.raises(SapInputError) as err:
        calculate([semi_detached("good"), bad], strict=strict)
    assert [(d, f) for d, f, _ in err.value.problems] == [
        ("['a', 'b']" if field == "dwelling_id" else "d1", field)]
    assert "cannot be read as" in str(err.value)


def test_the_kernel_is_compiled_once_whatever_the_batch() -> None:
    """Issue 15 (fuzz): one dwelling, several, and a list column with a null (copied by Arrow,
    not zero-copy) all call the worksheet kernel with one signature: none of them compiles
    a second specialisation (some seconds each)."""
    from ara_kernels.worksheet import calculate_batch

    with_null = semi_detached("null-area")
    del with_null["storeys"][0]["floor_area_m2"]
    calculate([semi_detached("one")])
    calculate([semi_detached("a"), semi_detached("b")])
    calculate([semi_detached("a"), with_null], strict=False)
    assert len(calculate_batch.signatures) == 1, calculate_batch.signatures
