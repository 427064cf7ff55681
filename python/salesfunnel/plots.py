"""Pictures of funnels, flows, time in stage, reps and forecasts.

Each function returns the figure so it can be restyled. matplotlib (static)
and plotly (interactive) are imported only when a plot is drawn:
``pip install salesfunnel[plot]``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["funnel_chart", "sankey", "time_in_stage", "rep_conversion", "cohort_heatmap",
           "forecast_fan", "scenario_bars", "waterfall_chart", "KIND_COLORS"]

#: Stage colours by kind, shared by every picture and the HTML display.
KIND_COLORS = {"entry": "#6baed6", "open": "#9ecae1", "won": "#74c476", "lost": "#fb6a4a",
               "nurture": "#fdd835"}


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


def funnel_chart(report, ax=None):
    """Main-path bars of deals that reached each stage (or beyond), with the
    deals that dropped there stacked by exit to the right of each bar."""
    _, plt = _plt()
    df = report.to_pandas()
    main = df[df["main_rank"] >= 0].sort_values("main_rank")
    drops = report.drop_offs()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.6 * len(main) + 1.5))
    y = np.arange(len(main))[::-1]
    colors = [KIND_COLORS[k] for k in main["kind"]]
    ax.barh(y, main["reached_or_beyond"], color=colors, label="reached (or beyond)")
    exits = sorted(drops["exit"].unique()) if len(drops) else []
    left = main["reached_or_beyond"].to_numpy(dtype=float)
    palette = ["#de2d26", "#fc9272", "#fcbba1", "#a50f15"]
    for i, exit_ in enumerate(exits):
        d = drops[drops["exit"] == exit_].set_index("stage")["deals"].reindex(main.index, fill_value=0)
        ax.barh(y, d.to_numpy(), left=left, color=palette[i % len(palette)], label=f"dropped: {exit_}")
        left = left + d.to_numpy()
    for yi, (stage, row) in zip(y, main.iterrows()):
        conv = row["step_conversion"]
        txt = f"{row['reached_or_beyond']:,}" + ("" if np.isnan(conv) else f"  ({conv:.0%} advance)")
        ax.text(row["reached_or_beyond"], yi, " " + txt, va="center", fontsize=8)
    ax.set_yticks(y, main.index)
    ax.set_xlabel("deals")
    ax.set_title("Funnel: where deals fall out")
    ax.legend(loc="lower right", fontsize=8)
    return fig if fig is not None else ax.figure


def sankey(report):
    """Flows between stages (plotly Sankey); link widths are transition counts."""
    try:
        import plotly.graph_objects as go
    except ModuleNotFoundError as e:
        raise _missing(e.name or "plotly") from None
    t = report.transitions()
    stages = report.graph.stages
    kinds = report.graph.kinds
    idx = {s: i for i, s in enumerate(stages)}
    return go.Figure(go.Sankey(
        node={"label": stages, "color": [KIND_COLORS[kinds[s]] for s in stages]},
        link={"source": [idx[a] for a in t["from_stage"]], "target": [idx[b] for b in t["to_stage"]],
              "value": t["count"].tolist()}))


def time_in_stage(report, ax=None):
    """Kaplan-Meier median and p90 days per stage; open (censored) stays annotated."""
    _, plt = _plt()
    df = report.to_pandas()
    df = df[df["stays_completed"] + df["stays_censored"] > 0]
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.5 * len(df) + 1.5))
    y = np.arange(len(df))[::-1]
    ax.barh(y, df["p90_days"].fillna(0), color="#c6dbef", label="p90")
    ax.barh(y, df["median_days"].fillna(0), color="#2171b5", label="median (Kaplan-Meier)")
    for yi, (_, r) in zip(y, df.iterrows()):
        ax.text(max(r["p90_days"] if r["p90_days"] == r["p90_days"] else 0,
                    r["median_days"] if r["median_days"] == r["median_days"] else 0), yi,
                f"  {int(r['stays_censored'])} open", va="center", fontsize=8)
    ax.set_yticks(y, df.index)
    ax.set_xlabel("days in stage")
    ax.set_title("Time in stage (open stays censored)")
    ax.legend(fontsize=8)
    return fig if fig is not None else ax.figure


def rep_conversion(comparison: pd.DataFrame, ax=None):
    """Per-rep conversion (sf.compare_reps output) with Wilson intervals, and the shrunk rate."""
    _, plt = _plt()
    df = comparison.sort_values("shrunk_rate")
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(df) + 1.5))
    y = np.arange(len(df))
    ax.errorbar(df["rate"], y, xerr=[df["rate"] - df["low"], df["high"] - df["rate"]], fmt="o",
                color="#6baed6", label="rate, Wilson 95%")
    ax.plot(df["shrunk_rate"], y, "D", color="#08519c", label="shrunk rate")
    ax.set_yticks(y, df["rep"])
    ax.set_xlabel("conversion")
    ax.legend(fontsize=8)
    return fig if fig is not None else ax.figure


def cohort_heatmap(grouped, ax=None):
    """Cohort x stage cumulative conversion (from report.by("cohort_month"))."""
    _, plt = _plt()
    df = grouped.to_pandas()
    df = df[df["main_rank"] >= 0]
    table = df["cumulative_conversion"].unstack("stage")
    order = df.reset_index().drop_duplicates("stage").sort_values("main_rank")["stage"]
    table = table[list(order)]
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(1 + 1.1 * table.shape[1], 0.4 * table.shape[0] + 1.5))
    im = ax.imshow(table.to_numpy(dtype=float), aspect="auto", cmap="Blues", vmin=0, vmax=1)
    ax.set_xticks(range(table.shape[1]), table.columns, rotation=30, ha="right")
    ax.set_yticks(range(table.shape[0]), table.index)
    ax.figure.colorbar(im, ax=ax, label="cumulative conversion")
    return fig if fig is not None else ax.figure


def forecast_fan(forecast, ax=None):
    """Cumulative wins over the horizon: P10-P90 band, P50 line, quota line."""
    _, plt = _plt()
    df = forecast.to_pandas()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4))
    x = df["start_day"] + forecast.period_days
    ax.fill_between(x, df["cumulative_p10"], df["cumulative_p90"], color="#c6dbef", label="P10-P90")
    ax.plot(x, df["cumulative_p50"], color="#08519c", label="P50")
    if forecast.quota is not None:
        ax.axhline(forecast.quota, color="#de2d26", linestyle="--",
                   label=f"quota {forecast.quota:g} (P = {forecast.p_hit_quota:.0%})")
    ax.set_xlabel("days")
    ax.set_ylabel("cumulative wins")
    ax.set_title("Forecast")
    ax.legend(fontsize=8)
    return fig if fig is not None else ax.figure


def scenario_bars(comparison: pd.DataFrame, column: str = "wins_per_week", ax=None):
    """One bar per scenario of sf.compare's output."""
    _, plt = _plt()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 0.5 * len(comparison) + 1.5))
    y = np.arange(len(comparison))[::-1]
    ax.barh(y, comparison[column], color=["#bdbdbd"] + ["#6baed6"] * (len(comparison) - 1))
    ax.set_yticks(y, comparison.index)
    ax.set_xlabel(column.replace("_", " "))
    return fig if fig is not None else ax.figure


