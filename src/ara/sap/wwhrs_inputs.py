"""Waste water heat recovery (SAP 10.2 Appendix G3) inputs -> kernel columns, column-wise,
with every check.

Instantaneous systems 1 and 2 are computed in the SAP 2009 (G10) lineage form of decision
0024: the kernel needs, per system, the summed flow rate of the mixer showers draining to it
and the product's PCDB efficiency and utilisation factor. Storage WWHRS are refused by name:
their method is not transcribed (``spec/tables/sap10_2_appendix_g3_wwhrs.csv``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.sap.problems import Problems
from ara_kernels import layout as L

if TYPE_CHECKING:
    from ara.sap.prepare import ListColumn

Col = Callable[..., np.ndarray]
NONE, SYSTEM_1, SYSTEM_2, STORAGE = 1, 2, 3, 4  # ShowerWWHRSCode
ELECTRIC_SHOWER = 4  # SHOWER_OUTLET_CODES
STORAGE_REFUSED = ("storage WWHRS (code 4) is not supported: the SAP 10.2 Appendix G3 storage "
                   "method is not transcribed in spec/ (docs/decisions/0024-wwhrs.md)")


def outlet_codes(arr: pa.Array, showers: ListColumn, p: Problems) -> np.ndarray:
    """The ShowerWWHRSCode of every shower outlet (aligned with ``showers``' children): the
    ``shower_wwhrs`` entry of a row whose list has one entry per outlet, else 1 (none)."""
    codes = np.full(showers.parents.size, NONE, dtype=np.int64)
    given = ~np.asarray(arr.is_null().to_numpy(zero_copy_only=False), dtype=bool)
    if not given.any():
        return codes
    lengths = np.asarray(pc.fill_null(pc.list_value_length(arr), 0).to_numpy(
        zero_copy_only=False), dtype=np.int64)
    mismatch = given & (lengths != np.diff(showers.offsets))
    p.add(mismatch, "shower_wwhrs", "must have one entry per shower outlet (the length of "
          "showers)")
    ok = given & ~mismatch
    parents = np.asarray(pc.list_parent_indices(arr).to_numpy(zero_copy_only=False),
                         dtype=np.int64)
    values = np.asarray(pc.fill_null(arr.flatten(), NONE).to_numpy(zero_copy_only=False),
                        dtype=np.int64)
    # rows of equal length flatten in the same order, so their entries line up
    codes[ok[showers.parents]] = values[ok[parents]]
    return codes


def resolve_wwhrs(p: Problems, dfl: np.ndarray, dil: np.ndarray, arr: pa.Array,
                  showers: ListColumn, col: Col) -> None:
    """Fill the DF_WWHRS* / DI_WWHRS columns of the dwellings with an instantaneous WWHRS."""
    n = dfl.shape[0]
    wwhrs = col("wwhrs", 0) == 1
    if not wwhrs.any() and arr.null_count == len(arr):
        return
    codes = outlet_codes(arr, showers, p)
    parents = showers.parents
    p.add_rows(parents[~np.isin(codes, (NONE, SYSTEM_1, SYSTEM_2, STORAGE))], "shower_wwhrs",
               "unknown code (ShowerWWHRSCode 1-4)")
    p.add_rows(parents[codes == STORAGE], "shower_wwhrs", STORAGE_REFUSED)
    electric = showers.fields["outlet_type"] == ELECTRIC_SHOWER
    instantaneous = np.isin(codes, (SYSTEM_1, SYSTEM_2))
    p.add_rows(parents[instantaneous & electric], "shower_wwhrs",
               "an instantaneous WWHRS recovers heat from mixer showers only (this outlet is "
               "an electric shower)")
    connected = np.bincount(parents[np.isin(codes, (SYSTEM_1, SYSTEM_2, STORAGE))],
                            minlength=n) > 0
    p.add(wwhrs & ~connected, "wwhrs", "no shower outlet drains to a WWHRS (shower_wwhrs 2-4)")
    p.add(~wwhrs & connected, "shower_wwhrs", "outlets drain to a WWHRS but wwhrs is not true")
    flow = showers.fields["flow_rate_l_per_min"]
    on = np.zeros(n, dtype=bool)
    for k, code, (i_flow, i_eff, i_util) in (
            (1, SYSTEM_1, (L.DF_WWHRS1_FLOW, L.DF_WWHRS1_EFF, L.DF_WWHRS1_UTIL)),
            (2, SYSTEM_2, (L.DF_WWHRS2_FLOW, L.DF_WWHRS2_EFF, L.DF_WWHRS2_UTIL))):
        mixer = (codes == code) & ~electric
        uses = wwhrs & (np.bincount(parents[mixer], minlength=n) > 0)
        eff = col(f"wwhrs_{k}_efficiency_percent")
        util = col(f"wwhrs_{k}_utilisation_factor")
        good_eff = np.isfinite(eff) & (np.nan_to_num(eff) > 0) & (np.nan_to_num(eff) <= 100)
        good_util = np.isfinite(util) & (np.nan_to_num(util) > 0) \
            & (np.nan_to_num(util) <= 1)
        p.add(uses & ~good_eff, f"wwhrs_{k}_efficiency_percent",
              f"required when a mixer shower drains to instantaneous WWHRS {k}: the "
              "product's PCDB efficiency, 0-100 %")
        p.add(uses & ~good_util, f"wwhrs_{k}_utilisation_factor",
              f"required when a mixer shower drains to instantaneous WWHRS {k}: the "
              "product's PCDB utilisation factor, 0-1")
        ok = uses & good_eff & good_util
        dfl[:, i_flow] = np.where(ok, np.bincount(parents[mixer], weights=flow[mixer],
                                                  minlength=n), 0.0)
        dfl[:, i_eff] = np.where(ok, eff, 0.0)
        dfl[:, i_util] = np.where(ok, util, 0.0)
        on |= ok
    # a row with a problem is not computed; the flag only marks rows with something to do
    dil[:, L.DI_WWHRS] = on
