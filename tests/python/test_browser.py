"""The HTML report in a real browser: headless Chromium at 1280 px loads it
with no console errors, draws every chart, and never scrolls sideways; its
tables have readable headers, are sorted, and leave out certain edges."""

import os
import pathlib
import re
import shutil

import pytest

import salesfunnel as sf

webdriver = pytest.importorskip("selenium.webdriver")
pytest.importorskip("matplotlib")
if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)

IMAGES = pathlib.Path(__file__).resolve().parents[2] / "docs" / "images"


@pytest.fixture(scope="module")
def driver():
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    opts = Options()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1800", "--hide-scrollbars"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    d = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    yield d
    d.quit()


REPORTS = {"bpi2012": (sf.datasets.bpi2012, "BPI Challenge 2012"),
           "crm": (sf.datasets.crm_opportunities, "CRM export")}


@pytest.fixture(scope="module", params=sorted(REPORTS))
def report(request, tmp_path_factory):
    from salesfunnel.report_html import write_report
    load, source = REPORTS[request.param]
    path = tmp_path_factory.mktemp("report") / f"{request.param}.html"
    write_report(load(), path, title=f"{source} funnel", source=source)
    return request.param, path


def test_report_fits_1280_px_and_draws_every_chart(driver, report):
    from selenium.webdriver.common.by import By
    name, path = report
    driver.get(path.as_uri())
    assert driver.execute_script("return window.innerWidth") == 1280
    assert driver.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth")
    svgs = driver.find_elements(By.TAG_NAME, "svg")
    # funnel, (value,) forecast, waterfall, trend, time in stage; CRM open deals have no amounts
    assert len(svgs) == {"bpi2012": 6, "crm": 5}[name]
    for svg in svgs:   # each chart is drawn, with marks and a size, inside the page
        assert len(svg.find_elements(By.CSS_SELECTOR, "path, rect, use")) > 10
        assert 100 < svg.size["width"] <= 1280 and svg.size["height"] > 100
    assert [e for e in driver.get_log("browser") if e["level"] == "SEVERE"] == []
    assert driver.find_elements(By.TAG_NAME, "script") == []
    if name == "bpi2012" and os.environ.get("SF_UPDATE_IMAGES"):
        driver.save_screenshot(str(IMAGES / "report.png"))


def _headers(text):
    return re.findall(r"<th[^>]*>(.*?)</th>", text)


def _column(text, table_after, col):
    """The cells of column ``col`` in the first table after the text ``table_after``."""
    chunk = text[text.index(table_after):]
    table = chunk[chunk.index("<table"):chunk.index("</table>")]
    heads = _headers(table)
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)]
    return [r[heads.index(col)] for r in rows if r]


def test_report_tables_read_well(report):
    name, path = report
    text = path.read_text(encoding="utf-8")
    heads = _headers(text)
    assert heads and not [h for h in heads if re.search(r"[a-z]_[a-z]", h)]
    assert "Step Conversion" in heads and "P90 Days" in heads
    # Read first comes before the numbers when there is anything to read.
    if "Read first" in text:
        assert text.index("Read first") < text.index("<h2>Funnel</h2>")
    # Reps by win rate, best first (not alphabetically).
    rates = _column(text, "Sorted by win rate", "Win Rate")
    values = [float(v.rstrip("%")) for v in rates if v]
    assert values == sorted(values, reverse=True)
    # The weakest link leaves out conversions that are already certain.
    probs = _column(text, "<h2>Weakest link</h2>", "Probability")
    assert all(float(p.rstrip("%")) < 100 for p in probs)
    model = sf.MarkovModel.fit(REPORTS[name][0]())
    certain = model.sensitivity().query("saturated or probability >= 1")
    assert len(certain) >= 1   # both datasets have one: everything submitted is partly submitted
    shown = set(zip(_column(text, "<h2>Weakest link</h2>", "From Stage"),
                    _column(text, "<h2>Weakest link</h2>", "To Stage")))
    assert shown and not shown & set(certain[["from_stage", "to_stage"]].itertuples(index=False,
                                                                                   name=None))
    for section in ("Forecast: the open deals", "What changed in the last 30 days",
                    "Trend: conversion by entry month", "Pipeline value"):
        assert f"<h2>{section}" in text
    if name == "crm":
        assert "open deals have no amounts" in text
