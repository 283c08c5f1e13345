"""Heat pumps and mechanical ventilation lodged by PCDB index: the product's own data from the
user's PCDB (``ara.rdsap.pcdb``) instead of the declared fallbacks (issue 12).

What each rule rests on (short names as in ``ara.rdsap.pcdb``; the facts are listed with their
sources in ``spec/tables/pcdb_product_rules.csv``):

**Heat pumps (table 362, pcdb10 format 465; SAP 10.2 Appendix N).** The PCDB holds one record
per heat distribution type: "1 wet system, flow temperature 55 degC; 2 ... 45 degC; 3 ...
35 degC; 4 warm air system ... If the heat pump package has been tested for more than one heat
distribution type then separate entries for each appear in the database" (PCDF specification,
format 464 field 13, as transcribed by [B]); the 2015 file [F] shows it (each model three
records, consecutive index numbers, field 13 = 1, 2, 3). For pcdb10 an accredited software
vendor's help desk says "there can be up to 8 different types for each model qualifier based on
flow temperature and the presence of a weather compensator" and that the assessor selects the
type (support.quidos.co.uk article 3000105548). So the lodged ``Main-Heating-Index-Number``
*is* the dwelling's flow temperature choice: the record's datasets are those "for the dwelling's
flow temperature" (N3.6) and no dataset is chosen here by ``Emitter-Temperature``. [J]
(f33557b0, 2e5c5198) used a lodged record's PSR groups directly and reproduced an accredited
worksheet's (206) to 0.2 %. More than one dataset in a record means the air-flow-rate datasets
of an exhaust air heat pump (format 464 fields 34-37, [B]); which of them applies is not
established, so such a record is not used. Where format 465 keeps the heat distribution type
and the heat source is not established (only fields 6-8, 16, 22-26, 47, 48, 58 and the groups of
9 are, [J]), so neither is checked against the certificate.

A record is used for an electric heat pump (category 4, electric fuel, no SAP code) when it is
an electric product (fuel 39, [B]) with one dataset of positive, strictly increasing PSRs and
positive space efficiencies, a positive maximum output and, for main system 1, a heating
duration code of Table N4 ('24', '16', '9', 'V'); when it heats the water (901 / 914) its
service provision must be 1 (space and water all year, [B]) with a water efficiency at every
PSR. It writes ``main{k}_hp_psr_data`` (PSR, space efficiency at group offset +2, water
efficiency at +6), ``main{k}_hp_max_output_kw`` (field 47), ``main1_hp_heating_duration``
(field 48) and ``main{k}_code`` 224. The code only tells the calculator the system is an
electric heat pump with radiators or underfloor heating: with product data none of its Table 4a
values is used (the efficiencies come from Appendix N, the tariff from the 'from database' Table
12a row, the responsiveness from Table 4d, no pump electricity or gain, N3.1), and every
electric wet heat pump code 211-224 is treated alike otherwise; 224 is the declared fallback's
row, so a record that turns out unusable changes nothing but the efficiencies.

Table N8 (``main{k}_hp_cylinder_meets_pcdb``): the cylinder meets the record's criteria when its
volume is at least the record's vessel volume, its heat-exchanger area at least the record's
(not required when the record's area is 0, fn 53) and its loss (47) x (51) x (52) at most the
record's vessel heat loss; a criterion that fails or is unknown gives 0.60 ([J] 2e5c5198; the
rule table ``sap10_2_appendix_n_heat_pump_rules.csv``). RdSAP certificates lodge no cylinder
heat-exchanger area, so only a record with area 0 can be shown met.

**Mechanical ventilation (tables 322, 323, 329; SAP 10.2 section 2.6.4).**

* Decentralised MEV (table 322, format 428): SFPav = sum(N_j SFP_j FR_j IUF_j) / sum(N_j FR_j)
  over the six fan configurations (1/2 in-room, 3/4 in-duct, 5/6 through-wall; kitchen / other
  wet room), N_j the lodged fan counts (``Kitchen-Room-Fans-Count`` ...), FR_j 13 l/s for a
  kitchen fan and 8 l/s for another (section 2.6.4 eq. (1), ``sap10_2_table4g_4h_...csv``),
  SFP_j the record's, IUF_j "the applicable in-use factor" from table 329 system type 2: the
  record's ducting (flexible / rigid, "for 'in-room' and 'in duct' configurations", [B]) for
  in-room and in-duct fans, the no-duct factor for through-wall fans (SAP 10.2 section 2.6.4
  quoted verbatim in [J] 61c02765: "three types of fan location (in room with ducting, in duct,
  or through wall with no duct)"). A lodged fan whose configuration the record did not test
  (blank: "not valid SAP selections", [J] 8c1f895b) makes the record unusable.
* Centralised MEV, MV and MVHR (table 323, pcdb10 format 431 read with the 426 positions):
  the record's group for the dwelling's wet rooms - the group's leading field is "the number of
  additional wet rooms (i.e. in addition to the kitchen)" ([B], format 426) and
  ``Wet-Rooms-Count`` counts the kitchen (schema annotation), so group k = Wet-Rooms-Count - 1.
  Because the 431 positions are provisional, the group is used only when its flow rate is the
  configuration's 13 + 8 k l/s (within 0.5 l/s; 1,721 of the 1,764 groups of [F] are): a 431
  whose leading field counted the kitchen would fail this and take the fallback. SFP x the
  table 329 factor of system type 1 (MEV) or 3 (MV / MVHR) for the lodged duct type
  (``Mechanical-Vent-Duct-Type`` 1 flexible, 2 rigid; not lodged: the record's own ducting,
  since the PCDB lists a product tested with both as two entries, [B]). The factors at
  positions 1-3 of format 432 are [J]'s (worksheet-checked); those for an approved installation
  scheme, for semi-rigid ducting and for the MVHR heat-exchanger efficiency are not located in
  432, so declared fallbacks stand in for them (``mv_installation_in_use_factor_not_read``,
  ``mv_semi_rigid_duct_in_use_factor``, ``mvhr_efficiency_in_use_factor_not_read``).
* The in-use factor is folded into ``mv_specific_fan_power`` (as for the Table 4g default):
  the calculator's ``mv_in_use_factor`` also scales (23a), which the SFP factor must not.
* Positive input ventilation keeps its declared default: how SAP 10.2 takes a PIV product's
  SFP (a wet-room group or not) is not established and the 2015 file holds no PIV record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa

from ara.rdsap.expansion.services_io import Certificates, Log, Output, floats, int_codes
from ara.sap.fallbacks import fallback
from ara.sap.products import (
    HeatPumpRecords,
    cylinder_meets_record,
    cylinder_table2_loss_kwh_day,
    heat_pump_records,
    list_values,
)
from ara.sap.tables import read_table

if TYPE_CHECKING:
    from ara.rdsap.pcdb import Pcdb


#: SAP_INPUT_SCHEMA ventilation_type -> PCDB table 323 main type ([B]) and table 329 system
#: type ([J] 433f4a49, PCDF section A.20).
MEV_C, MEV_DC, MV, MVHR = 5, 6, 7, 8
TABLE_323_TYPE = {MEV_C: 1, MV: 4, MVHR: 3}
IUF_SYSTEM = {MEV_C: 1, MEV_DC: 2, MV: 3, MVHR: 3}
FLEXIBLE, RIGID, SEMI_RIGID = 1, 2, 3  # SAP-DuctTypeCode; PCDB duct type 1 / 2 ([B])
#: dMEV configurations 1-6: kitchen fans are 1, 3, 5; through-wall fans 5, 6 ([B], [J])
DMEV_FANS = ("kitchen_room_fans_count", "non_kitchen_room_fans_count",
             "kitchen_duct_fans_count", "non_kitchen_duct_fans_count",
             "kitchen_wall_fans_count", "non_kitchen_wall_fans_count")
KITCHEN_CONFIGS = np.array([True, False, True, False, True, False])
THROUGH_WALL_CONFIGS = np.array([False, False, False, False, True, True])
#: a table 323 group is used only with this flow rate (l/s) within FLOW_TOLERANCE_LS
FLOW_TOLERANCE_LS = 0.5


def _col(table: pa.Table, name: str) -> pa.Array:
    return table.column(name).combine_chunks()


def _found(table: pa.Table) -> np.ndarray:
    return np.asarray(_col(table, "found").to_numpy(zero_copy_only=False), dtype=bool)


# ---------------------------------------------------------------------------- heat pumps --

def heat_pump_products(pcdb: Pcdb, index_numbers: pa.Array, needs: np.ndarray,
                       heats_water: np.ndarray, main: int, log: Log) -> HeatPumpRecords:
    """The table 362 records of ``index_numbers`` for the rows of ``needs`` (electric wet
    heat pumps lodged by index without a SAP code); ``heats_water``: the system heats the
    water (901 for main 1, 914 for main 2). Rows whose record is found but cannot be used are
    named in the audit (the caller takes the declared fallback). The rules are
    :func:`ara.sap.products.heat_pump_records`, shared with the full-SAP readers."""
    from ara.rdsap.pcdb import lookup

    hp = heat_pump_records(lookup(pcdb.heat_pumps, index_numbers), needs, heats_water, main)
    for text, rows in hp.reasons.items():
        log.assume(rows, f"main{main}: heat pump PCDB record not used: {text}")
    return hp


def _column(out: Output, name: str) -> np.ndarray:
    if name not in out.columns:
        return np.full(out.n, np.nan)
    return floats(out.columns[name])


def heat_pump_columns(out: Output, log: Log, main: int, hp: HeatPumpRecords,
                      heats_water: np.ndarray, from_store: np.ndarray) -> None:
    """``main{main}_hp_*`` of the usable rows (after the cylinder columns are written);
    ``from_store``: the dwelling's hot water comes from a cylinder (delivery 3)."""
    p = f"main{main}"
    rows = hp.usable
    counts = np.diff(hp.offsets)
    out.put_list(f"{p}_hp_psr_data", hp.offsets,
                 {"psr": hp.psr, "space_efficiency_percent": hp.space,
                  "water_efficiency_percent": hp.water},
                 {"water_efficiency_percent": np.isfinite(hp.water)}, rows & (counts > 0))
    out.put(f"{p}_hp_max_output_kw", hp.max_output_kw, rows)
    if main == 1:
        out.columns["main1_hp_heating_duration"] = pa.array(
            [str(d) if r else None for d, r in zip(hp.duration, rows, strict=True)],
            pa.string())
    log.assume(rows, f"{p}: heat pump from the PCDB: its datasets for the flow temperature of "
               "the record lodged, maximum output and heating duration (SAP 10.2 Appendix N)")

    # Table N8: only the cylinder criteria are sourced; the certificate lodges no
    # heat-exchanger area, so a record whose area is above 0 cannot be shown met, and a
    # declared loss is not compared (the Table 2 loss is the criterion's quantity here)
    water_rows = rows & heats_water & from_store
    volume = _column(out, "cylinder_volume_l")
    declared = _column(out, "cylinder_declared_loss_kwh_per_day")
    loss = np.where(np.isfinite(declared), np.nan, cylinder_table2_loss_kwh_day(
        volume, _column(out, "cylinder_insulation_type"),
        _column(out, "cylinder_insulation_mm")))
    meets = water_rows & cylinder_meets_record(hp, volume, loss, np.full(out.n, np.nan))
    out.put(f"{p}_hp_cylinder_meets_pcdb", meets, water_rows)
    log.assume(meets, f"{p}: heat pump water heating: the cylinder meets the PCDB record's "
               "Table N8 criteria (record heat-exchanger area 0): in-use factor 0.95")
    log.assume(water_rows & ~meets, f"{p}: heat pump water heating: the cylinder is not shown "
               "to meet the PCDB record's Table N8 criteria (the certificate lodges no "
               "heat-exchanger area): in-use factor 0.60")


