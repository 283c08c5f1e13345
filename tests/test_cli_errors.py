"""Issue 15 item 6 / issue 14 'clean failures': every refusal of ``ara run`` is one line
naming the file or option, exit status 2, no traceback, and no database file left behind;
anything unexpected is one line with exit status 70 (ARA_DEBUG=1 shows the traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ara import cli
from ara.cli import main


@pytest.fixture
def no_token(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("ARA_EPC_API_TOKEN", raising=False)
    monkeypatch.delenv("ARA_CREDENTIALS_FILE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _portfolio(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "homes.csv"
    path.write_bytes(data)
    return path


GOOD = b"uprn,address_line_1,post_town,postcode\n1,1 High Street,Town,AB1 2CD\n"


@pytest.mark.parametrize(("args", "expected", "status"), [
    (lambda t: [str(_portfolio(t, GOOD.replace(b"High", b"H\xe9gh")))],
     "not UTF-8 text (byte 0xe9", 2),
    (lambda t: [str(_portfolio(t, GOOD.replace(b",", b";")))], "unknown column(s)", 2),
    (lambda t: ["--batch-size", "0"], "--batch-size must be at least 1, not 0", 2),
    (lambda t: ["--scenarios", str(_portfolio(t, b'{"name": "x",'))], "not valid JSON", 2),
    (lambda t: ["--scenarios", str(_portfolio(t, b'[1, 2]'))], "not a scenario", 2),
    # configuration, not input: the distinct status 78
    (lambda t: [str(_portfolio(t, GOOD)), "--epc-source", "api"],
     "no token for the EPC register API", 78),
    (lambda t: ["--pcdb", str(t / "missing.dat")], "PCDB file", 2),
    (lambda t: ["--uprn-data", str(t / "missing.parquet")], "--uprn-data", 2),
])
def test_run_refuses_in_one_line_before_creating_the_database(
        args: object, expected: str, status: int, tmp_path: Path, no_token: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "ara.db"
    code = main(["run", *args(tmp_path), "--db", str(db)])  # type: ignore[operator]
    err = capsys.readouterr().err
    assert code == status
    assert err.startswith("ara run: error: ") and expected in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert not db.exists()


def test_an_unreachable_database_is_one_line_without_its_password(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["run", "--scenarios", "none", "--report", "none",
                 "--db", "postgresql+psycopg://someone:hunter2@127.0.0.1:1/nowhere"])
    err = capsys.readouterr().err
    assert code == 78 and "cannot open the database" in err
    assert "hunter2" not in err and "Traceback" not in err


def test_an_unexpected_failure_is_one_line_with_exit_70(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(_args: object) -> int:
        raise RuntimeError("something Ara did not expect")

    parser = cli.build_parser()
    monkeypatch.setattr(cli, "build_parser", lambda: parser)
    parser.set_defaults(func=broken)
    for action in parser._subparsers._group_actions:  # type: ignore[union-attr]
        for sub in action.choices.values():
            sub.set_defaults(func=broken)
    assert main(["calc"]) == 70
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: something Ara did not expect" in err
    assert "Traceback" not in err
    monkeypatch.setenv("ARA_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["calc"])


@pytest.mark.parametrize(("command", "code", "expected"), [
    (["rate", "--mode", "estimate"], 1, "no certificate rows in the file"),
    (["expand", "--mode", "estimate", "-o", "{tmp}/x.parquet"], 2, "no certificates in the input"),
    (["validate"], 2, "no certificates found in the inputs"),
])
@pytest.mark.parametrize("content", [b"", b"LMK_KEY,ADDRESS1\n"])
def test_an_empty_input_is_never_reported_as_success(
        command: list[str], code: int, expected: str, content: bytes, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 15 item 7: an empty CSV (or a header alone) rates nothing: not exit 0."""
    path = tmp_path / "empty.csv"
    path.write_bytes(content)
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    assert main([*args, str(path)]) == code
    captured = capsys.readouterr()
    assert expected in captured.out + captured.err


def test_portfolio_headers_are_read_in_any_case_and_duplicate_uprns_named(
        tmp_path: Path) -> None:
    from ara.orchestration.first_run import PortfolioError, read_portfolio

    path = _portfolio(tmp_path, b" UPRN ,Address_Line_1,POSTCODE\n1,1 High St,AB1 2CD\n"
                                b"2,2 High St,AB1 2CD\n")
    table = read_portfolio(path, "p")
    assert table.column("uprn").to_pylist() == [1, 2]
    assert table.column("address_line_1").to_pylist() == ["1 High St", "2 High St"]
    path = _portfolio(tmp_path, b"uprn,address_line_1,postcode\n7,a,AB1\n8,b,AB1\n7,c,AB1\n")
    with pytest.raises(PortfolioError, match=r"1 UPRN\(s\) listed more than once: uprn 7 on "
                                             r"lines 2, 4"):
        read_portfolio(path, "p")
    path = _portfolio(tmp_path, b"uprn,UPRN\n1,1\n")
    with pytest.raises(PortfolioError, match=r"column\(s\) \['uprn'\] given twice"):
        read_portfolio(path, "p")
    path = _portfolio(tmp_path, b"uprn\n-5\n")
    with pytest.raises(PortfolioError, match="is not a UPRN"):
        read_portfolio(path, "p")


def test_a_scenario_with_an_unknown_measure_or_goal_is_refused_naming_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 14: a misspelt measure is not accepted silently; the known ones are listed."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"scenario_id": "s", "name": "s", "phases": [{"allowed_measure_types": '
                   '["loft_insulation", "lof_insulation"]}]}')
    assert main(["run", "--scenarios", str(bad), "--db", str(tmp_path / "a.db")]) == 2
    err = capsys.readouterr().err
    assert "phase 1: unknown measure type(s) 'lof_insulation'" in err
    assert "loft_insulation" in err.split("the catalogue has:")[1]
    assert not (tmp_path / "a.db").exists()
    bad.write_text('{"scenario_id": "s", "name": "s", "phases": [{"goal": "max_fun"}]}')
    assert main(["run", "--scenarios", str(bad), "--db", str(tmp_path / "a.db")]) == 2
    assert "unknown goal 'max_fun'" in capsys.readouterr().err
    good = tmp_path / "good.json"
    good.write_text('{"scenario_id": "s", "name": "s", "phases": [{"allowed_measure_types": '
                    '["*_insulation"], "goal": "max_sap"}]}')
    from ara.modelling.scenarios import load_scenario

    assert load_scenario(good).phases[0].allowed_measure_types == ("*_insulation",)
