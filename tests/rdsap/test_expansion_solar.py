"""Solar water heating in the services expansion: the lodged Solar-Water-Heating-Details,
else the RdSAP 10 Table 29 'Solar panel' row and the store rules
(spec/tables/rdsap10_table29_solar_water_heating_defaults.csv), each listed in the row's
audit; and a certificate with solar water heating rated end to end."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
from test_expansion_services_rules import (
    CYLINDER,
    assumptions,
    cert,
    expand,
    expand_logged,
    whole,
)

from ara.rdsap.expansion import expand as expand_all
from ara.rdsap.readers import CERTIFICATE_SCHEMA
from ara.sap import calculate
from ara.sap.tables import read_table

T29 = {r["parameter"]: float(r["value"])
       for r in read_table("rdsap10_table29_solar_water_heating_defaults.csv")}
SOLAR_COLUMNS = ("solar_aperture_area_m2", "solar_zero_loss_efficiency", "solar_a1_w_per_m2k",
                 "solar_a2_w_per_m2k2", "solar_loop_efficiency",
                 "solar_incidence_angle_modifier", "solar_orientation", "solar_tilt_deg",
                 "solar_overshading", "solar_loop_heat_loss_w_per_k",
                 "solar_dedicated_volume_l", "solar_combined_cylinder", "solar_pump_electric")


def columns(*rows: dict[str, Any]) -> dict[str, list[Any]]:
    result = expand(*rows)
    return {name: result.columns[name].to_pylist() for name in
            ("solar_water_heating", *SOLAR_COLUMNS)}


def test_flag_only_takes_the_table_29_panel_and_a_separate_store() -> None:
    """A combi (no cylinder) with 'solar water heating present' and nothing else: the default
    panel (3 m2, 0.80, 4.0, 0.01), South at 30 degrees, modest overshading, electric pump, and
    the 75 l separate pre-heat store; (H10) left to the calculator's 5 + 0.5 x (H1)."""
    got = columns(cert(solar_water_heating=True))
    assert got["solar_water_heating"] == [True]
    expected = {"solar_aperture_area_m2": T29["aperture_area_m2"],
                "solar_zero_loss_efficiency": T29["zero_loss_efficiency"],
                "solar_a1_w_per_m2k": T29["linear_heat_loss_coefficient_w_per_m2k"],
                "solar_a2_w_per_m2k2": T29["second_order_heat_loss_coefficient_w_per_m2k2"],
                "solar_loop_efficiency": T29["loop_efficiency"],
                "solar_incidence_angle_modifier": T29["incidence_angle_modifier"],
                "solar_orientation": 5, "solar_tilt_deg": 30.0, "solar_overshading": 2,
                "solar_loop_heat_loss_w_per_k": None,
                "solar_dedicated_volume_l": T29["separate_preheat_volume_l"],
                "solar_combined_cylinder": False, "solar_pump_electric": True}
    assert {k: got[k][0] for k in expected} == expected
    result = expand(cert(solar_water_heating=True))
    assert result.problems == []
    audit = " | ".join(assumptions(result))
    for text in ("Table 29 default", "South", "30 degrees", "modest", "pump: electric",
                 "pre-heat tank"):
        assert text in audit, text


def test_a_cylinder_holds_a_third_as_dedicated_solar_storage() -> None:
    """No store details, a cylinder: combined, (H12) = cylinder / 3 to whole litres (160 l ->
    53 l; 110 l -> 37 l, as on the Elmhurst worksheets)."""
    rows = [cert(solar_water_heating=True, **dict(CYLINDER, cylinder_size=size))
            for size in ("2", "3")]
    result = expand(*rows)
    volumes = result.columns["cylinder_volume_l"].to_pylist()
    dedicated = result.columns["solar_dedicated_volume_l"].to_pylist()
    assert dedicated == [float(int(v / 3.0 + 0.5)) for v in volumes]
    assert result.columns["solar_combined_cylinder"].to_pylist() == [True, True]
    assert "a third of the cylinder" in " | ".join(assumptions(result))


def details(**kw: Any) -> dict[str, Any]:
    d: dict[str, Any] = {"collector_data_source": "2", "collector_orientation": "7",
                         "collector_pitch": "3", "collector_overshading": "1",
                         "solar_water_pump": "2", "store_volume_details_known": True,
                         "aperture_area_m2": 4.5, "collector_type": "3",
                         "zero_loss_efficiency_percent": 72.0,
                         "linear_heat_loss_coefficient": 1.5,
                         "second_order_heat_loss_coefficient": 0.005,
                         "total_store_volume_l": 210.0, "dedicated_solar_volume_l": 90.0,
                         "combined_cylinder": True, "collector_loop_efficiency": 0.85,
                         "incidence_angle_modifier": 0.96, "overall_heat_loss": 7.0,
                         "service_provision": "3"}
    d.update(kw)
    return d


def test_declared_collector_and_store_are_taken_as_lodged() -> None:
    row = cert(solar_water_heating=True, solar_water_heating_details=details(),
               **dict(CYLINDER, cylinder_size="5"))
    got = {k: v[0] for k, v in columns(row).items()}
    assert got == {"solar_water_heating": True, "solar_aperture_area_m2": 4.5,
                   "solar_zero_loss_efficiency": 0.72, "solar_a1_w_per_m2k": 1.5,
                   "solar_a2_w_per_m2k2": 0.005, "solar_loop_efficiency": 0.85,
                   "solar_incidence_angle_modifier": 0.96, "solar_orientation": 7,
                   "solar_tilt_deg": T29["pitch_code_3_deg"], "solar_overshading": 1,
                   "solar_loop_heat_loss_w_per_k": 7.0, "solar_dedicated_volume_l": 90.0,
                   "solar_combined_cylinder": True, "solar_pump_electric": False}
    result = expand(row)
    assert result.problems == []
    assert result.columns["cylinder_volume_l"].to_pylist() == [210.0]


