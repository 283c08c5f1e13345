"""Every RdSAP schema the register serves, 17.0 to 21.0.1 and the Northern Ireland twins:
the older ones are read by the rules of the schema whose SAP data they share (the register's
XSDs compared in ``ara.rdsap.readers.xml_document.SCHEMA_ALIASES``), keep their own name in
``schema_type``, and expand and rate exactly like a certificate of that schema."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

from ara.rdsap.expansion import expand
from ara.rdsap.readers import (
    CERTIFICATE_SCHEMA,
    CertificateReadError,
    read_rdsap_xml,
    read_register_json,
)
from ara.rdsap.readers.xml_document import SCHEMA_ALIASES
from ara.sap import calculate

REGISTER = Path(__file__).resolve().parents[1] / "vectors" / "register"


def _xml(base: str, schema: str) -> bytes:
    text = (REGISTER / f"{base}.xml").read_text(encoding="utf-8")
    old = f"/api/schemas/xml/{base}/RdSAP/"
    assert text.count(old) == 1
    return text.replace(old, f"/api/schemas/xml/{schema}/RdSAP/").encode()


def _rated(row: dict[str, object]) -> tuple[pa.Table, list[str]]:
    result = expand(pa.Table.from_pylist([row], schema=CERTIFICATE_SCHEMA), ["d"],
                    mode="estimate")
    assert result.problems == []
    return result.inputs, result.assumptions.to_pylist()[0]


@pytest.mark.parametrize("schema", sorted(SCHEMA_ALIASES))
def test_an_aliased_schema_reads_and_rates_as_the_schema_of_its_data(schema: str) -> None:
    base = SCHEMA_ALIASES[schema]
    row = read_rdsap_xml(_xml(base, schema))
    twin = read_rdsap_xml(_xml(base, base))
    assert row["schema_type"] == schema and twin["schema_type"] == base
    for r in (row, twin):
        if not base.startswith("RdSAP-Schema-21"):
            r["windows"] = []  # the RdSAP 9.x samples' windows contradict their walls
        r["schema_type"] = r["raw_document"] = None  # the document names its schema
    assert row == twin
    inputs, assumptions = _rated(row)
    twin_inputs, twin_assumptions = _rated(twin)
    assert inputs.equals(twin_inputs) and assumptions == twin_assumptions
    assert calculate(inputs, strict=False).column("status").to_pylist() == ["ok"]


def test_register_json_of_an_older_schema_reads_as_its_twin() -> None:
    document = json.loads((REGISTER / "RdSAP-Schema-20.0.0.json").read_text(encoding="utf-8"))
    document["schema_type"] = "RdSAP-Schema-NI-20.0.0"
    row = read_register_json(json.dumps(document))
    assert row["schema_type"] == "RdSAP-Schema-NI-20.0.0"
    twin = read_register_json((REGISTER / "RdSAP-Schema-20.0.0.json").read_text())
    for r in (row, twin):
        r["schema_type"] = r["raw_document"] = r["source"] = None
    assert row == twin


def test_a_schema_the_register_lays_out_differently_is_refused_by_name() -> None:
    with pytest.raises(CertificateReadError, match="RdSAP-Schema-NI-19.0"):
        read_rdsap_xml(_xml("RdSAP-Schema-19.0", "RdSAP-Schema-NI-19.0"))