# --------------------------------------------------------------- mechanical ventilation --

@dataclass
class VentilationProducts:
    """Per certificate row: the product's SFP (in-use factor included) and, for MVHR, its
    heat-exchanger efficiency after the in-use factor; ``used`` where they are written."""

    found: np.ndarray  # the index is a record of table 322 or 323 of the user's PCDB
    used: np.ndarray
    sfp: np.ndarray
    efficiency_percent: np.ndarray


def _flows() -> tuple[float, float]:
    """Section 2.6.4 eq. (1) flow rates of a kitchen fan and another wet-room fan, l/s."""
    rows = {r["item"]: float(r["value"]) for r in read_table(
        "sap10_2_table4g_4h_mechanical_ventilation_defaults_PARTIAL.csv")
        if r["item"].startswith("decentralised MEV flow rate")}
    return (rows["decentralised MEV flow rate - kitchen fan"],
            rows["decentralised MEV flow rate - other wet room fan"])


def _in_use_factors(pcdb: Pcdb) -> dict[int, tuple[float, float, float]]:
    """Table 329 system type -> SFP factors (flexible, rigid, no duct) without an approved
    installation scheme (positions 1-3 of formats 430 and 432)."""
    if 329 not in pcdb.tables:
        return {}
    t = pcdb.tables[329]
    out: dict[int, tuple[float, float, float]] = {}
    for st, flex, rigid, none in zip(int_codes(_col(t, "system_type")),
                                     floats(_col(t, "sfp_iuf_flexible")),
                                     floats(_col(t, "sfp_iuf_rigid")),
                                     floats(_col(t, "sfp_iuf_no_duct")), strict=True):
        out.setdefault(int(st), (float(flex), float(rigid), float(none)))
    return out


