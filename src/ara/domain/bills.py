"""Bills at real fuel rates (decision D-0014; docs/decisions/0009).

    bill = sum over end uses of delivered kWh x the unit rate of the end use's fuel
         - PV used in the dwelling x the unit rate of the electricity it displaces
         + one standing charge per distinct meter the dwelling uses (365 x daily)
         - PV exported x the export credit

Prices come from a dated, committed Fuel Rates snapshot (``src/ara/data/fuel_rates/``,
:class:`FuelRates`); a fuel the snapshot does not price raises :class:`UnpricedFuelError`,
naming each property and fuel, and is never defaulted. :func:`compute_bills` works on a whole
Arrow table of calculator outputs (``ara.sap.OUTPUT_SCHEMA``) at once, in NumPy.

A fuel "is used" by an end use when its delivered kWh is above zero; the meters of the fuels
used decide the standing charges (an electricity meter for standard-tariff electricity, a gas
meter for mains gas; fuels bought in deliveries have none).
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Where the committed snapshots live.
FUEL_RATES_DIR = Path(__file__).resolve().parents[1] / "data" / "fuel_rates"
DAYS_PER_YEAR = 365
#: Table 12 fuel codes are below this.
MAX_FUEL_CODE = 100


@dataclass(frozen=True, slots=True)
class BilledEndUse:
    """An end use of the calculator's output: its kWh column and the column of its fuel."""

    name: str
    kwh_column: str
    fuel_column: str


#: The end uses billed, in ``ara.sap.OUTPUT_SCHEMA`` column names (worksheet lines in
#: brackets): (211), (213), (215), (219), (231), (232), Appendix L appliances and cooking,
#: (64a).
END_USES: tuple[BilledEndUse, ...] = (
    BilledEndUse("space_heating_main1", "space_heating_fuel_main1_kwh", "fuel_main1"),
    BilledEndUse("space_heating_main2", "space_heating_fuel_main2_kwh", "fuel_main2"),
    BilledEndUse("space_heating_secondary", "space_heating_fuel_secondary_kwh",
                 "fuel_secondary"),
    BilledEndUse("water_heating", "water_heating_fuel_kwh", "fuel_water"),
    BilledEndUse("pumps_fans", "pumps_fans_kwh", "fuel_electricity"),
    BilledEndUse("lighting", "lighting_kwh", "fuel_electricity"),
    BilledEndUse("appliances", "appliances_kwh", "fuel_electricity"),
    BilledEndUse("cooking", "cooking_kwh", "fuel_electricity"),
    BilledEndUse("electric_shower", "electric_shower_kwh", "fuel_electricity"),
)
#: PV generation used in the dwelling (233a): electricity not bought, credited at the rate of
#: the dwelling's electricity.
PV_USED = BilledEndUse("pv_used_in_dwelling", "pv_used_in_dwelling_kwh", "fuel_electricity")
#: PV generation exported (233b), credited at the snapshot's export rate.
PV_EXPORTED_COLUMN = "pv_exported_kwh"

BILL_TOTAL_COLUMNS: tuple[str, ...] = (
    "bill_energy_charges_gbp", "bill_standing_charges_gbp", "bill_export_credit_gbp",
    "bill_total_gbp")

#: One row per property: the cost of each end use (PV used is a negative cost), the totals
#: (as in ``baseline_performance``) and the snapshot they were priced at.
BILL_SCHEMA = pa.schema([
    pa.field("property_id", pa.string(), nullable=False),
    *(pa.field(f"{u.name}_gbp", pa.float64(), nullable=False) for u in (*END_USES, PV_USED)),
    *(pa.field(c, pa.float64(), nullable=False) for c in BILL_TOTAL_COLUMNS),
    pa.field("fuel_rates_snapshot", pa.string(), nullable=False),
])


class FuelRatesError(ValueError):
    """A Fuel Rates snapshot that is missing or malformed."""


class UnpricedFuelError(ValueError):
    """Dwellings use a fuel the snapshot does not price. ``problems`` holds every
    (property id, end use, fuel code)."""

    def __init__(self, snapshot: str, problems: Sequence[tuple[str, str, int]]) -> None:
        self.snapshot = snapshot
        self.problems = list(problems)
        codes = sorted({code for _, _, code in self.problems})
        shown = "; ".join(f"property {pid}: {use} uses fuel {code}"
                          for pid, use, code in self.problems[:10])
        more = len(self.problems) - 10
        super().__init__(
            f"Fuel Rates snapshot {snapshot} has no price for fuel code(s) {codes}: "
            f"{shown}" + (f"; and {more} more" if more > 0 else ""))


