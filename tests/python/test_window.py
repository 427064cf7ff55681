"""Window funnels from Python: hand counts, an independent pandas computation
on a generated log, ClickHouse's windowFunnel (chDB, when installed), merges,
cohorts, the CLI and the chart numbers."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf

DAY0 = pd.Timestamp("2024-01-01")
AS_OF = "2024-01-21"  # day 20

# The worked example of docs/concepts.md, "Window funnels".
ROWS = [("d1", "MQL", 0), ("d1", "SQL", 2), ("d1", "Meeting", 5),
        ("d2", "MQL", 0), ("d2", "Meeting", 1), ("d2", "SQL", 3),
        ("d3", "MQL", 0), ("d3", "SQL", 12),
        ("d4", "MQL", 0), ("d4", "Nurture", 2), ("d4", "MQL", 4), ("d4", "SQL", 13),
        ("d4", "Meeting", 15),
        ("d5", "MQL", 18), ("d5", "SQL", 19),
        ("d6", "MQL", 19)]
STEPS = ["MQL", "SQL", "Meeting"]


@pytest.fixture
def leads():
    df = pd.DataFrame(ROWS, columns=["lead", "step", "day"])
    df["at"] = DAY0 + pd.to_timedelta(df["day"], unit="D")
    df["owner"] = df["lead"].map({"d1": "ann", "d2": "ann", "d3": "bob", "d4": "bob", "d5": "ann",
                                  "d6": "bob"})
    return df


@pytest.fixture
def lead_log(leads):
    return sf.EventLog.from_pandas(leads, deal="lead", stage="step", time="at", rep="owner")


def test_hand_counts_ordered(lead_log):
    t = sf.window_funnel(lead_log, STEPS, "10D", as_of=AS_OF).to_pandas()
    # SQL: d1, d2, d4 (second MQL), d5 in time; d3 too late; d6 immature.
    assert t.loc["SQL", ["entered", "converted", "immature", "mature"]].tolist() == [6, 4, 1, 5]
    assert t.loc["SQL", "conversion"] == pytest.approx(4 / 5)
    # Meeting: d1 only; d5 immature; d2 (order) and d4 (11 days) dropped.
    assert t.loc["Meeting", ["entered", "converted", "immature"]].tolist() == [4, 1, 1]
    assert t.loc["Meeting", "cumulative"] == pytest.approx(1 / 4)  # 6 - d5 - d6 known
    # Days MQL -> SQL: d5 1, d1 2, d2 3, d4 9: median 2 (2% sketch precision).
    assert t.loc["SQL", "median_days_from_previous"] == pytest.approx(2.0, rel=0.02)
    lo, hi = t.loc["SQL", ["conversion_low", "conversion_high"]]
    assert lo < 0.8 < hi


def test_orders_and_exclusions(lead_log):
    strict = sf.window_funnel(lead_log, STEPS, "10D", order="strict", as_of=AS_OF).to_pandas()
    assert strict.loc["SQL", "converted"] == 3            # d2's Meeting ends its attempt
    anyo = sf.window_funnel(lead_log, STEPS, "10D", order="any", as_of=AS_OF).to_pandas()
    assert anyo.loc["Meeting", "converted"] == 2          # d1 and d2
    # Nurture between MQL and SQL ends d4's first attempt; its second one has no Nurture.
    ex = sf.window_funnel(lead_log, STEPS, "10D", exclusions=[(0, 1, "Nurture")], as_of=AS_OF)
    assert ex.to_pandas().loc["SQL", "converted"] == 4
    # With 20 days d4's first attempt reaches Meeting 15 days after MQL; excluding
    # Nurture between MQL and Meeting leaves its second attempt (11 days).
    ex = sf.window_funnel(lead_log, STEPS, "20D", exclusions=[(0, 2, "Nurture")], as_of=AS_OF).to_pandas()
    plain = sf.window_funnel(lead_log, STEPS, "20D", as_of=AS_OF).to_pandas()
    assert plain.loc["Meeting", "converted"] == ex.loc["Meeting", "converted"] == 2   # d1, d4
    assert plain.loc["Meeting", "p90_days_from_first"] == pytest.approx(15, rel=0.02)
    assert ex.loc["Meeting", "p90_days_from_first"] == pytest.approx(11, rel=0.02)
    with pytest.raises(sf.InvalidArgumentError, match="exclusions need an order"):
        sf.window_funnel(lead_log, STEPS, "10D", order="any", exclusions=[(0, 1, "Nurture")])


def test_immature_deals_and_the_curve(lead_log):
    w = sf.window_funnel(lead_log, STEPS, "10D", as_of=AS_OF)
    assert "2 deals are still inside their window" in w.warnings[0]
    c = w.curve(wide=True)
    assert list(c.index) == list(np.arange(1.0, 11.0))
    # KM by hand for SQL: d5 at day 1 (1/6), d6 censored in bucket 1, d1 at 2 (1/4), d2 at 3 (1/3), d4 at 9 (1/2).
    s = np.cumprod([1 - 1 / 6, 1 - 1 / 4, 1 - 1 / 3, 1 - 1 / 2])
    assert c.loc[2.0, "SQL"] == pytest.approx(1 - s[0])
    assert c.loc[4.0, "SQL"] == pytest.approx(1 - s[2])
    assert c.loc[10.0, "SQL"] == pytest.approx(1 - s[3])
    assert w.to_pandas().loc["SQL", "km_cumulative"] == pytest.approx(1 - s[3])
    assert w.within == pd.Timedelta(days=10)
    assert w.as_of == pd.Timestamp(AS_OF)


def test_by_rep_and_entry_cohort_and_merge(lead_log, leads):
    g = sf.window_funnel(lead_log, STEPS, "10D", as_of=AS_OF, by="rep")
    assert g.groups == ["ann", "bob"]
    assert g["ann"].to_pandas().loc["SQL", "converted"] == 3   # d1, d2, d5
    wk = sf.window_funnel(lead_log, STEPS, "10D", as_of=AS_OF, by="cohort_week")
    # d1-d3 entered on Monday 2024-01-01; d4's chosen MQL is on day 4 (same week); d5, d6 on days 18-19.
    assert wk.groups == ["2024-01-01", "2024-01-15"]
    assert wk.trend().shape == (2, 3)
    parts = [sf.EventLog.from_pandas(leads[leads["lead"].isin(ids)], deal="lead", stage="step", time="at")
             for ids in (["d1", "d3", "d5"], ["d2", "d4", "d6"])]
    a, b = (sf.window_funnel_stats(p, STEPS, "10D", as_of=AS_OF) for p in parts)
    whole = sf.window_funnel_stats(lead_log, STEPS, "10D", as_of=AS_OF)
    assert a.merge(b) == whole
    pd.testing.assert_frame_equal(a.merge(b).report().to_pandas(), whole.report().to_pandas())
    with pytest.raises(sf.InvalidArgumentError):
        a.merge(sf.window_funnel_stats(parts[1], STEPS, "11D", as_of=AS_OF))


def _pandas_window(df: pd.DataFrame, steps, window: pd.Timedelta) -> np.ndarray:
    """Deals per deepest step, computed independently: each step-1 event
    walked forward alone (first event of the next step within the window;
    ties in step order), the deepest attempt per deal."""
    index = {s: j for j, s in enumerate(steps)}
    ev = df[df["stage"].isin(steps)].copy()
    ev["j"] = ev["stage"].map(index)
    ev = ev.sort_values(["deal", "time", "j"], kind="stable")
    depth = []
    for _, d in ev.groupby("deal", sort=False):
        times, js = d["time"].to_numpy(), d["j"].to_numpy()
        best = 0
        for a in np.flatnonzero(js == 0):
            level = 1
            for i in range(a + 1, len(js)):
                if times[i] - times[a] > window:
                    break
                if level < len(steps) and js[i] == level:
                    level += 1
            best = max(best, level)
        depth.append(best)
    return np.bincount(np.array(depth, dtype=int), minlength=len(steps) + 1)[1:]


def _generated(seed: int = 3, n: int = 4000) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    deal = rng.integers(0, 400, n)
    stage = rng.choice(list("ABCDE"), n, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    time = DAY0 + pd.to_timedelta(rng.integers(0, 60, n), unit="D")   # whole days: many ties
    # Each stage once per deal: the log folds a stage repeated back to back
    # into one visit (re-entry is checked against a brute force in C++).
    df = pd.DataFrame({"deal": deal, "stage": stage, "time": time}).drop_duplicates(["deal", "stage"])
    return df.sample(frac=1.0, random_state=seed)


def test_equals_an_independent_pandas_computation():
    df = _generated()
    log = sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time")
    for steps, window in ((["A", "B", "C"], "7D"), (["B", "A", "D", "C"], "20D"), (["E", "E2"], "3D")):
        t = sf.window_funnel(log, steps, window).to_pandas()
        converted = t["converted"].to_numpy()
        ours = converted - np.r_[converted[1:], 0]
        want = _pandas_window(df, steps, pd.Timedelta(window))
        np.testing.assert_array_equal(ours, want)


def test_deepest_levels_equal_clickhouse_window_funnel():
    chdb = pytest.importorskip("chdb")
    df = _generated(seed=5)
    # windowFunnel does not fold back-to-back repeats; this log has none left.
    log = sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time")
    steps = ["A", "B", "C", "D"]
    t = sf.window_funnel(log, steps, "10D").to_pandas()["converted"].to_numpy()
    ours = t - np.r_[t[1:], 0]
    chdf = pd.DataFrame({"deal": df["deal"].to_numpy(), "stage": df["stage"].to_numpy(),
                         "t": ((df["time"] - pd.Timestamp(0)) // pd.Timedelta(seconds=1)).astype(np.uint64).to_numpy()})
    conds = ", ".join(f"stage = '{s}'" for s in steps)
    out = chdb.query(f"SELECT level, count() AS n FROM (SELECT deal, windowFunnel({10 * 86400})(t, {conds}) "
                     f"AS level FROM Python(chdf) GROUP BY deal) WHERE level > 0 GROUP BY level", "DataFrame")
    theirs = np.zeros(len(steps), dtype=np.int64)
    theirs[out["level"].to_numpy() - 1] = out["n"].to_numpy()
    np.testing.assert_array_equal(ours, theirs)


def test_graph_logs_refuse_unknown_stages_and_apply_the_outcome_rule():
    log = sf.datasets.bpi2012()
    with pytest.raises(sf.NotFoundError, match="'Aproved'"):
        sf.window_funnel(log, ["Submitted", "Aproved"], "30D")
    t = sf.window_funnel(log, ["Submitted", "Accepted", "Approved"], "30D").to_pandas()
    f = sf.funnel(log).to_pandas()
    assert t.loc["Submitted", "converted"] == f.loc["Submitted", "reached"] == 13087
    # Declined or cancelled applications are lost: never immature however recent.
    raw = sf.EventLog.from_pandas(log.to_pandas(), deal="deal", stage="stage", time="time")
    t_raw = sf.window_funnel(raw, ["Submitted", "Accepted", "Approved"], "30D").to_pandas()
    assert (t["immature"] <= t_raw["immature"]).all() and t["immature"].sum() < t_raw["immature"].sum()
    assert (t["converted"] <= t_raw["converted"]).all()   # the graph log cuts events after the outcome


def test_bad_arguments_are_typed_errors(lead_log):
    with pytest.raises(sf.ColumnTypeError, match="within"):
        sf.window_funnel(lead_log, STEPS, "fortnight")
    with pytest.raises(sf.InvalidArgumentError, match="positive"):
        sf.window_funnel(lead_log, STEPS, 0)
    with pytest.raises(sf.InvalidArgumentError, match="order"):
        sf.window_funnel(lead_log, STEPS, "10D", order="sideways")
    with pytest.raises(sf.ColumnTypeError, match="step 1"):
        sf.window_funnel(lead_log, ["MQL", 3], "10D")
    with pytest.raises(sf.InvalidArgumentError, match="0 <= from < to"):
        sf.window_funnel(lead_log, STEPS, "10D", exclusions=[(1, 1, "Nurture")])
    with pytest.raises(sf.InvalidArgumentError, match="at least one step"):
        sf.window_funnel(lead_log, [], "10D")


def test_a_hundred_steps():
    rows = [(f"p{p}", f"s{j}", DAY0 + pd.Timedelta(days=j)) for p in range(10) for j in range(10 * p + 5)]
    log = sf.EventLog.from_pandas(pd.DataFrame(rows, columns=["deal", "stage", "time"]), deal="deal",
                                  stage="stage", time="time")
    t = sf.window_funnel(log, [f"s{j}" for j in range(100)], "200D").to_pandas()
    assert len(t) == 100
    assert t["converted"].iloc[94] == 1 and t["converted"].iloc[95] == 0   # p9 reaches s94
    assert t["converted"].iloc[5] == 9


def test_chart_numbers_and_display(lead_log):
    pytest.importorskip("matplotlib")
    w = sf.window_funnel(lead_log, STEPS, "10D", as_of=AS_OF)
    seg = sf.plots.window_segments(w)
    t = w.to_pandas()
    assert (seg.sum(axis=1) == t["entered"]).all()
    assert seg.loc["Meeting"].tolist() == [1, 1, 2]   # did it, window still open, dropped
    fig = w.plot()
    bars = [p.get_width() for p in fig.axes[0].patches]
    assert sum(bars) == t["entered"].sum()
    fig = w.plot("curve")
    assert "Kaplan-Meier" in fig.axes[0].get_title(loc="left")
    g = sf.window_funnel(lead_log, STEPS, "10D", as_of=AS_OF, by="cohort_week")
    heights = [p.get_height() for p in g.plot().axes[0].patches]
    assert heights == pytest.approx(g.trend()["Meeting"].fillna(0).tolist())
    assert "Immature" in w._repr_html_()


def test_cli_window(tmp_path, leads):
    path = tmp_path / "leads.csv"
    leads.to_csv(path, index=False)
    done = subprocess.run([sys.executable, "-m", "salesfunnel", "window", str(path), "--deal", "lead",
                           "--stage", "step", "--time", "at", "--steps", "MQL,SQL,Meeting|Demo",
                           "--within", "10D", "--as-of", AS_OF], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stdout.splitlines() if ln.startswith("SQL "))
    assert line.split()[1:4] == ["6", "4", "1"]
    assert "Meeting | Demo" in done.stdout
    assert "still inside their window" in done.stderr
