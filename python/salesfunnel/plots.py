"""Pictures of funnels, flows, time in stage, reps, value and forecasts.

Every chart is titled with what it shows, with the data source and the as-of
date underneath; rates are on % axes, time on calendar dates, and bars carry
their values. Each function returns the figure so it can be restyled; the
funnel, the Sankey and the forecast also draw as interactive plotly figures
with ``interactive=True``. matplotlib and plotly are imported only when a
plot is drawn: ``pip install salesfunnel[plot]``.

>>> sf.plots.funnel_chart(sf.funnel(log), source="BPI Challenge 2012")
>>> sf.plots.funnel_chart(sf.funnel(log), interactive=True)      # plotly
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["funnel_chart", "funnel_segments", "value_funnel", "value_by_stage", "sankey", "sankey_layout",
           "time_in_stage", "km_curves", "rep_conversion", "cohort_heatmap", "forecast_fan",
           "scenario_bars", "waterfall_chart", "subtitle", "KIND_COLORS", "window_segments",
           "window_funnel_chart", "window_curve", "window_trend"]

#: Stage colours by kind, shared by every picture and the HTML display.
KIND_COLORS = {"entry": "#6baed6", "open": "#9ecae1", "won": "#74c476", "lost": "#fb6a4a",
               "nurture": "#fdd835"}

# The parts of a funnel bar: deals that went on, were won, are still open, or left by an exit.
_CONTINUED, _WON, _OPEN = "#3182bd", "#31a354", "#cfd8dc"
# Light exit colours, so the dark count labels drawn on them stay readable.
_EXIT_COLORS = ["#fc9272", "#fdae6b", "#f4a6c6", "#fdd0a2", "#d9b3e6", "#fcbba1"]
_MUTED = "#555555"


def _missing(module: str) -> ModuleNotFoundError:
    """One line naming the extra that installs ``module``."""
    return ModuleNotFoundError(f"salesfunnel plots need {module}: pip install salesfunnel[plot]",
                               name=module)


def _plt():
    try:
        import matplotlib
        import matplotlib.pyplot as plt
    except ModuleNotFoundError as e:
        raise _missing(e.name or "matplotlib") from None
    return matplotlib, plt


def _go():
    try:
        import plotly.graph_objects as go
    except ModuleNotFoundError as e:
        raise _missing(e.name or "plotly") from None
    return go


# ---------------------------------------------------------------- titles and labels

def _as_of(obj) -> pd.Timestamp | None:
    """The point in time a result describes: a timestamp as given, or the
    as-of of a FunnelReport / MarkovModel / EventLog (its latest event by default)."""
    if obj is None:
        return None
    if isinstance(obj, (str, pd.Timestamp, np.datetime64)) or hasattr(obj, "year"):
        return pd.Timestamp(obj)
    log = getattr(obj, "_log", None)
    if hasattr(obj, "_r"):                      # FunnelReport: its statistics' as_of
        ticks = obj._r.stats.as_of
    elif hasattr(obj, "_m"):                    # MarkovModel: fitted as_of, else the log's end
        ticks = obj._as_of
    else:                                       # EventLog
        log, ticks = obj, None
    if log is None or not hasattr(log, "_time_values"):
        return None
    ticks = log._log.max_time if ticks is None else ticks
    return pd.Timestamp(log._time_values(np.array([ticks], dtype=np.int64))[0])


def _source(obj, source: str | None) -> str | None:
    """The data source: as given, else the name of the object's stage graph."""
    if source is not None:
        return source
    graph = getattr(obj, "graph", None)
    return getattr(graph, "name", None) or None


def subtitle(source: str | None = None, as_of=None) -> str:
    """The line under every chart's title: data source and as-of date
    (a date, or the EventLog / MarkovModel / FunnelReport it is read from).

    >>> sf.plots.subtitle("CRM export", "2017-12-31")
    'Data: CRM export · as of 31 Dec 2017'
    """
    parts = []
    if source:
        parts.append(f"Data: {source}")
    as_of = _as_of(as_of)
    if as_of is not None:
        parts.append(f"as of {as_of:%d %b %Y}")
    return " · ".join(parts)


def _title(ax, what: str, source: str | None = None, as_of=None) -> None:
    """The one title style: what the chart shows in bold, source and as-of below."""
    ax.set_title(what, loc="left", fontsize=12, fontweight="bold", pad=20)
    ax.annotate(subtitle(source, as_of), (0, 1), xycoords="axes fraction", xytext=(0, 5),
                textcoords="offset points", fontsize=8.5, color=_MUTED, va="bottom", ha="left",
                gid="subtitle")


def _plotly_title(what: str, source: str | None = None, as_of=None) -> dict:
    sub = subtitle(source, as_of)
    return {"text": f"<b>{what}</b>" + (f"<br><sup>{sub}</sup>" if sub else ""), "x": 0.01,
            "xanchor": "left"}


def _figure(ax, size):
    """(fig, ax): a new figure of ``size`` unless an axes was given."""
    if ax is not None:
        return ax.figure, ax
    _, plt = _plt()
    fig, ax = plt.subplots(figsize=size)
    return fig, ax


