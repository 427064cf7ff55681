"""The methodology layer once on the bundled CRM opportunities sample: per-rep
win rates equal an independent pandas computation."""

import pytest

import salesfunnel as sf
from salesfunnel import _datasets_raw as raw


def test_rep_win_rates_match_pandas():
    log = sf.datasets.crm_opportunities()
    got = sf.compare_reps(log, start="Engaging", end="Won").set_index("rep")
    df = raw.crm_frame()
    closed = df[df["deal_stage"].isin(["Won", "Lost"])]
    expected = closed.groupby("sales_agent")["deal_stage"].agg(
        n="size", wins=lambda s: int((s == "Won").sum()))
    assert sorted(got.index) == sorted(expected.index)
    for rep, row in expected.iterrows():
        assert got.loc[rep, "n"] == row["n"]
        assert got.loc[rep, "wins"] == row["wins"]
        assert got.loc[rep, "rate"] == pytest.approx(row["wins"] / row["n"], abs=1e-15)
    # Engaging-only opportunities are open: censored, not lost.
    engaging = df[df["deal_stage"] == "Engaging"].groupby("sales_agent").size()
    for rep, n_open in engaging.items():
        assert got.loc[rep, "open"] == n_open


def test_crm_coverage_and_batches_run_on_real_data():
    log = sf.datasets.crm_opportunities()
    cov = sf.coverage(log, quota=1_000_000)
    assert len(cov) == log.deals()["rep"].nunique() + 1
    team = cov.loc["(team)"]
    assert team["won"] == 4238 and team["lost"] == 2473   # the sample's Won / Lost rows
    b = sf.batches(log, by="regional_office")
    assert set(b["batch"]) == {"Central", "East", "West"}
