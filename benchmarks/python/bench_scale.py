"""Issue 12, items 2 and 3: the C++ build, funnel and breakdowns at 1M, 10M
and 100M events, as a table (markdown, printed) and a plot.

    cmake --build build/bench --target salesfunnel_bench
    python benchmarks/python/bench_scale.py [--sizes 1e6 1e7 1e8] [--warm-gib 16]
        [--bench build/bench/benchmarks/salesfunnel_bench] [--plot docs/images/bench-scale.png]

Each size runs in a fresh process (deals = events / 10, the generated,
unsorted log of ``salesfunnel_bench``); peak RSS is the process's. On a
virtual machine the first touch of guest memory after boot costs far more
than later touches (the host backs each page then); ``--warm-gib`` touches
that much memory once before the runs so that every size pays the same.
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


def table(sizes: list[int], res: list[dict]) -> str:
    lines = ["| events | input columns | build | funnel | by_rep (97 reps) | by_cohort (weeks) | peak RSS |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for i, (n, r) in enumerate(zip(sizes, res)):
        def cell(k):
            grow = f" ({r[k] / res[i - 1][k]:.1f}×)" if i else ""
            return f"{r[k]:.3f} s{grow}"
        ratio = lambda k: f" = {r[k] / r['funnel']:.2f}× funnel"
        lines.append(f"| {n / 1e6:.1f}M | {r['input_mib']:,.0f} MiB | {cell('build')} | {cell('funnel')} | "
                     f"{r['by_rep']:.3f} s{ratio('by_rep')} | {r['by_cohort']:.3f} s{ratio('by_cohort')} | "
                     f"{r['rss_mib']:,.0f} MiB |")
    return "\n".join(lines)


def plot(sizes: list[int], res: list[dict], path: str) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=120)
    x = np.array(sizes, dtype=float)
    for k, style in zip(ROWS, ("o-", "s-", "^-", "v-")):
        ax.loglog(x, [r[k] for r in res], style, label=k.replace("_", " "))
    ideal = res[0]["build"] * x / x[0]
    ax.loglog(x, ideal, ":", color="grey", label="linear from the smallest build")
    ax.set_xlabel("events (deals = events / 10)")
    ax.set_ylabel("seconds (2 threads)")
    ax.set_title("salesfunnel C++: time against log size")
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
    a = ap.parse_args()
    sizes = [int(s) for s in a.sizes]
    res = []
    for n in sizes:
        if a.warm_gib > 0:  # before each size (the host may take idle pages back), in a child: a process's
            warm = f"import numpy; numpy.ones({int(a.warm_gib * 2**30) // 8}).sum()"  # peak RSS passes to
            subprocess.run([sys.executable, "-c", warm], check=True)                  # its children
        res.append(run(a.bench, n))
        print(f"{n:>11,d} events: " + ", ".join(f"{k} {res[-1][k]:.3f} s" for k in ROWS), flush=True)
    print()
    print(table(sizes, res))
    if a.plot:
        plot(sizes, res, a.plot)
        print(f"\nplot: {a.plot}")


if __name__ == "__main__":
    main()
