"""Worksheet sections 1-8 reproduced line by line against the sap10calcs SAP 10.2 worksheets.

Each case is a full-SAP XML input read by ``ara.sap.xml_reader`` and the engine's worksheet
dump. Every line listed below must agree within 0.1 % (0.01 absolute near zero), month by
month where the line is monthly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import load_worksheet

from ara.sap import calculate, trace
from ara.sap.xml_reader import read_sap_xml

CASES = {
    "S0_example_no_pv": ("examples/example_complete_sap.xml",
                         "examples/example_complete_sap.out.json"),
    "S1_pv_2_5kwp": ("tests/sap/M1_Photovoltaics/1/in.xml",
                     "tests/sap/M1_Photovoltaics/1/response.json"),
    "S2_pv_5kwp": ("tests/sap/M1_Photovoltaics/2/in.xml",
                   "tests/sap/M1_Photovoltaics/2/response.json"),
    "R1_rdsap_expanded": ("tests/rdsap/1_base_case/1_detached/out.xml",
                          "tests/rdsap/1_base_case/1_detached/sap/out.json"),
}

# (our trace label, engine key stem). Monthly lines compare _1.._12 and the annual value
# where the engine gives one.
SCALAR_LINES = [
    ("4", "value_4"), ("5", "value_5"), ("6a", "value_6a"), ("6b", "value_6b"),
    ("6c", "value_6c"), ("6d", "value_6d"), ("6e", "value_6e"), ("6f", "value_6f"),
    ("7a", "value_7a"), ("7b", "value_7b"), ("7c", "value_7c"), ("8", "value_8"),
    ("17", "value_17"), ("18", "value_18"), ("19", "value_19"), ("20", "value_20"),
    ("21", "value_21"), ("26", "value_26_UA"), ("27", "value_27_UA"), ("27a", "value_27a_UA"),
    ("28", "value_28_UA"), ("28a", "value_28a_UA"), ("28b", "value_28b_UA"),
    ("29", "value_29_UA"), ("29a", "value_29a_UA"), ("30", "value_30_UA"), ("31", "value_31"),
    ("33", "value_33"), ("34", "value_34"), ("35", "value_35"), ("36", "value_36"),
    ("37", "value_37"), ("42", "value_42"), ("43", "value_43"), ("85", "value_85"),
    ("91", "value_91"), ("99", "value_99"),
    ("L1", "annual_base_lighting_requirement_L1"), ("L2a", "G_l_L2a"),
    ("L2b", "daylighting_correction_factor_L2b"), ("L3", "fixed_lighting_requirement_L3"),
    ("L4", "reference_fixed_lighting_capacity_upper_limit_L4"),
    ("L9c", "energy_required_for_portable_lighting_L9c"),
    ("L13", "appliances_annual_energy_use_L13"), ("L20", "cooking_electricity_consumption_L20"),
]
MONTHLY_LINES = [
    ("22", "value_22"), ("22a", "value_22a"), ("22b", "value_22b"), ("25", "value_25"),
    ("38", "value_38"), ("39", "value_39"), ("40", "value_40"), ("41", "value_41"),
    ("42a", "value_42a"), ("42b", "value_42b"), ("42c", "value_42c"), ("44", "value_44"),
    ("45", "value_45"), ("46", "value_46"), ("56", "value_56"), ("57", "value_57"),
    ("59", "value_59"), ("61", "value_61"), ("62", "value_62"), ("64", "value_64"),
    ("65", "value_65"), ("66", "value_66"), ("67", "value_67"), ("68", "value_68"),
    ("69", "value_69"), ("70", "value_70"), ("71", "value_71"), ("72", "value_72"),
    ("73", "value_73"), ("83", "value_83"), ("84", "value_84"), ("86", "value_86"),
    ("87", "value_87"), ("88", "value_88"), ("89", "value_89"), ("90", "value_90"),
    ("92", "value_92"), ("93", "value_93"), ("94", "value_94"), ("95", "value_95"),
    ("96", "value_96"), ("97", "value_97"), ("98", "value_98c"),
]
# Lines whose engine value depends on the engine's lighting quirk for an empty
# <Fixed-Lights/> element in R1 (it sets the fixed-lighting efficacy L8 to 0 and drops the
# fixed lighting energy): we apply SAP's default capacity and efficacy instead (see
# docs/decisions/0003-empty-fixed-lighting.md), so R1 is compared on the lines upstream of
# lighting and checked for space heating within 0.5 % by its own test.
R1_LIGHTING_DEPENDENT = {"67", "73", "84", "86", "87", "88", "89", "90", "92", "93", "94",
                         "95", "97", "98", "99"}


def close(ours: float, theirs: float) -> bool:
    return abs(ours - theirs) <= max(1e-3 * abs(theirs), 0.01)


def _expected(ws: dict[str, Any], key: str) -> float | None:
    v = ws.get(key)
    return None if v is None else float(v)


def _mismatches(case: str, sap10calcs: Path) -> list[str]:
    xml, out = CASES[case]
    ws = load_worksheet(sap10calcs / out)
    lines = trace(read_sap_xml(sap10calcs / xml))["lines"]
    skip = R1_LIGHTING_DEPENDENT if case.startswith("R1") else set()
    bad = []
    for label, key in SCALAR_LINES:
        if label in skip:
            continue
        ours = lines.get(label)
        ours_v = ours["annual"] if isinstance(ours, dict) else ours
        exp = _expected(ws, key)
        exp = 0.0 if exp is None else exp
        if ours_v is None or not close(ours_v, exp):
            bad.append(f"({label}) ours {ours_v} engine {exp}")
    for label, key in MONTHLY_LINES:
        if label in skip:
            continue
        monthly = lines[label]["monthly"]
        for m in range(12):
            exp = _expected(ws, f"{key}_{m + 1}")
            exp = 0.0 if exp is None else exp
            if not close(monthly[m], exp):
                bad.append(f"({label})m{m + 1} ours {monthly[m]} engine {exp}")
        annual = _expected(ws, key)
        if annual is not None and lines[label]["annual"] is not None and label not in (
                "25", "38", "39", "40", "41", "73", "83", "93"):  # those are means, not sums
            if not close(lines[label]["annual"], annual):
                bad.append(f"({label}) annual ours {lines[label]['annual']} engine {annual}")
    for label in ("39", "40"):  # the annual figure of (39)/(40) is the mean of the months
        annual = _expected(ws, f"value_{label}")
        if annual is not None and label not in skip and not close(lines[label]["annual"], annual):
            bad.append(f"({label}) annual mean ours {lines[label]['annual']} engine {annual}")
    return bad


@pytest.mark.parametrize("case", sorted(CASES))
def test_sections_1_to_8_line_by_line(case: str, sap10calcs: Path) -> None:
    assert _mismatches(case, sap10calcs) == []


def test_r1_space_heating_within_half_percent(sap10calcs: Path) -> None:
    xml, out = CASES["R1_rdsap_expanded"]
    ws = load_worksheet(sap10calcs / out)
    ours = trace(read_sap_xml(sap10calcs / xml))["results"]["space_heating_requirement_kwh"]
    assert abs(ours - ws["value_98c"]) <= 0.005 * ws["value_98c"]


# ---- sections 9-13 (issue 3): the SAP cases S0/S1/S2 through (287)
SYSTEM_SCALARS = [
    ("206", "value_206"), ("211", "value_211"), ("219", "value_219"), ("231", "value_231"),
    ("232", "value_232"), ("E_PV", "E_PV"), ("240", "value_240"), ("247", "value_247"),
    ("249", "value_249"), ("250", "value_250"), ("251", "value_251"), ("252", "value_252"),
    ("255", "value_255"), ("256", "value_256"), ("257", "value_257"), ("258", "sap_value"),
    ("261", "value_261"), ("264", "value_264"), ("267", "value_267"), ("268", "value_268"),
    ("269", "value_269"), ("272", "value_272"), ("274", "EI_value"), ("275", "value_275"),
    ("278", "value_278"), ("281", "value_281"), ("282", "value_282"), ("283", "value_283"),
    ("286", "value_286"), ("287", "value_287"),
]
SYSTEM_MONTHLY = [("211", "value_211"), ("217", "value_217"), ("219", "value_219"),
                  ("E_PV", "E_PV"), ("beta", "beta_factor"), ("261", "value_261"),
                  ("264", "value_264"), ("267", "value_267"), ("268", "value_268"),
                  ("269", "value_269"), ("275", "value_275"), ("278", "value_278"),
                  ("281", "value_281"), ("282", "value_282")]


def _annual(lines: dict[str, Any], label: str) -> float | None:
    v = lines.get(label)
    return v["annual"] if isinstance(v, dict) else v


@pytest.mark.parametrize("case", ["S0_example_no_pv", "S1_pv_2_5kwp", "S2_pv_5kwp"])
def test_sections_9_to_13_line_by_line(case: str, sap10calcs: Path) -> None:
    xml, out = CASES[case]
    ws = load_worksheet(sap10calcs / out)
    lines = trace(read_sap_xml(sap10calcs / xml))["lines"]
    bad = []
    for label, key in SYSTEM_SCALARS:
        exp = _expected(ws, key) or 0.0
        ours = _annual(lines, label)
        if ours is None or not close(ours, exp):
            bad.append(f"({label}) ours {ours} engine {exp}")
    for label, key in SYSTEM_MONTHLY:
        for m in range(12):
            exp = _expected(ws, f"{key}_{m + 1}") or 0.0
            ours = lines[label]["monthly"][m]
            if not close(ours, exp):
                bad.append(f"({label})m{m + 1} ours {ours} engine {exp}")
    # the engine stores (233a)/(233b) as negative contributions
    for label, key in (("233a", "value_233a"), ("233b", "value_233b")):
        exp = _expected(ws, key)
        if exp is not None and not close(_annual(lines, label) or 0.0, -exp):
            bad.append(f"({label}) ours {_annual(lines, label)} engine {-exp}")
    assert bad == []


@pytest.mark.parametrize(("case", "sap", "band", "ei", "ei_band"), [
    ("S0_example_no_pv", 70, "C", 70, "C"), ("S1_pv_2_5kwp", 78, "C", 72, "C"),
    ("S2_pv_5kwp", 83, "B", 74, "C")])
def test_sap_and_ei_integers_and_bands_exact(case: str, sap: int, band: str, ei: int,
                                             ei_band: str, sap10calcs: Path) -> None:
    xml, _ = CASES[case]
    row = calculate([read_sap_xml(sap10calcs / xml)]).to_pylist()[0]
    assert (row["sap_rating"], row["sap_band"], row["ei_rating"], row["ei_band"]) == \
        (sap, band, ei, ei_band)


@pytest.mark.parametrize(("path", "expected"), [
    ("tests/sap/M1_Photovoltaics/1/in.xml", 1727.24),
    ("tests/sap/M1_Photovoltaics/2/in.xml", 3454.48),
    ("docs/case_studies/solar_photovoltaics/in.xml", 863.62),
])
def test_pv_generation_within_a_tenth_of_a_percent(path: str, expected: float,
                                                   sap10calcs: Path) -> None:
    row = calculate([read_sap_xml(sap10calcs / path)]).to_pylist()[0]
    assert abs(row["pv_generation_kwh"] - expected) <= 1e-3 * expected


def test_r1_environmental_impact_rating(sap10calcs: Path) -> None:
    """R1's EI (68 D) does not depend on prices; its SAP integer differs from the engine's
    by the engine's two pricing departures (decision 0013, the test below)."""
    xml, _ = CASES["R1_rdsap_expanded"]
    row = read_sap_xml(sap10calcs / xml)
    row["rating_method"] = 2
    result = calculate([row]).to_pylist()[0]
    assert (result["ei_rating"], result["ei_band"]) == (68, "D")


