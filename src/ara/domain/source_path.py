"""Which data a property is modelled from (decision D-0001), with the audit of why.

Exactly one source, never a per-field mix:

* **survey**: the Site Notes alone, when there is a survey and no lodged EPC, or the survey
  is at least as recent as the EPC (the Recency Tie-Break: survey date against the EPC's
  inspection date, the date its data describes; the survey wins a tie). A survey with gaps
  is reported as defective and yields no Effective EPC: it is never patched from the EPC,
  and the EPC does not silently take over either ("if we surveyed it, trust the survey").
* **epc_with_overlay**: the lodged EPC with the Landlord Overrides written over it, when
  there is an EPC and no survey, or the EPC is newer than the survey.
* **predicted**: the predicted EPC, only when there is neither a survey nor a lodged EPC.
  Landlord Overrides overlay a lodged EPC only and are not applied to a prediction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from ara.domain.codes import SourcePath, SourceStatus
from ara.domain.epc import (
    EpcCertificate,
    EpcData,
    FieldAssignment,
    PredictedEpc,
    SiteNotes,
    SurveyDefect,
    survey_defects,
)
from ara.domain.overrides import NO_OVERRIDES, LandlordOverrides


@dataclass(frozen=True, slots=True)
class EffectiveEpc:
    """The assembled physical description that is scored."""

    source_path: SourcePath
    data: EpcData
    as_of: date
    """The date the description holds at: survey date, inspection date or prediction date."""
    certificate_number: str | None = None
    """The lodged certificate it was built from (``epc_with_overlay``)."""
    survey_id: str | None = None
    """The survey it is (``survey``)."""
    overlay: tuple[FieldAssignment, ...] = ()
    """The Landlord Overrides written over the EPC (``epc_with_overlay``), in order."""

    @property
    def overlay_applied(self) -> bool:
        return bool(self.overlay)


@dataclass(frozen=True, slots=True)
class SourceDecision:
    """The outcome of resolving a property's sources, with its audit trail."""

    status: SourceStatus
    source_path: SourcePath | None
    """The chosen path; None only when there is no source at all."""
    effective_epc: EffectiveEpc | None
    """None when the status is not ``resolved``."""
    reasons: tuple[str, ...]
    """Why this path, in the order the rules were applied: the audit."""
    defects: tuple[SurveyDefect, ...] = ()
    """The gaps of a defective survey."""

    @property
    def audit(self) -> str:
        return "; ".join(self.reasons)


def _describe_overlay(overrides: LandlordOverrides) -> str:
    parts = []
    for name in overrides.stated():
        value = getattr(overrides, name)
        parts.append(f"{name}={value.name.lower()}")
    return ", ".join(parts)


def resolve_source(*, site_notes: SiteNotes | None, lodged_epc: EpcCertificate | None,
                   overrides: LandlordOverrides = NO_OVERRIDES,
                   predicted_epc: PredictedEpc | None = None) -> SourceDecision:
    """Choose the source path and assemble the Effective EPC (see the module docstring)."""
    reasons: list[str] = []
    if site_notes is not None and lodged_epc is not None:
        survey_on, epc_on = site_notes.survey_date, lodged_epc.physical_state_date
        if survey_on >= epc_on:
            relation = "the same day as" if survey_on == epc_on else "newer than"
            reasons.append(
                f"recency tie-break: survey {site_notes.survey_id} of {survey_on} is "
                f"{relation} EPC {lodged_epc.certificate_number} inspected {epc_on}: "
                "survey wins")
            return _from_survey(site_notes, overrides, predicted_epc, reasons)
        reasons.append(
            f"recency tie-break: EPC {lodged_epc.certificate_number} inspected {epc_on} is "
            f"newer than survey {site_notes.survey_id} of {survey_on}: EPC wins, survey not "
            "used")
        return _from_epc(lodged_epc, overrides, predicted_epc, reasons)
    if site_notes is not None:
        reasons.append(f"survey {site_notes.survey_id} of {site_notes.survey_date}; "
                       "no lodged EPC")
        return _from_survey(site_notes, overrides, predicted_epc, reasons)
    if lodged_epc is not None:
        reasons.append(f"lodged EPC {lodged_epc.certificate_number} inspected "
                       f"{lodged_epc.inspection_date}; no survey")
        return _from_epc(lodged_epc, overrides, predicted_epc, reasons)
    if predicted_epc is not None:
        reasons.append(
            f"no survey and no lodged EPC: predicted EPC ({predicted_epc.method}, "
            f"{predicted_epc.predicted_on}, from {len(predicted_epc.comparable_certificates)} "
            "comparable certificates)")
        if not overrides.is_empty:
            reasons.append(f"landlord overrides not applied ({_describe_overlay(overrides)}): "
                           "they overlay a lodged EPC only")
        effective = EffectiveEpc(SourcePath.PREDICTED, predicted_epc.data,
                                 predicted_epc.predicted_on)
        return SourceDecision(SourceStatus.RESOLVED, SourcePath.PREDICTED, effective,
                              tuple(reasons))
    reasons.append("no survey, no lodged EPC and no predicted EPC")
    if not overrides.is_empty:
        reasons.append(f"landlord overrides not applied ({_describe_overlay(overrides)}): "
                       "nothing to overlay")
    return SourceDecision(SourceStatus.NO_SOURCE, None, None, tuple(reasons))


def _from_survey(site_notes: SiteNotes, overrides: LandlordOverrides,
                 predicted_epc: PredictedEpc | None, reasons: list[str]) -> SourceDecision:
    if not overrides.is_empty:
        reasons.append(f"landlord overrides not applied ({_describe_overlay(overrides)}): "
                       "a survey is used alone")
    if predicted_epc is not None:
        reasons.append("predicted EPC not used: a survey exists")
    defects = survey_defects(site_notes.data)
    if defects:
        reasons.append(f"survey {site_notes.survey_id} is defective, {len(defects)} gap(s): "
                       f"{', '.join(d.field_path for d in defects)}; reported, not patched "
                       "from the EPC")
        return SourceDecision(SourceStatus.DEFECTIVE_SURVEY, SourcePath.SURVEY, None,
                              tuple(reasons), defects)
    effective = EffectiveEpc(SourcePath.SURVEY, site_notes.data, site_notes.survey_date,
                             survey_id=site_notes.survey_id)
    return SourceDecision(SourceStatus.RESOLVED, SourcePath.SURVEY, effective, tuple(reasons))


def _from_epc(epc: EpcCertificate, overrides: LandlordOverrides,
              predicted_epc: PredictedEpc | None, reasons: list[str]) -> SourceDecision:
    overlay = overrides.as_overlay(epc.data)
    if overlay:
        reasons.append(f"landlord overrides applied as an overlay: {_describe_overlay(overrides)}")
    else:
        reasons.append("no landlord overrides: the lodged data as it is")
    if predicted_epc is not None:
        reasons.append("predicted EPC not used: a lodged EPC exists")
    effective = EffectiveEpc(SourcePath.EPC_WITH_OVERLAY, epc.data.with_overlay(overlay),
                             epc.inspection_date, certificate_number=epc.certificate_number,
                             overlay=overlay)
    return SourceDecision(SourceStatus.RESOLVED, SourcePath.EPC_WITH_OVERLAY, effective,
                          tuple(reasons))
