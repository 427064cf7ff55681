"""One self-contained HTML report (inline SVG pictures, no scripts, no CDN):
funnel, flows, weakest link, time in stage, per-rep table, integrity audit."""

from __future__ import annotations

import html
import io
from datetime import datetime, timezone

import numpy as np
import pandas as pd

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{padding:3px 8px;border-bottom:1px solid #eee;text-align:right}
th{background:#f5f5f5}td:first-child,th:first-child{text-align:left}.note{color:#666;font-size:12px}
.kpi{display:inline-block;margin-right:28px}.kpi b{font-size:20px;display:block}
.warn{background:#fff8e1;border-left:4px solid #f9a825;padding:8px 14px;margin:12px 0;font-size:13px}
.warn ul{margin:4px 0;padding-left:18px}
"""


def _svg(fig) -> str:
    import matplotlib.pyplot as plt
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg"):]


def _table(df: pd.DataFrame, pct: tuple = (), digits: int = 2) -> str:
    fmt = {c: (lambda v: "" if pd.isna(v) else f"{v:.1%}") for c in pct if c in df.columns}
    return df.to_html(formatters=fmt, float_format=lambda v: f"{v:,.{digits}f}", na_rep="",
                      border=0)


def _warnings_section(rep, audit) -> str:
    """The warnings a person should read first: the funnel's, and audit rules
    that could not judge every deal."""
    notes = list(rep.warnings)
    if audit is not None:
        for _, r in audit.rules().iterrows():
            if r.get("not_applied", 0):
                notes.append(f"Audit rule {r.name}: {r['note']}")
    if not notes:
        return ""
    items = "".join(f"<li>{html.escape(n)}</li>" for n in notes)
    return f"<div class='warn'><b>Read first</b><ul>{items}</ul></div>"


def _waterfall_section(log, as_of, stale_after) -> str:
    """The last 30 days of the open pipeline, stage by stage."""
    import salesfunnel as sf
    from . import plots

    end = pd.Timestamp(log._time_values(np.array([log._log.max_time]))[0]) if as_of is None else pd.Timestamp(as_of)
    start = end - pd.Timedelta(days=30)
    w = sf.waterfall(log, start, end, stale_after=stale_after)
    df = w.to_pandas()
    df = df[(df != 0).any(axis=1)]
    return (f"<h2>What changed in the last 30 days</h2><p class='note'>{start:%Y-%m-%d} &rarr; "
            f"{end:%Y-%m-%d}: open deals at the start, what came in, moved, closed or went dark, "
            "and open deals at the end; every row balances.</p>"
            + _svg(plots.waterfall_chart(w)) + _table(df))


def build_report(log, title: str = "Sales funnel report", source: str = "", as_of=None,
                 stale_after=None) -> str:
    """The HTML text of the report for an event log that has a graph, read
    at ``as_of`` (default: the latest event), with optional ``stale_after``."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import salesfunnel as sf
    from . import plots

    rep = sf.funnel(log, as_of=as_of, stale_after=stale_after)
    t = rep.totals
    df = rep.to_pandas()
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
             f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>",
             f"<p class='note'>{html.escape(source)} &middot; generated "
             f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC by salesfunnel {sf.__version__}. "
             "Open deals are censored (never counted as lost); intervals are Wilson 95%; time in "
             "stage is Kaplan&ndash;Meier.</p>"]
    try:
        audit_for_notes = sf.audit(log, rules=[sf.rules.aged_past_cycle()], as_of=as_of)
    except sf.SalesfunnelError:
        audit_for_notes = None
    parts.append(_warnings_section(rep, audit_for_notes))
    parts.append("<div>" + "".join(
        f"<span class='kpi'><b>{v:,}</b>{k}</span>" for k, v in
        [("deals", t["deals"]), ("won", t["won"]), ("lost", t["lost"]), ("open", t["open"])]) + "</div>")
    parts.append("<h2>Funnel</h2>" + _svg(plots.funnel_chart(rep)))
    cols = ["kind", "reached", "reached_or_beyond", "advanced", "dropped", "open",
            "step_conversion", "step_low", "step_high", "cumulative_conversion", "median_days",
            "p90_days"]
    parts.append(_table(df[cols], pct=("step_conversion", "step_low", "step_high",
                                       "cumulative_conversion")))
    drops = rep.drop_offs()
    if len(drops):
        parts.append("<h2>Where deals fall out</h2>" + _table(drops.set_index(["stage", "exit"])))
    parts.append("<h2>Flows between stages</h2><p class='note'>Directly-follows moves, with "
                 "the median days before each move.</p>" +
                 _table(rep.transitions().set_index(["from_stage", "to_stage"])))
    try:
        model = sf.MarkovModel.fit(log, as_of=as_of, stale_after=stale_after)
        sens = model.sensitivity().head(10)
        parts.append("<h2>Weakest link</h2><p class='note'>Exact sensitivity of the win rate: "
                     "wins per 100 new deals for +1 point on each conversion (the other exits "
                     "of that stage give way in proportion). Fix the top one first.</p>" +
                     _table(sens.set_index(["from_stage", "to_stage"]), pct=("probability",), digits=3))
    except Exception as e:  # a model needs every stage to reach won or lost
        parts.append(f"<h2>Weakest link</h2><p class='note'>Not available: {html.escape(str(e))}</p>")
    parts.append("<h2>Time in stage</h2>" + _svg(plots.time_in_stage(rep)))
    try:
        parts.append(_waterfall_section(log, as_of, stale_after))
    except sf.SalesfunnelError as e:
        parts.append(f"<h2>What changed</h2><p class='note'>Not available: {html.escape(str(e))}</p>")
    if log._log.has_rep:
        by = rep.by("rep").totals()
        by["win_rate"] = by["won"] / (by["won"] + by["lost"]).where(lambda s: s > 0)
        parts.append("<h2>Per rep</h2>" + _table(by, pct=("win_rate",)))
        main = log.graph.main_path
        won = [s for s in main if log.graph.kinds[s] == "won"]
        if len(main) > 1 and won:
            try:
                cmp = sf.compare_reps(log, start=main[0], end=won[0])
                parts.append(f"<p class='note'>{html.escape(main[0])} &rarr; {html.escape(won[0])} "
                             "by rate, shrunk toward the team rate (empirical Bayes); reps with "
                             "too few resolved deals are not ranked.</p>" +
                             _table(cmp.set_index("rep"), pct=("rate", "low", "high", "shrunk_rate")))
            except Exception as e:
                parts.append(f"<p class='note'>Rep comparison not available: {html.escape(str(e))}</p>")
    try:
        audit = sf.audit(log, rules=[sf.rules.aged_past_cycle()], as_of=as_of)
        parts.append("<h2>Pipeline integrity</h2><p class='note'>Open deals older than the "
                     "average won cycle are taken out of the qualified pipeline (no meetings log "
                     "was given, so the two-meeting rule is not applied).</p>" +
                     _table(audit.summary()) + _table(audit.rules().set_index("rule")))
    except Exception as e:
        parts.append(f"<h2>Pipeline integrity</h2><p class='note'>Not available: {html.escape(str(e))}</p>")
    issues = log.issues()
    parts.append("<h2>Data checks</h2><p class='note'>Nothing is dropped silently: these rows "
                 f"were folded or kept and counted.</p><table>"
                 f"<tr><td>duplicate events (folded)</td><td>{issues['duplicate_events']:,}</td></tr>"
                 f"<tr><td>repeated stage events (folded)</td><td>{issues['repeated_stage_events']:,}</td></tr>"
                 f"<tr><td>rows out of time order (sorted)</td><td>{issues['out_of_order_rows']:,}</td></tr>"
                 f"<tr><td>events after the deal was won or lost (left out)</td><td>{issues['events_after_outcome']:,}</td></tr>"
                 f"<tr><td>moves the graph lacks (kept)</td><td>{int(issues['unknown_transitions']['count'].sum()):,}</td></tr>"
                 "</table></body></html>")
    return "".join(parts)


def write_report(log, path, **kwargs) -> None:
    """Write build_report's HTML to ``path``."""
    with open(path, "w", encoding="utf-8") as f:
        f.write(build_report(log, **kwargs))
