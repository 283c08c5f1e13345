"""Coherent assembly: the template certificate, its dimensions scaled, nothing else mixed in.

A predicted certificate is one real neighbour's certificate (the template) with its
dimensions scaled by ``s`` = predicted floor area / the template's floor area: floor areas by
``s``, lengths in plan (heat-loss perimeter, party wall, room-in-roof lengths) and wall-like
areas (alternative walls, windows, room-in-roof surfaces) by ``sqrt(s)`` (storeys and room
heights are kept, so walls grow with the perimeter), room counts by ``s`` rounded. Its
fabric, glazing, heating, hot water, cylinder, controls, ventilation and renewables are the
template's, whole: no combination is produced that its own certificate does not have.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["LODGED_RESULTS", "scale_dimensions"]

#: Exponent of ``s`` per field, by path: ``{column: {field: exponent or nested spec}}``.
_SURFACES = {"length_m": 0.5, "area_m2": 0.5}
_PART = {
    "alternative_walls": {"wall_area_m2": 0.5},
    "floor_dimensions": {"total_floor_area_m2": 1.0, "heat_loss_perimeter_m": 0.5,
                         "party_wall_length_m": 0.5},
    "room_in_roof": {"floor_area_m2": 1.0, "surfaces": _SURFACES},
}
_SCALED: dict[str, dict[str, object]] = {
    "building_parts": _PART,
    "windows": {"window_width_m": 0.5, "window_area_m2": 0.5},
}
_TOP = {"conservatory_floor_area_m2": 1.0, "conservatory_glazed_perimeter_m": 0.5}

#: The lodged results of the template: a prediction lodges none (set null).
LODGED_RESULTS = (
    "energy_rating_current", "energy_band_current", "energy_rating_potential",
    "energy_band_potential", "energy_rating_average", "environmental_impact_current",
    "environmental_impact_band_current", "environmental_impact_potential",
    "environmental_impact_band_potential", "co2_emissions_current_kg_per_yr",
    "co2_emissions_current_kg_per_m2_yr", "co2_emissions_potential_kg_per_yr",
    "energy_consumption_current_kwh_per_m2_yr", "energy_consumption_potential_kwh_per_m2_yr",
    "heating_cost_current_gbp_per_yr", "heating_cost_potential_gbp_per_yr",
    "hot_water_cost_current_gbp_per_yr", "hot_water_cost_potential_gbp_per_yr",
    "lighting_cost_current_gbp_per_yr", "lighting_cost_potential_gbp_per_yr",
    "space_heating_kwh_per_yr", "water_heating_kwh_per_yr",
    "impact_of_loft_insulation_kwh_per_yr", "impact_of_cavity_insulation_kwh_per_yr",
    "impact_of_solid_wall_insulation_kwh_per_yr", "raw_document", "registration_date",
    "completion_date", "inspection_date", "certificate_number",
)


def _scaled_values(values: pa.Array, factor: np.ndarray, exponent: float) -> pa.Array:
    floats = np.asarray(pc.cast(values, pa.float64()).to_numpy(zero_copy_only=False),
                        dtype=np.float64)
    out = np.round(floats * factor ** exponent, 2)
    return pa.array(out, pa.float64(), mask=np.isnan(floats)).cast(values.type)


def _scale_struct(array: pa.Array, factor: np.ndarray, spec: dict[str, object]) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    children = array.flatten()
    fields = list(array.type)
    out = []
    for field, child in zip(fields, children, strict=True):
        rule = spec.get(field.name)
        if rule is None:
            out.append(child)
        elif isinstance(rule, dict):
            out.append(_scale_nested(child, factor, rule))
        else:
            out.append(_scaled_values(child, factor, float(rule)))  # type: ignore[arg-type]
    return pa.StructArray.from_arrays(out, fields=fields, mask=array.is_null())


def _scale_list(array: pa.Array, factor: np.ndarray, spec: dict[str, object]) -> pa.Array:
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    parents = np.asarray(pc.list_parent_indices(array).to_numpy(zero_copy_only=False),
                         dtype=np.int64)
    values = _scale_struct(array.flatten(), factor[parents], spec)
    offsets = np.asarray(array.offsets.to_numpy(zero_copy_only=False), dtype=np.int32)
    offsets = offsets - offsets[0]
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), values,
                                    type=array.type, mask=array.is_null())


def _scale_nested(array: pa.Array, factor: np.ndarray, spec: dict[str, object]) -> pa.Array:
    if pa.types.is_list(array.type):
        return _scale_list(array, factor, spec)
    return _scale_struct(array, factor, spec)


def scale_dimensions(certs: pa.Table, factor: np.ndarray) -> pa.Table:
    """``certs`` with every dimension scaled by ``factor`` (one per row; module docstring)."""
    factor = np.where(np.isfinite(factor) & (factor > 0), factor, 1.0).astype(np.float64)
    out = certs
    for name, spec in _SCALED.items():
        if name in out.column_names:
            out = out.set_column(out.schema.get_field_index(name), out.schema.field(name),
                                 _scale_nested(out.column(name).combine_chunks(), factor,
                                               spec))
    for name, exponent in _TOP.items():
        if name in out.column_names:
            out = out.set_column(out.schema.get_field_index(name), out.schema.field(name),
                                 _scaled_values(out.column(name).combine_chunks(), factor,
                                                exponent))
    rooms = {}
    for name in ("habitable_room_count", "heated_room_count"):
        if name in out.column_names:
            values = np.asarray(pc.cast(out.column(name), pa.float64()).to_numpy(
                zero_copy_only=False), dtype=np.float64)
            rooms[name] = np.where(np.isnan(values), np.nan,
                                   np.maximum(1.0, np.round(values * factor)))
    if "heated_room_count" in rooms and "habitable_room_count" in rooms:
        rooms["heated_room_count"] = np.fmin(rooms["heated_room_count"],
                                             rooms["habitable_room_count"])
    for name, values in rooms.items():
        out = out.set_column(out.schema.get_field_index(name), out.schema.field(name),
                             pa.array(np.nan_to_num(values).astype(np.int32), pa.int32(),
                                      mask=np.isnan(values)))
    return out
