"""Pictures carry the report's numbers: bar lengths, segment sums, % axes,
calendar dates and weighted values are checked against the library's own
results (or recomputed here by hand); display HTML names every stage."""

import numpy as np
import pandas as pd
import pytest

import salesfunnel as sf
from conftest import AS_OF

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")


def _rows(ax):
    """Per bar row (top to bottom): the widths of its stacked parts."""
    widths = np.array([[b.get_width() for b in c] for c in ax.containers])
    return widths.T


def _subtitle(ax) -> str:
    return next(t.get_text() for t in ax.texts if t.get_gid() == "subtitle")


@pytest.fixture(scope="module")
def crm():
    return sf.datasets.crm_opportunities()


@pytest.mark.parametrize("which", ["five", "crm"])
def test_funnel_bars_are_reached_and_parts_sum_to_them(which, five_log, crm):
    log = five_log if which == "five" else crm
    rep = sf.funnel(log, as_of=AS_OF if which == "five" else None)
    ax = rep.plot().axes[0]
    main = rep.to_pandas().query("main_rank >= 0").sort_values("main_rank")
    rows = _rows(ax)
    assert rows.sum(axis=1).astype(int).tolist() == main["reached_or_beyond"].tolist()
    # Each part starts where the previous one ends: the parts make up the bar.
    for c_prev, c in zip(ax.containers, ax.containers[1:]):
        for b0, b1 in zip(c_prev, c):
            assert b1.get_x() == pytest.approx(b0.get_x() + b0.get_width())
    # The first part of each bar ("went on") is exactly the next stage's bar.
    assert rows[:-1, 0].tolist() == rows[1:].sum(axis=1).tolist()
    assert all(np.diff(rows.sum(axis=1)) <= 0)          # never longer than the stage before
    assert ax.get_xlim()[1] <= rep.totals["deals"] * 1.05
    # Every colour is explained: one legend entry per part of the bars.
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == len(ax.containers)
    assert "left here: Lost" in labels and "still open here (censored, not lost)" in labels


def test_funnel_labels_sit_on_light_or_dark_parts_in_contrast(crm):
    ax = sf.funnel(crm).plot().axes[0]
    counts = {t.get_text(): t.get_color() for t in ax.texts}
    assert counts["2,473"] == "#222"         # the lost part: dark text on a light colour
    assert counts["4,238"] == "white"        # went on / won: white on a dark colour
    assert "Where deals fall out" in ax.get_title(loc="left")
    assert _subtitle(ax) == "Data: crm_opportunities · as of 31 Dec 2017"


def test_interactive_funnel_has_the_same_parts(crm):
    pytest.importorskip("plotly")
    rep = sf.funnel(crm)
    fig = sf.plots.funnel_chart(rep, interactive=True, source="CRM export")
    seg = sf.plots.funnel_segments(rep)
    assert [t.name for t in fig.data] == ["went on to the next stage", "won",
                                         "still open here (censored, not lost)", "left here: Lost"]
    totals = np.sum([np.asarray(t.x) for t in fig.data], axis=0)
    assert totals.tolist() == seg.sum(axis=1).tolist() == [8800, 8300, 4238]
    assert "CRM export" in fig.layout.title.text and "31 Dec 2017" in fig.layout.title.text


def test_sankey_links_are_transition_counts(five_log):
    pytest.importorskip("plotly")
    rep = sf.funnel(five_log, as_of=AS_OF)
    fig = sf.plots.sankey(rep)
    assert sum(fig.data[0].link.value) == 13
    assert list(fig.data[0].node.label)[:2] == ["Lead (5)", "Contact (4)"]
    assert "How deals move" in fig.layout.title.text


def test_forecast_fan_is_on_dates_from_the_as_of(five_log):
    m = sf.MarkovModel.fit(five_log, as_of=AS_OF)
    f = m.forecast(horizon_days=28, trials=300, seed=1, quota=1, leads_per_week=5)
    ax = sf.plots.forecast_fan(f, start=m).axes[0]
    x = pd.to_datetime(ax.lines[0].get_xdata())
    assert x[0] == AS_OF and x[-1] == AS_OF + pd.Timedelta(days=28)
    assert np.allclose(ax.lines[0].get_ydata(), np.r_[0, f.to_pandas()["cumulative_p50"]])
    assert ax.lines[1].get_ydata()[0] == 1   # the quota line
    assert "as of 21 Jan 2024" in _subtitle(ax)
    assert any(t.get_text().startswith("Revenue in the horizon: P50 ") for t in ax.texts)
    pytest.importorskip("plotly")
    fig = sf.plots.forecast_fan(f, start=AS_OF, interactive=True)
    assert pd.Timestamp(fig.data[2].x[0]) == AS_OF


def test_forecast_without_amounts_says_so():
    log, _ = sf.datasets.synthetic(200, seed=3, as_of_days=200)
    m = sf.MarkovModel.fit(log)
    f = m.forecast(horizon_days=14, trials=100, seed=1)
    ax = f.plot().axes[0]
    assert "Revenue: no amounts in the data" in [t.get_text() for t in ax.texts]
    # The forecast knows when it starts (the fitted log's latest event): dates, not days.
    assert f.as_of == pd.Timestamp(log.to_pandas()["time"].max())
    assert ax.get_xlabel() == "date"
    f.as_of = None                                            # no start known: days, said so
    assert f.plot().axes[0].get_xlabel() == "days after the last event"


