"""Services expansion, rule by rule, with hand-derived expectations (RdSAP 10 Table 5, p.30,
Table 29, section 12, section 11.1 b), p.57, ...; docs/rdsap/expansion_services.md). Where a
certificate leaves an item out and ``spec/tables/estimate_fallbacks.csv`` declares a fallback
(decision 0022), the test checks that the fallback was recorded for the row, that the value
written is the declared one, and that the whole expansion refuses the row in strict mode and
rates it in estimate mode."""

from __future__ import annotations

import copy
import math
import re
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from test_expansion_fabric_cases import certificate, part, storey, wall

from ara.rdsap.expansion import expand as expand_all
from ara.rdsap.expansion.services import ServicesResult, expand_services
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.sap.fallbacks import FallbackLog, fallback
from ara.sap.tables import read_table

#: A gas-combi detached house, band H, every services item lodged.
BASE: dict[str, Any] = {
    "certificate_number": "0000-0000-0000-0000-0001",
    "region_code": "17", "country_code": "ENG", "postcode": "SW1A 2AA",
    "property_type": "0", "built_form": "1", "habitable_room_count": 4,
    "building_parts": [{"building_part_number": 1, "construction_age_band": "H",
                        "roof_construction": "4"}],
    "extract_fans_count": 2, "open_chimneys_count": 1, "has_draught_lobby": False,
    "percent_draughtproofed": 80, "pressure_test": "4", "mechanical_ventilation": "0",
    "main_heating": [{"main_heating_number": 1, "main_heating_category": "2",
                      "main_fuel_type": "26", "main_heating_control": "2106",
                      "main_heating_data_source": "2", "sap_main_heating_code": "104",
                      "heat_emitter_type": "1", "main_heating_fraction": 1.0,
                      "fan_flue_present": True, "central_heating_pump_age": "2"}],
    "water_heating_code": "901", "water_heating_fuel": "26", "cylinder_size": "1",
    "immersion_heating_type": "NA", "meter_type": "2", "number_baths": 1,
    "shower_outlets": [{"shower_outlet_type": "2", "shower_wwhrs": "1"}],
    "led_fixed_lighting_bulbs_count": 10, "cfl_fixed_lighting_bulbs_count": 0,
    "low_energy_fixed_lighting_bulbs_count": 0, "incandescent_fixed_lighting_bulbs_count": 0,
    "pv_percent_roof_area": 0, "pv_connection": "0", "has_fixed_air_conditioning": False,
    "solar_water_heating": False,
}

#: A regular gas boiler (102) feeding a cylinder that is not accessible.
CYLINDER: dict[str, Any] = {
    "main_heating": [dict(BASE["main_heating"][0], sap_main_heating_code="102")],
    "cylinder_size": "0", "cylinder_thermostat": True,
}


def cert(**changes: Any) -> dict[str, Any]:
    row = copy.deepcopy(BASE)
    for key, value in changes.items():
        if key == "age":
            row["building_parts"][0]["construction_age_band"] = value
        elif key == "roof":
            row["building_parts"][0]["roof_construction"] = value
        elif key == "main":
            row["main_heating"] = [dict(row["main_heating"][0], **value)]
        else:
            row[key] = value
    return row


def expand(*rows: dict[str, Any], roof: float = 40.0, tfa: float = 80.0) -> ServicesResult:
    table = pa.Table.from_pylist(list(rows), schema=CERTIFICATE_SCHEMA)
    return expand_services(table, np.full(len(rows), roof), np.full(len(rows), tfa))


def one(name: str, **changes: Any) -> Any:
    return expand(cert(**changes)).columns[name].to_pylist()[0]


def problems(result: ServicesResult, field: str) -> list[str]:
    return [p.message for p in result.problems if p.field == field]


def assumptions(result: ServicesResult, row: int = 0) -> list[str]:
    return result.audit["services_assumptions"].to_pylist()[row]


def expand_logged(*rows: dict[str, Any], roof: float = 40.0,
                  tfa: float = 80.0) -> tuple[ServicesResult, dict[str, list[int]]]:
    """``expand`` with a FallbackLog: the result and the estimate fallbacks the rows took
    (fallback id -> rows)."""
    table = pa.Table.from_pylist(list(rows), schema=CERTIFICATE_SCHEMA)
    log = FallbackLog(len(rows))
    result = expand_services(table, np.full(len(rows), roof), np.full(len(rows), tfa), log)
    used: dict[str, list[int]] = {}
    for fid, taken in zip(log.ids, log.rows, strict=True):
        used[fid] = sorted({*used.get(fid, []), *taken.tolist()})
    return result, used


def whole(row: dict[str, Any]) -> dict[str, Any]:
    """``row`` with a plain fabric (one 80 m2 storey, cavity walls, the main part's age band
    and roof, a lodged floor U-value) so that the whole expansion runs on it."""
    lodged = row["building_parts"][0]
    main = part(1, lodged["construction_age_band"], [storey("0", 80.0, 2.5, 36.0, 0, "1", "1")],
                main_wall=wall("4", "4"), roof=lodged["roof_construction"], floor_u=0.5)
    fabric = certificate([main], property_type=row["property_type"],
                         built_form=row["built_form"], rooms=row["habitable_room_count"])
    return {**fabric, **{k: v for k, v in row.items() if k != "building_parts"},
            "building_parts": fabric["building_parts"]}


def assert_strict_refuses_and_estimate_rates(row: dict[str, Any], *fallback_ids: str) -> None:
    """The whole expansion of ``row`` (with a plain fabric): strict mode refuses it with one
    problem per fallback, on the fallback's field and naming its id, and nothing else;
    estimate mode expands it with no problem, estimate true and exactly these assumptions."""
    table = pa.Table.from_pylist([whole(row)], schema=CERTIFICATE_SCHEMA)
    strict = expand_all(table, mode="strict")
    named = set()
    for _row, _cert, field, message in strict.problems:
        found = re.search(r"strict mode refuses; estimate mode would use fallback (\w+):",
                          message)
        assert found, (field, message)
        assert field == fallback(found.group(1)).field
        named.add(found.group(1))
    assert named == set(fallback_ids) and len(strict.problems) == len(fallback_ids)
    assert strict.refused.tolist() == [bool(fallback_ids)]
    assert strict.estimate.tolist() == [False]
    estimate = expand_all(table, mode="estimate")
    assert estimate.problems == []
    assert estimate.estimate.tolist() == [bool(fallback_ids)]
    assert sorted(estimate.assumptions[0].as_py()) == sorted(fallback_ids)