@dataclass(frozen=True, slots=True)
class FuelRate:
    """One row of a snapshot."""

    fuel: str
    sap_fuel_codes: tuple[int, ...]
    """SAP 10.2 Table 12 fuel codes priced by this row."""
    meter: str | None
    """Rows with the same meter share one standing charge; None for export."""
    kind: str
    """``import`` or ``export``."""
    unit_rate_p_per_kwh: float
    standing_charge_p_per_day: float
    source: str
    as_of: date

    def __post_init__(self) -> None:
        if self.kind not in ("import", "export"):
            raise FuelRatesError(f"{self.fuel}: kind must be import or export")
        for name in ("unit_rate_p_per_kwh", "standing_charge_p_per_day"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise FuelRatesError(f"{self.fuel}: {name} must be a finite number >= 0")
        if not self.sap_fuel_codes or any(not 0 < c < MAX_FUEL_CODE
                                           for c in self.sap_fuel_codes):
            raise FuelRatesError(f"{self.fuel}: sap_fuel_codes must be Table 12 codes 1-99")
        if self.kind == "import" and not self.meter:
            raise FuelRatesError(f"{self.fuel}: an import row needs a meter")


@dataclass(frozen=True)
class FuelRates:
    """A dated snapshot of fuel prices: unit rates and standing charges per fuel, and the
    export credit."""

    snapshot: str
    """Identifier stored with every bill (``baseline_performance.fuel_rates_snapshot``)."""
    rates: tuple[FuelRate, ...]

    def __post_init__(self) -> None:
        seen: dict[int, str] = {}
        for r in self.rates:
            for code in r.sap_fuel_codes:
                if code in seen:
                    raise FuelRatesError(f"snapshot {self.snapshot}: fuel code {code} is "
                                         f"priced by both {seen[code]} and {r.fuel}")
                seen[code] = r.fuel
        if sum(r.kind == "export" for r in self.rates) > 1:
            raise FuelRatesError(f"snapshot {self.snapshot}: more than one export row")
        charges: dict[str, float] = {}
        for r in self.imports:
            assert r.meter is not None
            if charges.setdefault(r.meter, r.standing_charge_p_per_day) \
                    != r.standing_charge_p_per_day:
                raise FuelRatesError(f"snapshot {self.snapshot}: meter {r.meter} has two "
                                     f"standing charges")

    @property
    def imports(self) -> tuple[FuelRate, ...]:
        return tuple(r for r in self.rates if r.kind == "import")

    @property
    def export(self) -> FuelRate | None:
        return next((r for r in self.rates if r.kind == "export"), None)

    def rate_for(self, fuel_code: int) -> FuelRate | None:
        """The import row pricing a Table 12 fuel code, if any."""
        return next((r for r in self.imports if fuel_code in r.sap_fuel_codes), None)

    # ------------------------------------------------------------------ loading
    @classmethod
    def load(cls, which: date | datetime | str | os.PathLike[str] | None = None, *,
             directory: Path = FUEL_RATES_DIR) -> FuelRates:
        """A snapshot: ``None`` -> the newest; a date (or ``YYYY-MM-DD``) -> the latest
        snapshot on or before it; a path -> that file."""
        if which is None or isinstance(which, (date, datetime)) or (
                isinstance(which, str) and _iso_date(which) is not None):
            on = None if which is None else (
                which.date() if isinstance(which, datetime)
                else which if isinstance(which, date) else _iso_date(which))
            return cls.read(_snapshot_file(directory, on))
        return cls.read(Path(which))

    @classmethod
    def read(cls, path: Path) -> FuelRates:
        """Parse one snapshot file (``#`` lines first, then the CSV)."""
        if not path.is_file():
            raise FuelRatesError(f"no Fuel Rates snapshot at {path}")
        text = path.read_text(encoding="utf-8")
        body = "\n".join(line for line in text.splitlines() if not line.startswith("#"))
        rows = []
        for number, r in enumerate(csv.DictReader(io.StringIO(body)), start=1):
            try:
                rows.append(FuelRate(
                    fuel=r["fuel"].strip(),
                    sap_fuel_codes=tuple(int(c) for c in r["sap_fuel_codes"].split()),
                    meter=(r["meter"] or "").strip() or None,
                    kind=r["kind"].strip(),
                    unit_rate_p_per_kwh=float(r["unit_rate_p_per_kwh"]),
                    standing_charge_p_per_day=float(r["standing_charge_p_per_day"] or 0.0),
                    source=r["source"].strip(),
                    as_of=date.fromisoformat(r["as_of"].strip())))
            except (KeyError, ValueError, AttributeError) as error:
                raise FuelRatesError(f"{path}: row {number}: {error}") from error
        if not rows:
            raise FuelRatesError(f"{path}: no rates")
        return cls(snapshot=path.stem, rates=tuple(rows))

    # ------------------------------------------------------------------ dense lookups
    def unit_rates_p_per_kwh(self) -> np.ndarray:
        """Import unit rate per Table 12 code (index = code), NaN where unpriced."""
        out = np.full(MAX_FUEL_CODE, np.nan)
        for r in self.imports:
            out[list(r.sap_fuel_codes)] = r.unit_rate_p_per_kwh
        return out

    def meters(self) -> tuple[np.ndarray, np.ndarray]:
        """(meter index per Table 12 code, -1 where none; standing charge per meter, GBP/yr)."""
        names = sorted({r.meter for r in self.imports if r.meter is not None})
        index = np.full(MAX_FUEL_CODE, -1, dtype=np.int64)
        charges = np.zeros(len(names))
        for r in self.imports:
            assert r.meter is not None
            m = names.index(r.meter)
            index[list(r.sap_fuel_codes)] = m
            charges[m] = DAYS_PER_YEAR * r.standing_charge_p_per_day / 100.0
        return index, charges


def _iso_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def snapshot_dates(directory: Path = FUEL_RATES_DIR) -> list[date]:
    """The dates of the committed snapshots, ascending."""
    found = (_iso_date(p.stem) for p in directory.glob("*.csv"))
    return sorted(d for d in found if d is not None)


def _snapshot_file(directory: Path, on: date | None) -> Path:
    dates = snapshot_dates(directory)
    eligible = [d for d in dates if on is None or d <= on]
    if not eligible:
        raise FuelRatesError(f"no Fuel Rates snapshot in {directory}"
                             + (f" on or before {on}" if on else ""))
    return directory / f"{eligible[-1].isoformat()}.csv"


# ---------------------------------------------------------------------------------------------
# Vectorised billing
# ---------------------------------------------------------------------------------------------

def _float_column(table: pa.Table, name: str) -> np.ndarray:
    column = table.column(name)
    if column.null_count:
        raise ValueError(f"column {name} has {column.null_count} null value(s)")
    return np.asarray(column.to_numpy(), dtype=np.float64)


def _code_column(table: pa.Table, name: str) -> np.ndarray:
    column = table.column(name)
    if column.null_count:
        raise ValueError(f"column {name} has {column.null_count} null value(s)")
    return np.asarray(column.to_numpy(), dtype=np.int64)


def _check_rows(table: pa.Table, ids: pa.ChunkedArray) -> None:
    if "status" in table.column_names:
        bad = pc.not_equal(table.column("status"), "ok")
        if pc.any(bad).as_py():
            raise ValueError(f"{pc.sum(bad).as_py()} calculator row(s) are not ok and cannot "
                             f"be billed: {pc.filter(ids, bad).to_pylist()[:10]}")


def _bill_columns(outputs: pa.Table, rates: FuelRates, id_column: str
                  ) -> tuple[list[pa.Array], np.ndarray, list[tuple[int, str, int]]]:
    """The ``BILL_SCHEMA`` columns of every row (as if every fuel were priced), which rows
    cannot be priced, and the (row, end use, fuel code) of each unpriced use."""
    ids = outputs.column(id_column).cast(pa.string())
    _check_rows(outputs, ids)
    n = outputs.num_rows
    unit_rate = rates.unit_rates_p_per_kwh()
    meter_of, standing_per_meter = rates.meters()

    uses = (*END_USES, PV_USED)
    kwh = np.vstack([_float_column(outputs, u.kwh_column) for u in uses]) if n \
        else np.zeros((len(uses), 0))
    codes = np.vstack([_code_column(outputs, u.fuel_column) for u in uses]) if n \
        else np.zeros((len(uses), 0), dtype=np.int64)
    in_range = (codes >= 0) & (codes < MAX_FUEL_CODE)
    safe = np.where(in_range, codes, 0)
    rate = np.where(in_range, unit_rate[safe], np.nan)
    used = kwh > 0
    exported = _float_column(outputs, PV_EXPORTED_COLUMN) if n else np.zeros(0)
    export = rates.export

    unpriced = used & ~np.isfinite(rate)
    no_export = (exported > 0) if export is None else np.zeros(n, dtype=bool)
    problems = [(int(i), uses[j].name, int(codes[j, i]))
                for j, i in zip(*np.nonzero(unpriced), strict=True)]
    problems += [(int(i), "pv_exported", 60) for i in np.nonzero(no_export)[0]]
    bad = unpriced.any(axis=0) | no_export

    cost = np.where(used, kwh * np.nan_to_num(rate) / 100.0, 0.0)
    cost[-1] = -cost[-1]  # PV used in the dwelling: electricity not bought
    energy = cost.sum(axis=0)

    meters_used = np.zeros((n, len(standing_per_meter)), dtype=bool)
    meter = np.where(in_range, meter_of[safe], -1)
    for j in range(len(END_USES)):  # PV used does not make a meter
        rows = np.nonzero(used[j] & (meter[j] >= 0))[0]
        meters_used[rows, meter[j, rows]] = True
    standing = meters_used.astype(np.float64) @ standing_per_meter
    credit = exported * (0.0 if export is None else export.unit_rate_p_per_kwh) / 100.0
    total = energy + standing - credit

    arrays = [ids.combine_chunks(),
              *(pa.array(cost[j]) for j in range(len(uses))),
              pa.array(energy), pa.array(standing), pa.array(credit), pa.array(total),
              pa.repeat(pa.scalar(rates.snapshot, pa.string()), n)]
    return arrays, bad, problems


def compute_bills(outputs: pa.Table, rates: FuelRates, *,
                  id_column: str = "dwelling_id") -> pa.Table:
    """The bill of every dwelling of ``outputs`` (``ara.sap.OUTPUT_SCHEMA`` rows), as
    ``BILL_SCHEMA`` rows in the same order. Raises :class:`UnpricedFuelError` naming every
    property and fuel without a price, and ``ValueError`` for rows the calculator rejected."""
    arrays, _bad, problems = _bill_columns(outputs, rates, id_column)
    if problems:
        ids = arrays[0]
        named = sorted(((ids[i].as_py(), use, code) for i, use, code in problems),
                       key=lambda p: (p[0], p[1]))
        raise UnpricedFuelError(rates.snapshot, named)
    return pa.Table.from_arrays(arrays, schema=BILL_SCHEMA)


#: ``BILL_SCHEMA`` with nullable amounts and the reason a row could not be priced.
BILL_OR_UNPRICED_SCHEMA = pa.schema([
    *(f.with_nullable(f.name not in ("property_id", "fuel_rates_snapshot"))
      for f in BILL_SCHEMA),
    pa.field("bill_unpriced_reason", pa.string(), nullable=True),
])


def compute_bills_or_unpriced(outputs: pa.Table, rates: FuelRates, *,
                              id_column: str = "dwelling_id") -> pa.Table:
    """:func:`compute_bills` row by row (ids may repeat): a row using a fuel the snapshot
    cannot price gets null amounts and ``bill_unpriced_reason`` naming each end use and
    fuel, never a default price (decision 0017). ``BILL_OR_UNPRICED_SCHEMA`` rows in the
    order of ``outputs``."""
    arrays, bad, problems = _bill_columns(outputs, rates, id_column)
    uses: dict[int, list[str]] = {}
    for i, use, code in sorted(problems, key=lambda p: (p[0], p[1])):
        uses.setdefault(i, []).append(f"{use} uses fuel {code}")
    reasons: list[str | None] = [None] * outputs.num_rows
    for i, u in uses.items():
        reasons[i] = "; ".join(u) + f": not priced by Fuel Rates snapshot {rates.snapshot}"
    mask = pa.array(bad)
    columns = [arrays[0]]
    for array in arrays[1:-1]:
        columns.append(pc.if_else(mask, pa.scalar(None, pa.float64()), array))
    columns += [arrays[-1], pa.array(reasons, pa.string())]
    return pa.Table.from_arrays(columns, schema=BILL_OR_UNPRICED_SCHEMA)


def fuel_codes_used(outputs: pa.Table) -> list[int]:
    """The distinct Table 12 codes the rows' end uses burn (kWh > 0): what a snapshot must
    price to bill them."""
    found: set[int] = set()
    for u in (*END_USES, PV_USED):
        used = pc.greater(outputs.column(u.kwh_column), 0)
        found.update(int(c) for c in pc.unique(
            outputs.column(u.fuel_column).filter(used)).to_pylist() if c is not None)
    return sorted(found)


__all__ = ["BILL_OR_UNPRICED_SCHEMA", "BILL_SCHEMA", "BILL_TOTAL_COLUMNS", "DAYS_PER_YEAR",
           "END_USES", "FUEL_RATES_DIR", "PV_EXPORTED_COLUMN", "PV_USED", "BilledEndUse",
           "FuelRate", "FuelRates", "FuelRatesError", "UnpricedFuelError", "compute_bills",
           "compute_bills_or_unpriced", "fuel_codes_used", "snapshot_dates"]