def _money(v: float, currency: str = "") -> str:
    """1234567 -> '1.2M' (with the currency symbol in front when given)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    for div, unit in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(v) >= div:
            return f"{currency}{v / div:,.1f}{unit}"
    return f"{currency}{v:,.0f}"


def _days(v: float) -> str:
    """Days for a label: '15.2 d', '<0.1 d' for near-instant stays, 'n/a'."""
    if v != v:
        return "n/a"
    return "<0.1 d" if v < 0.05 else f"{v:.1f} d"


def _count_axis(axis) -> None:
    from matplotlib.ticker import FuncFormatter
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))


def _percent_axis(axis) -> None:
    from matplotlib.ticker import PercentFormatter
    axis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def _legend_below(ax, handles=None, ncol: int = 3) -> None:
    """A legend under the axes, so it never covers data."""
    kw = {} if handles is None else {"handles": handles}
    height_pt = ax.figure.get_figheight() * 72 * ax.get_position().height
    ax.legend(loc="upper left", bbox_to_anchor=(0, -34 / height_pt), ncol=ncol, fontsize=8,
              frameon=False, **kw)


# ---------------------------------------------------------------- the funnel

def funnel_segments(report) -> pd.DataFrame:
    """The funnel chart's numbers: one row per main-path stage, one column per
    part of its bar. The parts sum to ``reached_or_beyond`` (deals that entered
    the stage or a later one): ``continued`` (went on: the next bar),
    ``won here``, ``open here`` (still open, censored) and one ``lost: EXIT``
    column per exit.

    >>> sf.plots.funnel_segments(sf.funnel(log)).sum(axis=1)   # == reached_or_beyond
    """
    df = report.to_pandas()
    main = df[df["main_rank"] >= 0].sort_values("main_rank")
    reached = main["reached_or_beyond"].astype(np.int64)
    out = pd.DataFrame({"continued": reached.shift(-1, fill_value=0),
                        "won here": main["closed_here"], "open here": main["in_progress"]},
                       index=main.index)
    drops = report.drop_offs()
    for exit_ in (drops["exit"].unique() if len(drops) else []):
        d = drops[drops["exit"] == exit_].groupby("stage")["deals"].sum()
        out[f"lost: {exit_}"] = d.reindex(main.index, fill_value=0)
    other = reached - out.sum(axis=1)           # off the main path (nurture), if any
    if other.any():
        out["other"] = other
    return out.astype(np.int64)


def _segment_colors(columns) -> dict:
    exits = [c for c in columns if c.startswith("lost: ") or c == "other"]
    colors = {"continued": _CONTINUED, "won here": _WON, "open here": _OPEN}
    colors.update({c: _EXIT_COLORS[i % len(_EXIT_COLORS)] for i, c in enumerate(exits)})
    return colors


_SEGMENT_LEGEND = {"continued": "went on to the next stage", "won here": "won",
                   "open here": "still open here (censored, not lost)"}


def _segment_label(column: str) -> str:
    return _SEGMENT_LEGEND.get(column, column.replace("lost: ", "left here: "))


def _stage_caption(stage: str, reached: int, top: int, step: float) -> str:
    share = f"{reached / top:.0%} of all deals" if top else ""
    go_on = "" if np.isnan(step) else f" · {step:.0%} go on"
    return f"{stage}: {reached:,} entered · {share}{go_on}"


def _split_bars(ax, seg: pd.DataFrame, colors: dict, labels: dict, dark: set, captions: list) -> None:
    """The one split-bar funnel drawing: a bar per row of ``seg`` (top row
    first), its parts side by side in column order, counts on wide parts
    (white on the ``dark`` colours), a caption above each bar, a count axis."""
    top = int(seg.sum(axis=1).max()) if len(seg) else 0
    y = np.arange(len(seg))[::-1].astype(float)
    left = np.zeros(len(seg))
    for col in seg.columns:
        values = seg[col].to_numpy(dtype=float)
        ax.barh(y, values, left=left, height=0.5, color=colors[col], label=labels.get(col, col))
        for yi, x0, v in zip(y, left, values):
            if top and v >= 0.045 * top:
                ax.text(x0 + v / 2, yi, f"{v:,.0f}", ha="center", va="center", fontsize=8,
                        color="white" if col in dark else "#222")
        left += values
    for yi, caption in zip(y, captions):
        ax.text(0, yi + 0.3, caption, va="bottom", ha="left", fontsize=9)
    ax.set_yticks([])
    ax.set_ylim(-0.6, len(seg) - 0.2)
    ax.set_xlim(0, max(top, 1) * 1.02)
    _count_axis(ax.xaxis)
    ax.set_xlabel("deals")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)


def funnel_chart(report, ax=None, *, source: str | None = None, interactive: bool = False):
    """The funnel: one bar per main-path stage, as long as the deals that
    entered it; the bar is split into the deals that went on (the next bar),
    were won, are still open, and left by each exit.

    >>> fig = sf.plots.funnel_chart(sf.funnel(log), source="BPI Challenge 2012")
    >>> sf.plots.funnel_chart(sf.funnel(log), interactive=True).show()
    """
    seg = funnel_segments(report)
    src, as_of = _source(report, source), _as_of(report)
    if interactive:
        return _funnel_plotly(report, seg, src, as_of)
    fig, ax = _figure(ax, (9, 0.85 * len(seg) + 2.2))
    reached = seg.sum(axis=1)
    top = int(reached.iloc[0]) if len(seg) else 0
    step = report.to_pandas()["step_conversion"]
    captions = [_stage_caption(stage, int(reached[stage]), top, step[stage]) for stage in seg.index]
    _split_bars(ax, seg, _segment_colors(seg.columns), {c: _segment_label(c) for c in seg.columns},
                {"continued", "won here"}, captions)
    won = [s for s in seg.index if report.graph.kinds[s] == "won"]
    _title(ax, f"Where deals fall out: {seg.index[0]} to {won[0] if won else seg.index[-1]}",
           src, as_of)
    _legend_below(ax, ncol=3)
    return fig


def _funnel_plotly(report, seg: pd.DataFrame, source, as_of):
    go = _go()
    colors = _segment_colors(seg.columns)
    reached = seg.sum(axis=1)
    labels = [f"{s}<br>{int(reached[s]):,} entered" for s in seg.index]
    fig = go.Figure()
    for col in seg.columns:
        fig.add_trace(go.Bar(y=labels, x=seg[col], orientation="h", name=_segment_label(col),
                             marker_color=colors[col], text=seg[col].map("{:,}".format),
                             textposition="inside", insidetextanchor="middle",
                             hovertemplate="%{y}<br>" + _segment_label(col) + ": %{x:,}<extra></extra>"))
    fig.update_layout(barmode="stack", title=_plotly_title("Where deals fall out", source, as_of),
                      yaxis={"autorange": "reversed"}, xaxis={"title": "deals",
                      "range": [0, float(reached.iloc[0]) * 1.02 if len(seg) else 1]},
                      legend={"orientation": "h", "y": -0.15, "traceorder": "normal"},
                      plot_bgcolor="white",
                      uniformtext={"minsize": 8, "mode": "hide"})
    return fig


# ---------------------------------------------------------------- value

def value_by_stage(model, log=None) -> pd.DataFrame:
    """The open pipeline per stage: deals, their amount, and the amount
    weighted by P(won | stage) (MarkovModel.pipeline_value summed by stage).
    Deals without an amount are counted in ``without_amount``, not as 0.

    >>> sf.plots.value_by_stage(sf.MarkovModel.fit(log))
    """
    deals, _ = model.pipeline_value(log)
    order = [s for s in model.graph.main_path if model.graph.kinds[s] in ("entry", "open")]
    order += [s for s in model.graph.stages if s not in order and model.graph.kinds[s] == "nurture"]
    if not len(deals):
        deals = pd.DataFrame(columns=["stage", "amount", "win_probability", "expected_value"])
    known = deals["amount"].notna()
    d = deals.assign(amount=deals["amount"].where(known), weighted=deals["expected_value"].where(known))
    g = d.groupby("stage").agg(deals=("stage", "size"), without_amount=("amount", lambda s: int(s.isna().sum())),
                               amount=("amount", "sum"), weighted=("weighted", "sum"),
                               win_probability=("win_probability", "first"))
    return g.reindex(order).fillna({"deals": 0, "without_amount": 0, "amount": 0.0, "weighted": 0.0}
                                   ).astype({"deals": np.int64, "without_amount": np.int64})


def value_funnel(model, log=None, ax=None, *, source: str | None = None, currency: str = ""):
    """The open pipeline's value per stage: the amount of the open deals there
    (light) and that amount weighted by P(won | stage) (dark), labelled.

    >>> fig = sf.plots.value_funnel(sf.MarkovModel.fit(log), currency="€")
    """
    v = value_by_stage(model, log)
    v = v[v["deals"] > 0]
    fig, ax = _figure(ax, (9, 0.7 * len(v) + 2.0))
    src, as_of = _source(model, source), _as_of(model)
    y = np.arange(len(v))[::-1]
    ax.barh(y, v["amount"], height=0.55, color="#c6dbef", label="open amount")
    ax.barh(y, v["weighted"], height=0.55, color="#08519c", label="× P(won | stage) = expected")
    top = float(v["amount"].max()) if len(v) else 0.0
    for yi, (stage, r) in zip(y, v.iterrows()):
        p = "" if pd.isna(r["win_probability"]) else f" · P(won) {r['win_probability']:.0%}"
        missing = f" · {int(r['without_amount']):,} without amount" if r["without_amount"] else ""
        ax.text(r["amount"] + top * 0.01, yi, f"{_money(r['weighted'], currency)} of "
                f"{_money(r['amount'], currency)} ({int(r['deals']):,} deals{p}{missing})",
                va="center", fontsize=8)
    ax.set_yticks(y, v.index)
    ax.set_xlim(0, max(top, 1.0) * 1.6)
    from matplotlib.ticker import FuncFormatter
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _money(x, currency)))
    ax.set_xlabel("open pipeline amount")
    total = v["weighted"].sum()
    _title(ax, f"Open pipeline value by stage: {_money(total, currency)} expected", src, as_of)
    _legend_below(ax, ncol=2)
    return fig


# ---------------------------------------------------------------- flows

def sankey(report, ax=None, *, source: str | None = None, interactive: bool = True):
    """Flows between stages: link widths are transition counts, node labels
    carry the deals that reached each stage. Interactive (plotly) by default;
    ``interactive=False`` draws the same flows with matplotlib.

    >>> sf.plots.sankey(sf.funnel(log), source="BPI Challenge 2012").show()
    >>> fig = sf.plots.sankey(sf.funnel(log), interactive=False)
    """
    if not interactive:
        return _sankey_static(report, ax, source)
    go = _go()
    t = report.transitions()
    stages = report.graph.stages
    kinds = report.graph.kinds
    reached = report.to_pandas()["reached"]
    idx = {s: i for i, s in enumerate(stages)}
    node_labels = [f"{s} ({int(reached.get(s, 0)):,})" for s in stages]
    fig = go.Figure(go.Sankey(
        valueformat=",d",
        node={"label": node_labels, "color": [KIND_COLORS[kinds[s]] for s in stages], "pad": 18},
        link={"source": [idx[a] for a in t["from_stage"]], "target": [idx[b] for b in t["to_stage"]],
              "value": t["count"].tolist()}))
    fig.update_layout(title=_plotly_title("How deals move between stages (deals per move)",
                                          _source(report, source), _as_of(report)))
    return fig


def sankey_layout(report) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The static Sankey's numbers: nodes (stage, column, size = the larger
    of deals reached and moves in or out) and links (from, to, count), the
    moves with a count.

    >>> nodes, links = sf.plots.sankey_layout(sf.funnel(log))
    """
    links = report.transitions()
    links = links[links["count"] > 0].reset_index(drop=True)
    df = report.to_pandas()
    column = {s: int(r) for s, r in df["main_rank"].items() if r >= 0}
    for s in df.index:   # a stage off the main path sits just right of what flows into it
        if s not in column:
            into = links.loc[links["to_stage"] == s, "from_stage"]
            column[s] = 1 + max((column.get(p, 0) for p in into), default=-1)
    flow_in = links.groupby("to_stage")["count"].sum()
    flow_out = links.groupby("from_stage")["count"].sum()
    nodes = pd.DataFrame({"stage": df.index, "column": [column[s] for s in df.index],
                          "reached": df["reached"].to_numpy(), "kind": df["kind"].to_numpy()})
    nodes["size"] = np.maximum.reduce([nodes["reached"].to_numpy(),
                                       flow_in.reindex(nodes["stage"], fill_value=0).to_numpy(),
                                       flow_out.reindex(nodes["stage"], fill_value=0).to_numpy()])
    return nodes[nodes["size"] > 0].reset_index(drop=True), links