def test_base_certificate_needs_no_fallback() -> None:
    """The certificates below start from BASE: every item lodged, no fallback in either mode."""
    assert expand_logged(BASE)[1] == {}
    assert_strict_refuses_and_estimate_rates(BASE)


# ------------------------------------------------------------------ Table 5 extract fans
@pytest.mark.parametrize(("age", "rooms", "fans"), [
    *((band, 4, 0) for band in "ABCDE"), ("F", 4, 1), ("G", 9, 1),
    *((band, r, f) for band in "HM" for r, f in ((1, 1), (2, 1), (3, 2), (5, 2), (6, 3),
                                                  (8, 3), (9, 4), (20, 4))),
])
def test_extract_fan_default_by_age_and_rooms(age: str, rooms: int, fans: int) -> None:
    result = expand(cert(extract_fans_count=None, age=age, habitable_room_count=rooms))
    assert result.columns["intermittent_fans"].to_pylist() == [fans]
    assert any("Table 5 default" in a for a in assumptions(result))


@pytest.mark.parametrize(("age", "fans"), [("F", 0), ("G", 2), ("K", 2), ("M", 2)])
def test_extract_fan_default_park_home(age: str, fans: int) -> None:
    assert one("intermittent_fans", extract_fans_count=None, property_type="4", age=age) == fans


def test_extract_fan_park_home_before_f_has_no_default() -> None:
    result = expand(cert(extract_fans_count=None, property_type="4", age="C"))
    assert result.columns["intermittent_fans"].to_pylist() == [None]
    assert problems(result, "intermittent_fans")


@pytest.mark.parametrize("lodged", [0, 3, 7])
def test_lodged_extract_fans_are_used_as_lodged(lodged: int) -> None:
    # the default replaces an unknown count only; it is not a minimum (JK a9632937)
    assert one("intermittent_fans", extract_fans_count=lodged, age="M",
               habitable_room_count=12) == lodged


def test_extract_fans_unknown_age_band_is_a_problem() -> None:
    result = expand(cert(extract_fans_count=None, age="NR"))
    assert result.columns["intermittent_fans"].to_pylist() == [None]
    assert problems(result, "intermittent_fans")


def test_flues_and_chimneys_default_to_zero_when_not_lodged() -> None:
    result = expand(cert(open_chimneys_count=None, boilers_flues_count=2))
    cols = result.columns
    assert cols["open_chimneys"].to_pylist() == [0]
    assert cols["solid_fuel_boiler_flues"].to_pylist() == [2]
    assert cols["flueless_gas_fires"].to_pylist() == [0]


# ------------------------------------------------------------------ draught lobby (p.30)
@pytest.mark.parametrize(("ptype", "corridor", "lodged", "expected"), [
    ("2", "1", None, True),   # flat, heated corridor
    ("2", "2", None, True),   # flat, unheated corridor
    ("3", "3", None, True),   # maisonette, stairwell
    ("2", "2", False, True),  # the corridor rule holds for flats
    ("2", "0", None, False),  # flat, no corridor, not lodged: none
    ("2", "0", True, True),
    ("0", "2", None, False),  # house: no corridor rule; not lodged: none
    ("0", None, True, True),
    ("1", None, False, False),
])
def test_draught_lobby(ptype: str, corridor: str | None, lodged: bool | None,
                       expected: bool) -> None:
    assert one("draught_lobby", property_type=ptype, heat_loss_corridor=corridor,
               has_draught_lobby=lodged, flat_location="1") is expected


# ------------------------------------------------------------------ draught-proofing
def test_draughtproofing_lodged_percent_wins() -> None:
    assert one("draughtproofed_percent", percent_draughtproofed=35) == 35.0


def test_draughtproofing_from_windows_and_doors_when_no_percent() -> None:
    windows = [{"draught_proofed": True}, {"draught_proofed": True}, {"draught_proofed": False}]
    result = expand(cert(percent_draughtproofed=None, windows=windows, door_count=2,
                         draughtproofed_door_count=1))
    assert result.columns["draughtproofed_percent"].to_pylist() == [60.0]  # 3 of 5
    assert any("draught-proofing" in a for a in assumptions(result))


def test_draughtproofing_unknown_takes_the_declared_fallback() -> None:
    row = cert(percent_draughtproofed=None)
    result, used = expand_logged(row)
    assert used == {"draughtproofing_not_lodged": [0]}
    assert result.columns["draughtproofed_percent"].to_pylist() == [
        fallback("draughtproofing_not_lodged").value]
    assert not problems(result, "draughtproofed_percent")
    assert_strict_refuses_and_estimate_rates(row, "draughtproofing_not_lodged")


# ------------------------------------------------------------------ pressure test
@pytest.mark.parametrize(("test", "q50", "code", "value", "problem", "fallback_id"), [
    ("6", 3.5, 6, 3.5, False, None), ("6", 0.0, 6, 0.0, False, None),
    ("6", None, None, None, False, "pressure_test_without_result"),
    ("9", None, 4, None, True, None),  # not a code: invalid, refused in both modes
    ("4", None, 4, None, False, None), (None, None, 4, None, False, None),
    # 4 Pa pulse test: no q50 conversion in spec/: the SAP algorithm (declared fallback)
    ("7", 2.0, None, None, False, "pressure_test_pulse_not_converted"),
])
def test_pressure_test(test: str | None, q50: float | None, code: int | None,
                       value: float | None, problem: bool, fallback_id: str | None) -> None:
    """A measured test lodged without its result takes the declared fallback's code (the SAP
    algorithm; ``code`` None: the fallback's); a code outside the list is a problem."""
    row = cert(pressure_test=test, air_permeability_m3_per_h_m2=q50)
    result, used = expand_logged(row)
    expected = code if fallback_id is None else fallback(fallback_id).value
    assert result.columns["pressure_test"].to_pylist() == [expected]
    assert result.columns["air_permeability_q50"].to_pylist() == [value]
    assert bool(problems(result, "pressure_test")) is problem
    assert used == ({} if fallback_id is None else {fallback_id: [0]})
    if fallback_id is not None:
        assert_strict_refuses_and_estimate_rates(row, fallback_id)


