"""The components of a certificate that the synthesis predicts, as columns (vectorised).

Categorical components are codes of ``CERTIFICATE_SCHEMA`` (strings, as lodged); numeric ones
are floats in the unit of their name. The main building part (part 1), its lowest storey and
the first main heating system stand for the dwelling where the schema lists several.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["AGE_BANDS", "CATEGORICAL", "FEATURE_COLUMNS", "INDEX_COLUMNS", "KEY_COMPONENTS",
           "NUMERIC", "OVERRIDABLE", "Features", "component_columns", "encode", "raw_columns"]

#: RdSAP construction age bands in order (A before 1900 ... M 2023 onwards).
AGE_BANDS = tuple("ABCDEFGHIJKLM")

CATEGORICAL = (
    "age_band", "wall_construction", "wall_insulation_type", "roof_construction",
    "roof_insulation_thickness", "floor_construction", "floor_insulation", "glazing_type",
    "main_heating_category", "main_fuel_type", "main_heating_system", "main_heating_control",
    "water_heating_code", "cylinder_size", "secondary_heating_type", "mechanical_ventilation",
    "photovoltaics", "solar_water_heating",
)
NUMERIC = (
    "total_floor_area_m2", "storey_count", "ground_floor_area_m2", "room_height_m",
    "heat_loss_perimeter_m", "habitable_room_count", "pv_peak_power_kw",
)
#: The components whose agreement picks the template and makes the confidence figure: the
#: fabric and the systems that move a rating most (plus the floor area band, see synthesis).
KEY_COMPONENTS = (
    "age_band", "wall_construction", "wall_insulation_type", "roof_construction",
    "glazing_type", "main_heating_category", "main_fuel_type", "main_heating_system",
    "water_heating_code", "cylinder_size",
)
#: Components a target may constrain (a Landlord Override known for the home): a hard filter.
OVERRIDABLE = (
    "wall_construction", "wall_insulation_type", "roof_construction",
    "floor_construction", "glazing_type", "main_heating_category", "main_fuel_type",
    "water_heating_code", "mechanical_ventilation", "photovoltaics", "solar_water_heating",
)

#: The certificate columns the index keeps besides the features (plus ``latitude`` and
#: ``longitude`` when a dataset has them).
INDEX_COLUMNS = ("certificate_number", "uprn", "postcode", "address_line_1", "property_type",
                 "built_form")
#: The certificate columns the components are read from (what a Parquet reader must load).
FEATURE_COLUMNS = (
    "certificate_number", "uprn", "postcode", "address_line_1", "inspection_date",
    "property_type", "built_form", "total_floor_area_m2", "dwelling_storey_count",
    "habitable_room_count", "energy_rating_current", "building_parts", "windows",
    "multiple_glazing_type", "main_heating", "water_heating_code", "cylinder_size",
    "secondary_heating_type", "mechanical_ventilation", "pv_percent_roof_area", "pv_arrays",
    "solar_water_heating",
)


def _combined(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    return column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column


def _first_index(list_column: pa.Array) -> np.ndarray:
    """Per row, the index of the list's item 0 in ``list_column.flatten()``; -1 when the list
    is empty or null."""
    offsets = np.asarray(list_column.offsets.to_numpy(zero_copy_only=False), dtype=np.int64)
    valid = np.asarray(list_column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    has = valid & (offsets[1:] > offsets[:-1])
    return np.where(has, offsets[:-1] - offsets[0], -1)


def _first(list_column: pa.Array, field: str) -> pa.Array:
    """Per row, ``field`` of the list's item 0 (null when the list is empty)."""
    index = _first_index(list_column)
    values = pc.struct_field(list_column.flatten(), field)
    return values.take(pa.array(np.maximum(index, 0), mask=index < 0)) if len(values) else \
        pa.nulls(len(list_column), values.type)


def _floats(array: pa.Array) -> np.ndarray:
    return np.asarray(pc.cast(array, pa.float64()).to_numpy(zero_copy_only=False),
                      dtype=np.float64)


def _list_sum(list_column: pa.Array, field: str) -> np.ndarray:
    """Per row, the sum of ``field`` over the list's items (0 for an empty or null list)."""
    n = len(list_column)
    flat = pc.list_flatten(list_column)
    parents = np.asarray(pc.list_parent_indices(list_column).to_numpy(zero_copy_only=False))
    values = np.nan_to_num(_floats(pc.struct_field(flat, field)))
    return np.bincount(parents, weights=values, minlength=n)


