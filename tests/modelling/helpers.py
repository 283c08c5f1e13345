"""Shared builders for the modelling tests."""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from ara.rdsap.readers.schema import CERTIFICATE_SCHEMA
from ara.sap.schema import SAP_INPUT_SCHEMA
from tests.dwellings import semi_detached


def dwelling(pid: str = "p1", **changes: Any) -> dict[str, Any]:
    d = semi_detached(pid)
    d["elements"][2]["u_value"] = 2.3  # uninsulated loft
    d["fixed_lighting"] = [{"count": 8, "power_w": 60.0, "efficacy_lm_per_w": 11.2}]
    d["secondary_code"] = 691
    d["secondary_fuel"] = 30
    d.update(changes)
    return d


def inputs(*rows: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=SAP_INPUT_SCHEMA)


def cert(wall: str = "3", insulation: str = "4", roof: str = "4", property_type: str = "0",
         roof_mm: str | None = "0", floor_heat_loss: str = "7") -> dict[str, Any]:
    return {"property_type": property_type, "built_form": "2",
            "building_parts": [{"building_part_number": 1, "wall_construction": wall,
                                "wall_insulation_type": insulation, "roof_construction": roof,
                                "roof_insulation_thickness": roof_mm,
                                "floor_heat_loss": floor_heat_loss}]}


def certs(*rows: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=CERTIFICATE_SCHEMA)


def flags(pid: str = "p1", conservation: bool = False, listed: bool = False,
          heritage: bool = False) -> pa.Table:
    return pa.Table.from_pylist([{"property_id": pid, "conservation_area": conservation,
                                  "listed_building": listed, "heritage_building": heritage}])
