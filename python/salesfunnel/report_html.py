"""One self-contained HTML report (inline SVG pictures, no scripts, no CDN)
that fits a 1280 px screen: what to read first, the funnel, where deals fall
out, the weakest link, pipeline value, forecast, what changed, the trend by
entry month, time in stage, reps by rate, the integrity audit and data checks.

>>> from salesfunnel.report_html import write_report
>>> write_report(sf.datasets.bpi2012(), "report.html", source="BPI Challenge 2012")
"""

from __future__ import annotations

import html
import io
from datetime import datetime, timezone

import numpy as np
import pandas as pd

# Tables scroll inside their own box and pictures shrink to the page: the page
# itself never scrolls sideways.
_CSS = """
*{box-sizing:border-box}
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;padding:0 24px;
color:#222;max-width:1180px}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin-top:30px;border-bottom:1px solid #ddd}
.tbl{overflow-x:auto;max-width:100%;margin:8px 0}.tall{max-height:520px;overflow-y:auto}
table{border-collapse:collapse;font-size:13px}
td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right;vertical-align:top}
th{background:#f5f5f5;font-weight:600}td:first-child,th:first-child{text-align:left}
.note{color:#666;font-size:12px;max-width:900px}
svg{max-width:100%;height:auto;display:block;margin:8px 0}
.kpi{display:inline-block;margin:0 28px 8px 0}.kpi b{font-size:20px;display:block}
.warn{background:#fff8e1;border-left:4px solid #f9a825;padding:8px 14px;margin:12px 0;font-size:13px}
.warn ul{margin:4px 0;padding-left:18px}
"""

_SMALL_WORDS = {"per", "of", "to", "in", "at", "by", "and", "or", "the", "a"}
_UPPER = {"p10", "p50", "p90", "id"}


def header(name) -> str:
    """A column or index name as a readable header: Title Case words.

    >>> header("wins_per_100_per_point")
    'Wins per 100 per Point'
    """
    words = str(name).replace("_", " ").split()
    out = []
    for i, w in enumerate(words):
        if w.lower() in _UPPER:
            out.append(w.upper())
        elif i and w.lower() in _SMALL_WORDS:
            out.append(w.lower())
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def _svg(fig) -> str:
    import matplotlib.pyplot as plt
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _formatters(df: pd.DataFrame, pct: tuple, money: tuple) -> dict:
    """Thousands separators for counts, % for rates, whole units for amounts."""
    fmt = {c: (lambda v: f"{v:,}") for c in df.columns
           if pd.api.types.is_integer_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c])}
    fmt.update({c: (lambda v: "" if pd.isna(v) else f"{v:.1%}") for c in pct if c in df.columns})
    fmt.update({c: (lambda v: "" if pd.isna(v) else f"{v:,.0f}") for c in money if c in df.columns})
    return fmt


def _table(df: pd.DataFrame, pct: tuple = (), digits: int = 2, money: tuple = ()) -> str:
    """A table with one row of Title Case headers, counts, rates and amounts
    formatted, in its own scroll box (long tables scroll inside it too)."""
    if any(n is not None for n in df.index.names):
        df = df.reset_index()
    fmt = {header(c): f for c, f in _formatters(df, pct, money).items()}
    body = df.rename(columns=header).to_html(
        formatters=fmt, float_format=lambda v: f"{v:,.{digits}f}", na_rep="", border=0, index=False)
    tall = " tall" if len(df) > 20 else ""
    return f"<div class='tbl{tall}'>{body}</div>"


def _section(title: str, note: str = "", *body: str) -> str:
    note_html = f"<p class='note'>{note}</p>" if note else ""
    return f"<h2>{html.escape(title)}</h2>{note_html}{''.join(body)}"


def _unavailable(title: str, why) -> str:
    return _section(title, f"Not available: {html.escape(str(why))}")


# ---------------------------------------------------------------- read first

