"""The salesfunnel command-line tool.

    salesfunnel report events.csv|events.parquet --deal deal_id --stage stage --time entered_at \\
        [--rep owner] [--amount amount] [--template sales_cycle | --graph graph.json \\
        | --won Client --lost Lost] -o report.html
    salesfunnel plan events.csv ... --wins 3 --per week [--probability 0.8]
    salesfunnel forecast events.csv ... --horizon 90 --trials 10000 --seed 1 [--quota 40]
    salesfunnel report export.csv --snapshot --deal opportunity_id --stage deal_stage \\
        --stage-date Engaging=engage_date --stage-date Won=close_date \\
        --stage-date Lost=close_date --graph graph.json   # one row per deal
    salesfunnel demo

Errors in the user's file are one line naming the file, column and row; add
--debug for a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

import pandas as pd


class UserError(Exception):
    """A problem with the user's input, reported as one line."""


def _stage_dates(items: list[str] | None) -> dict[str, str]:
    """--stage-date STAGE=COLUMN options as {stage: column}.

    >>> _stage_dates(["Won=close_date", "Lost=close_date"])
    {'Won': 'close_date', 'Lost': 'close_date'}
    """
    out: dict[str, str] = {}
    for item in items or []:
        stage, eq, column = item.partition("=")
        if not eq or not stage.strip() or not column.strip():
            raise UserError(f"--stage-date {item!r}: expected STAGE=COLUMN, "
                            "e.g. --stage-date Won=close_date")
        if stage.strip() in out:
            raise UserError(f"--stage-date: stage '{stage.strip()}' is given twice")
        out[stage.strip()] = column.strip()
    return out


def _read_events(args, graph):
    """The event log from a CSV or Parquet file of stage changes, or with
    --snapshot from a file of one row per deal (current stage + the date each
    stage was entered), through ``sf.read_events``:

        salesfunnel report export.csv --snapshot --deal id --stage stage \\
            --stage-date Won=close_date --stage-date Lost=close_date --graph g.json
    """
    import salesfunnel as sf

    kw = dict(deal=args.deal, stage=args.stage, rep=args.rep, amount=args.amount, graph=graph,
              time_unit=args.time_unit)
    if not args.snapshot:
        if args.stage_date or not args.time:
            raise UserError("give --time COLUMN for a file of stage changes, or --snapshot with "
                            "--stage-date STAGE=COLUMN for a file of one row per deal")
        return sf.read_events(args.events, time=args.time, **kw)
    dates = _stage_dates(args.stage_date)
    if not dates or args.time:
        raise UserError("--snapshot takes --stage-date STAGE=COLUMN (repeatable) instead of --time")
    return sf.read_events(args.events, stage_dates=dates, **kw)


def _load(args, need_graph: bool = True):
    import salesfunnel as sf

    graph = None
    if args.graph:
        try:
            with open(args.graph, encoding="utf-8") as f:
                text = f.read()
        except UnicodeDecodeError as e:
            raise UserError(f"{args.graph}: not UTF-8 text (byte {e.start})") from None
        try:
            graph = sf.StageGraph.from_json(text)
        except sf.SalesfunnelError as e:  # name the graph file, not the events file
            raise UserError(f"{args.graph}: {e}") from e
    elif args.template:
        graph = getattr(sf.templates, args.template)()
    log = _read_events(args, graph)
    if log.num_events == 0:
        raise UserError(f"{args.events}: no events (no data rows): nothing to report")
    if graph is None and (need_graph or args.won):
        if not args.won:
            raise UserError("give the process: --template NAME, --graph FILE.json, or --won STAGE "
                            "[--lost STAGE ...] to discover it from the data")
        graph = sf.StageGraph.discover(log, won=args.won, lost=args.lost or [],
                                       nurture=args.nurture or [])
        log = log.with_graph(graph)
    return log


