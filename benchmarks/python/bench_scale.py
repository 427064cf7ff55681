"""Issue 12, items 2 and 3: the C++ build, funnel and breakdowns at 1M, 10M
and 100M events, as a table (markdown, printed) and a plot.

    cmake --build build/bench --target salesfunnel_bench
    python benchmarks/python/bench_scale.py [--sizes 1e6 1e7 1e8] [--warm-gib 16] [--repeats 3]
        [--bench build/bench/benchmarks/salesfunnel_bench] [--plot docs/images/bench-scale.png]

Each size runs in a fresh process (deals = events / 10, the generated,
unsorted log of ``salesfunnel_bench``); peak RSS is the process's. On a
virtual machine the first touch of guest memory after boot costs far more
than later touches (the host backs each page then); ``--warm-gib`` touches
that much memory once before the runs so that every size pays the same.

With ``--repeats N`` each size runs N times, the sizes taking turns (1M,
10M, 100M, then again), so that a slow minute of the host does not fall on
one size only. The table gives medians (growth against the size before it)
with the fastest build in brackets; the breakdowns' ratios are the median
of each run's by_rep / funnel (both timed in the same process); peak RSS is
the largest of the runs. The plot draws the medians, the bars span the
fastest to the slowest run.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys

import numpy as np

ROWS = ("build", "funnel", "by_rep", "by_cohort")


def run(bench: str, events: int) -> dict:
    out = subprocess.run([bench, "--filter", "funnel/[bfr]*", "--events", str(events),
                          "--deals", str(events // 10)], check=True, capture_output=True, text=True).stdout
    got = {name: float(re.search(rf"^{name}\s+([0-9.]+) s", out, re.M).group(1)) for name in ROWS}
    got["rss_mib"] = float(re.findall(r"^peak RSS (\d+) MiB", out, re.M)[-1])
    got["input_mib"] = float(re.search(r"input columns (\d+) MiB", out).group(1))
    return got


def summarise(runs: list[dict]) -> dict:
    """One size's runs: median, fastest and slowest of each timing, the
    median by_rep and by_cohort ratios to the funnel of the same run, the
    largest peak RSS."""
    out = {"input_mib": runs[0]["input_mib"], "rss_mib": max(r["rss_mib"] for r in runs), "n": len(runs)}
    for k in ROWS:
        v = [r[k] for r in runs]
        out[k], out[k + "_min"], out[k + "_max"] = float(np.median(v)), min(v), max(v)
    for k in ("by_rep", "by_cohort"):
        out[k + "_ratio"] = float(np.median([r[k] / r["funnel"] for r in runs]))
    return out


def table(sizes: list[int], res: list[dict]) -> str:
    lines = ["| events | input columns | build (fastest) | funnel | by_rep (97 reps) | by_cohort (weeks) | peak RSS |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for i, (n, r) in enumerate(zip(sizes, res)):
        def grow(k):
            return f" ({r[k] / res[i - 1][k]:.1f}×)" if i else ""
        build = f"{r['build']:.3f} s{grow('build')} [{r['build_min']:.3f} s{grow('build_min')}]"
        ratio = lambda k: f"{r[k]:.3f} s = {r[k + '_ratio']:.2f}× funnel"
        lines.append(f"| {n / 1e6:.1f}M | {r['input_mib']:,.0f} MiB | {build} | {r['funnel']:.3f} s{grow('funnel')} | "
                     f"{ratio('by_rep')} | {ratio('by_cohort')} | {r['rss_mib']:,.0f} MiB |")
    return "\n".join(lines)


def plot(sizes: list[int], res: list[dict], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    x = np.array(sizes, dtype=float)
    for k, style in zip(ROWS, ("o-", "s-", "^-", "v-")):
        mid = np.array([r[k] for r in res])
        err = np.array([[m - r[k + "_min"] for m, r in zip(mid, res)], [r[k + "_max"] - m for m, r in zip(mid, res)]])
        ax.errorbar(x, mid, yerr=err, fmt=style, capsize=3, label=k.replace("_", " "))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ideal = res[0]["build"] * x / x[0]
    ax.plot(x, ideal, ":", color="grey", label="linear from the smallest build")
    ax.set_xlabel("events (deals = events / 10)")
    ax.set_ylabel("seconds (2 threads)")
    n = min(r["n"] for r in res)
    ax.set_title(f"salesfunnel C++: time against log size (median of {n}, bars: range)" if n > 1
                 else "salesfunnel C++: time against log size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=float, nargs="+", default=[1e6, 1e7, 1e8])
    ap.add_argument("--bench", default="build/bench/benchmarks/salesfunnel_bench")
    ap.add_argument("--warm-gib", type=float, default=0.0)
    ap.add_argument("--plot", default=None)
    ap.add_argument("--repeats", type=int, default=1, help="runs of each size, taking turns (default 1)")
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes]
    runs = {n: [] for n in sizes}
    for _ in range(max(1, a.repeats)):
        for n in sizes:
            if a.warm_gib > 0:  # before each run (the host may take idle pages back), in a child: a
                warm = f"import numpy; numpy.ones({int(a.warm_gib * 2**30) // 8}).sum()"  # process's peak
                subprocess.run([sys.executable, "-c", warm], check=True)  # RSS passes to its children
            runs[n].append(run(a.bench, n))
            print(f"{n:>11,d} events: " + ", ".join(f"{k} {runs[n][-1][k]:.3f} s" for k in ROWS), flush=True)
    res = [summarise(runs[n]) for n in sizes]
    print()
    print(table(sizes, res))
    if a.plot:
        plot(sizes, res, a.plot)
        print(f"\nplot: {a.plot}")


if __name__ == "__main__":
    main()
