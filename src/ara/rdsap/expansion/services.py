"""RdSAP 10 services expansion: certificate survey data (``CERTIFICATE_SCHEMA``) -> the
ventilation, heating, hot water, lighting, tariff and PV columns of ``SAP_INPUT_SCHEMA``.

:func:`expand_services` works on whole columns (NumPy / pyarrow.compute; list columns are
flattened once with their parent indices), never certificate by certificate. The rules, their
sources and every GAP decision are in ``docs/rdsap/expansion_services.md``; the tables come
from ``spec/tables`` (:mod:`ara.rdsap.expansion.services_tables`).

Nothing is defaulted silently: where the certificate and the established rules do not give a
value, the row gets a *problem* (row, certificate number, field, message; the message says
what was written, usually null); where a documented RdSAP default or GAP decision was applied
because the certificate did not lodge the item, the row's ``services_assumptions`` audit
column says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ara.rdsap.expansion.services_heating import (
    NO_HEATING_CODE,
    boiler_without_code,
    electricity_tariff,
    heating_columns,
    no_heating_system,
    read_main_systems,
    sap_fuel,
    secondary_heating,
    showers_and_baths,
    water_heating,
)
from ara.rdsap.expansion.services_io import (
    MISSING,
    Certificates,
    Log,
    Output,
    flags,
    floats,
    int_codes,
    take,
)
from ara.rdsap.expansion.services_tables import (
    AGE_BANDS,
    MAX_ROOMS,
    ServicesTables,
    services_tables,
)
from ara.rdsap.rounding import round_half_up
from ara.sap.fallbacks import FallbackLog, fallback
from ara.sap.tables import pv_overshading_estimates

if TYPE_CHECKING:
    from ara.rdsap.pcdb import Pcdb

__all__ = ["RATING_METHOD_RDSAP", "Problem", "ServicesResult", "expand_services"]

RATING_METHOD_RDSAP = 2  # decision 0004: Table 32 prices, deflator 0.42
REGION_UK_AVERAGE = 0
REGION_NORTHERN_IRELAND = 21
PV_KWP_PER_M2 = 0.12  # RdSAP 10 section 11.1 b)
PV_PITCH_DEG = 35.0  # pitched roof: PV area = roof area x % / cos 35 degrees
PV_DEFAULT = {"orientation": 5, "tilt_deg": 30.0, "overshading": 2}  # South, 30, modest
PV_PITCH_TILT = np.array([np.nan, 0.0, 30.0, 45.0, 60.0, 90.0])  # SAP-VerticalPitchCode
PITCHED_ROOFS = (4, 5, 6, 8)  # RoofTypeCode: pitched (access / no access), thatch, sloping
NO_ROOF = (0, 3, 7, 9)  # none; dwelling, same dwelling or non-residential space above
# VentilationTypeCode (RdSAP 10) -> SAP_INPUT_SCHEMA ventilation_type; 0 natural by openings
MECHANICAL_VENTILATION = {1: 7, 2: 6, 3: 5, 4: 8, 5: 3, 6: 4}
REGION_SOURCES = ("Region-Code (UKRegionCode -> Appendix U by name)",
                  "Northern Ireland (Country-Code NIR or BT postcode)",
                  "region unknown: UK average")


class Problem(NamedTuple):
    row: int
    certificate_number: str | None
    field: str
    message: str


@dataclass(frozen=True)
class ServicesResult:
    """The expansion of a batch: SAP_INPUT_SCHEMA columns (one row per certificate), the
    problems, and per-row audit columns (``climate_region_source``,
    ``services_assumptions``).

    ``problem_table`` holds the problems column-wise (row, certificate_number, field,
    message; sorted by row); ``problems`` is the same as a list of :class:`Problem`."""

    columns: dict[str, pa.Array]
    problem_table: pa.Table
    audit: dict[str, pa.Array]

    @cached_property
    def problems(self) -> list[Problem]:
        t = self.problem_table
        return [Problem(*values) for values in zip(
            t.column("row").to_pylist(), t.column("certificate_number").to_pylist(),
            t.column("field").to_pylist(), t.column("message").to_pylist(), strict=True)]

    def table(self) -> pa.Table:
        """The SAP_INPUT_SCHEMA columns as a table."""
        return pa.table(self.columns)


def expand_services(certs: pa.Table, roof_area_m2: np.ndarray,
                    total_floor_area_m2: np.ndarray,
                    fallbacks: FallbackLog | None = None,
                    pcdb: Pcdb | None = None,
                    fabric_refused: np.ndarray | None = None) -> ServicesResult:
    """Expand the services data of ``certs`` (CERTIFICATE_SCHEMA rows).

    ``roof_area_m2`` (roof area for heat loss, before room-in-roof amendments; PV by % of
    roof) and ``total_floor_area_m2`` come from the fabric expansion, one value per
    certificate. No services rule read so far needs the floor area (the living area is the
    fabric expansion's); it is accepted and checked for the interface."""
    c = Certificates(certs)
    n = c.n
    roof = np.asarray(roof_area_m2, dtype=np.float64)
    tfa = np.asarray(total_floor_area_m2, dtype=np.float64)
    if roof.shape != (n,) or tfa.shape != (n,):
        raise ValueError(f"roof_area_m2 and total_floor_area_m2 need one value per "
                         f"certificate ({n}); got {roof.shape} and {tfa.shape}")
    tb = services_tables()
    log = Log(n, fallbacks if fallbacks is not None else FallbackLog(n))
    out = Output(n)
    age, roof_type = _main_part(c)

    region_source = _climate_region(c, out)
    vent_type = _ventilation(c, log, out, tb, age, pcdb)

    main1, main2 = read_main_systems(c, log)
    no_heating_system(main1, log)
    boiler_without_code(c, log, tb, (main1, main2), pcdb)
    imm = c.code("immersion_heating_type")
    dual_immersion = (c.code("water_heating_code") == 903) & (imm == 1)
    tariff = electricity_tariff(c, log, out, tb, main1, main2, dual_immersion)
    fuel1 = sap_fuel(log, tb, main1.fuel_rdsap, tariff, main1.present, "main1_fuel")
    fuel2 = sap_fuel(log, tb, main2.fuel_rdsap, tariff, main2.present, "main2_fuel")
    sec_code, sec_fuel = secondary_heating(c, log, out, tb, tariff)
    # estimate fallback: SAP 10.2 Table 11 (as transcribed) has no row for code 699 (no
    # heating system, electric heaters assumed): the electric room heaters' fraction
    sec_with_none = (main1.code == NO_HEATING_CODE) & (sec_code > 0)
    log.fallback(sec_with_none, "no_heating_system_secondary_fraction")
    out.put("secondary_fraction", fallback("no_heating_system_secondary_fraction").value,
            sec_with_none)
    water = water_heating(c, log, out, tb, main1, main2, sec_code, (fuel1, fuel2, sec_fuel),
                          tariff, age)
    heating_columns(c, log, out, tb, main1, main2, (fuel1, fuel2), water)
    warm_air = (main1.category == 9) | ((main1.code >= 501) & (main1.code <= 520))
    warm_air_ok = warm_air & ~np.isin(vent_type, (7, 8))
    out.put("warm_air_fan_sfp", tb.warm_air_sfp, warm_air_ok)
    log.assume(warm_air_ok, f"warm-air fans: SFP {tb.warm_air_sfp:g} W/(l/s) (SAP 10.2 "
               "Table 4f note e)")
    showers_and_baths(c, log, out, tb, water, pcdb)
    _heat_network(c, log, out, main1.code, main2.code, age)

    _lighting(c, out, tb)
    refused = np.zeros(n, dtype=bool) if fabric_refused is None else fabric_refused
    _photovoltaics(c, log, out, roof, roof_type, refused)
    _other(c, log, out)

    audit = {"climate_region_source": region_source,
             "services_assumptions": log.assumptions_column()}
    return ServicesResult(out.columns, _problems(c, log), audit)


def _problems(c: Certificates, log: Log) -> pa.Table:
    """The logged problems as a table sorted by row (then by the order they were logged)."""
    if log.problem_rows:
        rows = np.concatenate(log.problem_rows)
        which = np.concatenate([np.full(r.size, i, dtype=np.int32)
                                for i, r in enumerate(log.problem_rows)])
    else:
        rows = np.zeros(0, dtype=np.int64)
        which = np.zeros(0, dtype=np.int32)
    order = np.lexsort((which, rows))
    rows, which = rows[order], pa.array(which[order])
    return pa.table({
        "row": pa.array(rows, pa.int64()),
        "certificate_number": pc.take(c.arr("certificate_number"), pa.array(rows)),
        "field": pa.DictionaryArray.from_arrays(which, pa.array(log.problem_fields,
                                                                pa.string())),
        "message": pa.DictionaryArray.from_arrays(which, pa.array(log.problem_messages,
                                                                  pa.string())),
    })


def _main_part(c: Certificates) -> tuple[np.ndarray, np.ndarray]:
    """Age band index (0 = A ... 12 = M, -1 unknown) and roof type of the main building part
    (Building-Part-Number 1, else the first part)."""
    it = c.items("building_parts")
    number = int_codes(it.field("building_part_number"))
    idx = it.first(number == 1)
    first = it.first(np.ones(it.parents.size, dtype=bool))
    idx = np.where(idx >= 0, idx, first)
    band = pc.index_in(it.field("construction_age_band"),
                       value_set=pa.array(list(AGE_BANDS)))
    band_np = np.asarray(pc.fill_null(band, -1).to_numpy(zero_copy_only=False),
                         dtype=np.int64)
    roof = int_codes(it.field("roof_construction"))
    return take(band_np, idx, -1), take(roof, idx, MISSING)


def _climate_region(c: Certificates, out: Output) -> pa.Array:
    """SAP Appendix U region from Region-Code (UKRegionCode mapped by name), else Northern
    Ireland from the country or a BT postcode, else 0 (UK average) recorded per row."""
    tb = services_tables()
    code = c.code("region_code")
    mapped = np.where((code >= 0) & (code < 100), tb.region[np.clip(code, 0, 99)], -1)
    postcode = pc.utf8_upper(pc.utf8_trim_whitespace(c.arr("postcode")))
    bt = pc.fill_null(pc.match_substring_regex(postcode, r"^BT\d"), False)
    nir = np.asarray(pc.fill_null(pc.equal(c.arr("country_code"), "NIR"), False)
                     .to_numpy(zero_copy_only=False), dtype=bool) \
        | np.asarray(bt.to_numpy(zero_copy_only=False), dtype=bool)
    region = np.where(mapped >= 0, mapped, np.where(nir, REGION_NORTHERN_IRELAND,
                                                    REGION_UK_AVERAGE))
    out.put("climate_region", region)
    source = np.where(mapped >= 0, 0, np.where(nir, 1, 2)).astype(np.int8)
    return pa.DictionaryArray.from_arrays(pa.array(source), pa.array(REGION_SOURCES))


def _ventilation(c: Certificates, log: Log, out: Output, tb: ServicesTables,
                 age: np.ndarray, pcdb: Pcdb | None = None) -> np.ndarray:
    """SAP section 2 inputs from RdSAP 10 section 4.1 / Table 5 (p.27-30); a mechanical
    ventilation system lodged by index takes its product's SFP (and MVHR efficiency) from the
    user's PCDB where SAP 10.2 section 2.6.4 can be applied to it
    (:mod:`ara.rdsap.expansion.services_products`), else the declared Table 4g defaults."""
    n = c.n
    for column, name in (("open_chimneys_count", "open_chimneys"),
                         ("open_flues_count", "open_flues"),
                         ("closed_flues_count", "closed_fire_flues"),
                         ("boilers_flues_count", "solid_fuel_boiler_flues"),
                         ("other_flues_count", "other_heater_flues"),
                         ("blocked_chimneys_count", "blocked_chimneys"),
                         ("psv_count", "passive_vents"),
                         ("flueless_gas_fires_count", "flueless_gas_fires")):
        count = c.num(column)
        out.put(name, np.where(np.isfinite(count), count, 0))  # Table 5: 0 if not present

    # intermittent extract fans: lodged number, else the Table 5 default
    fans = c.num("extract_fans_count")
    lodged = np.isfinite(fans)
    park = c.code("property_type") == 4
    rooms = c.code("habitable_room_count")
    default = tb.extract_fans[park.astype(np.int64), np.clip(age, 0, 12),
                              np.clip(rooms, 0, MAX_ROOMS)]
    needs_rooms = ~park & (age >= AGE_BANDS.index("H"))
    ok = (age >= 0) & (default >= 0) & (~needs_rooms | (rooms >= 0))
    out.put("intermittent_fans", np.where(lodged, fans, default), lodged | ok)
    log.assume(~lodged & ok, "intermittent fans: RdSAP 10 Table 5 default (count not lodged)")
    log.problem(~lodged & (age < 0), "intermittent_fans",
                "extract fans not lodged and age band unknown: null written")
    log.problem(~lodged & (age >= 0) & needs_rooms & (rooms < 0), "intermittent_fans",
                "extract fans not lodged and habitable rooms unknown: null written")
    log.problem(~lodged & (age >= 0) & (default < 0), "intermittent_fans",
                "extract fans not lodged: no Table 5 default for a park home of this age "
                "band: null written")

    # draught lobby (p.30)
    flat = np.isin(c.code("property_type"), (2, 3))
    corridor = np.isin(c.code("heat_loss_corridor"), (1, 2, 3))
    lobby = c.flag("has_draught_lobby")
    flat_rule = flat & corridor
    out.put("draught_lobby", flat_rule | (lobby == 1))
    log.assume(flat_rule & (lobby != 1), "draught lobby: flat/maisonette entered from a "
               "corridor or stairwell: present (RdSAP 10 p.30)")
    log.assume(~flat_rule & (lobby < 0), "draught lobby: not lodged: none (RdSAP 10 p.30)")

    _draughtproofing(c, log, out)

    # pressure test: 6 with the measured q50; 4 otherwise
    test = c.code("pressure_test")
    q50 = c.num("air_permeability_m3_per_h_m2")
    measured = (test == 6) & np.isfinite(q50)
    out.put("pressure_test", np.where(measured, 6, 4))
    out.put("air_permeability_q50", q50, measured)
    log.fallback((test == 6) & ~np.isfinite(q50), "pressure_test_without_result")
    # estimate fallback: a 4 Pa (pulse) test has no q50 conversion in spec/: SAP algorithm
    log.fallback(test == 7, "pressure_test_pulse_not_converted")
    # a code outside the register's list is invalid data, not a gap: refused in both modes
    log.problem(~np.isin(test, (4, 6, 7, MISSING)), "pressure_test",
                "not a Pressure-Test code (4, 6 or 7): invalid, refused")

    # sheltered sides: GAP, RdSAP 2009 Table S5 lineage
    limit, up_to, other = tb.sheltered
    location_text = c.arr("flat_location")
    location = np.where(np.asarray(pc.fill_null(pc.equal(location_text, "20+"), False)
                                   .to_numpy(zero_copy_only=False), dtype=bool),
                        limit + 100, c.code("flat_location"))
    known = location != MISSING
    sides = np.where(flat, np.where(location <= limit, up_to, other), other)
    out.put("sheltered_sides", sides, ~flat | known)
    log.problem(flat & ~known, "sheltered_sides", "flat/maisonette without Flat-Location: "
                "sheltered sides not derived: null written")

    # ventilation type
    mech = c.code("mechanical_ventilation")
    vtype = np.zeros(n, dtype=np.int64)
    for code, sap in MECHANICAL_VENTILATION.items():
        vtype = np.where(mech == code, sap, vtype)
    fans_out = np.where(lodged, fans, np.where(ok, default, 0))
    psv = np.nan_to_num(c.num("psv_count"))
    natural = np.where(psv > 0, np.where(fans_out > 0, 10, 2), 1)
    vtype = np.where(vtype == 0, natural, vtype)
    log.fallback(mech == MISSING, "ventilation_not_lodged")
    log.problem(~np.isin(mech, (0, MISSING, *MECHANICAL_VENTILATION)), "ventilation_type",
                "not a Mechanical-Ventilation code (0-6): invalid, refused")
    out.put("ventilation_type", vtype)
    indexed = np.asarray(c.arr("mechanical_ventilation_index_number").is_valid()
                         .to_numpy(zero_copy_only=False), dtype=bool)
    # product data (SAP 10.2 section 2.6.4): MEV, MV and MVHR lodged by index and usable in
    # the user's PCDB; the in-use factor is folded into the SFP (the calculator's
    # mv_in_use_factor would also scale (23a))
    from ara.rdsap.expansion.services_products import ventilation_products

    product = ventilation_products(c, log, vtype, indexed, pcdb)
    # MEV (centralised 5, decentralised 6) without a PCDB record: Table 4g default SFP times
    # the note-3 in-use factor for default data, folded into the SFP; written as an
    # assumption
    mev = np.isin(vtype, (5, 6))
    mev_default = mev & ~indexed
    log.assume(mev_default, f"mechanical extract ventilation: SFP {tb.mev_default_sfp:g} "
               "W/(l/s) (SAP 10.2 Table 4g default x note-3 in-use factor for default data)")
    # a system lodged by its index whose product data cannot be used (no PCDB, an index it
    # does not hold, a record the rules cannot apply) takes the Table 4g default data
    by_index = (mev | (vtype == 8)) & indexed & ~product.used
    log.fallback(by_index & ~product.found, "mechanical_ventilation_product_unavailable")
    log.fallback(product.found & ~product.used, "mechanical_ventilation_product_not_usable")
    balanced = np.isin(vtype, (7, 8))
    piv = vtype == 4
    log.fallback(balanced & ~product.used, "mechanical_ventilation_default_sfp_balanced")
    log.fallback(piv, "mechanical_ventilation_default_sfp_piv")
    sfp = np.select([product.used, balanced, piv],
                    [product.sfp,
                     fallback("mechanical_ventilation_default_sfp_balanced").value,
                     fallback("mechanical_ventilation_default_sfp_piv").value],
                    tb.mev_default_sfp)
    out.put("mv_specific_fan_power", sfp, mev | balanced | piv)
    mvhr = vtype == 8
    efficiency = np.where(mvhr & product.used, product.efficiency_percent,
                          tb.mvhr_default_percent)
    out.put("mvhr_efficiency_percent", efficiency, mvhr)
    log.assume(mvhr & ~indexed, f"MVHR efficiency: SAP 10.2 Table 4g default "
               f"{tb.mvhr_default_percent:g} % (66 % x in-use factor 0.70)")
    return vtype


def _draughtproofing(c: Certificates, log: Log, out: Output) -> None:
    """Percent-Draughtproofed when lodged; else (GAP) draught-proofed windows and doors as a
    percentage of all windows and doors."""
    pct = c.num("percent_draughtproofed")
    windows = c.items("windows")
    dp = flags(windows.field("draught_proofed"))
    n_windows = windows.count(np.ones(dp.size, dtype=bool))
    dp_windows = windows.count(dp == 1)
    unknown_windows = windows.count(dp < 0) > 0
    doors = c.num("door_count")
    dp_doors = c.num("draughtproofed_door_count")
    total = n_windows + np.nan_to_num(doors)
    derivable = ~np.isfinite(pct) & ~unknown_windows & np.isfinite(doors) \
        & (np.isfinite(dp_doors) | (doors == 0)) & (total > 0)
    derived = 100.0 * (dp_windows + np.nan_to_num(dp_doors)) / np.maximum(total, 1)
    unknown = ~np.isfinite(pct) & ~derivable
    log.fallback(unknown, "draughtproofing_not_lodged")
    value = np.where(np.isfinite(pct), pct,
                     np.where(unknown, fallback("draughtproofing_not_lodged").value, derived))
    out.put("draughtproofed_percent", np.clip(value, 0, 100), np.ones(c.n, dtype=bool))
    log.assume(derivable, "draught-proofing: % of windows and doors lodged as draught-proofed "
               "(GAP: RdSAP 10 derivation not read)")


def _heat_network(c: Certificates, log: Log, out: Output, code1: np.ndarray,
                  code2: np.ndarray, age: np.ndarray) -> None:
    """A heat network (main code 301-399, or hot water only 950-952): its distribution loss
    factor is Table 12c's for the dwelling's age band (RdSAP 10 section 10.11 / Table 29
    cross-reference), so the main part's age band is written as heat_network_age_band."""
    network = ((code1 >= 301) & (code1 <= 399)) | ((code2 >= 301) & (code2 <= 399)) \
        | np.isin(c.code("water_heating_code"), (950, 951, 952))
    known = network & (age >= 0)
    out.put("heat_network_age_band", age + 1, known)
    log.assume(known, "heat network: Table 12c distribution loss factor by the main "
               "part's age band (RdSAP 10 section 10.11)")
    log.problem(network & (age < 0), "heat_network_age_band",
                "heat network without the main part's age band: null written")
    # estimate fallback: RdSAP lodges no CHP operation mode; flexible operation, the one
    # Table 12f column in spec/ (heat_network_chp_operation_not_lodged)
    chp = (code1 == 302) | (code2 == 302) | (c.code("water_heating_code") == 951)
    log.fallback(chp, "heat_network_chp_operation_not_lodged")
    out.put("heat_network_chp_flexible", True, chp)


def _lighting(c: Certificates, out: Output, tb: ServicesTables) -> None:
    """Fixed lighting from bulb counts: one entry per lodged type with a count > 0; an empty
    list when all lodged counts are 0; null when no count is lodged."""
    counts = np.stack([c.num(col) for col in tb.bulb_columns], axis=1)  # (n, 4)
    lodged = np.isfinite(counts).any(axis=1)
    counts = np.nan_to_num(counts)
    keep = counts > 0
    per_row = keep.sum(axis=1)
    offsets = np.zeros(c.n + 1, dtype=np.int64)
    np.cumsum(per_row, out=offsets[1:])
    power = np.broadcast_to(tb.bulb_power, counts.shape)[keep]
    efficacy = np.broadcast_to(tb.bulb_efficacy, counts.shape)[keep]
    out.put_list("fixed_lighting", offsets, {"count": counts[keep], "power_w": power,
                                             "efficacy_lm_per_w": efficacy}, {}, lodged)


def _photovoltaics(c: Certificates, log: Log, out: Output, roof: np.ndarray,
                   roof_type: np.ndarray, fabric_refused: np.ndarray) -> None:
    """PV arrays as lodged, else RdSAP 10 section 11.1 b): kWp = 0.12 x roof area x % /
    cos 35 deg (pitched), rounded to 2 d.p., South, 30 deg, modest overshading."""
    n = c.n
    it = c.items("pv_arrays")
    kwp = floats(it.field("peak_power_kw"))
    orient = int_codes(it.field("orientation"))
    pitch = int_codes(it.field("pitch"))
    shade = int_codes(it.field("overshading"))
    tilt = np.where((pitch >= 1) & (pitch <= 5), PV_PITCH_TILT[np.clip(pitch, 0, 5)], np.nan)
    horizontal = pitch == 1
    orient_sap = np.where(horizontal, 9, orient)
    valid_orient = horizontal | ((orient >= 1) & (orient <= 8))
    arrays_rows = it.count(np.ones(kwp.size, dtype=bool)) > 0
    # codes whose SAP 10.2 Z_PV is unresolved in spec/ (3 and 4: conflicting candidates;
    # 5 severe: none found): estimate mode takes the lowest candidate (heavy's for severe)
    unresolved = pv_overshading_estimates()
    z_estimate = np.array([unresolved.get(code, np.nan) for code in range(6)])
    z_declared = np.where((shade >= 0) & (shade <= 5), z_estimate[np.clip(shade, 0, 5)],
                          np.nan)
    log.fallback(it.count(np.isfinite(z_declared)) > 0, "pv_overshading_unresolved")
    bad = (~(kwp > 0), ~valid_orient, ~np.isfinite(tilt),
           ~((shade >= 1) & (shade <= 5)))
    for mask, field, msg in zip(bad, ("peak_power_kw", "orientation", "tilt_deg",
                                      "overshading"),
                                ("missing or not positive", "missing (not horizontal)",
                                 "pitch missing", "missing"),
                                strict=True):
        log.problem(it.count(mask) > 0, f"pv_arrays.{field}", f"{msg}: null written")

    # % of roof when no arrays are lodged
    pct = c.num("pv_percent_roof_area")
    by_pct = ~arrays_rows & (pct > 0)
    pitched = np.isin(roof_type, PITCHED_ROOFS)
    area_ok = np.isfinite(roof) & (roof > 0) & ~np.isin(roof_type, NO_ROOF)
    factor = np.where(pitched, 1.0 / np.cos(np.radians(PV_PITCH_DEG)), 1.0)
    pct_kwp = round_half_up(PV_KWP_PER_M2 * roof * pct / 100.0 * factor, 2)
    by_pct_ok = by_pct & area_ok
    # a row whose fabric is refused has no roof area to speak of: no fallback stands in
    log.fallback(by_pct & ~area_ok & ~fabric_refused, "pv_percent_without_roof")
    log.assume(by_pct_ok, "PV from % of roof area: 0.12 kWp/m2, South, 30 deg, modest "
               "overshading (RdSAP 10 section 11.1 b)")
    log.assume(by_pct_ok & ~pitched, "PV from % of roof area: roof not pitched: no cos 35 "
               "deg division")

    lodged_counts = np.where(arrays_rows, it.count(np.ones(kwp.size, dtype=bool)), 0)
    per_row = np.where(by_pct_ok, 1, lodged_counts)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_row, out=offsets[1:])
    pct_rows = np.flatnonzero(by_pct_ok)
    # arrays of a row are contiguous in the output: lodged rows keep their items in order,
    # %-of-roof rows get one item; merge by row order
    row_of = np.concatenate([it.parents, pct_rows])
    order = np.argsort(row_of, kind="stable")

    def merged(lodged_values: np.ndarray, pct_values: np.ndarray) -> np.ndarray:
        return np.concatenate([lodged_values.astype(np.float64),
                               pct_values.astype(np.float64)])[order]

    ones = np.ones(pct_rows.size)
    children = {"peak_power_kw": merged(kwp, pct_kwp[pct_rows]),
                "orientation": merged(orient_sap, PV_DEFAULT["orientation"] * ones),
                "tilt_deg": merged(tilt, PV_DEFAULT["tilt_deg"] * ones),
                "overshading": merged(shade, PV_DEFAULT["overshading"] * ones),
                "overshading_factor": merged(z_declared, np.full(pct_rows.size, np.nan))}
    valid = {"peak_power_kw": np.isfinite(children["peak_power_kw"])
             & (children["peak_power_kw"] > 0),
             "orientation": np.concatenate([valid_orient, ones.astype(bool)])[order],
             "tilt_deg": np.isfinite(children["tilt_deg"]),
             "overshading": (children["overshading"] >= 1) & (children["overshading"] <= 4),
             "overshading_factor": np.isfinite(children["overshading_factor"])}
    children["orientation"] = np.where(valid["orientation"], children["orientation"], 0)
    children["overshading"] = np.where(valid["overshading"], children["overshading"], 0)
    out.put_list("pv_arrays", offsets, children, valid, np.ones(n, dtype=bool))

    # meter connection and battery
    has_pv = arrays_rows | by_pct_ok
    conn = c.code("pv_connection")
    conn_array = int_codes(it.field("pv_connection"))
    first = it.first(np.isin(conn_array, (1, 2)))
    conn = np.where(np.isin(conn, (1, 2)), conn, take(conn_array, first, MISSING))
    conn_missing = has_pv & ~np.isin(conn, (1, 2))
    log.fallback(conn_missing, "pv_connection_not_lodged")
    connected = np.where(conn_missing, fallback("pv_connection_not_lodged").value == 1,
                         conn == 2)
    out.put("pv_connected_to_dwelling_meter", connected, has_pv)
    batteries = c.items("pv_battery_capacities_kwh")
    capacity = np.bincount(batteries.parents, weights=np.nan_to_num(floats(
        batteries.values)), minlength=n) if batteries.parents.size else np.zeros(n)
    count = c.num("pv_battery_count")
    has_capacity = batteries.count(np.ones(batteries.parents.size, dtype=bool)) > 0
    # estimate fallback: a battery count without capacities takes the schema's default
    # capacity (Battery-Capacity default="5", 'defaults to 5kW in unknown') per battery
    unlodged = (count > 0) & ~has_capacity
    log.fallback(unlodged, "pv_battery_capacity_not_lodged")
    capacity = np.where(unlodged, np.nan_to_num(count)
                        * fallback("pv_battery_capacity_not_lodged").value, capacity)
    out.put("battery_capacity_kwh", capacity, (has_capacity | unlodged) & (capacity > 0))


def _other(c: Certificates, log: Log, out: Output) -> None:
    out.put("rating_method", RATING_METHOD_RDSAP)
    cooling = c.flag("has_fixed_air_conditioning")
    out.put("space_cooling", cooling == 1, cooling >= 0)
    log.fallback(c.num("wind_turbines_count") > 0, "wind_turbine_ignored")
    log.fallback(c.num("hydro_electric_generation_kwh_per_yr") > 0, "hydro_ignored")
    # SAP 10.2 Appendix G4: the calculator applies the diverter's conditions itself
    diverter = flags(c.arr("pv_diverter"))
    out.put("pv_diverter", diverter == 1, diverter >= 0)