def test_value_funnel_weights_amounts_by_win_probability(five_log):
    m = sf.MarkovModel.fit(five_log, as_of=AS_OF)
    # By hand: the open deals at AS_OF, their amount and P(won | their stage).
    ev = five_log.to_pandas()
    last = ev.groupby("deal").tail(1).set_index("deal")["stage"].astype(str)
    kinds = five_log.graph.kinds
    amounts = five_log.deals().set_index("deal")["amount"]
    p = m.win_probability()
    open_ = last[last.map(kinds).isin(["entry", "open"])]
    expected = (amounts[open_.index] * p[open_.values].to_numpy()).groupby(open_.values).sum()
    v = sf.plots.value_by_stage(m)
    assert v.loc[expected.index, "weighted"].to_numpy() == pytest.approx(expected.to_numpy())
    ax = sf.plots.value_funnel(m, currency="$").axes[0]
    shown = v[v["deals"] > 0]
    assert [b.get_width() for b in ax.containers[0]] == pytest.approx(shown["amount"].tolist())
    assert [b.get_width() for b in ax.containers[1]] == pytest.approx(shown["weighted"].tolist())
    assert f"${expected.sum():,.0f} expected" in ax.get_title(loc="left")   # C: 70 x P(won | FM)


def test_rep_chart_has_percent_axis_title_and_legend_below(crm):
    cmp = sf.compare_reps(crm, start="Engaging", end="Won")
    ax = sf.plots.rep_conversion(cmp, source="CRM export", as_of=crm).axes[0]
    assert ax.xaxis.get_major_formatter()(0.5, 0) == "50%"
    assert ax.get_title(loc="left") == "Conversion by rep"
    assert _subtitle(ax) == "Data: CRM export · as of 31 Dec 2017"
    legend = ax.get_legend()
    assert legend.get_bbox_to_anchor().y1 < ax.get_window_extent().y0   # under the axes
    ys = [float(lbl.get_text().split("(")[-1].split("/")[1].rstrip(")"))
          for lbl in ax.get_yticklabels()]
    assert ys == cmp.sort_values("shrunk_rate")["n"].tolist()


def test_time_in_stage_draws_the_p90_and_median(five_log):
    rep = sf.funnel(five_log, as_of=AS_OF)
    ax = sf.plots.time_in_stage(rep).axes[0]
    df = rep.to_pandas()
    df = df[df["stays_completed"] + df["stays_censored"] > 0]
    p90, median = ax.containers
    assert [b.get_width() for b in p90] == pytest.approx(df["p90_days"].fillna(0).tolist())
    assert [b.get_width() for b in median] == pytest.approx(df["median_days"].fillna(0).tolist())
    ax = sf.plots.km_curves(rep).axes[0]
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"
    # Each line is the stage's Kaplan-Meier curve: it first falls to 50% at the median.
    stage_median = {ln.get_label().split(":")[0]: ln.get_xdata()[np.argmax(ln.get_ydata() <= 0.5 + 1e-12)]
                    for ln in ax.lines if ":" in ln.get_label()}
    assert stage_median
    assert stage_median == pytest.approx(df.loc[list(stage_median), "median_days"].to_dict())
    curve = rep.survival("Contact")
    assert curve["survival"].iloc[0] == 1.0 and curve["survival"].is_monotonic_decreasing
    assert curve["at_risk"].iloc[0] == df.loc["Contact", "stays_completed"] + df.loc["Contact", "stays_censored"]


def test_cohort_heatmap_and_scenarios_carry_values():
    log, _ = sf.datasets.synthetic(300, seed=2)
    ax = sf.plots.cohort_heatmap(sf.funnel(log).by("cohort_month"), source="synthetic").axes[0]
    assert ax.get_title(loc="left").startswith("Conversion by entry cohort")
    assert all(t.get_text().endswith("%") for t in ax.texts if t.get_gid() != "subtitle")
    m = sf.MarkovModel.fit(log)
    cmp = sf.compare(m, m.scenario(name="more").add_leads(5), leads_per_week=10)
    ax = sf.plots.scenario_bars(cmp).axes[0]
    labels = [t.get_text() for t in ax.texts if t.get_gid() != "subtitle"]
    assert labels[1] == f" {cmp['wins_per_week'].iloc[1]:,.1f} (+{cmp['delta_wins_per_week'].iloc[1]:,.1f})"
    ax = sf.plots.scenario_bars(cmp, "win_rate").axes[0]
    assert ax.xaxis.get_major_formatter()(0.25, 0) == "25%"


def test_html_display_names_stages_and_counts(five_log):
    rep = sf.funnel(five_log, as_of=AS_OF)
    h = rep._repr_html_()
    for stage in rep.graph.stages:
        assert stage in h
    assert "5 deals, 1 won, 3 lost, 1 open" in h
    assert "Lead" in sf.templates.sales_cycle()._repr_html_()
    m = sf.MarkovModel.fit(five_log, as_of=AS_OF)
    assert "30.0%" in m._repr_html_()   # P(won | Lead) = 0.3


def test_static_sankey_draws_every_move_to_scale(five_log):
    rep = sf.funnel(five_log, as_of=AS_OF)
    nodes, links = sf.plots.sankey_layout(rep)
    t = rep.transitions()
    assert len(links) == int((t["count"] > 0).sum())
    assert nodes.set_index("stage")["reached"].to_dict() == {
        s: r for s, r in rep.to_pandas()["reached"].items() if s in set(nodes["stage"])}
    ax = sf.plots.sankey(rep, interactive=False).axes[0]
    bands = [p for p in ax.patches if p.get_gid() == "sankey-link"]
    boxes = [p for p in ax.patches if p.get_gid() == "sankey-node"]
    assert len(bands) == len(links) and len(boxes) == len(nodes)
    heights = sorted(p.get_height() for p in boxes)
    # Node heights are proportional to their sizes: one scale for every node.
    assert np.allclose(np.array(heights) / sorted(nodes["size"]), heights[-1] / nodes["size"].max())
    assert "How deals move" in ax.get_title(loc="left")
