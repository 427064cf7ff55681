"""Pictures carry the report's numbers; display HTML names every stage."""

import numpy as np
import pytest

import salesfunnel as sf
from conftest import AS_OF

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def test_funnel_chart_bars_are_reached_or_beyond(five_log):
    rep = sf.funnel(five_log, as_of=AS_OF)
    fig = rep.plot()
    ax = fig.axes[0]
    main = rep.to_pandas().query("main_rank >= 0").sort_values("main_rank")
    first = ax.containers[0]
    assert len(first) == len(main) == 6
    assert [int(b.get_width()) for b in first] == main["reached_or_beyond"].tolist()
    # One more bar container per lost exit that deals dropped to: Disqualified and Lost.
    assert len(ax.containers) == 1 + 2


def test_sankey_links_are_transition_counts(five_log):
    pytest.importorskip("plotly")
    rep = sf.funnel(five_log, as_of=AS_OF)
    fig = sf.plots.sankey(rep)
    assert sum(fig.data[0].link.value) == 13
    assert list(fig.data[0].node.label) == rep.graph.stages


def test_fan_chart_and_time_in_stage(five_log):
    m = sf.MarkovModel.fit(five_log, as_of=AS_OF)
    f = m.forecast(horizon_days=28, trials=300, seed=1, quota=1, leads_per_week=5)
    ax = f.plot().axes[0]
    p50 = ax.lines[0].get_ydata()
    assert np.allclose(p50, f.to_pandas()["cumulative_p50"])
    assert ax.lines[1].get_ydata()[0] == 1   # the quota line
    fig = sf.plots.time_in_stage(sf.funnel(five_log, as_of=AS_OF))
    assert len(fig.axes[0].containers) == 2


def test_html_display_names_stages_and_counts(five_log):
    rep = sf.funnel(five_log, as_of=AS_OF)
    h = rep._repr_html_()
    for stage in rep.graph.stages:
        assert stage in h
    assert "5 deals, 1 won, 3 lost, 1 open" in h
    assert "Lead" in sf.templates.sales_cycle()._repr_html_()
    m = sf.MarkovModel.fit(five_log, as_of=AS_OF)
    assert "30.0%" in m._repr_html_()   # P(won | Lead) = 0.3