def _band(ax, x0, y0, x1, y1, h, color) -> None:
    """A flow band of height h from (x0, y0) to (x1, y1), tops given, as two cubic curves."""
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path
    xm = (x0 + x1) / 2
    verts = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 - h), (xm, y1 - h), (xm, y0 - h),
             (x0, y0 - h), (x0, y0)]
    codes = [Path.MOVETO] + [Path.CURVE4] * 3 + [Path.LINETO] + [Path.CURVE4] * 3 + [Path.CLOSEPOLY]
    ax.add_patch(PathPatch(Path(verts, codes), facecolor=color, edgecolor="none", alpha=0.45,
                           gid="sankey-link"))


def _sankey_static(report, ax, source):
    from matplotlib.patches import Rectangle
    nodes, links = sankey_layout(report)
    fig, ax = _figure(ax, (11, 5.5))
    width, gap = 0.12, 0.04
    per_col = nodes.groupby("column")["size"].sum()
    unit = (1 - gap * (nodes.groupby("column").size().max() - 1)) / per_col.max()
    top = {}
    for _, col in nodes.groupby("column"):
        y = 1.0
        for _, n in col.iterrows():
            h = n["size"] * unit
            top[n["stage"]] = y
            ax.add_patch(Rectangle((n["column"], y - h), width, h, color=KIND_COLORS[n["kind"]],
                                   gid="sankey-node"))
            ax.text(n["column"] + width + 0.02, y - h / 2, f"{n['stage']}\n{int(n['reached']):,}",
                    va="center", ha="left", fontsize=8, zorder=3,
                    bbox={"facecolor": "white", "alpha": 0.75, "edgecolor": "none", "pad": 1})
            y -= h + gap
    column = dict(zip(nodes["stage"], nodes["column"]))
    links = links.assign(h=links["count"] * unit, y_to=links["to_stage"].map(top),
                         y_from=links["from_stage"].map(top))
    # Bands leave a node in the order of their targets, top first, and enter
    # in the order of their sources, so they cross as little as they can.
    links["out"] = links.sort_values("y_to", ascending=False).groupby("from_stage")["h"].cumsum() - links["h"]
    links["in"] = links.sort_values(["y_from"], ascending=False).groupby("to_stage")["h"].cumsum() - links["h"]
    for _, ln in links.iterrows():
        a, b = ln["from_stage"], ln["to_stage"]
        lost = report.graph.kinds[b] == "lost"
        _band(ax, column[a] + width, top[a] - ln["out"], column[b], top[b] - ln["in"], ln["h"],
              KIND_COLORS["lost"] if lost else "#9ecae1")
    lowest = min((links["y_from"] - links["out"] - links["h"]).min(),
                 (links["y_to"] - links["in"] - links["h"]).min(), 0.0) if len(links) else 0.0
    ax.set_xlim(-0.1, nodes["column"].max() + 1.0)
    ax.set_ylim(lowest - 0.05, 1.02)
    ax.axis("off")
    _title(ax, "How deals move between stages (band width: deals per move)", _source(report, source),
           _as_of(report))
    return fig