# ------------------------------------------------------------------ sheltered sides (GAP)
@pytest.mark.parametrize(("ptype", "form", "location", "sides"), [
    ("0", "1", None, 2), ("0", "4", None, 2), ("1", "2", None, 2), ("4", "1", None, 2),
    ("2", "4", "-1", 4), ("2", "1", "0", 4), ("3", "1", "3", 4), ("2", "1", "4", 2),
    ("2", "1", "20+", 2),
])
def test_sheltered_sides_table_s5_lineage(ptype: str, form: str, location: str | None,
                                          sides: int) -> None:
    assert one("sheltered_sides", property_type=ptype, built_form=form,
               flat_location=location) == sides


def test_sheltered_sides_flat_without_location_is_a_problem() -> None:
    result = expand(cert(property_type="2", flat_location=None))
    assert result.columns["sheltered_sides"].to_pylist() == [None]
    assert problems(result, "sheltered_sides")


# ------------------------------------------------------------------ ventilation type
@pytest.mark.parametrize(("mech", "psv", "fans", "vtype"), [
    ("0", 0, 2, 1), ("0", 1, 0, 2), ("0", 2, 1, 10), ("1", 0, 0, 7), ("2", 0, 0, 6),
    ("3", 0, 0, 5), ("4", 0, 0, 8), ("5", 0, 0, 3), ("6", 0, 0, 4),
])
def test_ventilation_type(mech: str, psv: int, fans: int, vtype: int) -> None:
    assert one("ventilation_type", mechanical_ventilation=mech, psv_count=psv,
               extract_fans_count=fans) == vtype


@pytest.mark.parametrize(("mech", "efficiency"), [("4", 46.2), ("1", None)])  # MVHR, MV
def test_balanced_ventilation_gets_the_table_4g_default_efficiency_and_the_sfp_fallback(
        mech: str, efficiency: float | None) -> None:
    """MVHR: the SAP 10.2 Table 4g default efficiency (66 % x in-use factor 0.70); the SFP of
    balanced MV / MVHR is not in the transcribed Table 4g: the declared fallback."""
    row = cert(mechanical_ventilation=mech)
    result, used = expand_logged(row)
    assert result.columns["mvhr_efficiency_percent"].to_pylist() == [
        None if efficiency is None else pytest.approx(efficiency)]
    assert used == {"mechanical_ventilation_default_sfp_balanced": [0]}
    assert result.columns["mv_specific_fan_power"].to_pylist() == [
        fallback("mechanical_ventilation_default_sfp_balanced").value]
    assert not problems(result, "mv_specific_fan_power")
    assert_strict_refuses_and_estimate_rates(row, "mechanical_ventilation_default_sfp_balanced")


@pytest.mark.parametrize("mech", ["2", "3"])  # MEV decentralised, centralised
def test_mev_without_pcdb_gets_the_table_4g_default_sfp_times_its_in_use_factor(
        mech: str) -> None:
    result = expand(cert(mechanical_ventilation=mech))
    # SAP 10.2 Table 4g default 0.8 W/(l/s) x note 3 in-use factor for default data 2.5
    assert result.columns["mv_specific_fan_power"].to_pylist() == [pytest.approx(2.0)]
    assert not problems(result, "mv_specific_fan_power")
    assert any("Table 4g" in a for a in assumptions(result))


def test_mev_from_the_pcdb_and_piv_from_outside_take_the_declared_fallbacks() -> None:
    """MEV lodged by its PCDB index, no PCDB: the Table 4g default data of an MEV lodged
    without an index; PIV from outside: the declared SFP fallback."""
    row = cert(mechanical_ventilation="2", mechanical_ventilation_index_number="500123")
    pcdb, used = expand_logged(row)
    assert used == {"mechanical_ventilation_product_unavailable": [0]}
    assert pcdb.columns["mv_specific_fan_power"].to_pylist() == [
        one("mv_specific_fan_power", mechanical_ventilation="2")]
    assert not problems(pcdb, "mv_specific_fan_power")
    assert_strict_refuses_and_estimate_rates(row, "mechanical_ventilation_product_unavailable")
    row = cert(mechanical_ventilation="6")
    piv, used = expand_logged(row)
    assert used == {"mechanical_ventilation_default_sfp_piv": [0]}
    assert piv.columns["mv_specific_fan_power"].to_pylist() == [
        fallback("mechanical_ventilation_default_sfp_piv").value]
    assert not problems(piv, "mv_specific_fan_power")
    assert_strict_refuses_and_estimate_rates(row, "mechanical_ventilation_default_sfp_piv")


# ------------------------------------------------------------------ climate region
@pytest.mark.parametrize(("code", "country", "postcode", "region", "source"), [
    ("17", "ENG", "SW1A 2AA", 1, "Region-Code"), ("14", "ENG", None, 2, "Region-Code"),
    ("10", "NIR", "BT1 1AA", 21, "Region-Code"), ("18", "WLS", None, 13, "Region-Code"),
    ("9", "ENG", None, 8, "Region-Code"), ("21", "SCT", None, 18, "Region-Code"),
    (None, "NIR", None, 21, "Northern Ireland"), (None, "EAW", "BT7 1NN", 21,
                                                  "Northern Ireland"),
    (None, "ENG", "SW1A 2AA", 0, "region unknown: UK average"),
    ("22", None, "JE2 3AB", 0, "region unknown: UK average"),
    ("NR", "ENG", None, 0, "region unknown: UK average"),
])
def test_climate_region(code: str | None, country: str | None, postcode: str | None,
                        region: int, source: str) -> None:
    result = expand(cert(region_code=code, country_code=country, postcode=postcode))
    assert result.columns["climate_region"].to_pylist() == [region]
    assert result.audit["climate_region_source"].to_pylist()[0].startswith(source)


