"""Generated dwellings for benchmarks and property-based tests (labelled synthetic).

Everything is built column by column with NumPy (list columns from offsets), so a million
dwellings take seconds. The dwellings are physically plausible, not representative of any
stock: 1-3 storeys, detached to mid-terrace, varied glazing, ventilation, hot water and
controls, all 22 climate regions.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ara.sap.schema import (
    ELEMENT_TYPE,
    LIGHT_TYPE,
    OPENING_TYPE,
    SAP_INPUT_SCHEMA,
    STOREY_TYPE,
    THERMAL_BRIDGE_TYPE,
)


def _list(offsets: np.ndarray, struct_type: pa.StructType, columns: dict[str, np.ndarray]) \
        -> pa.ListArray:
    children = [pa.array(columns[f.name], type=f.type) for f in struct_type]
    values = pa.StructArray.from_arrays(children, fields=list(struct_type))
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), values)


def generate(n: int, seed: int = 0) -> pa.Table:
    """``n`` synthetic dwellings as a table of ``SAP_INPUT_SCHEMA``."""
    rng = np.random.default_rng(seed)
    storeys = rng.integers(1, 4, n)
    footprint = rng.uniform(25.0, 110.0, n)
    height = rng.uniform(2.3, 3.1, n)
    attached = rng.integers(0, 3, n)  # 0 detached, 1 semi, 2 mid-terrace: party walls

    # storeys
    st_off = np.concatenate([[0], np.cumsum(storeys)])
    owner = np.repeat(np.arange(n), storeys)
    level = np.arange(st_off[-1]) - st_off[:-1][owner]
    st = _list(st_off, STOREY_TYPE, {
        "level": level, "floor_area_m2": footprint[owner], "storey_height_m": height[owner]})
    tfa = footprint * storeys

    # elements: ground floor, roof, external wall, party wall (kind 7, area may be zero ->
    # omitted by giving one party wall only to attached dwellings), internal floor kappa
    perimeter = 4.0 * np.sqrt(footprint)
    wall_gross = perimeter * height * storeys * (1.0 - 0.25 * attached)
    party_area = perimeter * height * storeys * 0.25 * attached
    n_el = 3 + (attached > 0)
    el_off = np.concatenate([[0], np.cumsum(n_el)])
    kinds = np.empty(el_off[-1], dtype=np.int64)
    areas = np.empty(el_off[-1])
    uvals = np.empty(el_off[-1])
    kappa = np.empty(el_off[-1])
    base = el_off[:-1]
    u_wall = rng.uniform(0.18, 2.1, n)
    for j, (kind, area, u, k) in enumerate((
            (4, footprint, rng.uniform(0.15, 1.2, n), 110.0),
            (3, footprint, rng.uniform(0.1, 2.3, n), 9.0),
            (1, wall_gross, u_wall, 150.0))):
        kinds[base + j] = kind
        areas[base + j] = area
        uvals[base + j] = u
        kappa[base + j] = k
    has_party = attached > 0
    pidx = base[has_party] + 3
    kinds[pidx] = 7
    areas[pidx] = party_area[has_party]
    uvals[pidx] = rng.choice([0.0, 0.2, 0.5], has_party.sum())
    kappa[pidx] = 180.0
    y = rng.choice([0.05, 0.08, 0.15, 0.2], n)
    el = _list(el_off, ELEMENT_TYPE, {
        "kind": kinds, "gross_area_m2": areas, "u_value": uvals, "kappa_kj_per_m2k": kappa,
        "thermal_bridging_y": y[np.repeat(np.arange(n), n_el)]})

    # openings: 1-2 doors and 3-9 windows in the external wall (element index 2)
    n_doors = rng.integers(1, 3, n)
    n_win = rng.integers(3, 10, n)
    n_op = n_doors + n_win
    op_off = np.concatenate([[0], np.cumsum(n_op)])
    owner = np.repeat(np.arange(n), n_op)
    rank = np.arange(op_off[-1]) - op_off[:-1][owner]
    is_door = rank < n_doors[owner]
    glazing_share = rng.uniform(0.12, 0.25, n)
    win_area = (glazing_share * tfa / n_win)[owner]
    win_area = np.minimum(win_area, (0.6 * wall_gross / n_op)[owner])
    op_area = np.where(is_door, 1.85, win_area)
    op_u = np.where(is_door, rng.uniform(1.0, 3.0, owner.size), rng.uniform(1.2, 4.8, owner.size))
    g = rng.choice([0.85, 0.76, 0.72, 0.63], owner.size)
    op = _list(op_off, OPENING_TYPE, {
        "kind": np.where(is_door, 1, 2), "area_m2": op_area, "u_value": op_u,
        "g_perpendicular": g, "light_transmittance": np.clip(g + 0.06, 0, 0.9),
        "frame_factor": rng.choice([0.7, 0.8], owner.size),
        "glazing_type": np.full(owner.size, None), "frame_type": np.full(owner.size, None),
        "orientation": rng.integers(1, 9, owner.size), "tilt_deg": np.full(owner.size, None),
        "host_element": np.full(owner.size, 2), "thermal_bridging_y": y[owner]})

    empty = np.zeros(n + 1, dtype=np.int64)
    tb = _list(empty, THERMAL_BRIDGE_TYPE, {"length_m": np.zeros(0), "psi_w_per_mk": np.zeros(0)})
    n_light = rng.integers(0, 3, n)
    li_off = np.concatenate([[0], np.cumsum(n_light)])
    m = li_off[-1]
    li = _list(li_off, LIGHT_TYPE, {"count": rng.integers(1, 12, m),
                                    "power_w": rng.choice([5.0, 9.0, 11.0, 60.0], m),
                                    "efficacy_lm_per_w": rng.choice([11.2, 55.0, 80.0, 100.0], m)})

    vent = rng.choice([1, 2, 5, 7, 8, 10], n, p=[0.55, 0.1, 0.1, 0.05, 0.1, 0.1])
    ptest = rng.choice([4, 6, 1], n, p=[0.7, 0.2, 0.1])
    # heating archetypes: (main code, fuel, water heating code, hot water delivery, tariff)
    systems = np.array([
        (104, 1, 901, 2, 1),    # gas condensing combi
        (102, 1, 901, 3, 1),    # gas regular condensing boiler with cylinder
        (101, 1, 901, 3, 1),    # gas regular non-condensing boiler with cylinder
        (691, 30, 909, 1, 1),   # electric panel heaters, instantaneous water heating
        (211, 30, 901, 3, 1),   # air source heat pump with cylinder
        (691, 30, 903, 3, 1),   # electric room heaters, immersion cylinder
    ])
    pick = systems[rng.choice(len(systems), n, p=[0.45, 0.15, 0.1, 0.1, 0.1, 0.1])]
    delivery = pick[:, 3]
    control = rng.choice([2106, 2110, 2699], n)
    cols = {
        "dwelling_id": pa.array([f"synthetic-{seed}-{i}" for i in range(n)]),
        "climate_region": rng.integers(0, 22, n),
        "storeys": st,
        "living_area_m2": tfa * rng.uniform(0.15, 0.45, n),
        "thermal_mass_parameter": np.where(rng.random(n) < 0.5, np.nan, 250.0),
        "storey_count": storeys,
        "open_chimneys": rng.integers(0, 2, n),
        "open_flues": rng.integers(0, 2, n),
        "intermittent_fans": rng.integers(0, 4, n),
        "passive_vents": rng.integers(0, 2, n),
        "wall_construction": rng.integers(1, 3, n),
        "floor_construction": rng.integers(1, 4, n),
        "draught_lobby": rng.random(n) < 0.3,
        "draughtproofed_percent": rng.uniform(0, 100, n),
        "pressure_test": ptest,
        "air_permeability_q50": np.where(ptest == 4, np.nan, rng.uniform(2.0, 15.0, n)),
        "sheltered_sides": rng.integers(0, 5, n),
        "ventilation_type": vent,
        "mvhr_efficiency_percent": np.where(vent == 8, rng.uniform(60, 90, n), np.nan),
        "mv_in_use_factor": np.where(vent >= 5, rng.uniform(1.0, 1.5, n), np.nan),
        "elements": el,
        "openings": op,
        "thermal_bridges": tb,
        "windows_overshading": rng.integers(1, 5, n),
        "cold_water_source": rng.integers(1, 3, n),
        "hot_water_delivery": delivery,
        "combi_keep_hot": np.where(delivery == 2, rng.integers(0, 3, n), 0),
        "cylinder_volume_l": np.where(delivery == 3, rng.choice([110.0, 160.0, 210.0], n), np.nan),
        "cylinder_insulation_type": np.where(delivery == 3, rng.integers(1, 3, n), 1),
        "cylinder_insulation_mm": np.where(delivery == 3, rng.choice([12.0, 25.0, 50.0, 80.0], n),
                                           np.nan),
        "cylinder_thermostat": rng.random(n) < 0.7,
        "hot_water_separately_timed": rng.random(n) < 0.6,
        "primary_pipework_insulation": rng.integers(1, 5, n),
        "primary_loss_applies": pick[:, 2] != 903,
        "main1_code": pick[:, 0],
        "main1_fuel": pick[:, 1],
        "water_heating_code": pick[:, 2],
        "water_heating_fuel": np.where(pick[:, 2] == 901, np.nan, 30),
        "electricity_tariff": pick[:, 4],
        "main1_interlock": rng.random(n) < 0.8,
        "mv_specific_fan_power": np.where(vent >= 5, rng.uniform(0.5, 1.5, n), np.nan),
        "main1_control": control,
        "main1_responsiveness": rng.choice([1.0, 0.75, 0.5, 0.25], n),
        "main1_control_type": rng.integers(1, 4, n),
        "main1_temperature_adjustment_k": rng.choice([0.0, 0.3, 0.6], n),
        "main1_pump_in_heated_space": rng.random(n) < 0.8,
        "main1_pump_age": rng.integers(0, 3, n),
        "fixed_lighting": li,
    }
    arrays = []
    for f in SAP_INPUT_SCHEMA:
        if f.name in cols:
            v = cols[f.name]
            arrays.append(v if isinstance(v, pa.Array) else pa.array(v, type=f.type,
                                                                    from_pandas=True))
        else:
            arrays.append(pa.nulls(n, f.type))
    return pa.Table.from_arrays(arrays, schema=SAP_INPUT_SCHEMA)
