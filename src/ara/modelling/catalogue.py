"""The committed measure cost catalogue (decisions D-0019-0028): 2025/26 UK installed costs per
unit, a fixed cost and a contingency per measure type, each row with its provenance.

A row is ``SOURCED`` (it names the public figure it comes from: URL, publisher, date, the
figure as published, its price base and the rule used to turn it into the row's costs) or
``UNSOURCED`` (an estimate, its ``source`` saying so and what was searched). A row built from
two sources names both, its URLs separated by " ; ".

Price base. The CSV's ``cost_per_unit_gbp`` and ``fixed_cost_gbp`` are the figures as derived
from the source, at the source's price base; ``price_period`` names that base ("2018" a
calendar year, "2018/19" a financial year April to March, "2024-07" one month). The loader
brings them to 2025/26 with the ONS construction output price index for housing repair and
maintenance (``price_index.csv``): index(period) is the mean of its monthly values and

    cost_2025_26 = published figure x index(2025/26) / index(price_period).

The published figures and the factor stay on the entry (``published_*``, ``price_factor``).
A row with an empty ``price_period`` (undated source, or a price base the index does not
cover) is kept at its published figures and marked ``price_factor is None``; a period the
index does not cover raises. Sources and rules: data/measures/README.md."""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

CATALOGUE_FILE = "catalogue_2025_26.csv"
PRICE_INDEX_FILE = "price_index.csv"
#: The price base every adjustable figure is brought to (a financial year, April to March).
TARGET_PRICE_PERIOD = "2025/26"
UNITS = ("m2", "item", "kWp", "dwelling")
SOURCED, UNSOURCED = "SOURCED", "UNSOURCED"
#: What a SOURCED row must name.
PROVENANCE_FIELDS = ("source_url", "publisher", "source_date", "source_figure", "price_base",
                     "adjustment")

#: Heating and hot water options replace the whole system: at most one per package.
HEATING_OPTIONS = ("air_source_heat_pump", "high_heat_retention_storage_heaters",
                   "condensing_gas_boiler", "heating_controls")
HEATING_GROUP = "heating"
#: Other names a heating or hot water measure type goes by (scenario files and callers that
#: name measures generically; decisions D-0019-0028): in the heating group too, as is any type
#: whose name starts with "heating".
HEATING_MEASURE_TYPES: frozenset[str] = frozenset({
    *HEATING_OPTIONS, "heating", "heat_pump", "ashp", "storage_heaters",
    "hhr_storage_heaters", "gas_boiler", "condensing_boiler", "boiler", "boiler_upgrade",
    "controls", "controls_tune_up", "heating_and_hot_water"})
#: Measure types that cannot share a package (same group = mutually exclusive).
EXCLUSIVE_GROUPS: dict[str, str] = {
    **{m: HEATING_GROUP for m in HEATING_OPTIONS},
    "cavity_wall_fill": "walls", "internal_wall_insulation": "walls",
    "external_wall_insulation": "walls",
    "loft_insulation": "roof", "sloping_ceiling_insulation": "roof",
    "flat_roof_insulation": "roof",
    "double_glazing": "glazing", "secondary_glazing": "glazing",
}


@functools.cache
def exclusive_group(measure_type: str) -> str:
    """The group of mutually exclusive measure types this one belongs to: a package holds at
    most one option of each group. The one rule (issue 16) of eligibility, the optimiser (its
    Python search and the group ids of its compiled masks) and the overlays: the groups of
    :data:`EXCLUSIVE_GROUPS` (walls, roof, glazing, heating), every heating or hot water type
    (:data:`HEATING_MEASURE_TYPES`, or named "heating...") in the heating group, and any other
    type a group of its own."""
    group = EXCLUSIVE_GROUPS.get(measure_type)
    if group is not None:
        return group
    if measure_type in HEATING_MEASURE_TYPES or measure_type.startswith("heating"):
        return HEATING_GROUP
    return measure_type


def group_members(group: str) -> tuple[str, ...]:
    """The catalogue's measure types of ``group`` (:data:`EXCLUSIVE_GROUPS` order)."""
    return tuple(m for m, g in EXCLUSIVE_GROUPS.items() if g == group)


def _read_data(name: str, path: str | Path | None) -> str:
    if path is None:
        return resources.files("ara").joinpath("data", "measures", name).read_text(
            encoding="utf-8")
    return Path(path).read_text(encoding="utf-8")


def load_price_index(path: str | Path | None = None) -> dict[str, float]:
    """The monthly price index (``YYYY-MM`` -> value) of ``price_index.csv``."""
    text = _read_data(PRICE_INDEX_FILE, path)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    index: dict[str, float] = {}
    for i, row in enumerate(csv.DictReader(lines), start=1):
        period = row["period"].strip()
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
            raise ValueError(f"price index row {i}: period {period!r} is not YYYY-MM")
        if period in index:
            raise ValueError(f"price index row {i}: duplicate period {period!r}")
        value = float(row["index_2015_100"])
        if not value > 0:
            raise ValueError(f"price index row {i}: value {value} is not positive")
        index[period] = value
    return index


def period_months(period: str) -> list[str]:
    """The months (``YYYY-MM``) a price period covers: "2018" (calendar year), "2018/19"
    (financial year April 2018 to March 2019) or "2024-07" (one month)."""
    if re.fullmatch(r"\d{4}", period):
        y = int(period)
        return [f"{y}-{m:02d}" for m in range(1, 13)]
    fy = re.fullmatch(r"(\d{4})/(\d{2})", period)
    if fy:
        y = int(fy.group(1))
        if (y + 1) % 100 != int(fy.group(2)):
            raise ValueError(f"price period {period!r}: not consecutive years")
        return [f"{y}-{m:02d}" for m in range(4, 13)] + [f"{y + 1}-{m:02d}" for m in range(1, 4)]
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", period):
        return [period]
    raise ValueError(f"price period {period!r} is not YYYY, YYYY/YY or YYYY-MM")