# ------------------------------------------------------------------ Table 29 cylinder
@pytest.mark.parametrize(("age", "ins_type", "mm", "pipework"), [
    *((band, 2, 12.0, 1) for band in "ABCDEF"), ("G", 1, 25.0, 1), ("H", 1, 25.0, 1),
    ("I", 1, 38.0, 1), ("J", 1, 38.0, 1), ("K", 1, 38.0, 4), ("L", 1, 38.0, 4),
    ("M", 1, 38.0, 4),
])
def test_inaccessible_cylinder_table_29_defaults(age: str, ins_type: int, mm: float,
                                                 pipework: int) -> None:
    result = expand(cert(age=age, **CYLINDER))
    cols = result.columns
    assert cols["hot_water_delivery"].to_pylist() == [3]
    assert cols["cylinder_volume_l"].to_pylist() == [110.0]
    assert cols["cylinder_insulation_type"].to_pylist() == [ins_type]
    assert cols["cylinder_insulation_mm"].to_pylist() == [mm]
    assert cols["primary_pipework_insulation"].to_pylist() == [pipework]
    assert cols["primary_loss_applies"].to_pylist() == [True]
    assert any("Table 29" in a for a in assumptions(result))


@pytest.mark.parametrize(("size", "measured", "volume"), [
    ("2", None, 110.0), ("3", None, 160.0), ("4", None, 210.0), ("6", 123.0, 123.0)])
def test_cylinder_volume_by_size_code(size: str, measured: float | None, volume: float) -> None:
    result = expand(cert(**dict(CYLINDER, cylinder_size=size, cylinder_size_measured_l=measured,
                                cylinder_insulation_type="1",
                                cylinder_insulation_thickness="50")))
    assert result.columns["cylinder_volume_l"].to_pylist() == [volume]
    assert result.columns["cylinder_insulation_mm"].to_pylist() == [50.0]
    assert result.columns["cylinder_insulation_type"].to_pylist() == [1]


def test_uninsulated_cylinder_is_a_loose_jacket_of_zero_mm() -> None:
    result = expand(cert(**dict(CYLINDER, cylinder_size="2", cylinder_insulation_type="0")))
    assert result.columns["cylinder_insulation_mm"].to_pylist() == [0.0]


def test_inaccessible_cylinder_volume_solid_fuel_and_dual_immersion() -> None:
    solid = cert(**dict(CYLINDER, main={"sap_main_heating_code": "151", "main_fuel_type": "5"}))
    dual = cert(**dict(CYLINDER, water_heating_code="903", water_heating_fuel="29",
                       immersion_heating_type="1", meter_type="1"))
    result = expand(solid, dual)
    assert result.columns["cylinder_volume_l"].to_pylist() == [160.0, 210.0]
    assert result.columns["immersion_type"].to_pylist() == [None, 2]


def test_cylinder_thermostat_not_lodged_takes_the_declared_fallback() -> None:
    """A boiler-fed cylinder without a lodged thermostat: the fallback's thermostat (present);
    the boiler interlock then follows from it (no interlock fallback needed)."""
    row = cert(**dict(CYLINDER, cylinder_thermostat=None))
    result, used = expand_logged(row)
    assert used == {"cylinder_thermostat_not_lodged": [0]}
    assert result.columns["cylinder_thermostat"].to_pylist() == [
        fallback("cylinder_thermostat_not_lodged").value == 1]
    assert result.columns["main1_interlock"].to_pylist() == [
        expand(cert(**CYLINDER)).columns["main1_interlock"].to_pylist()[0]]
    assert not problems(result, "cylinder_thermostat")
    assert_strict_refuses_and_estimate_rates(row, "cylinder_thermostat_not_lodged")


# ------------------------------------------------------------------ water heating
def test_combi_without_cylinder() -> None:
    result = expand(cert())
    cols = result.columns
    assert cols["hot_water_delivery"].to_pylist() == [2]
    assert cols["cylinder_volume_l"].to_pylist() == [None]
    assert cols["water_heating_code"].to_pylist() == [901]
    assert cols["water_heating_fuel"].to_pylist() == [1]
    assert cols["hot_water_separately_timed"].to_pylist() == [None]


def test_regular_boiler_without_cylinder_takes_the_no_access_cylinder_fallback() -> None:
    """A regular boiler (102) heating water with no cylinder lodged: the declared fallback is a
    cylinder with the Table 29 'no access' defaults, i.e. what Cylinder-Size 0 (no access)
    gives; its thermostat is not lodged either."""
    row = cert(main={"sap_main_heating_code": "102"})
    result, used = expand_logged(row)
    assert used == {"cylinder_not_lodged": [0], "cylinder_thermostat_not_lodged": [0]}
    assert result.problems == []
    no_access = expand(cert(main={"sap_main_heating_code": "102"}, cylinder_size="0"))
    for name in ("hot_water_delivery", "cylinder_volume_l", "cylinder_insulation_type",
                 "cylinder_insulation_mm", "primary_pipework_insulation",
                 "primary_loss_applies"):
        assert result.columns[name].to_pylist() == no_access.columns[name].to_pylist(), name
    assert result.columns["hot_water_delivery"].to_pylist() == [3]
    assert_strict_refuses_and_estimate_rates(row, "cylinder_not_lodged",
                                             "cylinder_thermostat_not_lodged")


@pytest.mark.parametrize(("code", "delivery"), [("909", 1), ("907", 1)])
def test_point_of_use_water_heaters(code: str, delivery: int) -> None:
    result = expand(cert(water_heating_code=code, water_heating_fuel="29"))
    assert result.columns["hot_water_delivery"].to_pylist() == [delivery]
    assert result.columns["primary_loss_applies"].to_pylist() == [None]


