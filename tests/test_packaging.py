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


def test_the_distribution_is_named_apart_from_the_unrelated_ara_and_is_typed() -> None:
    """'ara' on the package index is another project: the distribution is ara-sap, the
    import name ara; LICENSE, py.typed and the extras that keep the calculator light."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["name"] == "ara-sap" and project["license"] == "MIT"
    assert (REPO / "LICENSE").is_file() and (REPO / "CHANGELOG.md").is_file()
    assert (REPO / "src" / "ara" / "py.typed").is_file()
    core = " ".join(project["dependencies"])
    for heavy in ("sqlalchemy", "psycopg", "httpx", "matplotlib", "alembic"):
        assert heavy not in core and heavy in " ".join(
            project["optional-dependencies"]["pipeline"])


def test_import_ara_gives_the_calculator_and_the_readers_lazily() -> None:
    import subprocess
    import sys

    code = ("import sys, ara; assert 'ara.sap' not in sys.modules; "
            "print(ara.sap.calculate.__name__, ara.rdsap.expand.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["calculate", "expand"]
    version = subprocess.run([sys.executable, "-m", "ara", "--version"], capture_output=True,
                             text=True, check=True)
    assert "0.1.0" in version.stdout + version.stderr


def test_a_pipeline_command_without_its_extra_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import importlib.util

    from ara.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "httpx" else real(name, *a))
    assert main(["run"]) == 2
    assert "pip install 'ara-sap[pipeline]'" in capsys.readouterr().err
