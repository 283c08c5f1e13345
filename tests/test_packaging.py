"""What a wheel must carry: the spec tables (as ``ara_spec``) and the bundled data, and
``ara.sap.tables`` finds the tables when there is no source checkout around it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from ara.sap import tables

REPO = Path(__file__).resolve().parents[1]


def test_spec_tables_resolve_from_the_installed_package_without_a_checkout(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ARA_SPEC_DIR", raising=False)
    monkeypatch.setattr(tables, "REPO_SPEC_DIR", tmp_path / "no-checkout" / "spec" / "tables")
    found = tables.spec_dir()
    assert found.name == "tables" and found.parent.name == "spec"  # ara_spec -> spec/
    assert (found / "sap10_2_rating_equations.csv").is_file()
    assert tables.read_table("sap10_2_rating_equations.csv")


def test_the_build_configuration_ships_every_table_and_data_folder() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["ara_spec"] == "spec"
    assert "ara_spec" in config["packages"]
    assert config["package-data"]["ara_spec"] == ["tables/*.csv"]
    data = {p.relative_to(REPO / "src").as_posix().replace("/", ".")
            for p in (REPO / "src/ara/data").rglob("*") if p.is_dir()} | {"ara.data"}
    assert data <= set(config["packages"])  # every data folder is listed, or it is dropped
