"""The command-line tool: the report, plan and forecast commands, and one-line errors."""

import subprocess
import sys

import pandas as pd
import pytest

from conftest import FIVE_DEALS, T0, DAY

pytest.importorskip("pyarrow")
pytest.importorskip("matplotlib")


@pytest.fixture
def events_csv(tmp_path):
    df = pd.DataFrame(FIVE_DEALS, columns=["deal", "stage", "day", "owner", "amount"])
    df["entered_at"] = (T0 + df["day"] * DAY).dt.strftime("%Y-%m-%d %H:%M:%S")
    path = tmp_path / "events.csv"
    df.drop(columns="day").to_csv(path, index=False)
    return path


def run(*args):
    return subprocess.run([sys.executable, "-m", "salesfunnel", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


BASE = ["--deal", "deal", "--stage", "stage", "--time", "entered_at", "--rep", "owner",
        "--amount", "amount", "--template", "sales_cycle"]


def test_report_is_one_offline_file(events_csv, tmp_path):
    out = tmp_path / "r.html"
    done = run("report", events_csv, *BASE, "-o", out)
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    assert "http://" not in text.split("<svg")[0] and "<script" not in text  # no CDN, no scripts
    # funnel, pipeline value, forecast, 30-day waterfall, time in stage (too few months for a trend)
    assert text.count("<svg") == 5
    for stage in ("Lead", "Contact", "First Meeting", "Active Prospect", "Client"):
        assert stage in text
    assert "<b>5</b>deals" in text and "<b>1</b>won" in text and "<b>3</b>lost" in text
    assert "Weakest link" in text and "Per rep" in text and "Pipeline integrity" in text


def test_plan_and_forecast_print_tables(events_csv):
    done = run("plan", events_csv, *BASE, "--wins", "3", "--per", "week")
    assert done.returncode == 0, done.stderr
    # P(won | Lead) = 0.8 * 0.75 * 1 * 0.5 = 0.3 -> 10 leads a week for 3 wins.
    lead = [l for l in done.stdout.splitlines() if l.startswith("Lead")][0]
    assert [float(x) for x in lead.split()[1:3]] == pytest.approx([0.3, 10.0])
    done = run("forecast", events_csv, *BASE, "--trials", "500", "--quota", "1")
    assert done.returncode == 0, done.stderr
    assert "Forecast(wins" in done.stdout


def test_errors_are_one_line(events_csv, tmp_path):
    done = run("report", events_csv, "--deal", "deal", "--stage", "nope", "--time", "entered_at",
               "--template", "sales_cycle")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"salesfunnel: error: {events_csv}: column 'nope' (stage) is not in the table; columns: "
        "deal, stage, owner, amount, entered_at"]
    bad = tmp_path / "bad.csv"
    bad.write_text("deal,stage,entered_at\nx,Lead,2024-01-01\nx,Contact,soon\n")
    done = run("report", bad, "--deal", "deal", "--stage", "stage", "--time", "entered_at",
               "--template", "sales_cycle")
    assert done.returncode == 2
    assert done.stderr.strip() == (f"salesfunnel: error: {bad}: column 'entered_at' (time), "
                                   "row 1 (line 3): cannot read time 'soon'")
    assert "Traceback" not in done.stderr
    typo = tmp_path / "typo.csv"
    typo.write_text("deal,stage,entered_at\nx,Lead,2024-01-01\nx,Contcat,2024-01-02\n")
    done = run("report", typo, "--deal", "deal", "--stage", "stage", "--time", "entered_at",
               "--template", "sales_cycle")
    assert "column 'stage', row 1 (line 3): unknown stage 'Contcat'" in done.stderr
    done = run("report", typo, "--deal", "deal", "--stage", "stage", "--time", "entered_at",
               "--template", "sales_cycle", "--debug")
    assert "Traceback" in done.stderr


def test_demo_prints_the_bpi_report():
    done = run()
    assert done.returncode == 0
    assert "13,087 applications: 2,246 approved" in done.stdout