def period_index(index: dict[str, float], period: str) -> float:
    """Mean of the monthly index values of ``period``; every month must be in the index."""
    months = period_months(period)
    missing = [m for m in months if m not in index]
    if missing:
        raise ValueError(f"price period {period!r}: the price index has no value for "
                         f"{missing[0]}" + (f" and {len(missing) - 1} more month(s)"
                                            if len(missing) > 1 else ""))
    return sum(index[m] for m in months) / len(months)


def price_factor(index: dict[str, float], period: str,
                 target: str = TARGET_PRICE_PERIOD) -> float:
    """index(target) / index(period): multiplies a figure at ``period`` prices."""
    return period_index(index, target) / period_index(index, period)


@dataclass(frozen=True)
class CatalogueEntry:
    measure_type: str
    unit: str
    published_cost_per_unit_gbp: float
    """Per-unit figure as derived from the source, at its price base (``price_period``)."""
    published_fixed_cost_gbp: float
    contingency_percent: float
    source: str
    source_status: str = UNSOURCED
    provenance: tuple[tuple[str, str], ...] = ()
    """(field, value) of PROVENANCE_FIELDS for a SOURCED row."""
    price_period: str = ""
    price_factor: float | None = None
    """index(2025/26) / index(price_period); None: not adjusted (no price period)."""

    @property
    def sourced(self) -> bool:
        return self.source_status == SOURCED

    @property
    def adjusted(self) -> bool:
        """Whether the figures were brought to 2025/26 prices by the index."""
        return self.price_factor is not None

    @property
    def cost_per_unit_gbp(self) -> float:
        """Per-unit cost at 2025/26 prices (the published figure if not adjusted)."""
        return self.published_cost_per_unit_gbp * (self.price_factor or 1.0)

    @property
    def fixed_cost_gbp(self) -> float:
        """Fixed cost at 2025/26 prices (the published figure if not adjusted)."""
        return self.published_fixed_cost_gbp * (self.price_factor or 1.0)

    def cost(self, quantity: float) -> float:
        """Installed cost of ``quantity`` units, contingency included."""
        base = self.fixed_cost_gbp + self.cost_per_unit_gbp * max(quantity, 0.0)
        return round(base * (1.0 + self.contingency_percent / 100.0), 2)


class Catalogue:
    def __init__(self, entries: dict[str, CatalogueEntry]) -> None:
        self.entries = dict(entries)

    def __contains__(self, measure_type: object) -> bool:
        return measure_type in self.entries

    def entry(self, measure_type: str) -> CatalogueEntry:
        try:
            return self.entries[measure_type]
        except KeyError:
            raise KeyError(f"measure type {measure_type!r} is not in the catalogue") from None

    def cost(self, measure_type: str, quantity: float) -> float:
        return self.entry(measure_type).cost(quantity)


def load_catalogue(path: str | Path | None = None,
                   index_path: str | Path | None = None) -> Catalogue:
    """Read a catalogue CSV (default: the committed 2025/26 one) and bring each row with a
    ``price_period`` to 2025/26 prices with the price index (default: the committed one);
    malformed rows, and a price period the index does not cover, raise."""
    text = _read_data(CATALOGUE_FILE, path)
    index = load_price_index(index_path)
    entries: dict[str, CatalogueEntry] = {}
    for i, row in enumerate(csv.DictReader(text.splitlines()), start=2):
        unit = row["unit"].strip()
        if unit not in UNITS:
            raise ValueError(f"catalogue line {i}: unit {unit!r} not one of {UNITS}")
        source = (row.get("source") or "").strip()
        if not source:
            raise ValueError(f"catalogue line {i}: no source (mark unsourced rows as such)")
        status = (row.get("source_status") or "").strip()
        provenance = tuple((f, (row.get(f) or "").strip()) for f in PROVENANCE_FIELDS)
        if status == SOURCED:
            missing = [f for f, v in provenance if not v]
            if missing:
                raise ValueError(f"catalogue line {i}: a SOURCED row names its {missing}")
        elif status == UNSOURCED:
            if not source.startswith(UNSOURCED):
                raise ValueError(f"catalogue line {i}: an UNSOURCED row's source says so")
            provenance = ()
        else:
            raise ValueError(f"catalogue line {i}: source_status {status!r} is not "
                             f"{SOURCED} or {UNSOURCED}")
        mt = row["measure_type"].strip()
        if mt in entries:
            raise ValueError(f"catalogue line {i}: duplicate measure type {mt!r}")
        period = (row.get("price_period") or "").strip()
        factor: float | None = None
        if period:
            try:
                factor = price_factor(index, period)
            except ValueError as exc:
                raise ValueError(f"catalogue line {i} ({mt}): {exc}") from None
        elif status == SOURCED and "not adjusted" not in dict(provenance)["adjustment"]:
            raise ValueError(f"catalogue line {i} ({mt}): a SOURCED row without a "
                             f"price_period says why in its adjustment ('not adjusted ...')")
        entries[mt] = CatalogueEntry(mt, unit, float(row["cost_per_unit_gbp"]),
                                     float(row["fixed_cost_gbp"]),
                                     float(row["contingency_percent"]), source, status,
                                     provenance, period, factor)
    return Catalogue(entries)