def _log_notes(log) -> list[str]:
    """The data issues worth reading before the numbers."""
    i = log.issues()
    notes = []
    if i["events_after_outcome"]:
        notes.append(f"{i['events_after_outcome']:,} events after a deal was won or lost are left out.")
    if i["out_of_order_rows"]:
        notes.append(f"{i['out_of_order_rows']:,} rows were out of time order (sorted).")
    unknown = int(i["unknown_transitions"]["count"].sum())
    if unknown:
        notes.append(f"{unknown:,} moves are not in the stage graph (kept; see Data checks).")
    return notes


def _warnings_section(rep, audit, log) -> str:
    """The warnings a person should read first: the funnel's, the log's data
    issues, and audit rules that could not judge every deal."""
    notes = list(rep.warnings) + _log_notes(log)
    if audit is not None:
        for _, r in audit.rules().iterrows():
            if r.get("not_applied", 0):
                notes.append(f"Audit rule {r.name}: {r['note']}")
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"<div class='warn'><b>Read first</b><ul>{items}</ul></div>"


def _kpis(rep) -> str:
    t = rep.totals
    return "<div>" + "".join(
        f"<span class='kpi'><b>{v:,}</b>{k}</span>" for k, v in
        [("deals", t["deals"]), ("won", t["won"]), ("lost", t["lost"]), ("open (censored)", t["open"])]) + "</div>"


# ---------------------------------------------------------------- sections

_STAGE_COLUMNS = ["kind", "reached", "reached_or_beyond", "advanced", "dropped", "open",
                  "step_conversion", "step_low", "step_high", "cumulative_conversion",
                  "median_days", "p90_days"]


def _funnel_section(rep, ctx) -> str:
    from . import plots
    df = rep.to_pandas()
    drops = rep.drop_offs()
    out = _section("Funnel", "", _svg(plots.funnel_chart(rep, source=ctx["source"])),
                   _table(df[_STAGE_COLUMNS], pct=("step_conversion", "step_low", "step_high",
                                                  "cumulative_conversion")))
    if len(drops):
        drops = drops.sort_values("deals", ascending=False).set_index(["stage", "exit"])
        out += _section("Where deals fall out", "Largest first.", _table(drops))
    flows = rep.transitions().sort_values("count", ascending=False).set_index(["from_stage", "to_stage"])
    return out + _section("Flows between stages", "Directly-follows moves, largest first, with "
                          "the median days before each move.", _table(flows))


def _weakest_link_section(model) -> str:
    sens = model.sensitivity()
    # An edge already at 0 or 1, or one whose lift loses wins (a lost exit), is no place to act.
    useful = sens[~sens["saturated"] & (sens["probability"] < 1)
                  & (sens["wins_per_100_per_point"] > 0)].head(10)
    cols = ["probability", "wins_per_100_per_point", "revenue_per_100_per_point",
            "removal_effect_per_100"]
    useful = useful.set_index(["from_stage", "to_stage"])[cols]
    if useful["revenue_per_100_per_point"].isna().all():
        useful = useful.drop(columns="revenue_per_100_per_point")
    return _section("Weakest link", "Exact sensitivity of the win rate: wins per 100 new deals for "
                    "+1 point on each conversion (the other exits of that stage give way in "
                    "proportion). Fix the top one first. Conversions already certain are left out.",
                    _table(useful, pct=("probability",), digits=3))


def _value_section(model, ctx) -> str:
    from . import plots
    v = plots.value_by_stage(model)
    v = v[v["deals"] > 0]
    if not len(v):
        return _section("Pipeline value", "No open deals.")
    if v["amount"].sum() == 0 and v["without_amount"].sum() == v["deals"].sum():
        return _section("Pipeline value", f"The {int(v['deals'].sum()):,} open deals have no "
                        "amounts, so the pipeline has no value to show (not 0).")
    note = ("Open deals valued at amount &times; P(won | stage) from the Markov model; deals "
            "without an amount are counted, not valued.")
    return _section("Pipeline value", note, _svg(plots.value_funnel(model, source=ctx["source"])),
                    _table(v, pct=("win_probability",), money=("amount", "weighted")))


def _open_amounts_known(model) -> bool:
    from . import plots
    v = plots.value_by_stage(model)
    return bool((v["deals"] - v["without_amount"]).sum() > 0)