# ---------------------------------------------------------------- time in stage

def time_in_stage(report, ax=None, *, source: str | None = None):
    """Kaplan-Meier median and p90 days per stage (open stays censored), as a
    range from median to p90, labelled, with the open stays counted.

    >>> fig = sf.plots.time_in_stage(sf.funnel(log))
    """
    df = report.to_pandas()
    df = df[df["stays_completed"] + df["stays_censored"] > 0]
    fig, ax = _figure(ax, (9, 0.55 * len(df) + 2.0))
    y = np.arange(len(df))[::-1]
    med, p90 = df["median_days"].to_numpy(float), df["p90_days"].to_numpy(float)
    ax.barh(y, np.nan_to_num(p90), height=0.5, color="#c6dbef", label="p90: 9 in 10 stays end sooner")
    ax.barh(y, np.nan_to_num(med), height=0.5, color="#2171b5", label="median (Kaplan-Meier)")
    top = np.nanmax(np.concatenate([p90, med, [1.0]]))
    for yi, m, p, (_, r) in zip(y, med, p90, df.iterrows()):
        txt = f"median {_days(m)} · p90 " + (_days(p) if p == p else "n/a (too many open)")
        ax.text(np.nanmax([m, p, 0]) + top * 0.01, yi,
                f"{txt} · {int(r['stays_censored']):,} still open", va="center", fontsize=8)
    ax.set_yticks(y, df.index)
    ax.set_xlim(0, top * 1.7)
    ax.set_xlabel("days in stage")
    _title(ax, "How long deals stay in each stage", _source(report, source), _as_of(report))
    _legend_below(ax, ncol=2)
    return fig