def test_outputs_carry_kwh_and_fuel_per_end_use_for_billing(sap10calcs: Path) -> None:
    xml, _ = CASES["S0_example_no_pv"]
    row = calculate([read_sap_xml(sap10calcs / xml)]).to_pylist()[0]
    assert (row["fuel_main1"], row["fuel_main2"], row["fuel_secondary"], row["fuel_water"],
            row["fuel_electricity"]) == (1, 0, 0, 1, 30)
    for column in ("space_heating_fuel_main1_kwh", "water_heating_fuel_kwh", "pumps_fans_kwh",
                   "lighting_kwh", "appliances_kwh", "cooking_kwh"):
        assert row[column] > 0, column


def test_r1_sap_integer_gap_is_the_two_documented_engine_departures(sap10calcs: Path) -> None:
    """Decision 0013, checked from both sides. With the engine's own expansion of R1 (its
    header-tank cold water included) our water heating fuel (219) equals the engine's and
    our space heating fuel (211) is within 0.5 % (lighting gains, decision 0003). The
    engine's cost lines show its two departures from the RdSAP 10 pricing we follow: space
    heating at Table 32 13.19 p but water at the Table 12 16.49 p, and a 115 kWh circulation
    pump for room heaters. Our rating is 3; applying exactly those two departures to our own
    lines gives the engine's integer, 2."""
    from test_hand_systems_common import RATING, integer_rating, sap_rating

    from ara.sap.tables import read_table

    xml, out = CASES["R1_rdsap_expanded"]
    ws = load_worksheet(sap10calcs / out)
    row = read_sap_xml(sap10calcs / xml)
    row["rating_method"] = 2
    lines = trace(row)["lines"]

    def ours(label: str) -> float:
        v = lines[label]
        return float(v["annual"] if isinstance(v, dict) else v)

    table32 = {r["fuel_code"]: float(r["unit_price_p_per_kwh"])
               for r in read_table("rdsap10_table32_fuel_prices_PARTIAL.csv")
               if r["fuel_code"] == "30"}["30"]
    table12 = {r["fuel_code"]: float(r["unit_price_p_per_kwh"])
               for r in read_table("sap10_2_table12_fuel_prices_factors_PARTIAL.csv")
               if r["fuel_code"] == "30"}["30"]
    assert (table32, table12) == (13.19, 16.49)
    # our energy lines against the engine's
    assert close(ours("219"), ws["value_219"])
    assert abs(ours("211") - ws["value_211"]) <= 0.005 * ws["value_211"]
    assert ours("231") == 0.0 and ws["value_231"] == 115
    # the engine's prices, read off its own cost lines
    assert ws["value_240"] == pytest.approx(ws["value_211"] * table32 / 100.0, rel=1e-6)
    assert ws["value_247"] == pytest.approx(ws["value_219"] * table12 / 100.0, rel=1e-6)
    assert ws["value_249"] == pytest.approx(ws["value_231"] * table32 / 100.0, rel=1e-6)
    assert ours("247") == pytest.approx(ours("219") * table32 / 100.0, rel=1e-9)
    # our rating, and the engine's departures applied to our lines
    area = ours("4") + RATING[("0", "cf_denominator_area_offset")]

    def rdsap_sap(cost: float) -> float:
        return sap_rating(RATING[("2", "deflator")] * cost / area, 2)

    assert rdsap_sap(ours("255")) == pytest.approx(ours("258"), rel=1e-9)
    assert integer_rating(ours("258")) == 3
    departed = ours("255") + ours("219") * (table12 - table32) / 100.0 \
        + ws["value_231"] * table32 / 100.0
    assert integer_rating(rdsap_sap(departed)) == ws["value_258"] == 2