def test_no_water_heating_system_is_an_immersion_on_standard_electricity() -> None:
    result = expand(cert(water_heating_code="999", water_heating_fuel="0", meter_type="1"))
    cols = result.columns
    assert cols["water_heating_code"].to_pylist() == [903]
    assert cols["water_heating_fuel"].to_pylist() == [30]
    assert cols["hot_water_delivery"].to_pylist() == [3]
    assert cols["cylinder_volume_l"].to_pylist() == [110.0]
    assert cols["primary_loss_applies"].to_pylist() == [False]
    assert cols["immersion_type"].to_pylist() == [1]
    assert cols["cylinder_insulation_mm"].to_pylist() == [25.0]  # band H, Table 29
    assert any("none present" in a for a in assumptions(result))
    assert not problems(result, "cylinder_thermostat")


@pytest.mark.parametrize(("rdsap", "sap"), [("1", 2), ("2", 1)])
def test_immersion_type_codes(rdsap: str, sap: int) -> None:
    assert one("immersion_type", **dict(CYLINDER, water_heating_code="903",
                                        water_heating_fuel="29", cylinder_size="2",
                                        immersion_heating_type=rdsap)) == sap


@pytest.mark.parametrize(("main", "water", "applies"), [
    ("102", "901", True),   # regular boiler, primary pipework
    ("104", "901", False),  # combi (Table 3 zero-loss list)
    ("120", "901", False),  # CPSU
    ("191", "901", False),  # direct-acting electric boiler
    ("102", "903", False),  # electric immersion
    ("102", "911", True),   # gas boiler/circulator for water heating only
])
def test_primary_loss_zero_loss_list(main: str, water: str, applies: bool) -> None:
    result = expand(cert(**dict(CYLINDER, cylinder_size="2", main={"sap_main_heating_code": main},
                                water_heating_code=water)))
    assert result.columns["primary_loss_applies"].to_pylist() == [applies]


@pytest.mark.parametrize(("code", "timed", "takes_fallback"), [
    ("102", True, False), ("101", True, False), ("126", True, False),
    ("115", False, False), ("117", False, False),
    ("151", None, True)])  # solid fuel: not classed by age: the fallback's
def test_hot_water_separately_timed(code: str, timed: bool | None,
                                    takes_fallback: bool) -> None:
    row = cert(**dict(CYLINDER, main={"sap_main_heating_code": code}))
    result, used = expand_logged(row)
    expected = fallback("hot_water_timing_not_established").value == 1 if takes_fallback \
        else timed
    assert result.columns["hot_water_separately_timed"].to_pylist() == [expected]
    assert not problems(result, "hot_water_separately_timed")
    assert used == ({"hot_water_timing_not_established": [0]} if takes_fallback else {})
    if takes_fallback:
        assert_strict_refuses_and_estimate_rates(row, "hot_water_timing_not_established")


# ------------------------------------------------------------------ interlock (p.57)
@pytest.mark.parametrize(("control", "extra", "expected"), [
    ("2104", {}, True), ("2106", {}, True), ("2113", {}, True), ("2110", {}, True),
    ("2101", {}, False), ("2102", {}, False), ("2107", {}, False), ("2111", {}, False),
    ("2106", CYLINDER, True),
    ("2106", dict(CYLINDER, cylinder_thermostat=False), False),
    ("2101", dict(CYLINDER, cylinder_thermostat=True), False),
    # thermostat not lodged: the cylinder-thermostat fallback (present) establishes it
    ("2106", dict(CYLINDER, cylinder_thermostat=None), True),
])
def test_boiler_interlock(control: str, extra: dict[str, Any], expected: bool | None) -> None:
    row = cert(**extra)
    row["main_heating"][0]["main_heating_control"] = control
    result, used = expand_logged(row)
    assert result.columns["main1_interlock"].to_pylist() == [expected]
    assert "boiler_interlock_not_established" not in used


def test_boiler_interlock_not_established_takes_the_declared_fallback() -> None:
    """A boiler's control code outside Table 4e group 1 (here a heat-network code): whether
    it has a room thermostat is not known, so neither is the interlock: the fallback's."""
    row = cert()
    row["main_heating"][0]["main_heating_control"] = "2306"
    result, used = expand_logged(row)
    assert used == {"boiler_interlock_not_established": [0]}
    assert result.columns["main1_interlock"].to_pylist() == [
        fallback("boiler_interlock_not_established").value == 1]
    assert_strict_refuses_and_estimate_rates(row, "boiler_interlock_not_established")


def test_interlock_is_not_set_for_systems_other_than_boilers() -> None:
    result = expand(cert(main={"sap_main_heating_code": "402", "main_heating_category": "7",
                               "main_fuel_type": "29", "main_heating_control": "2402"},
                         meter_type="1"))
    assert result.columns["main1_interlock"].to_pylist() == [None]
    assert result.columns["main1_has_circulation_pump"].to_pylist() == [False]


# ------------------------------------------------------------------ tariff (section 12)
ELECTRIC = {"main_fuel_type": "29", "main_heating_control": "2699"}


@pytest.mark.parametrize(("meter", "main", "water", "tariff"), [
    ("2", {"sap_main_heating_code": "402", **ELECTRIC}, {}, 1),            # single
    ("4", {}, {}, 4), ("5", {}, {}, 5), ("6", {}, {}, 3),                   # meter decides
    ("1", {"sap_main_heating_code": "192", **ELECTRIC}, {}, 3),             # rule 1 CPSU
    ("1", {"sap_main_heating_code": "402", **ELECTRIC}, {}, 2),             # rule 2 storage
    ("1", {"sap_main_heating_code": "193", **ELECTRIC}, {}, 2),             # dry core
    ("1", {"sap_main_heating_code": "421", **ELECTRIC}, {}, 2),             # underfloor
    ("1", {"sap_main_heating_code": "191", **ELECTRIC}, {}, 3),             # rule 3
    ("1", {"sap_main_heating_code": "211", **ELECTRIC}, {}, 3),             # heat pump
    ("1", {"sap_main_heating_code": None, "main_heating_category": "4",
           "main_heating_data_source": "1", **ELECTRIC}, {}, 3),           # PCDB heat pump
    ("1", {"sap_main_heating_code": "691", "main_heating_category": "10", **ELECTRIC}, {},
     3),                                                                     # room heaters
    ("1", {}, {}, 2),                                                        # rule 4 (gas)
    ("3", {"sap_main_heating_code": "402", **ELECTRIC}, {}, 2),             # unknown, storage
    ("3", {}, {}, 1),                                                        # unknown, gas
    (None, {}, {}, 1),
    ("3", {}, {"water_heating_code": "903", "immersion_heating_type": "1",
               "cylinder_size": "2"}, 2),                                   # dual immersion
    ("3", {}, {"water_heating_code": "903", "immersion_heating_type": "2",
               "cylinder_size": "2"}, 1),                                   # single immersion
])
def test_electricity_tariff(meter: str | None, main: dict[str, Any], water: dict[str, Any],
                            tariff: int) -> None:
    assert one("electricity_tariff", meter_type=meter, main=main, **water) == tariff