def km_curves(report, stages=None, ax=None, *, source: str | None = None):
    """Kaplan-Meier time-in-stage curves: the share of deals still in each
    stage after d days, open stays censored (``report.survival(stage)``).

    >>> fig = sf.plots.km_curves(sf.funnel(log), stages=["Pre-accepted", "Finalized"])
    """
    df = report.to_pandas()
    if stages is None:
        stages = [s for s in df.index if df.loc[s, "kind"] in ("entry", "open", "nurture")
                  and df.loc[s, "stays_completed"] > 0]
    fig, ax = _figure(ax, (8, 4.2))
    for i, stage in enumerate(stages):
        s = report.survival(stage)
        ax.step(s["days"], s["survival"], where="post", color=f"C{i % 10}",
                label=f"{stage}: median {_days(df.loc[stage, 'median_days'])}")
    _percent_axis(ax.yaxis)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.set_xlabel("days in stage")
    ax.set_ylabel("deals still in the stage")
    _title(ax, "Time in stage: share of deals still there after d days (Kaplan-Meier)",
           _source(report, source), _as_of(report))
    _legend_below(ax, ncol=3)
    return fig


# ---------------------------------------------------------------- reps and cohorts

def rep_conversion(comparison: pd.DataFrame, ax=None, *, source: str | None = None, as_of=None):
    """Per-rep conversion (sf.compare_reps output) with Wilson 95% intervals
    and the shrunk rate, on a % axis, reps ordered by shrunk rate, with the
    resolved deals of each rep in its label.

    >>> fig = sf.plots.rep_conversion(sf.compare_reps(crm, start="Engaging", end="Won"),
    ...                               source="CRM export")
    """
    df = comparison.sort_values("shrunk_rate")
    fig, ax = _figure(ax, (8, 0.32 * len(df) + 2.2))
    y = np.arange(len(df))
    ax.errorbar(df["rate"], y, xerr=[df["rate"] - df["low"], df["high"] - df["rate"]], fmt="o",
                color="#6baed6", ms=4, label="observed rate, Wilson 95% interval")
    ax.plot(df["shrunk_rate"], y, "D", color="#08519c", ms=4, label="shrunk rate (ranked on this)")
    team = comparison.attrs.get("team_rate", df["wins"].sum() / max(df["n"].sum(), 1))
    ax.axvline(team, color="#999999", ls="--", lw=1, label=f"team rate {team:.0%}")
    ax.set_yticks(y, [f"{r} ({w}/{n})" for r, w, n in zip(df["rep"], df["wins"], df["n"])],
                  fontsize=8)
    _percent_axis(ax.xaxis)
    ax.set_xlabel("conversion (wins / resolved deals)")
    start, end = comparison.attrs.get("start"), comparison.attrs.get("end")
    what = "Conversion by rep" + (f": {start} to {end}" if start and end else "")
    _title(ax, what, source, as_of)
    _legend_below(ax, ncol=2)
    return fig


