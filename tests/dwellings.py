"""Small hand-built dwellings shared by tests (plain dicts of SAP_INPUT_SCHEMA rows)."""

from __future__ import annotations

import copy
from typing import Any


def semi_detached(dwelling_id: str = "semi") -> dict[str, Any]:
    """A two-storey semi-detached house with a party wall, a cylinder and four windows."""
    return copy.deepcopy({
        "dwelling_id": dwelling_id,
        "climate_region": 6,
        "storeys": [{"level": 0, "floor_area_m2": 42.0, "storey_height_m": 2.5},
                    {"level": 1, "floor_area_m2": 42.0, "storey_height_m": 2.6}],
        "living_area_m2": 18.0,
        "pressure_test": 4, "ventilation_type": 1, "intermittent_fans": 2, "open_chimneys": 1,
        "wall_construction": 2, "floor_construction": 3, "draughtproofed_percent": 50.0,
        "sheltered_sides": 1,
        "elements": [
            {"kind": 4, "gross_area_m2": 42.0, "u_value": 0.7, "kappa_kj_per_m2k": 110.0,
             "thermal_bridging_y": 0.15},
            {"kind": 1, "gross_area_m2": 95.0, "u_value": 1.6, "kappa_kj_per_m2k": 150.0,
             "thermal_bridging_y": 0.15},
            {"kind": 3, "gross_area_m2": 42.0, "u_value": 0.4, "kappa_kj_per_m2k": 9.0,
             "thermal_bridging_y": 0.15},
            {"kind": 7, "gross_area_m2": 33.0, "u_value": 0.5, "kappa_kj_per_m2k": 180.0},
        ],
        "openings": [
            {"kind": 1, "area_m2": 1.85, "u_value": 3.0, "host_element": 1},
            {"kind": 2, "area_m2": 3.0, "u_value": 2.8, "glazing_type": 3, "orientation": 5,
             "host_element": 1, "thermal_bridging_y": 0.15},
            {"kind": 2, "area_m2": 2.5, "u_value": 2.8, "glazing_type": 3, "orientation": 1,
             "host_element": 1, "thermal_bridging_y": 0.15},
            {"kind": 2, "area_m2": 1.5, "u_value": 4.8, "glazing_type": 2, "orientation": 3,
             "host_element": 1, "thermal_bridging_y": 0.15},
            {"kind": 2, "area_m2": 2.0, "u_value": 2.8, "glazing_type": 3, "orientation": 7,
             "host_element": 1, "thermal_bridging_y": 0.15},
        ],
        "windows_overshading": 2,
        "hot_water_delivery": 3, "cylinder_volume_l": 110.0, "cylinder_insulation_type": 2,
        "cylinder_insulation_mm": 25.0, "cylinder_thermostat": True,
        "hot_water_separately_timed": False, "primary_pipework_insulation": 1,
        "main1_code": 104, "main1_fuel": 1, "main1_control": 2106, "main1_emitter": 1,
        "main1_pump_in_heated_space": True, "main1_pump_age": 1,
    })
