"""The dependency rules of ARCHITECTURE.md, checked on the source text (ast), so that a lazy
import inside a function is caught as well as a top-level one.

* ``kernels/`` (package ``ara_kernels``) is arrays in, arrays out: it imports numpy, numba,
  math and itself, nothing from ``ara``. Its ``__init__`` may also use the three standard
  modules that place the Numba cache (hashlib, os, pathlib).
* ``ara.sap`` sits below everything but ``ara.domain`` and the kernels: it imports nothing from
  the layers above it (persistence, orchestration, cli, ingestion, modelling, rdsap).
* Only ``ara.cli`` and ``ara.orchestration`` sit on top: no other package imports them.

Packages that do not exist yet are simply not checked (a contract over no files passes).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
KERNELS = REPO / "kernels"
SRC = REPO / "src"

KERNEL_ALLOWED = {"numpy", "numba", "math", "ara_kernels", "__future__"}
KERNEL_INIT_ALLOWED = KERNEL_ALLOWED | {"hashlib", "os", "pathlib"}


def imported_modules(path: Path, package: str) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``path``; relative imports are
    resolved against ``package`` (the dotted package the file belongs to)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # ``from ara import cli`` imports the module ara.cli
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def python_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*.py") if "__pycache__" not in p.parts)


def module_package(path: Path) -> str:
    """Dotted package of a file under src/ (``src/ara/sap/x.py`` -> ``ara.sap``)."""
    return ".".join(path.relative_to(SRC).parent.parts)


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def test_kernels_folder_exists() -> None:
    assert (KERNELS / "__init__.py").is_file(), "kernels/ is the compiled core's home"


@pytest.mark.parametrize("path", python_files(KERNELS), ids=lambda p: p.name)
def test_kernels_import_only_numpy_numba_math_and_themselves(path: Path) -> None:
    allowed = KERNEL_INIT_ALLOWED if path.name == "__init__.py" else KERNEL_ALLOWED
    offending = [
        f"{path.relative_to(REPO)}:{line}: imports {module}"
        for line, module in imported_modules(path, "ara_kernels")
        if module.split(".")[0] not in allowed
    ]
    assert not offending, "kernels/ must stay arrays in, arrays out:\n" + "\n".join(offending)


SAP_FORBIDDEN = ("ara.persistence", "ara.orchestration", "ara.cli", "ara.ingestion",
                 "ara.modelling", "ara.rdsap")


def layer_violations(package_dir: Path, forbidden: tuple[str, ...]) -> list[str]:
    out = []
    for path in python_files(package_dir):
        for line, module in imported_modules(path, module_package(path)):
            if any(within(module, f) for f in forbidden):
                out.append(f"{path.relative_to(REPO)}:{line}: imports {module}")
    return out


def test_sap_imports_nothing_from_the_layers_above_it() -> None:
    sap = SRC / "ara" / "sap"
    assert sap.is_dir()
    violations = layer_violations(sap, SAP_FORBIDDEN)
    assert not violations, "ara.sap must not depend on upper layers:\n" + "\n".join(violations)


def test_domain_imports_no_other_ara_package() -> None:
    domain = SRC / "ara" / "domain"
    others = tuple(f"ara.{p.name}" for p in (SRC / "ara").iterdir()
                   if p.name != "domain" and (p.is_dir() or p.suffix == ".py")
                   and not p.name.startswith(("_", ".")) and p.name != "data")
    violations = layer_violations(domain, tuple(m.removesuffix(".py") for m in others)) \
        if domain.is_dir() else []
    assert not violations, "ara.domain is the bottom layer:\n" + "\n".join(violations)


def test_modelling_never_imports_ingestion() -> None:
    modelling = SRC / "ara" / "modelling"
    violations = layer_violations(modelling, ("ara.ingestion",)) if modelling.is_dir() else []
    assert not violations, "modelling reads repositories only:\n" + "\n".join(violations)


def test_only_the_top_imports_cli_and_orchestration() -> None:
    violations = []
    for path in python_files(SRC / "ara"):
        rel = path.relative_to(SRC / "ara")
        if rel.parts[0] in ("orchestration", "__main__.py") or (
                rel.parts[0].startswith("cli") and rel.parts[0].endswith(".py")):
            continue  # cli.py, its command modules (cli_*.py) and python -m ara: the top
        for line, module in imported_modules(path, module_package(path)):
            if within(module, "ara.cli") or within(module, "ara.orchestration"):
                violations.append(f"{path.relative_to(REPO)}:{line}: imports {module}")
    assert not violations, "cli and orchestration are the top layer:\n" + "\n".join(violations)


def test_imported_modules_sees_lazy_and_relative_imports(tmp_path: Path) -> None:
    source = tmp_path / "m.py"
    source.write_text("def f():\n    from ..persistence import uow\n    import ara.cli\n")
    found = {m for _line, m in imported_modules(source, "ara.sap")}
    assert {"ara.persistence", "ara.persistence.uow", "ara.cli"} <= found


def test_no_test_reads_a_folder_beside_the_checkout() -> None:
    """Every file a test reads lives in the repository (tests/vectors, with sources and
    licences): no test module names the shared folder beside the checkout."""
    import re
    from pathlib import Path

    tests = Path(__file__).resolve().parent
    # the folder's name is assembled here so that this guard does not name it itself
    folder = "sha" + "red"
    pattern = re.compile(rf"ARA_{folder.upper()}_DIR|parents?\[\d\]\s*/\s*\"{folder}\""
                         rf"|parent\s*/\s*\"{folder}\"|/work/{folder}|\.\./{folder}")
    offenders = [str(p.relative_to(tests)) for p in tests.rglob("*.py")
                 if p != Path(__file__).resolve() and pattern.search(p.read_text("utf-8"))]
    assert offenders == []
    # nor do the scripts the tests run (a script named by a test, e.g. the sample generator)
    named = re.compile(r"scripts[\"']?\s*/\s*[\"']?(\w+\.py)")
    scripts = {m for p in tests.rglob("*.py") for m in named.findall(p.read_text("utf-8"))}
    assert scripts, "no test names a script: the guard below checks nothing"
    run_by_tests = [name for name in sorted(scripts)
                    if (tests.parent / "scripts" / name).is_file()
                    and pattern.search((tests.parent / "scripts" / name).read_text("utf-8"))]
    assert run_by_tests == []


def test_sql_is_written_only_in_persistence_and_the_read_models() -> None:
    """Issue 16 (read models): queries live in ``ara.persistence`` (repositories, bulk writes,
    migrations) and ``ara.read_models`` (what people read: ara plan / list / export, the run
    summary, the report); no other module builds or runs SQL."""
    import re

    sql = re.compile(r"\bsa\.(select|text|insert|update|delete)\(|\.execute\(|"
                     r"\bfrom sqlalchemy import .*\b(select|text|insert|update|delete)\b")
    allowed = {SRC / "ara" / "read_models.py"}
    found = [f"{path.relative_to(REPO)}:{n}: {line.strip()}"
             for path in python_files(SRC / "ara")
             if "persistence" not in path.relative_to(SRC / "ara").parts
             and path not in allowed
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             if sql.search(line)]
    assert not found, "SQL outside ara.persistence and ara.read_models:\n" + "\n".join(found)


def test_command_modules_import_the_shared_cli_module_not_each_other() -> None:
    """Issue 16, the CLI without import loops: ``ara.cli`` wires the commands together; the
    command modules (``cli_*.py``) take what they share from ``ara.cli_common`` and never
    import ``ara.cli``."""
    offenders = []
    for path in sorted((SRC / "ara").glob("cli_*.py")):
        found = imported_modules(path, "ara")
        offenders += [f"{path.name}:{line}: {module}" for line, module in found
                      if module == "ara.cli" or module.startswith("ara.cli.")]
    assert offenders == [], offenders
