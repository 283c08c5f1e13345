"""The fabric lookups of ``ara.rdsap.expansion.tables`` against the CSV rows they come from
(one spot check per table), and the lineage / convention files' values."""

from __future__ import annotations

import numpy as np

from ara.rdsap.expansion.tables import (
    AGE_BANDS,
    COUNTRIES,
    GLAZING_CATEGORIES,
    ROOF_THICKNESS_MM,
    WALL_TYPES,
    fabric_tables,
)

T = fabric_tables()
ENG, SCT, WAL = COUNTRIES.index("england"), COUNTRIES.index("scotland"), COUNTRIES.index("wales")


def band(letter: str) -> int:
    return AGE_BANDS.index(letter)


def test_tables_6_to_9_and_the_thickness_rows() -> None:
    assert T.wall_u[ENG, WALL_TYPES.index("cavity_unfilled"), band("C")] == 1.5
    assert T.wall_u[ENG, WALL_TYPES.index("cavity_filled"), band("D")] == 0.7
    assert T.wall_u[SCT, WALL_TYPES.index("timber_frame"), band("M")] == 0.17
    brick = WALL_TYPES.index("solid_brick")
    assert T.wall_by_thickness[ENG, brick, : band("E") + 1].all()
    assert not T.wall_by_thickness[ENG, brick, band("F")]
    assert T.wall_formula_if_lower[ENG, WALL_TYPES.index("stone_granite"), band("F")]
    # NI has no band J rows: no value rather than a guess
    assert np.isnan(T.wall_u[COUNTRIES.index("ni"), WALL_TYPES.index("cavity_filled"),
                             band("J")])


def test_tables_12_and_13() -> None:
    assert T.brick_bounds_mm.tolist() == [200, 280, 420, np.inf]
    assert T.brick_u.tolist() == [2.5, 1.7, 1.4, 1.1]
    assert (T.stone_a.tolist(), T.stone_b.tolist()) == ([45.315, 54.876], [-0.513, -0.561])


def test_table_15_party_walls() -> None:
    assert T.party_u_house[:4].tolist() == [0.25, 0.0, 0.5, 0.2]
    assert T.party_u_flat[0] == 0.0
    assert np.isnan(T.party_u_house[4])  # filled and sealed: GAP


def test_tables_16_17_18_roofs() -> None:
    row = ROOF_THICKNESS_MM.index(250)
    assert (T.roof_joists_u[ENG, row], T.roof_rafters_u[ENG, row]) == (0.17, 0.23)
    assert T.roof_pitched_default_u[ENG, band("I")] == 0.26
    # Table 18 col 2 (rafters), same in every country; Scotland footnote (2) K flat 0.20
    assert T.roof_rafters_default_u[SCT, band("G"): band("M") + 1].tolist() == [
        0.4, 0.35, 0.35, 0.2, 0.2, 0.18, 0.15]
    assert (T.roof_flat_default_u[SCT, band("K")], T.roof_rr_default_u[SCT, band("K")]) == (
        0.2, 0.2)
    assert T.roof_flat_default_u[ENG, band("E")] == 1.5
    assert T.roof_rr_default_u[ENG, band("H")] == 0.35
    assert T.rr_u[ROOF_THICKNESS_MM.index(100)].tolist() == [0.4, 0.3, 0.54, 0.41, 0.36, 0.29]
    assert np.isnan(T.rr_u[ROOF_THICKNESS_MM.index(200)]).all()  # not transcribed


def test_tables_20_21_23() -> None:
    assert T.exposed_floor_u[ENG, band("H")] == 0.51
    assert np.isnan(T.exposed_floor_u[WAL, band("M")])  # two conflicting source rows
    assert T.exposed_floor_insulated_mm.tolist() == [50, 100, 150]
    assert T.exposed_floor_insulated_unknown_u[band("I")] == 0.5
    assert np.isnan(T.exposed_floor_insulated_unknown_u[band("J")])
    assert T.floor_above_partially_heated_u == 0.7
    assert T.thermal_bridging_y[[band("A"), band("J"), band("K")]].tolist() == [0.15, 0.11, 0.08]
    assert (T.basement_wall_u[band("I")], T.basement_floor_u[band("J")]) == (0.45, 0.25)


def test_tables_24_26_27() -> None:
    cat = GLAZING_CATEGORIES.index
    assert T.window_u[ENG, cat("double_pre"), 1, 0, 0] == 2.8  # 12 mm, PVC
    assert T.window_u[ENG, cat("double_pre"), 0, 0, 1] == 3.4  # roof window, 6 mm
    assert np.isnan(T.window_u[ENG, cat("post_2022"), 0, 0, 1])
    assert T.window_g[ENG, cat("triple_pre"), 2, 1, 0] == 0.68
    assert (T.door_u[SCT, band("L")], T.door_corridor_u[ENG, band("A")]) == (1.6, 1.4)
    assert T.living_area_fraction[[1, 3, 4, 14]].tolist() == [0.75, 0.3, 0.25, 0.09]
    assert np.isnan(T.living_area_fraction[0])


def test_rdsap_2012_lineage_files() -> None:
    assert T.ground_floor == {
        "rsi": 0.17, "rse": 0.04, "soil_conductivity": 1.5,
        "floor_insulation_conductivity": 0.035, "suspended_deck_resistance": 0.2,
        "underfloor_vent_openings_per_m": 0.003, "underfloor_height": 0.3,
        "underfloor_wall_u": 1.5, "wind_speed": 5.0, "wind_shielding_factor": 0.05,
        "retrofit_unknown_min_mm": 50.0}  # the last: RdSAP 10 Table 19 footnote (2)
    assert T.ground_floor_insulation_mm[ENG, band("H"): band("K") + 1].tolist() == [0, 25, 75,
                                                                                     100]
    # bands L and M: RdSAP 10 Table 19 (third-party transcription), England only
    assert T.ground_floor_insulation_mm[ENG, band("L"): band("M") + 1].tolist() == [100, 140]
    assert np.isnan(T.ground_floor_insulation_mm[SCT]).all()
    assert T.suspended_timber_last_band[ENG] == band("B")
    cavity = 2  # THICKNESS_WALL_TYPES
    assert T.wall_thickness_mm[cavity, 0, band("H")] == 270  # engine: 270 for band H cavity
    assert T.wall_thickness_scotland_mm[cavity, 0, band("H")] == 320
    assert np.isnan(T.wall_thickness_mm[:, :, band("M")]).all()


def test_conventions() -> None:
    assert T.conventions == {
        "door_area_m2": 1.85, "frame_factor_wood_pvc": 0.7, "frame_factor_metal": 0.8,
        "upper_storey_height_allowance_m": 0.25, "room_in_roof_storey_height_m": 2.45,
        "room_in_roof_type1_gable_height_m": 2.45, "thermal_mass_parameter_kj_per_m2k": 250.0,
        "roof_window_tilt_deg": 45.0, "windows_overshading_code": 2.0}
