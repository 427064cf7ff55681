"""The Markov model and what-if engine from Python; absorption checked against
an independent numpy fundamental-matrix computation."""

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from conftest import AS_OF


def loop_graph():
    g = sf.StageGraph("loop")
    for name, kind in [("In", "entry"), ("A", "open"), ("B", "open"), ("Won", "won"),
                       ("Lost", "lost"), ("Gone", "lost")]:
        g.add_stage(name, kind)
    for a, b in [("In", "A"), ("A", "Won"), ("A", "Lost"), ("A", "B"), ("B", "A"), ("B", "Gone"),
                 ("B", "In")]:
        g.add_transition(a, b)
    return g


PROBS = {("In", "A"): 1.0, ("A", "Won"): 0.45, ("A", "Lost"): 0.25, ("A", "B"): 0.3,
         ("B", "A"): 0.4, ("B", "Gone"): 0.35, ("B", "In"): 0.25}


def test_absorption_equals_numpy_fundamental_matrix():
    m = sf.MarkovModel.from_probabilities(loop_graph(), PROBS, dwell_days={"In": 1, "A": 3, "B": 5})
    P = m.transition_matrix().to_numpy()
    t, a = [0, 1, 2], [3, 4, 5]
    Q, R = P[np.ix_(t, t)], P[np.ix_(t, a)]
    N = np.linalg.inv(np.eye(3) - Q)
    B = N @ R
    got = m.absorption().to_numpy()[:3]
    np.testing.assert_allclose(got, B, rtol=0, atol=1e-12)
    np.testing.assert_allclose(m.win_probability().to_numpy()[:3], B[:, 0], atol=1e-12)
    np.testing.assert_allclose(m.expected_steps().to_numpy()[:3], N @ np.ones(3), atol=1e-12)
    np.testing.assert_allclose(m.expected_days_to_close().to_numpy()[:3], N @ [1, 3, 5], atol=1e-12)


def test_sensitivity_matches_numpy_finite_difference():
    m = sf.MarkovModel.from_probabilities(loop_graph(), PROBS)
    sens = m.sensitivity(mean_won_amount=1000).set_index(["from_stage", "to_stage"])
    h = 1e-7
    bumped = dict(PROBS)
    scale = (1 - PROBS[("B", "A")] - h) / (1 - PROBS[("B", "A")])
    for k in [("B", "Gone"), ("B", "In")]:
        bumped[k] = PROBS[k] * scale
    bumped[("B", "A")] = PROBS[("B", "A")] + h
    w0 = m.win_probability()["In"]
    w1 = sf.MarkovModel.from_probabilities(loop_graph(), bumped).win_probability()["In"]
    assert sens.loc[("B", "A"), "wins_per_100_per_point"] == pytest.approx((w1 - w0) / h, rel=1e-5)
    assert sens.loc[("B", "A"), "revenue_per_100_per_point"] == pytest.approx(
        1000 * sens.loc[("B", "A"), "wins_per_100_per_point"])
    # Ranked: edges already at probability 0 or 1 (In -> A is the only way out of In)
    # are marked and come last; the others from most to least helpful.
    assert list(sens["saturated"]) == sorted(sens["saturated"])
    assert sens.loc[("In", "A"), "saturated"]
    assert sens.loc[~sens["saturated"], "wins_per_100_per_point"].is_monotonic_decreasing


def test_fit_censors_open_deals(five_log):
    m = sf.MarkovModel.fit(five_log, as_of=AS_OF)
    tm = m.transition_matrix()
    assert tm.loc["Lead", "Contact"] == pytest.approx(0.8)
    assert tm.loc["First Meeting", "Active Prospect"] == pytest.approx(1.0)  # C open: no exit
    assert m.win_probability()["Lead"] == pytest.approx(0.8 * 0.75 * 1.0 * 0.5)
    edges = m.edges().set_index(["from_stage", "to_stage"])
    assert edges.loc[("Lead", "Contact"), "count"] == 4
    # Past 1.5 days in Lead only B's 2-day stay (on to Contact, P(won) 0.375) remains.
    assert m.win_probability_after("Lead", 1.5) == pytest.approx(0.375)
    deals, total = m.pipeline_value()
    assert deals["deal"].tolist() == ["C"] and total == pytest.approx(70 * 0.5)


