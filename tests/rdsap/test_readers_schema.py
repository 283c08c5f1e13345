"""The certificate schema: versioned, documented, and the same shape from every reader."""

from __future__ import annotations

import pyarrow as pa

from ara.rdsap.readers import CERTIFICATE_SCHEMA, CERTIFICATE_SCHEMA_VERSION
from ara.rdsap.readers.mapping import _DERIVED, empty_row
from ara.rdsap.readers.schema import COLUMNS, DATA_SOURCES, Column, column_paths


def _all_columns(columns: tuple[Column, ...] = COLUMNS) -> list[Column]:
    out: list[Column] = []
    for column in columns:
        out.append(column)
        out += _all_columns(column.fields)
    return out


def test_schema_carries_its_name_and_version() -> None:
    metadata = CERTIFICATE_SCHEMA.metadata
    assert metadata[b"ara.schema"] == b"CERTIFICATE_SCHEMA"
    assert metadata[b"ara.schema_version"] == CERTIFICATE_SCHEMA_VERSION.encode()
    assert CERTIFICATE_SCHEMA_VERSION.count(".") == 2


def test_column_names_are_unique_at_every_level() -> None:
    paths = column_paths()
    assert len(paths) == len(set(paths))
    assert len(CERTIFICATE_SCHEMA.names) == len(COLUMNS)


def test_register_columns_name_their_element_and_measurements_their_unit() -> None:
    for column in _all_columns():
        if column.path and column.kind not in ("list", "struct"):
            assert column.element, column.name
        if column.kind == "float" and column.name.endswith(("_m", "_m2", "_mm", "_kw", "_l")):
            assert column.unit, column.name


def test_every_derived_rule_exists() -> None:
    for column in _all_columns():
        if column.derived:
            assert column.derived in _DERIVED, column.name


def test_physical_data_mirrors_the_rdsap_10_collected_data() -> None:
    part = CERTIFICATE_SCHEMA.field("building_parts").type.value_type
    assert {"construction_age_band", "wall_construction", "wall_insulation_type",
            "wall_thickness_mm", "wall_dry_lined", "wall_u_value", "party_wall_construction",
            "roof_construction", "roof_insulation_location", "roof_insulation_thickness",
            "floor_dimensions", "alternative_walls", "room_in_roof",
            "floor_insulation_thickness"} <= {f.name for f in part}
    window = CERTIFICATE_SCHEMA.field("windows").type.value_type
    assert {"window_area_m2", "window_height_m", "window_width_m", "glazing_type", "pvc_frame",
            "orientation", "window_location"} <= {f.name for f in window}
    assert pa.types.is_list(CERTIFICATE_SCHEMA.field("pv_arrays").type)
    assert CERTIFICATE_SCHEMA.field("raw_document").type == pa.large_string()
    assert CERTIFICATE_SCHEMA.field("inferred_fields").type == pa.list_(pa.string())


def test_an_empty_row_is_a_valid_record() -> None:
    batch = pa.RecordBatch.from_pylist([empty_row()], schema=CERTIFICATE_SCHEMA)
    assert batch.num_rows == 1
    assert DATA_SOURCES == ("xml", "register_json", "archive", "csv_summary")
