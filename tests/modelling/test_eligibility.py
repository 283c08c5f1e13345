from typing import Any

import pytest

from ara.modelling import candidate_options
from tests.modelling.helpers import cert, certs, dwelling, flags, inputs


def run(d: dict[str, Any] | None = None, c: dict[str, Any] | None = None,
        **flag_kw: bool) -> tuple[set[str], dict[str, str]]:
    opts, rejs = candidate_options(inputs(d or dwelling()), certs(c or cert()),
                                   flags(**flag_kw))
    return {o.measure_type for o in opts}, {r.measure_type: r.reason for r in rejs}


def test_cavity_wall_gets_cavity_fill_only() -> None:
    offered, rejected = run(c=cert(wall="4"))
    assert "cavity_wall_fill" in offered
    assert {"internal_wall_insulation", "external_wall_insulation"} <= set(rejected)


def test_solid_brick_gets_iwi_and_ewi_with_ventilation_dependency() -> None:
    opts, _ = candidate_options(inputs(dwelling()), certs(cert(wall="3")), flags())
    walls = {o.measure_type: o for o in opts}
    assert {"internal_wall_insulation", "external_wall_insulation"} <= set(walls)
    assert walls["internal_wall_insulation"].requires == ("mechanical_ventilation",)
    assert "mechanical_ventilation" in walls


def test_system_built_gets_iwi_and_ewi() -> None:
    offered, _ = run(c=cert(wall="8"))
    assert {"internal_wall_insulation", "external_wall_insulation"} <= offered


def test_timber_frame_iwi_only() -> None:
    offered, rejected = run(c=cert(wall="5"))
    assert "internal_wall_insulation" in offered
    assert "timber frame" in rejected["external_wall_insulation"]


@pytest.mark.parametrize("wall", ["1", "2", "9"])
def test_stone_and_cob_no_wall_insulation(wall: str) -> None:
    offered, rejected = run(c=cert(wall=wall))
    assert not offered & {"internal_wall_insulation", "external_wall_insulation",
                          "cavity_wall_fill"}
    assert "no wall insulation" in rejected["internal_wall_insulation"]


def test_insulated_wall_not_offered() -> None:
    offered, rejected = run(c=cert(wall="4", insulation="2"))
    assert "cavity_wall_fill" not in offered
    assert "not as built" in rejected["cavity_wall_fill"]


def test_conservation_area_blocks_ewi_and_double_glazing() -> None:
    offered, rejected = run(conservation=True)
    assert "internal_wall_insulation" in offered
    assert "conservation area" in rejected["external_wall_insulation"]
    assert "secondary_glazing" in offered and "double_glazing" not in offered


def test_flat_no_ewi_no_heat_pump() -> None:
    offered, rejected = run(c=cert(property_type="2"))
    assert "flat" in rejected["external_wall_insulation"]
    assert "air_source_heat_pump" not in offered


@pytest.mark.parametrize("flag", ["listed", "heritage"])
def test_listed_or_heritage_blocks_wall_insulation_and_heat_pump(flag: str) -> None:
    offered, rejected = run(**{flag: True})
    assert not offered & {"internal_wall_insulation", "external_wall_insulation",
                          "air_source_heat_pump", "double_glazing"}
    assert "listed" in rejected["internal_wall_insulation"]
    assert "secondary_glazing" in offered


def test_loft_only_when_low() -> None:
    assert "loft_insulation" in run()[0]
    offered, rejected = run(c=cert(roof_mm="270mm"))
    assert "loft_insulation" not in offered and "already" in rejected["loft_insulation"]


def test_roof_type_selects_roof_measure() -> None:
    assert "sloping_ceiling_insulation" in run(c=cert(roof="8"))[0]
    assert "flat_roof_insulation" in run(c=cert(roof="1"))[0]
    offered, _ = run(c=cert(roof="5"))
    assert not offered & {"loft_insulation", "sloping_ceiling_insulation",
                          "flat_roof_insulation"}


def test_floor_draught_glazing_lighting_cylinder_secondary() -> None:
    offered, _ = run()
    assert {"floor_insulation", "draught_proofing", "double_glazing", "led_lighting",
            "cylinder_insulation", "secondary_heating_removal", "solar_pv",
            "air_source_heat_pump"} - offered == set()
    d = dwelling(draughtproofed_percent=100.0, secondary_code=None, pv_arrays=[
        {"peak_power_kw": 2.0, "orientation": 5, "tilt_deg": 30.0, "overshading": 2}])
    d["openings"] = [o for o in d["openings"] if o["u_value"] < 4.0]
    d["fixed_lighting"] = [{"count": 8, "power_w": 7.0, "efficacy_lm_per_w": 100.0}]
    offered, rejected = run(d)
    assert not offered & {"draught_proofing", "double_glazing", "led_lighting", "solar_pv",
                          "secondary_heating_removal"}
    assert "single-glazed" in rejected["double_glazing"]


def test_controls_only_when_poor() -> None:
    assert "heating_controls" in run(dwelling(main1_control=2102))[0]
    assert "controls already good" in run()[1]["heating_controls"]


def test_heat_pump_not_offered_to_heat_pump() -> None:
    offered, rejected = run(dwelling(main1_code=211, main1_fuel=30))
    assert "already a heat pump" in rejected["air_source_heat_pump"]


def test_gas_boiler_like_for_like_only_for_non_condensing_gas() -> None:
    assert "condensing_gas_boiler" not in run()[0]  # already a condensing combi
    assert "condensing_gas_boiler" in run(dwelling(main1_code=101))[0]


def test_allowed_filters_and_pv_sized_from_own_roof() -> None:
    opts, _ = candidate_options(inputs(dwelling()), certs(cert()), flags(),
                                allowed={"solar_pv"})
    assert [o.measure_type for o in opts] == ["solar_pv"]
    assert opts[0].option_id.startswith("solar_pv:5.04kWp:o5:t30")  # 0.12 x 42 m2 roof