def _factor(iuf: dict[int, tuple[float, float, float]], system: int,
            which: np.ndarray) -> np.ndarray:
    """The factor of ``system`` per row: ``which`` 0 flexible, 1 rigid, 2 no duct, -1 none."""
    values = np.array(iuf.get(system, (np.nan, np.nan, np.nan)) + (np.nan,))
    return values[np.where(which >= 0, which, 3)]


def ventilation_products(c: Certificates, log: Log, vtype: np.ndarray, indexed: np.ndarray,
                         pcdb: Pcdb | None) -> VentilationProducts:
    """MEV (centralised and decentralised), MV and MVHR lodged by index and found in the
    user's PCDB (see the module doc); ``indexed``: a Mechanical-Ventilation-Index-Number is
    lodged. Rows not ``used`` keep the declared fallbacks of the caller."""
    n = c.n
    result = VentilationProducts(np.zeros(n, dtype=bool), np.zeros(n, dtype=bool),
                                 np.full(n, np.nan), np.full(n, np.nan))
    wanted = indexed & np.isin(vtype, (MEV_C, MEV_DC, MV, MVHR))
    if pcdb is None or not wanted.any():
        return result
    iuf = _in_use_factors(pcdb)
    index = c.arr("mechanical_ventilation_index_number")
    dmev = wanted & (vtype == MEV_DC)
    if 322 in pcdb.tables:
        _decentralised(c, log, pcdb, index, dmev, iuf, result)
    if 323 in pcdb.tables:
        _centralised(c, log, pcdb, index, wanted & ~dmev, vtype, iuf, result)
    # an index of the other table: a record of another kind than the system lodged
    from ara.rdsap.pcdb import lookup

    for number, rows in ((323, dmev), (322, wanted & ~dmev)):
        if number in pcdb.tables and rows.any():
            other = rows & _found(lookup(pcdb.tables[number], index))
            log.assume(other, "mechanical ventilation: PCDB record not used: the record is not "
                       f"of the lodged kind (it is in table {number})")
            result.found |= other
    return result


