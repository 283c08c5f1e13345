"""A conservatory not separated from the dwelling (Conservatory-Type 4): RdSAP 10 section 6.1
and Table 25 (spec/tables/rdsap10_table25_non_separated_conservatory.csv, decision 0028).

The invented certificate: a semi-detached house, main part only, age band K (Table 21 y 0.08),
ground floor 40 m2 room height 2.5 m, first floor 40 m2 room height 2.4 m, heat-loss perimeter
18 m per storey, with a double-glazed conservatory of floor area 12.00 m2, glazed perimeter
9.00 m and height 1.5 storeys. Every line the conservatory changes is written out below from
the section 6.1 rules; the same certificate without the conservatory (Conservatory-Type 1, the
conservatory items still lodged) is the reference, so each expected difference is the
conservatory's own share:

* height (section 6.1, 1.5 storeys) = ground 2.5 + 0.25 + 0.5 x first 2.4 = 3.95 m;
* (4) + 12.00; (5) + 12.00 x 3.95 = 47.40; the storey count (9) is unchanged;
* glazed walls, a window: 9.00 x 3.95 = 35.55 m2, U 3.1 (Table 25) -> 1/(1/3.1 + 0.04) in (27);
* glazed roof, a rooflight: 12.00 / cos 20 deg = 12.7701 -> 12.77 m2, U 3.4 -> 1/(1/3.4 + 0.04)
  in (27a);
* floor, (28a): BS EN ISO 13370 uninsulated solid floor, w = 0.3 m, lambda 1.5, Rsi 0.17,
  Rse 0.04: d_t = 0.3 + 1.5 x 0.21 = 0.615, B' = 2 x 12 / 9 = 2.6667 > d_t, U = 2 lambda
  ln(pi B'/d_t + 1) / (pi B' + d_t) = 0.8949 -> 0.89; UA 12 x 0.89 = 10.68;
* (31) + 35.55 + 12.77 + 12.00; (33) + the three UAs; (36) + 0.08 x the same areas;
* solar gains (83): 0.9 x A x S x 0.9 g x FF x Z, g 0.76, FF 0.70, the walls East vertical,
  the roof East at 20 deg (Table 25 note), Z the dwelling's average overshading 0.77 for both
  (the third-party Z = 1.0 for the roof is not applied: decision 0028).
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pytest
from test_expansion_fabric_cases import (
    certificate,
    elements,
    expand,
    messages,
    openings,
    part,
    storey,
    wall,
    window,
)
from test_hand_common import approx, dwelling, monthly, run, scalar
from test_hand_fabric_solar import ACCESS, gain

from ara.rdsap.expansion.fabric import FABRIC_COLUMNS, FabricResult, expand_fabric
from ara.rdsap.readers import CERTIFICATE_SCHEMA

AREA, PERIMETER = 12.0, 9.0
HEIGHT = 2.5 + 0.25 + 0.5 * 2.4  # 3.95
WALL_AREA = 35.55  # 9.00 x 3.95
ROOF_AREA = 12.77  # 12.00 / cos 20 deg = 12.7701, 2 d.p.
FLOOR_U = 0.89
Y = 0.08  # Table 21, age band K


def curtain(u: float) -> float:
    """SAP 10.2 section 3.2, windows and rooflights: 1 / (1/U + 0.04)."""
    return 1.0 / (1.0 / u + 0.04)


def house(conservatory: str = "4", *, storeys: int = 2, **items: Any) -> dict[str, Any]:
    """The invented certificate; ``items`` replace the lodged conservatory items."""
    dims = [storey("0", 40, 2.5, 18, 8, "1", "1"), storey("1", 40, 2.4, 18, 8),
            storey("2", 40, 2.3, 18, 8)][:storeys]
    main = part(1, "K", dims, main_wall=wall("4", "4"), party="1")
    cert = certificate([main], built_form="2", doors=1, rooms=4,
                       windows=[window("0", 1.2, 1.0, orientation="5")],
                       conservatory=conservatory)
    cert.update({"conservatory_double_glazed": True, "conservatory_floor_area_m2": AREA,
                 "conservatory_glazed_perimeter_m": PERIMETER,
                 "conservatory_room_height": "1.5"})
    cert.update(items)
    return cert


def sap_row(result: FabricResult, row: int = 0) -> dict[str, Any]:
    """The calculator input: the expanded fabric on the hand tests' base services."""
    fabric = {name: result.columns[name][row].as_py() for name in FABRIC_COLUMNS}
    return dwelling(**fabric)


