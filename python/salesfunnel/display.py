"""Rich display in notebooks: small self-contained HTML (no scripts)."""

from __future__ import annotations

import html

import numpy as np

from .plots import KIND_COLORS


def _bar(value: float, top: float, color: str) -> str:
    width = 0 if not top else max(0.0, min(1.0, value / top)) * 160
    return (f'<div style="background:{color};height:10px;width:{width:.0f}px;'
            f'display:inline-block"></div>')


def stage_graph_html(graph) -> str:
    """Stages as coloured chips along the main path, then every commitment."""
    kinds = graph.kinds
    chips = " &rarr; ".join(
        f'<span style="background:{KIND_COLORS[kinds[s]]};padding:2px 6px;border-radius:4px">'
        f"{html.escape(s)}</span>" for s in graph.main_path)
    off = [s for s in graph.stages if s not in graph.main_path]
    others = " ".join(
        f'<span style="background:{KIND_COLORS[kinds[s]]};padding:2px 6px;border-radius:4px">'
        f"{html.escape(s)} ({kinds[s]})</span>" for s in off)
    rows = "".join(f"<tr><td>{html.escape(a)}</td><td>&rarr;</td><td>{html.escape(b)}</td>"
                   f"<td><i>{html.escape(c)}</i></td></tr>"
                   for a, b, c in graph.transitions.itertuples(index=False))
    return (f"<div><b>StageGraph {html.escape(graph.name)}</b><div style='margin:6px 0'>{chips}</div>"
            f"<div>{others}</div><details><summary>{len(graph.transitions)} commitments</summary>"
            f"<table>{rows}</table></details></div>")


def funnel_report_html(report) -> str:
    """The per-stage table with a small funnel bar per main-path stage."""
    df = report.to_pandas()
    t = report.totals
    top = float(df["reached"].max() or 1)
    rows = []
    for stage, r in df.iterrows():
        n = r["reached_or_beyond"] if r["main_rank"] >= 0 else r["reached"]
        conv = "" if np.isnan(r["step_conversion"]) else (
            f"{r['step_conversion']:.1%} <small>({r['step_low']:.0%}&ndash;{r['step_high']:.0%})</small>")
        med = "" if np.isnan(r["median_days"]) else f"{r['median_days']:.1f}"
        rows.append(
            f"<tr><td>{html.escape(str(stage))}</td><td>{r['kind']}</td>"
            f"<td>{_bar(n, top, KIND_COLORS[r['kind']])} {n:,}</td><td>{r['dropped']:,}</td>"
            f"<td>{r['open']:,}</td><td>{conv}</td><td>{r['cumulative_conversion']:.1%}</td>"
            f"<td>{med}</td></tr>".replace(">nan%<", "><"))
    head = ("<tr><th>stage</th><th>kind</th><th>reached (or beyond)</th><th>dropped</th>"
            "<th>open</th><th>step conversion (95%)</th><th>cumulative</th><th>median days</th></tr>")
    return (f"<div><b>FunnelReport</b>: {t['deals']:,} deals, {t['won']:,} won, {t['lost']:,} lost, "
            f"{t['open']:,} open (censored)<table>{head}{''.join(rows)}</table></div>")


def model_html(model) -> str:
    w = model.win_probability()
    d = model.expected_days_to_close()
    kinds = model.graph.kinds
    rows = "".join(f"<tr><td>{html.escape(s)}</td><td>{_bar(w[s], 1.0, KIND_COLORS[kinds[s]])} "
                   f"{w[s]:.1%}</td><td>{d[s]:.1f}</td></tr>" for s in w.index)
    return ("<div><b>MarkovModel</b><table><tr><th>stage</th><th>P(won | stage)</th>"
            f"<th>expected days to close</th></tr>{rows}</table></div>")


def forecast_html(forecast) -> str:
    q = forecast.quantiles
    quota = "" if forecast.quota is None else (
        f"; P(wins &ge; {forecast.quota:g}) = {forecast.p_hit_quota:.1%}")
    return (f"<div><b>Forecast</b>{quota}{q.to_html(float_format=lambda v: f'{v:,.1f}')}</div>")


def window_funnel_html(w) -> str:
    """The steps with a bar per step, conversion over mature deals and times."""
    df = w.to_pandas()
    top = float(df["converted"].max() or 1)
    rows = []
    for step, r in df.iterrows():
        conv = "" if np.isnan(r["conversion"]) else (
            f"{r['conversion']:.1%} <small>({r['conversion_low']:.0%}&ndash;{r['conversion_high']:.0%})</small>")
        med = "" if np.isnan(r["median_days_from_previous"]) else f"{r['median_days_from_previous']:.1f}"
        rows.append(f"<tr><td>{html.escape(str(step))}</td><td>{_bar(r['converted'], top, KIND_COLORS['open'])} "
                    f"{r['converted']:,}</td><td>{r['immature']:,}</td><td>{conv}</td>"
                    f"<td>{r['cumulative']:.1%}</td><td>{med}</td></tr>".replace(">nan%<", "><"))
    head = ("<tr><th>Step</th><th>Converted</th><th>Immature</th><th>Conversion (95%)</th>"
            "<th>From step 1</th><th>Median days from previous</th></tr>")
    notes = "".join(f"<li>{html.escape(s)}</li>" for s in w.warnings)
    return (f"<div><b>WindowFunnel</b>: within {w.within}, order {w.order}, as of {w.as_of}"
            f"{f'<ul>{notes}</ul>' if notes else ''}<table>{head}{''.join(rows)}</table></div>")
