"""The sales methodology layer from Python, on hand-countable data. Each test
states the number and where it comes from."""

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf

T0 = pd.Timestamp("2024-01-01")
DAY = pd.Timedelta(days=1)


def log_of(paths, rep_of=None, amount_of=None):
    """paths: deal -> list of (stage, day)."""
    rows = []
    for deal, path in paths.items():
        for stage, day in path:
            rows.append({"deal": deal, "stage": stage, "time": T0 + day * DAY,
                         "rep": (rep_of or {}).get(deal, "ann"),
                         "amount": (amount_of or {}).get(deal, 100.0)})
    df = pd.DataFrame(rows)
    return sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time", rep="rep",
                                   amount="amount", graph=sf.templates.sales_cycle())


WIN = [("Lead", 0), ("Contact", 1), ("First Meeting", 2), ("Active Prospect", 3), ("Client", 4)]
LOSS = [("Lead", 0), ("Contact", 1), ("Disqualified", 2)]


def test_rate_beats_volume():
    # Rep A: 10 wins from 20 contacts (50%); rep B: 20 wins from 100 (20%).
    paths, reps = {}, {}
    for i in range(20):
        paths[f"a{i}"] = WIN if i < 10 else LOSS
        reps[f"a{i}"] = "A"
    for i in range(100):
        paths[f"b{i}"] = WIN if i < 20 else LOSS
        reps[f"b{i}"] = "B"
    df = sf.compare_reps(log_of(paths, reps), start="Contact", end="Client").set_index("rep")
    assert df.loc["A", ["n", "wins"]].tolist() == [20, 10]
    assert df.loc["B", ["n", "wins"]].tolist() == [100, 20]
    assert df.loc["A", "rate"] == pytest.approx(0.5) and df.loc["B", "rate"] == pytest.approx(0.2)
    assert df.loc["A", "rank"] == 1 and df.loc["B", "rank"] == 2
    assert df.loc["A", "shrunk_rate"] <= 0.5 and df.loc["B", "shrunk_rate"] >= 0.2


def test_three_meetings_a_week_at_55_percent_needs_5_to_6_conversations():
    p = sf.plan_great_conversations(3, 0.55)
    assert p["needed"] == pytest.approx(3 / 0.55)      # 5.45
    assert (p["needed_floor"], p["needed_ceil"]) == (5, 6)


def test_great_conversation_counting_rule():
    calls = pd.DataFrame({
        "prospect": ["p1", "p1", "p1", "p2", "p3", "p4"],
        "rep": ["ann"] * 6,
        "at": T0 + pd.to_timedelta([0, 1, 2, 0, 0, 0], unit="D"),
        "dm": [True, True, True, True, False, True],
        "outcome": ["yes", "not_now", "no", "maybe", "yes", "no_answer"],
    })
    gc = sf.great_conversations(calls, prospect="prospect", rep="rep", time="at",
                                decision_maker="dm", outcome="outcome")
    # p1: three great conversations, counted once; p2 maybe: 0; p3 not a DM: 0; p4 no answer: 0.
    assert gc.count == 1
    assert gc.tally == {"conversations": 6, "counted": 1, "repeats": 2, "not_decision_maker": 1,
                        "maybe": 1, "no_answer": 1}
    assert gc.weekly(target=1)["count"].sum() == 1
    # p1's latest great conversation was a firm no on day 2: follow up 182-365 days later.
    fu = gc.follow_ups()
    assert fu["prospect"].tolist() == ["p1"]
    assert fu.loc[0, "due"] == T0 + 184 * DAY and fu.loc[0, "latest"] == T0 + 367 * DAY
    bad = calls.assign(outcome=["yes", "perhaps", "no", "maybe", "yes", "no_answer"])
    with pytest.raises(sf.InvalidArgumentError, match="allowed"):
        sf.great_conversations(bad, prospect="prospect", rep="rep", time="at",
                               decision_maker="dm", outcome="outcome")


def test_two_meeting_rule_excludes_a_one_meeting_deal():
    log = log_of({"X": [("Lead", 0), ("Contact", 1), ("First Meeting", 2)],
                  "Y": [("Lead", 0), ("Contact", 1), ("First Meeting", 2)]},
                 amount_of={"X": 1000.0, "Y": 500.0})
    meetings = pd.DataFrame({"deal": ["X", "Y", "Y"],
                             "time": T0 + pd.to_timedelta([2, 2, 3], unit="D"),
                             "held": [True, True, True]})
    # Read on day 5, after Y's second meeting (meetings after as_of do not count).
    a = sf.audit(log, meetings=meetings, rules=[sf.rules.two_meetings()], as_of=T0 + 5 * DAY)
    deals = a.deals().set_index("deal")
    assert not deals.loc["X", "qualified"] and deals.loc["Y", "qualified"]
    s = a.summary()
    assert s.loc["raw", "deals"] == 2 and s.loc["raw", "value"] == 1500
    assert s.loc["qualified", "deals"] == 1 and s.loc["qualified", "value"] == 500


def test_fifty_percent_win_rate_needs_two_x_coverage():
    log = log_of({"w1": WIN, "w2": WIN, "l1": LOSS, "l2": LOSS,
                  "o1": [("Lead", 0), ("Contact", 1)]}, amount_of={"o1": 300.0})
    cov = sf.coverage(log, quota=1000, period_start=T0)   # the period: from day 0
    team = cov.loc["(team)"]
    assert team["win_rate"] == pytest.approx(0.5)
    assert team["required_coverage"] == pytest.approx(2.0)
    # Booked 2 x 100 of a 1000 quota leaves 800; open pipeline 300 covers 0.375x.
    assert team["remaining"] == pytest.approx(800)
    assert team["coverage_raw"] == pytest.approx(300 / 800)


def test_batches_mark_targets():
    log = log_of({"w1": WIN, "l1": LOSS})
    df = sf.batches(log, by="entry_month", targets={"Lead": 0.9})
    lead = df[df["start"] == "Lead"].iloc[0]
    assert lead["rate"] == pytest.approx(1.0)   # both advanced Lead -> Contact
    assert lead["target"] == 0.9
