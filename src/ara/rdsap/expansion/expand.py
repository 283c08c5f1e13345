"""The RdSAP 10 expansion: certificate data (CERTIFICATE_SCHEMA) -> calculator inputs
(SAP_INPUT_SCHEMA), over whole columns. The fabric part (dimensions, U-values, openings,
thermal bridging, living area) runs first; its roof and floor areas feed the services part
(ventilation, heating, hot water, lighting, tariff, PV).

Two modes (decision 0022). Where a certificate does not lodge an item, or no transcribed
spec table gives it, and ``spec/tables/estimate_fallbacks.csv`` declares a fallback, the
rules write the fallback's value and record its use; then

- ``strict`` (the default): the row is refused; ``refusals`` names each missing item and the
  fallback estimate mode would use;
- ``estimate``: the row is expanded, ``estimate`` is true and ``assumptions`` lists the
  fallback ids.

A missing item with no declared fallback, and invalid data, refuse the row in both modes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.rdsap.expansion.fabric import expand_fabric
from ara.rdsap.expansion.glazed_area import (
    band_lodged,
    needs_windows,
    with_glazed_area_windows,
)
from ara.rdsap.expansion.services import expand_services
from ara.rdsap.expansion.tables import AGE_BANDS
from ara.sap.fallbacks import FallbackLog, Mode, check_mode
from ara.sap.schema import SAP_INPUT_SCHEMA
from ara.sap.tables import needs_fuel_proxy

if TYPE_CHECKING:
    from ara.rdsap.pcdb import Pcdb

Problem = tuple[int, str | None, str, str]  # (row, certificate number, field, message)


@dataclass(frozen=True)
class ExpansionResult:
    inputs: pa.Table
    """SAP_INPUT_SCHEMA rows, one per certificate, ``dwelling_id`` as given."""
    problems: list[Problem]
    """Every reason a row is refused, sorted by row: the rules' blocking problems, and in
    strict mode each estimate fallback the row needed."""
    audit: dict[str, pa.Array]
    """Per-row notes of the documented RdSAP defaults applied (from the services
    expansion)."""
    mode: Mode = "strict"
    estimate: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))
    """Per row: rated with at least one estimate fallback (estimate mode only)."""
    assumptions: pa.Array = field(
        default_factory=lambda: pa.array([], pa.list_(pa.string())))
    """Per row: the ids of the fallbacks used (``spec/tables/estimate_fallbacks.csv``)."""

    @property
    def refused(self) -> np.ndarray:
        """Per row: refused (at least one problem)."""
        out = np.zeros(self.inputs.num_rows, dtype=bool)
        out[[row for row, *_ in self.problems]] = True
        return out

    def reasons(self, row: int) -> list[str]:
        """The refusal reasons of ``row`` as ``field: message`` lines."""
        return [f"{f}: {m}" for r, _c, f, m in self.problems if r == row]


def _floats(array: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pa.array(array).to_numpy(zero_copy_only=False), dtype=np.float64)


def expand(certs: pa.Table, dwelling_ids: Sequence[str] | None = None,
           mode: Mode = "strict", pcdb: Pcdb | None = None) -> ExpansionResult:
    """Expand certificate rows into SAP 10.2 calculator inputs, by the RdSAP 10 rules.

    Expand ``certs`` into calculator inputs, column-wise over the whole table. The fabric
    part (dimensions, U-values, openings, thermal bridging, living area) runs first; its
    roof and floor areas feed the services part (ventilation, heating, hot water,
    lighting, tariff, PV). A certificate that lodges a glazed-area band instead of its
    windows gets windows from the band (fallback ``windows_from_glazed_area``).
    ``dwelling_ids`` name the rows (default: the certificate numbers); ``mode`` is
    ``strict`` or ``estimate`` (module docstring); ``pcdb``: the user's Product
    Characteristics Database (:func:`ara.rdsap.pcdb.load_pcdb`) for products lodged by
    index.

    Parameters
    ----------
    certs : pyarrow.Table
        Certificate data with the columns of ``CERTIFICATE_SCHEMA``, as the readers give
        it (:func:`read_rdsap_xml`, :func:`read_register_json`, :func:`read_certificates`).
    dwelling_ids : sequence of str, optional
        One id per row of ``certs`` for the ``dwelling_id`` column; default: each row's
        ``certificate_number``.
    mode : {"strict", "estimate"}, default "strict"
        What to do with a row that needs a declared estimate fallback
        (``spec/tables/estimate_fallbacks.csv``): ``"strict"`` refuses it, naming each
        missing item and the fallback estimate mode would use; ``"estimate"`` expands it
        with the fallbacks, flags it in ``estimate`` and lists them in ``assumptions``. A
        missing item with no declared fallback, and invalid data, refuse the row in both
        modes.
    pcdb : Pcdb, optional
        The user's PCDB (:func:`load_pcdb`) for products lodged by index number: gas /
        oil boilers without a SAP code (table 105, Appendix D), heat pumps (table 362,
        Appendix N), mechanical ventilation (tables 322/323/329) and WWHRS (table 353).
        Without it, or when it does not hold the product, the rules fall back on the
        tables (for boilers and heat pumps through the declared fallbacks
        ``boiler_product_unavailable`` and ``heat_pump_product_unavailable``, which strict
        mode refuses).

    Returns
    -------
    ExpansionResult
        ``inputs``: a ``pyarrow.Table`` of ``SAP_INPUT_SCHEMA``, one row per certificate in
        order (``rating_method`` 2, the RdSAP method, unless the rules set it; columns no
        rule fills are null); ``problems``: ``(row, certificate_number, field, message)``
        for every reason a row is refused, sorted by row (``refused`` and ``reasons(row)``
        read them); ``audit``: per-row notes of the RdSAP defaults applied; ``mode``;
        ``estimate``: per row, rated with at least one fallback (estimate mode, rows not
        refused); ``assumptions``: per row, the ids of the fallbacks used. A refused row
        still has a row in ``inputs``; leave it out before :func:`ara.sap.calculate`.

    Raises
    ------
    ValueError
        ``mode`` is not "strict" or "estimate".

    References
    ----------
    RdSAP 10 specification (10-06-2025, the numbering of ``docs/rdsap``): section 3
    (dimensions; 3.3 alternative walls, 3.7 openings, 3.8-3.10 roofs and rooms in roof),
    section 4.1 and Table 5 (ventilation), section 5 (U-values: walls, 5.8 added
    insulation, roofs 5.11, floors 5.12-5.17) with Tables 4, 6-9, 12, 13, 15-18, 20 and 23,
    Tables 24 and 26 (windows, doors), Table 21 (thermal bridging), section 9.2 and Table
    27 (living area), section 10.11 and Table 29 (heat networks, heating and hot-water
    defaults), section 11.1 b (PV), section 12 (electricity tariff), section 15
    (rounding); SAP 10.2 Tables 3, 4a-4h and Appendices D, G3, H, J and N for the values
    the certificate names. Rule by rule, with sources and confidence:
    ``docs/rdsap/expansion_fabric.md`` and ``docs/rdsap/expansion_services.md``.
    Project decisions: 0006 (reject, never default), 0022 (strict and estimate modes),
    0021 (heat networks), 0023 (solar water heating, Table 29 panel), 0024 (WWHRS).
    """
    check_mode(mode)
    n = certs.num_rows
    windows_needed = needs_windows(certs) if n else np.zeros(0, dtype=bool)
    if windows_needed.any():
        certs, windows_written = _glazed_area_windows(certs, windows_needed)
    log = FallbackLog(n)
    fabric = expand_fabric(certs, log)
    if windows_needed.any():
        log.use(windows_written, "windows_from_glazed_area")
        log.use(windows_written & ~band_lodged(certs), "windows_not_measured")
    roof = np.nan_to_num(_floats(fabric.quantities["roof_area_m2"]))
    tfa = np.nan_to_num(_floats(fabric.quantities["total_floor_area_m2"]))
    fabric_refused = np.zeros(n, dtype=bool)
    fabric_refused[fabric.failed_rows] = True
    services = expand_services(certs, roof, tfa, log, pcdb, fabric_refused)
    columns: dict[str, pa.Array] = {**services.columns, **fabric.columns}
    ids = list(dwelling_ids) if dwelling_ids is not None else \
        [str(c) for c in certs.column("certificate_number").to_pylist()]
    columns["dwelling_id"] = pa.array(ids, pa.string())
    columns["rating_method"] = columns.get("rating_method", pa.array(np.full(len(ids), 2),
                                                                    pa.int8()))
    proxied = _fuels_needing_proxy(columns, n)
    log.use(proxied, "fuel_factor_proxy")
    columns["fuel_factors_proxy"] = pa.array(proxied)
    arrays = [columns[f.name].cast(f.type) if f.name in columns else pa.nulls(len(ids), f.type)
              for f in SAP_INPUT_SCHEMA]
    inputs = pa.Table.from_arrays(arrays, schema=SAP_INPUT_SCHEMA)
    problems: list[Problem] = [(p.row, p.certificate_number, p.field, p.message)
                               for p in fabric.problems]
    problems += [(p.row, p.certificate_number, p.field, p.message) for p in services.problems]
    resolution = log.resolve(mode)
    numbers = certs.column("certificate_number").to_pylist() if resolution.refusals else []
    problems += [(row, numbers[row], fld, message) for row, fld, message in resolution.refusals]
    problems.sort(key=lambda p: p[0])
    estimate = resolution.estimate & ~_rows_in(problems, n)
    return ExpansionResult(inputs, problems, services.audit, mode, estimate,
                           resolution.assumptions)


def _glazed_area_windows(certs: pa.Table, rows: np.ndarray) -> tuple[pa.Table, np.ndarray]:
    """The estimate fallback ``windows_from_glazed_area`` for ``rows``: a fabric pass that
    does not refuse them for their missing windows gives the total floor area and main age
    band the rule needs (a row with other fabric problems gets no windows: it is refused for
    those)."""
    first = expand_fabric(certs, FallbackLog(certs.num_rows), check_windows=False)
    tfa = _floats(first.quantities["total_floor_area_m2"])
    band = np.asarray(pc.fill_null(pc.index_in(first.quantities["main_age_band"],
                                               value_set=pa.array(list(AGE_BANDS))), -1)
                      .to_numpy(zero_copy_only=False), dtype=np.int64)
    completed = with_glazed_area_windows(certs, rows, tfa, band)
    return completed, rows & ~needs_windows(completed)


def _rows_in(problems: list[Problem], n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[[row for row, *_ in problems]] = True
    return out


def _fuels_needing_proxy(columns: dict[str, pa.Array], n: int) -> np.ndarray:
    """Rows whose main, second main, secondary or water heating fuel lacks a SAP 10.2 figure
    that its estimate-mode proxy gives (fallback ``fuel_factor_proxy``, decision 0025)."""
    out = np.zeros(n, dtype=bool)
    if not n:
        return out
    rdsap = _floats(columns["rating_method"]) == 2
    for name in ("main1_fuel", "main2_fuel", "secondary_fuel", "water_heating_fuel"):
        if name in columns:
            fuel = np.nan_to_num(_floats(columns[name]), nan=-1.0).astype(np.int64)
            out |= needs_fuel_proxy(fuel, rdsap)
    return out
