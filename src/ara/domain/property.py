"""The Property aggregate (decision D-0002) and the Properties collection services take and
return."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace

from ara.domain.codes import SourcePath
from ara.domain.epc import EpcCertificate, PredictedEpc, SiteNotes
from ara.domain.overrides import NO_OVERRIDES, LandlordOverrides
from ara.domain.performance import PropertyBaselinePerformance
from ara.domain.plans import Plan
from ara.domain.source_path import EffectiveEpc, SourceDecision, resolve_source

_SPACES = re.compile(r"\s+")


def normalise_postcode(postcode: str) -> str:
    """Upper case, one space before the inward code: ``sw1a1aa`` -> ``SW1A 1AA``."""
    compact = _SPACES.sub("", postcode).upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


@dataclass(frozen=True, slots=True)
class Address:
    lines: tuple[str, ...]
    town: str | None = None
    postcode: str | None = None

    def __post_init__(self) -> None:
        if self.postcode is not None:
            object.__setattr__(self, "postcode", normalise_postcode(self.postcode))

    def single_line(self) -> str:
        return ", ".join([*self.lines, *(p for p in (self.town, self.postcode) if p)])


@dataclass(frozen=True, slots=True)
class Coordinates:
    """WGS84 latitude and longitude, degrees."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.latitude) and -90 <= self.latitude <= 90
                and math.isfinite(self.longitude) and -180 <= self.longitude <= 180):
            raise ValueError(f"coordinates out of range: {self.latitude}, {self.longitude}")


@dataclass(frozen=True, slots=True)
class PlanningFlags:
    """Three separate planning restrictions (decision D-0020); they gate different measures."""

    conservation_area: bool = False
    listed_building: bool = False
    heritage_building: bool = False

    @property
    def unrestricted(self) -> bool:
        return not (self.conservation_area or self.listed_building or self.heritage_building)


#: The flags of a UPRN the reference data does not know (decision D-0020).
UNRESTRICTED = PlanningFlags()


@dataclass(frozen=True, slots=True)
class SolarPotential:
    """What the dwelling's own roof can carry (decisions D-0019-0028: never the whole
    building's roof)."""

    roof_area_m2: float
    pitch_deg: float
    azimuth_deg: float
    """Compass bearing the roof faces, degrees clockwise from north."""
    annual_yield_kwh_per_kwp: float
    max_array_kwp: float
    source: str


@dataclass(frozen=True, slots=True)
class Property:
    """One dwelling under modelling: identity, source data, enrichments and outputs."""

    # identity
    property_id: str
    portfolio_id: str
    uprn: int | None
    landlord_reference: str | None
    address: Address
    # source data
    lodged_epc: EpcCertificate | None = None
    site_notes: SiteNotes | None = None
    landlord_overrides: LandlordOverrides = NO_OVERRIDES
    predicted_epc: PredictedEpc | None = None
    # enrichments
    coordinates: Coordinates | None = None
    planning_flags: PlanningFlags = UNRESTRICTED
    solar_potential: SolarPotential | None = None
    # outputs
    baseline: PropertyBaselinePerformance | None = None
    plans: tuple[Plan, ...] = ()

    @property
    def postcode(self) -> str | None:
        return self.address.postcode

    def source_decision(self) -> SourceDecision:
        """The source path, the Effective EPC and the audit of why (decision D-0001)."""
        return resolve_source(site_notes=self.site_notes, lodged_epc=self.lodged_epc,
                              overrides=self.landlord_overrides,
                              predicted_epc=self.predicted_epc)

    @property
    def effective_epc(self) -> EffectiveEpc | None:
        """The assembled description that is scored; None for a defective survey or when
        there is no source (``source_decision()`` says which, and why)."""
        return self.source_decision().effective_epc

    @property
    def source_path(self) -> SourcePath | None:
        return self.source_decision().source_path

    def with_baseline(self, baseline: PropertyBaselinePerformance) -> Property:
        return replace(self, baseline=baseline)

    def with_plans(self, plans: Iterable[Plan]) -> Property:
        plans = tuple(plans)
        stray = [p for p in plans if p.property_id != self.property_id]
        if stray:
            raise ValueError(f"plans of {stray[0].property_id} given to {self.property_id}")
        return replace(self, plans=plans)


class Properties:
    """An ordered collection of properties with unique ids: the unit of bulk work."""

    __slots__ = ("_by_id",)

    def __init__(self, properties: Iterable[Property] = ()) -> None:
        by_id: dict[str, Property] = {}
        for p in properties:
            if p.property_id in by_id:
                raise ValueError(f"property {p.property_id} appears twice")
            by_id[p.property_id] = p
        self._by_id = by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def __iter__(self) -> Iterator[Property]:
        return iter(self._by_id.values())

    def __contains__(self, property_id: object) -> bool:
        return property_id in self._by_id

    def __getitem__(self, property_id: str) -> Property:
        return self._by_id[property_id]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Properties) and list(self) == list(other)

    def __repr__(self) -> str:
        return f"Properties({len(self)} properties)"

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def get(self, property_id: str) -> Property | None:
        return self._by_id.get(property_id)

    def map(self, fn: Callable[[Property], Property]) -> Properties:
        """Apply ``fn`` to each property; ``fn`` must keep the property's id."""
        out = []
        for p in self:
            q = fn(p)
            if q.property_id != p.property_id:
                raise ValueError(f"{p.property_id} became {q.property_id}")
            out.append(q)
        return Properties(out)

    def updated(self, changed: Iterable[Property]) -> Properties:
        """A copy with the given properties replacing those of the same id (in place)."""
        by_id = dict(self._by_id)
        for p in changed:
            if p.property_id not in by_id:
                raise KeyError(f"property {p.property_id} is not in the collection")
            by_id[p.property_id] = p
        return Properties(by_id.values())

    def filter(self, keep: Callable[[Property], bool]) -> Properties:
        return Properties(p for p in self if keep(p))
