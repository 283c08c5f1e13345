"""Issue 16, "one safe XML parser": every certificate reader parses through
``ara.xml_safety.parse_xml_safely``, so each one refuses an entity-expansion ("billion laughs")
document and an external entity (XXE) by name, as its own error type, never a traceback."""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from ara.cli import main
from ara.rdsap.readers import (
    UnsafeDocumentError,
    read_certificates,
    read_certificates_table,
    read_documents,
    read_rdsap_xml,
    xml_to_register_json,
)
from ara.rdsap.readers.xml_document import parse_xml
from ara.sap.xml_reader import (
    SapXmlError,
    read_sap_xml,
    read_sap_xml_certificate,
    read_sap_xml_files,
)
from ara.xml_safety import XmlRefusedError, parse_xml_safely

TESTS = Path(__file__).resolve().parent
SRC = TESTS.parent / "src" / "ara"
RDSAP_HOSTILE = TESTS / "rdsap" / "fixtures"
SAP_HOSTILE = TESTS / "fixtures" / "xml"
LEGACY = TESTS / "vectors" / "register" / "SAP-Schema-16.0.xml"

#: (fixture stem, what the refusal must name)
HOSTILE = [("billion_laughs", "entity 'lol' declared"), ("xxe", "external entity 'xxe'")]


def _with_doctype(document: str, kind: str) -> bytes:
    """``document`` with a hostile internal DTD subset placed before its root element."""
    root = re.search(r"<([A-Za-z][\w.-]*)[\s>]", document.split("?>", 1)[1])
    assert root is not None
    subset = ('<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
              if kind == "billion_laughs" else '<!ENTITY xxe SYSTEM "file:///etc/passwd">')
    head, body = document.split("?>", 1)
    return f'{head}?>\n<!DOCTYPE {root[1]} [{subset}]>{body}'.encode()


def _refusal_of(read: Callable[[], object], error: type[Exception]) -> str:
    with pytest.raises(error) as caught:
        read()
    return str(caught.value)


@pytest.mark.parametrize(("stem", "named"), HOSTILE)
def test_the_shared_parser_refuses_by_name(stem: str, named: str) -> None:
    with pytest.raises(XmlRefusedError) as caught:
        parse_xml_safely((RDSAP_HOSTILE / f"{stem}.xml").read_bytes())
    assert caught.value.unsafe and named in caught.value.reason
    assert "root:" not in caught.value.reason  # nothing of /etc/passwd is read


@pytest.mark.parametrize(("stem", "named"), HOSTILE)
@pytest.mark.parametrize("reader", ["read_rdsap_xml", "xml_to_register_json", "parse_xml"])
def test_each_rdsap_reader_refuses_hostile_xml_by_name(reader: str, stem: str,
                                                       named: str) -> None:
    path = RDSAP_HOSTILE / f"{stem}.xml"
    read = {"read_rdsap_xml": lambda: read_rdsap_xml(path),
            "xml_to_register_json": lambda: xml_to_register_json(path),
            "parse_xml": lambda: parse_xml(path.read_bytes(), path.name)}[reader]
    message = _refusal_of(read, UnsafeDocumentError)
    assert "unsafe XML rejected" in message and named in message


@pytest.mark.parametrize(("stem", "named"), HOSTILE)
def test_the_rdsap_batch_readers_report_hostile_xml_as_failures(stem: str, named: str,
                                                                tmp_path: Path) -> None:
    shutil.copy(RDSAP_HOSTILE / f"{stem}.xml", tmp_path / f"{stem}.xml")
    _batch, in_memory = next(read_documents([(RDSAP_HOSTILE / f"{stem}.xml").read_bytes()]))
    from_folder = [f for _batch, found in read_certificates(tmp_path) for f in found]
    table, tabled = read_certificates_table(tmp_path)
    assert table.num_rows == 0
    for failures in (in_memory, from_folder, tabled):
        assert len(failures) == 1 and named in failures[0].message


@pytest.mark.parametrize(("stem", "named"), HOSTILE)
@pytest.mark.parametrize("reader", ["read_sap_xml", "read_sap_xml_certificate",
                                    "read_sap_xml_files", "legacy"])
def test_each_sap_reader_refuses_hostile_xml_by_name(reader: str, stem: str,
                                                     named: str) -> None:
    path = SAP_HOSTILE / f"{stem}.xml"
    legacy = _with_doctype(LEGACY.read_text(encoding="utf-8"), stem)
    read = {"read_sap_xml": lambda: read_sap_xml(path),
            "read_sap_xml_certificate": lambda: read_sap_xml_certificate(path, "estimate"),
            "read_sap_xml_files": lambda: read_sap_xml_files([path]),
            "legacy": lambda: read_sap_xml(legacy, "legacy")}[reader]
    message = _refusal_of(read, SapXmlError)
    assert "unsafe XML rejected" in message and named.split(" declared")[0] in message
    assert "root:" not in message


@pytest.mark.parametrize(("stem", "named"), HOSTILE)
@pytest.mark.parametrize("folder", [RDSAP_HOSTILE, SAP_HOSTILE], ids=["rdsap", "sap"])
def test_ara_rate_names_the_refusal_without_a_traceback(
        folder: Path, stem: str, named: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / f"{stem}.xml"
    shutil.copy(folder / f"{stem}.xml", path)
    assert main(["rate", str(path)]) != 0
    out = capsys.readouterr()
    assert named.split(" declared")[0] in out.out + out.err
    assert "Traceback" not in out.out + out.err


def test_no_reader_parses_xml_but_through_the_shared_parser() -> None:
    """Only ``ara.xml_safety`` imports an XML parser; a second entry point would be a second
    set of safety rules. ``cli_rate._xml_root`` (``defusedxml.iterparse`` to peek at the root
    element, entities refused by defusedxml's defaults) is the one left, outside this change."""
    parsers = ("defusedxml", "lxml", "xml.sax", "xml.dom", "xml.parsers")
    etree_parsing = {"XML", "XMLParser", "fromstring", "fromstringlist", "iterparse", "parse"}
    known = {"xml_safety.py", "cli_rate.py"}
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path.name in known:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
                if node.module == "xml.etree.ElementTree":
                    names = [a.name for a in node.names if a.name in etree_parsing]
            else:
                continue
            found += [f"{path.relative_to(SRC)}: {n}" for n in names
                      if n.startswith(parsers) or n in etree_parsing
                      or n == "xml.etree.ElementTree"]
    assert found == []
