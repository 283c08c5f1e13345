"""The domain: the Property aggregate, its value types and code enumerations. No I/O."""

from ara.domain.codes import (
    Band,
    BuiltForm,
    PropertyType,
    RebaselineReason,
    RoofInsulation,
    SourcePath,
    SourceStatus,
    WallConstruction,
    WallInsulation,
)
from ara.domain.epc import (
    EpcCertificate,
    EpcData,
    FieldAssignment,
    OverlayError,
    OverlayScope,
    PredictedEpc,
    SiteNotes,
    SurveyDefect,
    survey_defects,
)
from ara.domain.failures import StageFailure
from ara.domain.overrides import (
    NO_OVERRIDES,
    LandlordOverrides,
    LandlordOverridesFile,
    OverrideProblem,
    OverrideRow,
    parse_landlord_overrides,
)
from ara.domain.performance import (
    Bill,
    EndUseKwh,
    Performance,
    PropertyBaselinePerformance,
    UnpricedBill,
    rebaseline_reason,
)
from ara.domain.plans import (
    PhaseGoal,
    Plan,
    PlanMeasure,
    PlanPhase,
    PlanRejection,
    PlanState,
    Scenario,
    ScenarioPhase,
)
from ara.domain.property import (
    UNRESTRICTED,
    Address,
    Coordinates,
    PlanningFlags,
    Properties,
    Property,
    SolarPotential,
)
from ara.domain.source_path import EffectiveEpc, SourceDecision, resolve_source

__all__ = [
    "NO_OVERRIDES", "UNRESTRICTED", "Address", "Band", "Bill", "BuiltForm", "Coordinates",
    "EffectiveEpc", "EndUseKwh", "EpcCertificate", "EpcData", "FieldAssignment",
    "LandlordOverrides", "LandlordOverridesFile", "OverlayError", "OverlayScope",
    "OverrideProblem", "OverrideRow", "Performance", "PhaseGoal", "Plan", "PlanMeasure",
    "PlanPhase", "PlanRejection", "PlanState",
    "PlanningFlags", "PredictedEpc", "Properties", "Property", "PropertyBaselinePerformance",
    "PropertyType", "RebaselineReason", "RoofInsulation", "Scenario", "ScenarioPhase",
    "SiteNotes", "SolarPotential", "SourceDecision", "SourcePath", "SourceStatus",
    "StageFailure", "SurveyDefect", "UnpricedBill", "WallConstruction", "WallInsulation",
    "parse_landlord_overrides", "rebaseline_reason", "resolve_source", "survey_defects",
]
