"""Register API certificate JSON, and its parity with the XML of the same certificate."""

from __future__ import annotations

import copy
import json
import random
from typing import Any

import pytest
from rdsap.fixtures.readers_helpers import (
    JSON_SAMPLES,
    PAIRED_VERSIONS,
    RDSAP_XML_SAMPLES,
    SAMPLES,
    json_sample,
    physical,
    require_shared,
    varied_xml,
    xml_text,
)

from ara.rdsap.readers import (
    CERTIFICATE_SCHEMA,
    CertificateReadError,
    read_rdsap_xml,
    read_register_json,
    xml_to_register_json,
)

#: Where the warehouse's synthetic JSON samples were made from other values than the
#: register's XML samples of the same schema (checked field by field against the XML):
#: column -> (value read from the XML, value read from the JSON), and the JSON edit that
#: puts the XML's value back.
SAMPLE_DISCREPANCIES: dict[str, dict[str, tuple[Any, Any]]] = {
    "21.0.1": {},
    "21.0.0": {"incandescent_fixed_lighting_bulbs_count": (0, 5),
               "open_chimneys_count": (None, 1)},
    "20.0.0": {"pv_percent_roof_area": (0, 50)},
}


def _corrected_json(version: str) -> dict[str, Any]:
    document = json_sample(version)
    if version == "21.0.0":
        document["incandescent_fixed_lighting_bulbs_count"] = 0
        del document["open_chimneys_count"]
    if version == "20.0.0":
        document["sap_energy_source"]["photovoltaic_supply"]["none_or_no_details"][
            "percent_roof_area"] = 0
    return document


@pytest.mark.parametrize("version", PAIRED_VERSIONS)
def test_every_register_json_sample_reads(version: str) -> None:
    row = read_register_json(json_sample(version))
    assert set(row) == set(CERTIFICATE_SCHEMA.names)
    assert row["schema_type"] == f"RdSAP-Schema-{version}"
    assert row["data_source"] == "register_json"


def test_full_sap_json_is_refused() -> None:
    require_shared()
    with pytest.raises(CertificateReadError, match="unsupported schema 'SAP-Schema-19.1.0'"):
        read_register_json((JSON_SAMPLES / "SAP-Schema-19.1.0" / "epc.json").read_text())


@pytest.mark.parametrize("version", PAIRED_VERSIONS)
def test_xml_and_json_samples_differ_only_where_the_samples_do(version: str) -> None:
    from_xml = physical(read_rdsap_xml(SAMPLES / f"RdSAP-Schema-{version}" / "epc.xml"))
    from_json = physical(read_register_json(json_sample(version)))
    differences = {k: (from_xml[k], from_json[k]) for k in from_xml
                   if from_xml[k] != from_json[k]}
    assert differences == SAMPLE_DISCREPANCIES[version]


@pytest.mark.parametrize("version", PAIRED_VERSIONS)
def test_xml_and_json_of_the_same_certificate_give_identical_rows(version: str) -> None:
    from_xml = physical(read_rdsap_xml(SAMPLES / f"RdSAP-Schema-{version}" / "epc.xml"))
    from_json = physical(read_register_json(_corrected_json(version)))
    assert from_json == from_xml


@pytest.mark.parametrize("name", sorted(RDSAP_XML_SAMPLES))
def test_xml_through_the_register_transform_reads_to_the_same_row(name: str) -> None:
    require_shared()
    path = RDSAP_XML_SAMPLES[name]
    from_xml = read_rdsap_xml(path)
    document = xml_to_register_json(path)
    from_json = read_register_json(json.dumps(document))
    for column in ("data_source", "source", "raw_document"):
        from_xml.pop(column)
        from_json.pop(column)
    assert from_json == from_xml


def test_register_transform_matches_the_warehouse_json_sample() -> None:
    document = xml_to_register_json(SAMPLES / "RdSAP-Schema-21.0.1" / "epc.xml")
    sample = json_sample("21.0.1")
    for key in ("sap_building_parts", "sap_heating", "sap_windows", "sap_energy_source",
                "windows_transmission_details", "energy_rating_current",
                "co2_emissions_current", "renewable_heat_incentive"):
        assert document[key] == sample[key], key
    assert document["sap_heating"]["main_heating_details"][0]["main_heating_index_number"] \
        == 17507


def test_varied_certificates_keep_parity() -> None:
    template = xml_text("21.0.1")
    rng = random.Random(7)
    for number in range(40):
        text = varied_xml(template, rng, number)
        from_xml = read_rdsap_xml(text, validate=False)
        from_json = read_register_json(xml_to_register_json(text), validate=False)
        assert physical(from_json) == physical(from_xml)
        assert from_json["certificate_number"] == from_xml["certificate_number"]


def test_description_objects_and_plain_strings_read_the_same() -> None:
    with_objects = json_sample("21.0.1")
    plain = copy.deepcopy(with_objects)
    for key in ("walls", "roofs", "floors", "main_heating", "main_heating_controls"):
        for entry in plain[key]:
            entry["description"] = entry["description"]["value"]
    for key in ("window", "hot_water", "lighting", "secondary_heating"):
        plain[key]["description"] = plain[key]["description"]["value"]
    assert physical(read_register_json(plain)) == physical(read_register_json(with_objects))


def test_measurements_as_objects_or_numbers_read_the_same() -> None:
    document = json_sample("21.0.1")
    bare = copy.deepcopy(document)
    for dim in bare["sap_building_parts"][0]["sap_floor_dimensions"]:
        for key in ("room_height", "total_floor_area", "party_wall_length",
                    "heat_loss_perimeter"):
            dim[key] = dim[key]["value"]
    bare["sap_flat_details"]["unheated_corridor_length"] = 10
    assert physical(read_register_json(bare)) == physical(read_register_json(document))


@pytest.mark.parametrize("wrap", ["api", "bulk row", "bare with number"])
def test_envelopes_and_certificate_numbers(wrap: str) -> None:
    document = json_sample("21.0.1")
    number = "1234-5678-9012-3456-7890"
    if wrap == "api":
        obj: dict[str, Any] = {"data": dict(document, certificate_number=number)}
    elif wrap == "bulk row":
        obj = {"certificate_number": number, "document": document}
    else:
        obj = dict(document, certificate_number=number)
    row = read_register_json(obj)
    assert row["certificate_number"] == number
    assert physical(row) == physical(read_register_json(document))


def test_certificate_number_argument_and_text_input() -> None:
    text = json.dumps(json_sample("21.0.1"))
    row = read_register_json(text, certificate_number="0000-1111-2222-3333-4444")
    assert row["certificate_number"] == "0000-1111-2222-3333-4444"
    assert row["raw_document"] == text
    assert row["uprn"] == 12457


def test_invalid_json_text_is_a_read_error() -> None:
    with pytest.raises(CertificateReadError, match="invalid JSON"):
        read_register_json('{"schema_type": "RdSAP-Schema-21.0.1",')


def test_structure_the_register_never_produces_is_a_read_error() -> None:
    document = json_sample("21.0.1")
    document["sap_building_parts"] = "not a list"
    with pytest.raises(CertificateReadError) as caught:
        read_register_json(document)
    assert caught.value.field.startswith("building_parts")
