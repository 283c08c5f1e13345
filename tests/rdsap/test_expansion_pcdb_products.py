"""Heat pumps and mechanical ventilation lodged by PCDB index (issue 12,
``ara.rdsap.expansion.services_products``): a product found in the user's PCDB writes its own
data - the Appendix N inputs of a heat pump, the SFP (and MVHR efficiency) of a ventilation
system - and the calculator rates it; without a PCDB, for an index the PCDB does not hold, or
for a record the rules cannot apply, the declared fallbacks stand in (named in estimate mode,
refused in strict mode). Every expected value is written out by hand from the invented
record. The PCDB files are invented (index numbers 9001xx-9003xx, brand "TEST")."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from test_estimate_mode import complete_rdsap_10, table
from test_pcdb import VARIED, block, dmev_428, hp_record, mvhr_426, pcdf, write

from ara.rdsap.expansion import expand
from ara.rdsap.pcdb import Pcdb, load_pcdb
from ara.sap import calculate, trace
from ara.sap.fallbacks import fallback
from ara.sap.products import PCDB_HEAT_PUMP_CODE

# ------------------------------------------------------------------------- the records --

def central(index: str, main_type: str, duct: str,
            groups: Sequence[tuple[int, float, float, float | None]]) -> str:
    """A table 323 row (format 426 positions): main type at 10, duct type at 12, then groups
    (additional wet rooms, test flow, fan speed, applicable flow, SFP, efficiency)."""
    head = mvhr_426(index).split(",")[:17]
    head[10], head[12], head[15] = main_type, duct, str(len(groups))
    for k, flow, sfp, eff in groups:
        head += [str(k), str(flow), "TEST SPEED", str(flow), str(sfp),
                 "" if eff is None else str(eff)]
    return ",".join(head)


#: MVHR 900201 (rigid ducting), MEV 900202 (flexible), MVHR 900203 whose leading field
#: counts the kitchen (2 for the 21 l/s group), MVHR 900204 tested with ducting 'unknown'
MVHR_GROUPS = [(1, 21.0, 0.61, 88.0), (2, 29.0, 0.71, 86.0), (3, 37.0, 0.81, 84.0)]
VENTILATION = [
    central("900201", "3", "2", MVHR_GROUPS),
    central("900202", "1", "1", [(1, 21.0, 0.31, None), (2, 29.0, 0.33, None)]),
    central("900203", "3", "2", [(2, 21.0, 0.61, 88.0), (3, 29.0, 0.71, 86.0)]),
]
#: table 329, format 432: system type, SFP factor flexible, rigid, no duct (then fields whose
#: positions are not established)
IUF_432 = ["1,1.11,1.22,,TEST,TEST", "2,1.41,1.31,1.21,TEST,TEST", "3,1.31,1.32,,TEST,TEST"]


@pytest.fixture
def pcdb(tmp_path: Path) -> Pcdb:
    records = [hp_record("900101"), hp_record("900102", VARIED),
               # two datasets of two PSRs (an exhaust air heat pump's air flow rates)
               hp_record("900103", [*VARIED, *VARIED], {58: "2"}),
               hp_record("900104", fields={16: "26"}),  # not electric
               hp_record("900105", fields={22: "2"}),  # space and water, heating season only
               hp_record("900106", fields={48: "11"}),  # not a Table N4 duration
               hp_record("900107", fields={47: ""}),  # no maximum output
               hp_record("900108", fields={22: "3"}),  # space heating only
               # Table N8: heat-exchanger area 0, 100 l, 1.80 kWh/day (met by the 110 l
               # cylinder) and the same with 1.70 kWh/day (not met)
               hp_record("900109", fields={24: "100", 25: "1.80", 26: "0"}),
               hp_record("900110", fields={24: "100", 25: "1.70", 26: "0"})]
    path = write(tmp_path, pcdf(
        block(362, 465, records, "Heat Pumps"),
        block(323, 431, VENTILATION, "MEV centralised and MVHR"),
        block(322, 428, [dmev_428("900301")], "MEV decentralised"),
        block(329, 432, IUF_432, "Mechanical Ventilation In-Use Factors")))
    return load_pcdb(path, tmp_path / "cache")


# ---------------------------------------------------------------------------- helpers --

def heat_pump(index: str | None = "900101", **changes: Any) -> dict[str, Any]:
    """The complete 21.0.1 sample (a 110 l factory-insulated cylinder, 50 mm, heated by the
    main system, 901) with an electric heat pump lodged by PCDB index as main system 1."""
    row = complete_rdsap_10()
    row["main_heating"][0].update(
        main_heating_category="4", main_fuel_type="29", sap_main_heating_code=None,
        main_heating_index_number=index, main_heating_data_source="1",
        main_heating_control="2207")
    row.update(changes)
    return row


def ventilated(kind: str, index: str | None, **changes: Any) -> dict[str, Any]:
    row = complete_rdsap_10()
    row.update(mechanical_ventilation=kind, mechanical_ventilation_index_number=index,
               mechanical_vent_duct_type=None, wet_rooms_count=None,
               is_mechanical_vent_approved_installer_scheme=None)
    row.update(changes)
    return row


def estimate(row: dict[str, Any], pcdb: Pcdb | None) -> tuple[dict[str, Any], list[str],
                                                               list[str]]:
    """(the calculator inputs, the fallbacks used, the audit) of the estimate-mode expansion,
    which must hold no problem."""
    result = expand(table(row), ["d"], mode="estimate", pcdb=pcdb)
    assert result.problems == []
    audit = result.audit["services_assumptions"].to_pylist()[0]
    return result.inputs.to_pylist()[0], result.assumptions.to_pylist()[0], audit


def rates(x: dict[str, Any]) -> dict[str, Any]:
    out = calculate(pa.Table.from_pylist([x], schema=pa.Table.from_pylist([x]).schema),
                    strict=False).to_pylist()[0]
    assert out["status"] == "ok", out["error"]
    return out


#: a heat pump heating a cylinder has no RdSAP rule for separate timing: the sample's one
#: fallback whatever the heat pump's data (the store is not a boiler's)
TIMING = "hot_water_timing_not_established"


# ------------------------------------------------------------------------ heat pumps ----

def test_a_heat_pump_in_the_users_pcdb_writes_its_appendix_n_inputs_and_rates(
        pcdb: Pcdb) -> None:
    x, used, audit = estimate(heat_pump(), pcdb)
    assert used == [TIMING]  # no heat pump fallback
    # the record, hand-copied: datasets at group offsets +0 / +2 / +6, output at field 47,
    # duration at 48
    assert x["main1_hp_psr_data"] == [
        {"psr": 0.05, "space_efficiency_percent": 300.0, "water_efficiency_percent": 250.0},
        {"psr": 0.5, "space_efficiency_percent": 300.0, "water_efficiency_percent": 250.0},
        {"psr": 5.0, "space_efficiency_percent": 300.0, "water_efficiency_percent": 250.0}]
    assert (x["main1_hp_max_output_kw"], x["main1_hp_heating_duration"]) == (5.67, "V")
    assert x["main1_code"] == PCDB_HEAT_PUMP_CODE == 224 and x["main1_fuel"] == 30
    assert x["main1_efficiency_percent"] is None
    # heat-exchanger area 3.21 m2 in the record, none lodged: Table N8 not shown met
    assert x["main1_hp_cylinder_meets_pcdb"] is False
    assert x["main1_pump_in_heated_space"] is False  # no pump gain (Appendix N3.1)
    assert any("heat pump from the PCDB" in a for a in audit)
    assert any("in-use factor 0.60" in a for a in audit)
    out = rates(x)
    lines = trace(x)["lines"]
    assert lines["PSR"] == pytest.approx(5.67 / (lines["39"]["annual"] * 24.2 / 1000.0))
    assert 0.05 < lines["PSR"] < 5.0
    # (206) = 0.95 x 300; (217) = max(0.60 x 250, 100)
    assert out["main_heating_efficiency_percent"] == pytest.approx(285.0)
    assert out["water_heating_efficiency_percent"] == pytest.approx(150.0)


def test_each_record_field_lands_in_its_input(pcdb: Pcdb) -> None:
    x, used, _ = estimate(heat_pump("900102"), pcdb)
    assert used == [TIMING]
    assert x["main1_hp_psr_data"] == [
        {"psr": 0.2, "space_efficiency_percent": 301.1, "water_efficiency_percent": 201.1},
        {"psr": 1.2, "space_efficiency_percent": 281.1, "water_efficiency_percent": 181.1}]
    rates(x)


@pytest.mark.parametrize("index", ["900199", None])
def test_without_a_usable_index_the_declared_fallback_stands(pcdb: Pcdb,
                                                              index: str | None) -> None:
    """An index the PCDB does not hold, or none lodged: heat_pump_product_unavailable."""
    x, used, _ = estimate(heat_pump(index), pcdb)
    assert set(used) == {TIMING, "heat_pump_product_unavailable"}
    assert x["main1_code"] == int(fallback("heat_pump_product_unavailable").value)
    assert x["main1_hp_psr_data"] is None and x["main1_hp_max_output_kw"] is None
    assert x["main1_pump_in_heated_space"] is True  # a Table 4a heat pump keeps the gain
    assert rates(x)["main_heating_efficiency_percent"] == pytest.approx(170.0)


def test_without_the_pcdb_strict_refuses_and_estimate_names_the_fallback() -> None:
    row = heat_pump()
    strict = expand(table(row), ["d"])
    assert strict.refused.tolist() == [True]
    assert any("heat_pump_product_unavailable" in message for *_, message in strict.problems)
    x, used, _ = estimate(row, None)
    assert "heat_pump_product_unavailable" in used and x["main1_hp_psr_data"] is None
    rates(x)


@pytest.mark.parametrize(("index", "reason"), [
    ("900103", "more than one dataset"),
    ("900104", "not an electric heat pump"),
    ("900105", "service provision is not 1"),
    ("900106", "no Table N4 daily heating duration"),
    ("900107", "no positive maximum output"),
    ("900108", "service provision is not 1"),  # space only, yet it heats the water (901)
])
def test_a_record_the_rules_cannot_apply_takes_the_declared_fallback(
        pcdb: Pcdb, index: str, reason: str) -> None:
    x, used, audit = estimate(heat_pump(index), pcdb)
    assert set(used) == {TIMING, "heat_pump_product_not_usable"}
    assert any(reason in a and "record not used" in a for a in audit)
    assert x["main1_code"] == int(fallback("heat_pump_product_not_usable").value) == 224
    assert x["main1_hp_psr_data"] is None and x["main1_hp_heating_duration"] is None
    assert rates(x)["main_heating_efficiency_percent"] == pytest.approx(170.0)


def test_a_space_only_record_serves_when_the_water_is_heated_otherwise(pcdb: Pcdb) -> None:
    """Service provision 3 with an electric immersion (903): the record gives (206) only."""
    x, used, _ = estimate(heat_pump("900108", water_heating_code="903",
                                    water_heating_fuel="29", immersion_heating_type="2"), pcdb)
    assert "heat_pump_product_not_usable" not in used
    assert x["main1_hp_psr_data"] is not None and x["main1_hp_cylinder_meets_pcdb"] is None
    assert rates(x)["main_heating_efficiency_percent"] == pytest.approx(285.0)


@pytest.mark.parametrize(("index", "meets", "factor"), [("900109", True, 0.95),
                                                        ("900110", False, 0.60)])
def test_table_n8_cylinder_criteria_by_hand(pcdb: Pcdb, index: str, meets: bool,
                                            factor: float) -> None:
    """The 110 l cylinder, factory foam 50 mm: (51) = 0.005 + 0.55 / (50 + 4) = 0.0151852,
    (52) = (120 / 110)^(1/3) = 1.029431, (47) x (51) x (52) = 1.71952 kWh/day; the record's
    area is 0 (fn 53), its volume 100 l; its heat loss 1.80 is met, 1.70 is not."""
    assert 110 * (0.005 + 0.55 / 54) * (120 / 110) ** (1 / 3) == pytest.approx(1.71952,
                                                                               abs=1e-5)
    x, _, _ = estimate(heat_pump(index), pcdb)
    assert x["cylinder_volume_l"] == 110.0
    assert x["main1_hp_cylinder_meets_pcdb"] is meets
    assert rates(x)["water_heating_efficiency_percent"] == pytest.approx(factor * 250.0)


def test_a_heat_pump_as_main_system_2(pcdb: Pcdb) -> None:
    row = complete_rdsap_10()
    boiler = dict(row["main_heating"][0], main_heating_fraction=0.6)
    row["main_heating"] = [boiler, dict(
        boiler, main_heating_number=2, main_heating_category="4", main_fuel_type="29",
        sap_main_heating_code=None, main_heating_index_number="900102",
        main_heating_fraction=0.4)]
    x, used, _ = estimate(row, pcdb)
    assert "heat_pump_product_unavailable" not in used
    assert x["main2_code"] == 224 and x["main2_hp_max_output_kw"] == 5.67
    assert [p["psr"] for p in x["main2_hp_psr_data"]] == [0.2, 1.2]
    assert x["main2_hp_cylinder_meets_pcdb"] is None  # the boiler heats the water (901)
    assert x["main1_hp_heating_duration"] is None  # N3.5 is main 1's only (decision 0014)
    rates(x)


# ------------------------------------------------------------- mechanical ventilation ----

#: the dMEV record (tests/rdsap/test_pcdb.py dmev_428): flexible ducting; SFP in-room
#: 0.41 / 0.42, in-duct not tested, through-wall 0.45 / 0.46; table 329 system type 2:
#: flexible 1.41, no duct 1.21. Fans: in-room kitchen 1, in-room other 1, through-wall
#: kitchen 2, through-wall other 3 (FR 13 kitchen, 8 other).
DMEV_FANS = {"kitchen_room_fans_count": 1, "non_kitchen_room_fans_count": 1,
             "kitchen_wall_fans_count": 2, "non_kitchen_wall_fans_count": 3}
DMEV_SFP = (1 * 0.41 * 13 * 1.41 + 1 * 0.42 * 8 * 1.41 + 2 * 0.45 * 13 * 1.21
            + 3 * 0.46 * 8 * 1.21) / (13 + 8 + 2 * 13 + 3 * 8)


def test_decentralised_mev_from_the_pcdb_by_hand(pcdb: Pcdb) -> None:
    # 7.5153 + 4.7376 + 14.157 + 13.3584 = 39.7683 W over 71 l/s
    assert DMEV_SFP == pytest.approx(39.7683 / 71, abs=1e-9)
    x, used, audit = estimate(ventilated("2", "900301", **DMEV_FANS), pcdb)
    assert used == []
    assert x["ventilation_type"] == 6
    assert x["mv_specific_fan_power"] == pytest.approx(DMEV_SFP)
    assert x["mv_in_use_factor"] is None  # folded into the SFP: (23b) = (23a)
    assert any("SFPav" in a for a in audit)
    # (231) carries SFP x 1.22 x V for the fans: against the Table 4g default (0.8 x 2.5)
    default, _, _ = estimate(ventilated("2", "900399", **DMEV_FANS), pcdb)
    assert default["mv_specific_fan_power"] == pytest.approx(2.0)
    ours, theirs = trace(x)["lines"], trace(default)["lines"]
    assert ours["231"]["annual"] - theirs["231"]["annual"] == pytest.approx(
        (DMEV_SFP - 2.0) * 1.22 * ours["5"])
    rates(x)


@pytest.mark.parametrize(("changes", "reason"), [
    ({"kitchen_duct_fans_count": 1}, "configuration is not tested"),  # in-duct: blank
    ({name: None for name in DMEV_FANS}, "no fan counts"),
])
def test_decentralised_mev_the_rules_cannot_apply(pcdb: Pcdb, changes: dict[str, Any],
                                                  reason: str) -> None:
    x, used, audit = estimate(ventilated("2", "900301", **{**DMEV_FANS, **changes}), pcdb)
    assert used == ["mechanical_ventilation_product_not_usable"]
    assert any(reason in a for a in audit)
    assert x["mv_specific_fan_power"] == pytest.approx(2.0)  # Table 4g 0.8 x 2.5
    rates(x)


def test_mvhr_from_the_pcdb_by_hand(pcdb: Pcdb) -> None:
    """3 wet rooms = kitchen + 2: the group (2, 29 l/s, SFP 0.71, 86 %); rigid ducting
    lodged: table 329 system type 3 rigid 1.32; efficiency 86 x 0.70 (declared fallback for
    the efficiency in-use factor, whose pcdb10 position is not established)."""
    row = ventilated("4", "900201", wet_rooms_count=3, mechanical_vent_duct_type="2",
                     is_mechanical_vent_approved_installer_scheme=False)
    x, used, _ = estimate(row, pcdb)
    assert used == ["mvhr_efficiency_in_use_factor_not_read"]
    assert x["ventilation_type"] == 8
    assert x["mv_specific_fan_power"] == pytest.approx(0.71 * 1.32)
    assert x["mvhr_efficiency_percent"] == pytest.approx(86.0 * 0.70)
    assert fallback("mvhr_efficiency_in_use_factor_not_read").value == 0.70
    assert trace(x)["lines"]["23c"] == pytest.approx(60.2)
    rates(x)
    strict = expand(table(row), ["d"], pcdb=pcdb)
    assert strict.refused.tolist() == [True]
    assert any("mvhr_efficiency_in_use_factor_not_read" in message
               for *_, message in strict.problems)


@pytest.mark.parametrize(("changes", "sfp", "extra"), [
    ({"mechanical_vent_duct_type": "3"}, 0.71 * 1.31, ["mv_semi_rigid_duct_in_use_factor"]),
    ({"mechanical_vent_duct_type": None}, 0.71 * 1.32, []),  # the record's rigid ducting
    ({"is_mechanical_vent_approved_installer_scheme": True}, 0.71 * 1.32,
     ["mv_installation_in_use_factor_not_read"]),
    ({"is_mechanical_vent_approved_installer_scheme": None}, 0.71 * 1.32,
     ["mv_installation_in_use_factor_not_read"]),
    ({"mechanical_vent_measured_installation": True}, 0.71 * 1.32,
     ["mv_installation_in_use_factor_not_read"]),
])
def test_mvhr_in_use_factor_cases(pcdb: Pcdb, changes: dict[str, Any], sfp: float,
                                  extra: list[str]) -> None:
    base = {"wet_rooms_count": 3, "mechanical_vent_duct_type": "2",
            "is_mechanical_vent_approved_installer_scheme": False}
    x, used, _ = estimate(ventilated("4", "900201", **{**base, **changes}), pcdb)
    assert sorted(used) == sorted(["mvhr_efficiency_in_use_factor_not_read", *extra])
    assert x["mv_specific_fan_power"] == pytest.approx(sfp)
    rates(x)


def test_centralised_mev_from_the_pcdb(pcdb: Pcdb) -> None:
    """2 wet rooms = kitchen + 1: SFP 0.31 x table 329 system type 1 flexible 1.11."""
    x, used, _ = estimate(ventilated("3", "900202", wet_rooms_count=2,
                                     mechanical_vent_duct_type="1"), pcdb)
    assert used == []
    assert x["ventilation_type"] == 5
    assert x["mv_specific_fan_power"] == pytest.approx(0.31 * 1.11)
    assert x["mvhr_efficiency_percent"] is None
    rates(x)


@pytest.mark.parametrize(("kind", "index", "changes", "reason"), [
    ("4", "900201", {"wet_rooms_count": None}, "Wet-Rooms-Count not lodged"),
    ("4", "900201", {"wet_rooms_count": 9}, "no group of the record"),
    # a record whose leading field counts the kitchen: its 21 l/s group is labelled 2
    ("4", "900203", {"wet_rooms_count": 3}, "no group of the record"),
    ("3", "900201", {"wet_rooms_count": 2}, "not of the lodged kind"),  # MEV lodged, MVHR
    ("4", "900301", {"wet_rooms_count": 2}, "not of the lodged kind"),  # a dMEV record
])
def test_centralised_records_the_rules_cannot_apply(pcdb: Pcdb, kind: str, index: str,
                                                    changes: dict[str, Any],
                                                    reason: str) -> None:
    x, used, audit = estimate(ventilated(kind, index, mechanical_vent_duct_type="2",
                                         is_mechanical_vent_approved_installer_scheme=False,
                                         **changes), pcdb)
    assert "mechanical_ventilation_product_not_usable" in used
    assert any(reason in a for a in audit), audit
    if kind == "4":
        assert x["mvhr_efficiency_percent"] == pytest.approx(66.0 * 0.70)
        assert x["mv_specific_fan_power"] == pytest.approx(
            fallback("mechanical_ventilation_default_sfp_balanced").value)
    rates(x)


@pytest.mark.parametrize("with_pcdb", [True, False])
def test_ventilation_without_the_product_keeps_the_declared_fallback(
        pcdb: Pcdb, with_pcdb: bool) -> None:
    """No PCDB, or an index it does not hold: mechanical_ventilation_product_unavailable."""
    x, used, _ = estimate(ventilated("4", "900299" if with_pcdb else "900201",
                                     wet_rooms_count=3), pcdb if with_pcdb else None)
    assert set(used) == {"mechanical_ventilation_product_unavailable",
                         "mechanical_ventilation_default_sfp_balanced"}
    assert x["mvhr_efficiency_percent"] == pytest.approx(46.2)
    rates(x)


def test_positive_input_ventilation_keeps_its_default(pcdb: Pcdb) -> None:
    """How SAP 10.2 takes a PIV product's SFP is not established: the declared default."""
    x, used, _ = estimate(ventilated("6", "900201", wet_rooms_count=3), pcdb)
    assert used == ["mechanical_ventilation_default_sfp_piv"]
    assert x["mv_specific_fan_power"] == pytest.approx(
        fallback("mechanical_ventilation_default_sfp_piv").value)
