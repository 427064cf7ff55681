"""The funnel report through salesfunnel, pandas and (when installed)
DuckDB, polars, chDB (ClickHouse) and pm4py, on one synthetic log, in one run.

    python benchmarks/python/bench_funnel.py --events 10000000 --deals 1000000

The log: deals walk the ten_commitments graph (forward with probability
0.86 per step, otherwise an exit or a stall), rows shuffled; deal ids int64,
stage and rep categorical, time datetime64[ns]. Each tool runs in a fresh
subprocess on the same .npy columns; peak memory is that process's high-water
RSS above its RSS with the input loaded. The peers' counts are checked
against salesfunnel's before any time is reported.

With ``--repeats N`` every tool runs N times, the tools taking turns (one
run of each, then the next round), so that a slow minute of the host falls
on all of them alike; the table gives each tool's median and fastest time,
the ratios are of medians, and memory is the largest peak of the N runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

MAIN = ["Prospect", "Meeting Set", "Exploring", "Change Agreed", "Collaborating", "Consensus",
        "Investment Agreed", "Solution Reviewed", "Concerns Resolved", "Decided", "Client"]
EXITS = ["Lost", "No Decision"]
STAGES = MAIN + EXITS + ["Nurture"]
KIND = {s: "open" for s in STAGES}
KIND.update({"Prospect": "entry", "Client": "won", "Lost": "lost", "No Decision": "lost",
             "Nurture": "nurture"})


def generate(n_deals: int, target_events: int, seed: int, out: Path) -> dict:
    """Walk every deal forward along the main path; at each step it advances
    (p_fwd), exits to Lost / No Decision, or stops (still open)."""
    rng = np.random.default_rng(seed)
    # Choose p_fwd so the expected path length, 1 + sum_k p^k (p + 0.7 (1 - p))
    # over the ten steps, is as near target_events / n_deals as it can be.
    want = target_events / n_deals
    expected = lambda p: 1 + sum(p ** k * (p + 0.7 * (1 - p)) for k in range(len(MAIN) - 1))
    lo, hi = 0.0, 0.999
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if expected(mid) < want else (lo, mid)
    p_fwd = lo
    deal_cols, stage_cols, time_cols = [], [], []
    alive = np.arange(n_deals, dtype=np.int64)
    t = rng.integers(0, 180 * 86400, size=n_deals).astype(np.int64)   # entry times
    cur = np.zeros(n_deals, dtype=np.int8)
    deal_cols.append(alive.copy()); stage_cols.append(cur.copy()); time_cols.append(t.copy())
    for step in range(1, len(MAIN)):
        u = rng.random(alive.size)
        fwd = u < p_fwd
        exit_ = (u >= p_fwd) & (u < p_fwd + (1 - p_fwd) * 0.7)
        dt = rng.exponential(3 * 86400, size=alive.size).astype(np.int64) + 60
        t_alive = t[alive] + dt
        t[alive] = t_alive
        e = alive[exit_]
        deal_cols.append(e); stage_cols.append(
            np.where(rng.random(e.size) < 0.6, len(MAIN), len(MAIN) + 1).astype(np.int8))
        time_cols.append(t_alive[exit_])
        alive = alive[fwd]
        deal_cols.append(alive); stage_cols.append(np.full(alive.size, step, dtype=np.int8))
        time_cols.append(t[alive])
    deal = np.concatenate(deal_cols)
    stage = np.concatenate(stage_cols).astype(np.int8)
    tm = np.concatenate(time_cols) * 1_000_000_000 + 1_600_000_000 * 1_000_000_000
    perm = rng.permutation(deal.size)
    deal, stage, tm = deal[perm] * 7919 + 100_000, stage[perm], tm[perm]
    rep = (deal % 97).astype(np.int16)
    out.mkdir(parents=True, exist_ok=True)
    for name, arr in (("deal", deal), ("stage", stage), ("time", tm), ("rep", rep)):
        np.save(out / f"{name}.npy", arr)
    return {"events": int(deal.size), "deals": n_deals, "p_forward": p_fwd}


def load_frame(data: Path):
    import pandas as pd
    stage = np.load(data / "stage.npy")
    rep = np.load(data / "rep.npy")
    df = pd.DataFrame({
        "deal": np.load(data / "deal.npy"),
        "stage": pd.Categorical.from_codes(stage, categories=STAGES),
        "time": np.load(data / "time.npy").view("datetime64[ns]"),
        "rep": pd.Categorical.from_codes(rep, categories=[f"rep{i:02d}" for i in range(97)]),
    })
    return df


def graph():
    import salesfunnel as sf
    g = sf.StageGraph("bench")
    for s in STAGES:
        g.add_stage(s, KIND[s])
    for a, b in zip(MAIN, MAIN[1:]):
        g.add_transition(a, b)
    for a in MAIN[1:-1]:
        for x in EXITS:
            g.add_transition(a, x)
    g.add_transition("Nurture", "Meeting Set")
    g.add_transition("Meeting Set", "Nurture")
    return g


def run_salesfunnel(df):
    import salesfunnel as sf
    log = sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time", rep="rep",
                                  graph=graph())
    rep = sf.funnel(log)
    t = rep.to_pandas()
    tr = rep.transitions()
    return {"reached": t["reached"].to_dict(),
            "reached_or_beyond": t.loc[MAIN, "reached_or_beyond"].to_dict(),
            "transitions": int(tr["count"].sum()), "won": rep.totals["won"]}


def run_pandas(df):
    """What a competent analyst writes: sort, fold repeats, group, shift."""
    import pandas as pd
    df = df.sort_values(["deal", "time"], kind="stable")
    codes = df["stage"].cat.codes.to_numpy()
    deal = df["deal"].to_numpy()
    same = np.r_[False, (deal[1:] == deal[:-1]) & (codes[1:] == codes[:-1])]
    df = df[~same]
    rank = pd.Series({s: i for i, s in enumerate(MAIN)})
    df = df.assign(rank=df["stage"].map(rank).astype("float").fillna(-1).astype(int))
    reached = df.drop_duplicates(["deal", "stage"])["stage"].value_counts()
    g = df.groupby("deal", sort=False)
    per = g.agg(furthest=("rank", "max"), final=("stage", "last"))
    final_kind = per["final"].map(KIND)
    counts = per["furthest"].value_counts().reindex(range(-1, len(MAIN)), fill_value=0)
    rob = counts[::-1].cumsum()[::-1]
    nxt = g["stage"].shift(-1)
    dur = g["time"].shift(-1) - df["time"]
    pairs = pd.DataFrame({"a": df["stage"], "b": nxt}).dropna().value_counts()
    median_days = (dur.dt.total_seconds() / 86400).groupby(df["stage"], observed=True).median()
    return {"reached": {s: int(reached.get(s, 0)) for s in STAGES},
            "reached_or_beyond": {s: int(rob[i]) for i, s in enumerate(MAIN)},
            "transitions": int(pairs.sum()), "won": int((final_kind == "won").sum()),
            "_median": median_days}


def run_duckdb(df):
    import duckdb
    con = duckdb.connect()
    con.register("ev", df)
    q = f"""
    WITH o AS (
      SELECT deal, CAST(stage AS VARCHAR) AS stage, time,
             LAG(CAST(stage AS VARCHAR)) OVER (PARTITION BY deal ORDER BY time) AS prev
      FROM ev),
    f AS (SELECT * FROM o WHERE prev IS NULL OR prev <> stage),
    n AS (SELECT deal, stage, time,
                 LEAD(stage) OVER (PARTITION BY deal ORDER BY time) AS nxt,
                 LEAD(time) OVER (PARTITION BY deal ORDER BY time) - time AS dur,
                 ROW_NUMBER() OVER (PARTITION BY deal ORDER BY time DESC) AS from_end
          FROM f),
    r AS (SELECT stage, COUNT(DISTINCT deal) AS reached FROM f GROUP BY stage),
    t AS (SELECT COUNT(*) AS transitions FROM n WHERE nxt IS NOT NULL),
    w AS (SELECT COUNT(*) AS won FROM n WHERE from_end = 1 AND stage = 'Client'),
    m AS (SELECT stage, MEDIAN(EPOCH(dur)) / 86400 AS median_days FROM n WHERE nxt IS NOT NULL GROUP BY stage)
    SELECT 'reached' AS k, stage, reached AS v FROM r
    UNION ALL SELECT 'transitions', NULL, transitions FROM t
    UNION ALL SELECT 'won', NULL, won FROM w
    """
    rows = con.execute(q).fetchall()
    out = {"reached": {s: 0 for s in STAGES}}
    for k, s, v in rows:
        if k == "reached":
            out["reached"][s] = int(v)
        else:
            out[k] = int(v)
    return out


def polars_frame(df):
    """The same columns as a polars frame, made before the clock starts: the
    stage as its categorical codes (the fast idiom groups on integers)."""
    import polars as pl
    return pl.DataFrame({"deal": df["deal"].to_numpy(),
                         "stage": df["stage"].cat.codes.to_numpy(),
                         "time": df["time"].to_numpy()})


def run_polars(d):
    """The fast polars idiom: sort once, shift, mask deal boundaries, group_by
    (not shift().over(), which is several times slower)."""
    import polars as pl
    t = d.sort(["deal", "time"], maintain_order=True)
    same_deal_prev = pl.col("deal") == pl.col("deal").shift(1)
    t = t.filter(~(same_deal_prev & (pl.col("stage") == pl.col("stage").shift(1))).fill_null(False))
    same_deal_next = (pl.col("deal") == pl.col("deal").shift(-1)).fill_null(False)
    rank = np.full(len(STAGES), -1, dtype=np.int8)
    rank[: len(MAIN)] = np.arange(len(MAIN))
    t = t.with_columns(
        nxt=pl.when(same_deal_next).then(pl.col("stage").shift(-1)),
        dur=pl.when(same_deal_next).then(pl.col("time").shift(-1) - pl.col("time")),
        rank=pl.col("stage").replace_strict(list(range(len(STAGES))), rank.tolist(), return_dtype=pl.Int8),
        last=~same_deal_next)
    reached = t.unique(["deal", "stage"]).group_by("stage").len()
    moves = t.filter(pl.col("nxt").is_not_null())
    pairs = moves.group_by(["stage", "nxt"]).len()
    median = moves.group_by("stage").agg((pl.col("dur").dt.total_seconds().median() / 86400).alias("days"))
    per = t.group_by("deal").agg(pl.col("rank").max().alias("furthest"))
    counts = per.group_by("furthest").len()
    won = t.filter(pl.col("last") & (pl.col("stage") == STAGES.index("Client"))).height
    cnt = dict(zip(counts["furthest"].to_list(), counts["len"].to_list()))
    rob, acc = {}, 0
    for i in range(len(MAIN) - 1, -1, -1):
        acc += cnt.get(i, 0)
        rob[MAIN[i]] = acc
    got = dict(zip(reached["stage"].to_list(), reached["len"].to_list()))
    return {"reached": {s: int(got.get(i, 0)) for i, s in enumerate(STAGES)},
            "reached_or_beyond": rob, "transitions": int(pairs["len"].sum()), "won": int(won),
            "_median": median}


def pm4py_frame(df):
    """pm4py's column names and the string case and activity columns it
    requires, made before the clock starts."""
    import pandas as pd
    return pd.DataFrame({"case:concept:name": df["deal"].astype(str),
                         "concept:name": df["stage"].astype(str),
                         "time:timestamp": df["time"]})


def run_pm4py(d):
    """pm4py's directly-follows graph with its frequency and performance
    (median seconds) decorations: the process-mining way to the same moves."""
    import pm4py
    dfg, _start, _end = pm4py.discover_dfg(d)
    perf, _s, _e = pm4py.discover_performance_dfg(d)
    # Reached counts: distinct cases per activity, as pm4py users get them.
    reached = d.drop_duplicates(["case:concept:name", "concept:name"])["concept:name"].value_counts()
    last = d.sort_values(["case:concept:name", "time:timestamp"], kind="stable").groupby(
        "case:concept:name", sort=False, observed=True)["concept:name"].last()
    return {"reached": {s: int(reached.get(s, 0)) for s in STAGES},
            "transitions": int(sum(dfg.values())), "won": int((last == "Client").sum()),
            "_median": {k: v["median"] for k, v in perf.items()}}


def chdb_frame(df):
    """The columns for ClickHouse's table function Python(): the stage as its
    integer codes (ClickHouse groups on integers fastest), made before the clock."""
    import pandas as pd
    return pd.DataFrame({"deal": df["deal"].to_numpy(), "stage": df["stage"].cat.codes.to_numpy(),
                         "time": df["time"].to_numpy()})


def run_chdb(d):
    """ClickHouse (chDB, in process) the idiomatic way: each deal's events as
    one array sorted by time, repeats folded with arrayFilter, counts from
    ARRAY JOIN."""
    import chdb
    client = STAGES.index("Client")
    q = f"""
    WITH per AS (SELECT arraySort(x -> x.1, groupArray((time, stage))) AS ev FROM Python(d) GROUP BY deal),
    g AS (SELECT arrayMap(x -> x.2, arrayFilter((x, i) -> i = 1 OR x.2 != ev[i - 1].2, ev,
                                                arrayEnumerate(ev))) AS st FROM per)
    SELECT 'reached' AS k, toInt32(s) AS stage, count() AS v FROM g ARRAY JOIN arrayDistinct(st) AS s GROUP BY s
    UNION ALL SELECT 'transitions', -1, sum(length(st) - 1) FROM g
    UNION ALL SELECT 'won', -1, countIf(st[-1] = {client}) FROM g
    """
    rows = chdb.query(q, "DataFrame")
    out = {"reached": {s: 0 for s in STAGES}}
    for k, s, v in rows.itertuples(index=False):
        if k == "reached":
            out["reached"][STAGES[int(s)]] = int(v)
        else:
            out[k] = int(v)
    return out


PEERS = {"salesfunnel": (None, run_salesfunnel), "pandas": (None, run_pandas),
         "duckdb": (None, run_duckdb), "polars": (polars_frame, run_polars),
         "pm4py": (pm4py_frame, run_pm4py), "chdb": (chdb_frame, run_chdb)}


def child(tool: str, data: Path) -> None:
    df = load_frame(data)
    prepare, run = PEERS[tool]
    frame = prepare(df) if prepare else df
    Path("/proc/self/clear_refs").write_text("5")     # reset the RSS high-water mark
    base = _rss("VmRSS")
    t0 = time.perf_counter()
    res = run(frame)
    secs = time.perf_counter() - t0
    res.pop("_median", None)
    input_bytes = int(sum(df[c].memory_usage(deep=False, index=False) for c in df.columns))
    print(json.dumps({"tool": tool, "seconds": secs, "peak_extra_bytes": _rss("VmHWM") - base,
                      "input_bytes": input_bytes, "result": res}))


def _rss(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def check_same(tool: str, res: dict, ref: dict) -> None:
    """Stops the benchmark unless a tool's counts are salesfunnel's."""
    assert res["reached"] == ref["reached"], (tool, res["reached"], ref["reached"])
    assert res["transitions"] == ref["transitions"], tool
    assert res["won"] == ref["won"], tool
    if "reached_or_beyond" in res:
        assert res["reached_or_beyond"] == ref["reached_or_beyond"], tool


def summary(rs: list[dict]) -> dict:
    """One tool's runs: median and fastest seconds, the largest peak memory."""
    secs = sorted(r["seconds"] for r in rs)
    return {"tool": rs[0]["tool"], "seconds": float(np.median(secs)), "fastest": secs[0],
            "runs": [r["seconds"] for r in rs], "peak_extra_bytes": max(r["peak_extra_bytes"] for r in rs),
            "input_bytes": rs[0]["input_bytes"], "result": rs[0]["result"]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--deals", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--skip", nargs="*", default=[], help="peers to leave out (duckdb, polars, chdb, pm4py)")
    ap.add_argument("--repeats", type=int, default=1, help="runs of each tool, taking turns (default 1)")
    ap.add_argument("--child", nargs=2, metavar=("TOOL", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    tools = ["salesfunnel", "pandas"]
    for peer in ("duckdb", "polars", "chdb", "pm4py"):
        if peer in args.skip:
            continue
        try:
            __import__(peer)
            tools.append(peer)
        except ImportError:
            print(f"{peer} not installed: skipping it (pip install {peer})")
    with tempfile.TemporaryDirectory() as tmp:
        info = generate(args.deals, args.events, args.seed, Path(tmp))
        print(f"log: {info['events']:,} events, {info['deals']:,} deals (unsorted); "
              f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
        repeats = max(1, args.repeats)
        runs = {tool: [] for tool in tools}
        for _ in range(repeats):
            for tool in tools:
                out = subprocess.run([sys.executable, __file__, "--child", tool, tmp],
                                     capture_output=True, text=True)
                if out.returncode != 0:
                    sys.exit(f"{tool} failed:\n{out.stderr}")
                runs[tool].append(json.loads(out.stdout.strip().splitlines()[-1]))
    ref = runs["salesfunnel"][0]["result"]
    for tool, rs in runs.items():
        for r in rs:
            check_same(tool, r["result"], ref)
    results = {tool: summary(rs) for tool, rs in runs.items()}
    base = results["salesfunnel"]["seconds"]
    inp = results["salesfunnel"]["input_bytes"]
    print(f"input columns: {inp / 2**20:,.0f} MiB; all tools agree on reached, transitions, won "
          f"in every run; {repeats} run(s) each")
    print(f"{'tool':<12} {'median s':>9} {'fastest s':>10} {'x slower':>9} {'peak extra MiB':>15} {'extra / input':>14}")
    for tool, r in results.items():
        print(f"{tool:<12} {r['seconds']:9.2f} {r['fastest']:10.2f} {r['seconds'] / base:9.1f} "
              f"{r['peak_extra_bytes'] / 2**20:15,.0f} {r['peak_extra_bytes'] / inp:14.2f}")
    if args.json:
        args.json.write_text(json.dumps({"log": info, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