def test_lodged_orientation_pitch_and_overshading_override_the_default_panel() -> None:
    row = cert(solar_water_heating=True, solar_water_heating_details={
        "collector_data_source": "1", "collector_orientation": "4", "collector_pitch": "5",
        "collector_overshading": "3", "solar_water_pump": "1"})
    got = {k: v[0] for k, v in columns(row).items()}
    assert (got["solar_orientation"], got["solar_tilt_deg"], got["solar_overshading"],
            got["solar_pump_electric"]) == (4, 90.0, 3, True)
    assert got["solar_aperture_area_m2"] == T29["aperture_area_m2"]


def test_unsupported_solar_systems_are_refused_by_name() -> None:
    """Solar space heating (Service-Provision 1), a declared collector without its aperture
    area, a combined cylinder lodged without a cylinder."""
    separate = {"combined_cylinder": False}
    rows = (cert(solar_water_heating=True,
                 solar_water_heating_details=details(service_provision="1", **separate)),
            cert(solar_water_heating=True, solar_water_heating_details=details(
                aperture_area_m2=None, **separate)),
            cert(solar_water_heating=True, solar_water_heating_details=details()))
    result = expand(*rows)
    by_row: dict[int, set[str]] = {}
    for p in result.problems:
        by_row.setdefault(p.row, set()).add(p.field)
    assert by_row == {0: {"solar_water_heating"}, 1: {"solar_aperture_area_m2"},
                      2: {"solar_combined_cylinder"}}


def test_a_declared_collector_without_sap_10_parameters_takes_table_29s() -> None:
    """RdSAP-Schema-20.0.0 and older lodge a declared collector's aperture, eta0, a1, a2 and
    loop heat loss but no loop efficiency or incidence angle modifier (SAP 10.2 parameters):
    the declared fallback takes the Table 29 panel's, keeping every lodged value."""
    separate = {"combined_cylinder": False}
    rows = (cert(solar_water_heating=True, solar_water_heating_details=details(
                collector_loop_efficiency=None, incidence_angle_modifier=None, **separate)),
            cert(solar_water_heating=True, solar_water_heating_details=details(**separate)))
    result, used = expand_logged(*rows)
    assert not result.problems
    table29 = {r["parameter"]: float(r["value"])
               for r in read_table("rdsap10_table29_solar_water_heating_defaults.csv")}
    cols = {k: v.to_pylist() for k, v in result.columns.items()}
    assert cols["solar_loop_efficiency"] == [table29["loop_efficiency"], 0.85]
    assert cols["solar_incidence_angle_modifier"] == [table29["incidence_angle_modifier"],
                                                      0.96]
    assert cols["solar_zero_loss_efficiency"] == [0.72, 0.72]
    assert cols["solar_aperture_area_m2"] == [4.5, 4.5]
    assert used["solar_collector_sap10_parameters_not_lodged"] == [0]


def test_collector_types_and_severe_overshading_without_sap_10_2_values_take_fallbacks(
        ) -> None:
    """An unglazed (1) or evacuated-tube (3) collector without declared values takes the SAP
    2012 Table H1 row of its type (LINEAGE: eta0, a1 = a* / 0.892, a2 = 0); 'severe'
    overshading (5) takes the heavy row (4). Both are declared fallbacks, never silent: the
    expansion records them (strict mode refuses, estimate mode rates and names them)."""
    rows = (cert(solar_water_heating=True, solar_water_heating_details={
                "collector_data_source": "1", "collector_type": "3"}),
            cert(solar_water_heating=True, solar_water_heating_details={
                "collector_data_source": "1", "collector_type": "1"}),
            cert(solar_water_heating=True, solar_water_heating_details={
                "collector_data_source": "1", "collector_overshading": "5"}))
    result, used = expand_logged(*rows)
    assert not result.problems
    cols = {k: v.to_pylist() for k, v in result.columns.items()}
    assert cols["solar_zero_loss_efficiency"][:2] == [0.60, 0.90]
    assert cols["solar_a1_w_per_m2k"][:2] == [3 / 0.892, 20 / 0.892]
    assert cols["solar_a2_w_per_m2k2"][:2] == [0.0, 0.0]
    assert cols["solar_overshading"] == [2, 2, 4]  # Table 29 modest; severe -> heavy
    assert used["solar_collector_default_by_type"] == [0, 1]
    assert used["solar_overshading_severe"] == [2]


def test_no_solar_writes_no_solar_columns_and_uses_no_fallback() -> None:
    result, used = expand_logged(cert())
    assert result.columns["solar_water_heating"].to_pylist() == [False]
    assert "solar_aperture_area_m2" not in result.columns
    assert used == {}


def test_a_solar_certificate_is_rated_end_to_end() -> None:
    """Flag only, regular boiler and a cylinder: the whole expansion in strict mode needs no
    fallback for the solar system, and the calculator computes Appendix H from it."""
    row = whole(cert(solar_water_heating=True, **CYLINDER))
    table = pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA)
    expansion = expand_all(table, mode="estimate")
    assert expansion.problems == []
    inputs = expansion.inputs
    with_solar = calculate(inputs).to_pylist()[0]
    plain = calculate(inputs.set_column(
        inputs.schema.get_field_index("solar_water_heating"), "solar_water_heating",
        pa.array([False]))).to_pylist()[0]
    assert with_solar["water_heater_output_kwh"] < plain["water_heater_output_kwh"]
    assert with_solar["pumps_fans_kwh"] == plain["pumps_fans_kwh"] + 80.0