def test_floor_u_by_bs_en_iso_13370_written_out() -> None:
    d_t = 0.3 + 1.5 * (0.17 + 0.04)
    b = 2 * AREA / PERIMETER
    assert d_t < b
    u = 2 * 1.5 * math.log(math.pi * b / d_t + 1) / (math.pi * b + d_t)
    assert u == pytest.approx(0.8949, abs=1e-4)
    assert round(u, 2) == FLOOR_U
    assert round(AREA / math.cos(math.radians(20)), 2) == ROOF_AREA


def test_conservatory_inputs() -> None:
    """The calculator inputs the conservatory adds: one storey row, one ground floor, one
    window and one rooflight, after the dwelling's own (hosts of lodged openings unchanged)."""
    with_, without = expand(house("4")), expand(house("1"))
    assert with_.problems == [] and without.problems == []
    st = with_.columns["storeys"][0].as_py()
    assert st[:-1] == without.columns["storeys"][0].as_py()
    assert st[-1] == {"level": 0, "floor_area_m2": AREA, "storey_height_m": approx(HEIGHT)}
    el = elements(with_)
    assert el[:-1] == elements(without)
    assert el[-1] == {"kind": 4, "gross_area_m2": AREA, "u_value": FLOOR_U,
                      "kappa_kj_per_m2k": None, "thermal_bridging_y": Y}
    op = openings(with_)
    assert op[:-2] == openings(without)
    common = {"g_perpendicular": 0.76, "light_transmittance": None, "frame_factor": 0.7,
              "glazing_type": 3, "frame_type": 2, "orientation": 3, "host_element": None,
              "thermal_bridging_y": Y}
    assert op[-2] == {"kind": 2, "area_m2": WALL_AREA, "u_value": 3.1, "tilt_deg": 90.0,
                      **common}
    assert op[-1] == {"kind": 4, "area_m2": ROOF_AREA, "u_value": 3.4, "tilt_deg": 20.0,
                      **common}
    # (4) enters the living area (Table 27, 4 rooms: 0.25) and the services' TFA
    assert with_.quantities["total_floor_area_m2"][0].as_py() == 92.0
    assert with_.columns["living_area_m2"][0].as_py() == pytest.approx(0.25 * 92.0)
    assert with_.columns["storey_count"][0].as_py() == 2


def test_worksheet_lines_the_conservatory_changes() -> None:
    a = run(sap_row(expand(house("4"))))
    b = run(sap_row(expand(house("1"))))
    assert scalar(a, "4") == approx(scalar(b, "4") + AREA)
    assert scalar(a, "5") == approx(scalar(b, "5") + AREA * HEIGHT)
    assert scalar(a, "9") == scalar(b, "9") == 2.0
    ua_wall = WALL_AREA * curtain(3.1)
    ua_roof = ROOF_AREA * curtain(3.4)
    ua_floor = AREA * FLOOR_U
    assert ua_wall == pytest.approx(35.55 * 2.758007, abs=1e-4)
    assert ua_roof == pytest.approx(12.77 * 2.992958, abs=1e-4)
    assert scalar(a, "27") == approx(scalar(b, "27") + ua_wall)
    assert scalar(a, "27a") == approx(scalar(b, "27a") + ua_roof)
    assert scalar(b, "27a") == 0.0
    assert scalar(a, "28a") == approx(scalar(b, "28a") + ua_floor)
    exposed = WALL_AREA + ROOF_AREA + AREA
    assert scalar(a, "31") == approx(scalar(b, "31") + exposed)
    assert scalar(a, "33") == approx(scalar(b, "33") + ua_wall + ua_roof + ua_floor)
    assert scalar(a, "36") == approx(scalar(b, "36") + Y * exposed)
    z = ACCESS["average or unknown"]
    walls = gain(WALL_AREA, 0.76, 0.7, 3, 90.0, 0, z)
    roof = gain(ROOF_AREA, 0.76, 0.7, 3, 20.0, 0, z)
    assert monthly(a, "83") == [approx(x + w + r) for x, w, r in
                                zip(monthly(b, "83"), walls, roof, strict=True)]


