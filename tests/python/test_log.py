"""Event log construction from every input form, and data issues."""

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from conftest import AS_OF


def report(log):
    return sf.funnel(log, as_of=AS_OF).to_pandas()


def test_every_input_form_gives_the_same_report(five_df):
    g = sf.templates.sales_cycle()
    base = report(sf.EventLog.from_pandas(five_df, deal="deal", stage="stage", time="time",
                                          graph=g))
    cat = five_df.assign(deal=five_df["deal"].astype("category"),
                         stage=five_df["stage"].astype("category"))
    ints = five_df.assign(deal=five_df["deal"].map({"A": 10, "B": 11, "C": 12, "D": 13, "E": 14}))
    us = five_df.assign(time=five_df["time"].astype("datetime64[us]"))
    epoch = five_df.assign(time=five_df["time"].astype("datetime64[s]").astype(np.int64))
    stage_ids = five_df.assign(stage=five_df["stage"].map({n: i for i, n in enumerate(g.stages)}))
    for df in (cat, ints, us, epoch, stage_ids):
        log = sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time", graph=g)
        pd.testing.assert_frame_equal(report(log), base)
    arrays = sf.EventLog.from_arrays(deal=five_df["deal"].to_numpy(), stage=list(five_df["stage"]),
                                     time=five_df["time"].to_numpy(), graph=g)
    pd.testing.assert_frame_equal(report(arrays), base)


def test_shuffled_rows_give_the_same_report(five_df):
    g = sf.templates.sales_cycle()
    base = report(sf.EventLog.from_pandas(five_df, deal="deal", stage="stage", time="time",
                                          graph=g))
    shuffled = five_df.sample(frac=1.0, random_state=7)
    log = sf.EventLog.from_pandas(shuffled, deal="deal", stage="stage", time="time", graph=g)
    pd.testing.assert_frame_equal(report(log), base)
    assert log.issues()["out_of_order_rows"] > 0


def test_log_views(five_log):
    assert five_log.num_events == 18
    assert five_log.num_deals == 5
    ev = five_log.to_pandas()
    assert ev["deal"].tolist()[:5] == ["A"] * 5
    deals = five_log.deals().set_index("deal")
    assert deals.loc["A", "rep"] == "ann" and deals.loc["A", "amount"] == 100
    assert deals.loc["C", "last_stage"] == "First Meeting"
    assert deals.loc["B", "segment"] == "ent"


def test_issues_counted_and_strict(five_df):
    g = sf.templates.sales_cycle()
    extra = pd.DataFrame({
        "deal": ["F"] * 4, "stage": ["Lead", "Lead", "Lead", "Client"],
        "time": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02", "2024-01-03"]),
    })
    df = pd.concat([five_df[["deal", "stage", "time"]], extra], ignore_index=True)
    log = sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time", graph=g)
    issues = log.issues()
    assert issues["duplicate_events"] == 1 and issues["first_duplicate_row"] == 19
    assert issues["repeated_stage_events"] == 1
    u = issues["unknown_transitions"]
    assert u[["from_stage", "to_stage", "count", "first_row"]].values.tolist() == [
        ["Lead", "Client", 1, 21]]
    assert log.num_events == 20
    with pytest.raises(sf.InvalidArgumentError, match="row 19: duplicate event"):
        sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time", graph=g, strict=True)


def test_stage_map_and_discover():
    df = pd.DataFrame({"deal": [7, 7, 7, 9, 9], "act": ["in", "call", "signed", "in", "dead"],
                       "t": [0, 10, 20, 0, 5]})
    log = sf.EventLog.from_pandas(df, deal="deal", stage="act", time="t",
                                  stage_map={"in": "Lead", "call": "Contact"})
    assert log.stages == ["Lead", "Contact", "signed", "dead"]
    g = sf.StageGraph.discover(log, won=["signed"], lost=["dead"])
    assert g.main_path == ["Lead", "Contact", "signed"]
    assert len(g.transitions) == 3
    rep = sf.funnel(log.with_graph(g))
    assert rep.totals == {"deals": 2, "won": 1, "lost": 1, "open": 0}
