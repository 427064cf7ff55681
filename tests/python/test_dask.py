"""salesfunnel.dask on a LocalCluster of two worker processes: the report and
the model equal the single-machine ones (BPI 2012 and a generated log), and
data not partitioned by deal is refused instead of double-counted."""

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from salesfunnel import _datasets_raw

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
import salesfunnel.dask as sfd  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as c:
        yield c


BPI = dict(deal="case_id", stage="activity", time="timestamp", rep="resource", amount="amount_req",
           stage_map=_datasets_raw.BPI2012_STAGE_MAP)


def test_bpi2012_report_and_model_equal_one_machine(client):
    df = sf.datasets.bpi2012_frame()
    ddf = dd.from_pandas(df, npartitions=5)
    g = sf.datasets.bpi2012_graph()
    one = sf.datasets.bpi2012()
    rep = sfd.funnel(ddf, graph=g, **BPI)
    assert rep.totals == sf.funnel(one).totals == {"deals": 13087, "won": 2246, "lost": 10442, "open": 399}
    pd.testing.assert_frame_equal(rep.to_pandas(), sf.funnel(one).to_pandas())
    pd.testing.assert_frame_equal(rep.transitions(), sf.funnel(one).transitions())
    model = sfd.fit(ddf, graph=g, prior=1.0, **BPI)
    pd.testing.assert_series_equal(model.win_probability(), sf.MarkovModel.fit(one, prior=1.0).win_probability())
    # A past as_of and staleness, as on one machine.
    day, stale = "2011-12-01", "30D"
    got = sfd.funnel(ddf, graph=g, as_of=day, stale_after=stale, split_every=2, **BPI)
    pd.testing.assert_frame_equal(got.to_pandas(), sf.funnel(one, as_of=day, stale_after=stale).to_pandas())


def test_bpi2012_breakdowns_and_chains_equal_one_machine(client):
    # By resource (69 groups, rep = the resource who acted) and by entry
    # month: every group's report and chain as on one machine.
    ddf = dd.from_pandas(sf.datasets.bpi2012_frame(), npartitions=4)
    g = sf.datasets.bpi2012_graph()
    one = sf.datasets.bpi2012()
    for by in ("rep", "cohort_month"):
        got = sfd.funnel(ddf, graph=g, by=by, **BPI)
        want = sf.funnel(one).by(by)
        assert got.groups == want.groups
        pd.testing.assert_frame_equal(got.to_pandas(), want.to_pandas())
    chains = sfd.fit_by(ddf, "rep", graph=g, prior=1.0, **BPI)
    pd.testing.assert_frame_equal(chains.win_probability(),
                                  sf.MarkovChains.fit_by(one, "rep", prior=1.0).win_probability())


def test_generated_log_equals_one_machine(client):
    # 20,000 deals drawn from a known chain, some still open at day 300; rows
    # shuffled so no partition holds whole deals before the shuffle by deal.
    log, _ = sf.datasets.synthetic(n_deals=20000, seed=11, as_of_days=300)
    df = log.to_pandas().drop(columns="row").sample(frac=1.0, random_state=1)
    cols = dict(deal="deal", stage="stage", time="time")
    ddf = dd.from_pandas(df, npartitions=7)
    rep = sfd.funnel(ddf, graph=log.graph, **cols)
    pd.testing.assert_frame_equal(rep.to_pandas(), sf.funnel(log).to_pandas())
    assert rep.totals == sf.funnel(log).totals
    assert rep.totals["deals"] == 20000


def test_data_not_partitioned_by_deal_is_refused(client):
    # Rows in deal order, cut into partitions by position: deal "B" straddles
    # the cut between rows 2 and 3, so it would count in two partitions.
    df = pd.DataFrame({"deal": ["A", "A", "B", "B", "C"],
                       "stage": ["Lead", "Contact", "Lead", "Contact", "Lead"],
                       "time": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01", "2024-01-03",
                                               "2024-01-02"])})
    ddf = dd.from_pandas(df, npartitions=2, sort=False)
    assert ddf.get_partition(0).compute()["deal"].tolist() == ["A", "A", "B"]
    with pytest.raises(sf.FailedPreconditionError, match="1 deal is counted in both"):
        sfd.funnel(ddf, deal="deal", stage="stage", time="time", graph=sf.templates.sales_cycle(),
                   shuffle=False)
    # The default shuffles by deal first: no deal is split.
    rep = sfd.funnel(ddf, deal="deal", stage="stage", time="time", graph=sf.templates.sales_cycle())
    assert rep.totals == {"deals": 3, "won": 0, "lost": 0, "open": 3}
