"""The portfolio report: charts drawn from what the database holds.

``render_html`` is checked on hand-made figures (every chart present, counts right, text
escaped); the whole path (``ara run`` writes the report, ``ara report`` writes it again from the
database) on the bundled sample with SQLite.
"""

from __future__ import annotations

import os
import re
import shutil
import warnings
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from ara.cli import main
from ara.report import BAND_COLOURS, ReportData, ScenarioFigures, render_html

WHEN = datetime(2026, 11, 26, tzinfo=UTC)


def _data() -> ReportData:
    fig = ScenarioFigures("s1", "EPC C <by> 2030",
                          before_band=["D", "E", "F"], after_band=["C", "C", "D"],
                          cost_gbp=[1000.0, 5000.0, 12000.0], sap_gain=[4.0, 12.0, 20.0],
                          bill_before_gbp=[1500.0, 1800.0, 2400.0],
                          bill_after_gbp=[1300.0, 1400.0, 1700.0],
                          reached_goal=[True, True, False],
                          sap_before=[60.0, 45.0, 30.0], sap_after=[64.0, 57.0, 50.0],
                          phases=[(1, ["*"], None, "C", "target_band")],
                          measures=Counter({"loft_insulation": 2, "air_source_heat_pump": 1}),
                          measure_cost_gbp=defaultdict(float, {"loft_insulation": 1800.0,
                                                               "air_source_heat_pump": 11000.0}))
    return ReportData("p&1", 4, 3, lodged_band=["D", "E", "F"],
                      effective_band=["D", "E", "F"], effective_sap=[60, 45, 30],
                      bill_gbp=[1500.0, 1800.0, 2400.0],
                      rebaseline_reasons=Counter({"pre_sap10": 3}),
                      failures=Counter({("baseline", "no standing charge <7-hour>"): 1}),
                      scenarios=[fig])


def test_report_draws_every_chart_and_escapes_text() -> None:
    page = render_html(_data(), WHEN)
    charts = re.findall(r"<svg\b", page)
    # baseline bands; per scenario: bands, cost histogram, gain scatter, bills, measures
    assert len(charts) == 6
    assert "Homes per band: lodged against recalculated" in page
    assert "EPC C &lt;by&gt; 2030: homes per band before and after" in page
    assert "<by>" not in page and "p&amp;1" in page
    assert "no standing charge &lt;7-hour&gt;" in page
    # the scenario table: 2 of 3 reached band C, costs 18,000 in all, median 5,000,
    # mean gain 12.0, bills 5,700 -> 4,400 = 1,300 saved; none worse
    assert "2 (66.7 %)" in page and "18,000" in page and "5,000" in page
    assert "Goal: phase 1: any eligible measure; reach band C at least cost" in page
    assert "<td>0 (0 %)</td>" in page
    assert "<td>12.0</td>" in page and "<td>1,300</td>" in page
    assert render_html(_data(), WHEN) == page  # deterministic


def test_report_of_a_portfolio_with_no_plans_has_only_the_baseline() -> None:
    data = _data()
    data.scenarios = []
    page = render_html(data, WHEN)
    assert len(re.findall(r"<svg\b", page)) == 1 and "Scenario:" not in page


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, int]:
    tmp = tmp_path_factory.mktemp("report")
    db, report = tmp / "ara.db", tmp / "report.html"
    code = main(["run", "--db", str(db), "--report", str(report), "--batch-size", "1000"])
    return db, report, code


def test_ara_run_writes_the_report_from_the_database(sample_run: tuple[Path, Path, int]
                                                     ) -> None:
    db, report, code = sample_run
    assert code in (0, 1)  # 1: some homes failed, as the summary says
    page = report.read_text(encoding="utf-8")
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as conn:
        bands = Counter(b for (b,) in conn.execute(
            sa.text("SELECT effective_band FROM baseline_performance")))
        scenarios = [n for (n,) in conn.execute(sa.text("SELECT name FROM scenarios"))]
        planned = conn.execute(sa.text("SELECT count(*) FROM plans")).scalar_one()
    assert sum(bands.values()) > 0 and planned > 0
    row = re.search(r"<td>(\d+)</td><td>(\d+)</td><td>(\d+)</td><td>(\d+)</td>", page)
    assert row is not None and int(row.group(3)) == sum(bands.values())
    for name in scenarios:
        assert f"Scenario: {name}" in page
    # one baseline chart, five or six per scenario
    assert len(re.findall(r"<svg\b", page)) >= 1 + 5 * len(scenarios)


