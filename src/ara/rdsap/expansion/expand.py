"""The RdSAP 10 expansion: certificate data (CERTIFICATE_SCHEMA) -> calculator inputs
(SAP_INPUT_SCHEMA), over whole columns. The fabric part (dimensions, U-values, openings,
thermal bridging, living area) runs first; its roof and floor areas feed the services part
(ventilation, heating, hot water, lighting, tariff, PV)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ara.rdsap.expansion.fabric import expand_fabric
from ara.rdsap.expansion.services import expand_services
from ara.sap.schema import SAP_INPUT_SCHEMA

Problem = tuple[int, str | None, str, str]  # (row, certificate number, field, message)


@dataclass(frozen=True)
class ExpansionResult:
    inputs: pa.Table
    """SAP_INPUT_SCHEMA rows, one per certificate, ``dwelling_id`` as given."""
    problems: list[Problem]
    """Certificates that could not be expanded; the calculator rejects their rows too."""
    audit: dict[str, pa.Array]
    """Per-row notes of the defaults applied (from the services expansion)."""


def _floats(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pa.array(array).to_numpy(zero_copy_only=False), dtype=np.float64)


def expand(certs: pa.Table, dwelling_ids: Sequence[str] | None = None) -> ExpansionResult:
    """Expand ``certs`` into calculator inputs. ``dwelling_ids`` name the rows (default: the
    certificate numbers)."""
    fabric = expand_fabric(certs)
    roof = np.nan_to_num(_floats(fabric.quantities["roof_area_m2"]))
    tfa = np.nan_to_num(_floats(fabric.quantities["total_floor_area_m2"]))
    services = expand_services(certs, roof, tfa)
    columns: dict[str, pa.Array] = {**services.columns, **fabric.columns}
    ids = list(dwelling_ids) if dwelling_ids is not None else \
        [str(c) for c in certs.column("certificate_number").to_pylist()]
    columns["dwelling_id"] = pa.array(ids, pa.string())
    columns["rating_method"] = columns.get("rating_method", pa.array(np.full(len(ids), 2),
                                                                    pa.int8()))
    arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(len(ids), f.type)
              for f in SAP_INPUT_SCHEMA]
    inputs = pa.Table.from_arrays(arrays, schema=SAP_INPUT_SCHEMA)
    problems: list[Problem] = [(p.row, p.certificate_number, p.field, p.message)
                               for p in fabric.problems]
    problems += [(p.row, p.certificate_number, p.field, p.message) for p in services.problems]
    return ExpansionResult(inputs, problems, services.audit)
