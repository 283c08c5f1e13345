"""Waste water heat recovery (WWHRS) columns of the services expansion.

RdSAP's rule (RdSAP 9.08, lineage; ``spec/tables/sap10_2_appendix_g3_wwhrs.csv``): a WWHRS is
included only when its product is in the PCDB. An instantaneous WWHRS lodged by index
(``wwhrs_index_number_1`` / ``_2``) whose product the user's PCDB (table 353) holds as an
instantaneous system takes the product's efficiency and utilisation factor, and the mixer
showers lodged as draining to it (``Shower-WWHRS`` 2 / 3) are connected to it in the
calculator inputs (only mixer showers count for an instantaneous WWHRS). A WWHRS whose saving
cannot be computed - no PCDB, an index it does not hold, connected outlets without an index,
a storage WWHRS (its SAP 10.2 method is not transcribed), or a certificate without an outlet
list (RdSAP 9.x) - is left out as the declared fallback ``wwhrs_ignored``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ara.rdsap.expansion.services_io import Certificates, Items, Log, Output, floats, int_codes

if TYPE_CHECKING:
    from ara.rdsap.pcdb import Pcdb

NONE, SYSTEM_1, SYSTEM_2, STORAGE = 1, 2, 3, 4  # ShowerWWHRSCode
INSTANTANEOUS = 1  # PCDB table 353 field 10: 1 instantaneous, 2 storage (2015 file, LINEAGE)


def _valid(arr: pa.Array) -> np.ndarray:
    return np.asarray(arr.is_valid().to_numpy(zero_copy_only=False), dtype=bool)


def _products(c: Certificates, name: str, pcdb: Pcdb | None) -> tuple[np.ndarray, np.ndarray,
                                                                        np.ndarray]:
    """Per certificate: whether the index in ``name`` is an instantaneous WWHRS of the PCDB
    with an efficiency (0-100 %) and a utilisation factor (0-1), and those two values."""
    n = c.n
    nothing = (np.zeros(n, dtype=bool), np.full(n, np.nan), np.full(n, np.nan))
    if pcdb is None or 353 not in pcdb.tables or not _valid(c.arr(name)).any():
        return nothing
    from ara.rdsap.pcdb import lookup

    rows = lookup(pcdb.wwhrs, c.arr(name))
    found = np.asarray(rows.column("found").to_numpy(zero_copy_only=False), dtype=bool)
    kind = int_codes(rows.column("instantaneous_or_storage").combine_chunks())
    eff = floats(rows.column("efficiency_pct").combine_chunks())
    util = floats(rows.column("utilisation_factor").combine_chunks())
    ok = found & (kind == INSTANTANEOUS) & (eff > 0) & (eff <= 100) & (util > 0) & (util <= 1)
    return ok, eff, util


def waste_water_heat_recovery(c: Certificates, log: Log, out: Output, it: Items,
                              kind: np.ndarray, keep: np.ndarray,
                              pcdb: Pcdb | None = None) -> None:
    """``wwhrs``, ``shower_wwhrs`` and ``wwhrs_1_*`` / ``wwhrs_2_*``. ``kind`` is each lodged
    outlet's Shower-Outlet-Type (1 mixer, 2 electric), ``keep`` the outlets written to
    ``showers`` (in that order)."""
    n = c.n
    code = int_codes(it.field("shower_wwhrs"))
    mixer = kind == 1
    electric_inst = (kind != 1) & np.isin(code, (SYSTEM_1, SYSTEM_2))
    log.assume(it.count(electric_inst) > 0, "a non-mixer shower lodged as draining to an "
               "instantaneous WWHRS is not counted (only mixer showers count, RdSAP 9.08)")
    index = {name: _valid(c.arr(name)) for name in (
        "wwhrs_index_number_1", "wwhrs_index_number_2", "storage_wwhrs_index_number")}
    any_index = index["wwhrs_index_number_1"] | index["wwhrs_index_number_2"] \
        | index["storage_wwhrs_index_number"]
    storage = (it.count(code == STORAGE) > 0) | (c.code("number_baths_wwhrs") > 0)
    computed = np.zeros(n, dtype=bool)
    outlet_code = np.full(code.size, NONE, dtype=np.int64)
    left_out = storage | (any_index & ~it.lodged)
    uses_any = np.zeros(n, dtype=bool)
    for k, system in ((1, SYSTEM_1), (2, SYSTEM_2)):
        drains = mixer & (code == system)
        uses = it.count(drains) > 0
        ok, eff, util = _products(c, f"wwhrs_index_number_{k}", pcdb)
        ok &= uses
        out.put(f"wwhrs_{k}_efficiency_percent", eff, ok)
        out.put(f"wwhrs_{k}_utilisation_factor", util, ok)
        log.assume(ok, f"instantaneous WWHRS {k}: efficiency and utilisation factor of the "
                   "PCDB product (SAP 10.2 Appendix G3 in the lineage form of decision 0024)")
        outlet_code[drains & ok[it.parents]] = system
        computed |= ok
        uses_any |= uses
        left_out |= uses & ~ok
    log.fallback(left_out, "wwhrs_ignored")
    log.fallback(any_index & it.lodged & ~(uses_any | storage), "wwhrs_not_connected")
    out.put("wwhrs", computed)
    # per outlet written to showers: the system it drains to (1 none unless computed)
    codes = outlet_code[keep]
    counts = np.bincount(it.parents[keep], minlength=n)
    offsets = np.zeros(n + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    out.columns["shower_wwhrs"] = pa.ListArray.from_arrays(
        pa.array(offsets), pa.array(codes, type=pa.int8()), type=pa.list_(pa.int8()),
        mask=pa.array(~computed))
