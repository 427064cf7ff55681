"""The funnel report on hand-counted data (numbers derived in conftest.FIVE_DEALS)."""

import math

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from conftest import AS_OF, T0, DAY


def test_counts_and_conversions(five_log):
    rep = sf.funnel(five_log, as_of=AS_OF)
    assert rep.totals == {"deals": 5, "won": 1, "lost": 3, "open": 1}
    df = rep.to_pandas()
    main = ["Lead", "Contact", "First Meeting", "Active Prospect", "Client"]
    assert df.loc[main, "reached"].tolist() == [5, 4, 3, 2, 1]
    assert df.loc["Disqualified", "reached"] == 2          # B and D
    # Step: Lead 4/5; Contact 3/4; First Meeting 2/2 (C is censored, not dropped);
    # Active Prospect 1/2; Client -> Advocate 0/1.
    np.testing.assert_allclose(df.loc[main, "step_conversion"], [0.8, 0.75, 1.0, 0.5, 0.0])
    # Cumulative: reached / (reached + closed before): 5/5, 4/5, 3/5, 2/4, 1/4.
    np.testing.assert_allclose(df.loc[main, "cumulative_conversion"], [1, 0.8, 0.6, 0.5, 0.25])
    assert df.loc["First Meeting", "open"] == 1
    assert df.loc["First Meeting", "dropped"] == 0


def test_wilson_interval_closed_form(five_log):
    df = sf.funnel(five_log, as_of=AS_OF).to_pandas()
    z, n, p = 1.959963984540054, 5, 0.8
    center = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert df.loc["Lead", "step_low"] == pytest.approx(center - half)
    assert df.loc["Lead", "step_high"] == pytest.approx(center + half)


def test_time_in_stage_kaplan_meier(five_log):
    df = sf.funnel(five_log, as_of=AS_OF).to_pandas()
    # First Meeting: A 3 days, E 2 days, C censored at 15: S(2)=2/3, S(3)=1/3 -> median 3.
    assert df.loc["First Meeting", "median_days"] == pytest.approx(3.0, rel=0.02)
    assert math.isnan(df.loc["First Meeting", "p90_days"])
    assert df.loc["First Meeting", "mean_days"] == pytest.approx(2.5)
    assert df.loc["Lead", "mean_days"] == pytest.approx(1.2)   # (1+2+1+1+1)/5


def test_drop_offs_and_transitions(five_log):
    rep = sf.funnel(five_log, as_of=AS_OF)
    d = rep.drop_offs().set_index(["stage", "exit"])["deals"].to_dict()
    assert d == {("Lead", "Disqualified"): 1, ("Contact", "Disqualified"): 1,
                 ("Active Prospect", "Lost"): 1}
    t = rep.transitions()
    assert t["count"].sum() == 13          # 18 events - 5 deals
    wide = rep.transitions(wide=True)
    assert wide.loc["Lead", "Contact"] == 4
    assert wide.values.sum() == 13


def test_breakdowns_add_up(five_log):
    rep = sf.funnel(five_log, as_of=AS_OF)
    by_rep = rep.by("rep").totals()
    assert by_rep.loc["ann"].tolist() == [3, 1, 1, 1]    # A C E: 1 won, 1 lost, 1 open
    assert by_rep.loc["bob"].tolist() == [2, 0, 2, 0]
    assert by_rep["deals"].sum() == 5
    seg = rep.by("segment").to_pandas()
    whole = rep.to_pandas()["reached"]
    summed = seg["reached"].groupby(level="stage").sum()
    assert (summed.reindex(whole.index) == whole).all()
    months = rep.by("cohort_month")
    assert months.groups == ["2024-01"]
    weeks = rep.by("cohort_week")   # 2024-01-01 was a Monday; days 0-2 are in its week
    assert weeks.groups == ["2024-01-01"]


def test_merged_halves_equal_whole(five_log):
    whole = sf.funnel_stats(five_log, as_of=AS_OF)
    a = sf.funnel_stats(five_log.select_deals([0, 1]), as_of=AS_OF)
    b = sf.funnel_stats(five_log.select_deals([2, 3, 4]), as_of=AS_OF)
    merged = a.merge(b)
    assert merged == whole
    pd.testing.assert_frame_equal(merged.report().to_pandas(),
                                  sf.funnel(five_log, as_of=AS_OF).to_pandas())


def test_grouped_stats_merge_by_label_and_report_as_one_log(five_log):
    # Deals 0, 1 (A: ann, B: bob) and 2, 3, 4 (C: ann, D: bob, E: ann): each
    # half holds both reps; by segment, the first half holds smb (A) and ent
    # (B) and the second too. Merged, each group equals the whole log's, and
    # the reports equal funnel(log).by(...).
    a = five_log.select_deals([0, 1])
    b = five_log.select_deals([2, 3, 4])
    for by in ("rep", "segment", "cohort_week"):
        whole = sf.funnel_stats(five_log, as_of=AS_OF, by=by)
        merged = sf.funnel_stats(a, as_of=AS_OF, by=by).merge(sf.funnel_stats(b, as_of=AS_OF, by=by))
        assert merged == whole and merged.groups == whole.groups
        pd.testing.assert_frame_equal(merged.report().to_pandas(),
                                      sf.funnel(five_log, as_of=AS_OF).by(by).to_pandas())
    per_rep = sf.funnel_stats(five_log, as_of=AS_OF, by="rep")
    assert per_rep.groups == ["ann", "bob"] and per_rep.by == "rep" and len(per_rep) == 2
    assert per_rep["ann"].deals == 3 and per_rep["bob"].deals == 2  # A C E / B D
    assert per_rep.report().totals().loc["bob"].to_dict() == {"deals": 2, "won": 0, "lost": 2, "open": 0}
    with pytest.raises(sf.NotFoundError, match="no group 'zed'"):
        per_rep["zed"]
    import pickle
    assert pickle.loads(pickle.dumps(per_rep)) == per_rep
    assert sf.GroupedFunnelStats.from_bytes(per_rep.to_bytes(), five_log.graph) == per_rep
    # A deal counted in both parts is refused, across groups.
    with pytest.raises(sf.FailedPreconditionError):
        per_rep.merge(sf.funnel_stats(a, as_of=AS_OF, by="rep"))


def test_default_as_of_is_latest_event(five_log):
    # Latest event is A's Client at day 10: C's First Meeting stay is censored at 5 days.
    df = sf.funnel(five_log).to_pandas()
    assert df.loc["First Meeting", "stays_censored"] == 1
    # A past as_of reads the log as it stood then. On day 2, by hand: A, B and C
    # sit at Contact, D at Lead, E at First Meeting; nothing has closed.
    early = sf.funnel(five_log, as_of=T0 + 2 * DAY)
    assert early.totals == {"deals": 5, "won": 0, "lost": 0, "open": 5}
    assert early.to_pandas().loc["Contact", "open"] == 3