def _list_mode(list_column: pa.Array, field: str) -> pa.Array:
    """Per row, the most frequent non-null value of ``field`` over the list's items (ties:
    the smallest value); null when there is none."""
    n = len(list_column)
    flat = pc.list_flatten(list_column)
    values = pc.struct_field(flat, field).cast(pa.string())
    parents = np.asarray(pc.list_parent_indices(list_column).to_numpy(zero_copy_only=False))
    keep = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    out = np.full(n, None, dtype=object)
    if keep.any():
        kept = values.filter(pa.array(keep))
        vocabulary = np.array(sorted(set(pc.unique(kept).to_pylist())), dtype=object)
        codes = encode(kept, tuple(vocabulary))
        counts = np.zeros((n, len(vocabulary)), dtype=np.int64)
        np.add.at(counts, (parents[keep], codes), 1)
        found = counts.max(axis=1) > 0
        out[found] = vocabulary[counts.argmax(axis=1)[found]]
    return pa.array(out, pa.string())


def _yes_no(mask: np.ndarray, known: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(known), pa.array(np.where(mask, "Y", "N"), pa.string()),
                      pa.scalar(None, pa.string()))


def component_columns(certs: pa.Table) -> dict[str, pa.Array | np.ndarray]:
    """Every component of :data:`CATEGORICAL` (string arrays) and :data:`NUMERIC` (float
    arrays, NaN when not lodged) for each certificate of ``certs``."""
    parts = _combined(certs.column("building_parts"))
    heating = _combined(certs.column("main_heating"))

    def part(field: str) -> pa.Array:
        return _first(parts, field)

    # the lowest storey of part 1: item 0 of the floor dimensions of item 0 of the parts
    first_part = _first_index(parts)
    dimensions = pc.struct_field(parts.flatten(), "floor_dimensions")
    if len(dimensions):
        first_part_dimensions = dimensions.take(pa.array(np.maximum(first_part, 0),
                                                         mask=first_part < 0))
    else:
        first_part_dimensions = pa.nulls(len(parts), dimensions.type)

    def storey(field: str) -> pa.Array:
        return _first(first_part_dimensions, field)

    def main(field: str) -> pa.Array:
        return _first(heating, field)

    windows = _combined(certs.column("windows"))
    glazing = pc.coalesce(_list_mode(windows, "glazing_type"),
                          _combined(certs.column("multiple_glazing_type")))
    system = pc.coalesce(main("sap_main_heating_code"), pc.binary_join_element_wise(
        "pcdb:", main("main_heating_index_number"), ""))
    pv_arrays = _combined(certs.column("pv_arrays"))
    pv_kw = _list_sum(pv_arrays, "peak_power_kw")
    pv_count = np.asarray(pc.fill_null(pc.list_value_length(pv_arrays), 0)
                          .to_numpy(zero_copy_only=False))
    pv_percent = _floats(_combined(certs.column("pv_percent_roof_area")))
    pv_known = (pv_count > 0) | ~np.isnan(pv_percent)
    solar = _combined(certs.column("solar_water_heating"))
    solar_known = np.asarray(solar.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    solar_yes = np.asarray(pc.fill_null(solar, False).to_numpy(zero_copy_only=False),
                           dtype=bool)
    lodged_area = _floats(_combined(certs.column("total_floor_area_m2")))
    all_storeys = pc.list_flatten(pc.struct_field(pc.list_flatten(parts), "floor_dimensions"))
    n = certs.num_rows
    storey_parents = np.asarray(pc.list_parent_indices(
        pc.struct_field(pc.list_flatten(parts), "floor_dimensions")).to_numpy(
        zero_copy_only=False))
    part_parents = np.asarray(pc.list_parent_indices(parts).to_numpy(zero_copy_only=False))
    storey_area = np.nan_to_num(_floats(pc.struct_field(all_storeys, "total_floor_area_m2")))
    summed = np.bincount(part_parents[storey_parents], weights=storey_area, minlength=n) \
        if len(storey_parents) else np.zeros(n)
    area = np.where(np.isnan(lodged_area) & (summed > 0), summed, lodged_area)
    return {
        "age_band": part("construction_age_band"),
        "wall_construction": part("wall_construction"),
        "wall_insulation_type": part("wall_insulation_type"),
        "roof_construction": part("roof_construction"),
        "roof_insulation_thickness": part("roof_insulation_thickness"),
        "floor_construction": storey("floor_construction"),
        "floor_insulation": storey("floor_insulation"),
        "glazing_type": glazing,
        "main_heating_category": main("main_heating_category"),
        "main_fuel_type": main("main_fuel_type"),
        "main_heating_system": system,
        "main_heating_control": main("main_heating_control"),
        "water_heating_code": _combined(certs.column("water_heating_code")),
        "cylinder_size": _combined(certs.column("cylinder_size")),
        "secondary_heating_type": _combined(certs.column("secondary_heating_type")),
        "mechanical_ventilation": _combined(certs.column("mechanical_ventilation")),
        "photovoltaics": _yes_no((pv_count > 0) | (np.nan_to_num(pv_percent) > 0), pv_known),
        "solar_water_heating": _yes_no(solar_yes, solar_known),
        "total_floor_area_m2": area,
        "storey_count": _floats(_combined(certs.column("dwelling_storey_count"))),
        "ground_floor_area_m2": _floats(storey("total_floor_area_m2")),
        "room_height_m": _floats(storey("room_height_m")),
        "heat_loss_perimeter_m": _floats(storey("heat_loss_perimeter_m")),
        "habitable_room_count": _floats(_combined(certs.column("habitable_room_count"))),
        "pv_peak_power_kw": np.where(pv_known, pv_kw, np.nan),
    }


@dataclass(frozen=True)
class Features:
    """Components of the comparables, row-aligned with the comparables' row ids.

    ``codes[name]``: int64 codes of a categorical component, -1 when not lodged; the code is
    the index of the value in ``vocabulary[name]`` (sorted), so equal values share a code in
    every table encoded with the same vocabulary. ``numbers[name]``: floats, NaN when not
    lodged. ``certificate_numbers`` (object), ``inspection_days`` (days since 1970, NaN when
    not lodged), ``certificate_rank`` (the rank of the number in sorted order: the
    tie-break of the synthesis) and ``lodged_sap`` (the lodged SAP rating, NaN when absent) per row.
    """

    codes: dict[str, np.ndarray]
    vocabulary: dict[str, tuple[str, ...]]
    numbers: dict[str, np.ndarray]
    certificate_numbers: np.ndarray
    certificate_rank: np.ndarray
    inspection_days: np.ndarray
    lodged_sap: np.ndarray
    certificate_number_array: pa.Array

    @classmethod
    def from_certificates(cls, certs: pa.Table) -> Features:
        return cls.from_parts([raw_columns(certs)])

    @classmethod
    def from_parts(cls, parts: list[dict[str, pa.Array | np.ndarray]]) -> Features:
        """The features of :func:`raw_columns` of consecutive slices of the certificates
        (a Parquet dataset read batch by batch), encoded with one vocabulary."""

        def joined(name: str) -> pa.Array:
            arrays = [pc.cast(part[name], pa.string()) for part in parts]
            return pa.chunked_array(arrays, pa.string()).combine_chunks()

        def floats(name: str) -> np.ndarray:
            return np.concatenate([np.asarray(part[name], dtype=np.float64) for part in parts]) \
                if parts else np.zeros(0)

        codes: dict[str, np.ndarray] = {}
        vocabulary: dict[str, tuple[str, ...]] = {}
        for name in CATEGORICAL:
            values = joined(name)
            vocab = tuple(sorted(v for v in pc.unique(values).to_pylist() if v is not None))
            vocabulary[name] = vocab
            codes[name] = encode(values, vocab)
        values = {name: floats(name) for name in NUMERIC}
        numbers = joined("certificate_number")
        numbers_of = np.asarray(numbers.to_numpy(zero_copy_only=False), dtype=object)
        order = np.asarray(pc.sort_indices(numbers).to_numpy(zero_copy_only=False))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return cls(codes, vocabulary, values, numbers_of, rank, floats("inspection_days"),
                   floats("lodged_sap"), numbers)

    def take(self, rows: np.ndarray) -> Features:
        return Features({k: v[rows] for k, v in self.codes.items()}, self.vocabulary,
                        {k: v[rows] for k, v in self.numbers.items()},
                        self.certificate_numbers[rows], self.certificate_rank[rows],
                        self.inspection_days[rows], self.lodged_sap[rows],
                        self.certificate_number_array.take(pa.array(rows)))


def raw_columns(certs: pa.Table) -> dict[str, pa.Array | np.ndarray]:
    """:func:`component_columns` plus the certificate number, inspection date (days since
    1970, NaN when absent) and lodged SAP rating: what :class:`Features` is made of."""
    out = component_columns(certs)
    out["certificate_number"] = _combined(certs.column("certificate_number")).cast(pa.string())
    out["inspection_days"] = _floats(_combined(certs.column("inspection_date")).cast(
        pa.int32())) if certs.num_rows else np.zeros(0)
    out["lodged_sap"] = _floats(_combined(certs.column("energy_rating_current")))
    return out


def encode(values: pa.Array | pa.ChunkedArray, vocabulary: tuple[str, ...]) -> np.ndarray:
    """Codes of ``values`` in ``vocabulary`` (sorted strings): -1 for null or unknown."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    index = pc.index_in(values.cast(pa.string()), value_set=pa.array(vocabulary, pa.string()))
    return np.asarray(pc.fill_null(index, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
