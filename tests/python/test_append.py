"""Appending to a log and live funnels: on BPI 2012 split into appends (in
time order, and shuffled so deals' histories arrive out of order), the log,
its issues and its funnel equal a build from all rows; a LiveFunnel's report
equals sf.funnel of the whole log after every append."""
import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from salesfunnel import _datasets_raw as _raw
from salesfunnel.datasets import bpi2012_frame, bpi2012_graph

COLS = dict(deal="case_id", stage="activity", time="timestamp", rep="resource", amount="amount_req")


def build(df, **kw):
    return sf.EventLog.from_pandas(df, **COLS, graph=bpi2012_graph(),
                                   stage_map=_raw.BPI2012_STAGE_MAP, **kw)


def same_issues(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for k in a:
        if isinstance(a[k], pd.DataFrame):
            pd.testing.assert_frame_equal(a[k], b[k])
        else:
            assert a[k] == b[k], k


def append(target, df):
    return target.append(df, **COLS, stage_map=_raw.BPI2012_STAGE_MAP)


@pytest.fixture(scope="module")
def frame():
    return bpi2012_frame().reset_index(drop=True)


@pytest.mark.parametrize("order", ["time", "shuffled"])
def test_bpi2012_in_appends_equals_a_build(frame, order):
    df = frame.sort_values("timestamp", kind="stable") if order == "time" else \
        frame.sample(frac=1.0, random_state=7)
    df = df.reset_index(drop=True)
    parts = np.array_split(np.arange(len(df)), 5)
    log = build(df.iloc[parts[0]], appendable=True)
    new = [append(log, df.iloc[p]) for p in parts[1:]]
    whole = build(df)
    # 13,087 applications in all; every one is new in exactly one part.
    assert whole.num_deals == 13087
    assert log.num_deals == 13087 and sum(new) == 13087 - build(df.iloc[parts[0]]).num_deals
    pd.testing.assert_frame_equal(log.to_pandas(), whole.to_pandas())
    same_issues(log.issues(), whole.issues())
    pd.testing.assert_frame_equal(sf.funnel(log).to_pandas(), sf.funnel(whole).to_pandas())
    pd.testing.assert_frame_equal(log.deals(), whole.deals())


def test_live_funnel_follows_each_append(frame):
    df = frame.sort_values("timestamp", kind="stable").reset_index(drop=True)
    parts = np.array_split(np.arange(len(df)), 4)
    live = sf.LiveFunnel(build(df.iloc[parts[0]], appendable=True), stale_after="30D")
    for i, p in enumerate(parts[1:], start=2):
        append(live, df.iloc[p])
        so_far = build(df.iloc[np.concatenate(parts[:i])])
        expect = sf.funnel(so_far, stale_after="30D")
        got = live.report()
        assert got.totals == expect.totals
        pd.testing.assert_frame_equal(got.to_pandas(), expect.to_pandas())
        assert live.stats == sf.funnel_stats(so_far, stale_after="30D")
    assert live.report().totals["deals"] == 13087


def test_times_in_another_unit_and_text_are_converted():
    g = sf.templates.sales_cycle()
    first = pd.DataFrame({"d": ["a", "a"], "s": ["Lead", "Contact"],
                          "t": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    log = sf.EventLog.from_pandas(first, deal="d", stage="s", time="t", graph=g, appendable=True)
    # Seconds-resolution datetimes and ISO text, appended to a log in ns.
    more = pd.DataFrame({"d": ["b", "a"], "s": ["Lead", "First Meeting"],
                         "t": np.array(["2024-01-03", "2024-01-05"], dtype="datetime64[s]")})
    assert log.append(more, deal="d", stage="s", time="t") == 1
    assert log.append(pd.DataFrame({"d": ["c"], "s": ["Lead"], "t": ["2024-01-04T00:00:00Z"]}),
                      deal="d", stage="s", time="t") == 1
    whole = pd.concat([first, more.astype({"t": "datetime64[ns]"}),
                       pd.DataFrame({"d": ["c"], "s": ["Lead"], "t": pd.to_datetime(["2024-01-04"])})])
    expect = sf.EventLog.from_pandas(whole, deal="d", stage="s", time="t", graph=g)
    as_ns = {"time": "datetime64[ns]"}  # the two logs may store different units
    pd.testing.assert_frame_equal(log.to_pandas().astype(as_ns), expect.to_pandas().astype(as_ns))
    assert log.num_events == 5 and log.num_deals == 3


def test_append_errors_name_the_users_column_and_change_nothing():
    g = sf.templates.sales_cycle()
    df = pd.DataFrame({"deal_id": ["a", "a"], "stage": ["Lead", "Contact"],
                       "at": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    plain = sf.EventLog.from_pandas(df, deal="deal_id", stage="stage", time="at", graph=g)
    with pytest.raises(sf.FailedPreconditionError, match="appendable=True"):
        plain.append(df, deal="deal_id", stage="stage", time="at")
    log = sf.EventLog.from_pandas(df, deal="deal_id", stage="stage", time="at", graph=g,
                                  appendable=True)
    before = log.to_pandas()
    bad = pd.DataFrame({"deal_id": ["b", " "], "stage": ["Lead", "Lead"],
                        "at": pd.to_datetime(["2024-01-03", "2024-01-03"])})
    with pytest.raises(sf.InvalidArgumentError, match=r"column 'deal_id' \(deal\), row 1: missing deal id"):
        log.append(bad, deal="deal_id", stage="stage", time="at")
    with pytest.raises(ValueError, match="unknown stage 'Nope'"):
        log.append(bad.assign(stage="Nope"), deal="deal_id", stage="stage", time="at")
    pd.testing.assert_frame_equal(log.to_pandas(), before)
    # strict: a duplicate of row 1 (counted across appends: it is row 2)
    with pytest.raises(sf.InvalidArgumentError, match="row 2: duplicate event"):
        log.append(df.iloc[[1]], deal="deal_id", stage="stage", time="at", strict=True)
    assert log.issues()["duplicate_events"] == 0
    log.append(df.iloc[[1]], deal="deal_id", stage="stage", time="at")
    assert log.issues()["duplicate_events"] == 1


def test_arrays_taken_before_an_append_keep_their_values():
    g = sf.templates.sales_cycle()
    df = pd.DataFrame({"d": ["a", "b"], "s": ["Lead", "Lead"], "t": [0, 10]})
    log = sf.EventLog.from_pandas(df, deal="d", stage="s", time="t", graph=g, appendable=True)
    times = log._log.times()
    log.append(pd.DataFrame({"d": ["a"], "s": ["Contact"], "t": [5]}), deal="d", stage="s", time="t")
    assert list(times) == [0, 10]
    assert list(log.to_pandas()["row"]) == [0, 2, 1]
