"""Values outside the register's lodgement rules name the certificate and the field."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from rdsap.fixtures.readers_helpers import replace_once, xml_text

from ara.rdsap.readers import CertificateReadError, read_documents, read_rdsap_xml

RRN = "0000-0000-0000-0000-0000"
FIRST_HEIGHT = '<Room-Height quantity="metres">2.45</Room-Height>'
FIRST_DIMENSION = ('<Floor-Insulation>1</Floor-Insulation>\n              '
                   '<Heat-Loss-Perimeter quantity="metres">{perimeter}</Heat-Loss-Perimeter>'
                   '\n              <Party-Wall-Length quantity="metres">7.9</Party-Wall-Length>'
                   '\n              <Total-Floor-Area quantity="square metres">{area}'
                   '</Total-Floor-Area>')
FIRST_AREA = FIRST_DIMENSION.format(perimeter="19.5", area="45.82")

# (case, old text, new text, field, rule code in the message)
CASES: list[tuple[str, str, str, str, str]] = [
    ("floor area zero", FIRST_AREA, FIRST_DIMENSION.format(perimeter="19.5", area="0"),
     "building_parts[0].floor_dimensions[0].total_floor_area_m2", "SAP_FLOOR_AREA_RANGE"),
    ("floor area above 3000", FIRST_AREA,
     FIRST_DIMENSION.format(perimeter="19.5", area="3000.5"),
     "building_parts[0].floor_dimensions[0].total_floor_area_m2", "SAP_FLOOR_AREA_RANGE"),
    ("room too high", FIRST_HEIGHT, '<Room-Height quantity="metres">10.5</Room-Height>',
     "building_parts[0].floor_dimensions[0].room_height_m", "ROOM_TOO_HIGH"),
    ("room height zero", FIRST_HEIGHT, '<Room-Height quantity="metres">0</Room-Height>',
     "building_parts[0].floor_dimensions[0].room_height_m", "ROOM_TOO_LOW"),
    ("percent draughtproofed", "<Percent-Draughtproofed>100</Percent-Draughtproofed>",
     "<Percent-Draughtproofed>101</Percent-Draughtproofed>", "percent_draughtproofed",
     "Percentage"),
    ("no habitable rooms", "<Habitable-Room-Count>5</Habitable-Room-Count>",
     "<Habitable-Room-Count>0</Habitable-Room-Count>", "habitable_room_count",
     "MUST_HAVE_HABITABLE_ROOMS"),
    ("more heated than habitable", "<Heated-Room-Count>5</Heated-Room-Count>",
     "<Heated-Room-Count>6</Heated-Room-Count>", "heated_room_count", "TOO_MANY_HEATED_ROOMS"),
    ("control out of range", "<Main-Heating-Control>2106</Main-Heating-Control>",
     "<Main-Heating-Control>1999</Main-Heating-Control>",
     "main_heating[0].main_heating_control", "MAIN_HEATING_CONTROL_RANGE"),
    ("water heating code out of range", "<Water-Heating-Code>901</Water-Heating-Code>",
     "<Water-Heating-Code>899</Water-Heating-Code>", "water_heating_code",
     "WATER_HEATING_CODE_RANGE"),
    ("inspection in the future", "<Inspection-Date>2025-04-04</Inspection-Date>",
     "<Inspection-Date>2999-01-01</Inspection-Date>", "inspection_date", "DATES_IN_RANGE"),
    ("inspection 19 months before registration", "<Inspection-Date>2025-04-04</Inspection-Date>",
     "<Inspection-Date>2023-09-03</Inspection-Date>", "inspection_date", "DATES_IN_RANGE"),
    ("completion before inspection", "<Completion-Date>2025-04-04</Completion-Date>",
     "<Completion-Date>2025-04-03</Completion-Date>", "completion_date",
     "INSPECTION_DATE_LATER_THAN_COMPLETION_DATE"),
    ("CO2 out of range", "<CO2-Emissions-Current>2.4</CO2-Emissions-Current>",
     "<CO2-Emissions-Current>300.5</CO2-Emissions-Current>", "co2_emissions_current_kg_per_yr",
     "CO2_EMISSIONS_RANGE"),
    ("rating not positive", "<Energy-Rating-Current>50</Energy-Rating-Current>",
     "<Energy-Rating-Current>0</Energy-Rating-Current>", "energy_rating_current",
     "RATINGS_MUST_BE_POSITIVE"),
    ("cavity fill on solid brick",
     "<Wall-Construction>4</Wall-Construction>\n          <Wall-Insulation-Type>2",
     "<Wall-Construction>3</Wall-Construction>\n          <Wall-Insulation-Type>2",
     "building_parts[0].wall_insulation_type", "ONLY_CAVITY_WALLS_SUPPORT_CAVITY_INSULATION"),
    ("five extensions", "<Extensions-Count>0</Extensions-Count>",
     "<Extensions-Count>5</Extensions-Count>", "extensions_count", "ExtensionsCount"),
    ("single system fraction", "<Main-Heating-Fraction>1</Main-Heating-Fraction>",
     "<Main-Heating-Fraction>0.5</Main-Heating-Fraction>",
     "main_heating[0].main_heating_fraction", "SINGLE_MAIN_HEATING_FRACTION"),
    ("heat loss perimeter zero", FIRST_AREA, FIRST_DIMENSION.format(perimeter="0", area="45.82"),
     "building_parts[0].floor_dimensions[0].heat_loss_perimeter_m",
     "HEAT_LOSS_PERIMITER_TOO_LOW"),
    ("unheated corridor without length",
     "<Unheated-Corridor-Length>10</Unheated-Corridor-Length>", "",
     "unheated_corridor_length_m", "SUPPLY_UNHEATED_CORRIDOR_LENGTH"),
    ("more insulated doors than doors", "<Insulated-Door-Count>2</Insulated-Door-Count>",
     "<Insulated-Door-Count>4</Insulated-Door-Count>", "insulated_door_count",
     "INVALID_DOOR_COUNT"),
    ("Scotland", "<Country-Code>ENG</Country-Code>", "<Country-Code>SCT</Country-Code>",
     "country_code", "INVALID_COUNTRY"),
    ("flat roof insulated at joists", "<Roof-Construction>4</Roof-Construction>",
     "<Roof-Construction>1</Roof-Construction>", "building_parts[0].roof_construction",
     "ROOF_INSULATION_INVALID_FOR_FLAT_ROOF"),
    ("age band NR", "<Construction-Age-Band>M</Construction-Age-Band>",
     "<Construction-Age-Band>NR</Construction-Age-Band>",
     "building_parts[0].construction_age_band", "DO_NOT_USE_NR_VALUE"),
]


@pytest.mark.parametrize(("case", "old", "new", "field", "rule"), CASES,
                         ids=[c[0] for c in CASES])
def test_lodgement_rule_violation_names_certificate_and_field(
        case: str, old: str, new: str, field: str, rule: str) -> None:
    text = replace_once(xml_text("21.0.1"), old, new)
    with pytest.raises(CertificateReadError) as caught:
        read_rdsap_xml(text)
    error = caught.value
    assert error.certificate_number == RRN
    assert (field, rule) in [(f.field, f.message.split(":")[0].split()[-1])
                             for f in error.failures]
    assert RRN in str(error) and error.field in str(error)


def test_every_violation_of_a_certificate_is_reported() -> None:
    text = replace_once(xml_text("21.0.1"), FIRST_HEIGHT,
                        '<Room-Height quantity="metres">12</Room-Height>')
    text = replace_once(text, "<Habitable-Room-Count>5</Habitable-Room-Count>",
                        "<Habitable-Room-Count>0</Habitable-Room-Count>")
    with pytest.raises(CertificateReadError) as caught:
        read_rdsap_xml(text)
    fields = {f.field for f in caught.value.failures}
    assert {"building_parts[0].floor_dimensions[0].room_height_m", "habitable_room_count",
            "heated_room_count"} <= fields


def test_validate_false_reads_values_outside_the_rules() -> None:
    text = replace_once(xml_text("21.0.1"), FIRST_HEIGHT,
                        '<Room-Height quantity="metres">12</Room-Height>')
    row = read_rdsap_xml(text, validate=False)
    assert row["building_parts"][0]["floor_dimensions"][0]["room_height_m"] == 12.0


def test_batch_reader_goes_on_and_reports_failures() -> None:
    good = xml_text("21.0.1")
    bad = replace_once(good, FIRST_HEIGHT, '<Room-Height quantity="metres">11</Room-Height>')
    bad = bad.replace(RRN, "1111-2222-3333-4444-5555")
    results = list(read_documents([good, bad, good], batch_size=10))
    assert len(results) == 1
    batch, failures = results[0]
    assert batch.num_rows == 2
    assert [(f.certificate_number, f.field) for f in failures] == [
        ("1111-2222-3333-4444-5555", "building_parts[0].floor_dimensions[0].room_height_m")]
    assert "ROOM_TOO_HIGH" in failures[0].message
    assert failures[0].source == "<document 1>"


def test_register_samples_satisfy_the_rules() -> None:
    # the dates of the samples are in the past; 2025-04-04 is within 18 months of itself
    row = read_rdsap_xml(xml_text("21.0.1"))
    assert row["inspection_date"] <= dt.date.today()


def _contradiction(text: str, ok: bool) -> Any:
    """None when the document reads (``ok``); else its one ARA_HEATING_CODE_FUEL failure."""
    if ok:
        read_rdsap_xml(text)
        return None
    with pytest.raises(CertificateReadError) as exc:
        read_rdsap_xml(text)
    [failure] = [f for f in exc.value.failures if "ARA_HEATING_CODE_FUEL" in f.message]
    return failure


@pytest.mark.parametrize(("code", "fuel", "ok"), [
    ("101", "15", False),  # a gas boiler on anthracite
    ("101", "28", False),  # a gas boiler on oil
    ("101", "29", False),  # a gas boiler on electricity
    ("101", "27", True),  # 'Gas boilers (including LPG)'
    ("101", "51", True),  # biogas
    ("126", "28", True),  # a liquid fuel boiler on oil
    ("126", "18", True),  # ... on B30K
    ("126", "26", False),
    ("151", "33", True),  # a solid fuel boiler on house coal
    ("151", "26", False),
    ("191", "29", True),  # an electric boiler
    ("191", "26", False),
    ("214", "26", True),  # heat pumps are not checked (gas-fired heat pumps exist)
])
def test_a_main_system_burning_a_fuel_its_group_cannot_is_a_named_contradiction(
        code: str, fuel: str, ok: bool) -> None:
    """Ara's consistency rule ARA_HEATING_CODE_FUEL (not a register rule): the SAP heating
    code's Table 4a / 4b group names the fuel family it burns."""
    text = replace_once(xml_text("21.0.1"), "<SAP-Main-Heating-Code>101</SAP-Main-Heating-Code>",
                        f"<SAP-Main-Heating-Code>{code}</SAP-Main-Heating-Code>")
    text = replace_once(text, "<Main-Fuel-Type>26</Main-Fuel-Type>",
                        f"<Main-Fuel-Type>{fuel}</Main-Fuel-Type>")
    failure = _contradiction(text, ok)
    if failure is None:
        return
    assert failure.field == "main_heating[0].main_fuel_type"
    assert "contradiction" in failure.message and code in failure.message \
        and f"Main-Fuel-Type {fuel}" in failure.message


@pytest.mark.parametrize(("fuel", "ok"), [("26", True), ("3", True), ("0", False),
                                          ("99", False), ("15", False)])
def test_a_secondary_room_heater_burning_a_fuel_its_group_cannot_is_a_contradiction(
        fuel: str, ok: bool) -> None:
    """The same rule for the secondary heater: a gas fire (609) on fuel 0 ('no system'), on
    heat-network data (99) or on anthracite contradicts itself."""
    text = replace_once(xml_text("21.0.1"), "<Secondary-Fuel-Type>25</Secondary-Fuel-Type>",
                        "<Secondary-Heating-Type>609</Secondary-Heating-Type>"
                        f"<Secondary-Fuel-Type>{fuel}</Secondary-Fuel-Type>")
    failure = _contradiction(text, ok)
    if failure is None:
        return
    assert failure.field == "secondary_fuel_type" and "Secondary-Heating-Type 609" in \
        failure.message
