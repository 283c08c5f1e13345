"""Test corpora for ara.prediction: the bundled SYNTHETIC sample portfolio's certificates,
replicated with chosen postcodes, built forms, inspection dates and certificate numbers."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import pyarrow as pa

from ara.rdsap.readers import read_certificates_table

#: The columns of a system block: taken whole from one certificate, never mixed.
SYSTEM_COLUMNS = (
    "main_heating", "water_heating_code", "water_heating_fuel", "immersion_heating_type",
    "cylinder_size", "cylinder_insulation_type", "cylinder_insulation_thickness",
    "cylinder_thermostat", "has_hot_water_cylinder", "secondary_heating_type",
    "secondary_fuel_type", "meter_type", "mechanical_ventilation", "solar_water_heating",
    "pv_arrays", "pv_percent_roof_area",
)


@functools.cache
def sample_certificates() -> pa.Table:
    """The 2,000 synthetic certificates of the bundled sample portfolio."""
    folder = Path(str(resources.files("ara") / "data" / "sample_portfolio"))
    table, failures = read_certificates_table(folder / "certificates.ndjson.gz")
    assert not failures
    return table.drop_columns(["raw_document"])


def corpus(rows: Sequence[int], postcodes: Sequence[str], *,
           built_forms: Sequence[str] | None = None,
           days: Sequence[int] | None = None,
           numbers: Sequence[str] | None = None,
           addresses: Sequence[str | None] | None = None,
           uprns: Sequence[int | None] | None = None) -> pa.Table:
    """Sample certificates ``rows`` re-addressed: one postcode each, and optionally built
    form, inspection date (days after 2010-01-01), certificate number, address, UPRN."""
    base = sample_certificates().take(pa.array(list(rows), pa.int64()))
    n = base.num_rows

    def put(table: pa.Table, name: str, values: pa.Array) -> pa.Table:
        index = table.schema.get_field_index(name)
        return table.set_column(index, table.schema.field(name), values)

    out = put(base, "postcode", pa.array(list(postcodes), pa.string()))
    out = put(out, "certificate_number", pa.array(
        list(numbers) if numbers is not None else [f"0000-0000-0000-0000-{i:04d}"
                                                   for i in range(n)], pa.string()))
    out = put(out, "uprn", pa.array(list(uprns) if uprns is not None else [None] * n,
                                    pa.int64()))
    out = put(out, "address_line_1", pa.array(
        list(addresses) if addresses is not None else [None] * n, pa.string()))
    if built_forms is not None:
        out = put(out, "built_form", pa.array(list(built_forms), pa.string()))
    if days is not None:
        start = dt.date(2010, 1, 1)
        out = put(out, "inspection_date", pa.array(
            [start + dt.timedelta(days=int(d)) for d in days], pa.date32()))
    return out


def system_block(table: pa.Table, row: int) -> tuple[object, ...]:
    return tuple(repr(table.column(name)[row].as_py()) for name in SYSTEM_COLUMNS)


def rng_rows(seed: int, n: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, sample_certificates().num_rows, n)
