"""Code enumerations of the domain: source paths, rebaseline reasons, energy bands and the
RdSAP codes that Landlord Overrides can set.

The RdSAP codes are those of the register schema ``RdSAP-Schema-21.0.1`` (``SAP-Domains.xsd``);
the enum values are the codes exactly as the register's certificate JSON carries them, so an
overlay writes a value the RdSAP readers already understand.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class SourcePath(StrEnum):
    """Which data a property is modelled from (decision D-0001)."""

    SURVEY = "survey"
    """Site Notes alone: the landlord's own full RdSAP survey."""
    EPC_WITH_OVERLAY = "epc_with_overlay"
    """The lodged EPC with the Landlord Overrides applied on top (possibly none)."""
    PREDICTED = "predicted"
    """An EPC synthesised from comparable properties, only when neither of the others exists."""


class SourceStatus(StrEnum):
    """Whether a property's source data resolved to an Effective EPC that can be scored."""

    RESOLVED = "resolved"
    DEFECTIVE_SURVEY = "defective_survey"
    """The survey won, but has gaps: reported, never patched from the EPC."""
    NO_SOURCE = "no_source"
    """No survey, no lodged EPC and no prediction."""


class RebaselineReason(StrEnum):
    """Why the Effective performance differs from the Lodged one (decision D-0004)."""

    NONE = "none"
    PRE_SAP10 = "pre_sap10"
    PHYSICAL_STATE_CHANGED = "physical_state_changed"
    BOTH = "both"

    @classmethod
    def from_triggers(cls, *, pre_sap10: bool, physical_state_changed: bool) -> RebaselineReason:
        if pre_sap10 and physical_state_changed:
            return cls.BOTH
        if pre_sap10:
            return cls.PRE_SAP10
        if physical_state_changed:
            return cls.PHYSICAL_STATE_CHANGED
        return cls.NONE


