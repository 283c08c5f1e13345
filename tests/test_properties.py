"""Invariants of the calculator, checked with hypothesis over generated dwellings."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from dwellings import semi_detached
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ara.sap import OUTPUT_SCHEMA, calculate
from ara.sap.synthetic import generate

OUTPUT_COLUMNS = [f.name for f in OUTPUT_SCHEMA][3:]
NUMERIC_COLUMNS = [f.name for f in OUTPUT_SCHEMA if pa.types.is_floating(f.type)
                   or pa.types.is_integer(f.type)]
SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _outputs(table: pa.Table) -> np.ndarray:
    return np.column_stack([table.column(c).to_numpy().astype(float)
                            for c in NUMERIC_COLUMNS])


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(1, 60))
def test_every_output_is_finite(seed: int, n: int) -> None:
    result = calculate(generate(n, seed))
    assert result.column("status").to_pylist() == ["ok"] * n
    assert np.isfinite(_outputs(result)).all()
    assert set(result.column("sap_band").to_pylist()) <= set("ABCDEFG")


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1))
def test_a_batch_gives_the_same_numbers_as_its_rows_one_by_one(seed: int) -> None:
    table = generate(12, seed)
    together = _outputs(calculate(table))
    alone = np.vstack([_outputs(calculate(table.slice(i, 1))) for i in range(table.num_rows)])
    np.testing.assert_array_equal(together, alone)


@SETTINGS
@given(element=st.integers(0, 3), factor=st.floats(0.0, 1.0),
       window=st.integers(1, 4), window_factor=st.floats(0.2, 1.0))
def test_more_insulation_never_raises_heat_transfer_coefficient(
        element: int, factor: float, window: int, window_factor: float) -> None:
    base = semi_detached()
    better = semi_detached()
    better["elements"][element]["u_value"] *= factor
    better["openings"][window]["u_value"] *= window_factor
    before, after = calculate([base, better]).to_pylist()
    assert after["heat_transfer_coefficient_w_per_k"] <= before["heat_transfer_coefficient_w_per_k"]
    assert after["fabric_heat_loss_w_per_k"] <= before["fabric_heat_loss_w_per_k"]
    assert after["space_heating_requirement_kwh"] <= before["space_heating_requirement_kwh"] + 1e-9


@SETTINGS
@given(seed=st.integers(0, 2**31 - 1), scale=st.floats(0.05, 0.95))
def test_lower_u_values_everywhere_never_raise_heat_loss_in_any_generated_dwelling(
        seed: int, scale: float) -> None:
    table = generate(20, seed)
    elements = table.column("elements").combine_chunks()
    values = elements.flatten()
    u = pa.compute.multiply(values.field("u_value"), scale)
    fields = [values.field(f.name) if f.name != "u_value" else u for f in values.type]
    new_values = pa.StructArray.from_arrays(fields, fields=list(values.type))
    offsets = pa.compute.subtract(elements.offsets, elements.offsets[0])
    better = table.set_column(table.schema.get_field_index("elements"), "elements",
                              pa.ListArray.from_arrays(offsets, new_values))
    before = calculate(table).column("heat_transfer_coefficient_w_per_k").to_numpy()
    after = calculate(better).column("heat_transfer_coefficient_w_per_k").to_numpy()
    assert (after <= before + 1e-9).all()


def test_outputs_carry_their_worksheet_line_numbers() -> None:
    field = OUTPUT_SCHEMA.field("heat_transfer_coefficient_w_per_k")
    assert field.metadata[b"line"] == b"39"
    assert OUTPUT_SCHEMA.field("space_heating_requirement_kwh").metadata[b"line"] == b"98"
