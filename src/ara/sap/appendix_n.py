"""SAP 10.2 Appendix N: heat pumps from product (PCDB) data, column-wise (main heating
system 1, or 2 with (207) and water code 914 instead of (206) and 901; the N3.5 days only
for main 1).

A heat pump's product record gives, at a set of plant size ratios (PSR), its space heating
efficiency (at the dwelling's flow temperature) and its water heating efficiency, plus its
maximum output and its daily heating duration code. This module validates those inputs
(``read_products``) and, once the dwelling's heat loss is known, resolves them
(``resolve``):

* N2: PSR = maximum output (kW) / (annual-average heat loss coefficient (39) (W/K) x the
  design temperature difference / 1000);
* N2 and footnote 43: the efficiency at the dwelling's PSR is the reciprocal of the linear
  interpolation between the reciprocals of the efficiencies at the two enclosing PSRs;
  footnotes 44/45: above the largest PSR the same interpolation runs towards 100 % at twice
  the largest PSR (100 % beyond it); below the smallest PSR the efficiency is 100 %;
* N3.6: (206) = space heating in-use factor x the interpolated space efficiency;
* N3.7 and Table N8: (217) = water in-use factor (cylinder meets the record's criteria or
  not) x the interpolated water efficiency, at least 100 %;
* N3.5, Tables N4 and N5: the days of each month heated for 24 h (N24,9) or 16 h (N16,9)
  instead of the standard 9 h; for 'V' (variable) Table N5 by PSR, linearly interpolated and
  rounded to whole days, allocated to months in the N3.5 order. The kernel blends the
  zone temperatures by equation N5 (``ara_kernels.internal_temperature``).

Every number comes from ``spec/tables/sap10_2_appendix_n_heat_pump_rules.csv``,
``sap10_2_table_n4_heating_duration.csv``, ``sap10_2_table_n5_variable_heating_days.csv``
and ``sap10_2_table_n5_month_allocation_order.csv``. The heat loss (39) comes from a first
kernel pass over the heat pump rows (``ara.sap.calculator``): sections 1-3 do not depend on
the heating system.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pyarrow as pa

from ara.sap.problems import Problems
from ara.sap.tables import MONTHS, SpecTableError, read_table
from ara_kernels import layout as L

DURATIONS = ("24", "16", "9", "V")
HEAT_PUMP_CODES = (201, 299)


@dataclass(frozen=True)
class AppendixN:
    """The Appendix N numbers, read once from spec/tables."""

    design_dt: float  # K, N2
    space_in_use: float  # N3.6
    water_in_use_met: float  # Table N8
    water_in_use_other: float  # Table N8
    water_minimum: float  # %, N3.7
    extension_multiple: float  # N2 fn 44/45
    extension_end: float  # %, N2 fn 44/45
    below_smallest: float  # %, N2
    n4: dict[str, tuple[float, float]]  # fixed codes: (N24,9, N16,9) days per year
    n5_psr: np.ndarray
    n5_n24: np.ndarray
    n5_n16: np.ndarray
    month_order: np.ndarray  # month indices 0-11 in allocation order


@lru_cache(maxsize=1)
def rules() -> AppendixN:
    values = {r["name"]: float(r["value"])
              for r in read_table("sap10_2_appendix_n_heat_pump_rules.csv")}
    n4: dict[str, tuple[float, float]] = {}
    for r in read_table("sap10_2_table_n4_heating_duration.csv"):
        if r["n24_9_days_per_year"] != "table_n5":
            n4[r["code"]] = (float(r["n24_9_days_per_year"]), float(r["n16_9_days_per_year"]))
    n5 = sorted(read_table("sap10_2_table_n5_variable_heating_days.csv"),
                key=lambda r: float(r["plant_size_ratio"]))
    order = sorted(read_table("sap10_2_table_n5_month_allocation_order.csv"),
                   key=lambda r: int(r["rank"]))
    if set(n4) | {"V"} != set(DURATIONS):
        raise SpecTableError(f"Table N4 codes {sorted(n4)} do not match {DURATIONS}")
    return AppendixN(
        design_dt=values["psr_design_temperature_difference"],
        space_in_use=values["space_heating_in_use_factor"],
        water_in_use_met=values["water_in_use_factor_cylinder_criteria_met"],
        water_in_use_other=values["water_in_use_factor_otherwise"],
        water_minimum=values["water_minimum_efficiency"],
        extension_multiple=values["psr_extension_multiple"],
        extension_end=values["efficiency_at_extension_end"],
        below_smallest=values["efficiency_below_smallest_psr"],
        n4=n4,
        n5_psr=np.array([float(r["plant_size_ratio"]) for r in n5]),
        n5_n24=np.array([float(r["n24_9_days"]) for r in n5]),
        n5_n16=np.array([float(r["n16_9_days"]) for r in n5]),
        month_order=np.array([MONTHS.index(r["month"]) for r in order]),
    )


@dataclass
class HeatPumpProducts:
    """Validated product data of one main heating system (1 or 2), one entry per dwelling."""

    needs_psr: np.ndarray  # (n,) PCDB efficiencies or a variable duration: PSR needed
    has_points: np.ndarray  # (n,) PSR-dependent efficiencies given
    offsets: np.ndarray  # (n + 1,) into the point arrays
    psr: np.ndarray  # PSR of each point
    space: np.ndarray  # space heating efficiency (%) at each point
    water: np.ndarray  # water heating efficiency (%) at each point (NaN: not given)
    max_output_kw: np.ndarray  # (n,)
    variable: np.ndarray  # (n,) duration 'V'
    water_from_record: np.ndarray  # (n,) (217) from the record's water efficiencies
    water_in_use: np.ndarray  # (n,) Table N8 factor
    eff_index: int = L.DF_EFF_MAIN1  # the dfl column of its space efficiency (206)/(207)


def plant_size_ratio(max_output_kw: np.ndarray, hlc_w_per_k: np.ndarray,
                     r: AppendixN | None = None) -> np.ndarray:
    """N2: maximum output / (annual-average (39) x design temperature difference / 1000)."""
    r = r or rules()
    return max_output_kw / (hlc_w_per_k * r.design_dt / 1000.0)


def efficiency_at_psr(psr: np.ndarray, offsets: np.ndarray, x: np.ndarray, y: np.ndarray,
                      r: AppendixN | None = None) -> np.ndarray:
    """Efficiency (%) of each dwelling at its ``psr`` from its points ``x``/``y`` (ragged by
    ``offsets``, ``x`` strictly increasing): reciprocal-linear interpolation (N2 fn 43),
    the extension towards 100 % above the largest PSR (fn 44/45), 100 % below the smallest.
    Rows without points give NaN."""
    r = r or rules()
    counts = np.diff(offsets)
    n = psr.size
    parents = np.repeat(np.arange(n), counts)
    below_or_at = np.bincount(parents, weights=(x <= psr[parents]).astype(float),
                              minlength=n).astype(np.int64)
    out = np.full(n, np.nan)
    has = counts > 0
    last = offsets[1:] - 1
    lo = np.clip(offsets[:-1] + below_or_at - 1, 0, max(x.size - 1, 0))
    hi = np.clip(lo + 1, 0, max(x.size - 1, 0))
    if x.size == 0:
        return out
    inside = has & (below_or_at >= 1) & (below_or_at < counts)
    t = (psr - x[lo]) / np.where(inside, x[hi] - x[lo], 1.0)
    out = np.where(inside, 1.0 / ((1.0 - t) / y[lo] + t / np.where(inside, y[hi], 1.0)), out)
    out = np.where(has & (below_or_at == 0), r.below_smallest, out)
    above = has & (below_or_at == counts)
    x_last = x[np.clip(last, 0, x.size - 1)]
    y_last = y[np.clip(last, 0, x.size - 1)]
    x_end = r.extension_multiple * x_last
    t_ext = np.clip((psr - x_last) / np.where(above, x_end - x_last, 1.0), 0.0, 1.0)
    ext = 1.0 / ((1.0 - t_ext) / y_last + t_ext / r.extension_end)
    return np.where(above, ext, out)


def table_n5_days(psr: np.ndarray, r: AppendixN | None = None) -> tuple[np.ndarray,
                                                                         np.ndarray]:
    """Annual N24,9 and N16,9 of a variable-duration heat pump: Table N5 linearly
    interpolated by PSR (clamped to the first and last rows), rounded to whole days."""
    r = r or rules()
    n24 = np.floor(np.interp(psr, r.n5_psr, r.n5_n24) + 0.5)
    n16 = np.floor(np.interp(psr, r.n5_psr, r.n5_n16) + 0.5)
    return n24, n16


def allocate_days(n24: np.ndarray, n16: np.ndarray, days: np.ndarray,
                  r: AppendixN | None = None) -> tuple[np.ndarray, np.ndarray]:
    """N3.5: spread annual N24,9 then N16,9 over the months in allocation order, each
    month taking at most its days. Returns two (n, 12) arrays."""
    r = r or rules()
    m24 = np.zeros((n24.size, 12))
    m16 = np.zeros((n24.size, 12))
    before = 0.0
    for m in r.month_order:
        cap = days[m]
        a24 = np.clip(n24 - before, 0.0, cap)
        both = np.clip(n24 + n16 - before, 0.0, cap)
        m24[:, m] = a24
        m16[:, m] = both - a24
        before += cap
    return m24, m16


def read_products(p: Problems, demand: Problems, n: int, dfl: np.ndarray, days: np.ndarray,
                  col: Callable[..., np.ndarray], null: Callable[[str], np.ndarray],
                  flat: Callable[[str], pa.Array], points: tuple[np.ndarray, np.ndarray,
                                                                  np.ndarray, np.ndarray],
                  code1: np.ndarray, water_from_main1: np.ndarray,
                  water_declared: np.ndarray, prefix: str = "main1") -> HeatPumpProducts:
    """Validate the product data of main heating system ``prefix`` ('main1' or 'main2')
    and, for main 1, fill the fixed-duration days of ``dfl``. ``points`` is (offsets, psr,
    space, water) of ``<prefix>_hp_psr_data``; ``code1`` is that system's code and
    ``water_from_main1`` whether it heats the water (901 for main 1, 914 for main 2).
    Efficiency problems go to ``p`` (sections 9-13), duration problems to ``demand``.
    Main 2 has no daily heating duration input: the N3.5 days are the dwelling's and only
    the main 1 rule is sourced (decision 0014)."""
    r = rules()
    main = prefix  # field prefix of the messages
    offsets, x, space, water = points
    counts = np.diff(offsets)
    parents = np.repeat(np.arange(n), counts)
    heat_pump = (code1 >= HEAT_PUMP_CODES[0]) & (code1 <= HEAT_PUMP_CODES[1])
    given = ~null(f"{main}_hp_psr_data")
    p.add(given & (counts == 0), f"{main}_hp_psr_data",
          "needs at least one PSR point (or null for the Table 4a efficiency)")
    p.add(given & ~heat_pump, f"{main}_hp_psr_data",
          f"product (PCDB) heat pump data needs a heat pump {main}_code (201-299)")
    has_points = given & (counts > 0) & heat_pump

    bad_x = ~(np.isfinite(x) & (x > 0))
    step = np.diff(x)
    same_row = parents[1:] == parents[:-1]
    bad_x[1:] |= same_row & ~(step > 0)
    p.add_rows(parents[bad_x], f"{main}_hp_psr_data.psr",
               "PSR points must be positive and strictly increasing")
    p.add_rows(parents[~(np.isfinite(space) & (space > 0))],
               f"{main}_hp_psr_data.space_efficiency_percent", "must be a positive efficiency")
    water_given = np.isfinite(water)
    p.add_rows(parents[water_given & ~(water > 0)],
               f"{main}_hp_psr_data.water_efficiency_percent",
               "must be a positive efficiency (or null)")
    water_from_record = has_points & water_from_main1 & ~np.isfinite(water_declared)
    missing_water = np.bincount(parents, weights=(~water_given).astype(float), minlength=n) > 0
    p.add(water_from_record & missing_water, f"{main}_hp_psr_data.water_efficiency_percent",
          "required at every PSR point when the heat pump heats the water (water_heating_code "
          f"{'901' if main == 'main1' else '914'}) and water_heating_efficiency_percent is "
          "not given")
    declared = col(f"{main}_efficiency_percent")
    p.add(has_points & np.isfinite(declared), f"{main}_efficiency_percent",
          f"give either {main}_efficiency_percent or {main}_hp_psr_data, not both")

    if main != "main1":
        max_kw = col(f"{main}_hp_max_output_kw")
        bad_kw = ~(np.isfinite(max_kw) & (max_kw > 0))
        p.add(has_points & bad_kw, f"{main}_hp_max_output_kw",
              f"required (positive, kW) with {main}_hp_psr_data: the PSR needs it")
        p.add(~null(f"{main}_hp_max_output_kw") & bad_kw, f"{main}_hp_max_output_kw",
              "must be a positive output in kW")
        meets = col(f"{main}_hp_cylinder_meets_pcdb", 0) == 1
        return HeatPumpProducts(
            needs_psr=has_points, has_points=has_points, offsets=offsets, psr=x,
            space=space, water=water, max_output_kw=max_kw,
            variable=np.zeros(n, dtype=bool), water_from_record=water_from_record,
            water_in_use=np.where(meets, r.water_in_use_met, r.water_in_use_other),
            eff_index=L.DF_EFF_MAIN2)

    duration_arr = flat("main1_hp_heating_duration")
    duration = np.array(duration_arr.fill_null("").to_pylist(), dtype=object)
    has_duration = duration != ""
    demand.add(has_duration & ~np.isin(duration, DURATIONS), "main1_hp_heating_duration",
               "must be one of '24', '16', '9', 'V' (Table N4) or null")
    demand.add(has_duration & ~heat_pump, "main1_hp_heating_duration",
               "a daily heating duration needs a heat pump main1_code (201-299)")
    variable = (duration == "V") & heat_pump
    max_kw = col("main1_hp_max_output_kw")
    needs_psr = has_points | variable
    bad_kw = ~(np.isfinite(max_kw) & (max_kw > 0))
    p.add(has_points & bad_kw, "main1_hp_max_output_kw",
          "required (positive, kW) with main1_hp_psr_data: the PSR needs it")
    demand.add(variable & bad_kw, "main1_hp_max_output_kw",
               "required (positive, kW) for a variable heating duration ('V'): Table N5 is "
               "read by PSR")
    p.add(~null("main1_hp_max_output_kw") & bad_kw, "main1_hp_max_output_kw",
          "must be a positive output in kW")

    for code, (n24_year, n16_year) in r.n4.items():
        rows = (duration == code) & heat_pump
        if rows.any():
            dfl[rows, L.DF_HP_N24:L.DF_HP_N24 + 12] = days * n24_year / days.sum()
            dfl[rows, L.DF_HP_N16:L.DF_HP_N16 + 12] = days * n16_year / days.sum()

    meets = col("main1_hp_cylinder_meets_pcdb", 0) == 1
    return HeatPumpProducts(
        needs_psr=needs_psr, has_points=has_points, offsets=offsets, psr=x,
        space=space, water=water, max_output_kw=max_kw, variable=variable,
        water_from_record=water_from_record,
        water_in_use=np.where(meets, r.water_in_use_met, r.water_in_use_other))


def resolve(dfl: np.ndarray, hp: HeatPumpProducts, hlc: np.ndarray, rows: np.ndarray,
            days: np.ndarray) -> np.ndarray:
    """Fill (206), (217) and the N3.5 days of ``rows`` in ``dfl`` from the annual-average
    heat loss coefficient (39) ``hlc``. Returns the PSR of every dwelling (NaN elsewhere)."""
    r = rules()
    rows = rows & hp.needs_psr & np.isfinite(hp.max_output_kw) & (hp.max_output_kw > 0)
    psr = np.where(rows, plant_size_ratio(hp.max_output_kw, np.where(rows, hlc, 1.0), r),
                   np.nan)
    psr_safe = np.nan_to_num(psr)
    pts = rows & hp.has_points
    if pts.any():
        space = efficiency_at_psr(psr_safe, hp.offsets, hp.psr, hp.space, r)
        dfl[pts, hp.eff_index] = r.space_in_use * space[pts]
        wr = pts & hp.water_from_record
        if wr.any():
            water = efficiency_at_psr(psr_safe, hp.offsets, hp.psr,
                                      np.where(np.isfinite(hp.water), hp.water, 1.0), r)
            dfl[wr, L.DF_WATER_EFF] = np.maximum(hp.water_in_use[wr] * water[wr],
                                                 r.water_minimum)
    var = rows & hp.variable
    if var.any():
        n24, n16 = table_n5_days(psr_safe[var], r)
        m24, m16 = allocate_days(n24, n16, days, r)
        dfl[var, L.DF_HP_N24:L.DF_HP_N24 + 12] = m24
        dfl[var, L.DF_HP_N16:L.DF_HP_N16 + 12] = m16
    return psr