def _decentralised(c: Certificates, log: Log, pcdb: Pcdb, index: pa.Array, rows: np.ndarray,
                   iuf: dict[int, tuple[float, float, float]],
                   result: VentilationProducts) -> None:
    from ara.rdsap.pcdb import lookup

    n = c.n
    rec = lookup(pcdb.decentralised_mev, index)
    found = rows & _found(rec)
    config, parents, _ = list_values(rec, "configuration")
    sfp_items, _, _ = list_values(rec, "sfp_w_per_ls")
    sfp = np.full((n, 6), np.nan)  # per row and configuration 1-6
    ok = (config >= 1) & (config <= 6) & (sfp_items > 0)
    sfp[parents[ok], config[ok].astype(np.int64) - 1] = sfp_items[ok]
    counts = np.stack([c.num(name) for name in DMEV_FANS], axis=1)
    lodged = np.isfinite(counts).any(axis=1)
    counts = np.nan_to_num(counts)
    fans = counts > 0
    duct = int_codes(_col(rec, "duct_type"))
    main_type = int_codes(_col(rec, "main_type"))
    ducted = np.where(duct == FLEXIBLE, 0, np.where(duct == RIGID, 1, -1))
    which = np.where(THROUGH_WALL_CONFIGS[None, :], 2, ducted[:, None])
    factor = np.stack([_factor(iuf, IUF_SYSTEM[MEV_DC], which[:, j]) for j in range(6)],
                      axis=1)
    kitchen, other = _flows()
    flow = np.where(KITCHEN_CONFIGS, kitchen, other)[None, :] * counts
    reasons = {
        "not a decentralised MEV record (table 322 main type 2)": main_type != 2,
        "no fan counts lodged": ~lodged | ~fans.any(axis=1),
        "a lodged fan's configuration is not tested in the record":
            (fans & ~np.isfinite(sfp)).any(axis=1),
        "no table 329 in-use factor for its fans (system type 2, the record's ducting)":
            (fans & ~(factor > 0)).any(axis=1),
    }
    unusable = np.zeros(n, dtype=bool)
    for text, bad in reasons.items():
        log.assume(found & bad, f"mechanical ventilation: PCDB record not used: {text}")
        unusable |= bad
    used = found & ~unusable
    result.found |= found
    with np.errstate(invalid="ignore", divide="ignore"):
        sfp_av = np.where(fans, sfp * flow * factor, 0.0).sum(axis=1) / flow.sum(axis=1)
    result.used |= used
    result.sfp = np.where(used, sfp_av, result.sfp)
    log.assume(used, "decentralised MEV from the PCDB: SFPav of the lodged fans with the "
               "table 329 in-use factors (SAP 10.2 section 2.6.4 eq. (1))")