def test_january_roof_gain_written_out() -> None:
    """One month of the roof glazing in full, Appendix U3.2 with the Table U5 East/West
    constants at 20 deg (region 0, January): the gain() helper above is this formula."""
    from test_hand_common import region_row
    from test_hand_fabric_solar import DECLINATION, U5, latitude

    k = [float(U5[f"k{i}"]["east_west"]) for i in range(1, 10)]
    s = math.sin(math.radians(20) / 2)
    a = k[0] * s**3 + k[1] * s**2 + k[2] * s
    b = k[3] * s**3 + k[4] * s**2 + k[5] * s
    c = k[6] * s**3 + k[7] * s**2 + k[8] * s + 1.0
    x = math.cos(math.radians(latitude(0) - DECLINATION[0]))
    flux = region_row("sap_table_u3_solar_irradiance_horizontal.csv", 0)[0] * (
        a * x * x + b * x + c)
    expected = 0.9 * ROOF_AREA * flux * 0.9 * 0.76 * 0.70 * 0.77
    assert gain(ROOF_AREA, 0.76, 0.7, 3, 20.0, 0, 0.77)[0] == approx(expected)


@pytest.mark.parametrize(("code", "storeys", "height"), [
    ("1", 1, 2.5),  # the ground-floor room height
    ("1.5", 2, 2.5 + 0.25 + 0.5 * 2.4),
    ("2", 2, 2.5 + 0.25 + 2.4),  # INFERENCE (decision 0028)
    ("2.5", 3, 2.5 + 0.25 + 2.4 + 0.25 + 0.5 * 2.3),  # INFERENCE
    ("3", 3, 2.5 + 0.25 + 2.4 + 0.25 + 2.3),  # INFERENCE
])
def test_height_from_the_storey_count(code: str, storeys: int, height: float) -> None:
    result = expand(house(storeys=storeys, conservatory_room_height=code))
    assert result.problems == []
    assert result.columns["storeys"][0].as_py()[-1]["storey_height_m"] == approx(height)
    wall_area = [o for o in openings(result) if o["host_element"] is None][0]["area_m2"]
    assert wall_area == round(PERIMETER * height + 1e-9, 2)


def test_single_glazing() -> None:
    op = [o for o in openings(expand(house(conservatory_double_glazed=False)))
          if o["host_element"] is None]
    assert [(o["kind"], o["u_value"], o["g_perpendicular"], o["frame_factor"],
             o["glazing_type"], o["frame_type"]) for o in op] == [
        (2, 4.8, 0.85, 0.7, 2, 1), (4, 5.3, 0.85, 0.7, 2, 1)]


@pytest.mark.parametrize("conservatory", ["2", "3"])
def test_a_separated_conservatory_changes_nothing(conservatory: str) -> None:
    """Separated (2 unheated, 3 heated): outside the dwelling; the lodged conservatory items
    are ignored and every column equals the dwelling without a conservatory."""
    none = expand(house("1"))
    separated = expand(house(conservatory))
    assert separated.problems == []
    for name in FABRIC_COLUMNS:
        assert separated.columns[name].equals(none.columns[name]), name
    for name, values in none.quantities.items():
        assert separated.quantities[name].equals(values), name


@pytest.mark.parametrize(("item", "value"), [
    ("conservatory_floor_area_m2", None), ("conservatory_floor_area_m2", 0.0),
    ("conservatory_glazed_perimeter_m", None), ("conservatory_room_height", None),
    ("conservatory_room_height", "4"), ("conservatory_double_glazed", None),
])
def test_a_missing_item_is_refused_by_name(item: str, value: Any) -> None:
    result = expand(house(**{item: value}), house())
    assert [p.row for p in result.problems] == [0]
    assert result.problems[0].field == item
    assert "Conservatory-Type 4" in result.problems[0].message
    assert result.columns["storeys"][0].as_py() is None
    assert result.columns["storeys"][1].as_py() is not None


def test_taller_than_the_lodged_storeys_is_refused() -> None:
    """2.5 storeys needs the main part's second-floor room height: a two-storey house has
    none, and nothing is filled."""
    result = expand(house(conservatory_room_height="2.5"))
    assert [p.field for p in result.problems] == ["conservatory_room_height"]
    assert "fewer storeys" in messages(result)[0]


def test_vectorised_rows_do_not_mix() -> None:
    """A batch of different conservatories and none: each row as if expanded alone."""
    rows = [house("4"), house("1"), house(conservatory_room_height="1"),
            house(conservatory_double_glazed=False, conservatory_floor_area_m2=20.0)]
    batch = expand_fabric(pa.Table.from_pylist(rows, schema=CERTIFICATE_SCHEMA))
    for i, row in enumerate(rows):
        alone = expand(row)
        for name in FABRIC_COLUMNS:
            assert batch.columns[name][i].equals(alone.columns[name][0]), (i, name)