def test_scenarios_compare_and_plan(five_log):
    m = sf.MarkovModel.fit(five_log, as_of=AS_OF)
    s = m.scenario().lift("Active Prospect", "Client", points=10).named("close better")
    table = sf.compare(m, s, leads_per_week=100, mean_won_amount=50)
    base_rate = 0.3
    assert table.loc["baseline", "wins_per_week"] == pytest.approx(100 * base_rate)
    # Active Prospect -> Client 0.5 -> 0.6: P(won | Lead) = 0.8 * 0.75 * 0.6 = 0.36.
    assert table.loc["close better", "win_rate"] == pytest.approx(0.36)
    assert table.loc["close better", "delta_wins_per_week"] == pytest.approx(6.0)
    assert table.loc["close better", "revenue_per_week"] == pytest.approx(36 * 50)
    p = m.plan(wins=3, per="week")
    assert p.loc["Lead", "entries_per_week"] == pytest.approx(3 / 0.3)
    assert p.loc["Active Prospect", "entries_per_week"] == pytest.approx(6.0)
    with pytest.raises(sf.InvalidArgumentError, match="per must be"):
        m.plan(wins=3, per="fortnight")
    with pytest.raises(sf.OutOfRangeError):
        m.scenario().lift("Lead", "Contact", points=50)


def test_forecast_reproducible_and_exact_in_the_limit():
    g = loop_graph()
    m = sf.MarkovModel.from_probabilities(g, PROBS, dwell_days={"In": 1, "A": 1, "B": 1})
    log, truth = sf.datasets.synthetic(0, graph=g, probabilities=PROBS)
    f1 = m.forecast(horizon_days=1e6, period_days=1e6, trials=3000, seed=3, leads_per_week=0.0,
                    log=None, threads=1)
    assert f1.mean_wins == 0
    # 50 new leads a week for 4 weeks, every dwell 0: mean 200 x P(won | In).
    fast = sf.MarkovModel.from_probabilities(g, PROBS)
    f = fast.forecast(horizon_days=28, trials=3000, seed=3, leads_per_week=50, threads=2)
    g2 = fast.forecast(horizon_days=28, trials=3000, seed=3, leads_per_week=50, threads=1)
    assert np.array_equal(f.trials()["wins"], g2.trials()["wins"])
    exact = 200 * fast.win_probability()["In"]
    assert abs(f.mean_wins - exact) <= 2.576 * np.sqrt(exact / 3000)
    assert f.to_pandas()["mean_wins"].sum() == pytest.approx(f.mean_wins)
    calls = []
    fast.forecast(horizon_days=28, trials=2500, seed=3, leads_per_week=50,
                  progress=lambda done, total: calls.append(done) or True)
    assert calls == [1000, 2000, 2500]


def test_forecast_lead_wins_per_period_equal_scipy_expm():
    """New-lead wins per period have mean lambda x (I(t_j) - I(t_j-1)), with
    I(t) the integral of P(won by x | In) = expm(Q x)[In, Won], here from
    scipy.linalg.expm and scipy.integrate.quad: an independent computation
    of the library's exponential, its instant-stage folding and its
    Van Loan integral. In is instant, so B -> In is B -> A: the timed chain
    is A (3 days), B (5 days), Won. At 2 million leads a week a period's
    mean is ~1e5 wins, Poisson, so 400 trials pin it to ~2e-4 (4 SE)."""
    linalg = pytest.importorskip("scipy.linalg")
    integrate = pytest.importorskip("scipy.integrate")
    m = sf.MarkovModel.from_probabilities(loop_graph(), PROBS, dwell_days={"A": 3, "B": 5})
    q = np.array([[-1, 0.3, 0.45], [0.4 + 0.25, -1, 0], [0, 0, 0]]) / np.array([[3], [5], [1]])
    lam, ends = 2e6 / 7, [0, 7, 14, 21, 25]
    integral = [integrate.quad(lambda x: linalg.expm(q * x)[0, 2], 0, t, epsabs=1e-12,
                               epsrel=1e-12)[0] for t in ends]
    want = lam * np.diff(integral)
    f = m.forecast(horizon_days=25, period_days=7, trials=400, seed=2, leads_per_week=2e6,
                   log=None, threads=1)
    got = f.to_pandas()["mean_wins"].to_numpy()
    np.testing.assert_allclose(got, want, rtol=4 / np.sqrt(want.min() * 400))


