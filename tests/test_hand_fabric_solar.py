"""Hand-derived checks of worksheet sections 3 (fabric heat loss) and 6 (solar gains).

Fabric: (26)-(37) written out element by element. Solar: (83)m = sum of
0.9 x A x S x g x FF x Z with g = 0.9 x g_perp (worksheet column), S = S_h x R_h-inc and
R_h-inc = A cos^2(phi - delta) + B cos(phi - delta) + C (Appendix U3.2, Table U5 constants,
Table U3 declination and horizontal flux, Table U4 latitude). Tolerance: relative 1e-9.
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from test_hand_common import (
    C,
    approx,
    dwelling,
    monthly,
    region_row,
    run,
    scalar,
    wall,
    window,
)

from ara.sap.schema import OVERSHADING_CODES
from ara.sap.tables import read_table


def curtain(u: float) -> float:
    """SAP 10.2 section 3.2: U_eff = 1 / (1/U + 0.04)."""
    return 1.0 / (1.0 / u + 0.04)


# Part 1 (original house, y 0.08) and part 2 (extension of a later age band, y 0.15).
FABRIC_ELEMENTS = [
    wall(100.0, 0.30, 60.0, 0.08, kind=1),  # 0 external wall, part 1
    wall(50.0, 0.22, 110.0, 0.08, kind=4),  # 1 ground floor, part 1
    wall(50.0, 0.15, 9.0, 0.08, kind=3),  # 2 roof, part 1
    wall(35.0, 0.20, 180.0, 0.08, kind=7),  # 3 party wall, part 1
    wall(30.0, 0.45, 60.0, 0.15, kind=1),  # 4 external wall, part 2
    wall(12.0, 0.50, 20.0, 0.15, kind=6),  # 5 exposed floor, part 2
    wall(12.0, 0.25, 9.0, 0.15, kind=3),  # 6 roof, part 2
    wall(60.0, 0.0, 9.0, 0.0, kind=10),  # 7 internal wall (heat capacity only)
    wall(40.0, 0.0, 18.0, 0.0, kind=11),  # 8 internal floor (heat capacity only)
]
FABRIC_OPENINGS = [
    window(2.0, 5, kind=1, u=3.0, host=0, y=0.08),  # door in part 1 wall
    window(8.0, 5, kind=2, u=1.6, host=0, y=0.08),  # window in part 1 wall
    window(4.0, 3, kind=2, u=1.2, host=4, y=0.15),  # window in part 2 wall
    window(1.2, 5, kind=3, u=1.8, host=2, tilt=45.0, y=0.08),  # roof window, part 1 roof
    window(1.0, 9, kind=4, u=2.0, host=6, y=0.15),  # rooflight, part 2 roof
]
FABRIC_STOREYS = [
    {"level": 0, "floor_area_m2": 50.0, "storey_height_m": 2.5},
    {"level": 0, "floor_area_m2": 12.0, "storey_height_m": 2.4},
]


def fabric_dwelling(**kw: Any) -> dict[str, Any]:
    base = {"storeys": FABRIC_STOREYS, "living_area_m2": 20.0,
            "elements": FABRIC_ELEMENTS, "openings": FABRIC_OPENINGS}
    base.update(kw)
    return dwelling(**base)


# ---------------------------------------------------------------- section 3


def test_party_wall_counts_in_32_and_33_but_not_31() -> None:
    lines = run(fabric_dwelling())
    assert scalar(lines, "32") == approx(35.0 * 0.20)
    exposed = ((100.0 - 2.0 - 8.0) + 50.0 + (50.0 - 1.2) + (30.0 - 4.0) + 12.0
               + (12.0 - 1.0) + 2.0 + 8.0 + 4.0 + 1.2 + 1.0)
    assert scalar(lines, "31") == approx(exposed)
    uas = ["26", "27", "27a", "28", "28a", "28b", "29", "29a", "30"]
    assert scalar(lines, "33") == approx(sum(scalar(lines, k) for k in uas) + 35.0 * 0.20)


def test_openings_are_deducted_from_their_host_wall() -> None:
    lines = run(fabric_dwelling())
    assert scalar(lines, "29a") == approx((100.0 - 2.0 - 8.0) * 0.30 + (30.0 - 4.0) * 0.45)
    assert scalar(lines, "30") == approx((50.0 - 1.2) * 0.15 + (12.0 - 1.0) * 0.25)


def test_door_has_no_curtain_correction() -> None:
    lines = run(fabric_dwelling())
    assert scalar(lines, "26") == approx(2.0 * 3.0)


def test_windows_get_curtain_correction() -> None:
    lines = run(fabric_dwelling())
    assert scalar(lines, "27") == approx(8.0 / (1.0 / 1.6 + 0.04) + 4.0 / (1.0 / 1.2 + 0.04))


def test_roof_window_and_rooflight_27a_get_curtain_correction() -> None:
    lines = run(fabric_dwelling())
    assert scalar(lines, "27a") == approx(1.2 * curtain(1.8) + 1.0 * curtain(2.0))


def test_ground_and_exposed_floor_lines() -> None:
    lines = run(fabric_dwelling())
    assert scalar(lines, "28a") == approx(50.0 * 0.22)
    assert scalar(lines, "28b") == approx(12.0 * 0.50)
    assert scalar(lines, "28") == approx(0.0)
    assert scalar(lines, "29") == approx(0.0)


def test_basement_floor_and_wall_lines() -> None:
    elements = [wall(60.0, 0.30, 60.0, 0.1, kind=1), wall(40.0, 0.35, 110.0, 0.1, kind=5),
                wall(48.0, 0.40, 100.0, 0.1, kind=2), wall(40.0, 0.16, 9.0, 0.1, kind=3)]
    lines = run(dwelling(elements=elements, openings=[window(6.0, host=0)],
                         storeys=[{"level": -1, "floor_area_m2": 40.0, "storey_height_m": 2.3},
                                  {"level": 0, "floor_area_m2": 40.0, "storey_height_m": 2.5}]))
    assert scalar(lines, "28") == approx(40.0 * 0.35)
    assert scalar(lines, "29") == approx(48.0 * 0.40)
    assert scalar(lines, "29a") == approx((60.0 - 6.0) * 0.30)
    assert scalar(lines, "31") == approx(54.0 + 40.0 + 48.0 + 40.0 + 6.0)
    assert scalar(lines, "36") == approx(0.1 * (54.0 + 40.0 + 48.0 + 40.0) + 0.0 * 6.0)


def test_thermal_bridging_with_two_building_parts() -> None:
    lines = run(fabric_dwelling())
    part1 = 0.08 * ((100.0 - 2.0 - 8.0) + 50.0 + (50.0 - 1.2) + 2.0 + 8.0 + 1.2)
    part2 = 0.15 * ((30.0 - 4.0) + 12.0 + (12.0 - 1.0) + 4.0 + 1.0)
    assert scalar(lines, "36") == approx(part1 + part2)
    assert scalar(lines, "37") == approx(scalar(lines, "33") + part1 + part2)


def test_thermal_bridges_by_length_are_added() -> None:
    bridges = [{"length_m": 12.5, "psi_w_per_mk": 0.05}, {"length_m": 8.0, "psi_w_per_mk": 0.16}]
    lines = run(fabric_dwelling(thermal_bridges=bridges))
    part1 = 0.08 * ((100.0 - 2.0 - 8.0) + 50.0 + (50.0 - 1.2) + 2.0 + 8.0 + 1.2)
    part2 = 0.15 * ((30.0 - 4.0) + 12.0 + (12.0 - 1.0) + 4.0 + 1.0)
    assert scalar(lines, "36") == approx(part1 + part2 + 12.5 * 0.05 + 8.0 * 0.16)


def test_heat_capacity_and_tmp_from_kappa() -> None:
    lines = run(fabric_dwelling(thermal_mass_parameter=None))
    cm = ((100.0 - 2.0 - 8.0) * 60.0 + 50.0 * 110.0 + (50.0 - 1.2) * 9.0 + 35.0 * 180.0
          + (30.0 - 4.0) * 60.0 + 12.0 * 20.0 + (12.0 - 1.0) * 9.0 + 60.0 * 9.0 + 40.0 * 18.0)
    assert scalar(lines, "34") == approx(cm)
    assert scalar(lines, "35") == approx(cm / 62.0)


def test_given_tmp_overrides_kappa() -> None:
    lines = run(fabric_dwelling(thermal_mass_parameter=175.0))
    assert scalar(lines, "35") == approx(175.0)


# ---------------------------------------------------------------- section 6

U5 = {r["constant"]: r for r in read_table("sap_table_u5_solar_flux_constants.csv")}
U5_COLUMN = {1: "north", 2: "ne_nw", 3: "east_west", 4: "se_sw", 5: "south", 6: "se_sw",
             7: "east_west", 8: "ne_nw", 9: "north"}
DECLINATION = [float(r["solar_declination_deg"])
               for r in read_table("sap_table_u3_solar_declination.csv")]
ACCESS = {r["overshading"]: float(r["winter_solar_access_factor"])
          for r in read_table("sap_table6d_overshading_access_factors.csv")}


def latitude(region: int) -> float:
    rows = [r for r in read_table("sap_table_u4_latitude_height.csv")
            if int(r["region_id"]) == region]
    return float(rows[0]["latitude_deg_n"])


def r_h_inc(orientation: int, tilt: float, lat: float, dec: float) -> float:
    """Appendix U3.2 ratio of flux on the inclined surface to flux on the horizontal."""
    col = U5_COLUMN[orientation]
    k = [float(U5[f"k{i}"][col]) for i in range(1, 10)]
    s = math.sin(math.radians(tilt) / 2.0)
    a = k[0] * s**3 + k[1] * s**2 + k[2] * s
    b = k[3] * s**3 + k[4] * s**2 + k[5] * s
    c = k[6] * s**3 + k[7] * s**2 + k[8] * s + 1.0
    x = math.cos(math.radians(lat - dec))
    return a * x**2 + b * x + c


def gain(area: float, g: float, ff: float, orientation: int, tilt: float, region: int,
         z: float) -> list[float]:
    """(74)-(82) monthly for one opening: 0.9 x A x S x (0.9 g_perp) x FF x Z."""
    sh = region_row("sap_table_u3_solar_irradiance_horizontal.csv", region)
    lat = latitude(region)
    return [C["solar_gain_factor"] * area * sh[m] * r_h_inc(orientation, tilt, lat,
                                                              DECLINATION[m])
            * C["glazing_g_to_solar_transmittance"] * g * ff * z for m in range(12)]


@pytest.mark.parametrize("overshading", [1, 2, 3, 4])
def test_south_window_each_overshading_level(overshading: int) -> None:
    lines = run(dwelling(windows_overshading=overshading))
    z = ACCESS[OVERSHADING_CODES[overshading]]
    assert monthly(lines, "83") == [approx(v) for v in gain(10.0, 0.72, 0.7, 5, 90.0, 0, z)]


def test_overshading_values_are_table_6d_winter_column() -> None:
    """The point is the value: Table 6d winter access factors 1.0 / 0.77 / 0.54 / 0.3."""
    base = run(dwelling(windows_overshading=1))["83"]["monthly"]
    for code, z in ((2, 0.77), (3, 0.54), (4, 0.3)):
        got = run(dwelling(windows_overshading=code))["83"]["monthly"]
        assert got == [approx(z * v) for v in base]


def test_east_and_north_windows() -> None:
    openings = [window(6.0, 3, g=0.63, ff=0.8), window(4.0, 1, g=0.72, ff=0.7)]
    lines = run(dwelling(openings=openings, windows_overshading=2))
    z = ACCESS["average or unknown"]
    east = gain(6.0, 0.63, 0.8, 3, 90.0, 0, z)
    north = gain(4.0, 0.72, 0.7, 1, 90.0, 0, z)
    assert monthly(lines, "83") == [approx(e + n) for e, n in zip(east, north, strict=True)]


@pytest.mark.parametrize("orientation", [1, 2, 3, 4, 5, 6, 7, 8])
def test_each_compass_orientation_uses_its_u5_column(orientation: int) -> None:
    lines = run(dwelling(openings=[window(5.0, orientation)], windows_overshading=1))
    assert monthly(lines, "83") == [approx(v)
                                    for v in gain(5.0, 0.72, 0.7, orientation, 90.0, 0, 1.0)]


def test_horizontal_rooflight_receives_horizontal_flux() -> None:
    openings = [window(1.5, 9, kind=4, u=2.0, g=0.63, ff=0.7, host=2)]
    lines = run(dwelling(openings=openings, windows_overshading=1))
    sh = region_row("sap_table_u3_solar_irradiance_horizontal.csv", 0)
    # tilt 0: sin(0) = 0 so A = B = 0 and C = 1, S = S_h
    assert monthly(lines, "83") == [approx(0.9 * 1.5 * s * 0.9 * 0.63 * 0.7 * 1.0) for s in sh]


def test_roof_window_at_45_degrees() -> None:
    openings = [window(1.2, 5, kind=3, u=1.8, g=0.63, ff=0.7, host=2, tilt=45.0)]
    lines = run(dwelling(openings=openings, windows_overshading=1))
    assert monthly(lines, "83") == [approx(v) for v in gain(1.2, 0.63, 0.7, 5, 45.0, 0, 1.0)]


def test_door_has_no_solar_gain() -> None:
    openings = [window(2.0, 5, kind=1, u=3.0)]
    lines = run(dwelling(openings=openings))
    assert monthly(lines, "83") == [approx(0.0)] * 12


def test_inclined_flux_non_zero_region() -> None:
    region = 15  # East Scotland: latitude 56.2
    lines = run(dwelling(climate_region=region, windows_overshading=2))
    z = ACCESS["average or unknown"]
    lat = latitude(region)
    assert lat != latitude(0)
    expected = gain(10.0, 0.72, 0.7, 5, 90.0, region, z)
    assert monthly(lines, "83") == [approx(v) for v in expected]
    # the same January value written out in full for one month (south, vertical)
    k = {i: float(U5[f"k{i}"]["south"]) for i in range(1, 10)}
    s = math.sin(math.radians(45.0))
    a = k[1] * s**3 + k[2] * s**2 + k[3] * s
    b = k[4] * s**3 + k[5] * s**2 + k[6] * s
    c = k[7] * s**3 + k[8] * s**2 + k[9] * s + 1.0
    x = math.cos(math.radians(lat - DECLINATION[0]))
    s_jan = region_row("sap_table_u3_solar_irradiance_horizontal.csv", region)[0] \
        * (a * x * x + b * x + c)
    assert monthly(lines, "83")[0] == approx(0.9 * 10.0 * s_jan * 0.9 * 0.72 * 0.7 * z)