def cohort_heatmap(grouped, ax=None, *, source: str | None = None, as_of=None):
    """Cohort x stage cumulative conversion (from report.by("cohort_month")),
    each cell labelled with its %.

    >>> fig = sf.plots.cohort_heatmap(sf.funnel(log).by("cohort_month"))
    """
    df = grouped.to_pandas()
    df = df[df["main_rank"] >= 0]
    table = df["cumulative_conversion"].unstack("stage")
    order = df.reset_index().drop_duplicates("stage").sort_values("main_rank")["stage"]
    table = table[list(order)]
    fig, ax = _figure(ax, (1.5 + 1.2 * table.shape[1], 0.45 * table.shape[0] + 2.2))
    values = table.to_numpy(dtype=float)
    im = ax.imshow(values, aspect="auto", cmap="Blues", vmin=0, vmax=1)
    for (i, j), v in np.ndenumerate(values):
        if v == v:
            ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=8,
                    color="white" if v > 0.55 else "#222")
    ax.set_xticks(range(table.shape[1]), table.columns, rotation=30, ha="right")
    ax.set_yticks(range(table.shape[0]), table.index)
    ax.set_ylabel(f"entry {grouped.by.replace('cohort_', '')}")
    bar = ax.figure.colorbar(im, ax=ax, label="reached the stage (of the cohort)")
    _percent_axis(bar.ax.yaxis)
    _title(ax, "Conversion by entry cohort: share reaching each stage", source, as_of)
    return fig


# ---------------------------------------------------------------- forecast and scenarios

def _fan_frame(forecast, start) -> pd.DataFrame:
    """The fan's points: day 0 (nothing won yet) then the end of every period,
    as dates from ``start`` when known, else as days."""
    df = forecast.to_pandas()
    days = np.r_[0.0, df["start_day"].to_numpy(float) + forecast.period_days]
    out = pd.DataFrame({c: np.r_[0.0, df[f"cumulative_{c}"].to_numpy(float)]
                        for c in ("p10", "p50", "p90")})
    out["x"] = days if start is None else pd.Timestamp(start) + pd.to_timedelta(days, unit="D")
    return out


def _revenue_note(forecast, currency: str, revenue: bool = True) -> str:
    q = forecast.quantiles["revenue"]
    if not revenue or q.isna().all():
        return "Revenue: no amounts in the data"
    return (f"Revenue in the horizon: P50 {_money(q['p50'], currency)} "
            f"(P10 {_money(q['p10'], currency)} – P90 {_money(q['p90'], currency)})")


def forecast_fan(forecast, ax=None, *, start=None, source: str | None = None, currency: str = "",
                 revenue: bool = True, interactive: bool = False):
    """Cumulative wins over the horizon on calendar dates from ``start`` (a
    date, or the EventLog / MarkovModel whose as-of the forecast starts at):
    P10-P90 band, P50 line, the quota line, revenue when amounts exist
    (``revenue=False`` says there are none, e.g. open deals without amounts).

    >>> f = model.forecast(horizon_days=90, quota=40)
    >>> fig = sf.plots.forecast_fan(f, start=model, source="BPI Challenge 2012")
    """
    start = _as_of(start if start is not None else getattr(forecast, "as_of", None))
    fan = _fan_frame(forecast, start)
    last = fan["x"].iloc[-1]
    what = "Forecast: cumulative wins " + (f"over the next {last:.0f} days" if start is None
                                           else f"to {last:%d %b %Y}")
    if interactive:
        return _fan_plotly(forecast, fan, what, source, start, _revenue_note(forecast, currency, revenue))
    fig, ax = _figure(ax, (9, 4.4))
    ax.fill_between(fan["x"], fan["p10"], fan["p90"], color="#c6dbef", label="P10–P90 (80% of trials)")
    ax.plot(fan["x"], fan["p50"], color="#08519c", lw=2, label="P50 (median)")
    if forecast.quota is not None:
        ax.axhline(forecast.quota, color="#de2d26", linestyle="--",
                   label=f"quota {forecast.quota:,g} (P(hit) = {forecast.p_hit_quota:.0%})")
    end = fan.iloc[-1]
    ax.annotate(f"P50 {end['p50']:,.0f}\n(P10 {end['p10']:,.0f} – P90 {end['p90']:,.0f})",
                (end["x"], end["p50"]), textcoords="offset points", xytext=(6, 0), va="center",
                fontsize=8)
    ax.text(0.01, 0.97, _revenue_note(forecast, currency, revenue), transform=ax.transAxes, va="top",
            fontsize=8.5, color="#222")
    if start is None:
        ax.set_xlabel("days after the last event")
    else:
        import matplotlib.dates as mdates
        locator = mdates.AutoDateLocator(maxticks=8)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel("date")
    _count_axis(ax.yaxis)
    ax.set_ylabel("cumulative wins")
    ax.set_ylim(bottom=0)
    ax.margins(x=0.0)
    ax.set_xlim(right=_pad_right(fan["x"]))
    _title(ax, what, source, start)
    _legend_below(ax, ncol=3)
    return fig


