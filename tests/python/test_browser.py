"""The HTML report in a real browser: headless Chromium loads it with no
console errors and draws every chart."""

import shutil

import pytest

import salesfunnel as sf

webdriver = pytest.importorskip("selenium.webdriver")
pytest.importorskip("matplotlib")
if shutil.which("chromium") is None or shutil.which("chromedriver") is None:
    pytest.skip("chromium and chromedriver are not installed", allow_module_level=True)


def test_report_renders_in_chromium(tmp_path):
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By

    from salesfunnel.report_html import write_report

    path = tmp_path / "report.html"
    write_report(sf.datasets.bpi2012(), path, title="BPI 2012")
    opts = Options()
    opts.binary_location = shutil.which("chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1200,2400"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=opts)
    try:
        driver.get(path.as_uri())
        assert driver.title == "BPI 2012"
        svgs = driver.find_elements(By.TAG_NAME, "svg")
        assert len(svgs) == 3  # funnel, time in stage, the last 30 days' waterfall
        for svg in svgs:   # each chart is drawn: it has marks and a size on the page
            marks = svg.find_elements(By.CSS_SELECTOR, "path, rect, use")
            assert len(marks) > 10
            assert svg.size["width"] > 100 and svg.size["height"] > 100
        severe = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert severe == []
        assert driver.save_screenshot(str(tmp_path / "report.png"))
        shutil.copy(tmp_path / "report.png", "/tmp/report_shot.png") if shutil.os.environ.get("SF_KEEP_SHOT") else None
    finally:
        driver.quit()