def waterfall_chart(waterfall, ax=None, values: bool = False):
    """The team's pipeline from start to end as a waterfall: open at start,
    new and moved-in deals up, closed and gone-dark deals down, open at end.
    Moves between stages cancel out for the team, so they are not drawn."""
    _, plt = _plt()
    total = waterfall.to_pandas(values=values).loc["(total)"]
    steps = [("open at start", total["open_start"], "#9ecae1"), ("new", total["new"], "#6baed6"),
             ("won", -total["won"], KIND_COLORS["won"]), ("lost", -total["lost"], KIND_COLORS["lost"]),
             ("went dark", -total["went_dark"], "#bdbdbd")]
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 3.6))
    level = 0.0
    for i, (name, v, color) in enumerate(steps):
        bottom = 0.0 if i == 0 else (level if v >= 0 else level + v)
        ax.bar(i, abs(v), bottom=bottom, color=color)
        level = v if i == 0 else level + v
        ax.text(i, bottom + abs(v), f"{v:+,.0f}" if i else f"{v:,.0f}", ha="center", va="bottom", fontsize=8)
    end = total["open_end"]
    ax.bar(len(steps), end, color="#3182bd")
    ax.text(len(steps), end, f"{end:,.0f}", ha="center", va="bottom", fontsize=8)
    ax.set_xticks(range(len(steps) + 1), [s[0] for s in steps] + ["open at end"])
    ax.set_ylabel("pipeline value" if values else "open deals")
    ax.set_title(f"What changed: {waterfall.start:%Y-%m-%d} to {waterfall.end:%Y-%m-%d}")
    return fig if fig is not None else ax.figure
