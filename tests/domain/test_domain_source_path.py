"""Source paths (decision 0001): every combination of survey / EPC / overrides / prediction
and dates, with the chosen path and the audit of why."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from ara.domain import (
    Address,
    BuiltForm,
    EpcCertificate,
    EpcData,
    LandlordOverrides,
    Performance,
    PredictedEpc,
    Property,
    SiteNotes,
    SourcePath,
    SourceStatus,
    WallConstruction,
    WallInsulation,
    resolve_source,
)

SURVEY_DATE = dt.date(2023, 6, 1)
EPC_DATES = {"older": dt.date(2021, 3, 1), "same_day": SURVEY_DATE,
             "newer": dt.date(2024, 9, 1)}


def complete_data(note: str) -> dict[str, object]:
    return {
        "note": note, "property_type": 0, "built_form": 2, "habitable_room_count": 4,
        "heated_room_count": 4,
        "building_parts": [{
            "building_part_number": 1, "construction_age_band": "C", "wall_construction": 3,
            "wall_insulation_type": 4, "roof_insulation_thickness": "100mm",
            "floor_dimensions": [{"total_floor_area_m2": 40.0,
                                  "room_height_m": 2.5}]}],
        "main_heating": [{"main_fuel_type": "26", "main_heating_category": "2"}],
        "water_heating_code": "901",
    }


def survey(kind: str) -> SiteNotes | None:
    if kind == "none":
        return None
    data = complete_data("survey")
    if kind == "defective":
        del data["heated_room_count"]
        data["building_parts"][0]["wall_construction"] = None  # type: ignore[index]
    return SiteNotes("SURVEY-1", SURVEY_DATE, EpcData(data))


def certificate(kind: str) -> EpcCertificate | None:
    if kind == "none":
        return None
    return EpcCertificate(
        certificate_number="1234-5678-9012-3456-7890", uprn=100, schema_type="RdSAP-Schema-21.0.1",
        sap_spec_version="10.2", inspection_date=EPC_DATES[kind],
        registration_date=EPC_DATES[kind] + dt.timedelta(days=2),
        lodged=Performance.from_sap(55, 3.1, 250.0), total_floor_area_m2=80.0,
        data=EpcData(complete_data("epc")))


STATED = LandlordOverrides(wall_construction=WallConstruction.CAVITY,
                           wall_insulation=WallInsulation.FILLED_CAVITY,
                           built_form=BuiltForm.END_TERRACE)
PREDICTION = PredictedEpc(dt.date(2025, 1, 5), "neighbours-v1", ("A", "B", "C"),
                          EpcData(complete_data("prediction")))

# (survey, EPC) -> (status, path): the whole of decision 0001, written out by hand.
EXPECTED = {
    ("none", "none"): None,  # depends on the prediction: see below
    ("none", "older"): (SourceStatus.RESOLVED, SourcePath.EPC_WITH_OVERLAY),
    ("none", "same_day"): (SourceStatus.RESOLVED, SourcePath.EPC_WITH_OVERLAY),
    ("none", "newer"): (SourceStatus.RESOLVED, SourcePath.EPC_WITH_OVERLAY),
    ("complete", "none"): (SourceStatus.RESOLVED, SourcePath.SURVEY),
    ("complete", "older"): (SourceStatus.RESOLVED, SourcePath.SURVEY),
    ("complete", "same_day"): (SourceStatus.RESOLVED, SourcePath.SURVEY),
    ("complete", "newer"): (SourceStatus.RESOLVED, SourcePath.EPC_WITH_OVERLAY),
    ("defective", "none"): (SourceStatus.DEFECTIVE_SURVEY, SourcePath.SURVEY),
    ("defective", "older"): (SourceStatus.DEFECTIVE_SURVEY, SourcePath.SURVEY),
    ("defective", "same_day"): (SourceStatus.DEFECTIVE_SURVEY, SourcePath.SURVEY),
    ("defective", "newer"): (SourceStatus.RESOLVED, SourcePath.EPC_WITH_OVERLAY),
}

COMBINATIONS = list(itertools.product(["none", "complete", "defective"],
                                      ["none", "older", "same_day", "newer"],
                                      ["no_overrides", "overrides"],
                                      ["no_prediction", "prediction"]))


@pytest.mark.parametrize(("survey_kind", "epc_kind", "overrides_kind", "prediction_kind"),
                         COMBINATIONS, ids=["-".join(c) for c in COMBINATIONS])
def test_every_combination_takes_its_path_and_says_why(
        survey_kind: str, epc_kind: str, overrides_kind: str, prediction_kind: str) -> None:
    overrides = STATED if overrides_kind == "overrides" else LandlordOverrides()
    prediction = PREDICTION if prediction_kind == "prediction" else None
    decision = resolve_source(site_notes=survey(survey_kind), lodged_epc=certificate(epc_kind),
                              overrides=overrides, predicted_epc=prediction)
    expected = EXPECTED[(survey_kind, epc_kind)]
    if expected is None:
        expected = ((SourceStatus.RESOLVED, SourcePath.PREDICTED) if prediction
                    else (SourceStatus.NO_SOURCE, None))
    assert (decision.status, decision.source_path) == expected
    audit = decision.audit

    if survey_kind != "none" and epc_kind != "none":
        assert "recency tie-break" in audit
        assert ("survey wins" in audit) == (epc_kind != "newer")
        assert ("the same day as" in audit) == (epc_kind == "same_day")

    effective = decision.effective_epc
    if decision.status is SourceStatus.RESOLVED:
        assert effective is not None and effective.source_path is decision.source_path
        note = {SourcePath.SURVEY: "survey", SourcePath.EPC_WITH_OVERLAY: "epc",
                SourcePath.PREDICTED: "prediction"}[effective.source_path]
        assert effective.data["note"] == note  # one source, never a mix
    else:
        assert effective is None

    if decision.source_path is SourcePath.EPC_WITH_OVERLAY:
        assert effective is not None
        part = effective.data.main_building_part()
        assert part is not None
        if overrides_kind == "overrides":
            assert "landlord overrides applied" in audit
            assert (part["wall_construction"], part["wall_insulation_type"],
                    effective.data["built_form"]) == ("4", "2", "3")  # codes as text
            assert effective.overlay_applied
        else:
            assert "no landlord overrides" in audit
            assert (part["wall_construction"], effective.data["built_form"]) == (3, 2)
            assert not effective.overlay_applied
    elif overrides_kind == "overrides":
        assert "landlord overrides not applied" in audit

    if decision.status is SourceStatus.DEFECTIVE_SURVEY:
        assert [d.field_path for d in decision.defects] == [
            "heated_room_count", "building_parts[0].wall_construction"]
        assert "not patched from the EPC" in audit
    else:
        assert decision.defects == ()

    if prediction is not None and decision.source_path is not SourcePath.PREDICTED:
        assert "predicted EPC not used" in audit


def test_a_defective_survey_is_never_patched_from_the_epc() -> None:
    notes = survey("defective")
    decision = resolve_source(site_notes=notes, lodged_epc=certificate("older"))
    assert decision.effective_epc is None
    assert notes is not None and notes.data.get("heated_room_count") is None  # still a gap


def test_the_survey_wins_a_tie_on_the_date() -> None:
    decision = resolve_source(site_notes=survey("complete"), lodged_epc=certificate("same_day"))
    assert decision.source_path is SourcePath.SURVEY


def test_the_recency_tie_break_compares_the_epc_inspection_date() -> None:
    epc = certificate("older")
    assert epc is not None
    # lodged after the survey, but inspected before it: the survey is newer
    late_lodgement = EpcCertificate(**{**_fields(epc), "registration_date": dt.date(2030, 1, 1)})
    decision = resolve_source(site_notes=survey("complete"), lodged_epc=late_lodgement)
    assert decision.source_path is SourcePath.SURVEY


def test_the_overlay_leaves_the_lodged_certificate_unchanged() -> None:
    epc = certificate("older")
    assert epc is not None
    before = epc.data.to_json()
    resolve_source(site_notes=None, lodged_epc=epc, overrides=STATED)
    assert epc.data.to_json() == before


def test_the_property_exposes_its_effective_epc_and_source_path() -> None:
    p = Property("P1", "PF", 100, "R1", Address(("1 Street",)), lodged_epc=certificate("older"),
                 site_notes=survey("complete"), landlord_overrides=STATED)
    assert p.source_path is SourcePath.SURVEY
    assert p.effective_epc is not None and p.effective_epc.survey_id == "SURVEY-1"


def test_an_effective_epc_remembers_the_certificate_it_came_from() -> None:
    decision = resolve_source(site_notes=None, lodged_epc=certificate("newer"), overrides=STATED)
    assert decision.effective_epc is not None
    assert decision.effective_epc.certificate_number == "1234-5678-9012-3456-7890"
    assert decision.effective_epc.as_of == EPC_DATES["newer"]


def _fields(epc: EpcCertificate) -> dict[str, object]:
    return {name: getattr(epc, name) for name in EpcCertificate.__dataclass_fields__}