def _forecast_section(model, rep, ctx) -> str:
    from . import plots
    if rep.totals["open"] == 0:
        return ""
    f = model.forecast(horizon_days=90, trials=2000, seed=1)
    q = f.quantiles
    # Open deals without amounts sum to 0 in the core: that revenue is unknown, not 0.
    revenue = _open_amounts_known(model) and not q["revenue"].isna().all()
    if not revenue:
        q = q.drop(columns="revenue")
    return _section("Forecast: the open deals over the next 90 days",
                    f"Monte Carlo of the {rep.totals['open']:,} open deals (2,000 trials, seed 1), "
                    "no new leads: how many close won, and when.",
                    _svg(plots.forecast_fan(f, start=model, source=ctx["source"], revenue=revenue)),
                    _table(q.rename(index=str.upper), money=("revenue",), digits=1))


def _end_of(log, as_of) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of)
    return pd.Timestamp(log._time_values(np.array([log._log.max_time]))[0])


def _waterfall_section(log, as_of, stale_after, ctx) -> str:
    """The last 30 days of the open pipeline, stage by stage."""
    import salesfunnel as sf
    from . import plots

    end = _end_of(log, as_of)
    start = end - pd.Timedelta(days=30)
    w = sf.waterfall(log, start, end, stale_after=stale_after)
    df = w.to_pandas()
    df = df[(df != 0).any(axis=1)]
    return _section("What changed in the last 30 days",
                    f"{start:%d %b %Y} &rarr; {end:%d %b %Y}: open deals at the start, what came "
                    "in, moved, closed or went dark, and open deals at the end; every row balances.",
                    _svg(plots.waterfall_chart(w, source=ctx["source"])), _table(df))


def _trend_section(rep, ctx) -> str:
    """Conversion by entry month, when there are at least three months."""
    from . import plots
    grouped = rep.by("cohort_month")
    if len(grouped) < 3:
        return ""
    totals = grouped.totals()
    totals["win_rate"] = totals["won"] / (totals["won"] + totals["lost"]).where(lambda s: s > 0)
    return _section("Trend: conversion by entry month",
                    "Each row is the deals that entered in that month; recent months have more "
                    "deals still open, so their rates are not final.",
                    _svg(plots.cohort_heatmap(grouped, source=ctx["source"], as_of=ctx["as_of"])),
                    _table(totals, pct=("win_rate",)))


def _time_section(rep, ctx) -> str:
    from . import plots
    return _section("Time in stage", "Kaplan&ndash;Meier: open stays are censored, not dropped.",
                    _svg(plots.time_in_stage(rep, source=ctx["source"])))


def _reps_section(log, rep, as_of) -> str:
    import salesfunnel as sf
    by = rep.by("rep").totals()
    by["win_rate"] = by["won"] / (by["won"] + by["lost"]).where(lambda s: s > 0)
    by = by.sort_values(["win_rate", "deals"], ascending=False)
    out = _section("Per rep", "Sorted by win rate (won of won + lost), then by deals.",
                   _table(by, pct=("win_rate",)))
    main = log.graph.main_path
    won = [s for s in main if log.graph.kinds[s] == "won"]
    if len(main) < 2 or not won:
        return out
    try:
        cmp = sf.compare_reps(log, start=main[0], end=won[0], as_of=as_of)
    except sf.SalesfunnelError as e:
        return out + f"<p class='note'>Rep comparison not available: {html.escape(str(e))}</p>"
    cmp = cmp.sort_values(["too_small", "rank", "n"], ascending=[True, True, False]).set_index("rep")
    return out + (f"<p class='note'>{html.escape(main[0])} &rarr; {html.escape(won[0])} by rate, "
                  "shrunk toward the team rate (empirical Bayes), best first; reps with too few "
                  "resolved deals are not ranked.</p>"
                  + _table(cmp, pct=("rate", "low", "high", "shrunk_rate")))


def _audit_section(audit) -> str:
    return _section("Pipeline integrity", "Open deals older than the average won cycle are taken "
                    "out of the qualified pipeline (no meetings log was given, so the two-meeting "
                    "rule is not applied).", _table(audit.summary()),
                    _table(audit.rules().set_index("rule")))


