"""``python -m salesfunnel``: the funnel report of the bundled BPI 2012 data.

With arguments, runs the command-line tool when it is installed
(``python -m salesfunnel report events.csv ...``).
"""

from __future__ import annotations

import sys


def demo() -> int:
    import pandas as pd

    import salesfunnel as sf

    log = sf.datasets.bpi2012()
    rep = sf.funnel(log)
    t = rep.totals
    print(f"salesfunnel {sf.__version__} — BPI Challenge 2012 loan applications "
          f"(bundled, CC BY 4.0)")
    print(f"{log.num_events:,} events, {t['deals']:,} applications: {t['won']:,} approved, "
          f"{t['lost']:,} declined or cancelled, {t['open']:,} still open (censored)\n")
    df = rep.to_pandas()
    main = df[df["main_rank"] >= 0]
    table = pd.DataFrame({
        "reached": main["reached_or_beyond"],
        "advanced": main["advanced"],
        "dropped": main["dropped"],
        "open": main["in_progress"],
        "step conv.": main["step_conversion"].map(lambda v: "" if v != v else f"{v:.1%}"),
        "95% interval": [("" if lo != lo else f"{lo:.1%}–{hi:.1%}")
                         for lo, hi in zip(main["step_low"], main["step_high"])],
        "cumulative": main["cumulative_conversion"].map(lambda v: f"{v:.1%}"),
        "median days": main["median_days"].map(lambda v: "" if v != v else f"{v:.2f}"),
    })
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string())
    print("\nWhere applications fall out (furthest stage → exit):")
    print(rep.drop_offs().to_string(index=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv:
        try:
            from .cli import main as cli_main
        except ImportError:
            print("usage: python -m salesfunnel   (prints the bundled BPI 2012 funnel report)",
                  file=sys.stderr)
            return 2
        return cli_main(argv)
    return demo()


if __name__ == "__main__":
    sys.exit(main())
