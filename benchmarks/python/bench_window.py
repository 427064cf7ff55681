"""Window funnels through salesfunnel, ClickHouse's windowFunnel (chDB),
DuckDB and polars, on one generated log, in one run, answers checked equal.

    pip install chdb polars duckdb          # the peers, in the benchmark's environment
    python benchmarks/python/bench_window.py --events 10000000 --deals 1000000 --steps 4 20 40 100

The log: each deal does a random number of distinct activities out of 120
("e0" … "e119", first ones likelier, so deep funnels exist), at whole-hour
times within 60 days (many ties), rows shuffled; deal ids int64, activity
categorical, time datetime64[s]. A funnel of k steps is e0 → e1 → … → e(k-1)
within 14 days, ordered. Every tool computes each deal's deepest step and
the table of deals per deepest step; the tables must be equal before a time
is printed. windowFunnel stops at 32 conditions, so chDB runs only k <= 32.

How each peer computes it (the fast idiom for each):
- chDB: `windowFunnel(window)(t, stage = 'e0', …)` per deal, GROUP BY level.
- DuckDB / polars: for every step-1 event, k-1 as-of joins (the first event of
  step j at or after step j-1's time, same deal), then the deepest step whose
  time is within the window, max per deal.
salesfunnel is timed twice: the build of the EventLog from the columns plus
the funnel, and the funnel alone on the built log (a log is built once and
asked many questions).
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np
import pandas as pd

WINDOW_DAYS = 14
N_ACTIVITIES = 120


def generate(n_events: int, n_deals: int, seed: int) -> pd.DataFrame:
    """Deals do activities mostly in order (e0, e1, …; 15% a random other),
    each at most once, 0-3 whole days apart (a quarter of the gaps are 0: ties)."""
    rng = np.random.default_rng(seed)
    per_deal = np.clip(rng.poisson(n_events / n_deals - 1, n_deals) + 1, 1, N_ACTIVITIES)
    n = int(per_deal.sum())
    first = np.cumsum(per_deal) - per_deal
    deal_idx = np.repeat(np.arange(n_deals), per_deal)
    pos = np.arange(n) - np.repeat(first, per_deal)
    act = np.where(rng.random(n) < 0.85, pos, rng.integers(0, N_ACTIVITIES, n))
    gaps = rng.integers(0, 4, n) * 24
    gaps[first] = 0
    run = np.cumsum(gaps)
    hour = rng.integers(0, 60 * 24, n_deals)[deal_idx] + run - run[first][deal_idx]
    frame = pd.DataFrame({"deal": deal_idx.astype(np.int64) * 7919 + 11, "act": act, "hour": hour})
    frame = frame.drop_duplicates(["deal", "act"]).sample(frac=1.0, random_state=seed)
    names = [f"e{i}" for i in range(N_ACTIVITIES)]
    return pd.DataFrame({
        "deal": frame["deal"].to_numpy(),
        "stage": pd.Categorical.from_codes(frame["act"].to_numpy(), categories=names),
        "time": (pd.Timestamp("2024-01-01") + pd.to_timedelta(frame["hour"].to_numpy(), unit="h"))
        .to_numpy().astype("datetime64[s]"),
    })


def levels_table(level: np.ndarray, k: int) -> np.ndarray:
    """Deals per deepest step 1..k (deals that never did step 1 left out)."""
    return np.bincount(level, minlength=k + 1)[1:]


# ---------------------------------------------------------------- salesfunnel

def salesfunnel_levels(log, k: int, threads: int) -> np.ndarray:
    import salesfunnel as sf
    t = sf.window_funnel(log, [f"e{j}" for j in range(k)], f"{WINDOW_DAYS}D", threads=threads).to_pandas()
    converted = t["converted"].to_numpy()
    return converted - np.r_[converted[1:], 0]


def salesfunnel_build(df: pd.DataFrame, threads: int):
    import salesfunnel as sf
    return sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time", threads=threads)


# ---------------------------------------------------------------- chDB

def chdb_levels(df: pd.DataFrame, k: int, threads: int) -> np.ndarray:
    import chdb
    conds = ", ".join(f"stage = 'e{j}'" for j in range(k))
    sql = (f"SELECT level, count() AS n FROM (SELECT deal, windowFunnel({WINDOW_DAYS * 86400})"
           f"(t, {conds}) AS level FROM Python(chdf) GROUP BY deal) WHERE level > 0 GROUP BY level "
           f"SETTINGS max_threads = {threads}")
    chdf = df  # noqa: F841 (read by the Python() table function)
    out = chdb.query(sql, "DataFrame")
    table = np.zeros(k, dtype=np.int64)
    table[out["level"].to_numpy() - 1] = out["n"].to_numpy()
    return table


# ---------------------------------------------------------------- DuckDB and polars

def _asof_sql(k: int) -> str:
    w = WINDOW_DAYS * 86400
    lines = ["WITH s0 AS (SELECT deal, t AS t0 FROM ev WHERE stage = 'e0')"]
    prev = "s0"
    for j in range(1, k):
        lines.append(f", e{j} AS (SELECT deal, t FROM ev WHERE stage = 'e{j}')")
        lines.append(f", s{j} AS (SELECT {prev}.*, e{j}.t AS t{j} FROM {prev} ASOF LEFT JOIN e{j} "
                     f"ON {prev}.deal = e{j}.deal AND e{j}.t >= {prev}.t{j - 1})")
        prev = f"s{j}"
    ok = [f"(t{j} IS NOT NULL AND t{j} - t0 <= {w})" for j in range(1, k)]
    depth = str(k)  # the deepest step whose every earlier step is in the window
    for j in range(k - 1, 0, -1):
        depth = f"CASE WHEN {ok[j - 1]} THEN {depth} ELSE {j} END"
    return (",\n".join([lines[0]] + [ln.lstrip(", ") for ln in lines[1:]]) +
            f"\nSELECT level, count(*) AS n FROM (SELECT deal, max({depth}) AS level FROM {prev} "
            f"GROUP BY deal) GROUP BY level")


def duckdb_levels(df: pd.DataFrame, k: int, threads: int) -> np.ndarray:
    import tempfile

    import duckdb
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    # Spill to the system temp dir (DuckDB's default is ./.tmp beside the script's cwd).
    con.execute(f"SET temp_directory = '{tempfile.gettempdir()}/bench_window_duckdb'")
    ev = df  # noqa: F841 (a replacement scan)
    con.register("ev", df)
    out = con.execute(_asof_sql(k)).df()
    table = np.zeros(k, dtype=np.int64)
    table[out["level"].to_numpy().astype(int) - 1] = out["n"].to_numpy()
    return table


def polars_levels(pdf, k: int) -> np.ndarray:
    import polars as pl
    w = WINDOW_DAYS * 86400
    ev = pdf.sort("t")
    cur = ev.filter(pl.col("stage") == "e0").select("deal", pl.col("t").alias("t0"))
    ok = pl.lit(True)
    depth = pl.lit(1)
    for j in range(1, k):
        step = ev.filter(pl.col("stage") == f"e{j}").select("deal", pl.col("t").alias(f"t{j}"))
        cur = cur.sort(f"t{j - 1}").join_asof(step.sort(f"t{j}"), left_on=f"t{j - 1}",
                                              right_on=f"t{j}", by="deal", strategy="forward",
                                              check_sortedness=False)
        ok = ok & pl.col(f"t{j}").is_not_null() & ((pl.col(f"t{j}") - pl.col("t0")) <= w)
        depth = pl.when(ok).then(j + 1).otherwise(depth)
    out = cur.group_by("deal").agg(depth.max().alias("level")).group_by("level").len()
    table = np.zeros(k, dtype=np.int64)
    table[out["level"].to_numpy() - 1] = out["len"].to_numpy()
    return table


# ---------------------------------------------------------------- the run

def timed(f, *args):
    t = time.perf_counter()
    out = f(*args)
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--deals", type=int, default=1_000_000)
    ap.add_argument("--steps", type=int, nargs="+", default=[4, 20, 40, 100])
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip", nargs="*", default=[], help="peers to leave out: chdb duckdb polars")
    args = ap.parse_args()
    os.environ.setdefault("POLARS_MAX_THREADS", str(args.threads))
    df = generate(args.events, args.deals, args.seed)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"threads {args.threads}; log: {len(df):,} events, {df['deal'].nunique():,} deals")
    plain = pd.DataFrame({"deal": df["deal"], "stage": df["stage"].astype(str),
                          "t": df["time"].astype("int64").astype(np.uint64)})
    pl_frame = None
    if "polars" not in args.skip:
        import polars as pl
        pl_frame = pl.from_pandas(plain.assign(t=plain["t"].astype(np.int64)))
    log, t_build = timed(salesfunnel_build, df, args.threads)
    print(f"salesfunnel build: {t_build:.2f} s")
    print("| steps | salesfunnel build + funnel | funnel alone | chDB | DuckDB | polars | "
          "vs chDB | vs DuckDB | vs polars |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for k in args.steps:
        ours, t_ours = timed(salesfunnel_levels, log, k, args.threads)
        row = {"chdb": None, "duckdb": None, "polars": None}
        if "chdb" not in args.skip and k <= 32:
            row["chdb"] = timed(chdb_levels, plain, k, args.threads)
        if "duckdb" not in args.skip:
            row["duckdb"] = timed(duckdb_levels, plain, k, args.threads)
        if pl_frame is not None:
            row["polars"] = timed(polars_levels, pl_frame, k)
        for name, got in row.items():
            if got is not None and not np.array_equal(got[0], ours):
                raise SystemExit(f"{name} disagrees at {k} steps:\n{got[0]}\nvs salesfunnel\n{ours}")
        total = t_build + t_ours
        cells = [f"{v[1]:.2f} s" if v else "n/a" for v in row.values()]
        ratios = [f"{v[1] / t_ours:.1f}× ({v[1] / total:.1f}×)" if v else "" for v in row.values()]
        print(f"| {k} | {total:.2f} s | {t_ours:.3f} s | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
    print("ratios: peer time / salesfunnel funnel alone (and / build + funnel); every table checked equal")


if __name__ == "__main__":
    main()