@pytest.mark.parametrize(("meter", "code"), [("2", 30), ("1", 39), ("6", 39), ("4", 35),
                                             ("5", 40)])
def test_electric_fuel_code_by_tariff(meter: str, code: int) -> None:
    assert one("main1_fuel", meter_type=meter, main={"sap_main_heating_code": "691",
                                                     "main_heating_category": "10",
                                                     **ELECTRIC}) == code


@pytest.mark.parametrize(("rdsap", "sap"), [("26", 1), ("27", 2), ("3", 3), ("28", 4),
                                            ("5", 15), ("6", 20), ("7", 23), ("33", 11),
                                            ("15", 12), ("9", 10), ("17", 9), ("51", 7),
                                            ("38", 5), ("20", 51)])
def test_fuel_crosswalk(rdsap: str, sap: int) -> None:
    assert one("main1_fuel", main={"main_fuel_type": rdsap}) == sap


def test_fuel_without_a_sap_code_is_a_problem() -> None:
    result = expand(cert(main={"main_fuel_type": "12"}))
    assert result.columns["main1_fuel"].to_pylist() == [None]
    assert problems(result, "main1_fuel")


# ------------------------------------------------------------------ heating columns
def test_main_heating_columns() -> None:
    cols = expand(cert()).columns
    assert cols["main1_code"].to_pylist() == [104]
    assert cols["main1_control"].to_pylist() == [2106]
    assert cols["main1_category"].to_pylist() == [2]
    assert cols["main1_emitter"].to_pylist() == [1]
    assert cols["main1_pump_age"].to_pylist() == [2]
    assert cols["main1_fan_flue"].to_pylist() == [True]
    assert cols["main1_has_circulation_pump"].to_pylist() == [True]
    assert cols["main1_pump_in_heated_space"].to_pylist() == [True]
    assert cols["main1_fraction"].to_pylist() == [1.0]
    assert cols["main2_code"].to_pylist() == [None]
    assert cols["rating_method"].to_pylist() == [2]


@pytest.mark.parametrize(("rdsap", "sap"), [("1", 1), ("2", 2), ("3", 4), ("4", 3), ("0", None)])
def test_emitter_codes(rdsap: str, sap: int | None) -> None:
    assert one("main1_emitter", main={"heat_emitter_type": rdsap}) == sap


def test_two_main_systems_and_fractions() -> None:
    row = cert()
    row["main_heating"] = [dict(row["main_heating"][0], main_heating_fraction=0.7),
                           dict(row["main_heating"][0], main_heating_number=2,
                                sap_main_heating_code="691", main_fuel_type="29",
                                main_heating_category="10", main_heating_fraction=None)]
    cols = expand(row).columns
    assert cols["main2_code"].to_pylist() == [691]
    assert cols["main1_fraction"].to_pylist() == [0.7]
    assert cols["main2_fraction"].to_pylist() == [pytest.approx(0.3)]
    assert cols["main2_has_circulation_pump"].to_pylist() == [False]


def test_no_main_heating_is_electric_heaters_699() -> None:
    result = expand(cert(main_heating=[]))
    cols = result.columns
    assert (cols["main1_code"].to_pylist(), cols["main1_fuel"].to_pylist(),
            cols["main1_control"].to_pylist()) == ([699], [30], [2699])


def _boiler_rule(fuel_group: str, fan_flue: str, combi: str) -> int:
    (code,) = [int(r["sap_code"]) for r in read_table("estimate_boiler_codes.csv")
               if (r["fuel_group"], r["fan_flue"], r["combi"]) == (fuel_group, fan_flue, combi)]
    return code


PCDB_BOILER = {"sap_main_heating_code": None, "main_heating_data_source": "1",
               "main_heating_index_number": "17507"}


@pytest.mark.parametrize(("changes", "rule"), [
    ({"main": PCDB_BOILER}, ("gas", "yes", "yes")),  # mains gas combi, fan flue
    ({"main": dict(PCDB_BOILER, fan_flue_present=False)}, ("gas", "no", "yes")),
    ({"main": dict(PCDB_BOILER, fan_flue_present=None)}, ("gas", "unknown", "yes")),
    ({"main": dict(PCDB_BOILER, main_fuel_type="27")}, ("gas", "yes", "yes")),  # LPG
    ({"main": dict(PCDB_BOILER, main_fuel_type="28")}, ("oil", "yes", "yes")),
    ({**CYLINDER, "main": PCDB_BOILER}, ("gas", "yes", "no")),  # feeds a cylinder: regular
    ({**CYLINDER, "main": dict(PCDB_BOILER, fan_flue_present=False)}, ("gas", "no", "no")),
])
def test_pcdb_boiler_without_sap_code_takes_the_table_4b_row_of_the_declared_fallback(
        changes: dict[str, Any], rule: tuple[str, str, str]) -> None:
    """A gas / LPG / oil boiler lodged by its PCDB index only, no PCDB: the Table 4b row that
    spec/tables/estimate_boiler_codes.csv picks from the fuel, the fan-assisted flue and
    whether it heats water without a cylinder (e.g. a gas combi without a fan flue: 118)."""
    row = cert(**changes)
    result, used = expand_logged(row)
    assert used == {"boiler_product_unavailable": [0]}
    assert result.columns["main1_code"].to_pylist() == [_boiler_rule(*rule)]
    assert result.problems == []
    assert_strict_refuses_and_estimate_rates(row, "boiler_product_unavailable")