class Band(StrEnum):
    """SAP 10.2 energy efficiency band, from the integer SAP rating (SAP 10.2 Table 14)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"
    E = "E"
    F = "F"
    G = "G"

    @classmethod
    def for_sap(cls, sap_score: int) -> Band:
        """The band of an integer SAP rating: A 92+, B 81-91, C 69-80, D 55-68, E 39-54,
        F 21-38, G 1-20 (a rating below 1 is still G)."""
        for floor, band in _BAND_FLOORS:
            if sap_score >= floor:
                return band
        return cls.G

    @property
    def floor(self) -> int:
        """The lowest integer SAP rating in the band."""
        return dict((band, floor) for floor, band in _BAND_FLOORS)[self]


_BAND_FLOORS: tuple[tuple[int, Band], ...] = (
    (92, Band.A), (81, Band.B), (69, Band.C), (55, Band.D), (39, Band.E), (21, Band.F),
    (1, Band.G),
)


class PropertyType(IntEnum):
    """RdSAP ``PropertyTypeCode``; register JSON key ``property_type``."""

    HOUSE = 0
    BUNGALOW = 1
    FLAT = 2
    MAISONETTE = 3
    PARK_HOME = 4


class BuiltForm(IntEnum):
    """RdSAP ``SAP-BuiltFormCode``; register JSON key ``built_form``."""

    DETACHED = 1
    SEMI_DETACHED = 2
    END_TERRACE = 3
    MID_TERRACE = 4
    ENCLOSED_END_TERRACE = 5
    ENCLOSED_MID_TERRACE = 6


class WallConstruction(IntEnum):
    """RdSAP ``WallConstructionCode``; key ``wall_construction`` of a building part."""

    STONE_GRANITE_OR_WHINSTONE = 1
    STONE_SANDSTONE_OR_LIMESTONE = 2
    SOLID_BRICK = 3
    CAVITY = 4
    TIMBER_FRAME = 5
    BASEMENT = 6
    CURTAIN = 7
    SYSTEM_BUILT = 8
    COB = 9
    PARK_HOME = 10


class WallInsulation(IntEnum):
    """RdSAP ``WallInsulationCode``; key ``wall_insulation_type`` of a building part. Code 5
    (unknown) is deliberately absent: an unknown is never an override."""

    EXTERNAL = 1
    FILLED_CAVITY = 2
    INTERNAL = 3
    AS_BUILT = 4
    FILLED_CAVITY_AND_EXTERNAL = 6
    FILLED_CAVITY_AND_INTERNAL = 7


class RoofInsulation(StrEnum):
    """RdSAP ``RoofInsulationThicknessCode``; key ``roof_insulation_thickness`` of a building
    part. ``NI`` (unknown) and ``ND`` (not defined) are deliberately absent."""

    NONE = "0"
    MM_12 = "12mm"
    MM_25 = "25mm"
    MM_50 = "50mm"
    MM_75 = "75mm"
    MM_100 = "100mm"
    MM_125 = "125mm"
    MM_150 = "150mm"
    MM_175 = "175mm"
    MM_200 = "200mm"
    MM_225 = "225mm"
    MM_250 = "250mm"
    MM_270 = "270mm"
    MM_300 = "300mm"
    MM_350 = "350mm"
    MM_400_PLUS = "400mm+"


class FloorConstruction(IntEnum):
    """RdSAP ``SAP-FloorConstructionCode``; key ``floor_construction`` of a building part's
    lowest storey (``floor_dimensions``). Code 0 (unknown) is deliberately absent."""

    SOLID = 1
    SUSPENDED_TIMBER = 2
    SUSPENDED_NOT_TIMBER = 3
    BASEMENT = 4


class FloorInsulation(IntEnum):
    """RdSAP ``SAP-FloorInsulationCode``; key ``floor_insulation`` of a building part's lowest
    storey. Code 0 (unknown) is deliberately absent."""

    AS_BUILT = 1
    RETRO_FITTED = 2


class GlazingType(IntEnum):
    """RdSAP ``SAP-GlazingTypeCode``; key ``glazing_type`` of each window (and the dwelling's
    ``multiple_glazing_type``). The periods are those of England and Wales (Scotland 2003 /
    2023, Northern Ireland 2006 / 2022). The 'known data' codes 7, 8 and 15 need the window's
    own U-value and g-value: they are listed (a lodged window may hold them) but never set by
    an override."""

    DOUBLE_BEFORE_2002 = 1
    DOUBLE_2002_TO_2022 = 2
    DOUBLE_UNKNOWN_DATE = 3
    SECONDARY = 4
    SINGLE = 5
    TRIPLE_UNKNOWN_DATE = 6
    DOUBLE_KNOWN_DATA = 7
    TRIPLE_KNOWN_DATA = 8
    TRIPLE_2002_TO_2022 = 9
    TRIPLE_BEFORE_2002 = 10
    SECONDARY_NORMAL_EMISSIVITY = 11
    SECONDARY_LOW_EMISSIVITY = 12
    DOUBLE_2022_OR_LATER = 13
    TRIPLE_2022_OR_LATER = 14
    SINGLE_KNOWN_DATA = 15


class MainFuel(IntEnum):
    """RdSAP ``HeatingFuelTypeCode`` of an individual (not community) main heating system;
    key ``main_fuel_type`` of main heating system 1. Community fuels (heat networks), the
    backwards-compatibility codes and the secondary-heating-only fuels are absent."""

    BOTTLED_LPG = 3
    ANTHRACITE = 5
    WOOD_LOGS = 6
    BULK_WOOD_PELLETS = 7
    WOOD_CHIPS = 8
    DUAL_FUEL = 9
    SMOKELESS_COAL = 15
    LPG_SPECIAL_CONDITION = 17
    B30K = 18
    BIOETHANOL = 19
    MAINS_GAS = 26
    LPG = 27
    OIL = 28
    ELECTRICITY = 29
    HOUSE_COAL = 33
    BIODIESEL_ANY_BIOMASS = 34
    BIODIESEL_USED_COOKING_OIL = 35
    BIODIESEL_VEGETABLE_OIL = 36
    MINERAL_OIL_OR_LIQUID_BIOFUEL = 37
    BIOGAS = 51


class MainHeating(IntEnum):
    """The SAP 10.2 Table 4a / 4b code (``SAP-Main-Heating-Code``) of a main heating system
    an override can set: only systems Ara can write as a whole (category, fuel, water
    heating, controls; ``ara.domain.overrides.HEATING_SYSTEMS``)."""

    REGULAR_CONDENSING_BOILER_GAS = 102
    CONDENSING_COMBI_GAS = 104
    REGULAR_CONDENSING_BOILER_OIL = 127
    CONDENSING_COMBI_OIL = 130
    GROUND_SOURCE_HEAT_PUMP = 221
    AIR_SOURCE_HEAT_PUMP = 224
    HIGH_HEAT_RETENTION_STORAGE_HEATERS = 409
    ELECTRIC_PANEL_CONVECTOR_OR_RADIANT_HEATERS = 691