@pytest.mark.slow
def test_fitted_intervals_cover_the_truth():
    """Over 100 synthetic logs, 95% Wilson intervals of the fitted edges miss
    the true probability about 5% of the time: 100 logs x 6 edges inside
    (0, 1) = 600 intervals, misses ~ Binomial(600, 0.05): mean 30, sd 5.3,
    so more than 3 sd away ([14, 46]) means the coverage is off."""
    g = loop_graph()
    probs = {("In", "A"): 1.0, ("A", "Won"): 0.5, ("A", "Lost"): 0.2, ("A", "B"): 0.3,
             ("B", "A"): 0.5, ("B", "Gone"): 0.3, ("B", "In"): 0.2}
    misses = total = 0
    for seed in range(100):
        log, truth = sf.datasets.synthetic(300, graph=g, seed=seed, probabilities=probs)
        e = sf.MarkovModel.fit(log).edges()
        for _, r in e.iterrows():
            p = probs.get((r["from_stage"], r["to_stage"]), 0)
            if 0 < p < 1:
                total += 1
                misses += not (r["low"] <= p <= r["high"])
    assert total == 600
    assert 14 <= misses <= 46


def test_bpi2012_approval_probability_is_the_product_of_censored_step_conversions():
    """The BPI 2012 application chain is a straight path (every move is to the
    next main stage or out to Declined / Cancelled), so P(Approved | Submitted)
    must equal the product over the path of (moves to the next stage) / (moves
    out of the stage): open applications contribute no move, so they are
    censored, not lost. Counted here from the raw frame, independently."""
    from salesfunnel import _datasets_raw as raw

    df = raw.bpi2012_frame()
    df["stage"] = df["activity"].map(raw.BPI2012_STAGE_MAP)
    df["row"] = np.arange(len(df))
    df = df.sort_values(["case_id", "timestamp", "row"])
    df = df[df.groupby("case_id")["stage"].shift() != df["stage"]]  # fold repeats
    moves = pd.DataFrame({"a": df["stage"], "b": df.groupby("case_id")["stage"].shift(-1)}).dropna()
    path = ["Submitted", "Partly submitted", "Pre-accepted", "Accepted", "Finalized", "Approved"]
    out = moves.groupby("a").size()
    product = 1.0
    for a, b in zip(path, path[1:]):
        product *= int(((moves["a"] == a) & (moves["b"] == b)).sum()) / int(out[a])
    model = sf.MarkovModel.fit(sf.datasets.bpi2012())
    w = model.win_probability()
    assert w["Submitted"] == pytest.approx(product, abs=1e-12)
    # And the last step alone: 2,246 approved of the 4,688 moves out of Finalized.
    assert w["Finalized"] == pytest.approx(2246 / (2246 + 802 + 1640), abs=1e-12)
    assert 0.18 < product < 0.19


# ---------------------------------------------------------------- many chains

def test_chains_by_rep_equal_one_model_per_rep(five_df, five_log):
    # ann (A, C, E): every stage moves on until Active Prospect, where A won
    # and E lost -> P(won | Lead) = 1/2. bob (B, D): Contact's one exit is
    # Disqualified -> 0. Each row also equals a model fitted on that rep's
    # deals alone (an independent path: its own log, its own fit).
    chains = sf.MarkovChains.fit_by(five_log, "rep", as_of=AS_OF)
    assert list(chains.groups) == ["ann", "bob"] and chains.failed == {}
    wp = chains.win_probability()
    assert wp.loc["ann", "Lead"] == pytest.approx(0.5, abs=1e-12)
    assert wp.loc["bob", "Lead"] == 0.0
    for rep in ["ann", "bob"]:
        sub = five_df[five_df.rep == rep]
        one = sf.MarkovModel.fit(sf.EventLog.from_pandas(sub, deal="deal", stage="stage", time="time",
                                                         graph=sf.templates.sales_cycle()), as_of=AS_OF)
        np.testing.assert_array_equal(wp.loc[rep].to_numpy(), one.win_probability().to_numpy())
        np.testing.assert_array_equal(chains.expected_days_to_close().loc[rep].to_numpy(),
                                      one.expected_days_to_close().to_numpy())