def _pad_right(x: pd.Series):
    """Room after the last point for its label."""
    span = x.iloc[-1] - x.iloc[0]
    return x.iloc[-1] + span * 0.22


def _fan_plotly(forecast, fan, what, source, start, revenue_note):
    go = _go()
    fig = go.Figure([
        go.Scatter(x=fan["x"], y=fan["p90"], mode="lines", line={"width": 0}, showlegend=False, hoverinfo="skip"),
        go.Scatter(x=fan["x"], y=fan["p10"], mode="lines", fill="tonexty", fillcolor="#c6dbef", line={"width": 0},
                   name="P10–P90 (80% of trials)", customdata=fan[["p90"]],
                   hovertemplate="P10 %{y:,.0f} – P90 %{customdata[0]:,.0f}<extra></extra>"),
        go.Scatter(x=fan["x"], y=fan["p50"], mode="lines", line={"color": "#08519c", "width": 2}, name="P50",
                   hovertemplate="P50 %{y:,.0f}<extra></extra>")])
    if forecast.quota is not None:
        fig.add_hline(y=forecast.quota, line_dash="dash", line_color="#de2d26",
                      annotation_position="bottom left",
                      annotation_text=f"quota {forecast.quota:,g} (P(hit) = {forecast.p_hit_quota:.0%})")
    fig.add_annotation(text=revenue_note, xref="paper", yref="paper", x=0,
                       y=1.0, showarrow=False, xanchor="left", yanchor="top")
    fig.update_layout(title=_plotly_title(what, source, start), yaxis_title="cumulative wins",
                      xaxis_title="date" if start is not None else "days after the last event",
                      hovermode="x unified", plot_bgcolor="white",
                      legend={"orientation": "h", "y": -0.2})
    return fig


def scenario_bars(comparison: pd.DataFrame, column: str = "wins_per_week", ax=None, *,
                  source: str | None = None, as_of=None):
    """One labelled bar per scenario of sf.compare's output (the baseline grey).

    >>> fig = sf.plots.scenario_bars(sf.compare(model, s1, s2, leads_per_week=50))
    """
    fig, ax = _figure(ax, (8, 0.55 * len(comparison) + 2.0))
    y = np.arange(len(comparison))[::-1]
    values = comparison[column].to_numpy(float)
    ax.barh(y, values, height=0.55, color=["#bdbdbd"] + ["#6baed6"] * (len(comparison) - 1))
    rate = column.endswith("rate")
    base = values[0] if len(values) else float("nan")
    for yi, v in zip(y, values):
        label = f"{v:.1%}" if rate else f"{v:,.1f}"
        if v == v and base == base and v != base:
            label += f" ({v - base:+.1%})" if rate else f" ({v - base:+,.1f})"
        ax.text(v, yi, " " + label, va="center", fontsize=8)
    ax.set_yticks(y, comparison.index)
    ax.set_xlim(0, np.nanmax(np.r_[values, 1e-9]) * 1.3)
    if rate:
        _percent_axis(ax.xaxis)
    ax.set_xlabel(column.replace("_", " "))
    _title(ax, f"Scenarios: {column.replace('_', ' ')} against the baseline", source, as_of)
    return fig


def waterfall_chart(waterfall, ax=None, values: bool = False, *, source: str | None = None):
    """The team's pipeline from start to end as a waterfall: open at start,
    new and moved-in deals up, closed and gone-dark deals down, open at end.
    Moves between stages cancel out for the team, so they are not drawn.

    >>> fig = sf.plots.waterfall_chart(sf.waterfall(log, "2012-02-01", "2012-03-01"))
    """
    total = waterfall.to_pandas(values=values).loc["(total)"]
    steps = [("open at start", total["open_start"], "#9ecae1"), ("new", total["new"], "#6baed6"),
             ("won", -total["won"], KIND_COLORS["won"]), ("lost", -total["lost"], KIND_COLORS["lost"]),
             ("went dark", -total["went_dark"], "#bdbdbd")]
    fig, ax = _figure(ax, (8, 3.8))
    fmt = (lambda v: _money(v)) if values else (lambda v: f"{v:,.0f}")
    level = 0.0
    for i, (name, v, color) in enumerate(steps):
        bottom = 0.0 if i == 0 else (level if v >= 0 else level + v)
        ax.bar(i, abs(v), bottom=bottom, color=color)
        level = v if i == 0 else level + v
        ax.text(i, bottom + abs(v), ("+" if v > 0 and i else "") + fmt(v), ha="center",
                va="bottom", fontsize=8)
    end = total["open_end"]
    peak = max(level, end, total["open_start"] + max(total["new"], 0))
    ax.set_ylim(0, max(peak, 1) * 1.12)          # room for the labels over the highest bar
    ax.bar(len(steps), end, color="#3182bd")
    ax.text(len(steps), end, fmt(end), ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(steps) + 1), [s[0] for s in steps] + ["open at end"])
    ax.set_ylabel("open pipeline amount" if values else "open deals")
    _count_axis(ax.yaxis)
    _title(ax, f"Open pipeline: what changed {waterfall.start:%d %b} to {waterfall.end:%d %b %Y}",
           _source(waterfall._log, source), waterfall.end)
    return fig


