"""The funnel report through salesfunnel, pandas and (when installed) DuckDB,
on one synthetic log, in one run.

    python benchmarks/python/bench_funnel.py --events 10000000 --deals 1000000

The log: deals walk the ten_commitments graph (forward with probability
0.86 per step, otherwise an exit or a stall), rows shuffled; deal ids int64,
stage and rep categorical, time datetime64[ns]. Each tool runs in a fresh
subprocess on the same .npy columns; peak memory is that process's high-water
RSS above its RSS with the input loaded. The peers' counts are checked
against salesfunnel's before any time is reported.
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


def child(tool: str, data: Path) -> None:
    df = load_frame(data)
    Path("/proc/self/clear_refs").write_text("5")     # reset the RSS high-water mark
    base = _rss("VmRSS")
    t0 = time.perf_counter()
    res = {"salesfunnel": run_salesfunnel, "pandas": run_pandas, "duckdb": run_duckdb}[tool](df)
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--deals", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--child", nargs=2, metavar=("TOOL", "DATA"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return 0
    tools = ["salesfunnel", "pandas"]
    try:
        import duckdb  # noqa: F401
        tools.append("duckdb")
    except ImportError:
        print("duckdb not installed: skipping it (pip install duckdb)")
    with tempfile.TemporaryDirectory() as tmp:
        info = generate(args.deals, args.events, args.seed, Path(tmp))
        print(f"log: {info['events']:,} events, {info['deals']:,} deals (unsorted); "
              f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores")
        results = {}
        for tool in tools:
            out = subprocess.run([sys.executable, __file__, "--child", tool, tmp],
                                 capture_output=True, text=True, check=True)
            results[tool] = json.loads(out.stdout.strip().splitlines()[-1])
    ref = results["salesfunnel"]["result"]
    for tool, r in results.items():
        res = r["result"]
        assert res["reached"] == ref["reached"], (tool, res["reached"], ref["reached"])
        assert res["transitions"] == ref["transitions"], tool
        assert res["won"] == ref["won"], tool
        if "reached_or_beyond" in res:
            assert res["reached_or_beyond"] == ref["reached_or_beyond"], tool
    base = results["salesfunnel"]["seconds"]
    inp = results["salesfunnel"]["input_bytes"]
    print(f"input columns: {inp / 2**20:,.0f} MiB; all tools agree on reached, transitions, won")
    print(f"{'tool':<12} {'seconds':>9} {'x slower':>9} {'peak extra MiB':>15} {'extra / input':>14}")
    for tool, r in results.items():
        print(f"{tool:<12} {r['seconds']:9.2f} {r['seconds'] / base:9.1f} "
              f"{r['peak_extra_bytes'] / 2**20:15,.0f} {r['peak_extra_bytes'] / inp:14.2f}")
    if args.json:
        args.json.write_text(json.dumps({"log": info, "results": results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