def test_pcdb_heat_pump_without_sap_code_takes_the_declared_table_4a_row() -> None:
    """An electric heat pump lodged by PCDB index only: fallback
    ``heat_pump_product_unavailable`` writes its Table 4a code as a system without product
    data (data source 2: Table 4a's pump gain, Appendix N3.1)."""
    row = cert(main={"sap_main_heating_code": None, "main_heating_category": "4",
                     "main_heating_data_source": "1", **ELECTRIC})
    result, used = expand_logged(row)
    code = int(fallback("heat_pump_product_unavailable").value)
    assert result.columns["main1_code"].to_pylist() == [code]
    assert not problems(result, "main1_code")
    assert used["heat_pump_product_unavailable"] == [0]
    assert result.columns["main1_pump_in_heated_space"].to_pylist() == [True]


def test_pcdb_system_of_another_kind_without_sap_code_is_a_problem() -> None:
    """No fallback is declared for other PCDB systems (a gas-fired heat pump here): refused
    by name in both modes."""
    result, used = expand_logged(cert(main={"sap_main_heating_code": None,
                                            "main_heating_category": "4",
                                            "main_heating_data_source": "1",
                                            "main_fuel_type": "26"}))
    assert result.columns["main1_code"].to_pylist() == [None]
    assert problems(result, "main1_code")
    assert not set(used) & {"boiler_product_unavailable", "heat_pump_product_unavailable"}


def test_heat_pump_pumps() -> None:
    table = expand(cert(main={"sap_main_heating_code": "211", "main_heating_category": "4",
                              **ELECTRIC}),
                   cert(main={"sap_main_heating_code": None, "main_heating_category": "4",
                              "main_heating_data_source": "1", **ELECTRIC}))
    assert table.columns["main1_has_circulation_pump"].to_pylist() == [False, False]
    # the second, lodged by PCDB index only, takes the Table 4a fallback row: a Table 4a
    # heat pump keeps the pump gain (Appendix N3.1)
    assert table.columns["main1_pump_in_heated_space"].to_pylist() == [True, True]


def test_secondary_heating() -> None:
    cols = expand(cert(secondary_heating_type="691", secondary_fuel_type="29")).columns
    assert (cols["secondary_code"].to_pylist(), cols["secondary_fuel"].to_pylist()) == (
        [691], [30])
    # fuel without heater type: the declared fallback leaves the secondary system out
    row = cert(secondary_fuel_type="25")
    result, used = expand_logged(row)
    assert used == {"secondary_type_not_lodged": [0]}
    assert (result.columns["secondary_code"].to_pylist(),
            result.columns["secondary_fuel"].to_pylist()) == ([None], [None])
    assert not problems(result, "secondary_code")
    assert_strict_refuses_and_estimate_rates(row, "secondary_type_not_lodged")


def test_warm_air_fan_sfp_default() -> None:
    result = expand(cert(main={"sap_main_heating_code": "502", "main_heating_category": "9"}))
    assert result.columns["warm_air_fan_sfp"].to_pylist() == [1.5]


# ------------------------------------------------------------------ showers and baths
def test_showers_electric_and_mixer() -> None:
    outlets = [{"shower_outlet_type": "2"}, {"shower_outlet_type": "1"},
               {"shower_outlet_type": "4"}]
    # a mixer fed by a combi: Table J4 not transcribed: the declared fallback's flow
    row = cert(shower_outlets=outlets)
    combi, used = expand_logged(row)
    assert used == {"mixer_shower_flow": [0]}
    assert combi.columns["showers"].to_pylist() == [[
        {"outlet_type": 4, "flow_rate_l_per_min": None, "power_kw": None},
        {"outlet_type": 3, "flow_rate_l_per_min": fallback("mixer_shower_flow").value,
         "power_kw": None}]]
    assert not problems(combi, "showers.flow_rate_l_per_min")
    assert_strict_refuses_and_estimate_rates(row, "mixer_shower_flow")
    # a mixer fed from a vented store: the worksheet fixtures' 7 l/min, no fallback
    stored, used = expand_logged(cert(shower_outlets=outlets,
                                      **dict(CYLINDER, cylinder_size="2")))
    assert "mixer_shower_flow" not in used
    assert stored.columns["showers"].to_pylist()[0][1] == {
        "outlet_type": 1, "flow_rate_l_per_min": 7.0, "power_kw": None}
    assert not problems(stored, "showers.flow_rate_l_per_min")
    assert any("mixer shower" in a for a in assumptions(stored))


def test_showers_without_baths_lodged_take_the_declared_bath_count_and_wwhrs() -> None:
    row = cert(number_baths=None,
               shower_outlets=[{"shower_outlet_type": "1", "shower_wwhrs": "2"}])
    result, used = expand_logged(row)
    assert used["bath_count_not_lodged"] == [0]
    assert result.columns["bath_count"].to_pylist() == [fallback("bath_count_not_lodged").value]
    assert not problems(result, "bath_count")
    # a mixer drains to WWHRS 1, lodged without an index (no PCDB product): left out
    assert used["wwhrs_ignored"] == [0]
    assert result.columns["wwhrs"].to_pylist() == [False]
    # the mixer is combi-fed too (test_showers_electric_and_mixer)
    assert_strict_refuses_and_estimate_rates(row, "bath_count_not_lodged", "mixer_shower_flow",
                                             "wwhrs_ignored")


# ------------------------------------------------------------------ lighting
@pytest.mark.parametrize(("counts", "expected"), [
    ((3, 0, None, 2), [{"count": 3, "power_w": 9.0, "efficacy_lm_per_w": 100.0},
                       {"count": 2, "power_w": 60.0, "efficacy_lm_per_w": 11.2}]),
    ((None, 4, 5, None), [{"count": 4, "power_w": 19.0, "efficacy_lm_per_w": 55.0},
                          {"count": 5, "power_w": 15.0, "efficacy_lm_per_w": 80.0}]),
    ((0, 0, 0, 0), []),
    ((None, None, None, None), None),
])
def test_fixed_lighting(counts: tuple[int | None, ...], expected: list[Any] | None) -> None:
    names = ("led", "cfl", "low_energy", "incandescent")
    changes = {f"{name}_fixed_lighting_bulbs_count": v for name, v in zip(names, counts,
                                                                          strict=True)}
    assert one("fixed_lighting", **changes) == expected