def test_chains_from_matrices_equal_numpy_and_name_what_fails():
    g = loop_graph()
    base = sf.MarkovModel.from_probabilities(g, PROBS, dwell_days={"In": 1, "A": 3, "B": 5})
    P = base.transition_matrix().to_numpy()
    rng = np.random.default_rng(7)
    stack = []
    for _ in range(200):  # A's three exits re-drawn per chain, summing to 1
        q = P.copy()
        q[1, [3, 4, 2]] = rng.dirichlet([2, 2, 2])
        stack.append(q)
    stuck = P.copy()  # A -> B only and B -> A only: no exit reachable
    stuck[1] = 0
    stuck[1, 2] = 1
    stuck[2] = 0
    stuck[2, 1] = 1
    stack.append(stuck)
    p = np.stack(stack)
    dwell = np.tile(base.dwell_days().to_numpy(), (len(stack), 1))
    with pytest.warns(UserWarning, match="1 of 201 chains could not be solved"):
        chains = sf.MarkovChains.from_matrices(g, p, dwell)
    # numpy, per chain: B = (I - Q)^-1 R over the transient stages In, A, B.
    t = [0, 1, 2]
    for k in range(0, 200, 17):
        N = np.linalg.inv(np.eye(3) - p[k][np.ix_(t, t)])
        np.testing.assert_allclose(chains.win_probability().iloc[k, :3], N @ p[k][t, 3], atol=1e-12)
        np.testing.assert_allclose(chains.expected_days_to_close().iloc[k, :3], N @ [1, 3, 5], atol=1e-12)
    assert list(chains.failed) == [200] and "In, A, B" in chains.failed[200]
    assert chains.win_probability().iloc[200].isna()[["In", "A", "B"]].all()

    with pytest.raises(sf.InvalidArgumentError, match="must have shape chains x 6 x 6, got 201 x 6"):
        sf.MarkovChains.from_matrices(g, p[:, :, 0])
    bad = p.copy()
    bad[3, 1, 3] += 0.5
    with pytest.raises(sf.InvalidArgumentError, match="chain 3: the probabilities out of 'A' sum to 1.5"):
        sf.MarkovChains.from_matrices(g, bad)
    with pytest.raises(sf.ColumnTypeError, match="probabilities must be an array of numbers"):
        sf.MarkovChains.from_matrices(g, [[["x"] * 6] * 6])
    named = sf.MarkovChains.from_matrices(g, p[:2], names=["north", "south"])
    assert list(named.groups) == ["north", "south"]


def test_chains_long_form_and_pickle(five_log):
    # The long form holds the same numbers as the wide frames, one row per
    # (rep, stage): 2 reps x the template's stages; a pickled copy gives
    # equal frames and the same failures.
    import pickle
    chains = sf.MarkovChains.fit_by(five_log, "rep", as_of=AS_OF)
    long = chains.to_pandas()
    stages = list(five_log.graph.stages)
    assert list(long.columns) == ["rep", "stage", "win_probability", "expected_steps",
                                  "expected_days_to_close", "expected_days_to_win"]
    assert len(long) == 2 * len(stages)
    row = long[(long.rep == "ann") & (long.stage == "Lead")].iloc[0]
    assert row.win_probability == pytest.approx(0.5, abs=1e-12)
    wide = long.pivot(index="rep", columns="stage", values="expected_days_to_close")[stages]
    np.testing.assert_array_equal(wide.to_numpy(), chains.expected_days_to_close().to_numpy())
    back = pickle.loads(pickle.dumps(chains))
    pd.testing.assert_frame_equal(back.win_probability(), chains.win_probability())
    assert back.failed == chains.failed and repr(back) == repr(chains)


def test_chains_from_merged_grouped_stats_equal_fit_by(five_log):
    # Two halves of the log by deal, grouped by rep and merged: the chains fit
    # from them equal fit_by on the whole log, bit for bit.
    parts = [five_log.select_deals([0, 1]), five_log.select_deals([2, 3, 4])]
    merged = sf.funnel_stats(parts[0], as_of=AS_OF, by="rep").merge(
        sf.funnel_stats(parts[1], as_of=AS_OF, by="rep"))
    got = sf.MarkovChains.fit_stats(merged, prior=1.0)
    want = sf.MarkovChains.fit_by(five_log, "rep", prior=1.0, as_of=AS_OF)
    pd.testing.assert_frame_equal(got.win_probability(), want.win_probability())
    pd.testing.assert_frame_equal(got.expected_days_to_close(), want.expected_days_to_close())
    with pytest.raises(sf.ColumnTypeError, match="stats must be GroupedFunnelStats"):
        sf.MarkovChains.fit_stats(sf.funnel_stats(five_log))