def _centralised(c: Certificates, log: Log, pcdb: Pcdb, index: pa.Array, rows: np.ndarray,
                 vtype: np.ndarray, iuf: dict[int, tuple[float, float, float]],
                 result: VentilationProducts) -> None:
    from ara.rdsap.pcdb import lookup

    n = c.n
    rec = lookup(pcdb.mev_mvhr, index)
    found = rows & _found(rec)
    wet = c.num("wet_rooms_count")
    k = np.where(np.isfinite(wet), wet - 1, -1).astype(np.int64)
    kitchen, other = _flows()
    group_k, parents, _ = list_values(rec, "wet_rooms")
    flow, _, _ = list_values(rec, "applicable_flow_ls")
    sfp_items, _, _ = list_values(rec, "sfp_w_per_ls")
    eff_items, _, _ = list_values(rec, "hx_efficiency_pct")
    match = (group_k == k[parents]) & (k[parents] >= 1) \
        & (np.abs(flow - (kitchen + other * group_k)) <= FLOW_TOLERANCE_LS)
    hits = np.bincount(parents[match], minlength=n)
    first = np.full(n, -1, dtype=np.int64)  # the matching group (used only when unique)
    sel = np.flatnonzero(match)
    first[parents[sel]] = sel
    sfp = np.where(first >= 0, sfp_items[np.clip(first, 0, None)] if sfp_items.size else
                   np.nan, np.nan)
    eff = np.where(first >= 0, eff_items[np.clip(first, 0, None)] if eff_items.size else
                   np.nan, np.nan)

    main_type = int_codes(_col(rec, "main_type"))
    expected = np.select([vtype == t for t in TABLE_323_TYPE],
                         list(TABLE_323_TYPE.values()), -1)
    lodged_duct = c.code("mechanical_vent_duct_type")
    record_duct = int_codes(_col(rec, "duct_type"))
    duct = np.where(np.isin(lodged_duct, (FLEXIBLE, RIGID, SEMI_RIGID)), lodged_duct,
                    record_duct)
    # semi-rigid: the declared fallback takes the flexible factor
    which = np.select([duct == FLEXIBLE, duct == RIGID, duct == SEMI_RIGID], [0, 1, 0], -1)
    system = np.select([vtype == MEV_C, np.isin(vtype, (MV, MVHR))],
                       [IUF_SYSTEM[MEV_C], IUF_SYSTEM[MVHR]], -1)
    factor = np.select([system == s for s in (1, 3)],
                       [_factor(iuf, s, which) for s in (1, 3)], np.nan)
    mvhr = vtype == MVHR
    reasons = {
        "the record is not of the lodged kind (table 323 main type)": main_type != expected,
        "the record is only part of an exhaust air heat pump":
            int_codes(_col(rec, "integral_only")) == 1,
        "Wet-Rooms-Count not lodged (the record's data are by wet rooms)": k < 1,
        "no group of the record for the dwelling's wet rooms (kitchen + Wet-Rooms-Count - 1 "
        "at 13 + 8 l/s per room)": hits != 1,
        "no SFP in the group": ~(sfp > 0),
        "no heat-exchanger efficiency in the group": mvhr & ~((eff > 0) & (eff <= 100)),
        "no table 329 in-use factor for its ducting": ~(factor > 0),
    }
    unusable = np.zeros(n, dtype=bool)
    for text, bad in reasons.items():
        log.assume(found & bad, f"mechanical ventilation: PCDB record not used: {text}")
        unusable |= bad
    used = found & ~unusable
    result.found |= found
    log.assume(used & ~np.isin(lodged_duct, (FLEXIBLE, RIGID, SEMI_RIGID)),
               "mechanical ventilation: duct type not lodged: the in-use factor of the "
               "ducting the PCDB record was tested with")
    log.fallback(used & (lodged_duct == SEMI_RIGID), "mv_semi_rigid_duct_in_use_factor")
    scheme = c.flag("is_mechanical_vent_approved_installer_scheme")
    measured = c.flag("mechanical_vent_measured_installation")
    # the schema lodges the approved-scheme flag for MVHR only: other systems take the
    # factors without a scheme; with a scheme, or MVHR without the flag, or an SFP measured
    # on installation, the factor for that case is not located in format 432
    log.fallback(used & ((mvhr & (scheme != 0)) | (np.isin(vtype, (MV, MVHR)) & (measured == 1))),
                 "mv_installation_in_use_factor_not_read")
    result.used |= used
    result.sfp = np.where(used, sfp * factor, result.sfp)
    eff_used = used & mvhr
    log.fallback(eff_used, "mvhr_efficiency_in_use_factor_not_read")
    result.efficiency_percent = np.where(
        eff_used, eff * fallback("mvhr_efficiency_in_use_factor_not_read").value,
        result.efficiency_percent)
    log.assume(used, "mechanical ventilation from the PCDB: the SFP of the record's group for "
               "the dwelling's wet rooms with the table 329 in-use factor (SAP 10.2 section "
               "2.6.4)")