def _data_checks(log) -> str:
    i = log.issues()
    rows = [("Duplicate events (folded)", i["duplicate_events"]),
            ("Repeated stage events (folded)", i["repeated_stage_events"]),
            ("Rows out of time order (sorted)", i["out_of_order_rows"]),
            ("Events after the deal was won or lost (left out)", i["events_after_outcome"]),
            ("Moves the graph lacks (kept)", int(i["unknown_transitions"]["count"].sum()))]
    body = "".join(f"<tr><td>{k}</td><td>{v:,}</td></tr>" for k, v in rows)
    return _section("Data checks", "Nothing is dropped silently: these rows were folded or kept "
                    "and counted.", f"<div class='tbl'><table><tr><th>Check</th><th>Rows</th></tr>"
                    f"{body}</table></div>")


def _guarded(title: str, build) -> str:
    """A section, or a note saying why it is not available."""
    import salesfunnel as sf
    try:
        return build()
    except (sf.SalesfunnelError, ValueError, KeyError) as e:
        return _unavailable(title, e)


# ---------------------------------------------------------------- the report

def build_report(log, title: str = "Sales funnel report", source: str = "", as_of=None,
                 stale_after=None) -> str:
    """The HTML text of the report for an event log that has a graph, read
    at ``as_of`` (default: the latest event), with optional ``stale_after``.

    >>> html_text = build_report(sf.datasets.crm_opportunities(), source="CRM export")
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import salesfunnel as sf
    from . import plots

    rep = sf.funnel(log, as_of=as_of, stale_after=stale_after)
    ctx = {"source": source or None, "as_of": plots._as_of(rep) or as_of}
    try:
        audit = sf.audit(log, rules=[sf.rules.aged_past_cycle()], as_of=as_of)
    except sf.SalesfunnelError:
        audit = None
    try:
        model = sf.MarkovModel.fit(log, as_of=as_of, stale_after=stale_after)
    except sf.SalesfunnelError as e:  # a model needs every stage to reach won or lost
        model, model_error = None, e
    as_of_text = "" if ctx["as_of"] is None else f" &middot; as of {pd.Timestamp(ctx['as_of']):%d %b %Y}"
    parts = [f"<!doctype html><html><head><meta charset='utf-8'>"
             f"<meta name='viewport' content='width=device-width, initial-scale=1'>"
             f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
             f"<h1>{html.escape(title)}</h1>",
             f"<p class='note'>{html.escape(source)}{as_of_text} &middot; generated "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by salesfunnel {sf.__version__}. "
             "Open deals are censored (never counted as lost); intervals are Wilson 95%; time in "
             "stage is Kaplan&ndash;Meier.</p>",
             _warnings_section(rep, audit, log), _kpis(rep), _funnel_section(rep, ctx)]
    if model is None:
        parts.append(_unavailable("Weakest link", model_error))
    else:
        parts += [_guarded("Weakest link", lambda: _weakest_link_section(model)),
                  _guarded("Pipeline value", lambda: _value_section(model, ctx)),
                  _guarded("Forecast", lambda: _forecast_section(model, rep, ctx))]
    parts += [_guarded("What changed", lambda: _waterfall_section(log, as_of, stale_after, ctx)),
              _guarded("Trend", lambda: _trend_section(rep, ctx)),
              _time_section(rep, ctx)]
    if log._log.has_rep:
        parts.append(_reps_section(log, rep, as_of))
    parts.append(_audit_section(audit) if audit is not None else
                 _unavailable("Pipeline integrity", "the audit needs a graph with won stages"))
    parts.append(_data_checks(log) + "</body></html>")
    return "".join(parts)


def write_report(log, path, **kwargs) -> None:
    """Write build_report's HTML to ``path``.

    >>> write_report(sf.datasets.bpi2012(), "report.html", title="BPI 2012")
    """
    with open(path, "w", encoding="utf-8") as f:
        f.write(build_report(log, **kwargs))
