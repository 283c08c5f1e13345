"""The overrides vocabulary, measured (issue 20): ``scripts/overrides_vocabulary.py`` runs the
classifier of ``ara overrides import`` over every distinct description of the register's samples
held in the repository (open-data CSVs and certificate documents under ``tests/``) and of the
bundled sample, and ``docs/overrides_vocabulary.md`` is its current output. This test holds the
classified share of each attribute at least what was measured when the script was written
(:data:`CLASSIFIED_FLOORS`): a change of the vocabulary that stops classifying a phrasing it used
to fails here. It reads only files of this repository; about a second."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from ara.domain.overrides import Reading

REPO = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    path = REPO / "scripts" / "overrides_vocabulary.py"
    spec = importlib.util.spec_from_file_location("overrides_vocabulary", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


vocabulary = _load()

#: (classified, distinct descriptions) per attribute the overlay covers, as measured when the
#: script was written (docs/overrides_vocabulary.md). The classified counts may only grow; raise
#: these when they do.
CLASSIFIED_FLOORS: dict[str, tuple[int, int]] = {
    "walls (construction and insulation)": (4, 8),  # 50.0 %: 3 '(assumed)', 1 U-value
    "wall insulation": (1, 2),
    "roof / loft insulation": (6, 10),  # 60.0 %
    "property type": (2, 2),
    "built form": (5, 6),  # 'NO DATA!' is vague
    "property (type and form)": (2, 2),
    # the register's floors are '(assumed)' or 'insulated' without saying as built or
    # retro-fitted; its heating says 'boiler' without combi or regular: vague, never guessed
    "floor (construction and insulation)": (0, 8),
    "glazing": (1, 3),  # 'Fully double glazed'
    "heating (system and fuel)": (0, 7),
    "fuel": (2, 3),  # 'mains gas (not community)', 'electricity (not community)'
}
#: Of everything the overlay covers: 23 of 51 (45.1 %; floor, glazing, heating and fuel
#: joined the overlay at 3 of 21).
COVERED_FLOOR = (23, 51)
#: Of the walls, roofs, types and forms the overlay covered first: at least 19 of 29 (65.5 %).
FIRST_COVERED = ("walls (construction and insulation)", "wall insulation",
                 "roof / loft insulation", "property type", "built form",
                 "property (type and form)")
FIRST_COVERED_FLOOR = (19, 29)


@pytest.fixture(scope="module")
def measured() -> Any:
    return vocabulary.measure_sources()


def test_the_document_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert vocabulary.main(["--check"]) == 0, capsys.readouterr().err
    assert "is current" in capsys.readouterr().out


def test_check_says_when_the_document_is_stale(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    stale = tmp_path / "vocabulary.md"
    stale.write_text("old\n")
    assert vocabulary.main(["--check", "-o", str(stale)]) == 1
    assert "is stale" in capsys.readouterr().err
    assert vocabulary.main(["-o", str(stale)]) == 0
    assert vocabulary.main(["--check", "-o", str(stale)]) == 0


def test_the_sources_are_the_repositorys_own(measured: Any) -> None:
    sources = set(measured.sources)
    assert all(s.startswith(("tests/", "src/ara/data/")) for s in sources), sources
    # the register's open-data CSV samples, its certificate documents, the bundled sample
    assert "tests/vectors/epb-data-warehouse/export_csv/domestic.csv" in sources
    assert "tests/rdsap/fixtures/odc_certificates.csv" in sources
    assert any(s.startswith("tests/vectors/register/") for s in sources)
    assert "src/ara/data/sample_portfolio/overrides.csv" in sources


def test_the_classified_shares_do_not_fall(measured: Any) -> None:
    shares = measured.shares()
    for attribute, (floor, distinct) in CLASSIFIED_FLOORS.items():
        counts = shares[attribute]
        assert sum(counts.values()) >= distinct, (attribute, counts)
        assert counts[Reading.CLASSIFIED] >= floor, (attribute, counts)
    for names, (part, whole) in ((CLASSIFIED_FLOORS, COVERED_FLOOR),
                                 (FIRST_COVERED, FIRST_COVERED_FLOOR)):
        covered = [shares[a] for a in names]
        classified = sum(c[Reading.CLASSIFIED] for c in covered)
        total = sum(sum(c.values()) for c in covered)
        assert classified / total >= part / whole, (names, classified, total)
    # every attribute measured is one the overlay covers now
    assert set(shares) <= set(vocabulary.MEASURED_AS.values()), set(shares)


def test_vague_register_phrasings_are_never_classified(measured: Any) -> None:
    entries = measured.entries.values()
    assumed = [e for e in entries if "(assumed)" in e.text]
    assert assumed and all(e.reading is not Reading.CLASSIFIED for e in assumed)
    doc = (REPO / "docs" / "overrides_vocabulary.md").read_text(encoding="utf-8")
    assert "| walls (construction and insulation) | Cavity wall, as built, no insulation " \
           "(assumed) | marked 'assumed'" in doc