# ---------------------------------------------------------------- window funnels

def window_segments(w) -> pd.DataFrame:
    """The window-funnel chart's numbers: per step, the deals that entered it
    split into ``did it`` (within the window), ``window still open``
    (immature: not counted as dropped) and ``dropped``; they sum to ``entered``.

    >>> sf.plots.window_segments(sf.window_funnel(log, ["MQL", "SQL"], "14D")).sum(axis=1)
    """
    df = w.to_pandas()
    return pd.DataFrame({"did it": df["converted"], "window still open": df["immature"],
                         "dropped": df["mature"] - df["converted"]}, index=df.index).astype(np.int64)


_WINDOW_COLORS = {"did it": _CONTINUED, "window still open": _OPEN, "dropped": _EXIT_COLORS[0]}


def window_funnel_chart(w, ax=None, *, source: str | None = None):
    """One bar per step, as long as the deals that entered it (did the
    previous step), split into those that did the step within the window,
    those still inside their window, and those that dropped.

    >>> fig = sf.plots.window_funnel_chart(sf.window_funnel(log, ["A_SUBMITTED", "A_ACCEPTED"], "30D"))
    """
    seg = window_segments(w)
    df = w.to_pandas()
    fig, ax = _figure(ax, (9, 0.85 * len(seg) + 2.2))
    captions = []
    for j, step in enumerate(seg.index):
        r = df.loc[step]
        rate = "" if j == 0 or np.isnan(r["conversion"]) else (
            f" · {r['conversion']:.0%} of mature deals ({r['conversion_low']:.0%}–{r['conversion_high']:.0%})")
        captions.append(f"{j + 1}. {step}: {int(r['converted']):,} did it{rate}")
    _split_bars(ax, seg, _WINDOW_COLORS, {"dropped": "dropped (window closed)"}, {"did it"}, captions)
    days = w.within / pd.Timedelta(days=1)
    order = {"ordered": "in order", "strict": "in strict order", "any": "in any order"}[w.order]
    _title(ax, f"Steps done {order} within {days:g} days of the first", source, w.as_of)
    _legend_below(ax, ncol=3)
    return fig


def window_curve(w, ax=None, *, source: str | None = None):
    """The share of step-1 deals that did each later step by each day of the
    window (Kaplan-Meier: deals still inside their window are censored).

    >>> fig = sf.plots.window_curve(sf.window_funnel(log, ["A_SUBMITTED", "A_ACCEPTED"], "30D"))
    """
    wide = w.curve(wide=True)
    fig, ax = _figure(ax, (8, 4.2))
    for i, step in enumerate(wide.columns[1:], start=1):
        ax.step(np.r_[0.0, wide.index], np.r_[0.0, wide[step]], where="pre", color=f"C{i % 10}",
                label=f"{i + 1}. {step}: {wide[step].iloc[-1]:.0%} by day {wide.index[-1]:g}")
    _percent_axis(ax.yaxis)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(0, wide.index[-1] if len(wide) else 1)
    ax.set_xlabel(f"days after {wide.columns[0] if len(wide.columns) else 'step 1'}")
    ax.set_ylabel("share of step-1 deals")
    _title(ax, "Conversion by day of the window (Kaplan-Meier)", source, w.as_of)
    _legend_below(ax, ncol=2)
    return fig


def window_trend(grouped, ax=None, *, source: str | None = None):
    """Conversion from step 1 to the last step within the window per group
    (Kaplan-Meier, so recent groups with open windows are not inflated), with
    the deals that entered each group: with ``by="cohort_month"``, a trend by
    entry month.

    >>> fig = sf.plots.window_trend(sf.window_funnel(log, ["A", "B"], "30D", by="cohort_month"))
    """
    t = grouped.to_pandas()
    steps = t.index.get_level_values("step").unique()
    first_step, last = steps[0], steps[-1]
    rows = t.xs(last, level="step")
    first = t.groupby(level=0, sort=False)["entered"].first()
    fig, ax = _figure(ax, (max(6, 0.45 * len(rows) + 2), 4.2))
    x = np.arange(len(rows))
    share = rows["km_cumulative"].fillna(0.0)
    ax.bar(x, share, color=_CONTINUED, width=0.6)
    for xi, (g, v) in zip(x, share.items()):
        ax.text(xi, v + 0.01, f"{v:.0%}\nn={int(first[g]):,}", ha="center", va="bottom", fontsize=7)
    ax.set_xticks(x, [str(g) for g in rows.index], rotation=45 if len(rows) > 8 else 0, ha="right"
                  if len(rows) > 8 else "center", fontsize=8)
    _percent_axis(ax.yaxis)
    ax.set_ylim(0, 1.15)
    ax.set_ylabel(f"did '{last}' within the window (KM)")
    as_of = grouped[grouped.groups[0]].as_of if len(grouped) else None
    _title(ax, f"{first_step} to {last}, by {grouped.by.replace('_', ' ')}", source, as_of)
    return fig
