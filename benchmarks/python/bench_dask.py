"""salesfunnel.dask on a LocalCluster against one process, on a generated log
written to Parquet, answers checked equal.

    pip install "salesfunnel[dask]"          # dask[dataframe,distributed]
    python benchmarks/python/bench_dask.py --events 10000000 --check
    python benchmarks/python/bench_dask.py --events 100000000 --worker-memory 4GiB

The log: deals walk the sales_cycle template (Lead -> Contact -> First
Meeting -> Active Prospect -> Client, exits Disqualified / Lost; about 3.9
events a deal), entering uniformly over two years, exponential stays; some
deals still open at the end. Written in chunks to Parquet files with rows in
no particular order (deal int64, stage dictionary-encoded, time
timestamp[s]), so no process ever holds the whole log unless asked to.

Dask: two worker processes, one thread each, `--worker-memory` each; the
funnel (`sfd.funnel`) reads the files, shuffles by deal, builds a log per
partition, merges the statistics in a tree. With `--check`, the same files
are read into one pandas DataFrame and `sf.funnel` runs in this process; the
two reports must be equal before any time is printed.
"""

from __future__ import annotations

import argparse
import os
import pathlib
import platform
import tempfile
import time

import numpy as np
import pandas as pd

STAGES = ["Lead", "Contact", "First Meeting", "Active Prospect", "Client", "Disqualified", "Lost"]
# From each open stage: (forward, exit) probabilities, and the exit's stage.
FORWARD = {0: (0.6, 5), 1: (0.55, 5), 2: (0.65, 6), 3: (0.5, 6)}
MEAN_DAYS = [4.0, 6.0, 9.0, 20.0]
SPAN_DAYS = 730


def chunk(n_deals: int, first_id: int, rng: np.random.Generator) -> pd.DataFrame:
    """Events of n_deals deals walking the template (vectorised per step)."""
    deal = np.arange(first_id, first_id + n_deals, dtype=np.int64)
    t = rng.uniform(0, SPAN_DAYS, n_deals) * 86400
    ids, stages, times = [deal], [np.zeros(n_deals, np.int8)], [t.copy()]
    alive, stage = np.ones(n_deals, bool), np.zeros(n_deals, np.int8)
    for s in range(4):
        idx = np.flatnonzero(alive & (stage == s))
        t[idx] += rng.exponential(MEAN_DAYS[s] * 86400, idx.size)
        done = t[idx] <= SPAN_DAYS * 86400          # later moves are not seen yet: open
        idx = idx[done]
        go = rng.random(idx.size) < FORWARD[s][0]
        nxt = np.where(go, s + 1, FORWARD[s][1]).astype(np.int8)
        ids.append(deal[idx]), stages.append(nxt), times.append(t[idx].copy())
        stage[idx] = nxt
        alive[~np.isin(np.arange(n_deals), idx)] = False
        alive[idx[nxt >= 4]] = False
    order = rng.permutation(sum(len(i) for i in ids))
    return pd.DataFrame({
        "deal": np.concatenate(ids)[order],
        "stage": pd.Categorical.from_codes(np.concatenate(stages)[order], categories=STAGES),
        "time": pd.to_datetime(np.concatenate(times)[order].astype("int64"), unit="s").astype("datetime64[s]"),
    })


def write_log(path: pathlib.Path, n_events: int, seed: int, per_file: int = 2_000_000) -> int:
    rng = np.random.default_rng(seed)
    deals_per_file = int(per_file / 3.9)
    written, first = 0, 0
    while written < n_events:
        df = chunk(deals_per_file, first, rng)
        df.to_parquet(path / f"part-{first:012d}.parquet", index=False)
        written += len(df)
        first += deals_per_file
    return written


def run_dask(path, graph, workers: int, memory: str, npartitions: int | None):
    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    import salesfunnel.dask as sfd

    with LocalCluster(n_workers=workers, threads_per_worker=1, memory_limit=memory,
                      dashboard_address=None) as cluster, Client(cluster):
        start = time.perf_counter()
        events = dd.read_parquet(str(path))
        report = sfd.funnel(events, deal="deal", stage="stage", time="time", graph=graph,
                            npartitions=npartitions)
        return report, time.perf_counter() - start


def run_one(path, graph):
    import salesfunnel as sf

    start = time.perf_counter()
    df = pd.read_parquet(path)
    log = sf.EventLog.from_pandas(df, deal="deal", stage="stage", time="time", graph=graph)
    report = sf.funnel(log)
    return report, time.perf_counter() - start


def main() -> None:
    import salesfunnel as sf

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--worker-memory", default="4GiB")
    ap.add_argument("--npartitions", type=int, default=None, help="partitions after the shuffle")
    ap.add_argument("--check", action="store_true", help="also run one process and compare")
    ap.add_argument("--dir", default=None, help="where to write the Parquet files (default: a temp dir)")
    args = ap.parse_args()

    graph = sf.templates.sales_cycle()
    with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
        path = pathlib.Path(tmp)
        t0 = time.perf_counter()
        n = write_log(path, args.events, args.seed)
        size = sum(f.stat().st_size for f in path.iterdir())
        print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
              f"salesfunnel {sf.__version__}")
        print(f"log: {n:,} events in {len(list(path.iterdir()))} Parquet files, {size / 2**20:.0f} MiB "
              f"(written in {time.perf_counter() - t0:.1f} s)")
        report, secs = run_dask(path, graph, args.workers, args.worker_memory, args.npartitions)
        if args.check:
            one, one_secs = run_one(path, graph)
            pd.testing.assert_frame_equal(report.to_pandas(), one.to_pandas())
            assert report.totals == one.totals
            print(f"one process (read Parquet + build + funnel): {one_secs:.1f} s")
        print(f"dask, {args.workers} workers x {args.worker_memory} (read + shuffle + build + funnel + merge): "
              f"{secs:.1f} s; {report.totals}")
        if args.check:
            print("reports equal: yes")


if __name__ == "__main__":
    main()
