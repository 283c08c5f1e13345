"""The Property aggregate, the Properties collection and the value types."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from ara.domain import (
    Address,
    Band,
    Bill,
    EndUseKwh,
    EpcCertificate,
    EpcData,
    Performance,
    PlanningFlags,
    Properties,
    Property,
    PropertyBaselinePerformance,
    RebaselineReason,
    Scenario,
    ScenarioPhase,
    SourcePath,
    rebaseline_reason,
)


def prop(pid: str) -> Property:
    return Property(pid, "PF", None, None, Address(("1 Street",), "Town", "sw1a1aa"))


@pytest.mark.parametrize(("sap", "band"), [(92, Band.A), (91, Band.B), (81, Band.B),
                                          (80, Band.C), (69, Band.C), (68, Band.D),
                                          (55, Band.D), (54, Band.E), (39, Band.E),
                                          (38, Band.F), (21, Band.F), (20, Band.G),
                                          (1, Band.G), (-5, Band.G), (120, Band.A)])
def test_bands_follow_the_sap_rating(sap: int, band: Band) -> None:
    assert Band.for_sap(sap) is band


def test_band_floors() -> None:
    assert [b.floor for b in Band] == [92, 81, 69, 55, 39, 21, 1]


def test_epc_data_is_immutable_and_compares_by_value() -> None:
    raw = {"a": [1, {"b": 2}]}
    data = EpcData(raw)
    raw["a"].append(3)  # type: ignore[attr-defined]
    assert data.to_plain() == {"a": [1, {"b": 2}]}
    with pytest.raises(TypeError):
        data.fields["a"] = 1  # type: ignore[index]
    assert data == EpcData.from_json(data.to_json())


def test_epc_data_holds_json_values_only() -> None:
    with pytest.raises(TypeError, match="JSON values"):
        EpcData({"when": dt.date(2020, 1, 1)})


def test_postcodes_are_normalised() -> None:
    assert prop("P1").postcode == "SW1A 1AA"


def test_properties_refuse_duplicate_ids() -> None:
    with pytest.raises(ValueError, match="appears twice"):
        Properties([prop("P1"), prop("P1")])


def test_a_service_returns_properties_with_one_slice_filled() -> None:
    properties = Properties([prop("P1"), prop("P2")])
    flagged = properties.map(lambda p: dataclasses.replace(
        p, planning_flags=PlanningFlags(listed_building=True)))
    assert flagged.ids == ("P1", "P2")
    assert all(p.planning_flags.listed_building for p in flagged)
    assert all(p.planning_flags.unrestricted for p in properties)  # the input is unchanged


def test_updated_replaces_in_place_and_refuses_strangers() -> None:
    properties = Properties([prop("P1"), prop("P2")])
    changed = properties.updated([dataclasses.replace(prop("P2"), uprn=7)])
    assert changed["P2"].uprn == 7 and changed.ids == ("P1", "P2")
    with pytest.raises(KeyError):
        properties.updated([prop("P3")])


def _baseline(lodged: Performance | None, effective: Performance,
              reason: RebaselineReason) -> PropertyBaselinePerformance:
    return PropertyBaselinePerformance(
        SourcePath.EPC_WITH_OVERLAY, lodged, effective, reason,
        EndUseKwh(1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0), Bill(10.0, 5.0, 2.0, "2025Q3"))


def test_a_baseline_without_a_reason_keeps_the_lodged_figures() -> None:
    lodged = Performance.from_sap(60, 2.0, 200.0)
    assert _baseline(lodged, lodged, RebaselineReason.NONE).effective == lodged
    with pytest.raises(ValueError, match="Effective == Lodged"):
        _baseline(lodged, Performance.from_sap(65, 2.0, 200.0), RebaselineReason.NONE)


def test_the_bill_nets_off_export_credit() -> None:
    assert Bill(100.0, 20.0, 30.0, "s").total_gbp == 90.0


@pytest.mark.parametrize(("pre", "path", "overlay", "reason"), [
    (False, SourcePath.EPC_WITH_OVERLAY, False, RebaselineReason.NONE),
    (True, SourcePath.EPC_WITH_OVERLAY, False, RebaselineReason.PRE_SAP10),
    (False, SourcePath.EPC_WITH_OVERLAY, True, RebaselineReason.PHYSICAL_STATE_CHANGED),
    (True, SourcePath.EPC_WITH_OVERLAY, True, RebaselineReason.BOTH),
    (False, SourcePath.SURVEY, False, RebaselineReason.PHYSICAL_STATE_CHANGED),
    (True, SourcePath.PREDICTED, False, RebaselineReason.BOTH),
])
def test_rebaseline_reasons(pre: bool, path: SourcePath, overlay: bool,
                            reason: RebaselineReason) -> None:
    assert rebaseline_reason(lodged_is_pre_sap10=pre, source_path=path,
                             overlay_applied=overlay) is reason


@pytest.mark.parametrize(("version", "pre"), [
    ("10.2", False), ("10.3", False), ("9.94", True), ("10.0", True), ("SAP 2012", True),
    ("SAP 2009", True), ("", True)])
def test_certificates_before_sap_10_2_are_pre_sap10(version: str, pre: bool) -> None:
    epc = EpcCertificate("C", None, "RdSAP", version, dt.date(2020, 1, 1),
                         dt.date(2020, 1, 1), None, None, EpcData({}))
    assert epc.is_pre_sap10 is pre


def test_scenario_phases_are_numbered_in_order() -> None:
    with pytest.raises(ValueError, match="numbered"):
        Scenario("S", "x", (ScenarioPhase(2, ()),))


def test_performance_refuses_nan() -> None:
    with pytest.raises(ValueError, match="finite"):
        Performance(50, Band.E, float("nan"), 1.0)