def test_ara_report_rewrites_the_same_report(sample_run: tuple[Path, Path, int],
                                            tmp_path: Path) -> None:
    db, report, _ = sample_run
    again = tmp_path / "again.html"
    assert main(["report", "--db", str(db), "-o", str(again)]) == 0

    def body(p: Path) -> str:
        return re.sub(r"Generated [^.]*\.", "", p.read_text(encoding="utf-8"))
    assert body(again) == body(report)


def test_reading_commands_refuse_a_database_that_is_not_there(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "none.db"
    assert main(["report", "--db", str(missing), "-o", str(tmp_path / "r.html")]) == 2
    assert main(["plan", "P1", "--db", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count(f"no database at {missing}") == 2
    assert not missing.exists()  # a reading command never creates the file
    empty = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    assert main(["report", "--db", str(empty)]) == 2
    assert "holds no Ara schema" in capsys.readouterr().err


def test_ara_report_names_the_portfolios_it_holds(sample_run: tuple[Path, Path, int],
                                                  tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db, _, _ = sample_run
    assert main(["report", "--db", str(db), "--portfolio", "nope",
                 "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "no portfolio 'nope'" in err and "(it holds: sample)" in err
    assert not (tmp_path / "r.html").exists()


def test_report_counts_homes_by_trust_level_and_the_fallbacks_used(tmp_path: Path) -> None:
    """The report's trust table equals the database: lodged kept (rebaseline reason none),
    re-modelled, re-modelled with estimates, refused (Baseline failures); the fallbacks
    chart lists each fallback id with its homes."""
    import sqlite3

    from ara.cli import main

    db, out = tmp_path / "t.db", tmp_path / "r.html"
    assert main(["run", "--db", str(db), "--scenarios", "none", "--report", str(out)]) in (0, 1)
    with sqlite3.connect(db) as con:
        kept, remodelled, estimated, predicted = con.execute(
            "SELECT SUM(rebaseline_reason = 'none' AND source_path != 'predicted'), "
            "SUM(rebaseline_reason != 'none' AND NOT estimate AND source_path != 'predicted'), "
            "SUM(rebaseline_reason != 'none' AND estimate AND source_path != 'predicted'), "
            "SUM(source_path = 'predicted') FROM baseline_performance").fetchone()
        refused = con.execute("SELECT COUNT(*) FROM stage_failures WHERE stage = 'baseline'"
                              ).fetchone()[0]
    page = out.read_text(encoding="utf-8")
    for level, count in (("lodged kept", kept), ("re-modelled", remodelled),
                         ("re-modelled with estimates", estimated),
                         ("estimated (predicted)", predicted), ("refused", refused)):
        assert f"<td>{level}</td><td>{count}</td>" in page
    assert estimated > 0 and "Estimate fallbacks used" in page
    assert "hot_water_timing_not_established" in page


def test_percentages_never_round_to_all_or_nothing() -> None:
    from ara.report import percent

    assert percent(1994, 2000) == "99.7 %" and percent(1999, 2000) == "99.9 %"
    assert percent(2000, 2000) == "100 %" and percent(0, 2000) == "0 %"
    assert percent(1, 100_000) == "0.1 %" and percent(1, 0) == "-"


def test_the_report_states_each_goal_and_counts_homes_that_reach_it_or_get_worse(
        tmp_path: Path) -> None:
    """Issue 14: the goal, budget and phases in words; 'reached' counts homes whose final band
    is the target or better (a 'largest gain' goal has no target); homes whose SAP falls or
    whose bill rises are counted; measures in words; a sortable per-home table; the band
    chart's legend drawn in a neutral shade, not one band's colour."""
    import sqlite3

    from ara.cli import main

    db, out = tmp_path / "g.db", tmp_path / "g.html"
    assert main(["run", "--db", str(db), "--report", str(out)]) in (0, 1)
    page = out.read_text(encoding="utf-8")
    assert "Goal: phase 1: any eligible measure; reach band C at least cost; no budget " \
           "limit." in page
    assert ("Goal: phase 1: cavity wall fill, internal wall insulation" in page
            and "then phase 2: air source heat pump; the largest CO2 reduction" in page)
    with sqlite3.connect(db) as con:
        reached, planned = con.execute(
            "SELECT SUM(final_band <= 'C'), COUNT(*) FROM plans "
            "WHERE scenario_id = 'epc_c_by_2030'").fetchone()
        worse = con.execute("SELECT COUNT(*) FROM plans WHERE scenario_id = "
                            "'fabric_first_then_heat_pump' AND final_sap_score < "
                            "sap_score_before").fetchone()[0]
    from ara.report import percent

    assert f"<td>{reached} ({percent(reached, planned)})</td>" in page
    assert "<td>no target band</td>" in page
    assert f"<td>{worse} ({percent(worse, planned)})</td>" in page
    assert "air source heat pump" in page and "air_source_heat_pump</td>" not in page
    assert page.count("<table class=sortable>") == 1 and "<script>" in page
    assert page.count("<tr><td>P") >= 2000  # one row per home


# ---- the report in a real browser ---------------------------------------------------------

def _browser() -> Any:
    """Headless Chromium driven through its own chromedriver (Debian's ``chromium`` and
    ``chromium-driver``, which ``.ci/run`` installs). Without them the test is skipped, loudly,
    and under ``CI=true`` it fails: the report is what people read, so CI must open it."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:  # pragma: no cover - selenium is a dev dependency
        chromium = None
    if chromium is None or driver is None:
        message = ("HEADLESS BROWSER NOT FOUND: the report's browser test needs chromium, "
                   "chromium-driver and selenium (apt-get install chromium chromium-driver)")
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI=true: a missing browser is a failure)", pytrace=False)
        warnings.warn(message, stacklevel=2)
        pytest.skip(message)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return webdriver.Chrome(service=Service(executable_path=driver), options=options)


def _sap_column(browser: Any) -> list[int]:
    return [int(v) for v in browser.execute_script(
        "return Array.from(document.querySelectorAll('table.sortable tbody tr'))"
        ".map(function (r) { return r.children[3].textContent; });")]


def test_the_report_opens_in_a_browser_draws_its_charts_and_sorts_its_table(
        sample_run: tuple[Path, Path, int], tmp_path: Path) -> None:
    """The written report of the bundled run, opened in headless Chromium: no script errors,
    every chart laid out at a readable size inside the page, no sideways scrolling at desktop or
    phone width, and the homes table sorts by SAP as numbers (both ways) when its heading is
    clicked. A screenshot is kept beside the test's files for a person to look at."""
    _, report, _ = sample_run
    browser = _browser()
    try:
        browser.get(report.resolve().as_uri())
        assert browser.title == "Ara report: sample"
        errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        sizes = browser.execute_script(
            "return Array.from(document.querySelectorAll('svg')).map(function (s) {"
            " var r = s.getBoundingClientRect(); return [r.width, r.height]; });")
        assert len(sizes) >= 6
        assert all(300 <= w <= 1280 and 150 <= h for w, h in sizes), sizes
        for width in (1280, 390):
            browser.set_window_size(width, 900)
            assert browser.execute_script(
                "return document.documentElement.scrollWidth"
                " <= document.documentElement.clientWidth + 1;"), f"sideways scroll at {width}px"
        browser.set_window_size(1280, 900)

        unsorted = _sap_column(browser)
        assert len(unsorted) > 100 and unsorted != sorted(unsorted)
        heading = browser.find_elements("css selector", "table.sortable th")[3]
        assert heading.text == "SAP"
        browser.execute_script("arguments[0].scrollIntoView();", heading)
        heading.click()
        assert _sap_column(browser) == sorted(unsorted)
        heading.click()
        assert _sap_column(browser) == sorted(unsorted, reverse=True)
        assert browser.get_log("browser") == []
        browser.execute_script("window.scrollTo(0, 0);")
        shot = tmp_path / "report.png"
        assert browser.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
        # the screenshot itself: the first screen shows the band chart, drawn in the band
        # colours of every band the sample's recalculation holds (B to G) and the neutral
        # legend patches, on a white page
        from PIL import Image

        pixels = Image.open(shot).convert("RGB")
        colours = {colour for _count, colour in pixels.getcolors(maxcolors=1 << 20) or []}
        assert (255, 255, 255) in colours
        for hex_colour in (*BAND_COLOURS[1:], "#777777"):
            rgb = tuple(int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
            assert any(all(abs(a - b) <= 4 for a, b in zip(rgb, c, strict=True))
                       for c in colours), f"{hex_colour} not on the first screen"
    finally:
        browser.quit()