# ------------------------------------------------------------------ PV (section 11.1 b)
def test_pv_from_percent_of_pitched_roof() -> None:
    result = expand(cert(pv_percent_roof_area=40, pv_connection="2"), roof=36.9)
    (array,) = result.columns["pv_arrays"].to_pylist()[0]
    expected = 0.12 * 36.9 * 0.40 / math.cos(math.radians(35))
    assert expected == pytest.approx(2.1622, abs=1e-4)
    assert array == {"peak_power_kw": 2.16, "orientation": 5, "tilt_deg": 30.0,
                     "overshading": 2, "overshading_factor": None}
    assert result.columns["pv_connected_to_dwelling_meter"].to_pylist() == [True]


def test_pv_from_percent_of_flat_roof_has_no_pitch_division() -> None:
    result = expand(cert(pv_percent_roof_area=40, pv_connection="1", roof="1"), roof=36.9)
    assert result.columns["pv_arrays"].to_pylist()[0][0]["peak_power_kw"] == 1.77  # 1.7712
    assert result.columns["pv_connected_to_dwelling_meter"].to_pylist() == [False]


def test_pv_arrays_as_lodged() -> None:
    arrays = [{"peak_power_kw": 3.5, "orientation": "6", "pitch": "3", "overshading": "1"},
              {"peak_power_kw": 1.0, "orientation": "ND", "pitch": "1", "overshading": "2"}]
    result, used = expand_logged(cert(pv_arrays=arrays, pv_connection="2"),
                                 cert(pv_percent_roof_area=50), cert())
    none = {"overshading_factor": None}  # Table H2 by code (none declared)
    assert result.columns["pv_arrays"].to_pylist() == [
        [{"peak_power_kw": 3.5, "orientation": 6, "tilt_deg": 45.0, "overshading": 1, **none},
         {"peak_power_kw": 1.0, "orientation": 9, "tilt_deg": 0.0, "overshading": 2, **none}],
        [{"peak_power_kw": 2.93, "orientation": 5, "tilt_deg": 30.0, "overshading": 2,
          **none}],
        []]
    # row 1: PV-Connection not lodged: the declared fallback (connected to the dwelling)
    assert used == {"pv_connection_not_lodged": [1]}
    assert result.columns["pv_connected_to_dwelling_meter"].to_pylist() == [
        True, fallback("pv_connection_not_lodged").value == 1, None]
    assert not problems(result, "pv_connected_to_dwelling_meter")


def test_battery_capacity() -> None:
    """Lodged capacities are summed; a count without capacities takes the schema's default
    capacity per battery (declared fallback pv_battery_capacity_not_lodged: 5 kWh)."""
    result, used = expand_logged(cert(pv_battery_count=2, pv_battery_capacities_kwh=[5.0, 2.5]),
                                 cert(pv_battery_count=1))
    assert result.columns["battery_capacity_kwh"].to_pylist() == [
        7.5, fallback("pv_battery_capacity_not_lodged").value]
    assert not [p.row for p in result.problems if p.field == "battery_capacity_kwh"]
    assert used == {"pv_battery_capacity_not_lodged": [1]}


def test_cooling_solar_and_unsupported_generators() -> None:
    """Wind turbines and hydro are not calculator inputs: the declared fallbacks leave them
    out (the PV arrays are as lodged). A PV diverter is written as lodged (SAP 10.2 Appendix
    G4: the calculator applies its conditions)."""
    rows = (cert(has_fixed_air_conditioning=True, solar_water_heating=True,
                 wind_turbines_count=1),
            cert(hydro_electric_generation_kwh_per_yr=500.0), cert(pv_diverter=True))
    result, used = expand_logged(*rows)
    assert result.columns["space_cooling"].to_pylist() == [True, False, False]
    assert result.columns["solar_water_heating"].to_pylist() == [True, False, False]
    assert used == {"wind_turbine_ignored": [0], "hydro_ignored": [1]}
    assert result.columns["pv_diverter"].to_pylist() == [None, None, True]
    assert result.columns["pv_arrays"].to_pylist() == [[], [], []]
    assert result.problems == []
    assert_strict_refuses_and_estimate_rates(rows[0], "wind_turbine_ignored")


COMMUNITY = {"main_heating_category": "6", "main_fuel_type": "20",
             "sap_main_heating_code": "301", "main_heating_data_source": "2"}


@pytest.mark.parametrize(("changes", "band"), [
    ({"main": COMMUNITY, "water_heating_fuel": "20"}, 8),  # band H main part -> 8
    ({"main": COMMUNITY, "age": "B", "water_heating_fuel": "20"}, 2),
    ({"water_heating_code": "950", "water_heating_fuel": "20"}, 8),  # hot water only
])
def test_heat_network_age_band_is_the_main_parts(changes: dict[str, Any], band: int) -> None:
    """A heat network main (301) or hot-water-only network (950): heat_network_age_band =
    the main part's age band (A = 1 ... M = 13) for the Table 12c DLF; the community fuel
    20 maps to Table 12 code 51 (heat from gas boilers)."""
    result = expand(cert(**changes))
    assert problems(result, "heat_network_age_band") == []
    assert result.columns["heat_network_age_band"].to_pylist() == [band]
    if "main" in changes:
        assert one("main1_code", **changes) == 301 and one("main1_fuel", **changes) == 51
    else:
        assert one("water_heating_code", **changes) == 950
        assert one("water_heating_fuel", **changes) == 51


def test_no_heat_network_no_age_band_and_unknown_band_is_a_problem() -> None:
    assert one("heat_network_age_band") is None
    result = expand(cert(main=COMMUNITY, age=None, water_heating_fuel="20"))
    assert problems(result, "heat_network_age_band") == [
        "heat network without the main part's age band: null written"]