def _add_input(p: argparse.ArgumentParser) -> None:
    p.add_argument("events", help="CSV or Parquet file of deal stage changes, one row per deal "
                                  "entering a stage (with --snapshot: one row per deal)")
    p.add_argument("--deal", required=True, help="deal id column")
    p.add_argument("--stage", required=True, help="stage column (with --snapshot: current stage)")
    p.add_argument("--time", help="time the deal entered the stage")
    p.add_argument("--time-unit", choices=["auto", "s", "ms", "us", "ns"], default="auto",
                   help="unit of an integer epoch time column (default: guessed from the "
                        "values' size: 1704067200 is seconds, 1704067200000 milliseconds)")
    p.add_argument("--snapshot", action="store_true",
                   help="the file has one row per deal (a CRM export): give --stage-date")
    p.add_argument("--stage-date", action="append", metavar="STAGE=COLUMN",
                   help="with --snapshot: the column holding the date a deal entered STAGE "
                        "(repeatable; stages may share one: Won=close_date, Lost=close_date)")
    p.add_argument("--rep", help="deal owner column")
    p.add_argument("--amount", help="deal amount column")
    g = p.add_mutually_exclusive_group()
    g.add_argument("--template", choices=["sales_cycle", "ten_commitments"])
    g.add_argument("--graph", help="stage graph JSON file")
    p.add_argument("--won", action="append", help="with no graph: a won stage (repeatable)")
    p.add_argument("--lost", action="append", help="with no graph: a lost stage (repeatable)")
    p.add_argument("--nurture", action="append", help="with no graph: a nurture stage")
    p.add_argument("--as-of", help="read the log as it stood at this time (default: its latest event)")
    p.add_argument("--stale-after", metavar="DURATION",
                   help="open deals silent this long (e.g. 90D) leave through an implicit "
                        "'Went dark' exit: for data where losses are never recorded")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="salesfunnel", description="Sales funnel analytics.")
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("report", help="write a self-contained HTML report")
    _add_input(r)
    r.add_argument("-o", "--output", default="report.html")
    r.add_argument("--title", default="Sales funnel report")
    pl = sub.add_parser("plan", help="entries needed per stage for a goal")
    _add_input(pl)
    pl.add_argument("--wins", type=float, required=True, help="wins per period")
    pl.add_argument("--per", choices=["week", "month", "quarter"], default="week")
    pl.add_argument("--probability", type=float, help="hit the goal with this probability")
    fc = sub.add_parser("forecast", help="Monte Carlo forecast of the open pipeline")
    _add_input(fc)
    fc.add_argument("--horizon", type=float, default=90, help="days")
    fc.add_argument("--trials", type=int, default=10000)
    fc.add_argument("--seed", type=int, default=1)
    fc.add_argument("--quota", type=float)
    fc.add_argument("--leads-per-week", type=float, default=0.0)
    wf = sub.add_parser("window", help="ordered steps done within a window (no graph needed)")
    _add_input(wf)
    wf.add_argument("--steps", required=True,
                    help='comma-separated steps; "|" joins names that complete one step, '
                         'e.g. "MQL,SQL,Meeting booked|Meeting held"')
    wf.add_argument("--within", required=True, help="the window from the first step, e.g. 14D")
    wf.add_argument("--order", choices=["ordered", "strict", "any"], default="ordered")
    wf.add_argument("--by", help="rep, an attribute, cohort_week or cohort_month (a trend)")
    sub.add_parser("demo", help="print the funnel report of the bundled BPI 2012 data")
    return ap


def _window(log, args) -> None:
    """Prints the window funnel (or, with --by, conversion per group)."""
    import salesfunnel as sf

    steps = [[n.strip() for n in step.split("|") if n.strip()] for step in args.steps.split(",")]
    if not all(steps):
        raise UserError(f"--steps {args.steps!r}: a step is empty")
    w = sf.window_funnel(log, steps, args.within, order=args.order, as_of=args.as_of, by=args.by)
    for note in ([] if args.by else w.warnings):
        print(f"salesfunnel: warning: {note}", file=sys.stderr)
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        if args.by:
            print(w.trend().to_string(float_format="{:.1%}".format))
        else:
            cols = ["entered", "converted", "immature", "conversion", "cumulative",
                    "median_days_from_previous"]
            print(w.to_pandas()[cols].to_string(float_format="{:.3f}".format))


#: Modules the command-line tool may miss; the "cli" extra brings them (pyarrow is a
#: dependency of the base install, so only a broken install lacks it).
_CLI_MODULES = {"pyarrow", "matplotlib", "tqdm"}


def main(argv: list[str] | None = None) -> int:
    """The ``salesfunnel`` command; returns the exit status.

    >>> main(["report", "events.csv", "--deal", "id", "--stage", "stage", "--time", "at",
    ...       "--template", "sales_cycle", "-o", "report.html"])
    """
    from .__main__ import quiet_when_pipe_closes
    return quiet_when_pipe_closes(lambda: _run(argv))


def _run(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from .__main__ import demo
        return demo()
    import salesfunnel as sf
    try:
        log = _load(args, need_graph=args.command != "window")
        if args.command == "window":
            _window(log, args)
            return 0
        when = {"as_of": args.as_of, "stale_after": args.stale_after}
        for w in sf.funnel(log, **when).warnings:
            print(f"salesfunnel: warning: {w}", file=sys.stderr)
        if args.command == "report":
            from .report_html import write_report
            write_report(log, args.output, title=args.title, source=os.path.basename(args.events),
                         **when)
            print(f"wrote {args.output}")
        elif args.command == "plan":
            model = sf.MarkovModel.fit(log, **when)
            with pd.option_context("display.width", 160, "display.max_columns", 20):
                print(model.plan(wins=args.wins, per=args.per, probability=args.probability))
        elif args.command == "forecast":
            model = sf.MarkovModel.fit(log, **when)
            f = model.forecast(horizon_days=args.horizon, trials=args.trials, seed=args.seed,
                               quota=args.quota, leads_per_week=args.leads_per_week,
                               progress=sys.stderr.isatty())
            print(f)
            print(f.quantiles.to_string())
        return 0
    except BrokenPipeError:
        raise  # the reader stopped early: not an error in the user's file (see main)
    except ModuleNotFoundError as e:
        if e.name not in _CLI_MODULES or getattr(args, "debug", False):
            raise
        print(f"salesfunnel: error: {args.command} needs {e.name}: pip install salesfunnel[cli]",
              file=sys.stderr)
        return 2
    except (UserError, sf.SalesfunnelError, OSError) as e:
        if getattr(args, "debug", False):
            raise
        msg = str(e)
        if not isinstance(e, UserError) and not msg.startswith(args.events):
            msg = f"{args.events}: {msg}"
        print(f"salesfunnel: error: {msg}", file=sys.stderr)
        return 2
    except Exception as e:  # a bug, not the user's input: still one line without --debug
        if getattr(args, "debug", False):
            raise
        print(f"salesfunnel: internal error: {type(e).__name__}: {str(e)[:200]} "
              "(add --debug for a traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
