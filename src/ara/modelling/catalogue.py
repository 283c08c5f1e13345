"""The committed measure cost catalogue (decisions 0019-0028): 2025/26 UK installed costs per
unit, a fixed cost and a contingency per measure type, each row with its provenance.

A row is ``SOURCED`` (it names the public figure it comes from: URL, publisher, date, the
figure as published, its price base and the rule used to turn it into the row's costs) or
``UNSOURCED`` (an estimate, its ``source`` saying so and what was searched). A row built from
two sources names both, its URLs separated by " ; ". No price index is applied: each figure
stays at its published price base. Sources and the adjustment rules: data/measures/README.md."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

CATALOGUE_FILE = "catalogue_2025_26.csv"
UNITS = ("m2", "item", "kWp", "dwelling")
SOURCED, UNSOURCED = "SOURCED", "UNSOURCED"
#: What a SOURCED row must name.
PROVENANCE_FIELDS = ("source_url", "publisher", "source_date", "source_figure", "price_base",
                     "adjustment")

#: Heating and hot water options replace the whole system: at most one per package.
HEATING_OPTIONS = ("air_source_heat_pump", "high_heat_retention_storage_heaters",
                   "condensing_gas_boiler", "heating_controls")
#: Measure types that cannot share a package (same group = mutually exclusive).
EXCLUSIVE_GROUPS: dict[str, str] = {
    **{m: "heating" for m in HEATING_OPTIONS},
    "cavity_wall_fill": "walls", "internal_wall_insulation": "walls",
    "external_wall_insulation": "walls",
    "loft_insulation": "roof", "sloping_ceiling_insulation": "roof",
    "flat_roof_insulation": "roof",
    "double_glazing": "glazing", "secondary_glazing": "glazing",
}


def exclusive_group(measure_type: str) -> str:
    """The group of mutually exclusive measure types this one belongs to (itself if none)."""
    return EXCLUSIVE_GROUPS.get(measure_type, measure_type)


@dataclass(frozen=True)
class CatalogueEntry:
    measure_type: str
    unit: str
    cost_per_unit_gbp: float
    fixed_cost_gbp: float
    contingency_percent: float
    source: str
    source_status: str = UNSOURCED
    provenance: tuple[tuple[str, str], ...] = ()
    """(field, value) of PROVENANCE_FIELDS for a SOURCED row."""

    @property
    def sourced(self) -> bool:
        return self.source_status == SOURCED

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


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Read a catalogue CSV (default: the committed 2025/26 one); malformed rows raise."""
    if path is None:
        text = resources.files("ara").joinpath("data", "measures", CATALOGUE_FILE).read_text(
            encoding="utf-8")
    else:
        text = Path(path).read_text(encoding="utf-8")
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
        entries[mt] = CatalogueEntry(mt, unit, float(row["cost_per_unit_gbp"]),
                                     float(row["fixed_cost_gbp"]),
                                     float(row["contingency_percent"]), source, status,
                                     provenance)
    return Catalogue(entries)
