"""SAP 10.2 tables from ``spec/tables`` as dense NumPy lookup arrays, loaded once.

Every array here is built from a CSV with a provenance header (see ``spec/tables``); no
table value is written in code. Lookups by code are dense arrays indexed by the code, with
NaN (or -1) where the table has no entry, so the batch path never touches a dict.
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ara_kernels import layout as L

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
N_REGIONS = 22


class SpecTableError(RuntimeError):
    """A spec table is missing, malformed, or lacks a value the calculator needs."""


#: ``spec/tables`` of a source checkout (an editable install runs from it).
REPO_SPEC_DIR = Path(__file__).resolve().parents[3] / "spec" / "tables"


def spec_dir() -> Path:
    """The ``spec/tables`` folder: ``$ARA_SPEC_DIR``, else the checkout's own, else the copy a
    wheel installs as the ``ara_spec`` package."""
    env = os.environ.get("ARA_SPEC_DIR")
    if env:
        return Path(env)
    if REPO_SPEC_DIR.is_dir():
        return REPO_SPEC_DIR
    from importlib.resources import files

    return Path(str(files("ara_spec") / "tables"))


def read_table(name: str) -> list[dict[str, str]]:
    """Rows of ``spec/tables/<name>`` as dicts, comment lines (``#``) skipped."""
    path = spec_dir() / name
    if not path.exists():
        raise SpecTableError(f"spec table {path} is missing")
    with path.open(newline="", encoding="utf-8") as fh:
        lines = [ln for ln in fh if not ln.startswith("#") and ln.strip()]
    return list(csv.DictReader(lines))


def _monthly(row: dict[str, str], table: str) -> np.ndarray:
    try:
        return np.array([float(row[m]) for m in MONTHS])
    except (KeyError, ValueError) as exc:
        raise SpecTableError(f"{table}: bad monthly row {row}") from exc


def _by_region(name: str) -> np.ndarray:
    rows = read_table(name)
    out = np.full((N_REGIONS, 12), np.nan)
    for r in rows:
        out[int(r["region_id"])] = _monthly(r, name)
    if np.isnan(out).any():
        raise SpecTableError(f"{name}: regions missing")
    return out


def _optional(name: str) -> list[dict[str, str]]:
    """Rows of a table that may not have been transcribed yet (empty when absent)."""
    return read_table(name) if (spec_dir() / name).exists() else []


def _float_or_nan(text: str | None) -> float:
    text = (text or "").strip()
    return float(text) if text else float("nan")


ELECTRIC_FUELS = (30, 31, 32, 33, 34, 35, 38, 39, 40)
HEAT_NETWORK_FUELS = (41, 58)  # Table 12 heat-network fuel codes (inclusive range)
HEAT_NETWORK_ELECTRIC_FUELS = (41,)  # heat from an electric heat pump


@dataclass(frozen=True)
class SystemTables:
    """Lookups for sections 9-13, dense by SAP code (1000) or fuel code (100)."""

    boiler_winter: np.ndarray  # Table 4b winter efficiency % (NaN: not a Table 4b code)
    boiler_summer: np.ndarray  # Table 4b summer efficiency %
    boiler_combi: np.ndarray  # Table 4b combi/CPSU flag (bool)
    space_efficiency: np.ndarray  # Table 4a space efficiency % (column B for solid fuel)
    water_efficiency: np.ndarray  # Table 4a water efficiency % (heat pumps, HW-only codes)
    price_sap: np.ndarray  # Table 12 unit price p/kWh by fuel code
    price_rdsap: np.ndarray  # RdSAP 10 Table 32 unit price p/kWh by fuel code
    co2: np.ndarray  # (200, 12) kg/kWh by fuel and month (Table 12; 12d for electricity);
    # row PROXY_ROW + code: the fuel's factors completed from its estimate-mode proxies
    pe: np.ndarray  # (200, 12) primary energy factor by fuel and month (Table 12 / 12e), idem
    price_sap_proxy: np.ndarray  # (100,) price_sap completed from the estimate-mode proxies
    price_rdsap_proxy: np.ndarray  # (100,) price_rdsap completed from the proxies
    fuel_proxies: dict[int, tuple[int, ...]]  # fuel code -> its proxies in order (estimate mode)
    export_co2: np.ndarray  # (12,) Table 12d PV export
    export_pe: np.ndarray  # (12,) Table 12e PV export
    table4f: dict[str, float]  # Table 4f kWh/yr and factors by row key
    high_rate: dict[tuple[str, str], float]  # Table 12a (system or use, tariff) -> fraction
    high_rate_space: np.ndarray  # (1000, 6) Table 12a space fraction by code, tariff code
    high_rate_water: np.ndarray  # (1000, 6) Table 12a water fraction by code, tariff code
    standing_sap: dict[str, float]  # Table 12 standing charges by key (fuel code or tariff)
    standing_rdsap: dict[str, float]  # Table 32 standing charges by key
    pv_overshading: np.ndarray  # (6,) Table H2 Z_PV by SAP overshading code
    secondary_fraction: np.ndarray  # (1000,) Table 11 fraction by main heating code
    always_secondary: np.ndarray  # (1000,) Appendix A.2.2: a secondary is always assumed
    immersion: dict[tuple[str, str], tuple[float, ...]]  # Table 13 coefficients
    heat_network_dlf: np.ndarray  # (14,) Table 12c DLF by age band code 1=A..13=M (NaN: none)
    heat_network_rules: dict[str, float]  # Appendix C / Table 12 note k-l numbers by name
    solar_pump: tuple[float, float, float]  # Table 4f (230g): (a + b x H1) x k -> (a, b, k)


@dataclass(frozen=True)
class SapTables:
    """Dense arrays the kernels take, plus code lookups used to resolve inputs."""

    constants: np.ndarray  # (N_C,) worksheet constants, indexed by layout.C_*
    days: np.ndarray  # (12,) Table 1a
    temperature: np.ndarray  # (22, 12) Table U1
    wind: np.ndarray  # (22, 12) Table U2
    solar_horizontal: np.ndarray  # (22, 12) Table U3
    declination: np.ndarray  # (12,) Table U3 footer
    latitude: np.ndarray  # (22,) Table U4
    u5: np.ndarray  # (9, 5) Table U5 k1..k9 x (N, NE/NW, E/W, SE/SW, S)
    cold_water: np.ndarray  # (2, 12) Table J1: mains, header tank
    j2: np.ndarray  # (12,) Table J2
    f_beh: np.ndarray  # (12,) Table J5
    access: np.ndarray  # (5, 3) Table 6d by overshading code: winter, summer, light
    responsiveness: np.ndarray  # (1000,) Table 4a R by heating code (NaN: none)
    emitter_responsiveness: np.ndarray  # (10,) Table 4d R by emitter code (NaN: none)
    control_adjustment: np.ndarray  # (1000,) Table 4e K by control code - 2000
    control_type: np.ndarray  # (1000,) Table 9 control type by control code - 2000
    glazing_g: np.ndarray  # (16,) Table 6b g_perp by SAP glazing code
    glazing_light: np.ndarray  # (16,) Table 6b g_L by glazing code
    frame_factor: np.ndarray  # (16,) Table 6c by SAP frame code
    systems: SystemTables  # section 9-13 lookups (efficiencies, fuels, prices)
    solar_collector_z: np.ndarray  # (6,) Table H2 collector overshading (H8) by code (NaN: none)

    def kernel_tables(self) -> tuple[np.ndarray, ...]:
        """The table arguments of ``ara_kernels.worksheet`` in their order."""
        st = self.systems
        return (self.days, self.temperature, self.wind, self.solar_horizontal,
                self.cos_lat_dec, self.u5, self.cold_water, self.j2, self.f_beh, self.access,
                self.lighting_profile, self.appliance_profile, np.nan_to_num(st.co2),
                np.nan_to_num(st.pe), st.export_co2, st.export_pe, self.constants)

    @property
    def cos_lat_dec(self) -> np.ndarray:
        """(22, 12) cos(latitude - declination), the x of Appendix U3.2, by region/month."""
        return np.cos(np.radians(self.latitude[:, None] - self.declination[None, :]))

    def _profile(self, amplitude: int, phase: int) -> np.ndarray:
        months = np.arange(1, 13)
        c = self.constants
        return 1.0 + c[amplitude] * np.cos(2.0 * np.pi * (months - c[phase]) / 12.0)

    @property
    def lighting_profile(self) -> np.ndarray:
        """Appendix L monthly lighting factor 1 + 0.5 cos(2 pi (m - 0.2) / 12)."""
        return self._profile(L.C_LIGHTING_MONTHLY_AMPLITUDE, L.C_LIGHTING_MONTHLY_PHASE)

    @property
    def appliance_profile(self) -> np.ndarray:
        """Appendix L monthly appliance factor 1 + 0.157 cos(2 pi (m - 1.78) / 12)."""
        return self._profile(L.C_APPLIANCE_AMPLITUDE, L.C_APPLIANCE_PHASE)


def _constants() -> np.ndarray:
    """The constants vector: worksheet constants, the method-independent rating constants
    (sap10_2_rating_equations.csv, method 0), the Appendix M1 beta coefficients and the
    Appendix N 16-hour off period."""
    values = {r["name"]: float(r["value"]) for r in read_table("sap10_2_worksheet_constants.csv")}
    for r in read_table("sap10_2_rating_equations.csv"):
        if r["method"] == "0":
            values[{"cf_denominator_area_offset": "cf_area_offset"}.get(r["quantity"],
                                                                          r["quantity"])] = \
                float(r["value"])
    for r in read_table("sap10_2_appendix_m1_pv_self_consumption_coefficients.csv"):
        name = r["coefficient"].lower()
        values[f"{name}_a"] = float(r["intercept"])
        values[f"{name}_b"] = float(r["slope_per_kwh_battery"])
        values["battery_cap_kwh"] = float(r["battery_capacity_cap_kwh"])
    for r in read_table("sap10_2_appendix_n_heat_pump_rules.csv"):
        if r["name"] == "unimodal_off_hours":
            values["hp_unimodal_off_hours"] = float(r["value"])
    solar = {r["name"]: r["value"] for r in read_table(APPENDIX_H)}
    for name, key in SOLAR_CONSTANTS.items():
        values[name] = float(solar[key])
    for r in read_table("sap10_2_appendix_g4_pv_diverter.csv"):
        values[f"pv_diverter_{r['name']}"] = float(r["value"])
    values.update(_wwhrs_constants())
    missing = [n for n in L.C_NAMES if n not in values]
    if missing:
        raise SpecTableError(f"constants missing from spec/tables: {missing}")
    return np.array([values[n] for n in L.C_NAMES])


APPENDIX_G3 = "sap10_2_appendix_g3_wwhrs.csv"


def _wwhrs_constants() -> dict[str, float]:
    """Appendix G3 (lineage form, decision 0024): the shower waste water temperature."""
    rows = {r["name"]: r["value"] for r in read_table(APPENDIX_G3)}
    return {"wwhrs_drain_temperature": float(rows["drain_temperature_c"])}


APPENDIX_H = "sap10_2_appendix_h_solar_water_heating.csv"
#: constants vector name -> row of the Appendix H table
SOLAR_CONSTANTS = {
    "solar_loop_loss_base": "loop_loss_base_w_per_k",
    "solar_loop_loss_per_m2": "loop_loss_per_m2_w_per_m2k",
    "solar_loop_a2_temperature_difference": "loop_a2_temperature_difference_k",
    "solar_combined_remainder_fraction": "combined_remainder_fraction",
    "solar_reference_volume_per_m2": "reference_volume_l_per_m2",
    "solar_storage_correction_exponent": "storage_correction_exponent",
    "solar_reference_temperature_base": "reference_temperature_base_c",
    "solar_reference_temperature_cold_factor": "reference_temperature_cold_factor",
    "solar_reference_temperature_external_factor": "reference_temperature_external_factor",
    "solar_x_max": "x_factor_max",
    **{f"solar_h3_c{x}": f"table_h3_c{x}" for x in "abcdef"},
}


def _solar_collector_z() -> np.ndarray:
    """Table H2 collector overshading factor (H8) by SAP-SolarCollectorOvershadingCode 1-5
    (NaN where the table has no value: code 5 'severe')."""
    out = np.full(6, np.nan)
    for r in read_table(APPENDIX_H):
        m = re.fullmatch(r"collector_overshading_code_(\d)", r["name"])
        if m:
            out[int(m.group(1))] = _number(r["value"])
    return out


_SOLAR_PUMP = re.compile(r"\((\d+(?:\.\d+)?) \+ (\d+(?:\.\d+)?) x H1\) x (\d+(?:\.\d+)?)")


def _solar_pump() -> tuple[float, float, float]:
    """SAP 10.2 Table 4f 'Solar water heating pump, electrically powered (230g)':
    (a + b x H1) x k kWh/year, read from the formula text of the Table 4f supplement."""
    for r in read_table("sap10_2_table4f_supplement.csv"):
        if r["item"].startswith("Solar water heating pump"):
            m = _SOLAR_PUMP.search(r["formula"])
            if m is None:
                raise SpecTableError(f"Table 4f solar pump formula not understood: "
                                     f"{r['formula']!r}")
            a, b, k = (float(g) for g in m.groups())
            return a, b, k
    raise SpecTableError("Table 4f supplement: no solar water heating pump row")


def _access() -> np.ndarray:
    codes = {"very little": 1, "average or unknown": 2, "more than average": 3, "heavy": 4}
    out = np.full((5, 3), np.nan)
    for r in read_table("sap_table6d_overshading_access_factors.csv"):
        code = codes[r["overshading"]]
        out[code] = [float(r["winter_solar_access_factor"]),
                     float(r["summer_solar_access_factor"]), float(r["light_access_factor"])]
    return out


def _code_list(text: str) -> list[int]:
    """Codes written as '152', '501-514, 520' or '401 402'."""
    codes: list[int] = []
    for part in re.split(r"[,\s]+", text.strip()):
        if "-" in part:
            lo, hi = part.split("-")
            codes.extend(range(int(lo), int(hi) + 1))
        elif part:
            codes.append(int(part))
    return codes


def _code_map(kind: str) -> dict[int, str]:
    return {int(r["code"]): r["table_row"]
            for r in read_table("sap_schema_glazing_frame_code_map.csv") if r["kind"] == kind}


def _emitter_responsiveness() -> np.ndarray:
    """Table 4d R by SAP-Schema HeatEmitterCode (only codes the code map resolves)."""
    rows = {r["code_or_emitter"]: r
            for r in read_table("sap10_2_table4d_emitter_responsiveness.csv")
            if r["table"] == "4d"}
    out = np.full(10, np.nan)
    for code, row_name in _code_map("emitter").items():
        out[code] = float(rows[row_name]["responsiveness_R"])
    return out


def _responsiveness() -> np.ndarray:
    """Table 4a R by heating code: the SAP 10.2 partial transcription first, then the rows
    of the Table 4a supplement (SAP 2012 lineage, agreeing wherever both exist)."""
    out = np.full(1000, np.nan)
    for r in read_table("sap10_2_table4a_heating_systems_PARTIAL.csv"):
        value = _float_or_nan(r.get("responsiveness_R"))
        if np.isnan(value):
            # rows whose only R is printed in the 24-hour-tariff sub-table (e.g. 691 panel
            # heaters): direct-acting heaters respond the same on every tariff
            value = _float_or_nan(r.get("responsiveness_R_24h_tariff"))
        out[int(r["sap_code"])] = value
    for r in read_table("sap10_2_table4d_emitter_responsiveness.csv"):
        if r["table"] != "4a":
            continue
        for code in _code_list(r["code_or_emitter"]):
            text = (r.get("responsiveness_R") or "").strip()
            # 'from Table 4d' (heat pumps): R comes from the emitter, left NaN here
            if np.isnan(out[code]) and re.fullmatch(r"[\d.]+", text):
                out[code] = float(text)
    return out


_CONTROL_ITEM = re.compile(r"control (\d{4})")
_CONTROL_VALUE = re.compile(r"control type (\d); temperature adjustment ([-\d.]+) K")


def _controls() -> tuple[np.ndarray, np.ndarray]:
    """Table 4e temperature adjustment and Table 9 control type by control code - 2000."""
    adj = np.full(1000, np.nan)
    ctype = np.full(1000, -1, dtype=np.int64)
    for r in read_table("sap10_2_table4e_control_temperature_adjustment.csv"):
        lo, hi = int(r["code_from"]), int(r["code_to"])
        adj[lo - 2000 : hi - 2000 + 1] = float(r["temperature_adjustment_k"])
    for r in read_table("sap10_2_table4e_control_codes_PARTIAL.csv"):
        code = int(r["code"]) - 2000
        if (r.get("control_type") or "").strip():
            ctype[code] = int(r["control_type"])
        if (r.get("temperature_adjustment_k") or "").strip():
            adj[code] = float(r["temperature_adjustment_k"])
    for r in read_table("sap10_2_table9_heating_periods.csv"):
        if r["part"] != "4e" or r["value"].strip() == "MISSING":
            continue
        item = _CONTROL_ITEM.search(r["item"])
        value = _CONTROL_VALUE.search(r["value"])
        if not item or not value:
            raise SpecTableError(f"Table 4e row not understood: {r['item']!r} {r['value']!r}")
        code = int(item.group(1)) - 2000
        if ctype[code] < 0:
            ctype[code] = int(value.group(1))
        if np.isnan(adj[code]):
            adj[code] = float(value.group(2))
    return adj, ctype


def _glazing() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Table 6b g_perp and g_L by SAP-GlazingTypeCode, Table 6c frame factor by frame code."""
    rows = {r["glazing_or_frame"]: r for r in read_table("sap10_2_table6b_6c_glazing.csv")}
    g = np.full(16, np.nan)
    gl = np.full(16, np.nan)
    ff = np.full(16, np.nan)
    for code, name in _code_map("glazing").items():
        g[code] = float(rows[name]["g_perpendicular"])
        gl[code] = float(rows[name]["light_transmittance_g_L"])
    for code, name in _code_map("frame").items():
        ff[code] = float(rows[name]["frame_factor"])
    return g, gl, ff


@lru_cache(maxsize=1)
def load_tables() -> SapTables:
    """Load every table once per process."""
    days_row = next(r for r in read_table("sap2012_tables_1a_1c_1d_h4_reference.csv")
                    if r["table"] == "1a")
    decl = read_table("sap_table_u3_solar_declination.csv")
    latitude = np.full(N_REGIONS, np.nan)
    for r in read_table("sap_table_u4_latitude_height.csv"):
        latitude[int(r["region_id"])] = float(r["latitude_deg_n"])
    u5_rows = read_table("sap_table_u5_solar_flux_constants.csv")
    u5 = np.array([[float(r[col]) for col in ("north", "ne_nw", "east_west", "se_sw", "south")]
                   for r in u5_rows])
    cold = {r["feed_type"]: _monthly(r, "J1")
            for r in read_table("sap10_2_table_j1_cold_water_feed_temperature.csv")}
    jrows = {r["table"]: _monthly(r, "J2/J5")
             for r in read_table("sap10_2_tables_j2_j5_hot_water_monthly_factors.csv")}
    adj, ctype = _controls()
    g, gl, ff = _glazing()
    return SapTables(
        constants=_constants(),
        days=_monthly(days_row, "Table 1a"),
        temperature=_by_region("sap10_2_table_u1_mean_external_temperature.csv"),
        wind=_by_region("sap_table_u2_wind_speed.csv"),
        solar_horizontal=_by_region("sap_table_u3_solar_irradiance_horizontal.csv"),
        declination=np.array([float(r["solar_declination_deg"]) for r in decl]),
        latitude=latitude,
        u5=u5,
        cold_water=np.vstack([cold["mains"], cold["header_tank"]]),
        j2=jrows["J2"],
        f_beh=jrows["J5"],
        access=_access(),
        responsiveness=_responsiveness(),
        emitter_responsiveness=_emitter_responsiveness(),
        control_adjustment=adj,
        control_type=ctype,
        glazing_g=g,
        glazing_light=gl,
        frame_factor=ff,
        systems=_system_tables(),
        solar_collector_z=_solar_collector_z(),
    )


def _number(text: str | None) -> float:
    """A table cell as a number; NaN for blanks and for text such as '7.64 (spec) / 5.44'."""
    text = (text or "").strip()
    try:
        return float(text)
    except ValueError:
        return float("nan")


def _fuel_prices(name: str, column: str) -> np.ndarray:
    out = np.full(100, np.nan)
    for r in read_table(name):
        code = r["fuel_code"].strip()
        if code.isdigit():
            out[int(code)] = _number(r[column])
    return out


#: Row offset of the estimate-mode rows of the CO2 / primary energy tables: row
#: ``PROXY_ROW + code`` holds the fuel's own factors, each missing one taken from its proxies
#: (``spec/tables/estimate_fuel_proxies.csv``, fallback ``fuel_factor_proxy``, decision 0025).
PROXY_ROW = 100


def fuel_proxies() -> dict[int, tuple[int, ...]]:
    """Estimate-mode proxies of the fuels without some SAP 10.2 figure in spec/.

    Returns
    -------
    dict of int to tuple of int
        Per fuel code of ``spec/tables/estimate_fuel_proxies.csv``: its proxy, the proxy's
        proxy and so on (a figure the fuel lacks comes from the first that has it).

    Raises
    ------
    SpecTableError
        The table's proxies form a cycle.
    """
    direct = {int(r["fuel_code"]): int(r["proxy_code"])
              for r in read_table("estimate_fuel_proxies.csv")}
    chains: dict[int, tuple[int, ...]] = {}
    for code in direct:
        chain = [code]
        while chain[-1] in direct:
            if direct[chain[-1]] in chain:
                raise SpecTableError(f"estimate_fuel_proxies.csv: the proxies of fuel {code} "
                                     "form a cycle")
            chain.append(direct[chain[-1]])
        chains[code] = tuple(chain[1:])
    return chains


def _with_proxy_rows(table: np.ndarray, proxies: dict[int, tuple[int, ...]]) -> np.ndarray:
    """``table`` (100 fuel rows) and below it the rows completed from the proxies."""
    completed = table.copy()
    for code, chain in proxies.items():
        for proxy in chain:
            missing = ~np.isfinite(completed[code])
            completed[code, missing] = table[proxy, missing]
    return np.concatenate([table, completed])


def _proxy_prices(prices: np.ndarray, proxies: dict[int, tuple[int, ...]]) -> np.ndarray:
    """Unit prices completed from the proxies; not for heat networks, whose heat is priced
    per unit of heat (Table 12 note k), never at the price of the fuel burnt."""
    completed = prices.copy()
    for code, chain in proxies.items():
        if HEAT_NETWORK_FUELS[0] <= code <= HEAT_NETWORK_FUELS[1]:
            continue
        for proxy in chain:
            if not np.isfinite(completed[code]):
                completed[code] = prices[proxy]
    return completed


def pv_overshading_estimates() -> dict[int, float]:
    """Estimate-mode Z_PV of the overshading codes whose SAP 10.2 value is unresolved.

    Returns
    -------
    dict of int to float
        Per code of ``sap10_2_table_h2_pv_overshading.csv`` with conflicting PV candidates
        (3 significant, 4 heavy): the lowest candidate; for 5 (severe, no value found): the
        lowest candidate of 4 (fallback ``pv_overshading_unresolved``).
    """
    candidates: dict[int, list[float]] = {}
    for r in read_table("sap10_2_table_h2_pv_overshading.csv"):
        shade = (r.get("schema_code") or "").strip()
        value = _number(r.get("z_factor"))
        if shade.isdigit() and "PV" in r.get("applies_to", "") and np.isfinite(value):
            candidates.setdefault(int(shade), []).append(value)
    out = {code: min(values) for code, values in candidates.items() if len(set(values)) > 1}
    if 4 in out:
        out[5] = out[4]
    return out


def needs_fuel_proxy(fuel: np.ndarray, rdsap: np.ndarray) -> np.ndarray:
    """Which fuel codes lack a figure the calculator needs that their proxies give.

    Parameters
    ----------
    fuel : numpy.ndarray of int
        SAP 10.2 Table 12 fuel codes (negative: none).
    rdsap : numpy.ndarray of bool
        Per value: rated by the RdSAP 10 method (Table 32 prices) rather than SAP 10.2's.

    Returns
    -------
    numpy.ndarray of bool
        True where the fuel has estimate-mode proxies (``estimate_fuel_proxies.csv``) and
        its own CO2 or primary energy factor, or its unit price for the method (fuels
        priced per unit: not electricity, not heat networks), is not in spec/: the rows
        that need the fallback ``fuel_factor_proxy``.
    """
    st = load_tables().systems
    fuel = np.asarray(fuel, dtype=np.int64)
    f = np.clip(fuel, 0, 99)
    proxied = (fuel >= 0) & (fuel < 100) & np.isin(f, list(st.fuel_proxies))
    lacks = ~np.isfinite(st.co2[f, 0]) | ~np.isfinite(st.pe[f, 0])
    priced = ~np.isin(f, ELECTRIC_FUELS) & ~((f >= HEAT_NETWORK_FUELS[0])
                                             & (f <= HEAT_NETWORK_FUELS[1]))
    price = np.where(rdsap, st.price_rdsap[f], st.price_sap[f])
    return proxied & (lacks | (priced & ~np.isfinite(price)))


def _system_tables() -> SystemTables:
    winter = np.full(1000, np.nan)
    summer = np.full(1000, np.nan)
    combi = np.zeros(1000, dtype=bool)
    for r in read_table("sap10_2_table4b_boiler_seasonal_efficiency_PARTIAL.csv"):
        code = int(r["sap_code"])
        winter[code] = _number(r["winter_efficiency_pct"])
        summer[code] = _number(r["summer_efficiency_pct"])
        combi[code] = r["is_combi_or_cpsu_per_source"].strip() == "yes"
    space = np.full(1000, np.nan)
    water = np.full(1000, np.nan)
    for r in read_table("sap10_2_table4a_heating_systems_PARTIAL.csv"):
        code = int(r["sap_code"])
        value = _number(r["efficiency_space_pct"])
        if np.isnan(value):
            # solid fuel: column B (RdSAP uses B unless HETAS approval is lodged)
            value = _number(r["efficiency_col_B_pct"])
        space[code] = value
        water[code] = _number(r["efficiency_water_pct"])
    for r in _optional("sap10_2_table4a_efficiencies_supplement.csv"):
        for code in _code_list(r["sap_code"]):
            if np.isnan(space[code]):
                space[code] = _number(r.get("efficiency_space_pct"))
            if np.isnan(water[code]):
                water[code] = _number(r.get("efficiency_water_pct"))
    for r in read_table("sap2009_table4a_water_efficiency_LINEAGE.csv"):
        # LINEAGE: water heated by a boiler / back boiler at its space efficiency ('same')
        code = int(r["sap_code"])
        if np.isnan(water[code]):
            water[code] = space[code] if r["water_efficiency"] == "same" \
                else _number(r["water_efficiency"])
    table12 = read_table("sap10_2_table12_fuel_prices_factors_PARTIAL.csv")
    co2 = np.full((100, 12), np.nan)
    pe = np.full((100, 12), np.nan)
    for r in table12:
        code = int(r["fuel_code"])
        co2[code] = _number(r["co2_kg_per_kwh"])
        pe[code] = _number(r["primary_energy_factor"])
    monthly = read_table("sap10_2_table12d_12e_monthly_electricity_factors.csv")
    imp_co2 = np.array([float(r["co2_import_kg_per_kwh"]) for r in monthly])
    imp_pe = np.array([float(r["pe_import"]) for r in monthly])
    for code in ELECTRIC_FUELS:  # every electricity tariff uses the monthly import factors
        co2[code] = imp_co2
        pe[code] = imp_pe
    for code in HEAT_NETWORK_ELECTRIC_FUELS:
        # heat network fed by an electric heat pump (41): the monthly standard-electricity
        # factors per unit of fuel (header of the Table 12 file); / COP via the source efficiency
        co2[code] = imp_co2
        pe[code] = imp_pe
    co2[0] = 0.0  # fuel 0: no system (zero energy)
    pe[0] = 0.0
    proxies = fuel_proxies()
    co2 = _with_proxy_rows(co2, proxies)
    pe = _with_proxy_rows(pe, proxies)
    table4f: dict[str, float] = {}
    for r in read_table("sap10_2_table4f_pumps_fans_electricity_PARTIAL.csv"):
        table4f[f"{r['item']}|{r['condition']}"] = _number(r["kwh_per_year"])
    high_rate: dict[tuple[str, str], float] = {}
    for r in read_table("sap10_2_table12a_high_rate_fractions_PARTIAL.csv"):
        for col in ("high_rate_fraction_space_heating_or_other_use",
                    "high_rate_fraction_water_heating"):
            v = _number(r[col])
            if not np.isnan(v):
                use = "water" if col.endswith("water_heating") else "space"
                high_rate[(f"{r['system_or_use']}|{use}", r["tariff"])] = v
    standing_rdsap: dict[str, float] = {}
    for r in read_table("rdsap10_table32_fuel_prices_PARTIAL.csv"):
        if r["fuel_code"].startswith("standing:"):
            standing_rdsap[r["fuel_code"].split(":", 1)[1]] = _number(r["unit_price_p_per_kwh"])
    standing_sap: dict[str, float] = {}
    for r in read_table("sap10_2_table12_supplement.csv"):
        fuel = r["fuel_code"].strip()
        value = _number(r["value"])
        if r["item"] == "standing charge" and fuel.isdigit() and np.isfinite(value):
            standing_sap[fuel] = value
    pv_z = np.full(6, np.nan)
    candidates: dict[int, set[float]] = {}
    for r in _optional("sap10_2_table_h2_pv_overshading.csv"):
        shade = (r.get("schema_code") or "").strip()
        value = _number(r.get("z_factor"))
        if shade.isdigit() and "PV" in r.get("applies_to", "") and np.isfinite(value):
            candidates.setdefault(int(shade), set()).add(value)
    for code, values in candidates.items():
        if len(values) == 1:  # conflicting transcriptions stay unresolved (NaN -> rejected)
            pv_z[code] = values.pop()
    secondary = np.full(1000, np.nan)
    always_secondary = np.zeros(1000, dtype=bool)
    for r in read_table("sap10_2_table11_secondary_fraction.csv"):
        codes = [c for m in re.finditer(r"(\d{3})(?:-(\d{3}))?", r["sap_codes"])
                 for c in range(int(m.group(1)), int(m.group(2) or m.group(1)) + 1)]
        if r["main_system_category"].startswith("RULE: secondary always assumed"):
            always_secondary[codes] = True
            continue
        value = _number(r["secondary_fraction"])
        if np.isfinite(value) and not r["main_system_category"].startswith("ENGINE"):
            secondary[codes] = value
    export = {r["month"]: r for r in monthly}
    dlf = np.full(14, np.nan)
    hn_rules: dict[str, float] = {}
    for r in read_table("sap10_2_table12c_heat_networks.csv"):
        if r["kind"] == "dlf" and len(r["key"]) == 1:
            dlf["ABCDEFGHIJKLM".index(r["key"]) + 1] = float(r["value"])
        elif r["kind"] == "rule":
            hn_rules[r["key"]] = float(r["value"])
    return SystemTables(
        boiler_winter=winter, boiler_summer=summer, boiler_combi=combi,
        space_efficiency=space, water_efficiency=water,
        price_sap=_fuel_prices("sap10_2_table12_fuel_prices_factors_PARTIAL.csv",
                               "unit_price_p_per_kwh"),
        price_rdsap=_fuel_prices("rdsap10_table32_fuel_prices_PARTIAL.csv",
                                 "unit_price_p_per_kwh"),
        co2=co2, pe=pe,
        price_sap_proxy=_proxy_prices(_fuel_prices(
            "sap10_2_table12_fuel_prices_factors_PARTIAL.csv", "unit_price_p_per_kwh"), proxies),
        price_rdsap_proxy=_proxy_prices(_fuel_prices(
            "rdsap10_table32_fuel_prices_PARTIAL.csv", "unit_price_p_per_kwh"), proxies),
        fuel_proxies=proxies,
        export_co2=np.array([float(export[m]["co2_export_pv_kg_per_kwh"]) for m in MONTHS]),
        export_pe=np.array([float(export[m]["pe_export_pv"]) for m in MONTHS]),
        table4f=table4f, high_rate=high_rate, standing_sap=standing_sap,
        standing_rdsap=standing_rdsap, pv_overshading=pv_z, secondary_fraction=secondary,
        always_secondary=always_secondary, immersion=_immersion(),
        heat_network_dlf=dlf, heat_network_rules=hn_rules, solar_pump=_solar_pump(),
        high_rate_space=_high_rate_by_code(high_rate, "space"),
        high_rate_water=_high_rate_by_code(high_rate, "water"),
    )


TARIFF_LABELS = {1: "standard", 2: "7-hour", 3: "10-hour", 4: "24-hour", 5: "18-hour"}


INTEGRATED_STORAGE = (408, 422, 423)  # storage + direct-acting (Table 4a labels)
UNDERFLOOR_DIRECT = (424, 425)  # underfloor heating in screed / timber floor
GROUND_WATER_HEAT_PUMPS = (211, 213, 221, 223, 521, 523)
AIR_HEAT_PUMPS = (214, 224, 524)


def table12a_row(code: int) -> str:
    """The Table 12a Grid 1 row a SAP heating code falls under (rows by their labels; the
    mapping is listed in the header of sap10_2_table12a_high_rate_fractions_PARTIAL.csv)."""
    if code == 191:
        return "Direct-acting electric boiler (a)"
    if code in (193, 194, 195, 196):
        return "Electric dry core or water storage boiler"
    if code in INTEGRATED_STORAGE:
        return "Integrated storage/direct-acting electric systems"
    if code in UNDERFLOOR_DIRECT:
        return "Underfloor heating"
    if 401 <= code <= 499:
        return "Other storage heaters"
    if code in GROUND_WATER_HEAT_PUMPS:
        return "Ground or water source heat pump - other (not from database)"
    if code in AIR_HEAT_PUMPS:
        return "Air source heat pump - other (not from database)"
    if 201 <= code <= 299 or 521 <= code <= 527:
        return "Heat pump - other (row not identified)"
    if code == 903:
        return "Immersion water heater"
    return "Other systems including direct-acting electric"


def _high_rate_by_code(table: dict[tuple[str, str], float], use: str) -> np.ndarray:
    """Dense (code, tariff) -> Table 12a high-rate fraction (NaN where not transcribed)."""
    out = np.full((1000, 6), np.nan)
    for code in range(1000):
        row = f"{table12a_row(code)}|{use}"
        for t, label in TARIFF_LABELS.items():
            out[code, t] = table.get((row, label), np.nan)
    return out


def _immersion() -> dict[tuple[str, str], tuple[float, ...]]:
    """Table 13 high-rate fractions of electric immersion heating, as coefficients:
    single [(a - b N) / (k V) - c + d N] / 100 -> (a, b, k, c, d);
    dual [(e - f V) N + g - h V] / 100 -> (e, f, g, h)."""
    single = re.compile(r"\[\((\d+) - (\d+)\*N\)/\(?([\d.]*)\*?V\)? - (\d+) \+ (\d+)\*N\]")
    dual = re.compile(r"\[\(([\d.]+) - ([\d.]+)\*V\)\*N \+ ([\d.]+) - ([\d.]+)\*V\]")
    out: dict[tuple[str, str], tuple[float, ...]] = {}
    for r in read_table("sap10_2_table13_immersion_high_rate.csv"):
        tariff = "7-hour" if r["tariff"].startswith("7-hour") else \
            "10-hour" if r["tariff"].startswith("10-hour") else ""
        if not tariff:
            continue
        eq = r["high_rate_fraction_equation"]
        m = single.search(eq) if r["immersion_type"] == "single" else dual.search(eq)
        if m is None:
            raise SpecTableError(f"Table 13 equation not understood: {eq!r}")
        values = [float(g) if g else 1.0 for g in m.groups()]
        out[(tariff, r["immersion_type"])] = tuple(values)
    return out
